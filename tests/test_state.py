"""Status hysteresis: down after down_after failures, up after up_after successes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from monitor import state


def run(outcomes: list[bool], down_after: int, up_after: int) -> list[str | None]:
    current = state.TargetState()
    statuses = []
    for at, success in enumerate(outcomes):
        current = state.advance(
            current, success, "ok" if success else "no_reply", float(at),
            down_after=down_after, up_after=up_after,
        )  # fmt: skip
        statuses.append(current.status)
    return statuses


def test_first_success_is_up_at_once() -> None:
    assert run([True], down_after=3, up_after=2) == ["up"]


def test_down_after_consecutive_failures() -> None:
    assert run([True, False, False, False], 3, 2) == ["up", "up", "up", "down"]


def test_interrupted_failures_stay_up() -> None:
    assert run([True, False, False, True, False, False], 3, 2) == ["up"] * 6


def test_up_after_consecutive_successes() -> None:
    statuses = run([False, False, False, True, False, True, True], 3, 2)
    assert statuses == [None, None, "down", "down", "down", "down", "up"]


def test_since_marks_the_change() -> None:
    current = state.TargetState()
    for at, success in enumerate([True, False, False]):
        current = state.advance(current, success, "x", float(at), down_after=2, up_after=1)
    assert current.status == "down"
    assert current.since == 2.0


@given(
    outcomes=st.lists(st.booleans(), max_size=60),
    down_after=st.integers(1, 6),
    up_after=st.integers(1, 6),
)
def test_status_follows_runs_of_outcomes(
    outcomes: list[bool], down_after: int, up_after: int
) -> None:
    statuses = run(outcomes, down_after, up_after)
    for index, status in enumerate(statuses):
        tail = outcomes[: index + 1]
        failures = len(tail) - len("".join("1" if o else "0" for o in tail).rstrip("0"))
        successes = len(tail) - len("".join("1" if o else "0" for o in tail).rstrip("1"))
        if failures >= down_after:
            assert status == "down"
        if successes >= up_after:
            assert status == "up"
        # A change of status needs a full run of the outcome behind it,
        # except the very first success, which is up at once.
        if index and status != statuses[index - 1] and statuses[index - 1] is not None:
            needed = down_after if status == "down" else up_after
            assert (failures if status == "down" else successes) >= needed
        if status is None:
            assert not any(tail)
