"""Weight-free interpolation: dense optical flow (OpenCV DIS), warped from both sides.

For a moment t between keyframes I0 and I1:

1. Flow both ways once per pair: F01 on I0's grid, F10 on I1's grid. Where
   one direction disagrees with the other, the reverse of the other is tried
   and kept if it lines the images up better.
2. For every output pixel q, find where it came from in each keyframe by
   solving x0 = q - t * F01(x0) and x1 = q - (1 - t) * F10(x1) with a few
   fixed-point steps (exact for smooth motion, any size of move).
3. Forward-backward consistency marks pixels of each keyframe that the other
   does not show (occlusions). Near an occluder two scene points can reach
   the same output pixel; the one both keyframes show is in front. A point
   only I0 shows is background being covered and comes from I0 alone; one
   only I1 shows is being revealed and comes from I1; elsewhere the two
   sides blend by time.
4. The camera's map (`camera_grid`: the Ken Burns affine, or the depth-aware
   parallax camera) is folded into the same sampling maps, so each keyframe
   is resampled once per output frame.
5. By default keyframes are converted to planar YUV 4:2:0 once per pair and
   frames come out as `YuvFrame`s: Y warped at full size, U and V at half size
   from the half-size maps (`planar=False` renders RGB, for comparison).

Keyframes that do not match (a cut) become a cross-dissolve.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.backends.base import Affine
from studio.backends.camera import Camera, ParallaxCamera, camera_grid
from studio.media.yuv import Frame, YuvFrame, blend_remapped

# Fixed-point steps for the backward flow at time t; 3 settle moves of a tenth
# of the frame to well under a pixel.
_FIXED_POINT_STEPS = 3
# A source pixel counts as found when it moves onto the output pixel within this.
_SOLVED_TOLERANCE_PX = 1.0
# Pixels whose forward-backward error exceeds about this many pixels count
# as occluded in the other keyframe.
_OCCLUSION_TOLERANCE_PX = 1.5
# Below this share of mutually consistent pixels the keyframes show different
# things (a cut): warping them would tear, so they dissolve.
_CUT_CONSISTENCY = 0.45
# Flow is estimated on images of at most this many pixels: DIS works coarse to fine,
# and on real footage a finer grid measured no better (bench quality) at twice the time.
_MAX_FLOW_PIXELS = 250_000
# Sampling maps are built on a grid this many times coarser than the output,
# then scaled up bilinearly (flow fields are smooth; images are not resampled twice).
_MAP_STEP = 2


def _gray(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def _estimate_flow(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    return dis.calc(first, last, None)


def _sample(field: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Bilinear lookup of a field at float points (a CV_32FC2 map of x, y), edges extended."""
    return cv2.remap(field, points, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _pixel_points(height: int, width: int) -> np.ndarray:
    """Every pixel's own (x, y), as a CV_32FC2 map."""
    return cv2.merge(np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)))


def _reverse(flow: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """The flow back from the target image for the `chosen` pixels, moved to where they land.

    Pixels nothing lands on are NaN.
    """
    rows, cols = np.nonzero(chosen)
    vectors = flow[rows, cols]
    target_x = np.rint(cols + vectors[:, 0]).astype(np.int64)
    target_y = np.rint(rows + vectors[:, 1]).astype(np.int64)
    height, width = flow.shape[:2]
    lands = (target_x >= 0) & (target_x < width) & (target_y >= 0) & (target_y < height)
    reversed_flow = np.full_like(flow, np.nan)
    reversed_flow[target_y[lands], target_x[lands]] = -vectors[lands]
    return reversed_flow


def _matching_error(source: np.ndarray, target: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """How badly `target` warped by `flow` matches `source`, averaged over 9x9 patches."""
    warped = _sample(target, _pixel_points(*source.shape) + flow)
    error = cv2.absdiff(source, warped).astype(np.float32)
    return cv2.blur(error, (9, 9))


def _repair(source: np.ndarray, target: np.ndarray, own: np.ndarray, other_way: np.ndarray, doubtful: np.ndarray) -> np.ndarray:
    """Where the opposite flow is doubtful, offer its reverse; keep it where it matches better.

    DIS works coarse to fine and can lose a small, fast object in one
    direction while finding it in the other. Reversing only the doubtful
    vectors of the other direction keeps this cheap.
    """
    if not doubtful.any():
        return own
    candidate = _reverse(other_way, doubtful)
    offered = ~np.isnan(candidate[..., 0])
    if not offered.any():
        return own
    np.copyto(candidate, own, where=~offered[..., None])
    better = _matching_error(source, target, candidate) < _matching_error(source, target, own)
    repaired = own.copy()
    np.copyto(repaired, candidate, where=better[..., None])
    return repaired


def _consistency_error(forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
    """Per pixel of the forward flow's grid: how far forward-then-backward misses home, in pixels."""
    back = _sample(backward, _pixel_points(*forward.shape[:2]) + forward)
    round_trip = forward + back
    return cv2.magnitude(round_trip[..., 0], round_trip[..., 1])


def _tolerance(flow: np.ndarray) -> np.ndarray:
    return _OCCLUSION_TOLERANCE_PX + 0.05 * cv2.magnitude(flow[..., 0], flow[..., 1])


def _visibility(forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
    """Per pixel of the forward flow's grid: 1 where the other image shows it, 0 where occluded."""
    ratio = _consistency_error(forward, backward) / _tolerance(forward)
    return np.exp(-(ratio**2)).astype(np.float32)


def warp_affine(image: Frame, camera: Affine, size: tuple[int, int]) -> Frame:
    """Resample `image` through `camera` (output pixel -> image pixel) at `size`."""
    if isinstance(image, YuvFrame):
        return image.warped_affine(camera, size)
    matrix = np.asarray(camera, dtype=np.float64)
    if np.allclose(matrix, [[1, 0, 0], [0, 1, 0]]) and image.shape[1::-1] == tuple(size):
        return image
    return cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT)


def warp_camera(image: Frame, camera: Camera, size: tuple[int, int]) -> Frame:
    """Resample `image` through `camera` at `size`: one affine warp, or one remap through the parallax map."""
    if not isinstance(camera, ParallaxCamera):
        return warp_affine(image, camera, size)
    if camera.strength <= 0:  # exactly plain Ken Burns
        return warp_affine(image, camera.flat(size), size)
    step = _MAP_STEP if size[0] * size[1] > 300_000 else 1
    x, y, grid_size = camera_grid(camera, size, step)
    source = cv2.merge([x, y])
    if isinstance(image, YuvFrame):
        return image.remapped(source, size)
    if grid_size != size:
        source = cv2.resize(source, size, interpolation=cv2.INTER_LINEAR)
    maps, aux = cv2.convertMaps(source, None, cv2.CV_16SC2)
    return cv2.remap(image, maps, aux, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


@dataclass(frozen=True)
class Still:
    """One keyframe held; only the camera moves."""

    image: Frame
    is_cut: bool = False

    def render(self, t: float, camera: Camera, size: tuple[int, int]) -> Frame:
        return warp_camera(self.image, camera, size)


@dataclass(frozen=True)
class Dissolve:
    """Keyframes that show different things: a cross-dissolve, no warping."""

    first: Frame
    last: Frame
    is_cut: bool = True

    def render(self, t: float, camera: Camera, size: tuple[int, int]) -> Frame:
        if t <= 0:
            return warp_camera(self.first, camera, size)
        if t >= 1:
            return warp_camera(self.last, camera, size)
        if isinstance(self.first, YuvFrame):
            return warp_camera(self.first, camera, size).blended(warp_camera(self.last, camera, size), t)
        return cv2.addWeighted(warp_camera(self.first, camera, size), 1 - t, warp_camera(self.last, camera, size), t, 0)


@dataclass(frozen=True)
class FlowTransition:
    """Two matched keyframes with their flows, ready to render any t.

    Flows, visibility and the per-frame solve live on the flow grid, in its
    pixels, with points as two-channel maps: each fixed-point step is then one
    remap and one multiply-add. Only the finished sampling maps are converted
    to keyframe pixels.
    """

    first: Frame  # RGB, or YUV when the interpolator is planar
    last: Frame
    flow_scale: float  # flow grid pixels per keyframe pixel
    forward: np.ndarray  # F01 on the flow grid, in flow grid pixels (CV_32FC2)
    backward: np.ndarray  # F10
    visible_first: np.ndarray  # V0: pixels of `first` that `last` shows
    visible_last: np.ndarray  # V1
    consistency: float
    is_cut: bool = False

    def _source(self, flow: np.ndarray, target: np.ndarray, travel: float) -> _Source:
        """Solve p = q - travel * flow(p) for p, per grid point q of `target` (flow grid pixels)."""
        point = target
        for _ in range(_FIXED_POINT_STEPS):
            point = cv2.scaleAdd(_sample(flow, point), -travel, target)
        moved = _sample(flow, point)
        miss = cv2.subtract(cv2.scaleAdd(moved, travel, point), target)
        tolerance = _SOLVED_TOLERANCE_PX * self.flow_scale
        squared = miss * miss
        solved = squared[..., 0] + squared[..., 1] < tolerance * tolerance
        return _Source(point, cv2.add(point, moved), solved)

    def render(self, t: float, camera: Camera, size: tuple[int, int]) -> Frame:
        if t <= 0:
            return warp_camera(self.first, camera, size)
        if t >= 1:
            return warp_camera(self.last, camera, size)
        # The sampling maps need be no finer than the flow they are built from.
        step = max(_MAP_STEP if size[0] * size[1] > 300_000 else 1, round(1 / self.flow_scale))
        x, y, grid_size = camera_grid(camera, size, step)
        # Keyframe pixels -> flow grid pixels: (v + 0.5) * scale - 0.5.
        target = cv2.merge([x, y]) * np.float32(self.flow_scale) + np.float32(0.5 * self.flow_scale - 0.5)
        # Where q came from in each keyframe, and where that point lands in the other.
        from_first = self._source(self.forward, target, t)
        from_last = self._source(self.backward, target, 1 - t)
        seen_both_first = from_first.solved & (_sample(self.visible_first, from_first.point) > 0.5)
        seen_both_last = from_last.solved & ~seen_both_first & (_sample(self.visible_last, from_last.point) > 0.5)
        # Near an occlusion two scene points can reach q: the one both keyframes
        # show is in front. A point only one keyframe shows is background being
        # covered (first only) or revealed (last only): it comes from that side.
        source_first = self._to_keyframe(_where(seen_both_last, from_last.other, from_first.point))
        source_last = self._to_keyframe(_where(seen_both_first, from_first.other, from_last.point))
        one_sided = ~(seen_both_first | seen_both_last)
        only_first = one_sided & from_first.solved
        only_last = one_sided & ~only_first & from_last.solved
        weight_first = np.where(only_last, 0.0, np.where(only_first, 1.0, 1 - t)).astype(np.float32)
        if isinstance(self.first, YuvFrame) and isinstance(self.last, YuvFrame):
            return blend_remapped(self.first, self.last, source_first, source_last, weight_first, size)
        if grid_size != size:
            up = lambda field: cv2.resize(field, size, interpolation=cv2.INTER_LINEAR)  # noqa: E731
            source_first, source_last, weight_first = up(source_first), up(source_last), up(weight_first)
        weight_last = cv2.subtract(1.0, weight_first)
        map0, aux0 = cv2.convertMaps(source_first, None, cv2.CV_16SC2)
        map1, aux1 = cv2.convertMaps(source_last, None, cv2.CV_16SC2)
        warped_first = cv2.remap(self.first, map0, aux0, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        warped_last = cv2.remap(self.last, map1, aux1, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        return cv2.blendLinear(warped_first, warped_last, weight_first, weight_last)

    def _to_keyframe(self, points: np.ndarray) -> np.ndarray:
        """Flow grid pixels -> keyframe pixels, as a CV_32FC2 map."""
        inverse = 1 / self.flow_scale
        return (points * np.float32(inverse) + np.float32(0.5 * inverse - 0.5)).astype(np.float32, copy=False)


def _where(mask: np.ndarray, chosen: np.ndarray, otherwise: np.ndarray) -> np.ndarray:
    """`chosen` where the boolean `mask` is set, else `otherwise`, for two-channel maps (cv2's masked copy
    measured several times faster than numpy's broadcast `where`)."""
    result = otherwise.copy()
    cv2.copyTo(chosen, mask.view(np.uint8), result)
    return result


@dataclass(frozen=True, slots=True)
class _Source:
    """Per grid point (flow grid pixels): its source point in one keyframe, where that point lands in the
    other keyframe, and whether the source equation was solved."""

    point: np.ndarray  # CV_32FC2
    other: np.ndarray  # CV_32FC2
    solved: np.ndarray  # bool


class FlowInterpolator:
    """The default interpolator: no weights, CPU-fast, occlusion-aware."""

    name = "flow"
    weights = None

    def __init__(self, *, planar: bool = True) -> None:
        self.planar = planar
        """Render planar YUV 4:2:0 (the encoder's format); False renders RGB."""

    def transition(self, first: np.ndarray, last: np.ndarray) -> FlowTransition | Dissolve:
        if first.shape != last.shape:
            raise ValueError(f"keyframes differ in size: {first.shape} vs {last.shape}; fit them first")
        height, width = first.shape[:2]
        scale = min(1.0, (_MAX_FLOW_PIXELS / (width * height)) ** 0.5)
        gray_first, gray_last = _gray(first), _gray(last)
        if scale < 1:
            flow_size = (max(8, round(width * scale)), max(8, round(height * scale)))
            gray_first = cv2.resize(gray_first, flow_size, interpolation=cv2.INTER_AREA)
            gray_last = cv2.resize(gray_last, flow_size, interpolation=cv2.INTER_AREA)
            scale = flow_size[0] / width
        forward = _estimate_flow(gray_first, gray_last)
        backward = _estimate_flow(gray_last, gray_first)
        doubtful_forward = _consistency_error(forward, backward) > _tolerance(forward)
        doubtful_backward = _consistency_error(backward, forward) > _tolerance(backward)
        forward, backward = (
            _repair(gray_first, gray_last, forward, backward, doubtful_backward),
            _repair(gray_last, gray_first, backward, forward, doubtful_forward),
        )
        visible_first = _visibility(forward, backward)
        visible_last = _visibility(backward, forward)
        consistency = float(min(visible_first.mean(), visible_last.mean()))
        if self.planar:  # once per pair; every frame of it is warped from these planes
            first, last = YuvFrame.from_rgb(first), YuvFrame.from_rgb(last)
        if consistency < _CUT_CONSISTENCY:
            return Dissolve(first, last)
        return FlowTransition(first, last, scale, forward, backward, visible_first, visible_last, consistency)
