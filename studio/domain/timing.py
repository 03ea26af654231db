"""Frame counts and where each output frame falls on a shot's keyframe timeline."""

from __future__ import annotations

import math
from dataclasses import dataclass


def frame_count(duration_s: float, fps: float) -> int:
    """Frames in a clip: round(duration_s x fps), halves rounded up, at least 1."""
    return max(1, math.floor(duration_s * fps + 0.5))


def ease_in_out(progress: float) -> float:
    """Sine ease-in-out on [0, 1]: starts and ends at rest, no overshoot."""
    progress = min(1.0, max(0.0, progress))
    return (1.0 - math.cos(math.pi * progress)) / 2.0


def frame_progress(frame_index: int, total_frames: int) -> float:
    """Linear progress of a frame through its clip: 0 at the first, 1 at the last."""
    if total_frames <= 1:
        return 0.0
    return frame_index / (total_frames - 1)


@dataclass(frozen=True, slots=True)
class TimelinePosition:
    """Where a moment falls between two keyframes: blend `t` from `first` to `first + 1`."""

    first: int
    t: float


def locate(time_s: float, keyframe_times_s: tuple[float, ...], *, ease: bool) -> TimelinePosition:
    """Position of `time_s` on the keyframe timeline.

    Before the first keyframe it holds the first, after the last it holds the
    last. With `ease`, motion within each pair eases in and out, so every
    keyframe is reached exactly at its time.
    """
    last = len(keyframe_times_s) - 1
    if last == 0 or time_s <= keyframe_times_s[0]:
        return TimelinePosition(0, 0.0)
    if time_s >= keyframe_times_s[-1]:
        return TimelinePosition(last - 1, 1.0)
    for index in range(last):
        start, end = keyframe_times_s[index], keyframe_times_s[index + 1]
        if start <= time_s < end:
            t = (time_s - start) / (end - start)
            return TimelinePosition(index, ease_in_out(t) if ease else t)
    raise AssertionError("unreachable: times are increasing")
