"""ICMP probe against real hosts: loopback and namespaces built by tests/lab.

The prober runs inside the lab's prober namespace, which has no route out.
"""

from __future__ import annotations

import asyncio
import json
import struct
import textwrap
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probes import base, icmp
from tests.lab.netns import Lab

# Runs inside the namespace: probe the requests given as JSON, print results.
_PROBE_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from probes import icmp

    async def main(requests):
        pinger = icmp.Pinger()
        try:
            results = await icmp.probe_many([icmp.IcmpRequest(**r) for r in requests], pinger)
        finally:
            pinger.close()
        out = []
        for r in results:
            stats = r.detail.stats if r.detail is not None else None
            out.append({
                "target": r.target, "success": r.success, "reason": r.reason,
                "values": dict(r.values), "mode": pinger.mode.value,
                "fallback_from": r.detail.fallback_from if r.detail else None,
                "resolved": list(r.detail.resolved) if r.detail else [],
                "echoes": [
                    [e.sequence, e.rtt, e.late, e.duplicates]
                    for e in (stats.echoes if stats else ())
                ],
            })
        print(json.dumps(out))

    asyncio.run(main(json.loads(sys.stdin.read())))
    """
)


def probe_in(lab: Lab, *requests: dict[str, object], prefix: list[str] | None = None) -> dict:
    """Run the ICMP probe inside the prober namespace; return results by target."""
    import sys

    from tests.lab.netns import REPOSITORY_ROOT

    argv = [*(prefix or []), sys.executable, "-c", _PROBE_SCRIPT]
    completed = lab.prober.run(
        argv,
        input=json.dumps(list(requests)),
        env={"PYTHONPATH": str(REPOSITORY_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 0, completed.stderr
    return {item["target"]: item for item in json.loads(completed.stdout)}


def request(target: str, address: str, **settings: object) -> dict[str, object]:
    settings.setdefault("count", 5)
    settings.setdefault("packet_interval", 0.02)
    settings.setdefault("timeout", 1.0)
    return {"target": target, "address": address, **settings}


# Loopback: no namespace needed, but real packets.


def test_loopback_targets_answer() -> None:
    async def run() -> list[base.ProbeResult]:
        pinger = icmp.Pinger()
        try:
            return await icmp.probe_many(
                [
                    icmp.IcmpRequest("one", "127.0.0.1", count=3, packet_interval=0.01),
                    icmp.IcmpRequest("two", "127.0.0.2", count=3, packet_interval=0.01),
                    icmp.IcmpRequest("six", "::1", count=3, packet_interval=0.01),
                ],
                pinger,
            )
        finally:
            pinger.close()

    results = {r.target: r for r in asyncio.run(run())}
    for name in ("one", "two", "six"):
        assert results[name].success
        assert results[name].values["received"] == 3
        assert results[name].values["loss_ratio"] == 0.0
        assert 0 < results[name].values["rtt_median_seconds"] < 0.1
    assert results["six"].values["ip_version"] == 6
    assert results["one"].values["ip_version"] == 4


def test_placeholder_never_pinged() -> None:
    async def run() -> base.ProbeResult:
        pinger = icmp.Pinger()
        try:
            return await icmp.probe(icmp.IcmpRequest("doc", "198.51.100.7"), pinger)
        finally:
            pinger.close()

    result = asyncio.run(run())
    assert result.reason == base.UNCONFIGURED
    assert "sent" not in result.values


def test_pinger_rejects_documentation_address() -> None:
    async def run() -> None:
        pinger = icmp.Pinger()
        try:
            await pinger.ping("2001:db8::1")
        finally:
            pinger.close()

    with pytest.raises(ValueError, match="documentation address"):
        asyncio.run(run())


def test_ip6_family_with_ipv4_literal_is_local_error() -> None:
    async def run() -> base.ProbeResult:
        pinger = icmp.Pinger()
        try:
            return await icmp.probe(icmp.IcmpRequest("v4", "127.0.0.1", family="ip6"), pinger)
        finally:
            pinger.close()

    result = asyncio.run(run())
    assert result.reason == base.NO_ROUTE
    assert "loss_ratio" not in result.values


# Namespaces.


@pytest.mark.netns
def test_reachable_host(lab: Lab) -> None:
    host = lab.add_host("a")
    result = probe_in(lab, request("a", host.ipv4))["a"]
    assert result["success"] is True
    assert result["values"]["sent"] == 5
    assert result["values"]["received"] == 5
    assert result["values"]["loss_ratio"] == 0.0
    assert result["values"]["rtt_min_seconds"] > 0


@pytest.mark.netns
def test_silent_host_has_no_rtt(lab: Lab) -> None:
    host = lab.add_host("a")
    host.silence()
    result = probe_in(lab, request("a", host.ipv4, timeout=0.3))["a"]
    assert result["success"] is False
    assert result["reason"] == "no_reply"
    assert result["values"]["loss_ratio"] == 1.0
    assert result["values"]["received"] == 0
    assert not [key for key in result["values"] if key.startswith("rtt_")]


@pytest.mark.netns
def test_delayed_host_median_rtt(lab: Lab) -> None:
    host = lab.add_host("a")
    host.respond(delay=0.020)
    result = probe_in(lab, request("a", host.ipv4, count=10, packet_interval=0.05))["a"]
    assert result["values"]["received"] == 10
    assert 0.020 <= result["values"]["rtt_median_seconds"] <= 0.022


@pytest.mark.netns
def test_random_loss_measured(lab: Lab) -> None:
    host = lab.add_host("a")
    host.set_loss(30)
    result = probe_in(lab, request("a", host.ipv4, count=200, packet_interval=0.002))["a"]
    assert result["values"]["sent"] == 200
    assert 0.15 <= result["values"]["loss_ratio"] <= 0.45
    assert result["values"]["received"] + host.echo_requests_seen() >= 200


@pytest.mark.netns
def test_duplicate_replies_counted_apart(lab: Lab) -> None:
    host = lab.add_host("a")
    host.respond(delay=0.005, duplicates=2)
    result = probe_in(lab, request("a", host.ipv4, count=5, packet_interval=0.05))["a"]
    assert result["values"]["received"] == 5
    assert result["values"]["loss_ratio"] == 0.0
    assert result["values"]["duplicates"] == 10


@pytest.mark.netns
def test_late_reply_not_credited(lab: Lab) -> None:
    # seq 0 times out after 1 s, its reply comes at 1.3 s while seq 1 (sent
    # at 0.5 s) is outstanding: neither may count as received.
    host = lab.add_host("a")
    host.respond(delay=1.3)
    result = probe_in(lab, request("a", host.ipv4, count=2, packet_interval=0.5, timeout=1.0))["a"]
    assert result["values"]["received"] == 0
    assert result["values"]["loss_ratio"] == 1.0
    assert result["values"]["late"] >= 1
    assert not [key for key in result["values"] if key.startswith("rtt_")]


@pytest.mark.netns
def test_concurrent_silent_host_stays_silent(lab: Lab) -> None:
    alive = lab.add_host("a")
    silent = lab.add_host("b")
    silent.silence()
    results = probe_in(
        lab, request("a", alive.ipv4, timeout=0.5), request("b", silent.ipv4, timeout=0.5)
    )
    assert results["a"]["values"]["received"] == 5
    assert results["b"]["values"]["received"] == 0
    assert results["b"]["values"]["loss_ratio"] == 1.0


@pytest.mark.netns
@pytest.mark.parametrize("mode", ["raw", "datagram"])
def test_two_pingers_never_share_replies(lab: Lab, mode: str) -> None:
    # Two processes ping the same pair at once. Raw sockets receive every
    # echo reply on the machine, and ping sockets rewrite the identifier:
    # either way, the silent host must stay at 100 % loss in both processes.
    import subprocess
    import sys

    from tests.lab.netns import REPOSITORY_ROOT

    alive = lab.add_host("a")
    silent = lab.add_host("b")
    silent.silence()
    prefix = [] if mode == "raw" else _without_net_raw()
    requests = [
        request("a", alive.ipv4, count=40, packet_interval=0.01, timeout=0.5),
        request("b", silent.ipv4, count=40, packet_interval=0.01, timeout=0.5),
    ]
    argv = [*prefix, sys.executable, "-c", _PROBE_SCRIPT]
    env = {"PYTHONPATH": str(REPOSITORY_ROOT), "PATH": "/usr/bin:/bin"}
    processes = [
        lab.prober.popen(
            argv,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(json.dumps(requests))
        process.stdin.close()
    outputs = [(process.stdout.read(), process.stderr.read()) for process in processes]
    for process in processes:
        process.wait(timeout=60)
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
        results = {item["target"]: item for item in json.loads(stdout)}
        assert results["a"]["mode"] == mode
        assert results["a"]["values"]["received"] == 40
        assert results["b"]["values"]["received"] == 0
        assert results["b"]["values"]["duplicates"] == 0


def _without_net_raw() -> list[str]:
    """Prefix that runs a command as root but without CAP_NET_RAW."""
    return ["setpriv", "--inh-caps=-net_raw", "--bounding-set=-net_raw", "--"]


@pytest.mark.netns
def test_ping_sockets_refused_reports_both_fixes(lab: Lab) -> None:
    lab.prober.set_ping_group_range(1, 0)
    code = "from probes import icmp; icmp.detect_mode()"
    import sys

    from tests.lab.netns import REPOSITORY_ROOT

    completed = lab.prober.run(
        [*_without_net_raw(), sys.executable, "-c", code],
        env={"PYTHONPATH": str(REPOSITORY_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 1
    assert "IcmpUnavailableError" in completed.stderr
    assert "CAP_NET_RAW" in completed.stderr
    assert "ping_group_range" in completed.stderr


@pytest.mark.netns
def test_ipv6_host(lab: Lab) -> None:
    host = lab.add_host("a")
    result = probe_in(lab, request("a", host.ipv6))["a"]
    assert result["values"]["ip_version"] == 6
    assert result["values"]["received"] == 5


@pytest.mark.netns
def test_names_resolved_per_target(lab: Lab) -> None:
    good = lab.add_host("a")
    other = lab.add_host("b")
    lab.add_resolver({"a.pantau.test": [good.ipv4]}, servfail=["rusak.test"])
    results = probe_in(
        lab,
        request("by-name", "a.pantau.test"),
        request("literal", other.ipv4),
        request("missing", "tidak-ada.pantau.test"),
        request("broken", "x.rusak.test"),
    )
    assert results["by-name"]["values"]["received"] == 5
    assert results["by-name"]["resolved"] == [good.ipv4]
    assert results["literal"]["values"]["received"] == 5
    assert results["missing"]["reason"] == "dns_not_found"
    assert results["broken"]["reason"] == "dns_temporary"


@pytest.mark.netns
def test_dual_stack_without_ipv6_route(lab: Lab) -> None:
    host = lab.add_host("a")
    # fd00:999::1 has no route from the prober: only the link prefixes do.
    lab.add_resolver({"dual.pantau.test": [host.ipv4, "fd00:999::1"]})
    results = probe_in(
        lab,
        request("auto", "dual.pantau.test", family="auto"),
        request("six", "dual.pantau.test", family="ip6"),
    )
    assert results["auto"]["success"] is True
    assert results["auto"]["fallback_from"] == 6
    assert results["auto"]["values"]["ip_version"] == 4
    assert results["six"]["reason"] == "no_route"
    assert "loss_ratio" not in results["six"]["values"]


@pytest.mark.netns
def test_name_resolving_to_placeholder_gets_no_packet(lab: Lab) -> None:
    lab.add_resolver({"doc.pantau.test": ["192.0.2.44"]})
    before = lab.prober.interface_counters()
    results = probe_in(lab, request("doc", "doc.pantau.test"), request("lit", "203.0.113.9"))
    after = lab.prober.interface_counters()
    assert results["doc"]["reason"] == "unconfigured"
    assert results["lit"]["reason"] == "unconfigured"
    # Only the DNS query over loopback may have moved a counter.
    assert {name: after[name] - before[name] for name in after if name != "lo"} == {
        name: 0 for name in after if name != "lo"
    }


@pytest.fixture(scope="module")
def idle_pinger() -> Iterator[icmp.Pinger]:
    loop = asyncio.new_event_loop()

    async def create() -> icmp.Pinger:
        return icmp.Pinger()

    pinger = loop.run_until_complete(create())
    yield pinger
    pinger.close()
    loop.close()


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(packet=st.binary(max_size=120), source=st.sampled_from(["127.0.0.1", "10.0.0.1", "::1"]))
def test_garbage_packets_never_match(idle_pinger: icmp.Pinger, packet: bytes, source: str) -> None:
    # Any byte string from any source: no exception, no burst credited.
    loop = idle_pinger._loop
    burst = icmp._Burst("127.0.0.1", 4, 1, 10**9, 56, loop.create_future())
    burst.sequences.append(7)
    burst.rtt_ns.append(None)
    burst.late.append(False)
    burst.dups.append(0)
    burst.sent_ns.append(0)
    burst.sent_mono_ns.append(0)
    idle_pinger._outstanding[("127.0.0.1", 7)] = (burst, 0)
    try:
        for family in idle_pinger._families.values():
            idle_pinger._match(family, packet, source, None, 1)
    finally:
        idle_pinger._outstanding.clear()
    assert burst.received == 0
    assert burst.dups == [0]


def test_forged_reply_needs_token(idle_pinger: icmp.Pinger) -> None:
    # A well-formed echo reply with the right identifier and sequence but
    # another process's payload is not ours.
    loop = idle_pinger._loop
    family = idle_pinger._families[4]
    burst = icmp._Burst("127.0.0.1", 4, 1, 10**9, 56, loop.create_future())
    for values, item in (
        (burst.sequences, 9), (burst.rtt_ns, None), (burst.late, False), (burst.dups, 0),
        (burst.sent_ns, 0), (burst.sent_mono_ns, 0),
    ):  # fmt: skip
        values.append(item)
    idle_pinger._outstanding[("127.0.0.1", 9)] = (burst, 0)
    header = bytes([0x45]) + bytes(19)
    reply = struct.pack("!BBHHH", 0, 0, 0, idle_pinger._identifier, 9)
    try:
        idle_pinger._match(family, header + reply + b"x" * 56, "127.0.0.1", None, 5)
        assert burst.received == 0
        genuine = header + reply + idle_pinger._payload(56)[0]
        idle_pinger._match(family, genuine, "127.0.0.1", None, 5)
        assert burst.received == 1
        assert burst.rtt_ns == [5]
    finally:
        idle_pinger._outstanding.clear()


@pytest.mark.netns
def test_one_bad_name_in_batch(lab: Lab) -> None:
    lab.add_resolver({})
    results = probe_in(
        lab,
        request("one", "127.0.0.1"),
        request("two", "127.0.0.2"),
        request("bad", "tidak-ada.invalid"),
    )
    assert results["one"]["values"]["received"] == 5
    assert results["two"]["values"]["received"] == 5
    assert results["bad"]["reason"] == "dns_not_found"
    assert results["bad"]["values"] == {}


@pytest.mark.netns
@pytest.mark.slow
def test_large_sweep_loses_no_reply(lab: Lab) -> None:
    # 30,000 echoes fall due within 20 ms: the pinger must read replies
    # between sends or the socket's receive buffer overflows.
    requests = [
        request(f"t{i}", f"127.1.{i // 250}.{i % 250 + 1}", count=3, packet_interval=0.01)
        for i in range(10_000)
    ]
    results = probe_in(lab, *requests)
    assert len(results) == 10_000
    assert sum(r["values"]["received"] for r in results.values()) == 30_000
    assert sum(r["values"]["duplicates"] for r in results.values()) == 0
