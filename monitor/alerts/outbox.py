"""Alert outbox: events queued per channel, sealed into messages, delivered part by part.

Every public function returns an *operation*: a function of the database
that ``Storage.submit`` runs on the writer thread inside one transaction,
whose future resolves after the commit. The life of an alert::

    enqueue         one outbox row per (event, channel); message_id is NULL
    seal            the channel's unsealed rows -> one messages row, split
                    into parts (JSON), state "pending"; rows get message_id
    mark_part_sent  parts_sent + 1; state "sent" after the last part
    mark_failed     attempts + 1, last_error, next_attempt

Sealing fixes the text of a message before its first part is sent, so after
a restart the sender resends exactly the parts that were not acknowledged.
A part whose send succeeded but whose ``mark_part_sent`` did not commit
before a crash is sent again, which is the only source of duplicates.

Example::

    storage.submit(enqueue(events, inventory.channels, time.time()))
    message_id = storage.submit(seal("noc-telegram", now, 10.0, renderer)).result()
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple, TypeVar

import sqlite_utils

from monitor.alerts import routing
from monitor.config import Channel
from monitor.events import Event
from monitor.storage import MESSAGES_TABLE, OUTBOX_TABLE

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
Operation = Callable[[sqlite_utils.Database], _T]


class RenderedMessage(NamedTuple):
    """Text of one message: its markup ("html", "markdown" or "text") and its parts in order."""

    markup: str
    parts: Sequence[str]


# Turns the events of one message into its text, each part short enough for the service.
Renderer = Callable[[Sequence[Event]], RenderedMessage]

PENDING: Final = "pending"
SENT: Final = "sent"

# Events rendered into one message at most. After a long chat outage the
# rest goes into the next message at once, so no render is unbounded.
MAX_EVENTS_PER_MESSAGE: Final = 200
# A retry time further ahead than this is treated as due: the wall clock was
# stepped back, and waiting for it would hold the channel's alerts for hours.
MAX_RETRY_AHEAD: Final = 3600.0
# Characters of a delivery error kept in messages.last_error.
MAX_ERROR_LENGTH: Final = 1000


@dataclass(frozen=True, slots=True)
class PendingMessage:
    """A sealed message not yet fully accepted by its chat service.

    ``parts_sent`` counts the leading parts already accepted, so the next
    part to send is ``parts[parts_sent]``. ``markup`` is the one the parts
    were rendered in. Times are unix seconds.
    """

    id: int
    channel: str
    created: float
    markup: str
    parts: tuple[str, ...]
    parts_sent: int
    attempts: int
    next_attempt: float | None
    last_error: str


@dataclass(frozen=True, slots=True)
class ChannelCounts:
    """Undelivered alerts of one channel.

    ``pending_events`` counts outbox rows that are unsealed or belong to a
    pending message, ``pending_messages`` the sealed messages not fully sent,
    and ``oldest_created`` is the unix time of the oldest such row.
    """

    pending_events: int
    pending_messages: int
    oldest_created: float | None

    def oldest_age(self, now: float) -> float:
        """Return the seconds the oldest pending event has waited, 0 when none waits."""
        if self.oldest_created is None:
            return 0.0
        return max(0.0, now - self.oldest_created)


def enqueue(events: Sequence[Event], channels: Sequence[Channel], now: float) -> Operation[int]:
    """Queue each event for every channel that routing chooses; return the rows added.

    Rows are unique on (channel, event key), so queueing the same event
    again adds nothing. The routing runs when this function is called, with
    the channels as they are then, not when the operation runs.
    """
    rows = [
        (channel.name, now, event.key, event.to_json(), event.severity)
        for event in events
        for channel in routing.channels_for(event, channels)
    ]

    def operation(db: sqlite_utils.Database) -> int:
        added = 0
        for row in rows:
            cursor = db.execute(
                f"INSERT OR IGNORE INTO {OUTBOX_TABLE}"
                " (channel, created, event_key, event, severity, message_id)"
                " VALUES (?, ?, ?, ?, ?, NULL)",
                row,
            )
            added += cursor.rowcount
        return added

    return operation


def seal(
    channel: str,
    now: float,
    group_window: float,
    renderer: Renderer,
    *,
    max_events: int = MAX_EVENTS_PER_MESSAGE,
) -> Operation[int | None]:
    """Render the channel's unsealed events into one pending message; return its id.

    Nothing happens, and the operation returns None, while the oldest
    unsealed row is younger than ``group_window`` seconds, or while an
    earlier message of the channel is still pending. So events that arrive
    during a chat outage wait, and then go out together in one message
    instead of one message per window. At most ``max_events`` rows, oldest
    first, go into one message.
    """
    if max_events < 1:
        raise ValueError(f"max_events must be at least 1, got {max_events}")

    def operation(db: sqlite_utils.Database) -> int | None:
        pending = db.execute(
            f"SELECT 1 FROM {MESSAGES_TABLE} WHERE channel = ? AND state = ? LIMIT 1",
            (channel, PENDING),
        ).fetchone()
        if pending is not None:
            return None
        oldest = db.execute(
            f"SELECT MIN(created) FROM {OUTBOX_TABLE} WHERE channel = ? AND message_id IS NULL",
            (channel,),
        ).fetchone()[0]
        # A negative age means the wall clock was stepped back: waiting for it
        # to catch up would hold the alerts, so they are sealed at once.
        if oldest is None or 0 <= now - oldest < group_window:
            return None

        rows = db.execute(
            f"SELECT id, event FROM {OUTBOX_TABLE}"
            " WHERE channel = ? AND message_id IS NULL ORDER BY id LIMIT ?",
            (channel, max_events),
        ).fetchall()
        events = [Event.from_json(text) for _, text in rows]
        message_id = _insert_message(db, channel, now, renderer(events))
        # The rows taken are exactly the unsealed ones up to the last id read,
        # because this transaction holds the write lock.
        db.execute(
            f"UPDATE {OUTBOX_TABLE} SET message_id = ?"
            " WHERE channel = ? AND message_id IS NULL AND id <= ?",
            (message_id, channel, rows[-1][0]),
        )
        return message_id

    return operation


def unseal_unsent(channel: str) -> Operation[int]:
    """Return the events of the channel's failed, unstarted messages to the unsealed queue.

    After a configuration change (a new length limit or URL), a message that
    the chat service rejected is rendered again instead of holding every
    later alert. Only messages with a failed attempt and no part delivered
    qualify: a message merely interrupted (a kill during its first send)
    keeps its text, so a restart sends the same parts. Messages not made of
    events (the daily summary) stay as they are. Returns the number of
    messages dropped for rendering again.
    """

    def operation(db: sqlite_utils.Database) -> int:
        ids = [
            row[0]
            for row in db.execute(
                f"SELECT m.id FROM {MESSAGES_TABLE} m WHERE m.channel = ? AND m.state = ?"
                " AND m.parts_sent = 0 AND m.attempts > 0"
                f" AND EXISTS (SELECT 1 FROM {OUTBOX_TABLE} o WHERE o.message_id = m.id)",
                (channel, PENDING),
            )
        ]
        for message_id in ids:
            db.execute(
                f"UPDATE {OUTBOX_TABLE} SET message_id = NULL WHERE message_id = ?", (message_id,)
            )
            db.execute(f"DELETE FROM {MESSAGES_TABLE} WHERE id = ?", (message_id,))
        return len(ids)

    return operation


def queue_message(channel: str, now: float, rendered: RenderedMessage) -> Operation[int]:
    """Queue a message that is not made of events (the daily summary); return its id.

    It is delivered like a sealed message: in order after the channel's
    earlier messages, with the same retries.
    """

    def operation(db: sqlite_utils.Database) -> int:
        return _insert_message(db, channel, now, rendered)

    return operation


def _insert_message(
    db: sqlite_utils.Database, channel: str, now: float, rendered: RenderedMessage
) -> int:
    parts = _checked_parts(rendered.parts)
    cursor = db.execute(
        f"INSERT INTO {MESSAGES_TABLE}"
        " (channel, created, markup, parts, parts_sent, attempts, next_attempt, last_error,"
        " sent, state) VALUES (?, ?, ?, ?, 0, 0, NULL, '', NULL, ?)",
        (channel, now, rendered.markup, json.dumps(parts, ensure_ascii=False), PENDING),
    )
    message_id = cursor.lastrowid
    assert message_id is not None
    return message_id


def _checked_parts(parts: Sequence[str]) -> list[str]:
    checked = list(parts)
    if not checked:
        raise ValueError("the renderer returned no parts")
    for index, part in enumerate(checked):
        if not isinstance(part, str) or not part:
            raise ValueError(f"part {index} from the renderer is not a non-empty string")
    return checked


def due(channel: str, now: float) -> Operation[list[PendingMessage]]:
    """Return the channel's pending messages that may be sent now, oldest first.

    The list stops at the first pending message whose next attempt has not
    come, because a channel's messages are delivered in order.
    """

    def operation(db: sqlite_utils.Database) -> list[PendingMessage]:
        cursor = db.execute(
            "SELECT id, channel, created, markup, parts, parts_sent, attempts, next_attempt,"
            f" last_error FROM {MESSAGES_TABLE} WHERE channel = ? AND state = ? ORDER BY id",
            (channel, PENDING),
        )
        messages: list[PendingMessage] = []
        for row in cursor:
            message = _pending_message(row)
            if not _is_due(message.next_attempt, now):
                break
            messages.append(message)
        return messages

    return operation


def _is_due(next_attempt: float | None, now: float) -> bool:
    if next_attempt is None:
        return True
    return next_attempt <= now or next_attempt > now + MAX_RETRY_AHEAD


def _pending_message(row: Sequence[Any]) -> PendingMessage:
    (message_id, channel, created, markup, parts, parts_sent, attempts, next_attempt,
     last_error) = row  # fmt: skip
    return PendingMessage(
        id=message_id,
        channel=channel,
        created=created,
        markup=markup,
        parts=tuple(json.loads(parts)),
        parts_sent=parts_sent,
        attempts=attempts,
        next_attempt=next_attempt,
        last_error=last_error or "",
    )


def mark_part_sent(message_id: int, index: int, now: float) -> Operation[int]:
    """Record that part ``index`` of a message was accepted; return the parts sent so far.

    Recording the same part twice changes nothing. The message becomes
    "sent" with its last part. Raises LookupError for an unknown message and
    ValueError when an earlier part is not recorded yet.
    """

    def operation(db: sqlite_utils.Database) -> int:
        row = db.execute(
            f"SELECT parts, parts_sent FROM {MESSAGES_TABLE} WHERE id = ?", (message_id,)
        ).fetchone()
        if row is None:
            raise LookupError(f"message {message_id} not found in {MESSAGES_TABLE}")
        count = len(json.loads(row[0]))
        parts_sent: int = row[1]
        if index < parts_sent:
            return parts_sent
        if index != parts_sent or index >= count:
            raise ValueError(
                f"part {index} of message {message_id} cannot be recorded:"
                f" {parts_sent} of {count} parts are recorded"
            )
        parts_sent = index + 1
        finished = parts_sent == count
        db.execute(
            f"UPDATE {MESSAGES_TABLE} SET parts_sent = ?, state = ?, sent = ? WHERE id = ?",
            (parts_sent, SENT if finished else PENDING, now if finished else None, message_id),
        )
        return parts_sent

    return operation


def mark_failed(message_id: int, error: str, next_attempt: float) -> Operation[None]:
    """Count a failed attempt at a message, keep its error and when to try again."""

    def operation(db: sqlite_utils.Database) -> None:
        db.execute(
            f"UPDATE {MESSAGES_TABLE}"
            " SET attempts = attempts + 1, last_error = ?, next_attempt = ? WHERE id = ?",
            (error[:MAX_ERROR_LENGTH], next_attempt, message_id),
        )

    return operation


def retry_now(channel: str) -> Operation[None]:
    """Make the channel's pending messages due at once, after its URL or limits changed."""

    def operation(db: sqlite_utils.Database) -> None:
        db.execute(
            f"UPDATE {MESSAGES_TABLE} SET next_attempt = NULL WHERE channel = ? AND state = ?",
            (channel, PENDING),
        )

    return operation


def counts() -> Operation[dict[str, ChannelCounts]]:
    """Return the undelivered alerts of every channel that has any, configured or not."""

    def operation(db: sqlite_utils.Database) -> dict[str, ChannelCounts]:
        events = db.execute(
            f"SELECT o.channel, COUNT(*), MIN(o.created) FROM {OUTBOX_TABLE} AS o"
            f" LEFT JOIN {MESSAGES_TABLE} AS m ON m.id = o.message_id"
            " WHERE o.message_id IS NULL OR m.state = ? GROUP BY o.channel",
            (PENDING,),
        ).fetchall()
        messages = dict(
            db.execute(
                f"SELECT channel, COUNT(*) FROM {MESSAGES_TABLE} WHERE state = ? GROUP BY channel",
                (PENDING,),
            ).fetchall()
        )
        result = {
            channel: ChannelCounts(number, messages.get(channel, 0), oldest)
            for channel, number, oldest in events
        }
        # A pending message whose rows were purged still counts as pending.
        for channel, number in messages.items():
            result.setdefault(channel, ChannelCounts(0, number, None))
        return result

    return operation


def purge_sent(before: float) -> Operation[int]:
    """Delete messages sent before ``before`` (unix time) and their outbox rows; return how many."""

    def operation(db: sqlite_utils.Database) -> int:
        db.execute(
            f"DELETE FROM {OUTBOX_TABLE} WHERE message_id IN"
            f" (SELECT id FROM {MESSAGES_TABLE} WHERE state = ? AND sent < ?)",
            (SENT, before),
        )
        cursor = db.execute(
            f"DELETE FROM {MESSAGES_TABLE} WHERE state = ? AND sent < ?", (SENT, before)
        )
        return cursor.rowcount

    return operation
