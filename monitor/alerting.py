"""Statuses and alerts inside the daemon: probe results in, stored changes out.

The event loop feeds every probe result to :class:`Alerting`, which turns it
into an observation for the status board (monitor/state.py). What the board
returns is written in one storage operation, so that it is committed as a
whole or not at all:

- each status transition closes the target's open incident and, for a
  problem status, opens a new one;
- each target whose persisted state changed gets its ``target_state`` row
  rewritten, so a restart resumes the same statuses and sends nothing twice;
- each event becomes one outbox row per channel that takes it.

The sender (monitor/alerts/sender.py) delivers the outbox. A crash before
the commit loses the transition, not the alert: the restored board meets the
same failing target again and produces the event again.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from monitor import history, thresholds
from monitor import state as status
from monitor.alerts import outbox, render, routing
from monitor.config import Inventory, Target
from monitor.events import TargetRef
from monitor.maintenance import MaintenanceSchedule, load_database_windows
from monitor.snapshot import MetricsStore
from monitor.storage import INCIDENTS_TABLE, MARKS_TABLE, TARGET_STATE_TABLE, Storage
from probes.base import ProbeResult

log = logging.getLogger(__name__)

# Statuses that open an incident.
PROBLEM_STATUSES = (status.DOWN, status.DEGRADED, status.UNREACHABLE)


def load_saved_states(storage: Storage, timeout: float = 30.0) -> dict[str, str]:
    """Return the persisted board state of every target, read through the writer."""

    def read(db: sqlite_utils.Database) -> dict[str, str]:
        return {
            row["target"]: row["data"]
            for row in db.query(f"SELECT target, data FROM {TARGET_STATE_TABLE}")
        }

    result: dict[str, str] = storage.submit(read).result(timeout)
    return result


class Alerting:
    """Own the status board, the maintenance schedule and the outbox writes."""

    def __init__(
        self,
        inventory: Inventory,
        storage: Storage,
        store: MetricsStore,
        saved: dict[str, str],
        wake_sender: Callable[[], None] | None = None,
    ) -> None:
        self.inventory = inventory
        self._storage = storage
        self._store = store
        self.wake_sender = wake_sender
        self._unsaved: set[str] = set()
        self._unsaved_lock = threading.Lock()
        self._database_windows: tuple[Any, ...] = ()
        self._schedule = MaintenanceSchedule(inventory.maintenance, inventory.daemon.timezone)
        self.board = status.StatusBoard(inventory, self._in_maintenance, saved)
        if self.board.discarded:
            log.warning(
                "saved status could not be read, so these targets start afresh: targets=%s",
                ",".join(self.board.discarded),
            )
        self._publish(target.name for target in inventory.targets)

    # Inputs

    def observe(self, result: ProbeResult) -> None:
        """Fold one probe result into its target's status."""
        metrics = self._store.get(result.target)
        if metrics is None:
            return  # removed by a reload meanwhile
        target = metrics.target
        drives_status = result.probe in status.status_probes(target)
        observation = status.Observation(
            target=target.name,
            at=result.started,
            source=result.probe,
            success=result.success if drives_status else None,
            reason=result.reason,
            measurements=thresholds.measurements(result, metrics.snmp),
        )
        self._commit(self.board.observe(observation))

    def tick(self, now: float | None = None) -> None:
        """Let time pass: maintenance windows, flapping ends, reminders."""
        self._commit(self.board.tick(time.time() if now is None else now))

    def apply_inventory(self, inventory: Inventory) -> None:
        """Take a reloaded configuration."""
        self.inventory = inventory
        self._schedule = MaintenanceSchedule(
            (*inventory.maintenance, *self._database_windows), inventory.daemon.timezone
        )
        self._commit(self.board.apply_inventory(inventory))
        self._publish(target.name for target in inventory.targets)

    async def refresh_maintenance(self) -> None:
        """Re-read the windows added with ``pantau maintenance`` (off the loop)."""
        loop = asyncio.get_running_loop()
        try:
            windows = await loop.run_in_executor(
                None,
                functools.partial(
                    load_database_windows, self.inventory.daemon.database, ended_after=time.time()
                ),
            )
        except Exception as error:  # a locked or damaged database must not stop alerting
            log.error(
                "reading maintenance windows failed, keeping the previous ones: error=%s", error
            )
            return
        if windows != self._database_windows:
            self._database_windows = tuple(windows)
            self._schedule = MaintenanceSchedule(
                (*self.inventory.maintenance, *self._database_windows),
                self.inventory.daemon.timezone,
            )
            log.info("maintenance windows loaded: from_database=%s", len(windows))

    def _in_maintenance(self, target: Target, at: float) -> bool:
        return self._schedule.active(target, at) is not None

    # Outputs

    def _commit(self, outcome: status.Outcome) -> Future[Any] | None:
        # States whose earlier write the storage refused (queue full) go again.
        dirty = self.board.take_dirty()
        with self._unsaved_lock:
            unsaved, self._unsaved = self._unsaved, set()
        dirty += [name for name in unsaved if name not in dirty and self.board.view(name)]
        changed = {transition.target for transition in outcome.transitions}
        self._publish(changed | set(dirty))
        if not (outcome.events or outcome.transitions or dirty):
            return None
        states = [(name, self.board.export(name), self.board.view(name)) for name in dirty]
        enqueue = outbox.enqueue(outcome.events, self.inventory.channels, time.time())
        transitions = outcome.transitions

        def write(db: sqlite_utils.Database) -> None:
            now = time.time()
            for transition in transitions:
                _record_transition(db, self.inventory, transition)
            for name, data, view in states:
                db.execute(
                    f"INSERT OR REPLACE INTO {TARGET_STATE_TABLE}"
                    " (target, status, reason, since, data, updated) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        (view.status if view else None) or "",
                        view.reason if view else "",
                        view.since if view else None,
                        data,
                        now,
                    ),
                )
            enqueue(db)

        # Only events need the write at once, for the sender; statuses and
        # incidents ride along with the next batch of results. Events and
        # transitions are never refused for a full queue; a state-only write
        # that is refused is written with the next step.
        essential = bool(outcome.events or outcome.transitions)
        future = self._storage.submit(write, urgent=bool(outcome.events), essential=essential)
        if not essential:
            names = [name for name, _, _ in states]
            future.add_done_callback(lambda done: self._keep_unsaved(done, names))
        wake = self.wake_sender
        if outcome.events and wake is not None:
            future.add_done_callback(lambda _: wake())
        for event in outcome.events:
            log.info(
                "alert queued: target=%s kind=%s status=%s reason=%s",
                event.target,
                event.kind,
                event.status,
                event.reason,
            )
        return future

    def _keep_unsaved(self, done: Future[Any], names: list[str]) -> None:
        # Called on the writer thread, or here when the storage refused at once.
        if done.exception() is not None:
            with self._unsaved_lock:
                self._unsaved.update(names)

    def _publish(self, names: Iterable[str]) -> None:
        for name in names:
            view = self.board.view(name)
            if view is not None:
                self._store.set_status(name, view)


def _record_transition(
    db: sqlite_utils.Database, inventory: Inventory, transition: status.Transition
) -> None:
    began = transition.since if transition.since is not None else transition.at
    history.record_status_change(
        db, transition.target, began, transition.at, transition.status, transition.reason
    )
    db.execute(
        f'UPDATE {INCIDENTS_TABLE} SET "end" = ? WHERE target = ? AND "end" IS NULL',
        (began, transition.target),
    )
    if transition.status not in PROBLEM_STATUSES:
        return
    try:
        target = inventory.target(transition.target)
        group, network = target.group, target.network
    except KeyError:
        group = network = ""
    if transition.status == status.UNREACHABLE:
        _add_to_parent_incident(db, inventory, transition.target)
    db.table(INCIDENTS_TABLE).insert(
        {
            "target": transition.target,
            "network": network,
            "group_name": group,
            "status": transition.status,
            "cause": transition.reason,
            "start": began,
            "end": None,
            "children": json.dumps(list(transition.children)),
            "values_json": "{}",
        }
    )


def _add_to_parent_incident(db: sqlite_utils.Database, inventory: Inventory, name: str) -> None:
    """List ``name`` among the children of its nearest ancestor's open down incident.

    A child that fails a cycle after its parent went down becomes
    unreachable later than the parent's transition, which listed only the
    children unreachable by then.
    """
    seen = {name}
    parent = _parent_of(inventory, name)
    while parent is not None and parent not in seen:
        seen.add(parent)
        row = db.execute(
            f'SELECT id, children FROM {INCIDENTS_TABLE} WHERE target = ? AND "end" IS NULL'
            " AND status = ? ORDER BY start DESC LIMIT 1",
            (parent, status.DOWN),
        ).fetchone()
        if row is not None:
            children = json.loads(row[1] or "[]")
            if name not in children:
                children.append(name)
                db.execute(
                    f"UPDATE {INCIDENTS_TABLE} SET children = ? WHERE id = ?",
                    (json.dumps(children), row[0]),
                )
            return
        parent = _parent_of(inventory, parent)


def _parent_of(inventory: Inventory, name: str) -> str | None:
    try:
        return inventory.target(name).parent
    except KeyError:
        return None


def open_incidents(db: sqlite_utils.Database) -> Sequence[dict[str, Any]]:
    """Return the incidents that have not ended, oldest first."""
    return list(db.query(f'SELECT * FROM {INCIDENTS_TABLE} WHERE "end" IS NULL ORDER BY start'))


# Daily summary ---------------------------------------------------------------------------

# Statuses listed in the daily summary.
SUMMARY_STATUSES = (status.DOWN, status.DEGRADED, status.UNREACHABLE, status.MAINTENANCE)
SUMMARY_MARK = "daily_summary_sent"


def queue_daily_summary(
    inventory: Inventory, store: MetricsStore, now: float
) -> Callable[[sqlite_utils.Database], int]:
    """Return the storage operation that queues today's summary for every channel that takes it.

    The operation does nothing when the summary of this day (in the
    daemon's time zone) was queued before, so a restart near the summary
    time does not send it twice. It returns the number of messages queued.
    """
    zone = ZoneInfo(inventory.daemon.timezone)
    day = datetime.fromtimestamp(now, zone).date().isoformat()
    rows: list[tuple[Target, str, float | None, str]] = []
    for _, metrics in sorted(store.targets().items()):
        view = metrics.state
        if view.status in SUMMARY_STATUSES:
            rows.append((metrics.target, view.status or "", view.since, view.reason))
    total = sum(not target.placeholder for target in inventory.targets)

    def operation(db: sqlite_utils.Database) -> int:
        mark = db.execute(f"SELECT value FROM {MARKS_TABLE} WHERE key = ?", (SUMMARY_MARK,))
        found = mark.fetchone()
        if found is not None and found[0] == day:
            return 0
        incidents = db.execute(
            f"SELECT COUNT(*) FROM {INCIDENTS_TABLE} WHERE start >= ? AND status = ?",
            (now - 86400.0, status.DOWN),
        ).fetchone()[0]
        queued = 0
        for channel in inventory.channels:
            if not channel.summary:
                continue
            chosen = tuple(
                (_ref(target), shown, since, reason)
                for target, shown, since, reason in rows
                if routing.covers(channel, target.network, target.group)
            )
            summary = render.Summary(
                now=now, not_up=chosen, incidents_last_day=incidents, targets_total=total
            )
            service = routing.service_of(channel)
            language = channel.language or inventory.daemon.language
            text = render.render_summary(
                summary,
                language=language,
                timezone=inventory.daemon.timezone,
                markup=service.markup,
            )
            parts = render.split(text, service.max_length, markup=service.markup)
            rendered = outbox.RenderedMessage(service.markup, tuple(parts))
            outbox.queue_message(channel.name, now, rendered)(db)
            queued += 1
        db.execute(
            f"INSERT OR REPLACE INTO {MARKS_TABLE} (key, value) VALUES (?, ?)", (SUMMARY_MARK, day)
        )
        return queued

    return operation


def _ref(target: Target) -> TargetRef:
    return TargetRef(target.name, target.group, target.network, target.address)
