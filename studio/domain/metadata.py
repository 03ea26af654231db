"""The per-title metadata JSON the content pipeline reads beside the clips.

File: videos/{method}/{segment}/{age}/{title_id}/{title_id}_{method}_metadata.json
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Method = Literal["interp", "ltx"]
METHODS: tuple[str, ...] = ("interp", "ltx")


class Pin(BaseModel):
    """A canonical clip an operator chose: the promoted take, who promoted it and when.

    A pinned clip is kept by every batch (CLI, studio, Ray, batch files) until it is
    unpinned or replaced with --force; assembly re-renders it with the take's own settings.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    take_id: str
    pinned_by: str
    pinned_at: str = Field(description="UTC time, ISO 8601.")
    settings: dict[str, Any] = Field(description="The take's render settings (services' TakeSettings), as stored.")


class GenerationFields(BaseModel):
    """What a generated clip records of its model and sampling (all null for interpolation clips)."""

    model_config = ConfigDict(frozen=True)

    model: str | None = None
    seed: int | None = None
    guidance_scale: float | None = None
    motion_bucket_id: int | None = None
    model_family: str | None = Field(default=None, description="The generative family (studio.domain.families): ltx-video, ltx-2, wan-flf2v, ...")
    num_inference_steps: int | None = None
    generation_size: str | None = Field(default=None, description="The model's frame size, WxH.")
    generation_frames: int | None = Field(default=None, description="Frames of the longest generation (chunk).")
    generation_chunks: int | None = None
    generated_frames: int | None = Field(
        default=None, description="Frames of footage generated: every chunk's frames, less the frames chunks share.")
    rerolls: int | None = Field(default=None, description="New seeds tried because a result was near-static.")
    near_static: bool | None = None
    peak_vram_gb: float | None = None
    recipe: str | None = Field(default=None, description="How the footage was sampled: stages, schedule, upsampler, LoRA.")
    camera_lora: str | None = Field(default=None, description="The camera-control LoRA the shot's move switched on.")


class ClipRecord(GenerationFields):
    """One rendered shot, as the pipeline's metadata schema names its fields."""

    model_config = ConfigDict(frozen=True, extra="ignore")  # files from older versions may hold retired fields

    shot_id: str
    video_file: str = Field(description="Clip file name, relative to the metadata file's folder.")
    method: Method
    interpolation_method: str | None = Field(description="'flow', 'rife', 'film', or null for pure generation.")
    interpolation_weights: str | None = Field(default=None, description="The weights file of a neural interpolator "
                                              "(RIFE's flownet.pkl, FILM's film_net_fp32.pt); null for flow.")
    source_keyframes: list[str] = Field(description="Keyframe paths relative to the workspace.")
    depth_model: str | None = Field(default=None, description="The depth model of the depth-aware (parallax) camera, "
                                    "as configured; null: the flat Ken Burns camera.")
    depth_strength: float | None = Field(default=None, description="Its parallax strength (0..1); null: no depth.")
    source_fps: float
    target_fps: float
    duration_s: float
    fps: float
    num_frames: int
    generation_time_s: float
    generated_at: str = Field(description="UTC time, ISO 8601.")
    input_hash: str = Field(description="sha256 of the keyframes' bytes, the shot and the render parameters.")
    camera_movement: str
    width: int
    height: int
    bitrate_kbps: int
    encoder_preset: str
    motion_score: float | None = Field(default=None, description="Mean frame-to-frame change, grey levels 0-255.")
    flicker_score: float | None = Field(default=None, description="Brightness jitter between frames, grey levels.")
    frames_fingerprint: str | None = Field(default=None, description=(
        "Digest of the frames' 64-pixel-wide grey thumbnails: clips with the same one show the same pictures; "
        "null on clips made before it was kept."))
    peak_ram_gb: float | None = Field(default=None, description=(
        "Peak resident memory (GB) of the rendering process during the render, loading and generation included; "
        "null where it is not measured (older clips, non-Linux). Renders running at once in one process share it."))
    pin: Pin | None = Field(default=None, description="Set when an operator promoted a take; null: rendered from the workspace settings.")


class TitleMetadata(BaseModel):
    """All rendered shots of one title for one method."""

    model_config = ConfigDict(extra="allow")

    title_id: str
    title: str
    segment: str
    age_bucket: str
    method: Method
    shots: list[ClipRecord] = Field(default_factory=list)

    def with_clip(self, record: ClipRecord) -> TitleMetadata:
        """A copy with `record` replacing any earlier record of the same shot, in shot order."""
        others = [clip for clip in self.shots if clip.shot_id != record.shot_id]
        shots = sorted([*others, record], key=lambda clip: clip.shot_id)
        return self.model_copy(update={"shots": shots})

    def clip(self, shot_id: str) -> ClipRecord | None:
        return next((clip for clip in self.shots if clip.shot_id == shot_id), None)
