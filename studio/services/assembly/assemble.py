"""Assembling a title: narration timing -> shot boundaries -> fitted clips -> stitched, narrated, checked video."""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from studio.config import PipelineConfig
from studio.domain import Script
from studio.domain.assembly import AssemblyPlan, Edits, FitSettings, plan_assembly
from studio.domain.narration import ShotNarration, check_spans, map_words_to_shots, parse_timing, spans_from_script
from studio.errors import NarrationError, StudioError
from studio.files import write_atomically
from studio.media.audio import AUDIO_SUFFIXES, Loudness, audio_duration_s, envelope, measure_loudness, read_loudness
from studio.media.probe import probe_clip
from studio.media.stitch import (
    AudioSettings,
    correct_loudness,
    join_cuts,
    join_with_transitions,
    mux_narration,
    placement_filter,
)
from studio.media.sync import find_boundaries, grey_thumbnails, stream_lengths
from studio.services.assembly.fitting import AssemblyMethod, FittedPart, PartMaker
from studio.services.progress import CancelToken, ProgressListener, SilentProgress
from studio.services.render import ShotRenderer, encoder_settings
from studio.workspace import Workspace

TIMING_SUFFIXES = (".json", ".srt", ".vtt")
# A finished narration further than this from the loudness target gets a measured gain correction.
LOUDNESS_TOLERANCE_LU = 0.5


@dataclass(frozen=True)
class AssemblyOptions:
    method: AssemblyMethod = "auto"
    narration: Path | None = None
    timing: Path | None = None
    edits: Edits | None = None
    """Operator edits; None reads the saved ones (audio/narration/.../{title_id}.edits.json)."""
    preview_size: tuple[int, int] | None = None
    """A small, fast preview at this size instead of the deliverable (never larger than the deliverable)."""


@dataclass(frozen=True)
class NarrationSources:
    audio: Path
    timing: Path | None
    """None: per-shot times in the script JSON."""

    @property
    def timing_label(self) -> str:
        return self.timing.name if self.timing else "the script JSON (narration_start_s/narration_end_s)"


class ShotReport(BaseModel):
    shot_id: str
    source: str
    pinned_take: str | None = None
    """The promoted take the shot's canonical clip is pinned to, when the part was made from a pinned clip."""
    start_s: float
    end_s: float
    start_frame: int
    end_frame: int
    transition_in: str
    transition_s: float
    narration_text: str
    narration_start_s: float
    """Video time of the shot's first word."""
    narration_end_s: float
    narration_audio_start_s: float
    """The same moment in the narration file."""
    narration_audio_end_s: float
    speed: float | None = None
    boundary_error_ms: float | None = None


class AssemblyReport(BaseModel):
    title_id: str
    video_file: str
    narration_file: str
    timing_source: str
    fps: int
    width: int
    height: int
    duration_s: float
    num_frames: int
    audio_offset_s: float
    joined_by: str
    shots: list[ShotReport]
    loudness_target_lufs: float
    loudness_lufs: float
    true_peak_dbtp: float
    max_boundary_error_ms: float
    av_length_difference_ms: float
    in_sync: bool
    warnings: list[str] = []
    elapsed_s: float
    assembled_at: str


@dataclass
class PreparedAssembly:
    """Everything decided before any file is written: sources, spans and the plan."""

    script: Script
    sources: NarrationSources
    audio_duration_s: float
    spans: list[ShotNarration]
    plan: AssemblyPlan
    warnings: list[str] = field(default_factory=list)


def edits_path(workspace: Workspace, script: Script) -> Path:
    return workspace.narration_dir(script) / f"{script.title_id}.edits.json"


def load_edits(workspace: Workspace, script: Script) -> Edits:
    path = edits_path(workspace, script)
    if not path.is_file():
        return Edits()
    try:
        data = json.loads(path.read_text())
        return Edits(
            starts_s={k: float(v) for k, v in data.get("starts_s", {}).items()},
            transitions={k: (str(v[0]), float(v[1])) for k, v in data.get("transitions", {}).items()},
        )
    except (OSError, ValueError, TypeError, IndexError, AttributeError) as error:
        raise NarrationError(f"{workspace.relative(path)} is unreadable ({error}); delete it to drop the saved edits") from None


def save_edits(workspace: Workspace, script: Script, edits: Edits) -> Path:
    path = edits_path(workspace, script)
    data = {"starts_s": edits.starts_s, "transitions": {k: list(v) for k, v in edits.transitions.items()}}
    write_atomically(path, (json.dumps(data, indent=2) + "\n").encode())
    return path


def find_sources(workspace: Workspace, script: Script, narration: Path | None, timing: Path | None) -> NarrationSources:
    folder = workspace.narration_dir(script)
    if narration is None:
        found = [folder / f"{script.title_id}{suffix}" for suffix in AUDIO_SUFFIXES]
        narration = next((path for path in found if path.is_file()), None)
        if narration is None:
            raise NarrationError(
                f"{script.title!r} has no narration audio: put {workspace.relative(folder)}/{script.title_id}"
                f".wav (or .mp3 .m4a .flac .ogg) there, or name another narration file"
            )
    elif narration.suffix.lower() not in AUDIO_SUFFIXES:
        raise NarrationError(f"{narration.name}: narration audio must be one of {' '.join(AUDIO_SUFFIXES)}")
    if timing is None:
        candidates = [folder / f"{script.title_id}{suffix}" for suffix in TIMING_SUFFIXES]
        timing = next((path for path in candidates if path.is_file()), None)
    elif not timing.is_file():
        raise NarrationError(f"timing file {timing} does not exist")
    return NarrationSources(narration, timing)


def fit_settings(config: PipelineConfig) -> FitSettings:
    section = config.assembly
    return FitSettings(fps=config.video.fps, lead_in_s=section.lead_in_s, lead_out_s=section.lead_out_s,
                       pause=section.pause, transition=section.transition, transition_s=section.transition_s)


def prepare(workspace: Workspace, script: Script, config: PipelineConfig, options: AssemblyOptions) -> PreparedAssembly:
    """Read and check the narration and its timing, and plan the cut; writes nothing."""
    sources = find_sources(workspace, script, options.narration, options.timing)
    duration_s = audio_duration_s(sources.audio)
    if sources.timing is None:
        spans = spans_from_script(script.shots)
    else:
        try:
            text = sources.timing.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise NarrationError(f"cannot read timing file {sources.timing.name}: {error}") from None
        words = parse_timing(text, sources.timing.suffix.lower().lstrip("."), sources.timing.name)
        spans = map_words_to_shots(script.shots, words, sources.timing.name)
    check_spans(spans, duration_s, sources.timing_label)
    edits = options.edits if options.edits is not None else load_edits(workspace, script)
    plan = plan_assembly(spans, fit_settings(config), edits)
    return PreparedAssembly(script, sources, duration_s, spans, plan, list(plan.warnings))


@dataclass(frozen=True)
class Timeline:
    """The planned cut against the narration's waveform, in video seconds."""

    prepared: PreparedAssembly
    levels: list[float]
    """Peak level of the narration per slice of the video's duration (0..1)."""

    @property
    def plan(self) -> AssemblyPlan:
        return self.prepared.plan


def timeline(prepared: PreparedAssembly, points: int = 1000) -> Timeline:
    levels, duration = envelope(prepared.sources.audio, points=4 * points)
    plan = prepared.plan
    times = (np.arange(points) + 0.5) * plan.duration_s / points + plan.audio_offset_s  # narration time of each slice
    index = np.clip((times / duration * levels.size).astype(int), 0, levels.size - 1)
    placed = np.where((times >= 0) & (times < duration), levels[index], 0.0)
    return Timeline(prepared, [round(float(v), 4) for v in placed])


# -- the whole title ---------------------------------------------------------------


def assemble_title(renderer: ShotRenderer, config: PipelineConfig, script: Script, options: AssemblyOptions | None = None,
                   progress: ProgressListener | None = None, cancel: CancelToken | None = None) -> AssemblyReport:
    """Build the finished video of `script`; on any error or cancel nothing is left at the final path."""
    options = options or AssemblyOptions()
    progress, cancel = progress or SilentProgress(), cancel or CancelToken()
    started = time.perf_counter()
    workspace = renderer.workspace
    if options.preview_size:
        # A preview is for speed: where the delivery itself is smaller than the box (a test's, a draft's), it is that.
        delivered = (config.video.width, config.video.height)
        fits = all(side <= box for side, box in zip(delivered, options.preview_size, strict=True))
        width, height = delivered if fits else options.preview_size
        config = config.model_copy(update={"video": config.video.model_copy(update={"width": width, "height": height})})
    if options.method != "ltx":  # interpolation may render; LTX clips are only retimed, never generated here
        renderer.check_interpolation(config, depth=True)
    prepared = prepare(workspace, script, config, options)
    plan = prepared.plan
    final = workspace.final_path(script)
    if options.preview_size:
        final = final.with_name(f"{script.title_id}.preview.mp4")
    parts_dir = final.parent / ".parts" / f"{script.title_id}-{config.video.width}x{config.video.height}"
    parts_dir.mkdir(parents=True, exist_ok=True)
    maker = PartMaker(renderer, script, config, options.method, bool(options.preview_size), parts_dir, progress, cancel)
    progress.batch_started(len(plan.shots) + 1, sum(s.clip_frames for s in plan.shots) + plan.total_frames)
    for shot in script.shots:  # every clip the assembly needs must exist before anything is rendered
        maker.source_of(shot)
    fitted: list[FittedPart] = []
    for shot, planned in zip(script.shots, plan.shots, strict=True):
        cancel.check()
        progress.shot_started(shot.shot_id, planned.clip_frames)
        fitted.append(maker.make(shot, planned))
        progress.shot_finished(shot.shot_id, "fitted", None)
    parts = [part.path for part in fitted]
    settings = encoder_settings(config, "ultrafast" if options.preview_size else None)
    audio_settings = AudioSettings(target_lufs=config.assembly.loudness_lufs, true_peak_db=config.assembly.true_peak_db,
                                   music_gain_db=config.assembly.music_gain_db)
    music = workspace.inside(config.assembly.music) if config.assembly.music else None
    cancel.check()
    progress.shot_started("joining and narrating", plan.total_frames)
    with tempfile.TemporaryDirectory(prefix=".assembling-", dir=final.parent) as temp:
        joined, narrated = Path(temp) / "joined.mp4", Path(temp) / "narrated.mp4"
        if plan.cuts_only:
            join_cuts(parts, plan, joined)
        else:
            join_with_transitions(parts, plan, joined, settings)
        measured = measure_loudness(prepared.sources.audio, placement_filter(plan.audio_offset_s))
        mux_narration(joined, prepared.sources.audio, narrated, plan=plan, measured=measured, settings=audio_settings, music=music)
        loudness = read_loudness(narrated)
        miss = audio_settings.target_lufs - loudness.integrated_lufs
        if abs(miss) > LOUDNESS_TOLERANCE_LU:
            corrected = Path(temp) / "corrected.mp4"
            correct_loudness(narrated, corrected, miss, audio_settings)
            narrated, loudness = corrected, read_loudness(corrected)
        progress.frames_done(plan.total_frames)
        report = _check(narrated, fitted, prepared, maker.warnings, config, audio_settings, loudness, final)
        os.replace(narrated, final)
    for stale in set(parts_dir.glob("*.mp4")) - set(parts):  # clips of earlier cuts of this title: superseded
        stale.unlink(missing_ok=True)
    progress.shot_finished("assembly", "assembled", None)
    report = report.model_copy(update={"elapsed_s": round(time.perf_counter() - started, 2)})
    write_atomically(final.with_suffix(".json"), (report.model_dump_json(indent=2) + "\n").encode())
    return report


def _check(video: Path, fitted: list[FittedPart], prepared: PreparedAssembly, warnings: list[str], config: PipelineConfig, audio: AudioSettings, loudness: Loudness,
           final: Path) -> AssemblyReport:
    """Read the finished file back: real boundary positions, stream lengths and loudness."""
    plan = prepared.plan
    info = probe_clip(video)
    problems = [p for p in info.spec_problems(width=config.video.width, height=config.video.height, fps=plan.fps,
                                               expected_frames=plan.total_frames) if "audio" not in p and "Mbps" not in p]
    if problems:
        raise StudioError(f"the assembled video misses the spec: {'; '.join(problems)}")
    checks = find_boundaries(grey_thumbnails(video), [grey_thumbnails(part.path) for part in fitted], plan)
    errors = {check.shot_id: round(check.error_ms, 2) for check in checks}
    lengths = stream_lengths(video)
    frame_ms = 1000 / plan.fps
    worst = max(errors.values(), default=0.0)
    in_sync = worst <= frame_ms + 0.5 and lengths.drift_ms <= frame_ms + 0.5
    shots = []
    for planned, part in zip(plan.shots, fitted, strict=True):
        span = planned.narration
        shots.append(ShotReport(
            shot_id=planned.shot_id, source=part.source, pinned_take=part.pinned_take,
            start_s=round(planned.start_frame / plan.fps, 4),
            end_s=round(planned.end_frame / plan.fps, 4), start_frame=planned.start_frame, end_frame=planned.end_frame,
            transition_in=planned.transition_in, transition_s=round(2 * planned.head_frames / plan.fps, 4),
            narration_text=span.text, narration_start_s=round(plan.video_time(span.start_s), 4),
            narration_end_s=round(plan.video_time(span.end_s), 4), narration_audio_start_s=span.start_s,
            narration_audio_end_s=span.end_s, speed=part.speed, boundary_error_ms=errors.get(planned.shot_id),
        ))
    return AssemblyReport(
        title_id=str(prepared.script.title_id), video_file=final.name, narration_file=prepared.sources.audio.name,
        timing_source=prepared.sources.timing_label, fps=plan.fps, width=config.video.width, height=config.video.height,
        duration_s=plan.duration_s, num_frames=plan.total_frames, audio_offset_s=round(plan.audio_offset_s, 4),
        joined_by="stream copy (cuts only)" if plan.cuts_only else "stream copy, transitions re-encoded", shots=shots,
        loudness_target_lufs=audio.target_lufs, loudness_lufs=loudness.integrated_lufs,
        true_peak_dbtp=loudness.true_peak_dbtp, max_boundary_error_ms=worst,
        av_length_difference_ms=round(lengths.drift_ms, 2), in_sync=in_sync, warnings=prepared.warnings + warnings,
        elapsed_s=0.0, assembled_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
