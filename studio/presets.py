"""Model presets: data in presets/*.yaml, one file per model, validated on load.

`ltx_video.model` in pipeline.yaml names a preset, a Hugging Face repo id or a
local folder; a preset gives the model's recommended steps, guidance and
model-legal generation size (the LTX-Video issue uses them).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from studio.backends.families import FAMILIES, FamilyName
from studio.config import describe_validation_error, read_yaml
from studio.domain import CameraMovement
from studio.domain.recipe import CameraLora, Sampling
from studio.errors import ConfigError

PRESETS_DIR = Path(__file__).resolve().parent.parent / "presets"


_REPO = r"^[\w.-]+/[\w.-]+$"


class Components(BaseModel):
    """Models a family composes into its pipeline beside the base model (AnimateDiff), as hub repo ids."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    motion_adapter: str | None = Field(default=None, pattern=_REPO)
    """The MotionAdapter (AnimateDiff's motion modules), e.g. guoyww/animatediff-motion-adapter-v1-5-3."""
    controlnet: str | None = Field(default=None, pattern=_REPO)
    """The SparseControlNetModel, e.g. guoyww/animatediff-sparsectrl-rgb."""

    def named(self) -> dict[str, str]:
        return self.model_dump(exclude_none=True)


class ModelPreset(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    family: FamilyName
    repo_id: str = Field(pattern=_REPO)
    """The (base) model's diffusers-format repo."""
    checkpoint: str | None = Field(default=None, pattern=r"^https://huggingface\.co/[\w.-]+/[\w.-]+/(blob|resolve)/")
    """The hub URL of a single-file checkpoint whose transformer and VAE replace the repo's (a model Lightricks
    publish only as one .safetensors file); the repo gives the rest and the parts' configs."""
    num_inference_steps: int = Field(ge=1, le=200)
    guidance_scale: float = Field(ge=1.0, le=20.0)
    width: int = Field(ge=32)
    height: int = Field(ge=32)
    num_frames: int = Field(ge=1)
    fps: int = Field(ge=1, le=60)
    sampling: Sampling = Sampling()
    camera_loras: dict[CameraMovement, CameraLora] = {}
    """Camera-control LoRAs by the shot's camera move (see the README for which move gets which)."""
    camera_loras_note: str | None = None
    """Why a preset has none (its family has no official camera LoRAs), for the page and the README."""
    components: Components = Components()
    """The models its family composes into the pipeline (exactly the family's components)."""

    @model_validator(mode="after")
    def _model_legal(self) -> ModelPreset:
        family = FAMILIES[self.family]
        family.check_size(self.width, self.height, self.num_frames)
        if self.sampling.refine and not family.two_stage:
            raise ValueError(f"{self.family} has no two-stage recipe; remove sampling.refine")
        if self.checkpoint and not family.single_file_parts:
            raise ValueError(f"{self.family} models load from diffusers folders only; remove checkpoint")
        if self.camera_loras and not family.supports_lora:
            raise ValueError(f"{self.family} pipelines take no LoRAs; remove camera_loras")
        wanted, named = [name for name, _ in family.components], self.components.named()
        if set(named) != set(wanted):
            raise ValueError(f"{self.family} needs components {wanted or 'none'}, not {sorted(named) or 'none'}")
        return self


def load_preset(name: str, folder: Path = PRESETS_DIR) -> ModelPreset:
    """The preset called `name` (file presets/{name}.yaml)."""
    path = folder / f"{name}.yaml"
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


def preset_names(folder: Path = PRESETS_DIR) -> list[str]:
    return sorted(path.stem for path in folder.glob("*.yaml"))
