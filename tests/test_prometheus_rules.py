"""Prometheus rules and the Alertmanager example under prometheus/.

promtool (Debian package prometheus) checks and unit-tests the rules;
amtool and alertmanager (Debian package prometheus-alertmanager) check the
example configuration, its routes and its inhibition of children by their
parent. Alertmanager runs on loopback only, with its Telegram API URL
pointed at a closed loopback port, so no notification leaves this machine.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

RULES_DIR = Path(__file__).resolve().parent.parent / "prometheus"
RULE_FILES = (RULES_DIR / "rules.yml", RULES_DIR / "alerts.yml")
ALERTMANAGER_CONFIG = RULES_DIR / "alertmanager.yml"
SEVERITIES = ("info", "warning", "critical")
ANNOTATIONS = ("summary", "summary_id", "description", "description_id")


def require(command: str, package: str) -> str:
    """Return the path of ``command``, failing the test when it is not installed."""
    path = shutil.which(command)
    if path is None:
        pytest.fail(
            f"{command} not found: install the Debian package {package} (scripts/test.sh does)",
            pytrace=False,
        )
    return path


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run a command, print its output for the failure report, and return it."""
    completed = subprocess.run(
        [str(arg) for arg in args], capture_output=True, text=True, timeout=120, check=False
    )
    print(completed.stdout)
    print(completed.stderr)
    return completed


def alerting_rules() -> list[dict[str, Any]]:
    """Return every alerting rule of prometheus/alerts.yml."""
    document = yaml.safe_load((RULES_DIR / "alerts.yml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"] if "alert" in rule]


def unit_test_cases() -> Iterator[dict[str, Any]]:
    """Yield every alert_rule_test case of prometheus/tests/*.yml."""
    for path in sorted((RULES_DIR / "tests").glob("*.yml")):
        document = yaml.safe_load(path.read_text())
        for test in document["tests"]:
            yield from test.get("alert_rule_test", ())


def test_promtool_check_rules() -> None:
    promtool = require("promtool", "prometheus")
    checked = run(promtool, "check", "rules", *RULE_FILES)
    assert checked.returncode == 0
    assert "SUCCESS: 10 rules found" in checked.stdout
    assert "SUCCESS: 15 rules found" in checked.stdout


def test_promtool_unit_tests_pass() -> None:
    promtool = require("promtool", "prometheus")
    test_files = sorted((RULES_DIR / "tests").glob("*.yml"))
    assert len(test_files) >= 4
    tested = run(promtool, "test", "rules", *test_files)
    assert tested.returncode == 0
    assert tested.stdout.count("SUCCESS") == len(test_files)


def test_every_alert_fires_and_stays_quiet() -> None:
    firing: set[str] = set()
    quiet: set[str] = set()
    for case in unit_test_cases():
        (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    names = {rule["alert"] for rule in alerting_rules()}
    assert names - firing == set()
    assert names - quiet == set()


def test_every_alert_has_severity_and_texts() -> None:
    for rule in alerting_rules():
        assert rule["labels"]["severity"] in SEVERITIES, rule["alert"]
        assert sorted(rule["annotations"]) == sorted(ANNOTATIONS), rule["alert"]


def test_unit_tests_catch_changed_limit(tmp_path: Path) -> None:
    promtool = require("promtool", "prometheus")
    copy = tmp_path / "prometheus"
    shutil.copytree(RULES_DIR, copy)
    alerts = copy / "alerts.yml"
    text = alerts.read_text()
    assert "target:pantau_icmp_packet_loss:ratio_rate5m > 0.2" in text
    alerts.write_text(text.replace("ratio_rate5m > 0.2", "ratio_rate5m > 0.9"))

    tested = run(promtool, "test", "rules", *sorted((copy / "tests").glob("*.yml")))

    assert tested.returncode != 0
    assert "alertname: PantauHighPacketLoss" in tested.stderr


def amtool_major_minor(amtool: str) -> tuple[int, int]:
    """Return the (major, minor) version that ``amtool --version`` prints."""
    output = run(amtool, "--version")
    found = re.search(r"version (\d+)\.(\d+)", output.stdout + output.stderr)
    assert found, "amtool --version printed no version"
    return int(found.group(1)), int(found.group(2))


def checkable_config(amtool: str, directory: Path, **global_settings: str) -> Path:
    """Write the example configuration into ``directory`` in a form this Alertmanager reads.

    Alertmanager before 0.26 has no bot_token_file: there each one becomes a
    bot_token, which is the only change. ``global_settings`` are added to
    the global section.
    """
    config = yaml.safe_load(ALERTMANAGER_CONFIG.read_text())
    if amtool_major_minor(amtool) < (0, 26):
        for receiver in config["receivers"]:
            for telegram in receiver.get("telegram_configs", ()):
                telegram["bot_token"] = "123456:test-token"
                del telegram["bot_token_file"]
    else:
        token = directory / "bot.token"
        token.write_text("123456:test-token\n")
        for receiver in config["receivers"]:
            for telegram in receiver.get("telegram_configs", ()):
                telegram["bot_token_file"] = str(token)
    config["global"].update(global_settings)
    path = directory / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return path


def test_amtool_check_config(tmp_path: Path) -> None:
    amtool = require("amtool", "prometheus-alertmanager")
    checked = run(amtool, "check-config", checkable_config(amtool, tmp_path))
    assert checked.returncode == 0
    assert "3 inhibit rules" in checked.stdout
    assert "2 receivers" in checked.stdout


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        (("network=eksekutif", "alertname=PantauIsolationBreached"), "telegram-eksekutif"),
        (("network=eksekutif", "alertname=PantauTargetDown"), "telegram-eksekutif"),
        (("network=opd", "alertname=PantauTargetDown"), "telegram-noc"),
        (("alertname=PantauNotScraped",), "telegram-noc"),
    ],
)
def test_amtool_routes(tmp_path: Path, labels: tuple[str, ...], receiver: str) -> None:
    amtool = require("amtool", "prometheus-alertmanager")
    config = checkable_config(amtool, tmp_path)
    routed = run(amtool, "config", "routes", "test", f"--config.file={config}", *labels)
    assert routed.returncode == 0
    assert routed.stdout.strip() == receiver


def free_loopback_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def api(port: int, path: str, body: Any = None) -> Any:
    """Call Alertmanager's v2 API on loopback and return the decoded JSON response."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v2/{path}",
        data=data,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        text = response.read().decode()
    return json.loads(text) if text else None


def alert(**labels: str) -> dict[str, Any]:
    """Build a firing alert for the v2 API, labelled as prometheus/alerts.yml labels it."""
    base = {"job": "pantau", "instance": "127.0.0.1:9470"}
    return {"labels": {**base, **labels}, "annotations": {"summary": labels["alertname"]}}


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[int]:
    """Start Alertmanager with the example configuration on loopback and yield its port."""
    binary = require("prometheus-alertmanager", "prometheus-alertmanager")
    amtool = require("amtool", "prometheus-alertmanager")
    # Telegram API requests go to the discard port on loopback, where
    # nothing listens, so a notification attempt fails on this machine.
    config = checkable_config(amtool, tmp_path, telegram_api_url="http://127.0.0.1:9/")
    port = free_loopback_port()
    log = (tmp_path / "alertmanager.log").open("w")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            assert process.poll() is None, (tmp_path / "alertmanager.log").read_text()
            try:
                api(port, "status")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"Alertmanager did not start listening on 127.0.0.1:{port}")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def states_after_inhibition(port: int, expected: int) -> dict[str, dict[str, Any]]:
    """Return the status of each alert by target and alert name once all ``expected`` are in.

    The inhibitor learns about source alerts asynchronously, so this polls
    (at most about 10 s) until some alert is suppressed.
    """
    statuses: dict[str, dict[str, Any]] = {}
    for _ in range(100):
        statuses = {
            f"{item['labels']['target']}/{item['labels']['alertname']}": item["status"]
            for item in api(port, "alerts")
        }
        suppressed = any(status["state"] == "suppressed" for status in statuses.values())
        if len(statuses) == expected and suppressed:
            break
        time.sleep(0.1)
    return statuses


def test_alertmanager_inhibits_children_of_down_parent(alertmanager: int) -> None:
    alerts = [
        alert(alertname="PantauTargetDown", target="core", down_target="core", severity="critical"),
        alert(
            alertname="PantauTargetFlapping",
            target="bappeda-router",
            parent="core",
            down_target="core",
            severity="warning",
        ),
        alert(
            alertname="PantauHighPacketLoss",
            target="bpkd-router",
            parent="dist",
            down_target="dist",
            severity="warning",
        ),
        alert(alertname="PantauTargetFlapping", target="dist", severity="warning"),
        alert(
            alertname="PantauIsolationBreached",
            target="istana-iso",
            network="eksekutif",
            severity="critical",
        ),
    ]
    api(alertmanager, "alerts", alerts)

    statuses = states_after_inhibition(alertmanager, len(alerts))

    child = statuses["bappeda-router/PantauTargetFlapping"]
    assert child["state"] == "suppressed"
    assert len(child["inhibitedBy"]) == 1
    assert statuses["core/PantauTargetDown"]["state"] == "active"
    assert statuses["bpkd-router/PantauHighPacketLoss"]["state"] == "active"
    assert statuses["dist/PantauTargetFlapping"]["state"] == "active"
    assert statuses["istana-iso/PantauIsolationBreached"]["state"] == "active"


def test_alertmanager_inhibits_warnings_of_down_target(alertmanager: int) -> None:
    alerts = [
        alert(alertname="PantauTargetDown", target="core", down_target="core", severity="critical"),
        alert(alertname="PantauDeviceRebooted", target="core", severity="warning"),
    ]
    api(alertmanager, "alerts", alerts)

    statuses = states_after_inhibition(alertmanager, len(alerts))

    assert statuses["core/PantauDeviceRebooted"]["state"] == "suppressed"
    assert statuses["core/PantauTargetDown"]["state"] == "active"


SCRAPE_CONFIG = RULES_DIR / "prometheus.yml"
# RFC 5737 and RFC 3849: the only non-loopback addresses the example may contain.
DOCUMENTATION_NETWORKS = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")


def rule_count(path: Path) -> int:
    """Return the number of rules, recording and alerting, in a rule file."""
    document = yaml.safe_load(path.read_text())
    return sum(len(group["rules"]) for group in document["groups"])


def checked_rule_counts(output: str) -> dict[str, int]:
    """Map each rule file that ``promtool check config`` checked to the count it printed."""
    counts: dict[str, int] = {}
    current = ""
    for line in output.splitlines():
        checking = re.fullmatch(r"Checking (.+)", line.strip())
        found = re.fullmatch(r"SUCCESS: (\d+) rules found", line.strip())
        if checking:
            current = Path(checking.group(1)).name
        elif found:
            counts[current] = int(found.group(1))
    return counts


def test_promtool_check_config() -> None:
    promtool = require("promtool", "prometheus")
    checked = run(promtool, "check", "config", SCRAPE_CONFIG)
    assert checked.returncode == 0
    assert "SUCCESS: 2 rule files found" in checked.stdout
    assert "is valid prometheus config file syntax" in checked.stdout
    counts = checked_rule_counts(checked.stdout)
    assert counts == {path.name: rule_count(path) for path in RULE_FILES}
    assert counts == {"rules.yml": 10, "alerts.yml": 15}


def test_scrape_config_tells_sites_apart() -> None:
    config = yaml.safe_load(SCRAPE_CONFIG.read_text())
    (job,) = config["scrape_configs"]
    assert job["job_name"] == "pantau"
    sites = {group["labels"]["site"]: group["targets"] for group in job["static_configs"]}
    assert sites == {"noc": ["127.0.0.1:9470"], "eksekutif": ["192.0.2.10:9470"]}
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == [
        "127.0.0.1:9093"
    ]


def test_scrape_config_addresses_stay_examples() -> None:
    config = yaml.safe_load(SCRAPE_CONFIG.read_text())
    documentation = [ipaddress.ip_network(net) for net in DOCUMENTATION_NETWORKS]
    addresses = [
        target.rsplit(":", 1)[0]
        for job in config["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    ]
    addresses += [
        target.rsplit(":", 1)[0]
        for manager in config["alerting"]["alertmanagers"]
        for group in manager["static_configs"]
        for target in group["targets"]
    ]
    for text in addresses:
        address = ipaddress.ip_address(text)
        assert address.is_loopback or any(address in net for net in documentation), text
