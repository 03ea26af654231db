"""Replacing files atomically: readers see the old file or the finished new one, never a half-written one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replaced_atomically(target: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary path beside `target` that is renamed over it when the block succeeds.

    On any exception (a failed encode, Ctrl-C) the temporary file is removed
    and `target` is untouched. Same folder, so the rename is atomic.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=suffix, dir=target.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        os.chmod(temp, 0o644)  # mkstemp makes 0600; workspace files are for sharing
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file renamed into place."""
    with replaced_atomically(path) as temp:
        temp.write_bytes(data)
