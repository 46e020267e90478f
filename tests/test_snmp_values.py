"""Tests of SNMP value arithmetic: counter rates, restarts, speeds, labels, ranges."""

from __future__ import annotations

import unicodedata
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from probes.snmp_values import (
    CounterSample,
    NoRateReason,
    PollClock,
    RateResult,
    Restart,
    ValueRangeError,
    check_range,
    classify_restart,
    counter_rate,
    decode_text,
    interface_speed,
    reboots_between,
    utilisation,
)

MINUTE_TICKS = 6000


def clocks(
    uptime_before: int, uptime_after: int, seconds: float, start: float = 1000.0
) -> tuple[PollClock, PollClock]:
    return PollClock(uptime_before, start), PollClock(uptime_after, start + seconds)


# classify_restart and reboots_between


def test_restart_uptime_wrap_near_2_32() -> None:
    before, after = clocks(4_294_967_000, 5_704, 60.0)
    assert classify_restart(before, after) is Restart.UPTIME_WRAP
    assert reboots_between(before, after) == 0


def test_restart_uptime_down_is_reboot() -> None:
    before, after = clocks(8_640_000, 1_200, 60.0)
    assert classify_restart(before, after) is Restart.REBOOT
    assert reboots_between(before, after) == 1


def test_restart_uptime_advancing_is_none() -> None:
    before, after = clocks(8_640_000, 8_640_000 + MINUTE_TICKS, 60.0)
    assert classify_restart(before, after) is Restart.NONE
    assert reboots_between(before, after) == 0


def test_restart_uptime_unchanged_is_none() -> None:
    before, after = clocks(8_640_000, 8_640_000, 0.004)
    assert classify_restart(before, after) is Restart.NONE


def test_restart_booted_after_previous_poll() -> None:
    # Up 5 s at the first poll, up 10 s a minute later: sysUpTime rose,
    # but the agent started after the first response arrived.
    before, after = clocks(500, 1_000, 60.0)
    assert classify_restart(before, after) is Restart.REBOOT
    assert reboots_between(before, after) == 1


def test_restart_young_device_without_reboot() -> None:
    before, after = clocks(500, 500 + MINUTE_TICKS, 60.0)
    assert classify_restart(before, after) is Restart.NONE


def test_restart_wrap_tolerance_edges() -> None:
    # Tolerance for 60 s is 0.1 × 60 + 2 = 8 s.
    start = 2**32 - 296
    inside, _ = clocks(start, 0, 60.0)
    at_limit = PollClock(6800 - 296, inside.monotonic + 60.0)
    past_limit = PollClock(6801 - 296, inside.monotonic + 60.0)
    short_limit = PollClock(5200 - 296, inside.monotonic + 60.0)
    short_past = PollClock(5199 - 296, inside.monotonic + 60.0)
    assert classify_restart(inside, at_limit) is Restart.UPTIME_WRAP
    assert classify_restart(inside, past_limit) is Restart.REBOOT
    assert classify_restart(inside, short_limit) is Restart.UPTIME_WRAP
    assert classify_restart(inside, short_past) is Restart.REBOOT


@given(
    previous=st.integers(min_value=1, max_value=2**32 - 1),
    data=st.data(),
    elapsed=st.floats(min_value=0.0, max_value=1e7, allow_nan=False),
)
def test_restart_uptime_down_beyond_tolerance(
    previous: int, data: st.DataObject, elapsed: float
) -> None:
    current = data.draw(st.integers(min_value=0, max_value=previous - 1))
    wrapped_seconds = (current + 2**32 - previous) / 100
    assume(abs(wrapped_seconds - elapsed) > 0.1 * elapsed + 2.0)
    before, after = clocks(previous, current, elapsed)

    assert classify_restart(before, after) is Restart.REBOOT
    assert reboots_between(before, after) == 1
    result = counter_rate(CounterSample(10, 64), CounterSample(20, 64), before, after)
    assert result.reason is NoRateReason.REBOOT


# counter_rate: exact cases


def test_rate_counter32_wrap() -> None:
    before, after = clocks(8_640_000, 8_640_000 + MINUTE_TICKS, 60.0)
    result = counter_rate(
        CounterSample(4_294_000_000, 32), CounterSample(1_000_000, 32), before, after
    )
    assert result.reason is None
    assert result.rate == 1_967_296 / 60
    assert result.rate == pytest.approx(32_788.27, rel=1e-6)


def test_rate_counter32_wrap_within_max_rate() -> None:
    before, after = clocks(8_640_000, 8_640_000 + MINUTE_TICKS, 60.0)
    prev, cur = CounterSample(4_294_000_000, 32), CounterSample(1_000_000, 32)
    result = counter_rate(prev, cur, before, after, max_rate=1e6 / 8 * 1.1)
    assert result.rate == 1_967_296 / 60


def test_rate_counter32_wrap_implausible() -> None:
    # A 100 kb/s link moves at most 13,750 B/s with a 10 % margin. The
    # wrapped delta would mean 32,788 B/s, so the counter was reset instead.
    before, after = clocks(8_640_000, 8_640_000 + MINUTE_TICKS, 60.0)
    prev, cur = CounterSample(4_294_000_000, 32), CounterSample(1_000_000, 32)
    result = counter_rate(prev, cur, before, after, max_rate=100_000 / 8 * 1.1)
    assert result.rate is None
    assert result.reason is NoRateReason.WRAP_IMPLAUSIBLE


def test_rate_max_rate_ignored_without_wrap() -> None:
    before, after = clocks(8_640_000, 8_640_000 + MINUTE_TICKS, 60.0)
    result = counter_rate(
        CounterSample(0, 32), CounterSample(6_000_000, 32), before, after, max_rate=1.0
    )
    assert result.rate == 100_000.0


def test_rate_counter64_down_is_reset() -> None:
    before, after = clocks(8_640_000, 8_640_000 + MINUTE_TICKS, 60.0)
    result = counter_rate(
        CounterSample(5_000_000_000_000, 64), CounterSample(1_500_000, 64), before, after
    )
    assert result.rate is None
    assert result.reason is NoRateReason.RESET


def test_rate_reboot_with_counter64_drop() -> None:
    before, after = clocks(8_640_000, 1_200, 60.0)
    result = counter_rate(
        CounterSample(5_000_000_000_000, 64), CounterSample(1_500_000, 64), before, after
    )
    assert result.rate is None
    assert result.reason is NoRateReason.REBOOT


def test_rate_reboot_with_counter32_drop() -> None:
    before, after = clocks(8_640_000, 1_200, 60.0)
    result = counter_rate(CounterSample(4_000_000_000, 32), CounterSample(1_500, 32), before, after)
    assert result.reason is NoRateReason.REBOOT


def test_rate_discontinuity_changed() -> None:
    before = PollClock(8_640_000, 1000.0, discontinuity_ticks=0)
    after = PollClock(8_640_000 + MINUTE_TICKS, 1060.0, discontinuity_ticks=8_643_000)
    result = counter_rate(CounterSample(100, 64), CounterSample(200, 64), before, after)
    assert result.rate is None
    assert result.reason is NoRateReason.DISCONTINUITY


def test_rate_discontinuity_unchanged() -> None:
    before = PollClock(8_640_000, 1000.0, discontinuity_ticks=42)
    after = PollClock(8_640_000 + MINUTE_TICKS, 1060.0, discontinuity_ticks=42)
    result = counter_rate(CounterSample(100, 64), CounterSample(6_100, 64), before, after)
    assert result.rate == 100.0


def test_rate_discontinuity_known_once() -> None:
    before = PollClock(8_640_000, 1000.0, discontinuity_ticks=None)
    after = PollClock(8_640_000 + MINUTE_TICKS, 1060.0, discontinuity_ticks=42)
    result = counter_rate(CounterSample(100, 64), CounterSample(6_100, 64), before, after)
    assert result.rate == 100.0


def test_rate_type_changed() -> None:
    before, after = clocks(8_640_000, 8_640_000 + MINUTE_TICKS, 60.0)
    result = counter_rate(CounterSample(100, 32), CounterSample(200, 64), before, after)
    assert result.rate is None
    assert result.reason is NoRateReason.TYPE_CHANGED


def test_rate_interval_from_uptime_despite_jitter() -> None:
    # The second response arrived 1.5 s late locally, but the agent's clock
    # still measured 60 s.
    before, after = clocks(8_640_000, 8_640_000 + MINUTE_TICKS, 61.5)
    result = counter_rate(CounterSample(0, 64), CounterSample(6_000, 64), before, after)
    assert result.rate == 100.0


def test_rate_interval_across_uptime_wrap() -> None:
    before, after = clocks(4_294_967_000, 5_704, 61.0)
    result = counter_rate(CounterSample(0, 64), CounterSample(6_000, 64), before, after)
    assert result.rate == 100.0


def test_rate_interval_local_when_uptime_stalls() -> None:
    # An agent that caches sysUpTime returns the same value twice.
    before, after = clocks(8_640_000, 8_640_000, 30.0)
    result = counter_rate(CounterSample(0, 64), CounterSample(3_000, 64), before, after)
    assert result.rate == 100.0


def test_rate_interval_local_when_uptime_disagrees() -> None:
    # sysUpTime claims 600 s passed where the daemon saw 60 s.
    before, after = clocks(8_640_000, 8_640_000 + 10 * MINUTE_TICKS, 60.0)
    result = counter_rate(CounterSample(0, 64), CounterSample(6_000, 64), before, after)
    assert result.rate == 100.0


def test_rate_no_interval_when_clocks_stand_still() -> None:
    before, after = clocks(8_640_000, 8_640_000, 0.0)
    result = counter_rate(CounterSample(0, 64), CounterSample(10, 64), before, after)
    assert result.rate is None
    assert result.reason is NoRateReason.NO_INTERVAL


def test_rate_no_interval_when_local_clock_backwards() -> None:
    before, after = clocks(8_640_000, 8_640_000, -5.0)
    result = counter_rate(CounterSample(0, 64), CounterSample(10, 64), before, after)
    assert result.reason is NoRateReason.NO_INTERVAL


def test_rate_unchanged_counter_is_zero() -> None:
    before, after = clocks(8_640_000, 8_640_000 + MINUTE_TICKS, 60.0)
    result = counter_rate(CounterSample(77, 32), CounterSample(77, 32), before, after)
    assert result.rate == 0.0


def test_rate_counter64_above_2_53_exact() -> None:
    # In floats 2**60 + 3 - 2**60 is 0.0, because 2**60 + 3 rounds to 2**60.
    before, after = clocks(8_640_000, 8_640_100, 1.0)
    result = counter_rate(CounterSample(2**60, 64), CounterSample(2**60 + 3, 64), before, after)
    assert result.rate == 3.0


def test_rate_counter64_rounds_once() -> None:
    # Converting the delta to float before dividing rounds twice and gives
    # 1.2704261763685027e17 here; the exact quotient rounds to ...029e17.
    delta, ticks = 10_508_965_330_920_255_989, 8_272
    before, after = clocks(8_640_000, 8_640_000 + ticks, ticks / 100)
    result = counter_rate(CounterSample(0, 64), CounterSample(delta, 64), before, after)
    assert result.rate == float(Fraction(delta * 100, ticks))
    assert result.rate == 1.2704261763685029e17


def test_rate_counter64_near_maximum() -> None:
    before, after = clocks(8_640_000, 8_640_100, 1.0)
    prev, cur = CounterSample(2**64 - 1_001, 64), CounterSample(2**64 - 1, 64)
    assert counter_rate(prev, cur, before, after).rate == 1000.0


def test_rate_result_needs_rate_or_reason() -> None:
    with pytest.raises(ValueError):
        RateResult(None, None)
    with pytest.raises(ValueError):
        RateResult(1.0, NoRateReason.RESET)


def test_rate_reason_compares_as_text() -> None:
    assert NoRateReason.WRAP_IMPLAUSIBLE == "wrap_implausible"
    assert Restart.UPTIME_WRAP == "uptime_wrap"


# counter_rate: properties


@st.composite
def counter_walks(draw: st.DrawFn) -> tuple[int, int, list[int], list[int], int]:
    """Draw a width, a start value, increments, interval lengths in ticks and a start uptime."""
    bits = draw(st.sampled_from([32, 64]))
    length = draw(st.integers(min_value=1, max_value=8))
    # Below half the range per interval, so a Counter32 wraps at most once.
    # Counter64 never wraps, so eight increments must stay below 2**64.
    largest = 2**31 - 1 if bits == 32 else 2**60
    increments = draw(
        st.lists(
            st.integers(min_value=0, max_value=largest),
            min_size=length,
            max_size=length,
        )
    )
    if bits == 64:
        # Counter64 never wraps, so the walk must stay below 2**64.
        start = draw(st.integers(min_value=0, max_value=2**64 - 1 - sum(increments)))
    else:
        start = draw(st.integers(min_value=0, max_value=2**32 - 1))
    ticks = draw(
        st.lists(st.integers(min_value=1, max_value=10**7), min_size=length, max_size=length)
    )
    # Half the walks start close enough to 2**32 for sysUpTime to wrap.
    uptime_start = draw(
        st.integers(min_value=0, max_value=2**32 - 1)
        | st.integers(min_value=2**32 - 2 * 10**7, max_value=2**32 - 1)
    )
    return bits, start, increments, ticks, uptime_start


@given(
    walk=counter_walks(),
    jitter=st.lists(st.floats(min_value=-1.0, max_value=1.0), min_size=9, max_size=9),
)
def test_rate_equals_true_increment(
    walk: tuple[int, int, list[int], list[int], int], jitter: list[float]
) -> None:
    bits, value, increments, ticks, uptime = walk
    monotonic = 5000.0
    previous_sample = CounterSample(value, bits)
    previous_clock = PollClock(uptime, monotonic)

    for step, (increment, interval) in enumerate(zip(increments, ticks, strict=True)):
        value = (value + increment) % 2**bits
        uptime = (uptime + interval) % 2**32
        monotonic += interval / 100
        sample = CounterSample(value, bits)
        clock = PollClock(uptime, monotonic + jitter[step])

        result = counter_rate(previous_sample, sample, previous_clock, clock)

        assert result.reason is None
        assert result.rate == float(Fraction(increment * 100, interval))
        assert reboots_between(previous_clock, clock) == 0
        previous_sample, previous_clock = sample, clock


poll_clocks = st.builds(
    PollClock,
    uptime_ticks=st.integers(min_value=0, max_value=2**32 - 1),
    monotonic=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    discontinuity_ticks=st.none() | st.integers(min_value=0, max_value=3),
)


@st.composite
def counter_samples(draw: st.DrawFn) -> CounterSample:
    bits = draw(st.sampled_from([32, 64]))
    return CounterSample(draw(st.integers(min_value=0, max_value=2**bits - 1)), bits)


@given(
    prev=counter_samples(),
    cur=counter_samples(),
    prev_clock=poll_clocks,
    cur_clock=poll_clocks,
    max_rate=st.none() | st.floats(min_value=0.0, max_value=1e12),
)
def test_rate_never_negative(
    prev: CounterSample,
    cur: CounterSample,
    prev_clock: PollClock,
    cur_clock: PollClock,
    max_rate: float | None,
) -> None:
    result = counter_rate(prev, cur, prev_clock, cur_clock, max_rate=max_rate)
    if result.rate is None:
        assert result.reason in set(NoRateReason)
    else:
        assert result.rate >= 0.0


@given(
    values=st.lists(
        st.integers(min_value=0, max_value=2**64 - 1), min_size=2, max_size=2, unique=True
    ),
    prev_clock=poll_clocks,
    cur_clock=poll_clocks,
)
def test_rate_counter64_never_wraps(
    values: list[int], prev_clock: PollClock, cur_clock: PollClock
) -> None:
    high, low = sorted(values, reverse=True)
    result = counter_rate(CounterSample(high, 64), CounterSample(low, 64), prev_clock, cur_clock)
    assert result.rate is None
    assert result.reason is not NoRateReason.WRAP_IMPLAUSIBLE


# interface_speed and utilisation


@pytest.mark.parametrize(
    ("if_speed", "if_high_speed", "expected"),
    [
        (0, 10_000, 10e9),
        (4_294_967_295, 20_000, 20e9),
        (1_000_000_000, 0, 1e9),
        (1_000_000_000, None, 1e9),
        (1_000_000_000, 1_000, 1e9),
        (100_000_000, 1_000, 1e9),
        (None, 100, 1e8),
        (0, 0, None),
        (None, None, None),
        (4_294_967_295, 0, None),
        (4_294_967_295, None, None),
    ],
)
def test_speed_from_if_speed_and_high_speed(
    if_speed: int | None, if_high_speed: int | None, expected: float | None
) -> None:
    assert interface_speed(if_speed, if_high_speed) == expected


def test_speed_keeps_precise_if_speed() -> None:
    # A T1 line: ifHighSpeed rounds 1,544,000 bit/s to 2 Mb/s.
    assert interface_speed(1_544_000, 2) == 1_544_000.0
    assert interface_speed(1_499_999, 2) == 2e6


def test_speed_override_wins() -> None:
    assert interface_speed(1_000_000_000, 1_000, override_bps=50e6) == 50e6
    assert interface_speed(None, None, override_bps=20e6) == 20e6


def test_speed_override_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        interface_speed(1_000_000_000, 1_000, override_bps=0.0)


def test_utilisation_ratio() -> None:
    assert utilisation(125_000_000.0, 1e9) == 1.0
    assert utilisation(12_500_000.0, 1e9) == 0.1
    assert utilisation(0.0, 1e9) == 0.0


def test_utilisation_not_clamped() -> None:
    assert utilisation(130_000_000.0, 1e9) == pytest.approx(1.04, rel=1e-12)


def test_utilisation_unknown_inputs() -> None:
    assert utilisation(None, 1e9) is None
    assert utilisation(1000.0, None) is None
    assert utilisation(1000.0, 0.0) is None
    assert utilisation(1000.0, interface_speed(0, 0)) is None


# decode_text


def test_decode_utf8() -> None:
    label = "Uplink Bappeda – Lantai 2"
    assert decode_text(label.encode()) == label


def test_decode_latin1_fallback() -> None:
    assert decode_text(b"Caf\xe9") == "Café"


def test_decode_device_charset() -> None:
    assert decode_text(b"\x93Dinas\x94", "cp1252") == "“Dinas”"


def test_decode_undefined_byte_replaced() -> None:
    assert decode_text(b"port\x81", "cp1252") == "port\ufffd"


def test_decode_strips_trailing_nuls() -> None:
    assert decode_text(b"core-sw\x00\x00\x00") == "core-sw"
    assert decode_text(b"\x00\x00") == ""


def test_decode_inner_nul_replaced() -> None:
    assert decode_text(b"a\x00b") == "a\ufffdb"


def test_decode_line_breaks_become_space() -> None:
    raw = b"Cisco IOS Software\r\nTechnical Support\r\n\tCopyright"
    assert decode_text(raw) == "Cisco IOS Software Technical Support Copyright"


def test_decode_control_characters_replaced() -> None:
    assert decode_text(b"\x1b[31mred\x7f") == "\ufffd[31mred\ufffd"
    assert decode_text("x\u009by".encode()) == "x\ufffdy"
    assert decode_text(b"x\x9by") == "x\ufffdy"


def test_decode_empty() -> None:
    assert decode_text(b"") == ""


def test_decode_unknown_charset_raises() -> None:
    with pytest.raises(LookupError):
        decode_text(b"\xff", "no-such-charset")


@given(
    raw=st.binary(max_size=200),
    charset=st.sampled_from(["latin-1", "cp1252", "utf-8", "gbk", "shift_jis", "koi8-r"]),
)
def test_decode_any_bytes_printable(raw: bytes, charset: str) -> None:
    text = decode_text(raw, charset)
    assert not any(unicodedata.category(char) == "Cc" for char in text)


@given(text=st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs"))))
def test_decode_utf8_round_trip(text: str) -> None:
    assert decode_text(text.encode("utf-8")) == text


# check_range


@pytest.mark.parametrize(
    ("syntax", "minimum", "maximum"),
    [
        ("Counter32", 0, 2**32 - 1),
        ("Gauge32", 0, 2**32 - 1),
        ("Unsigned32", 0, 2**32 - 1),
        ("TimeTicks", 0, 2**32 - 1),
        ("Counter64", 0, 2**64 - 1),
        ("Integer32", -(2**31), 2**31 - 1),
        ("Integer", -(2**31), 2**31 - 1),
    ],
)
def test_range_limits(syntax: str, minimum: int, maximum: int) -> None:
    assert check_range(minimum, syntax) == minimum
    assert check_range(maximum, syntax) == maximum
    with pytest.raises(ValueRangeError):
        check_range(minimum - 1, syntax)
    with pytest.raises(ValueRangeError):
        check_range(maximum + 1, syntax)


def test_range_error_names_value() -> None:
    with pytest.raises(ValueRangeError) as caught:
        check_range(-5, "Counter32")
    assert caught.value.value == -5
    assert caught.value.syntax == "Counter32"
    assert caught.value.minimum == 0
    assert caught.value.maximum == 2**32 - 1
    assert str(caught.value) == "Counter32 value -5 is outside the range 0..4294967295"


def test_range_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        check_range(2**64, "Counter64")


def test_range_unknown_syntax() -> None:
    with pytest.raises(ValueError, match="unknown SNMP syntax") as caught:
        check_range(1, "Opaque")
    assert not isinstance(caught.value, ValueRangeError)


def test_range_rejects_bool() -> None:
    with pytest.raises(TypeError):
        check_range(True, "Counter32")


def test_sample_checks_width_and_range() -> None:
    with pytest.raises(ValueError, match="32 or 64"):
        CounterSample(1, 16)
    with pytest.raises(ValueRangeError):
        CounterSample(-1, 32)
    with pytest.raises(ValueRangeError):
        CounterSample(2**32, 32)


def test_clock_checks_uptime_range() -> None:
    with pytest.raises(ValueRangeError):
        PollClock(2**32, 0.0)
    with pytest.raises(ValueRangeError):
        PollClock(0, 0.0, discontinuity_ticks=-1)
