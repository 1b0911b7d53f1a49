"""core.pacing: the sender never goes faster than its rate, and wastes no time below it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.pacing import ChatPacers, Pacer


def send_times(pacer: Pacer, arrivals: list[float]) -> list[float]:
    """When each request would go out if it arrived at `arrivals` and slept as told."""
    return [arrival + pacer.reserve(arrival) for arrival in arrivals]


@given(
    rate=st.floats(min_value=0.5, max_value=500),
    burst=st.integers(min_value=1, max_value=30),
    gaps=st.lists(st.floats(min_value=0, max_value=0.2), min_size=1, max_size=300),
)
def test_no_window_holds_more_than_rate_times_its_length_plus_the_burst(
    rate: float, burst: int, gaps: list[float]
) -> None:
    arrivals, now = [], 100.0
    for gap in gaps:
        now += gap
        arrivals.append(now)
    times = send_times(Pacer(rate, burst), arrivals)
    assert all(t >= a for t, a in zip(times, arrivals, strict=True))
    for i, start in enumerate(times):
        for j in range(i, len(times)):
            span = times[j] - start
            assert j - i + 1 <= rate * span + burst + 1e-6


def test_a_steady_stream_goes_out_at_exactly_the_rate() -> None:
    pacer = Pacer(25)
    times = send_times(pacer, [0.0] * 101)
    assert times[0] == 0.0 and abs(times[-1] - 4.0) < 1e-9


def test_a_burst_goes_at_once_then_the_rate_applies() -> None:
    pacer = Pacer(1, burst=3)
    assert send_times(pacer, [10.0, 10.0, 10.0, 10.0]) == [10.0, 10.0, 10.0, 11.0]


def test_an_idle_pacer_does_not_bank_more_than_its_burst() -> None:
    pacer = Pacer(1, burst=2)
    pacer.reserve(0.0)
    assert send_times(pacer, [100.0, 100.0, 100.0]) == [100.0, 100.0, 101.0]


def test_a_429_pauses_until_the_moment_given() -> None:
    pacer = Pacer(10)
    pacer.reserve(0.0)
    pacer.pause_until(5.0)
    assert pacer.reserve(1.0) == 4.0


def test_chat_pacers_are_separate_and_bounded() -> None:
    pacers = ChatPacers(1, 1, size=2)
    assert pacers[1].reserve(0.0) == 0.0 and pacers[2].reserve(0.0) == 0.0
    assert pacers[1].reserve(0.0) == 1.0  # chat 1 waits; chat 2 does not
    pacers[3].reserve(0.0)
    assert pacers[2].reserve(0.0) == 0.0  # chat 2 was forgotten (least recently used)
