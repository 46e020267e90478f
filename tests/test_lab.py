"""Tests of the namespace test networks, with fping as the reference prober.

fping runs inside the prober namespace as a check of the lab, not as the
code under test. fping 5.1 reports extra replies as "duplicate for [N]" on stderr
in count mode with -q, and its summary as "xmt/rcv/%loss = S/R/L%".
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.lab import Lab, LabError, responder
from tests.lab.fixtures import require_root, require_tools
from tests.lab.netns import (
    NETNS_ETC_DIR,
    NETNS_RUN_DIR,
    RESOLVER_ADDRESS,
    list_namespaces,
    sweep_stale_namespaces,
)

SUMMARY = re.compile(r"^(?P<host>\S+)\s*: xmt/rcv/%loss = (?P<sent>\d+)/(?P<received>\d+)/")


def fping(lab: Lab, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run fping with ``arguments`` inside the prober namespace."""
    require_tools("fping")
    return lab.prober.run(["fping", *arguments])


def summaries(stderr: str) -> dict[str, tuple[int, int]]:
    """Map each host of an ``fping -c -q`` summary to (sent, received)."""
    result = {}
    for line in stderr.splitlines():
        match = SUMMARY.match(line)
        if match:
            result[match["host"]] = (int(match["sent"]), int(match["received"]))
    return result


def round_trip_times(stderr: str) -> dict[str, list[float]]:
    """Map each host of an ``fping -C -q`` report to its RTTs in milliseconds."""
    result = {}
    for line in stderr.splitlines():
        host, separator, values = line.partition(" : ")
        if separator and "duplicate" not in values:
            result[host.strip()] = [float(value) for value in values.split()]
    return result


def process_running(pid: int) -> bool:
    """Tell whether ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    state = stat.rpartition(")")[2].split()[0]
    return state != "Z"


@pytest.mark.netns
def test_reachable_host_answers(lab: Lab) -> None:
    host = lab.add_host("a")

    completed = fping(lab, "-c", "3", "-p", "20", "-q", host.ipv4, host.ipv6)

    assert completed.returncode == 0, completed.stderr
    assert summaries(completed.stderr) == {host.ipv4: (3, 3), host.ipv6: (3, 3)}
    assert host.echo_requests_seen() == 6
    # The links send nothing on their own: no ARP, neighbour discovery or MLD.
    assert lab.prober.tx_packets() == 6


@pytest.mark.netns
def test_addresses_follow_plan(lab: Lab) -> None:
    first = lab.add_host("a")
    second = lab.add_host("b")

    assert (first.ipv4, first.ipv6) == ("10.203.1.2", "fd00:203:1::2")
    assert (second.ipv4, second.ipv6) == ("10.203.2.2", "fd00:203:2::2")
    assert (second.prober_ipv4, second.prober_ipv6) == ("10.203.2.1", "fd00:203:2::1")
    addresses = lab.prober.run(["ip", "-brief", "address", "show", "dev", "veth2"]).stdout
    assert "10.203.2.1/24" in addresses
    assert "fd00:203:2::1/64" in addresses


@pytest.mark.netns
def test_silenced_host_gets_no_answer(lab: Lab) -> None:
    host = lab.add_host("a")
    host.silence()

    completed = fping(lab, "-c", "3", "-p", "20", "-t", "100", "-q", host.ipv4, host.ipv6)

    assert completed.returncode == 1
    assert summaries(completed.stderr) == {host.ipv4: (3, 0), host.ipv6: (3, 0)}
    assert host.echo_requests_seen() == 6


@pytest.mark.netns
def test_loss_zero_restores_replies(lab: Lab) -> None:
    host = lab.add_host("a")
    host.silence()
    host.set_loss(0)

    completed = fping(lab, "-c", "2", "-p", "20", "-q", host.ipv4, host.ipv6)

    assert completed.returncode == 0, completed.stderr
    assert summaries(completed.stderr) == {host.ipv4: (2, 2), host.ipv6: (2, 2)}


@pytest.mark.netns
def test_loss_thirty_percent(lab: Lab) -> None:
    host = lab.add_host("a")
    host.set_loss(30)

    completed = fping(lab, "-c", "200", "-p", "5", "-t", "500", "-q", host.ipv4)

    sent, received = summaries(completed.stderr)[host.ipv4]
    assert sent == 200
    loss = 100 * (sent - received) / sent
    assert 15 <= loss <= 45, completed.stderr
    # The counter sits before the drop rule, so it counts dropped requests too.
    assert host.echo_requests_seen() == 200


@pytest.mark.netns
def test_loss_rejects_out_of_range(lab: Lab) -> None:
    host = lab.add_host("a")

    with pytest.raises(ValueError, match="between 0 and 100"):
        host.set_loss(101)
    with pytest.raises(ValueError, match="between 0 and 100"):
        host.set_loss(-1)


@pytest.mark.netns
def test_responder_delays_replies(lab: Lab) -> None:
    host = lab.add_host("a")
    handle = host.respond(delay=0.05)

    completed = fping(lab, "-C", "3", "-p", "100", "-t", "1000", "-q", host.ipv4, host.ipv6)
    stats = handle.stop()

    assert completed.returncode == 0, completed.stderr
    rtts = round_trip_times(completed.stderr)
    assert sorted(rtts) == sorted([host.ipv4, host.ipv6])
    for host_rtts in rtts.values():
        assert len(host_rtts) == 3
        assert min(host_rtts) >= 50.0
    assert stats is not None
    assert stats.requests == 6
    assert stats.replies_sent == 6


@pytest.mark.netns
def test_responder_sends_duplicates(lab: Lab) -> None:
    host = lab.add_host("a")
    handle = host.respond(delay=0.0, duplicates=2)

    completed = fping(lab, "-c", "3", "-p", "50", "-q", host.ipv4)
    stats = handle.stop()

    assert summaries(completed.stderr)[host.ipv4] == (3, 3)
    # fping may exit before it reads the copies of the last reply, so only
    # the earlier requests have an exact count.
    assert completed.stderr.count(f"{host.ipv4} : duplicate for [0]") == 2
    assert completed.stderr.count(f"{host.ipv4} : duplicate for [1]") == 2
    assert stats is not None
    assert stats.replies_sent == 3 * stats.requests


@pytest.mark.netns
def test_responder_late_replies_lost(lab: Lab) -> None:
    host = lab.add_host("a")
    handle = host.respond(delay=0.3)

    completed = fping(lab, "-c", "3", "-p", "200", "-t", "100", "-q", host.ipv4)
    stats = handle.stop()

    assert summaries(completed.stderr)[host.ipv4] == (3, 0)
    assert stats is not None
    assert stats.requests == 3


@pytest.mark.netns
def test_responder_answers_burst(lab: Lab) -> None:
    host = lab.add_host("a")
    handle = host.respond(delay=0.5)

    # 200 requests 5 ms apart: all are pending in the heap at once.
    completed = fping(lab, "-C", "200", "-p", "5", "-t", "2000", "-q", host.ipv4)
    stats = handle.stop()

    rtts = round_trip_times(completed.stderr)[host.ipv4]
    assert len(rtts) == 200
    assert min(rtts) >= 500.0
    assert stats is not None
    assert stats.requests == 200
    assert stats.replies_sent == 200


@pytest.mark.netns
def test_responder_stop_restores_kernel_echo(lab: Lab) -> None:
    host = lab.add_host("a")
    handle = host.respond(delay=0.05)
    handle.stop()

    ignore = host.run(["sysctl", "-n", "net.ipv4.icmp_echo_ignore_all"]).stdout
    completed = fping(lab, "-C", "2", "-p", "20", "-q", host.ipv4)

    assert ignore.strip() == "0"
    assert max(round_trip_times(completed.stderr)[host.ipv4]) < 50.0
    assert handle.stop() is None


@pytest.mark.netns
def test_resolver_answers_records(lab: Lab) -> None:
    require_tools("dnsmasq", "getent")
    host = lab.add_host("a")
    lab.add_resolver({"router.opd.test": [host.ipv4, host.ipv6]}, servfail=["broken.test"])
    code = textwrap.dedent(
        """
        import json, socket
        codes = {socket.EAI_NONAME: "EAI_NONAME", socket.EAI_AGAIN: "EAI_AGAIN"}
        results = {}
        for name in ("router.opd.test", "unknown.test", "x.broken.test", "broken.test"):
            try:
                infos = socket.getaddrinfo(name, None, type=socket.SOCK_DGRAM)
                results[name] = sorted({info[4][0] for info in infos})
            except socket.gaierror as error:
                results[name] = codes.get(error.errno, str(error))
        print(json.dumps(results))
        """
    )

    results = json.loads(lab.prober.python(code))
    found = lab.prober.run(["getent", "ahosts", "router.opd.test"])
    missing = lab.prober.run(["getent", "ahosts", "unknown.test"])

    assert results["router.opd.test"] == sorted([host.ipv4, host.ipv6])
    assert results["unknown.test"] == "EAI_NONAME"  # NXDOMAIN
    assert results["x.broken.test"] == "EAI_AGAIN"  # REFUSED
    assert results["broken.test"] == "EAI_AGAIN"
    assert found.returncode == 0
    assert host.ipv4 in found.stdout
    assert missing.returncode == 2


@pytest.mark.netns
def test_resolver_files_isolate_prober(lab: Lab) -> None:
    resolv_conf = lab.prober.run(["cat", "/etc/resolv.conf"]).stdout
    code = textwrap.dedent(
        """
        import socket
        try:
            socket.getaddrinfo("anything.test", None)
        except socket.gaierror as error:
            print(error.errno == socket.EAI_AGAIN)
        """
    )

    assert resolv_conf.splitlines()[0] == f"nameserver {RESOLVER_ADDRESS}"
    # Nothing listens on the lab resolver address yet, so lookups fail at once.
    assert lab.prober.python(code).strip() == "True"


@pytest.mark.netns
def test_prober_has_no_route_out(lab: Lab) -> None:
    lab.add_host("a")

    # "ip route get" only consults the routing table and sends nothing.
    ipv4 = lab.prober.run(["ip", "route", "get", "1.1.1.1"])
    ipv6 = lab.prober.run(["ip", "-6", "route", "get", "2001:db8::1"])

    assert ipv4.returncode != 0
    assert "unreachable" in ipv4.stderr
    assert ipv6.returncode != 0
    for namespace in lab.namespaces:
        for family in ("-4", "-6"):
            routes = namespace.run(["ip", family, "route", "show", "default"]).stdout
            assert routes == "", f"default route in {namespace.name}: {routes}"
    assert lab.prober.tx_packets() == 0


@pytest.mark.netns
def test_ping_group_range_setting(lab: Lab) -> None:
    code = textwrap.dedent(
        """
        import os, socket
        os.setgid(65534)
        os.setuid(65534)
        try:
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP).close()
            print("allowed")
        except PermissionError:
            print("rejected")
        """
    )

    default_range = lab.prober.run(["sysctl", "-n", "net.ipv4.ping_group_range"]).stdout
    allowed = lab.prober.python(code).strip()
    lab.prober.set_ping_group_range(1, 0)
    rejected = lab.prober.python(code).strip()

    assert default_range.split() == ["0", "2147483647"]
    assert allowed == "allowed"
    assert rejected == "rejected"


@pytest.mark.netns
def test_prober_python_raises_with_stderr(lab: Lab) -> None:
    with pytest.raises(LabError, match="ZeroDivisionError"):
        lab.prober.python("1 / 0")


@pytest.mark.netns
def test_lab_cleanup_removes_everything() -> None:
    require_root()
    require_tools("dnsmasq")
    with Lab() as opened:
        host = opened.add_host("a")
        opened.add_host("b")
        handle = host.respond(delay=0.01)
        opened.add_resolver({"router.opd.test": [host.ipv4]})
        sleeper = host.popen(["sleep", "60"])
        names = [namespace.name for namespace in opened.namespaces]
        workdir = opened.workdir
        resolver_pid = opened.resolver_pid

    assert workdir is not None
    assert resolver_pid is not None
    remaining = set(list_namespaces())
    for name in names:
        assert name not in remaining
        assert not (NETNS_RUN_DIR / name).exists()
        assert not (NETNS_ETC_DIR / name).exists()
    assert not workdir.exists()
    assert handle.process.returncode is not None
    assert sleeper.returncode is not None
    assert not process_running(resolver_pid)


@pytest.mark.netns
def test_lab_cleanup_after_exception() -> None:
    require_root()
    names = []

    with pytest.raises(RuntimeError, match="test failure"), Lab() as opened:
        opened.add_host("a")
        names = [namespace.name for namespace in opened.namespaces]
        raise RuntimeError("test failure")

    assert len(names) == 2
    remaining = set(list_namespaces())
    assert not remaining.intersection(names)


@pytest.mark.netns
def test_sweeper_removes_stale_lab() -> None:
    require_root()
    # The id of a process that has exited stands for a killed test run.
    finished = subprocess.Popen(["true"])
    finished.wait()
    stale = f"pt{finished.pid}x1-prober"
    subprocess.run(["ip", "netns", "add", stale], check=True)
    (NETNS_ETC_DIR / stale).mkdir(parents=True, exist_ok=True)
    sleeper = subprocess.Popen(["ip", "netns", "exec", stale, "sleep", "60"])

    with Lab() as live:
        removed = sweep_stale_namespaces()
        live_names = [namespace.name for namespace in live.namespaces]
        remaining = set(list_namespaces())

    sleeper.wait(10)
    assert stale in removed
    assert stale not in remaining
    assert not (NETNS_ETC_DIR / stale).exists()
    assert sleeper.returncode is not None
    assert set(live_names) <= remaining


def test_fixture_fails_without_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)

    with pytest.raises(pytest.fail.Exception, match="need root"):
        require_root()


def test_lab_rejects_invalid_host_name() -> None:
    opened = Lab()

    with pytest.raises(ValueError, match="invalid host name"):
        opened.add_host("Bad Name")
    with pytest.raises(ValueError, match="invalid host name"):
        opened.add_host("prober")


def ipv4_echo_request(identifier: int, sequence: int, payload: bytes, options: bytes) -> bytes:
    """Build an IPv4 datagram carrying an echo request, as a raw socket returns it."""
    message = bytearray(bytes([8, 0, 0, 0]) + identifier.to_bytes(2, "big"))
    message += sequence.to_bytes(2, "big") + payload
    message[2:4] = responder.internet_checksum(bytes(message)).to_bytes(2, "big")
    header_length = 20 + len(options)
    header = bytes([0x40 | header_length // 4]) + bytes(19) + options
    return header + bytes(message)


@given(
    identifier=st.integers(0, 0xFFFF),
    sequence=st.integers(0, 0xFFFF),
    payload=st.binary(max_size=256),
    option_words=st.integers(0, 10),
)
def test_ipv4_reply_mirrors_request(
    identifier: int, sequence: int, payload: bytes, option_words: int
) -> None:
    datagram = ipv4_echo_request(identifier, sequence, payload, bytes(4 * option_words))

    reply = responder.build_ipv4_reply(datagram)

    assert reply is not None
    assert reply[0] == responder.ICMP_ECHO_REPLY
    assert reply[1] == 0
    assert int.from_bytes(reply[4:6], "big") == identifier
    assert int.from_bytes(reply[6:8], "big") == sequence
    assert reply[8:] == payload
    assert responder.internet_checksum(reply) == 0


@given(
    identifier=st.integers(0, 0xFFFF),
    sequence=st.integers(0, 0xFFFF),
    payload=st.binary(max_size=256),
)
def test_ipv6_reply_mirrors_request(identifier: int, sequence: int, payload: bytes) -> None:
    message = bytes([128, 0, 0x12, 0x34]) + identifier.to_bytes(2, "big")
    message += sequence.to_bytes(2, "big") + payload

    reply = responder.build_ipv6_reply(message)

    assert reply is not None
    assert reply[0] == responder.ICMPV6_ECHO_REPLY
    # Zero checksum: the kernel fills it in on raw ICMPv6 sockets.
    assert reply[1:4] == b"\0\0\0"
    assert reply[4:] == message[4:]


@given(message_type=st.integers(0, 255), body=st.binary(max_size=64))
def test_reply_ignores_other_messages(message_type: int, body: bytes) -> None:
    message = bytes([message_type]) + body
    datagram = bytes([0x45]) + bytes(19) + message

    ipv4 = responder.build_ipv4_reply(datagram)
    ipv6 = responder.build_ipv6_reply(message)

    if message_type != responder.ICMP_ECHO_REQUEST or len(message) < 8:
        assert ipv4 is None
    if message_type != responder.ICMPV6_ECHO_REQUEST or len(message) < 8:
        assert ipv6 is None


@given(data=st.binary(max_size=512))
def test_checksum_verifies_to_zero(data: bytes) -> None:
    padded = data + b"\0" if len(data) % 2 else data
    checksum = responder.internet_checksum(padded)

    assert responder.internet_checksum(padded + checksum.to_bytes(2, "big")) == 0


def test_router_uplink_cut_silences_branches(lab: Lab) -> None:
    core = lab.add_host("core")
    branches = [lab.add_host(f"opd{number}", behind=core) for number in range(1, 3)]
    addresses = [core.ipv4, *(branch.ipv4 for branch in branches), branches[0].ipv6]

    def answering() -> list[str]:
        completed = lab.prober.run(["fping", "-q", "-a", "-r", "0", "-t", "300", *addresses])
        return sorted(completed.stdout.split())

    assert answering() == sorted(addresses)
    before = branches[0].echo_requests_seen()

    core.cut_uplink()
    assert answering() == []
    # The cut is upstream of the branch: its requests never arrive.
    assert branches[0].echo_requests_seen() == before

    core.set_loss(0)
    assert answering() == sorted(addresses)
