"""What `ltx_video` in pipeline.yaml means: one frozen, typed ResolvedModel, resolved once.

Layers, lowest first: the family's built-in defaults < the model's preset < the recipe's preset <
pipeline.yaml's `ltx_video` values < a take's settings (already laid over the config by TakeSettings).
The renderer, the Ray package, the UI's slider defaults, the metadata and the input hash read only this.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from studio.backends.families import family_of_pipeline, family_of_repo, family_spec
from studio.backends.runtime import ModelSource
from studio.config import PipelineConfig
from studio.domain import CameraMovement
from studio.domain.families import FamilySpec
from studio.domain.recipe import CameraLora, Refinement, Sampling
from studio.errors import ConfigError
from studio.presets import PRESETS_DIR, ModelPreset, load_preset
from studio.workspace import Workspace


@dataclass(frozen=True)
class ResolvedModel:
    """The generative model a render uses, with every value it samples with."""

    source: ModelSource
    family: FamilySpec
    preset: str | None
    """The model's preset, when ltx_video.model names one."""
    width: int
    height: int
    num_frames: int
    fps: int
    steps: int
    guidance_scale: float
    sampling: Sampling
    """The sampling recipe; its `refine` is set only when the second stage will run."""
    upsampler: ModelSource | None
    """The latent upsampler of the second stage; None: one stage."""
    camera_loras: dict[CameraMovement, CameraLora] = field(default_factory=dict)
    """The camera-control LoRA for each camera move (empty: none, or switched off), resolved to where it loads from."""
    camera_note: str | None = None
    """Why there are no camera LoRAs, for the page."""
    components: dict[str, ModelSource] = field(default_factory=dict)
    """Models composed into the pipeline at load (AnimateDiff's motion adapter, SparseCtrl); empty: the model's own."""

    @property
    def load_key(self) -> str:
        """What the loaded pipeline is cached under: the model, with the components composed into it."""
        return " + ".join([self.source.label, *(part.label for part in self.components.values())])

    def camera_lora(self, movement: CameraMovement) -> CameraLora | None:
        return self.camera_loras.get(movement)

    def fingerprint(self) -> dict:
        """Every value that decides the footage, for the input hash."""
        return {
            "model": self.source.label, "family": self.family.name, "size": [self.width, self.height],
            "num_frames": self.num_frames, "fps": self.fps, "steps": self.steps, "guidance_scale": self.guidance_scale,
            "sampling": self.sampling.model_dump(mode="json"), "upsampler": self.upsampler.label if self.upsampler else None,
            "camera_loras": {move.value: lora.label for move, lora in sorted(self.camera_loras.items())},
            **({"components": {name: part.label for name, part in self.components.items()}} if self.components else {}),
        }


def _local(workspace: Workspace, reference: str) -> Path:
    folder = Path(reference).expanduser()
    return folder if folder.is_absolute() else workspace.root / folder


def _preset(reference: str | None) -> ModelPreset | None:
    return load_preset(reference) if reference and (PRESETS_DIR / f"{reference}.yaml").is_file() else None


def _model(workspace: Workspace, config: PipelineConfig) -> tuple[ModelSource, FamilySpec, ModelPreset | None]:
    """Where the weights are, their family and their preset, from ltx_video.model (and ltx_video.family)."""
    ltx = config.ltx_video
    reference = ltx.model
    stated = family_spec(ltx.family) if ltx.family else None
    preset = _preset(reference)
    if preset is not None:
        return ModelSource(preset.repo_id, None, checkpoint=preset.checkpoint), family_spec(preset.family), preset
    folder = _local(workspace, reference)
    if folder.is_dir():
        index = folder / "model_index.json"
        if not index.is_file():
            raise ConfigError(f"ltx_video.model = {reference!r}: {folder} has no model_index.json (save it with save_pretrained)")
        saved_as = json.loads(index.read_text()).get("_class_name", "")
        return ModelSource(reference, folder), stated or family_of_pipeline(saved_as, str(index)), None
    if reference.count("/") == 1:
        return ModelSource(reference, None), stated or family_of_repo(reference), None
    raise ConfigError(f"ltx_video.model = {reference!r}: not a preset, a folder, or an 'owner/name' repo id")


def resolve_model(workspace: Workspace, config: PipelineConfig) -> ResolvedModel:
    """Resolve ltx_video: model, family, size, steps, guidance, sampling recipe and second stage."""
    ltx = config.ltx_video
    source, family, preset = _model(workspace, config)
    if ltx.checkpoint:
        source = replace(source, checkpoint=_checkpoint(workspace, ltx.checkpoint, family))
    defaults = family.defaults
    values = {"width": defaults.width, "height": defaults.height, "num_frames": defaults.num_frames, "fps": defaults.fps,
              "num_inference_steps": defaults.num_inference_steps, "guidance_scale": defaults.guidance_scale}
    sampling = Sampling()
    if preset is not None:
        values.update(preset.model_dump(include=set(values)))
        sampling = preset.sampling
    camera = preset.camera_loras if preset else {}
    camera_note = preset.camera_loras_note if preset else None
    components = preset.components.named() if preset else {}
    if ltx.recipe:
        recipe = load_preset(ltx.recipe)
        if recipe.family != family.name:
            raise ConfigError(f"ltx_video.recipe = {ltx.recipe!r} is a {recipe.family} recipe, but the model "
                              f"{source.label} is {family.name}; pick a {family.name} preset's recipe")
        values.update(recipe.model_dump(include={"num_inference_steps", "guidance_scale"}))
        sampling = recipe.sampling
        camera, camera_note = (camera, camera_note) if camera else (recipe.camera_loras, recipe.camera_loras_note)
        if not components and source.local is None:  # a local folder was saved with its own components
            components = recipe.components.named()
    if ltx.sampling:
        sampling = ltx.sampling
    recipe_steps = values["num_inference_steps"]
    values.update(ltx.model_dump(include=set(values), exclude_none=True))
    sampling, upsampler = _second_stage(workspace, config, source, sampling, changed_steps=values["num_inference_steps"] != recipe_steps)
    if ltx.camera_loras is not None:
        camera, camera_note = ltx.camera_loras, "ltx_video.camera_loras names no LoRA for this move"
    if not ltx.camera_lora:
        camera, camera_note = {}, "camera LoRAs are switched off (ltx_video.camera_lora: false, or the take's setting)"
    elif not camera:
        camera_note = camera_note or (f"{source.label} has no camera-control LoRAs in its preset; the camera move "
                                      "reaches it as prompt words only")
    return ResolvedModel(
        source=source, family=family, preset=preset.name if preset else None, width=values["width"],
        height=values["height"], num_frames=values["num_frames"], fps=values["fps"], steps=values["num_inference_steps"],
        guidance_scale=values["guidance_scale"], sampling=sampling, upsampler=upsampler,
        camera_loras={move: _located(workspace, ltx.lora_folder, source, lora) for move, lora in camera.items()},
        camera_note=None if camera else camera_note,
        components={name: _component(workspace, reference) for name, reference in components.items()},
    )


def _checkpoint(workspace: Workspace, reference: str, family: FamilySpec) -> str:
    """ltx_video.checkpoint as loading takes it: a hub URL as it is, a file as its path (relative to the workspace)."""
    if not family.single_file_parts:
        raise ConfigError(f"ltx_video.checkpoint = {reference!r}: {family.label} models load from diffusers folders "
                          "only; remove ltx_video.checkpoint")
    if reference.startswith("https://"):
        return reference
    path = _local(workspace, reference)
    if not path.is_file():
        raise ConfigError(f"ltx_video.checkpoint = {reference!r}: there is no file {path}")
    return str(path)


def _component(workspace: Workspace, reference: str) -> ModelSource:
    """A component's folder when there is one by that name (relative to the workspace), else its repo id."""
    folder = _local(workspace, reference)
    return ModelSource(reference, folder) if folder.is_dir() else ModelSource(reference, None)


def _located(workspace: Workspace, lora_folder: str | None, model: ModelSource, lora: CameraLora) -> CameraLora:
    """The LoRA loading from a folder that holds its file (ltx_video.lora_folder, the model folder), else its repo.
    A file under the generic diffusers name is looked for in a subfolder named as its repo
    (lora_folder/animatediff-motion-lora-zoom-in/diffusion_pytorch_model.safetensors)."""
    for folder in (_local(workspace, lora_folder) if lora_folder else None, model.local):
        if folder is None:
            continue
        for candidate in (folder, folder / Path(lora.repo).name):
            if (candidate / lora.weight_name).is_file():
                return lora.model_copy(update={"repo": str(candidate)})
    return lora


def _second_stage(workspace: Workspace, config: PipelineConfig, source: ModelSource, sampling: Sampling, *,
                  changed_steps: bool) -> tuple[Sampling, ModelSource | None]:
    """The recipe as it will run, and its upsampler: one stage unless the recipe has a refine and two_stage is on."""
    ltx = config.ltx_video
    refine = sampling.refine
    if refine is None or not ltx.two_stage:
        return sampling.one_stage(changed_steps=changed_steps), None
    if changed_steps and refine.first_stage_schedule:
        # Another step count cannot follow the released schedule: sample stage 1 evenly instead.
        refine = refine.model_copy(update={"first_stage_timesteps": None, "first_stage_sigmas": None})
    own = source.local / "latent_upsampler" if source.local else None
    if ltx.upsampler:
        upsampler = _upsampler_source(workspace, ltx.upsampler, refine.upsampler_subfolder)
    elif own and (own / "config.json").is_file():
        upsampler = ModelSource(str(own), own)
    else:
        upsampler = _upsampler_source(workspace, refine.upsampler, refine.upsampler_subfolder)
    refine = refine.model_copy(update={"upsampler": upsampler.label, "lora": _lora_reference(workspace, refine, source, ltx.lora_folder)})
    return sampling.model_copy(update={"refine": refine}), upsampler


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


def _lora_reference(workspace: Workspace, refine: Refinement, model: ModelSource, lora_folder: str | None) -> str | None:
    """Where stage 2's LoRA loads from: a folder (the workspace's, or a local model's own copy of the file) or a repo id."""
    if not refine.lora:
        return None
    for folder in (_local(workspace, lora_folder) if lora_folder else None, model.local):
        if folder is not None and refine.lora_weight_name and (folder / refine.lora_weight_name).is_file():
            return str(folder)
    folder = _local(workspace, refine.lora)
    return str(folder) if folder.is_dir() else refine.lora


__all__ = ["ResolvedModel", "resolve_model"]
