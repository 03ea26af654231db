"""Loading keyframe images safely and fitting them to the frame's aspect."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from studio.errors import KeyframeError
from studio.files import replaced_atomically

# 50 megapixels covers any real camera or generator output; bigger files are
# refused before decoding (a 20000x20000 image would take 1.2 GB as RGB).
MAX_KEYFRAME_PIXELS = 50_000_000
MAX_KEYFRAME_BYTES = 100 * 1024 * 1024

FitRule = Literal["cover", "contain"]


def load_keyframe(path: Path, *, label: str | None = None) -> np.ndarray:
    """Decode an image file as RGB uint8, refusing missing, corrupt, truncated or huge files."""
    from PIL import Image, UnidentifiedImageError

    name = label or str(path)
    if not path.is_file():
        raise KeyframeError(f"keyframe {name} is missing; add the image or fix the file name in the script")
    if path.stat().st_size > MAX_KEYFRAME_BYTES:
        raise KeyframeError(f"keyframe {name} is over {MAX_KEYFRAME_BYTES // 2**20} MB; export it smaller")
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_KEYFRAME_PIXELS:
                raise KeyframeError(
                    f"keyframe {name} is {width}x{height} pixels, over the {MAX_KEYFRAME_PIXELS // 1_000_000} "
                    "megapixel limit; scale it down (1080x1920 is plenty)"
                )
            image.load()
            rgb = image.convert("RGB")
    except KeyframeError:
        raise
    except Image.DecompressionBombError:
        raise KeyframeError(
            f"keyframe {name} declares more pixels than can be decoded safely (a decompression bomb); "
            f"images up to {MAX_KEYFRAME_PIXELS // 1_000_000} megapixels are accepted"
        ) from None
    except UnidentifiedImageError:
        raise KeyframeError(f"keyframe {name} is not an image file PIL can read (corrupt or wrong format)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise KeyframeError(f"keyframe {name} could not be decoded ({error}); it may be truncated, re-export it") from None
    return np.asarray(rgb)


def check_keyframe(path: Path, *, label: str | None = None) -> None:
    """Refuse a keyframe file that would not decode, quickly: a PNG's chunks and checksums are read
    without decompressing (truncation and text named .png are found); other formats are decoded."""
    from PIL import Image, UnidentifiedImageError

    name = label or str(path)
    try:
        with Image.open(path) as image:
            is_png = image.format == "PNG" and image.width * image.height <= MAX_KEYFRAME_PIXELS
            if is_png:
                image.verify()
    except Image.DecompressionBombError:
        is_png = False  # load_keyframe names the limit
    except UnidentifiedImageError:
        raise KeyframeError(f"keyframe {name} is not an image file PIL can read (corrupt or wrong format)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise KeyframeError(f"keyframe {name} could not be decoded ({error}); it may be truncated, re-export it") from None
    if not is_png:
        load_keyframe(path, label=label)


def fit_to_frame(image: np.ndarray, size: tuple[int, int], rule: FitRule = "cover") -> np.ndarray:
    """Scale `image` to exactly `size` (width, height) without distortion.

    cover: scale until the frame is filled, centre-crop the overflow (the default).
    contain: scale until the whole image fits, fill the bars with a blurred,
    darkened cover of the same image, as vertical video usually does.
    """
    width, height = size
    src_h, src_w = image.shape[:2]
    if (src_w, src_h) == (width, height):
        return image
    cover = _cover(image, size)
    if rule == "cover":
        return cover
    scale = min(width / src_w, height / src_h)
    inner_w, inner_h = max(1, round(src_w * scale)), max(1, round(src_h * scale))
    inner = cv2.resize(image, (inner_w, inner_h), interpolation=_interpolation(scale))
    background = cv2.GaussianBlur(cover, (0, 0), sigmaX=max(width, height) / 40)
    background = (background * 0.6).astype(image.dtype)  # a depth map fitted alike puts the bars further back
    left, top = (width - inner_w) // 2, (height - inner_h) // 2
    background[top : top + inner_h, left : left + inner_w] = inner
    return background


def _cover(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    src_h, src_w = image.shape[:2]
    scale = max(width / src_w, height / src_h)
    crop_w, crop_h = min(src_w, round(width / scale)), min(src_h, round(height / scale))
    left, top = (src_w - crop_w) // 2, (src_h - crop_h) // 2
    cropped = image[top : top + crop_h, left : left + crop_w]
    return cv2.resize(cropped, (width, height), interpolation=_interpolation(scale))


def _interpolation(scale: float) -> int:
    return cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR


def native_canvas_size(image_size: tuple[int, int], frame_size: tuple[int, int]) -> tuple[int, int]:
    """The smallest frame-aspect size that holds all of the image's detail once cover-fitted.

    A 540x960 keyframe holds no more detail than a 540x960 canvas; rendering
    there and scaling the finished frame up costs a quarter of rendering at
    1080x1920 and looks the same. Sizes keep the frame's exact aspect and stay
    even (yuv420p).
    """
    src_w, src_h = image_size
    width, height = frame_size
    upscale = max(width / src_w, height / src_h)
    if upscale <= 1:
        return frame_size
    common = math.gcd(width, height)
    unit_w, unit_h = width // common, height // common
    step = 2 if unit_w % 2 or unit_h % 2 else 1
    units = math.ceil(width / upscale / unit_w / step) * step
    units = min(common, max(step, units))
    return (unit_w * units, unit_h * units)


def save_keyframe(image: np.ndarray, path: Path) -> None:
    """Write an RGB image as PNG, atomically (a temporary file renamed into place)."""
    from PIL import Image

    with replaced_atomically(path, ".png") as temp:
        Image.fromarray(image).save(temp, format="PNG")
