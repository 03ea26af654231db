"""Rendering one shot with the interpolation method: inputs -> clip + metadata record."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from studio.backends import FrameInterpolator
from studio.backends.base import DepthEstimator
from studio.backends.keyframe_animator import AnimationSettings, KeyframeAnimator, ShotTiming
from studio.config import PipelineConfig
from studio.domain import Script, Shot
from studio.domain.metadata import ClipRecord, GenerationFields, Method
from studio.media.encoder import ClipEncoder, EncoderSettings
from studio.media.images import load_keyframe
from studio.media.metrics import ClipMeter
from studio.services.progress import CancelToken, ProgressListener
from studio.services.render.batch import ClipJob
from studio.services.render.depth import CACHE_FOLDER as DEPTH_CACHE
from studio.services.render.depth import CachedDepth
from studio.services.render.memory import RamPeak, keep_freed_memory
from studio.workspace import Workspace

if TYPE_CHECKING:
    from studio.services.render.model_resolution import ResolvedModel

# Bump when the renderer's output for the same inputs changes, so old clips re-render.
RENDERER_VERSION = "interp-2"  # 2: planar YUV render (colour and chroma differ by a level or two)


def animation_settings(config: PipelineConfig) -> AnimationSettings:
    return AnimationSettings(
        output_size=config.video.size,
        fps=config.video.fps,
        fit=config.video.fit,
        smooth_motion=config.interpolation.smooth_motion,
        ken_burns=config.interpolation.ken_burns.enabled,
        ken_burns_strength=config.interpolation.ken_burns.strength,
        depth_strength=config.interpolation.depth.strength if config.interpolation.depth.enabled else None,
    )


def encoder_settings(config: PipelineConfig, preset: str | None = None) -> EncoderSettings:
    return EncoderSettings(
        width=config.video.width,
        height=config.video.height,
        fps=config.video.fps,
        bitrate_kbps=config.video.bitrate_kbps,
        preset=preset or config.video.preset,
        threads=config.video.encoder_threads,
    )


_RIFE_KEYS = {"rife_weights", "rife_scale"}
_FILM_KEYS = {"film_weights", "film_sha256", "film_max_pixels"}
# Settings left out of a clip's input hash, by interpolator (the FILM keys were added later: without them,
# flow and RIFE hashes stay as they were).
_OTHER_NETWORKS = {"flow": _RIFE_KEYS | _FILM_KEYS, "rife": _FILM_KEYS, "film": _RIFE_KEYS}


def input_hash(keyframe_paths: list[Path], shot: Shot, config: PipelineConfig, preset: str, method: str = "interp",
               model: dict | None = None, style: str | None = None) -> str:
    """sha256 over everything that decides the clip: keyframe bytes, the shot, the settings and, for
    generated clips, the resolved model (`ResolvedModel.fingerprint()`)."""
    digest = hashlib.sha256(RENDERER_VERSION.encode())
    for path in keyframe_paths:
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"missing")
    # Depth settings count only where they act (the interpolation method with depth on), so turning depth on
    # elsewhere, or adding it, leaves other clips up to date.
    depth_acts = method == "interp" and config.interpolation.depth.enabled
    settings = {
        "shot": shot.model_dump(mode="json"),
        # Each network's settings only matter to it, so other clips stay up to date when they change.
        "interpolation": config.interpolation.model_dump(
            mode="json", exclude=_OTHER_NETWORKS[config.interpolation.method] | (set() if depth_acts else {"depth"})
        ),
        "video": config.video.model_dump(mode="json"),
        "preset": preset,
        "method": method,
        "ltx_video": config.ltx_video.model_dump(mode="json") if method == "ltx" else None,
    }
    if method == "ltx":  # interpolation hashes stay as they were
        settings["model"] = model
        if style:  # the script's style reaches the prompt (a shot's own is in its fields)
            settings["style"] = style
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


def clip_job(workspace: Workspace, script: Script, shot: Shot, method: Method, config: PipelineConfig, *,
             preset: str | None = None, clip_path: Path | None = None, cut_points: tuple[int, ...] = ()) -> ClipJob:
    """The render plan of `shot`'s clip by `method` with `config` (a take's settings already laid over the
    workspace's), resolved here once: the generative model (ltx), the encoder settings (`preset`: another x264
    preset than the config's), where the clip goes (by default its canonical path) and the input hash."""
    model: ResolvedModel | None = None
    if method == "ltx":
        from studio.services.render.model_resolution import resolve_model

        model = resolve_model(workspace, config)
    encoder = encoder_settings(config, preset)
    digest = input_hash(workspace.keyframe_paths(script, shot), shot, config, encoder.preset, method,
                        model.fingerprint() if model is not None else None, script.style_of(shot))
    return ClipJob(script=script, shot=shot, method=method, config=config,
                   clip_path=clip_path or workspace.clip_path(script, shot, method), encoder=encoder, digest=digest,
                   cut_points=cut_points, model=model)


def encode_clip(workspace: Workspace, job: ClipJob, frames: Iterable[np.ndarray], *, total_frames: int,
                input_size: tuple[int, int], started: float, ram: RamPeak, interpolation_method: str | None,
                source_fps: float, interpolation_weights: Path | None = None,
                progress: ProgressListener, cancel: CancelToken,
                generation: GenerationFields | None = None, depth: DepthEstimator | None = None) -> ClipRecord:
    """The one encode-and-record loop every method's frames go through: encode to the job's clip (atomically,
    closed GOPs at its cut points), measure motion and flicker, report each frame, and describe the clip.

    `started` and `ram` began with the render (before loading or generating), so time and memory cover all of it."""
    config, shot = job.config, job.shot
    meter = ClipMeter()
    with ClipEncoder(job.clip_path, job.encoder, expected_frames=total_frames,
                     input_size=input_size, cut_points=job.cut_points) as encoder:
        for frame in frames:
            cancel.check()
            encoder.write(frame)
            meter.add(frame)
            progress.frames_done(1)
    return ClipRecord(
        shot_id=shot.shot_id,
        video_file=job.clip_path.name,
        method=job.method,
        interpolation_method=interpolation_method,
        interpolation_weights=str(interpolation_weights) if interpolation_weights else None,
        source_keyframes=[workspace.relative(path) for path in workspace.keyframe_paths(job.script, shot)],
        depth_model=depth.source if depth else None,
        depth_strength=config.interpolation.depth.strength if depth else None,
        source_fps=source_fps,
        target_fps=config.interpolation.target_fps,
        duration_s=total_frames / job.encoder.fps,
        fps=job.encoder.fps,
        num_frames=total_frames,
        generation_time_s=round(time.perf_counter() - started, 3),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        input_hash=job.digest,
        camera_movement=shot.camera_movement.value,
        width=job.encoder.width,
        height=job.encoder.height,
        bitrate_kbps=job.encoder.bitrate_kbps,
        encoder_preset=job.encoder.preset,
        motion_score=meter.motion,
        flicker_score=meter.flicker,
        frames_fingerprint=meter.fingerprint,
        peak_ram_gb=ram.gb(),
        **(generation.model_dump() if generation else {}),
    )


def render_interpolated_shot(
    workspace: Workspace, job: ClipJob, frame_interpolator: FrameInterpolator,
    progress: ProgressListener, cancel: CancelToken, depth: DepthEstimator | None = None,
) -> ClipRecord:
    """Render `job` with `frame_interpolator` (and `depth`, the loaded depth model, when depth is on) and describe
    it for the metadata. Depth is estimated before the encoder starts, so a failing model leaves no clip."""
    keep_freed_memory()  # frames allocate the same big buffers over and over
    started, ram = time.perf_counter(), RamPeak()
    keyframes = [load_keyframe(path, label=workspace.relative(path)) for path in workspace.keyframe_paths(job.script, job.shot)]
    timing = ShotTiming(job.shot.duration_s, job.shot.keyframe_times_s, job.shot.camera_movement)
    settings = animation_settings(job.config)
    if settings.depth_strength is None or not settings.ken_burns:
        depth = None  # the flat camera: nothing to estimate, and the record says no depth
    elif depth is None:
        raise ValueError("interpolation.depth is on but no depth model was given")
    cached = CachedDepth(depth, workspace.inside(*DEPTH_CACHE)) if depth else None
    animation = KeyframeAnimator(frame_interpolator, cached).animate(keyframes, timing, settings)
    return encode_clip(workspace, job, animation, total_frames=animation.total_frames, input_size=animation.size,
                       started=started, ram=ram, interpolation_method=frame_interpolator.name,
                       interpolation_weights=frame_interpolator.weights,
                       source_fps=job.config.interpolation.source_fps, progress=progress, cancel=cancel, depth=depth)
