"""Streaming frames into ffmpeg as a delivery-spec H.264 clip, atomically."""

from __future__ import annotations

import contextlib
import queue
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from studio.errors import EncodeError
from studio.files import replaced_atomically
from studio.media.ffmpeg import ffmpeg_executable, stderr_tail
from studio.media.yuv import Frame, YuvFrame, as_yuv

# What the frames are, declared to ffmpeg so that it neither guesses nor converts them.
_INPUT_COLOUR = ["-color_range", "tv", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]


@dataclass(frozen=True, slots=True)
class EncoderSettings:
    """What the encoder needs from `video:` in pipeline.yaml."""

    width: int = 1080
    height: int = 1920
    fps: int = 30
    bitrate_kbps: int = 10000
    preset: str = "veryfast"
    threads: int | None = None
    """x264 threads; None = x264's own choice. Only 1 gives bit-exact output run to run."""

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    def output_args(self, input_size: tuple[int, int]) -> list[str]:
        """ffmpeg output options for yuv420p frames of `input_size`: scaled to
        the delivery size if they come smaller (bicubic, plane by plane, no
        colour conversion), constant-bitrate H.264 (so every clip lands in the
        8-12 Mbps spec, even a still one), BT.709 limited range like any HD
        deliverable, no audio, moov atom first for streaming."""
        scale = ["-vf", f"scale={self.width}:{self.height}:flags=bicubic"] if tuple(input_size) != self.size else []
        return [*scale, "-an", *self.codec_args(), "-movflags", "+faststart", "-f", "mp4"]

    def codec_args(self) -> list[str]:
        """The H.264 settings alone, shared by clips and by the assembly's re-encodes."""
        rate = f"{self.bitrate_kbps}k"
        return [
            "-c:v", "libx264", "-preset", self.preset, *(["-threads", str(self.threads)] if self.threads else []),
            "-b:v", rate, "-minrate", rate, "-maxrate", rate, "-bufsize", rate,
            "-x264-params", "nal-hrd=cbr:force-cfr=1",
            "-pix_fmt", "yuv420p",
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
            "-r", str(self.fps), "-fps_mode", "cfr",
        ]


def cut_point_args(frames: tuple[int, ...]) -> list[str]:
    """IDR frames (closed GOPs) at these frame numbers, so the clip can be split there by stream copy."""
    if not frames:
        return []
    return ["-force_key_frames", "expr:" + "+".join(f"eq(n,{n})" for n in frames), "-forced-idr", "1"]


class ClipEncoder:
    """Context manager: `write()` frames; on a clean exit the clip appears at `path`.

    ffmpeg takes yuv420p (BT.709, limited range): `YuvFrame`s go in as they
    are, RGB frames are converted here, once each (`as_yuv`).

    ffmpeg writes to a hidden temporary file beside `path`, renamed into place
    only after ffmpeg succeeded and the frame count matched; any error or a
    killed process leaves no partial clip where a finished one belongs. A
    writer thread feeds the pipe so frame synthesis overlaps encoding.

    `cut_points` are frame numbers that start a closed GOP, where the
    assembly splits the clip without re-encoding it.

    Frames may come at `input_size` (same aspect, smaller, even): ffmpeg
    scales them to the delivery size, which costs less than scaling in Python
    and piping five times the bytes.
    """

    def __init__(
        self,
        path: Path,
        settings: EncoderSettings,
        *,
        expected_frames: int | None = None,
        input_size: tuple[int, int] | None = None,
        cut_points: tuple[int, ...] = (),
    ) -> None:
        self.path = path
        self.cut_points = cut_points
        self.settings = settings
        self.input_size = input_size or settings.size
        if self.input_size[0] % 2 or self.input_size[1] % 2:
            raise EncodeError(
                f"frames of {self.input_size[0]}x{self.input_size[1]} cannot be encoded: yuv420p needs an even width "
                "and height; render at an even size (the keyframe canvas always is)"
            )
        self.expected_frames = expected_frames
        self.frames_written = 0
        self._queue: queue.Queue[YuvFrame | None] = queue.Queue(maxsize=4)
        self._process: subprocess.Popen[bytes] | None = None
        self._writer: threading.Thread | None = None
        self._write_error: BaseException | None = None
        self._temp_path: Path | None = None
        self._replacement: contextlib.AbstractContextManager[Path] | None = None
        self._stderr: tempfile._TemporaryFileWrapper[bytes] | None = None

    def __enter__(self) -> ClipEncoder:
        self._replacement = replaced_atomically(self.path, ".partial.mp4")
        self._temp_path = self._replacement.__enter__()
        self._stderr = tempfile.TemporaryFile()
        size = f"{self.input_size[0]}x{self.input_size[1]}"
        command = [
            ffmpeg_executable(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", size, "-r", str(self.settings.fps), *_INPUT_COLOUR,
            "-i", "pipe:0", *self.settings.output_args(self.input_size), *cut_point_args(self.cut_points),
            str(self._temp_path),
        ]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=self._stderr)
        self._writer = threading.Thread(target=self._feed, name="ffmpeg-feed", daemon=True)
        self._writer.start()
        return self

    def _feed(self) -> None:
        assert self._process is not None and self._process.stdin is not None
        try:
            while (frame := self._queue.get()) is not None:
                for plane in frame.planes():  # read-only and contiguous: written without a copy
                    self._process.stdin.write(plane.data)
        except BaseException as error:  # noqa: BLE001 - handed to the main thread in close()
            self._write_error = error
            while self._queue.get() is not None:  # drain so write() never blocks forever
                continue
        finally:
            with contextlib.suppress(OSError):  # already broken: ffmpeg died, close() reports it
                self._process.stdin.close()

    def write(self, frame: Frame) -> None:
        """Queue one frame: a `YuvFrame` of `input_size`, or RGB uint8 of (height, width, 3)."""
        if isinstance(frame, YuvFrame):
            if frame.size != tuple(self.input_size):
                raise EncodeError(
                    f"frame of {frame.size[0]}x{frame.size[1]} given; the encoder takes {self.input_size[0]}x{self.input_size[1]}"
                )
        else:
            expected = (self.input_size[1], self.input_size[0], 3)
            if frame.shape != expected or frame.dtype != np.uint8:
                raise EncodeError(f"frame of shape {frame.shape} {frame.dtype} given; the encoder takes {expected} uint8 RGB")
        if self._write_error is not None:
            raise EncodeError(f"ffmpeg stopped taking frames: {self._error_text()}")
        self._queue.put(as_yuv(frame))
        self.frames_written += 1

    def _error_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return stderr_tail(self._stderr.read().decode("utf-8", "replace"))

    def _finish(self) -> None:
        assert self._process is not None and self._writer is not None
        self._queue.put(None)
        self._writer.join()
        returncode = self._process.wait()
        if returncode != 0 or self._write_error is not None:
            raise EncodeError(f"ffmpeg failed encoding {self.path.name} (exit {returncode}):\n{self._error_text()}")
        if self.expected_frames is not None and self.frames_written != self.expected_frames:
            raise EncodeError(f"{self.path.name}: {self.frames_written} frames written, {self.expected_frames} expected")

    def _abort(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
        if self._writer is not None and self._writer.is_alive():
            self._queue.put(None)
            self._writer.join(timeout=5)
        if self._process is not None:
            self._process.wait()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        assert self._replacement is not None
        try:
            if kind is None:
                self._finish()
            else:
                self._abort()
        except BaseException as failure:
            self._abort()
            self._replacement.__exit__(type(failure), failure, failure.__traceback__)  # discards the partial clip
            raise
        else:
            self._replacement.__exit__(kind, error, trace)  # renames the finished clip into place, or discards it
        finally:
            if self._stderr is not None:
                self._stderr.close()
