"""DNS check: ask one server for one name and type, and compare the answer.

The query goes over UDP (retried over TCP when the answer has the TC flag)
or over TCP only, through dnspython's asyncio functions, under one deadline
(``DnsRequest.timeout``) for the whole probe.

Reason codes: DNS_NOT_FOUND (NXDOMAIN), DNS_SERVER_ERROR (SERVFAIL, REFUSED
or any other error rcode), DNS_NO_RECORDS (NOERROR without a record of the
type), DNS_WRONG_ANSWER (an expected value is not among the answers),
DNS_TIMEOUT (no answer before the deadline), PROTOCOL_ERROR (a reply that
is not a valid DNS response to the query), CONNECT_REFUSED (a reset on
the TCP connect), CONNECTION_CLOSED (the TCP connection ended before a full reply),
NO_ROUTE, INTERNAL_ERROR (this machine could not open or use a socket),
UNCONFIGURED (a documentation address or a reserved example name: nothing
is sent) and BAD_ADDRESS. The UDP query goes from an unconnected socket,
which never sees ICMP port unreachable, so a closed UDP port ends in
DNS_TIMEOUT.

Over UDP, a datagram that is no reply to the query (another query ID or
question, another source, bytes that do not parse) is ignored and the
probe keeps waiting, because anyone on the path can send one. Only when
nothing but such datagrams came before the deadline does the probe fail
with PROTOCOL_ERROR, naming the last one.

The answers are the records of the requested type owned by the name at
the end of the CNAME chain that starts at the question's name, so a
record of another owner in the answer section counts for nothing.

Answers and expected values are compared in normal form
(:func:`normalize_value`): addresses as addresses, names in lower case
without the final dot, MX as "preference exchange" and TXT as the joined
text.

Example::

    request = DnsRequest(
        target="app-simpeg",
        server="10.20.0.53",
        name="simpeg.kab.go.id",
        expect=("10.20.0.5",),
    )
    result = await probe(request)
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import dns.asyncbackend
import dns.asyncquery
import dns.exception
import dns.flags
import dns.inet
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.txtbase
import dns.rrset

from probes import base
from probes.addresses import is_placeholder_name
from probes.resolve import LOCAL_ERRORS, NO_ROUTE_ERRORS, ResolveError, addresses_for

PROBE = "dns"
TRANSPORTS = ("udp", "tcp")
# EDNS0 payload size recommended by the DNS flag day 2020: large enough for
# most answers, small enough to avoid IP fragmentation.
EDNS_PAYLOAD = 1232

_NAME_TYPES = {"CNAME", "NS", "PTR", "DNAME"}
_ADDRESS_TYPES = {"A", "AAAA"}
# Errors that dnspython lets through when a reply cannot be parsed.
_PARSE_ERRORS = (dns.exception.DNSException, ValueError, struct.error, UnicodeError)
# CNAME records followed from the question's name, as many as dnspython 2.9's
# Message.resolve_chaining follows (dns.message.MAX_CHAIN).
MAX_CNAME_CHAIN = 16
# DnsDetail.message keeps this many characters of the reply's text, because a
# reply of 3,000 A records (48 KB on the wire) renders to 113 KB of text.
MAX_MESSAGE_CHARS = 4000
# ProbeResult.message lists answers up to this many characters, because it
# is logged and stored with every result.
MAX_SUMMARY_CHARS = 200


@dataclass(frozen=True, slots=True)
class DnsRequest:
    """One DNS query to one server, and the values the answer must contain.

    ``server`` is an IP literal. ``record_type`` is a type name such as "A",
    "AAAA", "CNAME", "MX" or "TXT" (any case). ``expect`` lists values that
    must all be among the answers, in the forms :func:`normalize_value`
    accepts. With an empty ``expect``, any record of the type succeeds.
    ``recursion`` sets the RD flag. ``timeout`` is in seconds. Raises
    ValueError for an invalid server, name, type, expected value, port,
    transport or timeout.

    >>> DnsRequest(target="ns", server="10.20.0.53", name="kab.go.id", record_type="mx").record_type
    'MX'
    """

    target: str
    server: str
    name: str
    record_type: str = "A"
    expect: tuple[str, ...] = ()
    port: int = 53
    transport: str = "udp"
    recursion: bool = True
    timeout: float = 5.0

    def __post_init__(self) -> None:
        try:
            ipaddress.ip_address(self.server)
        except ValueError as error:
            raise ValueError(f"invalid DNS server {self.server!r}: use an IP address") from error
        try:
            dns.name.from_text(self.name)
        except (dns.exception.DNSException, ValueError) as error:
            raise ValueError(f"invalid DNS name {self.name!r}: {error}") from error
        try:
            record_type = dns.rdatatype.to_text(dns.rdatatype.from_text(self.record_type))
        except (dns.exception.DNSException, ValueError) as error:
            raise ValueError(f"unknown DNS record type {self.record_type!r}") from error
        object.__setattr__(self, "record_type", record_type)
        for value in self.expect:
            normalize_value(record_type, value)
        if isinstance(self.port, bool) or not 1 <= self.port <= 65535:
            raise ValueError(f"invalid DNS port {self.port!r}: use 1 to 65535")
        if self.transport not in TRANSPORTS:
            raise ValueError(f"invalid DNS transport {self.transport!r}: use udp or tcp")
        if not self.timeout > 0:
            raise ValueError(f"invalid timeout {self.timeout!r}: use a positive number of seconds")


@dataclass(frozen=True, slots=True)
class DnsDetail:
    """Query and reply of one DNS probe.

    ``rcode`` is the response code's name ("NOERROR", "NXDOMAIN"), empty
    when no valid reply came. ``answers`` are the records of the requested
    type owned by the end of the question's CNAME chain, rendered by
    :func:`render_rdata`. ``message`` is the reply in zone-file form, as dig
    prints it, for the debug trail: at most :data:`MAX_MESSAGE_CHARS`
    characters, and a longer one ends with a note of how many were cut.
    """

    server: str
    name: str
    record_type: str
    rcode: str
    answers: tuple[str, ...]
    expected: tuple[str, ...]
    message: str


def normalize_value(record_type: str, value: str) -> str:
    """Return the normal form of ``value`` as a record of ``record_type``.

    Addresses (A, AAAA) compare as addresses, so "::ffff:10.0.0.1" and
    "10.0.0.1" are equal. Names (CNAME, NS, PTR, DNAME) are lower case
    without the final dot, MX is "preference exchange" with the exchange as
    a name, TXT and SPF are the strings of the record joined, as they are.
    Other types use dnspython's canonical text form. Raises ValueError when
    ``value`` is no valid record of the type.

    >>> normalize_value("MX", "10 Mail.Kab.go.id.")
    '10 mail.kab.go.id'
    """
    record_type = record_type.upper()
    if record_type in _ADDRESS_TYPES:
        return _normalize_address(value)
    if record_type in _NAME_TYPES:
        return _normalize_name(value)
    if record_type == "MX":
        preference, _, exchange = value.strip().partition(" ")
        if not preference.isdigit() or not 0 <= int(preference) <= 65535:
            raise ValueError(f"invalid MX value {value!r}: use 'preference exchange'")
        return f"{int(preference)} {_normalize_name(exchange.strip())}"
    if record_type in ("TXT", "SPF"):
        return value
    return _normalize_generic(record_type, value)


def _normalize_address(value: str) -> str:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError as error:
        raise ValueError(f"invalid IP address {value!r}") from error
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def _normalize_name(value: str) -> str:
    try:
        name = dns.name.from_text(value.strip())
    except (dns.exception.DNSException, ValueError) as error:
        raise ValueError(f"invalid DNS name {value!r}: {error}") from error
    return name.canonicalize().to_text(omit_final_dot=True)


def _normalize_generic(record_type: str, value: str) -> str:
    try:
        rdtype = dns.rdatatype.from_text(record_type)
        rdata = dns.rdata.from_text(dns.rdataclass.IN, rdtype, value, origin=dns.name.root)
    except (dns.exception.DNSException, ValueError) as error:
        raise ValueError(f"invalid {record_type} value {value!r}: {error}") from error
    # The canonical wire form (RFC 4034, section 6.2) has embedded names in
    # lower case, so parsing it back gives a case-insensitive text form.
    wire = rdata.to_digestable(dns.name.root)
    canonical = dns.rdata.from_wire(dns.rdataclass.IN, rdtype, wire, 0, len(wire))
    return canonical.to_text()


def render_rdata(rdata: dns.rdata.Rdata) -> str:
    """Render an answer record as the operator writes it in ``expect``.

    Names lose their final dot, MX is "preference exchange" and TXT the
    joined strings, decoded as UTF-8 with invalid bytes as ``\\xNN``.
    """
    record_type = dns.rdatatype.to_text(rdata.rdtype)
    if isinstance(rdata, dns.rdtypes.txtbase.TXTBase):
        return b"".join(rdata.strings).decode("utf-8", errors="backslashreplace")
    if record_type == "MX":
        exchange = rdata.exchange.to_text(omit_final_dot=True)  # type: ignore[attr-defined]
        return f"{rdata.preference} {exchange}"  # type: ignore[attr-defined]
    if record_type in _NAME_TYPES:
        return rdata.target.to_text(omit_final_dot=True)  # type: ignore[attr-defined]
    return rdata.to_text()


def missing_values(
    record_type: str, expected: Iterable[str], answers: Iterable[str]
) -> tuple[str, ...]:
    """Return the expected values that are not among ``answers``, in normal form or not.

    ``expected`` must be valid for the type (see :func:`normalize_value`).
    An answer that does not parse is compared as it is.
    """
    answered = set()
    for answer in answers:
        try:
            answered.add(normalize_value(record_type, answer))
        except ValueError:
            answered.add(answer)
    return tuple(value for value in expected if normalize_value(record_type, value) not in answered)


async def probe(request: DnsRequest) -> base.ProbeResult:
    """Send the query of ``request`` and judge the reply."""
    started = time.time()
    start = time.monotonic()
    empty = DnsDetail(request.server, request.name, request.record_type, "", (), request.expect, "")

    if is_placeholder_name(request.name):
        message = f"{request.name} is an example name: nothing was sent"
        return _failure(request, base.UNCONFIGURED, empty, started, start, message)
    try:
        await addresses_for(request.server)
    except ResolveError as error:
        message = f"DNS server {error}: nothing was sent"
        return _failure(request, error.reason, empty, started, start, message)

    query = dns.message.make_query(
        request.name, request.record_type, use_edns=0, payload=EDNS_PAYLOAD
    )
    if not request.recursion:
        query.flags &= ~dns.flags.RD

    where = f"{request.server} port {request.port}"
    try:
        reply, via_tcp, answer_seconds = await _exchange(query, request, start)
    except dns.exception.Timeout:
        message = f"the query to {where} timed out after {request.timeout} s"
        return _failure(request, base.DNS_TIMEOUT, empty, started, start, message)
    except ConnectionRefusedError as error:
        message = f"{where} refused the TCP connection: {error}"
        return _failure(request, base.CONNECT_REFUSED, empty, started, start, message)
    except (EOFError, ConnectionResetError) as error:
        message = f"{where} closed the TCP connection before a full reply: {error!r}"
        return _failure(request, base.CONNECTION_CLOSED, empty, started, start, message)
    except InvalidReplyError as error:
        message = f"no valid reply from {where} before the deadline: {error}"
        return _failure(request, base.PROTOCOL_ERROR, empty, started, start, message)
    except OSError as error:
        reason, message = _socket_failure(error, where)
        return _failure(request, reason, empty, started, start, message)
    except _PARSE_ERRORS as error:
        message = f"invalid reply from {where}: {type(error).__name__}: {error}"
        return _failure(request, base.PROTOCOL_ERROR, empty, started, start, message)

    return _judge(request, reply, via_tcp, answer_seconds, started, start)


class InvalidReplyError(Exception):
    """Only datagrams that are no valid reply to the UDP query came before the deadline."""


def _socket_failure(error: OSError, where: str) -> tuple[str, str]:
    """Return the reason code and message of an OSError from sending or receiving."""
    if error.errno in NO_ROUTE_ERRORS:
        return base.NO_ROUTE, f"sending the query to {where} failed: {error}"
    if error.errno in LOCAL_ERRORS:
        message = (
            f"this machine could not send the query to {where}: {error} "
            "(a limit of the machine running Pantau, not of the server)"
        )
        return base.INTERNAL_ERROR, message
    return base.CONNECT_REFUSED, f"sending the query to {where} failed: {error}"


async def _exchange(
    query: dns.message.Message, request: DnsRequest, start: float
) -> tuple[dns.message.Message, bool, float]:
    """Send ``query`` and return the reply, whether it came over TCP, and the seconds spent."""
    deadline = start + request.timeout
    query_start = time.monotonic()
    if request.transport == "udp":
        try:
            reply = await _exchange_udp(query, request, deadline)
        except dns.message.Truncated:
            pass
        else:
            return reply, False, time.monotonic() - query_start

    reply = await dns.asyncquery.tcp(
        query, request.server, timeout=max(deadline - time.monotonic(), 0.0), port=request.port
    )
    return reply, True, time.monotonic() - query_start


async def _exchange_udp(
    query: dns.message.Message, request: DnsRequest, deadline: float
) -> dns.message.Message:
    """Send ``query`` over UDP and return the first datagram that is a valid reply to it.

    ``deadline`` is on the monotonic clock. Raises dns.message.Truncated for a
    reply with the TC flag, dns.exception.Timeout when nothing valid came,
    or InvalidReplyError when only invalid datagrams came.
    """
    # dnspython's expirations are on the wall clock.
    expiration = time.time() + max(deadline - time.monotonic(), 0.0)
    family = dns.inet.af_for_address(request.server)
    destination = dns.inet.low_level_address_tuple((request.server, request.port), family)
    backend = dns.asyncbackend.get_default_backend()
    rejected: str | None = None

    async with await backend.make_socket(family, socket.SOCK_DGRAM) as sock:
        await dns.asyncquery.send_udp(sock, query, destination, expiration)
        while True:
            try:
                reply, _, _ = await dns.asyncquery.receive_udp(
                    sock,
                    destination,
                    expiration,
                    ignore_unexpected=True,
                    raise_on_truncation=True,
                )
            except dns.exception.Timeout:
                if rejected is not None:
                    raise InvalidReplyError(rejected) from None
                raise
            except dns.message.Truncated as error:
                if query.is_response(error.message()):
                    raise
                rejected = "a truncated datagram that is no reply to the query"
                continue
            except _PARSE_ERRORS as error:
                rejected = f"a datagram that is no DNS message: {type(error).__name__}: {error}"
                continue
            if query.is_response(reply):
                return reply
            rejected = f"a datagram with query ID {reply.id} or another question"


def _judge(
    request: DnsRequest,
    reply: dns.message.Message,
    via_tcp: bool,
    answer_seconds: float,
    started: float,
    start: float,
) -> base.ProbeResult:
    rdtype = dns.rdatatype.from_text(request.record_type)
    answers = tuple(answers_for_question(reply, dns.name.from_text(request.name), rdtype))
    rcode = dns.rcode.to_text(reply.rcode())
    detail = DnsDetail(
        request.server,
        request.name,
        request.record_type,
        rcode,
        answers,
        request.expect,
        _cut(reply.to_text(), MAX_MESSAGE_CHARS),
    )
    values: dict[str, float] = {
        "answer_seconds": answer_seconds,
        "answer_records": float(len(answers)),
        "ip_version": float(ipaddress.ip_address(request.server).version),
    }
    missing = missing_values(request.record_type, request.expect, answers)
    if request.expect:
        matched = reply.rcode() == dns.rcode.NOERROR and answers and not missing
        values["answer_match"] = 1.0 if matched else 0.0

    subject = f"{request.record_type} {request.name} from {request.server}"
    if via_tcp and request.transport == "udp":
        subject += " (truncated over UDP, retried over TCP)"
    if reply.rcode() == dns.rcode.NXDOMAIN:
        reason, message = base.DNS_NOT_FOUND, f"{subject}: NXDOMAIN"
    elif reply.rcode() != dns.rcode.NOERROR:
        reason, message = base.DNS_SERVER_ERROR, f"{subject}: {rcode}"
    elif not answers:
        reason, message = base.DNS_NO_RECORDS, f"{subject}: NOERROR without records of the type"
    elif missing:
        expected = _summary(missing)
        reason = base.DNS_WRONG_ANSWER
        message = f"{subject}: expected {expected} among {_summary(answers)}"
    else:
        reason, message = base.OK, f"{subject}: {_summary(answers)}"
    return base.ProbeResult(
        target=request.target,
        probe=PROBE,
        success=reason == base.OK,
        reason=reason,
        started=started,
        duration=time.monotonic() - start,
        values=values,
        detail=detail,
        message=message,
    )


def answers_for_question(reply: dns.message.Message, name: dns.name.Name, rdtype: int) -> list[str]:
    """Return the records of ``rdtype`` in ``reply`` that answer a question for ``name``.

    The CNAME chain in the answer section is followed from ``name``, at most
    :data:`MAX_CNAME_CHAIN` links and never twice through one name, and only
    the records owned by the name at its end count. A question for CNAME
    itself takes the CNAME of ``name``. Records of other owners are ignored.
    """
    owner = name.canonicalize()
    seen = {owner}
    for _ in range(MAX_CNAME_CHAIN + 1):
        records = _rrset_of(reply.answer, owner, rdtype)
        if records is not None:
            return [render_rdata(rdata) for rdata in records]
        cname = _rrset_of(reply.answer, owner, dns.rdatatype.CNAME)
        if rdtype == dns.rdatatype.CNAME or cname is None or len(cname) != 1:
            return []
        owner = cname[0].target.canonicalize()  # type: ignore[attr-defined]
        if owner in seen:
            return []  # a CNAME loop has no answer
        seen.add(owner)
    return []


def _rrset_of(
    section: Sequence[dns.rrset.RRset], owner: dns.name.Name, rdtype: int
) -> dns.rrset.RRset | None:
    # dns.name.Name compares case-insensitively, and a reply may hold one
    # owner's records in several RRsets, which are merged here.
    found: dns.rrset.RRset | None = None
    for rrset in section:
        if rrset.name != owner or rrset.rdtype != rdtype or rrset.rdclass != dns.rdataclass.IN:
            continue
        if found is None:
            found = dns.rrset.RRset(owner, dns.rdataclass.IN, rdtype)
        found.update(rrset)
    return found


def _cut(text: str, limit: int) -> str:
    """Return ``text`` cut to ``limit`` characters, with a note of how many were cut."""
    if len(text) <= limit:
        return text
    cut = len(text) - limit
    return f"{text[:limit]}\n... ({cut} more characters cut)"


def _summary(values: Sequence[str]) -> str:
    """Join ``values`` with commas, within about MAX_SUMMARY_CHARS characters."""
    shown: list[str] = []
    length = 0
    for value in values:
        if shown and length + len(value) + 2 > MAX_SUMMARY_CHARS:
            break
        shown.append(value[:MAX_SUMMARY_CHARS])
        length += len(shown[-1]) + 2
    text = ", ".join(shown)
    if len(shown) < len(values):
        text += f" and {len(values) - len(shown)} more"
    return text


def _failure(
    request: DnsRequest,
    reason: str,
    detail: DnsDetail,
    started: float,
    start: float,
    message: str,
) -> base.ProbeResult:
    values = {"ip_version": float(ipaddress.ip_address(request.server).version)}
    return base.ProbeResult(
        target=request.target,
        probe=PROBE,
        success=False,
        reason=reason,
        started=started,
        duration=time.monotonic() - start,
        values=values,
        detail=detail,
        message=message,
    )
