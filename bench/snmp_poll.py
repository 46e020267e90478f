"""Benchmark Pantau's SNMP polling against snmpbulkwalk and snmp_exporter.

M simulated devices are polled by three tools, alternating, R times:

- ``pantau``: a child process that calls ``probes.snmp.SnmpClient.poll_many``
  with the profiles system, interfaces and host-resources;
- ``snmpbulkwalk``: net-snmp's ``snmpbulkwalk -v2c -Cr25`` of each subtree of
  each device, one process per subtree, a bounded number of devices at once;
- ``snmp_exporter``: Debian's ``prometheus-snmp-exporter`` with a generated
  module that walks the same subtrees, scraped once per device over HTTP, a
  bounded number of devices at once.

Every device serves the same recording (see ``build_recording``): the
objects that Pantau's three profiles read, taken from snmpsim-data's Linux
host ``os/linux/unknown-002`` plus 24 generated interfaces with ifTable and
ifXTable columns. Each device is its own UDP port on 127.0.0.1, served by
one of several snmpsim processes. So all three tools read the same 772
varbinds per device, and the benchmark checks that each did. A tool that
returned another count for any device is printed in a block of exclamation
marks, and the exit status is 1.

CPU time is the tool's own: the poll inside the Pantau child (from
getrusage, and the whole child from wait4), the exporter process (from
/proc/PID/stat before and after the scrapes), and the snmpbulkwalk
processes (wait4 on each). snmpsim's CPU time is measured apart, because
snmpsim, written in Python, can itself set the pace of a run.

Network safety: the benchmark moves itself into a new network namespace
whose only interface is ``lo``, and every agent, exporter and request uses
127.0.0.1 there. Nothing can leave the machine.

Example (as root, from the repository root)::

    python3 bench/snmp_poll.py --devices 100 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import datetime
import grp
import ipaddress
import json
import os
import platform
import pwd
import random
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
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

# The repository goes after PYTHONPATH, so that the Pantau child imports
# probes from the --source directory that PYTHONPATH names.
sys.path.append(str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import icmp_sweep  # the namespace and machine helpers of the ICMP benchmark

from probes import snmp_profiles
from tests.lab.snmp import SnmprecRecord, read_snmprec, snmpsim_command, snmpsim_data_dir

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]

TOOLS = ("pantau", "snmpbulkwalk", "snmp_exporter")
PANTAU = "pantau"
SNMPBULKWALK = "snmpbulkwalk"
SNMP_EXPORTER = "snmp_exporter"

AGENT_ADDRESS = "127.0.0.1"
FIRST_AGENT_PORT = 20001
EXPORTER_PORT = 9116
EXPORTER_COMMAND = "/usr/bin/prometheus-snmp-exporter"
EXPORTER_MODULE = "pantau_bench"
# Requests of one scrape that the scrape timeout allows for. snmp_exporter
# sent 35 per device of this recording in a 20-device run.
EXPORTER_MAX_REQUESTS = 40
COMMUNITY = "pantau-bench"
TIME_COMMAND = "/usr/bin/time"

# Bounds that keep one invocation short enough for a shared machine.
MAX_DEVICES = 2_000
MAX_REPEAT = 10
MAX_CONCURRENCY = 256
MAX_SIMULATORS = 16
MAX_TIMEOUT = 30.0
MAX_RETRIES = 3
DEFAULT_MAX_SECONDS = 3600.0
SIMULATOR_START_TIMEOUT = 120.0
EXPORTER_START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

# Goals the benchmark reports against.
GOAL_DEVICES = 1_000
GOAL_INTERVAL_SECONDS = 60.0
GOAL_CPU_RATIO = 2.0  # Pantau's CPU per varbind over snmp_exporter's
GOAL_MAX_RSS_BYTES = 200_000_000  # 200 MB in SI units, 190.7 MiB

# The recording: snmpsim-data's net-snmp Linux host, and generated interfaces.
BASE_RECORDING = "os/linux/unknown-002.snmprec.bz2"
INTERFACES = 24
RECORDING_SEED = 2026
# IF-MIB ifTableLastChange.0, the object after ifXTable, outside every subtree.
IF_TABLE_LAST_CHANGE = (1, 3, 6, 1, 2, 1, 31, 1, 5, 0)

# Subtrees that snmpbulkwalk and snmp_exporter read: everything that Pantau's
# profiles system, interfaces and host-resources read, and nothing more,
# because the recording contains nothing more.
SUBTREES: dict[str, tuple[int, ...]] = {
    "system": (1, 3, 6, 1, 2, 1, 1),
    "ifTable": snmp_profiles.IF_TABLE,
    "ifXTable": snmp_profiles.IF_X_ENTRY[:-1],
    "hrSystemUptime": snmp_profiles.HR_SYSTEM_UPTIME[:-1],
    "hrStorage": (1, 3, 6, 1, 2, 1, 25, 2),
    "hrProcessor": (1, 3, 6, 1, 2, 1, 25, 3, 3),
}
PANTAU_PROFILES = ("system", "interfaces", "host-resources")

# snmprec tags (BER class and number added up) and their snmp_exporter types.
SNMPREC_INTEGER = "2"
SNMPREC_OCTET_STRING = "4"
SNMPREC_COUNTER32 = "65"
SNMPREC_GAUGE32 = "66"
SNMPREC_TIMETICKS = "67"
SNMPREC_COUNTER64 = "70"
EXPORTER_TYPES = {
    SNMPREC_INTEGER: "gauge",
    SNMPREC_GAUGE32: "gauge",
    SNMPREC_TIMETICKS: "gauge",
    SNMPREC_COUNTER32: "counter",
    SNMPREC_COUNTER64: "counter",
}

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
Item = TypeVar("Item")
Outcome = TypeVar("Outcome")
# A varbind as snmpbulkwalk -On prints it, unless the value is an exception.
VARBIND_LINE = re.compile(r"^\.\d+(\.\d+)* = (?!No Such Object|No Such Instance|No more variables)")


# --- the recording -------------------------------------------------------------


@dataclass(frozen=True)
class Recording:
    """The .snmprec file that every simulated device serves, and what it contains."""

    path: Path
    records: tuple[SnmprecRecord, ...]

    @property
    def varbinds(self) -> int:
        """Varbinds that a poll of one device returns inside the subtrees."""
        return len(self.records)

    def in_subtree(self, subtree: tuple[int, ...]) -> int:
        """Count the records under ``subtree``."""
        return sum(record.oid[: len(subtree)] == subtree for record in self.records)


def pantau_oids() -> tuple[set[tuple[int, ...]], set[tuple[int, ...]]]:
    """Return the scalar instances and the table columns that Pantau's profiles read."""
    scalars, tables = snmp_profiles.plan(PANTAU_PROFILES)
    columns = {oid for table in tables for oid in table.columns.values()}
    return set(scalars.values()), columns


def interface_records(count: int, seed: int) -> list[SnmprecRecord]:
    """Generate ``count`` interfaces: every ifTable and ifXTable column that Pantau reads.

    Ports 1 to ``count`` - 2 are up; the last two are administratively down.
    Every fourth port has its link down. Counters are random but fixed by ``seed``.
    """
    rng = random.Random(seed)
    records = []
    for name, column in snmp_profiles.IF_COLUMNS.items():
        for index in range(1, count + 1):
            tag, value = _interface_value(name, index, count, rng)
            records.append(SnmprecRecord((*column, index), tag, value))
    return records


def _interface_value(name: str, index: int, count: int, rng: random.Random) -> tuple[str, str]:
    admin_up = index <= count - 2
    fixed: dict[str, tuple[str, str]] = {
        "ifIndex": (SNMPREC_INTEGER, str(index)),
        "ifDescr": (SNMPREC_OCTET_STRING, f"GigabitEthernet1/0/{index}"),
        "ifType": (SNMPREC_INTEGER, "6"),
        "ifSpeed": (SNMPREC_GAUGE32, "1000000000"),
        "ifAdminStatus": (SNMPREC_INTEGER, "1" if admin_up else "2"),
        "ifOperStatus": (SNMPREC_INTEGER, "1" if admin_up and index % 4 else "2"),
        "ifName": (SNMPREC_OCTET_STRING, f"Gi1/0/{index}"),
        "ifHighSpeed": (SNMPREC_GAUGE32, "1000"),
        "ifAlias": (SNMPREC_OCTET_STRING, f"OPD ruang {index} lantai {1 + index // 8}"),
        "ifCounterDiscontinuityTime": (SNMPREC_TIMETICKS, "0"),
    }
    if name in fixed:
        return fixed[name]
    if name.startswith("ifHC"):
        return SNMPREC_COUNTER64, str(rng.randrange(2**48))
    small = name.endswith(("Errors", "Discards"))
    return SNMPREC_COUNTER32, str(rng.randrange(1000 if small else 2**32))


def build_recording(directory: Path) -> Recording:
    """Write the device recording as ``<COMMUNITY>.snmprec`` in ``directory``.

    ``Recording.records`` are the records inside the subtrees. The
    system scalars, hrSystemUptime, hrStorageTable and hrProcessorTable
    come from snmpsim-data's ``os/linux/unknown-002`` (a net-snmp Linux host
    with 9 storage rows, one of them without hrStorageUsed, and 2
    processors), kept to the columns that Pantau reads. The 24 interfaces are
    generated. Records are sorted by OID, as snmpsim needs.
    """
    scalars, columns = pantau_oids()
    interface_columns = set(snmp_profiles.IF_COLUMNS.values())
    kept = []
    for record in read_snmprec(snmpsim_data_dir() / BASE_RECORDING):
        if record.oid in scalars or record.oid[:-1] in columns - interface_columns:
            kept.append(record)
    kept += interface_records(INTERFACES, RECORDING_SEED)
    kept.sort(key=lambda record: record.oid)

    outside = [r for r in kept if not any(r.oid[: len(s)] == s for s in SUBTREES.values())]
    if outside:
        raise SystemExit(f"not run: recording OIDs outside the subtrees: {outside[:3]}")
    # A real agent has more objects after ifXTable. Without one, a walk of
    # ifXTable meets the end of the MIB view, and snmpbulkwalk prints one
    # endOfMibView line for each repetition left in the last response.
    served = [*kept, SnmprecRecord(IF_TABLE_LAST_CHANGE, SNMPREC_TIMETICKS, "0")]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{COMMUNITY}.snmprec"
    path.write_text("\n".join(record.format() for record in served) + "\n", encoding="latin-1")
    return Recording(path, tuple(kept))


# --- snmpsim -------------------------------------------------------------------


def agent_ports(devices: int) -> list[int]:
    """Return the UDP port of each simulated device on 127.0.0.1."""
    return list(range(FIRST_AGENT_PORT, FIRST_AGENT_PORT + devices))


class SimulatorPool:
    """Several snmpsim processes that share the devices' ports between them.

    snmpsim handles requests in one thread, so one process uses at most one CPU.
    Device i is served by process i mod N. ``cpu_seconds`` sums the user and
    system time of all processes, from /proc/PID/stat.
    """

    def __init__(self, directory: Path, data_dir: Path, ports: Sequence[int], count: int) -> None:
        self.directory = directory
        self.data_dir = data_dir
        self.shares = [list(ports[i::count]) for i in range(count)]
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        """Start every process and wait until each has bound all its ports."""
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        for number, ports in enumerate(self.shares):
            cache = self.directory / f"cache-{number}"
            cache.mkdir(parents=True, exist_ok=True)
            # snmpsim started as root exits unless it may switch to a user,
            # and the current user is the one that can read this Python.
            argv = [
                snmpsim_command(),
                f"--data-dir={self.data_dir}",
                f"--cache-dir={cache}",
                f"--process-user={user}",
                f"--process-group={group}",
                f"--logging-method=file:{self.directory / f'snmpsim-{number}.log'}",
                "--log-level=error",
                *(f"--agent-udpv4-endpoint={AGENT_ADDRESS}:{port}" for port in ports),
            ]
            with (self.directory / f"snmpsim-{number}.stderr").open("ab") as stderr:
                process = subprocess.Popen(
                    argv, stdout=stderr, stderr=stderr, stdin=subprocess.DEVNULL
                )
            self.processes.append(process)
        for process, ports in zip(self.processes, self.shares, strict=True):
            _wait_for_udp_ports(process, set(ports), SIMULATOR_START_TIMEOUT)

    def cpu_seconds(self) -> float:
        """Return the CPU time that the snmpsim processes have used so far."""
        return sum(process_cpu_seconds(process.pid) for process in self.processes)

    def alive(self) -> bool:
        """Tell whether every snmpsim process still runs."""
        return all(process.poll() is None for process in self.processes)

    def stop(self) -> None:
        """Stop every process."""
        for process in self.processes:
            stop_process(process)


def process_cpu_seconds(pid: int) -> float:
    """Return utime + stime of process ``pid`` from /proc/PID/stat, in seconds."""
    text = Path(f"/proc/{pid}/stat").read_text()
    # The command name in brackets may contain spaces: split after it.
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_peak_rss(pid: int | str) -> int:
    """Return VmHWM of process ``pid`` (or "self") in bytes: the peak RSS since its exec."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _bound_udp_ports(pid: int) -> set[int]:
    inodes = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            match = re.fullmatch(r"socket:\[(\d+)\]", os.readlink(descriptor))
            if match:
                inodes.add(match[1])
    ports = set()
    for line in Path(f"/proc/{pid}/net/udp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[9] in inodes:
            ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _wait_for_udp_ports(process: subprocess.Popen[bytes], ports: set[int], timeout: float) -> None:
    # snmpsim logs "Listening at" before its event loop binds the sockets, so
    # the sockets themselves tell when it is ready.
    deadline = time.monotonic() + timeout
    bound: set[int] = set()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"snmpsim exited with status {process.returncode} while starting")
        with contextlib.suppress(FileNotFoundError):
            bound = _bound_udp_ports(process.pid)
        if bound >= ports:
            return
        time.sleep(0.1)
    raise SystemExit(f"snmpsim bound {len(bound)} of {len(ports)} ports within {timeout:g} s")


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """Stop ``process`` with SIGTERM, then SIGKILL after STOP_TIMEOUT seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT)


# --- measurements ---------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Settings shared by every tool: agents, community, timeout, retries and concurrency."""

    ports: tuple[int, ...]
    community: str
    timeout: float
    retries: int
    concurrency: int
    directory: Path
    env: dict[str, str]
    deadline: float
    """time.monotonic() after which a run is killed."""

    def remaining(self) -> float:
        """Seconds left until the deadline, at least one."""
        return max(1.0, self.deadline - time.monotonic())


@dataclass
class Measurement:
    """One run of one tool over M devices."""

    tool: str
    devices: int
    repeat: int
    wall_seconds: float
    cpu_seconds: float
    """The tool's CPU time for the poll; see the module docstring."""
    max_rss_bytes: int
    varbinds: int
    """Varbinds inside the subtrees, summed over the devices."""
    expected_varbinds: int
    simulator_cpu_seconds: float = 0.0
    process_cpu_seconds: float | None = None
    """Pantau: the whole child, with interpreter start and imports."""
    wire_varbinds: int | None = None
    """Pantau: every varbind in every response, also those past the end of a column."""
    requests: int | None = None
    retries: int | None = None
    first_round: dict[str, float] | None = None
    """Pantau with --pantau-rounds above 1: wall and CPU time of the first poll."""
    module: str | None = None
    """Pantau: the file of probes.snmp that the child imported."""
    mismatched_devices: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def measure(
    run: Callable[[Settings, int], Measurement],
    settings: Settings,
    repeat: int,
    pool: SimulatorPool,
) -> Measurement:
    """Run one tool and add snmpsim's CPU time during the run."""
    before = pool.cpu_seconds()
    measurement = run(settings, repeat)
    measurement.simulator_cpu_seconds = pool.cpu_seconds() - before
    if not pool.alive():
        measurement.problems.append("an snmpsim process exited during the run")
    return measurement


def _wait_with_rusage(process: subprocess.Popen[Any], timeout: float) -> tuple[int, float]:
    """Reap ``process`` with wait4; return its exit code and CPU time (user + system).

    After ``timeout`` seconds its process group gets SIGKILL, and the exit code is -9.
    An exception while waiting (Ctrl-C, SIGTERM) kills the process group too.
    """
    killer = threading.Timer(timeout, _kill_group, (process.pid,))
    killer.start()
    try:
        _pid, status, usage = os.wait4(process.pid, 0)
    except BaseException:
        _kill_group(process.pid)
        os.waitpid(process.pid, 0)
        raise
    finally:
        killer.cancel()
    exit_code = os.waitstatus_to_exitcode(status)
    process.returncode = exit_code  # reaped by wait4: keep Popen from waiting again
    return exit_code, usage.ru_utime + usage.ru_stime


def map_in_threads(
    function: Callable[[Item], Outcome], items: Sequence[Item], workers: int
) -> list[Outcome]:
    """Call ``function`` on every item from ``workers`` threads; return the outcomes in order.

    On an exception in the calling thread (Ctrl-C, SIGTERM), the calls not
    yet started are cancelled, so that only the running ones delay the exit.
    """
    executor = concurrent.futures.ThreadPoolExecutor(workers)
    try:
        outcomes = list(executor.map(function, items))
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return outcomes


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


# --- Pantau ---------------------------------------------------------------------


def pantau_command(settings: Settings, rounds: int, result: Path) -> list[str]:
    """Build the command line of the Pantau child."""
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "child",
        "--ports",
        ",".join(str(port) for port in settings.ports),
        "--community",
        settings.community,
        "--timeout",
        repr(settings.timeout),
        "--retries",
        str(settings.retries),
        "--concurrency",
        str(settings.concurrency),
        "--rounds",
        str(rounds),
        "--result",
        str(result),
    ]


def run_pantau(
    settings: Settings, expected: int, repeat: int, rounds: int, profile: Path | None = None
) -> Measurement:
    """Run the Pantau child once; with ``profile``, under py-spy writing raw stacks there."""
    result_file = settings.directory / "pantau.json"
    argv = pantau_command(settings, rounds, result_file)
    if profile is not None:
        # --gil keeps the samples in which Python runs, not those waiting in epoll.
        argv = ["py-spy", "record", "--gil", "--format", "raw", "--rate", "250"]
        argv += ["-o", str(profile), "--"]
        argv += pantau_command(settings, rounds, result_file)
    stderr_path = settings.directory / "pantau.stderr"
    started = time.monotonic()
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            argv,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            env=settings.env,
            cwd=settings.directory,
            start_new_session=True,
        )
        exit_code, cpu = _wait_with_rusage(process, settings.remaining())
    wall = time.monotonic() - started

    devices = len(settings.ports)
    measurement = Measurement(
        tool=PANTAU,
        devices=devices,
        repeat=repeat,
        wall_seconds=wall,
        cpu_seconds=cpu,
        max_rss_bytes=0,
        varbinds=0,
        expected_varbinds=expected * devices,
        process_cpu_seconds=cpu,
    )
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

    last = result["rounds"][-1]
    measurement.wall_seconds = last["wall_seconds"]
    measurement.cpu_seconds = last["cpu_seconds"]
    measurement.max_rss_bytes = result["peak_rss_bytes"]
    measurement.varbinds = last["useful_varbinds"]
    measurement.wire_varbinds = last["wire_varbinds"]
    measurement.requests = last["requests"]
    measurement.retries = last["retries"]
    measurement.module = result["module"]
    if len(result["rounds"]) > 1:
        first = result["rounds"][0]
        measurement.first_round = {
            "wall_seconds": first["wall_seconds"],
            "cpu_seconds": first["cpu_seconds"],
        }
    for round_result in result["rounds"]:
        measurement.problems.extend(round_result["problems"])
        for port, count in round_result["useful_by_port"].items():
            if count != expected:
                measurement.mismatched_devices.append(f"port {port}: {count}")
    return measurement


async def _poll_round(
    requests: Sequence[Any], concurrency: int, useful: dict[str, int]
) -> dict[str, Any]:
    from probes import snmp

    useful.clear()
    client = snmp.SnmpClient(max_in_flight=concurrency)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    try:
        results = await client.poll_many(requests)
    finally:
        client.close()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF)

    reasons = Counter(result.reason for result in results)
    problems = [f"{count} devices: {reason}" for reason, count in reasons.items() if reason != "ok"]
    if client.unmatched_responses:
        problems.append(f"{client.unmatched_responses} unmatched responses")
    by_port = {str(r.port): useful.get(r.target, 0) for r in requests}
    return {
        "wall_seconds": wall,
        "cpu_seconds": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "useful_varbinds": sum(by_port.values()),
        "useful_by_port": by_port,
        "wire_varbinds": sum(r.detail.varbinds for r in results if r.detail is not None),
        "requests": sum(r.detail.requests for r in results if r.detail is not None),
        "retries": sum(r.detail.retries for r in results if r.detail is not None),
        "problems": problems,
    }


def _count_useful_varbinds(useful: dict[str, int]) -> None:
    """Record, per target, the scalars and table rows that each poll stored.

    SnmpPoll.varbinds counts every varbind of every response, also the ones
    past the end of a column. The benchmark compares the stored ones, which
    ``probes.snmp._Poll`` keeps until the result is built.
    """
    from probes import snmp

    original = snmp._Poll.run

    async def run(self: Any) -> Any:
        error = await original(self)
        stored = len(self.scalars)
        stored += sum(len(rows) for table in self.tables.values() for rows in table.values())
        useful[self.request.target] = stored
        return error

    snmp._Poll.run = run  # type: ignore[method-assign]


def child_main(args: argparse.Namespace) -> int:
    """Poll the devices ``args.rounds`` times with one SnmpClient and write the counts as JSON."""
    from probes import snmp

    ports = [int(port) for port in args.ports.split(",")]
    useful: dict[str, int] = {}
    _count_useful_varbinds(useful)
    requests = [
        snmp.SnmpRequest(
            target=f"sim-{port}",
            address=AGENT_ADDRESS,
            port=port,
            community=args.community,
            timeout=args.timeout,
            retries=args.retries,
            max_repetitions=25,
            profiles=PANTAU_PROFILES,
        )
        for port in ports
    ]

    async def poll_all() -> list[dict[str, Any]]:
        return [await _poll_round(requests, args.concurrency, useful) for _ in range(args.rounds)]

    rounds = asyncio.run(poll_all())
    result = {"rounds": rounds, "peak_rss_bytes": process_peak_rss("self"), "module": snmp.__file__}
    Path(args.result).write_text(json.dumps(result))
    return 0


# --- snmpbulkwalk ---------------------------------------------------------------


def snmpbulkwalk_command(settings: Settings, port: int, subtree: tuple[int, ...]) -> list[str]:
    """Build the snmpbulkwalk command line for one subtree of one device."""
    return [
        "snmpbulkwalk",
        "-v2c",
        "-Cr25",
        "-c",
        settings.community,
        "-On",
        "-t",
        f"{settings.timeout:g}",
        "-r",
        str(settings.retries),
        f"udp:{AGENT_ADDRESS}:{port}",
        dotted(subtree),
    ]


def _walk_device(settings: Settings, port: int, scratch: Path) -> tuple[int, float, list[str]]:
    """Walk every subtree of one device; return the varbinds, the CPU time and problems."""
    varbinds = 0
    cpu = 0.0
    problems = []
    output_path = scratch / f"walk-{port}.out"
    for name, subtree in SUBTREES.items():
        with output_path.open("w+b") as output:
            process = subprocess.Popen(
                snmpbulkwalk_command(settings, port, subtree),
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            exit_code, used = _wait_with_rusage(process, settings.remaining())
            cpu += used
            output.seek(0)
            lines = output.read().decode("latin-1").splitlines()
        # An exception (noSuchObject, endOfMibView) is printed in the place of
        # a value, so it is a line that starts with an OID too.
        found = sum(VARBIND_LINE.match(line) is not None for line in lines)
        varbinds += found
        if exit_code != 0 or found != len(lines):
            other = [line for line in lines if VARBIND_LINE.match(line) is None][:2]
            problems.append(f"port {port} {name}: exit code {exit_code} {' | '.join(other)}")
    output_path.unlink(missing_ok=True)
    return varbinds, cpu, problems


def snmpbulkwalk_peak_rss(settings: Settings) -> int:
    """Return the peak RSS of one snmpbulkwalk of ifXTable, the largest subtree, from GNU time.

    ``ru_maxrss`` of a process started from this Python would include this
    process's memory, which Linux counts in the maximum of a child until exec.
    """
    rss_file = settings.directory / "snmpbulkwalk.rss"
    argv = [TIME_COMMAND, "--format=%M", f"--output={rss_file}"]
    argv += snmpbulkwalk_command(settings, settings.ports[0], SUBTREES["ifXTable"])
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    try:
        return int(rss_file.read_text().strip().splitlines()[-1]) * 1024
    except (OSError, IndexError, ValueError):
        return 0


def run_snmpbulkwalk(settings: Settings, expected: int, repeat: int) -> Measurement:
    """Walk every device with snmpbulkwalk, ``settings.concurrency`` devices at once."""
    scratch = settings.directory / "snmpbulkwalk"
    scratch.mkdir(exist_ok=True)
    devices = len(settings.ports)
    measurement = Measurement(
        tool=SNMPBULKWALK,
        devices=devices,
        repeat=repeat,
        wall_seconds=0.0,
        cpu_seconds=0.0,
        max_rss_bytes=0,
        varbinds=0,
        expected_varbinds=expected * devices,
    )
    started = time.monotonic()
    outcomes = map_in_threads(
        lambda port: _walk_device(settings, port, scratch), settings.ports, settings.concurrency
    )
    measurement.wall_seconds = time.monotonic() - started

    for port, (varbinds, cpu, problems) in zip(settings.ports, outcomes, strict=True):
        measurement.varbinds += varbinds
        measurement.cpu_seconds += cpu
        measurement.problems.extend(problems)
        if varbinds != expected:
            measurement.mismatched_devices.append(f"port {port}: {varbinds}")
    measurement.process_cpu_seconds = measurement.cpu_seconds
    measurement.max_rss_bytes = snmpbulkwalk_peak_rss(settings)
    measurement.requests = None
    return measurement


# --- snmp_exporter --------------------------------------------------------------

# Index of each table, as the stock snmp.yml modules label it.
EXPORTER_INDEXES = {
    "ifTable": "ifIndex",
    "ifXTable": "ifIndex",
    "hrStorage": "hrStorageIndex",
    "hrProcessor": "hrDeviceIndex",
}
# Labels looked up by index, as in the stock if_mib and hrStorage modules.
EXPORTER_LOOKUPS = {
    "ifIndex": ("ifAlias", "ifDescr", "ifName"),
    "hrStorageIndex": ("hrStorageDescr",),
}


def dotted(oid: Sequence[int]) -> str:
    """Format an OID as numbers separated by dots, without a leading dot."""
    return ".".join(str(part) for part in oid)


def _object_names() -> dict[tuple[int, ...], str]:
    names = {oid[:-1]: name for name, oid in snmp_profiles.SYSTEM_SCALARS.items()}
    names[snmp_profiles.HR_SYSTEM_UPTIME[:-1]] = "hrSystemUptime"
    for columns in (
        snmp_profiles.IF_COLUMNS,
        snmp_profiles.HR_STORAGE_COLUMNS,
        snmp_profiles.HR_PROCESSOR_COLUMNS,
    ):
        names.update({oid: name for name, oid in columns.items()})
    return names


def exporter_config(recording: Recording, settings: Settings) -> str:
    """Build the text of the snmp.yml of snmp_exporter 0.21 for the recording's objects.

    snmp_exporter 0.21 (Debian 12) takes modules at the top level of the
    file, each with its own ``auth``. Later versions moved them under
    ``modules:`` and the credentials under ``auths:``. The module walks the
    subtrees that contain tables and GETs the one scalar of hrSystemUptime,
    and exports every object as a metric, strings as labels.
    """
    names = _object_names()
    objects: dict[tuple[int, ...], tuple[str, str | None]] = {}
    for record in recording.records:
        table = next(name for name, root in SUBTREES.items() if record.oid[: len(root)] == root)
        index_label = EXPORTER_INDEXES.get(table)
        column = record.oid[:-1]
        objects.setdefault(column, (record.tag, index_label))

    by_name = {name: oid for oid, name in names.items()}
    lines = [
        f"{EXPORTER_MODULE}:",
        "  walk:",
        *(f"  - {dotted(root)}" for name, root in SUBTREES.items() if name != "hrSystemUptime"),
        "  get:",
        f"  - {dotted(snmp_profiles.HR_SYSTEM_UPTIME)}",
        "  metrics:",
    ]
    for column, (tag, index_label) in objects.items():
        name = names[column]
        kind = EXPORTER_TYPES.get(tag, "DisplayString")
        lines += [
            f"  - name: {name}",
            f"    oid: {dotted(column)}",
            f"    type: {kind}",
            f"    help: {name} ({dotted(column)})",
        ]
        if index_label is None:
            continue
        lines += ["    indexes:", f"    - labelname: {index_label}", "      type: gauge"]
        lookups = [label for label in EXPORTER_LOOKUPS.get(index_label, ()) if label != name]
        if lookups:
            lines.append("    lookups:")
        for label in lookups:
            lines += [
                f"    - labels: [{index_label}]",
                f"      labelname: {label}",
                f"      oid: {dotted(by_name[label])}",
                "      type: DisplayString",
            ]
    lines += [
        "  version: 2",
        "  max_repetitions: 25",
        f"  retries: {settings.retries}",
        f"  timeout: {settings.timeout:g}s",
        "  auth:",
        f"    community: {settings.community}",
    ]
    return "\n".join(lines) + "\n"


def exporter_command(config: Path) -> list[str]:
    """Build the snmp_exporter command line."""
    return [
        EXPORTER_COMMAND,
        f"--config.file={config}",
        f"--web.listen-address={AGENT_ADDRESS}:{EXPORTER_PORT}",
        "--log.level=warn",
    ]


def _wait_for_http(process: subprocess.Popen[bytes], url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"snmp_exporter exited with status {process.returncode} at start")
        try:
            with urllib.request.urlopen(url, timeout=1.0) as response:
                response.read()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    raise SystemExit(f"snmp_exporter did not respond to {url} within {timeout:g} s")


@dataclass(frozen=True)
class Scrape:
    """Counts from one scrape of one device."""

    pdus: int
    samples: int
    packets: int
    """SNMP requests sent, retries included (snmp_scrape_packets_sent)."""
    problem: str | None


def scrape(url: str, timeout: float) -> Scrape:
    """Scrape one device through snmp_exporter; count its PDUs and its object samples.

    Samples of the exporter's own ``snmp_scrape_*`` metrics are not counted.
    """
    request = urllib.request.Request(
        url, headers={"X-Prometheus-Scrape-Timeout-Seconds": f"{timeout:g}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout + 5) as response:
            text = response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return Scrape(0, 0, 0, f"{url}: {error}")
    pdus = 0
    samples = 0
    packets = 0
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("snmp_scrape_pdus_returned "):
            pdus = int(float(line.split()[1]))
        elif line.startswith("snmp_scrape_packets_sent "):
            packets = int(float(line.split()[1]))
        elif not line.startswith("snmp_scrape_"):
            samples += 1
    problem = None if "snmp_error" not in text else f"{url}: snmp_error in the scrape"
    return Scrape(pdus, samples, packets, problem)


def run_exporter(settings: Settings, config: Path, expected: int, repeat: int) -> Measurement:
    """Start snmp_exporter, scrape every device once, and measure the exporter process."""
    devices = len(settings.ports)
    measurement = Measurement(
        tool=SNMP_EXPORTER,
        devices=devices,
        repeat=repeat,
        wall_seconds=0.0,
        cpu_seconds=0.0,
        max_rss_bytes=0,
        varbinds=0,
        expected_varbinds=expected * devices,
    )
    base = f"http://{AGENT_ADDRESS}:{EXPORTER_PORT}"
    with (settings.directory / "snmp_exporter.log").open("ab") as log:
        process = subprocess.Popen(
            exporter_command(config), stdout=log, stderr=log, stdin=subprocess.DEVNULL
        )
    try:
        _wait_for_http(process, f"{base}/metrics", EXPORTER_START_TIMEOUT)
        cpu_before = process_cpu_seconds(process.pid)
        # Each request of a scrape may take the whole timeout, every attempt.
        per_scrape = settings.timeout * (settings.retries + 1) * EXPORTER_MAX_REQUESTS
        scrape_timeout = min(settings.remaining(), per_scrape)
        urls = [
            f"{base}/snmp?module={EXPORTER_MODULE}&target={AGENT_ADDRESS}:{port}"
            for port in settings.ports
        ]
        started = time.monotonic()
        scrapes = map_in_threads(
            lambda url: scrape(url, scrape_timeout), urls, settings.concurrency
        )
        measurement.wall_seconds = time.monotonic() - started
        measurement.cpu_seconds = process_cpu_seconds(process.pid) - cpu_before
        measurement.process_cpu_seconds = process_cpu_seconds(process.pid)
        measurement.max_rss_bytes = process_peak_rss(process.pid)
    finally:
        stop_process(process)

    measurement.requests = 0
    for port, result in zip(settings.ports, scrapes, strict=True):
        measurement.varbinds += result.pdus
        measurement.requests += result.packets
        if result.problem:
            measurement.problems.append(result.problem)
        if result.pdus != expected or result.samples != expected:
            measurement.mismatched_devices.append(
                f"port {port}: {result.pdus} PDUs, {result.samples} samples"
            )
    return measurement


# --- summary ---------------------------------------------------------------------


@dataclass
class Summary:
    """Medians of the runs of one tool at one size."""

    devices: int
    tool: str
    runs: int
    wall_seconds: float
    devices_per_second: float
    cpu_seconds: float
    cpu_seconds_per_1000_varbinds: float
    max_rss_bytes: float
    varbinds_per_device: float
    simulator_cpu_seconds: float
    simulator_busy: float
    """snmpsim CPU time over wall time x snmpsim processes: near 1, snmpsim set the pace."""
    process_cpu_seconds: float | None = None
    wire_varbinds_per_device: float | None = None
    requests_per_device: float | None = None
    first_round_cpu_seconds: float | None = None
    failed_runs: int = 0


def summarise(measurements: Sequence[Measurement], simulators: int) -> list[Summary]:
    """Reduce the runs of each (size, tool) to medians."""
    groups: dict[tuple[int, str], list[Measurement]] = {}
    for m in measurements:
        groups.setdefault((m.devices, m.tool), []).append(m)

    rows = []
    for (devices, tool), runs in groups.items():
        wall = statistics.median(m.wall_seconds for m in runs)
        cpu = statistics.median(m.cpu_seconds for m in runs)
        rows.append(
            Summary(
                devices=devices,
                tool=tool,
                runs=len(runs),
                wall_seconds=wall,
                devices_per_second=statistics.median(devices / m.wall_seconds for m in runs),
                cpu_seconds=cpu,
                cpu_seconds_per_1000_varbinds=statistics.median(
                    m.cpu_seconds / m.expected_varbinds * 1000 for m in runs
                ),
                max_rss_bytes=statistics.median(m.max_rss_bytes for m in runs),
                varbinds_per_device=statistics.median(m.varbinds / devices for m in runs),
                simulator_cpu_seconds=statistics.median(m.simulator_cpu_seconds for m in runs),
                simulator_busy=statistics.median(
                    m.simulator_cpu_seconds / (m.wall_seconds * simulators) for m in runs
                ),
                process_cpu_seconds=_median_or_none(m.process_cpu_seconds for m in runs),
                wire_varbinds_per_device=_median_or_none(
                    None if m.wire_varbinds is None else m.wire_varbinds / devices for m in runs
                ),
                requests_per_device=_median_or_none(
                    None if m.requests is None else m.requests / devices for m in runs
                ),
                first_round_cpu_seconds=_median_or_none(
                    None if m.first_round is None else m.first_round["cpu_seconds"] for m in runs
                ),
                failed_runs=sum(bool(m.problems or m.mismatched_devices) for m in runs),
            )
        )
    rows.sort(key=lambda r: (r.devices, TOOLS.index(r.tool)))
    return rows


def _median_or_none(values: Iterator[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "-"


def print_summary(rows: Sequence[Summary], simulators: int) -> None:
    """Print the medians per (size, tool) and Pantau's ratios to the other tools."""
    print(
        f"{'M':>5} {'tool':<13} {'runs':>4} {'wall s':>8} {'dev/s':>7} {'cpu s':>8} "
        f"{'cpu s/1k vb':>11} {'rss MiB':>8} {'vb/dev':>7} {'sim cpu s':>9} {'sim busy':>8} "
        f"{'proc cpu s':>10} {'wire vb/dev':>11} {'req/dev':>7}"
    )
    for r in rows:
        print(
            f"{r.devices:>5} {r.tool:<13} {r.runs:>4} {r.wall_seconds:8.2f} "
            f"{r.devices_per_second:7.1f} {r.cpu_seconds:8.3f} "
            f"{r.cpu_seconds_per_1000_varbinds:11.4f} {r.max_rss_bytes / 2**20:8.1f} "
            f"{r.varbinds_per_device:7.0f} {r.simulator_cpu_seconds:9.2f} "
            f"{r.simulator_busy:8.0%} {_optional(r.process_cpu_seconds, '.3f'):>10} "
            f"{_optional(r.wire_varbinds_per_device, '.0f'):>11} "
            f"{_optional(r.requests_per_device, '.1f'):>7}"
        )
    print(
        "Medians of the runs. cpu s is the tool's own CPU time for the poll: the poll inside\n"
        "the Pantau child, the snmp_exporter process, the snmpbulkwalk processes. proc cpu s\n"
        "is the whole Pantau child with interpreter start and imports. rss is the peak RSS of\n"
        "the Pantau child, of the snmp_exporter process, and of one snmpbulkwalk process.\n"
        f"sim busy is snmpsim's CPU time over wall time x {simulators} snmpsim processes.\n"
        "wire vb/dev counts every varbind Pantau received, also those past a column's end.\n"
        "req/dev is the SNMP requests per device that Pantau and snmp_exporter sent."
    )
    print()
    for devices in sorted({r.devices for r in rows}):
        by_tool = {r.tool: r for r in rows if r.devices == devices}
        pantau = by_tool.get(PANTAU)
        if pantau is None:
            continue
        for other in (SNMP_EXPORTER, SNMPBULKWALK):
            base = by_tool.get(other)
            if base is None:
                continue
            print(
                f"M={devices:<5} pantau/{other:<13} "
                f"CPU per varbind {_ratio(pantau.cpu_seconds, base.cpu_seconds)}  "
                f"devices/s {_ratio(pantau.devices_per_second, base.devices_per_second)}  "
                f"peak RSS {_ratio(pantau.max_rss_bytes, base.max_rss_bytes)}"
            )
    print()


def _optional(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_goals(rows: Sequence[Summary]) -> None:
    """Print each goal, the measured value and whether it is met."""
    print("goals:")
    for r in rows:
        if r.tool != PANTAU:
            continue
        label = f"  pantau M={r.devices:<5}"
        exporter = next(
            (x for x in rows if x.devices == r.devices and x.tool == SNMP_EXPORTER), None
        )
        if exporter is not None and exporter.cpu_seconds:
            ratio = r.cpu_seconds / exporter.cpu_seconds
            print(
                f"{label} CPU per varbind {ratio:.2f}x snmp_exporter's "
                f"(goal <= {GOAL_CPU_RATIO:g}x): {_verdict(ratio <= GOAL_CPU_RATIO)}"
            )
        print(
            f"{label} peak RSS {r.max_rss_bytes / 1e6:.1f} MB (goal < "
            f"{GOAL_MAX_RSS_BYTES / 1e6:.0f} MB): {_verdict(r.max_rss_bytes < GOAL_MAX_RSS_BYTES)}"
        )
        if r.devices != GOAL_DEVICES:
            continue
        print(
            f"{label} wall time {r.wall_seconds:.1f} s for {r.devices} devices (goal <= "
            f"{GOAL_INTERVAL_SECONDS:g} s): {_verdict(r.wall_seconds <= GOAL_INTERVAL_SECONDS)}"
            + (
                f"; snmpsim was {r.simulator_busy:.0%} busy, so it set the pace"
                if r.simulator_busy >= 0.7
                else ""
            )
        )
        print(
            f"{label} Pantau's own CPU time {r.cpu_seconds:.1f} s for {r.devices} devices "
            f"(goal <= {GOAL_INTERVAL_SECONDS:g} s of one core, the daemon's event loop): "
            f"{_verdict(r.cpu_seconds <= GOAL_INTERVAL_SECONDS)}"
        )
    print()


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def report_shortfalls(measurements: Sequence[Measurement]) -> bool:
    """Print every run with a varbind mismatch or a problem; tell whether there was any."""
    bad = [m for m in measurements if m.mismatched_devices or m.problems]
    if not bad:
        print(f"all {len(measurements)} runs: every device returned every varbind, no errors")
        return False
    banner = "!" * 72
    print(banner, file=sys.stderr)
    print("VARBIND MISMATCHES OR ERRORS (every device should return", file=sys.stderr)
    print("exactly the varbinds of the recording):", file=sys.stderr)
    for m in bad:
        print(
            f"  run {m.repeat + 1} {m.tool} M={m.devices}: varbinds {m.varbinds} of "
            f"{m.expected_varbinds}, {len(m.mismatched_devices)} devices differ",
            file=sys.stderr,
        )
        for device in m.mismatched_devices[:5]:
            print(f"      {device}", file=sys.stderr)
        for problem in m.problems[:5]:
            print(f"      {problem}", file=sys.stderr)
    print(banner, file=sys.stderr)
    return True


# --- profile ----------------------------------------------------------------------


def print_profile(
    raw: Path, within: str = "BaseEventLoop.run_until_complete", top: int = 30
) -> None:
    """Print the functions with the most samples in a py-spy raw (collapsed stacks) file.

    Only stacks that pass through a function named ``within`` count. The
    default, the event loop of ``asyncio.run``, leaves out interpreter start
    and imports, because the poll's coroutines never appear on the stack
    themselves. "self" counts the samples in which the function was on top
    of the stack, "total" those in which it was anywhere on it.
    """
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit() or f"{within} (" not in stack:
            continue
        count = int(count_text)
        samples += count
        frames = [_short_frame(frame) for frame in stack.split(";")]
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count
    if not samples:
        print(f"profile {raw}: no samples")
        return
    print(f"profile {raw}: {samples} samples inside {within}, holding the GIL")
    print(f"{'self %':>7} {'total %':>7}  function")
    for frame, count in own.most_common(top):
        print(f"{count / samples:7.1%} {total[frame] / samples:7.1%}  {frame}")
    print()


def _short_frame(frame: str) -> str:
    # py-spy writes "function (path/to/file.py:line)"; keep the function and
    # the file name, without the line, so that one function is one row.
    match = re.fullmatch(r"(?P<function>.*) \((?P<path>[^:]*)(?::\d+)?\)", frame.strip())
    if match is None:
        return frame.strip()
    return f"{match['function']} ({Path(match['path']).name})"


# --- machine and command line ------------------------------------------------------


def machine_description(source: Path) -> dict[str, str]:
    """Describe the machine and the tools the way docs/benchmarks.md records them."""

    def output(argv: list[str]) -> str:
        try:
            completed = subprocess.run(argv, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            return "(not installed)"
        return (completed.stdout + completed.stderr).strip()

    exporter = output([EXPORTER_COMMAND, "--version"]).splitlines()
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "nproc": output(["nproc"]),
        "cpu": icmp_sweep._cpu_model(),
        "free -h": output(["free", "-h"]),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "net-snmp": output(["snmpbulkwalk", "--version"]),
        "snmp_exporter": exporter[0] if exporter else "(not installed)",
        "snmpsim": icmp_sweep._package_version("snmpsim"),
        "snmpsim-data": icmp_sweep._package_version("snmpsim-data"),
        "pysnmp": icmp_sweep._package_version("pysnmp"),
        "pantau source": icmp_sweep.describe_source(source),
    }


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of the benchmark and of its Pantau child."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")

    child = commands.add_parser("child", help="internal: poll the devices with Pantau")
    child.add_argument("--ports", required=True)
    child.add_argument("--community", required=True)
    child.add_argument("--timeout", type=float, required=True)
    child.add_argument("--retries", type=int, required=True)
    child.add_argument("--concurrency", type=int, required=True)
    child.add_argument("--rounds", type=int, required=True)
    child.add_argument("--result", required=True)

    parser.add_argument(
        "--devices",
        type=int,
        nargs="+",
        default=[100, 1000],
        metavar="M",
        help=f"numbers of simulated devices to poll, each at most {MAX_DEVICES}",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each tool per size; the median is reported"
    )
    parser.add_argument(
        "--tools", nargs="+", choices=TOOLS, default=list(TOOLS), help="tools to run"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=32,
        help="devices polled at once by each tool: Pantau's max_in_flight, snmpbulkwalk "
        "processes and snmp_exporter scrapes in parallel (default 32)",
    )
    parser.add_argument(
        "--simulators",
        type=int,
        default=os.cpu_count() or 1,
        help="snmpsim processes that share the devices (default: one per CPU)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds each SNMP request may take, for every tool (default 10)",
    )
    parser.add_argument(
        "--retries", type=int, default=1, help="retries of each SNMP request (default 1)"
    )
    parser.add_argument(
        "--pantau-rounds",
        type=int,
        default=1,
        help="polls of every device in one Pantau child; the last one is measured, so 2 "
        "measures a client whose caches are warm (default 1)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=DEFAULT_MAX_SECONDS,
        help="stop the benchmark, killing the current run, after this many seconds "
        f"(default {DEFAULT_MAX_SECONDS:g})",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="after the measured runs, poll the largest size once more with the Pantau "
        "child under py-spy, write its raw stacks to DIR and print the top functions",
    )
    parser.add_argument("--json-output", metavar="FILE", help="write every run and the summary")
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
    if any(not 1 <= m <= MAX_DEVICES for m in args.devices):
        raise SystemExit(f"invalid --devices {args.devices}: each must be 1 to {MAX_DEVICES}")
    if not 1 <= args.repeat <= MAX_REPEAT:
        raise SystemExit(f"invalid --repeat {args.repeat}: must be 1 to {MAX_REPEAT}")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise SystemExit(
            f"invalid --concurrency {args.concurrency}: must be 1 to {MAX_CONCURRENCY}"
        )
    if not 1 <= args.simulators <= MAX_SIMULATORS:
        raise SystemExit(f"invalid --simulators {args.simulators}: must be 1 to {MAX_SIMULATORS}")
    if not 0 < args.timeout <= MAX_TIMEOUT:
        raise SystemExit(
            f"invalid --timeout {args.timeout}: must be above 0 and at most {MAX_TIMEOUT:g} s"
        )
    if not 0 <= args.retries <= MAX_RETRIES:
        raise SystemExit(f"invalid --retries {args.retries}: must be 0 to {MAX_RETRIES}")

    if not 1 <= args.pantau_rounds <= 3:
        raise SystemExit(f"invalid --pantau-rounds {args.pantau_rounds}: must be 1 to 3")
    if not 0 < args.max_seconds <= 4 * DEFAULT_MAX_SECONDS:
        raise SystemExit(
            f"invalid --max-seconds {args.max_seconds}: must be above 0 and at most "
            f"{4 * DEFAULT_MAX_SECONDS:g}"
        )

    needed = {"snmpbulkwalk": "apt-get install snmp", TIME_COMMAND: "apt-get install time"}
    if SNMP_EXPORTER in args.tools:
        needed[EXPORTER_COMMAND] = "apt-get install prometheus-snmp-exporter"
    if args.profile:
        needed["py-spy"] = "pip install py-spy"
    for command, install in needed.items():
        if shutil.which(command) is None:
            raise SystemExit(f"{command} not found: {install}")

    if not ipaddress.ip_address(AGENT_ADDRESS).is_loopback:
        raise SystemExit(f"not run: {AGENT_ADDRESS} is not a loopback address")


def check_namespace() -> None:
    """Raise SystemExit unless the only network interface is ``lo``."""
    interfaces = sorted(name for _index, name in socket.if_nameindex())
    if interfaces != ["lo"]:
        raise SystemExit(f"not run: this namespace has interfaces {interfaces}, not only lo")


def run_benchmark(args: argparse.Namespace) -> int:
    """Start the agents, run each tool R times per size and print the summary; return the status."""
    started = time.monotonic()
    deadline = started + args.max_seconds
    source = Path(args.source).resolve()
    env = {**os.environ, "PYTHONPATH": str(source)}
    machine = machine_description(source)
    icmp_sweep.print_machine(machine)

    measurements: list[Measurement] = []
    timed_out = False
    with tempfile.TemporaryDirectory(prefix="pantau-snmp-bench-") as temporary:
        directory = Path(temporary)
        recording = build_recording(directory / "data")
        expected = recording.varbinds
        print(
            f"recording: {expected} varbinds per device: "
            + ", ".join(f"{name} {recording.in_subtree(oid)}" for name, oid in SUBTREES.items())
        )
        pool = SimulatorPool(
            directory, recording.path.parent, agent_ports(max(args.devices)), args.simulators
        )
        try:
            pool.start()
            print(f"snmpsim: {args.simulators} processes serving {max(args.devices)} devices")
            print()
            settings_by_size = {
                m: Settings(
                    ports=tuple(agent_ports(m)),
                    community=COMMUNITY,
                    timeout=args.timeout,
                    retries=args.retries,
                    concurrency=args.concurrency,
                    directory=directory,
                    env=env,
                    deadline=deadline,
                )
                for m in args.devices
            }
            config = directory / "snmp.yml"
            config.write_text(exporter_config(recording, settings_by_size[max(args.devices)]))
            runners: dict[str, Callable[[Settings, int], Measurement]] = {
                PANTAU: lambda s, r: run_pantau(s, expected, r, args.pantau_rounds),
                SNMPBULKWALK: lambda s, r: run_snmpbulkwalk(s, expected, r),
                SNMP_EXPORTER: lambda s, r: run_exporter(s, config, expected, r),
            }
            tools = list(args.tools)
            for repeat in range(args.repeat):
                # Rotate the order every repeat, so that no tool always runs first.
                order = tools[repeat % len(tools) :] + tools[: repeat % len(tools)]
                for devices in args.devices:
                    for tool in order:
                        if time.monotonic() >= deadline:
                            timed_out = True
                            break
                        measurement = measure(
                            runners[tool], settings_by_size[devices], repeat, pool
                        )
                        measurements.append(measurement)
                        print_progress(measurement)
            if args.profile and not timed_out:
                profile_pantau(args, settings_by_size[max(args.devices)], expected)
        finally:
            pool.stop()

    print()
    print_commands(args, expected, measurements)
    rows = summarise(measurements, args.simulators)
    print_summary(rows, args.simulators)
    print_goals(rows)
    shortfalls = report_shortfalls(measurements)
    if timed_out:
        print(f"!!! stopped after --max-seconds {args.max_seconds:g}: runs are missing")
    print(f"total time {time.monotonic() - started:.0f} s")
    if args.json_output:
        record = {
            "machine": machine,
            "arguments": vars(args),
            "varbinds_per_device": expected,
            "measurements": [asdict(m) for m in measurements],
            "summary": [asdict(row) for row in rows],
        }
        Path(args.json_output).write_text(json.dumps(record, indent=2, default=str))
    return 1 if shortfalls or timed_out else 0


def profile_pantau(args: argparse.Namespace, settings: Settings, expected: int) -> None:
    """Poll once more with the Pantau child under py-spy and print where its time goes."""
    directory = Path(args.profile)
    directory.mkdir(parents=True, exist_ok=True)
    raw = directory / f"pantau-{len(settings.ports)}.txt"
    measurement = run_pantau(settings, expected, 0, args.pantau_rounds, profile=raw)
    print(
        f"profiled run: wall {measurement.wall_seconds:.2f} s, "
        f"poll CPU {measurement.cpu_seconds:.2f} s"
    )
    print_profile(raw)


def print_progress(m: Measurement) -> None:
    """Print one run as it finishes."""
    print(
        f"run {m.repeat + 1}  {m.tool:<13} M={m.devices:<5} wall {m.wall_seconds:7.2f} s  "
        f"cpu {m.cpu_seconds:7.3f} s  snmpsim cpu {m.simulator_cpu_seconds:7.2f} s  "
        f"rss {m.max_rss_bytes / 2**20:6.1f} MiB  varbinds {m.varbinds}/{m.expected_varbinds}"
        + (f"  MISMATCHED DEVICES: {len(m.mismatched_devices)}" if m.mismatched_devices else "")
        + (f"  PROBLEMS: {len(m.problems)}" if m.problems else ""),
        flush=True,
    )


def print_commands(
    args: argparse.Namespace, expected: int, measurements: Sequence[Measurement]
) -> None:
    """Print how each tool was run, for one device, and which Pantau code ran."""
    settings = Settings(
        ports=(FIRST_AGENT_PORT,),
        community=COMMUNITY,
        timeout=args.timeout,
        retries=args.retries,
        concurrency=args.concurrency,
        directory=Path("$DIR"),
        env={},
        deadline=0.0,
    )
    print("commands (device 1; the others differ in the port):")
    print(f"  pantau         {' '.join(pantau_command(settings, args.pantau_rounds, Path('$R')))}")
    for name, subtree in SUBTREES.items():
        command = " ".join(snmpbulkwalk_command(settings, FIRST_AGENT_PORT, subtree))
        print(f"  snmpbulkwalk   {command}    # {name}")
    print(f"  snmp_exporter  {' '.join(exporter_command(Path('$DIR/snmp.yml')))}")
    print(
        f"                 GET http://{AGENT_ADDRESS}:{EXPORTER_PORT}/snmp?module="
        f"{EXPORTER_MODULE}&target={AGENT_ADDRESS}:{FIRST_AGENT_PORT}"
    )
    print(f"  expected varbinds per device: {expected}")
    modules = sorted({m.module for m in measurements if m.module is not None})
    print(f"  the Pantau child imported probes.snmp from: {', '.join(modules) or '-'}")
    print()


def _exit_on_signal(number: int, _frame: object) -> None:
    raise SystemExit(128 + number)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the benchmark, or the Pantau child."""
    args = build_parser().parse_args(argv)
    if args.command == "child":
        return child_main(args)
    validate(args)
    # SIGTERM then unwinds like Ctrl-C, so that the finally blocks stop snmpsim.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    if not args.no_netns:
        icmp_sweep.enter_empty_network_namespace()
    check_namespace()
    return run_benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
