"""Simulated history of an inventory, written through Pantau's real schema and writers.

The simulator sends no packet. It fills a database with what the daemon
would have written while watching the targets of a configuration:

- ICMP results at each target's interval: RTT log-normal per target, rising
  in the busy hours of working days, and occasional packet loss;
- SNMP results every ``snmp_interval`` seconds for targets that poll SNMP:
  CPU, memory and disk ratios (with the ``host-resources`` profile), and an
  uptime that restarts at one reboot per month;
- interface rows of each successful poll: traffic with a daily curve, and a
  few saturated hours on one agency's uplink;
- status changes and incidents, from the real status board
  (monitor.state) and the real incident writer (monitor.alerting), with the
  scenario below.

Scenario of every simulated month (deterministic for a seed):

- one agency (OPD) with about 22 hours of downtime on each of its targets,
  so that its availability is under 98 % ("Belum Siap"), and one with about
  7 hours (between 98 % and 99.5 %, "Perlu Perbaikan");
- an outage of the target with the most descendants, which makes them
  unreachable;
- a two-hour maintenance window (stored as ``pantau maintenance add``
  stores it) during which the device is switched off for 45 minutes;
- a two-hour stop of Pantau with no results at all;
- 25 minutes in which an isolation check of an executive network replies;
- a reboot of every SNMP device, with a short outage, and a 32-bit uptime
  wrap on one device, which is no reboot;
- a few outages of 2 to 20 minutes on any target.

Elements that need something the inventory lacks (no SNMP target, no
isolation check, a single agency) are left out, and :class:`Roles` names
what was chosen. Targets with a documentation address are never probed, as in the
daemon, so they get no results.

After each simulated hour the simulator calls ``monitor.history.maintain``
with that hour's end as ``now`` until it reports done, as the daemon does.

Usage::

    python -m tests.history_sim -c config/demo.toml --month 2026-11 -o /tmp/demo.db
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import json
import math
import os
import random
import sqlite3
import sys
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from monitor import alerting, history
from monitor import state as status
from monitor.config import HistorySettings, Inventory, MaintenanceWindow, Target, load
from monitor.maintenance import MaintenanceSchedule, add_window
from monitor.storage import (
    INTERFACES_TABLE,
    RESULTS_TABLE,
    InterfaceRecord,
    Storage,
)

HOUR = 3600.0
DAY = 86400.0
# sysUpTime and hrSystemUptime are 32-bit TimeTicks (hundredths of a second),
# so they wrap to 0 after 2^32 ticks, about 497 days.
UPTIME_WRAP_SECONDS = 2**32 / 100
# Rows per transaction, as the daemon's Storage writes them (its batch_size),
# so that the WAL file grows as it would in the daemon.
BATCH_ROWS = 500
SNMP_PROFILE_HOST = "host-resources"
# Rows per maintain call, as the daemon's history job passes (monitor.history_job).
MAINTAIN_MAX_ROWS = 20_000
# Share of ICMP cycles of a replying device in which every echo is lost.
ISOLATED_FAILURE = 0.0003

_RESULT_COLUMNS = (
    "target",
    "probe",
    "started",
    "duration",
    "success",
    "reason",
    "values_json",
    "message",
)
_INTERFACE_COLUMNS = tuple(field.name for field in dataclasses.fields(InterfaceRecord))


@dataclass(frozen=True)
class SimulationSettings:
    """What the simulator varies: the seed, SNMP timing and device sizes."""

    seed: int = 1
    # NOTE: the scheduler polls SNMP at the target's own interval today; the
    # simulator polls every snmp_interval seconds, the rate the history is sized for.
    snmp_interval: float = 60.0
    interfaces: int = 8  # per SNMP router or switch
    server_interfaces: int = 2
    # Seconds between two maintain passes. The daemon's history job runs every
    # minute, but an hour is rolled up only once it has closed, so one pass per
    # simulated hour does the same work.
    maintain_every: float = HOUR
    maintain: bool = True


@dataclass(frozen=True)
class Roles:
    """Targets and agencies (groups) that the scenario picked, None where none fitted."""

    not_ready_group: str | None
    needs_work_group: str | None
    parent: str | None
    saturated_uplink: tuple[str, str] | None  # (target, interface name)
    maintenance_target: str | None
    isolation_check: str | None
    wrap_target: str | None


@dataclass
class SimulationSummary:
    """Counts and timings of one simulation."""

    start: float
    end: float
    roles: Roles
    results: int = 0
    interface_rows: int = 0
    transitions: int = 0
    maintain_calls: int = 0
    maintain_seconds: float = 0.0
    maintain_cpu_seconds: float = 0.0
    seconds: float = 0.0


# Sample inventory ----------------------------------------------------------------------


def sample_config_text(
    *,
    opds: int = 6,
    hosts_per_opd: int = 3,
    servers: int = 3,
    interval: str = "30s",
    database: str = "pantau.db",
) -> str:
    """Return a loopback-only inventory shaped like config/targets.toml.

    A core router (SNMP) with ``opds`` agency routers behind it (SNMP, uplink
    "ether1"), ``hosts_per_opd`` hosts behind each, ``servers`` application
    servers (SNMP, HTTPS and TLS checks) behind the core, and an executive
    network: a router (SNMP), two hosts and an isolation check. Targets:
    8 + servers + opds × (1 + hosts_per_opd), of which 2 + opds + servers
    poll SNMP.
    Every address is in 127.0.0.0/8; the simulator never probes them.
    """
    lines = [
        "[daemon]",
        'listen = "127.0.0.1:9470"',
        f'database = "{database}"',
        'language = "id"',
        'timezone = "Asia/Jakarta"',
        "",
        "[defaults]",
        f'interval = "{interval}"',
        'timeout = "2s"',
        "",
        "[credentials.sim-v2]",
        'version = "2c"',
        'community_env = "PANTAU_SNMP_COMMUNITY"',
        "",
    ]
    snmp = '{ credential = "sim-v2", profiles = ["system", "interfaces", "host-resources"]'

    def target(name: str, address: str, group: str, network: str, **extra: str) -> None:
        lines.extend(
            [
                "[[targets]]",
                f'name = "{name}"',
                f'address = "{address}"',
                f'group = "{group}"',
                f'network = "{network}"',
            ]
        )
        lines.extend(f"{key} = {value}" for key, value in extra.items())
        lines.append("")

    target(
        "core-router",
        "127.20.0.1",
        "Diskominfo",
        "opd",
        probes='["icmp", "snmp"]',
        snmp=snmp + " }",
    )
    for number in range(1, opds + 1):
        router = f"opd{number:02d}-router"
        group = f"OPD {number:02d}"
        target(
            router,
            f"127.20.{number}.1",
            group,
            "opd",
            probes='["icmp", "snmp"]',
            parent='"core-router"',
            snmp=snmp + ', uplink = "ether1" }',
        )
        for host in range(1, hosts_per_opd + 1):
            target(
                f"opd{number:02d}-host{host}",
                f"127.20.{number}.{host + 1}",
                group,
                "opd",
                probes='["icmp"]',
                parent=f'"{router}"',
            )
    for number in range(1, servers + 1):
        target(
            f"server{number}",
            f"127.21.0.{number}",
            "Server Aplikasi",
            "server",
            probes='["icmp", "snmp", "http", "tls"]',
            parent='"core-router"',
            snmp=snmp + " }",
            http=f'{{ url = "https://server{number}.pantau.lab/", expect_status = [200] }}',
        )
    target(
        "eksekutif-router",
        "127.22.0.1",
        "Eksekutif",
        "eksekutif",
        probes='["icmp", "snmp"]',
        snmp=snmp + " }",
    )
    for number, host in enumerate(("bupati-pc", "wabup-pc"), start=10):
        target(
            host,
            f"127.22.0.{number}",
            "Eksekutif",
            "eksekutif",
            probes='["icmp"]',
            parent='"eksekutif-router"',
        )
    target(
        "isolasi-eksekutif",
        "127.22.1.30",
        "Eksekutif",
        "eksekutif",
        probes='["icmp"]',
        expect='"unreachable"',
    )
    return "\n".join(lines)


def load_inventory(path: Path) -> Inventory:
    """Load a configuration, filling secrets the environment lacks with a dummy value.

    The simulator sends nothing, so it needs no real SNMP community or chat
    URL; only variables that are not set get the dummy.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    environ = dict(os.environ)
    tables: list[Mapping[str, Any]] = list(data.get("credentials", {}).values())
    tables += list(data.get("channels", []))
    for table in tables:
        for key, value in table.items():
            if key.endswith("_env") and isinstance(value, str):
                environ.setdefault(value, "simulated")
    return load(path, environ)


# Time helpers --------------------------------------------------------------------------


def month_bounds(month: str, zone: ZoneInfo) -> tuple[float, float]:
    """Return [start, end) in unix seconds of local month "YYYY-MM"."""
    first = datetime.strptime(month, "%Y-%m").replace(tzinfo=zone)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first.timestamp(), following.timestamp()


def _months(start: float, end: float, zone: ZoneInfo) -> list[tuple[float, float]]:
    """Return the local months that overlap [start, end)."""
    day = datetime.fromtimestamp(start, zone).date().replace(day=1)
    months: list[tuple[float, float]] = []
    while True:
        bounds = month_bounds(f"{day.year:04d}-{day.month:02d}", zone)
        if bounds[0] >= end:
            return months
        months.append(bounds)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _local(day: date, hour: float, zone: ZoneInfo) -> float:
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()
    return midnight + hour * HOUR


def busy_share(local_hour: float, weekday: int) -> float:
    """Return the load of the office day at a local hour, from 0 (night) to 1 (peak at 11:00)."""
    peak = math.exp(-(((local_hour - 11.0) / 2.8) ** 2))
    return peak if weekday < 5 else 0.25 * peak


# Spans of time -------------------------------------------------------------------------


class Spans:
    """Sorted, merged [start, end) stretches with a membership test."""

    def __init__(self, spans: Iterable[tuple[float, float]] = ()) -> None:
        merged: list[list[float]] = []
        for start, end in sorted(spans):
            if end <= start:
                continue
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [span[0] for span in merged]
        self.ends = [span[1] for span in merged]

    def __contains__(self, moment: float) -> bool:
        index = bisect.bisect_right(self.starts, moment) - 1
        return index >= 0 and moment < self.ends[index]

    def __bool__(self) -> bool:
        return bool(self.starts)

    def pairs(self) -> list[tuple[float, float]]:
        """Return the stretches as (start, end) pairs."""
        return list(zip(self.starts, self.ends, strict=True))

    def overlaps(self, start: float, end: float) -> bool:
        """Return whether any stretch meets [start, end)."""
        index = bisect.bisect_right(self.ends, start)
        return index < len(self.starts) and self.starts[index] < end


# Scenario ------------------------------------------------------------------------------


@dataclass
class Scenario:
    """Every planned event of the simulated period, by target."""

    roles: Roles
    failures: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    replies: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    saturation: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    reboots: dict[str, list[float]] = field(default_factory=dict)
    stops: list[tuple[float, float]] = field(default_factory=list)
    maintenance: list[tuple[str, float, float]] = field(default_factory=list)

    def fail(self, name: str, start: float, end: float) -> None:
        """Plan the device ``name`` to stop replying during [start, end)."""
        self.failures.setdefault(name, []).append((start, end))


def choose_roles(inventory: Inventory, seed: int) -> Roles:
    """Pick the targets and agencies that play each part of the scenario."""
    rng = random.Random(f"{seed}:roles")
    report = getattr(inventory, "report", None)
    executive = tuple(getattr(report, "executive_networks", ("eksekutif",)))
    servers = tuple(getattr(report, "server_networks", ("server",)))
    targets = [target for target in inventory.targets if not target.placeholder]
    by_name = {target.name: target for target in targets}

    descendants = {target.name: 0 for target in targets}
    for target in targets:
        seen: set[str] = set()
        parent = target.parent
        while parent in by_name and parent not in seen and target.expect == "reachable":
            seen.add(parent)
            descendants[parent] += 1
            parent = by_name[parent].parent
    parent_name = max(
        (name for name, count in descendants.items() if count),
        key=lambda name: (descendants[name], name),
        default=None,
    )

    parent_group = by_name[parent_name].group if parent_name else None
    groups = sorted(
        {
            target.group
            for target in targets
            if target.network not in executive + servers and target.expect == "reachable"
        }
    )
    candidates = [group for group in groups if group != parent_group] or groups
    rng.shuffle(candidates)
    not_ready = candidates[0] if candidates else None
    needs_work = candidates[1] if len(candidates) > 1 else None

    snmp_routers = [
        target
        for target in targets
        if target.snmp is not None
        and target.group not in (not_ready, needs_work, parent_group)
        and target.network not in executive + servers
    ] or [target for target in targets if target.snmp is not None]
    saturated = None
    if snmp_routers:
        router = sorted(snmp_routers, key=lambda target: target.name)[0]
        saturated = (router.name, _uplink_name(router))

    assigned = {parent_name, *(t.name for t in targets if t.group in (not_ready, needs_work))}
    spare = sorted(
        (t for t in targets if t.name not in assigned and t.expect == "reachable"),
        key=lambda t: (t.network not in servers, t.name),
    )
    isolation = sorted(
        t.name for t in targets if t.expect == "unreachable" and t.network in executive
    ) or sorted(t.name for t in targets if t.expect == "unreachable")
    snmp_names = sorted(t.name for t in targets if t.snmp is not None)
    return Roles(
        not_ready_group=not_ready,
        needs_work_group=needs_work,
        parent=parent_name,
        saturated_uplink=saturated,
        maintenance_target=spare[0].name if spare else None,
        isolation_check=isolation[0] if isolation else None,
        wrap_target=snmp_names[-1] if snmp_names else None,
    )


def _uplink_name(target: Target) -> str:
    uplink = getattr(target.snmp, "uplink", None)
    return str(uplink) if uplink else "ether1"


def plan_scenario(
    inventory: Inventory, start: float, end: float, roles: Roles, seed: int
) -> Scenario:
    """Plan the events of every local month that overlaps [start, end)."""
    zone = ZoneInfo(inventory.daemon.timezone)
    scenario = Scenario(roles=roles)
    targets = [target for target in inventory.targets if not target.placeholder]
    for month_start, month_end in _months(start, end, zone):
        first = datetime.fromtimestamp(month_start, zone).date()
        rng = random.Random(f"{seed}:scenario:{first.isoformat()}")
        _plan_month(scenario, targets, zone, first, month_end, rng)
    return scenario


def _plan_month(
    scenario: Scenario,
    targets: Sequence[Target],
    zone: ZoneInfo,
    first: date,
    month_end: float,
    rng: random.Random,
) -> None:
    roles = scenario.roles
    days = round((month_end - _local(first, 0, zone)) / DAY)
    all_days = [first + timedelta(days=index) for index in range(days)]
    workdays = [day for day in all_days if day.weekday() < 5]
    saturdays = [day for day in all_days if day.weekday() == 5]

    def at(day: date, hour: float) -> float:
        return _local(day, hour, zone)

    def random_moment() -> float:
        return at(rng.choice(all_days), rng.uniform(0, 24))

    # Pantau stops for two hours on a working day near the middle of the month.
    stop_day = workdays[len(workdays) * 2 // 5]
    scenario.stops.append((at(stop_day, 13), at(stop_day, 15)))

    for target in targets:
        # Background: a few short outages on any device.
        for _ in range(_poisson(rng, 0.7)):
            begin = random_moment()
            scenario.fail(
                target.name, begin, begin + 60 * math.exp(rng.uniform(math.log(2), math.log(20)))
            )

    for target in targets:
        if target.group == roles.not_ready_group:
            _plan_downtime(
                scenario, target.name, all_days, zone, rng, hours=rng.uniform(21, 24), long=8
            )
        elif target.group == roles.needs_work_group:
            _plan_downtime(
                scenario, target.name, all_days, zone, rng, hours=rng.uniform(6, 8), long=3
            )

    if roles.parent is not None:
        day = workdays[len(workdays) // 3]
        scenario.fail(roles.parent, at(day, 9 + 2 / 3), at(day, 10.5))

    if roles.maintenance_target is not None and saturdays:
        day = saturdays[len(saturdays) // 2]
        scenario.maintenance.append((roles.maintenance_target, at(day, 22), at(day, 24)))
        scenario.fail(roles.maintenance_target, at(day, 22 + 1 / 3), at(day, 23 + 1 / 12))

    if roles.isolation_check is not None:
        day = workdays[len(workdays) * 3 // 5]
        begin = at(day, 16 + 1 / 6)
        scenario.replies.setdefault(roles.isolation_check, []).append((begin, begin + 25 * 60))

    if roles.saturated_uplink is not None:
        name = roles.saturated_uplink[0]
        for day in rng.sample(workdays, min(3, len(workdays))):
            begin = at(day, rng.choice((9.5, 10, 10.5, 13)))
            scenario.saturation.setdefault(name, []).append(
                (begin, begin + rng.uniform(1.5, 2.5) * HOUR)
            )

    for target in targets:
        if target.snmp is None:
            continue
        # One reboot a month, at night; the wrap target reboots late in the
        # month so that its uptime wraps first.
        day = all_days[-4] if target.name == roles.wrap_target else rng.choice(all_days[1:-1])
        moment = at(day, rng.uniform(1, 5))
        scenario.reboots.setdefault(target.name, []).append(moment)
        scenario.fail(target.name, moment, moment + rng.uniform(120, 200))


def _plan_downtime(
    scenario: Scenario,
    name: str,
    days: Sequence[date],
    zone: ZoneInfo,
    rng: random.Random,
    *,
    hours: float,
    long: float,
) -> None:
    """Plan about ``hours`` of outages: one of ``long`` hours in the evening, the rest shorter."""
    day = rng.choice(days[2:-2])
    begin = _local(day, rng.uniform(17, 19), zone)
    scenario.fail(name, begin, begin + long * HOUR)
    left = (hours - long) * HOUR
    while left > 0:
        length = min(left, rng.uniform(0.25, 3.0) * HOUR)
        begin = _local(rng.choice(days), rng.uniform(0, 24), zone)
        scenario.fail(name, begin, begin + length)
        left -= length


def _poisson(rng: random.Random, mean: float) -> int:
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


# Device models -------------------------------------------------------------------------


@dataclass
class InterfaceModel:
    """One interface of a simulated device, with its raw error and discard counters."""

    if_index: int
    name: str
    speed: float
    oper_status: int
    peak: float  # share of the speed used at the busiest hour
    night: float
    transmit_ratio: float
    receive_errors: int = 0
    transmit_errors: int = 0
    receive_discards: int = 0
    transmit_discards: int = 0


class DeviceModel:
    """The behaviour of one target: its probe slots, RTT, loss, SNMP readings and events."""

    def __init__(
        self,
        target: Target,
        icmp_offset: float,
        snmp_offset: float,
        scenario: Scenario,
        ancestors: Sequence[str],
        settings: SimulationSettings,
        start: float,
        server: bool,
    ) -> None:
        self.target = target
        self.name = target.name
        self.server = server
        self.rng = random.Random(f"{settings.seed}:device:{target.name}")
        rng = self.rng
        self.interval = target.settings.interval
        self.icmp_offset = icmp_offset
        self.snmp_offset = snmp_offset
        self.isolation = target.expect == "unreachable"
        self.status_probe = status.main_probe(target)
        self.has_icmp = "icmp" in target.probes
        self.has_snmp = "snmp" in target.probes and target.snmp is not None
        self.host_resources = target.snmp is not None and SNMP_PROFILE_HOST in target.snmp.profiles
        self.ip_version = 6.0 if ":" in target.address or target.settings.family == "ip6" else 4.0
        self.count = target.settings.icmp.count
        self.packet_interval = target.settings.icmp.packet_interval
        self.timeout = target.settings.timeout
        self.snmp_interval = settings.snmp_interval
        # Plain results of each probe that the board must see after one that
        # was not plain. ICMP needs enough cycles for the degraded limits'
        # sustain, two SNMP polls and up_after to pass. SNMP needs two polls.
        sustain = target.settings.degraded.sustain + 2 * settings.snmp_interval
        self.feed_after = {
            "icmp": target.settings.up_after + 3 + math.ceil(sustain / self.interval),
            "snmp": 3,
        }

        router = target.snmp is not None and not server
        low, high = (0.0003, 0.0012) if server else ((0.0012, 0.006) if router else (0.002, 0.012))
        self.rtt_median = math.exp(rng.uniform(math.log(low), math.log(high)))
        self.rtt_sigma = rng.uniform(0.15, 0.35)
        self.busy_rise = rng.uniform(0.2, 0.6)
        self.loss = rng.uniform(0.0002, 0.002)

        own = scenario.failures.get(self.name, [])
        inherited = (
            []
            if self.isolation
            else [span for ancestor in ancestors for span in scenario.failures.get(ancestor, [])]
        )
        self.down = Spans([*own, *inherited])
        self.replies = Spans(scenario.replies.get(self.name, []))
        self.saturated = Spans(scenario.saturation.get(self.name, []))
        self.maintenance = Spans(
            (begin, end) for name, begin, end in scenario.maintenance if name == self.name
        )

        # The first boot lies long before the start, and each reboot boots the
        # agent again 100 s after it began (ping fails for 120 to 200 s).
        initial = rng.uniform(20, 400) * DAY
        if self.name == scenario.roles.wrap_target:
            initial = UPTIME_WRAP_SECONDS - rng.uniform(8, 12) * DAY
        boots = [start - initial]
        for moment in sorted(scenario.reboots.get(self.name, [])):
            boots.append(moment + 100.0)
        self.boots = boots
        self.cpu_base = rng.uniform(0.05, 0.25)
        self.cpu_rise = rng.uniform(0.1, 0.35)
        self.memory_base = rng.uniform(0.35, 0.65)
        self.disk_start = rng.uniform(0.3, 0.6)
        self.disk_growth = rng.uniform(0.0, 0.01) / (30 * DAY)
        self.start = start
        self.interfaces = self._interfaces(target, settings, server)
        # SNMP state between polls: the time of the last successful poll.
        self.last_poll: float | None = None
        self.last_boot_seen: float | None = None

    def _interfaces(
        self, target: Target, settings: SimulationSettings, server: bool
    ) -> list[InterfaceModel]:
        if not self.has_snmp:
            return []
        rng = self.rng
        count = settings.server_interfaces if server else settings.interfaces
        uplink = _uplink_name(target)
        models = []
        for index in range(1, count + 1):
            name = f"eth{index - 1}" if server else f"ether{index}"
            if index == 1 and not server:
                name = uplink
            is_uplink = index == 1
            speed = 1e9 if server or target.parent is None or not is_uplink else 1e8
            used = is_uplink or server or index <= max(2, count // 2)
            models.append(
                InterfaceModel(
                    if_index=index,
                    name=name,
                    speed=speed,
                    oper_status=1 if used else 2,
                    peak=rng.uniform(0.25, 0.5)
                    if is_uplink
                    else (rng.uniform(0.02, 0.15) if used else 0.0),
                    night=rng.uniform(0.005, 0.03) if used else 0.0,
                    transmit_ratio=rng.uniform(0.15, 0.35) if is_uplink else rng.uniform(1.5, 3.0),
                    receive_errors=rng.randrange(0, 500),
                    receive_discards=rng.randrange(0, 2000),
                )
            )
        return models

    # Readings ------------------------------------------------------------------------

    def answers(self, moment: float) -> bool:
        """Return whether the device replies at ``moment``: an isolation check only in a breach."""
        if self.isolation:
            return moment in self.replies
        return moment not in self.down

    def uptime(self, moment: float) -> float:
        """Return the uptime the agent reports at ``moment``, wrapped as 32-bit TimeTicks."""
        index = bisect.bisect_right(self.boots, moment) - 1
        ticks = int((moment - self.boots[max(index, 0)]) * 100)
        return (ticks % 2**32) / 100

    def boot(self, moment: float) -> float:
        """Return the time of the boot before ``moment``."""
        return self.boots[max(bisect.bisect_right(self.boots, moment) - 1, 0)]


# One hour of rows ----------------------------------------------------------------------


@dataclass
class HourRows:
    """Rows and board observations of one simulated hour."""

    results: list[tuple[Any, ...]] = field(default_factory=list)
    interfaces: list[tuple[Any, ...]] = field(default_factory=list)
    # Every result as the board would read it: (at, sequence, device,
    # Observation arguments, plain), in the order generated.
    candidates: list[tuple[Any, ...]] = field(default_factory=list)


class Simulation:
    """A simulation in progress: devices, the status board and the database connection.

    Use :func:`simulate` for a whole period; the benchmark drives the steps
    itself with :meth:`write_hour` and :meth:`maintain`.
    """

    def __init__(
        self,
        db: sqlite_utils.Database,
        inventory: Inventory,
        start: float,
        end: float,
        settings: SimulationSettings | None = None,
    ) -> None:
        self.db = db
        self.inventory = inventory
        self.start = start
        self.end = end
        self.settings = settings or SimulationSettings()
        self.zone = ZoneInfo(inventory.daemon.timezone)
        self.roles = choose_roles(inventory, self.settings.seed)
        self.scenario = plan_scenario(inventory, start, end, self.roles, self.settings.seed)
        self.stops = Spans(self.scenario.stops)
        self.summary = SimulationSummary(start=start, end=end, roles=self.roles)
        self.devices = self._devices()
        windows = self._store_maintenance_windows()
        schedule = MaintenanceSchedule(
            (*inventory.maintenance, *windows), inventory.daemon.timezone
        )
        self.board = status.StatusBoard(
            inventory, lambda target, at: schedule.active(target, at) is not None
        )
        self._window_edges = sorted(
            {edge for _, begin, end in self.scenario.maintenance for edge in (begin, end)}
        )
        # Plain results per (target, probe) that still go to the board after
        # the last result that was not plain (see _needs_board).
        self._plain_left: dict[tuple[str, str], int] = {}
        self._sequence = 0

    def _devices(self) -> list[DeviceModel]:
        targets = [target for target in self.inventory.targets if not target.placeholder]
        by_name = {target.name: target for target in targets}
        report = getattr(self.inventory, "report", None)
        servers = tuple(getattr(report, "server_networks", ("server",)))
        offsets: dict[tuple[str, str], float] = {}
        for kind, interval_of in (
            ("icmp", lambda t: t.settings.interval),
            ("snmp", lambda t: self.settings.snmp_interval),
        ):
            groups: dict[float, list[str]] = {}
            for target in targets:
                if kind in target.probes:
                    groups.setdefault(interval_of(target), []).append(target.name)
            # The scheduler spreads the runs of one kind and interval evenly
            # over the interval, in name order.
            for interval, names in groups.items():
                for position, name in enumerate(sorted(names)):
                    offsets[(kind, name)] = position * interval / len(names)
        devices = []
        for target in targets:
            ancestors: list[str] = []
            parent = target.parent
            while parent in by_name and parent not in ancestors and parent != target.name:
                ancestors.append(parent)
                parent = by_name[parent].parent
            devices.append(
                DeviceModel(
                    target,
                    offsets.get(("icmp", target.name), 0.0),
                    offsets.get(("snmp", target.name), 0.0),
                    self.scenario,
                    ancestors,
                    self.settings,
                    self.start,
                    target.network in servers,
                )
            )
        return devices

    def _store_maintenance_windows(self) -> list[MaintenanceWindow]:
        windows = []
        with self.db.conn:
            for name, begin, end in self.scenario.maintenance:
                if end <= self.start or begin >= self.end:
                    continue
                window = MaintenanceWindow(
                    name="simulated",
                    targets=(name,),
                    start=datetime.fromtimestamp(begin, UTC),
                    end=datetime.fromtimestamp(end, UTC),
                    reason="Simulated maintenance: device switched off",
                )
                window_id = add_window(self.db, window, "simulation", created=begin - 2 * DAY)
                windows.append(
                    MaintenanceWindow(
                        name=f"db:{window_id}",
                        targets=window.targets,
                        start=window.start,
                        end=window.end,
                        reason=window.reason,
                    )
                )
        return windows

    # Generation ----------------------------------------------------------------------

    def write_hour(self, hour_start: float) -> HourRows:
        """Generate and commit the results, interface rows and status changes of one hour."""
        begin = max(hour_start, self.start)
        end = min(hour_start + HOUR, self.end)
        local = datetime.fromtimestamp(hour_start, self.zone)
        offset = local.utcoffset()
        utc_offset = offset.total_seconds() if offset is not None else 0.0
        rows = HourRows()
        for device in self.devices:
            if device.has_icmp:
                self._icmp_hour(device, begin, end, utc_offset, rows)
            if device.has_snmp:
                self._snmp_hour(device, begin, end, utc_offset, rows)
            if device.server and not device.isolation:
                self._service_hour(device, begin, end, rows)

        # The board reads results in time order, and _needs_board counts in that order.
        rows.candidates.sort(key=lambda candidate: (candidate[0], candidate[1]))
        steps: list[tuple[float, int, status.Observation | None]] = [
            (at, sequence, status.Observation(*arguments))
            for at, sequence, device, arguments, plain in rows.candidates
            if self._needs_board(device, arguments[2], at, plain)
        ]
        edges = [edge for edge in self._window_edges if begin <= edge < end]
        steps += [(edge, -1, None) for edge in edges]
        steps.sort(key=lambda step: (step[0], step[1]))
        self._write(rows, steps)
        self.summary.results += len(rows.results)
        self.summary.interface_rows += len(rows.interfaces)
        return rows

    def _slots(self, offset: float, interval: float, begin: float, end: float) -> Iterable[float]:
        first = self.start + offset
        index = max(0, math.ceil((begin - first) / interval))
        moment = first + index * interval
        while moment < end:
            if moment >= begin and moment not in self.stops:
                yield moment
            index += 1
            moment = first + index * interval

    def _service_hour(self, device: DeviceModel, begin: float, end: float, rows: HourRows) -> None:
        """Write an http and a tls check of a server per interval, beside its pings.

        The first server ("server1" in the sample configuration) has a bad
        second week: 6 % of its http checks fail and answers take about 2.5 s.
        Its certificate expires 10 days after the simulated period, the
        others' after 200 days. The checks do not feed the status board.
        """
        rng = random.Random(f"{device.name}:services:{begin}")
        first = device.name.endswith("1")
        bad_week = (self.start + 7 * DAY, self.start + 14 * DAY)
        expiry = self.end + (10 if first else 200) * DAY
        for slot in self._slots(device.icmp_offset + 5.0, device.interval, begin, end):
            bad = first and bad_week[0] <= slot < bad_week[1]
            answered = device.answers(slot)
            success = answered and not (bad and rng.random() < 0.06)
            if not answered:
                reason = "connect_timeout"
            elif success:
                reason = "ok"
            else:
                reason = rng.choice(["unexpected_status", "response_timeout"])
            center = 2.5 if bad else 0.25
            duration = rng.lognormvariate(math.log(center), 0.3) if answered else 10.0
            values: dict[str, float] = {"ip_version": device.ip_version}
            if answered:
                values["status_code"] = 200.0 if success else 503.0
                values["cert_expiry_timestamp_seconds"] = expiry
            rows.results.append(
                (device.name, "http", slot, duration, int(success), reason, _encode(values), "")
            )
            tls_values = {"ip_version": device.ip_version}
            if answered:
                tls_values["cert_expiry_timestamp_seconds"] = expiry
                tls_values["cert_verified"] = 1.0
            rows.results.append(
                (
                    device.name,
                    "tls",
                    slot + 1.0,
                    0.02 if answered else 10.0,
                    int(answered),
                    "ok" if answered else "connect_timeout",
                    _encode(tls_values),
                    "",
                )
            )

    def _icmp_hour(
        self, device: DeviceModel, begin: float, end: float, utc_offset: float, rows: HourRows
    ) -> None:
        rng = device.rng
        count = device.count
        for slot in self._slots(device.icmp_offset, device.interval, begin, end):
            started = slot + rng.uniform(0.0005, 0.02)
            answered = device.answers(slot)
            if answered and not device.isolation and rng.random() < ISOLATED_FAILURE:
                answered = False
            values: dict[str, float] = {
                "ip_version": device.ip_version,
                "sent": float(count),
            }
            if answered:
                busy = _busy_at(slot, utc_offset)
                center = device.rtt_median * (1 + device.busy_rise * busy)
                if device.saturated and slot in device.saturated:
                    center *= rng.uniform(6, 12)  # queueing behind the saturated uplink
                loss = device.loss * (1 + 3 * busy)
                rtts = sorted(
                    rng.lognormvariate(math.log(center), device.rtt_sigma)
                    for _ in range(count)
                    if rng.random() >= loss
                )
                if not rtts and not device.isolation:
                    rtts = [rng.lognormvariate(math.log(center), device.rtt_sigma)]
                received = len(rtts)
            else:
                rtts = []
                received = 0
            values["received"] = float(received)
            values["duplicates"] = 0.0
            values["late"] = 0.0
            values["loss_ratio"] = (count - received) / count
            if rtts:
                mean = math.fsum(rtts) / received
                values["rtt_min_seconds"] = rtts[0]
                values["rtt_max_seconds"] = rtts[-1]
                values["rtt_mean_seconds"] = mean
                middle = received // 2
                values["rtt_median_seconds"] = (
                    rtts[middle] if received % 2 else (rtts[middle - 1] + rtts[middle]) / 2
                )
                values["rtt_stddev_seconds"] = math.sqrt(
                    math.fsum((rtt - mean) ** 2 for rtt in rtts) / received
                )
                duration = (count - 1) * device.packet_interval + rtts[-1] + 0.0004
            else:
                duration = (count - 1) * device.packet_interval + device.timeout + 0.0004
            success = received > 0
            rows.results.append(
                (
                    device.name,
                    "icmp",
                    started,
                    duration,
                    1 if success else 0,
                    "ok" if success else "no_reply",
                    _encode(values),
                    "",
                )
            )
            measurements = {"loss": values["loss_ratio"]}
            if "rtt_median_seconds" in values:
                measurements["rtt"] = values["rtt_median_seconds"]
            if device.isolation:
                plain = not success  # its limits are not checked, and silence is its normal
            else:
                plain = success and self._below_limits(device, measurements)
            if device.status_probe == "icmp":
                self._observe(
                    device,
                    started,
                    "icmp",
                    success,
                    "ok" if success else "no_reply",
                    measurements,
                    plain,
                    rows,
                )

    def _snmp_hour(
        self, device: DeviceModel, begin: float, end: float, utc_offset: float, rows: HourRows
    ) -> None:
        rng = device.rng
        target = device.target
        assert target.snmp is not None
        for slot in self._slots(device.snmp_offset, device.snmp_interval, begin, end):
            started = slot + rng.uniform(0.001, 0.03)
            if self._stopped_since(device.last_poll, started):
                device.last_poll = None  # the daemon restarted: no rate from before the stop
            if not device.answers(slot):
                attempts = target.snmp.retries + 1
                values = {
                    "varbinds": 0.0,
                    "requests": float(attempts),
                    "retries": float(target.snmp.retries),
                    "walk_errors": 0.0,
                }
                message = (
                    f"no response from {target.address} port {target.snmp.port} to {attempts} "
                    f"{'attempt' if attempts == 1 else 'attempts'} of {target.snmp.timeout:g} s "
                    "each; check that the agent runs, listens on that port and accepts this "
                    "community or user"
                )
                duration = attempts * target.snmp.timeout + 0.001
                rows.results.append(
                    (
                        device.name,
                        "snmp",
                        started,
                        duration,
                        0,
                        "timeout",
                        _encode(values),
                        message,
                    )
                )
                failed: bool | None = False if device.status_probe == "snmp" else None
                self._observe(device, started, "snmp", failed, "timeout", {}, False, rows)
                continue

            busy = _busy_at(slot, utc_offset)
            values, measurements = self._snmp_values(device, started, busy)
            utilisations = self._interface_rows(device, started, busy, rows)
            if utilisations:
                measurements["utilisation"] = max(utilisations)
            device.last_poll = started
            rows.results.append(
                (
                    device.name,
                    "snmp",
                    started,
                    rng.uniform(0.02, 0.12),
                    1,
                    "ok",
                    _encode(values),
                    "",
                )
            )
            success: bool | None = True if device.status_probe == "snmp" else None
            plain = self._below_limits(device, measurements)
            self._observe(device, started, "snmp", success, "ok", measurements, plain, rows)

    def _snmp_values(
        self, device: DeviceModel, started: float, busy: float
    ) -> tuple[dict[str, float], dict[str, float]]:
        rng = device.rng
        interfaces = device.interfaces
        up = sum(model.oper_status == 1 for model in interfaces)
        values: dict[str, float] = {
            "varbinds": float(20 + 22 * len(interfaces) + (40 if device.host_resources else 0)),
            "requests": float(3 + len(interfaces) // 4),
            "retries": 0.0,
            "walk_errors": 0.0,
            "sysuptime_seconds": device.uptime(started),
        }
        measurements: dict[str, float] = {}
        if device.host_resources:
            values["hr_system_uptime_seconds"] = device.uptime(started + 3.0)
        values["interfaces"] = float(len(interfaces))
        values["interfaces_up"] = float(up)
        values["interfaces_down"] = 0.0
        if device.host_resources:
            cpu = device.cpu_base + device.cpu_rise * busy + rng.gauss(0, 0.03)
            memory = device.memory_base + 0.05 * busy + rng.gauss(0, 0.01)
            disk = device.disk_start + device.disk_growth * (started - device.start)
            values["cpu_load_max_ratio"] = round(min(max(cpu, 0.01), 1.0), 2)
            values["memory_used_ratio"] = min(max(memory, 0.05), 0.99)
            values["storage_max_used_ratio"] = min(disk + rng.gauss(0, 0.0005), 0.99)
            measurements["cpu"] = values["cpu_load_max_ratio"]
            measurements["memory"] = values["memory_used_ratio"]
            measurements["disk"] = values["storage_max_used_ratio"]
        return values, measurements

    def _interface_rows(
        self, device: DeviceModel, started: float, busy: float, rows: HourRows
    ) -> list[float]:
        rng = device.rng
        boot = device.boot(started)
        rebooted = device.last_boot_seen is not None and boot != device.last_boot_seen
        first = device.last_poll is None
        device.last_boot_seen = boot
        missing = ""
        if first:
            missing = "first_poll"
        elif rebooted:
            missing = "reset"
        saturated = bool(device.saturated) and started in device.saturated
        utilisations: list[float] = []
        for model in device.interfaces:
            if rebooted:
                model.receive_errors = model.transmit_errors = 0
                model.receive_discards = model.transmit_discards = 0
            share = 0.0
            if model.oper_status == 1:
                share = (model.night + (model.peak - model.night) * busy) * rng.lognormvariate(
                    0, 0.2
                )
                if saturated and model.if_index == 1:
                    share = rng.uniform(0.92, 0.995)
                share = min(share, 0.999)
                if rng.random() < 0.02:
                    model.receive_errors += rng.randrange(1, 5)
                if rng.random() < 0.05 + (0.9 if saturated and model.if_index == 1 else 0.0):
                    model.receive_discards += rng.randrange(1, 200)
            receive = share * model.speed / 8
            transmit = min(receive * model.transmit_ratio, 0.999 * model.speed / 8)
            receive_ratio = receive * 8 / model.speed
            transmit_ratio = transmit * 8 / model.speed
            if missing:
                rates: tuple[float | None, ...] = (None, None, None, None)
            else:
                rates = (receive, transmit, receive_ratio, transmit_ratio)
                utilisations.append(max(receive_ratio, transmit_ratio))
            rows.interfaces.append(
                (
                    device.name,
                    started,
                    model.if_index,
                    model.name,
                    model.oper_status,
                    model.speed,
                    *rates,
                    model.receive_errors,
                    model.transmit_errors,
                    model.receive_discards,
                    model.transmit_discards,
                    missing,
                )
            )
        return utilisations

    def _stopped_since(self, previous: float | None, moment: float) -> bool:
        return previous is not None and self.stops.overlaps(previous, moment)

    # The status board ----------------------------------------------------------------

    def _below_limits(self, device: DeviceModel, measurements: Mapping[str, float]) -> bool:
        limits = device.target.settings.degraded
        for name, value in measurements.items():
            limit = getattr(limits, name, None)
            if limit is not None and value > limit:
                return False
        return True

    def _observe(
        self,
        device: DeviceModel,
        at: float,
        source: str,
        success: bool | None,
        reason: str,
        measurements: Mapping[str, float],
        plain: bool,
        rows: HourRows,
    ) -> None:
        """Keep a result as the board would read it, for write_hour to sort and filter."""
        self._sequence += 1
        arguments = (device.name, at, source, success, reason, measurements)
        rows.candidates.append((at, self._sequence, device, arguments, plain))

    def _needs_board(self, device: DeviceModel, source: str, at: float, plain: bool) -> bool:
        """Return whether the board must read this result, which can change the board's state.

        A plain result is the expected outcome with every measurement within
        its limit. Once the board has read enough plain results of each
        probe of a target, one more leaves the target's record as it was, so
        skipping it changes no status and saves about 10 µs. Every other
        result goes to the board, and so does every result in a maintenance
        window. So do the next ``device.feed_after`` plain results of each
        probe after such a result. They are counted in results, not time,
        so that a stop of Pantau cannot skip them. Call it in time order.
        """
        name = device.name
        key = (name, source)
        in_window = bool(device.maintenance) and at in device.maintenance
        if not plain or in_window:
            for probe, count in device.feed_after.items():
                self._plain_left[name, probe] = count
            return True
        left = self._plain_left.get(key, device.feed_after[source])
        if left <= 0:
            return False
        self._plain_left[key] = left - 1
        return True

    def _write(
        self, rows: HourRows, steps: list[tuple[float, int, status.Observation | None]]
    ) -> None:
        connection = self.db.conn
        for table, columns, batch in (
            (RESULTS_TABLE, _RESULT_COLUMNS, rows.results),
            (INTERFACES_TABLE, _INTERFACE_COLUMNS, rows.interfaces),
        ):
            statement = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
            for index in range(0, len(batch), BATCH_ROWS):
                with connection:
                    connection.executemany(statement, batch[index : index + BATCH_ROWS])

        with connection:
            for at, _, observation in steps:
                if observation is None:
                    outcome = self.board.tick(at)
                else:
                    outcome = self.board.observe(observation)
                for transition in outcome.transitions:
                    # Also writes the status_changes row (history.record_status_change).
                    alerting._record_transition(self.db, self.inventory, transition)
                    self.summary.transitions += 1

    # Maintenance ---------------------------------------------------------------------

    def maintain(self, now: float, *, max_rows: int = 0) -> int:
        """Call history.maintain with ``now`` until it reports done; return the number of calls."""
        wall, cpu = time.perf_counter(), time.process_time()
        calls = len(maintain_until_done(self.db, self.inventory, now, max_rows=max_rows))
        self.summary.maintain_calls += calls
        self.summary.maintain_seconds += time.perf_counter() - wall
        self.summary.maintain_cpu_seconds += time.process_time() - cpu
        return calls


def maintain_until_done(
    db: sqlite_utils.Database, inventory: Inventory, now: float, *, max_rows: int = 0
) -> list[Any]:
    """Call history.maintain, one transaction per call, until it reports done; return its reports.

    ``max_rows`` 0 means MAINTAIN_MAX_ROWS, what the daemon's history job passes.
    """
    intervals = {target.name: target.settings.interval for target in inventory.targets}
    probes = {target.name: status.main_probe(target) for target in inventory.targets}
    reports = []
    while True:
        with db.conn:
            report = history.maintain(
                db,
                intervals=intervals,
                zone=ZoneInfo(inventory.daemon.timezone),
                now=now,
                settings=getattr(inventory, "history", HistorySettings()),
                status_probes=probes,
                max_rows=max_rows or MAINTAIN_MAX_ROWS,
            )
        reports.append(report)
        if report.done:
            return reports


def _encode(values: Mapping[str, float]) -> str:
    """Return the text storage.encode_values gives for finite float readings, about 5x faster."""
    return "{" + ",".join(f'"{name}":{value!r}' for name, value in values.items()) + "}"


def _busy_at(moment: float, utc_offset: float) -> float:
    local = moment + utc_offset
    weekday = int((local // DAY + 3) % 7)  # 1970-01-01 was a Thursday
    return busy_share((local % DAY) / HOUR, weekday)


# Whole periods -------------------------------------------------------------------------


def create_database(path: Path) -> sqlite_utils.Database:
    """Create the database with the daemon's schema and return a writing connection to it."""
    storage = Storage(path)
    storage.open()
    storage.close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    # NORMAL, not the daemon's FULL: a simulation that crashes is run again,
    # and the file layout and size do not depend on this setting.
    connection.execute("PRAGMA synchronous=NORMAL")
    return sqlite_utils.Database(connection, recursive_triggers=False, execute_plugins=False)


def simulate(
    path: Path,
    inventory: Inventory,
    start: float,
    end: float,
    settings: SimulationSettings | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    deadline: float | None = None,
) -> SimulationSummary:
    """Fill a new database at ``path`` with the history of [start, end) and roll it up.

    ``deadline`` (time.monotonic() seconds) stops the simulation after the
    hour in progress; the summary's ``end`` is then the end of the last hour written.
    """
    clock = time.perf_counter()
    db = create_database(path)
    try:
        simulation = Simulation(db, inventory, start, end, settings)
        hour = math.floor(start / HOUR) * HOUR
        next_maintain = hour + simulation.settings.maintain_every
        last_day = None
        while hour < end:
            simulation.write_hour(hour)
            hour += HOUR
            if simulation.settings.maintain and hour >= next_maintain:
                simulation.maintain(min(hour, end))
                next_maintain = hour + simulation.settings.maintain_every
            day = datetime.fromtimestamp(hour, simulation.zone).date()
            if progress is not None and day != last_day:
                last_day = day
                progress(_progress_line(simulation, hour, clock))
            if deadline is not None and time.monotonic() > deadline and hour < end:
                simulation.summary.end = end = hour
        if simulation.settings.maintain:
            # The daemon rolls an hour up once its last result can no longer
            # change (history.maintain's grace): settle the last hour too.
            simulation.maintain(end + settle_seconds(inventory))
        simulation.summary.seconds = time.perf_counter() - clock
        return simulation.summary
    finally:
        db.close()


def settle_seconds(inventory: Inventory) -> float:
    """Return seconds after an hour's end by which maintain rolls that hour up."""
    longest = max((target.settings.interval for target in inventory.targets), default=0.0)
    return history.COVERAGE_FACTOR * longest + history.ROLLUP_DELAY + 1.0


def _progress_line(simulation: Simulation, hour: float, clock: float) -> str:
    done = (hour - simulation.start) / (simulation.end - simulation.start)
    day = datetime.fromtimestamp(hour, simulation.zone).date().isoformat()
    summary = simulation.summary
    return (
        f"{day}: {done:6.1%} done, {summary.results:,} results, "
        f"{summary.interface_rows:,} interface rows, {time.perf_counter() - clock:,.0f} s"
    )


def database_bytes(path: Path) -> int:
    """Return page_count × page_size of the database at ``path`` plus the size of its WAL file."""
    connection = sqlite3.connect(path)
    try:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    finally:
        connection.close()
    wal = Path(f"{path}-wal")
    return pages * page_size + (wal.stat().st_size if wal.exists() else 0)


# Rollups for the rest of a year ---------------------------------------------------------

ROLLUP_TABLES = ("history_hourly", "interface_hourly", "history_daily", "interface_daily")
# Columns that extend_rollups scales by a random factor near 1.
_SCALED_COLUMNS = frozenset(
    {"cpu_sum", "memory_sum", "disk_sum", "receive_sum", "transmit_sum"}
    | {"receive_max", "transmit_max"}
)


def extend_rollups(
    db: sqlite_utils.Database,
    *,
    source: Mapping[str, tuple[list[str], list[tuple[Any, ...]]]],
    target: tuple[float, float],
    zone: ZoneInfo,
    seed: int = 1,
) -> dict[str, int]:
    """Write rollup rows for [target) made from real rollup rows, varied at random.

    ``source`` maps each table of ROLLUP_TABLES to its column names and
    rows, as :func:`_take_rollups` returns them. Each hour of ``target``
    copies the rows of a random source hour at the same local hour of a
    day of the same kind (working day or weekend), and each day those of a
    source day of the same kind. Every copy gets fresh variation: RTT and
    utilisation histograms shift by a random step, and traffic, CPU,
    memory and disk readings scale by a random factor near 1. Seconds per
    status, sample counts and reboots are copied. Returns the rows written
    per table. Rows are inserted directly, oldest first, so maintain never
    recomputes these hours (no raw data exists for them).
    """
    rng = random.Random(f"{seed}:extend")
    written: dict[str, int] = {}
    for table in ROLLUP_TABLES:
        daily = table.endswith("_daily")
        columns, rows = source[table]
        by_key: dict[tuple[int, ...], dict[int, list[tuple[Any, ...]]]] = {}
        for row in rows:
            start = row[columns.index("start")]
            by_key.setdefault(_slot_key(start, zone, daily), {}).setdefault(start, []).append(row)
        statement = (
            f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        count = 0
        moment = _first_boundary(target[0], zone, daily)
        batch: list[tuple[Any, ...]] = []
        while moment < target[1]:
            sources = by_key.get(_slot_key(moment, zone, daily))
            if sources:
                chosen = sources[rng.choice(sorted(sources))]
                batch.extend(_varied(row, columns, int(moment), rng) for row in chosen)
            moment = _next_midnight(moment, zone) if daily else moment + HOUR
            if len(batch) >= 5000:
                with db.conn:
                    db.conn.executemany(statement, batch)
                count += len(batch)
                batch = []
        with db.conn:
            db.conn.executemany(statement, batch)
        written[table] = count + len(batch)
    return written


def _take_rollups(db: sqlite_utils.Database) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Delete every rollup row and return the rows of each table, oldest first."""
    rows_by_table = {}
    with db.conn:
        for table in ROLLUP_TABLES:
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()]
            rows = db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY start").fetchall()
            db.execute(f"DELETE FROM {table}")
            rows_by_table[table] = (columns, rows)
    return rows_by_table


def _put_rollups(
    db: sqlite_utils.Database, rows_by_table: Mapping[str, tuple[list[str], list[tuple[Any, ...]]]]
) -> None:
    """Insert again the rows that :func:`_take_rollups` returned."""
    with db.conn:
        for table, (columns, rows) in rows_by_table.items():
            db.conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})",
                rows,
            )


def _slot_key(start: float, zone: ZoneInfo, daily: bool) -> tuple[int, ...]:
    local = datetime.fromtimestamp(start, zone)
    workday = int(local.weekday() < 5)
    return (workday,) if daily else (workday, local.hour)


def _first_boundary(moment: float, zone: ZoneInfo, daily: bool) -> float:
    if not daily:
        return math.ceil(moment / HOUR) * HOUR
    local = datetime.fromtimestamp(moment, zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone).timestamp()
    return midnight if midnight >= moment else _next_midnight(midnight, zone)


def _next_midnight(moment: float, zone: ZoneInfo) -> float:
    day = datetime.fromtimestamp(moment, zone).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()


def _varied(
    row: tuple[Any, ...], columns: list[str], start: int, rng: random.Random
) -> tuple[Any, ...]:
    factor = rng.lognormvariate(0, 0.1)
    shift = rng.choice((-2, -1, 0, 0, 1, 2))
    values = []
    for name, value in zip(columns, row, strict=True):
        if name == "start":
            value = start
        elif value is None or (isinstance(value, str) and not name.endswith("_hist")):
            pass
        elif name == "rtt_hist":
            value = _shift_histogram(value, shift)
        elif name == "utilisation_hist":
            value = _scale_histogram(value, factor)
        elif name in ("cpu_max", "memory_max", "disk_max", "utilisation_max"):
            value = min(value * factor, 1.0)
        elif name in _SCALED_COLUMNS:
            value = value * factor
        values.append(value)
    return tuple(values)


def _shift_histogram(text: str, shift: int) -> str:
    """Move every RTT bucket of a stored histogram by ``shift`` buckets, none below 0."""
    shifted: dict[int, int] = {}
    for index, count in history.Histogram.parse(text, history.RTT).counts.items():
        moved = max(0, index + shift)
        shifted[moved] = shifted.get(moved, 0) + count
    return history.Histogram(shifted, history.RTT).format()


def _scale_histogram(text: str, factor: float) -> str:
    """Scale the utilisation of every bucket of a stored histogram by ``factor``."""
    scaled: dict[int, int] = {}
    for index, count in history.Histogram.parse(text, history.UTILISATION).counts.items():
        moved = min(history.UTILISATION_TOP_BUCKET, max(0, int((index + 0.5) * factor)))
        scaled[moved] = scaled.get(moved, 0) + count
    return history.Histogram(scaled, history.UTILISATION).format()


def copy_event_rows(
    db: sqlite_utils.Database, *, source: tuple[float, float], target: tuple[float, float]
) -> dict[str, int]:
    """Copy incidents and status changes of [source) into [target), shifted by whole source spans.

    Inserted directly, oldest first, so each target's status changes keep
    rising ``since`` values. Returns the rows written per table.
    """
    span = source[1] - source[0]
    written = {"incidents": 0, "status_changes": 0}
    incidents = db.execute(
        'SELECT target, network, group_name, status, cause, start, "end", children, values_json '
        'FROM incidents WHERE start >= ? AND start < ? AND "end" IS NOT NULL',
        source,
    ).fetchall()
    changes = db.execute(
        "SELECT target, since, at, status, reason FROM status_changes"
        " WHERE since >= ? AND since < ?",
        source,
    ).fetchall()
    first_copy = math.ceil((source[0] - target[0]) / span)
    with db.conn:
        for copy in range(first_copy, 0, -1):
            shift = -copy * span
            for row in incidents:
                if target[0] <= row[5] + shift < target[1]:
                    db.execute(
                        "INSERT INTO incidents (target, network, group_name, status, cause,"
                        ' start, "end", children, values_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                        (*row[:5], row[5] + shift, row[6] + shift, *row[7:]),
                    )
                    written["incidents"] += 1
            for row in changes:
                if target[0] <= row[1] + shift < target[1]:
                    db.execute(
                        "INSERT INTO status_changes (target, since, at, status, reason) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (row[0], row[1] + shift, row[2] + shift, row[3], row[4]),
                    )
                    written["status_changes"] += 1
    return written


@dataclass
class YearEstimate:
    """What :func:`estimate_history` built, and how long it took."""

    history_start: float  # first rollup hour (local month start)
    raw_start: float  # first simulated raw result
    now: float
    summary: SimulationSummary
    rollup_rows: dict[str, int]
    event_rows: dict[str, int]
    hourly_rows_before_cut: int  # hourly rows older than the retention cut, before the last pass
    seconds: float


def estimate_history(
    path: Path,
    inventory: Inventory,
    *,
    now: float,
    months: int = 14,
    history_start: float | None = None,
    settings: SimulationSettings | None = None,
    progress: Callable[[str], None] | None = None,
) -> YearEstimate:
    """Build ``months`` local months of history up to ``now`` without rolling up every hour.

    ``history_start`` (unix seconds), when given, replaces the start of the
    first of those months.

    The last raw_days + 1 days run fully through the real path
    (:func:`simulate`: raw rows, maintain after every hour, packing). The
    months before them get the hourly and daily rows that the real rollup
    made of those days, copied with fresh random variation
    (:func:`extend_rollups`), and their incidents and status changes
    (:func:`copy_event_rows`). A last maintain at ``now`` applies retention.
    """
    clock = time.perf_counter()
    zone = ZoneInfo(inventory.daemon.timezone)
    retention = getattr(inventory, "history", HistorySettings())
    seed = (settings or SimulationSettings()).seed
    raw_start = now - (retention.raw_days + 1) * DAY
    if history_start is None:
        history_start = float(history.month_start(now, zone, months))
    summary = simulate(path, inventory, raw_start, now, settings, progress=progress)

    db = sqlite_utils.Database(sqlite3.connect(path))
    try:
        db.conn.execute("PRAGMA synchronous=NORMAL")
        source, target = (raw_start, now), (history_start, raw_start)
        # The daemon writes rollups oldest first. Lift the simulated days'
        # rows out, write the older months, then put those rows back, so
        # that every table and index grows in time order as in the daemon.
        simulated = _take_rollups(db)
        rollup_rows = extend_rollups(db, source=simulated, target=target, zone=zone, seed=seed)
        _put_rollups(db, simulated)
        event_rows = copy_event_rows(db, source=source, target=target)
        cut = history.retention_cuts(now, zone, retention).hourly
        before_cut = db.execute(
            "SELECT COUNT(*) FROM history_hourly WHERE start < ?", (cut,)
        ).fetchone()[0]
        maintain_until_done(db, inventory, now + settle_seconds(inventory))
    finally:
        db.close()
    return YearEstimate(
        history_start=history_start,
        raw_start=raw_start,
        now=now,
        summary=summary,
        rollup_rows=rollup_rows,
        event_rows=event_rows,
        hourly_rows_before_cut=before_cut,
        seconds=time.perf_counter() - clock,
    )


def table_bytes(path: Path) -> dict[str, int]:
    """Return the bytes of each table and index of the database, from SQLite's dbstat table."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
    finally:
        connection.close()
    return {name: size for name, size in rows}


# Command line --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator from the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.history_sim",
        description="Fill a new Pantau database with a simulated month of history.",
    )
    parser.add_argument("-c", "--config", type=Path, required=True, help="configuration file")
    parser.add_argument("--month", required=True, help="local month to simulate, YYYY-MM")
    parser.add_argument("-o", "--output", type=Path, required=True, help="database file to create")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--force", action="store_true", help="replace an existing output file")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)

    inventory = load_inventory(args.config)
    zone = ZoneInfo(inventory.daemon.timezone)
    try:
        start, end = month_bounds(args.month, zone)
    except ValueError:
        parser.error(f"invalid --month {args.month!r}: expected YYYY-MM, for example 2026-11")
    if args.output.exists():
        if not args.force:
            parser.error(f"{args.output} exists; choose another file or add --force")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.output}{suffix}").unlink(missing_ok=True)

    summary = simulate(
        args.output,
        inventory,
        start,
        end,
        SimulationSettings(seed=args.seed),
        progress=None if args.quiet else print,
    )
    print(
        json.dumps(
            {
                "database": str(args.output),
                "bytes": database_bytes(args.output),
                "results": summary.results,
                "interface_rows": summary.interface_rows,
                "status_changes": summary.transitions,
                "seconds": round(summary.seconds, 1),
                "roles": dataclasses.asdict(summary.roles),
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
