"""Load the TOML inventory into validated, immutable objects.

``load`` parses the file with tomllib, checks every key in one pass and returns
an ``Inventory`` of frozen dataclasses. When anything is wrong it raises
``ConfigError`` with one ``Problem`` per fault. Each problem renders in
Indonesian or English as ``file:line: key: text``, and the text names the bad
value and the fix::

    targets.toml:41: targets[3].parent: parent "core-ruter" not found; use the
    name of one of the targets, for example "core-router"

Secrets never live in the file. Keys ending in ``_env`` name environment
variables, and their values are wrapped in ``Secret``, which prints as a mask.
Addresses in the documentation ranges are valid but mark their target as a
placeholder, which the daemon reports as not yet configured and never probes.
"""

from __future__ import annotations

import codecs
import decimal
import difflib
import ipaddress
import json
import logging
import math
import os
import re
import ssl
import tomllib
import warnings
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, TypeVar

import yaml

from monitor import config_services
from monitor.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate

# The ICMP probe checks resolved addresses with the same function, and probes/
# may not import monitor/, so the ranges are defined there and re-exported here.
from probes.addresses import (
    DOCUMENTATION_NETWORKS,
    is_placeholder_address,
    unusable_target_reason,
)
from probes.snmp import CUSTOM_KINDS
from probes.snmp_profiles import PROFILES

if TYPE_CHECKING:
    from monitor.config_services import DnsSettings, HttpSettings, TcpSettings, TlsSettings
    from monitor.maintenance import CronError

__all__ = [
    "CONFIG_ENV",
    "DOCUMENTATION_NETWORKS",
    "EXPECTATIONS",
    "PROBE_KINDS",
    "REPOSITORY_CONFIG_PATH",
    "SEVERITIES",
    "SYSTEM_CONFIG_PATH",
    "AlertSettings",
    "CatalogueText",
    "Channel",
    "ConfigError",
    "Credential",
    "CustomOidSettings",
    "DaemonSettings",
    "FlapSettings",
    "IcmpSettings",
    "InterfaceFilter",
    "Inventory",
    "MaintenanceWindow",
    "Problem",
    "Secret",
    "SnmpDefaults",
    "SnmpSettings",
    "Target",
    "TargetSettings",
    "Thresholds",
    "WebConfig",
    "find_config_path",
    "format_duration",
    "format_speed",
    "is_placeholder_address",
    "is_valid_hostname",
    "load",
    "load_tls_context",
    "parse_duration",
    "parse_listen",
    "parse_percentage",
    "parse_rate",
    "parse_speed",
]

_T = TypeVar("_T")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
KeyPath = tuple[str | int, ...]

CONFIG_ENV: Final = "PANTAU_CONFIG"
SYSTEM_CONFIG_PATH: Final = Path("/etc/pantau/targets.toml")
REPOSITORY_CONFIG_PATH: Final = Path("config/targets.toml")

PROBE_KINDS: Final = ("icmp", "snmp", "tcp", "http", "tls", "dns")
FAMILIES: Final = ("auto", "ip4", "ip6")
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SNMP_VERSIONS: Final = ("1", "2c", "3")
SECURITY_LEVELS: Final = ("noAuthNoPriv", "authNoPriv", "authPriv")
# Protocol names in gosnmp's spelling (net-snmp 5.9 writes SHA-224 and AES-192).
# pysnmp 7.1 implements each one. AES192 and AES256 are the Blumenthal variants
# that net-snmp uses, and AES192C and AES256C the variants that Cisco uses.
AUTH_PROTOCOLS: Final = ("MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512")
PRIV_PROTOCOLS: Final = ("DES", "3DES", "AES", "AES192", "AES256", "AES192C", "AES256C")
# net-snmp 5.9.3 rejects a USM passphrase shorter than this:
# "passphrase chosen is below the length requirements of the USM (min=8)".
MIN_USM_PASSPHRASE: Final = 8

MIN_INTERVAL: Final = 1.0
MAX_INTERVAL: Final = 86_400.0
MIN_TIMEOUT: Final = 0.001
MAX_TIMEOUT: Final = 3_600.0
MIN_PACKET_INTERVAL: Final = 0.001
MAX_PAYLOAD_SIZE: Final = 1472  # 1500-byte MTU minus the IPv4 and ICMP headers
MAX_PACKET_COUNT: Final = 100
MAX_CYCLES: Final = 100  # upper bound of down_after and up_after
MIN_FLAP_WINDOW: Final = 1.0
MAX_FLAP_WINDOW: Final = 86_400.0
# Flapping counts changes among up, down and degraded, which come from probe
# cycles at least MIN_INTERVAL (1 s) apart, so about this many changes at most
# fit in the longest window (an estimate: two probes of one target can each
# change it once per cycle).
MAX_FLAP_CHANGES: Final = 86_400
# Reminders more often than this would flood a chat channel with repeats.
MIN_REMIND_EVERY: Final = 60.0
MAX_GROUP_WINDOW: Final = 600.0
# Telegram accepts at most 4096 characters per message (Bot API sendMessage)
# and Discord 2000 (message content). Below 200, one alert line (target,
# status and reason) may not fit.
MIN_MESSAGE_LENGTH: Final = 200
# Far above any chat service's limit, so only a slip in digits reaches it.
MAX_MESSAGE_LENGTH: Final = 1_000_000
EXPECTATIONS: Final = ("reachable", "unreachable")

DEFAULT_LISTEN: Final = ("127.0.0.1", 9470)
DEFAULT_DATABASE: Final = "pantau.db"
DEFAULT_TIMEZONE: Final = "Asia/Jakarta"
DEFAULT_LOG_LEVEL: Final = "INFO"
DEFAULT_PROBES: Final = ("icmp",)
DEFAULT_SNMP_PORT: Final = 161
DEFAULT_SNMP_PROFILES: Final = ("system", "interfaces")
# SNMP defaults, equal to those of probes.snmp.SnmpRequest.
DEFAULT_SNMP_TIMEOUT: Final = 2.0
DEFAULT_SNMP_RETRIES: Final = 1
DEFAULT_MAX_REPETITIONS: Final = 25
DEFAULT_MAX_ROWS: Final = 10_000
DEFAULT_MAX_REQUESTS: Final = 1_000
DEFAULT_CHARSET: Final = "latin-1"

MAX_SNMP_RETRIES: Final = 10
MAX_REPETITIONS: Final = 200
MAX_ROWS: Final = 1_000_000
MAX_REQUESTS: Final = 100_000
MAX_IF_TYPE: Final = 2**31 - 1  # ifType is an enumerated INTEGER (IANAifType) from 1
# SMIv2 limits of an OID (RFC 2578, section 3.5): at most 128 arcs, each at most 2**32 - 1.
MAX_OID_ARCS: Final = 128
MAX_OID_ARC: Final = 2**32 - 1
MIN_SPEED: Final = 1.0  # bits per second
# 1000 Tbit/s: far above any interface, so only a slip in digits or unit reaches it.
MAX_SPEED: Final = 1e15
# Labels that Pantau sets on SNMP metrics itself, so a custom OID's index may not use them.
RESERVED_LABELS: Final = ("target", "group", "network", "if_index", "if_name", "if_alias")

# Target, credential and channel names become Prometheus label values and
# command-line arguments, so they stay within a shell-safe alphabet.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HOSTNAME_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_DURATION_PART = r"[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h|d)"
# One or more parts, as Prometheus writes durations: "30s", "1m30s", "1h15m".
_DURATION = re.compile(rf"(?:{_DURATION_PART})+")
_DURATION_PARTS = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]+)?)(?P<unit>ms|s|m|h|d)")
_UNIT_SECONDS: Final = {
    "ms": Decimal("0.001"),
    "s": Decimal(1),
    "m": Decimal(60),
    "h": Decimal(3600),
    "d": Decimal(86400),
}
_SPEED = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]+)?)(?P<unit>bps|kbps|Mbps|Gbps)")
# SI prefixes, decimal: 1 kbps = 1000 bps, as ifSpeed and ifHighSpeed count.
_UNIT_BPS: Final = {"bps": 1, "kbps": 10**3, "Mbps": 10**6, "Gbps": 10**9}
_OID_TEXT = re.compile(r"\.?[0-9]+(?:\.[0-9]+)*", re.ASCII)
# Custom OID names become part of metric names, and index labels become label
# names, so both stay within Prometheus' alphabet.
_METRIC_NAME = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)
_LABEL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*", re.ASCII)
_PERCENTAGE = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]+)?)%")
_RATE = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]+)?)/(?P<unit>s|min)")
_RATE_UNIT_PER_MINUTE: Final = {"s": 60, "min": 1}
_CLOCK_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
# Seconds of float rounding to absorb, so that a burst exactly as long as the
# interval counts as too long.
_BURST_TOLERANCE = 1e-9


# Durations, addresses and listen addresses ------------------------------------------


def parse_duration(text: str) -> float:
    """Convert a duration such as "500ms", "1.5s", "5m", "1h", "21d" or "1m30s" to seconds.

    Raises ValueError for anything else, a bare number included.
    """
    if _DURATION.fullmatch(text) is None:
        raise ValueError(
            f"invalid duration {text!r}: expected a number and a unit (ms, s, m, h, d)"
        )
    total = sum(
        Decimal(part["number"]) * _UNIT_SECONDS[part["unit"]]
        for part in _DURATION_PARTS.finditer(text)
    )
    return float(total)


def format_duration(seconds: float) -> str:
    """Write ``seconds`` as the shortest duration string that parse_duration reads back."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"cannot format {seconds!r} as a duration")
    milliseconds = Decimal(repr(seconds)) * 1000
    if milliseconds == 0:
        return "0s"

    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        try:
            whole = milliseconds >= size and milliseconds % size == 0
        except decimal.InvalidOperation:  # the quotient has more digits than the context
            whole = False
        if whole:
            return f"{_plain_decimal(milliseconds / size)}{unit}"

    if milliseconds >= 1000:
        return f"{_plain_decimal(milliseconds / 1000)}s"
    return f"{_plain_decimal(milliseconds)}ms"


def _plain_decimal(number: Decimal) -> str:
    return format(number.normalize(), "f")


def parse_speed(text: str) -> float:
    """Convert an interface speed such as "100Mbps", "1.5Gbps" or "64kbps" to bits per second.

    The units are bps, kbps, Mbps and Gbps, written exactly so, with decimal
    prefixes (1 kbps = 1000 bps). Raises ValueError for anything else, a bare
    number included.
    """
    match = _SPEED.fullmatch(text)
    if match is None:
        raise ValueError(
            f"invalid speed {text!r}: expected a number and a unit (bps, kbps, Mbps, Gbps)"
        )
    return float(Decimal(match["number"]) * _UNIT_BPS[match["unit"]])


def format_speed(bits_per_second: float) -> str:
    """Write a speed in the largest unit it reaches, as parse_speed reads it back: "100Mbps"."""
    if not math.isfinite(bits_per_second) or bits_per_second < 0:
        raise ValueError(f"cannot format {bits_per_second!r} as a speed")
    # repr gives at most 17 significant digits, so dividing by a power of ten is exact.
    value = Decimal(repr(bits_per_second))
    for unit in ("Gbps", "Mbps", "kbps"):
        if value >= _UNIT_BPS[unit]:
            return f"{_plain_decimal(value / _UNIT_BPS[unit])}{unit}"
    return f"{_plain_decimal(value)}bps"


def parse_percentage(text: str) -> float:
    """Convert a percentage such as "20%" or "20.5%" to a fraction (0.2, 0.205).

    The decimal separator is a dot. Raises ValueError for anything else, a
    bare number and "20,5%" included. The range is not checked.
    """
    match = _PERCENTAGE.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid percentage {text!r}: expected a number and a percent sign")
    return float(Decimal(match["number"]) / 100)


def parse_rate(text: str) -> float:
    """Convert a message rate such as "20/min" or "1/s" to messages per minute.

    Raises ValueError for anything else, a bare number included. Zero is
    returned as 0.0, so the caller decides whether it is allowed.
    """
    match = _RATE.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid rate {text!r}: expected a number, a slash and s or min")
    return float(Decimal(match["number"]) * _RATE_UNIT_PER_MINUTE[match["unit"]])


def is_valid_hostname(text: str) -> bool:
    """Return whether ``text`` is a host name per RFC 1123 (a trailing dot is allowed)."""
    return _hostname_fault(text) is None


def parse_listen(text: str) -> tuple[str, int]:
    """Split a listen address "host:port" or "[ipv6]:port" into host and port.

    The host is an IP literal or a host name; IPv6 is returned without brackets.
    Raises ValueError when the text has another form or the port is not 1..65535.
    """
    host, port_text = _split_listen(text)
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port} of listen address {text!r} is not in 1..65535")
    return host, port


def _split_listen(text: str) -> tuple[str, str]:
    bracketed = re.fullmatch(r"\[(?P<host>[^\[\]]+)\]:(?P<port>[0-9]{1,5})", text)
    if bracketed is not None:
        ipaddress.IPv6Address(bracketed["host"])  # raises ValueError
        return bracketed["host"], bracketed["port"]

    plain = re.fullmatch(r"(?P<host>[^:\[\]]+):(?P<port>[0-9]{1,5})", text)
    if plain is None:
        raise ValueError(f"listen address {text!r} is not host:port or [ipv6]:port")
    host = plain["host"]
    if not _is_ipv4(host) and not is_valid_hostname(host):
        raise ValueError(f"host {host!r} of listen address {text!r} is invalid")
    return host, plain["port"]


def _is_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _hostname_fault(text: str) -> tuple[str, dict[str, object]] | None:
    """Return the message code and parameters of what makes ``text`` no host name."""
    name = text[:-1] if text.endswith(".") else text
    if not name or re.search(r"[^A-Za-z0-9.-]", name):
        return "invalid_address", {}
    if len(name) > 253:
        return "hostname_too_long", {"length": len(name)}
    labels = name.split(".")
    for label in labels:
        if not _HOSTNAME_LABEL.fullmatch(label):
            return "invalid_hostname_label", {"label": _show(label)}
    # An all-numeric top label would make "192.0.2.300" a host name (RFC 3696, section 2).
    if labels[-1].isdigit():
        return "invalid_address", {}
    return None


def _address_fault(text: str) -> tuple[str, dict[str, object]] | None:
    """Return the message code and parameters of what makes ``text`` no target address."""
    if ":" in text:
        with_port = re.fullmatch(r"(?P<host>[^:\[\]]+):[0-9]+|\[(?P<v6>[^\[\]]+)\]:[0-9]+", text)
        if with_port is not None:
            return "address_with_port", {"host": _show(with_port["host"] or with_port["v6"])}
        return "invalid_ipv6", {}
    if re.fullmatch(r"[0-9.]+", text):
        return "invalid_ipv4", {}
    return _hostname_fault(text)


# Value types --------------------------------------------------------------------------


class Secret:
    """Value of an environment variable, masked in ``repr`` and ``str``.

    Both show only the variable's name, so a secret can sit in any object that
    gets logged, and ``reveal`` returns the value. A secret whose variable is
    not set exists only in credentials that no probed target uses.

    >>> secret = Secret("PANTAU_SNMP_COMMUNITY", "s3cret")
    >>> secret
    Secret(PANTAU_SNMP_COMMUNITY=******)
    >>> secret.reveal()
    's3cret'
    """

    __slots__ = ("_env", "_value")

    _env: str
    _value: str | None

    def __init__(self, env: str, value: str | None) -> None:
        object.__setattr__(self, "_env", env)
        object.__setattr__(self, "_value", value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Secret is immutable; cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Secret is immutable; cannot delete {name}")

    @property
    def env(self) -> str:
        """Name of the environment variable that contains the value."""
        return self._env

    @property
    def is_set(self) -> bool:
        """Whether the environment variable was set when the configuration was loaded."""
        return self._value is not None

    def reveal(self) -> str:
        """Return the value, or raise LookupError when the variable was not set."""
        if self._value is None:
            raise LookupError(f"environment variable {self._env} is not set")
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self._env}=******)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return self._env == other._env and self._value == other._value

    def __hash__(self) -> int:
        return hash((Secret, self._env))


@dataclass(frozen=True, slots=True)
class IcmpSettings:
    """Shape of one ICMP echo burst: packets per cycle, their spacing and payload."""

    count: int = 5
    packet_interval: float = 0.2  # seconds between two echo requests
    payload_size: int = 56  # bytes of ICMP payload, as ping(8) counts them


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Limits past which a target that still replies is degraded.

    Fractions are between 0 and 1, ``rtt`` is in seconds and is compared
    with the median round-trip time of one cycle. None switches a limit off.
    A limit must stay crossed for ``sustain`` seconds before the target is
    degraded, so that one slow cycle on a busy link raises nothing.
    """

    loss: float | None = 0.2
    rtt: float | None = 0.25
    utilisation: float | None = 0.9  # of any polled interface, receive or transmit
    cpu: float | None = 0.9
    memory: float | None = 0.95
    disk: float | None = 0.9  # of the fullest file system
    response: float | None = 2.0  # seconds, total time of one service check
    # Seconds a certificate must still be valid; the default is 21 days.
    cert_expiry: float | None = 1_814_400.0
    sustain: float = 120.0


@dataclass(frozen=True, slots=True)
class FlapSettings:
    """A target whose status changes more than ``changes`` times in ``window`` seconds flaps.

    It stays flapping, with one notice at the start and one at the end, until
    its status has not changed for ``window`` seconds.
    """

    changes: int = 4
    window: float = 1800.0


@dataclass(frozen=True, slots=True)
class TargetSettings:
    """Timing and status rules of a target, from [defaults] and its own overrides.

    Times are in seconds. ``down_after`` and ``up_after`` count consecutive
    cycles before the status changes. ``remind_every`` repeats the alert of
    a target that stays down or degraded; 0 switches reminders off.
    """

    interval: float = 30.0
    timeout: float = 2.0
    down_after: int = 3
    up_after: int = 2
    family: str = "auto"  # "auto", "ip4" or "ip6": which address of a host name to probe
    icmp: IcmpSettings = field(default_factory=IcmpSettings)
    degraded: Thresholds = field(default_factory=Thresholds)
    flap: FlapSettings = field(default_factory=FlapSettings)
    remind_every: float = 14400.0


def _empty_speeds() -> Mapping[str, float]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class InterfaceFilter:
    """Interfaces that an SNMP poll keeps, by interface name and ifType number.

    ``include`` and ``exclude`` are regular expressions (Python ``re``) that
    must match the whole name: ifName, or ifDescr when the agent has no
    ifName. Every interface is kept when ``include`` is empty, and every type
    when ``types`` is empty. The patterns are checked when the configuration
    is loaded.

    >>> InterfaceFilter(exclude=("lo", "bridge.*"), types=(6,))  # ethernetCsmacd only
    InterfaceFilter(include=(), exclude=('lo', 'bridge.*'), types=(6,))
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    types: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomOidSettings:
    """OID read besides the profiles, from an entry of a target's ``snmp.custom``.

    ``name`` is snake_case and unique per target. ``kind`` is "gauge",
    "counter" or "text". Without ``index_label`` the OID is one instance read
    by GET; with it, the subtree is walked and each row's index becomes that
    label.
    """

    name: str
    oid: tuple[int, ...]
    kind: str = "gauge"
    index_label: str | None = None


@dataclass(frozen=True, slots=True)
class SnmpDefaults:
    """The ``snmp`` table of ``[defaults]``: every SNMP key except credential and custom.

    ``timeout`` is None when the table does not set it: each target then uses
    its own ``timeout``.
    """

    port: int = DEFAULT_SNMP_PORT
    profiles: tuple[str, ...] = DEFAULT_SNMP_PROFILES
    timeout: float | None = None
    retries: int = DEFAULT_SNMP_RETRIES
    max_repetitions: int = DEFAULT_MAX_REPETITIONS
    use_getnext: bool = False
    max_rows: int = DEFAULT_MAX_ROWS
    max_requests: int = DEFAULT_MAX_REQUESTS
    charset: str = DEFAULT_CHARSET
    interfaces: InterfaceFilter = field(default_factory=InterfaceFilter)
    # Excluded from the hash because a mapping has none. Equality still compares it.
    speeds: Mapping[str, float] = field(default_factory=_empty_speeds, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "speeds", MappingProxyType(dict(self.speeds)))


@dataclass(frozen=True, slots=True)
class SnmpSettings:
    """SNMP polling of a target: the ``snmp`` table over the ``snmp`` table of [defaults].

    ``timeout`` is in seconds per attempt, and each request is sent at most
    ``retries + 1`` times. The loader sets ``timeout`` to the target's
    ``timeout`` when neither table has one. ``max_repetitions`` is the GETBULK max-repetitions,
    and ``use_getnext`` walks with GETNEXT instead, as version "1" always
    does. ``max_rows`` caps the rows of each column of one walk, and
    ``max_requests`` the requests of one walk. ``charset`` decodes labels
    that are not UTF-8. ``speeds`` maps an interface name to the speed in
    bits per second to use when the agent reports none.

    >>> SnmpSettings("opd-v2", speeds={"ether1": 100e6}).speeds["ether1"]
    100000000.0
    """

    credential: str
    port: int = DEFAULT_SNMP_PORT
    profiles: tuple[str, ...] = DEFAULT_SNMP_PROFILES
    timeout: float = DEFAULT_SNMP_TIMEOUT
    retries: int = DEFAULT_SNMP_RETRIES
    max_repetitions: int = DEFAULT_MAX_REPETITIONS
    use_getnext: bool = False
    max_rows: int = DEFAULT_MAX_ROWS
    max_requests: int = DEFAULT_MAX_REQUESTS
    charset: str = DEFAULT_CHARSET
    interfaces: InterfaceFilter = field(default_factory=InterfaceFilter)
    speeds: Mapping[str, float] = field(default_factory=_empty_speeds, hash=False)
    custom: tuple[CustomOidSettings, ...] = ()
    uplink: str | None = None  # name of the interface towards the core, for the report

    def __post_init__(self) -> None:
        object.__setattr__(self, "speeds", MappingProxyType(dict(self.speeds)))


@dataclass(frozen=True, slots=True)
class Target:
    """One monitored device, as written under ``[[targets]]``.

    ``placeholder`` is True when ``address`` is an IP literal in a
    documentation range or a reserved example name (example.com, *.test and
    the like), when the http check resolves such a URL host, or when the dns
    check queries a documentation address. Such a target is reported as not yet
    configured and never probed. Any other host name is no placeholder here,
    because the probe checks the addresses that the name resolves to.

    >>> inventory.target("bappeda-router").parent  # doctest: +SKIP
    'core-router'
    """

    name: str
    address: str
    group: str
    network: str
    probes: tuple[str, ...]
    parent: str | None
    description: str
    settings: TargetSettings
    snmp: SnmpSettings | None
    placeholder: bool
    # "reachable", or "unreachable" for an isolation check: an address that
    # must not reply from where Pantau runs (the executive network seen
    # from an OPD network). Such a target is healthy while it is silent.
    expect: str = "reachable"
    http: HttpSettings | None = None
    tcp: tuple[TcpSettings, ...] = ()
    tls: TlsSettings | None = None
    dns: DnsSettings | None = None


@dataclass(frozen=True, slots=True)
class Credential:
    """SNMP credential referenced by name from a target's ``snmp.credential``.

    Versions "1" and "2c" carry ``community``, and their ``security_level``
    is None. Version "3" carries ``username``, ``security_level`` and the
    protocols and keys that the level needs.
    """

    name: str
    version: str
    community: Secret | None = None
    username: str | None = None
    security_level: str | None = None
    auth_protocol: str | None = None
    auth_key: Secret | None = None
    priv_protocol: str | None = None
    priv_key: Secret | None = None


SEVERITIES: Final = ("info", "warning", "critical")


@dataclass(frozen=True, slots=True)
class Channel:
    """Chat channel for alerts, with its Apprise URL read from the environment.

    A channel takes the events of targets in ``networks`` and ``groups``
    (empty means every one) whose severity is at least ``min_severity``.
    ``language`` overrides the daemon's; ``rate`` (messages per minute) and
    ``max_length`` (characters per message) override the defaults of the
    URL's service; ``summary`` sends it the daily summary.
    """

    name: str
    url: Secret
    networks: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    min_severity: str = "warning"
    language: str | None = None
    rate: float | None = None
    max_length: int | None = None
    summary: bool = True


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """The ``[alerts]`` table.

    Events of one channel that fall within ``group_window`` seconds of the
    first are sent as one message. ``daily_summary`` is "HH:MM" in the
    daemon's time zone, or None for no summary.
    """

    group_window: float = 10.0
    daily_summary: str | None = None


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    """A planned period during which targets are probed but raise no alert.

    One-off windows have ``start`` and ``end`` (aware datetimes). Recurring
    windows have ``cron`` (five crontab(5) fields or a shortcut such as
    "@daily", read by ``monitor.maintenance.parse_cron`` in the daemon's time
    zone) and ``duration`` in seconds. The scope is the union of ``targets``,
    ``groups`` and ``networks``. ``name`` is the key in the configuration,
    or "db:ID" for a window added with ``pantau maintenance add``.
    """

    name: str
    targets: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    cron: str | None = None
    duration: float | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class WebConfig:
    """The web configuration file of ``[daemon] web_config``: TLS and basic auth of the endpoint.

    It follows the web-config.yml of Prometheus exporters. ``cert_file`` and
    ``key_file`` are both set (TLS) or both None (plain HTTP); they are
    absolute, resolved against the web configuration file. ``users`` maps a
    user name to its bcrypt hash; empty means no authentication.
    """

    path: Path
    cert_file: Path | None = None
    key_file: Path | None = None
    users: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "users", MappingProxyType(dict(self.users)))

    @property
    def tls(self) -> bool:
        return self.cert_file is not None and self.key_file is not None


@dataclass(frozen=True, slots=True)
class HistorySettings:
    """The ``[history]`` table: how long each level of the history is kept."""

    raw_days: int = 14  # raw results, packed per hour after two hours
    hourly_months: int = 13  # hourly rollups, in calendar months
    daily_years: int = 5  # daily rollups and ended incidents, in years


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """The ``[report]`` table: the readiness verdict's thresholds.

    Past a ``*_ready`` threshold a section needs improvement; past a
    ``*_limit`` (or under ``availability_minimum``) it is not ready. Ratios
    are fractions (0.995 for 99.5 %), RTTs seconds.
    """

    availability_ready: float = 0.995
    availability_minimum: float = 0.98
    rtt_p95_ready: float = 0.050
    rtt_p95_limit: float = 0.150
    loss_ready: float = 0.01
    loss_limit: float = 0.05
    uplink_ready: float = 0.70  # 95th percentile utilisation of the uplink
    uplink_limit: float = 0.90
    headroom_ready: float = 0.20  # free share of CPU, memory or disk at the peak
    headroom_limit: float = 0.05
    coverage_minimum: float = 0.90  # share of the period with data
    response_p95_ready: float = 1.0  # seconds, p95 of a service check's response time
    response_p95_limit: float = 3.0
    cert_days_minimum: int = 14  # days a certificate must still be valid at the period's end
    executive_networks: tuple[str, ...] = ("eksekutif",)
    server_networks: tuple[str, ...] = ("server",)


@dataclass(frozen=True, slots=True)
class DaemonSettings:
    """The ``[daemon]`` table. ``database`` is absolute, resolved against the config file."""

    listen_host: str
    listen_port: int
    database: Path
    language: str
    timezone: str
    log_level: str
    web: WebConfig | None = None


@dataclass(frozen=True, slots=True)
class Inventory:
    """Validated configuration: daemon settings, targets in file order, credentials, channels.

    ``defaults`` and ``snmp_defaults`` are the [defaults] table, already
    applied to every target.

    >>> inventory = load(Path("config/demo.toml"), environ={})  # doctest: +SKIP
    >>> [target.name for target in inventory.targets][:2]  # doctest: +SKIP
    ['router-demo', 'opd-bappeda']
    """

    path: Path
    daemon: DaemonSettings
    defaults: TargetSettings
    targets: tuple[Target, ...]
    credentials: Mapping[str, Credential]
    channels: tuple[Channel, ...]
    snmp_defaults: SnmpDefaults = field(default_factory=SnmpDefaults)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    maintenance: tuple[MaintenanceWindow, ...] = ()
    history: HistorySettings = field(default_factory=HistorySettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    _targets_by_name: Mapping[str, Target] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "targets", tuple(self.targets))
        object.__setattr__(self, "channels", tuple(self.channels))
        object.__setattr__(self, "credentials", MappingProxyType(dict(self.credentials)))
        by_name = {target.name: target for target in self.targets}
        object.__setattr__(self, "_targets_by_name", MappingProxyType(by_name))

    def target(self, name: str) -> Target:
        """Return the target called ``name``, or raise KeyError if there is none."""
        return self._targets_by_name[name]


# Problems ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatalogueText:
    """A message key given as a Problem parameter, such as "maintenance.cron_field.hour"."""

    key: str


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault in a configuration file.

    ``key`` is a path such as ``targets[3].parent`` (empty for faults of the
    whole file), ``code`` selects the message ``config.<code>`` in
    monitor/i18n, and ``params`` fills its placeholders, already formatted for
    display. A ``CatalogueText`` parameter is translated into the language of
    ``render``.
    """

    file: str
    key: str
    line: int | None
    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Format the problem as one line ``file:line: key: text`` in ``language``."""
        location = self.file if self.line is None else f"{self.file}:{self.line}"
        params = {
            name: translate(value.key, language) if isinstance(value, CatalogueText) else value
            for name, value in self.params.items()
        }
        text = translate(f"config.{self.code}", language, **params)
        if not self.key:
            return f"{location}: {text}"
        return f"{location}: {self.key}: {text}"


class ConfigError(Exception):
    """Invalid configuration, with every problem found in the file.

    ``str()`` gives the English text for logs, and ``render`` the text for a
    person in the configured language.
    """

    def __init__(self, file: str, problems: Iterable[Problem]) -> None:
        self.file = file
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(file, self.problems)

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Format a header line with the file and the count, then one line per problem."""
        count = len(self.problems)
        header_key = "config.invalid.one" if count == 1 else "config.invalid.other"
        lines = [translate(header_key, language, file=self.file, count=count)]
        lines.extend(problem.render(language) for problem in self.problems)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render("en")


# Entry points ------------------------------------------------------------------------


def find_config_path(
    cli_value: str | None,
    environ: Mapping[str, str] | None = None,
    *,
    system_path: Path = SYSTEM_CONFIG_PATH,
    fallback: Path = REPOSITORY_CONFIG_PATH,
) -> Path:
    """Choose the configuration file: ``-c FILE``, else $PANTAU_CONFIG, else
    ``system_path`` if it exists, else ``fallback`` (relative to the working directory).
    """
    if environ is None:
        environ = os.environ
    if cli_value:
        return Path(cli_value)
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    if system_path.exists():
        return system_path
    return fallback


def load(
    path: Path, environ: Mapping[str, str] | None = None, *, require_secrets: bool = True
) -> Inventory:
    """Read and validate the configuration file at ``path``.

    Secrets are read from ``environ``, which defaults to os.environ. With
    ``require_secrets`` False, a secret whose variable is unset is not a
    problem: commands that never probe nor send (report, maintenance) run
    from an operator's shell without the service's environment file. Raises
    ConfigError with every problem found when the content is invalid, and
    OSError (FileNotFoundError included) when the file cannot be read: the
    command line treats the latter as a usage error, not an invalid file.
    """
    path = Path(path)
    file = str(path)
    text = _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(file, [_syntax_problem(file, text, error)]) from error

    reader = _Reader(file, _LineIndex(text), os.environ if environ is None else environ)
    reader.require_secrets = require_secrets
    inventory = _read_inventory(reader, path, data)
    if reader.problems:
        raise ConfigError(file, reader.sorted_problems())
    return inventory


def _read_text(path: Path) -> str:
    content = path.read_bytes()
    try:
        # utf-8-sig drops the byte order mark that some Windows editors write.
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        problem = Problem(str(path), "", line, "not_utf8", {"position": error.start})
        raise ConfigError(str(path), [problem]) from error


def _syntax_problem(file: str, text: str, error: tomllib.TOMLDecodeError) -> Problem:
    # tomllib's message is English and ends in "(at line L, column C)" or "(at end of document)".
    message = str(error)
    position = re.search(r"\(at line (\d+), column \d+\)$", message)
    if position is not None:
        line: int | None = int(position[1])
    elif message.endswith("(at end of document)"):
        line = text.count("\n") + (0 if text.endswith("\n") else 1)
    else:
        line = None
    return Problem(file, "", line, "toml_syntax", {"message": message})


# Line numbers ------------------------------------------------------------------------

_KEY_PART = re.compile(
    r"""\s*(?:(?P<bare>[A-Za-z0-9_-]+)|"(?P<basic>(?:[^"\\]|\\.)*)"|'(?P<literal>[^']*)')\s*"""
)
_HEADER = re.compile(r"\s*(?P<open>\[\[?)(?P<key>[^\[\]]+)(?P<close>\]\]?)\s*(?:#.*)?")
_KEY_LINE = re.compile(r"\s*(?P<key>[^=#\[\]{}]+?)\s*=")


def _split_dotted_key(text: str) -> tuple[str, ...] | None:
    parts: list[str] = []
    position = 0
    while True:
        match = _KEY_PART.match(text, position)
        if match is None:
            return None
        parts.append(match["bare"] or match["basic"] or match["literal"] or "")
        position = match.end()
        if position == len(text):
            return tuple(parts)
        if text[position] != ".":
            return None
        position += 1


@dataclass(frozen=True, slots=True)
class _Block:
    table: KeyPath  # resolved path of the table, with array indices
    header_line: int | None  # None for the root table, which has no header
    first_line: int  # first line after the header, 1-based
    end_line: int  # first line of the next block


class _LineIndex:
    """Line numbers of tables and keys, found by scanning the TOML text.

    tomllib returns no positions for valid TOML, so this is best effort: a line
    inside a multi-line string can be taken for a key, and ``locate`` returns
    None when it finds neither the key nor its table.
    """

    def __init__(self, text: str) -> None:
        self._lines = [line.rstrip("\r") for line in text.split("\n")]
        self._blocks = self._scan_blocks()

    def _scan_blocks(self) -> list[_Block]:
        headers: list[tuple[KeyPath, int]] = []
        array_counts: dict[KeyPath, int] = {}
        for number, line in enumerate(self._lines, start=1):
            match = _HEADER.fullmatch(line)
            if match is None or len(match["open"]) != len(match["close"]):
                continue
            parts = _split_dotted_key(match["key"])
            if parts is None:
                continue
            headers.append((self._resolve(parts, len(match["open"]) == 2, array_counts), number))

        blocks: list[_Block] = []
        starts = [number for _, number in headers] + [len(self._lines) + 1]
        blocks.append(_Block((), None, 1, starts[0]))
        for (table, number), end in zip(headers, starts[1:], strict=True):
            blocks.append(_Block(table, number, number + 1, end))
        return blocks

    @staticmethod
    def _resolve(
        parts: tuple[str, ...], is_array: bool, array_counts: dict[KeyPath, int]
    ) -> KeyPath:
        # "[[targets]]" opens element n of targets; "[targets.snmp]" then belongs
        # to that element, so its path gets the element's index.
        resolved: list[str | int] = []
        for position, part in enumerate(parts):
            resolved.append(part)
            key = tuple(resolved)
            if position == len(parts) - 1:
                if is_array:
                    array_counts[key] = array_counts.get(key, -1) + 1
                    resolved.append(array_counts[key])
            elif key in array_counts:
                resolved.append(array_counts[key])
        return tuple(resolved)

    def locate(self, path: KeyPath) -> int | None:
        """Return the line of the key at ``path``, else of its table's header, else None."""
        block = max(
            (block for block in self._blocks if path[: len(block.table)] == block.table),
            key=lambda block: len(block.table),
        )
        rest = path[len(block.table) :]
        keys: list[str] = []
        for part in rest:
            if isinstance(part, int):
                break
            keys.append(part)
        found = self._find_key(block, tuple(keys)) if keys else block.header_line
        if found is not None:
            return found
        # A table written only as headers, such as "[[target]]" for the path
        # ("target",), has no key line: point at its first header.
        for candidate in self._blocks:
            if candidate.table[: len(path)] == path:
                return candidate.header_line
        return block.header_line

    def _find_key(self, block: _Block, keys: tuple[str, ...]) -> int | None:
        best_line: int | None = None
        best_depth = 0
        for number in range(block.first_line, block.end_line):
            line = self._lines[number - 1]
            match = _KEY_LINE.match(line)
            parts = _split_dotted_key(match["key"]) if match else None
            if not parts or parts[0] != keys[0]:
                continue
            depth = _common_prefix(parts, keys)
            if depth == len(parts) and depth < len(keys):
                # The line opens an inline table; look for the inner keys on it.
                rest = line[match.end() :] if match else ""
                for key in keys[depth:]:
                    if re.search(rf"(?<![\w-]){re.escape(key)}\s*=", rest) is None:
                        break
                    depth += 1
            if depth > best_depth:
                best_line, best_depth = number, depth
        return best_line


def _common_prefix(first: Sequence[object], second: Sequence[object]) -> int:
    depth = 0
    for left, right in zip(first, second, strict=False):
        if left != right:
            break
        depth += 1
    return depth


def _format_path(path: KeyPath) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        key = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
        text += key if not text else f".{key}"
    return text


def _show(value: object, limit: int = 60) -> str:
    """Write a TOML value as in the file, shortened, with the contents of tables left out.

    Tables show only their keys, so that a secret pasted into the wrong place
    is not echoed in a message.
    """
    text = _toml_literal(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _toml_literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_format_path((key,))} = …" for key in value) + " }"
    return str(value)  # dates and times


def _quoted_list(values: Iterable[str]) -> str:
    return ", ".join(json.dumps(value, ensure_ascii=False) for value in values)


# Reading values ----------------------------------------------------------------------


class _Reader:
    """Typed access to the parsed TOML that records a Problem for every fault.

    Each getter takes the parent table and the path of the key. It returns
    None when the key is absent or its value is invalid, so that reading goes
    on and one pass finds every fault in the file.
    """

    def __init__(self, file: str, index: _LineIndex, environ: Mapping[str, str]) -> None:
        self.file = file
        self.index = index
        self.environ = environ
        self.problems: list[Problem] = []
        self._faulty: set[KeyPath] = set()
        self._suggested: set[KeyPath] = set()
        self.require_secrets = True

    def report(self, path: KeyPath, code: str, **params: object) -> None:
        self._faulty.add(path)
        line = self.index.locate(path)
        self.problems.append(Problem(self.file, _format_path(path), line, code, params))

    def is_faulty(self, path: KeyPath) -> bool:
        return path in self._faulty

    def is_suggested(self, path: KeyPath) -> bool:
        """Return whether an unknown key's message already suggested the key at ``path``."""
        return path in self._suggested

    def position(self, path: KeyPath) -> str:
        line = self.index.locate(path)
        return self.file if line is None else f"{self.file}:{line}"

    def sorted_problems(self) -> list[Problem]:
        # Stable sort: problems of one line keep the order in which they were found.
        return sorted(self.problems, key=lambda problem: problem.line or math.inf)

    def check_keys(
        self, table: Mapping[str, object], path: KeyPath, allowed: Sequence[str]
    ) -> None:
        for key in table:
            if key in allowed:
                continue
            key_path = (*path, key)
            if f"{key}_env" in allowed:
                example = _ENV_EXAMPLES[f"{key}_env"]
                self.report(key_path, "secret_in_file", suggestion=f"{key}_env", example=example)
                self._suggested.add((*path, f"{key}_env"))
                continue
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            if close:
                self.report(key_path, "unknown_key_suggestion", suggestion=close[0])
                self._suggested.add((*path, close[0]))
            else:
                self.report(key_path, "unknown_key", allowed=", ".join(allowed))

    def report_missing(self, path: KeyPath, example: str) -> None:
        """Report a missing required key, unless a misspelt key already points to it."""
        if path in self._suggested:
            self._faulty.add(path)
        else:
            self.report(path, "missing_key", example=example)

    def _get(
        self, table: Mapping[str, object], path: KeyPath, example: str, required: bool
    ) -> object | None:
        key = path[-1]
        assert isinstance(key, str)
        if key in table:
            return table[key]
        if required:
            self.report_missing(path, example)
        return None

    def string(
        self,
        table: Mapping[str, object],
        path: KeyPath,
        example: str,
        *,
        required: bool = False,
        allow_empty: bool = False,
    ) -> str | None:
        value = self._get(table, path, example, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.report(path, "expected_string", value=_show(value), example=example)
            return None
        if not allow_empty and not value.strip():
            self.report(path, "empty_string", example=example)
            return None
        return value

    def integer(
        self,
        table: Mapping[str, object],
        path: KeyPath,
        example: str,
        minimum: int,
        maximum: int,
    ) -> int | None:
        value = self._get(table, path, example, required=False)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.report(path, "expected_integer", value=_show(value), example=example)
            return None
        if not minimum <= value <= maximum:
            self.report(path, "out_of_range", value=value, minimum=minimum, maximum=maximum)
            return None
        return value

    def integers(
        self,
        table: Mapping[str, object],
        path: KeyPath,
        example: str,
        minimum: int,
        maximum: int,
    ) -> tuple[int, ...] | None:
        """Return an array of integers, reporting each element outside minimum..maximum."""
        value = self._get(table, path, example, required=False)
        if value is None:
            return None
        if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        ):
            self.report(path, "expected_integer_array", value=_show(value), example=example)
            return None
        valid = True
        for position, item in enumerate(value):
            if not minimum <= item <= maximum:
                self.report(
                    (*path, position), "out_of_range", value=item, minimum=minimum, maximum=maximum
                )
                valid = False
        return tuple(value) if valid else None

    def boolean(self, table: Mapping[str, object], path: KeyPath, example: str) -> bool | None:
        value = self._get(table, path, example, required=False)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.report(path, "expected_boolean", value=_show(value), example=example)
            return None
        return value

    def duration(
        self,
        table: Mapping[str, object],
        path: KeyPath,
        example: str,
        minimum: float,
        maximum: float | None,
    ) -> float | None:
        value = self._get(table, path, example, required=False)
        if value is None:
            return None
        key = path[-1]
        if isinstance(value, int | float) and not isinstance(value, bool):
            suggestion = f'{key} = "{value}s"'
            self.report(path, "duration_number", value=_show(value), example=suggestion)
            return None
        if not isinstance(value, str):
            self.report(path, "expected_string", value=_show(value), example=example)
            return None
        try:
            seconds = parse_duration(value)
        except ValueError:
            self.report(path, "invalid_duration", value=_show(value), example=example)
            return None

        written = _show(value)
        if maximum is not None and not minimum <= seconds <= maximum:
            low, high = format_duration(minimum), format_duration(maximum)
            self.report(path, "out_of_range", value=written, minimum=low, maximum=high)
            return None
        if seconds < minimum:
            self.report(path, "below_minimum", value=written, minimum=format_duration(minimum))
            return None
        return seconds

    def choice(
        self,
        table: Mapping[str, object],
        path: KeyPath,
        example: str,
        choices: Sequence[str],
        *,
        required: bool = False,
        ignore_case: bool = False,
    ) -> str | None:
        """Return the value as spelled in ``choices``."""
        value = self.string(table, path, example, required=required)
        if value is None:
            return None
        for choice in choices:
            if value == choice or (ignore_case and value.casefold() == choice.casefold()):
                return choice
        self.report(path, "invalid_choice", value=_show(value), choices=_quoted_list(choices))
        return None

    def strings(
        self, table: Mapping[str, object], path: KeyPath, example: str
    ) -> tuple[str, ...] | None:
        value = self._get(table, path, example, required=False)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.report(path, "expected_string_array", value=_show(value), example=example)
            return None
        return tuple(value)

    def table(
        self,
        table: Mapping[str, object],
        path: KeyPath,
        example: str,
        allowed: Sequence[str] | None,
    ) -> Mapping[str, object] | None:
        """Return the sub-table at ``path`` after reporting its keys outside ``allowed``."""
        value = self._get(table, path, example, required=False)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.report(path, "expected_table", value=_show(value), example=example)
            return None
        if allowed is not None:
            self.check_keys(value, path, allowed)
        return value

    def table_array(
        self, table: Mapping[str, object], path: KeyPath, header: str
    ) -> list[tuple[int, Mapping[str, object]]] | None:
        """Return the tables of an array of tables with their indices."""
        value = self._get(table, path, header, required=False)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.report(path, "expected_table_array", value=_show(value), example=header)
            return None
        return list(enumerate(value))

    def env_name(
        self, table: Mapping[str, object], path: KeyPath, example: str, *, required: bool = False
    ) -> str | None:
        value = self._get(table, path, example, required)
        if value is None:
            return None
        # The value is never shown, because a secret pasted here instead of a name would leak.
        if not isinstance(value, str) or not _ENV_NAME.fullmatch(value):
            self.report(path, "invalid_env_name", example=example)
            return None
        return value

    def secret(self, name: str) -> Secret:
        return Secret(name, self.environ.get(name))


def _pick(value: _T | None, fallback: _T) -> _T:
    return fallback if value is None else value


# Sections ----------------------------------------------------------------------------

_TOP_KEYS: Final = (
    "daemon",
    "defaults",
    "credentials",
    "targets",
    "channels",
    "alerts",
    "maintenance",
    "history",
    "report",
)
_DAEMON_KEYS: Final = ("listen", "database", "language", "timezone", "log_level", "web_config")
_WEB_KEYS: Final = ("tls_server_config", "basic_auth_users")
_WEB_TLS_KEYS: Final = ("cert_file", "key_file")
_WEB_TLS_EXAMPLES: Final = {
    "cert_file": "cert_file: server.crt",
    "key_file": "key_file: server.key",
}
# Modular crypt format of bcrypt: $2a$, $2b$ or $2y$, a two-digit cost, 22 + 31 characters.
_BCRYPT_HASH: Final = re.compile(r"\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}")
_SETTINGS_KEYS: Final = (
    "interval",
    "timeout",
    "down_after",
    "up_after",
    "family",
    "icmp",
    "degraded",
    "flap",
    "remind_every",
)
_ICMP_KEYS: Final = ("count", "packet_interval", "payload_size")
_THRESHOLD_KEYS: Final = (
    "loss",
    "rtt",
    "utilisation",
    "cpu",
    "memory",
    "disk",
    "response",
    "cert_expiry",
    "sustain",
)
# Duration limits of the service checks: example and minimum.
_DURATION_LIMITS: Final = {
    "response": ('response = "2s"', MIN_TIMEOUT),
    "cert_expiry": ('cert_expiry = "21d"', 0.0),
}
_RATIO_LIMITS: Final = ("loss", "utilisation", "cpu", "memory", "disk")
_FLAP_KEYS: Final = ("changes", "window")
# Keys of [[targets]] that describe one device, so [defaults] cannot set them.
_TARGET_ONLY_KEYS: Final = (
    "name",
    "address",
    "group",
    "network",
    "probes",
    "parent",
    "description",
    "expect",
    "http",
    "tcp",
    "tls",
    "dns",
)
_TARGET_KEYS: Final = (*_TARGET_ONLY_KEYS, "snmp", *_SETTINGS_KEYS)
_DEFAULTS_KEYS: Final = (*_SETTINGS_KEYS, "snmp")
# Keys of a target's snmp table that [defaults] may set too.
_SNMP_OPTION_KEYS: Final = (
    "port",
    "profiles",
    "timeout",
    "retries",
    "max_repetitions",
    "use_getnext",
    "max_rows",
    "max_requests",
    "charset",
    "interfaces",
    "speeds",
)
_SNMP_TARGET_ONLY_KEYS: Final = ("credential", "custom", "uplink")
_SNMP_KEYS: Final = ("credential", *_SNMP_OPTION_KEYS, "custom", "uplink")
_INTERFACE_FILTER_KEYS: Final = ("include", "exclude", "types")
_CUSTOM_KEYS: Final = ("name", "oid", "type", "index_label")
_CREDENTIAL_KEYS: Final = (
    "version",
    "community_env",
    "username",
    "security_level",
    "auth_protocol",
    "auth_key_env",
    "priv_protocol",
    "priv_key_env",
)
_V3_KEYS: Final = _CREDENTIAL_KEYS[2:]
_SECRET_EXAMPLES: Final = {
    "community_env": 'community_env = "PANTAU_SNMP_COMMUNITY"',
    "auth_key_env": 'auth_key_env = "PANTAU_SNMP_AUTH_KEY"',
    "priv_key_env": 'priv_key_env = "PANTAU_SNMP_PRIV_KEY"',
}
_ENV_EXAMPLES: Final = {
    **_SECRET_EXAMPLES,
    "url_env": 'url_env = "PANTAU_TELEGRAM_URL"',
    "password_env": 'password_env = "PANTAU_SIMPEG_PASSWORD"',
}
_CHANNEL_KEYS: Final = (
    "name",
    "url_env",
    "networks",
    "groups",
    "min_severity",
    "language",
    "rate",
    "max_length",
    "summary",
)
_ALERTS_KEYS: Final = ("group_window", "daily_summary")
_MAINTENANCE_KEYS: Final = (
    "name",
    "targets",
    "groups",
    "networks",
    "start",
    "end",
    "cron",
    "duration",
    "reason",
)


def _read_inventory(reader: _Reader, path: Path, data: Mapping[str, object]) -> Inventory:
    reader.check_keys(data, (), _TOP_KEYS)
    daemon = _read_daemon(reader, data, path)
    defaults, snmp_defaults = _read_defaults(reader, data)
    credentials = _read_credentials(reader, data)
    targets = _read_targets(reader, data, defaults, snmp_defaults, credentials)
    names = _Names.of(target for _, target in targets)
    channels = _read_channels(reader, data, names)
    alerts = _read_alerts(reader, data)
    maintenance = _read_maintenance(reader, data, names, _zone(daemon.timezone))
    history = _read_history(reader, data)
    report = _read_report(reader, data)
    _check_credential_secrets(reader, targets, credentials)
    return Inventory(
        path=path,
        daemon=daemon,
        defaults=defaults,
        targets=tuple(target for _, target in targets),
        credentials=credentials,
        channels=channels,
        snmp_defaults=snmp_defaults,
        alerts=alerts,
        maintenance=maintenance,
        history=history,
        report=report,
    )


def _read_daemon(reader: _Reader, data: Mapping[str, object], config_path: Path) -> DaemonSettings:
    path: KeyPath = ("daemon",)
    table = reader.table(data, path, "[daemon]", _DAEMON_KEYS) or {}

    host, port = DEFAULT_LISTEN
    listen = reader.string(table, (*path, "listen"), 'listen = "127.0.0.1:9470"')
    if listen is not None:
        host, port = _read_listen(reader, (*path, "listen"), listen)

    database = reader.string(table, (*path, "database"), 'database = "pantau.db"')
    # abspath, not resolve: keep symbolic links as the operator wrote them.
    database_path = Path(os.path.abspath(config_path.parent / _pick(database, DEFAULT_DATABASE)))

    language = reader.choice(table, (*path, "language"), 'language = "id"', LANGUAGES)
    timezone = reader.string(table, (*path, "timezone"), 'timezone = "Asia/Jakarta"')
    if timezone is not None and not _is_timezone(timezone):
        reader.report((*path, "timezone"), "invalid_timezone", value=_show(timezone))
    log_level = reader.choice(
        table, (*path, "log_level"), 'log_level = "INFO"', LOG_LEVELS, ignore_case=True
    )
    web_path = (*path, "web_config")
    web_config = reader.string(table, web_path, 'web_config = "web.yml"')
    web = None
    if web_config is not None:
        web = _read_web_config(reader, web_path, config_path.parent / web_config)

    return DaemonSettings(
        listen_host=host,
        listen_port=port,
        database=database_path,
        language=_pick(language, DEFAULT_LANGUAGE),
        timezone=_pick(timezone, DEFAULT_TIMEZONE),
        log_level=_pick(log_level, DEFAULT_LOG_LEVEL),
        web=web,
    )


class _WebReader:
    """Record a Problem located in the web configuration file, by the YAML line of a key."""

    def __init__(self, reader: _Reader, file: str, lines: Mapping[KeyPath, int]) -> None:
        self.reader = reader
        self.file = file
        self.lines = lines

    def report(self, path: KeyPath, code: str, **params: object) -> None:
        line = self.lines.get(path)
        if line is None and path:
            line = self.lines.get(path[:-1])
        problem = Problem(self.file, _format_path(path), line, code, params)
        self.reader.problems.append(problem)

    def check_keys(
        self, table: Mapping[object, object], path: KeyPath, allowed: Sequence[str]
    ) -> bool:
        valid = True
        for key in table:
            if key in allowed:
                continue
            valid = False
            # No close-match suggestion: the exporters' keys that Pantau lacks resemble its own.
            self.report((*path, str(key)), "unknown_key", allowed=", ".join(allowed))
        return valid


def _yaml_lines(node: yaml.Node | None, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    """Record the line of every mapping key under ``node``, by its key path."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            key_path = (*path, str(key_node.value))
            lines[key_path] = key_node.start_mark.line + 1
            _yaml_lines(value_node, key_path, lines)


def _read_web_config(reader: _Reader, path: KeyPath, web_path: Path) -> WebConfig | None:
    """Read and check the web configuration file named by ``[daemon] web_config``."""
    file = str(web_path)
    try:
        text = web_path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        reader.report(path, "web_config_missing", file=_show(file))
        return None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        reader.report(path, "web_config_unreadable", file=_show(file), reason=reason)
        return None

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        reason = getattr(error, "problem", None) or str(error)
        reader.problems.append(Problem(file, "", line, "web_config_yaml", {"reason": reason}))
        return None
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {}
    _yaml_lines(node, (), lines)
    web = _WebReader(reader, file, lines)

    if data is None:
        return WebConfig(path=web_path)
    if not isinstance(data, dict):
        web.report((), "web_config_expected_mapping", value=_show(data))
        return None
    valid = web.check_keys(data, (), _WEB_KEYS)
    tls = _read_web_tls(web, data.get("tls_server_config"), web_path.parent)
    users = _read_web_users(web, data.get("basic_auth_users"))
    if not valid or tls is None or users is None:
        return None
    return WebConfig(path=web_path, cert_file=tls[0], key_file=tls[1], users=users)


def _read_web_tls(
    web: _WebReader, table: object, directory: Path
) -> tuple[Path | None, Path | None] | None:
    """Return the certificate and key files, or None after reporting a fault."""
    path: KeyPath = ("tls_server_config",)
    if table is None:
        return None, None
    if not isinstance(table, dict):
        web.report(path, "web_config_expected_mapping", value=_show(table))
        return None

    known = web.check_keys(table, path, _WEB_TLS_KEYS)
    valid = True
    files: list[Path] = []
    for key in _WEB_TLS_KEYS:
        value = table.get(key)
        key_path = (*path, key)
        if value is None:
            web.report(key_path, "missing_key", example=_WEB_TLS_EXAMPLES[key])
            valid = False
        elif not isinstance(value, str) or not value.strip():
            web.report(key_path, "web_config_expected_file", value=_show(value))
            valid = False
        else:
            # abspath, not resolve: keep symbolic links as the operator wrote them.
            file_path = Path(os.path.abspath(directory / value))
            if not file_path.is_file():
                web.report(key_path, "web_config_file_missing", file=_show(value))
                valid = False
            files.append(file_path)
    if not valid:
        return None

    cert_file, key_file = files
    try:
        load_tls_context(cert_file, key_file)
    except (ssl.SSLError, OSError, ValueError):
        web.report(
            path,
            "web_config_tls_invalid",
            cert=_show(table["cert_file"]),
            key=_show(table["key_file"]),
        )
        return None
    return (cert_file, key_file) if known else None


def _read_web_users(web: _WebReader, table: object) -> dict[str, str] | None:
    """Return the user names with their bcrypt hashes, or None after reporting a fault."""
    path: KeyPath = ("basic_auth_users",)
    if table is None:
        return {}
    if not isinstance(table, dict):
        web.report(path, "web_config_expected_mapping", value=_show(table))
        return None
    users: dict[str, str] = {}
    valid = True
    for name, value in table.items():
        key_path = (*path, str(name))
        if not isinstance(name, str) or not name or ":" in name:
            web.report(key_path, "web_config_invalid_user", value=_show(name))
            valid = False
        # The value is never shown: a password pasted here instead of a hash would leak.
        elif not isinstance(value, str) or not _BCRYPT_HASH.fullmatch(value):
            web.report(key_path, "web_config_not_bcrypt")
            valid = False
        else:
            users[name] = value
    return users if valid else None


def load_tls_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    """Return a server TLS context (TLS 1.2 or newer) with the certificate and its key.

    Raises ssl.SSLError or OSError when the files cannot be loaded. A key with
    a passphrase fails instead of prompting on the terminal.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file, password=lambda: b"")
    return context


def _read_listen(reader: _Reader, path: KeyPath, text: str) -> tuple[str, int]:
    try:
        host, port_text = _split_listen(text)
    except ValueError:
        reader.report(path, "invalid_listen", value=_show(text))
        return DEFAULT_LISTEN
    port = int(port_text)
    if not 1 <= port <= 65535:
        reader.report(path, "invalid_listen_port", value=_show(text), port=port)
        return DEFAULT_LISTEN
    return host, port


def _is_timezone(key: str) -> bool:
    try:
        zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _zone(key: str) -> tzinfo:
    """Return the time zone ``key``, or the default zone when ``key`` is invalid."""
    return zoneinfo.ZoneInfo(key if _is_timezone(key) else DEFAULT_TIMEZONE)


def _read_defaults(
    reader: _Reader, data: Mapping[str, object]
) -> tuple[TargetSettings, SnmpDefaults]:
    path: KeyPath = ("defaults",)
    table = reader.table(data, path, "[defaults]", None) or {}
    for key in _TARGET_ONLY_KEYS:
        if key in table:
            reader.report((*path, key), "target_only_key")
    others = {key: value for key, value in table.items() if key not in _TARGET_ONLY_KEYS}
    reader.check_keys(others, path, _DEFAULTS_KEYS)

    settings = _read_settings(reader, table, path, TargetSettings())
    _check_timing(reader, path, settings, check_icmp=True, inherited=())
    _check_rtt_limit(reader, path, table, settings, inherited=())
    return settings, _read_snmp_defaults(reader, table, path)


def _read_settings(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, base: TargetSettings
) -> TargetSettings:
    """Read the keys of [defaults] from ``table``, keeping the ``base`` value of keys it lacks."""
    interval = reader.duration(
        table, (*path, "interval"), 'interval = "30s"', MIN_INTERVAL, MAX_INTERVAL
    )
    timeout = reader.duration(table, (*path, "timeout"), 'timeout = "2s"', MIN_TIMEOUT, MAX_TIMEOUT)
    down_after = reader.integer(table, (*path, "down_after"), "down_after = 3", 1, MAX_CYCLES)
    up_after = reader.integer(table, (*path, "up_after"), "up_after = 2", 1, MAX_CYCLES)
    family = reader.choice(table, (*path, "family"), 'family = "auto"', FAMILIES)

    icmp = base.icmp
    icmp_path = (*path, "icmp")
    icmp_table = reader.table(
        table, icmp_path, 'icmp = { count = 5, packet_interval = "200ms" }', _ICMP_KEYS
    )
    if icmp_table is not None:
        count = reader.integer(icmp_table, (*icmp_path, "count"), "count = 5", 1, MAX_PACKET_COUNT)
        packet_interval = reader.duration(
            icmp_table,
            (*icmp_path, "packet_interval"),
            'packet_interval = "200ms"',
            MIN_PACKET_INTERVAL,
            None,
        )
        payload_size = reader.integer(
            icmp_table, (*icmp_path, "payload_size"), "payload_size = 56", 0, MAX_PAYLOAD_SIZE
        )
        icmp = IcmpSettings(
            count=_pick(count, icmp.count),
            packet_interval=_pick(packet_interval, icmp.packet_interval),
            payload_size=_pick(payload_size, icmp.payload_size),
        )

    remind_every = _read_remind_every(reader, table, path)
    return TargetSettings(
        interval=_pick(interval, base.interval),
        timeout=_pick(timeout, base.timeout),
        down_after=_pick(down_after, base.down_after),
        up_after=_pick(up_after, base.up_after),
        family=_pick(family, base.family),
        icmp=icmp,
        degraded=_read_thresholds(reader, table, path, base.degraded),
        flap=_read_flap(reader, table, path, base.flap),
        remind_every=_pick(remind_every, base.remind_every),
    )


def _read_thresholds(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, base: Thresholds
) -> Thresholds:
    """Read the ``degraded`` table, keeping the ``base`` limit of each key it lacks.

    A limit written as false is switched off (None).
    """
    degraded_path = (*path, "degraded")
    example = 'degraded = { loss = "20%", rtt = "250ms" }'
    degraded = reader.table(table, degraded_path, example, _THRESHOLD_KEYS)
    if degraded is None:
        return base

    changes: dict[str, float | None] = {}
    for key in _RATIO_LIMITS:
        if key in degraded:
            valid, ratio = _read_ratio_limit(reader, degraded[key], (*degraded_path, key))
            if valid:
                changes[key] = ratio
    if "rtt" in degraded:
        valid, rtt = _read_rtt_limit(reader, degraded, (*degraded_path, "rtt"))
        if valid:
            changes["rtt"] = rtt
    for key, (example, minimum) in _DURATION_LIMITS.items():
        if key in degraded:
            valid, seconds = config_services.read_duration_limit(
                reader, degraded, (*degraded_path, key), example, minimum
            )
            if valid:
                changes[key] = seconds
    sustain = reader.duration(degraded, (*degraded_path, "sustain"), 'sustain = "2m"', 0.0, None)
    if sustain is not None:
        changes["sustain"] = sustain
    return replace(base, **changes)


_RATIO_EXAMPLES: Final = {
    "loss": '"20%"',
    "utilisation": '"90%"',
    "cpu": '"90%"',
    "memory": '"95%"',
    "disk": '"90%"',
}


def _read_ratio_limit(
    reader: _Reader, value: object, path: KeyPath, *, example: str | None = None
) -> tuple[bool, float | None]:
    """Return whether the limit is valid, and the fraction it sets (None: switched off)."""
    key = path[-1]
    if example is None:
        example = f"{key} = {_RATIO_EXAMPLES[str(key)]}"
    if value is False:
        return True, None
    if value is True:
        reader.report(path, "limit_true", example=example)
        return False, None

    if isinstance(value, int | float):
        # Compared before float(), which overflows for a huge TOML integer.
        if 1 < value <= 100:
            # 20 is far more likely "20%" than a fraction of 20.
            percent = _plain_decimal(Decimal(repr(value)))
            reader.report(
                path, "percent_number", value=_show(value), example=f'{key} = "{percent}%"'
            )
            return False, None
        if not 0 < value <= 1:
            reader.report(path, "ratio_out_of_range", value=_show(value), example=example)
            return False, None
        ratio = float(value)
    elif isinstance(value, str):
        try:
            ratio = parse_percentage(value)
        except ValueError:
            # Indonesian writes a decimal comma, as in "20,5%", so suggest the dot.
            suggestion = value.replace(",", ".").replace(" ", "")
            if _PERCENTAGE.fullmatch(suggestion):
                example = f'{key} = "{suggestion}"'
            reader.report(path, "invalid_percentage", value=_show(value), example=example)
            return False, None
    else:
        reader.report(path, "expected_percentage", value=_show(value), example=example)
        return False, None

    if not 0 < ratio <= 1:
        reader.report(path, "ratio_out_of_range", value=_show(value), example=example)
        return False, None
    return True, ratio


def _read_rtt_limit(
    reader: _Reader, table: Mapping[str, object], path: KeyPath
) -> tuple[bool, float | None]:
    """Return whether the rtt limit is valid, and its seconds (None: switched off)."""
    value = table["rtt"]
    example = 'rtt = "250ms"'
    if value is False:
        return True, None
    if value is True:
        reader.report(path, "limit_true", example=example)
        return False, None
    if isinstance(value, int | float):
        if 0 < value < math.inf:
            # ping(8) prints milliseconds, so a number of 1 or more is most likely those.
            unit = "ms" if value >= 1 else "s"
            example = f'rtt = "{value}{unit}"'
        reader.report(path, "duration_number", value=_show(value), example=example)
        return False, None
    rtt = reader.duration(table, path, example, MIN_TIMEOUT, None)
    return rtt is not None, rtt


def _read_flap(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, base: FlapSettings
) -> FlapSettings:
    flap_path = (*path, "flap")
    flap = reader.table(table, flap_path, 'flap = { changes = 4, window = "30m" }', _FLAP_KEYS)
    if flap is None:
        return base
    changes = reader.integer(flap, (*flap_path, "changes"), "changes = 4", 1, MAX_FLAP_CHANGES)
    window = reader.duration(
        flap, (*flap_path, "window"), 'window = "30m"', MIN_FLAP_WINDOW, MAX_FLAP_WINDOW
    )
    return FlapSettings(changes=_pick(changes, base.changes), window=_pick(window, base.window))


def _read_remind_every(reader: _Reader, table: Mapping[str, object], path: KeyPath) -> float | None:
    """Return the reminder interval in seconds, 0 when switched off, None when absent or faulty."""
    remind_path = (*path, "remind_every")
    if table.get("remind_every") is False:
        return 0.0
    seconds = reader.duration(table, remind_path, 'remind_every = "4h"', 0.0, None)
    if seconds is not None and 0 < seconds < MIN_REMIND_EVERY:
        reader.report(
            remind_path,
            "remind_too_short",
            value=_show(table["remind_every"]),
            minimum=format_duration(MIN_REMIND_EVERY),
        )
        return None
    return seconds


_TIMING_KEYS: Final[tuple[KeyPath, ...]] = (
    ("interval",),
    ("timeout",),
    ("icmp",),
    ("icmp", "count"),
    ("icmp", "packet_interval"),
)


def _check_timing(
    reader: _Reader,
    path: KeyPath,
    settings: TargetSettings,
    *,
    check_icmp: bool,
    inherited: KeyPath,
) -> None:
    """Report a timeout or ICMP burst that does not end before the next cycle starts.

    Skipped when a key involved is already faulty here or in ``inherited``
    (the path of the table the values may come from), to avoid a second,
    misleading message about a fallback value.
    """
    sources = [path, inherited] if inherited else [path]
    for source in sources:
        if any(reader.is_faulty((*source, *key)) for key in _TIMING_KEYS):
            return

    interval = format_duration(settings.interval)
    timeout = format_duration(settings.timeout)
    if settings.timeout >= settings.interval:
        reader.report(
            (*path, "timeout"), "timeout_not_below_interval", timeout=timeout, interval=interval
        )
        return

    icmp = settings.icmp
    burst = (icmp.count - 1) * icmp.packet_interval + settings.timeout
    if check_icmp and burst >= settings.interval - _BURST_TOLERANCE:
        reader.report(
            (*path, "icmp"),
            "icmp_burst_too_long",
            count=icmp.count,
            packet_interval=format_duration(icmp.packet_interval),
            timeout=timeout,
            burst=format_duration(round(burst, 9)),
            interval=interval,
        )


def _check_rtt_limit(
    reader: _Reader,
    path: KeyPath,
    table: Mapping[str, object],
    settings: TargetSettings,
    *,
    inherited: KeyPath,
) -> None:
    """Report an rtt limit that no reply can cross because the timeout ends the wait first.

    Skipped, as in _check_timing, when a key involved is already faulty here
    or in ``inherited``.
    """
    rtt = settings.degraded.rtt
    if rtt is None:
        return
    sources = [path, inherited] if inherited else [path]
    keys = (("timeout",), ("degraded",), ("degraded", "rtt"))
    for source in sources:
        if any(reader.is_faulty((*source, *key)) for key in keys):
            return
    if rtt < settings.timeout:
        return

    # Point at the rtt limit when this table sets it, else at the timeout that it outlasts.
    degraded = table.get("degraded")
    sets_rtt = isinstance(degraded, dict) and "rtt" in degraded
    report_path = (*path, "degraded", "rtt") if sets_rtt else (*path, "timeout")
    reader.report(
        report_path,
        "rtt_not_below_timeout",
        rtt=format_duration(rtt),
        timeout=format_duration(settings.timeout),
    )


def _read_credentials(reader: _Reader, data: Mapping[str, object]) -> dict[str, Credential]:
    """Read every [credentials.NAME] table; faulty ones are kept so references resolve."""
    section = reader.table(data, ("credentials",), "[credentials.opd-v2]", None) or {}
    credentials: dict[str, Credential] = {}
    for name in section:
        path: KeyPath = ("credentials", name)
        if not _NAME.fullmatch(name):
            reader.report(path, "invalid_name", value=_show(name), example='"opd-v2"')
        table = reader.table(section, path, "[credentials.opd-v2]", _CREDENTIAL_KEYS)
        if table is None:
            credentials[name] = Credential(name=name, version="2c")
            continue
        credentials[name] = _read_credential(reader, path, name, table)
    return credentials


def _read_credential(
    reader: _Reader, path: KeyPath, name: str, table: Mapping[str, object]
) -> Credential:
    version = reader.choice(
        table, (*path, "version"), 'version = "2c"', SNMP_VERSIONS, required=True
    )
    username = reader.string(table, (*path, "username"), 'username = "pantau"')
    security_level = reader.choice(
        table,
        (*path, "security_level"),
        'security_level = "authPriv"',
        SECURITY_LEVELS,
        ignore_case=True,
    )
    auth_protocol = reader.choice(
        table,
        (*path, "auth_protocol"),
        'auth_protocol = "SHA256"',
        AUTH_PROTOCOLS,
        ignore_case=True,
    )
    priv_protocol = reader.choice(
        table, (*path, "priv_protocol"), 'priv_protocol = "AES"', PRIV_PROTOCOLS, ignore_case=True
    )
    secrets: dict[str, Secret | None] = {}
    for key, example in _SECRET_EXAMPLES.items():
        env = reader.env_name(table, (*path, key), example)
        secrets[key] = None if env is None else reader.secret(env)

    if version in ("1", "2c"):
        _check_community_credential(reader, path, table, version)
    elif version == "3":
        _check_v3_credential(reader, path, table, security_level)

    for key in ("auth_key_env", "priv_key_env"):
        secret = secrets[key]
        if secret is not None and secret.is_set and 0 < len(secret.reveal()) < MIN_USM_PASSPHRASE:
            reader.report(
                (*path, key), "secret_too_short", variable=secret.env, minimum=MIN_USM_PASSPHRASE
            )

    is_v3 = version == "3"
    return Credential(
        name=name,
        version=_pick(version, "2c"),
        community=None if is_v3 else secrets["community_env"],
        username=username if is_v3 else None,
        security_level=security_level if is_v3 else None,
        auth_protocol=auth_protocol if is_v3 else None,
        auth_key=secrets["auth_key_env"] if is_v3 else None,
        priv_protocol=priv_protocol if is_v3 else None,
        priv_key=secrets["priv_key_env"] if is_v3 else None,
    )


def _check_community_credential(
    reader: _Reader, path: KeyPath, table: Mapping[str, object], version: str
) -> None:
    if "community_env" not in table:
        reader.report_missing((*path, "community_env"), _SECRET_EXAMPLES["community_env"])
    for key in _V3_KEYS:
        if key in table:
            reader.report((*path, key), "v3_only_key", version=_show(version))


# The USM keys that each security level needs. The other USM keys are not allowed.
_LEVEL_KEYS: Final = {
    "noAuthNoPriv": (),
    "authNoPriv": ("auth_protocol", "auth_key_env"),
    "authPriv": ("auth_protocol", "auth_key_env", "priv_protocol", "priv_key_env"),
}
_KEY_EXAMPLES: Final = {
    "auth_protocol": 'auth_protocol = "SHA256"',
    "priv_protocol": 'priv_protocol = "AES"',
    **_SECRET_EXAMPLES,
}


def _check_v3_credential(
    reader: _Reader, path: KeyPath, table: Mapping[str, object], security_level: str | None
) -> None:
    if "community_env" in table:
        reader.report((*path, "community_env"), "community_v3")
    if "username" not in table:
        reader.report_missing((*path, "username"), 'username = "pantau"')
    if "security_level" not in table:
        reader.report_missing((*path, "security_level"), 'security_level = "authPriv"')
    if security_level is None:
        return

    needed = _LEVEL_KEYS[security_level]
    for key in _LEVEL_KEYS["authPriv"]:
        if key in needed and key not in table:
            example = _KEY_EXAMPLES[key]
            reader.report(
                (*path, key), "required_for_level", level=_show(security_level), example=example
            )
        elif key not in needed and key in table:
            higher = "authPriv" if key.startswith("priv") else "authNoPriv"
            reader.report(
                (*path, key), "not_for_level", level=_show(security_level), needed=_show(higher)
            )


def _read_targets(
    reader: _Reader,
    data: Mapping[str, object],
    defaults: TargetSettings,
    snmp_defaults: SnmpDefaults,
    credentials: Mapping[str, Credential],
) -> list[tuple[int, Target]]:
    """Read every [[targets]] table, then check names and parents across them."""
    entries = reader.table_array(data, ("targets",), "[[targets]]")
    if "targets" not in data or entries == []:
        reader.report(("targets",), "no_targets")
    targets = [
        (index, _read_target(reader, index, table, defaults, snmp_defaults, credentials))
        for index, table in entries or []
    ]
    _check_target_names(reader, targets)
    _check_parents(reader, targets)
    return targets


def _read_target(
    reader: _Reader,
    index: int,
    table: Mapping[str, object],
    defaults: TargetSettings,
    snmp_defaults: SnmpDefaults,
    credentials: Mapping[str, Credential],
) -> Target:
    path: KeyPath = ("targets", index)
    reader.check_keys(table, path, _TARGET_KEYS)

    name = reader.string(table, (*path, "name"), 'name = "bappeda-router"', required=True)
    if name is not None and not _NAME.fullmatch(name):
        reader.report(
            (*path, "name"), "invalid_name", value=_show(name), example='"bappeda-router"'
        )
    address = reader.string(table, (*path, "address"), 'address = "198.51.100.10"', required=True)
    group = _display_text(
        reader, (*path, "group"), reader.string(table, (*path, "group"), 'group = "Bappeda"')
    )
    network = _display_text(
        reader, (*path, "network"), reader.string(table, (*path, "network"), 'network = "opd"')
    )
    description = _display_text(
        reader,
        (*path, "description"),
        reader.string(
            table, (*path, "description"), 'description = "Router OPD"', allow_empty=True
        ),
    )
    parent = reader.string(table, (*path, "parent"), 'parent = "core-router"')
    expect = reader.choice(table, (*path, "expect"), 'expect = "unreachable"', EXPECTATIONS)
    if expect == "unreachable" and parent is not None:
        # A down parent would otherwise hide a breach behind "unreachable".
        reader.report((*path, "parent"), "isolation_parent", value=_show(parent))
    probes = _read_probes(reader, table, path)
    settings = _read_settings(reader, table, path, defaults)
    snmp = _read_snmp(reader, table, path, probes, credentials, settings, snmp_defaults)
    checks = config_services.read_service_checks(reader, table, path, probes, settings, address)

    placeholder = False
    if address is not None:
        _read_address(reader, path, address, settings.family)
        placeholder = config_services.is_placeholder_target(address, checks)
        if not placeholder and not reader.is_faulty((*path, "address")):
            config_services.check_service_secrets(
                reader, path, _pick(name, ""), _pick(probes, DEFAULT_PROBES), checks
            )

    icmp_table = table.get("icmp")
    overrides_timing = (
        "interval" in table
        or "timeout" in table
        or (
            isinstance(icmp_table, dict)
            and ("count" in icmp_table or "packet_interval" in icmp_table)
        )
    )
    check_icmp = "icmp" in (probes or ())
    if overrides_timing:
        _check_timing(reader, path, settings, check_icmp=check_icmp, inherited=("defaults",))
    degraded_table = table.get("degraded")
    overrides_rtt = isinstance(degraded_table, dict) and "rtt" in degraded_table
    if check_icmp and ("timeout" in table or overrides_rtt):
        _check_rtt_limit(reader, path, table, settings, inherited=("defaults",))

    return Target(
        name=_pick(name, ""),
        address=_pick(address, ""),
        group=_pick(group, ""),
        network=_pick(network, ""),
        probes=_pick(probes, DEFAULT_PROBES),
        parent=parent,
        description=_pick(description, ""),
        settings=settings,
        snmp=snmp,
        placeholder=placeholder,
        expect=_pick(expect, "reachable"),
        http=checks.http,
        tcp=checks.tcp,
        tls=checks.tls,
        dns=checks.dns,
    )


def _read_probes(
    reader: _Reader, table: Mapping[str, object], path: KeyPath
) -> tuple[str, ...] | None:
    """Return the probe kinds, DEFAULT_PROBES when absent, or None when faulty."""
    probes_path = (*path, "probes")
    probes = reader.strings(table, probes_path, 'probes = ["icmp", "snmp"]')
    if probes is None:
        return None if "probes" in table else DEFAULT_PROBES
    if not probes:
        reader.report(probes_path, "empty_probes")
        return None

    valid = True
    for position, kind in enumerate(probes):
        if kind not in PROBE_KINDS:
            choices = _quoted_list(PROBE_KINDS)
            reader.report(
                (*probes_path, position), "invalid_choice", value=_show(kind), choices=choices
            )
            valid = False
        elif kind in probes[:position]:
            reader.report((*probes_path, position), "duplicate_probe", value=_show(kind))
            valid = False
    return probes if valid else None


def _read_snmp(
    reader: _Reader,
    table: Mapping[str, object],
    path: KeyPath,
    probes: tuple[str, ...] | None,
    credentials: Mapping[str, Credential],
    settings: TargetSettings,
    snmp_defaults: SnmpDefaults,
) -> SnmpSettings | None:
    """Read a target's snmp table, taking each key it lacks from the snmp table of [defaults]."""
    snmp_path = (*path, "snmp")
    example = 'snmp = { credential = "opd-v2" }'
    snmp_table = reader.table(table, snmp_path, example, _SNMP_KEYS)
    if probes is not None:
        if "snmp" in probes and "snmp" not in table:
            reader.report((*path, "probes"), "snmp_table_missing", example=example)
        elif "snmp" not in probes and snmp_table is not None:
            reader.report(snmp_path, "snmp_probe_missing")
    if snmp_table is None:
        return None

    credential_path = (*snmp_path, "credential")
    credential = reader.string(snmp_table, credential_path, 'credential = "opd-v2"', required=True)
    if credential is not None and credential not in credentials:
        if credentials:
            reader.report(
                credential_path,
                "unknown_credential",
                value=_show(credential),
                name=credential,
                known=_quoted_list(credentials),
            )
        else:
            reader.report(
                credential_path, "unknown_credential_none", value=_show(credential), name=credential
            )
    options = _read_snmp_options(reader, snmp_table, snmp_path, snmp_defaults)
    return SnmpSettings(
        credential=_pick(credential, ""),
        port=options.port,
        profiles=options.profiles,
        timeout=_pick(options.timeout, settings.timeout),
        retries=options.retries,
        max_repetitions=options.max_repetitions,
        use_getnext=options.use_getnext,
        max_rows=options.max_rows,
        max_requests=options.max_requests,
        charset=options.charset,
        interfaces=options.interfaces,
        speeds=options.speeds,
        custom=_read_custom(reader, snmp_table, snmp_path),
        uplink=_read_uplink(reader, snmp_table, snmp_path, options.interfaces),
    )


# Control characters, and the marks that reorder text right to left: in a
# group or description they would forge lines or reverse text in terminals,
# chat messages and reports.
_HIDDEN_CHARACTERS: Final = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _display_text(reader: _Reader, path: KeyPath, value: str | None) -> str | None:
    """Return ``value``, or None after reporting a control or reordering character in it."""
    if value is None:
        return None
    found = _HIDDEN_CHARACTERS.search(value)
    if found is not None:
        reader.report(path, "hidden_character", character=f"U+{ord(found.group()):04X}")
        return None
    return value


def _read_uplink(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, interfaces: InterfaceFilter
) -> str | None:
    """Return the uplink's interface name, checked against the interface filter."""
    uplink_path = (*path, "uplink")
    name = reader.string(table, uplink_path, 'uplink = "ether1"')
    if name is None:
        return None
    try:
        included = not interfaces.include or any(
            re.fullmatch(pattern, name) for pattern in interfaces.include
        )
        excluded = any(re.fullmatch(pattern, name) for pattern in interfaces.exclude)
    except re.error:
        return name  # the faulty pattern is reported where it is written
    if excluded or not included:
        reader.report(uplink_path, "uplink_filtered", value=_show(name))
        return None
    return name


def _read_snmp_defaults(
    reader: _Reader, table: Mapping[str, object], path: KeyPath
) -> SnmpDefaults:
    snmp_path = (*path, "snmp")
    snmp_table = reader.table(table, snmp_path, "snmp = { retries = 1 }", None)
    if snmp_table is None:
        return SnmpDefaults()
    for key in _SNMP_TARGET_ONLY_KEYS:
        if key in snmp_table:
            reader.report((*snmp_path, key), "not_in_defaults")
    others = {key: value for key, value in snmp_table.items() if key not in _SNMP_TARGET_ONLY_KEYS}
    reader.check_keys(others, snmp_path, _SNMP_OPTION_KEYS)
    return _read_snmp_options(reader, snmp_table, snmp_path, SnmpDefaults())


def _read_snmp_options(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, base: SnmpDefaults
) -> SnmpDefaults:
    """Read the SNMP keys that [defaults] may set too, keeping ``base`` for keys ``table`` lacks.

    ``interfaces`` and ``speeds`` merge key by key with ``base`` as well, so a
    target's ``speeds`` adds interfaces to those of [defaults].
    """
    port = reader.integer(table, (*path, "port"), "port = 161", 1, 65535)
    profiles = _read_profiles(reader, table, path)
    timeout = reader.duration(table, (*path, "timeout"), 'timeout = "2s"', MIN_TIMEOUT, MAX_TIMEOUT)
    retries = reader.integer(table, (*path, "retries"), "retries = 1", 0, MAX_SNMP_RETRIES)
    max_repetitions = reader.integer(
        table, (*path, "max_repetitions"), "max_repetitions = 25", 1, MAX_REPETITIONS
    )
    # Version "1" credentials walk with GETNEXT whatever the value, because
    # SNMPv1 has no GETBULK.
    use_getnext = reader.boolean(table, (*path, "use_getnext"), "use_getnext = true")
    max_rows = reader.integer(table, (*path, "max_rows"), "max_rows = 10000", 1, MAX_ROWS)
    max_requests = reader.integer(
        table, (*path, "max_requests"), "max_requests = 1000", 1, MAX_REQUESTS
    )
    charset = _read_charset(reader, table, path)
    interfaces = _read_interface_filter(reader, table, path, base.interfaces)
    speeds = _read_speeds(reader, table, path)
    return SnmpDefaults(
        port=_pick(port, base.port),
        profiles=_pick(profiles, base.profiles),
        timeout=_pick(timeout, base.timeout),
        retries=_pick(retries, base.retries),
        max_repetitions=_pick(max_repetitions, base.max_repetitions),
        use_getnext=_pick(use_getnext, base.use_getnext),
        max_rows=_pick(max_rows, base.max_rows),
        max_requests=_pick(max_requests, base.max_requests),
        charset=_pick(charset, base.charset),
        interfaces=interfaces,
        speeds={**base.speeds, **speeds},
    )


def _read_profiles(
    reader: _Reader, table: Mapping[str, object], path: KeyPath
) -> tuple[str, ...] | None:
    profiles_path = (*path, "profiles")
    profiles = reader.strings(table, profiles_path, 'profiles = ["system", "interfaces"]')
    if profiles is None:
        return None

    valid = True
    known = _quoted_list(PROFILES)
    for position, name in enumerate(profiles):
        if name in PROFILES:
            continue
        valid = False
        close = difflib.get_close_matches(name, list(PROFILES), n=1, cutoff=0.6)
        if close:
            reader.report(
                (*profiles_path, position),
                "unknown_profile_suggestion",
                value=_show(name),
                suggestion=_show(close[0]),
                known=known,
            )
        else:
            reader.report(
                (*profiles_path, position), "unknown_profile", value=_show(name), known=known
            )
    return profiles if valid else None


def _read_charset(reader: _Reader, table: Mapping[str, object], path: KeyPath) -> str | None:
    charset_path = (*path, "charset")
    charset = reader.string(table, charset_path, 'charset = "cp1252"')
    if charset is None:
        return None
    try:
        codecs.lookup(charset)
    except LookupError:
        reader.report(charset_path, "unknown_charset", value=_show(charset))
        return None
    try:
        # What probes.snmp_values.decode_text does with a label that is not UTF-8.
        bytes(range(256)).decode(charset, errors="replace")
    except (LookupError, UnicodeError):
        # LookupError: a codec that is no text encoding, such as "base64".
        # UnicodeError: a codec that rejects some bytes all the same, such as "idna".
        reader.report(charset_path, "charset_not_text", value=_show(charset))
        return None
    return charset


def _read_interface_filter(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, base: InterfaceFilter
) -> InterfaceFilter:
    filter_path = (*path, "interfaces")
    example = 'interfaces = { exclude = ["lo"], types = [6] }'
    filter_table = reader.table(table, filter_path, example, _INTERFACE_FILTER_KEYS)
    if filter_table is None:
        return base

    include = _read_patterns(
        reader, filter_table, (*filter_path, "include"), 'include = ["ether.*"]'
    )
    exclude = _read_patterns(reader, filter_table, (*filter_path, "exclude"), 'exclude = ["lo"]')
    types = reader.integers(
        filter_table, (*filter_path, "types"), "types = [6, 131]", 1, MAX_IF_TYPE
    )
    return InterfaceFilter(
        include=_pick(include, base.include),
        exclude=_pick(exclude, base.exclude),
        types=_pick(types, base.types),
    )


def _read_patterns(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, example: str
) -> tuple[str, ...] | None:
    """Return regular expressions after compiling each one, or None if any is invalid."""
    patterns = reader.strings(table, path, example)
    if patterns is None:
        return None
    valid = True
    for position, pattern in enumerate(patterns):
        fault = _regex_fault(pattern)
        if fault is not None:
            code, params = fault
            reader.report((*path, position), code, value=_show(pattern), **params)
            valid = False
    return patterns if valid else None


def _regex_fault(pattern: str) -> tuple[str, dict[str, object]] | None:
    """Return the message code and parameters of what makes ``pattern`` no regular expression."""
    try:
        with warnings.catch_warnings():
            # Python 3.11 warns that "[[" may change meaning in a later version;
            # the pattern is valid today, and a warning would reach the
            # operator untranslated.
            warnings.simplefilter("ignore", FutureWarning)
            re.compile(pattern)
    except re.error as error:
        if error.pos is None:  # for example a look-behind of variable width
            return "invalid_regex_no_position", {"reason": error.msg}
        return "invalid_regex", {"reason": error.msg, "position": error.pos + 1}
    except OverflowError as error:  # a repetition count such as {4294967296}
        return "invalid_regex_no_position", {"reason": str(error)}
    except RecursionError:  # Python's regex parser recurses for each nested group
        return "regex_too_deep", {}
    return None


def _read_speeds(reader: _Reader, table: Mapping[str, object], path: KeyPath) -> dict[str, float]:
    speeds_path = (*path, "speeds")
    speeds_table = reader.table(table, speeds_path, 'speeds = { "ether1" = "100Mbps" }', None)
    speeds: dict[str, float] = {}
    for name, value in (speeds_table or {}).items():
        speed = _read_speed(reader, (*speeds_path, name), name, value)
        if speed is not None:
            speeds[name] = speed
    return speeds


def _read_speed(reader: _Reader, path: KeyPath, name: str, value: object) -> float | None:
    key = _format_path((name,)) if name else '"ether1"'
    example = f'{key} = "100Mbps"'
    if not name.strip():
        reader.report(path, "empty_string", example=example)
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A bare number is most likely bits per second, so suggest that in a unit.
        in_range = math.isfinite(value) and MIN_SPEED <= value <= MAX_SPEED
        suggestion = f'{key} = "{format_speed(value)}"' if in_range else example
        reader.report(path, "speed_number", value=_show(value), example=suggestion)
        return None
    if not isinstance(value, str):
        reader.report(path, "expected_string", value=_show(value), example=example)
        return None
    try:
        speed = parse_speed(value)
    except ValueError:
        reader.report(path, "invalid_speed", value=_show(value), example=example)
        return None
    if not MIN_SPEED <= speed <= MAX_SPEED:
        low, high = format_speed(MIN_SPEED), format_speed(MAX_SPEED)
        reader.report(path, "out_of_range", value=_show(value), minimum=low, maximum=high)
        return None
    return speed


# A custom OID becomes the metric pantau_snmp_<name>; these names are the
# daemon's own (monitor/snmp_view.py), with and without the _total suffix.
BUILT_IN_SNMP_METRICS: Final = frozenset(
    {"sys_uptime_seconds", "reboots", "reboots_total", "varbinds", "subtree_errors",
     "subtree_errors_total"}
)  # fmt: skip


def _read_custom(
    reader: _Reader, table: Mapping[str, object], snmp_path: KeyPath
) -> tuple[CustomOidSettings, ...]:
    """Read the custom OIDs of a target; each name must be unique among them."""
    custom_path = (*snmp_path, "custom")
    entries = reader.table_array(table, custom_path, "[[targets.snmp.custom]]") or []
    custom: list[CustomOidSettings] = []
    first_index: dict[str, int] = {}
    for position, entry in entries:
        path = (*custom_path, position)
        reader.check_keys(entry, path, _CUSTOM_KEYS)

        name_path = (*path, "name")
        name = reader.string(entry, name_path, 'name = "disk_used_percent"', required=True)
        if name is not None and not _METRIC_NAME.fullmatch(name):
            reader.report(name_path, "invalid_metric_name", value=_show(name))
        elif name is not None and name in BUILT_IN_SNMP_METRICS:
            reader.report(
                name_path,
                "custom_name_built_in",
                value=_show(name),
                metric=f"pantau_snmp_{name}",
            )
        elif name is not None and name in first_index:
            first = first_index[name]
            reader.report(
                name_path,
                "duplicate_name",
                value=_show(name),
                first=_format_path((*custom_path, first)),
                first_position=reader.position((*custom_path, first, "name")),
            )
        elif name is not None:
            first_index[name] = position

        oid_path = (*path, "oid")
        oid_text = reader.string(entry, oid_path, 'oid = "1.3.6.1.4.1.2021.9.1.9"', required=True)
        oid = None if oid_text is None else _read_oid(reader, oid_path, oid_text)
        kind = reader.choice(entry, (*path, "type"), 'type = "gauge"', CUSTOM_KINDS)
        index_label = _read_index_label(reader, entry, path)
        custom.append(
            CustomOidSettings(
                name=_pick(name, ""),
                oid=_pick(oid, ()),
                kind=_pick(kind, "gauge"),
                index_label=index_label,
            )
        )
    return tuple(custom)


def _read_oid(reader: _Reader, path: KeyPath, text: str) -> tuple[int, ...] | None:
    """Check a dotted numeric OID as SNMP can send it, and return its arcs."""
    value = _show(text)
    if not _OID_TEXT.fullmatch(text):
        reader.report(path, "invalid_oid", value=value)
        return None
    parts = text.removeprefix(".").split(".")
    # Compare lengths first: int() rejects strings of more than 4300 digits.
    if any(len(part) > len(str(MAX_OID_ARC)) or int(part) > MAX_OID_ARC for part in parts):
        reader.report(path, "oid_arc_too_large", value=value, maximum=MAX_OID_ARC)
        return None
    oid = tuple(int(part) for part in parts)
    if len(oid) < 2:
        reader.report(path, "oid_too_short", value=value)
    elif len(oid) > MAX_OID_ARCS:
        reader.report(path, "oid_too_long", value=value, count=len(oid), maximum=MAX_OID_ARCS)
    elif oid[0] > 2:
        reader.report(path, "oid_first_arc", value=value, arc=oid[0])
    elif oid[0] < 2 and oid[1] > 39:
        # BER packs the first two arcs into one number, 40 * first + second.
        reader.report(path, "oid_second_arc", value=value, first=oid[0], arc=oid[1])
    else:
        return oid
    return None


def _read_index_label(reader: _Reader, entry: Mapping[str, object], path: KeyPath) -> str | None:
    label_path = (*path, "index_label")
    label = reader.string(entry, label_path, 'index_label = "disk"')
    if label is None:
        return None
    if not _LABEL_NAME.fullmatch(label):
        reader.report(label_path, "invalid_label_name", value=_show(label))
        return None
    if label in RESERVED_LABELS:
        reader.report(
            label_path, "reserved_label", value=_show(label), reserved=", ".join(RESERVED_LABELS)
        )
        return None
    return label


def _read_address(reader: _Reader, path: KeyPath, address: str, family: str) -> IPAddress | None:
    """Check the address and its agreement with ``family``, and return it if it is an IP literal."""
    address_path = (*path, "address")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        fault = _address_fault(address)
        if fault is not None:
            code, params = fault
            reader.report(address_path, code, value=_show(address), **params)
        return None

    unusable = unusable_target_reason(ip)
    if unusable is not None:
        reader.report(address_path, f"address_{unusable}", value=_show(address))
        return None

    expected_version = {"ip4": 4, "ip6": 6}.get(family)
    if expected_version is not None and expected_version != ip.version:
        reader.report(
            (*path, "family"),
            "family_mismatch",
            family=_show(family),
            value=_show(address),
            version=ip.version,
        )
    return ip


def _check_target_names(reader: _Reader, targets: Sequence[tuple[int, Target]]) -> None:
    first_index: dict[str, int] = {}
    for index, target in targets:
        name_path: KeyPath = ("targets", index, "name")
        if reader.is_faulty(name_path) or not target.name:
            continue
        if target.name in first_index:
            first = first_index[target.name]
            reader.report(
                name_path,
                "duplicate_name",
                value=_show(target.name),
                first=f"targets[{first}]",
                first_position=reader.position(("targets", first, "name")),
            )
        else:
            first_index[target.name] = index


def _check_parents(reader: _Reader, targets: Sequence[tuple[int, Target]]) -> None:
    """Report unknown parents, targets that are their own parent, and parent cycles."""
    # Every written name counts as known, even a faulty one, so that one bad
    # name does not also make each of its children's parents "not found".
    known = [target.name for _, target in targets if target.name]
    valid = [
        target.name
        for index, target in targets
        if target.name and not reader.is_faulty(("targets", index, "name"))
    ]
    index_of: dict[str, int] = {}
    for index, target in targets:
        index_of.setdefault(target.name, index)

    parents: dict[str, str] = {}
    for index, target in targets:
        parent = target.parent
        parent_path: KeyPath = ("targets", index, "parent")
        if parent is None:
            continue
        if parent == target.name:
            reader.report(parent_path, "self_parent", value=_show(parent))
        elif parent not in known:
            _report_unknown_parent(reader, parent_path, parent, target.name, valid)
        elif targets[index_of[parent]][1].expect == "unreachable":
            # Nothing is reached through an address that must stay silent.
            reader.report(parent_path, "parent_isolation", value=_show(parent))
        elif target.name and index_of[target.name] == index:
            parents[target.name] = parent

    for cycle in _find_cycles(parents):
        start = min(cycle, key=lambda name: index_of[name])
        rotated = cycle[cycle.index(start) :] + cycle[: cycle.index(start)]
        text = " -> ".join([*rotated, start])
        reader.report(("targets", index_of[start], "parent"), "parent_cycle", cycle=text)


def _report_unknown_parent(
    reader: _Reader, path: KeyPath, parent: str, own_name: str, names: Sequence[str]
) -> None:
    candidates = [name for name in names if name != own_name]
    if not candidates:
        reader.report(path, "unknown_parent_no_targets", value=_show(parent))
        return
    close = difflib.get_close_matches(parent, candidates, n=1, cutoff=0.0)
    suggestion = close[0] if close else candidates[0]
    reader.report(path, "unknown_parent", value=_show(parent), suggestion=_show(suggestion))


def _find_cycles(parents: Mapping[str, str]) -> list[list[str]]:
    """Return each cycle of the child -> parent graph once, in the order it is walked."""
    done: set[str] = set()
    cycles: list[list[str]] = []
    for start in parents:
        chain: list[str] = []
        node = start
        while node in parents and node not in done and node not in chain:
            chain.append(node)
            node = parents[node]
        if node in chain:
            cycles.append(chain[chain.index(node) :])
        done.update(chain)
    return cycles


@dataclass(frozen=True, slots=True)
class _Names:
    """Target names, groups and networks that channels and maintenance windows may name.

    Every written name counts, even a faulty one, so that one bad target
    name does not also make each reference to it "not found".
    """

    target: tuple[str, ...]
    group: tuple[str, ...]
    network: tuple[str, ...]

    @classmethod
    def of(cls, targets: Iterable[Target]) -> _Names:
        targets = list(targets)
        return cls(
            target=_unique(target.name for target in targets),
            group=_unique(target.group for target in targets),
            network=_unique(target.network for target in targets),
        )


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    """Return the non-empty names once each, in first-seen order."""
    return tuple(dict.fromkeys(name for name in names if name))


def _read_entry_name(
    reader: _Reader,
    table: Mapping[str, object],
    path: KeyPath,
    example: str,
    first_index: dict[str, int],
) -> str | None:
    """Read the name of an entry of an array of tables, which is unique in that array."""
    name_path = (*path, "name")
    name = reader.string(table, name_path, f"name = {example}", required=True)
    if name is None:
        return None
    if not _NAME.fullmatch(name):
        reader.report(name_path, "invalid_name", value=_show(name), example=example)
    elif name in first_index:
        first: KeyPath = (*path[:-1], first_index[name])
        reader.report(
            name_path,
            "duplicate_name",
            value=_show(name),
            first=_format_path(first),
            first_position=reader.position((*first, "name")),
        )
    else:
        first_index[name] = int(path[-1])
    return name


def _read_names(
    reader: _Reader,
    table: Mapping[str, object],
    path: KeyPath,
    example: str,
    kind: str,
    known: Sequence[str],
) -> tuple[str, ...] | None:
    """Read a non-empty array of target, group or network names that all exist.

    ``kind`` is "target", "group" or "network" and selects the messages.
    Returns None when the key is absent or any name is faulty.
    """
    names = reader.strings(table, path, example)
    if names is None:
        return None
    if not names:
        reader.report(path, "empty_list", example=example)
        return None

    # Compare without case, so that "bappeda" suggests "Bappeda".
    folded = {known_name.casefold(): known_name for known_name in reversed(known)}
    valid = True
    for position, name in enumerate(names):
        if name in known:
            continue
        valid = False
        if not known:
            reader.report((*path, position), f"unknown_{kind}_none", value=_show(name))
            continue
        close = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.0)
        suggestion = folded[close[0]] if close else known[0]
        reader.report(
            (*path, position), f"unknown_{kind}", value=_show(name), suggestion=_show(suggestion)
        )
    return names if valid else None


def _read_channels(
    reader: _Reader, data: Mapping[str, object], names: _Names
) -> tuple[Channel, ...]:
    """Read every [[channels]] table; each channel's URL variable must be set."""
    entries = reader.table_array(data, ("channels",), "[[channels]]") or []
    first_index: dict[str, int] = {}
    return tuple(
        _read_channel(reader, ("channels", index), table, names, first_index)
        for index, table in entries
    )


def _read_channel(
    reader: _Reader,
    path: KeyPath,
    table: Mapping[str, object],
    names: _Names,
    first_index: dict[str, int],
) -> Channel:
    reader.check_keys(table, path, _CHANNEL_KEYS)
    name = _read_entry_name(reader, table, path, '"noc-telegram"', first_index)

    env_path = (*path, "url_env")
    env = reader.env_name(table, env_path, 'url_env = "PANTAU_TELEGRAM_URL"', required=True)
    url = reader.secret(_pick(env, ""))
    if env is not None:
        _check_secret_set(reader, env_path, url, target=None)
        if url.is_set and url.reveal() and not is_apprise_url(url.reveal()):
            reader.report(
                env_path, "invalid_channel_url", variable=url.env, scheme=_url_scheme(url.reveal())
            )

    networks = _read_names(
        reader, table, (*path, "networks"), 'networks = ["eksekutif"]', "network", names.network
    )
    groups = _read_names(
        reader, table, (*path, "groups"), 'groups = ["Bappeda"]', "group", names.group
    )
    min_severity = reader.choice(
        table, (*path, "min_severity"), 'min_severity = "warning"', SEVERITIES
    )
    language = reader.choice(table, (*path, "language"), 'language = "id"', LANGUAGES)
    rate = _read_rate(reader, table, (*path, "rate"))
    max_length = reader.integer(
        table, (*path, "max_length"), "max_length = 4096", MIN_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH
    )
    summary = reader.boolean(table, (*path, "summary"), "summary = true")

    defaults = Channel(name="", url=url)
    return Channel(
        name=_pick(name, ""),
        url=url,
        networks=_pick(networks, defaults.networks),
        groups=_pick(groups, defaults.groups),
        min_severity=_pick(min_severity, defaults.min_severity),
        language=language,
        rate=rate,
        max_length=max_length,
        summary=_pick(summary, defaults.summary),
    )


def _read_rate(reader: _Reader, table: Mapping[str, object], path: KeyPath) -> float | None:
    """Return a channel's rate in messages per minute, or None when absent or faulty."""
    if "rate" not in table:
        return None
    value = table["rate"]
    example = 'rate = "20/min"'
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 < value < math.inf:
            example = f'rate = "{value}/min"'
        reader.report(path, "rate_number", value=_show(value), example=example)
        return None
    if not isinstance(value, str):
        reader.report(path, "expected_string", value=_show(value), example=example)
        return None
    try:
        per_minute = parse_rate(value)
    except ValueError:
        reader.report(path, "invalid_rate", value=_show(value), example=example)
        return None
    if per_minute <= 0:
        reader.report(path, "zero_rate", value=_show(value), example=example)
        return None
    return per_minute


def _read_alerts(reader: _Reader, data: Mapping[str, object]) -> AlertSettings:
    path: KeyPath = ("alerts",)
    table = reader.table(data, path, "[alerts]", _ALERTS_KEYS) or {}
    defaults = AlertSettings()
    group_window = reader.duration(
        table, (*path, "group_window"), 'group_window = "10s"', 0.0, MAX_GROUP_WINDOW
    )
    return AlertSettings(
        group_window=_pick(group_window, defaults.group_window),
        daily_summary=_read_daily_summary(reader, table, (*path, "daily_summary")),
    )


_HISTORY_KEYS: Final = ("raw_days", "hourly_months", "daily_years")
_REPORT_KEYS: Final = (
    "availability_ready",
    "availability_minimum",
    "rtt_p95_ready",
    "rtt_p95_limit",
    "loss_ready",
    "loss_limit",
    "uplink_ready",
    "uplink_limit",
    "headroom_ready",
    "headroom_limit",
    "coverage_minimum",
    "response_p95_ready",
    "response_p95_limit",
    "cert_days_minimum",
    "executive_networks",
    "server_networks",
)
_REPORT_RATIO_EXAMPLES: Final = {
    "availability_ready": '"99.5%"',
    "availability_minimum": '"98%"',
    "loss_ready": '"1%"',
    "loss_limit": '"5%"',
    "uplink_ready": '"70%"',
    "uplink_limit": '"90%"',
    "headroom_ready": '"20%"',
    "headroom_limit": '"5%"',
    "coverage_minimum": '"90%"',
}
# (ready, limit, True when a higher value is better)
_REPORT_PAIRS: Final = (
    ("availability_ready", "availability_minimum", True),
    ("rtt_p95_ready", "rtt_p95_limit", False),
    ("response_p95_ready", "response_p95_limit", False),
    ("loss_ready", "loss_limit", False),
    ("uplink_ready", "uplink_limit", False),
    ("headroom_ready", "headroom_limit", True),
)


def _read_history(reader: _Reader, data: Mapping[str, object]) -> HistorySettings:
    path: KeyPath = ("history",)
    table = reader.table(data, path, "[history]", _HISTORY_KEYS) or {}
    defaults = HistorySettings()
    raw_days = reader.integer(table, (*path, "raw_days"), "raw_days = 14", 1, 366)
    hourly = reader.integer(table, (*path, "hourly_months"), "hourly_months = 13", 1, 120)
    daily = reader.integer(table, (*path, "daily_years"), "daily_years = 5", 1, 100)
    return HistorySettings(
        raw_days=_pick(raw_days, defaults.raw_days),
        hourly_months=_pick(hourly, defaults.hourly_months),
        daily_years=_pick(daily, defaults.daily_years),
    )


def _read_report(reader: _Reader, data: Mapping[str, object]) -> ReportSettings:
    path: KeyPath = ("report",)
    table = reader.table(data, path, "[report]", _REPORT_KEYS) or {}
    changes: dict[str, object] = {}
    for key, example in _REPORT_RATIO_EXAMPLES.items():
        if key not in table:
            continue
        key_path = (*path, key)
        value = table[key]
        if value is False:
            reader.report(key_path, "report_threshold_off", example=f"{key} = {example}")
            continue
        valid, ratio = _read_ratio_limit(reader, value, key_path, example=f"{key} = {example}")
        if valid:
            changes[key] = ratio
    for key, example in (("rtt_p95_ready", '"50ms"'), ("rtt_p95_limit", '"150ms"')):
        seconds = reader.duration(table, (*path, key), f"{key} = {example}", 0.0, 60.0)
        if seconds is not None:
            changes[key] = seconds
    for key, example in (("response_p95_ready", '"1s"'), ("response_p95_limit", '"3s"')):
        seconds = reader.duration(table, (*path, key), f"{key} = {example}", 0.0, 600.0)
        if seconds is not None:
            changes[key] = seconds
    days = reader.integer(table, (*path, "cert_days_minimum"), "cert_days_minimum = 14", 0, 3650)
    if days is not None:
        changes["cert_days_minimum"] = days
    for key in ("executive_networks", "server_networks"):
        example = f'{key} = ["{getattr(ReportSettings(), key)[0]}"]'
        names = reader.strings(table, (*path, key), example)
        if names is not None:
            changes[key] = names
    settings = replace(ReportSettings(), **changes)
    for ready, limit, higher_is_better in _REPORT_PAIRS:
        ready_value, limit_value = getattr(settings, ready), getattr(settings, limit)
        if ready_value < limit_value if higher_is_better else ready_value > limit_value:
            reader.report((*path, ready), "report_threshold_order", other=limit)
            settings = replace(settings, **{ready: getattr(ReportSettings(), ready)})
            settings = replace(settings, **{limit: getattr(ReportSettings(), limit)})
    return settings


def _read_daily_summary(reader: _Reader, table: Mapping[str, object], path: KeyPath) -> str | None:
    """Return the time of the daily summary as "HH:MM", or None for no summary."""
    if table.get("daily_summary") is False:
        return None
    text = reader.string(table, path, 'daily_summary = "07:00"')
    if text is None:
        return None
    if not _CLOCK_TIME.fullmatch(text):
        reader.report(path, "invalid_clock_time", value=_show(text))
        return None
    return text


def _read_maintenance(
    reader: _Reader, data: Mapping[str, object], names: _Names, zone: tzinfo
) -> tuple[MaintenanceWindow, ...]:
    """Read every [[maintenance]] window; local datetimes are taken in ``zone``."""
    entries = reader.table_array(data, ("maintenance",), "[[maintenance]]") or []
    first_index: dict[str, int] = {}
    return tuple(
        _read_window(reader, ("maintenance", index), table, names, zone, first_index)
        for index, table in entries
    )


def _read_window(
    reader: _Reader,
    path: KeyPath,
    table: Mapping[str, object],
    names: _Names,
    zone: tzinfo,
    first_index: dict[str, int],
) -> MaintenanceWindow:
    from monitor import maintenance  # imported here because it imports this module

    reader.check_keys(table, path, _MAINTENANCE_KEYS)
    name = _read_entry_name(reader, table, path, '"patch-server"', first_index)

    targets = _read_names(
        reader, table, (*path, "targets"), 'targets = ["db-server"]', "target", names.target
    )
    groups = _read_names(
        reader, table, (*path, "groups"), 'groups = ["Bappeda"]', "group", names.group
    )
    networks = _read_names(
        reader, table, (*path, "networks"), 'networks = ["server"]', "network", names.network
    )
    scope_keys = ("targets", "groups", "networks")
    if not any(key in table or reader.is_suggested((*path, key)) for key in scope_keys):
        reader.report(path, "window_scope_missing")

    start = _read_datetime(reader, table, (*path, "start"), zone)
    end = _read_datetime(reader, table, (*path, "end"), zone)
    cron = _read_cron(reader, table, (*path, "cron"))
    # The same bounds as `pantau maintenance add --duration`.
    duration = reader.duration(
        table,
        (*path, "duration"),
        'duration = "4h"',
        maintenance.MIN_DURATION,
        maintenance.MAX_DURATION,
    )
    reason = reader.string(table, (*path, "reason"), 'reason = "Patch bulanan"', allow_empty=True)
    _check_window_time(reader, path, table, start, end)
    if cron is not None and duration is not None:
        gap = maintenance.endless_gap(cron, duration)
        if gap is not None:
            reader.report(
                (*path, "duration"),
                "window_endless",
                value=_show(table.get("duration")),
                cron=_show(cron),
                gap=format_duration(gap),
            )

    return MaintenanceWindow(
        name=_pick(name, ""),
        targets=_pick(targets, ()),
        groups=_pick(groups, ()),
        networks=_pick(networks, ()),
        start=start,
        end=end,
        cron=cron,
        duration=duration,
        reason=_pick(reason, ""),
    )


_WINDOW_EXAMPLES: Final = {
    "start": "start = 2026-12-05T22:00:00",
    "end": "end = 2026-12-06T02:00:00",
    "cron": 'cron = "0 22 * * sat"',
    "duration": 'duration = "4h"',
}


def _check_window_time(
    reader: _Reader,
    path: KeyPath,
    table: Mapping[str, object],
    start: datetime | None,
    end: datetime | None,
) -> None:
    """Report a window that is not either one-off (start, end) or recurring (cron, duration)."""
    one_off = [key for key in ("start", "end") if key in table]
    recurring = [key for key in ("cron", "duration") if key in table]
    if one_off and recurring:
        reader.report((*path, recurring[0]), "window_both_kinds")
        return
    if not one_off and not recurring:
        if not any(reader.is_suggested((*path, key)) for key in _WINDOW_EXAMPLES):
            reader.report(path, "window_kind_missing")
        return

    for key in ("start", "end") if one_off else ("cron", "duration"):
        if key not in table:
            reader.report_missing((*path, key), _WINDOW_EXAMPLES[key])
    if start is not None and end is not None and end <= start:
        reader.report(
            (*path, "end"), "end_not_after_start", start=start.isoformat(), end=end.isoformat()
        )


def _read_datetime(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, zone: tzinfo
) -> datetime | None:
    """Return a TOML datetime as an aware datetime: a local one is taken in ``zone``."""
    key = str(path[-1])
    if key not in table:
        return None
    value = table[key]
    example = _WINDOW_EXAMPLES[key]
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    if isinstance(value, date):
        example = f"{key} = {value.isoformat()}T00:00:00"
        reader.report(path, "datetime_date_only", example=example)
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            example = f"{key} = {parsed.isoformat()}"
            reader.report(path, "datetime_quoted", value=_show(value), example=example)
            return None
    reader.report(path, "expected_datetime", value=_show(value), example=example)
    return None


def _read_cron(reader: _Reader, table: Mapping[str, object], path: KeyPath) -> str | None:
    """Read a crontab expression, reporting any that ``pantau maintenance add --cron`` rejects."""
    from monitor import maintenance  # imported here because it imports this module

    text = reader.string(table, path, _WINDOW_EXAMPLES["cron"])
    if text is None:
        return None
    try:
        maintenance.parse_cron(text)
    except maintenance.CronError as error:
        _report_cron_error(reader, path, error)
        return None
    return text


def _report_cron_error(reader: _Reader, path: KeyPath, error: CronError) -> None:
    value = _show(error.expression)
    if error.code == "field_count":
        reader.report(path, "cron_field_count", value=value, count=error.count)
    elif error.code == "field":
        reader.report(
            path,
            "cron_field",
            value=value,
            field_value=_show(error.value),
            field=CatalogueText(f"maintenance.cron_field.{error.field}"),
        )
    else:
        reader.report(path, "cron_never", value=value)


def _check_credential_secrets(
    reader: _Reader,
    targets: Sequence[tuple[int, Target]],
    credentials: Mapping[str, Credential],
) -> None:
    """Require the secrets of every credential that a probed, non-placeholder target uses.

    A credential used only by placeholder targets may lack its variables, so
    that the inventory loads before the SNMP community is known.
    """
    needed_by: dict[str, str] = {}
    for index, target in targets:
        if reader.is_faulty(("targets", index, "address")):
            continue  # unknown whether it is a placeholder
        if target.snmp is not None and "snmp" in target.probes and not target.placeholder:
            needed_by.setdefault(target.snmp.credential, target.name)

    for name, target_name in needed_by.items():
        credential = credentials.get(name)
        if credential is None:
            continue
        for key, secret in (
            ("community_env", credential.community),
            ("auth_key_env", credential.auth_key),
            ("priv_key_env", credential.priv_key),
        ):
            if secret is not None:
                _check_secret_set(reader, ("credentials", name, key), secret, target=target_name)


def is_apprise_url(url: str) -> bool:
    """Return whether Apprise has a service plugin for ``url``; nothing is sent.

    Apprise may log the URL it rejects, with its token, so its logger is
    silenced meanwhile. Apprise is imported here, not at the top, because
    loading its plugins takes a few tenths of a second.
    """
    import apprise

    apprise_logger = logging.getLogger("apprise")
    was_disabled = apprise_logger.disabled
    apprise_logger.disabled = True
    try:
        return apprise.Apprise.instantiate(url) is not None
    except Exception:  # a plugin failing on odd input is a rejection too
        return False
    finally:
        apprise_logger.disabled = was_disabled


def _url_scheme(url: str) -> str:
    """Return the scheme of ``url`` for an error message, or "-"; never the secret part."""
    scheme, separator, _ = url.partition("://")
    return scheme if separator and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,19}", scheme) else "-"


def _check_secret_set(reader: _Reader, path: KeyPath, secret: Secret, target: str | None) -> None:
    if not reader.require_secrets:
        return
    if not secret.is_set:
        if target is None:
            reader.report(path, "missing_env_channel", variable=secret.env)
        else:
            reader.report(path, "missing_env", variable=secret.env, target=_show(target))
    elif not secret.reveal():
        reader.report(path, "empty_env", variable=secret.env)
