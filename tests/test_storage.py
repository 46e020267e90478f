"""Tests of monitor.storage against real SQLite files, threads, processes and file systems."""

from __future__ import annotations

import json
import logging
import math
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import storage as storage_module
from monitor.storage import (
    SCHEMA_VERSION,
    Storage,
    StorageError,
    connect_readonly,
    decode_values,
    encode_values,
)
from probes.base import NO_REPLY, OK, ProbeResult

REPOSITORY = Path(__file__).resolve().parents[1]
# Upper bound for waits on the writer thread. Tests wait for a state, never
# for a duration, so this only limits how long a broken build hangs.
WAIT_LIMIT = 60.0


def _require_root() -> None:
    if os.geteuid() != 0:
        pytest.fail("mounting tmpfs needs root: run the tests as root", pytrace=False)


requires_root = pytest.mark.usefixtures("_root")


@pytest.fixture
def _root() -> None:
    _require_root()


def make_result(
    number: int, target: str = "core-router", message: str | None = None
) -> ProbeResult:
    return ProbeResult(
        target=target,
        probe="icmp",
        success=number % 7 != 0,
        reason=OK if number % 7 else NO_REPLY,
        started=1_733_300_000.0 + number,
        duration=0.25,
        values={"sent": 5, "rtt_median_seconds": 0.001 * number},
        message=str(number) if message is None else message,
    )


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.01)


def count_rows(path: Path) -> int:
    db = connect_readonly(path)
    try:
        return int(db.execute("SELECT count(*) FROM results").fetchone()[0])
    finally:
        db.close()


def stored_messages(path: Path, target: str | None = None) -> list[str]:
    db = connect_readonly(path)
    try:
        if target is None:
            rows = db.execute("SELECT message FROM results ORDER BY id").fetchall()
        else:
            rows = db.execute(
                "SELECT message FROM results WHERE target = ? ORDER BY id", [target]
            ).fetchall()
        return [row[0] for row in rows]
    finally:
        db.close()


@pytest.fixture
def open_storage(tmp_path: Path) -> Iterator[Callable[..., Storage]]:
    """Return a factory of opened Storages that are closed after the test."""
    created: list[Storage] = []

    def factory(path: Path | None = None, *, start: bool = True, **options: Any) -> Storage:
        storage = Storage(path or tmp_path / "pantau.db", **options)
        storage.open()
        created.append(storage)
        if start:
            storage.start()
        return storage

    yield factory
    for storage in created:
        storage.close(timeout=WAIT_LIMIT)


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """Mount a 1 MiB tmpfs for the test and unmount it afterwards."""
    mountpoint = tmp_path / "small"
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.fail(f"mount -t tmpfs failed: {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=True)


def fill_file_system(directory: Path) -> Path:
    """Write a file until the file system is full and return its path."""
    filler = directory / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    block = b"\0" * 4096
    try:
        while True:
            os.write(descriptor, block)
    except OSError as error:
        assert error.errno == 28, error  # ENOSPC
    finally:
        os.close(descriptor)
    return filler


# Schema and opening


def test_open_creates_schema(open_storage: Callable[..., Storage], tmp_path: Path) -> None:
    storage = open_storage(start=False)
    db = connect_readonly(tmp_path / "pantau.db")

    columns = {column.name: column.type for column in db.table("results").columns}
    assert columns == {
        "id": "INTEGER",
        "target": "TEXT",
        "probe": "TEXT",
        "started": "REAL",
        "duration": "REAL",
        "success": "INTEGER",
        "reason": "TEXT",
        "values_json": "TEXT",
        "message": "TEXT",
    }
    assert db.table("results").pks == ["id"]
    indexes = {index.name: index.columns for index in db.table("results").indexes}
    assert indexes["results_target_probe_started"] == ["target", "probe", "started"]
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()

    # synchronous and busy_timeout belong to the writer's own connection.
    writer = storage._db
    assert writer is not None
    assert writer.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert writer.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_put_flush_stores_every_field(open_storage: Callable[..., Storage], tmp_path: Path) -> None:
    storage = open_storage()
    storage.put(
        ProbeResult(
            target="dinkes-switch",
            probe="snmp",
            success=False,
            reason=NO_REPLY,
            started=1_733_300_123.5,
            duration=2.0,
            values={"if_in_octets": 2**64 - 1, "loss_ratio": 0.25},
            message="tidak ada balasan dari 127.0.0.1",
        )
    )

    assert storage.flush(timeout=WAIT_LIMIT)
    db = connect_readonly(tmp_path / "pantau.db")
    rows = list(db.query("SELECT * FROM results"))
    db.close()
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == 1
    assert row["target"] == "dinkes-switch"
    assert row["probe"] == "snmp"
    assert row["started"] == 1_733_300_123.5
    assert row["duration"] == 2.0
    assert row["success"] == 0
    assert row["reason"] == NO_REPLY
    assert row["values_json"] == '{"if_in_octets":18446744073709551615,"loss_ratio":0.25}'
    assert row["message"] == "tidak ada balasan dari 127.0.0.1"

    stats = storage.stats()
    assert stats.rows_written == 1
    assert stats.batches_written == 1
    assert stats.queue_depth == 0
    assert stats.write_errors == 0
    assert stats.last_commit_time is not None


def test_reopen_keeps_rows(open_storage: Callable[..., Storage], tmp_path: Path) -> None:
    first = open_storage()
    for number in range(1, 4):
        first.put(make_result(number))
    first.close()

    second = open_storage()
    second.put(make_result(4))
    assert second.flush(timeout=WAIT_LIMIT)

    assert stored_messages(tmp_path / "pantau.db") == ["1", "2", "3", "4"]


def test_open_migrates_version_zero_database(
    open_storage: Callable[..., Storage], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "pantau.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.execute("INSERT INTO notes VALUES ('kept')")
    connection.commit()
    connection.close()

    with caplog.at_level(logging.INFO, logger="monitor.storage"):
        open_storage(start=False)

    db = connect_readonly(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    assert db.table("results").exists()
    assert db.execute("SELECT text FROM notes").fetchall() == [("kept",)]
    db.close()
    migrated = [r for r in caplog.records if r.getMessage().startswith("Database schema migrated")]
    assert len(migrated) == 1
    assert "from_version=0 to_version=5" in migrated[0].getMessage()


def test_open_rejects_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "pantau.db"
    storage = Storage(path)
    storage.open()
    storage.close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()

    with pytest.raises(StorageError) as raised:
        Storage(path).open()

    error = raised.value
    assert error.key == "storage.schema_newer"
    assert error.message("en") == (
        f"The database {path} has schema version 99, but this version of Pantau supports "
        "versions up to 5. Upgrade Pantau or set [daemon] database to another file."
    )
    assert error.message("id") == (
        f"Basis data {path} memakai skema versi 99, sedangkan versi Pantau ini hanya mendukung "
        "sampai versi 5. Perbarui Pantau, atau atur [daemon] database ke berkas lain."
    )
    assert str(error) == error.message("id") + "\n" + error.message("en")
    # The newer database is left as it was.
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 99


def test_open_rejects_non_database(tmp_path: Path) -> None:
    path = tmp_path / "pantau.db"
    content = b"this is a CSV export, not SQLite\n" * 100
    path.write_bytes(content)

    with pytest.raises(StorageError) as raised:
        Storage(path).open()

    error = raised.value
    assert error.key == "storage.open_failed"
    assert error.hint_key == "storage.hint.not_a_database"
    assert error.message("en") == (
        f"Cannot open the database {path}: file is not a database (SQLITE_NOTADB). "
        "Move the file aside or set [daemon] database to another file. "
        "Pantau creates a new database when the file does not exist."
    )
    assert error.message("id").startswith(f"Basis data {path} tidak dapat dibuka: ")
    assert isinstance(error.__cause__, sqlite3.DatabaseError)
    assert path.read_bytes() == content


def test_open_reports_missing_directory(tmp_path: Path) -> None:
    directory = tmp_path / "missing"

    with pytest.raises(StorageError) as raised:
        Storage(directory / "pantau.db").open()

    assert raised.value.message("en") == (
        f"The database directory {directory} does not exist. Create it or set "
        "[daemon] database to a file in another directory."
    )


def test_connect_readonly_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"

    with pytest.raises(StorageError) as raised:
        connect_readonly(path)

    assert raised.value.hint_key == "storage.hint.permission"
    assert str(path) in raised.value.message("en")
    assert not path.exists()


def test_connect_readonly_rejects_writes(
    open_storage: Callable[..., Storage], tmp_path: Path
) -> None:
    open_storage(start=False)
    db = connect_readonly(tmp_path / "pantau.db")

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute("DELETE FROM results")
    db.close()


# Queue, batches and flush


def test_batches_follow_batch_size(open_storage: Callable[..., Storage], tmp_path: Path) -> None:
    storage = open_storage(start=False, batch_size=10, flush_interval=60.0)
    for number in range(1, 36):
        storage.put(make_result(number))
    assert storage.stats().queue_depth == 35

    storage.start()
    assert storage.flush(timeout=WAIT_LIMIT)

    stats = storage.stats()
    assert stats.rows_written == 35
    assert stats.batches_written == 4
    assert stats.queue_depth == 0
    assert stored_messages(tmp_path / "pantau.db") == [str(n) for n in range(1, 36)]


def test_flush_interval_writes_without_flush(
    open_storage: Callable[..., Storage], tmp_path: Path
) -> None:
    storage = open_storage(batch_size=500, flush_interval=0.05)
    storage.put(make_result(1))

    wait_until(lambda: storage.stats().rows_written == 1, "the flush interval wrote the result")
    assert count_rows(tmp_path / "pantau.db") == 1


def test_flush_without_writer_returns_false(open_storage: Callable[..., Storage]) -> None:
    storage = open_storage(start=False)
    assert storage.flush(timeout=WAIT_LIMIT)  # nothing queued yet

    storage.put(make_result(1))

    assert not storage.flush(timeout=WAIT_LIMIT)
    assert storage.stats().queue_depth == 1


def test_put_from_many_threads(open_storage: Callable[..., Storage], tmp_path: Path) -> None:
    storage = open_storage(batch_size=64, flush_interval=0.01)

    def produce(thread_number: int) -> None:
        for number in range(500):
            storage.put(make_result(number, message=f"{thread_number}-{number}"))

    threads = [threading.Thread(target=produce, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert storage.flush(timeout=WAIT_LIMIT)

    messages = stored_messages(tmp_path / "pantau.db")
    assert len(messages) == 2000
    assert set(messages) == {f"{t}-{n}" for t in range(4) for n in range(500)}
    assert storage.stats().rows_written == 2000


def test_put_drops_when_queue_full(
    open_storage: Callable[..., Storage], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    storage = open_storage(start=False, queue_limit=10)

    with caplog.at_level(logging.WARNING, logger="monitor.storage"):
        for number in range(1, 16):
            storage.put(make_result(number))

    stats = storage.stats()
    assert stats.dropped == 5
    assert stats.queue_depth == 10
    drops = [r for r in caplog.records if r.getMessage().startswith("Dropped probe results")]
    assert len(drops) == 1
    assert "queue is full" in drops[0].getMessage()
    assert f"path={tmp_path / 'pantau.db'}" in drops[0].getMessage()

    storage.start()
    assert storage.flush(timeout=WAIT_LIMIT)
    assert stored_messages(tmp_path / "pantau.db") == [str(n) for n in range(1, 11)]


def test_put_after_close_counts_drop(open_storage: Callable[..., Storage]) -> None:
    storage = open_storage()
    storage.close()

    storage.put(make_result(1))

    assert storage.stats().dropped == 1
    assert storage.stats().queue_depth == 0


def test_close_writes_queued_results(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "pantau.db", batch_size=7, flush_interval=60.0)
    storage.open()
    storage.start()
    for number in range(1, 21):
        storage.put(make_result(number))

    storage.close(timeout=WAIT_LIMIT)
    storage.close()  # a second close does nothing

    assert count_rows(tmp_path / "pantau.db") == 20
    assert storage.stats().rows_written == 20


def test_put_rejects_non_numeric_reading(open_storage: Callable[..., Storage]) -> None:
    storage = open_storage(start=False)
    result = ProbeResult("core", "snmp", True, OK, 1.0, 0.1, {"sys_descr": "Linux"})  # type: ignore[dict-item]

    with pytest.raises(TypeError, match="'sys_descr' is a str, expected a real number"):
        storage.put(result)
    assert storage.stats().queue_depth == 0


def test_put_escapes_lone_surrogates(open_storage: Callable[..., Storage], tmp_path: Path) -> None:
    storage = open_storage()
    # bytes b"sw\xff" decoded with surrogateescape, as an SNMP string may be.
    text = b"sw\xff".decode("utf-8", "surrogateescape")
    storage.put(ProbeResult("core", "snmp", True, OK, 1.0, 0.1, {text: 1.0}, message=text))

    assert storage.flush(timeout=WAIT_LIMIT)
    db = connect_readonly(tmp_path / "pantau.db")
    message, values_json = db.execute("SELECT message, values_json FROM results").fetchone()
    db.close()
    assert message == "sw\\udcff"
    assert decode_values(values_json) == {text: 1.0}


# values_json

finite_readings = st.dictionaries(
    st.text(max_size=20),
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(min_value=-(2**70), max_value=2**70),
    ),
    max_size=8,
)


@given(finite_readings)
def test_values_json_round_trip(readings: dict[str, float]) -> None:
    decoded = decode_values(encode_values(readings))

    assert decoded == readings
    assert {name: type(value) for name, value in decoded.items()} == {
        name: type(value) for name, value in readings.items()
    }


@given(st.dictionaries(st.text(max_size=5), st.sampled_from([math.nan, math.inf, -math.inf])))
def test_values_json_stores_non_finite_as_null(readings: dict[str, float]) -> None:
    text = encode_values(readings)

    assert json.loads(text) == dict.fromkeys(readings)
    assert decode_values(text) == dict.fromkeys(readings)


def test_values_json_is_compact() -> None:
    assert encode_values({"sent": 5, "rtt_median_seconds": 0.0012}) == (
        '{"sent":5,"rtt_median_seconds":0.0012}'
    )
    assert encode_values({"up": True}) == '{"up":1}'


@pytest.fixture(scope="module")
def shared_storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Storage, Path]]:
    path = tmp_path_factory.mktemp("hypothesis") / "pantau.db"
    storage = Storage(path, flush_interval=0.01)
    storage.open()
    storage.start()
    yield storage, path
    storage.close(timeout=WAIT_LIMIT)


@settings(max_examples=50, deadline=None)
@given(finite_readings)
def test_values_json_round_trip_through_database(
    shared_storage: tuple[Storage, Path], readings: dict[str, float]
) -> None:
    storage, path = shared_storage
    storage.put(ProbeResult("core", "snmp", True, OK, 1.0, 0.1, readings))
    assert storage.flush(timeout=WAIT_LIMIT)

    db = connect_readonly(path)
    values_json, valid = db.execute(
        "SELECT values_json, json_valid(values_json) FROM results ORDER BY id DESC LIMIT 1"
    ).fetchone()
    db.close()
    assert valid == 1
    assert decode_values(values_json) == readings


# Concurrent connections


def test_reader_transaction_does_not_block_writer(
    open_storage: Callable[..., Storage], tmp_path: Path
) -> None:
    path = tmp_path / "pantau.db"
    storage = open_storage(busy_timeout=0.1, batch_size=100, flush_interval=0.01)
    for number in range(1, 11):
        storage.put(make_result(number))
    assert storage.flush(timeout=WAIT_LIMIT)

    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM results").fetchone()[0] == 10

    for number in range(11, 511):
        storage.put(make_result(number))
    assert storage.flush(timeout=WAIT_LIMIT)

    stats = storage.stats()
    assert stats.rows_written == 510
    assert stats.write_errors == 0
    assert stats.retries == 0
    # The reader keeps its snapshot until its transaction ends.
    assert reader.execute("SELECT count(*) FROM results").fetchone()[0] == 10
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM results").fetchone()[0] == 510
    reader.close()


def test_write_lock_retries_then_commits_all(
    open_storage: Callable[..., Storage],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(storage_module, "LOG_REPEAT_INTERVAL", 3600.0)
    path = tmp_path / "pantau.db"
    storage = open_storage(busy_timeout=0.1, batch_size=20, flush_interval=0.01)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")

    with caplog.at_level(logging.INFO, logger="monitor.storage"):
        for number in range(1, 51):
            storage.put(make_result(number))
        wait_until(lambda: storage.stats().retries >= 3, "the writer retried three times")

        # The lock is still held, so nothing can have been committed.
        assert not storage.flush(timeout=0.05)
        assert storage.stats().queue_depth == 50
        assert storage.stats().rows_written == 0
        assert count_rows(path) == 0

        locker.execute("ROLLBACK")
        assert storage.flush(timeout=WAIT_LIMIT)

    locker.close()
    assert stored_messages(path) == [str(n) for n in range(1, 51)]
    stats = storage.stats()
    assert stats.rows_written == 50
    assert stats.queue_depth == 0
    assert stats.write_errors >= 3
    assert stats.retries >= 3
    failures = [r for r in caplog.records if r.getMessage().startswith("Database write failed")]
    assert len(failures) == 1
    assert failures[0].levelno == logging.WARNING
    assert f"path={path}" in failures[0].getMessage()
    assert "SQLITE_BUSY" in failures[0].getMessage()
    assert "Another process holds a write lock" in failures[0].getMessage()
    recovered = [r for r in caplog.records if r.getMessage().startswith("Database write succeeded")]
    assert len(recovered) == 1


def test_close_gives_up_after_timeout(
    open_storage: Callable[..., Storage], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "pantau.db"
    storage = open_storage(busy_timeout=0.05, batch_size=5, flush_interval=0.01)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    for number in range(1, 13):
        storage.put(make_result(number))

    with caplog.at_level(logging.ERROR, logger="monitor.storage"):
        storage.close(timeout=0.2)

    locker.execute("ROLLBACK")
    locker.close()
    unwritten = [r for r in caplog.records if r.getMessage().startswith("Storage closed before")]
    assert len(unwritten) == 1
    assert "unwritten=12" in unwritten[0].getMessage()
    assert count_rows(path) == 0


# Process killed with SIGKILL

KILLED_WRITER = """
import sys
from pathlib import Path

from monitor.storage import Storage
from probes.base import OK, ProbeResult

path, target = Path(sys.argv[1]), sys.argv[2]
storage = Storage(path, batch_size=50, flush_interval=0.01)
storage.open()
storage.start()
number = 0
while True:
    for _ in range(25):
        number += 1
        values = {"sequence": float(number)}
        storage.put(ProbeResult(target, "icmp", True, OK, float(number), 0.001, values,
                                message=str(number)))
    if storage.flush(timeout=60):
        print(number, flush=True)
"""


def read_acknowledgement(process: subprocess.Popen[str]) -> int:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], WAIT_LIMIT)
    assert ready, "the writer process sent no acknowledgement"
    line = process.stdout.readline()
    assert line, f"the writer process exited with {process.wait()}"
    return int(line)


@pytest.mark.slow
def test_kill_9_keeps_acknowledged_rows(tmp_path: Path) -> None:
    path = tmp_path / "pantau.db"
    seed = int.from_bytes(os.urandom(4), "big")
    chooser = random.Random(seed)
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY))

    for round_number in range(8):
        target = f"round-{round_number}"
        process = subprocess.Popen(
            [sys.executable, "-c", KILLED_WRITER, str(path), target],
            stdout=subprocess.PIPE,
            text=True,
            env=environment,
        )
        acknowledged = 0
        try:
            for _ in range(chooser.randint(1, 12)):
                acknowledged = read_acknowledgement(process)
            # Land the kill at an arbitrary point of the next batch.
            time.sleep(chooser.uniform(0.0, 0.02))
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
            assert process.stdout is not None
            process.stdout.close()

        connection = sqlite3.connect(path)
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)], seed
        messages = [
            row[0]
            for row in connection.execute("SELECT message FROM results WHERE target = ?", [target])
        ]
        connection.close()
        stored = {int(message) for message in messages}
        assert len(stored) == len(messages), f"duplicate rows, seed {seed}"
        missing = set(range(1, acknowledged + 1)) - stored
        assert not missing, f"acknowledged rows missing: {sorted(missing)[:10]}, seed {seed}"

    storage = Storage(path)
    storage.open()
    storage.close()


# Full and read-only file systems


@requires_root
def test_disk_full_keeps_results_queued(
    small_tmpfs: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage_module, "LOG_REPEAT_INTERVAL", 3600.0)
    path = small_tmpfs / "pantau.db"
    storage = Storage(path, batch_size=50, flush_interval=0.01, queue_limit=400)
    storage.open()
    storage.start()
    try:
        for number in range(1, 11):
            storage.put(make_result(number))
        assert storage.flush(timeout=WAIT_LIMIT)
        filler = fill_file_system(small_tmpfs)

        with caplog.at_level(logging.INFO, logger="monitor.storage"):
            for number in range(11, 311):
                storage.put(make_result(number, message=f"{number:04d}" + "x" * 300))
            wait_until(lambda: storage.stats().write_errors >= 2, "two writes failed")

            # Results stay queued up to queue_limit, and the rest are dropped.
            for number in range(311, 461):
                storage.put(make_result(number, message=f"{number:04d}"))
            stats = storage.stats()
            assert stats.queue_depth == 400
            assert stats.dropped == 50
            assert stats.rows_written == 10
            assert not storage.flush(timeout=0.05)
            assert count_rows(path) == 10

            filler.unlink()
            assert storage.flush(timeout=WAIT_LIMIT)

        messages = stored_messages(path)
        assert len(messages) == 410
        assert [int(message[:4]) for message in messages[10:]] == list(range(11, 411))
        failures = [r for r in caplog.records if r.getMessage().startswith("Database write failed")]
        assert len(failures) == 1
        assert failures[0].levelno == logging.ERROR
        assert f"path={path}" in failures[0].getMessage()
        assert "SQLITE_FULL" in failures[0].getMessage()
        assert "Free space on the file system" in failures[0].getMessage()
        assert any(r.getMessage().startswith("Database write succeeded") for r in caplog.records)
    finally:
        storage.close(timeout=WAIT_LIMIT)


@requires_root
def test_open_on_full_disk_raises(small_tmpfs: Path) -> None:
    fill_file_system(small_tmpfs)
    path = small_tmpfs / "pantau.db"

    with pytest.raises(StorageError) as raised:
        Storage(path).open()

    assert raised.value.hint_key == "storage.hint.disk_full"
    assert raised.value.message("en").startswith(f"Cannot open the database {path}: ")
    assert raised.value.message("en").endswith(
        "Free space on the file system that contains the file."
    )


@requires_root
def test_open_on_read_only_file_system_raises(small_tmpfs: Path) -> None:
    existing = small_tmpfs / "existing.db"
    storage = Storage(existing)
    storage.open()
    storage.close()
    subprocess.run(["mount", "-o", "remount,ro", str(small_tmpfs)], check=True)

    for path in (existing, small_tmpfs / "new.db"):
        with pytest.raises(StorageError) as raised:
            Storage(path).open()

        assert raised.value.hint_key == "storage.hint.permission", path
        assert raised.value.message("en").startswith(f"Cannot open the database {path}: ")
        assert raised.value.message("en").endswith(
            "Check that the file and its directory exist and are writable by the user "
            "that runs Pantau."
        )


def test_interface_records_written_beside_results(tmp_path: Path) -> None:
    from monitor.storage import InterfaceRecord

    path = tmp_path / "pantau.db"
    storage = Storage(path)
    storage.open()
    storage.start()
    record = InterfaceRecord(
        target="router",
        started=1_700_000_000.0,
        if_index=3,
        if_name="ether1",
        oper_status=1,
        speed_bps=1e9,
        receive_bytes_per_second=125_000.0,
        transmit_bytes_per_second=None,
        receive_utilisation=0.001,
        transmit_utilisation=None,
        receive_errors=7,
        transmit_errors=0,
        receive_discards=0,
        transmit_discards=2,
        rate_missing_reason="reset",
    )
    storage.put_interfaces([record])
    assert storage.flush()
    storage.close()

    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    rows = db.execute("SELECT * FROM interface_results").fetchall()
    assert len(rows) == 1
    assert rows[0]["if_name"] == "ether1"
    assert rows[0]["receive_bytes_per_second"] == 125_000.0
    assert rows[0]["transmit_bytes_per_second"] is None
    assert rows[0]["receive_errors"] == 7
    assert rows[0]["rate_missing_reason"] == "reset"
    assert db.execute("SELECT count(*) FROM results").fetchone()[0] == 0


def test_version_one_database_upgraded(tmp_path: Path) -> None:
    from monitor.storage import MIGRATIONS

    path = tmp_path / "pantau.db"
    old = sqlite_utils.Database(path)
    MIGRATIONS[0](old)
    old.table("results").insert(
        {
            "target": "a", "probe": "icmp", "started": 1.0, "duration": 0.1, "success": 1,
            "reason": "ok", "values_json": "{}", "message": "",
        }
    )  # fmt: skip
    old.execute("PRAGMA user_version = 1")
    old.close()

    storage = Storage(path)
    storage.open()
    storage.close()

    db = connect_readonly(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    assert db.table("outbox").exists()
    assert db.table("interface_results").exists()
    assert db.table("status_changes").exists()
    assert db.table("service_hourly").exists()
    assert db.table("history_hourly").exists()
    assert db.execute("SELECT target FROM results").fetchall() == [("a",)]


# Operations run by the writer ------------------------------------------------------------


def test_operation_sees_rows_put_before_it(open_storage: Callable[..., Storage]) -> None:
    storage = open_storage(flush_interval=60.0)
    for number in range(3):
        storage.put(make_result(number))

    counted = storage.submit(lambda db: db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    # flush_interval is a minute: an urgent operation does not wait for it.
    assert counted.result(10) == 3


def test_failing_operation_keeps_the_rest_of_the_batch(
    open_storage: Callable[..., Storage], tmp_path: Path
) -> None:
    storage = open_storage()

    def broken(db: Any) -> None:
        db.execute("INSERT INTO marks (key, value) VALUES ('half', 'written')")
        raise ValueError("bug in the operation")

    storage.put(make_result(1))
    failed = storage.submit(broken)
    storage.put(make_result(2))
    with pytest.raises(ValueError, match="bug in the operation"):
        failed.result(10)
    assert storage.flush()

    assert count_rows(tmp_path / "pantau.db") == 2
    db = connect_readonly(tmp_path / "pantau.db")
    assert db.execute("SELECT COUNT(*) FROM marks").fetchone()[0] == 0
    db.close()


def test_operation_not_urgent_waits_for_flush(open_storage: Callable[..., Storage]) -> None:
    storage = open_storage(flush_interval=60.0)
    written = storage.submit(lambda db: 7, urgent=False)

    assert not written.done()
    assert storage.flush()
    assert written.result(0) == 7


def test_operation_after_close_fails_at_once(open_storage: Callable[..., Storage]) -> None:
    storage = open_storage()
    storage.close()

    refused = storage.submit(lambda db: 1)

    with pytest.raises(StorageError) as raised:
        refused.result(0)
    assert raised.value.key == "storage.not_accepting"


def test_readonly_opens_read_only_mount(tmp_path: Path) -> None:
    """A WAL database needs its -shm file even to read; a read-only folder has none."""
    folder = tmp_path / "copy"
    folder.mkdir()
    storage = Storage(folder / "pantau.db")
    storage.open()
    storage.start()
    for number in range(3):
        storage.put(ProbeResult("a", "icmp", True, "ok", float(number), 0.1, {}))
    storage.close()
    reader = (
        "from monitor.storage import connect_readonly;"
        f"db = connect_readonly({str(folder / 'pantau.db')!r});"
        "print(db.execute('SELECT count(*) FROM results').fetchone()[0])"
    )
    script = (
        f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder} {folder}"
        f' && {sys.executable} -c "{reader}"'
    )

    read = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent.parent,
    )

    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "3"
