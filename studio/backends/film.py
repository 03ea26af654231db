"""FILM neural interpolation (Reda et al., ECCV 2022), from the PyTorch port's TorchScript export.

The port (github.com/dajes/frame-interpolation-pytorch) publishes the
pretrained "Style" network as a TorchScript file, `film_net_fp32.pt` (and
`film_net_fp16.pt`). Its README gives the whole call contract, which is all
this module relies on:

    model = torch.jit.load(path, map_location=...)
    middle = model(img1, img2, dt)

img1 and img2 are float (N, 3, H, W) RGB in [0, 1], dt an (N, 1) tensor of
the moment in (0, 1); the result has the inputs' shape. The port's own
inference script pads H and W to multiples of 64 before calling it, and so do
we (edges replicated, cropped back after).

Memory: FILM builds feature pyramids of both keyframes at full resolution, so
its memory grows with the pixel count. Keyframes larger than
`max_pixels` (interpolation.film_max_pixels) are run at the largest scale that
fits and the result is scaled back up. Scaling was chosen over tiles because
a tile cuts any motion that crosses its edge, and large motion is what FILM
is for; the cost is detail above the working resolution.

torch is imported inside the functions that use it (nothing here needs it at
class definition), and `studio.backends.interpolator` imports this module only
when FILM is picked.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from studio.backends.camera import Camera
from studio.backends.flow import warp_camera
from studio.errors import BackendUnavailableError

if TYPE_CHECKING:
    import torch

# The port's inference script aligns inputs to this before calling the model.
PAD_MULTIPLE = 64
# 1080x1920 keyframes (2.07 MP) run at about 0.7x. Chosen, not measured: the real weights' memory was never seen here.
DEFAULT_MAX_PIXELS = 1_048_576
_GET_WEIGHTS = (
    "download film_net_fp32.pt from the release of github.com/dajes/frame-interpolation-pytorch "
    "(v1.0.0) and set interpolation.film_weights to its path (or pass --weights / --film-weights)"
)
_CONTRACT = "forward(img1, img2, dt)"
_PROBE_SIZE = 2 * PAD_MULTIPLE
_PROBE_SHAPE = f"(1, 3, {_PROBE_SIZE}, {_PROBE_SIZE})"


def _check_contract(model: torch.jit.ScriptModule, weights: Path) -> None:
    """Refuse a TorchScript module whose forward does not take (img1, img2, dt) and return one tensor."""
    schema = model.forward.schema
    inputs = [argument for argument in schema.arguments if argument.name != "self"]
    required = [argument for argument in inputs if not argument.has_default_value()]
    tensors_out = [str(result.type) for result in schema.returns] == ["Tensor"]
    if len(required) > 3 or len(inputs) < 3 or not tensors_out:
        names = ", ".join(argument.name for argument in inputs) or "nothing"
        returns = ", ".join(str(result.type) for result in schema.returns)
        raise BackendUnavailableError(
            f"{weights} is TorchScript but not FILM: its forward takes ({names}) and returns {returns}, where FILM "
            f"is {_CONTRACT} -> Tensor; {_GET_WEIGHTS}"
        )


def _probe(model: torch.jit.ScriptModule, weights: Path, device: torch.device) -> None:
    """One tiny call, so a module that takes three tensors but does something else fails here, not mid-shot."""
    import torch

    # Twice the alignment: the real network's coarsest pyramid level is 1/64, so this gives it 2x2 there.
    image = torch.zeros(1, 3, _PROBE_SIZE, _PROBE_SIZE, device=device)
    try:
        with torch.inference_mode():
            out = model(image, image, image.new_full((1, 1), 0.5))
    except Exception as error:  # TorchScript raises plain RuntimeErrors for every kind of mismatch
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise BackendUnavailableError(
            f"{weights} does not run as FILM {_CONTRACT} on a {_PROBE_SHAPE} pair ({first_line}); {_GET_WEIGHTS}"
        ) from None
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != tuple(image.shape):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise BackendUnavailableError(
            f"{weights} returned {shape} for a {_PROBE_SHAPE} pair where FILM returns the middle frame of the same "
            f"shape; {_GET_WEIGHTS}"
        )


def load_film(weights: Path, device: torch.device) -> torch.jit.ScriptModule:
    """The FILM TorchScript module from `weights`, on `device` in fp32, its call contract checked."""
    import torch

    if not weights.is_file():
        raise BackendUnavailableError(f"FILM weights not found at {weights}; {_GET_WEIGHTS}")
    try:
        model = torch.jit.load(str(weights), map_location=device)
    except Exception as error:  # zip, pickle and TorchScript errors all mean the same to the user
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise BackendUnavailableError(f"{weights} is not a TorchScript file ({first_line}); {_GET_WEIGHTS}") from None
    # fp32 on every device: the port warps with grid_sample, and half-precision sampling coordinates
    # are a pixel or more off across a 1080-pixel-wide frame (bf16: 8 px).
    model = model.float().eval()
    _check_contract(model, weights)
    _probe(model, weights, device)
    return model


def working_size(height: int, width: int, max_pixels: int | None) -> tuple[int, int]:
    """(height, width) FILM runs at: the keyframes', or scaled down to `max_pixels` (None: no limit)."""
    if max_pixels is None or height * width <= max_pixels:
        return height, width
    factor = math.sqrt(max_pixels / (height * width))
    return max(1, math.floor(height * factor)), max(1, math.floor(width * factor))


def _padding(size: int) -> tuple[int, int]:
    # Centred, as the port's inference script pads: (before, after).
    total = -size % PAD_MULTIPLE
    return total // 2, total - total // 2


def _to_tensor(image: np.ndarray, device: torch.device, size: tuple[int, int]) -> torch.Tensor:
    import torch
    from torch.nn import functional as F

    pixels = torch.from_numpy(np.require(image, requirements=["C", "W"])).to(device)
    tensor = pixels.permute(2, 0, 1)[None].float() / 255.0
    if size != image.shape[:2]:
        tensor = F.interpolate(tensor, size=size, mode="area")  # area: an antialiased downscale
    top, bottom = _padding(size[0])
    left, right = _padding(size[1])
    return F.pad(tensor, (left, right, top, bottom), mode="replicate") if top or bottom or left or right else tensor


class FilmTransition:
    """Two keyframes held as padded tensors; each moment is one FILM pass, then the camera."""

    is_cut = False

    def __init__(self, model: torch.jit.ScriptModule, device: torch.device, first: np.ndarray, last: np.ndarray,
                 max_pixels: int | None) -> None:
        self._device, self._model = device, model
        self._first, self._last = first, last
        self._size = working_size(first.shape[0], first.shape[1], max_pixels)
        self._first_tensor = _to_tensor(first, self._device, self._size)
        self._last_tensor = _to_tensor(last, self._device, self._size)

    def frame(self, t: float) -> np.ndarray:
        """The keyframe-sized RGB frame at t."""
        import torch
        from torch.nn import functional as F

        if t <= 0:
            return self._first
        if t >= 1:
            return self._last
        dt = self._first_tensor.new_full((1, 1), float(t))
        with torch.inference_mode():
            out = self._model(self._first_tensor, self._last_tensor, dt)
        top, left = _padding(self._size[0])[0], _padding(self._size[1])[0]
        out = out[:, :, top:top + self._size[0], left:left + self._size[1]].float()
        height, width = self._first.shape[:2]
        if self._size != (height, width):
            out = F.interpolate(out, size=(height, width), mode="bicubic", align_corners=False)
        out = (out[0].clamp(0, 1) * 255.0).round().to(torch.uint8)
        return out.permute(1, 2, 0).cpu().numpy()

    def render(self, t: float, camera: Camera, size: tuple[int, int]) -> np.ndarray:
        return warp_camera(self.frame(t), camera, size)


class FilmInterpolator:
    """Neural in-betweens from FILM's TorchScript export, on the GPU when there is one."""

    name = "film"

    def __init__(self, model: torch.jit.ScriptModule, weights: Path, device: torch.device,
                 max_pixels: int | None = DEFAULT_MAX_PIXELS) -> None:
        self.model, self.weights, self.device = model, weights, device
        self.max_pixels = max_pixels

    @classmethod
    def from_weights(cls, weights: Path, max_pixels: int | None = DEFAULT_MAX_PIXELS,
                     device: str | None = None) -> FilmInterpolator:
        import torch

        chosen = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        return cls(load_film(weights, chosen), weights, chosen, max_pixels)

    def transition(self, first: np.ndarray, last: np.ndarray) -> FilmTransition:
        if first.shape != last.shape:
            raise ValueError(f"keyframes differ in size: {first.shape} vs {last.shape}; fit them first")
        return FilmTransition(self.model, self.device, first, last, self.max_pixels)
