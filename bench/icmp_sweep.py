"""Benchmark Pantau's ICMP sweep against fping on loopback addresses.

Both tools ping the same N addresses in 127.0.0.0/8 (three echoes each by
default) at the same send rate, alternating, R times. Each run is a child
process, so that its wall time, CPU time (user + system) and peak RSS are its
own: CPU time comes from ``os.wait4``, peak RSS from GNU time (see
``run_child``). Pantau runs in two variants:

- ``inprocess``: a child that calls ``probes.icmp.probe_many`` directly;
- ``cli``: the ``pantau probe -c FILE --json`` command over a generated
  inventory, which adds the interpreter start, the configuration loader and
  the JSON output.

The kernel replies to every echo sent to a loopback address, so an echo
without a reply is a lost or mismatched reply. The benchmark prints every
such run in a block of exclamation marks and exits with status 1.

Network safety: every generated address is checked to lie in 127.0.0.0/8
before anything runs. By default the benchmark also moves itself into a new
network namespace whose only interface is ``lo``, so no packet can leave
even if a check were wrong.

Example (as root, from the repository root)::

    python3 bench/icmp_sweep.py --targets 1000 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import datetime
import ipaddress
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
# GNU time (Debian package "time"), which reports the peak RSS of the
# command it runs; see run_child.
TIME_COMMAND = "/usr/bin/time"
LOOPBACK_NETWORK = ipaddress.ip_network("127.0.0.0/8")

# Bounds that keep one invocation short enough for a shared machine.
MAX_TARGETS = 20_000
MAX_COUNT = 10
MAX_REPEAT = 10
MAX_TIMEOUT = 10.0
MAX_PLANNED_SECONDS = 1800.0
# Time a child may take beyond its planned sweep (interpreter start, imports,
# writing 10,000 JSON results) before it is killed and the run fails.
CHILD_TIMEOUT_MARGIN = 120.0

# From <sched.h>: unshare(2) flag for a new network namespace.
CLONE_NEWNET = 0x40000000

TOOLS = ("fping", "inprocess", "cli")
BASELINE = "fping"

# Goals the benchmark reports against (Pantau versus fping, same send rate).
GOAL_CPU_PER_ECHO_RATIO = 3.0
GOAL_WALL_RATIO = 1.5
GOAL_WALL_TARGETS = 10_000
GOAL_MAX_RSS_BYTES = 150_000_000  # 150 MB in SI units, 143.1 MiB

FPING_TARGET_LINE = re.compile(
    r"^(?P<address>\S+)\s*:\s*xmt/rcv/%loss = (?P<sent>\d+)/(?P<received>\d+)/"
)
# With -c and -q, older fping versions print "<host> : duplicate for [N], ..."
# for a duplicate reply, and newer ones skip that line. A duplicate may then
# show only as more replies received than sent, which report_shortfalls flags.
FPING_DUPLICATE_LINE = re.compile(r" : duplicate for \[")


@dataclass(frozen=True)
class RateProfile:
    """Send rate that both tools use: fping's -i and -p, Pantau's two intervals."""

    name: str
    send_interval: float
    """Seconds between any two packets (fping -i, pantau --send-interval)."""
    packet_interval: float
    """Seconds between two echoes to one target (fping -p, icmp.packet_interval)."""


PROFILES = {
    "burst": RateProfile("burst", send_interval=0.0, packet_interval=0.010),
    "paced": RateProfile("paced", send_interval=0.0001, packet_interval=0.010),
}


@dataclass
class Measurement:
    """One run of one tool: resource usage of its child and echo counts."""

    tool: str
    targets: int
    count: int
    profile: str
    repeat: int
    command: list[str]
    wall_seconds: float
    cpu_seconds: float
    max_rss_bytes: int
    exit_code: int
    sent: int = 0
    received: int = 0
    duplicates: int = 0
    late: int = 0
    unmatched: int | None = None
    sweep_seconds: float | None = None
    sweep_cpu_seconds: float | None = None
    module: str | None = None
    """File of probes.icmp that the in-process child imported."""
    problems: list[str] = field(default_factory=list)

    @property
    def expected(self) -> int:
        """Echoes the run should have sent and received."""
        return self.targets * self.count


# --- addresses and the network namespace -------------------------------------


def generate_addresses(count: int) -> list[str]:
    """Return ``count`` distinct addresses 127.X.Y.Z, each octet X, Y, Z in 1..254.

    Octets 0 and 255 are left out, so that no address is a network or
    broadcast address of a /24 and none is 127.0.0.1, which other programs
    on the machine may use.
    """
    addresses = []
    for index in range(count):
        x = 1 + index // (254 * 254)
        y = 1 + (index // 254) % 254
        z = 1 + index % 254
        addresses.append(f"127.{x}.{y}.{z}")
    return addresses


def check_loopback(addresses: Sequence[str]) -> None:
    """Raise SystemExit unless the addresses are distinct and all in 127.0.0.0/8."""
    outside = [a for a in addresses if ipaddress.ip_address(a) not in LOOPBACK_NETWORK]
    if outside:
        raise SystemExit(f"not run: addresses {outside[:5]} are outside {LOOPBACK_NETWORK}")
    if len(set(addresses)) != len(addresses):
        raise SystemExit("not run: the generated addresses are not distinct")


def enter_empty_network_namespace() -> None:
    """Move this process into a new network namespace and bring up its ``lo``.

    Children inherit the namespace. Raises SystemExit when unshare(2) fails,
    because it needs CAP_SYS_ADMIN, or when an interface other than ``lo`` exists.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise SystemExit(
            f"unshare(CLONE_NEWNET) failed: {os.strerror(error)}. Run as root, "
            "or pass --no-netns inside a namespace that has no route out."
        )
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    interfaces = sorted(name for _index, name in socket.if_nameindex())
    if interfaces != ["lo"]:
        raise SystemExit(f"not run: the new namespace has interfaces {interfaces}, not only lo")


# --- running one child ---------------------------------------------------------


@dataclass(frozen=True)
class ChildUsage:
    """Wall time, exit code and resource usage of one finished child."""

    wall_seconds: float
    cpu_seconds: float
    max_rss_bytes: int
    exit_code: int


def run_child(
    argv: Sequence[str], stdout: Path, stderr: Path, timeout: float, env: dict[str, str]
) -> ChildUsage:
    """Run ``argv`` under GNU time to completion and return its resource usage.

    The peak RSS is the ``ru_maxrss`` that GNU time reads with wait4 for the
    command it forked. ``os.wait4`` on a child forked by this Python process
    would report this process's RSS instead, because Linux counts the
    memory a child had before exec (a copy of its parent's) in its maximum.
    CPU time (user + system) is ``os.wait4`` on the GNU time process, which
    includes the command it reaped, plus GNU time's own share (see
    ``measure_wrapper``). Wall time runs from just before the fork to just
    after the reap. After ``timeout`` seconds the whole process group gets
    SIGKILL, and the exit code is then -9.
    """
    rss_file = stdout.with_suffix(".rss")
    wrapped = [TIME_COMMAND, "--format=%M", f"--output={rss_file}", *argv]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.monotonic()
        process = subprocess.Popen(
            wrapped,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=stdout.parent,
            start_new_session=True,
        )
        killer = threading.Timer(timeout, _kill_group, (process.pid,))
        killer.start()
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        wall = time.monotonic() - started
    exit_code = os.waitstatus_to_exitcode(status)
    process.returncode = exit_code  # reaped by wait4: keep Popen from waiting again
    return ChildUsage(
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_bytes=_read_max_rss_kib(rss_file) * 1024,
        exit_code=exit_code,
    )


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _read_max_rss_kib(rss_file: Path) -> int:
    # When the command fails, GNU time writes "Command exited with non-zero
    # status N" before the formatted line, so the number is on the last line.
    try:
        lines = rss_file.read_text().strip().splitlines()
        return int(lines[-1])
    except (OSError, IndexError, ValueError):
        return 0
    finally:
        rss_file.unlink(missing_ok=True)


def measure_wrapper(directory: Path, env: dict[str, str]) -> ChildUsage:
    """Measure GNU time wrapping ``true``: the overhead inside every measurement."""
    runs = [
        run_child(["true"], directory / "true.stdout", directory / "true.stderr", 10.0, env)
        for _ in range(5)
    ]
    return ChildUsage(
        wall_seconds=statistics.median(r.wall_seconds for r in runs),
        cpu_seconds=statistics.median(r.cpu_seconds for r in runs),
        max_rss_bytes=int(statistics.median(r.max_rss_bytes for r in runs)),
        exit_code=max(r.exit_code for r in runs),
    )


@dataclass(frozen=True)
class Workload:
    """Addresses and settings of one sweep, and the directory of its files."""

    addresses: list[str]
    count: int
    timeout: float
    profile: RateProfile
    directory: Path
    address_file: Path
    inventory_file: Path

    @property
    def planned_seconds(self) -> float:
        """Time the sweep needs at the configured rate, ignoring CPU time."""
        sending = len(self.addresses) * self.count * self.profile.send_interval
        spacing = (self.count - 1) * self.profile.packet_interval
        return max(sending, spacing) + self.timeout


def milliseconds(seconds: float) -> str:
    """Format seconds as fping's millisecond argument, without a trailing ".0"."""
    return f"{seconds * 1000:g}"


def duration_text(seconds: float) -> str:
    """Format seconds as a Pantau duration string in milliseconds, such as "0.1ms"."""
    return f"{seconds * 1000:g}ms"


def fping_command(work: Workload) -> list[str]:
    """Build the fping command line for ``work``."""
    return [
        "fping",
        "-q",
        "-s",
        "-c",
        str(work.count),
        "-i",
        milliseconds(work.profile.send_interval),
        "-p",
        milliseconds(work.profile.packet_interval),
        "-t",
        milliseconds(work.timeout),
        "-f",
        str(work.address_file),
    ]


def inprocess_command(work: Workload, result_file: Path) -> list[str]:
    """Build the command line of the in-process Pantau child."""
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "child",
        "--addresses",
        str(work.address_file),
        "--count",
        str(work.count),
        "--timeout",
        repr(work.timeout),
        "--send-interval",
        repr(work.profile.send_interval),
        "--packet-interval",
        repr(work.profile.packet_interval),
        "--result",
        str(result_file),
    ]


def cli_command(work: Workload) -> list[str]:
    """Build the ``pantau probe`` command line for ``work``."""
    return [
        sys.executable,
        "-m",
        "monitor.cli",
        "probe",
        "-c",
        str(work.inventory_file),
        "--json",
        "--send-interval",
        duration_text(work.profile.send_interval),
    ]


def parse_fping(stderr: str) -> tuple[int, int, int, list[str]]:
    """Sum fping's per-target summary lines: return sent, received, duplicates, problems."""
    sent = received = duplicates = 0
    problems = []
    for line in stderr.splitlines():
        match = FPING_TARGET_LINE.match(line)
        if match:
            sent += int(match["sent"])
            received += int(match["received"])
        elif FPING_DUPLICATE_LINE.search(line):
            duplicates += 1
        elif line.strip().startswith("fping:") or "error" in line.lower():
            problems.append(line.strip())
    return sent, received, duplicates, problems


def parse_cli(stdout: str) -> tuple[int, int, int, int, list[str]]:
    """Sum the ``pantau probe --json`` results: sent, received, duplicates, late, problems."""
    sent = received = duplicates = late = 0
    problems = []
    try:
        results = json.loads(stdout)
    except json.JSONDecodeError as error:
        return 0, 0, 0, 0, [f"pantau probe printed no JSON: {error}"]
    for result in results:
        values = result.get("values", {})
        sent += int(values.get("sent", 0))
        received += int(values.get("received", 0))
        duplicates += int(values.get("duplicates", 0))
        late += int(values.get("late", 0))
        if result.get("reason") not in ("ok", "no_reply"):
            problems.append(f"{result['target']}: {result['reason']} {result.get('message', '')}")
    return sent, received, duplicates, late, problems[:10]


def run_tool(tool: str, work: Workload, repeat: int, env: dict[str, str]) -> Measurement:
    """Run one tool once over ``work`` and collect its usage and echo counts."""
    stdout = work.directory / f"{tool}.stdout"
    stderr = work.directory / f"{tool}.stderr"
    result_file = work.directory / "inprocess.json"
    commands = {
        "fping": lambda: fping_command(work),
        "inprocess": lambda: inprocess_command(work, result_file),
        "cli": lambda: cli_command(work),
    }
    argv = commands[tool]()
    timeout = CHILD_TIMEOUT_MARGIN + 3 * work.planned_seconds
    usage = run_child(argv, stdout, stderr, timeout, env)

    measurement = Measurement(
        tool=tool,
        targets=len(work.addresses),
        count=work.count,
        profile=work.profile.name,
        repeat=repeat,
        command=argv,
        wall_seconds=usage.wall_seconds,
        cpu_seconds=usage.cpu_seconds,
        max_rss_bytes=usage.max_rss_bytes,
        exit_code=usage.exit_code,
    )
    error_text = stderr.read_text(errors="replace")
    if tool == "fping":
        sent, received, duplicates, problems = parse_fping(error_text)
        measurement.sent, measurement.received, measurement.duplicates = sent, received, duplicates
        measurement.problems.extend(problems)
    elif tool == "cli":
        sent, received, dups, late, problems = parse_cli(stdout.read_text(errors="replace"))
        measurement.sent, measurement.received = sent, received
        measurement.duplicates, measurement.late = dups, late
        measurement.problems.extend(problems)
    else:
        _read_inprocess_result(measurement, result_file)

    # Every loopback address replies, so every tool should exit 0 (all targets alive).
    if usage.exit_code != 0:
        tail = " | ".join(error_text.strip().splitlines()[-5:]) or "(stderr empty)"
        measurement.problems.append(f"exit code {usage.exit_code}: {tail}")
    return measurement


def _read_inprocess_result(measurement: Measurement, result_file: Path) -> None:
    try:
        result = json.loads(result_file.read_text())
    except (OSError, json.JSONDecodeError) as error:
        measurement.problems.append(f"in-process child wrote no result: {error}")
        return
    finally:
        result_file.unlink(missing_ok=True)
    measurement.sent = result["sent"]
    measurement.received = result["received"]
    measurement.duplicates = result["duplicates"]
    measurement.late = result["late"]
    measurement.unmatched = result["unmatched"]
    measurement.sweep_seconds = result["sweep_seconds"]
    measurement.sweep_cpu_seconds = result["sweep_cpu_seconds"]
    measurement.module = result["module"]
    measurement.problems.extend(result["problems"])


# --- the in-process child ------------------------------------------------------


async def _sweep(
    addresses: list[str], count: int, timeout: float, send_interval: float, packet_interval: float
) -> dict[str, object]:
    from probes import icmp

    requests = [
        icmp.IcmpRequest(
            target=address,
            address=address,
            family="ip4",
            count=count,
            packet_interval=packet_interval,
            timeout=timeout,
        )
        for address in addresses
    ]
    pinger = icmp.Pinger(min_send_gap=send_interval)
    try:
        results = await icmp.probe_many(requests, pinger)
    finally:
        pinger.close()

    totals = {"sent": 0, "received": 0, "duplicates": 0, "late": 0}
    problems = []
    for request, result in zip(requests, results, strict=True):
        if result.target != request.target:
            problems.append(f"result for {result.target} in the place of {request.target}")
        for key in totals:
            totals[key] += int(result.values.get(key, 0))
        if result.reason not in ("ok", "no_reply"):
            problems.append(f"{result.target}: {result.reason} {result.message}")
    if pinger.send_errors:
        problems.insert(0, f"sendto failed for {pinger.send_errors} echoes")
    return {
        **totals,
        "unmatched": pinger.unmatched_replies,
        "send_errors": pinger.send_errors,
        "mode": pinger.mode.value,
        "module": icmp.__file__,
        "problems": problems[:10],
    }


def child_main(args: argparse.Namespace) -> int:
    """Run one Pantau sweep in this process and write its counts as JSON."""
    addresses = Path(args.addresses).read_text().split()
    check_loopback(addresses)

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    outcome = asyncio.run(
        _sweep(addresses, args.count, args.timeout, args.send_interval, args.packet_interval)
    )
    outcome["sweep_seconds"] = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    outcome["sweep_cpu_seconds"] = (after.ru_utime + after.ru_stime) - (
        before.ru_utime + before.ru_stime
    )
    Path(args.result).write_text(json.dumps(outcome))
    return 0


# --- the benchmark driver ------------------------------------------------------


def write_workload(
    directory: Path, targets: int, count: int, timeout: float, profile: RateProfile
) -> Workload:
    """Write the address list and the Pantau inventory for one sweep size."""
    addresses = generate_addresses(targets)
    check_loopback(addresses)
    size_directory = directory / f"n{targets}-{profile.name}"
    size_directory.mkdir()
    address_file = size_directory / "addresses.txt"
    address_file.write_text("\n".join(addresses) + "\n")

    inventory_file = size_directory / "inventory.toml"
    lines = [
        "[daemon]",
        f'database = "{size_directory / "pantau.db"}"',
        "",
        "[defaults]",
        f'timeout = "{duration_text(timeout)}"',
        f"icmp = {{ count = {count}, "
        f'packet_interval = "{duration_text(profile.packet_interval)}" }}',
        "",
    ]
    for address in addresses:
        lines += [
            "[[targets]]",
            f'name = "lo-{address.replace(".", "-")}"',
            f'address = "{address}"',
            "",
        ]
    inventory_file.write_text("\n".join(lines))
    return Workload(
        addresses=addresses,
        count=count,
        timeout=timeout,
        profile=profile,
        directory=size_directory,
        address_file=address_file,
        inventory_file=inventory_file,
    )


def machine_description() -> dict[str, str]:
    """Describe the machine the way docs/benchmarks.md records it."""

    def output(argv: list[str]) -> str:
        try:
            completed = subprocess.run(argv, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            return "(not installed)"
        return (completed.stdout + completed.stderr).strip()

    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "nproc": output(["nproc"]),
        "cpu": _cpu_model(),
        "free -h": output(["free", "-h"]),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "fping": output(["fping", "-v"]),
        "icmplib": _package_version("icmplib"),
    }


def describe_source(source: Path) -> str:
    """Name the measured repository, its commit and its changed files in probes/ and monitor/."""
    completed = subprocess.run(
        ["git", "-C", str(source), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        return f"{source} (not a git repository)"
    status = subprocess.run(
        ["git", "-C", str(source), "status", "--porcelain", "--", "probes", "monitor"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split("\n")
    changed = sorted(line[3:] for line in status if line.strip() and "__pycache__" not in line)
    changes = f", uncommitted: {', '.join(changed)}" if changed else ""
    return f"{source} at {completed.stdout.strip()}{changes}"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _package_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "(not installed)"


def cli_import_error(env: dict[str, str]) -> str:
    """Import ``monitor.cli`` from PYTHONPATH in a child; return the error, or "" on success."""
    completed = subprocess.run(
        [sys.executable, "-c", "import monitor.cli"],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",  # so that the current directory cannot shadow PYTHONPATH
        check=False,
    )
    if completed.returncode == 0:
        return ""
    lines = completed.stderr.strip().splitlines()
    return lines[-1] if lines else f"exit code {completed.returncode}"


def run_benchmark(args: argparse.Namespace) -> int:
    """Run each tool R times per size and profile, print the summary and return the exit code."""
    # Children run in the temporary directory, so that ``python3 -m`` finds
    # the Pantau of --source through PYTHONPATH and not the current directory.
    source = Path(args.source).resolve()
    env = {**os.environ, "PYTHONPATH": str(source)}
    tools = list(args.tools)
    import_error = cli_import_error(env) if "cli" in tools else ""
    if import_error:
        print(f"note: running without the cli variant, because monitor.cli failed: {import_error}")
        tools.remove("cli")
    profiles = [PROFILES[name] for name in args.profiles]

    planned = sum(
        len(tools) * args.repeat * (n * args.count * p.send_interval + args.timeout + 2)
        for n in args.targets
        for p in profiles
    )
    if planned > MAX_PLANNED_SECONDS:
        raise SystemExit(
            f"not run: the plan needs at least {planned:.0f} s, more than the limit of "
            f"{MAX_PLANNED_SECONDS:.0f} s. Lower --targets, --repeat or --count."
        )

    machine = machine_description()
    machine["pantau source"] = describe_source(source)
    print_machine(machine)
    measurements: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as temporary:
        directory = Path(temporary)
        wrapper = measure_wrapper(directory, env)
        machine["wrapper overhead"] = (
            f"{TIME_COMMAND} true: wall {wrapper.wall_seconds * 1e3:.2f} ms, "
            f"cpu {wrapper.cpu_seconds * 1e3:.2f} ms, rss {wrapper.max_rss_bytes / 2**20:.1f} MiB"
        )
        print(f"wrapper overhead: {machine['wrapper overhead']}")
        print()
        workloads = [
            write_workload(directory, n, args.count, args.timeout, p)
            for n in args.targets
            for p in profiles
        ]
        for repeat in range(args.repeat):
            # Rotate the order every repeat, so that no tool always runs first.
            order = tools[repeat % len(tools) :] + tools[: repeat % len(tools)]
            for work in workloads:
                for tool in order:
                    measurement = run_tool(tool, work, repeat, env)
                    measurements.append(measurement)
                    print_progress(measurement)

    print()
    print_commands(measurements)
    rows = summarise(measurements)
    print_summary(rows)
    print_goals(rows)
    shortfalls = report_shortfalls(measurements)
    if args.json_output:
        record = {
            "machine": machine,
            "arguments": vars(args),
            "measurements": [asdict(m) for m in measurements],
            "summary": [asdict(row) for row in rows],
        }
        Path(args.json_output).write_text(json.dumps(record, indent=2, default=str))
    return 1 if shortfalls else 0


def print_machine(machine: dict[str, str]) -> None:
    """Print the machine description as the header of the output."""
    for key, value in machine.items():
        if "\n" in value:
            print(f"{key}:")
            for line in value.splitlines():
                print(f"    {line}")
        else:
            print(f"{key}: {value}")
    print()


def print_progress(m: Measurement) -> None:
    """Print one run as it finishes."""
    print(
        f"run {m.repeat + 1}  {m.tool:<9} n={m.targets:<6} {m.profile:<6} "
        f"wall {m.wall_seconds:7.3f} s  cpu {m.cpu_seconds:7.3f} s  "
        f"rss {m.max_rss_bytes / 2**20:6.1f} MiB  echoes {m.received}/{m.expected}"
        + (f"  PROBLEMS: {len(m.problems)}" if m.problems else ""),
        flush=True,
    )


def print_commands(measurements: list[Measurement]) -> None:
    """Print each distinct command line once, with temporary paths shortened."""
    seen: set[tuple[str, int, str]] = set()
    print("commands:")
    for m in measurements:
        key = (m.tool, m.targets, m.profile)
        if key in seen:
            continue
        seen.add(key)
        command = " ".join(re.sub(r"/tmp/pantau-bench-[^/]+/", "$DIR/", c) for c in m.command)
        print(f"  {m.tool:<9} n={m.targets:<6} {m.profile:<6} {command}")
    print()


@dataclass
class Summary:
    """Medians of the runs of one tool at one size and send rate, and ratios to fping."""

    targets: int
    profile: str
    tool: str
    runs: int
    wall_seconds: float
    cpu_seconds: float
    max_rss_bytes: float
    cpu_microseconds_per_echo: float
    echoes_per_second: float
    """Echoes sent per second of wall time: the send rate the tool reached."""
    received: int
    expected: int
    sweep_seconds: float | None
    sweep_cpu_seconds: float | None
    sweep_cpu_microseconds_per_echo: float | None
    """CPU time of probe_many alone per echo, without interpreter start and imports."""
    wall_ratio: float | None = None
    cpu_ratio: float | None = None
    rss_ratio: float | None = None
    sweep_cpu_ratio: float | None = None
    """CPU time of probe_many alone over fping's whole-process CPU time."""


def summarise(measurements: list[Measurement]) -> list[Summary]:
    """Reduce the runs of each (size, profile, tool) to medians and ratios against fping."""
    groups: dict[tuple[int, str, str], list[Measurement]] = {}
    for m in measurements:
        groups.setdefault((m.targets, m.profile, m.tool), []).append(m)

    rows = []
    for (targets, profile, tool), runs in groups.items():
        echoes = runs[0].expected
        sweeps = [m.sweep_seconds for m in runs if m.sweep_seconds is not None]
        sweep_cpus = [m.sweep_cpu_seconds for m in runs if m.sweep_cpu_seconds is not None]
        rows.append(
            Summary(
                targets=targets,
                profile=profile,
                tool=tool,
                runs=len(runs),
                wall_seconds=statistics.median(m.wall_seconds for m in runs),
                cpu_seconds=statistics.median(m.cpu_seconds for m in runs),
                max_rss_bytes=statistics.median(m.max_rss_bytes for m in runs),
                cpu_microseconds_per_echo=statistics.median(
                    m.cpu_seconds / echoes * 1e6 for m in runs
                ),
                echoes_per_second=statistics.median(m.sent / m.wall_seconds for m in runs),
                received=sum(m.received for m in runs),
                expected=echoes * len(runs),
                sweep_seconds=statistics.median(sweeps) if sweeps else None,
                sweep_cpu_seconds=statistics.median(sweep_cpus) if sweep_cpus else None,
                sweep_cpu_microseconds_per_echo=(
                    statistics.median(sweep_cpus) / echoes * 1e6 if sweep_cpus else None
                ),
            )
        )

    baselines = {(r.targets, r.profile): r for r in rows if r.tool == BASELINE}
    for row in rows:
        base = baselines.get((row.targets, row.profile))
        if base is None:
            continue
        row.wall_ratio = _divide(row.wall_seconds, base.wall_seconds)
        row.cpu_ratio = _divide(row.cpu_seconds, base.cpu_seconds)
        row.rss_ratio = _divide(row.max_rss_bytes, base.max_rss_bytes)
        if row.sweep_cpu_seconds is not None:
            row.sweep_cpu_ratio = _divide(row.sweep_cpu_seconds, base.cpu_seconds)
    rows.sort(key=lambda r: (r.targets, r.profile, TOOLS.index(r.tool)))
    return rows


def _divide(value: float, base: float) -> float | None:
    return value / base if base else None


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def print_summary(rows: list[Summary]) -> None:
    """Print the medians per (size, profile, tool) with the ratios against fping."""
    print(
        f"{'targets':>7} {'profile':<7} {'tool':<9} {'wall s':>7} {'cpu s':>7} "
        f"{'us/echo':>7} {'rss MiB':>7} {'wall':>7} {'cpu':>7} {'rss':>7} "
        f"{'sent/s':>7} {'sweep s':>7} {'sweep us/echo':>13} {'received/expected':>17}"
    )
    for r in rows:
        sweep = _optional(r.sweep_seconds, ".3f")
        sweep_per_echo = _optional(r.sweep_cpu_microseconds_per_echo, ".1f")
        print(
            f"{r.targets:>7} {r.profile:<7} {r.tool:<9} "
            f"{r.wall_seconds:7.3f} {r.cpu_seconds:7.3f} {r.cpu_microseconds_per_echo:7.1f} "
            f"{r.max_rss_bytes / 2**20:7.1f} "
            f"{_ratio(r.wall_ratio):>7} {_ratio(r.cpu_ratio):>7} {_ratio(r.rss_ratio):>7} "
            f"{r.echoes_per_second:7.0f} {sweep:>7} {sweep_per_echo:>13} "
            f"{f'{r.received}/{r.expected}':>17}"
        )
    print(
        "Medians of the runs. Ratios are the tool's median over fping's. sent/s is echoes "
        "sent per second of wall time.\nsweep is probe_many alone inside the in-process "
        "child, without interpreter start and imports. Echoes are summed over the runs."
    )
    print()


def _optional(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_goals(rows: list[Summary]) -> None:
    """Print each goal, the measured value and whether it is met."""
    print("goals (Pantau against fping at the same send rate):")
    for r in rows:
        if r.tool == BASELINE:
            continue
        label = f"{r.tool:<9} n={r.targets:<6} {r.profile:<6}"
        if r.cpu_ratio is not None:
            met = r.cpu_ratio <= GOAL_CPU_PER_ECHO_RATIO
            print(
                f"  {label} CPU per echo {_ratio(r.cpu_ratio)} of fping "
                f"(goal <= {GOAL_CPU_PER_ECHO_RATIO}x): {_verdict(met)}"
            )
        if r.targets == GOAL_WALL_TARGETS and r.wall_ratio is not None:
            met = r.wall_ratio <= GOAL_WALL_RATIO
            print(
                f"  {label} wall time {_ratio(r.wall_ratio)} of fping "
                f"(goal <= {GOAL_WALL_RATIO}x): {_verdict(met)}"
            )
        if r.targets == GOAL_WALL_TARGETS:
            met = r.max_rss_bytes < GOAL_MAX_RSS_BYTES
            print(
                f"  {label} peak RSS {r.max_rss_bytes / 1e6:.1f} MB "
                f"= {r.max_rss_bytes / 2**20:.1f} MiB "
                f"(goal < {GOAL_MAX_RSS_BYTES / 1e6:.0f} MB): {_verdict(met)}"
            )
        if r.sweep_cpu_ratio is not None:
            print(
                f"  {label} CPU per echo of probe_many alone {_ratio(r.sweep_cpu_ratio)} of "
                "fping's (no goal: the daemon starts once, so this is its cost per sweep)"
            )
        lost = r.expected - r.received
        print(f"  {label} lost or mismatched replies: {lost} (goal 0): {_verdict(lost == 0)}")
    print()


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def report_shortfalls(measurements: list[Measurement]) -> bool:
    """Print every run with missing echoes, extra replies or problems; tell whether any."""
    bad = [
        m
        for m in measurements
        if m.received != m.expected
        or m.sent != m.expected
        or m.duplicates
        or m.late
        or m.unmatched
        or m.problems
    ]
    if not bad:
        print(f"all {len(measurements)} runs: every echo sent and its reply received once")
        return False
    banner = "!" * 72
    print(banner, file=sys.stderr)
    print("LOST, MISMATCHED OR EXTRA REPLIES ON LOOPBACK (each should be 0):", file=sys.stderr)
    for m in bad:
        print(
            f"  run {m.repeat + 1} {m.tool} n={m.targets} {m.profile}: "
            f"expected {m.expected}, sent {m.sent}, received {m.received}, "
            f"lost {m.expected - m.received}, duplicates {m.duplicates}, late {m.late}, "
            f"unmatched {m.unmatched if m.unmatched is not None else '-'}, "
            f"exit code {m.exit_code}",
            file=sys.stderr,
        )
        for problem in m.problems:
            print(f"      {problem}", file=sys.stderr)
    print(banner, file=sys.stderr)
    return True


# --- command line --------------------------------------------------------------


def non_negative_seconds(text: str) -> float:
    """Parse a number of seconds that is zero or more."""
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of the benchmark and of its in-process child."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")

    child = commands.add_parser("child", help="internal: one in-process Pantau sweep")
    child.add_argument("--addresses", required=True)
    child.add_argument("--count", type=int, required=True)
    child.add_argument("--timeout", type=non_negative_seconds, required=True)
    child.add_argument("--send-interval", type=non_negative_seconds, required=True)
    child.add_argument("--packet-interval", type=non_negative_seconds, required=True)
    child.add_argument("--result", required=True)

    parser.add_argument(
        "--targets",
        type=int,
        nargs="+",
        default=[1000, 10000],
        metavar="N",
        help=f"sweep sizes: number of loopback addresses, at most {MAX_TARGETS}",
    )
    parser.add_argument("--count", type=int, default=3, help="echoes per address (default 3)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each tool per size; the median is reported"
    )
    parser.add_argument(
        "--profiles",
        nargs="+",
        choices=sorted(PROFILES),
        default=["burst", "paced"],
        help="send rates: burst is fping -i 0 -p 10, paced is fping -i 0.1 -p 10",
    )
    parser.add_argument(
        "--tools",
        nargs="+",
        choices=TOOLS,
        default=list(TOOLS),
        help="fping, the in-process Pantau sweep and the pantau probe command",
    )
    parser.add_argument(
        "--timeout",
        type=non_negative_seconds,
        default=1.0,
        help="seconds each echo may take (fping -t, Pantau's timeout), default 1",
    )
    parser.add_argument("--json-output", metavar="FILE", help="write every run and the summary")
    parser.add_argument(
        "--source",
        metavar="DIR",
        default=str(REPOSITORY_ROOT),
        help="repository whose probes/ and monitor/ are measured (default: this one), "
        "for comparing a patched copy",
    )
    parser.add_argument(
        "--no-netns",
        action="store_true",
        help="stay in the current network namespace instead of a new one with only lo",
    )
    return parser


def validate(args: argparse.Namespace) -> None:
    """Raise SystemExit when a bound is exceeded."""
    if any(not 1 <= n <= MAX_TARGETS for n in args.targets):
        raise SystemExit(f"invalid --targets {args.targets}: each must be 1 to {MAX_TARGETS}")
    if not 1 <= args.count <= MAX_COUNT:
        raise SystemExit(f"invalid --count {args.count}: must be 1 to {MAX_COUNT}")
    if not 1 <= args.repeat <= MAX_REPEAT:
        raise SystemExit(f"invalid --repeat {args.repeat}: must be 1 to {MAX_REPEAT}")
    if not 0 < args.timeout <= MAX_TIMEOUT:
        raise SystemExit(
            f"invalid --timeout {args.timeout}: must be above 0 and at most {MAX_TIMEOUT:g} s"
        )
    if BASELINE not in args.tools:
        raise SystemExit("invalid --tools: the ratios need fping in the list")
    if shutil.which("fping") is None:
        raise SystemExit("fping not found: apt-get install fping")
    if not Path(TIME_COMMAND).exists():
        raise SystemExit(f"{TIME_COMMAND} not found: apt-get install time")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the benchmark, or one in-process sweep as a child."""
    args = build_parser().parse_args(argv)
    if args.command == "child":
        return child_main(args)
    validate(args)
    if not args.no_netns:
        enter_empty_network_namespace()
    return run_benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
