"""The camera as a sampling map: for each output pixel, the canvas point it shows.

A flat camera is one affine (Ken Burns): every canvas point moves alike. A
parallax camera reads the same move as a camera travelling through the scene
(`studio.domain.motion.parallax_gain`): a canvas point at disparity d is seen
through the window of gain g(d), so near points move further than far ones.

The map is solved backwards, by marching each output pixel's ray from the
nearest disparity to the farthest and stopping at the first level the depth
map reaches (then refining between the last two levels). Stopping at the
first hit is what makes the nearer surface win where two overlap. Where the
camera reveals background a near object hid, the ray meets the near object's
edge; the depth map's near edges are pushed outward a few pixels
(`DepthField`), so what it meets there is background, not the object's rim.

Every renderer takes its maps from `camera_grid`, so the camera costs no
extra resampling pass: the flow interpolator folds the map into its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.domain.motion import CameraWindow, parallax_gain

# Row-major 2x3 matrix mapping output pixel centres to canvas pixel coordinates.
Affine = tuple[tuple[float, float, float], tuple[float, float, float]]
IDENTITY: Affine = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0))

# Depth maps are kept at most this many pixels on their long side: the depth models
# themselves work near 518 px, so finer grids add cost and no detail.
_MAX_DEPTH_SIDE = 960
# Near edges are pushed outward by this share of the canvas width (at least 2 depth pixels):
# wide enough that a revealed area samples background, narrow enough to be a thin halo.
_EDGE_PUSH = 0.006
# Disparity levels marched from near to far, then halvings of the bracket found.
# 8 levels and 4 halvings put the hit within 1/112 of the depth range (half a pixel at 1080 wide).
_MARCH_LEVELS = 8
_REFINE_STEPS = 4
# Robust ends of a raw depth estimate: a few stray pixels must not squash the rest.
_LOW_PERCENTILE, _HIGH_PERCENTILE = 1.0, 99.0


@dataclass(frozen=True, eq=False)
class DepthField:
    """A keyframe's relative disparity over its canvas: float32, 0 the farthest, 1 the nearest, near edges pushed
    outward. Its grid may be coarser than the canvas (it is stretched over it)."""

    disparity: np.ndarray

    @classmethod
    def from_estimate(cls, estimate: np.ndarray, canvas_size: tuple[int, int]) -> DepthField:
        """Normalise a raw estimate (larger = nearer, any scale, already fitted to the canvas) and push its
        near edges outward."""
        width, height = canvas_size
        factor = min(1.0, _MAX_DEPTH_SIDE / max(width, height))
        grid = (max(1, round(width * factor)), max(1, round(height * factor)))
        raw = cv2.resize(np.asarray(estimate, dtype=np.float32), grid, interpolation=cv2.INTER_AREA)
        low, high = np.percentile(raw, [_LOW_PERCENTILE, _HIGH_PERCENTILE])
        if high - low < 1e-6:  # a flat estimate says nothing about depth: all of it on the focus plane
            return cls(np.full(grid[::-1], 0.5, dtype=np.float32))
        disparity = np.clip((raw - low) / (high - low), 0.0, 1.0).astype(np.float32)
        radius = max(2, round(_EDGE_PUSH * width * factor))
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
        return cls(cv2.dilate(disparity, kernel))  # grey dilation: the nearer value spreads

    def blend(self, other: DepthField, t: float) -> DepthField:
        """The depth between two keyframes at `t` (0: this one, 1: `other`)."""
        if t <= 0 or other is self:
            return self
        if t >= 1:
            return other
        return DepthField(cv2.addWeighted(self.disparity, 1 - t, other.disparity, t, 0))


@dataclass(frozen=True, eq=False)
class ParallaxCamera:
    """The flat camera window seen through depth: points move by `parallax_gain` of their disparity."""

    window: CameraWindow
    canvas_size: tuple[int, int]
    depth: DepthField
    strength: float

    def flat(self, size: tuple[int, int]) -> Affine:
        """The plain Ken Burns affine of the same move, output `size`."""
        return self.window.affine(self.canvas_size, size)

    def unmoved(self, size: tuple[int, int]) -> Affine:
        """The affine of the camera that has not travelled: centred, with the lens's zoom only (gain 0)."""
        width, height = self.canvas_size
        return CameraWindow(width / 2, height / 2, self.window.zoom / self.window.dolly).affine(self.canvas_size, size)

    def grid(self, out_x: np.ndarray, out_y: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """Canvas coordinates of output points (out_x, out_y) of an output of `size`."""
        depth = self.depth.disparity
        to_depth = np.float32(depth.shape[1] / self.canvas_size[0])
        (scale, _, offset_x), (_, _, offset_y) = self.flat(size)
        (scale_0, _, offset_x0), (_, _, offset_y0) = self.unmoved(size)
        # A point's position is linear in its gain (a pinhole camera's image motion is linear in disparity):
        # flat + (gain - 1) * travel, where travel runs from the unmoved camera's position to the flat one's.
        # Both are kept in depth-grid pixels for the march and turned back into canvas pixels at the end.
        flat_x = (scale * to_depth) * out_x + np.float32((offset_x + 0.5) * to_depth - 0.5)
        flat_y = (scale * to_depth) * out_y + np.float32((offset_y + 0.5) * to_depth - 0.5)
        travel_x = ((scale - scale_0) * to_depth) * out_x + np.float32((offset_x - offset_x0) * to_depth)
        travel_y = ((scale - scale_0) * to_depth) * out_y + np.float32((offset_y - offset_y0) * to_depth)

        def at(disparity: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            extra = parallax_gain(disparity, self.strength) - 1.0
            return flat_x + extra * travel_x, flat_y + extra * travel_y

        def reached(disparity: float | np.ndarray) -> np.ndarray:
            x, y = at(disparity)
            return cv2.remap(depth, x, y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

        # March near to far: `near` is the last level the ray was in front of the surface, `far` the first it
        # was not (the depth reached there is at least the level), with the depths reached at both.
        near = np.ones_like(out_x)
        far = np.zeros_like(out_x)
        reached_near = np.zeros_like(out_x)
        reached_far = np.ones_like(out_x)
        found = np.zeros(out_x.shape, dtype=bool)
        previous, previous_reached = np.float32(1.0), None
        for level in np.linspace(1.0, 0.0, _MARCH_LEVELS, dtype=np.float32):
            depth_there = reached(level)
            hit = ~found & (depth_there >= level)
            np.copyto(far, level, where=hit)
            np.copyto(reached_far, depth_there, where=hit)
            np.copyto(near, previous, where=hit)
            np.copyto(reached_near, depth_there if previous_reached is None else previous_reached, where=hit)
            found |= hit
            previous, previous_reached = level, depth_there
        for _ in range(_REFINE_STEPS):
            middle = (near + far) * np.float32(0.5)
            depth_there = reached(middle)
            hit = depth_there >= middle
            np.copyto(far, middle, where=hit)
            np.copyto(reached_far, depth_there, where=hit)
            np.copyto(near, middle, where=~hit)
            np.copyto(reached_near, depth_there, where=~hit)
        # Where reached - level crosses zero in the bracket: exact for a flat or sloping surface, at the step for
        # an edge.
        ahead, behind = near - reached_near, reached_far - far
        share = np.divide(ahead, ahead + behind, out=np.ones_like(ahead), where=(ahead + behind) > 1e-6)
        x, y = at(near + (far - near) * np.clip(share, 0.0, 1.0))
        from_depth = np.float32(1 / to_depth)
        return (x + np.float32(0.5)) * from_depth - np.float32(0.5), (y + np.float32(0.5)) * from_depth - np.float32(0.5)


Camera = Affine | ParallaxCamera
"""What a transition renders through: a flat affine, or a camera that sees depth."""


def camera_grid(camera: Camera, size: tuple[int, int], step: int) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Canvas coordinates (x, y float32 maps) of the centres of a `step`-coarse grid over an output of `size`
    (w, h), and that grid's size; `cv2.resize` of the maps to `size` lands on the output's pixel centres."""
    width, height = size
    grid_w, grid_h = -(-width // step), -(-height // step)
    # Centres of coarse cells in output pixels, placed so that scaling the
    # coarse map up to (width, height) with cv2.resize lands on pixel centres.
    cols = (np.arange(grid_w, dtype=np.float32) + 0.5) * (width / grid_w) - 0.5
    rows = (np.arange(grid_h, dtype=np.float32) + 0.5) * (height / grid_h) - 0.5
    out_x, out_y = np.meshgrid(cols, rows)
    if isinstance(camera, ParallaxCamera):
        if camera.strength > 0:
            x, y = camera.grid(out_x, out_y, size)
            return x, y, (grid_w, grid_h)
        camera = camera.flat(size)
    (a, b, c), (d, e, f) = camera
    return (a * out_x + b * out_y + c).astype(np.float32), (d * out_x + e * out_y + f).astype(np.float32), (grid_w, grid_h)
