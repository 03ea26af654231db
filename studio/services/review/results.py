"""What the votes say: win rates with intervals, Bradley-Terry strengths, agreement, the recommendation.

The recommendation and the per-stratum overrides come from the anytime-valid
confidence sequence in `studio.services.review.stopping`: votes may be read after
every vote without inflating the error rate.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from dataclasses import dataclass, field
from typing import Literal

from studio.domain import AGE_BUCKETS, SEGMENTS, CameraMovement
from studio.services.review.stopping import (
    ALPHA,
    Decision,
    SequencePoint,
    confidence_level,
    confidence_sequence,
    interval_text,
    preference_votes,
)

Stratum = Literal["camera_movement", "segment", "age_bucket"]
STRATA: tuple[Stratum, ...] = ("segment", "age_bucket", "camera_movement")

STRATUM_COUNT = len(SEGMENTS) + len(AGE_BUCKETS) + len(CameraMovement)
"""Every stratum value there can be (12): each is tested at ALPHA / STRATUM_COUNT (Bonferroni), so the chance
that any stratum ever proposes a wrong override stays within ALPHA. A fixed count, not the strata seen so far,
so the budget does not change as votes reach new strata."""
STRATUM_ALPHA = ALPHA / STRATUM_COUNT


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
    """Bradley-Terry strength (log scale, mean 0) with its 95% interval."""

    label: str
    strength: float
    low: float
    high: float


@dataclass(frozen=True)
class ProposedOverride:
    """A stratum whose votes prefer the other method by the same valid rule: a hybrid override to apply."""

    stratum: Stratum
    value: str
    method: Literal["ltx", "interp"]
    evidence: str
    """The figures behind it, for the page and DECISION.md."""


@dataclass(frozen=True)
class Results:
    votes: int
    people: int
    """How many reviewers cast those votes (names as the store keeps them, one per person)."""
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
    sequence: list[SequencePoint] = field(default_factory=list)
    """P(LTX preferred) after every LTX-vs-interpolation vote: estimate and anytime-valid interval, for the plot."""
    alike_left_out: int = 0
    """Votes on pairs whose two clips show the same pictures: left out of every figure."""


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


# A weak prior on each setting's log strength (normal, sd 2: within about 4 of the average, 98% against 2%, before
# any vote): it keeps strengths finite when one side never lost, and it is what the interval starts from.
BT_PRIOR_SD = 2.0


def bradley_terry(rows: list[dict], key: str = "variant") -> list[Strength]:
    """Bradley-Terry strengths of every `key` (ties count as one win each way): the estimate under a weak prior
    (BT_PRIOR_SD) with a 95% interval from the curvature there (the Laplace approximation).

    Not a bootstrap: resampling a few votes that all agree draws the same votes every time, which gave a
    zero-width interval after one vote. This interval is wide after one vote and narrows as votes come in."""
    import choix
    import numpy as np
    from choix.opt import PairwiseFcts

    games = [r for r in rows if r["choice"] in ("left", "right", "tie") and r[f"left_{key}"] != r[f"right_{key}"]]
    labels = sorted({r[f"left_{key}"] for r in games} | {r[f"right_{key}"] for r in games})
    if len(labels) < 2:
        return []
    index = {label: i for i, label in enumerate(labels)}
    wins = []
    for r in games:
        left, right = index[r[f"left_{key}"]], index[r[f"right_{key}"]]
        if r["choice"] in ("left", "tie"):
            wins.append((left, right))
        if r["choice"] in ("right", "tie"):
            wins.append((right, left))
    # choix penalises alpha * |strengths|^2: a normal prior of variance 1 / (2 alpha).
    alpha = 1 / (2 * BT_PRIOR_SD**2)
    estimate = choix.opt_pairwise(len(labels), wins, alpha=alpha)
    covariance = np.linalg.inv(PairwiseFcts(wins, alpha).hessian(estimate))
    centre = np.eye(len(labels)) - 1 / len(labels)  # strengths are read against their mean
    spread = 1.96 * np.sqrt(np.diag(centre @ covariance @ centre))
    return sorted(
        (Strength(label, float(estimate[i]), float(estimate[i] - spread[i]), float(estimate[i] + spread[i]))
         for label, i in index.items()),
        key=lambda s: -s.strength,
    )


METHOD_NAMES = {True: "LTX", False: "interpolation"}
VERDICT_USE_LTX = {"ltx": True, "interp": False, "undecided": None}


def decision_reason(decision: Decision) -> str:
    """What the confidence sequence says, in a reviewer's words."""
    if decision.votes == 0:
        reason = "no LTX-vs-interpolation votes yet"
    elif decision.contradicted_at is not None:
        reason = (f"no verdict: the preference changed while voting (the {confidence_level(decision.alpha)} anytime-valid "
                  f"interval emptied at vote {decision.contradicted_at}); compare fresh takes to decide again")
    elif decision.verdict == "ltx":
        reason = f"LTX preferred: {interval_text(decision)}"
    elif decision.verdict == "interp":
        reason = f"interpolation preferred: LTX's {interval_text(decision)}"
    else:
        reason = (f"too close to call yet: LTX preferred in {decision.last.estimate:.0%} of votes, "
                  f"{interval_text(decision)} (a verdict once it excludes 50%)")
    if decision.both_bad:
        reason += f"; {decision.both_bad} 'both bad' vote(s) left out (they prefer neither method)"
    return reason


def proposed_overrides(rows: list[dict], baseline_use_ltx: bool | None) -> list[ProposedOverride]:
    """Strata whose own votes, by the same rule at STRATUM_ALPHA, prefer the method `baseline_use_ltx` does not.

    The baseline is the overall recommendation, or the current default while there is none: an override is
    a deviation from what the pipeline would render. No baseline, no overrides.
    """
    if baseline_use_ltx is None:
        return []
    overrides = []
    for stratum in STRATA:
        for value in sorted({str(r[stratum]) for r in rows if r.get(stratum)}):
            decision = confidence_sequence(preference_votes([r for r in rows if str(r.get(stratum)) == value]),
                                           STRATUM_ALPHA)
            prefers = VERDICT_USE_LTX[decision.verdict]
            if prefers is None or prefers == baseline_use_ltx:
                continue
            overrides.append(ProposedOverride(
                stratum=stratum, value=value, method="ltx" if prefers else "interp",
                evidence=(f"{METHOD_NAMES[prefers]} preferred here: LTX's {interval_text(decision)} "
                          f"(Bonferroni: {ALPHA:.0%} shared by {STRATUM_COUNT} strata), "
                          f"against {METHOD_NAMES[baseline_use_ltx]} overall"),
            ))
    return overrides


def summarize(rows: list[dict], *, default_use_ltx: bool | None = None) -> Results:
    """Everything the Results tab shows; `default_use_ltx` (the current switch) is the baseline for
    overrides while the votes recommend nothing."""
    decisive = [r for r in rows if r["choice"] in ("left", "right")]
    decision = confidence_sequence(preference_votes(rows))
    recommendation = VERDICT_USE_LTX[decision.verdict]
    per_group = {group: {value: _win_rates([r for r in rows if r.get(group) == value], "method")
                         for value in sorted({r[group] for r in rows if r.get(group)})}
                 for group in STRATA}
    overrides = proposed_overrides(rows, recommendation if recommendation is not None else default_use_ltx)
    return Results(
        ranking=bradley_terry(rows) if rows else [],
        agreement=reviewer_agreement(rows),
        per_group=per_group,
        suggestions=[f"{o.stratum.replace('_', ' ')} {o.value}: {o.evidence}" for o in overrides],
        proposed_overrides=overrides,
        sequence=list(decision.sequence),
        votes=len(rows),
        people=len({r["reviewer"] for r in rows}),
        both_bad=sum(1 for r in rows if r["choice"] == "both_bad"),
        by_method=_win_rates(rows, "method"),
        by_variant=_win_rates(rows, "variant"),
        left_share=(sum(1 for r in decisive if r["choice"] == "left") / len(decisive)) if decisive else None,
        recommendation=recommendation,
        reason=decision_reason(decision),
    )


VOTE_COLUMNS = ["created_at", "reviewer", "title_id", "shot_id", "choice", "reasons", "comment",
                "left_take", "left_method", "left_variant", "right_take", "right_method", "right_variant"]


def votes_csv(rows: list[dict]) -> str:
    """The store's vote rows as CSV, one line per vote, in VOTE_COLUMNS."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=VOTE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
