"""Tests for probes.http against a local HTTP(S) server running in a subprocess."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import socket
import time
from collections.abc import Awaitable, Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probes import base, http
from tests.https_server import HOST_NAME, LocalServers, https_servers

PHASE_KEYS = tuple(f"{phase}_seconds" for phase in http.PHASES)
# Float rounding only: every phase ends where the next one starts.
SUM_TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServers]:
    with https_servers(tmp_path_factory.mktemp("http")) as running:
        yield running


def fetch(servers: LocalServers, kind: str, path: str, **settings: object) -> base.ProbeResult:
    settings.setdefault("address", "127.0.0.1")
    settings.setdefault("ca_file", servers.ca_file)
    settings.setdefault("timeout", 5.0)
    request = http.HttpRequest("app", servers.url(kind, path), **settings)  # type: ignore[arg-type]
    return asyncio.run(http.probe(request))


def phase_sum(result: base.ProbeResult) -> float:
    return sum(result.values.get(key, 0.0) for key in PHASE_KEYS)


def test_https_ok(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/ok")

    assert result.reason == base.OK
    assert result.success
    assert result.probe == "http"
    assert result.values["status_code"] == 200.0
    assert result.values["redirects"] == 0.0
    assert result.values["http_version"] == 1.1
    assert result.values["ip_version"] == 4.0
    assert result.values["cert_verified"] == 1.0
    assert result.values["response_bytes"] > 0
    assert "content_match" not in result.values
    detail = result.detail
    assert detail.status_code == 200
    assert detail.address == "127.0.0.1"
    assert detail.http_version == "HTTP/1.1"
    assert "Layanan Publik" in detail.body_excerpt
    assert detail.tls.verified
    assert detail.tls.not_after == result.values["cert_expiry_timestamp_seconds"]
    assert len(detail.tls.chain) == 2
    assert not detail.insecure


def test_plain_http_has_no_tls_values(servers: LocalServers) -> None:
    result = fetch(servers, "plain", "/ok")

    assert result.reason == base.OK
    assert "tls_seconds" not in result.values
    assert "cert_verified" not in result.values
    assert "cert_expiry_timestamp_seconds" not in result.values
    assert result.detail.tls is None


def test_expired_certificate(servers: LocalServers) -> None:
    result = fetch(servers, "expired", "/ok")

    assert result.reason == base.CERT_EXPIRED
    assert result.values["cert_expiry_timestamp_seconds"] < time.time()
    assert result.values["cert_verified"] == 0.0
    assert HOST_NAME in result.detail.tls.names
    assert "expired" in result.detail.tls.verify_error
    assert "status_code" not in result.values


def test_expiring_in_ten_days(servers: LocalServers) -> None:
    result = fetch(servers, "expiring", "/ok")

    assert result.reason == base.OK
    days_left = (result.values["cert_expiry_timestamp_seconds"] - time.time()) / 86_400
    assert 9.0 <= days_left <= 10.0


def test_wrong_host_name(servers: LocalServers) -> None:
    result = fetch(servers, "wronghost", "/ok")

    assert result.reason == base.CERT_HOSTNAME
    assert not result.detail.tls.hostname_matches
    assert "cert_expiry_timestamp_seconds" in result.values


def test_self_signed_without_ca(servers: LocalServers) -> None:
    result = fetch(servers, "selfsigned", "/ok")

    assert result.reason == base.CERT_UNTRUSTED
    assert result.values["cert_verified"] == 0.0


def test_self_signed_insecure(servers: LocalServers) -> None:
    result = fetch(servers, "selfsigned", "/ok", insecure=True)

    assert result.reason == base.OK
    assert result.values["cert_verified"] == 0.0
    assert result.detail.insecure
    assert not result.detail.tls.verified


def test_redirect_chain_counted(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/redirect/3")

    assert result.reason == base.OK
    assert result.values["redirects"] == 3.0
    hops = result.detail.hops
    assert [hop.status_code for hop in hops] == [302, 302, 302, 200]
    assert [hop.location for hop in hops[:3]] == ["/redirect/2", "/redirect/1", "/ok"]
    assert result.detail.final_url == servers.url("valid", "/ok")
    assert result.detail.url == servers.url("valid", "/redirect/3")
    assert all("tls" in hop.phases for hop in hops)


def test_redirect_loop(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/loop")

    assert result.reason == base.REDIRECT_LOOP
    assert not result.success
    assert result.values["redirects"] == 1.0
    assert len(result.detail.hops) == 2


def test_too_many_redirects(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/redirect/4", max_redirects=3)

    assert result.reason == base.TOO_MANY_REDIRECTS
    assert result.values["redirects"] == 3.0
    assert result.values["status_code"] == 302.0


def test_redirects_at_the_limit(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/redirect/3", max_redirects=3)

    assert result.reason == base.OK
    assert result.values["redirects"] == 3.0


def test_no_redirects_followed_at_zero(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/redirect/1", max_redirects=0, expect_status=(302,))

    assert result.reason == base.OK
    assert result.values["redirects"] == 0.0
    assert result.detail.hops[0].location == "/ok"


def test_redirect_to_other_host(servers: LocalServers) -> None:
    target = servers.url("plain", "/ok", host="127.0.0.1")
    result = fetch(servers, "valid", f"/to?url={target}")

    assert result.reason == base.OK
    assert result.detail.final_url == target
    assert "tls" in result.detail.hops[0].phases
    assert "tls" not in result.detail.hops[1].phases
    assert result.detail.tls is None


def test_status_500(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/status/500")

    assert result.reason == base.UNEXPECTED_STATUS
    assert result.values["status_code"] == 500.0
    assert "500" in result.message


def test_expected_status_listed(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/status/404", expect_status=(404, 410))

    assert result.reason == base.OK


def test_slow_first_byte_times_out(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/slow?delay=3", timeout=0.5)

    assert result.reason == base.RESPONSE_TIMEOUT
    assert "status_code" not in result.values
    assert "processing_seconds" in result.values
    assert result.duration >= 0.49


def test_slow_body_times_out(servers: LocalServers) -> None:
    result = fetch(servers, "plain", "/slow-body?delay=0.3", timeout=0.5)

    assert result.reason == base.RESPONSE_TIMEOUT


def test_delay_shows_in_processing(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/slow?delay=0.2")

    assert result.reason == base.OK
    assert result.values["processing_seconds"] >= 0.2
    assert result.values["connect_seconds"] < 0.2
    assert result.values["tls_seconds"] < 0.2


def test_slow_body_shows_in_transfer(servers: LocalServers) -> None:
    result = fetch(servers, "plain", "/slow-body?delay=0.05")

    assert result.reason == base.OK
    assert result.values["transfer_seconds"] >= 0.2
    assert result.values["response_bytes"] == 5.0


@pytest.mark.parametrize(
    ("kind", "path", "settings"),
    [
        ("valid", "/ok", {}),
        ("plain", "/ok", {}),
        ("valid", "/redirect/3", {}),
        ("valid", "/slow?delay=0.2", {}),
        ("valid", "/slow?delay=3", {"timeout": 0.3}),
        ("valid", "/close", {}),
        ("expired", "/ok", {}),
    ],
)
def test_phases_add_up_to_duration(
    servers: LocalServers, kind: str, path: str, settings: dict[str, object]
) -> None:
    result = fetch(servers, kind, path, **settings)

    assert math.isclose(phase_sum(result), result.duration, abs_tol=SUM_TOLERANCE)
    hop_sum = sum(sum(hop.phases.values()) for hop in result.detail.hops)
    assert math.isclose(hop_sum, result.duration, abs_tol=SUM_TOLERANCE)
    assert all(seconds >= 0.0 for seconds in result.values.values())


@pytest.mark.parametrize(
    ("settings", "reason", "match"),
    [
        ({"expect_text": "Layanan Publik"}, base.OK, 1.0),
        ({"expect_text": "Halaman Login"}, base.CONTENT_MISMATCH, 0.0),
        ({"expect_regex": r"Layanan\s+Publik"}, base.OK, 1.0),
        ({"expect_regex": r"^Layanan"}, base.CONTENT_MISMATCH, 0.0),
        ({"reject_text": "Galat"}, base.OK, 1.0),
        ({"reject_text": "Selamat datang"}, base.CONTENT_MISMATCH, 0.0),
        ({"reject_regex": r"[Ee]rror \d+"}, base.OK, 1.0),
        ({"reject_regex": r"portal\s+\w+"}, base.CONTENT_MISMATCH, 0.0),
    ],
)
def test_body_matching(
    servers: LocalServers, settings: dict[str, object], reason: str, match: float
) -> None:
    result = fetch(servers, "valid", "/ok", **settings)

    assert result.reason == reason
    assert result.values["content_match"] == match


def test_invalid_regex_is_reported(servers: LocalServers) -> None:
    result = fetch(servers, "plain", "/ok", expect_regex="(unclosed")

    assert result.reason == base.INTERNAL_ERROR
    assert "content_match" not in result.values


def test_body_read_stops_at_max_body(servers: LocalServers) -> None:
    result = fetch(servers, "plain", "/bytes/100000", max_body=1000, expect_text="a")

    assert result.reason == base.OK
    assert result.values["response_bytes"] == 1000.0


def test_refused_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        request = http.HttpRequest("app", f"http://127.0.0.1:{port}/", address=None, timeout=5.0)
        result = asyncio.run(http.probe(request))

    assert result.reason == base.CONNECT_REFUSED
    assert "status_code" not in result.values
    assert result.detail.status_code is None


def test_garbage_is_protocol_error(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/garbage")

    assert result.reason == base.PROTOCOL_ERROR


def test_close_without_answer(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/close")

    assert result.reason == base.CONNECTION_CLOSED


def test_ipv6_loopback(servers: LocalServers) -> None:
    if "valid6" not in servers.ports:
        pytest.skip("this machine has no IPv6 loopback")
    result = fetch(servers, "valid6", "/ok", address="::1")

    assert result.reason == base.OK
    assert result.values["ip_version"] == 6.0
    assert result.detail.address == "::1"


def test_ipv6_literal_url(servers: LocalServers) -> None:
    if "valid6" not in servers.ports:
        pytest.skip("this machine has no IPv6 loopback")
    url = servers.url("valid6", "/ok", host="::1")
    request = http.HttpRequest("app", url, None, ca_file=servers.ca_file, timeout=5.0)
    result = asyncio.run(http.probe(request))

    assert result.reason == base.OK
    assert result.values["ip_version"] == 6.0


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://www.example.com/", None),
        ("http://192.0.2.15/status", None),
        ("https://[2001:db8::7]/", None),
        ("https://simpeg.pantau.go.id/", "198.51.100.20"),
        ("https://app.pantau.test/", None),
    ],
)
def test_placeholder_is_not_contacted(
    url: str, address: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[object] = []

    def record(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError("a placeholder was looked up or contacted")

    async def record_async(*args: object, **kwargs: object) -> None:
        record(*args)

    monkeypatch.setattr(socket, "getaddrinfo", record)
    monkeypatch.setattr(socket.socket, "connect", record)
    monkeypatch.setattr(socket.socket, "connect_ex", record)
    monkeypatch.setattr(http._AsyncioBackend, "connect_tcp", record_async)
    monkeypatch.setattr(asyncio, "open_connection", record_async)
    result = asyncio.run(http.probe(http.HttpRequest("app", url, address)))

    assert result.reason == base.UNCONFIGURED
    assert attempts == []
    assert "connect_seconds" not in result.values


@pytest.mark.parametrize("url", ["ftp://app.pantau.go.id/", "https:///nohost", "not a url"])
def test_invalid_url(url: str) -> None:
    result = asyncio.run(http.probe(http.HttpRequest("app", url, "127.0.0.1")))

    assert result.reason == base.BAD_ADDRESS
    assert result.detail is not None


def test_basic_auth_reaches_server(servers: LocalServers) -> None:
    password = "rahasia-sekali-42"
    result = fetch(servers, "valid", "/auth", basic_auth=("operator", password))

    assert result.reason == base.OK
    assert "user=operator" in result.detail.body_excerpt
    assert password not in repr(result)
    assert password not in repr(
        http.HttpRequest("app", "http://a/", None, basic_auth=("u", password))
    )


def test_basic_auth_missing_is_401(servers: LocalServers) -> None:
    result = fetch(servers, "valid", "/auth")

    assert result.reason == base.UNEXPECTED_STATUS
    assert result.values["status_code"] == 401.0


def test_credentials_in_url_are_hidden(servers: LocalServers) -> None:
    password = "kata-sandi-99"
    url = servers.url("valid", "/auth").replace("https://", f"https://petugas:{password}@")
    request = http.HttpRequest("app", url, "127.0.0.1", ca_file=servers.ca_file, timeout=5.0)
    result = asyncio.run(http.probe(request))

    assert result.reason == base.OK
    assert "user=petugas" in result.detail.body_excerpt
    assert password not in repr(result)
    for field in dataclasses.fields(result.detail):
        assert password not in str(getattr(result.detail, field.name)), field.name


def test_post_with_body(servers: LocalServers) -> None:
    result = fetch(servers, "plain", "/ok", method="POST", body=b"q=1", headers=(("X-Test", "1"),))

    assert result.reason == base.OK


async def serve_raw_once(response: bytes, request: http.HttpRequest) -> base.ProbeResult:
    """Run one check against a server that sends ``response`` bytes and closes."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(response)
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        return await http.probe(dataclasses.replace(request, url=f"http://127.0.0.1:{port}/"))


# No redirect is followed: an arbitrary Location such as "//a" would send a
# DNS query off this machine. test_redirect_location_parsing covers Location.
RAW_REQUEST = http.HttpRequest("app", "http://127.0.0.1/", None, timeout=2.0, max_redirects=0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_response_bytes(response: bytes) -> None:
    result = asyncio.run(serve_raw_once(response, RAW_REQUEST))

    assert result.reason != base.INTERNAL_ERROR
    assert result.success == (result.reason == base.OK)
    assert math.isclose(phase_sum(result), result.duration, abs_tol=SUM_TOLERANCE)


status_lines = st.builds(
    lambda version, code, phrase: b"%s %d %s\r\n" % (version, code, phrase),
    st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2", b"HTTP/1.1 ", b"ICY"]),
    st.integers(min_value=0, max_value=1200),
    st.binary(max_size=20).filter(lambda phrase: b"\r" not in phrase and b"\n" not in phrase),
)
header_lines = st.lists(
    st.tuples(
        st.sampled_from([b"Location", b"Content-Length", b"Transfer-Encoding", b"X-A"]),
        st.binary(max_size=30),
    ),
    max_size=4,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status_lines, header_lines, st.binary(max_size=50))
def test_arbitrary_status_and_headers(
    status_line: bytes, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    head = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    result = asyncio.run(serve_raw_once(status_line + head + b"\r\n" + body, RAW_REQUEST))

    assert result.reason != base.INTERNAL_ERROR
    if result.reason == base.OK:
        assert 200 <= result.values["status_code"] < 300
    assert math.isclose(phase_sum(result), result.duration, abs_tol=SUM_TOLERANCE)


@given(st.text(max_size=80))
def test_redirect_location_parsing(location: str) -> None:
    base_url = http.httpx.URL("https://app.pantau.test:8443/a/b?c=1")
    try:
        next_url = http._redirect_url(base_url, location)
    except http._Failure as failure:
        assert failure.reason == base.PROTOCOL_ERROR
    else:
        assert next_url.scheme in ("http", "https")
        assert next_url.host
        assert not next_url.username
        assert not next_url.password


# Hostile servers written for one test each, on 127.0.0.1.

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = await reader.read(4096)
        if not chunk:
            break
        data += chunk
    return data


def _answer(status: str, body: bytes = b"", extra: bytes = b"") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n".encode() + extra + b"\r\n" + body


def _server(answer: Callable[[bytes], bytes]) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await _read_head(reader)
        writer.write(answer(head))
        await writer.drain()
        writer.close()

    return handle


async def _serve(handler: Handler) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_backtracking_pattern_ends_at_once() -> None:
    # (a+)+b takes Python's backtracking engine hours on 40 "a"; RE2 is linear.
    async def main() -> base.ProbeResult:
        server, port = await _serve(_server(lambda _: _answer("200 OK", b"a" * 40)))
        async with server:
            request = http.HttpRequest(
                "redos", f"http://127.0.0.1:{port}/", None, expect_regex="(a+)+b", timeout=2.0
            )
            return await http.probe(request)

    result = asyncio.run(asyncio.wait_for(main(), 30))
    assert result.reason == base.CONTENT_MISMATCH
    assert result.values["content_match"] == 0.0


def test_auth_not_sent_to_other_port() -> None:
    received: list[bytes] = []

    def record(head: bytes) -> bytes:
        lines = head.split(b"\r\n")
        received.extend(line for line in lines if line.lower().startswith(b"authorization"))
        return _answer("200 OK", b"ok")

    async def main() -> base.ProbeResult:
        other, other_port = await _serve(_server(record))
        location = f"Location: http://{HOST_NAME}:{other_port}/\r\n".encode()
        first, port = await _serve(_server(lambda _: _answer("302 Found", extra=location)))
        async with other, first:
            request = http.HttpRequest(
                "auth",
                f"http://{HOST_NAME}:{port}/",
                "127.0.0.1",
                basic_auth=("noc", "s3cret"),
                timeout=5.0,
            )
            return await http.probe(request)

    result = asyncio.run(main())
    assert result.success and result.values["redirects"] == 1.0
    assert received == []


@pytest.mark.parametrize(
    "location", ["https://www.example.com/login", "http://192.0.2.1/x", "http://portal.test/"]
)
def test_redirect_to_placeholder_fails(location: str) -> None:
    async def main() -> base.ProbeResult:
        extra = f"Location: {location}\r\n".encode()
        server, port = await _serve(_server(lambda _: _answer("302 Found", extra=extra)))
        async with server:
            request = http.HttpRequest("app", f"http://{HOST_NAME}:{port}/", "127.0.0.1")
            return await http.probe(request)

    result = asyncio.run(main())
    assert result.reason == base.REDIRECT_REFUSED
    assert not result.success
    refused = result.detail.hops[-1]
    assert refused.status_code is None
    assert set(refused.phases) == {"resolve"}
