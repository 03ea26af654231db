"""The assembly plan: where each shot starts and ends in the finished video, on frame boundaries.

Video time is narration time shifted so the first shot opens `lead_in_s`
before the first word. Between two shots the boundary falls in the pause
between their narrations, by the pause rule:

- `split`: in the middle of the pause;
- `extend_previous`: `lead_in_s` before the next shot's narration (the
  previous shot holds through the pause);
- `hold_next`: `lead_out_s` after the previous shot's narration (the next
  shot opens early and holds until its words).

The last shot ends `lead_out_s` after the last word. Every boundary is rounded
to a whole frame. A transition of D frames is centred on its boundary: the
shot before runs D/2 frames past it and the shot after starts D/2 frames
early, so the boundary stays where the narration puts it whatever the
transition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from studio.domain.narration import ShotNarration
from studio.errors import NarrationError

PauseRule = Literal["split", "extend_previous", "hold_next"]
# Transition names; "crossfade" is xfade's "fade", the others are xfade's own names.
TRANSITIONS: tuple[str, ...] = (
    "cut", "crossfade", "fadeblack", "fadewhite", "dissolve", "wipeleft", "wiperight", "wipeup", "wipedown",
    "slideleft", "slideright", "slideup", "slidedown", "circleopen", "circleclose", "radial", "pixelize",
)


def xfade_name(transition: str) -> str:
    return "fade" if transition == "crossfade" else transition


@dataclass(frozen=True)
class FitSettings:
    fps: int = 30
    lead_in_s: float = 0.3
    lead_out_s: float = 0.5
    pause: PauseRule = "split"
    transition: str = "cut"
    transition_s: float = 0.5
    min_shot_s: float = 0.5


MAX_TRANSITION_S = 3.0
"""The longest transition, as `assembly.transition_s` allows."""


@dataclass(frozen=True)
class Edits:
    """An operator's changes: a shot's start moved (video seconds), a transition into a shot changed.

    Checked when made: starts are finite numbers, transitions known names of 0 to 3 s (a cut is 0 s).
    Whether they fit the narration is checked by `plan_assembly`, which refuses what does not fit.
    """

    starts_s: dict[str, float] = field(default_factory=dict)
    transitions: dict[str, tuple[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for shot_id, start in self.starts_s.items():
            if not math.isfinite(start):
                raise NarrationError(f"{shot_id}: the start must be a number of seconds, not {start!r}")
        for shot_id, (name, seconds) in self.transitions.items():
            if name not in TRANSITIONS:
                raise NarrationError(f"{shot_id}: unknown transition {name!r}; choose one of {', '.join(TRANSITIONS)}")
            if not (math.isfinite(seconds) and 0 <= seconds <= MAX_TRANSITION_S):
                raise NarrationError(f"{shot_id}: a transition lasts 0 to {MAX_TRANSITION_S:g} s, not {seconds!r} s")


@dataclass(frozen=True)
class PlannedShot:
    shot_id: str
    narration: ShotNarration
    start_frame: int
    """First frame that belongs to this shot alone or mostly (its boundary), in the finished video."""
    end_frame: int
    """The next shot's boundary (exclusive)."""
    head_frames: int
    """Frames before start_frame that this clip shows under the incoming transition."""
    tail_frames: int
    """Frames after end_frame that this clip shows under the outgoing transition."""
    transition_in: str
    """Transition from the previous shot into this one ('cut' for the first)."""
    target_start_s: float
    """Where the narration puts this shot's start, in video seconds, before rounding to a frame."""

    @property
    def clip_frames(self) -> int:
        return self.head_frames + (self.end_frame - self.start_frame) + self.tail_frames

    @property
    def clip_start_frame(self) -> int:
        return self.start_frame - self.head_frames

    @property
    def overlap_in(self) -> int:
        """The clip's first frames that mix with the previous shot (the whole incoming transition)."""
        return 2 * self.head_frames

    @property
    def overlap_out(self) -> int:
        """The clip's last frames that mix with the next shot."""
        return 2 * self.tail_frames

    @property
    def cut_points(self) -> tuple[int, ...]:
        """Frames where the clip is split: the ends of its transitions, so only those are re-encoded."""
        points = {self.overlap_in, self.clip_frames - self.overlap_out}
        return tuple(sorted(p for p in points if 0 < p < self.clip_frames))


@dataclass(frozen=True)
class AssemblyPlan:
    fps: int
    audio_offset_s: float
    """Narration time at the video's first frame (negative: the audio starts that much after it)."""
    total_frames: int
    shots: list[PlannedShot]
    warnings: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return self.total_frames / self.fps

    @property
    def cuts_only(self) -> bool:
        return all(shot.transition_in == "cut" for shot in self.shots)

    def video_time(self, narration_s: float) -> float:
        return narration_s - self.audio_offset_s


def _pause_boundary(previous: ShotNarration, following: ShotNarration, settings: FitSettings) -> float:
    if settings.pause == "extend_previous":
        return max(previous.end_s, following.start_s - settings.lead_in_s)
    if settings.pause == "hold_next":
        return min(following.start_s, previous.end_s + settings.lead_out_s)
    return (previous.end_s + following.start_s) / 2


def plan_assembly(spans: list[ShotNarration], settings: FitSettings, edits: Edits | None = None) -> AssemblyPlan:
    """Frame-exact shot boundaries and transitions for narration `spans` (in shot order, checked)."""
    edits = edits or Edits()
    fps = settings.fps
    offset = spans[0].start_s - settings.lead_in_s
    boundaries_s = [0.0]
    for previous, following in zip(spans, spans[1:]):
        boundary = _pause_boundary(previous, following, settings) - offset
        boundaries_s.append(edits.starts_s.get(following.shot_id, boundary))
    boundaries_s.append(spans[-1].end_s + settings.lead_out_s - offset)
    for span, start in zip(spans[1:], boundaries_s[1:-1]):
        if span.shot_id in edits.starts_s and not 0 < start < boundaries_s[-1]:
            end_s = round(boundaries_s[-1] * fps) / fps
            raise NarrationError(f"{span.shot_id}: a start of {start:g} s is outside the video (0 to {end_s:.2f} s)")
    frames = [round(b * fps) for b in boundaries_s]
    minimum = max(1, round(settings.min_shot_s * fps))
    for span, start, end in zip(spans, frames, frames[1:]):
        if end - start < minimum:
            raise NarrationError(
                f"{span.shot_id} would last {(end - start) / fps:.2f} s (from {start / fps:.2f} s to {end / fps:.2f} s), "
                f"under the {settings.min_shot_s:g} s minimum; move its boundary or check the narration timing"
            )
    transitions, warnings = [("cut", 0)], []
    for index, span in enumerate(spans[1:], start=1):
        name, seconds = edits.transitions.get(span.shot_id, (settings.transition, settings.transition_s))
        if name not in TRANSITIONS:
            raise NarrationError(f"{span.shot_id}: unknown transition {name!r}; choose one of {', '.join(TRANSITIONS)}")
        half = 0 if name == "cut" else max(1, round(seconds * fps / 2))
        # A transition may take at most half of either neighbour, so each shot is seen alone for a while.
        room = min(frames[index] - frames[index - 1], frames[index + 1] - frames[index]) // 2
        if half > room and span.shot_id in edits.transitions:  # the operator's own length: say so, never cut it
            raise NarrationError(f"{span.shot_id}: a {seconds:g} s {name} does not fit beside its shots; "
                                 f"at most {2 * room / fps:.2f} s here")
        if half > room:
            warnings.append(f"{span.shot_id}: the {name} shortened to {2 * room / fps:.2f} s to fit beside its shots")
            half = room
        transitions.append(("cut", 0) if half == 0 else (name, half))
    shots = [
        PlannedShot(
            shot_id=span.shot_id, narration=span, start_frame=frames[i], end_frame=frames[i + 1],
            head_frames=transitions[i][1], tail_frames=transitions[i + 1][1] if i + 1 < len(spans) else 0,
            transition_in=transitions[i][0], target_start_s=boundaries_s[i],
        )
        for i, span in enumerate(spans)
    ]
    return AssemblyPlan(fps=fps, audio_offset_s=offset, total_frames=frames[-1], shots=shots, warnings=warnings)
