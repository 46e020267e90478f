"""Status machine with service checks: each check counts like ping, certificates get notices."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import events, state
from monitor.config import DaemonSettings, Inventory, Target, TargetSettings, Thresholds
from monitor.events import Event
from monitor.state import Observation, StatusBoard

DAY = 86400.0
# Only the service limits are on, with the defaults of the configuration.
SERVICE_LIMITS = Thresholds(
    loss=None, rtt=None, utilisation=None, cpu=None, memory=None, disk=None, sustain=60.0
)


def app_target(probes: tuple[str, ...] = ("icmp", "http"), **overrides: object) -> Target:
    return Target(
        name="simpeg-web",
        address="127.0.0.20",
        group="Server Aplikasi",
        network="server",
        probes=probes,
        parent=None,
        description="Aplikasi kepegawaian",
        settings=TargetSettings(degraded=SERVICE_LIMITS, **overrides),  # type: ignore[arg-type]
        snmp=None,
        placeholder=False,
    )


def inventory(target: Target) -> Inventory:
    daemon = DaemonSettings("127.0.0.1", 9470, Path("/tmp/pantau.db"), "id", "Asia/Jakarta", "INFO")
    return Inventory(
        path=Path("targets.toml"),
        daemon=daemon,
        defaults=TargetSettings(),
        targets=(target,),
        credentials={},
        channels=(),
    )


class Board:
    """A board of one application server, fed observation by observation."""

    def __init__(self, target: Target) -> None:
        self.board = StatusBoard(inventory(target))
        self.events: list[Event] = []
        self.transitions: list[state.Transition] = []

    def see(
        self, at: float, source: str, success: bool, reason: str = "ok", **measurements: float
    ) -> None:
        observation = Observation("simpeg-web", at, source, success, reason, measurements)
        outcome = self.board.observe(observation)
        self.events.extend(outcome.events)
        self.transitions.extend(outcome.transitions)

    def status(self) -> str | None:
        view = self.board.view("simpeg-web")
        assert view is not None
        return view.status

    def kinds(self) -> list[str]:
        return [event.kind for event in self.events]


def test_status_probes_main_then_services() -> None:
    assert state.status_probes(app_target(("icmp", "snmp", "http", "tcp"))) == (
        "icmp",
        "http",
        "tcp",
    )
    assert state.status_probes(app_target(("http", "dns"))) == ("http", "dns")
    isolation = replace(app_target(("icmp", "http")), expect="unreachable")
    assert state.status_probes(isolation) == ("icmp",)


def test_failing_http_check_means_down() -> None:
    board = Board(app_target())
    for cycle in range(5):
        at = cycle * 30.0
        board.see(at, "icmp", True)
        board.see(at + 5, "http", cycle < 2, "ok" if cycle < 2 else "unexpected_status")
        if cycle == 3:
            assert board.status() == "up"  # two failed checks, down_after is 3
    assert board.status() == "down"
    [down] = [event for event in board.events if event.kind == events.DOWN]
    assert down.reason == "unexpected_status"
    assert down.since == 65.0  # the first failed check, not the decision
    assert board.transitions[-1].since == 65.0


def test_recovery_needs_every_check() -> None:
    board = Board(app_target())
    for cycle in range(3):
        board.see(cycle * 30.0, "icmp", True)
        board.see(cycle * 30.0 + 5, "http", False, "connect_refused")
    assert board.status() == "down"
    board.see(100.0, "http", True)
    board.see(130.0, "http", True)
    board.see(131.0, "icmp", True)
    assert board.status() == "up"
    assert board.kinds()[-1] == events.RECOVERED


def test_reason_of_longest_failing_check() -> None:
    board = Board(app_target(("icmp", "http", "tcp")))
    for cycle in range(3):
        at = cycle * 30.0
        board.see(at, "icmp", True)
        board.see(at + 1, "tcp", False, "connect_refused")
        if cycle >= 1:
            board.see(at + 2, "http", False, "response_timeout")
    assert board.status() == "down"
    [down] = [event for event in board.events if event.kind == events.DOWN]
    assert down.reason == "connect_refused"


def test_reload_removed_check_stops_counting() -> None:
    target = app_target()
    board = Board(target)
    for cycle in range(3):
        board.see(cycle * 30.0, "icmp", True)
        board.see(cycle * 30.0 + 5, "http", False, "unexpected_status")
    assert board.status() == "down"
    board.board.apply_inventory(inventory(replace(target, probes=("icmp",))))
    board.see(100.0, "icmp", True)
    board.see(130.0, "icmp", True)
    assert board.status() == "up"


def test_slow_responses_degrade_after_sustain() -> None:
    board = Board(app_target())
    for cycle in range(4):
        at = cycle * 30.0
        board.see(at, "icmp", True)
        board.see(at + 5, "http", True, response=3.5)
    assert board.status() == "degraded"
    [degraded] = [event for event in board.events if event.kind == events.DEGRADED]
    assert degraded.reason == "response"
    assert degraded.values["response"] == 3.5
    assert degraded.values["response_limit"] == 2.0


def test_near_expiry_notice_then_degraded() -> None:
    board = Board(app_target())
    expiry = 10 * DAY - 600.0
    for cycle in range(4):
        at = cycle * 30.0
        board.see(at, "icmp", True)
        board.see(at + 5, "http", True, response=0.2, cert_expiry=expiry - (at + 5))
    notices = [event for event in board.events if event.kind == events.CERT_EXPIRING]
    assert len(notices) == 1
    assert notices[0].values["cert_expiry_timestamp"] == expiry
    assert notices[0].values["cert_days_left"] == 10
    assert notices[0].values["cert_expiry_limit"] == 21 * DAY
    assert notices[0].reason == "http_certificate"
    assert board.status() == "degraded"
    [degraded] = [event for event in board.events if event.kind == events.DEGRADED]
    assert degraded.reason == "cert_expiry"


def test_renewed_certificate_notice() -> None:
    board = Board(app_target())
    board.see(0.0, "icmp", True)
    board.see(5.0, "http", True, response=0.2, cert_expiry=5 * DAY)
    board.see(35.0, "http", True, response=0.2, cert_expiry=90 * DAY)
    board.see(65.0, "http", True, response=0.2, cert_expiry=90 * DAY)
    assert board.kinds().count(events.CERT_EXPIRING) == 1
    assert board.kinds().count(events.CERT_RENEWED) == 1
    renewed = board.events[board.kinds().index(events.CERT_RENEWED)]
    assert renewed.values["cert_expiry_timestamp"] == 35.0 + 90 * DAY


def test_two_certificates_two_notices() -> None:
    board = Board(app_target(("icmp", "http", "tls")))
    for cycle in range(3):
        at = cycle * 30.0
        board.see(at, "icmp", True)
        board.see(at + 1, "http", True, cert_expiry=5 * DAY - at)
        board.see(at + 2, "tls", True, cert_expiry=12 * DAY - at)
    notices = [event for event in board.events if event.kind == events.CERT_EXPIRING]
    assert sorted(event.reason for event in notices) == ["http_certificate", "tls_certificate"]


def test_old_saved_record_keeps_count() -> None:
    board = Board(app_target(("icmp",)))
    board.see(0.0, "icmp", True)
    board.see(30.0, "icmp", False, "no_reply")
    board.see(60.0, "icmp", False, "no_reply")
    text = board.board.export("simpeg-web")
    data = json.loads(text)
    data["streaks"] = {}  # a record saved by an older Pantau keeps no runs per probe
    restored = StatusBoard(inventory(app_target(("icmp",))), saved={"simpeg-web": json.dumps(data)})
    outcome = restored.observe(Observation("simpeg-web", 90.0, "icmp", False, "no_reply"))
    assert [event.kind for event in outcome.events] == [events.DOWN]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["icmp", "http", "tcp"]), st.booleans()), max_size=40))
def test_down_exactly_after_down_after_failures(
    outcomes: list[tuple[str, bool]],
) -> None:
    board = Board(app_target(("icmp", "http", "tcp")))
    runs = {"icmp": 0, "http": 0, "tcp": 0}
    was_down = False
    for step, (source, success) in enumerate(outcomes):
        board.see(step * 10.0, source, success, "ok" if success else "no_reply")
        runs[source] = 0 if success else runs[source] + 1
        if max(runs.values()) >= 3:
            was_down = True
        status = board.status()
        if max(runs.values()) >= 3:
            assert status == "down"
        elif not was_down:
            assert status in (None, "up")
        if status == "up":
            was_down = False


def test_expired_certificate_down_notice_only() -> None:
    board = Board(app_target(("http",)))
    for cycle in range(3):
        board.see(cycle * 30.0, "http", False, "cert_expired", cert_expiry=-DAY)
    assert board.kinds() == [events.DOWN]


def test_shared_certificate_one_expiry_notice() -> None:
    board = Board(app_target(("icmp", "http", "tls")))
    expiry = 9 * DAY
    for cycle in range(3):
        at = cycle * 30.0
        board.see(at, "icmp", True)
        board.see(at + 1, "http", True, cert_expiry=expiry - (at + 1))
        board.see(at + 2, "tls", True, cert_expiry=expiry - (at + 2))
    assert board.kinds().count(events.CERT_EXPIRING) == 1


def test_shared_certificate_one_renewal_notice() -> None:
    board = Board(app_target(("icmp", "http", "tls")))
    board.see(0.0, "icmp", True)
    board.see(1.0, "http", True, cert_expiry=5 * DAY - 1.0)
    board.see(2.0, "tls", True, cert_expiry=5 * DAY - 2.0)
    board.see(31.0, "http", True, cert_expiry=90 * DAY)
    assert board.kinds().count(events.CERT_RENEWED) == 0
    board.see(32.0, "tls", True, cert_expiry=90 * DAY)
    assert board.kinds().count(events.CERT_EXPIRING) == 1
    assert board.kinds().count(events.CERT_RENEWED) == 1


def test_service_placeholder_refusal_is_failure() -> None:
    board = Board(app_target())
    for cycle in range(3):
        at = cycle * 30.0
        board.see(at, "icmp", True)
        board.see(at + 5, "http", False, "unconfigured")
    assert board.status() == "down"
    [down] = [event for event in board.events if event.kind == events.DOWN]
    assert down.reason == "unconfigured"
