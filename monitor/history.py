"""History of every target: status timeline, hourly and daily rollups, raw archive, retention.

Accounting rules (docs/history.md explains them with a worked example):

- Hours, days and months are those of the configured time zone. Every
  rollup bucket is [start, end) in unix seconds.
- The status at time t is that of the ``status_changes`` row with the
  greatest ``since`` <= t. Before a target's first row its status is unknown.
- Only results of the target's status probe give coverage. A result started
  at t covers [t, next) when the next result of that probe starts at most
  1.5 x interval later, otherwise [t, t + interval). Time that no result
  covers is unknown, whatever status the timeline gives.
- Each covered second counts under the timeline status at that second.
  Status "unconfigured" or no status counts as unknown.
- availability = (up + degraded) / (observed - maintenance - unreachable),
  None when that denominator is zero.
- Service checks (probes tcp, http, tls, dns) get rollups of their own per
  target and probe: checks run and succeeded, a response-time histogram of
  the successful checks, failures per reason and the lowest certificate
  expiry seen. A check that started while the target's status was
  "maintenance" counts only in ``maintenance_runs``.

Write side: :func:`record_status_change` (the daemon's status writer) and
:func:`maintain` (rollups, packing, retention in bounded steps), both run on
the storage writer thread. Read side: :func:`target_periods`,
:func:`interface_periods`, :func:`service_periods`, :func:`incidents`,
:func:`rolled_until`, :func:`read_raw`, :func:`recompute` and
:func:`recompute_services`, on a read-only connection.

Example::

    report = maintain(db, intervals={"core": 30.0}, zone="Asia/Jakarta",
                      now=time.time(), settings=HistorySettings())
    periods = target_periods(connection, month_start, month_end, "Asia/Jakarta")
    periods["core"].availability
"""

from __future__ import annotations

import bisect
import json
import logging
import lzma
import math
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import sqlite_utils

from monitor.config import HistorySettings
from monitor.storage import (
    HISTORY_DAILY_TABLE,
    HISTORY_HOURLY_TABLE,
    INCIDENTS_TABLE,
    INTERFACE_ARCHIVE_TABLE,
    INTERFACE_DAILY_TABLE,
    INTERFACE_HOURLY_TABLE,
    INTERFACES_TABLE,
    MARKS_TABLE,
    MESSAGES_TABLE,
    OUTBOX_TABLE,
    RESULTS_ARCHIVE_TABLE,
    RESULTS_TABLE,
    SERVICE_DAILY_TABLE,
    SERVICE_HOURLY_TABLE,
    STATUS_CHANGES_TABLE,
)

__all__ = [
    "Histogram",
    "HistorySettings",
    "IncidentPart",
    "InterfacePeriod",
    "MaintainReport",
    "RawInterface",
    "RawResult",
    "ServicePeriod",
    "TargetPeriod",
    "incidents",
    "interface_periods",
    "maintain",
    "read_raw",
    "read_raw_interfaces",
    "recompute",
    "recompute_interfaces",
    "recompute_services",
    "record_status_change",
    "rolled_until",
    "service_periods",
    "target_periods",
]

HOUR = 3600
# Statuses that count as observed time, in the order of the rollup columns.
OBSERVED_STATUSES = ("up", "degraded", "down", "unreachable", "maintenance")
SECONDS_KEYS = (*OBSERVED_STATUSES, "unknown")
# A result covers the time up to the next result when that starts at most
# this many intervals later.
COVERAGE_FACTOR = 1.5
# Largest sysUpTime in seconds: TimeTicks is a 32-bit count of 1/100 s.
TIMETICKS_WRAP_SECONDS = 42_949_672.95
# Raw hours younger than this (seconds) stay in the hot tables.
PACK_AGE = 2 * HOUR
# Seconds an hour waits after its end, beyond 1.5 x the longest interval,
# before it is rolled up: the time a probe takes plus the writer's batching.
ROLLUP_DELAY = 60.0
# Interval assumed for a target missing from ``intervals`` (removed from the
# configuration but still present in the raw data).
FALLBACK_INTERVAL = 30.0
DEFAULT_MAX_ROWS = 20_000
# Probe whose results give coverage when ``status_probes`` does not name one.
DEFAULT_STATUS_PROBE = "icmp"

# ifOperStatus down (IF-MIB). An interface down for a whole hour with no
# traffic, errors or discards gets no hourly row (see _roll_hour_targets).
IF_OPER_STATUS_DOWN = 2

RTT_BASE_SECONDS = 1e-5
RTT_BUCKETS_PER_OCTAVE = 8
# Response times of service checks: buckets 2^(1/8) wide from 0.1 ms, so 1 s
# is bucket 106 and 60 s bucket 153. A time under 0.1 ms counts in bucket 0.
RESPONSE_BASE_SECONDS = 1e-4
UTILISATION_TOP_BUCKET = 100
RTT = "rtt"
RESPONSE = "response"
UTILISATION = "utilisation"

# Probe kinds whose results get service rollups, and those that report a certificate.
SERVICE_PROBES = ("tcp", "http", "tls", "dns")
CERT_PROBES = frozenset({"http", "tls"})
CERT_EXPIRY = "cert_expiry_timestamp_seconds"

MARK_ROLLED_UNTIL = "history.rolled_until"
MARK_ROLLED_FROM = "history.rolled_from"
MARK_ROLLING_TARGET = "history.rolling_target"
MARK_DAILY_UNTIL = "history.daily_until"
MARK_DIRTY_SINCE = "history.dirty_since"

_SENT_STATE = "sent"  # messages.state of a fully sent message (monitor.alerts.outbox.SENT)

logger = logging.getLogger(__name__)


# Histograms -----------------------------------------------------------------------------


def rtt_bucket(seconds: float) -> int:
    """Return the RTT bucket of ``seconds``: [10 us x 2^(i/8), 10 us x 2^((i+1)/8))."""
    if not seconds >= RTT_BASE_SECONDS:
        return 0
    return math.floor(RTT_BUCKETS_PER_OCTAVE * math.log2(seconds / RTT_BASE_SECONDS))


def response_bucket(seconds: float) -> int:
    """Return the response-time bucket of ``seconds``: [0.1 ms x 2^(i/8), 0.1 ms x 2^((i+1)/8))."""
    if not seconds >= RESPONSE_BASE_SECONDS:
        return 0
    return math.floor(RTT_BUCKETS_PER_OCTAVE * math.log2(seconds / RESPONSE_BASE_SECONDS))


def utilisation_bucket(ratio: float) -> int:
    """Return the utilisation bucket of ``ratio`` (0..1): 1 % wide, 100 for 100 % and more."""
    if ratio >= 1.0:
        return UTILISATION_TOP_BUCKET
    if not ratio > 0.0:
        return 0
    # The small offset keeps 0.29 in bucket 29, because 0.29 * 100 is 28.999999999999996.
    return min(math.floor(ratio * 100 + 1e-9), UTILISATION_TOP_BUCKET - 1)


def _parse_counts(text: str) -> dict[int, int]:
    """Parse the stored text form of a histogram into counts per bucket; see Histogram."""
    counts: dict[int, int] = {}
    index = -1
    if text:
        for item in text.split(","):
            if ":" in item:
                first, _, count = item.partition(":")
                index = int(first)
            else:
                index, count = index + 1, item
            if index < 0:
                raise ValueError(f"invalid histogram text {text!r}: negative bucket")
            counts[index] = counts.get(index, 0) + int(count)
    return counts


@dataclass(frozen=True)
class Histogram:
    """Counts of values per bucket: RTT or response time (logarithmic), utilisation (1 % linear).

    Stored as text with ascending indexes, "" when empty. Items are separated
    by commas: "index:count" gives a bucket, and a bare "count" the bucket
    after the previous item's. So a run of neighbouring buckets spells its
    first index once ("65:1,11,43" is {65: 1, 66: 11, 67: 43}).

    A quantile is the middle of the bucket that contains the ceil(q x n)-th
    value: within 4.4 % of the true RTT (buckets are 2^(1/8) wide and the
    geometric middle is reported), within 4.4 % of the true response time
    from 0.1 ms on, and within 0.5 points of the true utilisation.

    Example::

        Histogram.parse("40:3,4,56:1").quantile(0.95)   # about 0.0013 s
    """

    counts: Mapping[int, int] = field(default_factory=dict)
    scale: str = RTT

    def __post_init__(self) -> None:
        if self.scale not in (RTT, RESPONSE, UTILISATION):
            raise ValueError(f"histogram scale must be {RTT!r}, {RESPONSE!r} or {UTILISATION!r}")
        cleaned = {int(index): int(count) for index, count in sorted(self.counts.items()) if count}
        object.__setattr__(self, "counts", cleaned)

    @classmethod
    def parse(cls, text: str, scale: str = RTT) -> Histogram:
        """Parse the stored text form. Raises ValueError for malformed text."""
        return cls(_parse_counts(text), scale)

    @classmethod
    def of_values(cls, values: Iterable[float], scale: str = RTT) -> Histogram:
        """Build the histogram of ``values`` (seconds for RTT and response, else ratios)."""
        bucket = _BUCKETS[scale]
        counts: dict[int, int] = {}
        for value in values:
            index = bucket(value)
            counts[index] = counts.get(index, 0) + 1
        return cls(counts, scale)

    def format(self) -> str:
        """Return the stored text form."""
        items = []
        previous = None
        for index, count in self.counts.items():
            items.append(f"{count}" if index == previous else f"{index}:{count}")
            previous = index + 1
        return ",".join(items)

    def merge(self, other: Histogram) -> Histogram:
        """Return the histogram of both sets of values."""
        counts = dict(self.counts)
        for index, count in other.counts.items():
            counts[index] = counts.get(index, 0) + count
        return Histogram(counts, self.scale)

    @property
    def total(self) -> int:
        """Number of values."""
        return sum(self.counts.values())

    def quantile(self, q: float) -> float | None:
        """Return the q-quantile (0 < q <= 1) as a bucket middle, or None when empty.

        RTT and response time in seconds (geometric middle), utilisation as a
        ratio (arithmetic middle, and 1.0 for the top bucket, which contains
        100 % and more).
        """
        total = self.total
        if total == 0:
            return None
        rank = max(1, math.ceil(q * total))
        seen = 0
        index = 0
        for bucket, count in self.counts.items():
            seen += count
            index = bucket
            if seen >= rank:
                break
        if self.scale == RTT:
            return RTT_BASE_SECONDS * 2 ** ((index + 0.5) / RTT_BUCKETS_PER_OCTAVE)
        if self.scale == RESPONSE:
            return RESPONSE_BASE_SECONDS * 2 ** ((index + 0.5) / RTT_BUCKETS_PER_OCTAVE)
        if index >= UTILISATION_TOP_BUCKET:
            return 1.0
        return (index + 0.5) / 100


_BUCKETS = {RTT: rtt_bucket, RESPONSE: response_bucket, UTILISATION: utilisation_bucket}


# Periods --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetPeriod:
    """One target over one period [start, end): time per status and probe statistics.

    ``seconds`` has the keys up, degraded, down, unreachable, maintenance and
    unknown, and they add up to end - start. Example::

        period.availability   # 0.9972..., or None when nothing was observed
    """

    target: str
    start: float
    end: float
    seconds: Mapping[str, float]
    samples: int
    failures: int
    sent: int
    received: int
    rtt: Histogram
    cpu_max: float | None
    cpu_mean: float | None
    memory_max: float | None
    memory_mean: float | None
    disk_max: float | None
    disk_mean: float | None
    reboots: int

    @property
    def observed(self) -> float:
        """Seconds with a known status: the period minus unknown."""
        return sum(self.seconds[key] for key in OBSERVED_STATUSES)

    @property
    def availability(self) -> float | None:
        """(up + degraded) / (observed - maintenance - unreachable), None without a denominator."""
        seconds = self.seconds
        denominator = seconds["up"] + seconds["degraded"] + seconds["down"]
        if denominator <= 0:
            return None
        return (seconds["up"] + seconds["degraded"]) / denominator

    @property
    def loss(self) -> float | None:
        """1 - received / sent over ICMP results, None when nothing was sent."""
        if self.sent <= 0:
            return None
        return 1.0 - self.received / self.sent

    @property
    def rtt_median(self) -> float | None:
        """Median RTT in seconds from the histogram, None without a successful ping."""
        return self.rtt.quantile(0.5)

    @property
    def rtt_p95(self) -> float | None:
        """95th percentile RTT in seconds from the histogram."""
        return self.rtt.quantile(0.95)


@dataclass(frozen=True)
class InterfacePeriod:
    """One interface of one target over one period: traffic, utilisation and errors.

    Rates are bytes per second, utilisation a ratio of the interface speed.
    ``errors`` and ``discards`` are the increases of the raw counters, both
    directions added.
    """

    target: str
    if_index: int
    if_name: str
    speed_bps: float | None
    start: float
    end: float
    samples: int
    receive_mean: float | None
    transmit_mean: float | None
    receive_max: float | None
    transmit_max: float | None
    utilisation_max: float | None
    utilisation: Histogram
    errors: int
    discards: int

    @property
    def utilisation_p95(self) -> float | None:
        """95th percentile utilisation (ratio) from the histogram."""
        return self.utilisation_quantile(0.95)

    def utilisation_quantile(self, q: float) -> float | None:
        """Return the q-quantile of the utilisation, at most the measured maximum.

        The histogram reports a bucket middle, which can lie above the
        largest value that fell into the bucket.
        """
        value = self.utilisation.quantile(q)
        if value is None or self.utilisation_max is None:
            return value
        return min(value, self.utilisation_max)


@dataclass(frozen=True)
class ServicePeriod:
    """One service check (probe tcp, http, tls or dns) of one target over one period.

    ``runs``, ``successes``, ``durations`` and ``reasons`` count the checks
    started outside maintenance; ``maintenance_runs`` counts the others.
    ``durations`` contains the response times of the successful checks in
    seconds, ``reasons`` the failed checks per reason code, and
    ``cert_expiry`` the earliest certificate notAfter seen (unix seconds,
    None when no result carried one). Example::

        period.availability    # 0.95 for 1,368 of 1,440 checks
        period.response_p95    # seconds, from the histogram
    """

    target: str
    probe: str
    start: float
    end: float
    runs: int
    successes: int
    maintenance_runs: int
    covered_seconds: float
    durations: Histogram
    reasons: Mapping[str, int]
    cert_expiry: float | None

    @property
    def failures(self) -> int:
        """Checks run outside maintenance that failed."""
        return self.runs - self.successes

    @property
    def availability(self) -> float | None:
        """successes / runs outside maintenance, None when no check ran."""
        if self.runs <= 0:
            return None
        return self.successes / self.runs

    @property
    def response_median(self) -> float | None:
        """Median response time in seconds of the successful checks."""
        return self.durations.quantile(0.5)

    @property
    def response_p95(self) -> float | None:
        """95th percentile response time in seconds of the successful checks."""
        return self.durations.quantile(0.95)

    def worst_reasons(self, limit: int = 3) -> list[tuple[str, int]]:
        """Return up to ``limit`` failure reasons with their counts, most frequent first."""
        ranked = sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]


@dataclass(frozen=True)
class IncidentPart:
    """The part of one incident inside a period, clipped to [period start, min(period end, now)).

    ``ended`` is true when the incident ended inside the period.
    """

    target: str
    status: str
    cause: str
    start: float
    end: float
    ended: bool
    incident_id: int = 0
    network: str = ""
    group: str = ""

    @property
    def duration(self) -> float:
        """Seconds of the clipped part."""
        return self.end - self.start


@dataclass(frozen=True)
class MaintainReport:
    """Work done by one :func:`maintain` call; call again until ``done``."""

    hours_rolled: int = 0
    days_rolled: int = 0
    rows_read: int = 0
    rows_packed: int = 0
    rows_deleted: int = 0
    done: bool = True


# Raw rows -------------------------------------------------------------------------------


class RawResult(NamedTuple):
    """One probe result from the hot table or the archive.

    ``invalid_values`` is the stored ``values_json`` text when it is not a
    JSON object of finite numbers and nulls; ``values`` is then empty.
    """

    target: str
    probe: str
    started: float
    duration: float
    success: bool
    reason: str
    values: dict[str, Any]
    message: str
    invalid_values: str | None = None


class RawInterface(NamedTuple):
    """One interface row of one SNMP poll, from the hot table or the archive."""

    target: str
    started: float
    if_index: int
    if_name: str
    oper_status: int | None
    speed_bps: float | None
    receive_bytes_per_second: float | None
    transmit_bytes_per_second: float | None
    receive_utilisation: float | None
    transmit_utilisation: float | None
    receive_errors: int | None
    transmit_errors: int | None
    receive_discards: int | None
    transmit_discards: int | None
    rate_missing_reason: str


_RESULT_COLUMNS = "started, duration, success, reason, values_json, message"
_INTERFACE_COLUMNS = ", ".join(RawInterface._fields)
# Interface columns kept to 6 significant digits in the archive.
_INTERFACE_FLOATS = frozenset(
    {
        "speed_bps",
        "receive_bytes_per_second",
        "transmit_bytes_per_second",
        "receive_utilisation",
        "transmit_utilisation",
    }
)


def _connection(db: sqlite_utils.Database | sqlite3.Connection) -> sqlite3.Connection:
    if isinstance(db, sqlite_utils.Database):
        return db.conn
    return db


def _zone(zone: tzinfo | str) -> tzinfo:
    return ZoneInfo(zone) if isinstance(zone, str) else zone


def _round6(value: Any) -> Any:
    """Keep a float to 6 significant digits; integers, text and None stay as they are."""
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.6g}")
    return value


def _is_reading(value: Any) -> bool:
    """Return whether ``value`` is what storage.encode_values writes: a finite number or None."""
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def _parse_values(text: Any) -> tuple[dict[str, Any], str | None]:
    """Parse ``values_json``; return the readings and, when it is malformed, the text itself.

    A text that is not a JSON object of finite numbers and nulls gives no
    readings, so that one bad row cannot stop the rollups.
    """
    try:
        values = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        values = None
    if isinstance(values, dict) and all(_is_reading(value) for value in values.values()):
        return values, None
    return {}, text if isinstance(text, str) else repr(text)


def _result_from_hot(target: str, probe: str, row: Sequence[Any]) -> RawResult:
    started, duration, success, reason, values_json, message = row
    values, invalid = _parse_values(values_json)
    return RawResult(
        target, probe, started, duration, bool(success), reason, values, message, invalid
    )


# Archive blobs are raw LZMA2 streams of JSON. LZMA2 packs an ICMP target
# hour of the simulated budget year (tests/history_sim.py) into about
# 2.6 KB, where zlib at level 9 needs 3.0 KB. A blob is small, so is the
# dictionary.
_ARCHIVE_FILTERS = [{"id": lzma.FILTER_LZMA2, "preset": 9, "dict_size": 1 << 16}]
# Marks a reading that a row does not have, in the columns of packed readings.
_ABSENT = False


def _compress(columns: Mapping[str, Any]) -> bytes:
    text = json.dumps(columns, separators=(",", ":")).encode()
    return lzma.compress(text, format=lzma.FORMAT_RAW, filters=_ARCHIVE_FILTERS)


def _decompress(data: bytes) -> Any:
    return json.loads(lzma.decompress(data, format=lzma.FORMAT_RAW, filters=_ARCHIVE_FILTERS))


def _encode_starts(rows: Sequence[RawResult] | Sequence[RawInterface], hour: int) -> list[int]:
    """Return the start times as milliseconds: the first from ``hour``, each next one from the last.

    Steps of about one interval repeat, so they compress better than offsets.
    """
    offsets = [round(row.started * 1000) - hour * 1000 for row in rows]
    return [offset - previous for offset, previous in zip(offsets, [0, *offsets], strict=False)]


def _decode_starts(steps: Sequence[int], hour: int) -> list[float]:
    # One division of an exact integer rounds once, so a time given to the
    # millisecond comes back as the same float.
    base = hour * 1000
    starts = []
    for step in steps:
        base += step
        starts.append(base / 1000)
    return starts


def _pack_results(rows: Sequence[RawResult], hour: int) -> bytes:
    """Pack one hour of one target and probe, column by column.

    The readings are one column per name, with _ABSENT where a row lacks the
    name. A malformed ``values_json`` is kept as text under "invalid", keyed
    by the row's position.
    """
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row.values))
    columns: dict[str, Any] = {
        "started_ms": _encode_starts(rows, hour),
        "duration": [_round6(row.duration) for row in rows],
        "success": [1 if row.success else 0 for row in rows],
        "reason": [row.reason for row in rows],
        "message": [row.message for row in rows],
        "values": {
            name: [
                _pack_reading(name, row.values[name]) if name in row.values else _ABSENT
                for row in rows
            ]
            for name in names
        },
    }
    invalid = {
        str(position): row.invalid_values
        for position, row in enumerate(rows)
        if row.invalid_values is not None
    }
    if invalid:
        columns["invalid"] = invalid
    return _compress(columns)


def _pack_reading(name: str, value: Any) -> Any:
    """Keep a reading to 6 significant digits, except a unix timestamp.

    Six digits of a timestamp such as a certificate's notAfter would move it
    by up to about 17 minutes, enough to change its date.
    """
    return value if name.endswith("_timestamp_seconds") else _round6(value)


def _unpack_results(target: str, probe: str, hour: int, data: bytes) -> list[RawResult]:
    columns = _decompress(data)
    readings: dict[str, list[Any]] = columns["values"]
    invalid: dict[str, str] = columns.get("invalid", {})
    rows = []
    for position, (started, duration, success, reason, message) in enumerate(
        zip(
            _decode_starts(columns["started_ms"], hour),
            columns["duration"],
            columns["success"],
            columns["reason"],
            columns["message"],
            strict=True,
        )
    ):
        text = invalid.get(str(position))
        if text is not None:
            values, invalid_values = _parse_values(text)
        else:
            values = {
                name: column[position]
                for name, column in readings.items()
                if column[position] is not _ABSENT
            }
            invalid_values = None
        rows.append(
            RawResult(
                target,
                probe,
                started,
                duration,
                bool(success),
                reason,
                values,
                message,
                invalid_values,
            )
        )
    return rows


def _pack_interfaces(rows: Sequence[RawInterface], hour: int) -> bytes:
    columns: dict[str, list[Any]] = {"started_ms": _encode_starts(rows, hour)}
    for name in RawInterface._fields[2:]:
        round_value = _round6 if name in _INTERFACE_FLOATS else (lambda value: value)
        columns[name] = [round_value(getattr(row, name)) for row in rows]
    return _compress(columns)


def _unpack_interfaces(target: str, hour: int, data: bytes) -> list[RawInterface]:
    columns = _decompress(data)
    names = RawInterface._fields[2:]
    rows = []
    for position, started in enumerate(_decode_starts(columns["started_ms"], hour)):
        fields = [columns[name][position] for name in names]
        rows.append(RawInterface(target, started, *fields))
    return rows


def read_raw(
    connection: sqlite_utils.Database | sqlite3.Connection,
    target: str,
    probe: str,
    start: float,
    end: float,
) -> Iterator[RawResult]:
    """Yield the results of one target and probe started in [start, end), oldest first.

    Rows come from the hot ``results`` table and from the packed archive, in
    the same shape. Archived floats other than ``started`` are kept to 6
    significant digits, ``started`` to the millisecond.
    """
    conn = _connection(connection)
    rows = [
        _result_from_hot(target, probe, row)
        for row in conn.execute(
            f"SELECT {_RESULT_COLUMNS} FROM {RESULTS_TABLE} WHERE target = ? AND probe = ?"
            " AND started >= ? AND started < ? ORDER BY started",
            (target, probe, start, end),
        )
    ]
    archived = conn.execute(
        f"SELECT start, data FROM {RESULTS_ARCHIVE_TABLE} WHERE target = ? AND probe = ?"
        " AND start > ? AND start < ? ORDER BY start",
        (target, probe, start - HOUR, end),
    ).fetchall()
    if archived:
        for hour, data in archived:
            rows.extend(
                row
                for row in _unpack_results(target, probe, hour, data)
                if start <= row.started < end
            )
        rows.sort(key=lambda row: row.started)
    yield from rows


def read_raw_interfaces(
    connection: sqlite_utils.Database | sqlite3.Connection, target: str, start: float, end: float
) -> Iterator[RawInterface]:
    """Yield the interface rows of one target polled in [start, end), oldest first."""
    conn = _connection(connection)
    rows = [
        RawInterface(*row)
        for row in conn.execute(
            f"SELECT {_INTERFACE_COLUMNS} FROM {INTERFACES_TABLE} WHERE target = ?"
            " AND started >= ? AND started < ? ORDER BY started, if_index",
            (target, start, end),
        )
    ]
    archived = conn.execute(
        f"SELECT start, data FROM {INTERFACE_ARCHIVE_TABLE} WHERE target = ?"
        " AND start > ? AND start < ? ORDER BY start",
        (target, start - HOUR, end),
    ).fetchall()
    if archived:
        for hour, data in archived:
            rows.extend(
                row for row in _unpack_interfaces(target, hour, data) if start <= row.started < end
            )
        rows.sort(key=lambda row: (row.started, row.if_index))
    yield from rows


def _last_result_before(
    conn: sqlite3.Connection, target: str, probe: str, moment: float, *, needs_uptime: bool = False
) -> RawResult | None:
    """Return the last result started before ``moment``, from the hot table or the archive."""
    found: RawResult | None = None
    cursor = conn.execute(
        f"SELECT {_RESULT_COLUMNS} FROM {RESULTS_TABLE} WHERE target = ? AND probe = ?"
        " AND started < ? ORDER BY started DESC",
        (target, probe, moment),
    )
    for row in cursor:
        result = _result_from_hot(target, probe, row)
        if not needs_uptime or _uptime(result) is not None:
            found = result
            break
    cursor.close()
    archive = conn.execute(
        f"SELECT start, data FROM {RESULTS_ARCHIVE_TABLE} WHERE target = ? AND probe = ?"
        " AND start < ? ORDER BY start DESC",
        (target, probe, moment),
    )
    for hour, data in archive:
        if found is not None and hour + HOUR <= found.started:
            break
        for result in reversed(_unpack_results(target, probe, hour, data)):
            if result.started >= moment or (needs_uptime and _uptime(result) is None):
                continue
            if found is None or result.started > found.started:
                found = result
            break
        else:
            continue
        break
    archive.close()
    return found


def _first_result_from(
    conn: sqlite3.Connection, target: str, probe: str, moment: float
) -> float | None:
    """Return the start time of the first result started at or after ``moment``."""
    row = conn.execute(
        f"SELECT started FROM {RESULTS_TABLE} WHERE target = ? AND probe = ? AND started >= ?"
        " ORDER BY started LIMIT 1",
        (target, probe, moment),
    ).fetchone()
    found: float | None = row[0] if row else None
    archive = conn.execute(
        f"SELECT start, data FROM {RESULTS_ARCHIVE_TABLE} WHERE target = ? AND probe = ?"
        " AND start > ? ORDER BY start",
        (target, probe, moment - HOUR),
    )
    for hour, data in archive:
        if found is not None and hour >= found:
            break
        later = [
            r.started for r in _unpack_results(target, probe, hour, data) if r.started >= moment
        ]
        if later:
            found = later[0] if found is None else min(found, later[0])
            break
    archive.close()
    return found


def _last_interface_rows_before(
    conn: sqlite3.Connection, target: str, moment: float, if_indexes: Iterable[int]
) -> dict[int, RawInterface]:
    """Return the last row of each interface in ``if_indexes`` polled before ``moment``."""
    requested = set(if_indexes)
    found: dict[int, RawInterface] = {}
    # SQLite takes the bare columns from the row with MAX(started).
    for row in conn.execute(
        f"SELECT {_INTERFACE_COLUMNS}, MAX(started) FROM {INTERFACES_TABLE}"
        " WHERE target = ? AND started < ? GROUP BY if_index",
        (target, moment),
    ):
        record = RawInterface(*row[:-1])
        if record.if_index in requested:
            found[record.if_index] = record
    missing = requested - set(found)
    if not missing:
        return found
    archive = conn.execute(
        f"SELECT start, data FROM {INTERFACE_ARCHIVE_TABLE} WHERE target = ? AND start < ?"
        " ORDER BY start DESC",
        (target, moment),
    )
    for hour, data in archive:
        for record in reversed(_unpack_interfaces(target, hour, data)):
            if record.started >= moment or record.if_index not in missing:
                continue
            known = found.get(record.if_index)
            if known is None or record.started > known.started:
                found[record.if_index] = record
        # Rows of an interface are only needed from the hour of its last poll.
        missing -= set(found)
        if not missing:
            break
    archive.close()
    return found


# Accumulators ---------------------------------------------------------------------------


def _max(current: float | None, value: float | None) -> float | None:
    if value is None:
        return current
    return value if current is None or value > current else current


@dataclass
class _TargetTotals:
    """Additive totals of one target, as kept in a rollup row."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SECONDS_KEYS, 0.0))
    samples: int = 0
    failures: int = 0
    sent: int = 0
    received: int = 0
    rtt: dict[int, int] = field(default_factory=dict)
    cpu_max: float | None = None
    cpu_sum: float = 0.0
    cpu_count: int = 0
    memory_max: float | None = None
    memory_sum: float = 0.0
    memory_count: int = 0
    disk_max: float | None = None
    disk_sum: float = 0.0
    disk_count: int = 0
    reboots: int = 0

    def merge(self, other: _TargetTotals) -> None:
        for key in SECONDS_KEYS:
            self.seconds[key] += other.seconds[key]
        self.samples += other.samples
        self.failures += other.failures
        self.sent += other.sent
        self.received += other.received
        for index, count in other.rtt.items():
            self.rtt[index] = self.rtt.get(index, 0) + count
        # Written out rather than looped over names: reports merge hundreds
        # of thousands of rows.
        self.cpu_max = _max(self.cpu_max, other.cpu_max)
        self.cpu_sum += other.cpu_sum
        self.cpu_count += other.cpu_count
        self.memory_max = _max(self.memory_max, other.memory_max)
        self.memory_sum += other.memory_sum
        self.memory_count += other.memory_count
        self.disk_max = _max(self.disk_max, other.disk_max)
        self.disk_sum += other.disk_sum
        self.disk_count += other.disk_count
        self.reboots += other.reboots

    def add_device_value(self, name: str, value: float) -> None:
        setattr(self, f"{name}_max", _max(getattr(self, f"{name}_max"), value))
        setattr(self, f"{name}_sum", getattr(self, f"{name}_sum") + value)
        setattr(self, f"{name}_count", getattr(self, f"{name}_count") + 1)

    def to_row(self, target: str, start: int) -> dict[str, Any]:
        row: dict[str, Any] = {"target": target, "start": start}
        for key in SECONDS_KEYS:
            row[f"{key}_ms"] = round(self.seconds[key] * 1000)
        row.update(
            samples=self.samples,
            failures=self.failures,
            sent=self.sent,
            received=self.received,
            rtt_hist=Histogram(self.rtt).format(),
            reboots=self.reboots,
        )
        for name in ("cpu", "memory", "disk"):
            for suffix in ("max", "sum", "count"):
                row[f"{name}_{suffix}"] = getattr(self, f"{name}_{suffix}")
        return row

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> _TargetTotals:
        totals = cls(
            seconds={key: row[f"{key}_ms"] / 1000 for key in SECONDS_KEYS},
            samples=row["samples"],
            failures=row["failures"],
            sent=row["sent"],
            received=row["received"],
            rtt=_parse_counts(row["rtt_hist"]),
            reboots=row["reboots"],
        )
        for name in ("cpu", "memory", "disk"):
            for suffix in ("max", "sum", "count"):
                setattr(totals, f"{name}_{suffix}", row[f"{name}_{suffix}"])
        return totals

    def to_period(self, target: str, start: float, end: float) -> TargetPeriod:
        seconds = {key: self.seconds[key] for key in OBSERVED_STATUSES}
        seconds["unknown"] = (end - start) - sum(seconds.values())
        means = {
            name: (
                getattr(self, f"{name}_sum") / count
                if (count := getattr(self, f"{name}_count"))
                else None
            )
            for name in ("cpu", "memory", "disk")
        }
        return TargetPeriod(
            target=target,
            start=start,
            end=end,
            seconds=seconds,
            samples=self.samples,
            failures=self.failures,
            sent=self.sent,
            received=self.received,
            rtt=Histogram(self.rtt),
            cpu_max=self.cpu_max,
            cpu_mean=means["cpu"],
            memory_max=self.memory_max,
            memory_mean=means["memory"],
            disk_max=self.disk_max,
            disk_mean=means["disk"],
            reboots=self.reboots,
        )


@dataclass
class _InterfaceTotals:
    """Additive totals of one interface, as kept in a rollup row."""

    if_name: str = ""
    speed_bps: float | None = None
    last_seen: float = -math.inf
    samples: int = 0
    receive_sum: float = 0.0
    transmit_sum: float = 0.0
    receive_max: float | None = None
    transmit_max: float | None = None
    rate_samples: int = 0
    utilisation_max: float | None = None
    utilisation: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    discards: int = 0
    # False while every poll found the interface down with no traffic, errors or discards.
    active: bool = True

    def merge(self, other: _InterfaceTotals) -> None:
        if other.last_seen >= self.last_seen:
            self.if_name, self.speed_bps, self.last_seen = (
                other.if_name,
                other.speed_bps,
                other.last_seen,
            )
        self.samples += other.samples
        self.receive_sum += other.receive_sum
        self.transmit_sum += other.transmit_sum
        self.receive_max = _max(self.receive_max, other.receive_max)
        self.transmit_max = _max(self.transmit_max, other.transmit_max)
        self.rate_samples += other.rate_samples
        self.utilisation_max = _max(self.utilisation_max, other.utilisation_max)
        for index, count in other.utilisation.items():
            self.utilisation[index] = self.utilisation.get(index, 0) + count
        self.errors += other.errors
        self.discards += other.discards
        self.active = self.active or other.active

    def idle_entry(self, if_index: int) -> str:
        """Return the compact form of an idle interface's polls for ``idle_interfaces``.

        "index:polls" when every poll had rates and a utilisation, else
        "index:polls:polls with rates:polls with a utilisation".
        """
        utilised = sum(self.utilisation.values())
        if self.rate_samples == utilised == self.samples:
            return f"{if_index}:{self.samples}"
        return f"{if_index}:{self.samples}:{self.rate_samples}:{utilised}"

    @classmethod
    def from_idle_entry(cls, entry: str) -> tuple[int, _InterfaceTotals]:
        """Parse one entry of :meth:`idle_entry`; raises ValueError for malformed text."""
        parts = [int(part) for part in entry.split(":")]
        if len(parts) == 2:
            parts += [parts[1], parts[1]]
        if len(parts) != 4:
            raise ValueError(f"invalid idle interface entry {entry!r}")
        if_index, samples, rated, utilised = parts
        return if_index, cls(
            samples=samples,
            receive_max=0.0 if rated else None,
            transmit_max=0.0 if rated else None,
            rate_samples=rated,
            utilisation_max=0.0 if utilised else None,
            utilisation={0: utilised} if utilised else {},
            active=False,
        )

    def to_row(self, target: str, if_index: int, start: int) -> dict[str, Any]:
        return {
            "target": target,
            "if_index": if_index,
            "start": start,
            "if_name": self.if_name,
            "speed_bps": self.speed_bps,
            "samples": self.samples,
            "receive_sum": self.receive_sum,
            "transmit_sum": self.transmit_sum,
            "receive_max": self.receive_max,
            "transmit_max": self.transmit_max,
            "rate_samples": self.rate_samples,
            "utilisation_max": self.utilisation_max,
            "utilisation_hist": Histogram(self.utilisation, UTILISATION).format(),
            "errors": self.errors,
            "discards": self.discards,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> _InterfaceTotals:
        return cls(
            if_name=row["if_name"],
            speed_bps=row["speed_bps"],
            last_seen=row["start"],
            samples=row["samples"],
            receive_sum=row["receive_sum"],
            transmit_sum=row["transmit_sum"],
            receive_max=row["receive_max"],
            transmit_max=row["transmit_max"],
            rate_samples=row["rate_samples"],
            utilisation_max=row["utilisation_max"],
            utilisation=_parse_counts(row["utilisation_hist"]),
            errors=row["errors"],
            discards=row["discards"],
        )

    def to_period(self, target: str, if_index: int, start: float, end: float) -> InterfacePeriod:
        rated = self.rate_samples
        return InterfacePeriod(
            target=target,
            if_index=if_index,
            if_name=self.if_name,
            speed_bps=self.speed_bps,
            start=start,
            end=end,
            samples=self.samples,
            receive_mean=self.receive_sum / rated if rated else None,
            transmit_mean=self.transmit_sum / rated if rated else None,
            receive_max=self.receive_max,
            transmit_max=self.transmit_max,
            utilisation_max=self.utilisation_max,
            utilisation=Histogram(self.utilisation, UTILISATION),
            errors=self.errors,
            discards=self.discards,
        )


@dataclass
class _ServiceTotals:
    """Additive totals of one service check, as kept in a rollup row."""

    runs: int = 0
    successes: int = 0
    maintenance_runs: int = 0
    covered: float = 0.0
    durations: dict[int, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    cert_expiry: float | None = None

    @property
    def empty(self) -> bool:
        return not (self.runs or self.maintenance_runs or self.covered)

    def merge(self, other: _ServiceTotals) -> None:
        self.runs += other.runs
        self.successes += other.successes
        self.maintenance_runs += other.maintenance_runs
        self.covered += other.covered
        for index, count in other.durations.items():
            self.durations[index] = self.durations.get(index, 0) + count
        for reason, count in other.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + count
        self.cert_expiry = _min(self.cert_expiry, other.cert_expiry)

    def to_row(self, target: str, probe: str, start: int) -> dict[str, Any]:
        reasons = dict(sorted(self.reasons.items()))
        return {
            "target": target,
            "start": start,
            "probe": probe,
            "runs": self.runs,
            "successes": self.successes,
            "maintenance_runs": self.maintenance_runs,
            "covered_ms": round(self.covered * 1000),
            "duration_hist": Histogram(self.durations, RESPONSE).format(),
            "reasons": json.dumps(reasons, separators=(",", ":")) if reasons else "",
            "cert_expiry_min": self.cert_expiry,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> _ServiceTotals:
        text = row["reasons"]
        return cls(
            runs=row["runs"],
            successes=row["successes"],
            maintenance_runs=row["maintenance_runs"],
            covered=row["covered_ms"] / 1000,
            durations=_parse_counts(row["duration_hist"]),
            reasons=json.loads(text) if text else {},
            cert_expiry=row["cert_expiry_min"],
        )

    def to_period(self, target: str, probe: str, start: float, end: float) -> ServicePeriod:
        return ServicePeriod(
            target=target,
            probe=probe,
            start=start,
            end=end,
            runs=self.runs,
            successes=self.successes,
            maintenance_runs=self.maintenance_runs,
            covered_seconds=self.covered,
            durations=Histogram(self.durations, RESPONSE),
            reasons=dict(self.reasons),
            cert_expiry=self.cert_expiry,
        )


def _min(current: float | None, value: float | None) -> float | None:
    if value is None:
        return current
    return value if current is None or value < current else current


# Computing totals from raw rows ---------------------------------------------------------


def _status_key(status: str) -> str:
    return status if status in OBSERVED_STATUSES else "unknown"


def _uptime(result: RawResult) -> float | None:
    if not result.success:
        return None
    value = result.values.get("hr_system_uptime_seconds")
    if value is None:
        value = result.values.get("sysuptime_seconds")
    return None if value is None else float(value)


def _is_reboot(previous: RawResult, current: RawResult) -> bool:
    old, new = _uptime(previous), _uptime(current)
    assert old is not None and new is not None
    if new >= old:
        return False
    gap = current.started - previous.started
    wrapped = old > TIMETICKS_WRAP_SECONDS - 2 * gap and new < 2 * gap
    return not wrapped


def _coverage(
    times: Sequence[float], next_time: float | None, interval: float, low: float, high: float
) -> list[tuple[float, float]]:
    """Return the covered parts of [low, high) from sorted status-probe start times."""
    parts: list[tuple[float, float]] = []
    reach = COVERAGE_FACTOR * interval
    for position, started in enumerate(times):
        following = times[position + 1] if position + 1 < len(times) else next_time
        if following is not None and following - started <= reach:
            covered_until = following
        else:
            covered_until = started + interval
        part_start, part_end = max(started, low), min(covered_until, high)
        if part_end > part_start:
            parts.append((part_start, part_end))
    return parts


def _status_segments(
    conn: sqlite3.Connection, target: str, low: float, high: float
) -> list[tuple[float, float, str]]:
    """Return the timeline of [low, high) as (start, end, seconds key) segments."""
    rows = conn.execute(
        f"SELECT since, status FROM {STATUS_CHANGES_TABLE} WHERE target = ? AND since < ?"
        f" AND since >= COALESCE((SELECT MAX(since) FROM {STATUS_CHANGES_TABLE}"
        " WHERE target = ? AND since <= ?), -1e300) ORDER BY since",
        (target, high, target, low),
    ).fetchall()
    segments: list[tuple[float, float, str]] = []
    cursor = low
    current = "unknown"
    for since, status in rows:
        if since > cursor:
            segments.append((cursor, since, current))
            cursor = since
        current = _status_key(status)
    segments.append((cursor, high, current))
    return segments


def _count_seconds(
    parts: Sequence[tuple[float, float]], segments: Sequence[tuple[float, float, str]]
) -> dict[str, float]:
    seconds = dict.fromkeys(SECONDS_KEYS, 0.0)
    position = 0
    for part_start, part_end in parts:
        while position < len(segments) and segments[position][1] <= part_start:
            position += 1
        scan = position
        while scan < len(segments) and segments[scan][0] < part_end:
            segment_start, segment_end, key = segments[scan]
            overlap = min(part_end, segment_end) - max(part_start, segment_start)
            if overlap > 0:
                seconds[key] += overlap
            scan += 1
    return seconds


def _compute_target(
    conn: sqlite3.Connection,
    target: str,
    status_probe: str,
    interval: float,
    low: float,
    high: float,
) -> tuple[_TargetTotals, int, list[RawResult]]:
    """Compute the totals of [low, high) from raw data.

    Also returns the number of rows read and the rows whose ``values_json``
    was malformed: those count as samples and failures but add no readings.
    """
    totals = _TargetTotals()
    status_rows = list(read_raw(conn, target, status_probe, low, high))
    icmp_rows = (
        status_rows if status_probe == "icmp" else list(read_raw(conn, target, "icmp", low, high))
    )
    snmp_rows = (
        status_rows if status_probe == "snmp" else list(read_raw(conn, target, "snmp", low, high))
    )

    times = [row.started for row in status_rows]
    previous = _last_result_before(conn, target, status_probe, low)
    if previous is not None and previous.started + COVERAGE_FACTOR * interval > low:
        times.insert(0, previous.started)
    next_time = _first_result_from(conn, target, status_probe, high)
    parts = _coverage(times, next_time, interval, low, high)
    covered = _count_seconds(parts, _status_segments(conn, target, low, high))
    for key in OBSERVED_STATUSES:
        totals.seconds[key] = covered[key]
    totals.seconds["unknown"] = (high - low) - sum(covered[key] for key in OBSERVED_STATUSES)
    totals.samples = len(status_rows)
    totals.failures = sum(1 for row in status_rows if not row.success)

    for row in icmp_rows:
        totals.sent += _count(row.values.get("sent"))
        totals.received += _count(row.values.get("received"))
        rtt = row.values.get("rtt_median_seconds")
        if row.success and rtt is not None:
            index = rtt_bucket(rtt)
            totals.rtt[index] = totals.rtt.get(index, 0) + 1

    _add_snmp(conn, totals, target, snmp_rows, low)
    extra_rows = [rows for rows in (icmp_rows, snmp_rows) if rows is not status_rows]
    read = len(status_rows) + sum(len(rows) for rows in extra_rows) + 1
    invalid = [
        row for rows in (status_rows, *extra_rows) for row in rows if row.invalid_values is not None
    ]
    return totals, read, invalid


# Packets of one result that the rollups take: no burst sends more, and the
# archive keeps readings to 6 significant digits, so up to here a count
# reads back exactly. A larger, negative or fractional count is garbage.
_MAX_COUNT = 999_999


def _count(value: Any) -> int:
    """Return a packet count of one result, or 0 for a value no probe writes."""
    if value is None or not 0 <= value <= _MAX_COUNT or value != int(value):
        return 0
    return int(value)


def _add_snmp(
    conn: sqlite3.Connection,
    totals: _TargetTotals,
    target: str,
    snmp_rows: Sequence[RawResult],
    low: float,
) -> None:
    previous: RawResult | None = None
    for row in snmp_rows:
        if not row.success:
            continue
        for name, key in (
            ("cpu", "cpu_load_max_ratio"),
            ("memory", "memory_used_ratio"),
            ("disk", "storage_max_used_ratio"),
        ):
            value = row.values.get(key)
            if value is not None:
                totals.add_device_value(name, float(value))
        if _uptime(row) is None:
            continue
        if previous is None:
            previous = _last_result_before(conn, target, "snmp", low, needs_uptime=True)
        if previous is not None and _is_reboot(previous, row):
            totals.reboots += 1
        previous = row


def _service_probes(
    conn: sqlite3.Connection, target: str, low: float, high: float, reach: float
) -> list[str]:
    """Return the service probes of ``target`` with a result in [low - reach, high).

    A result started up to ``reach`` seconds before ``low`` may cover time
    after it, so its probe gets a row even without a result in the period.
    """
    found = []
    for probe in SERVICE_PROBES:
        hot = conn.execute(
            f"SELECT 1 FROM {RESULTS_TABLE} WHERE target = ? AND probe = ?"
            " AND started >= ? AND started < ? LIMIT 1",
            (target, probe, low - reach, high),
        ).fetchone()
        archived = (
            hot
            or conn.execute(
                f"SELECT 1 FROM {RESULTS_ARCHIVE_TABLE} WHERE target = ? AND probe = ?"
                " AND start > ? AND start < ? LIMIT 1",
                (target, probe, low - reach - HOUR, high),
            ).fetchone()
        )
        if archived:
            found.append(probe)
    return found


def _compute_service(
    conn: sqlite3.Connection,
    target: str,
    probe: str,
    interval: float,
    low: float,
    high: float,
    segments: Sequence[tuple[float, float, str]],
) -> tuple[_ServiceTotals, int]:
    """Compute the totals of one service check in [low, high); also the rows read.

    ``segments`` is the target's status timeline of [low, high), from which
    the checks started in maintenance are found.
    """
    totals = _ServiceTotals()
    rows = list(read_raw(conn, target, probe, low, high))

    times = [row.started for row in rows]
    previous = _last_result_before(conn, target, probe, low)
    if previous is not None and previous.started + COVERAGE_FACTOR * interval > low:
        times.insert(0, previous.started)
    next_time = _first_result_from(conn, target, probe, high)
    totals.covered = sum(
        end - start for start, end in _coverage(times, next_time, interval, low, high)
    )

    segment_starts = [segment[0] for segment in segments]
    for row in rows:
        if probe in CERT_PROBES:
            totals.cert_expiry = _min(totals.cert_expiry, row.values.get(CERT_EXPIRY))
        position = bisect.bisect_right(segment_starts, row.started) - 1
        if position >= 0 and segments[position][2] == "maintenance":
            totals.maintenance_runs += 1
            continue
        totals.runs += 1
        if row.success:
            totals.successes += 1
            index = response_bucket(row.duration)
            totals.durations[index] = totals.durations.get(index, 0) + 1
        else:
            totals.reasons[row.reason] = totals.reasons.get(row.reason, 0) + 1
    return totals, len(rows) + 1


def _compute_services(
    conn: sqlite3.Connection, target: str, interval: float, low: float, high: float
) -> tuple[dict[str, _ServiceTotals], int]:
    """Compute the totals of each service check of ``target`` in [low, high); also the rows read."""
    probes = _service_probes(conn, target, low, high, COVERAGE_FACTOR * interval)
    if not probes:
        return {}, 0
    segments = _status_segments(conn, target, low, high)
    found: dict[str, _ServiceTotals] = {}
    read = 0
    for probe in probes:
        totals, rows = _compute_service(conn, target, probe, interval, low, high, segments)
        read += rows
        if not totals.empty:
            found[probe] = totals
    return found, read


def _counter_increase(previous: int | None, current: int | None) -> int:
    """Increase of a raw counter; a lower value is a reset, counted from zero."""
    if previous is None or current is None:
        return 0
    return current - previous if current >= previous else current


def _compute_interfaces(
    conn: sqlite3.Connection, target: str, low: float, high: float
) -> tuple[dict[int, _InterfaceTotals], int]:
    """Compute the totals of each interface of ``target`` in [low, high); also the rows read."""
    rows = list(read_raw_interfaces(conn, target, low, high))
    totals: dict[int, _InterfaceTotals] = {}
    if not rows:
        return totals, 0
    last = _last_interface_rows_before(conn, target, low, {row.if_index for row in rows})
    for row in rows:
        interface = totals.setdefault(row.if_index, _InterfaceTotals(active=False))
        interface.if_name, interface.speed_bps, interface.last_seen = (
            row.if_name,
            row.speed_bps,
            row.started,
        )
        interface.samples += 1
        receive, transmit = row.receive_bytes_per_second, row.transmit_bytes_per_second
        if receive is not None and transmit is not None:
            interface.rate_samples += 1
            interface.receive_sum += receive
            interface.transmit_sum += transmit
            interface.receive_max = _max(interface.receive_max, receive)
            interface.transmit_max = _max(interface.transmit_max, transmit)
        ratios = [r for r in (row.receive_utilisation, row.transmit_utilisation) if r is not None]
        if ratios:
            utilisation = max(ratios)
            interface.utilisation_max = _max(interface.utilisation_max, utilisation)
            index = utilisation_bucket(utilisation)
            interface.utilisation[index] = interface.utilisation.get(index, 0) + 1
        previous = last.get(row.if_index)
        errors = discards = 0
        if previous is not None:
            errors = _counter_increase(
                previous.receive_errors, row.receive_errors
            ) + _counter_increase(previous.transmit_errors, row.transmit_errors)
            discards = _counter_increase(
                previous.receive_discards, row.receive_discards
            ) + _counter_increase(previous.transmit_discards, row.transmit_discards)
            interface.errors += errors
            interface.discards += discards
        quiet = not any((receive, transmit, *ratios, errors, discards))
        if row.oper_status != IF_OPER_STATUS_DOWN or not quiet:
            interface.active = True
        # A counter missing from this poll breaks its chain: the increase
        # across the gap is not counted, so that an hour needs only the
        # last row before it.
        last[row.if_index] = row
    return totals, len(rows)


def _targets_with_rows(conn: sqlite3.Connection, low: float, high: float) -> set[str]:
    """Return the targets with a result or an interface row in [low, high)."""
    names: set[str] = set()
    for table in (RESULTS_TABLE, INTERFACES_TABLE):
        names.update(_hot_targets(conn, table, low, high))
    for table in (RESULTS_ARCHIVE_TABLE, INTERFACE_ARCHIVE_TABLE):
        names.update(
            row[0]
            for row in conn.execute(
                f"SELECT DISTINCT target FROM {table} WHERE start > ? AND start < ?",
                (low - HOUR, high),
            )
        )
    return names


def recompute(
    connection: sqlite_utils.Database | sqlite3.Connection,
    start: float,
    end: float,
    intervals: Mapping[str, float],
    zone: tzinfo | str,
    *,
    status_probes: Mapping[str, str] | None = None,
) -> dict[str, TargetPeriod]:
    """Compute the TargetPeriod of [start, end) straight from raw data, without rollups.

    The reference for tests and for checking rollups. It covers the targets
    in ``intervals`` and every target with raw rows in the period. ``zone``
    is accepted for symmetry with :func:`target_periods`: one period needs
    no local buckets.
    """
    del zone
    conn = _connection(connection)
    probes = status_probes or {}
    periods: dict[str, TargetPeriod] = {}
    for target in sorted(set(intervals) | _targets_with_rows(conn, start, end)):
        totals, _, _ = _compute_target(
            conn,
            target,
            probes.get(target, DEFAULT_STATUS_PROBE),
            intervals.get(target, FALLBACK_INTERVAL),
            start,
            end,
        )
        periods[target] = totals.to_period(target, start, end)
    return periods


def recompute_services(
    connection: sqlite_utils.Database | sqlite3.Connection,
    start: float,
    end: float,
    intervals: Mapping[str, float],
) -> dict[tuple[str, str], ServicePeriod]:
    """Compute each ServicePeriod of [start, end) from raw results, keyed (target, probe)."""
    conn = _connection(connection)
    periods: dict[tuple[str, str], ServicePeriod] = {}
    for target in sorted(set(intervals) | _targets_with_rows(conn, start, end)):
        interval = intervals.get(target, FALLBACK_INTERVAL)
        services, _ = _compute_services(conn, target, interval, start, end)
        for probe, totals in sorted(services.items()):
            periods[target, probe] = totals.to_period(target, probe, start, end)
    return periods


def recompute_interfaces(
    connection: sqlite_utils.Database | sqlite3.Connection, start: float, end: float
) -> dict[tuple[str, int], InterfacePeriod]:
    """Compute the InterfacePeriod of [start, end) straight from raw interface rows."""
    conn = _connection(connection)
    periods: dict[tuple[str, int], InterfacePeriod] = {}
    for target in sorted(_targets_with_rows(conn, start, end)):
        totals, _ = _compute_interfaces(conn, target, start, end)
        for if_index, interface in sorted(totals.items()):
            periods[target, if_index] = interface.to_period(target, if_index, start, end)
    return periods


# Local time -----------------------------------------------------------------------------


def hour_start(moment: float, zone: tzinfo | str) -> int:
    """Return the start of the local hour that contains ``moment``.

    NOTE: this assumes the zone's offset changes by whole hours. In current
    tzdata, Australia/Lord_Howe shifts by 30 minutes and gets wrong hours.
    """
    offset = datetime.fromtimestamp(moment, _zone(zone)).utcoffset()
    seconds = offset.total_seconds() if offset is not None else 0.0
    return math.floor(moment - ((moment + seconds) % HOUR))


def _midnight(day: date, zone: tzinfo) -> int:
    return round(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())


def day_bounds(moment: float, zone: tzinfo | str) -> tuple[int, int]:
    """Return [start, end) of the local day that contains ``moment`` (23 to 25 hours long)."""
    tz = _zone(zone)
    day = datetime.fromtimestamp(moment, tz).date()
    return _midnight(day, tz), _midnight(day + timedelta(days=1), tz)


def month_start(moment: float, zone: tzinfo | str, months_back: int = 0) -> int:
    """Return the start of the local month ``months_back`` months before the one of ``moment``."""
    tz = _zone(zone)
    local = datetime.fromtimestamp(moment, tz)
    index = local.year * 12 + (local.month - 1) - months_back
    return _midnight(date(index // 12, index % 12 + 1, 1), tz)


def _day_pieces(start: float, end: float, zone: tzinfo) -> list[tuple[float, float, bool]]:
    """Split [start, end) at local midnights: (start, end, whether it is a whole day)."""
    pieces: list[tuple[float, float, bool]] = []
    cursor = start
    while cursor < end:
        day_start, day_end = day_bounds(cursor, zone)
        piece_end = min(day_end, end)
        pieces.append((cursor, piece_end, cursor == day_start and piece_end == day_end))
        cursor = piece_end
    return pieces


# Marks ----------------------------------------------------------------------------------


def _get_mark(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute(f"SELECT value FROM {MARKS_TABLE} WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _get_time_mark(conn: sqlite3.Connection, key: str) -> float | None:
    value = _get_mark(conn, key)
    return None if value is None else float(value)


def _set_mark(conn: sqlite3.Connection, key: str, value: object) -> None:
    conn.execute(
        f"INSERT OR REPLACE INTO {MARKS_TABLE} (key, value) VALUES (?, ?)", (key, str(value))
    )


def _delete_mark(conn: sqlite3.Connection, key: str) -> None:
    conn.execute(f"DELETE FROM {MARKS_TABLE} WHERE key = ?", (key,))


def rolled_until(connection: sqlite_utils.Database | sqlite3.Connection) -> float | None:
    """Return the end of the last local hour rolled up ("data up to"), None before the first."""
    return _get_time_mark(_connection(connection), MARK_ROLLED_UNTIL)


# Writing --------------------------------------------------------------------------------


def record_status_change(
    db: sqlite_utils.Database | sqlite3.Connection,
    target: str,
    since: float,
    at: float,
    status: str,
    reason: str,
) -> None:
    """Record that ``target`` has ``status`` from ``since`` on, replacing rows from ``since``.

    The status machine backdates some changes (down since the first failed
    cycle), so rows of the target with since >= ``since`` are deleted first.
    The mark "history.dirty_since" keeps the earliest time touched, from
    which :func:`maintain` rolls up again the hours it already rolled.
    """
    conn = _connection(db)
    conn.execute(
        f"DELETE FROM {STATUS_CHANGES_TABLE} WHERE target = ? AND since >= ?", (target, since)
    )
    conn.execute(
        f"INSERT INTO {STATUS_CHANGES_TABLE} (target, since, at, status, reason)"
        " VALUES (?, ?, ?, ?, ?)",
        (target, since, at, status, reason),
    )
    dirty = _get_time_mark(conn, MARK_DIRTY_SINCE)
    if dirty is None or since < dirty:
        _set_mark(conn, MARK_DIRTY_SINCE, repr(float(since)))


def _insert_rows(conn: sqlite3.Connection, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    placeholders = ", ".join("?" for _ in columns)
    conn.executemany(
        f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
        [tuple(row[column] for column in columns) for row in rows],
    )


class _Budget:
    """Rows one maintain() call may still read, move or delete."""

    def __init__(self, rows: int) -> None:
        self.left = rows

    def spend(self, rows: int) -> None:
        self.left -= rows

    @property
    def exhausted(self) -> bool:
        return self.left <= 0


@dataclass
class _Work:
    hours: int = 0
    days: int = 0
    read: int = 0
    packed: int = 0
    deleted: int = 0


def maintain(
    db: sqlite_utils.Database | sqlite3.Connection,
    *,
    intervals: Mapping[str, float],
    zone: tzinfo | str,
    now: float,
    settings: HistorySettings,
    max_rows: int = DEFAULT_MAX_ROWS,
    status_probes: Mapping[str, str] | None = None,
) -> MaintainReport:
    """Roll up closed hours and complete days, pack old raw hours and apply retention.

    Runs in the caller's transaction (the storage writer's). The work stops
    once about ``max_rows`` rows were read, moved or deleted. A target of an
    hour, a day or a packed target hour that was started is finished first,
    so one call may exceed ``max_rows``. Call again until ``done`` is true.
    ``intervals`` gives each target's probe interval in seconds and
    ``status_probes`` its status probe (ICMP when missing).
    """
    conn = _connection(db)
    tz = _zone(zone)
    budget = _Budget(max_rows)
    work = _Work()
    probes = status_probes or {}
    _apply_dirty_mark(conn, tz, now, settings)

    # NOTE: a result written later than this grace (a writer stalled for
    # minutes) reaches the archive but not the rollup of its hour, unless a
    # status change makes that hour roll up again.
    grace = COVERAGE_FACTOR * max(intervals.values(), default=FALLBACK_INTERVAL) + ROLLUP_DELAY
    hours_pending = _roll_hours(conn, intervals, probes, tz, now - grace, budget, work)
    days_pending = _roll_days(conn, tz, budget, work)
    pack_pending = _pack(conn, tz, now, budget, work)
    retention_pending = _apply_retention(conn, tz, now, settings, budget, work)
    return MaintainReport(
        hours_rolled=work.hours,
        days_rolled=work.days,
        rows_read=work.read,
        rows_packed=work.packed,
        rows_deleted=work.deleted,
        done=not (hours_pending or days_pending or pack_pending or retention_pending),
    )


def _apply_dirty_mark(
    conn: sqlite3.Connection, zone: tzinfo, now: float, settings: HistorySettings
) -> None:
    """Move the rollup cursors back to the hour that a backdated status change touched."""
    dirty = _get_time_mark(conn, MARK_DIRTY_SINCE)
    if dirty is None:
        return
    _delete_mark(conn, MARK_DIRTY_SINCE)
    rolled = _get_time_mark(conn, MARK_ROLLED_UNTIL)
    if rolled is None or dirty >= rolled + HOUR:
        return
    rolled_from = _get_time_mark(conn, MARK_ROLLED_FROM) or rolled
    # Hours whose raw data retention already deleted keep their rollups.
    oldest_raw_hour = hour_start(now - settings.raw_days * 86400, zone) + HOUR
    restart = max(min(rolled, hour_start(dirty, zone)), rolled_from, oldest_raw_hour)
    if restart > rolled:
        return
    _set_mark(conn, MARK_ROLLED_UNTIL, restart)
    _delete_mark(conn, MARK_ROLLING_TARGET)
    daily = _get_time_mark(conn, MARK_DAILY_UNTIL)
    day_start, _ = day_bounds(restart, zone)
    if daily is not None and daily > day_start:
        _set_mark(conn, MARK_DAILY_UNTIL, day_start)


def _earliest_raw(conn: sqlite3.Connection) -> float | None:
    found = [
        conn.execute(f"SELECT MIN(started) FROM {RESULTS_TABLE}").fetchone()[0],
        conn.execute(f"SELECT MIN(started) FROM {INTERFACES_TABLE}").fetchone()[0],
        conn.execute(f"SELECT MIN(start) FROM {RESULTS_ARCHIVE_TABLE}").fetchone()[0],
        conn.execute(f"SELECT MIN(start) FROM {INTERFACE_ARCHIVE_TABLE}").fetchone()[0],
    ]
    known = [value for value in found if value is not None]
    return min(known) if known else None


def _roll_hours(
    conn: sqlite3.Connection,
    intervals: Mapping[str, float],
    probes: Mapping[str, str],
    zone: tzinfo,
    closed_before: float,
    budget: _Budget,
    work: _Work,
) -> bool:
    """Roll up hours that ended before ``closed_before``; return True when some are left."""
    rolled = _get_time_mark(conn, MARK_ROLLED_UNTIL)
    if rolled is None:
        earliest = _earliest_raw(conn)
        if earliest is None:
            return False
        first = hour_start(earliest, zone)
        rolled = float(first)
        _set_mark(conn, MARK_ROLLED_FROM, first)
        _set_mark(conn, MARK_ROLLED_UNTIL, first)
        _set_mark(conn, MARK_DAILY_UNTIL, day_bounds(first, zone)[0])
    hour = int(rolled)
    while hour + HOUR <= closed_before:
        if budget.exhausted:
            return True
        if not _roll_hour_targets(conn, intervals, probes, hour, budget, work):
            return True
        hour += HOUR
        _set_mark(conn, MARK_ROLLED_UNTIL, hour)
        work.hours += 1
    return False


def _roll_hour_targets(
    conn: sqlite3.Connection,
    intervals: Mapping[str, float],
    probes: Mapping[str, str],
    hour: int,
    budget: _Budget,
    work: _Work,
) -> bool:
    """Roll up the targets of one hour not rolled yet; return True when the hour is complete."""
    end = hour + HOUR
    done_through = _get_mark(conn, MARK_ROLLING_TARGET)
    targets = sorted(set(intervals) | _targets_with_rows(conn, hour, end))
    if done_through is not None:
        targets = [name for name in targets if name > done_through]
    for target in targets:
        if budget.exhausted:
            return False
        totals, read, invalid = _compute_target(
            conn,
            target,
            probes.get(target, DEFAULT_STATUS_PROBE),
            intervals.get(target, FALLBACK_INTERVAL),
            hour,
            end,
        )
        if invalid:
            _log_invalid_values(target, invalid)
        service_rows = _roll_hour_services(
            conn, target, intervals.get(target, FALLBACK_INTERVAL), hour
        )
        interfaces, interface_rows = _compute_interfaces(conn, target, hour, end)
        # An interface that was down all hour and moved nothing gets no row
        # of its own. The target's row lists its polls, which the daily
        # rollup adds back.
        idle = [
            interface.idle_entry(if_index)
            for if_index, interface in sorted(interfaces.items())
            if not interface.active
        ]
        row = totals.to_row(target, hour)
        row["idle_interfaces"] = ",".join(idle)
        _insert_rows(conn, HISTORY_HOURLY_TABLE, [row])
        conn.execute(
            f"DELETE FROM {INTERFACE_HOURLY_TABLE} WHERE target = ? AND start = ?", (target, hour)
        )
        _insert_rows(
            conn,
            INTERFACE_HOURLY_TABLE,
            [
                interface.to_row(target, if_index, hour)
                for if_index, interface in interfaces.items()
                if interface.active
            ],
        )
        budget.spend(read + interface_rows + service_rows)
        work.read += read + interface_rows + service_rows
        _set_mark(conn, MARK_ROLLING_TARGET, target)
    _delete_mark(conn, MARK_ROLLING_TARGET)
    return True


def _roll_hour_services(conn: sqlite3.Connection, target: str, interval: float, hour: int) -> int:
    """Write the service rows of one target and hour, replacing older ones; return the rows read."""
    services, read = _compute_services(conn, target, interval, hour, hour + HOUR)
    conn.execute(
        f"DELETE FROM {SERVICE_HOURLY_TABLE} WHERE target = ? AND start = ?", (target, hour)
    )
    _insert_rows(
        conn,
        SERVICE_HOURLY_TABLE,
        [totals.to_row(target, probe, hour) for probe, totals in sorted(services.items())],
    )
    return read


def _log_invalid_values(target: str, rows: Sequence[RawResult]) -> None:
    """Log the malformed rows of one target and hour in one line, naming the first."""
    first = rows[0]
    logger.warning(
        "Malformed values_json ignored in the rollup: target=%s probe=%s started=%s"
        " values_json=%.80r (%d malformed rows in this hour); the rows count as samples",
        target,
        first.probe,
        first.started,
        first.invalid_values,
        len(rows),
    )


def _roll_days(conn: sqlite3.Connection, zone: tzinfo, budget: _Budget, work: _Work) -> bool:
    """Roll up the local days whose hours are all rolled; return True when some are left."""
    rolled = _get_time_mark(conn, MARK_ROLLED_UNTIL)
    daily = _get_time_mark(conn, MARK_DAILY_UNTIL)
    if rolled is None or daily is None:
        return False
    day_start = int(daily)
    while True:
        _, day_end = day_bounds(day_start, zone)
        if day_end > rolled:
            return False
        if budget.exhausted:
            return True
        read = _roll_day(conn, day_start, day_end)
        budget.spend(read)
        work.read += read
        work.days += 1
        _set_mark(conn, MARK_DAILY_UNTIL, day_end)
        day_start = day_end


def _roll_day(conn: sqlite3.Connection, day_start: int, day_end: int) -> int:
    """Write the daily rows of one local day from its hourly rows; return the rows read."""
    read = 0
    for target in _targets_of(conn, HISTORY_HOURLY_TABLE):
        read += _roll_target_day(conn, target, day_start, day_end)
    return read


def _roll_target_day(conn: sqlite3.Connection, target: str, day_start: int, day_end: int) -> int:
    hourly = _range_rows(conn, HISTORY_HOURLY_TABLE, target, day_start, day_end)
    interface_rows = _range_rows(conn, INTERFACE_HOURLY_TABLE, target, day_start, day_end)
    service_rows = _range_rows(conn, SERVICE_HOURLY_TABLE, target, day_start, day_end)
    for table in (HISTORY_DAILY_TABLE, INTERFACE_DAILY_TABLE, SERVICE_DAILY_TABLE):
        conn.execute(f"DELETE FROM {table} WHERE target = ? AND start = ?", (target, day_start))
    if not hourly and not interface_rows and not service_rows:
        return 0

    services: dict[str, _ServiceTotals] = {}
    for row in service_rows:
        services.setdefault(row["probe"], _ServiceTotals()).merge(_ServiceTotals.from_row(row))
    _insert_rows(
        conn,
        SERVICE_DAILY_TABLE,
        [totals.to_row(target, probe, day_start) for probe, totals in sorted(services.items())],
    )

    if hourly:
        totals = _TargetTotals()
        for row in hourly:
            totals.merge(_TargetTotals.from_row(row))
        _insert_rows(conn, HISTORY_DAILY_TABLE, [totals.to_row(target, day_start)])

    interfaces: dict[int, _InterfaceTotals] = {}
    for row in interface_rows:
        interfaces.setdefault(row["if_index"], _InterfaceTotals()).merge(
            _InterfaceTotals.from_row(row)
        )
    unnamed: set[int] = set()
    for row in hourly:
        for if_index, idle in _idle_interfaces(target, row):
            if if_index not in interfaces:
                unnamed.add(if_index)
            interfaces.setdefault(if_index, _InterfaceTotals()).merge(idle)
    if unnamed:
        _name_idle_interfaces(conn, target, day_start, day_end, {i: interfaces[i] for i in unnamed})
    _insert_rows(
        conn,
        INTERFACE_DAILY_TABLE,
        [interface.to_row(target, i, day_start) for i, interface in sorted(interfaces.items())],
    )
    return len(hourly) + len(interface_rows) + len(service_rows)


def _idle_interfaces(target: str, row: Mapping[str, Any]) -> list[tuple[int, _InterfaceTotals]]:
    """Parse the ``idle_interfaces`` text of an hourly row, logging and skipping bad entries."""
    entries = []
    for entry in filter(None, str(row.get("idle_interfaces") or "").split(",")):
        try:
            entries.append(_InterfaceTotals.from_idle_entry(entry))
        except ValueError:
            logger.warning(
                "Malformed idle interface entry ignored: target=%s start=%s entry=%r",
                target,
                row["start"],
                entry,
            )
    return entries


def _name_idle_interfaces(
    conn: sqlite3.Connection,
    target: str,
    day_start: int,
    day_end: int,
    interfaces: Mapping[int, _InterfaceTotals],
) -> None:
    """Name interfaces idle all day after their last raw row, else after the day before.

    The raw rows are there while the day is within raw retention, which is
    when days are rolled up. Without either source the name stays empty.
    """
    for if_index, record in _last_interface_rows_before(
        conn, target, day_end, set(interfaces)
    ).items():
        interfaces[if_index].if_name = record.if_name
        interfaces[if_index].speed_bps = record.speed_bps
    unnamed = [if_index for if_index, totals in interfaces.items() if not totals.if_name]
    if not unnamed:
        return
    previous_day = conn.execute(
        f"SELECT MAX(start) FROM {INTERFACE_DAILY_TABLE} WHERE target = ? AND start < ?",
        (target, day_start),
    ).fetchone()[0]
    if previous_day is None:
        return
    for if_index in unnamed:
        found = conn.execute(
            f"SELECT if_name, speed_bps FROM {INTERFACE_DAILY_TABLE}"
            " WHERE target = ? AND start = ? AND if_index = ?",
            (target, previous_day, if_index),
        ).fetchone()
        if found is not None:
            interfaces[if_index].if_name, interfaces[if_index].speed_bps = found


def _targets_of(conn: sqlite3.Connection, table: str) -> list[str]:
    """Return the targets of a table whose primary key starts with target, one seek each."""
    return [
        row[0]
        for row in conn.execute(
            f"WITH RECURSIVE names(target) AS (SELECT MIN(target) FROM {table}"
            f" UNION ALL SELECT (SELECT MIN(target) FROM {table} WHERE target > names.target)"
            " FROM names WHERE names.target IS NOT NULL)"
            " SELECT target FROM names WHERE target IS NOT NULL"
        )
    ]


def _range_rows(
    conn: sqlite3.Connection, table: str, target: str, low: float, high: float
) -> list[dict[str, Any]]:
    """Return one target's rollup rows that start in [low, high): one range of the primary key."""
    return _dict_rows(
        conn,
        f"SELECT * FROM {table} WHERE target = ? AND start >= ? AND start < ?",
        (target, low, high),
    )


def _dict_rows(
    conn: sqlite3.Connection, sql: str, parameters: Sequence[Any]
) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


# Packing --------------------------------------------------------------------------------


def _pack(conn: sqlite3.Connection, zone: tzinfo, now: float, budget: _Budget, work: _Work) -> bool:
    """Move raw hours older than PACK_AGE and already rolled up into the archive tables.

    Returns True when some are left.
    """
    rolled = _get_time_mark(conn, MARK_ROLLED_UNTIL)
    if rolled is None:
        return False
    limit = min(now - PACK_AGE, rolled)
    pending = False
    for table, packer in (
        (RESULTS_TABLE, _pack_result_hour),
        (INTERFACES_TABLE, _pack_interface_hour),
    ):
        while True:
            oldest = conn.execute(f"SELECT MIN(started) FROM {table}").fetchone()[0]
            if oldest is None:
                break
            hour = hour_start(oldest, zone)
            if hour + HOUR > limit:
                break
            if budget.exhausted:
                pending = True
                break
            if not packer(conn, hour, budget, work):
                pending = True
                break
    return pending


def _hot_targets(conn: sqlite3.Connection, table: str, start: float, end: float) -> list[str]:
    """Return the targets with rows in the hot ``table`` from ``start`` to ``end``, sorted."""
    query = (
        f"SELECT DISTINCT target FROM {table} WHERE started >= ? AND started < ? ORDER BY target"
    )
    return [row[0] for row in conn.execute(query, (start, end))]


def _pack_result_hour(conn: sqlite3.Connection, hour: int, budget: _Budget, work: _Work) -> bool:
    """Pack the targets of one hour of results; return True when the hour is packed."""
    end = hour + HOUR
    for target in _hot_targets(conn, RESULTS_TABLE, hour, end):
        if budget.exhausted:
            return False
        probes = [
            row[0]
            for row in conn.execute(
                f"SELECT DISTINCT probe FROM {RESULTS_TABLE} WHERE target = ?"
                " AND started >= ? AND started < ?",
                (target, hour, end),
            )
        ]
        moved = 0
        for probe in probes:
            rows = list(read_raw(conn, target, probe, hour, end))
            conn.execute(
                f"INSERT OR REPLACE INTO {RESULTS_ARCHIVE_TABLE}"
                " (target, probe, start, count, data) VALUES (?, ?, ?, ?, ?)",
                (target, probe, hour, len(rows), _pack_results(rows, hour)),
            )
            moved += len(rows)
        conn.execute(
            f"DELETE FROM {RESULTS_TABLE} WHERE target = ? AND started >= ? AND started < ?",
            (target, hour, end),
        )
        budget.spend(moved)
        work.packed += moved
    return True


def _pack_interface_hour(conn: sqlite3.Connection, hour: int, budget: _Budget, work: _Work) -> bool:
    """Pack the targets of one hour of interface rows; return True when the hour is packed."""
    end = hour + HOUR
    for target in _hot_targets(conn, INTERFACES_TABLE, hour, end):
        if budget.exhausted:
            return False
        rows = list(read_raw_interfaces(conn, target, hour, end))
        conn.execute(
            f"INSERT OR REPLACE INTO {INTERFACE_ARCHIVE_TABLE} (target, start, count, data)"
            " VALUES (?, ?, ?, ?)",
            (target, hour, len(rows), _pack_interfaces(rows, hour)),
        )
        conn.execute(
            f"DELETE FROM {INTERFACES_TABLE} WHERE target = ? AND started >= ? AND started < ?",
            (target, hour, end),
        )
        budget.spend(len(rows))
        work.packed += len(rows)
    return True


# Retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionCuts:
    """Times before which each level of the history is deleted (unix seconds).

    raw: now - raw_days days, for archived hours that ended by then, status
    changes (each target keeps its last row before the cut) and sent
    messages. hourly and daily: the start of the local calendar month
    ``hourly_months`` months (``daily_years`` years) before the current one,
    for rollup rows that start before it and incidents that ended before it.
    """

    raw: float
    hourly: int
    daily: int


def retention_cuts(now: float, zone: tzinfo | str, settings: HistorySettings) -> RetentionCuts:
    """Compute the retention cut of each level at ``now``."""
    return RetentionCuts(
        raw=now - settings.raw_days * 86400,
        hourly=month_start(now, zone, settings.hourly_months),
        daily=month_start(now, zone, settings.daily_years * 12),
    )


def _apply_retention(
    conn: sqlite3.Connection,
    zone: tzinfo,
    now: float,
    settings: HistorySettings,
    budget: _Budget,
    work: _Work,
) -> bool:
    """Delete rows past their retention in batches; return True when some are left."""
    cuts = retention_cuts(now, zone, settings)
    statements: list[tuple[str, tuple[Any, ...]]] = [
        (
            f"DELETE FROM {RESULTS_ARCHIVE_TABLE} WHERE rowid IN"
            f" (SELECT rowid FROM {RESULTS_ARCHIVE_TABLE} WHERE start <= ? LIMIT ?)",
            (cuts.raw - HOUR,),
        ),
        (
            f"DELETE FROM {INTERFACE_ARCHIVE_TABLE} WHERE rowid IN"
            f" (SELECT rowid FROM {INTERFACE_ARCHIVE_TABLE} WHERE start <= ? LIMIT ?)",
            (cuts.raw - HOUR,),
        ),
        (
            f"DELETE FROM {STATUS_CHANGES_TABLE} WHERE id IN (SELECT s.id FROM"
            f" {STATUS_CHANGES_TABLE} s WHERE s.since < ? AND s.since < (SELECT MAX(l.since)"
            f" FROM {STATUS_CHANGES_TABLE} l WHERE l.target = s.target AND l.since < ?) LIMIT ?)",
            (cuts.raw, cuts.raw),
        ),
        (
            f"DELETE FROM {OUTBOX_TABLE} WHERE message_id IN (SELECT id FROM {MESSAGES_TABLE}"
            " WHERE state = ? AND sent < ? LIMIT ?)",
            (_SENT_STATE, cuts.raw),
        ),
        (
            f"DELETE FROM {MESSAGES_TABLE} WHERE id IN (SELECT m.id FROM {MESSAGES_TABLE} m"
            f" WHERE m.state = ? AND m.sent < ? AND NOT EXISTS (SELECT 1 FROM {OUTBOX_TABLE} o"
            " WHERE o.message_id = m.id) LIMIT ?)",
            (_SENT_STATE, cuts.raw),
        ),
        (
            f"DELETE FROM {INCIDENTS_TABLE} WHERE id IN (SELECT id FROM {INCIDENTS_TABLE}"
            ' WHERE "end" IS NOT NULL AND "end" < ? LIMIT ?)',
            (cuts.daily,),
        ),
    ]
    for sql, parameters in statements:
        if _delete_in_batches(conn, sql, parameters, budget, work):
            return True
    for table, cut in (
        (HISTORY_HOURLY_TABLE, cuts.hourly),
        (INTERFACE_HOURLY_TABLE, cuts.hourly),
        (SERVICE_HOURLY_TABLE, cuts.hourly),
        (HISTORY_DAILY_TABLE, cuts.daily),
        (INTERFACE_DAILY_TABLE, cuts.daily),
        (SERVICE_DAILY_TABLE, cuts.daily),
    ):
        # The rollup tables have no index on start, so the rows go per
        # target, through the primary key.
        key = _ROLLUP_KEYS.get(table, "start")
        sql = (
            f"DELETE FROM {table} WHERE target = ? AND ({key}) IN"
            f" (SELECT {key} FROM {table} WHERE target = ? AND start < ? LIMIT ?)"
        )
        for target in _targets_of(conn, table):
            if _delete_in_batches(conn, sql, (target, target, cut), budget, work):
                return True
    return False


# Primary key columns after target of the rollup tables whose key has more than start.
_ROLLUP_KEYS = {
    INTERFACE_HOURLY_TABLE: "start, if_index",
    INTERFACE_DAILY_TABLE: "start, if_index",
    SERVICE_HOURLY_TABLE: "start, probe",
    SERVICE_DAILY_TABLE: "start, probe",
}


def _delete_in_batches(
    conn: sqlite3.Connection,
    sql: str,
    parameters: tuple[Any, ...],
    budget: _Budget,
    work: _Work,
) -> bool:
    """Repeat a DELETE ending in "LIMIT ?" until done; return True when the budget ran out."""
    while True:
        if budget.exhausted:
            return True
        limit = max(budget.left, 1)
        deleted = conn.execute(sql, (*parameters, limit)).rowcount
        budget.spend(deleted)
        work.deleted += deleted
        if deleted < limit:
            return False


# Reading --------------------------------------------------------------------------------


def _check_aligned(start: float, end: float, zone: tzinfo) -> None:
    if end < start:
        raise ValueError(f"period end {end} is before its start {start}")
    for moment in (start, end):
        if hour_start(moment, zone) != moment:
            raise ValueError(f"period bound {moment} is not the start of a local hour")


def _rows_by_piece(
    conn: sqlite3.Connection,
    tables: tuple[str, str],
    pieces: Sequence[tuple[float, float, bool]],
    daily_until: float | None,
) -> list[list[dict[str, Any]]]:
    """Return the rollup rows of each piece of a period, from the daily or the hourly table.

    A whole day comes from the daily table once it is rolled up. Each run
    of pieces with the same table is read per target, as one range of the
    primary key, because the rollup tables have no index on start.
    """
    hourly, daily = tables
    runs: list[tuple[str, list[int]]] = []
    for position, (_, high, whole_day) in enumerate(pieces):
        table = daily if whole_day and daily_until is not None and high <= daily_until else hourly
        if runs and runs[-1][0] == table:
            runs[-1][1].append(position)
        else:
            runs.append((table, [position]))
    found: list[list[dict[str, Any]]] = [[] for _ in pieces]
    used = {table for table, _ in runs}
    targets = sorted({name for table in used for name in _targets_of(conn, table)})
    for table, positions in runs:
        lows = [pieces[position][0] for position in positions]
        low, high = lows[0], pieces[positions[-1]][1]
        for target in targets:
            for row in _range_rows(conn, table, target, low, high):
                found[positions[bisect.bisect_right(lows, row["start"]) - 1]].append(row)
    return found


def target_periods(
    connection: sqlite_utils.Database | sqlite3.Connection,
    start: float,
    end: float,
    zone: tzinfo | str,
    *,
    by_day: bool = False,
) -> dict[str, TargetPeriod] | dict[str, list[TargetPeriod]]:
    """Return each target's TargetPeriod of [start, end) from the rollups.

    Whole local days come from the daily rows once their day is rolled up,
    the rest from hourly rows. ``start`` and ``end`` must be local hour
    starts (ValueError otherwise). Time without a rollup row, such as hours
    not rolled up yet, counts as unknown. With ``by_day`` each target gets
    one TargetPeriod per local day (the first and last may be partial).
    """
    conn = _connection(connection)
    tz = _zone(zone)
    _check_aligned(start, end, tz)
    daily_until = _get_time_mark(conn, MARK_DAILY_UNTIL)
    pieces = _day_pieces(start, end, tz)
    tables = (HISTORY_HOURLY_TABLE, HISTORY_DAILY_TABLE)
    per_piece = _totals_per_piece(
        conn, tables, pieces, daily_until, lambda row: row["target"], _TargetTotals
    )
    if by_day:
        return {
            target: [
                totals.get(target, _TargetTotals()).to_period(target, low, high)
                for (low, high, _), totals in zip(pieces, per_piece, strict=True)
            ]
            for target in _keys(per_piece)
        }
    merged = _merge_pieces(per_piece, _TargetTotals)
    return {target: totals.to_period(target, start, end) for target, totals in merged.items()}


def interface_periods(
    connection: sqlite_utils.Database | sqlite3.Connection,
    start: float,
    end: float,
    zone: tzinfo | str,
    *,
    by_day: bool = False,
) -> dict[tuple[str, int], InterfacePeriod] | dict[tuple[str, int], list[InterfacePeriod]]:
    """Return each interface's InterfacePeriod of [start, end), keyed (target, if_index).

    The same rules as :func:`target_periods`. With ``by_day`` a day without
    rows gives a period with no samples.
    """
    conn = _connection(connection)
    tz = _zone(zone)
    _check_aligned(start, end, tz)
    daily_until = _get_time_mark(conn, MARK_DAILY_UNTIL)
    pieces = _day_pieces(start, end, tz)
    tables = (INTERFACE_HOURLY_TABLE, INTERFACE_DAILY_TABLE)
    per_piece = _totals_per_piece(
        conn,
        tables,
        pieces,
        daily_until,
        lambda row: (row["target"], row["if_index"]),
        _InterfaceTotals,
        start_empty=True,
    )
    if by_day:
        return {
            key: [
                _day_interface(totals, key, per_piece).to_period(*key, low, high)
                for (low, high, _), totals in zip(pieces, per_piece, strict=True)
            ]
            for key in _keys(per_piece)
        }
    merged = _merge_pieces(per_piece, _InterfaceTotals)
    return {key: totals.to_period(*key, start, end) for key, totals in merged.items()}


def service_periods(
    connection: sqlite_utils.Database | sqlite3.Connection,
    start: float,
    end: float,
    zone: tzinfo | str,
    *,
    by_day: bool = False,
) -> dict[tuple[str, str], ServicePeriod] | dict[tuple[str, str], list[ServicePeriod]]:
    """Return each service check's ServicePeriod of [start, end), keyed (target, probe).

    The same rules as :func:`target_periods`. With ``by_day`` a day without
    rows gives a period with no checks.
    """
    conn = _connection(connection)
    tz = _zone(zone)
    _check_aligned(start, end, tz)
    daily_until = _get_time_mark(conn, MARK_DAILY_UNTIL)
    pieces = _day_pieces(start, end, tz)
    tables = (SERVICE_HOURLY_TABLE, SERVICE_DAILY_TABLE)
    per_piece = _totals_per_piece(
        conn,
        tables,
        pieces,
        daily_until,
        lambda row: (row["target"], row["probe"]),
        _ServiceTotals,
        start_empty=True,
    )
    if by_day:
        return {
            key: [
                totals.get(key, _ServiceTotals()).to_period(*key, low, high)
                for (low, high, _), totals in zip(pieces, per_piece, strict=True)
            ]
            for key in _keys(per_piece)
        }
    merged = _merge_pieces(per_piece, _ServiceTotals)
    return {key: totals.to_period(*key, start, end) for key, totals in merged.items()}


def _totals_per_piece(
    conn: sqlite3.Connection,
    tables: tuple[str, str],
    pieces: Sequence[tuple[float, float, bool]],
    daily_until: float | None,
    key_of: Callable[[dict[str, Any]], Any],
    kind: Any,
    *,
    start_empty: bool = False,
) -> list[dict[Any, Any]]:
    """Sum the rollup rows of each piece of a period into totals per key.

    ``kind`` is a totals class with ``from_row`` and ``merge``. With
    ``start_empty`` the first row of a key is merged into empty totals, as
    the interface and service totals need; else it becomes the totals.
    """
    per_piece: list[dict[Any, Any]] = []
    for rows in _rows_by_piece(conn, tables, pieces, daily_until):
        totals: dict[Any, Any] = {}
        for row in rows:
            key = key_of(row)
            found = kind.from_row(row)
            if key in totals:
                totals[key].merge(found)
            elif start_empty:
                totals[key] = kind()
                totals[key].merge(found)
            else:
                totals[key] = found
        per_piece.append(totals)
    return per_piece


def _keys(per_piece: Sequence[Mapping[Any, Any]]) -> list[Any]:
    return sorted({key for totals in per_piece for key in totals})


def _merge_pieces(per_piece: Sequence[Mapping[Any, Any]], kind: Any) -> dict[Any, Any]:
    """Merge each key's totals over every piece, keys in sorted order."""
    merged: dict[Any, Any] = {}
    for key in _keys(per_piece):
        merged[key] = kind()
        for totals in per_piece:
            if key in totals:
                merged[key].merge(totals[key])
    return merged


def _day_interface(
    totals: Mapping[tuple[str, int], _InterfaceTotals],
    key: tuple[str, int],
    per_piece: Sequence[Mapping[tuple[str, int], _InterfaceTotals]],
) -> _InterfaceTotals:
    """Return the day's totals, or empty ones named after the interface's last known name."""
    if key in totals:
        return totals[key]
    named = _InterfaceTotals()
    for other in per_piece:
        if key in other:
            named.merge(
                _InterfaceTotals(
                    if_name=other[key].if_name,
                    speed_bps=other[key].speed_bps,
                    last_seen=other[key].last_seen,
                )
            )
    return named


def incidents(
    connection: sqlite_utils.Database | sqlite3.Connection,
    start: float,
    end: float,
    now: float,
) -> list[IncidentPart]:
    """Return the parts of incidents inside [start, min(end, now)), oldest first.

    An incident that spans a period bound is clipped to it. ``ended`` is
    true when it ended inside the period, as MTTR needs.
    """
    conn = _connection(connection)
    high = min(end, now)
    parts: list[IncidentPart] = []
    for incident_id, target, network, group, status, cause, began, finished in conn.execute(
        f'SELECT id, target, network, group_name, status, cause, start, "end"'
        f' FROM {INCIDENTS_TABLE} WHERE start < ? AND ("end" IS NULL OR "end" > ?)'
        " ORDER BY start, id",
        (high, start),
    ):
        part_start = max(start, began)
        part_end = high if finished is None else min(high, finished)
        if part_end <= part_start:
            continue
        ended = finished is not None and finished <= high
        parts.append(
            IncidentPart(
                target=target,
                status=status,
                cause=cause,
                start=part_start,
                end=part_end,
                ended=ended,
                incident_id=incident_id,
                network=network,
                group=group,
            )
        )
    return parts
