"""Tests of monitor/history.py: accounting rules, rollups, packing and retention."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from monitor import history
from monitor.config import HistorySettings
from monitor.history import Histogram, TargetPeriod
from monitor.storage import MIGRATIONS, Storage, connect_readonly

WIB = ZoneInfo("Asia/Jakarta")
HOUR = 3600
DAY = 86400


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    storage = Storage(tmp_path / "pantau.db")
    storage.open()
    storage.close()
    database = sqlite_utils.Database(tmp_path / "pantau.db")
    yield database
    database.close()


def local(zone: ZoneInfo, *parts: int) -> int:
    return round(datetime(*parts, tzinfo=zone).timestamp())  # type: ignore[misc]


def add_result(
    db: sqlite_utils.Database,
    target: str,
    probe: str,
    started: float,
    *,
    success: bool = True,
    values: dict[str, Any] | None = None,
    duration: float = 0.5,
    reason: str | None = None,
) -> None:
    db.conn.execute(
        "INSERT INTO results (target, probe, started, duration, success, reason, values_json,"
        " message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            target,
            probe,
            started,
            duration,
            1 if success else 0,
            reason if reason is not None else ("" if success else "timeout"),
            json.dumps(values or {}),
            "",
        ),
    )


def add_ping(db: sqlite_utils.Database, target: str, started: float, success: bool) -> None:
    values: dict[str, Any] = {"sent": 5.0, "received": 5.0 if success else 0.0}
    if success:
        values["rtt_median_seconds"] = 0.012
    add_result(db, target, "icmp", started, success=success, values=values)


def add_interface(db: sqlite_utils.Database, target: str, started: float, **fields: Any) -> None:
    row: dict[str, Any] = {
        "target": target,
        "started": started,
        "if_index": 1,
        "if_name": "ether1",
        "oper_status": 1,
        "speed_bps": 100e6,
        "receive_bytes_per_second": None,
        "transmit_bytes_per_second": None,
        "receive_utilisation": None,
        "transmit_utilisation": None,
        "receive_errors": None,
        "transmit_errors": None,
        "receive_discards": None,
        "transmit_discards": None,
        "rate_missing_reason": "",
    }
    row.update(fields)
    db.table("interface_results").insert(row)


def maintain_all(
    db: sqlite_utils.Database,
    now: float,
    intervals: dict[str, float],
    zone: ZoneInfo = WIB,
    *,
    status_probes: dict[str, str] | None = None,
    history_settings: HistorySettings | None = None,
) -> None:
    for _ in range(10_000):
        report = history.maintain(
            db,
            intervals=intervals,
            zone=zone,
            now=now,
            settings=history_settings or HistorySettings(),
            status_probes=status_probes,
            max_rows=5_000,
        )
        if report.done:
            return
    raise AssertionError("maintain did not finish")


# Histograms ------------------------------------------------------------------------------


def test_histogram_text_round_trip() -> None:
    histogram = Histogram({56: 1, 40: 3})
    assert histogram.format() == "40:3,56:1"
    assert Histogram.parse("40:3,56:1") == histogram
    assert Histogram.parse("") == Histogram()
    assert Histogram().format() == ""


def test_histogram_text_spells_runs_once() -> None:
    histogram = Histogram({65: 1, 66: 11, 67: 43, 80: 2, 81: 5})
    assert histogram.format() == "65:1,11,43,80:2,5"
    assert Histogram.parse("65:1,11,43,80:2,5") == histogram
    # The longer form of earlier versions still reads the same.
    assert Histogram.parse("65:1,66:11,67:43,80:2,81:5") == histogram


@pytest.mark.parametrize("text", ["x", "1:", ":3", "-2:1", "1:2:3", "4:1,,2"])
def test_histogram_parse_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError):
        Histogram.parse(text)


def test_histogram_quantile_takes_ceil_rank() -> None:
    histogram = Histogram({0: 5, 10: 5})
    assert histogram.quantile(0.5) == pytest.approx(1e-5 * 2 ** (0.5 / 8))
    assert histogram.quantile(0.51) == pytest.approx(1e-5 * 2 ** (10.5 / 8))
    assert Histogram().quantile(0.5) is None


def test_utilisation_buckets_and_middles() -> None:
    histogram = Histogram.of_values([0.29, 0.999, 1.0, 1.7, -0.1], history.UTILISATION)
    assert histogram.counts == {0: 1, 29: 1, 99: 1, 100: 2}
    assert Histogram({29: 1}, history.UTILISATION).quantile(0.5) == pytest.approx(0.295)
    assert Histogram({100: 1}, history.UTILISATION).quantile(0.5) == 1.0


@given(st.floats(min_value=1e-5, max_value=60.0))
def test_rtt_quantile_within_resolution(rtt: float) -> None:
    estimate = Histogram.of_values([rtt]).quantile(0.95)
    assert estimate is not None
    assert abs(estimate / rtt - 1) <= 0.0443


@given(st.floats(min_value=0.0, max_value=0.9999))
def test_utilisation_quantile_within_half_point(ratio: float) -> None:
    estimate = Histogram.of_values([ratio], history.UTILISATION).quantile(1.0)
    assert estimate is not None
    assert abs(estimate - ratio) <= 0.005 + 1e-9


def test_utilisation_p95_capped_at_maximum() -> None:
    period = history.InterfacePeriod(
        target="router",
        if_index=1,
        if_name="ether1",
        speed_bps=1e8,
        start=0.0,
        end=3600.0,
        samples=20,
        receive_mean=None,
        transmit_mean=None,
        receive_max=None,
        transmit_max=None,
        utilisation_max=0.991,
        utilisation=Histogram.of_values([0.1] * 10 + [0.991] * 10, history.UTILISATION),
        errors=0,
        discards=0,
    )
    # Bucket 99 reports its middle, 0.995, above every measured value.
    assert period.utilisation.quantile(0.95) == pytest.approx(0.995)
    assert period.utilisation_p95 == 0.991
    assert period.utilisation_quantile(0.5) == pytest.approx(0.105)


@given(st.lists(st.floats(min_value=0.0, max_value=1.5), min_size=1), st.floats(0.01, 1.0))
def test_utilisation_quantile_never_above_maximum(ratios: list[float], q: float) -> None:
    histogram = Histogram.of_values(ratios, history.UTILISATION)
    period = history.InterfacePeriod(
        "router", 1, "ether1", 1e8, 0.0, 3600.0, len(ratios),
        None, None, None, None, max(ratios), histogram, 0, 0,
    )  # fmt: skip
    value = period.utilisation_quantile(q)
    assert value is not None
    assert value <= max(ratios)


@given(st.dictionaries(st.integers(0, 400), st.integers(1, 1000)))
def test_histogram_parse_inverts_format(counts: dict[int, int]) -> None:
    histogram = Histogram(counts)
    assert Histogram.parse(histogram.format()) == histogram
    assert histogram.merge(histogram).total == 2 * histogram.total


# Known results ---------------------------------------------------------------------------


def test_month_with_outage_and_maintenance(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    end = local(WIB, 2024, 12, 1)
    outage = local(WIB, 2024, 11, 10, 9, 0)
    window = local(WIB, 2024, 11, 20, 22, 0)
    for started in range(start, end, 60):
        add_ping(db, "core", started, not outage <= started < outage + 7200)
    # The status machine writes "down" after three failed cycles, backdated
    # to the first failed cycle.
    history.record_status_change(db, "core", start, start, "up", "")
    history.record_status_change(db, "core", outage, outage + 180, "down", "timeout")
    history.record_status_change(db, "core", outage + 7200, outage + 7260, "up", "")
    history.record_status_change(db, "core", window, window, "maintenance", "window")
    history.record_status_change(db, "core", window + 3600, window + 3600, "up", "")
    db.conn.commit()

    maintain_all(db, end + HOUR, {"core": 60.0})

    period = history.target_periods(db.conn, start, end, WIB)["core"]
    assert isinstance(period, TargetPeriod)
    assert period.seconds["down"] == 7200
    assert period.seconds["maintenance"] == 3600
    assert period.seconds["unknown"] == 0
    assert period.seconds["up"] == 2_592_000 - 7200 - 3600
    assert period.availability == (2_592_000 - 7200 - 3600) / (2_592_000 - 3600)
    assert period.samples == 43_200
    assert period.failures == 120
    assert period.sent == 5 * 43_200
    assert period.loss == pytest.approx(120 / 43_200)
    assert period.rtt.total == 43_200 - 120
    assert period.rtt_median == pytest.approx(0.012, rel=0.045)
    days = history.target_periods(db.conn, start, end, WIB, by_day=True)["core"]
    assert isinstance(days, list)
    assert len(days) == 30
    assert days[9].seconds["down"] == 7200


def test_parent_outage_leaves_child_available(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    end = start + DAY
    outage = start + 10 * HOUR
    for started in range(start, end, 60):
        add_ping(db, "child", started, not outage <= started < outage + HOUR)
    history.record_status_change(db, "child", start, start, "up", "")
    history.record_status_change(db, "child", outage, outage + 90, "unreachable", "parent down")
    history.record_status_change(db, "child", outage + HOUR, outage + HOUR, "up", "")
    db.conn.commit()

    maintain_all(db, end + HOUR, {"child": 60.0})

    period = history.target_periods(db.conn, start, end, WIB)["child"]
    assert isinstance(period, TargetPeriod)
    assert period.seconds["unreachable"] == 3600
    assert period.seconds["down"] == 0
    assert period.availability == 1.0


def test_gap_without_results_is_unknown(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    end = start + DAY
    last_before_gap = start + 5 * HOUR
    for started in range(start, end, 60):
        if not last_before_gap < started < last_before_gap + 7200:
            add_ping(db, "core", started, True)
    history.record_status_change(db, "core", start, start, "up", "")
    db.conn.commit()

    maintain_all(db, end + HOUR, {"core": 60.0})

    period = history.target_periods(db.conn, start, end, WIB)["core"]
    assert isinstance(period, TargetPeriod)
    assert period.seconds["unknown"] == 7200 - 60
    assert period.seconds["up"] == DAY - (7200 - 60)
    assert period.availability == 1.0


def test_no_status_counts_as_unknown(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    for started in range(start, start + HOUR, 60):
        add_ping(db, "new", started, True)
    history.record_status_change(db, "new", start + 1800, start + 1800, "unconfigured", "")
    db.conn.commit()

    maintain_all(db, start + 3 * HOUR, {"new": 60.0})

    period = history.target_periods(db.conn, start, start + HOUR, WIB)["new"]
    assert isinstance(period, TargetPeriod)
    assert period.seconds["unknown"] == 3600
    assert period.availability is None


def test_incident_split_at_month_bound(db: sqlite_utils.Database) -> None:
    november = local(WIB, 2024, 11, 1)
    december = local(WIB, 2024, 12, 1)
    january = local(WIB, 2025, 1, 1)
    db.table("incidents").insert(
        {
            "target": "core",
            "network": "opd",
            "group_name": "Bappeda",
            "status": "down",
            "cause": "timeout",
            "start": local(WIB, 2024, 11, 30, 23, 0),
            "end": local(WIB, 2024, 12, 1, 1, 0),
            "children": "[]",
            "values_json": "{}",
        }
    )
    db.conn.commit()

    in_november = history.incidents(db.conn, november, december, now=january)
    in_december = history.incidents(db.conn, december, january, now=january)

    assert [(part.duration, part.ended) for part in in_november] == [(3600, False)]
    assert [(part.duration, part.ended) for part in in_december] == [(3600, True)]
    assert in_december[0].group == "Bappeda"


def test_open_incident_clipped_at_now(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    db.table("incidents").insert(
        {
            "target": "core",
            "network": "opd",
            "group_name": "",
            "status": "down",
            "cause": "timeout",
            "start": start + HOUR,
            "end": None,
            "children": "[]",
            "values_json": "{}",
        }
    )
    db.conn.commit()

    parts = history.incidents(db.conn, start, start + DAY, now=start + 3 * HOUR)

    assert [(part.start, part.end, part.ended) for part in parts] == [
        (start + HOUR, start + 3 * HOUR, False)
    ]


def test_timeticks_wrap_is_not_reboot(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    wrap = history.TIMETICKS_WRAP_SECONDS
    # The first value lies in the hour before: the comparison crosses hours.
    uptimes = [
        (start - 60, wrap - 30),  # previous poll, an hour earlier
        (start + 60, 90.0),  # wrapped: not a reboot
        (start + 120, 150.0),
        (start + 180, 20.0),  # real reboot
        (start + 240, 80.0),
    ]
    for started, uptime in uptimes:
        add_result(db, "switch", "snmp", started, values={"sysuptime_seconds": uptime})
    db.conn.commit()

    maintain_all(db, start + 3 * HOUR, {"switch": 60.0}, status_probes={"switch": "snmp"})

    hours = history.target_periods(db.conn, start - HOUR, start + HOUR, WIB, by_day=True)
    period = history.target_periods(db.conn, start, start + HOUR, WIB)["switch"]
    assert isinstance(period, TargetPeriod)
    assert period.reboots == 1
    assert "switch" in hours


def test_hr_uptime_preferred_over_sysuptime(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    add_result(
        db,
        "server",
        "snmp",
        start,
        values={"sysuptime_seconds": 500.0, "hr_system_uptime_seconds": 9000.0},
    )
    # sysUpTime restarts with the agent, but the host kept running.
    add_result(
        db,
        "server",
        "snmp",
        start + 60,
        values={"sysuptime_seconds": 5.0, "hr_system_uptime_seconds": 9060.0},
    )
    db.conn.commit()

    maintain_all(db, start + 3 * HOUR, {"server": 60.0}, status_probes={"server": "snmp"})

    period = history.target_periods(db.conn, start, start + HOUR, WIB)["server"]
    assert isinstance(period, TargetPeriod)
    assert period.reboots == 0


def test_device_values_max_and_mean(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    for offset, cpu in ((0, 0.25), (60, 0.75)):
        add_result(
            db,
            "server",
            "snmp",
            start + offset,
            values={"cpu_load_max_ratio": cpu, "memory_used_ratio": 0.5},
        )
    add_result(db, "server", "snmp", start + 120, success=False)
    db.conn.commit()

    maintain_all(db, start + 3 * HOUR, {"server": 60.0}, status_probes={"server": "snmp"})

    period = history.target_periods(db.conn, start, start + HOUR, WIB)["server"]
    assert isinstance(period, TargetPeriod)
    assert period.cpu_max == 0.75
    assert period.cpu_mean == 0.5
    assert period.memory_mean == 0.5
    assert period.disk_max is None
    assert period.samples == 3
    assert period.failures == 1


def test_backdated_change_rerolls_hour(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    for started in range(start, start + 3 * HOUR, 60):
        add_ping(db, "core", started, True)
    history.record_status_change(db, "core", start, start, "up", "")
    db.conn.commit()
    maintain_all(db, start + 2 * HOUR + 300, {"core": 60.0})
    assert history.rolled_until(db.conn) == start + 2 * HOUR

    # Down from 30 minutes into the first hour, decided much later.
    history.record_status_change(db, "core", start + 1800, start + 2 * HOUR + 400, "down", "x")
    maintain_all(db, start + 2 * HOUR + 500, {"core": 60.0})

    first = history.target_periods(db.conn, start, start + HOUR, WIB)["core"]
    second = history.target_periods(db.conn, start + HOUR, start + 2 * HOUR, WIB)["core"]
    assert isinstance(first, TargetPeriod)
    assert isinstance(second, TargetPeriod)
    assert first.seconds["down"] == 1800
    assert second.seconds["down"] == 3600
    assert history.rolled_until(db.conn) == start + 2 * HOUR


def test_interface_totals(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    add_interface(db, "router", start - 60, receive_errors=100, transmit_errors=0)
    add_interface(
        db,
        "router",
        start,
        receive_bytes_per_second=1000.0,
        transmit_bytes_per_second=3000.0,
        receive_utilisation=0.2,
        transmit_utilisation=0.6,
        receive_errors=110,
        transmit_errors=1,
        receive_discards=4,
    )
    add_interface(
        db,
        "router",
        start + 60,
        if_name="uplink",
        receive_bytes_per_second=2000.0,
        transmit_bytes_per_second=1000.0,
        receive_utilisation=0.4,
        receive_errors=3,  # counter reset: counted from zero
        transmit_errors=1,
        receive_discards=6,
    )
    add_interface(db, "router", start + 120, rate_missing_reason="reboot")
    db.conn.commit()

    maintain_all(db, start + 3 * HOUR, {"router": 60.0})

    periods = history.interface_periods(db.conn, start, start + HOUR, WIB)
    interface = periods["router", 1]
    assert not isinstance(interface, list)
    assert interface.if_name == "ether1"
    assert interface.samples == 3
    assert interface.receive_mean == 1500.0
    assert interface.transmit_max == 3000.0
    assert interface.utilisation_max == 0.6
    assert interface.utilisation.counts == {40: 1, 60: 1}
    assert interface.errors == 10 + 1 + 3
    assert interface.discards == 2


# Local time ------------------------------------------------------------------------------


def test_berlin_days_have_23_and_25_hours(db: sqlite_utils.Database) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    spring = local(berlin, 2024, 3, 31)
    autumn = local(berlin, 2024, 10, 27)
    for day in (spring, autumn):
        for started in range(day - HOUR, day + 26 * HOUR, 60):
            add_ping(db, "core", started, True)
    history.record_status_change(db, "core", spring - HOUR, spring - HOUR, "up", "")
    db.conn.commit()

    maintain_all(db, autumn + 3 * DAY, {"core": 60.0}, berlin)

    spring_day = history.target_periods(db.conn, spring, spring + 23 * HOUR, berlin)["core"]
    autumn_day = history.target_periods(db.conn, autumn, autumn + 25 * HOUR, berlin)["core"]
    assert isinstance(spring_day, TargetPeriod)
    assert isinstance(autumn_day, TargetPeriod)
    assert history.day_bounds(spring, berlin) == (spring, spring + 23 * HOUR)
    assert history.day_bounds(autumn, berlin) == (autumn, autumn + 25 * HOUR)
    assert spring_day.seconds["up"] == 23 * HOUR
    assert autumn_day.seconds["up"] == 25 * HOUR
    assert autumn_day.samples == 25 * 60


def test_kolkata_hours_start_at_half_past_utc() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    moment = local(kolkata, 2024, 11, 1, 10, 15)
    assert history.hour_start(moment, kolkata) == local(kolkata, 2024, 11, 1, 10, 0)
    assert history.hour_start(moment, kolkata) % HOUR == 1800


def test_unaligned_period_rejected(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    with pytest.raises(ValueError, match="local hour"):
        history.target_periods(db.conn, start + 60, start + HOUR, WIB)


# Rollups equal the raw data --------------------------------------------------------------

ZONES = {
    "Asia/Jakarta": (2024, 11, 1),
    "Europe/Berlin": (2024, 10, 27),  # a 25-hour day
    "Asia/Kolkata": (2024, 11, 1),
}
INTERVALS = {"pinged": 60.0, "polled": 120.0}
STATUS_PROBES = {"pinged": "icmp", "polled": "snmp"}
STATUSES = ["up", "degraded", "down", "unreachable", "maintenance", "unconfigured"]


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    zone_name = draw(st.sampled_from(sorted(ZONES)))
    zone = ZoneInfo(zone_name)
    start = local(zone, *ZONES[zone_name])
    length = 26 * HOUR
    rnd = draw(st.randoms(use_true_random=False))
    events: list[tuple[float, str, dict[str, Any]]] = []
    for target, interval in INTERVALS.items():
        moment = float(start)
        uptime = rnd.randint(0, 10**6) / 10
        counter = 0
        while moment < start + length:
            probe = STATUS_PROBES[target]
            success = rnd.randint(0, 9) > 1
            values: dict[str, Any] = {}
            if probe == "icmp":
                received = 5 if success else rnd.randint(0, 4)
                values = {"sent": 5.0, "received": float(received)}
                if success:
                    values["rtt_median_seconds"] = rnd.randint(1, 500_000) / 1e6
            elif success:
                uptime += interval
                if rnd.randint(0, 19) == 0:
                    uptime = rnd.choice([3.0, history.TIMETICKS_WRAP_SECONDS - 50])
                values = {
                    "sysuptime_seconds": uptime,
                    "cpu_load_max_ratio": rnd.randint(0, 1000) / 1000,
                    "memory_used_ratio": rnd.randint(0, 1000) / 1000,
                }
                counter = 0 if rnd.randint(0, 29) == 0 else counter + rnd.randint(0, 9)
                events.append((moment, "interface", _interface_row(rnd, target, moment, counter)))
            events.append(
                (
                    moment,
                    "result",
                    {
                        "target": target,
                        "probe": probe,
                        "started": moment,
                        "success": success,
                        "values": values,
                    },
                )
            )
            if target == "pinged" and rnd.randint(0, 9) > 0:
                events.append((moment + 1, "result", _service_result(rnd, target, moment + 1)))
            gap_kind = rnd.randint(0, 39)
            if gap_kind == 0:
                gap = float(rnd.randint(2 * HOUR, 3 * HOUR))
            else:
                gap = (
                    interval * rnd.choice([1.0, 1.0, 1.0, 1.5, 1.2, 2.5])
                    + rnd.randint(-2000, 2000) / 1000
                )
            moment = round(moment + gap, 3)
    changes = draw(
        st.lists(
            st.tuples(
                st.integers(0, length),
                st.integers(0, 600),
                st.sampled_from(STATUSES),
                st.sampled_from(list(INTERVALS)),
            ),
            max_size=25,
        )
    )
    for decided, backdate, status, target in changes:
        # Now and then a change backdated by hours, after its hour was rolled up.
        back = backdate if backdate < 550 else backdate * 20
        since = start + decided - back
        events.append(
            (start + decided, "status", {"target": target, "since": since, "status": status})
        )
    checkpoints = draw(st.lists(st.integers(0, length), min_size=1, max_size=12))
    return {
        "zone": zone,
        "start": start,
        "length": length,
        "events": sorted(events, key=lambda event: event[0]),
        "checkpoints": sorted(checkpoints),
    }


def _service_result(rnd: random.Random, target: str, moment: float) -> dict[str, Any]:
    """Return an http or tls check; some fail, some carry a certificate expiry."""
    probe = rnd.choice(["http", "tls"])
    success = rnd.randint(0, 9) > 2
    values: dict[str, Any] = {}
    if rnd.random() < 0.7:
        values[history.CERT_EXPIRY] = 1_800_000_000 + rnd.randint(0, 10**7)
    return {
        "target": target,
        "probe": probe,
        "started": moment,
        "success": success,
        "values": values,
        "duration": rnd.randint(1, 5_000_000) / 1e6,
        "reason": "ok" if success else rnd.choice(["connect_timeout", "unexpected_status"]),
    }


def _interface_row(rnd: random.Random, target: str, moment: float, counter: int) -> dict[str, Any]:
    rated = rnd.random() < 0.5
    return {
        "target": target,
        "started": moment,
        "if_index": rnd.randint(1, 2),
        "if_name": rnd.choice(["ether1", "uplink"]),
        "oper_status": 1,
        "speed_bps": 1e8,
        "receive_bytes_per_second": rnd.randint(0, 10**6) / 10 if rated else None,
        "transmit_bytes_per_second": rnd.randint(0, 10**6) / 10 if rated else None,
        "receive_utilisation": rnd.randint(0, 1100) / 1000 if rated else None,
        "transmit_utilisation": rnd.randint(0, 1000) / 1000 if rnd.random() < 0.5 else None,
        "receive_errors": counter,
        "transmit_errors": counter // 2,
        "receive_discards": None if counter % 5 == 0 else counter,
        "transmit_discards": 0,
        "rate_missing_reason": "" if rated else "first_poll",
    }


def _feed(db: sqlite_utils.Database, event: tuple[float, str, dict[str, Any]]) -> None:
    _, kind, data = event
    if kind == "result":
        add_result(
            db,
            data["target"],
            data["probe"],
            data["started"],
            success=data["success"],
            values=data["values"],
            duration=data.get("duration", 0.5),
            reason=data.get("reason"),
        )
    elif kind == "interface":
        db.table("interface_results").insert(data)
    else:
        history.record_status_change(
            db, data["target"], data["since"], data["since"], data["status"], ""
        )


def assert_same_period(rolled: TargetPeriod, raw: TargetPeriod) -> None:
    # Rollups keep seconds per status to the millisecond in each hour.
    tolerance = 0.0005 * math.ceil((rolled.end - rolled.start) / HOUR) + 1e-6
    for key in history.SECONDS_KEYS:
        assert rolled.seconds[key] == pytest.approx(raw.seconds[key], abs=tolerance), key
    assert (rolled.samples, rolled.failures) == (raw.samples, raw.failures)
    assert (rolled.sent, rolled.received) == (raw.sent, raw.received)
    assert rolled.rtt == raw.rtt
    assert rolled.reboots == raw.reboots
    for name in ("cpu_max", "cpu_mean", "memory_max", "memory_mean", "disk_max", "disk_mean"):
        assert_same_reading(getattr(rolled, name), getattr(raw, name), name)


def assert_same_interfaces(rolled: dict[Any, Any], raw: dict[Any, Any]) -> None:
    assert sorted(rolled) == sorted(raw)
    for key, period in rolled.items():
        expected = raw[key]
        assert (period.if_name, period.samples) == (expected.if_name, expected.samples), key
        assert (period.errors, period.discards) == (expected.errors, expected.discards), key
        assert period.utilisation == expected.utilisation, key
        for name in ("receive_mean", "transmit_mean", "receive_max", "utilisation_max"):
            assert_same_reading(getattr(period, name), getattr(expected, name), (key, name))


def assert_same_services(rolled: dict[Any, Any], raw: dict[Any, Any]) -> None:
    assert sorted(rolled) == sorted(raw)
    for key, period in rolled.items():
        expected = raw[key]
        assert (period.runs, period.successes) == (expected.runs, expected.successes), key
        assert period.maintenance_runs == expected.maintenance_runs, key
        assert period.durations == expected.durations, key
        assert period.reasons == expected.reasons, key
        assert period.cert_expiry == expected.cert_expiry, key
        tolerance = 0.0005 * math.ceil((period.end - period.start) / HOUR) + 1e-6
        assert period.covered_seconds == pytest.approx(expected.covered_seconds, abs=tolerance)


def assert_same_reading(rolled: float | None, raw: float | None, label: object) -> None:
    """Compare two readings that are both None or equal to rounding."""
    if raw is None:
        assert rolled is None, label
    else:
        assert rolled == pytest.approx(raw, rel=1e-9), label


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(histories())
def test_rollups_equal_raw_data(
    tmp_path_factory: pytest.TempPathFactory, case: dict[str, Any]
) -> None:
    path = tmp_path_factory.mktemp("history") / "pantau.db"
    database = sqlite_utils.Database(path)
    # Each insert through sqlite-utils commits; skipping fsync keeps the test fast.
    database.conn.execute("PRAGMA synchronous=OFF")
    for migration in MIGRATIONS:
        migration(database)
    zone, start, length = case["zone"], case["start"], case["length"]
    events = iter(case["events"])
    pending = next(events, None)
    for checkpoint in [*case["checkpoints"], length]:
        now = start + checkpoint
        while pending is not None and pending[0] <= now:
            _feed(database, pending)
            pending = next(events, None)
        maintain_all(database, now, INTERVALS, zone, status_probes=STATUS_PROBES)
    database.conn.commit()
    end = start + length
    maintain_all(database, end + HOUR, INTERVALS, zone, status_probes=STATUS_PROBES)
    database.conn.commit()

    reader = connect_readonly(path).conn
    last_hour = history.hour_start(end - HOUR, zone)
    hours = range(start, last_hour, HOUR)
    for hour in hours:
        rolled = history.target_periods(reader, hour, hour + HOUR, zone)
        raw = history.recompute(
            reader, hour, hour + HOUR, INTERVALS, zone, status_probes=STATUS_PROBES
        )
        assert sorted(rolled) == sorted(raw)
        for target, period in rolled.items():
            assert isinstance(period, TargetPeriod)
            assert_same_period(period, raw[target])
        assert_same_interfaces(
            history.interface_periods(reader, hour, hour + HOUR, zone),
            history.recompute_interfaces(reader, hour, hour + HOUR),
        )
        assert_same_services(
            history.service_periods(reader, hour, hour + HOUR, zone),
            history.recompute_services(reader, hour, hour + HOUR, INTERVALS),
        )
    day_start, day_end = history.day_bounds(start, zone)
    for low, high in ((day_start, day_end), (start + 3 * HOUR, last_hour), (start, last_hour)):
        rolled = history.target_periods(reader, low, high, zone)
        raw = history.recompute(reader, low, high, INTERVALS, zone, status_probes=STATUS_PROBES)
        for target, period in rolled.items():
            assert isinstance(period, TargetPeriod)
            assert_same_period(period, raw[target])
        assert_same_interfaces(
            history.interface_periods(reader, low, high, zone),
            history.recompute_interfaces(reader, low, high),
        )
        assert_same_services(
            history.service_periods(reader, low, high, zone),
            history.recompute_services(reader, low, high, INTERVALS),
        )
    reader.close()
    database.close()


# Packing and retention -------------------------------------------------------------------


def test_packing_keeps_rows_readable(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    values = {"sent": 5.0, "received": 4.0, "rtt_median_seconds": 0.0123456789, "octets": 2**63}
    add_result(db, "core", "icmp", start + 1.123456, values=values)
    add_result(db, "core", "icmp", start + 61.5, success=False, values={"sent": 5.0})
    add_interface(db, "core", start + 10.25, receive_utilisation=0.123456789, receive_errors=7)
    db.conn.commit()

    maintain_all(db, start + 4 * HOUR, {"core": 60.0})

    assert db.conn.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 0
    assert db.conn.execute("SELECT COUNT(*) FROM interface_results").fetchone()[0] == 0
    rows = list(history.read_raw(db.conn, "core", "icmp", start, start + HOUR))
    # The archive keeps start times to the millisecond.
    assert [row.started for row in rows] == [start + 1.123, start + 61.5]
    assert rows[0].values["rtt_median_seconds"] == 0.0123457
    assert rows[0].values["octets"] == 2**63
    assert [row.success for row in rows] == [True, False]
    assert rows[1].reason == "timeout"
    interfaces = list(history.read_raw_interfaces(db.conn, "core", start, start + HOUR))
    assert interfaces[0].receive_utilisation == 0.123457
    assert interfaces[0].receive_errors == 7
    assert interfaces[0].started == start + 10.25
    count, data = db.conn.execute("SELECT count, data FROM results_archive").fetchone()
    assert count == 2
    # The first start counts from the hour, each next one from the one before.
    assert history._decompress(data)["started_ms"] == [1_123, 60_377]


def test_packing_waits_two_hours(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    add_ping(db, "core", start + 10, True)
    add_ping(db, "core", start + HOUR + 10, True)
    db.conn.commit()

    maintain_all(db, start + 3 * HOUR - 1, {"core": 60.0})
    assert db.conn.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 2

    maintain_all(db, start + 3 * HOUR, {"core": 60.0})

    hot = db.conn.execute("SELECT started FROM results").fetchall()
    assert hot == [(start + HOUR + 10,)]
    archived = list(history.read_raw(db.conn, "core", "icmp", start, start + 2 * HOUR))
    assert [row.started for row in archived] == [start + 10, start + HOUR + 10]


def test_retention_deletes_exactly_past_limits(db: sqlite_utils.Database) -> None:
    now = local(WIB, 2025, 3, 15, 12, 0)
    settings_ = HistorySettings(raw_days=14, hourly_months=13, daily_years=5)
    raw_cut = now - 14 * DAY
    hourly_cut = local(WIB, 2024, 2, 1)
    daily_cut = local(WIB, 2020, 3, 1)
    conn = db.conn
    blob = history._pack_results([], 0)
    archive_hours = [history.hour_start(raw_cut, WIB) - HOUR, history.hour_start(raw_cut, WIB)]
    for hour in archive_hours:
        conn.execute("INSERT INTO results_archive VALUES ('core', 'icmp', ?, 0, ?)", (hour, blob))
        conn.execute("INSERT INTO interface_archive VALUES ('core', ?, 0, ?)", (hour, blob))
    empty = history._TargetTotals().to_row("core", 0)
    for table, cut in (("history_hourly", hourly_cut), ("history_daily", daily_cut)):
        for start in (cut - HOUR if table == "history_hourly" else cut - DAY, cut):
            db.table(table).insert({**empty, "start": start})
    for table, cut in (("interface_hourly", hourly_cut), ("interface_daily", daily_cut)):
        interface = history._InterfaceTotals(if_name="ether1").to_row("core", 1, 0)
        for start in (cut - HOUR, cut):
            db.table(table).insert({**interface, "start": start})
    for since in (raw_cut - 200, raw_cut - 100, raw_cut + 100):
        conn.execute(
            "INSERT INTO status_changes (target, since, at, status, reason)"
            " VALUES ('core', ?, ?, 'up', '')",
            (since, since),
        )
    conn.execute(
        "INSERT INTO status_changes (target, since, at, status, reason)"
        " VALUES ('edge', ?, ?, 'down', '')",
        (raw_cut - 500, raw_cut - 500),
    )
    for ended in (daily_cut - 1, daily_cut, None):
        db.table("incidents").insert(
            {
                "target": "core",
                "network": "",
                "group_name": "",
                "status": "down",
                "cause": "",
                "start": daily_cut - 100,
                "end": ended,
                "children": "[]",
                "values_json": "{}",
            }
        )
    for message_id, sent, state in (
        (1, raw_cut - 1, "sent"),
        (2, raw_cut, "sent"),
        (3, None, "pending"),
    ):
        db.table("messages").insert(
            {
                "id": message_id,
                "channel": "noc",
                "created": raw_cut - 10,
                "markup": "",
                "parts": "[]",
                "parts_sent": 0,
                "attempts": 0,
                "next_attempt": None,
                "last_error": "",
                "sent": sent,
                "state": state,
            }
        )
        db.table("outbox").insert(
            {
                "channel": "noc",
                "created": raw_cut - 10,
                "event_key": f"e{message_id}",
                "event": "{}",
                "severity": "info",
                "message_id": message_id,
            }
        )
    # Everything up to the last closed hour is rolled up already.
    rolled = history.hour_start(now, WIB) - HOUR
    for key, value in (
        ("history.rolled_from", rolled),
        ("history.rolled_until", rolled),
        ("history.daily_until", history.day_bounds(now, WIB)[0]),
    ):
        conn.execute("INSERT INTO marks (key, value) VALUES (?, ?)", (key, str(value)))
    conn.commit()

    report = history.maintain(db, intervals={}, zone=WIB, now=now, settings=settings_)

    assert report.done
    assert conn.execute("SELECT start FROM results_archive").fetchall() == [(archive_hours[1],)]
    assert conn.execute("SELECT start FROM interface_archive").fetchall() == [(archive_hours[1],)]
    assert conn.execute("SELECT start FROM history_hourly").fetchall() == [(hourly_cut,)]
    assert conn.execute("SELECT start FROM interface_hourly").fetchall() == [(hourly_cut,)]
    assert conn.execute("SELECT start FROM history_daily").fetchall() == [(daily_cut,)]
    assert conn.execute("SELECT start FROM interface_daily").fetchall() == [(daily_cut,)]
    assert conn.execute("SELECT target, since FROM status_changes ORDER BY since").fetchall() == [
        ("edge", raw_cut - 500),
        ("core", raw_cut - 100),
        ("core", raw_cut + 100),
    ]
    assert conn.execute('SELECT "end" FROM incidents ORDER BY id').fetchall() == [
        (daily_cut,),
        (None,),
    ]
    assert conn.execute("SELECT id FROM messages ORDER BY id").fetchall() == [(2,), (3,)]
    assert conn.execute("SELECT message_id FROM outbox ORDER BY id").fetchall() == [(2,), (3,)]
    assert report.rows_deleted == 2 + 1 + 1 + 1 + 1 + 4


def test_retention_batches_bounded(db: sqlite_utils.Database) -> None:
    now = local(WIB, 2025, 3, 15, 12, 0)
    empty = history._TargetTotals().to_row("core", 0)
    for hour in range(10):
        db.table("history_hourly").insert({**empty, "start": local(WIB, 2023, 1, 1) + hour * HOUR})
    db.conn.commit()

    first = history.maintain(
        db, intervals={}, zone=WIB, now=now, settings=HistorySettings(), max_rows=4
    )
    second = history.maintain(
        db, intervals={}, zone=WIB, now=now, settings=HistorySettings(), max_rows=100
    )

    assert (first.rows_deleted, first.done) == (4, False)
    assert (second.rows_deleted, second.done) == (6, True)


def test_maintain_without_data_does_nothing(db: sqlite_utils.Database) -> None:
    report = history.maintain(
        db, intervals={"core": 30.0}, zone="Asia/Jakarta", now=1.7e9, settings=HistorySettings()
    )
    assert report == history.MaintainReport()
    assert history.rolled_until(db.conn) is None
    assert math.isfinite(1.7e9)


# Malformed raw rows ----------------------------------------------------------------------


def add_raw_result(
    db: sqlite_utils.Database,
    target: str,
    probe: str,
    started: float,
    values_json: str,
    *,
    success: bool = True,
) -> None:
    db.conn.execute(
        "INSERT INTO results (target, probe, started, duration, success, reason, values_json,"
        " message) VALUES (?, ?, ?, 0.5, ?, '', ?, '')",
        (target, probe, started, 1 if success else 0, values_json),
    )


MALFORMED_VALUES = [
    "not json",
    "[1, 2]",
    "null",
    '"text"',
    '{"sent": "x"}',
    '{"sent": 1e400}',
    '{"rtt_median_seconds": [0.01]}',
    '{"received": true}',
    '{"sent": NaN}',
    '{"sent": {"nested": 1}}',
]


def test_malformed_values_count_only_as_samples(
    db: sqlite_utils.Database, caplog: pytest.LogCaptureFixture
) -> None:
    start = local(WIB, 2024, 11, 1)
    history.record_status_change(db, "core", start, start, "up", "")
    for position, started in enumerate(range(start, start + HOUR, 60)):
        if position < len(MALFORMED_VALUES):
            add_raw_result(db, "core", "icmp", started, MALFORMED_VALUES[position])
        else:
            add_ping(db, "core", started, True)
    db.conn.commit()

    with caplog.at_level("WARNING", logger="monitor.history"):
        maintain_all(db, start + 3 * HOUR, {"core": 60.0})

    period = history.target_periods(db.conn, start, start + HOUR, WIB)["core"]
    assert not isinstance(period, list)
    good = 60 - len(MALFORMED_VALUES)
    assert period.samples == 60
    assert period.failures == 0
    assert period.seconds["up"] == HOUR
    assert (period.sent, period.received) == (5 * good, 5 * good)
    assert period.rtt.total == good
    lines = [r.getMessage() for r in caplog.records if "Malformed values_json" in r.getMessage()]
    assert len(lines) == 1
    assert "target=core probe=icmp" in lines[0]
    assert f"started={float(start)}" in lines[0]
    assert f"({len(MALFORMED_VALUES)} malformed rows in this hour)" in lines[0]


def test_malformed_values_logged_once_per_hour(
    db: sqlite_utils.Database, caplog: pytest.LogCaptureFixture
) -> None:
    start = local(WIB, 2024, 11, 1)
    for hour in (start, start + HOUR):
        add_raw_result(db, "core", "icmp", hour + 10, "[]")
        add_raw_result(db, "core", "icmp", hour + 70, "{")
        add_raw_result(db, "edge", "icmp", hour + 10, '{"sent": "5"}', success=False)
    db.conn.commit()

    with caplog.at_level("WARNING", logger="monitor.history"):
        maintain_all(db, start + 3 * HOUR, {"core": 60.0, "edge": 60.0})

    lines = [r.getMessage() for r in caplog.records if "Malformed values_json" in r.getMessage()]
    assert len(lines) == 4
    assert sum("target=core" in line for line in lines) == 2
    assert sum("target=edge" in line for line in lines) == 2
    edge = history.target_periods(db.conn, start, start + 2 * HOUR, WIB)["edge"]
    assert not isinstance(edge, list)
    assert (edge.samples, edge.failures, edge.sent) == (2, 2, 0)


def test_malformed_snmp_values_add_no_readings(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    add_result(db, "server", "snmp", start, values={"sysuptime_seconds": 500.0})
    add_raw_result(db, "server", "snmp", start + 60, '{"sysuptime_seconds": "1"}')
    add_raw_result(db, "server", "snmp", start + 120, '{"cpu_load_max_ratio": 1e999}')
    add_result(db, "server", "snmp", start + 180, values={"sysuptime_seconds": 680.0})
    db.conn.commit()

    maintain_all(db, start + 3 * HOUR, {"server": 60.0}, status_probes={"server": "snmp"})

    period = history.target_periods(db.conn, start, start + HOUR, WIB)["server"]
    assert not isinstance(period, list)
    assert period.samples == 4
    assert period.reboots == 0
    assert period.cpu_max is None


def test_packing_keeps_malformed_values_text(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    add_raw_result(db, "core", "icmp", start + 5, '{"sent": "x"}')
    add_ping(db, "core", start + 65, True)
    db.conn.commit()

    maintain_all(db, start + 4 * HOUR, {"core": 60.0})

    assert db.conn.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 0
    rows = list(history.read_raw(db.conn, "core", "icmp", start, start + HOUR))
    assert rows[0].values == {}
    assert rows[0].invalid_values == '{"sent": "x"}'
    assert rows[1].invalid_values is None
    assert rows[1].values["sent"] == 5.0
    recomputed = history.recompute(db.conn, start, start + HOUR, {"core": 60.0}, WIB)["core"]
    assert (recomputed.samples, recomputed.sent) == (2, 5)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
values_texts = (
    json_values.map(json.dumps)
    | st.dictionaries(st.sampled_from(["sent", "received", "rtt_median_seconds"]), json_values).map(
        json.dumps
    )
    | st.text(max_size=20)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["icmp", "snmp"]), values_texts), max_size=12))
# Counts past SQLite's integers, and past the 6 digits that packing keeps.
@example(rows=[("icmp", '{"sent": 9.223372036854776e+18}')])
@example(rows=[("icmp", '{"sent": 1000001.0, "received": -3}')])
def test_arbitrary_values_json_never_stops_rollups(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str]]
) -> None:
    path = tmp_path_factory.mktemp("malformed") / "pantau.db"
    database = sqlite_utils.Database(path)
    database.conn.execute("PRAGMA synchronous=OFF")
    for migration in MIGRATIONS:
        migration(database)
    start = local(WIB, 2024, 11, 1)
    history.record_status_change(database, "core", start, start, "up", "")
    add_ping(database, "core", start + 1, True)
    for position, (probe, text) in enumerate(rows):
        add_raw_result(database, "core", probe, start + 7 + 300 * position, text)
    add_ping(database, "core", start + HOUR + 30, True)
    database.conn.commit()

    maintain_all(database, start + 4 * HOUR, {"core": 60.0})

    rolled = history.target_periods(database.conn, start, start + HOUR, WIB)
    raw = history.recompute(database.conn, start, start + HOUR, {"core": 60.0}, WIB)
    assert sorted(rolled) == sorted(raw) == ["core"]
    period = rolled["core"]
    assert isinstance(period, TargetPeriod)
    assert_same_period(period, raw["core"])
    assert period.samples == 1 + sum(probe == "icmp" for probe, _ in rows)
    database.close()


# Idle interfaces -------------------------------------------------------------------------


def test_idle_interface_has_daily_row_only(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    quiet = {
        "if_index": 5,
        "if_name": "ether5",
        "oper_status": 2,
        "receive_bytes_per_second": 0.0,
        "transmit_bytes_per_second": 0.0,
        "receive_utilisation": 0.0,
        "transmit_utilisation": 0.0,
        "receive_errors": 3,
        "transmit_errors": 0,
        "receive_discards": 0,
        "transmit_discards": 0,
    }
    for started in range(start, start + DAY, 60):
        add_interface(db, "router", started, **quiet)
    # The first poll of the day has no rates yet.
    db.conn.execute(
        "UPDATE interface_results SET receive_bytes_per_second = NULL,"
        " transmit_bytes_per_second = NULL, receive_utilisation = NULL,"
        " transmit_utilisation = NULL WHERE started = ?",
        (start,),
    )
    # One poll at 10:00 finds the interface up: that hour keeps its row.
    db.conn.execute(
        "UPDATE interface_results SET oper_status = 1 WHERE started = ?", (start + 10 * HOUR,)
    )
    db.conn.commit()

    maintain_all(db, start + DAY + 3 * HOUR, {"router": 60.0})

    hours = db.conn.execute("SELECT start FROM interface_hourly").fetchall()
    assert hours == [(start + 10 * HOUR,)]
    idle = db.conn.execute(
        "SELECT idle_interfaces FROM history_hourly WHERE start IN (?, ?) ORDER BY start",
        (start, start + HOUR),
    ).fetchall()
    assert idle == [("5:60:59:59",), ("5:60",)]
    days = history.interface_periods(db.conn, start, start + DAY, WIB)
    day = days["router", 5]
    assert not isinstance(day, list)
    assert (day.if_name, day.speed_bps, day.samples) == ("ether5", 100e6, 1440)
    assert (day.errors, day.discards) == (0, 0)
    assert (day.receive_mean, day.receive_max, day.utilisation_max) == (0.0, 0.0, 0.0)
    assert day.utilisation.counts == {0: 1439}
    raw = history.recompute_interfaces(db.conn, start, start + DAY)["router", 5]
    assert (day.samples, day.utilisation, day.receive_mean) == (
        raw.samples,
        raw.utilisation,
        raw.receive_mean,
    )
    # Hours without a row leave the interface out of an hourly period.
    assert ("router", 5) not in history.interface_periods(db.conn, start, start + HOUR, WIB)


def test_idle_all_day_named_from_raw_rows(db: sqlite_utils.Database) -> None:
    start = local(WIB, 2024, 11, 1)
    for started in range(start, start + DAY, 300):
        add_interface(db, "router", started, if_index=7, if_name="spare", oper_status=2)
    db.conn.commit()

    maintain_all(db, start + DAY + 4 * HOUR, {"router": 60.0})

    assert db.conn.execute("SELECT COUNT(*) FROM interface_hourly").fetchone()[0] == 0
    row = db.conn.execute("SELECT if_name, samples, rate_samples FROM interface_daily").fetchone()
    assert row == ("spare", 288, 0)
