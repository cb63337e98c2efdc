from __future__ import annotations

from surveys.responding.ratelimit import MinuteCounter


class SharedCount:
    """The shared cache, as the counter sees it: a total per key, and how often it was asked."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = {}
        self.calls: list[tuple[str, int]] = []

    def add(self, key: str, amount: int) -> int:
        self.calls.append((key, amount))
        self.totals[key] = self.totals.get(key, 0) + amount
        return self.totals[key]


class Clock:
    def __init__(self, now: float = 600.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_one_process_counts_exactly_and_asks_the_shared_cache_once_a_second() -> None:
    shared, clock = SharedCount(), Clock()
    counter = MinuteCounter(shared.add, sync_every=1.0, clock=clock)
    assert [counter.add("s") for _ in range(50)] == list(range(1, 51))
    assert shared.calls == [("s:10", 1)]  # the first at once, the rest within the second held back
    clock.now += 1.0
    assert counter.add("s") == 51
    assert shared.calls == [("s:10", 1), ("s:10", 50)]
    assert shared.totals == {"s:10": 51}


def test_processes_see_each_others_counts_within_a_second() -> None:
    shared, clock = SharedCount(), Clock()
    a = MinuteCounter(shared.add, sync_every=1.0, clock=clock)
    b = MinuteCounter(shared.add, sync_every=1.0, clock=clock)
    assert a.add("s") == 1
    assert b.add("s") == 2  # b's first count reads a's
    assert [a.add("s") for _ in range(3)] == [2, 3, 4]  # a has not heard of b's yet
    clock.now += 1.5
    assert a.add("s") == 6  # now it has: four of a's since, one of b's
    assert b.add("s") == 7
    assert shared.totals == {"s:10": 7}


def test_each_minute_and_each_key_counts_afresh() -> None:
    shared, clock = SharedCount(), Clock(now=659.5)
    counter = MinuteCounter(shared.add, clock=clock)
    assert [counter.add("s"), counter.add("s"), counter.add("other")] == [1, 2, 1]
    clock.now = 660.0  # the next calendar minute
    assert counter.add("s") == 1
    assert shared.totals == {"s:10": 1, "other:10": 1, "s:11": 1}
