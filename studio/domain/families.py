"""What a generative model family is, as a value: its sizes, frame rule, conditioning and built-in defaults.

Each family's own values sit in its backend module beside its generator (studio/backends/ltx.py holds LTX-Video's
and LTX-2's), and `studio.backends.families` is the registry that finds them by name. This module holds only the
shape of an entry and the rules every entry applies (legal sizes and frame counts), so that plans in the domain
can read a family without importing a backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


FrameRule = Literal["8n+1", "4n+1", "any", "window"]
"""8n+1: the VAE compresses time 8x (LTX); 4n+1: it compresses time 4x (Wan); any: every count is legal (SVD);
window: any count up to the motion module's window (AnimateDiff: 16 frames), longer shots in overlapping windows."""
FRAME_STEPS: dict[str, int] = {"8n+1": 8, "4n+1": 4, "any": 1, "window": 1}
"""How far apart a frame rule's legal counts are (every legal count is step * n + 1)."""
Conditioning = Literal["pixel-frame", "latent-frame", "first-image", "first-last-image", "sparse-frames", "text-only"]
"""How keyframes condition: at a pixel frame index (LTXVideoCondition.frame_index), at a latent frame index
(LTX2VideoCondition.index, the last frame as -1), only the first keyframe as the input image (SVD), the first and the
last keyframe as a generation's first and last frame (Wan FLF2V's image and last_image), as SparseCtrl conditioning
frames at their pixel frame indices (AnimateDiff SparseCtrl), or not at all (AnimateDiff text-to-video)."""


@dataclass(frozen=True, slots=True)
class ModelDefaults:
    """The built-in values used when neither a preset nor pipeline.yaml gives one."""

    width: int
    height: int
    num_frames: int
    fps: int
    num_inference_steps: int
    guidance_scale: float


@dataclass(frozen=True, slots=True)
class SingleFilePart:
    """One pipeline component inside a family's single-file checkpoint, loaded with its class's from_single_file."""

    component: str
    """The pipeline argument (and the diffusers subfolder its config is read from)."""
    model_class: str
    key_prefix: str
    """The prefix of this part's tensors in the file; a part the file lacks comes from the base model."""


@dataclass(frozen=True, slots=True)
class FamilySpec:
    name: str
    label: str
    pipeline_class: str
    """The diffusers pipeline the studio loads every model of the family with."""
    saved_as: tuple[str, ...]
    """model_index.json `_class_name`s of this family (any of them loads as `pipeline_class`)."""
    upsample_pipeline_class: str | None
    upsampler_model_class: str | None
    """module:Class of the latent upsampler model that a two-stage recipe loads."""
    size_multiple: int
    frame_rule: FrameRule
    max_height: int
    overlap_frames: int
    """Frames a later chunk shares with the one before (1: it continues from the last frame)."""
    conditioning: Conditioning
    supports_lora: bool
    two_stage: bool
    """Has a latent-upsample second stage (a recipe may use it)."""
    repo_markers: tuple[str, ...]
    """Lower-case pieces of a hub repo id that name this family when no preset or model_index.json says."""
    defaults: ModelDefaults
    cpu_reason: str
    """Why its real checkpoints need a CUDA GPU, for the refusal on a CPU-only machine."""
    window_frames: int | None = None
    """The most frames one generation may have (AnimateDiff's motion-module window, Wan FLF2V's 81); None: the
    frame rule's limit."""
    components: tuple[tuple[str, str], ...] = ()
    """(pipeline argument, diffusers model class) a preset names and loading composes into the pipeline
    (AnimateDiff: the motion adapter, the SparseCtrl controlnet), beside the base model's own parts."""
    single_file_parts: tuple[SingleFilePart, ...] = ()
    """What a single-file checkpoint of the family holds (empty: the family loads from diffusers folders only)."""
    float32_components: tuple[str, ...] = ()
    """Pipeline components its docs load in float32 while the rest runs in bf16 on a GPU (Wan: the VAE, for its
    decoding quality, and the CLIP image encoder)."""
    needs_modules: tuple[str, ...] = ()
    """Python modules its pipeline imports beyond diffusers and transformers (Wan cleans prompts with ftfy)."""

    @property
    def frame_step(self) -> int:
        """How far apart legal frame counts are (8 for 8n+1, 4 for 4n+1, 1 where any count goes)."""
        return FRAME_STEPS[self.frame_rule]

    @property
    def one_generation(self) -> bool:
        """Whether a shot is one generation spread exactly over it (at a lower frame rate where it is long): a family
        that ends every generation on a given frame (first-last-image) has no frame to end an earlier chunk on."""
        return self.conditioning == "first-last-image"

    def max_frames(self, num_frames: int) -> int:
        """Frames per generation for a wanted `num_frames`: at most the window."""
        return min(num_frames, self.window_frames) if self.window_frames else num_frames

    def check_size(self, width: int, height: int, num_frames: int) -> None:
        """Raise ValueError (for schema validation) when a preset's generation size is not legal for the family."""
        if width % self.size_multiple or height % self.size_multiple:
            raise ValueError(f"{self.name} needs width and height divisible by {self.size_multiple}, not {width}x{height}")
        if (num_frames - 1) % self.frame_step:
            raise ValueError(f"{self.name} needs {self.frame_rule} frames, not {num_frames}")
        if self.window_frames and num_frames > self.window_frames:
            longer = ("a longer shot is one generation at a lower frame rate" if self.one_generation else
                      "longer shots go in overlapping windows by themselves")
            raise ValueError(f"{self.name} makes at most {self.window_frames} frames a "
                             f"{'generation' if self.one_generation else 'window'}, not {num_frames}; {longer}")


__all__ = ["FRAME_STEPS", "Conditioning", "FamilySpec", "FrameRule", "ModelDefaults", "SingleFilePart"]
