"""Per-target status with hysteresis: up and down only after consecutive cycles."""

from __future__ import annotations

from dataclasses import dataclass, replace

UP = "up"
DOWN = "down"
DEGRADED = "degraded"
UNREACHABLE = "unreachable"
MAINTENANCE = "maintenance"
UNCONFIGURED = "unconfigured"

STATUSES = (UP, DOWN, DEGRADED, UNREACHABLE, MAINTENANCE, UNCONFIGURED)


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
    """Return the state after one more probe outcome at unix time ``at``."""
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
