"""Test networks built from Linux network namespaces, veth pairs and nftables.

A :class:`Lab` owns one prober namespace, where the code under test runs, and
any number of host namespaces, each joined to the prober by its own veth pair.
No namespace has a default route, so nothing sent inside a lab can leave the
machine. Example::

    with Lab() as lab:
        host = lab.add_host("a")
        host.set_loss(30)
        with host.respond(delay=0.05, duplicates=1):
            lab.prober.run(["fping", "-c", "5", host.ipv4])

Addressing: host number N (1 to 254, in creation order) is 10.203.N.2/24 and
fd00:203:N::2/64, and the prober side of its link is 10.203.N.1 and
fd00:203:N::1. Both ends have permanent neighbour entries and ARP switched
off, and IPv6 duplicate address detection, router solicitations and
link-local addresses are off. Together these keep the links silent: the
transmit counters move only when a test sends something.

Namespace names are ``pt<pid>x<serial>-<name>``, so that
:func:`sweep_stale_namespaces` can remove what a killed run left behind
without touching the labs of other running processes.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from types import TracebackType
from typing import Any, Self

logger = logging.getLogger(__name__)

NAME_PREFIX = "pt"
LAB_NAME_PATTERN = re.compile(rf"^{NAME_PREFIX}(?P<pid>\d+)x(?P<serial>\d+)-")
HOST_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
PROBER_NAME = "prober"
MAX_HOSTS = 254

NETNS_RUN_DIR = Path("/run/netns")
NETNS_ETC_DIR = Path("/etc/netns")
RESPONDER_SCRIPT = Path(__file__).with_name("responder.py")
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

RESOLVER_ADDRESS = "127.0.0.53"
# With this range every group id may open unprivileged ICMP sockets. The
# kernel default "1 0" allows no group.
DEFAULT_PING_GROUP_RANGE = (0, 2147483647)

COMMAND_TIMEOUT = 60.0
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0

# Applied to every new namespace before its interfaces exist, so that the
# veth ends inherit them: no IPv6 link-local address, no duplicate address
# detection and no router solicitation means no packet that a test did not send.
QUIET_IPV6_SYSCTLS = {
    "net.ipv6.conf.all.accept_dad": "0",
    "net.ipv6.conf.default.accept_dad": "0",
    "net.ipv6.conf.all.router_solicitations": "0",
    "net.ipv6.conf.default.router_solicitations": "0",
    "net.ipv6.conf.all.accept_ra": "0",
    "net.ipv6.conf.default.accept_ra": "0",
    "net.ipv6.conf.default.addr_gen_mode": "1",
}

NFT_TABLE = "pantau_lab"
NFT_COUNTER = "echo_requests"
NFT_FILTER_CHAIN = "echo_filter"
# The counter sits before the drop rules, so it counts every echo request that
# reached the host, including those dropped to simulate loss.
NFT_RULESET = f"""\
table inet {NFT_TABLE} {{
    counter {NFT_COUNTER} {{ }}
    chain prerouting {{
        type filter hook prerouting priority raw; policy accept;
        icmp type echo-request counter name "{NFT_COUNTER}"
        icmpv6 type echo-request counter name "{NFT_COUNTER}"
        jump {NFT_FILTER_CHAIN}
    }}
    chain {NFT_FILTER_CHAIN} {{ }}
}}
"""
# numgen draws from 0 to 9999, so a loss percentage has two decimals.
LOSS_RESOLUTION = 10000

_serials = itertools.count(1)


class LabError(RuntimeError):
    """Failure to build, use or remove a test network."""


class LabCommandError(LabError):
    """Command that exited with an error status, with its output."""

    def __init__(self, argv: Sequence[str], returncode: int, stdout: str, stderr: str) -> None:
        self.argv = list(argv)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(
            f"command failed with status {returncode}: {' '.join(self.argv)}\n"
            f"stderr: {stderr.strip() or '(empty)'}"
        )


def run_command(argv: Sequence[str], *, stdin: str | None = None) -> str:
    """Run a set-up command in this process's namespaces and return its stdout.

    Raises LabCommandError when it exits with a non-zero status.
    """
    try:
        completed = subprocess.run(
            list(argv),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except FileNotFoundError as error:
        raise LabError(f"{argv[0]} not found: install it or add it to PATH") from error
    if completed.returncode != 0:
        raise LabCommandError(argv, completed.returncode, completed.stdout, completed.stderr)
    return completed.stdout


def namespace_pids(name: str) -> list[int]:
    """List the processes that live in the network namespace ``name``.

    Zombies have no namespace any more, so they are not listed.
    """
    try:
        target = os.stat(NETNS_RUN_DIR / name)
    except FileNotFoundError:
        return []
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            namespace = os.stat(entry / "ns" / "net")
        except OSError:
            continue
        if (namespace.st_dev, namespace.st_ino) == (target.st_dev, target.st_ino):
            pids.append(int(entry.name))
    return pids


def kill_namespace_processes(name: str) -> None:
    """Stop every process in namespace ``name``: SIGTERM, then SIGKILL after a grace time."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = namespace_pids(name)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + STOP_TIMEOUT
        while namespace_pids(name) and time.monotonic() < deadline:
            time.sleep(0.05)
    if namespace_pids(name):
        raise LabError(f"processes {namespace_pids(name)} in namespace {name} survived SIGKILL")


def delete_namespace(name: str) -> None:
    """Kill the processes of namespace ``name``, then delete it and its /etc/netns files."""
    kill_namespace_processes(name)
    if (NETNS_RUN_DIR / name).exists():
        run_command(["ip", "netns", "delete", name])
    shutil.rmtree(NETNS_ETC_DIR / name, ignore_errors=True)


def list_namespaces() -> list[str]:
    """List the names of all named network namespaces."""
    output = run_command(["ip", "-json", "netns", "list"]).strip()
    if not output:
        return []
    return [entry["name"] for entry in json.loads(output)]


def process_exists(pid: int) -> bool:
    """Return True if a process with this id exists, whatever user owns it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_namespaces() -> list[str]:
    """Remove namespaces, /etc/netns entries and work directories of dead lab processes.

    A lab is stale when the process id in its name no longer exists. Labs of
    running processes, such as parallel test workers, are left alone, and so
    is a stale lab whose process id an unrelated process has reused, until
    that process exits. Returns the names of the namespaces removed.
    """
    removed = []
    for name in list_namespaces():
        match = LAB_NAME_PATTERN.match(name)
        if match is None or process_exists(int(match["pid"])):
            continue
        try:
            delete_namespace(name)
        except LabError as error:
            # Another process may be sweeping the same namespace right now.
            logger.warning("failed to remove stale namespace %s: %s", name, error)
            continue
        removed.append(name)

    leftovers = [*NETNS_ETC_DIR.glob(f"{NAME_PREFIX}*")]
    leftovers += Path(tempfile.gettempdir()).glob(f"pantau-lab-{NAME_PREFIX}*")
    for path in leftovers:
        match = LAB_NAME_PATTERN.match(path.name.removeprefix("pantau-lab-"))
        if match is not None and not process_exists(int(match["pid"])):
            shutil.rmtree(path, ignore_errors=True)
    return removed


class Namespace:
    """Named network namespace in which commands run through ``ip netns exec``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.processes: list[subprocess.Popen[Any]] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def command(self, argv: Sequence[str]) -> list[str]:
        """Return ``argv`` prefixed so that it runs inside this namespace."""
        return ["ip", "netns", "exec", self.name, *argv]

    def run(self, argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        """Run ``argv`` inside the namespace and return the completed process.

        Defaults, each overridable by a keyword: text mode, stdout and stderr
        captured, a timeout of COMMAND_TIMEOUT seconds and no check of the
        exit status.
        """
        kwargs.setdefault("text", True)
        if "stdout" not in kwargs and "stderr" not in kwargs:
            kwargs.setdefault("capture_output", True)
        kwargs.setdefault("timeout", COMMAND_TIMEOUT)
        kwargs.setdefault("check", False)
        return subprocess.run(self.command(argv), **kwargs)

    def popen(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
        """Start ``argv`` inside the namespace; the lab stops it on exit if it still runs."""
        process = subprocess.Popen(self.command(argv), **kwargs)
        self.processes.append(process)
        return process

    def python(self, code: str, timeout: float = COMMAND_TIMEOUT) -> str:
        """Run ``python3 -c code`` inside the namespace and return its stdout.

        The interpreter is the one running the tests, with the repository root
        on PYTHONPATH so that ``import probes`` and ``import monitor`` work.
        Raises LabCommandError with stderr on a non-zero exit status, and
        LabError when ``timeout`` seconds pass first.
        """
        environment = dict(os.environ)
        python_path = [str(REPOSITORY_ROOT)]
        if environment.get("PYTHONPATH"):
            python_path.append(environment["PYTHONPATH"])
        environment["PYTHONPATH"] = os.pathsep.join(python_path)

        argv = [sys.executable, "-c", code]
        try:
            completed = self.run(argv, env=environment, timeout=timeout)
        except subprocess.TimeoutExpired as error:
            stderr = error.stderr.decode() if isinstance(error.stderr, bytes) else error.stderr
            raise LabError(
                f"python in namespace {self.name} timed out after {timeout} s\n"
                f"stderr: {(stderr or '').strip() or '(empty)'}"
            ) from error
        if completed.returncode != 0:
            raise LabCommandError(argv, completed.returncode, completed.stdout, completed.stderr)
        return completed.stdout

    def set_sysctls(self, settings: Mapping[str, str]) -> None:
        """Write kernel parameters of this namespace (per-namespace ones only)."""
        assignments = [f"{key}={value}" for key, value in settings.items()]
        run_command(self.command(["sysctl", "-q", "-w", *assignments]))

    def set_ping_group_range(self, low: int, high: int) -> None:
        """Allow unprivileged ICMP sockets to group ids ``low`` to ``high``.

        ``(1, 0)``, the kernel default, allows no group.
        """
        self.set_sysctls({"net.ipv4.ping_group_range": f"{low} {high}"})

    def interface_counters(self) -> dict[str, int]:
        """Return transmitted packets per interface, from the kernel's link statistics."""
        output = run_command(["ip", "-netns", self.name, "-json", "-statistics", "link", "show"])
        return {link["ifname"]: link["stats64"]["tx"]["packets"] for link in json.loads(output)}

    def tx_packets(self) -> int:
        """Count the packets sent out of every interface of the namespace, loopback included.

        These are the counters of /sys/class/net/*/statistics/tx_packets, read
        through rtnetlink. Loopback traffic, such as DNS queries to the lab
        resolver, is counted too.
        """
        return sum(self.interface_counters().values())

    def stop_processes(self) -> None:
        """Stop and reap the processes started with :meth:`popen`."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(STOP_TIMEOUT)
        self.processes.clear()


@dataclass(frozen=True)
class ResponderStats:
    """Counts printed by responder.py when it stops."""

    requests: int
    replies_sent: int
    pending: int


class ResponderHandle:
    """Running responder.py in a host namespace."""

    def __init__(self, host: Host, process: subprocess.Popen[str]) -> None:
        self.host = host
        self.process = process

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> ResponderStats | None:
        """Stop the responder and switch the host's kernel echo replies back on.

        Returns the responder's counts, or None when it had exited already.
        """
        if self.host.responder is self:
            self.host.responder = None
        if self.process.poll() is not None:
            return None

        self.process.send_signal(signal.SIGTERM)
        try:
            stdout, _ = self.process.communicate(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            stdout, _ = self.process.communicate()
        if (NETNS_RUN_DIR / self.host.name).exists():
            self.host.set_kernel_echo(enabled=True)

        match = re.search(r"requests (\d+) replies (\d+) pending (\d+)", stdout or "")
        if match is None:
            return None
        return ResponderStats(*(int(value) for value in match.groups()))


class Host(Namespace):
    """Test host joined to the prober namespace by a veth pair.

    Attributes: ``index`` (N in the addresses), ``ipv4`` and ``ipv6`` (the
    host's addresses), ``prober_ipv4`` and ``prober_ipv6`` (the prober end of
    the link), ``interface`` (the host end, ``eth0``) and ``prober_interface``
    (``veth<N>`` in the prober namespace).
    """

    def __init__(self, name: str, index: int, workdir: Path) -> None:
        super().__init__(name)
        self.index = index
        self.ipv4 = f"10.203.{index}.2"
        self.ipv6 = f"fd00:203:{index}::2"
        self.prober_ipv4 = f"10.203.{index}.1"
        self.prober_ipv6 = f"fd00:203:{index}::1"
        self.interface = "eth0"
        self.prober_interface = f"veth{index}"
        self.mac = f"02:00:00:cb:{index:02x}:02"
        self.prober_mac = f"02:00:00:cb:{index:02x}:01"
        self.workdir = workdir
        self.responder: ResponderHandle | None = None
        self.behind: Host | None = None  # the router it hangs off, if not the prober

    def _set_echo_filter(self, rules: Iterable[str]) -> None:
        script = [f"flush chain inet {NFT_TABLE} {NFT_FILTER_CHAIN}"]
        script += [f"add rule inet {NFT_TABLE} {NFT_FILTER_CHAIN} {rule}" for rule in rules]
        run_command(self.command(["nft", "-f", "-"]), stdin="\n".join(script) + "\n")

    def silence(self) -> None:
        """Drop every ICMP and ICMPv6 echo request that reaches the host."""
        self._set_echo_filter(
            ["icmp type echo-request drop", "icmpv6 type echo-request drop"],
        )

    def cut_uplink(self) -> None:
        """Drop every packet that arrives on the host's link towards the prober.

        For a router made with ``Lab.add_host(..., behind=...)`` upstream of
        other hosts, this is a cut line: the router and every host behind it
        stop replying, and the prober gets silence, not an error.
        ``set_loss(0)`` mends it.
        """
        self._set_echo_filter([f'iifname "{self.interface}" drop'])

    def set_loss(self, percent: float) -> None:
        """Drop ``percent`` (0 to 100, two decimals) of echo requests at random.

        ``set_loss(0)`` removes any loss or silence set before.
        """
        if not 0 <= percent <= 100:
            raise ValueError(f"loss must be between 0 and 100 percent, not {percent}")
        threshold = round(percent * LOSS_RESOLUTION / 100)
        if threshold == 0:
            self._set_echo_filter([])
            return
        draw = f"numgen random mod {LOSS_RESOLUTION} < {threshold}"
        self._set_echo_filter(
            [f"icmp type echo-request {draw} drop", f"icmpv6 type echo-request {draw} drop"],
        )

    def echo_requests_seen(self) -> int:
        """Count the echo requests (IPv4 and IPv6) that reached the host, dropped ones included."""
        output = run_command(
            self.command(["nft", "-json", "list", "counter", "inet", NFT_TABLE, NFT_COUNTER])
        )
        for item in json.loads(output)["nftables"]:
            if "counter" in item:
                return int(item["counter"]["packets"])
        raise LabError(f"nftables counter {NFT_COUNTER} missing in namespace {self.name}")

    def set_kernel_echo(self, *, enabled: bool) -> None:
        """Switch the kernel's own ICMP and ICMPv6 echo replies on or off."""
        ignore = "0" if enabled else "1"
        self.set_sysctls(
            {"net.ipv4.icmp_echo_ignore_all": ignore, "net.ipv6.icmp.echo_ignore_all": ignore}
        )

    def respond(
        self, delay: float = 0.02, duplicates: int = 0, jitter: float = 0.0
    ) -> ResponderHandle:
        """Replace the kernel's echo replies with responder.py and return its handle.

        Each reply leaves ``delay`` plus a uniform draw from 0 to ``jitter``
        seconds after the request arrived, ``1 + duplicates`` times. A
        responder already running on this host is stopped first.
        """
        if self.responder is not None:
            self.responder.stop()
        self.set_kernel_echo(enabled=False)

        log_path = self.workdir / f"responder-{self.name}.log"
        argv = [
            sys.executable,
            str(RESPONDER_SCRIPT),
            f"--delay={delay}",
            f"--duplicates={duplicates}",
            f"--jitter={jitter}",
        ]
        with log_path.open("a") as log:
            process = self.popen(argv, stdout=subprocess.PIPE, stderr=log, text=True)
        handle = ResponderHandle(self, process)
        self.responder = handle
        self._wait_until_ready(process, log_path)
        return handle

    def _wait_until_ready(self, process: subprocess.Popen[str], log_path: Path) -> None:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
        line = process.stdout.readline() if ready else ""
        if line.strip() == "ready":
            return
        process.kill()
        process.wait()
        raise LabError(
            f"responder in namespace {self.name} failed to start within {START_TIMEOUT} s "
            f"(exit status {process.returncode}); its stderr:\n{log_path.read_text().strip()}"
        )


class Lab:
    """Set of namespaces for one test: a prober and the hosts it can reach.

    Use it as a context manager. Leaving the block, even through an
    exception, stops every process in the lab's namespaces, deletes the
    namespaces with their veth pairs, their /etc/netns entries and the work
    directory. The prober starts with loopback up, no route except those of
    its host links, and ``net.ipv4.ping_group_range`` set to
    ``ping_group_range`` (None keeps the kernel default).

    Processes run through ``prober.run`` resolve names only through
    /etc/netns/<prober>/resolv.conf, hosts and nsswitch.conf, which point at
    RESOLVER_ADDRESS inside the prober. Until :meth:`add_resolver` starts
    dnsmasq there, every lookup of a name that is not localhost fails.
    """

    def __init__(self, ping_group_range: tuple[int, int] | None = DEFAULT_PING_GROUP_RANGE) -> None:
        self.prefix = f"{NAME_PREFIX}{os.getpid()}x{next(_serials)}"
        self.ping_group_range = ping_group_range
        self.namespaces: list[Namespace] = []
        self.hosts: dict[str, Host] = {}
        self.workdir: Path | None = None
        self.resolver_pid: int | None = None
        self._prober: Namespace | None = None

    @property
    def prober(self) -> Namespace:
        """Namespace in which the code under test runs."""
        if self._prober is None:
            raise LabError("the lab is not open: use it in a with block")
        return self._prober

    def __enter__(self) -> Self:
        if os.geteuid() != 0:
            raise LabError("network namespaces need root: run the tests as root")
        try:
            self.workdir = Path(tempfile.mkdtemp(prefix=f"pantau-lab-{self.prefix}-"))
            prober = Namespace(f"{self.prefix}-{PROBER_NAME}")
            self._create_namespace(prober)
            self._write_resolver_files(prober)
            if self.ping_group_range is not None:
                prober.set_ping_group_range(*self.ping_group_range)
            self._prober = prober
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.close()
        except LabError as error:
            if exc is None:
                raise
            # Raising here would hide the exception that ended the block.
            warnings.warn(f"lab cleanup failed: {error}", RuntimeWarning, stacklevel=2)

    def _create_namespace(self, namespace: Namespace) -> None:
        # Recorded before creation so that close() removes a half-built namespace.
        self.namespaces.append(namespace)
        run_command(["ip", "netns", "add", namespace.name])
        namespace.set_sysctls(QUIET_IPV6_SYSCTLS)
        run_command(["ip", "-netns", namespace.name, "link", "set", "lo", "up"])

    def _write_resolver_files(self, prober: Namespace) -> None:
        # ip netns exec bind-mounts each file of /etc/netns/<name>/ over the
        # file of the same name in /etc, for the command it runs.
        directory = NETNS_ETC_DIR / prober.name
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "resolv.conf").write_text(
            f"nameserver {RESOLVER_ADDRESS}\noptions timeout:1 attempts:1\n"
        )
        (directory / "hosts").write_text("127.0.0.1 localhost\n::1 localhost\n")

        # The machine's nsswitch.conf may send host lookups to systemd-resolved
        # or mDNS, which would resolve outside the namespace.
        nsswitch = Path("/etc/nsswitch.conf")
        if nsswitch.exists():
            lines = [
                "hosts: files dns" if line.startswith("hosts:") else line
                for line in nsswitch.read_text().splitlines()
            ]
            (directory / "nsswitch.conf").write_text("\n".join(lines) + "\n")

    def add_host(self, name: str, behind: Host | None = None) -> Host:
        """Create host namespace ``name``, linked to the prober by a new veth pair.

        With ``behind``, the new host is linked to that host instead, which
        routes between the prober and it, as an OPD router sits behind the
        core router. The new host's ``prober_ipv4`` and ``prober_interface``
        then belong to ``behind``'s end of the link. Cutting ``behind``'s
        uplink silences both hosts.
        """
        if not HOST_NAME_PATTERN.match(name) or name == PROBER_NAME:
            raise ValueError(
                f"invalid host name {name!r}: use 1 to 32 lowercase letters, digits "
                f"or '-', not {PROBER_NAME!r}"
            )
        if name in self.hosts:
            raise ValueError(f"host {name!r} already exists in this lab")
        if len(self.hosts) >= MAX_HOSTS:
            raise LabError(f"a lab has at most {MAX_HOSTS} hosts")
        assert self.workdir is not None

        if (
            behind is not None
            and self.hosts.get(behind.name.removeprefix(f"{self.prefix}-")) is not behind
        ):
            raise ValueError(f"host {behind.name!r} is not a host of this lab")
        if behind is not None and behind.behind is not None:
            raise ValueError("a lab routes one level deep: put the host behind a direct host")

        upstream: Namespace = self.prober if behind is None else behind
        host = Host(f"{self.prefix}-{name}", len(self.hosts) + 1, self.workdir)
        host.behind = behind
        self._create_namespace(host)
        run_command(host.command(["nft", "-f", "-"]), stdin=NFT_RULESET)

        veth = (
            f"ip link add {host.prober_interface} address {host.prober_mac} netns {upstream.name}"
            f" type veth peer name {host.interface} address {host.mac} netns {host.name}"
        )
        run_command(veth.split())
        self._configure_link(
            upstream,
            host.prober_interface,
            (host.prober_ipv4, host.prober_ipv6),
            (host.ipv4, host.ipv6, host.mac),
        )
        self._configure_link(
            host,
            host.interface,
            (host.ipv4, host.ipv6),
            (host.prober_ipv4, host.prober_ipv6, host.prober_mac),
        )
        if behind is not None:
            self._route_through(behind, host)

        self.hosts[name] = host
        return host

    def _route_through(self, router: Host, host: Host) -> None:
        """Route between the prober and ``host`` through ``router``, in both directions."""
        router.set_sysctls(
            {"net.ipv4.ip_forward": "1", "net.ipv6.conf.all.forwarding": "1"},
        )
        prober_routes = [
            f"route add 10.203.{host.index}.0/24 via {router.ipv4}",
            f"route add fd00:203:{host.index}::/64 via {router.ipv6}",
        ]
        run_command(
            ["ip", "-netns", self.prober.name, "-batch", "-"], stdin="\n".join(prober_routes) + "\n"
        )
        # The prober's packets come from its end of the router's uplink.
        host_routes = [
            f"route add 10.203.0.0/16 via {host.prober_ipv4}",
            f"route add fd00:203::/32 via {host.prober_ipv6}",
        ]
        run_command(["ip", "-netns", host.name, "-batch", "-"], stdin="\n".join(host_routes) + "\n")

    @staticmethod
    def _configure_link(
        namespace: Namespace,
        interface: str,
        addresses: tuple[str, str],
        peer: tuple[str, str, str],
    ) -> None:
        ipv4, ipv6 = addresses
        peer_ipv4, peer_ipv6, peer_mac = peer
        # ARP off before the addresses exist: the kernel then joins no IPv6
        # solicited-node group, so it sends no MLD report either. The
        # permanent neighbour entries replace ARP and neighbour discovery.
        batch = [
            f"link set {interface} arp off",
            f"address add {ipv4}/24 dev {interface}",
            f"address add {ipv6}/64 dev {interface} nodad",
            f"neighbour add {peer_ipv4} lladdr {peer_mac} dev {interface} nud permanent",
            f"neighbour add {peer_ipv6} lladdr {peer_mac} dev {interface} nud permanent",
            f"link set {interface} up",
        ]
        run_command(["ip", "-netns", namespace.name, "-batch", "-"], stdin="\n".join(batch) + "\n")

    def add_resolver(
        self, records: Mapping[str, Sequence[str]], servfail: Sequence[str] = ()
    ) -> None:
        """Start dnsmasq on RESOLVER_ADDRESS port 53 inside the prober namespace.

        It serves the A and AAAA records in ``records`` (name to addresses,
        the family taken from each address), NXDOMAIN for every other name and
        REFUSED for any name in or under a domain of ``servfail``. glibc
        reports REFUSED as a temporary failure (EAI_AGAIN), as it does
        SERVFAIL. It forwards nothing. A resolver started before is replaced.
        """
        assert self.workdir is not None
        if shutil.which("dnsmasq") is None:
            raise LabError("dnsmasq not found: install dnsmasq-base")
        self._stop_resolver()

        lines = []
        for name, addresses in records.items():
            if not name or any(character.isspace() for character in name):
                raise ValueError(f"invalid DNS name {name!r}")
            for address in addresses:
                lines.append(f"{ip_address(address)} {name}")
        hosts_file = self.workdir / "resolver-hosts"
        hosts_file.write_text("\n".join(lines) + "\n")

        pid_file = self.workdir / "dnsmasq.pid"
        argv = [
            "dnsmasq",
            "--conf-file=/dev/null",
            "--no-resolv",
            "--no-hosts",
            "--no-poll",
            f"--addn-hosts={hosts_file}",
            f"--listen-address={RESOLVER_ADDRESS}",
            "--bind-interfaces",
            # "#" matches every domain, so a name missing from the hosts file
            # gets NXDOMAIN instead of being forwarded.
            "--local=/#/",
            # "#" as server means the standard servers. --no-resolv leaves
            # none, so dnsmasq returns REFUSED for these domains.
            *(f"--server=/{domain}/#" for domain in servfail),
            f"--pid-file={pid_file}",
            "--user=root",
            "--group=root",
            "--log-queries",
            f"--log-facility={self.workdir / 'dnsmasq.log'}",
        ]
        # dnsmasq forks and this command returns once the daemon listens, or
        # fails with the reason on stderr.
        run_command(self.prober.command(argv))
        self.resolver_pid = int(pid_file.read_text().strip())

    def _stop_resolver(self) -> None:
        if self.resolver_pid is None:
            return
        pid, self.resolver_pid = self.resolver_pid, None
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + STOP_TIMEOUT
        while pid in namespace_pids(self.prober.name) and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        """Stop the lab's processes and delete its namespaces and files.

        Safe to call twice. Raises LabError, after trying everything, when
        some namespace could not be deleted.
        """
        errors = []
        for namespace in reversed(self.namespaces):
            try:
                namespace.stop_processes()
                delete_namespace(namespace.name)
            except (LabError, OSError, subprocess.SubprocessError) as error:
                errors.append(f"{namespace.name}: {error}")
        self.namespaces.clear()
        self.hosts.clear()
        self.resolver_pid = None
        self._prober = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
        if errors:
            raise LabError("lab cleanup failed:\n" + "\n".join(errors))
