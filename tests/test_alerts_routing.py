"""Alert routing: the channels an event goes to, and what each chat service accepts."""

from __future__ import annotations

import pytest

from monitor.alerts.routing import Service, channels_for, service_of
from monitor.config import Channel, Secret
from monitor.events import CRITICAL, DOWN, INFO, RECOVERED, WARNING, Event, TargetRef


def channel(url: str | None = "tgram://123:abc/-100", **fields: object) -> Channel:
    return Channel(name="noc", url=Secret("PANTAU_CHAT_URL", url), **fields)  # type: ignore[arg-type]


def event(severity: str = CRITICAL, **fields: object) -> Event:
    values: dict[str, object] = {
        "kind": DOWN,
        "target": "bappeda-router",
        "at": 1_796_397_300.0,
        "status": "down",
        "previous": "up",
        "severity": severity,
        "reason": "no_reply",
        "group": "Bappeda",
        "network": "opd",
        "address": "10.20.0.1",
    }
    values.update(fields)
    return Event(**values)  # type: ignore[arg-type]


# service_of ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("tgram://123:abc/-100", Service("tgram", "html", 4096, 20.0)),
        ("TGRAM://123:abc/-100", Service("tgram", "html", 4096, 20.0)),
        ("discord://1/abc", Service("discord", "markdown", 2000, 30.0)),
        ("slack://T1/B1/abc", Service("slack", "markdown", 35_000, 50.0)),
        ("mmost://chat.local/token", Service("mmost", "markdown", 4000, 60.0)),
        ("mmosts://chat.local/token", Service("mmosts", "markdown", 4000, 60.0)),
        ("rocket://user:pass@chat.local/room", Service("rocket", "markdown", 1000, 10.0)),
        ("rockets://user:pass@chat.local/room", Service("rockets", "markdown", 1000, 10.0)),
        ("mailto://user:pass@mail.local", Service("mailto", "text", 32_768, 10.0)),
        ("mailtos://user:pass@mail.local", Service("mailtos", "text", 32_768, 10.0)),
        ("json://127.0.0.1:8080/hook", Service("json", "text", 32_768, 60.0)),
        ("jsons://127.0.0.1:8443/hook", Service("jsons", "text", 32_768, 60.0)),
        ("https://api.telegram.org/bot123:abc/", Service("https", "html", 4096, 20.0)),
        ("https://discord.com/api/webhooks/1/abc", Service("https", "markdown", 2000, 30.0)),
        ("https://hooks.slack.com/services/T/B/C", Service("https", "markdown", 35_000, 50.0)),
        ("https://example.invalid/hook", Service("https", "text", 4000, 30.0)),
        ("ntfy://topic", Service("ntfy", "text", 4000, 30.0)),
        ("not a url", Service("", "text", 4000, 30.0)),
    ],
)
def test_service_of_scheme(url: str, expected: Service) -> None:
    assert service_of(channel(url)) == expected


def test_service_of_unset_url_is_unknown() -> None:
    assert service_of(channel(None)) == Service("", "text", 4000, 30.0)


def test_service_of_channel_overrides() -> None:
    service = service_of(channel("tgram://123:abc/-100", max_length=1000, rate=5.0))
    assert service.markup == "html"
    assert service.max_length == 1000
    assert service.rate_per_minute == 5.0


def test_max_length_cannot_exceed_a_known_service_limit() -> None:
    assert service_of(channel("tgram://123:abc/-100", max_length=5000)).max_length == 4096
    assert service_of(channel("json://127.0.0.1:8080/", max_length=50_000)).max_length == 32768


def test_max_length_unknown_service() -> None:
    assert service_of(channel("foo://127.0.0.1/", max_length=9000)).max_length == 9000


def test_service_of_keeps_secret_out_of_repr() -> None:
    service = service_of(channel("tgram://123:topsecret/-100"))
    assert "topsecret" not in repr(service)


# channels_for --------------------------------------------------------------------------


def test_channels_for_empty_filters_take_all() -> None:
    all_channel = channel()
    assert channels_for(event(), [all_channel]) == [all_channel]


@pytest.mark.parametrize(
    ("filters", "taken"),
    [
        ({"networks": ("opd",)}, True),
        ({"networks": ("eksekutif",)}, False),
        ({"networks": ("eksekutif", "opd")}, True),
        ({"groups": ("Bappeda",)}, True),
        ({"groups": ("bappeda",)}, False),  # group names match exactly
        ({"groups": ("Dinkes",)}, False),
        ({"networks": ("opd",), "groups": ("Dinkes",)}, False),
        ({"networks": ("server",), "groups": ("Bappeda",)}, False),
        ({"networks": ("opd",), "groups": ("Bappeda",)}, True),
    ],
)
def test_channels_for_network_and_group(filters: dict[str, tuple[str, ...]], taken: bool) -> None:
    filtered = channel(**filters)
    assert channels_for(event(), [filtered]) == ([filtered] if taken else [])


@pytest.mark.parametrize(
    ("severity", "min_severity", "taken"),
    [
        (INFO, INFO, True),
        (INFO, WARNING, False),
        (WARNING, WARNING, True),
        (WARNING, CRITICAL, False),
        (CRITICAL, WARNING, True),
        (CRITICAL, CRITICAL, True),
        ("unknown", CRITICAL, True),  # an unknown severity counts as critical
    ],
)
def test_channels_for_min_severity(severity: str, min_severity: str, taken: bool) -> None:
    filtered = channel(min_severity=min_severity)
    assert channels_for(event(severity), [filtered]) == ([filtered] if taken else [])


def test_channels_for_child_in_group() -> None:
    dinkes = channel(groups=("Dinkes",))
    children = (TargetRef("dinkes-router", "Dinkes", "opd", "10.21.0.1"),)
    parent = event(target="core-router", group="Diskominfo", network="inti", children=children)
    assert channels_for(parent, [dinkes]) == [dinkes]


def test_channels_for_child_must_match_both_filters() -> None:
    dinkes_server = channel(groups=("Dinkes",), networks=("server",))
    children = (TargetRef("dinkes-router", "Dinkes", "opd"),)
    parent = event(target="core-router", group="Diskominfo", network="inti", children=children)
    assert channels_for(parent, [dinkes_server]) == []


def test_channels_for_keeps_configuration_order() -> None:
    first = Channel(name="a", url=Secret("A", "tgram://1/2"), min_severity=INFO)
    second = Channel(name="b", url=Secret("B", "json://127.0.0.1/"), groups=("Dinkes",))
    third = Channel(name="c", url=Secret("C", "json://127.0.0.1/"), networks=("opd",))
    recovered = event(WARNING, kind=RECOVERED, status="up", previous="down")
    assert channels_for(recovered, [first, second, third]) == [first, third]
