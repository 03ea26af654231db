"""The warping error: static clips score 0, smooth motion scores low, flicker and noise score high."""

import numpy as np
import pytest

from studio.errors import StudioError
from studio.media.comparison import compare_clips
from studio.media.consistency import MAX_PAIRS, clip_warping_error, sampled_pairs, warping_error
from studio.media.encoder import ClipEncoder, EncoderSettings
from tests.conftest import real_photo

WIDTH, HEIGHT = 160, 288


def panning(frames: int = 20, step_px: int = 2) -> list[np.ndarray]:
    """A real photograph panned sideways `step_px` per frame: motion the flow can explain."""
    photo = real_photo("forest", 400)
    return [np.ascontiguousarray(photo[:HEIGHT, i * step_px: i * step_px + WIDTH]) for i in range(frames)]


def flickering(frames: list[np.ndarray]) -> list[np.ndarray]:
    """The same frames with every third one noisy and every fourth one brighter: what the flow cannot explain."""
    rng = np.random.default_rng(0)
    out = []
    for index, frame in enumerate(frames):
        frame = frame.astype(np.int16)
        if index % 3 == 1:
            frame = frame + rng.integers(-40, 41, frame.shape)
        if index % 4 == 2:
            frame = frame + 30
        out.append(np.clip(frame, 0, 255).astype(np.uint8))
    return out


def test_static_scores_zero_panning_low_and_flicker_clearly_higher():
    static = warping_error([panning(1)[0]] * 12)
    smooth = warping_error(panning())
    noisy = warping_error(flickering(panning()))
    assert (static.mean, static.pairs, static.kept_share) == (0.0, 11, 1.0)
    assert 0 < smooth.mean < 1.0 and smooth.pairs == 19 and smooth.kept_share > 0.9
    assert noisy.mean > 10 and noisy.mean > 50 * smooth.mean
    # Occluded or unreliable pixels are left out, never most of the picture.
    assert noisy.kept_share > 0.5


def test_long_clips_are_measured_on_an_even_sample_of_pairs():
    assert sampled_pairs(5) == [0, 1, 2, 3]
    assert sampled_pairs(1) == []
    pairs = sampled_pairs(210)
    assert len(pairs) == MAX_PAIRS and pairs[0] == 0 and pairs[-1] == 208
    assert pairs == sorted(set(pairs))
    with pytest.raises(StudioError, match="at least two frames; this clip has 1"):
        warping_error(panning(1))


def encode(path, frames: list[np.ndarray]) -> None:
    settings = EncoderSettings(width=WIDTH, height=HEIGHT, fps=30, bitrate_kbps=4000, preset="ultrafast", threads=1)
    with ClipEncoder(path, settings, expected_frames=len(frames)) as encoder:
        for frame in frames:
            encoder.write(frame)


def test_clip_files_keep_the_ordering_and_compare_frame_by_frame(tmp_path):
    encode(tmp_path / "smooth.mp4", panning())
    encode(tmp_path / "again.mp4", panning())
    encode(tmp_path / "noisy.mp4", flickering(panning()))
    smooth, noisy = clip_warping_error(tmp_path / "smooth.mp4"), clip_warping_error(tmp_path / "noisy.mp4")
    assert smooth.mean < 2.0 and noisy.mean > 5 * smooth.mean and smooth.pairs == noisy.pairs == 19

    same = compare_clips(tmp_path / "smooth.mp4", tmp_path / "again.mp4")
    assert (same.identical, same.frames, same.max_abs_diff, same.psnr_db) == (True, 20, 0, None)
    other = compare_clips(tmp_path / "smooth.mp4", tmp_path / "noisy.mp4")
    assert not other.identical and other.frames == 20 and other.max_abs_diff > 30 and 5 < other.psnr_db < 40
