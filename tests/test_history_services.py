"""Rollups of the service checks (tcp, http, tls, dns) and their place in the readiness report."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from monitor import config, history, report, storage
from monitor.config import HistorySettings
from monitor.history import Histogram, ServicePeriod
from monitor.storage import MIGRATIONS, Storage, connect_readonly

WIB = ZoneInfo("Asia/Jakarta")
HOUR = 3600
DAY = 86400
DAY_START = round(datetime(2026, 11, 2, tzinfo=WIB).timestamp())
# Durations of the successful checks, cycled: 95 % of them are at most 0.8 s.
DURATIONS = [0.1] * 50 + [0.3] * 30 + [0.8] * 15 + [2.5] * 5
CERT_EXPIRY = datetime(2026, 12, 12, 9, 30, tzinfo=WIB).timestamp()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    storage_ = Storage(tmp_path / "pantau.db")
    storage_.open()
    storage_.close()
    database = sqlite_utils.Database(tmp_path / "pantau.db")
    yield database
    database.close()


def add_check(
    conn: sqlite3.Connection,
    target: str,
    probe: str,
    started: float,
    *,
    success: bool,
    duration: float,
    reason: str = "ok",
    values: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        "INSERT INTO results (target, probe, started, duration, success, reason, values_json,"
        " message) VALUES (?, ?, ?, ?, ?, ?, ?, '')",
        (target, probe, started, duration, int(success), reason, json.dumps(values or {})),
    )


def maintain_all(conn: sqlite3.Connection, now: float, intervals: dict[str, float]) -> None:
    for _ in range(1000):
        with conn:
            done = history.maintain(
                conn, intervals=intervals, zone=WIB, now=now, settings=HistorySettings()
            ).done
        if done:
            return
    raise AssertionError("maintain did not finish")


def add_bad_day(conn: sqlite3.Connection) -> None:
    """Write 1,440 http checks a minute apart: 72 failed, the rest with DURATIONS."""
    successes = 0
    for minute in range(1440):
        started = DAY_START + minute * 60
        if minute % 20 == 7:
            reason = "connect_timeout" if minute % 40 == 7 else "unexpected_status"
            add_check(conn, "simpeg", "http", started, success=False, duration=10.0, reason=reason)
            continue
        add_check(
            conn,
            "simpeg",
            "http",
            started,
            success=True,
            duration=DURATIONS[successes % len(DURATIONS)],
            values={"status_code": 200, history.CERT_EXPIRY: CERT_EXPIRY + minute},
        )
        successes += 1
    conn.commit()


def day_period(conn: sqlite3.Connection, start: float, end: float) -> ServicePeriod:
    periods = history.service_periods(conn, start, end, WIB)
    period = periods[("simpeg", "http")]
    assert isinstance(period, ServicePeriod)
    return period


def test_day_of_checks_known_answers(db: sqlite_utils.Database) -> None:
    add_bad_day(db.conn)
    maintain_all(db.conn, DAY_START + 2 * DAY, {"simpeg": 60.0})

    period = day_period(db.conn, DAY_START, DAY_START + DAY)
    assert (period.runs, period.successes, period.maintenance_runs) == (1440, 1368, 0)
    assert period.availability == pytest.approx(0.95)
    assert period.reasons == {"connect_timeout": 36, "unexpected_status": 36}
    assert period.worst_reasons(1) == [("connect_timeout", 36)]
    assert period.covered_seconds == pytest.approx(DAY)
    # Bucket middles are within 4.4 % of the true durations.
    assert period.response_median == pytest.approx(0.1, rel=0.045)
    assert period.response_p95 == pytest.approx(0.8, rel=0.045)
    assert period.cert_expiry == CERT_EXPIRY


def test_hour_day_and_raw_agree(db: sqlite_utils.Database) -> None:
    add_bad_day(db.conn)
    maintain_all(db.conn, DAY_START + 2 * DAY, {"simpeg": 60.0})
    raw = history.recompute_services(db.conn, DAY_START, DAY_START + DAY, {"simpeg": 60.0})
    rolled = day_period(db.conn, DAY_START, DAY_START + DAY)
    expected = raw[("simpeg", "http")]
    assert rolled.durations == expected.durations
    assert (rolled.runs, rolled.successes, rolled.reasons) == (
        expected.runs,
        expected.successes,
        expected.reasons,
    )
    hours = [
        day_period(db.conn, hour, hour + HOUR) for hour in range(DAY_START, DAY_START + DAY, HOUR)
    ]
    merged = Histogram(scale=history.RESPONSE)
    for hour in hours:
        merged = merged.merge(hour.durations)
    assert merged == rolled.durations
    assert sum(hour.runs for hour in hours) == 1440


def test_checks_in_maintenance_not_counted(db: sqlite_utils.Database) -> None:
    add_bad_day(db.conn)
    history.record_status_change(db.conn, "simpeg", DAY_START, DAY_START, "up", "ok")
    history.record_status_change(
        db.conn, "simpeg", DAY_START + 2 * HOUR, DAY_START + 2 * HOUR, "maintenance", ""
    )
    history.record_status_change(db.conn, "simpeg", DAY_START + 4 * HOUR, 0, "up", "ok")
    db.conn.commit()
    maintain_all(db.conn, DAY_START + 2 * DAY, {"simpeg": 60.0})

    period = day_period(db.conn, DAY_START, DAY_START + DAY)
    assert period.maintenance_runs == 120
    # Six of the 72 failures fell into the two hours of maintenance.
    assert (period.runs, period.failures) == (1320, 66)


def test_response_buckets_cover_web_times() -> None:
    assert history.response_bucket(1.0) == 106
    assert history.response_bucket(60.0) == 153
    assert history.response_bucket(0.00005) == 0
    histogram = Histogram.of_values([2.4] * 20, history.RESPONSE)
    assert histogram.quantile(0.95) == pytest.approx(2.4, rel=0.045)


def test_packed_rows_keep_certificate_time(db: sqlite_utils.Database) -> None:
    add_bad_day(db.conn)
    maintain_all(db.conn, DAY_START + 3 * DAY, {"simpeg": 60.0})
    assert db.conn.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 0
    rows = list(history.read_raw(db.conn, "simpeg", "http", DAY_START, DAY_START + DAY))
    assert len(rows) == 1440
    assert rows[0].values[history.CERT_EXPIRY] == CERT_EXPIRY
    raw = history.recompute_services(db.conn, DAY_START, DAY_START + DAY, {"simpeg": 60.0})
    assert raw[("simpeg", "http")].cert_expiry == CERT_EXPIRY


def test_retention_removes_service_rollups(db: sqlite_utils.Database) -> None:
    add_bad_day(db.conn)
    maintain_all(db.conn, DAY_START + 2 * DAY, {"simpeg": 60.0})
    count = "SELECT COUNT(*) FROM {}"
    assert db.conn.execute(count.format(storage.SERVICE_HOURLY_TABLE)).fetchone()[0] == 24
    assert db.conn.execute(count.format(storage.SERVICE_DAILY_TABLE)).fetchone()[0] == 1

    # Fourteen months later the hourly rows and the raw archive are gone.
    later = DAY_START + 430 * DAY
    maintain_all(db.conn, later, {"simpeg": 60.0})
    assert db.conn.execute(count.format(storage.SERVICE_HOURLY_TABLE)).fetchone()[0] == 0
    assert db.conn.execute(count.format(storage.SERVICE_DAILY_TABLE)).fetchone()[0] == 1
    assert db.conn.execute(count.format(storage.RESULTS_ARCHIVE_TABLE)).fetchone()[0] == 0

    # Six years later the daily row is gone too.
    maintain_all(db.conn, DAY_START + 6 * 366 * DAY, {"simpeg": 60.0})
    assert db.conn.execute(count.format(storage.SERVICE_DAILY_TABLE)).fetchone()[0] == 0


def test_migration_from_version_4_rolls_services(tmp_path: Path) -> None:
    path = tmp_path / "pantau.db"
    old = sqlite_utils.Database(path)
    for migration in MIGRATIONS:
        migration(old)
    add_bad_day(old.conn)
    maintain_all(old.conn, DAY_START + 2 * DAY, {"simpeg": 60.0})
    # A version 4 database: the same rollups and marks, without the service tables.
    for table in (storage.SERVICE_HOURLY_TABLE, storage.SERVICE_DAILY_TABLE):
        old.conn.execute(f"DROP TABLE {table}")
    old.conn.execute("PRAGMA user_version = 4")
    old.conn.commit()
    old.close()

    upgraded = Storage(path)
    upgraded.open()
    upgraded.close()
    database = sqlite_utils.Database(path)
    assert database.execute("PRAGMA user_version").fetchone()[0] == 5
    assert database.execute("SELECT value FROM marks WHERE key = 'history.dirty_since'").fetchone()
    maintain_all(database.conn, DAY_START + 2 * DAY, {"simpeg": 60.0})
    period = day_period(database.conn, DAY_START, DAY_START + DAY)
    assert period.runs == 1440
    database.close()


# The report's server section -----------------------------------------------------------

SERVER_CONFIG = """[daemon]
database = "pantau.db"
timezone = "Asia/Jakarta"

[[targets]]
name = "simpeg"
address = "127.0.0.7"
group = "BKPSDM"
network = "server"
"""


def test_report_judges_service_check(tmp_path: Path) -> None:
    config_path = tmp_path / "targets.toml"
    config_path.write_text(SERVER_CONFIG, encoding="utf-8")
    database = sqlite_utils.Database(tmp_path / "pantau.db")
    for migration in MIGRATIONS:
        migration(database)
    add_bad_day(database.conn)
    maintain_all(database.conn, DAY_START + 2 * DAY, {"simpeg": 60.0})
    database.close()

    inventory = config.load(config_path, environ={})
    connection = connect_readonly(tmp_path / "pantau.db")
    try:
        built = report.build_report(
            inventory, connection, DAY_START, DAY_START + DAY, DAY_START + 3 * DAY
        )
    finally:
        connection.close()

    [section] = built.sections
    [check] = section.services
    assert (check.target, check.probe, check.runs, check.successes) == (
        "simpeg",
        "http",
        1440,
        1368,
    )
    assert check.availability == pytest.approx(0.95)
    # The certificate expires 40 days after the end of the period, minus 9 h 30 min.
    assert check.cert_days_left == pytest.approx((CERT_EXPIRY - DAY_START - DAY) / DAY)
    form = report._Format("id", "Asia/Jakarta")
    sentences = [form.finding(f) for f in section.findings if f.probe == "http"]
    assert sentences == ["ketersediaan layanan http 95 % di bawah batas minimum 98 % (simpeg)"]
    text = report.render_text(built, "id")
    assert "Pemeriksaan layanan" in text
    assert "95 % (1.368 dari 1.440 pemeriksaan)" in text
    assert "12 Des 2026 (sisa 39 hari pada akhir periode)" in text
