"""Maintenance windows: when each target is in planned maintenance, and their SQLite table.

A window comes from the configuration or from ``pantau maintenance add``,
which stores it in the ``maintenance`` table. During a window the daemon
keeps probing its targets but raises no alert for them.

One-off windows cover ``start <= t < end``. A recurring window starts at
every fire time of its crontab expression, read on the wall clock of the
daemon's time zone, and lasts ``duration`` seconds of elapsed time. So a
6-hour window that starts at 22:00 on the night the clocks go back ends at
03:00 by the wall clock, not 04:00. Around a change of UTC offset:

- a wall-clock time that occurs twice starts a window once, at its first
  occurrence;
- a wall-clock time that the clock skips starts a window at the moment of
  the change (02:30 on the spring-forward night in Europe/Amsterdam starts
  at 03:00 CEST).

Crontab fields follow crontab(5), not APScheduler 3: day-of-week 0 and 7
are Sunday, and when both day-of-month and day-of-week are restricted
(neither starts with "*"), a day matching either field fires. The shortcuts
@yearly, @annually, @monthly, @weekly, @daily, @midnight and @hourly work.
APScheduler's extra day-of-month forms ("last", "2nd fri") are accepted.

Example::

    schedule = MaintenanceSchedule(inventory.maintenance, "Asia/Jakarta")
    window = schedule.active(target, time.time())
    if window is not None:
        print(window.name, schedule.ends_at(window, time.time()))
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import sqlite_utils
from apscheduler.triggers.cron import CronTrigger

from monitor.config import MaintenanceWindow, Target
from monitor.storage import MAINTENANCE_TABLE, connect_readonly

__all__ = [
    "DATABASE_PREFIX",
    "MAX_DURATION",
    "MIN_DURATION",
    "CronError",
    "CronExpression",
    "MaintenanceSchedule",
    "Occurrence",
    "StoredWindow",
    "add_window",
    "check_window",
    "database_id",
    "list_window_records",
    "list_windows",
    "load_database_windows",
    "parse_cron",
    "remove_window",
]

logger = logging.getLogger(__name__)

DATABASE_PREFIX: Final = "db:"
# Bounds of a duration given to `pantau maintenance add`. Cron fires at most
# once a minute, and a longer window is better written as a change to the
# inventory.
MIN_DURATION: Final = 60.0
MAX_DURATION: Final = 366 * 86_400.0
# Fields of a crontab line, in order, with APScheduler's keyword for each.
CRON_FIELDS: Final = ("minute", "hour", "day", "month", "day_of_week")
_SHORTCUTS: Final = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
# crontab(5) numbers the days from Sunday = 0 (7 is Sunday too), while
# APScheduler 3 numbers them from Monday = 0, so day-of-week fields are
# rewritten as names, which both read alike.
_DAY_NAMES: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DAY_ITEM = re.compile(r"(?P<first>[0-9]+|[a-z]{3})(?:-(?P<last>[0-9]+|[a-z]{3}))?")
# Years searched for a first fire time: a 29 February expression fires at
# least once in 8 years (2096, then 2104).
_VALIDATION_YEARS: Final = 9
# Steps of the fire-time search: the fire times of the hour before an offset
# change plus those that the change skips, far below this bound.
_MAX_SEARCH_STEPS: Final = 10_000
# Occurrences of one recurring window merged into one stretch by ends_at.
_MAX_MERGED_OCCURRENCES: Final = 1_000


class CronError(ValueError):
    """Invalid crontab expression.

    ``code`` is "field_count" (``count`` fields found), "field" (``field``
    and ``value`` name the bad field) or "never" (no fire time within nine
    years).
    """

    def __init__(
        self,
        expression: str,
        code: str,
        *,
        count: int = 0,
        field: str = "",
        value: str = "",
        detail: str = "",
    ) -> None:
        self.expression = expression
        self.code = code
        self.count = count
        self.field = field
        self.value = value
        if code == "field_count":
            text = f"expected 5 fields, got {count}"
        elif code == "field":
            text = f"invalid {field} field {value!r}"
        else:
            text = "no fire time within nine years"
        if detail:
            text += f" ({detail})"
        super().__init__(f"invalid crontab expression {expression!r}: {text}")


# Crontab expressions ------------------------------------------------------------------


@dataclass(frozen=True)
class CronExpression:
    """A parsed crontab expression whose fire times are wall-clock times without a zone.

    The triggers run in UTC over naive wall-clock times, so that APScheduler
    never computes across an offset change. MaintenanceSchedule maps each
    wall-clock fire time to an instant in the configured zone. Two triggers stand for
    the union of day-of-month and day-of-week.
    """

    text: str
    triggers: tuple[CronTrigger, ...]

    def longest_gap(self, after: datetime, fires: int = 400) -> float | None:
        """Return the most seconds between two consecutive of the next ``fires`` fire times.

        A window at least this long starts again before every end, which is
        maintenance without end; a shorter one (Saturday and Sunday at 00:00
        for 24 hours) ends at least once. The gaps are of the wall clock, so a
        daylight-saving change may make a real gap an hour shorter or longer.
        None means fewer than two fire times.
        """
        longest: float | None = None
        previous = self.next_wall_time(after)
        for _ in range(fires):
            if previous is None:
                break
            following = self.next_wall_time(previous + timedelta(minutes=1))
            if following is None:
                break
            gap = (following - previous).total_seconds()
            longest = gap if longest is None else max(longest, gap)
            previous = following
        return longest

    def next_wall_time(self, after: datetime) -> datetime | None:
        """Return the first naive wall-clock fire time at or after the naive ``after``."""
        aware = after.replace(tzinfo=UTC)
        fires = [
            fire
            for trigger in self.triggers
            if (fire := trigger.get_next_fire_time(None, aware)) is not None
        ]
        return min(fires).replace(tzinfo=None) if fires else None


def parse_cron(
    text: str, *, now: datetime | None = None, require_fire: bool = True
) -> CronExpression:
    """Parse five crontab fields or a shortcut such as "@daily".

    Raises CronError naming the bad field. With ``require_fire`` it also
    raises when the expression never fires within nine years of ``now``
    (default: the current time), as "0 0 30 2 *" never does.
    """
    expression = text.strip()
    fields = _SHORTCUTS.get(expression.lower(), expression).split()
    if len(fields) != len(CRON_FIELDS):
        raise CronError(text, "field_count", count=len(fields))
    minute, hour, day, month, weekday = fields
    for name, value in zip(CRON_FIELDS[:4], fields[:4], strict=True):
        _check_field(text, name, value)
    day_names = _day_of_week_names(text, weekday)

    restricted_day = not day.startswith("*")
    restricted_weekday = not weekday.startswith("*")
    common = {"minute": minute, "hour": hour, "month": month, "timezone": UTC}
    if restricted_day and restricted_weekday:
        triggers = (
            CronTrigger(day=day, day_of_week="*", **common),
            CronTrigger(day="*", day_of_week=day_names, **common),
        )
    else:
        triggers = (CronTrigger(day=day, day_of_week=day_names, **common),)
    parsed = CronExpression(text=expression, triggers=triggers)
    if not require_fire:
        return parsed

    start = (now or datetime.now(UTC)).replace(tzinfo=None)
    first = parsed.next_wall_time(start)
    if first is None or first > start.replace(year=start.year + _VALIDATION_YEARS, day=1):
        raise CronError(text, "never")
    return parsed


def _check_field(expression: str, name: str, value: str) -> None:
    try:
        CronTrigger(**{name: value}, timezone=UTC)
    except ValueError as error:
        raise CronError(expression, "field", field=name, value=value, detail=str(error)) from None


def _day_of_week_names(expression: str, field: str) -> str:
    """Rewrite a crontab(5) day-of-week field as APScheduler day names, or "*" for every day."""
    days: set[int] = set()
    for item in field.lower().split(","):
        days |= _day_of_week_item(expression, field, item)
    if len(days) == len(_DAY_NAMES):
        return "*"
    return ",".join(_DAY_NAMES[day] for day in sorted(days))


def _day_of_week_item(expression: str, field: str, item: str) -> set[int]:
    def invalid() -> CronError:
        return CronError(expression, "field", field="day_of_week", value=field)

    span, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or int(step_text) == 0:
            raise invalid()
        step = int(step_text)

    if span == "*":
        first, last = 0, 6
    else:
        match = _DAY_ITEM.fullmatch(span)
        if match is None:
            raise invalid()
        first = _day_number(match["first"], invalid)
        last = first if match["last"] is None else _day_number(match["last"], invalid)
        if slash and match["last"] is None:
            last = 7  # "mon/2" runs to the end of the week, as in cronie and APScheduler
        if match["last"] == "sun":
            last = 7  # "mon-sun", which APScheduler reads as Monday to Sunday too
        if first > last:
            raise invalid()
    # Numbers run from 0 to 7 here, so that "5-7" is Friday to Sunday.
    return {day % 7 for day in range(first, last + 1, step)}


def _day_number(text: str, invalid: Callable[[], CronError]) -> int:
    if text.isdigit():
        number = int(text)
        if number > 7:
            raise invalid()
        return number
    if text not in _DAY_NAMES:
        raise invalid()
    return _DAY_NAMES.index(text)


# Wall-clock times and instants ---------------------------------------------------------


def _wall_time(instant: float, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(instant, zone).replace(tzinfo=None)


def _instant(wall: datetime, zone: ZoneInfo) -> float:
    """Return the unix time at which the naive ``wall`` is reached in ``zone``.

    A repeated wall-clock time gives its first occurrence, and a skipped one
    the moment of the offset change, so the mapping never decreases.
    """
    first = wall.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return first.timestamp()

    # In a gap, fold=0 reads the wall time with the offset before the change
    # and fold=1 with the offset after it, so the change lies between the two.
    low = math.floor(wall.replace(tzinfo=zone, fold=1).timestamp())
    high = math.ceil(first.timestamp())
    after_offset = datetime.fromtimestamp(high, zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == after_offset:
            high = middle
        else:
            low = middle
    return float(high)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One stretch of a window: aware datetimes in the schedule's zone, ``end`` excluded."""

    start: datetime
    end: datetime


# The schedule -------------------------------------------------------------------------


class MaintenanceSchedule:
    """Every maintenance window, with the questions the daemon and the CLI ask of them.

    Built from the windows of the configuration and the database and the
    daemon's time zone name. Raises ValueError when a window is invalid
    (see ``check_window``). Recurring windows remember their last fire time
    search, so the daemon's calls with rising times mostly skip APScheduler.

    >>> schedule = MaintenanceSchedule(windows, "Asia/Jakarta")  # doctest: +SKIP
    >>> schedule.active(target, 1796569200.0).name  # doctest: +SKIP
    'db:4'
    """

    def __init__(self, windows: Iterable[MaintenanceWindow], timezone: str) -> None:
        self.windows = tuple(windows)
        self.zone = ZoneInfo(timezone)
        self._crons: dict[int, CronExpression] = {}
        for index, window in enumerate(self.windows):
            check_window(window)
            if window.cron is not None:
                self._crons[index] = parse_cron(window.cron, require_fire=False)
        self._indexes = {id(window): index for index, window in enumerate(self.windows)}
        # Per recurring window: (x, f), meaning f is the first fire instant
        # after x, so it is also the first after any x' in [x, f).
        self._fire_cache: dict[int, tuple[float, float | None]] = {}
        self._scope_cache: dict[tuple[str, str, str], tuple[int, ...]] = {}

    def covers(self, window: MaintenanceWindow, target: Target) -> bool:
        """Return whether ``target`` is in the scope of ``window``."""
        return (
            target.name in window.targets
            or target.group in window.groups
            or target.network in window.networks
        )

    def occurrence(self, window: MaintenanceWindow, at: float) -> Occurrence | None:
        """Return the stretch of ``window`` that covers unix time ``at``, or None."""
        if window.cron is None:
            start, end = _one_off_bounds(window)
            return self._occurrence(start, end) if start <= at < end else None

        duration = _duration(window)
        fire = self._first_fire_after(window, at - duration)
        if fire is None or fire > at:
            return None
        return self._occurrence(fire, fire + duration)

    def next_occurrence(self, window: MaintenanceWindow, at: float) -> Occurrence | None:
        """Return the first stretch of ``window`` that starts after unix time ``at``, or None."""
        if window.cron is None:
            start, end = _one_off_bounds(window)
            return self._occurrence(start, end) if start > at else None
        fire = self._first_fire_after(window, at)
        return None if fire is None else self._occurrence(fire, fire + _duration(window))

    def active(self, target: Target, at: float) -> MaintenanceWindow | None:
        """Return the window that covers ``target`` at unix time ``at``, or None.

        When several do, the one whose current stretch ends last is returned,
        and the first in order among those that end together.
        """
        chosen: MaintenanceWindow | None = None
        chosen_end: datetime | None = None
        for index in self._windows_of(target):
            window = self.windows[index]
            found = self.occurrence(window, at)
            if found is not None and (chosen_end is None or found.end > chosen_end):
                chosen, chosen_end = window, found.end
        return chosen

    def next_start(self, target: Target, at: float) -> datetime | None:
        """Return when the next window covering ``target`` starts after ``at``, or None."""
        starts = [
            found.start
            for index in self._windows_of(target)
            if (found := self.next_occurrence(self.windows[index], at)) is not None
        ]
        return min(starts) if starts else None

    def ends_at(self, window: MaintenanceWindow, at: float) -> datetime | None:
        """Return when the stretch of ``window`` covering ``at``, else its next one, ends.

        Overlapping or adjacent occurrences of a recurring window count as one
        stretch, because the targets stay in maintenance throughout. Returns
        None when the window has no stretch at or after ``at``.
        """
        found = self.occurrence(window, at) or self.next_occurrence(window, at)
        if found is None or window.cron is None:
            return None if found is None else found.end

        end = found.end
        cursor = found.start.timestamp()
        # NOTE: a window that never ends (a fire every minute with a 2-minute
        # duration) stops merging after this many occurrences, so the end
        # returned is then only a lower bound.
        for _ in range(_MAX_MERGED_OCCURRENCES):
            following = self.next_occurrence(window, cursor)
            if following is None or following.start > end:
                break
            end = max(end, following.end)
            cursor = following.start.timestamp()
        return end

    def _windows_of(self, target: Target) -> tuple[int, ...]:
        key = (target.name, target.group, target.network)
        indexes = self._scope_cache.get(key)
        if indexes is None:
            indexes = tuple(
                index for index, window in enumerate(self.windows) if self.covers(window, target)
            )
            self._scope_cache[key] = indexes
        return indexes

    def _occurrence(self, start: float, end: float) -> Occurrence:
        return Occurrence(
            datetime.fromtimestamp(start, self.zone), datetime.fromtimestamp(end, self.zone)
        )

    def _first_fire_after(self, window: MaintenanceWindow, after: float) -> float | None:
        """Return the first fire instant of a recurring window strictly after ``after``."""
        index = self._indexes.get(id(window))
        if index is None:
            # A window that is not part of this schedule: search without the cache.
            cron = parse_cron(window.cron or "", require_fire=False)
            return _first_fire_after(cron, after, self.zone)

        cached = self._fire_cache.get(index)
        if cached is not None:
            since, fire = cached
            if since <= after and (fire is None or after < fire):
                return fire
        fire = _first_fire_after(self._crons[index], after, self.zone)
        self._fire_cache[index] = (after, fire)
        return fire


def _first_fire_after(cron: CronExpression, after: float, zone: ZoneInfo) -> float | None:
    # A fire time just after `after` may read earlier on the wall clock when
    # the clock goes back in between, so the search starts that much earlier.
    # Offsets are compared a day apart, which assumes that no zone changes its
    # offset twice within a day.
    offset_now = datetime.fromtimestamp(after, zone).utcoffset() or timedelta(0)
    offset_later = datetime.fromtimestamp(after + 86_400, zone).utcoffset() or timedelta(0)
    cursor = _wall_time(after, zone) - max(timedelta(0), offset_now - offset_later)

    for _ in range(_MAX_SEARCH_STEPS):
        wall = cron.next_wall_time(cursor)
        if wall is None:
            return None
        instant = _instant(wall, zone)
        if instant > after:
            return instant
        cursor = wall + timedelta(seconds=1)
    raise RuntimeError(f"no fire time of {cron.text!r} found after {after}")


def _one_off_bounds(window: MaintenanceWindow) -> tuple[float, float]:
    assert window.start is not None and window.end is not None
    return window.start.timestamp(), window.end.timestamp()


def _duration(window: MaintenanceWindow) -> float:
    assert window.duration is not None
    return window.duration


def endless_gap(cron: str, duration: float, now: datetime | None = None) -> float | None:
    """Return the longest gap between starts of a recurring window when ``duration`` fills it.

    None means the window ends at least once. A window that lasts as long
    as every gap between its starts never ends: a mistake such as
    "*/5 * * * *" for "every day at 5".
    """
    expression = parse_cron(cron, require_fire=False)
    start = (now or datetime.now(UTC)).replace(tzinfo=None, second=0, microsecond=0)
    gap = expression.longest_gap(start)
    return gap if gap is not None and duration >= gap else None


def check_window(window: MaintenanceWindow) -> None:
    """Raise ValueError unless ``window`` is a valid one-off or recurring window with a scope.

    A crontab expression that never fires ("0 0 30 2 *") passes: its window
    is never active.
    """
    if not (window.targets or window.groups or window.networks):
        raise ValueError(f"maintenance window {window.name!r} has no target, group or network")
    if window.cron is not None:
        if window.start is not None or window.end is not None:
            raise ValueError(f"maintenance window {window.name!r} has both cron and start/end")
        if window.duration is None or not 0 < window.duration < math.inf:
            raise ValueError(
                f"maintenance window {window.name!r} needs a positive duration, "
                f"got {window.duration!r}"
            )
        parse_cron(window.cron, require_fire=False)
        return
    if window.start is None or window.end is None:
        raise ValueError(f"maintenance window {window.name!r} needs start and end, or cron")
    if window.start.tzinfo is None or window.end.tzinfo is None:
        raise ValueError(f"maintenance window {window.name!r} has a start or end without a zone")
    if window.end <= window.start:
        raise ValueError(f"maintenance window {window.name!r} ends at or before its start")


# The maintenance table ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredWindow:
    """A row of the maintenance table: the window and who added or removed it when.

    Times are unix seconds. Removal keeps the row, so that reports can
    still tell which past outages fell within planned maintenance.
    """

    id: int
    window: MaintenanceWindow
    created: float
    created_by: str
    removed: float | None = None
    removed_by: str = ""


def database_id(name: str) -> int | None:
    """Return ID of a window name "db:ID" (or a bare "ID"), or None for any other name."""
    text = name.removeprefix(DATABASE_PREFIX)
    return int(text) if text.isascii() and text.isdigit() else None


def add_window(
    db: sqlite_utils.Database,
    window: MaintenanceWindow,
    created_by: str,
    *,
    created: float | None = None,
) -> int:
    """Insert ``window`` into the maintenance table and return its ID.

    Runs in the caller's transaction, which the caller commits (Storage.submit
    does). The window's name is ignored: the stored one is "db:ID". Raises
    ValueError when the window is invalid.
    """
    check_window(window)
    cursor = db.execute(
        f"INSERT INTO {MAINTENANCE_TABLE} (targets, groups, networks, start, "
        '"end", cron, duration, reason, created, created_by) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            json.dumps(list(window.targets)),
            json.dumps(list(window.groups)),
            json.dumps(list(window.networks)),
            None if window.start is None else window.start.timestamp(),
            None if window.end is None else window.end.timestamp(),
            window.cron,
            window.duration,
            window.reason,
            time.time() if created is None else created,
            created_by,
        ],
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def remove_window(
    db: sqlite_utils.Database,
    id: int,
    *,
    removed_by: str = "",
    removed: float | None = None,
) -> bool:
    """Mark window ``id`` as removed; return False when no window with that ID is in force.

    The row stays, with the time and the user of the removal. Runs in the
    caller's transaction, like ``add_window``.
    """
    cursor = db.execute(
        f"UPDATE {MAINTENANCE_TABLE} SET removed = ?, removed_by = ? "
        "WHERE id = ? AND removed IS NULL",
        [time.time() if removed is None else removed, removed_by, id],
    )
    return cursor.rowcount == 1


def list_window_records(
    db: sqlite_utils.Database, *, include_removed: bool = False
) -> list[StoredWindow]:
    """Return the stored windows by ID, skipping removed ones unless ``include_removed``.

    A row that no longer forms a valid window (edited by hand) is logged and skipped.
    """
    where = "" if include_removed else " WHERE removed IS NULL"
    cursor = db.execute(f"SELECT * FROM {MAINTENANCE_TABLE}{where} ORDER BY id")
    columns = [column[0] for column in cursor.description]
    records = []
    for values in cursor.fetchall():
        row = dict(zip(columns, values, strict=True))
        try:
            records.append(_record_from_row(row))
        except (ValueError, TypeError) as error:
            logger.warning(
                "Skipped an invalid maintenance window in the database: id=%s error=%s",
                row.get("id"),
                error,
            )
    return records


def list_windows(db: sqlite_utils.Database) -> list[tuple[int, MaintenanceWindow]]:
    """Return the ID and window of every stored window that is not removed, by ID."""
    return [(record.id, record.window) for record in list_window_records(db)]


def load_database_windows(
    path: Path | str, *, ended_after: float | None = None
) -> tuple[MaintenanceWindow, ...]:
    """Read the windows in force from the database at ``path`` on a read-only connection.

    With ``ended_after`` (unix seconds), one-off windows that ended by then
    are left out. Raises StorageError when the file cannot be opened and
    sqlite3.Error when reading fails, for example before the daemon created
    the table.
    """
    db = connect_readonly(path)
    try:
        windows = [record.window for record in list_window_records(db)]
    finally:
        db.close()
    if ended_after is not None:
        windows = [w for w in windows if w.end is None or w.end.timestamp() > ended_after]
    return tuple(windows)


def _record_from_row(row: dict[str, Any]) -> StoredWindow:
    start, end = row["start"], row["end"]
    window = MaintenanceWindow(
        name=f"{DATABASE_PREFIX}{row['id']}",
        targets=_names(row["targets"]),
        groups=_names(row["groups"]),
        networks=_names(row["networks"]),
        start=None if start is None else datetime.fromtimestamp(start, UTC),
        end=None if end is None else datetime.fromtimestamp(end, UTC),
        cron=row["cron"],
        duration=row["duration"],
        reason=row["reason"],
    )
    check_window(window)
    return StoredWindow(
        id=row["id"],
        window=window,
        created=row["created"],
        created_by=row["created_by"] or "",
        removed=row.get("removed"),
        removed_by=row.get("removed_by") or "",
    )


def _names(text: str) -> tuple[str, ...]:
    names = json.loads(text)
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ValueError(f"expected a JSON list of names, got {text!r}")
    return tuple(names)
