"""The Studio facade: one object per workspace that the CLI and UI talk to."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from studio.config import PipelineConfig
from studio.domain import Script, Shot
from studio.domain.metadata import Method
from studio.domain.timing import frame_count
from studio.errors import BackendUnavailableError, StudioError, WorkspaceError
from studio.services.batch import BatchReport, Selection, ShotOutcome
from studio.services.progress import ProgressListener, SilentProgress
from studio.services.render import input_hash, render_interpolated_shot
from studio.workspace import Problem, Workspace

log = logging.getLogger(__name__)

LTX_UNAVAILABLE = (
    "--method ltx is not available yet: the LTX-Video backend has not landed in this version. "
    "Render with --method interp (needs no model weights)."
)


@dataclass(frozen=True)
class Studio:
    workspace: Workspace
    config: PipelineConfig

    @classmethod
    def open(cls, workspace: Workspace) -> Studio:
        return cls(workspace, workspace.config())

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
    ) -> ShotOutcome:
        """Render one shot unless an up-to-date clip exists; never raises for the shot's own failure."""
        if method != "interp":
            raise BackendUnavailableError(LTX_UNAVAILABLE)
        listener = progress or SilentProgress()
        label = f"{script.segment}/{script.age_bucket}/{script.title_id} {shot.shot_id}"
        clip_path = self.workspace.clip_path(script, shot, method)
        chosen_preset = preset or self.config.video.preset
        digest = input_hash(self.workspace.keyframe_paths(script, shot), shot, self.config, chosen_preset)
        metadata = self.workspace.read_metadata(script, method)
        existing = metadata.clip(shot.shot_id)
        listener.shot_started(label, frame_count(shot.duration_s, self.config.video.fps))
        if not force and existing is not None and existing.input_hash == digest and clip_path.is_file():
            outcome = ShotOutcome(label, "skipped", clip_path, existing)
            listener.shot_finished(label, outcome.status, None)
            return outcome
        try:
            record = render_interpolated_shot(
                self.workspace, script, shot, self.config, preset=chosen_preset, digest=digest, progress=listener
            )
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
        if method != "interp":
            raise BackendUnavailableError(LTX_UNAVAILABLE)
        jobs = self.select(selection)
        if progress is not None:
            frames = sum(frame_count(shot.duration_s, self.config.video.fps) for _, shot in jobs)
            progress.batch_started(len(jobs), frames)
        outcomes = [
            self.render_shot(script, shot, method, preset=preset, force=force, progress=progress)
            for script, shot in jobs
        ]
        return BatchReport(outcomes)
