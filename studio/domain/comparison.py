"""The comparison set: the shots both methods are rendered for, so the votes decide `use_ltx` on a fair sample.

A set is stratified: at least one shot per segment x age bucket present, every camera move present
covered, then filled round-robin over the strata so none dominates the votes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from studio.domain.script import CameraMovement, Script
from studio.errors import StudioError

DEFAULT_SET_SIZE = 12
MIN_SET_SIZE = 5  # the pipeline's procedure: "the same test set (at least 5 shots)"
SET_NAME = re.compile(r"^[A-Za-z0-9][\w.-]{0,39}$")


class ComparisonSetError(StudioError):
    """A comparison set that cannot be made as asked (bad name, impossible size) or is unknown."""


@dataclass(frozen=True, order=True)
class ShotKey:
    """One shot of one title, as the set and the store name it."""

    title_id: str
    shot_id: str

    def __str__(self) -> str:
        return f"{self.title_id}/{self.shot_id}"

    @classmethod
    def parse(cls, text: str) -> ShotKey:
        title_id, _, shot_id = text.partition("/")
        return cls(title_id, shot_id)


@dataclass(frozen=True)
class SetShot:
    """A shot of the set with what it stands for."""

    key: ShotKey
    title: str
    segment: str
    age_bucket: str
    camera_movement: CameraMovement

    @property
    def stratum(self) -> str:
        return f"{self.segment} {self.age_bucket}"


@dataclass(frozen=True)
class ComparisonSet:
    name: str
    shots: tuple[ShotKey, ...]
    created_by: str = ""
    created_at: str = ""

    def __contains__(self, key: object) -> bool:
        return key in self.shots


def check_set_name(name: str) -> str:
    cleaned = (name or "").strip()
    if not SET_NAME.match(cleaned):
        raise ComparisonSetError(f"a comparison set's name is 1-40 letters, digits, '-', '_' or '.', starting with a "
                                 f"letter or digit (like 'pilot-1'), not {name!r}")
    return cleaned


def _candidates(scripts: Sequence[Script]) -> list[SetShot]:
    return [SetShot(ShotKey(str(script.title_id), shot.shot_id), script.title, script.segment, script.age_bucket,
                    shot.camera_movement)
            for script in sorted(scripts, key=lambda s: (s.segment, s.age_bucket, str(s.title_id)))
            for shot in sorted(script.shots, key=lambda s: s.shot_id)]


def choose_stratified(scripts: Sequence[Script], size: int = DEFAULT_SET_SIZE) -> tuple[SetShot, ...]:
    """A stratified set of `size` shots (deterministic for a given workspace)."""
    pool = _candidates(scripts)
    if not MIN_SET_SIZE <= size <= max(len(pool), MIN_SET_SIZE):
        raise ComparisonSetError(f"a comparison set needs {MIN_SET_SIZE} to {max(len(pool), MIN_SET_SIZE)} shots "
                                 f"(this workspace has {len(pool)}), not {size}")
    chosen: list[SetShot] = []
    moves: Counter[CameraMovement] = Counter()
    per_stratum: Counter[str] = Counter()
    per_title: Counter[str] = Counter()

    def take(shot: SetShot) -> None:
        chosen.append(shot)
        pool.remove(shot)
        moves[shot.camera_movement] += 1
        per_stratum[shot.stratum] += 1
        per_title[shot.key.title_id] += 1

    def best(options: list[SetShot]) -> SetShot:
        # The least covered camera move first, then the stratum and the title with the fewest shots so far.
        return min(options, key=lambda s: (moves[s.camera_movement], per_stratum[s.stratum], per_title[s.key.title_id]))

    for stratum in sorted({shot.stratum for shot in pool}):
        take(best([shot for shot in pool if shot.stratum == stratum]))
    while uncovered := [shot for shot in pool if moves[shot.camera_movement] == 0]:
        take(min(uncovered, key=lambda s: (per_stratum[s.stratum], per_title[s.key.title_id])))
    if len(chosen) > size:
        raise ComparisonSetError(f"{size} shots cannot hold one shot of each of the {len(per_stratum)} segment x age "
                                 f"strata and every one of the {len(moves)} camera moves; choose at least {len(chosen)}")
    while len(chosen) < size:
        fewest = min(per_stratum[shot.stratum] for shot in pool)
        take(best([shot for shot in pool if per_stratum[shot.stratum] == fewest]))
    return tuple(sorted(chosen, key=lambda s: s.key))


def set_shots(scripts: Sequence[Script], keys: Sequence[ShotKey]) -> tuple[SetShot, ...]:
    """The set's shots that still exist, with their strata (a shot removed from its script drops out)."""
    by_key = {shot.key: shot for shot in _candidates(scripts)}
    return tuple(by_key[key] for key in keys if key in by_key)

