"""Reading a finished clip back: the facts the delivery spec is checked against."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from studio.errors import EncodeError


@dataclass(frozen=True, slots=True)
class ClipInfo:
    width: int
    height: int
    fps: Fraction
    codec: str
    pix_fmt: str
    num_frames: int
    duration_s: float
    bitrate_kbps: float
    has_audio: bool
    faststart: bool
    color_space: str | None

    def spec_problems(self, *, width: int = 1080, height: int = 1920, fps: int = 30, expected_frames: int | None = None) -> list[str]:
        """What keeps this clip from the delivery spec; empty when it meets it."""
        problems = []
        if (self.width, self.height) != (width, height):
            problems.append(f"size {self.width}x{self.height}, not {width}x{height}")
        if self.fps != fps:
            problems.append(f"{float(self.fps):g} fps, not {fps}")
        if self.codec != "h264":
            problems.append(f"codec {self.codec}, not h264")
        if self.pix_fmt != "yuv420p":
            problems.append(f"pixel format {self.pix_fmt}, not yuv420p")
        if not 8000 <= self.bitrate_kbps <= 12000:
            problems.append(f"{self.bitrate_kbps / 1000:.2f} Mbps, not 8-12")
        if self.has_audio:
            problems.append("has an audio track")
        if not self.faststart:
            problems.append("moov atom after the media data (no +faststart)")
        if expected_frames is not None and self.num_frames != expected_frames:
            problems.append(f"{self.num_frames} frames, not {expected_frames}")
        return problems


def _top_level_boxes(path: Path) -> list[str]:
    """Names of the MP4 file's top-level boxes, in order."""
    names = []
    with path.open("rb") as stream:
        while header := stream.read(8):
            if len(header) < 8:
                break
            size, name = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", stream.read(8))[0] - 8
            elif size == 0:
                names.append(name.decode("latin-1"))
                break
            names.append(name.decode("latin-1"))
            stream.seek(size - 8, 1)
    return names


def probe_clip(path: Path) -> ClipInfo:
    """Open `path` with PyAV and count its video packets (exact frame count)."""
    import av

    try:
        container = av.open(str(path))
    except (OSError, av.FFmpegError) as error:
        raise EncodeError(f"cannot read clip {path}: {error}") from None
    with container:
        if not container.streams.video:
            raise EncodeError(f"{path} has no video stream")
        stream = container.streams.video[0]
        context = stream.codec_context
        frames = sum(1 for packet in container.demux(stream) if packet.size)
        fps = stream.average_rate or Fraction(0)
        duration_s = frames / fps if fps else 0.0
        video_bytes = path.stat().st_size
        boxes = _top_level_boxes(path)
        faststart = "moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat")
        return ClipInfo(
            width=context.width,
            height=context.height,
            fps=Fraction(fps),
            codec=context.name,
            pix_fmt=context.pix_fmt or "",
            num_frames=frames,
            duration_s=float(duration_s),
            bitrate_kbps=video_bytes * 8 / 1000 / float(duration_s) if duration_s else 0.0,
            has_audio=bool(container.streams.audio),
            faststart=faststart,
            color_space=str(context.colorspace) if context.colorspace is not None else None,
        )
