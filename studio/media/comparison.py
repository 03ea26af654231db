"""Two clips compared frame by frame: are they the same pictures, and if not, how far apart."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

import numpy as np

from studio.errors import EncodeError
from studio.media.decode import rgb_frames


@dataclass(frozen=True, slots=True)
class FrameComparison:
    """How a clip's decoded frames compare with another's (RGB, 0-255)."""

    frames: int
    """Frames compared (the shorter clip's count)."""
    frame_counts_match: bool
    max_abs_diff: int
    """The largest difference of any pixel channel, 0-255."""
    psnr_db: float | None
    """Over all compared frames; None when they are identical (infinite PSNR)."""

    @property
    def identical(self) -> bool:
        return self.frame_counts_match and self.frames > 0 and self.max_abs_diff == 0


def compare_clips(first: Path, second: Path) -> FrameComparison:
    """Decode both clips side by side (one frame of each in memory) and compare every frame."""
    frames, largest, squared, values = 0, 0, 0.0, 0
    for a, b in zip_longest(rgb_frames(first, "to compare it"), rgb_frames(second, "to compare it")):
        if a is None or b is None:
            return _result(frames, False, largest, squared, values)
        if a.shape != b.shape:
            raise EncodeError(f"{first.name} is {a.shape[1]}x{a.shape[0]} and {second.name} {b.shape[1]}x{b.shape[0]}: "
                              "clips of different sizes cannot be compared frame by frame")
        difference = np.abs(a.astype(np.int16) - b.astype(np.int16))
        largest = max(largest, int(difference.max()))
        squared += float(np.square(difference, dtype=np.float64).sum())
        values += difference.size
        frames += 1
    return _result(frames, True, largest, squared, values)


def _result(frames: int, counts_match: bool, largest: int, squared: float, values: int) -> FrameComparison:
    mse = squared / values if values else 0.0
    psnr = None if mse == 0 else round(10 * math.log10(255**2 / mse), 2)
    return FrameComparison(frames=frames, frame_counts_match=counts_match, max_abs_diff=largest, psnr_db=psnr)
