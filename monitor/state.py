"""Per-target status machine: hysteresis, degraded limits, parents, maintenance, flapping.

:class:`StatusBoard` keeps one record per target. It reads probe outcomes
(:class:`Observation`) and the passing of time (:meth:`StatusBoard.tick`) and
returns an :class:`Outcome`: the effective status changes (for incidents and
metrics) and the events to send to the chat. It reads no clock and does
no I/O, so the same inputs always give the same outcome.

Each target has two statuses. Its *own* status comes from its probes alone:
up, down or degraded, with hysteresis (``down_after`` failed cycles,
``up_after`` good ones). Its *effective* status applies the rest, in this
order: unconfigured (placeholder address), maintenance, unreachable (own
status not up while an ancestor is down), else the own status.

Notices follow one rule. The board keeps, per target, the problem that was
last notified (nothing, down, degraded or isolation breached) and emits an
event exactly when the problem the target has now differs from it, unless
something suppresses notices: maintenance, a down ancestor, flapping, or a
hold while an ancestor is failing. A suppressed difference is sent as soon
as the suppression ends, so no notice is lost or repeated.

Example::

    board = StatusBoard(inventory)
    for at in (0.0, 30.0, 60.0):
        outcome = board.observe(Observation("bappeda-router", at, "icmp", False, "no_reply", {}))
    assert [event.kind for event in outcome.events] == ["down"]  # with down_after = 3
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, Final

from monitor import events
from monitor.config import Inventory, Target
from monitor.events import Event, TargetRef

UP = "up"
DOWN = "down"
DEGRADED = "degraded"
UNREACHABLE = "unreachable"
MAINTENANCE = "maintenance"
UNCONFIGURED = "unconfigured"

STATUSES = (UP, DOWN, DEGRADED, UNREACHABLE, MAINTENANCE, UNCONFIGURED)

# Measurements compared with the limits of config.Thresholds, under the same names.
# "response" is the total time of a service check in seconds, "cert_expiry"
# the seconds left until a certificate expires.
LIMITS: Final = (
    "loss", "rtt", "utilisation", "cpu", "memory", "disk", "response", "cert_expiry",
)  # fmt: skip
# Limits crossed by a reading below them, not above.
_LOWER_IS_WORSE: Final = frozenset({"cert_expiry"})
# Probe kinds that check an application service: each one drives the status
# beside the target's main probe, so a failed check counts like a failed ping.
SERVICE_PROBES: Final = ("tcp", "http", "tls", "dns")

# Reason codes that the board sets itself, besides the probe reasons and limit names.
REASON_OK: Final = "ok"
REASON_UNCONFIGURED: Final = "unconfigured"
REASON_MAINTENANCE: Final = "maintenance"
REASON_PARENT_DOWN: Final = "parent_down"
REASON_ISOLATION_BREACHED: Final = "isolation_breached"

# Problems that can be notified. The empty string means no problem.
_NO_PROBLEM: Final = ""
_PROBLEM_KINDS: Final = (events.DOWN, events.DEGRADED, events.ISOLATION_BREACHED)
_PROBLEM_SEVERITY: Final = {
    events.DOWN: events.CRITICAL,
    events.ISOLATION_BREACHED: events.CRITICAL,
    events.DEGRADED: events.WARNING,
}
# Only changes among these statuses count towards flapping: entering or
# leaving maintenance, or being hidden behind a down parent, is no flap.
_FLAP_STATUSES: Final = frozenset({UP, DOWN, DEGRADED})
_EXPORT_VERSION: Final = 1


# Status of the snapshot's simple hysteresis --------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetState:
    """Status of one target and the run of equal outcomes behind it.

    ``status`` is None until the first result decides it: a first success
    means up at once, while failures count towards ``down_after`` first.
    """

    status: str | None = None
    failures: int = 0
    successes: int = 0
    since: float | None = None
    reason: str = ""


def advance(
    state: TargetState,
    success: bool,
    reason: str,
    at: float,
    *,
    down_after: int,
    up_after: int,
) -> TargetState:
    """Return the state after one more probe outcome at unix time ``at``.

    This is hysteresis alone, with no parents, limits or notices: what the
    metrics snapshot shows until it reads :class:`StatusBoard` instead.
    """
    if success:
        state = replace(state, successes=state.successes + 1, failures=0)
        recovered = state.status is None or state.successes >= up_after
        if state.status != UP and recovered:
            return replace(state, status=UP, since=at, reason=reason)
        return state

    state = replace(state, failures=state.failures + 1, successes=0)
    if state.status != DOWN and state.failures >= down_after:
        return replace(state, status=DOWN, since=at, reason=reason)
    if state.status == DOWN:
        return replace(state, reason=reason)
    return state


def unconfigured(at: float) -> TargetState:
    """Return the fixed state of a target whose address is a placeholder."""
    return TargetState(status=UNCONFIGURED, since=at, reason="unconfigured")


def main_probe(target: Target) -> str:
    """Name the probe whose outcome decides whether the device itself is up.

    Ping decides it when the target has it; a target polled by SNMP alone is
    up while its agent responds.
    """
    return "icmp" if "icmp" in target.probes else target.probes[0]


def status_probes(target: Target) -> tuple[str, ...]:
    """Name every probe whose failures count towards the target's down status.

    The main probe, and each service check: a server that replies to ping
    while its web application fails is down for the citizens who use it. An
    isolation check counts its main probe only.
    """
    main = main_probe(target)
    if target.expect == "unreachable":
        return (main,)
    services = tuple(kind for kind in target.probes if kind in SERVICE_PROBES and kind != main)
    return (main, *services)


# Public types of the status board --------------------------------------------------


def _empty_measurements() -> Mapping[str, float]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Observation:
    """One probe outcome of one target, as the status board reads it.

    ``success`` is the outcome of the target's status probe in this cycle,
    or None when the observation only carries measurements (an SNMP poll of
    a target whose status comes from ping). ``measurements`` uses the names
    of :data:`LIMITS`; the latest observation of each ``source`` replaces
    that source's measurements.
    """

    target: str
    at: float  # unix time the probe started
    source: str  # probe name: "icmp", "snmp", ...
    success: bool | None
    reason: str  # probe reason code: "ok", "no_reply", "timeout", "unconfigured", ...
    measurements: Mapping[str, float] = field(default_factory=_empty_measurements)

    def __post_init__(self) -> None:
        object.__setattr__(self, "measurements", MappingProxyType(dict(self.measurements)))


@dataclass(frozen=True, slots=True)
class Transition:
    """Change of a target's effective status, for incidents and metrics.

    ``at`` is when the board decided the change and ``since`` when the new
    status began: for down, the first failed cycle of the run. ``children``
    lists, for a parent going down, the descendants that became unreachable
    in the same step.
    """

    target: str
    at: float
    previous: str | None
    status: str
    reason: str
    children: tuple[str, ...] = ()
    since: float | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """Events for the chat and effective status changes of one board step, in order."""

    events: tuple[Event, ...] = ()
    transitions: tuple[Transition, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusView:
    """Status of one target as /metrics and the command line show it.

    ``own_status`` is the status from the target's probes alone, before
    parents and maintenance are applied. ``status`` is None until the first
    results decide it.
    """

    status: str | None
    reason: str
    since: float | None
    own_status: str | None
    flapping: bool
    in_maintenance: bool


def _never_in_maintenance(target: Target, at: float) -> bool:
    return False


# Per-target record ------------------------------------------------------------------


@dataclass(slots=True)
class _Record:
    """Everything the board keeps about one target; export() writes it as JSON."""

    # Own status, from the target's probes.
    own: str | None = None
    own_reason: str = ""
    own_since: float | None = None
    failures: int = 0  # consecutive failed status-probe cycles
    successes: int = 0  # consecutive good status-probe cycles
    run_start: float | None = None  # first cycle of the current run of equal outcomes
    # Per status probe: [failures, successes, run_start, reason]. The counts
    # above combine them: the longest failing run, else the shortest good one.
    streaks: dict[str, list[Any]] = field(default_factory=dict)
    # Per probe, the certificate expiry (unix time) last notified as near.
    cert_notified: dict[str, float] = field(default_factory=dict)
    # Latest status-probe outcome; for an isolation check, whether the address replied.
    last_success: bool | None = None
    # Down again behind a parent that recovered: the notice waits until
    # down_after failed cycles count from the recovery.
    recount: bool = False
    sources: dict[str, dict[str, float]] = field(default_factory=dict)
    crossed: dict[str, float] = field(default_factory=dict)  # limit -> first time seen crossed
    degraded_values: dict[str, float] = field(default_factory=dict)
    clear_cycles: int = 0  # consecutive status-probe cycles with no limit crossed

    # Effective status.
    status: str | None = None
    reason: str = ""
    since: float | None = None
    in_maintenance: bool = False
    blocked: bool = False  # an ancestor's own status is down
    # Descendants that became unreachable during this target's outage, for its RECOVERED.
    hidden: list[str] = field(default_factory=list)

    # Notices.
    notified: str = _NO_PROBLEM
    notified_since: float | None = None
    notified_at: float | None = None  # time of the last notice about it, for reminders
    notified_status: str | None = None  # the status the NOC last learned of

    # Flapping.
    changes: list[float] = field(default_factory=list)  # times of recent counted changes
    flapping: bool = False
    flap_since: float | None = None
    last_change: float | None = None

    def signature(self) -> tuple[object, ...]:
        """Return the fields an evaluation may change, to tell whether it changed any."""
        return (
            self.status, self.reason, self.since, self.in_maintenance, self.blocked,
            self.notified, self.notified_since, self.notified_at, self.notified_status,
            self.flapping, self.flap_since, self.last_change, len(self.changes),
            self.failures, self.run_start, self.recount, len(self.hidden),
        )  # fmt: skip

    def latest_time(self) -> float | None:
        """Return the latest unix time the record mentions, to restart a board's clock."""
        times = [
            value
            for value in (
                self.own_since, self.run_start, self.since, self.notified_since,
                self.notified_at, self.flap_since, self.last_change,
            )
            if value is not None
        ]  # fmt: skip
        times += [*self.crossed.values(), *self.changes]
        return max(times, default=None)


_RECORD_FIELDS: Final = frozenset(item.name for item in fields(_Record))


def _parse_record(text: str) -> _Record | None:
    """Read a record written by export(), or return None when the text is not one."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.pop("version", None) != _EXPORT_VERSION:
        return None
    if not set(data) <= _RECORD_FIELDS:
        return None
    try:
        record = _Record(**data)
    except TypeError:
        return None
    # json reads every list as a list and every object as a dict, so only
    # the value types need checking.
    valid = (
        isinstance(record.sources, dict)
        and all(isinstance(values, dict) for values in record.sources.values())
        and isinstance(record.crossed, dict)
        and isinstance(record.changes, list)
        and isinstance(record.hidden, list)
        and isinstance(record.streaks, dict)
        and all(_valid_streak(streak) for streak in record.streaks.values())
        and isinstance(record.cert_notified, dict)
        and all(isinstance(at, int | float) for at in record.cert_notified.values())
        and (record.own is None or record.own in STATUSES)
        and record.notified in (_NO_PROBLEM, *_PROBLEM_KINDS)
    )
    return record if valid else None


def _valid_streak(streak: object) -> bool:
    if not isinstance(streak, list) or len(streak) != 4:
        return False
    failures, successes, run_start, reason = streak
    return (
        isinstance(failures, int)
        and isinstance(successes, int)
        and (run_start is None or isinstance(run_start, int | float))
        and isinstance(reason, str)
    )


class _Step:
    """Events and transitions of one board step, before they become an Outcome."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.transitions: list[Transition] = []


# The board ---------------------------------------------------------------------------


class StatusBoard:
    """Status machine of every target of an inventory.

    ``in_maintenance(target, at)`` returns whether a maintenance window covers
    the target at unix time ``at``. ``saved`` maps target names to the JSON
    text of :meth:`export`, so that a restart neither loses an outage nor
    notifies it twice. Saved text that cannot be read is dropped, and its
    target starts afresh; :attr:`discarded` names those targets.

    >>> board = StatusBoard(inventory)  # doctest: +SKIP
    >>> observation = Observation("core-router", 0.0, "icmp", True, "ok")  # doctest: +SKIP
    >>> outcome = board.observe(observation)  # doctest: +SKIP
    >>> board.view("core-router").status  # doctest: +SKIP
    'up'
    """

    def __init__(
        self,
        inventory: Inventory,
        in_maintenance: Callable[[Target, float], bool] = _never_in_maintenance,
        saved: Mapping[str, str] | None = None,
    ) -> None:
        self._in_maintenance = in_maintenance
        self._records: dict[str, _Record] = {}
        self._exported: dict[str, str] = {}
        self._touched: set[str] = set()
        self._clock: float | None = None
        self._set_topology(inventory)
        discarded: list[str] = []

        for target in inventory.targets:
            text = (saved or {}).get(target.name)
            record = _parse_record(text) if text is not None else None
            if text is not None and record is None:
                discarded.append(target.name)
            if record is None:
                record = _Record()
            else:
                self._exported[target.name] = self._export_record(record)
                latest = record.latest_time()
                if latest is not None:
                    self._clock = max(latest, self._clock or latest)
            if target.placeholder:
                _make_unconfigured(record)
                record.status = record.status or UNCONFIGURED
                record.reason = REASON_UNCONFIGURED
            # A saved placeholder with a real address now stays unconfigured
            # until its first observation resets it.
            self._records[target.name] = record
        self.discarded: tuple[str, ...] = tuple(discarded)

    # Public API ------------------------------------------------------------------

    def apply_inventory(self, inventory: Inventory) -> Outcome:
        """Switch to a reloaded inventory.

        Removed targets vanish without events, targets that stay keep their
        state, and a changed parent or maintenance takes effect at once.
        """
        old_targets = self._targets
        self._set_topology(inventory)
        records: dict[str, _Record] = {}
        for target in inventory.targets:
            record = self._records.get(target.name)
            old = old_targets.get(target.name)
            if record is None or old is None:
                record = _Record()
            if target.placeholder:
                _make_unconfigured(record)
                if self._clock is None:
                    record.status = UNCONFIGURED
                    record.reason = REASON_UNCONFIGURED
            elif old is not None and (old.placeholder or old.expect != target.expect):
                _reset_own(record)
            records[target.name] = record
            self._touched.add(target.name)
        self._records = records
        self._exported = {
            name: text for name, text in self._exported.items() if name in self._records
        }

        step = _Step()
        if self._clock is not None:
            for name in self._order:
                self._evaluate(name, self._clock, step)
        return self._finish(step)

    def observe(self, observation: Observation) -> Outcome:
        """Fold one probe outcome into its target, and re-evaluate its descendants."""
        record = self._records.get(observation.target)
        if record is None:
            return Outcome()  # a target removed by a reload while its probe ran
        target = self._targets[observation.target]
        now = self._advance_clock(observation.at)
        if not target.placeholder:
            _fold_observation(record, target, observation)
            self._touched.add(target.name)

        step = _Step()
        for name in (target.name, *self._descendants[target.name]):
            self._evaluate(name, now, step)
        if not target.placeholder:
            self._notify_certificate(target, record, observation, now, step)
        return self._finish(step)

    def tick(self, now: float) -> Outcome:
        """Apply the passing of time: maintenance windows, flapping ending, reminders."""
        now = self._advance_clock(now)
        step = _Step()
        for name in self._order:
            self._evaluate(name, now, step)
        return self._finish(step)

    def view(self, name: str) -> StatusView | None:
        """Return the status of target ``name``, or None if the inventory has no such target."""
        record = self._records.get(name)
        if record is None:
            return None
        return StatusView(
            status=record.status,
            reason=record.reason,
            since=record.since,
            own_status=record.own,
            flapping=record.flapping,
            in_maintenance=record.in_maintenance,
        )

    def export(self, name: str) -> str:
        """Return the JSON text of everything the board keeps about target ``name``."""
        return self._export_record(self._records[name])

    def take_dirty(self) -> list[str]:
        """Return the targets whose export() changed since the previous call, parents first."""
        dirty: list[str] = []
        # Sorting the few touched names beats walking every target per result.
        for name in sorted(self._touched & self._records.keys(), key=self._position.__getitem__):
            text = self.export(name)
            if self._exported.get(name) != text:
                self._exported[name] = text
                dirty.append(name)
        self._touched.clear()
        return dirty

    # Topology ----------------------------------------------------------------------

    def _set_topology(self, inventory: Inventory) -> None:
        self._targets: dict[str, Target] = {target.name: target for target in inventory.targets}
        # An isolation check has no parent: a down parent must never hide a
        # breach, and a silent check is healthy, not cut off.
        self._ancestors: dict[str, tuple[str, ...]] = {
            name: () if target.expect == "unreachable" else _ancestors(name, self._targets)
            for name, target in self._targets.items()
        }
        children: dict[str, list[str]] = {name: [] for name in self._targets}
        for name, target in self._targets.items():
            if target.parent in children and self._ancestors[name]:
                children[target.parent].append(name)
        self._descendants: dict[str, tuple[str, ...]] = {
            name: _breadth_first(name, children) for name in self._targets
        }
        # Parents before children, so that a child is evaluated against its ancestors' new state.
        self._order: tuple[str, ...] = tuple(
            sorted(self._targets, key=lambda name: len(self._ancestors[name]))
        )
        self._position: dict[str, int] = {name: index for index, name in enumerate(self._order)}

    def _advance_clock(self, at: float) -> float:
        # Probe start times can run behind a tick already applied, and maintenance
        # and reminders must not step back in time.
        self._clock = at if self._clock is None else max(self._clock, at)
        return self._clock

    # Evaluation --------------------------------------------------------------------

    def _evaluate(self, name: str, now: float, step: _Step) -> None:
        """Recompute the effective status of one target, and notify what differs."""
        record = self._records[name]
        target = self._targets[name]
        before = record.signature()

        was_in_maintenance = record.in_maintenance
        record.in_maintenance = record.own != UNCONFIGURED and self._in_maintenance(target, now)
        window_ended = was_in_maintenance and not record.in_maintenance

        was_blocked = record.blocked
        record.blocked = any(self._is_down(ancestor) for ancestor in self._ancestors[name])
        if was_blocked and not record.blocked:
            # Failures behind a down parent were reported in the parent's message,
            # so the target's own alert needs a fresh run of down_after failures.
            _forget_failures(record)
            record.recount = record.own == DOWN

        # A target that fails while an ancestor fails too is unreachable until
        # the ancestor is decided, and after the ancestor recovers it stays
        # unreachable until its own recount decides, so that its incident is
        # not a brief down.
        ancestor_failing = record.recount or any(
            self._records[ancestor].last_success is False
            and self._targets[ancestor].expect == "reachable"
            for ancestor in self._ancestors[name]
        )
        status, reason = _effective_status(record, record.blocked or ancestor_failing)
        if status is None:
            # The own status was reset (reload) and no result decided it yet.
            record.status, record.reason, record.since = None, "", None
        elif status != record.status:
            self._change_status(name, record, status, reason, now, step)
        else:
            record.reason = reason

        self._notify(name, record, target, now, window_ended, step)
        if record.own != DOWN:
            record.hidden = []
        if record.status == UNREACHABLE:
            # Every down ancestor lists it when it recovers, also one that went
            # down after a nearer ancestor had already hidden this target.
            for ancestor in self._ancestors[name]:
                hidden = self._records[ancestor].hidden
                if self._is_down(ancestor) and name not in hidden:
                    hidden.append(name)
        if record.signature() != before:
            self._touched.add(name)

    def _is_down(self, name: str) -> bool:
        """Return whether target ``name`` makes its descendants unreachable (own status down)."""
        return self._records[name].own == DOWN and self._targets[name].expect == "reachable"

    def _change_status(
        self, name: str, record: _Record, status: str, reason: str, now: float, step: _Step
    ) -> None:
        previous = record.status
        own_driven = previous in (None, *_FLAP_STATUSES) and status == record.own
        record.status = status
        record.reason = reason
        record.since = record.own_since if own_driven and record.own_since is not None else now
        step.transitions.append(Transition(name, now, previous, status, reason, (), record.since))

        if previous in _FLAP_STATUSES and status in _FLAP_STATUSES:
            self._count_change(name, record, previous, now, step)

    def _count_change(
        self, name: str, record: _Record, previous: str | None, now: float, step: _Step
    ) -> None:
        flap = self._targets[name].settings.flap
        record.last_change = now
        record.changes = [at for at in record.changes if at > now - flap.window]
        record.changes.append(now)
        if record.flapping or len(record.changes) <= flap.changes:
            return
        record.flapping = True
        record.flap_since = record.changes[0]
        step.events.append(
            self._event(
                events.FLAPPING_STARTED, name, record, now, events.WARNING,
                previous=previous, since=record.flap_since,
            )
        )  # fmt: skip

    def _notify(
        self,
        name: str,
        record: _Record,
        target: Target,
        now: float,
        window_ended: bool,
        step: _Step,
    ) -> None:
        """Emit the notices that the target's status now calls for."""
        problem = _problem(record, target)
        suppressed = self._suppressed(name, record, problem)
        if record.flapping:
            settled = record.last_change is None or now - record.last_change >= (
                target.settings.flap.window
            )
            if settled and not suppressed:
                self._stop_flapping(name, record, problem, now, window_ended, step)
            return
        if suppressed:
            return

        if problem != record.notified:
            self._announce(name, record, problem, now, window_ended, step)
        elif record.notified and self._reminder_due(record, target, now):
            record.notified_at = now
            step.events.append(
                self._event(
                    events.REMINDER, name, record, now, _PROBLEM_SEVERITY[record.notified],
                    since=record.notified_since, values=self._problem_values(record),
                )
            )  # fmt: skip
        elif not record.notified and record.status == UP:
            record.notified_status = UP

    def _suppressed(self, name: str, record: _Record, problem: str) -> bool:
        """Return whether the target's notices wait, for any cause but flapping."""
        if record.own in (None, UNCONFIGURED) or record.in_maintenance:
            return True
        if record.status == UNREACHABLE:
            return True
        # Hold a new down notice while an ancestor fails but is not down yet,
        # so that a failing core link gives one alert, the core's, listing
        # the children, instead of one alert per child.
        if problem == events.DOWN and record.notified != events.DOWN:
            if record.recount:
                return True
            return any(
                self._records[ancestor].last_success is False
                and self._targets[ancestor].expect == "reachable"
                for ancestor in self._ancestors[name]
            )
        return False

    def _reminder_due(self, record: _Record, target: Target, now: float) -> bool:
        every = target.settings.remind_every
        return every > 0 and record.notified_at is not None and now - record.notified_at >= every

    def _announce(
        self,
        name: str,
        record: _Record,
        problem: str,
        now: float,
        window_ended: bool,
        step: _Step,
    ) -> None:
        """Emit the event that turns the notified problem into ``problem``."""
        old = record.notified
        closes_old = old and (
            not problem
            or events.SEVERITY_ORDER[_PROBLEM_SEVERITY[problem]]
            < events.SEVERITY_ORDER[_PROBLEM_SEVERITY[old]]
        )
        if closes_old:
            # A lighter problem (degraded after down) does not close the heavier
            # one for channels that only take the heavier severity, so the
            # recovery from it is sent first.
            # Listed in the same order as the down event lists them.
            hidden = tuple(
                self._ref(child)
                for child in self._descendants.get(name, ())
                if child in record.hidden
            )
            recovered = self._event(
                events.RECOVERED, name, record, now, _PROBLEM_SEVERITY[old],
                since=record.notified_since, children=hidden, after_maintenance=window_ended,
            )  # fmt: skip
            if old == events.ISOLATION_BREACHED:
                # The message then reports that the breach ended, not that a host is down.
                recovered = replace(recovered, reason=REASON_ISOLATION_BREACHED)
            step.events.append(recovered)
            record.notified = _NO_PROBLEM
            record.notified_since = None
            record.notified_at = None
            record.notified_status = record.status
        if problem:
            step.events.append(
                self._event(
                    problem, name, record, now, _PROBLEM_SEVERITY[problem],
                    since=record.own_since, values=self._problem_values(record),
                    children=self._failing_descendants(name) if problem == events.DOWN else (),
                    after_maintenance=window_ended,
                )
            )  # fmt: skip
            record.notified = problem
            record.notified_since = record.own_since
            record.notified_at = now
            record.notified_status = record.status

    def _stop_flapping(
        self,
        name: str,
        record: _Record,
        problem: str,
        now: float,
        window_ended: bool,
        step: _Step,
    ) -> None:
        """End the flapping episode, telling the status now, and take it as notified."""
        severities = [events.WARNING]
        severities += [_PROBLEM_SEVERITY[kind] for kind in (problem, record.notified) if kind]
        # A channel that got the DOWN before the episode hears how it ended.
        severity = max(severities, key=events.SEVERITY_ORDER.__getitem__)
        step.events.append(
            self._event(
                events.FLAPPING_STOPPED, name, record, now, severity,
                since=record.flap_since, values=self._problem_values(record),
                after_maintenance=window_ended,
            )
        )  # fmt: skip
        record.flapping = False
        record.flap_since = None
        record.changes = []
        if problem != record.notified:
            record.notified_since = record.own_since if problem else None
        record.notified = problem
        record.notified_at = now if problem else None
        record.notified_status = record.status

    # Event content -----------------------------------------------------------------

    def _event(
        self,
        kind: str,
        name: str,
        record: _Record,
        now: float,
        severity: str,
        *,
        previous: str | None = None,
        since: float | None = None,
        values: Mapping[str, float] | None = None,
        children: tuple[TargetRef, ...] = (),
        after_maintenance: bool = False,
    ) -> Event:
        target = self._targets[name]
        reason = record.own_reason
        if kind == events.RECOVERED and record.own == UP:
            reason = REASON_OK
        return Event(
            kind=kind,
            target=name,
            at=now,
            status=record.status or UP,
            previous=previous if previous is not None else record.notified_status,
            severity=severity,
            reason=reason,
            since=since,
            group=target.group,
            network=target.network,
            address=target.address,
            description=target.description,
            children=children,
            values=MappingProxyType(dict(values or {})),
            after_maintenance=after_maintenance,
        )

    def _notify_certificate(
        self, target: Target, record: _Record, observation: Observation, now: float, step: _Step
    ) -> None:
        """Announce a certificate that entered its warning period, once per certificate.

        The notice is its own event, apart from the degraded status, so that a
        target already degraded for another cause still gets it, with the
        date. A renewed certificate (a later expiry past the warning period)
        gets a notice that the warning is over.
        """
        left = observation.measurements.get("cert_expiry")
        limit = getattr(target.settings.degraded, "cert_expiry", None)
        if left is None or limit is None or not math.isfinite(left):
            return
        if record.own in (None, UNCONFIGURED) or record.in_maintenance:
            return  # the next observation after the window decides
        expiry = round(observation.at + left)
        source = observation.source
        notified = record.cert_notified.get(source)
        values = {
            "cert_expiry_timestamp": float(expiry),
            "cert_days_left": math.ceil(left / 86400),
            "cert_expiry_limit": float(limit),
        }
        if left <= 0:
            return  # expired: the check fails, so the down notice reports it
        if left < limit and notified != expiry:
            record.cert_notified[source] = expiry
            if any(
                other == expiry for name, other in record.cert_notified.items() if name != source
            ):
                return  # the same certificate, already notified through another check
            kind, severity = events.CERT_EXPIRING, events.WARNING
        elif left >= limit and notified is not None:
            del record.cert_notified[source]
            if notified in record.cert_notified.values():
                return  # another check still reports the old certificate and notifies later
            kind, severity = events.CERT_RENEWED, events.WARNING
        else:
            return
        event = self._event(kind, target.name, record, now, severity, values=values)
        step.events.append(replace(event, reason=f"{source}_certificate"))
        self._touched.add(target.name)

    def _problem_values(self, record: _Record) -> dict[str, float]:
        return dict(record.degraded_values) if record.own == DEGRADED else {}

    def _failing_descendants(self, name: str) -> tuple[TargetRef, ...]:
        """List the descendants whose own status is not up or whose latest probe failed."""
        refs: list[TargetRef] = []
        for descendant in self._descendants[name]:
            record = self._records[descendant]
            if record.own == UNCONFIGURED:
                continue
            if record.own in (DOWN, DEGRADED) or record.last_success is False:
                target = self._targets[descendant]
                refs.append(TargetRef(target.name, target.group, target.network, target.address))
        return tuple(refs)

    def _finish(self, step: _Step) -> Outcome:
        """Fill in the children of parents' down transitions, and freeze the step.

        The children are every descendant unreachable once the step is done:
        those that failed while the parent was still being decided became
        unreachable in an earlier step.
        """
        transitions = [
            replace(item, children=self._unreachable_descendants(item.target))
            if item.status == DOWN
            else item
            for item in step.transitions
        ]
        return Outcome(events=tuple(step.events), transitions=tuple(transitions))

    def _unreachable_descendants(self, name: str) -> tuple[str, ...]:
        return tuple(
            child
            for child in self._descendants.get(name, ())
            if self._records[child].status == UNREACHABLE
        )

    def _ref(self, name: str) -> TargetRef:
        target = self._targets[name]
        return TargetRef(target.name, target.group, target.network, target.address)

    def _export_record(self, record: _Record) -> str:
        data: dict[str, Any] = asdict(record)
        data["version"] = _EXPORT_VERSION
        return json.dumps(data, separators=(",", ":"), sort_keys=True)


# Own status ---------------------------------------------------------------------------


def _fold_observation(record: _Record, target: Target, observation: Observation) -> None:
    """Update the own status of a target with one observation."""
    if observation.reason == REASON_UNCONFIGURED and observation.source == main_probe(target):
        # A host name that resolves to a documentation address. A service
        # check that refuses a placeholder only fails: the device is real.
        _make_unconfigured(record)
        return
    if record.own == UNCONFIGURED:
        _reset_own(record)

    isolation = target.expect == "unreachable"
    if observation.success is not None:
        if isolation:
            _count_isolation_cycle(record, target, observation)
        else:
            _count_cycle(record, target, observation)
    if not isolation:
        _track_limits(record, target, observation)


def _count_cycle(record: _Record, target: Target, observation: Observation) -> None:
    settings = target.settings
    _count_streak(record, target, observation)
    record.last_success = record.failures == 0
    if record.last_success:
        if record.own is None or (record.own == DOWN and record.successes >= settings.up_after):
            _set_own(record, UP, observation.reason, record.run_start)
        elif record.own == UP and observation.success:
            record.own_reason = observation.reason
        return

    # Degraded needs limits crossed continuously while the target responds.
    record.crossed.clear()
    record.clear_cycles = 0
    reason = _failing_reason(record)
    if record.own != DOWN and record.failures >= settings.down_after:
        _set_own(record, DOWN, reason, record.run_start)
    elif record.own == DOWN:
        record.own_reason = reason
        if record.recount and record.failures >= settings.down_after:
            record.recount = False
            record.own_since = record.run_start


def _count_streak(record: _Record, target: Target, observation: Observation) -> None:
    """Count one cycle of one status probe, then combine every probe's run into the record.

    The record fails while any status probe fails, with the longest failing
    run; it succeeds when every one succeeds, with the shortest good run.
    """
    sources = status_probes(target)
    if not record.streaks and (record.failures or record.successes):
        # A record saved before runs were kept per probe: its counts are the main probe's.
        record.streaks[sources[0]] = [record.failures, record.successes, record.run_start, ""]
    for stale in [name for name in record.streaks if name not in sources]:
        del record.streaks[stale]  # a check that a reload removed

    streak = record.streaks.setdefault(observation.source, [0, 0, None, ""])
    if observation.success:
        if streak[1] == 0:
            streak[2] = observation.at
        streak[0], streak[1] = 0, streak[1] + 1
    else:
        if streak[0] == 0:
            streak[2] = observation.at
        streak[0], streak[1] = streak[0] + 1, 0
    streak[3] = observation.reason

    failing = [item for item in record.streaks.values() if item[0] > 0]
    if failing:
        worst = max(failing, key=lambda item: (item[0], -(item[2] or 0.0)))
        record.failures, record.successes, record.run_start = worst[0], 0, worst[2]
    else:
        runs = list(record.streaks.values())
        record.failures = 0
        record.successes = min(item[1] for item in runs)
        starts = [item[2] for item in runs if item[2] is not None]
        record.run_start = max(starts) if starts else observation.at


def _failing_reason(record: _Record) -> str:
    """Return the reason of the status probe with the longest failing run."""
    failing = [item for item in record.streaks.values() if item[0] > 0]
    worst = max(failing, key=lambda item: (item[0], -(item[2] or 0.0)))
    return str(worst[3])


def _forget_failures(record: _Record) -> None:
    """Start every status probe's failing run afresh (the parent that hid them recovered)."""
    record.failures = 0
    record.run_start = None
    for streak in record.streaks.values():
        if streak[0] > 0:
            streak[0], streak[2] = 0, None


def _count_isolation_cycle(record: _Record, target: Target, observation: Observation) -> None:
    """Count one cycle of an address that must stay silent: one reply is a breach."""
    answered = bool(observation.success)
    record.last_success = answered
    record.recount = False  # only a target behind a parent recounts, never an isolation check
    if answered:
        if record.failures == 0:
            record.run_start = observation.at
        record.failures += 1
        record.successes = 0
        if record.own != DOWN:
            _set_own(record, DOWN, REASON_ISOLATION_BREACHED, record.run_start)
        return

    if record.successes == 0:
        record.run_start = observation.at
    record.successes += 1
    record.failures = 0
    silent_long_enough = record.successes >= target.settings.up_after
    if record.own is None or (record.own == DOWN and silent_long_enough):
        _set_own(record, UP, REASON_OK, record.run_start)


def _track_limits(record: _Record, target: Target, observation: Observation) -> None:
    """Update the degraded part of the own status from the latest measurements."""
    record.sources[observation.source] = {
        name: float(value)
        for name, value in observation.measurements.items()
        if name in LIMITS and math.isfinite(value)
    }
    if record.last_success is not True or record.own not in (UP, DEGRADED):
        record.crossed.clear()
        return

    thresholds = target.settings.degraded
    values: dict[str, float] = {}
    for name in LIMITS:
        limit: float | None = getattr(thresholds, name, None)
        readings = [source[name] for source in record.sources.values() if name in source]
        if name in _LOWER_IS_WORSE:
            worst = min(readings, default=None)
            crossed = limit is not None and worst is not None and worst < limit
        else:
            worst = max(readings, default=None)
            crossed = limit is not None and worst is not None and worst > limit
        if crossed and worst is not None:
            values[name] = worst
            record.crossed.setdefault(name, observation.at)
        else:
            record.crossed.pop(name, None)

    if record.own == UP:
        sustained = [
            name
            for name, first in record.crossed.items()
            if observation.at - first >= thresholds.sustain
        ]
        if sustained:
            first_name = min(sustained, key=lambda name: (record.crossed[name], LIMITS.index(name)))
            _set_own(record, DEGRADED, first_name, record.crossed[first_name])
            record.degraded_values = _limit_values(values, sustained, target)
            record.clear_cycles = 0
        return

    if values:
        record.degraded_values = _limit_values(values, list(values), target)
    if observation.success is None:
        return  # only status-probe cycles count towards clearing
    record.clear_cycles = 0 if values else record.clear_cycles + 1
    if record.clear_cycles >= target.settings.up_after:
        _set_own(record, UP, observation.reason, observation.at)
        record.clear_cycles = 0
        record.degraded_values = {}


def _limit_values(values: Mapping[str, float], names: Iterable[str], target: Target) -> dict:
    thresholds = target.settings.degraded
    result: dict[str, float] = {}
    for name in names:
        result[name] = values[name]
        result[f"{name}_limit"] = float(getattr(thresholds, name))
    return result


def _set_own(record: _Record, status: str, reason: str, since: float | None) -> None:
    record.own = status
    record.own_reason = reason
    record.own_since = since
    if status != DOWN:
        record.recount = False


def _make_unconfigured(record: _Record) -> None:
    _reset_own(record)
    record.own = UNCONFIGURED
    record.own_reason = REASON_UNCONFIGURED


def _reset_own(record: _Record) -> None:
    """Forget the own status and its evidence; notices and flapping history stay."""
    record.own = None
    record.own_reason = ""
    record.own_since = None
    record.failures = 0
    record.successes = 0
    record.run_start = None
    record.streaks.clear()
    record.last_success = None
    record.recount = False
    record.sources.clear()
    record.crossed.clear()
    record.degraded_values = {}
    record.clear_cycles = 0


# Effective status and notices ---------------------------------------------------------


def _effective_status(record: _Record, shadowed: bool) -> tuple[str | None, str]:
    """Return the status shown and its reason; ``shadowed``: an ancestor is down or failing."""
    if record.own == UNCONFIGURED:
        return UNCONFIGURED, REASON_UNCONFIGURED
    if record.in_maintenance:
        return MAINTENANCE, REASON_MAINTENANCE
    if shadowed and record.own not in (UP, None):
        return UNREACHABLE, REASON_PARENT_DOWN
    return record.own, record.own_reason


def _problem(record: _Record, target: Target) -> str:
    """Return the problem the target has now, as a notice kind, or "" for none."""
    if record.own == DOWN:
        return events.ISOLATION_BREACHED if target.expect == "unreachable" else events.DOWN
    if record.own == DEGRADED:
        return events.DEGRADED
    return _NO_PROBLEM


# Topology helpers ---------------------------------------------------------------------


def _ancestors(name: str, targets: Mapping[str, Target]) -> tuple[str, ...]:
    """Return the chain of parents of ``name``, nearest first, stopping at a cycle."""
    chain: list[str] = []
    parent = targets[name].parent
    while parent is not None and parent in targets and parent != name and parent not in chain:
        chain.append(parent)
        parent = targets[parent].parent
    return tuple(chain)


def _breadth_first(name: str, children: Mapping[str, list[str]]) -> tuple[str, ...]:
    found: list[str] = []
    queue = list(children[name])
    while queue:
        child = queue.pop(0)
        if child in found or child == name:
            continue
        found.append(child)
        queue.extend(children[child])
    return tuple(found)
