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
    """Counts frames for a watcher in another thread, and stops the work when cancelled.

    Over a batch it counts every shot's frames, skipped and failed shots included.
    """

    def __init__(self) -> None:
        self.total_frames = 0
        self.frames = 0
        self.shots_done = 0
        self._batch = False
        self._shot_frames = 0
        self._shot_done = 0
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def batch_started(self, total_shots: int, total_frames: int) -> None:
        self._batch, self.total_frames, self.frames = True, total_frames, 0

    def shot_started(self, label: str, total_frames: int) -> None:
        if self._cancel.is_set():
            raise Cancelled("cancelled; shots finished before the cancel are kept")
        self._shot_frames, self._shot_done = total_frames, 0
        if not self._batch:
            self.total_frames, self.frames = total_frames, 0

    def frames_done(self, count: int) -> None:
        if self._cancel.is_set():
            raise Cancelled("cancelled; the unfinished clip was discarded")
        self.frames += count
        self._shot_done += count

    def shot_finished(self, label: str, status: str, message: str | None) -> None:
        self.frames += max(0, self._shot_frames - self._shot_done)
        self.shots_done += 1

    @property
    def fraction(self) -> float:
        return self.frames / self.total_frames if self.total_frames else 0.0
