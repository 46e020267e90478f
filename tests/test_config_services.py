"""Tests of the service-check tables of a target: http, tcp, tls and dns."""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
import trustme
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import config
from monitor.config import ConfigError, Secret, Thresholds, load, parse_duration
from monitor.config_services import (
    MAX_TCP_PORTS,
    DnsSettings,
    HttpSettings,
    TcpSettings,
    TlsSettings,
    http_url_fault,
    is_dns_answer,
)
from monitor.i18n.config import MESSAGES

REPOSITORY = Path(__file__).resolve().parent.parent
HEADER = '[[targets]]\nname = "app"\naddress = "127.0.0.1"\n'


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in ``tmp_path``, so that messages name the file as "pantau.toml"."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_target(body: str, *, before: str = "", header: str = HEADER) -> Path:
    """Write one target whose table starts at line 1; ``body`` starts at line 4."""
    text = f"{header}{textwrap.dedent(body)}"
    if before:
        text = f"{textwrap.dedent(before)}\n{text}"
    path = Path("pantau.toml")
    path.write_text(text, encoding="utf-8")
    return path


def messages(
    body: str,
    *,
    language: str = "en",
    environ: dict[str, str] | None = None,
    before: str = "",
    header: str = HEADER,
) -> list[str]:
    """Return the rendered problems of a configuration with one target."""
    path = write_target(body, before=before, header=header)
    with pytest.raises(ConfigError) as caught:
        load(path, environ=environ or {})
    return [problem.render(language) for problem in caught.value.problems]


def load_target(
    body: str, *, environ: dict[str, str] | None = None, header: str = HEADER
) -> config.Target:
    path = write_target(body, header=header)
    return load(path, environ=environ or {}).target("app")


# Valid tables ---------------------------------------------------------------------


def test_http_table_full(workdir: Path) -> None:
    target = load_target(
        """
        probes = ["http"]
        [targets.http]
        url = "HTTPS://simpeg.example.go.id:8443/login?next=%2F"
        connect = "url"
        method = "post"
        headers = { "User-Agent" = "Pantau", Accept = "text/html" }
        body = "user=noc"
        username = "noc"
        password_env = "SIMPEG_PASSWORD"
        expect_status = [200, 302]
        expect_text = "Masuk"
        expect_regex = "Versi [0-9.]+"
        reject_text = "Galat"
        reject_regex = "(?i)maintenance"
        max_redirects = 0
        insecure_skip_verify = true
        timeout = "7s"
        """,
        environ={"SIMPEG_PASSWORD": "rahasia"},
    )

    assert target.http == HttpSettings(
        url="https://simpeg.example.go.id:8443/login?next=%2F",
        connect="url",
        method="POST",
        headers=(("User-Agent", "Pantau"), ("Accept", "text/html")),
        body="user=noc",
        username="noc",
        password=Secret("SIMPEG_PASSWORD", "rahasia"),
        expect_status=(200, 302),
        expect_text="Masuk",
        expect_regex="Versi [0-9.]+",
        reject_text="Galat",
        reject_regex="(?i)maintenance",
        max_redirects=0,
        insecure=True,
        timeout=7.0,
    )
    assert not target.placeholder


def test_http_defaults(workdir: Path) -> None:
    target = load_target('probes = ["http"]\nhttp = { url = "http://127.0.0.1:9470/healthz" }\n')

    assert target.http == HttpSettings(url="http://127.0.0.1:9470/healthz")
    assert target.http.connect == "address"
    assert target.http.timeout == 10.0
    assert target.tcp == ()
    assert target.tls is None
    assert target.dns is None


def test_default_timeouts_at_most_half_interval(workdir: Path) -> None:
    target = load_target(
        """
        interval = "8s"
        probes = ["http", "tcp", "tls", "dns"]
        http = { url = "https://app.example.go.id/" }
        tcp = { ports = [22] }
        tls = {}
        dns = { name = "app.example.go.id" }
        """
    )

    assert target.http is not None
    assert target.http.timeout == 4.0
    assert target.tcp[0].timeout == 4.0
    assert target.tls is not None
    assert target.tls.timeout == 4.0
    assert target.dns is not None
    assert target.dns.timeout == 4.0


def test_default_timeouts_with_long_interval(workdir: Path) -> None:
    target = load_target(
        """
        interval = "1m"
        probes = ["http", "tcp", "tls", "dns"]
        http = { url = "https://app.example.go.id/" }
        tcp = { ports = [22] }
        tls = {}
        dns = { name = "app.example.go.id" }
        """
    )

    assert target.http is not None and target.http.timeout == 10.0
    assert target.tcp[0].timeout == 5.0
    assert target.tls is not None and target.tls.timeout == 10.0
    assert target.dns is not None and target.dns.timeout == 5.0


def test_tcp_table_and_list_of_tables(workdir: Path) -> None:
    single = load_target('probes = ["tcp"]\ntcp = { ports = [22, 5432] }\n')
    assert single.tcp == (TcpSettings(ports=(22, 5432)),)

    several = load_target(
        """
        probes = ["tcp"]
        [[targets.tcp]]
        ports = [22]
        expect = "SSH-2.0-"
        [[targets.tcp]]
        ports = [25]
        send = "QUIT\\r\\n"
        expect_regex = "^220 "
        timeout = "3s"
        """
    )
    assert several.tcp == (
        TcpSettings(ports=(22,), expect="SSH-2.0-"),
        TcpSettings(ports=(25,), send="QUIT\r\n", expect_regex="^220 ", timeout=3.0),
    )


def test_tls_defaults_to_https_url(workdir: Path) -> None:
    target = load_target(
        """
        probes = ["http", "tls"]
        http = { url = "https://simpeg.example.go.id:8443/", insecure_skip_verify = true }
        """
    )

    assert target.tls == TlsSettings(
        server_name="simpeg.example.go.id", port=8443, insecure=True, timeout=10.0
    )


def test_tls_table_takes_url_host_as_server_name(workdir: Path) -> None:
    target = load_target(
        """
        probes = ["http", "tls"]
        http = { url = "https://simpeg.example.go.id/" }
        tls = { port = 8443 }
        """
    )

    assert target.tls == TlsSettings(server_name="simpeg.example.go.id", port=8443)


def test_tls_port_from_https_url(workdir: Path) -> None:
    target = load_target(
        """
        probes = ["http", "tls"]
        http = { url = "https://simpeg.example.go.id:8443/" }
        tls = { timeout = "3s" }
        """
    )

    assert target.tls == TlsSettings(server_name="simpeg.example.go.id", port=8443, timeout=3.0)


def test_tls_without_http_takes_address(workdir: Path) -> None:
    target = load_target('probes = ["tls"]\ntls = {}\n')
    assert target.tls == TlsSettings(server_name="127.0.0.1", port=443)

    named = load_target('probes = ["tls"]\ntls = { server_name = "mail.example.go.id" }\n')
    assert named.tls == TlsSettings(server_name="mail.example.go.id")


def test_ca_file_resolved_against_config_folder(workdir: Path) -> None:
    (workdir / "ca").mkdir()
    trustme.CA().cert_pem.write_to_path(str(workdir / "ca" / "pemda.pem"))

    target = load_target(
        """
        probes = ["http", "tls"]
        http = { url = "https://simpeg.example.go.id/", ca_file = "ca/pemda.pem" }
        """
    )

    assert target.http is not None
    assert target.http.ca_file == workdir / "ca" / "pemda.pem"
    assert target.http.ca_file.is_absolute()
    assert target.tls is not None
    assert target.tls.ca_file == workdir / "ca" / "pemda.pem"


def test_dns_table(workdir: Path) -> None:
    target = load_target(
        """
        probes = ["dns"]
        [targets.dns]
        server = "::1"
        name = "_dmarc.example.go.id."
        type = "txt"
        expect = ["v=DMARC1; p=none"]
        port = 5353
        transport = "tcp"
        recursion = false
        timeout = "2s"
        """
    )

    assert target.dns == DnsSettings(
        server="::1",
        name="_dmarc.example.go.id.",
        record_type="TXT",
        expect=("v=DMARC1; p=none",),
        port=5353,
        transport="tcp",
        recursion=False,
        timeout=2.0,
    )


def test_dns_server_defaults_to_address(workdir: Path) -> None:
    target = load_target('probes = ["dns"]\ndns = { name = "app.example.go.id" }\n')

    assert target.dns == DnsSettings(server="127.0.0.1", name="app.example.go.id")


def test_dns_expect_forms(workdir: Path) -> None:
    for record_type, value in (
        ("A", "192.0.2.1"),
        ("AAAA", "2001:db8::1"),
        ("CNAME", "web.example.go.id."),
        ("NS", "ns1.example.go.id"),
        ("MX", "10 mail.example.go.id"),
        ("MX", "0 ."),
        ("TXT", "v=spf1 mx -all"),
    ):
        body = f'probes = ["dns"]\ndns = {{ name = "a.go.id", type = "{record_type}", '
        body += f'expect = ["{value}"] }}\n'
        target = load_target(body)
        assert target.dns is not None
        assert target.dns.expect == (value,), record_type


def test_thresholds_response_and_cert_expiry(workdir: Path) -> None:
    write_target(
        'degraded = { response = "1500ms", cert_expiry = false }\n',
        before='[defaults]\ndegraded = { response = "3s", cert_expiry = "30d" }\n',
    )

    inventory = load(Path("pantau.toml"), environ={})

    assert inventory.defaults.degraded.response == 3.0
    assert inventory.defaults.degraded.cert_expiry == 30 * 86400.0
    assert inventory.target("app").settings.degraded.response == 1.5
    assert inventory.target("app").settings.degraded.cert_expiry is None


def test_thresholds_defaults() -> None:
    assert Thresholds().response == 2.0
    assert Thresholds().cert_expiry == 21 * 86400.0


# Placeholders and secrets ----------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "placeholder"),
    [
        ("192.0.2.20", True),
        ("2001:db8::20", True),
        ("app.example.com", True),
        ("app.example", True),
        ("host.test", True),
        ("simpeg.example.go.id", False),
        ("127.0.0.1", False),
    ],
)
def test_placeholder_address_rule(workdir: Path, address: str, placeholder: bool) -> None:
    header = f'[[targets]]\nname = "app"\naddress = "{address}"\n'
    target = load_target("", header=header)

    assert target.placeholder is placeholder


def test_placeholder_from_url_host_with_connect_url(workdir: Path) -> None:
    by_url = load_target(
        'probes = ["http"]\nhttp = { url = "https://app.example.com/", connect = "url" }\n'
    )
    by_address = load_target('probes = ["http"]\nhttp = { url = "https://app.example.com/" }\n')
    by_literal = load_target(
        'probes = ["http"]\nhttp = { url = "http://198.51.100.7/", connect = "url" }\n'
    )

    assert by_url.placeholder
    assert not by_address.placeholder
    assert by_literal.placeholder


def test_placeholder_from_dns_server(workdir: Path) -> None:
    documentation = load_target(
        'probes = ["dns"]\ndns = { server = "203.0.113.53", name = "a.go.id" }\n'
    )
    loopback = load_target('probes = ["dns"]\ndns = { server = "127.0.0.53", name = "a.go.id" }\n')

    assert documentation.placeholder
    assert not loopback.placeholder


@pytest.mark.parametrize(
    ("name", "placeholder"),
    [
        ("simpeg.example.com", True),
        ("www.example.org", True),
        ("app.test", True),
        ("simpeg.example.go.id", False),
        ("a.go.id", False),
    ],
)
def test_placeholder_from_dns_name(workdir: Path, name: str, placeholder: bool) -> None:
    target = load_target(f'probes = ["dns"]\ndns = {{ server = "127.0.0.53", name = "{name}" }}\n')

    assert target.placeholder is placeholder


def test_password_not_needed_for_placeholder(workdir: Path) -> None:
    header = '[[targets]]\nname = "app"\naddress = "192.0.2.20"\n'
    target = load_target(
        'probes = ["http"]\nhttp = { url = "https://a.go.id/", username = "noc", '
        'password_env = "APP_PASSWORD" }\n',
        header=header,
    )

    assert target.http is not None
    assert target.http.password == Secret("APP_PASSWORD", None)


def test_password_not_needed_without_secrets(workdir: Path) -> None:
    path = write_target(
        'probes = ["http"]\nhttp = { url = "https://a.go.id/", username = "noc", '
        'password_env = "APP_PASSWORD" }\n'
    )

    inventory = load(path, environ={}, require_secrets=False)

    assert inventory.target("app").http is not None


def test_missing_password_variable(workdir: Path) -> None:
    body = (
        'probes = ["http"]\nhttp = { url = "https://a.go.id/", username = "noc", '
        'password_env = "APP_PASSWORD" }\n'
    )

    assert messages(body) == [
        "pantau.toml:5: targets[0].http.password_env: environment variable APP_PASSWORD is not "
        'set but target "app" needs it; add a line APP_PASSWORD=... to the EnvironmentFile of '
        "the pantau systemd service (for example /etc/pantau/pantau.env), or export the "
        "variable before running pantau"
    ]
    assert messages(body, language="id") == [
        "pantau.toml:5: targets[0].http.password_env: variabel lingkungan APP_PASSWORD belum "
        'diatur, padahal target "app" memerlukannya; tambahkan baris APP_PASSWORD=... ke '
        "EnvironmentFile layanan systemd pantau (misalnya /etc/pantau/pantau.env), atau "
        "ekspor variabel itu sebelum menjalankan pantau"
    ]


# Faults, one per case, with the exact message -------------------------------------


def test_unknown_key_suggests_closest(workdir: Path) -> None:
    body = 'probes = ["http"]\nhttp = { url = "http://a.go.id/", expect_stauts = [200] }\n'

    assert messages(body) == [
        'pantau.toml:5: targets[0].http.expect_stauts: unknown key; did you mean "expect_status"?'
    ]
    assert messages(body, language="id") == [
        "pantau.toml:5: targets[0].http.expect_stauts: kunci tidak dikenal; mungkin maksudnya "
        '"expect_status"?'
    ]


def test_unknown_key_lists_keys(workdir: Path) -> None:
    assert messages('probes = ["tcp"]\ntcp = { ports = [22], zzz = 1 }\n') == [
        "pantau.toml:5: targets[0].tcp.zzz: unknown key; remove it or use one of: ports, send, "
        "expect, expect_regex, timeout"
    ]


def test_password_in_file(workdir: Path) -> None:
    body = 'probes = ["http"]\nhttp = { url = "http://a.go.id/", password = "x" }\n'

    assert messages(body) == [
        "pantau.toml:5: targets[0].http.password: secrets must not be written in the "
        "configuration file; put the value in an environment variable and write its name in "
        'the key "password_env", for example password_env = "PANTAU_SIMPEG_PASSWORD"'
    ]


def test_service_table_in_defaults(workdir: Path) -> None:
    assert messages("", before="[defaults]\ntcp = { ports = [22] }\n") == [
        "pantau.toml:2: defaults.tcp: this key belongs to each target and cannot be set in "
        "[defaults]; move it to the [[targets]] tables that need it"
    ]


URL_CASES = [
    (
        "ftp://files.example.go.id/",
        'scheme "ftp" of URL "ftp://files.example.go.id/" is not supported; use http:// or '
        "https://",
    ),
    (
        "simpeg.example.go.id/login",
        'URL "simpeg.example.go.id/login" has no http:// or https:// scheme; write for example '
        '"https://simpeg.example.go.id/login"',
    ),
    (
        "https:///login",
        'URL "https:///login" has no host; write a full URL, for example '
        '"https://simpeg.example.go.id/login"',
    ),
    (
        "https://simpeg.example.go.id/masuk sekarang",
        'URL "https://simpeg.example.go.id/masuk sekarang" contains a space or control '
        "character (U+0020); write it percent-encoded, for example %20 for a space",
    ),
    (
        "https://simpeg.example.go.id:0/",
        'port "0" of URL "https://simpeg.example.go.id:0/" is invalid; write a number from 1 to '
        "65535, or leave the port out to use the scheme's default port",
    ),
    (
        "https://simpeg.example.go.id:65536/",
        'port "65536" of URL "https://simpeg.example.go.id:65536/" is invalid; write a number '
        "from 1 to 65535, or leave the port out to use the scheme's default port",
    ),
    (
        "https://simpeg.example.go.id:https/",
        'port "https" of URL "https://simpeg.example.go.id:https/" is invalid; write a number '
        "from 1 to 65535, or leave the port out to use the scheme's default port",
    ),
    (
        "http://2001:db8::10/",
        'the IPv6 address in URL "http://2001:db8::10/" must be written in brackets; write for '
        'example "http://[2001:db8::10]:8080/"',
    ),
    (
        "http://simpeg_app.example.go.id/",
        'host "simpeg_app.example.go.id" of URL "http://simpeg_app.example.go.id/" is invalid; '
        "write a host name (an internationalised name in its xn-- form), an IPv4 address, or "
        'an IPv6 address in brackets such as "[2001:db8::10]"',
    ),
    (
        "http://192.0.2.300/",
        'host "192.0.2.300" of URL "http://192.0.2.300/" is invalid; write a host name (an '
        "internationalised name in its xn-- form), an IPv4 address, or an IPv6 address in "
        'brackets such as "[2001:db8::10]"',
    ),
]


@pytest.mark.parametrize(("url", "expected"), URL_CASES, ids=[case[0] for case in URL_CASES])
def test_invalid_url(workdir: Path, url: str, expected: str) -> None:
    body = f'probes = ["http"]\nhttp = {{ url = "{url}" }}\n'

    assert messages(body) == [f"pantau.toml:5: targets[0].http.url: {expected}"]


def test_url_with_credentials_hides_password(workdir: Path) -> None:
    body = 'probes = ["http"]\nhttp = { url = "https://noc:Rahasia123@simpeg.example.go.id/" }\n'

    english = messages(body)
    indonesian = messages(body, language="id")

    assert english == [
        "pantau.toml:5: targets[0].http.url: the URL contains a user name or password; remove "
        "them from the URL, write the user name in username and put the password in an "
        "environment variable named in password_env, for example password_env = "
        '"PANTAU_SIMPEG_PASSWORD"'
    ]
    assert indonesian == [
        "pantau.toml:5: targets[0].http.url: URL memuat nama pengguna atau kata sandi; hapus "
        "keduanya dari URL, tulis nama pengguna di username dan simpan kata sandi di variabel "
        "lingkungan yang namanya ditulis di password_env, misalnya password_env = "
        '"PANTAU_SIMPEG_PASSWORD"'
    ]
    assert "Rahasia123" not in english[0]
    assert "Rahasia123" not in indonesian[0]


def test_missing_url(workdir: Path) -> None:
    assert messages('probes = ["http"]\nhttp = { expect_status = [200] }\n') == [
        "pantau.toml:5: targets[0].http.url: this required key is missing; add it, for example "
        'url = "https://simpeg.example.go.id/login"'
    ]


PORT_CASES = [
    ("[0]", ["targets[0].tcp.ports[0]: value 0 is out of range; use a value from 1 to 65535"]),
    (
        "[22, 65536]",
        ["targets[0].tcp.ports[1]: value 65536 is out of range; use a value from 1 to 65535"],
    ),
    (
        '["22"]',
        [
            'targets[0].tcp.ports: must be an array of integers without quotes, not ["22"]; '
            "write for example ports = [22, 5432]"
        ],
    ),
    (
        "[22.5]",
        [
            "targets[0].tcp.ports: must be an array of integers without quotes, not [22.5]; "
            "write for example ports = [22, 5432]"
        ],
    ),
    (
        "[22, 22]",
        [
            "targets[0].tcp.ports[1]: port 22 is already listed in this target's tcp checks; "
            "remove the duplicate"
        ],
    ),
    (
        "[]",
        [
            "targets[0].tcp.ports: the list of ports is empty; write at least one port, for "
            "example ports = [22, 5432]"
        ],
    ),
]


@pytest.mark.parametrize(("ports", "expected"), PORT_CASES, ids=[case[0] for case in PORT_CASES])
def test_invalid_ports(workdir: Path, ports: str, expected: list[str]) -> None:
    body = f'probes = ["tcp"]\ntcp = {{ ports = {ports} }}\n'

    assert messages(body) == [f"pantau.toml:5: {line}" for line in expected]


def test_duplicate_port_across_tables(workdir: Path) -> None:
    body = 'probes = ["tcp"]\ntcp = [{ ports = [22, 80] }, { ports = [443, 80] }]\n'

    assert messages(body) == [
        "pantau.toml:5: targets[0].tcp[1].ports[1]: port 80 is already listed in this target's "
        "tcp checks; remove the duplicate"
    ]


def test_tcp_ports_at_limit(workdir: Path) -> None:
    ports = list(range(1000, 1000 + MAX_TCP_PORTS))
    target = load_target(f'probes = ["tcp"]\ntcp = {{ ports = {ports} }}\n')

    assert target.tcp == (TcpSettings(ports=tuple(ports)),)


def test_tcp_ports_over_limit(workdir: Path) -> None:
    ports = list(range(1000, 1001 + MAX_TCP_PORTS))
    body = f'probes = ["tcp"]\ntcp = {{ ports = {ports} }}\n'

    assert messages(body) == [
        "pantau.toml:5: targets[0].tcp: the tcp checks of this target list 65 ports in ports, "
        "more than the limit of 64 ports per target; check fewer ports, or split them over "
        "several targets with the same address"
    ]
    assert messages(body, language="id") == [
        "pantau.toml:5: targets[0].tcp: pemeriksaan tcp target ini mencantumkan 65 port di "
        "ports, lebih dari batas 64 port per target; periksa lebih sedikit port, atau bagi "
        "port-portnya ke beberapa target dengan alamat yang sama"
    ]


def test_tcp_ports_limit_counts_every_table(workdir: Path) -> None:
    first = list(range(1000, 1040))
    second = list(range(2000, 2030))
    body = f'probes = ["tcp"]\ntcp = [{{ ports = {first} }}, {{ ports = {second} }}]\n'

    assert messages(body) == [
        "pantau.toml:5: targets[0].tcp: the tcp checks of this target list 70 ports in ports, "
        "more than the limit of 64 ports per target; check fewer ports, or split them over "
        "several targets with the same address"
    ]


def test_tcp_ports_missing(workdir: Path) -> None:
    assert messages('probes = ["tcp"]\ntcp = { expect = "SSH-2.0-" }\n') == [
        "pantau.toml:5: targets[0].tcp.ports: this required key is missing; add it, for example "
        "ports = [22, 5432]"
    ]


def test_tcp_not_a_table(workdir: Path) -> None:
    assert messages('probes = ["tcp"]\ntcp = [22, 5432]\n') == [
        "pantau.toml:5: targets[0].tcp: must be a table or a non-empty array of tables, not "
        "[22, 5432]; write for example tcp = { ports = [22, 5432] }"
    ]


def test_invalid_regex_with_position(workdir: Path) -> None:
    body = 'probes = ["http"]\nhttp = { url = "http://a.go.id/", expect_regex = "Versi (" }\n'

    assert messages(body) == [
        'pantau.toml:5: targets[0].http.expect_regex: invalid regular expression "Versi (": '
        "missing ), unterminated subpattern at character 7; correct the expression (Python re "
        "syntax, searched for anywhere in the response)"
    ]
    assert messages(body, language="id") == [
        'pantau.toml:5: targets[0].http.expect_regex: ekspresi reguler "Versi (" tidak valid: '
        "missing ), unterminated subpattern pada karakter ke-7; perbaiki ekspresinya (sintaks "
        "re Python, dicari di mana saja dalam respons)"
    ]


def test_invalid_regex_in_tcp(workdir: Path) -> None:
    assert messages('probes = ["tcp"]\ntcp = { ports = [25], expect_regex = "[220" }\n') == [
        'pantau.toml:5: targets[0].tcp.expect_regex: invalid regular expression "[220": '
        "unterminated character set at character 1; correct the expression (Python re syntax, "
        "searched for anywhere in the response)"
    ]


def test_invalid_regex_without_position(workdir: Path) -> None:
    body = 'probes = ["http"]\nhttp = { url = "http://a.go.id/", reject_regex = "(?<=a+)b" }\n'

    assert messages(body) == [
        'pantau.toml:5: targets[0].http.reject_regex: invalid regular expression "(?<=a+)b": '
        "look-behind requires fixed-width pattern; correct the expression (Python re syntax, "
        "searched for anywhere in the response)"
    ]


HEADER_CASES = [
    (
        '"X Source" = "noc"',
        'targets[0].http.headers."X Source": invalid header name "X Source"; use letters, '
        'digits and hyphens only, with no space or colon, for example "X-Requested-By"',
    ),
    (
        '"X-Source:" = "noc"',
        'targets[0].http.headers."X-Source:": invalid header name "X-Source:"; use letters, '
        'digits and hyphens only, with no space or colon, for example "X-Requested-By"',
    ),
    (
        '"X-Source" = "noc\\r\\nX-Evil: 1"',
        "targets[0].http.headers.X-Source: the header value contains a line break or control "
        "character (U+000D); write the value on one line without control characters",
    ),
    (
        '"X-Source" = 1',
        "targets[0].http.headers.X-Source: must be a string in quotes, not 1; write for example "
        'X-Source = "Pantau"',
    ),
    (
        '"X-Agency" = "Dinas \u2014 Kominfo"',
        "targets[0].http.headers.X-Agency: the header value contains the character \u2014 "
        "(U+2014), which is outside Latin-1 and cannot be sent in an HTTP header; replace it "
        "with ASCII characters, for example a hyphen - for a dash",
    ),
    (
        'Host = "simpeg.kab.go.id"',
        "targets[0].http.headers.Host: the Host header must not be written in headers because "
        "Pantau sends the URL's host as Host; remove the header and write that host name in "
        'url, because with connect = "address" the check still connects to the target\'s '
        "address",
    ),
    (
        '"Content-Length" = "0"',
        "targets[0].http.headers.Content-Length: the Content-Length header must not be written "
        "in headers because Pantau sets it itself from the body and the connection, and a "
        "second value would make the request ambiguous; remove the header",
    ),
    (
        '"transfer-encoding" = "chunked"',
        "targets[0].http.headers.transfer-encoding: the transfer-encoding header must not be "
        "written in headers because Pantau sets it itself from the body and the connection, "
        "and a second value would make the request ambiguous; remove the header",
    ),
    (
        'Connection = "close"',
        "targets[0].http.headers.Connection: the Connection header must not be written in "
        "headers because Pantau sets it itself from the body and the connection, and a second "
        "value would make the request ambiguous; remove the header",
    ),
    (
        'Authorization = "Basic bm9jOnJhaGFzaWE="',
        "targets[0].http.headers.Authorization: the Authorization header carries credentials, "
        "which must not be written in the configuration file; remove the header, write the "
        "user name in username and the name of the password's environment variable in "
        "password_env",
    ),
]


@pytest.mark.parametrize(
    ("header", "expected"), HEADER_CASES, ids=[case[0] for case in HEADER_CASES]
)
def test_invalid_header(workdir: Path, header: str, expected: str) -> None:
    body = f'probes = ["http"]\nhttp = {{ url = "http://a.go.id/", headers = {{ {header} }} }}\n'

    assert messages(body) == [f"pantau.toml:5: {expected}"]


def test_header_value_not_latin1_indonesian(workdir: Path) -> None:
    body = (
        'probes = ["http"]\n'
        'http = { url = "http://a.go.id/", headers = { "X-Agency" = "Dinas \u2014 Kominfo" } }\n'
    )

    assert messages(body, language="id") == [
        "pantau.toml:5: targets[0].http.headers.X-Agency: nilai header memuat karakter \u2014 "
        "(U+2014) di luar Latin-1, yang tidak dapat dikirim dalam header HTTP; ganti dengan "
        "karakter ASCII, misalnya tanda hubung - untuk tanda pisah"
    ]


def test_header_value_latin1_accepted(workdir: Path) -> None:
    target = load_target(
        'probes = ["http"]\n'
        'http = { url = "http://a.go.id/", headers = { "X-Agency" = "Caf\u00e9\tKominfo" } }\n'
    )

    assert target.http is not None
    assert target.http.headers == (("X-Agency", "Caf\u00e9\tKominfo"),)


def test_header_value_not_latin1_fails_check_config(workdir: Path) -> None:
    write_target(
        'probes = ["http"]\n'
        'http = { url = "http://a.go.id/", headers = { "X-Agency" = "Dinas \u2014 Kominfo" } }\n'
    )

    completed = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "--lang", "en", "-c", "pantau.toml", "check-config"],
        cwd=workdir,
        env={"PYTHONPATH": str(REPOSITORY), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )

    assert completed.returncode == 1
    assert "targets[0].http.headers.X-Agency" in completed.stdout + completed.stderr
    assert "outside Latin-1" in completed.stdout + completed.stderr


def test_duplicate_header_ignores_case(workdir: Path) -> None:
    body = (
        'probes = ["http"]\n'
        'http = { url = "http://a.go.id/", headers = { Accept = "a", accept = "b" } }\n'
    )

    assert messages(body) == [
        'pantau.toml:5: targets[0].http.headers.accept: header "accept" is written more than '
        "once (header names ignore case); remove the duplicate"
    ]


@pytest.mark.parametrize(
    ("statuses", "position", "value"), [("[99]", 0, 99), ("[200, 600]", 1, 600)]
)
def test_expect_status_out_of_range(
    workdir: Path, statuses: str, position: int, value: int
) -> None:
    body = f'probes = ["http"]\nhttp = {{ url = "http://a.go.id/", expect_status = {statuses} }}\n'

    assert messages(body) == [
        f"pantau.toml:5: targets[0].http.expect_status[{position}]: value {value} is out of "
        "range; use a value from 100 to 599"
    ]


@pytest.mark.parametrize("redirects", [-1, 21])
def test_max_redirects_out_of_range(workdir: Path, redirects: int) -> None:
    body = f'probes = ["http"]\nhttp = {{ url = "http://a.go.id/", max_redirects = {redirects} }}\n'

    assert messages(body) == [
        f"pantau.toml:5: targets[0].http.max_redirects: value {redirects} is out of range; use "
        "a value from 0 to 20"
    ]


def test_invalid_method_and_connect(workdir: Path) -> None:
    body = (
        'probes = ["http"]\nhttp = { url = "http://a.go.id/", method = "FETCH", connect = "dns" }\n'
    )

    assert messages(body) == [
        'pantau.toml:5: targets[0].http.connect: invalid value "dns"; choose one of: "address", '
        '"url"',
        'pantau.toml:5: targets[0].http.method: invalid value "FETCH"; choose one of: "GET", '
        '"HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"',
    ]


def test_password_without_username(workdir: Path) -> None:
    body = 'probes = ["http"]\nhttp = { url = "http://a.go.id/", password_env = "APP_PW" }\n'

    assert messages(body, environ={"APP_PW": "x"}) == [
        "pantau.toml:5: targets[0].http.username: this required key is missing; add it, for "
        'example username = "pantau"'
    ]


def test_username_with_colon(workdir: Path) -> None:
    body = 'probes = ["http"]\nhttp = { url = "http://a.go.id/", username = "noc:admin" }\n'

    assert messages(body) == [
        'pantau.toml:5: targets[0].http.username: user name "noc:admin" contains a colon, which '
        "HTTP basic authentication cannot carry; use a user name without a colon"
    ]


def test_ca_file_missing(workdir: Path) -> None:
    body = 'probes = ["http"]\nhttp = { url = "https://a.go.id/", ca_file = "ca.pem" }\n'

    assert messages(body) == [
        f'pantau.toml:5: targets[0].http.ca_file: file "{workdir / "ca.pem"}" not found; write '
        "the path of the CA certificates' PEM file, relative to the configuration file's "
        "folder or absolute"
    ]


def test_ca_file_is_a_folder(workdir: Path) -> None:
    (workdir / "ca").mkdir()
    body = 'probes = ["tls"]\ntls = { ca_file = "ca" }\n'

    assert messages(body) == [
        f'pantau.toml:5: targets[0].tls.ca_file: "{workdir / "ca"}" is not a file; write the '
        "path of the CA certificates' PEM file"
    ]


def test_ca_file_without_certificate(workdir: Path) -> None:
    (workdir / "ca.pem").write_text("not a certificate\n", encoding="utf-8")
    body = 'probes = ["tls"]\ntls = { ca_file = "ca.pem" }\n'

    assert messages(body) == [
        f'pantau.toml:5: targets[0].tls.ca_file: file "{workdir / "ca.pem"}" contains no valid '
        "PEM certificate (NO_CERTIFICATE_OR_CRL_FOUND); write the path of a CA certificate "
        "file in PEM format"
    ]


def test_insecure_with_ca_file(workdir: Path) -> None:
    trustme.CA().cert_pem.write_to_path(str(workdir / "ca.pem"))
    body = 'probes = ["tls"]\ntls = { ca_file = "ca.pem", insecure_skip_verify = true }\n'

    assert messages(body) == [
        "pantau.toml:5: targets[0].tls.insecure_skip_verify: insecure_skip_verify = true "
        "switches certificate checks off, so ca_file would be ignored; remove one of the two"
    ]


def test_invalid_server_name(workdir: Path) -> None:
    assert messages('probes = ["tls"]\ntls = { server_name = "https://a.go.id/" }\n') == [
        'pantau.toml:5: targets[0].tls.server_name: invalid server name "https://a.go.id/"; '
        'write a host name, for example "simpeg.example.go.id", or an IP address'
    ]


@pytest.mark.parametrize("kind", ["http", "tcp", "dns"])
def test_probe_without_table(workdir: Path, kind: str) -> None:
    example = {
        "http": 'http = { url = "https://simpeg.example.go.id/login", expect_status = [200] }',
        "tcp": "tcp = { ports = [22, 5432] }",
        "dns": 'dns = { name = "simpeg.example.go.id", type = "A" }',
    }[kind]

    assert messages(f'probes = ["icmp", "{kind}"]\n') == [
        f'pantau.toml:4: targets[0].probes: the "{kind}" probe needs a {kind} table; add for '
        f"example {example}"
    ]


def test_probe_without_table_indonesian(workdir: Path) -> None:
    assert messages('probes = ["tcp"]\n', language="id") == [
        'pantau.toml:4: targets[0].probes: probe "tcp" memerlukan tabel tcp; tambahkan '
        "misalnya tcp = { ports = [22, 5432] }"
    ]


def test_tls_probe_without_https_url(workdir: Path) -> None:
    body = 'probes = ["http", "tls"]\nhttp = { url = "http://a.go.id/" }\n'

    assert messages(body) == [
        'pantau.toml:4: targets[0].probes: the "tls" probe needs a tls table, or an http check '
        "with an https URL; add for example tls = { port = 443 }"
    ]


@pytest.mark.parametrize(
    ("kind", "table"),
    [
        ("http", 'http = { url = "http://a.go.id/" }'),
        ("tcp", "tcp = { ports = [22] }"),
        ("tls", "tls = { port = 443 }"),
        ("dns", 'dns = { name = "a.go.id" }'),
    ],
)
def test_table_without_probe(workdir: Path, kind: str, table: str) -> None:
    assert messages(f'probes = ["icmp"]\n{table}\n') == [
        f"pantau.toml:5: targets[0].{kind}: the {kind} table is set but probes does not list "
        f'"{kind}"; add "{kind}" to probes or remove the {kind} table'
    ]


def test_table_without_probe_indonesian(workdir: Path) -> None:
    assert messages('probes = ["icmp"]\ndns = { name = "a.go.id" }\n', language="id") == [
        'pantau.toml:5: targets[0].dns: tabel dns diisi tetapi "dns" tidak tercantum di probes; '
        'tambahkan "dns" ke probes atau hapus tabel dns'
    ]


@pytest.mark.parametrize(
    ("kind", "table"),
    [
        ("http", 'http = { url = "http://a.go.id/", timeout = "30s" }'),
        ("tcp", 'tcp = { ports = [22], timeout = "45s" }'),
        ("tls", 'tls = { timeout = "30s" }'),
        ("dns", 'dns = { name = "a.go.id", timeout = "1m" }'),
    ],
)
def test_timeout_not_below_interval(workdir: Path, kind: str, table: str) -> None:
    timeout = re.search(r'timeout = "([^"]+)"', table)
    assert timeout is not None

    assert messages(f'probes = ["{kind}"]\n{table}\n') == [
        f"pantau.toml:5: targets[0].{kind}.timeout: timeout {timeout[1]} must be shorter than "
        "interval 30s; shorten the timeout or lengthen the interval"
    ]


def test_dns_server_not_ip(workdir: Path) -> None:
    body = 'probes = ["dns"]\ndns = { server = "ns1.example.go.id", name = "a.go.id" }\n'

    assert messages(body) == [
        'pantau.toml:5: targets[0].dns.server: DNS server "ns1.example.go.id" must be an IP '
        "address, because Pantau does not look up the address of a DNS server; write for "
        'example "198.51.100.53"'
    ]


def test_dns_server_needed_for_host_name_address(workdir: Path) -> None:
    header = '[[targets]]\nname = "app"\naddress = "localhost"\n'
    body = 'probes = ["dns"]\ndns = { name = "a.go.id" }\n'

    assert messages(body, header=header) == [
        'pantau.toml:5: targets[0].dns.server: the target\'s address "localhost" is not an IP '
        "address, so the DNS server must be written; add the server's IP address, for example "
        'server = "198.51.100.53"'
    ]


def test_dns_server_multicast(workdir: Path) -> None:
    body = 'probes = ["dns"]\ndns = { server = "224.0.0.251", name = "a.go.id" }\n'

    assert messages(body) == [
        'pantau.toml:5: targets[0].dns.server: address "224.0.0.251" is a multicast address '
        "that many hosts answer at once; write the address of one device"
    ]


def test_dns_name_invalid(workdir: Path) -> None:
    assert messages('probes = ["dns"]\ndns = { name = "a..go.id" }\n') == [
        'pantau.toml:5: targets[0].dns.name: invalid domain name "a..go.id"; each label '
        "between dots has 1 to 63 letters, digits, hyphens or underscores, for example "
        '"simpeg.example.go.id"'
    ]


def test_dns_type_and_transport_invalid(workdir: Path) -> None:
    body = 'probes = ["dns"]\ndns = { name = "a.go.id", type = "SRV", transport = "quic" }\n'

    assert messages(body) == [
        'pantau.toml:5: targets[0].dns.type: invalid value "SRV"; choose one of: "A", "AAAA", '
        '"CNAME", "MX", "NS", "TXT"',
        'pantau.toml:5: targets[0].dns.transport: invalid value "quic"; choose one of: "udp", '
        '"tcp"',
    ]


DNS_EXPECT_CASES = [
    ("A", "2001:db8::1", '"198.51.100.20"'),
    ("A", "192.0.2.300", '"198.51.100.20"'),
    ("AAAA", "192.0.2.1", '"2001:db8::20"'),
    ("CNAME", "web example", '"web.example.go.id"'),
    ("NS", "ns1..go.id", '"ns1.example.go.id"'),
    ("MX", "mail.example.go.id", '"10 mail.example.go.id"'),
    ("MX", "70000 mail.example.go.id", '"10 mail.example.go.id"'),
]


@pytest.mark.parametrize(
    ("record_type", "value", "example"),
    DNS_EXPECT_CASES,
    ids=[f"{case[0]}-{case[1]}" for case in DNS_EXPECT_CASES],
)
def test_dns_expect_invalid(workdir: Path, record_type: str, value: str, example: str) -> None:
    body = (
        f'probes = ["dns"]\ndns = {{ name = "a.go.id", type = "{record_type}", '
        f'expect = ["{value}"] }}\n'
    )

    assert messages(body) == [
        f'pantau.toml:5: targets[0].dns.expect[0]: "{value}" is not a valid {record_type} '
        f"answer; write for example {example}"
    ]


def test_dns_expect_invalid_indonesian(workdir: Path) -> None:
    body = 'probes = ["dns"]\ndns = { name = "a.go.id", type = "AAAA", expect = ["192.0.2.1"] }\n'

    assert messages(body, language="id") == [
        'pantau.toml:5: targets[0].dns.expect[0]: "192.0.2.1" bukan jawaban AAAA yang valid; '
        'tulis misalnya "2001:db8::20"'
    ]


def test_dns_expect_defaults_to_type_a(workdir: Path) -> None:
    body = 'probes = ["dns"]\ndns = { name = "a.go.id", expect = ["2001:db8::1"] }\n'

    assert messages(body) == [
        'pantau.toml:5: targets[0].dns.expect[0]: "2001:db8::1" is not a valid A answer; write '
        'for example "198.51.100.20"'
    ]


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (
            "response = true",
            "defaults.degraded.response: true is not a limit; write the limit, for example "
            'response = "2s", or false to switch the limit off',
        ),
        (
            "cert_expiry = 21",
            "defaults.degraded.cert_expiry: a duration must be a string with a unit, not the "
            'number 21; write for example cert_expiry = "21d" (units: ms, s, m, h, d)',
        ),
        (
            'cert_expiry = "3 weeks"',
            'defaults.degraded.cert_expiry: invalid duration "3 weeks"; write a number followed '
            'by the unit ms, s, m, h or d with no space, for example cert_expiry = "21d"',
        ),
    ],
)
def test_invalid_threshold(workdir: Path, limit: str, expected: str) -> None:
    assert messages("", before=f"[defaults]\ndegraded = {{ {limit} }}\n") == [
        f"pantau.toml:2: {expected}"
    ]


def test_probes_accepts_every_kind(workdir: Path) -> None:
    assert config.PROBE_KINDS == ("icmp", "snmp", "tcp", "http", "tls", "dns")


# Parsers, with Hypothesis ----------------------------------------------------------

HOST_LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
HOST_NAME = (
    st.lists(HOST_LABEL, min_size=1, max_size=4)
    .map(".".join)
    .filter(lambda name: not name.split(".")[-1].isdigit())
)
URL_PATH = st.from_regex(r"(/[A-Za-z0-9._~%!$&'()*+,;=:@-]*)*", fullmatch=True)


@given(
    scheme=st.sampled_from(["http", "https", "HTTPS"]),
    host=st.one_of(
        HOST_NAME,
        st.ip_addresses(v=4).map(str),
        st.ip_addresses(v=6).map(lambda ip: f"[{ip}]"),
    ),
    port=st.one_of(st.none(), st.integers(1, 65535)),
    path=URL_PATH,
)
def test_http_url_fault_accepts_valid_urls(
    scheme: str, host: str, port: int | None, path: str
) -> None:
    authority = host if port is None else f"{host}:{port}"
    assert http_url_fault(f"{scheme}://{authority}{path}") is None


@given(port=st.one_of(st.integers(max_value=0), st.integers(min_value=65536)))
def test_http_url_fault_rejects_ports(port: int) -> None:
    fault = http_url_fault(f"http://simpeg.example.go.id:{port}/")

    assert fault is not None
    assert fault[0] == "url_port"


@given(
    user=st.text(st.characters(blacklist_characters="/?#@"), max_size=10),
    password=st.text(st.characters(blacklist_characters="/?#@"), min_size=1, max_size=20),
)
def test_http_url_fault_never_shows_credentials(user: str, password: str) -> None:
    fault = http_url_fault(f"https://{user}:{password}@simpeg.example.go.id/")

    assert fault == ("url_credentials", {"example": 'password_env = "PANTAU_SIMPEG_PASSWORD"'})


@given(st.text(max_size=80))
def test_http_url_fault_total(text: str) -> None:
    fault = http_url_fault(text)

    if fault is not None:
        code, params = fault
        assert f"config.{code}" in MESSAGES
        for language in ("id", "en"):
            MESSAGES[f"config.{code}"][language].format(**params)


@given(days=st.integers(0, 10_000), hours=st.integers(0, 23))
def test_parse_duration_days(days: int, hours: int) -> None:
    assert parse_duration(f"{days}d") == days * 86400.0
    assert parse_duration(f"{days}d{hours}h") == days * 86400.0 + hours * 3600.0


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_format_duration_round_trip_with_days_unit(seconds: float) -> None:
    assert parse_duration(config.format_duration(seconds)) == pytest.approx(seconds, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(ports=st.lists(st.integers(-5, 70_000), min_size=1, max_size=4))
def test_tcp_ports_valid_iff_in_range_and_unique(ports: list[int]) -> None:
    text = f'{HEADER}probes = ["tcp"]\ntcp = {{ ports = {ports} }}\n'
    valid = all(1 <= port <= 65535 for port in ports) and len(set(ports)) == len(ports)

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "pantau.toml"
        path.write_text(text, encoding="utf-8")
        if valid:
            assert load(path, environ={}).target("app").tcp == (TcpSettings(ports=tuple(ports)),)
        else:
            with pytest.raises(ConfigError):
                load(path, environ={})


@given(st.ip_addresses())
def test_dns_answer_addresses_by_type(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    assert is_dns_answer("A", str(ip)) is (ip.version == 4)
    assert is_dns_answer("AAAA", str(ip)) is (ip.version == 6)


@given(preference=st.integers(0, 70_000), exchange=HOST_NAME)
def test_dns_answer_mx(preference: int, exchange: str) -> None:
    assert is_dns_answer("MX", f"{preference} {exchange}") is (preference <= 65535)
    assert not is_dns_answer("MX", exchange)


# Module wiring -------------------------------------------------------------------


SERVICE_CODES = [
    "service_table_missing",
    "tls_table_missing",
    "service_probe_missing",
    "url_credentials",
    "url_character",
    "url_no_scheme",
    "url_scheme",
    "url_no_host",
    "url_host",
    "url_ipv6_brackets",
    "url_port",
    "header_name",
    "header_credentials",
    "duplicate_header",
    "header_value",
    "username_colon",
    "response_regex",
    "response_regex_no_position",
    "ca_file_missing",
    "ca_file_not_file",
    "ca_file_unreadable",
    "ca_file_invalid",
    "insecure_with_ca_file",
    "expected_tcp_tables",
    "empty_ports",
    "duplicate_port",
    "invalid_server_name",
    "dns_server_needed",
    "dns_server_not_ip",
    "dns_name_invalid",
    "dns_expect_invalid",
]


def test_every_reported_code_has_both_languages() -> None:
    source = (REPOSITORY / "monitor" / "config_services.py").read_text(encoding="utf-8")
    written = set(re.findall(r'"([a-z0-9_]+)"', source))

    for code in SERVICE_CODES:
        assert code in written, code
        assert set(MESSAGES[f"config.{code}"]) == {"id", "en"}, code


@pytest.mark.parametrize("module", ["monitor.config_services", "monitor.config"])
def test_either_module_imports_first(module: str) -> None:
    code = (
        f"import {module}\n"
        "from monitor.config_services import HttpSettings\n"
        "from monitor.config import Target\n"
        "print(HttpSettings.__name__, Target.__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPOSITORY, capture_output=True, text=True, check=False
    )

    assert result.stderr == ""
    assert result.stdout == "HttpSettings Target\n"


def test_shipped_inventories_have_service_checks() -> None:
    targets = load(REPOSITORY / "config" / "targets.toml", environ={})
    demo = load(REPOSITORY / "config" / "demo.toml", environ={})

    simpeg = targets.target("simpeg")
    assert simpeg.http is not None
    assert simpeg.http.expect_status == (200,)
    assert simpeg.tls == TlsSettings(server_name="simpeg.example.com", port=443)
    assert simpeg.dns is not None
    assert simpeg.dns.server == "192.0.2.53"
    assert targets.target("db-server").tcp == (
        TcpSettings(ports=(22,), expect="SSH-2.0-"),
        TcpSettings(ports=(5432,)),
    )
    assert all(target.placeholder for target in targets.targets)

    web = demo.target("aplikasi-demo")
    assert web.http == HttpSettings(
        url="http://127.0.0.1:9470/healthz", expect_status=(200,), timeout=5.0
    )
    assert web.tcp == (TcpSettings(ports=(9470,)),)
    assert not web.placeholder
