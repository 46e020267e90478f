"""The daemon's history job: rollups, packing and retention, off the event loop."""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import sqlite_utils
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from monitor import history
from monitor.config import HistorySettings, Inventory
from monitor.state import main_probe
from monitor.storage import Storage, StorageError

log = logging.getLogger(__name__)

# Seconds between two runs of the history job.
HISTORY_INTERVAL = 60.0
# Rows that one writer transaction rolls up, packs or deletes (about: a
# target hour that has started is finished). Results and alerts queued
# behind the history wait for one such step at most.
MAX_ROWS_PER_STEP = 20_000
# Steps of one run; what is left waits for the next run.
MAX_STEPS_PER_RUN = 200


# SQLite error names worth retrying: the same step may succeed a moment later.
_TRANSIENT = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN")


class HistoryStepError(Exception):
    """A history step failed in a way that retrying the write batch cannot cure."""


@dataclass(frozen=True, slots=True)
class HistoryStats:
    """Progress and failures of the history job, as /metrics exports them."""

    rolled_until: float | None
    last_run_seconds: float | None
    failures: int


class HistoryKeeper:
    """Run :func:`monitor.history.maintain` in bounded steps on the storage writer."""

    def __init__(self, storage: Storage, inventory: Callable[[], Inventory]) -> None:
        self._storage = storage
        self._inventory = inventory
        self._rolled_until: float | None = None
        self._last_run: float | None = None
        self._failures = 0

    def stats(self) -> HistoryStats:
        return HistoryStats(self._rolled_until, self._last_run, self._failures)

    async def run(self) -> None:
        """Roll up, pack and delete what is due, one bounded writer transaction at a time."""
        inventory = self._inventory()
        intervals = {target.name: target.settings.interval for target in inventory.targets}
        probes = {target.name: main_probe(target) for target in inventory.targets}
        zone = inventory.daemon.timezone
        started = time.monotonic()
        for _ in range(MAX_STEPS_PER_RUN):
            step = functools.partial(
                _step,
                now=time.time(),
                intervals=intervals,
                probes=probes,
                zone=zone,
                settings=inventory.history,
            )
            try:
                report, rolled = await asyncio.wrap_future(self._storage.submit(step, urgent=False))
            except StorageError as error:
                # The queue is full or the storage is closing: the next run retries.
                log.warning("history maintenance postponed: %s", error.message("en"))
                return
            except Exception:
                self._failures += 1
                log.exception("history maintenance failed; the next run retries")
                return
            self._rolled_until = rolled
            if report.done:
                break
        self._last_run = time.monotonic() - started

    def families(self) -> Iterator[Metric]:
        """Build the history job's metrics."""
        if self._rolled_until is not None:
            yield GaugeMetricFamily(
                "pantau_history_rolled_until_timestamp_seconds",
                "End of the last hour rolled up into the history (unix time).",
                value=self._rolled_until,
            )
        if self._last_run is not None:
            yield GaugeMetricFamily(
                "pantau_history_last_run_duration_seconds",
                "Wall time of the last run of the history job.",
                value=self._last_run,
            )
        yield CounterMetricFamily(
            "pantau_history_failures",
            "Runs of the history job that failed with an error (see the journal).",
            value=self._failures,
        )


def _step(
    db: sqlite_utils.Database,
    *,
    now: float,
    intervals: Mapping[str, float],
    probes: Mapping[str, str],
    zone: str,
    settings: HistorySettings,
) -> tuple[history.MaintainReport, float | None]:
    """Run one bounded maintain call inside the writer's transaction."""
    try:
        report = history.maintain(
            db,
            intervals=intervals,
            zone=zone,
            now=now,
            settings=settings,
            max_rows=MAX_ROWS_PER_STEP,
            status_probes=probes,
        )
    except sqlite3.OperationalError as error:
        if (getattr(error, "sqlite_errorname", None) or "").startswith(_TRANSIENT):
            raise  # the storage retries the batch
        # Fails the same way every time (a missing table, say): end this
        # step alone, so that results and alerts are still written.
        raise HistoryStepError(str(error)) from error
    return report, history.rolled_until(db.conn)
