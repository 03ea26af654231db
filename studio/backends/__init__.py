"""Frame generators and interpolators, one module each, behind small Protocols.

Modules here are imported on demand (`interpolator(name)`), so the heavy
ones (torch, diffusers) load only when a user picks them.
"""

from __future__ import annotations

from studio.backends.base import FrameInterpolator, Transition
from studio.errors import BackendUnavailableError

INTERPOLATORS: tuple[str, ...] = ("flow",)


def interpolator(name: str) -> FrameInterpolator:
    """The interpolator called `name` in pipeline.yaml / on the command line."""
    if name == "flow":
        from studio.backends.flow import FlowInterpolator

        return FlowInterpolator()
    raise BackendUnavailableError(f"unknown interpolation method {name!r}; available: {', '.join(INTERPOLATORS)}")


__all__ = ["FrameInterpolator", "INTERPOLATORS", "Transition", "interpolator"]
