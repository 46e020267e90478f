"""Status machine: hysteresis, degraded limits, isolation, parents, maintenance, flapping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from monitor import events, state
from monitor.config import (
    DaemonSettings,
    FlapSettings,
    Inventory,
    Target,
    TargetSettings,
    Thresholds,
)
from monitor.events import Event
from monitor.state import Observation, StatusBoard

INTERVAL = 30.0
# Limits switched off, so that only the degraded tests reach that status.
NO_LIMITS = Thresholds(loss=None, rtt=None, utilisation=None, cpu=None, memory=None, disk=None)


def make_target(
    name: str,
    *,
    parent: str | None = None,
    expect: str = "reachable",
    placeholder: bool = False,
    **settings: object,
) -> Target:
    settings.setdefault("degraded", NO_LIMITS)
    return Target(
        name=name,
        address="192.0.2.1" if placeholder else "127.0.0.10",
        group="Bappeda",
        network="opd",
        probes=("icmp",),
        parent=parent,
        description=f"{name} di lantai 2",
        settings=TargetSettings(**settings),  # type: ignore[arg-type]
        snmp=None,
        placeholder=placeholder,
        expect=expect,
    )


def make_inventory(*targets: Target) -> Inventory:
    daemon = DaemonSettings("127.0.0.1", 9470, Path("/tmp/pantau.db"), "id", "Asia/Jakarta", "INFO")
    return Inventory(
        path=Path("targets.toml"),
        daemon=daemon,
        defaults=TargetSettings(),
        targets=targets,
        credentials={},
        channels=(),
    )


class Scenario:
    """A board fed by cycles 30 seconds apart; a tick follows each cycle."""

    def __init__(self, *targets: Target, saved: Mapping[str, str] | None = None) -> None:
        self.inventory = make_inventory(*targets)
        self.maintenance: set[str] = set()
        self.board = StatusBoard(
            self.inventory, lambda target, at: target.name in self.maintenance, saved
        )
        self.at = 0.0
        self.events: list[Event] = []
        self.transitions: list[state.Transition] = []

    def cycle(self, outcomes: Mapping[str, bool | None], **measurements: float) -> list[str]:
        """Observe one outcome per target, tick, and return "target kind" of each event."""
        found: list[Event] = []
        for name, success in outcomes.items():
            reason = "ok" if success or success is None else "no_reply"
            observation = Observation(name, self.at, "icmp", success, reason, measurements)
            found += self._keep(self.board.observe(observation))
        found += self._keep(self.board.tick(self.at + 1))
        self.at += INTERVAL
        return [f"{event.target} {event.kind}" for event in found]

    def run(self, name: str, outcomes: Iterable[bool | None], **measurements: float) -> list[str]:
        """Feed one target a list of outcomes, and return the kinds of all its events."""
        kinds: list[str] = []
        for success in outcomes:
            kinds += [item.split()[1] for item in self.cycle({name: success}, **measurements)]
        return kinds

    def measure(self, name: str, source: str, at: float, **measurements: float) -> list[str]:
        """Observe measurements alone, as an SNMP poll of a pinged target gives them."""
        observation = Observation(name, at, source, None, "ok", measurements)
        return [event.kind for event in self._keep(self.board.observe(observation))]

    def tick(self, seconds: float) -> list[str]:
        self.at += seconds
        return [f"{event.target} {event.kind}" for event in self._keep(self.board.tick(self.at))]

    def last(self, kind: str) -> Event:
        return [event for event in self.events if event.kind == kind][-1]

    def status(self, name: str) -> str | None:
        view = self.board.view(name)
        assert view is not None
        return view.status

    def _keep(self, outcome: state.Outcome) -> list[Event]:
        self.events += outcome.events
        self.transitions += outcome.transitions
        return list(outcome.events)


# Hysteresis -----------------------------------------------------------------------------


def test_first_success_is_up_at_once() -> None:
    scenario = Scenario(make_target("core"))
    assert scenario.run("core", [True]) == []
    assert scenario.status("core") == "up"


def test_first_failures_count_towards_down() -> None:
    scenario = Scenario(make_target("core", down_after=3))
    assert scenario.run("core", [False, False]) == []
    assert scenario.status("core") is None
    assert scenario.run("core", [False]) == ["down"]
    assert scenario.last("down").previous is None


def test_down_after_consecutive_failures() -> None:
    scenario = Scenario(make_target("core", down_after=3))
    assert scenario.run("core", [True, False, False, True, False, False]) == []
    assert scenario.run("core", [False]) == ["down"]
    down = scenario.last("down")
    assert down.severity == "critical"
    assert down.previous == "up"
    assert down.reason == "no_reply"
    assert down.since == 4 * INTERVAL  # the first failed cycle of the run


def test_up_after_consecutive_successes() -> None:
    scenario = Scenario(make_target("core", down_after=2, up_after=3))
    assert scenario.run("core", [True, False, False]) == ["down"]
    assert scenario.run("core", [True, True, False, True, True]) == []
    assert scenario.status("core") == "down"
    assert scenario.run("core", [True]) == ["recovered"]


def test_recovered_carries_outage_start() -> None:
    scenario = Scenario(make_target("core", down_after=2, up_after=1))
    scenario.run("core", [True, False, False, False, True])
    recovered = scenario.last("recovered")
    assert recovered.since == 1 * INTERVAL
    assert recovered.at - recovered.since == 3 * INTERVAL
    assert recovered.severity == "critical"
    assert recovered.previous == "down"
    assert recovered.status == "up"


def test_event_carries_target_fields() -> None:
    scenario = Scenario(make_target("core", down_after=1))
    scenario.run("core", [False])
    down = scenario.last("down")
    assert down.group == "Bappeda"
    assert down.network == "opd"
    assert down.address == "127.0.0.10"
    assert down.description == "core di lantai 2"


def test_transition_marks_status_change() -> None:
    scenario = Scenario(make_target("core", down_after=2))
    scenario.run("core", [True, False, False])
    last = scenario.transitions[-1]
    assert (last.previous, last.status, last.reason) == ("up", "down", "no_reply")
    assert last.since == INTERVAL
    assert last.at == 2 * INTERVAL


# Degraded ------------------------------------------------------------------------------

LOSS_LIMIT = replace(NO_LIMITS, loss=0.2, sustain=60.0)


def test_degraded_after_sustain() -> None:
    scenario = Scenario(make_target("core", degraded=LOSS_LIMIT))
    # Crossed at 0, 30 and 60 seconds: sustained for 60 seconds at the third.
    assert scenario.run("core", [True, True], loss=0.4) == []
    assert scenario.run("core", [True], loss=0.4) == ["degraded"]
    degraded = scenario.last("degraded")
    assert degraded.severity == "warning"
    assert degraded.reason == "loss"
    assert dict(degraded.values) == {"loss": 0.4, "loss_limit": 0.2}
    assert degraded.since == 0.0
    assert scenario.status("core") == "degraded"


def test_degraded_needs_continuous_crossing() -> None:
    scenario = Scenario(make_target("core", degraded=LOSS_LIMIT))
    assert scenario.run("core", [True, True], loss=0.4) == []
    assert scenario.run("core", [True], loss=0.0) == []
    assert scenario.run("core", [True, True], loss=0.4) == []
    assert scenario.status("core") == "up"


def test_degraded_limit_equal_is_not_crossed() -> None:
    scenario = Scenario(make_target("core", degraded=LOSS_LIMIT))
    assert scenario.run("core", [True] * 5, loss=0.2) == []


def test_degraded_cleared_after_up_after_cycles() -> None:
    scenario = Scenario(make_target("core", degraded=LOSS_LIMIT, up_after=2))
    scenario.run("core", [True] * 3, loss=0.5)
    assert scenario.run("core", [True], loss=0.0) == []
    assert scenario.run("core", [True], loss=0.5) == []
    assert scenario.run("core", [True], loss=0.0) == []
    assert scenario.run("core", [True], loss=0.0) == ["recovered"]
    recovered = scenario.last("recovered")
    assert recovered.severity == "warning"
    assert recovered.since == 0.0


def test_degraded_from_other_source() -> None:
    limits = replace(NO_LIMITS, cpu=0.9, sustain=60.0)
    scenario = Scenario(make_target("core", degraded=limits))
    kinds: list[str] = []
    for _ in range(3):
        kinds += scenario.run("core", [True])  # ping carries no cpu
        kinds += scenario.measure("core", "snmp", scenario.at, cpu=0.97)
    assert kinds == ["degraded"]
    assert dict(scenario.last("degraded").values) == {"cpu": 0.97, "cpu_limit": 0.9}


def test_latest_source_replaces_measurements() -> None:
    limits = replace(NO_LIMITS, cpu=0.9, sustain=60.0)
    scenario = Scenario(make_target("core", degraded=limits))
    scenario.run("core", [True])
    for memory in (0.5, 0.5, 0.5):
        # The SNMP source's latest observation has no cpu, so cpu is not crossed.
        scenario.measure("core", "snmp", scenario.at, cpu=0.97)
        scenario.measure("core", "snmp", scenario.at + 1, memory=memory)
        scenario.run("core", [True])
    assert scenario.status("core") == "up"


def test_degraded_ignores_failed_cycles() -> None:
    scenario = Scenario(make_target("core", degraded=LOSS_LIMIT, down_after=3))
    assert scenario.run("core", [True], loss=0.0) == []
    assert scenario.run("core", [True, False, True], loss=0.6) == []
    assert scenario.status("core") == "up"


def test_down_wins_over_degraded() -> None:
    scenario = Scenario(make_target("core", degraded=LOSS_LIMIT, down_after=2))
    assert scenario.run("core", [True] * 3, loss=0.5) == ["degraded"]
    assert scenario.run("core", [False, False], loss=1.0) == ["down"]
    assert scenario.last("down").previous == "degraded"
    assert scenario.run("core", [True, True], loss=0.0) == ["recovered"]
    assert scenario.last("recovered").severity == "critical"


def test_down_to_degraded_recovers_first() -> None:
    limits = replace(LOSS_LIMIT, sustain=0.0)
    scenario = Scenario(make_target("core", degraded=limits, down_after=1, up_after=1))
    assert scenario.run("core", [True, False], loss=0.0) == ["down"]
    assert scenario.run("core", [True], loss=0.5) == ["recovered", "degraded"]
    recovered = scenario.last("recovered")
    assert recovered.severity == "critical"
    assert recovered.status == "degraded"


# Isolation checks ----------------------------------------------------------------------


def test_isolation_silent_is_up() -> None:
    scenario = Scenario(make_target("eksekutif", expect="unreachable"))
    assert scenario.run("eksekutif", [False, False]) == []
    assert scenario.status("eksekutif") == "up"


def test_isolation_breached_on_first_reply() -> None:
    scenario = Scenario(make_target("eksekutif", expect="unreachable", down_after=3))
    assert scenario.run("eksekutif", [False, True]) == ["isolation_breached"]
    breached = scenario.last("isolation_breached")
    assert breached.severity == "critical"
    assert breached.status == "down"
    assert breached.reason == "isolation_breached"


def test_isolation_recovers_after_silent_cycles() -> None:
    scenario = Scenario(make_target("eksekutif", expect="unreachable", up_after=2))
    scenario.run("eksekutif", [True])
    assert scenario.run("eksekutif", [False]) == []
    assert scenario.run("eksekutif", [True, False]) == []
    assert scenario.run("eksekutif", [False]) == ["recovered"]
    assert scenario.last("recovered").severity == "critical"
    assert scenario.last("recovered").reason == "isolation_breached"


def test_isolation_has_no_degraded() -> None:
    target = make_target("eksekutif", expect="unreachable", degraded=LOSS_LIMIT)
    scenario = Scenario(target)
    assert scenario.run("eksekutif", [False] * 5, loss=1.0) == []
    assert scenario.status("eksekutif") == "up"


# Unconfigured targets ------------------------------------------------------------------


def test_placeholder_is_unconfigured() -> None:
    scenario = Scenario(make_target("opd", placeholder=True, down_after=1))
    assert scenario.status("opd") == "unconfigured"
    assert scenario.run("opd", [False, False, True]) == []
    assert scenario.status("opd") == "unconfigured"


def test_unconfigured_result_raises_nothing() -> None:
    scenario = Scenario(make_target("opd", down_after=1))
    scenario.run("opd", [True])
    for _ in range(3):
        observation = Observation("opd", scenario.at, "icmp", False, "unconfigured")
        assert scenario.board.observe(observation).events == ()
        scenario.at += INTERVAL
    assert scenario.status("opd") == "unconfigured"
    assert scenario.tick(30 * 86400) == []


# Parents -------------------------------------------------------------------------------


def family(**settings: object) -> tuple[Target, ...]:
    return (
        make_target("core", **settings),
        make_target("switch", parent="core", **settings),
        make_target("bappeda", parent="switch", **settings),
        make_target("dinkes", parent="core", **settings),
    )


def test_parent_down_lists_children() -> None:
    scenario = Scenario(*family(down_after=2))
    everyone = dict.fromkeys(("bappeda", "dinkes", "switch", "core"), True)
    scenario.cycle(everyone)
    assert scenario.cycle(dict.fromkeys(everyone, False)) == []
    # Children probed before their parent reach down_after first: they are held.
    assert scenario.cycle(dict.fromkeys(everyone, False)) == ["core down"]
    down = scenario.last("down")
    assert [child.name for child in down.children] == ["switch", "dinkes", "bappeda"]
    assert down.children[0].address == "127.0.0.10"
    for name in ("switch", "bappeda", "dinkes"):
        assert scenario.status(name) == "unreachable"
    # bappeda, unreachable behind switch since switch went down first, is listed too.
    core_down = [item for item in scenario.transitions if item.target == "core"][-1]
    assert set(core_down.children) == {"switch", "dinkes", "bappeda"}


def test_isolation_check_ignores_its_parent() -> None:
    scenario = Scenario(
        make_target("core", down_after=2),
        make_target("ruang-bupati", parent="core", expect="unreachable", down_after=2),
    )
    scenario.cycle({"core": True, "ruang-bupati": False})
    scenario.cycle({"core": False, "ruang-bupati": False})
    assert scenario.cycle({"core": False, "ruang-bupati": False}) == ["core down"]
    assert scenario.last("down").children == ()
    assert scenario.status("ruang-bupati") == "up"

    # A breach while the parent is down is still alerted at once.
    assert scenario.cycle({"core": False, "ruang-bupati": True}) == [
        "ruang-bupati isolation_breached"
    ]
    assert scenario.status("ruang-bupati") == "down"


def test_held_child_never_shows_down() -> None:
    scenario = Scenario(*family(down_after=2))
    everyone = dict.fromkeys(("bappeda", "dinkes", "switch", "core"), True)
    scenario.cycle(everyone)
    scenario.cycle(dict.fromkeys(everyone, False))
    scenario.cycle(dict.fromkeys(everyone, False))
    children = ("switch", "bappeda", "dinkes")
    statuses = {(item.target, item.status) for item in scenario.transitions}
    for name in children:
        assert (name, "down") not in statuses
        assert (name, "unreachable") in statuses


def test_held_child_released_when_parent_replies() -> None:
    scenario = Scenario(*family(down_after=2))
    everyone = dict.fromkeys(("bappeda", "dinkes", "switch", "core"), True)
    scenario.cycle(everyone)
    # dinkes is probed before core in each cycle. Core fails once, then replies.
    scenario.cycle({"dinkes": False, "core": False, "switch": True, "bappeda": True})
    assert scenario.cycle({"dinkes": False, "core": True, "switch": True, "bappeda": True}) == [
        "dinkes down"
    ]
    assert scenario.status("dinkes") == "down"


def test_parent_down_first_hides_children() -> None:
    scenario = Scenario(*family(down_after=2))
    everyone = dict.fromkeys(("core", "switch", "dinkes"), True)
    scenario.cycle(everyone)
    scenario.cycle(dict.fromkeys(everyone, False))
    assert scenario.cycle(dict.fromkeys(everyone, False)) == ["core down"]
    assert scenario.cycle(dict.fromkeys(everyone, False)) == []
    assert scenario.tick(7 * 86400) == ["core reminder"]


def test_parent_recovery_lists_children() -> None:
    scenario = Scenario(*family(down_after=2, up_after=1))
    everyone = dict.fromkeys(("bappeda", "switch", "dinkes", "core"), True)
    scenario.cycle(everyone)
    scenario.cycle(dict.fromkeys(everyone, False))
    scenario.cycle(dict.fromkeys(everyone, False))
    # The children respond again in the same cycle as the parent, just before it.
    assert scenario.cycle(everyone) == ["core recovered"]
    recovered = scenario.last("recovered")
    assert sorted(child.name for child in recovered.children) == ["bappeda", "dinkes", "switch"]
    assert scenario.status("switch") == "up"
    assert scenario.status("bappeda") == "up"


def test_child_failing_after_parent_recovery() -> None:
    scenario = Scenario(*family(down_after=2, up_after=1))
    everyone = dict.fromkeys(("core", "switch", "dinkes"), True)
    scenario.cycle(everyone)
    scenario.cycle(dict.fromkeys(everyone, False))
    scenario.cycle(dict.fromkeys(everyone, False))
    # down_after failed cycles counted from the parent's recovery: the
    # switch's failure just after the core responded is the first.
    assert scenario.cycle({"core": True, "switch": False, "dinkes": True}) == ["core recovered"]
    # Until its own recount decides, the switch still counts as cut off by the core.
    assert scenario.status("switch") == "unreachable"
    assert scenario.cycle({"core": True, "switch": False, "dinkes": True}) == ["switch down"]
    assert scenario.status("switch") == "down"
    down = scenario.last("down")
    assert down.since == 3 * INTERVAL


def test_child_back_after_parent_silent() -> None:
    scenario = Scenario(*family(down_after=2, up_after=2))
    everyone = dict.fromkeys(("core", "switch"), True)
    scenario.cycle(everyone)
    scenario.cycle(dict.fromkeys(everyone, False))
    scenario.cycle(dict.fromkeys(everyone, False))
    assert scenario.cycle({"core": True, "switch": False}) == []
    assert scenario.cycle({"core": True, "switch": True}) == ["core recovered"]
    assert scenario.cycle({"core": True, "switch": True}) == []
    assert scenario.status("switch") == "up"


def test_held_child_released_on_reply() -> None:
    scenario = Scenario(*family(down_after=2))
    scenario.cycle({"core": True, "switch": True})
    # The parent fails once and responds again: the child was really down.
    assert scenario.cycle({"core": False, "switch": False}) == []
    assert scenario.cycle({"switch": False}) == []
    assert scenario.cycle({"core": True}) == ["switch down"]
    assert scenario.last("down").since == INTERVAL


def test_child_down_before_parent_stays_notified() -> None:
    scenario = Scenario(*family(down_after=2, up_after=1))
    scenario.cycle({"core": True, "switch": True})
    scenario.cycle({"core": True, "switch": False})
    assert scenario.cycle({"core": True, "switch": False}) == ["switch down"]
    scenario.cycle({"core": False, "switch": False})
    assert scenario.cycle({"core": False, "switch": False}) == ["core down"]
    assert scenario.status("switch") == "unreachable"
    assert scenario.cycle({"core": True, "switch": False}) == ["core recovered"]
    assert scenario.cycle({"core": True, "switch": True}) == ["switch recovered"]


def test_changed_parent_applies_at_once() -> None:
    scenario = Scenario(make_target("core", down_after=1), make_target("dinkes", down_after=1))
    scenario.cycle({"core": True, "dinkes": True})
    assert scenario.cycle({"core": False}) == ["core down"]
    reloaded = make_inventory(
        make_target("core", down_after=1), make_target("dinkes", parent="core", down_after=1)
    )
    assert scenario.board.apply_inventory(reloaded).events == ()
    assert scenario.cycle({"dinkes": False}) == []
    assert scenario.status("dinkes") == "unreachable"


def test_reload_drops_removed_targets() -> None:
    core = make_target("core", down_after=1, up_after=1)
    scenario = Scenario(core, make_target("dinkes", down_after=1))
    scenario.cycle({"core": False, "dinkes": True})
    outcome = scenario.board.apply_inventory(make_inventory(core))
    assert outcome.events == ()
    assert scenario.board.view("dinkes") is None
    assert scenario.status("core") == "down"
    assert scenario.cycle({"core": True, "dinkes": False}) == ["core recovered"]


# Maintenance ---------------------------------------------------------------------------


def test_maintenance_silences_events() -> None:
    scenario = Scenario(make_target("core", down_after=1))
    scenario.run("core", [True])
    scenario.maintenance.add("core")
    assert scenario.run("core", [False, False, True, False]) == []
    view = scenario.board.view("core")
    assert view is not None
    assert view.status == "maintenance"
    assert view.own_status == "down"
    assert view.in_maintenance


def test_problem_remaining_after_maintenance() -> None:
    scenario = Scenario(make_target("core", down_after=1))
    scenario.run("core", [True])
    scenario.maintenance.add("core")
    scenario.run("core", [False, False])
    scenario.maintenance.clear()
    assert scenario.tick(5) == ["core down"]
    down = scenario.last("down")
    assert down.after_maintenance
    assert down.since == INTERVAL


def test_problem_gone_after_maintenance() -> None:
    scenario = Scenario(make_target("core", down_after=1, up_after=1))
    assert scenario.run("core", [True, False]) == ["down"]
    scenario.maintenance.add("core")
    assert scenario.run("core", [True, True]) == []
    scenario.maintenance.clear()
    assert scenario.run("core", [True]) == ["recovered"]
    assert scenario.last("recovered").after_maintenance


def test_notice_before_maintenance_not_repeated() -> None:
    scenario = Scenario(make_target("core", down_after=1))
    assert scenario.run("core", [True, False]) == ["down"]
    scenario.maintenance.add("core")
    scenario.run("core", [False])
    scenario.maintenance.clear()
    assert scenario.run("core", [False]) == []


# Flapping ------------------------------------------------------------------------------

FLAP = FlapSettings(changes=3, window=600.0)


def test_flapping_started_once() -> None:
    scenario = Scenario(make_target("core", down_after=1, up_after=1, flap=FLAP))
    kinds = scenario.run("core", [True, False, True, False, True, False, True])
    assert kinds == ["down", "recovered", "down", "flapping_started"]
    started = scenario.last("flapping_started")
    assert started.severity == "warning"
    assert started.since == INTERVAL
    assert scenario.board.view("core").flapping  # type: ignore[union-attr]


def test_flapping_stopped_reconciles_notice() -> None:
    scenario = Scenario(make_target("core", down_after=1, up_after=1, flap=FLAP))
    scenario.run("core", [True, False, True, False, True])
    # Stable down for the window: one FLAPPING_STOPPED, no DOWN after it.
    kinds = scenario.run("core", [False] * 25)
    assert kinds == ["flapping_stopped"]
    stopped = scenario.last("flapping_stopped")
    assert stopped.status == "down"
    assert stopped.severity == "critical"
    assert scenario.run("core", [False] * 3) == []
    assert scenario.run("core", [True]) == ["recovered"]


def test_flapping_stopped_up_keeps_critical() -> None:
    scenario = Scenario(make_target("core", down_after=1, up_after=1, flap=FLAP))
    scenario.run("core", [True, False, True, False, True])
    kinds = scenario.run("core", [True] * 25)
    assert kinds == ["flapping_stopped"]
    stopped = scenario.last("flapping_stopped")
    assert stopped.status == "up"
    # The DOWN before the episode was critical, so its end reaches the same channels.
    assert stopped.severity == "critical"


def test_flapping_ends_on_tick() -> None:
    scenario = Scenario(make_target("core", down_after=1, up_after=1, flap=FLAP))
    scenario.run("core", [True, False, True, False, True])
    last_change = scenario.at - INTERVAL
    assert scenario.tick(last_change + 599 - scenario.at) == []
    assert scenario.tick(1) == ["core flapping_stopped"]


# Reminders -----------------------------------------------------------------------------


def test_reminder_every_period() -> None:
    scenario = Scenario(make_target("core", down_after=1, remind_every=3600.0))
    scenario.run("core", [False])  # DOWN at 0 seconds
    assert scenario.tick(3599 - scenario.at) == []
    assert scenario.tick(1) == ["core reminder"]
    assert scenario.tick(3599) == []
    assert scenario.tick(1) == ["core reminder"]
    reminder = scenario.last("reminder")
    assert reminder.since == 0.0
    assert reminder.severity == "critical"


def test_reminder_zero_never() -> None:
    scenario = Scenario(make_target("core", down_after=1, remind_every=0.0))
    scenario.run("core", [False])
    assert scenario.tick(30 * 86400) == []


def test_reminder_waits_for_maintenance() -> None:
    scenario = Scenario(make_target("core", down_after=1, remind_every=3600.0))
    scenario.run("core", [False])
    scenario.maintenance.add("core")
    assert scenario.tick(7200) == []
    scenario.maintenance.clear()
    assert scenario.tick(1) == ["core reminder"]


# Persistence ---------------------------------------------------------------------------


def test_export_restores_state() -> None:
    targets = family(down_after=2, up_after=1)
    first = Scenario(*targets)
    first.cycle({"core": True, "switch": True})
    first.cycle({"core": False, "switch": False})
    assert first.cycle({"core": False, "switch": False}) == ["core down"]
    saved = {name: first.board.export(name) for name in ("core", "switch")}

    second = Scenario(*targets, saved=saved)
    second.at = first.at
    assert second.status("core") == "down"
    assert second.status("switch") == "unreachable"
    assert second.cycle({"core": False, "switch": False}) == []
    assert second.cycle({"core": True, "switch": True}) == ["core recovered"]
    assert second.last("recovered").since == INTERVAL


def test_unreadable_saved_state_discarded() -> None:
    saved = {"core": "{not json", "switch": '{"version": 99}'}
    board = StatusBoard(make_inventory(*family()), saved=saved)
    assert board.discarded == ("core", "switch")
    assert board.view("core") == state.StatusView(None, "", None, None, False, False)


def test_take_dirty_reports_changes_once() -> None:
    scenario = Scenario(make_target("core"), make_target("dinkes"))
    assert scenario.board.take_dirty() == []
    scenario.cycle({"core": True})
    assert scenario.board.take_dirty() == ["core"]
    assert scenario.board.take_dirty() == []
    scenario.tick(60)
    assert scenario.board.take_dirty() == []


def test_unknown_target_ignored() -> None:
    board = StatusBoard(make_inventory(make_target("core")))
    assert board.observe(Observation("gone", 0.0, "icmp", False, "no_reply")) == state.Outcome()
    assert board.view("gone") is None


# Random sequences ----------------------------------------------------------------------

NAMES = ("core", "switch", "bappeda", "eksekutif")
STATEFUL_SETTINGS = {
    "down_after": 2,
    "up_after": 2,
    "remind_every": 1800.0,
    "flap": FlapSettings(changes=2, window=1200.0),
    "degraded": replace(NO_LIMITS, loss=0.2, sustain=60.0),
}


def stateful_inventory() -> Inventory:
    return make_inventory(
        make_target("core", **STATEFUL_SETTINGS),
        make_target("switch", parent="core", **STATEFUL_SETTINGS),
        make_target("bappeda", parent="switch", **STATEFUL_SETTINGS),
        make_target("eksekutif", expect="unreachable", **STATEFUL_SETTINGS),
    )


_PROBLEM_OF_STATUS = {"down": "down", "degraded": "degraded", "up": ""}


def problem_of(name: str, status: str) -> str:
    """Return the notice kind of a status, as the events tell it."""
    problem = _PROBLEM_OF_STATUS[status]
    return events.ISOLATION_BREACHED if name == "eksekutif" and problem else problem


class BoardMachine(RuleBasedStateMachine):
    """Random outcomes, measurements, maintenance and restarts, checked against the rules.

    ``board`` is restarted from its exports now and then, ``twin`` never is;
    both must emit the same events.
    """

    def __init__(self) -> None:
        super().__init__()
        self.inventory = stateful_inventory()
        self.maintenance: set[str] = set()
        self.board = self._new_board()
        self.twin = self._new_board()
        self.at = 1_764_806_400.0
        self.open: dict[str, str] = dict.fromkeys(NAMES, "")  # problem that the events opened
        self.flapping: dict[str, bool] = dict.fromkeys(NAMES, False)
        self.window_ended: set[str] = set()

    def _new_board(self, saved: Mapping[str, str] | None = None) -> StatusBoard:
        return StatusBoard(
            self.inventory, lambda target, at: target.name in self.maintenance, saved
        )

    @rule(
        name=st.sampled_from(NAMES),
        success=st.sampled_from([True, True, False, None]),
        loss=st.sampled_from([0.0, 0.0, 0.5]),
        step=st.floats(1.0, 90.0),
    )
    def observe(self, name: str, success: bool | None, loss: float, step: float) -> None:
        self.at += step
        reason = "no_reply" if success is False else "ok"
        observation = Observation(name, self.at, "icmp", success, reason, {"loss": loss})
        self._compare(self.board.observe(observation), self.twin.observe(observation))

    @rule(step=st.floats(1.0, 900.0))
    def tick(self, step: float) -> None:
        self.at += step
        self._compare(self.board.tick(self.at), self.twin.tick(self.at))

    @rule(name=st.sampled_from(NAMES))
    def toggle_maintenance(self, name: str) -> None:
        if name in self.maintenance:
            self.maintenance.discard(name)
            self.window_ended.add(name)
        else:
            self.maintenance.add(name)
        self.at += 1.0
        self._compare(self.board.tick(self.at), self.twin.tick(self.at))

    @rule()
    def restart(self) -> None:
        saved = {name: self.board.export(name) for name in NAMES}
        self.board = self._new_board(saved)
        assert self.board.discarded == ()

    @invariant()
    def notified_matches_status_after_maintenance(self) -> None:
        # Only for targets with no parent, which nothing but flapping can hold back.
        for name in self.window_ended & {"core", "eksekutif"}:
            view = self.board.view(name)
            assert view is not None
            if not view.flapping and view.status in _PROBLEM_OF_STATUS:
                assert self.open[name] == problem_of(name, view.status)
        self.window_ended.clear()

    def _compare(self, outcome: state.Outcome, twin: state.Outcome) -> None:
        assert outcome == twin
        for event in outcome.events:
            self._check(event)

    def _check(self, event: Event) -> None:
        name = event.target
        assert name not in self.maintenance, event
        self._check_parents(event)

        if event.kind == events.FLAPPING_STARTED:
            assert not self.flapping[name]
            self.flapping[name] = True
            return
        if event.kind == events.FLAPPING_STOPPED:
            assert self.flapping[name]
            self.flapping[name] = False
            self.open[name] = problem_of(name, event.status)
            return
        assert not self.flapping[name], event

        if event.kind == events.RECOVERED:
            assert self.open[name], event
            self.open[name] = ""
        elif event.kind == events.REMINDER:
            assert self.open[name], event
        else:
            assert event.kind in (events.DOWN, events.DEGRADED, events.ISOLATION_BREACHED)
            assert self.open[name] != event.kind, event
            if event.kind == events.DEGRADED:
                # A lighter problem is sent after the heavier one's recovery.
                assert self.open[name] == "", event
            self.open[name] = event.kind

    def _check_parents(self, event: Event) -> None:
        ancestors = {"switch": ("core",), "bappeda": ("switch", "core")}.get(event.target, ())
        if event.kind in (events.RECOVERED, events.FLAPPING_STOPPED):
            return
        for ancestor in ancestors:
            view = self.board.view(ancestor)
            assert view is not None
            assert view.own_status != "down", (event, ancestor)


BoardMachine.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_board_follows_rules = BoardMachine.TestCase


@pytest.mark.parametrize("down_after", [1, 3])
def test_down_then_recovered_once(down_after: int) -> None:
    scenario = Scenario(make_target("core", down_after=down_after, up_after=1))
    kinds = scenario.run("core", [True] + [False] * down_after + [True])
    assert kinds == ["down", "recovered"]
