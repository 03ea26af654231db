"""Decoding a clip's frames with PyAV, for the checks that read clips back (comparison, retiming)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from studio.errors import EncodeError


def rgb_frames(path: Path, purpose: str) -> Iterator[np.ndarray]:
    """Every frame of the clip at `path` as RGB, one at a time; a file that does not decode is an EncodeError
    saying what it was read for (`purpose`, e.g. "to compare it")."""
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                yield frame.to_ndarray(format="rgb24")
    except (OSError, av.FFmpegError, IndexError) as error:  # IndexError: a file without a video stream
        raise EncodeError(f"cannot read clip {path} {purpose}: {error}") from None
