"""Takes: every render kept with its settings, and promoting one to the canonical clip."""

from __future__ import annotations

import io
import os
import secrets
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from studio.config import X264_PRESETS, PipelineConfig, describe_validation_error, parse_pipeline_config
from studio.domain import Script, Shot
from studio.domain.metadata import ClipRecord
from studio.domain.timing import frame_count
from studio.errors import StudioError
from studio.services.progress import ProgressListener
from studio.services.render import input_hash
from studio.store import Take, VoteStore
from studio.workspace import CONFIG_FILE, Workspace, write_atomically

if TYPE_CHECKING:
    from studio.services.studio import Studio


class TakeSettings(BaseModel):
    """The controls of one render, as the Generate tab and the API send them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["interp", "ltx"] = "interp"
    motion: float = Field(default=0.5, ge=0.0, le=1.0, description="Ken Burns strength (interp).")
    smooth_motion: bool = True
    preset: str = Field(default="veryfast", description="x264 preset.")
    guidance_scale: float | None = Field(default=None, ge=1.0, le=20.0, description="LTX guidance; None: the workspace's.")
    steps: int | None = Field(default=None, ge=1, le=200, description="LTX denoising steps; None: the preset's.")
    seed: int | None = Field(default=None, ge=0, description="LTX seed; None: the workspace's.")

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
            extras = [f"cfg {self.guidance_scale:g}" if self.guidance_scale else "", f"{self.steps} steps" if self.steps else ""]
            return " ".join(["ltx", f"motion {self.motion:.2f}", *[e for e in extras if e]])
        return f"{self.method} motion {self.motion:.2f}" + (" smooth" if self.smooth_motion else "")

    def applied_to(self, config: PipelineConfig) -> PipelineConfig:
        interpolation = config.interpolation.model_copy(update={
            "smooth_motion": self.smooth_motion,
            "ken_burns": config.interpolation.ken_burns.model_copy(update={"strength": self.motion}),
        })
        ltx_updates = {key: value for key, value in (
            ("guidance_scale", self.guidance_scale), ("num_inference_steps", self.steps), ("seed", self.seed)) if value is not None}
        if self.method == "ltx":  # Stable Video Diffusion's motion control follows the same slider
            ltx_updates["motion_bucket_id"] = max(1, round(1 + 254 * self.motion))
        return config.model_copy(update={
            "interpolation": interpolation, "ltx_video": config.ltx_video.model_copy(update=ltx_updates)})


def take_path(workspace: Workspace, script: Script, shot: Shot, method: str, take_id: str) -> Path:
    return workspace.inside(
        "videos", "takes", method, script.segment, script.age_bucket, str(script.title_id), f"shot_{shot.number:03d}", f"{take_id}.mp4"
    )


def render_take(
    studio: Studio, store: VoteStore, script: Script, shot: Shot,
    settings: TakeSettings, *, who: str, progress: ProgressListener,
) -> Take:
    """Render a new take (never overwriting anything) and record it in the store."""
    workspace, config = studio.workspace, studio.config
    studio.check_method(settings.method)
    take_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    clip = take_path(workspace, script, shot, settings.method, take_id)
    take_config = settings.applied_to(config)
    digest = input_hash(workspace.keyframe_paths(script, shot), shot, take_config, settings.preset, settings.method)
    progress.shot_started(f"{script.title_id} {shot.shot_id}", frame_count(shot.duration_s, config.video.fps))
    record = studio.render_clip(script, shot, settings.method, take_config, clip, settings.preset, digest, progress,
                            motion=settings.motion)
    take = Take(
        id=take_id, title_id=str(script.title_id), shot_id=shot.shot_id, method=settings.method,
        variant=settings.variant, params=settings.model_dump(exclude_none=True), input_hash=digest,
        video_path=workspace.relative(clip), record=record.model_dump(mode="json"),
        created_by=who, created_at=record.generated_at,
    )
    store.add_take(take)
    return take


def promote_take(workspace: Workspace, store: VoteStore, take: Take) -> Path:
    """Make `take` the canonical shot_k.mp4 of its method and update the title's metadata."""
    script = workspace.find_script(take.title_id)
    shot = next((s for s in script.shots if s.shot_id == take.shot_id), None)
    if shot is None:
        raise StudioError(f"take {take.id} belongs to {take.shot_id}, which the script no longer has")
    method = "ltx" if take.method == "ltx" else "interp"
    source = workspace.inside(*take.video_path.split("/"))
    if not source.is_file():
        raise StudioError(f"the video of take {take.id} is gone ({take.video_path}); render it again")
    target = workspace.clip_path(script, shot, method)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".partial.mp4", dir=target.parent)
    os.close(handle)
    try:
        shutil.copyfile(source, temp)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    finally:
        Path(temp).unlink(missing_ok=True)
    record = ClipRecord.model_validate(take.record | {"video_file": target.name})
    workspace.write_metadata(workspace.read_metadata(script, method).with_clip(record), script)
    return target


def write_use_ltx(workspace: Workspace, use_ltx: bool) -> None:
    """Set switches.use_ltx in pipeline.yaml, keeping the rest of the file and its comments."""
    from ruamel.yaml import YAML

    path = workspace.inside(CONFIG_FILE)
    yaml = YAML()  # round-trip: comments and key order survive
    data = yaml.load(path.read_text(encoding="utf-8")) if path.exists() else None
    if data is None:
        data = {}
    if not isinstance(data.get("switches"), dict):
        data["switches"] = {}
    data["switches"]["use_ltx"] = use_ltx
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    text = buffer.getvalue()
    parse_pipeline_config(YAML(typ="safe").load(text), CONFIG_FILE)  # never write a file that would not load
    write_atomically(path, text.encode("utf-8"))


__all__ = ["TakeSettings", "promote_take", "render_take", "take_path", "write_use_ltx"]
