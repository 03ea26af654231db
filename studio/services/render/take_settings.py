"""The controls of one take, as the Generate tab and the API send them, and how they apply to the settings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from studio.config import MAX_SEED, X264_PRESETS, PipelineConfig, describe_validation_error
from studio.errors import StudioError


class TakeSettings(BaseModel):
    """The controls of one render, as the Generate tab and the API send them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["interp", "ltx"] = "interp"
    motion: float = Field(default=0.5, ge=0.0, le=1.0, description="Ken Burns strength (interp).")
    smooth_motion: bool = True
    preset: str = Field(default="veryfast", description="x264 preset.")
    guidance_scale: float | None = Field(default=None, ge=1.0, le=20.0, description="LTX guidance; None: the workspace's.")
    steps: int | None = Field(default=None, ge=1, le=200, description="LTX denoising steps; None: the preset's.")
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED, description="LTX seed (0 to 2**32 - 1); None: the workspace's.")
    two_stage: bool | None = Field(default=None, description="LTX: run the recipe's second stage; None: the workspace's.")
    camera_lora: bool | None = Field(default=None, description="LTX: steer with the move's camera LoRA; None: the workspace's.")
    depth: bool | None = Field(default=None, description="Interp: the depth-aware (parallax) camera; None: the workspace's.")
    depth_strength: float | None = Field(default=None, ge=0.0, le=1.0,
                                         description="Interp: its parallax strength; None: the workspace's.")

    @classmethod
    def parse(cls, **values: object) -> TakeSettings:
        try:
            settings = cls.model_validate(values)
        except ValidationError as error:
            raise StudioError(cls._out_of_range(error) or describe_validation_error("render settings", error)) from None
        if settings.preset not in X264_PRESETS:
            raise StudioError(f"encoder preset must be one of {', '.join(X264_PRESETS)}, not {settings.preset!r}")
        return settings

    @classmethod
    def _out_of_range(cls, error: ValidationError) -> str | None:
        """One sentence for one number outside its range ("seed must be 0 to 4294967295, not 1099511627776")."""
        problems = error.errors()
        if len(problems) != 1 or problems[0]["type"] not in ("less_than_equal", "greater_than_equal"):
            return None
        name = str(problems[0]["loc"][0])
        bounds = {type(rule).__name__: rule for rule in cls.model_fields[name].metadata}
        if "Ge" not in bounds or "Le" not in bounds:
            return None
        return f"{name} must be {bounds['Ge'].ge:.10g} to {bounds['Le'].le:.10g}, not {problems[0]['input']!r}"

    @property
    def variant(self) -> str:
        if self.method == "ltx":
            extras = [f"cfg {self.guidance_scale:g}" if self.guidance_scale else "", f"{self.steps} steps" if self.steps else "",
                      "one stage" if self.two_stage is False else "", "no camera LoRA" if self.camera_lora is False else ""]
            return " ".join(["ltx", f"motion {self.motion:.2f}", *[e for e in extras if e]])
        depth = ""
        if self.depth:
            depth = " depth" + (f" {self.depth_strength:.2f}" if self.depth_strength is not None else "")
        return f"{self.method} motion {self.motion:.2f}" + (" smooth" if self.smooth_motion else "") + depth

    def applied_to(self, config: PipelineConfig) -> PipelineConfig:
        depth_updates = {key: value for key, value in (("enabled", self.depth), ("strength", self.depth_strength))
                         if value is not None}
        interpolation = config.interpolation.model_copy(update={
            "smooth_motion": self.smooth_motion,
            "ken_burns": config.interpolation.ken_burns.model_copy(update={"strength": self.motion}),
            "depth": config.interpolation.depth.model_copy(update=depth_updates),
        })
        ltx_updates = {key: value for key, value in (
            ("guidance_scale", self.guidance_scale), ("num_inference_steps", self.steps), ("seed", self.seed),
            ("two_stage", self.two_stage), ("camera_lora", self.camera_lora)) if value is not None}
        if self.method == "ltx":  # Stable Video Diffusion's motion control follows the same slider
            ltx_updates["motion_bucket_id"] = max(1, round(1 + 254 * self.motion))
        return config.model_copy(update={
            "interpolation": interpolation, "ltx_video": config.ltx_video.model_copy(update=ltx_updates)})
