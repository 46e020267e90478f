"""Alert messages: exact texts per event kind and language, escaping, and the split into parts."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.alerts.render import (
    MAX_CHILDREN_LISTED,
    Summary,
    render,
    render_summary,
    render_test,
    sample_page,
    split,
)
from monitor.events import (
    CRITICAL,
    DEGRADED,
    DOWN,
    FLAPPING_STARTED,
    FLAPPING_STOPPED,
    ISOLATION_BREACHED,
    RECOVERED,
    REMINDER,
    WARNING,
    Event,
    TargetRef,
)

ROOT = Path(__file__).resolve().parent.parent
AT = 1_796_397_300.0  # 4 December 2026 22:15 WIB
HOUR = 3600.0
JAKARTA = "Asia/Jakarta"


def event(kind: str = DOWN, target: str = "bappeda-router", **fields: object) -> Event:
    values: dict[str, object] = {
        "kind": kind,
        "target": target,
        "at": AT,
        "status": "down",
        "previous": "up",
        "severity": CRITICAL,
        "reason": "no_reply",
        "since": AT - 90,
        "group": "Bappeda",
        "network": "opd",
        "address": "10.20.0.1",
    }
    values.update(fields)
    return Event(**values)  # type: ignore[arg-type]


def html_message(events: list[Event], language: str) -> list[str]:
    return render(events, language=language, timezone=JAKARTA, markup="html").split("\n")


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# One event per kind, in both languages -------------------------------------------------


def test_down_indonesian() -> None:
    down = event(description="Router utama kantor Bappeda")
    assert html_message([down], "id") == [
        "🔴 <b>GANGGUAN</b> · Bappeda",
        "<b>bappeda-router</b> · 10.20.0.1 · jaringan opd",
        "<i>Router utama kantor Bappeda</i>",
        "Penyebab: tidak ada balasan dalam batas waktu",
        "Mulai: 4 Desember 2026 22.13 WIB",
    ]


def test_down_english() -> None:
    down = event(description="Router utama kantor Bappeda")
    assert html_message([down], "en") == [
        "🔴 <b>DOWN</b> · Bappeda",
        "<b>bappeda-router</b> · 10.20.0.1 · network opd",
        "<i>Router utama kantor Bappeda</i>",
        "Cause: no reply within the timeout",
        "Since: December 4, 2026 22:13 WIB",
    ]


RECOVERY = event(RECOVERED, status="up", previous="down", reason="ok", since=AT - 2 * HOUR - 300)


def test_recovery_indonesian() -> None:
    assert html_message([RECOVERY], "id") == [
        "🟢 <b>PULIH</b> · Bappeda",
        "<b>bappeda-router</b> · 10.20.0.1 · jaringan opd",
        "Durasi: 2 jam 5 menit",
        "Sebelumnya: GANGGUAN (tidak merespons) sejak 4 Desember 2026 20.10 WIB",
    ]


def test_recovery_english() -> None:
    assert html_message([RECOVERY], "en") == [
        "🟢 <b>RECOVERED</b> · Bappeda",
        "<b>bappeda-router</b> · 10.20.0.1 · network opd",
        "Duration: 2 hours 5 minutes",
        "Before: DOWN (not responding) since December 4, 2026 20:10 WIB",
    ]


CHILDREN = (
    TargetRef("dinkes-router", "Dinas Kesehatan", "opd", "10.21.0.1"),
    TargetRef("disdik-router", "Dinas Pendidikan", "opd", "10.22.0.1"),
    TargetRef("bpbd-router", "BPBD", "opd", "10.23.0.1"),
)
PARENT = event(
    target="core-router", group="Diskominfo", network="inti", address="10.0.0.1", children=CHILDREN
)


def test_parent_with_children_indonesian() -> None:
    assert html_message([PARENT], "id") == [
        "🔴 <b>GANGGUAN</b> · Diskominfo",
        "<b>core-router</b> · 10.0.0.1 · jaringan inti",
        "Penyebab: tidak ada balasan dalam batas waktu",
        "3 target tidak terjangkau di belakangnya: "
        "dinkes-router (Dinas Kesehatan), disdik-router (Dinas Pendidikan), bpbd-router (BPBD)",
        "Mulai: 4 Desember 2026 22.13 WIB",
    ]


def test_parent_with_children_english() -> None:
    assert html_message([PARENT], "en") == [
        "🔴 <b>DOWN</b> · Diskominfo",
        "<b>core-router</b> · 10.0.0.1 · network inti",
        "Cause: no reply within the timeout",
        "3 targets unreachable behind it: "
        "dinkes-router (Dinas Kesehatan), disdik-router (Dinas Pendidikan), bpbd-router (BPBD)",
        "Since: December 4, 2026 22:13 WIB",
    ]


def test_parent_with_one_child_english() -> None:
    parent = event(target="core-router", children=CHILDREN[:1])
    assert "1 target unreachable behind it: dinkes-router (Dinas Kesehatan)" in html_message(
        [parent], "en"
    )


def test_parent_lists_limited_children() -> None:
    children = tuple(TargetRef(f"ap-{index:03}") for index in range(MAX_CHILDREN_LISTED + 5))
    lines = html_message([event(target="core-router", children=children)], "id")
    listed = [f"ap-{index:03}" for index in range(MAX_CHILDREN_LISTED)]
    expected = f"25 target tidak terjangkau di belakangnya: {', '.join(listed)}, dan 5 lainnya"
    assert expected in lines


def test_children_recovered_english() -> None:
    recovered = event(RECOVERED, status="up", previous="down", reason="ok", children=CHILDREN)
    lines = html_message([recovered], "en")
    assert (
        "3 targets behind it were unreachable: "
        "dinkes-router (Dinas Kesehatan), disdik-router (Dinas Pendidikan), bpbd-router (BPBD); "
        "any still failing gets its own alert"
    ) in lines


DEGRADATION = event(
    DEGRADED,
    target="dinkes-router",
    status="degraded",
    severity=WARNING,
    reason="loss",
    group="Dinas Kesehatan",
    address="10.21.0.1",
    since=AT - 300,
    values={"loss": 0.4, "loss_limit": 0.2, "rtt": 0.312, "rtt_limit": 0.25},
)


def test_degraded_indonesian() -> None:
    assert html_message([DEGRADATION], "id") == [
        "🟠 <b>MENURUN</b> · Dinas Kesehatan",
        "<b>dinkes-router</b> · 10.21.0.1 · jaringan opd",
        "Penyebab: kehilangan paket 40 % (batas 20 %), latensi 312 ms (batas 250 ms)",
        "Mulai: 4 Desember 2026 22.10 WIB",
    ]


def test_degraded_english() -> None:
    assert html_message([DEGRADATION], "en") == [
        "🟠 <b>DEGRADED</b> · Dinas Kesehatan",
        "<b>dinkes-router</b> · 10.21.0.1 · network opd",
        "Cause: packet loss 40% (limit 20%), latency 312 ms (limit 250 ms)",
        "Since: December 4, 2026 22:10 WIB",
    ]


THRESHOLD_CASES = [
    (
        "rtt",
        {"rtt": 0.3125, "rtt_limit": 0.25},
        "latensi 312,5 ms (batas 250 ms)",
        "latency 312.5 ms (limit 250 ms)",
    ),
    (
        "utilisation",
        {"utilisation": 0.995, "utilisation_limit": 0.9},
        "pemakaian bandwidth 99,5 % (batas 90 %)",
        "bandwidth utilisation 99.5% (limit 90%)",
    ),
    ("cpu", {"cpu": 0.97}, "beban CPU 97 %", "CPU load 97%"),
    (
        "memory",
        {"memory": 0.96, "memory_limit": 0.95},
        "pemakaian memori 96 % (batas 95 %)",
        "memory used 96% (limit 95%)",
    ),
    ("disk", {}, "pemakaian disk melewati batas", "disk used over its limit"),
]


@pytest.mark.parametrize(("reason", "values", "indonesian", "english"), THRESHOLD_CASES)
def test_degraded_threshold_figures(
    reason: str, values: dict[str, float], indonesian: str, english: str
) -> None:
    degraded = event(DEGRADED, status="degraded", reason=reason, values=values)
    assert f"Penyebab: {indonesian}" in html_message([degraded], "id")
    assert f"Cause: {english}" in html_message([degraded], "en")


ISOLATION = event(
    ISOLATION_BREACHED,
    target="eksekutif-dari-opd",
    reason="ok",
    group="Bagian Umum",
    network="eksekutif",
    address="10.9.0.1",
    since=AT - 60,
)


def test_isolation_breached_indonesian() -> None:
    assert html_message([ISOLATION], "id") == [
        "🚨 <b>ISOLASI JARINGAN EKSEKUTIF DILANGGAR</b> · Bagian Umum",
        "<b>eksekutif-dari-opd</b> · 10.9.0.1 · jaringan eksekutif",
        "Penyebab: alamat yang harus terisolasi merespons dari jaringan tempat Pantau berjalan",
        "Mulai: 4 Desember 2026 22.14 WIB",
    ]


def test_isolation_breached_english() -> None:
    assert html_message([ISOLATION], "en") == [
        "🚨 <b>EXECUTIVE NETWORK ISOLATION BREACHED</b> · Bagian Umum",
        "<b>eksekutif-dari-opd</b> · 10.9.0.1 · network eksekutif",
        "Cause: an address that must stay isolated responded from the network Pantau runs in",
        "Since: December 4, 2026 22:14 WIB",
    ]


FLAPPING = event(FLAPPING_STARTED, target="disdik-ap", severity=WARNING, group="Disdik")
STABLE = event(FLAPPING_STOPPED, target="disdik-ap", status="up", reason="ok", group="Disdik")


def test_flapping_indonesian() -> None:
    assert html_message([FLAPPING], "id") == [
        "🔁 <b>TIDAK STABIL</b> · Disdik",
        "<b>disdik-ap</b> · 10.20.0.1 · jaringan opd",
        "Status berganti-ganti terus; notifikasi target ini ditahan sampai stabil",
        "Status sekarang: GANGGUAN (tidak merespons)",
    ]
    assert html_message([STABLE], "id") == [
        "🔵 <b>STABIL KEMBALI</b> · Disdik",
        "<b>disdik-ap</b> · 10.20.0.1 · jaringan opd",
        "Status sekarang: NORMAL",
    ]


def test_flapping_english() -> None:
    assert html_message([FLAPPING], "en") == [
        "🔁 <b>FLAPPING</b> · Disdik",
        "<b>disdik-ap</b> · 10.20.0.1 · network opd",
        "The status keeps changing; notifications for this target are held until it is stable",
        "Status now: DOWN (not responding)",
    ]
    assert html_message([STABLE], "en") == [
        "🔵 <b>STABLE AGAIN</b> · Disdik",
        "<b>disdik-ap</b> · 10.20.0.1 · network opd",
        "Status now: UP",
    ]


REMINDING = event(REMINDER, since=AT - 4 * HOUR)


def test_reminder_indonesian() -> None:
    assert html_message([REMINDING], "id") == [
        "⏰ <b>MASIH GANGGUAN</b> · Bappeda",
        "<b>bappeda-router</b> · 10.20.0.1 · jaringan opd",
        "Masih GANGGUAN (tidak merespons) sejak 4 Desember 2026 18.15 WIB, sudah 4 jam",
        "Penyebab: tidak ada balasan dalam batas waktu",
    ]


def test_reminder_english() -> None:
    assert html_message([REMINDING], "en") == [
        "⏰ <b>STILL DOWN</b> · Bappeda",
        "<b>bappeda-router</b> · 10.20.0.1 · network opd",
        "Still DOWN (not responding) since December 4, 2026 18:15 WIB, for 4 hours now",
        "Cause: no reply within the timeout",
    ]


def test_reminder_of_degraded() -> None:
    reminding = event(REMINDER, status="degraded", reason="loss", values={"loss": 0.3})
    assert html_message([reminding], "id")[0] == "⏰ <b>MASIH MENURUN</b> · Bappeda"
    assert html_message([reminding], "en")[0] == "⏰ <b>STILL DEGRADED</b> · Bappeda"


AFTER_MAINTENANCE = event(
    target="dukcapil-server",
    group="Dukcapil",
    network="server",
    address="10.30.0.5",
    reason="no_reply",
    after_maintenance=True,
    since=AT,
)


def test_after_maintenance_indonesian() -> None:
    assert html_message([AFTER_MAINTENANCE], "id") == [
        "🔴 <b>GANGGUAN</b> · Dukcapil",
        "<b>dukcapil-server</b> · 10.30.0.5 · jaringan server",
        "Penyebab: tidak ada balasan dalam batas waktu",
        "Terdeteksi setelah jadwal pemeliharaan berakhir",
        "Mulai: 4 Desember 2026 22.15 WIB",
    ]


def test_after_maintenance_english() -> None:
    assert html_message([AFTER_MAINTENANCE], "en") == [
        "🔴 <b>DOWN</b> · Dukcapil",
        "<b>dukcapil-server</b> · 10.30.0.5 · network server",
        "Cause: no reply within the timeout",
        "Detected when a maintenance window ended",
        "Since: December 4, 2026 22:15 WIB",
    ]


def test_unknown_reason_shown_as_code() -> None:
    lines = html_message([event(reason="weird_<code>")], "en")
    assert "Cause: weird_&lt;code&gt;" in lines


def test_other_time_zone_abbreviation() -> None:
    text = render([event(since=AT)], language="id", timezone="Asia/Makassar", markup="text")
    assert text.endswith("Mulai: 4 Desember 2026 23.15 WITA")


@pytest.mark.parametrize(
    ("seconds", "indonesian", "english"),
    [
        (45, "45 detik", "45 seconds"),
        (60, "1 menit", "1 minute"),
        (2 * HOUR + 300, "2 jam 5 menit", "2 hours 5 minutes"),
        (2 * HOUR + 59, "2 jam", "2 hours"),
        (27 * HOUR, "1 hari 3 jam", "1 day 3 hours"),
        (48 * HOUR + 60, "2 hari", "2 days"),
    ],
)
def test_recovery_duration_words(seconds: float, indonesian: str, english: str) -> None:
    recovered = event(RECOVERED, status="up", reason="ok", since=AT - seconds)
    assert f"Durasi: {indonesian}" in html_message([recovered], "id")
    assert f"Duration: {english}" in html_message([recovered], "en")


# A group of events ---------------------------------------------------------------------


def test_group_headline_and_order() -> None:
    text = render([RECOVERY, DEGRADATION, event()], language="id", timezone=JAKARTA, markup="html")
    blocks = text.split("\n\n")
    assert blocks[0] == "<b>3 notifikasi: 1 GANGGUAN · 1 MENURUN · 1 PULIH</b>"
    assert [block.split("\n")[0] for block in blocks[1:]] == [
        "🔴 <b>GANGGUAN</b> · Bappeda",
        "🟠 <b>MENURUN</b> · Dinas Kesehatan",
        "🟢 <b>PULIH</b> · Bappeda",
    ]


def test_group_headline_english() -> None:
    text = render(
        [event(), event(target="b"), ISOLATION], language="en", timezone=JAKARTA, markup="text"
    )
    assert text.split("\n")[0] == "3 notifications: 2 DOWN · 1 EXECUTIVE NETWORK ISOLATION BREACHED"


def test_render_without_events_raises() -> None:
    with pytest.raises(ValueError, match="no events"):
        render([], language="id", timezone=JAKARTA, markup="html")


def test_render_unknown_markup_raises() -> None:
    with pytest.raises(ValueError, match="invalid markup"):
        render([event()], language="id", timezone=JAKARTA, markup="rtf")  # type: ignore[arg-type]


# Escaping ------------------------------------------------------------------------------

NASTY = "x<b>&_*[]"


def nasty_event() -> Event:
    return event(
        target=NASTY,
        group=f"OPD {NASTY}",
        address=NASTY,
        network=NASTY,
        description=f"line one\nline {NASTY}",
        children=(TargetRef(NASTY),),
    )


def test_escape_html() -> None:
    lines = html_message([nasty_event()], "en")
    escaped = "x&lt;b&gt;&amp;_*[]"
    assert lines[:3] == [
        f"🔴 <b>DOWN</b> · OPD {escaped}",
        f"<b>{escaped}</b> · {escaped} · network {escaped}",
        f"<i>line one line {escaped}</i>",
    ]
    assert f"1 target unreachable behind it: {escaped}" in lines


def test_escape_markdown() -> None:
    text = render([nasty_event()], language="en", timezone=JAKARTA, markup="markdown")
    lines = text.split("\n")
    escaped = r"x\<b\>&\_\*\[\]"
    assert lines[:3] == [
        f"🔴 **DOWN** · OPD {escaped}",
        f"**{escaped}** · {escaped} · network {escaped}",
        f"_line one line {escaped}_",
    ]
    assert f"1 target unreachable behind it: {escaped}" in lines


def test_escape_markdown_entities_and_mentions() -> None:
    text = render(
        [event(group="R&D &amp; @everyone `x` ~y~ |z|")],
        language="en",
        timezone=JAKARTA,
        markup="markdown",
    )
    assert text.split("\n")[0] == r"🔴 **DOWN** · R&D \&amp; \@everyone \`x\` \~y\~ \|z\|"


def test_escape_text_keeps_values() -> None:
    text = render([nasty_event()], language="en", timezone=JAKARTA, markup="text")
    lines = text.split("\n")
    assert lines[:3] == [
        f"🔴 DOWN · OPD {NASTY}",
        f"{NASTY} · {NASTY} · network {NASTY}",
        f"line one line {NASTY}",
    ]


# Test message and daily summary --------------------------------------------------------


def test_render_test_both_languages() -> None:
    assert render_test("noc_telegram", language="id", timezone=JAKARTA, markup="html", now=AT) == (
        "🔔 <b>PESAN UJI</b> · Pantau\n"
        "Kanal <b>noc_telegram</b> menerima notifikasi Pantau.\n"
        "Dikirim: 4 Desember 2026 22.15 WIB"
    )
    assert render_test(
        "noc_telegram", language="en", timezone=JAKARTA, markup="markdown", now=AT
    ) == (
        "🔔 **TEST MESSAGE** · Pantau\n"
        "Channel **noc\\_telegram** receives Pantau's notifications.\n"
        "Sent: December 4, 2026 22:15 WIB"
    )


SUMMARY = Summary(
    now=AT,
    not_up=(
        (TargetRef("kecamatan-c", "Kecamatan C"), "unconfigured", None, "unconfigured"),
        (TargetRef("dinkes-router", "Dinas Kesehatan"), "degraded", AT - 300, "loss"),
        (TargetRef("bpbd-router", "BPBD"), "down", AT - 4 * HOUR, "no_reply"),
        (TargetRef("kecamatan-b", "Kecamatan B"), "unconfigured", None, "unconfigured"),
    ),
    incidents_last_day=3,
    targets_total=120,
)


def test_summary_indonesian() -> None:
    assert render_summary(SUMMARY, language="id", timezone=JAKARTA, markup="text") == "\n".join(
        [
            "📋 RINGKASAN HARIAN · 4 Desember 2026 22.15 WIB",
            "116 dari 120 target NORMAL",
            "Gangguan dalam 24 jam terakhir: 3",
            "",
            "GANGGUAN (tidak merespons): 1",
            "• bpbd-router · BPBD · sejak 4 Desember 2026 18.15 WIB"
            " · tidak ada balasan dalam batas waktu",
            "",
            "MENURUN: 1",
            "• dinkes-router · Dinas Kesehatan · sejak 4 Desember 2026 22.10 WIB"
            " · kehilangan paket",
            "",
            "BELUM DIKONFIGURASI: 2",
            "• kecamatan-b, kecamatan-c",
        ]
    )


def test_summary_english_html() -> None:
    assert render_summary(SUMMARY, language="en", timezone=JAKARTA, markup="html") == "\n".join(
        [
            "📋 <b>DAILY SUMMARY</b> · December 4, 2026 22:15 WIB",
            "116 of 120 targets UP",
            "Incidents in the last 24 hours: 3",
            "",
            "<b>DOWN (not responding): 1</b>",
            "• <b>bpbd-router</b> · BPBD · since December 4, 2026 18:15 WIB"
            " · no reply within the timeout",
            "",
            "<b>DEGRADED: 1</b>",
            "• <b>dinkes-router</b> · Dinas Kesehatan · since December 4, 2026 22:10 WIB"
            " · packet loss",
            "",
            "<b>UNCONFIGURED: 2</b>",
            "• kecamatan-b, kecamatan-c",
        ]
    )


def test_summary_all_up() -> None:
    summary = Summary(now=AT, not_up=(), incidents_last_day=0, targets_total=7)
    text = render_summary(summary, language="en", timezone=JAKARTA, markup="text")
    assert text.split("\n")[1:] == ["7 of 7 targets UP", "Incidents in the last 24 hours: 0"]


def test_sample_pages_current() -> None:
    assert (ROOT / "docs" / "alerts-messages.md").read_text(encoding="utf-8") == sample_page("en")
    assert (ROOT / "docs" / "id" / "alerts-messages.md").read_text(encoding="utf-8") == sample_page(
        "id"
    )


# split -----------------------------------------------------------------------------------

LABEL = re.compile(r"\((\d+)/(\d+)\)\n")
HTML_TAG = re.compile(r"<(/?)([a-z]+)[^<>]*>")
ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")


def bodies(parts: list[str]) -> list[str]:
    """Return the parts without their "(k/n)" labels, checking the labels on the way."""
    if len(parts) == 1:
        return parts
    stripped = []
    for index, part in enumerate(parts, start=1):
        match = LABEL.match(part)
        assert match is not None, part
        assert (int(match[1]), int(match[2])) == (index, len(parts))
        stripped.append(part[match.end() :])
    return stripped


def visible(markup_text: str) -> str:
    return html.unescape(HTML_TAG.sub("", markup_text))


def assert_balanced(body: str) -> None:
    stack: list[str] = []
    for closing, name in HTML_TAG.findall(body):
        if closing:
            assert stack and stack[-1] == name, body
            stack.pop()
        else:
            stack.append(name)
    assert stack == [], body


def deepest_tags_units(text: str) -> int:
    """Return the most units that the tags open at one point take, opened and closed."""
    stack: list[tuple[str, str]] = []
    deepest = 0
    for match in HTML_TAG.finditer(text):
        if match[1]:
            stack.pop()
        else:
            stack.append((match[0], match[2]))
        deepest = max(deepest, sum(len(tag) + len(name) + 3 for tag, name in stack))
    return deepest


PLAIN_ALPHABET = st.sampled_from([*"ab cd\n\t", "é", "日", "😀", "🔴", "\r\n"])
plain_texts = st.lists(PLAIN_ALPHABET, max_size=600).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=plain_texts, limit=st.integers(min_value=12, max_value=400))
def test_split_plain_text_roundtrip(text: str, limit: int) -> None:
    parts = split(text, limit, markup="text")
    assert all(utf16_units(part) <= limit for part in parts)
    assert "".join(bodies(parts)) == text
    assert all(part for part in parts) or text == ""


def html_nodes() -> st.SearchStrategy[str]:
    words = st.lists(st.sampled_from([*"ab &<>\"'\n", "😀", "日", "  "]), max_size=30)
    leaf = words.map(lambda chars: html.escape("".join(chars), quote=False))
    tags = st.sampled_from(["b", "i", "u", "s", "code", 'a href="u"'])

    def wrap(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.tuples(tags, st.lists(children, max_size=4)).map(
            lambda pair: f"<{pair[0]}>{''.join(pair[1])}</{pair[0].split()[0]}>"
        )

    return st.recursive(leaf, wrap, max_leaves=20)


html_texts = st.lists(html_nodes(), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=html_texts, limit=st.integers(min_value=60, max_value=400))
def test_split_html_parts_valid(text: str, limit: int) -> None:
    # Room for the label, the deepest open tags with their closers and one entity.
    limit = max(limit, deepest_tags_units(text) + 20)
    parts = split(text, limit, markup="html")
    assert all(utf16_units(part) <= limit for part in parts)
    split_bodies = bodies(parts)
    for body in split_bodies:
        assert_balanced(body)
        # No cut inside a tag or an escape: nothing of either is left over.
        leftover = ENTITY.sub("", HTML_TAG.sub("", body))
        assert not set("&<>") & set(leftover), body
    assert "".join(visible(body) for body in split_bodies) == visible(text)


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["a*b", "[x]", "_y_", "\\", "@all", " ", "\n", "😀"]), max_size=80
    ),
    limit=st.integers(min_value=15, max_value=200),
)
def test_split_markdown_keeps_escapes(words: list[str], limit: int) -> None:
    escaped = render_group_free_markdown("".join(words))
    parts = split(escaped, limit, markup="markdown")
    assert all(utf16_units(part) <= limit for part in parts)
    split_bodies = bodies(parts)
    for body in split_bodies:
        trailing = len(body) - len(body.rstrip("\\"))
        assert trailing % 2 == 0, body
    assert "".join(split_bodies) == escaped


def render_group_free_markdown(value: str) -> str:
    """Escape ``value`` as render does for Markdown, keeping its line breaks."""
    return "\n".join(re.sub(r"([\\`*_~\[\]<>|@])", r"\\\1", line) for line in value.split("\n"))


def test_split_short_text_unnumbered() -> None:
    assert split("🔴 <b>GANGGUAN</b>", 4096) == ["🔴 <b>GANGGUAN</b>"]


@pytest.mark.parametrize("text", ["😀" * 10, "\n" * 10])
def test_split_counts_utf16_and_line_feeds(text: str) -> None:
    # An emoji is two UTF-16 units, and a line feed counts twice.
    assert split(text, 20, markup="text") == [text]
    parts = split(text, 19, markup="text")
    assert len(parts) == 2
    assert "".join(bodies(parts)) == text


def test_split_closes_and_reopens_tags() -> None:
    text = "<b>" + "word " * 30 + "</b>"
    parts = split(text, 60)
    assert len(parts) > 1
    assert parts[0].startswith("(1/")
    assert parts[0].endswith("</b>")
    assert parts[1].split("\n", 1)[1].startswith("<b>")


def test_split_never_cuts_entity() -> None:
    text = "&amp;" * 40
    for body in bodies(split(text, 30)):
        assert ENTITY.sub("", body) == ""


def test_split_limit_too_small_raises() -> None:
    with pytest.raises(ValueError, match="raise the limit"):
        split('<a href="https://grafana.local/d/abc">' + "x" * 50 + "</a>", 20)


def test_split_300_events_at_event_boundaries() -> None:
    events = [
        event(target=f"opd-{index:03}-router", group=f"OPD {index:03}", address=f"10.1.{index}.1")
        for index in range(300)
    ]
    text = render(events, language="id", timezone=JAKARTA, markup="html")
    assert utf16_units(text) > 4096
    parts = split(text, 4096)
    assert len(parts) > 1
    assert all(utf16_units(part) <= 4096 for part in parts)
    split_bodies = bodies(parts)
    assert "".join(split_bodies) == text
    assert split_bodies[0].startswith("<b>300 notifikasi: 300 GANGGUAN</b>\n\n")
    for body in split_bodies:
        blocks = body.removesuffix("\n\n").split("\n\n")
        if body is split_bodies[0]:
            blocks = blocks[1:]
        assert all(block.startswith("🔴 <b>GANGGUAN</b>") for block in blocks)
        assert all(block.endswith("WIB") for block in blocks)


def test_isolation_recovery_names_the_breach_not_down() -> None:
    ended = event(
        RECOVERED,
        target="ruang-bupati",
        status="up",
        previous="down",
        reason="isolation_breached",
        group="Eksekutif",
        network="eksekutif",
    )

    lines = html_message([ended], "en")

    previous = [line for line in lines if line.startswith("Before:")]
    assert len(previous) == 1
    assert previous[0].startswith("Before: EXECUTIVE NETWORK ISOLATION BREACHED since ")
