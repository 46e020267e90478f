"""The daemon's status plumbing: board steps written to SQLite as incidents, state and outbox."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor import config, maintenance
from monitor.alerting import Alerting, load_saved_states, queue_daily_summary
from monitor.config import MaintenanceWindow
from monitor.snapshot import MetricsStore
from monitor.storage import Storage, connect_readonly
from probes.base import ProbeResult

CHANNEL_URL = "json://127.0.0.1:9/"


def write_inventory(directory: Path, extra: str = "") -> config.Inventory:
    path = directory / "pantau.toml"
    path.write_text(
        f"""
[daemon]
database = "pantau.db"
language = "id"
timezone = "Asia/Jakarta"

[defaults]
interval = "30s"
down_after = 2
up_after = 1

[alerts]
daily_summary = "07:00"

[[channels]]
name = "noc"
url_env = "PANTAU_TEST_CHAT_URL"

[[targets]]
name = "core-router"
address = "127.0.0.1"
group = "Diskominfo"
network = "opd"

[[targets]]
name = "bappeda-router"
address = "127.0.0.2"
group = "Bappeda"
network = "opd"
parent = "core-router"
{extra}
"""
    )
    return config.load(path, environ={"PANTAU_TEST_CHAT_URL": CHANNEL_URL})


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    opened = Storage(tmp_path / "pantau.db")
    opened.open()
    opened.start()
    yield opened
    opened.close()


def ping(target: str, at: float, success: bool) -> ProbeResult:
    return ProbeResult(
        target=target,
        probe="icmp",
        success=success,
        reason="ok" if success else "no_reply",
        started=at,
        duration=0.5,
        values={"sent": 5, "received": 5 if success else 0, "loss_ratio": 0.0 if success else 1.0},
    )


def make_alerting(inventory: config.Inventory, storage: Storage) -> tuple[Alerting, MetricsStore]:
    store = MetricsStore()
    store.load_inventory(inventory)
    return Alerting(inventory, storage, store, load_saved_states(storage)), store


def feed(alerting: Alerting, store: MetricsStore, result: ProbeResult) -> None:
    store.record(result)
    alerting.observe(result)


def rows(storage: Storage, sql: str) -> list[dict]:
    storage.flush()
    db = connect_readonly(storage.path)
    try:
        return list(db.query(sql))
    finally:
        db.close()


def test_outage_becomes_incident_outbox_row_and_state(tmp_path: Path, storage: Storage) -> None:
    inventory = write_inventory(tmp_path)
    alerting, store = make_alerting(inventory, storage)
    start = 1_796_400_000.0
    feed(alerting, store, ping("core-router", start, True))
    for cycle in (1, 2):
        feed(alerting, store, ping("core-router", start + 30 * cycle, False))

    incidents = rows(storage, 'SELECT target, status, cause, start, "end" FROM incidents')
    assert incidents == [
        {
            "target": "core-router",
            "status": "down",
            "cause": "no_reply",
            "start": start + 30,
            "end": None,
        }
    ]
    queued = rows(storage, "SELECT channel, event FROM outbox")
    assert [row["channel"] for row in queued] == ["noc"]
    assert json.loads(queued[0]["event"])["kind"] == "down"
    saved = rows(storage, "SELECT target, status FROM target_state WHERE target = 'core-router'")
    assert saved == [{"target": "core-router", "status": "down"}]
    assert store.get("core-router").state.status == "down"

    feed(alerting, store, ping("core-router", start + 90, True))
    ended = rows(storage, "SELECT \"end\" FROM incidents WHERE target = 'core-router'")
    assert ended == [{"end": start + 90}]


def test_restart_resumes_status_without_new_event(tmp_path: Path, storage: Storage) -> None:
    inventory = write_inventory(tmp_path)
    alerting, store = make_alerting(inventory, storage)
    start = 1_796_400_000.0
    for cycle in range(3):
        feed(alerting, store, ping("core-router", start + 30 * cycle, cycle == 0))
    storage.flush()

    again, store_again = make_alerting(inventory, storage)
    assert store_again.get("core-router").state.status == "down"
    feed(again, store_again, ping("core-router", start + 90, False))

    kinds = [json.loads(row["event"])["kind"] for row in rows(storage, "SELECT event FROM outbox")]
    assert kinds == ["down"]


def test_daily_summary_queued_once_per_day(tmp_path: Path, storage: Storage) -> None:
    inventory = write_inventory(tmp_path)
    alerting, store = make_alerting(inventory, storage)
    start = 1_796_400_000.0
    feed(alerting, store, ping("core-router", start, True))
    for cycle in (1, 2):
        feed(alerting, store, ping("bappeda-router", start + 30 * cycle, False))
    now = start + 100

    assert storage.submit(queue_daily_summary(inventory, store, now)).result(10) == 1
    assert storage.submit(queue_daily_summary(inventory, store, now + 60)).result(10) == 0

    messages = rows(storage, "SELECT channel, parts FROM messages")
    assert [row["channel"] for row in messages] == ["noc"]
    text = "".join(json.loads(messages[0]["parts"]))
    assert "bappeda-router" in text
    assert "core-router" not in text
    next_day = now + 86400
    assert storage.submit(queue_daily_summary(inventory, store, next_day)).result(10) == 1


def test_maintenance_added_at_run_time_holds_alerts(tmp_path: Path, storage: Storage) -> None:
    inventory = write_inventory(tmp_path)
    alerting, store = make_alerting(inventory, storage)
    now = time.time()
    window = MaintenanceWindow(
        name="patch",
        targets=("core-router",),
        start=maintenance_datetime(now - 60),
        end=maintenance_datetime(now + 3600),
        reason="ganti perangkat",
    )
    storage.submit(lambda db: maintenance.add_window(db, window, "test")).result(10)
    asyncio.run(alerting.refresh_maintenance())

    for cycle in range(3):
        feed(alerting, store, ping("core-router", now + cycle, False))

    assert store.get("core-router").state.status == "maintenance"
    assert rows(storage, "SELECT id FROM outbox") == []


def maintenance_datetime(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


def test_child_cut_off_later_joins_parent_incident(tmp_path: Path, storage: Storage) -> None:
    inventory = write_inventory(tmp_path)
    alerting, store = make_alerting(inventory, storage)
    start = 1_796_400_000.0
    feed(alerting, store, ping("core-router", start, True))
    feed(alerting, store, ping("bappeda-router", start, True))
    # The core fails twice before its child is probed again.
    for cycle in (1, 2):
        feed(alerting, store, ping("core-router", start + 30 * cycle, False))
    for cycle in (1, 2):
        feed(alerting, store, ping("bappeda-router", start + 30 * cycle + 5, False))

    assert store.get("bappeda-router").state.status == "unreachable"
    core = rows(storage, "SELECT children FROM incidents WHERE target = 'core-router'")
    assert [json.loads(row["children"]) for row in core] == [["bappeda-router"]]
    child = rows(storage, "SELECT status, cause FROM incidents WHERE target = 'bappeda-router'")
    assert child == [{"status": "unreachable", "cause": "parent_down"}]


def test_alert_written_even_when_storage_queue_is_full(tmp_path: Path) -> None:
    inventory = write_inventory(tmp_path)
    storage = Storage(tmp_path / "pantau.db", queue_limit=5, flush_interval=60.0)
    storage.open()
    alerting, store = make_alerting_unstarted(inventory, storage)
    start = 1_796_400_000.0
    try:
        # The writer is not running yet, so results fill the queue to its limit.
        for number in range(5):
            storage.put(ping("core-router", start - number, True))
        feed(alerting, store, ping("core-router", start, True))
        for cycle in (1, 2):
            feed(alerting, store, ping("core-router", start + 30 * cycle, False))
        storage.start()
        assert storage.flush()
    finally:
        storage.close()

    db = connect_readonly(tmp_path / "pantau.db")
    kinds = [json.loads(row["event"])["kind"] for row in db.query("SELECT event FROM outbox")]
    saved = list(db.query("SELECT status FROM target_state WHERE target = 'core-router'"))
    db.close()
    assert kinds == ["down"]
    assert saved == [{"status": "down"}]


def make_alerting_unstarted(
    inventory: config.Inventory, storage: Storage
) -> tuple[Alerting, MetricsStore]:
    store = MetricsStore()
    store.load_inventory(inventory)
    return Alerting(inventory, storage, store, {}), store
