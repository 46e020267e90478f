"""Tests for probes.tls against a local HTTPS server with test CA certificates."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probes import base, tls
from tests.https_server import HOST_NAME, WRONG_HOST_NAME, LocalServers, https_servers

DAY = 86_400.0


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServers]:
    with https_servers(tmp_path_factory.mktemp("tls")) as running:
        yield running


def check(servers: LocalServers, kind: str, **settings: object) -> base.ProbeResult:
    settings.setdefault("server_name", HOST_NAME)
    settings.setdefault("ca_file", servers.ca_file)
    settings.setdefault("timeout", 5.0)
    request = tls.TlsRequest("app", "127.0.0.1", servers.port(kind), **settings)  # type: ignore[arg-type]
    return asyncio.run(tls.probe(request))


def test_valid_chain(servers: LocalServers) -> None:
    result = check(servers, "valid")

    assert result.reason == base.OK
    assert result.success
    assert result.probe == "tls"
    info = result.detail
    assert isinstance(info, tls.TlsInfo)
    assert info.verified
    assert info.hostname_matches
    assert info.verify_error == ""
    assert info.version in ("TLSv1.2", "TLSv1.3")
    assert info.cipher
    assert set(info.names) == {HOST_NAME, "127.0.0.1", "::1"}
    assert len(info.chain) == 2
    assert info.chain[0] == info.subject
    assert info.chain[1] == info.issuer
    assert result.values["cert_verified"] == 1.0
    assert result.values["cert_expiry_timestamp_seconds"] == info.not_after
    assert result.values["ip_version"] == 4.0
    assert result.values["connect_seconds"] >= 0.0
    assert result.values["tls_seconds"] > 0.0


def test_ip_literal_server_name(servers: LocalServers) -> None:
    result = check(servers, "valid", server_name=None)

    assert result.reason == base.OK
    assert result.detail.hostname_matches


def test_expired_certificate(servers: LocalServers) -> None:
    result = check(servers, "expired")

    assert result.reason == base.CERT_EXPIRED
    assert not result.success
    info = result.detail
    assert info is not None
    assert info.not_after < time.time()
    assert HOST_NAME in info.names
    assert not info.verified
    assert "expired" in info.verify_error
    assert result.values["cert_expiry_timestamp_seconds"] == info.not_after
    assert result.values["cert_verified"] == 0.0


def test_expiring_in_ten_days(servers: LocalServers) -> None:
    result = check(servers, "expiring")

    assert result.reason == base.OK
    days_left = (result.values["cert_expiry_timestamp_seconds"] - time.time()) / DAY
    assert 9.0 <= days_left <= 10.0
    assert result.detail.not_after == result.values["cert_expiry_timestamp_seconds"]


def test_wrong_host_name(servers: LocalServers) -> None:
    result = check(servers, "wronghost")

    assert result.reason == base.CERT_HOSTNAME
    info = result.detail
    assert info.names == (WRONG_HOST_NAME,)
    assert not info.hostname_matches
    assert "cert_expiry_timestamp_seconds" in result.values


def test_self_signed_without_ca(servers: LocalServers) -> None:
    result = check(servers, "selfsigned")

    assert result.reason == base.CERT_UNTRUSTED
    assert result.detail.subject == HOST_NAME
    assert result.detail.issuer == HOST_NAME
    assert result.values["cert_verified"] == 0.0


def test_self_signed_insecure(servers: LocalServers) -> None:
    result = check(servers, "selfsigned", insecure=True)

    assert result.reason == base.OK
    assert result.success
    assert not result.detail.verified
    assert result.detail.hostname_matches
    assert result.values["cert_verified"] == 0.0


def test_ca_not_given_is_untrusted(servers: LocalServers) -> None:
    result = check(servers, "valid", ca_file=None)

    assert result.reason == base.CERT_UNTRUSTED
    assert result.detail is not None


def test_missing_ca_file(servers: LocalServers, tmp_path: Path) -> None:
    result = check(servers, "valid", ca_file=str(tmp_path / "missing.pem"))

    assert result.reason == base.INTERNAL_ERROR
    assert "missing.pem" in result.message


def test_refused_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        request = tls.TlsRequest("app", "127.0.0.1", port, HOST_NAME, timeout=5.0)
        result = asyncio.run(tls.probe(request))

    assert result.reason == base.CONNECT_REFUSED
    assert "connect_seconds" not in result.values
    assert result.detail is None


def test_ipv6_loopback(servers: LocalServers) -> None:
    if "valid6" not in servers.ports:
        pytest.skip("this machine has no IPv6 loopback")
    request = tls.TlsRequest(
        "app", "::1", servers.port("valid6"), HOST_NAME, ca_file=servers.ca_file, timeout=5.0
    )
    result = asyncio.run(tls.probe(request))

    assert result.reason == base.OK
    assert result.values["ip_version"] == 6.0


def test_plain_http_port_fails_handshake() -> None:
    async def run() -> base.ProbeResult:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await tls.probe(tls.TlsRequest("app", "127.0.0.1", port, timeout=5.0))

    result = asyncio.run(run())

    assert result.reason == base.TLS_HANDSHAKE
    assert result.detail is None


def test_silent_server_times_out() -> None:
    async def run() -> base.ProbeResult:
        async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()
            writer.close()

        server = await asyncio.start_server(hold, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await tls.probe(tls.TlsRequest("app", "127.0.0.1", port, timeout=0.3))

    result = asyncio.run(run())

    assert result.reason == base.RESPONSE_TIMEOUT
    assert "connect_seconds" in result.values


@pytest.mark.parametrize("address", ["192.0.2.10", "2001:db8::1", "app.example.com"])
def test_placeholder_is_not_contacted(address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    async def record_connection(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError("a placeholder address was contacted")

    monkeypatch.setattr(asyncio, "open_connection", record_connection)
    monkeypatch.setattr(socket, "getaddrinfo", record_connection)
    result = asyncio.run(tls.probe(tls.TlsRequest("app", address, 443)))

    assert result.reason == base.UNCONFIGURED
    assert attempts == []


def verification_error(code: int) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_code = code
    error.verify_message = f"code {code}"
    return error


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (10, base.CERT_EXPIRED),
        (9, base.CERT_EXPIRED),
        (18, base.CERT_UNTRUSTED),
        (19, base.CERT_UNTRUSTED),
        (20, base.CERT_UNTRUSTED),
        (21, base.CERT_UNTRUSTED),
        (62, base.CERT_HOSTNAME),
        (7, base.CERT_INVALID),
        (23, base.CERT_INVALID),
    ],
)
def test_verify_code_reason(code: int, reason: str) -> None:
    assert tls.tls_error_reason(verification_error(code)) == reason


def test_other_ssl_error_is_handshake() -> None:
    assert tls.tls_error_reason(ssl.SSLError(1, "wrong version number")) == base.TLS_HANDSHAKE


@pytest.mark.parametrize(
    ("names", "server_name", "expected"),
    [
        (("app.pantau.test",), "app.pantau.test", True),
        (("APP.Pantau.test",), "app.pantau.TEST.", True),
        (("*.pantau.test",), "app.pantau.test", True),
        (("*.pantau.test",), "a.b.pantau.test", False),
        (("*.pantau.test",), "pantau.test", False),
        (("app.pantau.test",), "other.pantau.test", False),
        (("127.0.0.1",), "127.0.0.1", True),
        (("::1",), "[::1]", True),
        (("app.pantau.test",), "127.0.0.1", False),
        ((), "app.pantau.test", False),
    ],
)
def test_hostname_matches(names: tuple[str, ...], server_name: str, expected: bool) -> None:
    assert tls.hostname_matches(names, server_name) is expected


@given(st.lists(st.text(max_size=30), max_size=4), st.text(max_size=30))
def test_hostname_matches_any_text(names: list[str], server_name: str) -> None:
    assert tls.hostname_matches(tuple(names), server_name) in (True, False)


def test_context_cache_reuses_until_file_changes(servers: LocalServers) -> None:
    cache = tls.SslContextCache()

    first = cache.get(servers.ca_file, insecure=False)
    again = cache.get(servers.ca_file, insecure=False)
    stat = os.stat(servers.ca_file)
    os.utime(servers.ca_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    reloaded = cache.get(servers.ca_file, insecure=False)
    insecure = cache.get(servers.ca_file, insecure=True)

    assert again is first
    assert reloaded is not first
    assert insecure.verify_mode == ssl.CERT_NONE
    assert not insecure.check_hostname
    assert first.verify_mode == ssl.CERT_REQUIRED


def test_context_cache_is_bounded(tmp_path: Path, servers: LocalServers) -> None:
    cache = tls.SslContextCache(max_size=2)
    ca_pem = Path(servers.ca_file).read_bytes()
    files = []
    for index in range(3):
        path = tmp_path / f"ca{index}.pem"
        path.write_bytes(ca_pem)
        files.append(str(path))

    contexts = [cache.get(path, insecure=False) for path in files]

    assert cache.get(files[2], insecure=False) is contexts[2]
    assert cache.get(files[0], insecure=False) is not contexts[0]
