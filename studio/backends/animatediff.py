"""AnimateDiff on Stable Diffusion 1.5 through diffusers, in its two modes (the two family entries below):

- animatediff-sparsectrl: AnimateDiffSparseControlNetPipeline with the v3 motion adapter and SparseCtrl RGB; the
  shot's keyframes are conditioning frames at their frame indices (`conditioning_frames`, `controlnet_frame_indices`).
- animatediff: AnimateDiffPipeline with the v2 motion adapter, text-to-video from the shot's prompt (description,
  camera move, style), steered by the camera move's motion LoRA; the keyframes do not reach it.

A shot longer than one 16-frame window goes in overlapping windows: a later window shares the family's
overlap_frames with the one before, cross-faded; with SparseCtrl those shared frames are its first conditioning frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.backends.base import ShotGeneration, StepHook
from studio.backends.runtime import (
    GenerationRequest,
    ShotGenerator,
    adapters_on,
    camera_adapter,
    extend_crossfaded,
    run_video_pipeline,
    seeded,
)
from studio.domain.families import FamilySpec, ModelDefaults
from studio.domain.recipe import CameraLora

# The SparseCtrl RGB card runs its condition at full weight.
CONTROLNET_SCALE = 1.0
ANIMATEDIFF_OOM_HINT = "set ltx_video.memory: sequential_offload, or lower ltx_video.width/height"

# 16-frame windows at 8 fps (what the motion modules were trained on), 25 steps, guidance 7.5 as the diffusers docs
# run it; 288x512 is exact 9:16 near SD 1.5's 512 pixels.
ANIMATEDIFF_DEFAULTS = ModelDefaults(width=288, height=512, num_frames=16, fps=8, num_inference_steps=25,
                                     guidance_scale=7.5)
_CPU_REASON = "SD 1.5 with a motion module takes many minutes per 16-frame window at fp32 on a CPU"
# Two families, because SparseCtrl and the camera motion LoRAs need different motion adapters: SparseCtrl RGB
# works with v3 (motion-adapter-v1-5-3), the zoom/pan/tilt LoRAs were trained on v2 (-v1-5-2). A preset names the
# SD 1.5 base model and these components; no repo id tells the family (set ltx_video.family).
ANIMATEDIFF_SPARSECTRL = FamilySpec(
    name="animatediff-sparsectrl", label="AnimateDiff v3 + SparseCtrl RGB",
    pipeline_class="AnimateDiffSparseControlNetPipeline", saved_as=("AnimateDiffSparseControlNetPipeline",),
    upsample_pipeline_class=None, upsampler_model_class=None,
    size_multiple=8, frame_rule="window", max_height=1024, overlap_frames=4, conditioning="sparse-frames",
    supports_lora=False, two_stage=False, repo_markers=(), defaults=ANIMATEDIFF_DEFAULTS, window_frames=16,
    cpu_reason=_CPU_REASON, components=(("motion_adapter", "MotionAdapter"), ("controlnet", "SparseControlNetModel")),
)
ANIMATEDIFF = FamilySpec(
    name="animatediff", label="AnimateDiff v2 + motion LoRAs", pipeline_class="AnimateDiffPipeline",
    saved_as=("AnimateDiffPipeline",), upsample_pipeline_class=None, upsampler_model_class=None,
    size_multiple=8, frame_rule="window", max_height=1024, overlap_frames=4, conditioning="text-only",
    supports_lora=True, two_stage=False, repo_markers=(), defaults=ANIMATEDIFF_DEFAULTS, window_frames=16,
    cpu_reason=_CPU_REASON, components=(("motion_adapter", "MotionAdapter"),),
)


@dataclass(frozen=True, kw_only=True)
class AnimateDiffRequest(GenerationRequest):
    prompt: str
    negative_prompt: str
    conditions: dict[int, np.ndarray]
    """Frame index in the window -> the RGB frame SparseCtrl holds there, in frame order; unused in text-only mode."""
    camera_lora: CameraLora | None = None
    decode_chunk_size: int = 16


def docs_scheduler(base: object, *, sparse: bool) -> object:
    """AnimateDiff's scheduler as the diffusers docs make it from the base model's scheduler config `base`:
    text-to-video on DDIM with linear betas, no sample clipping, linspace timesteps and steps offset 1; SparseCtrl on
    DPM-Solver++ with linear betas and Karras sigmas (api/pipelines/animatediff)."""
    from diffusers import DDIMScheduler, DPMSolverMultistepScheduler

    if sparse:
        return DPMSolverMultistepScheduler.from_config(base, beta_schedule="linear", algorithm_type="dpmsolver++",
                                                       use_karras_sigmas=True)
    return DDIMScheduler.from_config(base, beta_schedule="linear", clip_sample=False, timestep_spacing="linspace",
                                     steps_offset=1)


class AnimateDiffGenerator(ShotGenerator):
    """AnimateDiff in windows: keyframes as SparseCtrl frames, or text with the move's motion LoRA."""

    default_family = ANIMATEDIFF_SPARSECTRL

    @property
    def sparse(self) -> bool:
        return self.family.conditioning == "sparse-frames"

    @classmethod
    def prepare(cls, pipeline: object, family: FamilySpec) -> None:
        """The scheduler the diffusers AnimateDiff docs sample with, over the base model's own (SD 1.5 saves PNDM
        with scaled-linear betas, which the motion modules were not trained with)."""
        pipeline.scheduler = docs_scheduler(pipeline.scheduler.config, sparse=family.conditioning == "sparse-frames")

    def _chunks(self, request: ShotGeneration, seed: int, on_step: StepHook) -> list[np.ndarray]:
        plan = request.plan
        overlap = plan.overlap_frames
        footage: list[np.ndarray] = []
        for chunk in plan.chunk_spans:
            conditions: dict[int, np.ndarray] = dict(enumerate(footage[-overlap:])) if footage else {}
            for keyframe in request.keyframes:
                index = round(keyframe.time_s * plan.fps) - chunk.start_frame
                if 0 <= index < chunk.num_frames:
                    conditions.setdefault(index, keyframe.image)  # the shared frames are set already
            frames = self.generate(AnimateDiffRequest(
                prompt=request.prompt, negative_prompt=request.negative_prompt, width=plan.width, height=plan.height,
                num_frames=chunk.num_frames, fps=plan.fps, steps=request.steps, guidance_scale=request.guidance_scale,
                seed=seed + chunk.index, conditions=dict(sorted(conditions.items())),
                camera_lora=request.camera_lora, decode_chunk_size=request.decode_chunk_size,
            ), on_step)
            extend_crossfaded(footage, frames, overlap)
        return footage

    def arguments(self, request: AnimateDiffRequest) -> dict:
        """The pipeline's keyword arguments for one window (checked against its signature by a test)."""
        from PIL import Image

        shared = {"prompt": request.prompt, "negative_prompt": request.negative_prompt or None, "width": request.width,
                  "height": request.height, "num_frames": request.num_frames, "guidance_scale": request.guidance_scale,
                  "generator": seeded(request.seed)}
        if not self.sparse:
            return {**shared, "decode_chunk_size": request.decode_chunk_size}
        return {**shared, "conditioning_frames": [Image.fromarray(image) for image in request.conditions.values()],
                "controlnet_frame_indices": list(request.conditions),
                "controlnet_conditioning_scale": CONTROLNET_SCALE}

    def generate(self, request: AnimateDiffRequest, on_step: StepHook) -> list[np.ndarray]:
        """One window of `request.num_frames` frames, the motion LoRA (camera mode) on for it only."""
        lora = [camera_adapter(request.camera_lora)] if request.camera_lora and not self.sparse else []
        with adapters_on(self.pipeline, lora):
            return run_video_pipeline(self.pipeline, self.arguments(request), steps=request.steps,
                                      oom_hint=ANIMATEDIFF_OOM_HINT, on_step=on_step)

    def recipe(self, sampling: str) -> str:
        """How the footage was sampled, for the metadata."""
        guide = ("keyframes as SparseCtrl RGB conditioning frames at their frame indices, later windows conditioned "
                 "on the last frames of the one before" if self.sparse else
                 "text-to-video from the prompt, the camera move's motion LoRA; keyframes unused")
        return (f"{self.family.name}: {sampling}; {guide}; {self.family.window_frames}-frame windows overlapping by "
                f"{self.family.overlap_frames}, cross-faded")
