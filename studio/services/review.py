"""Blind side-by-side review: dealing pairs, taking votes, and what the votes say."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field

from studio.store import Pair, StoreError, Take, VoteStore

# A method becomes the recommended default only when this many decisive
# LTX-vs-interpolation votes exist AND the 95% interval of its win rate lies
# wholly on one side of 50%. With 30 votes the interval is about +/-17 points,
# so only a clear preference (roughly 2 in 3 votes) can pass; fewer votes
# would let a few reviewers' taste flip the whole pipeline.
MIN_DECISIVE_VOTES = 30


def wilson_interval(wins: float, total: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion (ties counted as half a win)."""
    if total == 0:
        return (0.0, 1.0)
    p = wins / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class WinRate:
    label: str
    wins: float
    comparisons: int
    low: float
    high: float

    @property
    def rate(self) -> float:
        return self.wins / self.comparisons if self.comparisons else 0.0


@dataclass(frozen=True)
class Results:
    votes: int
    both_bad: int
    by_method: list[WinRate]
    by_variant: list[WinRate]
    left_share: float | None  # share of decisive votes for the left side (0.5 = no position bias)
    recommendation: bool | None  # use_ltx, or None while the votes do not decide it
    reason: str
    per_group: dict[str, list[WinRate]] = field(default_factory=dict)


def _win_rates(rows: list[dict], key: str) -> list[WinRate]:
    wins: dict[str, float] = {}
    totals: dict[str, int] = {}
    for row in rows:
        left, right = row[f"left_{key}"], row[f"right_{key}"]
        if left == right or row["choice"] == "both_bad":
            continue
        for side, label in (("left", left), ("right", right)):
            totals[label] = totals.get(label, 0) + 1
            wins[label] = wins.get(label, 0.0) + (1.0 if row["choice"] == side else 0.5 if row["choice"] == "tie" else 0.0)
    return [
        WinRate(label, wins[label], totals[label], *wilson_interval(wins[label], totals[label]))
        for label in sorted(totals)
    ]


def summarize(rows: list[dict]) -> Results:
    decisive = [r for r in rows if r["choice"] in ("left", "right")]
    by_method = _win_rates(rows, "method")
    ltx = next((w for w in by_method if w.label == "ltx"), None)
    if ltx is None or ltx.comparisons == 0:
        recommendation, reason = None, (
            f"no LTX-vs-interpolation votes yet; {MIN_DECISIVE_VOTES} are needed before the default can be set"
        )
    elif ltx.comparisons < MIN_DECISIVE_VOTES:
        recommendation, reason = None, f"{ltx.comparisons} of {MIN_DECISIVE_VOTES} LTX-vs-interpolation votes so far"
    elif ltx.low > 0.5:
        recommendation, reason = True, f"LTX wins {ltx.rate:.0%} (95% CI {ltx.low:.0%}-{ltx.high:.0%}) of {ltx.comparisons} votes"
    elif ltx.high < 0.5:
        recommendation, reason = False, f"interpolation wins {1 - ltx.rate:.0%} (LTX 95% CI {ltx.low:.0%}-{ltx.high:.0%}) of {ltx.comparisons} votes"
    else:
        recommendation, reason = None, f"too close to call: LTX wins {ltx.rate:.0%} (95% CI {ltx.low:.0%}-{ltx.high:.0%})"
    return Results(
        votes=len(rows),
        both_bad=sum(1 for r in rows if r["choice"] == "both_bad"),
        by_method=by_method,
        by_variant=_win_rates(rows, "variant"),
        left_share=(sum(1 for r in decisive if r["choice"] == "left") / len(decisive)) if decisive else None,
        recommendation=recommendation,
        reason=reason,
    )


def deal_pair(store: VoteStore, reviewer: str, rng: random.Random | None = None) -> tuple[Pair, Take, Take]:
    """The next pair for `reviewer`: two takes of one shot whose comparison has the fewest
    votes and that this reviewer has not judged; sides shuffled."""
    rng = rng or random.Random()
    counts = store.comparisons_per_take_pair()
    judged = {frozenset((r["left_take"], r["right_take"])) for r in store.vote_rows() if r["reviewer"] == reviewer}
    by_shot: dict[tuple[str, str], list[Take]] = {}
    for take in store.takes():
        by_shot.setdefault((take.title_id, take.shot_id), []).append(take)
    candidates = [
        (a, b) for takes in by_shot.values() for a, b in itertools.combinations(takes, 2)
        if frozenset((a.id, b.id)) not in judged
    ]
    if not candidates:
        raise StoreError("nothing left to compare: render a second take of a shot (another method or setting)")
    fewest = min(counts.get(frozenset((a.id, b.id)), 0) for a, b in candidates)
    left, right = rng.choice([pair for pair in candidates if counts.get(frozenset((pair[0].id, pair[1].id)), 0) == fewest])
    if rng.random() < 0.5:
        left, right = right, left
    return store.create_pair(left.title_id, left.shot_id, left.id, right.id, reviewer), left, right
