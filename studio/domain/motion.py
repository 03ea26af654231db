"""Ken Burns camera motion as pure geometry.

The canvas is the keyframe already fitted to the output's aspect. The camera
shows a window of the canvas; `zoom` >= 1 shrinks the window, and the window's
centre moves for pans and tilts. The result is the affine map from output
pixels to canvas pixels, which the media layer applies in one resampling.
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
        return CameraWindow(mid_x, mid_y, 1.0 + (max_zoom - 1.0) * progress)
    if movement is CameraMovement.ZOOM_OUT:
        return CameraWindow(mid_x, mid_y, max_zoom - (max_zoom - 1.0) * progress)
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
