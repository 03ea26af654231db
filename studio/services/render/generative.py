"""Rendering one shot with a generative model of any family: plan model-legal generations, generate, retime, encode."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

from studio.backends import FrameInterpolator, Transition
from studio.backends.base import IDENTITY, ShotGeneration, TimedKeyframe
from studio.backends.families import video_generator
from studio.backends.loading import load_latent_upsampler, load_pipeline
from studio.backends.ltx import cinematic_prompt
from studio.backends.runtime import ModelCache, VramPeak, on_gpu, take_gpu_seconds
from studio.config import LtxVideoSettings, PipelineConfig
from studio.domain import Shot
from studio.domain.generation import GenerationPlan, plan_generation
from studio.domain.metadata import ClipRecord, GenerationFields
from studio.media.images import fit_to_frame, load_keyframe
from studio.media.yuv import Frame
from studio.services.progress import CancelToken, ProgressListener
from studio.services.render.batch import ClipJob
from studio.services.render.memory import RamPeak
from studio.services.render.model_resolution import ResolvedModel
from studio.services.render.plan import encode_clip
from studio.workspace import Workspace


def generation_plan(model: ResolvedModel, shot: Shot, config: PipelineConfig) -> GenerationPlan:
    """Model-legal generations covering the shot, by the family's size, frame and overlap rules."""
    family = model.family
    return plan_generation(
        shot.duration_s, width=model.width, height=model.height, max_frames=family.max_frames(model.num_frames), fps=model.fps,
        output_fps=config.video.fps, frame_step=family.frame_step, one_generation=family.one_generation,
        size_multiple=family.size_multiple, max_height=family.max_height, overlap_frames=family.overlap_frames,
    )


def shot_generation(model: ResolvedModel, plan: GenerationPlan, shot: Shot, keyframes: list[np.ndarray],
                    ltx: LtxVideoSettings, motion: float, style: str | None = None) -> ShotGeneration:
    """What the generator is asked for: the prompt, the keyframes at their times and the sampling controls."""
    return ShotGeneration(
        plan=plan, prompt=cinematic_prompt(shot.description, shot.camera_movement, style),
        negative_prompt=shot.negative_prompt or "", keyframes=tuple(TimedKeyframe(image, time_s) for image, time_s in zip(keyframes, shot.keyframe_times_s, strict=True)),
        steps=model.steps, guidance_scale=model.guidance_scale, seed=ltx.seed, sampling=model.sampling,
        strength=1.0 - 0.5 * motion,  # looser keyframe conditioning lets the model move more
        motion_bucket_id=ltx.motion_bucket_id, noise_aug_strength=ltx.noise_aug_strength,
        decode_chunk_size=ltx.decode_chunk_size, reroll_static=ltx.reroll_static,
        camera_lora=model.camera_lora(shot.camera_movement),
    )


def render_generated_shot(workspace: Workspace, job: ClipJob, models: ModelCache, frame_interpolator: FrameInterpolator,
                    progress: ProgressListener, cancel: CancelToken) -> ClipRecord:
    """Generate the shot's footage with its model, retime it to the delivery rate and encode it."""
    started, ram, vram = time.perf_counter(), RamPeak(), VramPeak()
    script, shot, config = job.script, job.shot, job.config
    if job.model is None:
        raise ValueError("an LTX clip job carries its resolved model (ShotRenderer.job makes it)")
    model = job.model
    family, ltx = model.family, config.ltx_video
    plan = generation_plan(model, shot, config)
    keyframe_paths = workspace.keyframe_paths(script, shot)
    keyframes = [fit_to_frame(load_keyframe(p, label=workspace.relative(p)), (plan.width, plan.height)) for p in keyframe_paths]
    pipe = models.get(model.load_key, lambda: load_pipeline(model.source, family, ltx.memory, model.components))
    upsampler = None
    if model.upsampler:
        upsampler = models.get(f"{model.source.label} + {model.upsampler.label}",
                               lambda: load_latent_upsampler(model.upsampler, pipe, family, ltx.memory))
    generator = video_generator(pipe, family, upsampler)
    request = shot_generation(model, plan, shot, keyframes, ltx, job.motion, script.style_of(shot))
    refine = model.sampling.refine
    tries = 1 + ltx.reroll_static
    duration_s = take_gpu_seconds(plan.width, plan.height, sum(plan.chunk_frames) * tries,
                                  model.steps + (refine.steps if refine else 0), generations=plan.chunks * tries)
    # The whole take in one GPU call (one ZeroGPU allocation): every chunk, stage, re-roll and decode.
    footage = on_gpu(lambda: generator.generate_shot(request, lambda step, total: not cancel.cancelled), duration_s=duration_s)

    # The largest exact 9:16 (even) size inside the generated frame; the encoder scales it to 1080x1920.
    units = max(1, min(plan.width // 18, plan.height // 32))
    canvas = (18 * units, 32 * units)
    frames = [fit_to_frame(frame, canvas) for frame in footage.frames]
    generation = GenerationFields(
        model=model.source.label, model_family=family.name, seed=footage.seed, rerolls=footage.rerolls,
        peak_vram_gb=vram.gb(), guidance_scale=model.guidance_scale, motion_bucket_id=ltx.motion_bucket_id,
        generation_size=f"{plan.width}x{plan.height}", generation_frames=plan.num_frames, generation_chunks=plan.chunks,
        generated_frames=plan.generated_frames,
        num_inference_steps=model.steps, near_static=footage.near_static,
        camera_lora=request.camera_lora.label if request.camera_lora else None,
        recipe=generator.recipe(model.sampling.describe(model.steps, model.guidance_scale)),
    )
    return encode_clip(
        workspace, job, retimed(frames, plan.fps, config.video.fps, plan.output_frames, frame_interpolator, canvas),
        total_frames=plan.output_frames, input_size=canvas, started=started, ram=ram, interpolation_method=frame_interpolator.name,
        interpolation_weights=frame_interpolator.weights,
        source_fps=plan.fps, progress=progress, cancel=cancel, generation=generation,
    )


def retimed(footage: list[np.ndarray], source_fps: int, fps: int, count: int, frame_interpolator: FrameInterpolator,
            canvas: tuple[int, int]) -> Iterator[Frame]:
    """`count` frames at `fps` from footage at `source_fps`, in-betweens made by `frame_interpolator`
    (RGB footage frames and planar flow in-betweens mix: the encoder takes both)."""
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
