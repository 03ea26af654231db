"""Library and Generate: browse scripts and shots, render takes, promote one."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from studio.config import X264_PRESETS
from studio.domain import AGE_BUCKETS, SEGMENTS
from studio.errors import StudioError
from studio.services import FrameCounter, ReviewDesk, TakeSettings
from studio.services.access import require_operator
from studio.ui.background import cancel_click, queued_note, refusal_in_status, render_progress
from studio.ui.errors import listen, shown_to_user
from studio.ui.identity import Gate
from studio.ui.library_lists import (
    STATUS_FILTERS, canonical_text, depth_source_note, plan_controls, script_choices, script_listing, shot_choices,
    rendered_take_note, take_fields,
)
from studio.ui.scripts import broken_scripts_note
from studio.ui.takes_view import (
    MEASURES_NOTE, NO_TAKES, TAKE_COLUMN_WIDTHS, TAKE_COLUMNS, inert_controls_note, take_rows, takes_table,
)

DEFAULT_TAKE = TakeSettings()  # the controls start at a take's own defaults (the API's, too)

TAB = "library"  # what this tab's Cancel button reaches


def build_library_tab(desk: ReviewDesk, reviewer: gr.Textbox, page: gr.Blocks, gate: Gate,
                      tab: gr.Tab | None = None) -> list[gr.Button]:
    """The library tab; returns its operator-only buttons (the page enables them for operators)."""
    def list_scripts() -> list[dict]:
        """Every script with its shots: title_id, title, segment, age_bucket, shots[{shot_id, camera_movement, duration_s}]."""
        return script_listing(desk)

    gr.api(shown_to_user(list_scripts), api_name="list_scripts")

    initial = script_choices(desk, None, None)
    first_shots = shot_choices(desk, initial[0][1], "all", "all") if initial else []
    # The first shot's plan, so the controls (and the API's defaults) start where a take of it would.
    start = plan_controls(desk, initial[0][1], first_shots[0][1]) if first_shots else None
    config = desk.config
    with gr.Row(equal_height=True):
        segment = gr.Dropdown(["all", *SEGMENTS], value="all", label="Segment", min_width=120)
        age = gr.Dropdown(["all", *AGE_BUCKETS], value="all", label="Age bucket", min_width=120)
        status_filter = gr.Dropdown(list(STATUS_FILTERS), value="all", label="Shot status", min_width=140)
        method_filter = gr.Dropdown(["all", "interp", "ltx"], value="all", label="Shot method", min_width=120)
    with gr.Row(equal_height=True):
        # Custom values are allowed so API clients can name any script or shot; the services check them.
        script = gr.Dropdown(initial, value=initial[0][1] if initial else None, label="Script", scale=2,
                             allow_custom_value=True)
        shot = gr.Dropdown(first_shots, value=first_shots[0][1] if first_shots else None, label="Shot", scale=3,
                           elem_id="shot-choice", allow_custom_value=True)
    broken = gr.Markdown(broken_scripts_note(desk), elem_id="broken-scripts")
    with gr.Row():
        with gr.Column(scale=2):
            details = gr.Markdown()
        with gr.Column(scale=3):
            keyframes = gr.Gallery(label="Keyframes (file · time; click for full size)", columns=4, height="auto",
                                   object_fit="contain", allow_preview=True, elem_id="keyframes")
            depth_maps = gr.Gallery(label="Depth (near light, far dark; shown once a render with depth estimated it)",
                                    columns=4, height="auto", object_fit="contain", allow_preview=True,
                                    elem_id="depth-maps")
    takes = gr.Dataframe(headers=TAKE_COLUMNS, label="Takes of this shot", interactive=False, wrap=True,
                         elem_id="takes-table", column_widths=TAKE_COLUMN_WIDTHS, visible=False)
    takes_note = gr.Markdown(NO_TAKES, elem_id="takes-note")
    with gr.Row(equal_height=True):
        take_choice = gr.Dropdown([], label="Take to promote (operators)", allow_custom_value=True, scale=3)
        promote = gr.Button("Promote to canonical clip", interactive=False, scale=1)
        unpin = gr.Button("Unpin (batches may replace it)", scale=1, interactive=False, elem_id="library-unpin")
    promoted = gr.Markdown()
    with gr.Accordion("Canonical clip (what batches and assembly use)", open=False):
        canonical_note = gr.Markdown(elem_id="canonical-note")
        canonical_video = gr.Video(label="Canonical clip", height=360, elem_id="canonical-clip")
    with gr.Accordion("Replace a keyframe (operators)", open=False):
        with gr.Row():
            keyframe_choice = gr.Dropdown([], label="Keyframe to replace", allow_custom_value=True)
            upload = gr.File(label="New image (PNG/JPEG/WebP, up to 50 megapixels)", file_types=["image"], type="filepath")
        replace = gr.Button("Check and replace")
        replaced = gr.Markdown()

    gr.Markdown("### Generate a take")
    with gr.Row():
        ltx_missing = desk.ltx_unavailable()
        method = gr.Radio(
            [("Interpolation", "interp"),
             ("LTX-Video (unavailable here)" if ltx_missing else "LTX-Video (GPU, or a small local model)", "ltx")],
            value="interp", label="Method",
        )
        motion = gr.Slider(0, 1, value=DEFAULT_TAKE.motion, step=0.05,
                           label="Motion (Ken Burns strength; LTX: keyframe freedom)")
        smooth = gr.Checkbox(value=DEFAULT_TAKE.smooth_motion, label="Smooth motion (ease in/out)")
        preset = gr.Dropdown(list(X264_PRESETS), value=DEFAULT_TAKE.preset, label="Encoder preset (speed vs quality)")
    with gr.Row():
        depth = gr.Checkbox(value=config.interpolation.depth.enabled, elem_id="depth-enabled",
                            label="Depth parallax (the camera moves through the scene, near things more; not for LTX)",
                            info=depth_source_note(config.interpolation.depth.model))
        depth_strength = gr.Slider(0, 1, value=config.interpolation.depth.strength, step=0.05, elem_id="depth-strength",
                                   label="Depth strength (0: plain Ken Burns; 1: far stays put, near moves twice as far)")
    if ltx_missing:
        gr.Markdown(f"**LTX-Video is unavailable here:** it {ltx_missing}. Interpolation works everywhere.",
                    elem_id="ltx-unavailable")
    with gr.Row():
        # Steps and guidance start from the chosen shot's render plan (on_shot_plan sets them).
        guidance = gr.Slider(1, 10, step=0.5, label="LTX guidance", interactive=False,
                             value=start["guidance_scale"] if start else None)
        steps = gr.Slider(1, 60, step=1, label="LTX steps", interactive=False, value=start["steps"] if start else None)
        # No precision: a seed of 1.5 is refused, not rounded on the way in.
        seed = gr.Number(value=config.ltx_video.seed, minimum=0, label="LTX seed", interactive=False)
        two_stage = gr.Checkbox(value=config.ltx_video.two_stage, interactive=False,
                                label="LTX two-stage recipe (upsample and refine, where the model has one; off: a quicker preview)")
        camera_lora = gr.Checkbox(value=config.ltx_video.camera_lora, interactive=False,
                                  label="Camera LoRA (steer the model with the shot's camera move, where the preset has one)")
    with gr.Row():
        render = gr.Button("Render take", variant="primary")
        render_script = gr.Button("Render every shot of this script (canonical clips, workspace settings)")
        cancel = gr.Button("Cancel")
        render_api = gr.Button("render_shot", visible=False)
        render_script_api = gr.Button("render_script", visible=False)
    status = gr.Markdown(elem_id="render-status")
    with gr.Row():
        video = gr.Video(label="Result", height=480)
        with gr.Accordion("Take metadata (every recorded field)", open=False):
            metadata = gr.JSON(label="Take metadata")

    @shown_to_user
    def on_filter_change(segment_value: str, age_value: str) -> gr.Dropdown:
        choices = script_choices(desk, segment_value, age_value)
        return gr.Dropdown(choices, value=choices[0][1] if choices else None)

    @shown_to_user
    def on_script_change(title_id: str | None, status_value: str, method_value: str, current: str | None = None) -> gr.Dropdown:
        """The shot list with fresh status labels; keeps the chosen shot when it still passes the filters."""
        if not title_id:
            return gr.Dropdown([], value=None)
        choices = shot_choices(desk, title_id, status_value, method_value)
        values = [value for _, value in choices]
        return gr.Dropdown(choices, value=current if current in values else (values[0] if values else None))

    def shot_view(title_id: str, shot_id: str, rows: list, take_choices: list) -> dict:
        """What the page shows of a shot, as plain values (the /shot_details API returns these as they are);
        `rows` and `take_choices` are its takes as take_rows gives them."""
        script_value, shot_value = desk.shot(title_id, shot_id)
        clips = desk.shot_statuses(title_id)[shot_id].clips
        paths = desk.keyframe_paths(title_id, shot_id)
        problems = desk.keyframe_problems(title_id, shot_id)  # a broken file shows here, not first at render time
        broken_note = "".join(
            ["\n\n**A keyframe cannot be used; renders of this shot are refused until it is replaced "
             "(Replace a keyframe, below):**" if problems else "",
             *(f"\n- `{name}`: {problem}" for name, problem in problems.items())])
        return {
            "details": (
                f"**{script_value.title}** · {shot_value.shot_id}\n\n{shot_value.description}\n\n"
                f"Camera: `{shot_value.camera_movement.value}` · {shot_value.duration_s:g} s · "
                f"{len(shot_value.keyframes)} keyframe(s)"
                + (f"\n\nStyle: {style}" if (style := script_value.style_of(shot_value)) else "")
                + (f"\n\nGenerative camera control: {lora}" if (lora := desk.camera_lora_label(shot_value)) else "")
                + (f"\n\n{inert}" if (inert := inert_controls_note(shot_value)) else "")
                + (f"\n\n> {shot_value.narration}" if shot_value.narration else "")
                + broken_note
            ),
            # Workspace-relative names ("path" keys would make gradio_client download them as files).
            "keyframes": [{"file": path.name, "time_s": time_s, "workspace_file": desk.workspace_file(path),
                           "problem": problems.get(path.name)}
                          for path, time_s in zip(paths, shot_value.keyframe_times_s, strict=True)],
            "takes": [dict(zip(TAKE_COLUMNS, row, strict=True)) | {"id": take_id}
                      for row, (_, take_id) in zip(rows, take_choices, strict=True)],
            "takes_note": takes_note_text(title_id, shot_id, rows),
            "depth_maps": [{"workspace_file": desk.workspace_file(path), "name": name}
                           for path, name in desk.depth_previews(title_id, shot_id)],
            "pinned": any(clip.pin is not None for clip in clips),
            "canonical": [{"method": clip.method, "workspace_file": desk.workspace_file(clip.path),
                           "state": clip.describe()} for clip in clips],
            "generative_controls": plan_controls(desk, title_id, shot_id),
        }

    def shot_details(title_id: str | None, shot_id: str | None) -> dict:
        """A shot as plain data: details (markdown), keyframes [{file, time_s, workspace_file, problem}], takes [{take,
        by, motion, flicker, render s, won / tied / lost, id}], takes_note, depth_maps [{workspace_file, name}], pinned,
        canonical [{method, workspace_file, state}] (its canonical clips, with how each was made), generative_controls
        {steps, guidance_scale, seed, two_stage, camera_lora} (what an LTX take starts from; null while ltx_video
        does not resolve)."""
        if not title_id or not shot_id:
            raise StudioError("choose a script and a shot first")
        return shot_view(title_id, shot_id, *take_rows(desk, title_id, shot_id))

    @shown_to_user
    def on_shot_change(title_id: str | None, shot_id: str | None, request: gr.Request | None = None,
                       profile: gr.OAuthProfile | None = None) -> dict:
        operator = gate.caller(request, profile).is_operator
        if not title_id or not shot_id:
            return {details: "Choose a script and a shot above (the filters may hide every shot).", keyframes: [],
                    depth_maps: [], canonical_note: "", canonical_video: None,
                    takes: takes_table([]), takes_note: NO_TAKES, take_choice: gr.Dropdown([], value=None),
                    promote: gr.Button(interactive=False), keyframe_choice: gr.Dropdown([], value=None)}
        rows, take_choices = take_rows(desk, title_id, shot_id)
        view = shot_view(title_id, shot_id, rows, take_choices)
        _, shot_value = desk.shot(title_id, shot_id)
        return {
            details: view["details"],
            keyframes: [(str(desk.workspace_path(k["workspace_file"])), f"{k['file']} · {k['time_s']:g} s")
                        for k in view["keyframes"] if not k["problem"]],
            depth_maps: [(str(desk.workspace_path(d["workspace_file"])), d["name"]) for d in view["depth_maps"]],
            takes: takes_table(rows),
            takes_note: view["takes_note"],
            take_choice: gr.Dropdown(take_choices, value=take_choices[-1][1] if take_choices else None,
                                     interactive=operator),
            promote: gr.Button(interactive=bool(rows) and operator),
            # Operators choose what to promote and unpin; Unpin only while a canonical clip of the shot is pinned.
            unpin: gr.Button(interactive=operator and view["pinned"]),
            keyframe_choice: gr.Dropdown([k.file for k in shot_value.keyframes], value=shot_value.keyframes[0].file),
            canonical_note: canonical_text(view["canonical"]),
            canonical_video: next((str(desk.workspace_path(clip["workspace_file"])) for clip in view["canonical"]), None),
        }

    @shown_to_user
    def on_shot_plan(title_id: str | None, shot_id: str | None) -> dict:
        """The LTX controls set to the chosen shot's render plan when the shot changes (not after a render, so a
        reviewer's own values stay between takes); left as they are while ltx_video does not resolve."""
        controls = plan_controls(desk, title_id, shot_id) if title_id and shot_id else None
        if controls is None:
            return {steps: gr.skip()}  # nothing changes (an empty dict would read as one value to gradio)
        return {steps: controls["steps"], guidance: controls["guidance_scale"], seed: controls["seed"],
                two_stage: controls["two_stage"], camera_lora: controls["camera_lora"]}

    def takes_note_text(title_id: str | None, shot_id: str | None, rows: list) -> str:
        """What the takes table's figures mean; and when its takes all look alike, that they are not compared."""
        if not rows:
            return NO_TAKES
        alike = desk.alike_takes_note(title_id, shot_id) if title_id and shot_id else None
        return f"{alike}\n\n{MEASURES_NOTE}" if alike else MEASURES_NOTE

    def on_method_change(method_value: str) -> dict:
        """The LTX controls follow the method; Render waits while the chosen method cannot run here (the note above
        says why, once), so nobody renders into a refusal."""
        ltx = method_value == "ltx"
        blocked = ltx and desk.ltx_unavailable() is not None
        return {guidance: gr.Slider(interactive=ltx), steps: gr.Slider(interactive=ltx), seed: gr.Number(interactive=ltx),
                two_stage: gr.Checkbox(interactive=ltx), camera_lora: gr.Checkbox(interactive=ltx),
                render: gr.Button(interactive=not blocked,
                                  value="Render take (LTX cannot run here: see above)" if blocked else "Render take")}

    # Gradio passes every control's value (an API caller's omitted ones are the controls'); None: TakeSettings' own.
    def on_render_click(title_id: str, shot_id: str, method: str, motion: float, smooth_motion: bool, preset: str,
                        guidance_scale: float, steps: int, seed: int, who: str | None = None,
                        two_stage: bool | None = None, camera_lora: bool | None = None, depth: bool | None = None,
                        depth_strength: float | None = None, request: gr.Request | None = None,
                        profile: gr.OAuthProfile | None = None):
        """Render a new take of a shot; yields progress, then the status, the video and its metadata. An omitted value
        is its control's: for LTX, the first listed shot's plan (/shot_details gives each shot's generative_controls)."""
        if not title_id or not shot_id:
            raise StudioError("choose a script and a shot first")
        # Every value is checked (a seed of 2**40 or 1.5 is refused for any method); only the method's own are kept.
        ltx = {"guidance_scale": guidance_scale, "steps": steps, "seed": seed, "two_stage": two_stage,
               "camera_lora": camera_lora}
        parallax = {"depth": depth, "depth_strength": depth_strength}
        checked = TakeSettings.parse(method=method, motion=motion, smooth_motion=smooth_motion, preset=preset, **ltx,
                                     **parallax)
        settings = checked.model_copy(update=dict.fromkeys(parallax if method == "ltx" else ltx))
        caller = gate.caller(request, profile)
        # A login's name wins over a typed one; a typed one is a reviewer's name, checked and spelled like one.
        name = caller.name or desk.reviewer(who, optional=True)
        desk.check_take(settings)  # a take that cannot run here is refused before any progress line
        counter = FrameCounter()
        take = yield from gate.run(
            caller, request, TAB,
            lambda token: desk.render_take(title_id, shot_id, settings, who=name, progress=counter, cancel=token),
            lambda: {status: render_progress(counter)}, lambda ahead: {status: queued_note(ahead)},
        )
        _, shot_value = desk.shot(title_id, shot_id)
        inert = f" {inert_controls_note(shot_value)}" if settings.method == "interp" else ""
        yield {status: rendered_take_note(take) + inert, video: str(desk.workspace_path(take.video_path)),
               metadata: take_fields(take)}

    def on_render_script_click(title_id: str | None, request: gr.Request | None = None,
                               profile: gr.OAuthProfile | None = None):
        """Render (or skip when up to date) every shot of a script to its canonical clip, each with its method from
        the switches (its stratum's override, else the default)."""
        if not title_id:
            raise StudioError("choose a script first")
        caller = gate.caller(request, profile)
        require_operator(caller, "render every shot of a script")  # before queueing; the desk checks again
        counter = FrameCounter()
        report = yield from gate.run(
            caller, request, TAB, lambda token: desk.render_script(title_id, by=caller, progress=counter, cancel=token),
            lambda: f"Rendering the script… shot {counter.shots_done + 1}, {counter.fraction:.0%} of all frames",
            queued_note,
        )
        failures = "".join(f"\n- {o.label}: {o.message}" for o in report.failed)
        yield f"Script done: {report.summary()}.{failures}"

    @shown_to_user
    def on_replace_click(title_id: str | None, shot_id: str | None, keyframe: str | None, image: str | None,
                         request: gr.Request | None = None, profile: gr.OAuthProfile | None = None) -> str:
        caller = gate.caller(request, profile)
        if not (title_id and shot_id and keyframe):
            raise StudioError("choose a shot and the keyframe to replace first")
        if not image:
            raise StudioError("choose an image file to upload first")
        path = desk.replace_keyframe(title_id, shot_id, keyframe, Path(image), by=caller)
        return f"`{desk.workspace_file(path)}` replaced (the old one is under `replaced/`); render the shot again."

    @shown_to_user
    def on_promote_click(take_id: str | None, request: gr.Request | None = None,
                         profile: gr.OAuthProfile | None = None) -> str:
        caller = gate.caller(request, profile)
        if not take_id:
            raise StudioError("render or choose a take first")
        path = desk.promote(take_id, by=caller)
        return f"Take `{take_id}` is now `{desk.workspace_file(path)}`; the title's metadata is updated."

    @shown_to_user
    def on_unpin_click(title_id: str | None, shot_id: str | None, method: str = "interp",
                       request: gr.Request | None = None, profile: gr.OAuthProfile | None = None) -> str:
        """Let batches replace the shot's pinned (promoted) clip of `method` with a workspace render again."""
        caller = gate.caller(request, profile)
        if not title_id or not shot_id:
            raise StudioError("choose a script and a shot first")
        pin = desk.unpin(title_id, shot_id, method, by=caller)
        return (f"{shot_id} ({method}) is no longer pinned to take {pin.take_id}; the next batch renders it from the "
                "workspace settings unless they already match.")

    shot_outputs = [details, keyframes, takes, take_choice, promote, unpin, keyframe_choice, takes_note, depth_maps,
                    canonical_note, canonical_video]
    filters = [script, status_filter, method_filter]
    for trigger in (segment.change, age.change):
        listen(trigger, on_filter_change, [segment, age], script, api_visibility="private")
    for trigger in filters:
        listen(trigger.change, on_script_change, filters, shot, api_visibility="private")
    listen(shot.change, on_shot_change, [script, shot], shot_outputs, api_visibility="private")
    for chosen in (shot.change, page.load):
        listen(chosen, on_shot_plan, [script, shot], [steps, guidance, seed, two_stage, camera_lora],
               api_visibility="private", show_progress="hidden")
    gr.api(shown_to_user(shot_details), api_name="shot_details")
    listen(method.change, on_method_change, method, [guidance, steps, seed, two_stage, camera_lora, render],
           api_visibility="private")
    # The API's endpoints raise refusals; the page's buttons show them in the status line (no error badges).
    render_inputs = [script, shot, method, motion, smooth, preset, guidance, steps, seed, reviewer, two_stage, camera_lora,
                     depth, depth_strength]
    listen(render_api.click, shown_to_user(on_render_click), render_inputs, [status, video, metadata],
           api_name="render_shot", concurrency_limit=None)  # the app's render line queues and caps renders
    # Render waits while a take renders (a second click would otherwise be dropped without a word).
    busy = {"interactive": False, "value": "Rendering a take…"}
    rendering = listen(render.click(lambda: gr.update(**busy), None, render, api_visibility="private", queue=False).then,
                       refusal_in_status(on_render_click, status, "Not rendered"), render_inputs,
                       [status, video, metadata], api_visibility="private", concurrency_limit=None)
    listen(rendering.then, on_method_change, method, [guidance, steps, seed, two_stage, camera_lora, render],
           api_visibility="private")
    listen(render_script_api.click, shown_to_user(on_render_script_click), script, status, api_name="render_script",
           concurrency_limit=None)
    rendering_script = listen(render_script.click, refusal_in_status(on_render_script_click, status, "Not rendered"),
                              script, status, api_visibility="private", concurrency_limit=None)
    cancel.click(cancel_click(gate.cancels, TAB), None, status, api_visibility="private")
    promoting = listen(promote.click, on_promote_click, take_choice, promoted, api_name="promote_take")
    unpinning = listen(unpin.click, on_unpin_click, [script, shot, method], promoted, api_name="unpin_take")
    for finished in (rendering, rendering_script, promoting, unpinning):  # the status labels and takes read again
        listed_again = listen(finished.then, on_script_change, [*filters, shot], shot, api_visibility="private")
        listen(listed_again.then, on_shot_change, [script, shot], shot_outputs, api_visibility="private")
    replaced_now = listen(replace.click, on_replace_click, [script, shot, keyframe_choice, upload], replaced,
                          api_name="replace_keyframe")
    listen(replaced_now.then, on_shot_change, [script, shot], shot_outputs, api_visibility="private")
    listen(page.load, on_shot_change, [script, shot], shot_outputs, api_visibility="private")

    listed = gr.State(None)  # what this page's lists last showed (one per browser session)

    def on_lists_open(segment_value: str, age_value: str, title_id: str | None, status_value: str, method_value: str,
                      shot_id: str | None, shown: tuple | None) -> dict:
        """The script and shot lists and the broken-file note read again from the files (a script added, fixed
        or broken while the app runs shows at once); the chosen script and shot stay while they are listed.
        Lists that did not change are not sent again: replacing a dropdown's choices while it opens redraws it
        under the pointer."""
        choices = script_choices(desk, segment_value, age_value)
        titles = [value for _, value in choices]
        chosen = title_id if title_id in titles else (titles[0] if titles else None)
        shots = shot_choices(desk, chosen, status_value, method_value) if chosen else []
        shot_ids = [value for _, value in shots]
        shot_chosen = shot_id if shot_id in shot_ids else (shot_ids[0] if shot_ids else None)
        note = broken_scripts_note(desk)
        now = (tuple(choices), chosen, tuple(shots), shot_chosen, note)
        if now == shown:
            return {listed: shown}  # nothing to send (an empty dict would read as one value to gradio)
        return {script: gr.Dropdown(choices, value=chosen), broken: note,
                shot: gr.Dropdown(shots, value=shot_chosen), listed: now}

    lists = [segment, age, script, status_filter, method_filter, shot, listed]
    for opened in (page.load, script.focus, shot.focus, *([tab.select] if tab is not None else [])):
        listen(opened, on_lists_open, lists, [script, shot, broken, listed], api_visibility="private",
               show_progress="hidden")
    if tab is not None:
        def on_tab_select(title_id: str | None, shot_id: str | None) -> dict:
            """The takes table brought up to date (votes cast on Compare & vote change its won/tied/lost)."""
            rows, _ = take_rows(desk, title_id, shot_id) if title_id and shot_id else ([], [])
            return {takes: takes_table(rows), takes_note: takes_note_text(title_id, shot_id, rows)}

        listen(tab.select, on_tab_select, [script, shot], [takes, takes_note], api_visibility="private",
               show_progress="hidden")
    page.load(shown_to_user(lambda: broken_scripts_note(desk)), None, broken, api_visibility="private")
    return [render_script, replace]  # Unpin follows the shot (on_shot_change): operators, and only while pinned
