"""Results and decision: the decision card, win rates with intervals, apply (operators), export."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from studio.services import ReviewDesk
from studio.ui.errors import shown_to_user
from studio.ui.figures import build_figures_section
from studio.ui.identity import Gate
from studio.ui.results_view import OVERRIDE, decision_card, results_markdown, strength_chart

__all__ = ["build_results_tab", "results_markdown", "strength_chart"]


def build_results_tab(desk: ReviewDesk, page: gr.Blocks, gate: Gate
                      ) -> tuple[Callable[[], dict], list[gr.components.Component], list[gr.Button]]:
    """The results tab; returns its refresh handler and outputs (so other tabs can refresh it) and its operator buttons."""
    with gr.Row(equal_height=True):
        use_ltx = gr.Button("Apply: default to LTX-Video", min_width=160)
        use_interp = gr.Button("Apply: default to interpolation", min_width=160)
        force = gr.Checkbox(value=False, label=f"{OVERRIDE} (apply even without their recommendation)", min_width=160)
        refresh = gr.Button("Refresh", size="sm", scale=0, min_width=90)
    applied = gr.Markdown()
    summary = gr.Markdown(elem_id="results-summary")
    plot = gr.Plot(label="Ranking", elem_id="results-chart")
    figures = build_figures_section(desk, page)
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
        card = decision_card(results, desk.studio.config.switches.use_ltx)
        return {summary: f"{card}\n\n{results_markdown(results, desk.take_figures())}", plot: strength_chart(results)}

    def decide(value: bool, forced: bool, request: gr.Request | None, profile: gr.OAuthProfile | None) -> str:
        was = desk.studio.config.switches.use_ltx
        path = desk.apply_decision(value, force=forced, by=gate.caller(request, profile))
        if was == value:
            return (f"`switches.use_ltx` is now `{str(value).lower()}`: it already was, so nothing changed "
                    "and DECISION.md has no new entry.")
        return (f"`switches.use_ltx` is now `{str(value).lower()}` in config/pipeline.yaml; the decision and its figures "
                f"are on top of `{desk.workspace.relative(path)}` (earlier decisions kept below).")

    @shown_to_user
    def on_apply_ltx_click(forced: bool, request: gr.Request | None = None, profile: gr.OAuthProfile | None = None) -> str:
        return decide(True, forced, request, profile)

    @shown_to_user
    def on_apply_interp_click(forced: bool, request: gr.Request | None = None,
                              profile: gr.OAuthProfile | None = None) -> str:
        return decide(False, forced, request, profile)

    @shown_to_user
    def on_export_click() -> str:
        return str(desk.write_export("votes", ".csv", desk.votes_csv()))

    @shown_to_user
    def on_export_batch_click(title_ids: list[str] | None) -> str:
        return str(desk.write_export("batch", ".yaml", desk.export_batch(title_ids or None)))

    export_batch.click(on_export_batch_click, batch_titles, batch_file, api_name="export_batch")
    refresh.click(on_refresh_click, None, [summary, plot], api_name="results")
    refresh.click(figures.refresh, None, figures.table, api_visibility="private")
    page.load(on_refresh_click, None, [summary, plot], api_visibility="private")
    for button, handler in ((use_ltx, on_apply_ltx_click), (use_interp, on_apply_interp_click)):
        button.click(handler, force, applied, api_visibility="private").success(
            on_refresh_click, None, [summary, plot], api_visibility="private")
    export.click(on_export_click, None, csv_file, api_name="export_votes")

    def apply_decision(use_ltx: bool, force: bool = False, request: gr.Request | None = None,
                       profile: gr.OAuthProfile | None = None) -> str:
        """Write switches.use_ltx (true/false) to config/pipeline.yaml and add the decision to DECISION.md (operators).
        Refused unless the votes recommend it, or force is true; the value already set changes nothing."""
        return decide(use_ltx, force, request, profile)

    gr.api(shown_to_user(apply_decision), api_name="apply_decision")
    return on_refresh_click, [summary, plot], [use_ltx, use_interp]
