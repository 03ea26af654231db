"""Library and Generate: browse scripts and shots, render takes, promote one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from studio.config import X264_PRESETS
from studio.domain import AGE_BUCKETS, SEGMENTS
from studio.errors import StudioError
from studio.services import ReviewDesk, Selection, TakeSettings
from studio.services.progress import CancellableProgress
from studio.ui.background import in_background
from studio.ui.errors import shown_to_user

TAKE_COLUMNS = ["take", "variant", "by", "at", "motion", "flicker", "render s", "votes won/tied/lost"]


def script_choices(desk: ReviewDesk, segment: str | None, age: str | None) -> list[tuple[str, str]]:
    return [
        (f"{s.title} ({s.segment} {s.age_bucket})", str(s.title_id))
        for s in desk.scripts()
        if segment in (None, "", "all", s.segment) and age in (None, "", "all", s.age_bucket)
    ]


STATUS_FILTERS = ("all", "not rendered", "rendered", "flagged bad")


def shot_choices(desk: ReviewDesk, title_id: str, status: str, method: str) -> list[tuple[str, str]]:
    """Shots of a script that pass the filters, labelled with their status."""
    statuses = desk.shot_statuses(title_id)
    choices = []
    for shot in desk.workspace.find_script(title_id).shots:
        state = statuses[shot.shot_id]
        if status not in ("all", None, "") and state.label != status:
            continue
        if method not in ("all", None, "") and not state.has_method(method):
            continue
        choices.append((f"{shot.shot_id} [{state.label}]: {shot.description[:50]}", shot.shot_id))
    return choices


def take_rows(desk: ReviewDesk, title_id: str, shot_id: str) -> list[list[Any]]:
    tally: dict[str, list[int]] = {}
    for vote in desk.store.vote_rows():
        for side, other in (("left", "right"), ("right", "left")):
            counts = tally.setdefault(vote[f"{side}_take"], [0, 0, 0])
            if vote["choice"] == side:
                counts[0] += 1
            elif vote["choice"] == "tie":
                counts[1] += 1
            elif vote["choice"] in (other, "both_bad"):
                counts[2] += 1
    return [
        [t.id, t.variant, t.created_by, t.created_at, t.record.get("motion_score"), t.record.get("flicker_score"),
         t.record.get("generation_time_s"), "/".join(str(n) for n in tally.get(t.id, [0, 0, 0]))]
        for t in desk.store.takes(title_id, shot_id)
    ]


def build_library_tab(desk: ReviewDesk, reviewer: gr.Textbox, page: gr.Blocks) -> None:
    def list_scripts() -> list[dict]:
        """Every script with its shots: title_id, title, segment, age_bucket, shots[{shot_id, camera_movement, duration_s}]."""
        return [
            {"title_id": str(s.title_id), "title": s.title, "segment": s.segment, "age_bucket": s.age_bucket,
             "shots": [{"shot_id": sh.shot_id, "camera_movement": sh.camera_movement.value, "duration_s": sh.duration_s,
                        "description": sh.description} for sh in s.shots]}
            for s in desk.scripts()
        ]

    gr.api(shown_to_user(list_scripts), api_name="list_scripts")

    with gr.Row():
        segment = gr.Dropdown(["all", *SEGMENTS], value="all", label="Segment")
        age = gr.Dropdown(["all", *AGE_BUCKETS], value="all", label="Age bucket")
        initial = script_choices(desk, None, None)
        script = gr.Dropdown(initial, value=initial[0][1] if initial else None, label="Script")
        status_filter = gr.Dropdown(list(STATUS_FILTERS), value="all", label="Status")
        method_filter = gr.Dropdown(["all", "interp", "ltx"], value="all", label="Method")
        first_choices = shot_choices(desk, initial[0][1], "all", "all") if initial else []
        shot = gr.Dropdown(first_choices, value=first_choices[0][1] if first_choices else None, label="Shot")
    with gr.Row():
        with gr.Column(scale=1):
            details = gr.Markdown()
            keyframes = gr.Gallery(label="Keyframes (click for full size)", columns=3, height=360, allow_preview=True)
        with gr.Column(scale=1):
            takes = gr.Dataframe(headers=TAKE_COLUMNS, label="Takes of this shot", interactive=False, wrap=True)
            with gr.Row():
                take_choice = gr.Dropdown([], label="Take to promote")
                promote = gr.Button("Promote to canonical clip")
            promoted = gr.Markdown()
            with gr.Accordion("Replace a keyframe (operators)", open=False):
                keyframe_choice = gr.Dropdown([], label="Keyframe to replace")
                upload = gr.File(label="New image (PNG/JPEG/WebP, up to 50 megapixels)", file_types=["image"], type="filepath")
                replace = gr.Button("Check and replace")
                replaced = gr.Markdown()

    gr.Markdown("### Generate a take")
    with gr.Row():
        method = gr.Radio(
            [("Interpolation", "interp"), ("LTX-Video (GPU, or a small local model)", "ltx")],
            value="interp", label="Method",
        )
        motion = gr.Slider(0, 1, value=0.5, step=0.05, label="Motion (Ken Burns strength)")
        smooth = gr.Checkbox(value=True, label="Smooth motion (ease in/out)")
        preset = gr.Dropdown(list(X264_PRESETS), value="veryfast", label="Encoder preset (speed vs quality)")
    with gr.Row():
        guidance = gr.Slider(1, 10, value=desk.studio.config.ltx_video.guidance_scale, step=0.5, label="LTX guidance")
        steps = gr.Slider(1, 60, value=8, step=1, label="LTX steps")
        seed = gr.Number(value=desk.studio.config.ltx_video.seed, precision=0, minimum=0, label="LTX seed")
    with gr.Row():
        render = gr.Button("Render take", variant="primary")
        render_script = gr.Button("Render every shot of this script (canonical clips, workspace settings)")
        cancel = gr.Button("Cancel")
    status = gr.Markdown()
    with gr.Row():
        video = gr.Video(label="Result", height=480)
        metadata = gr.JSON(label="Take metadata")

    @shown_to_user
    def on_filter_change(segment_value: str, age_value: str) -> gr.Dropdown:
        choices = script_choices(desk, segment_value, age_value)
        return gr.Dropdown(choices, value=choices[0][1] if choices else None)

    @shown_to_user
    def on_script_change(title_id: str | None, status_value: str, method_value: str) -> gr.Dropdown:
        if not title_id:
            return gr.Dropdown([], value=None)
        choices = shot_choices(desk, title_id, status_value, method_value)
        return gr.Dropdown(choices, value=choices[0][1] if choices else None)

    @shown_to_user
    def on_shot_change(title_id: str | None, shot_id: str | None) -> dict:
        if not title_id or not shot_id:
            return {details: "", keyframes: [], takes: [], take_choice: gr.Dropdown([], value=None),
                    keyframe_choice: gr.Dropdown([], value=None)}
        script_value, shot_value = desk.shot(title_id, shot_id)
        paths = [str(p) for p in desk.workspace.keyframe_paths(script_value, shot_value) if p.is_file()]
        times = ", ".join(f"{t:g} s" for t in shot_value.keyframe_times_s)
        rows = take_rows(desk, title_id, shot_id)
        return {
            details: (
                f"**{script_value.title}** · {shot_value.shot_id}\n\n{shot_value.description}\n\n"
                f"Camera: `{shot_value.camera_movement.value}` · {shot_value.duration_s:g} s · keyframes at {times}"
                + (f"\n\n> {shot_value.narration}" if shot_value.narration else "")
            ),
            keyframes: paths,
            takes: rows,
            take_choice: gr.Dropdown([row[0] for row in rows], value=rows[-1][0] if rows else None),
            keyframe_choice: gr.Dropdown([k.file for k in shot_value.keyframes], value=shot_value.keyframes[0].file),
        }

    @shown_to_user
    def on_render_click(title_id, shot_id, method_value, motion_value, smooth_value, preset_value,
                        guidance_value, steps_value, seed_value, who):
        """Render a new take of a shot; yields progress, then the video and its metadata."""
        if not title_id or not shot_id:
            raise StudioError("choose a script and a shot first")
        ltx = {"guidance_scale": guidance_value, "steps": int(steps_value), "seed": int(seed_value)} if method_value == "ltx" else {}
        settings = TakeSettings.parse(method=method_value, motion=motion_value, smooth_motion=smooth_value, preset=preset_value, **ltx)
        listener = CancellableProgress()
        work = lambda: desk.render_take(  # noqa: E731
            title_id, shot_id, settings, who=(who or "").strip() or "anonymous", progress=listener)
        take = yield from in_background(work, listener, lambda: {
            status: f"Rendering… {listener.frames}/{listener.total_frames} frames ({listener.fraction:.0%})"})
        yield {
            status: f"Take `{take.id}` rendered in {take.record['generation_time_s']:.1f} s.",
            video: str(desk.workspace.root / take.video_path),
            metadata: {"take": take.id, "variant": take.variant, **take.record},
        }

    @shown_to_user
    def on_render_script_click(title_id: str | None):
        """Render (or skip when up to date) every shot of a script to its canonical clip."""
        if not title_id:
            raise StudioError("choose a script first")
        listener = CancellableProgress()
        report = yield from in_background(
            lambda: desk.studio.generate(Selection(title_id=title_id), progress=listener), listener,
            lambda: f"Rendering the script… shot {listener.shots_done + 1}, {listener.fraction:.0%} of all frames",
        )
        failures = "".join(f"\n- {o.label}: {o.message}" for o in report.failed)
        yield f"Script done: {report.summary()}.{failures}"

    @shown_to_user
    def on_replace_click(title_id: str | None, shot_id: str | None, file_name: str | None, upload_path: str | None) -> str:
        if not (title_id and shot_id and file_name):
            raise StudioError("choose a shot and the keyframe to replace first")
        if not upload_path:
            raise StudioError("choose an image file to upload first")
        path = desk.replace_keyframe(title_id, shot_id, file_name, Path(upload_path))
        return f"`{desk.workspace.relative(path)}` replaced (the old one is under `replaced/`); render the shot again."

    @shown_to_user
    def on_promote_click(take_id: str | None) -> str:
        if not take_id:
            raise StudioError("render or choose a take first")
        path = desk.promote(take_id)
        return f"Take `{take_id}` is now `{desk.workspace.relative(path)}`; the title's metadata is updated."

    segment.change(on_filter_change, [segment, age], script, api_visibility="private")
    age.change(on_filter_change, [segment, age], script, api_visibility="private")
    for trigger in (script, status_filter, method_filter):
        trigger.change(on_script_change, [script, status_filter, method_filter], shot, api_visibility="private")
    shot.change(on_shot_change, [script, shot], [details, keyframes, takes, take_choice, keyframe_choice], api_name="shot_details")
    rendering = render.click(
        on_render_click, [script, shot, method, motion, smooth, preset, guidance, steps, seed, reviewer], [status, video, metadata],
        api_name="render_shot", concurrency_limit=1, concurrency_id="render",
    )
    rendering.then(on_shot_change, [script, shot], [details, keyframes, takes, take_choice, keyframe_choice], api_visibility="private")
    rendering_script = render_script.click(
        on_render_script_click, script, status, api_name="render_script", concurrency_limit=1, concurrency_id="render"
    )
    rendering_script.then(on_shot_change, [script, shot], [details, keyframes, takes, take_choice, keyframe_choice], api_visibility="private")
    cancel.click(None, None, None, cancels=[rendering, rendering_script], api_visibility="private")
    promote.click(on_promote_click, take_choice, promoted, api_name="promote_take")
    replace.click(on_replace_click, [script, shot, keyframe_choice, upload], replaced, api_name="replace_keyframe").then(
        on_shot_change, [script, shot], [details, keyframes, takes, take_choice, keyframe_choice], api_visibility="private"
    )
    page.load(on_shot_change, [script, shot], [details, keyframes, takes, take_choice, keyframe_choice], api_visibility="private")
