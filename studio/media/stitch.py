"""Joining fitted shot clips into one video and laying the narration under it, with ffmpeg.

Plain cuts between clips of identical encoding need no re-encode: the concat
demuxer copies the H.264 stream (about 100x faster than encoding). Any other
transition goes through one filter graph of `xfade` (and `concat` for the
cuts among them), encoded once with the delivery settings.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from studio.domain.assembly import AssemblyPlan, PlannedShot, xfade_name
from studio.media.audio import Loudness
from studio.media.encoder import EncoderSettings
from studio.media.ffmpeg import run_ffmpeg


@dataclass(frozen=True, slots=True)
class AudioSettings:
    target_lufs: float = -14.0
    true_peak_db: float = -1.5
    sample_rate: int = 48000
    bitrate_kbps: int = 192
    music_gain_db: float = -20.0


def _seconds(frames: int, fps: int) -> str:
    return f"{frames / fps:.6f}"


def concat_copy(pieces: list[tuple[Path, int]], fps: int, out: Path) -> None:
    """Clips (path, frames) back to back by stream copy; they must share codec settings, as every studio clip does.

    Each clip's exact length is given: the demuxer would otherwise take the
    container's, a few ticks short of the last frame, and the timestamps of
    every later clip would drift by that much.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".txt", dir=out.parent, delete=False) as listing:
        for path, frames in pieces:
            escaped = str(path.resolve()).replace("'", "'\\''")
            listing.write(f"file '{escaped}'\nduration {_seconds(frames, fps)}\n")
    try:
        run_ffmpeg(["-f", "concat", "-safe", "0", "-i", listing.name, "-map", "0:v", "-c", "copy", "-an",
                    "-movflags", "+faststart", "-f", "mp4", str(out)], what="joining clips by stream copy")
    finally:
        os.unlink(listing.name)


def join_cuts(parts: list[Path], plan: AssemblyPlan, out: Path) -> None:
    concat_copy([(part, shot.clip_frames) for part, shot in zip(parts, plan.shots, strict=True)], plan.fps, out)


def _split(part: Path, shot: PlannedShot, folder: Path) -> dict[tuple[int, int], Path]:
    """The clip cut by stream copy at its cut points (closed-GOP frames): {(first, end): file}."""
    bounds = [0, *shot.cut_points, shot.clip_frames]
    if len(bounds) == 2:
        return {(0, shot.clip_frames): part}
    pattern = folder / f"{part.stem}-%d.mp4"
    run_ffmpeg(["-i", str(part), "-map", "0:v", "-c", "copy", "-f", "segment",
                "-segment_frames", ",".join(str(p) for p in shot.cut_points), "-reset_timestamps", "1",
                "-segment_format", "mp4", str(pattern)], what=f"splitting {part.name} at its transitions")
    return {(a, b): folder / f"{part.stem}-{k}.mp4" for k, (a, b) in enumerate(zip(bounds, bounds[1:]))}


def _transition_piece(outgoing: Path, before: PlannedShot, incoming: Path, after: PlannedShot, out: Path,
                      fps: int, settings: EncoderSettings) -> None:
    """Only the overlap re-encoded: the outgoing clip's last frames mixed into the incoming clip's first."""
    frames = after.overlap_in
    start = before.clip_frames - frames  # a cut point of `outgoing`, so the seek lands on it exactly
    graph = (f"[0:v]trim=end_frame={frames},setpts=PTS-STARTPTS,settb=AVTB[a];"
             f"[1:v]trim=end_frame={frames},setpts=PTS-STARTPTS,settb=AVTB[b];"
             f"[a][b]xfade=transition={xfade_name(after.transition_in)}:duration={_seconds(frames, fps)}:offset=0,"
             "format=yuv420p[video]")
    run_ffmpeg(["-ss", _seconds(start, fps), "-i", str(outgoing), "-i", str(incoming), "-filter_complex", graph,
                "-map", "[video]", "-an", *settings.codec_args(), "-frames:v", str(frames), "-f", "mp4", str(out)],
               what=f"rendering the {after.transition_in} into {after.shot_id}")


def join_with_transitions(parts: list[Path], plan: AssemblyPlan, out: Path, settings: EncoderSettings) -> None:
    """Clips joined with their transitions, re-encoding only the transitions.

    Each clip was encoded with closed GOPs starting where its transitions
    end, so the stretch between them is copied as it is; each transition is
    rendered alone from the two clips' overlapping frames, with the same
    encoder settings, and everything is joined by stream copy.
    """
    with tempfile.TemporaryDirectory(prefix=".pieces-", dir=out.parent) as temp:
        folder = Path(temp)
        pieces: list[tuple[Path, int]] = []
        for index, (part, shot) in enumerate(zip(parts, plan.shots, strict=True)):
            if shot.overlap_in:
                piece = folder / f"transition-{index}.mp4"
                _transition_piece(parts[index - 1], plan.shots[index - 1], part, shot, piece, plan.fps, settings)
                pieces.append((piece, shot.overlap_in))
            middle = (shot.overlap_in, shot.clip_frames - shot.overlap_out)
            if middle[1] > middle[0]:
                pieces.append((_split(part, shot, folder)[middle], middle[1] - middle[0]))
        concat_copy(pieces, plan.fps, out)


def placement_filter(audio_offset_s: float) -> str:
    """Narration moved onto the video's clock: leading audio cut, or silence put before it."""
    if audio_offset_s >= 0:
        return f"atrim=start={audio_offset_s:.6f},asetpts=PTS-STARTPTS"
    return f"adelay=delays={-audio_offset_s * 1000:.3f}:all=1"


def mux_narration(video: Path, narration: Path, out: Path, *, plan: AssemblyPlan, measured: Loudness,
                  settings: AudioSettings, music: Path | None = None) -> None:
    """The video stream copied, the narration placed, loudness-normalised (two-pass, linear) and AAC-encoded.

    `measured` is the first loudnorm pass over the placed narration. Music, when
    given, loops under the voice at `music_gain_db` and ducks while it speaks.
    """
    # Lengths in samples, counted, not read from timestamps: loudnorm's last frames, when the narration ends
    # within its 3 s look-ahead of the video's end, carry timestamps ahead of their samples, so a padding or
    # trim by time stopped 50-80 ms short of the video (issue 16). The samples are re-stamped by count too.
    samples = plan.total_frames * settings.sample_rate // plan.fps
    voice = (
        f"[1:a]{placement_filter(plan.audio_offset_s)},"
        f"loudnorm=I={settings.target_lufs}:TP={settings.true_peak_db}:LRA=11:"
        f"measured_I={measured.integrated_lufs}:measured_TP={measured.true_peak_dbtp}:"
        f"measured_LRA={measured.range_lu}:measured_thresh={measured.threshold_lufs}:linear=true,"
        f"aresample={settings.sample_rate},aformat=channel_layouts=stereo,asetpts=N/SR/TB"
    )
    inputs = ["-i", str(video), "-i", str(narration)]
    if music is None:
        graph = f"{voice},apad=whole_len={samples},atrim=end_sample={samples}[audio]"
    else:
        inputs += ["-stream_loop", "-1", "-i", str(music)]
        graph = (
            f"{voice},apad=whole_len={samples}[voice];[voice]asplit[spoken][key];"
            f"[2:a]aresample={settings.sample_rate},aformat=channel_layouts=stereo,volume={settings.music_gain_db}dB,"
            "asetpts=N/SR/TB[bed];"
            "[bed][key]sidechaincompress=threshold=0.03:ratio=6:attack=20:release=400[ducked];"
            f"[spoken][ducked]amix=inputs=2:duration=first:normalize=0,atrim=end_sample={samples}[audio]"
        )
    run_ffmpeg([*inputs, "-filter_complex", graph, "-map", "0:v", "-map", "[audio]", "-c:v", "copy",
                "-c:a", "aac", "-b:a", f"{settings.bitrate_kbps}k", "-ar", str(settings.sample_rate),
                "-movflags", "+faststart", "-f", "mp4", str(out)], what="adding the narration")


def correct_loudness(video: Path, out: Path, gain_db: float, settings: AudioSettings) -> None:
    """Re-encode only the audio with a static gain and a peak limiter at the true-peak ceiling.

    loudnorm can land a decibel or so off target on short speech with long
    pauses; a measured static correction closes the gap, and the limiter keeps
    the raised peaks under the ceiling.
    """
    ceiling = 10 ** (settings.true_peak_db / 20)
    run_ffmpeg(["-i", str(video), "-map", "0:v", "-map", "0:a", "-c:v", "copy",
                "-af", f"volume={gain_db:.2f}dB,alimiter=limit={ceiling:.4f}:level=false:attack=2:release=50",
                "-c:a", "aac", "-b:a", f"{settings.bitrate_kbps}k", "-ar", str(settings.sample_rate),
                "-movflags", "+faststart", "-f", "mp4", str(out)], what="correcting the narration's loudness")
