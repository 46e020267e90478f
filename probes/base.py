"""Result type shared by every probe kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# Reason codes. Each one has a translated text under "reason.<code>" in the
# message catalogues of monitor/i18n.
OK = "ok"
NO_REPLY = "no_reply"
DNS_NOT_FOUND = "dns_not_found"
DNS_TEMPORARY = "dns_temporary"
NO_ROUTE = "no_route"
SEND_ERROR = "send_error"
PROBE_TIMEOUT = "probe_timeout"
UNCONFIGURED = "unconfigured"
BAD_ADDRESS = "bad_address"
INTERNAL_ERROR = "internal_error"
# Application-service checks (tcp, http, tls, dns).
CONNECT_REFUSED = "connect_refused"  # the port replied with a reset
CONNECT_TIMEOUT = "connect_timeout"  # no reply to the connection attempt
RESPONSE_TIMEOUT = "response_timeout"  # connected, but no complete response in time
CONNECTION_CLOSED = "connection_closed"  # the peer closed or reset an open connection
TLS_HANDSHAKE = "tls_handshake_failed"  # no TLS session (protocol, cipher or alert)
CERT_EXPIRED = "cert_expired"  # the certificate's notAfter has passed (or notBefore not yet)
CERT_UNTRUSTED = "cert_untrusted"  # self-signed or issued by a CA that is not trusted
CERT_HOSTNAME = "cert_hostname_mismatch"  # the certificate is for another name
CERT_INVALID = "cert_invalid"  # any other verification failure
UNEXPECTED_STATUS = "unexpected_status"  # HTTP status outside the expected codes
CONTENT_MISMATCH = "content_mismatch"  # body text or pattern expectation not met
TOO_MANY_REDIRECTS = "too_many_redirects"
REDIRECT_LOOP = "redirect_loop"
REDIRECT_REFUSED = "redirect_refused"  # a redirect to an example name or documentation address
PROTOCOL_ERROR = "protocol_error"  # the server's answer is not valid HTTP
BANNER_MISMATCH = "banner_mismatch"  # TCP: the first bytes are not the expected ones
DNS_WRONG_ANSWER = "dns_wrong_answer"  # the records differ from the expected ones
DNS_NO_RECORDS = "dns_no_records"  # the name exists but has no record of that type
DNS_SERVER_ERROR = "dns_server_error"  # SERVFAIL, REFUSED or another error code
DNS_TIMEOUT = "dns_timeout"  # the DNS server did not answer


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """Outcome of one probe run against one target.

    ``values`` contains the numeric readings in base units (seconds, ratios,
    counts), keyed by a stable name such as ``"rtt_median_seconds"``; a
    reading that does not exist (no RTT when nothing answered) is absent,
    never zero. ``detail`` carries the probe's own frozen record, for
    example ``probes.icmp.PingStats``.

    >>> r = ProbeResult("core", "icmp", True, OK, 1733300000.0, 0.8, {"sent": 5.0})
    >>> r.values["sent"]
    5.0
    """

    target: str
    probe: str
    success: bool
    reason: str
    started: float
    duration: float
    values: Mapping[str, float] = field(default_factory=dict)
    detail: Any = None
    message: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))
