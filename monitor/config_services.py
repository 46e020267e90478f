"""Configuration of the application-service checks: a target's http, tcp, tls and dns tables.

``monitor.config`` calls :func:`read_service_checks` for every target. Each
table becomes a frozen settings object that the daemon turns into a probe
request of probes/http.py, probes/tcp.py, probes/tls.py or probes/dns.py.
Durations are seconds, and every fault is reported with its key path, as in
the rest of the configuration::

    [[targets]]
    name = "app-simpeg"
    address = "198.51.100.20"
    probes = ["icmp", "http", "tls", "tcp", "dns"]
    http = { url = "https://simpeg.example.go.id/login", expect_status = [200] }
    tcp = { ports = [22, 5432] }
    tls = { port = 443 }
    dns = { name = "simpeg.example.go.id", type = "A", expect = ["198.51.100.20"] }
"""

from __future__ import annotations

import ipaddress
import os
import re
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final
from urllib.parse import SplitResult, urlsplit

# monitor.config imports this module too. Its names are looked up when a
# reader runs, and by then both modules are complete, whichever was imported first.
from monitor import config
from probes import patterns
from probes.addresses import is_placeholder_address, is_placeholder_name, unusable_target_reason

if TYPE_CHECKING:
    from monitor.config import KeyPath, Secret, TargetSettings, _Reader

__all__ = [
    "DNS_RECORD_TYPES",
    "DNS_TRANSPORTS",
    "HTTP_CONNECT_MODES",
    "HTTP_METHODS",
    "DnsSettings",
    "HttpSettings",
    "ServiceChecks",
    "TcpSettings",
    "TlsSettings",
    "check_service_secrets",
    "http_url_fault",
    "is_placeholder_target",
    "read_duration_limit",
    "read_service_checks",
]

HTTP_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
HTTP_CONNECT_MODES: Final = ("address", "url")
DNS_RECORD_TYPES: Final = ("A", "AAAA", "CNAME", "MX", "NS", "TXT")
DNS_TRANSPORTS: Final = ("udp", "tcp")

DEFAULT_HTTP_TIMEOUT: Final = 10.0
DEFAULT_TLS_TIMEOUT: Final = 10.0
DEFAULT_TCP_TIMEOUT: Final = 5.0
DEFAULT_DNS_TIMEOUT: Final = 5.0
DEFAULT_MAX_REDIRECTS: Final = 5
MAX_REDIRECTS: Final = 20
DEFAULT_TLS_PORT: Final = 443
DEFAULT_DNS_PORT: Final = 53
# Ports over all tcp tables of one target. The probe opens at most
# probes.tcp.MAX_CONNECTIONS of them at a time under one timeout, so a longer
# list would leave ports untried when many of them hang.
MAX_TCP_PORTS: Final = 64


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """HTTP check of a target, from its ``http`` table.

    With ``connect`` "address" the check connects to the target's address and
    sends the URL's host only as the Host header and TLS server name. With
    "url" it resolves the URL's host. An empty ``expect_status`` accepts any
    2xx status. ``password`` is read from the variable named by ``password_env``
    and is used with ``username`` for basic authentication. ``ca_file`` is
    absolute, resolved against the configuration file's folder.

    >>> HttpSettings("https://simpeg.example.go.id/login", expect_status=(200,)).connect
    'address'
    """

    url: str
    connect: str = "address"
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""
    username: str | None = None
    password: Secret | None = None
    expect_status: tuple[int, ...] = ()
    expect_text: str | None = None
    expect_regex: str | None = None
    reject_text: str | None = None
    reject_regex: str | None = None
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    ca_file: Path | None = None
    insecure: bool = False  # the insecure_skip_verify key: no certificate check
    timeout: float = DEFAULT_HTTP_TIMEOUT


@dataclass(frozen=True, slots=True)
class TcpSettings:
    """One table of a target's ``tcp`` key: ports, and an optional exchange on each.

    ``send`` is written after connecting (UTF-8, empty sends nothing).
    ``expect`` is the text the reply must start with, and ``expect_regex`` a
    pattern that must match in the reply. The daemon probes every table of a
    target at once, under the largest ``timeout`` among them.
    """

    ports: tuple[int, ...]
    send: str = ""
    expect: str | None = None
    expect_regex: str | None = None
    timeout: float = DEFAULT_TCP_TIMEOUT


@dataclass(frozen=True, slots=True)
class TlsSettings:
    """TLS handshake and certificate check of a target, from its ``tls`` table.

    ``server_name`` is the name sent as SNI and checked against the
    certificate: the http URL's host when the target has an http check, else
    the target's address.
    """

    server_name: str
    port: int = DEFAULT_TLS_PORT
    ca_file: Path | None = None
    insecure: bool = False  # the insecure_skip_verify key: no certificate check
    timeout: float = DEFAULT_TLS_TIMEOUT


@dataclass(frozen=True, slots=True)
class DnsSettings:
    """DNS query of a target, from its ``dns`` table.

    ``server`` is an IP literal: the target's address when that is one and
    the table names no server. Every value of ``expect`` must be among the
    answers, written as the probe compares them ("10 mail.example.go.id" for
    MX); empty accepts any answer of ``record_type``.
    """

    server: str
    name: str
    record_type: str = "A"
    expect: tuple[str, ...] = ()
    port: int = DEFAULT_DNS_PORT
    transport: str = "udp"
    recursion: bool = True
    timeout: float = DEFAULT_DNS_TIMEOUT


@dataclass(frozen=True, slots=True)
class ServiceChecks:
    """The service checks of one target, as read from its tables."""

    http: HttpSettings | None = None
    tcp: tuple[TcpSettings, ...] = ()
    tls: TlsSettings | None = None
    dns: DnsSettings | None = None


# Reading ------------------------------------------------------------------------------

SERVICE_PROBES: Final = ("tcp", "http", "tls", "dns")
HTTP_KEYS: Final = (
    "url",
    "connect",
    "method",
    "headers",
    "body",
    "username",
    "password_env",
    "expect_status",
    "expect_text",
    "expect_regex",
    "reject_text",
    "reject_regex",
    "max_redirects",
    "ca_file",
    "insecure_skip_verify",
    "timeout",
)
TCP_KEYS: Final = ("ports", "send", "expect", "expect_regex", "timeout")
TLS_KEYS: Final = ("port", "server_name", "ca_file", "insecure_skip_verify", "timeout")
DNS_KEYS: Final = ("server", "name", "type", "expect", "port", "transport", "recursion", "timeout")

_TABLE_EXAMPLES: Final = {
    "http": 'http = { url = "https://simpeg.example.go.id/login", expect_status = [200] }',
    "tcp": "tcp = { ports = [22, 5432] }",
    "tls": "tls = { port = 443 }",
    "dns": 'dns = { name = "simpeg.example.go.id", type = "A" }',
}
_URL_EXAMPLE: Final = '"https://simpeg.example.go.id/login"'
# RFC 9110, section 5.6.2: the characters of a token, which a header name is.
_TOKEN: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Header fields that carry credentials, which belong in the environment.
_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "proxy-authorization"})
# Header fields that frame the message, which the HTTP probe sets itself, as it
# sets Host from the URL. A second value makes the request ambiguous, so a
# server may reject it or read a body of another length than Pantau sent.
_FRAMING_HEADERS: Final = frozenset({"content-length", "transfer-encoding", "connection"})
# Control characters except horizontal tab, which RFC 9110 allows inside a value.
_HEADER_VALUE_FORBIDDEN: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# A URL in a configuration file must carry spaces and control characters
# percent-encoded, so a literal one is a mistake.
_URL_FORBIDDEN: Final = re.compile(r"[\x00-\x20\x7f]")
_URL_SCHEMES: Final = ("http", "https")
# DNS labels may hold underscores ("_dmarc"), unlike host names (RFC 2181, section 11).
_DNS_LABEL: Final = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?", re.ASCII)
_MX_ANSWER: Final = re.compile(r"(?P<preference>[0-9]{1,5}) (?P<exchange>\S+)", re.ASCII)
_DNS_EXPECT_EXAMPLES: Final = {
    "A": '"198.51.100.20"',
    "AAAA": '"2001:db8::20"',
    "CNAME": '"web.example.go.id"',
    "MX": '"10 mail.example.go.id"',
    "NS": '"ns1.example.go.id"',
    "TXT": '"v=spf1 mx -all"',
}
_REGEX_CODES: Final = {
    "invalid_regex": "response_regex",
    "invalid_regex_no_position": "response_regex_no_position",
}


def read_service_checks(
    reader: _Reader,
    table: Mapping[str, object],
    path: KeyPath,
    probes: tuple[str, ...] | None,
    settings: TargetSettings,
    address: str | None,
) -> ServiceChecks:
    """Read the http, tcp, tls and dns tables of the target at ``path``.

    ``probes`` is None when the target's probes key is faulty; the check that
    each listed service probe has its table is skipped then.
    """
    http = _read_http(reader, table, path, settings)
    tcp = _read_tcp(reader, table, path, settings)
    tls = _read_tls(reader, table, path, settings, probes, http, address)
    dns = _read_dns(reader, table, path, settings, address)
    if probes is not None:
        _check_probe_tables(reader, table, path, probes, http)
    return ServiceChecks(http=http, tcp=tcp, tls=tls, dns=dns)


def is_placeholder_target(address: str, checks: ServiceChecks) -> bool:
    """Tell whether a target is a placeholder: not yet configured, so never probed.

    It is when its address is a documentation address or a reserved example
    name, when its http check resolves a URL host that is one, or when its
    dns check queries a documentation address or asks for a reserved
    example name (the DNS probe sends no such query).
    """
    if address and is_placeholder_name(address):
        return True
    http = checks.http
    if http is not None and http.connect == "url":
        host = urlsplit(http.url).hostname
        if host and is_placeholder_name(host):
            return True
    dns = checks.dns
    if dns is None:
        return False
    return is_placeholder_address(dns.server) or is_placeholder_name(dns.name)


def check_service_secrets(
    reader: _Reader, path: KeyPath, name: str, probes: Sequence[str], checks: ServiceChecks
) -> None:
    """Require the password variable of the http check of a probed, non-placeholder target."""
    http = checks.http
    if http is None or http.password is None or "http" not in probes:
        return
    config._check_secret_set(reader, (*path, "http", "password_env"), http.password, target=name)


def read_duration_limit(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, example: str, minimum: float
) -> tuple[bool, float | None]:
    """Return whether the duration limit at ``path`` is valid, and its seconds (None: off)."""
    key = str(path[-1])
    value = table[key]
    if value is False:
        return True, None
    if value is True:
        reader.report(path, "limit_true", example=example)
        return False, None
    if key == "cert_expiry" and isinstance(value, int) and not isinstance(value, bool):
        # Certificate lifetimes are counted in days, so a bare number most likely is days.
        suggestion = f'{key} = "{value}d"'
        reader.report(path, "duration_number", value=config._show(value), example=suggestion)
        return False, None
    seconds = reader.duration(table, path, example, minimum, None)
    return seconds is not None, seconds


def _check_probe_tables(
    reader: _Reader,
    table: Mapping[str, object],
    path: KeyPath,
    probes: Sequence[str],
    http: HttpSettings | None,
) -> None:
    for kind in SERVICE_PROBES:
        if kind in probes and kind not in table:
            if kind != "tls":
                example = _TABLE_EXAMPLES[kind]
                reader.report(
                    (*path, "probes"), "service_table_missing", probe=kind, example=example
                )
            elif not _is_https(http) and not reader.is_faulty((*path, "http", "url")):
                example = _TABLE_EXAMPLES["tls"]
                reader.report((*path, "probes"), "tls_table_missing", example=example)
        elif kind not in probes and kind in table:
            reader.report((*path, kind), "service_probe_missing", probe=kind)


def _is_https(http: HttpSettings | None) -> bool:
    return http is not None and http.url.startswith("https:")


def _read_timeout(
    reader: _Reader,
    table: Mapping[str, object],
    table_path: KeyPath,
    target_path: KeyPath,
    settings: TargetSettings,
    default: float,
) -> float:
    """Return the check's timeout: the table's, else ``default`` but at most half the interval."""
    timeout_path = (*table_path, "timeout")
    example = f'timeout = "{config.format_duration(default)}"'
    timeout = reader.duration(table, timeout_path, example, config.MIN_TIMEOUT, config.MAX_TIMEOUT)
    if timeout is None:
        return min(default, settings.interval / 2)

    interval_faulty = reader.is_faulty((*target_path, "interval")) or reader.is_faulty(
        ("defaults", "interval")
    )
    if timeout >= settings.interval and not interval_faulty:
        reader.report(
            timeout_path,
            "timeout_not_below_interval",
            timeout=config.format_duration(timeout),
            interval=config.format_duration(settings.interval),
        )
    return timeout


def _read_regex(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, example: str
) -> str | None:
    pattern = reader.string(table, path, example)
    if pattern is None:
        return None
    fault = config._regex_fault(pattern)
    if fault is not None:
        code, params = fault
        reader.report(path, _REGEX_CODES.get(code, code), value=config._show(pattern), **params)
        return None
    try:
        patterns.compile_pattern(pattern)
    except patterns.PatternError as error:
        reader.report(path, "regex_not_re2", value=config._show(pattern), reason=str(error))
        return None
    return pattern


def _read_ca_file(reader: _Reader, table: Mapping[str, object], path: KeyPath) -> Path | None:
    """Return the absolute path of a readable PEM file of CA certificates, resolved as written."""
    ca_path = (*path, "ca_file")
    text = reader.string(table, ca_path, 'ca_file = "/etc/pantau/ca-pemda.pem"')
    if text is None:
        return None
    resolved = Path(os.path.abspath(Path(reader.file).parent / text))
    shown = config._show(str(resolved), limit=200)
    if not resolved.exists():
        reader.report(ca_path, "ca_file_missing", file=shown)
        return None
    if not resolved.is_file():
        reader.report(ca_path, "ca_file_not_file", file=shown)
        return None

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=str(resolved))
    except ssl.SSLError as error:  # a subclass of OSError, so caught first
        reader.report(ca_path, "ca_file_invalid", file=shown, reason=error.reason or str(error))
        return None
    except OSError as error:
        reader.report(ca_path, "ca_file_unreadable", file=shown, reason=error.strerror or error)
        return None
    return resolved


def _read_verification(
    reader: _Reader,
    table: Mapping[str, object],
    path: KeyPath,
    inherited: HttpSettings | None = None,
) -> tuple[Path | None, bool]:
    """Return ``ca_file`` and ``insecure_skip_verify`` of the table.

    When the table sets neither, return those of ``inherited`` instead.
    """
    ca_file = _read_ca_file(reader, table, path)
    insecure_path = (*path, "insecure_skip_verify")
    insecure = reader.boolean(table, insecure_path, "insecure_skip_verify = true")
    if insecure and "ca_file" in table:
        reader.report(insecure_path, "insecure_with_ca_file")
    inherits = "ca_file" not in table and "insecure_skip_verify" not in table
    if inherited is not None and inherits:
        return inherited.ca_file, inherited.insecure
    return ca_file, bool(insecure)


# HTTP ---------------------------------------------------------------------------------


def http_url_fault(url: str) -> tuple[str, dict[str, object]] | None:
    """Return the message code and parameters of what makes ``url`` no URL to check, or None.

    The URL is never shown when it contains credentials, because a password
    would then reach the terminal and the logs.
    """
    scheme, separator, rest = url.partition("://")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0] if separator else ""
    if "@" in authority:
        return "url_credentials", {"example": config._ENV_EXAMPLES["password_env"]}

    display_url = config._show(url)
    forbidden = _URL_FORBIDDEN.search(url)
    if forbidden is not None:
        character = f"U+{ord(forbidden.group()):04X}"
        return "url_character", {"value": display_url, "character": character}
    if not separator or not scheme:
        suggestion = config._show("https://" + url.removeprefix("//"))
        return "url_no_scheme", {"value": display_url, "example": suggestion}
    if scheme.lower() not in _URL_SCHEMES:
        return "url_scheme", {"value": display_url, "scheme": config._show(scheme)}
    return _authority_fault(display_url, authority)


def _authority_fault(display_url: str, authority: str) -> tuple[str, dict[str, object]] | None:
    if authority.startswith("["):
        host, bracket, after = authority[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            return "url_host", {"value": display_url, "host": config._show(authority)}
        port = after[1:] if after else None
    elif authority.count(":") > 1:
        return "url_ipv6_brackets", {"value": display_url}
    else:
        host, colon, port_text = authority.partition(":")
        port = port_text if colon else None

    if not host:
        return "url_no_host", {"value": display_url, "example": _URL_EXAMPLE}
    # "host:" with an empty port means the scheme's port (RFC 3986, section 3.2.3).
    if port and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        return "url_port", {"value": display_url, "port": config._show(port)}
    if not _is_url_host(host, bracketed=authority.startswith("[")):
        return "url_host", {"value": display_url, "host": config._show(host)}
    return None


def _is_url_host(host: str, *, bracketed: bool) -> bool:
    if bracketed:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return "%" not in host  # a zone index needs percent-encoding in a URL (RFC 6874)
    if re.fullmatch(r"[0-9.]+", host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return False
        return True
    return config.is_valid_hostname(host)


def _read_url(reader: _Reader, table: Mapping[str, object], path: KeyPath) -> str | None:
    """Return the URL with its scheme in lower case, or None after reporting its fault."""
    url_path = (*path, "url")
    url = reader.string(table, url_path, f"url = {_URL_EXAMPLE}", required=True)
    if url is None:
        return None
    fault = http_url_fault(url)
    if fault is not None:
        code, params = fault
        reader.report(url_path, code, **params)
        return None
    scheme, _, rest = url.partition("://")
    return f"{scheme.lower()}://{rest}"


def _read_http(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, settings: TargetSettings
) -> HttpSettings | None:
    http_path = (*path, "http")
    http = reader.table(table, http_path, _TABLE_EXAMPLES["http"], HTTP_KEYS)
    if http is None:
        return None

    url = _read_url(reader, http, http_path)
    connect = reader.choice(http, (*http_path, "connect"), 'connect = "url"', HTTP_CONNECT_MODES)
    method = reader.choice(
        http, (*http_path, "method"), 'method = "GET"', HTTP_METHODS, ignore_case=True
    )
    headers = _read_headers(reader, http, http_path)
    body = reader.string(http, (*http_path, "body"), 'body = "{}"', allow_empty=True)
    username, password = _read_basic_auth(reader, http, http_path)

    expect_status = reader.integers(
        http, (*http_path, "expect_status"), "expect_status = [200]", 100, 599
    )
    expect_text = reader.string(http, (*http_path, "expect_text"), 'expect_text = "Masuk"')
    expect_regex = _read_regex(
        reader, http, (*http_path, "expect_regex"), 'expect_regex = "Versi [0-9.]+"'
    )
    reject_text = reader.string(http, (*http_path, "reject_text"), 'reject_text = "Maintenance"')
    reject_regex = _read_regex(
        reader, http, (*http_path, "reject_regex"), 'reject_regex = "(?i)error|galat"'
    )
    max_redirects = reader.integer(
        http, (*http_path, "max_redirects"), "max_redirects = 5", 0, MAX_REDIRECTS
    )
    ca_file, insecure = _read_verification(reader, http, http_path)
    timeout = _read_timeout(reader, http, http_path, path, settings, DEFAULT_HTTP_TIMEOUT)
    if url is None:
        return None
    return HttpSettings(
        url=url,
        connect=config._pick(connect, "address"),
        method=config._pick(method, "GET"),
        headers=headers,
        body=config._pick(body, ""),
        username=username,
        password=password,
        expect_status=config._pick(expect_status, ()),
        expect_text=expect_text,
        expect_regex=expect_regex,
        reject_text=reject_text,
        reject_regex=reject_regex,
        max_redirects=config._pick(max_redirects, DEFAULT_MAX_REDIRECTS),
        ca_file=ca_file,
        insecure=insecure,
        timeout=timeout,
    )


def _read_headers(
    reader: _Reader, table: Mapping[str, object], path: KeyPath
) -> tuple[tuple[str, str], ...]:
    headers_path = (*path, "headers")
    example = 'headers = { "User-Agent" = "Pantau" }'
    headers = reader.table(table, headers_path, example, None)
    if headers is None:
        return ()

    result: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, value in headers.items():
        header_path = (*headers_path, name)
        if not _TOKEN.fullmatch(name):
            reader.report(header_path, "header_name", value=config._show(name))
        elif name.lower() in _CREDENTIAL_HEADERS:
            reader.report(header_path, "header_credentials", name=name)
        elif name.lower() == "host":
            reader.report(header_path, "header_host", name=name)
        elif name.lower() in _FRAMING_HEADERS:
            reader.report(header_path, "header_framing", name=name)
        elif name.lower() in seen:
            reader.report(header_path, "duplicate_header", value=config._show(name))
        elif not isinstance(value, str):
            example = f'{config._format_path((name,))} = "Pantau"'
            shown = config._show(value)
            reader.report(header_path, "expected_string", value=shown, example=example)
        elif (forbidden := _HEADER_VALUE_FORBIDDEN.search(value)) is not None:
            character = f"U+{ord(forbidden.group()):04X}"
            reader.report(header_path, "header_value", character=character)
        elif (outside := _first_non_latin1(value)) is not None:
            character = f"{outside} (U+{ord(outside):04X})"
            reader.report(header_path, "header_value_not_latin1", character=character)
        else:
            result.append((name, value))
        seen.add(name.lower())
    return tuple(result)


def _first_non_latin1(value: str) -> str | None:
    """Return the first character of ``value`` outside Latin-1, which a header cannot carry."""
    return next((character for character in value if ord(character) > 0xFF), None)


def _read_basic_auth(
    reader: _Reader, table: Mapping[str, object], path: KeyPath
) -> tuple[str | None, Secret | None]:
    username_path = (*path, "username")
    username = reader.string(table, username_path, 'username = "pantau"')
    username = config._display_text(reader, username_path, username)
    if username is not None and ":" in username:
        # Basic authentication joins user and password with a colon (RFC 7617, section 2).
        reader.report(username_path, "username_colon", value=config._show(username))
        username = None

    env = reader.env_name(table, (*path, "password_env"), config._ENV_EXAMPLES["password_env"])
    if env is not None and "username" not in table:
        reader.report_missing(username_path, 'username = "pantau"')
    password = reader.secret(env) if env is not None else None
    return username, password


# TCP ----------------------------------------------------------------------------------


def _read_tcp(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, settings: TargetSettings
) -> tuple[TcpSettings, ...]:
    tcp_path = (*path, "tcp")
    value = table.get("tcp")
    if value is None:
        return ()
    entries: list[tuple[KeyPath, Mapping[str, object]]]
    if isinstance(value, dict):
        entries = [(tcp_path, value)]
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        entries = [((*tcp_path, position), item) for position, item in enumerate(value)]
    else:
        example = _TABLE_EXAMPLES["tcp"]
        reader.report(tcp_path, "expected_tcp_tables", value=config._show(value), example=example)
        return ()

    seen: set[int] = set()
    checks: list[TcpSettings] = []
    for entry_path, entry in entries:
        reader.check_keys(entry, entry_path, TCP_KEYS)
        ports = _read_ports(reader, entry, entry_path, seen)
        send = reader.string(entry, (*entry_path, "send"), 'send = "QUIT\\r\\n"', allow_empty=True)
        expect = reader.string(entry, (*entry_path, "expect"), 'expect = "SSH-2.0-"')
        expect_regex = _read_regex(
            reader, entry, (*entry_path, "expect_regex"), 'expect_regex = "^220 "'
        )
        timeout = _read_timeout(reader, entry, entry_path, path, settings, DEFAULT_TCP_TIMEOUT)
        if ports:
            checks.append(
                TcpSettings(
                    ports=ports,
                    send=config._pick(send, ""),
                    expect=expect,
                    expect_regex=expect_regex,
                    timeout=timeout,
                )
            )

    if len(seen) > MAX_TCP_PORTS:
        reader.report(tcp_path, "tcp_too_many_ports", count=len(seen), limit=MAX_TCP_PORTS)
        return ()
    return tuple(checks)


def _read_ports(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, seen: set[int]
) -> tuple[int, ...]:
    """Return the ports of one tcp table; ``seen`` collects those of earlier tables."""
    ports_path = (*path, "ports")
    example = "ports = [22, 5432]"
    if "ports" not in table:
        reader.report_missing(ports_path, example)
        return ()
    ports = reader.integers(table, ports_path, example, 1, 65535)
    if ports is None:
        return ()
    if not ports:
        reader.report(ports_path, "empty_ports", example=example)
        return ()

    unique: list[int] = []
    for position, port in enumerate(ports):
        if port in seen:
            reader.report((*ports_path, position), "duplicate_port", value=port)
        else:
            unique.append(port)
            seen.add(port)
    return tuple(unique)


# TLS ----------------------------------------------------------------------------------


def _read_tls(
    reader: _Reader,
    table: Mapping[str, object],
    path: KeyPath,
    settings: TargetSettings,
    probes: Sequence[str] | None,
    http: HttpSettings | None,
    address: str | None,
) -> TlsSettings | None:
    """Read the tls table; without one, an https URL gives the check its port and name."""
    tls_path = (*path, "tls")
    tls = reader.table(table, tls_path, _TABLE_EXAMPLES["tls"], TLS_KEYS)
    url = urlsplit(http.url) if http is not None and _is_https(http) else None
    if tls is None:
        if "tls" in table or url is None or http is None or "tls" not in (probes or ()):
            return None
        return TlsSettings(
            server_name=url.hostname or "",
            port=_url_port(url),
            ca_file=http.ca_file,
            insecure=http.insecure,
            timeout=min(DEFAULT_TLS_TIMEOUT, settings.interval / 2),
        )

    port = reader.integer(tls, (*tls_path, "port"), "port = 443", 1, 65535)
    server_name = _read_server_name(reader, tls, tls_path)
    ca_file, insecure = _read_verification(reader, tls, tls_path, inherited=http)
    timeout = _read_timeout(reader, tls, tls_path, path, settings, DEFAULT_TLS_TIMEOUT)
    if server_name is None and http is not None:
        server_name = urlsplit(http.url).hostname
    # A table without port checks the port of the https URL, as no table does.
    default_port = _url_port(url) if url is not None else DEFAULT_TLS_PORT
    return TlsSettings(
        server_name=server_name or address or "",
        port=config._pick(port, default_port),
        ca_file=ca_file,
        insecure=insecure,
        timeout=timeout,
    )


def _url_port(url: SplitResult) -> int:
    try:
        port = url.port
    except ValueError:  # the URL was checked, so this is only a safeguard
        port = None
    return port or DEFAULT_TLS_PORT


def _read_server_name(reader: _Reader, table: Mapping[str, object], path: KeyPath) -> str | None:
    name_path = (*path, "server_name")
    name = reader.string(table, name_path, 'server_name = "simpeg.example.go.id"')
    if name is None:
        return None
    try:
        ipaddress.ip_address(name)
    except ValueError:
        if not config.is_valid_hostname(name):
            reader.report(name_path, "invalid_server_name", value=config._show(name))
            return None
    return name


# DNS ----------------------------------------------------------------------------------


def _read_dns(
    reader: _Reader,
    table: Mapping[str, object],
    path: KeyPath,
    settings: TargetSettings,
    address: str | None,
) -> DnsSettings | None:
    dns_path = (*path, "dns")
    dns = reader.table(table, dns_path, _TABLE_EXAMPLES["dns"], DNS_KEYS)
    if dns is None:
        return None

    server = _read_dns_server(reader, dns, dns_path, address)
    name = _read_dns_name(reader, dns, dns_path)
    record_type = reader.choice(
        dns, (*dns_path, "type"), 'type = "A"', DNS_RECORD_TYPES, ignore_case=True
    )
    expect = _read_dns_expect(reader, dns, dns_path, record_type, "type" in dns)
    port = reader.integer(dns, (*dns_path, "port"), "port = 53", 1, 65535)
    transport = reader.choice(dns, (*dns_path, "transport"), 'transport = "tcp"', DNS_TRANSPORTS)
    recursion = reader.boolean(dns, (*dns_path, "recursion"), "recursion = false")
    timeout = _read_timeout(reader, dns, dns_path, path, settings, DEFAULT_DNS_TIMEOUT)
    if server is None or name is None:
        return None
    return DnsSettings(
        server=server,
        name=name,
        record_type=config._pick(record_type, "A"),
        expect=expect,
        port=config._pick(port, DEFAULT_DNS_PORT),
        transport=config._pick(transport, "udp"),
        recursion=config._pick(recursion, True),
        timeout=timeout,
    )


def _read_dns_server(
    reader: _Reader, table: Mapping[str, object], path: KeyPath, address: str | None
) -> str | None:
    """Return the server's IP literal: the table's, else the target's address if it is one."""
    server_path = (*path, "server")
    example = 'server = "198.51.100.53"'
    if "server" not in table:
        if address is None:
            return None  # the missing address is reported already
        try:
            ipaddress.ip_address(address)
        except ValueError:
            reader.report(server_path, "dns_server_needed", value=config._show(address))
            return None
        return address

    server = reader.string(table, server_path, example)
    if server is None:
        return None
    try:
        ip = ipaddress.ip_address(server)
    except ValueError:
        reader.report(server_path, "dns_server_not_ip", value=config._show(server))
        return None
    unusable = unusable_target_reason(ip)
    if unusable is not None:
        reader.report(server_path, f"address_{unusable}", value=config._show(server))
        return None
    return server


def is_dns_name(name: str) -> bool:
    """Tell whether ``name`` is a domain name to query: labels of letters, digits, - and _."""
    text = name[:-1] if name.endswith(".") else name
    if not text or len(text) > 253:
        return False
    return all(_DNS_LABEL.fullmatch(label) for label in text.split("."))


def _read_dns_name(reader: _Reader, table: Mapping[str, object], path: KeyPath) -> str | None:
    name_path = (*path, "name")
    name = reader.string(table, name_path, 'name = "simpeg.example.go.id"', required=True)
    if name is None:
        return None
    if not is_dns_name(name):
        reader.report(name_path, "dns_name_invalid", value=config._show(name))
        return None
    return name


def _read_dns_expect(
    reader: _Reader,
    table: Mapping[str, object],
    path: KeyPath,
    record_type: str | None,
    type_written: bool,
) -> tuple[str, ...]:
    expect_path = (*path, "expect")
    checked_type = record_type if record_type is not None or type_written else "A"
    example = f"expect = [{_DNS_EXPECT_EXAMPLES.get(checked_type or 'A')}]"
    values = reader.strings(table, expect_path, example)
    if values is None:
        return ()
    if checked_type is None:
        return values  # the faulty type is reported where it is written

    valid = True
    for position, value in enumerate(values):
        if not is_dns_answer(checked_type, value):
            reader.report(
                (*expect_path, position),
                "dns_expect_invalid",
                value=config._show(value),
                type=checked_type,
                example=_DNS_EXPECT_EXAMPLES[checked_type],
            )
            valid = False
    return values if valid else ()


def is_dns_answer(record_type: str, value: str) -> bool:
    """Tell whether ``value`` is written as the DNS probe compares answers of ``record_type``."""
    if record_type in ("A", "AAAA"):
        try:
            ip = ipaddress.ip_address(value)
        except ValueError:
            return False
        return ip.version == (4 if record_type == "A" else 6) and "%" not in value
    if record_type in ("CNAME", "NS"):
        return is_dns_name(value)
    if record_type == "MX":
        match = _MX_ANSWER.fullmatch(value)
        if match is None or int(match["preference"]) > 65535:
            return False
        # "." is the null MX of a domain that receives no mail (RFC 7505).
        return match["exchange"] == "." or is_dns_name(match["exchange"])
    return True  # TXT: any text
