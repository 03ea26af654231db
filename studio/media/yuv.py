"""Planar YUV 4:2:0 pictures (BT.709, limited range): what the flow path renders and the encoder takes.

The delivery format is yuv420p, so a keyframe is converted and its chroma
subsampled once, then every frame is warped and blended plane by plane: Y at
full size, U and V at half size. Neither Python nor ffmpeg converts colour per
frame. Chroma samples sit at the centre of each 2x2 block of luma (the box
average of those four pixels).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import cv2
import numpy as np

# ITU-R BT.709 luma weights; limited ("tv") range puts Y in 16-235 and Cb, Cr in 16-240.
_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB
_Y_SCALE, _C_SCALE = 219 / 255, 224 / 255
_LUMA = np.array([[_KR * _Y_SCALE, _KG * _Y_SCALE, _KB * _Y_SCALE, 16.0]])
_CHROMA = np.array([
    [-_KR / (2 * (1 - _KB)) * _C_SCALE, -_KG / (2 * (1 - _KB)) * _C_SCALE, 0.5 * _C_SCALE, 128.0],
    [0.5 * _C_SCALE, -_KG / (2 * (1 - _KR)) * _C_SCALE, -_KB / (2 * (1 - _KR)) * _C_SCALE, 128.0],
])
_YUV_TO_RGB = np.linalg.inv(np.vstack([np.vstack([_LUMA, _CHROMA]), [0, 0, 0, 1]]))[:3]


def luma(rgb: np.ndarray) -> np.ndarray:
    """BT.709 limited-range Y of an RGB image, unrounded (float32): what `from_rgb` stores before rounding."""
    return cv2.transform(rgb.astype(np.float32), _LUMA)


def chroma_size(size: tuple[int, int]) -> tuple[int, int]:
    """U and V size for a (width, height) picture: half, rounded up (odd sizes keep their last column and row)."""
    width, height = size
    return (-(-width // 2), -(-height // 2))


@dataclass(frozen=True, slots=True)
class YuvFrame:
    """One picture as three uint8 planes: `y` (h, w), `u` and `v` (ceil(h/2), ceil(w/2)).

    Immutable: the planes are made read-only, so the encoder can hold them
    without copying.
    """

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray

    def __post_init__(self) -> None:
        height, width = self.y.shape[:2]
        expected = chroma_size((width, height))[::-1]
        for name, shape in (("y", (height, width)), ("u", expected), ("v", expected)):
            plane = getattr(self, name)
            if plane.shape != shape or plane.dtype != np.uint8:
                raise ValueError(f"plane {name} is {plane.shape} {plane.dtype}; a {width}x{height} frame needs {shape} uint8")
            if not plane.flags.c_contiguous:  # the encoder writes each plane's buffer as is
                plane = np.ascontiguousarray(plane)
                object.__setattr__(self, name, plane)
            plane.flags.writeable = False

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the picture (the Y plane)."""
        return (self.y.shape[1], self.y.shape[0])

    @classmethod
    def from_rgb(cls, rgb: np.ndarray) -> YuvFrame:
        """Convert an RGB uint8 image, BT.709 limited range; each chroma sample from its 2x2 block's mean."""
        height, width = rgb.shape[:2]
        y = cv2.transform(rgb, _LUMA)
        if width % 2 or height % 2:  # the last column/row is its own block's other half
            rgb = cv2.copyMakeBorder(rgb, 0, height % 2, 0, width % 2, cv2.BORDER_REPLICATE)
        # The matrix is linear, so averaging RGB first equals averaging U and V (at a quarter of the work).
        block_means = cv2.resize(rgb.astype(np.float32), chroma_size((width, height)), interpolation=cv2.INTER_AREA)
        u, v = cv2.split(np.rint(np.clip(cv2.transform(block_means, _CHROMA), 0, 255)).astype(np.uint8))
        return cls(y, u, v)

    def to_rgb(self) -> np.ndarray:
        """Back to RGB uint8 at full size (chroma bilinear-upsampled): for measuring and viewing, not the render path."""
        full = [cv2.resize(plane, self.size, interpolation=cv2.INTER_LINEAR) for plane in (self.u, self.v)]
        yuv = cv2.merge([self.y.astype(np.float32), *(plane.astype(np.float32) for plane in full)])
        return np.rint(np.clip(cv2.transform(yuv, _YUV_TO_RGB), 0, 255)).astype(np.uint8)

    def planes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Y, U, V in yuv420p's order (the encoder writes them back to back)."""
        return (self.y, self.u, self.v)

    def warped_affine(self, camera: Sequence[Sequence[float]], size: tuple[int, int]) -> YuvFrame:
        """Resample through `camera` (2x3, output luma pixel -> source luma pixel) at `size`, chroma at half size."""
        matrix = np.asarray(camera, dtype=np.float64)
        if np.allclose(matrix, [[1, 0, 0], [0, 1, 0]]) and self.size == tuple(size):
            return self
        flags, border = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, cv2.BORDER_REFLECT
        # Chroma sample j sits at luma 2j + 0.5: conjugate the camera by that map.
        to_luma = np.array([[2.0, 0.0, 0.5], [0.0, 2.0, 0.5], [0.0, 0.0, 1.0]])
        to_chroma = np.linalg.inv(to_luma)
        chroma_matrix = (to_chroma @ np.vstack([matrix, [0, 0, 1]]) @ to_luma)[:2]
        half = chroma_size(size)
        return YuvFrame(
            cv2.warpAffine(self.y, matrix, size, flags=flags, borderMode=border),
            cv2.warpAffine(self.u, chroma_matrix, half, flags=flags, borderMode=border),
            cv2.warpAffine(self.v, chroma_matrix, half, flags=flags, borderMode=border),
        )

    def remapped(self, source: np.ndarray, size: tuple[int, int]) -> YuvFrame:
        """Sample through `source` (source luma x, y per point, CV_32FC2, on `size` or a coarser grid that
        scales onto pixel centres) at `size`, chroma from its own half-size map."""
        (y,) = _remapped([self.y], source, size, chroma=False)
        u, v = _remapped([self.u, self.v], source, chroma_size(size), chroma=True)
        return YuvFrame(y, u, v)

    def blended(self, other: YuvFrame, t: float) -> YuvFrame:
        """(1 - t) of this frame plus t of `other`, plane by plane."""
        return YuvFrame(*(cv2.addWeighted(a, 1 - t, b, t, 0) for a, b in zip(self.planes(), other.planes(), strict=True)))


Frame: TypeAlias = np.ndarray | YuvFrame
"""A rendered picture: RGB uint8 (h, w, 3), as networks and generators make them, or planar YUV."""


def as_yuv(frame: Frame) -> YuvFrame:
    """The frame as planar YUV: the one place RGB output (RIFE, FILM, generated footage) is converted."""
    return frame if isinstance(frame, YuvFrame) else YuvFrame.from_rgb(frame)


def blend_remapped(
    first: YuvFrame, last: YuvFrame, map_first: np.ndarray, map_last: np.ndarray, weight_first: np.ndarray,
    size: tuple[int, int],
) -> YuvFrame:
    """Sample `first` and `last` through their maps and blend them by `weight_first`, plane by plane.

    The maps (source luma x, y per point, CV_32FC2) and the weight may be on a
    coarser grid than `size` whose points scale onto pixel centres with
    cv2.resize; they are scaled once to the luma size and once to the chroma
    size, so U and V are warped at half size from maps of their own.
    """
    (y,) = _warped_and_blended([first.y], [last.y], map_first, map_last, weight_first, size, chroma=False)
    u, v = _warped_and_blended(
        [first.u, first.v], [last.u, last.v], map_first, map_last, weight_first, chroma_size(size), chroma=True
    )
    return YuvFrame(y, u, v)


def _plane_map(source: np.ndarray, size: tuple[int, int], *, chroma: bool) -> np.ndarray:
    """A luma-coordinate map scaled to a plane of `size`; for chroma, sampled at chroma centres and converted
    to chroma coordinates, (x - 0.5) / 2."""
    # Scaling is linear, so the conversion is done on the (coarser) map before it is scaled up: less work.
    return _scaled(source * np.float32(0.5) - np.float32(0.25) if chroma else source, size)


def _remapped(planes: list[np.ndarray], source: np.ndarray, size: tuple[int, int], *, chroma: bool) -> list[np.ndarray]:
    # Float maps straight into remap: on one plane this measured faster than converting them to fixed point first.
    plane_map = _plane_map(source, size, chroma=chroma)
    return [cv2.remap(plane, plane_map, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT) for plane in planes]


def _warped_and_blended(
    firsts: list[np.ndarray], lasts: list[np.ndarray], map_first: np.ndarray, map_last: np.ndarray,
    weight_first: np.ndarray, size: tuple[int, int], *, chroma: bool,
) -> list[np.ndarray]:
    weight_first = _scaled(weight_first, size)
    weight_last = cv2.subtract(1.0, weight_first)
    return [
        cv2.blendLinear(a, b, weight_first, weight_last)
        for a, b in zip(_remapped(firsts, map_first, size, chroma=chroma), _remapped(lasts, map_last, size, chroma=chroma),
                        strict=True)
    ]


def _scaled(field: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if field.shape[1::-1] == tuple(size):
        return field
    return cv2.resize(field, size, interpolation=cv2.INTER_LINEAR)
