"""The scene-script schema: one JSON file per title, one entry per shot.

The pydantic models below *are* the schema; `Script.model_json_schema()` gives
the same as JSON Schema (the README documents it).
"""

from __future__ import annotations

import re
import uuid
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from studio.errors import ScriptError

SEGMENTS: tuple[str, ...] = ("women", "men")
AGE_BUCKETS: tuple[str, ...] = ("10-13", "14-17", "18-23")

Segment = Literal["women", "men"]
AgeBucket = Literal["10-13", "14-17", "18-23"]

# A keyframe file name is a plain name inside the title's keyframe folder:
# no separators, no "..", no hidden files, an image extension.
_KEYFRAME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.(png|jpg|jpeg|webp)$", re.IGNORECASE)
_SHOT_ID = re.compile(r"^shot-(\d{3})$")

MAX_SHOT_DURATION_S = 60.0


class CameraMovement(str, Enum):
    """How the virtual camera moves over the shot (drives Ken Burns and prompts)."""

    STATIC = "static"
    ZOOM_IN = "zoom_in"
    ZOOM_OUT = "zoom_out"
    PAN_LEFT = "pan_left"
    PAN_RIGHT = "pan_right"
    TILT_UP = "tilt_up"
    TILT_DOWN = "tilt_down"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Keyframe(_Frozen):
    """One keyframe image of a shot, and when it should be seen."""

    file: str = Field(description="File name inside images/keyframes_v1/{segment}/{age}/{title_id}/.")
    time_s: float | None = Field(
        default=None,
        ge=0,
        description="Seconds from the start of the shot. Omitted: spread evenly between neighbours "
        "(the first defaults to 0, the last to the end of the shot).",
    )

    @field_validator("file")
    @classmethod
    def _plain_file_name(cls, name: str) -> str:
        if not _KEYFRAME_NAME.match(name) or ".." in name:
            raise ValueError(
                f"{name!r} is not a plain image file name; use a name like 'shot_001_A.png' "
                "(letters, digits, '_', '-', '.'; no folders, no '..')"
            )
        return name


class Shot(_Frozen):
    """One shot of a script: what to show, how the camera moves, for how long."""

    shot_id: str = Field(description="'shot-001', 'shot-002', ... unique within the script.")
    description: str = Field(min_length=1, description="What the shot shows; the generation prompt.")
    negative_prompt: str | None = Field(default=None, description="What generation should avoid.")
    style: str | None = Field(default=None, max_length=300,
                              description="Visual style of this shot (overrides the script's), e.g. 'hand-held 16 mm film'.")
    camera_movement: CameraMovement = Field(default=CameraMovement.STATIC)
    duration_s: float = Field(gt=0, le=MAX_SHOT_DURATION_S, description="Clip length in seconds.")
    keyframes: Annotated[list[Keyframe], Field(min_length=1)] = Field(
        description="Keyframe images in time order (at least one). A bare string is a file name."
    )
    narration: str | None = Field(default=None, description="Voice-over text spoken during the shot.")
    narration_start_s: float | None = Field(
        default=None, ge=0, description="When the shot's narration starts in the title's narration audio (optional timing)."
    )
    narration_end_s: float | None = Field(
        default=None, gt=0, description="When the shot's narration ends in the narration audio; with narration_start_s."
    )

    @field_validator("keyframes", mode="before")
    @classmethod
    def _strings_are_file_names(cls, value: object) -> object:
        if isinstance(value, list):
            return [{"file": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("shot_id")
    @classmethod
    def _shot_id_form(cls, shot_id: str) -> str:
        if not _SHOT_ID.match(shot_id) or shot_id == "shot-000":
            raise ValueError(f"{shot_id!r} is not a shot id; use 'shot-001', 'shot-002', ...")
        return shot_id

    @model_validator(mode="after")
    def _narration_times_pair(self) -> Shot:
        if (self.narration_start_s is None) != (self.narration_end_s is None):
            raise ValueError("give both narration_start_s and narration_end_s, or neither")
        if self.narration_start_s is not None and self.narration_end_s <= self.narration_start_s:
            raise ValueError(f"narration_end_s ({self.narration_end_s}) must come after narration_start_s ({self.narration_start_s})")
        return self

    @model_validator(mode="after")
    def _keyframe_times_fit(self) -> Shot:
        known = [k.time_s for k in self.keyframes if k.time_s is not None]
        if any(b <= a for a, b in zip(known, known[1:])):
            raise ValueError("keyframe times must increase strictly in list order")
        if known and known[-1] > self.duration_s:
            raise ValueError(f"keyframe time {known[-1]} s lies past the shot's end ({self.duration_s} s)")
        return self

    @property
    def number(self) -> int:
        """The k of 'shot-00k', used in file names (shot_{k:03d}.mp4)."""
        match = _SHOT_ID.match(self.shot_id)
        assert match is not None  # guaranteed by validation
        return int(match.group(1))

    @property
    def keyframe_times_s(self) -> tuple[float, ...]:
        """Each keyframe's time, with omitted times filled in evenly between known ones."""
        count = len(self.keyframes)
        if count == 1:
            return (self.keyframes[0].time_s or 0.0,)
        times: list[float | None] = [k.time_s for k in self.keyframes]
        if times[0] is None:
            times[0] = 0.0
        if times[-1] is None:
            times[-1] = max(self.duration_s, max(t for t in times if t is not None))
        anchors = [i for i, t in enumerate(times) if t is not None]
        for left, right in zip(anchors, anchors[1:]):
            t_left, t_right = times[left], times[right]
            assert t_left is not None and t_right is not None
            for i in range(left + 1, right):
                times[i] = t_left + (t_right - t_left) * (i - left) / (right - left)
        return tuple(float(t) for t in times if t is not None)


class Script(_Frozen):
    """One title: a scene script with its shots."""

    title_id: uuid.UUID = Field(description="The title's UUID; also the file name of the script.")
    title: str = Field(min_length=1)
    segment: Segment
    age_bucket: AgeBucket
    style: str | None = Field(default=None, max_length=300,
                              description="Visual style of every shot (a shot's own style overrides it); goes into every prompt.")
    shots: Annotated[list[Shot], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_shot_ids(self) -> Script:
        seen: set[str] = set()
        for shot in self.shots:
            if shot.shot_id in seen:
                raise ValueError(f"shot id {shot.shot_id!r} appears twice")
            seen.add(shot.shot_id)
        return self

    @property
    def duration_s(self) -> float:
        return sum(shot.duration_s for shot in self.shots)

    def style_of(self, shot: Shot) -> str | None:
        """The style `shot` is generated in: its own, else the script's."""
        return shot.style or self.style

    def shot(self, key: int | str) -> Shot:
        """The shot with id `key` ('shot-004'), or number `key` (4); the one lookup every caller uses."""
        shot_id = f"shot-{key:03d}" if isinstance(key, int) else key
        for shot in self.shots:
            if shot.shot_id == shot_id:
                return shot
        raise ScriptError(f"{self.title!r} has no {shot_id}; its shots are {', '.join(s.shot_id for s in self.shots)}")
