"""Results and decision: the decision card, win rates with intervals, apply (operators), export."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from studio.services import ReviewDesk
from studio.services.review import proposed_for
from studio.ui.comparison import build_comparison_section
from studio.ui.errors import listen, shown_to_user
from studio.ui.figures import build_figures_section
from studio.ui.identity import Gate
from studio.ui.results_view import (
    OVERRIDE,
    WITH_PROPOSED,
    decision_card,
    overrides_card,
    preference_chart,
    results_markdown,
    strength_chart,
)

__all__ = ["build_results_tab", "preference_chart", "results_markdown", "strength_chart"]


def build_results_tab(desk: ReviewDesk, page: gr.Blocks, gate: Gate, tab: gr.Tab | None = None
                      ) -> tuple[Callable[[], dict], list[gr.components.Component], list[gr.Button]]:
    """The results tab (refreshed whenever `tab` is opened: takes and votes come from the other tabs); returns its
    refresh handler and outputs (so other tabs can refresh it) and its operator buttons."""
    with gr.Row(equal_height=True):
        use_ltx = gr.Button("Apply: default to LTX-Video", min_width=160)
        use_interp = gr.Button("Apply: default to interpolation", min_width=160)
        force = gr.Checkbox(value=False, label=f"{OVERRIDE} (apply even without their recommendation)", min_width=160)
        with_proposed = gr.Checkbox(value=True, label=f"{WITH_PROPOSED} (unticked: no overrides)", min_width=160)
        refresh = gr.Button("Refresh", size="sm", scale=0, min_width=90)
    applied = gr.Markdown()
    summary = gr.Markdown(elem_id="results-summary")
    sequence = gr.Plot(label="LTX preference over the votes", elem_id="results-sequence")
    plot = gr.Plot(label="Ranking", elem_id="results-chart")
    figures = build_figures_section(desk, page, gate)
    with gr.Row():
        export = gr.Button("Export votes (CSV)")
        csv_file = gr.File(label="votes.csv")
    with gr.Row():
        batch_titles = gr.Dropdown(
            [(s.title, str(s.title_id)) for s in desk.scripts()], multiselect=True, allow_custom_value=True,
            label="Scripts for a batch config (none = all)",
        )
        listen(batch_titles.focus,
               lambda chosen: gr.Dropdown([(s.title, str(s.title_id)) for s in desk.scripts()], value=chosen),
               batch_titles, batch_titles, api_visibility="private", show_progress="hidden")
        export_batch = gr.Button("Export batch config (YAML)")
        batch_file = gr.File(label="batch.yaml")

    @shown_to_user
    def on_refresh_click() -> dict:
        results = desk.results()
        switches = desk.config.switches
        card = f"{decision_card(results, switches.use_ltx)}\n{overrides_card(results, switches)}"
        return {summary: f"{card}\n\n{results_markdown(results, desk.take_figures())}", plot: strength_chart(results),
                sequence: preference_chart(results)}

    def decide(value: bool, forced: bool, overrides: dict | None, request: gr.Request | None,
               profile: gr.OAuthProfile | None) -> str:
        was = desk.config.switches
        path = desk.apply_decision(value, overrides=overrides, force=forced, by=gate.caller(request, profile))
        now = desk.config.switches
        listed = ", ".join(f"`{o.key}: {o.method}`" for o in now.overrides.listed()) or "none"
        if was == now:
            return (f"`switches.use_ltx` is now `{str(value).lower()}` (overrides: {listed}): it already was, so nothing "
                    "changed and DECISION.md has no new entry.")
        return (f"`switches.use_ltx` is now `{str(value).lower()}` (overrides: {listed}) in config/pipeline.yaml; the "
                f"decision and its evidence are on top of `{desk.workspace_file(path)}` (earlier decisions kept below).")

    def from_buttons(value: bool, forced: bool, proposed: bool, request: gr.Request | None,
                     profile: gr.OAuthProfile | None) -> str:
        return decide(value, forced, proposed_for(desk.results(), value) if proposed else {}, request, profile)

    @shown_to_user
    def on_apply_ltx_click(forced: bool, proposed: bool, request: gr.Request | None = None,
                           profile: gr.OAuthProfile | None = None) -> str:
        return from_buttons(True, forced, proposed, request, profile)

    @shown_to_user
    def on_apply_interp_click(forced: bool, proposed: bool, request: gr.Request | None = None,
                              profile: gr.OAuthProfile | None = None) -> str:
        return from_buttons(False, forced, proposed, request, profile)

    @shown_to_user
    def on_export_click(request: gr.Request | None = None, profile: gr.OAuthProfile | None = None) -> str:
        """Every vote as a CSV file (operators: it names every reviewer and holds their comments)."""
        caller = gate.caller(request, profile)
        return str(desk.write_export("votes", ".csv", desk.votes_csv(by=caller), by=caller))

    @shown_to_user
    def on_export_batch_click(title_ids: list[str] | None, request: gr.Request | None = None,
                              profile: gr.OAuthProfile | None = None) -> str:
        """A batch config (YAML) for the chosen scripts, all when none (operators: it writes a file)."""
        return str(desk.write_export("batch", ".yaml", desk.export_batch(title_ids or None),
                                     by=gate.caller(request, profile)))

    listen(export_batch.click, on_export_batch_click, batch_titles, batch_file, api_name="export_batch")
    refresh.click(on_refresh_click, None, [summary, plot, sequence], api_name="results")
    refresh.click(figures.refresh, None, figures.table, api_visibility="private")
    if tab is not None:
        # Quietly: what is shown stays readable while it is brought up to date.
        tab.select(on_refresh_click, None, [summary, plot, sequence], api_visibility="private", show_progress="hidden")
        tab.select(figures.refresh, None, figures.table, api_visibility="private", show_progress="hidden")
    page.load(on_refresh_click, None, [summary, plot, sequence], api_visibility="private")
    for button, handler in ((use_ltx, on_apply_ltx_click), (use_interp, on_apply_interp_click)):
        listen(button.click, handler, [force, with_proposed], applied, api_visibility="private").success(
            on_refresh_click, None, [summary, plot, sequence], api_visibility="private")
    export.click(on_export_click, None, csv_file, api_name="export_votes")

    def apply_decision(use_ltx: bool, force: bool = False, overrides: dict | None = None,
                       request: gr.Request | None = None, profile: gr.OAuthProfile | None = None) -> str:
        """Write switches.use_ltx (true/false) and switches.overrides ({stratum: {value: method}}; null keeps those in
        effect, {} clears them) to config/pipeline.yaml and add the decision to DECISION.md (operators). Refused unless
        the votes recommend the new default and propose each new override, or force is true; the state already set
        changes nothing."""
        return decide(use_ltx, force, overrides, request, profile)

    gr.api(shown_to_user(apply_decision), api_name="apply_decision")
    set_controls = build_comparison_section(desk, page, gate)
    return on_refresh_click, [summary, plot, sequence], [use_ltx, use_interp, export, export_batch, figures.check,
                                                         *set_controls]
