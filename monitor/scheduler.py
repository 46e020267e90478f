"""APScheduler wiring: which probe runs when, and what happens to its result."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor import config, service_checks
from monitor.config import Credential, Inventory, Target
from monitor.snapshot import MetricsStore
from probes import base, icmp, snmp

log = logging.getLogger(__name__)

# Share of the interval a run may take before it is cut off; the rest keeps
# one run from overlapping the next.
RUN_TIMEOUT_SHARE = 0.9
# Time a probe may need beyond its burst: name resolution and bookkeeping.
RUN_TIMEOUT_MARGIN = 2.0
# Seconds after a start or reload within which every target runs once.
FIRST_RUN_WINDOW = 2.0

ResultSink = Callable[[base.ProbeResult], None]
PROBE_KINDS = ("icmp", "snmp", *service_checks.SERVICE_PROBES)


def icmp_request(target: Target) -> icmp.IcmpRequest:
    """Build the ICMP probe request for one configured target."""
    settings = target.settings
    return icmp.IcmpRequest(
        target=target.name,
        address=target.address,
        family=settings.family,
        count=settings.icmp.count,
        packet_interval=settings.icmp.packet_interval,
        timeout=settings.timeout,
        payload_size=settings.icmp.payload_size,
    )


def snmp_request(target: Target, credential: Credential) -> snmp.SnmpRequest:
    """Build the SNMP poll request of one configured target and its credential."""
    settings = target.snmp
    assert settings is not None

    def secret(value: config.Secret | None) -> str | None:
        return value.reveal() if value is not None and value.is_set else None

    return snmp.SnmpRequest(
        target=target.name,
        address=target.address,
        port=settings.port,
        version=credential.version,
        community=secret(credential.community),
        user=credential.username,
        security_level=credential.security_level or "noAuthNoPriv",
        auth_protocol=credential.auth_protocol,
        auth_key=secret(credential.auth_key),
        priv_protocol=credential.priv_protocol,
        priv_key=secret(credential.priv_key),
        timeout=settings.timeout,
        retries=settings.retries,
        max_repetitions=settings.max_repetitions,
        use_getnext=settings.use_getnext,
        profiles=settings.profiles,
        custom=tuple(
            snmp.CustomOid(custom.name, custom.oid, custom.kind, custom.index_label)
            for custom in settings.custom
        ),
        interface_include=settings.interfaces.include,
        interface_exclude=settings.interfaces.exclude,
        interface_types=settings.interfaces.types,
        max_rows=settings.max_rows,
        max_requests=settings.max_requests,
        charset=settings.charset,
    )


def run_timeout(target: Target) -> float:
    """Return the time after which one ICMP run of ``target`` is cut off."""
    settings = target.settings
    burst = (settings.icmp.count - 1) * settings.icmp.packet_interval + settings.timeout
    return min(settings.interval * RUN_TIMEOUT_SHARE, burst + RUN_TIMEOUT_MARGIN)


def service_run_timeout(target: Target, kind: str) -> float:
    """Return the time after which one service check of ``target`` is cut off.

    The check keeps its own deadline; the margin covers a resolver that
    hangs past it.
    """
    limit = service_checks.check_timeout(target, kind) + RUN_TIMEOUT_MARGIN
    return min(target.settings.interval * RUN_TIMEOUT_SHARE, limit)


class ProbeScheduler:
    """Run each target's probes at its interval, spread over the interval."""

    def __init__(
        self,
        store: MetricsStore,
        pinger: icmp.Pinger,
        sink: ResultSink,
        *,
        snmp_client: snmp.SnmpClient | None = None,
        extra_jobs: Callable[[AsyncIOScheduler, Inventory], None] | None = None,
    ) -> None:
        self._store = store
        self._pinger = pinger
        self._snmp_client = snmp_client
        self._sink = sink
        self._extra_jobs = extra_jobs
        self._inventory: Inventory | None = None
        self._scheduler = AsyncIOScheduler(
            event_loop=asyncio.get_running_loop(),
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._scheduler.add_listener(self._on_submitted, EVENT_JOB_SUBMITTED)
        self._scheduler.add_listener(self._on_skipped, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)

    def start(self, inventory: Inventory) -> None:
        self.apply(inventory)
        if self._extra_jobs is not None:
            self._extra_jobs(self._scheduler, inventory)
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def apply(self, inventory: Inventory) -> None:
        """Replace every probe job with the jobs of ``inventory``.

        The extra jobs (the host probe) are added once by ``start`` and keep
        running across reloads.
        """
        self._inventory = inventory
        for job in self._scheduler.get_jobs():
            if _is_probe_job(job.id):
                job.remove()

        now = datetime.now(UTC)
        for kind in PROBE_KINDS:
            by_interval: dict[float, list[Target]] = defaultdict(list)
            for target in inventory.targets:
                if kind in target.probes and not target.placeholder:
                    by_interval[target.settings.interval].append(target)
            for interval, targets in by_interval.items():
                self._add_jobs(kind, interval, sorted(targets, key=lambda t: t.name), now)
        jobs = [job for job in self._scheduler.get_jobs() if _is_probe_job(job.id)]
        log.info("scheduled %s probe jobs", len(jobs))

    def _add_jobs(self, kind: str, interval: float, targets: list[Target], now: datetime) -> None:
        # Spread the runs evenly over one interval: no burst at :00.
        step = interval / len(targets)
        # A target whose slot is later than FIRST_RUN_WINDOW also gets a
        # one-off first run inside that window, so that a fresh start or
        # reload shows every target within seconds.
        first_step = min(interval, FIRST_RUN_WINDOW) / len(targets)
        for position, target in enumerate(targets):
            offset = now + timedelta(seconds=position * step)
            self._scheduler.add_job(
                self._run,
                IntervalTrigger(seconds=interval, start_date=offset),
                args=[kind, target.name],
                id=f"{kind}:{target.name}",
                name=f"{kind} {target.name}",
                # Late by more than half an interval: skip to the next slot.
                misfire_grace_time=max(1, int(interval / 2)),
                next_run_time=offset,
            )
            if position * step > FIRST_RUN_WINDOW:
                self._scheduler.add_job(
                    self._run,
                    DateTrigger(now + timedelta(seconds=position * first_step)),
                    args=[kind, target.name],
                    id=f"{kind}-first:{target.name}",
                    name=f"{kind} first run {target.name}",
                )

    async def _run(self, kind: str, name: str) -> None:
        inventory = self._inventory
        if inventory is None:
            return
        try:
            target = inventory.target(name)
        except KeyError:
            return  # removed by a reload while this run waited
        if kind == "icmp":
            probe = icmp.probe(icmp_request(target), self._pinger)
            limit = run_timeout(target)
        elif kind == "snmp":
            probe = self._poll_snmp(inventory, target)
            limit = target.settings.interval * RUN_TIMEOUT_SHARE
        else:
            probe = service_checks.run_check(target, kind)
            limit = service_run_timeout(target, kind)
        try:
            result = await run_probe(target, kind, probe, limit, self._store)
        except asyncio.CancelledError:
            # The daemon is stopping: the run ends without a result, and
            # APScheduler would log the cancellation as a job error.
            log.debug("probe run cancelled by shutdown: target=%s probe=%s", name, kind)
            return
        self._sink(result)

    async def _poll_snmp(self, inventory: Inventory, target: Target) -> base.ProbeResult:
        assert self._snmp_client is not None and target.snmp is not None
        credential = inventory.credentials[target.snmp.credential]
        return await self._snmp_client.poll(snmp_request(target, credential))

    def _on_submitted(self, event: JobSubmissionEvent) -> None:
        if event.scheduled_run_times:
            lag = datetime.now(UTC) - max(event.scheduled_run_times)
            self._store.observe_lag(max(0.0, lag.total_seconds()))

    def _on_skipped(self, event: JobEvent) -> None:
        reason = "missed" if event.code == EVENT_JOB_MISSED else "max_instances"
        self._store.count_skipped_run(reason)
        log.warning("probe run skipped: job=%s reason=%s", event.job_id, reason)


def _is_probe_job(job_id: str) -> bool:
    """Return whether the job probes targets (``icmp:name``, ``snmp-first:name``)."""
    return job_id.split(":", 1)[0].removesuffix("-first") in PROBE_KINDS


async def run_probe(
    target: Target,
    kind: str,
    probe: Coroutine[object, object, base.ProbeResult],
    limit: float,
    store: MetricsStore,
) -> base.ProbeResult:
    """Await one probe run of ``target`` under its run timeout.

    A timeout or a probe bug becomes a failed result. Only cancellation (the
    daemon stopping) propagates.
    """
    started = time.time()
    start = time.monotonic()
    try:
        return await asyncio.wait_for(probe, limit)
    except TimeoutError:
        health = store.health()
        store.update_health(probe_timeouts=health.probe_timeouts + 1)
        log.warning("probe timed out: target=%s probe=%s timeout=%.1fs", target.name, kind, limit)
        reason, message = base.PROBE_TIMEOUT, f"run cut off after {limit:.1f} s"
    except Exception as error:  # a probe bug must not stop the other targets
        log.exception("probe failed: target=%s probe=%s error=%s", target.name, kind, error)
        reason, message = base.INTERNAL_ERROR, repr(error)
    return base.ProbeResult(
        target=target.name,
        probe=kind,
        success=False,
        reason=reason,
        started=started,
        duration=time.monotonic() - start,
        message=message,
    )
