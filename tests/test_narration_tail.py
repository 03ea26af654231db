"""Narration that starts late and ends just past the video: the final's audio is exactly as long as its video.

Issue 16: a 16 kHz mono espeak-ng WAV whose speech starts 6.7 s in (so 6.4 s are
trimmed for a 0.3 s lead-in) and runs a little past the video came out 50-80 ms
short: loudnorm's last frames carry timestamps ahead of their samples, and the
padding and trim went by timestamps.
"""

import shutil
import subprocess
import wave

import numpy as np
import pytest

from studio.domain.assembly import AssemblyPlan
from studio.media.audio import decode_mono, measure_loudness
from studio.media.ffmpeg import ffmpeg_executable
from studio.media.stitch import AudioSettings, mux_narration, placement_filter
from studio.media.sync import stream_lengths

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is not installed (apt-get install espeak-ng); it speaks the narration")

RATE, FPS, FRAMES = 16000, 30, 180  # a 6 s video
SPEECH_START_S, LEAD_IN_S = 6.7, 0.3
LINE = ("Some evenings the light turns everything to gold, and the meadow keeps humming with the last bees of the "
        "day long after the sun has gone behind the hills.")


def espeak_narration(folder, past_video_s: float):
    """A 16 kHz mono WAV: silence, then speech from 6.7 s, cut `past_video_s` after the video's end."""
    spoken = folder / "line.wav"
    subprocess.run(["espeak-ng", "-v", "en-us+f3", "-s", "155", "-w", str(spoken), LINE], check=True)
    samples = decode_mono(spoken, RATE)
    loud = np.nonzero(np.abs(samples) > 0.01)[0]
    samples = samples[loud[0]:]
    offset_s = SPEECH_START_S - LEAD_IN_S
    length = round((offset_s + FRAMES / FPS + past_video_s) * RATE)
    track = np.zeros(length, np.float32)
    start = round(SPEECH_START_S * RATE)
    track[start:] = samples[: length - start]
    assert length - start < samples.size  # the speech runs past the video
    path = folder / "narration.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(track, -1, 1) * 32767).astype(np.int16).tobytes())
    return path, offset_s


def decoded_samples(path) -> int:
    """Audio samples of `path` as ffmpeg decodes them (encoder priming removed by the edit list)."""
    pcm = subprocess.run([ffmpeg_executable(), "-v", "error", "-i", str(path), "-map", "0:a", "-f", "s16le", "-ac", "1",
                          "-"], capture_output=True, check=True).stdout
    return len(pcm) // 2


@pytest.mark.parametrize("past_video_s", [0.05, 0.15])
def test_a_late_narration_ending_past_the_video_fills_it_exactly(tmp_path, past_video_s):
    video = tmp_path / "video.mp4"
    subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", f"color=c=gray:s=216x384:r={FPS}",
                    "-frames:v", str(FRAMES), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    str(video)], check=True)
    narration, offset_s = espeak_narration(tmp_path, past_video_s)
    plan = AssemblyPlan(fps=FPS, audio_offset_s=offset_s, total_frames=FRAMES, shots=[])
    settings = AudioSettings()
    measured = measure_loudness(narration, placement_filter(offset_s))
    final = tmp_path / "final.mp4"
    mux_narration(video, narration, final, plan=plan, measured=measured, settings=settings)
    assert decoded_samples(final) == FRAMES * settings.sample_rate // FPS
    assert stream_lengths(final).drift_ms <= 1000 / FPS
