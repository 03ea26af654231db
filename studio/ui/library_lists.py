"""What the Library lists and says: the script and shot choices under its filters, a take or canonical clip in a
line, where the depth model comes from."""

from __future__ import annotations

from textwrap import shorten

from studio.errors import StudioError
from studio.services import ReviewDesk
from studio.store import Take


def take_summary(record: dict) -> str:
    """A take's record in a line: its length and measures, and for a generated one its model and sampling."""
    parts = [f"{record['num_frames']} frames at {record['fps']} fps", f"motion {record['motion_score']:.2f}",
             f"flicker {record['flicker_score']:.2f}"]
    if record.get("model"):
        parts.append(f"{record['model_family']} `{record['model']}`, seed {record['seed']}, "
                     f"{record['num_inference_steps']} steps, guidance {record['guidance_scale']:g}")
    return ", ".join(parts)


STATUS_FILTERS = ("all", "not rendered", "takes only", "rendered", "out of date", "flagged bad")


def script_choices(desk: ReviewDesk, segment: str | None, age: str | None) -> list[tuple[str, str]]:
    return [
        (f"{s.title} ({s.segment} {s.age_bucket})", str(s.title_id))
        for s in desk.scripts()
        if segment in (None, "", "all", s.segment) and age in (None, "", "all", s.age_bucket)
    ]


def shot_choices(desk: ReviewDesk, title_id: str, status: str, method: str) -> list[tuple[str, str]]:
    """Shots of a script that pass the filters, labelled with their status."""
    statuses = desk.shot_statuses(title_id)
    choices = []
    for shot in desk.script(title_id).shots:
        state = statuses[shot.shot_id]
        if status not in ("all", None, "") and state.label != status:
            continue
        if method not in ("all", None, "") and not state.has_method(method):
            continue
        pinned = ", pinned" if state.pinned else ""  # a pinned clip stays out of date until it is unpinned
        choices.append((f"{shot.shot_id} [{state.label}{pinned}]: {shorten(shot.description, 50, placeholder='…')}", shot.shot_id))
    return choices


def canonical_text(clips: list[dict]) -> str:
    """The shot's canonical clips, each with how it was made (the player shows the first)."""
    if not clips:
        return "No canonical clip yet: a batch renders one, or an operator promotes a take."
    return "\n".join(f"- **{clip['method']}** `{clip['workspace_file']}`: {clip['state']}" for clip in clips)


def depth_source_note(model: str) -> str:
    """Where the depth model comes from, so nobody is surprised by a download (or its refusal offline)."""
    if "/" in model and not model.startswith((".", "/", "~")) and model.count("/") == 1:
        return (f"Its depth model, {model}, is downloaded once from the Hugging Face hub on first use; without "
                "network access set interpolation.depth.model to a folder.")
    return f"Its depth model is the folder {model} (interpolation.depth.model)."


def script_listing(desk: ReviewDesk) -> list[dict]:
    """Every script with its shots: title_id, title, segment, age_bucket, shots[{shot_id, camera_movement, duration_s}]."""
    return [
        {"title_id": str(s.title_id), "title": s.title, "segment": s.segment, "age_bucket": s.age_bucket,
         "shots": [{"shot_id": sh.shot_id, "camera_movement": sh.camera_movement.value, "duration_s": sh.duration_s,
                    "description": sh.description} for sh in s.shots]}
        for s in desk.scripts()
    ]


def plan_controls(desk: ReviewDesk, title_id: str, shot_id: str) -> dict | None:
    """The LTX controls a take of the shot starts from, from its render plan; None while ltx_video does not
    resolve (a render then says why)."""
    try:
        controls = desk.generative_controls(title_id, shot_id)
    except StudioError:
        return None
    return controls.model_dump(include={"steps", "guidance_scale", "seed", "two_stage", "camera_lora"})


def rendered_take_note(take: Take) -> str:
    return f"Take `{take.id}` rendered in {take.record['generation_time_s']:.1f} s: {take_summary(take.record)}."


def take_fields(take: Take) -> dict:
    """The fields this take has: an interpolation take has no model, seed or steps, so those are left out."""
    return {"take": take.id, "variant": take.variant, **{name: value for name, value in take.record.items()
                                                          if value is not None}}
