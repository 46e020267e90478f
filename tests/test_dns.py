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
from pathlib import Path

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import pytest
from hypothesis import given
from hypothesis import strategies as st

from probes import base
from probes.dns import DnsRequest, missing_values, normalize_value, probe, render_rdata
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
