"""Arithmetic on SNMP values: counter rates, restarts, interface speeds and labels.

Everything here is a pure function of values that the SNMP client already
decoded, so the daemon can call it on two consecutive polls of one device.
Prometheus receives the raw counters and computes ``rate()`` itself. These
rates serve status, alerts and the readiness history.

>>> clock_a = PollClock(uptime_ticks=100_000, monotonic=10.0)
>>> clock_b = PollClock(uptime_ticks=106_000, monotonic=70.0)
>>> counter_rate(CounterSample(1_000, 64), CounterSample(61_000, 64), clock_a, clock_b).rate
1000.0
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

TICKS_PER_SECOND = 100
UPTIME_MODULUS = 2**32
IF_SPEED_SATURATED = 2**32 - 1
IF_HIGH_SPEED_UNIT_BPS = 10**6
# An agent rounds ifHighSpeed to the nearest Mb/s. IF-MIB (RFC 2863) defines a
# value n as a speed from n - 500,000 to n + 499,999 bit/s.
IF_HIGH_SPEED_ROUNDING_BPS = 500_000

# Two readings of sysUpTime agree with the local clock when they differ by at
# most 10 % of the local interval plus 2 s. The 2 s absorb what separates the
# agent reading its clock from the daemon taking the response's timestamp in
# each poll: network delay, a retried request, event-loop lag. The 10 % absorb
# agent clocks that drift or advance in coarse steps over long intervals.
UPTIME_TOLERANCE_RATIO = 0.1
UPTIME_TOLERANCE_SECONDS = 2.0

_RANGES: dict[str, tuple[int, int]] = {
    "Integer32": (-(2**31), 2**31 - 1),
    "Integer": (-(2**31), 2**31 - 1),
    "Counter32": (0, 2**32 - 1),
    "Gauge32": (0, 2**32 - 1),
    "Unsigned32": (0, 2**32 - 1),
    "TimeTicks": (0, 2**32 - 1),
    "Counter64": (0, 2**64 - 1),
}

_WHITESPACE_CONTROLS = re.compile("[\t\n\v\f\r\x85]+")
_OTHER_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


class ValueRangeError(ValueError):
    """An SNMP value outside the range of its syntax, such as a negative Counter32."""

    def __init__(self, value: int, syntax: str, minimum: int, maximum: int) -> None:
        super().__init__(f"{syntax} value {value} is outside the range {minimum}..{maximum}")
        self.value = value
        self.syntax = syntax
        self.minimum = minimum
        self.maximum = maximum


def check_range(value: int, syntax: str) -> int:
    """Return ``value`` unchanged, or raise ValueRangeError when ``syntax`` cannot hold it.

    ``syntax`` is the SMI type name as pysnmp spells it ("Counter32",
    "Counter64", "Gauge32", "Unsigned32", "TimeTicks", "Integer32",
    "Integer"). An unknown name raises ValueError, because it is a bug in the
    caller, not a bad value from a device.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{syntax} value must be an int, not {type(value).__name__}")
    try:
        minimum, maximum = _RANGES[syntax]
    except KeyError:
        raise ValueError(f"unknown SNMP syntax {syntax!r}") from None
    if not minimum <= value <= maximum:
        raise ValueRangeError(value, syntax, minimum, maximum)
    return value


@dataclass(frozen=True, slots=True)
class CounterSample:
    """One counter read in one poll: its value and its width (Counter32 or Counter64).

    >>> CounterSample(value=4_294_000_000, bits=32).bits
    32
    """

    value: int
    bits: int

    def __post_init__(self) -> None:
        if self.bits not in (32, 64):
            raise ValueError(f"counter width must be 32 or 64 bits, not {self.bits}")
        check_range(self.value, f"Counter{self.bits}")


@dataclass(frozen=True, slots=True)
class PollClock:
    """The clocks of one poll of one device.

    ``uptime_ticks`` is sysUpTime in 1/100 s, which wraps to 0 after 2**32
    ticks (about 497 days). ``monotonic`` is the daemon's monotonic clock in
    seconds when the response arrived. ``discontinuity_ticks`` is the
    interface's ifCounterDiscontinuityTime, or None when the agent lacks it.

    >>> PollClock(uptime_ticks=8_640_000, monotonic=1200.5).uptime_ticks
    8640000
    """

    uptime_ticks: int
    monotonic: float
    discontinuity_ticks: int | None = None

    def __post_init__(self) -> None:
        check_range(self.uptime_ticks, "TimeTicks")
        if self.discontinuity_ticks is not None:
            check_range(self.discontinuity_ticks, "TimeTicks")


class Restart(StrEnum):
    """Classification of a device's sysUpTime change between two polls."""

    NONE = "none"
    REBOOT = "reboot"
    UPTIME_WRAP = "uptime_wrap"


class NoRateReason(StrEnum):
    """Reason code for two polls that give no counter rate."""

    REBOOT = "reboot"
    RESET = "reset"
    DISCONTINUITY = "discontinuity"
    WRAP_IMPLAUSIBLE = "wrap_implausible"
    NO_INTERVAL = "no_interval"
    TYPE_CHANGED = "type_changed"


@dataclass(frozen=True, slots=True)
class RateResult:
    """A counter rate per second, or None with the reason there is none.

    >>> RateResult(rate=None, reason=NoRateReason.RESET).reason == "reset"
    True
    """

    rate: float | None
    reason: NoRateReason | None = None

    def __post_init__(self) -> None:
        if (self.rate is None) == (self.reason is None):
            raise ValueError("a RateResult has either a rate or a reason, not both or neither")


def _tolerance_seconds(elapsed_seconds: float) -> float:
    return UPTIME_TOLERANCE_RATIO * abs(elapsed_seconds) + UPTIME_TOLERANCE_SECONDS


def _agrees(uptime_seconds: float, elapsed_seconds: float) -> bool:
    return abs(uptime_seconds - elapsed_seconds) <= _tolerance_seconds(elapsed_seconds)


def classify_restart(previous: PollClock, current: PollClock) -> Restart:
    """Classify a sysUpTime change as none, a reboot or a 32-bit wrap, using the local clock."""
    elapsed = current.monotonic - previous.monotonic

    if current.uptime_ticks < previous.uptime_ticks:
        wrapped_ticks = current.uptime_ticks + UPTIME_MODULUS - previous.uptime_ticks
        if _agrees(wrapped_ticks / TICKS_PER_SECOND, elapsed):
            return Restart.UPTIME_WRAP
        return Restart.REBOOT

    # sysUpTime went up, yet the agent started after the previous response
    # arrived: the device rebooted twice, or rebooted shortly after booting.
    current_uptime = current.uptime_ticks / TICKS_PER_SECOND
    if current_uptime < elapsed - _tolerance_seconds(elapsed):
        return Restart.REBOOT
    return Restart.NONE


def reboots_between(previous: PollClock, current: PollClock) -> int:
    """Count the reboots seen between two polls of one device: 0 or 1."""
    return 1 if classify_restart(previous, current) is Restart.REBOOT else 0


def _interval_ticks(previous: PollClock, current: PollClock, restart: Restart) -> int | None:
    """Return the interval in agent ticks, or None when sysUpTime is not a usable clock."""
    if restart is Restart.UPTIME_WRAP:
        return current.uptime_ticks + UPTIME_MODULUS - previous.uptime_ticks
    ticks = current.uptime_ticks - previous.uptime_ticks
    elapsed = current.monotonic - previous.monotonic
    if ticks > 0 and _agrees(ticks / TICKS_PER_SECOND, elapsed):
        return ticks
    return None


def counter_rate(
    prev: CounterSample,
    cur: CounterSample,
    prev_clock: PollClock,
    cur_clock: PollClock,
    *,
    max_rate: float | None = None,
) -> RateResult:
    """Compute a counter's rate per second between two polls, aware of wraps and reboots.

    The interval is sysUpTime's when it agrees with the local clock, because
    the agent's clock is free of the daemon's scheduling jitter. Otherwise it
    is the local monotonic interval. A Counter32 that went down wrapped once,
    unless the wrapped rate exceeds ``max_rate``. A Counter64 never wraps in
    practice, so one that went down was reset.

    NOTE: a Counter32 that wrapped more than once between polls looks like a
    single wrap and gives too low a rate. At 10 Gb/s a 32-bit octet counter
    wraps every 3.4 s, so fast interfaces need their 64-bit ifHC counters.
    """
    restart = classify_restart(prev_clock, cur_clock)
    if restart is Restart.REBOOT:
        return RateResult(None, NoRateReason.REBOOT)
    if prev.bits != cur.bits:
        return RateResult(None, NoRateReason.TYPE_CHANGED)
    if (
        prev_clock.discontinuity_ticks is not None
        and cur_clock.discontinuity_ticks is not None
        and prev_clock.discontinuity_ticks != cur_clock.discontinuity_ticks
    ):
        return RateResult(None, NoRateReason.DISCONTINUITY)

    ticks = _interval_ticks(prev_clock, cur_clock, restart)
    elapsed = cur_clock.monotonic - prev_clock.monotonic
    if ticks is None and not elapsed > 0:
        return RateResult(None, NoRateReason.NO_INTERVAL)

    wrapped = cur.value < prev.value
    if wrapped and cur.bits == 64:
        return RateResult(None, NoRateReason.RESET)
    delta = cur.value - prev.value
    if wrapped:
        delta += 2**32

    # Integer arithmetic up to the one division keeps Counter64 deltas above
    # 2**53 exact. Python rounds int / int correctly.
    rate = delta * TICKS_PER_SECOND / ticks if ticks is not None else delta / elapsed
    if wrapped and max_rate is not None and rate > max_rate:
        return RateResult(None, NoRateReason.WRAP_IMPLAUSIBLE)
    return RateResult(rate)


def interface_speed(
    if_speed: int | None,
    if_high_speed: int | None,
    override_bps: float | None = None,
) -> float | None:
    """Return an interface's speed in bit/s from ifSpeed and ifHighSpeed, or None if unknown.

    ``override_bps`` (from the configuration) wins. ifHighSpeed × 10**6 wins
    when ifSpeed is 0, saturated at 4294967295, or lower than ifHighSpeed
    allows after its rounding to the nearest Mb/s. A saturated ifSpeed
    without ifHighSpeed means "faster than 4.29 Gb/s", which is unknown.
    """
    if override_bps is not None:
        if not override_bps > 0:
            raise ValueError(f"interface speed override must be positive, not {override_bps}")
        return float(override_bps)

    high_bps = (if_high_speed or 0) * IF_HIGH_SPEED_UNIT_BPS
    speed_bps = if_speed or 0
    if high_bps > 0 and (
        speed_bps == 0
        or speed_bps == IF_SPEED_SATURATED
        or speed_bps < high_bps - IF_HIGH_SPEED_ROUNDING_BPS
    ):
        return float(high_bps)
    if speed_bps > 0 and speed_bps != IF_SPEED_SATURATED:
        return float(speed_bps)
    return None


def utilisation(rate_bytes_per_second: float | None, speed_bps: float | None) -> float | None:
    """Return the ratio of a byte rate to an interface speed, or None if either is unknown.

    The ratio is not clamped to 1. Counter jitter pushes it slightly above 1
    on a full link, and a ratio that stays well above 1 shows that the speed
    is wrong, which a clamp would hide.
    """
    if rate_bytes_per_second is None or speed_bps is None or not speed_bps > 0:
        return None
    return rate_bytes_per_second * 8 / speed_bps


def decode_text(raw: bytes, fallback_charset: str = "latin-1") -> str:
    """Decode a label (ifAlias, sysName, sysDescr) from a device into printable text.

    Strict UTF-8 comes first, then ``fallback_charset`` with undecodable
    bytes as U+FFFD. Trailing NULs are stripped. Each run of TAB, LF, VT, FF,
    CR and NEL becomes one space, so a multi-line sysDescr reads as one line. Every
    other control character (C0, DEL, C1) becomes U+FFFD, which keeps the
    sign of damage visible. An unknown charset name raises LookupError.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode(fallback_charset, errors="replace")

    text = text.rstrip("\x00")
    text = _WHITESPACE_CONTROLS.sub(" ", text)
    return _OTHER_CONTROLS.sub("\ufffd", text)
