"""Results and decision: win rates with intervals, the recommendation, apply, export."""

from __future__ import annotations

import time

import gradio as gr

from studio.services import ReviewDesk
from studio.services.review import MIN_DECISIVE_VOTES, Results
from studio.ui.errors import shown_to_user


def results_markdown(results: Results) -> str:
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
    ])


def build_results_tab(desk: ReviewDesk, page: gr.Blocks) -> None:
    refresh = gr.Button("Refresh")
    summary = gr.Markdown()
    plot = gr.BarPlot(x="variant", y="win rate", title="Win rate by method and settings", y_lim=[0, 1], height=300)
    with gr.Row():
        use_ltx = gr.Button("Apply: default to LTX-Video")
        use_interp = gr.Button("Apply: default to interpolation")
    applied = gr.Markdown()
    with gr.Row():
        export = gr.Button("Export votes (CSV)")
        csv_file = gr.File(label="votes.csv")
    with gr.Row():
        batch_titles = gr.Dropdown(
            [(s.title, str(s.title_id)) for s in desk.scripts()], multiselect=True,
            label="Scripts for a batch config (none = all)",
        )
        export_batch = gr.Button("Export batch config (YAML)")
        batch_file = gr.File(label="batch.yaml")

    def on_refresh_click() -> dict:
        import pandas as pd

        results = desk.results()
        frame = pd.DataFrame([{"variant": w.label, "win rate": round(w.rate, 3)} for w in results.by_variant],
                             columns=["variant", "win rate"])
        return {summary: results_markdown(results), plot: frame}

    def decide(value: bool) -> str:
        path = desk.apply_decision(value)
        return f"`switches.use_ltx` is now `{str(value).lower()}` in config/pipeline.yaml; the figures are in `{desk.workspace.relative(path)}`."

    @shown_to_user
    def on_apply_ltx_click() -> str:
        return decide(True)

    @shown_to_user
    def on_apply_interp_click() -> str:
        return decide(False)

    @shown_to_user
    def on_export_click() -> str:
        path = desk.workspace.inside("exports", f"votes-{time.strftime('%Y%m%d-%H%M%S')}.csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(desk.votes_csv(), encoding="utf-8")
        return str(path)

    @shown_to_user
    def on_export_batch_click(title_ids: list[str] | None) -> str:
        path = desk.workspace.inside("exports", f"batch-{time.strftime('%Y%m%d-%H%M%S')}.yaml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(desk.export_batch(title_ids or None), encoding="utf-8")
        return str(path)

    export_batch.click(on_export_batch_click, batch_titles, batch_file, api_name="export_batch")
    refresh.click(shown_to_user(on_refresh_click), None, [summary, plot], api_name="results")
    page.load(shown_to_user(on_refresh_click), None, [summary, plot], api_visibility="private")
    use_ltx.click(on_apply_ltx_click, None, applied, api_name="apply_decision_ltx")
    use_interp.click(on_apply_interp_click, None, applied, api_name="apply_decision_interp")
    export.click(on_export_click, None, csv_file, api_name="export_votes")

    def apply_decision(use_ltx: bool) -> str:
        """Write switches.use_ltx to config/pipeline.yaml and the figures to DECISION.md."""
        return decide(bool(use_ltx))

    gr.api(shown_to_user(apply_decision), api_name="apply_decision")
