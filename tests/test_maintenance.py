"""Maintenance windows: schedule, crontab fields, time zones and the maintenance table."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import maintenance
from monitor.config import MaintenanceWindow, Target, TargetSettings
from monitor.maintenance import CronError, MaintenanceSchedule, parse_cron
from monitor.storage import MAINTENANCE_TABLE, Storage

JAKARTA = ZoneInfo("Asia/Jakarta")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def target(name: str = "core-router", group: str = "Diskominfo", network: str = "opd") -> Target:
    return Target(
        name=name,
        address="127.0.0.1",
        group=group,
        network=network,
        probes=("icmp",),
        parent=None,
        description="",
        settings=TargetSettings(),
        snmp=None,
        placeholder=False,
    )


def at(zone: ZoneInfo, *fields: int, fold: int = 0) -> float:
    return datetime(*fields, tzinfo=zone, fold=fold).timestamp()  # type: ignore[misc]


def utc(*fields: int) -> float:
    return datetime(*fields, tzinfo=UTC).timestamp()  # type: ignore[misc]


def recurring(cron: str, hours: float, **scope: tuple[str, ...]) -> MaintenanceWindow:
    scope = scope or {"targets": ("core-router",)}
    return MaintenanceWindow(name="w", cron=cron, duration=hours * 3600, reason="test", **scope)


def one_off(start: datetime, end: datetime, **scope: tuple[str, ...]) -> MaintenanceWindow:
    scope = scope or {"targets": ("core-router",)}
    return MaintenanceWindow(name="w", start=start, end=end, reason="test", **scope)


# One-off windows ----------------------------------------------------------------------


def test_one_off_active_from_start_until_end() -> None:
    window = one_off(
        datetime(2026, 12, 5, 22, tzinfo=JAKARTA), datetime(2026, 12, 6, 2, tzinfo=JAKARTA)
    )
    schedule = MaintenanceSchedule([window], "Asia/Jakarta")
    router = target()

    assert schedule.active(router, at(JAKARTA, 2026, 12, 5, 21, 59, 59)) is None
    assert schedule.active(router, at(JAKARTA, 2026, 12, 5, 22)) is window
    assert schedule.active(router, at(JAKARTA, 2026, 12, 6, 1, 59, 59)) is window
    assert schedule.active(router, at(JAKARTA, 2026, 12, 6, 2)) is None


def test_one_off_next_start_and_end() -> None:
    start = datetime(2026, 12, 5, 22, tzinfo=JAKARTA)
    window = one_off(start, start + timedelta(hours=4))
    schedule = MaintenanceSchedule([window], "Asia/Jakarta")
    before = at(JAKARTA, 2026, 12, 1)

    assert schedule.next_start(target(), before) == start
    assert schedule.ends_at(window, before) == start + timedelta(hours=4)
    assert schedule.next_start(target(), start.timestamp()) is None
    assert schedule.ends_at(window, at(JAKARTA, 2026, 12, 6, 2)) is None


def test_one_off_in_other_zone_compares_instants() -> None:
    # 22:00 WIB is 16:00 in Amsterdam (UTC+1 in December).
    window = one_off(
        datetime(2026, 12, 5, 16, tzinfo=AMSTERDAM), datetime(2026, 12, 5, 17, tzinfo=AMSTERDAM)
    )
    schedule = MaintenanceSchedule([window], "Asia/Jakarta")
    assert schedule.active(target(), at(JAKARTA, 2026, 12, 5, 22, 30)) is window
    assert schedule.next_start(target(), 0.0) == datetime(2026, 12, 5, 22, tzinfo=JAKARTA)


@given(
    start=st.integers(min_value=1_700_000_000, max_value=1_900_000_000),
    length=st.integers(min_value=1, max_value=30 * 86_400),
    offset=st.integers(min_value=-40 * 86_400, max_value=40 * 86_400),
)
def test_one_off_active_within_bounds(start: int, length: int, offset: int) -> None:
    window = one_off(
        datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(start + length, UTC)
    )
    schedule = MaintenanceSchedule([window], "Asia/Jakarta")
    moment = float(start + offset)

    expected = start <= moment < start + length
    assert (schedule.active(target(), moment) is window) == expected


# Recurring windows in Asia/Jakarta ------------------------------------------------------


def test_recurring_saturday_night_spans_midnight() -> None:
    window = recurring("0 22 * * sat", 4)
    schedule = MaintenanceSchedule([window], "Asia/Jakarta")
    router = target()

    # 5 December 2026 is a Saturday.
    assert schedule.active(router, at(JAKARTA, 2026, 12, 5, 21, 59, 59)) is None
    assert schedule.active(router, at(JAKARTA, 2026, 12, 5, 22)) is window
    assert schedule.active(router, at(JAKARTA, 2026, 12, 6, 1, 59, 59)) is window
    assert schedule.active(router, at(JAKARTA, 2026, 12, 6, 2)) is None
    assert schedule.active(router, at(JAKARTA, 2026, 12, 12, 23)) is window
    assert schedule.active(router, at(JAKARTA, 2026, 12, 9, 23)) is None


def test_recurring_next_start_and_end() -> None:
    window = recurring("0 22 * * sat", 4)
    schedule = MaintenanceSchedule([window], "Asia/Jakarta")
    during = at(JAKARTA, 2026, 12, 5, 23)

    assert schedule.next_start(target(), during) == datetime(2026, 12, 12, 22, tzinfo=JAKARTA)
    assert schedule.ends_at(window, during) == datetime(2026, 12, 6, 2, tzinfo=JAKARTA)
    assert schedule.ends_at(window, at(JAKARTA, 2026, 12, 7)) == datetime(
        2026, 12, 13, 2, tzinfo=JAKARTA
    )
    occurrence = schedule.occurrence(window, during)
    assert occurrence is not None
    assert occurrence.start == datetime(2026, 12, 5, 22, tzinfo=JAKARTA)
    assert occurrence.start.tzname() == "WIB"


def test_recurring_across_month_and_year_end() -> None:
    window = recurring("30 23 31 * *", 2)
    schedule = MaintenanceSchedule([window], "Asia/Jakarta")
    router = target()

    assert schedule.active(router, at(JAKARTA, 2026, 12, 31, 23, 30)) is window
    assert schedule.active(router, at(JAKARTA, 2027, 1, 1, 1, 29, 59)) is window
    assert schedule.active(router, at(JAKARTA, 2027, 1, 1, 1, 30)) is None
    # November has no 31st: the next start after 1 November is 31 December.
    assert schedule.next_start(router, at(JAKARTA, 2026, 11, 1)) == datetime(
        2026, 12, 31, 23, 30, tzinfo=JAKARTA
    )


def test_recurring_last_day_of_month() -> None:
    window = recurring("0 22 last * *", 3)
    schedule = MaintenanceSchedule([window], "Asia/Jakarta")
    assert schedule.next_start(target(), at(JAKARTA, 2027, 2, 1)) == datetime(
        2027, 2, 28, 22, tzinfo=JAKARTA
    )
    assert schedule.active(target(), at(JAKARTA, 2027, 3, 1, 0, 30)) is window


def test_recurring_overlapping_occurrences_merge_in_ends_at() -> None:
    window = recurring("0 0,1 * * *", 1.5)
    schedule = MaintenanceSchedule([window], "Asia/Jakarta")
    moment = at(JAKARTA, 2026, 12, 5, 0, 30)

    assert schedule.ends_at(window, moment) == datetime(2026, 12, 5, 2, 30, tzinfo=JAKARTA)
    assert schedule.active(target(), at(JAKARTA, 2026, 12, 5, 1, 45)) is window
    assert schedule.active(target(), at(JAKARTA, 2026, 12, 5, 2, 30)) is None


def test_schedule_answers_same_in_any_call_order() -> None:
    window = recurring("*/20 8-9 * * mon-fri", 0.25)
    cached = MaintenanceSchedule([window], "Asia/Jakarta")
    moments = [at(JAKARTA, 2026, 12, 7, 8) + minute * 60 for minute in range(0, 150, 7)]

    forward = [cached.active(target(), moment) for moment in moments]
    backward = [cached.active(target(), moment) for moment in reversed(moments)]
    fresh = [MaintenanceSchedule([window], "Asia/Jakarta").active(target(), m) for m in moments]

    assert forward == fresh
    assert backward == list(reversed(fresh))
    # Covered minutes after 08:00: [0, 15), [20, 35), [40, 55), [60, 75), [80, 95), [100, 115).
    assert fresh.count(window) == 13


# Recurring windows across DST changes in Europe/Amsterdam --------------------------------


def test_amsterdam_skipped_start_begins_at_the_change() -> None:
    # 29 March 2026: clocks go from 02:00 CET to 03:00 CEST at 01:00 UTC.
    window = recurring("30 2 * * *", 1)
    schedule = MaintenanceSchedule([window], "Europe/Amsterdam")
    router = target()

    assert schedule.active(router, utc(2026, 3, 29, 0, 59, 59)) is None
    assert schedule.active(router, utc(2026, 3, 29, 1, 0)) is window
    assert schedule.active(router, utc(2026, 3, 29, 1, 59, 59)) is window
    assert schedule.active(router, utc(2026, 3, 29, 2, 0)) is None
    occurrence = schedule.occurrence(window, utc(2026, 3, 29, 1, 30))
    assert occurrence is not None
    assert occurrence.start == datetime(2026, 3, 29, 3, 0, tzinfo=AMSTERDAM)
    assert occurrence.start.tzname() == "CEST"


def test_amsterdam_repeated_start_begins_once() -> None:
    # 25 October 2026: clocks go from 03:00 CEST back to 02:00 CET at 01:00 UTC,
    # so 02:30 happens at 00:30 UTC and again at 01:30 UTC.
    window = recurring("30 2 * * *", 1)
    schedule = MaintenanceSchedule([window], "Europe/Amsterdam")
    router = target()

    assert schedule.active(router, utc(2026, 10, 25, 0, 29, 59)) is None
    assert schedule.active(router, utc(2026, 10, 25, 0, 30)) is window
    assert schedule.active(router, utc(2026, 10, 25, 1, 29, 59)) is window
    assert schedule.active(router, utc(2026, 10, 25, 1, 30)) is None
    assert schedule.active(router, utc(2026, 10, 25, 2, 0)) is None
    assert schedule.next_start(router, utc(2026, 10, 25, 0, 30)) == datetime(
        2026, 10, 26, 2, 30, tzinfo=AMSTERDAM
    )


def test_amsterdam_duration_is_elapsed_time_across_fall_back() -> None:
    # Saturday 24 October 2026 22:00 CEST is 20:00 UTC. Six hours later is
    # 02:00 UTC, which reads 03:00 CET because the clocks went back at 01:00 UTC.
    window = recurring("0 22 * * sat", 6)
    schedule = MaintenanceSchedule([window], "Europe/Amsterdam")

    assert schedule.active(target(), utc(2026, 10, 24, 20, 0)) is window
    assert schedule.active(target(), utc(2026, 10, 25, 1, 59, 59)) is window
    assert schedule.active(target(), utc(2026, 10, 25, 2, 0)) is None
    end = schedule.ends_at(window, utc(2026, 10, 24, 21))
    assert end == datetime(2026, 10, 25, 3, 0, tzinfo=AMSTERDAM)
    assert end is not None
    assert end.tzname() == "CET"


def test_amsterdam_every_half_hour_through_repeated_hour() -> None:
    window = recurring("*/30 * * * *", 0.25)
    schedule = MaintenanceSchedule([window], "Europe/Amsterdam")
    starts = []
    moment = utc(2026, 10, 24, 23, 50)
    for _ in range(5):
        found = schedule.next_start(target(), moment)
        assert found is not None
        starts.append(found.astimezone(UTC).strftime("%H:%M"))
        moment = found.timestamp()
    # 02:00 and 02:30 CEST, then the repeated 02:00 and 02:30 CET start nothing.
    assert starts == ["00:00", "00:30", "02:00", "02:30", "03:00"]


# Scope --------------------------------------------------------------------------------


def test_scope_is_union_of_targets_groups_networks() -> None:
    window = MaintenanceWindow(
        name="w",
        targets=("core-router",),
        groups=("Bappeda",),
        networks=("eksekutif",),
        start=datetime(2026, 12, 5, tzinfo=JAKARTA),
        end=datetime(2026, 12, 6, tzinfo=JAKARTA),
    )
    schedule = MaintenanceSchedule([window], "Asia/Jakarta")
    moment = at(JAKARTA, 2026, 12, 5, 12)

    assert schedule.active(target("core-router", "Diskominfo", "opd"), moment) is window
    assert schedule.active(target("bappeda-ap", "Bappeda", "opd"), moment) is window
    assert schedule.active(target("bupati-ap", "Setda", "eksekutif"), moment) is window
    assert schedule.active(target("bpkd-router", "BPKD", "opd"), moment) is None
    assert schedule.next_start(target("bpkd-router", "BPKD", "opd"), 0.0) is None


def test_active_returns_window_ending_last() -> None:
    short = MaintenanceWindow(
        name="short",
        networks=("opd",),
        start=datetime(2026, 12, 5, 22, tzinfo=JAKARTA),
        end=datetime(2026, 12, 5, 23, tzinfo=JAKARTA),
    )
    weekly = MaintenanceWindow(
        name="weekly", networks=("opd",), cron="0 21 * * sat", duration=4 * 3600.0
    )
    schedule = MaintenanceSchedule([short, weekly], "Asia/Jakarta")

    assert schedule.active(target(), at(JAKARTA, 2026, 12, 5, 22, 30)) is weekly
    assert schedule.next_start(target(), at(JAKARTA, 2026, 12, 5, 20)) == datetime(
        2026, 12, 5, 21, tzinfo=JAKARTA
    )


def test_invalid_windows_are_rejected() -> None:
    no_scope = MaintenanceWindow(name="a", cron="0 22 * * sat", duration=3600.0)
    no_time = MaintenanceWindow(name="b", targets=("x",))
    both = MaintenanceWindow(
        name="c",
        targets=("x",),
        cron="0 22 * * sat",
        duration=3600.0,
        start=datetime(2026, 1, 1, tzinfo=UTC),
    )
    backwards = one_off(datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    naive = one_off(datetime(2026, 1, 1), datetime(2026, 1, 2))
    for window in (no_scope, no_time, both, backwards, naive):
        with pytest.raises(ValueError, match=f"maintenance window {window.name!r}"):
            MaintenanceSchedule([window], "Asia/Jakarta")


def test_window_that_never_fires_is_never_active() -> None:
    window = recurring("0 0 30 2 *", 1)
    schedule = MaintenanceSchedule([window], "Asia/Jakarta")
    assert schedule.active(target(), at(JAKARTA, 2027, 2, 28)) is None
    assert schedule.next_start(target(), at(JAKARTA, 2027, 1, 1)) is None


# Crontab fields -----------------------------------------------------------------------


def fire_days(expression: str, first: datetime, count: int) -> list[str]:
    cron = parse_cron(expression)
    days = []
    cursor = first
    for _ in range(count):
        fire = cron.next_wall_time(cursor)
        assert fire is not None
        days.append(fire.strftime("%a %d"))
        cursor = fire + timedelta(minutes=1)
    return days


@pytest.mark.parametrize(
    ("weekday", "expected"),
    [
        ("0", ["Sun 06", "Sun 13"]),
        ("7", ["Sun 06", "Sun 13"]),
        ("sun", ["Sun 06", "Sun 13"]),
        ("6", ["Sat 05", "Sat 12"]),
        ("5-7", ["Fri 04", "Sat 05", "Sun 06", "Fri 11"]),
        ("1-5/2", ["Wed 02", "Fri 04", "Mon 07", "Wed 09"]),
        ("*/3", ["Wed 02", "Sat 05", "Sun 06", "Wed 09"]),
        ("mon-sun", ["Tue 01", "Wed 02", "Thu 03"]),
        ("MON,fri", ["Fri 04", "Mon 07", "Fri 11"]),
        ("mon/2", ["Wed 02", "Fri 04", "Sun 06", "Mon 07"]),
    ],
)
def test_day_of_week_as_crontab_reads_it(weekday: str, expected: list[str]) -> None:
    # 1 December 2026 is a Tuesday.
    assert fire_days(f"0 0 * * {weekday}", datetime(2026, 12, 1), len(expected)) == expected


def test_day_of_month_or_day_of_week() -> None:
    # Both restricted: the 13th and every Friday, as crontab(5) reads it.
    assert fire_days("0 0 13 * fri", datetime(2026, 12, 1), 4) == [
        "Fri 04",
        "Fri 11",
        "Sun 13",
        "Fri 18",
    ]
    # A day-of-week starting with "*" leaves the day of month alone.
    assert fire_days("0 0 13 * *", datetime(2026, 12, 1), 1) == ["Sun 13"]


def test_shortcuts() -> None:
    assert fire_days("@weekly", datetime(2026, 12, 1), 1) == ["Sun 06"]
    assert fire_days("@MONTHLY", datetime(2026, 12, 2), 1) == ["Fri 01"]


@pytest.mark.parametrize(
    ("expression", "code", "field", "value"),
    [
        ("0 22 * *", "field_count", "", ""),
        ("0 22 * * sat extra", "field_count", "", ""),
        ("61 22 * * *", "field", "minute", "61"),
        ("0 24 * * *", "field", "hour", "24"),
        ("0 0 32 * *", "field", "day", "32"),
        ("0 0 L * *", "field", "day", "L"),
        ("0 0 * 13 *", "field", "month", "13"),
        ("0 0 * * 8", "field", "day_of_week", "8"),
        ("0 0 * * 1-2-3", "field", "day_of_week", "1-2-3"),
        ("0 0 * * fri-mon", "field", "day_of_week", "fri-mon"),
        ("0 0 * * */0", "field", "day_of_week", "*/0"),
        ("0 0 * * satu", "field", "day_of_week", "satu"),
        ("0 0 30 2 *", "never", "", ""),
    ],
)
def test_invalid_cron_names_the_field(expression: str, code: str, field: str, value: str) -> None:
    with pytest.raises(CronError) as raised:
        parse_cron(expression, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert raised.value.code == code
    assert raised.value.field == field
    assert raised.value.value == value


def test_leap_day_cron_is_valid() -> None:
    cron = parse_cron("0 0 29 2 *", now=datetime(2097, 1, 1, tzinfo=UTC))
    assert cron.next_wall_time(datetime(2097, 1, 1)) == datetime(2104, 2, 29)


day_lists = st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=8)


@given(days=day_lists)
def test_day_of_week_numbers_fire_on_those_days(days: list[int]) -> None:
    expected = {day % 7 for day in days}
    cron = parse_cron("0 12 * * " + ",".join(map(str, days)))
    cursor = datetime(2026, 12, 6)  # a Sunday
    seen = set()
    for _ in range(len(expected)):
        fire = cron.next_wall_time(cursor)
        assert fire is not None
        seen.add(int(fire.strftime("%w")))
        cursor = fire + timedelta(minutes=1)
    assert seen == expected
    assert (cursor - datetime(2026, 12, 6)).days < 7


@settings(max_examples=200, deadline=None)
@given(
    minute=st.integers(min_value=0, max_value=59),
    hours=st.lists(st.integers(min_value=0, max_value=23), min_size=1, max_size=3, unique=True),
    weekdays=st.lists(
        st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
        min_size=1,
        max_size=3,
        unique=True,
    ),
    duration_minutes=st.integers(min_value=1, max_value=3 * 24 * 60),
    offset=st.integers(min_value=0, max_value=28 * 86_400),
)
def test_recurring_matches_apscheduler_in_jakarta(
    minute: int, hours: list[int], weekdays: list[str], duration_minutes: int, offset: int
) -> None:
    expression = f"{minute} {','.join(map(str, hours))} * * {','.join(weekdays)}"
    window = recurring(expression, duration_minutes / 60)
    schedule = MaintenanceSchedule([window], "Asia/Jakarta")
    moment = at(JAKARTA, 2026, 12, 1) + offset

    # Asia/Jakarta has no DST, where APScheduler's own zone handling is exact.
    trigger = CronTrigger.from_crontab(expression, timezone=JAKARTA)
    earliest = datetime.fromtimestamp(moment - duration_minutes * 60, JAKARTA)
    fire = trigger.get_next_fire_time(None, earliest + timedelta(microseconds=1))
    expected = fire is not None and fire.timestamp() <= moment

    assert (schedule.active(target(), moment) is window) == expected


# The maintenance table ------------------------------------------------------------------


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = Storage(tmp_path / "pantau.db")
    store.open()
    store.start()
    yield store
    store.close()


def test_add_list_remove_round_trip(storage: Storage) -> None:
    ups_swap = one_off(
        datetime(2026, 12, 5, 22, tzinfo=JAKARTA),
        datetime(2026, 12, 6, 2, tzinfo=JAKARTA),
        groups=("Bappeda",),
    )
    weekly = recurring("0 22 * * sat", 4, networks=("opd",))
    first = storage.submit(lambda db: maintenance.add_window(db, ups_swap, "operator")).result(10)
    second = storage.submit(lambda db: maintenance.add_window(db, weekly, "root")).result(10)

    listed = storage.submit(maintenance.list_windows).result(10)
    assert [window_id for window_id, _ in listed] == [first, second]
    stored_one, stored_weekly = (window for _, window in listed)
    assert stored_one.name == f"db:{first}"
    assert stored_one.groups == ("Bappeda",)
    assert stored_one.start == ups_swap.start
    assert stored_one.end == ups_swap.end
    assert stored_one.reason == "test"
    assert stored_weekly.cron == "0 22 * * sat"
    assert stored_weekly.duration == 4 * 3600.0
    assert stored_weekly.networks == ("opd",)

    assert storage.submit(lambda db: maintenance.remove_window(db, first)).result(10) is True
    assert storage.submit(lambda db: maintenance.remove_window(db, first)).result(10) is False
    assert storage.submit(lambda db: maintenance.remove_window(db, 999)).result(10) is False
    remaining = storage.submit(maintenance.list_windows).result(10)
    assert [window_id for window_id, _ in remaining] == [second]


def test_remove_keeps_row_with_who_and_when(storage: Storage) -> None:
    window = recurring("0 22 * * sat", 4)
    window_id = storage.submit(lambda db: maintenance.add_window(db, window, "root")).result(10)
    storage.submit(
        lambda db: maintenance.remove_window(db, window_id, removed_by="noc", removed=1000.0)
    ).result(10)

    records = storage.submit(
        lambda db: maintenance.list_window_records(db, include_removed=True)
    ).result(10)
    assert len(records) == 1
    assert records[0].removed == 1000.0
    assert records[0].removed_by == "noc"
    assert records[0].created_by == "root"


def test_add_rejects_invalid_window(storage: Storage) -> None:
    window = MaintenanceWindow(name="x", cron="0 22 * * sat", duration=3600.0)
    with pytest.raises(ValueError, match="no target, group or network"):
        storage.submit(lambda db: maintenance.add_window(db, window, "root")).result(10)


def test_load_database_windows_read_only(storage: Storage) -> None:
    past = one_off(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
    weekly = recurring("0 22 * * sat", 4)
    removed = recurring("0 23 * * sun", 1)
    for window in (past, weekly, removed):
        storage.submit(lambda db, w=window: maintenance.add_window(db, w, "root")).result(10)
    storage.submit(lambda db: maintenance.remove_window(db, 3)).result(10)

    windows = maintenance.load_database_windows(storage.path)
    assert [window.name for window in windows] == ["db:1", "db:2"]
    recent = maintenance.load_database_windows(storage.path, ended_after=utc(2026, 6, 1))
    assert [window.name for window in recent] == ["db:2"]


def test_load_skips_row_edited_into_invalid(storage: Storage, tmp_path: Path) -> None:
    storage.submit(
        lambda db: maintenance.add_window(db, recurring("0 22 * * sat", 4), "root")
    ).result(10)
    storage.submit(lambda db: maintenance.add_window(db, recurring("0 1 * * *", 1), "root")).result(
        10
    )
    storage.submit(
        lambda db: db.execute(f"UPDATE {MAINTENANCE_TABLE} SET cron = '0 22 * *' WHERE id = 1")
    ).result(10)

    windows = maintenance.load_database_windows(storage.path)
    assert [window.name for window in windows] == ["db:2"]


def test_load_from_missing_table_raises(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        maintenance.load_database_windows(path)


def test_stored_names_are_json_lists(storage: Storage) -> None:
    window = recurring("0 22 * * sat", 4, targets=("a", "b"), groups=("Bappeda",))
    storage.submit(lambda db: maintenance.add_window(db, window, "root")).result(10)
    row = storage.submit(
        lambda db: db.execute(
            f"SELECT targets, groups, networks FROM {MAINTENANCE_TABLE}"
        ).fetchone()
    ).result(10)
    assert [json.loads(column) for column in row] == [["a", "b"], ["Bappeda"], []]


def test_database_id_accepts_prefix_or_number() -> None:
    assert maintenance.database_id("db:12") == 12
    assert maintenance.database_id("12") == 12
    assert maintenance.database_id("db:") is None
    assert maintenance.database_id("ganti-ups") is None
    assert maintenance.database_id("١٢") is None  # Arabic-Indic digits


@pytest.mark.parametrize(
    ("cron", "duration", "endless"),
    [
        ("*/5 * * * *", 300.0, True),
        ("@hourly", 7200.0, True),
        ("@daily", 86400.0, True),
        # Saturday and Sunday at 00:00 for a day each: ends on Monday.
        ("0 0 * * sat,sun", 86400.0, False),
        ("0 22 * * 1-5", 86400.0, False),
        ("0,1 * * * *", 120.0, False),
        ("@weekly", 7200.0, False),
    ],
)
def test_endless_window_needs_every_gap_filled(cron: str, duration: float, endless: bool) -> None:
    now = datetime(2026, 12, 5, tzinfo=UTC)

    assert (maintenance.endless_gap(cron, duration, now) is not None) is endless
