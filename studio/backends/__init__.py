"""Frame generators and interpolators, one module each, behind small Protocols.

Modules here are imported on demand (`interpolator(name)`), so the heavy
ones (torch, diffusers) load only when a user picks them.
"""

from __future__ import annotations

from pathlib import Path

from studio.backends.base import FrameInterpolator, Transition
from studio.errors import BackendUnavailableError

INTERPOLATORS: tuple[str, ...] = ("flow", "rife", "film")


def interpolator(name: str, *, rife_weights: Path | None = None, rife_scale: float = 1.0,
                 film_weights: Path | None = None, film_max_pixels: int | None = 1_048_576,
                 planar: bool = True) -> FrameInterpolator:
    """The interpolator called `name` in pipeline.yaml / on the command line.

    `planar=False` makes flow render RGB (for writing images); clips take its planar YUV as it is."""
    if name == "flow":
        from studio.backends.flow import FlowInterpolator

        return FlowInterpolator(planar=planar)
    if name == "rife":
        if rife_weights is None:
            raise BackendUnavailableError(
                "RIFE needs weights: run scripts/get-rife (RIFE 4.25, found without configuration), or set "
                "interpolation.rife_weights in pipeline.yaml to a 4.6 or 4.2x flownet.pkl (or pass --weights)"
            )
        try:
            from studio.backends.rife import RifeInterpolator
        except ImportError:
            raise BackendUnavailableError(
                "RIFE needs torch: run `pip install -r requirements.txt` (see the README for GPU installs)"
            ) from None
        return RifeInterpolator.from_weights(rife_weights, rife_scale)
    if name == "film":
        if film_weights is None:
            raise BackendUnavailableError(
                "FILM needs weights: set interpolation.film_weights in pipeline.yaml (or pass --film-weights / "
                "--weights) to film_net_fp32.pt from the release of github.com/dajes/frame-interpolation-pytorch"
            )
        try:
            from studio.backends.film import FilmInterpolator
        except ImportError:
            raise BackendUnavailableError(
                "FILM needs torch: run `pip install -r requirements.txt` (see the README for GPU installs)"
            ) from None
        return FilmInterpolator.from_weights(film_weights, film_max_pixels)
    raise BackendUnavailableError(f"unknown interpolation method {name!r}; available: {', '.join(INTERPOLATORS)}")


__all__ = ["FrameInterpolator", "INTERPOLATORS", "Transition", "interpolator"]
