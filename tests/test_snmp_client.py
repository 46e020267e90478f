"""SNMP client against real agents: net-snmp's snmpd in namespaces, scripted agents on loopback.

The snmpd and snmpsim tests run the client inside the lab's prober namespace,
which has no route out, and compare its results with net-snmp's own
snmpbulkwalk. The scripted agents are small UDP agents on 127.0.0.1 that
respond with crafted BER, for the cases a healthy snmpd never produces: OIDs
that go backwards, endOfMibView inside a GETBULK page, out-of-range values.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probes import base, snmp, snmp_ber, snmp_profiles
from probes.snmp_values import interface_speed
from tests.lab import snmp as lab_snmp
from tests.lab.fixtures import require_root
from tests.lab.netns import REPOSITORY_ROOT, Host, Lab, sweep_stale_namespaces
from tests.lab.snmp import (
    LAB_COMMUNITY,
    RECORDINGS_DIR,
    Link,
    Snmpd,
    SnmpSimulator,
    SnmpUser,
    Varbind,
    add_links,
    parse_varbinds,
    require_net_snmp,
    send_udp,
    start_snmpd,
    start_snmpsim,
)

Oid = tuple[int, ...]

COMMUNITY = "pantau-lab-ro"
# SNMPv3 settings for tests that never reach an agent.
V3_OFFLINE = {
    "version": "3",
    "user": "noc",
    "security_level": "authPriv",
    "auth_protocol": "SHA",
    "auth_key": "kunci-auth-rahasia",
    "priv_protocol": "AES",
    "priv_key": "kunci-priv-rahasia",
}
IF_TABLE = (1, 3, 6, 1, 2, 1, 2, 2)

# BER encoding of responses for the scripted agents --------------------------------------


def _tlv(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes((tag, length)) + content
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(octets))) + octets + content


def _signed(value: int) -> bytes:
    magnitude = value if value >= 0 else ~value
    return value.to_bytes(magnitude.bit_length() // 8 + 1, "big", signed=True)


def _unsigned(value: int) -> bytes:
    return value.to_bytes(value.bit_length() // 8 + 1, "big")


def _oid_content(oid: Oid) -> bytes:
    content = bytearray()
    for arc in (oid[0] * 40 + oid[1], *oid[2:]):
        septets = [arc & 0x7F]
        arc >>= 7
        while arc:
            septets.append(arc & 0x7F | 0x80)
            arc >>= 7
        content.extend(reversed(septets))
    return bytes(content)


def encode_value(tag: int, value: object) -> bytes:
    """Encode one varbind value in its minimal BER form, whatever its range."""
    if value is None:
        return bytes((tag, 0))
    if isinstance(value, bytes):
        return _tlv(tag, value)
    if isinstance(value, tuple):
        return _tlv(tag, _oid_content(value))
    assert isinstance(value, int)
    if tag == snmp_ber.INTEGER:
        return _tlv(tag, _signed(value))
    return _tlv(tag, _unsigned(value))


def encode_response(
    version: int,
    community: bytes,
    request_id: int,
    varbinds: Sequence[tuple[Oid, int, object]],
    error_status: int = 0,
    error_index: int = 0,
    raw_list: bytes | None = None,
) -> bytes:
    """Encode a Response PDU; ``raw_list`` replaces the encoded varbind list."""
    body = b"".join(
        _tlv(0x30, _tlv(snmp_ber.OBJECT_IDENTIFIER, _oid_content(oid)) + encode_value(tag, value))
        for oid, tag, value in varbinds
    )
    if raw_list is not None:
        body = raw_list
    pdu = (
        _tlv(snmp_ber.INTEGER, _signed(request_id))
        + _tlv(snmp_ber.INTEGER, _signed(error_status))
        + _tlv(snmp_ber.INTEGER, _signed(error_index))
        + _tlv(0x30, body)
    )
    message = (
        _tlv(snmp_ber.INTEGER, _signed(version))
        + _tlv(snmp_ber.OCTET_STRING, community)
        + _tlv(snmp_ber.RESPONSE, pdu)
    )
    return _tlv(0x30, message)


# Scripted agents on loopback ----------------------------------------------------------------

END = "endOfMibView"
SYS_UPTIME = snmp_profiles.SYS_UPTIME


@dataclass
class ScriptedAgent(asyncio.DatagramProtocol):
    """UDP agent over a fixed MIB view that responds to GET, GETNEXT and GETBULK.

    ``successors`` overrides the lexicographic successor of an OID: another
    OID (possibly smaller, as a broken agent sends) or END for endOfMibView.
    ``delay`` postpones each reply, so that requests overlap.
    """

    objects: dict[Oid, tuple[int, object]]
    successors: dict[Oid, Oid | str] = field(default_factory=dict)
    community: bytes = COMMUNITY.encode()
    delay: float = 0.0
    silent: bool = False
    # GETNEXT and GETBULK requests whose first OID lies under this prefix get
    # a reply with a broken varbind list but intact headers.
    corrupt_prefix: Oid | None = None
    received: list[tuple[int, tuple[Oid, ...], int]] = field(default_factory=list)
    # [replies pending now, max pending at once], shared by several agents
    in_flight: list[int] = field(default_factory=lambda: [0, 0])
    transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        request = snmp_ber.decode_response(data)
        oids = tuple(varbind.oid for varbind in request.varbinds)
        self.received.append((request.pdu_tag, oids, request.error_index))
        if self.silent or request.community != self.community:
            return
        reply = self._reply(request, oids)
        prefix = self.corrupt_prefix
        if (
            prefix is not None
            and request.pdu_tag != snmp_ber.GET
            and oids[0][: len(prefix)] == prefix
        ):
            # A varbind of 3 bytes whose OID claims 5: structural damage.
            broken = bytes((0x30, 3, snmp_ber.OBJECT_IDENTIFIER, 5, 0x2B))
            reply = encode_response(
                request.version, request.community, request.request_id, [], raw_list=broken
            )
        self.in_flight[0] += 1
        self.in_flight[1] = max(self.in_flight[1], self.in_flight[0])
        asyncio.get_running_loop().call_later(self.delay, self._send, reply, addr)

    def _send(self, reply: bytes, addr: tuple[str, int]) -> None:
        self.in_flight[0] -= 1
        if self.transport is not None:
            self.transport.sendto(reply, addr)

    def _reply(self, request: snmp_ber.Response, oids: tuple[Oid, ...]) -> bytes:
        varbinds: list[tuple[Oid, int, object]] = []
        if request.pdu_tag == snmp_ber.GET:
            for oid in oids:
                tag, value = self.objects.get(oid, (snmp_ber.NO_SUCH_OBJECT, None))
                varbinds.append((oid, tag, value))
        elif request.pdu_tag == snmp_ber.GETNEXT:
            varbinds = [self._next(oid) for oid in oids]
        else:
            current = list(oids)
            for _ in range(request.error_index):  # max-repetitions
                for position, oid in enumerate(current):
                    varbind = self._next(oid)
                    varbinds.append(varbind)
                    current[position] = varbind[0]
        return encode_response(request.version, request.community, request.request_id, varbinds)

    def _next(self, oid: Oid) -> tuple[Oid, int, object]:
        successor = self.successors.get(oid)
        if successor == END:
            return (oid, snmp_ber.END_OF_MIB_VIEW, None)
        if isinstance(successor, tuple):
            return (successor, *self.objects[successor])
        for candidate in sorted(self.objects):
            if candidate > oid:
                return (candidate, *self.objects[candidate])
        return (oid, snmp_ber.END_OF_MIB_VIEW, None)


@contextlib.asynccontextmanager
async def scripted_agent(agent: ScriptedAgent, host: str = "127.0.0.1") -> Any:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: agent, local_addr=(host, 0))
    try:
        yield agent
    finally:
        transport.close()


def if_objects(
    rows: dict[int, dict[str, tuple[int, object]]], uptime: int = 123_456
) -> dict[Oid, tuple[int, object]]:
    """Build an agent view with sysUpTime.0 and the given ifTable/ifXTable cells."""
    objects: dict[Oid, tuple[int, object]] = {SYS_UPTIME: (snmp_ber.TIMETICKS, uptime)}
    for index, cells in rows.items():
        for column, cell in cells.items():
            objects[(*snmp_profiles.IF_COLUMNS[column], index)] = cell
    return objects


def request(port: int, **settings: Any) -> snmp.SnmpRequest:
    settings.setdefault("community", COMMUNITY)
    settings.setdefault("timeout", 0.5)
    settings.setdefault("retries", 0)
    settings.setdefault("profiles", ("interfaces",))
    return snmp.SnmpRequest(settings.pop("target", "dev"), "127.0.0.1", port=port, **settings)


async def poll_once(snmp_request: snmp.SnmpRequest, **client: Any) -> base.ProbeResult:
    snmp_client = snmp.SnmpClient(**client)
    try:
        return await snmp_client.poll(snmp_request)
    finally:
        snmp_client.close()


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


# Scripted-agent tests ----------------------------------------------------------------------

IF_DESCR = snmp_profiles.IF_COLUMNS["ifDescr"]
IF_IN_OCTETS = snmp_profiles.IF_COLUMNS["ifInOctets"]
OCTETS = snmp_ber.OCTET_STRING


def test_non_increasing_oid_ends_only_that_subtree(caplog: pytest.LogCaptureFixture) -> None:
    # A GETNEXT loop as in the field: the agent returns the smaller
    # ...4.63000.1.1 after ...4.63200.5.1, which sends a naive walker round forever.
    broken = (1, 3, 6, 1, 4, 1, 99999, 4)
    healthy = (1, 3, 6, 1, 4, 1, 99999, 7)
    objects: dict[Oid, tuple[int, object]] = {
        SYS_UPTIME: (snmp_ber.TIMETICKS, 1),
        (*broken, 63000, 1, 1): (snmp_ber.INTEGER, 1),
        (*broken, 63200, 5, 1): (snmp_ber.INTEGER, 2),
        (*healthy, 1): (snmp_ber.INTEGER, 10),
        (*healthy, 2): (snmp_ber.INTEGER, 20),
        (*healthy, 3): (snmp_ber.INTEGER, 30),
    }
    agent = ScriptedAgent(objects, successors={(*broken, 63200, 5, 1): (*broken, 63000, 1, 1)})
    custom = (
        snmp.CustomOid("broken", broken, "gauge", "index"),
        snmp.CustomOid("healthy", healthy, "gauge", "index"),
    )

    async def scenario() -> list[base.ProbeResult]:
        async with scripted_agent(agent):
            client = snmp.SnmpClient()
            try:
                settings = {"profiles": (), "custom": custom, "use_getnext": True}
                return [await client.poll(request(agent.port, **settings)) for _ in range(2)]
            finally:
                client.close()

    with caplog.at_level(logging.WARNING, logger="probes.snmp"):
        results = run(scenario())

    result = results[0]
    assert result.success
    assert result.reason == snmp.WALK_ERROR
    values = {(value.name, value.index): value.value for value in result.detail.custom}
    assert values == {
        ("broken", "63000.1.1"): 1.0,
        ("broken", "63200.5.1"): 2.0,
        ("healthy", "1"): 10.0,
        ("healthy", "2"): 20.0,
        ("healthy", "3"): 30.0,
    }
    [error] = result.detail.errors
    assert error.subtree == broken
    assert error.kind == snmp.NON_INCREASING
    assert error.oid == (*broken, 63000, 1, 1)
    warnings = [r for r in caplog.records if "not increasing" in r.getMessage()]
    assert len(warnings) == 1  # two polls, one log line
    assert "target=dev" in warnings[0].getMessage()
    assert "1.3.6.1.4.1.99999.4.63000.1.1" in warnings[0].getMessage()
    # Each GETNEXT returned one OID per open column: 3 requests, then the
    # healthy column alone until it leaves its subtree.
    assert result.detail.requests <= 6


def test_end_of_mib_view_ends_one_column() -> None:
    # ifDescr has rows 1 and 2, then endOfMibView; ifInOctets has rows 1 to 4.
    rows = {index: {"ifInOctets": (snmp_ber.COUNTER32, index * 1000)} for index in (1, 2, 3, 4)}
    rows[1]["ifDescr"] = (OCTETS, b"eth0")
    rows[2]["ifDescr"] = (OCTETS, b"eth1")
    agent = ScriptedAgent(if_objects(rows), successors={(*IF_DESCR, 2): END})

    async def scenario() -> base.ProbeResult:
        async with scripted_agent(agent):
            return await poll_once(request(agent.port, max_repetitions=10))

    result = run(scenario())

    assert result.reason == base.OK
    interfaces = {row.if_index: row for row in result.detail.interfaces}
    assert sorted(interfaces) == [1, 2, 3, 4]
    assert interfaces[2].descr == "eth1"  # the last real row before endOfMibView
    assert interfaces[3].descr == ""
    assert [interfaces[i].counters["in_octets"].value for i in (1, 2, 3, 4)] == [
        1000,
        2000,
        3000,
        4000,
    ]
    bulk_requests = [r for r in agent.received if r[0] == snmp_ber.GETBULK]
    # One page held every row: the walk needed one GETBULK, plus the page
    # that found the end of the ifInOctets column and of the others.
    assert len(bulk_requests) <= 2


def test_walk_never_leaves_its_subtree() -> None:
    objects = if_objects({1: {"ifDescr": (OCTETS, b"lo")}, 2: {"ifDescr": (OCTETS, b"eth0")}})
    beyond = (1, 3, 6, 1, 2, 1, 3, 1, 1, 1)  # atTable, right after ifTable
    objects[beyond] = (snmp_ber.INTEGER, 7)
    agent = ScriptedAgent(objects)
    custom = (snmp.CustomOid("iftable", IF_TABLE, "text", "oid"),)

    async def scenario() -> base.ProbeResult:
        async with scripted_agent(agent):
            return await poll_once(request(agent.port, profiles=(), custom=custom))

    result = run(scenario())

    assert result.reason == base.OK
    assert {value.index for value in result.detail.custom} == {"1.2.1", "1.2.2"}
    assert all(value.value in ("lo", "eth0") for value in result.detail.custom)


def test_walk_row_cap_keeps_rows_read() -> None:
    rows = {index: {"ifDescr": (OCTETS, f"port{index}".encode())} for index in range(1, 11)}
    agent = ScriptedAgent(if_objects(rows))

    async def scenario() -> base.ProbeResult:
        async with scripted_agent(agent):
            return await poll_once(request(agent.port, max_rows=4, max_repetitions=3))

    result = run(scenario())

    assert result.reason == snmp.WALK_ERROR
    assert [row.name for row in result.detail.interfaces] == ["port1", "port2", "port3", "port4"]
    kinds = {(error.subtree, error.kind) for error in result.detail.errors}
    assert (IF_DESCR, snmp.MAX_ROWS) in kinds


def test_walk_request_cap_stops_walk() -> None:
    rows = {index: {"ifDescr": (OCTETS, f"port{index}".encode())} for index in range(1, 11)}
    agent = ScriptedAgent(if_objects(rows))

    async def scenario() -> base.ProbeResult:
        async with scripted_agent(agent):
            return await poll_once(request(agent.port, max_requests=3, use_getnext=True))

    result = run(scenario())

    assert result.reason == snmp.WALK_ERROR
    assert [row.name for row in result.detail.interfaces] == ["port1", "port2", "port3"]
    assert {error.kind for error in result.detail.errors} == {snmp.MAX_REQUESTS}
    getnext_requests = [r for r in agent.received if r[0] == snmp_ber.GETNEXT]
    assert len(getnext_requests) == 3


def test_same_descr_interfaces_keyed_by_index() -> None:
    rows = {
        3: {
            "ifDescr": (OCTETS, b"GigabitEthernet"),
            "ifOperStatus": (snmp_ber.INTEGER, 1),
            "ifHCInOctets": (snmp_ber.COUNTER64, 5_000_000_000_000),
        },
        7: {
            "ifDescr": (OCTETS, b"GigabitEthernet"),
            "ifOperStatus": (snmp_ber.INTEGER, 2),
            "ifInOctets": (snmp_ber.COUNTER32, 42),
        },
    }
    agent = ScriptedAgent(if_objects(rows))

    async def scenario() -> base.ProbeResult:
        async with scripted_agent(agent):
            return await poll_once(request(agent.port))

    result = run(scenario())

    interfaces = {row.if_index: row for row in result.detail.interfaces}
    assert sorted(interfaces) == [3, 7]
    assert interfaces[3].name == interfaces[7].name == "GigabitEthernet"
    assert interfaces[3].counters["in_octets"].value == 5_000_000_000_000
    assert interfaces[3].counters["in_octets"].bits == 64
    assert interfaces[7].counters["in_octets"].value == 42
    assert interfaces[7].counters["in_octets"].bits == 32
    assert result.values["interfaces_up"] == 1.0
    assert result.values["interfaces_down"] == 1.0


def test_labels_speeds_and_filters() -> None:
    rows = {
        1: {
            "ifDescr": (OCTETS, b"lo"),
            "ifType": (snmp_ber.INTEGER, 24),
            "ifSpeed": (snmp_ber.GAUGE32, 10_000_000),
        },
        2: {
            "ifDescr": (OCTETS, b"sfp-sfpplus1"),
            "ifName": (OCTETS, b"sfp1"),
            "ifAlias": (OCTETS, b"Uplink Dinas Pendidikan \xe9"),  # latin-1, not UTF-8
            "ifType": (snmp_ber.INTEGER, 6),
            "ifSpeed": (snmp_ber.GAUGE32, 4_294_967_295),
            "ifHighSpeed": (snmp_ber.GAUGE32, 20_000),
        },
        3: {
            "ifDescr": (OCTETS, b"ether2"),
            "ifAlias": (OCTETS, "Bappeda – lantai 2".encode()),
            "ifType": (snmp_ber.INTEGER, 6),
            "ifSpeed": (snmp_ber.GAUGE32, 0),
            "ifHighSpeed": (snmp_ber.GAUGE32, 0),
        },
    }
    agent = ScriptedAgent(if_objects(rows))

    async def scenario() -> list[base.ProbeResult]:
        async with scripted_agent(agent):
            return [
                await poll_once(request(agent.port)),
                await poll_once(request(agent.port, interface_types=(6,))),
                await poll_once(request(agent.port, interface_include=("sfp.*",))),
                await poll_once(request(agent.port, interface_exclude=("lo", "ether.*"))),
            ]

    everything, by_type, included, excluded = run(scenario())

    interfaces = {row.if_index: row for row in everything.detail.interfaces}
    assert interfaces[2].name == "sfp1"
    assert interfaces[2].descr == "sfp-sfpplus1"
    assert interfaces[2].alias == "Uplink Dinas Pendidikan é"
    assert interfaces[2].alias_raw == b"Uplink Dinas Pendidikan \xe9"
    assert interfaces[2].name_raw == b"sfp1"
    assert interfaces[2].speed == 20e9
    assert interfaces[3].alias == "Bappeda – lantai 2"
    assert interfaces[3].speed is None
    assert interfaces[1].speed == 10e6
    assert [row.if_index for row in by_type.detail.interfaces] == [2, 3]
    assert by_type.detail.interfaces_filtered_out == 1
    assert [row.if_index for row in included.detail.interfaces] == [2]
    assert [row.if_index for row in excluded.detail.interfaces] == [2]
    assert excluded.values["interfaces"] == 1.0


def test_out_of_range_value_is_decode_error() -> None:
    rows = {
        # Five content octets: a Counter32 above 2**32 - 1, from a broken agent.
        1: {"ifDescr": (OCTETS, b"eth0"), "ifInOctets": (snmp_ber.COUNTER32, 2**32 + 5)},
        2: {"ifDescr": (OCTETS, b"eth1"), "ifInOctets": (snmp_ber.COUNTER32, 77)},
    }
    agent = ScriptedAgent(if_objects(rows))

    async def scenario() -> base.ProbeResult:
        async with scripted_agent(agent):
            return await poll_once(request(agent.port))

    result = run(scenario())

    assert result.success
    assert result.reason == snmp.DECODE_ERROR
    interfaces = {row.if_index: row for row in result.detail.interfaces}
    assert "in_octets" not in interfaces[1].counters
    assert interfaces[1].name == "eth0"
    assert interfaces[2].counters["in_octets"].value == 77
    [error] = result.detail.errors
    assert error.kind == snmp.VALUE_ERROR
    assert error.oid == (*IF_IN_OCTETS, 1)


def test_malformed_response_spoils_only_its_walk() -> None:
    rows = {1: {"ifDescr": (OCTETS, b"eth0")}, 2: {"ifDescr": (OCTETS, b"eth1")}}
    objects = if_objects(rows)
    healthy = (1, 3, 6, 1, 4, 1, 99999, 7)
    objects[(*healthy, 1)] = (snmp_ber.INTEGER, 10)
    agent = ScriptedAgent(objects, corrupt_prefix=snmp_profiles.IF_ENTRY)
    custom = (snmp.CustomOid("healthy", healthy, "gauge", "index"),)

    async def scenario() -> base.ProbeResult:
        async with scripted_agent(agent):
            return await poll_once(
                request(agent.port, profiles=("system", "interfaces"), custom=custom)
            )

    result = run(scenario())

    assert result.success
    assert result.reason == snmp.DECODE_ERROR
    assert result.detail.system.uptime_ticks == 123_456
    assert result.detail.interfaces == ()
    assert [(value.index, value.value) for value in result.detail.custom] == [("1", 10.0)]
    kinds = {error.kind for error in result.detail.errors}
    assert kinds == {snmp.DECODE_ERROR}
    assert {error.subtree for error in result.detail.errors} == set(
        snmp_profiles.IF_COLUMNS.values()
    )


def test_mikrotik_profile_reads_host_resources() -> None:
    # RouterOS: one hrProcessorLoad row per core, RAM as hrStorage row 65536.
    ram = (*snmp_profiles.HR_STORAGE_TYPES_PREFIX, 2)
    disk = (*snmp_profiles.HR_STORAGE_TYPES_PREFIX, 4)
    load = snmp_profiles.HR_PROCESSOR_COLUMNS["hrProcessorLoad"]
    storage = snmp_profiles.HR_STORAGE_COLUMNS
    objects: dict[Oid, tuple[int, object]] = {
        SYS_UPTIME: (snmp_ber.TIMETICKS, 99),
        (*load, 1): (snmp_ber.INTEGER, 12),
        (*load, 2): (snmp_ber.INTEGER, 47),
    }
    for index, kind, descr, units, size, used in (
        (65536, ram, b"main memory", 1024, 262_144, 65_536),
        (131072, disk, b"system disk", 1024, 131_072, 98_304),
    ):
        objects[(*storage["hrStorageType"], index)] = (snmp_ber.OBJECT_IDENTIFIER, kind)
        objects[(*storage["hrStorageDescr"], index)] = (OCTETS, descr)
        objects[(*storage["hrStorageAllocationUnits"], index)] = (snmp_ber.INTEGER, units)
        objects[(*storage["hrStorageSize"], index)] = (snmp_ber.INTEGER, size)
        objects[(*storage["hrStorageUsed"], index)] = (snmp_ber.INTEGER, used)
    agent = ScriptedAgent(objects)

    async def scenario() -> base.ProbeResult:
        async with scripted_agent(agent):
            return await poll_once(request(agent.port, profiles=("mikrotik",)))

    result = run(scenario())

    assert result.reason == base.OK
    assert [(cpu.index, cpu.percent) for cpu in result.detail.cpu] == [("1", 12.0), ("2", 47.0)]
    assert result.values["cpu_load_max_ratio"] == 0.47
    [memory] = result.detail.memory
    assert memory.name == "main memory"
    assert memory.total_bytes == 262_144 * 1024
    assert result.values["memory_used_ratio"] == 0.25
    assert result.values["storage_max_used_ratio"] == 0.75


def test_silent_and_closed_ports_leave_others_alone() -> None:
    good = ScriptedAgent(if_objects({1: {"ifDescr": (OCTETS, b"eth0")}}))
    silent = ScriptedAgent({}, silent=True)

    async def scenario() -> tuple[list[base.ProbeResult], int]:
        async with scripted_agent(good), scripted_agent(silent):
            # A port that was bound a moment ago and is closed now.
            probe_socket = await asyncio.get_running_loop().create_datagram_endpoint(
                asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
            )
            closed_port = probe_socket[0].get_extra_info("sockname")[1]
            probe_socket[0].close()
            client = snmp.SnmpClient()
            try:
                results = await client.poll_many(
                    [
                        request(good.port, target="good"),
                        request(silent.port, target="silent", timeout=0.3, retries=2),
                        request(closed_port, target="closed", timeout=5.0, retries=3),
                    ]
                )
            finally:
                client.close()
            return results, len(silent.received)

    (good_result, silent_result, closed_result), silent_datagrams = run(scenario())

    assert good_result.success
    assert good_result.reason == base.OK
    assert [row.name for row in good_result.detail.interfaces] == ["eth0"]
    assert not silent_result.success
    assert silent_result.reason == snmp.TIMEOUT
    assert silent_datagrams == 3  # the request and its two retries, then nothing
    assert silent_result.detail.retries == 2
    assert "sysuptime_seconds" not in silent_result.values
    assert not closed_result.success
    assert closed_result.reason == snmp.REFUSED
    # Refused by ICMP at the first attempt: none of its 5 s timeouts ran out.
    assert closed_result.detail.requests == 1
    assert closed_result.detail.retries == 0


def test_ipv6_loopback_refused() -> None:
    result = run(poll_once(snmp.SnmpRequest("six", "::1", port=9, community="x", timeout=3)))
    assert result.reason == snmp.REFUSED
    assert not result.success


def test_max_in_flight_bounds_outstanding_requests() -> None:
    in_flight = [0, 0]
    agents = [
        ScriptedAgent(
            if_objects({1: {"ifDescr": (OCTETS, b"eth0")}}), delay=0.05, in_flight=in_flight
        )
        for _ in range(6)
    ]

    async def scenario(limit: int) -> list[base.ProbeResult]:
        async with contextlib.AsyncExitStack() as stack:
            for agent in agents:
                await stack.enter_async_context(scripted_agent(agent))
            client = snmp.SnmpClient(max_in_flight=limit)
            try:
                return await client.poll_many(
                    [request(agent.port, target=f"d{i}") for i, agent in enumerate(agents)]
                )
            finally:
                client.close()

    results = run(scenario(2))
    assert all(result.reason == base.OK for result in results)
    assert in_flight[1] == 2

    in_flight[1] = 0
    results = run(scenario(100))
    assert all(result.reason == base.OK for result in results)
    assert in_flight[1] == 6  # one outstanding request per device, all at once


def test_burst_of_replies_all_matched() -> None:
    # 500 requests in flight to 20 agents whose replies leave in bursts: the
    # shared socket must keep and match every one of them.
    in_flight = [0, 0]
    agents = [
        ScriptedAgent(if_objects({}, uptime=100 + i), delay=0.05, in_flight=in_flight)
        for i in range(20)
    ]

    async def scenario() -> tuple[list[base.ProbeResult], int]:
        async with contextlib.AsyncExitStack() as stack:
            for agent in agents:
                await stack.enter_async_context(scripted_agent(agent))
            client = snmp.SnmpClient(max_in_flight=500)
            requests = [
                request(agent.port, target=f"d{i}-{copy}", profiles=(), timeout=5.0)
                for i, agent in enumerate(agents)
                for copy in range(25)
            ]
            try:
                return await client.poll_many(requests), client.unmatched_responses
            finally:
                client.close()

    results, unmatched = run(scenario())

    assert len(results) == 500
    assert all(result.reason == base.OK for result in results)
    for result in results:
        device = int(result.target[1:].split("-")[0])
        assert result.detail.system.uptime_ticks == 100 + device
    assert unmatched == 0
    assert in_flight[1] > 100  # the replies really overlapped


def test_placeholder_address_gets_no_packet() -> None:
    result = run(poll_once(snmp.SnmpRequest("doc", "192.0.2.10", community="x")))
    assert result.reason == base.UNCONFIGURED
    assert not result.success
    assert result.detail.requests == 0


def test_request_repr_hides_secrets() -> None:
    text = repr(snmp.SnmpRequest("core", "127.0.0.1", **V3_OFFLINE))
    assert "kunci-auth-rahasia" not in text
    assert "kunci-priv-rahasia" not in text
    assert COMMUNITY not in repr(snmp.SnmpRequest("core", "127.0.0.1", community=COMMUNITY))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"address": "router.example"}, "does not appear to be an IPv4 or IPv6 address"),
        ({"version": "2"}, "version must be one of"),
        ({"version": "2c", "community": None}, "needs a community"),
        ({"profiles": ("bogus",)}, "unknown SNMP profiles"),
        ({**V3_OFFLINE, "priv_key": None}, "authPriv needs priv_protocol and priv_key"),
        ({**V3_OFFLINE, "auth_protocol": "SHA1"}, "needs auth_protocol and auth_key"),
    ],
)
def test_invalid_request_rejected(settings: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"target": "t", "address": "127.0.0.1", "community": "c"}
    arguments.update(settings)
    with pytest.raises(ValueError, match=message):
        snmp.SnmpRequest(**arguments)


# Walker properties with a fake session ---------------------------------------------------------


class FakeSession:
    """In-memory Session over a list of (OID, value) pairs in any order, even broken."""

    version = "2c"

    def __init__(self, view: list[tuple[Oid, int]], truncate: int) -> None:
        self.view = view
        self.truncate = truncate
        self.requests = self.retries = self.responses = self.varbinds = 0

    def _next(self, oid: Oid) -> snmp_ber.VarBind:
        # The successor of an OID in the view is the entry after it in list
        # order, which may be smaller: the agent's own order wins, as in a
        # broken agent. Any other OID gets the smallest greater one.
        oids = [candidate for candidate, _ in self.view]
        if oid in oids and oids.index(oid) + 1 < len(oids):
            candidate, value = self.view[oids.index(oid) + 1]
            return snmp_ber.VarBind(candidate, snmp_ber.INTEGER, value)
        greater = [(candidate, value) for candidate, value in self.view if candidate > oid]
        if oid not in oids and greater:
            candidate, value = min(greater)
            return snmp_ber.VarBind(candidate, snmp_ber.INTEGER, value)
        return snmp_ber.VarBind(oid, snmp_ber.END_OF_MIB_VIEW, None)

    async def get(self, oids: Sequence[Oid]) -> snmp.PduResponse:
        raise AssertionError("the walker never sends GET")

    async def get_next(self, oids: Sequence[Oid]) -> snmp.PduResponse:
        return await self.get_bulk(oids, 1)

    async def get_bulk(self, oids: Sequence[Oid], max_repetitions: int) -> snmp.PduResponse:
        self.requests += 1
        current = list(oids)
        varbinds = []
        for _ in range(max_repetitions):
            for position, oid in enumerate(current):
                varbind = self._next(oid)
                varbinds.append(varbind)
                current[position] = varbind.oid
        return snmp.PduResponse(0, 0, tuple(varbinds[: max(1, self.truncate)]))


_arcs = st.integers(min_value=0, max_value=4)


@settings(max_examples=200, deadline=None)
@given(
    view=st.lists(
        st.tuples(st.tuples(st.just(1), st.just(3), _arcs, _arcs, _arcs), st.integers(0, 9)),
        max_size=30,
    ),
    roots=st.lists(st.tuples(st.just(1), st.just(3), _arcs), min_size=1, max_size=4),
    repetitions=st.integers(1, 6),
    truncate=st.integers(1, 20),
    max_rows=st.integers(1, 40),
)
def test_walk_terminates_inside_roots_increasing(
    view: list[tuple[Oid, int]],
    roots: list[Oid],
    repetitions: int,
    truncate: int,
    max_rows: int,
) -> None:
    session = FakeSession(view, truncate)
    errors: list[snmp.SubtreeError] = []
    walk = snmp._Walk(
        session,
        roots,
        bulk=True,
        max_repetitions=repetitions,
        max_rows=max_rows,
        max_requests=200,
        report=errors.append,
    )
    run(walk.run())

    assert session.requests <= 200
    assert all(column.done for column in walk.columns)
    for column in walk.columns:
        assert len(column.rows) <= max_rows
        full = [column.root + suffix for suffix in column.rows]
        assert all(oid[: len(column.root)] == column.root for oid in full)
        assert full == sorted(set(full))  # kept in increasing order, no repeats
    # A walk of a well-ordered view never reports a non-increasing OID.
    if [oid for oid, _ in view] == sorted({oid for oid, _ in view}):
        assert snmp.NON_INCREASING not in {error.kind for error in errors}


# Runs inside the prober namespace: polls the request lists given as JSON,
# one list per step, printing one JSON line per step and waiting for a line
# on stdin between steps.
_POLL_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, logging, sys
    from probes import snmp

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s %(message)s")

    def custom(item):
        item["oid"] = tuple(item["oid"])
        return snmp.CustomOid(**item)

    def make(item):
        item = dict(item)
        for key in ("profiles", "interface_include", "interface_exclude", "interface_types"):
            if key in item:
                item[key] = tuple(item[key])
        item["custom"] = tuple(custom(c) for c in item.get("custom", ()))
        return snmp.SnmpRequest(**item)

    def dump(result):
        d = result.detail
        return {
            "target": result.target, "success": result.success, "reason": result.reason,
            "message": result.message, "values": dict(result.values),
            "duration": result.duration,
            "system": {
                "descr": d.system.descr, "name": d.system.name,
                "location": d.system.location, "uptime": d.system.uptime_ticks,
                "object_id": d.system.object_id,
            },
            "interfaces": [
                {
                    "index": row.if_index, "name": row.name, "descr": row.descr,
                    "alias": row.alias, "type": row.type, "admin": row.admin_status,
                    "oper": row.oper_status, "speed": row.speed, "if_speed": row.if_speed,
                    "high_speed": row.if_high_speed,
                    "counters": {k: [c.value, c.bits] for k, c in row.counters.items()},
                }
                for row in d.interfaces
            ],
            "custom": [[c.name, c.index, c.value] for c in d.custom],
            "errors": [[list(e.subtree), e.kind, e.message] for e in d.errors],
            "requests": d.requests, "retries": d.retries, "varbinds": d.varbinds,
            "engine_id": d.engine_id.hex() if d.engine_id else None,
            "engine_boots": d.engine_boots,
        }

    async def main(steps):
        client = snmp.SnmpClient()
        try:
            for number, step in enumerate(steps):
                if number:
                    sys.stdin.readline()
                results = await client.poll_many([make(item) for item in step])
                print(json.dumps([dump(r) for r in results]), flush=True)
        finally:
            client.close()

    asyncio.run(main(json.loads(sys.argv[1])))
    """
)


@dataclass
class PollRun:
    """Poll script running in the prober namespace, one step at a time."""

    process: subprocess.Popen[str]

    def results(self) -> dict[str, dict[str, Any]]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise AssertionError(f"poll script ended without output; stderr:\n{stderr}")
        return {item["target"]: item for item in json.loads(line)}

    def next_step(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()

    def finish(self) -> str:
        _stdout, stderr = self.process.communicate(timeout=60)
        assert self.process.returncode == 0, stderr
        return stderr


def start_polls(lab: Lab, *steps: Sequence[dict[str, Any]]) -> PollRun:
    process = lab.prober.popen(
        [sys.executable, "-c", _POLL_SCRIPT, json.dumps([list(step) for step in steps])],
        env={"PYTHONPATH": str(REPOSITORY_ROOT), "PATH": "/usr/bin:/bin"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return PollRun(process)


def poll_in_lab(lab: Lab, *requests: dict[str, Any]) -> dict[str, dict[str, Any]]:
    polls = start_polls(lab, requests)
    results = polls.results()
    polls.finish()
    return results


_values = st.one_of(
    st.builds(
        snmp_ber.VarBind,
        st.just((1, 3)),
        st.sampled_from(sorted(snmp._RANGE_SYNTAX)),
        st.integers(-(2**64), 2**65),
    ),
    st.builds(
        snmp_ber.VarBind,
        st.just((1, 3)),
        st.sampled_from([snmp_ber.OCTET_STRING, snmp_ber.IPADDRESS, snmp_ber.OPAQUE]),
        st.binary(max_size=12),
    ),
    st.builds(
        snmp_ber.VarBind,
        st.just((1, 3)),
        st.sampled_from([snmp_ber.OBJECT_IDENTIFIER]),
        st.tuples(st.just(1), st.just(3), st.integers(0, 9)),
    ),
    st.builds(
        snmp_ber.VarBind, st.just((1, 3)), st.sampled_from(sorted(snmp._EXCEPTION_TAGS)), st.none()
    ),
)
_indexes = st.lists(st.integers(0, 70_000), min_size=0, max_size=3).map(tuple)


def _table(columns: Sequence[str]) -> st.SearchStrategy[dict[str, dict[Oid, snmp_ber.VarBind]]]:
    return st.fixed_dictionaries(
        {}, optional={name: st.dictionaries(_indexes, _values, max_size=4) for name in columns}
    )


@settings(max_examples=100, deadline=None)
@given(
    interfaces=_table(list(snmp_profiles.IF_COLUMNS)),
    storage=_table(list(snmp_profiles.HR_STORAGE_COLUMNS)),
    cisco=_table(list(snmp_profiles.CISCO_ENHANCED_MEMORY_COLUMNS)),
    load=_table(["laLoad"]),
    scalars=st.dictionaries(st.sampled_from(list(snmp_profiles.UCD_SCALARS)), _values),
)
def test_builders_take_any_values(
    interfaces: dict[str, dict[Oid, snmp_ber.VarBind]],
    storage: dict[str, dict[Oid, snmp_ber.VarBind]],
    cisco: dict[str, dict[Oid, snmp_ber.VarBind]],
    load: dict[str, dict[Oid, snmp_ber.VarBind]],
    scalars: dict[str, snmp_ber.VarBind],
) -> None:
    # Agents send any type under any OID: the builders keep what fits and
    # drop the rest, and never raise.
    rows = snmp_profiles.build_interfaces(interfaces, "latin-1")
    indexes = {index for column in interfaces.values() for index in column if len(index) == 1}
    assert sorted(row.if_index for row in rows) == sorted(index[0] for index in indexes)
    for row in rows:
        assert row.name
        assert all(sample.bits in (32, 64) for sample in row.counters.values())
    disks = snmp_profiles.build_storage(storage, "latin-1")
    assert all(row.size >= 0 and row.used >= 0 for row in disks)
    tables = {"cempMemPoolTable": cisco}
    snmp_profiles.build_memory(scalars, tables, disks, "latin-1")
    snmp_profiles.build_cpu(tables)
    assert len(snmp_profiles.build_load_average(load)) in (0, 3)


# Real agents in namespaces: net-snmp's snmpd and snmpsim (tests/lab/snmp.py) -----------------


def v3(user: SnmpUser) -> dict[str, Any]:
    """Request settings for a lab SNMPv3 user, with protocol names as Pantau spells them."""
    return {
        "version": "3",
        "user": user.name,
        "security_level": "authPriv",
        "auth_protocol": user.auth_protocol.replace("-", ""),
        "auth_key": user.auth_passphrase,
        "priv_protocol": user.privacy_protocol.replace("-", ""),
        "priv_key": user.privacy_passphrase,
    }


@dataclass
class AgentLab:
    """Lab with host "agent" running snmpd, with two extra links to the prober."""

    lab: Lab
    host: Host
    links: list[Link]
    agent: Snmpd


@pytest.fixture(scope="module")
def agent_lab() -> Iterator[AgentLab]:
    """Start snmpd in host "agent" (10.203.1.2); shared by the tests that leave it as it is."""
    require_root()
    require_net_snmp()
    sweep_stale_namespaces()
    with Lab() as lab:
        host = lab.add_host("agent")
        links = add_links(lab, host, count=2)
        with start_snmpd(host) as agent:
            # Traffic on the extra links, so that their counters are not all zero.
            for link in links:
                send_udp(lab.prober, link.host_ipv4, total_bytes=20_000)
            wait_for_counters(lab, agent, links)
            yield AgentLab(lab, host, links, agent)


def wait_for_counters(lab: Lab, agent: Snmpd, links: list[Link]) -> None:
    """Wait until snmpd reports the traffic sent on ``links``: it caches ifTable for seconds."""
    deadline = time.monotonic() + 30
    while True:
        rows = walked_interfaces(lab, agent.address)
        octets = [rows[link.host_ifindex]["ifHCInOctets"].number() for link in links]
        if min(octets) >= 20_000:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"snmpd still reports {octets} octets in after 30 s")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def simulator_lab() -> Iterator[tuple[Lab, SnmpSimulator]]:
    """Start snmpsim with the recordings of tests/lab/snmp.py; shared by the module's tests."""
    require_root()
    require_net_snmp()
    sweep_stale_namespaces()
    with Lab() as lab, start_snmpsim(lab) as simulator:
        yield lab, simulator


def lab_request(address: str, target: str, **settings: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"target": target, "address": address, "timeout": 1.0, "retries": 1}
    if settings.get("version", "2c") != "3":
        item["community"] = LAB_COMMUNITY
    item.update(settings)
    return item


def walk(lab: Lab, address: str, oid: str, community: str = LAB_COMMUNITY) -> dict[Oid, Varbind]:
    """Walk ``oid`` with net-snmp's snmpbulkwalk; return the varbinds by OID."""
    completed = lab.prober.run(
        ["snmpbulkwalk", "-m", "", "-On", "-v2c", "-c", community, address, oid]
    )
    assert completed.returncode == 0, completed.stderr
    return {
        tuple(int(part) for part in varbind.oid.split(".")): varbind
        for varbind in parse_varbinds(completed.stdout)
    }


def walked_interfaces(
    lab: Lab, address: str, community: str = LAB_COMMUNITY
) -> dict[int, dict[str, Varbind]]:
    """ifTable and ifXTable from snmpbulkwalk, by ifIndex and column name."""
    names = {oid: name for name, oid in snmp_profiles.IF_COLUMNS.items()}
    rows: dict[int, dict[str, Varbind]] = {}
    for table in ("1.3.6.1.2.1.2.2.1", "1.3.6.1.2.1.31.1.1.1"):
        for oid, varbind in walk(lab, address, table, community).items():
            column = names.get(oid[:-1])
            if column is not None:
                rows.setdefault(oid[-1], {})[column] = varbind
    return rows


def assert_interfaces_match(
    polled: list[dict[str, Any]],
    before: dict[int, dict[str, Varbind]],
    after: dict[int, dict[str, Varbind]],
    *,
    high_capacity: bool = True,
) -> None:
    """Check polled rows against two walks, one before and one after the poll."""
    assert sorted(row["index"] for row in polled) == sorted(before)
    for row in polled:
        walked = before[row["index"]]
        name = walked["ifName"] if "ifName" in walked else walked["ifDescr"]
        assert row["name"] == name.string()
        assert row["descr"] == walked["ifDescr"].string()
        assert row["type"] == walked["ifType"].number()
        assert row["admin"] == walked["ifAdminStatus"].number()
        assert row["oper"] == walked["ifOperStatus"].number()
        assert row["if_speed"] == walked["ifSpeed"].number()
        high_speed = walked["ifHighSpeed"].number() if "ifHighSpeed" in walked else None
        assert row["high_speed"] == high_speed
        assert row["speed"] == interface_speed(row["if_speed"], high_speed)
        # Counters move between the walks: the polled value lies in between.
        for counter, (wide, narrow) in snmp_profiles.INTERFACE_COUNTERS.items():
            # The 64-bit column wins where the agent has it.
            column = wide if high_capacity and wide and wide in walked else narrow
            if column not in walked:
                assert counter not in row["counters"]
                continue
            value, bits = row["counters"][counter]
            assert bits == (64 if column == wide else 32)
            low = walked[column].number()
            high = after[row["index"]][column].number()
            assert low <= value <= high, (row["name"], counter)


@pytest.mark.netns
def test_v2c_poll_matches_snmpbulkwalk(agent_lab: AgentLab) -> None:
    lab, agent = agent_lab.lab, agent_lab.agent
    before = walked_interfaces(lab, agent.address)
    profiles = ["system", "interfaces", "host-resources", "ucd"]
    results = poll_in_lab(lab, lab_request(agent.address, "v2c", profiles=profiles))
    after = walked_interfaces(lab, agent.address)

    result = results["v2c"]
    assert result["success"], result
    assert result["reason"] == base.OK
    assert result["system"]["name"] == "lab-agent"
    assert result["system"]["descr"].startswith("Linux")
    names = {row["name"] for row in result["interfaces"]}
    assert names == {"lo", "eth0", *(link.host_interface for link in agent_lab.links)}
    assert_interfaces_match(result["interfaces"], before, after)
    by_index = {row["index"]: row for row in result["interfaces"]}
    for link in agent_lab.links:
        assert by_index[link.host_ifindex]["counters"]["in_octets"][0] >= 20_000
    oper = [row["ifOperStatus"].number() for row in before.values()]
    assert result["values"]["interfaces_up"] == oper.count(1)
    assert result["values"]["interfaces_down"] == len(oper) - oper.count(1)
    assert result["values"]["sysuptime_seconds"] > 0
    assert 0 < result["values"]["memory_used_ratio"] < 1
    assert 0 < result["values"]["storage_max_used_ratio"] <= 1
    assert "load_average_1m" in result["values"]


@pytest.mark.netns
def test_getnext_v1_and_ipv6_equal_getbulk(agent_lab: AgentLab) -> None:
    lab, agent = agent_lab.lab, agent_lab.agent
    before = walked_interfaces(lab, agent.address)
    results = poll_in_lab(
        lab,
        lab_request(agent.address, "bulk"),
        lab_request(agent.address, "getnext", use_getnext=True),
        lab_request(agent.address, "v1", version="1"),
        lab_request(agent.ipv6, "ipv6"),
    )
    after = walked_interfaces(lab, agent.address)

    for target in ("bulk", "getnext", "v1", "ipv6"):
        assert results[target]["reason"] == base.OK, results[target]
    assert_interfaces_match(results["bulk"]["interfaces"], before, after)
    assert_interfaces_match(results["getnext"]["interfaces"], before, after)
    assert_interfaces_match(results["ipv6"]["interfaces"], before, after)
    # SNMPv1 has no Counter64: the 32-bit counters replace them.
    assert_interfaces_match(results["v1"]["interfaces"], before, after, high_capacity=False)
    bulk, getnext = results["bulk"], results["getnext"]
    assert bulk["requests"] < getnext["requests"]

    def without_counters(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{key: value for key, value in row.items() if key != "counters"} for row in rows]

    assert without_counters(bulk["interfaces"]) == without_counters(getnext["interfaces"])


@pytest.mark.netns
def test_walk_of_iftable_against_snmpd(agent_lab: AgentLab) -> None:
    lab, agent = agent_lab.lab, agent_lab.agent
    walked = walk(lab, agent.address, "1.3.6.1.2.1.2.2")
    custom = [{"name": "iftable", "oid": list(IF_TABLE), "kind": "text", "index_label": "oid"}]
    results = poll_in_lab(
        lab,
        lab_request(agent.address, "subtree", profiles=[], custom=custom),
        lab_request(agent.address, "capped", profiles=[], custom=custom, max_rows=5),
        lab_request(
            agent.address, "few", profiles=[], custom=custom, max_requests=2, use_getnext=True
        ),
    )

    subtree = results["subtree"]
    assert subtree["reason"] == base.OK
    indexes = {index for _, index, _ in subtree["custom"]}
    assert indexes == {".".join(map(str, oid[len(IF_TABLE) :])) for oid in walked}
    assert results["capped"]["reason"] == snmp.WALK_ERROR
    assert len(results["capped"]["custom"]) == 5
    assert [error[1] for error in results["capped"]["errors"]] == [snmp.MAX_ROWS]
    assert results["few"]["reason"] == snmp.WALK_ERROR
    assert len(results["few"]["custom"]) == 2
    assert [error[1] for error in results["few"]["errors"]] == [snmp.MAX_REQUESTS]


@pytest.mark.netns
def test_v3_auth_priv_and_wrong_credentials(agent_lab: AgentLab) -> None:
    lab, agent = agent_lab.lab, agent_lab.agent
    settings = v3(agent.users[0])  # SHA and AES-128
    requests = [
        lab_request(agent.address, "wrong-auth", **{**settings, "auth_key": "kunci-yang-salah"}),
        lab_request(agent.address, "wrong-user", **{**settings, "user": "bukan-pengguna"}),
        lab_request(agent.address, "wrong-priv", **{**settings, "priv_key": "kunci-yang-salah"}),
    ]
    # Every lab user: SHA+AES-128, MD5+DES, SHA-256+AES-256 and SHA-512+AES-192.
    users = {user.name: v3(user) for user in agent.users}
    requests += [lab_request(agent.address, name, **user) for name, user in users.items()]
    requests.append(lab_request(agent.ipv6, "ipv6", **settings))
    before = walked_interfaces(lab, agent.address)
    results = poll_in_lab(lab, *requests)
    after = walked_interfaces(lab, agent.address)

    for name in [*users, "ipv6"]:
        result = results[name]
        assert result["reason"] == base.OK, result
        assert result["system"]["name"] == "lab-agent"
        assert_interfaces_match(result["interfaces"], before, after)
        assert result["engine_id"] is not None
        assert result["engine_boots"] >= 1
    for target in ("wrong-auth", "wrong-user", "wrong-priv"):
        assert results[target]["reason"] == snmp.AUTH_ERROR, results[target]
        assert not results[target]["success"]
        assert settings["auth_key"] not in results[target]["message"]
    assert "priv_key" in results["wrong-priv"]["message"]


@pytest.mark.netns
def test_v3_lower_security_levels(agent_lab: AgentLab) -> None:
    lab, agent = agent_lab.lab, agent_lab.agent
    results = poll_in_lab(
        lab,
        lab_request(
            agent.address,
            "auth-only",
            version="3",
            user=lab_snmp.AUTH_ONLY_USER,
            security_level="authNoPriv",
            auth_protocol="SHA",
            auth_key=lab_snmp.AUTH_ONLY_PASSPHRASE,
        ),
        lab_request(
            agent.address,
            "no-auth",
            version="3",
            user=lab_snmp.NO_AUTH_USER,
            security_level="noAuthNoPriv",
        ),
    )
    for name in ("auth-only", "no-auth"):
        assert results[name]["reason"] == base.OK, results[name]
        assert results[name]["system"]["name"] == "lab-agent"
        assert results[name]["interfaces"]


@pytest.mark.netns
def test_closed_port_on_lab_host_refused(agent_lab: AgentLab) -> None:
    lab, agent = agent_lab.lab, agent_lab.agent
    results = poll_in_lab(
        lab,
        lab_request(agent.address, "closed", port=2161, timeout=5.0, retries=2),
        lab_request(
            agent.address, "closed-v3", port=2161, timeout=5.0, retries=2, **v3(agent.users[0])
        ),
        lab_request(agent.address, "open"),
    )
    for target in ("closed", "closed-v3"):
        assert results[target]["reason"] == snmp.REFUSED, results[target]
        assert not results[target]["success"]
        # Refused by ICMP at the first attempt: none of its 5 s timeouts ran out.
        assert results[target]["requests"] == 1
        assert results[target]["retries"] == 0
    assert results["open"]["reason"] == base.OK


def pin_engine_id(agent: Snmpd, engine_id: str) -> None:
    """Restart ``agent`` with a fixed engine ID and fresh persistent state (engine boots 1)."""
    agent.stop()
    with agent.config_path.open("a") as config:
        config.write(f"engineID {engine_id}\n")
    shutil.rmtree(agent.persistent_dir)
    agent.persistent_dir.mkdir()
    agent.start()


@pytest.mark.netns
@pytest.mark.parametrize("change", ["reboot", "boots-reset", "new-engine-id"])
def test_v3_agent_restart_next_poll_ok(lab: Lab, change: str) -> None:
    require_net_snmp()
    host = lab.add_host("agent")
    agent = start_snmpd(host)
    if change == "boots-reset":
        pin_engine_id(agent, "pantau-lab-agent")
    request = lab_request(agent.address, "v3", **v3(agent.users[0]), profiles=["system"])
    polls = start_polls(lab, [request], [request], [request])
    first = polls.results()["v3"]

    if change == "reboot":
        agent.restart()  # engine boots + 1, same engine ID
    else:
        # boots-reset: the same engine ID with boots back at 1, as after a
        # reset of the agent's stored state. new-engine-id: a replaced device.
        agent.stop()
        shutil.rmtree(agent.persistent_dir)
        agent.persistent_dir.mkdir()
        agent.start()
    polls.next_step()
    second = polls.results()["v3"]
    polls.next_step()
    third = polls.results()["v3"]
    polls.finish()
    agent.stop()

    assert first["reason"] == base.OK, first
    assert second["reason"] == base.OK, second
    assert third["reason"] == base.OK, third
    assert second["system"]["uptime"] < first["system"]["uptime"] + 1000
    if change == "reboot":
        assert second["engine_boots"] == first["engine_boots"] + 1
        assert second["engine_id"] == first["engine_id"]
    elif change == "boots-reset":
        assert second["engine_boots"] == first["engine_boots"] == 1
        assert second["engine_id"] == first["engine_id"]
    else:
        assert second["engine_id"] != first["engine_id"]


@pytest.mark.netns
def test_same_engine_id_on_two_agents_warns_once(lab: Lab) -> None:
    require_net_snmp()
    agents = [start_snmpd(lab.add_host(name)) for name in ("first", "twin")]
    for agent in agents:
        pin_engine_id(agent, "pantau-lab-twins")
    first, second = (
        lab_request(agent.address, name, **v3(agent.users[0]), profiles=["system"])
        for agent, name in zip(agents, ("first", "second"), strict=True)
    )

    polls = start_polls(lab, [first], [second], [first, second])
    for _ in range(2):
        polls.results()
        polls.next_step()
    last = polls.results()
    stderr = polls.finish()
    for agent in agents:
        agent.stop()

    warnings = [line for line in stderr.splitlines() if "engine ID" in line]
    assert len(warnings) == 1, stderr
    assert agents[0].address in warnings[0]
    assert agents[1].address in warnings[0]
    assert last["first"]["engine_id"] == last["second"]["engine_id"]


@pytest.mark.netns
def test_snmpsim_device_recordings(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab
    address, port = simulator.address, simulator.port
    # snmpsim, in Python, takes seconds for the first large GETBULK of a recording.
    slow = {"port": port, "timeout": 10.0, "retries": 0}
    devices = ("cisco-c3560", "juniper-mx960", "linux-net-snmp")
    profiles = {
        "cisco-c3560": ["system", "interfaces", "cisco"],
        "juniper-mx960": ["system", "interfaces"],
        "linux-net-snmp": ["system", "interfaces", "host-resources", "ucd"],
    }
    # netmanage and h3c-e528 return OIDs out of order under these subtrees.
    broken = {"netmanage": (1, 3, 6, 1, 4, 1, 233), "h3c-e528": (1, 3, 6, 1, 4, 1, 25506, 8, 35)}
    requests = [
        lab_request(address, name, community=name, profiles=profiles[name], **slow)
        for name in devices
    ]
    for name, subtree in broken.items():
        custom = [{"name": "vendor", "oid": list(subtree), "kind": "text", "index_label": "oid"}]
        requests.append(
            lab_request(address, name, community=name, profiles=["system"], custom=custom, **slow)
        )
    results = poll_in_lab(lab, *requests)

    for name in devices:
        result = results[name]
        assert result["reason"] == base.OK, (name, result["errors"])
        walked = walked_interfaces(lab, f"{address}:{port}", community=name)
        assert_interfaces_match(result["interfaces"], walked, walked)
    assert "Cisco" in results["cisco-c3560"]["system"]["descr"]
    assert "cpu_load_max_ratio" in results["cisco-c3560"]["values"]
    assert 0 < results["cisco-c3560"]["values"]["memory_used_ratio"] < 1
    linux = results["linux-net-snmp"]["values"]
    assert "memory_used_ratio" in linux
    assert "storage_max_used_ratio" in linux
    for name, subtree in broken.items():
        result = results[name]
        assert result["success"]
        assert result["reason"] == snmp.WALK_ERROR, result
        assert [error[1] for error in result["errors"]] == [snmp.NON_INCREASING]
        assert result["errors"][0][0] == list(subtree)
        assert len(result["custom"]) >= 2  # the rows read before the OIDs went backwards
        assert result["system"]["descr"], result  # the GET of the system group is untouched


@pytest.mark.netns
def test_snmpsim_hand_written_recordings(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab
    address, port = simulator.address, simulator.port
    names = ("interfaces", "table-end", "no-such", "wrap")
    slow = {"port": port, "timeout": 10.0, "retries": 0}
    results = poll_in_lab(
        lab, *(lab_request(address, name, community=name, **slow) for name in names)
    )

    quirks = {row["index"]: row for row in results["interfaces"]["interfaces"]}
    assert [quirks[i]["descr"] for i in (1, 2)] == ["Ethernet Interface"] * 2
    assert [quirks[i]["name"] for i in (1, 2)] == ["ge-0/0/1", "ge-0/0/2"]
    assert quirks[1]["alias"] == "Ruang Bupati (café) ÿ"  # Latin-1 fallback
    assert quirks[2]["alias"] == "Wakil Bupati – Lt. 2"
    assert quirks[3]["speed"] == 10e9
    assert quirks[4]["speed"] == 25e9

    # endOfMibView at ifDescr.2 ends that column only.
    table_end = results["table-end"]
    assert table_end["reason"] == base.OK
    rows = {row["index"]: row for row in table_end["interfaces"]}
    assert sorted(rows) == [1, 2, 3]
    assert rows[1]["descr"] == "eth0"
    assert rows[2]["descr"] == rows[3]["descr"] == ""
    assert [rows[i]["type"] for i in (1, 2, 3)] == [6, 6, 6]
    assert rows[1]["counters"]["in_octets"] == [1000, 32]

    # noSuchObject and noSuchInstance are absent values, not errors.
    [row] = results["no-such"]["interfaces"]
    assert results["no-such"]["reason"] == base.OK
    assert row["counters"]["in_octets"] == [1000, 32]  # the 32-bit counter replaces it
    assert row["high_speed"] is None

    wrap = results["wrap"]
    assert wrap["system"]["uptime"] == 4_294_967_000
    [row] = wrap["interfaces"]
    assert row["counters"]["in_octets"] == [18_446_744_073_709_551_000, 64]
    assert row["counters"]["out_octets"] == [18_446_744_073_709_551_615, 64]


@pytest.mark.netns
def test_snmpsim_reboot_pair(simulator_lab: tuple[Lab, SnmpSimulator]) -> None:
    lab, simulator = simulator_lab
    reboot = lab_request(
        simulator.address, "reboot", port=simulator.port, community="reboot", timeout=10.0
    )
    polls = start_polls(lab, [reboot], [reboot])
    before = polls.results()["reboot"]
    simulator.serve("reboot", RECORDINGS_DIR / "reboot-after.snmprec")
    polls.next_step()
    after = polls.results()["reboot"]
    polls.finish()
    simulator.serve("reboot", RECORDINGS_DIR / "reboot-before.snmprec")

    assert before["system"]["uptime"] == 8_640_000
    assert after["system"]["uptime"] == 1500
    [row_before], [row_after] = before["interfaces"], after["interfaces"]
    assert row_before["counters"]["in_octets"] == [123_456_789_012, 64]
    assert row_after["counters"]["in_octets"] == [52_000, 64]
