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


class _Picker:
    """Picks shots from a pool, keeping the counts the stratified choice balances."""

    def __init__(self, scripts: Sequence[Script]) -> None:
        self.pool = _candidates(scripts)
        self.shots_in_workspace = len(self.pool)
        self.chosen: list[SetShot] = []
        self.moves: Counter[CameraMovement] = Counter()
        self.per_stratum: Counter[str] = Counter()
        self.per_title: Counter[str] = Counter()

    def take(self, shot: SetShot) -> None:
        self.chosen.append(shot)
        self.pool.remove(shot)
        self.moves[shot.camera_movement] += 1
        self.per_stratum[shot.stratum] += 1
        self.per_title[shot.key.title_id] += 1

    def best(self, options: list[SetShot]) -> SetShot:
        # The least covered camera move first, then the stratum and the title with the fewest shots so far.
        return min(options, key=lambda s: (self.moves[s.camera_movement], self.per_stratum[s.stratum],
                                           self.per_title[s.key.title_id]))

    def cover(self) -> None:
        """One shot of each segment x age stratum, then shots until every camera move is in."""
        for stratum in sorted({shot.stratum for shot in self.pool}):
            self.take(self.best([shot for shot in self.pool if shot.stratum == stratum]))
        while uncovered := [shot for shot in self.pool if self.moves[shot.camera_movement] == 0]:
            self.take(min(uncovered, key=lambda s: (self.per_stratum[s.stratum], self.per_title[s.key.title_id])))


@dataclass(frozen=True, slots=True)
class SizeRule:
    """How many shots a comparison set of this workspace may have: the one rule the page, the API, the CLI and
    the README state."""

    least: int
    """At least MIN_SET_SIZE (the pipeline's procedure), and enough to cover every stratum and camera move."""
    most: int
    """Every shot of the workspace."""
    strata: int
    moves: int

    @classmethod
    def of(cls, scripts: Sequence[Script]) -> SizeRule:
        picker = _Picker(scripts)
        picker.cover()
        return cls(max(MIN_SET_SIZE, len(picker.chosen)), picker.shots_in_workspace, len(picker.per_stratum),
                   len(picker.moves))

    def describe(self) -> str:
        return (f"{self.least} to {self.most} shots: at least {MIN_SET_SIZE}, and one of each of the {self.strata} "
                f"segment x age strata and each of the {self.moves} camera moves; at most this workspace's shots")

    def check(self, size: object) -> int:
        """`size` as a whole number of shots within the rule; anything else is refused, never rounded."""
        whole = isinstance(size, int) or (isinstance(size, float) and size.is_integer())
        if isinstance(size, bool) or not whole:
            raise ComparisonSetError(f"a comparison set's size is a whole number of shots, not {size!r}")
        if not self.least <= size <= self.most:
            raise ComparisonSetError(f"a comparison set here needs {self.describe()}; not {int(size)}")
        return int(size)


def choose_stratified(scripts: Sequence[Script], size: int = DEFAULT_SET_SIZE) -> tuple[SetShot, ...]:
    """A stratified set of `size` shots (deterministic for a given workspace)."""
    size = SizeRule.of(scripts).check(size)
    picker = _Picker(scripts)
    picker.cover()
    while len(picker.chosen) < size:
        fewest = min(picker.per_stratum[shot.stratum] for shot in picker.pool)
        picker.take(picker.best([shot for shot in picker.pool if picker.per_stratum[shot.stratum] == fewest]))
    return tuple(sorted(picker.chosen, key=lambda s: s.key))


def set_shots(scripts: Sequence[Script], keys: Sequence[ShotKey]) -> tuple[SetShot, ...]:
    """The set's shots that still exist, with their strata (a shot removed from its script drops out)."""
    by_key = {shot.key: shot for shot in _candidates(scripts)}
    return tuple(by_key[key] for key in keys if key in by_key)

