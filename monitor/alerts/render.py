"""Chat messages from events, in Indonesian or English, and their split into parts.

``render`` writes one message for the events that one channel got within the
grouping window: a headline with counts when there are several, then one
block per event, problems first. Every value that comes from the
configuration or the network is escaped for the channel's markup. ``split``
cuts a message into parts that the chat service accepts.

Example of one event in Indonesian, as plain text::

    🔴 GANGGUAN · Bappeda
    bappeda-router · 10.20.0.1 · jaringan opd
    Penyebab: tidak ada balasan dalam batas waktu
    Mulai: 4 Desember 2026 22.15 WIB

``python -m monitor.alerts.render --samples --lang id`` writes a page with a
sample of each kind of message.
"""

from __future__ import annotations

import argparse
import html
import math
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from babel.units import format_unit

from monitor import i18n
from monitor.alerts.routing import Markup
from monitor.events import (
    CERT_EXPIRING,
    CERT_RENEWED,
    DEGRADED,
    DOWN,
    FLAPPING_STARTED,
    FLAPPING_STOPPED,
    ISOLATION_BREACHED,
    RECOVERED,
    REMINDER,
    SEVERITY_ORDER,
    Event,
    TargetRef,
)
from monitor.state import STATUSES, UNCONFIGURED

__all__ = [
    "MAX_CHILDREN_LISTED",
    "Summary",
    "render",
    "render_summary",
    "render_test",
    "sample_page",
    "split",
]

_LOCALES: Final = {"id": "id_ID", "en": "en_US"}

# Single code points only, so that no emoji is two characters a cut could separate.
_ICONS: Final = {
    DOWN: "🔴",
    ISOLATION_BREACHED: "🚨",
    DEGRADED: "🟠",
    CERT_EXPIRING: "🔐",
    REMINDER: "⏰",
    FLAPPING_STARTED: "🔁",
    FLAPPING_STOPPED: "🔵",
    RECOVERED: "🟢",
    CERT_RENEWED: "🔏",
}
_TEST_ICON: Final = "🔔"
_SUMMARY_ICON: Final = "📋"
# Order of the blocks in a message and of the counts in its headline: problems first.
_KIND_ORDER: Final = {kind: index for index, kind in enumerate(_ICONS)}

# Thresholds behind a degraded status, in the order their figures are listed.
# Each maps to how its value is shown: as a percentage of a ratio, or in ms.
_PERCENT: Final = "percent"
_MILLISECONDS: Final = "milliseconds"
_SECONDS: Final = "seconds"
_DAYS: Final = "days"
_THRESHOLDS: Final = {
    "loss": _PERCENT,
    "rtt": _MILLISECONDS,
    "utilisation": _PERCENT,
    "cpu": _PERCENT,
    "memory": _PERCENT,
    "disk": _PERCENT,
    "response": _SECONDS,
    "cert_expiry": _DAYS,
}

# Maximum children named in a parent's event. The rest are only counted,
# because a core router can have a hundred targets behind it.
MAX_CHILDREN_LISTED: Final = 20

# Separator of the blocks of a message, where split prefers to cut.
_BLOCK_SEPARATOR: Final = "\n\n"
_DOT: Final = " · "
_BULLET: Final = "• "

# CommonMark punctuation that Discord, Mattermost and Slack (through Apprise's
# CommonMark-to-mrkdwn conversion) read as markup inside a line, and "@",
# whose escape keeps "@everyone" from notifying a Discord channel. An "&"
# is escaped only before an entity, as Apprise's own text_to_markdown does.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_~\[\]<>|@]|&(?=#?[0-9A-Za-z]{1,32};))")
_WHITESPACE = re.compile(r"\s+")


def duration_words(seconds: int, locale: Locale | str) -> str:
    """Write whole ``seconds`` in words with the two largest units: "2 jam 5 menit"."""
    total = max(0, seconds)
    if total < 60:
        return _unit_words(total, "second", locale)
    days, rest = divmod(total // 60, 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    while units[0][0] == 0:
        units.pop(0)
    words = [_unit_words(*units[0], locale)]
    if len(units) > 1 and units[1][0]:
        words.append(_unit_words(*units[1], locale))
    return " ".join(words)


def _unit_words(value: int, unit: str, locale: Locale | str) -> str:
    return format_unit(value, f"duration-{unit}", length="long", locale=locale)


@dataclass(frozen=True, slots=True)
class Summary:
    """Data of the daily summary, built by the daemon.

    ``not_up`` lists each target whose status is not up as (target, status,
    since, reason): ``since`` is the unix time the status began, or None, and
    ``reason`` a cause code as in events.

    >>> Summary(now=1796436000.0, not_up=(), incidents_last_day=0, targets_total=120)
    ... # doctest: +SKIP
    """

    now: float
    not_up: tuple[tuple[TargetRef, str, float | None, str], ...]
    incidents_last_day: int
    targets_total: int


# Formatting --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Style:
    """Language, time zone and markup of one message, with the helpers that use them."""

    language: str
    zone: ZoneInfo
    markup: Markup

    @classmethod
    def of(cls, language: str, timezone: str, markup: Markup) -> _Style:
        if markup not in ("html", "markdown", "text"):
            raise ValueError(f"invalid markup {markup!r}: use html, markdown or text")
        return cls(language, ZoneInfo(timezone), markup)

    @property
    def locale(self) -> str:
        return _LOCALES.get(self.language, _LOCALES[i18n.DEFAULT_LANGUAGE])

    def text(self, key: str, /, **params: object) -> str:
        return i18n.translate(key, self.language, **params)

    def escape(self, value: str) -> str:
        """Escape a configured or received value, and replace its line breaks with spaces."""
        value = _WHITESPACE.sub(" ", value).strip()
        if self.markup == "html":
            return html.escape(value, quote=False)
        if self.markup == "markdown":
            return _MARKDOWN_SPECIAL.sub(r"\\\1", value)
        return value

    def bold(self, escaped: str) -> str:
        if self.markup == "html":
            return f"<b>{escaped}</b>"
        if self.markup == "markdown":
            return f"**{escaped}**"
        return escaped

    def italic(self, escaped: str) -> str:
        if self.markup == "html":
            return f"<i>{escaped}</i>"
        if self.markup == "markdown":
            return f"_{escaped}_"
        return escaped

    def time(self, at: float) -> str:
        moment = datetime.fromtimestamp(at, self.zone)
        return self.text(
            "alert.time",
            date=format_date(moment, "long", locale=self.locale),
            time=format_skeleton("Hm", moment, locale=self.locale),
            zone=moment.strftime("%Z"),
        )

    def number(self, value: float) -> str:
        return format_decimal(value, format="#,##0.#", locale=self.locale)

    def duration(self, seconds: float) -> str:
        """Write a duration in words with its two largest units: "2 jam 5 menit"."""
        return duration_words(int(seconds), self.locale)

    def status(self, status: str) -> str:
        """Return the full name of a status, "GANGGUAN (tidak merespons)"."""
        return self._known(f"status.{status}") or self.escape(status.upper())

    def reason(self, reason: str) -> str:
        """Return a cause code in words: a probe reason, or the name of a threshold."""
        return (
            self._known(f"reason.{reason}")
            or self._known(f"alert.metric.{reason}")
            or self.escape(reason)
        )

    def _known(self, key: str) -> str | None:
        return self.text(key) if key in i18n.catalogue() else None


# Event blocks ------------------------------------------------------------------------


def render(events: Sequence[Event], *, language: str, timezone: str, markup: Markup) -> str:
    """Write one message for the events that one channel got within the grouping window.

    Several events get a headline with counts per kind; the blocks follow,
    problems first and recoveries last. Raises ValueError for no events.
    """
    if not events:
        raise ValueError("no events to render")
    style = _Style.of(language, timezone, markup)
    ordered = sorted(events, key=_block_order)
    blocks = [_event_block(event, style) for event in ordered]
    if len(ordered) > 1:
        blocks.insert(0, _headline(ordered, style))
    return _BLOCK_SEPARATOR.join(blocks)


def _block_order(event: Event) -> tuple[int, int, float, str]:
    severity = SEVERITY_ORDER.get(event.severity, len(SEVERITY_ORDER))
    return (_KIND_ORDER.get(event.kind, len(_KIND_ORDER)), -severity, event.at, event.target)


def _headline(events: Sequence[Event], style: _Style) -> str:
    counts: dict[str, int] = {}
    for event in events:
        heading = _heading_word(event, style)
        counts[heading] = counts.get(heading, 0) + 1
    items = [
        style.text("alert.headline.item", count=count, kind=kind) for kind, count in counts.items()
    ]
    headline = style.text("alert.headline", count=len(events), counts=_DOT.join(items))
    return style.bold(headline)


def _heading_word(event: Event, style: _Style) -> str:
    if event.kind == REMINDER:
        short = style._known(f"alert.status.{event.status}") or style.status(event.status)
        return style.text("alert.kind.reminder", status=short)
    return style._known(f"alert.kind.{event.kind}") or style.escape(event.kind.upper())


def _event_block(event: Event, style: _Style) -> str:
    icon = _ICONS.get(event.kind, _TEST_ICON)
    heading = f"{icon} {style.bold(_heading_word(event, style))}"
    if event.group:
        heading += _DOT + style.escape(event.group)
    lines = [heading, _identity(event, style)]
    if event.description.strip():
        lines.append(style.italic(style.escape(event.description)))
    lines.extend(_DETAILS.get(event.kind, _problem_details)(event, style))
    return "\n".join(lines)


def _identity(event: Event, style: _Style) -> str:
    parts = [style.bold(style.escape(event.target))]
    if event.address:
        parts.append(style.escape(event.address))
    if event.network:
        parts.append(style.text("alert.network", network=style.escape(event.network)))
    return _DOT.join(parts)


def _problem_details(event: Event, style: _Style) -> list[str]:
    """Return the lines of down, degraded and isolation breached: cause, children, start."""
    lines = []
    cause = _cause(event, style)
    if cause:
        lines.append(style.text("alert.cause", cause=cause))
    if event.children:
        lines.append(_children(event.children, "alert.children_down", style))
    if event.after_maintenance:
        lines.append(style.text("alert.after_maintenance"))
    lines.append(style.text("alert.since", time=style.time(_start(event))))
    return lines


def _recovered_details(event: Event, style: _Style) -> list[str]:
    lines = []
    if event.since is not None:
        lines.append(style.text("alert.duration", duration=style.duration(event.at - event.since)))
        if event.reason == "isolation_breached":
            previous = style.text("alert.kind.isolation_breached")
            lines.append(
                style.text("alert.previous", status=previous, time=style.time(event.since))
            )
        elif event.previous:
            previous = style.status(event.previous)
            lines.append(
                style.text("alert.previous", status=previous, time=style.time(event.since))
            )
    if event.children:
        lines.append(_children(event.children, "alert.children_recovered", style))
    return lines


def _reminder_details(event: Event, style: _Style) -> list[str]:
    start = _start(event)
    lines = [
        style.text(
            "alert.reminder",
            status=style.status(event.status),
            time=style.time(start),
            duration=style.duration(event.at - start),
        )
    ]
    cause = _cause(event, style)
    if cause:
        lines.append(style.text("alert.cause", cause=cause))
    if event.children:
        lines.append(_children(event.children, "alert.children_down", style))
    return lines


def _flapping_started_details(event: Event, style: _Style) -> list[str]:
    return [
        style.text("alert.flapping"),
        style.text("alert.status_now", status=style.status(event.status)),
    ]


def _flapping_stopped_details(event: Event, style: _Style) -> list[str]:
    return [style.text("alert.status_now", status=style.status(event.status))]


def _certificate_details(event: Event, style: _Style) -> list[str]:
    """Return the lines of a certificate notice: which check, the expiry date, days left."""
    probe = event.reason.removesuffix("_certificate") or "tls"
    expiry = event.values.get("cert_expiry_timestamp")
    if expiry is None:
        return [style.text("alert.certificate.check", probe=style.escape(probe))]
    if event.kind == CERT_RENEWED:
        return [
            style.text("alert.certificate.renewed", probe=style.escape(probe)),
            style.text("alert.certificate.valid_until", time=style.time(expiry)),
        ]
    days = max(0, math.ceil((expiry - event.at) / 86400))
    return [
        style.text(
            "alert.certificate.expires",
            probe=style.escape(probe),
            time=style.time(expiry),
            days=_unit_words(days, "day", style.locale),
        ),
        style.text("alert.certificate.renew"),
    ]


_DETAILS: Final[dict[str, Callable[[Event, _Style], list[str]]]] = {
    CERT_EXPIRING: _certificate_details,
    CERT_RENEWED: _certificate_details,
    RECOVERED: _recovered_details,
    REMINDER: _reminder_details,
    FLAPPING_STARTED: _flapping_started_details,
    FLAPPING_STOPPED: _flapping_stopped_details,
}


def _start(event: Event) -> float:
    return event.since if event.since is not None else event.at


def _cause(event: Event, style: _Style) -> str:
    """Return the cause in words: the probe reason, or the thresholds crossed with figures."""
    if event.kind == ISOLATION_BREACHED:
        return style.text("alert.isolation_cause")
    if event.reason in _THRESHOLDS:
        return _threshold_cause(event, style)
    if not event.reason:
        return ""
    return style.reason(event.reason)


def _threshold_cause(event: Event, style: _Style) -> str:
    names = [event.reason, *(name for name in _THRESHOLDS if name != event.reason)]
    figures = []
    for name in names:
        if name not in event.values:
            continue
        metric = style.text(f"alert.metric.{name}")
        value = _figure(name, event.values[name], style)
        limit = event.values.get(f"{name}_limit")
        if limit is None:
            figures.append(style.text("alert.figure.no_limit", metric=metric, value=value))
        else:
            limit_text = _figure(name, limit, style)
            figures.append(style.text("alert.figure", metric=metric, value=value, limit=limit_text))
    if not figures:
        metric = style.text(f"alert.metric.{event.reason}")
        return style.text("alert.figure.no_value", metric=metric)
    return ", ".join(figures)


def _figure(name: str, value: float, style: _Style) -> str:
    if _THRESHOLDS[name] == _MILLISECONDS:
        return style.text("alert.unit.milliseconds", number=style.number(value * 1000))
    if _THRESHOLDS[name] == _SECONDS:
        return style.text("alert.unit.seconds", number=style.number(value))
    if _THRESHOLDS[name] == _DAYS:
        return _unit_words(math.ceil(value / 86400), "day", style.locale)
    return style.text("alert.unit.percent", number=style.number(value * 100))


def _children(children: Sequence[TargetRef], key: str, style: _Style) -> str:
    # The OPD beside each name, because the NOC needs to know which agencies are cut off.
    names = [
        style.escape(f"{child.name} ({child.group})" if child.group else child.name)
        for child in children[:MAX_CHILDREN_LISTED]
    ]
    hidden = len(children) - len(names)
    if hidden:
        names.append(style.text("alert.more", count=hidden))
    plural = "one" if len(children) == 1 else "other"
    return style.text(f"{key}.{plural}", count=len(children), names=", ".join(names))


# Test message and daily summary ------------------------------------------------------


def render_test(
    channel_name: str, *, language: str, timezone: str, markup: Markup, now: float
) -> str:
    """Write the message that ``pantau notify-test`` sends to a channel."""
    style = _Style.of(language, timezone, markup)
    channel = style.bold(style.escape(channel_name))
    return "\n".join(
        [
            f"{_TEST_ICON} {style.bold(style.text('alert.test.heading'))}{_DOT}Pantau",
            style.text("alert.test.body", channel=channel),
            style.text("alert.test.sent", time=style.time(now)),
        ]
    )


def render_summary(summary: Summary, *, language: str, timezone: str, markup: Markup) -> str:
    """Write the daily summary: totals, incidents of the last day, and each target not up.

    Targets are listed in sections by status, in the order of
    ``monitor.state.STATUSES``. Targets not yet configured are only named,
    on one line, because their cause is always the same.
    """
    style = _Style.of(language, timezone, markup)
    heading = f"{_SUMMARY_ICON} {style.bold(style.text('alert.summary.heading'))}"
    up = summary.targets_total - len(summary.not_up)
    blocks = [
        "\n".join(
            [
                heading + _DOT + style.time(summary.now),
                style.text("alert.summary.totals", up=up, total=summary.targets_total),
                style.text("alert.summary.incidents", count=summary.incidents_last_day),
            ]
        )
    ]
    for status, rows in _by_status(summary.not_up):
        title = style.bold(
            style.text("alert.summary.section", status=style.status(status), count=len(rows))
        )
        if status == UNCONFIGURED:
            names = ", ".join(style.escape(ref.name) for ref, _, _, _ in rows)
            lines = [title, _BULLET + names]
        else:
            lines = [title, *(_summary_line(row, style) for row in rows)]
        blocks.append("\n".join(lines))
    return _BLOCK_SEPARATOR.join(blocks)


def _by_status(
    rows: Iterable[tuple[TargetRef, str, float | None, str]],
) -> list[tuple[str, list[tuple[TargetRef, str, float | None, str]]]]:
    sections: dict[str, list[tuple[TargetRef, str, float | None, str]]] = {}
    for row in rows:
        sections.setdefault(row[1], []).append(row)
    rank = {status: index for index, status in enumerate(STATUSES)}
    ordered = sorted(sections.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))
    return [(status, sorted(found, key=lambda row: row[0].name)) for status, found in ordered]


def _summary_line(row: tuple[TargetRef, str, float | None, str], style: _Style) -> str:
    ref, _, since, reason = row
    parts = [style.bold(style.escape(ref.name))]
    if ref.group:
        parts.append(style.escape(ref.group))
    if since is not None:
        parts.append(style.text("alert.summary.since", time=style.time(since)))
    if reason:
        parts.append(style.reason(reason))
    return _BULLET + _DOT.join(parts)


# Splitting ---------------------------------------------------------------------------

# Atomic pieces of a message that a cut never separates: HTML tags, character
# references (HTML and CommonMark both read them), Markdown backslash escapes,
# CR LF, and single code points. A Python str indexes code points, so no cut
# falls inside a UTF-16 surrogate pair.
_ENTITY = r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);"
_TOKENS: Final = {
    "html": re.compile(rf"<[A-Za-z/][^<>]*>|{_ENTITY}|\r\n|.", re.DOTALL),
    "markdown": re.compile(rf"\\.|{_ENTITY}|\r\n|.", re.DOTALL),
    "text": re.compile(r"\r\n|.", re.DOTALL),
}
_TAG = re.compile(r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)[^<>]*?(?P<empty>/?)>")
_VOID_TAGS: Final = frozenset({"br", "hr", "img", "wbr"})

# Preferred cut points, best first. The last is right after an opening tag,
# which leaves an empty element behind, so it is taken only when nothing else fits.
_EVENT, _LINE, _WORD, _ANY, _AFTER_OPENING = range(5)


def split(text: str, limit: int, *, markup: Markup = "html") -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters, numbered "(1/3)" when several.

    Length is counted in UTF-16 code units, as Telegram counts, and each line
    feed counts twice, because Apprise 2.3.0's Telegram plugin sends a line
    break as CR LF. Both make the count an upper bound for every service.
    Cuts fall between events (a blank line), else between lines, else after
    a space, else between any two characters, but never inside a character
    reference, an HTML tag or a Markdown escape. With ``markup="html"``, the
    tags open at a cut are closed at the end of the part and opened again
    at the start of the next. When there are several parts, each starts
    with its number "(k/n)" and a line feed. Without those, the parts join
    into ``text`` again, apart from the HTML tags added at the cuts.

    Raises ValueError when ``limit`` cannot hold the number, the open tags
    and one piece of the text.

    NOTE: Markdown emphasis is not closed and reopened at a cut. Messages
    from ``render`` open and close it within one line, so only a line longer
    than a whole part can lose its emphasis.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    if _units(text) <= limit:
        return [text]

    tokens = _TOKENS[markup].findall(text)
    digits = 1
    while True:
        label_units = _units(f"({'9' * digits}/{'9' * digits})\n")
        bodies = _cut(tokens, limit - label_units, markup)
        if len(str(len(bodies))) <= digits:
            break
        digits += 1
    count = len(bodies)
    return [f"({index}/{count})\n{body}" for index, body in enumerate(bodies, start=1)]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2 + text.count("\n")


def _cut(tokens: Sequence[str], budget: int, markup: Markup) -> list[str]:
    """Cut the tokens into bodies of at most ``budget`` units, tags closed and reopened."""
    bodies = []
    start = 0
    open_tags: tuple[tuple[str, str], ...] = ()
    while start < len(tokens):
        end, closing_tags = _best_cut(tokens, start, budget, open_tags, markup)
        reopen = "".join(tag for _, tag in open_tags)
        close = "".join(f"</{name}>" for name, _ in reversed(closing_tags))
        bodies.append(reopen + "".join(tokens[start:end]) + close)
        start, open_tags = end, closing_tags
    return bodies


def _best_cut(
    tokens: Sequence[str],
    start: int,
    budget: int,
    open_tags: tuple[tuple[str, str], ...],
    markup: Markup,
) -> tuple[int, tuple[tuple[str, str], ...]]:
    """Return where the part from ``start`` ends, and the tags open there."""
    used = sum(_units(tag) for _, tag in open_tags)
    best: list[tuple[int, tuple[tuple[str, str], ...]] | None] = [None] * 5
    stack = open_tags
    index = start
    while index < len(tokens):
        token = tokens[index]
        previous = stack
        if markup == "html":
            stack = _track_tag(stack, token)
        used += _units(token)
        closers = sum(len(name) + 3 for name, _ in stack)
        if used + closers > budget:
            break
        opened = len(stack) > len(previous) if markup == "html" else False
        index += 1
        for kind in _cut_kinds(tokens, index, opened):
            best[kind] = (index, stack)
    else:
        return index, stack

    for found in best:
        if found is not None:
            return found
    raise ValueError(
        f"a part of {budget} characters cannot hold the open tags and the piece"
        f" {tokens[start]!r}, so raise the limit"
    )


def _cut_kinds(tokens: Sequence[str], end: int, opened: bool) -> Iterable[int]:
    """Return the kinds of cut that fall after ``tokens[end - 1]``, which ``opened`` a tag."""
    if opened:
        yield _AFTER_OPENING
        return
    last = tokens[end - 1]
    yield _ANY
    if last in (" ", "\t"):
        yield _WORD
    if last in ("\n", "\r\n"):
        yield _LINE
        if end >= 2 and tokens[end - 2] in ("\n", "\r\n"):
            yield _EVENT


def _track_tag(stack: tuple[tuple[str, str], ...], token: str) -> tuple[tuple[str, str], ...]:
    """Return the open tags after ``token``: (name, opening tag) pairs, outermost first."""
    if not token.startswith("<"):
        return stack
    match = _TAG.fullmatch(token)
    if match is None:
        return stack
    name = match["name"].lower()
    if match["close"]:
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == name:
                return stack[:depth]
        return stack
    if match["empty"] or name in _VOID_TAGS:
        return stack
    return (*stack, (name, token))


# Sample page -------------------------------------------------------------------------

# 4 December 2026 22:15 WIB.
_SAMPLE_AT: Final = 1_796_397_300.0
_SAMPLE_TIMEZONE: Final = "Asia/Jakarta"
_HOUR: Final = 3600.0


_SAMPLE_BASE: Final = Event(
    kind=DOWN,
    target="",
    at=_SAMPLE_AT,
    status="down",
    previous="up",
    severity="critical",
    reason="no_reply",
    since=_SAMPLE_AT - 90,
    group="Bappeda",
    network="opd",
    address="10.20.0.1",
)


def _sample_event(kind: str, target: str, **fields: Any) -> Event:
    return replace(_SAMPLE_BASE, kind=kind, target=target, **fields)


def _sample_events() -> list[tuple[str, list[Event]]]:
    """Return (catalogue key of the title, events of one message) for each sample."""
    down = _sample_event(DOWN, "bappeda-router", description="Router utama kantor Bappeda")

    recovered = _sample_event(
        RECOVERED,
        "bappeda-router",
        status="up",
        previous="down",
        reason="ok",
        since=_SAMPLE_AT - 2 * _HOUR - 5 * 60,
    )

    children = (
        TargetRef("dinkes-router", "Dinas Kesehatan", "opd", "10.21.0.1"),
        TargetRef("disdik-router", "Dinas Pendidikan", "opd", "10.22.0.1"),
        TargetRef("bpbd-router", "BPBD", "opd", "10.23.0.1"),
    )
    parent = _sample_event(
        DOWN,
        "core-router",
        group="Diskominfo",
        network="inti",
        address="10.0.0.1",
        children=children,
    )

    degraded = _sample_event(
        DEGRADED,
        "dinkes-router",
        status="degraded",
        severity="warning",
        reason="loss",
        group="Dinas Kesehatan",
        address="10.21.0.1",
        since=_SAMPLE_AT - 300,
        values={"loss": 0.4, "loss_limit": 0.2, "rtt": 0.312, "rtt_limit": 0.25},
    )

    isolation = _sample_event(
        ISOLATION_BREACHED,
        "eksekutif-dari-opd",
        status="down",
        reason="ok",
        group="Bagian Umum",
        network="eksekutif",
        address="10.9.0.1",
        since=_SAMPLE_AT - 60,
    )

    flapping = _sample_event(
        FLAPPING_STARTED,
        "disdik-ap-lantai2",
        severity="warning",
        group="Dinas Pendidikan",
        address="10.22.0.20",
    )
    stable = _sample_event(
        FLAPPING_STOPPED,
        "disdik-ap-lantai2",
        status="up",
        previous="down",
        severity="warning",
        reason="ok",
        group="Dinas Pendidikan",
        address="10.22.0.20",
    )

    reminder = _sample_event(
        REMINDER,
        "bpbd-router",
        group="BPBD",
        address="10.23.0.1",
        since=_SAMPLE_AT - 4 * _HOUR,
    )

    after_maintenance = _sample_event(
        DOWN,
        "dukcapil-server",
        group="Dukcapil",
        network="server",
        address="10.30.0.5",
        reason="timeout",
        after_maintenance=True,
        since=_SAMPLE_AT,
    )

    service_down = _sample_event(
        DOWN,
        "simpeg-web",
        group="Server Aplikasi",
        network="server",
        address="10.30.0.10",
        description="Aplikasi kepegawaian (SIMPEG)",
        reason="unexpected_status",
    )
    certificate = _sample_event(
        CERT_EXPIRING,
        "simpeg-web",
        status="up",
        severity="warning",
        group="Server Aplikasi",
        network="server",
        address="10.30.0.10",
        reason="http_certificate",
        values={
            "cert_expiry_timestamp": _SAMPLE_AT + 10 * 24 * _HOUR - 3 * _HOUR,
            "cert_days_left": 10.0,
            "cert_expiry_limit": 21 * 24 * _HOUR,
        },
    )

    return [
        ("alert.samples.down", [down]),
        ("alert.samples.recovered", [recovered]),
        ("alert.samples.parent", [parent]),
        ("alert.samples.degraded", [degraded]),
        ("alert.samples.isolation", [isolation]),
        ("alert.samples.flapping_started", [flapping]),
        ("alert.samples.flapping_stopped", [stable]),
        ("alert.samples.reminder", [reminder]),
        ("alert.samples.after_maintenance", [after_maintenance]),
        ("alert.samples.group", [recovered, degraded, down]),
        ("alert.samples.service_down", [service_down]),
        ("alert.samples.cert_expiring", [certificate]),
    ]


def _sample_summary() -> Summary:
    not_up = (
        (TargetRef("bpbd-router", "BPBD", "opd"), "down", _SAMPLE_AT - 4 * _HOUR, "no_reply"),
        (
            TargetRef("dinkes-router", "Dinas Kesehatan", "opd"),
            "degraded",
            _SAMPLE_AT - 300,
            "loss",
        ),
        (TargetRef("puskesmas-a", "Dinas Kesehatan", "opd"), "unreachable", _SAMPLE_AT - 300, ""),
        (TargetRef("kecamatan-b", "Kecamatan B", "opd"), "unconfigured", None, "unconfigured"),
        (TargetRef("kecamatan-c", "Kecamatan C", "opd"), "unconfigured", None, "unconfigured"),
    )
    return Summary(now=_SAMPLE_AT, not_up=not_up, incidents_last_day=3, targets_total=120)


def sample_page(language: str) -> str:
    """Write the Markdown page with a plain-text sample of each message kind in both languages."""
    samples = {
        sample_language: _sample_messages(sample_language) for sample_language in i18n.LANGUAGES
    }
    lines = [f"# {i18n.translate('alert.samples.title', language)}", ""]
    lines += [i18n.translate("alert.samples.intro", language), ""]
    for index, (key, _) in enumerate(samples[i18n.DEFAULT_LANGUAGE]):
        lines += [f"## {i18n.translate(key, language)}", ""]
        for sample_language in i18n.LANGUAGES:
            title = i18n.translate(f"alert.samples.language.{sample_language}", language)
            lines += [f"### {title}", "", "```text", samples[sample_language][index][1], "```", ""]
    return "\n".join(lines)


def _sample_messages(language: str) -> list[tuple[str, str]]:
    def styled(write: Callable[..., str], *args: object, **extra: object) -> str:
        return write(*args, language=language, timezone=_SAMPLE_TIMEZONE, markup="text", **extra)

    messages = [(key, styled(render, events)) for key, events in _sample_events()]
    messages.append(("alert.samples.test", styled(render_test, "noc-telegram", now=_SAMPLE_AT)))
    messages.append(("alert.samples.summary", styled(render_summary, _sample_summary())))
    return messages


def main(argv: Sequence[str] | None = None) -> int:
    """Print the sample page: ``python -m monitor.alerts.render --samples --lang id``."""
    parser = argparse.ArgumentParser(prog="python -m monitor.alerts.render")
    parser.add_argument("--samples", action="store_true", required=True)
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=i18n.DEFAULT_LANGUAGE)
    arguments = parser.parse_args(argv)
    sys.stdout.write(sample_page(arguments.lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())
