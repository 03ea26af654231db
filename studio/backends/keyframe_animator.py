"""The 'interp' method: a shot's keyframes animated into a clip.

Keyframes are fitted to the frame's aspect on one canvas, each output frame is
placed on the keyframe timeline, the interpolator renders that moment, and the
Ken Burns camera moves over it. With a depth estimator and a depth strength,
the camera is the parallax camera (`studio.backends.camera`): each keyframe's
depth is estimated before the first frame (so a model that fails, fails
before anything is encoded), fitted to the canvas like the keyframe, and the
depth between two keyframes is theirs blended by time.

Frames come out at the canvas size: the keyframes' own detail, at most the
delivery size; the encoder scales them to the delivery size. The flow
interpolator's frames come out as planar YUV 4:2:0, ready for the encoder.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from studio.backends.base import DepthEstimator, FrameInterpolator, Transition
from studio.backends.camera import Camera, DepthField, ParallaxCamera
from studio.backends.flow import Still
from studio.domain import CameraMovement
from studio.domain.motion import CameraWindow, camera_window
from studio.domain.timing import ease_in_out, frame_count, frame_progress, locate
from studio.media.images import FitRule, fit_to_frame, native_canvas_size
from studio.media.yuv import Frame, YuvFrame


@dataclass(frozen=True, slots=True)
class AnimationSettings:
    """How keyframes become motion; built from pipeline.yaml."""

    output_size: tuple[int, int] = (1080, 1920)
    fps: int = 30
    fit: FitRule = "cover"
    smooth_motion: bool = True
    ken_burns: bool = True
    ken_burns_strength: float = 0.5
    depth_strength: float | None = None
    """Parallax of the depth-aware camera (0..1); None: the flat Ken Burns camera, no depth estimated."""


@dataclass(frozen=True, slots=True)
class ShotTiming:
    """The parts of a shot that decide its motion."""

    duration_s: float
    keyframe_times_s: tuple[float, ...]
    camera_movement: CameraMovement


class Animation:
    """One shot's frames, ready to iterate; `size` and `total_frames` known up front."""

    def __init__(
        self, interpolator: FrameInterpolator, keyframes: list[np.ndarray], timing: ShotTiming, settings: AnimationSettings,
        depth: DepthEstimator | None = None,
    ) -> None:
        if len(keyframes) != len(timing.keyframe_times_s):
            raise ValueError("one time per keyframe is needed")
        self.size = max(
            (native_canvas_size((image.shape[1], image.shape[0]), settings.output_size) for image in keyframes),
            key=lambda size: size[0],
        )
        self.total_frames = frame_count(timing.duration_s, settings.fps)
        self._canvases = [fit_to_frame(image, self.size, settings.fit) for image in keyframes]
        self._depths: list[DepthField] | None = None
        if settings.depth_strength is not None and settings.ken_burns:
            if depth is None:
                raise ValueError("a depth strength needs a depth estimator")
            self._depths = [DepthField.from_estimate(fit_to_frame(depth.estimate(image), self.size, settings.fit), self.size)
                            for image in keyframes]
        self._interpolator = interpolator
        self._timing = timing
        self._settings = settings

    def _transitions(self) -> Iterator[tuple[int, Transition]]:
        """(index, transition) per keyframe pair, built once each, in order."""
        if len(self._canvases) == 1:
            yield 0, Still(YuvFrame.from_rgb(self._canvases[0]))  # converted once; the camera moves the planes
            return
        for index in range(len(self._canvases) - 1):
            yield index, self._interpolator.transition(self._canvases[index], self._canvases[index + 1])

    def __iter__(self) -> Iterator[Frame]:
        timing, settings = self._timing, self._settings
        strength = settings.ken_burns_strength if settings.ken_burns else 0.0
        movement = timing.camera_movement if settings.ken_burns else CameraMovement.STATIC
        pairs = self._transitions()
        index, transition = next(pairs)
        for frame_index in range(self.total_frames):
            progress = frame_progress(frame_index, self.total_frames)
            position = locate(progress * timing.duration_s, timing.keyframe_times_s, ease=settings.smooth_motion)
            while position.first > index:  # frames move forward in time: one pair's flow in memory at a time
                index, transition = next(pairs)
            camera_progress = ease_in_out(progress) if settings.smooth_motion else progress
            window = camera_window(movement, camera_progress, strength, self.size)
            yield transition.render(position.t, self._camera(window, position.first, position.t), self.size)

    def _camera(self, window: CameraWindow, first: int, t: float) -> Camera:
        if self._depths is None:
            return window.affine(self.size, self.size)
        depth = self._depths[first].blend(self._depths[min(first + 1, len(self._depths) - 1)], t)
        return ParallaxCamera(window, self.size, depth, self._settings.depth_strength)


class KeyframeAnimator:
    """Animates shots from their keyframes with a `FrameInterpolator`."""

    def __init__(self, interpolator: FrameInterpolator, depth: DepthEstimator | None = None) -> None:
        self.interpolator, self.depth = interpolator, depth

    def animate(self, keyframes: list[np.ndarray], timing: ShotTiming, settings: AnimationSettings) -> Animation:
        return Animation(self.interpolator, keyframes, timing, settings, self.depth)
