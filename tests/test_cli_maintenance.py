"""`pantau maintenance add|list|remove` against a temporary configuration and database."""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from monitor import cli, maintenance
from monitor.config import MaintenanceWindow
from monitor.i18n import translate
from monitor.storage import Storage
from probes.base import ProbeResult
from tests.lab.netns import REPOSITORY_ROOT

ENV = {"PYTHONPATH": str(REPOSITORY_ROOT), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
JAKARTA = ZoneInfo("Asia/Jakarta")

CONFIG = """\
[daemon]
listen = "127.0.0.1:19471"
database = "pantau.db"
language = "id"
timezone = "{timezone}"

[[targets]]
name = "core-router"
address = "127.0.0.1"
group = "Diskominfo"
network = "opd"

[[targets]]
name = "bappeda-router"
address = "127.0.0.2"
group = "Bappeda"
network = "opd"
parent = "core-router"

[[targets]]
name = "bupati-ap"
address = "127.0.0.3"
group = "Setda"
network = "eksekutif"
"""

CONFIG_WINDOW = """
[[maintenance]]
name = "ganti-ups"
targets = ["core-router"]
start = {start}
end = {end}
reason = "Penggantian UPS"
"""


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(CONFIG.format(timezone="Asia/Jakarta"))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["maintenance", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def pantau(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor.cli", "maintenance", *argv],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=REPOSITORY_ROOT,
        timeout=120,
    )


def local(moment: datetime) -> str:
    return moment.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M")


def tomorrow_at(hour: int) -> datetime:
    day = datetime.now(JAKARTA) + timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


# add, list, remove --------------------------------------------------------------------


def test_add_list_remove(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "add",
        "-c",
        str(config_path),
        "--target",
        "core-router",
        "--group",
        "Bappeda",
        "--duration",
        "2h",
        "--reason",
        "Penggantian router inti",
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "jadwal pemeliharaan db:1 ditambahkan untuk target core-router; grup Bappeda"
    assert lines[1].startswith("mulai ")
    assert lines[1].endswith(" WIB")
    assert ", selesai " in lines[1]

    code, out, err = run(capsys, "list", "-c", str(config_path))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("db:1  AKTIF sampai ")
    assert lines[0].endswith(" WIB")
    assert lines[1] == "    cakupan: target core-router; grup Bappeda"
    assert lines[3] == "    alasan: Penggantian router inti"
    assert lines[4] == "    mulai berikutnya: tidak ada"

    code, out, err = run(capsys, "remove", "-c", str(config_path), "db:1")
    assert (code, out, err) == (0, "jadwal pemeliharaan db:1 dihapus\n", "")

    code, out, err = run(capsys, "list", "-c", str(config_path))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "tidak ada jadwal pemeliharaan",
        "1 jadwal yang sudah lewat atau dihapus tidak ditampilkan; tampilkan dengan --all",
    ]


def test_add_one_off_prints_dates_in_indonesian(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = tomorrow_at(22)
    end = start + timedelta(hours=4)
    code, out, _ = run(
        capsys,
        "add",
        "-c",
        str(config_path),
        "--network",
        "opd",
        "--start",
        local(start),
        "--end",
        local(end),
        "--reason",
        "Migrasi",
    )
    assert code == 0
    months = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
              "September", "Oktober", "November", "Desember")  # fmt: skip
    expected_start = f"{start.day} {months[start.month - 1]} {start.year} 22.00 WIB"
    expected_end = f"{end.day} {months[end.month - 1]} {end.year} 02.00 WIB"
    assert out.splitlines()[1] == f"mulai {expected_start}, selesai {expected_end}"


def test_add_recurring_in_english(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "add",
        "-c",
        str(config_path),
        "--lang",
        "en",
        "--network",
        "opd",
        "--network",
        "eksekutif",
        "--cron",
        "0 22 * * sat",
        "--duration",
        "4h",
        "--reason",
        "Weekly patching",
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "maintenance window db:1 added for networks opd, eksekutif"
    assert lines[1].startswith('recurring "0 22 * * sat" for 4h; next starts ')
    # Babel's English long date, "December 5, 2026", and a 24-hour clock.
    assert " 22:00 WIB, ends " in lines[1]
    assert lines[1].endswith(" 02:00 WIB")

    code, out, _ = run(capsys, "list", "-c", str(config_path), "--json")
    assert code == 0
    (entry,) = json.loads(out)
    assert entry["id"] == "db:1"
    assert entry["source"] == "database"
    assert entry["networks"] == ["opd", "eksekutif"]
    assert entry["cron"] == "0 22 * * sat"
    assert entry["duration_seconds"] == 14400.0
    assert entry["timezone"] == "Asia/Jakarta"
    next_start = datetime.fromisoformat(entry["next_start"])
    assert next_start.strftime("%a %H:%M %z") == "Sat 22:00 +0700"
    assert entry["removed"] is None


def test_list_hides_past_windows_unless_all(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = Storage(config_path.parent / "pantau.db")
    storage.open()
    storage.start()
    past = MaintenanceWindow(
        name="new",
        targets=("core-router",),
        start=datetime(2026, 1, 3, 22, tzinfo=JAKARTA),
        end=datetime(2026, 1, 4, 2, tzinfo=JAKARTA),
        reason="Selesai",
    )
    storage.submit(lambda db: maintenance.add_window(db, past, "operator")).result(10)
    storage.close()

    code, out, _ = run(capsys, "list", "-c", str(config_path))
    assert code == 0
    assert "db:1" not in out
    code, out, _ = run(capsys, "list", "-c", str(config_path), "--all")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "db:1  sudah lewat"
    assert lines[2] == "    jadwal: 3 Januari 2026 22.00 WIB sampai 4 Januari 2026 02.00 WIB"
    assert lines[5].startswith("    sumber: ditambahkan oleh operator pada ")


def test_list_and_remove_config_window(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = tomorrow_at(22)
    path = tmp_path / "targets.toml"
    path.write_text(
        CONFIG.format(timezone="Asia/Jakarta")
        + CONFIG_WINDOW.format(
            start=start.strftime("%Y-%m-%dT%H:%M:%S"),
            end=(start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%S"),
        )
    )
    code, out, _ = run(capsys, "list", "-c", str(path), "--json")
    assert code == 0
    (entry,) = json.loads(out)
    assert entry["id"] == "ganti-ups"
    assert entry["source"] == "config"
    assert entry["active"] is False
    assert datetime.fromisoformat(entry["next_start"]) == start

    code, out, err = run(capsys, "remove", "-c", str(path), "ganti-ups")
    assert code == 1
    assert err == translate("maintenance.config_window", "id", id="ganti-ups", file=path) + "\n"


def test_remove_unknown_and_twice(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "remove", "-c", str(config_path), "db:7")
    assert code == 1
    assert err == translate("maintenance.not_found", "id", id="db:7") + "\n"
    code, _, err = run(capsys, "remove", "-c", str(config_path), "ganti-router", "--lang", "en")
    assert code == 1
    assert err == translate("maintenance.not_found", "en", id="ganti-router") + "\n"

    run(capsys, "add", "-c", str(config_path), "--target", "core-router", "--duration", "1h",
        "--reason", "x")  # fmt: skip
    assert run(capsys, "remove", "-c", str(config_path), "1")[0] == 0
    code, _, err = run(capsys, "remove", "-c", str(config_path), "1")
    assert code == 1
    assert err.startswith("jadwal pemeliharaan db:1 sudah dihapus pada ")
    assert err.endswith(" WIB oleh root\n")


# Bad input: each gives its translated message and exit code 2 ---------------------------


def bad_inputs(config: Path) -> list[tuple[list[str], str, dict[str, Any]]]:
    start = tomorrow_at(22)
    file = {"file": config}
    return [
        (["--duration", "1h", "--reason", "x"], "maintenance.no_scope", {}),
        (
            ["--target", "core-ruter", "--duration", "1h", "--reason", "x"],
            "maintenance.unknown_target",
            {"name": "core-ruter", "close": "core-router", **file},
        ),
        (
            ["--group", "Bapeda", "--duration", "1h", "--reason", "x"],
            "maintenance.unknown_group",
            {"name": "Bapeda", "close": "Bappeda", **file},
        ),
        (
            ["--network", "server", "--duration", "1h", "--reason", "x"],
            "maintenance.unknown_network",
            {"name": "server", "close": {"id": "tidak ada", "en": "none"}, **file},
        ),
        (["--target", "core-router", "--duration", "1h"], "maintenance.reason_missing", {}),
        (
            ["--target", "core-router", "--duration", "1h", "--reason", "   "],
            "maintenance.reason_missing",
            {},
        ),
        (
            ["--target", "core-router", "--duration", "1h", "--reason", "x" * 501],
            "maintenance.reason_too_long",
            {"length": 501, "limit": 500},
        ),
        (["--target", "core-router", "--reason", "x"], "maintenance.schedule_missing", {}),
        (
            ["--target", "core-router", "--start", local(start), "--reason", "x"],
            "maintenance.schedule_missing",
            {},
        ),
        (
            [
                "--target",
                "core-router",
                "--cron",
                "0 22 * * sat",
                "--start",
                local(start),
                "--duration",
                "1h",
                "--reason",
                "x",
            ],
            "maintenance.cron_with_start",
            {},
        ),
        (
            ["--target", "core-router", "--cron", "0 22 * * sat", "--reason", "x"],
            "maintenance.cron_needs_duration",
            {},
        ),
        (
            [
                "--target",
                "core-router",
                "--cron",
                "*/5 * * * *",
                "--duration",
                "5m",
                "--reason",
                "x",
            ],
            "maintenance.window_endless",
            {"value": "5m", "cron": "*/5 * * * *", "gap": "5m"},
        ),
        (
            [
                "--target",
                "core-router",
                "--start",
                local(start),
                "--end",
                local(start),
                "--duration",
                "1h",
                "--reason",
                "x",
            ],
            "maintenance.end_and_duration",
            {},
        ),
        (
            [
                "--target",
                "core-router",
                "--start",
                "5/12/2026 22:00",
                "--duration",
                "1h",
                "--reason",
                "x",
            ],
            "maintenance.bad_time",
            {"option": "--start", "value": "5/12/2026 22:00", "timezone": "Asia/Jakarta"},
        ),
        (
            ["--target", "core-router", "--end", "besok", "--reason", "x"],
            "maintenance.bad_time",
            {"option": "--end", "value": "besok", "timezone": "Asia/Jakarta"},
        ),
        (
            ["--target", "core-router", "--duration", "2 jam", "--reason", "x"],
            "maintenance.bad_duration",
            {"value": "2 jam"},
        ),
        (
            ["--target", "core-router", "--duration", "30s", "--reason", "x"],
            "maintenance.duration_out_of_range",
            {"value": "30s", "minimum": "1m", "maximum": "366d"},
        ),
        (
            ["--target", "core-router", "--duration", "9000h", "--reason", "x"],
            "maintenance.duration_out_of_range",
            {"value": "9000h", "minimum": "1m", "maximum": "366d"},
        ),
        (
            [
                "--target",
                "core-router",
                "--start",
                "2026-01-05 22:00",
                "--end",
                "2026-01-05 21:00",
                "--reason",
                "x",
            ],
            "maintenance.end_before_start",
            {
                "start": {"id": "5 Januari 2026 22.00 WIB", "en": "January 5, 2026 22:00 WIB"},
                "end": {"id": "5 Januari 2026 21.00 WIB", "en": "January 5, 2026 21:00 WIB"},
            },
        ),
        (
            [
                "--target",
                "core-router",
                "--start",
                "2026-01-05 22:00",
                "--end",
                "2026-01-06 02:00",
                "--reason",
                "x",
            ],
            "maintenance.end_in_past",
            {"end": {"id": "6 Januari 2026 02.00 WIB", "en": "January 6, 2026 02:00 WIB"}},
        ),
        (
            ["--target", "core-router", "--cron", "0 22 * *", "--duration", "1h", "--reason", "x"],
            "maintenance.bad_cron.field_count",
            {"cron": "0 22 * *", "count": 4},
        ),
        (
            [
                "--target",
                "core-router",
                "--cron",
                "0 25 * * sat",
                "--duration",
                "1h",
                "--reason",
                "x",
            ],
            "maintenance.bad_cron.field",
            {
                "cron": "0 25 * * sat",
                "field": {"id": "jam (0-23)", "en": "hour (0-23)"},
                "value": "25",
            },
        ),
        (
            [
                "--target",
                "core-router",
                "--cron",
                "0 22 * * 8",
                "--duration",
                "1h",
                "--reason",
                "x",
            ],
            "maintenance.bad_cron.field",
            {
                "cron": "0 22 * * 8",
                "field": {
                    "id": "hari (0-7 atau sun-sat; 0 dan 7 adalah Minggu)",
                    "en": "day of week (0-7 or sun-sat; 0 and 7 are Sunday)",
                },
                "value": "8",
            },
        ),
        (
            [
                "--target",
                "core-router",
                "--cron",
                "0 0 30 2 *",
                "--duration",
                "1h",
                "--reason",
                "x",
            ],
            "maintenance.bad_cron.never",
            {"cron": "0 0 30 2 *"},
        ),
    ]


def test_bad_inputs_give_translated_errors(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, key, params in bad_inputs(config_path):
        for language in ("id", "en"):
            # A parameter given as {"id": ..., "en": ...} is itself translated.
            expected_params = {
                name: value[language] if isinstance(value, dict) else value
                for name, value in params.items()
            }
            code, out, err = run(capsys, "add", "-c", str(config_path), "--lang", language, *argv)
            expected = translate(key, language, **expected_params) + "\n"
            assert (code, out, err) == (2, "", expected), argv
    assert not (config_path.parent / "pantau.db").exists()


def test_nonexistent_local_time_in_dst_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(CONFIG.format(timezone="Europe/Amsterdam"))
    # Clocks in Amsterdam go from 02:00 to 03:00 on 28 March 2027.
    argv = ["--target", "core-router", "--start", "2027-03-28 02:30", "--duration", "1h"]
    code, _, err = run(capsys, "add", "-c", str(path), *argv, "--reason", "x")
    assert code == 2
    expected = translate(
        "maintenance.nonexistent_time",
        "id",
        option="--start",
        value="2027-03-28 02:30",
        timezone="Europe/Amsterdam",
    )
    assert err == expected + "\n"


def test_time_with_offset_is_converted(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = tomorrow_at(22)
    in_utc = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M+00:00")
    code, _, _ = run(capsys, "add", "-c", str(config_path), "--target", "core-router",
                     "--start", in_utc, "--duration", "1h", "--reason", "x")  # fmt: skip
    assert code == 0
    (entry,) = json.loads(run(capsys, "list", "-c", str(config_path), "--json")[1])
    assert datetime.fromisoformat(entry["start"]) == start
    assert entry["start"].endswith("T22:00:00+07:00")


def test_missing_database_directory_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(
        CONFIG.format(timezone="Asia/Jakarta").replace('"pantau.db"', '"missing/pantau.db"')
    )
    code, _, err = run(capsys, "list", "-c", str(path))
    assert code == 2
    assert (
        err == translate("storage.directory_missing", "id", directory=tmp_path / "missing") + "\n"
    )


def test_help_in_both_languages() -> None:
    indonesian = pantau("add", "--help")
    english = pantau("--lang", "en", "add", "--help")
    assert indonesian.returncode == 0
    assert "alasan pemeliharaan" in indonesian.stdout
    assert "reason for the maintenance" in english.stdout


# Beside a running daemon ---------------------------------------------------------------


class FakeDaemonWriter:
    """A Storage writing probe results in a thread, as the daemon does, with its lock held."""

    def __init__(self, path: Path) -> None:
        self.storage = Storage(path, flush_interval=0.01, batch_size=50)
        self.storage.open()
        self.storage.start()
        # Held open, and so locked, until close(), as the daemon holds it.
        self.lock = Path(f"{path}.lock").open("a+")  # noqa: SIM115
        fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.stop = threading.Event()
        self.written = 0
        self.thread = threading.Thread(target=self._write, name="fake-daemon")
        self.thread.start()

    def _write(self) -> None:
        # Bounded: at most 100,000 results, for at most two minutes.
        deadline = time.monotonic() + 120
        while not self.stop.is_set() and self.written < 100_000 and time.monotonic() < deadline:
            for _ in range(50):
                self.storage.put(
                    ProbeResult(
                        target="core-router",
                        probe="icmp",
                        success=True,
                        reason="ok",
                        started=time.time(),
                        duration=0.001,
                        values={"loss_ratio": 0.0},
                    )
                )
                self.written += 1
            self.storage.flush()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.storage.close()
        self.lock.close()


@pytest.fixture
def daemon_writer(config_path: Path) -> Iterator[FakeDaemonWriter]:
    writer = FakeDaemonWriter(config_path.parent / "pantau.db")
    yield writer
    writer.close()


def test_cli_works_while_daemon_writes(config_path: Path, daemon_writer: FakeDaemonWriter) -> None:
    config = str(config_path)
    before = daemon_writer.written
    for number in range(1, 4):
        added = pantau("add", "-c", config, "--network", "opd", "--duration", "1h",
                       "--reason", f"uji {number}")  # fmt: skip
        assert added.returncode == 0, added.stderr
        assert added.stdout.startswith(f"jadwal pemeliharaan db:{number} ditambahkan")
        listed = pantau("list", "-c", config, "--json")
        assert listed.returncode == 0, listed.stderr
        assert [entry["id"] for entry in json.loads(listed.stdout)][-1] == f"db:{number}"
    removed = pantau("remove", "-c", config, "db:2")
    assert removed.returncode == 0, removed.stderr
    assert removed.stderr == ""

    windows = maintenance.load_database_windows(config_path.parent / "pantau.db")
    assert [window.name for window in windows] == ["db:1", "db:3"]
    assert daemon_writer.written > before
    assert daemon_writer.storage.stats().write_errors == 0
