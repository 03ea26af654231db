"""The 'interp' method: a shot's keyframes animated into a clip.

Keyframes are fitted to the frame's aspect on one canvas, each output frame is
placed on the keyframe timeline, the interpolator renders that moment, and the
Ken Burns camera moves over it.

Frames come out at the canvas size: the keyframes' own detail, at most the
delivery size; the encoder scales them to the delivery size. The flow
interpolator's frames come out as planar YUV 4:2:0, ready for the encoder.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from studio.backends.base import FrameInterpolator, Transition
from studio.backends.flow import Still
from studio.domain import CameraMovement
from studio.domain.motion import camera_window
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


@dataclass(frozen=True, slots=True)
class ShotTiming:
    """The parts of a shot that decide its motion."""

    duration_s: float
    keyframe_times_s: tuple[float, ...]
    camera_movement: CameraMovement


class Animation:
    """One shot's frames, ready to iterate; `size` and `total_frames` known up front."""

    def __init__(
        self, interpolator: FrameInterpolator, keyframes: list[np.ndarray], timing: ShotTiming, settings: AnimationSettings
    ) -> None:
        if len(keyframes) != len(timing.keyframe_times_s):
            raise ValueError("one time per keyframe is needed")
        self.size = max(
            (native_canvas_size((image.shape[1], image.shape[0]), settings.output_size) for image in keyframes),
            key=lambda size: size[0],
        )
        self.total_frames = frame_count(timing.duration_s, settings.fps)
        self._canvases = [fit_to_frame(image, self.size, settings.fit) for image in keyframes]
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
            camera = camera_window(movement, camera_progress, strength, self.size).affine(self.size, self.size)
            yield transition.render(position.t, camera, self.size)


class KeyframeAnimator:
    """Animates shots from their keyframes with a `FrameInterpolator`."""

    def __init__(self, interpolator: FrameInterpolator) -> None:
        self.interpolator = interpolator

    def animate(self, keyframes: list[np.ndarray], timing: ShotTiming, settings: AnimationSettings) -> Animation:
        return Animation(self.interpolator, keyframes, timing, settings)
