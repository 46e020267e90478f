"""Measure whether Pantau polls 1,000 SNMP devices within one 60 s interval.

The agents are net-snmp's ``snmpd`` (written in C), so that the agents do
not set the pace as snmpsim does in ``bench/snmp_poll.py``. Layout:

- Network namespace ``pantau-snmpcap-PID`` has ``lo`` and one end of each
  of 24 veth pairs. The other ends sit in a second namespace
  ``pantau-snmpcap-PID-peer``. So the agents' ifTable has 25 rows (24
  ports and ``lo``). Neither namespace has an address other than
  127.0.0.1 and ::1, or a route other than loopback.
- Several ``snmpd -f`` processes run in the first namespace, each
  listening on up to 125 UDP ports on 127.0.0.1. net-snmp 5.9.3 opened
  only the first 128 of 1,000 ports that one ``snmpd`` was given.
  Device i is port 20000 + i, so each port is one "device".
- A Python child in the same namespace calls
  ``probes.snmp.SnmpClient.poll_many`` with profiles system, interfaces and
  host-resources. Wall and CPU time (getrusage) are those of ``poll_many``
  alone. The child also reports its peak RSS (``VmHWM``), the varbinds
  and requests of every device, and the polls that failed.
- The CPU time of the ``snmpd`` processes is utime + stime from
  ``/proc/PID/stat`` before and after the child.

Network safety: every request goes to 127.0.0.1 inside a namespace that
this script creates and deletes, and the veth pairs have no addresses.
Nothing can leave the machine. Both namespaces and every ``snmpd`` are
removed on exit, also after an error, SIGINT, SIGTERM or the overall
timeout.

Example (as root, from the repository root)::

    python3 bench/snmp_capacity.py --devices 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]

AGENT_ADDRESS = "127.0.0.1"
FIRST_PORT = 20000
COMMUNITY = "pantau-bench"
PROFILES = ("system", "interfaces", "host-resources")
VETH_PAIRS = 24
# net-snmp 5.9.3 opened only 128 of the UDP ports given to one snmpd.
PORTS_PER_AGENT = 125
SNMPD = "/usr/sbin/snmpd"

# Bounds that keep one invocation short on a shared machine.
MAX_DEVICES = 2_000
MAX_REPEAT = 10
MAX_CONCURRENCY = 256
DEFAULT_MAX_SECONDS = 900.0
AGENT_START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0

GOAL_DEVICES = 1_000
GOAL_INTERVAL_SECONDS = 60.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchmarkTimeout(Exception):
    """The overall ``--max-seconds`` ran out."""


@dataclass(frozen=True)
class PollFigures:
    """Measurements of one ``poll_many`` call in the child process."""

    devices: int
    wall_seconds: float
    cpu_seconds: float
    varbinds: int
    varbinds_min: int
    varbinds_max: int
    interfaces_min: int
    interfaces_max: int
    requests: int
    retries: int
    failed: int
    failure_reasons: dict[str, int]
    peak_rss_bytes: int


@dataclass(frozen=True)
class Run:
    """One run: the child's figures and the agents' CPU time during it."""

    poll: PollFigures
    agent_cpu_seconds: float


# --- the child: runs inside the namespace ----------------------------------------------------


async def poll_devices(
    devices: int, first_port: int, concurrency: int, timeout: float, retries: int
) -> PollFigures:
    """Poll ``devices`` agents on consecutive ports and time ``poll_many`` alone."""
    sys.path.insert(0, str(REPOSITORY_ROOT))
    from probes.snmp import SnmpClient, SnmpRequest

    requests = [
        SnmpRequest(
            target=f"device-{index}",
            address=AGENT_ADDRESS,
            port=first_port + index,
            version="2c",
            community=COMMUNITY,
            profiles=PROFILES,
            timeout=timeout,
            retries=retries,
        )
        for index in range(devices)
    ]
    client = SnmpClient(max_in_flight=concurrency)
    try:
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        wall_before = time.perf_counter()
        results = await client.poll_many(requests)
        wall = time.perf_counter() - wall_before
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        client.close()

    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    varbinds = [result.detail.varbinds for result in results]
    interfaces = [len(result.detail.interfaces) for result in results]
    reasons: dict[str, int] = {}
    for result in results:
        if not result.success or result.reason != "ok":
            reasons[result.reason] = reasons.get(result.reason, 0) + 1
    return PollFigures(
        devices=devices,
        wall_seconds=wall,
        cpu_seconds=cpu,
        varbinds=sum(varbinds),
        varbinds_min=min(varbinds),
        varbinds_max=max(varbinds),
        interfaces_min=min(interfaces),
        interfaces_max=max(interfaces),
        requests=sum(result.detail.requests for result in results),
        retries=sum(result.detail.retries for result in results),
        failed=sum(reasons.values()),
        failure_reasons=reasons,
        peak_rss_bytes=read_status_kib(Path("/proc/self/status"), "VmHWM") * 1024,
    )


def read_status_kib(status: Path, key: str) -> int:
    """Return a ``kB`` field of a ``/proc/PID/status`` file, in KiB."""
    for line in status.read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise ValueError(f"{key} not found in {status}")


def child_main(args: argparse.Namespace) -> int:
    """Run one poll and write its figures as JSON to ``--output``."""
    figures = asyncio.run(
        poll_devices(args.devices, args.first_port, args.concurrency, args.timeout, args.retries)
    )
    Path(args.output).write_text(json.dumps(asdict(figures)))
    return 0


# --- the parent: namespaces, agents, runs ----------------------------------------------------


class Lab:
    """Two network namespaces joined by veth pairs, and the snmpd processes in the first."""

    def __init__(self, directory: Path, devices: int) -> None:
        self.directory = directory
        self.devices = devices
        self.namespace = f"pantau-snmpcap-{os.getpid()}"
        self.peer_namespace = f"{self.namespace}-peer"
        self.agents: list[subprocess.Popen[bytes]] = []
        self._created: list[str] = []

    def build(self) -> None:
        """Create the namespaces and veth pairs, and start the agents."""
        for namespace in (self.namespace, self.peer_namespace):
            run(["ip", "netns", "add", namespace])
            self._created.append(namespace)
            run(["ip", "-n", namespace, "link", "set", "lo", "up"])
        for index in range(VETH_PAIRS):
            port, peer = f"port{index + 1}", f"peer{index + 1}"
            link = ["ip", "-n", self.namespace, "link", "add", port, "type", "veth"]
            run([*link, "peer", "name", peer, "netns", self.peer_namespace])
            run(["ip", "-n", self.namespace, "link", "set", port, "up"])
            run(["ip", "-n", self.peer_namespace, "link", "set", peer, "up"])
        self._check_routes()

        for first in range(0, self.devices, PORTS_PER_AGENT):
            ports = range(
                FIRST_PORT + first, FIRST_PORT + min(first + PORTS_PER_AGENT, self.devices)
            )
            self.agents.append(self._start_agent(len(self.agents), ports))
        self._wait_for_ports()

    def _check_routes(self) -> None:
        # The main routing table must be empty, so that no request can leave
        # the namespace. The local table contains only the loopback routes.
        for namespace in (self.namespace, self.peer_namespace):
            main_table = output(["ip", "-n", namespace, "route", "show", "table", "main"])
            if main_table.strip():
                raise SystemExit(f"not run: namespace {namespace} has routes: {main_table}")

    def _start_agent(self, number: int, ports: range) -> subprocess.Popen[bytes]:
        config = self.directory / f"snmpd-{number}.conf"
        addresses = [f"udp:{AGENT_ADDRESS}:{port}" for port in ports]
        config.write_text(
            f"agentAddress {','.join(addresses)}\n"
            f"rocommunity {COMMUNITY} {AGENT_ADDRESS}\n"
            "sysLocation Pantau capacity benchmark\n"
            "sysContact root@localhost\n"
        )
        # -C reads only this file. The agent needs no MIB files, so MIBS is empty.
        argv = ["ip", "netns", "exec", self.namespace, SNMPD, "-f", "-C", "-c", str(config)]
        argv += ["-Lf", str(self.directory / f"snmpd-{number}.log")]
        env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin"), "MIBS": ""}
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, env=env, start_new_session=True)

    def _wait_for_ports(self) -> None:
        deadline = time.monotonic() + AGENT_START_TIMEOUT
        while True:
            listening = output(["ip", "netns", "exec", self.namespace, "ss", "-Hnlu"])
            count = sum(1 for line in listening.splitlines() if line.strip())
            if count >= self.devices:
                return
            stopped = [agent.pid for agent in self.agents if agent.poll() is not None]
            if stopped or time.monotonic() > deadline:
                raise SystemExit(
                    f"snmpd listens on {count} of {self.devices} ports after "
                    f"{AGENT_START_TIMEOUT:.0f} s (stopped agents: {stopped}); "
                    f"see the logs in {self.directory}"
                )
            time.sleep(0.2)

    def agent_cpu_seconds(self) -> float:
        """Return the user + system CPU time of all agents so far, in seconds."""
        total = 0
        for agent in self.agents:
            fields = Path(f"/proc/{agent.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15
        return total / CLOCK_TICKS

    def close(self) -> None:
        """Stop the agents and delete the namespaces. A second call does nothing."""
        for agent in self.agents:
            if agent.poll() is None:
                agent.terminate()
        for agent in self.agents:
            try:
                agent.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                agent.kill()
                agent.wait()
        self.agents.clear()
        while self._created:
            namespace = self._created.pop()
            subprocess.run(["ip", "netns", "del", namespace], check=False)


def run(argv: Sequence[str]) -> None:
    """Run a setup command and raise CalledProcessError when it fails."""
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL)


def output(argv: Sequence[str]) -> str:
    """Run a command and return its standard output."""
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def run_once(lab: Lab, args: argparse.Namespace, number: int, remaining: float) -> Run:
    """Run one child poll inside the lab's namespace and return its figures."""
    result_file = lab.directory / f"run-{number}.json"
    argv = ["ip", "netns", "exec", lab.namespace, sys.executable, str(Path(__file__).resolve())]
    argv += ["--child", "--output", str(result_file), "--devices", str(args.devices)]
    argv += ["--first-port", str(FIRST_PORT), "--concurrency", str(args.concurrency)]
    argv += ["--timeout", str(args.timeout), "--retries", str(args.retries)]

    agent_before = lab.agent_cpu_seconds()
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, timeout=remaining)
    agent_after = lab.agent_cpu_seconds()
    poll = PollFigures(**json.loads(result_file.read_text()))
    return Run(poll=poll, agent_cpu_seconds=agent_after - agent_before)


def run_benchmark(args: argparse.Namespace) -> int:
    """Build the lab, run the polls, print the figures and the median."""
    deadline = time.monotonic() + args.max_seconds
    print(f"date: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    print(
        f"machine: nproc {os.cpu_count()}, kernel {platform.release()}, Python "
        f"{platform.python_version()}, {output([SNMPD, '-v']).split()[2]} snmpd"
    )
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="pantau-snmpcap-") as directory:
        lab = Lab(Path(directory), args.devices)
        try:
            lab.build()
            print(
                f"agents: {len(lab.agents)} snmpd, {args.devices} ports, "
                f"{VETH_PAIRS} veth ports + lo in namespace {lab.namespace}"
            )
            for number in range(args.repeat):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BenchmarkTimeout
                runs.append(run_once(lab, args, number, remaining))
                print_run(number + 1, runs[-1])
        finally:
            lab.close()
    return print_summary(runs, args)


def print_run(number: int, item: Run) -> None:
    """Print one run's figures on one line."""
    poll = item.poll
    print(
        f"run {number}: wall {poll.wall_seconds:.2f} s, pantau CPU {poll.cpu_seconds:.2f} s, "
        f"snmpd CPU {item.agent_cpu_seconds:.2f} s, varbinds/device "
        f"{poll.varbinds / poll.devices:.1f} ({poll.varbinds_min}..{poll.varbinds_max}), "
        f"interfaces/device {poll.interfaces_min}..{poll.interfaces_max}, "
        f"requests/device {poll.requests / poll.devices:.1f}, retries {poll.retries}, "
        f"failed {poll.failed}{poll.failure_reasons or ''}, "
        f"peak RSS {poll.peak_rss_bytes / 2**20:.1f} MiB"
    )


def print_summary(runs: list[Run], args: argparse.Namespace) -> int:
    """Print the median of the runs and the verdict; return the exit status."""
    wall = statistics.median(item.poll.wall_seconds for item in runs)
    failed = sum(item.poll.failed for item in runs)
    print(
        f"median of {len(runs)}: wall {wall:.2f} s, "
        f"pantau CPU {statistics.median(item.poll.cpu_seconds for item in runs):.2f} s, "
        f"snmpd CPU {statistics.median(item.agent_cpu_seconds for item in runs):.2f} s, "
        f"peak RSS {statistics.median(item.poll.peak_rss_bytes for item in runs) / 2**20:.1f} MiB"
    )
    within = wall <= GOAL_INTERVAL_SECONDS and failed == 0
    print(
        f"goal: {args.devices} devices within {GOAL_INTERVAL_SECONDS:.0f} s, no failed poll: "
        + ("met" if within else "not met")
    )
    if failed:
        print(f"failed polls over all runs: {failed}")
        return 1
    return 0


# --- command line ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Build the command-line parser."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=GOAL_DEVICES, help="devices (ports) to poll")
    parser.add_argument("--repeat", type=int, default=3, help="polls of all devices")
    parser.add_argument("--concurrency", type=int, default=32, help="SnmpClient max_in_flight")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per attempt")
    parser.add_argument("--retries", type=int, default=1, help="retries per request")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=DEFAULT_MAX_SECONDS,
        help="overall time limit in seconds; everything is stopped and removed after it",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--first-port", type=int, default=FIRST_PORT, help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    return parser


def validate(args: argparse.Namespace) -> None:
    """Reject values outside the benchmark's bounds."""
    if not 1 <= args.devices <= MAX_DEVICES:
        raise SystemExit(f"--devices must be between 1 and {MAX_DEVICES}, not {args.devices}")
    if not 1 <= args.repeat <= MAX_REPEAT:
        raise SystemExit(f"--repeat must be between 1 and {MAX_REPEAT}, not {args.repeat}")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise SystemExit(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
    if not 0 < args.timeout <= 30 or not 0 <= args.retries <= 3:
        raise SystemExit("--timeout must be in (0, 30] seconds and --retries in 0..3")
    if not 0 < args.max_seconds <= 3 * DEFAULT_MAX_SECONDS:
        raise SystemExit(f"--max-seconds must be in (0, {3 * DEFAULT_MAX_SECONDS:.0f}]")


def _raise_timeout(_signum: int, _frame: FrameType | None) -> None:
    raise BenchmarkTimeout


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the benchmark or, with --child, one poll."""
    args = build_parser().parse_args(argv)
    validate(args)
    if args.child:
        return child_main(args)

    if os.geteuid() != 0 or shutil.which("ip") is None or not Path(SNMPD).exists():
        raise SystemExit(f"run as root, with iproute2 and {SNMPD} installed")
    # SIGALRM and SIGTERM unwind through the finally blocks, which stop the
    # agents and delete the namespaces.
    signal.signal(signal.SIGALRM, _raise_timeout)
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.alarm(int(args.max_seconds) + 1)
    try:
        return run_benchmark(args)
    except (BenchmarkTimeout, subprocess.TimeoutExpired):
        print(f"stopped: the overall limit of {args.max_seconds:.0f} s ran out", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)


if __name__ == "__main__":
    sys.exit(main())
