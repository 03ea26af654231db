"""How the Library shows a shot's takes: human labels, units, the promoted one marked."""

from __future__ import annotations

from typing import Any

import gradio as gr

from studio.domain import Shot
from studio.domain.motion import inert_interpolation_controls
from studio.services import ReviewDesk
from studio.store import Take

TAKE_COLUMNS = ["take", "by", "motion", "flicker", "render s", "won / tied / lost"]
# The take's label gets room and wraps between its words; on a 412 px phone each other column still holds its
# longest word whole ('flicker', 'render', 'tied /', a name such as 'Walker'; page.css sets the phone's type).
TAKE_COLUMN_WIDTHS = ["32%", "14%", "14%", "13%", "14%", "13%"]
MEASURES_NOTE = ("Motion: mean change between frames, in grey levels per frame (0–255); higher moves more. "
                 "Flicker: brightness jitter between frames, in grey levels; lower is steadier. "
                 "★ marks the promoted take, the shot's canonical clip.")
NO_TAKES = "No takes of this shot yet: render one below, then a second one to compare them in Compare & vote."


def takes_table(rows: list[list[Any]]) -> gr.Dataframe:
    """The takes table's update: hidden while the shot has no takes (the note says why), not an empty grid."""
    return gr.Dataframe(value=rows, visible=bool(rows))


def take_label(number: int, take: Take, promoted: bool) -> str:
    """'take 3 · interp motion 0.90 smooth · 18:55', starred when it is the canonical clip."""
    at = take.created_at.replace("T", " ")[11:16]
    return f"{'★ ' if promoted else ''}take {number} · {take.variant} · {at}"


def _figure(value: Any) -> Any:
    return round(value, 2) if isinstance(value, float) else value


def take_rows(desk: ReviewDesk, title_id: str, shot_id: str) -> tuple[list[list[Any]], list[tuple[str, str]]]:
    """The takes table (oldest first) and the take choices, labelled for people, valued by id."""
    promoted = desk.promoted_take_id(title_id, shot_id)
    rows, choices = [], []
    for number, (take, tally) in enumerate(desk.takes_with_tallies(title_id, shot_id), start=1):
        label = take_label(number, take, take.id == promoted)
        rows.append([label, take.created_by, _figure(take.record.get("motion_score")),
                     _figure(take.record.get("flicker_score")), _figure(take.record.get("generation_time_s")),
                     f"{tally.won} / {tally.tied} / {tally.lost}"])
        choices.append((label, take.id))
    return rows, choices


def inert_controls_note(shot: Shot) -> str:
    """Said beside a shot whose interpolation takes some controls cannot change, so takes that differ only by
    them are not mistaken for a choice ('' when every control counts)."""
    inert = inert_interpolation_controls(shot.camera_movement, len(shot.keyframes))
    if not inert:
        return ""
    still = " with one keyframe: every interpolation take of it is the same still picture" if len(shot.keyframes) < 2 else ""
    return f"Interpolation: the camera is static{still}; {', '.join(inert)} change nothing here."
