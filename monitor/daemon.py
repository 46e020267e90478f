"""The daemon's life: start, reload on SIGHUP, flush and exit on SIGTERM."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import signal
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from prometheus_client.core import Metric

from monitor import config, sd_notify
from monitor.alerting import Alerting, load_saved_states, queue_daily_summary
from monitor.exporter import (
    MetricsServer,
    build_registry,
    heartbeat_checker,
    notification_families,
    storage_families,
)
from monitor.history_job import HISTORY_INTERVAL, HistoryKeeper
from monitor.host_metrics import host_metric_families
from monitor.i18n import translate
from monitor.scheduler import ProbeScheduler
from monitor.snapshot import MetricsStore
from monitor.snmp_view import interface_records
from monitor.state import DEGRADED, DOWN, UNREACHABLE, UP
from monitor.storage import Storage, StorageError
from probes import base, host, icmp, snmp

if TYPE_CHECKING:
    from monitor.alerts.sender import Sender

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 1.0
# /healthz fails when the loop has not ticked for this long.
HEARTBEAT_MAX_AGE = 10.0
# Seconds between two status board ticks: maintenance windows that start or
# end, flapping that stops and reminders are noticed within this time.
TICK_INTERVAL = 1.0
# Seconds between two reads of the maintenance windows added at run time.
MAINTENANCE_REFRESH = 30.0
# Seconds after the daily summary time within which a daemon that was not
# running then still sends that day's summary.
SUMMARY_GRACE = 3600
# Seconds between two refreshes of the status line that systemd shows.
SYSTEMD_STATUS_INTERVAL = 5.0
# Target name under which the machine running the daemon is stored.
HOST_TARGET = "pantau-host"


class StartupError(Exception):
    """The daemon cannot start; ``text`` is already translated for the operator."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class Daemon:
    """Wire configuration, pinger, scheduler, storage and exporter together."""

    def __init__(self, config_path: Path, inventory: config.Inventory, language: str) -> None:
        self.config_path = config_path
        self.inventory = inventory
        self.language = language
        self.store = MetricsStore()
        self._stopping: asyncio.Event | None = None
        self._last_beat = time.monotonic()
        self._host_result: base.ProbeResult | None = None
        self._lock_file: TextIO | None = None
        self._extra_metrics: list[Callable[[], Iterable[Metric]]] = [self._host_metrics]
        self._jobs: AsyncIOScheduler | None = None
        self._systemd = sd_notify.Notifier.from_environment()

    async def run(self) -> int:
        """Run until SIGTERM or SIGINT; return the process exit code."""
        loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self.store.load_inventory(self.inventory)
        self.store.update_health(
            config_reload_successful=True,
            config_reload_timestamp=time.time(),
            config_path=str(self.config_path),
        )

        storage = self._open_storage()
        pinger = self._open_pinger()
        self.store.update_health(icmp_mode=pinger.mode.value)
        alerting = Alerting(self.inventory, storage, self.store, load_saved_states(storage))
        # Imported here: Apprise takes a while to load, and only the daemon sends.
        from monitor.alerts.sender import Sender

        sender = Sender(storage, self.inventory)
        alerting.wake_sender = sender.wake
        self._extra_metrics.append(lambda: notification_families(sender.stats()))
        self._extra_metrics.append(lambda: storage_families(storage.stats()))
        keeper = HistoryKeeper(storage, lambda: self.inventory)
        self._extra_metrics.append(keeper.families)
        server = self._start_server()

        def sink(result: base.ProbeResult) -> None:
            self.store.record(result)
            storage.put(result)
            if result.probe == "snmp" and result.success:
                # One lookup, not a copy of every target per SNMP result.
                metrics = self.store.get(result.target)
                if metrics is not None and metrics.snmp is not None:
                    storage.put_interfaces(interface_records(result, metrics.snmp))
            alerting.observe(result)

        def host_jobs(jobs: AsyncIOScheduler, inventory: config.Inventory) -> None:
            async def run_host_probe() -> None:
                try:
                    result = await host.probe(HOST_TARGET)
                except asyncio.CancelledError:
                    return  # the daemon is stopping

                self._host_result = result
                storage.put(result)

            jobs.add_job(
                run_host_probe,
                IntervalTrigger(seconds=inventory.defaults.interval),
                id="host",
                name="host",
                next_run_time=datetime.now(UTC),
                misfire_grace_time=max(1, int(inventory.defaults.interval / 2)),
            )
            jobs.add_job(
                alerting.tick,
                IntervalTrigger(seconds=TICK_INTERVAL),
                id="status-tick",
                name="status-tick",
                misfire_grace_time=1,
                coalesce=True,
            )
            jobs.add_job(
                alerting.refresh_maintenance,
                IntervalTrigger(seconds=MAINTENANCE_REFRESH),
                id="maintenance",
                name="maintenance",
                next_run_time=datetime.now(UTC),
                coalesce=True,
            )
            jobs.add_job(
                keeper.run,
                IntervalTrigger(seconds=HISTORY_INTERVAL),
                id="history",
                name="history",
                next_run_time=datetime.now(UTC),
                coalesce=True,
                max_instances=1,
            )
            self._jobs = jobs
            self._schedule_summary(inventory, storage)

        # The SNMP client opens its sockets once, whether or not the first
        # configuration polls SNMP, so that a reload can add SNMP targets.
        snmp_client = snmp.SnmpClient()
        scheduler = ProbeScheduler(
            self.store, pinger, sink, snmp_client=snmp_client, extra_jobs=host_jobs
        )
        scheduler.start(self.inventory)
        sender_task = asyncio.create_task(sender.run())
        loop.add_signal_handler(signal.SIGTERM, self._stopping.set)
        loop.add_signal_handler(signal.SIGINT, self._stopping.set)

        def reload_on_signal() -> None:
            self._systemd.reloading()
            self.reload(scheduler, alerting, sender, storage)
            self._systemd.ready(self._summary(sender))

        loop.add_signal_handler(signal.SIGHUP, reload_on_signal)
        heartbeat = asyncio.create_task(self._beat())
        watchdog = asyncio.create_task(sd_notify.ping_watchdog(self._systemd))
        systemd_status = asyncio.create_task(self._report_status(sender))
        web = self.inventory.daemon.web
        log.info(
            "pantau started: config=%s targets=%s listen=%s:%s tls=%s basic_auth=%s",
            self.config_path,
            len(self.inventory.targets),
            self.inventory.daemon.listen_host,
            server.port,
            web is not None and web.tls,
            web is not None and bool(web.users),
        )
        # One turn of the loop lets the scheduler submit the first jobs, so
        # that READY means the first cycle has started.
        await asyncio.sleep(0)
        self._systemd.ready(self._summary(sender))

        await self._stopping.wait()
        self._systemd.stopping()
        log.info("pantau stopping: flushing results")
        heartbeat.cancel()
        watchdog.cancel()
        systemd_status.cancel()
        scheduler.shutdown()
        await sender.stop()
        await sender_task
        pinger.close()
        snmp_client.close()
        server.stop()
        storage.close()
        self._systemd.close()
        log.info("pantau stopped")
        return 0

    def reload(
        self,
        scheduler: ProbeScheduler,
        alerting: Alerting | None = None,
        sender: Sender | None = None,
        storage: Storage | None = None,
    ) -> bool:
        """Re-read the configuration; swap it in only if it is valid."""
        try:
            inventory = config.load(self.config_path)
        except config.ConfigError as error:
            self.store.update_health(config_reload_successful=False)
            log.error(
                "configuration reload failed, keeping the previous one: path=%s problems=%s\n%s",
                self.config_path,
                len(error.problems),
                error.render("en"),
            )
            return False
        except OSError as error:
            self.store.update_health(config_reload_successful=False)
            log.error(
                "configuration reload failed, keeping the previous one: path=%s error=%s",
                self.config_path,
                error,
            )
            return False
        if inventory.daemon != self.inventory.daemon:
            log.warning(
                "changes under [daemon] (listen, database, language) take effect only "
                "after a restart: path=%s",
                self.config_path,
            )
        self.inventory = inventory
        self.store.load_inventory(inventory)
        scheduler.apply(inventory)
        if alerting is not None:
            alerting.apply_inventory(inventory)
        if sender is not None:
            sender.apply_inventory(inventory)
        if storage is not None:
            self._schedule_summary(inventory, storage)
        self.store.update_health(config_reload_successful=True, config_reload_timestamp=time.time())
        log.info(
            "configuration reloaded: path=%s targets=%s", self.config_path, len(inventory.targets)
        )
        return True

    def _schedule_summary(self, inventory: config.Inventory, storage: Storage) -> None:
        """Add, move or remove the daily summary job after a start or a reload."""
        jobs = self._jobs
        if jobs is None:
            return
        if jobs.get_job("daily-summary") is not None:
            jobs.remove_job("daily-summary")
        at = inventory.alerts.daily_summary
        if at is None or not inventory.channels:
            return
        hour, minute = (int(part) for part in at.split(":"))

        def queue_summary() -> None:
            operation = queue_daily_summary(self.inventory, self.store, time.time())
            storage.submit(operation)

        zone = ZoneInfo(inventory.daemon.timezone)
        jobs.add_job(
            queue_summary,
            CronTrigger(hour=hour, minute=minute, timezone=zone),
            id="daily-summary",
            name="daily-summary",
            misfire_grace_time=SUMMARY_GRACE,
            coalesce=True,
        )
        # A daemon that was stopped over the summary time sends it when it
        # starts within SUMMARY_GRACE; the mark in the database prevents a
        # second summary that day. The job above cannot: it is new, so it has
        # no missed run.
        now = datetime.now(zone)
        due = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if 0 <= (now - due).total_seconds() < SUMMARY_GRACE:
            queue_summary()

    def _lock_database(self) -> None:
        """Hold an exclusive lock beside the database for the daemon's lifetime.

        The storage assumes one writer: a second daemon on the same file
        would double every probe and interleave two histories.
        """
        path = Path(f"{self.inventory.daemon.database}.lock")
        try:
            self._lock_file = path.open("a+")
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            self._lock_file.seek(0)
            owner = self._lock_file.read().strip() or "?"
            raise StartupError(
                translate(
                    "daemon.database_locked",
                    self.language,
                    path=self.inventory.daemon.database,
                    pid=owner,
                )
            ) from error
        except OSError:
            return  # the storage reports an unusable folder with its own message
        self._lock_file.seek(0)
        self._lock_file.truncate()
        self._lock_file.write(f"{os.getpid()}\n")
        self._lock_file.flush()

    def _open_storage(self) -> Storage:
        self._lock_database()
        storage = Storage(self.inventory.daemon.database)
        try:
            storage.open()
        except StorageError as error:
            raise StartupError(error.message(self.language)) from error
        storage.start()
        return storage

    def _open_pinger(self) -> icmp.Pinger:
        try:
            pinger = icmp.Pinger()
        except icmp.IcmpUnavailableError as error:
            raise StartupError(
                translate(
                    "daemon.icmp_unavailable",
                    self.language,
                    raw_error=error.raw_error,
                    datagram_error=error.datagram_error,
                )
            ) from error
        log.info("ICMP socket mode: %s", pinger.mode.value)
        return pinger

    def _start_server(self) -> MetricsServer:
        daemon = self.inventory.daemon
        registry = build_registry(self.store, self._extra_metrics)
        checker = heartbeat_checker(lambda: self._last_beat, HEARTBEAT_MAX_AGE)
        try:
            server = MetricsServer(
                daemon.listen_host, daemon.listen_port, registry, checker, web=daemon.web
            )
        except OSError as error:
            raise StartupError(
                translate(
                    "daemon.listen_failed",
                    self.language,
                    listen=f"{daemon.listen_host}:{daemon.listen_port}",
                    error=error,
                )
            ) from error
        server.start()
        return server

    def _host_metrics(self) -> Iterable[Metric]:
        result = self._host_result
        if result is None or not isinstance(result.detail, host.HostStats):
            return ()
        return host_metric_families(result.detail)

    def _summary(self, sender: Sender) -> str:
        """Count targets by status and pending alerts, for `systemctl status`."""
        counts = dict.fromkeys((UP, DOWN, DEGRADED, UNREACHABLE), 0)
        targets = self.store.targets().values()
        for metrics in targets:
            if metrics.state.status in counts:
                counts[metrics.state.status] += 1
        pending = sum(channel.pending for channel in sender.stats().values())
        return translate(
            "daemon.systemd_status",
            self.language,
            targets=len(targets),
            up=counts[UP],
            down=counts[DOWN],
            degraded=counts[DEGRADED],
            unreachable=counts[UNREACHABLE],
            pending=pending,
        )

    async def _report_status(self, sender: Sender) -> None:
        if not self._systemd.enabled:
            return
        while True:
            await asyncio.sleep(SYSTEMD_STATUS_INTERVAL)
            self._systemd.status(self._summary(sender))

    async def _beat(self) -> None:
        while True:
            self._last_beat = time.monotonic()
            await asyncio.sleep(HEARTBEAT_INTERVAL)
