"""What the Library shows of each shot: its canonical clips, the methods it has takes of, its 'both bad' votes."""

from __future__ import annotations

from dataclasses import dataclass

from studio.config import PipelineConfig
from studio.domain.metadata import METHODS
from studio.services.render import CanonicalClip, canonical_clip
from studio.store import VoteStore
from studio.workspace import Workspace


@dataclass(frozen=True, slots=True)
class ShotStatus:
    """What the Library shows of a shot: its canonical clips, the methods it has takes of, 'both bad' votes."""

    clips: tuple[CanonicalClip, ...]  # the methods with a canonical clip
    take_methods: tuple[str, ...]
    both_bad_votes: int

    @property
    def label(self) -> str:
        if self.both_bad_votes:
            return "flagged bad"
        if any(clip.status == "out_of_date" for clip in self.clips):
            return "out of date"
        if self.clips:
            return "rendered"
        return "takes only" if self.take_methods else "not rendered"

    @property
    def pinned(self) -> tuple[CanonicalClip, ...]:
        return tuple(clip for clip in self.clips if clip.pin is not None)

    def has_method(self, method: str) -> bool:
        return any(clip.method == method for clip in self.clips) or method in self.take_methods


def shot_statuses(workspace: Workspace, store: VoteStore, config: PipelineConfig, title_id: str) -> dict[str, ShotStatus]:
    """Per shot: canonical clips by method, methods with takes, and 'both bad' votes."""
    script = workspace.find_script(title_id)
    bad = store.both_bad_counts(title_id)
    take_methods: dict[str, set[str]] = {}
    for take in store.takes(title_id):
        take_methods.setdefault(take.shot_id, set()).add(take.method)
    return {
        shot.shot_id: ShotStatus(
            clips=tuple(clip for method in METHODS
                        if (clip := canonical_clip(workspace, script, shot, method, config)).exists),
            take_methods=tuple(sorted(take_methods.get(shot.shot_id, ()))),
            both_bad_votes=bad.get(shot.shot_id, 0),
        )
        for shot in script.shots
    }
