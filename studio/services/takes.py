"""Takes: every render kept with its settings, and promoting one to the canonical clip."""

from __future__ import annotations

import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from studio.config import MAX_SEED, X264_PRESETS, PipelineConfig, describe_validation_error
from studio.domain import Script, Shot
from studio.domain.metadata import ClipRecord
from studio.domain.timing import frame_count
from studio.errors import StudioError
from studio.files import replaced_atomically
from studio.services.progress import CancelToken, ProgressListener
from studio.services.renderer import ShotRenderer
from studio.store import Take, VoteStore
from studio.workspace import Workspace


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

    @classmethod
    def parse(cls, **values: object) -> TakeSettings:
        try:
            settings = cls.model_validate(values)
        except ValidationError as error:
            raise StudioError(describe_validation_error("render settings", error)) from None
        if settings.preset not in X264_PRESETS:
            raise StudioError(f"encoder preset must be one of {', '.join(X264_PRESETS)}, not {settings.preset!r}")
        return settings

    @property
    def variant(self) -> str:
        if self.method == "ltx":
            extras = [f"cfg {self.guidance_scale:g}" if self.guidance_scale else "", f"{self.steps} steps" if self.steps else "",
                      "one stage" if self.two_stage is False else ""]
            return " ".join(["ltx", f"motion {self.motion:.2f}", *[e for e in extras if e]])
        return f"{self.method} motion {self.motion:.2f}" + (" smooth" if self.smooth_motion else "")

    def applied_to(self, config: PipelineConfig) -> PipelineConfig:
        interpolation = config.interpolation.model_copy(update={
            "smooth_motion": self.smooth_motion,
            "ken_burns": config.interpolation.ken_burns.model_copy(update={"strength": self.motion}),
        })
        ltx_updates = {key: value for key, value in (
            ("guidance_scale", self.guidance_scale), ("num_inference_steps", self.steps), ("seed", self.seed),
            ("two_stage", self.two_stage)) if value is not None}
        if self.method == "ltx":  # Stable Video Diffusion's motion control follows the same slider
            ltx_updates["motion_bucket_id"] = max(1, round(1 + 254 * self.motion))
        return config.model_copy(update={
            "interpolation": interpolation, "ltx_video": config.ltx_video.model_copy(update=ltx_updates)})


def take_path(workspace: Workspace, script: Script, shot: Shot, method: str, take_id: str) -> Path:
    return workspace.inside(
        "videos", "takes", method, script.segment, script.age_bucket, str(script.title_id), f"shot_{shot.number:03d}", f"{take_id}.mp4"
    )


def render_take(
    renderer: ShotRenderer, store: VoteStore, config: PipelineConfig, script: Script, shot: Shot,
    settings: TakeSettings, *, who: str, progress: ProgressListener, cancel: CancelToken,
) -> Take:
    """Render a new take (never overwriting anything) and record it in the store."""
    take_config = settings.applied_to(config)
    renderer.check_method(settings.method, take_config)
    take_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    clip = take_path(renderer.workspace, script, shot, settings.method, take_id)
    job = renderer.job(script, shot, settings.method, take_config, preset=settings.preset, clip_path=clip,
                       motion=settings.motion)
    progress.shot_started(f"{script.title_id} {shot.shot_id}", frame_count(shot.duration_s, config.video.fps))
    record = renderer.render(job, progress, cancel)
    take = Take(
        id=take_id, title_id=str(script.title_id), shot_id=shot.shot_id, method=settings.method,
        variant=settings.variant, params=settings.model_dump(exclude_none=True), input_hash=job.digest,
        video_path=renderer.workspace.relative(clip), record=record.model_dump(mode="json"),
        created_by=who, created_at=record.generated_at,
    )
    store.add_take(take)
    return take


def promote_take(workspace: Workspace, store: VoteStore, take: Take) -> Path:
    """Make `take` the canonical shot_k.mp4 of its method and update the title's metadata."""
    script = workspace.find_script(take.title_id)
    shot = script.shot(take.shot_id)
    method = "ltx" if take.method == "ltx" else "interp"
    source = workspace.inside(*take.video_path.split("/"))
    if not source.is_file():
        raise StudioError(f"the video of take {take.id} is gone ({take.video_path}); render it again")
    target = workspace.clip_path(script, shot, method)
    with replaced_atomically(target, ".partial.mp4") as temp:
        shutil.copyfile(source, temp)
    record = ClipRecord.model_validate(take.record | {"video_file": target.name})
    workspace.write_metadata(workspace.read_metadata(script, method).with_clip(record), script)
    return target


__all__ = ["TakeSettings", "promote_take", "render_take", "take_path"]
