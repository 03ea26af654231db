"""Loading a generative family's pipeline: its classes, its own setup (the scheduler its docs run), placement by
the memory mode, the latent upsampler, and the checks made before any weights load.

torch and diffusers are imported only inside functions, when a model loads.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from studio.backends.families import generator_class
from studio.backends.runtime import ModelSource, check_can_load
from studio.backends.zerogpu import on_zero_gpu
from studio.domain.families import FamilySpec
from studio.domain.recipe import Sampling
from studio.errors import BackendUnavailableError, ConfigError


def imported(dotted: str) -> type:
    """The class a registry entry names as 'module:Class' (or a bare diffusers class name)."""
    module, _, name = dotted.rpartition(":")
    return getattr(importlib.import_module(module or "diffusers"), name)


def _dtype(cuda: bool) -> object:
    import torch

    return torch.bfloat16 if cuda else torch.float32


def _pipeline_dtype(cuda: bool, family: FamilySpec) -> object:
    """The pipeline's dtype: bf16 on a GPU, with the family's float32 components kept float32 (diffusers takes a
    {component: dtype} mapping with a "default"), as its docs load them; float32 on a CPU."""
    import torch

    if not cuda or not family.float32_components:
        return _dtype(cuda)
    return {"default": _dtype(cuda), **dict.fromkeys(family.float32_components, torch.float32)}


def load_pipeline(source: ModelSource, family: FamilySpec, memory: str = "auto",
                  components: dict[str, ModelSource] | None = None) -> object:
    """Load `source` as `family`'s pipeline class, placed on the GPU by `memory` (auto: model CPU offload).

    `components` (the family's, e.g. AnimateDiff's motion adapter and SparseCtrl controlnet) are loaded first,
    each with its model class's from_pretrained, and handed to the pipeline's from_pretrained; the memory mode
    then places them with the rest."""
    import torch

    cuda = torch.cuda.is_available()
    check_can_load(source, family, cuda=cuda)
    classes = dict(family.components)
    parts = {}
    try:
        for name, part in (components or {}).items():
            parts[name] = imported(classes[name]).from_pretrained(part.location, dtype=_dtype(cuda))
        if source.checkpoint:
            parts.update(single_file_parts(source, family, _dtype(cuda)))
        pipe = imported(family.pipeline_class).from_pretrained(source.location, **parts,
                                                               dtype=_pipeline_dtype(cuda, family))
        generator_class(family).prepare(pipe, family)
    except (OSError, ValueError) as error:
        raise BackendUnavailableError(
            f"could not load video model {source.label}"
            f"{' with ' + ', '.join(p.label for p in components.values()) if components else ''}: {error}. Check the "
            "folder or repo id in ltx_video.model (and the preset's components); without network access the "
            "weights must already be on disk."
        ) from None
    if cuda:
        place_on_gpu(pipe, family, memory)
    pipe.set_progress_bar_config(disable=True)
    return pipe


_HUB_FILE = re.compile(r"^https://huggingface\.co/(?P<repo>[\w.-]+/[\w.-]+)/(?:blob|resolve)/(?P<revision>[^/]+)/(?P<file>.+)$")


def checkpoint_file(checkpoint: str) -> Path:
    """The single-file checkpoint on disk: a local file as it is, a hub URL downloaded once into the hub cache."""
    found = _HUB_FILE.match(checkpoint)
    if found is None:
        path = Path(checkpoint).expanduser()
        if not path.is_file():
            raise OSError(f"there is no checkpoint file {path}")
        return path
    from studio.backends.hub import hub_file

    return hub_file(found["repo"], found["file"], found["revision"])


def single_file_parts(source: ModelSource, family: FamilySpec, dtype: object) -> dict[str, object]:
    """The components `source.checkpoint` holds, each converted by diffusers' from_single_file with its config
    from the base model's subfolder (`source.location`); the base model supplies every part the file lacks."""
    from safetensors import safe_open

    path = checkpoint_file(source.checkpoint)
    with safe_open(str(path), framework="pt") as weights:
        keys = list(weights.keys())
    held = [part for part in family.single_file_parts if any(key.startswith(part.key_prefix) for key in keys)]
    if not held:
        raise ValueError(f"{path.name} holds no {family.label} weights (no tensor starts with "
                         f"{' or '.join(part.key_prefix for part in family.single_file_parts) or 'a known prefix'})")
    return {part.component: imported(part.model_class).from_single_file(
                str(path), config=source.location, subfolder=part.component, dtype=dtype)
            for part in held}


def place_on_gpu(pipe: object, family: FamilySpec, memory: str) -> None:
    """Put a loaded pipeline on the GPU by the memory mode; on ZeroGPU all of it goes to `cuda` (its docs: no
    CPU offload there, the GPU exists only inside the decorated call)."""
    if on_zero_gpu() or memory == "none":
        pipe.to("cuda")
        return
    if memory in ("auto", "model_offload"):
        pipe.enable_model_cpu_offload()
    else:
        pipe.enable_sequential_cpu_offload()
    if generator_class(family).vae_tiling:
        pipe.vae.enable_tiling()


def load_latent_upsampler(source: ModelSource, pipe: object, family: FamilySpec, memory: str = "auto") -> object:
    """The latent x2 upsample pipeline of a two-stage recipe, sharing `pipe`'s VAE (`memory` as for `pipe`)."""
    import torch

    if family.upsample_pipeline_class is None or family.upsampler_model_class is None:
        raise BackendUnavailableError(f"{family.label} has no latent upsampler; set ltx_video.two_stage: false")
    cuda = torch.cuda.is_available()
    where = {"subfolder": source.subfolder} if source.subfolder and not source.local else {}
    try:
        model = imported(family.upsampler_model_class).from_pretrained(source.location, **where, dtype=_dtype(cuda))
    except (OSError, ValueError) as error:
        raise BackendUnavailableError(
            f"could not load the latent upsampler {source.label}: {error}. Set ltx_video.upsampler to its folder "
            "or repo id, or ltx_video.two_stage: false for one stage"
        ) from None
    upsample = imported(family.upsample_pipeline_class)(vae=pipe.vae, latent_upsampler=model)
    if cuda:  # as the diffusers LTX-2 docs do: the upsample pipeline offloads too, over the shared VAE
        upsample.to("cuda") if memory == "none" or on_zero_gpu() else upsample.enable_model_cpu_offload()
    upsample.set_progress_bar_config(disable=True)
    return upsample


def check_sampling(family: FamilySpec, sampling: Sampling) -> None:
    """Refuse, before any weights load, a sampling value the family's pipeline cannot take (as diffusers'
    `check_inputs` does): each keyword it becomes must be in the pipeline's `__call__` signature."""
    import inspect

    accepted = inspect.signature(imported(family.pipeline_class).__call__).parameters
    for argument in generator_class(family).sampling_keywords(sampling):
        if argument.keyword not in accepted:
            raise ConfigError(
                f"ltx_video.{argument.setting} (set there or by the recipe's preset): {family.pipeline_class}, which "
                f"runs {family.label}, takes no `{argument.keyword}`; remove the setting, or choose a {family.name} "
                "recipe from presets/ that gives its schedule in the form this family takes"
            )


__all__ = ["check_sampling", "checkpoint_file", "imported", "single_file_parts", "load_latent_upsampler", "load_pipeline", "place_on_gpu"]
