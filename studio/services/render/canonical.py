"""A shot's canonical clip (`shot_k.mp4`): how it was made, and whether its inputs still match.

The clip's record in the title's metadata is the one source of truth. Its `pin`
says an operator promoted a take (which, by whom, when, with which settings);
without one the clip was rendered from the workspace settings. Batches, the
CLI, Ray, assembly, the batch export and the Library all ask this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from studio.config import PipelineConfig
from studio.domain import Script, Shot
from studio.domain.metadata import ClipRecord, Method, Pin
from studio.errors import ConfigError
from studio.services.render.plan import clip_job
from studio.services.render.take_settings import TakeSettings
from studio.workspace import Workspace

ClipStatus = Literal["missing", "current", "out_of_date"]
CLIP_STATES: dict[ClipStatus, str] = {"missing": "not rendered", "current": "rendered", "out_of_date": "out of date"}
"""How each status reads in `list` and the Library."""


@dataclass(frozen=True, slots=True)
class ClipInputs:
    """The settings a canonical clip is (re-)made with: the pinned take's, else the workspace's."""

    config: PipelineConfig
    preset: str
    pin: Pin | None = None

    @classmethod
    def of(cls, record: ClipRecord | None, config: PipelineConfig) -> ClipInputs:
        if record is None or record.pin is None:
            return cls(config, config.video.preset)
        settings = TakeSettings.model_validate(record.pin.settings)
        return cls(settings.applied_to(config), settings.preset, record.pin)


@dataclass(frozen=True, slots=True)
class CanonicalClip:
    """One method's canonical clip of one shot, as its record describes it now."""

    method: Method
    path: Path
    record: ClipRecord | None
    status: ClipStatus

    @property
    def pin(self) -> Pin | None:
        return self.record.pin if self.record is not None else None

    @property
    def exists(self) -> bool:
        return self.status != "missing"

    def describe(self) -> str:
        """A line for people: 'rendered from the workspace settings', 'pinned to take X by ana (…)', and staleness."""
        if self.status == "missing":
            return "not rendered"
        if self.record is None:
            return "not in the title's metadata, so what it was made from is unknown; render it again"
        pin = self.pin
        made = (f"pinned to take {pin.take_id} (promoted by {pin.pinned_by}, {pin.pinned_at[:16].replace('T', ' ')} UTC)"
                if pin else "rendered from the workspace settings")
        if self.status == "out_of_date":
            made += "; out of date: its keyframes, the script or the settings changed since it was made"
        return made


def canonical_clip(workspace: Workspace, script: Script, shot: Shot, method: Method, config: PipelineConfig) -> CanonicalClip:
    """The canonical clip of `shot` for `method`, with its status against the current inputs."""
    path = workspace.clip_path(script, shot, method)
    record = workspace.read_metadata(script, method).clip(shot.shot_id)
    if not path.is_file():
        return CanonicalClip(method, path, record, "missing")
    if record is None:  # a clip put there by hand: usable, but nothing says what it was made from
        return CanonicalClip(method, path, None, "out_of_date")
    inputs = ClipInputs.of(record, config)
    try:
        expected = clip_job(workspace, script, shot, method, inputs.config, preset=inputs.preset).digest
    except ConfigError:  # ltx_video cannot be resolved now: whatever made the clip is not what would make it
        return CanonicalClip(method, path, record, "out_of_date")
    return CanonicalClip(method, path, record, "current" if record.input_hash == expected else "out_of_date")


def pinned(record: ClipRecord, pin: Pin | None) -> ClipRecord:
    """`record` with `pin` set (a promotion) or cleared (an unpin)."""
    return record.model_copy(update={"pin": pin})


__all__ = ["CLIP_STATES", "CanonicalClip", "ClipInputs", "ClipStatus", "canonical_clip", "pinned"]
