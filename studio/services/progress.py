"""How long work reports progress, without knowing who is watching (CLI bar, UI, test)."""

from __future__ import annotations

import threading
from typing import Protocol

from studio.errors import StudioError


class Cancelled(StudioError):
    """The person who started the work cancelled it; nothing was written."""


class ProgressListener(Protocol):
    def batch_started(self, total_shots: int, total_frames: int) -> None: ...

    def shot_started(self, label: str, total_frames: int) -> None: ...

    def frames_done(self, count: int) -> None: ...

    def shot_finished(self, label: str, status: str, message: str | None) -> None: ...


class SilentProgress:
    """A listener that ignores everything."""

    def batch_started(self, total_shots: int, total_frames: int) -> None:
        return None

    def shot_started(self, label: str, total_frames: int) -> None:
        return None

    def frames_done(self, count: int) -> None:
        return None

    def shot_finished(self, label: str, status: str, message: str | None) -> None:
        return None


class CancellableProgress(SilentProgress):
    """Counts frames for a watcher in another thread, and stops the work when cancelled."""

    def __init__(self) -> None:
        self.total_frames = 0
        self.frames = 0
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def shot_started(self, label: str, total_frames: int) -> None:
        self.total_frames, self.frames = total_frames, 0

    def frames_done(self, count: int) -> None:
        if self._cancel.is_set():
            raise Cancelled("cancelled; the unfinished clip was discarded")
        self.frames += count

    @property
    def fraction(self) -> float:
        return self.frames / self.total_frames if self.total_frames else 0.0
