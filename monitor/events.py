"""Status change events: what the status machine reports and the alerts deliver.

An :class:`Event` is self-contained: it carries the target's group, network
and address as they were when the event happened, so that a message queued
before a reload or a restart still reads right. Events are stored as JSON in
the outbox and read back with :meth:`Event.from_json`.

Example::

    event = Event(
        kind=DOWN, target="bappeda-router", at=1764806400.0, status="down",
        previous="up", severity=CRITICAL, reason="no_reply", since=1764806340.0,
        group="Bappeda", network="opd", address="10.20.0.1",
    )
    assert Event.from_json(event.to_json()) == event
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any, Final

# Kinds of event.
DOWN: Final = "down"  # the target stopped replying (or its probe kept failing)
RECOVERED: Final = "recovered"  # back to up from down, degraded or an isolation breach
DEGRADED: Final = "degraded"  # replies, but a threshold stayed crossed
ISOLATION_BREACHED: Final = "isolation_breached"  # an address that must be silent replied
FLAPPING_STARTED: Final = "flapping_started"
FLAPPING_STOPPED: Final = "flapping_stopped"  # stable again; ``status`` is the status it settled in
REMINDER: Final = "reminder"  # still down or degraded after remind_every
# A certificate entered its warning period (values: cert_expiry_timestamp,
# cert_days_left, cert_expiry_limit); reason "<probe>_certificate".
CERT_EXPIRING: Final = "cert_expiring"
CERT_RENEWED: Final = "cert_renewed"  # the warned certificate was replaced by a later one
KINDS: Final = (
    DOWN,
    RECOVERED,
    DEGRADED,
    ISOLATION_BREACHED,
    FLAPPING_STARTED,
    FLAPPING_STOPPED,
    REMINDER,
    CERT_EXPIRING,
    CERT_RENEWED,
)

# Severities, lowest first; a channel takes events at or above its minimum.
INFO: Final = "info"
WARNING: Final = "warning"
CRITICAL: Final = "critical"
SEVERITY_ORDER: Final = {INFO: 0, WARNING: 1, CRITICAL: 2}


@dataclass(frozen=True, slots=True)
class TargetRef:
    """Name, group, network and address of a target, as listed in a parent's event."""

    name: str
    group: str = ""
    network: str = ""
    address: str = ""


def _empty_values() -> Mapping[str, float]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Event:
    """One change worth telling the NOC about.

    ``at`` is the unix time of the change and ``since`` the start of the
    problem it opens, continues or closes, so a recovery's outage lasted
    ``at - since``. ``reason`` is a cause code: a probe reason such as
    "no_reply" or "timeout", or a threshold name ("loss", "rtt",
    "utilisation", "cpu", "memory", "disk") for degraded. ``values`` contains
    the figures behind the cause, such as {"loss": 0.4, "loss_limit": 0.2}.
    ``children`` lists the targets behind a parent that went down (they are
    unreachable, with no alert of their own) or came back with it.
    A recovery carries the severity of the problem it ends, so that a
    channel that got the alert also gets the recovery.
    """

    kind: str
    target: str
    at: float
    status: str
    previous: str | None
    severity: str
    reason: str
    since: float | None = None
    group: str = ""
    network: str = ""
    address: str = ""
    description: str = ""
    children: tuple[TargetRef, ...] = ()
    values: Mapping[str, float] = field(default_factory=_empty_values)
    after_maintenance: bool = False  # the problem was found when a window ended

    @property
    def key(self) -> str:
        """Return a key that names this event and no other, for de-duplication."""
        return f"{self.target}/{self.kind}/{self.at:.6f}"

    def to_json(self) -> str:
        """Return the event as compact JSON."""
        # asdict() deep-copies field values, and a mappingproxy cannot be copied.
        data: dict[str, Any] = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["children"] = [asdict(child) for child in self.children]
        data["values"] = dict(self.values)
        return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Event:
        """Read an event written by :meth:`to_json`; unknown keys are ignored."""
        data: dict[str, Any] = json.loads(text)
        known = set(cls.__dataclass_fields__)
        data = {key: value for key, value in data.items() if key in known}
        data["children"] = tuple(TargetRef(**child) for child in data.get("children", ()))
        data["values"] = MappingProxyType(dict(data.get("values", {})))
        return cls(**data)
