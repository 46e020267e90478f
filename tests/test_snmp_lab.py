"""Tests of the lab's SNMP agents, with net-snmp's command-line tools as the reference manager.

The tools run inside the prober namespace as a check of the agents, not as
the code under test. They print numeric OIDs (-On) in net-snmp 5.9.3's
format, which parse_varbinds reads. Every address used here is a lab host's
veth address or the prober's loopback.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.lab import Host, Lab, LabError, Namespace, sweep_stale_namespaces
from tests.lab.fixtures import REQUIRED_TOOLS, require_root, require_tools
from tests.lab.snmp import (
    BUNDLED_RECORDINGS,
    HAND_WRITTEN_RECORDINGS,
    NET_SNMP_TOOLS,
    RECORDINGS_DIR,
    Link,
    Snmpd,
    SnmprecRecord,
    SnmpSimulator,
    SnmpUser,
    Varbind,
    add_links,
    net_snmp_supports_aes256,
    parse_snmprec_line,
    parse_varbinds,
    read_snmprec,
    send_udp,
    snmpsim_command,
    snmpsim_data_dir,
    start_snmpd,
    start_snmpsim,
)

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"
IF_NUMBER = "1.3.6.1.2.1.2.1.0"
IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_SPEED = "1.3.6.1.2.1.2.2.1.5"
IF_IN_OCTETS = "1.3.6.1.2.1.2.2.1.10"
IF_IN_UCAST_PKTS = "1.3.6.1.2.1.2.2.1.11"
IF_OUT_OCTETS = "1.3.6.1.2.1.2.2.1.16"
IF_OUT_UCAST_PKTS = "1.3.6.1.2.1.2.2.1.17"
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_HC_IN_OCTETS = "1.3.6.1.2.1.31.1.1.1.6"
IF_HC_OUT_OCTETS = "1.3.6.1.2.1.31.1.1.1.10"
IF_HIGH_SPEED = "1.3.6.1.2.1.31.1.1.1.15"
IF_ALIAS = "1.3.6.1.2.1.31.1.1.1.18"
HR_SYSTEM_UPTIME = "1.3.6.1.2.1.25.1.1.0"
HR_STORAGE_DESCR = "1.3.6.1.2.1.25.2.3.1.3"
HR_PROCESSOR_LOAD = "1.3.6.1.2.1.25.3.3.1.2"
SNMP_IN_BAD_COMMUNITY_NAMES = "1.3.6.1.2.1.11.4.0"
SNMP_ENGINE_ID = "1.3.6.1.6.3.10.2.1.1.0"
SNMP_ENGINE_BOOTS = "1.3.6.1.6.3.10.2.1.2.0"
USM_STATS_WRONG_DIGESTS = "1.3.6.1.6.3.15.1.1.5.0"
SNMP_IN_ASN_PARSE_ERRS = "1.3.6.1.2.1.11.6.0"
NET_SNMP_LINUX = "1.3.6.1.4.1.8072.3.2.10"

# UDP 8, IPv4 20 and Ethernet 14 bytes: the octets a veth counts per datagram
# beyond its payload.
UDP_FRAME_OVERHEAD = 42
# snmpd caches the interface table for a few seconds (about 3 s in 5.9.3), so
# counters are read until they change, within this bound.
COUNTER_WAIT = 30.0
NO_ANSWER = "Timeout: No Response"


def require_snmp_tools() -> None:
    """Fail the current test unless root, the lab tools, net-snmp and snmpsim are all present."""
    require_root()
    require_tools(*REQUIRED_TOOLS)
    missing = [name for name in NET_SNMP_TOOLS if shutil.which(name) is None]
    if missing:
        pytest.fail(
            f"commands not found: {', '.join(missing)}: install the Debian packages snmpd and snmp",
            pytrace=False,
        )
    try:
        snmpsim_command()
        snmpsim_data_dir()
    except LabError as error:
        pytest.fail(str(error), pytrace=False)


def net_snmp(
    namespace: Namespace,
    tool: str,
    options: Sequence[str],
    target: str,
    *oids: str,
    timeout: float = 2,
    retries: int = 1,
) -> subprocess.CompletedProcess[str]:
    """Run net-snmp's ``tool`` in ``namespace`` against ``target``, printing numeric OIDs.

    ``options`` (credentials and the like) go before the agent address,
    because net-snmp's tools read no option after it.
    """
    return namespace.run(
        [tool, *options, "-On", "-t", str(timeout), "-r", str(retries), target, *oids]
    )


def query(
    namespace: Namespace, tool: str, options: Sequence[str], target: str, *oids: str
) -> dict[str, Varbind]:
    """Run ``tool``, require exit status 0 and return its varbinds by OID."""
    completed = net_snmp(namespace, tool, options, target, *oids)
    assert completed.returncode == 0, completed.stderr
    # A GETBULK past the end of the MIB view repeats the last OID with the
    # value endOfMibView, so the first varbind of an OID is the one kept.
    varbinds: dict[str, Varbind] = {}
    for varbind in parse_varbinds(completed.stdout):
        varbinds.setdefault(varbind.oid, varbind)
    return varbinds


def column(varbinds: dict[str, Varbind], prefix: str) -> dict[int, Varbind]:
    """Map each varbind under ``prefix`` by its last sub-identifier, the ifIndex in IF-MIB."""
    return {
        int(oid.rsplit(".", 1)[1]): varbind
        for oid, varbind in varbinds.items()
        if oid.startswith(prefix + ".")
    }


def community(name: str) -> list[str]:
    """Return the net-snmp options for SNMPv2c with community ``name``."""
    return ["-v2c", "-c", name]


T = TypeVar("T")


def wait_until(read: Callable[[], T], done: Callable[[T], bool]) -> T:
    """Call ``read`` until ``done`` accepts its value or COUNTER_WAIT seconds pass.

    Returns the last value read, accepted or not.
    """
    deadline = time.monotonic() + COUNTER_WAIT
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.25)
        value = read()
    return value


def read_number(namespace: Namespace, options: Sequence[str], target: str, oid: str) -> int:
    """Return the numeric value of ``oid``, read with snmpget."""
    return query(namespace, "snmpget", options, target, oid)[oid].number()


@dataclass
class SnmpdSetup:
    """Lab with one host running snmpd and two extra links to the prober."""

    lab: Lab
    host: Host
    links: list[Link]
    agent: Snmpd


@pytest.fixture(scope="module")
def snmpd_setup() -> Iterator[SnmpdSetup]:
    """Start snmpd in host "agent", which has two extra links, for all tests of the module."""
    require_snmp_tools()
    sweep_stale_namespaces()
    with Lab() as lab:
        host = lab.add_host("agent")
        links = add_links(lab, host, count=2)
        with start_snmpd(host) as agent:
            yield SnmpdSetup(lab, host, links, agent)


@pytest.fixture(scope="module")
def simulator_lab() -> Iterator[tuple[Lab, SnmpSimulator]]:
    """Start snmpsim with the default recordings, for all tests of the module."""
    require_snmp_tools()
    sweep_stale_namespaces()
    with Lab() as lab, start_snmpsim(lab) as simulator:
        yield lab, simulator


@pytest.fixture
def fresh_lab() -> Iterator[Lab]:
    """Open a lab of its own for a test that changes an agent's state."""
    require_snmp_tools()
    sweep_stale_namespaces()
    with Lab() as lab:
        yield lab


# snmpd in a host namespace


@pytest.mark.netns
def test_snmpd_answers_v2c_on_every_endpoint(snmpd_setup: SnmpdSetup) -> None:
    agent = snmpd_setup.agent

    for port in agent.ports:
        for ipv6 in (False, True):
            target = agent.target(port, ipv6=ipv6)
            varbinds = query(
                snmpd_setup.lab.prober,
                "snmpget",
                community(agent.community),
                target,
                SYS_NAME,
                SYS_OBJECT_ID,
            )

            assert varbinds[SYS_NAME].string() == "lab-agent", target
            assert varbinds[SYS_OBJECT_ID].text == f".{NET_SNMP_LINUX}", target


@pytest.mark.netns
def test_snmpd_bulkwalk_lists_every_interface(snmpd_setup: SnmpdSetup) -> None:
    agent = snmpd_setup.agent

    varbinds = query(
        snmpd_setup.lab.prober, "snmpbulkwalk", community(agent.community), agent.target(), IF_DESCR
    )

    descriptions = {
        index: varbind.string() for index, varbind in column(varbinds, IF_DESCR).items()
    }
    expected = {link.host_ifindex: link.host_interface for link in snmpd_setup.links}
    assert {index: descriptions[index] for index in expected} == expected
    assert sorted(descriptions.values()) == ["eth0", "eth1", "eth2", "lo"]


@pytest.mark.netns
def test_snmpd_v3_authpriv_for_every_user(snmpd_setup: SnmpdSetup) -> None:
    agent = snmpd_setup.agent
    protocols = {(user.auth_protocol, user.privacy_protocol) for user in agent.users}

    assert ("SHA", "AES") in protocols
    if net_snmp_supports_aes256():
        assert ("SHA-256", "AES-256") in protocols
    for user in agent.users:
        varbinds = query(
            snmpd_setup.lab.prober, "snmpget", user.net_snmp_options(), agent.target(), SYS_NAME
        )
        assert varbinds[SYS_NAME].string() == "lab-agent", user.name


@pytest.mark.netns
def test_snmpd_rejects_wrong_auth_key(snmpd_setup: SnmpdSetup) -> None:
    agent = snmpd_setup.agent
    prober = snmpd_setup.lab.prober
    user = agent.users[0]
    wrong = SnmpUser(
        user.name,
        user.auth_protocol,
        "wrong-auth-key",
        user.privacy_protocol,
        user.privacy_passphrase,
    )
    before = read_number(prober, user.net_snmp_options(), agent.target(), USM_STATS_WRONG_DIGESTS)

    completed = net_snmp(prober, "snmpget", wrong.net_snmp_options(), agent.target(), SYS_NAME)

    assert completed.returncode == 1
    assert "Authentication failure" in completed.stderr
    assert (
        read_number(prober, user.net_snmp_options(), agent.target(), USM_STATS_WRONG_DIGESTS)
        == before + 1
    )


@pytest.mark.netns
def test_snmpd_ignores_wrong_privacy_key(snmpd_setup: SnmpdSetup) -> None:
    agent = snmpd_setup.agent
    prober = snmpd_setup.lab.prober
    user = agent.users[0]
    wrong = SnmpUser(
        user.name,
        user.auth_protocol,
        user.auth_passphrase,
        user.privacy_protocol,
        "wrong-privacy-key",
    )
    options = user.net_snmp_options()
    before = read_number(prober, options, agent.target(), SNMP_IN_ASN_PARSE_ERRS)

    # AES-CFB has no padding to check, so snmpd decrypts to garbage, fails
    # to parse the scoped PDU and drops it without a report: the manager
    # times out. net-snmp 5.9.3 counts this in snmpInASNParseErrs, not in
    # usmStatsDecryptionErrors.
    completed = net_snmp(
        prober,
        "snmpget",
        wrong.net_snmp_options(),
        agent.target(),
        SYS_NAME,
        timeout=1,
        retries=0,
    )

    assert completed.returncode == 1
    assert NO_ANSWER in completed.stderr
    assert read_number(prober, options, agent.target(), SNMP_IN_ASN_PARSE_ERRS) == before + 1
    assert "error parsing ScopedPDU" in agent.log_path.read_text()


@pytest.mark.netns
def test_snmpd_ignores_wrong_community(snmpd_setup: SnmpdSetup) -> None:
    agent = snmpd_setup.agent
    prober = snmpd_setup.lab.prober
    options = community(agent.community)
    before = read_number(prober, options, agent.target(), SNMP_IN_BAD_COMMUNITY_NAMES)

    completed = net_snmp(
        prober,
        "snmpget",
        community("not-the-community"),
        agent.target(),
        SYS_NAME,
        timeout=1,
        retries=0,
    )

    assert completed.returncode == 1
    assert NO_ANSWER in completed.stderr
    assert read_number(prober, options, agent.target(), SNMP_IN_BAD_COMMUNITY_NAMES) == before + 1


@pytest.mark.netns
def test_if_mib_counters_follow_traffic(snmpd_setup: SnmpdSetup) -> None:
    agent = snmpd_setup.agent
    prober = snmpd_setup.lab.prober
    inbound, outbound = snmpd_setup.links
    columns = (IF_IN_OCTETS, IF_IN_UCAST_PKTS, IF_HC_IN_OCTETS, IF_OUT_OCTETS, IF_OUT_UCAST_PKTS)

    def read_counters() -> dict[tuple[str, int], int]:
        oids = [f"{name}.{link.host_ifindex}" for name in columns for link in (inbound, outbound)]
        varbinds = query(prober, "snmpget", community(agent.community), agent.target(), *oids)
        return {
            (name, link.host_ifindex): varbinds[f"{name}.{link.host_ifindex}"].number()
            for name in columns
            for link in (inbound, outbound)
        }

    received = (IF_IN_OCTETS, inbound.host_ifindex)
    transmitted = (IF_OUT_OCTETS, outbound.host_ifindex)
    expected_received = 200 * (1000 + UDP_FRAME_OVERHEAD)
    expected_transmitted = 100 * (500 + UDP_FRAME_OVERHEAD)
    before = read_counters()
    # Into the host on the first extra link, out of the host on the second.
    sent_in = send_udp(prober, inbound.host_ipv4, total_bytes=200_000, payload_size=1000)
    sent_out = send_udp(
        snmpd_setup.host, outbound.prober_ipv4, total_bytes=50_000, payload_size=500
    )
    after = wait_until(
        read_counters,
        lambda counters: (
            counters[received] - before[received] >= expected_received
            and counters[transmitted] - before[transmitted] >= expected_transmitted
        ),
    )
    delta = {key: after[key] - before[key] for key in before}

    assert sent_in == 200
    assert sent_out == 100
    assert delta[received] == expected_received
    assert delta[(IF_HC_IN_OCTETS, inbound.host_ifindex)] == expected_received
    assert delta[(IF_IN_UCAST_PKTS, inbound.host_ifindex)] == 200
    assert delta[transmitted] == expected_transmitted
    assert delta[(IF_OUT_UCAST_PKTS, outbound.host_ifindex)] == 100
    # The other direction carries only rate-limited ICMP port unreachable replies.
    assert delta[(IF_IN_OCTETS, outbound.host_ifindex)] < expected_transmitted


@pytest.mark.netns
def test_snmpd_sends_nothing_unprompted(fresh_lab: Lab) -> None:
    host = fresh_lab.add_host("agent")

    with start_snmpd(host) as agent:
        sent_after_start = host.tx_packets()
        query(fresh_lab.prober, "snmpget", community(agent.community), agent.target(), SYS_NAME)
        sent_after_query = host.tx_packets()

    assert sent_after_start == 0
    assert sent_after_query == 1


@pytest.mark.netns
def test_snmpd_restart_increments_engine_boots(fresh_lab: Lab) -> None:
    host = fresh_lab.add_host("agent")
    prober = fresh_lab.prober

    with start_snmpd(host) as agent:
        user = agent.users[0]
        engine_ids = []
        boots = []
        for restarts in range(3):
            if restarts:
                agent.restart()
            varbinds = query(
                prober,
                "snmpget",
                user.net_snmp_options(),
                agent.target(),
                SNMP_ENGINE_BOOTS,
                SNMP_ENGINE_ID,
            )
            boots.append(varbinds[SNMP_ENGINE_BOOTS].number())
            engine_ids.append(varbinds[SNMP_ENGINE_ID].octets())
        agent.stop()
        stopped = net_snmp(
            prober,
            "snmpget",
            community(agent.community),
            agent.target(),
            SYS_NAME,
            timeout=1,
            retries=0,
        )

    assert boots == [1, 2, 3]
    assert len(set(engine_ids)) == 1
    assert NO_ANSWER in stopped.stderr
    assert "engineBoots 3" in (agent.persistent_dir / "snmpd.conf").read_text()


@pytest.mark.netns
def test_add_links_numbers_after_existing(fresh_lab: Lab) -> None:
    host = fresh_lab.add_host("a")

    first = add_links(fresh_lab, host, count=1)
    second = add_links(fresh_lab, host, count=2)

    assert [link.number for link in first + second] == [1, 2, 3]
    assert [link.host_ipv4 for link in second] == ["10.204.1.10", "10.204.1.14"]
    assert [link.prober_interface for link in second] == ["veth1e2", "veth1e3"]
    assert fresh_lab.prober.tx_packets() == 0
    assert host.tx_packets() == 0


def test_send_udp_rejects_address_outside_lab() -> None:
    with pytest.raises(ValueError, match="not a lab address"):
        send_udp(Namespace("unused"), "192.0.2.1", total_bytes=1)


# snmpsim in the prober namespace


@pytest.mark.netns
def test_snmpsim_answers_every_recording(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab

    for name in simulator.recordings:
        completed = net_snmp(
            lab.prober,
            "snmpgetnext",
            community(simulator.community(name)),
            simulator.target(),
            "1.3.6.1.2.1.1",
        )
        varbinds = parse_varbinds(completed.stdout)

        assert completed.returncode == 0, f"{name}: {completed.stderr}"
        assert [varbind.oid for varbind in varbinds] == [SYS_DESCR], name


@pytest.mark.netns
@pytest.mark.parametrize(
    ("name", "description", "enterprise"),
    [
        ("cisco-c3560", b"Cisco IOS Software, C3560", "1.3.6.1.4.1.9."),
        ("juniper-mx960", b"Juniper Networks, Inc. mx960", "1.3.6.1.4.1.2636."),
        ("linux-net-snmp", b"Linux ", NET_SNMP_LINUX),
    ],
)
def test_snmpsim_serves_device_recording(
    simulator_lab: tuple[Lab, SnmpSimulator], name: str, description: bytes, enterprise: str
) -> None:
    lab, simulator = simulator_lab

    varbinds = query(
        lab.prober,
        "snmpget",
        community(simulator.community(name)),
        simulator.target(),
        SYS_DESCR,
        SYS_OBJECT_ID,
    )

    assert varbinds[SYS_DESCR].octets().startswith(description)
    assert varbinds[SYS_OBJECT_ID].type == "OID"
    assert varbinds[SYS_OBJECT_ID].text.startswith(f".{enterprise}")


@pytest.mark.netns
def test_snmpsim_bulkwalk_cisco_interfaces(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab
    credentials = community(simulator.community("cisco-c3560"))

    descriptions = column(
        query(lab.prober, "snmpbulkwalk", credentials, simulator.target(), IF_DESCR), IF_DESCR
    )
    counters = column(
        query(lab.prober, "snmpbulkwalk", credentials, simulator.target(), IF_HC_IN_OCTETS),
        IF_HC_IN_OCTETS,
    )

    assert len(descriptions) == 57
    assert descriptions[1].string() == "Vlan1"
    # Null0 is the one interface of this switch without 64-bit counters.
    assert set(descriptions) - set(counters) == {10501}
    assert descriptions[10501].string() == "Null0"
    assert {varbind.type for varbind in counters.values()} == {"Counter64"}


@pytest.mark.netns
def test_snmpsim_linux_host_resources(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab
    credentials = community(simulator.community("linux-net-snmp"))

    uptime = query(lab.prober, "snmpget", credentials, simulator.target(), HR_SYSTEM_UPTIME)
    storage = query(lab.prober, "snmpbulkwalk", credentials, simulator.target(), HR_STORAGE_DESCR)
    load = query(lab.prober, "snmpbulkwalk", credentials, simulator.target(), HR_PROCESSOR_LOAD)

    assert uptime[HR_SYSTEM_UPTIME].type == "Timeticks"
    assert uptime[HR_SYSTEM_UPTIME].number() > 0
    assert b"Physical memory" in {varbind.octets() for varbind in storage.values()}
    assert len(load) >= 1
    assert all(0 <= varbind.number() <= 100 for varbind in load.values())


@pytest.mark.netns
@pytest.mark.parametrize(
    ("name", "subtree"),
    [("netmanage", "1.3.6.1.4.1.233"), ("h3c-e528", "1.3.6.1.4.1.25506.8.35.3.1.1.1")],
)
def test_snmpsim_walk_reports_oid_not_increasing(
    simulator_lab: tuple[Lab, SnmpSimulator], name: str, subtree: str
) -> None:
    lab, simulator = simulator_lab

    completed = net_snmp(
        lab.prober, "snmpwalk", community(simulator.community(name)), simulator.target(), subtree
    )

    assert completed.returncode == 1
    assert "OID not increasing" in completed.stderr
    assert len(parse_varbinds(completed.stdout)) >= 2


@pytest.mark.netns
def test_snmpsim_netmanage_descr_not_utf8(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab

    varbinds = query(
        lab.prober,
        "snmpget",
        community(simulator.community("netmanage")),
        simulator.target(),
        SYS_DESCR,
    )
    description = varbinds[SYS_DESCR].octets()

    assert varbinds[SYS_DESCR].type == "Hex-STRING"
    # "Chinese: " followed by the GBK encoding of two Han characters, and a lone 0xFF.
    assert b"Chinese: \xd6\xd0\xce\xc4" in description
    assert description.endswith(b"Non-ASCII: \xff")


@pytest.mark.netns
def test_snmpsim_v3_context_selects_recording(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab
    credentials = [*simulator.user.net_snmp_options(), "-n", simulator.community("juniper-mx960")]

    varbinds = query(lab.prober, "snmpget", credentials, simulator.target(), SYS_DESCR)

    assert varbinds[SYS_DESCR].string().startswith("Juniper Networks")


@pytest.mark.netns
def test_snmpsim_ignores_unknown_community(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab

    completed = net_snmp(
        lab.prober,
        "snmpget",
        community("not-a-recording"),
        simulator.target(),
        SYS_DESCR,
        timeout=1,
        retries=0,
    )

    assert completed.returncode == 1
    assert NO_ANSWER in completed.stderr


# Hand-written recordings, served by snmpsim


@pytest.mark.netns
def test_table_end_walk_stops_inside_table(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab
    credentials = community(simulator.community("table-end"))

    count = query(lab.prober, "snmpget", credentials, simulator.target(), IF_NUMBER)
    walk = parse_varbinds(
        net_snmp(lab.prober, "snmpwalk", credentials, simulator.target(), IF_DESCR).stdout
    )
    bulk = parse_varbinds(
        net_snmp(
            lab.prober, "snmpbulkget", [*credentials, "-Cr5"], simulator.target(), f"{IF_DESCR}.1"
        ).stdout
    )

    assert count[IF_NUMBER].number() == 3
    assert [(varbind.oid, varbind.type) for varbind in walk] == [
        (f"{IF_DESCR}.1", "STRING"),
        (f"{IF_DESCR}.2", "endOfMibView"),
    ]
    # snmpsim, like some real agents, goes on after endOfMibView in a GETBULK
    # response instead of repeating it as RFC 3416 requires.
    assert bulk[0] == Varbind(f"{IF_DESCR}.2", "endOfMibView", "")
    assert bulk[1].oid == f"{IF_DESCR}.3"
    assert bulk[1].string() == "eth2"


@pytest.mark.netns
def test_no_such_recording_returns_exceptions(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab
    absent = "1.3.6.1.4.1.99999.1.0"

    varbinds = query(
        lab.prober,
        "snmpget",
        community(simulator.community("no-such")),
        simulator.target(),
        f"{IF_HC_IN_OCTETS}.1",
        f"{IF_HIGH_SPEED}.1",
        f"{IF_IN_OCTETS}.1",
        absent,
    )

    assert varbinds[f"{IF_HC_IN_OCTETS}.1"].type == "noSuchObject"
    assert varbinds[f"{IF_HIGH_SPEED}.1"].type == "noSuchInstance"
    assert varbinds[f"{IF_IN_OCTETS}.1"].number() == 1000
    # snmpsim returns noSuchInstance for any OID that its recording lacks.
    assert varbinds[absent].type == "noSuchInstance"


@pytest.mark.netns
def test_interfaces_alias_raw_bytes(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab

    aliases = column(
        query(
            lab.prober,
            "snmpbulkwalk",
            community(simulator.community("interfaces")),
            simulator.target(),
            IF_ALIAS,
        ),
        IF_ALIAS,
    )

    assert aliases[1].octets() == b"Ruang Bupati (caf\xe9) \xff"
    with pytest.raises(UnicodeDecodeError):
        aliases[1].octets().decode("utf-8")
    assert aliases[2].octets().decode("utf-8") == "Wakil Bupati \u2013 Lt. 2"
    assert aliases[3].string() == "Core uplink"
    assert aliases[4].octets() == b""


@pytest.mark.netns
def test_interfaces_duplicate_descr_and_speeds(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab
    credentials = community(simulator.community("interfaces"))

    walked: dict[str, dict[int, Varbind]] = {}
    for prefix in (IF_DESCR, IF_NAME, IF_SPEED, IF_HIGH_SPEED):
        varbinds = query(lab.prober, "snmpbulkwalk", credentials, simulator.target(), prefix)
        walked[prefix] = column(varbinds, prefix)

    descriptions = {index: varbind.string() for index, varbind in walked[IF_DESCR].items()}
    names = {index: varbind.string() for index, varbind in walked[IF_NAME].items()}
    assert descriptions[1] == descriptions[2] == "Ethernet Interface"
    assert len(set(names.values())) == 4
    assert {varbind.type for varbind in walked[IF_SPEED].values()} == {"Gauge32"}
    speeds = {index: varbind.number() for index, varbind in walked[IF_SPEED].items()}
    high_speeds = {index: varbind.number() for index, varbind in walked[IF_HIGH_SPEED].items()}
    assert speeds == {1: 1_000_000_000, 2: 1_000_000_000, 3: 4_294_967_295, 4: 0}
    assert high_speeds == {1: 1000, 2: 1000, 3: 10_000, 4: 25_000}


@pytest.mark.netns
def test_wrap_recording_near_maximum(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab

    varbinds = query(
        lab.prober,
        "snmpget",
        community(simulator.community("wrap")),
        simulator.target(),
        SYS_UPTIME,
        f"{IF_IN_OCTETS}.1",
        f"{IF_OUT_OCTETS}.1",
        f"{IF_HC_IN_OCTETS}.1",
        f"{IF_HC_OUT_OCTETS}.1",
    )

    assert varbinds[SYS_UPTIME].type == "Timeticks"
    assert varbinds[SYS_UPTIME].number() == 2**32 - 296
    assert varbinds[f"{IF_IN_OCTETS}.1"] == Varbind(
        f"{IF_IN_OCTETS}.1", "Counter32", str(2**32 - 296)
    )
    assert varbinds[f"{IF_OUT_OCTETS}.1"] == Varbind(
        f"{IF_OUT_OCTETS}.1", "Counter32", str(2**32 - 1)
    )
    assert varbinds[f"{IF_HC_IN_OCTETS}.1"].type == "Counter64"
    assert varbinds[f"{IF_HC_IN_OCTETS}.1"].number() == 2**64 - 616
    assert varbinds[f"{IF_HC_OUT_OCTETS}.1"].number() == 2**64 - 1


@pytest.mark.netns
def test_reboot_pair_uptime_goes_down(fresh_lab: Lab) -> None:
    before = RECORDINGS_DIR / "reboot-before.snmprec"
    after = RECORDINGS_DIR / "reboot-after.snmprec"
    oids = (SYS_DESCR, SYS_UPTIME, f"{IF_IN_OCTETS}.1", f"{IF_HC_IN_OCTETS}.1")

    with start_snmpsim(fresh_lab, {"reboot": before}) as simulator:
        credentials = community(simulator.community("reboot"))
        polls = [query(fresh_lab.prober, "snmpget", credentials, simulator.target(), *oids)]
        simulator.serve("reboot", after)
        polls.append(query(fresh_lab.prober, "snmpget", credentials, simulator.target(), *oids))
        simulator.serve("reboot", before)
        polls.append(query(fresh_lab.prober, "snmpget", credentials, simulator.target(), *oids))

    uptimes = [poll[SYS_UPTIME].number() for poll in polls]
    octets = [poll[f"{IF_IN_OCTETS}.1"].number() for poll in polls]
    assert uptimes == [8_640_000, 1500, 8_640_000]
    assert octets == [3_000_000_000, 52_000, 3_000_000_000]
    assert polls[1][f"{IF_HC_IN_OCTETS}.1"].number() == 52_000
    assert {poll[SYS_DESCR].string() for poll in polls} == {"Lab router that reboots"}


@pytest.mark.netns
def test_snmpsim_answers_first_request(fresh_lab: Lab) -> None:
    recording = snmpsim_data_dir() / BUNDLED_RECORDINGS["cisco-c3560"]

    with start_snmpsim(fresh_lab, {"cisco-c3560": recording}) as simulator:
        # No retry: a request sent before snmpsim binds its socket is lost.
        completed = net_snmp(
            fresh_lab.prober,
            "snmpget",
            community("cisco-c3560"),
            simulator.target(),
            SYS_DESCR,
            timeout=5,
            retries=0,
        )

    assert completed.returncode == 0, completed.stderr
    assert parse_varbinds(completed.stdout)[0].string().startswith("Cisco IOS Software")


@pytest.mark.netns
def test_serve_rejects_unknown_community(fresh_lab: Lab) -> None:
    before = RECORDINGS_DIR / "reboot-before.snmprec"

    with start_snmpsim(fresh_lab, {"reboot": before}) as simulator, pytest.raises(KeyError):
        simulator.serve("other", before)


def test_snmpsim_rejects_address_outside_loopback() -> None:
    with pytest.raises(ValueError, match="loopback only"):
        start_snmpsim(Lab(), {}, address="10.203.1.1")


# Recording files and output parsers, without namespaces


@pytest.mark.parametrize("name", HAND_WRITTEN_RECORDINGS)
def test_hand_written_recording_sorted(name: str) -> None:
    records = read_snmprec(RECORDINGS_DIR / f"{name}.snmprec")
    oids = [record.oid for record in records]

    assert oids == sorted(oids)
    assert len(set(oids)) == len(oids)
    assert records[0].oid == (1, 3, 6, 1, 2, 1, 1, 1, 0)


def test_hand_written_recordings_all_listed() -> None:
    on_disk = sorted(
        path.name.removesuffix(".snmprec") for path in RECORDINGS_DIR.glob("*.snmprec")
    )

    assert on_disk == sorted(HAND_WRITTEN_RECORDINGS)


def oid_order_faults(path: Path) -> tuple[int, int]:
    """Count the records whose OID is lower than, and equal to, the OID before it."""
    oids = [record.oid for record in read_snmprec(path)]
    pairs = list(itertools.pairwise(oids))
    return (
        sum(1 for previous, current in pairs if current < previous),
        sum(1 for previous, current in pairs if current == previous),
    )


def test_bundled_recordings_order_as_documented() -> None:
    data = snmpsim_data_dir()

    faults = {name: oid_order_faults(data / path) for name, path in BUNDLED_RECORDINGS.items()}

    assert {name for name, (lower, _) in faults.items() if lower} == {"netmanage", "h3c-e528"}
    # Two recordings repeat their last OID with another type, a trace of the
    # recording tool, which a walk never reaches before it leaves the subtree.
    assert {name for name, (_, equal) in faults.items() if equal} == {
        "juniper-mx960",
        "linux-net-snmp",
    }


def test_parse_snmprec_line_rejects_garbage() -> None:
    assert parse_snmprec_line("# comment") is None
    assert parse_snmprec_line("   ") is None
    with pytest.raises(ValueError, match="expected OID"):
        parse_snmprec_line("1.3.6.1|4")
    with pytest.raises(ValueError, match="invalid OID"):
        parse_snmprec_line("1.3.x|4|a")
    with pytest.raises(ValueError, match="invalid tag"):
        parse_snmprec_line("1.3.6|four|a")


oid_strategy = st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=2, max_size=12).map(
    tuple
)
tag_strategy = st.sampled_from(
    ["2", "4", "4x", "6", "64", "65", "66", "67", "67:numeric", "70", "128", "130"]
)
snmprec_value_strategy = st.text(
    st.characters(min_codepoint=32, max_codepoint=255, blacklist_characters="\x7f"), max_size=40
).map(str.strip)


@given(oid=oid_strategy, tag=tag_strategy, value=snmprec_value_strategy)
def test_snmprec_line_round_trip(oid: tuple[int, ...], tag: str, value: str) -> None:
    record = SnmprecRecord(oid, tag, value)

    assert parse_snmprec_line(record.format()) == record


def format_hex(data: bytes) -> str:
    """Format bytes as net-snmp prints a Hex-STRING: 16 per line, each line ending in a space."""
    lines = [data[start : start + 16] for start in range(0, len(data), 16)]
    return "\n".join(" ".join(f"{byte:02X}" for byte in line) + " " for line in lines)


# Without '=' and '"', no line of a STRING can look like the start of a varbind.
string_line_strategy = st.text(
    st.characters(min_codepoint=32, max_codepoint=126, blacklist_characters='"='), max_size=30
)
varbind_strategy = st.one_of(
    st.tuples(st.just("INTEGER"), st.integers(-(2**31), 2**31 - 1).map(str)),
    st.tuples(st.just("Counter32"), st.integers(0, 2**32 - 1).map(str)),
    st.tuples(st.just("Counter64"), st.integers(0, 2**64 - 1).map(str)),
    st.tuples(st.just("Gauge32"), st.integers(0, 2**32 - 1).map(str)),
    st.tuples(st.just("Timeticks"), st.integers(0, 2**32 - 1).map(lambda n: f"({n}) 0:00:00.00")),
    st.tuples(
        st.just("STRING"),
        st.lists(string_line_strategy, min_size=1, max_size=3).map(
            lambda lines: '"' + "\n".join(lines) + '"'
        ),
    ),
    st.tuples(st.just("Hex-STRING"), st.binary(min_size=1, max_size=40).map(format_hex)),
    st.tuples(st.sampled_from(["noSuchObject", "noSuchInstance", "endOfMibView"]), st.just("")),
)
EXCEPTION_TEXT = {
    "noSuchObject": "No Such Object available on this agent at this OID",
    "noSuchInstance": "No Such Instance currently exists at this OID",
    "endOfMibView": "No more variables left in this MIB View (It is past the end of the MIB tree)",
}


@given(cases=st.lists(st.tuples(oid_strategy, varbind_strategy), max_size=6))
def test_parse_varbinds_round_trip(cases: list[tuple[tuple[int, ...], tuple[str, str]]]) -> None:
    lines = []
    expected = []
    for oid, (kind, text) in cases:
        dotted = ".".join(str(part) for part in oid)
        if kind in EXCEPTION_TEXT:
            lines.append(f".{dotted} = {EXCEPTION_TEXT[kind]}")
        else:
            lines.append(f".{dotted} = {kind}: {text}")
        expected.append(Varbind(dotted, kind, text.rstrip(" \n")))

    assert parse_varbinds("\n".join(lines) + "\n") == expected


def test_varbind_values() -> None:
    output = (
        ".1.3.6.1.2.1.1.3.0 = Timeticks: (4294967000) 497 days, 2:27:50.00\n"
        '.1.3.6.1.2.1.1.1.0 = STRING: "two\nlines"\n'
        ".1.3.6.1.2.1.31.1.1.1.18.1 = Hex-STRING: 43 61 66 E9 \n"
        '.1.3.6.1.2.1.31.1.1.1.18.4 = ""\n'
    )

    uptime, description, alias, empty = parse_varbinds(output)

    assert uptime.number() == 4294967000
    assert description.string() == "two\nlines"
    assert alias.octets() == b"Caf\xe9"
    assert empty.string() == ""
    with pytest.raises(ValueError, match="not STRING"):
        alias.string()
