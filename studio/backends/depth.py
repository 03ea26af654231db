"""Monocular depth from `transformers` (Depth Anything V2 by default) for the parallax camera.

`AutoModelForDepthEstimation` with its `AutoImageProcessor` loads a hub id
or a local folder saved with `save_pretrained`; the processor's
`post_process_depth_estimation` brings the prediction back to the image's
size. Depth Anything predicts relative disparity (larger = nearer), which is
what the camera wants. torch and transformers are imported inside `load`, so
the studio starts without them and only a render with depth turned on pays.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from studio.backends.hub import check_repo
from studio.errors import BackendUnavailableError

if TYPE_CHECKING:
    import torch

DEFAULT_DEPTH_MODEL = "depth-anything/Depth-Anything-V2-Small-hf"


def how_to_get(source: str) -> str:
    """What to do when `source` cannot be loaded: fetch it where there is a network, or turn depth off."""
    hub_id = source if source.count("/") == 1 and not source.startswith((".", "/", "~")) else DEFAULT_DEPTH_MODEL
    return (f"on a machine with network access run `hf download {hub_id} --local-dir models/depth` (huggingface_hub's "
            "CLI), copy that folder into the workspace and set interpolation.depth.model to models/depth; or turn "
            "interpolation.depth.enabled off (plain Ken Burns needs no model)")


def check_reachable(source: str) -> None:
    """Refuse at once a hub model that is neither downloaded nor reachable: one short look at the hub, instead of
    transformers' retries (97 s and 40 log lines on a machine without network)."""
    if Path(source).expanduser().is_dir():
        return
    try:
        check_repo(source, what=f"the depth model {source!r} (interpolation.depth.model)")
    except OSError as error:
        raise BackendUnavailableError(f"{error}. {how_to_get(source)}") from None


class DepthAnythingEstimator:
    """Relative depth of RGB images from a transformers depth-estimation model, on the GPU when there is one."""

    def __init__(self, model: object, processor: object, source: str, device: torch.device) -> None:
        self.model, self.processor, self.source, self.device = model, processor, source, device

    @classmethod
    def load(cls, source: str, device: str | None = None) -> DepthAnythingEstimator:
        """The model at `source` (a hub id or a folder), or one BackendUnavailableError saying how to get it."""
        try:
            import torch
            from transformers import AutoImageProcessor, AutoModelForDepthEstimation
        except ImportError:
            raise BackendUnavailableError(
                "depth needs torch and transformers: run `pip install -r requirements.txt`, or turn "
                "interpolation.depth.enabled off"
            ) from None
        chosen = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        check_reachable(source)
        try:
            processor = AutoImageProcessor.from_pretrained(source)
            model = AutoModelForDepthEstimation.from_pretrained(source)
        except (OSError, ValueError, KeyError) as error:  # missing files, offline hub, or not a depth model
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise BackendUnavailableError(
                f"the depth model {source!r} (interpolation.depth.model) could not be loaded: {first_line}. "
                f"{how_to_get(source)}"
            ) from None
        return cls(model.to(chosen).eval(), processor, source, chosen)

    def estimate(self, image: np.ndarray) -> np.ndarray:
        """Relative disparity (float32, larger = nearer) at the image's (h, w)."""
        import torch

        height, width = image.shape[:2]
        inputs = self.processor(images=image, return_tensors="pt").to(self.device)
        with torch.inference_mode():
            outputs = self.model(**inputs)
        depth = self.processor.post_process_depth_estimation(outputs, target_sizes=[(height, width)])[0]
        return depth["predicted_depth"].float().cpu().numpy().astype(np.float32)
