"""Narration audio: reading it, measuring its loudness, and a waveform to draw."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.errors import NarrationError
from studio.media.ffmpeg import ffmpeg_executable, stderr_tail

AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".flac", ".ogg")


@dataclass(frozen=True, slots=True)
class Loudness:
    """EBU R128 figures as ffmpeg measures them (a loudnorm pass, or the ebur128 filter)."""

    integrated_lufs: float
    true_peak_dbtp: float
    range_lu: float
    threshold_lufs: float


def decode_mono(path: Path, rate: int = 8000) -> np.ndarray:
    """The whole file as mono float32 at `rate`; a file that will not decode is a NarrationError."""
    import av

    if not path.is_file():
        raise NarrationError(f"narration audio {path} does not exist")
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise NarrationError(f"{path} has no audio stream")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            chunks = []
            for frame in container.decode(audio=0):
                chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    except (OSError, av.FFmpegError, ValueError) as error:
        raise NarrationError(f"{path} is not readable audio ({error}); re-export it as wav, mp3, m4a, flac or ogg") from None
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    if samples.size == 0:
        raise NarrationError(f"{path} holds no audio samples; re-export it")
    return samples


def audio_duration_s(path: Path) -> float:
    """Length from decoding the whole file, so a truncated or corrupt one is caught here."""
    return decode_mono(path).size / 8000


def envelope(path: Path, points: int = 1200) -> tuple[np.ndarray, float]:
    """Peak level per slice for drawing a waveform, and the duration."""
    samples = decode_mono(path)
    slices = np.array_split(np.abs(samples), min(points, samples.size))
    return np.array([s.max() for s in slices], dtype=np.float32), samples.size / 8000


def measure_loudness(path: Path, audio_filter: str | None = None) -> Loudness:
    """Integrated loudness, true peak and range of the audio in `path` (after `audio_filter` if given)."""
    chain = f"{audio_filter}," if audio_filter else ""
    command = [ffmpeg_executable(), "-hide_banner", "-nostdin", "-i", str(path), "-vn",
               "-af", f"{chain}loudnorm=print_format=json", "-f", "null", "-"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", result.stderr)
    if result.returncode != 0 or not found:
        raise NarrationError(f"could not measure the loudness of {path}:\n{stderr_tail(result.stderr)}")
    figures = json.loads(found.group(0))
    return Loudness(
        integrated_lufs=float(figures["input_i"]), true_peak_dbtp=float(figures["input_tp"]),
        range_lu=float(figures["input_lra"]), threshold_lufs=float(figures["input_thresh"]),
    )


_SUMMARY = {
    "integrated_lufs": r"Integrated loudness:\s+I:\s+(-?[\d.]+|-inf) LUFS",
    "threshold_lufs": r"Integrated loudness:.*?Threshold:\s+(-?[\d.]+|-inf) LUFS",
    "range_lu": r"LRA:\s+(-?[\d.]+) LU",
    "true_peak_dbtp": r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS",
}


def read_loudness(path: Path) -> Loudness:
    """A finished file's EBU R128 figures from ffmpeg's ebur128 filter: about five times quicker than a loudnorm pass,
    which resamples to 192 kHz. For checking a result; the first pass of a two-pass loudnorm stays `measure_loudness`,
    whose range and threshold loudnorm's second pass expects."""
    command = [ffmpeg_executable(), "-hide_banner", "-nostdin", "-nostats", "-i", str(path), "-vn",
               "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    summary = result.stderr.rpartition("Summary:")[2]
    found = {name: re.search(pattern, summary, re.DOTALL) for name, pattern in _SUMMARY.items()}
    if result.returncode != 0 or not all(found.values()):
        raise NarrationError(f"could not measure the loudness of {path}:\n{stderr_tail(result.stderr)}")
    return Loudness(**{name: float(match.group(1)) for name, match in found.items()})
