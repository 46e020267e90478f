"""The systemd notify protocol against real Unix datagram sockets.

The end-to-end tests run `pantau run` on a copy of config/demo.toml (loopback
addresses only) with NOTIFY_SOCKET pointing at a socket the test reads, the
way systemd runs the daemon under Type=notify.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.sd_notify import Notifier, ping_watchdog

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
# Upper bound on waiting for a message from the daemon; a deadline, not a
# measurement: the tests assert what arrives, never how fast.
PATIENCE = 60.0
# The daemon runs with --lang en; the summary follows the daemon's language.
STATUS_PATTERN = re.compile(
    r"^STATUS=6 targets: \d+ up, \d+ down, \d+ degraded, \d+ unreachable;"
    r" \d+ notifications pending$"
)


def receiver(address: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.settimeout(PATIENCE)
    return sock


def read_message(sock: socket.socket) -> list[str]:
    return sock.recv(4096).decode().split("\n")


def wait_for(sock: socket.socket, field: str, seen: list[list[str]]) -> list[str]:
    """Read messages until one contains ``field``; keep every message in ``seen``."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        message = read_message(sock)
        seen.append(message)
        if field in message:
            return message
    raise AssertionError(f"no {field} within {PATIENCE} s; received {seen}")


def test_sends_fields_as_one_datagram(tmp_path: Path) -> None:
    path = str(tmp_path / "notify")
    with receiver(path) as sock:
        notifier = Notifier(path)
        assert notifier.ready("3 targets: 3 up")
        assert read_message(sock) == ["READY=1", "STATUS=3 targets: 3 up"]
        assert notifier.stopping()
        assert read_message(sock) == ["STOPPING=1"]
        notifier.close()


def test_reloading_carries_the_monotonic_clock(tmp_path: Path) -> None:
    path = str(tmp_path / "notify")
    with receiver(path) as sock:
        before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        Notifier(path).reloading()
        after = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        first, second = read_message(sock)
    assert first == "RELOADING=1"
    assert second.startswith("MONOTONIC_USEC=")
    assert before <= int(second.removeprefix("MONOTONIC_USEC=")) <= after


def test_abstract_namespace_socket() -> None:
    name = f"pantau-test-{uuid.uuid4().hex}"
    with receiver("\0" + name) as sock:
        assert Notifier.from_environment({"NOTIFY_SOCKET": "@" + name}).watchdog()
        assert read_message(sock) == ["WATCHDOG=1"]


def test_without_notify_socket_nothing_is_sent() -> None:
    notifier = Notifier.from_environment({"WATCHDOG_USEC": "2000000"})
    assert not notifier.enabled
    assert not notifier.ready("ignored")
    assert notifier.watchdog_interval is None


def test_watchdog_interval_is_half_the_timeout() -> None:
    env = {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": str(os.getpid())}
    assert Notifier.from_environment(env).watchdog_interval == 1.0


@pytest.mark.parametrize(
    "env",
    [
        {"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"},
        {"WATCHDOG_USEC": "0"},
        {"WATCHDOG_USEC": "soon"},
        {},
    ],
)
def test_watchdog_only_for_this_process(env: dict[str, str]) -> None:
    notifier = Notifier.from_environment({"NOTIFY_SOCKET": "/run/x", **env})
    assert notifier.watchdog_interval is None


def test_unsupported_socket_kind_disables_the_notifier(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        notifier = Notifier("vsock:2:1234")
    assert not notifier.enabled
    assert not notifier.ready()
    assert "vsock:2:1234" in caplog.text


def test_send_failure_is_logged_once_and_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = Notifier(str(tmp_path / "nobody-listens"))
    with caplog.at_level(logging.WARNING, logger="monitor.sd_notify"):
        assert not notifier.watchdog()
        assert not notifier.watchdog()
        assert not notifier.stopping()
    assert len(caplog.records) == 1
    assert "nobody-listens" in caplog.records[0].getMessage()


@given(st.text())
def test_status_is_always_one_line(text: str) -> None:
    sent: list[tuple[str, ...]] = []

    class Recording(Notifier):
        def send(self, *lines: str) -> bool:
            sent.append(lines)
            return True

    Recording("/run/x").status(text)
    (lines,) = sent
    assert len(lines) == 1
    assert "\n" not in lines[0]
    assert lines[0] == "STATUS=" + " ".join(text.split())


def test_blocked_event_loop_sends_no_watchdog_pings(tmp_path: Path) -> None:
    path = str(tmp_path / "notify")
    # 0.05 s between pings: a ten times longer block would see about ten
    # pings if they came from anywhere but the loop.
    notifier = Notifier(path, watchdog_usec=100_000)
    block = 10 * notifier.watchdog_interval  # type: ignore[operator]
    during_block: list[int] = []

    def count_pending(sock: socket.socket) -> int:
        count = 0
        sock.setblocking(False)
        try:
            while True:
                assert sock.recv(4096) == b"WATCHDOG=1"
                count += 1
        except BlockingIOError:
            return count
        finally:
            sock.setblocking(True)

    def blocking_callback(sock: socket.socket) -> None:
        count_pending(sock)
        time.sleep(block)
        during_block.append(count_pending(sock))

    async def scenario(sock: socket.socket) -> int:
        task = asyncio.create_task(ping_watchdog(notifier))
        await asyncio.sleep(block)
        asyncio.get_running_loop().call_soon(blocking_callback, sock)
        await asyncio.sleep(0)  # the callback runs and blocks the loop
        # Pings resume once the loop runs again.
        received = 0
        while received < 3:
            await asyncio.sleep(notifier.watchdog_interval)  # type: ignore[arg-type]
            received += count_pending(sock)
        task.cancel()
        return received

    with receiver(path) as sock:
        after_block = asyncio.run(scenario(sock))
    notifier.close()
    assert during_block == [0]
    assert after_block >= 3


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def demo_config(tmp_path: Path) -> Path:
    text = (REPOSITORY_ROOT / "config" / "demo.toml").read_text()
    text = text.replace('"127.0.0.1:9470"', f'"127.0.0.1:{free_port()}"')
    text = text.replace('"pantau-demo.db"', f'"{tmp_path / "demo.db"}"')
    assert str(tmp_path) in text  # the demo file changed shape: fix the replacements
    path = tmp_path / "demo.toml"
    path.write_text(text)
    return path


@pytest.fixture
def daemon_with_socket(
    tmp_path: Path, demo_config: Path
) -> Iterator[tuple[subprocess.Popen[bytes], socket.socket]]:
    path = str(tmp_path / "notify")
    env = {
        "PYTHONPATH": str(REPOSITORY_ROOT),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "NOTIFY_SOCKET": path,
        "WATCHDOG_USEC": "2000000",
    }
    with receiver(path) as sock, (tmp_path / "daemon.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli", "run", "-c", str(demo_config), "--lang", "en"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process, sock
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_daemon_reports_ready_status_watchdog_and_stopping(
    daemon_with_socket: tuple[subprocess.Popen[bytes], socket.socket], tmp_path: Path
) -> None:
    process, sock = daemon_with_socket
    seen: list[list[str]] = []

    ready = wait_for(sock, "READY=1", seen)
    assert ready[0] == "READY=1"
    assert STATUS_PATTERN.match(ready[1]), ready

    # WATCHDOG_USEC=2 s requests a ping every second; wait for several, and
    # for a STATUS refresh (every 5 s) on the way.
    while sum(message == ["WATCHDOG=1"] for message in seen) < 3:
        wait_for(sock, "WATCHDOG=1", seen)
    refresh = [m for m in seen if m[0].startswith("STATUS=")]
    while not refresh:
        message = read_message(sock)
        seen.append(message)
        refresh = [m for m in seen if m[0].startswith("STATUS=")]
    assert STATUS_PATTERN.match(refresh[0][0]), refresh

    process.send_signal(signal.SIGHUP)
    reloading = wait_for(sock, "RELOADING=1", seen)
    assert reloading[1].startswith("MONOTONIC_USEC=")
    after_reload = wait_for(sock, "READY=1", seen)
    assert STATUS_PATTERN.match(after_reload[1]), after_reload

    process.send_signal(signal.SIGTERM)
    wait_for(sock, "STOPPING=1", seen)
    assert process.wait(timeout=PATIENCE) == 0, (tmp_path / "daemon.log").read_text()


def test_daemon_without_watchdog_sends_no_pings(tmp_path: Path, demo_config: Path) -> None:
    path = str(tmp_path / "notify")
    env = {
        "PYTHONPATH": str(REPOSITORY_ROOT),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "NOTIFY_SOCKET": path,
    }
    with receiver(path) as sock:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli", "run", "-c", str(demo_config), "--lang", "en"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            seen: list[list[str]] = []
            wait_for(sock, "READY=1", seen)
            process.send_signal(signal.SIGTERM)
            wait_for(sock, "STOPPING=1", seen)
            assert process.wait(timeout=PATIENCE) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert ["WATCHDOG=1"] not in seen
