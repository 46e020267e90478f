"""Delivery driver for the kill -9 test: Storage + Sender against a receiver on 127.0.0.1.

Usage: python -m tests.alerts_driver DATABASE PORT EVENTS

It queues EVENTS down events ("ev-0000", ...) in batches of five, the same
ones on every start (the outbox ignores those already queued), prints
"ready" once the sender runs, and exits 0 when nothing is left to deliver.
The test kills it with SIGKILL at random points and starts it again.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from monitor import config
from monitor.alerts import outbox
from monitor.alerts import sender as sender_module
from monitor.events import CRITICAL, DOWN, Event
from monitor.storage import Storage

BATCH = 5
MAX_LENGTH = 250  # characters per part, so that most messages have several parts
# Parts per minute: slow enough that each run is killed in the middle of sending.
RATE = 1200.0
# Far more than a run needs; it only ends a driver that cannot deliver.
RUN_LIMIT = 120.0


def make_event(number: int) -> Event:
    """Return down event ``number``; its target name "ev-NNNN" identifies it in the text."""
    return Event(
        kind=DOWN,
        target=f"ev-{number:04d}",
        at=1_764_806_400.0 + number,
        status="down",
        previous="up",
        severity=CRITICAL,
        reason="no_reply",
        since=1_764_806_340.0,
        group="Bappeda",
        network="opd",
        address="127.0.0.1",
    )


def make_channel(url: str, name: str = "receiver", **overrides: Any) -> config.Channel:
    """Return a JSON channel to ``url`` that takes every severity and is not rate-limited."""
    settings: dict[str, Any] = {"min_severity": "info", "rate": 6000.0}
    settings.update(overrides)
    return config.Channel(name=name, url=config.Secret("PANTAU_TEST_URL", url), **settings)


def make_inventory(
    database: Path, *channels: config.Channel, group_window: float = 0.0
) -> config.Inventory:
    """Return an inventory with ``channels`` and no target, its database at ``database``."""
    daemon = config.DaemonSettings(
        listen_host="127.0.0.1",
        listen_port=9470,
        database=database,
        language="en",
        timezone="Asia/Jakarta",
        log_level="INFO",
    )
    return config.Inventory(
        path=database.with_suffix(".toml"),
        daemon=daemon,
        defaults=config.TargetSettings(),
        targets=(),
        credentials={},
        channels=channels,
        alerts=config.AlertSettings(group_window=group_window),
    )


async def drive(database: Path, port: int, count: int) -> int:
    storage = Storage(database)
    storage.open()
    storage.start()
    channel = make_channel(f"json://127.0.0.1:{port}/", rate=RATE, max_length=MAX_LENGTH)
    inventory = make_inventory(database, channel)
    sender = sender_module.Sender(storage, inventory)
    task = asyncio.create_task(sender.run())
    print("ready", flush=True)

    for start in range(0, count, BATCH):
        events = [make_event(number) for number in range(start, min(start + BATCH, count))]
        await asyncio.wrap_future(
            storage.submit(outbox.enqueue(events, inventory.channels, time.time()))
        )
        sender.wake()
        await asyncio.sleep(0.05)

    deadline = time.monotonic() + RUN_LIMIT
    while time.monotonic() < deadline:
        counts = await asyncio.wrap_future(storage.submit(outbox.counts()))
        if not counts:
            break
        await asyncio.sleep(0.05)
    else:
        print("not delivered within the run limit", file=sys.stderr)
        return 1

    await sender.stop()
    await task
    storage.close()
    return 0


def main() -> int:
    database, port, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    # Short retries: the receiver never fails here, only the driver dies.
    sender_module.RETRY_INITIAL_DELAY = 0.05
    sender_module.RETRY_MAX_DELAY = 0.5
    return asyncio.run(drive(database, port, count))


if __name__ == "__main__":
    sys.exit(main())
