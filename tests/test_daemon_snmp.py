"""The daemon polling a real snmpd: SNMP results in /metrics and in SQLite."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lab import snmp as lab_snmp
from tests.lab.netns import Lab
from tests.test_daemon import ENV, PORT, RunningDaemon, value

pytestmark = pytest.mark.netns

COMMUNITY_ENV = "PANTAU_TEST_COMMUNITY"
PANTAU = [sys.executable, "-m", "monitor.cli"]


def write_snmp_config(path: Path, address: str) -> Path:
    path.write_text(
        f"""
[daemon]
listen = "127.0.0.1:{PORT}"
database = "pantau.db"
language = "en"

[defaults]
interval = "2s"
timeout = "1s"
icmp = {{ count = 2, packet_interval = "50ms" }}

[credentials.lab]
version = "2c"
community_env = "{COMMUNITY_ENV}"

[[targets]]
name = "router"
address = "{address}"
group = "Bappeda"
network = "opd"
probes = ["icmp", "snmp"]
snmp = {{ credential = "lab", profiles = ["system", "interfaces", "host-resources", "ucd"] }}
"""
    )
    return path


def snmpbulkwalk_column(lab: Lab, address: str, column: str) -> dict[str, str]:
    """Walk one IF-MIB column with net-snmp; return its values by ifIndex."""
    argv = ["snmpbulkwalk", "-m", "", "-On", "-Oq", "-v2c", "-c", lab_snmp.LAB_COMMUNITY]
    argv += [address, column]
    completed = lab.prober.run(argv)
    assert completed.returncode == 0, completed.stderr
    values = {}
    for line in completed.stdout.splitlines():
        oid, _, text = line.partition(" ")
        values[oid.rsplit(".", 1)[1]] = text.strip().strip('"')
    return values


IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_OPER_STATUS = "1.3.6.1.2.1.2.2.1.8"


def test_snmp_target_exported_and_stored(lab: Lab, tmp_path: Path) -> None:
    host = lab.add_host("r")
    lab_snmp.add_links(lab, host)
    agent = lab_snmp.start_snmpd(host)
    config = write_snmp_config(tmp_path / "snmp.toml", host.ipv4)
    daemon = RunningDaemon(lab, config, env={COMMUNITY_ENV: lab_snmp.LAB_COMMUNITY})
    try:
        samples = daemon.wait_for(
            lambda s: (
                value(s, "pantau_probe_success", target="router", probe="snmp") == 1.0
                and value(s, "pantau_probe_success", target="router", probe="icmp") == 1.0
            ),
            timeout=30,
        )
        names = snmpbulkwalk_column(lab, host.ipv4, IF_NAME)
        statuses = snmpbulkwalk_column(lab, host.ipv4, IF_OPER_STATUS)
        exported = {
            dict(labels)["if_index"]: dict(labels)["if_name"]
            for name, labels in samples
            if name == "pantau_interface_info"
        }
        assert exported == names
        assert set(names.values()) >= {"lo", "eth0", "eth1", "eth2"}
        uptime = value(samples, "pantau_snmp_sys_uptime_seconds", target="router")
        assert uptime is not None and uptime > 0
        for index, status in statuses.items():
            exported_status = value(
                samples, "pantau_interface_oper_status", target="router", if_index=index
            )
            assert exported_status == float(status)
        eth0 = next(index for index, name in names.items() if name == "eth0")
        received = value(
            samples, "pantau_interface_receive_bytes_total", target="router", if_index=eth0
        )
        assert received is not None
        assert value(samples, "pantau_target_status", target="router", status="up") == 1.0
        assert value(samples, "pantau_snmp_reboots_total", target="router") == 0.0

        # From the second poll on, the daemon has rates between polls.
        def has_utilisation(samples: dict) -> bool:
            ratio = value(
                samples,
                "pantau_interface_utilisation_ratio",
                target="router",
                if_index=eth0,
                direction="receive",
            )
            return ratio is not None

        samples = daemon.wait_for(has_utilisation, timeout=15)
        ratio = value(
            samples,
            "pantau_interface_utilisation_ratio",
            target="router",
            if_index=eth0,
            direction="receive",
        )
        assert ratio is not None and 0 <= ratio < 0.01
        _, body = daemon.fetch()
    finally:
        assert daemon.stop() == 0
        agent.stop()

    promtool = shutil.which("promtool")
    assert promtool, "promtool not found: install the Debian package prometheus"
    checked = subprocess.run(
        [promtool, "check", "metrics"], input=body, capture_output=True, text=True, timeout=30
    )
    assert checked.stdout + checked.stderr == ""

    rows = (
        sqlite3.connect(tmp_path / "pantau.db")
        .execute(
            "SELECT values_json FROM results"
            " WHERE target = 'router' AND probe = 'snmp' AND success = 1"
        )
        .fetchall()
    )
    assert rows
    stored = json.loads(rows[-1][0])
    assert stored["interfaces"] >= 4
    assert stored["sysuptime_seconds"] > 0

    history = (
        sqlite3.connect(tmp_path / "pantau.db")
        .execute(
            "SELECT if_name, receive_bytes_per_second, receive_utilisation, rate_missing_reason"
            " FROM interface_results WHERE target = 'router' ORDER BY started"
        )
        .fetchall()
    )
    eth0_rows = [row for row in history if row[0] == "eth0"]
    assert eth0_rows[0][3] == "first_poll"
    with_rates = [row for row in eth0_rows if row[1] is not None]
    assert with_rates, eth0_rows
    assert with_rates[0][1] >= 0
    assert 0 <= with_rates[0][2] < 0.01


def test_snmp_wrong_community_is_failure(lab: Lab, tmp_path: Path) -> None:
    host = lab.add_host("r")
    agent = lab_snmp.start_snmpd(host)
    config = write_snmp_config(tmp_path / "snmp.toml", host.ipv4)
    daemon = RunningDaemon(lab, config, env={COMMUNITY_ENV: "not-the-community"})
    try:
        samples = daemon.wait_for(
            lambda s: value(s, "pantau_probe_success", target="router", probe="snmp") == 0.0,
            timeout=30,
        )
        # Ping still answers: the device is up, its agent is not talking to us.
        assert value(samples, "pantau_probe_success", target="router", probe="icmp") == 1.0
        assert value(samples, "pantau_target_status", target="router", status="up") == 1.0
        assert value(samples, "pantau_interface_info", target="router") is None
    finally:
        daemon.process.send_signal(signal.SIGTERM)
        daemon.process.wait(timeout=20)
        agent.stop()


def write_probe_config(path: Path, address: str, port: int) -> Path:
    path.write_text(
        f"""
[daemon]
database = "pantau.db"
language = "en"

[defaults]
timeout = "10s"
interval = "30s"

[credentials.lab]
version = "2c"
community_env = "{COMMUNITY_ENV}"

[[targets]]
name = "switch"
address = "{address}"
probes = ["snmp"]
snmp = {{ credential = "lab", port = {port}, profiles = ["system", "interfaces"] }}
"""
    )
    return path


def interface_table(output: str) -> dict[str, tuple[str, str]]:
    """Read `pantau probe`'s interface table: name -> (status, speed)."""
    rows = {}
    in_table = False
    for line in output.splitlines():
        if line.strip().startswith("INTERFACE"):
            in_table = True
            continue
        if in_table and line.startswith("    ") and line.strip():
            name = line[4:24].strip()
            status = line[46:60].strip()
            speed = line[61:72].strip()
            rows[name] = (status, speed)
    return rows


def test_probe_cisco_recording_matches_snmpbulkwalk(lab: Lab, tmp_path: Path) -> None:
    recordings = {"cisco-c3560": lab_snmp.default_recordings()["cisco-c3560"]}
    with lab_snmp.start_snmpsim(lab, recordings) as simulator:
        port = simulator.port
        config = write_probe_config(tmp_path / "cisco.toml", simulator.address, port)
        completed = lab.prober.run(
            [*PANTAU, "probe", "-c", str(config), "--lang", "en", "--sample", "0s"],
            env={**ENV, COMMUNITY_ENV: "cisco-c3560"},
            timeout=120,
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr
        table = interface_table(completed.stdout)

        walk = ["snmpbulkwalk", "-m", "", "-On", "-Oq", "-v2c", "-c", "cisco-c3560"]
        target = f"{simulator.address}:{port}"
        names = walk_column(lab, [*walk, target, "1.3.6.1.2.1.31.1.1.1.1"])
        statuses = walk_column(lab, [*walk, target, "1.3.6.1.2.1.2.2.1.8"])
        high_speeds = walk_column(lab, [*walk, target, "1.3.6.1.2.1.31.1.1.1.15"])

    status_names = {
        "1": "up",
        "2": "down",
        "5": "dormant",
        "6": "notPresent",
        "7": "lowerLayerDown",
    }
    assert len(table) == len(names)
    for index, name in names.items():
        status, speed = table[name[:20]]
        assert status == status_names.get(statuses[index], status)
        megabits = int(high_speeds[index])
        if megabits >= 1000:
            assert speed == f"{megabits / 1000:.1f} Gb/s"
        elif megabits > 0:
            assert speed == f"{megabits:.1f} Mb/s"


def walk_column(lab: Lab, argv: list[str]) -> dict[str, str]:
    completed = lab.prober.run(argv, timeout=120)
    assert completed.returncode == 0, completed.stderr
    values = {}
    for line in completed.stdout.splitlines():
        oid, _, text = line.partition(" ")
        values[oid.rsplit(".", 1)[1]] = text.strip().strip('"')
    return values
