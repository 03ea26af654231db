"""Values of rendering: what to render (a selection, a clip job) and how it went."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from studio.config import PipelineConfig
from studio.domain import Script, Shot
from studio.domain.metadata import ClipRecord, Method
from studio.media.encoder import EncoderSettings

if TYPE_CHECKING:  # the resolved model's module imports the backends' runtime; a job only carries its value
    from studio.services.render.model_resolution import ResolvedModel

Status = Literal["rendered", "skipped", "pinned", "failed", "cancelled"]
"""pinned: an operator's promoted take, kept (replaced only with --force, or after an unpin)."""


@dataclass(frozen=True, slots=True)
class Selection:
    """Which shots a batch covers; None matches everything."""

    segment: str | None = None
    age_bucket: str | None = None
    title_id: str | None = None
    shot_number: int | None = None

    def matches_script(self, script: Script) -> bool:
        return (
            (self.segment is None or script.segment == self.segment)
            and (self.age_bucket is None or script.age_bucket == self.age_bucket)
            and (self.title_id is None or str(script.title_id) == self.title_id)
        )

    def matches_shot(self, shot: Shot) -> bool:
        return self.shot_number is None or shot.number == self.shot_number

    def __str__(self) -> str:
        parts = [
            f"segment {self.segment}" if self.segment else "",
            f"age bucket {self.age_bucket}" if self.age_bucket else "",
            f"title {self.title_id}" if self.title_id else "",
            f"shot-{self.shot_number:03d}" if self.shot_number is not None else "",
        ]
        return ", ".join(part for part in parts if part) or "every shot"


@dataclass(frozen=True, slots=True)
class ShotRequest:
    """One shot to render to its canonical clip, with the settings it renders with."""

    script: Script
    shot: Shot
    method: Method
    config: PipelineConfig
    preset: str

    @property
    def label(self) -> str:
        return f"{self.script.segment}/{self.script.age_bucket}/{self.script.title_id} {self.shot.shot_id}"


@dataclass(frozen=True, slots=True)
class ClipJob:
    """One clip's render plan, resolved once (services.render.clip_job) and read by everything after: the hash,
    the render here or on a Ray worker (sent as it is), the metadata and the skip check."""

    script: Script
    shot: Shot
    method: Method
    config: PipelineConfig
    """The take's settings over the workspace's: the interpolation settings are read from here."""
    clip_path: Path
    encoder: EncoderSettings
    digest: str
    """The input hash over every value above that decides the frames (keyframe bytes included)."""
    cut_points: tuple[int, ...] = ()
    """Frames that must start a closed GOP (where assembly's transitions end)."""
    model: ResolvedModel | None = None
    """The generative model with every value it samples with; None for interpolation."""

    @property
    def preset(self) -> str:
        """The x264 preset the clip is encoded with."""
        return self.encoder.preset

    @property
    def motion(self) -> float:
        """The take's one motion control, kept in its settings: the Ken Burns strength for interpolation, how
        freely a generative model may leave the keyframes (a take's motion slider sets both)."""
        return self.config.interpolation.ken_burns.strength


@dataclass(frozen=True, slots=True)
class ShotOutcome:
    label: str
    status: Status
    clip_path: Path
    record: ClipRecord | None = None
    message: str | None = None


@dataclass(frozen=True)
class BatchReport:
    outcomes: list[ShotOutcome] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failed(self) -> list[ShotOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]

    @property
    def cancelled(self) -> bool:
        return any(outcome.status == "cancelled" for outcome in self.outcomes)

    def summary(self) -> str:
        line = f"{self.count('rendered')} rendered, {self.count('skipped')} skipped (up to date), {self.count('failed')} failed"
        if self.count("pinned"):
            line += f", {self.count('pinned')} kept (pinned to a promoted take; unpin it, or force a re-render, to replace it)"
        if self.cancelled:
            line += f"; cancelled, {self.count('cancelled')} not rendered (run again to resume)"
        return line
