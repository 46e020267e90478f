"""Cost of the history: rollup and packing time, and the database size of a simulated year.

Everything runs in this process on a simulated history (tests/history_sim.py);
nothing is sent on any network. Two parts:

rollup
    Each size N (default 100 and 1,000) is an inventory of N targets
    pinged every 30 s, a quarter of them also polled by SNMP every 60 s
    with 8 interfaces. Three hours of raw rows are written. Then
    history.maintain rolls up the first two hours (wall and CPU time per
    hour, raw rows per second) and packs the first hour into the archive
    (wall and CPU time). The hot tables' bytes per result
    and per interface row, measured before packing, are set against the
    packed archive's. Then, for each size in --month-targets (default 100),
    a whole local month runs through the real path, as in the daemon: rows
    written, maintain after every hour. Its total time is printed.

year
    The database size of --months local months of history for 100
    targets. The default is 14: the 13 months that hourly retention keeps
    and one that it deletes. The history is built twice. The first build
    uses the method of tests/test_history_budget.py: the last raw_days + 1
    days go through the real path, and the months before come from those
    days' rollups with random variation. The second build goes fully
    through the real path, hour by hour, with progress lines. The full run
    stops after --max-minutes, and then both builds cover only the days it
    reached, so the sizes compare like for like.

Run from the repository root::

    python3 bench/history.py rollup
    python3 bench/history.py rollup --targets 100 --month-targets
    python3 bench/history.py year --max-minutes 600
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor import history
from monitor.config import Inventory
from tests import history_sim

HOUR = 3600.0
DAY = 86400.0
ZONE = ZoneInfo("Asia/Jakarta")
# Simulated months end here: a fixed date keeps runs comparable.
END = datetime(2026, 12, 1, tzinfo=ZONE).timestamp()


def inventory_of(size: int, folder: Path) -> Inventory:
    """Write and load an inventory of ``size`` targets, a quarter of them polled by SNMP.

    The sample inventory has 8 fixed targets (2 with SNMP) and 4 per agency
    (its router with SNMP and 3 hosts), so ``size`` - 8 must be a multiple of 4.
    """
    if size < 12 or (size - 8) % 4:
        raise SystemExit(f"invalid size {size}: expected 8 + a multiple of 4, at least 12")
    config = folder / f"targets-{size}.toml"
    config.write_text(history_sim.sample_config_text(opds=(size - 8) // 4, servers=0))
    return history_sim.load_inventory(config)


def fresh(path: Path) -> Path:
    """Remove the database at ``path`` and its WAL files; return ``path``."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def timed(action: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run ``action``; return its value, wall seconds and CPU seconds of this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = action()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def peak_rss_mib() -> float:
    """Return this process's peak resident set size in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Rollup -------------------------------------------------------------------------------


def measure_hour(size: int, folder: Path) -> dict[str, Any]:
    """Roll up and pack one simulated hour of ``size`` targets; return the figures."""
    inventory = inventory_of(size, folder)
    settings = history_sim.SimulationSettings(maintain=False)
    path = fresh(folder / f"hour-{size}.db")
    db = history_sim.create_database(path)
    try:
        first = END - 3 * HOUR
        simulation = history_sim.Simulation(db, inventory, first, END, settings)
        rows = [simulation.write_hour(first + index * HOUR) for index in range(3)]
        hot = _table_rows_and_bytes(path)
        settle = history_sim.settle_seconds(inventory)

        # An hour closes once the grace after its end has passed: roll up
        # the first two hours.
        reports, rollup_wall, rollup_cpu = timed(
            lambda: history_sim.maintain_until_done(db, inventory, first + 2 * HOUR + settle)
        )
        assert sum(report.hours_rolled for report in reports) == 2
        # Two hours after the first hour's end, only its packing is due: the
        # third hour closes after the grace, which has not passed yet.
        pack_reports, pack_wall, pack_cpu = timed(
            lambda: history_sim.maintain_until_done(db, inventory, first + 3 * HOUR + 1)
        )
        assert sum(report.hours_rolled for report in pack_reports) == 0
    finally:
        db.close()
    packed = _table_rows_and_bytes(path)
    raw_rows = sum(len(hour.results) + len(hour.interfaces) for hour in rows[:2])
    return {
        "targets": size,
        "snmp_targets": sum(target.snmp is not None for target in inventory.targets),
        "results_in_hour": len(rows[0].results),
        "interface_rows_in_hour": len(rows[0].interfaces),
        "rollup_wall_seconds": rollup_wall / 2,
        "rollup_cpu_seconds": rollup_cpu / 2,
        "rollup_rows_per_second": raw_rows / rollup_wall,
        "pack_wall_seconds": pack_wall,
        "pack_cpu_seconds": pack_cpu,
        "rows_packed": sum(report.rows_packed for report in pack_reports),
        "hot_bytes_per_result": hot["results"]["bytes"] / hot["results"]["rows"],
        "hot_bytes_per_interface_row": hot["interface_results"]["bytes"]
        / hot["interface_results"]["rows"],
        "packed_bytes_per_result": packed["results_archive"]["bytes"]
        / max(packed["results_archive"]["rows"], 1),
        "packed_bytes_per_interface_row": packed["interface_archive"]["bytes"]
        / max(packed["interface_archive"]["rows"], 1),
    }


def _table_rows_and_bytes(path: Path) -> dict[str, dict[str, float]]:
    """Return rows and bytes (table and its indexes) of the raw and archive tables."""
    import sqlite3

    sizes = history_sim.table_bytes(path)
    connection = sqlite3.connect(path)
    try:
        figures = {}
        for table, count_sql, indexes in (
            ("results", "SELECT COUNT(*) FROM results", ("results_target_probe_started",)),
            (
                "interface_results",
                "SELECT COUNT(*) FROM interface_results",
                ("interface_results_target_if_index_started",),
            ),
            (
                "results_archive",
                "SELECT COALESCE(SUM(count), 0) FROM results_archive",
                ("results_archive_start",),
            ),
            (
                "interface_archive",
                "SELECT COALESCE(SUM(count), 0) FROM interface_archive",
                ("interface_archive_start",),
            ),
        ):
            rows = connection.execute(count_sql).fetchone()[0]
            size = sizes.get(table, 0) + sum(sizes.get(index, 0) for index in indexes)
            figures[table] = {"rows": rows, "bytes": size}
    finally:
        connection.close()
    return figures


def measure_month(size: int, folder: Path) -> dict[str, Any]:
    """Run a whole local month of ``size`` targets through the real path; return the figures."""
    inventory = inventory_of(size, folder)
    start, end = history_sim.month_bounds("2026-11", ZONE)
    path = fresh(folder / f"month-{size}.db")
    summary, wall, cpu = timed(
        lambda: history_sim.simulate(path, inventory, start, end, progress=_progress)
    )
    return {
        "targets": size,
        "month": "2026-11",
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "maintain_wall_seconds": summary.maintain_seconds,
        "maintain_cpu_seconds": summary.maintain_cpu_seconds,
        "results": summary.results,
        "interface_rows": summary.interface_rows,
        "bytes": history_sim.database_bytes(path),
    }


def _progress(line: str) -> None:
    print(f"  {line}", flush=True)


# Year ---------------------------------------------------------------------------------


def measure_year(folder: Path, months: int, max_minutes: float) -> dict[str, Any]:
    """Build the history of ``months`` months both ways; return both sizes."""
    inventory = inventory_of(100, folder)
    history_start = float(history.month_start(END, ZONE, months))
    full_path = fresh(folder / "year-full.db")
    print(f"full path: {months} months of 100 targets, stops after {max_minutes:g} minutes")
    deadline = time.monotonic() + max_minutes * 60
    full, full_wall, full_cpu = timed(
        lambda: history_sim.simulate(
            full_path, inventory, history_start, END, progress=_progress, deadline=deadline
        )
    )
    reached = full.end
    complete = reached >= END
    if not complete:
        # Apply retention at the day reached, as the estimate below does.
        print(f"stopped at {datetime.fromtimestamp(reached, ZONE).isoformat()}")

    print("estimate: the method of tests/test_history_budget.py over the same days")
    estimate_path = fresh(folder / "year-estimate.db")
    _, estimate_wall, estimate_cpu = timed(
        lambda: history_sim.estimate_history(
            estimate_path,
            inventory,
            now=reached,
            history_start=history_start,
            progress=_progress,
        )
    )
    full_bytes = history_sim.database_bytes(full_path)
    estimate_bytes = history_sim.database_bytes(estimate_path)
    return {
        "months_requested": months,
        "days_simulated": (reached - history_start) / DAY,
        "complete": complete,
        "full_path": {
            "bytes": full_bytes,
            "wall_seconds": full_wall,
            "cpu_seconds": full_cpu,
            "seconds_per_simulated_day": full_wall / max((reached - history_start) / DAY, 1e-9),
            "tables": history_sim.table_bytes(full_path),
        },
        "estimate": {
            "bytes": estimate_bytes,
            "wall_seconds": estimate_wall,
            "cpu_seconds": estimate_cpu,
            "tables": history_sim.table_bytes(estimate_path),
        },
        "estimate_to_full_ratio": estimate_bytes / full_bytes,
    }


# Output -------------------------------------------------------------------------------


def print_hours(figures: list[dict[str, Any]]) -> None:
    print()
    print(
        "| targets | raw rows in the hour | rollup wall | rollup CPU | rows/s "
        "| pack wall | pack CPU | hot B/result | packed B/result | hot B/interface row "
        "| packed B/interface row |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in figures:
        raw = row["results_in_hour"] + row["interface_rows_in_hour"]
        print(
            f"| {row['targets']:,} | {raw:,} | {row['rollup_wall_seconds']:.2f} s "
            f"| {row['rollup_cpu_seconds']:.2f} s | {row['rollup_rows_per_second']:,.0f} "
            f"| {row['pack_wall_seconds']:.2f} s | {row['pack_cpu_seconds']:.2f} s "
            f"| {row['hot_bytes_per_result']:.0f} | {row['packed_bytes_per_result']:.1f} "
            f"| {row['hot_bytes_per_interface_row']:.0f} "
            f"| {row['packed_bytes_per_interface_row']:.1f} |"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the parts asked for; print tables and optionally write JSON. Exit status 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", choices=("rollup", "year"), help="what to measure")
    parser.add_argument(
        "--targets", type=int, nargs="+", default=[100, 1000], help="sizes for one hour"
    )
    parser.add_argument(
        "--month-targets",
        type=int,
        nargs="*",
        default=[100],
        help="sizes for a whole month through the real path (none: skip)",
    )
    parser.add_argument("--months", type=int, default=14, help="months of history for 'year'")
    parser.add_argument(
        "--max-minutes", type=float, default=240.0, help="bound of the full run of 'year'"
    )
    parser.add_argument("--folder", type=Path, help="keep the databases here (default: temporary)")
    parser.add_argument("--json-output", type=Path, help="write every figure as JSON here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pantau-history-bench-") as temporary:
        folder = args.folder or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        figures: dict[str, Any] = {}
        if args.part == "rollup":
            hours = []
            for size in args.targets:
                print(f"one hour of {size} targets", flush=True)
                hours.append(measure_hour(size, folder))
            figures["hours"] = hours
            print_hours(hours)
            months = []
            for size in args.month_targets:
                print(f"\na month of {size} targets through the real path", flush=True)
                months.append(measure_month(size, folder))
                row = months[-1]
                print(
                    f"month of {size} targets: {row['wall_seconds']:,.0f} s wall, "
                    f"{row['cpu_seconds']:,.0f} s CPU (maintain {row['maintain_wall_seconds']:,.0f}"
                    f" s wall), {row['bytes'] / 1e6:,.1f} MB"
                )
            figures["months"] = months
        else:
            year = measure_year(folder, args.months, args.max_minutes)
            figures["year"] = year
            print(json.dumps(year, indent=2))
        figures["peak_rss_mib"] = peak_rss_mib()
        if args.json_output:
            args.json_output.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
