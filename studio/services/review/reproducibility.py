"""Reproducibility: render a stored take again with the same settings and seed, and compare the frames.

It costs a render per method, so it runs when someone asks for it (a button,
the /check_reproducibility endpoint), never on a page load; the last report
per method is kept for the figures table.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from studio.domain.comparison import ShotKey
from studio.domain.metadata import METHODS
from studio.errors import BackendUnavailableError, StudioError
from studio.media.comparison import compare_clips
from studio.services.progress import CancelToken, SilentProgress
from studio.services.render import TakeSettings
from studio.services.review.figure_cache import JsonCache
from studio.store import Take

if TYPE_CHECKING:
    from studio.config import PipelineConfig
    from studio.services.render import ShotRenderer
    from studio.workspace import Workspace

ReproStatus = Literal["identical", "different", "not_comparable", "unavailable"]
CACHE_FILE = ("cache", "reproducibility.json")


@dataclass(frozen=True, slots=True)
class Reproducibility:
    """One re-render of a stored take compared with it."""

    method: str
    status: ReproStatus
    checked_at: str
    take_id: str | None = None
    shot: ShotKey | None = None
    seed: int | None = None
    """The seed the re-render used instead of the take's; None: the take's own settings."""
    frames: int = 0
    max_abs_diff: int | None = None
    psnr_db: float | None = None
    detail: str = ""
    """Why it could not be checked, or what differed."""

    @property
    def cell(self) -> str:
        """The figures table's short answer."""
        if self.status == "identical":
            return "yes, identical"
        if self.status == "different":
            return f"no: max diff {self.max_abs_diff}, {self._psnr}"
        return "not checked"

    @property
    def _psnr(self) -> str:
        return "same frames, other count" if self.psnr_db is None else f"PSNR {self.psnr_db:g} dB"

    def describe(self) -> str:
        """A sentence for the status line."""
        where = f"take `{self.take_id}` ({self.shot.title_id} {self.shot.shot_id})" if self.shot else "no take"
        seed = f" with seed {self.seed} instead of the take's" if self.seed is not None else " with the same settings and seed"
        if self.status == "identical":
            return f"{self.method}: re-rendered {where}{seed}: identical, all {self.frames} frames."
        if self.status == "different":
            return (f"{self.method}: re-rendered {where}{seed}: different over {self.frames} frames (largest pixel "
                    f"difference {self.max_abs_diff} of 255, {self._psnr}){'; ' + self.detail if self.detail else ''}.")
        return f"{self.method}: not checked: {self.detail}"

    @classmethod
    def from_json(cls, data: dict) -> Reproducibility:
        shot = data.get("shot")
        return cls(**{**data, "shot": ShotKey(**shot) if shot else None})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RenderingStudio(Protocol):
    """What the review journey reads of a studio: its files, its renderer and its settings as they are now. The
    `Studio` facade, which sits above the journeys, is one."""

    @property
    def workspace(self) -> Workspace: ...

    @property
    def renderer(self) -> ShotRenderer: ...

    @property
    def config(self) -> PipelineConfig: ...


@dataclass(frozen=True)
class ReproducibilityCheck:
    """Re-renders one take per method into a temporary folder; nothing in the workspace or the store changes
    except the kept report."""

    studio: RenderingStudio

    @property
    def _cache(self) -> JsonCache:
        return JsonCache(self.studio.workspace.inside(*CACHE_FILE))

    def last_reports(self) -> dict[str, Reproducibility]:
        """The last check of each method with the takes' own settings (seed-override checks are not kept)."""
        reports = self._cache.read().get("reports", {})
        return {method: Reproducibility.from_json(data) for method, data in reports.items() if isinstance(data, dict)}

    def run(self, takes: Iterable[Take], methods: Sequence[str] | None = None, *, seed: int | None = None,
            cancel: CancelToken | None = None) -> list[Reproducibility]:
        """For each method (default: every method), re-render its newest take (among `takes`, oldest first as the
        store lists them) whose inputs still match, with its settings (and `seed` instead of its own, when given),
        and compare the frames."""
        methods = list(methods or METHODS)
        unknown = [method for method in methods if method not in METHODS]
        if unknown:
            raise StudioError(f"method must be one of {', '.join(METHODS)}, not {', '.join(map(repr, unknown))}")
        takes = list(takes)
        reports = [self._check(method, [t for t in takes if t.method == method], seed, cancel or CancelToken())
                   for method in methods]
        kept = {r.method: asdict(r) for r in reports if r.seed is None}
        if kept:
            self._cache.update("reports", kept)
        return reports

    def _check(self, method: str, takes: list[Take], seed: int | None, cancel: CancelToken) -> Reproducibility:
        workspace, renderer = self.studio.workspace, self.studio.renderer
        if not takes:
            return Reproducibility(method, "not_comparable", _now(), seed=seed,
                                   detail=f"no {method} takes among these shots; render one first")
        # The store's order is the one record of which take is newest: timestamps tie within a second.
        newest_first = takes[::-1]
        try:
            renderer.check_method(method, TakeSettings.model_validate(newest_first[0].params).applied_to(self.studio.config))
        except BackendUnavailableError as error:
            return Reproducibility(method, "unavailable", _now(), seed=seed, detail=str(error))
        for take in newest_first:
            stored = workspace.inside(*take.video_path.split("/"))
            if not stored.is_file():
                continue
            try:
                script, shot = workspace.find_shot(take.title_id, take.shot_id)
            except StudioError:  # its script was removed or no longer loads
                continue
            settings = TakeSettings.model_validate(take.params)
            config = settings.applied_to(self.studio.config)
            # Same inputs (keyframes, shot, settings, model), or a difference would say nothing about determinism.
            if renderer.job(script, shot, method, config, preset=settings.preset).digest != take.input_hash:
                continue
            if seed is not None:
                settings = settings.model_copy(update={"seed": seed})
                config = settings.applied_to(self.studio.config)
            with tempfile.TemporaryDirectory(prefix="studio-reproducibility-") as folder:
                job = renderer.job(script, shot, method, config, preset=settings.preset,
                                   clip_path=Path(folder) / "again.mp4")
                renderer.render(job, SilentProgress(), cancel)
                comparison = compare_clips(stored, job.clip_path)
            status: ReproStatus = "identical" if comparison.identical else "different"
            detail = "" if comparison.frame_counts_match else "the frame counts differ"
            if not comparison.identical and config.video.encoder_threads != 1:
                detail = "; ".join(filter(None, [detail, (
                    "video.encoder_threads is not 1, and multithreaded x264 is not bit-exact run to run, so small "
                    "differences may be the encoder's; set it to 1 in config/pipeline.yaml to tell")]))
            return Reproducibility(method, status, _now(), take_id=take.id, shot=ShotKey(take.title_id, take.shot_id),
                                   seed=seed, frames=comparison.frames, max_abs_diff=comparison.max_abs_diff,
                                   psnr_db=comparison.psnr_db, detail=detail)
        return Reproducibility(method, "not_comparable", _now(), seed=seed, detail=(
            f"no {method} take here still matches the current keyframes and settings (or its clip is gone); "
            "render a new take and check again"))
