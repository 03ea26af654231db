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

from studio.domain.assembly import AssemblyPlan, xfade_name
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


def concat_copy(parts: list[Path], plan: AssemblyPlan, out: Path) -> None:
    """Clips back to back by stream copy (they must share codec settings, as every studio clip does).

    Each clip's exact length is given: the demuxer would otherwise take the
    container's, a few ticks short of the last frame, and the timestamps of
    every later clip would drift by that much.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".txt", dir=out.parent, delete=False) as listing:
        for part, shot in zip(parts, plan.shots, strict=True):
            escaped = str(part.resolve()).replace("'", "'\\''")
            listing.write(f"file '{escaped}'\nduration {_seconds(shot.clip_frames, plan.fps)}\n")
    try:
        run_ffmpeg(["-f", "concat", "-safe", "0", "-i", listing.name, "-map", "0:v", "-c", "copy", "-an",
                    "-movflags", "+faststart", "-f", "mp4", str(out)], what="joining the shots by stream copy")
    finally:
        os.unlink(listing.name)


def transition_graph(plan: AssemblyPlan) -> str:
    """The filter graph joining inputs 0..n-1 (one per planned shot) with their transitions, output [video]."""
    fps = plan.fps
    # One time base for every link: concat outputs microseconds, and xfade refuses inputs that differ.
    steps = [f"[{index}:v]settb=AVTB[s{index}]" for index in range(len(plan.shots))]
    current, length = "[s0]", plan.shots[0].clip_frames
    for index, shot in enumerate(plan.shots[1:], start=1):
        label = f"[j{index}]"
        if shot.transition_in == "cut":
            steps.append(f"{current}[s{index}]concat=n=2:v=1:a=0{label}")
            length += shot.clip_frames
        else:
            overlap = 2 * shot.head_frames
            steps.append(
                f"{current}[s{index}]xfade=transition={xfade_name(shot.transition_in)}:"
                f"duration={_seconds(overlap, fps)}:offset={_seconds(length - overlap, fps)}{label}"
            )
            length += shot.clip_frames - overlap
        current = label
    steps.append(f"{current}format=yuv420p[video]")
    return ";".join(steps)


def stitch_with_transitions(parts: list[Path], plan: AssemblyPlan, out: Path, settings: EncoderSettings) -> None:
    inputs = [arg for part in parts for arg in ("-i", str(part))]
    run_ffmpeg([*inputs, "-filter_complex", transition_graph(plan), "-map", "[video]", "-an", *settings.codec_args(),
                "-frames:v", str(plan.total_frames), "-movflags", "+faststart", "-f", "mp4", str(out)],
               what="joining the shots with transitions")


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
    duration = _seconds(plan.total_frames, plan.fps)
    voice = (
        f"[1:a]{placement_filter(plan.audio_offset_s)},"
        f"loudnorm=I={settings.target_lufs}:TP={settings.true_peak_db}:LRA=11:"
        f"measured_I={measured.integrated_lufs}:measured_TP={measured.true_peak_dbtp}:"
        f"measured_LRA={measured.range_lu}:measured_thresh={measured.threshold_lufs}:linear=true,"
        f"aresample={settings.sample_rate},aformat=channel_layouts=stereo"
    )
    inputs = ["-i", str(video), "-i", str(narration)]
    if music is None:
        graph = f"{voice},apad=whole_dur={duration},atrim=end={duration}[audio]"
    else:
        inputs += ["-stream_loop", "-1", "-i", str(music)]
        graph = (
            f"{voice},apad=whole_dur={duration}[voice];[voice]asplit[spoken][key];"
            f"[2:a]aresample={settings.sample_rate},aformat=channel_layouts=stereo,volume={settings.music_gain_db}dB[bed];"
            "[bed][key]sidechaincompress=threshold=0.03:ratio=6:attack=20:release=400[ducked];"
            f"[spoken][ducked]amix=inputs=2:duration=first:normalize=0,atrim=end={duration}[audio]"
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
