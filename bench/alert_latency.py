"""Measure how long the real daemon takes to send a chat alert after a host goes down.

The requirement: the chat message about a host that goes down arrives
within ``down_after x interval + group_window + 5 s`` of the outage's start.

Layout, built with ``tests.lab.netns.Lab``:

- the prober namespace runs ``python -m monitor.cli run`` and
  ``python -m tests.alerts_receiver``, a local HTTP receiver on 127.0.0.1
  that records the arrival time of every POST. The daemon's one channel
  posts to it through Apprise's JSON plugin;
- one core router (``core-router``) with N OPD routers behind it
  (``opd-NN-router``, parent ``core-router``);
- M standalone hosts (``srv-NN``).

For each setting the benchmark repeats R rounds of: silence one standalone
host (every echo request dropped), wait for the message that names it,
restore it, wait for the recovery message. The rounds rotate through the
standalone hosts, so that no host changes status often enough to be
reported as flapping. Then it cuts the core router's uplink, which
silences the core and every OPD router behind it, and mends it again.
Before each change it sleeps a random time of up to one interval, so the
change falls at a random point of the probe cycle.

Latency is the time from the change (just before ``nft`` runs) to the
arrival of the message at the receiver. After the daemon stops, the
benchmark reads its SQLite database and splits each latency into five
parts. They are the wait for the next probe cycle, the further cycles
until ``down_after`` (or ``up_after``) is reached, and the deciding probe.
Then come the grouping window, which includes the writer's commit and the
sender's check, and the send. Every message is counted:
exactly one per outage and one per recovery is expected, and any other
message is reported as extra.

Expected latency of a down message, for a host silenced at a random
point of the cycle::

    phase + (down_after - 1) x interval + burst + window + send

where phase is uniform in [0, interval), burst is the duration of a probe
that gets no reply, ``(icmp.count - 1) x icmp.packet_interval + timeout``,
and window is ``group_window`` plus up to the sender's poll interval
(1 s). A recovery is the same with ``up_after`` and a probe that ends
with the last reply, ``(icmp.count - 1) x icmp.packet_interval``.

Network safety: every target is a host of the lab, in a namespace with
no default route, and the daemon probes from inside the prober namespace.
The channel posts to 127.0.0.1 inside that namespace. The lab removes its
namespaces and processes on exit, also after an error, SIGTERM or the
overall time limit.

Example (as root, from the repository root)::

    python3 bench/alert_latency.py --json-output /tmp/alert-latency.json
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import ipaddress
import json
import os
import platform
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
if str(REPOSITORY_ROOT) not in sys.path:
    sys.path.insert(0, str(REPOSITORY_ROOT))

from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

from monitor.alerts.sender import POLL_INTERVAL  # noqa: E402
from monitor.config import AlertSettings, FlapSettings, IcmpSettings, TargetSettings  # noqa: E402
from tests.alerts_receiver import ReceiverProcess, Recorded  # noqa: E402
from tests.lab.netns import Host, Lab  # noqa: E402

# Addresses that Lab gives its hosts. Every target must be one of them.
LAB_NETWORK = ipaddress.ip_network("10.203.0.0/16")
METRICS_PORT = 9470
RECEIVER_PORT = 9480
CHANNEL_ENV_NAME = "PANTAU_BENCH_CHAT_URL"
CHANNEL_URL = f"json://127.0.0.1:{RECEIVER_PORT}/"
CHILD_ENV = {"PYTHONPATH": str(REPOSITORY_ROOT), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
CORE_TARGET = "core-router"

# The requirement's allowance beyond down_after x interval + group_window.
BUDGET_MARGIN = 5.0
# Bounds that keep one invocation short on a shared machine.
MAX_ROUNDS = 20
MAX_HOSTS = 20
MAX_OPD_ROUTERS = 20
DEFAULT_MAX_SECONDS = 1800.0
STOP_TIMEOUT = 20.0


@dataclass(frozen=True)
class Setting:
    """Daemon timing under test, and the rounds to run with it."""

    name: str
    interval: float
    timeout: float
    down_after: int
    up_after: int
    icmp_count: int
    icmp_packet_interval: float
    group_window: float
    rounds: int

    @property
    def budget(self) -> float:
        """Seconds within which a down message must arrive."""
        return self.down_after * self.interval + self.group_window + BUDGET_MARGIN

    @property
    def recovery_budget(self) -> float:
        """The same allowance for a recovery message, with up_after in place of down_after."""
        return self.up_after * self.interval + self.group_window + BUDGET_MARGIN

    def expected_range(self, kind: str) -> tuple[float, float]:
        """Return the expected latency range of a "down" or "recovered" message, send excluded."""
        spacing = (self.icmp_count - 1) * self.icmp_packet_interval
        if kind == "down":
            cycles, probe = self.down_after, spacing + self.timeout
        else:
            cycles, probe = self.up_after, spacing
        low = (cycles - 1) * self.interval + probe + self.group_window
        return low, low + self.interval + POLL_INTERVAL


def _operator_defaults() -> Setting:
    target, icmp, alerts = TargetSettings(), IcmpSettings(), AlertSettings()
    return Setting(
        name="defaults",
        interval=target.interval,
        timeout=target.timeout,
        down_after=target.down_after,
        up_after=target.up_after,
        icmp_count=icmp.count,
        icmp_packet_interval=icmp.packet_interval,
        group_window=alerts.group_window,
        rounds=2,
    )


SETTINGS = {
    # monitor/config.py's defaults: what an operator gets without [defaults].
    "defaults": _operator_defaults(),
    "fast": Setting(
        name="fast",
        interval=1.0,
        timeout=0.3,
        down_after=2,
        up_after=2,
        icmp_count=3,
        icmp_packet_interval=0.05,
        group_window=2.0,
        rounds=10,
    ),
}


@dataclass
class Phase:
    """One status change of one case: the change made, the message that followed."""

    kind: str  # "down" or "recovered"
    changed_at: float
    """Unix time just before nft ran."""
    applied_seconds: float
    """Time the nft command took."""
    arrival: float | None = None
    latency: float | None = None
    messages: int = 0
    """Messages that named the case's target after this change and before the next."""
    parts: dict[str, float] = field(default_factory=dict)
    """Latency split from the database: phase, cycles, probe, window, send."""


@dataclass
class Case:
    """One outage and its recovery: a silenced standalone host or a cut core uplink."""

    setting: str
    case: str  # "host" or "core"
    round: int
    target: str
    phases: list[Phase] = field(default_factory=list)


# --- the lab ---------------------------------------------------------------------------


@dataclass
class Network:
    """The lab's hosts under their target names."""

    core: Host
    opd_routers: dict[str, Host]
    standalone: dict[str, Host]

    def targets(self) -> list[tuple[str, Host, str | None]]:
        """Return (target name, host, parent) for every target."""
        listed: list[tuple[str, Host, str | None]] = [(CORE_TARGET, self.core, None)]
        listed += [(name, host, CORE_TARGET) for name, host in self.opd_routers.items()]
        listed += [(name, host, None) for name, host in self.standalone.items()]
        return listed


def build_network(lab: Lab, opd_routers: int, hosts: int) -> Network:
    """Add the core router, the OPD routers behind it and the standalone hosts."""
    core = lab.add_host("core")
    return Network(
        core=core,
        opd_routers={
            f"opd-{number:02d}-router": lab.add_host(f"opd{number:02d}", behind=core)
            for number in range(1, opd_routers + 1)
        },
        standalone={
            f"srv-{number:02d}": lab.add_host(f"srv{number:02d}") for number in range(1, hosts + 1)
        },
    )


def inventory_text(setting: Setting, network: Network) -> str:
    """Return the daemon's configuration for one setting, as TOML text."""
    lines = [
        "[daemon]",
        f'listen = "127.0.0.1:{METRICS_PORT}"',
        'database = "pantau.db"',
        'language = "en"',
        "",
        "[defaults]",
        f'interval = "{setting.interval * 1000:g}ms"',
        f'timeout = "{setting.timeout * 1000:g}ms"',
        f"down_after = {setting.down_after}",
        f"up_after = {setting.up_after}",
        f"icmp = {{ count = {setting.icmp_count}, "
        f'packet_interval = "{setting.icmp_packet_interval * 1000:g}ms" }}',
        "",
        "[alerts]",
        f'group_window = "{setting.group_window * 1000:g}ms"',
        "",
        "[[channels]]",
        'name = "noc"',
        f'url_env = "{CHANNEL_ENV_NAME}"',
        'min_severity = "warning"',
    ]
    for name, host, parent in network.targets():
        if ipaddress.ip_address(host.ipv4) not in LAB_NETWORK:
            raise SystemExit(f"not run: target address {host.ipv4} is outside {LAB_NETWORK}")
        lines += ["", "[[targets]]", f'name = "{name}"', f'address = "{host.ipv4}"']
        lines += ['group = "Bench"', 'network = "opd"']
        if parent is not None:
            lines.append(f'parent = "{parent}"')
    return "\n".join(lines) + "\n"


# --- the daemon and the receiver -------------------------------------------------------------


class Receiver(ReceiverProcess):
    """tests/alerts_receiver.py in the prober namespace, appending POSTs to a file."""

    def __init__(self, lab: Lab, record: Path, log: Path) -> None:
        super().__init__(lab.prober, RECEIVER_PORT, record, CHILD_ENV, log)

    def wait_for(self, target: str, after: float, timeout: float) -> Recorded | None:
        """Wait for the first POST after unix time ``after`` that names ``target``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for post in self.posts():
                if post.time >= after and target in post.text:
                    return post
            time.sleep(0.05)
        return None


class Daemon:
    """``pantau run`` in the prober namespace, its output in a log file."""

    def __init__(self, lab: Lab, config: Path) -> None:
        self.lab = lab
        self.log = config.with_suffix(".log")
        with self.log.open("w") as log:
            self.process = lab.prober.popen(
                [sys.executable, "-m", "monitor.cli", "run", "-c", str(config)],
                env={**CHILD_ENV, CHANNEL_ENV_NAME: CHANNEL_URL},
                cwd=REPOSITORY_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def statuses(self) -> dict[str, str]:
        """Return the status of every target from /metrics, or {} when the scrape failed."""
        code = (
            "import urllib.request\n"
            f"url = 'http://127.0.0.1:{METRICS_PORT}/metrics'\n"
            "print(urllib.request.urlopen(url, timeout=5).read().decode())\n"
        )
        completed = self.lab.prober.run([sys.executable, "-c", code], env=CHILD_ENV)
        if completed.returncode != 0:
            return {}
        found = {}
        for family in text_string_to_metric_families(completed.stdout):
            for sample in family.samples:
                if sample.name == "pantau_target_status" and sample.value == 1:
                    found[sample.labels["target"]] = sample.labels["status"]
        return found

    def wait_until_up(self, targets: Sequence[str], timeout: float) -> bool:
        """Wait until every target is up; return False after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the daemon exited:\n{self.log.read_text()}")
            statuses = self.statuses()
            if statuses and all(statuses.get(name) == "up" for name in targets):
                return True
            time.sleep(0.2)
        return False

    def stop(self) -> int:
        """Stop the daemon with SIGTERM and return its exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=STOP_TIMEOUT)


# --- the rounds ------------------------------------------------------------------------------


def apply_change(kind: str, action: Callable[[], None]) -> Phase:
    """Run one nft change and return the phase that starts with it."""
    started = time.time()
    action()
    return Phase(kind=kind, changed_at=started, applied_seconds=time.time() - started)


def run_case(
    case: Case,
    silence: Callable[[], None],
    restore: Callable[[], None],
    setting: Setting,
    receiver: Receiver,
    rng: random.Random,
) -> None:
    """Make one outage and its recovery, and record when each message arrived."""
    for kind, action, budget in (
        ("down", silence, setting.budget),
        ("recovered", restore, setting.recovery_budget),
    ):
        time.sleep(rng.uniform(0.0, setting.interval))
        phase = apply_change(kind, action)
        case.phases.append(phase)
        # Twice the budget, so that a late message is measured rather than lost.
        post = receiver.wait_for(case.target, phase.changed_at, 2 * budget + 10.0)
        if post is not None:
            phase.arrival = post.time
            phase.latency = post.time - phase.changed_at
        print_phase(case, phase)


def run_setting(
    setting: Setting, args: argparse.Namespace, directory: Path, rng: random.Random
) -> tuple[list[Case], list[Recorded], dict[str, Any], list[str]]:
    """Build a lab, run the rounds of one setting, and return cases, posts and database rows."""
    problems: list[str] = []
    cases: list[Case] = []
    with Lab() as lab:
        network = build_network(lab, args.opd_routers, args.hosts)
        config = directory / "pantau.toml"
        config.write_text(inventory_text(setting, network))
        names = [name for name, _host, _parent in network.targets()]
        receiver = Receiver(lab, directory / "posts.jsonl", directory / "receiver.log")
        daemon = Daemon(lab, config)
        try:
            if not daemon.wait_until_up(names, 2 * setting.interval + 20.0):
                raise RuntimeError(f"targets not all up after start:\n{daemon.log.read_text()}")
            print(f"[{setting.name}] all {len(names)} targets up; rounds start")
            standalone = list(network.standalone.items())
            for number in range(setting.rounds):
                name, host = standalone[number % len(standalone)]
                case = Case(setting.name, "host", number + 1, name)
                restore = functools.partial(host.set_loss, 0)
                run_case(case, host.silence, restore, setting, receiver, rng)
                cases.append(case)
                wait_for_all_up(daemon, names, setting, problems)
            for number in range(args.core_rounds):
                case = Case(setting.name, "core", number + 1, CORE_TARGET)
                restore = functools.partial(network.core.set_loss, 0)
                run_case(case, network.core.cut_uplink, restore, setting, receiver, rng)
                cases.append(case)
                wait_for_all_up(daemon, names, setting, problems)
            # Time for a stray message, such as an OPD router's own alert, to arrive.
            time.sleep(setting.interval + setting.group_window + BUDGET_MARGIN)
        finally:
            status = daemon.stop()
            receiver.stop()
        if status != 0:
            problems.append(f"the daemon exited with status {status}")
        posts = receiver.posts()
        rows = read_database(directory / "pantau.db")
    return cases, posts, rows, problems


def wait_for_all_up(
    daemon: Daemon, names: list[str], setting: Setting, problems: list[str]
) -> None:
    """Wait until every target is up again before the next round."""
    if not daemon.wait_until_up(names, (setting.up_after + 2) * setting.interval + 20.0):
        problems.append(f"[{setting.name}] targets not all up again: {daemon.statuses()}")


# --- reading the database and attributing messages -----------------------------------------


def read_database(path: Path) -> dict[str, Any]:
    """Read the probe results, outbox rows and messages that the daemon stored."""
    connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        results = connection.execute(
            "SELECT target, started, duration, success FROM results"
            " WHERE probe = 'icmp' ORDER BY started"
        ).fetchall()
        outbox = connection.execute(
            "SELECT id, created, event, message_id FROM outbox ORDER BY id"
        ).fetchall()
        messages = connection.execute(
            "SELECT id, created, parts, sent, state FROM messages ORDER BY id"
        ).fetchall()
    finally:
        connection.close()
    return {
        "results": [dict(row) for row in results],
        "outbox": [{**dict(row), "event": json.loads(row["event"])} for row in outbox],
        "messages": [{**dict(row), "parts": json.loads(row["parts"])} for row in messages],
    }


def match_posts(
    posts: list[Recorded], rows: dict[str, Any], problems: list[str]
) -> list[int | None]:
    """Return the id of the stored message behind each post, matched in order and by text."""
    parts = [
        (message["id"], text)
        for message in rows["messages"]
        if message["state"] == "sent"
        for text in message["parts"]
    ]
    if len(parts) != len(posts):
        problems.append(f"{len(posts)} posts arrived, the database lists {len(parts)} parts sent")
    matched: list[int | None] = []
    for index, post in enumerate(posts):
        if index < len(parts) and parts[index][1].strip() in post.text:
            matched.append(parts[index][0])
        else:
            matched.append(None)
            problems.append(f"post {index + 1} matches no stored message part: {post.text!r}")
    return matched


def count_messages(cases: list[Case], posts: list[Recorded]) -> list[Recorded]:
    """Count the posts that name each phase's target; return the posts that belong to none.

    A phase runs from its change to the next phase's change (the last one to
    the end of the run). A post belongs to the phase it arrived in if it
    names that phase's target. Any other post is extra.
    """
    phases = sorted(
        ((phase, case.target) for case in cases for phase in case.phases),
        key=lambda item: item[0].changed_at,
    )
    unclaimed = []
    for post in posts:
        owner = None
        for phase, target in phases:
            if phase.changed_at <= post.time:
                owner = (phase, target)
        if owner is not None and owner[1] in post.text:
            owner[0].messages += 1
        else:
            unclaimed.append(post)
    return unclaimed


def split_latency(
    case: Case, phase: Phase, rows: dict[str, Any], message_ids: dict[float, int | None]
) -> None:
    """Fill ``phase.parts`` from the stored probe results, outbox row and message.

    The deciding probe is the last result of the target that ended before
    the event was queued. The event's own ``at`` is not used, because the
    status board never lets time run backwards: an observation older than
    the board's last tick gets the tick's time.
    """
    message_id = message_ids.get(phase.arrival) if phase.arrival is not None else None
    message = next((row for row in rows["messages"] if row["id"] == message_id), None)
    queued = next(
        (
            row
            for row in rows["outbox"]
            if row["message_id"] == message_id
            and row["event"]["target"] == case.target
            and row["event"]["kind"] == phase.kind
        ),
        None,
    )
    if phase.arrival is None or message is None or queued is None:
        return
    success = 0 if phase.kind == "down" else 1
    changed = [
        row
        for row in rows["results"]
        if row["target"] == case.target
        and row["success"] == success
        and phase.changed_at - 0.05 <= row["started"]
        and row["started"] + row["duration"] <= queued["created"]
    ]
    if not changed:
        return
    first, deciding = changed[0], changed[-1]
    deciding_end = deciding["started"] + deciding["duration"]
    phase.parts = {
        "phase": first["started"] - phase.changed_at,
        "cycles": deciding["started"] - first["started"],
        "probe": deciding["duration"],
        "window": message["created"] - deciding_end,
        "send": phase.arrival - message["created"],
    }


# --- output ----------------------------------------------------------------------------------


def seconds_text(value: float | None) -> str:
    """Format seconds with two decimals, or "-" for a missing value."""
    return "-" if value is None else f"{value:.2f}"


def print_phase(case: Case, phase: Phase) -> None:
    """Print one change and the latency of its message as they happen."""
    latency = "no message" if phase.latency is None else f"{phase.latency:.2f} s"
    print(
        f"[{case.setting}] {case.case} round {case.round} {case.target}: {phase.kind} "
        f"message after {latency} (nft took {phase.applied_seconds * 1000:.0f} ms)",
        flush=True,
    )


def print_parts(cases: list[Case]) -> None:
    """Print where each latency went, from the database."""
    print("\nlatency split (s): phase + cycles + probe + window + send")
    for case in cases:
        for phase in case.phases:
            parts = " + ".join(
                f"{phase.parts[key]:.2f}"
                for key in ("phase", "cycles", "probe", "window", "send")
                if key in phase.parts
            )
            print(
                f"  [{case.setting}] {case.case} {case.round} {case.target} {phase.kind}: "
                f"{seconds_text(phase.latency)} = {parts or 'not split'}"
                f"; messages {phase.messages}"
            )


def summarize(setting: Setting, cases: list[Case]) -> list[dict[str, Any]]:
    """Return one summary row per case and kind: latency spread, budget, message count."""
    summary = []
    for case_kind in ("host", "core"):
        for kind in ("down", "recovered"):
            phases = [
                phase
                for case in cases
                if case.case == case_kind
                for phase in case.phases
                if phase.kind == kind
            ]
            if not phases:
                continue
            latencies = [phase.latency for phase in phases if phase.latency is not None]
            budget = setting.budget if kind == "down" else setting.recovery_budget
            low, high = setting.expected_range(kind)
            summary.append(
                {
                    "setting": setting.name,
                    "case": case_kind,
                    "kind": kind,
                    "changes": len(phases),
                    "messages": sum(phase.messages for phase in phases),
                    "min": min(latencies, default=None),
                    "median": statistics.median(latencies) if latencies else None,
                    "max": max(latencies, default=None),
                    "expected_low": low,
                    "expected_high": high,
                    "budget": budget,
                    "within_budget": len(latencies) == len(phases)
                    and all(latency <= budget for latency in latencies),
                }
            )
    return summary


def print_summary(summary: list[dict[str, Any]]) -> None:
    """Print the table of latencies against the expected range and the budget."""
    print(
        "\nsetting   case  message    n  msgs   min s  median s   max s"
        "   expected s      budget s  verdict"
    )
    for row in summary:
        verdict = "met" if row["within_budget"] else "MISSED"
        print(
            f"{row['setting']:<9} {row['case']:<5} {row['kind']:<9} {row['changes']:>3} "
            f"{row['messages']:>5} {seconds_text(row['min']):>7} "
            f"{seconds_text(row['median']):>9} {seconds_text(row['max']):>7}   "
            f"{row['expected_low']:6.1f}-{row['expected_high']:<6.1f} {row['budget']:9.1f}  "
            f"{verdict}"
        )
    print(
        "budget: down_after x interval + group_window + 5 s for down messages, the same with"
        " up_after for recoveries; expected: the range the timing model gives, send excluded"
    )


def machine_lines() -> list[str]:
    """Describe the machine and the code that ran."""
    commit = subprocess.run(
        ["git", "-C", str(REPOSITORY_ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return [
        f"date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M UTC}",
        f"machine: nproc {os.cpu_count()}, kernel {platform.release()}, "
        f"Python {platform.python_version()}, commit {commit or 'unknown'}",
    ]


# --- command line ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Build the command-line parser."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--settings",
        nargs="+",
        choices=sorted(SETTINGS),
        default=["defaults", "fast"],
        help="timing presets to measure, in order (default: defaults fast)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        help="standalone-host rounds per setting (default: 2 for defaults, 10 for fast)",
    )
    parser.add_argument("--core-rounds", type=int, default=1, help="core uplink cuts per setting")
    parser.add_argument("--opd-routers", type=int, default=3, help="OPD routers behind the core")
    parser.add_argument("--hosts", type=int, default=5, help="standalone hosts")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random waits")
    parser.add_argument("--json-output", help="write every round and the summary to this file")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=DEFAULT_MAX_SECONDS,
        help="overall time limit in seconds; everything is stopped and removed after it",
    )
    return parser


def validate(args: argparse.Namespace) -> None:
    """Reject values outside the benchmark's bounds."""
    if args.rounds is not None and not 1 <= args.rounds <= MAX_ROUNDS:
        raise SystemExit(f"--rounds must be between 1 and {MAX_ROUNDS}, not {args.rounds}")
    if not 1 <= args.hosts <= MAX_HOSTS:
        raise SystemExit(f"--hosts must be between 1 and {MAX_HOSTS}, not {args.hosts}")
    if not 1 <= args.opd_routers <= MAX_OPD_ROUTERS:
        raise SystemExit(
            f"--opd-routers must be between 1 and {MAX_OPD_ROUTERS}, not {args.opd_routers}"
        )
    # Each outage is two status changes. More than FlapSettings.changes of them
    # in the flap window would make the target flap and change its messages.
    outages_per_host = FlapSettings().changes // 2
    if not 0 <= args.core_rounds <= outages_per_host:
        raise SystemExit(f"--core-rounds must be between 0 and {outages_per_host}")
    for name in args.settings:
        rounds = args.rounds or SETTINGS[name].rounds
        if rounds > args.hosts * outages_per_host:
            raise SystemExit(
                f"{rounds} rounds need --hosts {-(-rounds // outages_per_host)} or more,"
                " so that no host changes status often enough to be reported as flapping"
            )
    if not 0 < args.max_seconds <= 2 * DEFAULT_MAX_SECONDS:
        raise SystemExit(f"--max-seconds must be in (0, {2 * DEFAULT_MAX_SECONDS:.0f}]")


def run_benchmark(args: argparse.Namespace) -> int:
    """Run every setting, print the figures, and return the exit status."""
    # Read once, because other work may commit to the repository while this runs.
    machine = machine_lines()
    for line in machine:
        print(line)

    rng = random.Random(args.seed)
    all_cases: list[Case] = []
    summary: list[dict[str, Any]] = []
    problems: list[str] = []
    records: list[dict[str, Any]] = []
    for name in args.settings:
        setting = SETTINGS[name]
        if args.rounds is not None:
            setting = Setting(**{**asdict(setting), "rounds": args.rounds})
        print(f"[{name}] {json.dumps(asdict(setting))}", flush=True)
        with tempfile.TemporaryDirectory(prefix="pantau-alert-latency-") as directory:
            cases, posts, rows, found = run_setting(setting, args, Path(directory), rng)
        problems += found
        attribute(cases, posts, rows, problems, name)
        all_cases += cases
        summary += summarize(setting, cases)
        records.append(record(setting, cases, posts, rows))

    print_parts(all_cases)
    print_summary(summary)
    problems += message_problems(all_cases)
    if args.json_output:
        data = {"machine": machine, "settings": records, "summary": summary}
        Path(args.json_output).write_text(json.dumps(data, indent=2) + "\n")

    if problems:
        print("\n" + "!" * 72)
        for problem in problems:
            print(f"! {problem}")
        print("!" * 72)
        return 1
    return 0


def attribute(
    cases: list[Case],
    posts: list[Recorded],
    rows: dict[str, Any],
    problems: list[str],
    setting: str,
) -> None:
    """Count each phase's messages, split each latency, and list the extra posts."""
    for post in count_messages(cases, posts):
        problems.append(f"[{setting}] extra message at {post.time:.2f}: {post.text!r}")
    message_ids = dict(
        zip((post.time for post in posts), match_posts(posts, rows, problems), strict=True)
    )
    for case in cases:
        for phase in case.phases:
            split_latency(case, phase, rows, message_ids)


def message_problems(cases: list[Case]) -> list[str]:
    """List every phase that got no message or more than one."""
    problems = []
    for case in cases:
        for phase in case.phases:
            if phase.messages != 1:
                problems.append(
                    f"[{case.setting}] {case.case} round {case.round} {case.target} "
                    f"{phase.kind}: {phase.messages} messages, expected 1"
                )
    return problems


def record(
    setting: Setting, cases: list[Case], posts: list[Recorded], rows: dict[str, Any]
) -> dict[str, Any]:
    """Return what the JSON output keeps of one setting."""
    return {
        "setting": asdict(setting),
        "cases": [asdict(case) for case in cases],
        "posts": [asdict(post) for post in posts],
        "results": rows["results"],
        "outbox": rows["outbox"],
        "messages": rows["messages"],
    }


class BenchmarkTimeout(Exception):
    """The overall ``--max-seconds`` ran out."""


def _raise_timeout(_signum: int, _frame: FrameType | None) -> None:
    raise BenchmarkTimeout


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise BenchmarkTimeout in the main thread after ``seconds``."""
    signal.signal(signal.SIGALRM, _raise_timeout)
    signal.alarm(int(seconds) + 1)
    try:
        yield
    finally:
        signal.alarm(0)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the benchmark."""
    args = build_parser().parse_args(argv)
    validate(args)
    if os.geteuid() != 0:
        raise SystemExit("run as root: the lab needs network namespaces")
    # SIGTERM and the time limit unwind through the Lab's exit, which
    # stops the daemon and the receiver and deletes the namespaces.
    signal.signal(signal.SIGTERM, _raise_exit)
    try:
        with time_limit(args.max_seconds):
            return run_benchmark(args)
    except BenchmarkTimeout:
        print(f"stopped: the overall limit of {args.max_seconds:.0f} s ran out", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
