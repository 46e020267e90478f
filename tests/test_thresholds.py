"""Measurements for the degraded limits, read from ICMP and SNMP probe results."""

from __future__ import annotations

import math
from types import MappingProxyType

from hypothesis import given
from hypothesis import strategies as st

from monitor.snmp_view import InterfaceRates, SnmpState
from monitor.thresholds import measurements
from probes import base
from probes.snmp import SnmpPoll


def icmp_result(values: dict[str, float], success: bool = True) -> base.ProbeResult:
    reason = base.OK if success else base.NO_REPLY
    return base.ProbeResult("core", "icmp", success, reason, 1_764_806_400.0, 0.9, values)


def snmp_result(values: dict[str, float], success: bool = True) -> base.ProbeResult:
    detail = SnmpPoll(address="127.0.0.1", port=161, version="2c")
    reason = base.OK if success else "timeout"
    return base.ProbeResult("core", "snmp", success, reason, 1_764_806_400.0, 0.2, values, detail)


def rates(receive: float | None, transmit: float | None) -> InterfaceRates:
    return InterfaceRates(
        receive_bytes_per_second=None if receive is None else receive * 1.25e8,
        transmit_bytes_per_second=None if transmit is None else transmit * 1.25e8,
        receive_utilisation=receive,
        transmit_utilisation=transmit,
    )


def state_with(*interfaces: InterfaceRates) -> SnmpState:
    return SnmpState(rates=MappingProxyType(dict(enumerate(interfaces, start=1))))


def test_icmp_loss_and_rtt() -> None:
    result = icmp_result(
        {"sent": 5.0, "received": 4.0, "loss_ratio": 0.2, "rtt_median_seconds": 0.031}
    )
    assert measurements(result, None) == {"loss": 0.2, "rtt": 0.031}


def test_icmp_no_reply_has_no_rtt() -> None:
    result = icmp_result({"sent": 5.0, "received": 0.0, "loss_ratio": 1.0}, success=False)
    assert measurements(result, None) == {"loss": 1.0}


def test_snmp_health_values() -> None:
    values = {
        "cpu_load_max_ratio": 0.93,
        "memory_used_ratio": 0.5,
        "storage_max_used_ratio": 0.97,
        "varbinds": 120.0,
    }
    found = measurements(snmp_result(values), None)
    assert found == {"cpu": 0.93, "memory": 0.5, "disk": 0.97}


def test_snmp_utilisation_is_maximum() -> None:
    state = state_with(rates(0.3, 0.95), rates(0.6, None), rates(None, None))
    assert measurements(snmp_result({}), state) == {"utilisation": 0.95}


def test_snmp_utilisation_unknown_is_absent() -> None:
    state = state_with(rates(None, None))
    assert measurements(snmp_result({}), state) == {}


def test_failed_poll_ignores_old_rates() -> None:
    state = state_with(rates(0.99, 0.99))
    assert measurements(snmp_result({}, success=False), state) == {}


def test_icmp_result_ignores_snmp_rates() -> None:
    state = state_with(rates(0.99, 0.99))
    result = icmp_result({"loss_ratio": 0.0, "rtt_median_seconds": 0.01})
    assert measurements(result, state) == {"loss": 0.0, "rtt": 0.01}


def test_non_finite_value_skipped() -> None:
    result = icmp_result({"loss_ratio": math.nan, "rtt_median_seconds": math.inf})
    assert measurements(result, None) == {}


ratios = st.one_of(st.none(), st.floats(0.0, 2.0))


@given(
    loss=st.floats(0.0, 1.0),
    rtt=st.one_of(st.none(), st.floats(0.0, 30.0)),
    interfaces=st.lists(st.tuples(ratios, ratios), max_size=8),
)
def test_measurements_match_inputs(
    loss: float, rtt: float | None, interfaces: list[tuple[float | None, float | None]]
) -> None:
    icmp_values = {"loss_ratio": loss}
    if rtt is not None:
        icmp_values["rtt_median_seconds"] = rtt
    found = measurements(icmp_result(icmp_values), None)
    assert found["loss"] == loss
    assert found.get("rtt") == rtt

    state = state_with(*(rates(receive, transmit) for receive, transmit in interfaces))
    known = [ratio for pair in interfaces for ratio in pair if ratio is not None]
    snmp_found = measurements(snmp_result({}), state)
    assert snmp_found.get("utilisation") == (max(known) if known else None)
