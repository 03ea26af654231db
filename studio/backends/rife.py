"""RIFE neural interpolation (Huang et al., ECCV 2022), loaded from published weights: 4.6 and 4.2x.

IFNet as released with RIFE 4.6: four IFBlocks estimate the two intermediate
flows (to each keyframe) and a blend mask coarse to fine, at 1/8, 1/4, 1/2
and full resolution, each refining the last block's estimate from the
keyframes warped by it. Any moment t in (0, 1) is one forward pass.

IFNet as released with RIFE 4.2x (4.25 is Practical-RIFE's recommended model):
a small feature encoder gives each keyframe 4 feature channels at full
resolution; five IFBlocks (1/16 to full resolution) see the warped keyframes
*and* their warped features, and pass 8 channels of their own state from one
level to the next. The release's training-only tensors (`teacher.*`,
`caltime.*`) are not part of inference and are left out.

The module and parameter names follow the released `flownet.pkl` files, so a
state dict loads as is (a DataParallel `module.` prefix is dropped); which
network it is follows from its tensors. Other layouts are refused with a
message rather than loaded wrongly.

torch is imported with this module, which `studio.backends.interpolator`
imports only when RIFE is picked.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from studio.backends.camera import Camera
from studio.backends.flow import warp_camera
from studio.errors import BackendUnavailableError

# 4.6 block inputs: both images and t at first; later both warped images, t, the mask and the 4 flow channels.
_FIRST_BLOCK_IN = 3 + 3 + 1
_LATER_BLOCK_IN = 3 + 3 + 1 + 1 + 4
_BLOCK_WIDTHS = (192, 128, 96, 64)
_BLOCK_SCALES = (8, 4, 2, 1)
# 4.2x: 4 feature channels per keyframe, 8 channels of block state; one more, coarser level.
_FEATURES, _STATE = 4, 8
_FIRST_BLOCK_IN_42 = 3 + 3 + _FEATURES + _FEATURES + 1
_LATER_BLOCK_IN_42 = 3 + 3 + _FEATURES + _FEATURES + 1 + 1 + _STATE + 4
_BLOCK_WIDTHS_42 = (192, 128, 96, 64, 32)
_BLOCK_SCALES_42 = (16, 8, 4, 2, 1)
# RIFE's resolution option: 1 for HD, 0.5 for 4K, 0.25 for more.
RIFE_SCALES = (1.0, 0.5, 0.25)


def _conv(in_channels: int, out_channels: int, stride: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, stride, 1), nn.LeakyReLU(0.2, inplace=True))


class _ResidualConv(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, 1, 1)
        self.beta = nn.Parameter(torch.ones((1, channels, 1, 1)))
        self.relu = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.conv(x) * self.beta + x)


class IFBlock(nn.Module):
    """One resolution level: a flow and mask update (and, in 4.2x, state for the next level) from its
    inputs seen at 1/scale."""

    def __init__(self, in_channels: int, width: int, out_channels: int = 6) -> None:
        super().__init__()
        self.conv0 = nn.Sequential(_conv(in_channels, width // 2, 2), _conv(width // 2, width, 2))
        self.convblock = nn.Sequential(*(_ResidualConv(width) for _ in range(8)))
        # 4 flow channels + 1 mask + the rest (4.6: 1 unused; 4.2x: 8 of state) at twice the size,
        # then PixelShuffle(2) doubles again.
        self.lastconv = nn.Sequential(nn.ConvTranspose2d(width, 4 * out_channels, 4, 2, 1), nn.PixelShuffle(2))

    def forward(self, x: torch.Tensor, flow: torch.Tensor | None, scale: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = F.interpolate(x, scale_factor=1.0 / scale, mode="bilinear", align_corners=False)
        if flow is not None:
            flow = F.interpolate(flow, scale_factor=1.0 / scale, mode="bilinear", align_corners=False) / scale
            x = torch.cat((x, flow), 1)
        out = self.lastconv(self.convblock(self.conv0(x)))
        out = F.interpolate(out, scale_factor=float(scale), mode="bilinear", align_corners=False)
        return out[:, :4] * scale, out[:, 4:5], out[:, 5:]


class FeatureEncoder(nn.Module):
    """RIFE 4.2x's `encode`: 4 channels of features per pixel (stride 2 down, transposed conv back up)."""

    def __init__(self) -> None:
        super().__init__()
        self.cnn0 = nn.Conv2d(3, 16, 3, 2, 1)
        self.cnn1 = nn.Conv2d(16, 16, 3, 1, 1)
        self.cnn2 = nn.Conv2d(16, 16, 3, 1, 1)
        self.cnn3 = nn.ConvTranspose2d(16, _FEATURES, 4, 2, 1)
        self.relu = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.cnn0(image))
        x = self.relu(self.cnn1(x))
        return self.cnn3(self.relu(self.cnn2(x)))


def backward_warp(image: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """Sample `image` at each pixel plus `flow` (in pixels), edges extended."""
    _, _, height, width = image.shape
    ys = torch.linspace(-1.0, 1.0, height, device=image.device, dtype=image.dtype)
    xs = torch.linspace(-1.0, 1.0, width, device=image.device, dtype=image.dtype)
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    grid = torch.stack((grid_x + flow[:, 0] * (2 / (width - 1)), grid_y + flow[:, 1] * (2 / (height - 1))), dim=-1)
    return F.grid_sample(image, grid, mode="bilinear", padding_mode="border", align_corners=True)


class IFNet(nn.Module):
    """RIFE 4.6's flow network: `forward(first, last, t)` is the frame at t, images in [0, 1]."""

    version = "4.6"
    # The coarsest block works at 1/8 and strides by 4 inside: inputs are padded to this multiple.
    pad_multiple = 32

    def __init__(self) -> None:
        super().__init__()
        self.block0 = IFBlock(_FIRST_BLOCK_IN, _BLOCK_WIDTHS[0])
        self.block1 = IFBlock(_LATER_BLOCK_IN, _BLOCK_WIDTHS[1])
        self.block2 = IFBlock(_LATER_BLOCK_IN, _BLOCK_WIDTHS[2])
        self.block3 = IFBlock(_LATER_BLOCK_IN, _BLOCK_WIDTHS[3])

    def forward(self, first: torch.Tensor, last: torch.Tensor, t: float, scale: float = 1.0) -> torch.Tensor:
        timestep = torch.full_like(first[:, :1], t)
        blocks = (self.block0, self.block1, self.block2, self.block3)
        flow, mask, _ = blocks[0](torch.cat((first, last, timestep), 1), None, _level(_BLOCK_SCALES[0], scale))
        warped_first, warped_last = backward_warp(first, flow[:, :2]), backward_warp(last, flow[:, 2:4])
        for block, level in zip(blocks[1:], _BLOCK_SCALES[1:], strict=True):
            flow_update, mask_update, _ = block(
                torch.cat((warped_first, warped_last, timestep, mask), 1), flow, _level(level, scale)
            )
            flow, mask = flow + flow_update, mask + mask_update
            warped_first, warped_last = backward_warp(first, flow[:, :2]), backward_warp(last, flow[:, 2:4])
        weight = torch.sigmoid(mask)
        return warped_first * weight + warped_last * (1 - weight)


class IFNet42(nn.Module):
    """RIFE 4.2x's flow network (4.25's layout): keyframe features, five levels, state passed between levels."""

    version = "4.25"
    # The coarsest block works at 1/16 and strides by 4 inside.
    pad_multiple = 64

    def __init__(self) -> None:
        super().__init__()
        self.encode = FeatureEncoder()
        self.block0 = IFBlock(_FIRST_BLOCK_IN_42, _BLOCK_WIDTHS_42[0], 5 + _STATE)
        self.block1 = IFBlock(_LATER_BLOCK_IN_42, _BLOCK_WIDTHS_42[1], 5 + _STATE)
        self.block2 = IFBlock(_LATER_BLOCK_IN_42, _BLOCK_WIDTHS_42[2], 5 + _STATE)
        self.block3 = IFBlock(_LATER_BLOCK_IN_42, _BLOCK_WIDTHS_42[3], 5 + _STATE)
        self.block4 = IFBlock(_LATER_BLOCK_IN_42, _BLOCK_WIDTHS_42[4], 5 + _STATE)

    def forward(self, first: torch.Tensor, last: torch.Tensor, t: float, scale: float = 1.0) -> torch.Tensor:
        timestep = torch.full_like(first[:, :1], t)
        features_first, features_last = self.encode(first), self.encode(last)
        blocks = (self.block0, self.block1, self.block2, self.block3, self.block4)
        flow, mask, state = blocks[0](
            torch.cat((first, last, features_first, features_last, timestep), 1), None, _level(_BLOCK_SCALES_42[0], scale))
        for block, level in zip(blocks[1:], _BLOCK_SCALES_42[1:], strict=True):
            warped_first, warped_last = backward_warp(first, flow[:, :2]), backward_warp(last, flow[:, 2:4])
            warped_features = (backward_warp(features_first, flow[:, :2]), backward_warp(features_last, flow[:, 2:4]))
            flow_update, mask, state = block(
                torch.cat((warped_first, warped_last, *warped_features, timestep, mask, state), 1), flow,
                _level(level, scale),
            )
            flow = flow + flow_update  # the mask is replaced, not accumulated: each level sees the last one's
        warped_first, warped_last = backward_warp(first, flow[:, :2]), backward_warp(last, flow[:, 2:4])
        weight = torch.sigmoid(mask)
        return warped_first * weight + warped_last * (1 - weight)


def _level(block_scale: int, scale: float) -> int:
    # RIFE's `scale` option (0.5 for 4K input) runs every level that much coarser.
    if scale not in RIFE_SCALES:
        raise ValueError(f"RIFE scale must be one of {RIFE_SCALES}, not {scale}")
    return round(block_scale / scale)


RifeNet = IFNet | IFNet42
# Tensors in the 4.2x release that only training uses (the teacher block, the time estimator).
_TRAINING_ONLY = ("teacher.", "caltime.")


def network_for(state: dict[str, torch.Tensor]) -> RifeNet | None:
    """The network whose layout `state` has: 4.2x when it has the feature encoder and a fifth block, 4.6 when
    it has four blocks and no encoder; None otherwise."""
    if any(key.startswith("encode.") for key in state) and any(key.startswith("block4.") for key in state):
        return IFNet42()
    if any(key.startswith("block3.") for key in state) and not any(key.startswith(("encode.", "block4.")) for key in state):
        return IFNet()
    return None


def load_ifnet(weights: Path, device: torch.device) -> RifeNet:
    """The RIFE network (4.6 or 4.2x, by the file's layout) with the released weights from `weights` (flownet.pkl)."""
    if not weights.is_file():
        raise BackendUnavailableError(
            f"RIFE weights not found at {weights}; run scripts/get-rife for RIFE 4.25 (or download a 4.6 or 4.2x "
            "flownet.pkl from the Practical-RIFE releases) and set interpolation.rife_weights to its path"
        )
    try:
        state = torch.load(weights, map_location="cpu", weights_only=True)
    except Exception as error:  # pickle, zip and torch errors all mean the same to the user
        raise BackendUnavailableError(f"{weights} is not a PyTorch weights file ({error.__class__.__name__}: {error})") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise BackendUnavailableError(f"{weights} holds no state dict of tensors; is it RIFE's flownet.pkl?")
    state = {key.removeprefix("module."): value for key, value in state.items() if not key.removeprefix("module.").startswith(_TRAINING_ONLY)}
    model = network_for(state)
    if model is None:
        blocks = sorted({key.split(".")[0] for key in state if key.startswith("block")})
        raise BackendUnavailableError(
            f"{weights} is neither a RIFE 4.6 nor a 4.2x IFNet (it has {', '.join(blocks) or 'no IFBlocks'}"
            f"{' and a feature encoder' if any(k.startswith('encode.') for k in state) else ''}); "
            "use flownet.pkl from the 4.6 or a 4.2x release (scripts/get-rife fetches 4.25)"
        )
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    if missing:
        raise BackendUnavailableError(
            f"{weights} looks like RIFE {model.version} but {len(missing)} of its tensors are missing "
            f"(e.g. {missing[0]}); is the file complete?"
        )
    wrong = [key for key in expected if state[key].shape != expected[key].shape]
    if wrong:
        raise BackendUnavailableError(
            f"{weights} has the RIFE {model.version} names but other sizes (e.g. {wrong[0]}: {tuple(state[wrong[0]].shape)} "
            f"instead of {tuple(expected[wrong[0]].shape)}); use a 4.6 or 4.2x release of flownet.pkl"
        )
    model.load_state_dict({key: state[key].float() for key in expected})
    return model.to(device).eval()


def _to_tensor(image: np.ndarray, device: torch.device, scale: float, pad_multiple: int) -> torch.Tensor:
    height, width = image.shape[:2]
    tensor = torch.from_numpy(np.require(image, requirements=["C", "W"])).to(device).permute(2, 0, 1)[None].float() / 255.0
    multiple = round(pad_multiple / scale)
    pad_h, pad_w = -height % multiple, -width % multiple
    return F.pad(tensor, (0, pad_w, 0, pad_h), mode="replicate") if pad_h or pad_w else tensor


class RifeTransition:
    """Two keyframes held as tensors; each moment is one network pass, then the camera."""

    is_cut = False

    def __init__(self, model: RifeNet, first: np.ndarray, last: np.ndarray, scale: float) -> None:
        device = next(model.parameters()).device
        self._model, self._scale = model, scale
        self._first, self._last = first, last
        self._first_tensor = _to_tensor(first, device, scale, model.pad_multiple)
        self._last_tensor = _to_tensor(last, device, scale, model.pad_multiple)

    def frame(self, t: float) -> np.ndarray:
        """The keyframe-sized RGB frame at t."""
        if t <= 0:
            return self._first
        if t >= 1:
            return self._last
        height, width = self._first.shape[:2]
        with torch.inference_mode():
            out = self._model(self._first_tensor, self._last_tensor, float(t), self._scale)
        out = (out[0, :, :height, :width].clamp(0, 1) * 255.0).round().to(torch.uint8)
        return out.permute(1, 2, 0).cpu().numpy()

    def render(self, t: float, camera: Camera, size: tuple[int, int]) -> np.ndarray:
        return warp_camera(self.frame(t), camera, size)


class RifeInterpolator:
    """Neural in-betweens from RIFE 4.6 or 4.2x weights, on the GPU when there is one."""

    name = "rife"

    def __init__(self, model: RifeNet, scale: float = 1.0, weights: Path | None = None) -> None:
        self.model = model
        self.scale = scale
        self.weights = weights

    @classmethod
    def from_weights(cls, weights: Path, scale: float = 1.0, device: str | None = None) -> RifeInterpolator:
        chosen = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        return cls(load_ifnet(weights, chosen), scale, weights)

    def transition(self, first: np.ndarray, last: np.ndarray) -> RifeTransition:
        if first.shape != last.shape:
            raise ValueError(f"keyframes differ in size: {first.shape} vs {last.shape}; fit them first")
        return RifeTransition(self.model, first, last, self.scale)
