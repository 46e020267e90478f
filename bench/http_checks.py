"""Benchmark Pantau's HTTPS check against blackbox_exporter's http prober.

Both tools run the same N HTTPS checks (default 1,000) against one local
server, with the same number of checks in progress at once (default 50):

- ``pantau``: a child process that calls ``probes.http.probe`` from one
  asyncio event loop. Its CPU time is ``getrusage`` around the checks
  alone, without interpreter start and imports; the peak RSS is the
  child's ``VmHWM``, imports included.
- ``blackbox``: Debian's ``prometheus-blackbox-exporter``, started fresh
  for each round with a generated module, and driven with
  ``/probe?module=...&target=...`` requests from threads of this process.
  Its CPU time is the exporter's utime + stime from ``/proc/PID/stat``
  before and after the checks, and the peak RSS its ``VmHWM``. The driver
  is not counted.

Every check opens a new connection and does a full TLS handshake with
certificate and host name verification against a test CA (trustme), as
both tools do in production. The server counts connections, requests and
resumed TLS sessions, so that the benchmark shows that neither tool reused
a connection or a session. A round in which a check failed, or the
server's counts differ from the checks, makes the run invalid: it is listed
in a block of exclamation marks and the exit status is 1.

The server is Python (asyncio), several worker processes on one port with
SO_REUSEPORT. Its CPU time is measured apart, so that a reader can tell
whether it set the pace.

Network safety: the benchmark moves itself into a new network namespace
whose only interface is ``lo``, and the server, the exporter and every
request use 127.0.0.1 there. Nothing can leave the machine.

Example (as root, from the repository root)::

    python3 bench/http_checks.py --checks 1000 --rounds 3 --profile /tmp/http-profile.pstats
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import datetime
import http.client
import ipaddress
import json
import multiprocessing
import os
import platform
import pstats
import resource
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.sharedctypes import SynchronizedArray
from pathlib import Path
from typing import Any

# The repository goes after PYTHONPATH, so that the Pantau child imports
# probes from the --source directory that PYTHONPATH names.
sys.path.append(str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import icmp_sweep  # the namespace and machine helpers of the ICMP benchmark
import snmp_poll  # process CPU time, peak RSS and the wait4 helper

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]

PANTAU = "pantau"
BLACKBOX = "blackbox"
TOOLS = (PANTAU, BLACKBOX)

ADDRESS = "127.0.0.1"
HOST_NAME = "app.pantau.test"
PAGE_PATH = "/portal"
EXPORTER_COMMAND = "/usr/bin/prometheus-blackbox-exporter"
EXPORTER_MODULE = "https_bench"
CHECK_TIMEOUT = 10.0

# Bounds that keep one invocation short enough for a shared machine.
MAX_CHECKS = 20_000
MAX_ROUNDS = 10
MAX_CONCURRENCY = 500
MAX_SERVER_WORKERS = 16
DEFAULT_MAX_SECONDS = 1800.0
START_TIMEOUT = 30.0

GOAL_CPU_RATIO = 2.0  # Pantau's CPU per check over blackbox_exporter's

# Server counters, one slot each in a shared array.
CONNECTIONS, HANDSHAKES_RESUMED, REQUESTS, KEPT_ALIVE = range(4)
COUNTER_NAMES = ("connections", "resumed_sessions", "requests", "kept_alive")


def make_page(size: int) -> bytes:
    """Build an HTML page of ``size`` bytes, a stand-in for an agency's login page."""
    head = b"<!doctype html><html><head><title>Portal</title></head><body><h1>Layanan Publik</h1>"
    tail = b"</body></html>"
    row = b"<p>Selamat datang di portal pemerintah kabupaten.</p>\n"
    rows = row * ((size - len(head) - len(tail)) // len(row) + 1)
    return (head + rows)[: size - len(tail)] + tail


# --- the HTTPS server -----------------------------------------------------------


class _PageProtocol(asyncio.Protocol):
    """HTTP/1.1 without request bodies: every request gets the page.

    The connection stays open unless the client sends ``Connection: close``
    or speaks HTTP/1.0 without ``Connection: keep-alive``.
    """

    def __init__(self, response: bytes, closing: bytes, counters: SynchronizedArray[int]) -> None:
        self.response = response
        self.closing = closing
        self.counters = counters
        self.buffer = b""
        self.requests = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        # asyncio calls connection_made after the TLS handshake.
        ssl_object = transport.get_extra_info("ssl_object")
        with self.counters.get_lock():
            self.counters[CONNECTIONS] += 1
            if ssl_object is not None and ssl_object.session_reused:
                self.counters[HANDSHAKES_RESUMED] += 1

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            version = lines[0].rsplit(b" ", 1)[-1]
            connection = b""
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"connection":
                    connection = value.strip().lower()
            close = connection == b"close" or (
                version == b"HTTP/1.0" and connection != b"keep-alive"
            )

            self.requests += 1
            with self.counters.get_lock():
                self.counters[REQUESTS] += 1
                if self.requests > 1:
                    self.counters[KEPT_ALIVE] += 1
            if close:
                self.transport.write(self.closing)
                self.transport.close()
                return
            self.transport.write(self.response)

    def eof_received(self) -> bool | None:
        return False


def _response(page: bytes, close: bool) -> bytes:
    connection = b"close" if close else b"keep-alive"
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Content-Length: "
        + str(len(page)).encode()
        + b"\r\nConnection: "
        + connection
        + b"\r\n\r\n"
    )
    return head + page


def serve_worker(
    port: int, cert: str, key: str, page: bytes, counters: SynchronizedArray[int]
) -> None:
    """Serve the page on ADDRESS:``port`` with TLS until SIGTERM; one of several workers."""
    # Ctrl-C reaches the whole process group: the benchmark stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    response = _response(page, close=False)
    closing = _response(page, close=True)

    async def serve() -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind((ADDRESS, port))
        listener.listen(1024)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: _PageProtocol(response, closing, counters),
            sock=listener,
            ssl=context,
            backlog=1024,
        )
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


class PageServer:
    """The HTTPS server: ``workers`` processes that share one port with SO_REUSEPORT."""

    def __init__(self, cert: Path, key: Path, page: bytes, workers: int) -> None:
        self.cert = cert
        self.key = key
        self.page = page
        self.workers = workers
        self.port = _free_port()
        self._context = multiprocessing.get_context("fork")
        self.counters: SynchronizedArray[int] = self._context.Array("q", len(COUNTER_NAMES))
        self.processes: list[Any] = []

    def start(self) -> None:
        """Fork the workers and wait until the port accepts TLS connections."""
        for _ in range(self.workers):
            process = self._context.Process(
                target=serve_worker,
                args=(self.port, str(self.cert), str(self.key), self.page, self.counters),
                daemon=True,
            )
            process.start()
            self.processes.append(process)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not self.alive():
                raise SystemExit("an HTTPS server worker exited while starting")
            with contextlib.suppress(OSError):
                socket.create_connection((ADDRESS, self.port), timeout=1.0).close()
                return
            time.sleep(0.05)
        raise SystemExit(f"the HTTPS server did not listen within {START_TIMEOUT:g} s")

    def counts(self) -> dict[str, int]:
        """Return the counters summed over the workers."""
        with self.counters.get_lock():
            return dict(zip(COUNTER_NAMES, self.counters[:], strict=True))

    def cpu_seconds(self) -> float:
        """Return the CPU time that the workers have used so far."""
        return sum(snmp_poll.process_cpu_seconds(p.pid) for p in self.processes)

    def alive(self) -> bool:
        """Tell whether every worker still runs."""
        return all(process.is_alive() for process in self.processes)

    def stop(self) -> None:
        """Stop every worker with SIGTERM, then SIGKILL."""
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.join(snmp_poll.STOP_TIMEOUT)
            if process.is_alive():
                process.kill()
                process.join(snmp_poll.STOP_TIMEOUT)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe_socket:
        probe_socket.bind((ADDRESS, 0))
        return int(probe_socket.getsockname()[1])


def write_certificates(directory: Path, key_type: str) -> tuple[Path, Path, Path]:
    """Write a trustme test CA and a server certificate for HOST_NAME and ADDRESS.

    Returns the paths of the CA certificate, the server's chain and its key.
    """
    import trustme

    kind = trustme.KeyType.RSA if key_type == "rsa" else trustme.KeyType.ECDSA
    authority = trustme.CA(key_type=kind)
    server = authority.issue_cert(HOST_NAME, ADDRESS, key_type=kind)
    ca_file = directory / "ca.pem"
    chain_file = directory / "server-chain.pem"
    key_file = directory / "server-key.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    server.private_key_pem.write_to_path(str(key_file))
    with chain_file.open("wb") as chain:
        for blob in server.cert_chain_pems:
            chain.write(blob.bytes())
    return ca_file, chain_file, key_file


# --- measurements ---------------------------------------------------------------


@dataclass
class Measurement:
    """One round of one tool: N checks."""

    tool: str
    round: int
    checks: int
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    """The tool's CPU time for the checks; see the module docstring."""
    max_rss_bytes: int = 0
    succeeded: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    server_cpu_seconds: float = 0.0
    server: dict[str, int] = field(default_factory=dict)
    """Differences of the server's counters over the round."""
    process_cpu_seconds: float | None = None
    """Pantau: the whole child, with interpreter start and imports."""
    module: str | None = None
    """Pantau: the file of probes.http that the child imported."""
    problems: list[str] = field(default_factory=list)

    @property
    def cpu_per_check(self) -> float:
        """CPU seconds per check."""
        return self.cpu_seconds / self.checks


@dataclass(frozen=True)
class Workload:
    """The checks that both tools run: URL, CA file, count and concurrency."""

    url: str
    """The URL Pantau checks; blackbox gets ADDRESS as host and HOST_NAME as server name."""
    port: int
    ca_file: Path
    checks: int
    concurrency: int
    directory: Path
    env: dict[str, str]
    deadline: float
    """time.monotonic() after which a round is killed."""

    def remaining(self) -> float:
        """Seconds left until the deadline, at least one."""
        return max(1.0, self.deadline - time.monotonic())


def measure(run: Any, work: Workload, server: PageServer, number: int) -> Measurement:
    """Run one round of one tool; add the server's CPU time and counters during it."""
    cpu_before = server.cpu_seconds()
    counts_before = server.counts()
    measurement: Measurement = run(work, number)
    measurement.server_cpu_seconds = server.cpu_seconds() - cpu_before
    counts_after = server.counts()
    measurement.server = {name: counts_after[name] - counts_before[name] for name in COUNTER_NAMES}
    check_server_counts(measurement)
    if not server.alive():
        measurement.problems.append("an HTTPS server worker exited during the round")
    return measurement


def check_server_counts(m: Measurement) -> None:
    """Add a problem when the server did not see one new connection and request per check."""
    if m.succeeded != m.checks:
        failed = {reason: count for reason, count in m.reasons.items() if reason != "ok"}
        m.problems.append(f"{m.checks - m.succeeded} of {m.checks} checks failed: {failed}")
    for name in ("connections", "requests"):
        if m.server.get(name) != m.checks:
            m.problems.append(f"the server counted {m.server.get(name)} {name}, not {m.checks}")
    for name in ("resumed_sessions", "kept_alive"):
        if m.server.get(name):
            m.problems.append(f"the server counted {m.server[name]} {name}, not 0")


# --- Pantau ---------------------------------------------------------------------


def pantau_command(work: Workload, result: Path, profile: Path | None = None) -> list[str]:
    """Build the command line of the Pantau child."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "child",
        "--url",
        work.url,
        "--ca-file",
        str(work.ca_file),
        "--checks",
        str(work.checks),
        "--concurrency",
        str(work.concurrency),
        "--result",
        str(result),
    ]
    if profile is not None:
        command += ["--profile", str(profile)]
    return command


def run_pantau(work: Workload, number: int, profile: Path | None = None) -> Measurement:
    """Run the Pantau child once; with ``profile``, under cProfile writing pstats there."""
    result_file = work.directory / "pantau.json"
    stderr_path = work.directory / "pantau.stderr"
    measurement = Measurement(tool=PANTAU, round=number, checks=work.checks)
    started = time.monotonic()
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            pantau_command(work, result_file, profile),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            env=work.env,
            cwd=work.directory,
            start_new_session=True,
        )
        exit_code, cpu = snmp_poll._wait_with_rusage(process, work.remaining())
    measurement.wall_seconds = time.monotonic() - started
    measurement.cpu_seconds = cpu
    measurement.process_cpu_seconds = cpu

    if exit_code != 0:
        tail = " | ".join(stderr_path.read_text(errors="replace").strip().splitlines()[-5:])
        measurement.problems.append(f"exit code {exit_code}: {tail or '(stderr empty)'}")
    try:
        result = json.loads(result_file.read_text())
    except (OSError, json.JSONDecodeError) as error:
        measurement.problems.append(f"the Pantau child wrote no result: {error}")
        return measurement
    finally:
        result_file.unlink(missing_ok=True)

    measurement.wall_seconds = result["wall_seconds"]
    measurement.cpu_seconds = result["cpu_seconds"]
    measurement.max_rss_bytes = result["peak_rss_bytes"]
    measurement.reasons = result["reasons"]
    measurement.succeeded = result["reasons"].get("ok", 0)
    measurement.module = result["module"]
    measurement.problems.extend(result["messages"])
    return measurement


async def _check_all(
    url: str, ca_file: str, checks: int, concurrency: int
) -> tuple[Counter[str], list[str]]:
    from probes import http

    request = http.HttpRequest(
        target="bench",
        url=url,
        address=ADDRESS,
        ca_file=ca_file,
        expect_status=(200,),
        timeout=CHECK_TIMEOUT,
    )
    reasons: Counter[str] = Counter()
    messages: list[str] = []
    next_check = iter(range(checks))

    async def worker() -> None:
        for _ in next_check:
            result = await http.probe(request)
            reasons[result.reason] += 1
            if not result.success and len(messages) < 5:
                messages.append(f"{result.reason}: {result.message}")
            elif result.values.get("cert_verified") != 1.0 and len(messages) < 5:
                messages.append("a check succeeded without a verified certificate")

    await asyncio.gather(*(worker() for _ in range(min(concurrency, checks))))
    return reasons, messages


def child_main(args: argparse.Namespace) -> int:
    """Run the checks from one event loop and write the counts and CPU time as JSON."""
    from probes import http

    # CPU time, not cProfile's default wall clock: on a busy machine a call
    # that is preempted would otherwise be charged for the wait.
    # NOTE: every call pays for the profiler's clock reads, so Python code with
    # many small calls is over-counted against long C calls such as the handshake.
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    if profiler is not None:
        profiler.enable()
    reasons, messages = asyncio.run(
        _check_all(args.url, args.ca_file, args.checks, args.concurrency)
    )
    if profiler is not None:
        profiler.disable()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    if profiler is not None:
        profiler.dump_stats(args.profile)

    result = {
        "wall_seconds": wall,
        "cpu_seconds": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "peak_rss_bytes": snmp_poll.process_peak_rss("self"),
        "reasons": dict(reasons),
        "messages": messages,
        "module": http.__file__,
    }
    Path(args.result).write_text(json.dumps(result))
    return 0


# --- blackbox_exporter ------------------------------------------------------------


def exporter_config(ca_file: Path) -> str:
    """Build blackbox.yml: one http module that verifies the certificate for HOST_NAME."""
    return f"""modules:
  {EXPORTER_MODULE}:
    prober: http
    timeout: {CHECK_TIMEOUT:g}s
    http:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      valid_status_codes: [200]
      fail_if_not_ssl: true
      tls_config:
        ca_file: {ca_file}
        server_name: {HOST_NAME}
"""


def exporter_command(config: Path, port: int) -> list[str]:
    """Build the blackbox_exporter command line."""
    return [
        EXPORTER_COMMAND,
        f"--config.file={config}",
        f"--web.listen-address={ADDRESS}:{port}",
        "--log.level=warn",
    ]


def exporter_target(work: Workload) -> str:
    """Return the target URL that blackbox probes: the server's address, not HOST_NAME.

    blackbox_exporter would resolve HOST_NAME itself. The module's
    tls_config.server_name sends HOST_NAME as SNI and verifies the
    certificate for it, as Pantau does with the URL's host.
    """
    return f"https://{ADDRESS}:{work.port}{PAGE_PATH}"


@dataclass(frozen=True)
class ProbeOutcome:
    """The outcome of one /probe request."""

    success: bool
    status_code: int
    ssl: bool
    problem: str | None


def _parse_probe(text: str) -> ProbeOutcome:
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    success = values.get("probe_success") == 1.0
    status = int(values.get("probe_http_status_code", 0))
    ssl_used = values.get("probe_http_ssl") == 1.0
    return ProbeOutcome(success and ssl_used, status, ssl_used, None)


def drive_exporter(exporter_port: int, path: str, checks: int, concurrency: int) -> list[Any]:
    """Send ``checks`` /probe requests from ``concurrency`` threads, one connection each."""
    outcomes: list[Any] = []
    lock = threading.Lock()
    next_check = iter(range(checks))

    def worker() -> None:
        connection = http.client.HTTPConnection(ADDRESS, exporter_port, timeout=CHECK_TIMEOUT + 5)
        headers = {"X-Prometheus-Scrape-Timeout-Seconds": f"{CHECK_TIMEOUT:g}"}
        try:
            while True:
                with lock:
                    if next(next_check, None) is None:
                        return
                try:
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    text = response.read().decode("utf-8", errors="replace")
                    outcome = _parse_probe(text)
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    outcome = ProbeOutcome(False, 0, False, f"/probe failed: {error!r}")
                with lock:
                    outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def run_blackbox(work: Workload, number: int) -> Measurement:
    """Start blackbox_exporter, send the checks as /probe requests, measure the exporter."""
    measurement = Measurement(tool=BLACKBOX, round=number, checks=work.checks)
    config = work.directory / "blackbox.yml"
    config.write_text(exporter_config(work.ca_file))
    port = _free_port()
    target = urllib.parse.quote(exporter_target(work), safe="")
    path = f"/probe?module={EXPORTER_MODULE}&target={target}"
    with (work.directory / "blackbox.log").open("ab") as log:
        process = subprocess.Popen(
            exporter_command(config, port),
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        snmp_poll._wait_for_http(process, f"http://{ADDRESS}:{port}/metrics", START_TIMEOUT)
        cpu_before = snmp_poll.process_cpu_seconds(process.pid)
        started = time.monotonic()
        outcomes = drive_exporter(port, path, work.checks, work.concurrency)
        measurement.wall_seconds = time.monotonic() - started
        measurement.cpu_seconds = snmp_poll.process_cpu_seconds(process.pid) - cpu_before
        measurement.process_cpu_seconds = snmp_poll.process_cpu_seconds(process.pid)
        measurement.max_rss_bytes = snmp_poll.process_peak_rss(process.pid)
    finally:
        snmp_poll.stop_process(process)

    reasons: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.problem is not None:
            reasons["driver_error"] += 1
            if len(measurement.problems) < 5:
                measurement.problems.append(outcome.problem)
        elif outcome.success and outcome.status_code == 200:
            reasons["ok"] += 1
        else:
            reasons[f"probe_success 0, status {outcome.status_code}, ssl {outcome.ssl}"] += 1
    measurement.reasons = dict(reasons)
    measurement.succeeded = reasons["ok"]
    return measurement


# --- summary ---------------------------------------------------------------------


@dataclass
class Summary:
    """Medians of the rounds of one tool."""

    tool: str
    rounds: int
    wall_seconds: float
    checks_per_second: float
    cpu_seconds: float
    cpu_ms_per_check: float
    max_rss_bytes: float
    server_cpu_ms_per_check: float
    server_busy: float
    """Server CPU time over wall time x workers: near 1, the server set the pace."""
    failed_rounds: int


def summarise(measurements: Sequence[Measurement], workers: int) -> list[Summary]:
    """Return one row per tool with the medians of its rounds."""
    rows = []
    for tool in TOOLS:
        runs = [m for m in measurements if m.tool == tool]
        if not runs:
            continue
        wall = statistics.median(m.wall_seconds for m in runs)
        rows.append(
            Summary(
                tool=tool,
                rounds=len(runs),
                wall_seconds=wall,
                checks_per_second=statistics.median(m.checks / m.wall_seconds for m in runs),
                cpu_seconds=statistics.median(m.cpu_seconds for m in runs),
                cpu_ms_per_check=statistics.median(1000 * m.cpu_per_check for m in runs),
                max_rss_bytes=statistics.median(m.max_rss_bytes for m in runs),
                server_cpu_ms_per_check=statistics.median(
                    1000 * m.server_cpu_seconds / m.checks for m in runs
                ),
                server_busy=statistics.median(
                    m.server_cpu_seconds / (m.wall_seconds * workers) for m in runs
                ),
                failed_rounds=sum(bool(m.problems) for m in runs),
            )
        )
    return rows


def print_summary(rows: Sequence[Summary], workers: int) -> None:
    """Print the medians, the ratio and the goal."""
    print(f"medians ({workers} server workers; server busy = server CPU / (wall x workers)):")
    print(
        f"  {'tool':<9}{'rounds':>7}{'wall s':>9}{'checks/s':>10}{'CPU s':>8}"
        f"{'CPU ms/check':>14}{'peak RSS MiB':>14}{'server CPU ms/check':>21}{'server busy':>13}"
    )
    for row in rows:
        print(
            f"  {row.tool:<9}{row.rounds:>7}{row.wall_seconds:>9.2f}{row.checks_per_second:>10.1f}"
            f"{row.cpu_seconds:>8.2f}{row.cpu_ms_per_check:>14.3f}"
            f"{row.max_rss_bytes / 2**20:>14.1f}{row.server_cpu_ms_per_check:>21.3f}"
            f"{100 * row.server_busy:>12.0f}%"
        )
    by_tool = {row.tool: row for row in rows}
    if PANTAU in by_tool and BLACKBOX in by_tool:
        pantau, blackbox = by_tool[PANTAU], by_tool[BLACKBOX]
        ratio = pantau.cpu_ms_per_check / blackbox.cpu_ms_per_check
        wall_ratio = pantau.wall_seconds / blackbox.wall_seconds
        print(f"  pantau / blackbox: CPU per check {ratio:.2f}x, wall time {wall_ratio:.2f}x")
        met = ratio <= GOAL_CPU_RATIO
        verdict = "met" if met else "MISSED"
        print(f"goal: CPU per check within {GOAL_CPU_RATIO:g}x blackbox_exporter's: {verdict}")
    print()


def report_shortfalls(measurements: Sequence[Measurement]) -> bool:
    """Print every invalid round in a block of exclamation marks; return whether there was one."""
    invalid = [m for m in measurements if m.problems]
    if not invalid:
        return False
    print("!" * 72)
    print("!!! INVALID: these rounds had failed checks or unexpected server counts")
    for m in invalid:
        print(f"!!! round {m.round + 1} {m.tool}: {m.succeeded}/{m.checks} succeeded")
        for problem in m.problems[:5]:
            print(f"!!!     {problem}")
    print("!" * 72)
    return True


# --- profile ----------------------------------------------------------------------


def profile_bucket(filename: str, name: str) -> str:
    """Name the part of the stack that a profiled function belongs to."""
    if filename == "~":
        if "_ssl." in name or "SSLContext" in name:
            return "OpenSSL (_ssl C calls: handshake, verify, read, write)"
        if "socket" in name or "epoll" in name or "select" in name:
            return "socket and epoll system calls"
        if "x509" in name.lower() or "cryptography" in name or "load_der" in name:
            return "cryptography (certificate parsing, Rust)"
        return "other C functions (builtins)"
    parts = Path(filename).parts
    for package in ("httpcore", "httpx", "anyio", "h11", "idna", "sniffio", "cryptography"):
        if package in parts:
            return package
    if "probes" in parts:
        return "Pantau probes/"
    if "asyncio" in parts:
        return "asyncio (event loop)"
    if parts and parts[-1] == "ssl.py":
        return "ssl.py (Python side of ssl)"
    if parts and parts[-1] == Path(__file__).name:
        return "benchmark child"
    return "other Python (stdlib)"


def print_profile(path: Path, checks: int, cpu_seconds: float) -> None:
    """Print the profiled time per check by package and the functions with most own time."""
    stats = pstats.Stats(str(path))
    entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    buckets: Counter[str] = Counter()
    functions: list[tuple[float, str]] = []
    for (filename, line, name), (_cc, _nc, own, _cumulative, _callers) in entries.items():
        buckets[profile_bucket(filename, name)] += own
        functions.append((own, f"{name} ({Path(filename).name}:{line})"))
    total = sum(buckets.values())
    print(
        "profile (cProfile timed with process CPU time, own time per check; profiled total "
        f"{1e6 * total / checks:.0f} µs per check, the unprofiled rounds' median "
        f"{1e6 * cpu_seconds / checks:.0f} µs per check):"
    )
    for bucket, seconds in buckets.most_common():
        if 1e6 * seconds / checks < 0.5:
            continue
        print(f"  {1e6 * seconds / checks:8.0f} µs  {100 * seconds / total:5.1f} %  {bucket}")
    print("  functions with the most own time:")
    for seconds, label in sorted(functions, reverse=True)[:20]:
        print(f"  {1e6 * seconds / checks:8.0f} µs  {label}")
    print()


# --- machine and command line ------------------------------------------------------


def machine_description(source: Path) -> dict[str, str]:
    """Describe the machine and the tools the way docs/benchmarks.md records them."""
    completed = subprocess.run(
        [EXPORTER_COMMAND, "--version"], capture_output=True, text=True, check=False
    )
    exporter = (completed.stdout + completed.stderr).strip().splitlines()
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "nproc": str(os.cpu_count()),
        "cpu": icmp_sweep._cpu_model(),
        "load average": " ".join(f"{load:.2f}" for load in os.getloadavg()),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "openssl": ssl.OPENSSL_VERSION,
        "blackbox_exporter": exporter[0] if exporter else "(not installed)",
        "httpx, httpcore, anyio": ", ".join(
            icmp_sweep._package_version(name) for name in ("httpx", "httpcore", "anyio")
        ),
        "trustme": icmp_sweep._package_version("trustme"),
        "pantau source": icmp_sweep.describe_source(source),
    }


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of the benchmark and of its Pantau child."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")

    child = commands.add_parser("child", help="internal: run the checks with Pantau")
    child.add_argument("--url", required=True)
    child.add_argument("--ca-file", required=True)
    child.add_argument("--checks", type=int, required=True)
    child.add_argument("--concurrency", type=int, required=True)
    child.add_argument("--result", required=True)
    child.add_argument("--profile")

    parser.add_argument(
        "--checks", type=int, default=1000, help="HTTPS checks per round (default 1000)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of each tool; the median is reported"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=50,
        help="checks in progress at once, for both tools (default 50)",
    )
    parser.add_argument(
        "--tools", nargs="+", choices=TOOLS, default=list(TOOLS), help="tools to run"
    )
    parser.add_argument(
        "--server-workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes of the HTTPS server (default: one per CPU)",
    )
    parser.add_argument(
        "--page-bytes", type=int, default=4096, help="size of the served page (default 4096)"
    )
    parser.add_argument(
        "--key-type",
        choices=("ecdsa", "rsa"),
        default="ecdsa",
        help="key of the test CA and the server certificate: ECDSA P-256 (trustme's "
        "default) or RSA 2048 (default ecdsa)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=DEFAULT_MAX_SECONDS,
        help="stop the benchmark, killing the current round, after this many seconds "
        f"(default {DEFAULT_MAX_SECONDS:g})",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="after the measured rounds, run the Pantau child once more under cProfile, "
        "write its pstats to FILE and print where the time goes",
    )
    parser.add_argument("--json-output", metavar="FILE", help="write every round and the summary")
    parser.add_argument(
        "--source",
        metavar="DIR",
        default=str(REPOSITORY_ROOT),
        help="repository whose probes/ the Pantau child imports (default: this one)",
    )
    parser.add_argument(
        "--no-netns",
        action="store_true",
        help="stay in the current network namespace instead of a new one with only lo",
    )
    return parser


def validate(args: argparse.Namespace) -> None:
    """Raise SystemExit when a bound is exceeded or a tool is missing."""
    if not 1 <= args.checks <= MAX_CHECKS:
        raise SystemExit(f"invalid --checks {args.checks}: must be 1 to {MAX_CHECKS}")
    if not 1 <= args.rounds <= MAX_ROUNDS:
        raise SystemExit(f"invalid --rounds {args.rounds}: must be 1 to {MAX_ROUNDS}")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise SystemExit(
            f"invalid --concurrency {args.concurrency}: must be 1 to {MAX_CONCURRENCY}"
        )
    if not 1 <= args.server_workers <= MAX_SERVER_WORKERS:
        raise SystemExit(
            f"invalid --server-workers {args.server_workers}: must be 1 to {MAX_SERVER_WORKERS}"
        )
    if not 256 <= args.page_bytes <= 1_000_000:
        raise SystemExit(f"invalid --page-bytes {args.page_bytes}: must be 256 to 1000000")
    if not 0 < args.max_seconds <= 4 * DEFAULT_MAX_SECONDS:
        raise SystemExit(
            f"invalid --max-seconds {args.max_seconds}: must be above 0 and at most "
            f"{4 * DEFAULT_MAX_SECONDS:g}"
        )
    if BLACKBOX in args.tools and not Path(EXPORTER_COMMAND).exists():
        raise SystemExit(
            f"{EXPORTER_COMMAND} not found: apt-get install prometheus-blackbox-exporter"
        )
    if not ipaddress.ip_address(ADDRESS).is_loopback:
        raise SystemExit(f"not run: {ADDRESS} is not a loopback address")


def run_benchmark(args: argparse.Namespace) -> int:
    """Start the server, run each tool R times and print the summary; return the status."""
    started = time.monotonic()
    deadline = started + args.max_seconds
    source = Path(args.source).resolve()
    env = {**os.environ, "PYTHONPATH": str(source)}
    machine = machine_description(source)
    icmp_sweep.print_machine(machine)

    measurements: list[Measurement] = []
    timed_out = False
    profiled: Measurement | None = None
    with tempfile.TemporaryDirectory(prefix="pantau-http-bench-") as temporary:
        directory = Path(temporary)
        ca_file, chain_file, key_file = write_certificates(directory, args.key_type)
        page = make_page(args.page_bytes)
        server = PageServer(chain_file, key_file, page, args.server_workers)
        try:
            server.start()
            work = Workload(
                url=f"https://{HOST_NAME}:{server.port}{PAGE_PATH}",
                port=server.port,
                ca_file=ca_file,
                checks=args.checks,
                concurrency=args.concurrency,
                directory=directory,
                env=env,
                deadline=deadline,
            )
            print_commands(work, args, server)
            runners = {PANTAU: run_pantau, BLACKBOX: run_blackbox}
            tools = list(args.tools)
            for number in range(args.rounds):
                # Rotate the order every round, so that no tool always runs first.
                order = tools[number % len(tools) :] + tools[: number % len(tools)]
                for tool in order:
                    if time.monotonic() >= deadline:
                        timed_out = True
                        break
                    measurement = measure(runners[tool], work, server, number)
                    measurements.append(measurement)
                    print_progress(measurement)
            if args.profile and not timed_out:
                profile = Path(args.profile).resolve()
                profiled = measure(
                    lambda w, n: run_pantau(w, n, profile), work, server, args.rounds
                )
                print_progress(profiled, "profiled")
        finally:
            server.stop()

    print()
    rows = summarise(measurements, args.server_workers)
    print_summary(rows, args.server_workers)
    if profiled is not None:
        unprofiled = [m.cpu_seconds for m in measurements if m.tool == PANTAU]
        cpu = statistics.median(unprofiled) if unprofiled else profiled.cpu_seconds
        print_profile(Path(args.profile), args.checks, cpu)
    shortfalls = report_shortfalls(measurements + ([profiled] if profiled else []))
    if timed_out:
        print(f"!!! stopped after --max-seconds {args.max_seconds:g}: rounds are missing")
    print(f"total time {time.monotonic() - started:.0f} s")
    if args.json_output:
        record = {
            "machine": machine,
            "arguments": vars(args),
            "measurements": [asdict(m) for m in measurements],
            "profiled": asdict(profiled) if profiled else None,
            "summary": [asdict(row) for row in rows],
        }
        Path(args.json_output).write_text(json.dumps(record, indent=2, default=str))
    return 1 if shortfalls or timed_out else 0


def print_progress(m: Measurement, label: str = "") -> None:
    """Print one round as it finishes."""
    name = label or f"round {m.round + 1}"
    print(
        f"{name:<9} {m.tool:<9} wall {m.wall_seconds:6.2f} s  cpu {m.cpu_seconds:6.3f} s "
        f"({1000 * m.cpu_per_check:.3f} ms/check)  rss {m.max_rss_bytes / 2**20:6.1f} MiB  "
        f"ok {m.succeeded}/{m.checks}  server cpu {m.server_cpu_seconds:6.2f} s  "
        f"connections {m.server.get('connections')}"
        + (f"  PROBLEMS: {len(m.problems)}" if m.problems else ""),
        flush=True,
    )


def print_commands(work: Workload, args: argparse.Namespace, server: PageServer) -> None:
    """Print how each tool is run."""
    print("commands:")
    print(f"  server    {args.server_workers} Python asyncio processes on {ADDRESS}:{work.port}")
    print(f"            {args.key_type} certificate for {HOST_NAME} and {ADDRESS}")
    print(f"            page {len(server.page)} bytes, {work.checks} checks per round")
    print(f"  pantau    {' '.join(pantau_command(work, Path('$R')))}")
    print(f"  blackbox  {' '.join(exporter_command(Path('$DIR/blackbox.yml'), 0))}")
    target = exporter_target(work)
    print(f"            GET /probe?module={EXPORTER_MODULE}&target={target}")
    print("  blackbox.yml:")
    for line in exporter_config(Path("$DIR/ca.pem")).splitlines():
        print(f"    {line}")
    print()


def _exit_on_signal(number: int, _frame: object) -> None:
    raise SystemExit(128 + number)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the benchmark, or the Pantau child."""
    args = build_parser().parse_args(argv)
    if args.command == "child":
        return child_main(args)
    validate(args)
    # SIGTERM then unwinds like Ctrl-C, so that the finally blocks stop the
    # server and the exporter.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    if not args.no_netns:
        icmp_sweep.enter_empty_network_namespace()
    snmp_poll.check_namespace()
    try:
        return run_benchmark(args)
    except KeyboardInterrupt:
        # The finally blocks have stopped the server, the exporter and the child.
        print("interrupted: no summary", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
