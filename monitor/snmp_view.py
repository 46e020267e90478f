"""SNMP state the daemon keeps between polls: the last poll, interface rates, reboots.

Prometheus gets the raw counters and computes rates itself. The rates kept
here, wrap- and reboot-aware, feed the status, alerts and the history.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from monitor.storage import InterfaceRecord
from probes.base import ProbeResult
from probes.snmp import SnmpPoll
from probes.snmp_profiles import STATUS_UP, InterfaceRow
from probes.snmp_values import (
    CounterSample,
    PollClock,
    Restart,
    classify_restart,
    counter_rate,
    utilisation,
)

# A wrapped Counter32 whose rate would exceed the interface speed by more
# than this share is taken as a reset, not a wrap.
_MAX_RATE_MARGIN = 1.1

TARGET_LABELS = ("target", "group", "network")
# IF-MIB's names in snake_case, which promtool requires of label names.
INTERFACE_LABELS = (*TARGET_LABELS, "if_index", "if_name", "if_alias")

# (metric name after pantau_interface_, InterfaceRow.counters key, help text)
_INTERFACE_COUNTERS = (
    ("receive_bytes", "in_octets", "Octets received (ifHCInOctets, else ifInOctets)."),
    ("transmit_bytes", "out_octets", "Octets sent (ifHCOutOctets, else ifOutOctets)."),
    ("receive_unicast_packets", "in_ucast_pkts", "Unicast packets received."),
    ("transmit_unicast_packets", "out_ucast_pkts", "Unicast packets sent."),
    ("receive_multicast_packets", "in_multicast_pkts", "Multicast packets received."),
    ("transmit_multicast_packets", "out_multicast_pkts", "Multicast packets sent."),
    ("receive_broadcast_packets", "in_broadcast_pkts", "Broadcast packets received."),
    ("transmit_broadcast_packets", "out_broadcast_pkts", "Broadcast packets sent."),
    ("receive_errors", "in_errors", "Inbound packets with errors (ifInErrors)."),
    ("transmit_errors", "out_errors", "Outbound packets not sent for errors (ifOutErrors)."),
    ("receive_discards", "in_discards", "Inbound packets discarded (ifInDiscards)."),
    ("transmit_discards", "out_discards", "Outbound packets discarded (ifOutDiscards)."),
)


@dataclass(frozen=True, slots=True)
class InterfaceRates:
    """Byte rates of one interface between the last two polls, and its utilisation.

    A rate is None when no honest figure exists (first poll, reboot, counter
    reset or discontinuity); ``reason`` then names why.
    """

    receive_bytes_per_second: float | None
    transmit_bytes_per_second: float | None
    receive_utilisation: float | None
    transmit_utilisation: float | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SnmpState:
    """SNMP view of one target, carried from poll to poll."""

    poll: SnmpPoll | None = None
    clock_monotonic: float | None = None
    reboots: int = 0
    rates: Mapping[int, InterfaceRates] = field(default_factory=lambda: MappingProxyType({}))
    subtree_errors: Mapping[tuple[str, str], int] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def add(
        self,
        result: ProbeResult,
        monotonic: float,
        speeds: Mapping[str, float] | None = None,
    ) -> SnmpState:
        """Return the state after one more poll result received at ``monotonic`` seconds.

        ``speeds`` maps interface names to the speed in bits per second to
        use where the agent reports none.
        """
        poll = result.detail if isinstance(result.detail, SnmpPoll) else None
        if poll is not None and speeds:
            poll = _with_speeds(poll, speeds)
        errors = dict(self.subtree_errors)
        if poll is not None:
            for error in poll.errors:
                key = (".".join(map(str, error.subtree)), error.kind)
                errors[key] = errors.get(key, 0) + 1
        if poll is None or not result.success:
            # A failed poll keeps the last good one as the baseline for rates.
            return SnmpState(
                self.poll, self.clock_monotonic, self.reboots, self.rates,
                MappingProxyType(errors),
            )  # fmt: skip

        reboots = self.reboots
        rates: dict[int, InterfaceRates] = {}
        previous = self.poll
        if previous is not None and self.clock_monotonic is not None:
            before = _clock(previous, self.clock_monotonic, None)
            now = _clock(poll, monotonic, None)
            if before is not None and now is not None:
                if classify_restart(before, now) is Restart.REBOOT:
                    reboots += 1
                old_rows = {row.if_index: row for row in previous.interfaces}
                for row in poll.interfaces:
                    old = old_rows.get(row.if_index)
                    if old is not None:
                        rates[row.if_index] = _rates(old, row, previous, poll, self, monotonic)
        return SnmpState(
            poll, monotonic, reboots, MappingProxyType(rates), MappingProxyType(errors)
        )


def _with_speeds(poll: SnmpPoll, speeds: Mapping[str, float]) -> SnmpPoll:
    rows = tuple(
        replace(row, speed=speeds[row.name]) if not row.speed and row.name in speeds else row
        for row in poll.interfaces
    )
    return replace(poll, interfaces=rows)


def _clock(poll: SnmpPoll, monotonic: float, discontinuity: int | None) -> PollClock | None:
    uptime = poll.system.uptime_ticks
    if uptime is None:
        return None
    return PollClock(uptime_ticks=uptime, monotonic=monotonic, discontinuity_ticks=discontinuity)


def _rates(
    old: InterfaceRow,
    new: InterfaceRow,
    previous: SnmpPoll,
    current: SnmpPoll,
    state: SnmpState,
    monotonic: float,
) -> InterfaceRates:
    assert state.clock_monotonic is not None
    before = _clock(previous, state.clock_monotonic, old.discontinuity_ticks)
    now = _clock(current, monotonic, new.discontinuity_ticks)
    assert before is not None and now is not None
    max_rate = new.speed / 8 * _MAX_RATE_MARGIN if new.speed else None

    def rate(key: str) -> tuple[float | None, str]:
        old_sample: CounterSample | None = old.counters.get(key)
        new_sample: CounterSample | None = new.counters.get(key)
        if old_sample is None or new_sample is None:
            return None, "missing"
        result = counter_rate(old_sample, new_sample, before, now, max_rate=max_rate)
        return result.rate, str(result.reason or "")

    receive, receive_reason = rate("in_octets")
    transmit, transmit_reason = rate("out_octets")
    return InterfaceRates(
        receive_bytes_per_second=receive,
        transmit_bytes_per_second=transmit,
        receive_utilisation=utilisation(receive, new.speed),
        transmit_utilisation=utilisation(transmit, new.speed),
        reason=receive_reason or transmit_reason,
    )


def interface_records(result: ProbeResult, state: SnmpState) -> Iterator[InterfaceRecord]:
    """Yield the history rows of one successful poll, with the rates ``state`` computed."""
    poll = state.poll
    if poll is None or not isinstance(result.detail, SnmpPoll):
        return
    for row in poll.interfaces:
        rates = state.rates.get(row.if_index)

        def raw(key: str, row: InterfaceRow = row) -> int | None:
            sample = row.counters.get(key)
            return None if sample is None else sample.value

        yield InterfaceRecord(
            target=result.target,
            started=result.started,
            if_index=row.if_index,
            if_name=row.name,
            oper_status=row.oper_status,
            speed_bps=row.speed,
            receive_bytes_per_second=rates.receive_bytes_per_second if rates else None,
            transmit_bytes_per_second=rates.transmit_bytes_per_second if rates else None,
            receive_utilisation=rates.receive_utilisation if rates else None,
            transmit_utilisation=rates.transmit_utilisation if rates else None,
            receive_errors=raw("in_errors"),
            transmit_errors=raw("out_errors"),
            receive_discards=raw("in_discards"),
            transmit_discards=raw("out_discards"),
            rate_missing_reason=(rates.reason if rates else "first_poll"),
        )


def snmp_metric_families(
    rows: Iterator[tuple[list[str], SnmpState]],
) -> Iterator[Metric]:
    """Build the SNMP metric families from (target labels, state) pairs."""
    uptime = GaugeMetricFamily(
        "pantau_snmp_sys_uptime_seconds",
        "Time since the agent's network management part started (sysUpTime).",
        labels=list(TARGET_LABELS),
    )
    reboots = CounterMetricFamily(
        "pantau_snmp_reboots",
        "Reboots seen as sysUpTime going down, not counting its 497-day wrap.",
        labels=list(TARGET_LABELS),
    )
    varbinds = GaugeMetricFamily(
        "pantau_snmp_varbinds",
        "Variable bindings returned by the last poll.",
        labels=list(TARGET_LABELS),
    )
    subtree_errors = CounterMetricFamily(
        "pantau_snmp_subtree_errors",
        "Walk or GET problems per subtree: non_increasing, max_rows, max_requests, "
        "error_status, empty_response, value_error or decode_error.",
        labels=[*TARGET_LABELS, "subtree", "kind"],
    )
    info = GaugeMetricFamily(
        "pantau_interface_info",
        "Interface of a device; 1 for every interface of the last poll.",
        labels=[*INTERFACE_LABELS, "if_descr", "if_type"],
    )
    up = GaugeMetricFamily(
        "pantau_interface_up",
        "1 if ifOperStatus is up(1), else 0.",
        labels=list(INTERFACE_LABELS),
    )
    admin = GaugeMetricFamily(
        "pantau_interface_admin_status",
        "ifAdminStatus as the agent reports it: 1 up, 2 down, 3 testing.",
        labels=list(INTERFACE_LABELS),
    )
    oper = GaugeMetricFamily(
        "pantau_interface_oper_status",
        "ifOperStatus as the agent reports it: 1 up, 2 down, 3 testing, 4 unknown, "
        "5 dormant, 6 notPresent, 7 lowerLayerDown.",
        labels=list(INTERFACE_LABELS),
    )
    speed = GaugeMetricFamily(
        "pantau_interface_speed_bytes",
        "Interface speed in bytes per second, from ifHighSpeed or ifSpeed; absent "
        "when the agent reports none.",
        labels=list(INTERFACE_LABELS),
    )
    utilisation_family = GaugeMetricFamily(
        "pantau_interface_utilisation_ratio",
        "Share of the interface speed used between the last two polls (0 to 1).",
        labels=[*INTERFACE_LABELS, "direction"],
    )
    counters = {
        name: CounterMetricFamily(f"pantau_interface_{name}", text, labels=list(INTERFACE_LABELS))
        for name, _, text in _INTERFACE_COUNTERS
    }
    cpu = GaugeMetricFamily(
        "pantau_device_cpu_load_ratio",
        "Processor load reported by the device (0 to 1) over its window in seconds.",
        labels=[*TARGET_LABELS, "source", "cpu", "window"],
    )
    memory_total = GaugeMetricFamily(
        "pantau_device_memory_size_bytes",
        "Size of a memory pool of the device.",
        labels=[*TARGET_LABELS, "source", "pool"],
    )
    memory_used = GaugeMetricFamily(
        "pantau_device_memory_used_bytes",
        "Used bytes of a memory pool of the device, buffers and cache excluded where known.",
        labels=[*TARGET_LABELS, "source", "pool"],
    )
    storage_size = GaugeMetricFamily(
        "pantau_device_storage_size_bytes",
        "Size of a storage area of the device (hrStorageTable).",
        labels=[*TARGET_LABELS, "storage", "kind"],
    )
    storage_used = GaugeMetricFamily(
        "pantau_device_storage_used_bytes",
        "Used bytes of a storage area of the device (hrStorageTable).",
        labels=[*TARGET_LABELS, "storage", "kind"],
    )
    custom_gauges: dict[str, GaugeMetricFamily] = {}
    custom_counters: dict[str, CounterMetricFamily] = {}

    for labels, state in rows:
        reboots.add_metric(labels, state.reboots)
        for (subtree, kind), count in state.subtree_errors.items():
            subtree_errors.add_metric([*labels, subtree, kind], count)
        poll = state.poll
        if poll is None:
            continue
        if poll.system.uptime_ticks is not None:
            uptime.add_metric(labels, poll.system.uptime_ticks / 100)
        varbinds.add_metric(labels, poll.varbinds)
        for row in poll.interfaces:
            row_labels = [*labels, str(row.if_index), row.name, row.alias]
            info.add_metric([*row_labels, row.descr, str(row.type or "")], 1.0)
            if row.oper_status is not None:
                oper.add_metric(row_labels, row.oper_status)
                up.add_metric(row_labels, 1.0 if row.oper_status == STATUS_UP else 0.0)
            if row.admin_status is not None:
                admin.add_metric(row_labels, row.admin_status)
            if row.speed:
                speed.add_metric(row_labels, row.speed / 8)
            for name, key, _ in _INTERFACE_COUNTERS:
                sample = row.counters.get(key)
                if sample is not None:
                    # float() of a Counter64 loses precision above 2**53, as
                    # every Prometheus sample does; rate() is unaffected.
                    counters[name].add_metric(row_labels, float(sample.value))
            rates = state.rates.get(row.if_index)
            if rates is not None:
                for direction, value in (
                    ("receive", rates.receive_utilisation),
                    ("transmit", rates.transmit_utilisation),
                ):
                    if value is not None:
                        utilisation_family.add_metric([*row_labels, direction], value)
        for load in poll.cpu:
            cpu.add_metric([*labels, load.source, load.index, str(load.window)], load.percent / 100)
        for pool in poll.memory:
            memory_total.add_metric([*labels, pool.source, pool.name], pool.total_bytes)
            memory_used.add_metric([*labels, pool.source, pool.name], pool.used_bytes)
        for area in poll.storage:
            storage_size.add_metric([*labels, area.descr, area.kind], area.size_bytes)
            storage_used.add_metric([*labels, area.descr, area.kind], area.used_bytes)
        for value in poll.custom:
            _add_custom(custom_gauges, custom_counters, labels, value)

    yield from (uptime, reboots, varbinds, subtree_errors, info, up, admin, oper, speed)
    yield from counters.values()
    yield from (utilisation_family, cpu, memory_total, memory_used, storage_size, storage_used)
    yield from custom_gauges.values()
    yield from custom_counters.values()


def _add_custom(
    gauges: dict[str, GaugeMetricFamily],
    counters: dict[str, CounterMetricFamily],
    labels: list[str],
    value: object,
) -> None:
    from probes.snmp import CustomValue

    assert isinstance(value, CustomValue)
    extra = [value.index_label] if value.index_label else []
    row = [*labels, value.index] if value.index_label and value.index is not None else labels
    if value.kind == "text":
        return  # text values are kept in the history, not exported as numbers
    name = f"pantau_snmp_{value.name}"
    if value.kind == "counter":
        family = counters.get(name)
        if family is None:
            family = CounterMetricFamily(
                name, f"Custom SNMP counter {value.name}.", labels=[*TARGET_LABELS, *extra]
            )
            counters[name] = family
    else:
        family = gauges.get(name)
        if family is None:
            family = GaugeMetricFamily(
                name, f"Custom SNMP gauge {value.name}.", labels=[*TARGET_LABELS, *extra]
            )
            gauges[name] = family
    if len(row) == len(TARGET_LABELS) + len(extra):
        family.add_metric(row, float(value.value))  # type: ignore[arg-type]
