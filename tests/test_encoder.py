import numpy as np
import pytest

from studio.errors import EncodeError
from studio.media.encoder import ClipEncoder, EncoderSettings
from studio.media.probe import probe_clip

SMALL = EncoderSettings(width=108, height=192, fps=30, bitrate_kbps=10000, preset="ultrafast")


def frames(count: int, size=(108, 192)):
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    return [np.roll(base, index, axis=1) for index in range(count)]


def test_clip_meets_the_spec_shape(tmp_path):
    path = tmp_path / "clip.mp4"
    with ClipEncoder(path, SMALL, expected_frames=45) as encoder:
        for frame in frames(45):
            encoder.write(frame)
    info = probe_clip(path)
    assert (info.width, info.height, info.fps, info.codec, info.pix_fmt) == (108, 192, 30, "h264", "yuv420p")
    assert (info.num_frames, info.duration_s, info.has_audio, info.faststart) == (45, 1.5, False, True)
    assert 8000 <= info.bitrate_kbps <= 12000
    assert info.spec_problems(width=108, height=192, expected_frames=45) == []
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_smaller_frames_are_scaled_to_the_delivery_size(tmp_path):
    path = tmp_path / "clip.mp4"
    with ClipEncoder(path, SMALL, expected_frames=10, input_size=(54, 96)) as encoder:
        for frame in frames(10, (54, 96)):
            encoder.write(frame)
    assert (probe_clip(path).width, probe_clip(path).height) == (108, 192)


def test_a_failure_leaves_the_finished_clip_untouched(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"the earlier, finished clip")
    with pytest.raises(RuntimeError, match="render crashed"):
        with ClipEncoder(path, SMALL) as encoder:
            for frame in frames(5):
                encoder.write(frame)
            raise RuntimeError("render crashed")
    assert path.read_bytes() == b"the earlier, finished clip"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_a_short_clip_is_not_published(tmp_path):
    path = tmp_path / "clip.mp4"
    with pytest.raises(EncodeError, match="clip.mp4: 3 frames written, 30 expected"):
        with ClipEncoder(path, SMALL, expected_frames=30) as encoder:
            for frame in frames(3):
                encoder.write(frame)
    assert list(tmp_path.iterdir()) == []


def test_wrong_frame_shape_is_refused(tmp_path):
    with pytest.raises(EncodeError, match=r"frame of shape \(10, 10, 3\) uint8 given; the encoder takes \(192, 108, 3\)"):
        with ClipEncoder(tmp_path / "clip.mp4", SMALL) as encoder:
            encoder.write(np.zeros((10, 10, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_ffmpeg_errors_carry_its_message(tmp_path):
    bad = EncoderSettings(width=108, height=192, preset="no-such-preset")
    with pytest.raises(EncodeError, match="ffmpeg"):
        with ClipEncoder(tmp_path / "clip.mp4", bad) as encoder:
            for frame in frames(60):
                encoder.write(frame)
    assert list(tmp_path.iterdir()) == []

