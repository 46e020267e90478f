"""SNMP probe: GET the scalars and walk the tables of the built-in profiles.

One ``SnmpClient`` serves every device of the daemon:

- SNMPv1 and v2c go through one UDP socket per address family, encoded and
  decoded by ``probes.snmp_ber``. A response is matched to its request by
  (source address, source port, request-id) and must carry the request's
  version and community. The socket has IP_RECVERR set, so an ICMP port
  unreachable message for a request arrives on its error queue together
  with the request it quotes: a closed UDP port is reported as "refused"
  at once instead of timing out.
- SNMPv3 goes through pysnmp's asyncio API with one ``SnmpEngine``, which
  discovers each agent's engine ID, keeps its boots and time, and learns
  them again from the Report PDU of a rebooted agent. Its sockets are
  opened here with IP_RECVERR too. pysnmp stores USM users by user name,
  so a second credential with the same user name and other keys gets an
  engine of its own.
- ``max_in_flight`` bounds the requests outstanding at once across all
  devices. Each device has at most one request outstanding.

A poll GETs the scalars (sysUpTime.0 always), then walks each table with
GETBULK, all columns of a table in one request. A column ends at
endOfMibView, at the first OID outside its subtree, or at an OID that is
not greater than the previous one in that column (recorded as a
``SubtreeError``). ``max_rows`` and ``max_requests`` cap each walk.

Result: ``ProbeResult`` with probe "snmp" and an ``SnmpPoll`` in ``detail``.
``success`` is True when the agent sent at least one valid response. So a
device that responds to the GET of the system group but then stops
responding in a large table is up, with reason "timeout" and the rows read
so far. Reasons, worst first: ``auth_error``, ``refused``, ``timeout``,
``no_route``, ``send_error``, ``decode_error``, ``walk_error``, ``ok``.
``decode_error`` means a value or a response could not be decoded, and the
other values are kept. ``walk_error`` means a walk ended early.

Exceptions, all raised by sessions and caught by ``SnmpClient.poll``::

    SnmpError
    ├── SnmpTimeoutError    no response after every retry
    ├── SnmpRefusedError    ICMP port unreachable: nothing listens on the port
    ├── SnmpAuthError       SNMPv3: unknown user, wrong key, time window
    ├── SnmpDecodeError     a response that is not valid BER
    └── SnmpSendError       the local send failed (no route, ...)
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import functools
import ipaddress
import logging
import os
import re
import socket
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from probes import base, snmp_ber, snmp_profiles
from probes.addresses import is_placeholder_address
from probes.snmp_profiles import (
    CpuLoad,
    InterfaceRow,
    MemoryPool,
    Oid,
    StorageRow,
    SystemInfo,
    Table,
)
from probes.snmp_values import ValueRangeError, check_range, decode_text

__all__ = [
    "AUTH_ERROR",
    "DECODE_ERROR",
    "REFUSED",
    "TIMEOUT",
    "WALK_ERROR",
    "CpuLoad",
    "CustomOid",
    "CustomValue",
    "InterfaceRow",
    "MemoryPool",
    "PduResponse",
    "Session",
    "SnmpAuthError",
    "SnmpClient",
    "SnmpDecodeError",
    "SnmpError",
    "SnmpPoll",
    "SnmpRefusedError",
    "SnmpRequest",
    "SnmpSendError",
    "SnmpTimeoutError",
    "StorageRow",
    "SubtreeError",
    "SystemInfo",
]

log = logging.getLogger(__name__)

PROBE = "snmp"

# Reason codes of this probe, besides base.OK, base.NO_ROUTE, base.SEND_ERROR
# and base.UNCONFIGURED. monitor/i18n/snmp.py translates them.
TIMEOUT = "timeout"
AUTH_ERROR = "auth_error"
REFUSED = "refused"
DECODE_ERROR = "decode_error"
WALK_ERROR = "walk_error"

# SubtreeError kinds.
NON_INCREASING = "non_increasing"
MAX_ROWS = "max_rows"
MAX_REQUESTS = "max_requests"
ERROR_STATUS = "error_status"
EMPTY_RESPONSE = "empty_response"
VALUE_ERROR = "value_error"

VERSIONS = ("1", "2c", "3")
SECURITY_LEVELS = ("noAuthNoPriv", "authNoPriv", "authPriv")
AUTH_PROTOCOLS = ("MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512")
PRIV_PROTOCOLS = ("DES", "3DES", "AES", "AES192", "AES256", "AES192C", "AES256C")
CUSTOM_KINDS = ("gauge", "counter", "text")

# PDU error-status values (RFC 1157, RFC 3416).
_TOO_BIG = 1
_NO_SUCH_NAME = 2

# A GET carries at most this many OIDs, and a GETBULK or GETNEXT at most this
# many columns. Agents truncate a GETBULK response that would exceed their
# message size, and this limit keeps the request itself small.
_GET_CHUNK = 24
_MAX_COLUMNS_PER_REQUEST = 32

_MAX_DATAGRAM = 65535
_RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024
_SO_RCVBUFFORCE = 33
# Linux IP_RECVERR and IPV6_RECVERR, which Python's socket module does not name.
_IP_RECVERR = 11
_IPV6_RECVERR = 25
_EXTENDED_ERROR = struct.Struct("=IBBBBII")  # struct sock_extended_err
_SO_EE_ORIGIN_ICMP = 2
_SO_EE_ORIGIN_ICMP6 = 3
# Datagrams read per wake-up before the event loop gets a turn.
_READS_PER_WAKEUP = 256
_SEND_ATTEMPTS = 100
_NO_ROUTE_ERRORS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT}

# check_range syntax names of the integer tags.
_RANGE_SYNTAX = {
    snmp_ber.INTEGER: "Integer32",
    snmp_ber.COUNTER32: "Counter32",
    snmp_ber.GAUGE32: "Gauge32",
    snmp_ber.TIMETICKS: "TimeTicks",
    snmp_ber.COUNTER64: "Counter64",
}
_EXCEPTION_TAGS = frozenset(
    {snmp_ber.NO_SUCH_OBJECT, snmp_ber.NO_SUCH_INSTANCE, snmp_ber.END_OF_MIB_VIEW}
)
# Outcomes of _UsmSession._diagnose_timeout.
_PRIV_REJECTED = "priv_rejected"
_ANSWERS_OTHERS = "answers_others"
_SILENT = "silent"
# ifOperStatus values that do not count as down: up(1), testing(3), dormant(5).
_NOT_DOWN = frozenset({1, 3, 5})


# Errors --------------------------------------------------------------------------------------


class SnmpError(Exception):
    """Failure of one SNMP request. ``reason`` is the probe reason code it maps to."""

    reason = base.INTERNAL_ERROR


class SnmpTimeoutError(SnmpError):
    """No response after the request and all its retries."""

    reason = TIMEOUT

    def __init__(self, address: str, port: int, attempts: int, timeout: float) -> None:
        super().__init__(
            f"no response from {address} port {port} to {attempts} "
            f"{'attempt' if attempts == 1 else 'attempts'} of {timeout:g} s each; check that "
            "the agent runs, listens on that port and accepts this community or user"
        )


class SnmpRefusedError(SnmpError):
    """ICMP port unreachable: nothing listens on the agent's UDP port."""

    reason = REFUSED

    def __init__(self, address: str, port: int) -> None:
        super().__init__(
            f"{address} refused UDP port {port} (ICMP port unreachable): the SNMP agent "
            "is not running or listens on another port"
        )


class SnmpAuthError(SnmpError):
    """SNMPv3 security failure: unknown user, wrong key, unsupported level or time window."""

    reason = AUTH_ERROR


class SnmpDecodeError(SnmpError):
    """Response that is not a valid SNMP message."""

    reason = DECODE_ERROR


class SnmpSendError(SnmpError):
    """Local failure to send a request. ``error`` is the OSError from the socket."""

    def __init__(self, address: str, port: int, error: OSError) -> None:
        self.error = error
        self.reason = base.NO_ROUTE if error.errno in _NO_ROUTE_ERRORS else base.SEND_ERROR
        super().__init__(f"cannot send to {address} port {port}: {error}")


# Requests ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomOid:
    """Extra OID to read besides the profiles.

    With ``index_label`` None the OID is one instance, read by GET. Otherwise
    the subtree under it is walked and each row becomes a ``CustomValue``
    whose ``index`` (the dotted suffix) is labelled ``index_label``. ``kind``
    is "gauge", "counter" or "text".
    """

    name: str
    oid: Oid
    kind: str = "gauge"
    index_label: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in CUSTOM_KINDS:
            raise ValueError(f"custom OID {self.name}: kind must be one of {CUSTOM_KINDS}")
        if len(self.oid) < 2:
            raise ValueError(f"custom OID {self.name}: an OID needs at least two subidentifiers")


@dataclass(frozen=True, slots=True)
class SnmpRequest:
    """Settings of one SNMP poll of one device.

    ``address`` is an IP literal. ``timeout`` is in seconds per attempt, and
    each request is sent at most ``retries + 1`` times. ``max_repetitions``
    is the GETBULK max-repetitions; ``use_getnext`` walks with GETNEXT
    instead (version "1" always does). ``max_rows`` caps the rows of each
    column of one walk, ``max_requests`` the requests of one walk.
    ``interface_include`` and ``interface_exclude`` are regular expressions
    matched against the whole interface name (anchored at both ends, as in
    Prometheus). ``interface_types`` keeps only these ifType numbers, and
    all types when empty. ``charset`` decodes labels that are not UTF-8. Secrets are left out
    of ``repr``.

    >>> SnmpRequest("core", "127.0.0.1", community="public").version
    '2c'
    """

    target: str
    address: str
    port: int = 161
    version: str = "2c"
    community: str | None = field(default=None, repr=False)
    user: str | None = None
    security_level: str = "noAuthNoPriv"
    auth_protocol: str | None = None
    auth_key: str | None = field(default=None, repr=False)
    priv_protocol: str | None = None
    priv_key: str | None = field(default=None, repr=False)
    timeout: float = 2.0
    retries: int = 1
    max_repetitions: int = 25
    use_getnext: bool = False
    profiles: tuple[str, ...] = ("system", "interfaces")
    custom: tuple[CustomOid, ...] = ()
    interface_include: tuple[str, ...] = ()
    interface_exclude: tuple[str, ...] = ()
    interface_types: tuple[int, ...] = ()
    max_rows: int = 10_000
    max_requests: int = 1_000
    charset: str = "latin-1"

    def __post_init__(self) -> None:
        ipaddress.ip_address(self.address.split("%", 1)[0])  # raises ValueError
        if self.version not in VERSIONS:
            raise ValueError(f"version must be one of {VERSIONS}, not {self.version!r}")
        if self.version != "3" and self.community is None:
            raise ValueError(f"SNMP version {self.version} needs a community")
        if self.version == "3":
            self._check_v3()
        unknown = [name for name in self.profiles if name not in snmp_profiles.PROFILES]
        if unknown:
            raise ValueError(
                f"unknown SNMP profiles {unknown}; known: {list(snmp_profiles.PROFILES)}"
            )
        if self.timeout <= 0 or self.retries < 0:
            raise ValueError("timeout must be positive and retries not negative")
        if self.max_repetitions < 1 or self.max_rows < 1 or self.max_requests < 1:
            raise ValueError("max_repetitions, max_rows and max_requests must be at least 1")

    def _check_v3(self) -> None:
        if not self.user:
            raise ValueError("SNMPv3 needs a user")
        if self.security_level not in SECURITY_LEVELS:
            raise ValueError(f"security_level must be one of {SECURITY_LEVELS}")
        if self.security_level != "noAuthNoPriv" and (
            self.auth_protocol not in AUTH_PROTOCOLS or not self.auth_key
        ):
            raise ValueError(f"{self.security_level} needs auth_protocol and auth_key")
        if self.security_level == "authPriv" and (
            self.priv_protocol not in PRIV_PROTOCOLS or not self.priv_key
        ):
            raise ValueError("authPriv needs priv_protocol and priv_key")


# Results -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubtreeError:
    """Problem that ended or spoiled part of a walk or GET.

    ``subtree`` is the column or scalar OID concerned, ``kind`` one of
    non_increasing, max_rows, max_requests, error_status, empty_response,
    value_error or decode_error, and ``oid`` the OID returned when the
    problem was seen, if any.
    """

    subtree: Oid
    kind: str
    oid: Oid | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class CustomValue:
    """Value of a custom OID. ``index`` is the dotted row suffix of a walked OID, else None.

    ``value`` is a float for gauges, an int for counters (``bits`` wide) and a
    str for text.
    """

    name: str
    kind: str
    value: float | int | str
    index: str | None = None
    index_label: str | None = None
    bits: int | None = None


@dataclass(frozen=True, slots=True)
class SnmpPoll:
    """Everything one poll read from one device, and how it went.

    ``interfaces`` has one row per ifIndex and is already filtered.
    ``interfaces_filtered_out`` counts the rows the filters removed.
    ``varbinds`` counts the varbinds in all responses, ``requests`` the
    requests sent and ``retries`` the ones sent again. pysnmp repeats
    timed-out SNMPv3 requests itself, which ``retries`` does not count. ``engine_id`` and
    ``engine_boots`` are known for SNMPv3 only. ``duration`` is in seconds.
    """

    address: str
    port: int
    version: str
    system: SystemInfo = field(default_factory=SystemInfo)
    interfaces: tuple[InterfaceRow, ...] = ()
    interfaces_filtered_out: int = 0
    storage: tuple[StorageRow, ...] = ()
    cpu: tuple[CpuLoad, ...] = ()
    load_average: tuple[float, ...] = ()
    memory: tuple[MemoryPool, ...] = ()
    custom: tuple[CustomValue, ...] = ()
    errors: tuple[SubtreeError, ...] = ()
    varbinds: int = 0
    requests: int = 0
    retries: int = 0
    duration: float = 0.0
    engine_id: bytes | None = None
    engine_boots: int | None = None


# Sessions: the transport interface -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PduResponse:
    """Response PDU: error-status, error-index (1-based, 0 for none) and varbinds."""

    error_status: int
    error_index: int
    varbinds: tuple[snmp_ber.VarBind, ...]


class Session(Protocol):
    """Requests to one device. Each method raises SnmpError when no usable response arrives.

    The walker and the poll logic use nothing else, so tests can drive them
    with a fake session.
    """

    version: str
    requests: int
    retries: int
    responses: int
    varbinds: int

    async def get(self, oids: Sequence[Oid]) -> PduResponse: ...

    async def get_next(self, oids: Sequence[Oid]) -> PduResponse: ...

    async def get_bulk(self, oids: Sequence[Oid], max_repetitions: int) -> PduResponse: ...


@dataclass(slots=True)
class _Pending:
    future: asyncio.Future[snmp_ber.Response]
    version: int
    community: bytes


@functools.lru_cache(maxsize=65536)
def _normalize(address: str) -> str:
    # Called for every request and every datagram received. Parsing the
    # address each time took 7.5 % of the py-spy samples of a 1,000-device poll.
    return ipaddress.ip_address(address.split("%", 1)[0]).compressed


class _CommunityTransport:
    """One UDP socket per address family for every SNMPv1 and v2c device."""

    def __init__(self, receive_buffer: int) -> None:
        self._loop = asyncio.get_running_loop()
        self._receive_buffer = receive_buffer
        self._sockets: dict[int, socket.socket] = {}
        self._pending: dict[tuple[str, int, int], _Pending] = {}
        self._request_id = int.from_bytes(os.urandom(4), "big") & 0x7FFFFFFF
        self.unmatched_responses = 0
        self.icmp_errors = 0

    def _socket(self, family: int) -> socket.socket:
        sock = self._sockets.get(family)
        if sock is None:
            sock = _open_socket(family, self._receive_buffer)
            self._sockets[family] = sock
            self._loop.add_reader(sock.fileno(), self._on_readable, sock)
        return sock

    def close(self) -> None:
        for sock in self._sockets.values():
            self._loop.remove_reader(sock.fileno())
            sock.close()
        self._sockets.clear()
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.cancel()
        self._pending.clear()

    async def exchange(
        self,
        address: str,
        port: int,
        version: int,
        community: bytes,
        encode: Callable[[int], bytes],
        timeout: float,
        retries: int,
        on_retry: Callable[[], None],
    ) -> snmp_ber.Response:
        """Send one request, again after each timeout up to ``retries`` times; return the response.

        ``on_retry`` is called before each repeated send.
        """
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        try:
            sock = self._socket(family)
        except OSError as error:
            raise SnmpSendError(address, port, error) from error
        host = _normalize(address)
        request_id = self._next_request_id(host, port)
        message = encode(request_id)
        key = (host, port, request_id)
        future: asyncio.Future[snmp_ber.Response] = self._loop.create_future()
        self._pending[key] = _Pending(future, version, community)
        try:
            for attempt in range(retries + 1):
                if attempt:
                    on_retry()
                await self._send(sock, message, address, port)
                done, _ = await asyncio.wait({future}, timeout=timeout)
                if done:
                    return future.result()
            raise SnmpTimeoutError(address, port, retries + 1, timeout)
        finally:
            del self._pending[key]
            if not future.done():
                future.cancel()

    def _next_request_id(self, host: str, port: int) -> int:
        while True:
            self._request_id = self._request_id % 0x7FFFFFFF + 1
            if (host, port, self._request_id) not in self._pending:
                return self._request_id

    async def _send(self, sock: socket.socket, message: bytes, address: str, port: int) -> None:
        for _ in range(_SEND_ATTEMPTS):
            try:
                sock.sendto(message, (address, port))
                return
            except BlockingIOError:
                await asyncio.sleep(0.001)  # the send buffer is full
            except ConnectionRefusedError:
                # An ICMP error of an earlier request, reported on this call.
                self._drain_errors(sock)
            except OSError as error:
                raise SnmpSendError(address, port, error) from error
        raise SnmpSendError(address, port, BlockingIOError(errno.EAGAIN, "send buffer full"))

    def _on_readable(self, sock: socket.socket) -> None:
        self._drain_errors(sock)
        for _ in range(_READS_PER_WAKEUP):
            try:
                data, source = sock.recvfrom(_MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionRefusedError:
                self._drain_errors(sock)
                continue
            except OSError as error:
                log.warning("SNMP socket receive failed: error=%s", error)
                return
            self._deliver(data, _normalize(source[0]), source[1])

    def _deliver(self, data: bytes, host: str, port: int) -> None:
        request_id = snmp_ber.peek_request_id(data)
        pending = None if request_id is None else self._pending.get((host, port, request_id))
        if pending is None or pending.future.done():
            self.unmatched_responses += 1
            return
        try:
            response = snmp_ber.decode_response(data)
        except snmp_ber.BerError as error:
            pending.future.set_exception(
                SnmpDecodeError(f"invalid response from {host} port {port}: {error}")
            )
            return
        if (
            response.pdu_tag != snmp_ber.RESPONSE
            or response.version != pending.version
            or response.community != pending.community
        ):
            self.unmatched_responses += 1
            return
        pending.future.set_result(response)

    def _drain_errors(self, sock: socket.socket) -> None:
        for host, port, payload in _read_refusals(sock, self):
            self._refuse(host, port, payload)

    def _refuse(self, host: str, port: int, request: bytes) -> None:
        # The error queue returns the payload of the datagram that was refused.
        # When the ICMP message quoted too little of it to read the
        # request-id, every request to that address and port is refused.
        request_id = snmp_ber.peek_request_id(request) if request else None
        if request_id is not None:
            keys = [(host, port, request_id)]
        else:
            keys = [key for key in self._pending if key[:2] == (host, port)]
        for key in keys:
            pending = self._pending.get(key)
            if pending is not None and not pending.future.done():
                pending.future.set_exception(SnmpRefusedError(host, port))


def _open_socket(family: int, receive_buffer: int) -> socket.socket:
    """Open a non-blocking UDP socket that queues ICMP errors (IP_RECVERR)."""
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.setsockopt(socket.IPPROTO_IPV6, _IPV6_RECVERR, 1)
            sock.bind(("::", 0))
        else:
            sock.setsockopt(socket.IPPROTO_IP, _IP_RECVERR, 1)
            sock.bind(("0.0.0.0", 0))
        # At about 100 requests in flight the default buffer (212 KiB) drops
        # replies. SO_RCVBUFFORCE ignores net.core.rmem_max but needs CAP_NET_ADMIN.
        try:
            sock.setsockopt(socket.SOL_SOCKET, _SO_RCVBUFFORCE, receive_buffer)
        except PermissionError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    except OSError:
        sock.close()
        raise
    return sock


def _read_refusals(
    sock: socket.socket, transport: _CommunityTransport | None = None
) -> list[tuple[str, int, bytes]]:
    """Empty the socket's error queue; return (host, port, payload) of each port unreachable.

    The payload is the refused datagram, as far as the ICMP message quoted it.
    Other ICMP errors are counted in ``transport.icmp_errors`` and dropped.
    """
    refusals = []
    while True:
        try:
            data, ancillary, _flags, destination = sock.recvmsg(
                _MAX_DATAGRAM, 512, socket.MSG_ERRQUEUE
            )
        except (BlockingIOError, InterruptedError):
            return refusals
        except OSError as error:
            log.warning("SNMP socket error queue read failed: error=%s", error)
            return refusals
        if _extended_errno(ancillary) == errno.ECONNREFUSED and destination:
            refusals.append((_normalize(destination[0]), int(destination[1]), data))
        elif transport is not None:
            transport.icmp_errors += 1


def _extended_errno(ancillary: Iterable[tuple[int, int, bytes]]) -> int | None:
    for level, kind, data in ancillary:
        is_ip = level == socket.IPPROTO_IP and kind == _IP_RECVERR
        is_ip6 = level == socket.IPPROTO_IPV6 and kind == _IPV6_RECVERR
        if (is_ip or is_ip6) and len(data) >= _EXTENDED_ERROR.size:
            error_number, origin, *_rest = _EXTENDED_ERROR.unpack_from(data)
            if origin in (_SO_EE_ORIGIN_ICMP, _SO_EE_ORIGIN_ICMP6):
                return int(error_number)
    return None


class _CommunitySession:
    """SNMPv1 or v2c requests to one device over the shared socket."""

    def __init__(self, client: SnmpClient, request: SnmpRequest) -> None:
        self.version = request.version
        self.requests = 0
        self.retries = 0
        self.responses = 0
        self.varbinds = 0
        self._client = client
        self._request = request
        self._version_number = snmp_ber.V1 if request.version == "1" else snmp_ber.V2C
        self._community = (request.community or "").encode()

    def _count_retry(self) -> None:
        self.retries += 1

    async def get(self, oids: Sequence[Oid]) -> PduResponse:
        return await self._exchange(snmp_ber.GET, oids)

    async def get_next(self, oids: Sequence[Oid]) -> PduResponse:
        return await self._exchange(snmp_ber.GETNEXT, oids)

    async def get_bulk(self, oids: Sequence[Oid], max_repetitions: int) -> PduResponse:
        if self.version == "1":
            raise ValueError("SNMPv1 has no GETBULK")
        return await self._exchange(snmp_ber.GETBULK, oids, max_repetitions)

    async def _exchange(
        self, pdu_tag: int, oids: Sequence[Oid], repetitions: int = 0
    ) -> PduResponse:
        def encode(request_id: int) -> bytes:
            return snmp_ber.encode_request(
                self._version_number,
                self._community,
                pdu_tag,
                request_id,
                oids,
                non_repeaters=0,
                max_repetitions=repetitions,
            )

        request = self._request
        self.requests += 1
        async with self._client._in_flight:
            response = await self._client._transport().exchange(
                request.address,
                request.port,
                self._version_number,
                self._community,
                encode,
                request.timeout,
                request.retries,
                self._count_retry,
            )
        self.responses += 1
        self.varbinds += len(response.varbinds)
        return PduResponse(response.error_status, response.error_index, response.varbinds)


# SNMPv3 through pysnmp -----------------------------------------------------------------------

_PYSNMP_AUTH = {
    "MD5": "USM_AUTH_HMAC96_MD5",
    "SHA": "USM_AUTH_HMAC96_SHA",
    "SHA224": "USM_AUTH_HMAC128_SHA224",
    "SHA256": "USM_AUTH_HMAC192_SHA256",
    "SHA384": "USM_AUTH_HMAC256_SHA384",
    "SHA512": "USM_AUTH_HMAC384_SHA512",
}
# AES192 and AES256 are the Blumenthal key extension that net-snmp uses, and
# AES192C and AES256C the Reeder extension that Cisco uses.
_PYSNMP_PRIV = {
    "DES": "USM_PRIV_CBC56_DES",
    "3DES": "USM_PRIV_CBC168_3DES",
    "AES": "USM_PRIV_CFB128_AES",
    "AES192": "USM_PRIV_CFB192_AES_BLUMENTHAL",
    "AES256": "USM_PRIV_CFB256_AES_BLUMENTHAL",
    "AES192C": "USM_PRIV_CFB192_AES",
    "AES256C": "USM_PRIV_CFB256_AES",
}


class _UsmEngine:
    """One pysnmp SnmpEngine and what its observer saw of each agent's engine.

    Its UDP sockets are opened here rather than by pysnmp, with IP_RECVERR
    set, so that an ICMP port unreachable fails the request at once, as on
    the v1/v2c socket.
    """

    def __init__(self, client: SnmpClient) -> None:
        # Imported here, because a daemon without SNMPv3 devices never needs
        # pysnmp. NOTE: the import and the first SnmpEngine block the event
        # loop once, for about 0.25 s (2-core test machine, pysnmp 7.1.30).
        from pysnmp.hlapi.v3arch import asyncio as hlapi
        from pysnmp.proto import errind

        self.hlapi: Any = hlapi
        self.errind: Any = errind
        self.engine: Any = hlapi.SnmpEngine()
        self._client = client
        self._families: set[int] = set()
        self._last_security: tuple[bytes, int] | None = None
        self.boots: dict[bytes, int] = {}
        self.engine_ids: dict[tuple[str, int], bytes] = {}
        observer = self.engine.observer
        observer.register_observer(self._on_security, "rfc3414.processIncomingMsg")
        observer.register_observer(
            self._on_message,
            "rfc3412.prepareDataElements:response",
            "rfc3412.prepareDataElements:internal",
        )

    def _on_security(
        self, _engine: Any, _point: str, variables: Mapping[str, Any], _ctx: Any
    ) -> None:
        engine_id = bytes(variables["securityEngineId"])
        self._last_security = (engine_id, int(variables["snmpEngineBoots"]))

    def _on_message(
        self, _engine: Any, _point: str, variables: Mapping[str, Any], _ctx: Any
    ) -> None:
        engine_id = bytes(variables.get("securityEngineId") or b"")
        address = variables.get("transportAddress")
        if not engine_id or address is None:
            return
        if self._last_security is not None and self._last_security[0] == engine_id:
            self.boots[engine_id] = self._last_security[1]
        host, port = _normalize(str(address[0])), int(address[1])
        self.engine_ids[(host, port)] = engine_id
        self._client._engine_seen(host, port, engine_id)

    def forget_engine_id(self, host: str, port: int) -> None:
        """Drop the engine ID that pysnmp cached for an agent, so that it discovers it again.

        pysnmp 7.1 keeps discovered engine IDs for 300 s in private dicts of
        its SNMPv3 message processing model and has no call to drop one.
        """
        models = self.engine.message_processing_subsystems
        model = next((m for number, m in models.items() if int(number) == 3), None)
        cache = getattr(model, "_SnmpV3MessageProcessingModel__engineIdCache", None)
        expiry = getattr(model, "_SnmpV3MessageProcessingModel__engineIdCacheExpQueue", None)
        if not isinstance(cache, dict) or not isinstance(expiry, dict):
            self._client._warn_once(
                "pysnmp_engine_cache",
                "cannot drop cached SNMPv3 engine IDs in this pysnmp version; an agent "
                "whose engine ID changed answers again after 300 s",
            )
            return
        for key in [k for k in cache if _normalize(str(k[1][0])) == host and k[1][1] == port]:
            del cache[key]
            # The expiry timer deletes each key it holds: it must not find this one.
            for keys in expiry.values():
                while key in keys:
                    keys.remove(key)
        self.engine_ids.pop((host, port), None)

    def open_transport(self, family: int) -> None:
        """Register a UDP transport of ``family`` on the engine, before pysnmp opens its own."""
        if family in self._families:
            return
        from pysnmp.carrier.asyncio.dgram import udp, udp6
        from pysnmp.entity import config

        sock = _open_socket(family, self._client._receive_buffer)
        client = self._client

        def error_received(_protocol: Any, _error: Exception) -> None:
            # asyncio calls this when recvfrom reports the ICMP error. The
            # error queue then contains the destination that refused.
            for host, port, _payload in _read_refusals(sock):
                client._usm_refused(host, port)

        if family == socket.AF_INET6:
            base_class, domain = udp6.Udp6AsyncioTransport, udp6.DOMAIN_NAME
        else:
            base_class, domain = udp.UdpAsyncioTransport, udp.DOMAIN_NAME
        transport_class = type(
            "RefusalAwareTransport", (base_class,), {"error_received": error_received}
        )
        transport = transport_class().open_server_mode(sock=sock)
        config.add_transport(self.engine, domain, transport)
        self._families.add(family)

    def user_data(self, request: SnmpRequest) -> Any:
        hlapi = self.hlapi
        options: dict[str, Any] = {}
        if request.security_level != "noAuthNoPriv":
            options["authKey"] = request.auth_key
            options["authProtocol"] = getattr(hlapi, _PYSNMP_AUTH[request.auth_protocol or ""])
        if request.security_level == "authPriv":
            options["privKey"] = request.priv_key
            options["privProtocol"] = getattr(hlapi, _PYSNMP_PRIV[request.priv_protocol or ""])
        return hlapi.UsmUserData(request.user, **options)

    def close(self) -> None:
        self.engine.close_dispatcher()


class _UsmSession:
    """SNMPv3 requests to one device through a pysnmp engine."""

    version = "3"

    def __init__(self, client: SnmpClient, usm: _UsmEngine, request: SnmpRequest) -> None:
        self.requests = 0
        self.retries = 0
        self.responses = 0
        self.varbinds = 0
        self._client = client
        self._usm = usm
        self._request = request
        self._user = usm.user_data(request)
        self._target: Any = None
        self._diagnosed = False

    async def get(self, oids: Sequence[Oid]) -> PduResponse:
        return await self._call(self._usm.hlapi.get_cmd, oids)

    async def get_next(self, oids: Sequence[Oid]) -> PduResponse:
        return await self._call(self._usm.hlapi.next_cmd, oids)

    async def get_bulk(self, oids: Sequence[Oid], max_repetitions: int) -> PduResponse:
        return await self._call(self._usm.hlapi.bulk_cmd, oids, (0, max_repetitions))

    def _transport_target(self) -> Any:
        if self._target is None:
            request = self._request
            hlapi = self._usm.hlapi
            host, _, scope = request.address.partition("%")
            address: tuple[Any, ...] = (host, request.port)
            if ":" in host:
                try:
                    address = (host, request.port, 0, _scope_id(scope))
                except OSError as error:  # no interface of that name
                    raise SnmpSendError(request.address, request.port, error) from error
            self._usm.open_transport(socket.AF_INET6 if ":" in host else socket.AF_INET)
            # What UdpTransportTarget.create() does, without its getaddrinfo
            # call, which needs a worker thread even for an IP literal.
            kind = hlapi.Udp6TransportTarget if ":" in host else hlapi.UdpTransportTarget
            target = kind.__new__(kind)
            target.transport_address = address
            target.__init__(timeout=request.timeout, retries=request.retries)
            self._target = target
        return self._target

    async def _call(
        self, command: Callable[..., Any], oids: Sequence[Oid], bulk: tuple[int, ...] = ()
    ) -> PduResponse:
        request = self._request
        self.requests += 1
        try:
            status, index, varbinds = await self._exchange(command, oids, bulk)
        except SnmpTimeoutError as error:
            verdict = await self._diagnose_timeout()
            if verdict == _PRIV_REJECTED:
                raise SnmpAuthError(
                    f"{request.address} port {request.port} responds to user "
                    f"{request.user!r} at authNoPriv but not to the encrypted authPriv "
                    "request: check priv_protocol and priv_key"
                ) from error
            if verdict != _ANSWERS_OTHERS:
                raise
            # The agent responds to a fresh engine discovery, so its engine ID
            # changed (a replaced or reset device). pysnmp would keep the old
            # one for 300 s: drop it, discover again and send once more.
            log.info("SNMPv3 engine ID discovered again: target=%s", request.target)
            self._usm.forget_engine_id(_normalize(request.address), request.port)
            self.retries += 1
            status, index, varbinds = await self._exchange(command, oids, bulk)
        self.responses += 1
        converted = tuple(_from_pysnmp(varbind) for varbind in varbinds)
        self.varbinds += len(converted)
        return PduResponse(int(status or 0), int(index or 0), converted)

    async def _exchange(
        self, command: Callable[..., Any], oids: Sequence[Oid], bulk: tuple[int, ...]
    ) -> tuple[Any, Any, Sequence[Any]]:
        """Send one request, once more after a Report that moved the agent's time window."""
        for attempt in range(2):
            indication, status, index, varbinds = await self._attempt(command, oids, bulk)
            if indication is None:
                return status, index, varbinds
            if attempt == 0 and self._is_time_window(indication):
                # The agent rebooted or its clock moved: pysnmp has taken the
                # new boots and time from the Report PDU, so one more try works.
                log.info(
                    "SNMPv3 time window re-learned, retrying: target=%s error=%s",
                    self._request.target,
                    indication,
                )
                self.retries += 1
                continue
            raise self._error(indication)
        raise AssertionError("unreachable: the loop returns or raises")

    async def _attempt(
        self, command: Callable[..., Any], oids: Sequence[Oid], bulk: tuple[int, ...]
    ) -> tuple[Any, Any, Any, Sequence[Any]]:
        hlapi = self._usm.hlapi
        request = self._request
        objects = [hlapi.ObjectType(hlapi.ObjectIdentity(oid)) for oid in oids]
        target = self._transport_target()
        arguments = (self._usm.engine, self._user, target, hlapi.ContextData(), *bulk, *objects)
        # pysnmp times each attempt itself; this bound only guards against a
        # callback that never comes. Engine discovery adds attempts of its own.
        limit = request.timeout * (request.retries + 1) * 3 + 1.0
        async with self._client._in_flight:
            with self._client._usm_refusal(request) as refusal:
                task = asyncio.ensure_future(command(*arguments, lookupMib=False))
                done, _ = await asyncio.wait(
                    {task, refusal}, timeout=limit, return_when=asyncio.FIRST_COMPLETED
                )
        if task in done:
            return task.result()  # type: ignore[no-any-return]
        task.cancel()
        if refusal in done:
            raise SnmpRefusedError(request.address, request.port)
        raise SnmpTimeoutError(request.address, request.port, request.retries + 1, request.timeout)

    async def _diagnose_timeout(self) -> str:
        """Ask the agent again through a separate engine after a request went unanswered.

        Two silent failures look like a dead agent. net-snmp 5.9 drops a
        request that it cannot decrypt without any Report, so a wrong priv
        key times out. And after an agent's engine ID changes, pysnmp keeps
        sending the old one, whose Reports it then discards. A GET through
        another engine, with a fresh discovery and without privacy,
        distinguishes the two from a dead agent. Returns _PRIV_REJECTED, _ANSWERS_OTHERS or _SILENT.
        """
        request = self._request
        if self._diagnosed or self.responses:
            return _SILENT
        self._diagnosed = True
        check = dataclasses.replace(request, retries=0)
        if request.security_level == "authPriv":
            check = dataclasses.replace(
                check, security_level="authNoPriv", priv_protocol=None, priv_key=None
            )
        usm = self._client._usm_engine(check, purpose="check")
        key = (_normalize(request.address), request.port)
        usm.forget_engine_id(*key)
        session = _UsmSession(self._client, usm, check)
        session._diagnosed = True
        try:
            await session.get([snmp_profiles.SYS_UPTIME])
        except (SnmpTimeoutError, SnmpRefusedError, SnmpSendError):
            return _SILENT
        except SnmpError:
            pass  # a Report: the agent is alive and has the user
        finally:
            self.requests += session.requests

        known = self._usm.engine_ids.get(key)
        if request.security_level == "authPriv" and known == usm.engine_ids.get(key):
            return _PRIV_REJECTED
        return _ANSWERS_OTHERS

    def _is_time_window(self, indication: object) -> bool:
        errind = self._usm.errind
        return isinstance(indication, errind.NotInTimeWindow | errind.UnknownEngineID)

    def _error(self, indication: object) -> SnmpError:
        errind = self._usm.errind
        request = self._request
        if isinstance(indication, errind.RequestTimedOut):
            return SnmpTimeoutError(
                request.address, request.port, request.retries + 1, request.timeout
            )
        auth_failures = (
            errind.WrongDigest,
            errind.UnknownUserName,
            errind.UnknownSecurityName,
            errind.AuthenticationFailure,
            errind.AuthenticationError,
            errind.DecryptionError,
            errind.UnsupportedSecurityLevel,
            errind.UnsupportedAuthProtocol,
            errind.UnsupportedPrivProtocol,
            errind.NotInTimeWindow,
            errind.UnknownEngineID,
        )
        if isinstance(indication, auth_failures):
            return SnmpAuthError(
                f"SNMPv3 security failure from {request.address} port {request.port} for user "
                f"{request.user!r}: {indication}; check the user name, security level, "
                "protocols and keys"
            )
        return SnmpDecodeError(
            f"SNMPv3 response from {request.address} port {request.port} rejected: {indication}"
        )


def _scope_id(scope: str) -> int:
    """Return the interface index of an IPv6 zone such as "eth0" or "2", or 0 for no zone."""
    if not scope:
        return 0
    return int(scope) if scope.isdigit() else socket.if_nametoindex(scope)


def _from_pysnmp(varbind: Any) -> snmp_ber.VarBind:
    name, value = varbind[0], varbind[1]
    oid = tuple(int(part) for part in (name.asTuple() if hasattr(name, "asTuple") else name))
    tag_of = value.tagSet[0]
    tag = tag_of.tagClass | tag_of.tagFormat | tag_of.tagId
    converted: int | bytes | tuple[int, ...] | None
    if tag in _RANGE_SYNTAX:
        converted = int(value)
    elif tag in (snmp_ber.OCTET_STRING, snmp_ber.IPADDRESS, snmp_ber.OPAQUE):
        converted = bytes(value.asOctets())
    elif tag == snmp_ber.OBJECT_IDENTIFIER:
        converted = tuple(int(part) for part in value.asTuple())
    else:
        converted = None
    return snmp_ber.VarBind(oid, tag, converted)


# Walks ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Column:
    root: Oid
    last: Oid
    rows: dict[Oid, snmp_ber.VarBind] = field(default_factory=dict)
    done: bool = False


class _Walk:
    """Walk several subtrees at once, one varbind per subtree and repetition."""

    def __init__(
        self,
        session: Session,
        roots: Sequence[Oid],
        *,
        bulk: bool,
        max_repetitions: int,
        max_rows: int,
        max_requests: int,
        report: Callable[[SubtreeError], None],
    ) -> None:
        self.columns = [_Column(root, root) for root in dict.fromkeys(roots)]
        self.requests = 0
        self._session = session
        self._bulk = bulk
        self._repetitions = max_repetitions
        self._width = _MAX_COLUMNS_PER_REQUEST
        self._max_rows = max_rows
        self._max_requests = max_requests
        self._report = report

    async def run(self) -> None:
        while True:
            open_columns = [column for column in self.columns if not column.done]
            if not open_columns:
                return
            if self.requests >= self._max_requests:
                for column in open_columns:
                    self._end(column, MAX_REQUESTS, None, f"{self._max_requests} requests")
                return

            active = open_columns[: self._width]
            oids = [column.last for column in active]
            self.requests += 1
            try:
                if self._bulk:
                    response = await self._session.get_bulk(oids, self._repetitions)
                else:
                    response = await self._session.get_next(oids)
            except SnmpDecodeError as error:
                # One malformed response ends the columns it was for, not the walk.
                for column in active:
                    self._end(column, DECODE_ERROR, None, str(error))
                continue

            if response.error_status:
                self._on_error_status(active, response)
            elif not response.varbinds:
                for column in active:
                    self._end(column, EMPTY_RESPONSE, None, "response without varbinds")
            else:
                self._consume(active, response.varbinds)

    def _consume(self, active: list[_Column], varbinds: Sequence[snmp_ber.VarBind]) -> None:
        # GETBULK returns repetition after repetition, each with one varbind
        # per requested column in request order. An agent may cut the last
        # repetition short.
        width = len(active)
        for position, varbind in enumerate(varbinds):
            column = active[position % width]
            if column.done:
                continue
            if varbind.tag in _EXCEPTION_TAGS:
                column.done = True  # endOfMibView ends this column only
                continue
            oid = varbind.oid
            root = column.root
            if len(oid) <= len(root) or oid[: len(root)] != root:
                column.done = True  # past the end of the subtree
                continue
            if oid <= column.last:
                self._end(column, NON_INCREASING, oid, f"after {snmp_ber.oid_to_str(column.last)}")
                continue
            if len(column.rows) >= self._max_rows:
                self._end(column, MAX_ROWS, oid, f"{self._max_rows} rows")
                continue
            column.last = oid
            problem = _range_problem(varbind)
            if problem is not None:
                self._report(SubtreeError(root, VALUE_ERROR, oid, problem))
                continue
            column.rows[oid[len(root) :]] = varbind

    def _on_error_status(self, active: list[_Column], response: PduResponse) -> None:
        status, index = response.error_status, response.error_index
        if status == _TOO_BIG:
            if self._bulk and self._repetitions > 1:
                self._repetitions = max(1, self._repetitions // 2)
                return
            if len(active) > 1:
                self._width = max(1, len(active) // 2)
                return
        culprit = active[index - 1] if 1 <= index <= len(active) else None
        if status == _NO_SUCH_NAME and culprit is not None:
            culprit.done = True  # SNMPv1 end of the MIB view for this column
            return
        for column in [culprit] if culprit is not None else active:
            self._end(column, ERROR_STATUS, None, f"error-status {status}")

    def _end(self, column: _Column, kind: str, oid: Oid | None, message: str) -> None:
        column.done = True
        self._report(SubtreeError(column.root, kind, oid, message))


def _range_problem(varbind: snmp_ber.VarBind) -> str | None:
    syntax = _RANGE_SYNTAX.get(varbind.tag)
    if syntax is None or not isinstance(varbind.value, int):
        return None
    try:
        check_range(varbind.value, syntax)
    except ValueRangeError as error:
        return str(error)
    return None


# Polls ---------------------------------------------------------------------------------------


class _Poll:
    """State of one poll of one device: scalars, walked tables and errors."""

    def __init__(self, client: SnmpClient, request: SnmpRequest, session: Session) -> None:
        self.client = client
        self.request = request
        self.session = session
        self.scalars: dict[str, snmp_ber.VarBind] = {}
        self.tables: dict[str, dict[Oid, dict[Oid, snmp_ber.VarBind]]] = {}
        self.errors: list[SubtreeError] = []

    async def run(self) -> SnmpError | None:
        """Read the scalars and tables of the request; return the error that stopped it, if any."""
        request = self.request
        scalars, tables = snmp_profiles.plan(request.profiles)
        for custom in request.custom:
            if custom.index_label is None:
                scalars[_custom_key(custom)] = custom.oid
        custom_roots = [custom.oid for custom in request.custom if custom.index_label is not None]
        if custom_roots:
            tables = (*tables, Table("custom", {snmp_ber.oid_to_str(r): r for r in custom_roots}))

        try:
            await self._get(scalars)
            for table in tables:
                await self._walk(table)
        except SnmpError as error:
            return error
        return None

    async def _get(self, scalars: Mapping[str, Oid]) -> None:
        items = list(scalars.items())
        queue = deque(items[i : i + _GET_CHUNK] for i in range(0, len(items), _GET_CHUNK))
        while queue:
            chunk = queue.popleft()
            try:
                response = await self.session.get([oid for _, oid in chunk])
            except SnmpDecodeError as error:
                for _, oid in chunk:
                    self.report(SubtreeError(oid, DECODE_ERROR, None, str(error)))
                continue
            status, index = response.error_status, response.error_index
            if status == _NO_SUCH_NAME and 1 <= index <= len(chunk):
                # SNMPv1 fails the whole GET for one missing instance: drop it, ask again.
                rest = chunk[: index - 1] + chunk[index:]
                if rest:
                    queue.appendleft(rest)
                continue
            if status == _TOO_BIG and len(chunk) > 1:
                half = len(chunk) // 2
                queue.extendleft([chunk[half:], chunk[:half]])
                continue
            if status:
                for _, oid in chunk:
                    self.report(SubtreeError(oid, ERROR_STATUS, None, f"error-status {status}"))
                continue
            self._store_scalars(chunk, response.varbinds)

    def _store_scalars(
        self, chunk: Sequence[tuple[str, Oid]], varbinds: Sequence[snmp_ber.VarBind]
    ) -> None:
        for (name, oid), varbind in zip(chunk, varbinds, strict=False):
            if varbind.oid != oid:
                message = f"response for {snmp_ber.oid_to_str(varbind.oid)}"
                self.report(SubtreeError(oid, DECODE_ERROR, varbind.oid, message))
                continue
            if varbind.tag in _EXCEPTION_TAGS:
                continue  # noSuchObject, noSuchInstance: the agent has no such object
            problem = _range_problem(varbind)
            if problem is not None:
                self.report(SubtreeError(oid, VALUE_ERROR, oid, problem))
                continue
            self.scalars[name] = varbind

    async def _walk(self, table: Table) -> None:
        request = self.request
        walk = _Walk(
            self.session,
            list(table.columns.values()),
            bulk=request.version != "1" and not request.use_getnext,
            max_repetitions=request.max_repetitions,
            max_rows=request.max_rows,
            max_requests=request.max_requests,
            report=self.report,
        )
        try:
            await walk.run()
        finally:
            # Rows read before an error are kept.
            self.tables[table.name] = {column.root: column.rows for column in walk.columns}

    def report(self, error: SubtreeError) -> None:
        self.errors.append(error)
        if error.kind == NON_INCREASING:
            self.client._warn_once(
                (self.request.target, error.subtree),
                "OID not increasing, subtree ends: target=%s subtree=%s oid=%s %s",
                self.request.target,
                snmp_ber.oid_to_str(error.subtree),
                snmp_ber.oid_to_str(error.oid or ()),
                error.message,
            )

    def table(self, table: Table) -> dict[str, Mapping[Oid, snmp_ber.VarBind]]:
        """Return the rows of ``table`` by column name."""
        walked = self.tables.get(table.name, {})
        return {name: walked.get(root, {}) for name, root in table.columns.items()}

    def custom_values(self) -> tuple[CustomValue, ...]:
        values: list[CustomValue] = []
        walked = self.tables.get("custom", {})
        for custom in self.request.custom:
            if custom.index_label is None:
                varbinds = {(): self.scalars.get(_custom_key(custom))}
            else:
                varbinds = dict(walked.get(custom.oid, {}))
            for suffix, varbind in varbinds.items():
                if varbind is None:
                    continue
                value = self._custom_value(custom, suffix, varbind)
                if value is not None:
                    values.append(value)
        return tuple(values)

    def _custom_value(
        self, custom: CustomOid, suffix: Oid, varbind: snmp_ber.VarBind
    ) -> CustomValue | None:
        index = snmp_ber.oid_to_str(suffix) if custom.index_label is not None else None
        converted = _convert(custom.kind, varbind, self.request.charset)
        if converted is None:
            message = f"value with tag 0x{varbind.tag:02x} is not a {custom.kind}"
            self.report(SubtreeError(custom.oid, VALUE_ERROR, varbind.oid, message))
            return None
        value, bits = converted
        return CustomValue(custom.name, custom.kind, value, index, custom.index_label, bits)


def _custom_key(custom: CustomOid) -> str:
    return f"custom:{custom.name}"


def _convert(
    kind: str, varbind: snmp_ber.VarBind, charset: str
) -> tuple[float | int | str, int | None] | None:
    raw = varbind.value
    if kind == "counter":
        sample = snmp_profiles.counter(varbind)
        return None if sample is None else (sample.value, sample.bits)
    if kind == "gauge":
        if isinstance(raw, int) and varbind.tag in _RANGE_SYNTAX:
            return float(raw), None
        if isinstance(raw, bytes):
            try:
                return float(raw.decode("ascii").strip()), None
            except (UnicodeDecodeError, ValueError):
                return None
        return None
    if isinstance(raw, bytes):
        if varbind.tag == snmp_ber.IPADDRESS and len(raw) == 4:
            return str(ipaddress.IPv4Address(raw)), None
        return decode_text(raw, charset), None
    if isinstance(raw, tuple):
        return snmp_ber.oid_to_str(raw), None
    if isinstance(raw, int):
        return str(raw), None
    return None


def _compile(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    return [re.compile(pattern) for pattern in patterns]


def _keep_interfaces(
    rows: tuple[InterfaceRow, ...], request: SnmpRequest
) -> tuple[InterfaceRow, ...]:
    include = _compile(request.interface_include)
    exclude = _compile(request.interface_exclude)
    kept = []
    for row in rows:
        if include and not any(pattern.fullmatch(row.name) for pattern in include):
            continue
        if any(pattern.fullmatch(row.name) for pattern in exclude):
            continue
        if request.interface_types and row.type not in request.interface_types:
            continue
        kept.append(row)
    return tuple(kept)


def _headline_values(detail: SnmpPoll) -> dict[str, float]:
    """Compute the numbers of ``ProbeResult.values``; a reading the agent lacks is absent.

    ``interfaces_down`` counts interfaces that are administratively up (or of
    unknown admin status) and whose ifOperStatus is neither up, testing nor
    dormant. ``cpu_load_max_ratio`` is the highest 1-minute load of any
    processor, and ``memory_used_ratio`` is that of the headline memory pool
    (``snmp_profiles.build_memory``).
    """
    values: dict[str, float] = {
        "varbinds": float(detail.varbinds),
        "requests": float(detail.requests),
        "retries": float(detail.retries),
        "walk_errors": float(len(detail.errors)),
    }
    if detail.system.uptime_ticks is not None:
        values["sysuptime_seconds"] = detail.system.uptime_ticks / 100
    if detail.system.host_uptime_ticks is not None:
        values["hr_system_uptime_seconds"] = detail.system.host_uptime_ticks / 100
    if detail.engine_boots is not None:
        values["engine_boots"] = float(detail.engine_boots)

    if detail.interfaces:
        admin_up = [row for row in detail.interfaces if row.admin_status in (None, 1)]
        values["interfaces"] = float(len(detail.interfaces))
        values["interfaces_up"] = float(sum(row.oper_status == 1 for row in detail.interfaces))
        values["interfaces_down"] = float(sum(row.oper_status not in _NOT_DOWN for row in admin_up))

    minute_loads = [load.percent for load in detail.cpu if load.window == 60]
    if minute_loads:
        values["cpu_load_max_ratio"] = max(minute_loads) / 100
    for minutes, average in zip((1, 5, 15), detail.load_average, strict=False):
        values[f"load_average_{minutes}m"] = average

    if detail.memory and detail.memory[0].used_ratio is not None:
        values["memory_used_ratio"] = detail.memory[0].used_ratio
    disk_ratios = [
        row.used_ratio
        for row in detail.storage
        if row.kind in snmp_profiles.DISK_KINDS and row.used_ratio is not None
    ]
    if disk_ratios:
        values["storage_max_used_ratio"] = max(disk_ratios)
    return values


def _reason(error: SnmpError | None, errors: Sequence[SubtreeError]) -> str:
    if error is not None:
        return error.reason
    if any(item.kind in (DECODE_ERROR, VALUE_ERROR) for item in errors):
        return DECODE_ERROR
    if errors:
        return WALK_ERROR
    return base.OK


# Client --------------------------------------------------------------------------------------


class SnmpClient:
    """Poll SNMP devices: one socket per address family for v1/v2c, one pysnmp engine for v3.

    Create it inside a running event loop and ``close()`` it when done.
    ``max_in_flight`` bounds the requests outstanding at once across all
    devices; ``receive_buffer`` is the socket receive buffer in bytes.
    """

    def __init__(
        self, *, max_in_flight: int = 256, receive_buffer: int = _RECEIVE_BUFFER_BYTES
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._max_in_flight = max_in_flight
        self._receive_buffer = receive_buffer
        self._community: _CommunityTransport | None = None
        # One engine per distinct key set of a user name; see the module docstring.
        self._usm_engines: dict[str, list[_UsmEngine]] = {}
        self._usm_slots: dict[tuple[str, str], list[tuple[object, ...]]] = {}
        self._engine_addresses: dict[bytes, set[tuple[str, int]]] = {}
        self._engine_ids: dict[tuple[str, int], bytes] = {}
        # SNMPv3 requests waiting on an agent, by (address, port): each future
        # completes when an ICMP port unreachable comes from that agent.
        self._usm_waiting: dict[tuple[str, int], set[asyncio.Future[None]]] = {}
        self._warned: set[object] = set()

    @property
    def unmatched_responses(self) -> int:
        """Datagrams on the v1/v2c socket that matched no outstanding request."""
        return self._community.unmatched_responses if self._community else 0

    def close(self) -> None:
        """Close the sockets and engines, and cancel the requests still waiting."""
        if self._community is not None:
            self._community.close()
            self._community = None
        for engines in self._usm_engines.values():
            for usm in engines:
                usm.close()
        self._usm_engines.clear()
        self._usm_slots.clear()

    def _transport(self) -> _CommunityTransport:
        if self._community is None:
            self._community = _CommunityTransport(self._receive_buffer)
        return self._community

    def _usm_engine(self, request: SnmpRequest, purpose: str = "poll") -> _UsmEngine:
        # pysnmp keys USM users by user name: one engine per distinct key set
        # of a user name. Diagnosis ("check") engines are kept apart from the
        # polling ones, so that they discover engine IDs afresh.
        keys = (
            purpose,
            request.security_level,
            request.auth_protocol,
            request.auth_key,
            request.priv_protocol,
            request.priv_key,
        )
        slots = self._usm_slots.setdefault((purpose, request.user or ""), [])
        if keys not in slots:
            slots.append(keys)
        position = slots.index(keys)
        engines = self._usm_engines.setdefault(purpose, [])
        while len(engines) <= position:
            engines.append(_UsmEngine(self))
        return engines[position]

    def _session(self, request: SnmpRequest) -> Session:
        if request.version == "3":
            return _UsmSession(self, self._usm_engine(request), request)
        return _CommunitySession(self, request)

    @contextlib.contextmanager
    def _usm_refusal(self, request: SnmpRequest) -> Iterator[asyncio.Future[None]]:
        key = (_normalize(request.address), request.port)
        refusal: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiting = self._usm_waiting.setdefault(key, set())
        waiting.add(refusal)
        try:
            yield refusal
        finally:
            waiting.discard(refusal)
            if not waiting:
                del self._usm_waiting[key]

    def _usm_refused(self, host: str, port: int) -> None:
        for refusal in self._usm_waiting.get((host, port), ()):
            if not refusal.done():
                refusal.set_result(None)

    def _engine_seen(self, host: str, port: int, engine_id: bytes) -> None:
        self._engine_ids[(host, port)] = engine_id
        addresses = self._engine_addresses.setdefault(engine_id, set())
        addresses.add((host, port))
        if len(addresses) > 1:
            listed = ", ".join(f"{h} port {p}" for h, p in sorted(addresses))
            self._warn_once(
                ("engine_id", engine_id),
                "SNMPv3 engine ID %s reported by several agents (%s); give each agent its "
                "own engine ID, or their time windows and keys get mixed up",
                engine_id.hex(),
                listed,
            )

    def _warn_once(self, key: object, message: str, *args: object) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message, *args)

    async def poll(self, request: SnmpRequest) -> base.ProbeResult:
        """Poll one device and return its result; a device problem is a reason, not an exception."""
        started = time.time()
        start_ns = time.monotonic_ns()
        if is_placeholder_address(request.address):
            return base.ProbeResult(
                target=request.target,
                probe=PROBE,
                success=False,
                reason=base.UNCONFIGURED,
                started=started,
                duration=0.0,
                detail=SnmpPoll(request.address, request.port, request.version),
                message=f"{request.address} is a documentation address",
            )

        session = self._session(request)
        poll = _Poll(self, request, session)
        error = await poll.run()
        if error is not None:
            log.debug("SNMP poll failed: target=%s error=%s", request.target, error)
        duration = (time.monotonic_ns() - start_ns) / 1e9
        detail = self._detail(poll, duration)
        return base.ProbeResult(
            target=request.target,
            probe=PROBE,
            success=session.responses > 0,
            reason=_reason(error, detail.errors),
            started=started,
            duration=duration,
            values=_headline_values(detail),
            detail=detail,
            message=str(error) if error is not None else "",
        )

    async def poll_many(self, requests: Sequence[SnmpRequest]) -> list[base.ProbeResult]:
        """Poll many devices concurrently, at most ``max_in_flight`` of them at once.

        A device has at most one request outstanding, so this bound keeps as
        many requests in flight as before. It limits the walked tables held in
        memory at once to those of ``max_in_flight`` devices, and each result
        is complete as soon as its own device is done.
        """
        devices = asyncio.Semaphore(self._max_in_flight)

        async def poll_one(request: SnmpRequest) -> base.ProbeResult:
            async with devices:
                return await self.poll(request)

        return list(await asyncio.gather(*(poll_one(request) for request in requests)))

    def _detail(self, poll: _Poll, duration: float) -> SnmpPoll:
        request = poll.request
        charset = request.charset
        tables = {
            table.name: poll.table(table) for table in snmp_profiles.plan(request.profiles)[1]
        }
        storage = snmp_profiles.build_storage(
            tables.get(snmp_profiles.HR_STORAGE_TABLE.name, {}), charset
        )
        interfaces = snmp_profiles.build_interfaces(
            tables.get(snmp_profiles.INTERFACES_TABLE.name, {}), charset
        )
        kept = _keep_interfaces(interfaces, request)
        custom = poll.custom_values()  # may report value errors: before errors are frozen

        engine_id = None
        engine_boots = None
        if request.version == "3":
            engine_id = self._engine_ids.get((_normalize(request.address), request.port))
            if engine_id is not None:
                for usm in self._usm_engines.get("poll", ()):
                    engine_boots = usm.boots.get(engine_id, engine_boots)
        session = poll.session
        return SnmpPoll(
            address=request.address,
            port=request.port,
            version=request.version,
            system=snmp_profiles.build_system(poll.scalars, charset),
            interfaces=kept,
            interfaces_filtered_out=len(interfaces) - len(kept),
            storage=storage,
            cpu=snmp_profiles.build_cpu(tables),
            load_average=snmp_profiles.build_load_average(
                tables.get(snmp_profiles.UCD_LOAD_TABLE.name, {})
            ),
            memory=snmp_profiles.build_memory(poll.scalars, tables, storage, charset),
            custom=custom,
            errors=tuple(poll.errors),
            varbinds=session.varbinds,
            requests=session.requests,
            retries=session.retries,
            duration=duration,
            engine_id=engine_id,
            engine_boots=engine_boots,
        )
