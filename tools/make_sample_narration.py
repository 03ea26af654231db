"""Regenerates the sample workspace's narration with espeak-ng (run once; the outputs are committed).

    apt-get install espeak-ng && .venv/bin/python tools/make_sample_narration.py

Each shot's narration line is synthesised alone, its silence trimmed, and
placed 0.6 s into the shot's scripted time, so the exact start and end of
every line are known. The three sample titles carry their timing in three of
the supported ways: per-shot times in the script JSON, an SRT file, and
Whisper-style word JSON (each line's first and last word times are exact,
the words between share the line's time by length).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

from studio.media.ffmpeg import ffmpeg_executable
from studio.workspace import SAMPLE_WORKSPACE

RATE = 22050
LINE_OFFSET_S = 0.6
# Per title: audio container, timing style.
TITLES = {
    "9f7bca19-0bcb-48fc-b06f-55f8c3e65d67": (".ogg", "script"),
    "d109fc88-84b8-45d0-bfcc-b15887d103c3": (".m4a", "srt"),
    "8a65dbbd-b924-4f84-a4b0-8a2cbcb642c5": (".flac", "json"),
}
VOICES = {"women": "en-us+f3", "men": "en-us+m3"}


def speak(text: str, voice: str, folder: Path) -> np.ndarray:
    path = folder / "line.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "155", "-w", str(path), text], check=True)
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == RATE
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    loud = np.nonzero(np.abs(samples) > 300)[0]
    return samples[loud[0] : loud[-1] + 1]


def srt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def main() -> None:
    for path in sorted(SAMPLE_WORKSPACE.glob("scenes/json/*/*/*.json")):
        script = json.loads(path.read_text())
        suffix, style = TITLES[script["title_id"]]
        track = np.zeros(round(RATE * sum(s["duration_s"] for s in script["shots"])), np.int16)
        lines, shot_start = [], 0.0
        with tempfile.TemporaryDirectory() as temp:
            for shot in script["shots"]:
                samples = speak(shot["narration"], VOICES[script["segment"]], Path(temp))
                first = round((shot_start + LINE_OFFSET_S) * RATE)
                track[first : first + samples.size] = samples
                lines.append((shot, first / RATE, (first + samples.size) / RATE))
                shot_start += shot["duration_s"]
            wav_path = Path(temp) / "narration.wav"
            with wave.open(str(wav_path), "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(RATE)
                wav.writeframes(track.tobytes())
            folder = SAMPLE_WORKSPACE / "audio" / "narration" / script["segment"] / script["age_bucket"]
            folder.mkdir(parents=True, exist_ok=True)
            out = folder / f"{script['title_id']}{suffix}"
            codec = {".ogg": ["-c:a", "libvorbis", "-q:a", "3"], ".m4a": ["-c:a", "aac", "-b:a", "64k"], ".flac": ["-c:a", "flac"]}
            subprocess.run([ffmpeg_executable(), "-y", "-loglevel", "error", "-i", str(wav_path), *codec[suffix], str(out)], check=True)
        if style == "script":
            for shot, start, end in lines:
                shot["narration_start_s"], shot["narration_end_s"] = round(start, 3), round(end, 3)
            path.write_text(json.dumps(script, indent=2, ensure_ascii=False) + "\n")
        elif style == "srt":
            cues = [f"{i}\n{srt_time(start)} --> {srt_time(end)}\n{shot['narration']}\n" for i, (shot, start, end) in enumerate(lines, 1)]
            (folder / f"{script['title_id']}.srt").write_text("\n".join(cues))
        else:
            segments = []
            for shot, start, end in lines:
                tokens = shot["narration"].split()
                weights = np.cumsum([0] + [len(t) + 1 for t in tokens])
                times = start + (end - start) * weights / weights[-1]
                words = [{"word": f" {t}", "start": round(float(a), 3), "end": round(float(b), 3)}
                         for t, a, b in zip(tokens, times, times[1:])]
                segments.append({"start": round(start, 3), "end": round(end, 3), "text": " " + shot["narration"], "words": words})
            (folder / f"{script['title_id']}.json").write_text(json.dumps({"language": "en", "segments": segments}, indent=2) + "\n")
        print(f"{out.relative_to(SAMPLE_WORKSPACE)}: {track.size / RATE:.1f} s, timing in {style}")


if __name__ == "__main__":
    main()
