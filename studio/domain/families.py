"""The generative model families' data: every size, frame and conditioning rule of a family is its entry here.

Everything else asks this registry (pipeline class, latent upsampler, legal sizes and
frame counts, how keyframes condition, chunk overlap, LoRA support, built-in defaults); each family's
behaviour is its generator class, paired with its entry in `studio.backends.generators`;
an unknown family, pipeline class or repo is an error naming the choices, never a guess.
No heavy imports: the classes are named, and imported where a model loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from studio.errors import ConfigError

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


_LTX_DEFAULTS = ModelDefaults(width=480, height=832, num_frames=121, fps=24, num_inference_steps=8, guidance_scale=3.0)
# AnimateDiff on SD 1.5: 16-frame windows at 8 fps (what the motion modules were trained on), 25 steps, guidance
# 7.5 as the diffusers docs run it; 288x512 is exact 9:16 near SD 1.5's 512 pixels.
_ANIMATEDIFF_DEFAULTS = ModelDefaults(width=288, height=512, num_frames=16, fps=8, num_inference_steps=25, guidance_scale=7.5)
# Wan 2.1 FLF2V as its model card and the diffusers Wan docs run it (presets/wan-2.1-flf2v.yaml names the sources):
# 720x1280 (its 720P area, here 9:16), 81 frames at 16 fps, 50 steps, guidance 5.5.
_WAN_FLF2V_DEFAULTS = ModelDefaults(width=720, height=1280, num_frames=81, fps=16, num_inference_steps=50,
                                    guidance_scale=5.5)

FAMILIES: dict[str, FamilySpec] = {spec.name: spec for spec in (
    FamilySpec(
        name="ltx-video", label="LTX-Video 0.9.x", pipeline_class="LTXConditionPipeline",
        saved_as=("LTXConditionPipeline", "LTXPipeline", "LTXImageToVideoPipeline"),
        upsample_pipeline_class="LTXLatentUpsamplePipeline",
        upsampler_model_class="diffusers.pipelines.ltx.modeling_latent_upsampler:LTXLatentUpsamplerModel",
        size_multiple=32, frame_rule="8n+1", max_height=1280,
        overlap_frames=9, conditioning="pixel-frame", supports_lora=True, two_stage=True,
        repo_markers=("ltx-video", "ltxv", "ltx_video"), defaults=_LTX_DEFAULTS,
        cpu_reason="its real checkpoints (2B and 13B) do not fit in memory at fp32 on a CPU-only machine",
        # Lightricks publish most LTX-Video checkpoints as one .safetensors file: the transformer under
        # model.diffusion_model., the VAE under vae. (as diffusers' single-file loader reads them).
        single_file_parts=(SingleFilePart("transformer", "LTXVideoTransformer3DModel", "model.diffusion_model."),
                           SingleFilePart("vae", "AutoencoderKLLTXVideo", "vae.")),
    ),
    FamilySpec(
        name="ltx-2", label="LTX-2.x", pipeline_class="LTX2ConditionPipeline",
        saved_as=("LTX2ConditionPipeline", "LTX2Pipeline", "LTX2ImageToVideoPipeline"),
        upsample_pipeline_class="LTX2LatentUpsamplePipeline",
        upsampler_model_class="diffusers.pipelines.ltx2.latent_upsampler:LTX2LatentUpsamplerModel",
        # LTX-2.x makes full-height 9:16 where memory allows.
        size_multiple=64, frame_rule="8n+1", max_height=1920,
        overlap_frames=9, conditioning="latent-frame", supports_lora=True, two_stage=True,
        repo_markers=("ltx-2", "ltx2"), defaults=_LTX_DEFAULTS,
        cpu_reason="its 19B checkpoint does not fit in memory at fp32 on a CPU-only machine",
    ),
    FamilySpec(
        name="stable-video-diffusion", label="Stable Video Diffusion", pipeline_class="StableVideoDiffusionPipeline",
        saved_as=("StableVideoDiffusionPipeline",), upsample_pipeline_class=None, upsampler_model_class=None,
        size_multiple=8, frame_rule="any", max_height=1280,
        overlap_frames=1, conditioning="first-image", supports_lora=False, two_stage=False,
        repo_markers=("stable-video-diffusion", "svd"), defaults=_LTX_DEFAULTS,
        cpu_reason="its 1.5B-parameter UNet runs far too slowly at fp32 on a CPU for a take",
    ),
    # AnimateDiff, two modes, because SparseCtrl and the camera motion LoRAs need different motion adapters:
    # SparseCtrl RGB works with v3 (motion-adapter-v1-5-3), the zoom/pan/tilt LoRAs were trained on v2 (-v1-5-2).
    # A preset names the SD 1.5 base model and these components; no repo id tells the family (set ltx_video.family).
    FamilySpec(
        name="animatediff-sparsectrl", label="AnimateDiff v3 + SparseCtrl RGB",
        pipeline_class="AnimateDiffSparseControlNetPipeline", saved_as=("AnimateDiffSparseControlNetPipeline",),
        upsample_pipeline_class=None, upsampler_model_class=None,
        size_multiple=8, frame_rule="window", max_height=1024, overlap_frames=4, conditioning="sparse-frames",
        supports_lora=False, two_stage=False, repo_markers=(), defaults=_ANIMATEDIFF_DEFAULTS, window_frames=16,
        cpu_reason="SD 1.5 with a motion module takes many minutes per 16-frame window at fp32 on a CPU",
        components=(("motion_adapter", "MotionAdapter"), ("controlnet", "SparseControlNetModel")),
    ),
    FamilySpec(
        name="animatediff", label="AnimateDiff v2 + motion LoRAs", pipeline_class="AnimateDiffPipeline",
        saved_as=("AnimateDiffPipeline",), upsample_pipeline_class=None, upsampler_model_class=None,
        size_multiple=8, frame_rule="window",
        max_height=1024, overlap_frames=4, conditioning="text-only", supports_lora=True, two_stage=False,
        repo_markers=(), defaults=_ANIMATEDIFF_DEFAULTS, window_frames=16,
        cpu_reason="SD 1.5 with a motion module takes many minutes per 16-frame window at fp32 on a CPU", components=(("motion_adapter", "MotionAdapter"),),
    ),
    # Wan 2.1 first-and-last-frame-to-video: WanImageToVideoPipeline with image (the first frame) and last_image
    # (the last). Its VAE compresses time 4x and space 8x, its transformer patches 2x2: 4n+1 frames, sizes in 16s.
    # The FLF2V transformer reads both images' CLIP features as one sequence (pos_embed_seq_len 2 x 257), so every
    # generation needs a last frame: a shot is one generation from its first keyframe to its last.
    FamilySpec(
        name="wan-flf2v", label="Wan 2.1 FLF2V", pipeline_class="WanImageToVideoPipeline",
        saved_as=("WanImageToVideoPipeline",), upsample_pipeline_class=None, upsampler_model_class=None,
        size_multiple=16, frame_rule="4n+1", max_height=1280, overlap_frames=1, conditioning="first-last-image",
        supports_lora=True, two_stage=False, repo_markers=("flf2v",), defaults=_WAN_FLF2V_DEFAULTS, window_frames=81,
        cpu_reason="it needs a large GPU, for a 14B-parameter transformer of about 28 GB in bf16 beside the "
                   "UMT5-XXL text encoder and a CLIP ViT-H image encoder; Wan's model card measured a 76.7 GB peak "
                   "for its same-size 14B image-to-video model at 720P on one GPU with model offload",
        float32_components=("vae", "image_encoder"), needs_modules=("ftfy",),
    ),
)}
FamilyName = Literal["ltx-video", "ltx-2", "stable-video-diffusion", "animatediff-sparsectrl", "animatediff",
                     "wan-flf2v"]


def family_spec(name: str) -> FamilySpec:
    """The family called `name`; an unknown name is an error listing the families."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise ConfigError(f"unknown model family {name!r}; the studio knows {', '.join(FAMILIES)}") from None


def family_of_pipeline(class_name: str, where: str) -> FamilySpec:
    """The family whose models are saved as pipeline `class_name` (a model_index.json's `_class_name`)."""
    for spec in FAMILIES.values():
        if class_name in spec.saved_as:
            return spec
    known = ", ".join(name for spec in FAMILIES.values() for name in spec.saved_as)
    raise ConfigError(f"{where}: pipeline class {class_name!r} is not one the studio can run; it runs {known}")


def family_of_repo(repo_id: str) -> FamilySpec:
    """The family a hub repo id names (for an id without a preset); refuses an id it cannot tell."""
    lowered = repo_id.lower()
    for spec in FAMILIES.values():
        if any(marker in lowered for marker in spec.repo_markers):
            return spec
    raise ConfigError(f"cannot tell which model family {repo_id!r} is; name a preset from presets/, a local folder "
                      f"with its model_index.json, or set ltx_video.family to one of {', '.join(FAMILIES)}")


__all__ = ["FAMILIES", "FRAME_STEPS", "FamilyName", "FamilySpec", "ModelDefaults", "family_of_pipeline", "family_of_repo",
           "family_spec"]
