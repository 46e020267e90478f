"""The `pantau` command line: check-config, probe and the shipped inventories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from monitor import config
from monitor.state import SERVICE_PROBES
from tests.lab.netns import REPOSITORY_ROOT, Lab
from tests.test_daemon import ENV, RunningDaemon, value, write_config

TARGETS = REPOSITORY_ROOT / "config" / "targets.toml"
DEMO = REPOSITORY_ROOT / "config" / "demo.toml"


def pantau(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor.cli", *argv],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=REPOSITORY_ROOT,
        timeout=60,
    )


def test_check_config_regency_inventory() -> None:
    completed = pantau("check-config", "-c", str(TARGETS))
    assert completed.returncode == 0, completed.stderr
    assert "konfigurasi valid" in completed.stdout
    assert "38 target (0 terkonfigurasi, 38 BELUM DIKONFIGURASI)" in completed.stdout
    assert "jaringan: eksekutif, opd, server" in completed.stdout


def test_check_config_demo_in_english() -> None:
    completed = pantau("check-config", "-c", str(DEMO), "--lang", "en")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("configuration is valid")
    assert "targets: 6 (6 configured, 0 UNCONFIGURED)" in completed.stdout


def test_check_config_invalid_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[defaults]\ninterval = "30"\n')
    completed = pantau("check-config", "-c", str(path))
    assert completed.returncode == 1
    assert "konfigurasi tidak valid" in completed.stderr
    assert "configuration is invalid" in completed.stderr
    assert "defaults.interval" in completed.stderr


def test_missing_config_file_exits_2(tmp_path: Path) -> None:
    completed = pantau("check-config", "-c", str(tmp_path / "none.toml"), "--lang", "en")
    assert completed.returncode == 2
    assert "none.toml not found" in completed.stderr


def test_config_path_from_environment(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "check-config", "--lang", "en"],
        capture_output=True,
        text=True,
        env={**ENV, "PANTAU_CONFIG": str(DEMO)},
        cwd=tmp_path,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert str(DEMO) in completed.stdout


def test_help_in_both_languages() -> None:
    indonesian = pantau("probe", "--help")
    english = pantau("--lang", "en", "probe", "--help")
    assert "keluaran JSON" in indonesian.stdout
    assert "JSON output" in english.stdout


@pytest.mark.netns
def test_regency_inventory_sends_no_packet() -> None:
    # An empty namespace: loopback only, down. Nothing may leave it. Every
    # ping and every service check is reported as not configured.
    inventory = config.load(TARGETS, environ={}, require_secrets=False)
    checks = len(inventory.targets) + sum(
        kind in target.probes for target in inventory.targets for kind in SERVICE_PROBES
    )
    assert (len(inventory.targets), checks) == (38, 46)
    with Lab(ping_group_range=None) as lab:
        before = lab.prober.tx_packets()
        for language, label in (("id", "BELUM DIKONFIGURASI"), ("en", "UNCONFIGURED")):
            completed = lab.prober.run(
                [
                    sys.executable,
                    "-m",
                    "monitor.cli",
                    "probe",
                    "-c",
                    str(TARGETS),
                    "--lang",
                    language,
                ],
                env=ENV,
            )
            assert completed.returncode == 0, completed.stderr
            assert completed.stdout.count(label) == checks
        as_json = lab.prober.run(
            [sys.executable, "-m", "monitor.cli", "probe", "-c", str(TARGETS), "--json"], env=ENV
        )
        results = json.loads(as_json.stdout)
        assert len(results) == checks
        assert {r["reason"] for r in results} == {"unconfigured"}
        assert lab.prober.tx_packets() == before


@pytest.mark.netns
def test_probe_exit_codes_and_languages(lab: Lab, tmp_path: Path) -> None:
    alive = lab.add_host("a")
    silent = lab.add_host("b")
    silent.silence()
    config = write_config(
        tmp_path / "p.toml",
        [{"name": "alive", "address": alive.ipv4}, {"name": "silent", "address": silent.ipv4}],
    )
    base = [sys.executable, "-m", "monitor.cli", "probe", "-c", str(config)]

    # The file says language = "en"; --lang overrides it.
    ok = lab.prober.run([*base, "--lang", "id", "alive"], env=ENV)
    assert ok.returncode == 0, ok.stderr
    assert "BERHASIL" in ok.stdout

    failed = lab.prober.run([*base, "--lang", "id"], env=ENV)
    assert failed.returncode == 1
    assert "GAGAL" in failed.stdout
    assert "tidak ada balasan dalam batas waktu" in failed.stdout
    assert "1 berhasil, 1 gagal, 0 belum dikonfigurasi" in failed.stdout

    english = lab.prober.run([*base, "--lang", "en", "-v", "silent"], env=ENV)
    assert english.returncode == 1
    assert "no reply within the timeout" in english.stdout
    assert english.stdout.count("rtt=lost") == 3

    unknown = lab.prober.run([*base, "--lang", "en", "nope"], env=ENV)
    assert unknown.returncode == 2
    assert "target 'nope' is not in" in unknown.stderr


@pytest.mark.netns
def test_daemon_and_probe_ping_at_once(lab: Lab, tmp_path: Path) -> None:
    # The daemon and `pantau probe` share the machine's raw ICMP traffic:
    # each must see only its own replies.
    alive = lab.add_host("a")
    silent = lab.add_host("b")
    silent.silence()
    config = write_config(
        tmp_path / "both.toml",
        [{"name": "alive", "address": alive.ipv4}, {"name": "silent", "address": silent.ipv4}],
    )
    daemon = RunningDaemon(lab, config)
    try:
        daemon.wait_for(lambda s: value(s, "pantau_probe_success", target="alive") == 1.0)
        for _ in range(3):
            completed = lab.prober.run(
                [sys.executable, "-m", "monitor.cli", "probe", "-c", str(config), "--json"],
                env=ENV,
            )
            results = {r["target"]: r for r in json.loads(completed.stdout)}
            assert results["alive"]["values"]["received"] == 3
            assert results["silent"]["values"]["received"] == 0
            assert results["silent"]["values"]["duplicates"] == 0
        samples = daemon.samples()
        assert value(samples, "pantau_icmp_packets_received_total", target="silent") == 0.0
        assert value(samples, "pantau_icmp_duplicate_replies_total", target="silent") == 0.0
        assert (value(samples, "pantau_icmp_packets_sent_total", target="silent") or 0) >= 6
    finally:
        assert daemon.stop() == 0


@pytest.mark.netns
def test_demo_config_all_targets_up(lab: Lab, tmp_path: Path) -> None:
    # The quick start's configuration, with its database moved out of the
    # repository, run where port 9470 is free.
    demo = tmp_path / "demo.toml"
    demo.write_text(DEMO.read_text().replace('database = "pantau-demo.db"', 'database = "demo.db"'))
    daemon = RunningDaemon(lab, demo)
    names = (
        "router-demo", "opd-bappeda", "opd-bpkd", "opd-dispar", "server-demo-v6", "aplikasi-demo",
    )  # fmt: skip
    try:
        checks = [(name, "icmp") for name in names]
        checks += [("aplikasi-demo", "tcp"), ("aplikasi-demo", "http")]
        samples = daemon.wait_for(
            lambda s: all(
                value(s, "pantau_probe_success", target=name, probe=probe) == 1.0
                for name, probe in checks
            ),
            timeout=15,
        )
        assert all(
            value(samples, "pantau_target_status", target=name, status="up") == 1.0
            for name in names
        )
        for name in names:
            median = value(samples, "pantau_icmp_last_rtt_seconds", target=name, stat="median")
            assert median is not None and 0 < median < 0.01
        assert value(
            samples, "pantau_icmp_packets_sent_total", target="server-demo-v6", ip_version="6"
        )
    finally:
        assert daemon.stop() == 0


def test_unknown_targets_get_suggestions() -> None:
    completed = pantau("probe", "-c", str(DEMO), "--lang", "en", "opd-bapeda", "rooter-demo")
    assert completed.returncode == 2
    assert "target 'opd-bapeda' is not in" in completed.stderr
    assert "similar: opd-bappeda" in completed.stderr
    assert "target 'rooter-demo' is not in" in completed.stderr
    assert "similar: router-demo" in completed.stderr


def test_bad_duration_is_usage_error() -> None:
    completed = pantau("probe", "-c", str(DEMO), "--send-interval", "5")
    assert completed.returncode == 2
    assert "usage: pantau probe" in completed.stderr
    assert "durasi '5' tidak valid" in completed.stderr


def test_broadcast_target_rejected(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text('[[targets]]\nname = "lan"\naddress = "255.255.255.255"\n')
    completed = pantau("check-config", "-c", str(path), "--lang", "en")
    assert completed.returncode == 1
    assert 'address "255.255.255.255" is the broadcast address' in completed.stderr
