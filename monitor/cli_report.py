"""`pantau report`: the readiness report of a month or of a range of days.

The command reads the database read-only, so it may run while the daemon
writes. The period is a local month (``--month``, default the previous
complete month) or the days ``--since`` to ``--until``, both included, in
the configured time zone.

Exit codes: 0 written, 1 no database or no history for the period,
2 usage error (invalid month or date, an incomplete or reversed range, a
period that has not started, an output file that cannot be written).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from monitor import storage
from monitor.config import Inventory
from monitor.i18n import translate

if TYPE_CHECKING:
    from monitor import report

EXIT_OK = 0
EXIT_NO_DATA = 1
EXIT_USAGE = 2

FORMATS = ("text", "csv", "html")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ReportError(Exception):
    """A failure with its catalogue key, parameters and exit code."""

    def __init__(self, exit_code: int, key: str, **params: object) -> None:
        super().__init__(key)
        self.exit_code = exit_code
        self.key = key
        self.params = params


@dataclass(frozen=True, slots=True)
class Period:
    """[start, end) in unix seconds."""

    start: float
    end: float


def add_parser(
    commands: argparse._SubParsersAction[Any], common: argparse.ArgumentParser, language: str
) -> None:
    """Register `report` under the sub-command set ``commands``."""

    def text(key: str) -> str:
        return translate(key, language)

    command = commands.add_parser("report", parents=[common], help=text("report.help.command"))
    command.add_argument(
        "--month", metavar=text("report.metavar.month"), help=text("report.help.month")
    )
    day = text("report.metavar.date")
    command.add_argument("--since", metavar=day, help=text("report.help.since"))
    command.add_argument("--until", metavar=day, help=text("report.help.until"))
    command.add_argument(
        "--format", choices=FORMATS, default="text", help=text("report.help.format")
    )
    command.add_argument(
        "-o", "--output", metavar=text("cli.metavar.file"), help=text("report.help.output")
    )
    command.add_argument(
        "--database", metavar=text("cli.metavar.file"), help=text("report.help.database")
    )


def run(
    args: argparse.Namespace, inventory: Inventory, language: str, now: float | None = None
) -> int:
    """Write the report of the parsed arguments ``args`` and return the exit code."""
    now = time.time() if now is None else now
    if args.database is not None:
        # A copy of the database, or one from another Pantau, read with this configuration.
        daemon = dataclasses.replace(inventory.daemon, database=Path(args.database))
        inventory = dataclasses.replace(inventory, daemon=daemon)
    try:
        period = choose_period(args.month, args.since, args.until, inventory.daemon.timezone, now)
        output = _render(inventory, period, now, args.format, language)
        _write(output, args.output, args.format)
    except ReportError as error:
        print(translate(error.key, language, **error.params), file=sys.stderr)
        return error.exit_code
    return EXIT_OK


# The day after a period must still be a date Python can hold.
_LAST_YEAR = 9998


def choose_period(
    month: str | None, since: str | None, until: str | None, timezone: str, now: float
) -> Period:
    """Return the period of the arguments, or raise ReportError naming the value to fix."""
    zone = ZoneInfo(timezone)
    if month is not None and (since is not None or until is not None):
        raise ReportError(EXIT_USAGE, "report.error.month_and_dates")
    if since is not None or until is not None:
        if since is None or until is None:
            given, missing = ("--since", "--until") if since else ("--until", "--since")
            raise ReportError(EXIT_USAGE, "report.error.dates_pair", given=given, missing=missing)
        first, last = _parse_date(since, "--since"), _parse_date(until, "--until")
        if first > last:
            raise ReportError(
                EXIT_USAGE, "report.error.since_after_until", since=since, until=until
            )
        period = Period(_midnight(first, zone), _midnight(last + timedelta(days=1), zone))
    elif month is not None:
        period = Period(*_month_bounds(*_parse_month(month), zone))
    else:
        today = datetime.fromtimestamp(now, zone)
        previous = today.replace(day=1) - timedelta(days=1)
        period = Period(*_month_bounds(previous.year, previous.month, zone))

    if period.start >= now:
        raise ReportError(
            EXIT_USAGE,
            "report.error.future",
            period=_describe(period, timezone),
            now=datetime.fromtimestamp(now, zone).strftime("%Y-%m-%d %H:%M %Z"),
        )
    return period


def _parse_month(text: str) -> tuple[int, int]:
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match[2]) <= 12 or not 1970 <= int(match[1]) <= _LAST_YEAR:
        raise ReportError(EXIT_USAGE, "report.error.bad_month", value=text)
    return int(match[1]), int(match[2])


def _parse_date(text: str, option: str) -> date:
    value = text.strip()
    try:
        if _DATE.fullmatch(value) is None:
            raise ValueError(value)
        parsed = date.fromisoformat(value)
        if not 1970 <= parsed.year <= _LAST_YEAR:
            raise ValueError(value)
        return parsed
    except ValueError:
        raise ReportError(EXIT_USAGE, "report.error.bad_date", value=text, option=option) from None


def _month_bounds(year: int, month: int, zone: ZoneInfo) -> tuple[float, float]:
    following = date(year + month // 12, month % 12 + 1, 1)
    return _midnight(date(year, month, 1), zone), _midnight(following, zone)


def _midnight(day: date, zone: ZoneInfo) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()


def _describe(period: Period, timezone: str) -> str:
    zone = ZoneInfo(timezone)
    first = datetime.fromtimestamp(period.start, zone).date()
    last = datetime.fromtimestamp(period.end, zone).date() - timedelta(days=1)
    return f"{first.isoformat()} – {last.isoformat()}"


def _render(inventory: Inventory, period: Period, now: float, form: str, language: str) -> str:
    path = inventory.daemon.database
    if not path.exists():
        raise ReportError(
            EXIT_NO_DATA, "report.error.no_database", path=path, config=inventory.path
        )
    try:
        connection = storage.connect_readonly(path)
    except storage.StorageError as error:
        raise ReportError(
            EXIT_NO_DATA, "report.error.database", path=path, error=error.message(language)
        ) from error
    try:
        return _read_and_render(connection, inventory, period, now, form, language)
    except sqlite3.Error as error:
        raise ReportError(EXIT_NO_DATA, "report.error.database", path=path, error=error) from error
    finally:
        connection.close()


def _read_and_render(
    connection: Any, inventory: Inventory, period: Period, now: float, form: str, language: str
) -> str:
    # Imported here so that the other commands start without the history code.
    from monitor import history, report

    renderers: dict[str, Callable[[report.Report, str], str]] = {
        "text": report.render_text,
        "csv": report.render_csv,
        "html": report.render_html,
    }
    path = inventory.daemon.database
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version < storage.SCHEMA_VERSION or history.rolled_until(connection) is None:
        raise ReportError(EXIT_NO_DATA, "report.error.no_history", path=path)

    built = report.build_report(inventory, connection, period.start, period.end, now)
    if not _has_data(built):
        until = built.rolled_until
        assert until is not None
        zone = ZoneInfo(inventory.daemon.timezone)
        raise ReportError(
            EXIT_NO_DATA,
            "report.error.no_history_period",
            path=path,
            period=_describe(period, inventory.daemon.timezone),
            until=datetime.fromtimestamp(until, zone).strftime("%Y-%m-%d %H:%M %Z"),
        )
    return renderers[form](built, language)


def _has_data(built: report.Report) -> bool:
    """Tell whether any target of the report has one observed second in the period."""
    for section in built.sections:
        if section.period_seconds - section.seconds["unknown"] > 0:
            return True
        if any(check.observed_seconds > 0 for check in section.isolation):
            return True
    return False


def _write(output: str, path: str | None, form: str) -> None:
    if path is None:
        sys.stdout.write(output)
        sys.stdout.flush()
        return
    target = Path(path)
    try:
        # newline="" keeps the CSV's CR LF line ends as they are.
        with target.open("w", encoding="utf-8", newline="" if form == "csv" else None) as file:
            file.write(output)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ReportError(EXIT_USAGE, "report.error.output", path=target, error=reason) from error
