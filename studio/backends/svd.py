"""Stable Video Diffusion through diffusers: image-to-video from the first keyframe; the family's entry and its
generator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from studio.backends.base import ShotGeneration, StepHook
from studio.backends.runtime import GenerationRequest, ShotGenerator, run_video_pipeline, seeded
from studio.domain.families import FamilySpec, ModelDefaults

# The studio's generative defaults (the svd-xt preset sets SVD-XT's own size, frames and steps).
SVD_DEFAULTS = ModelDefaults(width=480, height=832, num_frames=121, fps=24, num_inference_steps=8, guidance_scale=3.0)
STABLE_VIDEO_DIFFUSION = FamilySpec(
    name="stable-video-diffusion", label="Stable Video Diffusion", pipeline_class="StableVideoDiffusionPipeline",
    saved_as=("StableVideoDiffusionPipeline",), upsample_pipeline_class=None, upsampler_model_class=None,
    size_multiple=8, frame_rule="any", max_height=1280,
    overlap_frames=1, conditioning="first-image", supports_lora=False, two_stage=False,
    repo_markers=("stable-video-diffusion", "svd"), defaults=SVD_DEFAULTS,
    cpu_reason="its 1.5B-parameter UNet runs far too slowly at fp32 on a CPU for a take",
)


@dataclass(frozen=True, kw_only=True)
class SvdRequest(GenerationRequest):
    image: np.ndarray
    motion_bucket_id: int
    noise_aug_strength: float
    decode_chunk_size: int


class SvdGenerator(ShotGenerator):
    """Stable Video Diffusion: image-only generation from the first keyframe; later keyframes are not used."""

    default_family = STABLE_VIDEO_DIFFUSION
    # AutoencoderKLTemporalDecoder inherits enable_tiling but raises NotImplementedError on it; decode_chunk_size
    # is how SVD saves decoder memory.
    vae_tiling = False

    def _chunks(self, request: ShotGeneration, seed: int, on_step: StepHook) -> list[np.ndarray]:
        """Later chunks continue from the last frame of the one before."""
        plan = request.plan
        footage: list[np.ndarray] = []
        for chunk in plan.chunk_spans:
            frames = self.generate(SvdRequest(
                image=footage[-1] if footage else request.keyframes[0].image, width=plan.width, height=plan.height,
                num_frames=chunk.num_frames, fps=plan.fps, steps=request.steps, guidance_scale=request.guidance_scale,
                motion_bucket_id=request.motion_bucket_id, noise_aug_strength=request.noise_aug_strength,
                decode_chunk_size=request.decode_chunk_size, seed=seed + chunk.index,
            ), on_step)
            footage.extend(frames[1:] if footage else frames)
        return footage

    def arguments(self, request: SvdRequest) -> dict:
        """The pipeline's keyword arguments for one generation (checked against its signature by a test)."""
        from PIL import Image

        return {
            "image": Image.fromarray(request.image), "width": request.width, "height": request.height,
            "num_frames": request.num_frames, "min_guidance_scale": 1.0, "max_guidance_scale": request.guidance_scale,
            "fps": request.fps, "motion_bucket_id": request.motion_bucket_id,
            "noise_aug_strength": request.noise_aug_strength, "decode_chunk_size": request.decode_chunk_size,
            "generator": seeded(request.seed),
        }

    def generate(self, request: SvdRequest, on_step: Callable[[int, int], bool]) -> list[np.ndarray]:
        return run_video_pipeline(
            self.pipeline, self.arguments(request), steps=request.steps, on_step=on_step,
            oom_hint="lower ltx_video.decode_chunk_size or the generation size",
        )

    def recipe(self, sampling: str) -> str:
        """How the footage was sampled, for the metadata."""
        return f"SVD image-to-video from the first keyframe; {sampling}; chunks continue from the last frame"
