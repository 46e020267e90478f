"""Alert routing: the channels that take an event, and the limits of each chat service.

The figures per service come from Apprise 2.3.0's plugins
(``apprise/plugins/*.py``: ``body_maxlen``, ``notify_format``,
``request_rate_per_sec``) and from the services' own documentation, as noted
in ``_SERVICES``. Apprise's ``request_rate_per_sec`` is, despite its name,
the minimum number of seconds between two requests of one plugin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import urlsplit

from monitor.config import Channel
from monitor.events import CRITICAL, SEVERITY_ORDER, Event

Markup = Literal["html", "markdown", "text"]


@dataclass(frozen=True, slots=True)
class Service:
    """Markup, characters per message and messages per minute that a chat service accepts.

    >>> service_of(channel)  # doctest: +SKIP
    Service(scheme='tgram', markup='html', max_length=4096, rate_per_minute=20.0)
    """

    scheme: str
    markup: Markup
    max_length: int
    rate_per_minute: float


_TELEGRAM = Service("tgram", "html", 4096, 20.0)
_DISCORD = Service("discord", "markdown", 2000, 30.0)
_SLACK = Service("slack", "markdown", 35_000, 50.0)
_MATTERMOST = Service("mmost", "markdown", 4000, 60.0)
_ROCKETCHAT = Service("rocket", "markdown", 1000, 10.0)
_EMAIL = Service("mailto", "text", 32_768, 10.0)
_JSON = Service("json", "text", 32_768, 60.0)
_UNKNOWN = Service("", "text", 4000, 30.0)

_SERVICES: Final[dict[str, Service]] = {
    # Telegram: body_maxlen 4096 and HTML as the first notify_format in
    # apprise/plugins/telegram.py. The Bot API FAQ allows a bot about 20
    # messages per minute in one group; Apprise throttles only 0.001 s.
    "tgram": _TELEGRAM,
    # Discord: body_maxlen 2000, formats text and Markdown. Apprise does not
    # throttle (0) and follows Discord's X-RateLimit headers. Discord publishes
    # no fixed webhook limit. NOTE: 30 per minute per channel is the figure
    # users report and an estimate; 429 replies are retried by the sender.
    "discord": _DISCORD,
    # Slack: body_maxlen 35000, mrkdwn first, request_rate_per_sec 1.2
    # ("Allow 50 requests per minute (Tier 2)"). Apprise 2.3.0 turns
    # CommonMark into mrkdwn itself.
    "slack": _SLACK,
    # Mattermost: body_maxlen 4000; the plugin declares only text and passes
    # Markdown through unchanged, which Mattermost renders. Apprise throttles
    # 0.02 s. Mattermost's own rate limit is off by default and allows 10
    # requests per second when on, so 60 per minute stays below it.
    "mmost": _MATTERMOST,
    "mmosts": _MATTERMOST,
    # Rocket.Chat: body_maxlen 1000, notify_format Markdown, and the base
    # plugin's 5.5 s between requests, about 10 per minute.
    "rocket": _ROCKETCHAT,
    "rockets": _ROCKETCHAT,
    # E-mail: formats HTML and text, the base plugin's body_maxlen 32768 and
    # 5.5 s between requests. Plain text, because HTML mail would join the
    # lines of a message into one paragraph.
    "mailto": _EMAIL,
    "mailtos": _EMAIL,
    # JSON webhook: passes text, HTML and Markdown through, body_maxlen 32768,
    # no throttle (0). The receiver is usually local, so 60 per minute.
    "json": _JSON,
    "jsons": _JSON,
}

# Apprise also takes a service's own https:// URL (parse_native_url in each
# plugin). These hosts identify the services above.
_NATIVE_HOSTS: Final[dict[str, Service]] = {
    "api.telegram.org": _TELEGRAM,
    "discord.com": _DISCORD,
    "discordapp.com": _DISCORD,
    "hooks.slack.com": _SLACK,
}


def service_of(channel: Channel) -> Service:
    """Return the service behind the channel's Apprise URL, with the channel's overrides.

    An unknown scheme, or a URL whose environment variable is not set, gets
    plain text, 4000 characters and 30 messages per minute. For a known
    service, ``max_length`` may only lower the service's limit: a longer
    part would be rejected for good and hold the channel's alerts.
    """
    service, known = _service_of_url(channel)
    max_length = service.max_length
    if channel.max_length is not None:
        max_length = min(channel.max_length, max_length) if known else channel.max_length
    return Service(
        scheme=service.scheme,
        markup=service.markup,
        max_length=max_length,
        rate_per_minute=channel.rate if channel.rate is not None else service.rate_per_minute,
    )


def _service_of_url(channel: Channel) -> tuple[Service, bool]:
    """Return the service of the channel's URL, and whether its limits are known."""
    if not channel.url.is_set:
        return _UNKNOWN, False
    url = channel.url.reveal()
    scheme, separator, _ = url.partition("://")
    if not separator:
        return _UNKNOWN, False
    scheme = scheme.lower()

    if scheme in _SERVICES:
        return _with_scheme(_SERVICES[scheme], scheme), True
    if scheme in ("http", "https"):
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:  # a malformed port or IPv6 literal
            host = ""
        native = _NATIVE_HOSTS.get(host)
        if native is not None:
            return _with_scheme(native, scheme), True
    return _with_scheme(_UNKNOWN, scheme), False


def _with_scheme(service: Service, scheme: str) -> Service:
    return Service(scheme, service.markup, service.max_length, service.rate_per_minute)


def channels_for(event: Event, channels: Sequence[Channel]) -> list[Channel]:
    """Return the channels that take ``event``, in configuration order.

    A channel takes an event whose severity is at least its ``min_severity``
    and whose target, or one of the children listed in it, is in one of the
    channel's networks and groups. Empty networks or groups match every one.
    The children count because an agency's channel needs to hear that its
    targets became unreachable when a shared parent went down.
    """
    return [channel for channel in channels if _takes(channel, event)]


def _takes(channel: Channel, event: Event) -> bool:
    # An unknown severity counts as critical, so an event is never lost to a typo.
    severity = SEVERITY_ORDER.get(event.severity, SEVERITY_ORDER[CRITICAL])
    if severity < SEVERITY_ORDER[channel.min_severity]:
        return False
    places = [(event.network, event.group)]
    places.extend((child.network, child.group) for child in event.children)
    return any(covers(channel, network, group) for network, group in places)


def covers(channel: Channel, network: str, group: str) -> bool:
    """Return whether the channel takes targets of ``network`` and ``group``."""
    network_ok = not channel.networks or network in channel.networks
    group_ok = not channel.groups or group in channel.groups
    return network_ok and group_ok
