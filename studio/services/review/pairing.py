"""Which pair a reviewer sees next: the comparisons that decide `use_ltx` first, and now and then a repeat.

Pure choices over values the desk reads from the store, so the rules are tested without a server.

- "decide" mode: LTX vs interpolation on the comparison set's shots first, then on other shots, then
  variant pairs; within a tier the shot (and then the segment x age stratum) with the fewest decisive
  votes, whose interval is the widest; never a pair this reviewer judged; LTX shown on the left and on
  the right equally often per reviewer.
- About one pair in `REPEAT_EVERY` repeats one the reviewer judged, sides swapped: the self-consistency
  figure of Results. Repeats never count toward the decision.
- "tune" mode: pairs of one method with different settings (tuning interpolation), fewest votes first.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from studio.domain.comparison import ShotKey
from studio.store import Pair, Take

PairMode = Literal["decide", "tune"]
PAIR_MODES: tuple[PairMode, ...] = ("decide", "tune")
REPEAT_EVERY = 15
MIN_JUDGED_BEFORE_REPEATS = 3
DECIDING = frozenset({"ltx", "interp"})
CONSISTENCY_FLAG_BELOW = 2 / 3  # agreeing with oneself less often than this is flagged (at MIN_REPEATS_TO_FLAG)
MIN_REPEATS_TO_FLAG = 3


def deciding(left: Take, right: Take) -> bool:
    """Whether a vote on these two takes bears on `use_ltx`: one LTX take against one interpolation take."""
    return {left.method, right.method} == DECIDING


def key_of(take: Take) -> ShotKey:
    return ShotKey(take.title_id, take.shot_id)


def choose_fresh(candidates: Sequence[tuple[Take, Take]], *, every_pair: Sequence[tuple[Take, Take]], mode: PairMode,
                 in_set: Callable[[ShotKey], bool], stratum_of: Callable[[ShotKey], str],
                 pair_votes: dict[frozenset[str], int], rng: random.Random) -> tuple[Take, Take] | None:
    """The unjudged pair (of `candidates`) that helps the decision most (see the module docstring); None when
    `mode` has none. `every_pair` (judged or not) and `pair_votes` say how many decisive votes each shot has."""
    if mode == "tune":
        tier = [(a, b) for a, b in candidates if a.method == b.method]
        return rng.choice(_fewest(tier, lambda pair: pair_votes.get(frozenset((pair[0].id, pair[1].id)), 0))) if tier else None
    shot_votes: Counter[ShotKey] = Counter()
    for a, b in every_pair:
        if deciding(a, b):
            shot_votes[key_of(a)] += pair_votes.get(frozenset((a.id, b.id)), 0)
    stratum_votes: Counter[str] = Counter()
    for shot, votes in shot_votes.items():
        stratum_votes[stratum_of(shot)] += votes
    tiers = ([p for p in candidates if deciding(*p) and in_set(key_of(p[0]))],
             [p for p in candidates if deciding(*p) and not in_set(key_of(p[0]))],
             [p for p in candidates if not deciding(*p)])
    tier = next((t for t in tiers if t), [])
    if not tier:
        return None

    def need(pair: tuple[Take, Take]) -> tuple[int, int, int]:
        shot = key_of(pair[0])
        return shot_votes[shot], stratum_votes[stratum_of(shot)], pair_votes.get(frozenset((pair[0].id, pair[1].id)), 0)

    return rng.choice(_fewest(tier, need))


def _fewest(pairs: list, need: Callable) -> list:
    least = min(need(pair) for pair in pairs)
    return [pair for pair in pairs if need(pair) == least]


def order_sides(first: Take, second: Take, *, left_counts: dict[str, int], rng: random.Random) -> tuple[Take, Take]:
    """(left, right): the method this reviewer saw on the left less often goes left; a coin decides ties."""
    if first.method != second.method:
        shown = left_counts.get(first.method, 0) - left_counts.get(second.method, 0)
        if shown:
            return (second, first) if shown > 0 else (first, second)
    return (first, second) if rng.random() < 0.5 else (second, first)


def choose_repeat(judged: Sequence[Pair], rng: random.Random) -> Pair | None:
    """About one time in REPEAT_EVERY, a fresh pair this reviewer judged and has not seen repeated."""
    fresh = [pair for pair in judged if pair.repeat_of is None]
    repeated = {pair.repeat_of for pair in judged if pair.repeat_of}
    options = [pair for pair in fresh if pair.token not in repeated]
    if len(fresh) < MIN_JUDGED_BEFORE_REPEATS or not options or rng.random() >= 1 / REPEAT_EVERY:
        return None
    return rng.choice(options)


@dataclass(frozen=True)
class ReviewerConsistency:
    """How often a reviewer gave the same answer to a pair shown again with its sides swapped."""

    reviewer: str
    repeats: int
    agreed: int

    @property
    def rate(self) -> float | None:
        return self.agreed / self.repeats if self.repeats else None

    @property
    def flagged(self) -> bool:
        return self.repeats >= MIN_REPEATS_TO_FLAG and (self.rate or 0.0) < CONSISTENCY_FLAG_BELOW

    @property
    def weight(self) -> float | None:
        """The weight a reliability-weighted tally would give their votes (shown, never applied).

        A reviewer who reports their true preference with probability q agrees with themselves with
        c = q^2 + (1 - q)^2, so the signal in one vote, 2q - 1, is sqrt(2c - 1) (0 at coin-flip consistency).
        """
        return None if self.rate is None else math.sqrt(max(0.0, 2 * self.rate - 1))


def _answer(row: dict) -> str:
    """What a vote said, whichever side each take was on: the chosen take's id, or tie / both_bad."""
    return {"left": row["left_take"], "right": row["right_take"]}.get(row["choice"], row["choice"])


def self_consistency(rows: Sequence[dict]) -> list[ReviewerConsistency]:
    """Per reviewer with at least one repeat: repeats answered and how many agreed with the first answer."""
    first = {(row["reviewer"], row["pair_token"]): _answer(row) for row in rows if not row.get("repeat_of")}
    tally: dict[str, list[int]] = {}
    for row in rows:
        original = first.get((row["reviewer"], row.get("repeat_of")))
        if row.get("repeat_of") and original is not None:
            counts = tally.setdefault(row["reviewer"], [0, 0])
            counts[0] += 1
            counts[1] += _answer(row) == original
    return [ReviewerConsistency(name, repeats, agreed) for name, (repeats, agreed) in sorted(tally.items())]
