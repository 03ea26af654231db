"""The Studio facade: one object per workspace that the CLI and UI talk to."""

from __future__ import annotations

import csv
import io
import logging
import shutil
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from studio.backends import FrameInterpolator, interpolator
from studio.backends.ltx import ModelCache
from studio.config import PipelineConfig
from studio.domain import Script, Shot
from studio.domain.metadata import ClipRecord, Method
from studio.domain.timing import frame_count
from studio.errors import BackendUnavailableError, StudioError, WorkspaceError
from studio.media.images import load_keyframe, save_keyframe
from studio.domain.assembly import Edits
from studio.services.assemble import AssemblyOptions, AssemblyReport, PreparedAssembly, Timeline
from studio.services.batch import BatchReport, Selection, ShotOutcome
from studio.services.batchfile import BatchFile, dump_batch, export_batch
from studio.services.progress import ProgressListener, SilentProgress
from studio.services.render import input_hash, render_interpolated_shot
from studio.services.review import Results, deal_pair, summarize
from studio.services.weights import fetch_rife_weights
from studio.services.takes import TakeSettings, promote_take, render_take, write_use_ltx
from studio.store import Pair, Take, VoteStore
from studio.workspace import Problem, Workspace, write_atomically

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class Studio:
    workspace: Workspace
    config: PipelineConfig
    models: ModelCache = field(default_factory=ModelCache, compare=False, repr=False)

    @classmethod
    def open(cls, workspace: Workspace) -> Studio:
        return cls(workspace, workspace.config())

    def with_svd(self) -> Studio:
        """This studio with Stable Video Diffusion as the generative model (unless one is already chosen)."""
        from studio.services.ltx_render import model_source

        if model_source(self.workspace, self.config)[2] == "stable-video-diffusion":
            return self
        ltx = self.config.ltx_video.model_copy(update={"model": "svd-xt"})
        return replace(self, config=self.config.model_copy(update={"ltx_video": ltx}))

    def with_interpolation(self, name: str | None, *, rife_weights: str | None = None) -> Studio:
        update: dict[str, str] = {"method": name} if name else {}
        if rife_weights:
            update["rife_weights"] = str(Path(rife_weights).expanduser().resolve())
        interpolation = self.config.interpolation.model_copy(update=update)
        return replace(self, config=self.config.model_copy(update={"interpolation": interpolation}))

    def validate(self) -> list[Problem]:
        return self.workspace.validate()

    def select(self, selection: Selection) -> list[tuple[Script, Shot]]:
        """Shots matching `selection`, in script then shot order; an empty match is an error."""
        scripts = [s for s in self.workspace.scripts() if selection.matches_script(s)]
        jobs = [(script, shot) for script in scripts for shot in script.shots if selection.matches_shot(shot)]
        if not jobs:
            raise WorkspaceError(f"no shot matches {selection}; `python -m studio validate` lists the scripts")
        return jobs

    def render_shot(
        self,
        script: Script,
        shot: Shot,
        method: Method = "interp",
        *,
        preset: str | None = None,
        force: bool = False,
        progress: ProgressListener | None = None,
        config: PipelineConfig | None = None,
    ) -> ShotOutcome:
        """Render one shot unless an up-to-date clip exists; never raises for the shot's own failure.

        `config` overrides the workspace's settings for this shot (a batch file's parameters).
        """
        config = config or self.config
        listener = progress or SilentProgress()
        label = f"{script.segment}/{script.age_bucket}/{script.title_id} {shot.shot_id}"
        clip_path = self.workspace.clip_path(script, shot, method)
        chosen_preset = preset or config.video.preset
        digest = input_hash(self.workspace.keyframe_paths(script, shot), shot, config, chosen_preset, method)
        metadata = self.workspace.read_metadata(script, method)
        existing = metadata.clip(shot.shot_id)
        listener.shot_started(label, frame_count(shot.duration_s, config.video.fps))
        if not force and existing is not None and existing.input_hash == digest and clip_path.is_file():
            outcome = ShotOutcome(label, "skipped", clip_path, existing)
            listener.shot_finished(label, outcome.status, None)
            return outcome
        try:
            record = self.render_clip(script, shot, method, config, clip_path, chosen_preset, digest, listener)
        except StudioError as error:
            outcome = ShotOutcome(label, "failed", clip_path, message=str(error))
        except Exception as error:  # a bug in one shot must not lose the others
            log.debug("shot %s failed", label, exc_info=True)
            outcome = ShotOutcome(label, "failed", clip_path, message=f"unexpected {type(error).__name__}: {error}")
        else:
            # Re-read: another process may have finished other shots of this title meanwhile.
            self.workspace.write_metadata(self.workspace.read_metadata(script, method).with_clip(record), script)
            outcome = ShotOutcome(label, "rendered", clip_path, record)
        listener.shot_finished(label, outcome.status, outcome.message)
        return outcome

    def check_method(self, method: Method, config: PipelineConfig | None = None) -> None:
        """Refuse up front, before any loading, a method that cannot run here."""
        if (config or self.config).interpolation.method != "flow":
            self.frame_interpolator(config)  # loads the weights once, or says what is missing
        if method == "ltx":
            try:
                import torch
            except ImportError:
                raise BackendUnavailableError(
                    "LTX-Video needs torch and diffusers: run `pip install -r requirements.txt` (see the README for GPU installs)"
                ) from None

            from studio.backends.ltx import check_can_load
            from studio.services.ltx_render import model_source

            source, _, _ = model_source(self.workspace, config or self.config)
            check_can_load(source, cuda=torch.cuda.is_available())

    def render_clip(self, script: Script, shot: Shot, method: Method, config: PipelineConfig, clip_path: Path,
                preset: str, digest: str, listener: ProgressListener, motion: float | None = None) -> ClipRecord:
        if method == "ltx":
            from studio.services.ltx_render import render_ltx_shot

            return render_ltx_shot(
                self.workspace, script, shot, config, self.models, clip_path=clip_path, preset=preset, digest=digest,
                motion=config.interpolation.ken_burns.strength if motion is None else motion, progress=listener,
                frame_interpolator=self.frame_interpolator(config),
            )
        return render_interpolated_shot(
            self.workspace, script, shot, config, clip_path=clip_path, preset=preset, digest=digest, progress=listener,
            frame_interpolator=self.frame_interpolator(config),
        )

    def assemble(self, title_id: str, options: AssemblyOptions | None = None,
                 progress: ProgressListener | None = None) -> AssemblyReport:
        """The finished narrated video of one title, with its report (see services/assemble.py)."""
        from studio.services.assemble import assemble_title

        return assemble_title(self, self.workspace.find_script(title_id), options, progress)

    def assembly_plan(self, title_id: str, options: AssemblyOptions | None = None) -> PreparedAssembly:
        """The narration, its spans and the planned cut of one title, without writing anything."""
        from studio.services.assemble import prepare

        return prepare(self.workspace, self.workspace.find_script(title_id), self.config, options or AssemblyOptions())

    def assembly_timeline(self, title_id: str, options: AssemblyOptions | None = None) -> Timeline:
        """What the Assemble view draws: the planned cut and the narration's waveform on the video's clock."""
        from studio.services.assemble import timeline

        return timeline(self.assembly_plan(title_id, options))

    def save_assembly_edits(self, title_id: str, edits: Edits) -> Path:
        from studio.services.assemble import save_edits

        return save_edits(self.workspace, self.workspace.find_script(title_id), edits)

    def frame_interpolator(self, config: PipelineConfig | None = None) -> FrameInterpolator:
        """The configured interpolator; neural ones load once per Studio."""
        settings = (config or self.config).interpolation
        if settings.method == "flow":
            return interpolator("flow")
        weights = None
        if settings.rife_weights:
            weights = fetch_rife_weights(settings.rife_weights, self.workspace.root)
        key = f"rife:{weights}:{settings.rife_scale}"
        return self.models.get(key, lambda: interpolator("rife", rife_weights=weights, rife_scale=settings.rife_scale))

    def generate(
        self,
        selection: Selection,
        method: Method = "interp",
        *,
        preset: str | None = None,
        force: bool = False,
        progress: ProgressListener | None = None,
    ) -> BatchReport:
        """Render every selected shot; failures are collected, never stop the batch."""
        self.check_method(method)
        jobs = self.select(selection)
        if progress is not None:
            frames = sum(frame_count(shot.duration_s, self.config.video.fps) for _, shot in jobs)
            progress.batch_started(len(jobs), frames)
        outcomes = [
            self.render_shot(script, shot, method, preset=preset, force=force, progress=progress)
            for script, shot in jobs
        ]
        return BatchReport(outcomes)


@dataclass(frozen=True, slots=True)
class ShotStatus:
    clips: tuple[str, ...]  # methods with a canonical clip
    take_methods: tuple[str, ...]
    both_bad_votes: int

    @property
    def label(self) -> str:
        if self.both_bad_votes:
            return "flagged bad"
        return "rendered" if self.clips else "not rendered"

    def has_method(self, method: str) -> bool:
        return method in self.clips or method in self.take_methods


@dataclass(frozen=True)
class ReviewDesk:
    """The studio app's use cases: takes, blind review, results and the decision.

    One per process; it holds no per-user state (reviewer names and pair
    tokens travel with each request).
    """

    studio: Studio
    store: VoteStore

    @property
    def workspace(self) -> Workspace:
        return self.studio.workspace

    def scripts(self) -> list[Script]:
        return self.workspace.scripts()

    def shot(self, title_id: str, shot_id: str) -> tuple[Script, Shot]:
        script = self.workspace.find_script(title_id)
        for shot in script.shots:
            if shot.shot_id == shot_id:
                return script, shot
        raise WorkspaceError(f"{script.title!r} has no {shot_id!r}")

    def shot_statuses(self, title_id: str) -> dict[str, ShotStatus]:
        """Per shot: canonical clips by method, methods with takes, and 'both bad' votes."""
        script = self.workspace.find_script(title_id)
        bad: dict[str, int] = {}
        for row in self.store.vote_rows():
            if row["title_id"] == title_id and row["choice"] == "both_bad":
                bad[row["shot_id"]] = bad.get(row["shot_id"], 0) + 1
        take_methods: dict[str, set[str]] = {}
        for take in self.store.takes(title_id):
            take_methods.setdefault(take.shot_id, set()).add(take.method)
        return {
            shot.shot_id: ShotStatus(
                clips=tuple(m for m in ("interp", "ltx") if self.workspace.clip_path(script, shot, m).is_file()),
                take_methods=tuple(sorted(take_methods.get(shot.shot_id, ()))),
                both_bad_votes=bad.get(shot.shot_id, 0),
            )
            for shot in script.shots
        }

    def replace_keyframe(self, title_id: str, shot_id: str, file_name: str, upload: Path) -> Path:
        """Check an uploaded image and make it the shot's keyframe `file_name`.

        The upload must decode as a real image within the size limits; the old
        keyframe is kept beside it under replaced/ with a time stamp.
        """
        script, shot = self.shot(title_id, shot_id)
        if file_name not in [k.file for k in shot.keyframes]:
            raise StudioError(f"{shot_id} has no keyframe {file_name!r}; its keyframes are {', '.join(k.file for k in shot.keyframes)}")
        image = load_keyframe(upload, label=f"upload for {file_name}")
        target = self.workspace.inside(self.workspace.relative(self.workspace.keyframe_dir(script)), file_name)
        if target.exists():
            backup = target.parent / "replaced" / f"{target.stem}.{datetime.now(UTC):%Y%m%dT%H%M%S}{target.suffix}"
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, backup)
        save_keyframe(image, target)
        return target

    def render_take(self, title_id: str, shot_id: str, settings: TakeSettings, *, who: str,
                    progress: ProgressListener | None = None) -> Take:
        script, shot = self.shot(title_id, shot_id)
        return render_take(self.studio, self.store, script, shot, settings, who=who, progress=progress or SilentProgress())

    def promote(self, take_id: str) -> Path:
        return promote_take(self.workspace, self.store, self.store.take(take_id))

    def next_pair(self, reviewer: str) -> tuple[Pair, Take, Take]:
        return deal_pair(self.store, _reviewer_name(reviewer))

    def vote(self, reviewer: str, token: str, choice: str, reasons: list[str], comment: str = "") -> tuple[Take, Take]:
        """Record the vote and reveal the two takes (left, right)."""
        name = _reviewer_name(reviewer)
        self.store.record_vote(token, name, choice, reasons, comment)
        pair = self.store.pair(token)
        return self.store.take(pair.left_take), self.store.take(pair.right_take)

    def results(self) -> Results:
        """What the votes say, split by segment, age bucket and camera movement."""
        scripts = {str(s.title_id): s for s in self.scripts()}
        rows = []
        for row in self.store.vote_rows():
            script = scripts.get(row["title_id"])
            shot = next((s for s in script.shots if s.shot_id == row["shot_id"]), None) if script else None
            rows.append(row | {
                "segment": script.segment if script else None,
                "age_bucket": script.age_bucket if script else None,
                "camera_movement": shot.camera_movement.value if shot else None,
            })
        return summarize(rows)

    def take_figures(self) -> list[dict]:
        """Objective figures per method and settings: mean render time, motion and flicker of the takes."""
        groups: dict[str, list[Take]] = {}
        for take in self.store.takes():
            groups.setdefault(take.variant, []).append(take)

        def mean(takes: list[Take], key: str) -> float | None:
            values = [t.record.get(key) for t in takes if t.record.get(key) is not None]
            return round(sum(values) / len(values), 3) if values else None

        return [
            {"variant": variant, "takes": len(takes), "render_s_per_clip": mean(takes, "generation_time_s"),
             "motion": mean(takes, "motion_score"), "flicker": mean(takes, "flicker_score")}
            for variant, takes in sorted(groups.items())
        ]

    def apply_decision(self, use_ltx: bool) -> Path:
        """Write switches.use_ltx and DECISION.md with the figures behind it."""
        results = self.results()
        write_use_ltx(self.workspace, use_ltx)
        lines = [
            "# Default generation method", "",
            f"Decided {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: `switches.use_ltx: {str(use_ltx).lower()}`.", "",
            f"Votes: {results.votes} ({results.both_bad} 'both bad'). Recommendation at the time: "
            f"{'none' if results.recommendation is None else 'use_ltx ' + str(results.recommendation).lower()} ({results.reason}).", "",
            "| method | win rate | 95% interval | comparisons |", "|---|---|---|---|",
            *[f"| {w.label} | {w.rate:.0%} | {w.low:.0%}-{w.high:.0%} | {w.comparisons} |" for w in results.by_method],
            "", "| variant | win rate | 95% interval | comparisons |", "|---|---|---|---|",
            *[f"| {w.label} | {w.rate:.0%} | {w.low:.0%}-{w.high:.0%} | {w.comparisons} |" for w in results.by_variant],
        ]
        if results.left_share is not None:
            lines += ["", f"Position bias: {results.left_share:.0%} of decisive votes went to the left player."]
        path = self.workspace.inside("DECISION.md")
        write_atomically(path, ("\n".join(lines) + "\n").encode("utf-8"))
        return path

    def export_batch(self, title_ids: list[str] | None = None) -> str:
        """A batch config (YAML) for the chosen titles: per shot the method, settings and output path."""
        return dump_batch(export_batch(self.workspace, self.store, title_ids or None))

    def votes_csv(self) -> str:
        rows = self.store.vote_rows()
        buffer = io.StringIO()
        columns = ["created_at", "reviewer", "title_id", "shot_id", "choice", "reasons", "comment",
                   "left_take", "left_method", "left_variant", "right_take", "right_method", "right_variant"]
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()


def _reviewer_name(name: str) -> str:
    cleaned = " ".join(str(name or "").split())
    if not 2 <= len(cleaned) <= 60:
        raise StudioError("enter your name (2-60 characters) before reviewing, so your votes count once")
    return cleaned


def run_batch(studio: Studio, batch: BatchFile, *, force: bool = False, progress: ProgressListener | None = None) -> BatchReport:
    """Render every shot of a batch file with its own method and parameters."""
    jobs = []
    for entry in batch.shots:
        script = studio.workspace.find_script(entry.title_id)
        shot = next((s for s in script.shots if s.shot_id == entry.shot_id), None)
        if shot is None:
            raise WorkspaceError(f"batch names {entry.shot_id} of {script.title!r}, which has no such shot")
        expected = studio.workspace.relative(studio.workspace.clip_path(script, shot, entry.method))
        if entry.output != expected:
            raise WorkspaceError(f"batch output {entry.output!r} for {entry.shot_id} must be {expected!r} (the pipeline's path)")
        jobs.append((script, shot, entry))
    for method in {entry.method for _, _, entry in jobs}:
        studio.check_method(method)
    if progress is not None:
        progress.batch_started(len(jobs), sum(frame_count(shot.duration_s, studio.config.video.fps) for _, shot, _ in jobs))
    return BatchReport([
        studio.render_shot(script, shot, entry.method, preset=entry.params.preset, force=force, progress=progress,
                           config=entry.params.applied_to(studio.config))
        for script, shot, entry in jobs
    ])
