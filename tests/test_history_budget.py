"""Size budget of the history database: 100 targets for a year stay under 500 MB.

The inventory: 100 targets pinged every 30 s, 25 of them also polled by SNMP
every 60 s with 8 interfaces each (tests.history_sim.sample_config_text).

Method. Rolling up a whole year through the Python rollup takes hours, so
the test builds the year as tests.history_sim.estimate_history does:

1. The last raw_days + 1 = 15 days run fully through the real path: raw
   results and interface rows written in the daemon's batches, status
   changes and incidents from the real status board and writer, and
   history.maintain after every simulated hour (rollups, packing, retention).
2. The history spans 14 local months, one more than hourly retention
   keeps, so that retention has rows to delete. The time before step 1's
   days gets the hourly and daily rows that step 1's rollup produced. Each
   hour is copied from a random simulated hour at the same local hour of
   the same kind of day (working day or weekend), with fresh random
   variation: histograms shifted, traffic and device readings scaled. The
   incidents and status changes of step 1 are repeated too.
3. A last maintain at the end applies retention.

The size is page_count × page_size plus the WAL file, as the daemon leaves
it (no VACUUM). Step 2 writes the rollup tables in time order, as the
daemon would over a year, so their pages are as full as the daemon's.
bench/history.py runs the same year fully through the real path and
compares the two sizes.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor import history
from monitor.config import HistorySettings
from tests import history_sim

pytestmark = pytest.mark.slow

BUDGET_BYTES = 500 * 1000 * 1000
HOUR = 3600
DAY = 86400


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, history_sim.YearEstimate]:
    """Build the year of history once for every test of this module."""
    folder = tmp_path_factory.mktemp("history-budget")
    config = folder / "targets.toml"
    config.write_text(history_sim.sample_config_text(opds=18, hosts_per_opd=4, servers=5))
    inventory = history_sim.load_inventory(config)
    assert len(inventory.targets) == 100
    assert sum(target.snmp is not None for target in inventory.targets) == 25
    assert {target.settings.interval for target in inventory.targets} == {30.0}

    zone = ZoneInfo(inventory.daemon.timezone)
    now = datetime(2026, 12, 1, tzinfo=zone).timestamp()
    path = folder / "pantau.db"
    settings = history_sim.SimulationSettings(interfaces=8, server_interfaces=8)
    estimate = history_sim.estimate_history(path, inventory, now=now, settings=settings)
    return path, estimate


def _query(path: Path, sql: str, *parameters: object) -> tuple:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, parameters).fetchone()
    finally:
        connection.close()


def test_year_of_history_fits_budget(year: tuple[Path, history_sim.YearEstimate]) -> None:
    path, _ = year
    size = history_sim.database_bytes(path)
    tables = history_sim.table_bytes(path)
    breakdown = ", ".join(f"{name} {bytes_ / 1e6:.1f} MB" for name, bytes_ in tables.items())
    assert size < BUDGET_BYTES, f"{size / 1e6:.1f} MB: {breakdown}"


def test_simulated_days_went_through_real_path(
    year: tuple[Path, history_sim.YearEstimate],
) -> None:
    path, estimate = year
    summary = estimate.summary
    # 100 targets x 2,880 pings a day, less the two-hour stop of Pantau.
    days = (estimate.now - estimate.raw_start) / DAY
    assert summary.results > 100 * 2880 * days * 0.98
    assert summary.interface_rows > 25 * 8 * 1440 * days * 0.98
    assert summary.transitions > 0
    assert summary.maintain_calls > 24 * days
    packed = _query(path, "SELECT SUM(count) FROM results_archive")[0]
    assert packed > 100 * 2880 * 13


def test_raw_results_kept_for_exactly_raw_days(
    year: tuple[Path, history_sim.YearEstimate],
) -> None:
    path, estimate = year
    first_kept = estimate.now - HistorySettings().raw_days * DAY
    for archive, hot, time_column in (
        ("results_archive", "results", "started"),
        ("interface_archive", "interface_results", "started"),
    ):
        oldest_archive = _query(path, f"SELECT MIN(start) FROM {archive}")[0]
        assert oldest_archive == first_kept, archive
        hours = _query(
            path,
            f"SELECT COUNT(*) FROM (SELECT start FROM {archive}"
            f" UNION SELECT CAST({time_column} / {HOUR} AS INTEGER) * {HOUR} FROM {hot})",
        )[0]
        assert hours == HistorySettings().raw_days * 24, archive
        oldest_hot = _query(path, f"SELECT MIN({time_column}) FROM {hot}")[0]
        assert oldest_hot >= estimate.now - 3 * HOUR, hot


def test_hourly_rollups_kept_for_thirteen_months(
    year: tuple[Path, history_sim.YearEstimate],
) -> None:
    path, estimate = year
    zone = ZoneInfo("Asia/Jakarta")
    cut = history.month_start(estimate.now, zone, HistorySettings().hourly_months)
    assert estimate.hourly_rows_before_cut > 0
    for table in ("history_hourly", "interface_hourly"):
        oldest, newest, hours = _query(
            path, f"SELECT MIN(start), MAX(start), COUNT(DISTINCT start) FROM {table}"
        )
        assert oldest == cut, table
        assert newest == estimate.now - HOUR, table
        assert hours == (estimate.now - cut) // HOUR, table


def test_daily_rollups_kept_whole(year: tuple[Path, history_sim.YearEstimate]) -> None:
    path, estimate = year
    zone = ZoneInfo("Asia/Jakarta")
    first = datetime.fromtimestamp(estimate.history_start, zone).date()
    last = datetime.fromtimestamp(estimate.now - DAY, zone).date()
    for table in ("history_daily", "interface_daily"):
        oldest, newest, days = _query(
            path, f"SELECT MIN(start), MAX(start), COUNT(DISTINCT start) FROM {table}"
        )
        assert oldest == estimate.history_start, table
        assert newest == estimate.now - DAY, table
        assert days == (last - first).days + 1, table
    targets = _query(path, "SELECT COUNT(DISTINCT target) FROM history_daily")[0]
    assert targets == 100
