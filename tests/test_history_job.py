"""The daemon's history job on a real storage writer."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from monitor import history
from monitor.config import load
from monitor.history_job import HistoryKeeper
from monitor.storage import Storage, connect_readonly
from probes.base import OK, ProbeResult
from tests.test_config import write

CONFIG = """
[daemon]
database = "{database}"
timezone = "Asia/Jakarta"

[defaults]
interval = "60s"

[[targets]]
name = "a"
address = "127.0.0.1"
"""


def test_job_rolls_up_closed_hours(tmp_path: Path) -> None:
    inventory = load(write(tmp_path, CONFIG.format(database=tmp_path / "pantau.db")), {})
    storage = Storage(inventory.daemon.database)
    storage.open()
    storage.start()
    # Three hours of one result a minute, ending an hour before the current hour.
    first_hour = history.hour_start(time.time(), "Asia/Jakarta") - 4 * 3600
    for minute in range(180):
        started = first_hour + minute * 60.0
        values = {"sent": 5.0, "received": 5.0, "rtt_median_seconds": 0.002}
        storage.put(ProbeResult("a", "icmp", True, OK, started, 0.01, values))
    storage.submit(
        lambda db: history.record_status_change(db, "a", first_hour, first_hour, "up", "ok")
    )
    keeper = HistoryKeeper(storage, lambda: inventory)
    try:
        asyncio.run(keeper.run())
    finally:
        storage.close()

    stats = keeper.stats()
    assert stats.failures == 0
    assert stats.rolled_until is not None
    assert stats.rolled_until >= first_hour + 3 * 3600
    families = {family.name: family for family in keeper.families()}
    rolled = families["pantau_history_rolled_until_timestamp_seconds"].samples[0].value
    assert rolled == stats.rolled_until
    db = connect_readonly(inventory.daemon.database)
    try:
        period = history.target_periods(db, first_hour, first_hour + 3 * 3600, "Asia/Jakarta")["a"]
        packed = db.execute("SELECT count(*) FROM results_archive").fetchone()[0]
    finally:
        db.close()
    assert period.seconds["up"] == 3 * 3600
    assert period.samples == 180
    assert period.availability == 1.0
    # Raw hours older than two hours are packed out of the hot table.
    assert packed >= 1


def test_job_on_closed_storage_postpones(tmp_path: Path) -> None:
    inventory = load(write(tmp_path, CONFIG.format(database=tmp_path / "pantau.db")), {})
    storage = Storage(inventory.daemon.database)
    storage.open()
    storage.start()
    storage.close()
    keeper = HistoryKeeper(storage, lambda: inventory)

    asyncio.run(keeper.run())

    assert keeper.stats().failures == 0
    assert keeper.stats().rolled_until is None


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.IntegrityError("NOT NULL constraint failed: history_hourly.cpu_sum"),
        sqlite3.OperationalError("no such table: history_hourly"),
    ],
    ids=["constraint", "missing-table"],
)
def test_failing_step_holds_up_no_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: sqlite3.Error
) -> None:
    inventory = load(write(tmp_path, CONFIG.format(database=tmp_path / "pantau.db")), {})
    storage = Storage(inventory.daemon.database)
    storage.open()
    storage.start()

    def broken(db: object, **_: object) -> None:
        db.execute("INSERT INTO marks (key, value) VALUES ('written-by-the-failed-step', 'x')")
        raise error

    monkeypatch.setattr(history, "maintain", broken)
    keeper = HistoryKeeper(storage, lambda: inventory)
    try:
        asyncio.run(keeper.run())
        for second in range(5):
            storage.put(ProbeResult("a", "icmp", True, OK, time.time() + second, 0.01, {}))
        assert storage.flush(timeout=10)
    finally:
        storage.close()

    assert keeper.stats().failures == 1
    db = connect_readonly(inventory.daemon.database)
    try:
        results = db.execute("SELECT count(*) FROM results").fetchone()[0]
        marks = db.execute("SELECT count(*) FROM marks WHERE key LIKE 'written-by%'").fetchone()[0]
    finally:
        db.close()
    assert results == 5
    # The failed step's own writes were undone.
    assert marks == 0
