"""Readiness report: sections, verdict rules, reasons, and the text, CSV and HTML renderers."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import replace
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from monitor import cli, cli_report, config, history, report, storage
from monitor.config import ReportSettings
from monitor.report import (
    EXECUTIVE,
    NEEDS_IMPROVEMENT,
    NOT_READY,
    OPD,
    READY,
    SERVER,
    DailyPoint,
    IsolationCheck,
    Section,
    Uplink,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
# November 2026 in WIB.
NOVEMBER_START = datetime(2026, 11, 1, tzinfo=JAKARTA).timestamp()
NOVEMBER_END = datetime(2026, 12, 1, tzinfo=JAKARTA).timestamp()
NOW = datetime(2026, 12, 5, 8, 30, tzinfo=JAKARTA).timestamp()
DAY = 86400.0
MONTH = NOVEMBER_END - NOVEMBER_START
SETTINGS = ReportSettings()
HOSTILE_GROUP = '<script>alert("x")</script> & Dinas <b>Baru</b>'


def make_section(**overrides: Any) -> Section:
    """Build a section that passes every threshold, then judge it with the default settings."""
    availability = overrides.pop("availability", 0.999)
    responsible = MONTH * 0.99
    up = responsible * (availability or 0.0)
    seconds = {
        "up": up,
        "degraded": 0.0,
        "down": responsible - up,
        "unreachable": MONTH * 0.002,
        "maintenance": MONTH * 0.008,
        "unknown": 0.0,
    }
    fields: dict[str, Any] = {
        "kind": OPD,
        "name": "Bappeda",
        "targets": ("bappeda-router",),
        "unconfigured": 0,
        "period_seconds": MONTH,
        "seconds": seconds,
        "availability": availability,
        "coverage": 1.0,
        "incidents": 2,
        "downtime": responsible - up,
        "longest_downtime": 1800.0,
        "mttr": 900.0,
        "rtt_median": 0.012,
        "rtt_p95": 0.030,
        "loss": 0.001,
        "uplinks": (),
        "headroom": {},
        "reboots": 1,
        "isolation": (),
        "daily": tuple(
            DailyPoint(NOVEMBER_START + day * DAY, availability, 0.012, 0.030, 0.4)
            for day in range(30)
        ),
        "verdict": READY,
        "findings": (),
    }
    fields.update(overrides)
    section = Section(**fields)
    findings = report.judge(section, SETTINGS)
    return replace(section, verdict=report.verdict_of(findings), findings=tuple(findings))


def make_uplink(p95: float | None, peak: float | None = 0.95, busiest: bool = False) -> Uplink:
    return Uplink("bappeda-router", 2, "ether1", busiest, p95, peak, (p95,) * 30)


def make_report(*sections: Section) -> report.Report:
    return report.Report(
        start=NOVEMBER_START,
        end=NOVEMBER_END,
        measured_end=NOVEMBER_END,
        now=NOW,
        timezone="Asia/Jakarta",
        rolled_until=NOVEMBER_END + 3 * DAY,
        settings=SETTINGS,
        sections=sections,
        days=tuple(NOVEMBER_START + day * DAY for day in range(30)),
    )


def sample_report() -> report.Report:
    """Return a report with one section of each verdict and kind, and a hostile group name."""
    return make_report(
        make_section(name="Bappeda", availability=0.9995),
        make_section(name="Dinas Kesehatan", availability=0.99, targets=("dinkes-router",)),
        make_section(name="BPBD", availability=0.978, targets=("bpbd-router",)),
        make_section(name=HOSTILE_GROUP, targets=("baru-router",), uplinks=(make_uplink(0.5),)),
        make_section(
            kind=EXECUTIVE,
            name="",
            targets=("bupati-ap",),
            isolation=(
                IsolationCheck(
                    "eksekutif-dari-opd", "Setda", 300.0, 1, NOVEMBER_START + DAY, MONTH
                ),
                IsolationCheck("eksekutif-dari-dinkes", "Setda", 0.0, 0, None, MONTH),
            ),
        ),
        make_section(
            kind=SERVER,
            name="",
            targets=("simpeg-server",),
            headroom={"cpu": (0.45, "simpeg-server"), "memory": (0.15, "simpeg-server")},
        ),
    )


# Sections ----------------------------------------------------------------------------


def write_config(tmp_path: Path, targets: str, extra: str = "") -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(
        '[daemon]\ndatabase = "pantau.db"\ntimezone = "Asia/Jakarta"\n' + extra + targets,
        encoding="utf-8",
    )
    return path


def target(name: str, address: str, group: str, network: str, **extra: str) -> str:
    lines = [
        "[[targets]]",
        f'name = "{name}"',
        f'address = "{address}"',
        f'group = "{group}"',
        f'network = "{network}"',
    ]
    lines += [f"{key} = {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n\n"


def test_sections_split_opd_executive_server(tmp_path: Path) -> None:
    targets = (
        target("dinkes-router", "127.0.0.2", "Dinas Kesehatan", "opd")
        + target("bappeda-router", "127.0.0.3", "Bappeda", "opd")
        + target("bappeda-ap", "198.51.100.4", "Bappeda", "opd")
        + target("bupati-ap", "127.0.0.5", "Setda", "eksekutif")
        + target("eksekutif-dari-opd", "127.0.0.6", "Setda", "opd", expect='"unreachable"')
        + target("simpeg", "127.0.0.7", "BKPSDM", "server")
        + target("sipd", "127.0.0.8", "BPKAD", "server")
    )
    inventory = config.load(write_config(tmp_path, targets), environ={})
    plans = report.plan_sections(inventory.targets, inventory.report)

    assert [(plan.kind, plan.name) for plan in plans] == [
        (OPD, "Bappeda"),
        (OPD, "Dinas Kesehatan"),
        (EXECUTIVE, ""),
        (SERVER, "BKPSDM"),
        (SERVER, "BPKAD"),
    ]
    assert [t.name for t in plans[0].targets] == ["bappeda-router"]
    assert plans[0].unconfigured == 1
    assert [t.name for t in plans[2].targets] == ["bupati-ap"]
    assert [t.name for t in plans[2].isolation] == ["eksekutif-dari-opd"]


def test_placeholder_isolation_check_not_listed(tmp_path: Path) -> None:
    targets = target("a", "127.0.0.2", "Bappeda", "opd") + target(
        "eksekutif-dari-opd", "192.0.2.9", "Setda", "opd", expect='"unreachable"'
    )
    inventory = config.load(write_config(tmp_path, targets), environ={})
    plans = report.plan_sections(inventory.targets, inventory.report)
    assert [(plan.kind, plan.name) for plan in plans] == [(OPD, "Bappeda"), (EXECUTIVE, "")]
    assert plans[1].isolation == []
    assert plans[1].unconfigured == 1


def test_single_server_group_has_no_name(tmp_path: Path) -> None:
    targets = target("a", "127.0.0.2", "Bappeda", "opd") + target(
        "simpeg", "127.0.0.7", "BKPSDM", "server"
    )
    inventory = config.load(write_config(tmp_path, targets), environ={})
    plans = report.plan_sections(inventory.targets, inventory.report)
    assert [(plan.kind, plan.name) for plan in plans] == [(OPD, "Bappeda"), (SERVER, "")]


def test_configured_networks_choose_sections(tmp_path: Path) -> None:
    extra = '[report]\nexecutive_networks = ["vip"]\nserver_networks = ["dc"]\n\n'
    targets = target("ap", "127.0.0.2", "Setda", "vip") + target("db", "127.0.0.3", "DC", "dc")
    inventory = config.load(write_config(tmp_path, targets, extra), environ={})
    plans = report.plan_sections(inventory.targets, inventory.report)
    assert [(plan.kind, plan.name) for plan in plans] == [(EXECUTIVE, ""), (SERVER, "")]


# Verdict rules at the boundaries ------------------------------------------------------


@pytest.mark.parametrize(
    ("availability", "expected"),
    [
        (1.0, READY),
        (0.995, READY),
        (0.99499, NEEDS_IMPROVEMENT),
        (0.98, NEEDS_IMPROVEMENT),
        (0.97999, NOT_READY),
    ],
)
def test_availability_verdict(availability: float, expected: str) -> None:
    assert make_section(availability=availability).verdict == expected


@pytest.mark.parametrize(
    ("rtt_p95", "expected"),
    [(0.050, READY), (0.0501, NEEDS_IMPROVEMENT), (0.150, NEEDS_IMPROVEMENT), (0.1501, NOT_READY)],
)
def test_rtt_verdict(rtt_p95: float, expected: str) -> None:
    assert make_section(rtt_p95=rtt_p95).verdict == expected


@pytest.mark.parametrize(
    ("loss", "expected"),
    [(0.01, READY), (0.0101, NEEDS_IMPROVEMENT), (0.05, NEEDS_IMPROVEMENT), (0.0501, NOT_READY)],
)
def test_loss_verdict(loss: float, expected: str) -> None:
    assert make_section(loss=loss).verdict == expected


@pytest.mark.parametrize(
    ("p95", "expected"),
    [(0.70, READY), (0.7001, NEEDS_IMPROVEMENT), (0.90, NEEDS_IMPROVEMENT), (0.9001, NOT_READY)],
)
def test_uplink_verdict(p95: float, expected: str) -> None:
    assert make_section(uplinks=(make_uplink(p95),)).verdict == expected


@pytest.mark.parametrize(
    ("headroom", "expected"),
    [(0.20, READY), (0.1999, NEEDS_IMPROVEMENT), (0.05, NEEDS_IMPROVEMENT), (0.0499, NOT_READY)],
)
@pytest.mark.parametrize("resource", ["cpu", "memory", "disk"])
def test_headroom_verdict(resource: str, headroom: float, expected: str) -> None:
    section = make_section(kind=SERVER, headroom={resource: (headroom, "simpeg")})
    assert section.verdict == expected


def test_coverage_minimum_is_inclusive() -> None:
    assert make_section(coverage=0.90).verdict == READY


def test_low_coverage_caps_verdict() -> None:
    section = make_section(coverage=0.72)
    assert section.verdict == NEEDS_IMPROVEMENT
    assert [f.metric for f in section.findings] == ["coverage"]


def test_low_coverage_keeps_not_ready() -> None:
    assert make_section(coverage=0.72, availability=0.9).verdict == NOT_READY


def test_no_data_is_not_ready_nor_ready() -> None:
    section = make_section(availability=None, coverage=0.0, rtt_p95=None, loss=None)
    assert section.verdict == NEEDS_IMPROVEMENT
    assert [f.metric for f in section.findings] == ["coverage"]


def test_isolation_breach_is_not_ready() -> None:
    breach = IsolationCheck("eksekutif-dari-opd", "Setda", 60.0, 1, NOVEMBER_START, MONTH)
    section = make_section(kind=EXECUTIVE, isolation=(breach,))
    assert section.verdict == NOT_READY
    assert [f.metric for f in section.findings] == ["isolation"]


def test_isolation_held_is_ready() -> None:
    held = IsolationCheck("eksekutif-dari-opd", "Setda", 0.0, 0, None, MONTH)
    assert make_section(kind=EXECUTIVE, isolation=(held,)).verdict == READY


def test_isolation_without_data_needs_improvement() -> None:
    silent = IsolationCheck("eksekutif-dari-opd", "Setda", 0.0, 0, None, 0.0)
    assert make_section(kind=EXECUTIVE, isolation=(silent,)).verdict == NEEDS_IMPROVEMENT


def test_worst_finding_decides() -> None:
    section = make_section(availability=0.99, rtt_p95=0.2, loss=0.02)
    assert section.verdict == NOT_READY
    assert [f.verdict for f in section.findings] == [
        NEEDS_IMPROVEMENT,
        NOT_READY,
        NEEDS_IMPROVEMENT,
    ]


def test_thresholds_come_from_settings() -> None:
    section = make_section(availability=0.99)
    strict = replace(SETTINGS, availability_ready=0.9, availability_minimum=0.8)
    assert report.judge(section, strict) == []


# Reasons in both languages -----------------------------------------------------------


def reasons(section: Section, language: str) -> list[str]:
    form = report._Format(language, "Asia/Jakarta")
    return [form.finding(finding) for finding in section.findings]


def test_availability_reason_in_both_languages() -> None:
    section = make_section(availability=0.978)
    assert reasons(section, "id") == ["ketersediaan 97,8 % di bawah batas minimum 98 %"]
    assert reasons(section, "en") == ["availability 97.8 % below the minimum 98 %"]


def test_ready_threshold_reason_in_both_languages() -> None:
    section = make_section(availability=0.985)
    assert reasons(section, "id") == ["ketersediaan 98,5 % di bawah target 99,5 %"]
    assert reasons(section, "en") == ["availability 98.5 % below the target 99.5 %"]


def test_value_near_threshold_gets_more_digits() -> None:
    section = make_section(availability=0.99496)
    assert reasons(section, "id") == ["ketersediaan 99,496 % di bawah target 99,5 %"]


def test_rtt_and_loss_reasons() -> None:
    section = make_section(rtt_p95=0.1804, loss=0.062)
    assert reasons(section, "id") == [
        "RTT p95 180,4 ms di atas batas 150 ms",
        "kehilangan paket 6,2 % di atas batas 5 %",
    ]
    assert reasons(section, "en") == [
        "RTT p95 180.4 ms above the limit 150 ms",
        "packet loss 6.2 % above the limit 5 %",
    ]


def test_coverage_reason() -> None:
    section = make_section(coverage=0.72)
    assert reasons(section, "id") == ["data hanya 72 % dari periode, di bawah minimum 90 %"]
    assert reasons(section, "en") == ["data only 72 % of the period, under the minimum 90 %"]


def test_uplink_and_headroom_reasons_name_subject() -> None:
    section = make_section(
        kind=SERVER,
        uplinks=(make_uplink(0.93),),
        headroom={"disk": (0.03, "simpeg-server")},
    )
    assert reasons(section, "id") == [
        "pemakaian bandwidth uplink p95 93 % di atas batas 90 % (bappeda-router · ether1)",
        "sisa kapasitas disk 3 % di bawah batas minimum 5 % (simpeg-server)",
    ]
    assert reasons(section, "en") == [
        "uplink utilisation p95 93 % above the limit 90 % (bappeda-router · ether1)",
        "disk headroom 3 % below the minimum 5 % (simpeg-server)",
    ]


def test_isolation_reason_with_duration_and_time() -> None:
    first = datetime(2026, 11, 4, 22, 15, tzinfo=JAKARTA).timestamp()
    breach = IsolationCheck("eksekutif-dari-opd", "Setda", 5400.0, 2, first, MONTH)
    section = make_section(kind=EXECUTIVE, isolation=(breach,))
    assert reasons(section, "id") == [
        "isolasi jaringan eksekutif dilanggar: eksekutif-dari-opd merespons selama"
        " 1 jam 30 menit, pertama kali 4 November 2026 22.15 WIB"
    ]
    assert reasons(section, "en") == [
        "executive network isolation breached: eksekutif-dari-opd replied for"
        " 1 hour 30 minutes, first at November 4, 2026 22:15 WIB"
    ]


# Text ---------------------------------------------------------------------------------


def test_text_has_every_section_and_verdict() -> None:
    sample = sample_report()
    text = report.render_text(sample, "id")
    for name, verdict in [
        ("Bappeda", "Siap"),
        ("Dinas Kesehatan", "Perlu Perbaikan"),
        ("BPBD", "Belum Siap"),
        (HOSTILE_GROUP, "Siap"),
        ("Jaringan eksekutif", "Belum Siap"),
        ("Server aplikasi", "Perlu Perbaikan"),
    ]:
        # The summary table shortens names longer than 60 characters.
        shown = name if len(name) <= 60 else name[:59] + "…"
        line = next(line for line in text.splitlines() if line.startswith(shown))
        assert line.rstrip().endswith(verdict), line
    # The details give the whole name.
    assert f"== {HOSTILE_GROUP} (OPD) ==" in text


def test_text_summary_shortens_long_names() -> None:
    sample = sample_report()
    long_name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Contoh Raya Timur"
    sections = (replace(sample.sections[0], name=long_name), *sample.sections[1:])
    text = report.render_text(replace(sample, sections=sections), "id")

    assert long_name[:59] + "…" in text
    assert f"== {long_name} (OPD) ==" in text


def test_text_heading_in_indonesian() -> None:
    text = report.render_text(sample_report(), "id")
    lines = text.splitlines()
    assert lines[0] == "Laporan kesiapan infrastruktur · November 2026"
    assert lines[1] == "Periode: 1–30 November 2026 (WIB)"
    assert lines[2] == "Data sampai: 4 Desember 2026 00.00 WIB"
    assert "Dibuat: 5 Desember 2026 08.30 WIB" in lines


def test_text_heading_in_english() -> None:
    lines = report.render_text(sample_report(), "en").splitlines()
    assert lines[0] == "Infrastructure readiness report · November 2026"
    assert lines[1] == "Period: November 1–30, 2026 (WIB)"
    assert lines[2] == "Data up to: December 4, 2026 00:00 WIB"


def test_text_details_use_decimal_comma() -> None:
    text = report.render_text(sample_report(), "id")
    assert re.search(r"^Ketersediaan\s+99,95 %$", text, re.MULTILINE)
    assert re.search(r"^RTT p95\s+30 ms$", text, re.MULTILINE)
    assert "  - ketersediaan 97,8 % di bawah batas minimum 98 %" in text
    assert "eksekutif-dari-dinkes: isolasi terjaga sepanjang periode" in text


def test_text_labels_busiest_interface() -> None:
    section = make_section(uplinks=(make_uplink(0.5, busiest=True),))
    text = report.render_text(make_report(section), "en")
    assert "bappeda-router · ether1 (busiest interface, no uplink configured)" in text


def test_partial_period_is_stated() -> None:
    partial = replace(sample_report(), measured_end=NOVEMBER_START + 10 * DAY)
    text = report.render_text(partial, "en")
    assert "The period is not over: figures run up to November 11, 2026 00:00 WIB" in text


def test_period_of_days_title() -> None:
    days = replace(sample_report(), start=NOVEMBER_START + 4 * DAY, end=NOVEMBER_START + 40 * DAY)
    lines = report.render_text(days, "id").splitlines()
    assert lines[0] == ("Laporan kesiapan infrastruktur · 5 November 2026 – 10 Desember 2026")


# CSV ----------------------------------------------------------------------------------


def read_csv(text: str, delimiter: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


def test_csv_indonesian_dialect() -> None:
    rows = read_csv(report.render_csv(sample_report(), "id"), ";")
    assert list(rows[0]) == [
        "awal_periode",
        "akhir_periode",
        "bagian",
        "jenis",
        "metrik",
        "nilai",
        "satuan",
        "penilaian",
        "alasan",
    ]
    bpbd = {row["metrik"]: row for row in rows if row["bagian"] == "BPBD"}
    assert bpbd["availability"]["nilai"] == "97,8"
    assert bpbd["availability"]["satuan"] == "%"
    assert bpbd["availability"]["penilaian"] == "Belum Siap"
    assert bpbd["availability"]["alasan"] == "ketersediaan 97,8 % di bawah batas minimum 98 %"
    assert bpbd["rtt_p95"]["nilai"] == "30"
    assert bpbd["rtt_p95"]["satuan"] == "ms"
    assert bpbd["mttr"]["nilai"] == "900"
    assert bpbd["verdict"]["penilaian"] == "Belum Siap"
    assert bpbd["availability"]["awal_periode"] == "2026-11-01T00:00:00+07:00"
    assert bpbd["availability"]["akhir_periode"] == "2026-12-01T00:00:00+07:00"
    assert bpbd["availability"]["jenis"] == "OPD"


def test_csv_english_dialect() -> None:
    rows = read_csv(report.render_csv(sample_report(), "en"), ",")
    dinkes = {row["metric"]: row for row in rows if row["section"] == "Dinas Kesehatan"}
    assert float(dinkes["availability"]["value"]) == pytest.approx(99.0)
    assert dinkes["availability"]["verdict"] == "Needs improvement"
    assert dinkes["loss"]["value"] == "0.1"
    assert dinkes["loss"]["verdict"] == "Ready"
    assert dinkes["reboots"]["value"] == "1"
    assert dinkes["reboots"]["verdict"] == ""


def test_csv_values_parse_back_in_both_dialects() -> None:
    sample = sample_report()
    for language, delimiter in (("id", ";"), ("en", ",")):
        rows = read_csv(report.render_csv(sample, language), delimiter)
        header = list(rows[0])
        section_column, metric_column, value_column = header[2], header[4], header[5]
        values = {
            (row[section_column], row[metric_column]): row[value_column]
            for row in rows
            if row[metric_column] == "downtime"
        }
        expected = sample.sections[1].downtime
        parsed = float(values[("Dinas Kesehatan", "downtime")].replace(",", "."))
        assert parsed == pytest.approx(expected, abs=1e-6)


def test_csv_isolation_and_server_rows() -> None:
    rows = read_csv(report.render_csv(sample_report(), "en"), ",")
    isolation = [row for row in rows if row["metric"] == "isolation_breached"]
    assert [(row["value"], row["verdict"]) for row in isolation] == [
        ("300", "Not ready"),
        ("0", "Ready"),
    ]
    server = {row["metric"]: row for row in rows if row["kind"] == "server"}
    assert server["memory_headroom"]["value"] == "15"
    assert server["memory_headroom"]["verdict"] == "Needs improvement"
    assert server["disk_headroom"]["value"] == ""


def test_csv_keeps_hostile_name_as_one_field() -> None:
    rows = read_csv(report.render_csv(sample_report(), "id"), ";")
    assert {row["bagian"] for row in rows} >= {HOSTILE_GROUP}


def test_csv_quotes_formula_names() -> None:
    sample = make_report(make_section(name='=HYPERLINK("http://x")'))
    rows = read_csv(report.render_csv(sample, "en"), ",")
    assert {row["section"] for row in rows} == {'\'=HYPERLINK("http://x")'}


def test_text_replaces_control_characters() -> None:
    sample = make_report(make_section(name="Bappeda\x1b[2J"))
    text = report.render_text(sample, "en")
    assert "\x1b" not in text
    assert "Bappeda\ufffd[2J" in text


# HTML ---------------------------------------------------------------------------------


class _Collector(HTMLParser):
    """Collect the tags, the text and the attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


def test_html_escapes_hostile_group() -> None:
    page = report.render_html(sample_report(), "id")
    assert "<script" not in page
    assert "<b>Baru" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Dinas" in page
    parsed = parse(page)
    assert "script" not in parsed.tags
    assert any(HOSTILE_GROUP in text for text in parsed.text)


def test_html_loads_nothing() -> None:
    page = report.render_html(sample_report(), "en")
    parsed = parse(page)
    policy = dict(parsed.attributes).get("content") or ""
    assert "Content-Security-Policy" in page
    assert "default-src 'none'" in page
    assert policy
    for name, value in parsed.attributes:
        if name in ("src", "href"):
            pytest.fail(f"the page refers to {value!r}")
    assert "@import" not in page
    assert "url(" not in page


def test_html_has_charts_and_print_rules() -> None:
    page = report.render_html(sample_report(), "id")
    parsed = parse(page)
    # One bar chart for the summary, then daily availability and RTT per section,
    # and the uplink trend for the section with an uplink.
    assert parsed.tags.count("svg") == 1 + 2 * 6 + 1
    assert "@page { size: A4;" in page
    assert "break-inside: avoid" in page
    assert 'lang="id"' in page


def test_html_lists_sections_and_verdicts_in_english() -> None:
    text = " ".join(parse(report.render_html(sample_report(), "en")).text)
    for expected in ("Bappeda", "Ready", "Needs improvement", "Not ready", "Application servers"):
        assert expected in text


# Command line: the period and its errors ----------------------------------------------


def test_default_period_is_previous_month() -> None:
    period = cli_report.choose_period(None, None, None, "Asia/Jakarta", NOW)
    assert (period.start, period.end) == (NOVEMBER_START, NOVEMBER_END)


def test_default_period_in_january_is_december() -> None:
    now = datetime(2027, 1, 1, 0, 30, tzinfo=JAKARTA).timestamp()
    period = cli_report.choose_period(None, None, None, "Asia/Jakarta", now)
    assert period.start == datetime(2026, 12, 1, tzinfo=JAKARTA).timestamp()
    assert period.end == datetime(2027, 1, 1, tzinfo=JAKARTA).timestamp()


def test_month_option() -> None:
    period = cli_report.choose_period("2026-02", None, None, "Asia/Jakarta", NOW)
    assert period.start == datetime(2026, 2, 1, tzinfo=JAKARTA).timestamp()
    assert period.end == datetime(2026, 3, 1, tzinfo=JAKARTA).timestamp()


def test_until_includes_its_day() -> None:
    period = cli_report.choose_period(None, "2026-11-03", "2026-11-03", "Asia/Jakarta", NOW)
    assert period.start == datetime(2026, 11, 3, tzinfo=JAKARTA).timestamp()
    assert period.end == datetime(2026, 11, 4, tzinfo=JAKARTA).timestamp()


@pytest.mark.parametrize(
    ("month", "since", "until", "key"),
    [
        ("2026-13", None, None, "report.error.bad_month"),
        ("2026-1", None, None, "report.error.bad_month"),
        ("November", None, None, "report.error.bad_month"),
        (None, "2026-11-31", "2026-12-01", "report.error.bad_date"),
        (None, "3/11/2026", "2026-12-01", "report.error.bad_date"),
        (None, "2026-11-10", "2026-11-01", "report.error.since_after_until"),
        (None, "2026-11-10", None, "report.error.dates_pair"),
        (None, None, "2026-11-10", "report.error.dates_pair"),
        ("2026-11", "2026-11-10", None, "report.error.month_and_dates"),
        ("2027-01", None, None, "report.error.future"),
    ],
)
def test_period_errors(month: str | None, since: str | None, until: str | None, key: str) -> None:
    with pytest.raises(cli_report.ReportError) as caught:
        cli_report.choose_period(month, since, until, "Asia/Jakarta", NOW)
    assert caught.value.key == key
    assert caught.value.exit_code == cli_report.EXIT_USAGE


def run_cli(
    capsys: pytest.CaptureFixture[str], path: Path, *arguments: str
) -> tuple[int, str, str]:
    code = cli.main(["report", "-c", str(path), *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_bad_month_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, target("a", "127.0.0.2", "Bappeda", "opd"))
    code, _, error = run_cli(capsys, path, "--month", "2026-13")
    assert code == 2
    assert error.strip() == (
        "bulan '2026-13' tidak valid; tulis tahun dan bulan sebagai TTTT-BB,"
        " misalnya --month 2026-11"
    )
    code, _, error = run_cli(capsys, path, "--month", "2026-13", "--lang", "en")
    assert code == 2
    assert error.strip() == (
        "invalid month '2026-13'; write the year and month as YYYY-MM, for example --month 2026-11"
    )


def test_cli_since_after_until(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, target("a", "127.0.0.2", "Bappeda", "opd"))
    code, _, error = run_cli(
        capsys, path, "--since", "2026-11-10", "--until", "2026-11-01", "--lang", "en"
    )
    assert code == 2
    assert error.strip() == "--since 2026-11-10 is after --until 2026-11-01; swap the two dates"


def test_cli_without_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, target("a", "127.0.0.2", "Bappeda", "opd"))
    code, output, error = run_cli(capsys, path, "--month", "2026-11", "--lang", "en")
    assert code == 1
    assert output == ""
    database = tmp_path / "pantau.db"
    assert error.strip() == (
        f"the database {database} does not exist yet; run the daemon (pantau run) to collect"
        f" history, or check [daemon] database in {path}"
    )
    assert not database.exists()


def test_cli_rejects_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, target("a", "127.0.0.2", "Bappeda", "opd"))
    with pytest.raises(SystemExit) as caught:
        cli.main(["report", "-c", str(path), "--format", "pdf"])
    assert caught.value.code == 2
    assert "--format" in capsys.readouterr().err


# From a real history database ---------------------------------------------------------

# Monday 2 November 2026 in WIB, the one day of history of the database below.
HISTORY_DAY = datetime(2026, 11, 2, tzinfo=JAKARTA).timestamp()
HISTORY_NOW = HISTORY_DAY + 3 * DAY
HISTORY_CONFIG = (
    "[defaults]\n"
    'interval = "60s"\n\n'
    "[credentials.opd-v2]\n"
    'version = "2c"\n'
    'community_env = "PANTAU_SNMP_COMMUNITY"\n\n'
    + target(
        "bappeda-router",
        "127.0.0.2",
        "Bappeda",
        "opd",
        probes='["icmp", "snmp"]',
        snmp='{ credential = "opd-v2", uplink = "ether1" }',
    )
    + target("bappeda-ap", "127.0.0.3", "Bappeda", "opd")
    + target("bupati-ap", "127.0.0.4", "Setda", "eksekutif")
    + target("eksekutif-dari-opd", "127.0.0.5", "Setda", "opd", expect='"unreachable"')
    + target("simpeg", "127.0.0.6", "BKPSDM", "server")
)


def _hour(hour: float) -> float:
    return HISTORY_DAY + hour * 3600


def _icmp_row(name: str, started: float, replied: bool) -> dict[str, Any]:
    values: dict[str, float] = {"sent": 5, "received": 5 if replied else 0}
    if replied:
        values["rtt_median_seconds"] = 0.010
    return {
        "target": name,
        "probe": "icmp",
        "started": started,
        "duration": 0.5,
        "success": 1 if replied else 0,
        "reason": "ok" if replied else "no_reply",
        "values_json": storage.encode_values(values),
        "message": "",
    }


def _write_history(path: Path) -> None:
    """Write one day of results, status changes and incidents, then roll it up."""
    writer = storage.Storage(path)
    writer.open()
    writer.close()
    db = sqlite_utils.Database(path)
    minutes = [HISTORY_DAY + 60 * minute for minute in range(24 * 60)]
    outage = (_hour(10), _hour(12))
    breach = (_hour(15), _hour(15) + 600)

    results = []
    for started in minutes:
        results.append(_icmp_row("bappeda-router", started, True))
        results.append(_icmp_row("bupati-ap", started, True))
        results.append(_icmp_row("simpeg", started, True))
        results.append(_icmp_row("bappeda-ap", started, not outage[0] <= started < outage[1]))
        results.append(_icmp_row("eksekutif-dari-opd", started, breach[0] <= started < breach[1]))
        snmp_values = {
            "cpu_load_max_ratio": 0.9,
            "memory_used_ratio": 0.5,
            "storage_max_used_ratio": 0.3,
            "sysuptime_seconds": 1000 + started - HISTORY_DAY,
        }
        results.append(
            {
                **_icmp_row("simpeg", started, True),
                "probe": "snmp",
                "values_json": storage.encode_values(snmp_values),
            }
        )
    db.table(storage.RESULTS_TABLE).insert_all(results)

    interfaces = []
    for started in minutes:
        for if_index, name, receive in ((1, "ether1", 0.5), (2, "ether2", 0.1)):
            record = storage.InterfaceRecord(
                target="bappeda-router",
                started=started,
                if_index=if_index,
                if_name=name,
                oper_status=1,
                speed_bps=100e6,
                receive_bytes_per_second=receive * 100e6 / 8,
                transmit_bytes_per_second=0.2 * 100e6 / 8,
                receive_utilisation=receive,
                transmit_utilisation=0.2,
                receive_errors=0,
                transmit_errors=0,
                receive_discards=0,
                transmit_discards=0,
            )
            interfaces.append(dataclasses.asdict(record))
    db.table(storage.INTERFACES_TABLE).insert_all(interfaces)

    conn = db.conn
    with conn:
        for name in ("bappeda-router", "bupati-ap", "simpeg", "bappeda-ap", "eksekutif-dari-opd"):
            history.record_status_change(conn, name, HISTORY_DAY, HISTORY_DAY, "up", "ok")
        history.record_status_change(conn, "bappeda-ap", outage[0], outage[0], "down", "no_reply")
        history.record_status_change(conn, "bappeda-ap", outage[1], outage[1], "up", "ok")
        history.record_status_change(
            conn, "eksekutif-dari-opd", breach[0], breach[0], "down", "isolation_breached"
        )
        history.record_status_change(conn, "eksekutif-dari-opd", breach[1], breach[1], "up", "ok")
    incidents = [
        ("bappeda-ap", "opd", "Bappeda", "no_reply", outage),
        ("eksekutif-dari-opd", "opd", "Setda", "isolation_breached", breach),
    ]
    db.table(storage.INCIDENTS_TABLE).insert_all(
        {
            "target": name,
            "network": network,
            "group_name": group,
            "status": "down",
            "cause": cause,
            "start": span[0],
            "end": span[1],
            "children": "[]",
            "values_json": "{}",
        }
        for name, network, group, cause, span in incidents
    )

    intervals = dict.fromkeys(
        ("bappeda-router", "bupati-ap", "simpeg", "bappeda-ap", "eksekutif-dari-opd"), 60.0
    )
    for _ in range(1000):
        with conn:
            done = history.maintain(
                conn,
                intervals=intervals,
                zone="Asia/Jakarta",
                now=HISTORY_NOW,
                settings=config.HistorySettings(),
            ).done
        if done:
            break
    db.close()


@pytest.fixture(scope="module")
def history_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("history")
    path = write_config(folder, HISTORY_CONFIG)
    _write_history(folder / "pantau.db")
    return path


@pytest.fixture
def history_report(history_config: Path) -> report.Report:
    inventory = config.load(history_config, environ={"PANTAU_SNMP_COMMUNITY": "public"})
    connection = storage.connect_readonly(inventory.daemon.database)
    try:
        return report.build_report(
            inventory, connection, HISTORY_DAY, HISTORY_DAY + DAY, HISTORY_NOW
        )
    finally:
        connection.close()


def test_history_sections(history_report: report.Report) -> None:
    assert [(s.kind, s.name, s.verdict) for s in history_report.sections] == [
        (OPD, "Bappeda", NOT_READY),
        (EXECUTIVE, "", NOT_READY),
        (SERVER, "", NEEDS_IMPROVEMENT),
    ]
    assert history_report.rolled_until is not None
    assert history_report.rolled_until >= HISTORY_DAY + DAY


def test_history_opd_figures(history_report: report.Report) -> None:
    bappeda = history_report.sections[0]
    assert bappeda.targets == ("bappeda-router", "bappeda-ap")
    assert bappeda.coverage == pytest.approx(1.0)
    assert bappeda.seconds["down"] == pytest.approx(7200)
    assert bappeda.availability == pytest.approx((2 * DAY - 7200) / (2 * DAY))
    assert bappeda.incidents == 1
    assert bappeda.longest_downtime == pytest.approx(7200)
    assert bappeda.mttr == pytest.approx(7200)
    assert bappeda.loss == pytest.approx(600 / 14400)
    # The RTT histogram reports the geometric middle of the bucket of 10 ms.
    assert bappeda.rtt_median == pytest.approx(0.010, rel=0.045)
    assert bappeda.rtt_p95 == pytest.approx(0.010, rel=0.045)
    assert [(u.target, u.if_name, u.busiest) for u in bappeda.uplinks] == [
        ("bappeda-router", "ether1", False)
    ]
    # Utilisation is 50 % throughout, and a p95 never exceeds the measured peak.
    assert bappeda.uplink_p95 == pytest.approx(0.5)
    assert [f.metric for f in bappeda.findings] == ["availability", "loss"]
    assert len(bappeda.daily) == 1
    assert bappeda.daily[0].availability == pytest.approx(bappeda.availability)


def test_history_isolation_breach(history_report: report.Report) -> None:
    executive = history_report.sections[1]
    assert executive.targets == ("bupati-ap",)
    assert executive.availability == pytest.approx(1.0)
    [check] = executive.isolation
    assert check.target == "eksekutif-dari-opd"
    assert check.breached
    assert check.breached_seconds == pytest.approx(600)
    assert check.first_breach == pytest.approx(_hour(15))


def test_history_server_headroom(history_report: report.Report) -> None:
    server = history_report.sections[2]
    assert server.headroom["cpu"] == (pytest.approx(0.1), "simpeg")
    assert server.headroom["memory"] == (pytest.approx(0.5), "simpeg")
    assert server.headroom["disk"] == (pytest.approx(0.7), "simpeg")
    assert [f.key for f in server.findings] == ["report.reason.cpu_headroom_ready"]


def run_history_cli(
    capsys: pytest.CaptureFixture[str], path: Path, *arguments: str
) -> tuple[int, str, str]:
    environment = pytest.MonkeyPatch()
    environment.setenv("PANTAU_SNMP_COMMUNITY", "public")
    try:
        return run_cli(capsys, path, *arguments)
    finally:
        environment.undo()


def test_cli_writes_csv_file(
    history_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "laporan.csv"
    code, printed, error = run_history_cli(
        capsys,
        history_config,
        "--since",
        "2026-11-02",
        "--until",
        "2026-11-02",
        "--format",
        "csv",
        "-o",
        str(output),
    )
    assert (code, printed, error) == (0, "", "")
    rows = read_csv(output.read_bytes().decode("utf-8"), ";")
    verdicts = {row["bagian"]: row["penilaian"] for row in rows if row["metrik"] == "verdict"}
    assert verdicts == {
        "Bappeda": "Belum Siap",
        "Jaringan eksekutif (ruang kerja Bupati dan Wakil Bupati)": "Belum Siap",
        "Server aplikasi": "Perlu Perbaikan",
    }


def test_cli_text_to_standard_output(
    history_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed, _ = run_history_cli(
        capsys, history_config, "--since", "2026-11-02", "--until", "2026-11-02", "--lang", "en"
    )
    assert code == 0
    assert printed.splitlines()[0] == "Infrastructure readiness report · November 2, 2026"
    assert "Data up to: " in printed


def test_cli_period_without_history(
    history_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed, error = run_history_cli(capsys, history_config, "--month", "2026-10")
    assert code == 1
    assert printed == ""
    database = history_config.parent / "pantau.db"
    assert error.startswith(
        f"basis data {database} tidak punya riwayat untuk 2026-10-01 – 2026-10-31;"
        " riwayat ada sampai "
    )


def test_cli_unwritable_output(
    history_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "missing-folder" / "laporan.html"
    code, _, error = run_history_cli(
        capsys, history_config, "--month", "2026-11", "--format", "html", "-o", str(output)
    )
    assert code == 2
    assert error.strip() == (
        f"berkas keluaran {output} tidak bisa ditulis (No such file or directory);"
        " periksa foldernya dan izin tulis, atau pilih berkas lain dengan -o"
    )


# Service checks of the application servers --------------------------------------------


def make_service(**overrides: Any) -> report.ServiceCheck:
    """Build an http check of simpeg that passes every threshold."""
    fields: dict[str, Any] = {
        "target": "simpeg",
        "probe": "http",
        "runs": 43_200,
        "successes": 43_200,
        "maintenance_runs": 0,
        "availability": 1.0,
        "response_median": 0.2,
        "response_p95": 0.6,
        "reasons": (),
        "cert_expiry": None,
        "cert_days_left": None,
    }
    fields.update(overrides)
    return report.ServiceCheck(**fields)


def server_section(*services: report.ServiceCheck) -> Section:
    return make_section(kind=SERVER, name="", targets=("simpeg",), services=services)


@pytest.mark.parametrize(
    ("p95", "expected"),
    [(1.0, READY), (1.01, NEEDS_IMPROVEMENT), (3.0, NEEDS_IMPROVEMENT), (3.01, NOT_READY)],
)
def test_response_p95_verdict(p95: float, expected: str) -> None:
    assert server_section(make_service(response_p95=p95)).verdict == expected


@pytest.mark.parametrize(
    ("days", "expected"), [(14.0, READY), (13.9, NOT_READY), (-2.0, NOT_READY)]
)
def test_certificate_days_verdict(days: float, expected: str) -> None:
    service = make_service(cert_expiry=NOVEMBER_END + days * DAY, cert_days_left=days)
    assert server_section(service).verdict == expected


def test_service_availability_known_answer() -> None:
    # 1,440 checks a day for 30 days, 72 failed each day.
    runs = 1440 * 30
    service = make_service(runs=runs, successes=runs - 72 * 30, availability=(runs - 2160) / runs)
    section = server_section(service)
    assert service.availability == pytest.approx(0.95)
    assert section.verdict == NOT_READY
    assert reasons(section, "id") == [
        "ketersediaan layanan http 95 % di bawah batas minimum 98 % (simpeg)"
    ]
    assert reasons(section, "en") == [
        "http service availability 95 % below the minimum 98 % (simpeg)"
    ]


def test_service_reasons_in_both_languages() -> None:
    expiry = datetime(2026, 12, 12, 10, 0, tzinfo=JAKARTA).timestamp()
    service = make_service(
        availability=0.971,
        response_p95=2.4,
        cert_expiry=expiry,
        cert_days_left=(expiry - NOVEMBER_END) / DAY,
    )
    section = server_section(service)
    assert reasons(section, "id") == [
        "ketersediaan layanan http 97,1 % di bawah batas minimum 98 % (simpeg)",
        "p95 waktu respons http 2,4 s di atas target 1 s (simpeg)",
        "sertifikat http berakhir 12 Des 2026, sisa 11 hari pada akhir periode,"
        " di bawah minimum 14 hari (simpeg)",
    ]
    assert reasons(section, "en")[2] == (
        "http certificate expires Dec 12, 2026, 11 days left at the end of the period,"
        " under the minimum 14 days (simpeg)"
    )


def test_service_check_in_every_format() -> None:
    service = make_service(
        runs=1440,
        successes=1368,
        availability=0.95,
        reasons=(("connect_timeout", 40), ("unexpected_status", 32)),
        cert_expiry=datetime(2026, 12, 12, tzinfo=JAKARTA).timestamp(),
        cert_days_left=11.0,
    )
    built = make_report(server_section(service))

    text = report.render_text(built, "id")
    assert "  simpeg · http" in text
    assert "95 % (1.368 dari 1.440 pemeriksaan)" in text
    timeout_words = report._Format("id", "Asia/Jakarta").reason("connect_timeout")
    assert f"{timeout_words} 40, " in text
    assert "12 Des 2026 (sisa 11 hari pada akhir periode)" in text

    rows = list(csv.reader(io.StringIO(report.render_csv(built, "en").lstrip("\ufeff"))))
    service_rows = {row[4]: row for row in rows if row[2].endswith("simpeg · http")}
    assert service_rows["service_availability"][5] == "95"
    assert service_rows["service_availability"][7] == "Not ready"
    assert service_rows["failures.connect_timeout"][5] == "40"
    assert service_rows["cert_expiry"][5] == "2026-12-12"
    assert service_rows["cert_days_left"][5] == "11"

    page = report.render_html(built, "en")
    assert '<table class="services">' in page
    assert "<caption>simpeg</caption>" in page
    assert '<span class="verdict not_ready">http</span>' in page
