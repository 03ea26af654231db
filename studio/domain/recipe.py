"""How an LTX model is sampled: the one-stage settings and the official multiscale (two-stage) recipe.

The values come from the diffusers documentation of each model family
(`api/pipelines/ltx_video` and `api/pipelines/ltx2`): stage 1 at a reduced
size with the released schedule, a latent x2 upsample, then a short refine
at the upsampled size. Presets carry them; `services` passes them to the
backend untouched.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, model_validator

Schedule = tuple[float, ...]


class Refinement(BaseModel):
    """Stage 2 of the multiscale recipe: upsample stage 1's latents x2 and refine them briefly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    upsampler: str = Field(min_length=1)
    """The latent upsampler: a Hugging Face repo id or a local folder."""
    upsampler_subfolder: str | None = "latent_upsampler"
    """Where the upsampler's config.json sits inside `upsampler` (empty: at its top)."""
    first_stage_scale: float = Field(gt=0.0, le=1.0)
    """Stage 1 size as a fraction of the wanted size (rounded down to the model's size multiple)."""
    first_stage_timesteps: Schedule | None = None
    """LTX-Video 0.9.x distilled: stage 1's released timesteps (0-1000)."""
    first_stage_sigmas: Schedule | None = None
    """LTX-2.x distilled: stage 1's released sigmas (0-1)."""
    adain_factor: float = Field(default=0.0, ge=-10.0, le=10.0)
    """AdaIN blend of the upsampled latents towards stage 1's statistics (0: off)."""
    tone_map_compression_ratio: float = Field(default=0.0, ge=0.0, le=1.0)
    """Latent tone mapping at the upsample (LTX-Video 0.9.8: 0.6)."""
    steps: int = Field(ge=1, le=100)
    """Stage 2 denoising steps (the schedule's length when one is given)."""
    timesteps: Schedule | None = None
    sigmas: Schedule | None = None
    strength: float | None = Field(default=None, gt=0.0, le=1.0)
    """LTX-Video 0.9.x: how much of stage 2's schedule runs (`denoise_strength`)."""
    noise_scale: float | None = Field(default=None, gt=0.0, le=1.0)
    """LTX-2.x: how far the upsampled latents are re-noised before the refine (the schedule's first sigma)."""
    guidance_scale: float = Field(default=1.0, ge=1.0, le=20.0)
    lora: str | None = None
    """Full (non-distilled) models: a distilled LoRA stage 2 runs with, a repo id or folder (LTX-2: in its repo)."""
    lora_weight_name: str | None = None
    """The LoRA's file inside `lora`."""
    lora_scale: float = Field(default=1.0, gt=0.0, le=2.0)
    sigmas_as_given: bool = False
    """Stage 2 on a scheduler without dynamic shifting, so its sigmas run as given (the LoRA recipe does this)."""

    @model_validator(mode="after")
    def _one_schedule_each(self) -> Refinement:
        if self.first_stage_timesteps and self.first_stage_sigmas:
            raise ValueError("give stage 1 either first_stage_timesteps or first_stage_sigmas, not both")
        if self.timesteps and self.sigmas:
            raise ValueError("give stage 2 either timesteps or sigmas, not both")
        return self

    @property
    def first_stage_schedule(self) -> Schedule | None:
        return self.first_stage_timesteps or self.first_stage_sigmas

    def first_stage_size(self, width: int, height: int, multiple: int) -> tuple[int, int]:
        """Stage 1's size for a wanted `width` x `height`: scaled, rounded down to `multiple`, at least one multiple."""
        return tuple(max(multiple, math.floor(side * self.first_stage_scale / multiple) * multiple)  # type: ignore[return-value]
                     for side in (width, height))


class Sampling(BaseModel):
    """A model's sampling settings beyond steps and guidance, and its second stage if it has one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    decode_timestep: float = Field(default=0.0, ge=0.0, le=1.0)
    """Timestep-aware VAEs (LTX-Video 0.9.1 and later) decode at this noise level."""
    decode_noise_scale: float | None = Field(default=None, ge=0.0, le=1.0)
    image_cond_noise_scale: float | None = Field(default=None, ge=0.0, le=1.0)
    """LTX-Video 0.9.x: noise added to conditioning frames (None: the pipeline's default)."""
    guidance_rescale: float | None = Field(default=None, ge=0.0, le=1.0)
    timesteps: Schedule | None = None
    """LTX-Video 0.9.x distilled, one stage: the released timesteps (0-1000), one a step. A two-stage run samples
    stage 1 on `refine.first_stage_timesteps` instead."""
    refine: Refinement | None = None

    def one_stage(self, *, changed_steps: bool = False) -> Sampling:
        """The recipe without its second stage; another step count than the released schedule's samples evenly."""
        return self.model_copy(update={"refine": None, **({"timesteps": None} if changed_steps else {})})

    def describe(self, steps: int, guidance_scale: float) -> str:
        """The recipe in a line, for the metadata."""
        if self.refine is None:
            schedule = " on the released schedule" if self.timesteps else ""
            return f"one stage, {steps} steps{schedule}, guidance {guidance_scale:g}"
        refine = self.refine
        schedule = " on the released schedule" if refine.first_stage_schedule else ""
        extras = [f"AdaIN {refine.adain_factor:g}" if refine.adain_factor else "",
                  f"tone map {refine.tone_map_compression_ratio:g}" if refine.tone_map_compression_ratio else ""]
        upsample = ", ".join(filter(None, [f"latent x2 upsample ({refine.upsampler})", *extras]))
        lora = f" with the distilled LoRA {refine.lora_weight_name or refine.lora}" if refine.lora else ""
        return (f"two stages: {steps} steps{schedule} at {refine.first_stage_scale:.2g} size, guidance "
                f"{guidance_scale:g}; {upsample}; {refine.steps}-step refine{lora}, guidance {refine.guidance_scale:g}")


class CameraLora(BaseModel):
    """A camera-control LoRA: where it loads from, its file, and the strength its card recommends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repo: str = Field(min_length=1)
    """A Hugging Face repo id, or (resolved) the local folder that holds the file."""
    weight_name: str = Field(pattern=r"^[\w.-]+\.safetensors$")
    strength: float = Field(default=1.0, gt=0.0, le=2.0)

    @property
    def label(self) -> str:
        return f"{self.repo}/{self.weight_name} @ {self.strength:g}"
