"""How long work reports progress and hears a cancel, without knowing who is watching (CLI bar, UI, test)."""

from __future__ import annotations

import threading
from typing import Protocol

from studio.errors import Cancelled

__all__ = ["CancelToken", "Cancelled", "FrameCounter", "ProgressListener", "SilentProgress"]


class CancelToken:
    """Set from any thread (a Cancel button, Ctrl-C); long work checks it between frames and steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise Cancelled once cancel() was called."""
        if self._event.is_set():
            raise Cancelled("cancelled; the unfinished clip was discarded")


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


class FrameCounter(SilentProgress):
    """Counts frames for a watcher in another thread (the page's progress line).

    Over a batch it counts every shot's frames, skipped and failed shots included.
    """

    def __init__(self) -> None:
        self.total_frames = 0
        self.frames = 0
        self.shots_done = 0
        self._batch = False
        self._shot_frames = 0
        self._shot_done = 0

    def batch_started(self, total_shots: int, total_frames: int) -> None:
        self._batch, self.total_frames, self.frames = True, total_frames, 0

    def shot_started(self, label: str, total_frames: int) -> None:
        self._shot_frames, self._shot_done = total_frames, 0
        if not self._batch:
            self.total_frames, self.frames = total_frames, 0

    def frames_done(self, count: int) -> None:
        self.frames += count
        self._shot_done += count

    def shot_finished(self, label: str, status: str, message: str | None) -> None:
        self.frames += max(0, self._shot_frames - self._shot_done)
        self.shots_done += 1

    @property
    def fraction(self) -> float:
        return self.frames / self.total_frames if self.total_frames else 0.0
