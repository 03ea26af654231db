"""Keyframe depth for the parallax camera: estimated once per keyframe and model, kept under cache/depth.

Entries are keyed by the sha256 of the model's name and the keyframe's
pixels, so a re-render (or another shot using the same keyframe) reads the
file instead of running the model, and a replaced keyframe gets a new entry.
Each entry is the estimate (float16, at most 960 px on its long side: the
camera works no finer) and a greyscale preview PNG the Library shows.
"""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

import numpy as np

from studio.backends.base import DepthEstimator
from studio.files import write_atomically
from studio.media.images import save_keyframe

log = logging.getLogger(__name__)

CACHE_FOLDER = ("cache", "depth")
# The camera stretches depth over the canvas at no more than this size (backends/camera.py).
_STORED_SIDE = 960


def depth_key(source: str, image: np.ndarray) -> str:
    """The cache key of `image`'s depth by the model `source`."""
    digest = hashlib.sha256(source.encode())
    digest.update(str(image.shape).encode())
    digest.update(np.ascontiguousarray(image).data)
    return digest.hexdigest()


def preview_path(folder: Path, source: str, image: np.ndarray) -> Path:
    """Where the Library finds `image`'s depth preview once it was estimated (the file may not exist)."""
    return folder / f"{depth_key(source, image)}.png"


class CachedDepth:
    """A DepthEstimator that estimates each image once: later calls read `folder`."""

    def __init__(self, estimator: DepthEstimator, folder: Path) -> None:
        self.estimator, self.folder = estimator, folder
        self.source = estimator.source

    def estimate(self, image: np.ndarray) -> np.ndarray:
        """Relative disparity at the image's aspect (at most 960 px on its long side); larger = nearer."""
        key = depth_key(self.source, image)
        stored = self.folder / f"{key}.npy"
        if stored.exists():
            try:
                return np.load(stored).astype(np.float32)
            except (OSError, ValueError) as error:
                log.warning("ignoring unreadable depth cache entry %s: %s", stored, error)
        depth = _stored_size(self.estimator.estimate(image))
        buffer = io.BytesIO()
        np.save(buffer, depth.astype(np.float16))
        write_atomically(stored, buffer.getvalue())
        save_keyframe(_preview(depth), self.folder / f"{key}.png")
        return depth


def _stored_size(depth: np.ndarray) -> np.ndarray:
    import cv2

    height, width = depth.shape
    factor = _STORED_SIDE / max(height, width)
    if factor >= 1:
        return depth.astype(np.float32)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return cv2.resize(depth.astype(np.float32), size, interpolation=cv2.INTER_AREA)


def _preview(depth: np.ndarray) -> np.ndarray:
    """Near white, far black, as RGB."""
    low, high = np.percentile(depth, [1, 99])
    grey = np.clip((depth - low) / max(high - low, 1e-6), 0, 1) * 255
    return np.repeat(grey.astype(np.uint8)[..., None], 3, axis=2)
