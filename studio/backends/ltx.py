"""LTX-Video through diffusers: text- and keyframe-conditioned generation.

torch and diffusers are imported only here, and only when a model is loaded.
The model is given as a preset name (presets/*.yaml), a Hugging Face repo id,
or a local folder saved with `save_pretrained`; all three load through
`LTXConditionPipeline.from_pretrained`.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from studio.backends.base import Footage, ShotGeneration, StepHook
from studio.domain import CameraMovement
from studio.domain.generation import GenerationPlan
from studio.domain.recipe import Refinement, Sampling
from studio.errors import BackendUnavailableError, RenderError
from studio.media.metrics import ClipMeter

# What a camera move sounds like in a cinematographer's prompt.
CAMERA_PHRASES = {
    CameraMovement.STATIC: "static locked-off camera",
    CameraMovement.ZOOM_IN: "slow push-in towards the subject",
    CameraMovement.ZOOM_OUT: "slow pull-back revealing the scene",
    CameraMovement.PAN_LEFT: "smooth pan to the left",
    CameraMovement.PAN_RIGHT: "smooth pan to the right",
    CameraMovement.TILT_UP: "gentle tilt up",
    CameraMovement.TILT_DOWN: "gentle tilt down",
}
# Later chunks are conditioned on this many of the previous chunk's last frames (8n+1: whole latent frames)
# at this strength, as LTX's looping sampler continues long videos.
OVERLAP_FRAMES = 9
OVERLAP_STRENGTH = 0.5
# Motion below this (mean grey-level change per frame) looks frozen: LTX image-to-video sometimes does that.
NEAR_STATIC_MOTION = 0.15
# Weights above this size cannot run at fp32 on a CPU machine of this class.
MAX_CPU_WEIGHTS_BYTES = 4 * 1024**3


def cinematic_prompt(description: str, movement: CameraMovement) -> str:
    return f"{description.rstrip('. ')}. {CAMERA_PHRASES[movement].capitalize()}, vertical 9:16 framing, natural motion, cinematic lighting."


@dataclass(frozen=True)
class ModelSource:
    """Where the weights come from: a local folder or a hub repo id."""

    reference: str
    local: Path | None
    subfolder: str | None = None
    """Where the weights sit inside a hub repo (a latent upsampler inside a pipeline repo)."""

    @property
    def label(self) -> str:
        return str(self.local) if self.local else self.reference


def weights_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.suffix in (".safetensors", ".bin", ".pt"))


def check_can_load(source: ModelSource, *, cuda: bool) -> None:
    """Refuse, before loading, what cannot work here, with the way out."""
    if cuda:
        return
    size = weights_bytes(source.local) if source.local else None
    if size is None or size > MAX_CPU_WEIGHTS_BYTES:
        raise BackendUnavailableError(
            f"LTX-Video model {source.label} needs a CUDA GPU: real LTX checkpoints (2B and 13B) do not fit "
            "in memory at fp32 on a CPU-only machine, and CPU offload needs a GPU. Run on a GPU machine or a "
            "GPU Space, or point ltx_video.model at a small local test model; interpolation works here."
        )


@dataclass
class ModelCache:
    """Loaded pipelines, once per process and model; owned by the Studio, not the module."""

    _pipelines: dict[str, object] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def pipeline(self, source: ModelSource, loader: Callable[[ModelSource], object]) -> object:
        return self.get(source.label, lambda: loader(source))

    def get(self, key: str, loader: Callable[[], object]) -> object:
        """The model stored under `key`, loaded by `loader` on first use."""
        with self._lock:
            if key not in self._pipelines:
                self._pipelines[key] = loader()
            return self._pipelines[key]


def load_condition_pipeline(source: ModelSource, memory: str = "auto", family: str = "ltx-video") -> object:
    """Load the keyframe-conditioned pipeline of `family`: LTX-Video 0.9.x, LTX-2.x ('ltx-2') or SVD."""
    import torch
    import diffusers

    pipeline_class = getattr(diffusers, {
        "stable-video-diffusion": "StableVideoDiffusionPipeline", "ltx-2": "LTX2ConditionPipeline",
    }.get(family, "LTXConditionPipeline"))

    cuda = torch.cuda.is_available()
    check_can_load(source, cuda=cuda)
    try:
        pipe = pipeline_class.from_pretrained(
            str(source.local or source.reference), dtype=torch.bfloat16 if cuda else torch.float32
        )
    except (OSError, ValueError) as error:
        raise BackendUnavailableError(
            f"could not load video model {source.label}: {error}. Check the folder or repo id in "
            "ltx_video.model; without network access the weights must already be on disk."
        ) from None
    if cuda:
        if memory in ("auto", "model_offload"):
            pipe.enable_model_cpu_offload()
        elif memory == "sequential_offload":
            pipe.enable_sequential_cpu_offload()
        else:
            pipe.to("cuda")
        if memory != "none":
            pipe.vae.enable_tiling()
    pipe.set_progress_bar_config(disable=True)
    return pipe


def load_latent_upsampler(source: ModelSource, pipe: object, family: str, memory: str = "auto") -> object:
    """The latent x2 upsample pipeline of a two-stage recipe, sharing `pipe`'s VAE (`memory` as for `pipe`)."""
    import torch
    from diffusers import LTX2LatentUpsamplePipeline, LTXLatentUpsamplePipeline
    from diffusers.pipelines.ltx.modeling_latent_upsampler import LTXLatentUpsamplerModel
    from diffusers.pipelines.ltx2.latent_upsampler import LTX2LatentUpsamplerModel

    model_class, pipeline_class = ((LTX2LatentUpsamplerModel, LTX2LatentUpsamplePipeline) if family == "ltx-2"
                                   else (LTXLatentUpsamplerModel, LTXLatentUpsamplePipeline))
    cuda = torch.cuda.is_available()
    where = {"subfolder": source.subfolder} if source.subfolder and not source.local else {}
    try:
        model = model_class.from_pretrained(str(source.local or source.reference), **where,
                                            dtype=torch.bfloat16 if cuda else torch.float32)
    except (OSError, ValueError) as error:
        raise BackendUnavailableError(
            f"could not load the latent upsampler {source.label}: {error}. Set ltx_video.upsampler to its folder "
            "or repo id, or ltx_video.two_stage: false for one stage"
        ) from None
    upsample = pipeline_class(vae=pipe.vae, latent_upsampler=model)
    if cuda:  # as the diffusers LTX-2 docs do: the upsample pipeline offloads too, over the shared VAE
        upsample.to("cuda") if memory == "none" else upsample.enable_model_cpu_offload()
    upsample.set_progress_bar_config(disable=True)
    return upsample


@dataclass(frozen=True, kw_only=True)
class GenerationRequest:
    """What every video model is asked for: size, length, rate, sampling."""

    width: int
    height: int
    num_frames: int
    fps: int
    steps: int
    guidance_scale: float
    seed: int

    @property
    def gpu_seconds(self) -> int:
        """A generous estimate of the GPU time, for ZeroGPU's scheduler."""
        return int(min(300, 20 + self.steps * self.width * self.height * self.num_frames / 2.5e6))


@dataclass(frozen=True, kw_only=True)
class LtxRequest(GenerationRequest):
    prompt: str
    negative_prompt: str
    conditions: list[tuple[np.ndarray | list[np.ndarray], int, float]]  # (RGB image or clip, frame index, strength)
    sampling: Sampling = Sampling()


LTX_OOM_HINT = ("set ltx_video.memory: sequential_offload, lower ltx_video.width/height/num_frames, "
                "or ltx_video.two_stage: false")


@dataclass
class StepCounter:
    """Denoising progress across a generation's stages; `on_step(done, total)` returns False to cancel."""

    on_step: StepHook
    total: int
    done: int = 0

    def callback(self, pipeline: object, step: int, timestep: object, tensors: dict) -> dict:
        """diffusers' callback_on_step_end: count the step, and ask the pipeline to stop on a cancel."""
        self.done += 1
        if not self.on_step(self.done, max(self.total, self.done)):
            pipeline._interrupt = True
        return tensors


def denoise(pipe: object, arguments: dict, *, counter: StepCounter, estimated_s: int, oom_hint: str) -> object:
    """One call of a diffusers video pipeline with step progress and cancel; the pipeline's raw output.

    diffusers checks `_interrupt` between denoising steps.
    """
    import torch

    def call() -> object:
        return pipe(**arguments, callback_on_step_end=counter.callback)

    try:
        result = on_gpu(call, estimated_s=estimated_s)
    except torch.cuda.OutOfMemoryError:
        raise RenderError(f"the GPU ran out of memory; {oom_hint}") from None
    if getattr(pipe, "_interrupt", False):
        raise RenderError("generation was cancelled")
    return result


def rgb_frames(video: object) -> list[np.ndarray]:
    """A pipeline's float frames in [0, 1] as RGB uint8, refusing NaNs and empty results."""
    video = np.asarray(video, dtype=np.float32)
    if not np.isfinite(video).all():
        raise RenderError("the model produced NaN frames (often fp16 overflow); try bf16/fp32 or another seed")
    if video.shape[0] == 0:
        raise RenderError("generation was cancelled")
    return [np.clip(frame * 255 + 0.5, 0, 255).astype(np.uint8) for frame in video]


def run_video_pipeline(
    pipe: object, arguments: dict, *, steps: int, estimated_s: int, oom_hint: str, on_step: StepHook
) -> list[np.ndarray]:
    """Run a diffusers video pipeline in one stage to RGB uint8 frames."""
    counter = StepCounter(on_step, steps)
    result = denoise(pipe, {**arguments, "num_inference_steps": steps, "output_type": "np"}, counter=counter,
                     estimated_s=estimated_s, oom_hint=oom_hint)
    return rgb_frames(result.frames[0])


def _seeded(seed: int) -> object:
    import torch

    return torch.Generator(device="cpu").manual_seed(seed)


def mean_motion(frames: list[np.ndarray]) -> float:
    meter = ClipMeter()
    for frame in frames:
        meter.add(frame)
    return meter.motion


class _ShotGenerator(ABC):
    """What LTX and SVD share: re-rolling near-static results; chunking is each model's own."""

    family = ""

    def __init__(self, pipeline: object) -> None:
        self.pipeline = pipeline

    def generate_shot(self, request: ShotGeneration, on_step: StepHook) -> Footage:
        seed, rerolls = request.seed, 0
        while True:
            frames = self._chunks(request, seed, on_step)
            motion = mean_motion(frames)
            static = motion < NEAR_STATIC_MOTION
            if not static or rerolls == request.reroll_static:
                return Footage(frames, seed, rerolls, motion, static)
            seed, rerolls = seed + 1000, rerolls + 1  # near-static: roll again with another seed

    @abstractmethod
    def _chunks(self, request: ShotGeneration, seed: int, on_step: StepHook) -> list[np.ndarray]:
        """The whole shot's frames for `seed`, generated in the plan's chunks."""


class LtxGenerator(_ShotGenerator):
    """LTX-Video: text plus keyframes at their frame indices; frames come back as RGB uint8.

    With a latent upsampler and a recipe that has a second stage, each generation runs the official
    multiscale recipe: stage 1 at a reduced size, latents upsampled x2, a short refine at that size,
    and the frames resized to the wanted size.
    """

    family = "ltx-video"
    size_multiple = 32  # of each stage (LTX-2 sizes are multiples of 64, so half of one is legal for stage 1)
    max_sequence_length = 128

    def __init__(self, pipeline: object, upsampler: object | None = None) -> None:
        super().__init__(pipeline)
        self.upsampler = upsampler

    def _chunks(self, request: ShotGeneration, seed: int, on_step: StepHook) -> list[np.ndarray]:
        """All chunks of one generation. A later chunk is conditioned at its start on the last
        `overlap_frames` frames of the one before (as a clip, at OVERLAP_STRENGTH, as LTX's looping sampler
        does), and the shared frames are cross-faded, so chunks do not jump."""
        plan = request.plan
        overlap = plan.overlap_frames
        footage: list[np.ndarray] = []
        for chunk in range(plan.chunks):
            start_frame = chunk * plan.new_frames_per_chunk
            conditions: list[tuple[np.ndarray | list[np.ndarray], int, float]] = []
            if footage:
                tail = footage[-overlap:]
                conditions.append((tail, 0, OVERLAP_STRENGTH) if overlap > 1 else (tail[0], 0, 1.0))
            for image, time_s in request.keyframes:
                local = time_s - start_frame / plan.fps
                within = 0 <= local <= (plan.num_frames - 1) / plan.fps
                if within and not (footage and round(local * plan.fps) < overlap):  # the shared frames are set already
                    conditions.append((image, self.condition_index(local, plan), request.strength))
            frames = self.generate(LtxRequest(
                prompt=request.prompt, negative_prompt=request.negative_prompt, width=plan.width, height=plan.height,
                num_frames=plan.num_frames, fps=plan.fps, steps=request.steps, guidance_scale=request.guidance_scale,
                seed=seed + chunk, conditions=conditions, sampling=request.sampling,
            ), on_step)
            if footage:
                for offset in range(overlap):  # fade from the old chunk's frames to the new one's across the overlap
                    weight = (offset + 1) / (overlap + 1)
                    old = footage[len(footage) - overlap + offset]
                    footage[len(footage) - overlap + offset] = cv2.addWeighted(old, 1 - weight, frames[offset], weight, 0)
            footage.extend(frames[overlap:] if footage else frames)
        return footage

    def condition_index(self, local_s: float, plan: GenerationPlan) -> int:
        """The frame a keyframe `local_s` into a chunk conditions (LTXVideoCondition counts pixel frames)."""
        return frame_index_for(local_s, plan.fps, plan.num_frames)

    def generate(self, request: LtxRequest, on_step: StepHook) -> list[np.ndarray]:
        """One generation of `request.num_frames` frames at the request's size, in one stage or two."""
        refine = request.sampling.refine if self.upsampler is not None else None
        if refine is None:
            return run_video_pipeline(self.pipeline, self._arguments(request, request.width, request.height),
                                      steps=request.steps, estimated_s=request.gpu_seconds, oom_hint=LTX_OOM_HINT,
                                      on_step=on_step)
        counter = StepCounter(on_step, request.steps + refine.steps)
        width, height = refine.first_stage_size(request.width, request.height, self.size_multiple)
        first = self._denoise({
            **self._arguments(request, width, height), **_schedule(refine.first_stage_timesteps, refine.first_stage_sigmas),
            "num_inference_steps": request.steps, "output_type": "latent",
        }, counter, request)
        upsampled = on_gpu(lambda: self.upsampler(
            latents=first.frames, adain_factor=refine.adain_factor,
            tone_map_compression_ratio=refine.tone_map_compression_ratio, output_type="latent",
        ).frames, estimated_s=30)
        with self._refining(refine):
            second = self._denoise({
                **self._arguments(request, width * 2, height * 2), **_schedule(refine.timesteps, refine.sigmas),
                **self._refine_arguments(refine, first), "latents": upsampled, "num_inference_steps": refine.steps,
                "guidance_scale": refine.guidance_scale, "output_type": "np",
            }, counter, request)
        frames = rgb_frames(second.frames[0])
        if frames[0].shape[:2] != (request.height, request.width):  # stage 2 can be larger: 0.9.x scales by 2/3 then 2
            frames = [cv2.resize(frame, (request.width, request.height), interpolation=cv2.INTER_AREA) for frame in frames]
        return frames

    @contextmanager
    def _refining(self, refine: Refinement) -> Iterator[None]:
        """Stage 2's model: with the recipe's distilled LoRA switched on and its scheduler, for this stage only."""
        if not refine.lora and not refine.sigmas_as_given:
            yield
            return
        from diffusers import FlowMatchEulerDiscreteScheduler

        pipe, scheduler = self.pipeline, self.pipeline.scheduler
        if refine.lora:
            _load_refine_lora(pipe, refine)
            pipe.enable_lora()
            pipe.set_adapters(REFINE_ADAPTER, refine.lora_scale)
        if refine.sigmas_as_given:
            pipe.scheduler = FlowMatchEulerDiscreteScheduler.from_config(
                scheduler.config, use_dynamic_shifting=False, shift_terminal=None)
        try:
            yield
        finally:  # stage 1 of the next generation runs the plain model again
            pipe.scheduler = scheduler
            if refine.lora:
                pipe.disable_lora()

    def _denoise(self, arguments: dict, counter: StepCounter, request: LtxRequest) -> object:
        return denoise(self.pipeline, arguments, counter=counter, estimated_s=request.gpu_seconds, oom_hint=LTX_OOM_HINT)

    def _arguments(self, request: LtxRequest, width: int, height: int) -> dict:
        """The pipeline arguments both stages share, at `width` x `height`."""
        sampling = request.sampling
        optional = {"decode_noise_scale": sampling.decode_noise_scale, "guidance_rescale": sampling.guidance_rescale,
                    "image_cond_noise_scale": sampling.image_cond_noise_scale}
        return {
            "conditions": self._conditions(request), "prompt": request.prompt, "negative_prompt": request.negative_prompt,
            "width": width, "height": height, "num_frames": request.num_frames, "frame_rate": float(request.fps),
            "guidance_scale": request.guidance_scale, "generator": _seeded(request.seed),
            "max_sequence_length": self.max_sequence_length, "decode_timestep": sampling.decode_timestep,
            **{name: value for name, value in optional.items() if value is not None},
        }

    def _conditions(self, request: LtxRequest) -> list | None:
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition
        from PIL import Image

        return [
            LTXVideoCondition(video=[Image.fromarray(f) for f in frames], frame_index=index, strength=strength)
            if isinstance(frames, list) else LTXVideoCondition(image=Image.fromarray(frames), frame_index=index, strength=strength)
            for frames, index, strength in request.conditions
        ] or None

    def _refine_arguments(self, refine: Refinement, first: object) -> dict:
        """Stage 2's own inputs: how much of its schedule runs."""
        return {"denoise_strength": refine.strength} if refine.strength is not None else {}


REFINE_ADAPTER = "studio_refine"


def _load_refine_lora(pipe: object, refine: Refinement) -> None:
    """Load stage 2's distilled LoRA into `pipe` once (it stays loaded, switched off outside stage 2)."""
    if REFINE_ADAPTER in sum(pipe.get_list_adapters().values(), []):
        return
    if importlib.util.find_spec("peft") is None:
        raise BackendUnavailableError("this two-stage recipe refines with a LoRA, which needs the peft package: "
                                      "run `pip install -r requirements.txt`, or set ltx_video.two_stage: false")
    try:
        pipe.load_lora_weights(refine.lora, adapter_name=REFINE_ADAPTER, weight_name=refine.lora_weight_name)
    except (OSError, ValueError) as error:
        raise BackendUnavailableError(
            f"could not load the refine LoRA {refine.lora_weight_name or ''} from {refine.lora}: {error}. "
            "Set ltx_video.two_stage: false for one stage") from None
    pipe.disable_lora()


def _schedule(timesteps: tuple[float, ...] | None, sigmas: tuple[float, ...] | None) -> dict:
    """A released schedule as pipeline arguments (none: evenly spaced steps)."""
    if timesteps:
        return {"timesteps": list(timesteps)}
    return {"sigmas": list(sigmas)} if sigmas else {}


def frame_index_for(time_s: float, fps: int, num_frames: int) -> int:
    """Keyframe time -> a frame index LTX conditions on (multiples of 8 map to latent frames)."""
    index = int(round(time_s * fps / 8)) * 8
    return max(0, min(8 * math.floor((num_frames - 1) / 8), index))


def on_gpu(call: Callable[[], object], *, estimated_s: int) -> object:
    """Run `call` under `spaces.GPU` on Hugging Face ZeroGPU; elsewhere just run it."""
    try:
        import spaces
    except ImportError:
        return call()
    return spaces.GPU(duration=estimated_s)(call)()


def peak_vram_gb() -> float | None:
    import torch

    if not torch.cuda.is_available():
        return None
    return round(torch.cuda.max_memory_allocated() / 1024**3, 2)


@dataclass(frozen=True, kw_only=True)
class SvdRequest(GenerationRequest):
    image: np.ndarray
    motion_bucket_id: int
    noise_aug_strength: float
    decode_chunk_size: int


class Ltx2Generator(LtxGenerator):
    """LTX-2.x through LTX2ConditionPipeline: keyframes at their frame indices (a chunk's last frame as -1).

    The model makes a sound track with the picture; the delivery has no audio, so it is dropped. In two
    stages, stage 1's audio latents go into the refine with the video's, as the docs' recipe does.
    """

    family = "ltx-2"
    max_sequence_length = 256

    def condition_index(self, local_s: float, plan: GenerationPlan) -> int:
        """LTX2VideoCondition counts latent frames (as the original LTX-2 code does): pixel frame / the VAE's
        temporal compression (8 in the released models); the last frame is -1."""
        frame = round(local_s * plan.fps)
        if frame >= plan.num_frames - 1:
            return -1
        return round(frame / getattr(self.pipeline, "vae_temporal_compression_ratio", 8))

    def _arguments(self, request: LtxRequest, width: int, height: int) -> dict:
        arguments = super()._arguments(request, width, height)
        arguments.pop("image_cond_noise_scale", None)  # an LTX-Video 0.9.x setting
        return arguments

    def _conditions(self, request: LtxRequest) -> list | None:
        from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition
        from PIL import Image

        return [
            LTX2VideoCondition(frames=[Image.fromarray(f) for f in frames] if isinstance(frames, list) else Image.fromarray(frames),
                               index=index, strength=strength)
            for frames, index, strength in request.conditions
        ] or None

    def _refine_arguments(self, refine: Refinement, first: object) -> dict:
        renoise = {"noise_scale": refine.noise_scale} if refine.noise_scale is not None else {}
        return {"audio_latents": first.audio, **renoise}


class SvdGenerator(_ShotGenerator):
    """Stable Video Diffusion: image-only generation from the first keyframe; later keyframes are not used."""

    family = "stable-video-diffusion"

    def _chunks(self, request: ShotGeneration, seed: int, on_step: StepHook) -> list[np.ndarray]:
        """Later chunks continue from the last frame of the one before."""
        plan = request.plan
        footage: list[np.ndarray] = []
        for chunk in range(plan.chunks):
            frames = self.generate(SvdRequest(
                image=footage[-1] if footage else request.keyframes[0][0], width=plan.width, height=plan.height,
                num_frames=plan.num_frames, fps=plan.fps, steps=request.steps, guidance_scale=request.guidance_scale,
                motion_bucket_id=request.motion_bucket_id, noise_aug_strength=request.noise_aug_strength,
                decode_chunk_size=request.decode_chunk_size, seed=seed + chunk,
            ), on_step)
            footage.extend(frames[1:] if footage else frames)
        return footage

    def generate(self, request: SvdRequest, on_step: Callable[[int, int], bool]) -> list[np.ndarray]:
        from PIL import Image

        arguments = {
            "image": Image.fromarray(request.image), "width": request.width, "height": request.height,
            "num_frames": request.num_frames, "min_guidance_scale": 1.0, "max_guidance_scale": request.guidance_scale,
            "fps": request.fps, "motion_bucket_id": request.motion_bucket_id,
            "noise_aug_strength": request.noise_aug_strength, "decode_chunk_size": request.decode_chunk_size,
            "generator": _seeded(request.seed),
        }
        return run_video_pipeline(
            self.pipeline, arguments, steps=request.steps, on_step=on_step,
            estimated_s=request.gpu_seconds,
            oom_hint="lower ltx_video.decode_chunk_size or the generation size",
        )


GENERATORS = {generator.family: generator for generator in (LtxGenerator, Ltx2Generator, SvdGenerator)}


def video_generator(pipeline: object, family: str, upsampler: object | None = None) -> _ShotGenerator:
    """The generator for a loaded pipeline of `family` ('ltx-video', 'ltx-2' or 'stable-video-diffusion');
    `upsampler`, a latent upsample pipeline, enables an LTX recipe's second stage."""
    if family == "stable-video-diffusion":
        return SvdGenerator(pipeline)
    return GENERATORS.get(family, LtxGenerator)(pipeline, upsampler)


def generator_recipe(family: str, sampling: str) -> str:
    """How the footage was sampled, for the metadata; `sampling` describes the steps and stages."""
    if family == "stable-video-diffusion":
        return f"SVD image-to-video from the first keyframe; {sampling}; chunks continue from the last frame"
    extra = " (the last frame as index -1); audio dropped" if family == "ltx-2" else ""
    return (f"{family}: {sampling}; keyframes at their frame indices{extra}; later chunks conditioned on the last "
            f"{OVERLAP_FRAMES} frames of the one before at strength {OVERLAP_STRENGTH}, overlap cross-faded")
