"""The generative families' behaviour, by name: each family's generator class (its module holds the family's
pipeline arguments, keyframe conditioning, scheduler, VAE tiling, stage size and out-of-memory hint).

The data half of each family (sizes, frame rule, pipeline class name) is its entry in `studio.domain.families`;
this registry pairs every entry with its class, imported normally. Neither module imports torch.
"""

from __future__ import annotations

from studio.backends.animatediff import AnimateDiffGenerator
from studio.backends.ltx import Ltx2Generator, LtxGenerator
from studio.backends.runtime import ShotGenerator
from studio.backends.svd import SvdGenerator
from studio.backends.wan import WanFlf2vGenerator
from studio.domain.families import FAMILIES, FamilySpec
from studio.errors import ConfigError

GENERATORS: dict[str, type[ShotGenerator]] = {
    "ltx-video": LtxGenerator,
    "ltx-2": Ltx2Generator,
    "stable-video-diffusion": SvdGenerator,
    "animatediff-sparsectrl": AnimateDiffGenerator,
    "animatediff": AnimateDiffGenerator,
    "wan-flf2v": WanFlf2vGenerator,
}


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


assert set(GENERATORS) == set(FAMILIES), "every registry entry has its generator"  # noqa: S101 - import-time check

__all__ = ["GENERATORS", "generator_class", "video_generator"]
