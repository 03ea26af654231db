"""The generative model families by name: each family's entry and its generator class, both from the family's
own module (studio/backends/ltx.py holds LTX-Video's and LTX-2's), imported normally.

An unknown family, pipeline class or repo is an error naming the choices, never a guess. None of these modules
imports torch: the pipeline classes are named, and imported where a model loads.
"""

from __future__ import annotations

from typing import Literal, get_args

from studio.backends.animatediff import ANIMATEDIFF, ANIMATEDIFF_SPARSECTRL, AnimateDiffGenerator
from studio.backends.ltx import LTX_2, LTX_VIDEO, Ltx2Generator, LtxGenerator
from studio.backends.runtime import ShotGenerator
from studio.backends.svd import STABLE_VIDEO_DIFFUSION, SvdGenerator
from studio.backends.wan import WAN_FLF2V, WanFlf2vGenerator
from studio.domain.families import FamilySpec
from studio.errors import ConfigError

_DRIVEN_BY: tuple[tuple[FamilySpec, type[ShotGenerator]], ...] = (
    (LTX_VIDEO, LtxGenerator),
    (LTX_2, Ltx2Generator),
    (STABLE_VIDEO_DIFFUSION, SvdGenerator),
    (ANIMATEDIFF_SPARSECTRL, AnimateDiffGenerator),
    (ANIMATEDIFF, AnimateDiffGenerator),
    (WAN_FLF2V, WanFlf2vGenerator),
)
FAMILIES: dict[str, FamilySpec] = {family.name: family for family, _ in _DRIVEN_BY}
GENERATORS: dict[str, type[ShotGenerator]] = {family.name: generator for family, generator in _DRIVEN_BY}
FamilyName = Literal["ltx-video", "ltx-2", "stable-video-diffusion", "animatediff-sparsectrl", "animatediff",
                     "wan-flf2v"]
"""The names a preset or ltx_video.family may give (checked against the entries when this module loads)."""

if set(get_args(FamilyName)) != set(FAMILIES):
    raise ImportError(f"FamilyName lists {sorted(get_args(FamilyName))}, but the families are {sorted(FAMILIES)}")


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


def generator_class(family: FamilySpec) -> type[ShotGenerator]:
    """The generator that drives `family`; a family without one is an error naming those that have one."""
    try:
        return GENERATORS[family.name]
    except KeyError:
        raise ConfigError(f"no generator drives the model family {family.name!r}; the studio drives "
                          f"{', '.join(GENERATORS)}") from None


def video_generator(pipeline: object, family: FamilySpec, upsampler: object | None = None) -> ShotGenerator:
    """The family's generator over a loaded pipeline; `upsampler` enables a recipe's second stage."""
    generator = generator_class(family)
    return generator(pipeline, upsampler, family=family) if family.two_stage else generator(pipeline, family=family)


__all__ = ["FAMILIES", "GENERATORS", "FamilyName", "family_of_pipeline", "family_of_repo", "family_spec",
           "generator_class", "video_generator"]
