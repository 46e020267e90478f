"""TLS and basic authentication of /metrics and /healthz.

The real daemon runs on a copy of config/demo.toml (loopback targets only,
listening on a free loopback port) with a web configuration that names a
server certificate for 127.0.0.1, signed by a test CA made here, and one
user with a bcrypt hash. A real Prometheus then scrapes it over HTTPS.
"""

from __future__ import annotations

import base64
import datetime
import http.client
import ipaddress
import json
import re
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypothesis import given
from hypothesis import strategies as st

from monitor.config import load, load_tls_context
from monitor.exporter import BasicAuth, _parse_basic

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
DEMO = REPOSITORY_ROOT / "config" / "demo.toml"
PROMETHEUS = Path("/usr/bin/prometheus")
USER = "prometheus"
PASSWORD = "kata-sandi-uji-7f3a"
WRONG_PASSWORD = "kata-sandi-salah"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def write_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """Write a test CA and a server certificate for 127.0.0.1; return (ca, cert, key)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Pantau test CA"))
        .issuer_name(_name("Pantau test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca_cert.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path = directory / "ca.crt"
    cert_path = directory / "server.crt"
    key_path = directory / "server.key"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return ca_path, cert_path, key_path


def write_demo_config(directory: Path, port: int) -> Path:
    """Copy config/demo.toml with a free loopback port, debug logging and web_config."""
    text = DEMO.read_text(encoding="utf-8")
    text, listens = re.subn(r'(?m)^listen = ".*"$', f'listen = "127.0.0.1:{port}"', text)
    text, levels = re.subn(r'(?m)^log_level = ".*"$', 'log_level = "DEBUG"', text)
    assert listens == 1
    assert levels == 1
    text = text.replace("[daemon]\n", '[daemon]\nweb_config = "web.yml"\n', 1)
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=10)).decode()
    (directory / "web.yml").write_text(
        "tls_server_config:\n"
        "  cert_file: server.crt\n"
        "  key_file: server.key\n"
        "basic_auth_users:\n"
        f"  {USER}: {hashed}\n",
        encoding="utf-8",
    )
    path = directory / "demo.toml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Daemon:
    process: subprocess.Popen[bytes]
    port: int
    ca: Path
    log: Path


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def fetch(
    daemon: Daemon, path: str = "/metrics", authorization: str | None = None
) -> tuple[int, dict[str, str], str]:
    """GET over HTTPS, trusting only the test CA; return status, headers and body."""
    context = ssl.create_default_context(cafile=str(daemon.ca))
    request = urllib.request.Request(f"https://127.0.0.1:{daemon.port}{path}")
    if authorization is not None:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    directory = tmp_path_factory.mktemp("secure")
    ca, _, _ = write_certificates(directory)
    port = free_port()
    config = write_demo_config(directory, port)
    log = directory / "pantau.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli", "run", "-c", str(config)],
            cwd=REPOSITORY_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    running = Daemon(process, port, ca, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            try:
                fetch(running, "/healthz")
                break
            except (OSError, http.client.HTTPException):
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_web_config_is_read(tmp_path: Path) -> None:
    write_certificates(tmp_path)
    config = write_demo_config(tmp_path, 9470)

    web = load(config, environ={}).daemon.web

    assert web is not None
    assert web.tls
    assert web.path == tmp_path / "web.yml"
    assert web.cert_file == tmp_path / "server.crt"
    assert web.key_file == tmp_path / "server.key"
    assert list(web.users) == [USER]
    assert bcrypt.checkpw(PASSWORD.encode(), web.users[USER].encode())


def test_demo_has_no_web_config() -> None:
    assert load(DEMO, environ={}).daemon.web is None


def test_https_with_right_password_returns_metrics(daemon: Daemon) -> None:
    status, headers, body = fetch(daemon, "/metrics", basic(USER, PASSWORD))

    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    assert "pantau_build_info{" in body
    assert 'pantau_target_info{address="127.0.0.1"' in body


def test_healthz_with_right_password(daemon: Daemon) -> None:
    assert fetch(daemon, "/healthz", basic(USER, PASSWORD))[:3:2] == (200, "ok\n")


@pytest.mark.parametrize("path", ["/metrics", "/healthz", "/"])
def test_no_credentials_is_refused(daemon: Daemon, path: str) -> None:
    status, headers, body = fetch(daemon, path)

    assert status == 401
    assert headers["WWW-Authenticate"] == 'Basic realm="pantau"'
    assert body == "unauthorized\n"


@pytest.mark.parametrize(
    "authorization",
    [
        basic(USER, WRONG_PASSWORD),
        basic("grafana", PASSWORD),
        basic(USER, PASSWORD + "x"),
        "Bearer " + PASSWORD,
        "Basic bukan-base64!",
    ],
)
def test_wrong_credentials_are_refused(daemon: Daemon, authorization: str) -> None:
    # The right password first, so that a cached success cannot let a wrong one through.
    assert fetch(daemon, "/metrics", basic(USER, PASSWORD))[0] == 200

    status, headers, _ = fetch(daemon, "/metrics", authorization)

    assert status == 401
    assert headers["WWW-Authenticate"] == 'Basic realm="pantau"'


def test_plain_http_fails(daemon: Daemon) -> None:
    with pytest.raises((OSError, http.client.HTTPException)):
        urllib.request.urlopen(f"http://127.0.0.1:{daemon.port}/metrics", timeout=10)
    # The failed handshake leaves the endpoint working.
    assert fetch(daemon, "/metrics", basic(USER, PASSWORD))[0] == 200


def test_untrusted_certificate_fails(daemon: Daemon) -> None:
    context = ssl.create_default_context()
    context.load_verify_locations(cadata=_other_ca_pem())
    with pytest.raises(urllib.error.URLError) as caught:
        urllib.request.urlopen(
            f"https://127.0.0.1:{daemon.port}/metrics", timeout=10, context=context
        )
    assert isinstance(caught.value.reason, ssl.SSLCertVerificationError)


def _other_ca_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Other CA"))
        .issuer_name(_name("Other CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_tls_context_refuses_below_1_2(tmp_path: Path) -> None:
    # A client that refuses TLS 1.0 and 1.1 itself would not show the server's floor.
    _, cert, key = write_certificates(tmp_path)

    context = load_tls_context(cert, key)

    assert context.minimum_version == ssl.TLSVersion.TLSv1_2


def test_tls_1_2_is_accepted(daemon: Daemon) -> None:
    context = ssl.create_default_context(cafile=str(daemon.ca))
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with (
        socket.create_connection(("127.0.0.1", daemon.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.version() == "TLSv1.2"


def test_password_never_logged(daemon: Daemon) -> None:
    fetch(daemon, "/metrics", basic(USER, PASSWORD))
    fetch(daemon, "/metrics", basic(USER, WRONG_PASSWORD))

    text = daemon.log.read_text()
    assert "http: " in text  # debug logging of requests is on
    for secret in (PASSWORD, WRONG_PASSWORD, basic(USER, PASSWORD).split()[1]):
        assert secret not in text


# Prometheus -------------------------------------------------------------------------


def query(port: int, expression: str) -> list[dict[str, object]]:
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
    with urllib.request.urlopen(url, timeout=10) as response:
        answer = json.load(response)
    assert answer["status"] == "success"
    result: list[dict[str, object]] = answer["data"]["result"]
    return result


@pytest.mark.slow
@pytest.mark.skipif(not PROMETHEUS.exists(), reason="needs /usr/bin/prometheus")
def test_prometheus_scrapes_over_https(daemon: Daemon, tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        json.dumps(
            {
                "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
                "scrape_configs": [
                    {
                        "job_name": "pantau",
                        "scheme": "https",
                        "tls_config": {"ca_file": str(daemon.ca)},
                        "basic_auth": {"username": USER, "password": PASSWORD},
                        "static_configs": [{"targets": [f"127.0.0.1:{daemon.port}"]}],
                    },
                    {
                        "job_name": "pantau-without-password",
                        "scheme": "https",
                        "tls_config": {"ca_file": str(daemon.ca)},
                        "static_configs": [{"targets": [f"127.0.0.1:{daemon.port}"]}],
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    log = tmp_path / "prometheus.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(PROMETHEUS),
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        up: dict[str, str] = {}
        while len(up) < 2:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"up={up}\n{log.read_text()}"
            time.sleep(0.5)
            try:
                series = query(port, "up")
            except (OSError, http.client.HTTPException):
                continue
            up = {
                str(item["metric"]["job"]): str(item["value"][1])  # type: ignore[index]
                for item in series
            }

        assert up == {"pantau": "1", "pantau-without-password": "0"}
        build = query(port, 'pantau_build_info{job="pantau"}')
        assert len(build) == 1
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Basic authentication without a server ------------------------------------------------


@given(
    user=st.text(st.characters(blacklist_characters=":", blacklist_categories=["Cs"])),
    password=st.binary(),
)
def test_parse_basic_round_trip(user: str, password: bytes) -> None:
    header = "Basic " + base64.b64encode(user.encode() + b":" + password).decode()

    assert _parse_basic(header) == (user, password)


@given(st.text())
def test_parse_basic_never_raises(header: str) -> None:
    parsed = _parse_basic(header)
    assert parsed is None or isinstance(parsed[1], bytes)


def test_basic_auth_cache_keeps_refusing_wrong_passwords() -> None:
    hashed = bcrypt.hashpw(b"benar", bcrypt.gensalt(rounds=4)).decode()
    auth = BasicAuth({"noc": hashed})

    assert auth.check(basic("noc", "benar"))
    assert auth.check(basic("noc", "benar"))
    assert not auth.check(basic("noc", "salah"))
    assert not auth.check(basic("lain", "benar"))
    assert not auth.check(None)
    assert not auth.check("")
    assert not auth.check("Basic " + base64.b64encode(b"tanpa-titik-dua").decode())


def test_basic_auth_cache_expires() -> None:
    hashed = bcrypt.hashpw(b"benar", bcrypt.gensalt(rounds=4)).decode()
    auth = BasicAuth({"noc": hashed}, cache_seconds=0.0)

    assert auth.check(basic("noc", "benar"))
    assert not auth.check(basic("noc", "salah"))
    assert auth.check(basic("noc", "benar"))
