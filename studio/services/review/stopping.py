"""When the blind votes may stop: an anytime-valid confidence sequence for P(LTX preferred).

Each LTX-vs-interpolation vote scores 1 (LTX chosen), 0 (interpolation chosen)
or 1/2 (a tie); a "both bad" vote says nothing about which method is preferred
and is left out (and counted, so the page can say so). The estimand p is the
mean preference of the votes dealt.

The interval is a betting confidence sequence (Waudby-Smith & Ramdas 2023,
"Estimating means of bounded random variables by betting", JRSS-B): for a
candidate mean m, two gamblers bet on each vote against m, one that the mean is
higher (capital K+), one that it is lower (K-); each bet is fixed before the
vote is seen (a predictable plug-in from the running mean and variance of the
earlier votes). Under mean m both capitals are nonnegative martingales, so by
Ville's inequality the hedged capital max(K+, K-)/2 ever reaching 1/alpha has
probability at most alpha: every m where it has not is in the interval, checked
after every vote for as long as voting goes on. The running intersection keeps
the interval from ever growing. The bets here do not depend on m (they are
capped at 1/2 for every m, so each factor stays positive), which makes K+
decreasing and K- increasing in m: the set is an interval, and "the interval
lies above 50%" is exactly "K+ at 50% reached 2/alpha".

Clustering. Votes cluster by shot and by reviewer: some shots suit LTX, some
reviewers like it more. Condition on those latent preferences. A vote's mean
given the earlier votes is then the preference of the (shot, reviewer) it was
dealt. The pair dealer picks the comparison with the fewest votes, a choice
that never looks at earlier outcomes, so over each round of the comparison set
the dealt preferences average the comparison set's mean preference p. When
that mean is the same for every vote (deals drawn from a fixed mix) the
martingale argument above holds exactly, with no independence between votes
needed; with the dealer's rounds it holds up to how much the bets change within
a round, which is small because the bets follow the outcomes slowly (about
1/sqrt(t log t)) and never the identity of the next shot. So the rule tests
"no preference on average over the votes dealt", not "the votes are
independent". What it cannot undo is one reviewer voting a long run of pairs
early: their taste then really is the average of the votes dealt so far. The
simulation (tests/test_stopping.py, `python -m studio.bench decision`) measures
both: shots and reviewers with their own preferences, reviewers in short
sessions, stay under 5%; sessions of 20 consecutive votes by one reviewer
reach about 7% (sessions of 10: about 5%).

The rule it replaces (a Wilson interval read after every vote from the 30th)
lives in the benchmark, `studio/bench/decision.py`, which measures both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

ALPHA = 0.05
"""The promised error rate: P(ever declaring a winner when the methods are equal) <= ALPHA."""

BET_CAP = 0.5
"""The largest fraction of capital staked on one vote; below 1 keeps every factor 1 + bet*(x - m) positive."""


GRID = np.linspace(0.0, 1.0, 1001)
"""Candidate means the interval is read on (0.1 point apart; 50% is on it)."""

Verdict = Literal["ltx", "interp", "undecided"]


@dataclass(frozen=True)
class SequencePoint:
    """The interval after `votes` preference votes: running estimate and anytime-valid bounds of P(LTX preferred)."""

    votes: int
    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class PreferenceVotes:
    """The LTX-vs-interpolation votes in order, scored 1 (LTX), 0 (interpolation), 1/2 (tie)."""

    scores: tuple[float, ...]
    both_bad: int
    """LTX-vs-interpolation votes calling both takes bad: no preference, left out."""


@dataclass(frozen=True)
class Decision:
    """What the confidence sequence says after every vote."""

    verdict: Verdict
    sequence: tuple[SequencePoint, ...]
    alpha: float
    both_bad: int
    decided_at: int | None = None
    """Votes when the interval first left 50% behind (None while undecided)."""
    contradicted_at: int | None = None
    """Votes when the running intersection emptied: the preference changed while voting (no verdict then)."""

    @property
    def votes(self) -> int:
        return self.sequence[-1].votes if self.sequence else 0

    @property
    def last(self) -> SequencePoint:
        return self.sequence[-1] if self.sequence else SequencePoint(0, 0.5, 0.0, 1.0)


def preference_votes(rows: list[dict]) -> PreferenceVotes:
    """The LTX-vs-interpolation votes of `rows` (store order: oldest first) as preference scores."""
    scores, both_bad = [], 0
    for row in rows:
        sides = {row["left_method"]: "left", row["right_method"]: "right"}
        if set(sides) != {"ltx", "interp"}:
            continue
        if row["choice"] == "both_bad":
            both_bad += 1
        elif row["choice"] == "tie":
            scores.append(0.5)
        else:
            scores.append(1.0 if row["choice"] == sides["ltx"] else 0.0)
    return PreferenceVotes(tuple(scores), both_bad)


def plug_in_bets(scores: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """The bet on each vote, from the votes before it only (the last axis is time).

    The predictable plug-in of Waudby-Smith & Ramdas: sqrt(2 log(2/alpha) /
    (variance estimate x t log(1 + t))), with the running mean and variance
    started at 1/2 and 1/4 as if one earlier vote had been seen, capped at
    BET_CAP. The t log t keeps the interval shrinking at every horizon rather
    than at one planned sample size.
    """
    t = np.arange(1, scores.shape[-1] + 1)
    means = (0.5 + np.cumsum(scores, axis=-1)) / (t + 1)
    mean_before = np.concatenate([np.full(scores.shape[:-1] + (1,), 0.5), means[..., :-1]], axis=-1)
    variances = (0.25 + np.cumsum((scores - mean_before) ** 2, axis=-1)) / (t + 1)
    variance_before = np.concatenate([np.full(scores.shape[:-1] + (1,), 0.25), variances[..., :-1]], axis=-1)
    return np.minimum(BET_CAP, np.sqrt(2 * np.log(2 / alpha) / (variance_before * t * np.log1p(t))))


def first_exclusions(scores: np.ndarray, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """For every row of `scores` (runs x votes): the vote count at which the interval first lay wholly above
    50% and wholly below 50% (0 where it never did). The simulation's and benchmark's fast path; the same
    rule as `confidence_sequence`."""
    bets = plug_in_bets(scores, alpha)
    threshold = np.log(2 / alpha)  # hedged: half the capital on each side
    for_ltx = np.cumsum(np.log1p(bets * (scores - 0.5)), axis=-1) >= threshold
    for_interp = np.cumsum(np.log1p(-bets * (scores - 0.5)), axis=-1) >= threshold
    return first_true(for_ltx), first_true(for_interp)


def first_true(hit: np.ndarray) -> np.ndarray:
    """Per run, the vote (counted from 1) at which `hit` first holds along the last axis; 0 where it never does."""
    return np.where(hit.any(axis=-1), hit.argmax(axis=-1) + 1, 0)


def verdicts(scores: np.ndarray, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Per run: +1 LTX, -1 interpolation, 0 undecided, and the votes to that verdict (0 when undecided)."""
    return earliest_verdicts(*first_exclusions(scores, alpha))


def earliest_verdicts(ltx_at: np.ndarray, interp_at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per run, from the vote at which each side was first shown better (0: never): +1 LTX, -1 interpolation,
    0 undecided, and the votes to that verdict; the earlier side wins a run where both were."""
    ltx_first = (ltx_at > 0) & ((interp_at == 0) | (ltx_at <= interp_at))
    interp_first = (interp_at > 0) & ~ltx_first
    return ltx_first.astype(int) - interp_first.astype(int), np.where(ltx_first, ltx_at, interp_at)


def confidence_sequence(votes: PreferenceVotes, alpha: float = ALPHA) -> Decision:
    """The interval after every vote (running intersection) and the verdict it gives."""
    scores = np.asarray(votes.scores, dtype=float)
    if scores.size == 0:
        return Decision("undecided", (), alpha, votes.both_bad)
    bets = plug_in_bets(scores, alpha)[:, None]
    centred = scores[:, None] - GRID[None, :]
    threshold = np.log(2 / alpha)
    # A grid mean stays in while neither gambler's capital against it has reached 2/alpha.
    rejected_low = np.cumsum(np.log1p(bets * centred), axis=0) >= threshold  # monotone: a prefix of the grid
    rejected_high = np.cumsum(np.log1p(-bets * centred), axis=0) >= threshold  # a suffix of the grid
    # Bounds on the grid, rounded outwards: the last rejected mean below, the first rejected mean above.
    low = np.where(rejected_low.any(axis=1), GRID[np.maximum(rejected_low.sum(axis=1) - 1, 0)], 0.0)
    high = np.where(rejected_high.any(axis=1), GRID[np.minimum(len(GRID) - rejected_high.sum(axis=1), len(GRID) - 1)], 1.0)
    low, high = np.maximum.accumulate(low), np.minimum.accumulate(high)
    ltx_at, interp_at = (int(x[0]) for x in first_exclusions(scores[None, :], alpha))
    estimates = np.cumsum(scores) / np.arange(1, scores.size + 1)
    empty = np.flatnonzero(low > high)
    contradicted_at = int(empty[0]) + 1 if empty.size else None
    if contradicted_at is not None:  # keep showing the last interval that held
        last_held = contradicted_at - 2
        low[contradicted_at - 1:] = low[last_held] if last_held >= 0 else 0.0
        high[contradicted_at - 1:] = high[last_held] if last_held >= 0 else 1.0
    sequence = tuple(SequencePoint(i + 1, float(estimates[i]), float(low[i]), float(high[i]))
                     for i in range(scores.size))
    if contradicted_at is not None:
        return Decision("undecided", sequence, alpha, votes.both_bad, contradicted_at=contradicted_at)
    if ltx_at:
        return Decision("ltx", sequence, alpha, votes.both_bad, decided_at=ltx_at)
    if interp_at:
        return Decision("interp", sequence, alpha, votes.both_bad, decided_at=interp_at)
    return Decision("undecided", sequence, alpha, votes.both_bad)


def confidence_level(alpha: float) -> str:
    """'95%', or '99.6%' for a stratum's Bonferroni share: never rounded up to a promise of 100%."""
    return f"{round(100 * (1 - alpha), 1):g}%"


def interval_text(decision: Decision) -> str:
    """'95% anytime-valid interval 56%-71% after 212 votes': the figures a reviewer reads."""
    point = decision.last
    return (f"{confidence_level(decision.alpha)} anytime-valid interval {point.low:.0%}-{point.high:.0%} "
            f"after {point.votes} votes")


__all__ = [
    "ALPHA",
    "BET_CAP",
    "Decision",
    "PreferenceVotes",
    "SequencePoint",
    "Verdict",
    "confidence_level",
    "confidence_sequence",
    "earliest_verdicts",
    "first_exclusions",
    "first_true",
    "interval_text",
    "plug_in_bets",
    "preference_votes",
    "verdicts",
]
