"""Temporal consistency of a clip: the flow warping error between consecutive frames.

For each pair (t, t+1): dense optical flow from t+1 back to t (OpenCV DIS, no
weights), frame t warped onto t+1 along it, and the mean absolute grey-level
difference over the pixels whose flow passes a forward-backward check (where a
pixel is occluded or the flow is unreliable the two flows disagree, and such
pixels say nothing about flicker). Motion the flow explains costs nothing;
flicker, noise, popping and smearing do. 0 is a perfectly consistent clip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from studio.errors import EncodeError, StudioError

# Bump when the measure changes, so cached figures of older clips are recomputed.
METRIC_VERSION = "warp-1"
# Frames are measured at this width: flicker and warping show at any size, and DIS on
# 160x284 takes about a millisecond, so a whole clip costs less than decoding it.
WIDTH_PX = 160
# Long clips are measured on this many evenly spaced pairs (a 7 s clip has 209).
MAX_PAIRS = 48
# Forward-backward check (Sundaram et al. 2010): |f + b|^2 < 0.01 (|f|^2 + |b|^2) + 0.5 px^2.
_FB_RELATIVE, _FB_ABSOLUTE_PX2 = 0.01, 0.5


@dataclass(frozen=True, slots=True)
class WarpingError:
    """A clip's warping error: grey levels (0-255) per pixel, averaged over the measured pairs."""

    mean: float
    pairs: int
    """Consecutive frame pairs measured."""
    kept_share: float
    """Share of pixels that passed the forward-backward check (the rest are occlusions or unreliable flow)."""
    width_px: int


def _grey(frame: np.ndarray, width: int) -> np.ndarray:
    """`frame` (RGB or grey, any size) as a uint8 grey image `width` pixels wide."""
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) if frame.ndim == 3 else frame
    if grey.shape[1] != width:
        height = max(8, round(grey.shape[0] * width / grey.shape[1]))
        grey = cv2.resize(grey, (width, height), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(grey, dtype=np.uint8)


def _flow_engine() -> cv2.DISOpticalFlow:
    return cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)


def _pair_error(engine: cv2.DISOpticalFlow, first: np.ndarray, second: np.ndarray) -> tuple[float, float]:
    """(mean absolute error over consistent pixels, share of consistent pixels) of warping `first` onto `second`."""
    height, width = first.shape
    grid_x, grid_y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    backward = engine.calc(second, first, None)  # second(x) ~ first(x + backward(x))
    forward = engine.calc(first, second, None)  # first(y) ~ second(y + forward(y))
    map_x, map_y = grid_x + backward[..., 0], grid_y + backward[..., 1]
    warped = cv2.remap(first.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    forward_there = cv2.remap(forward, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    round_trip = np.sum((backward + forward_there) ** 2, axis=-1)
    magnitudes = np.sum(backward**2, axis=-1) + np.sum(forward_there**2, axis=-1)
    inside = (map_x >= 0) & (map_x <= width - 1) & (map_y >= 0) & (map_y <= height - 1)
    kept = inside & (round_trip < _FB_RELATIVE * magnitudes + _FB_ABSOLUTE_PX2)
    if not kept.any():
        return 0.0, 0.0
    difference = np.abs(second.astype(np.float32) - warped)
    return float(difference[kept].mean()), float(kept.mean())


def sampled_pairs(frame_count: int, max_pairs: int = MAX_PAIRS) -> list[int]:
    """Indices t of the pairs (t, t+1) measured: all of them, or `max_pairs` spread evenly over the clip."""
    if frame_count < 2:
        return []
    if frame_count - 1 <= max_pairs:
        return list(range(frame_count - 1))
    return sorted({round(i) for i in np.linspace(0, frame_count - 2, max_pairs)})


def _measured(pairs: Iterable[tuple[np.ndarray, np.ndarray]], width_px: int) -> WarpingError:
    """The warping error over `pairs` of grey frames `width_px` wide."""
    engine = _flow_engine()
    errors, kept = [], []
    for first, second in pairs:
        error, share = _pair_error(engine, first, second)
        errors.append(error)
        kept.append(share)
    return WarpingError(mean=round(float(np.mean(errors)), 4), pairs=len(errors),
                        kept_share=round(float(np.mean(kept)), 4), width_px=width_px)


def _too_few(frame_count: int) -> StudioError:
    return StudioError(f"a warping error needs at least two frames; this clip has {frame_count}")


def warping_error(frames: Sequence[np.ndarray], *, width_px: int = WIDTH_PX, max_pairs: int = MAX_PAIRS) -> WarpingError:
    """The warping error of consecutive `frames` (RGB or grey arrays of one size)."""
    if len(frames) < 2:
        raise _too_few(len(frames))
    return _measured(((_grey(frames[index], width_px), _grey(frames[index + 1], width_px))
                      for index in sampled_pairs(len(frames), max_pairs)), width_px)


def _grey_frames_of_pairs(path: Path, width_px: int, max_pairs: int | None) -> tuple[int, dict[int, np.ndarray]]:
    """(the clip's frame count, {index: grey frame `width_px` wide}) for the frames of its measured pairs only
    (of `max_pairs` pairs; None: every frame).

    Every frame is decoded (H.264 needs it), but only those measured are scaled
    and kept, so a long 1080p clip costs about its decoding.
    """
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            height = max(8, round(stream.codec_context.height * width_px / stream.codec_context.width))
            # The container's count (an mp4 states it) picks the pairs up front; without one, every frame is kept.
            wanted = ({i + step for i in sampled_pairs(stream.frames, max_pairs) for step in (0, 1)}
                      if stream.frames and max_pairs is not None else None)
            greys, count = {}, 0
            for count, frame in enumerate(container.decode(stream), start=1):
                if wanted is None or count - 1 in wanted:
                    greys[count - 1] = frame.reformat(width=width_px, height=height, format="gray").to_ndarray()
    except (OSError, av.FFmpegError, IndexError) as error:
        raise EncodeError(f"cannot read clip {path} to measure it: {error}") from None
    return count, greys


def clip_warping_error(path: Path, *, width_px: int = WIDTH_PX, max_pairs: int = MAX_PAIRS) -> WarpingError:
    """The warping error of the clip file at `path`."""
    count, greys = _grey_frames_of_pairs(path, width_px, max_pairs)
    if count < 2:
        raise _too_few(count)
    if any(index not in greys or index + 1 not in greys for index in sampled_pairs(count, max_pairs)):
        # The container's frame count was wrong: measure from every frame rather than guess.
        count, greys = _grey_frames_of_pairs(path, width_px, None)
    return _measured(((greys[index], greys[index + 1]) for index in sampled_pairs(count, max_pairs)), width_px)
