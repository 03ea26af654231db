"""Assemble: the cut against the narration, boundary and transition edits, preview and export."""

from __future__ import annotations

import math
from typing import Any

import gradio as gr
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from pydantic import BaseModel, ConfigDict

from studio.domain.assembly import TRANSITIONS, Edits
from studio.errors import Cancelled, StudioError
from studio.services import FrameCounter, ReviewDesk
from studio.services.access import require_operator
from studio.services.assembly import AssemblyOptions, AssemblyReport, Timeline
from studio.ui.background import cancel_click, queued_note
from studio.ui.errors import listen, shown_to_user
from studio.ui.identity import Gate
from studio.ui.scripts import broken_scripts_note

class AssemblyTable(BaseModel):
    """The table /save_assembly_edits takes: /assembly_timeline's, with starts or transitions changed."""

    model_config = ConfigDict(title="a table like /assembly_timeline's: {'headers': [...], 'data': [[...], ...]}")
    headers: list[str] = []
    data: list[list[Any]]


COLUMNS = ["shot", "start s", "end s", "words from s", "words to s", "transition in", "transition s", "narration"]
# The narration gets room; a phone shows fewer columns (assets/page.css), the fullscreen view all of them.
COLUMN_WIDTHS = ["9%", "8%", "8%", "9%", "9%", "11%", "10%", "36%"]
PREVIEW_SIZE = (270, 480)
TAB = "assemble"  # what this tab's Cancel button reaches
ASSEMBLY_CANCELLED = "Cancelled. Fitted clips finished before the cancel are kept; no video was written."
# The timeline is drawn 800 px wide with large type: a phone shows it about half size (its labels still about
# 12 px, the picture about 130 px tall), a desktop at its own size. Wider, it would shrink further on a phone.
_WIDTH, _HEIGHT = 800, 270
_WAVE = 112  # the waveform's band, from the top
_BAR_TOP, _BAR_BOTTOM = _WAVE + 8, _HEIGHT - 44  # the shots' blocks; the seconds under them
_WORDS = 20  # the darker band at the top of a block: when the shot's words are spoken
_LABEL_PX, _TICK_PX = 28, 24
_TICK_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120)
_SHOT_COLOURS = ((88, 129, 201), (224, 150, 72))
_INK, _GREY = (20, 20, 20), (80, 80, 80)


def _tick_step(duration_s: float) -> int:
    """The smallest round step whose seconds labels stand at least 90 px apart."""
    return next((step for step in _TICK_STEPS_S if step * _WIDTH / duration_s >= 90), _TICK_STEPS_S[-1])


def draw_timeline(timeline: Timeline) -> Image.Image:
    """Shots as alternating blocks under the narration's waveform; words darker, transitions hatched.

    Labels that do not fit their block (a very short shot) are left out rather than drawn over the next one;
    the table beside the picture names every shot.
    """
    plan = timeline.plan
    image = Image.new("RGB", (_WIDTH, _HEIGHT), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    label_font, tick_font = ImageFont.load_default(_LABEL_PX), ImageFont.load_default(_TICK_PX)
    x_of = lambda seconds: round(seconds / plan.duration_s * (_WIDTH - 1))  # noqa: E731
    levels = np.asarray(timeline.levels)
    edges = np.linspace(0, len(levels), _WIDTH + 1).astype(int)
    for x, (first, after) in enumerate(zip(edges[:-1], edges[1:])):  # each column: the loudest slice under it
        half = levels[first:max(after, first + 1)].max() * (_WAVE / 2 - 4)
        draw.line([(x, _WAVE / 2 - half), (x, _WAVE / 2 + half)], fill=(60, 60, 60))
    for index, shot in enumerate(plan.shots):
        left, right = x_of(shot.start_frame / plan.fps), x_of(shot.end_frame / plan.fps)
        colour = _SHOT_COLOURS[index % 2]
        draw.rectangle([left, _BAR_TOP, right, _BAR_BOTTOM], fill=colour)
        words = plan.video_time(shot.narration.start_s), plan.video_time(shot.narration.end_s)
        draw.rectangle([x_of(words[0]), _BAR_TOP, x_of(words[1]), _BAR_TOP + _WORDS],
                       fill=tuple(c // 2 for c in colour))
        if shot.head_frames:
            start = x_of(shot.clip_start_frame / plan.fps)
            end = x_of((shot.start_frame + shot.head_frames) / plan.fps)
            for x in range(start, end, 6):
                draw.line([(x, _BAR_TOP), (x + 8, _BAR_BOTTOM)], fill=(255, 255, 255), width=2)
        label = shot.shot_id.replace("shot-", "#")
        if draw.textlength(label, font=label_font) <= right - left - 10:
            draw.text((left + 6, _BAR_TOP + _WORDS + 6), label, fill=_INK, font=label_font)
        draw.line([(left, 0), (left, _BAR_BOTTOM)], fill=(200, 40, 40), width=2)
    step = _tick_step(plan.duration_s)
    for second in range(0, int(plan.duration_s) + 1, step):
        x, text = x_of(second), f"{second}s"
        draw.line([(x, _BAR_BOTTOM), (x, _BAR_BOTTOM + 6)], fill=_GREY, width=2)
        if x + 3 + draw.textlength(text, font=tick_font) <= _WIDTH:
            draw.text((x + 3, _BAR_BOTTOM + 10), text, fill=_GREY, font=tick_font)
    return image


def timeline_rows(timeline: Timeline) -> list[list[Any]]:
    plan = timeline.plan
    return [
        [s.shot_id, round(s.start_frame / plan.fps, 3), round(s.end_frame / plan.fps, 3),
         round(plan.video_time(s.narration.start_s), 3), round(plan.video_time(s.narration.end_s), 3),
         s.transition_in, round(2 * s.head_frames / plan.fps, 3), s.narration.text]
        for s in plan.shots
    ]


EDITABLE = {1: "start s", 5: "transition in", 6: "transition s"}


def _same(value: Any, expected: Any) -> bool:
    if isinstance(expected, float):
        try:
            return abs(float(value) - expected) < 5e-4  # the table shows milliseconds
        except (TypeError, ValueError):
            return False
    return str(value).strip() == str(expected).strip()


def _seconds(shot_id: str, column: str, value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds):
        raise StudioError(f"{shot_id}: '{column}' must be a number of seconds, not {value!r}")
    return seconds


def edits_from_rows(rows: list[list[Any]], timeline: Timeline) -> Edits:
    """The operator's changes: starts and transitions that differ from the plan.

    Only 'start s', 'transition in' and 'transition s' can change (not the first shot's: it opens the
    video); any other change is refused, never ignored.
    """
    plan = timeline.plan
    starts, transitions = {}, {}
    if len(rows) != len(plan.shots):
        raise StudioError(f"the table has {len(rows)} rows but the script has {len(plan.shots)} shots; reload the script")
    for index, (row, expected, shot) in enumerate(zip(rows, timeline_rows(timeline), plan.shots, strict=True)):
        if len(row) != len(COLUMNS):
            raise StudioError(f"{shot.shot_id}: the row has {len(row)} cells, not {len(COLUMNS)}; reload the script")
        editable = EDITABLE if index else {}
        for column, (value, planned) in enumerate(zip(row, expected, strict=True)):
            if column not in editable and not _same(value, planned):
                hint = " (the next shot's start moves it)" if COLUMNS[column] == "end s" else ""
                raise StudioError(f"{shot.shot_id}: '{COLUMNS[column]}' cannot be edited{hint}; it is {planned!r}, "
                                  f"not {value!r}. Edit 'start s', 'transition in' or 'transition s' of shots 2 on")
        if not index:
            continue
        start, name = _seconds(shot.shot_id, "start s", row[1]), str(row[5]).strip()
        seconds = _seconds(shot.shot_id, "transition s", row[6])
        if abs(start - shot.start_frame / plan.fps) >= 0.5 / plan.fps:
            starts[shot.shot_id] = start
        if name not in TRANSITIONS:
            raise StudioError(f"{shot.shot_id}: {name!r} is not a transition; choose one of {', '.join(TRANSITIONS)}")
        if name == "cut" and seconds != 0:
            raise StudioError(f"{shot.shot_id}: a cut has no length; set 'transition s' to 0, or choose another transition")
        if name != shot.transition_in or abs(seconds - 2 * shot.head_frames / plan.fps) >= 1 / plan.fps:
            transitions[shot.shot_id] = (name, seconds if name != "cut" else 0.0)
    return Edits(starts_s=starts, transitions=transitions)


def report_summary(report: AssemblyReport) -> str:
    sync = "in sync" if report.in_sync else "**out of sync**"
    warnings = "".join(f"\n- {w}" for w in report.warnings)
    pinned = ", ".join(f"{shot.shot_id} ({shot.source} take {shot.pinned_take})" for shot in report.shots if shot.pinned_take)
    warnings = (f"\n\nPinned takes used: {pinned}." if pinned else "") + warnings
    return (f"{report.width}x{report.height}, {report.duration_s:.2f} s, joined by {report.joined_by} in "
            f"{report.elapsed_s:.1f} s; {sync}: boundaries within {report.max_boundary_error_ms:.1f} ms of the narration, "
            f"streams {report.av_length_difference_ms:.1f} ms apart; {report.loudness_lufs:.1f} LUFS "
            f"(target {report.loudness_target_lufs:g}), true peak {report.true_peak_dbtp:.1f} dBTP.{warnings}")


def build_assemble_tab(desk: ReviewDesk, page: gr.Blocks, gate: Gate, tab: gr.Tab) -> list[gr.Button]:
    """The assemble tab; returns its operator-only buttons (saving and dropping edits, the final export)."""
    def script_list() -> list[tuple[str, str]]:
        return [(f"{s.title} ({s.segment} {s.age_bucket})", str(s.title_id)) for s in desk.scripts()]

    choices = script_list()
    with gr.Row():
        title = gr.Dropdown(choices, value=choices[0][1] if choices else None, label="Script", allow_custom_value=True)
    broken = gr.Markdown(broken_scripts_note(desk), elem_id="assemble-broken-scripts")
    listed = gr.State(None)  # what this page's list and note last showed (one per browser session)

    def on_title_open(current: str | None, shown: tuple | None) -> dict:
        """The scripts read again from the files, keeping the chosen one while it loads, and the note naming the
        script files that do not load (as the Library says it). Read when the tab opens, so the list is fresh
        before anyone opens it; an unchanged list is not sent again, since replacing a dropdown's choices while
        it is open redraws it under the pointer with the old choice ticked."""
        fresh = script_list()
        values = [value for _, value in fresh]
        chosen = current if current in values else (values[0] if values else None)
        now = (tuple(fresh), chosen, broken_scripts_note(desk))
        if now == shown:
            return {listed: shown}
        return {title: gr.Dropdown(fresh, value=chosen), broken: now[2], listed: now}

    for opened in (page.load, tab.select, title.focus):
        listen(opened, on_title_open, [title, listed], [title, broken, listed], api_visibility="private",
               show_progress="hidden")
    method = gr.Radio(["auto", "interp", "ltx"], value="auto", label="Clips",
                      info="auto: the clip of the shot's method (default or override) where there is one, else interpolation")
    picture = gr.Image(label="Timeline: narration waveform over the shots (darker: the shot's words; hatched: transitions)",
                       type="pil", interactive=False, elem_id="assemble-timeline")
    table = gr.Dataframe(headers=COLUMNS, interactive=True, wrap=True, column_widths=COLUMN_WIDTHS,
                         elem_id="assembly-table", label="Edit a shot's start or its transition in, then save "
                         "(on a phone, fullscreen shows every column)")
    with gr.Row():
        save = gr.Button("Save edits (operators)")
        save_api = gr.Button("save_assembly_edits", visible=False)
        # The API's table arrives as JSON and is checked here (a Dataframe input's form is checked by Gradio first).
        table_json = gr.JSON(visible=False, label="The table, as /assembly_timeline gives it, with starts or transitions changed")
        reset = gr.Button("Drop edits (operators)")
        preview = gr.Button(f"Preview ({PREVIEW_SIZE[0]}x{PREVIEW_SIZE[1]})")
        export = gr.Button("Export (1080x1920, operators)", variant="primary")
        cancel = gr.Button("Cancel")
    status = gr.Markdown()
    video = gr.Video(label="Finished video", height=520, elem_id="assemble-video")
    # Shown once a preview or an export has written a report: an empty JSON box reads as broken.
    report_json = gr.JSON(label="Assembly report", visible=False)
    listen(report_json.change, lambda value: gr.update(visible=bool(value)), report_json, report_json,
           api_visibility="private", show_progress="hidden", queue=False)

    def load(title_id: str | None, method: str) -> tuple[Image.Image, list[list[Any]]]:
        if not title_id:
            raise StudioError("choose a script first")
        timeline = desk.assembly_timeline(title_id, AssemblyOptions(method=method))
        return draw_timeline(timeline), timeline_rows(timeline)

    @shown_to_user
    def on_title_change(title_id: str | None, method: str) -> dict:
        image, rows = load(title_id, method)
        final = desk.final_video(title_id)
        return {picture: image, table: rows, video: str(final) if final.is_file() else None,
                report_json: desk.final_report(title_id)}

    @shown_to_user
    def on_save_click(title_id: str | None, method: str, rows: list[list[Any]], request: gr.Request | None = None,
                      profile: gr.OAuthProfile | None = None) -> tuple[Image.Image, list[list[Any]], str]:
        """Keep the table's moved starts and transitions for this title (operators)."""
        caller = gate.caller(request, profile)
        require_operator(caller, "edit the final cut")  # before any planning work; the desk checks again
        timeline = desk.assembly_timeline(title_id, AssemblyOptions(method=method, edits=Edits()))
        edits = edits_from_rows(rows, timeline)
        # Plan with the edits before saving them, so a bad edit is refused with its reason and nothing is kept.
        desk.assembly_timeline(title_id, AssemblyOptions(method=method, edits=edits))
        path = desk.save_assembly_edits(title_id, edits, by=caller)
        image, fresh = load(title_id, method)
        return image, fresh, f"Saved {len(edits.starts_s)} moved start(s) and {len(edits.transitions)} transition(s) to `{desk.workspace_file(path)}`."

    @shown_to_user
    def on_save_api(title_id: str | None, method: str, rows: AssemblyTable, request: gr.Request | None = None,
                    profile: gr.OAuthProfile | None = None) -> tuple[Image.Image, list[list[Any]], str]:
        """Keep the table's moved starts and transitions for this title (operators)."""
        return on_save_click(title_id, method, rows.data, request, profile)

    @shown_to_user
    def on_reset_click(title_id: str | None, method: str, request: gr.Request | None = None,
                       profile: gr.OAuthProfile | None = None) -> tuple[Image.Image, list[list[Any]], str]:
        """Drop this title's edits: the cut follows the narration again (operators)."""
        desk.save_assembly_edits(title_id, Edits(), by=gate.caller(request, profile))
        image, rows = load(title_id, method)
        return image, rows, "Edits dropped; the cut follows the narration again."

    def run(title_id: str | None, method: str, size: tuple[int, int] | None, request: gr.Request | None,
            profile: gr.OAuthProfile | None):
        if not title_id:
            raise StudioError("choose a script first")
        caller = gate.caller(request, profile)
        if size is None:
            require_operator(caller, "export the final video")  # before queueing; the desk checks again
        counter = FrameCounter()
        options = AssemblyOptions(method=method, preview_size=size)
        try:
            report = yield from gate.run(
                caller, request, TAB,
                lambda token: desk.assemble(title_id, options, by=caller, progress=counter, cancel=token),
                lambda: {status: f"Assembling… {counter.fraction:.0%} (fitting shot clips, then joining and narrating)"},
                lambda ahead: {status: queued_note(ahead)},
            )
        except Cancelled:
            yield {status: ASSEMBLY_CANCELLED}
            return
        final = desk.final_video(title_id).with_name(report.video_file)  # the preview sits beside the final video
        yield {status: report_summary(report), video: str(final), report_json: report.model_dump(mode="json")}

    @shown_to_user
    def on_preview_click(title_id: str | None, method: str, request: gr.Request | None = None,
                         profile: gr.OAuthProfile | None = None):
        """A small, fast preview of the cut with the narration."""
        yield from run(title_id, method, PREVIEW_SIZE, request, profile)

    @shown_to_user
    def on_export_click(title_id: str | None, method: str, request: gr.Request | None = None,
                        profile: gr.OAuthProfile | None = None):
        """The finished 1080x1920 video with its assembly report (operators)."""
        yield from run(title_id, method, None, request, profile)

    outputs = [picture, table, video, report_json]
    listen(title.change, on_title_change, [title, method], outputs, api_name="assembly_timeline")
    listen(method.change, on_title_change, [title, method], outputs, api_visibility="private")
    listen(save.click, on_save_click, [title, method, table], [picture, table, status], api_visibility="private")
    listen(save_api.click, on_save_api, [title, method, table_json], [picture, table, status],
           api_name="save_assembly_edits")
    listen(reset.click, on_reset_click, [title, method], [picture, table, status], api_name="drop_assembly_edits")
    listen(preview.click, on_preview_click, [title, method], [status, video, report_json], api_name="assemble_preview",
           concurrency_limit=None)  # the app's render line queues it
    listen(export.click, on_export_click, [title, method], [status, video, report_json], api_name="assemble",
           concurrency_limit=None)
    cancel.click(cancel_click(gate.cancels, TAB), None, status, api_visibility="private")
    listen(page.load, on_title_change, [title, method], outputs, api_visibility="private")
    return [save, reset, export]
