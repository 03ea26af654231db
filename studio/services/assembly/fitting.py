"""Each shot's clip at exactly its planned length for assembly: re-rendered (interpolation, with the canonical
clip's own settings) or retimed (generated clips); reused while their inputs are unchanged."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from studio.config import PipelineConfig
from studio.domain import Script, Shot
from studio.domain.assembly import PlannedShot
from studio.domain.metadata import Method
from studio.errors import NarrationError
from studio.media.probe import probe_clip
from studio.media.retime import plan_retime, retime_clip
from studio.services.progress import CancelToken, ProgressListener
from studio.services.render import CanonicalClip, ClipInputs, ShotRenderer, canonical_clip, clip_job, encoder_settings
from studio.workspace import Workspace

AssemblyMethod = Literal["auto", "interp", "ltx"]
"""Which clips assembly uses: auto = the canonical clip of the shot's method (switches.method_for) where there is
one, else interpolation."""


@dataclass(frozen=True)
class FittedPart:
    """One shot's clip at its planned length, ready to join: where it is, which method made it, and for a generated
    clip the speed it was retimed by (None: rendered at that length)."""

    path: Path
    source: Method
    speed: float | None = None
    pinned_take: str | None = None
    """The take the clip was promoted from, when the shot's canonical clip is pinned to one."""


def _fitted_shot(shot: Shot, frames: int, fps: int) -> Shot:
    """`shot` lasting exactly `frames`, its keyframe times stretched with it."""
    duration = frames / fps
    factor = duration / shot.duration_s
    keyframes = [k.model_copy(update={"time_s": None if k.time_s is None else k.time_s * factor}) for k in shot.keyframes]
    return shot.model_copy(update={"duration_s": duration, "keyframes": keyframes})


def _part_path(parts_dir: Path, planned: PlannedShot, digest: str) -> Path:
    cuts = "-".join(str(p) for p in planned.cut_points) or "none"
    return parts_dir / f"{planned.shot_id}-{planned.clip_frames}f-cuts{cuts}-{digest[:16]}.mp4"


class PartMaker:
    """Makes each shot's clip at exactly its planned length, reusing earlier ones with the same inputs."""

    def __init__(self, renderer: ShotRenderer, script: Script, config: PipelineConfig, method: AssemblyMethod, preview: bool,
                 parts_dir: Path, progress: ProgressListener, cancel: CancelToken) -> None:
        self.renderer, self.script, self.config, self.method, self.preview = renderer, script, config, method, preview
        self.parts_dir, self.progress, self.cancel = parts_dir, progress, cancel
        self.workspace: Workspace = renderer.workspace
        self.warnings: list[str] = []

    def canonical(self, shot: Shot, method: Method) -> CanonicalClip:
        return canonical_clip(self.workspace, self.script, shot, method, self.config)

    def source_of(self, shot: Shot) -> str:
        if self.method == "interp":
            return "interp"
        has_ltx = self.canonical(shot, "ltx").exists
        if self.method == "ltx":
            if not has_ltx:
                raise NarrationError(
                    f"{shot.shot_id} has no LTX clip; render it first with the LTX method (or promote an LTX take "
                    "of it), or assemble from interpolation clips or the automatic choice"
                )
            return "ltx"
        return "ltx" if self.config.switches.method_for(self.script, shot) == "ltx" and has_ltx else "interp"

    def make(self, shot: Shot, planned: PlannedShot) -> FittedPart:
        source = self.source_of(shot)
        pin = self.canonical(shot, source).pin
        if source == "interp":
            return FittedPart(self.interpolated(shot, planned), "interp", pinned_take=pin.take_id if pin else None)
        path, speed = self.retimed(shot, planned)
        return FittedPart(path, "ltx", speed, pinned_take=pin.take_id if pin else None)

    def interpolated(self, shot: Shot, planned: PlannedShot) -> Path:
        """The shot rendered at its fitted length with its canonical clip's settings (a pinned take's own)."""
        canonical = self.canonical(shot, "interp")
        record = canonical.record
        # A preview uses it too where it is already the preview's size (a delivery no larger than the preview box).
        if (canonical.status == "current" and record is not None and not planned.cut_points
                and record.num_frames == planned.clip_frames
                and (record.width, record.height) == (self.config.video.width, self.config.video.height)):
            self.progress.frames_done(planned.clip_frames)
            return canonical.path  # already the fitted length: used as it is
        inputs = ClipInputs.of(canonical.record, self.config)
        fitted = _fitted_shot(shot, planned.clip_frames, self.config.video.fps)
        job = clip_job(self.workspace, self.script, fitted, "interp", inputs.config,
                       preset="ultrafast" if self.preview else inputs.preset, cut_points=planned.cut_points)
        path = _part_path(self.parts_dir, planned, job.digest)
        if not path.is_file():
            self.renderer.render(replace(job, clip_path=path), self.progress, self.cancel)
        else:
            self.progress.frames_done(planned.clip_frames)
        return path

    def retimed(self, shot: Shot, planned: PlannedShot) -> tuple[Path, float]:
        """The shot's generated clip (pinned or not), sped up or slowed down to its fitted length, and that speed."""
        settings = encoder_settings(self.config, "ultrafast" if self.preview else None)
        clip = self.workspace.clip_path(self.script, shot, "ltx")
        info = probe_clip(clip)
        if (info.width, info.height) != settings.size:
            raise NarrationError(f"{shot.shot_id}: its LTX clip is {info.width}x{info.height}, not {settings.width}x{settings.height}")
        section = self.config.assembly
        retime = plan_retime(info.num_frames, planned.clip_frames, section.min_speed, section.max_speed)
        if retime.held_frames:
            self.warnings.append(
                f"{shot.shot_id}: its LTX clip ({info.num_frames / settings.fps:.2f} s) is too short even at "
                f"{section.min_speed:g}x speed; its last frame holds for {retime.held_frames / settings.fps:.2f} s"
            )
        if retime.trimmed_frames:
            self.warnings.append(
                f"{shot.shot_id}: its LTX clip is too long even at {section.max_speed:g}x speed; "
                f"{retime.trimmed_frames / settings.fps:.2f} s trimmed from its end"
            )
        stat = clip.stat()
        digest = hashlib.sha256(f"{clip}:{stat.st_size}:{stat.st_mtime_ns}:{retime}:{settings}".encode()).hexdigest()
        path = _part_path(self.parts_dir, planned, digest)
        if not path.is_file():
            retime_clip(clip, info.num_frames, path, planned.clip_frames, retime, settings, planned.cut_points)
        self.progress.frames_done(planned.clip_frames)
        return path, round(retime.speed, 4)
