"""The stopping rule against the one it replaced, on simulated reviews:
`python -m studio.bench decision [--preference 0.65] [--runs 2000] [--max-votes 300]`.

Each run is one review checked after every vote up to --max-votes. Two worlds:
equal methods (how often a rule declares a winner anyway: its false-positive
rate) and a true --preference for LTX (how often it finds it: its power, and
after how many votes). Each world is simulated twice: independent votes, and
clustered votes (shots that suit one method more than the other, reviewers
with their own taste, shots dealt in balanced rounds as the pair dealer does,
each reviewer voting --session pairs in a row). Vectorised with numpy; the
same simulation backs tests/test_stopping.py.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np

from studio.bench.common import table
from studio.services.review.stopping import earliest_verdicts, first_true, verdicts

TIE_SHARE = 0.1
"""Share of tied votes in the independent worlds (a tie scores 1/2)."""

OLD_RULE_MIN_VOTES = 30
"""The replaced rule waited for this many decisive votes before reading the Wilson interval."""


def wilson_after_minimum_votes(scores: np.ndarray, minimum: int = OLD_RULE_MIN_VOTES,
                               z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """The replaced rule, re-checked after every vote: a verdict once `minimum` votes exist and the 95%
    Wilson interval excludes 50%. Same output as `verdicts`. Valid for one look at a fixed sample size,
    not for a look after every vote."""
    t = np.arange(1, scores.shape[-1] + 1)
    share = np.cumsum(scores, axis=-1) / t
    centre = (share + z * z / (2 * t)) / (1 + z * z / t)
    half = z * np.sqrt(share * (1 - share) / t + z * z / (4 * t * t)) / (1 + z * z / t)
    enough = t >= minimum
    return earliest_verdicts(first_true(enough & (centre - half > 0.5)), first_true(enough & (centre + half < 0.5)))


@dataclass(frozen=True)
class Clustering:
    """Latent preferences: per shot and per reviewer offsets on the log-odds scale, symmetric about 0."""

    shots: int = 24
    reviewers: int = 12
    shot_spread: float = 1.0
    """Shot offsets run evenly from -spread to +spread: the keenest shot prefers LTX 73% of the time, the least 27%."""
    reviewer_spread: float = 0.6
    session: int = 5
    """Consecutive votes one reviewer casts before the next reviewer (the one a taste can move)."""


@dataclass(frozen=True)
class RuleFigures:
    """One rule in one world pair: error rate with equal methods, power and votes to a verdict at the preference."""

    rule: str
    scenario: str
    false_positive_rate: float
    power: float
    median_votes: float | None
    p90_votes: float | None
    """None where fewer than 90% of runs reached a verdict within the votes simulated."""


def independent_scores(preference: float, runs: int, votes: int, rng: np.random.Generator,
                       tie_share: float = 0.0) -> np.ndarray:
    """runs x votes scores: a tie (1/2) with `tie_share`, else 1 with `preference` among the decisive votes."""
    draw = rng.random((runs, votes))
    decisive = (draw < tie_share + (1 - tie_share) * preference).astype(float)
    return np.where(draw < tie_share, 0.5, decisive)


def _cell_preferences(clustering: Clustering, shift: float) -> np.ndarray:
    shot = np.linspace(-clustering.shot_spread, clustering.shot_spread, clustering.shots)
    reviewer = np.linspace(-clustering.reviewer_spread, clustering.reviewer_spread, clustering.reviewers)
    return 1 / (1 + np.exp(-(shot[:, None] + reviewer[None, :] + shift)))


def _shift_for(preference: float, clustering: Clustering) -> float:
    """The common log-odds shift that makes the average (shot, reviewer) preference equal `preference`."""
    from scipy.optimize import brentq

    return brentq(lambda shift: _cell_preferences(clustering, shift).mean() - preference, -10, 10)


def clustered_scores(preference: float, runs: int, votes: int, rng: np.random.Generator,
                     clustering: Clustering = Clustering()) -> np.ndarray:
    """runs x votes scores whose mean over every (shot, reviewer) cell is `preference`, dealt in clusters."""
    cells = _cell_preferences(clustering, _shift_for(preference, clustering))
    rounds = -(-votes // clustering.shots)
    # The dealer gives every shot a vote before any shot gets a second: a fresh order each round.
    shots = np.argsort(rng.random((runs, rounds, clustering.shots)), axis=2).reshape(runs, -1)[:, :votes]
    sessions = -(-votes // clustering.session)
    reviewers = np.repeat(rng.integers(0, clustering.reviewers, (runs, sessions)), clustering.session,
                          axis=1)[:, :votes]
    return (rng.random((runs, votes)) < cells[shots, reviewers]).astype(float)


def rule_figures(rule: str, scenario: str, equal: np.ndarray, preferred: np.ndarray) -> RuleFigures:
    """Measure `rule` ('new' or 'old') on the equal-methods and the preference scores."""
    decide = verdicts if rule == "new" else wilson_after_minimum_votes
    false_verdicts, _ = decide(equal)
    found, at = decide(preferred)
    to_verdict = np.where(found == 1, at, np.inf)  # a run that never found LTX counts as beyond the horizon
    median, p90 = (float(v) for v in np.percentile(to_verdict, [50, 90]))
    return RuleFigures(rule, scenario, float((false_verdicts != 0).mean()), float((found == 1).mean()),
                       median if np.isfinite(median) else None, p90 if np.isfinite(p90) else None)


def decision(args: argparse.Namespace) -> dict:
    if not 0 < args.preference < 1:
        raise SystemExit(f"--preference is P(LTX preferred), between 0 and 1 exclusive, not {args.preference}")
    if min(args.runs, args.max_votes, args.session) < 1:
        raise SystemExit("--runs, --max-votes and --session must be at least 1")
    rng = np.random.default_rng(args.seed)
    clustering = Clustering(session=args.session)
    worlds = {
        "independent": (independent_scores(0.5, args.runs, args.max_votes, rng, TIE_SHARE),
                        independent_scores(args.preference, args.runs, args.max_votes, rng)),
        f"clustered (sessions of {args.session})": (
            clustered_scores(0.5, args.runs, args.max_votes, rng, clustering),
            clustered_scores(args.preference, args.runs, args.max_votes, rng, clustering)),
    }
    figures = [rule_figures(rule, scenario, *scores) for scenario, scores in worlds.items() for rule in ("old", "new")]
    print(f"{args.runs} simulated reviews per world, checked after every vote up to {args.max_votes}; "
          f"LTX preferred {args.preference:.0%} in the preference world (seed {args.seed})")
    print(table(["rule", "votes", "false-positive rate (equal)", f"power at {args.preference:.0%}",
                 "median votes to decision", "90th-percentile votes"],
                [[f.rule, f.scenario, f"{f.false_positive_rate:.1%}", f"{f.power:.1%}",
                  "-" if f.median_votes is None else f"{f.median_votes:g}",
                  f"> {args.max_votes}" if f.p90_votes is None else f"{f.p90_votes:g}"] for f in figures]))
    print("old: 95% Wilson interval excludes 50% after at least 30 votes; "
          "new: 95% anytime-valid betting confidence sequence (studio/services/review/stopping.py)")
    return {"decision": [f.__dict__ for f in figures]}


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("decision", help="the stopping rule vs the old one: false positives, power, votes")
    parser.add_argument("--preference", type=float, default=0.65, help="true P(LTX preferred) (default 0.65)")
    parser.add_argument("--runs", type=int, default=2000, help="simulated reviews per world (default 2000)")
    parser.add_argument("--max-votes", type=int, default=300, help="votes per review, checked after each (default 300)")
    parser.add_argument("--session", type=int, default=5, help="consecutive votes per reviewer when clustered (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(handler=decision)


__all__ = ["Clustering", "RuleFigures", "add_parser", "clustered_scores", "decision", "independent_scores",
           "rule_figures"]
