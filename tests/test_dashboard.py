"""The Grafana dashboards under dashboards/: structure, and every query against a real Prometheus.

The structure tests read the committed JSON. The query test builds a lab in
network namespaces: hosts with ICMP, one with net-snmp's snmpd, one down, an
executive host and an isolation check. Pantau and Prometheus (Debian package)
run in the prober namespace on its loopback, so nothing leaves the lab.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.https_server import LocalServers, https_servers
from tests.lab import snmp as lab_snmp
from tests.lab.netns import Lab
from tests.test_daemon import ENV, PORT, RunningDaemon, value

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
DASHBOARD_DIR = REPOSITORY_ROOT / "dashboards"
DASHBOARDS = {
    "id": DASHBOARD_DIR / "grafana.json",
    "en": DASHBOARD_DIR / "grafana.en.json",
}
RULES = REPOSITORY_ROOT / "prometheus" / "rules.yml"
PROMETHEUS_PORT = 9090
COMMUNITY_ENV = "PANTAU_TEST_COMMUNITY"
# snmpsim serves each recording under a community equal to its name. The lab's
# snmpd reports no hrProcessorTable rows, so the CPU panels need these
# recordings of real devices: a Linux server (hrProcessorLoad, hrStorage)
# and a Cisco switch (CISCO-PROCESS-MIB).
SIMULATED = {"srv-sim": "linux-net-snmp", "switch-sim": "cisco-c3560"}
SNMPSIM_PORT = lab_snmp.SNMPSIM_PORTS[0]
LINUX_PROFILES = '"system", "interfaces", "host-resources"'
CISCO_PROFILES = '"system", "interfaces", "cisco"'
VARIABLES = ("instance", "network", "group", "target")

# Values for the template variables: every value (Grafana's "All" is ".*"),
# then one real choice that leads to the SNMP server of the lab.
ALL_VALUES = dict.fromkeys(VARIABLES, ".*")
SERVER_VALUES = {
    "instance": f"127.0.0.1:{PORT}",
    "network": "server",
    "group": "Server Aplikasi",
    "target": "srv-sim",
}

# Indonesian words, at least one of which is in every Indonesian title. Some
# (status, target, server) are English too, so the twin test also checks
# that every English title differs from its Indonesian one.
INDONESIAN_WORDS = re.compile(
    r"\b(status|target|jaringan|server|latensi|kehilangan|paket|antarmuka|lalu|"
    r"pemakaian|perangkat|mesin|kesehatan|ringkasan|beban|memori|ruang|waktu|"
    r"muat|notifikasi|galat|putaran|keterlambatan|durasi|pemeriksaan|alasan|"
    r"keterjangkauan|dinyalakan|tersibuk|dibuang|terburuk|layanan|sertifikat|fase)\b",
    re.IGNORECASE,
)


def load(language: str) -> dict[str, Any]:
    return json.loads(DASHBOARDS[language].read_text(encoding="utf-8"))


def content_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [panel for panel in dashboard["panels"] if panel["type"] != "row"]


def expressions(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """Return (panel title, expression) for every query of every panel."""
    return [
        (panel["title"], target["expr"])
        for panel in content_panels(dashboard)
        for target in panel["targets"]
    ]


def test_build_check_passes() -> None:
    completed = subprocess.run(
        [sys.executable, str(DASHBOARD_DIR / "build.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr


def test_build_check_detects_edit(tmp_path: Path) -> None:
    copy = tmp_path / "dashboards"
    shutil.copytree(DASHBOARD_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    edited = copy / "grafana.en.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Overview", "Summary"))
    completed = subprocess.run(
        [sys.executable, str(copy / "build.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1
    assert "grafana.en.json" in completed.stderr
    assert "grafana.json" not in completed.stderr.replace("grafana.en.json", "")


@pytest.mark.parametrize("language", ["id", "en"])
def test_panel_ids_unique(language: str) -> None:
    ids = [panel["id"] for panel in load(language)["panels"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("language", ["id", "en"])
def test_grid_positions_do_not_overlap(language: str) -> None:
    occupied: dict[tuple[int, int], int] = {}
    for panel in load(language)["panels"]:
        position = panel["gridPos"]
        assert position["x"] + position["w"] <= 24, panel["title"]
        for x in range(position["x"], position["x"] + position["w"]):
            for y in range(position["y"], position["y"] + position["h"]):
                assert (x, y) not in occupied, (panel["id"], occupied.get((x, y)))
                occupied[(x, y)] = panel["id"]


def test_indonesian_titles_present() -> None:
    dashboard = load("id")
    for panel in dashboard["panels"]:
        assert panel["title"].strip(), panel["id"]
        assert INDONESIAN_WORDS.search(panel["title"]), panel["title"]
    for panel in content_panels(dashboard):
        assert panel["description"].strip(), panel["title"]


def test_english_twin_matches_panels() -> None:
    indonesian = load("id")
    english = load("en")
    shape = [
        (
            panel["id"],
            panel["type"],
            panel["gridPos"],
            [t["expr"] for t in panel.get("targets", [])],
        )
        for panel in indonesian["panels"]
    ]
    twin = [
        (
            panel["id"],
            panel["type"],
            panel["gridPos"],
            [t["expr"] for t in panel.get("targets", [])],
        )
        for panel in english["panels"]
    ]
    assert twin == shape
    assert [entry["definition"] for entry in english["templating"]["list"]] == [
        entry["definition"] for entry in indonesian["templating"]["list"]
    ]
    differing = [
        (a["title"], b["title"])
        for a, b in zip(indonesian["panels"], english["panels"], strict=True)
        if a["title"] != b["title"]
    ]
    assert len(differing) == len(indonesian["panels"]), "some titles are not translated"


@pytest.mark.parametrize("language", ["id", "en"])
def test_import_inputs_and_variables(language: str) -> None:
    dashboard = load(language)
    assert [entry["name"] for entry in dashboard["__inputs"]] == ["DS_PROMETHEUS"]
    assert dashboard["__inputs"][0]["pluginId"] == "prometheus"
    assert {entry["id"] for entry in dashboard["__requires"]} >= {"grafana", "prometheus"}
    text = json.dumps(dashboard)
    uids = set(re.findall(r'"uid": "([^"]*)"', text))
    assert uids == {"${DS_PROMETHEUS}", dashboard["uid"]}
    variables = {entry["name"]: entry for entry in dashboard["templating"]["list"]}
    assert list(variables) == list(VARIABLES)
    assert variables["group"]["definition"] == (
        'label_values(pantau_target_info{instance=~"$instance", network=~"$network"}, group)'
    )
    assert "$network" in variables["target"]["definition"]
    assert "$group" in variables["target"]["definition"]
    for entry in variables.values():
        assert entry["includeAll"] is True
        assert entry["allValue"] == ".*"


def test_status_mappings_use_glossary_names() -> None:
    overview = next(
        panel for panel in content_panels(load("id")) if panel["title"] == "Status terburuk per OPD"
    )
    mapping = overview["fieldConfig"]["defaults"]["mappings"][0]["options"]
    names = {key: entry["text"] for key, entry in mapping.items()}
    assert names == {
        "0": "NORMAL",
        "1": "BELUM DIKONFIGURASI",
        "2": "PEMELIHARAAN",
        "3": "MENURUN",
        "4": "TIDAK TERJANGKAU",
        "5": "GANGGUAN",
    }
    links = overview["fieldConfig"]["defaults"]["links"]
    assert "var-group=${__field.labels.group}" in links[0]["url"]


def test_overview_links_to_target_drill_down() -> None:
    table = next(
        panel for panel in content_panels(load("id")) if panel["title"] == "Status setiap target"
    )
    links = [
        prop["value"]
        for override in table["fieldConfig"]["overrides"]
        for prop in override["properties"]
        if prop["id"] == "links"
    ]
    assert len(links) == 1
    assert "var-target=${__data.fields.target}" in links[0][0]["url"]


def substitute(expr: str, values: dict[str, str]) -> str:
    for name in VARIABLES:
        expr = expr.replace(f"${name}", values[name])
    assert "$" not in expr, expr
    return expr


def write_lab_config(path: Path, addresses: dict[str, str], web: LocalServers) -> Path:
    url = web.url("valid", "/ok")
    path.write_text(
        f"""
[daemon]
listen = "127.0.0.1:{PORT}"
database = "pantau.db"
language = "en"

[defaults]
interval = "2s"
timeout = "1s"
down_after = 2
icmp = {{ count = 3, packet_interval = "50ms" }}

[credentials.lab]
version = "2c"
community_env = "{COMMUNITY_ENV}"

[credentials.linux]
version = "2c"
community_env = "{COMMUNITY_ENV}_LINUX"

[credentials.cisco]
version = "2c"
community_env = "{COMMUNITY_ENV}_CISCO"

[[targets]]
name = "srv"
address = "{addresses["srv"]}"
group = "Server Aplikasi"
network = "server"
probes = ["icmp", "snmp"]
snmp = {{ credential = "lab", profiles = ["system", "interfaces", "host-resources", "ucd"] }}

[[targets]]
name = "srv-sim"
address = "127.0.0.1"
group = "Server Aplikasi"
network = "server"
probes = ["icmp", "snmp", "http", "tls"]
snmp = {{ credential = "linux", port = {SNMPSIM_PORT}, profiles = [{LINUX_PROFILES}] }}
http = {{ url = "{url}", expect_text = "Layanan Publik", ca_file = "{web.ca_file}" }}
tls = {{ port = {web.port("valid")}, ca_file = "{web.ca_file}" }}

[[targets]]
name = "switch-sim"
address = "127.0.0.1"
group = "Diskominfo"
network = "opd"
probes = ["snmp"]
snmp = {{ credential = "cisco", port = {SNMPSIM_PORT}, profiles = [{CISCO_PROFILES}] }}

[[targets]]
name = "opd-bappeda"
address = "{addresses["opd"]}"
group = "Bappeda"
network = "opd"
probes = ["icmp"]

[[targets]]
name = "opd-bpkd"
address = "{addresses["down"]}"
group = "BPKD"
network = "opd"
probes = ["icmp"]

[[targets]]
name = "bupati"
address = "{addresses["executive"]}"
group = "Bupati"
network = "eksekutif"
probes = ["icmp"]

[[targets]]
name = "bupati-isolation"
address = "{addresses["isolated"]}"
group = "Bupati"
network = "eksekutif"
probes = ["icmp"]
expect = "unreachable"
"""
    )
    return path


def write_prometheus_config(path: Path) -> Path:
    path.write_text(
        f"""
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - {RULES}
scrape_configs:
  - job_name: pantau
    static_configs:
      - targets: ["127.0.0.1:{PORT}"]
"""
    )
    return path


# Sent to Prometheus from inside the prober namespace: reads a JSON list of
# expressions on stdin, prints a JSON list of (status, error, series count,
# {label values joined by "|": value} for an instant vector).
QUERY_SCRIPT = f"""
import json, sys, urllib.error, urllib.parse, urllib.request
results = []
for expr in json.load(sys.stdin):
    query = urllib.parse.urlencode({{"query": expr}})
    url = "http://127.0.0.1:{PROMETHEUS_PORT}/api/v1/query?" + query
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:
        body = json.load(error)
    except urllib.error.URLError as error:
        body = {{"status": "unavailable", "error": str(error)}}
    data = body.get("data") or {{}}
    result = data.get("result")
    if isinstance(result, list):
        count = len(result)
    else:
        count = 1 if result else 0
    samples = {{}}
    if data.get("resultType") == "vector":
        for series in result:
            key = "|".join(series["metric"].get(name, "") for name in ("group", "target"))
            samples[key] = float(series["value"][1])
    results.append((body["status"], body.get("error", ""), count, samples))
print(json.dumps(results))
"""


def query_all(lab: Lab, exprs: list[str]) -> list[tuple[str, str, int, dict[str, float]]]:
    completed = lab.prober.run(
        [sys.executable, "-c", QUERY_SCRIPT], input=json.dumps(exprs), env=ENV, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    return [tuple(entry) for entry in json.loads(completed.stdout)]


def wait_for_series(lab: Lab, exprs: list[str], timeout: float) -> None:
    """Wait until each expression returns a series (scrapes and rule evaluations done)."""
    deadline = time.monotonic() + timeout
    results: list[tuple[str, str, int, dict[str, float]]] = []
    while time.monotonic() < deadline:
        results = query_all(lab, exprs)
        if all(status == "success" and count > 0 for status, _, count, _ in results):
            return
        time.sleep(0.5)
    raise AssertionError(f"Prometheus has no series yet: {list(zip(exprs, results, strict=False))}")


@pytest.fixture
def web(lab: Lab, tmp_path: Path) -> Iterator[LocalServers]:
    """The HTTPS test server on the prober's loopback, for the service-check panels."""
    certificates = tmp_path / "certs"
    certificates.mkdir()
    with https_servers(certificates, prefix=lab.prober.command([])) as servers:
        yield servers


@pytest.mark.netns
def test_every_panel_query_returns_series(lab: Lab, tmp_path: Path, web: LocalServers) -> None:
    prometheus = shutil.which("prometheus")
    assert prometheus, "prometheus not found: install the Debian package prometheus"

    hosts = {name: lab.add_host(name) for name in ("srv", "opd", "down", "executive", "isolated")}
    hosts["down"].silence()
    hosts["isolated"].silence()
    lab_snmp.add_links(lab, hosts["srv"])
    agent = lab_snmp.start_snmpd(hosts["srv"])
    every_recording = lab_snmp.default_recordings()
    simulator = lab_snmp.start_snmpsim(
        lab, {community: every_recording[community] for community in SIMULATED.values()}
    )
    config = write_lab_config(
        tmp_path / "pantau.toml", {name: host.ipv4 for name, host in hosts.items()}, web
    )
    communities = {
        COMMUNITY_ENV: lab_snmp.LAB_COMMUNITY,
        f"{COMMUNITY_ENV}_LINUX": SIMULATED["srv-sim"],
        f"{COMMUNITY_ENV}_CISCO": SIMULATED["switch-sim"],
    }
    daemon = RunningDaemon(lab, config, env=communities)
    prometheus_log = (tmp_path / "prometheus.log").open("w")
    server = lab.prober.popen(
        [
            prometheus,
            f"--config.file={write_prometheus_config(tmp_path / 'prometheus.yml')}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{PROMETHEUS_PORT}",
        ],
        stdout=prometheus_log,
        stderr=subprocess.STDOUT,
    )
    try:
        daemon.wait_for(
            lambda samples: (
                value(samples, "pantau_target_status", target="opd-bpkd", status="down") == 1.0
                and value(samples, "pantau_probe_success", target="srv", probe="snmp") == 1.0
                and value(samples, "pantau_probe_success", target="srv-sim", probe="snmp") == 1.0
                and value(samples, "pantau_probe_success", target="switch-sim", probe="snmp") == 1.0
                and value(samples, "pantau_probe_success", target="srv-sim", probe="http") == 1.0
                and value(samples, "pantau_probe_success", target="srv-sim", probe="tls") == 1.0
                and any(name == "pantau_interface_utilisation_ratio" for name, _ in samples)
            ),
            timeout=30,
        )
        # Wait for two scrapes after the daemon has every kind of data, so
        # that rates and the recording rules built on them have two points.
        wait_for_series(
            lab,
            [
                "count_over_time(pantau_interface_utilisation_ratio[1m]) >= 2",
                'target:pantau_icmp_packet_loss:ratio_rate5m{target="bupati"}',
                'target:pantau_icmp_rtt_seconds:histogram_quantile_rate5m{target="bupati"}',
                'target:pantau_icmp_rtt_seconds:histogram_quantile_rate5m{target="srv-sim"}',
                'target:pantau_target_status:rank{target="opd-bpkd"} == 5',
            ],
            timeout=30,
        )

        failures = []
        for language in DASHBOARDS:
            for values in (ALL_VALUES, SERVER_VALUES):
                pairs = expressions(load(language))
                exprs = [substitute(expr, values) for _, expr in pairs]
                for (title, expr), (status, error, count, _) in zip(
                    pairs, query_all(lab, exprs), strict=True
                ):
                    if status != "success" or count == 0:
                        failures.append((language, values["target"], title, expr, status, error))
        assert failures == [], "\n".join(map(str, failures))

        panels = {title: expr for title, expr in expressions(load("id"))}
        worst, isolation = query_all(
            lab,
            [
                substitute(panels["Status terburuk per OPD"], ALL_VALUES),
                substitute(panels["Pemeriksaan isolasi"], ALL_VALUES),
            ],
        )
        assert worst[3]["BPKD|"] == 5.0
        assert worst[3]["Bappeda|"] == 0.0
        assert worst[3]["Server Aplikasi|"] == 0.0
        assert isolation[3] == {"|bupati-isolation": 0.0}

        for _, variable in [
            (entry["name"], entry["definition"]) for entry in load("id")["templating"]["list"]
        ]:
            match = re.fullmatch(r"label_values\((.*), (\w+)\)", variable)
            assert match, variable
            selector = substitute(match.group(1), ALL_VALUES)
            results = query_all(lab, [selector])
            assert results[0][0] == "success", variable
            assert results[0][2] > 0, variable
    finally:
        server.terminate()
        server.wait(timeout=20)
        prometheus_log.close()
        assert daemon.stop() == 0
        agent.stop()
        simulator.stop()
