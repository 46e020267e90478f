"""TCP port check: connect to ports, optionally send bytes and check the reply.

The ports of every :class:`TcpCheck` in a request are connected to at
most :data:`MAX_CONNECTIONS` at a time, under one deadline
(``TcpRequest.timeout``) for the whole probe. A check with ``expect`` or
``expect_regex`` reads the reply until the expectation is decided, at most
:data:`MAX_READ_BYTES` bytes.

Reason codes per port:

- CONNECT_REFUSED: reset on connect;
- CONNECT_TIMEOUT: no reply to the SYN before the deadline;
- NO_ROUTE;
- RESPONSE_TIMEOUT: connected, but nothing came back before the deadline;
- CONNECTION_CLOSED: the peer closed before sending anything;
- BANNER_MISMATCH: the reply is shorter than or differs from the expectation;
- INTERNAL_ERROR: this machine could not open the connection, for example
  because it ran out of file descriptors.

The result's reason is the reason of the first port that failed, in request order.

Example::

    request = TcpRequest(
        target="app-simpeg",
        address="10.20.0.5",
        checks=(TcpCheck(ports=(22,), expect=b"SSH-2.0-"), TcpCheck(ports=(5432,))),
    )
    result = await probe(request)
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import time
from collections.abc import Sequence
from dataclasses import dataclass

from probes import base, patterns
from probes.resolve import LOCAL_ERRORS, NO_ROUTE_ERRORS, ResolveError, addresses_for

PROBE = "tcp"
MAX_READ_BYTES = 4096
MAX_BANNER_CHARS = 200
# Connections open at once in one probe. Each uses a file descriptor from the
# daemon's limit, which is often a soft limit of 1024 for the whole process.
MAX_CONNECTIONS = 32
# Time allowed for a graceful close after the verdict, outside the deadline.
_CLOSE_TIMEOUT = 1.0

_REFUSED_ERRORS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED}
_CHARACTER_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


@dataclass(frozen=True, slots=True)
class TcpCheck:
    """Ports to connect to, with an optional exchange on each.

    ``send`` is written right after connecting. ``expect`` is a prefix the
    reply must start with, and ``expect_regex`` a pattern that must match
    somewhere in the reply, decoded as UTF-8. When both are set, both must
    hold. Raises ValueError for a port outside 1 to 65535, no ports or an
    invalid pattern.

    >>> TcpCheck(ports=(22,), expect=b"SSH-2.0-").ports
    (22,)
    """

    ports: tuple[int, ...]
    send: bytes = b""
    expect: bytes | None = None
    expect_regex: str | None = None

    def __post_init__(self) -> None:
        if not self.ports:
            raise ValueError("a TCP check needs at least one port")
        for port in self.ports:
            if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
                raise ValueError(f"invalid TCP port {port!r}: use 1 to 65535")
        if self.expect_regex is not None:
            try:
                patterns.compile_pattern(self.expect_regex)
            except patterns.PatternError as error:
                raise ValueError(f"invalid expect_regex {self.expect_regex!r}: {error}") from error

    @property
    def reads_reply(self) -> bool:
        """Whether the check waits for a reply after connecting."""
        return self.expect is not None or self.expect_regex is not None


@dataclass(frozen=True, slots=True)
class TcpRequest:
    """One TCP probe of a target: every port of every check, one deadline in seconds.

    ``address`` is a host name or IP literal, resolved through
    :func:`probes.resolve.addresses_for`. ``family`` is "auto", "ip4" or
    "ip6". Raises ValueError when ``checks`` is empty or ``timeout`` is not
    positive.
    """

    target: str
    address: str
    family: str = "auto"
    checks: tuple[TcpCheck, ...] = ()
    timeout: float = 5.0

    def __post_init__(self) -> None:
        if not self.checks:
            raise ValueError("a TCP probe needs at least one check")
        if not self.timeout > 0:
            raise ValueError(f"invalid timeout {self.timeout!r}: use a positive number of seconds")


@dataclass(frozen=True, slots=True)
class TcpPortResult:
    """Outcome for one port of one check.

    ``connect_seconds`` is None when the connection failed. ``banner`` is
    the start of the reply as printable text (see :func:`printable_banner`),
    empty when the check read nothing.
    """

    port: int
    success: bool
    reason: str
    connect_seconds: float | None
    banner: str
    message: str


@dataclass(frozen=True, slots=True)
class TcpDetail:
    """Address connected to and the outcome of each port, in request order."""

    address: str
    ports: tuple[TcpPortResult, ...]


def printable_banner(data: bytes, limit: int = MAX_BANNER_CHARS) -> str:
    """Render ``data`` as printable text of at most ``limit`` characters.

    Bytes are decoded as UTF-8. Invalid bytes become ``\\xNN``, and
    non-printable characters become escapes (``\\r``, ``\\n``, ``\\x00``), so
    the banner is safe to print in a terminal or a log. An escape is never
    cut in half.

    >>> printable_banner(b"SSH-2.0-OpenSSH_9.2\\r\\n")
    'SSH-2.0-OpenSSH_9.2\\\\r\\\\n'
    """
    pieces: list[str] = []
    length = 0
    for character in data.decode("utf-8", errors="surrogateescape"):
        if character in _CHARACTER_ESCAPES:
            piece = _CHARACTER_ESCAPES[character]
        elif "\udc80" <= character <= "\udcff":
            # surrogateescape keeps an invalid byte as U+DC80 to U+DCFF.
            piece = f"\\x{ord(character) - 0xDC00:02x}"
        elif character.isprintable():
            piece = character
        else:
            piece = character.encode("unicode_escape").decode("ascii")
        if length + len(piece) > limit:
            break
        pieces.append(piece)
        length += len(piece)
    return "".join(pieces)


async def probe(request: TcpRequest) -> base.ProbeResult:
    """Connect to every port of ``request`` and return one result for all of them."""
    started = time.time()
    start = time.monotonic()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + request.timeout

    try:
        addresses = await asyncio.wait_for(
            addresses_for(request.address, request.family), request.timeout
        )
    except ResolveError as error:
        return _failure(request, error.reason, started, start, str(error))
    except TimeoutError:
        message = f"looking up {request.address} timed out after {request.timeout} s"
        return _failure(request, base.DNS_TEMPORARY, started, start, message)

    # The next address is tried only when the preferred one has no route, so
    # that a target stays on one IP version from cycle to cycle.
    for index, address in enumerate(addresses):
        ports = await _check_address(address, request.checks, deadline)
        no_route = all(port.reason == base.NO_ROUTE for port in ports)
        if not no_route or index == len(addresses) - 1 or loop.time() >= deadline:
            break
    return _result(request, address, ports, started, start)


async def _check_address(
    address: str, checks: Sequence[TcpCheck], deadline: float
) -> tuple[TcpPortResult, ...]:
    slots = asyncio.Semaphore(MAX_CONNECTIONS)
    tasks = [
        _check_port_in_slot(slots, address, port, check, deadline)
        for check in checks
        for port in check.ports
    ]
    return tuple(await asyncio.gather(*tasks))


async def _check_port_in_slot(
    slots: asyncio.Semaphore, address: str, port: int, check: TcpCheck, deadline: float
) -> TcpPortResult:
    """Check one port once fewer than MAX_CONNECTIONS of the probe are open."""
    try:
        async with asyncio.timeout_at(deadline):
            await slots.acquire()
    except TimeoutError:
        message = (
            f"port {port} on {address} was not tried: the deadline passed while "
            f"{MAX_CONNECTIONS} other connections of this check were open"
        )
        return _port_failure(port, base.CONNECT_TIMEOUT, message)
    try:
        return await _check_port(address, port, check, deadline)
    finally:
        slots.release()


async def _check_port(address: str, port: int, check: TcpCheck, deadline: float) -> TcpPortResult:
    where = f"port {port} on {address}"

    connect_start = time.monotonic()
    try:
        async with asyncio.timeout_at(deadline):
            reader, writer = await asyncio.open_connection(address, port)
    except TimeoutError:
        return _port_failure(port, base.CONNECT_TIMEOUT, f"connecting to {where} timed out")
    except OSError as error:
        return _port_failure(port, *_connect_failure(error, where))
    connect_seconds = time.monotonic() - connect_start

    try:
        reason, reply, message = await _exchange(reader, writer, check, deadline)
    finally:
        await _close(writer)

    banner = printable_banner(reply)
    if reason != base.OK:
        return TcpPortResult(port, False, reason, connect_seconds, banner, f"{where}: {message}")
    return TcpPortResult(port, True, base.OK, connect_seconds, banner, f"{where} is open")


def _connect_failure(error: OSError, where: str) -> tuple[str, str]:
    """Return the reason code and message of a failed connect to ``where``."""
    if error.errno in _REFUSED_ERRORS:
        return base.CONNECT_REFUSED, f"connecting to {where} failed: {error}"
    if error.errno == errno.ETIMEDOUT:
        return base.CONNECT_TIMEOUT, f"connecting to {where} failed: {error}"
    if error.errno in NO_ROUTE_ERRORS:
        return base.NO_ROUTE, f"connecting to {where} failed: {error}"
    if error.errno in LOCAL_ERRORS:
        message = (
            f"this machine could not connect to {where}: {error}; this is a limit or "
            "firewall rule of the machine running Pantau, not an answer of the target"
        )
        return base.INTERNAL_ERROR, message
    # Calling an unknown error a refusal would blame the target for it.
    return base.INTERNAL_ERROR, f"connecting to {where} failed on this machine: {error!r}"


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, check: TcpCheck, deadline: float
) -> tuple[str, bytes, str]:
    """Send the check's bytes and read until its expectation is decided.

    Returns the reason code, the bytes read and a message for a failure.
    """
    reply = b""
    try:
        async with asyncio.timeout_at(deadline):
            if check.send:
                writer.write(check.send)
                await writer.drain()
            if not check.reads_reply:
                return base.OK, reply, ""
            while True:
                verdict = _judge_reply(reply, check, complete=False)
                if verdict is not None:
                    return verdict, reply, _mismatch_message(reply, check, verdict)
                chunk = await reader.read(MAX_READ_BYTES - len(reply))
                if not chunk:
                    break
                reply += chunk
    except TimeoutError:
        if not reply:
            return base.RESPONSE_TIMEOUT, reply, "no reply before the deadline"
        verdict = _judge_reply(reply, check, complete=True)
        return verdict, reply, _mismatch_message(reply, check, verdict)
    except OSError as error:
        if not reply:
            return base.CONNECTION_CLOSED, reply, f"the connection failed: {error}"

    if not reply:
        return base.CONNECTION_CLOSED, reply, "the peer closed the connection without a reply"
    verdict = _judge_reply(reply, check, complete=True)
    return verdict, reply, _mismatch_message(reply, check, verdict)


def _judge_reply(reply: bytes, check: TcpCheck, *, complete: bool) -> str | None:
    """Return OK or BANNER_MISMATCH once ``reply`` decides the check, else None.

    ``complete`` means no more bytes will come (closed, deadline or limit).
    """
    complete = complete or len(reply) >= MAX_READ_BYTES
    prefix_ok: bool | None = None
    if check.expect is not None:
        if not check.expect.startswith(reply[: len(check.expect)]):
            return base.BANNER_MISMATCH
        prefix_ok = True if len(reply) >= len(check.expect) else None
    else:
        prefix_ok = True

    pattern_ok: bool | None = True
    if check.expect_regex is not None:
        text = reply.decode("utf-8", errors="replace")
        pattern_ok = True if patterns.search(check.expect_regex, text) else None

    if prefix_ok and pattern_ok:
        return base.OK
    if complete:
        return base.BANNER_MISMATCH
    return None


def _mismatch_message(reply: bytes, check: TcpCheck, verdict: str) -> str:
    if verdict == base.OK:
        return ""
    expected = []
    if check.expect is not None:
        expected.append(f"a reply starting with '{printable_banner(check.expect)}'")
    if check.expect_regex is not None:
        expected.append(f"a reply matching {check.expect_regex!r}")
    return f"expected {' and '.join(expected)}, got '{printable_banner(reply)}'"


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    try:
        async with asyncio.timeout(_CLOSE_TIMEOUT):
            await writer.wait_closed()
    except (TimeoutError, OSError):
        writer.transport.abort()


def _port_failure(port: int, reason: str, message: str) -> TcpPortResult:
    return TcpPortResult(port, False, reason, None, "", message)


def _result(
    request: TcpRequest,
    address: str,
    ports: tuple[TcpPortResult, ...],
    started: float,
    start: float,
) -> base.ProbeResult:
    values: dict[str, float] = {
        "ports_up": float(sum(port.success for port in ports)),
        "ports_total": float(len(ports)),
        "ip_version": float(ipaddress.ip_address(address.split("%", 1)[0]).version),
    }
    connect_times = [port.connect_seconds for port in ports if port.connect_seconds is not None]
    if connect_times:
        values["connect_seconds"] = max(connect_times)

    failed = [port for port in ports if not port.success]
    if failed:
        reason, message = failed[0].reason, failed[0].message
    else:
        reason = base.OK
        message = f"{len(ports)} of {len(ports)} ports passed on {address}"
    return base.ProbeResult(
        target=request.target,
        probe=PROBE,
        success=not failed,
        reason=reason,
        started=started,
        duration=time.monotonic() - start,
        values=values,
        detail=TcpDetail(address, ports),
        message=message,
    )


def _failure(
    request: TcpRequest, reason: str, started: float, start: float, message: str
) -> base.ProbeResult:
    return base.ProbeResult(
        target=request.target,
        probe=PROBE,
        success=False,
        reason=reason,
        started=started,
        duration=time.monotonic() - start,
        detail=None,
        message=message,
    )
