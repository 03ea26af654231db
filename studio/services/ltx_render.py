"""Rendering one shot with LTX-Video: plan model-legal generations, generate, retime to 30 fps, encode."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from studio.backends import FrameInterpolator, Transition
from studio.backends.base import IDENTITY, ShotGeneration
from studio.backends.ltx import (
    OVERLAP_FRAMES,
    ModelCache,
    ModelSource,
    cinematic_prompt,
    load_condition_pipeline,
    load_latent_upsampler,
    peak_vram_gb,
    generator_recipe,
    video_generator,
)
from studio.config import PipelineConfig
from studio.domain.generation import plan_generation
from studio.domain.metadata import ClipRecord
from studio.domain.recipe import Refinement, Sampling
from studio.errors import ConfigError, RenderError
from studio.media.encoder import ClipEncoder
from studio.media.images import fit_to_frame, load_keyframe
from studio.media.metrics import ClipMeter
from studio.presets import PRESETS_DIR, RETIRED, load_preset, size_multiple
from studio.services.batch import ClipJob
from studio.services.progress import CancelToken, ProgressListener
from studio.services.render import encoder_settings
from studio.workspace import CONFIG_FILE, Workspace

# Used when ltx_video.model is a folder or repo id without a preset.
FALLBACK = {"width": 480, "height": 832, "num_frames": 121, "fps": 24, "num_inference_steps": 8, "guidance_scale": 3.0}


@dataclass(frozen=True)
class ModelChoice:
    """What pipeline.yaml's ltx_video section resolves to: the weights, their family, the preset's defaults,
    the sampling recipe and, for a two-stage recipe, where the latent upsampler comes from."""

    source: ModelSource
    family: str
    defaults: dict
    sampling: Sampling
    upsampler: ModelSource | None


def model_source(workspace: Workspace, config: PipelineConfig) -> tuple[ModelSource, dict, str]:
    """The model reference in pipeline.yaml, the defaults that go with it, and its family."""
    reference = config.ltx_video.model
    defaults = dict(FALLBACK)
    if reference in RETIRED and not (PRESETS_DIR / f"{reference}.yaml").is_file():
        raise ConfigError(f"{Path(workspace.root, CONFIG_FILE)}: ltx_video.model = {reference!r}: "
                          f"that preset was removed: {RETIRED[reference]}")
    if (PRESETS_DIR / f"{reference}.yaml").is_file():
        preset = load_preset(reference)
        defaults.update(preset.model_dump(include=set(FALLBACK)))
        return ModelSource(preset.repo_id, None), defaults, preset.family
    folder = _local(workspace, reference)
    if folder.is_dir():
        index = folder / "model_index.json"
        if not index.is_file():
            raise ConfigError(f"ltx_video.model = {reference!r}: {folder} has no model_index.json (save it with save_pretrained)")
        return ModelSource(reference, folder), defaults, _family(json.loads(index.read_text()).get("_class_name", ""))
    if reference.count("/") == 1:
        return ModelSource(reference, None), defaults, _family(reference)
    raise ConfigError(f"ltx_video.model = {reference!r}: not a preset, a folder, or an 'owner/name' repo id")


def choose_model(workspace: Workspace, config: PipelineConfig) -> ModelChoice:
    """Resolve ltx_video: model, recipe (steps, guidance, sampling, second stage) and upsampler."""
    ltx = config.ltx_video
    source, defaults, family = model_source(workspace, config)
    recipe_name = ltx.recipe or (ltx.model if (PRESETS_DIR / f"{ltx.model}.yaml").is_file() else None)
    sampling = Sampling()
    if ltx.sampling:
        sampling = ltx.sampling
    elif recipe_name:
        recipe = load_preset(recipe_name)
        if recipe.family != family:
            raise ConfigError(f"ltx_video.recipe = {recipe_name!r} is a {recipe.family} recipe, but the model "
                              f"{source.label} is {family}; pick a {family} preset's recipe")
        defaults.update(recipe.model_dump(include={"num_inference_steps", "guidance_scale"}))
        sampling = recipe.sampling
    refine = sampling.refine
    if refine is None or not ltx.two_stage:
        return ModelChoice(source, family, defaults, sampling.one_stage(), None)
    if ltx.num_inference_steps and ltx.num_inference_steps != defaults["num_inference_steps"] and refine.first_stage_schedule:
        # Another step count cannot follow the released schedule: sample stage 1 evenly instead.
        refine = refine.model_copy(update={"first_stage_timesteps": None, "first_stage_sigmas": None})
    own = source.local / "latent_upsampler" if source.local else None
    if ltx.upsampler:
        upsampler = _upsampler_source(workspace, ltx.upsampler, refine.upsampler_subfolder)
    elif own and (own / "config.json").is_file():
        upsampler = ModelSource(str(own), own)
    else:
        upsampler = _upsampler_source(workspace, refine.upsampler, refine.upsampler_subfolder)
    refine = refine.model_copy(update={"upsampler": upsampler.label, "lora": _lora_reference(workspace, refine, source)})
    return ModelChoice(source, family, defaults, sampling.model_copy(update={"refine": refine}), upsampler)


def _upsampler_source(workspace: Workspace, reference: str, subfolder: str | None) -> ModelSource:
    """A latent upsampler folder (its config.json at the top or in `subfolder`) or repo id."""
    folder = _local(workspace, reference)
    if folder.is_dir():
        for candidate in (folder, folder / subfolder) if subfolder else (folder,):
            if (candidate / "config.json").is_file():
                return ModelSource(str(candidate), candidate)
        raise ConfigError(f"latent upsampler {reference!r}: {folder} has no config.json"
                          + (f" (nor {subfolder}/config.json)" if subfolder else ""))
    if reference.count("/") == 1 and not reference.startswith((".", "/", "~")):
        return ModelSource(reference, None, subfolder)
    raise ConfigError(f"latent upsampler {reference!r}: there is no folder {folder}, and it is not an 'owner/name' repo id")


def _lora_reference(workspace: Workspace, refine: Refinement, model: ModelSource) -> str | None:
    """Where stage 2's LoRA loads from: a folder (the workspace's, or a local model's own copy of the file) or a repo id."""
    if not refine.lora:
        return None
    if model.local and refine.lora_weight_name and (model.local / refine.lora_weight_name).is_file():
        return str(model.local)
    folder = _local(workspace, refine.lora)
    return str(folder) if folder.is_dir() else refine.lora


def _local(workspace: Workspace, reference: str) -> Path:
    folder = Path(reference).expanduser()
    return folder if folder.is_absolute() else workspace.root / folder


def _family(name: str) -> str:
    """The model family a pipeline class name or repo id says: SVD, LTX-2.x, else LTX-Video 0.9.x."""
    lowered = name.lower().replace("-", "").replace("_", "")
    if "stablevideodiffusion" in lowered:
        return "stable-video-diffusion"
    return "ltx-2" if "ltx2" in lowered else "ltx-video"


def render_ltx_shot(workspace: Workspace, job: ClipJob, models: ModelCache, frame_interpolator: FrameInterpolator,
                    progress: ProgressListener, cancel: CancelToken) -> ClipRecord:
    """Generate the shot's footage with its model, retime it to the delivery rate and encode it."""
    started = time.perf_counter()
    script, shot, config = job.script, job.shot, job.config
    choice = choose_model(workspace, config)
    source, defaults, family = choice.source, choice.defaults, choice.family
    ltx = config.ltx_video
    guidance = ltx.guidance_scale or defaults["guidance_scale"]
    plan = plan_generation(
        shot.duration_s, width=ltx.width or defaults["width"], height=ltx.height or defaults["height"],
        max_frames=ltx.num_frames or defaults["num_frames"], fps=ltx.fps or defaults["fps"], output_fps=config.video.fps,
        any_frame_count=family == "stable-video-diffusion", size_multiple=size_multiple(family),
        max_height=1920 if family == "ltx-2" else 1280,  # LTX-2.x makes full-height 9:16 where memory allows
        overlap_frames=1 if family == "stable-video-diffusion" else OVERLAP_FRAMES,
    )
    steps = ltx.num_inference_steps or defaults["num_inference_steps"]
    keyframe_paths = workspace.keyframe_paths(script, shot)
    keyframes = [fit_to_frame(load_keyframe(p, label=workspace.relative(p)), (plan.width, plan.height)) for p in keyframe_paths]
    pipe = models.pipeline(source, lambda src: load_condition_pipeline(src, ltx.memory, family))
    upsampler = None
    if choice.upsampler:
        upsampler = models.get(f"{source.label} + {choice.upsampler.label}",
                               lambda: load_latent_upsampler(choice.upsampler, pipe, family, ltx.memory))
    request = ShotGeneration(
        plan=plan, prompt=cinematic_prompt(shot.description, shot.camera_movement),
        negative_prompt=shot.negative_prompt or "", keyframes=tuple(zip(keyframes, shot.keyframe_times_s, strict=True)),
        steps=steps, guidance_scale=guidance, seed=ltx.seed, sampling=choice.sampling,
        strength=1.0 - 0.5 * job.motion,  # looser keyframe conditioning lets the model move more
        motion_bucket_id=ltx.motion_bucket_id, noise_aug_strength=ltx.noise_aug_strength,
        decode_chunk_size=ltx.decode_chunk_size, reroll_static=ltx.reroll_static,
    )
    try:
        footage = video_generator(pipe, family, upsampler).generate_shot(request, lambda step, total: not cancel.cancelled)
    except RenderError:
        cancel.check()  # an interrupted denoising loop is a cancel, not a failure
        raise

    # The largest exact 9:16 (even) size inside the generated frame; the encoder scales it to 1080x1920.
    units = max(1, min(plan.width // 18, plan.height // 32))
    canvas = (18 * units, 32 * units)
    frames = [fit_to_frame(frame, canvas) for frame in footage.frames]
    meter = ClipMeter()
    with ClipEncoder(job.clip_path, encoder_settings(config, job.preset), expected_frames=plan.output_frames,
                     input_size=canvas) as encoder:
        for frame in retimed(frames, plan.fps, config.video.fps, plan.output_frames, frame_interpolator, canvas):
            cancel.check()
            encoder.write(frame)
            meter.add(frame)
            progress.frames_done(1)
    return ClipRecord(
        shot_id=shot.shot_id, video_file=job.clip_path.name, method="ltx", interpolation_method=frame_interpolator.name,
        source_keyframes=[workspace.relative(p) for p in keyframe_paths], source_fps=plan.fps,
        target_fps=config.video.fps, duration_s=plan.output_frames / config.video.fps, fps=config.video.fps,
        num_frames=plan.output_frames, generation_time_s=round(time.perf_counter() - started, 3),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"), input_hash=job.digest,
        camera_movement=shot.camera_movement.value, width=config.video.width, height=config.video.height,
        bitrate_kbps=config.video.bitrate_kbps, encoder_preset=job.preset, motion_score=meter.motion,
        flicker_score=meter.flicker, model=source.label, model_family=family, seed=footage.seed, rerolls=footage.rerolls,
        peak_vram_gb=peak_vram_gb(), guidance_scale=guidance,
        motion_bucket_id=ltx.motion_bucket_id, generation_size=f"{plan.width}x{plan.height}",
        generation_frames=plan.num_frames, generation_chunks=plan.chunks, num_inference_steps=steps,
        near_static=footage.near_static, recipe=generator_recipe(family, choice.sampling.describe(steps, guidance)),
    )


def retimed(footage: list[np.ndarray], source_fps: int, fps: int, count: int, frame_interpolator: FrameInterpolator,
            canvas: tuple[int, int]) -> Iterator[np.ndarray]:
    """`count` frames at `fps` from footage at `source_fps`, in-betweens made by `frame_interpolator`."""
    pair: tuple[int, Transition] | None = None
    for index in range(count):
        position = min(index / fps * source_fps, len(footage) - 1)
        first = int(position)
        t = position - first
        if t < 1e-6 or first + 1 >= len(footage):
            yield footage[first]
            continue
        if pair is None or pair[0] != first:
            pair = (first, frame_interpolator.transition(footage[first], footage[first + 1]))
        yield pair[1].render(t, IDENTITY, canvas)
