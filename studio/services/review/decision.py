"""The decision: the default method and its per-stratum overrides, checked against the votes, written to
config/pipeline.yaml and recorded, dated and with its evidence, on top of DECISION.md."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from studio.config import STRATA, MethodOverrides, Override, Switches, describe_validation_error
from studio.errors import DecisionError
from studio.files import write_atomically
from studio.services.access import Caller
from studio.services.review.method_figures import FIGURES_NOTE, MethodFigure, figures_table
from studio.services.review.results import ProposedOverride, Results, WinRate
from studio.workspace import CONFIG_FILE, Workspace

DECISION_FILE = "DECISION.md"
DECISION_TITLE = "# Default generation method"
DECISION_INTRO = f"{DECISION_TITLE}\n\nEvery decision, newest first; earlier ones are kept below.\n"
PRECEDENCE = " over ".join(STRATA)


def parse_overrides(value: object) -> MethodOverrides:
    """Overrides from the YAML/JSON shape {stratum: {value: method}}; a bad one is refused naming its key."""
    if isinstance(value, MethodOverrides):
        return value
    if not isinstance(value, Mapping):
        raise DecisionError(
            f"overrides must be a mapping like {{\"camera_movement\": {{\"static\": \"interp\"}}}}, not {value!r}")
    try:
        return MethodOverrides.model_validate(dict(value))
    except ValidationError as error:
        raise DecisionError(describe_validation_error("overrides", error, prefix=("switches", "overrides"),
                                                        schema=MethodOverrides)) from None


def proposed_for(results: Results, use_ltx: bool) -> dict[str, dict[str, str]]:
    """The votes' proposed overrides (YAML shape) to apply with the default `use_ltx`: an override naming the
    default itself would change no shot, so it is left out."""
    default = "ltx" if use_ltx else "interp"
    mapping: dict[str, dict[str, str]] = {}
    for proposal in results.proposed_overrides:
        if proposal.method != default:
            mapping.setdefault(proposal.stratum, {})[proposal.value] = proposal.method
    return mapping


def apply_decision(workspace: Workspace, current: Switches, results: Callable[[], Results], use_ltx: bool,
                   overrides: object = None, *, force: bool, by: Caller,
                   figures: Callable[[], list[MethodFigure]] | None = None) -> Path:
    """Write the switches (use_ltx, and overrides unless None: None keeps those in effect) and record the decision.

    Only what changes needs the votes: a new default must be their recommendation, and each override added or
    changed must be one they propose (Results.proposed_overrides), unless `force`; removing an override needs
    nothing (its shots fall back to the default). The state already in effect changes and records nothing.
    """
    if not isinstance(use_ltx, bool) or not isinstance(force, bool):
        raise DecisionError(f"use_ltx and force must be true or false (JSON booleans), not {use_ltx!r} and {force!r}")
    wanted = Switches(use_ltx=use_ltx, overrides=current.overrides if overrides is None else parse_overrides(overrides))
    path = workspace.inside(DECISION_FILE)
    if wanted == current:
        return path
    votes = results()
    proposed = {(p.stratum, p.value): p for p in votes.proposed_overrides}
    problems = []
    if use_ltx != current.use_ltx and votes.recommendation != use_ltx:
        problems.append(f"the votes do not support use_ltx: {str(use_ltx).lower()} yet ({votes.reason})")
    in_effect = set(current.overrides.listed())
    unproposed = [o for o in wanted.overrides.listed() if o not in in_effect and not _proposes(proposed, o)]
    if unproposed:
        problems.append("the votes do not propose " + ", ".join(
            f"{o.key}: {o.method}" + (f" (they propose {p.method})" if (p := proposed.get((o.stratum, o.value))) else "")
            for o in unproposed))
    if problems and not force:
        raise DecisionError(
            "; ".join(problems) + "; collect more votes, or tick \"Override the votes\" (force=true in the API) "
            "to apply it anyway; DECISION.md will say it was forced"
        )
    workspace.write_switches(wanted)
    entry = decision_entry(votes, wanted, forced=bool(problems), by=by,
                           evidence={o: _evidence(o, proposed, in_effect) for o in wanted.overrides.listed()},
                           figures=figures() if figures else None)
    write_atomically(path, with_decision(path.read_text(encoding="utf-8") if path.is_file() else "", entry).encode())
    return path


def _proposes(proposed: dict[tuple[str, str], ProposedOverride], override: Override) -> bool:
    match = proposed.get((override.stratum, override.value))
    return match is not None and match.method == override.method


def _evidence(override: Override, proposed: dict[tuple[str, str], ProposedOverride], in_effect: set[Override]) -> str:
    """What DECISION.md says is behind one override: the votes' figures, or why there are none."""
    if _proposes(proposed, override):
        return proposed[(override.stratum, override.value)].evidence
    if override in in_effect:
        return "kept from an earlier decision; the votes do not propose it now"
    return "forced: the votes do not propose it"


def _win_rate_lines(kind: str, rates: list[WinRate], votes: int) -> list[str]:
    """A Markdown table of win rates, or one sentence saying why there is none (an empty table says nothing)."""
    if not rates:
        return [f"No {kind} win rates: none of the {votes} vote(s) compared two {kind}s "
                "('both bad' votes do not count)."]
    return [f"| {kind} | win rate | 95% interval | comparisons |", "|---|---|---|---|",
            *[f"| {w.label} | {w.rate:.0%} | {w.low:.0%}-{w.high:.0%} | {w.comparisons} |" for w in rates]]


def decision_entry(results: Results, switches: Switches, *, forced: bool, by: Caller,
                   evidence: dict[Override, str], figures: list[MethodFigure] | None = None) -> str:
    """One dated section of DECISION.md: the switches, who applied them, each override's evidence, the figures
    behind them (the votes, and with `figures` each method's speed, consistency and reproducibility)."""
    listed = switches.overrides.listed()
    heading = f"`switches.use_ltx: {str(switches.use_ltx).lower()}`" + (f", {len(listed)} override(s)" if listed else "")
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC: {heading}", "",
        f"Applied by {by.name or 'an operator'}" + (", forced against the votes' recommendation." if forced else "."), "",
        f"Votes: {results.votes} ({results.both_bad} 'both bad'). Recommendation at the time: "
        f"{'none' if results.recommendation is None else 'use_ltx ' + str(results.recommendation).lower()} ({results.reason}).", "",
    ]
    if listed:
        lines += [f"Overrides in {CONFIG_FILE} (switches.overrides; {PRECEDENCE} where a shot matches several):",
                  *[f"- `{o.key}: {o.method}`: {evidence[o]}" for o in listed], ""]
    else:
        lines += ["Overrides: none; every shot renders with the default.", ""]
    if results.votes:
        lines += [*_win_rate_lines("method", results.by_method, results.votes), "",
                  *_win_rate_lines("variant", results.by_variant, results.votes)]
    else:
        lines += ["No votes yet: win rates per method and variant appear here once reviewers compare takes "
                  "(the Compare & vote tab)."]
    if results.left_share is not None:
        lines += ["", f"Position bias: {results.left_share:.0%} of decisive votes went to the left player."]
    if figures:
        lines += ["", "Quality (the votes), speed, consistency and reproducibility per method:", "",
                  *figures_table(figures, results.by_method), "", FIGURES_NOTE]
    return "\n".join(lines) + "\n"


def with_decision(existing: str, entry: str) -> str:
    """DECISION.md with `entry` on top and every earlier entry kept (a file from before the history counts as one)."""
    if existing.startswith(DECISION_INTRO):
        earlier = existing[len(DECISION_INTRO):].strip("\n")
    else:
        earlier = existing.replace(DECISION_TITLE, "## An earlier decision", 1).strip("\n")
    return f"{DECISION_INTRO}\n{entry}" + (f"\n{earlier}\n" if earlier else "")
