"""What the daemon keeps between SNMP polls: rates, reboots, vanished interfaces."""

from __future__ import annotations

from prometheus_client import CollectorRegistry
from prometheus_client.registry import Collector

from monitor.snmp_view import SnmpState, interface_records, snmp_metric_families
from probes import base
from probes.snmp import SnmpPoll
from probes.snmp_profiles import InterfaceRow, SystemInfo
from probes.snmp_values import CounterSample

LABELS = ["router", "Bappeda", "opd"]


def poll(uptime: int, rows: list[InterfaceRow]) -> base.ProbeResult:
    detail = SnmpPoll(
        address="127.0.0.1",
        port=161,
        version="2c",
        system=SystemInfo(uptime_ticks=uptime),
        interfaces=tuple(rows),
        varbinds=10,
    )
    return base.ProbeResult("router", "snmp", True, base.OK, 0.0, 0.1, {}, detail)


def row(index: int, name: str, in_octets: int, bits: int = 64, speed: float = 1e9) -> InterfaceRow:
    return InterfaceRow(
        if_index=index,
        name=name,
        oper_status=1,
        speed=speed,
        counters={
            "in_octets": CounterSample(in_octets, bits),
            "out_octets": CounterSample(0, bits),
        },
    )


class _Families(Collector):
    def __init__(self, state: SnmpState) -> None:
        self.state = state

    def collect(self):  # type: ignore[no-untyped-def]
        return snmp_metric_families(iter([(LABELS, self.state)]))


def sample(state: SnmpState, name: str, **labels: str) -> float | None:
    registry = CollectorRegistry()
    registry.register(_Families(state))
    base_labels = {"target": "router", "group": "Bappeda", "network": "opd"}
    return registry.get_sample_value(name, {**base_labels, **labels})


def test_reboot_gives_no_rate_and_counts_once() -> None:
    # sysUpTime 8640000 -> 1200 and ifHCInOctets 5e12 -> 1.5e6, 60 s apart.
    state = SnmpState().add(poll(8_640_000, [row(1, "ether1", 5_000_000_000_000)]), 100.0)
    state = state.add(poll(1200, [row(1, "ether1", 1_500_000)]), 160.0)
    assert state.reboots == 1
    assert state.rates[1].receive_bytes_per_second is None
    assert state.rates[1].reason == "reboot"
    assert sample(state, "pantau_snmp_reboots_total") == 1.0
    labels = {"if_index": "1", "if_name": "ether1", "if_alias": "", "direction": "receive"}
    assert sample(state, "pantau_interface_utilisation_ratio", **labels) is None


def test_counter32_wrap_rate() -> None:
    # ifInOctets 4294000000 -> 1000000 while sysUpTime rises by 6000 (60 s).
    state = SnmpState().add(poll(100_000, [row(1, "ether1", 4_294_000_000, 32)]), 10.0)
    state = state.add(poll(106_000, [row(1, "ether1", 1_000_000, 32)]), 70.0)
    assert state.reboots == 0
    rate = state.rates[1].receive_bytes_per_second
    assert rate is not None
    assert abs(rate - 1_967_296 / 60) < 1e-6
    labels = {"if_index": "1", "if_name": "ether1", "if_alias": "", "direction": "receive"}
    utilisation = sample(state, "pantau_interface_utilisation_ratio", **labels)
    assert utilisation is not None
    assert abs(utilisation - (1_967_296 / 60 * 8) / 1e9) < 1e-12


def test_vanished_interface_leaves_metrics() -> None:
    first = poll(1000, [row(1, "ether1", 10), row(7, "ether7", 20)])
    second = poll(7000, [row(1, "ether1", 30)])
    state = SnmpState().add(first, 0.0)
    seven = {"if_index": "7", "if_name": "ether7", "if_alias": ""}
    assert sample(state, "pantau_interface_receive_bytes_total", **seven) == 20.0
    state = state.add(second, 60.0)
    assert sample(state, "pantau_interface_receive_bytes_total", **seven) is None
    assert sample(state, "pantau_interface_up", **seven) is None
    one = {"if_index": "1", "if_name": "ether1", "if_alias": ""}
    assert sample(state, "pantau_interface_receive_bytes_total", **one) == 30.0


def test_same_name_interfaces_kept_apart() -> None:
    state = SnmpState().add(poll(1000, [row(1, "Gi0/1", 5), row(2, "Gi0/1", 9)]), 0.0)
    first = {"if_index": "1", "if_name": "Gi0/1", "if_alias": ""}
    second = {"if_index": "2", "if_name": "Gi0/1", "if_alias": ""}
    assert sample(state, "pantau_interface_receive_bytes_total", **first) == 5.0
    assert sample(state, "pantau_interface_receive_bytes_total", **second) == 9.0


def test_failed_poll_keeps_baseline() -> None:
    state = SnmpState().add(poll(1000, [row(1, "ether1", 0)]), 0.0)
    failed = base.ProbeResult("router", "snmp", False, "timeout", 0.0, 2.0)
    state = state.add(failed, 30.0)
    state = state.add(poll(7000, [row(1, "ether1", 6_000)]), 60.0)
    assert state.rates[1].receive_bytes_per_second == 100.0


def test_history_rows_carry_rates() -> None:
    state = SnmpState().add(poll(1000, [row(1, "ether1", 0)]), 0.0)
    second = poll(7000, [row(1, "ether1", 6_000)])
    state = state.add(second, 60.0)
    [record] = list(interface_records(second, state))
    assert record.if_name == "ether1"
    assert record.receive_bytes_per_second == 100.0
    assert record.receive_utilisation == 100.0 * 8 / 1e9
    assert record.rate_missing_reason == ""


def test_configured_speed_only_where_agent_has_none() -> None:
    rows = [row(1, "pppoe-out1", 0, speed=0.0), row(2, "ether1", 0, speed=1e9)]
    speeds = {"pppoe-out1": 100e6, "ether1": 10e6}
    state = SnmpState().add(poll(1000, rows), 0.0, speeds)
    assert state.poll is not None
    by_name = {r.name: r.speed for r in state.poll.interfaces}
    assert by_name == {"pppoe-out1": 100e6, "ether1": 1e9}
    labels = {"if_index": "1", "if_name": "pppoe-out1", "if_alias": ""}
    assert sample(state, "pantau_interface_speed_bytes", **labels) == 100e6 / 8
