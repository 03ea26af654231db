"""Values of a batch run: what to render and how it went."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from studio.domain import Script, Shot
from studio.domain.metadata import ClipRecord

Status = Literal["rendered", "skipped", "failed"]


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

    def summary(self) -> str:
        return f"{self.count('rendered')} rendered, {self.count('skipped')} skipped (up to date), {self.count('failed')} failed"
