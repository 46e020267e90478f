"""Real SNMP agents for the namespace lab: net-snmp's snmpd in a host, snmpsim in the prober.

:func:`start_snmpd` runs snmpd inside a host namespace on the host's own
addresses, with a read-only v2c community and SNMPv3 users at authPriv.
Each instance keeps its configuration, persistent state and log in its own
directory under the lab's work directory, so a restart raises
snmpEngineBoots as a real reboot does. :func:`add_links` gives a host more
veth links to the prober, and :func:`send_udp` pushes traffic through one, so
that the IF-MIB counters that snmpd reports move. Example::

    with Lab() as lab:
        host = lab.add_host("a")
        links = add_links(lab, host, count=2)
        with start_snmpd(host) as agent:
            send_udp(lab.prober, links[0].host_ipv4, total_bytes=100_000)
            lab.prober.run(["snmpbulkwalk", "-v2c", "-c", agent.community,
                            agent.target(), "1.3.6.1.2.1.2.2.1.10"])

:func:`start_snmpsim` runs snmpsim on 127.0.0.1 of the prober namespace. It
serves recordings of real devices from the snmpsim-data package and the
hand-written recordings in ``recordings/``, each under a community equal to
its name (:data:`BUNDLED_RECORDINGS`, :data:`HAND_WRITTEN_RECORDINGS`).
:meth:`SnmpSimulator.serve` replaces the recording behind a community while
snmpsim runs, which turns the reboot pair into two consecutive polls with
sysUpTime going down.

Every agent listens only on lab addresses: a host's veth addresses or the
prober's loopback. Nothing here sends a packet outside the lab.
"""

from __future__ import annotations

import bz2
import grp
import importlib.util
import itertools
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv6Address, ip_address, ip_network
from pathlib import Path
from typing import Self

from .netns import Host, Lab, LabError, Namespace, run_command

RECORDINGS_DIR = Path(__file__).with_name("recordings")

# The net-snmp command-line tools and daemon, from the Debian packages snmp and snmpd.
NET_SNMP_TOOLS = ("snmpd", "snmpget", "snmpgetnext", "snmpwalk", "snmpbulkget", "snmpbulkwalk")
SNMPSIM_COMMAND = "snmpsim-command-responder"

SNMPD_PORTS = (161, 1161)
SNMPSIM_ADDRESS = "127.0.0.1"
SNMPSIM_PORTS = (1161,)
LAB_COMMUNITY = "pantau-lab"
# SNMPv3 users of every lab snmpd at authNoPriv (SHA) and noAuthNoPriv.
AUTH_ONLY_USER = "pantau-auth-only"
AUTH_ONLY_PASSPHRASE = "lab-auth-only"
NO_AUTH_USER = "pantau-no-auth"

# snmpd logs its version once its endpoints are open. snmpsim logs one
# "Listening at" line per endpoint after it has indexed every recording.
SNMPD_READY_LINE = "NET-SNMP version"
SNMPSIM_READY_PATTERN = re.compile(r"Listening at UDP/IPv[46] endpoint")
SNMPD_START_TIMEOUT = 30.0
# snmpsim indexes every recording before it listens. That took about 6 s
# for the default set on a 2-core machine, so this leaves room for a loaded one.
SNMPSIM_START_TIMEOUT = 120.0
STOP_TIMEOUT = 10.0
POLL_INTERVAL = 0.05

# Extra link K of host N: prober 10.204.N.(4K+1), host 10.204.N.(4K+2), a /30 each.
EXTRA_LINK_PREFIX = "10.204"
MAX_EXTRA_LINKS = 62

# Destinations that send_udp accepts: the lab's own links and loopback.
LAB_NETWORKS = tuple(
    ip_network(network)
    for network in ("10.203.0.0/16", "10.204.0.0/16", "fd00:203::/32", "127.0.0.0/8", "::1/128")
)
MAX_UDP_BYTES = 64 * 1024 * 1024
MAX_UDP_PAYLOAD = 65507

# Recordings of real devices in the snmpsim-data package, by community.
# netmanage and h3c-e528 return OIDs out of order in one subtree each, so a
# walk through it fails with "OID not increasing".
BUNDLED_RECORDINGS = {
    "cisco-c3560": "network/switch/cisco-c3560.snmprec.bz2",
    "juniper-mx960": "network/router/juniper-mx960-12-3r6-6.snmprec.bz2",
    "linux-net-snmp": "os/linux/unknown-002.snmprec.bz2",
    "netmanage": "os/linux/netmanage.snmprec.bz2",
    "h3c-e528": "network/switch/h3c-e528-2.snmprec.bz2",
}
HAND_WRITTEN_RECORDINGS = (
    "interfaces",
    "no-such",
    "reboot-after",
    "reboot-before",
    "table-end",
    "wrap",
)
# Communities that start with a copy of another recording, so that serve()
# can swap in the second half of a pair under the same name.
SWAPPABLE_COMMUNITIES = {"reboot": "reboot-before"}
COMMUNITY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

_instances = itertools.count(1)


def require_net_snmp() -> None:
    """Raise LabError naming the Debian packages when a net-snmp tool is missing."""
    missing = [name for name in NET_SNMP_TOOLS if shutil.which(name) is None]
    if missing:
        raise LabError(
            f"commands not found: {', '.join(missing)}: install the Debian packages "
            "snmpd and snmp (apt-get install -y snmpd snmp)"
        )


def snmpsim_command() -> str:
    """Return the path of snmpsim-command-responder for the running interpreter.

    The script beside ``sys.executable`` comes first, so that snmpsim runs on
    the same Python, with the same packages, as the tests.
    """
    beside_interpreter = Path(sys.executable).with_name(SNMPSIM_COMMAND)
    if beside_interpreter.exists():
        return str(beside_interpreter)
    found = shutil.which(SNMPSIM_COMMAND)
    if found is None:
        raise LabError(
            f"{SNMPSIM_COMMAND} not found: pip install snmpsim snmpsim-data "
            "into the Python that runs the tests"
        )
    return found


def snmpsim_data_dir() -> Path:
    """Return the directory of device recordings that the snmpsim-data package installs."""
    spec = importlib.util.find_spec("snmpsim_data")
    if spec is None or spec.origin is None:
        raise LabError("Python package snmpsim-data not found: pip install snmpsim-data")
    return Path(spec.origin).parent / "data"


def net_snmp_supports_aes256() -> bool:
    """Tell whether this net-snmp offers the AES-192 and AES-256 privacy protocols.

    They exist only when net-snmp was built with Blumenthal AES support
    (Debian's 5.9.3 is). The library that snmpd uses also prints the help
    text of snmpget, so the tool's help shows what the daemon accepts.
    """
    completed = subprocess.run(
        ["snmpget", "-h"], capture_output=True, text=True, timeout=10, check=False
    )
    return "AES-256" in completed.stdout + completed.stderr


@dataclass(frozen=True)
class SnmpUser:
    """SNMPv3 user at security level authPriv, with protocol names as net-snmp spells them.

    Example: ``SnmpUser("noc", "SHA", "auth-secret", "AES", "priv-secret")``.
    Passphrases need at least 8 characters.
    """

    name: str
    auth_protocol: str
    auth_passphrase: str
    privacy_protocol: str
    privacy_passphrase: str

    def net_snmp_options(self) -> list[str]:
        """Return the options that make a net-snmp tool speak as this user."""
        return [
            "-v3",
            "-l",
            "authPriv",
            "-u",
            self.name,
            "-a",
            self.auth_protocol,
            "-A",
            self.auth_passphrase,
            "-x",
            self.privacy_protocol,
            "-X",
            self.privacy_passphrase,
        ]


def default_users() -> tuple[SnmpUser, ...]:
    """Return the SNMPv3 users of a lab snmpd: SHA+AES-128, MD5+DES, and SHA-256+AES-256 and
    SHA-512+AES-192 if built.

    net-snmp's AES-256 stretches keys as the Blumenthal draft does (privacy
    protocol OID 1.3.6.1.4.1.14832.1.4). SHA-256 yields a 32-byte key, so no
    stretching happens and the Reeder variant computes the same key.
    """
    users = [
        SnmpUser("pantau-sha-aes", "SHA", "lab-auth-sha1", "AES", "lab-priv-aes128"),
        # The oldest pair, still the only one on many OPD routers.
        SnmpUser("pantau-md5-des", "MD5", "lab-auth-md5", "DES", "lab-priv-des"),
    ]
    if net_snmp_supports_aes256():
        users.append(
            SnmpUser(
                "pantau-sha256-aes256", "SHA-256", "lab-auth-sha256", "AES-256", "lab-priv-aes256"
            )
        )
        # SHA-512 keys are long enough for AES-192 without stretching.
        users.append(
            SnmpUser(
                "pantau-sha512-aes192", "SHA-512", "lab-auth-sha512", "AES-192", "lab-priv-aes192"
            )
        )
    return tuple(users)


@dataclass(frozen=True)
class Link:
    """Extra veth link between a host and the prober, made by :func:`add_links`.

    ``number`` is K in the addresses and in the host interface name ``eth<K>``.
    ``host_ifindex`` is the host interface's kernel index, which snmpd
    reports as its ifIndex.
    """

    number: int
    host_interface: str
    prober_interface: str
    host_ipv4: str
    prober_ipv4: str
    host_mac: str
    prober_mac: str
    host_ifindex: int


def interface_index(namespace: Namespace, interface: str) -> int:
    """Return the kernel index of ``interface`` in ``namespace``, which IF-MIB calls ifIndex."""
    output = run_command(
        ["ip", "-netns", namespace.name, "-json", "link", "show", "dev", interface]
    )
    return int(json.loads(output)[0]["ifindex"])


def _extra_link_numbers(host: Host) -> list[int]:
    output = run_command(["ip", "-netns", host.name, "-json", "link", "show"])
    numbers = []
    for link in json.loads(output):
        match = re.fullmatch(r"eth(\d+)", link["ifname"])
        if match and int(match[1]) > 0:
            numbers.append(int(match[1]))
    return numbers


def add_links(lab: Lab, host: Host, count: int = 2) -> list[Link]:
    """Join ``host`` to the prober by ``count`` more veth pairs and return them.

    Link K gets ``eth<K>`` with 10.204.N.(4K+2)/30 in the host and
    ``veth<N>e<K>`` with 10.204.N.(4K+1)/30 in the prober, where N is the
    host's number. Like the lab's first link, each is silent: ARP off,
    permanent neighbour entries, no IPv6 address. Calling again adds links
    after the existing ones.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    first = max(_extra_link_numbers(host), default=0) + 1
    if first + count - 1 > MAX_EXTRA_LINKS:
        raise LabError(f"a host has at most {MAX_EXTRA_LINKS} extra links")

    links = []
    for number in range(first, first + count):
        host_interface = f"eth{number}"
        prober_interface = f"veth{host.index}e{number}"
        host_ipv4 = f"{EXTRA_LINK_PREFIX}.{host.index}.{4 * number + 2}"
        prober_ipv4 = f"{EXTRA_LINK_PREFIX}.{host.index}.{4 * number + 1}"
        host_mac = f"02:00:00:cd:{host.index:02x}:{number:02x}"
        prober_mac = f"02:00:00:ce:{host.index:02x}:{number:02x}"

        run_command(
            [
                *("ip", "link", "add", prober_interface, "address", prober_mac),
                *("netns", lab.prober.name, "type", "veth"),
                *("peer", "name", host_interface, "address", host_mac, "netns", host.name),
            ]
        )
        _configure_extra_end(lab.prober, prober_interface, prober_ipv4, host_ipv4, host_mac)
        _configure_extra_end(host, host_interface, host_ipv4, prober_ipv4, prober_mac)

        links.append(
            Link(
                number=number,
                host_interface=host_interface,
                prober_interface=prober_interface,
                host_ipv4=host_ipv4,
                prober_ipv4=prober_ipv4,
                host_mac=host_mac,
                prober_mac=prober_mac,
                host_ifindex=interface_index(host, host_interface),
            )
        )
    return links


def _configure_extra_end(
    namespace: Namespace, interface: str, address: str, peer_address: str, peer_mac: str
) -> None:
    # ARP off and a permanent neighbour entry, as on the lab's first link, so
    # that the counters move only with the traffic a test sends.
    batch = [
        f"link set {interface} arp off",
        f"address add {address}/30 dev {interface}",
        f"neighbour add {peer_address} lladdr {peer_mac} dev {interface} nud permanent",
        f"link set {interface} up",
    ]
    run_command(["ip", "-netns", namespace.name, "-batch", "-"], stdin="\n".join(batch) + "\n")


def send_udp(
    namespace: Namespace,
    address: str,
    total_bytes: int,
    payload_size: int = 1000,
    port: int = 9,
) -> int:
    """Send UDP datagrams with at least ``total_bytes`` of payload and return their count.

    The sender runs inside ``namespace``. ``address`` must be a lab address
    (10.203.0.0/16, 10.204.0.0/16, fd00:203::/32 or loopback), and the
    total is capped at MAX_UDP_BYTES. Each datagram carries ``payload_size``
    bytes, so an IPv4 frame on a veth link is ``payload_size + 42`` bytes
    long (UDP 8, IPv4 20, Ethernet 14). Port 9 is the discard port: nothing
    listens there, so the receiver replies with rate-limited ICMP port
    unreachable messages.
    """
    destination = ip_address(address)
    if not any(destination in network for network in LAB_NETWORKS):
        raise ValueError(f"{address} is not a lab address: send_udp sends only inside the lab")
    if not 0 < total_bytes <= MAX_UDP_BYTES:
        raise ValueError(f"total_bytes must be between 1 and {MAX_UDP_BYTES}, not {total_bytes}")
    if not 0 < payload_size <= MAX_UDP_PAYLOAD:
        raise ValueError(
            f"payload_size must be between 1 and {MAX_UDP_PAYLOAD}, not {payload_size}"
        )

    count = -(-total_bytes // payload_size)
    family = "AF_INET6" if isinstance(destination, IPv6Address) else "AF_INET"
    code = (
        "import socket\n"
        f"sender = socket.socket(socket.{family}, socket.SOCK_DGRAM)\n"
        f"payload = bytes({payload_size})\n"
        f"for _ in range({count}):\n"
        f"    sender.sendto(payload, ({str(destination)!r}, {port}))\n"
    )
    namespace.python(code)
    return count


def _wait_for_log(
    process: subprocess.Popen[bytes],
    log_path: Path,
    offset: int,
    ready: re.Pattern[str],
    expected: int,
    timeout: float,
) -> None:
    """Wait until ``ready`` matches ``expected`` times in the log after ``offset``.

    Raises LabError with the log when the process exits first or ``timeout``
    seconds pass.
    """
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        if log_path.exists():
            with log_path.open("rb") as log:
                log.seek(offset)
                text = log.read().decode(errors="replace")
            if len(ready.findall(text)) >= expected:
                return
        if process.poll() is not None:
            raise LabError(
                f"{log_path.stem} exited with status {process.returncode} while starting. "
                f"Its log:\n{text.strip() or '(empty)'}"
            )
        time.sleep(POLL_INTERVAL)
    raise LabError(
        f"{log_path.stem} did not become ready within {timeout} s. Its log:\n"
        f"{text.strip() or '(empty)'}"
    )


def _bound_udp_ports(pid: int) -> set[int]:
    """Return the local ports of the UDP sockets that process ``pid`` has open.

    /proc/PID/net shows the network namespace of that process, so this works
    from outside the namespace. A socket counts once the kernel has bound it.
    """
    inodes = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = os.readlink(descriptor)
        except OSError:
            continue
        match = re.fullmatch(r"socket:\[(\d+)\]", link)
        if match:
            inodes.add(match[1])

    ports = set()
    for table in ("udp", "udp6"):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            # Fields: sl, local_address (hex address:hex port), rem_address,
            # st, tx_queue:rx_queue, tr:tm->when, retrnsmt, uid, timeout, inode.
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _wait_for_ports(
    process: subprocess.Popen[bytes], name: str, ports: Sequence[int], timeout: float
) -> None:
    """Wait until ``process`` has bound a UDP socket to every port in ``ports``.

    Raises LabError when the process exits first or ``timeout`` seconds pass.
    """
    deadline = time.monotonic() + timeout
    bound: set[int] = set()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LabError(f"{name} exited with status {process.returncode} while starting")
        try:
            bound = _bound_udp_ports(process.pid)
        except FileNotFoundError:
            bound = set()
        if bound >= set(ports):
            return
        time.sleep(POLL_INTERVAL)
    missing = ", ".join(str(port) for port in sorted(set(ports) - bound))
    raise LabError(f"{name} did not bind UDP ports {missing} within {timeout} s")


def _stop_process(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT)


class Snmpd:
    """net-snmp's snmpd running in a host namespace, as started by :func:`start_snmpd`.

    Attributes: ``address`` and ``ipv6`` (the host's addresses, where it
    listens), ``ports``, ``community`` (read-only, v1 and v2c), ``users``
    (SNMPv3, authPriv), ``directory`` (configuration, persistent state and
    log of this instance), ``config_path``, ``persistent_dir`` and
    ``log_path``. Use it as a context manager, or call :meth:`stop`.
    """

    def __init__(
        self, host: Host, community: str, users: Sequence[SnmpUser], ports: Sequence[int]
    ) -> None:
        if not ports:
            raise ValueError("snmpd needs at least one port")
        self.host = host
        self.address = host.ipv4
        self.ipv6 = host.ipv6
        self.ports = tuple(ports)
        self.community = community
        self.users = tuple(users)
        self.directory = host.workdir / f"snmpd-{host.name}-{next(_instances)}"
        self.config_dir = self.directory / "conf"
        self.config_path = self.config_dir / "snmpd.conf"
        self.persistent_dir = self.directory / "persistent"
        self.log_path = self.directory / "snmpd.log"
        self.pid_path = self.directory / "snmpd.pid"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        """First port that snmpd listens on, 161 by default."""
        return self.ports[0]

    def target(self, port: int | None = None, *, ipv6: bool = False) -> str:
        """Return the agent address in net-snmp's syntax, e.g. ``udp:10.203.1.2:161``."""
        chosen = self.port if port is None else port
        if ipv6:
            return f"udp6:[{self.ipv6}]:{chosen}"
        return f"udp:{self.address}:{chosen}"

    def _write_config(self) -> None:
        endpoints = [f"udp:{self.address}:{port}" for port in self.ports]
        endpoints += [f"udp6:[{self.ipv6}]:{port}" for port in self.ports]
        name = self.host.name.split("-", 1)[-1]
        lines = [
            "# Written by tests/lab/snmp.py for one lab host. Only the host's",
            "# own addresses are listed, so snmpd listens nowhere else.",
            f"agentAddress {','.join(endpoints)}",
            f"sysName lab-{name}",
            f"sysLocation lab host namespace {self.host.name}",
            "sysContact Pantau test lab",
            f"rocommunity {self.community} default",
            f"rocommunity6 {self.community} default",
        ]
        for user in self.users:
            lines.append(
                f"createUser {user.name} {user.auth_protocol} {user.auth_passphrase} "
                f"{user.privacy_protocol} {user.privacy_passphrase}"
            )
            lines.append(f"rouser {user.name} priv")
        # One user at each lower security level.
        lines.append(f"createUser {AUTH_ONLY_USER} SHA {AUTH_ONLY_PASSPHRASE}")
        lines.append(f"rouser {AUTH_ONLY_USER} auth")
        lines.append(f"createUser {NO_AUTH_USER}")
        lines.append(f"rouser {NO_AUTH_USER} noauth")
        self.config_dir.mkdir(parents=True, exist_ok=True)
        self.persistent_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text("\n".join(lines) + "\n")
        self.config_path.chmod(0o600)

    def start(self) -> Self:
        """Start snmpd and wait until it listens, keeping the persistent state of earlier runs."""
        if self.process is not None and self.process.poll() is None:
            raise LabError(f"snmpd in {self.host.name} is already running")
        require_net_snmp()
        if not self.config_path.exists():
            self._write_config()

        # SNMPCONFPATH replaces /etc/snmp and the other default directories,
        # and must list the persistent directory too: snmpd reads
        # engineBoots and the engine ID back from there. -C would skip it.
        environment = dict(os.environ)
        environment["SNMPCONFPATH"] = f"{self.config_dir}:{self.persistent_dir}"
        environment["SNMP_PERSISTENT_DIR"] = str(self.persistent_dir)
        argv = [
            "snmpd",
            "-f",
            # -A appends to the log: without it a restart truncates the log.
            "-A",
            "-Lf",
            str(self.log_path),
            "-p",
            str(self.pid_path),
            # No MIB files: snmpd needs none, and without /etc/snmp/snmp.conf
            # it would try the default list and log a warning for each.
            "-m",
            "",
        ]
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.process = self.host.popen(
            argv, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        ready = re.compile(re.escape(SNMPD_READY_LINE))
        try:
            _wait_for_log(self.process, self.log_path, offset, ready, 1, SNMPD_START_TIMEOUT)
            _wait_for_ports(self.process, "snmpd", self.ports, SNMPD_START_TIMEOUT)
        except LabError:
            _stop_process(self.process)
            raise
        return self

    def stop(self) -> None:
        """Stop snmpd with SIGTERM, which makes it save its persistent state first."""
        _stop_process(self.process)

    def restart(self) -> None:
        """Stop and start snmpd with the same directories, so snmpEngineBoots goes up by one."""
        self.stop()
        self.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_snmpd(
    host: Host,
    *,
    community: str = LAB_COMMUNITY,
    users: Sequence[SnmpUser] | None = None,
    ports: Sequence[int] = SNMPD_PORTS,
) -> Snmpd:
    """Start net-snmp's snmpd in ``host``'s namespace and return its handle.

    It listens on the host's IPv4 and IPv6 addresses at each port in
    ``ports``, accepts ``community`` read-only and ``users`` (by default
    :func:`default_users`) at authPriv, and runs in the foreground as root
    with its own configuration, persistent directory, pid file and log.
    """
    agent = Snmpd(host, community, default_users() if users is None else users, ports)
    return agent.start()


def default_recordings() -> dict[str, Path]:
    """Map each community that :func:`start_snmpsim` serves by default to its recording."""
    data = snmpsim_data_dir()
    recordings = {community: data / path for community, path in BUNDLED_RECORDINGS.items()}
    for name in HAND_WRITTEN_RECORDINGS:
        recordings[name] = RECORDINGS_DIR / f"{name}.snmprec"
    for community, source in SWAPPABLE_COMMUNITIES.items():
        recordings[community] = RECORDINGS_DIR / f"{source}.snmprec"
    return recordings


# net-snmp protocol names to snmpsim's. net-snmp's AES-192 and AES-256 stretch
# keys as the Blumenthal draft does, which snmpsim calls *BLMT.
SNMPSIM_AUTH_PROTOCOLS = {
    "MD5": "MD5",
    "SHA": "SHA",
    "SHA-224": "SHA224",
    "SHA-256": "SHA256",
    "SHA-384": "SHA384",
    "SHA-512": "SHA512",
}
SNMPSIM_PRIVACY_PROTOCOLS = {
    "DES": "DES",
    "AES": "AES",
    "AES-192": "AES192BLMT",
    "AES-256": "AES256BLMT",
}


def _snmpsim_protocol(names: Mapping[str, str], protocol: str) -> str:
    try:
        return names[protocol]
    except KeyError:
        raise ValueError(
            f"snmpsim has no protocol {protocol!r}: use one of {', '.join(names)}"
        ) from None


def _read_recording(path: Path) -> bytes:
    if not path.exists():
        raise LabError(f"recording {path} not found")
    if path.suffix == ".bz2":
        return bz2.decompress(path.read_bytes())
    return path.read_bytes()


class SnmpSimulator:
    """snmpsim's command responder in a namespace, as started by :func:`start_snmpsim`.

    Each recording is served under its own community (and, for SNMPv3, as
    the context name). ``address`` and ``port`` give the first endpoint and
    ``ports`` all of them. ``user`` is the SNMPv3 user, ``data_dir``
    contains the served copies and ``log_path`` is the simulator's log.
    """

    def __init__(
        self,
        lab: Lab,
        recordings: Mapping[str, Path],
        address: str,
        ports: Sequence[int],
        user: SnmpUser,
    ) -> None:
        if not ports:
            raise ValueError("snmpsim needs at least one port")
        for community in recordings:
            if not COMMUNITY_PATTERN.match(community):
                raise ValueError(
                    f"invalid community {community!r}: use up to 64 letters, digits, "
                    "'.', '_' or '-', starting with a letter or digit"
                )
        assert lab.workdir is not None
        self.namespace = lab.prober
        self.recordings = dict(recordings)
        self.address = address
        self.ports = tuple(ports)
        self.user = user
        self.directory = lab.workdir / f"snmpsim-{next(_instances)}"
        self.data_dir = self.directory / "data"
        self.cache_dir = self.directory / "cache"
        self.log_path = self.directory / "snmpsim.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        """First port that snmpsim listens on."""
        return self.ports[0]

    def target(self, port: int | None = None) -> str:
        """Return the agent address in net-snmp's syntax, e.g. ``udp:127.0.0.1:1161``."""
        return f"udp:{self.address}:{self.port if port is None else port}"

    def community(self, name: str) -> str:
        """Return the community that serves recording ``name``, or raise KeyError if none does."""
        if name not in self.recordings:
            raise KeyError(
                f"no recording named {name!r}: served are {', '.join(sorted(self.recordings))}"
            )
        return name

    def _assemble(self) -> None:
        # Plain text, not .bz2: snmpsim seeks in a recording for each request,
        # and a backward seek in a bz2 stream decompresses from the start.
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        for community, source in self.recordings.items():
            (self.data_dir / f"{community}.snmprec").write_bytes(_read_recording(source))

    def start(self) -> Self:
        """Start snmpsim and wait until it listens on every port."""
        if self.process is not None and self.process.poll() is None:
            raise LabError("snmpsim is already running")
        command = snmpsim_command()
        self._assemble()

        # snmpsim 1.2.2 started as root exits with "Must drop privileges"
        # unless --process-user and --process-group name a user to switch to,
        # and nobody, the usual choice, cannot read a Python under /root.
        # Naming the current user keeps the process as it is.
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        auth_protocol = _snmpsim_protocol(SNMPSIM_AUTH_PROTOCOLS, self.user.auth_protocol)
        privacy_protocol = _snmpsim_protocol(SNMPSIM_PRIVACY_PROTOCOLS, self.user.privacy_protocol)
        argv = [
            command,
            f"--data-dir={self.data_dir}",
            f"--cache-dir={self.cache_dir}",
            f"--process-user={user}",
            f"--process-group={group}",
            f"--logging-method=file:{self.log_path}",
            "--log-level=info",
            f"--v3-user={self.user.name}",
            f"--v3-auth-key={self.user.auth_passphrase}",
            f"--v3-auth-proto={auth_protocol}",
            f"--v3-priv-key={self.user.privacy_passphrase}",
            f"--v3-priv-proto={privacy_protocol}",
        ]
        option = "--agent-udpv6-endpoint" if ":" in self.address else "--agent-udpv4-endpoint"
        host = f"[{self.address}]" if ":" in self.address else self.address
        argv += [f"{option}={host}:{port}" for port in self.ports]

        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with (self.directory / "snmpsim.stderr").open("ab") as stderr:
            self.process = self.namespace.popen(argv, stdout=stderr, stderr=stderr)
        # snmpsim logs "Listening at" before its asyncio loop has bound the
        # socket and before it loads its MIB modules. A request sent then
        # meets a closed port, so the socket itself is what tells readiness.
        try:
            _wait_for_log(
                self.process,
                self.log_path,
                offset,
                SNMPSIM_READY_PATTERN,
                len(self.ports),
                SNMPSIM_START_TIMEOUT,
            )
            _wait_for_ports(self.process, "snmpsim", self.ports, SNMPSIM_START_TIMEOUT)
        except LabError:
            _stop_process(self.process)
            raise
        return self

    def serve(self, community: str, recording: Path) -> None:
        """Serve ``recording`` under ``community`` from the next request on.

        snmpsim maps communities to files only when it starts, so the
        community must be one it serves already. The file is replaced
        atomically while snmpsim runs. snmpsim compares whole-second
        modification times, and rebuilds its index only for a recording
        newer than the index. So the new file gets a modification time at
        least 2 s later than both the old file and the present, which
        satisfies both checks.
        """
        self.community(community)
        target = self.data_dir / f"{community}.snmprec"
        staging = self.data_dir / f".{community}.staging"
        staging.write_bytes(_read_recording(recording))
        stamp = max(time.time(), target.stat().st_mtime) + 2
        os.utime(staging, (stamp, stamp))
        os.replace(staging, target)
        self.recordings[community] = recording

    def stop(self) -> None:
        """Stop snmpsim."""
        _stop_process(self.process)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


SNMPSIM_USER = SnmpUser("pantau-lab-sim", "SHA", "lab-auth-sim", "AES", "lab-priv-sim")


def start_snmpsim(
    lab: Lab,
    recordings: Mapping[str, Path] | None = None,
    *,
    address: str = SNMPSIM_ADDRESS,
    ports: Sequence[int] = SNMPSIM_PORTS,
    user: SnmpUser = SNMPSIM_USER,
) -> SnmpSimulator:
    """Start snmpsim in the lab's prober namespace and return its handle.

    ``recordings`` maps each community to a .snmprec or .snmprec.bz2 file,
    by default :func:`default_recordings`. snmpsim listens on ``address``
    (loopback of the prober namespace) at each port in ``ports``. It serves
    v1 and v2c requests by community, and SNMPv3 requests from ``user`` with
    the community as context name. Startup takes seconds because snmpsim
    indexes every recording first.
    """
    if not ip_address(address).is_loopback:
        raise ValueError(f"snmpsim listens on loopback only, not {address}")
    chosen = default_recordings() if recordings is None else recordings
    return SnmpSimulator(lab, chosen, address, ports, user).start()


@dataclass(frozen=True)
class SnmprecRecord:
    """Line of a .snmprec recording: OID, type tag and value, as snmpsim reads them.

    A tag is the BER tag class and number added up: 2 Integer32, 4 OCTET STRING (``4x`` for a
    hex value), 6 OBJECT IDENTIFIER, 64 IpAddress, 65 Counter32, 66 Gauge32,
    67 TimeTicks, 70 Counter64, 128 noSuchObject, 129 noSuchInstance, 130
    endOfMibView. A tag may carry a variation module, as in ``67:numeric``.
    """

    oid: tuple[int, ...]
    tag: str
    value: str

    def format(self) -> str:
        """Return the record as one line of a .snmprec file, without the newline."""
        return f"{'.'.join(str(part) for part in self.oid)}|{self.tag}|{self.value}"


SNMPREC_TAG = re.compile(r"^\d+x?(:[a-z]+)?$")


def parse_snmprec_line(line: str) -> SnmprecRecord | None:
    """Parse one line of a .snmprec file, returning None for a comment or a blank line.

    Raises ValueError for a line that is neither.
    """
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    parts = stripped.split("|", 2)
    if len(parts) != 3:
        raise ValueError(f"invalid snmprec line {line!r}: expected OID|TAG|VALUE")
    oid_text, tag, value = parts
    if not re.fullmatch(r"\d+(\.\d+)+", oid_text):
        raise ValueError(f"invalid OID {oid_text!r} in snmprec line {line!r}")
    if not SNMPREC_TAG.match(tag):
        raise ValueError(f"invalid tag {tag!r} in snmprec line {line!r}")
    return SnmprecRecord(tuple(int(part) for part in oid_text.split(".")), tag, value)


def read_snmprec(path: Path) -> list[SnmprecRecord]:
    """Read every record of a .snmprec or .snmprec.bz2 file, in file order.

    snmpsim decodes recordings as ISO-8859-1, so this does too.
    """
    text = _read_recording(path).decode("iso-8859-1")
    records = []
    for line in text.splitlines():
        record = parse_snmprec_line(line)
        if record is not None:
            records.append(record)
    return records


@dataclass(frozen=True)
class Varbind:
    """Variable binding as a net-snmp tool prints it with ``-On``.

    ``type`` is net-snmp's label (``INTEGER``, ``STRING``, ``Hex-STRING``,
    ``Counter32``, ``Timeticks``...) or, for an exception, ``noSuchObject``,
    ``noSuchInstance`` or ``endOfMibView``. ``text`` is the rest of the output.
    """

    oid: str
    type: str
    text: str

    def number(self) -> int:
        """Return the value of a numeric type, or for Timeticks the ticks in brackets."""
        if self.type == "Timeticks":
            match = re.match(r"\((\d+)\)", self.text)
            if match is None:
                raise ValueError(f"invalid Timeticks output {self.text!r} for {self.oid}")
            return int(match[1])
        return int(self.text)

    def octets(self) -> bytes:
        """Return the bytes of a STRING (assumed UTF-8 in the output) or Hex-STRING."""
        if self.type == "Hex-STRING":
            return bytes.fromhex("".join(self.text.split()))
        if self.type == "STRING":
            return self.string().encode()
        raise ValueError(f"{self.oid} is {self.type}, not a string")

    def string(self) -> str:
        """Return a STRING value without net-snmp's surrounding quotes."""
        if self.type != "STRING":
            raise ValueError(f"{self.oid} is {self.type}, not STRING")
        text = self.text
        if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
            text = text[1:-1]
        return text


NET_SNMP_EXCEPTIONS = {
    "No Such Object available on this agent at this OID": "noSuchObject",
    "No Such Instance currently exists at this OID": "noSuchInstance",
    "No more variables left in this MIB View (It is past the end of the MIB tree)": "endOfMibView",
}
VARBIND_LINE = re.compile(r"^\.?(?P<oid>\d+(?:\.\d+)+) = (?P<rest>.*)$")
TYPED_VALUE = re.compile(r"^(?P<type>[A-Za-z][A-Za-z0-9 -]*?): (?P<text>.*)$", re.DOTALL)


def parse_varbinds(output: str) -> list[Varbind]:
    """Parse the stdout of snmpget, snmpwalk or snmpbulkwalk run with ``-On``.

    A line that does not start with ``OID =`` continues the value above it,
    as in a multi-line STRING or a long Hex-STRING. A value printed without
    a type label (``""``, an empty string) gets the type STRING.
    """
    varbinds: list[tuple[str, list[str]]] = []
    for line in output.splitlines():
        match = VARBIND_LINE.match(line)
        if match:
            varbinds.append((match["oid"], [match["rest"]]))
        elif varbinds:
            varbinds[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"output does not start with a varbind: {line!r}")

    parsed = []
    for oid, lines in varbinds:
        rest = "\n".join(lines)
        if rest.strip() in NET_SNMP_EXCEPTIONS:
            parsed.append(Varbind(oid, NET_SNMP_EXCEPTIONS[rest.strip()], ""))
            continue
        typed = TYPED_VALUE.match(rest)
        if typed is None:
            parsed.append(Varbind(oid, "STRING", rest))
        else:
            parsed.append(Varbind(oid, typed["type"], typed["text"].rstrip(" \n")))
    return parsed
