"""Cost of the status board per probe result and per tick, at several inventory sizes.

The daemon feeds every probe result to the status board on its event loop
and ticks the board every second, so both must stay small next to the
probes themselves. This measures, in one process and without I/O:

- observe: one result folded in, plus take_dirty() and export() of the
  changed states, as monitor/alerting.py does after every result;
- tick: one pass over every target (maintenance, flapping, reminders);
- outage: a core router going down with every other target behind it,
  cycle by cycle until the events come out.

Run from the repository root: ``python3 bench/status_board.py`` (a few
seconds), or ``--targets 1000 10000 50000``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.config import Inventory, Target, TargetSettings
from monitor.state import Observation, StatusBoard

SETTINGS = TargetSettings(down_after=3, up_after=2)


def make_inventory(count: int, *, behind_core: bool) -> Inventory:
    """Return ``count`` targets; with ``behind_core``, all but the first have it as parent."""
    targets = [
        Target(
            name=f"t{number:05d}",
            address=f"127.{number // 65536}.{number // 256 % 256}.{number % 256}",
            group=f"OPD {number % 40}",
            network="opd",
            probes=("icmp",),
            parent="t00000" if behind_core and number else None,
            description="",
            settings=SETTINGS,
            snmp=None,
            placeholder=False,
        )
        for number in range(count)
    ]
    return Inventory(
        path=Path("bench.toml"),
        daemon=None,  # type: ignore[arg-type]  # the board does not read it
        defaults=SETTINGS,
        targets=tuple(targets),
        credentials={},
        channels=(),
    )


def observe_all(board: StatusBoard, names: list[str], at: float, success: bool) -> int:
    events = 0
    for name in names:
        reason = "ok" if success else "no_reply"
        measurements = {"loss": 0.0 if success else 1.0, "rtt": 0.01}
        outcome = board.observe(Observation(name, at, "icmp", success, reason, measurements))
        events += len(outcome.events)
        for dirty in board.take_dirty():
            board.export(dirty)
    return events


def measure(count: int) -> dict[str, float]:
    inventory = make_inventory(count, behind_core=False)
    names = [target.name for target in inventory.targets]
    board = StatusBoard(inventory)
    observe_all(board, names, 1000.0, True)

    started = time.perf_counter()
    observe_all(board, names, 1030.0, True)
    observe_seconds = (time.perf_counter() - started) / count

    ticks = []
    for step in range(5):
        started = time.perf_counter()
        board.tick(1031.0 + step)
        ticks.append(time.perf_counter() - started)

    outage_inventory = make_inventory(count, behind_core=True)
    outage = StatusBoard(outage_inventory)
    outage_names = [target.name for target in outage_inventory.targets]
    observe_all(outage, outage_names, 1000.0, True)
    started = time.perf_counter()
    events = 0
    for cycle in range(1, 4):
        events += observe_all(outage, outage_names, 1000.0 + 30 * cycle, False)
    outage_seconds = time.perf_counter() - started
    return {
        "observe_us": observe_seconds * 1e6,
        "tick_ms": statistics.median(ticks) * 1e3,
        "outage_s": outage_seconds,
        "outage_events": events,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, nargs="+", default=[1000, 10000])
    arguments = parser.parse_args()
    if any(not 1 <= count <= 100_000 for count in arguments.targets):
        parser.error("--targets takes 1 to 100000")

    print(f"{'targets':>8} {'observe us':>11} {'tick ms':>8} {'outage s':>9} {'events':>7}")
    for count in arguments.targets:
        figures = measure(count)
        print(
            f"{count:>8} {figures['observe_us']:>11.0f} {figures['tick_ms']:>8.1f}"
            f" {figures['outage_s']:>9.2f} {figures['outage_events']:>7.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
