"""Wan 2.1 first-and-last-frame-to-video (FLF2V) through diffusers' WanImageToVideoPipeline: `image` is a
generation's first frame, `last_image` its last, and the model makes the frames between them.

The FLF2V transformer reads the two images' CLIP features as one sequence (its image position embedding is two
images long), so it cannot run on a first frame alone: every generation must end on a frame the shot gives. Hence
the family's rule (`one_generation`): a shot is one generation from its first keyframe to its last,
its frames spread exactly over the shot (the fewest 4n+1 that hold it at the model's 16 fps, at most 81), and the
studio's frame interpolation makes the delivery rate. A shot over 5 s is therefore generated at a lower rate (a 10 s
shot: 81 frames at 8 fps), and the model's motion plays slower in it than Wan made it.

The family's entry (sizes, frame rule, defaults) is here beside its generator; loading, progress and cancel are the
shared runtime's (runtime.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.backends.base import ShotGeneration, StepHook
from studio.backends.runtime import GenerationRequest, ShotGenerator, run_video_pipeline, seeded
from studio.domain.families import FamilySpec, ModelDefaults
from studio.errors import RenderError

# The sampling shift of Wan's own generate.py for flf2v-14B (sample_shift 16), which diffusers' conversion script
# (scripts/convert_wan_to_diffusers.py) also writes into the FLF2V repo's UniPCMultistepScheduler as flow_shift.
FLOW_SHIFT = 16.0
WAN_OOM_HINT = "set ltx_video.memory: sequential_offload, or lower ltx_video.width/height/num_frames"

# As its model card and the diffusers Wan docs run it (presets/wan-2.1-flf2v.yaml names the sources): 720x1280 (its
# 720P area, here 9:16), 81 frames at 16 fps, 50 steps, guidance 5.5.
WAN_FLF2V_DEFAULTS = ModelDefaults(width=720, height=1280, num_frames=81, fps=16, num_inference_steps=50,
                                   guidance_scale=5.5)
# Its VAE compresses time 4x and space 8x, its transformer patches 2x2: 4n+1 frames, sizes in 16s. The FLF2V
# transformer reads both images' CLIP features as one sequence (pos_embed_seq_len 2 x 257), so every generation needs
# a last frame: a shot is one generation from its first keyframe to its last.
WAN_FLF2V = FamilySpec(
    name="wan-flf2v", label="Wan 2.1 FLF2V", pipeline_class="WanImageToVideoPipeline",
    saved_as=("WanImageToVideoPipeline",), upsample_pipeline_class=None, upsampler_model_class=None,
    size_multiple=16, frame_rule="4n+1", max_height=1280, overlap_frames=1, conditioning="first-last-image",
    supports_lora=True, two_stage=False, repo_markers=("flf2v",), defaults=WAN_FLF2V_DEFAULTS, window_frames=81,
    cpu_reason="it needs a large GPU, for a 14B-parameter transformer of about 28 GB in bf16 beside the "
               "UMT5-XXL text encoder and a CLIP ViT-H image encoder; Wan's model card measured a 76.7 GB peak "
               "for its same-size 14B image-to-video model at 720P on one GPU with model offload",
    float32_components=("vae", "image_encoder"), needs_modules=("ftfy",),
)


@dataclass(frozen=True, kw_only=True)
class WanFlf2vRequest(GenerationRequest):
    prompt: str
    negative_prompt: str
    image: np.ndarray
    """The generation's first frame (RGB at the request's size)."""
    last_image: np.ndarray
    """Its last frame."""


def flow_scheduler(base: object) -> object:
    """Wan FLF2V's scheduler from the saved scheduler config `base`: UniPC on flow sigmas, flow shift 16."""
    from diffusers import UniPCMultistepScheduler

    return UniPCMultistepScheduler.from_config(base, prediction_type="flow_prediction", use_flow_sigmas=True,
                                               flow_shift=FLOW_SHIFT)


class WanFlf2vGenerator(ShotGenerator):
    """Wan 2.1 FLF2V: each generation between two given frames.

    Keyframes: the first keyframe is the first generation's `image` (the shot's first frame, whatever its time);
    a later generation starts from the last frame of the one before. The shot's last keyframe is `last_image` of
    the generation whose last latent frame (its last 4 frames: the VAE makes one latent of 4) holds the keyframe's
    time, a time past the footage counting as its end; in the one-generation plans the registry makes, that is the
    only generation, and a last keyframe at the shot's end always lands there. A middle keyframe (a 3-keyframe shot)
    conditions nothing: FLF2V takes exactly a first and a last frame. A shot with one keyframe, or a generation
    that would end on no keyframe (a last keyframe set well before the shot's end), is refused with the fix.
    """

    default_family = WAN_FLF2V

    @classmethod
    def prepare(cls, pipeline: object, family: FamilySpec) -> None:
        """The scheduler Wan's FLF2V release samples with, whatever the folder saved (a local copy, a test model)."""
        pipeline.scheduler = flow_scheduler(pipeline.scheduler.config)

    def _chunks(self, request: ShotGeneration, seed: int, on_step: StepHook) -> list[np.ndarray]:
        plan = request.plan
        if len(request.keyframes) < 2:
            raise RenderError(f"{self.family.label} makes a shot between its first and last keyframe, and this shot "
                              "has one keyframe: add a last keyframe to the shot, or render it with another method "
                              "(interp, svd)")
        last = request.keyframes[-1]
        position = min(last.time_s * plan.fps, plan.generated_frames - 1)  # in frames of the footage
        footage: list[np.ndarray] = []
        for chunk in plan.chunk_spans:
            end = chunk.start_frame + chunk.num_frames - 1
            if not end - self.family.frame_step < position <= end:
                raise RenderError(
                    f"{self.family.label} ends each generation on a keyframe, and generation {chunk.index + 1} of "
                    f"this shot ends at {end / plan.fps:.2f} s, where the shot has none (its last keyframe is at "
                    f"{last.time_s:.2f} s): set the last keyframe's time to the shot's end, or leave it empty")
            frames = self.generate(WanFlf2vRequest(
                prompt=request.prompt, negative_prompt=request.negative_prompt, width=plan.width, height=plan.height,
                num_frames=chunk.num_frames, fps=plan.fps, steps=request.steps, guidance_scale=request.guidance_scale,
                seed=seed + chunk.index, image=footage[-1] if footage else request.keyframes[0].image, last_image=last.image,
            ), on_step)
            footage.extend(frames[1:] if footage else frames)
        return footage

    def arguments(self, request: WanFlf2vRequest) -> dict:
        """The pipeline's keyword arguments for one generation (checked against its signature by a test)."""
        from PIL import Image

        return {
            "image": Image.fromarray(request.image), "last_image": Image.fromarray(request.last_image),
            "prompt": request.prompt, "negative_prompt": request.negative_prompt or None, "width": request.width,
            "height": request.height, "num_frames": request.num_frames, "guidance_scale": request.guidance_scale,
            "generator": seeded(request.seed),
        }

    def generate(self, request: WanFlf2vRequest, on_step: StepHook) -> list[np.ndarray]:
        return run_video_pipeline(self.pipeline, self.arguments(request), steps=request.steps, on_step=on_step,
                                  oom_hint=WAN_OOM_HINT)

    def recipe(self, sampling: str) -> str:
        """How the footage was sampled, for the metadata."""
        return (f"{self.family.name}: {sampling}; UniPC, flow shift {FLOW_SHIFT:g}; the shot in one generation from "
                "its first keyframe (image) to its last (last_image), its frames spread over the shot (a lower rate "
                "where 81 frames at the model's cannot hold it); middle keyframes unused")
