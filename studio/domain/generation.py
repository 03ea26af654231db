"""Model-legal generation plans: the size, frame count and frame rate a video model
can make, and how its output maps onto the delivery spec.

LTX-Video needs width and height divisible by 32 and 8n+1 frames, and works
best at or under 720x1280 and 257 frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SIZE_MULTIPLE = 32
MAX_FRAMES = 257


@dataclass(frozen=True, slots=True)
class GenerationPlan:
    width: int
    height: int
    num_frames: int  # per generation, 8n+1
    fps: int  # the model's frame rate
    chunks: int  # generations needed to cover the shot
    output_frames: int  # frames of the delivered clip
    overlap_frames: int = 1  # frames each later chunk shares with the one before

    @property
    def new_frames_per_chunk(self) -> int:
        return self.num_frames - self.overlap_frames

    @property
    def covered_s(self) -> float:
        """Seconds of footage the chunks produce, overlaps counted once."""
        return (self.num_frames - 1 + (self.chunks - 1) * self.new_frames_per_chunk) / self.fps


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


def legal_frames(frames: int) -> int:
    """The nearest 8n+1 frame count at or above `frames`, within 9..257."""
    frames = max(9, min(MAX_FRAMES, frames))
    return min(MAX_FRAMES, 8 * math.ceil((frames - 1) / 8) + 1)


def plan_generation(
    duration_s: float, *, width: int, height: int, max_frames: int, fps: int, output_fps: int = 30,
    any_frame_count: bool = False, size_multiple: int = SIZE_MULTIPLE, max_height: int = 1280, overlap_frames: int = 1,
) -> GenerationPlan:
    """How to cover `duration_s` with generations of at most `max_frames` frames.

    One generation when it fits; otherwise chunks, each continuing from the
    last `overlap_frames` frames of the one before (at most all but 8 of them, so every chunk adds footage).
    """
    legal_w, legal_h = legal_size(width, height, multiple=size_multiple, max_height=max_height)
    needed = math.ceil(duration_s * fps) + 1
    legal = (lambda n: max(2, min(max_frames, n))) if any_frame_count else legal_frames  # SVD takes any count
    per_chunk = legal(min(max_frames, needed))
    overlap = max(1, min(overlap_frames, per_chunk - 8))
    chunks = 1 if needed <= per_chunk else 1 + math.ceil((needed - per_chunk) / (per_chunk - overlap))
    if chunks == 1:
        per_chunk, overlap = legal(needed), 1
    output_frames = max(1, math.floor(duration_s * output_fps + 0.5))
    return GenerationPlan(legal_w, legal_h, per_chunk, fps, chunks, output_frames, overlap)
