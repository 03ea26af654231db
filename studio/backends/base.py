"""The roles a backend plays, as Protocols."""

from __future__ import annotations

from typing import Protocol

import numpy as np

# Row-major 2x3 matrix mapping output pixel centres to canvas pixel coordinates.
Affine = tuple[tuple[float, float, float], tuple[float, float, float]]
IDENTITY: Affine = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0))


class Transition(Protocol):
    """The motion from one keyframe to the next, ready to render any moment of it."""

    @property
    def is_cut(self) -> bool:
        """True when the two keyframes could not be matched and the move is a dissolve."""
        ...

    def render(self, t: float, camera: Affine, size: tuple[int, int]) -> np.ndarray:
        """The RGB frame at `t` (0 = first keyframe, 1 = last) seen through `camera`, `size` = (w, h)."""
        ...


class FrameInterpolator(Protocol):
    """Makes in-between frames of two same-sized RGB keyframes."""

    name: str

    def transition(self, first: np.ndarray, last: np.ndarray) -> Transition: ...
