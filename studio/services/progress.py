"""How long work reports progress and hears a cancel, without knowing who is watching (CLI bar, UI, test)."""

from __future__ import annotations

import threading
from typing import Protocol

from studio.errors import Cancelled

__all__ = ["CancelToken", "Cancelled", "FrameCounter", "ProgressListener", "ShotProgress", "SilentProgress"]


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

    def frames_done(self, count: int, label: str | None = None) -> None:
        """`count` more frames of the shot `label` (None: the shot started last; batches of parallel shots name it)."""
        ...

    def shot_finished(self, label: str, status: str, message: str | None) -> None: ...


class SilentProgress:
    """A listener that ignores everything."""

    def batch_started(self, total_shots: int, total_frames: int) -> None:
        return None

    def shot_started(self, label: str, total_frames: int) -> None:
        return None

    def frames_done(self, count: int, label: str | None = None) -> None:
        return None

    def shot_finished(self, label: str, status: str, message: str | None) -> None:
        return None


class FrameCounter(SilentProgress):
    """Counts frames for a watcher in another thread (the page's progress line).

    Over a batch it counts every shot's frames, skipped and failed shots included; each shot in flight is
    tallied on its own, so shots rendering in parallel (Ray) add up exactly.
    """

    def __init__(self) -> None:
        self.total_frames = 0
        self.frames = 0
        self.shots_done = 0
        self._batch = False
        self._lock = threading.Lock()
        self._pending: dict[str, list[int]] = {}  # shot label -> [its frames, frames counted]

    def batch_started(self, total_shots: int, total_frames: int) -> None:
        self._batch, self.total_frames, self.frames = True, total_frames, 0

    def shot_started(self, label: str, total_frames: int) -> None:
        with self._lock:
            self._pending[label] = [total_frames, 0]
            if not self._batch:
                self.total_frames, self.frames = total_frames, 0

    def frames_done(self, count: int, label: str | None = None) -> None:
        with self._lock:
            key = label if label in self._pending else next(reversed(self._pending), None)
            if key is not None:
                self._pending[key][1] += count
            self.frames += count

    def shot_finished(self, label: str, status: str, message: str | None) -> None:
        with self._lock:
            total, counted = self._pending.pop(label, [0, 0])
            self.frames += max(0, total - counted)  # skipped, failed or cancelled: the count still moves on
            self.shots_done += 1

    @property
    def fraction(self) -> float:
        return self.frames / self.total_frames if self.total_frames else 0.0


class ShotProgress:
    """One shot's progress inside a batch: its frames are counted against its own label."""

    def __init__(self, listener: ProgressListener, label: str) -> None:
        self.listener, self.label = listener, label

    def batch_started(self, total_shots: int, total_frames: int) -> None:
        return None

    def shot_started(self, label: str, total_frames: int) -> None:
        return None

    def frames_done(self, count: int, label: str | None = None) -> None:
        self.listener.frames_done(count, self.label)

    def shot_finished(self, label: str, status: str, message: str | None) -> None:
        return None
