"""The Results tab's comparison set: choose it, see its takes and votes, render both methods (operators),
and each reviewer's self-consistency."""

from __future__ import annotations

import functools
from typing import Any

import gradio as gr

from studio.domain.comparison import DEFAULT_SET_SIZE, SizeRule
from studio.errors import Cancelled
from studio.services import FrameCounter, ReviewDesk
from studio.services.access import require_operator
from studio.services.comparison import BOTH_METHODS, SET_VARIANTS, SetView, choose_set, render_set, set_view
from studio.ui.background import CANCELLED_NOTE, cancel_click, queued_note
from studio.ui.errors import clipped_words, listen, shown_to_user
from studio.ui.identity import Gate

TAB = "comparison"  # what this section's Cancel button reaches
SET_COLUMNS = ["shot", "script", "group", "move", "LTX", "interp", "votes"]
# Short headers, and widths that keep words whole at 412 px: the move column holds "pan_right" and "tilt_down",
# the LTX and interp columns "missing"; a script's title wraps between its words.
SET_COLUMN_WIDTHS = ["14%", "18%", "15%", "17%", "12%", "13%", "11%"]
EXTRA_VARIANTS = [(variant.label, key) for key, variant in SET_VARIANTS.items() if key not in BOTH_METHODS]
NO_SET = (f"No comparison set yet: an operator chooses one ({DEFAULT_SET_SIZE} shots by default; at least one per "
          "segment and age and every camera move), then renders both methods for it.")


def set_rows(view: SetView | None) -> list[list[Any]]:
    if view is None:
        return []
    return [[s.shot.key.shot_id, s.shot.title, s.shot.stratum, s.shot.camera_movement.value,
             *("yes" if key in s.variants else "missing" for key in BOTH_METHODS), s.deciding_votes]
            for s in view.shots]


def set_note(desk: ReviewDesk, view: SetView | None) -> str:
    if view is None:
        return NO_SET
    line = (f"**{view.chosen.name}**: {len(view.shots)} shots, chosen {view.chosen.created_at[:16].replace('T', ' ')} "
            f"by {view.chosen.created_by}. {view.missing('ltx')} LTX and {view.missing('interp')} "
            "interpolation takes missing. Compare & vote deals this set's LTX-vs-interpolation pairs first.")
    reason = desk.ltx_unavailable()
    if reason and view.missing("ltx"):
        line += (f"\n\n**LTX-Video is unavailable here:** it {reason}. The set's interpolation takes render here; "
                 f"its LTX takes need a GPU machine (`python -m studio compare --set {view.chosen.name} --render`).")
    return line


def consistency_markdown(desk: ReviewDesk) -> str:
    figures = desk.reviewer_consistency()
    if not figures:
        return ("**Self-consistency:** about one pair in 15 comes back with its sides swapped; no reviewer has "
                "answered a repeat yet.")
    lines = ["**Self-consistency** (pairs shown again, sides swapped; the weight is what a reliability-weighted "
             "tally would give, shown only: every vote counts once)", "",
             "| reviewer | repeats | same answer | weight |", "|---|---|---|---|"]
    for figure in figures:
        flag = " ⚠ often disagrees with themselves" if figure.flagged else ""
        lines.append(f"| {figure.reviewer}{flag} | {figure.repeats} | {figure.rate:.0%} | {figure.weight:.2f} |")
    return "\n".join(lines)


def build_comparison_section(desk: ReviewDesk, page: gr.Blocks, gate: Gate) -> list[gr.Button]:
    """The comparison-set controls; returns its operator-only buttons."""
    gr.Markdown("### Comparison set")
    newest = desk.comparison_set()
    with gr.Row(equal_height=True):
        name = gr.Textbox(value=newest.name if newest else "pilot", label="Set name", max_lines=1, min_width=140)
        rule = SizeRule.of(desk.scripts())
        # No precision and no bounds of Gradio's own: 5.5 or 3 reach the rule and are refused in its words.
        size = gr.Number(value=min(max(DEFAULT_SET_SIZE, rule.least), rule.most), label="Shots", info=rule.describe(),
                         min_width=90)
        choose = gr.Button("Choose a stratified set", min_width=160)
        choose_api = gr.Button("choose_comparison_set", visible=False)
    with gr.Row(equal_height=True):
        variants = gr.CheckboxGroup(EXTRA_VARIANTS, label="Also render these variants", min_width=200)
        render = gr.Button("Render both methods for the set", variant="primary", min_width=160)
        cancel = gr.Button("Cancel", min_width=90, scale=0)
    status = gr.Markdown(elem_id="comparison-status")
    note = gr.Markdown(elem_id="comparison-note")
    table = gr.Dataframe(headers=SET_COLUMNS, interactive=False, wrap=True, elem_id="comparison-table",
                         column_widths=SET_COLUMN_WIDTHS)
    consistency = gr.Markdown(elem_id="reviewer-consistency")

    @shown_to_user
    def on_show(set_name: str | None = None) -> dict:
        """The named set (the newest when the name is empty or not chosen yet), with each reviewer's consistency."""
        known = [chosen.name for chosen in desk.comparison_sets()]
        wanted = (set_name or "").strip()
        view = set_view(desk, wanted if wanted in known else None)
        shown = set_note(desk, view)
        if wanted and wanted not in known:  # say so, rather than show another set (or none) as if it were this one
            sets = ", ".join(known) or "none yet"
            instead = f" Showing **{view.chosen.name}**, the newest." if view else ""
            shown = f"No comparison set is called **{clipped_words(wanted)}** (sets: {sets}).{instead}\n\n{shown}"
        return {note: shown, table: set_rows(view), consistency: consistency_markdown(desk)}

    @shown_to_user
    def on_choose_click(set_name: str, shots: float = DEFAULT_SET_SIZE, request: gr.Request | None = None,
                        profile: gr.OAuthProfile | None = None) -> dict:
        view = choose_set(desk, set_name, shots, by=gate.caller(request, profile))
        return {status: f"Set **{view.chosen.name}** chosen: {len(view.shots)} shots.", note: set_note(desk, view),
                table: set_rows(view)}

    def on_render_click(set_name: str | None = None, extra: list[str] | None = None, request: gr.Request | None = None,
                        profile: gr.OAuthProfile | None = None):
        """Render the missing LTX and interpolation takes (and the ticked variants) of every set shot (operators)."""
        caller = gate.caller(request, profile)
        require_operator(caller, "render the comparison set")  # before queueing; the service checks again
        counter = FrameCounter()
        try:
            report = yield from gate.run(
                caller, request, TAB,
                lambda token: render_set(desk, set_name or None, extra or [], who=caller.name or "an operator",
                                         by=caller, progress=counter, cancel=token),
                lambda: {status: f"Rendering the set… take {counter.shots_done + 1}, {counter.fraction:.0%} of all frames"},
                lambda ahead: {status: queued_note(ahead)},
            )
        except Cancelled:
            yield {status: CANCELLED_NOTE}
            return
        failures = "".join(f"\n- {failure}" for failure in report.failed)
        view = set_view(desk, set_name or None)
        yield {status: f"Set rendered: {report.summary()}{failures}", note: set_note(desk, view), table: set_rows(view)}

    @functools.wraps(on_choose_click)
    def on_choose_page(*args: Any, **kwargs: Any) -> dict:
        """The page's Choose: a refusal is the status line (and a warning), and the set shown stays as it was."""
        try:
            return on_choose_click(*args, **kwargs)
        except gr.Error as refusal:
            gr.Warning(refusal.message)
            return {status: f"**Not chosen:** {refusal.message}"}

    outputs = [note, table, consistency]
    listen(choose_api.click, on_choose_click, [name, size], [status, note, table], api_name="choose_comparison_set")
    listen(choose.click, on_choose_page, [name, size], [status, note, table], api_visibility="private")
    listen(render.click, shown_to_user(on_render_click), [name, variants], [status, note, table],
           api_name="render_comparison_set", concurrency_limit=None)  # the app's render line queues it
    cancel.click(cancel_click(gate.cancels, TAB), None, status, api_visibility="private")
    listen(name.submit, on_show, name, outputs, api_name="comparison_set")
    page.load(on_show, None, outputs, api_visibility="private")
    return [choose, render]
