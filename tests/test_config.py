"""Tests of the configuration loader, its two inventories and its messages."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
import tempfile
import textwrap
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor import config, maintenance
from monitor.config import (
    AlertSettings,
    Channel,
    ConfigError,
    CustomOidSettings,
    FlapSettings,
    IcmpSettings,
    InterfaceFilter,
    MaintenanceWindow,
    Secret,
    SnmpDefaults,
    SnmpSettings,
    Thresholds,
    find_config_path,
    format_duration,
    format_speed,
    is_placeholder_address,
    is_valid_hostname,
    load,
    parse_duration,
    parse_listen,
    parse_percentage,
    parse_rate,
    parse_speed,
)
from monitor.maintenance import CronError, MaintenanceSchedule, parse_cron
from monitor.scheduler import snmp_request
from probes import snmp, snmp_profiles
from probes.addresses import unusable_target_reason

REPOSITORY = Path(__file__).resolve().parent.parent
TARGETS_TOML = REPOSITORY / "config" / "targets.toml"
DEMO_TOML = REPOSITORY / "config" / "demo.toml"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "config"

AGENCY_ROUTERS = {
    "bappeda-router": "Bappeda",
    "diskominfo-router": "Diskominfo",
    "bpkd-router": "BPKD",
    "dispar-router": "Dinas Pariwisata",
    "bkpsdm-router": "BKPSDM",
    "dinkes-router": "Dinas Kesehatan/RSUD",
    "dispusip-router": "Perpustakaan dan Arsip Daerah",
    "organisasi-router": "Bagian Organisasi",
}


def write(directory: Path, text: str, name: str = "pantau.toml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# The regency inventory ----------------------------------------------------------------


def test_targets_toml_loads_without_environment() -> None:
    inventory = load(TARGETS_TOML, environ={})

    assert len(inventory.targets) == 38
    assert all(target.placeholder for target in inventory.targets)
    assert inventory.channels == ()
    assert inventory.maintenance == ()
    assert inventory.alerts == AlertSettings(group_window=10.0, daily_summary="07:00")
    assert inventory.daemon == config.DaemonSettings(
        listen_host="127.0.0.1",
        listen_port=9470,
        database=Path("/var/lib/pantau/pantau.db"),
        language="id",
        timezone="Asia/Jakarta",
        log_level="INFO",
    )
    assert inventory.defaults == config.TargetSettings(
        interval=30.0,
        timeout=2.0,
        down_after=3,
        up_after=2,
        family="auto",
        icmp=IcmpSettings(count=5, packet_interval=0.2, payload_size=56),
    )


def test_targets_toml_uses_documentation_literals_only() -> None:
    inventory = load(TARGETS_TOML, environ={})

    for target in inventory.targets:
        ip = ipaddress.ip_address(target.address)  # raises for a host name
        assert any(ip in network for network in config.DOCUMENTATION_NETWORKS), target.name


def test_targets_toml_networks_and_groups() -> None:
    inventory = load(TARGETS_TOML, environ={})
    networks: dict[str, int] = {}
    for target in inventory.targets:
        networks[target.network] = networks.get(target.network, 0) + 1

    assert networks == {"opd": 28, "eksekutif": 6, "server": 4}
    assert {target.group for target in inventory.targets} == {
        *AGENCY_ROUTERS.values(),
        "Eksekutif",
        "Server Aplikasi",
    }


def test_targets_toml_core_and_agency_routers() -> None:
    inventory = load(TARGETS_TOML, environ={})

    core = inventory.target("core-router")
    assert core.parent is None
    assert core.group == "Diskominfo"
    assert core.network == "opd"
    assert core.probes == ("icmp", "snmp")
    assert core.snmp == config.SnmpSettings(
        "opd-v2",
        161,
        ("system", "interfaces"),
        interfaces=config.InterfaceFilter(exclude=("lo",)),
        speeds={"pppoe-out1": 100e6},
    )

    for name, group in AGENCY_ROUTERS.items():
        router = inventory.target(name)
        assert router.parent == "core-router", name
        assert router.group == group, name
        assert router.probes == ("icmp", "snmp"), name
        assert router.snmp is not None, name
        assert router.snmp.credential == "opd-v2", name


def test_targets_toml_agency_hosts_hang_off_routers() -> None:
    inventory = load(TARGETS_TOML, environ={})
    hosts_per_router: dict[str, int] = {}
    for target in inventory.targets:
        if target.parent in AGENCY_ROUTERS:
            hosts_per_router[target.parent] = hosts_per_router.get(target.parent, 0) + 1
            assert target.group == AGENCY_ROUTERS[target.parent], target.name
            assert target.probes == ("icmp",), target.name

    assert set(hosts_per_router) == set(AGENCY_ROUTERS)
    assert all(2 <= count <= 3 for count in hosts_per_router.values()), hosts_per_router


def test_targets_toml_executive_network() -> None:
    inventory = load(TARGETS_TOML, environ={})
    executive = [target for target in inventory.targets if target.network == "eksekutif"]

    uplink = inventory.target("eksekutif-router")
    assert uplink.parent is None
    assert uplink.snmp is not None
    assert uplink.snmp.credential == "eksekutif-v3"
    assert {target.group for target in executive} == {"Eksekutif"}
    assert sorted(target.name for target in executive if target.parent == "eksekutif-router") == [
        "bupati-ap",
        "bupati-pc",
        "wabup-ap",
        "wabup-pc",
    ]


def test_targets_toml_isolation_check() -> None:
    inventory = load(TARGETS_TOML, environ={})

    isolation = inventory.target("isolasi-eksekutif")
    assert isolation.expect == "unreachable"
    assert isolation.network == "eksekutif"
    assert isolation.parent is None
    assert isolation.probes == ("icmp",)
    assert isolation.placeholder
    others = [target for target in inventory.targets if target is not isolation]
    assert {target.expect for target in others} == {"reachable"}


def test_targets_toml_status_rules_are_built_in() -> None:
    inventory = load(TARGETS_TOML, environ={})

    assert inventory.defaults.degraded == Thresholds()
    assert inventory.defaults.flap == FlapSettings()
    assert inventory.defaults.remind_every == 4 * 3600.0
    for target in inventory.targets:
        assert target.settings.degraded == Thresholds(), target.name


# The example blocks that targets.toml keeps commented out, as they must load
# once an operator removes the "# " in front of each line.
COMMENTED_CHANNELS = """\
# [[channels]]
# name = "noc-telegram"
# url_env = "PANTAU_TELEGRAM_URL"
# min_severity = "warning"    # info | warning | critical
"""
COMMENTED_EXECUTIVE_CHANNEL = """\
# [[channels]]
# name = "eksekutif-telegram"
# url_env = "PANTAU_TELEGRAM_EKSEKUTIF_URL"
# networks = ["eksekutif"]
# min_severity = "critical"
# language = "id"
# rate = "20/min"
# max_length = 4096
# summary = false
"""
COMMENTED_MAINTENANCE = """\
# [[maintenance]]
# name = "patch-server"
# networks = ["server"]
# cron = "0 22 * * sat"       # Sabtu 22:00 WIB / Saturdays at 22:00 WIB
# duration = "4h"
# reason = "Patch bulanan server aplikasi"
"""


def test_targets_toml_commented_examples_load(tmp_path: Path) -> None:
    text = TARGETS_TOML.read_text(encoding="utf-8")
    for block in (COMMENTED_CHANNELS, COMMENTED_EXECUTIVE_CHANNEL, COMMENTED_MAINTENANCE):
        assert block in text
        text = text.replace(block, block.replace("# ", "", 1).replace("\n# ", "\n"))
    environ = {
        "PANTAU_TELEGRAM_URL": "json://127.0.0.1:9/",
        "PANTAU_TELEGRAM_EKSEKUTIF_URL": "json://127.0.0.1:9/",
    }

    inventory = load(write(tmp_path, text, name="targets.toml"), environ=environ)

    noc, executive = inventory.channels
    assert noc.name == "noc-telegram"
    assert noc.networks == ()
    assert noc.min_severity == "warning"
    assert executive == Channel(
        name="eksekutif-telegram",
        url=Secret("PANTAU_TELEGRAM_EKSEKUTIF_URL", "json://127.0.0.1:9/"),
        networks=("eksekutif",),
        min_severity="critical",
        language="id",
        rate=20.0,
        max_length=4096,
        summary=False,
    )
    assert inventory.maintenance == (
        MaintenanceWindow(
            name="patch-server",
            networks=("server",),
            cron="0 22 * * sat",
            duration=4 * 3600.0,
            reason="Patch bulanan server aplikasi",
        ),
    )


def test_targets_toml_application_servers() -> None:
    inventory = load(TARGETS_TOML, environ={})
    servers = {target.name: target for target in inventory.targets if target.network == "server"}

    assert set(servers) == {"simpeg", "pariwisata", "pariwisata-v6", "db-server"}
    assert {target.group for target in servers.values()} == {"Server Aplikasi"}
    assert {target.parent for target in servers.values()} == {"core-router"}
    assert servers["pariwisata-v6"].settings.family == "ip6"
    assert servers["db-server"].settings.timeout == 3.0
    assert servers["db-server"].settings.interval == 30.0


def test_targets_toml_snmp_defaults_are_built_in() -> None:
    inventory = load(TARGETS_TOML, environ={})

    assert inventory.snmp_defaults == config.SnmpDefaults()
    router = inventory.target("bappeda-router").snmp
    assert router == config.SnmpSettings(
        "opd-v2", timeout=inventory.defaults.timeout, uplink="ether1"
    )


def test_targets_toml_credentials() -> None:
    inventory = load(TARGETS_TOML, environ={})

    opd = inventory.credentials["opd-v2"]
    assert opd.version == "2c"
    assert opd.community is not None
    assert opd.community.env == "PANTAU_SNMP_COMMUNITY"
    assert not opd.community.is_set
    assert opd.security_level is None

    executive = inventory.credentials["eksekutif-v3"]
    assert executive.version == "3"
    assert executive.username == "pantau"
    assert executive.security_level == "authPriv"
    assert executive.auth_protocol == "SHA256"
    assert executive.priv_protocol == "AES"
    assert executive.community is None


def test_targets_toml_reads_secret_when_set() -> None:
    inventory = load(TARGETS_TOML, environ={"PANTAU_SNMP_COMMUNITY": "rahasia-opd"})
    community = inventory.credentials["opd-v2"].community

    assert community is not None
    assert community.reveal() == "rahasia-opd"


# The demo inventory -------------------------------------------------------------------


def test_demo_toml_loads_loopback_only() -> None:
    inventory = load(DEMO_TOML, environ={})

    assert [(target.name, target.address) for target in inventory.targets] == [
        ("router-demo", "localhost"),
        ("opd-bappeda", "127.0.0.1"),
        ("opd-bpkd", "127.0.0.2"),
        ("opd-dispar", "127.0.0.3"),
        ("server-demo-v6", "::1"),
        ("aplikasi-demo", "127.0.0.1"),
    ]
    for target in inventory.targets:
        assert not target.placeholder, target.name
        if target.address != "localhost":
            assert ipaddress.ip_address(target.address).is_loopback, target.name


def test_demo_toml_settings() -> None:
    inventory = load(DEMO_TOML, environ={})

    assert inventory.daemon.listen_host == "127.0.0.1"
    assert inventory.daemon.listen_port == 9470
    assert inventory.daemon.database == DEMO_TOML.parent / "pantau-demo.db"
    assert inventory.defaults.interval == 10.0
    assert inventory.defaults.timeout == 1.0
    assert inventory.defaults.icmp == IcmpSettings(count=5, packet_interval=0.1, payload_size=56)
    assert [target.parent for target in inventory.targets] == [
        None,
        "router-demo",
        "router-demo",
        "router-demo",
        None,
        None,
    ]
    assert inventory.credentials == {}
    assert inventory.channels == ()


def test_inventory_target_lookup() -> None:
    inventory = load(DEMO_TOML, environ={})

    assert inventory.target("opd-bpkd").address == "127.0.0.2"
    with pytest.raises(KeyError):
        inventory.target("opd-tidak-ada")


# One fixture per invalid case, with the exact message in both languages -------------


class Case(NamedTuple):
    fixture: str
    id: list[str]
    en: list[str]
    environ: dict[str, str] | None = None


CASES = [
    Case(
        "address_with_port",
        id=[
            (
                'address_with_port.toml:3: targets[0].address: alamat "192.0.2.1:161" memuat '
                'nomor port; tulis alamatnya saja, "192.0.2.1", dan tulis port SNMP di '
                "snmp.port"
            ),
        ],
        en=[
            (
                'address_with_port.toml:3: targets[0].address: address "192.0.2.1:161" contains '
                'a port number; write only the address, "192.0.2.1", and put the SNMP port in '
                "snmp.port"
            ),
        ],
    ),
    Case(
        "alerts_values",
        id=[
            (
                'alerts_values.toml:6: alerts.group_window: nilai "20m" di luar rentang; gunakan '
                "nilai dari 0s sampai 10m"
            ),
            (
                'alerts_values.toml:7: alerts.daily_summary: waktu "7:00" tidak valid; tulis jam '
                'dan menit dalam format 24 jam "HH:MM", misalnya "07:00"'
            ),
            (
                "alerts_values.toml:8: alerts.group_windows: kunci tidak dikenal; mungkin "
                'maksudnya "group_window"?'
            ),
        ],
        en=[
            (
                'alerts_values.toml:6: alerts.group_window: value "20m" is out of range; use a '
                "value from 0s to 10m"
            ),
            (
                'alerts_values.toml:7: alerts.daily_summary: invalid time "7:00"; write hours and '
                'minutes in 24-hour form as "HH:MM", for example "07:00"'
            ),
            (
                "alerts_values.toml:8: alerts.group_windows: unknown key; did you mean "
                '"group_window"?'
            ),
        ],
    ),
    Case(
        "channel_rate",
        id=[
            (
                "channel_rate.toml:8: channels[0].rate: laju harus berupa teks dengan satuan, "
                'bukan angka 20; tulis misalnya rate = "20/min" (satuan: /s untuk per detik, /min '
                "untuk per menit)"
            ),
            (
                'channel_rate.toml:13: channels[1].rate: laju "20/m" tidak valid; tulis jumlah '
                "pesan, garis miring, lalu s (per detik) atau min (per menit) tanpa spasi, "
                'misalnya rate = "20/min"'
            ),
            (
                'channel_rate.toml:18: channels[2].rate: laju "0/min" tidak meloloskan satu pesan '
                'pun; gunakan laju di atas 0, misalnya rate = "20/min"'
            ),
        ],
        en=[
            (
                "channel_rate.toml:8: channels[0].rate: a rate must be a string with a unit, not "
                'the number 20; write for example rate = "20/min" (units: /s for per second, /min '
                "for per minute)"
            ),
            (
                'channel_rate.toml:13: channels[1].rate: invalid rate "20/m"; write a number of '
                "messages, a slash, then s (per second) or min (per minute) with no space, for "
                'example rate = "20/min"'
            ),
            (
                'channel_rate.toml:18: channels[2].rate: rate "0/min" lets no message through; '
                'use a rate above 0, for example rate = "20/min"'
            ),
        ],
        environ={"PANTAU_TELEGRAM_URL": "json://127.0.0.1:9/"},
    ),
    Case(
        "channel_routing",
        id=[
            (
                'channel_routing.toml:22: channels[0].networks[0]: jaringan "eksekutf" tidak '
                "ditemukan; gunakan network yang tertulis pada salah satu target, misalnya "
                '"eksekutif"'
            ),
            (
                "channel_routing.toml:23: channels[0].groups: daftar kosong; hapus kunci ini atau "
                'tulis paling sedikit satu nama, misalnya groups = ["Bappeda"]'
            ),
            (
                'channel_routing.toml:28: channels[1].groups[1]: grup "bappeda" tidak ditemukan; '
                'gunakan group yang tertulis pada salah satu target, misalnya "Bappeda"'
            ),
        ],
        en=[
            (
                'channel_routing.toml:22: channels[0].networks[0]: network "eksekutf" not found; '
                'use a network that one of the targets has, for example "eksekutif"'
            ),
            (
                "channel_routing.toml:23: channels[0].groups: the list is empty; remove the key "
                'or write at least one name, for example groups = ["Bappeda"]'
            ),
            (
                'channel_routing.toml:28: channels[1].groups[1]: group "bappeda" not found; use a '
                'group that one of the targets has, for example "Bappeda"'
            ),
        ],
        environ={"PANTAU_TELEGRAM_URL": "json://127.0.0.1:9/"},
    ),
    Case(
        "channel_values",
        id=[
            (
                'channel_values.toml:8: channels[0].min_severity: nilai "error" tidak valid; '
                'pilih salah satu dari: "info", "warning", "critical"'
            ),
            (
                'channel_values.toml:9: channels[0].language: nilai "jv" tidak valid; pilih salah '
                'satu dari: "id", "en"'
            ),
            (
                "channel_values.toml:10: channels[0].max_length: nilai 100 di luar rentang; "
                "gunakan nilai dari 200 sampai 1000000"
            ),
            (
                "channel_values.toml:11: channels[0].summary: harus berupa true atau false tanpa "
                'tanda kutip, bukan "ya"; tulis misalnya summary = true'
            ),
        ],
        en=[
            (
                'channel_values.toml:8: channels[0].min_severity: invalid value "error"; choose '
                'one of: "info", "warning", "critical"'
            ),
            (
                'channel_values.toml:9: channels[0].language: invalid value "jv"; choose one of: '
                '"id", "en"'
            ),
            (
                "channel_values.toml:10: channels[0].max_length: value 100 is out of range; use a "
                "value from 200 to 1000000"
            ),
            (
                "channel_values.toml:11: channels[0].summary: must be true or false without "
                'quotes, not "ya"; write for example summary = true'
            ),
        ],
        environ={"PANTAU_TELEGRAM_URL": "json://127.0.0.1:9/"},
    ),
    Case(
        "charset_not_text",
        id=[
            (
                'charset_not_text.toml:9: targets[0].snmp.charset: codec "base64" tidak dapat '
                "mendekode teks dari perangkat karena bukan set karakter atau menolak sebagian "
                'byte; tulis set karakter, misalnya "cp1252" atau "gbk"'
            ),
        ],
        en=[
            (
                'charset_not_text.toml:9: targets[0].snmp.charset: codec "base64" cannot decode '
                "text from a device because it is no character set or rejects some bytes; write a "
                'character set, for example "cp1252" or "gbk"'
            ),
        ],
    ),
    Case(
        "community_v3",
        id=[
            (
                "community_v3.toml:5: credentials.eksekutif-v3.community_env: community_env "
                "tidak berlaku untuk SNMP versi 3; hapus kunci ini dan gunakan username, "
                "auth_key_env dan priv_key_env"
            ),
        ],
        en=[
            (
                "community_v3.toml:5: credentials.eksekutif-v3.community_env: community_env "
                "does not apply to SNMP version 3; remove it and use username, auth_key_env and "
                "priv_key_env"
            ),
        ],
    ),
    Case(
        "custom_built_in_name",
        id=[
            (
                'custom_built_in_name.toml:14: targets[0].snmp.custom[0].name: nama "reboots" '
                "akan menjadi metrik pantau_snmp_reboots, yang sudah dipakai Pantau sendiri; "
                "pilih nama lain, misalnya dengan awalan nama perangkat"
            ),
        ],
        en=[
            (
                'custom_built_in_name.toml:14: targets[0].snmp.custom[0].name: name "reboots" '
                "would become the metric pantau_snmp_reboots, which Pantau already exports; "
                "choose another name, for example with the device's name in front"
            ),
        ],
    ),
    Case(
        "degraded_unknown_key",
        id=[
            (
                "degraded_unknown_key.toml:2: defaults.degraded.utilization: kunci tidak dikenal; "
                'mungkin maksudnya "utilisation"?'
            ),
            (
                "degraded_unknown_key.toml:7: targets[0].degraded.latency: kunci tidak dikenal; "
                "hapus kunci ini atau gunakan salah satu dari: loss, rtt, utilisation, cpu, "
                "memory, disk, response, cert_expiry, sustain"
            ),
        ],
        en=[
            (
                "degraded_unknown_key.toml:2: defaults.degraded.utilization: unknown key; did you "
                'mean "utilisation"?'
            ),
            (
                "degraded_unknown_key.toml:7: targets[0].degraded.latency: unknown key; remove it "
                "or use one of: loss, rtt, utilisation, cpu, memory, disk, response, "
                "cert_expiry, sustain"
            ),
        ],
    ),
    Case(
        "duplicate_name",
        id=[
            (
                'duplicate_name.toml:10: targets[2].name: nama "core-router" sudah dipakai oleh '
                "targets[0] (duplicate_name.toml:2); gunakan nama yang unik"
            ),
        ],
        en=[
            (
                'duplicate_name.toml:10: targets[2].name: name "core-router" is already used by '
                "targets[0] (duplicate_name.toml:2); choose a unique name"
            ),
        ],
    ),
    Case(
        "duplicate_probe",
        id=[
            (
                'duplicate_probe.toml:4: targets[0].probes[1]: probe "icmp" tertulis lebih dari '
                "sekali; hapus duplikatnya"
            ),
        ],
        en=[
            (
                'duplicate_probe.toml:4: targets[0].probes[1]: probe "icmp" is listed more than '
                "once; remove the duplicate"
            ),
        ],
    ),
    Case(
        "duration_below_minimum",
        id=[
            (
                'duration_below_minimum.toml:4: targets[0].icmp.packet_interval: nilai "0.5ms" '
                "terlalu kecil; gunakan paling sedikit 1ms"
            ),
        ],
        en=[
            (
                'duration_below_minimum.toml:4: targets[0].icmp.packet_interval: value "0.5ms" '
                "is too small; use at least 1ms"
            ),
        ],
    ),
    Case(
        "duration_invalid",
        id=[
            (
                'duration_invalid.toml:2: defaults.timeout: durasi "2 s" tidak valid; tulis '
                'angka lalu satuan ms, s, m, h atau d tanpa spasi, misalnya timeout = "2s"'
            ),
        ],
        en=[
            (
                'duration_invalid.toml:2: defaults.timeout: invalid duration "2 s"; write a '
                "number followed by the unit ms, s, m, h or d with no space, for example timeout = "
                '"2s"'
            ),
        ],
    ),
    Case(
        "duration_number",
        id=[
            (
                "duration_number.toml:2: defaults.interval: durasi harus berupa teks dengan "
                'satuan, bukan angka 30; tulis misalnya interval = "30s" (satuan: ms, s, m, h, d)'
            ),
        ],
        en=[
            (
                "duration_number.toml:2: defaults.interval: a duration must be a string with a "
                'unit, not the number 30; write for example interval = "30s" (units: ms, s, m, '
                "h, d)"
            ),
        ],
    ),
    Case(
        "duration_out_of_range",
        id=[
            (
                'duration_out_of_range.toml:4: targets[0].interval: nilai "500ms" di luar '
                "rentang; gunakan nilai dari 1s sampai 1d"
            ),
        ],
        en=[
            (
                'duration_out_of_range.toml:4: targets[0].interval: value "500ms" is out of '
                "range; use a value from 1s to 1d"
            ),
        ],
    ),
    Case(
        "empty_env",
        environ={"PANTAU_TELEGRAM_URL": ""},
        id=[
            (
                "empty_env.toml:7: channels[0].url_env: variabel lingkungan PANTAU_TELEGRAM_URL "
                "kosong; isi nilainya di EnvironmentFile layanan systemd pantau atau di shell"
            ),
        ],
        en=[
            (
                "empty_env.toml:7: channels[0].url_env: environment variable "
                "PANTAU_TELEGRAM_URL is empty; give it a value in the EnvironmentFile of the "
                "pantau systemd service or in the shell"
            ),
        ],
    ),
    Case(
        "empty_probes",
        id=[
            (
                "empty_probes.toml:4: targets[0].probes: daftar probe kosong; tulis misalnya "
                'probes = ["icmp"]'
            ),
        ],
        en=[
            (
                "empty_probes.toml:4: targets[0].probes: the list of probes is empty; write for "
                'example probes = ["icmp"]'
            ),
        ],
    ),
    Case(
        "empty_string",
        id=[
            (
                "empty_string.toml:4: targets[0].group: tidak boleh kosong; tulis misalnya "
                'group = "Bappeda"'
            ),
        ],
        en=[
            (
                "empty_string.toml:4: targets[0].group: must not be empty; write for example "
                'group = "Bappeda"'
            ),
        ],
    ),
    Case(
        "expect_in_defaults",
        id=[
            (
                "expect_in_defaults.toml:2: defaults.expect: kunci ini milik masing-masing target "
                "dan tidak dapat diatur di [defaults]; pindahkan ke tabel [[targets]] yang "
                "memerlukannya"
            ),
        ],
        en=[
            (
                "expect_in_defaults.toml:2: defaults.expect: this key belongs to each target and "
                "cannot be set in [defaults]; move it to the [[targets]] tables that need it"
            ),
        ],
    ),
    Case(
        "expected_boolean",
        id=[
            (
                "expected_boolean.toml:9: targets[0].snmp.use_getnext: harus berupa true atau "
                'false tanpa tanda kutip, bukan "yes"; tulis misalnya use_getnext = true'
            ),
        ],
        en=[
            (
                "expected_boolean.toml:9: targets[0].snmp.use_getnext: must be true or false "
                'without quotes, not "yes"; write for example use_getnext = true'
            ),
        ],
    ),
    Case(
        "expected_integer",
        id=[
            (
                "expected_integer.toml:2: defaults.down_after: harus berupa bilangan bulat "
                'tanpa tanda kutip, bukan "3"; tulis misalnya down_after = 3'
            ),
        ],
        en=[
            (
                "expected_integer.toml:2: defaults.down_after: must be an integer without "
                'quotes, not "3"; write for example down_after = 3'
            ),
        ],
    ),
    Case(
        "expected_integer_array",
        id=[
            (
                "expected_integer_array.toml:9: targets[0].snmp.interfaces.types: harus berupa "
                'daftar bilangan bulat tanpa tanda kutip, bukan ["ethernetCsmacd"]; tulis '
                "misalnya types = [6, 131]"
            ),
        ],
        en=[
            (
                "expected_integer_array.toml:9: targets[0].snmp.interfaces.types: must be an "
                'array of integers without quotes, not ["ethernetCsmacd"]; write for example '
                "types = [6, 131]"
            ),
        ],
    ),
    Case(
        "expected_percentage",
        id=[
            (
                "expected_percentage.toml:6: targets[0].degraded.memory: harus berupa persentase "
                "dalam tanda kutip atau pecahan 0 sampai 1, bukan [95]; tulis misalnya memory = "
                '"95%", atau false untuk mematikan batas ini'
            ),
        ],
        en=[
            (
                "expected_percentage.toml:6: targets[0].degraded.memory: must be a percentage in "
                'quotes or a fraction from 0 to 1, not [95]; write for example memory = "95%", or '
                "false to switch the limit off"
            ),
        ],
    ),
    Case(
        "expected_string",
        id=[
            (
                "expected_string.toml:2: targets[0].name: harus berupa teks dalam tanda kutip, "
                'bukan 42; tulis misalnya name = "bappeda-router"'
            ),
        ],
        en=[
            (
                "expected_string.toml:2: targets[0].name: must be a string in quotes, not 42; "
                'write for example name = "bappeda-router"'
            ),
        ],
    ),
    Case(
        "expected_string_array",
        id=[
            (
                "expected_string_array.toml:4: targets[0].probes: harus berupa daftar teks, "
                'bukan "icmp"; tulis misalnya probes = ["icmp", "snmp"]'
            ),
        ],
        en=[
            (
                "expected_string_array.toml:4: targets[0].probes: must be an array of strings, "
                'not "icmp"; write for example probes = ["icmp", "snmp"]'
            ),
        ],
    ),
    Case(
        "expected_table",
        id=[
            (
                "expected_table.toml:2: defaults.icmp: harus berupa tabel, bukan 5; tulis "
                'misalnya icmp = { count = 5, packet_interval = "200ms" }'
            ),
        ],
        en=[
            (
                "expected_table.toml:2: defaults.icmp: must be a table, not 5; write for "
                'example icmp = { count = 5, packet_interval = "200ms" }'
            ),
        ],
    ),
    Case(
        "expected_table_array",
        id=[
            (
                "expected_table_array.toml:1: targets: harus berupa daftar tabel, bukan { name "
                "= …, address = … }; tulis setiap entri di bawah header [[targets]]"
            ),
        ],
        en=[
            (
                "expected_table_array.toml:1: targets: must be an array of tables, not { name = "
                "…, address = … }; write each entry under a [[targets]] header"
            ),
        ],
    ),
    Case(
        "family_mismatch",
        id=[
            (
                'family_mismatch.toml:4: targets[0].family: family "ip6" bertentangan dengan '
                'alamat IPv4 "192.0.2.1"; ubah family menjadi "auto" atau "ip4"'
            ),
        ],
        en=[
            (
                'family_mismatch.toml:4: targets[0].family: family "ip6" contradicts the IPv4 '
                'address "192.0.2.1"; set family to "auto" or "ip4"'
            ),
        ],
    ),
    Case(
        "flap_out_of_range",
        id=[
            (
                "flap_out_of_range.toml:2: defaults.flap.changes: nilai 0 di luar rentang; "
                "gunakan nilai dari 1 sampai 86400"
            ),
            (
                'flap_out_of_range.toml:2: defaults.flap.window: nilai "0s" di luar rentang; '
                "gunakan nilai dari 1s sampai 1d"
            ),
        ],
        en=[
            (
                "flap_out_of_range.toml:2: defaults.flap.changes: value 0 is out of range; use a "
                "value from 1 to 86400"
            ),
            (
                'flap_out_of_range.toml:2: defaults.flap.window: value "0s" is out of range; use '
                "a value from 1s to 1d"
            ),
        ],
    ),
    Case(
        "hostname_too_long",
        id=[
            (
                "hostname_too_long.toml:3: targets[0].address: nama host "
                '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa… terlalu panjang '
                "(255 karakter, maksimum 253); gunakan nama yang lebih pendek atau alamat IP"
            ),
        ],
        en=[
            (
                "hostname_too_long.toml:3: targets[0].address: host name "
                '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa… is too long (255 '
                "characters, maximum 253); use a shorter name or an IP address"
            ),
        ],
    ),
    Case(
        "icmp_burst_too_long",
        id=[
            (
                "icmp_burst_too_long.toml:9: targets[0].icmp: rangkaian ping (10 paket berjarak "
                "200ms, ditambah timeout 2s) berlangsung 3.8s dan tidak selesai sebelum "
                "interval 3s berakhir; kurangi count atau packet_interval, perpendek timeout, "
                "atau perpanjang interval"
            ),
        ],
        en=[
            (
                "icmp_burst_too_long.toml:9: targets[0].icmp: the ping burst (10 packets 200ms "
                "apart, plus the timeout 2s) lasts 3.8s and does not end before the interval "
                "3s; lower count or packet_interval, shorten the timeout, or lengthen the "
                "interval"
            ),
        ],
    ),
    Case(
        "invalid_address",
        id=[
            (
                'invalid_address.toml:3: targets[0].address: alamat "router_1.opd.example" '
                'tidak valid; tulis alamat IPv4 (misalnya "192.0.2.10"), alamat IPv6 (misalnya '
                '"2001:db8::10") atau nama host (misalnya "router.opd.example")'
            ),
        ],
        en=[
            (
                "invalid_address.toml:3: targets[0].address: invalid address "
                '"router_1.opd.example"; write an IPv4 address (for example "192.0.2.10"), an '
                'IPv6 address (for example "2001:db8::10") or a host name (for example '
                '"router.opd.example")'
            ),
        ],
    ),
    Case(
        "invalid_choice",
        id=[
            (
                'invalid_choice.toml:2: daemon.language: nilai "fr" tidak valid; pilih salah '
                'satu dari: "id", "en"'
            ),
        ],
        en=[
            (
                'invalid_choice.toml:2: daemon.language: invalid value "fr"; choose one of: '
                '"id", "en"'
            ),
        ],
    ),
    Case(
        "invalid_env_name",
        id=[
            (
                "invalid_env_name.toml:7: channels[0].url_env: harus berisi nama variabel "
                "lingkungan (huruf, angka dan garis bawah, tidak diawali angka), bukan "
                "rahasianya sendiri; simpan rahasia di variabel lingkungan dan tulis namanya di "
                'sini, misalnya url_env = "PANTAU_TELEGRAM_URL"'
            ),
        ],
        en=[
            (
                "invalid_env_name.toml:7: channels[0].url_env: must contain the name of an "
                "environment variable (letters, digits and underscores, not starting with a "
                "digit), not the secret itself; put the secret in an environment variable and "
                'write its name here, for example url_env = "PANTAU_TELEGRAM_URL"'
            ),
        ],
    ),
    Case(
        "invalid_expect",
        id=[
            (
                'invalid_expect.toml:4: targets[0].expect: nilai "unreachabel" tidak valid; pilih '
                'salah satu dari: "reachable", "unreachable"'
            ),
        ],
        en=[
            (
                'invalid_expect.toml:4: targets[0].expect: invalid value "unreachabel"; choose '
                'one of: "reachable", "unreachable"'
            ),
        ],
    ),
    Case(
        "invalid_hostname_label",
        id=[
            (
                'invalid_hostname_label.toml:3: targets[0].address: bagian "-router" pada nama '
                'host "-router.opd.example" tidak valid; setiap bagian di antara titik berisi 1 '
                "sampai 63 huruf, angka atau tanda hubung, dan tidak diawali atau diakhiri "
                "tanda hubung"
            ),
        ],
        en=[
            (
                'invalid_hostname_label.toml:3: targets[0].address: label "-router" of host '
                'name "-router.opd.example" is invalid; each label between dots has 1 to 63 '
                "letters, digits or hyphens, and does not start or end with a hyphen"
            ),
        ],
    ),
    Case(
        "invalid_ipv4",
        id=[
            (
                'invalid_ipv4.toml:3: targets[0].address: alamat IPv4 "192.0.2.300" tidak '
                "valid; tulis empat angka 0 sampai 255 yang dipisahkan titik, misalnya "
                '"192.0.2.10"'
            ),
        ],
        en=[
            (
                'invalid_ipv4.toml:3: targets[0].address: invalid IPv4 address "192.0.2.300"; '
                'write four numbers from 0 to 255 separated by dots, for example "192.0.2.10"'
            ),
        ],
    ),
    Case(
        "invalid_ipv6",
        id=[
            (
                'invalid_ipv6.toml:3: targets[0].address: alamat IPv6 "2001:db8::g1" tidak '
                'valid; periksa penulisannya, misalnya "2001:db8::10"'
            ),
        ],
        en=[
            (
                'invalid_ipv6.toml:3: targets[0].address: invalid IPv6 address "2001:db8::g1"; '
                'check how it is written, for example "2001:db8::10"'
            ),
        ],
    ),
    Case(
        "invalid_label_name",
        id=[
            (
                "invalid_label_name.toml:16: targets[0].snmp.custom[0].index_label: nama label "
                '"disk-path" tidak valid; gunakan huruf, angka dan garis bawah, diawali huruf, '
                'misalnya "disk"'
            ),
        ],
        en=[
            (
                "invalid_label_name.toml:16: targets[0].snmp.custom[0].index_label: invalid label "
                'name "disk-path"; use letters, digits and underscores, starting with a letter, '
                'for example "disk"'
            ),
        ],
    ),
    Case(
        "invalid_listen",
        id=[
            (
                'invalid_listen.toml:2: daemon.listen: alamat "::1:9470" tidak valid; tulis '
                '"host:port", misalnya "127.0.0.1:9470", atau "[alamat IPv6]:port", misalnya '
                '"[::1]:9470"'
            ),
        ],
        en=[
            (
                'invalid_listen.toml:2: daemon.listen: invalid listen address "::1:9470"; write '
                '"host:port", for example "127.0.0.1:9470", or "[IPv6 address]:port", for '
                'example "[::1]:9470"'
            ),
        ],
    ),
    Case(
        "invalid_listen_port",
        id=[
            (
                'invalid_listen_port.toml:2: daemon.listen: port 99999 pada "127.0.0.1:99999" '
                "di luar rentang 1 sampai 65535; gunakan misalnya port 9470"
            ),
        ],
        en=[
            (
                'invalid_listen_port.toml:2: daemon.listen: port 99999 in "127.0.0.1:99999" is '
                "not in the range 1 to 65535; use for example port 9470"
            ),
        ],
    ),
    Case(
        "invalid_metric_name",
        id=[
            (
                'invalid_metric_name.toml:14: targets[0].snmp.custom[0].name: nama "Disk-Used" '
                "tidak valid; gunakan huruf kecil, angka dan garis bawah, diawali huruf, misalnya "
                '"disk_used_percent"'
            ),
        ],
        en=[
            (
                "invalid_metric_name.toml:14: targets[0].snmp.custom[0].name: invalid name "
                '"Disk-Used"; use lowercase letters, digits and underscores, starting with a '
                'letter, for example "disk_used_percent"'
            ),
        ],
    ),
    Case(
        "invalid_name",
        id=[
            (
                'invalid_name.toml:2: targets[0].name: nama "core router" tidak valid; gunakan '
                "huruf, angka, titik, garis bawah atau tanda hubung, diawali huruf atau angka, "
                'misalnya "bappeda-router"'
            ),
        ],
        en=[
            (
                'invalid_name.toml:2: targets[0].name: invalid name "core router"; use letters, '
                "digits, dots, underscores or hyphens, starting with a letter or digit, for "
                'example "bappeda-router"'
            ),
        ],
    ),
    Case(
        "invalid_oid",
        id=[
            (
                "invalid_oid.toml:15: targets[0].snmp.custom[0].oid: OID "
                '"UCD-SNMP-MIB::dskPercent" tidak valid; tulis angka yang dipisahkan titik, '
                'misalnya "1.3.6.1.4.1.2021.9.1.9", karena Pantau tidak membaca berkas MIB '
                "(snmptranslate -On mengubah nama objek menjadi angka)"
            ),
        ],
        en=[
            (
                "invalid_oid.toml:15: targets[0].snmp.custom[0].oid: invalid OID "
                '"UCD-SNMP-MIB::dskPercent"; write numbers separated by dots, for example '
                '"1.3.6.1.4.1.2021.9.1.9", because Pantau reads no MIB files (snmptranslate -On '
                "turns an object name into numbers)"
            ),
        ],
    ),
    Case(
        "invalid_percentage",
        id=[
            (
                'invalid_percentage.toml:4: targets[0].degraded.loss: persentase "20,5%" tidak '
                "valid; tulis angka dengan titik sebagai pemisah desimal lalu tanda %, tanpa "
                'spasi, misalnya loss = "20.5%", atau pecahan 0 sampai 1 seperti 0.2'
            ),
            (
                'invalid_percentage.toml:4: targets[0].degraded.cpu: persentase "sembilan puluh" '
                "tidak valid; tulis angka dengan titik sebagai pemisah desimal lalu tanda %, "
                'tanpa spasi, misalnya cpu = "90%", atau pecahan 0 sampai 1 seperti 0.2'
            ),
        ],
        en=[
            (
                'invalid_percentage.toml:4: targets[0].degraded.loss: invalid percentage "20,5%"; '
                "write a number with a dot as the decimal separator followed by %, with no space, "
                'for example loss = "20.5%", or a fraction from 0 to 1 such as 0.2'
            ),
            (
                'invalid_percentage.toml:4: targets[0].degraded.cpu: invalid percentage "sembilan '
                'puluh"; write a number with a dot as the decimal separator followed by %, with '
                'no space, for example cpu = "90%", or a fraction from 0 to 1 such as 0.2'
            ),
        ],
    ),
    Case(
        "invalid_regex",
        id=[
            (
                "invalid_regex.toml:9: targets[0].snmp.interfaces.include[0]: ekspresi reguler "
                '"ether[1-4" tidak valid: unterminated character set pada karakter ke-6; perbaiki '
                "ekspresinya (sintaks re Python, dicocokkan dengan seluruh nama antarmuka)"
            ),
        ],
        en=[
            (
                "invalid_regex.toml:9: targets[0].snmp.interfaces.include[0]: invalid regular "
                'expression "ether[1-4": unterminated character set at character 6; correct the '
                "expression (Python re syntax, matched against the whole interface name)"
            ),
        ],
    ),
    Case(
        "invalid_regex_no_position",
        id=[
            (
                "invalid_regex_no_position.toml:9: targets[0].snmp.interfaces.exclude[0]: "
                'ekspresi reguler "(?<=vlan.*)100" tidak valid: look-behind requires fixed-width '
                "pattern; perbaiki ekspresinya (sintaks re Python, dicocokkan dengan seluruh nama "
                "antarmuka)"
            ),
        ],
        en=[
            (
                "invalid_regex_no_position.toml:9: targets[0].snmp.interfaces.exclude[0]: invalid "
                'regular expression "(?<=vlan.*)100": look-behind requires fixed-width pattern; '
                "correct the expression (Python re syntax, matched against the whole interface "
                "name)"
            ),
        ],
    ),
    Case(
        "invalid_speed",
        id=[
            (
                'invalid_speed.toml:9: targets[0].snmp.speeds."ge-0/0/0": kecepatan "1 Gbps" '
                "tidak valid; tulis angka lalu satuan bps, kbps, Mbps atau Gbps tanpa spasi, "
                'misalnya "ge-0/0/0" = "100Mbps" (1 kbps = 1000 bps)'
            ),
        ],
        en=[
            (
                'invalid_speed.toml:9: targets[0].snmp.speeds."ge-0/0/0": invalid speed "1 Gbps"; '
                "write a number followed by the unit bps, kbps, Mbps or Gbps with no space, for "
                'example "ge-0/0/0" = "100Mbps" (1 kbps = 1000 bps)'
            ),
        ],
    ),
    Case(
        "invalid_timezone",
        id=[
            (
                'invalid_timezone.toml:2: daemon.timezone: zona waktu "Asia/Jakrta" tidak '
                'dikenal; gunakan nama zona IANA, misalnya "Asia/Jakarta" (WIB), '
                '"Asia/Makassar" (WITA) atau "Asia/Jayapura" (WIT)'
            ),
        ],
        en=[
            (
                'invalid_timezone.toml:2: daemon.timezone: unknown time zone "Asia/Jakrta"; use '
                'an IANA zone name such as "Asia/Jakarta" (WIB), "Asia/Makassar" (WITA) or '
                '"Asia/Jayapura" (WIT)'
            ),
        ],
    ),
    Case(
        "limit_true",
        id=[
            (
                "limit_true.toml:2: defaults.degraded.utilisation: true bukan batas; tulis "
                'batasnya, misalnya utilisation = "90%", atau false untuk mematikan batas ini'
            ),
            (
                "limit_true.toml:2: defaults.degraded.rtt: true bukan batas; tulis batasnya, "
                'misalnya rtt = "250ms", atau false untuk mematikan batas ini'
            ),
        ],
        en=[
            (
                "limit_true.toml:2: defaults.degraded.utilisation: true is not a limit; write the "
                'limit, for example utilisation = "90%", or false to switch the limit off'
            ),
            (
                "limit_true.toml:2: defaults.degraded.rtt: true is not a limit; write the limit, "
                'for example rtt = "250ms", or false to switch the limit off'
            ),
        ],
    ),
    Case(
        "many_problems",
        id=[
            (
                'many_problems.toml:4: daemon.language: nilai "jv" tidak valid; pilih salah '
                'satu dari: "id", "en"'
            ),
            (
                "many_problems.toml:7: defaults.interval: durasi harus berupa teks dengan "
                'satuan, bukan angka 30; tulis misalnya interval = "30s" (satuan: ms, s, m, h, d)'
            ),
            (
                'many_problems.toml:11: credentials.opd-v2.version: nilai "2" tidak valid; '
                'pilih salah satu dari: "1", "2c", "3"'
            ),
            (
                'many_problems.toml:22: targets[1].address: alamat IPv4 "198.51.100.256" tidak '
                "valid; tulis empat angka 0 sampai 255 yang dipisahkan titik, misalnya "
                '"192.0.2.10"'
            ),
            (
                'many_problems.toml:23: targets[1].parent: induk "core-ruter" tidak ditemukan; '
                'gunakan nama salah satu target, misalnya "core-router"'
            ),
            (
                'many_problems.toml:26: targets[2].name: nama "core-router" sudah dipakai oleh '
                "targets[0] (many_problems.toml:15); gunakan nama yang unik"
            ),
            (
                'many_problems.toml:28: targets[2].family: family "ip6" bertentangan dengan '
                'alamat IPv4 "192.0.2.2"; ubah family menjadi "auto" atau "ip4"'
            ),
        ],
        en=[
            (
                'many_problems.toml:4: daemon.language: invalid value "jv"; choose one of: '
                '"id", "en"'
            ),
            (
                "many_problems.toml:7: defaults.interval: a duration must be a string with a "
                'unit, not the number 30; write for example interval = "30s" (units: ms, s, m, '
                "h, d)"
            ),
            (
                'many_problems.toml:11: credentials.opd-v2.version: invalid value "2"; choose '
                'one of: "1", "2c", "3"'
            ),
            (
                "many_problems.toml:22: targets[1].address: invalid IPv4 address "
                '"198.51.100.256"; write four numbers from 0 to 255 separated by dots, for '
                'example "192.0.2.10"'
            ),
            (
                'many_problems.toml:23: targets[1].parent: parent "core-ruter" not found; use '
                'the name of one of the targets, for example "core-router"'
            ),
            (
                'many_problems.toml:26: targets[2].name: name "core-router" is already used by '
                "targets[0] (many_problems.toml:15); choose a unique name"
            ),
            (
                'many_problems.toml:28: targets[2].family: family "ip6" contradicts the IPv4 '
                'address "192.0.2.2"; set family to "auto" or "ip4"'
            ),
        ],
    ),
    Case(
        "missing_address",
        id=[
            (
                "missing_address.toml:1: targets[0].address: kunci wajib ini tidak ada; "
                'tambahkan, misalnya address = "198.51.100.10"'
            ),
        ],
        en=[
            (
                "missing_address.toml:1: targets[0].address: this required key is missing; add "
                'it, for example address = "198.51.100.10"'
            ),
        ],
    ),
    Case(
        "missing_env",
        id=[
            (
                "missing_env.toml:3: credentials.opd-v2.community_env: variabel lingkungan "
                'PANTAU_SNMP_COMMUNITY belum diatur, padahal target "lab-router" memerlukannya; '
                "tambahkan baris PANTAU_SNMP_COMMUNITY=... ke EnvironmentFile layanan systemd "
                "pantau (misalnya /etc/pantau/pantau.env), atau ekspor variabel itu sebelum "
                "menjalankan pantau"
            ),
        ],
        en=[
            (
                "missing_env.toml:3: credentials.opd-v2.community_env: environment variable "
                'PANTAU_SNMP_COMMUNITY is not set but target "lab-router" needs it; add a line '
                "PANTAU_SNMP_COMMUNITY=... to the EnvironmentFile of the pantau systemd service "
                "(for example /etc/pantau/pantau.env), or export the variable before running "
                "pantau"
            ),
        ],
    ),
    Case(
        "missing_env_channel",
        id=[
            (
                "missing_env_channel.toml:7: channels[0].url_env: variabel lingkungan "
                "PANTAU_TELEGRAM_URL belum diatur; tambahkan baris PANTAU_TELEGRAM_URL=... ke "
                "EnvironmentFile layanan systemd pantau (misalnya /etc/pantau/pantau.env), atau "
                "ekspor variabel itu sebelum menjalankan pantau"
            ),
        ],
        en=[
            (
                "missing_env_channel.toml:7: channels[0].url_env: environment variable "
                "PANTAU_TELEGRAM_URL is not set; add a line PANTAU_TELEGRAM_URL=... to the "
                "EnvironmentFile of the pantau systemd service (for example "
                "/etc/pantau/pantau.env), or export the variable before running pantau"
            ),
        ],
    ),
    Case(
        "no_targets",
        id=[
            (
                "no_targets.toml: targets: tidak ada target; tambahkan paling sedikit satu "
                "tabel [[targets]] dengan name dan address"
            ),
        ],
        en=[
            (
                "no_targets.toml: targets: there are no targets; add at least one [[targets]] "
                "table with name and address"
            ),
        ],
    ),
    Case(
        "not_for_level",
        id=[
            (
                "not_for_level.toml:7: credentials.eksekutif-v3.priv_protocol: kunci ini tidak "
                'berlaku untuk security_level "authNoPriv"; hapus kunci ini atau ubah '
                'security_level menjadi "authPriv"'
            ),
        ],
        en=[
            (
                "not_for_level.toml:7: credentials.eksekutif-v3.priv_protocol: this key does "
                'not apply to security_level "authNoPriv"; remove it or set security_level to '
                '"authPriv"'
            ),
        ],
    ),
    Case(
        "not_in_defaults",
        id=[
            (
                "not_in_defaults.toml:2: defaults.snmp.credential: kunci ini milik masing-masing "
                "target dan tidak dapat diatur di [defaults]; pindahkan ke tabel snmp setiap "
                "target"
            ),
            (
                "not_in_defaults.toml:5: defaults.snmp.custom: kunci ini milik masing-masing "
                "target dan tidak dapat diatur di [defaults]; pindahkan ke tabel snmp setiap "
                "target"
            ),
        ],
        en=[
            (
                "not_in_defaults.toml:2: defaults.snmp.credential: this key belongs to each "
                "target and cannot be set in [defaults]; move it to the snmp table of the targets"
            ),
            (
                "not_in_defaults.toml:5: defaults.snmp.custom: this key belongs to each target "
                "and cannot be set in [defaults]; move it to the snmp table of the targets"
            ),
        ],
    ),
    Case(
        "not_utf8",
        id=[
            (
                "not_utf8.toml:4: berkas bukan teks UTF-8 (byte tidak valid pada posisi 82); "
                "simpan ulang berkas dengan pengodean UTF-8"
            ),
        ],
        en=[
            (
                "not_utf8.toml:4: the file is not UTF-8 text (invalid byte at offset 82); save "
                "it again with UTF-8 encoding"
            ),
        ],
    ),
    Case(
        "oid_arc_too_large",
        id=[
            (
                "oid_arc_too_large.toml:15: targets[0].snmp.custom[0].oid: OID "
                '"1.3.6.1.4.1.2021.9.1.4294967296" memuat angka yang lebih besar dari 4294967295, '
                "batas yang diizinkan SNMP; periksa angkanya"
            ),
        ],
        en=[
            (
                "oid_arc_too_large.toml:15: targets[0].snmp.custom[0].oid: OID "
                '"1.3.6.1.4.1.2021.9.1.4294967296" contains a number larger than 4294967295, the '
                "maximum that SNMP allows; check the digits"
            ),
        ],
    ),
    Case(
        "oid_first_arc",
        id=[
            (
                'oid_first_arc.toml:15: targets[0].snmp.custom[0].oid: OID "3.6.1.2.1.25.1.6.0" '
                "diawali 3, padahal angka pertama OID adalah 0, 1 atau 2; periksa OID-nya, OID "
                "SNMP biasanya diawali 1.3.6.1"
            ),
        ],
        en=[
            (
                'oid_first_arc.toml:15: targets[0].snmp.custom[0].oid: OID "3.6.1.2.1.25.1.6.0" '
                "starts with 3 but the first number of an OID is 0, 1 or 2; check the OID, SNMP "
                "OIDs usually start with 1.3.6.1"
            ),
        ],
    ),
    Case(
        "oid_second_arc",
        id=[
            (
                "oid_second_arc.toml:15: targets[0].snmp.custom[0].oid: angka kedua OID "
                '"1.306.1.4.1.2021.9.1.9" adalah 306, padahal di bawah 1 paling besar 39; periksa '
                "OID-nya, OID SNMP biasanya diawali 1.3.6.1"
            ),
        ],
        en=[
            (
                "oid_second_arc.toml:15: targets[0].snmp.custom[0].oid: the second number of OID "
                '"1.306.1.4.1.2021.9.1.9" is 306 but under 1 it is at most 39; check the OID, '
                "SNMP OIDs usually start with 1.3.6.1"
            ),
        ],
    ),
    Case(
        "oid_too_long",
        id=[
            (
                "oid_too_long.toml:15: targets[0].snmp.custom[0].oid: OID "
                '"1.3.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.… memuat 129 angka, '
                "lebih dari 128 yang diizinkan SNMP; periksa OID-nya"
            ),
        ],
        en=[
            (
                "oid_too_long.toml:15: targets[0].snmp.custom[0].oid: OID "
                '"1.3.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.… has 129 numbers, '
                "more than the 128 that SNMP allows; check the OID"
            ),
        ],
    ),
    Case(
        "oid_too_short",
        id=[
            (
                'oid_too_short.toml:15: targets[0].snmp.custom[0].oid: OID "1" hanya memuat satu '
                "angka, padahal OID memuat paling sedikit dua; tulis OID lengkap, misalnya "
                '"1.3.6.1.2.1.25.1.6.0"'
            ),
        ],
        en=[
            (
                'oid_too_short.toml:15: targets[0].snmp.custom[0].oid: OID "1" has only one '
                "number but an OID has at least two; write the whole OID, for example "
                '"1.3.6.1.2.1.25.1.6.0"'
            ),
        ],
    ),
    Case(
        "out_of_range",
        id=[
            (
                "out_of_range.toml:2: defaults.icmp.count: nilai 0 di luar rentang; gunakan "
                "nilai dari 1 sampai 100"
            ),
        ],
        en=[
            (
                "out_of_range.toml:2: defaults.icmp.count: value 0 is out of range; use a value "
                "from 1 to 100"
            ),
        ],
    ),
    Case(
        "parent_cycle",
        id=[
            (
                "parent_cycle.toml:8: targets[1].parent: rantai induk membentuk lingkaran: "
                "bappeda-router -> bappeda-switch -> bappeda-ap -> bappeda-router; hapus parent "
                "dari salah satu target tersebut"
            ),
        ],
        en=[
            (
                "parent_cycle.toml:8: targets[1].parent: the parent chain forms a cycle: "
                "bappeda-router -> bappeda-switch -> bappeda-ap -> bappeda-router; remove "
                "parent from one of these targets"
            ),
        ],
    ),
    Case(
        "percent_number",
        id=[
            (
                "percent_number.toml:2: defaults.degraded.loss: batas di atas 1 ditulis sebagai "
                'persentase dalam tanda kutip, bukan angka 20; tulis misalnya loss = "20%", atau '
                "pecahan 0 sampai 1 seperti 0.2 untuk 20%"
            ),
            (
                "percent_number.toml:2: defaults.degraded.cpu: batas di atas 1 ditulis sebagai "
                'persentase dalam tanda kutip, bukan angka 85.5; tulis misalnya cpu = "85.5%", '
                "atau pecahan 0 sampai 1 seperti 0.2 untuk 20%"
            ),
        ],
        en=[
            (
                "percent_number.toml:2: defaults.degraded.loss: a limit above 1 is written as a "
                'percentage in quotes, not the number 20; write for example loss = "20%", or a '
                "fraction from 0 to 1 such as 0.2 for 20%"
            ),
            (
                "percent_number.toml:2: defaults.degraded.cpu: a limit above 1 is written as a "
                'percentage in quotes, not the number 85.5; write for example cpu = "85.5%", or a '
                "fraction from 0 to 1 such as 0.2 for 20%"
            ),
        ],
    ),
    Case(
        "ratio_out_of_range",
        id=[
            (
                "ratio_out_of_range.toml:2: defaults.degraded.loss: batas 0 di luar rentang; "
                'gunakan nilai di atas 0% dan paling besar 100%, misalnya loss = "20%", atau '
                "false untuk mematikan batas ini"
            ),
            (
                'ratio_out_of_range.toml:3: defaults.degraded.disk: batas "150%" di luar rentang; '
                'gunakan nilai di atas 0% dan paling besar 100%, misalnya disk = "90%", atau '
                "false untuk mematikan batas ini"
            ),
            (
                "ratio_out_of_range.toml:4: defaults.degraded.utilisation: batas 250 di luar "
                "rentang; gunakan nilai di atas 0% dan paling besar 100%, misalnya utilisation = "
                '"90%", atau false untuk mematikan batas ini'
            ),
        ],
        en=[
            (
                "ratio_out_of_range.toml:2: defaults.degraded.loss: limit 0 is out of range; use "
                'a value above 0% and at most 100%, for example loss = "20%", or false to switch '
                "the limit off"
            ),
            (
                'ratio_out_of_range.toml:3: defaults.degraded.disk: limit "150%" is out of range; '
                'use a value above 0% and at most 100%, for example disk = "90%", or false to '
                "switch the limit off"
            ),
            (
                "ratio_out_of_range.toml:4: defaults.degraded.utilisation: limit 250 is out of "
                'range; use a value above 0% and at most 100%, for example utilisation = "90%", '
                "or false to switch the limit off"
            ),
        ],
    ),
    Case(
        "regex_too_deep",
        id=[
            (
                "regex_too_deep.toml:9: targets[0].snmp.interfaces.include[0]: ekspresi reguler "
                '"((((((((((((((((((((((((((((((((((((((((((((((((((((((((((… memuat kurung '
                "bersarang terlalu dalam untuk modul re Python; tulis ulang dengan lebih sedikit "
                "kurung bersarang"
            ),
        ],
        en=[
            (
                "regex_too_deep.toml:9: targets[0].snmp.interfaces.include[0]: regular expression "
                '"((((((((((((((((((((((((((((((((((((((((((((((((((((((((((… nests brackets too '
                "deeply for Python's re module; write it with fewer nested brackets"
            ),
        ],
    ),
    Case(
        "remind_too_short",
        id=[
            (
                'remind_too_short.toml:2: defaults.remind_every: pengingat setiap "30s" akan '
                'membanjiri kanal chat; gunakan paling sedikit 1m, atau "0s" atau false untuk '
                "mematikan pengingat"
            ),
        ],
        en=[
            (
                'remind_too_short.toml:2: defaults.remind_every: reminders every "30s" would '
                'flood the chat channels; use at least 1m, or "0s" or false to switch reminders '
                "off"
            ),
        ],
    ),
    Case(
        "required_for_level",
        id=[
            (
                "required_for_level.toml:1: credentials.eksekutif-v3.priv_protocol: kunci ini "
                'wajib untuk security_level "authPriv"; tambahkan misalnya priv_protocol = '
                '"AES"'
            ),
            (
                "required_for_level.toml:1: credentials.eksekutif-v3.priv_key_env: kunci ini "
                'wajib untuk security_level "authPriv"; tambahkan misalnya priv_key_env = '
                '"PANTAU_SNMP_PRIV_KEY"'
            ),
        ],
        en=[
            (
                "required_for_level.toml:1: credentials.eksekutif-v3.priv_protocol: this key is "
                'required for security_level "authPriv"; add for example priv_protocol = "AES"'
            ),
            (
                "required_for_level.toml:1: credentials.eksekutif-v3.priv_key_env: this key is "
                'required for security_level "authPriv"; add for example priv_key_env = '
                '"PANTAU_SNMP_PRIV_KEY"'
            ),
        ],
    ),
    Case(
        "reserved_label",
        id=[
            (
                'reserved_label.toml:16: targets[0].snmp.custom[0].index_label: label "if_index" '
                "sudah dipasang Pantau sendiri pada metrik SNMP (target, group, network, if_index, "
                'if_name, if_alias); pilih nama lain, misalnya "index"'
            ),
        ],
        en=[
            (
                'reserved_label.toml:16: targets[0].snmp.custom[0].index_label: label "if_index" '
                "is already set by Pantau on SNMP metrics (target, group, network, if_index, "
                'if_name, if_alias); choose another name, for example "index"'
            ),
        ],
    ),
    Case(
        "rtt_above_target_timeout",
        id=[
            (
                "rtt_above_target_timeout.toml:5: targets[0].timeout: batas rtt 250ms tidak lebih "
                "kecil dari timeout 200ms, jadi tidak ada balasan yang dapat melewatinya; "
                "turunkan batas rtt atau perpanjang timeout"
            ),
        ],
        en=[
            (
                "rtt_above_target_timeout.toml:5: targets[0].timeout: the rtt limit 250ms is not "
                "below the timeout 200ms, so no reply can cross it; lower the rtt limit or "
                "lengthen the timeout"
            ),
        ],
    ),
    Case(
        "rtt_not_below_timeout",
        id=[
            (
                "rtt_not_below_timeout.toml:3: defaults.degraded.rtt: batas rtt 2s tidak lebih "
                "kecil dari timeout 2s, jadi tidak ada balasan yang dapat melewatinya; turunkan "
                "batas rtt atau perpanjang timeout"
            ),
        ],
        en=[
            (
                "rtt_not_below_timeout.toml:3: defaults.degraded.rtt: the rtt limit 2s is not "
                "below the timeout 2s, so no reply can cross it; lower the rtt limit or lengthen "
                "the timeout"
            ),
        ],
    ),
    Case(
        "rtt_number",
        id=[
            (
                "rtt_number.toml:2: defaults.degraded.rtt: durasi harus berupa teks dengan "
                'satuan, bukan angka 250; tulis misalnya rtt = "250ms" (satuan: ms, s, m, h, d)'
            ),
            (
                "rtt_number.toml:7: targets[0].degraded.rtt: durasi harus berupa teks dengan "
                'satuan, bukan angka 0.6; tulis misalnya rtt = "0.6s" (satuan: ms, s, m, h, d)'
            ),
        ],
        en=[
            (
                "rtt_number.toml:2: defaults.degraded.rtt: a duration must be a string with a "
                'unit, not the number 250; write for example rtt = "250ms" (units: ms, s, m, h, d)'
            ),
            (
                "rtt_number.toml:7: targets[0].degraded.rtt: a duration must be a string with a "
                'unit, not the number 0.6; write for example rtt = "0.6s" (units: ms, s, m, h, d)'
            ),
        ],
    ),
    Case(
        "secret_in_file",
        id=[
            (
                "secret_in_file.toml:4: credentials.opd-v2.community: rahasia tidak boleh "
                "ditulis di berkas konfigurasi; simpan nilainya di variabel lingkungan dan "
                'tulis nama variabel itu di kunci "community_env", misalnya community_env = '
                '"PANTAU_SNMP_COMMUNITY"'
            ),
        ],
        en=[
            (
                "secret_in_file.toml:4: credentials.opd-v2.community: secrets must not be "
                "written in the configuration file; put the value in an environment variable "
                'and write its name in the key "community_env", for example community_env = '
                '"PANTAU_SNMP_COMMUNITY"'
            ),
        ],
    ),
    Case(
        "secret_too_short",
        environ={"PANTAU_EKSEKUTIF_AUTH_KEY": "short"},
        id=[
            (
                "secret_too_short.toml:6: credentials.eksekutif-v3.auth_key_env: nilai variabel "
                "lingkungan PANTAU_EKSEKUTIF_AUTH_KEY lebih pendek dari 8 karakter, panjang "
                "minimum kata sandi SNMPv3; gunakan kata sandi yang lebih panjang di perangkat "
                "dan di variabel ini"
            ),
        ],
        en=[
            (
                "secret_too_short.toml:6: credentials.eksekutif-v3.auth_key_env: the value of "
                "environment variable PANTAU_EKSEKUTIF_AUTH_KEY is shorter than 8 characters, "
                "the minimum length of an SNMPv3 passphrase; use a longer passphrase on the "
                "device and in this variable"
            ),
        ],
    ),
    Case(
        "invalid_channel_url",
        id=[
            (
                "invalid_channel_url.toml:7: channels[0].url_env: variabel lingkungan "
                'PANTAU_TELEGRAM_URL tidak berisi URL Apprise yang dikenal (skema "tgram"); '
                "tulis URL layanan obrolan, misalnya tgram://TOKEN/CHAT_ID, lalu uji dengan "
                "pantau notify-test"
            ),
        ],
        en=[
            (
                "invalid_channel_url.toml:7: channels[0].url_env: environment variable "
                "PANTAU_TELEGRAM_URL holds no Apprise URL that any service accepts (scheme "
                '"tgram"); write the chat service\'s URL, e.g. tgram://TOKEN/CHAT_ID, and '
                "check it with pantau notify-test"
            ),
        ],
        # A bot token without its chat id: Apprise's Telegram plugin rejects it.
        environ={"PANTAU_TELEGRAM_URL": "tgram://bad"},
    ),
    Case(
        "window_endless",
        id=[
            (
                'window_endless.toml:9: maintenance[0].duration: durasi "2h" tidak lebih pendek '
                'dari jarak terpanjang antar-mulai cron "@hourly" (1h), sehingga jadwal '
                "pemeliharaan ini tidak pernah berakhir; perpendek duration atau ubah cron agar "
                "lebih jarang"
            ),
        ],
        en=[
            (
                'window_endless.toml:9: maintenance[0].duration: duration "2h" is not shorter '
                'than the longest gap between starts of cron "@hourly" (1h), so this maintenance '
                "window never ends; shorten duration or make cron fire less often"
            ),
        ],
    ),
    Case(
        "parent_isolation",
        id=[
            (
                'parent_isolation.toml:9: targets[1].parent: parent "ruang-bupati" adalah '
                'pemeriksaan isolasi (expect = "unreachable"): tidak ada target yang dicapai '
                "lewat alamat yang harus diam; tulis perangkat yang benar-benar dilalui sebagai "
                "parent"
            ),
        ],
        en=[
            (
                'parent_isolation.toml:9: targets[1].parent: parent "ruang-bupati" is an '
                'isolation check (expect = "unreachable"): nothing is reached through an address '
                "that must stay silent; name the device the target is really reached through"
            ),
        ],
    ),
    Case(
        "isolation_parent",
        id=[
            (
                "isolation_parent.toml:11: targets[1].parent: pemeriksaan isolasi (expect = "
                '"unreachable") tidak boleh memiliki parent "core-router": induk yang GANGGUAN '
                "akan menyembunyikan pelanggaran isolasi; hapus parent"
            ),
        ],
        en=[
            (
                "isolation_parent.toml:11: targets[1].parent: an isolation check (expect = "
                '"unreachable") cannot have parent "core-router": a down parent would hide a '
                "breach of the isolation; remove parent"
            ),
        ],
    ),
    Case(
        "self_parent",
        id=[
            (
                'self_parent.toml:4: targets[0].parent: target "core-router" tidak boleh '
                "menjadi induk bagi dirinya sendiri; hapus parent atau tulis nama target lain"
            ),
        ],
        en=[
            (
                'self_parent.toml:4: targets[0].parent: target "core-router" cannot be its own '
                "parent; remove parent or name another target"
            ),
        ],
    ),
    Case(
        "snmp_probe_missing",
        id=[
            (
                'snmp_probe_missing.toml:8: targets[0].snmp: tabel snmp diisi tetapi "snmp" '
                'tidak tercantum di probes; tambahkan "snmp" ke probes atau hapus tabel snmp'
            ),
        ],
        en=[
            (
                "snmp_probe_missing.toml:8: targets[0].snmp: the snmp table is set but probes "
                'does not list "snmp"; add "snmp" to probes or remove the snmp table'
            ),
        ],
    ),
    Case(
        "snmp_table_missing",
        id=[
            (
                'snmp_table_missing.toml:8: targets[0].probes: probe "snmp" memerlukan tabel '
                'snmp; tambahkan misalnya snmp = { credential = "opd-v2" }'
            ),
        ],
        en=[
            (
                'snmp_table_missing.toml:8: targets[0].probes: the "snmp" probe needs an snmp '
                'table; add for example snmp = { credential = "opd-v2" }'
            ),
        ],
    ),
    Case(
        "snmp_values",
        id=[
            (
                "snmp_values.toml:3: defaults.snmp.profiles: harus berupa daftar teks, bukan "
                '"system"; tulis misalnya profiles = ["system", "interfaces"]'
            ),
            (
                "snmp_values.toml:3: defaults.snmp.timeout: durasi harus berupa teks dengan "
                'satuan, bukan angka 2; tulis misalnya timeout = "2s" (satuan: ms, s, m, h, d)'
            ),
            (
                "snmp_values.toml:3: defaults.snmp.retries: nilai 11 di luar rentang; gunakan "
                "nilai dari 0 sampai 10"
            ),
            (
                "snmp_values.toml:16: targets[0].snmp.max_repetition: kunci tidak dikenal; "
                'mungkin maksudnya "max_repetitions"?'
            ),
            (
                "snmp_values.toml:17: targets[0].snmp.max_rows: nilai 0 di luar rentang; gunakan "
                "nilai dari 1 sampai 1000000"
            ),
            (
                "snmp_values.toml:18: targets[0].snmp.charset: tidak boleh kosong; tulis misalnya "
                'charset = "cp1252"'
            ),
            (
                "snmp_values.toml:19: targets[0].snmp.interfaces.type: kunci tidak dikenal; "
                'mungkin maksudnya "types"?'
            ),
            (
                "snmp_values.toml:19: targets[0].snmp.interfaces.include: harus berupa daftar "
                'teks, bukan "ether.*"; tulis misalnya include = ["ether.*"]'
            ),
            (
                'snmp_values.toml:20: targets[0].snmp.speeds.ether1: nilai "0bps" di luar '
                "rentang; gunakan nilai dari 1bps sampai 1000000Gbps"
            ),
            (
                'snmp_values.toml:20: targets[0].snmp.speeds."": tidak boleh kosong; tulis '
                'misalnya "ether1" = "100Mbps"'
            ),
            (
                'snmp_values.toml:25: targets[0].snmp.custom[0].type: nilai "integer" tidak '
                'valid; pilih salah satu dari: "gauge", "counter", "text"'
            ),
            (
                "snmp_values.toml:27: targets[0].snmp.custom[1].oid: kunci wajib ini tidak ada; "
                'tambahkan, misalnya oid = "1.3.6.1.4.1.2021.9.1.9"'
            ),
            (
                'snmp_values.toml:28: targets[0].snmp.custom[1].name: nama "disk_used_percent" '
                "sudah dipakai oleh targets[0].snmp.custom[0] (snmp_values.toml:23); gunakan nama "
                "yang unik"
            ),
            (
                "snmp_values.toml:34: targets[1].snmp.max_requests: nilai 100001 di luar rentang; "
                "gunakan nilai dari 1 sampai 100000"
            ),
            (
                "snmp_values.toml:34: targets[1].snmp.interfaces.types[0]: nilai 0 di luar "
                "rentang; gunakan nilai dari 1 sampai 2147483647"
            ),
            (
                "snmp_values.toml:34: targets[1].snmp.custom: harus berupa daftar tabel, bukan "
                '"1.3.6.1.2.1.25.1.6.0"; tulis setiap entri di bawah header '
                "[[targets.snmp.custom]]"
            ),
        ],
        en=[
            (
                "snmp_values.toml:3: defaults.snmp.profiles: must be an array of strings, not "
                '"system"; write for example profiles = ["system", "interfaces"]'
            ),
            (
                "snmp_values.toml:3: defaults.snmp.timeout: a duration must be a string with a "
                'unit, not the number 2; write for example timeout = "2s" (units: ms, s, m, h, d)'
            ),
            (
                "snmp_values.toml:3: defaults.snmp.retries: value 11 is out of range; use a value "
                "from 0 to 10"
            ),
            (
                "snmp_values.toml:16: targets[0].snmp.max_repetition: unknown key; did you mean "
                '"max_repetitions"?'
            ),
            (
                "snmp_values.toml:17: targets[0].snmp.max_rows: value 0 is out of range; use a "
                "value from 1 to 1000000"
            ),
            (
                "snmp_values.toml:18: targets[0].snmp.charset: must not be empty; write for "
                'example charset = "cp1252"'
            ),
            (
                "snmp_values.toml:19: targets[0].snmp.interfaces.type: unknown key; did you mean "
                '"types"?'
            ),
            (
                "snmp_values.toml:19: targets[0].snmp.interfaces.include: must be an array of "
                'strings, not "ether.*"; write for example include = ["ether.*"]'
            ),
            (
                'snmp_values.toml:20: targets[0].snmp.speeds.ether1: value "0bps" is out of '
                "range; use a value from 1bps to 1000000Gbps"
            ),
            (
                'snmp_values.toml:20: targets[0].snmp.speeds."": must not be empty; write for '
                'example "ether1" = "100Mbps"'
            ),
            (
                'snmp_values.toml:25: targets[0].snmp.custom[0].type: invalid value "integer"; '
                'choose one of: "gauge", "counter", "text"'
            ),
            (
                "snmp_values.toml:27: targets[0].snmp.custom[1].oid: this required key is "
                'missing; add it, for example oid = "1.3.6.1.4.1.2021.9.1.9"'
            ),
            (
                'snmp_values.toml:28: targets[0].snmp.custom[1].name: name "disk_used_percent" is '
                "already used by targets[0].snmp.custom[0] (snmp_values.toml:23); choose a unique "
                "name"
            ),
            (
                "snmp_values.toml:34: targets[1].snmp.max_requests: value 100001 is out of range; "
                "use a value from 1 to 100000"
            ),
            (
                "snmp_values.toml:34: targets[1].snmp.interfaces.types[0]: value 0 is out of "
                "range; use a value from 1 to 2147483647"
            ),
            (
                "snmp_values.toml:34: targets[1].snmp.custom: must be an array of tables, not "
                '"1.3.6.1.2.1.25.1.6.0"; write each entry under a [[targets.snmp.custom]] header'
            ),
        ],
    ),
    Case(
        "speed_number",
        id=[
            (
                "speed_number.toml:9: targets[0].snmp.speeds.ether1: kecepatan harus berupa teks "
                'dengan satuan, bukan angka 100000000; tulis misalnya ether1 = "100Mbps" (satuan: '
                "bps, kbps, Mbps, Gbps)"
            ),
        ],
        en=[
            (
                "speed_number.toml:9: targets[0].snmp.speeds.ether1: a speed must be a string "
                'with a unit, not the number 100000000; write for example ether1 = "100Mbps" '
                "(units: bps, kbps, Mbps, Gbps)"
            ),
        ],
    ),
    Case(
        "subtables",
        id=[
            (
                "subtables.toml:4: defaults.icmp.payload_size: nilai 2000 di luar rentang; "
                "gunakan nilai dari 0 sampai 1472"
            ),
            (
                'subtables.toml:12: targets[0].snmp.credential: kredensial "opd-v2" tidak '
                "ditemukan karena belum ada kredensial; tambahkan tabel [credentials.opd-v2] "
                "dengan version dan community_env"
            ),
            (
                "subtables.toml:13: targets[0].snmp.port: nilai 0 di luar rentang; gunakan "
                "nilai dari 1 sampai 65535"
            ),
            (
                "subtables.toml:21: targets[1].icmp.packet_intervall: kunci tidak dikenal; "
                'mungkin maksudnya "packet_interval"?'
            ),
        ],
        en=[
            (
                "subtables.toml:4: defaults.icmp.payload_size: value 2000 is out of range; use "
                "a value from 0 to 1472"
            ),
            (
                'subtables.toml:12: targets[0].snmp.credential: credential "opd-v2" not found '
                "because no credential is defined; add a [credentials.opd-v2] table with "
                "version and community_env"
            ),
            (
                "subtables.toml:13: targets[0].snmp.port: value 0 is out of range; use a value "
                "from 1 to 65535"
            ),
            (
                "subtables.toml:21: targets[1].icmp.packet_intervall: unknown key; did you mean "
                '"packet_interval"?'
            ),
        ],
    ),
    Case(
        "syntax_error",
        id=[
            (
                "syntax_error.toml:3: sintaks TOML tidak valid: Illegal character '\\n' (at "
                "line 3, column 21); perbaiki sintaks di posisi itu, misalnya tanda kutip atau "
                "kurung yang belum ditutup, atau kunci yang tertulis dua kali"
            ),
        ],
        en=[
            (
                "syntax_error.toml:3: invalid TOML syntax: Illegal character '\\n' (at line 3, "
                "column 21); correct the syntax at that position, for example an unclosed quote "
                "or bracket, or a key written twice"
            ),
        ],
    ),
    Case(
        "timeout_not_below_interval",
        id=[
            (
                "timeout_not_below_interval.toml:3: defaults.timeout: timeout 5s harus lebih "
                "pendek dari interval 5s; perpendek timeout atau perpanjang interval"
            ),
        ],
        en=[
            (
                "timeout_not_below_interval.toml:3: defaults.timeout: timeout 5s must be "
                "shorter than interval 5s; shorten the timeout or lengthen the interval"
            ),
        ],
    ),
    Case(
        "unknown_charset",
        id=[
            (
                'unknown_charset.toml:9: targets[0].snmp.charset: set karakter "win1252" tidak '
                'dikenal; tulis nama yang dikenal Python, misalnya "cp1252" (Windows, Eropa '
                'Barat) atau "gbk" (Tionghoa Sederhana)'
            ),
        ],
        en=[
            (
                "unknown_charset.toml:9: targets[0].snmp.charset: unknown character set "
                '"win1252"; write a name that Python knows, for example "cp1252" (Windows, '
                'Western European) or "gbk" (Simplified Chinese)'
            ),
        ],
    ),
    Case(
        "unknown_credential",
        id=[
            (
                'unknown_credential.toml:9: targets[0].snmp.credential: kredensial "opd-v3" '
                'tidak ditemukan; gunakan salah satu dari: "opd-v2", atau tambahkan tabel '
                "[credentials.opd-v3]"
            ),
        ],
        en=[
            (
                'unknown_credential.toml:9: targets[0].snmp.credential: credential "opd-v3" not '
                'found; use one of: "opd-v2", or add a [credentials.opd-v3] table'
            ),
        ],
    ),
    Case(
        "unknown_credential_none",
        id=[
            (
                "unknown_credential_none.toml:5: targets[0].snmp.credential: kredensial "
                '"opd-v2" tidak ditemukan karena belum ada kredensial; tambahkan tabel '
                "[credentials.opd-v2] dengan version dan community_env"
            ),
        ],
        en=[
            (
                "unknown_credential_none.toml:5: targets[0].snmp.credential: credential "
                '"opd-v2" not found because no credential is defined; add a '
                "[credentials.opd-v2] table with version and community_env"
            ),
        ],
    ),
    Case(
        "unknown_group_none",
        id=[
            (
                'unknown_group_none.toml:7: maintenance[0].groups[0]: grup "Bappeda" tidak '
                "ditemukan karena tidak ada target yang mengisi group; isi group pada target atau "
                "hapus nama ini"
            ),
            (
                'unknown_group_none.toml:8: maintenance[0].networks[0]: jaringan "opd" tidak '
                "ditemukan karena tidak ada target yang mengisi network; isi network pada target "
                "atau hapus nama ini"
            ),
        ],
        en=[
            (
                'unknown_group_none.toml:7: maintenance[0].groups[0]: group "Bappeda" not found '
                "because no target sets group; set group on the targets or remove this name"
            ),
            (
                'unknown_group_none.toml:8: maintenance[0].networks[0]: network "opd" not found '
                "because no target sets network; set network on the targets or remove this name"
            ),
        ],
    ),
    Case(
        "unknown_key",
        id=[
            (
                "unknown_key.toml:3: daemon.colour: kunci tidak dikenal; hapus kunci ini atau "
                "gunakan salah satu dari: listen, database, language, timezone, log_level, "
                "web_config"
            ),
        ],
        en=[
            (
                "unknown_key.toml:3: daemon.colour: unknown key; remove it or use one of: "
                "listen, database, language, timezone, log_level, web_config"
            ),
        ],
    ),
    Case(
        "unknown_key_suggestion",
        id=[
            (
                "unknown_key_suggestion.toml:3: targets[0].adress: kunci tidak dikenal; mungkin "
                'maksudnya "address"?'
            ),
        ],
        en=[
            (
                "unknown_key_suggestion.toml:3: targets[0].adress: unknown key; did you mean "
                '"address"?'
            ),
        ],
    ),
    Case(
        "unknown_parent",
        id=[
            (
                'unknown_parent.toml:8: targets[1].parent: induk "core-ruter" tidak ditemukan; '
                'gunakan nama salah satu target, misalnya "core-router"'
            ),
        ],
        en=[
            (
                'unknown_parent.toml:8: targets[1].parent: parent "core-ruter" not found; use '
                'the name of one of the targets, for example "core-router"'
            ),
        ],
    ),
    Case(
        "unknown_parent_no_targets",
        id=[
            (
                'unknown_parent_no_targets.toml:4: targets[0].parent: induk "uplink" tidak '
                "ditemukan karena tidak ada target lain; hapus kunci parent"
            ),
        ],
        en=[
            (
                'unknown_parent_no_targets.toml:4: targets[0].parent: parent "uplink" not found '
                "because there is no other target; remove the parent key"
            ),
        ],
    ),
    Case(
        "unknown_probe",
        id=[
            (
                'unknown_probe.toml:4: targets[0].probes[1]: nilai "ping" tidak valid; pilih '
                'salah satu dari: "icmp", "snmp", "tcp", "http", "tls", "dns"'
            ),
        ],
        en=[
            (
                'unknown_probe.toml:4: targets[0].probes[1]: invalid value "ping"; choose one '
                'of: "icmp", "snmp", "tcp", "http", "tls", "dns"'
            ),
        ],
    ),
    Case(
        "unknown_profile",
        id=[
            (
                'unknown_profile.toml:9: targets[0].snmp.profiles[1]: profil SNMP "juniper" tidak '
                'dikenal; gunakan salah satu dari: "system", "interfaces", "host-resources", '
                '"ucd", "mikrotik", "cisco"'
            ),
        ],
        en=[
            (
                "unknown_profile.toml:9: targets[0].snmp.profiles[1]: unknown SNMP profile "
                '"juniper"; use one of: "system", "interfaces", "host-resources", "ucd", '
                '"mikrotik", "cisco"'
            ),
        ],
    ),
    Case(
        "unknown_profile_suggestion",
        id=[
            (
                "unknown_profile_suggestion.toml:9: targets[0].snmp.profiles[1]: profil SNMP "
                '"mikrotic" tidak dikenal; mungkin maksudnya "mikrotik"? Profil yang tersedia: '
                '"system", "interfaces", "host-resources", "ucd", "mikrotik", "cisco"'
            ),
        ],
        en=[
            (
                "unknown_profile_suggestion.toml:9: targets[0].snmp.profiles[1]: unknown SNMP "
                'profile "mikrotic"; did you mean "mikrotik"? Known profiles: "system", '
                '"interfaces", "host-resources", "ucd", "mikrotik", "cisco"'
            ),
        ],
    ),
    Case(
        "unknown_table",
        id=[
            'unknown_table.toml:1: target: kunci tidak dikenal; mungkin maksudnya "targets"?',
        ],
        en=[
            'unknown_table.toml:1: target: unknown key; did you mean "targets"?',
        ],
    ),
    Case(
        "v3_only_key",
        id=[
            (
                "v3_only_key.toml:4: credentials.opd-v2.username: kunci ini hanya berlaku untuk "
                'SNMP versi 3, sedangkan version = "2c"; hapus kunci ini atau ubah version '
                'menjadi "3"'
            ),
        ],
        en=[
            (
                "v3_only_key.toml:4: credentials.opd-v2.username: this key applies only to SNMP "
                'version 3, but version = "2c"; remove the key or set version to "3"'
            ),
        ],
    ),
    Case(
        "window_both_kinds",
        id=[
            (
                "window_both_kinds.toml:10: maintenance[0].cron: jendela pemeliharaan bersifat "
                "sekali (start dan end) atau berulang (cron dan duration), tidak keduanya; hapus "
                "start dan end, atau cron dan duration"
            ),
        ],
        en=[
            (
                "window_both_kinds.toml:10: maintenance[0].cron: a maintenance window is either "
                "one-off (start and end) or recurring (cron and duration), not both; remove start "
                "and end, or cron and duration"
            ),
        ],
    ),
    Case(
        "window_cron",
        id=[
            (
                'window_cron.toml:8: maintenance[0].cron: ekspresi cron "0 22 * *" harus memuat 5 '
                "kolom, tetapi memuat 4; tulis menit, jam, tanggal, bulan dan hari dalam minggu, "
                'misalnya "0 22 * * sat", atau salah satu singkatan @hourly, @daily, @weekly, '
                "@monthly, @yearly"
            ),
            (
                "window_cron.toml:14: maintenance[1].cron: kolom hari (0-7 atau sun-sat; 0 dan 7 "
                'adalah Minggu) "8" pada ekspresi cron "0 22 * * 8" tidak valid; tulis nilai dalam '
                'rentang itu, misalnya cron = "0 22 * * sat"'
            ),
            (
                'window_cron.toml:20: maintenance[2].cron: kolom jam (0-23) "25" pada ekspresi '
                'cron "0 25 * * sat" tidak valid; tulis nilai dalam rentang itu, misalnya cron = '
                '"0 22 * * sat"'
            ),
            (
                'window_cron.toml:26: maintenance[3].cron: ekspresi cron "0 0 30 2 *" tidak pernah '
                "terjadi dalam 9 tahun ke depan (misalnya tanggal 30 Februari); perbaiki tanggal "
                "dan bulannya"
            ),
            (
                'window_cron.toml:32: maintenance[4].cron: ekspresi cron "@dialy" harus memuat 5 '
                "kolom, tetapi memuat 1; tulis menit, jam, tanggal, bulan dan hari dalam minggu, "
                'misalnya "0 22 * * sat", atau salah satu singkatan @hourly, @daily, @weekly, '
                "@monthly, @yearly"
            ),
            (
                'window_cron.toml:39: maintenance[5].duration: nilai "30s" di luar rentang; '
                "gunakan nilai dari 1m sampai 366d"
            ),
            (
                'window_cron.toml:45: maintenance[6].duration: nilai "9000h" di luar rentang; '
                "gunakan nilai dari 1m sampai 366d"
            ),
        ],
        en=[
            (
                'window_cron.toml:8: maintenance[0].cron: cron expression "0 22 * *" needs 5 '
                "fields but has 4; write the minute, hour, day of month, month and day of week, "
                'for example "0 22 * * sat", or one of the shortcuts @hourly, @daily, @weekly, '
                "@monthly, @yearly"
            ),
            (
                "window_cron.toml:14: maintenance[1].cron: invalid day of week (0-7 or sun-sat; 0 "
                'and 7 are Sunday) field "8" in cron expression "0 22 * * 8"; write a value within '
                'that range, for example cron = "0 22 * * sat"'
            ),
            (
                'window_cron.toml:20: maintenance[2].cron: invalid hour (0-23) field "25" in cron '
                'expression "0 25 * * sat"; write a value within that range, for example cron = "0 '
                '22 * * sat"'
            ),
            (
                'window_cron.toml:26: maintenance[3].cron: cron expression "0 0 30 2 *" never '
                "fires within the next 9 years (30 February, for example); correct its day of "
                "month and month"
            ),
            (
                'window_cron.toml:32: maintenance[4].cron: cron expression "@dialy" needs 5 fields '
                "but has 1; write the minute, hour, day of month, month and day of week, for "
                'example "0 22 * * sat", or one of the shortcuts @hourly, @daily, @weekly, '
                "@monthly, @yearly"
            ),
            (
                'window_cron.toml:39: maintenance[5].duration: value "30s" is out of range; use a '
                "value from 1m to 366d"
            ),
            (
                'window_cron.toml:45: maintenance[6].duration: value "9000h" is out of range; use '
                "a value from 1m to 366d"
            ),
        ],
    ),
    Case(
        "window_datetimes",
        id=[
            (
                'window_datetimes.toml:8: maintenance[0].start: "2026-12-05 22:00" dalam tanda '
                "kutip adalah teks, bukan tanggal dan jam; tulis tanpa tanda kutip sebagai "
                "datetime TOML: start = 2026-12-05T22:00:00"
            ),
            (
                "window_datetimes.toml:9: maintenance[0].end: tanggal saja tidak memuat jam; "
                "tulis tanggal dan jamnya, misalnya end = 2026-12-06T00:00:00"
            ),
            (
                "window_datetimes.toml:14: maintenance[1].start: harus berupa tanggal dan jam "
                "tanpa tanda kutip, bukan 2026; tulis misalnya start = 2026-12-05T22:00:00"
            ),
            (
                "window_datetimes.toml:15: maintenance[1].end: harus berupa tanggal dan jam tanpa "
                "tanda kutip, bukan 22:00:00; tulis misalnya end = 2026-12-06T02:00:00"
            ),
        ],
        en=[
            (
                'window_datetimes.toml:8: maintenance[0].start: "2026-12-05 22:00" in quotes is a '
                "string, not a date and time; write it without quotes as a TOML datetime: start = "
                "2026-12-05T22:00:00"
            ),
            (
                "window_datetimes.toml:9: maintenance[0].end: a date alone has no time of day; "
                "write the date and the time, for example end = 2026-12-06T00:00:00"
            ),
            (
                "window_datetimes.toml:14: maintenance[1].start: must be a date and time without "
                "quotes, not 2026; write for example start = 2026-12-05T22:00:00"
            ),
            (
                "window_datetimes.toml:15: maintenance[1].end: must be a date and time without "
                "quotes, not 22:00:00; write for example end = 2026-12-06T02:00:00"
            ),
        ],
    ),
    Case(
        "window_duplicate_name",
        id=[
            (
                'window_duplicate_name.toml:12: maintenance[1].name: nama "patch-server" sudah '
                "dipakai oleh maintenance[0] (window_duplicate_name.toml:6); gunakan nama yang "
                "unik"
            ),
        ],
        en=[
            (
                'window_duplicate_name.toml:12: maintenance[1].name: name "patch-server" is '
                "already used by maintenance[0] (window_duplicate_name.toml:6); choose a unique "
                "name"
            ),
        ],
    ),
    Case(
        "window_end_before_start",
        id=[
            (
                "window_end_before_start.toml:13: maintenance[0].end: end "
                "2026-12-05T13:00:00+00:00 tidak lebih lambat dari start "
                "2026-12-05T22:00:00+08:00; tulis end setelah start"
            ),
        ],
        en=[
            (
                "window_end_before_start.toml:13: maintenance[0].end: end "
                "2026-12-05T13:00:00+00:00 is not after start 2026-12-05T22:00:00+08:00; write an "
                "end later than the start"
            ),
        ],
    ),
    Case(
        "window_kind_missing",
        id=[
            (
                "window_kind_missing.toml:5: maintenance[0]: jendela pemeliharaan tidak punya "
                "waktu; tambahkan start dan end untuk jendela sekali, misalnya start = "
                "2026-12-05T22:00:00 dan end = 2026-12-06T02:00:00, atau cron dan duration untuk "
                'jendela berulang, misalnya cron = "0 22 * * sat" dan duration = "4h"'
            ),
        ],
        en=[
            (
                "window_kind_missing.toml:5: maintenance[0]: the maintenance window has no time; "
                "add start and end for a one-off window, for example start = 2026-12-05T22:00:00 "
                "and end = 2026-12-06T02:00:00, or cron and duration for a recurring one, for "
                'example cron = "0 22 * * sat" and duration = "4h"'
            ),
        ],
    ),
    Case(
        "window_part_missing",
        id=[
            (
                "window_part_missing.toml:5: maintenance[0].end: kunci wajib ini tidak ada; "
                "tambahkan, misalnya end = 2026-12-06T02:00:00"
            ),
            (
                "window_part_missing.toml:10: maintenance[1].duration: kunci wajib ini tidak ada; "
                'tambahkan, misalnya duration = "4h"'
            ),
        ],
        en=[
            (
                "window_part_missing.toml:5: maintenance[0].end: this required key is missing; "
                "add it, for example end = 2026-12-06T02:00:00"
            ),
            (
                "window_part_missing.toml:10: maintenance[1].duration: this required key is "
                'missing; add it, for example duration = "4h"'
            ),
        ],
    ),
    Case(
        "window_scope_missing",
        id=[
            (
                "window_scope_missing.toml:5: maintenance[0]: jendela pemeliharaan memerlukan "
                "paling sedikit satu dari targets, groups atau networks; tambahkan misalnya "
                'targets = ["db-server"]'
            ),
        ],
        en=[
            (
                "window_scope_missing.toml:5: maintenance[0]: a maintenance window needs at least "
                'one of targets, groups or networks; add for example targets = ["db-server"]'
            ),
        ],
    ),
    Case(
        "window_unknown_key",
        id=[
            (
                "window_unknown_key.toml:7: maintenance[0].target: kunci tidak dikenal; mungkin "
                'maksudnya "targets"?'
            ),
            (
                "window_unknown_key.toml:14: maintenance[1].star: kunci tidak dikenal; mungkin "
                'maksudnya "start"?'
            ),
        ],
        en=[
            (
                "window_unknown_key.toml:7: maintenance[0].target: unknown key; did you mean "
                '"targets"?'
            ),
            ('window_unknown_key.toml:14: maintenance[1].star: unknown key; did you mean "start"?'),
        ],
    ),
    Case(
        "window_unknown_names",
        id=[
            (
                'window_unknown_names.toml:13: maintenance[0].targets[0]: target "db-servr" tidak '
                'ditemukan; gunakan nama salah satu target, misalnya "db-server"'
            ),
            (
                'window_unknown_names.toml:14: maintenance[0].networks[0]: jaringan "servers" '
                "tidak ditemukan; gunakan network yang tertulis pada salah satu target, misalnya "
                '"server"'
            ),
        ],
        en=[
            (
                'window_unknown_names.toml:13: maintenance[0].targets[0]: target "db-servr" not '
                'found; use the name of one of the targets, for example "db-server"'
            ),
            (
                'window_unknown_names.toml:14: maintenance[0].networks[0]: network "servers" not '
                'found; use a network that one of the targets has, for example "server"'
            ),
        ],
    ),
    Case(
        "web_config_missing",
        id=[
            (
                "web_config_missing.toml:3: daemon.web_config: berkas konfigurasi web "
                '"web-tidak-ada.yml" tidak ditemukan; buat berkas itu atau perbaiki jalurnya '
                "(relatif terhadap berkas konfigurasi ini)"
            ),
        ],
        en=[
            (
                "web_config_missing.toml:3: daemon.web_config: web configuration file "
                '"web-tidak-ada.yml" not found; create it or correct the path (relative to this '
                "configuration file)"
            ),
        ],
    ),
    Case(
        "web_config_yaml",
        id=[
            (
                "web_yaml.yml:3: bukan YAML yang valid: expected <block end>, but found '<block "
                "mapping start>'; periksa indentasi dan tanda titik dua"
            ),
        ],
        en=[
            (
                "web_yaml.yml:3: not valid YAML: expected <block end>, but found '<block mapping "
                "start>'; check the indentation and the colons"
            ),
        ],
    ),
    Case(
        "web_config_unknown_key",
        id=[
            (
                "web_unknown_key.yml:3: http_server_config: kunci tidak dikenal; hapus kunci ini "
                "atau gunakan salah satu dari: tls_server_config, basic_auth_users"
            ),
        ],
        en=[
            (
                "web_unknown_key.yml:3: http_server_config: unknown key; remove it or use one of: "
                "tls_server_config, basic_auth_users"
            ),
        ],
    ),
    Case(
        "web_config_tls_missing",
        id=[
            (
                "web_tls_missing.yml:1: tls_server_config.key_file: kunci wajib ini tidak ada; "
                "tambahkan, misalnya key_file: server.key"
            ),
            (
                'web_tls_missing.yml:2: tls_server_config.cert_file: berkas "tidak-ada.crt" tidak '
                "ditemukan; jalur relatif dihitung dari berkas konfigurasi web"
            ),
        ],
        en=[
            (
                "web_tls_missing.yml:1: tls_server_config.key_file: this required key is missing; "
                "add it, for example key_file: server.key"
            ),
            (
                'web_tls_missing.yml:2: tls_server_config.cert_file: file "tidak-ada.crt" not '
                "found; a relative path starts from the web configuration file"
            ),
        ],
    ),
    Case(
        "web_config_tls_invalid",
        id=[
            (
                'web_tls_invalid.yml:2: tls_server_config: sertifikat "web_garbage.crt" dan kunci '
                '"web_garbage.key" tidak dapat dimuat; cert_file harus sertifikat PEM dan key_file '
                "kunci privat PEM pasangannya, tanpa frasa sandi"
            ),
            (
                "web_tls_invalid.yml:5: tls_server_config.client_auth_type: kunci tidak dikenal; "
                "hapus kunci ini atau gunakan salah satu dari: cert_file, key_file"
            ),
        ],
        en=[
            (
                "web_tls_invalid.yml:2: tls_server_config: cannot load the certificate "
                '"web_garbage.crt" with the key "web_garbage.key"; cert_file must be a PEM '
                "certificate and key_file its matching PEM private key, without a passphrase"
            ),
            (
                "web_tls_invalid.yml:5: tls_server_config.client_auth_type: unknown key; remove it "
                "or use one of: cert_file, key_file"
            ),
        ],
    ),
    Case(
        "web_config_not_bcrypt",
        id=[
            (
                "web_not_bcrypt.yml:2: basic_auth_users.prometheus: nilai ini bukan hash bcrypt; "
                "buat hash dengan htpasswd -nBC 10 \"\" | tr -d ':\\n' lalu tempel hasilnya di sini"
            ),
            (
                "web_not_bcrypt.yml:3: basic_auth_users.grafana: nilai ini bukan hash bcrypt; buat "
                "hash dengan htpasswd -nBC 10 \"\" | tr -d ':\\n' lalu tempel hasilnya di sini"
            ),
        ],
        en=[
            (
                "web_not_bcrypt.yml:2: basic_auth_users.prometheus: this value is not a bcrypt "
                "hash; make one with htpasswd -nBC 10 \"\" | tr -d ':\\n' and paste the result here"
            ),
            (
                "web_not_bcrypt.yml:3: basic_auth_users.grafana: this value is not a bcrypt hash; "
                "make one with htpasswd -nBC 10 \"\" | tr -d ':\\n' and paste the result here"
            ),
        ],
    ),
]


def test_every_fixture_has_a_case() -> None:
    assert sorted(case.fixture for case in CASES) == sorted(
        path.stem for path in FIXTURES.glob("*.toml")
    )


@pytest.mark.parametrize("case", CASES, ids=[case.fixture for case in CASES])
def test_invalid_fixture_messages(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    # Relative paths keep the file names in the messages short and stable.
    monkeypatch.chdir(FIXTURES)
    file = f"{case.fixture}.toml"

    with pytest.raises(ConfigError) as caught:
        load(Path(file), environ=case.environ or {})

    count = len(case.id)
    english_count = f"{count} problem" if count == 1 else f"{count} problems"
    assert caught.value.render("id") == "\n".join(
        [f"konfigurasi tidak valid: {file} ({count} masalah)", *case.id]
    )
    assert caught.value.render("en") == "\n".join(
        [f"configuration is invalid: {file} ({english_count})", *case.en]
    )
    assert str(caught.value) == caught.value.render("en")
    assert len(caught.value.problems) == count


def test_missing_file_raises_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "tidak-ada.toml", environ={})


def test_environ_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_SNMP_COMMUNITY", "dari-os-environ")

    inventory = load(FIXTURES / "missing_env.toml")

    community = inventory.credentials["opd-v2"].community
    assert community is not None
    assert community.reveal() == "dari-os-environ"


# Settings, defaults and overrides ------------------------------------------------------


def test_icmp_override_keeps_other_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [defaults]
        interval = "20s"
        icmp = { count = 4, packet_interval = "250ms", payload_size = 100 }

        [[targets]]
        name = "a"
        address = "127.0.0.1"
        icmp = { count = 2 }

        [[targets]]
        name = "b"
        address = "127.0.0.2"
        """,
    )

    inventory = load(path, environ={})

    assert inventory.target("a").settings.icmp == IcmpSettings(2, 0.25, 100)
    assert inventory.target("a").settings.interval == 20.0
    assert inventory.target("b").settings == inventory.defaults


# Status rules, alerts, channels and maintenance windows ------------------------------


def load_lines(lines: str) -> config.Inventory:
    """Load a loopback target with ``lines`` written before its table."""
    text = f'{lines}\n[[targets]]\nname = "t"\naddress = "127.0.0.1"\nnetwork = "opd"\n'
    with tempfile.TemporaryDirectory() as directory:
        return load(write(Path(directory), text), environ={})


def test_degraded_merges_key_by_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [defaults]
        degraded = { loss = 0.1, rtt = "300ms", cpu = false, sustain = "5m" }

        [[targets]]
        name = "a"
        address = "127.0.0.1"
        degraded = { rtt = "600ms", disk = "20.5%" }

        [[targets]]
        name = "b"
        address = "127.0.0.2"
        """,
    )

    inventory = load(path, environ={})

    assert inventory.defaults.degraded == Thresholds(
        loss=0.1, rtt=0.3, utilisation=0.9, cpu=None, memory=0.95, disk=0.9, sustain=300.0
    )
    assert inventory.target("a").settings.degraded == Thresholds(
        loss=0.1, rtt=0.6, utilisation=0.9, cpu=None, memory=0.95, disk=0.205, sustain=300.0
    )
    assert inventory.target("b").settings.degraded == inventory.defaults.degraded


def test_degraded_target_switches_limit_off(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[targets]]
        name = "a"
        address = "127.0.0.1"
        degraded = { loss = false, rtt = false, utilisation = false, sustain = "0s" }
        """,
    )

    degraded = load(path, environ={}).target("a").settings.degraded

    assert degraded == Thresholds(loss=None, rtt=None, utilisation=None, sustain=0.0)


@pytest.mark.parametrize(
    ("written", "ratio"),
    [
        ('"20%"', 0.2),
        ('"20.5%"', 0.205),
        ('"100%"', 1.0),
        ('"0.5%"', 0.005),
        ("0.2", 0.2),
        ("1", 1.0),
    ],
)
def test_degraded_percentage_forms(written: str, ratio: float) -> None:
    inventory = load_lines(f"[defaults]\ndegraded = {{ loss = {written} }}")

    assert inventory.defaults.degraded.loss == ratio


@pytest.mark.parametrize("sign", ["", "-"])
def test_degraded_huge_integer_out_of_range(sign: str) -> None:
    # tomllib reads integers past 64 bits, which float() cannot convert.
    huge = sign + "1" + "0" * 400

    with pytest.raises(ConfigError) as caught:
        load_lines(f"[defaults]\ndegraded = {{ cpu = {huge} }}")

    (problem,) = caught.value.problems
    assert problem.code == "ratio_out_of_range"
    assert problem.key == "defaults.degraded.cpu"


def test_rtt_limit_off_allows_short_timeout(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[targets]]
        name = "a"
        address = "127.0.0.1"
        timeout = "100ms"
        degraded = { rtt = false }

        [[targets]]
        name = "b"
        address = "127.0.0.2"
        timeout = "100ms"
        degraded = { rtt = "50ms" }
        """,
    )

    inventory = load(path, environ={})

    assert inventory.target("a").settings.degraded.rtt is None
    assert inventory.target("b").settings.degraded.rtt == 0.05


def test_flap_and_reminders_merge_over_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [defaults]
        flap = { changes = 6 }
        remind_every = false

        [[targets]]
        name = "a"
        address = "127.0.0.1"
        flap = { window = "1h" }
        remind_every = "1h30m"

        [[targets]]
        name = "b"
        address = "127.0.0.2"
        remind_every = "0s"

        [[targets]]
        name = "c"
        address = "127.0.0.3"
        """,
    )

    inventory = load(path, environ={})

    assert inventory.defaults.flap == FlapSettings(changes=6, window=1800.0)
    assert inventory.defaults.remind_every == 0.0
    assert inventory.target("a").settings.flap == FlapSettings(changes=6, window=3600.0)
    assert inventory.target("a").settings.remind_every == 5400.0
    assert inventory.target("b").settings.remind_every == 0.0
    assert inventory.target("c").settings == inventory.defaults


def test_expect_defaults_to_reachable(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[targets]]
        name = "a"
        address = "127.0.0.1"

        [[targets]]
        name = "b"
        address = "127.0.0.2"
        expect = "unreachable"

        [[targets]]
        name = "c"
        address = "127.0.0.3"
        expect = "reachable"
        """,
    )

    inventory = load(path, environ={})

    assert [target.expect for target in inventory.targets] == [
        "reachable",
        "unreachable",
        "reachable",
    ]


def test_alerts_defaults_without_table(tmp_path: Path) -> None:
    path = write(tmp_path, '[[targets]]\nname = "a"\naddress = "127.0.0.1"\n')

    assert load(path, environ={}).alerts == AlertSettings(group_window=10.0, daily_summary=None)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ('group_window = "0s"\ndaily_summary = "23:59"', AlertSettings(0.0, "23:59")),
        ('group_window = "10m"\ndaily_summary = "00:00"', AlertSettings(600.0, "00:00")),
        ("daily_summary = false", AlertSettings(10.0, None)),
    ],
)
def test_alerts_table_values(tmp_path: Path, lines: str, expected: AlertSettings) -> None:
    path = write(tmp_path, f'[alerts]\n{lines}\n[[targets]]\nname = "a"\naddress = "127.0.0.1"\n')

    assert load(path, environ={}).alerts == expected


ROUTED_TARGETS = """
[[targets]]
name = "bappeda-router"
address = "127.0.0.1"
group = "Bappeda"
network = "opd"

[[targets]]
name = "bupati-pc"
address = "127.0.0.2"
group = "Eksekutif"
network = "eksekutif"
"""
CHANNEL_ENVIRON = {"PANTAU_TEST_URL": "json://127.0.0.1:9/"}


def test_channel_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path, ROUTED_TARGETS + '[[channels]]\nname = "noc"\nurl_env = "PANTAU_TEST_URL"\n'
    )

    channel = load(path, environ=CHANNEL_ENVIRON).channels[0]

    assert channel == Channel(
        name="noc",
        url=Secret("PANTAU_TEST_URL", "json://127.0.0.1:9/"),
        networks=(),
        groups=(),
        min_severity="warning",
        language=None,
        rate=None,
        max_length=None,
        summary=True,
    )


def test_channel_reads_every_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ROUTED_TARGETS
        + """
[[channels]]
name = "eksekutif"
url_env = "PANTAU_TEST_URL"
networks = ["eksekutif"]
groups = ["Eksekutif", "Bappeda"]
min_severity = "critical"
language = "en"
rate = "1/s"
max_length = 200
summary = false
""",
    )

    channel = load(path, environ=CHANNEL_ENVIRON).channels[0]

    assert channel.networks == ("eksekutif",)
    assert channel.groups == ("Eksekutif", "Bappeda")
    assert channel.min_severity == "critical"
    assert channel.language == "en"
    assert channel.rate == 60.0
    assert channel.max_length == 200
    assert channel.summary is False


@pytest.mark.parametrize(
    ("text", "per_minute"),
    [("20/min", 20.0), ("1/s", 60.0), ("0.5/min", 0.5), ("2.5/s", 150.0), ("0.01/s", 0.6)],
)
def test_rate_units(text: str, per_minute: float) -> None:
    assert parse_rate(text) == per_minute


@pytest.mark.parametrize("text", ["20", "20/m", "20 /min", "20/minute", "-1/s", "1,5/s", "/s", ""])
def test_rate_invalid_text_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rate(text)


def test_maintenance_local_datetime_takes_daemon_timezone(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[daemon]\ntimezone = "Asia/Makassar"\n'
        + ROUTED_TARGETS
        + """
[[maintenance]]
name = "ganti-ups"
targets = ["bappeda-router"]
start = 2026-12-05T22:00:00
end = 2026-12-06T02:00:00+07:00
reason = "Ganti baterai UPS"

[[maintenance]]
name = "utc"
groups = ["Eksekutif"]
start = 2026-12-05T14:00:00Z
end = 2026-12-05T15:00:00Z
""",
    )

    local, utc = load(path, environ={}).maintenance

    assert local.start == datetime(2026, 12, 5, 22, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    assert local.start is not None
    assert local.start.utcoffset() == timedelta(hours=8)
    assert local.end == datetime(2026, 12, 6, 2, 0, tzinfo=timezone(timedelta(hours=7)))
    assert local.end is not None
    assert local.end.utcoffset() == timedelta(hours=7)
    assert local.targets == ("bappeda-router",)
    assert local.reason == "Ganti baterai UPS"
    assert local.cron is None
    assert local.duration is None
    # 22:00 WITA and 14:00 UTC are the same instant.
    assert utc.start == local.start
    assert utc.groups == ("Eksekutif",)


def test_maintenance_timezone_defaults_to_jakarta(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ROUTED_TARGETS
        + """
[[maintenance]]
name = "ganti-ups"
networks = ["opd"]
start = 2026-12-05T22:00:00
end = 2026-12-06T02:00:00
""",
    )

    window = load(path, environ={}).maintenance[0]

    assert window.start == datetime(2026, 12, 5, 22, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert window.start is not None
    assert window.start.utcoffset() == timedelta(hours=7)


def test_maintenance_recurring_window(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ROUTED_TARGETS
        + """
[[maintenance]]
name = "patch-opd"
targets = ["bupati-pc"]
groups = ["Bappeda"]
networks = ["opd", "eksekutif"]
cron = "30 22 * * sat,sun"
duration = "1h30m"
""",
    )

    assert load(path, environ={}).maintenance == (
        MaintenanceWindow(
            name="patch-opd",
            targets=("bupati-pc",),
            groups=("Bappeda",),
            networks=("opd", "eksekutif"),
            cron="30 22 * * sat,sun",
            duration=5400.0,
        ),
    )


def window_lines(cron: str, duration: str = "1m") -> str:
    """Return a [[maintenance]] table over the network "opd" with ``cron`` and ``duration``."""
    return (
        f'[[maintenance]]\nname = "m"\nnetworks = ["opd"]\n'
        f'cron = "{cron}"\nduration = "{duration}"\n'
    )


def first_starts(inventory: config.Inventory, count: int) -> list[datetime]:
    """Return the first ``count`` starts of the inventory's first window after 1 March 2026."""
    window = inventory.maintenance[0]
    schedule = MaintenanceSchedule(inventory.maintenance, inventory.daemon.timezone)
    at = datetime(2026, 3, 1, tzinfo=ZoneInfo(inventory.daemon.timezone)).timestamp()
    starts = []
    for _ in range(count):
        found = schedule.next_occurrence(window, at)
        assert found is not None
        starts.append(found.start)
        at = found.start.timestamp()
    return starts


@pytest.mark.parametrize(
    "cron",
    [
        "0 22 * * sat",
        "*/15 1-5 * * mon-fri",
        "0 22 1 */2 *",
        "0 3 * * sun,wed",
        "0 22 * * */2",
        "0 22 last * *",
        "0 0 29 2 *",
        "@daily",
        "@Weekly",
    ],
)
def test_cron_accepted(cron: str) -> None:
    assert load_lines(window_lines(cron)).maintenance[0].cron == cron


@pytest.mark.parametrize(
    ("cron", "weekdays"),
    [
        ("0 22 * * 0", {0}),
        ("0 22 * * 7", {0}),
        ("0 22 * * 1-5", {1, 2, 3, 4, 5}),
        ("0 22 * * 6,0", {6, 0}),
        ("0 22 * * 5-7", {5, 6, 0}),
        ("0 22 * * 1-5/2", {1, 3, 5}),
    ],
)
def test_cron_numeric_weekday_as_crontab(cron: str, weekdays: set[int]) -> None:
    starts = first_starts(load_lines(window_lines(cron)), 15)

    # crontab numbers the days from Sunday = 0, isoweekday from Monday = 1 to Sunday = 7.
    assert {start.isoweekday() % 7 for start in starts} == weekdays
    assert {(start.hour, start.minute) for start in starts} == {(22, 0)}


def test_cron_day_of_month_or_weekday() -> None:
    starts = first_starts(load_lines(window_lines("0 0 13 * fri")), 6)

    assert [start.date().isoformat() for start in starts] == [
        "2026-03-06",
        "2026-03-13",
        "2026-03-20",
        "2026-03-27",
        "2026-04-03",
        "2026-04-10",
    ]


def test_cron_daily_shortcut_every_midnight() -> None:
    starts = first_starts(load_lines(window_lines("@daily")), 3)

    assert [start.isoformat() for start in starts] == [
        "2026-03-02T00:00:00+07:00",
        "2026-03-03T00:00:00+07:00",
        "2026-03-04T00:00:00+07:00",
    ]


def test_cron_never_firing_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        load_lines(window_lines("0 0 30 2 *"))

    (problem,) = caught.value.problems
    assert problem.key == "maintenance[0].cron"
    assert problem.code == "cron_never"
    assert problem.params["value"] == '"0 0 30 2 *"'


@pytest.mark.parametrize(
    ("cron", "field", "value"),
    [
        ("60 22 * * sat", "minute", "60"),
        ("0 24 * * sat", "hour", "24"),
        ("0 22 32 * *", "day", "32"),
        ("0 22 * 13 *", "month", "13"),
        ("0 22 * * 8", "day_of_week", "8"),
        ("0 22 * * sat-mon", "day_of_week", "sat-mon"),
    ],
)
def test_cron_bad_field_named(cron: str, field: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_lines(window_lines(cron))

    (problem,) = caught.value.problems
    assert problem.code == "cron_field"
    assert problem.params["field"] == config.CatalogueText(f"maintenance.cron_field.{field}")
    assert problem.params["field_value"] == json.dumps(value)
    assert f"field {json.dumps(value)} in cron expression" in problem.render("en")


@pytest.mark.parametrize(
    "duration",
    [format_duration(maintenance.MIN_DURATION), format_duration(maintenance.MAX_DURATION)],
)
def test_window_duration_bounds_accepted(duration: str) -> None:
    # Leap days are four years apart, so even the longest window ends before the next.
    window = load_lines(window_lines("0 0 29 2 *", duration)).maintenance[0]

    assert window.duration == parse_duration(duration)


@pytest.mark.parametrize(
    "duration",
    [
        format_duration(maintenance.MIN_DURATION - 1),
        format_duration(maintenance.MAX_DURATION + 1),
    ],
)
def test_window_duration_outside_cli_bounds(duration: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_lines(window_lines("0 22 * * sat", duration))

    (problem,) = caught.value.problems
    assert problem.key == "maintenance[0].duration"
    assert problem.code == "out_of_range"
    assert problem.params["minimum"] == format_duration(maintenance.MIN_DURATION)
    assert problem.params["maximum"] == format_duration(maintenance.MAX_DURATION)


def test_daemon_defaults_without_daemon_table(tmp_path: Path) -> None:
    path = write(tmp_path, '[[targets]]\nname = "a"\naddress = "127.0.0.1"\n')

    daemon = load(path, environ={}).daemon

    assert daemon.listen_host == "127.0.0.1"
    assert daemon.listen_port == 9470
    assert daemon.database == tmp_path / "pantau.db"
    assert daemon.language == "id"
    assert daemon.timezone == "Asia/Jakarta"
    assert daemon.log_level == "INFO"


def test_daemon_ipv6_listen_and_log_level_case(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[daemon]\nlisten = "[::1]:9100"\nlog_level = "debug"\ndatabase = "data/p.db"\n'
        '[[targets]]\nname = "a"\naddress = "127.0.0.1"\n',
    )

    daemon = load(path, environ={}).daemon

    assert (daemon.listen_host, daemon.listen_port) == ("::1", 9100)
    assert daemon.log_level == "DEBUG"
    assert daemon.database == tmp_path / "data" / "p.db"


def test_host_name_target_is_not_placeholder(tmp_path: Path) -> None:
    path = write(tmp_path, '[[targets]]\nname = "a"\naddress = "router.opd.kab.go.id."\n')

    target = load(path, environ={}).target("a")

    assert target.address == "router.opd.kab.go.id."
    assert not target.placeholder


def test_reserved_example_name_target_is_placeholder(tmp_path: Path) -> None:
    path = write(tmp_path, '[[targets]]\nname = "a"\naddress = "router.opd.example."\n')

    assert load(path, environ={}).target("a").placeholder


def test_snmp_v3_credential_with_secrets(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [credentials.lab-v3]
        version = "3"
        username = "pantau"
        security_level = "authpriv"
        auth_protocol = "sha512"
        auth_key_env = "LAB_AUTH"
        priv_protocol = "aes256"
        priv_key_env = "LAB_PRIV"

        [[targets]]
        name = "lab"
        address = "127.0.0.1"
        probes = ["snmp"]
        snmp = { credential = "lab-v3", port = 1161, profiles = ["system"] }
        """,
    )

    inventory = load(path, environ={"LAB_AUTH": "auth-passphrase", "LAB_PRIV": "priv-passphrase"})

    credential = inventory.credentials["lab-v3"]
    assert credential.security_level == "authPriv"
    assert credential.auth_protocol == "SHA512"
    assert credential.priv_protocol == "AES256"
    assert credential.auth_key is not None
    assert credential.auth_key.reveal() == "auth-passphrase"
    assert credential.priv_key is not None
    assert credential.priv_key.reveal() == "priv-passphrase"
    assert inventory.target("lab").snmp == config.SnmpSettings("lab-v3", 1161, ("system",))


# SNMP settings ---------------------------------------------------------------------------

SNMP_CREDENTIAL = """
[credentials.opd-v2]
version = "2c"
community_env = "PANTAU_TEST_COMMUNITY"
"""
SNMP_ENVIRON = {"PANTAU_TEST_COMMUNITY": "rahasia"}


def load_snmp(directory: Path, text: str) -> config.Inventory:
    return load(write(directory, SNMP_CREDENTIAL + textwrap.dedent(text)), environ=SNMP_ENVIRON)


def test_snmp_table_reads_every_key(tmp_path: Path) -> None:
    inventory = load_snmp(
        tmp_path,
        """
        [[targets]]
        name = "lab"
        address = "127.0.0.1"
        probes = ["snmp"]

        [targets.snmp]
        credential = "opd-v2"
        port = 1161
        profiles = ["system", "ucd"]
        timeout = "1500ms"
        retries = 0
        max_repetitions = 200
        use_getnext = true
        max_rows = 1
        max_requests = 100000
        charset = "gbk"

        [targets.snmp.interfaces]
        include = ["ether[0-9]+", "ge-.*"]
        exclude = ["ether9"]
        types = [6, 2147483647]

        [targets.snmp.speeds]
        ether1 = "100Mbps"
        "ge-0/0/0" = "2.5Gbps"
        tun0 = "64kbps"
        com1 = "9600bps"

        [[targets.snmp.custom]]
        name = "disk_used_percent"
        oid = ".1.3.6.1.4.1.2021.9.1.9"
        index_label = "disk"

        [[targets.snmp.custom]]
        name = "cpu_idle_ticks"
        oid = "1.3.6.1.4.1.2021.11.53.0"
        type = "counter"

        [[targets.snmp.custom]]
        name = "disk_path"
        oid = "1.3.6.1.4.1.2021.9.1.2"
        type = "text"
        index_label = "disk"
        """,
    )

    assert inventory.target("lab").snmp == SnmpSettings(
        credential="opd-v2",
        port=1161,
        profiles=("system", "ucd"),
        timeout=1.5,
        retries=0,
        max_repetitions=200,
        use_getnext=True,
        max_rows=1,
        max_requests=100_000,
        charset="gbk",
        interfaces=InterfaceFilter(
            include=("ether[0-9]+", "ge-.*"), exclude=("ether9",), types=(6, 2**31 - 1)
        ),
        speeds={"ether1": 100e6, "ge-0/0/0": 2.5e9, "tun0": 64e3, "com1": 9600.0},
        custom=(
            CustomOidSettings(
                "disk_used_percent", (1, 3, 6, 1, 4, 1, 2021, 9, 1, 9), "gauge", "disk"
            ),
            CustomOidSettings("cpu_idle_ticks", (1, 3, 6, 1, 4, 1, 2021, 11, 53, 0), "counter"),
            CustomOidSettings("disk_path", (1, 3, 6, 1, 4, 1, 2021, 9, 1, 2), "text", "disk"),
        ),
    )


def test_snmp_defaults_merge_key_by_key(tmp_path: Path) -> None:
    inventory = load_snmp(
        tmp_path,
        """
        [defaults]
        timeout = "2s"

        [defaults.snmp]
        port = 1161
        retries = 3
        charset = "cp1252"
        interfaces = { exclude = ["lo"], types = [6] }
        speeds = { "ether1" = "100Mbps", "ether2" = "10Mbps" }

        [[targets]]
        name = "a"
        address = "127.0.0.1"
        probes = ["snmp"]
        snmp = { credential = "opd-v2" }

        [[targets]]
        name = "b"
        address = "127.0.0.2"
        probes = ["snmp"]
        timeout = "1s"

        [targets.snmp]
        credential = "opd-v2"
        retries = 0
        interfaces = { types = [6, 131] }
        speeds = { "ether2" = "1Gbps", "sfp1" = "10Gbps" }
        """,
    )

    assert inventory.snmp_defaults == SnmpDefaults(
        port=1161,
        retries=3,
        charset="cp1252",
        interfaces=InterfaceFilter(exclude=("lo",), types=(6,)),
        speeds={"ether1": 100e6, "ether2": 10e6},
    )
    assert inventory.target("a").snmp == SnmpSettings(
        "opd-v2",
        port=1161,
        timeout=2.0,
        retries=3,
        charset="cp1252",
        interfaces=InterfaceFilter(exclude=("lo",), types=(6,)),
        speeds={"ether1": 100e6, "ether2": 10e6},
    )
    assert inventory.target("b").snmp == SnmpSettings(
        "opd-v2",
        port=1161,
        timeout=1.0,
        retries=0,
        charset="cp1252",
        interfaces=InterfaceFilter(exclude=("lo",), types=(6, 131)),
        speeds={"ether1": 100e6, "ether2": 1e9, "sfp1": 10e9},
    )


def test_snmp_timeout_precedence(tmp_path: Path) -> None:
    targets = """
        [[targets]]
        name = "own-timeout"
        address = "127.0.0.1"
        probes = ["snmp"]
        timeout = "1s"
        snmp = { credential = "opd-v2" }

        [[targets]]
        name = "snmp-timeout"
        address = "127.0.0.2"
        probes = ["snmp"]
        timeout = "1s"
        snmp = { credential = "opd-v2", timeout = "500ms" }
        """
    without = load_snmp(tmp_path, '[defaults]\ntimeout = "2s"\n' + textwrap.dedent(targets))
    with_snmp = load_snmp(
        tmp_path,
        '[defaults]\ntimeout = "2s"\nsnmp = { timeout = "3s" }\n' + textwrap.dedent(targets),
    )

    def timeout(inventory: config.Inventory, name: str) -> float | None:
        settings = inventory.target(name).snmp
        return None if settings is None else settings.timeout

    # The target's snmp table, then the one of [defaults], then the target's timeout.
    assert timeout(without, "own-timeout") == 1.0
    assert timeout(without, "snmp-timeout") == 0.5
    assert timeout(with_snmp, "own-timeout") == 3.0
    assert timeout(with_snmp, "snmp-timeout") == 0.5
    assert with_snmp.snmp_defaults.timeout == 3.0
    assert without.snmp_defaults.timeout is None


def test_snmp_empty_lists_allowed(tmp_path: Path) -> None:
    inventory = load_snmp(
        tmp_path,
        """
        [[targets]]
        name = "lab"
        address = "127.0.0.1"
        probes = ["snmp"]

        [targets.snmp]
        credential = "opd-v2"
        profiles = []
        interfaces = { include = [], types = [] }
        speeds = {}
        """,
    )

    settings = inventory.target("lab").snmp
    assert settings is not None
    assert settings.profiles == ()
    assert settings.interfaces == InterfaceFilter()
    assert settings.speeds == {}


@pytest.mark.parametrize("use_getnext", ["true", "false"])
def test_use_getnext_accepted_for_version_1(tmp_path: Path, use_getnext: str) -> None:
    path = write(
        tmp_path,
        f"""
        [credentials.lama]
        version = "1"
        community_env = "PANTAU_TEST_COMMUNITY"

        [[targets]]
        name = "lab"
        address = "127.0.0.1"
        probes = ["snmp"]
        snmp = {{ credential = "lama", use_getnext = {use_getnext} }}
        """,
    )

    settings = load(path, environ=SNMP_ENVIRON).target("lab").snmp

    assert settings is not None
    assert settings.use_getnext == (use_getnext == "true")


@pytest.mark.parametrize(
    "charset", ["cp1252", "gbk", "utf-8", "UTF-16", "latin-1", "iso-8859-15", "shift_jis"]
)
def test_charset_accepted_as_written(tmp_path: Path, charset: str) -> None:
    path = write(tmp_path, f'[defaults]\nsnmp = {{ charset = "{charset}" }}\n')
    path.write_text(path.read_text() + '[[targets]]\nname = "a"\naddress = "127.0.0.1"\n')

    assert load(path, environ={}).snmp_defaults.charset == charset


@pytest.mark.parametrize("charset", ["idna", "rot13", "hex", "zlib", "undefined"])
def test_charset_that_cannot_decode_rejected(tmp_path: Path, charset: str) -> None:
    path = write(
        tmp_path,
        f'[defaults]\nsnmp = {{ charset = "{charset}" }}\n'
        '[[targets]]\nname = "a"\naddress = "127.0.0.1"\n',
    )

    with pytest.raises(ConfigError) as caught:
        load(path, environ={})

    assert [problem.code for problem in caught.value.problems] == ["charset_not_text"]
    assert caught.value.problems[0].key == "defaults.snmp.charset"


def test_snmp_settings_match_probe_request_defaults() -> None:
    request = snmp.SnmpRequest("lab", "127.0.0.1", community="rahasia")
    settings = SnmpSettings("opd-v2")
    fields = ("port", "profiles", "timeout", "retries", "max_repetitions", "use_getnext")

    for name in (*fields, "max_rows", "max_requests", "charset"):
        assert getattr(settings, name) == getattr(request, name), name
    assert settings.interfaces == InterfaceFilter(
        request.interface_include, request.interface_exclude, request.interface_types
    )
    assert settings.custom == request.custom
    assert set(config.DEFAULT_SNMP_PROFILES) <= set(snmp_profiles.PROFILES)


def test_loaded_snmp_settings_build_probe_request(tmp_path: Path) -> None:
    inventory = load_snmp(
        tmp_path,
        """
        [[targets]]
        name = "lab"
        address = "127.0.0.1"
        probes = ["snmp"]

        [targets.snmp]
        credential = "opd-v2"
        profiles = ["system", "host-resources", "mikrotik", "cisco"]
        use_getnext = true
        interfaces = { include = ["ether.*"], types = [6] }

        [[targets.snmp.custom]]
        name = "disk_used_percent"
        oid = "1.3.6.1.4.1.2021.9.1.9"
        index_label = "disk"
        """,
    )
    target = inventory.target("lab")
    settings = target.snmp
    assert settings is not None
    # The scheduler's mapping, so that a setting the daemon drops fails here.
    request = snmp_request(target, inventory.credentials[settings.credential])
    assert request.timeout == settings.timeout
    assert request.use_getnext is True
    assert request.interface_include == ("ether.*",)
    assert request.profiles == ("system", "host-resources", "mikrotik", "cisco")

    assert request.custom == (
        snmp.CustomOid("disk_used_percent", (1, 3, 6, 1, 4, 1, 2021, 9, 1, 9), "gauge", "disk"),
    )
    assert request.interface_types == (6,)


def test_snmp_settings_immutable_and_hashable() -> None:
    inventory = load(TARGETS_TOML, environ={})
    core = inventory.target("core-router")
    settings = core.snmp
    assert settings is not None

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.retries = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.interfaces.exclude = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.speeds["ether1"] = 1.0  # type: ignore[index]
    with pytest.raises(TypeError):
        inventory.snmp_defaults.speeds["ether1"] = 1.0  # type: ignore[index]
    reloaded = load(TARGETS_TOML, environ={}).target("core-router")
    assert reloaded == core
    assert hash(reloaded) == hash(core)
    assert settings != dataclasses.replace(settings, speeds={})


def test_custom_names_unique_per_target_only(tmp_path: Path) -> None:
    custom = '[[targets.snmp.custom]]\nname = "processes"\noid = "1.3.6.1.2.1.25.1.6.0"\n'
    target = '[[targets]]\nname = "{name}"\naddress = "127.0.0.{n}"\nprobes = ["snmp"]\n'
    snmp_table = '[targets.snmp]\ncredential = "opd-v2"\n'
    text = "".join(
        target.format(name=name, n=n) + snmp_table + custom
        for n, name in enumerate(("a", "b"), start=1)
    )

    inventory = load_snmp(tmp_path, text)

    for name in ("a", "b"):
        settings = inventory.target(name).snmp
        assert settings is not None
        assert [custom.name for custom in settings.custom] == ["processes"]


# Secrets ---------------------------------------------------------------------------------

SECRET_CONFIG = """
[credentials.opd-v2]
version = "2c"
community_env = "PANTAU_TEST_COMMUNITY"

[credentials.lab-v3]
version = "3"
username = "pantau"
security_level = "authNoPriv"
auth_protocol = "SHA256"
auth_key_env = "PANTAU_TEST_AUTH"

[[targets]]
name = "lab-router"
address = "127.0.0.1"
probes = ["icmp", "snmp"]
snmp = { credential = "opd-v2" }

[[channels]]
name = "noc-telegram"
url_env = "PANTAU_TEST_URL"
"""
COMMUNITY = "K0mun1tas-Rahasia-Opd"
CHAT_URL = "tgram://987654:Token-Rahasia-Sekali/-100200300"


def test_secrets_absent_from_repr_and_str(tmp_path: Path) -> None:
    environ = {
        "PANTAU_TEST_COMMUNITY": COMMUNITY,
        "PANTAU_TEST_AUTH": "Kunci-Auth-Rahasia",
        "PANTAU_TEST_URL": CHAT_URL,
    }

    inventory = load(write(tmp_path, SECRET_CONFIG), environ=environ)

    community = inventory.credentials["opd-v2"].community
    assert community is not None
    assert repr(community) == "Secret(PANTAU_TEST_COMMUNITY=******)"
    assert str(community) == "Secret(PANTAU_TEST_COMMUNITY=******)"
    assert f"{community}" == "Secret(PANTAU_TEST_COMMUNITY=******)"
    assert community.reveal() == COMMUNITY
    assert inventory.channels[0].url.reveal() == CHAT_URL
    for text in (repr(inventory), str(inventory), repr(inventory.credentials)):
        for secret in environ.values():
            assert secret not in text


def test_secrets_absent_from_error_messages(tmp_path: Path) -> None:
    short_key = "Pendek7"
    environ = {
        "PANTAU_TEST_COMMUNITY": COMMUNITY,
        "PANTAU_TEST_AUTH": short_key,
        "PANTAU_TEST_URL": CHAT_URL,
    }
    # A second fault besides the short key, so that the error has several lines.
    path = write(tmp_path, SECRET_CONFIG.replace('"icmp", "snmp"', '"icmp", "snmp", "ping"'))

    with pytest.raises(ConfigError) as caught:
        load(path, environ=environ)

    assert [problem.code for problem in caught.value.problems] == [
        "secret_too_short",
        "invalid_choice",
    ]
    texts = [caught.value.render("id"), caught.value.render("en"), str(caught.value)]
    texts.append(repr(caught.value))
    for text in texts:
        for secret in (COMMUNITY, short_key, CHAT_URL):
            assert secret not in text


def test_secret_pasted_into_env_key_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)

    with pytest.raises(ConfigError) as caught:
        load(Path("invalid_env_name.toml"), environ={})

    for language in ("id", "en"):
        assert "SECRET-TOKEN" not in caught.value.render(language)
        assert "tgram" not in caught.value.render(language)


def test_unset_secret_reveal_raises() -> None:
    secret = Secret("PANTAU_TIDAK_ADA", None)

    assert not secret.is_set
    with pytest.raises(LookupError, match="PANTAU_TIDAK_ADA"):
        secret.reveal()


# Immutability ------------------------------------------------------------------------------


def test_inventory_is_immutable() -> None:
    inventory = load(TARGETS_TOML, environ={})
    target = inventory.target("core-router")

    with pytest.raises(dataclasses.FrozenInstanceError):
        inventory.targets = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.address = "127.0.0.1"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.settings.icmp.count = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        inventory.daemon.listen_port = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        inventory.credentials["baru"] = inventory.credentials["opd-v2"]  # type: ignore[index]


def test_inventory_containers_are_tuples() -> None:
    inventory = load(TARGETS_TOML, environ={})
    target = inventory.target("core-router")

    assert isinstance(inventory.targets, tuple)
    assert isinstance(inventory.channels, tuple)
    assert isinstance(target.probes, tuple)
    assert target.snmp is not None
    assert isinstance(target.snmp.profiles, tuple)


def test_secret_and_problem_are_immutable() -> None:
    secret = Secret("PANTAU_X", "nilai")
    problem = config.Problem("a.toml", "targets[0].name", 1, "empty_probes", {"x": 1})

    with pytest.raises(AttributeError):
        secret._value = "lain"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.code = "lain"  # type: ignore[misc]
    with pytest.raises(TypeError):
        problem.params["x"] = 2  # type: ignore[index]


# Finding the configuration file ------------------------------------------------------------


def test_find_config_path_order(tmp_path: Path) -> None:
    system = tmp_path / "etc" / "targets.toml"
    environ = {"PANTAU_CONFIG": "/srv/pantau/dari-env.toml"}

    assert find_config_path("cli.toml", environ, system_path=system) == Path("cli.toml")
    assert find_config_path(None, environ, system_path=system) == Path("/srv/pantau/dari-env.toml")
    assert find_config_path(None, {}, system_path=system) == Path("config/targets.toml")

    system.parent.mkdir()
    system.write_text("")
    assert find_config_path(None, {}, system_path=system) == system
    assert find_config_path(None, {"PANTAU_CONFIG": ""}, system_path=system) == system
    assert find_config_path(None, environ, system_path=system) == Path("/srv/pantau/dari-env.toml")


def test_find_config_path_defaults() -> None:
    assert Path("/etc/pantau/targets.toml") == config.SYSTEM_CONFIG_PATH
    assert Path("config/targets.toml") == config.REPOSITORY_CONFIG_PATH


def test_find_config_path_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_CONFIG", "/srv/pantau/os.toml")

    assert find_config_path(None) == Path("/srv/pantau/os.toml")


# Parsers, checked with Hypothesis ----------------------------------------------------------

UNIT_SECONDS = {"ms": Decimal("0.001"), "s": Decimal(1), "m": Decimal(60), "h": Decimal(3600)}


@given(
    number=st.decimals(min_value=0, max_value=10**6, places=3),
    unit=st.sampled_from(sorted(UNIT_SECONDS)),
)
def test_duration_text_parses_to_seconds(number: Decimal, unit: str) -> None:
    text = f"{number:f}{unit}"

    assert parse_duration(text) == float(number * UNIT_SECONDS[unit])


@given(milliseconds=st.integers(min_value=0, max_value=10**12))
def test_duration_format_then_parse_milliseconds(milliseconds: int) -> None:
    seconds = milliseconds / 1000

    text = format_duration(seconds)

    assert re.fullmatch(r"[0-9]+(\.[0-9]+)?(ms|s|m|h)", text), text
    assert parse_duration(text) == seconds


@given(seconds=st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False))
def test_duration_format_then_parse_any_float(seconds: float) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


def test_duration_format_picks_largest_whole_unit() -> None:
    assert format_duration(0.2) == "200ms"
    assert format_duration(1.5) == "1.5s"
    assert format_duration(30.0) == "30s"
    assert format_duration(300.0) == "5m"
    assert format_duration(5400.0) == "90m"
    assert format_duration(7200.0) == "2h"
    assert format_duration(0.0) == "0s"


@given(number=st.integers(min_value=0) | st.floats(allow_nan=False, allow_infinity=False))
def test_duration_bare_number_rejected(number: float) -> None:
    with pytest.raises(ValueError):
        parse_duration(str(number))


@given(text=st.text())
def test_duration_parser_raises_only_value_error(text: str) -> None:
    try:
        seconds = parse_duration(text)
    except ValueError:
        return
    assert seconds >= 0
    assert re.fullmatch(r"[0-9]+(\.[0-9]+)?(ms|s|m|h)", text)


LABEL = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?", fullmatch=True)
TOP_LABEL = LABEL.filter(lambda label: not label.isdigit())


@given(labels=st.lists(LABEL, max_size=4), top=TOP_LABEL)
def test_rfc1123_host_names_accepted(labels: list[str], top: str) -> None:
    name = ".".join([*labels, top])
    if len(name) <= 253:
        assert is_valid_hostname(name)
        assert is_valid_hostname(name + ".")
    else:
        assert not is_valid_hostname(name)


@given(
    labels=st.lists(LABEL, min_size=1, max_size=3),
    bad=st.sampled_from(["-a", "a-", "", "a" * 64, "a_b", "a b", "ü"]),
)
def test_host_name_with_bad_label_rejected(labels: list[str], bad: str) -> None:
    assert not is_valid_hostname(".".join([*labels, bad, "example"]))


@given(ip=st.ip_addresses(), port=st.integers(min_value=1, max_value=65535))
def test_listen_round_trips(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> None:
    text = f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"

    assert parse_listen(text) == (str(ip), port)


@given(port=st.integers(min_value=65536) | st.integers(max_value=0))
def test_listen_port_out_of_range_rejected(port: int) -> None:
    with pytest.raises(ValueError):
        parse_listen(f"127.0.0.1:{port}")


def expected_placeholder(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        blocks = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
    else:
        blocks = ("2001:db8::/32",)
    return any(ip in ipaddress.ip_network(block) for block in blocks)


DOCUMENTATION_IPS = st.one_of(
    st.ip_addresses(network="192.0.2.0/24"),
    st.ip_addresses(network="198.51.100.0/24"),
    st.ip_addresses(network="203.0.113.0/24"),
    st.ip_addresses(network="2001:db8::/32"),
    st.ip_addresses(network="::ffff:198.51.100.0/120"),
)


@given(ip=st.ip_addresses() | DOCUMENTATION_IPS)
def test_ip_literal_target_loads_with_placeholder_flag(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = write(Path(directory), f'[[targets]]\nname = "t"\naddress = "{ip}"\n')

        if unusable_target_reason(ip) is not None:
            # Unspecified, broadcast and multicast addresses are no single host.
            with pytest.raises(ConfigError) as raised:
                load(path, environ={})
            assert raised.value.problems[0].code == f"address_{unusable_target_reason(ip)}"
            return
        target = load(path, environ={}).target("t")

    assert target.address == str(ip)
    assert target.placeholder == expected_placeholder(ip)
    assert is_placeholder_address(ip) == expected_placeholder(ip)


SPEED_UNITS = {"bps": 1, "kbps": 10**3, "Mbps": 10**6, "Gbps": 10**9}


def test_speed_examples() -> None:
    assert parse_speed("100Mbps") == 100e6
    assert parse_speed("1.5Gbps") == 1.5e9
    assert parse_speed("64kbps") == 64_000.0
    assert parse_speed("9600bps") == 9600.0
    assert format_speed(100e6) == "100Mbps"
    assert format_speed(2.5e9) == "2.5Gbps"
    assert format_speed(1e15) == "1000000Gbps"
    assert format_speed(1500.0) == "1.5kbps"
    assert format_speed(0.5) == "0.5bps"


@pytest.mark.parametrize(
    "text", ["100", "100 Mbps", "100mbps", "100MBps", "100Kbps", "1e9bps", "-1Mbps", ".5Gbps", ""]
)
def test_speed_invalid_text_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_speed(text)


@given(bits=st.floats(min_value=0, max_value=1e18, allow_nan=False, allow_infinity=False))
def test_speed_format_then_parse_any_float(bits: float) -> None:
    text = format_speed(bits)

    assert re.fullmatch(r"[0-9]+(\.[0-9]+)?(bps|kbps|Mbps|Gbps)", text), text
    assert parse_speed(text) == bits


@given(
    number=st.decimals(min_value=0, max_value=10**6, places=3),
    unit=st.sampled_from(sorted(SPEED_UNITS)),
)
def test_speed_text_parses_to_bits(number: Decimal, unit: str) -> None:
    assert parse_speed(f"{number:f}{unit}") == float(number * SPEED_UNITS[unit])


@given(text=st.text())
def test_speed_parser_raises_only_value_error(text: str) -> None:
    try:
        bits = parse_speed(text)
    except ValueError:
        return
    assert bits >= 0
    assert re.fullmatch(r"[0-9]+(\.[0-9]+)?(bps|kbps|Mbps|Gbps)", text)


def toml_string(text: str) -> str:
    """Write ``text`` as a TOML basic string, escaping what TOML does not allow raw."""
    escaped = []
    for char in text:
        if char in '"\\' or ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def load_snmp_line(line: str) -> config.Inventory:
    """Load a placeholder SNMP target whose snmp table has ``line`` besides its credential."""
    text = (
        '[credentials.opd-v2]\nversion = "2c"\ncommunity_env = "PANTAU_SNMP_COMMUNITY"\n'
        '[[targets]]\nname = "t"\naddress = "192.0.2.1"\nprobes = ["snmp"]\n'
        f'[targets.snmp]\ncredential = "opd-v2"\n{line}\n'
    )
    with tempfile.TemporaryDirectory() as directory:
        return load(write(Path(directory), text), environ={})


REGEX_CODES = {"invalid_regex", "invalid_regex_no_position", "regex_too_deep"}
REGEX_TEXT = st.text(alphabet="()[]{}?*+|^$.\\-,:<>=!#PLdws0123456789aez \n", max_size=24)


# "[[" compiles with a FutureWarning about its meaning in later Python versions.
@pytest.mark.filterwarnings("ignore::FutureWarning")
@given(pattern=REGEX_TEXT | st.text(max_size=24))
def test_random_regex_loads_or_one_problem(pattern: str) -> None:
    try:
        inventory = load_snmp_line(f"interfaces = {{ include = [{toml_string(pattern)}] }}")
    except ConfigError as error:
        assert len(error.problems) == 1
        problem = error.problems[0]
        assert problem.code in REGEX_CODES
        assert problem.key == "targets[0].snmp.interfaces.include[0]"
        assert problem.params["value"] == json.dumps(pattern, ensure_ascii=False)
        with pytest.raises((re.error, OverflowError, RecursionError)):
            re.compile(pattern)
        return

    settings = inventory.target("t").snmp
    assert settings is not None
    assert settings.interfaces.include == (pattern,)
    re.compile(pattern)


def expected_oid_code(arcs: list[int]) -> str | None:
    if any(arc > 2**32 - 1 for arc in arcs):
        return "oid_arc_too_large"
    if len(arcs) < 2:
        return "oid_too_short"
    if len(arcs) > 128:
        return "oid_too_long"
    if arcs[0] > 2:
        return "oid_first_arc"
    if arcs[0] < 2 and arcs[1] > 39:
        return "oid_second_arc"
    return None


ARC = st.integers(min_value=0, max_value=50) | st.integers(min_value=0, max_value=2**33)


@given(
    arcs=st.lists(ARC, min_size=1, max_size=8) | st.lists(st.just(1), min_size=120, max_size=140),
    leading_dot=st.booleans(),
)
def test_dotted_oid_loads_or_names_its_fault(arcs: list[int], leading_dot: bool) -> None:
    text = ("." if leading_dot else "") + ".".join(map(str, arcs))
    expected = expected_oid_code(arcs)

    try:
        inventory = load_snmp_line(f'custom = [{{ name = "x", oid = "{text}" }}]')
    except ConfigError as error:
        assert [problem.code for problem in error.problems] == [expected]
        return

    assert expected is None
    settings = inventory.target("t").snmp
    assert settings is not None
    assert settings.custom[0].oid == tuple(arcs)


@given(text=st.text(max_size=30))
def test_oid_text_loads_or_one_problem(text: str) -> None:
    try:
        inventory = load_snmp_line(f'custom = [{{ name = "x", oid = {toml_string(text)} }}]')
    except ConfigError as error:
        assert len(error.problems) == 1
        assert error.problems[0].key == "targets[0].snmp.custom[0].oid"
        return

    settings = inventory.target("t").snmp
    assert settings is not None
    assert settings.custom[0].oid == tuple(int(arc) for arc in text.removeprefix(".").split("."))


PERCENT_NUMBER = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False)


@given(number=PERCENT_NUMBER)
def test_percentage_text_parses_to_fraction(number: Decimal) -> None:
    assert parse_percentage(f"{number}%") == float(number / 100)


@given(text=st.text())
def test_percentage_parser_raises_only_value_error(text: str) -> None:
    try:
        ratio = parse_percentage(text)
    except ValueError:
        return
    assert text.endswith("%")
    assert ratio >= 0


@given(number=st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False))
def test_rate_text_parses_to_per_minute(number: Decimal) -> None:
    assert parse_rate(f"{number}/min") == float(number)
    assert parse_rate(f"{number}/s") == float(number * 60)


@given(text=st.text())
def test_rate_parser_raises_only_value_error(text: str) -> None:
    try:
        per_minute = parse_rate(text)
    except ValueError:
        return
    assert per_minute >= 0


LIMIT_CODES = {
    "percent_number",
    "invalid_percentage",
    "expected_percentage",
    "ratio_out_of_range",
    "limit_true",
}
LIMIT_VALUE = (
    # repr writes nan, inf and -inf as TOML does.
    st.floats().map(repr)
    | st.integers().map(str)
    | st.text(alphabet="0123456789.,% -", max_size=8).map(toml_string)
    | st.sampled_from(["true", "false", "[]", "{}"])
)


@given(value=LIMIT_VALUE)
def test_random_limit_loads_or_one_problem(value: str) -> None:
    try:
        inventory = load_lines(f"[defaults]\ndegraded = {{ cpu = {value} }}")
    except ConfigError as error:
        assert len(error.problems) == 1
        assert error.problems[0].code in LIMIT_CODES
        assert error.problems[0].key == "defaults.degraded.cpu"
        return

    cpu = inventory.defaults.degraded.cpu
    assert cpu is None or 0 < cpu <= 1
    assert (cpu is None) == (value == "false")


# Config problem code for each CronError code.
CRON_CODES = {"field_count": "cron_field_count", "field": "cron_field", "never": "cron_never"}
CRON_TEXT = st.text(alphabet="0123456789*/-, satmonfriLW#?", max_size=24) | st.sampled_from(
    ["@hourly", "@daily", "@MIDNIGHT", "@weekly", "@monthly", "@yearly", "@annually", "@dialy"]
)


@given(cron=CRON_TEXT)
def test_random_cron_same_verdict_as_cli(cron: str) -> None:
    try:
        parse_cron(cron)
    except CronError as error:
        expected_code: str | None = CRON_CODES[error.code]
    else:
        expected_code = None

    # The CLI rejects a one-minute window on a cron that fires every minute too.
    if expected_code is None and maintenance.endless_gap(cron, 60.0) is not None:
        expected_code = "window_endless"

    try:
        inventory = load_lines(window_lines(cron))
    except ConfigError as error:
        assert len(error.problems) == 1
        problem = error.problems[0]
        duration_fault = problem.code == "window_endless"
        assert problem.key == f"maintenance[0].{'duration' if duration_fault else 'cron'}"
        # A blank string is rejected before parse_cron, which rejects it too.
        assert problem.code == ("empty_string" if not cron.strip() else expected_code)
        assert expected_code is not None
        return

    assert expected_code is None
    assert inventory.maintenance[0].cron == cron


@given(text=st.text(alphabet="0123456789:apm ", max_size=7))
def test_random_daily_summary_loads_only_as_hh_mm(text: str) -> None:
    try:
        inventory = load_lines(f"[alerts]\ndaily_summary = {toml_string(text)}")
    except ConfigError as error:
        assert len(error.problems) == 1
        assert error.problems[0].code in {"invalid_clock_time", "empty_string"}
        return

    assert inventory.alerts.daily_summary == text
    assert datetime.strptime(text, "%H:%M").strftime("%H:%M") == text


def test_invalid_channel_url_message_never_shows_the_token() -> None:
    secret_url = "tgrm://123456789:AAHsecretTOKEN/-100"  # a typo in the scheme
    with pytest.raises(config.ConfigError) as raised:
        config.load(
            FIXTURES / "invalid_channel_url.toml", environ={"PANTAU_TELEGRAM_URL": secret_url}
        )

    for language in ("id", "en"):
        assert "AAHsecretTOKEN" not in raised.value.render(language)
