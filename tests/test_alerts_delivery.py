"""Tests of alert delivery: the outbox in SQLite, the sender, Apprise and `pantau notify-test`.

Chat services are played by tests/alerts_receiver.py on 127.0.0.1: Apprise's
JSON plugin posts to it, and so does its real Telegram plugin once the
plugin's Bot API base URL points there. Nothing leaves this machine.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import select
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from apprise.plugins import telegram as apprise_telegram

from monitor import cli, config
from monitor.alerts import outbox, render
from monitor.alerts import sender as sender_module
from monitor.alerts.outbox import RenderedMessage
from monitor.alerts.sender import (
    AppriseTransport,
    DeliveryError,
    Sender,
    TokenBucket,
    retry_delay,
)
from monitor.events import CRITICAL, DOWN, INFO, RECOVERED, WARNING, Event
from monitor.storage import MESSAGES_TABLE, OUTBOX_TABLE, Storage, connect_readonly
from tests.alerts_driver import make_channel, make_event, make_inventory
from tests.alerts_receiver import Receiver, Reply, telegram_error

REPOSITORY = Path(__file__).resolve().parents[1]
# Upper bound of every wait. Tests wait for a state, never for a duration,
# so this only limits how long a broken build hangs.
WAIT_LIMIT = 60.0
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
CHAT_ID = "-1001234567890"
START = 1_764_806_400.0


# Fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = Storage(tmp_path / "pantau.db")
    store.open()
    store.start()
    yield store
    store.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.accept()
    yield server
    server.refuse()


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shrink the backoff to fractions of a second, so outages end quickly."""
    monkeypatch.setattr(sender_module, "RETRY_INITIAL_DELAY", 0.05)
    monkeypatch.setattr(sender_module, "RETRY_MAX_DELAY", 0.2)


@pytest.fixture
def fake_bot_api(receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Receiver:
    """Point Apprise's Telegram plugin at the receiver instead of the Bot API."""
    monkeypatch.setattr(
        apprise_telegram.NotifyTelegram, "notify_url", f"http://127.0.0.1:{receiver.port}/bot"
    )
    return receiver


def run(storage: Storage, operation: Callable[[Any], Any]) -> Any:
    return storage.submit(operation).result(WAIT_LIMIT)


def plain(events: Any) -> RenderedMessage:
    """Render events as one part of their target names, for tests of the outbox alone."""
    return RenderedMessage("text", (" ".join(event.target for event in events),))


async def eventually(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not condition():
        assert time.monotonic() < deadline, "condition not reached within the wait limit"
        await asyncio.sleep(0.02)


async def with_sender(
    storage: Storage,
    inventory: config.Inventory,
    scenario: Callable[[Sender], Awaitable[None]],
    **options: Any,
) -> Sender:
    """Run a sender while ``scenario`` runs, then stop it."""
    sender = Sender(storage, inventory, **options)
    task = asyncio.create_task(sender.run())
    try:
        await scenario(sender)
    finally:
        await sender.stop()
        await task
    return sender


async def enqueue(storage: Storage, sender: Sender, events: list[Event]) -> None:
    inventory = sender._inventory
    operation = outbox.enqueue(events, inventory.channels, time.time())
    await asyncio.wrap_future(storage.submit(operation))
    sender.wake()


def targets_in(text: str, events: list[Event]) -> list[str]:
    return [event.target for event in events if event.target in text]


def message_rows(storage: Storage) -> list[dict[str, Any]]:
    def read(db: Any) -> list[dict[str, Any]]:
        return list(db.query(f"SELECT * FROM {MESSAGES_TABLE} ORDER BY id"))

    rows: list[dict[str, Any]] = run(storage, read)
    return rows


def event(number: int, kind: str = DOWN, severity: str = CRITICAL, **fields: Any) -> Event:
    values: dict[str, Any] = {
        "kind": kind,
        "target": f"opd-{number:03d}",
        "at": START + number,
        "status": "down" if kind == DOWN else "up",
        "previous": "up" if kind == DOWN else "down",
        "severity": severity,
        "reason": "no_reply",
        "since": START - 60,
        "group": "Bappeda",
        "network": "opd",
        "address": "127.0.0.1",
    }
    values.update(fields)
    return Event(**values)


# Outbox ---------------------------------------------------------------------------------------


def test_enqueue_twice_adds_nothing(storage: Storage, tmp_path: Path) -> None:
    channels = (make_channel("json://127.0.0.1:1/", "a"), make_channel("json://127.0.0.1:1/", "b"))
    events = [event(1), event(2)]

    first = run(storage, outbox.enqueue(events, channels, START))
    second = run(storage, outbox.enqueue(events, channels, START + 5))

    assert first == 4
    assert second == 0
    rows = run(storage, lambda db: db.execute(f"SELECT COUNT(*) FROM {OUTBOX_TABLE}").fetchone())
    assert rows[0] == 4


def test_enqueue_follows_routing(storage: Storage) -> None:
    everything = make_channel("json://127.0.0.1:1/", "everything")
    critical_only = make_channel("json://127.0.0.1:1/", "critical", min_severity="critical")
    other_group = make_channel("json://127.0.0.1:1/", "dinkes", groups=("Dinkes",))

    run(
        storage,
        outbox.enqueue(
            [event(1, severity=WARNING)], (everything, critical_only, other_group), START
        ),
    )

    counts = run(storage, outbox.counts())
    assert set(counts) == {"everything"}


def test_enqueue_stores_event_round_trip(storage: Storage) -> None:
    original = event(7, values={"loss": 0.4, "loss_limit": 0.2})
    run(storage, outbox.enqueue([original], (make_channel("json://127.0.0.1:1/"),), START))

    text = run(storage, lambda db: db.execute(f"SELECT event FROM {OUTBOX_TABLE}").fetchone()[0])

    assert Event.from_json(text) == original


def test_seal_waits_for_group_window(storage: Storage) -> None:
    channel = make_channel("json://127.0.0.1:1/")
    run(storage, outbox.enqueue([event(1)], (channel,), START))

    early = run(storage, outbox.seal(channel.name, START + 9.9, 10.0, plain))
    run(storage, outbox.enqueue([event(2)], (channel,), START + 9.95))
    on_time = run(storage, outbox.seal(channel.name, START + 10.0, 10.0, plain))

    assert early is None
    assert on_time is not None
    messages = run(storage, outbox.due(channel.name, START + 10.0))
    assert [m.parts for m in messages] == [("opd-001 opd-002",)]
    assert messages[0].markup == "text"
    assert messages[0].parts_sent == 0


def test_seal_waits_while_message_pending(storage: Storage) -> None:
    channel = make_channel("json://127.0.0.1:1/")
    run(storage, outbox.enqueue([event(1)], (channel,), START))
    first = run(storage, outbox.seal(channel.name, START, 0.0, plain))
    run(storage, outbox.enqueue([event(2), event(3)], (channel,), START + 1))

    blocked = run(storage, outbox.seal(channel.name, START + 2, 0.0, plain))
    run(storage, outbox.mark_part_sent(first, 0, START + 3))
    second = run(storage, outbox.seal(channel.name, START + 4, 0.0, plain))

    assert blocked is None
    assert second is not None
    messages = run(storage, outbox.due(channel.name, START + 4))
    assert [m.parts for m in messages] == [("opd-002 opd-003",)]


def test_seal_limits_events_per_message(storage: Storage) -> None:
    channel = make_channel("json://127.0.0.1:1/")
    run(storage, outbox.enqueue([event(n) for n in range(5)], (channel,), START))

    run(storage, outbox.seal(channel.name, START, 0.0, plain, max_events=3))
    messages = run(storage, outbox.due(channel.name, START))

    assert messages[0].parts == ("opd-000 opd-001 opd-002",)
    assert run(storage, outbox.counts())[channel.name].pending_events == 5


def test_seal_rejects_empty_render(storage: Storage) -> None:
    channel = make_channel("json://127.0.0.1:1/")
    run(storage, outbox.enqueue([event(1)], (channel,), START))

    future = storage.submit(
        outbox.seal(channel.name, START, 0.0, lambda events: RenderedMessage("text", ()))
    )

    with pytest.raises(ValueError, match="no parts"):
        future.result(WAIT_LIMIT)
    assert run(storage, outbox.due(channel.name, START)) == []


def test_due_stops_at_message_not_due(storage: Storage) -> None:
    channel = make_channel("json://127.0.0.1:1/")
    run(storage, outbox.enqueue([event(1)], (channel,), START))
    first = run(storage, outbox.seal(channel.name, START, 0.0, plain))
    run(storage, outbox.mark_failed(first, "HTTP 500", START + 30))

    assert run(storage, outbox.due(channel.name, START + 29)) == []
    assert [m.id for m in run(storage, outbox.due(channel.name, START + 30))] == [first]
    # A retry time more than an hour ahead means the clock was stepped back.
    far = run(storage, outbox.due(channel.name, START + 30 - outbox.MAX_RETRY_AHEAD - 1))
    assert [m.id for m in far] == [first]


def test_mark_failed_keeps_error(storage: Storage) -> None:
    channel = make_channel("json://127.0.0.1:1/")
    run(storage, outbox.enqueue([event(1)], (channel,), START))
    message = run(storage, outbox.seal(channel.name, START, 0.0, plain))

    run(storage, outbox.mark_failed(message, "unreachable: connection refused", START + 5))
    run(storage, outbox.mark_failed(message, "server_error: HTTP 500", START + 10))

    row = message_rows(storage)[0]
    assert row["attempts"] == 2
    assert row["last_error"] == "server_error: HTTP 500"
    assert row["next_attempt"] == START + 10
    assert row["state"] == "pending"


def test_mark_part_sent_in_order(storage: Storage) -> None:
    channel = make_channel("json://127.0.0.1:1/")
    run(storage, outbox.enqueue([event(1)], (channel,), START))
    three = lambda events: RenderedMessage("text", ("a", "b", "c"))  # noqa: E731
    message = run(storage, outbox.seal(channel.name, START, 0.0, three))

    assert run(storage, outbox.mark_part_sent(message, 0, START + 1)) == 1
    assert run(storage, outbox.mark_part_sent(message, 0, START + 2)) == 1  # replayed
    with pytest.raises(ValueError, match="1 of 3 parts"):
        storage.submit(outbox.mark_part_sent(message, 2, START + 3)).result(WAIT_LIMIT)
    assert run(storage, outbox.mark_part_sent(message, 1, START + 4)) == 2
    assert message_rows(storage)[0]["state"] == "pending"
    assert run(storage, outbox.mark_part_sent(message, 2, START + 5)) == 3

    row = message_rows(storage)[0]
    assert row["state"] == "sent"
    assert row["sent"] == START + 5
    assert run(storage, outbox.due(channel.name, START + 6)) == []


def test_counts_pending_and_oldest(storage: Storage) -> None:
    a = make_channel("json://127.0.0.1:1/", "a")
    b = make_channel("json://127.0.0.1:1/", "b")
    run(storage, outbox.enqueue([event(1)], (a, b), START))
    run(storage, outbox.enqueue([event(2)], (a,), START + 20))
    sealed = run(storage, outbox.seal("b", START + 30, 0.0, plain))
    run(storage, outbox.mark_part_sent(sealed, 0, START + 31))

    counts = run(storage, outbox.counts())

    assert set(counts) == {"a"}
    assert counts["a"].pending_events == 2
    assert counts["a"].pending_messages == 0
    assert counts["a"].oldest_age(START + 100) == 100


def test_purge_sent_keeps_pending(storage: Storage) -> None:
    channel = make_channel("json://127.0.0.1:1/")
    run(storage, outbox.enqueue([event(1)], (channel,), START))
    sent = run(storage, outbox.seal(channel.name, START, 0.0, plain))
    run(storage, outbox.mark_part_sent(sent, 0, START + 1))
    run(storage, outbox.enqueue([event(2)], (channel,), START + 2))
    run(storage, outbox.seal(channel.name, START + 2, 0.0, plain))

    removed = run(storage, outbox.purge_sent(START + 10))

    assert removed == 1
    assert [row["state"] for row in message_rows(storage)] == ["pending"]
    assert run(storage, outbox.counts())[channel.name].pending_events == 1


# Rate limit and backoff --------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_spaces_reservations() -> None:
    clock = FakeClock()
    bucket = TokenBucket(20, burst=1, clock=clock)

    waits = [bucket.reserve() for _ in range(5)]

    assert waits == pytest.approx([0.0, 3.0, 6.0, 9.0, 12.0])


def test_token_bucket_refills_to_burst_only() -> None:
    clock = FakeClock()
    bucket = TokenBucket(60, burst=2, clock=clock)
    bucket.reserve()
    clock.now = 3600.0

    waits = [bucket.reserve() for _ in range(3)]

    assert waits == pytest.approx([0.0, 0.0, 1.0])


def test_token_bucket_sends_per_minute() -> None:
    """Sending whenever the bucket allows, at most burst + rate sends fit in a minute."""
    clock = FakeClock()
    bucket = TokenBucket(20, burst=1, clock=clock)
    sent_at: list[float] = []

    while clock.now < 600.0:
        wait = bucket.reserve()
        clock.now += wait
        sent_at.append(clock.now)

    for start in range(0, 540, 7):
        in_window = [t for t in sent_at if start <= t < start + 60]
        assert len(in_window) <= 21
    assert len([t for t in sent_at if t < 60]) == 20


def test_token_bucket_hold_for_retry_after() -> None:
    clock = FakeClock()
    bucket = TokenBucket(6000, burst=1, clock=clock)
    bucket.hold(7.0)

    first = bucket.reserve()
    clock.now = 7.0
    second = bucket.reserve()

    assert first == pytest.approx(7.0)
    assert second == pytest.approx(0.01)


def test_token_bucket_unlimited() -> None:
    bucket = TokenBucket(None, clock=FakeClock())

    assert [bucket.reserve() for _ in range(100)] == [0.0] * 100


def test_retry_delay_doubles_to_maximum() -> None:
    middle = lambda: 0.5  # noqa: E731 (no jitter)

    delays = [retry_delay(n, rng=middle) for n in range(1, 10)]

    assert delays == [5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0, 600.0, 600.0]


def test_retry_delay_jitter_bounds() -> None:
    assert retry_delay(1, rng=lambda: 0.0) == pytest.approx(4.0)
    assert retry_delay(1, rng=lambda: 1.0) == pytest.approx(6.0)
    assert retry_delay(40, rng=lambda: 1.0) == 600.0


# Apprise transport -------------------------------------------------------------------------


def send_once(url: str, body: str = "hello", markup: str = "text") -> DeliveryError | None:
    transport = AppriseTransport(timeout=WAIT_LIMIT)
    try:
        asyncio.run(transport.send(make_channel(url), "", body, markup))
    except DeliveryError as error:
        return error
    finally:
        transport.close()
    return None


def test_json_receives_body(receiver: Receiver) -> None:
    assert send_once(receiver.json_url, "line 1\nline 2") is None

    assert receiver.messages() == ["line 1\nline 2"]


@pytest.mark.parametrize(
    ("reply", "kind", "retryable", "status"),
    [
        (Reply(500, b"boom"), "server_error", True, 500),
        (Reply(503, b""), "server_error", True, 503),
        (telegram_error(429, "Too Many Requests: retry after 3", 3), "rate_limited", True, 429),
        (telegram_error(401, "Unauthorized"), "unauthorized", False, 401),
        (telegram_error(403, "Forbidden: bot was kicked"), "forbidden", False, 403),
        (telegram_error(404, "Not Found"), "not_found", False, 404),
        (telegram_error(400, "Bad Request: chat not found"), "chat_not_found", False, 400),
        (telegram_error(400, "Bad Request: can't parse entities"), "rejected", False, 400),
    ],
)
def test_json_http_errors_classified(
    receiver: Receiver, reply: Reply, kind: str, retryable: bool, status: int
) -> None:
    receiver.script(reply)

    error = send_once(receiver.json_url)

    assert error is not None
    assert error.kind == kind
    assert error.retryable is retryable
    assert error.status == status
    assert f"HTTP {status}" in error.detail


def test_json_retry_after_from_body(receiver: Receiver) -> None:
    receiver.script(telegram_error(429, "Too Many Requests: retry after 3", 3))

    error = send_once(receiver.json_url)

    assert error is not None
    assert error.retry_after == 3.0


def test_connection_refused_classified(receiver: Receiver) -> None:
    receiver.refuse()

    error = send_once(receiver.json_url)

    assert error is not None
    assert error.kind == "unreachable"
    assert error.retryable is True
    assert "connection refused" in error.detail


def test_slow_service_times_out(receiver: Receiver) -> None:
    receiver.script(Reply(delay=2.0))
    transport = AppriseTransport(timeout=0.5)

    with pytest.raises(DeliveryError) as caught:
        asyncio.run(transport.send(make_channel(receiver.json_url), "", "slow", "text"))
    transport.close()

    assert caught.value.kind == "timeout"
    assert caught.value.retryable is True
    # The slow request still arrives: a timed-out part may be delivered twice.
    assert receiver.wait_for(lambda r: len(r.posts) == 1, WAIT_LIMIT)


def test_invalid_url_not_retryable() -> None:
    error = send_once("nosuchservice://whatever")

    assert error is not None
    assert error.kind == "invalid_url"
    assert error.retryable is False


# Telegram through Apprise's real plugin ---------------------------------------------------------


TELEGRAM_URL = f"tgram://{TOKEN}/{CHAT_ID}"


def test_telegram_html_arrives_as_sent(fake_bot_api: Receiver) -> None:
    text = "🔴 <b>GANGGUAN</b> · Bappeda\n<i>opd-001</i> &amp; 127.0.0.1\nSejak: 22.15 WIB"

    assert send_once(TELEGRAM_URL, text, "html") is None

    [post] = fake_bot_api.posts
    assert post.path == f"/bot{TOKEN}/sendMessage"
    assert post.body["parse_mode"] == "HTML"
    assert str(post.body["chat_id"]) == CHAT_ID
    # Apprise 2.3.0 sends each line feed as CR LF; render.split counts it twice.
    assert post.body["text"].replace("\r\n", "\n") == text


def test_telegram_errors_classified(fake_bot_api: Receiver) -> None:
    fake_bot_api.script(
        telegram_error(401, "Unauthorized"),
        telegram_error(400, "Bad Request: chat not found"),
        telegram_error(429, "Too Many Requests: retry after 7", 7),
    )

    errors = [send_once(TELEGRAM_URL, "x", "html") for _ in range(3)]

    assert [e.kind if e else None for e in errors] == [
        "unauthorized",
        "chat_not_found",
        "rate_limited",
    ]
    assert errors[2] is not None
    assert errors[2].retry_after == 7.0


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_telegram_token_never_in_errors_or_logs(fake_bot_api: Receiver) -> None:
    secret = TOKEN.split(":")[1]
    fake_bot_api.script(telegram_error(401, "Unauthorized"))
    # A handler on the root logger at DEBUG receives what the daemon's log
    # (stderr, the journal) would. pytest's caplog is not used: since pytest
    # 9.2 it also listens on loggers that do not propagate, such as the
    # "apprise" logger that the transport keeps to itself.
    collect = _Collect()
    root = logging.getLogger()
    level = root.level
    root.addHandler(collect)
    root.setLevel(logging.DEBUG)
    try:
        unauthorized = send_once(TELEGRAM_URL)
        fake_bot_api.refuse()
        refused = send_once(TELEGRAM_URL)
    finally:
        root.removeHandler(collect)
        root.setLevel(level)

    for error in (unauthorized, refused):
        assert error is not None
        assert secret not in str(error)
        assert secret not in error.detail
    assert collect.messages, "nothing was logged at all: the check would prove nothing"
    assert all(secret not in message for message in collect.messages)


def test_telegram_long_message_split(
    storage: Storage, fake_bot_api: Receiver, tmp_path: Path
) -> None:
    channel = make_channel(TELEGRAM_URL, "noc-telegram")
    inventory = make_inventory(tmp_path / "pantau.db", channel)
    events = [event(n) for n in range(60)]

    async def scenario(sender: Sender) -> None:
        await enqueue(storage, sender, events)
        await eventually(lambda: not _pending(storage))

    asyncio.run(with_sender(storage, inventory, scenario))

    [row] = message_rows(storage)
    parts = json.loads(row["parts"])
    texts = [post.body["text"] for post in fake_bot_api.posts]
    assert len(parts) > 1
    # Apprise 2.3.0 sends each line feed as CR LF and strips trailing white space.
    assert [t.replace("\r\n", "\n") for t in texts] == [p.rstrip() for p in parts]
    assert all(post.body["parse_mode"] == "HTML" for post in fake_bot_api.posts)
    # Telegram's limit is 4096 UTF-16 code units per message.
    assert all(len(t.encode("utf-16-le")) // 2 <= 4096 for t in texts)
    assert sum(len(targets_in(t, events)) for t in texts) == len(events)
    assert texts[0].startswith(f"(1/{len(parts)})")


# Sender against the JSON receiver -------------------------------------------------------------


def _pending(storage: Storage) -> bool:
    counts: dict[str, Any] = storage.submit(outbox.counts()).result(WAIT_LIMIT)
    return bool(counts)


@pytest.mark.usefixtures("fast_retries")
def test_outage_then_delivered_in_order_once(
    storage: Storage, receiver: Receiver, tmp_path: Path
) -> None:
    inventory = make_inventory(tmp_path / "pantau.db", make_channel(receiver.json_url))
    first = [event(n) for n in range(0, 3)]
    second = [event(n) for n in range(3, 6)]
    third = [event(n, kind=RECOVERED, severity=CRITICAL) for n in range(0, 2)]
    receiver.refuse()

    async def scenario(sender: Sender) -> None:
        await enqueue(storage, sender, first)
        await eventually(lambda: sender.stats()["receiver"].failed >= 3)
        await enqueue(storage, sender, second)
        await enqueue(storage, sender, third)
        await eventually(lambda: sender.stats()["receiver"].failed >= 6)
        receiver.accept()
        await eventually(lambda: not _pending(storage))
        await sender.refresh()

    sender = asyncio.run(with_sender(storage, inventory, scenario))

    texts = receiver.messages()
    assert len(texts) == 2
    assert targets_in(texts[0], first) == ["opd-000", "opd-001", "opd-002"]
    assert targets_in(texts[1], second) == ["opd-003", "opd-004", "opd-005"]
    assert "opd-000" in texts[1]  # the recoveries came after the outage started
    assert len(receiver.posts) == 2
    stats = sender.stats()["receiver"]
    assert stats.sent == 2
    assert stats.failed >= 6
    assert stats.pending == 0
    rows = message_rows(storage)
    assert rows[0]["attempts"] >= 3
    assert "connection refused" in rows[0]["last_error"]


@pytest.mark.usefixtures("fast_retries")
def test_server_errors_then_delivered(storage: Storage, receiver: Receiver, tmp_path: Path) -> None:
    inventory = make_inventory(tmp_path / "pantau.db", make_channel(receiver.json_url))
    receiver.script(Reply(500, b"down"), Reply(502, b"down"), Reply(503, b"down"))

    async def scenario(sender: Sender) -> None:
        await enqueue(storage, sender, [event(1)])
        await eventually(lambda: not _pending(storage))

    sender = asyncio.run(with_sender(storage, inventory, scenario))

    assert [post.answered for post in receiver.posts] == [500, 502, 503, 200]
    assert len(receiver.messages()) == 1
    assert sender.stats()["receiver"].failed == 3


def test_rate_limited_then_delivered(storage: Storage, receiver: Receiver, tmp_path: Path) -> None:
    inventory = make_inventory(tmp_path / "pantau.db", make_channel(receiver.json_url))
    receiver.script(telegram_error(429, "Too Many Requests: retry after 1", 1))

    async def scenario(sender: Sender) -> None:
        await enqueue(storage, sender, [event(1), event(2)])
        await eventually(lambda: not _pending(storage))

    sender = asyncio.run(with_sender(storage, inventory, scenario))

    assert [post.answered for post in receiver.posts] == [429, 200]
    assert targets_in(receiver.messages()[0], [event(1), event(2)]) == ["opd-001", "opd-002"]
    assert sender.stats()["receiver"].failed == 1
    row = message_rows(storage)[0]
    assert row["attempts"] == 1
    assert "HTTP 429" in row["last_error"]
    # The retry waited for retry_after (1 s), not for the first backoff step alone.
    assert row["next_attempt"] - row["created"] >= 1.0


def test_long_message_parts_in_order_once(
    storage: Storage, receiver: Receiver, tmp_path: Path
) -> None:
    channel = make_channel(receiver.json_url, max_length=300)
    inventory = make_inventory(tmp_path / "pantau.db", channel)
    events = [event(n) for n in range(20)]

    async def scenario(sender: Sender) -> None:
        await enqueue(storage, sender, events)
        await eventually(lambda: not _pending(storage))

    asyncio.run(with_sender(storage, inventory, scenario))

    [row] = message_rows(storage)
    parts = json.loads(row["parts"])
    assert len(parts) >= 10
    assert receiver.messages() == [p.rstrip() for p in parts]  # Apprise strips the end
    assert all(len(text) <= 300 for text in receiver.messages())
    found = [name for text in receiver.messages() for name in targets_in(text, events)]
    assert sorted(found) == sorted(e.target for e in events)


@pytest.mark.usefixtures("fast_retries")
def test_failure_midway_resumes_at_failed_part(
    storage: Storage, receiver: Receiver, tmp_path: Path
) -> None:
    channel = make_channel(receiver.json_url, max_length=300)
    inventory = make_inventory(tmp_path / "pantau.db", channel)
    receiver.script(Reply(), Reply(), Reply(500, b"down"))

    async def scenario(sender: Sender) -> None:
        await enqueue(storage, sender, [event(n) for n in range(10)])
        await eventually(lambda: not _pending(storage))

    asyncio.run(with_sender(storage, inventory, scenario))

    parts = json.loads(message_rows(storage)[0]["parts"])
    assert [post.answered for post in receiver.posts][:4] == [200, 200, 500, 200]
    assert receiver.messages() == [p.rstrip() for p in parts]


def test_restart_resends_nothing_acknowledged(receiver: Receiver, tmp_path: Path) -> None:
    database = tmp_path / "pantau.db"
    inventory = make_inventory(database, make_channel(receiver.json_url, max_length=300))
    early = [event(n) for n in range(5)]
    late = [event(n) for n in range(5, 8)]

    async def deliver(events: list[Event]) -> None:
        store = Storage(database)
        store.open()
        store.start()
        try:

            async def scenario(sender: Sender) -> None:
                await enqueue(store, sender, events)
                await eventually(lambda: not _pending(store))

            await with_sender(store, inventory, scenario)
        finally:
            store.close()

    asyncio.run(deliver(early))
    after_first = receiver.messages()
    asyncio.run(deliver(early + late))  # the early events are queued again

    assert receiver.messages()[: len(after_first)] == after_first
    new = receiver.messages()[len(after_first) :]
    assert new
    assert all(targets_in(text, early) == [] for text in new)
    assert sorted(name for text in new for name in targets_in(text, late)) == [
        "opd-005",
        "opd-006",
        "opd-007",
    ]


def test_restart_resumes_partly_sent_message(
    storage: Storage, receiver: Receiver, tmp_path: Path
) -> None:
    """A message whose first part was recorded before a crash continues at its second part."""
    channel = make_channel(receiver.json_url)
    inventory = make_inventory(tmp_path / "pantau.db", channel)
    run(storage, outbox.enqueue([event(1)], (channel,), START))
    three = lambda events: RenderedMessage("text", ("part one", "part two", "part three"))  # noqa: E731
    message = run(storage, outbox.seal(channel.name, START, 0.0, three))
    run(storage, outbox.mark_part_sent(message, 0, START + 1))

    async def scenario(sender: Sender) -> None:
        sender.wake()
        await eventually(lambda: not _pending(storage))

    asyncio.run(with_sender(storage, inventory, scenario))

    assert receiver.messages() == ["part two", "part three"]


class RecordingTransport:
    """Transport that records each send with the sender's view of the bucket."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, channel: config.Channel, title: str, body: str, markup: str) -> None:
        self.sent.append((channel.name, body))


def test_rate_limit_reserves_per_part(
    storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every part takes one token, in order, and the sender waits what the bucket returns."""
    channel = make_channel("json://127.0.0.1:1/", rate=20.0, max_length=300)
    inventory = make_inventory(tmp_path / "pantau.db", channel)
    decisions: list[float] = []
    clock = FakeClock()
    original = TokenBucket.reserve

    def reserve(self: TokenBucket) -> float:
        # The sender sleeps for the returned wait; the fake clock moves
        # instead, and the real sleep is skipped.
        wait = original(self)
        decisions.append(wait)
        clock.now += wait
        return 0.0

    monkeypatch.setattr(TokenBucket, "reserve", reserve)
    real_init = TokenBucket.__init__

    def init(self: TokenBucket, *args: Any, **kwargs: Any) -> None:
        kwargs["clock"] = clock
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(TokenBucket, "__init__", init)
    transport = RecordingTransport()

    async def scenario(sender: Sender) -> None:
        await enqueue(storage, sender, [event(n) for n in range(8)])
        await eventually(lambda: not _pending(storage))

    asyncio.run(with_sender(storage, inventory, scenario, transport=transport))

    parts = json.loads(message_rows(storage)[0]["parts"])
    assert [body for _, body in transport.sent] == parts
    assert len(decisions) == len(parts)
    assert decisions[0] == 0.0
    assert decisions[1:] == pytest.approx([3.0] * (len(parts) - 1))


class FailingTransport:
    """Transport whose channel "broken" always fails and whose other channels work."""

    def __init__(self, error: DeliveryError) -> None:
        self.error = error
        self.sent: list[str] = []

    async def send(self, channel: config.Channel, title: str, body: str, markup: str) -> None:
        if channel.name == "broken":
            raise self.error
        self.sent.append(channel.name)


def test_failing_channel_does_not_block_others(
    storage: Storage, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    error = DeliveryError("unauthorized", False, "HTTP 401: Unauthorized", status=401)
    transport = FailingTransport(error)
    inventory = make_inventory(
        tmp_path / "pantau.db",
        make_channel("json://127.0.0.1:1/", "broken"),
        make_channel("json://127.0.0.1:1/", "working"),
    )

    async def scenario(sender: Sender) -> None:
        await enqueue(storage, sender, [event(1)])
        await eventually(lambda: transport.sent == ["working"])
        await eventually(lambda: sender.stats()["broken"].failed == 1)
        await enqueue(storage, sender, [event(2)])
        await eventually(lambda: transport.sent == ["working", "working"])
        await sender.refresh()

    sender = asyncio.run(with_sender(storage, inventory, scenario, transport=transport))

    stats = sender.stats()
    assert stats["broken"].failed == 1  # not retried for RETRY_MAX_DELAY
    assert stats["broken"].pending == 2
    assert stats["working"].sent == 2
    assert stats["working"].pending == 0
    [record] = [r for r in caplog.records if "Alert delivery failed" in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert "channel=broken" in record.getMessage()
    assert "BotFather" in record.getMessage()  # the fix


def test_removed_channel_counted_and_logged_once(
    storage: Storage, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = make_channel("json://127.0.0.1:1/", "old-channel")
    run(storage, outbox.enqueue([event(1), event(2)], (old,), START))
    inventory = make_inventory(tmp_path / "pantau.db", make_channel("json://127.0.0.1:1/"))
    transport = RecordingTransport()

    async def scenario(sender: Sender) -> None:
        await sender.refresh()
        await sender.refresh()

    sender = asyncio.run(with_sender(storage, inventory, scenario, transport=transport))

    stats = sender.stats()
    assert stats["old-channel"].pending == 2
    assert stats["old-channel"].configured is False
    assert stats["old-channel"].oldest_pending_age > 0
    logged = [r for r in caplog.records if "no longer configured" in r.getMessage()]
    assert len(logged) == 1
    assert "channel=old-channel" in logged[0].getMessage()
    assert transport.sent == []


def test_reload_with_new_url_retries_at_once(storage: Storage, tmp_path: Path) -> None:
    error = DeliveryError("unauthorized", False, "HTTP 401: Unauthorized", status=401)
    transport = FailingTransport(error)
    database = tmp_path / "pantau.db"
    broken = make_channel("json://127.0.0.1:1/", "broken")
    inventory = make_inventory(database, broken)

    async def scenario(sender: Sender) -> None:
        await enqueue(storage, sender, [event(1)])
        await eventually(lambda: sender.stats()["broken"].failed == 1)
        # The operator fixes the token; the channel keeps its name.
        transport.error = DeliveryError("unknown", True, "unused")
        fixed = make_channel("json://127.0.0.1:2/", "broken")
        transport_sent_before = list(transport.sent)
        assert transport_sent_before == []
        sender.apply_inventory(make_inventory(database, fixed))
        await eventually(lambda: sender.stats()["broken"].failed >= 2)

    sender = asyncio.run(with_sender(storage, inventory, scenario, transport=transport))

    assert sender.stats()["broken"].failed >= 2


def test_renderer_failure_sends_plain_text(
    storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(render, "render", broken)
    transport = RecordingTransport()
    inventory = make_inventory(tmp_path / "pantau.db", make_channel("json://127.0.0.1:1/"))

    async def scenario(sender: Sender) -> None:
        await enqueue(storage, sender, [event(1, kind=DOWN, severity=INFO)])
        await eventually(lambda: not _pending(storage))

    asyncio.run(with_sender(storage, inventory, scenario, transport=transport))

    [(_, body)] = transport.sent
    assert body.startswith("down opd-001 down no_reply 2025-12-04 00:00:01 UTC")
    assert message_rows(storage)[0]["markup"] == "text"


# pantau notify-test ---------------------------------------------------------------------------


def write_config(tmp_path: Path, channels: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(
        f"""
[daemon]
database = "pantau.db"
language = "id"

[[targets]]
name = "loopback"
address = "127.0.0.1"
group = "Diskominfo"
network = "server"

{channels}
""",
        encoding="utf-8",
    )
    return path


def test_notify_test_ok(
    receiver: Receiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PANTAU_TEST_URL", receiver.json_url)
    path = write_config(tmp_path, '[[channels]]\nname = "noc"\nurl_env = "PANTAU_TEST_URL"\n')

    code = cli.main(["notify-test", "-c", str(path), "--lang", "en"])

    out = capsys.readouterr().out
    assert code == 0
    assert "noc: OK, test message accepted (1 part(s))" in out
    assert "1 channel(s) succeeded, 0 failed" in out
    [text] = receiver.messages()
    assert "Saluran noc" in text or "noc" in text


def test_notify_test_failures_explained(
    receiver: Receiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    closed = Receiver()
    closed.accept()
    closed.refuse()
    monkeypatch.setenv("PANTAU_GOOD_URL", receiver.json_url)
    monkeypatch.setenv("PANTAU_BAD_URL", receiver.json_url)
    monkeypatch.setenv("PANTAU_DOWN_URL", closed.json_url)
    receiver.script(telegram_error(401, "Unauthorized"))
    path = write_config(
        tmp_path,
        '[[channels]]\nname = "bad"\nurl_env = "PANTAU_BAD_URL"\n'
        '[[channels]]\nname = "down"\nurl_env = "PANTAU_DOWN_URL"\n',
    )

    code = cli.main(["notify-test", "-c", str(path)])

    out = capsys.readouterr().out
    assert code == 1
    assert "bad: GAGAL: token bot atau kredensial salah (HTTP 401)" in out
    assert "down: GAGAL: layanan chat tidak terjangkau" in out
    assert "connection refused" in out
    assert "Perbaikan: periksa token di URL kanal" in out
    assert "0 kanal berhasil, 2 gagal" in out


def test_notify_test_without_channels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, "")

    code = cli.main(["notify-test", "-c", str(path), "--lang", "en"])

    assert code == 2
    assert "No channel in" in capsys.readouterr().err


def test_notify_test_missing_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PANTAU_TEST_URL", raising=False)
    path = write_config(tmp_path, '[[channels]]\nname = "noc"\nurl_env = "PANTAU_TEST_URL"\n')

    code = cli.main(["notify-test", "-c", str(path), "--lang", "en"])

    assert code == 2
    assert "PANTAU_TEST_URL" in capsys.readouterr().err


# kill -9 at random points -----------------------------------------------------------------------

KILL_RUNS = 50
EVENTS = 200
# Upper bound of the whole fault-injection test, in seconds.
KILL_TEST_LIMIT = 600.0


def _wait_ready(process: subprocess.Popen[str], deadline: float) -> bool:
    assert process.stdout is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.1)
        if ready:
            return process.stdout.readline().strip() == "ready"
        if process.poll() is not None:
            return False
    return False


@pytest.mark.slow
def test_kill_nine_loses_nothing(receiver: Receiver, tmp_path: Path) -> None:
    database = tmp_path / "pantau.db"
    command = [
        sys.executable,
        "-m",
        "tests.alerts_driver",
        str(database),
        str(receiver.port),
        str(EVENTS),
    ]
    rng = random.Random(20261204)
    deadline = time.monotonic() + KILL_TEST_LIMIT
    kills = 0
    runs = 0

    for _ in range(KILL_RUNS):
        process = subprocess.Popen(
            command, cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        runs += 1
        ready = _wait_ready(process, deadline)
        if ready:
            time.sleep(rng.uniform(0.0, 0.6))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
        assert time.monotonic() < deadline, "kill runs exceeded the time limit"

    final = subprocess.run(
        command,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=max(1.0, deadline - time.monotonic()),
    )
    assert final.returncode == 0, final.stderr

    received = receiver.messages()
    parts = [part.rstrip() for part in _all_parts(database)]  # Apprise strips the end
    names = [make_event(n).target for n in range(EVENTS)]
    missing = [name for name in names if not any(name in text for text in received)]
    duplicates = len(received) - len(parts)
    print(
        f"kill -9 runs={runs} kills={kills} events={EVENTS} parts={len(parts)}"
        f" received={len(received)} duplicates={duplicates}"
    )
    assert missing == []
    assert duplicates >= 0
    assert duplicates <= kills
    assert _without_repeats(received) == _without_repeats(parts)


def _all_parts(database: Path) -> list[str]:
    db = connect_readonly(database)
    try:
        rows = db.execute(f"SELECT parts FROM {MESSAGES_TABLE} ORDER BY id").fetchall()
    finally:
        db.close()
    return [part for (parts,) in rows for part in json.loads(parts)]


def _without_repeats(texts: list[str]) -> list[str]:
    """Drop each text equal to the one before it: a part resent after a kill follows itself."""
    return [text for index, text in enumerate(texts) if index == 0 or texts[index - 1] != text]


def test_slow_chat_service_gets_each_message_once(receiver: Receiver) -> None:
    # Apprise's own read timeout is 4 s: a service answering in 6 s was
    # posted the same message on every retry.
    receiver.script(Reply(delay=6.0))

    assert send_once(receiver.json_url, "slow") is None

    assert receiver.messages() == ["slow"]


def test_stop_ends_while_the_database_cannot_be_written(tmp_path: Path) -> None:
    # A writer that never runs stands for a full disk or a locked database:
    # no storage operation ever completes.
    storage = Storage(tmp_path / "pantau.db")
    storage.open()
    inventory = make_inventory(tmp_path / "pantau.db", make_channel("json://127.0.0.1:9/"))

    async def scenario() -> bool:
        sender = Sender(storage, inventory)
        task = asyncio.create_task(sender.run())
        await asyncio.sleep(0.5)
        await sender.stop(timeout=1.0)
        # Generous: a hang, not a speed, is what this catches.
        done, _ = await asyncio.wait({task}, timeout=30)
        return task in done

    try:
        assert asyncio.run(scenario())
    finally:
        storage.close(timeout=1.0)


def test_unsent_message_rendered_again_after_config_change(
    storage: Storage, tmp_path: Path
) -> None:
    events = [event(n) for n in range(3)]
    channel = make_channel("json://127.0.0.1:9/")
    inventory = make_inventory(tmp_path / "pantau.db", channel)
    run(storage, outbox.enqueue(events, inventory.channels, time.time() - 60))
    first = run(storage, outbox.seal(channel.name, time.time(), 0.0, plain))
    assert first is not None
    # Not yet tried: a restart keeps its text.
    assert run(storage, outbox.unseal_unsent(channel.name)) == 0
    run(storage, outbox.mark_failed(first, "HTTP 400: message is too long", time.time() + 600))

    assert run(storage, outbox.unseal_unsent(channel.name)) == 1

    assert run(storage, outbox.due(channel.name, time.time())) == []
    second = run(storage, outbox.seal(channel.name, time.time(), 0.0, plain))
    assert second is not None
    (message,) = run(storage, outbox.due(channel.name, time.time()))
    assert message.parts == (" ".join(item.target for item in events),)


def test_seal_after_clock_stepped_back(storage: Storage, tmp_path: Path) -> None:
    channel = make_channel("json://127.0.0.1:9/")
    inventory = make_inventory(tmp_path / "pantau.db", channel)
    # Queued an hour "in the future": the clock has since been stepped back.
    run(storage, outbox.enqueue([event(1)], inventory.channels, time.time() + 3600))

    assert run(storage, outbox.seal(channel.name, time.time(), 10.0, plain)) is not None
