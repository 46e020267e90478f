"""Latest results and running totals per target, read by the exporter.

The event loop is the only writer. Each update stores a new immutable
``TargetMetrics`` under the target's name. A scrape copies the dict, which
CPython does atomically for a dict of str keys, so a scrape reads every
target as of one instant. A reload builds the whole new dict first and swaps the
reference, so no scrape sees a half-built inventory.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from monitor import state as status
from monitor.config import Inventory, Target
from monitor.snmp_view import SnmpState
from probes.base import ProbeResult
from probes.icmp import IcmpDetail

# Round-trip time buckets in seconds, from a LAN hop (0.5 ms) to a congested
# rural WAN or satellite link (several seconds).
RTT_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1,
    0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0,
)  # fmt: skip
SCHEDULER_LAG_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0)


@dataclass(frozen=True, slots=True)
class IcmpTotals:
    """Counters of one target and IP version since the daemon started."""

    sent: int = 0
    received: int = 0
    duplicates: int = 0
    late: int = 0
    rtt_buckets: tuple[int, ...] = (0,) * (len(RTT_BUCKETS) + 1)
    rtt_sum: float = 0.0

    def add(self, result: ProbeResult) -> IcmpTotals:
        """Return these totals with one burst's counts and RTTs added."""
        values = result.values
        buckets = list(self.rtt_buckets)
        rtt_sum = self.rtt_sum
        detail = result.detail
        if isinstance(detail, IcmpDetail) and detail.stats is not None:
            for rtt in detail.stats.rtts:
                buckets[bisect.bisect_left(RTT_BUCKETS, rtt)] += 1
                rtt_sum += rtt
        return IcmpTotals(
            sent=self.sent + int(values.get("sent", 0)),
            received=self.received + int(values.get("received", 0)),
            duplicates=self.duplicates + int(values.get("duplicates", 0)),
            late=self.late + int(values.get("late", 0)),
            rtt_buckets=tuple(buckets),
            rtt_sum=rtt_sum,
        )


# Status of a target that no result has decided yet.
NO_STATUS = status.StatusView(
    status=None, reason="", since=None, own_status=None, flapping=False, in_maintenance=False
)


@dataclass(frozen=True, slots=True)
class TargetMetrics:
    """Everything the exporter shows about one target.

    ``state`` is what the status board (monitor/state.py) last reported
    about the target; the alerting code sets it after each board step.
    """

    target: Target
    state: status.StatusView = NO_STATUS
    last: Mapping[str, ProbeResult] = field(default_factory=lambda: MappingProxyType({}))
    icmp: Mapping[int, IcmpTotals] = field(default_factory=lambda: MappingProxyType({}))
    snmp: SnmpState | None = None


@dataclass(frozen=True, slots=True)
class DaemonHealth:
    """The daemon's own counters, replaced as a whole on each change."""

    config_reload_successful: bool = True
    config_reload_timestamp: float = 0.0
    config_path: str = ""
    skipped_runs: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    probe_timeouts: int = 0
    lag_buckets: tuple[int, ...] = (0,) * (len(SCHEDULER_LAG_BUCKETS) + 1)
    lag_sum: float = 0.0
    icmp_mode: str = ""


class MetricsStore:
    """Per-target metrics and daemon health, written by the loop, read by scrapes."""

    def __init__(self) -> None:
        self._targets: dict[str, TargetMetrics] = {}
        self._health = DaemonHealth()
        self._health_lock = threading.Lock()

    def targets(self) -> dict[str, TargetMetrics]:
        """Return a point-in-time copy of every target's metrics."""
        return self._targets.copy()

    def get(self, name: str) -> TargetMetrics | None:
        """Return the metrics of one target, or None if it is not configured."""
        return self._targets.get(name)

    def health(self) -> DaemonHealth:
        return self._health

    def load_inventory(self, inventory: Inventory) -> None:
        """Swap in the targets of ``inventory``, keeping totals of targets that stay."""
        fresh: dict[str, TargetMetrics] = {}
        for target in inventory.targets:
            old = self._targets.get(target.name)
            if old is None or old.target.placeholder != target.placeholder:
                fresh[target.name] = TargetMetrics(target)
            else:
                fresh[target.name] = replace(old, target=target)
        self._targets = fresh

    def set_status(self, name: str, view: status.StatusView) -> None:
        """Show ``view`` as the status of target ``name``, if it is still configured."""
        current = self._targets.get(name)
        if current is not None and current.state != view:
            self._targets[name] = replace(current, state=view)

    def record(self, result: ProbeResult) -> None:
        """Fold one probe result into its target's last results and counters.

        A result for a target that a reload removed meanwhile is dropped.
        """
        current = self._targets.get(result.target)
        if current is None:
            return
        last = dict(current.last)
        last[result.probe] = result
        icmp = current.icmp
        version = int(result.values.get("ip_version", 0))
        if result.probe == "icmp" and version:
            totals = dict(icmp)
            totals[version] = totals.get(version, IcmpTotals()).add(result)
            icmp = MappingProxyType(totals)
        snmp = current.snmp
        if result.probe == "snmp":
            speeds = current.target.snmp.speeds if current.target.snmp else None
            snmp = (snmp or SnmpState()).add(result, time.monotonic(), speeds)
        self._targets[result.target] = TargetMetrics(
            current.target, current.state, MappingProxyType(last), icmp, snmp
        )

    def update_health(self, **changes: object) -> None:
        """Replace fields of the daemon health record."""
        with self._health_lock:
            self._health = replace(self._health, **changes)  # type: ignore[arg-type]

    def count_skipped_run(self, reason: str) -> None:
        with self._health_lock:
            skipped = dict(self._health.skipped_runs)
            skipped[reason] = skipped.get(reason, 0) + 1
            self._health = replace(self._health, skipped_runs=MappingProxyType(skipped))

    def observe_lag(self, lag: float) -> None:
        with self._health_lock:
            buckets = list(self._health.lag_buckets)
            buckets[bisect.bisect_left(SCHEDULER_LAG_BUCKETS, lag)] += 1
            self._health = replace(
                self._health, lag_buckets=tuple(buckets), lag_sum=self._health.lag_sum + lag
            )
