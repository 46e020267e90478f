"""Events survive the outbox: JSON text back to an equal Event."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from monitor.events import CRITICAL, DOWN, KINDS, SEVERITY_ORDER, Event, TargetRef

names = st.text(min_size=1, max_size=20)


def test_down_event_round_trip_keeps_children_and_values() -> None:
    event = Event(
        kind=DOWN,
        target="core-router",
        at=1_764_806_400.25,
        status="down",
        previous="up",
        severity=CRITICAL,
        reason="no_reply",
        since=1_764_806_340.0,
        group="Diskominfo",
        network="opd",
        address="10.0.0.1",
        children=(TargetRef("bappeda-router", "Bappeda", "opd", "10.20.0.1"),),
        values={"loss": 1.0},
    )

    text = event.to_json()

    assert json.loads(text)["children"][0]["group"] == "Bappeda"
    assert json.loads(text)["values"] == {"loss": 1.0}
    assert Event.from_json(text) == event
    assert Event.from_json(text).key == "core-router/down/1764806400.250000"


def test_from_json_ignores_unknown_keys() -> None:
    text = json.dumps(
        {
            "kind": DOWN,
            "target": "a",
            "at": 1.0,
            "status": "down",
            "previous": None,
            "severity": CRITICAL,
            "reason": "no_reply",
            "added_later": 3,
        }
    )

    assert Event.from_json(text).target == "a"


@given(
    kind=st.sampled_from(KINDS),
    target=names,
    at=st.floats(min_value=0, max_value=4e9),
    severity=st.sampled_from(sorted(SEVERITY_ORDER)),
    reason=names,
    children=st.lists(st.builds(TargetRef, names, names, names, names), max_size=4),
    values=st.dictionaries(names, st.floats(allow_nan=False, allow_infinity=False), max_size=4),
)
def test_any_event_round_trips(
    kind: str,
    target: str,
    at: float,
    severity: str,
    reason: str,
    children: list[TargetRef],
    values: dict[str, float],
) -> None:
    event = Event(
        kind=kind,
        target=target,
        at=at,
        status="down",
        previous=None,
        severity=severity,
        reason=reason,
        children=tuple(children),
        values=values,
    )

    assert Event.from_json(event.to_json()) == event
