"""Speed and consistency per method, beside the votes: render time, peak memory, warping error, reproducibility.

The warping error is cached per clip file, keyed by the sha256 of its bytes
(and the metric's version), in cache/warping_errors.json. Keyed by content
rather than stored in the take's record because it then (a) measures exactly
the file reviewers watched, (b) covers takes rendered before the metric
existed without re-rendering them, (c) is recomputed by itself when the clip
is replaced or the metric changes, and (d) keeps the measuring out of the
render's time. A file's size and modification time map it to its digest, so a
page load reads no clip it has seen before.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from studio.domain.metadata import METHODS
from studio.errors import StudioError
from studio.media.consistency import METRIC_VERSION, clip_warping_error
from studio.services.access import MACHINE, Caller, require_operator
from studio.services.progress import CancelToken
from studio.services.review.figure_cache import JsonCache
from studio.services.review.reproducibility import RenderingStudio, Reproducibility, ReproducibilityCheck, ShotKey
from studio.services.review.results import WinRate
from studio.store import Take, VoteStore

log = logging.getLogger(__name__)

CACHE_FILE = ("cache", "warping_errors.json")


@dataclass(frozen=True, slots=True)
class MethodFigure:
    """One method's objective figures over a set of shots."""

    method: str
    takes: int
    render_s_per_output_s: float | None
    """Mean of generation_time_s / duration_s: seconds of rendering per second of clip."""
    peak_ram_gb: float | None
    """The largest peak RAM of any take (older takes record none)."""
    peak_vram_gb: float | None
    """The largest peak GPU memory of any take (generated takes on a GPU only)."""
    warping_error: float | None
    """Mean warping error of the takes' clips, grey levels 0-255 (lower: more consistent)."""
    measured: int
    """Takes whose clip could be measured (a deleted clip is left out)."""
    reproducibility: Reproducibility | None
    """The method's last reproducibility check, if any."""


def _mean(values: Iterable[float | None], digits: int = 3) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), digits) if present else None


def _peak(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _speed(take: Take) -> float | None:
    seconds, duration = take.record.get("generation_time_s"), take.record.get("duration_s")
    return seconds / duration if seconds is not None and duration else None


@dataclass(frozen=True)
class MethodFigures:
    """The figures of one workspace's takes; cheap to make (the caches are files)."""

    studio: RenderingStudio
    store: VoteStore

    def takes(self, shots: Iterable[ShotKey] | None = None) -> list[Take]:
        """The takes of `shots` (default: every shot with takes)."""
        takes = self.store.takes()
        if shots is None:
            return takes
        wanted = {(key.title_id, key.shot_id) for key in shots}
        return [t for t in takes if (t.title_id, t.shot_id) in wanted]

    def figures(self, shots: Iterable[ShotKey] | None = None) -> list[MethodFigure]:
        """Per method with takes among `shots`, in METHODS order."""
        by_method: dict[str, list[Take]] = {}
        for take in self.takes(shots):
            by_method.setdefault(take.method, []).append(take)
        reports = ReproducibilityCheck(self.studio).last_reports()
        figures = []
        for method in [m for m in METHODS if m in by_method] + sorted(set(by_method) - set(METHODS)):
            takes = by_method[method]
            errors = [self.warping_error(take) for take in takes]
            figures.append(MethodFigure(
                method=method, takes=len(takes), render_s_per_output_s=_mean(_speed(t) for t in takes),
                peak_ram_gb=_peak(t.record.get("peak_ram_gb") for t in takes),
                peak_vram_gb=_peak(t.record.get("peak_vram_gb") for t in takes),
                warping_error=_mean(errors), measured=sum(e is not None for e in errors),
                reproducibility=reports.get(method),
            ))
        return figures

    def check_reproducibility(self, methods: Sequence[str] | None = None, shots: Iterable[ShotKey] | None = None,
                              *, seed: int | None = None, cancel: CancelToken | None = None,
                              by: Caller = MACHINE) -> list[Reproducibility]:
        """Re-render one take per method (a render each) and compare its frames with the stored clip (operators:
        each check costs a render)."""
        require_operator(by, "check reproducibility (it renders a take again for each method)")
        return ReproducibilityCheck(self.studio).run(self.takes(shots), methods, seed=seed, cancel=cancel)

    # -- the warping error cache ------------------------------------------------

    @property
    def _cache(self) -> JsonCache:
        return JsonCache(self.studio.workspace.inside(*CACHE_FILE))

    def warping_error(self, take: Take) -> float | None:
        """The mean warping error of the take's clip (measured once per clip content), or None without a clip."""
        path = self.studio.workspace.inside(*take.video_path.split("/"))
        try:
            stat = path.stat()
        except OSError:
            return None
        cached = self._cache.read()
        stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        known = cached.get("files", {}).get(take.video_path)
        digest = known["sha256"] if isinstance(known, dict) and known.get("stamp") == stamp else _sha256(path)
        key = f"{METRIC_VERSION}:{digest}"
        entry = cached.get("clips", {}).get(key)
        if isinstance(entry, dict) and "mean" in entry:
            value = float(entry["mean"])
        else:
            try:
                measured = clip_warping_error(path)
            except StudioError as error:  # an unreadable clip has no figure; the rest still count
                log.warning("cannot measure %s: %s", take.video_path, error)
                return None
            value = measured.mean
            self._cache.update("clips", {key: {"mean": measured.mean, "pairs": measured.pairs,
                                               "kept_share": measured.kept_share, "width_px": measured.width_px}})
        if known is None or known.get("sha256") != digest or known.get("stamp") != stamp:
            self._cache.update("files", {take.video_path: {"sha256": digest, "stamp": stamp}})
        return value


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def memory_cell(figure: MethodFigure) -> str:
    parts = [f"{figure.peak_vram_gb:.1f} GB VRAM"] if figure.peak_vram_gb is not None else []
    if figure.peak_ram_gb is not None:
        parts.append(f"{figure.peak_ram_gb:.1f} GB RAM")
    return ", ".join(parts) or "–"


def figures_table(figures: Sequence[MethodFigure], votes: Sequence[WinRate] | None = None) -> list[str]:
    """The figures as Markdown table lines, one column per method (two or three columns fit a 412 px phone
    where six would not); with `votes` (the method win rates) the quality row comes first."""
    rates = {w.label: w for w in votes or ()}

    def won(f: MethodFigure) -> str:
        rate = rates.get(f.method)
        return f"{rate.rate:.0%} of {rate.comparisons}" if rate else "–"

    rows = [
        *([("votes won", won)] if votes is not None else []),
        ("takes", lambda f: str(f.takes)),
        ("render s per second of clip", lambda f: _number(f.render_s_per_output_s)),
        ("peak memory", memory_cell),
        ("warping error", lambda f: _number(f.warping_error)),
        ("reproducible", lambda f: f.reproducibility.cell if f.reproducibility else "not checked"),
    ]
    return ["| | " + " | ".join(f.method for f in figures) + " |", "|---|" + "---|" * len(figures),
            *["| " + " | ".join([label, *(cell(f) for f in figures)]) + " |" for label, cell in rows]]


FIGURES_NOTE = ("Warping error: how much consecutive frames differ once the optical flow's motion is taken out "
                "(grey levels 0-255, occlusions excluded); lower is steadier, 0 is a still frame. Render s per second of clip: "
                "seconds of rendering per second of finished clip. Peak memory: the largest of any take.")


def variant_figures(takes: Sequence[Take], every_pair: Iterable[tuple[Take, Take]]) -> list[dict]:
    """Objective figures per method and settings: mean render time, motion and flicker of `takes`. A take that
    shows the same pictures as a take of its shot with other settings (a static shot with one keyframe) is left
    out, and counted as such: those settings changed nothing there, and its figures would say so of them."""
    alike = {take.id for a, b in every_pair if a.variant != b.variant and a.shows_the_same_as(b)
             for take in (a, b)}
    groups: dict[str, list[Take]] = {}
    left_out: dict[str, int] = {}
    for take in takes:
        if take.id in alike:
            left_out[take.variant] = left_out.get(take.variant, 0) + 1
        else:
            groups.setdefault(take.variant, []).append(take)

    def mean(takes: list[Take], key: str) -> float | None:
        values = [t.record.get(key) for t in takes if t.record.get(key) is not None]
        return round(sum(values) / len(values), 3) if values else None

    return [
        {"variant": variant, "takes": len(takes), "render_s_per_clip": mean(takes, "generation_time_s"),
         "motion": mean(takes, "motion_score"), "flicker": mean(takes, "flicker_score"),
         "left_out": left_out.get(variant, 0)}
        for variant, takes in sorted({variant: groups.get(variant, []) for variant in {*groups, *left_out}}.items())
    ]

