"""Generate the Grafana dashboards of Pantau from one panel list.

One run writes dashboards/grafana.json (Indonesian titles and descriptions,
the default) and dashboards/grafana.en.json (the English twin). Both come
from the same rows and panels below, so they share panel ids, types, layout
and PromQL expressions and differ only in the text a person reads.

    python dashboards/build.py           # write both files
    python dashboards/build.py --check   # exit 1 if a committed file differs

The dashboards import through Grafana's import dialog (Grafana 10 or later):
the Prometheus data source is the input DS_PROMETHEUS, chosen at import.
Only the standard library is used, so the script runs without the daemon's
dependencies.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DASHBOARD_DIR = Path(__file__).resolve().parent
OUTPUTS = {"id": DASHBOARD_DIR / "grafana.json", "en": DASHBOARD_DIR / "grafana.en.json"}
UIDS = {"id": "pantau-noc", "en": "pantau-noc-en"}
GRID_WIDTH = 24
DATASOURCE = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}

# Label matchers of the template variables. Every per-target expression
# carries them, so that choosing a network, OPD or target narrows every panel.
INSTANCE = 'instance=~"$instance"'
SCOPE = f'{INSTANCE}, network=~"$network", group=~"$group", target=~"$target"'
EXECUTIVE = f'{INSTANCE}, network="eksekutif"'
SERVERS = f'{INSTANCE}, network="server", group=~"$group", target=~"$target"'
# hrStorageType kinds that probes/snmp_profiles.py counts as disks.
DISKS = 'kind=~"fixed_disk|flash_memory|network_disk"'


@dataclass(frozen=True)
class Text:
    """A text that a person reads, in Indonesian (id) and English (en)."""

    id: str
    en: str

    def pick(self, language: str) -> str:
        """Return the text in ``language`` (id or en)."""
        return self.id if language == "id" else self.en


# Rank of a status in the recording rule target:pantau_target_status:rank,
# worst highest, with its colour and the names that docs/status.md uses.
STATUS_RANKS = [
    (0, "green", Text("NORMAL", "UP")),
    (1, "purple", Text("BELUM DIKONFIGURASI", "UNCONFIGURED")),
    (2, "blue", Text("PEMELIHARAAN", "MAINTENANCE")),
    (3, "yellow", Text("MENURUN", "DEGRADED")),
    (4, "orange", Text("TIDAK TERJANGKAU", "UNREACHABLE")),
    (5, "red", Text("GANGGUAN", "DOWN")),
]
ISOLATION_STATES = [
    (0, "green", Text("ISOLASI TERJAGA", "ISOLATION HOLDS")),
    (1, "red", Text("ISOLASI DILANGGAR", "ISOLATION BREACHED")),
]
REACHABILITY_STATES = [
    (0, "red", Text("TIDAK MERESPONS", "NOT RESPONDING")),
    (1, "green", Text("MERESPONS", "RESPONDING")),
]
RELOAD_STATES = [
    (0, "red", Text("GAGAL", "FAILED")),
    (1, "green", Text("BERHASIL", "SUCCEEDED")),
]


@dataclass(frozen=True)
class Query:
    """One PromQL expression of a panel, with its legend."""

    expr: str
    legend: str = ""
    instant: bool = False
    table: bool = False


@dataclass(frozen=True)
class Panel:
    """A panel before layout: its kind, size, queries and display settings."""

    kind: str
    title: Text
    description: Text
    queries: list[Query]
    width: int = 8
    height: int = 8
    unit: str = ""
    mappings: list[tuple[int, str, Text]] = field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    links: list[tuple[Text, str]] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    overrides: list[dict[str, Any]] = field(default_factory=list)
    transformations: list[dict[str, Any]] = field(default_factory=list)
    thresholds: list[tuple[float | None, str]] = field(default_factory=list)
    repeat: str = ""


@dataclass(frozen=True)
class Row:
    """A collapsible row of the dashboard with its panels, laid out left to right."""

    title: Text
    panels: list[Panel]


def status_queries(expr: str, legend: str) -> list[Query]:
    return [Query(expr, legend, instant=True)]


DRILL_DOWN_LINK = (
    Text("Rincian target ini", "Details of this target"),
    "/d/${__dashboard.uid}/${__dashboard}?var-target=${__field.labels.target}&${__url_time_range}",
)
GROUP_LINK = (
    Text("Target OPD ini", "Targets of this OPD"),
    "/d/${__dashboard.uid}/${__dashboard}?var-group=${__field.labels.group}&${__url_time_range}",
)
TABLE_DRILL_DOWN_LINK = (
    Text("Rincian target ini", "Details of this target"),
    "/d/${__dashboard.uid}/${__dashboard}?var-target=${__data.fields.target}&${__url_time_range}",
)


def overview_row() -> Row:
    count_description = Text(
        "Jumlah target dengan status ini, menurut pilihan jaringan dan OPD.",
        "Number of targets in this status, within the chosen network and OPD.",
    )

    def count_panel(status: str, title: Text, colour: str) -> Panel:
        return Panel(
            "stat",
            title,
            count_description,
            [
                Query(
                    f'sum(pantau_target_status{{status="{status}", {SCOPE}}})',
                    instant=True,
                )
            ],
            width=6,
            height=4,
            thresholds=[(None, "green"), (1, colour)],
            options={"colorMode": "background", "graphMode": "none"},
        )

    return Row(
        Text("Ringkasan", "Overview"),
        [
            count_panel("down", Text("Target GANGGUAN", "Targets DOWN"), "red"),
            count_panel("degraded", Text("Target MENURUN", "Targets DEGRADED"), "yellow"),
            count_panel(
                "unreachable",
                Text("Target TIDAK TERJANGKAU", "Targets UNREACHABLE"),
                "orange",
            ),
            count_panel(
                "maintenance", Text("Target PEMELIHARAAN", "Targets in MAINTENANCE"), "blue"
            ),
            Panel(
                "stat",
                Text("Status terburuk per OPD", "Worst status per OPD"),
                Text(
                    "Setiap kotak adalah satu OPD dengan status terburuk dari targetnya. "
                    "Klik untuk melihat target OPD itu.",
                    "Each tile is one OPD with the worst status of its targets. "
                    "Click to see the targets of that OPD.",
                ),
                status_queries(
                    f"max by (group) (target:pantau_target_status:rank{{{SCOPE}}})",
                    "{{group}}",
                ),
                width=24,
                height=8,
                mappings=STATUS_RANKS,
                links=[GROUP_LINK],
                options={
                    "colorMode": "background",
                    "graphMode": "none",
                    "textMode": "value_and_name",
                },
            ),
            Panel(
                "table",
                Text("Status setiap target", "Status of every target"),
                Text(
                    "Target diurutkan dari status terburuk, dengan durasi sejak status itu "
                    "dimulai. Klik nama target untuk rinciannya.",
                    "Targets sorted from the worst status, with the duration since that "
                    "status began. Click a target name for its details.",
                ),
                [
                    Query(
                        f"target:pantau_target_status:rank{{{SCOPE}}}",
                        instant=True,
                        table=True,
                    ),
                    Query(
                        f"time() - pantau_target_status_since_timestamp_seconds{{{SCOPE}}}",
                        instant=True,
                        table=True,
                    ),
                ],
                width=24,
                height=10,
                transformations=[
                    {"id": "merge", "options": {}},
                    {
                        "id": "organize",
                        "options": {
                            "excludeByName": {"Time": True, "__name__": True, "job": True},
                            "renameByName": {"Value #A": "status", "Value #B": "durasi"},
                        },
                    },
                    {"id": "sortBy", "options": {"sort": [{"field": "status", "desc": True}]}},
                ],
                overrides=[
                    {
                        "matcher": {"id": "byName", "options": "status"},
                        "properties": [
                            {"id": "custom.cellOptions", "value": {"type": "color-background"}},
                        ],
                    },
                    {
                        "matcher": {"id": "byName", "options": "durasi"},
                        "properties": [{"id": "unit", "value": "s"}],
                    },
                    {
                        "matcher": {"id": "byName", "options": "target"},
                        "properties": [{"id": "links", "value": "TABLE_DRILL_DOWN"}],
                    },
                ],
            ),
        ],
    )


def executive_row() -> Row:
    return Row(
        Text("Jaringan eksekutif", "Executive network"),
        [
            Panel(
                "stat",
                Text("Status jaringan eksekutif", "Executive network status"),
                Text(
                    "Status setiap target di jaringan eksekutif (ruang kerja Bupati dan "
                    "Wakil Bupati).",
                    "Status of every target in the executive network (the regent's and "
                    "vice-regent's offices).",
                ),
                status_queries(
                    f"target:pantau_target_status:rank{{{EXECUTIVE}}}"
                    ' and on (job, instance, target) pantau_target_info{expect="reachable"}',
                    "{{target}}",
                ),
                width=12,
                mappings=STATUS_RANKS,
                links=[DRILL_DOWN_LINK],
                options={
                    "colorMode": "background",
                    "graphMode": "none",
                    "textMode": "value_and_name",
                },
            ),
            Panel(
                "stat",
                Text("Pemeriksaan isolasi", "Isolation check"),
                Text(
                    "Alamat eksekutif yang harus tidak terjangkau dari jaringan OPD "
                    '(expect = "unreachable"). Merah berarti isolasi jaringan eksekutif '
                    "dilanggar.",
                    "Executive addresses that must not be reachable from an OPD network "
                    '(expect = "unreachable"). Red means the executive network\'s isolation '
                    "is breached.",
                ),
                status_queries(
                    "max by (target) ("
                    '(pantau_target_status_reason{reason="isolation_breached", ' + INSTANCE + "}"
                    " * on (job, instance, target) group_left ()"
                    ' pantau_target_info{expect="unreachable", ' + INSTANCE + "})"
                    ' or (0 * pantau_target_info{expect="unreachable", ' + INSTANCE + "})"
                    ")",
                    "{{target}}",
                ),
                width=6,
                mappings=ISOLATION_STATES,
                options={
                    "colorMode": "background",
                    "graphMode": "none",
                    "textMode": "value_and_name",
                },
            ),
            Panel(
                "table",
                Text("Alasan status", "Status reason"),
                Text(
                    "Alasan status terkini setiap target jaringan eksekutif, termasuk "
                    "isolation_breached.",
                    "Reason of the current status of every executive network target, "
                    "isolation_breached included.",
                ),
                [Query(f"pantau_target_status_reason{{{EXECUTIVE}}}", instant=True, table=True)],
                width=6,
                transformations=[
                    {
                        "id": "organize",
                        "options": {
                            "excludeByName": {
                                "Time": True,
                                "Value": True,
                                "__name__": True,
                                "job": True,
                            }
                        },
                    }
                ],
            ),
            Panel(
                "timeseries",
                Text("Latensi jaringan eksekutif (median)", "Executive network latency (median)"),
                Text(
                    "Median waktu tempuh bolak-balik (RTT) selama 5 menit, dari histogram RTT.",
                    "Median round-trip time (RTT) over 5 minutes, from the RTT histogram.",
                ),
                [
                    Query(
                        "target:pantau_icmp_rtt_seconds:histogram_quantile_rate5m"
                        f'{{quantile="0.5", {EXECUTIVE}}}',
                        "{{target}}",
                    )
                ],
                width=12,
                unit="s",
            ),
            Panel(
                "timeseries",
                Text("Kehilangan paket jaringan eksekutif", "Executive network packet loss"),
                Text(
                    "Bagian paket ICMP yang hilang selama 5 menit, dari penghitung paket.",
                    "Share of ICMP packets lost over 5 minutes, from the packet counters.",
                ),
                [
                    Query(
                        f"target:pantau_icmp_packet_loss:ratio_rate5m{{{EXECUTIVE}}}"
                        ' and on (job, instance, target) pantau_target_info{expect="reachable"}',
                        "{{target}}",
                    )
                ],
                width=12,
                unit="percentunit",
                minimum=0,
                maximum=1,
            ),
        ],
    )


def servers_row() -> Row:
    return Row(
        Text("Server aplikasi", "Application servers"),
        [
            Panel(
                "stat",
                Text("Keterjangkauan server aplikasi", "Application server reachability"),
                Text(
                    "Hasil ping terakhir setiap server aplikasi.",
                    "Result of the last ping of every application server.",
                ),
                status_queries(f'pantau_probe_success{{probe="icmp", {SERVERS}}}', "{{target}}"),
                width=12,
                height=6,
                mappings=REACHABILITY_STATES,
                links=[DRILL_DOWN_LINK],
                options={
                    "colorMode": "background",
                    "graphMode": "none",
                    "textMode": "value_and_name",
                },
            ),
            Panel(
                "stat",
                Text("Waktu aktif server aplikasi", "Application server uptime"),
                Text(
                    "Waktu sejak agen SNMP server dimulai (sysUpTime).",
                    "Time since the server's SNMP agent started (sysUpTime).",
                ),
                status_queries(f"pantau_snmp_sys_uptime_seconds{{{SERVERS}}}", "{{target}}"),
                width=12,
                height=6,
                unit="s",
                options={"graphMode": "none", "textMode": "value_and_name"},
            ),
            Panel(
                "timeseries",
                Text("Beban CPU server aplikasi", "Application server CPU load"),
                Text(
                    "Beban prosesor rata-rata per server, dari SNMP (0 sampai 100 %).",
                    "Mean processor load per server, from SNMP (0 to 100 %).",
                ),
                [
                    Query(
                        f"avg by (target, window) (pantau_device_cpu_load_ratio{{{SERVERS}}})",
                        "{{target}} {{window}}s",
                    )
                ],
                unit="percentunit",
                minimum=0,
                maximum=1,
            ),
            Panel(
                "timeseries",
                Text("Pemakaian memori server aplikasi", "Application server memory use"),
                Text(
                    "Bagian memori yang terpakai per kumpulan memori, dari SNMP.",
                    "Used share of each memory pool, from SNMP.",
                ),
                [
                    Query(
                        f"pantau_device_memory_used_bytes{{{SERVERS}}}"
                        f" / (pantau_device_memory_size_bytes{{{SERVERS}}} > 0)",
                        "{{target}} {{pool}}",
                    )
                ],
                unit="percentunit",
                minimum=0,
                maximum=1,
            ),
            Panel(
                "bargauge",
                Text("Pemakaian disk server aplikasi", "Application server disk use"),
                Text(
                    "Bagian setiap area penyimpanan disk yang terpakai (hrStorageTable).",
                    "Used share of each disk storage area (hrStorageTable).",
                ),
                [
                    Query(
                        f"pantau_device_storage_used_bytes{{{DISKS}, {SERVERS}}}"
                        " / (pantau_device_storage_size_bytes"
                        f"{{{DISKS}, {SERVERS}}} > 0)",
                        "{{target}} {{storage}}",
                        instant=True,
                    )
                ],
                unit="percentunit",
                minimum=0,
                maximum=1,
                thresholds=[(None, "green"), (0.8, "yellow"), (0.9, "red")],
            ),
            *service_panels(),
        ],
    )


SERVICE_CHECKS = 'probe=~"tcp|http|tls|dns"'


def service_panels() -> list[Panel]:
    """Panels of the application-service checks: results, response times, certificates."""
    return [
        Panel(
            "stat",
            Text("Layanan aplikasi", "Application services"),
            Text(
                "Hasil terakhir setiap pemeriksaan layanan (TCP, HTTP, TLS, DNS) per server.",
                "Last result of every service check (TCP, HTTP, TLS, DNS) per server.",
            ),
            status_queries(
                f"pantau_probe_success{{{SERVICE_CHECKS}, {SERVERS}}}", "{{target}} {{probe}}"
            ),
            width=12,
            height=6,
            mappings=REACHABILITY_STATES,
            links=[DRILL_DOWN_LINK],
            options={
                "colorMode": "background",
                "graphMode": "none",
                "textMode": "value_and_name",
            },
        ),
        Panel(
            "bargauge",
            Text("Sisa masa berlaku sertifikat", "Certificate validity left"),
            Text(
                "Hari sampai sertifikat TLS setiap layanan berakhir; kuning di bawah 21 hari, "
                "merah di bawah 7 hari.",
                "Days until each service's TLS certificate expires; yellow under 21 days, "
                "red under 7 days.",
            ),
            [
                Query(
                    f"min by (target, probe) (pantau_tls_cert_days_left{{{SERVERS}}})",
                    "{{target}} {{probe}}",
                    instant=True,
                )
            ],
            width=12,
            height=6,
            unit="d",
            minimum=0,
            thresholds=[(None, "red"), (7, "yellow"), (21, "green")],
        ),
        Panel(
            "timeseries",
            Text("Waktu respons layanan", "Service response time"),
            Text(
                "Lama setiap pemeriksaan layanan dari awal sampai jawaban lengkap.",
                "Duration of each service check from start to the complete answer.",
            ),
            [
                Query(
                    f"pantau_probe_duration_seconds{{{SERVICE_CHECKS}, {SERVERS}}}",
                    "{{target}} {{probe}}",
                )
            ],
            unit="s",
            minimum=0,
        ),
        Panel(
            "timeseries",
            Text("Fase HTTP", "HTTP phases"),
            Text(
                "Waktu resolusi nama, koneksi, jabat tangan TLS, pemrosesan (sampai byte "
                "pertama) dan transfer pemeriksaan HTTP terakhir.",
                "Name resolution, connect, TLS handshake, processing (to the first byte) "
                "and transfer time of the last HTTP check.",
            ),
            [
                Query(
                    f"sum by (target, phase) (pantau_http_duration_seconds{{{SERVERS}}})",
                    "{{target}} {{phase}}",
                )
            ],
            unit="s",
            minimum=0,
        ),
        Panel(
            "timeseries",
            Text("Ketersediaan layanan (24 jam)", "Service availability (24 h)"),
            Text(
                "Bagian pemeriksaan layanan yang berhasil selama 24 jam terakhir.",
                "Share of service checks that passed over the last 24 hours.",
            ),
            [
                Query(
                    f"avg_over_time(pantau_probe_success{{{SERVICE_CHECKS}, {SERVERS}}}[24h])",
                    "{{target}} {{probe}}",
                )
            ],
            unit="percentunit",
            minimum=0,
            maximum=1,
        ),
    ]


def latency_row() -> Row:
    rtt = "target:pantau_icmp_rtt_seconds:histogram_quantile_rate5m"
    return Row(
        Text("Latensi dan kehilangan paket", "Latency and packet loss"),
        [
            Panel(
                "timeseries",
                Text(
                    "Latensi (RTT) $target: median dan pita persentil",
                    "Latency (RTT) of $target: median and percentile band",
                ),
                Text(
                    "Seperti SmokePing: garis median waktu tempuh bolak-balik, dengan pita "
                    "sampai persentil 90 dan 99, dari histogram RTT selama 5 menit. Satu "
                    "panel untuk setiap target yang dipilih.",
                    "In the SmokePing manner: the median round-trip time as a line, with a "
                    "band up to the 90th and 99th percentile, from the RTT histogram over 5 "
                    "minutes. One panel for each chosen target.",
                ),
                [
                    Query(f'{rtt}{{quantile="0.5", {SCOPE}}}', "median"),
                    Query(f'{rtt}{{quantile="0.9", {SCOPE}}}', "p90"),
                    Query(f'{rtt}{{quantile="0.99", {SCOPE}}}', "p99"),
                ],
                width=24,
                height=9,
                unit="s",
                # Grafana draws one copy per value of $target, so each band
                # belongs to one target and fillBelowTo can name its series.
                repeat="target",
                overrides=[
                    {
                        "matcher": {"id": "byName", "options": "p90"},
                        "properties": [
                            {"id": "custom.fillBelowTo", "value": "median"},
                            {"id": "custom.lineWidth", "value": 0},
                            {"id": "custom.fillOpacity", "value": 30},
                        ],
                    },
                    {
                        "matcher": {"id": "byName", "options": "p99"},
                        "properties": [
                            {"id": "custom.fillBelowTo", "value": "p90"},
                            {"id": "custom.lineWidth", "value": 0},
                            {"id": "custom.fillOpacity", "value": 15},
                        ],
                    },
                    {
                        "matcher": {"id": "byName", "options": "median"},
                        "properties": [{"id": "custom.lineWidth", "value": 2}],
                    },
                ],
            ),
            Panel(
                "timeseries",
                Text("Kehilangan paket", "Packet loss"),
                Text(
                    "Bagian paket ICMP yang hilang selama 5 menit: 1 - diterima / dikirim. "
                    "Balasan terlambat dihitung hilang.",
                    "Share of ICMP packets lost over 5 minutes: 1 - received / sent. Late "
                    "replies count as lost.",
                ),
                [
                    Query(
                        "clamp_min(1 - sum by (target) (rate(pantau_icmp_packets_received_total"
                        f"{{{SCOPE}}}[5m])) / (sum by (target) (rate(pantau_icmp_packets_sent_total"
                        f"{{{SCOPE}}}[5m])) > 0), 0)",
                        "{{target}}",
                    )
                ],
                width=24,
                height=9,
                unit="percentunit",
                minimum=0,
                maximum=1,
            ),
        ],
    )


def interfaces_row() -> Row:
    scope = SCOPE
    return Row(
        Text("Lalu lintas dan pemakaian antarmuka", "Interface traffic and utilisation"),
        [
            Panel(
                "bargauge",
                Text(
                    "10 antarmuka tersibuk (pemakaian bandwidth)",
                    "10 busiest interfaces (bandwidth utilisation)",
                ),
                Text(
                    "Pemakaian bandwidth tertinggi antara dua polling SNMP terakhir, per arah.",
                    "Highest bandwidth utilisation between the last two SNMP polls, per direction.",
                ),
                [
                    Query(
                        f"topk(10, pantau_interface_utilisation_ratio{{{scope}}})",
                        "{{target}} {{if_name}} {{direction}}",
                        instant=True,
                    )
                ],
                width=12,
                height=9,
                unit="percentunit",
                minimum=0,
                maximum=1,
                thresholds=[(None, "green"), (0.7, "yellow"), (0.9, "red")],
            ),
            Panel(
                "timeseries",
                Text("Lalu lintas antarmuka", "Interface traffic"),
                Text(
                    "Bit per detik yang diterima (positif) dan dikirim (negatif) oleh "
                    "10 antarmuka tersibuk.",
                    "Bits per second received (positive) and sent (negative) by the 10 "
                    "busiest interfaces.",
                ),
                [
                    Query(
                        f"topk(10, rate(pantau_interface_receive_bytes_total{{{scope}}}[5m]) * 8)",
                        "{{target}} {{if_name}} rx",
                    ),
                    Query(
                        "-topk(10, rate(pantau_interface_transmit_bytes_total"
                        f"{{{scope}}}[5m]) * 8)",
                        "{{target}} {{if_name}} tx",
                    ),
                ],
                width=12,
                height=9,
                unit="bps",
            ),
            Panel(
                "timeseries",
                Text("Galat antarmuka", "Interface errors"),
                Text(
                    "Paket dengan galat per detik, masuk dan keluar (ifInErrors, ifOutErrors).",
                    "Packets with errors per second, in and out (ifInErrors, ifOutErrors).",
                ),
                [
                    Query(
                        f"rate(pantau_interface_receive_errors_total{{{scope}}}[5m])",
                        "{{target}} {{if_name}} in",
                    ),
                    Query(
                        f"rate(pantau_interface_transmit_errors_total{{{scope}}}[5m])",
                        "{{target}} {{if_name}} out",
                    ),
                ],
                width=12,
                unit="pps",
            ),
            Panel(
                "timeseries",
                Text("Paket dibuang antarmuka", "Interface discards"),
                Text(
                    "Paket yang dibuang per detik, masuk dan keluar (ifInDiscards, ifOutDiscards).",
                    "Packets discarded per second, in and out (ifInDiscards, ifOutDiscards).",
                ),
                [
                    Query(
                        f"rate(pantau_interface_receive_discards_total{{{scope}}}[5m])",
                        "{{target}} {{if_name}} in",
                    ),
                    Query(
                        f"rate(pantau_interface_transmit_discards_total{{{scope}}}[5m])",
                        "{{target}} {{if_name}} out",
                    ),
                ],
                width=12,
                unit="pps",
            ),
        ],
    )


def devices_row() -> Row:
    return Row(
        Text("Kesehatan perangkat", "Device health"),
        [
            Panel(
                "timeseries",
                Text("Beban CPU perangkat", "Device CPU load"),
                Text(
                    "Beban prosesor yang dilaporkan perangkat lewat SNMP, rata-rata per perangkat.",
                    "Processor load that the device reports over SNMP, averaged per device.",
                ),
                [
                    Query(
                        f"avg by (target, window) (pantau_device_cpu_load_ratio{{{SCOPE}}})",
                        "{{target}} {{window}}s",
                    )
                ],
                unit="percentunit",
                minimum=0,
                maximum=1,
            ),
            Panel(
                "timeseries",
                Text("Pemakaian memori perangkat", "Device memory use"),
                Text(
                    "Bagian memori terpakai per perangkat, semua kumpulan memori dijumlahkan.",
                    "Used share of memory per device, all memory pools summed.",
                ),
                [
                    Query(
                        f"sum by (target) (pantau_device_memory_used_bytes{{{SCOPE}}})"
                        f" / (sum by (target) (pantau_device_memory_size_bytes{{{SCOPE}}}) > 0)",
                        "{{target}}",
                    )
                ],
                unit="percentunit",
                minimum=0,
                maximum=1,
            ),
            Panel(
                "timeseries",
                Text("Perangkat dinyalakan ulang (24 jam)", "Device reboots (24 hours)"),
                Text(
                    "Berapa kali perangkat dinyalakan ulang dalam 24 jam, dilihat dari "
                    "sysUpTime yang turun.",
                    "How often the device rebooted in 24 hours, seen as sysUpTime going down.",
                ),
                [
                    Query(
                        f"increase(pantau_snmp_reboots_total{{{SCOPE}}}[24h])",
                        "{{target}}",
                    )
                ],
                unit="short",
                minimum=0,
            ),
        ],
    )


def host_row() -> Row:
    return Row(
        Text("Mesin Pantau", "The Pantau machine"),
        [
            Panel(
                "timeseries",
                Text("CPU mesin Pantau", "Pantau machine CPU"),
                Text(
                    "Bagian waktu CPU yang tidak menganggur, semua CPU.",
                    "Share of CPU time not idle, all CPUs.",
                ),
                [
                    Query(
                        "1 - avg by (instance) (rate(pantau_node_cpu_seconds_total"
                        f'{{mode="idle", {INSTANCE}}}[5m]))',
                        "{{instance}}",
                    )
                ],
                width=6,
                unit="percentunit",
                minimum=0,
                maximum=1,
            ),
            Panel(
                "timeseries",
                Text("Memori mesin Pantau", "Pantau machine memory"),
                Text(
                    "Bagian memori yang tidak tersedia untuk pekerjaan baru (MemAvailable).",
                    "Share of memory not available for new work (MemAvailable).",
                ),
                [
                    Query(
                        f"1 - pantau_node_memory_available_bytes{{{INSTANCE}}}"
                        f" / pantau_node_memory_total_bytes{{{INSTANCE}}}",
                        "{{instance}}",
                    )
                ],
                width=6,
                unit="percentunit",
                minimum=0,
                maximum=1,
            ),
            Panel(
                "bargauge",
                Text("Ruang disk mesin Pantau", "Pantau machine disk space"),
                Text(
                    "Bagian setiap sistem berkas yang terpakai, dilihat dari ruang untuk "
                    "pengguna biasa.",
                    "Used share of each file system, seen from the space that unprivileged "
                    "users can fill.",
                ),
                [
                    Query(
                        f"1 - pantau_node_filesystem_avail_bytes{{{INSTANCE}}}"
                        f" / (pantau_node_filesystem_size_bytes{{{INSTANCE}}} > 0)",
                        "{{mountpoint}}",
                        instant=True,
                    )
                ],
                width=6,
                unit="percentunit",
                minimum=0,
                maximum=1,
                thresholds=[(None, "green"), (0.8, "yellow"), (0.9, "red")],
            ),
            Panel(
                "timeseries",
                Text("Beban mesin Pantau", "Pantau machine load"),
                Text(
                    "Rata-rata beban 1, 5 dan 15 menit.",
                    "Load average over 1, 5 and 15 minutes.",
                ),
                [
                    Query(f"pantau_node_load1{{{INSTANCE}}}", "1m {{instance}}"),
                    Query(f"pantau_node_load5{{{INSTANCE}}}", "5m {{instance}}"),
                    Query(f"pantau_node_load15{{{INSTANCE}}}", "15m {{instance}}"),
                ],
                width=6,
                unit="short",
            ),
        ],
    )


def self_health_row() -> Row:
    return Row(
        Text("Kesehatan Pantau", "Pantau's own health"),
        [
            Panel(
                "stat",
                Text("Muat ulang konfigurasi", "Configuration reload"),
                Text(
                    "Hasil pemuatan atau pemuatan ulang konfigurasi terakhir. Bila gagal, "
                    "Pantau tetap memakai konfigurasi lama.",
                    "Result of the last configuration load or reload. After a failure "
                    "Pantau keeps the previous configuration.",
                ),
                status_queries(
                    f"pantau_config_last_reload_successful{{{INSTANCE}}}", "{{instance}}"
                ),
                width=6,
                height=6,
                mappings=RELOAD_STATES,
                options={
                    "colorMode": "background",
                    "graphMode": "none",
                    "textMode": "value_and_name",
                },
            ),
            Panel(
                "stat",
                Text("Notifikasi tertunda", "Pending notifications"),
                Text(
                    "Peringatan yang antre dan belum terkirim, semua kanal. 0 juga saat "
                    "tidak ada kanal yang dikonfigurasi.",
                    "Alerts queued and not yet delivered, all channels. 0 also when no "
                    "channel is configured.",
                ),
                status_queries(
                    f"sum by (instance) (pantau_notifications_pending{{{INSTANCE}}})"
                    f" or sum by (instance) (0 * pantau_build_info{{{INSTANCE}}})",
                    "{{instance}}",
                ),
                width=6,
                height=6,
                thresholds=[(None, "green"), (1, "yellow"), (20, "red")],
                options={"colorMode": "background", "graphMode": "area"},
            ),
            Panel(
                "stat",
                Text("Galat tulis penyimpanan (1 jam)", "Storage write errors (1 hour)"),
                Text(
                    "Kegagalan menyimpan ke basis data SQLite dalam satu jam (disk penuh, "
                    "basis data terkunci, galat I/O).",
                    "Failed commits to the SQLite database in one hour (disk full, "
                    "database locked, I/O error).",
                ),
                status_queries(
                    f"increase(pantau_storage_write_errors_total{{{INSTANCE}}}[1h])",
                    "{{instance}}",
                ),
                width=6,
                height=6,
                thresholds=[(None, "green"), (1, "red")],
                options={"colorMode": "background", "graphMode": "none"},
            ),
            Panel(
                "stat",
                Text("Putaran probe terlewat (1 jam)", "Probe runs skipped (1 hour)"),
                Text(
                    "Putaran probe yang tidak dimulai tepat waktu atau dihentikan karena "
                    "melewati batas waktu.",
                    "Probe runs not started on time or cut off for exceeding their run timeout.",
                ),
                status_queries(
                    "sum by (instance) (increase(pantau_scheduler_skipped_runs_total"
                    f"{{{INSTANCE}}}[1h])) + sum by (instance) (increase("
                    f"pantau_probe_timeouts_total{{{INSTANCE}}}[1h]))",
                    "{{instance}}",
                ),
                width=6,
                height=6,
                thresholds=[(None, "green"), (1, "yellow")],
                options={"colorMode": "background", "graphMode": "none"},
            ),
            Panel(
                "timeseries",
                Text("Keterlambatan penjadwal", "Scheduler lag"),
                Text(
                    "Persentil 99 jeda antara waktu jadwal probe dan waktu probe dimulai.",
                    "99th percentile of the delay between a probe run's scheduled time and "
                    "its start.",
                ),
                [
                    Query(
                        "histogram_quantile(0.99, sum by (instance, le) "
                        f"(rate(pantau_scheduler_lag_seconds_bucket{{{INSTANCE}}}[5m])))",
                        "p99 {{instance}}",
                    )
                ],
                unit="s",
            ),
            Panel(
                "timeseries",
                Text("Durasi probe", "Probe duration"),
                Text(
                    "Durasi putaran probe terakhir, terlama per jenis probe.",
                    "Duration of the last probe run, the longest per probe kind.",
                ),
                [
                    Query(
                        f"max by (instance, probe) (pantau_probe_duration_seconds{{{INSTANCE}}})",
                        "{{probe}} {{instance}}",
                    )
                ],
                unit="s",
            ),
            Panel(
                "timeseries",
                Text("Durasi scrape Prometheus", "Prometheus scrape duration"),
                Text(
                    "Waktu yang dibutuhkan Prometheus untuk mengambil /metrics dari Pantau.",
                    "Time Prometheus takes to fetch /metrics from Pantau.",
                ),
                [
                    Query(
                        f"scrape_duration_seconds{{{INSTANCE}}}"
                        f" and on (job, instance) pantau_build_info{{{INSTANCE}}}",
                        "{{instance}}",
                    )
                ],
                unit="s",
            ),
        ],
    )


ROWS = [
    overview_row,
    executive_row,
    servers_row,
    latency_row,
    interfaces_row,
    devices_row,
    host_row,
    self_health_row,
]


def field_config(panel: Panel, language: str) -> dict[str, Any]:
    thresholds = panel.thresholds or [(None, "green")]
    defaults: dict[str, Any] = {
        "color": {
            "mode": "thresholds" if panel.mappings or panel.thresholds else "palette-classic"
        },
        "thresholds": {
            "mode": "absolute",
            "steps": [{"color": colour, "value": value} for value, colour in thresholds],
        },
        "mappings": [],
    }
    if panel.mappings:
        defaults["mappings"] = [
            {
                "type": "value",
                "options": {
                    str(value): {"text": text.pick(language), "color": colour, "index": index}
                    for index, (value, colour, text) in enumerate(panel.mappings)
                },
            }
        ]
    if panel.unit:
        defaults["unit"] = panel.unit
    if panel.minimum is not None:
        defaults["min"] = panel.minimum
    if panel.maximum is not None:
        defaults["max"] = panel.maximum
    if panel.links:
        defaults["links"] = [
            {"title": title.pick(language), "url": url} for title, url in panel.links
        ]
    return {"defaults": defaults, "overrides": localise_overrides(panel.overrides, language)}


def localise_overrides(overrides: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """Replace the drill-down placeholder by the link and rename the table's columns."""
    duration = "durasi" if language == "id" else "duration"
    result = json.loads(json.dumps(overrides).replace('"durasi"', json.dumps(duration)))
    for override in result:
        for prop in override["properties"]:
            if prop["value"] == "TABLE_DRILL_DOWN":
                title, url = TABLE_DRILL_DOWN_LINK
                prop["value"] = [{"title": title.pick(language), "url": url}]
    return result


def panel_options(panel: Panel) -> dict[str, Any]:
    if panel.kind == "stat":
        options = {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "orientation": "auto",
            "justifyMode": "auto",
            "textMode": "auto",
            "colorMode": "value",
            "graphMode": "area",
        }
    elif panel.kind == "bargauge":
        options = {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "orientation": "horizontal",
            "displayMode": "gradient",
            "showUnfilled": True,
        }
    elif panel.kind == "timeseries":
        options = {
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "desc"},
        }
    else:
        options = {"showHeader": True, "cellHeight": "sm"}
    options.update(panel.options)
    return options


def render_targets(panel: Panel) -> list[dict[str, Any]]:
    targets = []
    for index, query in enumerate(panel.queries):
        target: dict[str, Any] = {
            "datasource": DATASOURCE,
            "refId": chr(ord("A") + index),
            "expr": query.expr,
            "legendFormat": query.legend or "__auto",
            "range": not query.instant,
            "instant": query.instant,
        }
        if query.table:
            target["format"] = "table"
        targets.append(target)
    return targets


def table_transformations(panel: Panel, language: str) -> list[dict[str, Any]]:
    if language == "id":
        return panel.transformations
    text = json.dumps(panel.transformations).replace('"durasi"', '"duration"')
    return json.loads(text)


def layout(language: str) -> list[dict[str, Any]]:
    """Place every row and panel on Grafana's 24-column grid, left to right, top to bottom."""
    panels: list[dict[str, Any]] = []
    next_id = 1
    y = 0
    for build_row in ROWS:
        row = build_row()
        panels.append(
            {
                "type": "row",
                "id": next_id,
                "title": row.title.pick(language),
                "collapsed": False,
                "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y},
                "panels": [],
            }
        )
        next_id += 1
        y += 1
        x = 0
        line_height = 0
        for panel in row.panels:
            if x + panel.width > GRID_WIDTH:
                y += line_height
                x = 0
                line_height = 0
            panels.append(
                {
                    "type": panel.kind,
                    "id": next_id,
                    "title": panel.title.pick(language),
                    "description": panel.description.pick(language),
                    "datasource": DATASOURCE,
                    "gridPos": {"h": panel.height, "w": panel.width, "x": x, "y": y},
                    "targets": render_targets(panel),
                    "fieldConfig": field_config(panel, language),
                    "options": panel_options(panel),
                    "transformations": table_transformations(panel, language),
                }
            )
            if panel.repeat:
                panels[-1].update({"repeat": panel.repeat, "repeatDirection": "h", "maxPerRow": 2})
            next_id += 1
            x += panel.width
            line_height = max(line_height, panel.height)
        y += line_height
    return panels


def query_variable(name: str, label: Text, query: str, language: str) -> dict[str, Any]:
    return {
        "name": name,
        "label": label.pick(language),
        "type": "query",
        "datasource": DATASOURCE,
        "definition": query,
        "query": {"query": query, "refId": f"{name}-variable"},
        "refresh": 2,
        "includeAll": True,
        "multi": True,
        "allValue": ".*",
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "options": [],
        "regex": "",
        "sort": 1,
        "hide": 0,
    }


def variables(language: str) -> list[dict[str, Any]]:
    return [
        query_variable(
            "instance",
            Text("Instans Pantau", "Pantau instance"),
            "label_values(pantau_build_info, instance)",
            language,
        ),
        query_variable(
            "network",
            Text("Jaringan", "Network"),
            'label_values(pantau_target_info{instance=~"$instance"}, network)',
            language,
        ),
        query_variable(
            "group",
            Text("OPD", "OPD"),
            'label_values(pantau_target_info{instance=~"$instance", network=~"$network"}, group)',
            language,
        ),
        query_variable(
            "target",
            Text("Target", "Target"),
            'label_values(pantau_target_info{instance=~"$instance", network=~"$network", '
            'group=~"$group"}, target)',
            language,
        ),
    ]


def dashboard(language: str) -> dict[str, Any]:
    """Build the whole dashboard document in ``language`` (id or en)."""
    title = Text("Pantau: NOC Diskominfo", "Pantau: Diskominfo NOC").pick(language)
    description = Text(
        "OPD mana yang gangguan, sejak kapan, dan apakah masalahnya di jaringan atau di server.",
        "Which OPD is down, since when, and whether the network or the server is at fault.",
    ).pick(language)
    return {
        "__inputs": [
            {
                "name": "DS_PROMETHEUS",
                "label": "Prometheus",
                "description": Text(
                    "Prometheus yang mengambil metrik Pantau", "The Prometheus that scrapes Pantau"
                ).pick(language),
                "type": "datasource",
                "pluginId": "prometheus",
                "pluginName": "Prometheus",
            }
        ],
        "__elements": {},
        "__requires": [
            {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.0.0"},
            {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"},
            {"type": "panel", "id": "stat", "name": "Stat", "version": ""},
            {"type": "panel", "id": "table", "name": "Table", "version": ""},
            {"type": "panel", "id": "timeseries", "name": "Time series", "version": ""},
            {"type": "panel", "id": "bargauge", "name": "Bar gauge", "version": ""},
        ],
        "annotations": {"list": []},
        "description": description,
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "id": None,
        "links": [],
        "panels": layout(language),
        "refresh": "30s",
        "schemaVersion": 38,
        "tags": ["pantau", "noc"],
        "templating": {"list": variables(language)},
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "title": title,
        "uid": UIDS[language],
        "version": 1,
        "weekStart": "",
    }


def render(language: str) -> str:
    """Return the dashboard in ``language`` as the JSON text that is committed."""
    return json.dumps(dashboard(language), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a committed dashboard differs from the generated one",
    )
    args = parser.parse_args(argv)

    stale = []
    for language, path in OUTPUTS.items():
        text = render(language)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(
            f"{path.name} differs from what dashboards/build.py generates; "
            f"{path.name} berbeda dari hasil dashboards/build.py. "
            "Run / jalankan: python dashboards/build.py",
            file=sys.stderr,
        )
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
