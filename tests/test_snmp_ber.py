"""Tests of probes.snmp_ber: real agent messages, pyasn1 as the oracle, and fuzzing.

The hex strings named NET_SNMP_* are requests of net-snmp 5.9.3's tools and
the replies of its snmpd, printed by ``snmpget -d`` and ``snmpbulkwalk -d``
on 127.0.0.1 inside a network namespace without routes. The expected values
are what those net-snmp tools printed for them.
"""

from __future__ import annotations

import doctest
import re
import shutil
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pyasn1.codec.ber import decoder, encoder
from pyasn1.error import PyAsn1Error
from pysnmp.proto.api import v1, v2c

from probes import snmp_ber
from probes.snmp_ber import (
    COUNTER32,
    COUNTER64,
    END_OF_MIB_VIEW,
    GAUGE32,
    GET,
    GETBULK,
    GETNEXT,
    INTEGER,
    IPADDRESS,
    NO_SUCH_INSTANCE,
    NO_SUCH_OBJECT,
    NULL,
    OBJECT_IDENTIFIER,
    OCTET_STRING,
    OPAQUE,
    REPORT,
    RESPONSE,
    TIMETICKS,
    V1,
    V2C,
    BerError,
    Response,
    VarBind,
    decode_response,
    encode_request,
    oid_to_str,
    peek_request_id,
    str_to_oid,
)
from tests.lab import Lab

FUZZ = settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
ORACLE = settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])

SYS_NAME = (1, 3, 6, 1, 2, 1, 1, 5, 0)
SYS_UP_TIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
IF_IN_OCTETS_1 = (1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1)

# --- messages captured from net-snmp ------------------------------------------------------------

# snmpget -v2c -c public 1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.5.1 1.3.6.1.2.1.99.0
NET_SNMP_GET_REQUEST = (
    "304402010104067075626c6963a037020468c418810201000201003029300c06082b06010201010500"
    "0500300c06082b060102010105010500300b06072b0601020163000500"
)
NET_SNMP_GET_RESPONSE = (
    "304e02010104067075626c6963a241020468c418810201000201003033301606082b06010201010500"
    "040a70616e7461752d6c6162300c06082b060102010105018100300b06072b0601020163008000"
)
# snmpbulkwalk -v2c -Cr5 -c public 1.3.6.1.2.1.2.2.1.10 (first exchange)
NET_SNMP_BULK_REQUEST = (
    "302a02010104067075626c6963a51d02047f290319020100020105300f300d06092b060102010202010a0500"
)
NET_SNMP_BULK_RESPONSE = (
    "307102010104067075626c6963a26402047f29031902010002010030563010060a2b060102010202010a01"
    "4102060e300f060a2b060102010202010b0141010e300f060a2b060102010202010c01410100300f060a2b"
    "060102010202010d01410100300f060a2b060102010202010e01410100"
)
# snmpgetnext -v2c -c public 2.999.4294967295: past the end of the agent's MIB.
NET_SNMP_END_REQUEST = (
    "302802010104067075626c6963a11b020465850a9e020100020100300d300b060788378fffffff7f0500"
)
NET_SNMP_END_RESPONSE = (
    "302802010104067075626c6963a21b020465850a9e020100020100300d300b060788378fffffff7f8200"
)
# snmpget -v1 -c public 1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.5.1: noSuchName (2) on varbind 2.
NET_SNMP_V1_REQUEST = (
    "303702010004067075626c6963a02a0204598923cb020100020100301c300c06082b060102010105000500"
    "300c06082b060102010105010500"
)
NET_SNMP_V1_ERROR = (
    "303702010004067075626c6963a22a0204598923cb020102020102301c300c06082b060102010105000500"
    "300c06082b060102010105010500"
)
# snmpget -v2c -c public 1.3.6.1.2.1.31.1.1.1.6.1 1.3.6.1.2.1.1.3.0
NET_SNMP_COUNTER64_RESPONSE = (
    "303e02010104067075626c6963a23102045cb1430202010002010030233011060b2b060102011f01010106"
    "01460207b3300e06082b06010201010300430205f8"
)
# snmpgetnext -v2c -c public 1.3.6.1.2.1.4.20.1.1
NET_SNMP_IPADDRESS_RESPONSE = (
    "303202010104067075626c6963a22502041086fce802010002010030173015060d2b060102010414010"
    "17f00000140047f000001"
)
# snmpbulkwalk -v2c -Cr10 -c public 1.3.6.1.2.1.1 (first exchange): 302 octets, so the
# message, PDU and varbind list have long-form lengths.
NET_SNMP_SYSTEM_REQUEST = (
    "302702010104067075626c6963a51a020425683a8502010002010a300c300a06062b06010201010500"
)
NET_SNMP_SYSTEM_RESPONSE = (
    "3082012a02010104067075626c6963a282011b020425683a850201000201003082010b302e06082b06010201"
    "010100042250616e7461752074657374206167656e7420286e65742d736e6d7020352e392e332930160608"
    "2b06010201010200060a2b06010401bf0803020a300e06082b06010201010300430200c7301f06082b0601"
    "020101040004136e6f63406578616d706c652e696e76616c6964301606082b06010201010500040a70616e"
    "7461752d6c6162301e06082b0601020101060004124469736b6f6d696e666f204e4f43206c6162300d0608"
    "2b060102010108004301003017060a2b06010201010901020106092b060106030a0301013017060a2b0601"
    "0201010901020206092b060106030b0301013017060a2b06010201010901020306092b060106030f020101"
)

CAPTURED_MESSAGES = [
    NET_SNMP_GET_REQUEST,
    NET_SNMP_GET_RESPONSE,
    NET_SNMP_BULK_REQUEST,
    NET_SNMP_BULK_RESPONSE,
    NET_SNMP_END_RESPONSE,
    NET_SNMP_V1_ERROR,
    NET_SNMP_COUNTER64_RESPONSE,
    NET_SNMP_IPADDRESS_RESPONSE,
    NET_SNMP_SYSTEM_RESPONSE,
]


def tlv(tag: int, content: bytes) -> bytes:
    """Encode one TLV, with a long-form length of two octets from 128 octets of content."""
    if len(content) < 0x80:
        return bytes((tag, len(content))) + content
    return bytes((tag, 0x82)) + len(content).to_bytes(2) + content


def message_with(varbinds: bytes, *, version: int = V2C, pdu_tag: int = RESPONSE) -> bytes:
    """Wrap encoded varbinds in a message with community "public" and request-id 1."""
    pdu = bytes.fromhex("020101 020100 020100") + tlv(0x30, varbinds)
    body = tlv(INTEGER, bytes((version,))) + tlv(OCTET_STRING, b"public") + tlv(pdu_tag, pdu)
    return tlv(0x30, body)


def varbind(oid_content: bytes, tag: int, value: bytes) -> bytes:
    """Encode one varbind from raw OID content octets and a raw value TLV's parts."""
    return tlv(0x30, tlv(OBJECT_IDENTIFIER, oid_content) + tlv(tag, value))


SYS_NAME_CONTENT = bytes.fromhex("2b06010201010500")


def only_value(tag: int, content: bytes) -> VarBind:
    """Decode a response whose single varbind (sysName.0) has the given value TLV."""
    response = decode_response(message_with(varbind(SYS_NAME_CONTENT, tag, content)))
    assert len(response.varbinds) == 1
    return response.varbinds[0]


# --- captured messages --------------------------------------------------------------------------


def test_captured_get_response_values() -> None:
    response = decode_response(bytes.fromhex(NET_SNMP_GET_RESPONSE))

    assert response.version == V2C
    assert response.community == b"public"
    assert response.pdu_tag == RESPONSE
    assert response.request_id == 0x68C41881
    assert response.error_status == 0
    assert response.error_index == 0
    assert response.varbinds == (
        VarBind(SYS_NAME, OCTET_STRING, b"pantau-lab"),
        VarBind((1, 3, 6, 1, 2, 1, 1, 5, 1), NO_SUCH_INSTANCE, None),
        VarBind((1, 3, 6, 1, 2, 1, 99, 0), NO_SUCH_OBJECT, None),
    )


def test_captured_bulk_response_counters() -> None:
    response = decode_response(bytes.fromhex(NET_SNMP_BULK_RESPONSE))

    assert response.request_id == 0x7F290319
    assert [(vb.oid[-2:], vb.tag, vb.value) for vb in response.varbinds] == [
        ((10, 1), COUNTER32, 1550),
        ((11, 1), COUNTER32, 14),
        ((12, 1), COUNTER32, 0),
        ((13, 1), COUNTER32, 0),
        ((14, 1), COUNTER32, 0),
    ]


def test_captured_end_of_mib_view() -> None:
    response = decode_response(bytes.fromhex(NET_SNMP_END_RESPONSE))

    assert response.varbinds == (VarBind((2, 999, 4_294_967_295), END_OF_MIB_VIEW, None),)


def test_captured_v1_error_status() -> None:
    response = decode_response(bytes.fromhex(NET_SNMP_V1_ERROR))

    assert response.version == V1
    assert response.error_status == 2  # noSuchName
    assert response.error_index == 2
    assert [vb.value for vb in response.varbinds] == [None, None]
    assert [vb.tag for vb in response.varbinds] == [NULL, NULL]


def test_captured_counter64_and_timeticks() -> None:
    response = decode_response(bytes.fromhex(NET_SNMP_COUNTER64_RESPONSE))

    assert response.varbinds == (
        VarBind((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1), COUNTER64, 1971),
        VarBind(SYS_UP_TIME, TIMETICKS, 1528),
    )


def test_captured_ip_address() -> None:
    response = decode_response(bytes.fromhex(NET_SNMP_IPADDRESS_RESPONSE))

    assert response.varbinds == (
        VarBind((1, 3, 6, 1, 2, 1, 4, 20, 1, 1, 127, 0, 0, 1), IPADDRESS, b"\x7f\x00\x00\x01"),
    )


def test_captured_long_form_system_walk() -> None:
    response = decode_response(bytes.fromhex(NET_SNMP_SYSTEM_RESPONSE))

    assert len(bytes.fromhex(NET_SNMP_SYSTEM_RESPONSE)) == 302
    assert [(oid_to_str(vb.oid), vb.tag, vb.value) for vb in response.varbinds] == [
        ("1.3.6.1.2.1.1.1.0", OCTET_STRING, b"Pantau test agent (net-snmp 5.9.3)"),
        ("1.3.6.1.2.1.1.2.0", OBJECT_IDENTIFIER, (1, 3, 6, 1, 4, 1, 8072, 3, 2, 10)),
        ("1.3.6.1.2.1.1.3.0", TIMETICKS, 199),
        ("1.3.6.1.2.1.1.4.0", OCTET_STRING, b"noc@example.invalid"),
        ("1.3.6.1.2.1.1.5.0", OCTET_STRING, b"pantau-lab"),
        ("1.3.6.1.2.1.1.6.0", OCTET_STRING, b"Diskominfo NOC lab"),
        ("1.3.6.1.2.1.1.8.0", TIMETICKS, 0),
        ("1.3.6.1.2.1.1.9.1.2.1", OBJECT_IDENTIFIER, (1, 3, 6, 1, 6, 3, 10, 3, 1, 1)),
        ("1.3.6.1.2.1.1.9.1.2.2", OBJECT_IDENTIFIER, (1, 3, 6, 1, 6, 3, 11, 3, 1, 1)),
        ("1.3.6.1.2.1.1.9.1.2.3", OBJECT_IDENTIFIER, (1, 3, 6, 1, 6, 3, 15, 2, 1, 1)),
    ]


@pytest.mark.parametrize(
    ("captured", "version", "pdu_tag", "request_id", "oids", "max_repetitions"),
    [
        (
            NET_SNMP_GET_REQUEST,
            V2C,
            GET,
            0x68C41881,
            [SYS_NAME, (1, 3, 6, 1, 2, 1, 1, 5, 1), (1, 3, 6, 1, 2, 1, 99, 0)],
            0,
        ),
        (NET_SNMP_BULK_REQUEST, V2C, GETBULK, 0x7F290319, [(1, 3, 6, 1, 2, 1, 2, 2, 1, 10)], 5),
        (NET_SNMP_END_REQUEST, V2C, GETNEXT, 0x65850A9E, [(2, 999, 4_294_967_295)], 0),
        (NET_SNMP_V1_REQUEST, V1, GET, 0x598923CB, [SYS_NAME, (1, 3, 6, 1, 2, 1, 1, 5, 1)], 0),
        (NET_SNMP_SYSTEM_REQUEST, V2C, GETBULK, 0x25683A85, [(1, 3, 6, 1, 2, 1, 1)], 10),
    ],
)
def test_encode_request_matches_net_snmp(
    captured: str,
    version: int,
    pdu_tag: int,
    request_id: int,
    oids: list[tuple[int, ...]],
    max_repetitions: int,
) -> None:
    encoded = encode_request(
        version, b"public", pdu_tag, request_id, oids, max_repetitions=max_repetitions
    )

    assert encoded.hex() == captured


@pytest.mark.parametrize("captured", CAPTURED_MESSAGES)
def test_peek_request_id_of_captured(captured: str) -> None:
    message = bytes.fromhex(captured)

    assert peek_request_id(message) == decode_response(message).request_id
    assert peek_request_id(memoryview(message)) == decode_response(message).request_id


# --- value tags and integers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "content", "expected"),
    [
        (INTEGER, b"\x00", 0),
        (INTEGER, b"\x7f", 127),
        (INTEGER, b"\x00\x80", 128),
        (INTEGER, b"\xff", -1),
        (INTEGER, b"\x80", -128),
        (INTEGER, b"\x80\x00\x00\x00", -(2**31)),
        (INTEGER, b"\xff\x80\x00\x00\x00", -(2**31)),  # pyasn1 0.6 pads like this
        (INTEGER, b"\x80" + bytes(15), -(2**127)),
        (OCTET_STRING, b"", b""),
        (OCTET_STRING, b"\x00\xffGi0/1", b"\x00\xffGi0/1"),
        (NULL, b"", None),
        (OBJECT_IDENTIFIER, b"\x2b\x06\x01", (1, 3, 6, 1)),
        (IPADDRESS, b"\x0a\x00\x00\x01", b"\x0a\x00\x00\x01"),
        (COUNTER32, b"\x00\xff\xff\xff\xff", 2**32 - 1),
        (GAUGE32, b"\x3b\x9a\xca\x00", 1_000_000_000),
        (TIMETICKS, b"\x00\xc7", 199),
        (OPAQUE, b"\x9f\x78\x04\x3f\x80\x00\x00", b"\x9f\x78\x04\x3f\x80\x00\x00"),
        (COUNTER64, b"\x00" + b"\xff" * 8, 2**64 - 1),
        (COUNTER64, b"\x07\xb3", 1971),
        (NO_SUCH_OBJECT, b"", None),
        (NO_SUCH_INSTANCE, b"", None),
        (END_OF_MIB_VIEW, b"", None),
    ],
)
def test_value_of_every_tag(tag: int, content: bytes, expected: object) -> None:
    decoded = only_value(tag, content)

    assert decoded.oid == SYS_NAME
    assert decoded.tag == tag
    assert decoded.value == expected
    assert type(decoded.value) is type(expected)


@pytest.mark.parametrize(
    ("tag", "content", "expected"),
    [
        # No leading 0x00 before a first octet >= 0x80: read as unsigned, not negative.
        (COUNTER32, b"\xff\xff\xff\xff", 2**32 - 1),
        (COUNTER32, b"\x80\x00\x00\x00", 2**31),
        (COUNTER32, b"\xff", 255),
        (GAUGE32, b"\xfe", 254),
        (TIMETICKS, b"\x80\x00", 0x8000),
        (COUNTER64, b"\xff" * 8, 2**64 - 1),
        # Too large for the type: passed through for the caller's range check.
        (COUNTER32, b"\x01\x00\x00\x00\x00", 2**32),
        (GAUGE32, b"\x12\x34\x56\x78\x9a", 0x123456789A),
        (COUNTER64, b"\x01" + bytes(8), 2**64),
        (INTEGER, b"\x01\x00\x00\x00\x00", 2**32),
        # An empty integer reads as 0, as pyasn1 reads it.
        (COUNTER32, b"", 0),
        (INTEGER, b"", 0),
    ],
)
def test_value_outside_type_decoded_raw(tag: int, content: bytes, expected: int) -> None:
    assert only_value(tag, content).value == expected


def test_bad_value_keeps_other_varbinds() -> None:
    varbinds = (
        varbind(SYS_NAME_CONTENT, COUNTER32, b"\x01\x00\x00\x00\x00")
        + varbind(bytes.fromhex("2b06010201010300"), TIMETICKS, b"\x05")
        + varbind(bytes.fromhex("2b06010201010100"), IPADDRESS, b"\x0a\x00")
    )

    response = decode_response(message_with(varbinds))

    assert [vb.value for vb in response.varbinds] == [2**32, 5, b"\x0a\x00"]


@pytest.mark.parametrize(
    ("tag", "content", "expected"),
    [
        (0x47, b"\x01\x02", b"\x01\x02"),  # an application tag that SMIv2 does not define
        (0x01, b"\xff", b"\xff"),  # BOOLEAN
        (0x03, b"\x00\xa0", b"\x00\xa0"),  # BIT STRING
        (0x30, b"\x05\x00", b"\x05\x00"),  # a constructed value
    ],
)
def test_unknown_tag_kept_raw(tag: int, content: bytes, expected: bytes) -> None:
    decoded = only_value(tag, content)

    assert decoded.tag == tag
    assert decoded.value == expected


def test_content_after_null_ignored() -> None:
    assert only_value(NULL, b"\x01").value is None
    assert only_value(END_OF_MIB_VIEW, b"\x00\x00").value is None


# --- object identifiers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x27", (0, 39)),
        (b"\x28", (1, 0)),
        (b"\x4f", (1, 39)),
        (b"\x50", (2, 0)),
        (b"\x78", (2, 40)),
        (b"\x88\x37", (2, 999)),
        (b"\x2b\x06\x01\x04\x01\xbf\x08", (1, 3, 6, 1, 4, 1, 8072)),
        (b"\x2b\x8f\xff\xff\xff\x7f", (1, 3, 2**32 - 1)),
        (b"\x2b\x90\x80\x80\x80\x00", (1, 3, 2**32)),
        (b"\x2b" + b"\x81" * 9 + b"\x01", (1, 3, sum(1 << (7 * i) for i in range(10)))),
        (b"\x2b\x80\x05", (1, 3, 5)),  # 0x80 padding, not minimal
        (b"", ()),
    ],
)
def test_oid_subidentifiers(content: bytes, expected: tuple[int, ...]) -> None:
    snmp_ber.clear_oid_cache()
    name_and_value = varbind(content, OBJECT_IDENTIFIER, content)

    decoded = decode_response(message_with(name_and_value)).varbinds[0]

    assert decoded.oid == expected
    assert decoded.value == expected


def test_oid_cache_gives_same_result() -> None:
    message = bytes.fromhex(NET_SNMP_SYSTEM_RESPONSE)
    snmp_ber.clear_oid_cache()

    cold = decode_response(message)
    warm = decode_response(message)

    assert warm == cold
    assert warm.varbinds[1].value == (1, 3, 6, 1, 4, 1, 8072, 3, 2, 10)


def test_oid_cache_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snmp_ber, "_OID_CACHE_SIZE", 4)
    snmp_ber.clear_oid_cache()
    oids = [(1, 3, 6, 1, 2, 1, 2, 2, 1, 10, index) for index in range(1, 200, 7)]
    varbinds = b"".join(varbind(encoded_oid_content(oid), NULL, b"") for oid in oids)

    response = decode_response(message_with(varbinds))

    assert [vb.oid for vb in response.varbinds] == oids
    assert len(snmp_ber._oid_cache) <= 4


def encoded_oid_content(oid: tuple[int, ...]) -> bytes:
    """Return the content octets of ``oid`` as pyasn1 encodes them."""
    return encoder.encode(v2c.ObjectIdentifier(oid))[2:]


# --- structural errors --------------------------------------------------------------------------


def expect_error(message: bytes) -> BerError:
    """Decode ``message``, which must be malformed, and return the BerError."""
    with pytest.raises(BerError) as caught:
        decode_response(message)
    request_id = peek_request_id(message)  # must not raise either
    assert request_id is None or isinstance(request_id, int)
    return caught.value


def test_error_names_offset_and_expectation() -> None:
    error = expect_error(bytes.fromhex("0400"))

    assert error.offset == 0
    assert error.expected == "SEQUENCE (SNMP message)"
    assert error.found == "tag 0x04"
    assert str(error) == (
        "malformed SNMP message at offset 0: expected SEQUENCE (SNMP message), found tag 0x04"
    )


def test_indefinite_length_rejected() -> None:
    good = bytes.fromhex(NET_SNMP_GET_RESPONSE)
    indefinite = b"\x30\x80" + good[2:] + b"\x00\x00"

    error = expect_error(indefinite)

    assert error.offset == 1
    assert error.expected == "a definite length"
    assert "0x80" in error.found


def test_indefinite_value_length_rejected() -> None:
    name = tlv(OBJECT_IDENTIFIER, SYS_NAME_CONTENT)
    message = message_with(tlv(0x30, name + b"\x04\x80abc\x00\x00"))

    error = expect_error(message)

    assert error.offset == 39  # the length octet after the value's tag at 38
    assert error.expected == "a definite length"


def test_reserved_length_octet_rejected() -> None:
    error = expect_error(b"\x30\xff" + bytes.fromhex(NET_SNMP_GET_RESPONSE)[2:])

    assert error.offset == 1
    assert "0xFF" in error.found


def test_long_form_lengths_everywhere() -> None:
    def long_tlv(tag: int, content: bytes) -> bytes:
        return bytes((tag, 0x84)) + len(content).to_bytes(4) + content

    value = long_tlv(COUNTER64, b"\x00" + b"\xff" * 8)
    name = long_tlv(OBJECT_IDENTIFIER, bytes.fromhex("2b060102011f0101010601"))
    varbinds = long_tlv(0x30, long_tlv(0x30, name + value))
    pdu = long_tlv(
        RESPONSE,
        long_tlv(INTEGER, b"\x2a")
        + long_tlv(INTEGER, b"\x00")
        + long_tlv(INTEGER, b"\x00")
        + varbinds,
    )
    message = long_tlv(0x30, long_tlv(INTEGER, b"\x01") + long_tlv(OCTET_STRING, b"public") + pdu)

    response = decode_response(message)

    assert response.request_id == 42
    assert response.varbinds == (
        VarBind((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1), COUNTER64, 2**64 - 1),
    )
    assert peek_request_id(message) == 42


def test_length_past_end_rejected() -> None:
    good = bytes.fromhex(NET_SNMP_GET_RESPONSE)

    error = expect_error(good[:-1])

    assert error.offset == 0
    assert error.found == "a length of 78 octets"


def test_trailing_bytes_rejected() -> None:
    error = expect_error(bytes.fromhex(NET_SNMP_GET_RESPONSE) + b"\x00")

    assert error.offset == 80
    assert error.found == "1 bytes after the message"


@pytest.mark.parametrize("version", [2, 3, -1, 256])
def test_other_versions_rejected(version: int) -> None:
    content = version.to_bytes(2, signed=True)
    message = tlv(0x30, tlv(INTEGER, content) + tlv(OCTET_STRING, b"x") + tlv(RESPONSE, b""))

    error = expect_error(message)

    assert error.offset == 2
    assert error.found == f"version {version}"
    assert peek_request_id(message) is None


def test_v1_trap_pdu_rejected() -> None:
    good = bytearray(bytes.fromhex(NET_SNMP_V1_ERROR))
    good[13] = 0xA4

    error = expect_error(bytes(good))

    assert error.offset == 13
    assert error.found == "tag 0xA4"
    assert peek_request_id(bytes(good)) is None


@pytest.mark.parametrize(
    ("position", "value", "offset", "expected"),
    [
        (5, 0x06, 5, "OCTET STRING (community)"),
        (15, 0x04, 15, "INTEGER (request-id)"),
        (27, 0x31, 27, "SEQUENCE (varbind list)"),
        (29, 0x04, 29, "SEQUENCE (varbind)"),
        (31, 0x04, 31, "OBJECT IDENTIFIER (varbind name)"),
    ],
)
def test_wrong_tag_rejected(position: int, value: int, offset: int, expected: str) -> None:
    message = bytearray(bytes.fromhex(NET_SNMP_GET_RESPONSE))
    message[position] = value

    error = expect_error(bytes(message))

    assert error.offset == offset
    assert error.expected == expected


def test_value_not_ending_varbind_rejected() -> None:
    name = tlv(OBJECT_IDENTIFIER, SYS_NAME_CONTENT)
    extra = tlv(0x30, name + tlv(INTEGER, b"\x01") + tlv(NULL, b""))

    error = expect_error(message_with(extra))

    assert error.expected.startswith("a value that ends the varbind")


def test_truncated_subidentifier_rejected() -> None:
    error = expect_error(message_with(varbind(b"\x2b\x06\x81", NULL, b"")))

    assert error.expected == "the last octet of a subidentifier"


def test_high_tag_number_rejected() -> None:
    error = expect_error(message_with(varbind(SYS_NAME_CONTENT, 0x5F, b"\x01")))

    assert error.expected == "a value tag of one octet"


def test_empty_request_id_rejected() -> None:
    message = tlv(
        0x30,
        tlv(INTEGER, b"\x01")
        + tlv(OCTET_STRING, b"")
        + tlv(RESPONSE, tlv(INTEGER, b"") + bytes.fromhex("020100 020100 3000")),
    )

    error = expect_error(message)

    assert "request-id" in error.expected
    assert peek_request_id(message) is None


def test_every_truncation_rejected() -> None:
    for captured in CAPTURED_MESSAGES:
        message = bytes.fromhex(captured)
        for size in range(len(message)):
            with pytest.raises(BerError):
                decode_response(message[:size])


# --- encoding -----------------------------------------------------------------------------------


def test_encode_long_message_uses_long_form() -> None:
    oids = [(1, 3, 6, 1, 2, 1, 2, 2, 1, column, 1) for column in range(1, 23)]

    message = encode_request(V2C, b"c" * 200, GET, 1, oids)
    decoded, rest = decoder.decode(message, asn1Spec=v2c.Message())

    assert message[1] == 0x82
    assert rest == b""
    assert bytes(v2c.apiMessage.get_community(decoded)) == b"c" * 200
    pdu = v2c.apiMessage.get_pdu(decoded)
    assert [tuple(name) for name, _ in v2c.apiPDU.get_varbinds(pdu)] == oids


@pytest.mark.parametrize(
    ("arguments", "keywords", "message"),
    [
        ((2, b"p", GET, 1, [SYS_NAME]), {}, "SNMP version must be V1 (0) or V2C (1)"),
        ((V2C, b"p", RESPONSE, 1, [SYS_NAME]), {}, "PDU tag must be GET, GETNEXT or GETBULK"),
        ((V1, b"p", GETBULK, 1, [SYS_NAME]), {}, "GETBULK needs SNMPv2c"),
        ((V2C, b"p", GET, 1, [SYS_NAME]), {"max_repetitions": 10}, "apply to GETBULK only"),
        ((V2C, b"p", GET, 2**31, [SYS_NAME]), {}, "outside the Integer32 range"),
        ((V2C, b"p", GET, -(2**31) - 1, [SYS_NAME]), {}, "outside the Integer32 range"),
        ((V2C, b"p", GETBULK, 1, [SYS_NAME]), {"non_repeaters": -1}, "non_repeaters -1"),
        ((V2C, b"p", GETBULK, 1, [SYS_NAME]), {"max_repetitions": 2**31}, "max_repetitions"),
        ((V2C, b"p", GET, 1, [(1,)]), {}, "at least two arcs"),
        ((V2C, b"p", GET, 1, [(3, 1)]), {}, "must start with arc 0, 1 or 2"),
        ((V2C, b"p", GET, 1, [(1, 40)]), {}, "second arc must be at most 39"),
        ((V2C, b"p", GET, 1, [(1, 3, -1)]), {}, "non-negative integers"),
    ],
)
def test_encode_rejects_invalid_request(
    arguments: tuple[Any, ...], keywords: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        encode_request(*arguments, **keywords)


def test_encode_rejects_text_community() -> None:
    with pytest.raises(TypeError, match="community must be bytes, not str"):
        encode_request(V2C, "public", GET, 1, [SYS_NAME])  # type: ignore[arg-type]


def test_encode_accepts_extreme_request_ids() -> None:
    for request_id in (-(2**31), -1, 0, 127, 128, 2**31 - 1):
        message = encode_request(V2C, b"public", GET, request_id, [SYS_NAME])

        assert peek_request_id(message) == request_id
        assert decode_response(message).request_id == request_id


# --- text form of OIDs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.3.6.1.2.1.1.5.0", SYS_NAME),
        (".1.3.6.1.2.1.1.5.0", SYS_NAME),
        ("2.999.4294967295", (2, 999, 4_294_967_295)),
        ("0.0", (0, 0)),
    ],
)
def test_str_to_oid_parses(text: str, expected: tuple[int, ...]) -> None:
    assert str_to_oid(text) == expected


@pytest.mark.parametrize(
    "text", ["", ".", "1", "1..3", "1.3.", " 1.3", "1.3 ", "a.b", "1.-3", "٣.1", "3.1", "1.40"]
)
def test_str_to_oid_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="OID"):
        str_to_oid(text)


def test_oid_to_str_formats() -> None:
    assert oid_to_str(SYS_NAME) == "1.3.6.1.2.1.1.5.0"
    assert oid_to_str(()) == ""


def test_module_doctests() -> None:
    failures, tried = doctest.testmod(snmp_ber)

    assert tried > 0
    assert failures == 0


# --- pyasn1 as the oracle -----------------------------------------------------------------------

UNSIGNED32 = st.integers(0, 2**32 - 1)
SUBIDENTIFIER = st.one_of(st.integers(0, 127), st.integers(0, 2**32 - 1))


@st.composite
def oids(draw: st.DrawFn) -> tuple[int, ...]:
    """Draw an encodable OID: first arc 0 to 2, second under 40 unless the first is 2."""
    first = draw(st.integers(0, 2))
    second = draw(st.integers(0, 39) if first < 2 else st.integers(0, 2**32 - 1))
    return (first, second, *draw(st.lists(SUBIDENTIFIER, max_size=20)))


VALUES: dict[int, st.SearchStrategy[Any]] = {
    INTEGER: st.integers(-(2**31), 2**31 - 1),
    OCTET_STRING: st.binary(max_size=300),
    NULL: st.none(),
    OBJECT_IDENTIFIER: oids(),
    IPADDRESS: st.binary(min_size=4, max_size=4),
    COUNTER32: UNSIGNED32,
    GAUGE32: UNSIGNED32,
    TIMETICKS: UNSIGNED32,
    OPAQUE: st.binary(max_size=40),
    COUNTER64: st.integers(0, 2**64 - 1),
    NO_SUCH_OBJECT: st.none(),
    NO_SUCH_INSTANCE: st.none(),
    END_OF_MIB_VIEW: st.none(),
}
PYSNMP_V2C_TYPES: dict[int, Callable[..., Any]] = {
    INTEGER: v2c.Integer,
    OCTET_STRING: v2c.OctetString,
    NULL: v2c.Null,
    OBJECT_IDENTIFIER: v2c.ObjectIdentifier,
    IPADDRESS: v2c.IpAddress,
    COUNTER32: v2c.Counter32,
    GAUGE32: v2c.Gauge32,
    TIMETICKS: v2c.TimeTicks,
    OPAQUE: v2c.Opaque,
    COUNTER64: v2c.Counter64,
    NO_SUCH_OBJECT: v2c.NoSuchObject,
    NO_SUCH_INSTANCE: v2c.NoSuchInstance,
    END_OF_MIB_VIEW: v2c.EndOfMibView,
}
PYSNMP_V1_TYPES: dict[int, Callable[..., Any]] = {
    INTEGER: v1.Integer,
    OCTET_STRING: v1.OctetString,
    NULL: v1.Null,
    OBJECT_IDENTIFIER: v1.ObjectIdentifier,
    IPADDRESS: v1.IpAddress,
    COUNTER32: v1.Counter,
    GAUGE32: v1.Gauge,
    TIMETICKS: v1.TimeTicks,
    OPAQUE: v1.Opaque,
}


@st.composite
def varbind_lists(draw: st.DrawFn, tags: Sequence[int]) -> list[VarBind]:
    """Draw up to 30 varbinds whose value tags are among ``tags``."""
    result = []
    for _ in range(draw(st.integers(0, 30))):
        tag = draw(st.sampled_from(tags))
        result.append(VarBind(draw(oids()), tag, draw(VALUES[tag])))
    return result


def encode_with_pysnmp(
    version: int,
    community: bytes,
    request_id: int,
    error_status: int,
    error_index: int,
    varbinds: Sequence[VarBind],
) -> bytes:
    """Encode a Response-PDU message with pysnmp's types and pyasn1's BER encoder."""
    api = v1 if version == V1 else v2c
    types = PYSNMP_V1_TYPES if version == V1 else PYSNMP_V2C_TYPES
    pdu = api.GetResponsePDU()
    api.apiPDU.set_defaults(pdu)
    api.apiPDU.set_request_id(pdu, request_id)
    api.apiPDU.set_error_status(pdu, error_status)
    api.apiPDU.set_error_index(pdu, error_index)
    values = [
        (vb.oid, types[vb.tag]("") if vb.value is None else types[vb.tag](vb.value))
        for vb in varbinds
    ]
    api.apiPDU.set_varbinds(pdu, values)
    message = api.Message()
    api.apiMessage.set_defaults(message)
    api.apiMessage.set_community(message, community)
    api.apiMessage.set_pdu(message, pdu)
    return bytes(encoder.encode(message))


def decode_with_pyasn1(message: bytes) -> Response:
    """Decode ``message`` with pyasn1 into this module's Response, or raise PyAsn1Error."""
    version = int(decoder.decode(message, asn1Spec=v2c.Message())[0]["version"])
    api = v1 if version == V1 else v2c
    decoded, rest = decoder.decode(message, asn1Spec=api.Message())
    if rest:
        raise PyAsn1Error("bytes after the message")
    pdu = api.apiMessage.get_pdu(decoded)
    pdu_tag = pdu.tagSet[-1]
    varbinds = []
    for name, value in api.apiPDU.get_varbinds(pdu):
        tag = value.tagSet[-1]
        tag_byte = tag.tagClass | tag.tagFormat | tag.tagId
        python_value: object
        if tag_byte in (NULL, NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB_VIEW):
            python_value = None
        elif tag_byte == OBJECT_IDENTIFIER:
            python_value = tuple(value)
        elif tag_byte in (OCTET_STRING, IPADDRESS, OPAQUE):
            python_value = value.asOctets()
        else:
            python_value = int(value)
        varbinds.append(VarBind(tuple(name), tag_byte, python_value))  # type: ignore[arg-type]
    return Response(
        version,
        api.apiMessage.get_community(decoded).asOctets(),
        pdu_tag.tagClass | pdu_tag.tagFormat | pdu_tag.tagId,
        # By position: pysnmp's getters reject a GETBULK's max-repetitions as an error-index.
        int(pdu[0]),
        int(pdu[1]),
        int(pdu[2]),
        tuple(varbinds),
    )


@ORACLE
@given(
    community=st.binary(max_size=200),
    request_id=st.integers(-(2**31), 2**31 - 1),
    error_status=st.integers(0, 18),
    error_index=st.integers(0, 30),
    varbinds=varbind_lists(list(PYSNMP_V2C_TYPES)),
)
def test_pysnmp_v2c_messages_decode_equal(
    community: bytes, request_id: int, error_status: int, error_index: int, varbinds: list[VarBind]
) -> None:
    message = encode_with_pysnmp(V2C, community, request_id, error_status, error_index, varbinds)

    response = decode_response(message)

    assert response == Response(
        V2C, community, RESPONSE, request_id, error_status, error_index, tuple(varbinds)
    )
    assert peek_request_id(message) == request_id


@ORACLE
@given(
    request_id=st.integers(-(2**31), 2**31 - 1),
    error_status=st.integers(0, 5),
    varbinds=varbind_lists(list(PYSNMP_V1_TYPES)),
)
def test_pysnmp_v1_messages_decode_equal(
    request_id: int, error_status: int, varbinds: list[VarBind]
) -> None:
    message = encode_with_pysnmp(V1, b"public", request_id, error_status, 0, varbinds)

    response = decode_response(message)

    assert response == Response(
        V1, b"public", RESPONSE, request_id, error_status, 0, tuple(varbinds)
    )


@ORACLE
@given(
    version=st.sampled_from([V1, V2C]),
    pdu_tag=st.sampled_from([GET, GETNEXT, GETBULK]),
    community=st.binary(max_size=300),
    request_id=st.integers(-(2**31), 2**31 - 1),
    names=st.lists(oids(), max_size=40),
    non_repeaters=st.integers(0, 2**31 - 1),
    max_repetitions=st.integers(0, 2**31 - 1),
)
def test_encoded_requests_decode_in_pyasn1(
    version: int,
    pdu_tag: int,
    community: bytes,
    request_id: int,
    names: list[tuple[int, ...]],
    non_repeaters: int,
    max_repetitions: int,
) -> None:
    assume(not (pdu_tag == GETBULK and version == V1))
    bulk = {"non_repeaters": non_repeaters, "max_repetitions": max_repetitions}
    message = encode_request(
        version, community, pdu_tag, request_id, names, **(bulk if pdu_tag == GETBULK else {})
    )

    api = v1 if version == V1 else v2c
    decoded, rest = decoder.decode(message, asn1Spec=api.Message())
    pdu = api.apiMessage.get_pdu(decoded)

    assert rest == b""
    assert int(decoded["version"]) == version
    assert api.apiMessage.get_community(decoded).asOctets() == community
    assert pdu.tagSet[-1].tagId | 0xA0 == pdu_tag
    assert int(api.apiPDU.get_request_id(pdu)) == request_id
    assert [tuple(name) for name, _ in api.apiPDU.get_varbinds(pdu)] == names
    assert all(value.tagSet[-1].tagId == NULL for _, value in api.apiPDU.get_varbinds(pdu))
    if pdu_tag == GETBULK:
        assert int(v2c.apiBulkPDU.get_non_repeaters(pdu)) == non_repeaters
        assert int(v2c.apiBulkPDU.get_max_repetitions(pdu)) == max_repetitions
    else:
        assert int(api.apiPDU.get_error_status(pdu)) == 0
        assert int(api.apiPDU.get_error_index(pdu)) == 0
    assert decode_response(message) == decode_with_pyasn1(message)


@ORACLE
@given(oid=oids())
def test_oid_text_round_trip(oid: tuple[int, ...]) -> None:
    assert str_to_oid(oid_to_str(oid)) == oid
    assert str_to_oid("." + oid_to_str(oid)) == oid


# --- fuzzing ------------------------------------------------------------------------------------


def decode_or_reject(message: bytes) -> Response | None:
    """Decode ``message``; return None on BerError. Any other exception fails the test."""
    request_id = peek_request_id(message)
    assert request_id is None or isinstance(request_id, int)
    try:
        response = decode_response(message)
    except BerError as error:
        assert 0 <= error.offset <= len(message)
        return None
    assert request_id == response.request_id
    return response


@FUZZ
@given(st.binary(max_size=600))
@example(b"0")
@example(b"\x30\x80")
@example(b"\x30\x84\xff\xff\xff\xff")
@example(b"\x30\x03\x02\x01\x01")
def test_random_bytes_never_crash(message: bytes) -> None:
    decode_or_reject(message)


@FUZZ
@given(st.binary(max_size=120))
def test_random_bytes_after_valid_header(tail: bytes) -> None:
    # Random bytes alone rarely get past the first tag: start them inside a valid PDU.
    head = bytes.fromhex("3082ffff 020101 0406 7075626c6963 a282ffff 020101 020100 020100 3082ffff")
    decode_or_reject(head + tail)
    decode_or_reject(bytes.fromhex(NET_SNMP_GET_RESPONSE)[:29] + tail)


@st.composite
def mutated_messages(draw: st.DrawFn, max_mutations: int = 4) -> bytes:
    """Draw a captured or pysnmp-encoded message, then damage it up to ``max_mutations`` times."""
    if draw(st.booleans()):
        message = bytearray(bytes.fromhex(draw(st.sampled_from(CAPTURED_MESSAGES))))
    else:
        varbinds = draw(varbind_lists(list(PYSNMP_V2C_TYPES)))
        message = bytearray(encode_with_pysnmp(V2C, b"public", 7, 0, 0, varbinds))
    for _ in range(draw(st.integers(1, max_mutations))):
        kind = draw(st.sampled_from(["truncate", "flip", "set", "insert", "delete"]))
        position = draw(st.integers(0, max(len(message) - 1, 0)))
        if kind == "truncate":
            del message[position:]
        elif not message:
            break
        elif kind == "flip":
            message[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set":
            message[position] = draw(st.sampled_from([0x00, 0x7F, 0x80, 0x81, 0x82, 0x84, 0xFF]))
        elif kind == "insert":
            message[position:position] = draw(st.binary(min_size=1, max_size=4))
        else:
            del message[position : position + draw(st.integers(1, 4))]
    return bytes(message)


@FUZZ
@given(mutated_messages())
def test_mutated_messages_never_crash(message: bytes) -> None:
    decode_or_reject(message)


@FUZZ
@given(mutated_messages(max_mutations=1))
def test_mutated_messages_agree_with_pyasn1(message: bytes) -> None:
    ours = decode_or_reject(message)
    try:
        theirs = decode_with_pyasn1(message)
    except (PyAsn1Error, ValueError, TypeError, IndexError):
        # pyasn1 rejects it, or its types reject a value that we pass through.
        # pyasn1 0.6 raises IndexError for some damaged SEQUENCE OF lengths.
        return
    assume(ours is not None)

    assert ours == theirs


# --- a live net-snmp agent ----------------------------------------------------------------------

SNMPD_CONFIG = """\
agentAddress udp:127.0.0.1:161
rocommunity public 127.0.0.1
sysName pantau-live
sysLocation Ruang server Diskominfo
sysDescr Pantau live test agent
"""

LIVE_CLIENT = """\
import socket, sys
from probes import snmp_ber as ber

requests = [
    ber.encode_request(ber.V2C, b"public", ber.GETBULK, 11, [(1, 3, 6, 1, 2, 1, 1)],
                       max_repetitions=6),
    ber.encode_request(ber.V2C, b"public", ber.GET, 12,
                       [(1, 3, 6, 1, 2, 1, 1, 5, 0), (1, 3, 6, 1, 2, 1, 1, 5, 7),
                        (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1)]),
    ber.encode_request(ber.V2C, b"public", ber.GETNEXT, 13, [(2, 999, 4294967295)]),
    ber.encode_request(ber.V1, b"public", ber.GET, 14, [(1, 3, 6, 1, 2, 1, 1, 6, 0)]),
]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(0.5)
for request in requests:
    # snmpd may still be starting: retry for up to 20 s.
    for attempt in range(40):
        sock.sendto(request, ("127.0.0.1", 161))
        try:
            reply = sock.recv(65535)
        except TimeoutError:
            continue
        if ber.peek_request_id(reply) == ber.peek_request_id(request):
            break
    else:
        sys.exit(f"no reply from snmpd to request {ber.peek_request_id(request)}")
    print(reply.hex())
"""


@pytest.mark.netns
def test_live_snmpd_exchange(lab: Lab, tmp_path: Path) -> None:
    snmpd = shutil.which("snmpd") or "/usr/sbin/snmpd"
    if not Path(snmpd).exists():
        pytest.fail("snmpd not found: install the Debian package snmpd", pytrace=False)
    config = tmp_path / "snmpd.conf"
    config.write_text(SNMPD_CONFIG)
    lab.prober.popen(
        [snmpd, "-f", "-C", "-c", str(config), "-Lf", str(tmp_path / "snmpd.log")],
        env={"MIBS": "", "MIBDIRS": str(tmp_path)},
    )

    output = lab.prober.python(textwrap.dedent(LIVE_CLIENT), timeout=60)
    bulk, get, getnext, get_v1 = (decode_response(bytes.fromhex(line)) for line in output.split())

    assert bulk.request_id == 11
    assert bulk.pdu_tag == RESPONSE
    assert [vb.oid for vb in bulk.varbinds][:3] == [
        (1, 3, 6, 1, 2, 1, 1, 1, 0),
        (1, 3, 6, 1, 2, 1, 1, 2, 0),
        SYS_UP_TIME,
    ]
    assert bulk.varbinds[0].value == b"Pantau live test agent"
    assert bulk.varbinds[1].value == (1, 3, 6, 1, 4, 1, 8072, 3, 2, 10)
    assert bulk.varbinds[2].tag == TIMETICKS
    assert get.varbinds[0] == VarBind(SYS_NAME, OCTET_STRING, b"pantau-live")
    assert get.varbinds[1] == VarBind((1, 3, 6, 1, 2, 1, 1, 5, 7), NO_SUCH_INSTANCE, None)
    assert get.varbinds[2].tag == COUNTER64
    assert isinstance(get.varbinds[2].value, int)
    assert getnext.varbinds == (VarBind((2, 999, 4_294_967_295), END_OF_MIB_VIEW, None),)
    assert get_v1.version == V1
    assert get_v1.varbinds[0].value == b"Ruang server Diskominfo"
    assert REPORT not in (bulk.pdu_tag, get.pdu_tag, getnext.pdu_tag, get_v1.pdu_tag)
