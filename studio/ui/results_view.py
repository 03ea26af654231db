"""What the Results tab shows: the decision card, the tables, the ranking chart and the preference chart (no gradio here)."""

from __future__ import annotations

import textwrap

from studio.config import Switches
from studio.services.review import PRECEDENCE, STRATUM_COUNT, Results, WinRate

OVERRIDE = "Override the votes"
WITH_PROPOSED = "With the proposed overrides"
SETTING = {True: "LTX-Video", False: "interpolation"}


def signed(value: float) -> str:
    """+0.42 / -0.42 / 0.00: never '-0.00'."""
    rounded = round(value, 2)
    return "0.00" if rounded == 0 else f"{rounded:+.2f}"


def count(value: float) -> str:
    return f"{value:g}"


def rate_cell(w: WinRate) -> str:
    """'62% (5 of 8)': the share and the votes behind it (a tie counts as half a win)."""
    return f"{w.rate:.0%} ({count(w.wins)} of {w.comparisons})"


def decision_card(results: Results, use_ltx: bool) -> str:
    """The current default, what the votes say, and what each Apply button would do."""
    says = ("No recommendation yet" if results.recommendation is None
            else f"default to {SETTING[results.recommendation]} (use_ltx: {str(results.recommendation).lower()})")

    def would(value: bool) -> str:
        if value == use_ltx:
            return f"nothing changes, {SETTING[value]} is already the default"
        if results.recommendation == value:
            return f"switches the default to {SETTING[value]}, as the votes recommend"
        return f"switches the default to {SETTING[value]} only with **{OVERRIDE}** ticked (the votes do not recommend it)"

    return "\n".join([
        "### Decision",
        f"- **Now:** the default method is **{SETTING[use_ltx]}** (switches.use_ltx: {str(use_ltx).lower()} in config/pipeline.yaml)",
        f"- **The votes say:** {says}: {results.reason}",
        f"- **Apply: default to LTX-Video**: {would(True)}",
        f"- **Apply: default to interpolation**: {would(False)}",
    ])


def overrides_card(results: Results, switches: Switches) -> str:
    """The hybrid part of the decision: the overrides in effect, the ones the votes propose, what Apply does."""
    now = ", ".join(f"`{o.key}: {o.method}`" for o in switches.overrides.listed()) or "none (every shot uses the default)"
    proposed = [f"  - `{p.stratum}.{p.value}: {p.method}`: {p.evidence}" for p in results.proposed_overrides]
    return "\n".join([
        f"- **Overrides now** ({PRECEDENCE} where a shot matches several): {now}",
        "- **The votes propose:** " + ("" if proposed else "no overrides yet"), *proposed,
        f"- **{WITH_PROPOSED}** ticked, each Apply button also writes the proposed overrides that differ from the "
        "default it sets; unticked, it clears the overrides",
    ])


def _table(rates: list[WinRate]) -> list[str]:
    return ["| | win rate (wins of comparisons) | 95% interval |", "|---|---|---|",
            *[f"| {w.label} | {rate_cell(w)} | {w.low:.0%}–{w.high:.0%} |" for w in rates]]


def results_markdown(results: Results, figures: list[dict]) -> str:
    """The figures under the card; tables appear once they have something to compare."""
    bias = "" if results.left_share is None else f" Left side chosen in {results.left_share:.0%} of decisive votes (50% = no position bias)."
    parts = [
        f"{results.votes} vote{'' if results.votes == 1 else 's'} from {results.people} "
        f"{'person' if results.people == 1 else 'people'}, "
        f"{results.both_bad} 'both bad'.{bias}"
        + (f" {results.alike_left_out} vote(s) on pairs of takes that show the same pictures are left out: "
           "a preference between equal clips says nothing." if results.alike_left_out else ""),
        "\nA recommendation needs the 95% anytime-valid interval of LTX's preference (ties count half, 'both bad' "
        "not at all) to exclude 50%. It stays valid however often the results are looked at, so reading them after "
        "every vote cannot talk the pipeline into a method that is no better.",
    ]
    if len(results.by_method) >= 2:
        parts += ["\n#### By method", *_table(results.by_method)]
    else:
        parts += ["\n*By method: appears once takes of two methods (LTX and interpolation) have been compared.*"]
    if len(results.by_variant) >= 2:
        parts += ["\n#### By method and settings", *_table(results.by_variant)]
    if results.ranking:
        parts += ["\n#### Bradley-Terry ranking (log strength, 95% interval)", "| | strength | interval |",
                  "|---|---|---|", *[f"| {r.label} | {signed(r.strength)} | {signed(r.low)} to {signed(r.high)} |"
                                     for r in results.ranking]]
    parts.append("\n" + ("Reviewer agreement: no comparison judged twice yet." if results.agreement is None
                         else f"Reviewer agreement: {results.agreement:.0%} of reviewer pairs judged the same comparison alike."))
    parts += [f"\n#### LTX vs interpolation by {group.replace('_', ' ')}\n" + "\n".join(
        f"- {value}: " + ", ".join(f"{w.label} {rate_cell(w)}, {w.low:.0%}–{w.high:.0%}" for w in rates)
        for value, rates in groups.items() if rates)
        for group, groups in results.per_group.items() if any(groups.values())]
    if results.proposed_overrides:
        parts += [f"\n#### Proposed overrides (each group tested the same way, the 5% shared by {STRATUM_COUNT} groups)",
                  *[f"- {o.stratum.replace('_', ' ')} {o.value}: render with **{SETTING[o.method == 'ltx']}**. "
                    f"{o.evidence}" for o in results.proposed_overrides]]
    if figures:
        parts += ["\n#### Objective figures of the takes",
                  "| settings | takes | render s per take | motion (grey levels per frame) | flicker (grey levels) |",
                  "|---|---|---|---|---|",
                  *[f"| {f['variant']} | {f['takes']} | {f['render_s_per_clip']} | {f['motion']} | {f['flicker']} |"
                    for f in figures if f["takes"]]]
        if left_out := sum(f["left_out"] for f in figures):
            parts.append(f"\n{left_out} take(s) left out of these figures: each shows the same pictures as a take of "
                         "its shot with other settings (a static shot with one keyframe), where the settings change "
                         "nothing.")
    return "\n".join(parts)


def strength_chart(results: Results):
    """Bradley-Terry strengths, strongest on top, each with its 95% interval; 0 is the average setting."""
    from matplotlib.figure import Figure  # drawn without pyplot: no display backend needed (app.py names agg)

    ranking = sorted(results.ranking, key=lambda r: r.strength)  # barh draws bottom-up: strongest ends on top
    figure = Figure(figsize=(5.2, 1.6 + 0.5 * max(1, len(ranking))), layout="constrained")
    axes = figure.add_subplot()
    axes.axvline(0, color="#888", linewidth=1)
    if not ranking:
        axes.text(0.5, 0.5, "No decisive votes between different settings yet", ha="center", va="center",
                  transform=axes.transAxes, color="#555", fontsize=12, wrap=True)
        axes.set_axis_off()
        return figure
    else:
        positions = range(len(ranking))
        strengths = [r.strength for r in ranking]
        errors = [[r.strength - r.low for r in ranking], [r.high - r.strength for r in ranking]]
        axes.errorbar(strengths, positions, xerr=errors, fmt="o", color="#2f5d9e", ecolor="#8aa6cf", elinewidth=3, capsize=4)
        axes.tick_params(axis="x", labelsize=12)
        axes.set_yticks(list(positions), [textwrap.fill(r.label, 16) for r in ranking], fontsize=13)
        reach = max(0.5, *(abs(r.low) for r in ranking), *(abs(r.high) for r in ranking))
        axes.set_xlim(-1.1 * reach, 1.1 * reach)  # symmetric about 0, never a zero-width axis
        axes.set_ylim(-0.6, len(ranking) - 0.4)
    # Lines short enough for the figure's width: long labels reach past its edge and are cut off.
    axes.set_xlabel("strength: log odds of winning\nvs. the average setting\nbars: 95% interval", fontsize=12)
    axes.set_title("Which method and settings\nreviewers prefer", fontsize=13)
    return figure


def preference_chart(results: Results):
    """LTX's preference after every vote: the running estimate inside its shrinking anytime-valid band, and 50%."""
    from matplotlib.figure import Figure  # drawn without pyplot: no display backend needed (app.py names agg)

    figure = Figure(figsize=(5.2, 3.8), layout="constrained")
    axes = figure.add_subplot()
    if not results.sequence:
        axes.text(0.5, 0.5, "No LTX-vs-interpolation votes yet", ha="center", va="center",
                  transform=axes.transAxes, color="#555", fontsize=12, wrap=True)
        axes.set_axis_off()
        return figure
    votes = [p.votes for p in results.sequence]
    axes.fill_between(votes, [100 * p.low for p in results.sequence], [100 * p.high for p in results.sequence],
                      step="post", color="#8aa6cf", alpha=0.6, linewidth=0, label="95% anytime-valid interval")
    axes.step(votes, [100 * p.estimate for p in results.sequence], where="post", color="#2f5d9e", linewidth=2,
              label="share preferring LTX")
    axes.axhline(50, color="#c0392b", linewidth=1.5, linestyle="--", label="no preference (50%)")
    axes.set_xlim(1, max(2, votes[-1]))
    axes.set_ylim(0, 100)
    axes.tick_params(labelsize=12)
    axes.set_xlabel("LTX-vs-interpolation votes", fontsize=12)
    axes.set_ylabel("prefer LTX (%)", fontsize=12)
    figure.legend(loc="outside lower center", ncols=2, fontsize=10, frameon=False)  # below: never over the band
    axes.set_title("A verdict once the band leaves the 50% line", fontsize=13)
    return figure
