"""Alert delivery survives kill -9 of the whole daemon: nothing lost, duplicates bounded.

The outbox is filled before the daemon starts, the daemon delivers it to a
local receiver on 127.0.0.1, and the test kills it with SIGKILL a few parts
into each run, fifty times, then lets one last run finish. Every event must
arrive, in order, and each kill may repeat at most the one part whose
acknowledgement it cut off.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor import config
from monitor.alerts import outbox
from monitor.events import CRITICAL, DOWN, Event
from monitor.storage import Storage
from tests.alerts_receiver import Receiver, Reply, free_port
from tests.lab.netns import REPOSITORY_ROOT

KILLS = 50
EVENTS = 320
EVENT_NAME = re.compile(r"ev-\d{4}")

pytestmark = pytest.mark.slow


def write_inventory(directory: Path, metrics_port: int) -> Path:
    path = directory / "pantau.toml"
    path.write_text(
        f"""
[daemon]
listen = "127.0.0.1:{metrics_port}"
database = "pantau.db"
language = "en"

[defaults]
interval = "30s"

[alerts]
group_window = "0s"

[[channels]]
name = "noc"
url_env = "PANTAU_TEST_CHAT_URL"
max_length = 200
rate = "100/s"

[[targets]]
name = "loopback"
address = "127.0.0.1"
group = "Diskominfo"
network = "opd"
"""
    )
    return path


def seed_outbox(inventory: config.Inventory, count: int) -> None:
    events = [
        Event(
            kind=DOWN,
            target=f"ev-{number:04d}",
            at=1_796_400_000.0 + number,
            status="down",
            previous="up",
            severity=CRITICAL,
            reason="no_reply",
            since=1_796_399_940.0 + number,
            group="Bappeda",
            network="opd",
            address="10.20.0.1",
        )
        for number in range(count)
    ]
    storage = Storage(inventory.daemon.database)
    storage.open()
    storage.start()
    try:
        queued = storage.submit(outbox.enqueue(events, inventory.channels, time.time()))
        assert queued.result(30) == count
    finally:
        storage.close()


def start_daemon(inventory_path: Path, url: str) -> subprocess.Popen[bytes]:
    env = {
        "PYTHONPATH": str(REPOSITORY_ROOT),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PANTAU_TEST_CHAT_URL": url,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "run", "-c", str(inventory_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def delivered(receiver: Receiver) -> list[str]:
    """Return the text of every complete POST; a kill can cut a request body short."""
    return [post.body["message"] for post in list(receiver.posts) if "message" in post.body]


def test_kill_9_during_delivery_loses_nothing(tmp_path: Path) -> None:
    inventory_path = write_inventory(tmp_path, free_port())
    url_port = free_port()
    url = f"json://127.0.0.1:{url_port}/"
    inventory = config.load(inventory_path, environ={"PANTAU_TEST_CHAT_URL": url})
    seed_outbox(inventory, EVENTS)

    rng = random.Random(20261204)
    receiver = Receiver(port=url_port)
    # A slow chat service widens the window in which a kill cuts off a response.
    receiver.script(*(Reply(delay=rng.uniform(0.0, 0.03)) for _ in range(10 * EVENTS)))
    receiver.accept()
    kills = 0
    try:
        for _ in range(KILLS):
            before = len(receiver.posts)
            daemon = start_daemon(inventory_path, url)
            wanted = before + rng.randint(1, 6)
            deadline = time.monotonic() + 60
            while len(receiver.posts) < wanted and time.monotonic() < deadline:
                assert daemon.poll() is None, "the daemon exited on its own"
                time.sleep(0.005)
            assert len(receiver.posts) >= wanted, "the daemon delivered nothing within 60 s"
            daemon.send_signal(signal.SIGKILL)
            daemon.wait(timeout=10)
            kills += 1

        texts = delivered(receiver)
        delivered_during_kills = {name for text in texts for name in EVENT_NAME.findall(text)}
        assert len(delivered_during_kills) < EVENTS, "the outbox ran dry before the last kill"

        daemon = start_daemon(inventory_path, url)
        try:
            complete = receiver.wait_for(
                lambda r: (
                    len({n for text in delivered(r) for n in EVENT_NAME.findall(text)}) == EVENTS
                ),
                timeout=120,
            )
            assert complete, "not every event arrived after the last restart"
        finally:
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=30) == 0
    finally:
        receiver.refuse()

    texts = delivered(receiver)
    duplicates = len(texts) - len(set(texts))
    first_seen: list[str] = []
    for text in texts:
        for name in EVENT_NAME.findall(text):
            if name not in first_seen:
                first_seen.append(name)
    print(f"kills={kills} parts_received={len(texts)} duplicates={duplicates} events={EVENTS}")
    assert sorted(first_seen) == [f"ev-{number:04d}" for number in range(EVENTS)]
    assert first_seen == sorted(first_seen), "events arrived out of order"
    assert duplicates <= kills


def test_late_start_sends_summary_once(tmp_path: Path) -> None:
    url_port = free_port()
    url = f"json://127.0.0.1:{url_port}/"
    inventory_path = write_inventory(tmp_path, free_port())
    # Two minutes ago in the daemon's time zone: the summary time passed
    # while the daemon was not running.
    passed = datetime.now(ZoneInfo("Asia/Jakarta")) - timedelta(minutes=2)
    text = inventory_path.read_text().replace(
        'group_window = "0s"', f'group_window = "0s"\ndaily_summary = "{passed:%H:%M}"'
    )
    inventory_path.write_text(text)
    receiver = Receiver(port=url_port)
    receiver.accept()
    try:
        daemon = start_daemon(inventory_path, url)
        try:
            arrived = receiver.wait_for(lambda r: len(delivered(r)) >= 1, timeout=60)
            assert arrived, "no summary within 60 s of the start"
        finally:
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=30) == 0
        assert "DAILY SUMMARY" in delivered(receiver)[0]

        # A restart the same day sends no second summary.
        daemon = start_daemon(inventory_path, url)
        try:
            time.sleep(5)
        finally:
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=30) == 0
        assert len(delivered(receiver)) == 1
    finally:
        receiver.refuse()
