"""Reading a finished video back to measure where each shot boundary really is.

Each frame around a boundary is explained as a mix of the two shots' own
frames (least squares: frame = a*outgoing + b*incoming + c, on small grey
images). Where the incoming shot's weight overtakes the outgoing one's is the
boundary: the first such frame for a cut, the interpolated crossing for a
transition (its middle). Comparing that with the narration's boundary gives
the sync error; the stream lengths give the audio/video drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.domain.assembly import AssemblyPlan
from studio.errors import EncodeError

_THUMB = (36, 64)  # small grey frames: enough to tell two shots apart, cheap to hold a whole title


@dataclass(frozen=True, slots=True)
class BoundaryCheck:
    shot_id: str
    expected_s: float
    found_s: float

    @property
    def error_ms(self) -> float:
        return abs(self.found_s - self.expected_s) * 1000


@dataclass(frozen=True, slots=True)
class StreamLengths:
    video_s: float
    audio_s: float

    @property
    def drift_ms(self) -> float:
        return abs(self.video_s - self.audio_s) * 1000


def grey_thumbnails(path: Path) -> np.ndarray:
    """Every frame of `path` as a small grey float image."""
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            frames = [_luma_thumbnail(frame) for frame in container.decode(stream)]
    except (OSError, av.FFmpegError, IndexError) as error:
        raise EncodeError(f"cannot read {path} back: {error}") from None
    return np.stack(frames)


def _luma_thumbnail(frame: object) -> np.ndarray:
    """The frame's Y plane (its grey picture, no colour conversion needed) averaged down to the thumbnail size."""
    import cv2

    if frame.format.name not in ("yuv420p", "yuvj420p", "gray"):  # type: ignore[attr-defined]
        frame = frame.reformat(format="gray")  # type: ignore[attr-defined]
    plane = frame.planes[0]  # type: ignore[attr-defined]
    luma = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
    # Large frames are thinned first (still 4x the thumbnail's rows): the area average over what is left smooths
    # out codec noise as well, at a fraction of the cost.
    step = max(1, plane.height // (4 * _THUMB[1]))
    return cv2.resize(luma[::step, ::step], _THUMB, interpolation=cv2.INTER_AREA).astype(np.float32)


def stream_lengths(path: Path) -> StreamLengths:
    import av

    with av.open(str(path)) as container:
        video = container.streams.video[0]
        fps = float(video.average_rate)
        frames = sum(1 for packet in container.demux(video) if packet.size)
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise EncodeError(f"{path} has no audio stream")
        audio = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(audio))
        rate = audio.rate
    return StreamLengths(frames / fps, samples / rate)


def find_boundaries(final: np.ndarray, parts: list[np.ndarray], plan: AssemblyPlan) -> list[BoundaryCheck]:
    """Where each boundary lies in `final` (thumbnails), given each shot's own clip (`parts`)."""
    checks = []
    for index in range(1, len(plan.shots)):
        before, after = plan.shots[index - 1], plan.shots[index]
        first = max(0, after.clip_start_frame - 4)
        last = min(len(final), before.clip_start_frame + before.clip_frames + 4)
        window = range(first, last)
        outgoing = [parts[index - 1][min(max(j - before.clip_start_frame, 0), len(parts[index - 1]) - 1)] for j in window]
        incoming = [parts[index][min(max(j - after.clip_start_frame, 0), len(parts[index]) - 1)] for j in window]
        from_outgoing = np.array([np.abs(final[j] - o).mean() for j, o in zip(window, outgoing, strict=True)])
        from_incoming = np.array([np.abs(final[j] - i).mean() for j, i in zip(window, incoming, strict=True)])
        # "Shows that shot": closer to it than a fifth of the way to the other one (codec noise is far below).
        apart = np.array([np.abs(o - i).mean() for o, i in zip(outgoing, incoming, strict=True)])
        tolerance = 0.2 * np.maximum(apart, 1.0)
        leaves = np.nonzero(from_outgoing > tolerance)[0]
        settled = np.nonzero(from_incoming > tolerance)[0]
        if leaves.size == 0:
            found = float("nan")
        else:
            first_incoming = (settled[-1] + 1) if settled.size else 0
            if after.transition_in == "cut":
                found = first + first_incoming
            else:  # the middle between the last frame of the outgoing shot alone and the first of the incoming alone
                found = first + (leaves[0] - 1 + first_incoming) / 2
        checks.append(BoundaryCheck(after.shot_id, after.target_start_s, found / plan.fps))
    return checks
