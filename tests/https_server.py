"""Local HTTP(S) test server, run in a subprocess so that its CPU time is not the prober's.

:func:`https_servers` makes certificates with a trustme test CA, starts
this module as a script and returns a :class:`LocalServers` once every
listener is up. Each certificate kind listens on its own port on
127.0.0.1; "plain" (HTTP) and "valid" also listen on ::1 when the machine
has IPv6 loopback.

Certificate kinds: "valid" (app.pantau.test, 127.0.0.1, ::1, from an
intermediate of the CA),
"expired", "expiring" (notAfter 10 days ahead), "wronghost"
(other.pantau.test) and "selfsigned" (app.pantau.test, signed by its own
key, not by the CA).

Paths (the server closes the connection after each response):

- ``/ok``: 200 with a page containing "Layanan Publik"
- ``/status/N``: status N
- ``/redirect/N``: 302 to ``/redirect/N-1``, and ``/redirect/1`` to ``/ok`` (N redirects)
- ``/loop``: 302 to ``/loop?again=1``, which redirects back to ``/loop``
- ``/to?url=U``: 302 to U
- ``/slow?delay=S``: waits S seconds (default 0.2) before the status line
- ``/slow-body?delay=S``: sends the headers, then the body in 5 parts S apart
- ``/bytes/N``: 200 with N bytes of "a"
- ``/auth``: 200 with "user=NAME" when basic auth is sent, else 401
- ``/garbage``: bytes that are not HTTP
- ``/close``: closes the connection without a response

Usage::

    with https_servers(tmp_path) as servers:
        servers.url("valid", "/ok")  # "https://app.pantau.test:PORT/ok"
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import json
import os
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

HOST_NAME = "app.pantau.test"
WRONG_HOST_NAME = "other.pantau.test"
PAGE = (
    b"<!doctype html><html><head><title>Portal</title></head>"
    b"<body><h1>Layanan Publik</h1><p>Selamat datang di portal pemerintah.</p></body></html>"
)
CERT_KINDS = ("valid", "expired", "expiring", "wronghost", "selfsigned")
_READY_TIMEOUT = 20.0


@dataclass(frozen=True)
class LocalServers:
    """Ports of the running test server and the CA that signed its certificates."""

    ports: dict[str, int]
    ca_file: str
    process: subprocess.Popen[bytes]

    def port(self, kind: str) -> int:
        return self.ports[kind]

    def url(self, kind: str, path: str, host: str = HOST_NAME) -> str:
        """Build the URL of ``path`` on the listener of ``kind``."""
        scheme = "http" if kind.startswith("plain") else "https"
        netloc = f"[{host}]" if ":" in host else host
        return f"{scheme}://{netloc}:{self.ports[kind]}{path}"


def has_ipv6_loopback() -> bool:
    """Tell whether ::1 can be bound on this machine."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


def write_certificates(directory: Path) -> Path:
    """Write the CA and one key and certificate file per kind; return the CA file."""
    import trustme

    ca = trustme.CA()
    # The valid certificate comes from an intermediate CA, so that the server
    # sends a chain of two certificates.
    intermediate = ca.create_child_ca()
    now = datetime.datetime.now(datetime.UTC)
    day = datetime.timedelta(days=1)
    issued = {
        "valid": intermediate.issue_cert(HOST_NAME, "127.0.0.1", "::1"),
        "expired": ca.issue_cert(
            HOST_NAME, "127.0.0.1", not_before=now - 30 * day, not_after=now - day
        ),
        "expiring": ca.issue_cert(
            HOST_NAME, "127.0.0.1", not_before=now - day, not_after=now + 10 * day
        ),
        "wronghost": ca.issue_cert(WRONG_HOST_NAME),
    }
    for kind, cert in issued.items():
        cert.private_key_and_cert_chain_pem.write_to_path(str(directory / f"{kind}.pem"))
    (directory / "selfsigned.pem").write_bytes(_self_signed_pem(HOST_NAME))
    ca_file = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return ca_file


def _self_signed_pem(name: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem + cert.public_bytes(serialization.Encoding.PEM)


@contextlib.contextmanager
def https_servers(directory: Path, prefix: Sequence[str] = ()) -> Iterator[LocalServers]:
    """Start the test server in a subprocess and stop it on exit.

    ``prefix`` runs the server under another command, such as ``ip netns
    exec NAME`` for a host of a test namespace: it then listens on every
    address of that namespace, with the same ports.
    """
    ca_file = write_certificates(directory)
    root = Path(__file__).resolve().parent.parent
    environment = {**os.environ, "PYTHONPATH": str(root)}
    bind_all = ["--all"] if prefix else []
    process = subprocess.Popen(
        [*prefix, sys.executable, "-m", "tests.https_server", str(directory), *bind_all],
        stdout=subprocess.PIPE,
        cwd=root,
        env=environment,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the test server exited with code {process.wait(_READY_TIMEOUT)}")
        ports = json.loads(line)
        yield LocalServers(ports=ports, ca_file=str(ca_file), process=process)
    finally:
        process.terminate()
        try:
            process.wait(_READY_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# The server side, run by "python -m tests.https_server DIRECTORY".


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    if length:
        await reader.readexactly(length)
    return method, target, headers


def _response(status: int, body: bytes = b"", headers: tuple[tuple[str, str], ...] = ()) -> bytes:
    lines = [f"HTTP/1.1 {status} Status", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body:
        lines.append("Content-Type: text/html; charset=utf-8")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _answer(
    method: str, target: str, headers: dict[str, str], writer: asyncio.StreamWriter
) -> None:
    parts = urlsplit(target)
    path = parts.path
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    delay = float(query.get("delay", "0.2"))

    if path == "/ok":
        writer.write(_response(200, PAGE if method != "HEAD" else b""))
    elif path.startswith("/status/"):
        writer.write(_response(int(path.rsplit("/", 1)[1]), b"status page"))
    elif path.startswith("/redirect/"):
        hops = int(path.rsplit("/", 1)[1])
        location = f"/redirect/{hops - 1}" if hops > 1 else "/ok"
        writer.write(_response(302, headers=(("Location", location),)))
    elif path == "/loop":
        location = "/loop" if "again" in query else "/loop?again=1"
        writer.write(_response(302, headers=(("Location", location),)))
    elif path == "/to":
        writer.write(_response(302, headers=(("Location", query["url"]),)))
    elif path == "/slow":
        await asyncio.sleep(delay)
        writer.write(_response(200, PAGE))
    elif path == "/slow-body":
        writer.write(_response(200, b"x" * 5)[:-5])
        for _ in range(5):
            await writer.drain()
            await asyncio.sleep(delay)
            writer.write(b"x")
    elif path.startswith("/bytes/"):
        writer.write(_response(200, b"a" * int(path.rsplit("/", 1)[1])))
    elif path == "/auth":
        await _answer_auth(headers, writer)
    elif path == "/garbage":
        writer.write(b"\x16\x03\x01 this is not HTTP \xff\xfe\r\n\r\n")
    elif path == "/close":
        pass
    else:
        writer.write(_response(404, b"not found"))


async def _answer_auth(headers: dict[str, str], writer: asyncio.StreamWriter) -> None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        writer.write(_response(401, b"login required"))
        return
    user = base64.b64decode(token).decode().split(":", 1)[0]
    writer.write(_response(200, f"user={user}".encode()))


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        method, target, headers = await _read_head(reader)
        await _answer(method, target, headers, writer)
        await writer.drain()
    except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()


async def _serve(directory: Path, host: str) -> None:
    listeners: list[tuple[str, str, ssl.SSLContext | None]] = [("plain", host, None)]
    for kind in CERT_KINDS:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(directory / f"{kind}.pem"))
        listeners.append((kind, host, context))
    if host == "127.0.0.1" and has_ipv6_loopback():
        listeners.append(("plain6", "::1", None))
        listeners.append(("valid6", "::1", listeners[1][2]))

    ports: dict[str, int] = {}
    servers = []
    for kind, host, context in listeners:
        server = await asyncio.start_server(_handle, host, 0, ssl=context, backlog=512)
        ports[kind] = server.sockets[0].getsockname()[1]
        servers.append(server)
    print(json.dumps(ports), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(_serve(Path(sys.argv[1]), "0.0.0.0" if "--all" in sys.argv[2:] else "127.0.0.1"))
