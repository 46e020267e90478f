"""TCP probe against real listeners on loopback and hosts in a test network.

Loopback servers are asyncio servers in the test's own event loop. The
CONNECT_TIMEOUT and NO_ROUTE cases need a host that drops SYNs and a
missing route, so they run inside a lab's prober namespace.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import textwrap
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probes import base
from probes.tcp import (
    MAX_BANNER_CHARS,
    MAX_CONNECTIONS,
    TcpCheck,
    TcpDetail,
    TcpRequest,
    printable_banner,
    probe,
)
from tests.lab.netns import Lab

REPOSITORY = Path(__file__).resolve().parent.parent
LOOPBACKS = ["127.0.0.1", "::1"]
SSH_BANNER = b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def send_banner(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(SSH_BANNER)
    await writer.drain()
    await reader.read()  # keep the connection open until the prober closes it
    writer.close()


async def stay_silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()
    writer.close()


async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


async def answer_ping(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    line = await reader.readline()
    writer.write(b"+PONG\r\n" if line == b"PING\r\n" else b"-ERR unknown command\r\n")
    await writer.drain()
    await reader.read()
    writer.close()


async def send_short_reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"SSH-")
    await writer.drain()
    writer.close()


async def send_in_pieces(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    for piece in (b"220 mail", b".kab.go.id ESMTP", b" Postfix\r\n"):
        writer.write(piece)
        await writer.drain()
        await asyncio.sleep(0.01)
    await reader.read()
    writer.close()


async def send_endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"x" * 10_000)
    await writer.drain()
    await reader.read()
    writer.close()


async def run_with_server(
    host: str, handler: Handler, make_request: Callable[[int], TcpRequest]
) -> base.ProbeResult:
    """Serve ``handler`` on a free port of ``host`` and probe it."""
    server = await asyncio.start_server(handler, host, 0)
    port = server.sockets[0].getsockname()[1]
    try:
        return await probe(make_request(port))
    finally:
        server.close()


def probe_server(
    host: str, handler: Handler, check: TcpCheck | None = None, **kwargs
) -> base.ProbeResult:
    """Probe one port served by ``handler``, with ``check`` applied to it."""

    def make_request(port: int) -> TcpRequest:
        template = check or TcpCheck(ports=(port,))
        port_check = TcpCheck((port,), template.send, template.expect, template.expect_regex)
        return TcpRequest(target="app", address=host, checks=(port_check,), **kwargs)

    return asyncio.run(run_with_server(host, handler, make_request))


@pytest.fixture
def closed_port() -> Iterator[tuple[str, int]]:
    """Yield a loopback port that is bound but not listening, so connects get a reset."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield "127.0.0.1", sock.getsockname()[1]


def only_port(result: base.ProbeResult):
    assert isinstance(result.detail, TcpDetail)
    assert len(result.detail.ports) == 1
    return result.detail.ports[0]


@pytest.mark.parametrize("host", LOOPBACKS)
def test_open_port_succeeds(host: str) -> None:
    result = probe_server(host, stay_silent)

    assert result.success
    assert result.reason == base.OK
    assert result.probe == "tcp"
    assert result.values["ports_up"] == 1
    assert result.values["ports_total"] == 1
    assert result.values["ip_version"] == (6 if ":" in host else 4)
    assert result.values["connect_seconds"] > 0
    assert result.detail.address == host
    port = only_port(result)
    assert port.success
    assert port.connect_seconds == result.values["connect_seconds"]
    assert port.banner == ""


def test_closed_port_is_refused(closed_port: tuple[str, int]) -> None:
    host, port = closed_port
    request = TcpRequest(target="app", address=host, checks=(TcpCheck(ports=(port,)),))

    result = asyncio.run(probe(request))

    assert not result.success
    assert result.reason == base.CONNECT_REFUSED
    assert "connect_seconds" not in result.values
    assert result.values["ports_up"] == 0
    assert f"port {port}" in result.message
    assert only_port(result).connect_seconds is None


@pytest.mark.parametrize("host", LOOPBACKS)
def test_silent_port_times_out_on_expect(host: str) -> None:
    result = probe_server(host, stay_silent, TcpCheck(ports=(1,), expect=b"SSH-"), timeout=0.3)

    assert not result.success
    assert result.reason == base.RESPONSE_TIMEOUT
    port = only_port(result)
    assert port.connect_seconds is not None
    assert port.banner == ""
    assert "connect_seconds" in result.values


@pytest.mark.parametrize("host", LOOPBACKS)
def test_ssh_banner_matches(host: str) -> None:
    check = TcpCheck(ports=(1,), expect=b"SSH-2.0-", expect_regex=r"^SSH-2\.0-OpenSSH_\d")

    result = probe_server(host, send_banner, check)

    assert result.success
    assert result.reason == base.OK
    assert only_port(result).banner == "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\\r\\n"


def test_ssh_banner_prefix_mismatch() -> None:
    result = probe_server("127.0.0.1", send_banner, TcpCheck(ports=(1,), expect=b"SSH-1.99-"))

    assert not result.success
    assert result.reason == base.BANNER_MISMATCH
    assert only_port(result).banner.startswith("SSH-2.0-OpenSSH")
    assert "SSH-1.99-" in result.message


def test_ssh_banner_regex_mismatch() -> None:
    check = TcpCheck(ports=(1,), expect_regex=r"OpenSSH_10\.")

    result = probe_server("127.0.0.1", send_banner, check, timeout=5.0)

    assert result.reason == base.BANNER_MISMATCH
    assert "OpenSSH_10" in result.message


def test_short_reply_is_mismatch() -> None:
    result = probe_server("127.0.0.1", send_short_reply, TcpCheck(ports=(1,), expect=b"SSH-2.0-"))

    assert result.reason == base.BANNER_MISMATCH
    assert only_port(result).banner == "SSH-"


def test_close_without_reply() -> None:
    result = probe_server("127.0.0.1", close_at_once, TcpCheck(ports=(1,), expect=b"220 "))

    assert result.reason == base.CONNECTION_CLOSED
    assert only_port(result).connect_seconds is not None


def test_close_without_expect_succeeds() -> None:
    result = probe_server("127.0.0.1", close_at_once)

    assert result.success


def test_reply_in_pieces_matches() -> None:
    check = TcpCheck(ports=(1,), expect=b"220 ", expect_regex=r"ESMTP Postfix\r\n")

    result = probe_server("127.0.0.1", send_in_pieces, check)

    assert result.success
    assert only_port(result).banner == "220 mail.kab.go.id ESMTP Postfix\\r\\n"


def test_endless_reply_stops_at_limit() -> None:
    check = TcpCheck(ports=(1,), expect_regex=r"never")

    result = probe_server("127.0.0.1", send_endless, check, timeout=30.0)

    assert result.reason == base.BANNER_MISMATCH
    assert only_port(result).banner == "x" * MAX_BANNER_CHARS


@pytest.mark.parametrize("host", LOOPBACKS)
def test_send_and_expect_exchange(host: str) -> None:
    check = TcpCheck(ports=(1,), send=b"PING\r\n", expect=b"+PONG")

    result = probe_server(host, answer_ping, check)

    assert result.success
    assert only_port(result).banner == "+PONG\\r\\n"


def test_send_and_expect_wrong_reply() -> None:
    check = TcpCheck(ports=(1,), send=b"PING\r\n", expect=b"+PONG")

    def make_request(port: int) -> TcpRequest:
        wrong = TcpCheck((port,), b"HELLO\r\n", check.expect)
        return TcpRequest(target="app", address="127.0.0.1", checks=(wrong,))

    result = asyncio.run(run_with_server("127.0.0.1", answer_ping, make_request))

    assert result.reason == base.BANNER_MISMATCH
    assert only_port(result).banner == "-ERR unknown command\\r\\n"


def test_several_ports_one_refused(closed_port: tuple[str, int]) -> None:
    _, refused = closed_port

    async def scenario() -> base.ProbeResult:
        ssh = await asyncio.start_server(send_banner, "127.0.0.1", 0)
        database = await asyncio.start_server(stay_silent, "127.0.0.1", 0)
        ssh_port = ssh.sockets[0].getsockname()[1]
        database_port = database.sockets[0].getsockname()[1]
        checks = (
            TcpCheck(ports=(ssh_port,), expect=b"SSH-2.0-"),
            TcpCheck(ports=(database_port, refused)),
        )
        try:
            return await probe(TcpRequest(target="app", address="127.0.0.1", checks=checks))
        finally:
            ssh.close()
            database.close()

    result = asyncio.run(scenario())

    assert not result.success
    assert result.reason == base.CONNECT_REFUSED
    assert result.values["ports_up"] == 2
    assert result.values["ports_total"] == 3
    assert f"port {refused} " in result.message
    reasons = [port.reason for port in result.detail.ports]
    assert reasons == [base.OK, base.OK, base.CONNECT_REFUSED]
    assert result.detail.ports[2].port == refused


def test_first_failing_port_gives_reason(closed_port: tuple[str, int]) -> None:
    _, refused = closed_port

    async def scenario() -> base.ProbeResult:
        silent = await asyncio.start_server(stay_silent, "127.0.0.1", 0)
        silent_port = silent.sockets[0].getsockname()[1]
        checks = (
            TcpCheck(ports=(silent_port,), expect=b"220"),
            TcpCheck(ports=(refused,)),
        )
        try:
            return await probe(
                TcpRequest(target="app", address="127.0.0.1", checks=checks, timeout=0.3)
            )
        finally:
            silent.close()

    result = asyncio.run(scenario())

    assert result.reason == base.RESPONSE_TIMEOUT
    assert result.detail.ports[1].reason == base.CONNECT_REFUSED


def test_connections_bounded_per_probe() -> None:
    open_now = 0
    peak = 0

    async def count_open(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal open_now, peak
        open_now += 1
        peak = max(peak, open_now)
        await reader.read()
        open_now -= 1
        writer.close()

    async def scenario() -> base.ProbeResult:
        server = await asyncio.start_server(count_open, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        # Every connection waits for a reply that never comes, so it holds its slot.
        check = TcpCheck(ports=(port,) * (MAX_CONNECTIONS + 8), expect=b"220")
        try:
            return await probe(
                TcpRequest(target="app", address="127.0.0.1", checks=(check,), timeout=2.0)
            )
        finally:
            server.close()

    result = asyncio.run(scenario())

    assert peak == MAX_CONNECTIONS
    reasons = [port.reason for port in result.detail.ports]
    assert reasons.count(base.RESPONSE_TIMEOUT) == MAX_CONNECTIONS
    assert reasons[MAX_CONNECTIONS:] == [base.CONNECT_TIMEOUT] * 8
    assert "was not tried" in result.detail.ports[-1].message
    assert result.values["ports_total"] == MAX_CONNECTIONS + 8


MANY_PORTS_UNDER_LIMIT = textwrap.dedent(
    """
    import asyncio, json, resource, sys
    from probes.tcp import TcpCheck, TcpRequest, probe

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    closed, listening = int(sys.argv[1]), int(sys.argv[2])
    check = TcpCheck(ports=(closed,) * 1500 + (listening,))
    result = asyncio.run(probe(TcpRequest(target="many", address="127.0.0.1", checks=(check,))))
    print(json.dumps([port.reason for port in result.detail.ports]))
    """
)


def test_many_ports_within_descriptor_limit(closed_port: tuple[str, int]) -> None:
    _, closed = closed_port
    # A listening socket completes the handshake from its backlog, without accept().
    with socket.create_server(("127.0.0.1", 0), backlog=64) as listener:
        listening = listener.getsockname()[1]
        completed = subprocess.run(
            [sys.executable, "-c", MANY_PORTS_UNDER_LIMIT, str(closed), str(listening)],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    reasons = json.loads(completed.stdout)
    assert len(reasons) == 1501
    assert reasons.count(base.CONNECT_REFUSED) == 1500
    assert reasons[-1] == base.OK
    assert base.INTERNAL_ERROR not in reasons


OUT_OF_DESCRIPTORS = textwrap.dedent(
    """
    import asyncio, json, os, resource, sys
    from probes.tcp import TcpCheck, TcpRequest, probe

    async def main(port):
        filler = []
        try:
            while True:
                filler.append(os.open(os.devnull, os.O_RDONLY))
        except OSError:
            pass
        request = TcpRequest(target="app", address="127.0.0.1", checks=(TcpCheck(ports=(port,)),))
        result = await probe(request)
        for descriptor in filler:
            os.close(descriptor)
        return result

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
    result = asyncio.run(main(int(sys.argv[1])))
    print(json.dumps({"reason": result.reason, "message": result.message}))
    """
)


def test_out_of_descriptors_is_internal_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        completed = subprocess.run(
            [sys.executable, "-c", OUT_OF_DESCRIPTORS, str(port)],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )

    outcome = json.loads(completed.stdout)
    assert outcome["reason"] == base.INTERNAL_ERROR
    assert "Too many open files" in outcome["message"]
    assert "machine running Pantau" in outcome["message"]
    assert f"port {port} on 127.0.0.1" in outcome["message"]


@pytest.mark.parametrize("address", ["198.51.100.20", "2001:db8::5", "app.example.com"])
def test_placeholder_is_unconfigured(address: str) -> None:
    request = TcpRequest(target="app", address=address, checks=(TcpCheck(ports=(22,)),))

    result = asyncio.run(probe(request))

    assert result.reason == base.UNCONFIGURED
    assert not result.success
    assert result.values == {}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"ports": ()}, "at least one port"),
        ({"ports": (0,)}, "invalid TCP port 0"),
        ({"ports": (65536,)}, "invalid TCP port 65536"),
        ({"ports": (22,), "expect_regex": "("}, "invalid expect_regex"),
    ],
)
def test_check_rejects_invalid(arguments: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TcpCheck(**arguments)


def test_request_needs_checks() -> None:
    with pytest.raises(ValueError, match="at least one check"):
        TcpRequest(target="app", address="127.0.0.1")


def test_banner_escapes_control_bytes() -> None:
    assert printable_banner(b"ok\x00\x1b[31m\xff\r\n") == "ok\\x00\\x1b[31m\\xff\\r\\n"
    assert printable_banner("Dinas Kominfo – Kab.".encode()) == "Dinas Kominfo – Kab."


@given(st.binary(max_size=600), st.integers(min_value=0, max_value=300))
def test_banner_printable_and_bounded(data: bytes, limit: int) -> None:
    banner = printable_banner(data, limit)

    assert len(banner) <= limit
    assert banner.isprintable()


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200))
def test_banner_keeps_printable_ascii(text: str) -> None:
    expected = text.replace("\\", "\\\\")

    assert printable_banner(text.encode(), limit=len(expected)) == expected


PROBE_IN_PROBER = textwrap.dedent(
    """
    import asyncio, json
    from probes.tcp import TcpCheck, TcpRequest, probe

    address, ports, timeout = json.loads({arguments!r})
    request = TcpRequest(
        target="app", address=address, checks=(TcpCheck(ports=tuple(ports)),), timeout=timeout
    )
    result = asyncio.run(probe(request))
    ports = [[port.port, port.reason] for port in result.detail.ports] if result.detail else []
    print(json.dumps({{"reason": result.reason, "ports": ports, "message": result.message}}))
    """
)


def probe_in_prober(lab: Lab, address: str, ports: list[int], timeout: float) -> dict:
    """Run the TCP probe inside the lab's prober namespace and return its outcome."""
    arguments = json.dumps([address, ports, timeout])
    return json.loads(lab.prober.python(PROBE_IN_PROBER.format(arguments=arguments)))


DROP_SYN_RULES = """\
table inet pantau_tcp_test {
    chain input {
        type filter hook input priority filter; policy accept;
        tcp dport 8080 drop
    }
}
"""


@pytest.mark.netns
@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_dropped_syn_is_connect_timeout(lab: Lab, family: str) -> None:
    host = lab.add_host("a")
    completed = host.run(["nft", "-f", "-"], input=DROP_SYN_RULES)
    assert completed.returncode == 0, completed.stderr
    address = host.ipv4 if family == "ipv4" else host.ipv6

    outcome = probe_in_prober(lab, address, [8080, 8081], timeout=1.0)

    assert outcome["reason"] == base.CONNECT_TIMEOUT
    assert outcome["ports"] == [[8080, base.CONNECT_TIMEOUT], [8081, base.CONNECT_REFUSED]]
    assert "port 8080" in outcome["message"]


@pytest.mark.netns
def test_missing_route_is_no_route(lab: Lab) -> None:
    lab.add_host("a")

    # The prober has routes to 10.203.1.0/24 only, so 10.99.0.1 is unreachable
    # inside the namespace and nothing leaves it.
    outcome = probe_in_prober(lab, "10.99.0.1", [22], timeout=1.0)

    assert outcome["reason"] == base.NO_ROUTE
    assert outcome["ports"] == [[22, base.NO_ROUTE]]
