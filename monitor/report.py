"""Monthly readiness report per agency (OPD), built from the history rollups.

``build_report`` reads the history through the read API of monitor/history.py
and returns a :class:`Report`. The report has one section per group of the
networks that are neither executive nor server, one section for the
executive networks together, and one for the server networks (one per group
when there are several). Each section carries its figures, a verdict and
the reasons for it. ``render_text``, ``render_csv`` and ``render_html``
write the report in Indonesian or English.

Figures of a section pool its targets, as the history counts them:

- availability = (up + degraded) ÷ (observed − maintenance − unreachable)
  over every second of the section's targets, None when that denominator is
  zero (everything unknown, in maintenance or unreachable);
- coverage = observed seconds ÷ (period × number of targets), so a target
  without rows counts as unknown for the whole period;
- incidents are the down incidents clipped to the period. MTTR is the mean
  clipped duration of those that ended inside it;
- RTT and utilisation percentiles come from merged histograms, and loss is
  1 − Σreceived ÷ Σsent;
- each service check (tcp, http, tls, dns) of a server is judged on its own:
  service availability = succeeded ÷ run over the checks started outside
  maintenance, response time p95 from its histogram, and the days its
  earliest certificate still has at the end of the period.

Targets with a documentation (placeholder) address are counted but left out
of every figure, because they are never probed. Isolation checks (targets
with ``expect = "unreachable"``) are left out of the figures too and listed
in the executive section, whatever their network.

Verdicts come from the thresholds of ``[report]``. A value past a
``*_limit`` or ``*_minimum`` threshold, or an isolation breach, gives "not
ready". Otherwise a value past a ``*_ready`` threshold gives "needs
improvement". Data coverage under ``coverage_minimum`` makes a section at
best "needs improvement", because a verdict of "ready" needs the data to
show it. A value exactly at a threshold passes.

Example of the Indonesian text output (shortened)::

    Laporan kesiapan infrastruktur · November 2026
    Periode: 1–30 November 2026 (WIB)
    Data sampai: 30 November 2026 23.00 WIB
    Dibuat: 5 Desember 2026 08.58 WIB

    OPD / jaringan  Ketersediaan  Penilaian
    Bappeda              99,87 %  Siap
    BPBD                 96,78 %  Belum Siap
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Final, cast
from zoneinfo import ZoneInfo

import sqlite_utils
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from monitor import history, i18n
from monitor.alerts.render import duration_words
from monitor.config import Inventory, ReportSettings, Target

__all__ = [
    "EXECUTIVE",
    "NEEDS_IMPROVEMENT",
    "NOT_READY",
    "OPD",
    "READY",
    "SERVER",
    "Finding",
    "IsolationCheck",
    "Report",
    "Section",
    "SectionPlan",
    "ServiceCheck",
    "Uplink",
    "build_report",
    "judge",
    "plan_sections",
    "render_csv",
    "render_html",
    "render_text",
    "verdict_of",
]

# Verdicts, best first.
READY: Final = "ready"
NEEDS_IMPROVEMENT: Final = "needs_improvement"
NOT_READY: Final = "not_ready"
_VERDICT_RANK: Final = {READY: 0, NEEDS_IMPROVEMENT: 1, NOT_READY: 2}

# Kinds of section.
OPD: Final = "opd"
EXECUTIVE: Final = "executive"
SERVER: Final = "server"

_STATES: Final = ("up", "degraded", "down", "unreachable", "maintenance", "unknown")
_LOCALES: Final = {"id": "id_ID", "en": "en_US"}


# The report model ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason behind a verdict: a value past a threshold, or a fact such as a breach.

    ``key`` selects the sentence in the monitor.i18n catalogue, and
    ``metric`` names the figure it is about, as in the CSV. ``subject``
    names the target or interface when the figure belongs to one.
    """

    verdict: str
    metric: str
    key: str
    value: float | None = None
    threshold: float | None = None
    subject: str = ""
    at: float | None = None
    probe: str = ""


@dataclass(frozen=True, slots=True)
class Uplink:
    """Utilisation of the uplink of one target, or of its busiest interface (``busiest``)."""

    target: str
    if_index: int | None
    if_name: str
    busiest: bool
    utilisation_p95: float | None
    utilisation_max: float | None
    daily_p95: tuple[float | None, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceCheck:
    """One service check of one server over the period.

    ``reasons`` are the most frequent failure reasons with their counts.
    ``cert_expiry`` is the earliest certificate notAfter seen (unix seconds)
    and ``cert_days_left`` the days from the end of the period to it,
    negative once it has passed.
    """

    target: str
    probe: str
    runs: int
    successes: int
    maintenance_runs: int
    availability: float | None
    response_median: float | None
    response_p95: float | None
    reasons: tuple[tuple[str, int], ...]
    cert_expiry: float | None
    cert_days_left: float | None

    @property
    def subject(self) -> str:
        return f"{self.target} · {self.probe}"


@dataclass(frozen=True, slots=True)
class IsolationCheck:
    """An address that must stay silent: seconds it replied, and when it first did."""

    target: str
    group: str
    breached_seconds: float
    breaches: int
    first_breach: float | None
    observed_seconds: float

    @property
    def breached(self) -> bool:
        return self.breaches > 0 or self.breached_seconds > 0


@dataclass(frozen=True, slots=True)
class DailyPoint:
    """Pooled figures of a section over one local day."""

    start: float
    availability: float | None
    rtt_median: float | None
    rtt_p95: float | None
    uplink_p95: float | None


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the report: an OPD, the executive networks, or the servers.

    Durations are seconds, ratios are 0..1, RTT is seconds. ``name`` is the
    group, or "" for the executive section and a single server section.
    ``headroom`` maps "cpu", "memory" and "disk" to (1 − the maximum of the
    period, target with that maximum), for server sections only.
    """

    kind: str
    name: str
    targets: tuple[str, ...]
    unconfigured: int
    period_seconds: float
    seconds: Mapping[str, float]
    availability: float | None
    coverage: float | None
    incidents: int
    downtime: float
    longest_downtime: float | None
    mttr: float | None
    rtt_median: float | None
    rtt_p95: float | None
    loss: float | None
    uplinks: tuple[Uplink, ...]
    headroom: Mapping[str, tuple[float, str]]
    reboots: int
    isolation: tuple[IsolationCheck, ...]
    daily: tuple[DailyPoint, ...]
    verdict: str
    findings: tuple[Finding, ...]
    services: tuple[ServiceCheck, ...] = ()

    @property
    def uplink_p95(self) -> float | None:
        """Highest p95 utilisation among the section's uplinks."""
        return _max_or_none(uplink.utilisation_p95 for uplink in self.uplinks)

    @property
    def uplink_peak(self) -> float | None:
        """Highest utilisation of any sample among the section's uplinks."""
        return _max_or_none(uplink.utilisation_max for uplink in self.uplinks)


@dataclass(frozen=True, slots=True)
class Report:
    """The readiness report of one period [start, end), in unix seconds.

    ``measured_end`` is where the figures stop: ``end``, or the start of the
    current hour when the period has not ended yet. ``rolled_until`` is the
    end of the last hour rolled up ("data up to"), None without history.
    """

    start: float
    end: float
    measured_end: float
    now: float
    timezone: str
    rolled_until: float | None
    settings: ReportSettings
    sections: tuple[Section, ...]
    days: tuple[float, ...] = field(default=())


# Building -----------------------------------------------------------------------------


@dataclass(slots=True)
class SectionPlan:
    """Targets of one section before any figure: counted, not yet configured, isolation checks."""

    kind: str
    name: str
    targets: list[Target]
    unconfigured: int = 0
    isolation: list[Target] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _History:
    """Everything read from the database for one report."""

    periods: Mapping[str, history.TargetPeriod]
    daily: Mapping[str, Sequence[history.TargetPeriod]]
    interfaces: Mapping[tuple[str, int], history.InterfacePeriod]
    daily_interfaces: Mapping[tuple[str, int], Sequence[history.InterfacePeriod]]
    incidents: Sequence[history.IncidentPart]
    services: Mapping[tuple[str, str], history.ServicePeriod] = field(default_factory=dict)


def build_report(
    inventory: Inventory,
    connection: sqlite_utils.Database | sqlite3.Connection,
    start: float,
    end: float,
    now: float,
) -> Report:
    """Build the readiness report of [start, end) from the history in ``connection``.

    ``connection`` is a read-only connection (monitor.storage.connect_readonly).
    Raises ValueError when ``end`` is not after ``start``.
    """
    if end <= start:
        raise ValueError(f"the report period must end after it starts: {start} >= {end}")
    zone = ZoneInfo(inventory.daemon.timezone)
    settings = inventory.report
    measured_end = max(start, min(end, _hour_floor(now, zone)))
    days = tuple(_day_starts(start, measured_end, zone))

    if measured_end > start:
        # The read API returns one period per key, or a list of days with by_day.
        data = _History(
            periods=cast(
                Mapping[str, history.TargetPeriod],
                history.target_periods(connection, start, measured_end, zone),
            ),
            daily=cast(
                Mapping[str, Sequence[history.TargetPeriod]],
                history.target_periods(connection, start, measured_end, zone, by_day=True),
            ),
            interfaces=cast(
                Mapping[tuple[str, int], history.InterfacePeriod],
                history.interface_periods(connection, start, measured_end, zone),
            ),
            daily_interfaces=cast(
                Mapping[tuple[str, int], Sequence[history.InterfacePeriod]],
                history.interface_periods(connection, start, measured_end, zone, by_day=True),
            ),
            incidents=history.incidents(connection, start, measured_end, now),
            services=cast(
                Mapping[tuple[str, str], history.ServicePeriod],
                history.service_periods(connection, start, measured_end, zone),
            ),
        )
    else:
        data = _History({}, {}, {}, {}, ())

    sections = tuple(
        _build_section(plan, data, settings, measured_end - start, days, end)
        for plan in plan_sections(inventory.targets, settings)
    )
    return Report(
        start=start,
        end=end,
        measured_end=measured_end,
        now=now,
        timezone=inventory.daemon.timezone,
        rolled_until=history.rolled_until(connection),
        settings=settings,
        sections=sections,
        days=days,
    )


def plan_sections(targets: Iterable[Target], settings: ReportSettings) -> list[SectionPlan]:
    """Split the targets into sections: OPDs by group, then executive, then servers."""
    opds: dict[str, SectionPlan] = {}
    servers: dict[str, SectionPlan] = {}
    executive = SectionPlan(EXECUTIVE, "", [])
    for target in targets:
        if target.network in settings.executive_networks:
            plan = executive
        elif target.network in settings.server_networks:
            plan = servers.setdefault(target.group, SectionPlan(SERVER, target.group, []))
        else:
            plan = opds.setdefault(target.group, SectionPlan(OPD, target.group, []))
        if target.expect == "unreachable":
            # An isolation check guards the executive network, whatever its own network.
            plan = executive
        if target.placeholder:
            plan.unconfigured += 1
        elif target.expect == "unreachable":
            executive.isolation.append(target)
        else:
            plan.targets.append(target)

    plans = [opds[name] for name in sorted(opds, key=str.casefold)]
    if executive.targets or executive.isolation or executive.unconfigured:
        plans.append(executive)
    server_plans = [servers[name] for name in sorted(servers, key=str.casefold)]
    if len(server_plans) == 1:
        server_plans[0].name = ""
    plans.extend(server_plans)
    # A group made only of isolation checks has nothing to report on its own.
    return [plan for plan in plans if plan.targets or plan.unconfigured or plan.isolation]


def _build_section(
    plan: SectionPlan,
    data: _History,
    settings: ReportSettings,
    length: float,
    days: Sequence[float],
    end: float,
) -> Section:
    names = [target.name for target in plan.targets]
    periods = [data.periods[name] for name in names if name in data.periods]
    seconds = _pool_seconds(periods)
    period_seconds = length * len(names)
    # Seconds with no row at all are unknown too.
    seconds["unknown"] += max(0.0, period_seconds - sum(seconds.values()))
    observed = period_seconds - seconds["unknown"]
    coverage = observed / period_seconds if period_seconds > 0 else None

    chosen = set(names)
    down_parts = [p for p in data.incidents if p.status == "down" and p.target in chosen]
    durations = [p.end - p.start for p in down_parts]
    ended = [p.end - p.start for p in down_parts if p.ended]

    sent = sum(p.sent for p in periods)
    received = sum(p.received for p in periods)
    rtt = _merge(p.rtt for p in periods)
    uplinks = tuple(
        uplink for target in plan.targets if (uplink := _uplink(target, data, days)) is not None
    )
    headroom = _headroom(periods) if plan.kind == SERVER else {}
    isolation = tuple(_isolation_check(target, data) for target in plan.isolation)

    section = Section(
        kind=plan.kind,
        name=plan.name,
        targets=tuple(names),
        unconfigured=plan.unconfigured,
        period_seconds=period_seconds,
        seconds=seconds,
        availability=_availability(seconds),
        coverage=coverage,
        incidents=len(down_parts),
        downtime=seconds["down"],
        longest_downtime=max(durations) if durations else None,
        mttr=sum(ended) / len(ended) if ended else None,
        rtt_median=rtt.quantile(0.5),
        rtt_p95=rtt.quantile(0.95),
        loss=1 - received / sent if sent else None,
        uplinks=uplinks,
        headroom=headroom,
        reboots=sum(p.reboots for p in periods),
        isolation=isolation,
        daily=_daily_points(names, data, uplinks, days),
        verdict=READY,
        findings=(),
        services=_service_checks(plan, data, end) if plan.kind == SERVER else (),
    )
    findings = judge(section, settings)
    return _with_verdict(section, findings)


def _with_verdict(section: Section, findings: Sequence[Finding]) -> Section:
    return replace(section, verdict=verdict_of(findings), findings=tuple(findings))


def verdict_of(findings: Iterable[Finding]) -> str:
    """Return the worst verdict among ``findings``, READY when there are none."""
    return max((f.verdict for f in findings), key=_VERDICT_RANK.__getitem__, default=READY)


def _pool_seconds(periods: Iterable[history.TargetPeriod]) -> dict[str, float]:
    pooled = dict.fromkeys(_STATES, 0.0)
    for period in periods:
        for state in _STATES:
            pooled[state] += float(period.seconds.get(state, 0.0))
    return pooled


def _availability(seconds: Mapping[str, float]) -> float | None:
    """Return (up + degraded) ÷ (up + degraded + down), or None when that is 0 ÷ 0."""
    answering = seconds["up"] + seconds["degraded"]
    responsible = answering + seconds["down"]
    return answering / responsible if responsible > 0 else None


def _merge(histograms: Iterable[history.Histogram]) -> history.Histogram:
    counts: dict[int, int] = {}
    for histogram in histograms:
        for index, count in histogram.counts.items():
            counts[index] = counts.get(index, 0) + count
    return history.Histogram(counts=counts)


def _uplink(target: Target, data: _History, days: Sequence[float]) -> Uplink | None:
    """Pick the configured uplink of ``target``, else its busiest interface."""
    if target.snmp is None:
        return None
    interfaces = [period for key, period in data.interfaces.items() if key[0] == target.name]
    configured = target.snmp.uplink
    if configured is not None:
        found = [period for period in interfaces if period.if_name == configured]
        if not found:
            return Uplink(target.name, None, configured, False, None, None)
        # After a reboot an agent may number the same interface anew: take the
        # index with the most samples.
        chosen = max(found, key=lambda period: period.samples)
    elif interfaces:
        chosen = max(interfaces, key=_busyness)
    else:
        return None

    by_day = {
        _day_key(period.start): period.utilisation_p95
        for period in data.daily_interfaces.get((target.name, chosen.if_index), ())
    }
    return Uplink(
        target=target.name,
        if_index=chosen.if_index,
        if_name=chosen.if_name,
        busiest=configured is None,
        utilisation_p95=chosen.utilisation_p95,
        utilisation_max=chosen.utilisation_max,
        daily_p95=tuple(by_day.get(_day_key(day)) for day in days),
    )


def _busyness(period: history.InterfacePeriod) -> tuple[float, float, float]:
    traffic = (period.receive_mean or 0.0) + (period.transmit_mean or 0.0)
    p95 = period.utilisation_p95
    peak = period.utilisation_max
    return (-1.0 if p95 is None else p95, -1.0 if peak is None else peak, traffic)


# Failure reasons listed per service check.
_WORST_REASONS: Final = 3


def _service_checks(plan: SectionPlan, data: _History, end: float) -> tuple[ServiceCheck, ...]:
    """Return the service checks of a server section: configured ones, and any with data."""
    checks = []
    for target in plan.targets:
        for probe in history.SERVICE_PROBES:
            period = data.services.get((target.name, probe))
            if period is None and probe not in target.probes:
                continue
            checks.append(_service_check(target.name, probe, period, end))
    return tuple(checks)


def _service_check(
    target: str, probe: str, period: history.ServicePeriod | None, end: float
) -> ServiceCheck:
    if period is None:
        return ServiceCheck(target, probe, 0, 0, 0, None, None, None, (), None, None)
    expiry = period.cert_expiry
    return ServiceCheck(
        target=target,
        probe=probe,
        runs=period.runs,
        successes=period.successes,
        maintenance_runs=period.maintenance_runs,
        availability=period.availability,
        response_median=period.response_median,
        response_p95=period.response_p95,
        reasons=tuple(period.worst_reasons(_WORST_REASONS)),
        cert_expiry=expiry,
        cert_days_left=None if expiry is None else (expiry - end) / 86400,
    )


def _headroom(periods: Sequence[history.TargetPeriod]) -> dict[str, tuple[float, str]]:
    found: dict[str, tuple[float, str]] = {}
    for resource in ("cpu", "memory", "disk"):
        peaks = [
            (value, period.target)
            for period in periods
            if (value := getattr(period, f"{resource}_max")) is not None
        ]
        if peaks:
            peak, target = max(peaks)
            found[resource] = (1.0 - peak, target)
    return found


def _isolation_check(target: Target, data: _History) -> IsolationCheck:
    period = data.periods.get(target.name)
    parts = [p for p in data.incidents if p.target == target.name and p.status == "down"]
    seconds = dict(period.seconds) if period is not None else {}
    observed = sum(float(seconds.get(state, 0.0)) for state in _STATES if state != "unknown")
    return IsolationCheck(
        target=target.name,
        group=target.group,
        breached_seconds=float(seconds.get("down", 0.0)),
        breaches=len(parts),
        first_breach=min((p.start for p in parts), default=None),
        observed_seconds=observed,
    )


def _daily_points(
    names: Sequence[str], data: _History, uplinks: Sequence[Uplink], days: Sequence[float]
) -> tuple[DailyPoint, ...]:
    by_day: dict[int, list[history.TargetPeriod]] = {}
    for name in names:
        for period in data.daily.get(name, ()):
            by_day.setdefault(_day_key(period.start), []).append(period)

    points = []
    for index, day in enumerate(days):
        periods = by_day.get(_day_key(day), [])
        rtt = _merge(p.rtt for p in periods)
        uplink_values = [u.daily_p95[index] for u in uplinks if index < len(u.daily_p95)]
        points.append(
            DailyPoint(
                start=day,
                availability=_availability(_pool_seconds(periods)),
                rtt_median=rtt.quantile(0.5),
                rtt_p95=rtt.quantile(0.95),
                uplink_p95=_max_or_none(uplink_values),
            )
        )
    return tuple(points)


# Verdicts -----------------------------------------------------------------------------


def judge(section: Section, settings: ReportSettings) -> list[Finding]:
    """Return every finding of ``section`` against the thresholds, in reading order."""
    findings: list[Finding] = []

    coverage = section.coverage or 0.0
    if section.targets and coverage < settings.coverage_minimum:
        findings.append(
            Finding(
                NEEDS_IMPROVEMENT,
                "coverage",
                "report.reason.coverage",
                coverage,
                settings.coverage_minimum,
            )
        )
    findings += _below(
        "availability",
        section.availability,
        settings.availability_minimum,
        settings.availability_ready,
    )
    findings += _above("rtt_p95", section.rtt_p95, settings.rtt_p95_limit, settings.rtt_p95_ready)
    findings += _above("loss", section.loss, settings.loss_limit, settings.loss_ready)
    for uplink in section.uplinks:
        subject = f"{uplink.target} · {uplink.if_name}"
        findings += _above(
            "uplink_p95",
            uplink.utilisation_p95,
            settings.uplink_limit,
            settings.uplink_ready,
            subject,
        )
    for resource, (headroom, target) in section.headroom.items():
        findings += _below(
            f"{resource}_headroom",
            headroom,
            settings.headroom_limit,
            settings.headroom_ready,
            target,
        )
    for service in section.services:
        findings += _service_findings(service, settings)
    for check in section.isolation:
        if check.breached:
            findings.append(
                Finding(
                    NOT_READY,
                    "isolation",
                    "report.reason.isolation_breached",
                    check.breached_seconds,
                    subject=check.target,
                    at=check.first_breach,
                )
            )
        elif check.observed_seconds <= 0:
            findings.append(
                Finding(
                    NEEDS_IMPROVEMENT,
                    "isolation",
                    "report.reason.isolation_no_data",
                    subject=check.target,
                )
            )
    return findings


def _service_findings(service: ServiceCheck, settings: ReportSettings) -> list[Finding]:
    """Judge one service check: availability, response time p95 and certificate expiry."""
    found = _below(
        "service_availability",
        service.availability,
        settings.availability_minimum,
        settings.availability_ready,
        service.target,
    )
    found += _above(
        "response_p95",
        service.response_p95,
        settings.response_p95_limit,
        settings.response_p95_ready,
        service.target,
    )
    findings = [replace(finding, probe=service.probe) for finding in found]
    days = service.cert_days_left
    if days is not None and days < settings.cert_days_minimum:
        key = "report.reason.cert_expired" if days <= 0 else "report.reason.cert_days_minimum"
        findings.append(
            Finding(
                NOT_READY,
                "cert_days_left",
                key,
                days,
                float(settings.cert_days_minimum),
                service.target,
                at=service.cert_expiry,
                probe=service.probe,
            )
        )
    return findings


def _below(
    metric: str, value: float | None, minimum: float, ready: float, subject: str = ""
) -> list[Finding]:
    if value is None:
        return []
    if value < minimum:
        key = f"report.reason.{metric}_minimum"
        return [Finding(NOT_READY, metric, key, value, minimum, subject)]
    if value < ready:
        key = f"report.reason.{metric}_ready"
        return [Finding(NEEDS_IMPROVEMENT, metric, key, value, ready, subject)]
    return []


def _above(
    metric: str, value: float | None, limit: float, ready: float, subject: str = ""
) -> list[Finding]:
    if value is None:
        return []
    if value > limit:
        key = f"report.reason.{metric}_limit"
        return [Finding(NOT_READY, metric, key, value, limit, subject)]
    if value > ready:
        key = f"report.reason.{metric}_ready"
        return [Finding(NEEDS_IMPROVEMENT, metric, key, value, ready, subject)]
    return []


# Time helpers -------------------------------------------------------------------------


def _hour_floor(moment: float, zone: ZoneInfo) -> float:
    local = datetime.fromtimestamp(moment, zone)
    return local.replace(minute=0, second=0, microsecond=0).timestamp()


def _day_starts(start: float, end: float, zone: ZoneInfo) -> Iterable[float]:
    """Return the start of every local day that overlaps [start, end)."""
    day = datetime.fromtimestamp(start, zone).date()
    while True:
        moment = datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()
        if moment >= end:
            return
        yield max(moment, start)
        day += timedelta(days=1)


def _day_key(moment: float) -> int:
    return round(moment)


def _max_or_none(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return max(present) if present else None


def month_bounds(year: int, month: int, zone: ZoneInfo) -> tuple[float, float]:
    """Return [start, end) of a local month in unix seconds."""
    start = datetime(year, month, 1, tzinfo=zone)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start.timestamp(), following.timestamp()


# Formatting ---------------------------------------------------------------------------


class _Format:
    """Numbers, times and sentences of one language and time zone."""

    def __init__(self, language: str, timezone: str) -> None:
        self.language = language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
        self.locale = _LOCALES[self.language]
        self.zone = ZoneInfo(timezone)

    def text(self, key: str, /, **params: object) -> str:
        return i18n.translate(key, self.language, **params)

    def number(self, value: float, digits: int = 2) -> str:
        pattern = "#,##0." + "#" * digits if digits else "#,##0"
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, ratio: float | None, *, unlike: float | None = None) -> str:
        """Write a ratio as "99,95 %", with enough digits to differ from ``unlike`` if given."""
        if ratio is None:
            return self.text("report.no_data")
        digits = 2
        shown = self.number(ratio * 100, digits)
        while unlike is not None and digits < 4 and shown == self.number(unlike * 100, digits):
            digits += 1
            shown = self.number(ratio * 100, digits)
        return f"{shown} %"

    def milliseconds(self, seconds: float | None) -> str:
        if seconds is None:
            return self.text("report.no_data")
        return f"{self.number(seconds * 1000, 1)} ms"

    def duration(self, seconds: float | None) -> str:
        """Write a duration with its two largest units: "2 jam 5 menit"."""
        if seconds is None:
            return "-"
        return duration_words(round(seconds), self.locale)

    def moment(self, at: float) -> str:
        """Write a time as "1 Desember 2026 00.00 WIB" in the configured zone."""
        local = datetime.fromtimestamp(at, self.zone)
        clock = format_skeleton("Hm", local, locale=self.locale)
        return f"{format_date(local, 'long', locale=self.locale)} {clock} {local.tzname()}"

    def date(self, at: float) -> str:
        """Write a local date as "12 Des 2026" (Babel's medium format)."""
        return format_date(datetime.fromtimestamp(at, self.zone), "medium", locale=self.locale)

    def days(self, days: float) -> str:
        """Write whole days, rounded down: "9 hari"."""
        count = math.floor(days)
        key = "report.unit.day" if count == 1 else "report.unit.days"
        return self.text(key, count=self.number(count, 0))

    def response(self, seconds: float | None) -> str:
        """Write a response time: "850 ms" under a second, "2,4 s" from one second on."""
        if seconds is None:
            return self.text("report.no_data")
        if seconds < 1.0:
            return f"{self.number(seconds * 1000, 0)} ms"
        return f"{self.number(seconds, 1)} s"

    def reason(self, reason: str) -> str:
        """Write a probe's reason code in words when the catalogue has it, else the code."""
        key = f"reason.{reason}"
        return self.text(key) if key in i18n.catalogue() else reason

    def day(self, at: float) -> str:
        local = datetime.fromtimestamp(at, self.zone)
        return format_skeleton("MMMd", local, locale=self.locale)

    def title_period(self, start: float, end: float) -> str:
        """Write "November 2026" for a whole local month, else the dates."""
        first = datetime.fromtimestamp(start, self.zone)
        if first.day == 1 and first.hour == 0 and first.minute == 0:
            month_end = month_bounds(first.year, first.month, self.zone)[1]
            if math.isclose(month_end, end):
                return format_skeleton("yMMMM", first, locale=self.locale)
        return self.dates(start, end)

    def dates(self, start: float, end: float) -> str:
        """Write [start, end) as inclusive local dates: "1–30 November 2026"."""
        first = datetime.fromtimestamp(start, self.zone).date()
        last = (datetime.fromtimestamp(end, self.zone) - timedelta(microseconds=1)).date()
        return self._date_range(first, max(first, last))

    def _date_range(self, first: date, last: date) -> str:
        if first == last:
            return format_date(first, "long", locale=self.locale)
        if (first.year, first.month) == (last.year, last.month):
            month = format_skeleton("yMMMM", first, locale=self.locale)
            if self.language == "en":
                name = format_date(first, "MMMM", locale=self.locale)
                return f"{name} {first.day}–{last.day}, {first.year}"
            return f"{first.day}–{last.day} {month}"
        first_text = format_date(first, "long", locale=self.locale)
        last_text = format_date(last, "long", locale=self.locale)
        return f"{first_text} – {last_text}"

    def zone_name(self, at: float) -> str:
        return datetime.fromtimestamp(at, self.zone).tzname() or str(self.zone)

    def verdict(self, verdict: str) -> str:
        return self.text(f"report.verdict.{verdict}")

    def section_title(self, section: Section) -> str:
        if section.kind == EXECUTIVE:
            return self.text("report.section.executive")
        if section.kind == SERVER:
            if section.name:
                return self.text("report.section.server_group", group=section.name)
            return self.text("report.section.server")
        return section.name

    def kind(self, kind: str) -> str:
        return self.text(f"report.kind.{kind}")

    def finding(self, finding: Finding) -> str:
        """Write a finding as a sentence with its value and threshold."""
        value = self._figure(finding.metric, finding.value, finding.threshold)
        threshold = self._figure(finding.metric, finding.threshold, None)
        sentence = self.text(
            finding.key,
            value=value,
            threshold=threshold,
            duration=self.duration(finding.value),
            time=self.moment(finding.at) if finding.at is not None else "-",
            date=self.date(finding.at) if finding.at is not None else "-",
            subject=finding.subject,
            probe=finding.probe,
        )
        if finding.subject and finding.metric not in ("isolation",):
            sentence += f" ({finding.subject})"
        return sentence

    def _figure(self, metric: str, value: float | None, unlike: float | None) -> str:
        if value is None:
            return "-"
        if metric == "rtt_p95":
            return self.milliseconds(value)
        if metric == "isolation":
            return self.duration(value)
        if metric == "response_p95":
            return self.response(value)
        if metric == "cert_days_left":
            return self.days(value)
        return self.percent(value, unlike=unlike)


# Figures of a section, shared by the text, CSV and HTML renderers --------------------


@dataclass(frozen=True, slots=True)
class _Figure:
    metric: str
    label_key: str
    text: str
    value: float | None
    unit: str


def _figures(section: Section, form: _Format) -> list[_Figure]:
    """Return the figures of a section in display order, with their CSV values and units."""

    def percent(metric: str, ratio: float | None) -> _Figure:
        value = None if ratio is None else ratio * 100
        return _Figure(metric, f"report.metric.{metric}", form.percent(ratio), value, "%")

    def seconds(metric: str, value: float | None) -> _Figure:
        return _Figure(metric, f"report.metric.{metric}", form.duration(value), value, "s")

    def milliseconds(metric: str, value: float | None) -> _Figure:
        shown = None if value is None else value * 1000
        return _Figure(metric, f"report.metric.{metric}", form.milliseconds(value), shown, "ms")

    def count(metric: str, value: int) -> _Figure:
        return _Figure(metric, f"report.metric.{metric}", str(value), float(value), "count")

    figures = [
        count("targets", len(section.targets)),
        percent("coverage", section.coverage),
        percent("availability", section.availability),
        count("incidents", section.incidents),
        seconds("downtime", section.downtime),
        seconds("longest_downtime", section.longest_downtime),
        seconds("mttr", section.mttr),
        seconds("unreachable", section.seconds["unreachable"]),
        seconds("maintenance", section.seconds["maintenance"]),
        seconds("unknown", section.seconds["unknown"]),
        milliseconds("rtt_median", section.rtt_median),
        milliseconds("rtt_p95", section.rtt_p95),
        percent("loss", section.loss),
    ]
    if section.uplinks:
        figures.append(percent("uplink_p95", section.uplink_p95))
        figures.append(percent("uplink_peak", section.uplink_peak))
    if section.kind == SERVER:
        for resource in ("cpu", "memory", "disk"):
            found = section.headroom.get(resource)
            figures.append(percent(f"{resource}_headroom", found[0] if found else None))
    figures.append(count("reboots", section.reboots))
    return figures


def _service_cells(check: ServiceCheck, form: _Format) -> list[tuple[str, str]]:
    """Return the (label key, text) cells of one service check, shared by text and HTML."""
    if check.availability is None:
        availability = form.text("report.no_data")
    else:
        availability = form.text(
            "report.service.runs",
            availability=form.percent(check.availability),
            successes=form.number(check.successes, 0),
            runs=form.number(check.runs, 0),
        )
    if check.maintenance_runs:
        count = form.number(check.maintenance_runs, 0)
        availability += "; " + form.text("report.service.maintenance_runs", count=count)
    if check.reasons:
        failures = ", ".join(
            f"{form.reason(reason)} {form.number(count, 0)}" for reason, count in check.reasons
        )
    else:
        failures = form.text("report.service.no_failures")
    certificate = "-"
    if check.cert_expiry is not None and check.cert_days_left is not None:
        date = form.date(check.cert_expiry)
        if check.cert_days_left <= 0:
            certificate = form.text("report.service.cert_expired", date=date)
        else:
            days = form.days(check.cert_days_left)
            certificate = form.text("report.service.cert_days", date=date, days=days)
    return [
        ("report.service.availability", availability),
        ("report.service.response_median", form.response(check.response_median)),
        ("report.service.response_p95", form.response(check.response_p95)),
        ("report.service.failures", failures),
        ("report.service.certificate", certificate),
    ]


def _metric_verdict(section: Section, metric: str) -> str:
    """Return the worst verdict of the findings about ``metric``.

    That is READY when the metric passed its thresholds, and "" when no
    threshold applies to it.
    """
    judged = {
        "coverage",
        "availability",
        "rtt_p95",
        "loss",
        "uplink_p95",
        "cpu_headroom",
        "memory_headroom",
        "disk_headroom",
    }
    found = [f.verdict for f in section.findings if f.metric == metric]
    if found:
        return max(found, key=_VERDICT_RANK.__getitem__)
    return READY if metric in judged else ""


# Text ---------------------------------------------------------------------------------

# Control characters other than the line feed.
_CONTROL: Final = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


# Widest section name in the summary table; the details show the whole name.
_SUMMARY_NAME_WIDTH: Final = 60


def render_text(report: Report, language: str) -> str:
    """Write the report for a terminal: a summary table, then the details per section."""
    form = _Format(language, report.timezone)
    lines = _heading_lines(report, form)
    lines.append("")

    header = (form.text("report.col.section"), form.text("report.col.availability"))
    rows = [
        (
            _shorten(form.section_title(s), _SUMMARY_NAME_WIDTH),
            form.percent(s.availability),
            form.verdict(s.verdict),
        )
        for s in report.sections
    ]
    width_name = max([len(header[0]), *(len(r[0]) for r in rows)])
    width_value = max([len(header[1]), *(len(r[1]) for r in rows)])
    title = form.text("report.col.verdict")
    lines.append(f"{header[0]:<{width_name}}  {header[1]:>{width_value}}  {title}")
    for name, value, verdict in rows:
        lines.append(f"{name:<{width_name}}  {value:>{width_value}}  {verdict}")
    if not report.sections:
        lines.append(form.text("report.no_targets"))

    for section in report.sections:
        lines.append("")
        lines.extend(_section_lines(section, form))
    # A name from the configuration may hold terminal escape sequences.
    return _CONTROL.sub("\ufffd", "\n".join(lines)) + "\n"


def _heading_lines(report: Report, form: _Format) -> list[str]:
    lines = [
        form.text("report.title", period=form.title_period(report.start, report.end)),
        form.text(
            "report.period",
            dates=form.dates(report.start, report.end),
            zone=form.zone_name(report.start),
        ),
    ]
    if report.rolled_until is None:
        lines.append(form.text("report.data_up_to_none"))
    else:
        lines.append(form.text("report.data_up_to", time=form.moment(report.rolled_until)))
    if report.measured_end < report.end:
        lines.append(form.text("report.partial", time=form.moment(report.measured_end)))
    lines.append(form.text("report.generated", time=form.moment(report.now)))
    return lines


def _section_lines(section: Section, form: _Format) -> list[str]:
    title = _detail_title(section, form)
    lines = [
        f"== {title} ==",
        form.text("report.verdict_line", verdict=form.verdict(section.verdict)),
    ]
    lines.extend(f"  - {form.finding(finding)}" for finding in section.findings)
    if section.unconfigured:
        lines.append(form.text("report.unconfigured", count=section.unconfigured))

    figures = _figures(section, form)
    width = max(len(form.text(f.label_key)) for f in figures)
    for figure in figures:
        lines.append(f"{form.text(figure.label_key):<{width}}  {figure.text}")

    for uplink in section.uplinks:
        lines.append(_uplink_line(uplink, form))
    for check in section.isolation:
        lines.append(_isolation_line(check, form))
    if section.services:
        lines.append(form.text("report.services"))
    for service in section.services:
        lines.append(f"  {service.subject}")
        cells = _service_cells(service, form)
        label_width = max(len(form.text(key)) for key, _ in cells)
        lines.extend(f"    {form.text(key):<{label_width}}  {text}" for key, text in cells)
    return lines


def _detail_title(section: Section, form: _Format) -> str:
    """Return the heading of a section's details, with the kind for an OPD only.

    The titles of the other sections already name their kind.
    """
    title = form.section_title(section)
    return f"{title} ({form.kind(section.kind)})" if section.kind == OPD else title


def _uplink_line(uplink: Uplink, form: _Format) -> str:
    key = "report.uplink.busiest" if uplink.busiest else "report.uplink.configured"
    if uplink.if_index is None:
        key = "report.uplink.missing"
    return form.text(
        key,
        target=uplink.target,
        interface=uplink.if_name,
        p95=form.percent(uplink.utilisation_p95),
        peak=form.percent(uplink.utilisation_max),
    )


def _isolation_line(check: IsolationCheck, form: _Format) -> str:
    if check.breached:
        return form.text(
            "report.isolation.breached",
            target=check.target,
            duration=form.duration(check.breached_seconds),
            time=form.moment(check.first_breach) if check.first_breach is not None else "-",
        )
    if check.observed_seconds <= 0:
        return form.text("report.isolation.no_data", target=check.target)
    return form.text("report.isolation.held", target=check.target)


# CSV ----------------------------------------------------------------------------------

# Byte order mark, so that Excel opens the file as UTF-8.
_BOM: Final = "\ufeff"
# First characters that make a spreadsheet read a cell as a formula.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def render_csv(report: Report, language: str) -> str:
    """Write one CSV row per section and metric, for Excel in the language's locale.

    Indonesian uses ";" between fields and a decimal comma, English "," and
    a decimal point. The text starts with a byte order mark. Metric names and
    units are fixed identifiers in both languages; the section kind, verdict
    and reason are translated. Period start and end are local ISO 8601 times,
    the end excluded.
    """
    form = _Format(language, report.timezone)
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=";" if form.language == "id" else ",", lineterminator="\r\n"
    )
    writer.writerow(
        [
            form.text(f"report.csv.{column}")
            for column in (
                "start",
                "end",
                "section",
                "kind",
                "metric",
                "value",
                "unit",
                "verdict",
                "reason",
            )
        ]
    )
    start = datetime.fromtimestamp(report.start, form.zone).isoformat()
    end = datetime.fromtimestamp(report.end, form.zone).isoformat()
    for section in report.sections:
        prefix = [start, end, _cell(form.section_title(section)), form.kind(section.kind)]
        for figure in _figures(section, form):
            verdict = _metric_verdict(section, figure.metric)
            reasons = [form.finding(f) for f in section.findings if f.metric == figure.metric]
            writer.writerow(
                [
                    *prefix,
                    figure.metric,
                    _csv_number(figure.value, form.language),
                    figure.unit,
                    form.verdict(verdict) if verdict else "",
                    _cell("; ".join(reasons)),
                ]
            )
        for check in section.isolation:
            verdict = NOT_READY if check.breached else READY
            if not check.breached and check.observed_seconds <= 0:
                verdict = NEEDS_IMPROVEMENT
            writer.writerow(
                [
                    *prefix,
                    "isolation_breached",
                    _csv_number(check.breached_seconds, form.language),
                    "s",
                    form.verdict(verdict),
                    _cell(_isolation_line(check, form)),
                ]
            )
        for service in section.services:
            _service_csv_rows(writer, service, section, form, [start, end])
        writer.writerow(
            [
                *prefix,
                "verdict",
                "",
                "",
                form.verdict(section.verdict),
                _cell("; ".join(form.finding(f) for f in section.findings)),
            ]
        )
    return _BOM + buffer.getvalue()


def _service_csv_rows(
    writer: Any, service: ServiceCheck, section: Section, form: _Format, period: list[str]
) -> None:
    """Write the rows of one service check; the section cell also names the check."""
    title = f"{form.section_title(section)} · {service.subject}"
    prefix = [*period, _cell(title), form.kind(section.kind)]
    availability = None if service.availability is None else service.availability * 100
    median = None if service.response_median is None else service.response_median * 1000
    p95 = None if service.response_p95 is None else service.response_p95 * 1000
    rows: list[tuple[str, float | str | None, str]] = [
        ("service_runs", float(service.runs), "count"),
        ("service_successes", float(service.successes), "count"),
        ("service_maintenance_runs", float(service.maintenance_runs), "count"),
        ("service_availability", availability, "%"),
        ("response_median", median, "ms"),
        ("response_p95", p95, "ms"),
    ]
    rows += [(f"failures.{reason}", float(count), "count") for reason, count in service.reasons]
    if service.cert_expiry is not None:
        expiry = datetime.fromtimestamp(service.cert_expiry, form.zone).date().isoformat()
        rows.append(("cert_expiry", expiry, "date"))
        rows.append(("cert_days_left", service.cert_days_left, "d"))
    judged = {"service_availability", "response_p95", "cert_days_left"}
    for metric, value, unit in rows:
        findings = [
            f
            for f in section.findings
            if f.metric == metric and f.subject == service.target and f.probe == service.probe
        ]
        verdict = ""
        if metric in judged:
            verdict = verdict_of(findings)
        shown = value if isinstance(value, str) else _csv_number(value, form.language)
        writer.writerow(
            [
                *prefix,
                metric,
                shown,
                unit,
                form.verdict(verdict) if verdict else "",
                _cell("; ".join(form.finding(f) for f in findings)),
            ]
        )


def _cell(text: str) -> str:
    """Prefix a text cell that a spreadsheet would read as a formula with an apostrophe."""
    risky = text.startswith(_FORMULA_START) or (text != "" and not text[0].isprintable())
    return "'" + text if risky else text


def _csv_number(value: float | None, language: str) -> str:
    """Write a number without grouping and with up to six decimals, as Excel reads it."""
    if value is None:
        return ""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", ",") if language == "id" else text


# HTML ---------------------------------------------------------------------------------

_COLOURS: Final = {
    READY: "#2e7d32",
    NEEDS_IMPROVEMENT: "#e07000",
    NOT_READY: "#c62828",
    "": "#9e9e9e",
}
# Width of every chart's coordinate system; the SVG scales to the page width.
_CHART_WIDTH: Final = 640
# Nothing loads from anywhere: no script, font, image or style from outside
# the page. Inline SVG is part of the document, so it needs no source.
_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
_STYLE: Final = """
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt;
       color: #212121; margin: 0 auto; max-width: 180mm; padding: 4mm; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1mm; break-after: avoid; }
p { margin: 1mm 0; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 2mm 0; }
th, td { border-bottom: 1px solid #ccc; padding: 1mm 1.5mm; text-align: left;
         vertical-align: top; overflow-wrap: anywhere; }
td.number, th.number { text-align: right; }
tr, li, figure { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
figure { margin: 2mm 0; }
figcaption { font-size: 9pt; color: #555; }
svg { display: block; width: 100%; height: auto; max-width: 100%; }
.verdict { font-weight: bold; padding: 0 1.5mm; border-radius: 1mm; color: #fff; }
.ready { background: #2e7d32; }
.needs_improvement { background: #e07000; }
.not_ready { background: #c62828; }
ul.findings { margin: 1mm 0 2mm; padding-left: 5mm; }
section.detail { break-before: auto; }
.meta { color: #444; }
table.services { font-size: 9pt; }
caption { text-align: left; font-weight: bold; padding: 1mm 0; }
"""


def render_html(report: Report, language: str) -> str:
    """Write the report as one self-contained A4 page with inline CSS and SVG charts."""
    form = _Format(language, report.timezone)
    title = form.text("report.title", period=form.title_period(report.start, report.end))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{form.language}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_escape(title)}</h1>",
    ]
    parts += [f'<p class="meta">{_escape(line)}</p>' for line in _heading_lines(report, form)[1:]]
    parts += _summary_html(report, form)
    for section in report.sections:
        parts += _section_html(report, section, form)
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _summary_html(report: Report, form: _Format) -> list[str]:
    parts = [
        f"<h2>{_escape(form.text('report.summary'))}</h2>",
        "<table>",
        "<thead><tr>"
        f"<th>{_escape(form.text('report.col.section'))}</th>"
        f'<th class="number">{_escape(form.text("report.col.availability"))}</th>'
        f"<th>{_escape(form.text('report.col.verdict'))}</th>"
        "</tr></thead>",
        "<tbody>",
    ]
    for section in report.sections:
        parts.append(
            "<tr>"
            f"<td>{_escape(form.section_title(section))}</td>"
            f'<td class="number">{_escape(form.percent(section.availability))}</td>'
            f'<td><span class="verdict {section.verdict}">'
            f"{_escape(form.verdict(section.verdict))}</span></td>"
            "</tr>"
        )
    parts += ["</tbody>", "</table>"]
    if report.sections:
        caption = form.text(
            "report.chart.availability",
            ready=form.percent(report.settings.availability_ready),
            minimum=form.percent(report.settings.availability_minimum),
        )
        parts += [
            "<figure>",
            _availability_bars(report, form),
            f"<figcaption>{_escape(caption)}</figcaption>",
            "</figure>",
        ]
    return parts


def _section_html(report: Report, section: Section, form: _Format) -> list[str]:
    title = _detail_title(section, form)
    parts = [
        '<section class="detail">',
        f"<h2>{_escape(title)}</h2>",
        f'<p><span class="verdict {section.verdict}">{_escape(form.verdict(section.verdict))}'
        "</span></p>",
    ]
    if section.findings:
        parts.append('<ul class="findings">')
        parts += [f"<li>{_escape(form.finding(f))}</li>" for f in section.findings]
        parts.append("</ul>")
    if section.unconfigured:
        parts.append(
            f"<p>{_escape(form.text('report.unconfigured', count=section.unconfigured))}</p>"
        )

    parts.append("<table><tbody>")
    for figure in _figures(section, form):
        parts.append(
            f"<tr><th>{_escape(form.text(figure.label_key))}</th>"
            f'<td class="number">{_escape(figure.text)}</td></tr>'
        )
    parts.append("</tbody></table>")
    if section.uplinks:
        parts.append(f"<h3>{_escape(form.text('report.uplinks'))}</h3><ul>")
        parts += [f"<li>{_escape(_uplink_line(u, form))}</li>" for u in section.uplinks]
        parts.append("</ul>")
    if section.isolation:
        parts.append(f"<h3>{_escape(form.text('report.isolation'))}</h3><ul>")
        parts += [f"<li>{_escape(_isolation_line(c, form))}</li>" for c in section.isolation]
        parts.append("</ul>")
    if section.services:
        parts += _services_html(section, form)
    if section.targets and report.days:
        parts += _daily_html(report, section, form)
    parts.append("</section>")
    return parts


def _services_html(section: Section, form: _Format) -> list[str]:
    """Write one small table per server with a row per service check."""
    parts = [f"<h3>{_escape(form.text('report.services'))}</h3>"]
    by_target: dict[str, list[ServiceCheck]] = {}
    for service in section.services:
        by_target.setdefault(service.target, []).append(service)
    for target, services in by_target.items():
        cells = [_service_cells(service, form) for service in services]
        header = "".join(
            f"<th>{_escape(form.text(key))}</th>"
            for key in ("report.service.check", *(key for key, _ in cells[0]))
        )
        parts += [
            '<table class="services">',
            f"<caption>{_escape(target)}</caption>",
            f"<thead><tr>{header}</tr></thead>",
            "<tbody>",
        ]
        for service, row in zip(services, cells, strict=True):
            verdict = verdict_of(
                f for f in section.findings if f.subject == target and f.probe == service.probe
            )
            parts.append(
                f'<tr><td><span class="verdict {verdict}">{_escape(service.probe)}</span></td>'
                + "".join(f"<td>{_escape(text)}</td>" for _, text in row)
                + "</tr>"
            )
        parts += ["</tbody>", "</table>"]
    return parts


def _daily_html(report: Report, section: Section, form: _Format) -> list[str]:
    settings = report.settings
    charts = [
        (
            _daily_availability(report, section, form),
            form.text(
                "report.chart.daily_availability",
                ready=form.percent(settings.availability_ready),
            ),
        ),
        (
            _daily_lines(
                section,
                form,
                [
                    ("rtt_median", [p.rtt_median for p in section.daily], "#1565c0"),
                    ("rtt_p95", [p.rtt_p95 for p in section.daily], "#6a1b9a"),
                ],
                [settings.rtt_p95_ready, settings.rtt_p95_limit],
                form.milliseconds,
            ),
            form.text(
                "report.chart.daily_rtt",
                ready=form.milliseconds(settings.rtt_p95_ready),
                limit=form.milliseconds(settings.rtt_p95_limit),
            ),
        ),
    ]
    if section.uplinks:
        charts.append(
            (
                _daily_lines(
                    section,
                    form,
                    [("uplink_p95", [p.uplink_p95 for p in section.daily], "#00838f")],
                    [settings.uplink_ready, settings.uplink_limit],
                    form.percent,
                    top=1.0,
                ),
                form.text(
                    "report.chart.daily_uplink",
                    ready=form.percent(settings.uplink_ready),
                    limit=form.percent(settings.uplink_limit),
                ),
            )
        )
    parts = []
    for svg, caption in charts:
        parts += ["<figure>", svg, f"<figcaption>{_escape(caption)}</figcaption>", "</figure>"]
    return parts


def _svg(height: float, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_CHART_WIDTH} {height:.0f}" '
        f'role="img" aria-label="{_escape(label)}">' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="#212121">{_escape(content)}</text>'
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _availability_floor(values: Iterable[float | None], minimum: float) -> float:
    """Return the left or bottom end of an availability axis: a whole percent under the data."""
    present = [value for value in values if value is not None]
    lowest = min([minimum, *present]) - 0.01
    return max(0.0, math.floor(lowest * 100) / 100)


def _availability_bars(report: Report, form: _Format) -> str:
    """Draw one horizontal bar per section with the ready and minimum lines."""
    settings = report.settings
    label_width, right = 210.0, 70.0
    row = 18.0
    top = 8.0
    height = top + row * len(report.sections) + 24
    floor = _availability_floor(
        (s.availability for s in report.sections), settings.availability_minimum
    )
    span = _CHART_WIDTH - label_width - right

    def x(ratio: float) -> float:
        return label_width + span * (min(1.0, max(floor, ratio)) - floor) / (1.0 - floor)

    body = []
    for index, section in enumerate(report.sections):
        y = top + index * row
        name = form.section_title(section)
        body.append(
            f"<g><title>{_escape(name)}</title>"
            + _text(label_width - 6, y + 12, _shorten(name, 32), anchor="end")
            + "</g>"
        )
        if section.availability is None:
            body.append(_text(label_width + 4, y + 12, form.text("report.no_data")))
            continue
        end = x(section.availability)
        colour = _COLOURS[section.verdict]
        body.append(
            f'<rect x="{label_width:.1f}" y="{y + 3:.1f}" '
            f'width="{max(1.0, end - label_width):.1f}" height="{row - 6:.1f}" fill="{colour}"/>'
        )
        body.append(_text(end + 4, y + 12, form.percent(section.availability), size=10))

    bottom = top + row * len(report.sections)
    for ratio, dash in ((settings.availability_ready, ""), (settings.availability_minimum, "4 3")):
        position = x(ratio)
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<line x1="{position:.1f}" y1="{top:.1f}" x2="{position:.1f}" y2="{bottom:.1f}" '
            f'stroke="#212121" stroke-width="1.2"{dashes}/>'
        )
    body.append(_text(label_width, bottom + 16, form.percent(floor), size=10))
    body.append(_text(label_width + span, bottom + 16, form.percent(1.0), anchor="end", size=10))
    return _svg(height, body, form.text("report.chart.availability_label"))


def _day_axis(section: Section, form: _Format, left: float, width: float, y: float) -> list[str]:
    """Label the first, middle and last day under a daily chart."""
    count = len(section.daily)
    if not count:
        return []
    step = width / count
    chosen = sorted({0, count // 2, count - 1})
    return [
        _text(
            left + step * (index + 0.5),
            y,
            form.day(section.daily[index].start),
            anchor="middle",
            size=10,
        )
        for index in chosen
    ]


def _daily_availability(report: Report, section: Section, form: _Format) -> str:
    """Draw one bar per day of the section's availability, with the ready line."""
    settings = report.settings
    left, right, top, plot = 60.0, 10.0, 8.0, 110.0
    width = _CHART_WIDTH - left - right
    floor = _availability_floor(
        (p.availability for p in section.daily), settings.availability_minimum
    )
    count = max(1, len(section.daily))
    step = width / count

    def y(ratio: float) -> float:
        return top + plot * (1 - (min(1.0, max(floor, ratio)) - floor) / (1.0 - floor))

    body = []
    for index, point in enumerate(section.daily):
        if point.availability is None:
            continue
        colour = _COLOURS[_judge_value(point.availability, settings)]
        bar_top = y(point.availability)
        body.append(
            f'<rect x="{left + step * index + 1:.1f}" y="{bar_top:.1f}" '
            f'width="{max(1.0, step - 2):.1f}" height="{max(0.5, top + plot - bar_top):.1f}" '
            f'fill="{colour}"><title>{_escape(form.day(point.start))}: '
            f"{_escape(form.percent(point.availability))}</title></rect>"
        )
    ready = y(settings.availability_ready)
    body.append(
        f'<line x1="{left:.1f}" y1="{ready:.1f}" x2="{left + width:.1f}" y2="{ready:.1f}" '
        'stroke="#212121" stroke-width="1.2"/>'
    )
    body.append(_text(left - 4, top + 8, form.percent(1.0), anchor="end", size=10))
    body.append(_text(left - 4, top + plot, form.percent(floor), anchor="end", size=10))
    body += _day_axis(section, form, left, width, top + plot + 14)
    return _svg(top + plot + 22, body, form.text("report.chart.daily_availability_label"))


def _judge_value(availability: float, settings: ReportSettings) -> str:
    if availability < settings.availability_minimum:
        return NOT_READY
    if availability < settings.availability_ready:
        return NEEDS_IMPROVEMENT
    return READY


def _daily_lines(
    section: Section,
    form: _Format,
    series: Sequence[tuple[str, Sequence[float | None], str]],
    thresholds: Sequence[float],
    label: Callable[[float], str],
    *,
    top: float | None = None,
) -> str:
    """Draw daily values as lines with gaps where a day has no data, and threshold lines."""
    # The legend sits in the top margin, above the plot.
    left, right, margin, plot = 60.0, 10.0, 20.0, 110.0
    width = _CHART_WIDTH - left - right
    values = [v for _, points, _ in series for v in points if v is not None]
    # The data sets the scale: a threshold far above it would flatten the lines,
    # and the caption states the thresholds anyway.
    if top is not None:
        ceiling = top
    elif values and max(values) > 0:
        ceiling = max(values) * 1.15
    else:
        ceiling = thresholds[0]
    count = max(1, len(section.daily))
    step = width / count

    def y(value: float) -> float:
        return margin + plot * (1 - min(value, ceiling) / ceiling)

    body = []
    for threshold in thresholds:
        if threshold <= ceiling:
            body.append(
                f'<line x1="{left:.1f}" y1="{y(threshold):.1f}" x2="{left + width:.1f}" '
                f'y2="{y(threshold):.1f}" stroke="#888" stroke-width="1" stroke-dasharray="4 3"/>'
            )
    legend_x = left + 6
    for metric, points, colour in series:
        for run in _runs(points):
            coordinates = " ".join(
                f"{left + step * (index + 0.5):.1f},{y(value):.1f}" for index, value in run
            )
            if len(run) == 1:
                index, value = run[0]
                body.append(
                    f'<circle cx="{left + step * (index + 0.5):.1f}" cy="{y(value):.1f}" r="2" '
                    f'fill="{colour}"/>'
                )
            else:
                body.append(
                    f'<polyline points="{coordinates}" fill="none" stroke="{colour}" '
                    'stroke-width="1.6"/>'
                )
        name = form.text(f"report.metric.{metric}")
        body.append(f'<rect x="{legend_x:.1f}" y="5" width="10" height="3" fill="{colour}"/>')
        body.append(_text(legend_x + 14, 10, name, size=10))
        legend_x += 14 + 7 * len(name) + 16
    body.append(_text(left - 4, margin + 8, label(ceiling), anchor="end", size=10))
    body.append(_text(left - 4, margin + plot, label(0.0), anchor="end", size=10))
    body += _day_axis(section, form, left, width, margin + plot + 14)
    caption = form.text(f"report.metric.{series[0][0]}")
    return _svg(margin + plot + 22, body, caption)


def _runs(points: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Split a series at its missing days into runs of (day index, value)."""
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for index, value in enumerate(points):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((index, value))
    if current:
        runs.append(current)
    return runs
