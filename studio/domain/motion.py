"""Ken Burns camera motion as pure geometry.

The canvas is the keyframe already fitted to the output's aspect. The camera
shows a window of the canvas; `zoom` >= 1 shrinks the window, and the window's
centre moves for pans and tilts. The result is the affine map from output
pixels to canvas pixels, which the media layer applies in one resampling.

With depth (2.5D parallax) the same move is read as a camera travelling
through the scene: a pan or tilt is a truck or pedestal, a zoom is a dolly.
The focus plane moves exactly as the flat window does; nearer points move
further, farther ones less, by `parallax_gain`.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.domain.script import CameraMovement

# At motion strength 1 the camera zooms to 1.25x or pans across the margin that
# a 1.25x zoom leaves (a fifth of the frame): clearly moving, never dizzying.
MAX_ZOOM_AT_FULL_STRENGTH = 0.25


@dataclass(frozen=True, slots=True)
class CameraWindow:
    """The visible part of the canvas: centre in canvas pixels and zoom factor."""

    center_x: float
    center_y: float
    zoom: float
    dolly: float = 1.0
    """The part of `zoom` made by the camera moving forward (parallax applies to it); the rest is the lens."""

    def affine(self, canvas_size: tuple[int, int], output_size: tuple[int, int]) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
        """2x3 matrix mapping output pixel centres to canvas coordinates.

        Canvas and output share the aspect ratio, so one scale serves both axes.
        """
        canvas_w, _ = canvas_size
        out_w, out_h = output_size
        scale = canvas_w / (self.zoom * out_w)
        offset_x = self.center_x - scale * out_w / 2 + 0.5 * scale - 0.5
        offset_y = self.center_y - scale * out_h / 2 + 0.5 * scale - 0.5
        return ((scale, 0.0, offset_x), (0.0, scale, offset_y))


def camera_window(
    movement: CameraMovement, progress: float, strength: float, canvas_size: tuple[int, int]
) -> CameraWindow:
    """Where the camera looks at `progress` (0..1) through the shot."""
    width, height = canvas_size
    max_zoom = 1.0 + MAX_ZOOM_AT_FULL_STRENGTH * min(1.0, max(0.0, strength))
    mid_x, mid_y = width / 2, height / 2
    # Half the window at max zoom; the centre may travel this far from the middle.
    room_x = (width - width / max_zoom) / 2
    room_y = (height - height / max_zoom) / 2
    if movement is CameraMovement.ZOOM_IN:
        zoom = 1.0 + (max_zoom - 1.0) * progress
        return CameraWindow(mid_x, mid_y, zoom, dolly=zoom)
    if movement is CameraMovement.ZOOM_OUT:
        zoom = max_zoom - (max_zoom - 1.0) * progress
        return CameraWindow(mid_x, mid_y, zoom, dolly=zoom)
    sweep = 2 * progress - 1  # -1 .. 1
    if movement is CameraMovement.PAN_LEFT:
        return CameraWindow(mid_x - room_x * sweep, mid_y, max_zoom)
    if movement is CameraMovement.PAN_RIGHT:
        return CameraWindow(mid_x + room_x * sweep, mid_y, max_zoom)
    if movement is CameraMovement.TILT_UP:
        return CameraWindow(mid_x, mid_y - room_y * sweep, max_zoom)
    if movement is CameraMovement.TILT_DOWN:
        return CameraWindow(mid_x, mid_y + room_y * sweep, max_zoom)
    return CameraWindow(mid_x, mid_y, 1.0)


def inert_interpolation_controls(movement: CameraMovement, keyframe_count: int) -> tuple[str, ...]:
    """The interpolation controls that cannot change a shot's clip: a static camera has no move for the motion
    amount to scale or depth to turn into parallax, and with one keyframe too there is nothing for smoothing to
    ease either."""
    if movement is not CameraMovement.STATIC:
        return ()
    return ("motion", "depth") + (("smooth motion",) if keyframe_count < 2 else ())


# The disparity (0 farthest .. 1 nearest, per keyframe) of the focus plane, which moves as the flat window does.
PARALLAX_FOCUS = 0.5


def parallax_gain(disparity, strength: float):
    """How much of the flat move a point at `disparity` (0 farthest .. 1 nearest; a float or an array) makes.

    1 at the focus plane. At strength 1 the farthest point stays put and the nearest moves twice as far as
    the focus plane; at 0 everything moves as the flat window (plain Ken Burns). A point's place in the frame
    moves linearly in its gain, from where the unmoved camera (centred, lens zoom only) shows it at gain 0, as
    a pinhole camera's does in disparity for a truck, a pedestal or a dolly.
    """
    return 1.0 + 2.0 * strength * (disparity - PARALLAX_FOCUS)
