"""How a panel's make-up compares with its area's population. Pure functions over plain data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Nothing is shown until this many members have answered, so no answer can be traced to a person.
MIN_ANSWERS = 10
# Groups with fewer members than this are shown as "fewer than 3", never as an exact count.
SMALL_COUNT = 3


@dataclass(frozen=True)
class MakeUpRow:
    group: str
    count: int | None  # None when suppressed
    share: float | None  # of members who answered; None when suppressed
    population_share: float | None  # None when there is no comparison population


@dataclass(frozen=True)
class MakeUp:
    answered: int
    min_answers: int
    rows: tuple[MakeUpRow, ...]

    @property
    def shown(self) -> bool:
        return self.answered >= self.min_answers


def compare_make_up(answers: Iterable[str], groups: Sequence[str], population: dict[str, int] | None = None) -> MakeUp:
    """Members' answers (one group each; anything not in `groups` is "prefer not to say") against a population."""
    counts = Counter(a for a in answers if a in groups)
    answered = sum(counts.values())
    if answered < MIN_ANSWERS:
        return MakeUp(answered=answered, min_answers=MIN_ANSWERS, rows=())
    population = population or {}
    total_population = sum(population.values())
    rows = []
    for group in groups:
        count = counts.get(group, 0)
        suppressed = 0 < count < SMALL_COUNT
        rows.append(
            MakeUpRow(
                group=group,
                count=None if suppressed else count,
                share=None if suppressed else count / answered,
                population_share=(population.get(group, 0) / total_population) if total_population else None,
            )
        )
    return MakeUp(answered=answered, min_answers=MIN_ANSWERS, rows=tuple(rows))
