"""Service checks end to end: the real daemon probes a web server on a test host.

The HTTPS test server (tests/https_server.py) runs inside a host namespace
of the lab, the daemon in the prober namespace, and the chat receiver on the
prober's loopback. The tests read the daemon's /metrics, its chat messages,
its SQLite history and the output of ``pantau probe``.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from tests.https_server import LocalServers, https_servers
from tests.lab.netns import Host, Lab
from tests.test_daemon import ENV, RunningDaemon, value
from tests.test_daemon_alerts import CHANNEL_ENV, RecordingReceiver, status_is

pytestmark = pytest.mark.netns

CLOSED_PORT = 9  # nothing listens on the test host's discard port


@pytest.fixture
def receiver(lab: Lab, tmp_path: Path) -> Iterator[RecordingReceiver]:
    running = RecordingReceiver(lab, tmp_path / "posts.jsonl")
    yield running
    running.stop()


@pytest.fixture
def web(lab: Lab, tmp_path: Path) -> Iterator[tuple[Host, LocalServers]]:
    host = lab.add_host("web")
    certificates = tmp_path / "certs"
    certificates.mkdir()
    with https_servers(certificates, prefix=host.command([])) as servers:
        yield host, servers


def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def inventory(host: Host, servers: LocalServers, language: str = "en") -> str:
    def url(kind: str, path: str) -> str:
        return servers.url(kind, path)

    ca = servers.ca_file
    return f"""
[daemon]
listen = "127.0.0.1:9470"
database = "pantau.db"
language = "{language}"

[defaults]
interval = "1s"
timeout = "500ms"
down_after = 2
up_after = 1
icmp = {{ count = 2, packet_interval = "50ms" }}
degraded = {{ sustain = "1s" }}

[alerts]
group_window = "1s"

[[channels]]
name = "noc"
url_env = "PANTAU_TEST_CHAT_URL"
min_severity = "warning"

[[targets]]
name = "simpeg-web"
address = "{host.ipv4}"
group = "Server Aplikasi"
network = "server"
probes = ["icmp", "http", "tls"]
http = {{ url = "{url("valid", "/redirect/1")}", expect_text = "Layanan Publik", ca_file = "{ca}" }}
tls = {{ port = {servers.port("valid")}, ca_file = "{ca}" }}

[[targets]]
name = "perpus-web"
address = "{host.ipv4}"
group = "Server Aplikasi"
network = "server"
probes = ["http"]
http = {{ url = "{url("expiring", "/ok")}", ca_file = "{ca}" }}

[[targets]]
name = "dinkes-web"
address = "{host.ipv4}"
group = "Server Aplikasi"
network = "server"
probes = ["icmp", "http"]
http = {{ url = "{url("valid", "/status/500")}", ca_file = "{ca}" }}

[[targets]]
name = "arsip-db"
address = "{host.ipv4}"
group = "Server Aplikasi"
network = "server"
probes = ["tcp"]
tcp = {{ ports = [{servers.port("plain")}, {CLOSED_PORT}] }}
"""


def test_daemon_checks_services_alerts_and_keeps_history(
    lab: Lab,
    tmp_path: Path,
    receiver: RecordingReceiver,
    web: tuple[Host, LocalServers],
) -> None:
    host, servers = web
    config = tmp_path / "pantau.toml"
    config.write_text(inventory(host, servers))
    daemon = RunningDaemon(lab, config, env=CHANNEL_ENV)
    try:
        daemon.wait_for(status_is("simpeg-web", "up"), timeout=30)
        daemon.wait_for(status_is("dinkes-web", "down"), timeout=30)
        daemon.wait_for(status_is("arsip-db", "down"), timeout=30)
        samples = daemon.wait_for(status_is("perpus-web", "degraded"), timeout=30)

        assert value(samples, "pantau_probe_success", target="simpeg-web", probe="http") == 1
        assert value(samples, "pantau_http_redirects", target="simpeg-web") == 1
        assert value(samples, "pantau_http_content_match", target="simpeg-web") == 1
        assert value(samples, "pantau_http_status_code", target="dinkes-web") == 500
        assert value(samples, "pantau_tls_cert_verified", target="simpeg-web", probe="tls") == 1
        days = value(samples, "pantau_tls_cert_days_left", target="perpus-web", probe="http")
        assert days is not None and 9.9 < days <= 10
        reason = "pantau_target_status_reason"
        assert value(samples, reason, target="dinkes-web", reason="unexpected_status") == 1
        assert value(samples, reason, target="arsip-db", reason="connect_refused") == 1
        assert value(samples, reason, target="perpus-web", reason="cert_expiry") == 1
        phases = {
            phase: value(samples, "pantau_http_duration_seconds", target="simpeg-web", phase=phase)
            for phase in ("resolve", "connect", "tls", "processing", "transfer")
        }
        assert all(seconds is not None and seconds >= 0 for seconds in phases.values()), phases
        expiry = value(
            samples,
            "pantau_tls_cert_expiry_timestamp_seconds",
            target="perpus-web",
            probe="http",
        )
        assert expiry is not None

        wait_until(lambda: any("DEGRADED" in text for text in receiver.messages()), 30)
    finally:
        daemon.stop()

    messages = receiver.messages()
    certificate = [text for text in messages if "CERTIFICATE EXPIRING" in text]
    assert len(certificate) == 1, messages
    date = format_date(
        datetime.fromtimestamp(expiry, ZoneInfo("Asia/Jakarta")), "long", locale="en_US"
    )
    assert "perpus-web" in certificate[0], certificate
    assert date in certificate[0], certificate
    down = [text for text in messages if "DOWN" in text and "dinkes-web" in text]
    assert down and "HTTP status code" in down[0], messages
    assert not any("simpeg-web" in text for text in messages), messages

    with sqlite3.connect(tmp_path / "pantau.db") as db:
        probes = {
            probe
            for (probe,) in db.execute("SELECT probe FROM results WHERE target = 'simpeg-web'")
        }
        failed = db.execute(
            "SELECT success, reason, values_json FROM results"
            " WHERE target = 'dinkes-web' AND probe = 'http'"
        ).fetchall()
    assert probes == {"icmp", "http", "tls"}
    assert failed and all(row[:2] == (0, "unexpected_status") for row in failed), failed
    assert '"status_code":500' in failed[0][2].replace(" ", ""), failed[0][2]


@pytest.mark.parametrize("language", ["id", "en"])
def test_probe_command_prints_status_phases_and_certificate_days(
    lab: Lab, tmp_path: Path, web: tuple[Host, LocalServers], language: str
) -> None:
    host, servers = web
    config = tmp_path / "pantau.toml"
    config.write_text(inventory(host, servers))
    command = [sys.executable, "-m", "monitor.cli", "probe", "-c", str(config), "--lang", language]
    completed = lab.prober.run([*command, "perpus-web", "simpeg-web"], env={**ENV, **CHANNEL_ENV})
    assert completed.returncode == 0, completed.stdout + completed.stderr
    out = completed.stdout
    words = {
        "id": ("BERHASIL", "Status 200", "Fase:", "jabat tangan TLS", "sampai byte pertama"),
        "en": ("OK", "Status 200", "Phases:", "TLS handshake", "to the first byte"),
    }[language]
    for word in words:
        assert word in out, out
    days_left = {"id": "10 hari lagi", "en": "10 days left"}[language]
    assert days_left in out, out
    assert {"id": "1 pengalihan", "en": "1 redirects"}[language] in out, out

    failing = lab.prober.run([*command, "dinkes-web", "arsip-db"], env={**ENV, **CHANNEL_ENV})
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "Status 500" in failing.stdout
    assert f"Port {CLOSED_PORT}:" in failing.stdout
