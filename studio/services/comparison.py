"""The comparison set's use cases: choose it, see what it holds, render both methods for every shot of it.

Rendering makes takes (never canonical clips): an LTX take and an interpolation take per shot, plus the
variants asked for, skipping any take of the same settings that is already there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from studio.domain.comparison import (
    DEFAULT_SET_SIZE,
    ComparisonSet,
    ComparisonSetError,
    SetShot,
    check_set_name,
    choose_stratified,
    set_shots,
)
from studio.domain.timing import frame_count
from studio.errors import StudioError
from studio.services.access import MACHINE, Caller, require_operator
from studio.services.desk import ReviewDesk
from studio.services.progress import CancelToken, ProgressListener, SilentProgress
from studio.services.render import TakeSettings
from studio.services.review import deciding


@dataclass(frozen=True)
class SetVariant:
    label: str
    settings: TakeSettings


# Every set shot gets the two methods; the others are ticked per render ("plus the variants the reviewer ticks").
BOTH_METHODS = ("ltx", "interp")
SET_VARIANTS: dict[str, SetVariant] = {
    "ltx": SetVariant("LTX-Video (the workspace's model and sampling)", TakeSettings(method="ltx")),
    "interp": SetVariant("Interpolation (motion 0.50, eased)", TakeSettings()),
    "interp-strong": SetVariant("Interpolation, strong motion (0.90)", TakeSettings(motion=0.9)),
    "interp-linear": SetVariant("Interpolation without easing", TakeSettings(smooth_motion=False)),
    "ltx-one-stage": SetVariant("LTX-Video, one stage (no refine pass)", TakeSettings(method="ltx", two_stage=False)),
}


@dataclass(frozen=True)
class SetShotStatus:
    """A set shot with the takes it has of each variant and its LTX-vs-interpolation votes."""

    shot: SetShot
    variants: tuple[str, ...]
    deciding_votes: int


@dataclass(frozen=True)
class SetView:
    chosen: ComparisonSet
    shots: tuple[SetShotStatus, ...]

    def missing(self, variant: str) -> int:
        return sum(variant not in status.variants for status in self.shots)


@dataclass(frozen=True)
class SetRenderReport:
    rendered: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)
    not_possible: str | None = None
    """Why some takes could not be rendered here at all (LTX without a GPU), said once, not shot by shot."""

    def summary(self) -> str:
        line = f"{self.rendered} take(s) rendered, {self.skipped} already there"
        if self.failed:
            line += f", {len(self.failed)} failed"
        return line + (f". {self.not_possible}" if self.not_possible else "")


def choose_set(desk: ReviewDesk, name: str, size: float = DEFAULT_SET_SIZE, *, by: Caller = MACHINE) -> SetView:
    """Choose a stratified set of `size` shots and keep it under `name` (operators: it steers everyone's pairs);
    the size follows `SizeRule` (a non-integer is refused, never rounded)."""
    require_operator(by, "choose the comparison set")
    chosen = choose_stratified(desk.scripts(), size)
    desk.store.save_comparison_set(ComparisonSet(check_set_name(name), tuple(s.key for s in chosen),
                                                 created_by=by.name or "an operator"))
    return set_view(desk, name.strip())


def set_view(desk: ReviewDesk, name: str | None = None) -> SetView | None:
    """The named set (None: the newest) with each shot's takes and votes; None when no set was chosen yet."""
    chosen = desk.store.comparison_set(name.strip() if name else None)
    if chosen is None:
        return None
    votes = desk.store.comparison_counts()
    rows = []
    for shot in set_shots(desk.scripts(), chosen.shots):
        takes = desk.store.takes(shot.key.title_id, shot.key.shot_id)
        present = tuple(key for key, variant in SET_VARIANTS.items()
                        if any(take.variant == variant.settings.variant for take in takes))
        deciding_votes = sum(votes.get(frozenset((a.id, b.id)), 0)
                             for i, a in enumerate(takes) for b in takes[i + 1:] if deciding(a, b))
        rows.append(SetShotStatus(shot, present, deciding_votes))
    return SetView(chosen, tuple(rows))


def check_variants(variants: Sequence[str] | None) -> tuple[str, ...]:
    unknown = sorted(set(variants or ()) - set(SET_VARIANTS))
    if unknown:
        raise StudioError(f"unknown variant(s) {', '.join(unknown)}; choose from {', '.join(SET_VARIANTS)}")
    return tuple(dict.fromkeys([*BOTH_METHODS, *(variants or ())]))


def render_set(desk: ReviewDesk, name: str | None = None, variants: Sequence[str] | None = None, *, who: str,
               by: Caller = MACHINE, progress: ProgressListener | None = None,
               cancel: CancelToken | None = None) -> SetRenderReport:
    """Render the missing takes of every set shot (operators: it is many renders). A cancel keeps finished takes."""
    require_operator(by, "render the comparison set")
    wanted = check_variants(variants)
    view = set_view(desk, name)
    if view is None:
        raise ComparisonSetError("no comparison set yet; choose one first (Results tab, or python -m studio compare)")
    progress, cancel = progress or SilentProgress(), cancel or CancelToken()
    todo = [(status.shot, key) for status in view.shots for key in wanted if key not in status.variants]
    skipped = len(view.shots) * len(wanted) - len(todo)
    not_possible = None
    ltx_missing = [item for item in todo if SET_VARIANTS[item[1]].settings.method == "ltx"]
    if ltx_missing and (reason := desk.ltx_unavailable()):
        todo = [item for item in todo if item not in ltx_missing]
        not_possible = (f"{len(ltx_missing)} LTX take(s) not rendered: LTX-Video {reason}. Render them where it can "
                        f"run (python -m studio compare --set {view.chosen.name} --render on a GPU machine)")
    fps = desk.studio.config.video.fps

    def frames_of(shot: SetShot) -> int:
        _, found = desk.shot(shot.key.title_id, shot.key.shot_id)
        return frame_count(found.duration_s, fps)

    progress.batch_started(len(todo), sum(frames_of(shot) for shot, _ in todo))
    rendered, failed = 0, []
    for shot, key in todo:
        label = f"{shot.key.title_id} {shot.key.shot_id}"
        try:
            desk.render_take(shot.key.title_id, shot.key.shot_id, SET_VARIANTS[key].settings, who=who,
                             progress=progress, cancel=cancel)
        except StudioError as error:
            failed.append(f"{shot.key.shot_id} of {shot.key.title_id} ({key}): {error}")
            progress.shot_finished(label, "failed", str(error))
            continue
        rendered += 1
        progress.shot_finished(label, "rendered", SET_VARIANTS[key].label)
    return SetRenderReport(rendered, skipped, failed, not_possible)
