"""Model presets: data in presets/*.yaml, one file per model, validated on load.

`ltx_video.model` in pipeline.yaml names a preset, a Hugging Face repo id or a
local folder; a preset gives the model's recommended steps, guidance and
model-legal generation size (the LTX-Video issue uses them).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from studio.config import describe_validation_error, read_yaml
from studio.domain.recipe import Sampling
from studio.errors import ConfigError

PRESETS_DIR = Path(__file__).resolve().parent.parent / "presets"


class ModelPreset(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    family: Literal["ltx-video", "ltx-2", "stable-video-diffusion"]
    repo_id: str = Field(pattern=r"^[\w.-]+/[\w.-]+$")
    pipeline: Literal["LTXPipeline", "LTXImageToVideoPipeline", "LTXConditionPipeline", "LTX2ConditionPipeline",
                      "StableVideoDiffusionPipeline"]
    num_inference_steps: int = Field(ge=1, le=200)
    guidance_scale: float = Field(ge=1.0, le=20.0)
    width: int = Field(ge=32)
    height: int = Field(ge=32)
    num_frames: int = Field(ge=1)
    fps: int = Field(ge=1, le=60)
    sampling: Sampling = Sampling()

    @model_validator(mode="after")
    def _model_legal(self) -> ModelPreset:
        if self.family in ("ltx-video", "ltx-2"):
            multiple = size_multiple(self.family)
            if self.width % multiple or self.height % multiple:
                raise ValueError(f"{self.family} needs width and height divisible by {multiple}, not {self.width}x{self.height}")
            if (self.num_frames - 1) % 8:
                raise ValueError(f"{self.family} needs 8n+1 frames, not {self.num_frames}")
        elif self.sampling.refine:
            raise ValueError(f"{self.family} has no two-stage recipe; remove sampling.refine")
        return self


def size_multiple(family: str) -> int:
    """What generation width and height must divide by: 64 for LTX-2.x, 32 for LTX-Video 0.9.x (and SVD's 8 is covered)."""
    return 64 if family == "ltx-2" else 32


# Presets that were removed, and why: a config naming one gets this instead of "no such preset".
RETIRED = {
    "ltx-video-2b-distilled": "its repo (Lightricks/LTX-Video-0.9.8-2B-distilled) is not a diffusers-format "
                              "repo; the 2B distilled weights exist only as a single file. Use ltx-video-2b "
                              "(LTX-Video 0.9.5, 2B) or ltx-video-13b-distilled",
}


def load_preset(name: str, folder: Path = PRESETS_DIR) -> ModelPreset:
    """The preset called `name` (file presets/{name}.yaml)."""
    path = folder / f"{name}.yaml"
    if name in RETIRED and not path.is_file():
        raise ConfigError(f"model preset {name!r} was removed: {RETIRED[name]}")
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
        raise ConfigError(f"no model preset {name!r}; presets: {known}")
    data = read_yaml(path)
    try:
        preset = ModelPreset.model_validate(data)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(str(path), error)) from None
    if preset.name != name:
        raise ConfigError(f"{path} names itself {preset.name!r}; the name must match the file name")
    return preset


def preset_fingerprint(*names: str | None, folder: Path = PRESETS_DIR) -> str:
    """sha256 of the named presets' files (names that are not presets count as absent), so that a changed
    recipe re-renders the clips made with it."""
    digest = hashlib.sha256()
    for name in names:
        path = folder / f"{name}.yaml"
        digest.update(path.read_bytes() if name and path.is_file() else b"-")
    return digest.hexdigest()


def preset_names(folder: Path = PRESETS_DIR) -> list[str]:
    return sorted(path.stem for path in folder.glob("*.yaml"))
