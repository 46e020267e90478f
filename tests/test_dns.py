"""DNS probe against real servers in a test network, and its value normalisation.

Two servers answer: tests/lab/dns_server.py in a host namespace, serving the
zone ZONE with faulty names, and dnsmasq on the prober's 127.0.0.53
(``lab.add_resolver``). The probe always runs inside the prober namespace.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import dns.flags
import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset
import pytest
from hypothesis import given
from hypothesis import strategies as st

from probes import base
from probes.dns import (
    MAX_CNAME_CHAIN,
    MAX_MESSAGE_CHARS,
    MAX_SUMMARY_CHARS,
    DnsDetail,
    DnsRequest,
    answers_for_question,
    missing_values,
    normalize_value,
    probe,
    render_rdata,
)
from tests.lab.dns_server import start_dns_server
from tests.lab.netns import Lab

ORIGIN = "pantau.lab"
ZONE = """\
$TTL 300
@          IN SOA   ns.pantau.lab. noc.pantau.lab. 1 3600 600 86400 300
@          IN NS    ns
ns         IN A     10.203.1.2
simpeg     IN A     10.20.0.5
simpeg     IN A     10.20.0.6
simpeg     IN AAAA  fd00:20::5
portal     IN CNAME Simpeg.pantau.lab.
@          IN MX    10 mail
@          IN MX    20 Mail2.pantau.lab.
@          IN TXT   "v=spf1 ip4:10.20.0.0/16 -all"
split      IN TXT   "first part, " "second part"
truncated  IN A     10.20.0.9
"""
FAULTS = {
    "silent": ["silent.pantau.lab"],
    "garbage": ["garbage.pantau.lab"],
    "wrong_id": ["wrongid.pantau.lab"],
    "truncate": ["truncated.pantau.lab"],
    "rcode": ["broken.pantau.lab=SERVFAIL", "closed.pantau.lab=REFUSED"],
}

PROBE_IN_PROBER = textwrap.dedent(
    """
    import asyncio, json
    from probes.dns import DnsRequest, probe

    async def main(requests):
        results = await asyncio.gather(*(probe(DnsRequest(**r)) for r in requests))
        return [
            {{
                "reason": r.reason,
                "values": dict(r.values),
                "rcode": r.detail.rcode,
                "answers": list(r.detail.answers),
                "message": r.message,
            }}
            for r in results
        ]

    print(json.dumps(asyncio.run(main(json.loads({requests!r})))))
    """
)


def probe_in_prober(lab: Lab, requests: list[dict]) -> list[dict]:
    """Run one DNS probe per request inside the prober namespace, concurrently."""
    code = PROBE_IN_PROBER.format(requests=json.dumps(requests))
    return json.loads(lab.prober.python(code))


@pytest.fixture
def zone_server(lab: Lab, tmp_path: Path):
    """Start dns_server.py on host "a" (10.203.1.2, fd00:203:1::2), port 53."""
    host = lab.add_host("a")
    zone_file = tmp_path / "pantau.lab.zone"
    zone_file.write_text(ZONE)
    with start_dns_server(host, zone_file, ORIGIN, [host.ipv4, host.ipv6], **FAULTS) as server:
        yield lab, host, server


def zone_request(server: str, name: str, record_type: str = "A", **options) -> dict:
    return {
        "target": "ns",
        "server": server,
        "name": name,
        "record_type": record_type,
        **options,
    }


# name, record type, expected values, reason, answers
ZONE_CASES = [
    ("simpeg.pantau.lab", "A", ["10.20.0.5"], base.OK, ["10.20.0.5", "10.20.0.6"]),
    ("simpeg.pantau.lab", "A", ["10.20.0.6", "::ffff:10.20.0.5"], base.OK, None),
    ("simpeg.pantau.lab", "A", ["10.20.0.7"], base.DNS_WRONG_ANSWER, None),
    ("simpeg.pantau.lab", "A", [], base.OK, None),
    ("simpeg.pantau.lab", "AAAA", ["FD00:20:0:0::5"], base.OK, ["fd00:20::5"]),
    ("portal.pantau.lab", "CNAME", ["simpeg.PANTAU.lab."], base.OK, ["Simpeg.pantau.lab"]),
    ("portal.pantau.lab", "A", ["10.20.0.5"], base.OK, None),
    ("pantau.lab", "MX", ["10 MAIL.pantau.lab", "20 mail2.pantau.lab."], base.OK, None),
    ("pantau.lab", "MX", ["30 mail.pantau.lab"], base.DNS_WRONG_ANSWER, None),
    ("pantau.lab", "TXT", ["v=spf1 ip4:10.20.0.0/16 -all"], base.OK, None),
    ("split.pantau.lab", "TXT", ["first part, second part"], base.OK, None),
    ("pantau.lab", "TXT", ["v=spf1 -all"], base.DNS_WRONG_ANSWER, None),
    ("nothing.pantau.lab", "A", [], base.DNS_NOT_FOUND, []),
    ("simpeg.pantau.lab", "MX", [], base.DNS_NO_RECORDS, []),
    ("broken.pantau.lab", "A", [], base.DNS_SERVER_ERROR, []),
    ("closed.pantau.lab", "A", [], base.DNS_SERVER_ERROR, []),
    ("garbage.pantau.lab", "A", [], base.PROTOCOL_ERROR, []),
    ("wrongid.pantau.lab", "A", [], base.PROTOCOL_ERROR, []),
    ("truncated.pantau.lab", "A", ["10.20.0.9"], base.OK, ["10.20.0.9"]),
]


@pytest.mark.netns
def test_zone_server_cases(zone_server) -> None:
    lab, host, _ = zone_server
    requests = [
        zone_request(host.ipv4, name, record_type, expect=expect)
        for name, record_type, expect, _, _ in ZONE_CASES
    ]

    outcomes = probe_in_prober(lab, requests)

    for (name, record_type, expect, reason, answers), outcome in zip(
        ZONE_CASES, outcomes, strict=True
    ):
        case = f"{record_type} {name} expect {expect}"
        assert outcome["reason"] == reason, f"{case}: {outcome['message']}"
        if answers is not None:
            assert sorted(outcome["answers"]) == sorted(answers), case
        if expect and reason in (base.OK, base.DNS_WRONG_ANSWER):
            assert outcome["values"]["answer_match"] == (1.0 if reason == base.OK else 0.0), case


@pytest.mark.netns
def test_truncated_udp_retries_tcp(zone_server) -> None:
    lab, host, server = zone_server

    [outcome] = probe_in_prober(lab, [zone_request(host.ipv6, "truncated.pantau.lab")])

    assert outcome["reason"] == base.OK
    assert outcome["values"]["ip_version"] == 6
    assert "retried over TCP" in outcome["message"]
    queries = server.queries()
    assert queries == ["udp truncated.pantau.lab. A", "tcp truncated.pantau.lab. A"]


@pytest.mark.netns
def test_tcp_transport_answers(zone_server) -> None:
    lab, host, server = zone_server
    request = zone_request(host.ipv4, "simpeg.pantau.lab", "AAAA", transport="tcp")

    [outcome] = probe_in_prober(lab, [request])

    assert outcome["reason"] == base.OK
    assert outcome["answers"] == ["fd00:20::5"]
    assert outcome["values"]["answer_records"] == 1
    assert outcome["values"]["answer_seconds"] > 0
    assert server.queries() == ["tcp simpeg.pantau.lab. AAAA"]


@pytest.mark.netns
@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_silent_server_times_out(zone_server, transport: str) -> None:
    lab, host, _ = zone_server
    request = zone_request(host.ipv4, "silent.pantau.lab", transport=transport, timeout=0.5)

    [outcome] = probe_in_prober(lab, [request])

    assert outcome["reason"] == base.DNS_TIMEOUT
    assert "answer_seconds" not in outcome["values"]
    assert outcome["rcode"] == ""


@pytest.mark.netns
def test_garbage_over_tcp_is_protocol_error(zone_server) -> None:
    lab, host, _ = zone_server
    request = zone_request(host.ipv4, "garbage.pantau.lab", transport="tcp")

    [outcome] = probe_in_prober(lab, [request])

    assert outcome["reason"] == base.PROTOCOL_ERROR


@pytest.mark.netns
def test_closed_tcp_port_is_refused(zone_server) -> None:
    lab, host, _ = zone_server
    request = zone_request(host.ipv4, "simpeg.pantau.lab", port=5353, transport="tcp")

    [outcome] = probe_in_prober(lab, [request])

    assert outcome["reason"] == base.CONNECT_REFUSED


@pytest.mark.netns
def test_dnsmasq_answers(lab: Lab) -> None:
    lab.add_resolver(
        {"app.pantau.lab": ["10.20.0.5", "fd00:20::5"], "v4only.pantau.lab": ["10.20.0.7"]},
        servfail=["forwarded.lab"],
    )
    server = "127.0.0.53"
    cases = [
        (zone_request(server, "app.pantau.lab", expect=["10.20.0.5"]), base.OK),
        (zone_request(server, "APP.pantau.lab.", "AAAA", expect=["fd00:20::5"]), base.OK),
        (zone_request(server, "app.pantau.lab", expect=["10.20.0.6"]), base.DNS_WRONG_ANSWER),
        (zone_request(server, "missing.pantau.lab"), base.DNS_NOT_FOUND),
        (zone_request(server, "v4only.pantau.lab", "AAAA"), base.DNS_NO_RECORDS),
        (zone_request(server, "www.forwarded.lab"), base.DNS_SERVER_ERROR),
    ]

    outcomes = probe_in_prober(lab, [request for request, _ in cases])

    for (request, reason), outcome in zip(cases, outcomes, strict=True):
        assert outcome["reason"] == reason, f"{request}: {outcome['message']}"
    assert outcomes[0]["answers"] == ["10.20.0.5"]
    assert outcomes[5]["rcode"] == "REFUSED"


@pytest.mark.netns
@pytest.mark.parametrize(
    ("server", "name"),
    [("198.51.100.53", "simpeg.pantau.lab"), ("10.203.1.2", "simpeg.example.com")],
)
def test_placeholder_sends_nothing(lab: Lab, server: str, name: str) -> None:
    lab.add_host("a")  # 10.203.1.2 has a route, so a query to it would be counted
    sent_before = lab.prober.tx_packets()

    [outcome] = probe_in_prober(lab, [zone_request(server, name)])

    assert outcome["reason"] == base.UNCONFIGURED
    assert lab.prober.tx_packets() == sent_before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"server": "ns.pantau.lab"}, "invalid DNS server"),
        ({"record_type": "NOPE"}, "unknown DNS record type"),
        ({"expect": ("not-an-address",)}, "invalid IP address"),
        ({"record_type": "MX", "expect": ("mail.pantau.lab",)}, "invalid MX value"),
        ({"port": 0}, "invalid DNS port"),
        ({"transport": "doh"}, "invalid DNS transport"),
        ({"timeout": 0}, "invalid timeout"),
    ],
)
def test_request_rejects_invalid(options: dict, message: str) -> None:
    arguments = {"target": "ns", "server": "10.0.0.53", "name": "pantau.lab", **options}

    with pytest.raises(ValueError, match=message):
        DnsRequest(**arguments)


def test_request_upper_cases_type() -> None:
    assert (
        DnsRequest(target="ns", server="::1", name="x.lab", record_type="txt").record_type == "TXT"
    )


def test_silent_loopback_port_times_out() -> None:
    # A UDP port nobody listens on: dnspython's unconnected socket never sees
    # the ICMP port unreachable, so this waits for the deadline.
    request = DnsRequest(target="ns", server="127.0.0.1", name="x.lab", port=9, timeout=0.2)

    result = asyncio.run(probe(request))

    assert result.reason == base.DNS_TIMEOUT
    assert result.values == {"ip_version": 4.0}


# Loopback servers that misbehave ------------------------------------------------------

# Builds the datagrams a loopback server sends for one query, in order.
ReplyBuilder = Callable[[dns.message.Message], list[bytes]]


class LoopbackDnsServer(asyncio.DatagramProtocol):
    """UDP server on 127.0.0.1 that sends what ``build`` returns for each query.

    With ``stray`` set, the datagrams of ``stray(query)`` go first from a
    second socket, so they come from another source port than the query's
    destination.
    """

    def __init__(self, build: ReplyBuilder, stray: ReplyBuilder | None = None) -> None:
        self.build = build
        self.stray = stray
        self.transport: asyncio.DatagramTransport | None = None
        self.stray_transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        assert self.transport is not None
        query = dns.message.from_wire(data)
        if self.stray is not None and self.stray_transport is not None:
            for wire in self.stray(query):
                self.stray_transport.sendto(wire, addr)
        for wire in self.build(query):
            self.transport.sendto(wire, addr)


async def query_loopback(
    build: ReplyBuilder,
    *,
    stray: ReplyBuilder | None = None,
    name: str = "simpeg.pantau.lab",
    expect: tuple[str, ...] = (),
    timeout: float = 3.0,
) -> base.ProbeResult:
    loop = asyncio.get_running_loop()
    server = LoopbackDnsServer(build, stray)
    transport, _ = await loop.create_datagram_endpoint(lambda: server, local_addr=("127.0.0.1", 0))
    stray_transport, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
    )
    server.stray_transport = stray_transport
    port = transport.get_extra_info("sockname")[1]
    request = DnsRequest(
        target="ns", server="127.0.0.1", name=name, expect=expect, port=port, timeout=timeout
    )
    try:
        return await probe(request)
    finally:
        transport.close()
        stray_transport.close()


def response(query: dns.message.Message, *records: tuple[str, str, str]) -> bytes:
    """Return the wire form of a response to ``query`` with (owner, type, value) records."""
    reply = dns.message.make_response(query)
    for owner, record_type, value in records:
        reply.answer.append(dns.rrset.from_text(owner, 60, "IN", record_type, value))
    # Above the query's EDNS payload size: a loopback datagram carries up to 64 KiB.
    return reply.to_wire(max_size=65535)


def test_record_of_other_owner_ignored() -> None:
    def build(query: dns.message.Message) -> list[bytes]:
        return [response(query, ("unrelated.pantau.lab.", "A", "10.9.9.9"))]

    result = asyncio.run(query_loopback(build, expect=("10.9.9.9",)))

    assert result.reason == base.DNS_NO_RECORDS
    assert result.detail.answers == ()
    assert result.values["answer_records"] == 0
    assert result.values["answer_match"] == 0


def test_cname_chain_followed_to_its_end() -> None:
    def build(query: dns.message.Message) -> list[bytes]:
        return [
            response(
                query,
                ("unrelated.pantau.lab.", "A", "10.6.6.6"),
                ("portal.pantau.lab.", "CNAME", "Web.pantau.lab."),
                ("web.pantau.lab.", "CNAME", "simpeg.pantau.lab."),
                ("SIMPEG.pantau.lab.", "A", "10.9.9.9"),
            )
        ]

    result = asyncio.run(query_loopback(build, name="Portal.pantau.lab", expect=("10.9.9.9",)))

    assert result.reason == base.OK
    assert result.detail.answers == ("10.9.9.9",)
    assert result.values["answer_match"] == 1


def test_stray_replies_ignored_until_the_reply() -> None:
    def build(query: dns.message.Message) -> list[bytes]:
        other_id = dns.message.make_response(query)
        other_id.id = (query.id + 1) % 65536
        name = query.question[0].name.to_text()
        return [
            other_id.to_wire(),
            b"\x00\x01 no DNS message",
            response(query, (name, "A", "10.9.9.9")),
        ]

    def from_other_port(query: dns.message.Message) -> list[bytes]:
        return [response(query, (query.question[0].name.to_text(), "A", "10.6.6.6"))]

    result = asyncio.run(query_loopback(build, stray=from_other_port, expect=("10.9.9.9",)))

    assert result.reason == base.OK
    assert result.detail.answers == ("10.9.9.9",)


def test_only_stray_replies_is_protocol_error() -> None:
    def build(query: dns.message.Message) -> list[bytes]:
        other_id = dns.message.make_response(query)
        other_id.id = (query.id + 1) % 65536
        return [other_id.to_wire()]

    result = asyncio.run(query_loopback(build, timeout=0.3))

    assert result.reason == base.PROTOCOL_ERROR
    assert "no valid reply from 127.0.0.1" in result.message
    assert "another question" in result.message
    assert result.detail.rcode == ""


def test_huge_reply_message_is_cut() -> None:
    def build(query: dns.message.Message) -> list[bytes]:
        name = query.question[0].name.to_text()
        records = [(name, "A", f"10.{index // 250}.{index % 250}.1") for index in range(3000)]
        return [response(query, *records)]

    result = asyncio.run(query_loopback(build, expect=("10.11.249.1",)))

    assert result.reason == base.OK
    assert result.values["answer_records"] == 3000
    assert isinstance(result.detail, DnsDetail)
    text, _, note = result.detail.message.rpartition("\n")
    assert len(text) == MAX_MESSAGE_CHARS
    assert note.startswith("... (")
    assert note.endswith(" more characters cut)")
    assert "\n" not in result.message
    assert len(result.message) < MAX_SUMMARY_CHARS + 100
    assert result.message.endswith(" more")


def question_reply(name: str, *records: tuple[str, str, str]) -> dns.message.Message:
    query = dns.message.make_query(name, "A")
    return dns.message.from_wire(response(query, *records))


def test_cname_loop_has_no_answer() -> None:
    reply = question_reply(
        "a.pantau.lab",
        ("a.pantau.lab.", "CNAME", "b.pantau.lab."),
        ("b.pantau.lab.", "CNAME", "a.pantau.lab."),
        ("c.pantau.lab.", "A", "10.9.9.9"),
    )

    assert answers_for_question(reply, dns.name.from_text("a.pantau.lab"), 1) == []


def test_cname_chain_length_bounded() -> None:
    links = MAX_CNAME_CHAIN + 1
    records = [
        (f"n{index}.pantau.lab.", "CNAME", f"n{index + 1}.pantau.lab.") for index in range(links)
    ]
    end = (f"n{links}.pantau.lab.", "A", "10.9.9.9")
    too_long = question_reply("n0.pantau.lab", *records, end)
    longest = question_reply("n1.pantau.lab", *records[1:], end)

    assert answers_for_question(too_long, dns.name.from_text("n0.pantau.lab"), 1) == []
    assert answers_for_question(longest, dns.name.from_text("n1.pantau.lab"), 1) == ["10.9.9.9"]


def test_cname_question_takes_own_cname() -> None:
    reply = question_reply(
        "portal.pantau.lab",
        ("portal.pantau.lab.", "CNAME", "web.pantau.lab."),
        ("web.pantau.lab.", "CNAME", "simpeg.pantau.lab."),
    )

    answers = answers_for_question(reply, dns.name.from_text("portal.pantau.lab"), 5)

    assert answers == ["web.pantau.lab"]


OWNERS = st.sampled_from(["simpeg.pantau.lab.", "SIMPEG.pantau.lab.", "other.pantau.lab."])


@given(st.lists(st.tuples(OWNERS, st.ip_addresses(v=4)), max_size=8))
def test_answers_only_of_question_owner(records: list[tuple[str, ipaddress.IPv4Address]]) -> None:
    reply = question_reply(
        "simpeg.pantau.lab", *((owner, "A", str(address)) for owner, address in records)
    )

    answers = answers_for_question(reply, dns.name.from_text("simpeg.pantau.lab"), 1)

    owned = {str(address) for owner, address in records if owner.lower() == "simpeg.pantau.lab."}
    assert sorted(answers) == sorted(owned)


LABELS = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?", fullmatch=True)
NAMES = st.lists(LABELS, min_size=1, max_size=4).map(".".join)


def rdata(record_type: str, text: str) -> dns.rdata.Rdata:
    rdtype = dns.rdatatype.from_text(record_type)
    return dns.rdata.from_text(dns.rdataclass.IN, rdtype, text, origin=dns.name.root)


@given(st.ip_addresses(v=4))
def test_a_matches_own_rendering(address: ipaddress.IPv4Address) -> None:
    rendered = render_rdata(rdata("A", str(address)))

    assert missing_values("A", [str(address)], [rendered]) == ()
    assert missing_values("A", [f"::ffff:{address}"], [rendered]) == ()
    assert normalize_value("A", rendered) == str(address)


@given(st.ip_addresses(v=6))
def test_aaaa_matches_own_rendering(address: ipaddress.IPv6Address) -> None:
    rendered = render_rdata(rdata("AAAA", str(address)))

    assert missing_values("AAAA", [address.exploded.upper()], [rendered]) == ()
    assert normalize_value("AAAA", normalize_value("AAAA", rendered)) == normalize_value(
        "AAAA", rendered
    )


@given(st.ip_addresses(v=4), st.ip_addresses(v=4))
def test_different_addresses_differ(first: ipaddress.IPv4Address, second) -> None:
    missing = missing_values("A", [str(first)], [str(second)])

    assert missing == (() if first == second else (str(first),))


@given(NAMES, st.booleans(), st.sampled_from(["CNAME", "NS", "PTR"]))
def test_name_ignores_case_and_dot(name: str, final_dot: bool, record_type: str) -> None:
    rendered = render_rdata(rdata(record_type, name.upper() + "."))
    expected = name + ("." if final_dot else "")

    assert missing_values(record_type, [expected], [rendered]) == ()
    assert normalize_value(record_type, expected) == name


@given(st.integers(min_value=0, max_value=65535), NAMES)
def test_mx_matches_own_rendering(preference: int, exchange: str) -> None:
    rendered = render_rdata(rdata("MX", f"{preference} {exchange}."))

    assert rendered == f"{preference} {exchange}"
    assert missing_values("MX", [f"{preference} {exchange.upper()}."], [rendered]) == ()


@given(st.text(max_size=600))
def test_txt_matches_joined_text(text: str) -> None:
    data = text.encode()
    strings = [data[start : start + 255] for start in range(0, len(data), 255)] or [b""]
    record = dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, strings)

    rendered = render_rdata(record)

    assert rendered == text
    assert missing_values("TXT", [text], [rendered]) == ()


@given(NAMES, st.integers(min_value=0, max_value=65535))
def test_srv_ignores_name_case(target: str, port: int) -> None:
    rendered = render_rdata(rdata("SRV", f"0 5 {port} {target}."))

    assert missing_values("SRV", [f"0 5 {port} {target.upper()}."], [rendered]) == ()
