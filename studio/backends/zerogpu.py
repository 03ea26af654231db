"""Hugging Face ZeroGPU, as its docs run it: one function decorated with `spaces.GPU` when this module is
imported, and each take's whole generation (every chunk and stage, the upsampler, the decode) in one call of it.

The `spaces` package exists only on Spaces; elsewhere `run` just calls. The decorated function is made once per
process, not per call: `spaces` keeps every wrapper it has made.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

Result = TypeVar("Result")


def on_zero_gpu() -> bool:
    """True on a ZeroGPU Space (the platform sets SPACES_ZERO_GPU): pipelines then go to `cuda` at load."""
    return os.environ.get("SPACES_ZERO_GPU", "").lower() in ("1", "true")


def _take(call: Callable[[], Any], duration_s: int) -> Any:
    return call()


def _duration(call: Callable[[], Any], duration_s: int) -> int:
    """ZeroGPU's dynamic duration: it is called with the decorated function's arguments."""
    return duration_s


try:
    import spaces
except ImportError:
    _on_gpu = None
else:
    _on_gpu = spaces.GPU(duration=_duration)(_take)


def run(call: Callable[[], Result], duration_s: int) -> Result:
    """`call()` inside one ZeroGPU allocation of about `duration_s` seconds; elsewhere `call()` as it is."""
    return call() if _on_gpu is None else _on_gpu(call, duration_s)


__all__ = ["on_zero_gpu", "run"]
