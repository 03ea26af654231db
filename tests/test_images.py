import numpy as np
import pytest
from PIL import Image

from studio.errors import KeyframeError
from studio.media.images import fit_to_frame, load_keyframe, native_canvas_size
from tests.conftest import real_photo


def test_loads_rgb(tmp_path):
    pixels = np.array([[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [9, 9, 9]]], dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "k.png")
    Image.fromarray(pixels[..., 0]).save(tmp_path / "gray.png")
    assert np.array_equal(load_keyframe(tmp_path / "k.png"), pixels)
    assert load_keyframe(tmp_path / "gray.png").shape == (2, 2, 3)


def test_missing_keyframe(tmp_path):
    with pytest.raises(KeyframeError, match="keyframe shot_001_A.png is missing; add the image or fix the file name"):
        load_keyframe(tmp_path / "shot_001_A.png", label="shot_001_A.png")


def test_corrupt_keyframe(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"this is not a png at all")
    with pytest.raises(KeyframeError, match="is not an image file PIL can read"):
        load_keyframe(tmp_path / "bad.png")


def test_truncated_keyframe(tmp_path):
    Image.fromarray(real_photo(width=320)).save(tmp_path / "full.png")
    data = (tmp_path / "full.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(KeyframeError, match="could not be decoded .* it may be truncated, re-export it"):
        load_keyframe(tmp_path / "cut.png")


def test_huge_keyframe_is_refused_before_decoding(tmp_path):
    # A real 20000x20000 PNG: one bit per pixel keeps the file and the test small.
    Image.new("1", (20000, 20000)).save(tmp_path / "huge.png")
    with pytest.raises(KeyframeError, match="decompression bomb"):
        load_keyframe(tmp_path / "huge.png")
    Image.new("1", (9000, 6000)).save(tmp_path / "big.png")  # 54 MP: under PIL's limit, over ours
    with pytest.raises(KeyframeError, match="is 9000x6000 pixels, over the 50 megapixel limit"):
        load_keyframe(tmp_path / "big.png")


def test_cover_crops_the_centre():
    image = np.arange(4 * 8 * 3, dtype=np.uint8).reshape(4, 8, 3)
    assert np.array_equal(fit_to_frame(image, (4, 4), "cover"), image[:, 2:6])
    assert fit_to_frame(image, (8, 4), "cover") is image


def test_contain_keeps_the_whole_image_over_a_darkened_blur():
    image = np.full((4, 8, 3), 200, dtype=np.uint8)
    fitted = fit_to_frame(image, (8, 8), "contain")
    assert np.array_equal(fitted[2:6], image)
    assert (fitted[:2] < 200).all() and (fitted[6:] < 200).all()


def test_native_canvas_size():
    assert native_canvas_size((486, 864), (1080, 1920)) == (486, 864)
    assert native_canvas_size((4000, 3000), (1080, 1920)) == (1080, 1920)
    assert native_canvas_size((500, 500), (1080, 1920)) == (288, 512)
    assert native_canvas_size((20, 20), (1080, 1920)) == (18, 32)
