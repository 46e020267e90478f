"""Probe results in SQLite, written by one background thread through sqlite-utils.

The event loop calls :meth:`Storage.put`, which only appends the result to a
bounded in-memory queue. One writer thread inserts up to ``batch_size``
queued results in one transaction. A batch that fails (database locked, disk
full, I/O error) stays at the head of the queue and is retried with
exponential backoff until it is committed, so every result is committed once
or is still queued. Results are lost in two cases only: put() drops a result
when the queue is full (counted in ``StorageStats.dropped``), and close()
abandons the queue when its timeout runs out (logged).

The schema version is kept in ``PRAGMA user_version`` (see MIGRATIONS):
1 the raw results, 2 the interface rows of SNMP polls, 3 statuses,
incidents, alert delivery and maintenance windows, 4 the history (status
changes, hourly and daily rollups, the packed raw archive; monitor.history
reads and writes them), 5 the hourly and daily rollups of the service checks
(tcp, http, tls, dns). The raw results::

    results(id INTEGER PRIMARY KEY, target TEXT, probe TEXT, started REAL,
            duration REAL, success INTEGER, reason TEXT, values_json TEXT,
            message TEXT)
    INDEX results_target_probe_started ON results(target, probe, started)

``started`` is unix seconds and ``duration`` is seconds. ``values_json`` is
the compact JSON object of ``ProbeResult.values``. Integers stay integers,
so a Counter64 reading keeps every digit. JSON has no NaN or infinity, so a
non-finite reading is stored as ``null`` and :func:`decode_values` returns
it as None. Probes do not produce non-finite readings.

Example::

    storage = Storage(Path("pantau.db"))
    storage.open()
    storage.start()
    storage.put(result)
    storage.close()
"""

from __future__ import annotations

import dataclasses
import errno
import itertools
import json
import logging
import math
import numbers
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from monitor.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from probes.base import ProbeResult

logger = logging.getLogger(__name__)

# Seconds that a statement waits for another connection's write lock before
# it fails with SQLITE_BUSY.
DEFAULT_BUSY_TIMEOUT = 5.0
# Backoff between two attempts to write a failed batch, in seconds. It doubles
# after each failure up to the maximum.
RETRY_INITIAL_DELAY = 0.05
RETRY_MAX_DELAY = 5.0
# Minimum seconds between two log lines about the same repeated problem: a
# full queue, or a batch that keeps failing for the same cause.
LOG_REPEAT_INTERVAL = 60.0

RESULTS_TABLE = "results"
RESULTS_INDEX = "results_target_probe_started"
INTERFACES_TABLE = "interface_results"
INTERFACES_INDEX = "interface_results_target_if_index_started"
# Key of a queued row that names its table; absent means RESULTS_TABLE.
_TABLE_KEY = "__table__"
# Key of a queued item that is an operation (see Storage.submit), not a row.
_OP_KEY = "__op__"


@dataclass(frozen=True, slots=True)
class InterfaceRecord:
    """One interface of one SNMP poll, as the readiness history keeps it.

    Rates are bytes per second between this poll and the previous one, and
    None with ``rate_missing_reason`` set when no honest rate exists (first
    poll, reboot, counter reset). Error and discard counters are raw.
    """

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
    rate_missing_reason: str = ""


_HINT_PERMISSION = "storage.hint.permission"
_HINT_DISK_FULL = "storage.hint.disk_full"
_HINT_NOT_A_DATABASE = "storage.hint.not_a_database"
_HINT_LOCKED = "storage.hint.locked"
_HINT_IO_ERROR = "storage.hint.io_error"
_HINT_UNKNOWN = "storage.hint.unknown"


class StorageError(Exception):
    """Failure to open the database, with a message that names the file, the cause and the fix.

    ``key`` and ``params`` select a message in the monitor.i18n catalogue, and
    :meth:`message` formats it in one language. ``str()`` returns the
    Indonesian text and then the English text, for callers that do not know
    the configured language.
    """

    def __init__(self, key: str, *, hint_key: str | None = None, **params: object) -> None:
        self.key = key
        self.hint_key = hint_key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Format the error in ``language`` ("id" or "en")."""
        params = dict(self.params)
        if self.hint_key is not None:
            params["hint"] = translate(self.hint_key, language)
        return translate(self.key, language, **params)

    def __str__(self) -> str:
        return "\n".join(self.message(language) for language in LANGUAGES)


@dataclass(frozen=True, slots=True)
class StorageStats:
    """Counters of one Storage since it was created.

    ``write_errors`` counts failed attempts to write a batch, and ``retries``
    counts the attempts that repeated a failed batch. ``dropped`` counts the
    results that put() discarded because the queue was full or the storage was
    closing. ``queue_depth`` includes the batch that is being written.
    ``last_commit_time`` is in unix seconds, and None before the first commit.
    """

    rows_written: int
    batches_written: int
    write_errors: int
    retries: int
    dropped: int
    queue_depth: int
    last_commit_time: float | None


def encode_values(values: Mapping[str, float]) -> str:
    """Encode probe readings as a compact JSON object, storing a non-finite float as null.

    Raises TypeError for a reading that is not a real number.
    """
    readings: dict[str, int | float | None] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            readings[name] = int(value)
        elif isinstance(value, int):
            readings[name] = value
        elif isinstance(value, numbers.Real):
            number = float(value)
            readings[name] = number if math.isfinite(number) else None
        else:
            raise TypeError(
                f"probe reading {name!r} is a {type(value).__name__}, expected a real number"
            )
    # ensure_ascii escapes lone surrogates in names, which UTF-8 cannot encode.
    return json.dumps(readings, separators=(",", ":"), allow_nan=False)


def decode_values(text: str) -> dict[str, int | float | None]:
    """Decode a ``values_json`` column. A reading stored as null comes back as None."""
    readings: dict[str, int | float | None] = json.loads(text)
    return readings


def connect_readonly(
    path: Path | str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
) -> sqlite_utils.Database:
    """Open the database read-only, for readers such as reports and tests.

    A database in WAL mode needs its -shm file beside it even to read. In a
    folder nobody can write (a copy on a read-only backup disk), no writer
    can exist either, so the file is then opened as immutable.
    Raises StorageError when the file does not exist or is not a database.
    """
    path = Path(path)
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        connection = _open_checked(uri, busy_timeout)
    except sqlite3.Error as error:
        name = getattr(error, "sqlite_errorname", None) or ""
        unwritable = path.is_file() and not os.access(path.parent, os.W_OK)
        if not (name.startswith("SQLITE_CANTOPEN") and unwritable):
            raise _open_error(path, error) from error
        try:
            connection = _open_checked(uri + "&immutable=1", busy_timeout)
        except sqlite3.Error as retried:
            raise _open_error(path, retried) from retried
    return sqlite_utils.Database(connection, recursive_triggers=False, execute_plugins=False)


def _open_checked(uri: str, busy_timeout: float) -> sqlite3.Connection:
    connection = sqlite3.connect(uri, uri=True, timeout=busy_timeout)
    try:
        # Reading the header here reports a file that is not a database now,
        # not at the caller's first query.
        connection.execute("PRAGMA schema_version").fetchone()
    except sqlite3.Error:
        connection.close()
        raise
    return connection


class Storage:
    """Store of every probe result, with one writer thread and a bounded queue.

    Call open() on the thread that starts the daemon, then start(), then put()
    from the event loop, and close() at shutdown. A Storage is opened and
    started at most once.
    """

    def __init__(
        self,
        path: Path,
        *,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        queue_limit: int = 100_000,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if flush_interval <= 0:
            raise ValueError(f"flush_interval must be positive, got {flush_interval}")
        if queue_limit < 1:
            raise ValueError(f"queue_limit must be at least 1, got {queue_limit}")
        if busy_timeout < 0:
            raise ValueError(f"busy_timeout must not be negative, got {busy_timeout}")

        self.path = Path(path)
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._queue_limit = queue_limit
        self._busy_timeout = busy_timeout
        self._db: sqlite_utils.Database | None = None
        self._thread: threading.Thread | None = None

        # One lock guards the queue, the sequence numbers, the flags and the
        # counters. No thread holds it during SQLite calls, so put() never
        # waits for the disk.
        self._lock = threading.Lock()
        self._work_ready = threading.Condition(self._lock)
        self._committed = threading.Condition(self._lock)
        # Queued rows with their sequence numbers. The writer removes a batch
        # only after its commit, so a failed batch stays at the head.
        self._queue: deque[tuple[int, dict[str, Any]]] = deque()
        self._last_sequence = 0
        self._committed_sequence = 0
        self._flush_requests = 0
        # Sequence number of the last queued operation, which is written
        # without waiting for flush_interval.
        self._urgent_sequence = 0
        self._closing = False
        self._stopping = False
        self._abandon = False

        self._rows_written = 0
        self._batches_written = 0
        self._write_errors = 0
        self._retries = 0
        self._dropped = 0
        self._last_commit_time: float | None = None
        self._drops_since_log = 0
        self._last_drop_log = -math.inf

        # Failure streak of the writer thread, used only by that thread.
        self._failed_attempts = 0
        self._last_failure_log = -math.inf
        self._last_failure_hint: str | None = None

    # Opening and the schema

    def open(self) -> None:
        """Open the database and create or migrate its schema, on the calling thread.

        Raises StorageError naming the file, the cause and the fix when the
        directory is missing, the file cannot be opened or written, the disk
        is full, the file is not a database, or its schema is newer than
        this code.
        """
        if self._db is not None:
            raise RuntimeError("Storage.open() was already called")
        directory = self.path.parent
        if not directory.is_dir():
            raise StorageError("storage.directory_missing", directory=directory)

        connection: sqlite3.Connection | None = None
        try:
            # The writer thread takes this connection over in start(). Only
            # one thread uses it at a time, so check_same_thread can be off.
            connection = sqlite3.connect(
                self.path, timeout=self._busy_timeout, check_same_thread=False
            )
            db = sqlite_utils.Database(connection, recursive_triggers=False, execute_plugins=False)
            self._configure(connection)
            self._migrate(db)
        except sqlite3.Error as error:
            if connection is not None:
                connection.close()
            raise _open_error(self.path, error) from error
        except StorageError:
            if connection is not None:
                connection.close()
            raise
        self._db = db

    def _configure(self, connection: sqlite3.Connection) -> None:
        journal_mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(journal_mode).lower() != "wal":
            raise StorageError("storage.wal_unavailable", path=self.path, mode=journal_mode)
        # In WAL mode, synchronous=NORMAL syncs the WAL only at checkpoints, so
        # a commit may sit in the operating system's page cache. That survives
        # kill -9 of this process but not a power loss or kernel crash, after
        # which the last commits roll back (SQLite documentation of PRAGMA
        # synchronous). FULL syncs the WAL at every commit, so a result that
        # flush() reported as committed is on disk.
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(f"PRAGMA busy_timeout={round(self._busy_timeout * 1000)}")

    def _migrate(self, db: sqlite_utils.Database) -> None:
        connection = db.conn
        # The write lock makes the version check and the migration atomic
        # when two processes open the same file at once.
        connection.execute("BEGIN IMMEDIATE")
        try:
            found = connection.execute("PRAGMA user_version").fetchone()[0]
            if found > SCHEMA_VERSION:
                raise StorageError(
                    "storage.schema_newer",
                    path=self.path,
                    found=found,
                    supported=SCHEMA_VERSION,
                )
            for migration in MIGRATIONS[found:]:
                migration(db)
            connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.rollback()
            raise
        if found < SCHEMA_VERSION:
            logger.info(
                "Database schema migrated: path=%s from_version=%d to_version=%d",
                self.path,
                found,
                SCHEMA_VERSION,
            )

    # The queue, used from the event loop

    def put(self, result: ProbeResult) -> None:
        """Queue ``result`` for the writer without waiting, or count a drop when the queue is full.

        Raises TypeError when a reading in ``result.values`` is not a real
        number, because that is a bug in the probe.
        """
        self._enqueue(_to_row(result))

    def put_interfaces(self, rows: Iterable[InterfaceRecord]) -> None:
        """Queue per-interface readings of one SNMP poll, like ``put``."""
        for record in rows:
            self._enqueue({_TABLE_KEY: INTERFACES_TABLE, **dataclasses.asdict(record)})

    def submit(
        self,
        operation: Callable[[sqlite_utils.Database], Any],
        *,
        urgent: bool = True,
        essential: bool = False,
    ) -> Future[Any]:
        """Queue ``operation`` to run on the writer thread; return a future of its result.

        The operation runs inside the transaction of the batch that contains it,
        in queue order with the rows put before and after it, so it may read
        and write any table. The future is resolved only after that
        transaction commits, so a caller that waits for it knows the change
        is on disk. A database error retries the whole batch, operation
        included, so an operation must be safe to run again. Any other
        exception is a bug in the operation: it is logged and set on the
        future, and the rest of the batch is written without it. When the
        queue is full or the storage is closing, the future fails at once
        with StorageError. An urgent operation is written at once; any other
        waits for the next batch, like a result. An essential operation (an
        alert, a status change) is queued even when the queue is full, so
        only closing refuses it: such operations are few, and losing one
        loses an alert.
        """
        future: Future[Any] = Future()
        row = {_OP_KEY: (operation, future)}
        if not self._enqueue(row, urgent=urgent, essential=essential):
            future.set_exception(StorageError("storage.not_accepting"))
        return future

    def _enqueue(
        self, row: dict[str, Any], *, urgent: bool = False, essential: bool = False
    ) -> bool:
        drop_reason = ""
        drops_to_log = 0
        with self._lock:
            if self._closing:
                drop_reason = "storage is closing"
            elif len(self._queue) >= self._queue_limit and not essential:
                drop_reason = "queue is full"
            else:
                self._last_sequence += 1
                self._queue.append((self._last_sequence, row))
                if urgent:
                    self._urgent_sequence = self._last_sequence
                if urgent or len(self._queue) in (1, self._batch_size):
                    self._work_ready.notify()
                return True

            self._dropped += 1
            self._drops_since_log += 1
            now = time.monotonic()
            if now - self._last_drop_log >= LOG_REPEAT_INTERVAL:
                self._last_drop_log = now
                drops_to_log = self._drops_since_log
                self._drops_since_log = 0

        if drops_to_log:
            logger.warning(
                "Dropped probe results because the %s: path=%s dropped=%d queue_limit=%d",
                drop_reason,
                self.path,
                drops_to_log,
                self._queue_limit,
            )
        return False

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every result queued before this call is committed.

        Returns False when ``timeout`` seconds pass first, or at once when the
        writer thread is not running.
        """
        with self._lock:
            target = self._last_sequence
            if self._committed_sequence >= target:
                return True
            if self._thread is None or not self._thread.is_alive():
                return False
            self._flush_requests += 1
            self._work_ready.notify()
            try:
                return self._committed.wait_for(lambda: self._committed_sequence >= target, timeout)
            finally:
                self._flush_requests -= 1

    def stats(self) -> StorageStats:
        """Return a snapshot of the counters."""
        with self._lock:
            return StorageStats(
                rows_written=self._rows_written,
                batches_written=self._batches_written,
                write_errors=self._write_errors,
                retries=self._retries,
                dropped=self._dropped,
                queue_depth=len(self._queue),
                last_commit_time=self._last_commit_time,
            )

    # Writer thread lifecycle

    def start(self) -> None:
        """Start the writer thread, which owns the database connection from now on."""
        if self._db is None:
            raise RuntimeError("Storage.open() must succeed before start()")
        if self._thread is not None:
            raise RuntimeError("Storage.start() was already called")
        # A daemon thread, so that a process that exits without close() is
        # not held up by a writer that keeps retrying. close() is the orderly
        # way to stop, and it waits for the queue.
        self._thread = threading.Thread(target=self._run, name="pantau-storage", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Flush the queue, then stop the writer and close the database.

        Results still queued when ``timeout`` seconds have passed are not
        written, and an error log line reports their number. Calling close()
        again does nothing.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            if self._closing:
                return
            self._closing = True

        flushed = self.flush(timeout)
        with self._lock:
            self._stopping = True
            self._abandon = not flushed
            unwritten = len(self._queue)
            self._work_ready.notify()
        if unwritten:
            logger.error(
                "Storage closed before every result was written: path=%s unwritten=%d",
                self.path,
                unwritten,
            )

        thread = self._thread
        if thread is None:
            if self._db is not None:
                self._db.close()
            return
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            logger.error(
                "Storage writer thread did not stop within the timeout: path=%s timeout=%s",
                self.path,
                timeout,
            )

    def _run(self) -> None:
        logger.info("Storage writer started: path=%s", self.path)
        try:
            while (batch := self._take_batch()) is not None:
                self._write_with_retry(batch)
        except Exception:
            logger.exception("Storage writer stopped by an unexpected error: path=%s", self.path)
        finally:
            assert self._db is not None
            try:
                self._db.close()
            except sqlite3.Error as error:
                logger.error(
                    "Closing the database failed: path=%s error=%s", self.path, _describe(error)
                )
            logger.info("Storage writer stopped: path=%s", self.path)

    # Writer thread: batching and retries

    def _take_batch(self) -> list[tuple[int, dict[str, Any]]] | None:
        """Wait until a batch is due and return it, still queued, or None when the writer stops.

        A batch is due when ``batch_size`` results are queued, when the oldest
        result the writer has seen waited ``flush_interval`` seconds, or when
        flush() or close() waits for it.
        """
        deadline: float | None = None
        with self._lock:
            while True:
                if self._abandon or (self._stopping and not self._queue):
                    return None
                size = len(self._queue)
                if size >= self._batch_size:
                    break
                if size and (self._flush_requests or self._stopping):
                    break
                if self._urgent_sequence > self._committed_sequence:
                    break
                if not size:
                    self._work_ready.wait()
                    continue
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self._flush_interval
                if now >= deadline:
                    break
                self._work_ready.wait(deadline - now)
            return list(itertools.islice(self._queue, self._batch_size))

    def _write_with_retry(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        delay = RETRY_INITIAL_DELAY
        while True:
            try:
                outcomes = self._insert([row for _, row in batch])
            # Any failure is retried, because dropping the batch would lose
            # results. put() validates rows, so the causes left are those of
            # the database and the disk, which an operator can fix.
            except Exception as error:
                self._report_failure(error)
                if not self._wait_before_retry(delay):
                    return
                delay = min(delay * 2, RETRY_MAX_DELAY)
                with self._lock:
                    self._retries += 1
                continue
            self._mark_committed(batch)
            for future, succeeded, value in outcomes:
                if future.set_running_or_notify_cancel():
                    if succeeded:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
            return

    def _insert(self, rows: list[dict[str, Any]]) -> list[tuple[Future[Any], bool, Any]]:
        """Write one batch in one transaction; return each operation's outcome.

        Rows between two operations are inserted per table before the
        operation runs, so an operation reads every row queued before it.
        """
        assert self._db is not None
        connection = self._db.conn
        outcomes: list[tuple[Future[Any], bool, Any]] = []
        # BEGIN IMMEDIATE takes the write lock before the first insert. A
        # locked database then fails here after busy_timeout, and the upgrade
        # of a read snapshot to a write lock cannot fail with
        # SQLITE_BUSY_SNAPSHOT halfway through the batch.
        connection.execute("BEGIN IMMEDIATE")
        try:
            by_table: dict[str, list[dict[str, Any]]] = {}
            for row in rows:
                if _OP_KEY in row:
                    self._insert_rows(by_table)
                    by_table = {}
                    outcomes.append(self._run_operation(*row[_OP_KEY]))
                    continue
                table = row.get(_TABLE_KEY, RESULTS_TABLE)
                by_table.setdefault(table, []).append(
                    {key: value for key, value in row.items() if key != _TABLE_KEY}
                )
            self._insert_rows(by_table)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.rollback()
            raise
        return outcomes

    def _insert_rows(self, by_table: dict[str, list[dict[str, Any]]]) -> None:
        assert self._db is not None
        for table, table_rows in by_table.items():
            self._db.table(table).insert_all(table_rows, batch_size=len(table_rows))

    def _run_operation(
        self, operation: Callable[[sqlite_utils.Database], Any], future: Future[Any]
    ) -> tuple[Future[Any], bool, Any]:
        assert self._db is not None
        connection = self._db.conn
        connection.execute("SAVEPOINT pantau_operation")
        try:
            value = operation(self._db)
        except _OPERATION_FAULTS as error:
            # A constraint or a misuse fails the same way on every retry, so it
            # is the operation's fault, like any other exception below.
            connection.execute("ROLLBACK TO pantau_operation")
            connection.execute("RELEASE pantau_operation")
            logger.error("Storage operation failed: path=%s error=%s", self.path, _describe(error))
            return future, False, error
        except sqlite3.Error:
            raise  # the database's fault (busy, full, I/O): the batch is retried
        except Exception as error:
            # A bug in the operation: undo its writes and keep the batch.
            connection.execute("ROLLBACK TO pantau_operation")
            connection.execute("RELEASE pantau_operation")
            logger.exception("Storage operation failed: path=%s", self.path)
            return future, False, error
        connection.execute("RELEASE pantau_operation")
        return future, True, value

    def _mark_committed(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        with self._lock:
            for _ in batch:
                self._queue.popleft()
            self._committed_sequence = batch[-1][0]
            self._rows_written += len(batch)
            self._batches_written += 1
            self._last_commit_time = time.time()
            self._committed.notify_all()

        if self._failed_attempts:
            logger.info(
                "Database write succeeded again: path=%s failed_attempts=%d",
                self.path,
                self._failed_attempts,
            )
            self._failed_attempts = 0
            self._last_failure_log = -math.inf
            self._last_failure_hint = None

    def _report_failure(self, error: Exception) -> None:
        """Count a failed write and log it once per cause, repeating at most every minute."""
        with self._lock:
            self._write_errors += 1
            queued = len(self._queue)
        self._failed_attempts += 1

        hint_key = _classify(error)
        now = time.monotonic()
        repeat_due = now - self._last_failure_log >= LOG_REPEAT_INTERVAL
        if hint_key == self._last_failure_hint and not repeat_due:
            return
        self._last_failure_log = now
        self._last_failure_hint = hint_key
        # A lock held by another process usually ends by itself, while the
        # other causes need an operator.
        level = logging.WARNING if hint_key == _HINT_LOCKED else logging.ERROR
        logger.log(
            level,
            "Database write failed, results stay queued and the write is retried: "
            "path=%s error=%s failed_attempts=%d queued=%d. %s",
            self.path,
            _describe(error),
            self._failed_attempts,
            queued,
            translate(hint_key, "en"),
        )

    def _wait_before_retry(self, delay: float) -> bool:
        """Sleep ``delay`` seconds, or less when close() gives up. Return False to give up."""
        with self._lock:
            self._work_ready.wait_for(lambda: self._abandon, timeout=delay)
            return not self._abandon


def _create_results_table(db: sqlite_utils.Database) -> None:
    table = db.table(RESULTS_TABLE)
    table.create(
        {
            "id": int,
            "target": str,
            "probe": str,
            "started": float,
            "duration": float,
            "success": int,
            "reason": str,
            "values_json": str,
            "message": str,
        },
        pk="id",
        not_null=[
            "target",
            "probe",
            "started",
            "duration",
            "success",
            "reason",
            "values_json",
            "message",
        ],
    )
    table.create_index(["target", "probe", "started"], index_name=RESULTS_INDEX)


def _create_interfaces_table(db: sqlite_utils.Database) -> None:
    table = db.table(INTERFACES_TABLE)
    assert isinstance(table, sqlite_utils.db.Table)
    table.create(
        {
            "id": int,
            "target": str,
            "started": float,
            "if_index": int,
            "if_name": str,
            "oper_status": int,
            "speed_bps": float,
            "receive_bytes_per_second": float,
            "transmit_bytes_per_second": float,
            "receive_utilisation": float,
            "transmit_utilisation": float,
            "receive_errors": int,
            "transmit_errors": int,
            "receive_discards": int,
            "transmit_discards": int,
            "rate_missing_reason": str,
        },
        pk="id",
        not_null=["target", "started", "if_index", "if_name", "rate_missing_reason"],
    )
    table.create_index(["target", "if_index", "started"], index_name=INTERFACES_INDEX)


TARGET_STATE_TABLE = "target_state"
INCIDENTS_TABLE = "incidents"
OUTBOX_TABLE = "outbox"
MESSAGES_TABLE = "messages"
MAINTENANCE_TABLE = "maintenance"
MARKS_TABLE = "marks"


def _create_status_tables(db: sqlite_utils.Database) -> None:
    """Create the tables of statuses, incidents, alert delivery and maintenance windows.

    target_state: the status machine's state of each target (JSON in
    ``data``), written on every status change, read back at start so that a
    restart neither loses an outage nor alerts it twice.
    incidents: one row per stretch of down, degraded or unreachable
    status; ``end`` is NULL while it lasts.
    outbox: one row per event and channel; ``message_id`` is set when the
    sender seals the event into a message.
    messages: what the sender sends, already split into parts; ``parts_sent``
    counts the parts that the chat service accepted.
    maintenance: windows added with ``pantau maintenance add``.
    marks: small facts the daemon keeps across restarts, such as the day of
    the last daily summary.
    """
    db.table(TARGET_STATE_TABLE).create(
        {
            "target": str,
            "status": str,
            "reason": str,
            "since": float,
            "data": str,
            "updated": float,
        },
        pk="target",
        not_null=["target", "status", "data", "updated"],
    )
    incidents = db.table(INCIDENTS_TABLE)
    incidents.create(
        {
            "id": int,
            "target": str,
            "network": str,
            "group_name": str,
            "status": str,
            "cause": str,
            "start": float,
            "end": float,
            "children": str,
            "values_json": str,
        },
        pk="id",
        not_null=["target", "network", "group_name", "status", "cause", "start", "children"],
    )
    incidents.create_index(["target", "start"], index_name="incidents_target_start")
    incidents.create_index(["end"], index_name="incidents_end")
    outbox = db.table(OUTBOX_TABLE)
    outbox.create(
        {
            "id": int,
            "channel": str,
            "created": float,
            "event_key": str,
            "event": str,
            "severity": str,
            "message_id": int,
        },
        pk="id",
        not_null=["channel", "created", "event_key", "event", "severity"],
    )
    outbox.create_index(["channel", "message_id"], index_name="outbox_channel_message")
    outbox.create_index(["channel", "event_key"], index_name="outbox_channel_event", unique=True)
    messages = db.table(MESSAGES_TABLE)
    messages.create(
        {
            "id": int,
            "channel": str,
            "created": float,
            "markup": str,
            "parts": str,
            "parts_sent": int,
            "attempts": int,
            "next_attempt": float,
            "last_error": str,
            "sent": float,
            "state": str,
        },
        pk="id",
        not_null=["channel", "created", "markup", "parts", "parts_sent", "attempts", "state"],
    )
    messages.create_index(["state", "channel", "next_attempt"], index_name="messages_due")
    db.table(MAINTENANCE_TABLE).create(
        {
            "id": int,
            "targets": str,
            "groups": str,
            "networks": str,
            "start": float,
            "end": float,
            "cron": str,
            "duration": float,
            "reason": str,
            "created": float,
            "created_by": str,
            # Removal keeps the row, so that reports still know past windows.
            "removed": float,
            "removed_by": str,
        },
        pk="id",
        not_null=["targets", "groups", "networks", "reason", "created"],
    )
    db.table(MARKS_TABLE).create({"key": str, "value": str}, pk="key", not_null=["key", "value"])


STATUS_CHANGES_TABLE = "status_changes"
HISTORY_HOURLY_TABLE = "history_hourly"
HISTORY_DAILY_TABLE = "history_daily"
INTERFACE_HOURLY_TABLE = "interface_hourly"
INTERFACE_DAILY_TABLE = "interface_daily"
RESULTS_ARCHIVE_TABLE = "results_archive"
INTERFACE_ARCHIVE_TABLE = "interface_archive"

# Seconds per status are integer milliseconds: SQLite stores 3,600,000 in 3
# bytes and 86,400,000 in 4, where a fractional REAL takes 8.
_TARGET_ROLLUP_COLUMNS = """
    target TEXT NOT NULL,
    start INTEGER NOT NULL,
    up_ms INTEGER NOT NULL,
    degraded_ms INTEGER NOT NULL,
    down_ms INTEGER NOT NULL,
    unreachable_ms INTEGER NOT NULL,
    maintenance_ms INTEGER NOT NULL,
    unknown_ms INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    sent INTEGER NOT NULL,
    received INTEGER NOT NULL,
    rtt_hist TEXT NOT NULL,
    cpu_max REAL, cpu_sum REAL NOT NULL, cpu_count INTEGER NOT NULL,
    memory_max REAL, memory_sum REAL NOT NULL, memory_count INTEGER NOT NULL,
    disk_max REAL, disk_sum REAL NOT NULL, disk_count INTEGER NOT NULL,
    reboots INTEGER NOT NULL,
    idle_interfaces TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (target, start)
"""

# The key puts start before if_index, so that one target's rows of a period
# are one range of the primary key.
_INTERFACE_ROLLUP_COLUMNS = """
    target TEXT NOT NULL,
    start INTEGER NOT NULL,
    if_index INTEGER NOT NULL,
    if_name TEXT NOT NULL,
    speed_bps REAL,
    samples INTEGER NOT NULL,
    receive_sum REAL NOT NULL,
    transmit_sum REAL NOT NULL,
    receive_max REAL,
    transmit_max REAL,
    rate_samples INTEGER NOT NULL,
    utilisation_max REAL,
    utilisation_hist TEXT NOT NULL,
    errors INTEGER NOT NULL,
    discards INTEGER NOT NULL,
    PRIMARY KEY (target, start, if_index)
"""


def _create_history_tables(db: sqlite_utils.Database) -> None:
    """Create the status timeline, the hourly and daily rollups and the packed raw archive.

    monitor/history.py writes and reads these tables. The rollup tables have
    no index besides the primary key: every read and delete goes per target
    through it. The archive tables are rowid tables, because a packed hour
    takes about 0.4 to 7 KB. A 4 KiB page of a rowid table keeps up to 4,061
    bytes of a row. A WITHOUT ROWID table keeps 1,004 and spills the rest
    into overflow pages that stay partly empty (SQLite file format, "B-tree
    Cell Format").
    """
    connection = db.conn
    connection.execute(
        f"CREATE TABLE {STATUS_CHANGES_TABLE} (id INTEGER PRIMARY KEY, target TEXT NOT NULL,"
        " since REAL NOT NULL, at REAL NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL)"
    )
    connection.execute(
        f"CREATE INDEX status_changes_target_since ON {STATUS_CHANGES_TABLE} (target, since)"
    )
    for table in (HISTORY_HOURLY_TABLE, HISTORY_DAILY_TABLE):
        connection.execute(f"CREATE TABLE {table} ({_TARGET_ROLLUP_COLUMNS}) WITHOUT ROWID")
    for table in (INTERFACE_HOURLY_TABLE, INTERFACE_DAILY_TABLE):
        connection.execute(f"CREATE TABLE {table} ({_INTERFACE_ROLLUP_COLUMNS}) WITHOUT ROWID")
    connection.execute(
        f"CREATE TABLE {RESULTS_ARCHIVE_TABLE} (target TEXT NOT NULL, probe TEXT NOT NULL,"
        " start INTEGER NOT NULL, count INTEGER NOT NULL, data BLOB NOT NULL,"
        " UNIQUE (target, probe, start))"
    )
    connection.execute(
        f"CREATE INDEX {RESULTS_ARCHIVE_TABLE}_start ON {RESULTS_ARCHIVE_TABLE} (start)"
    )
    connection.execute(
        f"CREATE TABLE {INTERFACE_ARCHIVE_TABLE} (target TEXT NOT NULL,"
        " start INTEGER NOT NULL, count INTEGER NOT NULL, data BLOB NOT NULL,"
        " UNIQUE (target, start))"
    )
    connection.execute(
        f"CREATE INDEX {INTERFACE_ARCHIVE_TABLE}_start ON {INTERFACE_ARCHIVE_TABLE} (start)"
    )


SERVICE_HOURLY_TABLE = "service_hourly"
SERVICE_DAILY_TABLE = "service_daily"

# One row per target, start and service probe. ``runs``, ``successes``,
# ``duration_hist`` and ``reasons`` count only checks started outside
# maintenance; ``maintenance_runs`` counts the others. ``covered_ms`` is the
# time that the check's results cover, as for the status probe.
# ``duration_hist`` is a Histogram text of the successful checks' durations,
# ``reasons`` "REASON:count,..." of the failed ones, and ``cert_expiry_min``
# the lowest cert_expiry_timestamp_seconds (unix seconds) seen.
_SERVICE_ROLLUP_COLUMNS = """
    target TEXT NOT NULL,
    start INTEGER NOT NULL,
    probe TEXT NOT NULL,
    runs INTEGER NOT NULL,
    successes INTEGER NOT NULL,
    maintenance_runs INTEGER NOT NULL,
    covered_ms INTEGER NOT NULL,
    duration_hist TEXT NOT NULL,
    reasons TEXT NOT NULL,
    cert_expiry_min REAL,
    PRIMARY KEY (target, start, probe)
"""

# Keys of the history marks that monitor.history keeps in the marks table.
_MARK_ROLLED_FROM = "history.rolled_from"
_MARK_DIRTY_SINCE = "history.dirty_since"


def _create_service_tables(db: sqlite_utils.Database) -> None:
    """Create the rollups of the service checks, and have the hours already rolled redone.

    A database from version 4 has hours rolled up without service rows. The
    mark "history.dirty_since" set to the first rolled hour makes
    monitor.history roll up again every hour whose raw data is still kept,
    which fills the new tables. Older hours keep their rollups and have no
    service rows.
    """
    connection = db.conn
    for table in (SERVICE_HOURLY_TABLE, SERVICE_DAILY_TABLE):
        connection.execute(f"CREATE TABLE {table} ({_SERVICE_ROLLUP_COLUMNS}) WITHOUT ROWID")
    row = connection.execute(
        f"SELECT value FROM {MARKS_TABLE} WHERE key = ?", (_MARK_ROLLED_FROM,)
    ).fetchone()
    if row is None:
        return
    dirty = connection.execute(
        f"SELECT value FROM {MARKS_TABLE} WHERE key = ?", (_MARK_DIRTY_SINCE,)
    ).fetchone()
    since = float(row[0]) if dirty is None else min(float(row[0]), float(dirty[0]))
    connection.execute(
        f"INSERT OR REPLACE INTO {MARKS_TABLE} (key, value) VALUES (?, ?)",
        (_MARK_DIRTY_SINCE, repr(since)),
    )


# Migration N (counting from 1) brings the schema from user_version N-1 to N.
# Append new steps and never change a released one, because existing
# databases have already run it.
MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _create_results_table,
    _create_interfaces_table,
    _create_status_tables,
    _create_history_tables,
    _create_service_tables,
)
SCHEMA_VERSION = len(MIGRATIONS)


def _to_row(result: ProbeResult) -> dict[str, Any]:
    return {
        "target": _storable_text(result.target),
        "probe": _storable_text(result.probe),
        "started": float(result.started),
        "duration": float(result.duration),
        "success": 1 if result.success else 0,
        "reason": _storable_text(result.reason),
        "values_json": encode_values(result.values),
        "message": _storable_text(result.message),
    }


def _storable_text(value: object) -> str:
    """Return ``value`` as text that SQLite can store as UTF-8.

    Lone surrogates (from bytes decoded with surrogateescape, for example)
    become backslash escapes, because binding them fails.
    """
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


# SQLite errors that retrying cannot cure; an operation that raises one fails alone.
_OPERATION_FAULTS = (
    sqlite3.IntegrityError,
    sqlite3.DataError,
    sqlite3.ProgrammingError,
    sqlite3.InterfaceError,
    sqlite3.NotSupportedError,
)


def _classify(error: BaseException) -> str:
    """Return the catalogue key of the fix for ``error``."""
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return _HINT_LOCKED
    if name == "SQLITE_FULL":
        return _HINT_DISK_FULL
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        return _HINT_NOT_A_DATABASE
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")):
        return _HINT_PERMISSION
    if name.startswith("SQLITE_IOERR"):
        return _HINT_IO_ERROR
    if isinstance(error, PermissionError):
        return _HINT_PERMISSION
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return _HINT_DISK_FULL
    return _HINT_UNKNOWN


def _describe(error: BaseException) -> str:
    """Return the error text with SQLite's error code name, which operators can search for."""
    name = getattr(error, "sqlite_errorname", None)
    return f"{error} ({name})" if name else str(error)


def _open_error(path: Path, error: BaseException) -> StorageError:
    return StorageError(
        "storage.open_failed", hint_key=_classify(error), path=path, error=_describe(error)
    )
