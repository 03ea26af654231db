"""Review copies: a light H.264 copy of a take for the arena's players, made once beside the take.

A delivery clip is 1080x1920 at 10 Mbps; two of them per pair are heavy to
send to a reviewer who watches them at half that size. The review copy is
the same frames at 540x960 (the clip fitted into that box, aspect kept; a
clip already smaller keeps its size), 2 Mbps, yuv420p, moov atom first, no
audio: `<take>.review.mp4` beside `<take>.mp4`. It is made when the take is
rendered, or on first use for a take rendered before copies existed; the
full clip stays the deliverable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.errors import EncodeError
from studio.files import replaced_atomically
from studio.media.encoder import EncoderSettings
from studio.media.ffmpeg import run_ffmpeg
from studio.media.probe import probe_clip


@dataclass(frozen=True, slots=True)
class ReviewCopySpec:
    """What a review copy is: the box its picture is fitted into (never enlarged), and its H.264 rate."""

    width: int = 540
    height: int = 960
    bitrate_kbps: int = 2000
    preset: str = "veryfast"


REVIEW_COPY = ReviewCopySpec()
SUFFIX = ".review.mp4"


def review_copy_path(clip: Path) -> Path:
    """Where `clip`'s review copy lives: beside it, `<stem>.review.mp4`."""
    return clip.with_name(clip.stem + SUFFIX)


def is_fresh(clip: Path) -> bool:
    """Whether `clip` has a review copy at least as new as the clip itself."""
    copy = review_copy_path(clip)
    try:
        return copy.stat().st_mtime_ns >= clip.stat().st_mtime_ns
    except FileNotFoundError:
        return False


def make_review_copy(clip: Path, spec: ReviewCopySpec = REVIEW_COPY) -> Path:
    """Encode `clip`'s review copy now (replacing any earlier one atomically) and return its path.

    Every frame is kept, at the clip's own frame rate; a copy whose frame
    count differs from the clip's is refused and never published.
    """
    if not clip.is_file():
        raise EncodeError(f"no clip to make a review copy of: {clip} is missing")
    source = probe_clip(clip)
    settings = EncoderSettings(width=spec.width, height=spec.height, fps=round(source.fps),
                               bitrate_kbps=spec.bitrate_kbps, preset=spec.preset)
    fit = (f"scale='min({spec.width},iw)':'min({spec.height},ih)':force_original_aspect_ratio=decrease"
           ":force_divisible_by=2:flags=bicubic")
    target = review_copy_path(clip)
    with replaced_atomically(target, ".partial.mp4") as temp:
        run_ffmpeg(["-i", str(clip), "-map", "0:v:0", "-vf", fit, "-an", *settings.codec_args(),
                    "-movflags", "+faststart", "-f", "mp4", str(temp)], what=f"making the review copy of {clip.name}")
        frames = probe_clip(temp).num_frames
        if frames != source.num_frames:
            raise EncodeError(f"the review copy of {clip.name} has {frames} frames, the clip {source.num_frames}; "
                              "it was not kept")
    return target


def review_copy(clip: Path, spec: ReviewCopySpec = REVIEW_COPY) -> Path:
    """`clip`'s review copy: a fresh one on disk is returned as it is; otherwise it is made now.

    Callers that may ask for one clip from many threads at once take turns
    per clip themselves (services/render/takes.py ReviewCopies), so this module keeps no state.
    """
    if not is_fresh(clip):
        make_review_copy(clip, spec)
    return review_copy_path(clip)


__all__ = ["REVIEW_COPY", "ReviewCopySpec", "is_fresh", "make_review_copy", "review_copy", "review_copy_path"]
