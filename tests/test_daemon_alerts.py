"""Statuses and chat alerts end to end: the real daemon, a lab network, a local receiver.

The daemon runs inside the lab's prober namespace and posts to Apprise's
JSON plugin; the receiver listens on that namespace's loopback and records
every POST with its arrival time, so the tests count messages exactly and
measure how long an alert took.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from monitor import history
from monitor.config import HistorySettings
from monitor.storage import Storage, connect_readonly
from tests.alerts_receiver import ReceiverProcess, Recorded
from tests.lab.netns import Host, Lab
from tests.test_daemon import ENV, RunningDaemon, value

RECEIVER_PORT = 9480
CHANNEL_ENV = {"PANTAU_TEST_CHAT_URL": f"json://127.0.0.1:{RECEIVER_PORT}/"}
INTERVAL = 1.0
DOWN_AFTER = 2
GROUP_WINDOW = 2.0
ZONE = "Asia/Jakarta"

pytestmark = pytest.mark.netns


def inventory_text(targets: str, *, database: str = "pantau.db", listen: int = 9470) -> str:
    return f"""
[daemon]
listen = "127.0.0.1:{listen}"
database = "{database}"
language = "en"

[defaults]
interval = "{INTERVAL:g}s"
timeout = "300ms"
down_after = {DOWN_AFTER}
up_after = 1
icmp = {{ count = 3, packet_interval = "50ms" }}

[alerts]
group_window = "{GROUP_WINDOW:g}s"

[[channels]]
name = "noc"
url_env = "PANTAU_TEST_CHAT_URL"
min_severity = "warning"
{targets}
"""


def target_text(name: str, host: Host, group: str, **extra: str) -> str:
    lines = [
        "[[targets]]",
        f'name = "{name}"',
        f'address = "{host.ipv4}"',
        f'group = "{group}"',
        'network = "opd"',
        *(f'{key} = "{text}"' for key, text in extra.items()),
    ]
    return "\n".join(lines) + "\n"


class RecordingReceiver(ReceiverProcess):
    """tests/alerts_receiver.py running inside the prober namespace."""

    def __init__(self, lab: Lab, record: Path) -> None:
        super().__init__(lab.prober, RECEIVER_PORT, record, ENV)

    def wait_for_count(self, count: int, timeout: float) -> list[Recorded]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            posts = self.posts()
            if len(posts) >= count:
                return posts
            time.sleep(0.1)
        raise AssertionError(f"expected {count} messages, got {self.messages()}")


@pytest.fixture
def receiver(lab: Lab, tmp_path: Path) -> Iterator[RecordingReceiver]:
    running = RecordingReceiver(lab, tmp_path / "posts.jsonl")
    yield running
    running.stop()


def status_is(target: str, status: str) -> Callable[[dict], bool]:
    return lambda samples: value(samples, "pantau_target_status", target=target, status=status) == 1


def all_status(targets: list[str], status: str) -> Callable[[dict], bool]:
    return lambda samples: all(status_is(name, status)(samples) for name in targets)


# Settling time after the last expected message: enough for any stray child
# alert (down_after cycles after the parent's) plus its grouping window.
SETTLE = (DOWN_AFTER + 2) * INTERVAL + GROUP_WINDOW + 1.0


def test_core_cut_one_message_with_children(
    lab: Lab, tmp_path: Path, receiver: RecordingReceiver
) -> None:
    core = lab.add_host("core")
    branches = [lab.add_host(f"opd{number}", behind=core) for number in (1, 2, 3)]
    groups = ["Bappeda", "BPKD", "Dinas Pariwisata"]
    targets = target_text("core-router", core, "Diskominfo") + "".join(
        target_text(f"opd{number}-router", branch, group, parent="core-router")
        for number, branch, group in zip((1, 2, 3), branches, groups, strict=True)
    )
    inventory = tmp_path / "pantau.toml"
    inventory.write_text(inventory_text(targets))
    names = ["core-router", "opd1-router", "opd2-router", "opd3-router"]

    daemon = RunningDaemon(lab, inventory, env=CHANNEL_ENV)
    try:
        daemon.wait_for(all_status(names, "up"))
        cut_at = time.time()
        core.cut_uplink()

        posts = receiver.wait_for_count(1, timeout=30)
        daemon.wait_for(all_status(names[1:], "unreachable"))
        samples = daemon.wait_for(status_is("core-router", "down"))
        time.sleep(SETTLE)
        messages = receiver.messages()
        assert len(messages) == 1, messages
        assert "core-router" in messages[0]
        for child in names[1:]:
            assert child in messages[0]
        assert "opd1-router (Bappeda)" in messages[0]
        latency = posts[0].time - cut_at
        budget = DOWN_AFTER * INTERVAL + GROUP_WINDOW + 5
        print(f"alert latency {latency:.2f} s after the cut, budget {budget:g} s")
        reason = value(
            samples, "pantau_target_status_reason", target="opd1-router", reason="parent_down"
        )
        assert reason == 1

        # A normal restart while everything is still down sends nothing again.
        assert daemon.stop() == 0
        daemon = RunningDaemon(lab, inventory, env=CHANNEL_ENV)
        daemon.wait_for(status_is("core-router", "down"))
        time.sleep(SETTLE)
        assert len(receiver.messages()) == 1, receiver.messages()

        core.set_loss(0)
        receiver.wait_for_count(2, timeout=30)
        daemon.wait_for(all_status(names, "up"))
        time.sleep(SETTLE)
        messages = receiver.messages()
        assert len(messages) == 2, messages
        assert "core-router" in messages[1]
        assert "recovered" in messages[1].lower() or "up" in messages[1].lower()
    finally:
        daemon.stop()

    db = connect_readonly(tmp_path / "pantau.db")
    rows = list(db.query('SELECT target, status, cause, start, "end" FROM incidents'))
    db.close()
    by_target = {row["target"]: row for row in rows if row["status"] == "down"}
    assert set(by_target) == {"core-router"}
    assert by_target["core-router"]["end"] is not None
    unreachable = {row["target"] for row in rows if row["status"] == "unreachable"}
    assert unreachable == set(names[1:])
    check_history_of_core_cut(tmp_path / "pantau.db", names, cut_at)


def check_history_of_core_cut(database: Path, names: list[str], cut_at: float) -> None:
    """Roll up what the daemon wrote, as its hourly job will, and check the accounting.

    The children were cut off by their parent: their time counts as
    unreachable, never as their own downtime, so their availability stays
    100 %, while the core router's downtime is about as long as the cut.
    """
    storage = Storage(database)
    storage.open()
    storage.start()
    later = time.time() + 3 * 3600
    intervals = dict.fromkeys(names, INTERVAL)
    try:
        while (
            not storage.submit(
                lambda db: history.maintain(
                    db, intervals=intervals, zone=ZONE, now=later, settings=HistorySettings()
                )
            )
            .result(60)
            .done
        ):
            pass
    finally:
        storage.close()
    db = connect_readonly(database)
    try:
        changes = {row[0] for row in db.execute("SELECT target FROM status_changes")}
        start = history.hour_start(cut_at, ZONE) - 3600
        periods = history.target_periods(db, start, start + 3 * 3600, ZONE)
    finally:
        db.close()
    assert changes == set(names)
    core = periods["core-router"]
    assert core.seconds["down"] > DOWN_AFTER * INTERVAL
    assert core.availability is not None
    assert core.availability < 1
    for child in names[1:]:
        period = periods[child]
        assert period.seconds["down"] == 0, (child, period.seconds)
        assert period.seconds["unreachable"] > DOWN_AFTER * INTERVAL, (child, period.seconds)
        assert period.availability == 1.0
        # The restart in the middle left a short stretch without results.
        assert period.seconds["unknown"] > 0


def test_isolated_address_that_answers_raises_isolation_breached(
    lab: Lab, tmp_path: Path, receiver: RecordingReceiver
) -> None:
    executive = lab.add_host("eksekutif")
    executive.silence()
    targets = target_text("ruang-bupati", executive, "Eksekutif", expect="unreachable")
    inventory = tmp_path / "pantau.toml"
    inventory.write_text(inventory_text(targets))

    daemon = RunningDaemon(lab, inventory, env=CHANNEL_ENV)
    try:
        daemon.wait_for(status_is("ruang-bupati", "up"))
        time.sleep(2 * INTERVAL)
        assert receiver.messages() == []

        executive.set_loss(0)
        receiver.wait_for_count(1, timeout=30)
        samples = daemon.wait_for(status_is("ruang-bupati", "down"))
        assert (
            value(
                samples,
                "pantau_target_status_reason",
                target="ruang-bupati",
                reason="isolation_breached",
            )
            == 1
        )
        message = receiver.messages()[0]
        assert "ruang-bupati" in message
        assert "isolation" in message.lower()
    finally:
        daemon.stop()


def test_slow_replies_degraded_alert(lab: Lab, tmp_path: Path, receiver: RecordingReceiver) -> None:
    server = lab.add_host("server")
    targets = target_text("simpeg-server", server, "BKPSDM")
    inventory = tmp_path / "pantau.toml"
    text = inventory_text(targets).replace(
        "[alerts]", '[defaults.degraded]\nrtt = "100ms"\nsustain = "2s"\n\n[alerts]'
    )
    inventory.write_text(text)

    daemon = RunningDaemon(lab, inventory, env=CHANNEL_ENV)
    try:
        daemon.wait_for(status_is("simpeg-server", "up"))
        with server.respond(delay=0.2):
            receiver.wait_for_count(1, timeout=30)
            samples = daemon.wait_for(status_is("simpeg-server", "degraded"))
            reason = value(
                samples, "pantau_target_status_reason", target="simpeg-server", reason="rtt"
            )
            assert reason == 1
        receiver.wait_for_count(2, timeout=30)
        daemon.wait_for(status_is("simpeg-server", "up"))
        samples = daemon.wait_for(
            lambda found: value(found, "pantau_notifications_pending", channel="noc") == 0
        )
        assert value(samples, "pantau_notifications_sent_total", channel="noc") == 2
        assert value(samples, "pantau_notifications_failed_total", channel="noc") == 0
        assert value(samples, "pantau_storage_write_errors_total") == 0
        assert value(samples, "pantau_storage_rows_written_total") > 0
    finally:
        daemon.stop()

    degraded, recovered = receiver.messages()
    assert "simpeg-server" in degraded
    assert "BKPSDM" in degraded
    assert "100 ms" in degraded
    assert "simpeg-server" in recovered
