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
