"""How long work reports progress, without knowing who is watching (CLI bar, UI, test)."""

from __future__ import annotations

from typing import Protocol


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
