"""The daemon end to end: `pantau run` in a lab namespace, scraped over HTTP.

Each test starts the real daemon inside the lab's prober namespace, so that
its listen port and its pings stay inside the namespace.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.lab.netns import REPOSITORY_ROOT, Lab

PORT = 9470
ENV = {"PYTHONPATH": str(REPOSITORY_ROOT), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}

pytestmark = pytest.mark.netns


def write_config(path: Path, targets: list[dict[str, str]], **daemon: str) -> Path:
    lines = [
        "[daemon]",
        f'listen = "127.0.0.1:{PORT}"',
        f'database = "{daemon.get("database", "pantau.db")}"',
        'language = "en"',
        "",
        "[defaults]",
        'interval = "1s"',
        'timeout = "300ms"',
        "down_after = 2",
        "up_after = 1",
        'icmp = { count = 3, packet_interval = "50ms" }',
        "",
    ]
    for target in targets:
        lines.append("[[targets]]")
        lines.extend(f'{key} = "{value}"' for key, value in target.items())
        lines.append("")
    path.write_text("\n".join(lines))
    return path


class RunningDaemon:
    """A `pantau run` process inside the lab's prober namespace."""

    def __init__(self, lab: Lab, config: Path, env: dict[str, str] | None = None) -> None:
        self.lab = lab
        self.config = config
        self.log = config.with_suffix(".log")
        with self.log.open("w") as log:
            self.process = lab.prober.popen(
                [sys.executable, "-m", "monitor.cli", "run", "-c", str(config)],
                env={**ENV, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def fetch(self, path: str = "/metrics") -> tuple[int, str]:
        code = textwrap.dedent(
            f"""
            import sys, urllib.request, urllib.error
            try:
                r = urllib.request.urlopen("http://127.0.0.1:{PORT}{path}", timeout=5)
                print(r.status); print(r.read().decode())
            except urllib.error.HTTPError as e:
                print(e.code); print(e.read().decode())
            """
        )
        completed = self.lab.prober.run([sys.executable, "-c", code], env=ENV)
        if completed.returncode != 0:
            return 0, completed.stderr
        status, _, body = completed.stdout.partition("\n")
        return int(status), body

    def samples(self) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        status, body = self.fetch()
        assert status == 200, body
        found = {}
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                found[(sample.name, frozenset(sample.labels.items()))] = sample.value
        return found

    def wait_for(self, condition: Callable[[dict], bool], timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        samples: dict = {}
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                samples = self.samples()
            except AssertionError:
                samples = {}
            if samples and condition(samples):
                return samples
            time.sleep(0.3)
        raise AssertionError(f"condition not met in {timeout} s; log:\n{self.log.read_text()}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=20)


def value(samples: dict, name: str, **labels: str) -> float | None:
    """Return the one sample called ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    matches = [
        sample_value
        for (sample_name, sample_labels), sample_value in samples.items()
        if sample_name == name and wanted <= set(sample_labels)
    ]
    assert len(matches) <= 1, f"{name}{labels} matches {len(matches)} samples"
    return matches[0] if matches else None


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    # The daemon inside the namespace runs as root and writes here.
    yield tmp_path


def test_metrics_by_value(lab: Lab, workdir: Path) -> None:
    alive = lab.add_host("a")
    silent = lab.add_host("b")
    silent.silence()
    config = write_config(
        workdir / "pantau.toml",
        [
            {"name": "alive", "address": alive.ipv4, "group": "Bappeda", "network": "opd"},
            {"name": "silent", "address": silent.ipv4, "group": "BPKD", "network": "opd"},
            {"name": "six", "address": alive.ipv6, "group": "Bappeda", "network": "opd"},
            {"name": "doc", "address": "192.0.2.10", "group": "Eksekutif", "network": "eksekutif"},
        ],
    )
    daemon = RunningDaemon(lab, config)
    try:
        samples = daemon.wait_for(
            lambda s: (
                (value(s, "pantau_icmp_packets_sent_total", target="silent") or 0) >= 6
                and (value(s, "pantau_icmp_packets_sent_total", target="alive") or 0) >= 6
            )
        )
        assert value(samples, "pantau_probe_success", target="alive", probe="icmp") == 1.0
        assert value(samples, "pantau_probe_success", target="silent", probe="icmp") == 0.0
        assert value(samples, "pantau_probe_success", target="six", probe="icmp") == 1.0
        assert value(samples, "pantau_target_status", target="alive", status="up") == 1.0
        assert value(samples, "pantau_target_status", target="silent", status="down") == 1.0
        assert value(samples, "pantau_target_status", target="doc", status="unconfigured") == 1.0
        assert value(samples, "pantau_probe_success", target="doc") is None
        assert value(samples, "pantau_icmp_packets_received_total", target="silent") == 0.0
        assert value(samples, "pantau_icmp_last_loss_ratio", target="silent") == 1.0
        assert (
            value(samples, "pantau_icmp_last_rtt_seconds", target="silent", stat="median") is None
        )
        median = value(samples, "pantau_icmp_last_rtt_seconds", target="alive", stat="median")
        assert median is not None and 0 < median < 0.05
        sent = value(samples, "pantau_icmp_packets_sent_total", target="alive", ip_version="4")
        received = value(samples, "pantau_icmp_packets_received_total", target="alive")
        count = value(samples, "pantau_icmp_rtt_seconds_count", target="alive")
        assert sent is not None and sent % 3 == 0
        assert received == count
        assert value(samples, "pantau_icmp_packets_sent_total", target="six", ip_version="6")
        assert value(samples, "pantau_target_info", target="doc", address="192.0.2.10") == 1.0
        assert value(samples, "pantau_config_last_reload_successful") == 1.0
        assert value(samples, "pantau_build_info") == 1.0
        assert value(samples, "pantau_node_load1") is not None
        assert silent.echo_requests_seen() > 0
        status, body = daemon.fetch("/healthz")
        assert (status, body.strip()) == (200, "ok")
    finally:
        assert daemon.stop() == 0


def test_promtool_accepts_scrape(lab: Lab, workdir: Path) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool not found: install the Debian package prometheus"
    host = lab.add_host("a")
    config = write_config(workdir / "pantau.toml", [{"name": "a", "address": host.ipv4}])
    daemon = RunningDaemon(lab, config)
    try:
        daemon.wait_for(lambda s: value(s, "pantau_probe_success", target="a") == 1.0)
        _, body = daemon.fetch()
    finally:
        daemon.stop()
    checked = subprocess.run(
        [promtool, "check", "metrics"], input=body, capture_output=True, text=True, timeout=30
    )
    assert checked.stdout + checked.stderr == ""
    assert checked.returncode == 0


def test_reload_removes_target(lab: Lab, workdir: Path) -> None:
    a = lab.add_host("a")
    b = lab.add_host("b")
    b.silence()
    path = workdir / "pantau.toml"
    write_config(path, [{"name": "A", "address": a.ipv4}, {"name": "B", "address": b.ipv4}])
    daemon = RunningDaemon(lab, path)
    try:
        daemon.wait_for(
            lambda s: (
                value(s, "pantau_probe_success", target="B") == 0.0
                and value(s, "pantau_probe_success", target="A") == 1.0
            )
        )
        write_config(path, [{"name": "A", "address": a.ipv4}])
        daemon.process.send_signal(signal.SIGHUP)
        samples = daemon.wait_for(lambda s: not [key for key in s if ("target", "B") in key[1]])
        assert value(samples, "pantau_probe_success", target="A") == 1.0
        assert value(samples, "pantau_config_last_reload_successful") == 1.0

        # An invalid file is rejected and the running configuration stays.
        path.write_text(path.read_text().replace('interval = "1s"', 'interval = "soon"'))
        daemon.process.send_signal(signal.SIGHUP)
        samples = daemon.wait_for(lambda s: value(s, "pantau_config_last_reload_successful") == 0.0)
        assert value(samples, "pantau_probe_success", target="A") == 1.0
    finally:
        assert daemon.stop() == 0
    assert "configuration reload failed, keeping the previous one" in daemon.log.read_text()


def test_timed_out_target_stays_with_success_zero(lab: Lab, workdir: Path) -> None:
    a = lab.add_host("a")
    # A resolver that reads queries and never answers: the run is cut at its
    # timeout while getaddrinfo still waits.
    silent_dns = (
        "import socket\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.bind(('127.0.0.53', 53))\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    s.recv(4096)\n"
    )
    resolver = lab.prober.popen(
        [sys.executable, "-c", silent_dns], stdout=subprocess.PIPE, text=True
    )
    assert resolver.stdout is not None and resolver.stdout.readline().strip() == "ready"
    config = write_config(
        workdir / "pantau.toml",
        [{"name": "fast", "address": a.ipv4}, {"name": "hung", "address": "slow.pantau.lab"}],
    )
    daemon = RunningDaemon(lab, config)
    try:
        samples = daemon.wait_for(
            lambda s: (value(s, "pantau_probe_timeouts_total") or 0) >= 2, timeout=40
        )
        assert value(samples, "pantau_probe_success", target="hung") == 0.0
        assert value(samples, "pantau_probe_success", target="fast") == 1.0
        # The fast target kept its one-second rhythm while the other hung.
        first = value(samples, "pantau_icmp_packets_sent_total", target="fast")
        time.sleep(3)
        later = daemon.samples()
        assert value(later, "pantau_icmp_packets_sent_total", target="fast") >= first + 6
        assert value(later, "pantau_probe_success", target="hung") == 0.0
    finally:
        daemon.stop()
    assert "probe timed out: target=hung probe=icmp" in daemon.log.read_text()


def test_sigterm_flushes_results(lab: Lab, workdir: Path) -> None:
    a = lab.add_host("a")
    config = write_config(workdir / "pantau.toml", [{"name": "a", "address": a.ipv4}])
    daemon = RunningDaemon(lab, config)
    samples = daemon.wait_for(
        lambda s: (value(s, "pantau_icmp_packets_sent_total", target="a") or 0) >= 9
    )
    assert samples
    assert daemon.stop() == 0
    rows = (
        sqlite3.connect(workdir / "pantau.db")
        .execute("SELECT target, probe, success, values_json FROM results WHERE target = 'a'")
        .fetchall()
    )
    assert len(rows) >= 3
    assert {row[:3] for row in rows} == {("a", "icmp", 1)}
    assert json.loads(rows[0][3])["sent"] == 3


def test_kill_9_keeps_database_usable(lab: Lab, workdir: Path) -> None:
    a = lab.add_host("a")
    config = write_config(workdir / "pantau.toml", [{"name": "a", "address": a.ipv4}])
    daemon = RunningDaemon(lab, config)
    daemon.wait_for(lambda s: (value(s, "pantau_icmp_packets_sent_total", target="a") or 0) >= 9)
    time.sleep(1.5)  # at least one flush interval, so rows are committed
    os.kill(daemon.process.pid, signal.SIGKILL)
    daemon.process.wait(timeout=10)
    database = sqlite3.connect(workdir / "pantau.db")
    assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert database.execute("SELECT count(*) FROM results").fetchone()[0] >= 2


def test_invalid_config_exits_2_in_both_languages(lab: Lab, workdir: Path) -> None:
    path = workdir / "broken.toml"
    path.write_text('[daemon]\nlisten = "127.0.0.1:9470"\ncolour = "blue"\n')
    completed = lab.prober.run(
        [sys.executable, "-m", "monitor.cli", "run", "-c", str(path)], env=ENV
    )
    assert completed.returncode == 2
    assert "konfigurasi tidak valid" in completed.stderr
    assert "configuration is invalid" in completed.stderr
    assert "daemon.colour" in completed.stderr


def test_no_icmp_socket_stops_daemon(lab: Lab, workdir: Path) -> None:
    lab.prober.set_ping_group_range(1, 0)
    a = lab.add_host("a")
    config = write_config(workdir / "pantau.toml", [{"name": "a", "address": a.ipv4}])
    completed = lab.prober.run(
        [
            "setpriv",
            "--inh-caps=-net_raw",
            "--bounding-set=-net_raw",
            "--",
            sys.executable,
            "-m",
            "monitor.cli",
            "run",
            "-c",
            str(config),
            "--lang",
            "id",
        ],
        env=ENV,
        timeout=30,
    )
    assert completed.returncode == 2
    assert "soket ICMP tidak bisa dibuka" in completed.stderr
    assert "CAP_NET_RAW" in completed.stderr
    assert "net.ipv4.ping_group_range" in completed.stderr
    assert a.echo_requests_seen() == 0


def test_scrape_during_reloads_sees_whole_inventories(lab: Lab, workdir: Path) -> None:
    # Every scrape shows the old target set or the new one, never a mix.
    a = lab.add_host("a")
    path = workdir / "pantau.toml"
    first = [{"name": f"old{i}", "address": a.ipv4} for i in range(30)]
    second = [{"name": f"new{i}", "address": a.ipv4} for i in range(30)]
    write_config(path, first)
    daemon = RunningDaemon(lab, path)
    seen: set[frozenset[str]] = set()
    try:
        daemon.wait_for(lambda s: value(s, "pantau_target_info", target="old0") == 1.0)
        for round_number in range(6):
            write_config(path, second if round_number % 2 == 0 else first)
            daemon.process.send_signal(signal.SIGHUP)
            for _ in range(5):
                names = {
                    dict(labels)["target"]
                    for name, labels in daemon.samples()
                    if name == "pantau_target_info"
                }
                seen.add(frozenset(names))
    finally:
        assert daemon.stop() == 0
    old = frozenset(t["name"] for t in first)
    new = frozenset(t["name"] for t in second)
    assert seen <= {old, new}
    assert seen == {old, new}


def test_second_daemon_on_same_database_refused(lab: Lab, workdir: Path) -> None:
    a = lab.add_host("a")
    config = write_config(workdir / "one.toml", [{"name": "a", "address": a.ipv4}])
    other = workdir / "two.toml"
    other.write_text(config.read_text().replace(f"127.0.0.1:{PORT}", "127.0.0.1:9471"))
    daemon = RunningDaemon(lab, config)
    try:
        daemon.wait_for(lambda s: value(s, "pantau_probe_success", target="a") == 1.0)
        second = lab.prober.run(
            [sys.executable, "-m", "monitor.cli", "run", "-c", str(other), "--lang", "en"],
            env=ENV,
            timeout=30,
        )
        assert second.returncode == 2
        assert "is in use by another Pantau daemon" in second.stderr
        assert f"pid {daemon.process.pid}" in second.stderr or "pid " in second.stderr
    finally:
        assert daemon.stop() == 0


def test_name_of_placeholder_is_unconfigured(lab: Lab, workdir: Path) -> None:
    lab.add_resolver({"doc.pantau.lab": ["192.0.2.77"]})
    config = write_config(workdir / "pantau.toml", [{"name": "doc", "address": "doc.pantau.lab"}])
    daemon = RunningDaemon(lab, config)
    try:
        samples = daemon.wait_for(
            lambda s: value(s, "pantau_probe_success", target="doc") is not None, timeout=15
        )
        time.sleep(3)  # more cycles than down_after
        samples = daemon.samples()
        assert value(samples, "pantau_target_status", target="doc", status="unconfigured") == 1.0
        assert value(samples, "pantau_target_status", target="doc", status="down") == 0.0
    finally:
        assert daemon.stop() == 0
    assert "ERROR" not in daemon.log.read_text()
