"""What the votes say: win rates with intervals, Bradley-Terry strengths, agreement, the recommendation."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Literal


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
class Strength:
    """Bradley-Terry strength (log scale, mean 0) with a bootstrap 95% interval."""

    label: str
    strength: float
    low: float
    high: float


@dataclass(frozen=True)
class ProposedOverride:
    """A stratum whose votes prefer the other method by the same valid rule: a hybrid override to apply."""

    stratum: Literal["camera_movement", "segment", "age_bucket"]
    value: str
    method: Literal["ltx", "interp"]
    evidence: str
    """The figures behind it, for the page and DECISION.md."""


@dataclass(frozen=True)
class Results:
    votes: int
    both_bad: int
    by_method: list[WinRate]
    by_variant: list[WinRate]
    left_share: float | None  # share of decisive votes for the left side (0.5 = no position bias)
    recommendation: bool | None  # use_ltx, or None while the votes do not decide it
    reason: str
    ranking: list[Strength] = field(default_factory=list)
    agreement: float | None = None  # share of reviewer pairs that agree on the same comparison
    per_group: dict[str, dict[str, list[WinRate]]] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)
    proposed_overrides: list[ProposedOverride] = field(default_factory=list)


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


def _outcome(row: dict) -> str:
    """What a vote says independent of which side each take was shown on."""
    if row["choice"] == "left":
        return row["left_take"]
    if row["choice"] == "right":
        return row["right_take"]
    return row["choice"]


def reviewer_agreement(rows: list[dict]) -> float | None:
    """Share of pairs of reviewers who judged the same two takes the same way."""
    by_comparison: dict[frozenset[str], list[str]] = {}
    for row in rows:
        by_comparison.setdefault(frozenset((row["left_take"], row["right_take"])), []).append(_outcome(row))
    agree = total = 0
    for outcomes in by_comparison.values():
        for a, b in itertools.combinations(outcomes, 2):
            total += 1
            agree += a == b
    return agree / total if total else None


def bradley_terry(rows: list[dict], key: str = "variant", *, resamples: int = 200, seed: int = 0) -> list[Strength]:
    """Bradley-Terry strengths of every `key` (ties count as one win each way), with
    95% intervals from resampling the votes."""
    import choix
    import numpy as np

    games = [r for r in rows if r["choice"] in ("left", "right", "tie") and r[f"left_{key}"] != r[f"right_{key}"]]
    labels = sorted({r[f"left_{key}"] for r in games} | {r[f"right_{key}"] for r in games})
    if len(labels) < 2:
        return []
    index = {label: i for i, label in enumerate(labels)}

    def pairs(sample: list[dict]) -> list[tuple[int, int]]:
        out = []
        for r in sample:
            left, right = index[r[f"left_{key}"]], index[r[f"right_{key}"]]
            if r["choice"] in ("left", "tie"):
                out.append((left, right))
            if r["choice"] in ("right", "tie"):
                out.append((right, left))
        return out

    def fit(sample: list[dict]) -> np.ndarray:
        # A little regularisation keeps strengths finite when one side never lost.
        return choix.ilsr_pairwise(len(labels), pairs(sample), alpha=0.01)

    estimate = fit(games)
    rng = np.random.default_rng(seed)
    draws = np.array([fit([games[i] for i in rng.integers(0, len(games), len(games))]) for _ in range(resamples)])
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    return sorted(
        (Strength(label, float(estimate[i]), float(low[i]), float(high[i])) for label, i in index.items()),
        key=lambda s: -s.strength,
    )


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
    per_group: dict[str, dict[str, list[WinRate]]] = {}
    suggestions = []
    for group in ("segment", "age_bucket", "camera_movement"):
        values = sorted({r[group] for r in rows if r.get(group)})
        per_group[group] = {value: _win_rates([r for r in rows if r.get(group) == value], "method") for value in values}
        for value, rates in per_group[group].items():
            group_ltx = next((w for w in rates if w.label == "ltx"), None)
            if group_ltx is None or group_ltx.comparisons < MIN_DECISIVE_VOTES // 3:
                continue
            prefers = True if group_ltx.low > 0.5 else False if group_ltx.high < 0.5 else None
            if prefers is not None and prefers != recommendation:
                suggestions.append(
                    f"{group} {value}: {'LTX' if prefers else 'interpolation'} wins here "
                    f"(LTX {group_ltx.rate:.0%}, 95% CI {group_ltx.low:.0%}-{group_ltx.high:.0%}, {group_ltx.comparisons} votes)"
                )
    return Results(
        ranking=bradley_terry(rows) if rows else [],
        agreement=reviewer_agreement(rows),
        per_group=per_group,
        suggestions=suggestions,
        votes=len(rows),
        both_bad=sum(1 for r in rows if r["choice"] == "both_bad"),
        by_method=by_method,
        by_variant=_win_rates(rows, "variant"),
        left_share=(sum(1 for r in decisive if r["choice"] == "left") / len(decisive)) if decisive else None,
        recommendation=recommendation,
        reason=reason,
    )
