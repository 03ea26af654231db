"""Changing a finished clip's length without re-generating it (for clips that are costly to re-render)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.media.decode import rgb_frames
from studio.media.encoder import ClipEncoder, EncoderSettings


@dataclass(frozen=True, slots=True)
class RetimePlan:
    speed: float
    """Source frames per output frame (1 = as is, >1 faster)."""
    held_frames: int
    """Output frames that repeat the last source frame because even the slowest speed was too short."""
    trimmed_frames: int
    """Source frames dropped from the end because even the fastest speed was too long."""


def plan_retime(source_frames: int, target_frames: int, min_speed: float, max_speed: float) -> RetimePlan:
    speed = source_frames / target_frames
    if speed < min_speed:  # too short: play at the slowest speed allowed, then hold
        played = min(target_frames, int(source_frames / min_speed))
        return RetimePlan(min_speed, target_frames - played, 0)
    if speed > max_speed:  # too long: play at the fastest speed allowed, trim the rest
        return RetimePlan(max_speed, 0, source_frames - round(target_frames * max_speed))
    return RetimePlan(speed, 0, 0)


def retime_clip(source: Path, source_frames: int, out: Path, target_frames: int, plan: RetimePlan,
                settings: EncoderSettings, cut_points: tuple[int, ...] = ()) -> None:
    """Write `target_frames` frames of `source` at `plan.speed`, blending neighbouring frames at fractional positions."""
    frames = rgb_frames(source, "to retime it")
    window: list[np.ndarray] = [next(frames)]
    window_start = 0  # source index of window[0]
    with ClipEncoder(out, settings, expected_frames=target_frames, cut_points=cut_points) as encoder:
        for index in range(target_frames):
            position = min(index * plan.speed, source_frames - 1)
            low = int(position)
            while window_start + len(window) <= min(low + 1, source_frames - 1):
                window.append(next(frames))
                if len(window) > 2:
                    window.pop(0)
                    window_start += 1
            base = window[low - window_start]
            t = position - low
            if t < 1e-3 or low + 1 >= source_frames:
                encoder.write(base)
            else:
                following = window[low + 1 - window_start]
                encoder.write((base * (1 - t) + following * t).round().astype(np.uint8))
