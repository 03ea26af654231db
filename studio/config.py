"""`config/pipeline.yaml`: its schema, defaults and validation.

Each field's docstring is its documentation (the README's configuration table
follows it). A bad value is reported with the file, the key, the value and what
is allowed, before any work starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from studio.domain.assembly import TRANSITIONS
from studio.domain.metadata import Method
from studio.domain.recipe import CameraLora, Sampling
from studio.domain.script import AgeBucket, CameraMovement, Script, Segment, Shot
from studio.errors import ConfigError

X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
MAX_SEED = 2**32 - 1
"""The largest generation seed: torch.Generator.manual_seed takes up to 2**64 - 1, but the backends add
chunk numbers and re-roll offsets to the seed, and numpy seeds stop at 2**32 - 1."""

_BITRATE = re.compile(r"^(\d+(?:\.\d+)?)([kKmM])$")
# The delivery spec allows an average of 8-12 Mbps.
MIN_BITRATE_KBPS, MAX_BITRATE_KBPS = 8000, 12000


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


Stratum = Literal["camera_movement", "age_bucket", "segment"]
STRATA: tuple[Stratum, ...] = ("camera_movement", "age_bucket", "segment")
"""The strata an override may name, in precedence order: a shot matching several takes the first one's method.

The camera move comes first because it belongs to the shot itself, and motion is where the two methods differ
most; the age bucket (three values) comes before the segment (two) because it is the narrower group of titles.
Refusing disagreeing overrides instead would forbid any two strata with different methods, since every camera
move occurs in every segment and age bucket."""


@dataclass(frozen=True, slots=True)
class Override:
    """One override: shots of `value` in `stratum` render with `method`."""

    stratum: Stratum
    value: str
    method: Method

    @property
    def key(self) -> str:
        """Its place under switches.overrides, e.g. 'camera_movement.zoom_in'."""
        return f"{self.stratum}.{self.value}"


class MethodOverrides(_Section):
    """Per-stratum exceptions to switches.use_ltx (the hybrid choice); see STRATA for the precedence."""

    camera_movement: dict[CameraMovement, Method] = {}
    """Method by the shot's camera move (static, zoom_in, zoom_out, pan_left, pan_right, tilt_up, tilt_down)."""
    age_bucket: dict[AgeBucket, Method] = {}
    """Method by the title's age bucket (10-13, 14-17, 18-23)."""
    segment: dict[Segment, Method] = {}
    """Method by the title's segment (women, men)."""

    def listed(self) -> tuple[Override, ...]:
        """Every override, in precedence order."""
        return tuple(Override(stratum, getattr(value, "value", value), method)
                     for stratum in STRATA for value, method in getattr(self, stratum).items())

    def as_mapping(self) -> dict[str, dict[str, Method]]:
        """The YAML shape, {stratum: {value: method}}, without empty strata."""
        mapping: dict[str, dict[str, Method]] = {}
        for override in self.listed():
            mapping.setdefault(override.stratum, {})[override.value] = override.method
        return mapping


class Switches(_Section):
    use_ltx: bool = False
    """Default method for new renders: true = LTX-Video, false = interpolation."""
    overrides: MethodOverrides = MethodOverrides()
    """The method for shots of one camera move, age bucket or segment, over use_ltx (camera move first)."""

    def method_for(self, script: Script, shot: Shot) -> Method:
        """The method of a shot whose render names none: the first matching override in STRATA order, else use_ltx.

        The one place this choice is made: generate, the script render, batch export, assembly's auto and the
        Ray path all ask here.
        """
        shot_values = {"camera_movement": shot.camera_movement, "age_bucket": script.age_bucket, "segment": script.segment}
        for stratum in STRATA:
            method = getattr(self.overrides, stratum).get(shot_values[stratum])
            if method is not None:
                return method
        return "ltx" if self.use_ltx else "interp"


class LtxVideoSettings(_Section):
    model: str = "ltx-video-2b-distilled"
    """Preset name from presets/, a Hugging Face repo id, or a local save_pretrained folder."""
    checkpoint: str | None = None
    """A single-file checkpoint (a .safetensors file, relative to the workspace, or its hub URL) whose transformer
    and VAE replace the model's; the model still gives the text encoder, tokenizer and scheduler. Empty: the
    preset's (ltx-video-2b-distilled names Lightricks' file), else none."""
    family: str | None = None
    """The model family (ltx-video, ltx-2, stable-video-diffusion, animatediff-sparsectrl, animatediff, wan-flf2v) of
    a repo id whose name does not say;
    empty: the preset's, the folder's model_index.json, or the repo id's."""
    recipe: str | None = None
    """Preset whose sampling recipe to use; empty: the model's own preset (one stage for a folder or repo id)."""
    sampling: Sampling | None = None
    """A sampling recipe spelled out (see presets/*.yaml); overrides `recipe`."""
    two_stage: bool = True
    """Run the recipe's second stage (latent x2 upsample and refine) where it has one; false: one stage."""
    upsampler: str | None = None
    """Latent upsampler (folder or repo id) for the second stage; empty: the recipe's, or the model folder's
    latent_upsampler/ when it has one."""
    num_frames: int | None = Field(default=None, ge=2, le=257)
    """Frames per generation (LTX rounds to 8n+1); empty: the preset's."""
    width: int | None = Field(default=None, ge=32)
    """Generation width (multiple of 32); empty: the preset's."""
    height: int | None = Field(default=None, ge=32)
    """Generation height (multiple of 32); empty: the preset's."""
    fps: int | None = Field(default=None, ge=1, le=60)
    """Model frame rate; empty: the preset's."""
    num_inference_steps: int | None = Field(default=None, ge=1, le=200)
    """Denoising steps; empty: the preset's."""
    guidance_scale: float | None = Field(default=None, ge=1.0, le=20.0)
    """Classifier-free guidance, 1 disables it; empty: the preset's (1 for distilled models)."""
    seed: int = Field(default=42, ge=0, le=MAX_SEED)
    """Random seed (0 to 2**32 - 1); the same seed gives the same clip."""
    motion_bucket_id: int = Field(default=127, ge=1, le=255)
    """Motion amount (Stable Video Diffusion's scale, 1-255)."""
    noise_aug_strength: float = Field(default=0.02, ge=0.0, le=1.0)
    """Stable Video Diffusion: noise added to the conditioning image (more = more motion, less fidelity)."""
    decode_chunk_size: int = Field(default=8, ge=1, le=64)
    """Stable Video Diffusion: frames decoded at once (lower saves GPU memory)."""
    memory: Literal["auto", "model_offload", "sequential_offload", "none"] = "auto"
    """GPU memory strategy: auto = model CPU offload + VAE tiling; sequential_offload for small GPUs; none = all on GPU."""
    reroll_static: int = Field(default=0, ge=0, le=5)
    """When a result is near-static, generate again with a new seed up to this many times."""
    camera_lora: bool = True
    """Steer the camera with the model's camera-control LoRA for the shot's move, where its preset has one."""
    camera_loras: dict[CameraMovement, CameraLora] | None = None
    """Camera LoRAs by camera move, spelled out (see presets/ltx-2.yaml); empty: the model's or recipe's preset's."""
    lora_folder: str | None = None
    """A folder of LoRA files under their released names (camera LoRAs, a recipe's refine LoRA), used before the hub."""


class KenBurnsSettings(_Section):
    enabled: bool = True
    """Add zoom/pan following each shot's camera movement."""
    strength: float = Field(default=0.5, ge=0.0, le=1.0)
    """Motion strength: 0 still, 1 a 1.25x zoom or a pan across a fifth of the frame."""


class DepthSettings(_Section):
    enabled: bool = False
    """Depth-aware camera (2.5D parallax): the Ken Burns move becomes a camera travelling through the scene, near
    things moving more than far ones, by each keyframe's estimated depth. Off: the flat Ken Burns move."""
    strength: float = Field(default=0.5, ge=0.0, le=1.0)
    """Parallax: 0 none (plain Ken Burns, pixel for pixel), 1 the farthest point stays put while the nearest moves
    twice as far as the focus plane (the middle of the keyframe's depth range, which moves as plain Ken Burns)."""
    model: str = "depth-anything/Depth-Anything-V2-Small-hf"
    """The transformers depth-estimation model: a Hugging Face hub id, or a folder saved with save_pretrained
    (relative to the workspace); estimated once per keyframe and cached under cache/depth."""


class InterpolationSettings(_Section):
    method: Literal["flow", "rife", "film"] = "flow"
    """Interpolator: 'flow' (OpenCV optical flow, no weights), 'rife' (RIFE 4.6 or 4.2x weights) or 'film'
    (FILM, the PyTorch port's TorchScript film_net_fp32.pt)."""
    rife_weights: str | None = None
    """RIFE 4.6 or 4.2x flownet.pkl: a path (relative to the workspace) or an https URL, downloaded once;
    empty: the RIFE 4.25 file scripts/get-rife installs."""
    rife_scale: Literal[1.0, 0.5, 0.25] = 1.0
    """RIFE's resolution option: 1 for HD keyframes, 0.5 for 4K."""
    film_weights: str | None = None
    """FILM's TorchScript film_net_fp32.pt (github.com/dajes/frame-interpolation-pytorch releases): a path
    (relative to the workspace) or an https URL, downloaded once into $STUDIO_HOME/models/film; required by 'film'."""
    film_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """SHA-256 (64 lowercase hex digits) the FILM file must have; empty: not checked."""
    film_max_pixels: int | None = Field(default=1_048_576, ge=4096)
    """FILM runs keyframes larger than this many pixels scaled down to it (memory grows with pixels) and scales the
    result back up; empty: always full resolution (needs a large GPU at 1080x1920)."""
    source_fps: float = Field(default=24.0, gt=0, le=120)
    """Frame rate of generated source footage when it is retimed to target_fps."""
    target_fps: float = Field(default=30.0, gt=0, le=120)
    """Frame rate the interpolator produces; must equal video.fps."""
    smooth_motion: bool = True
    """Ease in and out between keyframes and over the camera move."""
    ken_burns: KenBurnsSettings = KenBurnsSettings()
    depth: DepthSettings = DepthSettings()

    @model_validator(mode="after")
    def _film_has_weights(self) -> InterpolationSettings:
        if self.method == "film" and not self.film_weights:
            raise ValueError(
                "method 'film' needs interpolation.film_weights: the path or URL of film_net_fp32.pt from the "
                "release of github.com/dajes/frame-interpolation-pytorch"
            )
        return self


class VideoSettings(_Section):
    width: int = Field(default=1080, ge=16, le=4096)
    """Output width in pixels (even; 9:16 with height)."""
    height: int = Field(default=1920, ge=16, le=4096)
    """Output height in pixels (even; 9:16 with width)."""
    fps: int = Field(default=30, ge=1, le=60)
    """Output frame rate (constant)."""
    codec: Literal["libx264"] = "libx264"
    """Video encoder: H.264 through libx264."""
    pix_fmt: Literal["yuv420p"] = "yuv420p"
    """Pixel format of the delivered file."""
    bitrate: str = "10M"
    """Average bitrate, '8M' to '12M' (constant, so every clip lands in the spec)."""
    preset: str = "veryfast"
    """x264 speed/quality preset: ultrafast ... veryslow."""
    fit: Literal["cover", "contain"] = "cover"
    """How keyframes of another aspect fill the frame: crop (cover) or blurred bars (contain)."""
    encoder_threads: int | None = Field(default=None, ge=1, le=64)
    """x264 threads; empty = one per core (fastest). Multithreaded constant-bitrate x264 is not bit-exact from
    run to run; 1 makes every clip byte-for-byte reproducible (here about 1.8x the encode time)."""

    @field_validator("bitrate")
    @classmethod
    def _bitrate_in_spec(cls, value: str) -> str:
        kbps = bitrate_kbps(value)
        if not MIN_BITRATE_KBPS <= kbps <= MAX_BITRATE_KBPS:
            raise ValueError("must be between 8M and 12M (the delivery spec), e.g. '10M'")
        return value

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str) -> str:
        if value not in X264_PRESETS:
            raise ValueError(f"must be one of {', '.join(X264_PRESETS)}")
        return value

    @model_validator(mode="after")
    def _vertical_even(self) -> VideoSettings:
        if self.width % 2 or self.height % 2:
            raise ValueError("width and height must be even (yuv420p halves the colour planes)")
        if self.width * 16 != self.height * 9:
            raise ValueError(f"{self.width}x{self.height} is not 9:16; use 1080x1920")
        return self

    @property
    def bitrate_kbps(self) -> int:
        return bitrate_kbps(self.bitrate)

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)


class AssemblySettings(_Section):
    lead_in_s: float = Field(default=0.3, ge=0, le=5)
    """Picture before a shot's first narrated word (and before the first word of the video)."""
    lead_out_s: float = Field(default=0.5, ge=0, le=5)
    """Picture after the last narrated word of the video (and of a shot, with pause: hold_next)."""
    pause: Literal["split", "extend_previous", "hold_next"] = "split"
    """Where a boundary falls in a pause between two shots' narration: its middle, just before the next
    shot's words (the previous shot holds), or just after the previous shot's words (the next one holds)."""
    transition: str = "cut"
    """Transition at every boundary: cut, crossfade, fadeblack, fadewhite, dissolve, wipe*/slide*, ..."""
    transition_s: float = Field(default=0.5, gt=0, le=3)
    """Length of a transition that is not a cut, centred on its boundary."""
    min_speed: float = Field(default=0.8, gt=0, le=1)
    """Slowest retiming of a clip that is not re-rendered (LTX); beyond it the last frame holds, with a warning."""
    max_speed: float = Field(default=1.25, ge=1, le=4)
    """Fastest retiming of such a clip; beyond it the clip is trimmed."""
    loudness_lufs: float = Field(default=-14.0, ge=-40, le=-5)
    """Integrated loudness target of the narration (EBU R128)."""
    true_peak_db: float = Field(default=-1.5, ge=-9, le=0)
    """True-peak ceiling of the narration."""
    music: str | None = None
    """Optional background music file (relative to the workspace), looped and ducked under the voice."""
    music_gain_db: float = Field(default=-20.0, ge=-60, le=0)
    """Music level under the voice, before ducking."""

    @field_validator("transition")
    @classmethod
    def _known_transition(cls, value: str) -> str:
        if value not in TRANSITIONS:
            raise ValueError(f"{value!r} is not a transition; choose one of {', '.join(TRANSITIONS)}")
        return value


class PipelineConfig(_Section):
    switches: Switches = Switches()
    ltx_video: LtxVideoSettings = LtxVideoSettings()
    interpolation: InterpolationSettings = InterpolationSettings()
    video: VideoSettings = VideoSettings()
    assembly: AssemblySettings = AssemblySettings()

    @model_validator(mode="after")
    def _rates_agree(self) -> PipelineConfig:
        if self.interpolation.target_fps != self.video.fps:
            raise ValueError(
                f"interpolation.target_fps ({self.interpolation.target_fps:g}) must equal video.fps ({self.video.fps})"
            )
        return self


def bitrate_kbps(value: str) -> int:
    """'10M' -> 10000, '9500k' -> 9500."""
    match = _BITRATE.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a bitrate; write it like '10M' or '9500k'")
    number, unit = float(match.group(1)), match.group(2).lower()
    return round(number * (1000 if unit == "m" else 1))


def describe_validation_error(source: str, error: ValidationError, prefix: tuple[str, ...] = (),
                              schema: type[BaseModel] | None = None) -> str:
    """One line per problem: where, which key, which value, what is allowed (a single problem: one line in all).

    `prefix` is where the validated value sits in its file (('switches', 'overrides') for overrides alone);
    with `schema`, the model that was validated, an unknown key's line lists the keys its section takes.
    """
    lines = []
    for item in error.errors():
        # pydantic marks a bad mapping key with a '[key]' step after it: the key itself is the place.
        key = ".".join(str(part) for part in (*prefix, *item["loc"]) if part != "[key]") or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden" and schema and (known := _known_keys(schema, item["loc"][:-1])):
            message += f"; the keys here are {', '.join(known)}"
        if item["type"] in ("missing",):
            lines.append(f"  {key}: missing; {message.lower()}")
        else:
            lines.append(f"  {key} = {_clipped(item['input'])}: {message}")
    if len(lines) == 1:
        return f"{source}: {lines[0].strip()}"
    return "\n".join([f"{source} has {len(lines)} problems:", *lines])


def _clipped(value: object, limit: int = 80) -> str:
    """A value as a problem line quotes it: whole when short; a long one (a whole file read as text) cut."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def _known_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> tuple[str, ...]:
    """The keys the section at `loc` of a `model` takes, found by following `loc` down its fields."""
    for part in loc:
        field = model.model_fields.get(str(part))
        if field is None or not (isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)):
            return ()
        model = field.annotation
    return tuple(model.model_fields)


def parse_pipeline_config(data: Any, source: str) -> PipelineConfig:
    """Validate already-parsed YAML data; `source` names it in messages."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source} must hold a mapping of sections (switches, video, ...), not {type(data).__name__}")
    try:
        return PipelineConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(source, error, schema=PipelineConfig)) from None


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning unreadable or malformed files into a ConfigError naming it."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from None
    except YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from None


def load_pipeline_config(path: Path) -> PipelineConfig:
    """Read and validate `config/pipeline.yaml`; a missing file means all defaults."""
    if not path.exists():
        return PipelineConfig()
    return parse_pipeline_config(read_yaml(path), str(path))
