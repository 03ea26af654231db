"""LTX-Video 0.9.x and LTX-2.x through diffusers: text- and keyframe-conditioned generation in chunks,
in one stage or the official two-stage recipes.

Both families' entries (sizes, frame rule, conditioning, defaults) are here beside their generators; loading,
progress and cancel are the shared runtime's (runtime.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import cv2
import numpy as np

from studio.backends.base import ShotGeneration, StepHook
from studio.backends.runtime import (
    Adapter,
    GenerationRequest,
    SamplingKeyword,
    ShotGenerator,
    StepCounter,
    adapters_on,
    camera_adapter,
    denoise,
    extend_crossfaded,
    rgb_frames,
    run_video_pipeline,
    seeded,
)
from studio.domain import CameraMovement
from studio.domain.families import FamilySpec, ModelDefaults, SingleFilePart
from studio.domain.recipe import CameraLora, Refinement, Sampling

LTX_DEFAULTS = ModelDefaults(width=480, height=832, num_frames=121, fps=24, num_inference_steps=8, guidance_scale=3.0)
LTX_VIDEO = FamilySpec(
    name="ltx-video", label="LTX-Video 0.9.x", pipeline_class="LTXConditionPipeline",
    saved_as=("LTXConditionPipeline", "LTXPipeline", "LTXImageToVideoPipeline"),
    upsample_pipeline_class="LTXLatentUpsamplePipeline",
    upsampler_model_class="diffusers.pipelines.ltx.modeling_latent_upsampler:LTXLatentUpsamplerModel",
    size_multiple=32, frame_rule="8n+1", max_height=1280,
    overlap_frames=9, conditioning="pixel-frame", supports_lora=True, two_stage=True,
    repo_markers=("ltx-video", "ltxv", "ltx_video"), defaults=LTX_DEFAULTS,
    cpu_reason="its real checkpoints (2B and 13B) do not fit in memory at fp32 on a CPU-only machine",
    # Lightricks publish most LTX-Video checkpoints as one .safetensors file: the transformer under
    # model.diffusion_model., the VAE under vae. (as diffusers' single-file loader reads them).
    single_file_parts=(SingleFilePart("transformer", "LTXVideoTransformer3DModel", "model.diffusion_model."),
                       SingleFilePart("vae", "AutoencoderKLLTXVideo", "vae.")),
)
LTX_2 = FamilySpec(
    name="ltx-2", label="LTX-2.x", pipeline_class="LTX2ConditionPipeline",
    saved_as=("LTX2ConditionPipeline", "LTX2Pipeline", "LTX2ImageToVideoPipeline"),
    upsample_pipeline_class="LTX2LatentUpsamplePipeline",
    upsampler_model_class="diffusers.pipelines.ltx2.latent_upsampler:LTX2LatentUpsamplerModel",
    # LTX-2.x makes full-height 9:16 where memory allows.
    size_multiple=64, frame_rule="8n+1", max_height=1920,
    overlap_frames=9, conditioning="latent-frame", supports_lora=True, two_stage=True,
    repo_markers=("ltx-2", "ltx2"), defaults=LTX_DEFAULTS,
    cpu_reason="its 19B checkpoint does not fit in memory at fp32 on a CPU-only machine",
)

# What a camera move sounds like in a cinematographer's prompt, naming what the move reveals at its end
# (the camera LoRAs' cards advise describing the destination).
CAMERA_PHRASES = {
    CameraMovement.STATIC: "static locked-off camera, the frame holding still",
    CameraMovement.ZOOM_IN: "slow dolly-in towards the subject, ending close on it",
    CameraMovement.ZOOM_OUT: "slow dolly-out pulling back to reveal the whole scene around the subject",
    CameraMovement.PAN_LEFT: "smooth camera move to the left, revealing what lies left of the frame",
    CameraMovement.PAN_RIGHT: "smooth camera move to the right, revealing what lies right of the frame",
    CameraMovement.TILT_UP: "gentle camera rise, revealing what is above the subject",
    CameraMovement.TILT_DOWN: "gentle camera descent, revealing what is below the subject",
}
# Later chunks are conditioned on the family's overlap_frames of the previous chunk's last frames (8n+1:
# whole latent frames) at this strength, as LTX's looping sampler continues long videos.
OVERLAP_STRENGTH = 0.5


def cinematic_prompt(description: str, movement: CameraMovement, style: str | None = None) -> str:
    """The shot's description, its camera move in a cinematographer's words, and its style."""
    looks = f"{style.strip().rstrip('.')}, " if style and style.strip() else ""
    return (f"{description.rstrip('. ')}. {CAMERA_PHRASES[movement].capitalize()}, vertical 9:16 framing, {looks}"
            "natural motion, cinematic lighting.")


@dataclass(frozen=True)
class FrameCondition:
    """What a generation is held to: an RGB image (a keyframe) or a run of frames (the previous chunk's tail), at a
    frame index as the family's pipeline counts it, with the strength it is held."""

    frames: np.ndarray | list[np.ndarray]
    index: int
    strength: float

    @property
    def is_clip(self) -> bool:
        return isinstance(self.frames, list)


@dataclass(frozen=True, kw_only=True)
class LtxRequest(GenerationRequest):
    prompt: str
    negative_prompt: str
    conditions: list[FrameCondition]
    sampling: Sampling = Sampling()
    camera_lora: CameraLora | None = None


LTX_OOM_HINT = ("set ltx_video.memory: sequential_offload, lower ltx_video.width/height/num_frames, "
                "or ltx_video.two_stage: false")


class LtxGenerator(ShotGenerator):
    """LTX-Video: text plus keyframes at their frame indices; frames come back as RGB uint8.

    With a latent upsampler and a recipe that has a second stage, each generation runs the official
    multiscale recipe: stage 1 at a reduced size, latents upsampled x2, a short refine at that size,
    and the frames resized to the wanted size.
    """

    default_family = LTX_VIDEO
    stage_multiple = 32  # of each stage (LTX-2 sizes are multiples of 64, so half of one is legal for stage 1)
    max_sequence_length = 128

    def __init__(self, pipeline: object, upsampler: object | None = None, *, family: FamilySpec | None = None) -> None:
        super().__init__(pipeline, family=family)
        self.upsampler = upsampler

    @classmethod
    def sampling_keywords(cls, sampling: Sampling) -> list[SamplingKeyword]:
        """The keywords `_arguments`, `_schedule` and `_refine_arguments` pass for `sampling`."""
        keywords = [SamplingKeyword("decode_timestep", "sampling.decode_timestep")]
        if sampling.timesteps and sampling.refine is None:
            keywords.append(SamplingKeyword("timesteps", "sampling.timesteps"))
        keywords += [SamplingKeyword(name, f"sampling.{name}")
                     for name in ("decode_noise_scale", "guidance_rescale", "image_cond_noise_scale")
                     if getattr(sampling, name) is not None]
        refine = sampling.refine
        if refine is not None:  # stage 2 re-noises by how much of its schedule runs (0.9.x) or from a sigma (2.x)
            fields = {"first_stage_timesteps": "timesteps", "first_stage_sigmas": "sigmas", "timesteps": "timesteps",
                      "sigmas": "sigmas", "strength": "denoise_strength", "noise_scale": "noise_scale"}
            keywords += [SamplingKeyword(keyword, f"sampling.refine.{name}")
                         for name, keyword in fields.items() if getattr(refine, name) is not None]
        return keywords

    def _chunks(self, request: ShotGeneration, seed: int, on_step: StepHook) -> list[np.ndarray]:
        """All chunks of one generation. A later chunk is conditioned at its start on the last
        `overlap_frames` frames of the one before (as a clip, at OVERLAP_STRENGTH, as LTX's looping sampler
        does), and the shared frames are cross-faded, so chunks do not jump."""
        plan = request.plan
        overlap = plan.overlap_frames
        footage: list[np.ndarray] = []
        for chunk in plan.chunk_spans:
            conditions: list[FrameCondition] = []
            if footage:
                tail = footage[-overlap:]
                conditions.append(FrameCondition(tail, 0, OVERLAP_STRENGTH) if overlap > 1 else FrameCondition(tail[0], 0, 1.0))
            for keyframe in request.keyframes:
                local = keyframe.time_s - chunk.start_frame / plan.fps
                within = 0 <= local <= (chunk.num_frames - 1) / plan.fps
                if within and not (footage and round(local * plan.fps) < overlap):  # the shared frames are set already
                    conditions.append(FrameCondition(keyframe.image, self.condition_index(local, plan.fps, chunk.num_frames),
                                                     request.strength))
            frames = self.generate(LtxRequest(
                prompt=request.prompt, negative_prompt=request.negative_prompt, width=plan.width, height=plan.height,
                num_frames=chunk.num_frames, fps=plan.fps, steps=request.steps, guidance_scale=request.guidance_scale,
                seed=seed + chunk.index, conditions=conditions, sampling=request.sampling, camera_lora=request.camera_lora,
            ), on_step)
            extend_crossfaded(footage, frames, overlap)
        return footage

    def recipe(self, sampling: str) -> str:
        """How the footage was sampled, for the metadata; `sampling` describes the steps and stages."""
        extra = " (the last frame as index -1); audio dropped" if self.family.conditioning == "latent-frame" else ""
        return (f"{self.family.name}: {sampling}; keyframes at their frame indices{extra}; later chunks conditioned "
                f"on the last {self.family.overlap_frames} frames of the one before at strength {OVERLAP_STRENGTH}, "
                "overlap cross-faded")

    def condition_index(self, local_s: float, fps: int, num_frames: int) -> int:
        """The frame a keyframe `local_s` into a chunk of `num_frames` conditions (LTXVideoCondition counts pixel frames)."""
        return frame_index_for(local_s, fps, num_frames)

    def generate(self, request: LtxRequest, on_step: StepHook) -> list[np.ndarray]:
        """One generation of `request.num_frames` frames at the request's size, in one stage or two."""
        refine = request.sampling.refine if self.upsampler is not None else None
        camera = [camera_adapter(request.camera_lora)] if request.camera_lora else []
        if refine is None:
            with self._adapters(camera):
                arguments = {**self._arguments(request, request.width, request.height),
                             **_schedule(request.sampling.timesteps, None)}
                return run_video_pipeline(self.pipeline, arguments, steps=request.steps, oom_hint=LTX_OOM_HINT,
                                          on_step=on_step)
        counter = StepCounter(on_step, request.steps + refine.steps)
        width, height = refine.first_stage_size(request.width, request.height, self.stage_multiple)
        with self._adapters(camera):
            first = self._denoise({
                **self._arguments(request, width, height), **_schedule(refine.first_stage_timesteps, refine.first_stage_sigmas),
                "num_inference_steps": request.steps, "output_type": "latent",
            }, counter, request)
        upsampled = self.upsampler(
            latents=first.frames, adain_factor=refine.adain_factor,
            tone_map_compression_ratio=refine.tone_map_compression_ratio, output_type="latent",
        ).frames
        refine_lora = [Adapter(REFINE_ADAPTER, refine.lora, refine.lora_weight_name, refine.lora_scale)] if refine.lora else []
        with self._adapters(camera + refine_lora), self._refine_scheduler(refine):
            second = self._denoise({
                **self._arguments(request, width * 2, height * 2), **_schedule(refine.timesteps, refine.sigmas),
                **self._refine_arguments(refine, first), "latents": upsampled, "num_inference_steps": refine.steps,
                "guidance_scale": refine.guidance_scale, "output_type": "np",
            }, counter, request)
        frames = rgb_frames(second.frames[0])
        if frames[0].shape[:2] != (request.height, request.width):  # stage 2 can be larger: 0.9.x scales by 2/3 then 2
            frames = [cv2.resize(frame, (request.width, request.height), interpolation=cv2.INTER_AREA) for frame in frames]
        return frames

    def _adapters(self, adapters: list[Adapter]):
        return adapters_on(self.pipeline, adapters)

    @contextmanager
    def _refine_scheduler(self, refine: Refinement) -> Iterator[None]:
        """Stage 2 on a scheduler without dynamic shifting when the recipe's sigmas must run as given."""
        if not refine.sigmas_as_given:
            yield
            return
        from diffusers import FlowMatchEulerDiscreteScheduler

        pipe, scheduler = self.pipeline, self.pipeline.scheduler
        pipe.scheduler = FlowMatchEulerDiscreteScheduler.from_config(
            scheduler.config, use_dynamic_shifting=False, shift_terminal=None)
        try:
            yield
        finally:
            pipe.scheduler = scheduler

    def _denoise(self, arguments: dict, counter: StepCounter, request: LtxRequest) -> object:
        return denoise(self.pipeline, arguments, counter=counter, oom_hint=LTX_OOM_HINT)

    def _arguments(self, request: LtxRequest, width: int, height: int) -> dict:
        """The pipeline arguments both stages share, at `width` x `height`."""
        sampling = request.sampling
        optional = {"decode_noise_scale": sampling.decode_noise_scale, "guidance_rescale": sampling.guidance_rescale,
                    "image_cond_noise_scale": sampling.image_cond_noise_scale}
        return {
            "conditions": self._conditions(request), "prompt": request.prompt, "negative_prompt": request.negative_prompt,
            "width": width, "height": height, "num_frames": request.num_frames, "frame_rate": float(request.fps),
            "guidance_scale": request.guidance_scale, "generator": seeded(request.seed),
            "max_sequence_length": self.max_sequence_length, "decode_timestep": sampling.decode_timestep,
            **{name: value for name, value in optional.items() if value is not None},
        }

    def _conditions(self, request: LtxRequest) -> list | None:
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition
        from PIL import Image

        return [
            LTXVideoCondition(video=[Image.fromarray(f) for f in c.frames], frame_index=c.index, strength=c.strength)
            if c.is_clip else LTXVideoCondition(image=Image.fromarray(c.frames), frame_index=c.index, strength=c.strength)
            for c in request.conditions
        ] or None

    def _refine_arguments(self, refine: Refinement, first: object) -> dict:
        """Stage 2's own inputs: how much of its schedule runs."""
        return {"denoise_strength": refine.strength} if refine.strength is not None else {}


REFINE_ADAPTER = "studio_refine"


def _schedule(timesteps: tuple[float, ...] | None, sigmas: tuple[float, ...] | None) -> dict:
    """A released schedule as pipeline arguments (none: evenly spaced steps)."""
    if timesteps:
        return {"timesteps": list(timesteps)}
    return {"sigmas": list(sigmas)} if sigmas else {}


def frame_index_for(time_s: float, fps: int, num_frames: int) -> int:
    """Keyframe time -> a frame index LTX conditions on (multiples of 8 map to latent frames)."""
    index = int(round(time_s * fps / 8)) * 8
    return max(0, min(8 * math.floor((num_frames - 1) / 8), index))


class Ltx2Generator(LtxGenerator):
    """LTX-2.x through LTX2ConditionPipeline: keyframes at their frame indices (a chunk's last frame as -1).

    The model makes a sound track with the picture; the delivery has no audio, so it is dropped. In two
    stages, stage 1's audio latents go into the refine with the video's, as the docs' recipe does.
    """

    default_family = LTX_2
    max_sequence_length = 256

    def condition_index(self, local_s: float, fps: int, num_frames: int) -> int:
        """LTX2VideoCondition counts latent frames (as the original LTX-2 code does): pixel frame / the VAE's
        temporal compression (8 in the released models); the last frame is -1."""
        frame = round(local_s * fps)
        if frame >= num_frames - 1:
            return -1
        return round(frame / getattr(self.pipeline, "vae_temporal_compression_ratio", 8))

    def _conditions(self, request: LtxRequest) -> list | None:
        from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition
        from PIL import Image

        return [
            LTX2VideoCondition(frames=[Image.fromarray(f) for f in c.frames] if c.is_clip else Image.fromarray(c.frames),
                               index=c.index, strength=c.strength)
            for c in request.conditions
        ] or None

    def _refine_arguments(self, refine: Refinement, first: object) -> dict:
        renoise = {"noise_scale": refine.noise_scale} if refine.noise_scale is not None else {}
        return {"audio_latents": first.audio, **renoise}

