"""BER encoding and decoding of SNMPv1 and SNMPv2c messages, stdlib only.

In runs of bench/snmp_decode.py on a shared 2-CPU virtual machine, pyasn1
0.6 took 57 to 140 µs of CPU to decode one varbind, 30 to 110 times what
this module took. That is too slow to poll a thousand devices a minute on
two cores. This module
handles only the fixed shape of a community-based message::

    Message ::= SEQUENCE { version INTEGER, community OCTET STRING, data PDU }
    PDU     ::= [tag] SEQUENCE { request-id, error-status, error-index INTEGER,
                                 variable-bindings SEQUENCE OF VarBind }
    VarBind ::= SEQUENCE { name OBJECT IDENTIFIER, value }

SNMPv3 and its security stay with pysnmp.

The decoder rejects only structural damage, raising ``BerError``: a length
that runs past its container, an indefinite length, an unexpected tag at the
message, PDU or varbind level, a malformed OBJECT IDENTIFIER, or bytes after
the message. A value that is well formed but does not fit its SMI type is
returned as decoded, and the caller checks ranges (``probes.snmp_values.
check_range``):

- Counter32, Gauge32, TimeTicks and Counter64 are read as unsigned
  big-endian numbers, with or without the leading 0x00 that BER requires
  before a first octet of 0x80 or more. gosnmp, the library behind
  snmp_exporter, reads them the same way. So the 4 octets FF FF FF FF of an
  agent that omits the 0x00 read as 4294967295, never as -1, and a
  Counter32 with 5 significant octets reads as an int above 2**32 - 1.
  NOTE: an agent that writes -1 in one octet (FF) yields 255, because the
  octets alone cannot tell it from a short unsigned encoding.
- INTEGER is two's complement of any size. IpAddress and Opaque are the raw
  content octets, whatever their length.
- A value with a tag that this module does not know is kept as its tag and
  raw content octets.

Decoding is also lenient where the meaning stays clear: long-form lengths
with leading zeros, 0x80 padding inside a subidentifier, and content octets
after NULL or an exception tag (which decode to None).

>>> request = encode_request(V2C, b"public", GET, 7, [(1, 3, 6, 1, 2, 1, 1, 3, 0)])
>>> peek_request_id(request)
7
>>> decode_response(request).varbinds[0]
VarBind(oid=(1, 3, 6, 1, 2, 1, 1, 3, 0), tag=5, value=None)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Tags of varbind values: universal types and the SMI application types.
INTEGER, OCTET_STRING, NULL, OBJECT_IDENTIFIER = 0x02, 0x04, 0x05, 0x06
IPADDRESS, COUNTER32, GAUGE32, TIMETICKS, OPAQUE, COUNTER64 = 0x40, 0x41, 0x42, 0x43, 0x44, 0x46
# SNMPv2 exception values: context-specific tags with empty content.
NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB_VIEW = 0x80, 0x81, 0x82
# PDU tags.
GET, GETNEXT, RESPONSE, GETBULK, REPORT = 0xA0, 0xA1, 0xA2, 0xA5, 0xA8
# Values of the version field.
V1, V2C = 0, 1

SEQUENCE = 0x30
_SET, _INFORM, _TRAP_V2 = 0xA3, 0xA6, 0xA7
# Every PDU that has the request-id, error-status, error-index layout. The
# SNMPv1 Trap-PDU (0xA4) has another layout and is rejected.
_PDU_TAGS = frozenset((GET, GETNEXT, RESPONSE, _SET, GETBULK, _INFORM, _TRAP_V2, REPORT))
_REQUEST_TAGS = frozenset((GET, GETNEXT, GETBULK))
_UNSIGNED_TAGS = frozenset((COUNTER32, GAUGE32, TIMETICKS, COUNTER64))
_OCTET_TAGS = frozenset((OCTET_STRING, IPADDRESS, OPAQUE))
_EMPTY_TAGS = frozenset((NULL, NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB_VIEW))

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1

# Decoded OIDs by their content octets. Polls of one table repeat the same
# names, so most lookups hit. The dict is emptied when full. Full, it takes
# about 11 MB for OIDs of 20 subidentifiers (measured with tracemalloc).
_OID_CACHE_SIZE = 32_768
_oid_cache: dict[bytes, tuple[int, ...]] = {}

_OID_TEXT = re.compile(r"\.?[0-9]+(\.[0-9]+)*", re.ASCII)


class BerError(ValueError):
    """Structural damage in an SNMP message, found while decoding it.

    ``offset`` is the byte offset in the message where decoding stopped,
    ``expected`` what the decoder needed there and ``found`` what it read
    (empty when it read nothing).

    >>> try:
    ...     decode_response(b"\\x04\\x00")
    ... except BerError as error:
    ...     print(error.offset, error.expected)
    0 SEQUENCE (SNMP message)
    """

    def __init__(self, offset: int, expected: str, found: str = "") -> None:
        message = f"malformed SNMP message at offset {offset}: expected {expected}"
        if found:
            message += f", found {found}"
        super().__init__(message)
        self.offset = offset
        self.expected = expected
        self.found = found


@dataclass(frozen=True, slots=True)
class VarBind:
    """One variable binding: an OID and its value with the value's BER tag.

    ``value`` is an int for INTEGER, Counter32, Gauge32, TimeTicks and
    Counter64, bytes for OCTET STRING, IpAddress, Opaque and unknown tags, a
    tuple of ints for OBJECT IDENTIFIER, and None for NULL and the exceptions
    noSuchObject, noSuchInstance and endOfMibView.

    >>> VarBind((1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1), COUNTER32, 4_294_967_295).value
    4294967295
    """

    oid: tuple[int, ...]
    tag: int
    value: int | bytes | tuple[int, ...] | None


@dataclass(frozen=True, slots=True)
class Response:
    """A decoded SNMPv1 or SNMPv2c message.

    The decoder accepts every PDU with the request-id layout, so callers
    check ``pdu_tag`` (normally RESPONSE). In a GETBULK PDU,
    ``error_status`` and ``error_index`` carry non-repeaters and
    max-repetitions.

    >>> message = encode_request(V1, b"public", GETNEXT, 42, [(1, 3, 6, 1)])
    >>> response = decode_response(message)
    >>> (response.version, response.community, response.pdu_tag == GETNEXT)
    (0, b'public', True)
    """

    version: int
    community: bytes
    pdu_tag: int
    request_id: int
    error_status: int
    error_index: int
    varbinds: tuple[VarBind, ...]


# --- decoding ---------------------------------------------------------------


def decode_response(message: bytes) -> Response:
    """Decode one SNMPv1 or SNMPv2c message, or raise BerError if it is malformed."""
    data = bytes(message)
    size = len(data)

    start, end = _read_header(data, 0, size, SEQUENCE, "SEQUENCE (SNMP message)")
    if end != size:
        raise BerError(end, "end of the datagram", f"{size - end} bytes after the message")
    version, offset = _read_integer(data, start, end, "INTEGER (version)")
    if version not in (V1, V2C):
        raise BerError(start, "version 0 (SNMPv1) or 1 (SNMPv2c)", f"version {version}")
    community_start, offset = _read_header(
        data, offset, end, OCTET_STRING, "OCTET STRING (community)"
    )
    community = data[community_start:offset]

    if offset >= end:
        raise BerError(offset, "a PDU", "the end of the message")
    pdu_tag = data[offset]
    if pdu_tag not in _PDU_TAGS:
        raise BerError(offset, "a PDU tag (0xA0 to 0xA8, except 0xA4)", f"tag 0x{pdu_tag:02X}")
    start, pdu_end = _read_header(data, offset, end, pdu_tag, "PDU")
    if pdu_end != end:
        raise BerError(pdu_end, "end of the message after the PDU", f"{end - pdu_end} more bytes")
    request_id, offset = _read_integer(data, start, pdu_end, "INTEGER (request-id)")
    error_status, offset = _read_integer(data, offset, pdu_end, "INTEGER (error-status)")
    error_index, offset = _read_integer(data, offset, pdu_end, "INTEGER (error-index)")

    start, list_end = _read_header(data, offset, pdu_end, SEQUENCE, "SEQUENCE (varbind list)")
    if list_end != pdu_end:
        raise BerError(
            list_end, "end of the PDU after the varbind list", f"{pdu_end - list_end} more bytes"
        )
    varbinds = _decode_varbinds(data, start, list_end)
    return Response(version, community, pdu_tag, request_id, error_status, error_index, varbinds)


def peek_request_id(message: bytes) -> int | None:
    """Return the request-id of an SNMPv1/v2c message, or None if it cannot be read.

    Reads only the headers before the request-id, so a reply can be matched
    to its request before the varbinds are decoded. A message for which this
    returns an int can still fail ``decode_response``.
    """
    data = message
    size = len(data)
    try:
        start, end = _read_header(data, 0, size, SEQUENCE, "SEQUENCE (SNMP message)")
        version, offset = _read_integer(data, start, end, "INTEGER (version)")
        if version not in (V1, V2C):
            return None
        _, offset = _read_header(data, offset, end, OCTET_STRING, "OCTET STRING (community)")
        if offset >= end or data[offset] not in _PDU_TAGS:
            return None
        start, pdu_end = _read_header(data, offset, end, data[offset], "PDU")
        request_id, _ = _read_integer(data, start, pdu_end, "INTEGER (request-id)")
    except BerError:
        return None
    return request_id


def _read_header(data: bytes, offset: int, limit: int, tag: int, field: str) -> tuple[int, int]:
    """Check the tag at ``offset`` and return the content's start and end offsets.

    The content must end at or before ``limit``, the end of the container.
    """
    if offset >= limit:
        raise BerError(offset, field, "the end of its container")
    if data[offset] != tag:
        raise BerError(offset, field, f"tag 0x{data[offset]:02X}")
    if offset + 1 >= limit:
        raise BerError(offset + 1, f"the length of {field}", "the end of its container")
    length = data[offset + 1]
    start = offset + 2
    if length & 0x80:
        length, start = _read_long_length(data, offset + 1, limit)
    end = start + length
    if end > limit:
        raise BerError(
            offset, f"{field} that ends by offset {limit}", f"a length of {length} octets"
        )
    return start, end


def _read_long_length(data: bytes, offset: int, limit: int) -> tuple[int, int]:
    """Decode the long-form length at ``offset``; return it and the content's start."""
    count = data[offset] & 0x7F
    if count == 0:
        raise BerError(offset, "a definite length", "the indefinite length 0x80")
    if count == 0x7F:
        raise BerError(offset, "a definite length", "the reserved length octet 0xFF")
    start = offset + 1 + count
    if start > limit:
        raise BerError(offset, f"{count} length octets", "the end of their container")
    return int.from_bytes(data[offset + 1 : start]), start


def _read_integer(data: bytes, offset: int, limit: int, field: str) -> tuple[int, int]:
    """Decode the INTEGER at ``offset``; return its value and the offset after it."""
    start, end = _read_header(data, offset, limit, INTEGER, field)
    if start == end:
        raise BerError(offset, f"{field} with at least one content octet", "none")
    return int.from_bytes(data[start:end], signed=True), end


def _decode_varbinds(data: bytes, offset: int, end: int) -> tuple[VarBind, ...]:
    """Decode the varbinds between ``offset`` and ``end``, the varbind list's content.

    This is the hot loop, so header parsing is inlined and a read past the
    end of ``data`` is caught as IndexError instead of being tested for.
    Every content end is checked against its container's end, so a read past
    a container but inside ``data`` is caught by those checks.
    """
    varbinds: list[VarBind] = []
    append = varbinds.append
    cache_get = _oid_cache.get
    from_bytes = int.from_bytes
    unsigned_tags, octet_tags, empty_tags = _UNSIGNED_TAGS, _OCTET_TAGS, _EMPTY_TAGS
    start = offset
    try:
        while offset < end:
            start = offset
            if data[offset] != SEQUENCE:
                raise BerError(offset, "SEQUENCE (varbind)", f"tag 0x{data[offset]:02X}")
            length = data[offset + 1]
            offset += 2
            if length & 0x80:
                length, offset = _read_long_length(data, offset - 1, end)
            varbind_end = offset + length
            if varbind_end > end:
                raise BerError(
                    start, f"a varbind that ends by offset {end}", f"a length of {length} octets"
                )

            name_start = offset
            if data[offset] != OBJECT_IDENTIFIER:
                raise BerError(
                    offset, "OBJECT IDENTIFIER (varbind name)", f"tag 0x{data[offset]:02X}"
                )
            length = data[offset + 1]
            offset += 2
            if length & 0x80:
                length, offset = _read_long_length(data, offset - 1, varbind_end)
            name_end = offset + length
            if name_end > varbind_end:
                raise BerError(
                    name_start,
                    f"a name that ends by offset {varbind_end}",
                    f"a length of {length} octets",
                )
            raw = data[offset:name_end]
            oid = cache_get(raw)
            if oid is None:
                oid = _decode_oid(raw, offset)
            offset = name_end

            tag = data[offset]
            length = data[offset + 1]
            offset += 2
            if length & 0x80:
                length, offset = _read_long_length(data, offset - 1, varbind_end)
            if offset + length != varbind_end:
                raise BerError(
                    name_end,
                    f"a value that ends the varbind at offset {varbind_end}",
                    f"tag 0x{tag:02X} with {length} octets",
                )
            body = data[offset:varbind_end]

            value: int | bytes | tuple[int, ...] | None
            if tag in unsigned_tags:
                value = from_bytes(body)
            elif tag in octet_tags:
                value = body
            elif tag == INTEGER:
                value = from_bytes(body, signed=True)
            elif tag == OBJECT_IDENTIFIER:
                value = cache_get(body)
                if value is None:
                    value = _decode_oid(body, offset)
            elif tag in empty_tags:
                value = None
            elif tag & 0x1F == 0x1F:
                raise BerError(name_end, "a value tag of one octet", f"tag 0x{tag:02X}")
            else:
                value = body
            append(VarBind(oid, tag, value))
            offset = varbind_end
    except IndexError as error:
        raise BerError(
            len(data), f"the rest of the varbind at offset {start}", "the end of the data"
        ) from error
    return tuple(varbinds)


def _decode_oid(raw: bytes, offset: int) -> tuple[int, ...]:
    """Decode the content octets of an OBJECT IDENTIFIER and cache the result.

    ``offset`` is where ``raw`` starts in the message, for error messages.
    """
    if not raw:
        oid: tuple[int, ...] = ()
    elif raw.isascii():
        # Every subidentifier fits in one octet: the common case, done in C.
        oid = _split_first(raw[0]) + tuple(raw[1:])
    else:
        if raw[-1] & 0x80:
            raise BerError(offset + len(raw) - 1, "the last octet of a subidentifier", "bit 8 set")
        arcs: list[int] = []
        value = 0
        for octet in raw:
            value = (value << 7) | (octet & 0x7F)
            if not octet & 0x80:
                arcs.append(value)
                value = 0
        oid = _split_first(arcs[0]) + tuple(arcs[1:])

    if len(_oid_cache) >= _OID_CACHE_SIZE:
        _oid_cache.clear()
    _oid_cache[raw] = oid
    return oid


def clear_oid_cache() -> None:
    """Empty the cache of decoded OIDs, for benchmarks and tests of a first poll."""
    _oid_cache.clear()


def _split_first(value: int) -> tuple[int, int]:
    """Split the first subidentifier, 40 * X + Y, into the arcs X and Y.

    X is at most 2, so a value of 80 or more is 2 followed by Y = value - 80.
    """
    if value < 80:
        return divmod(value, 40)
    return 2, value - 80


# --- encoding ---------------------------------------------------------------


def encode_request(
    version: int,
    community: bytes,
    pdu_tag: int,
    request_id: int,
    oids: Sequence[tuple[int, ...]],
    *,
    non_repeaters: int = 0,
    max_repetitions: int = 0,
) -> bytes:
    """Encode a GET, GETNEXT or GETBULK request whose varbinds have NULL values.

    For GETBULK (SNMPv2c only), ``non_repeaters`` and ``max_repetitions``
    take the places of error-status and error-index. Raise ValueError for
    arguments that do not make a valid request, and TypeError when
    ``community`` is not bytes.
    """
    if version not in (V1, V2C):
        raise ValueError(f"SNMP version must be V1 (0) or V2C (1), not {version!r}")
    if pdu_tag not in _REQUEST_TAGS:
        raise ValueError(f"PDU tag must be GET, GETNEXT or GETBULK, not 0x{pdu_tag:02X}")
    if pdu_tag == GETBULK and version != V2C:
        raise ValueError("GETBULK needs SNMPv2c: SNMPv1 has no GetBulkRequest-PDU")
    if pdu_tag != GETBULK and (non_repeaters or max_repetitions):
        raise ValueError("non_repeaters and max_repetitions apply to GETBULK only")
    if not isinstance(community, bytes | bytearray):
        raise TypeError(f"community must be bytes, not {type(community).__name__}")
    if not _INT32_MIN <= request_id <= _INT32_MAX:
        raise ValueError(f"request_id {request_id} is outside the Integer32 range")
    for name, count in (("non_repeaters", non_repeaters), ("max_repetitions", max_repetitions)):
        if not 0 <= count <= _INT32_MAX:
            raise ValueError(f"{name} {count} is outside the range 0..{_INT32_MAX}")

    varbinds = b"".join(_encode_tlv(SEQUENCE, _encode_oid(oid) + b"\x05\x00") for oid in oids)
    pdu = b"".join(
        (
            _encode_integer(request_id),
            _encode_integer(non_repeaters),
            _encode_integer(max_repetitions),
            _encode_tlv(SEQUENCE, varbinds),
        )
    )
    body = _encode_integer(version) + _encode_tlv(OCTET_STRING, bytes(community))
    return _encode_tlv(SEQUENCE, body + _encode_tlv(pdu_tag, pdu))


def _encode_tlv(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes((tag, length)) + content
    octets = length.to_bytes((length.bit_length() + 7) // 8)
    return bytes((tag, 0x80 | len(octets))) + octets + content


def _encode_integer(value: int) -> bytes:
    magnitude = value if value >= 0 else ~value
    return _encode_tlv(INTEGER, value.to_bytes(magnitude.bit_length() // 8 + 1, signed=True))


def _encode_oid(oid: tuple[int, ...]) -> bytes:
    """Encode ``oid`` as an OBJECT IDENTIFIER TLV, or raise ValueError if it cannot be."""
    _check_oid(oid)
    content = bytearray()
    for arc in (oid[0] * 40 + oid[1], *oid[2:]):
        if arc < 0x80:
            content.append(arc)
            continue
        septets = []
        while arc:
            septets.append(arc & 0x7F | 0x80)
            arc >>= 7
        septets[0] &= 0x7F
        content.extend(reversed(septets))
    return _encode_tlv(OBJECT_IDENTIFIER, bytes(content))


def _check_oid(oid: tuple[int, ...]) -> None:
    """Raise ValueError unless ``oid`` can be BER-encoded."""
    if len(oid) < 2:
        raise ValueError(f"OID {oid!r} needs at least two arcs")
    if any(not isinstance(arc, int) or arc < 0 for arc in oid):
        raise ValueError(f"OID {oid!r} must contain non-negative integers only")
    if oid[0] > 2:
        raise ValueError(f"OID {oid_to_str(oid)} must start with arc 0, 1 or 2")
    if oid[0] < 2 and oid[1] > 39:
        raise ValueError(f"OID {oid_to_str(oid)}: the second arc must be at most 39 under 0 and 1")


# --- text form --------------------------------------------------------------


def oid_to_str(oid: Sequence[int]) -> str:
    """Format an OID in dotted notation, without a leading dot: "1.3.6.1"."""
    return ".".join(map(str, oid))


def str_to_oid(text: str) -> tuple[int, ...]:
    """Parse a dotted OID such as "1.3.6.1" or ".1.3.6.1", or raise ValueError.

    The OID must be one that ``encode_request`` can encode: at least two
    arcs, the first 0, 1 or 2, and the second at most 39 under 0 and 1.
    """
    if not _OID_TEXT.fullmatch(text):
        raise ValueError(f"invalid OID {text!r}: expected numbers separated by dots, like 1.3.6.1")
    oid = tuple(int(arc) for arc in text.lstrip(".").split("."))
    _check_oid(oid)
    return oid
