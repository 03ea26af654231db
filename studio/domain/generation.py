"""Model-legal generation plans: the size, frame count and frame rate a video model
can make, and how its output maps onto the delivery spec.

LTX-Video needs width and height divisible by 32 and 8n+1 frames, and works
best at or under 720x1280 and 257 frames; Wan needs sizes in 16s and 4n+1 frames.
Each family's numbers are its entry (in its backend module, found by name in studio/backends/families.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SIZE_MULTIPLE = 32
MAX_FRAMES = 257


@dataclass(frozen=True, slots=True)
class Chunk:
    """One generation of a plan: where its first frame falls in the shot's footage, and how many frames it makes."""

    index: int
    start_frame: int
    num_frames: int


@dataclass(frozen=True, slots=True)
class GenerationPlan:
    width: int
    height: int
    chunk_frames: tuple[int, ...]  # each generation's legal frame count; only the last may be shorter
    fps: float  # the footage's frame rate: the model's, or a one-generation shot's frames spread over it exactly
    output_frames: int  # frames of the delivered clip
    overlap_frames: int = 1  # frames each later chunk shares with the one before

    @property
    def num_frames(self) -> int:
        """The longest generation's frames (what memory and time scale with)."""
        return self.chunk_frames[0]

    @property
    def chunks(self) -> int:
        return len(self.chunk_frames)

    @property
    def chunk_spans(self) -> tuple[Chunk, ...]:
        spans, start = [], 0
        for index, frames in enumerate(self.chunk_frames):
            spans.append(Chunk(index, start, frames))
            start += frames - self.overlap_frames
        return tuple(spans)

    @property
    def generated_frames(self) -> int:
        """Frames of footage the chunks make, each overlap counted once."""
        return sum(self.chunk_frames) - (self.chunks - 1) * self.overlap_frames

    @property
    def covered_s(self) -> float:
        """Seconds of footage the chunks produce."""
        return (self.generated_frames - 1) / self.fps


def legal_size(width: int, height: int, *, max_height: int = 1280, aspect: float = 9 / 16,
               multiple: int = SIZE_MULTIPLE) -> tuple[int, int]:
    """The multiple-of-`multiple` size nearest the requested one, kept near `aspect`, height at most `max_height`."""
    height = min(height, max_height)
    legal_h = max(multiple, round(height / multiple) * multiple)
    wanted_w = width if width else legal_h * aspect
    if abs(wanted_w / legal_h - aspect) > 0.1:  # keep vertical video vertical
        wanted_w = legal_h * aspect
    legal_w = max(multiple, round(wanted_w / multiple) * multiple)
    return legal_w, legal_h


def legal_frames(frames: int, step: int = 8, most: int = MAX_FRAMES) -> int:
    """The nearest `step`n+1 frame count at or above `frames`, from step + 1 to the largest such count within `most`
    (step 8: LTX's 8n+1, 9..257; step 4: Wan's 4n+1; step 1: any count from 2)."""
    top = step * ((min(most, MAX_FRAMES) - 1) // step) + 1
    frames = max(step + 1, min(top, frames))
    return min(top, step * math.ceil((frames - 1) / step) + 1)


def plan_generation(
    duration_s: float, *, width: int, height: int, max_frames: int, fps: int, output_fps: int = 30,
    frame_step: int = 8, one_generation: bool = False, size_multiple: int = SIZE_MULTIPLE, max_height: int = 1280,
    overlap_frames: int = 1,
) -> GenerationPlan:
    """How to cover `duration_s` with generations of at most `max_frames` frames, each a legal count (`frame_step`n+1).

    One generation when it fits; otherwise full-length chunks, each continuing from the last `overlap_frames`
    frames of the one before (at most all but 8 of them, so every chunk adds footage), and a last chunk of the
    smallest legal length that covers the rest, so no chunk makes footage the shot does not need.
    With `one_generation` (a family that ends each generation on a keyframe) the shot is one generation whose first
    frame is the shot's start and whose last is its end: the fewest legal frames that hold the shot at `fps`, at most
    `max_frames`, spread exactly over it (a 10 s shot in 81 frames: 8 fps; a 4.9 s one in 81: 16.3 fps).
    """
    legal_w, legal_h = legal_size(width, height, multiple=size_multiple, max_height=max_height)

    def legal(frames: int) -> int:
        return legal_frames(frames, frame_step, max_frames)

    needed = math.ceil(duration_s * fps) + 1
    full = legal(min(max_frames, needed))
    output_frames = max(1, math.floor(duration_s * output_fps + 0.5))
    if one_generation and duration_s > 0:
        return GenerationPlan(legal_w, legal_h, (full,), (full - 1) / duration_s, output_frames, 1)
    if needed <= full:
        return GenerationPlan(legal_w, legal_h, (legal(needed),), fps, output_frames, 1)
    overlap = max(1, min(overlap_frames, full - 8))
    chunk_frames, covered = [full], full
    while covered < needed:
        frames = min(full, legal(needed - covered + overlap))
        chunk_frames.append(frames)
        covered += frames - overlap
    return GenerationPlan(legal_w, legal_h, tuple(chunk_frames), fps, output_frames, overlap)
