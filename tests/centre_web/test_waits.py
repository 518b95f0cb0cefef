"""The wait estimate: hidden without enough data, robust to a forgotten "finish",
a range that scales with people ahead and counters."""
from __future__ import annotations

from centre.domain.waits import WaitRange, estimate_seconds, estimate_wait

TIMES = [240.0, 270.0, 300.0, 300.0, 330.0, 360.0, 300.0, 280.0, 320.0, 300.0]


def test_hidden_without_samples_or_counters() -> None:
    assert estimate_wait(4, TIMES[:4], 2) is None
    assert estimate_wait(4, TIMES, 0) is None
    assert estimate_wait(0, TIMES, 2) == WaitRange(0, 0)


def test_range_brackets_the_simple_model_and_scales() -> None:
    one = estimate_wait(10, TIMES, 1)
    two = estimate_wait(10, TIMES, 2)
    more = estimate_wait(20, TIMES, 1)
    assert one is not None and two is not None and more is not None
    # (10 + ½) people × ~5 min (+ the call overhead) on one counter: about 60 min
    assert one.low_min < 55 < 60 < 65 < one.high_min
    assert two.high_min < one.high_min and two.low_min < one.low_min
    assert more.low_min > one.low_min and more.high_min - more.low_min > one.high_min - one.low_min
    assert one.low_min < one.high_min


def test_one_forgotten_finish_does_not_move_the_estimate() -> None:
    _, clean, _ = estimate_seconds(10, TIMES, 2)
    _, spoiled, _ = estimate_seconds(10, TIMES[:-1] + [7200.0], 2)
    assert abs(spoiled - clean) / clean < 0.05
    # a plain mean would have moved it by far more
    plain = sum(TIMES[:-1] + [7200.0]) / len(TIMES)
    assert plain > 2 * (sum(TIMES) / len(TIMES))
