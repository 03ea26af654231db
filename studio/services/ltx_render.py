"""Rendering one shot with LTX-Video: plan model-legal generations, generate, retime to 30 fps, encode."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from studio.backends import FrameInterpolator
from studio.backends.ltx import (
    LtxGenerator,
    LtxRequest,
    ModelCache,
    SvdGenerator,
    SvdRequest,
    ModelSource,
    cinematic_prompt,
    frame_index_for,
    load_condition_pipeline,
    peak_vram_gb,
)
from studio.config import PipelineConfig
from studio.domain import Script, Shot
from studio.domain.generation import plan_generation
from studio.domain.metadata import ClipRecord
from studio.errors import ConfigError
from studio.media.encoder import ClipEncoder
from studio.media.images import fit_to_frame, load_keyframe
from studio.media.metrics import ClipMeter
from studio.presets import PRESETS_DIR, load_preset
from studio.services.progress import ProgressListener
from studio.services.render import encoder_settings
from studio.workspace import Workspace

# Used when ltx_video.model is a folder or repo id without a preset.
FALLBACK = {"width": 480, "height": 832, "num_frames": 121, "fps": 24, "num_inference_steps": 8, "guidance_scale": 3.0}
# Motion below this (mean grey-level change per frame) looks frozen: LTX image-to-video sometimes does that.
NEAR_STATIC_MOTION = 0.15


def model_source(workspace: Workspace, config: PipelineConfig) -> tuple[ModelSource, dict, str]:
    """The model reference in pipeline.yaml, the defaults that go with it, and its family."""
    reference = config.ltx_video.model
    defaults = dict(FALLBACK)
    if (PRESETS_DIR / f"{reference}.yaml").is_file():
        preset = load_preset(reference)
        defaults.update(preset.model_dump(include=set(FALLBACK)))
        return ModelSource(preset.repo_id, None), defaults, preset.family
    folder = Path(reference).expanduser()
    if not folder.is_absolute():
        folder = workspace.root / folder
    if folder.is_dir():
        index = folder / "model_index.json"
        if not index.is_file():
            raise ConfigError(f"ltx_video.model = {reference!r}: {folder} has no model_index.json (save it with save_pretrained)")
        svd = "StableVideoDiffusion" in json.loads(index.read_text()).get("_class_name", "")
        return ModelSource(reference, folder), defaults, "stable-video-diffusion" if svd else "ltx-video"
    if reference.count("/") == 1:
        svd = "stable-video-diffusion" in reference.lower()
        return ModelSource(reference, None), defaults, "stable-video-diffusion" if svd else "ltx-video"
    raise ConfigError(f"ltx_video.model = {reference!r}: not a preset, a folder, or an 'owner/name' repo id")


def render_ltx_shot(
    workspace: Workspace, script: Script, shot: Shot, config: PipelineConfig, models: ModelCache, *,
    clip_path: Path, preset: str, digest: str, motion: float, progress: ProgressListener,
    frame_interpolator: FrameInterpolator,
) -> ClipRecord:
    started = time.perf_counter()
    source, defaults, family = model_source(workspace, config)
    svd = family == "stable-video-diffusion"
    ltx = config.ltx_video
    plan = plan_generation(
        shot.duration_s, width=ltx.width or defaults["width"], height=ltx.height or defaults["height"],
        max_frames=ltx.num_frames or defaults["num_frames"], fps=ltx.fps or defaults["fps"], output_fps=config.video.fps,
        any_frame_count=svd,
    )
    steps = ltx.num_inference_steps or defaults["num_inference_steps"]
    keyframe_paths = workspace.keyframe_paths(script, shot)
    keyframes = [fit_to_frame(load_keyframe(p, label=workspace.relative(p)), (plan.width, plan.height)) for p in keyframe_paths]
    pipe = models.pipeline(source, lambda src: load_condition_pipeline(src, ltx.memory, family))
    generator = SvdGenerator(pipe) if svd else LtxGenerator(pipe)
    strength = 1.0 - 0.5 * motion  # looser keyframe conditioning lets the model move more
    seed = ltx.seed
    for attempt in range(ltx.reroll_static + 1):
        if svd:
            footage = _generate_svd_footage(generator, keyframes[0], plan, steps, ltx, seed, progress)
        else:
            footage = _generate_footage(generator, shot, keyframes, plan, steps, ltx.guidance_scale, seed, strength, progress)
        motion_score = _mean_motion(footage)
        if motion_score >= NEAR_STATIC_MOTION or attempt == ltx.reroll_static:
            break
        seed += 1000  # near-static: roll again with another seed
    rerolls = attempt

    # The largest exact 9:16 (even) size inside the generated frame; the encoder scales it to 1080x1920.
    units = max(1, min(plan.width // 18, plan.height // 32))
    canvas = (18 * units, 32 * units)
    footage = [fit_to_frame(frame, canvas) for frame in footage]
    meter = ClipMeter()
    with ClipEncoder(clip_path, encoder_settings(config, preset), expected_frames=plan.output_frames, input_size=canvas) as encoder:
        pair: tuple[int, object] | None = None
        for index in range(plan.output_frames):
            position = min(index / config.video.fps * plan.fps, len(footage) - 1)
            first = int(position)
            t = position - first
            if t < 1e-6 or first + 1 >= len(footage):
                frame = footage[first]
            else:
                if pair is None or pair[0] != first:
                    pair = (first, frame_interpolator.transition(footage[first], footage[first + 1]))
                frame = pair[1].render(t, ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)), canvas)
            encoder.write(frame)
            meter.add(frame)
            progress.frames_done(1)
    return ClipRecord(
        shot_id=shot.shot_id, video_file=clip_path.name, method="ltx", interpolation_method=frame_interpolator.name,
        source_keyframes=[workspace.relative(p) for p in keyframe_paths], source_fps=plan.fps,
        target_fps=config.video.fps, duration_s=plan.output_frames / config.video.fps, fps=config.video.fps,
        num_frames=plan.output_frames, generation_time_s=round(time.perf_counter() - started, 3),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"), input_hash=digest,
        camera_movement=shot.camera_movement.value, width=config.video.width, height=config.video.height,
        bitrate_kbps=config.video.bitrate_kbps, encoder_preset=preset, motion_score=meter.motion,
        flicker_score=meter.flicker, model=source.label, model_family=family, seed=seed, rerolls=rerolls, peak_vram_gb=peak_vram_gb(),
        guidance_scale=ltx.guidance_scale,
        motion_bucket_id=ltx.motion_bucket_id, generation_size=f"{plan.width}x{plan.height}",
        generation_frames=plan.num_frames, generation_chunks=plan.chunks, num_inference_steps=steps,
        near_static=motion_score < NEAR_STATIC_MOTION,
    )


def _generate_footage(generator, shot, keyframes, plan, steps, guidance, seed, strength, progress) -> list[np.ndarray]:
    """All chunks of one generation, each continuing from the last frame of the one before."""
    chunk_frames = plan.num_frames - 1
    footage: list[np.ndarray] = []
    for chunk in range(plan.chunks):
        start_s = chunk * chunk_frames / plan.fps
        conditions = [(footage[-1], 0, 1.0)] if footage else []
        for image, time_s in zip(keyframes, shot.keyframe_times_s):
            local = time_s - start_s
            if 0 <= local <= chunk_frames / plan.fps and not (footage and local == 0):
                conditions.append((image, frame_index_for(local, plan.fps, plan.num_frames), strength))
        request = LtxRequest(
            prompt=cinematic_prompt(shot.description, shot.camera_movement), negative_prompt=shot.negative_prompt or "",
            width=plan.width, height=plan.height, num_frames=plan.num_frames, fps=plan.fps, steps=steps,
            guidance_scale=guidance, seed=seed + chunk, conditions=conditions,
        )
        frames = generator.generate(request, lambda step, total: _still_wanted(progress))
        footage.extend(frames[1:] if footage else frames)
    return footage


def _generate_svd_footage(generator, first_keyframe, plan, steps, ltx, seed, progress) -> list[np.ndarray]:
    """SVD animates one image; later chunks continue from the last frame. Later keyframes are not used."""
    footage: list[np.ndarray] = []
    for chunk in range(plan.chunks):
        request = SvdRequest(
            image=footage[-1] if footage else first_keyframe, width=plan.width, height=plan.height,
            num_frames=plan.num_frames, fps=plan.fps, steps=steps, guidance_scale=ltx.guidance_scale,
            motion_bucket_id=ltx.motion_bucket_id, noise_aug_strength=ltx.noise_aug_strength,
            decode_chunk_size=ltx.decode_chunk_size, seed=seed + chunk,
        )
        frames = generator.generate(request, lambda step, total: _still_wanted(progress))
        footage.extend(frames[1:] if footage else frames)
    return footage


def _mean_motion(frames: list[np.ndarray]) -> float:
    meter = ClipMeter()
    for frame in frames:
        meter.add(frame)
    return meter.motion


def _still_wanted(progress: ProgressListener) -> bool:
    """Cancellation reaches the denoising loop through the progress listener."""
    try:
        progress.frames_done(0)
    except Exception:  # noqa: BLE001 - a listener that refuses more work means cancel
        return False
    return True
