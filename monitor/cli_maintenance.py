"""`pantau maintenance add|list|remove`: maintenance windows kept in the database.

The command may run while the daemon runs. It writes through a Storage of
its own, whose writer waits for the daemon's write lock (WAL mode, busy
timeout) and retries, and it never takes the daemon's ``.lock`` file. The
daemon reads the table again every 30 seconds.

Exit codes: 0 done, 1 no such window, 2 usage, configuration or database error.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import getpass
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import sqlite_utils
from babel.dates import format_date, format_time

from monitor import config, maintenance, storage
from monitor.config import Inventory, MaintenanceWindow
from monitor.i18n import translate

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2

# Characters of a reason. It is repeated in chat messages, whose services
# limit a message to a few thousand characters.
MAX_REASON = 500
# Seconds that a write waits for the database, retries included, before the
# command gives up. The daemon holds the write lock for one batch at a time.
WRITE_TIMEOUT = 30.0

_T = TypeVar("_T")


class UsageError(Exception):
    """An invalid argument: the catalogue key and parameters of its message."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


# The parser ---------------------------------------------------------------------------


def add_parser(
    commands: argparse._SubParsersAction[Any], common: argparse.ArgumentParser, language: str
) -> None:
    """Register `maintenance` and its actions under the sub-command set ``commands``."""

    def text(key: str) -> str:
        return translate(key, language)

    command = commands.add_parser(
        "maintenance", parents=[common], help=text("maintenance.help.command")
    )
    actions = command.add_subparsers(
        dest="action", required=True, metavar=text("maintenance.metavar.action")
    )

    add = actions.add_parser("add", parents=[common], help=text("maintenance.help.add"))
    name = text("maintenance.metavar.name")
    moment = text("maintenance.metavar.time")
    for option, key in (("target", "targets"), ("group", "groups"), ("network", "networks")):
        add.add_argument(
            f"--{option}",
            dest=key,
            action="append",
            default=[],
            metavar=name,
            help=text(f"maintenance.help.{option}"),
        )
    add.add_argument("--start", metavar=moment, help=text("maintenance.help.start"))
    add.add_argument("--end", metavar=moment, help=text("maintenance.help.end"))
    add.add_argument(
        "--duration",
        metavar=text("maintenance.metavar.duration"),
        help=text("maintenance.help.duration"),
    )
    add.add_argument("--cron", metavar="CRON", help=text("maintenance.help.cron"))
    # Checked by the command, so that a missing reason gets a translated message.
    add.add_argument(
        "--reason", metavar=text("maintenance.metavar.text"), help=text("maintenance.help.reason")
    )

    listing = actions.add_parser("list", parents=[common], help=text("maintenance.help.list"))
    listing.add_argument("--all", action="store_true", help=text("maintenance.help.all"))
    listing.add_argument("--json", action="store_true", help=text("maintenance.help.json"))

    remove = actions.add_parser("remove", parents=[common], help=text("maintenance.help.remove"))
    remove.add_argument("id", metavar="ID", help=text("maintenance.help.id"))


def run(args: argparse.Namespace, inventory: Inventory, language: str) -> int:
    """Run the action of ``args`` against the inventory's database; return the exit code."""
    command = _Command(inventory, language)
    if args.action == "add":
        return command.add(args)
    if args.action == "list":
        return command.list(show_all=args.all, as_json=args.json)
    return command.remove(args.id)


# The actions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    """One window of the list, with its source and the facts shown about it."""

    id: str
    window: MaintenanceWindow
    source: str  # "config" or "database"
    record: maintenance.StoredWindow | None = None


class _Command:
    def __init__(self, inventory: Inventory, language: str) -> None:
        self.inventory = inventory
        self.language = language
        self.zone = ZoneInfo(inventory.daemon.timezone)
        self.database = inventory.daemon.database

    def text(self, key: str, **params: object) -> str:
        return translate(key, self.language, **params)

    def fail(self, code: int, key: str, **params: object) -> int:
        print(self.text(key, **params), file=sys.stderr)
        return code

    # add

    def add(self, args: argparse.Namespace) -> int:
        try:
            window = self._window_from(args, time.time())
        except UsageError as error:
            return self.fail(EXIT_USAGE, error.key, **error.params)

        user = _current_user()
        outcome = self._write(lambda db: maintenance.add_window(db, window, user))
        if not isinstance(outcome, _Written):
            return outcome
        window_id = f"{maintenance.DATABASE_PREFIX}{outcome.value}"

        print(self.text("maintenance.added", id=window_id, scope=self._scope(window)))
        schedule = maintenance.MaintenanceSchedule([window], self.inventory.daemon.timezone)
        now = time.time()
        found = schedule.occurrence(window, now) or schedule.next_occurrence(window, now)
        if window.cron is None:
            assert window.start is not None and window.end is not None
            print(
                self.text(
                    "maintenance.added.one_off",
                    start=self.moment(window.start),
                    end=self.moment(window.end),
                )
            )
        elif found is not None:
            print(
                self.text(
                    "maintenance.added.recurring",
                    cron=window.cron,
                    duration=config.format_duration(window.duration or 0.0),
                    start=self.moment(found.start),
                    end=self.moment(found.end),
                )
            )
        return EXIT_OK

    def _window_from(self, args: argparse.Namespace, now: float) -> MaintenanceWindow:
        """Build the window that ``args`` describe, or raise UsageError."""
        targets, groups, networks = self._scope_names(args)
        reason = (args.reason or "").strip()
        if not reason:
            raise UsageError("maintenance.reason_missing")
        if len(reason) > MAX_REASON:
            raise UsageError("maintenance.reason_too_long", length=len(reason), limit=MAX_REASON)

        duration = None if args.duration is None else _parse_duration(args.duration)
        scope = {"targets": targets, "groups": groups, "networks": networks, "reason": reason}
        if args.cron is not None:
            if args.start is not None or args.end is not None:
                raise UsageError("maintenance.cron_with_start")
            if duration is None:
                raise UsageError("maintenance.cron_needs_duration")
            self._parse_cron(args.cron)
            gap = maintenance.endless_gap(args.cron, duration)
            if gap is not None:
                raise UsageError(
                    "maintenance.window_endless",
                    value=args.duration,
                    cron=args.cron,
                    gap=config.format_duration(gap),
                )
            return MaintenanceWindow(name="new", cron=args.cron, duration=duration, **scope)

        if args.start is None and args.end is None and duration is None:
            raise UsageError("maintenance.schedule_missing")
        if args.end is not None and duration is not None:
            raise UsageError("maintenance.end_and_duration")
        if args.start is None:
            start = datetime.fromtimestamp(int(now), self.zone)
        else:
            start = self._parse_time("--start", args.start)
        if duration is not None:
            end = datetime.fromtimestamp(start.timestamp() + duration, self.zone)
        elif args.end is not None:
            end = self._parse_time("--end", args.end)
        else:
            raise UsageError("maintenance.schedule_missing")

        if end <= start:
            raise UsageError(
                "maintenance.end_before_start", start=self.moment(start), end=self.moment(end)
            )
        if end.timestamp() <= now:
            raise UsageError("maintenance.end_in_past", end=self.moment(end))
        return MaintenanceWindow(name="new", start=start, end=end, **scope)

    def _scope_names(
        self, args: argparse.Namespace
    ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        targets = tuple(dict.fromkeys(args.targets))
        groups = tuple(dict.fromkeys(args.groups))
        networks = tuple(dict.fromkeys(args.networks))
        if not (targets or groups or networks):
            raise UsageError("maintenance.no_scope")

        known = self.inventory.targets
        self._check_names("target", targets, [target.name for target in known])
        self._check_names("group", groups, sorted({target.group for target in known}))
        self._check_names("network", networks, sorted({t.network for t in known if t.network}))
        return targets, groups, networks

    def _check_names(self, kind: str, names: Iterable[str], known: Sequence[str]) -> None:
        for name in names:
            if name in known:
                continue
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
            raise UsageError(
                f"maintenance.unknown_{kind}",
                name=name,
                file=self.inventory.path,
                close=", ".join(close) if close else self.text("maintenance.no_suggestion"),
            )

    def _parse_time(self, option: str, text: str) -> datetime:
        """Read "YYYY-MM-DD HH:MM" (or any ISO 8601 form) in the configured zone."""
        timezone = self.inventory.daemon.timezone
        try:
            parsed = datetime.fromisoformat(text.strip())
        except ValueError:
            raise UsageError(
                "maintenance.bad_time", option=option, value=text, timezone=timezone
            ) from None
        if parsed.tzinfo is not None:
            return parsed.astimezone(self.zone)

        # fold=0 picks the first of a wall-clock time that occurs twice. A
        # time that the clock skips does not survive the round trip.
        local = parsed.replace(tzinfo=self.zone)
        if local.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) != parsed:
            raise UsageError(
                "maintenance.nonexistent_time", option=option, value=text, timezone=timezone
            )
        return local

    def _parse_cron(self, text: str) -> None:
        try:
            maintenance.parse_cron(text)
        except maintenance.CronError as error:
            field = self.text(f"maintenance.cron_field.{error.field}") if error.field else ""
            raise UsageError(
                f"maintenance.bad_cron.{error.code}",
                cron=text,
                count=error.count,
                field=field,
                value=error.value,
            ) from None

    # list

    def list(self, *, show_all: bool, as_json: bool) -> int:
        records = self._read(lambda db: maintenance.list_window_records(db, include_removed=True))
        if isinstance(records, int):
            return records

        entries = [_Entry(w.name, w, "config") for w in self.inventory.maintenance]
        entries += [_Entry(r.window.name, r.window, "database", r) for r in records]
        # config.load checks the windows of the configuration, and
        # list_window_records skips stored windows that are invalid.
        schedule = maintenance.MaintenanceSchedule(
            [entry.window for entry in entries], self.inventory.daemon.timezone
        )
        now = time.time()
        visible = [e for e in entries if show_all or not _is_over(e, now)]

        if as_json:
            print(json.dumps([self._entry_json(schedule, e, now) for e in visible], indent=2))
            return EXIT_OK
        if not visible:
            print(self.text("maintenance.list.empty"))
        for entry in visible:
            self._print_entry(schedule, entry, now)
        hidden = len(entries) - len(visible)
        if hidden:
            print(self.text("maintenance.list.hidden", count=hidden))
        return EXIT_OK

    def _print_entry(
        self, schedule: maintenance.MaintenanceSchedule, entry: _Entry, now: float
    ) -> None:
        window, record = entry.window, entry.record
        current, upcoming = _occurrences(schedule, entry, now)
        if record is not None and record.removed is not None:
            print(
                self.text(
                    "maintenance.list.removed",
                    id=entry.id,
                    removed=self.moment(record.removed),
                    user=record.removed_by or self.text("maintenance.unknown_user"),
                )
            )
        elif current is not None:
            end = schedule.ends_at(window, now) or current.end
            print(self.text("maintenance.list.active", id=entry.id, end=self.moment(end)))
        elif upcoming is None:
            print(self.text("maintenance.list.over", id=entry.id))
        else:
            print(self.text("maintenance.list.waiting", id=entry.id))

        print(self.text("maintenance.list.scope", scope=self._scope(window)))
        print(self.text("maintenance.list.schedule", schedule=self._schedule(window)))
        print(self.text("maintenance.list.reason", reason=window.reason))
        next_start = self.moment(upcoming.start) if upcoming else self.text("maintenance.none")
        print(self.text("maintenance.list.next", start=next_start))
        if record is None:
            print(self.text("maintenance.list.source_config", file=self.inventory.path))
        else:
            print(
                self.text(
                    "maintenance.list.source_database",
                    user=record.created_by or self.text("maintenance.unknown_user"),
                    created=self.moment(record.created),
                )
            )

    def _entry_json(
        self, schedule: maintenance.MaintenanceSchedule, entry: _Entry, now: float
    ) -> dict[str, object]:
        window, record = entry.window, entry.record
        current, upcoming = _occurrences(schedule, entry, now)
        active_until = schedule.ends_at(window, now) if current else None
        return {
            "id": entry.id,
            "source": entry.source,
            "targets": list(window.targets),
            "groups": list(window.groups),
            "networks": list(window.networks),
            "start": _iso(window.start, self.zone),
            "end": _iso(window.end, self.zone),
            "cron": window.cron,
            "duration_seconds": window.duration,
            "timezone": self.inventory.daemon.timezone,
            "reason": window.reason,
            "active": current is not None,
            "active_until": _iso(active_until, self.zone),
            "next_start": _iso(upcoming.start if upcoming else None, self.zone),
            "created": _iso(record.created if record else None, self.zone),
            "created_by": record.created_by if record else None,
            "removed": _iso(record.removed if record else None, self.zone),
            "removed_by": (record.removed_by or None) if record else None,
        }

    # remove

    def remove(self, text: str) -> int:
        config_names = {window.name for window in self.inventory.maintenance}
        window_id = maintenance.database_id(text)
        if text in config_names:
            return self.fail(
                EXIT_NOT_FOUND, "maintenance.config_window", id=text, file=self.inventory.path
            )
        if window_id is None:
            return self.fail(EXIT_NOT_FOUND, "maintenance.not_found", id=text)

        user = _current_user()
        outcome = self._write(lambda db: _remove(db, window_id, user))
        if not isinstance(outcome, _Written):
            return outcome
        name = f"{maintenance.DATABASE_PREFIX}{window_id}"
        removed = outcome.value
        if removed is None:
            return self.fail(EXIT_NOT_FOUND, "maintenance.not_found", id=text)
        if not removed.fresh:
            return self.fail(
                EXIT_NOT_FOUND,
                "maintenance.already_removed",
                id=name,
                removed=self.moment(removed.record.removed or 0.0),
                user=removed.record.removed_by or self.text("maintenance.unknown_user"),
            )
        print(self.text("maintenance.removed", id=name))
        return EXIT_OK

    # The database

    def _write(self, operation: Callable[[sqlite_utils.Database], _T]) -> _Written[_T] | int:
        """Run ``operation`` in one committed transaction; return its value or an exit code."""
        writer = storage.Storage(self.database)
        try:
            writer.open()
        except storage.StorageError as error:
            print(error.message(self.language), file=sys.stderr)
            return EXIT_USAGE
        writer.start()
        try:
            return _Written(writer.submit(operation).result(timeout=WRITE_TIMEOUT))
        except (concurrent.futures.TimeoutError, storage.StorageError):
            return self.fail(
                EXIT_USAGE,
                "maintenance.database_busy",
                path=self.database,
                seconds=round(WRITE_TIMEOUT),
            )
        finally:
            writer.close(timeout=1.0)

    def _read(self, query: Callable[[sqlite_utils.Database], _T]) -> _T | int:
        """Run ``query`` read-only, after creating or migrating the file if needed."""
        try:
            if not _schema_is_current(self.database):
                writer = storage.Storage(self.database)
                writer.open()
                writer.close()
            db = storage.connect_readonly(self.database)
        except storage.StorageError as error:
            print(error.message(self.language), file=sys.stderr)
            return EXIT_USAGE
        try:
            return query(db)
        finally:
            db.close()

    # Formatting

    def moment(self, value: datetime | float) -> str:
        """Format a time as "5 Desember 2026 22.00 WIB" or "December 5, 2026 22:00 WIB"."""
        if isinstance(value, datetime):
            local = value.astimezone(self.zone)
        else:
            local = datetime.fromtimestamp(value, self.zone)
        locale = "en" if self.language == "en" else "id"
        clock = format_time(local, "HH:mm" if locale == "en" else "HH.mm", locale=locale)
        return f"{format_date(local, 'long', locale=locale)} {clock} {local.tzname()}"

    def _scope(self, window: MaintenanceWindow) -> str:
        parts = []
        for key, names in (
            ("maintenance.scope.targets", window.targets),
            ("maintenance.scope.groups", window.groups),
            ("maintenance.scope.networks", window.networks),
        ):
            if names:
                parts.append(self.text(key, names=", ".join(names)))
        return "; ".join(parts)

    def _schedule(self, window: MaintenanceWindow) -> str:
        if window.cron is None:
            assert window.start is not None and window.end is not None
            return self.text(
                "maintenance.schedule.one_off",
                start=self.moment(window.start),
                end=self.moment(window.end),
            )
        return self.text(
            "maintenance.schedule.recurring",
            cron=window.cron,
            timezone=self.inventory.daemon.timezone,
            duration=config.format_duration(window.duration or 0.0),
        )


@dataclass(frozen=True, slots=True)
class _Written(Generic[_T]):
    """Value of a committed write, distinct from an exit code."""

    value: _T


@dataclass(frozen=True, slots=True)
class _Removal:
    record: maintenance.StoredWindow
    fresh: bool  # False when the window had been removed before


def _remove(db: sqlite_utils.Database, window_id: int, user: str) -> _Removal | None:
    """Remove a window in the writer's transaction; None when the ID was never used."""
    fresh = maintenance.remove_window(db, window_id, removed_by=user)
    records = maintenance.list_window_records(db, include_removed=True)
    record = next((r for r in records if r.id == window_id), None)
    return None if record is None else _Removal(record, fresh)


def _schema_is_current(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        db = storage.connect_readonly(path)
    except storage.StorageError:
        return False  # Storage.open() reports the cause
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error:
        return False
    finally:
        db.close()
    return bool(version == storage.SCHEMA_VERSION)


def _is_over(entry: _Entry, now: float) -> bool:
    if entry.record is not None and entry.record.removed is not None:
        return True
    window = entry.window
    return window.cron is None and window.end is not None and window.end.timestamp() <= now


def _parse_duration(text: str) -> float:
    try:
        seconds = config.parse_duration(text.strip())
    except ValueError:
        raise UsageError("maintenance.bad_duration", value=text) from None
    if not maintenance.MIN_DURATION <= seconds <= maintenance.MAX_DURATION:
        raise UsageError(
            "maintenance.duration_out_of_range",
            value=text,
            minimum=config.format_duration(maintenance.MIN_DURATION),
            maximum=config.format_duration(maintenance.MAX_DURATION),
        )
    return seconds


def _iso(value: datetime | float | None, zone: ZoneInfo) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat()
    return datetime.fromtimestamp(value, zone).isoformat()


def _current_user() -> str:
    """Return who runs the command: the sudo caller if any, else the login name."""
    sudo_user = os.environ.get("SUDO_USER")
    if sudo_user:
        return sudo_user
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid {os.getuid()}"


def _occurrences(
    schedule: maintenance.MaintenanceSchedule, entry: _Entry, now: float
) -> tuple[maintenance.Occurrence | None, maintenance.Occurrence | None]:
    """Return the window's occurrence now and its next one; a removed window has neither."""
    if entry.record is not None and entry.record.removed is not None:
        return None, None
    return schedule.occurrence(entry.window, now), schedule.next_occurrence(entry.window, now)
