"""The roles a backend plays, as Protocols."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from studio.backends.camera import IDENTITY, Affine, Camera
from studio.domain.generation import GenerationPlan
from studio.domain.recipe import CameraLora, Sampling
from studio.media.yuv import Frame

__all__ = ["IDENTITY", "Affine", "Camera", "DepthEstimator", "Footage", "FrameInterpolator", "ShotGeneration",
           "StepHook", "Transition", "VideoGenerator"]


class Transition(Protocol):
    """The motion from one keyframe to the next, ready to render any moment of it."""

    @property
    def is_cut(self) -> bool:
        """True when the two keyframes could not be matched and the move is a dissolve."""
        ...

    def render(self, t: float, camera: Camera, size: tuple[int, int]) -> Frame:
        """The frame at `t` (0 = first keyframe, 1 = last) seen through `camera`, `size` = (w, h): RGB from
        neural interpolators, planar YUV from the flow interpolator (the encoder takes either)."""
        ...


class FrameInterpolator(Protocol):
    """Makes in-between frames of two same-sized RGB keyframes."""

    name: str
    weights: Path | None
    """The weights file a neural interpolator was loaded from; None for weight-free ones."""

    def transition(self, first: np.ndarray, last: np.ndarray) -> Transition: ...


class DepthEstimator(Protocol):
    """Estimates relative depth of an RGB image."""

    source: str
    """The model it runs (a hub id or a local folder), as configured."""

    def estimate(self, image: np.ndarray) -> np.ndarray:
        """Relative disparity (float32, larger = nearer, any scale) at the image's (h, w)."""
        ...


StepHook = Callable[[int, int], bool]
"""Called after each denoising step with (step, total); returning False cancels the generation."""


@dataclass(frozen=True)
class TimedKeyframe:
    """A keyframe as a generation takes it: the RGB image at the plan's size and its time in the shot."""

    image: np.ndarray
    time_s: float


@dataclass(frozen=True, kw_only=True)
class ShotGeneration:
    """One shot's footage to generate: the model-legal plan, the prompt and keyframes, the sampling controls."""

    plan: GenerationPlan
    prompt: str
    negative_prompt: str
    keyframes: tuple[TimedKeyframe, ...]
    steps: int
    guidance_scale: float
    seed: int
    strength: float = 1.0
    """How tightly keyframes hold the generation (LTX conditioning strength)."""
    motion_bucket_id: int = 127
    noise_aug_strength: float = 0.02
    decode_chunk_size: int = 8
    reroll_static: int = 0
    """Generate again with another seed, up to this many times, while the result is near-static."""
    sampling: Sampling = Sampling()
    """LTX: the sampling recipe beyond steps and guidance (decode noise, the second stage)."""
    camera_lora: CameraLora | None = None
    """The camera-control LoRA for the shot's move, switched on for this shot only."""


@dataclass(frozen=True)
class Footage:
    """Generated frames at the model's rate, and how they came about."""

    frames: list[np.ndarray]
    seed: int
    rerolls: int
    motion: float
    near_static: bool


class VideoGenerator(Protocol):
    """Generates a whole shot's footage (chunks and re-rolls included) with a video model."""

    family: str

    def generate_shot(self, request: ShotGeneration, on_step: StepHook) -> Footage: ...
