"""The diffusers runtime every generative family shares: where weights come from, loading with the
memory mode, the model cache, step progress and cancel, and the shot loop of re-rolls.

torch and diffusers are imported only inside functions, when a model loads or runs.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, TypeVar

import numpy as np

from studio.backends.base import Footage, ShotGeneration, StepHook
from studio.domain.families import FamilySpec
from studio.domain.recipe import CameraLora, Sampling
from studio.errors import BackendUnavailableError, Cancelled, RenderError
from studio.media.metrics import ClipMeter

Result = TypeVar("Result")
# Motion below this (mean grey-level change per frame) looks frozen: LTX image-to-video sometimes does that.
NEAR_STATIC_MOTION = 0.15
# Weights above this size cannot run at fp32 on a CPU machine of this class.
MAX_CPU_WEIGHTS_BYTES = 4 * 1024**3


@dataclass(frozen=True)
class ModelSource:
    """Where the weights come from: a local folder or a hub repo id."""

    reference: str
    local: Path | None
    subfolder: str | None = None
    """Where the weights sit inside a hub repo (a latent upsampler inside a pipeline repo)."""
    checkpoint: str | None = None
    """A single-file checkpoint (a local .safetensors file, or its hub URL) whose parts replace the repo's own:
    the repo or folder then gives the rest (text encoder, tokenizer, scheduler) and the parts' configs."""

    @property
    def label(self) -> str:
        base = str(self.local) if self.local else self.reference
        return f"{self.checkpoint} on {base}" if self.checkpoint else base

    @property
    def location(self) -> str:
        """What from_pretrained is given: the folder, or the repo id."""
        return str(self.local or self.reference)


def weights_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.suffix in (".safetensors", ".bin", ".pt"))


def cuda_present() -> bool:
    """Whether this machine has a CUDA GPU: torch's answer once torch is loaded, else the driver's device node
    (the page asks often, and must not import torch to find out)."""
    torch = sys.modules.get("torch")
    return torch.cuda.is_available() if torch is not None else Path("/dev/nvidiactl").exists()


def generation_blocker(source: ModelSource, family: FamilySpec, *, cuda: bool) -> str | None:
    """Why `source` cannot generate on this machine, phrased to follow "it" (None: it can). The one rule: with
    CUDA anything may load; without, only a small local model (a test model) runs on the CPU. Either way the
    family's own Python modules must be installed (Wan's pipeline fails mid-call without ftfy)."""
    if missing := [name for name in family.needs_modules if importlib.util.find_spec(name) is None]:
        return f"needs {', '.join(missing)}, which is not installed: run `pip install -r requirements.txt`"
    if cuda:
        return None
    size = weights_bytes(source.local) if source.local else None
    if size is not None and size <= MAX_CPU_WEIGHTS_BYTES:
        return None
    return (f"needs a CUDA GPU, and this machine has none (model {source.label}: {family.cpu_reason}, "
            "and CPU offload needs a GPU too); run on a GPU machine or a GPU Space, or point ltx_video.model at a "
            "small local test model")


def check_can_load(source: ModelSource, family: FamilySpec, *, cuda: bool) -> None:
    """Refuse, before loading, what cannot work here, with the way out."""
    if (reason := generation_blocker(source, family, cuda=cuda)) is not None:
        raise BackendUnavailableError(f"{family.label} {reason}; interpolation works here.")


@dataclass
class ModelCache:
    """Loaded pipelines, once per process and model; owned by the Studio, not the module."""

    _pipelines: dict[str, object] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str, loader: Callable[[], object]) -> object:
        """The model stored under `key`, loaded by `loader` on first use."""
        with self._lock:
            if key not in self._pipelines:
                self._pipelines[key] = loader()
            return self._pipelines[key]


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


@dataclass
class StepCounter:
    """Denoising progress across a generation's stages; `on_step(done, total)` returning False cancels."""

    on_step: StepHook
    total: int
    done: int = 0

    def callback(self, pipeline: object, step: int, timestep: object, tensors: dict) -> dict:
        """diffusers' callback_on_step_end: count the step; a cancel stops the pipeline right here."""
        self.done += 1
        if not self.on_step(self.done, max(self.total, self.done)):
            raise Cancelled("cancelled during generation; nothing was kept")
        return tensors


def denoise(pipe: object, arguments: dict, *, counter: StepCounter, oom_hint: str) -> object:
    """One call of a diffusers video pipeline with step progress and cancel; the pipeline's raw output."""
    import torch

    try:
        return pipe(**arguments, callback_on_step_end=counter.callback)
    except torch.cuda.OutOfMemoryError:
        raise RenderError(f"the GPU ran out of memory; {oom_hint}") from None


def rgb_frames(video: object) -> list[np.ndarray]:
    """A pipeline's float frames in [0, 1] as RGB uint8, refusing NaNs and empty results."""
    video = np.asarray(video, dtype=np.float32)
    if not np.isfinite(video).all():
        raise RenderError("the model produced NaN frames (often fp16 overflow); try bf16/fp32 or another seed")
    if video.shape[0] == 0:
        raise RenderError("the model returned no frames")
    return [np.clip(frame * 255 + 0.5, 0, 255).astype(np.uint8) for frame in video]


def run_video_pipeline(
    pipe: object, arguments: dict, *, steps: int, oom_hint: str, on_step: StepHook
) -> list[np.ndarray]:
    """Run a diffusers video pipeline in one stage to RGB uint8 frames."""
    counter = StepCounter(on_step, steps)
    result = denoise(pipe, {**arguments, "num_inference_steps": steps, "output_type": "np"}, counter=counter,
                     oom_hint=oom_hint)
    return rgb_frames(result.frames[0])


def seeded(seed: int) -> object:
    import torch

    return torch.Generator(device="cpu").manual_seed(seed)


def mean_motion(frames: list[np.ndarray]) -> float:
    meter = ClipMeter()
    for frame in frames:
        meter.add(frame)
    return meter.motion


@dataclass(frozen=True)
class SamplingKeyword:
    """A pipeline keyword that a sampling value becomes, and the setting that gives it."""

    keyword: str
    setting: str
    """Where it is set, under ltx_video (or the recipe's preset): `sampling.refine.first_stage_sigmas`."""


class ShotGenerator(ABC):
    """What every family shares: re-rolling near-static results; chunking is each family's own."""

    default_family: ClassVar[FamilySpec]
    """The family entry this generator drives unless it is given another (AnimateDiff's class drives two)."""
    vae_tiling: ClassVar[bool] = True
    """Whether the family's VAE decodes in tiles, switched on by every memory mode but `none`."""

    @classmethod
    def prepare(cls, pipeline: object, family: FamilySpec) -> None:
        """Set up a freshly loaded pipeline as the family's documents run it (a scheduler, say); most need nothing."""
        return None

    @classmethod
    def sampling_keywords(cls, sampling: Sampling) -> list[SamplingKeyword]:
        """The pipeline keywords `sampling` becomes. A family that samples with steps and guidance alone passes
        none: every value set here is named as itself, so the check refuses it instead of dropping it."""
        return [SamplingKeyword(name, f"sampling.{name}") for name in sampling.model_dump(exclude_defaults=True)]

    def __init__(self, pipeline: object, *, family: FamilySpec | None = None) -> None:
        self.pipeline = pipeline
        self.family = family or self.default_family

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

    @abstractmethod
    def recipe(self, sampling: str) -> str:
        """How the footage was sampled, for the metadata; `sampling` describes the steps and stages."""


def extend_crossfaded(footage: list[np.ndarray], frames: list[np.ndarray], overlap: int) -> None:
    """Add a chunk's `frames` to `footage`: the first `overlap` of them cover the footage's last ones, faded from
    the old chunk's frames to the new one's (a first chunk is added whole)."""
    import cv2

    if footage:
        for offset in range(overlap):
            weight = (offset + 1) / (overlap + 1)
            old = footage[len(footage) - overlap + offset]
            footage[len(footage) - overlap + offset] = cv2.addWeighted(old, 1 - weight, frames[offset], weight, 0)
    footage.extend(frames[overlap:] if footage else frames)


@dataclass(frozen=True)
class Adapter:
    """A LoRA as the pipeline's adapter: its name there, where it loads from, its file and weight."""

    name: str
    location: str
    weight_name: str | None
    scale: float


GENERIC_WEIGHT_NAME = "diffusion_pytorch_model.safetensors"
"""The file name diffusers-format LoRA repos share (AnimateDiff's motion LoRAs): their repo names them."""


def camera_adapter(lora: CameraLora) -> Adapter:
    """The camera (or motion) LoRA as an adapter named by its file, or by its repo where the file name is generic."""
    stem = (Path(lora.repo).name if lora.weight_name == GENERIC_WEIGHT_NAME else lora.weight_name).removesuffix(".safetensors")
    return Adapter(f"studio_camera_{stem}".replace("-", "_").replace(".", "_"), lora.repo, lora.weight_name, lora.strength)


def load_lora(pipe: object, adapter: Adapter) -> None:
    """Load `adapter` into `pipe` once (it stays loaded, switched off while not in use)."""
    if adapter.name in sum(pipe.get_list_adapters().values(), []):
        return
    if importlib.util.find_spec("peft") is None:
        raise BackendUnavailableError(f"the LoRA {adapter.weight_name or adapter.location} needs the peft package: run "
                                      "`pip install -r requirements.txt`, or set ltx_video.two_stage / camera_lora: false")
    try:
        pipe.load_lora_weights(adapter.location, adapter_name=adapter.name, weight_name=adapter.weight_name)
    except (OSError, ValueError) as error:
        raise BackendUnavailableError(
            f"could not load the LoRA {adapter.weight_name or ''} from {adapter.location}: {error}. Put the file in "
            "ltx_video.lora_folder, or set ltx_video.camera_lora: false (camera) / two_stage: false (refine)") from None
    pipe.disable_lora()


@contextmanager
def adapters_on(pipe: object, adapters: list[Adapter]) -> Iterator[None]:
    """`pipe` with exactly these LoRAs switched on (each loaded once, kept loaded), all off afterwards."""
    if not adapters:
        yield
        return
    for adapter in adapters:
        load_lora(pipe, adapter)
    pipe.enable_lora()
    pipe.set_adapters([a.name for a in adapters], [a.scale for a in adapters])
    try:
        yield
    finally:  # whatever runs next starts from the plain model
        pipe.disable_lora()


def take_gpu_seconds(width: int, height: int, frames: int, steps: int, generations: int) -> int:
    """A generous estimate of one take's GPU time for ZeroGPU's scheduler: `frames` is every generation's frames
    together (each stage, decode and re-roll), `generations` how many pipeline calls make them."""
    return int(min(600, 30 + 10 * generations + steps * width * height * frames / 2.5e6))


def on_gpu(call: Callable[[], Result], *, duration_s: int) -> Result:
    """Run a whole take's `call` in one GPU allocation on Hugging Face ZeroGPU (see zerogpu.py); elsewhere just run it."""
    from studio.backends import zerogpu

    return zerogpu.run(call, duration_s)


class VramPeak:
    """The GPU memory a take needed: the peak is reset when it starts, so one take never reports another's."""

    def __init__(self) -> None:
        import torch

        self.cuda = torch.cuda.is_available()
        if self.cuda:
            torch.cuda.reset_peak_memory_stats()

    def gb(self) -> float | None:
        import torch

        return round(torch.cuda.max_memory_allocated() / 1024**3, 2) if self.cuda else None
