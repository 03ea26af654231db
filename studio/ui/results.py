"""Results and decision: win rates with intervals, the recommendation, apply, export."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from studio.services import ReviewDesk
from studio.services.results import MIN_DECISIVE_VOTES, Results
from studio.ui.errors import shown_to_user


def results_markdown(results: Results, figures: list[dict]) -> str:
    def table(rates) -> list[str]:
        return ["| | win rate | 95% interval | comparisons |", "|---|---|---|---|",
                *[f"| {w.label} | {w.rate:.0%} | {w.low:.0%}–{w.high:.0%} | {w.comparisons} |" for w in rates]]

    verdict = (
        "**No recommendation yet**" if results.recommendation is None
        else f"**Recommendation: `switches.use_ltx: {str(results.recommendation).lower()}`**"
    )
    bias = "" if results.left_share is None else f"Left side chosen in {results.left_share:.0%} of decisive votes (50% = no position bias)."
    return "\n".join([
        f"{verdict}: {results.reason}.",
        f"\nA recommendation needs at least {MIN_DECISIVE_VOTES} decisive LTX-vs-interpolation votes and a 95% "
        "interval that excludes 50%, so a few votes cannot flip the pipeline's default.",
        f"\n{results.votes} votes, {results.both_bad} 'both bad'. {bias}",
        "\n#### By method", *table(results.by_method),
        "\n#### By method and settings", *table(results.by_variant),
        "\n#### Bradley-Terry ranking (log strength, 95% bootstrap interval)",
        "| | strength | interval |", "|---|---|---|",
        *[f"| {r.label} | {r.strength:+.2f} | {r.low:+.2f} to {r.high:+.2f} |" for r in results.ranking],
        "\n" + ("Reviewer agreement: no comparison judged twice yet." if results.agreement is None
                else f"Reviewer agreement: {results.agreement:.0%} of reviewer pairs judged the same comparison alike."),
        *[f"\n#### LTX vs interpolation by {group.replace('_', ' ')}\n" + "\n".join(
            f"- {value}: " + ", ".join(f"{w.label} {w.rate:.0%} ({w.low:.0%}-{w.high:.0%}, n={w.comparisons})" for w in rates)
            for value, rates in groups.items() if rates)
          for group, groups in results.per_group.items() if any(groups.values())],
        *(["\n#### Where a group differs", *[f"- {line}" for line in results.suggestions]] if results.suggestions else []),
        "\n#### Objective figures of the takes", "| settings | takes | render s/clip | motion | flicker |", "|---|---|---|---|---|",
        *[f"| {f['variant']} | {f['takes']} | {f['render_s_per_clip']} | {f['motion']} | {f['flicker']} |" for f in figures],
    ])


def strength_chart(results: Results):
    """Bradley-Terry strengths, strongest on top, each with its 95% interval; 0 is the average setting."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    from matplotlib.figure import Figure

    ranking = sorted(results.ranking, key=lambda r: r.strength)  # barh draws bottom-up: strongest ends on top
    figure = Figure(figsize=(8, 1.2 + 0.45 * max(1, len(ranking))), layout="constrained")
    axes = figure.add_subplot()
    axes.axvline(0, color="#888", linewidth=1)
    if not ranking:
        axes.text(0.5, 0.5, "No decisive votes between different settings yet", ha="center", va="center",
                  transform=axes.transAxes, color="#555")
        axes.set_yticks([])
    else:
        positions = range(len(ranking))
        strengths = [r.strength for r in ranking]
        errors = [[r.strength - r.low for r in ranking], [r.high - r.strength for r in ranking]]
        axes.errorbar(strengths, positions, xerr=errors, fmt="o", color="#2f5d9e", ecolor="#8aa6cf", elinewidth=3, capsize=4)
        axes.set_yticks(list(positions), [r.label for r in ranking])
        reach = max(0.5, *(abs(r.low) for r in ranking), *(abs(r.high) for r in ranking))
        axes.set_xlim(-1.1 * reach, 1.1 * reach)  # symmetric about 0, never a zero-width axis
    axes.set_xlabel("Bradley-Terry strength (log odds of winning vs. the average setting), 95% bootstrap interval")
    axes.set_title("Which method and settings reviewers prefer")
    return figure


def build_results_tab(desk: ReviewDesk, page: gr.Blocks) -> tuple[Callable[[], dict], list[gr.components.Component]]:
    """The results tab; returns its refresh handler and outputs so other tabs can refresh it."""
    refresh = gr.Button("Refresh")
    summary = gr.Markdown()
    plot = gr.Plot(label="Ranking", elem_id="results-chart")
    with gr.Row(equal_height=True):
        use_ltx = gr.Button("Apply: default to LTX-Video")
        use_interp = gr.Button("Apply: default to interpolation")
        force = gr.Checkbox(value=False, label="Override the votes (apply even without their recommendation)")
    applied = gr.Markdown()
    with gr.Row():
        export = gr.Button("Export votes (CSV)")
        csv_file = gr.File(label="votes.csv")
    with gr.Row():
        batch_titles = gr.Dropdown(
            [(s.title, str(s.title_id)) for s in desk.scripts()], multiselect=True, allow_custom_value=True,
            label="Scripts for a batch config (none = all)",
        )
        export_batch = gr.Button("Export batch config (YAML)")
        batch_file = gr.File(label="batch.yaml")

    @shown_to_user
    def on_refresh_click() -> dict:
        results = desk.results()
        return {summary: results_markdown(results, desk.take_figures()), plot: strength_chart(results)}

    def decide(value: bool, forced: bool) -> str:
        path = desk.apply_decision(value, force=forced)
        return f"`switches.use_ltx` is now `{str(value).lower()}` in config/pipeline.yaml; the figures are in `{desk.workspace.relative(path)}`."

    @shown_to_user
    def on_apply_ltx_click(forced: bool) -> str:
        return decide(True, forced)

    @shown_to_user
    def on_apply_interp_click(forced: bool) -> str:
        return decide(False, forced)

    @shown_to_user
    def on_export_click() -> str:
        return str(desk.write_export("votes", ".csv", desk.votes_csv()))

    @shown_to_user
    def on_export_batch_click(title_ids: list[str] | None) -> str:
        return str(desk.write_export("batch", ".yaml", desk.export_batch(title_ids or None)))

    export_batch.click(on_export_batch_click, batch_titles, batch_file, api_name="export_batch")
    refresh.click(on_refresh_click, None, [summary, plot], api_name="results")
    page.load(on_refresh_click, None, [summary, plot], api_visibility="private")
    use_ltx.click(on_apply_ltx_click, force, applied, api_visibility="private")
    use_interp.click(on_apply_interp_click, force, applied, api_visibility="private")
    export.click(on_export_click, None, csv_file, api_name="export_votes")

    def apply_decision(use_ltx: bool, force: bool = False) -> str:
        """Write switches.use_ltx (true/false) to config/pipeline.yaml and the figures to DECISION.md.
        Refused unless the votes recommend it, or force is true."""
        return decide(use_ltx, force)

    gr.api(shown_to_user(apply_decision), api_name="apply_decision")
    return on_refresh_click, [summary, plot]
