"""The limits' arithmetic over time, on a clock the test moves: a day cannot be waited out."""

from __future__ import annotations

from insightly_sandbox.limits import DAY_SECONDS, UNLIMITED_DAILY, Limits


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_daily_quota_rolls_over_24_hours_after_each_request():
    clock = Clock()
    limits = Limits(daily=2, clock=clock)
    assert limits.admit().admitted
    clock.now += 3600
    assert limits.admit().remaining == 0
    assert not limits.admit().admitted

    clock.now += DAY_SECONDS - 3600
    assert limits.peek().remaining == 1
    assert limits.admit().admitted
    assert not limits.admit().admitted

    clock.now += 3600
    assert limits.admit().admitted


def test_refused_requests_spend_neither_limit():
    clock = Clock()
    limits = Limits(per_second=1, daily=5, clock=clock)
    assert limits.admit().remaining == 4
    for _ in range(10):
        refused = limits.admit()
        assert refused.refusal is not None
        assert refused.remaining == 4
    clock.now += 1
    assert limits.admit().remaining == 3


def test_retry_after_is_the_whole_seconds_until_the_window_frees():
    clock = Clock()
    limits = Limits(per_second=0.25, clock=clock)
    assert limits.admit().admitted
    clock.now += 0.5
    refused = limits.admit()
    assert refused.retry_after == 4
    assert refused.headers()["Retry-After"] == "4"
    clock.now += 3.5
    assert limits.admit().admitted


def test_a_fractional_rate_keeps_its_average():
    clock = Clock()
    limits = Limits(per_second=2.5, clock=clock)
    admitted = 0
    for _ in range(100):
        admitted += limits.admit().admitted
        clock.now += 0.01
    # 2 requests per 0.8 s window over 1 s of asking: the first window's 2, then 2 more.
    assert admitted == 4


def test_without_a_daily_limit_the_remainder_never_reaches_zero():
    limits = Limits()
    for _ in range(UNLIMITED_DAILY + 5):
        verdict = limits.admit()
    assert verdict.admitted
    assert verdict.limit == UNLIMITED_DAILY
    assert verdict.remaining == 1
    assert "Retry-After" not in verdict.headers()
