"""Cheap objective measures of a clip, taken while its frames stream past."""

from __future__ import annotations

import hashlib

import cv2
import numpy as np

from studio.media.yuv import Frame, YuvFrame, luma

# Frames are measured on a thumbnail: the measures are about the whole
# picture, and a 64-pixel-wide grey copy costs microseconds.
_THUMB_WIDTH = 64


class ClipMeter:
    """motion: mean absolute change between consecutive frames (grey levels, 0-255);
    flicker: mean absolute change of overall brightness from frame to frame that
    is not part of a steady trend (second difference), where a smooth fade scores 0.

    Both read luma (BT.709 Y, stretched from limited range to 0-255): a planar
    frame's Y plane as it is, an RGB frame's luma computed on its thumbnail.

    fingerprint: a digest of every frame's thumbnail in whole grey levels: two clips with the same fingerprint
    show the same pictures (a static shot rendered with two motion settings), so comparing them tells nothing."""

    def __init__(self) -> None:
        self._digest = hashlib.blake2b(digest_size=16)
        self._previous: np.ndarray | None = None
        self._motion: list[float] = []
        self._brightness: list[float] = []

    def add(self, frame: Frame) -> None:
        if isinstance(frame, YuvFrame):
            frame = frame.y
        height, width = frame.shape[:2]
        # A whole-number box average first: OpenCV's area resize has a fast path for integer factors, and
        # a 1080x1920 frame then costs 1.8 ms here instead of 6 (a sixth of the frame's render time).
        factor = width // (2 * _THUMB_WIDTH)
        if factor > 1:
            cropped = frame[: height // factor * factor, : width // factor * factor]
            frame = cv2.resize(cropped, (cropped.shape[1] // factor, cropped.shape[0] // factor), interpolation=cv2.INTER_AREA)
        thumb_height = max(1, round(frame.shape[0] * _THUMB_WIDTH / frame.shape[1]))
        thumb = cv2.resize(frame, (_THUMB_WIDTH, thumb_height), interpolation=cv2.INTER_AREA)
        thumb = luma(thumb) if thumb.ndim == 3 else thumb.astype(np.float32)
        thumb = (thumb - 16) * (255 / 219)  # limited range -> grey levels, as the scores always were
        self._digest.update(np.clip(np.rint(thumb), 0, 255).astype(np.uint8).tobytes())
        if self._previous is not None:
            self._motion.append(float(np.abs(thumb - self._previous).mean()))
        self._brightness.append(float(thumb.mean()))
        self._previous = thumb

    @property
    def fingerprint(self) -> str:
        return self._digest.hexdigest()

    @property
    def motion(self) -> float:
        return round(float(np.mean(self._motion)), 4) if self._motion else 0.0

    @property
    def flicker(self) -> float:
        if len(self._brightness) < 3:
            return 0.0
        return round(float(np.abs(np.diff(self._brightness, n=2)).mean()), 4)
