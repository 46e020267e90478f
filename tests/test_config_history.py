"""The [history] and [report] tables and a target's SNMP uplink."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import ConfigError, HistorySettings, ReportSettings, load
from tests.test_config import write

TARGET = """
[credentials.c]
version = "2c"
community_env = "COMMUNITY"

[[targets]]
name = "r"
address = "127.0.0.1"
probes = ["icmp", "snmp"]
"""


def problems(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        load(path, environ={"COMMUNITY": "public"})
    return [(problem.key, problem.code) for problem in caught.value.problems]


def test_defaults_apply_without_the_tables(tmp_path: Path) -> None:
    inventory = load(write(tmp_path, TARGET + 'snmp = { credential = "c" }'), {"COMMUNITY": "x"})

    assert inventory.history == HistorySettings(raw_days=14, hourly_months=13, daily_years=5)
    assert inventory.report == ReportSettings()
    assert inventory.report.availability_ready == 0.995
    assert inventory.target("r").snmp is not None
    assert inventory.target("r").snmp.uplink is None


def test_history_and_report_are_read(tmp_path: Path) -> None:
    text = """
    [history]
    raw_days = 30
    hourly_months = 24
    daily_years = 10

    [report]
    availability_ready = "99.9%"
    availability_minimum = 0.99
    rtt_p95_ready = "20ms"
    rtt_p95_limit = "80ms"
    loss_ready = "0.5%"
    loss_limit = "2%"
    uplink_ready = "60%"
    uplink_limit = "85%"
    headroom_ready = "30%"
    headroom_limit = "10%"
    coverage_minimum = "95%"
    executive_networks = ["eksekutif", "pimpinan"]
    server_networks = ["aplikasi"]
    """
    uplink = 'snmp = { credential = "c", uplink = "ether1" }'
    inventory = load(write(tmp_path, text + TARGET + uplink), {"COMMUNITY": "x"})

    assert inventory.history == HistorySettings(raw_days=30, hourly_months=24, daily_years=10)
    assert inventory.report == ReportSettings(
        availability_ready=0.999,
        availability_minimum=0.99,
        rtt_p95_ready=0.02,
        rtt_p95_limit=0.08,
        loss_ready=0.005,
        loss_limit=0.02,
        uplink_ready=0.6,
        uplink_limit=0.85,
        headroom_ready=0.3,
        headroom_limit=0.1,
        coverage_minimum=0.95,
        executive_networks=("eksekutif", "pimpinan"),
        server_networks=("aplikasi",),
    )
    assert inventory.target("r").snmp.uplink == "ether1"


def test_faults_name_the_exact_key(tmp_path: Path) -> None:
    text = """
    [history]
    raw_days = 0
    hourly_month = 13

    [report]
    availability_ready = "97%"
    availability_minimum = "98%"
    loss_limit = false
    headroom_ready = "2,5%"
    server_networks = "server"
    """
    uplink = 'snmp = { credential = "c", uplink = "lo", interfaces = { exclude = ["lo"] } }'

    found = problems(write(tmp_path, text + TARGET + uplink))

    assert found == [
        ("history.raw_days", "out_of_range"),
        ("history.hourly_month", "unknown_key_suggestion"),
        ("report.availability_ready", "report_threshold_order"),
        ("report.loss_limit", "report_threshold_off"),
        ("report.headroom_ready", "invalid_percentage"),
        ("report.server_networks", "expected_string_array"),
        ("targets[0].snmp.uplink", "uplink_filtered"),
    ]


def test_uplink_is_refused_in_defaults(tmp_path: Path) -> None:
    text = '[defaults]\nsnmp = { uplink = "ether1" }\n' + TARGET + 'snmp = { credential = "c" }'

    assert problems(write(tmp_path, text)) == [("defaults.snmp.uplink", "not_in_defaults")]


def test_messages_exist_in_both_languages(tmp_path: Path) -> None:
    text = '[report]\nuplink_ready = "95%"\n' + TARGET + 'snmp = { credential = "c" }'
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, text), environ={"COMMUNITY": "x"})

    indonesian = caught.value.problems[0].render("id")
    english = caught.value.problems[0].render("en")
    assert "uplink_limit" in indonesian
    assert "lebih longgar" in indonesian
    assert "uplink_limit" in english
    assert "looser" in english


SECRETS = """
[credentials.c]
version = "2c"
community_env = "PANTAU_TEST_COMMUNITY"

[[targets]]
name = "r"
address = "127.0.0.1"
probes = ["icmp", "snmp"]
snmp = { credential = "c" }

[[channels]]
name = "noc"
url_env = "PANTAU_TEST_CHAT_URL"
"""


def test_secrets_are_required_unless_told_otherwise(tmp_path: Path) -> None:
    path = write(tmp_path, SECRETS)

    with pytest.raises(ConfigError) as caught:
        load(path, environ={})
    assert [problem.code for problem in caught.value.problems] == [
        "missing_env",
        "missing_env_channel",
    ]
    inventory = load(path, environ={}, require_secrets=False)
    assert inventory.channels[0].name == "noc"
    assert inventory.credentials["c"].community is not None
    assert not inventory.credentials["c"].community.is_set


def test_report_and_maintenance_run_without_the_service_secrets(tmp_path: Path) -> None:
    path = write(tmp_path, f'[daemon]\ndatabase = "{tmp_path / "pantau.db"}"\n' + SECRETS)
    environ = {
        key: value for key, value in os.environ.items() if not key.startswith("PANTAU_TEST_")
    }

    listed = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "maintenance", "list", "-c", str(path)],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    report = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "report", "-c", str(path), "--lang", "en"],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    checked = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "check-config", "-c", str(path), "--lang", "en"],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )

    assert listed.returncode == 0, listed.stderr
    # No database yet: the report prints that error, not a missing variable.
    assert report.returncode == 1, report.stderr
    assert "PANTAU_TEST" not in report.stderr
    assert "pantau.db" in report.stderr
    assert checked.returncode == 1
    assert "PANTAU_TEST_CHAT_URL" in checked.stderr


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("group", "Bappeda\\n100 %  Siap", "U+000A"),
        ("group", "Dinas\\u202eadaS", "U+202E"),
        ("network", "opd\\t", "U+0009"),
        ("description", "Router\\u001b[31m", "U+001B"),
    ],
)
def test_display_texts_refuse_hidden_characters(
    tmp_path: Path, key: str, value: str, code: str
) -> None:
    text = f'[[targets]]\nname = "r"\naddress = "127.0.0.1"\n{key} = "{value}"\n'

    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, text), environ={})

    problem = caught.value.problems[0]
    assert (problem.key, problem.code) == (f"targets[0].{key}", "hidden_character")
    assert code in problem.render("en")
    assert code in problem.render("id")
