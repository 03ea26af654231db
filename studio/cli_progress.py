"""The command line's progress: tqdm bars of shots and frames, for `python -m studio generate` and `assemble`."""

from __future__ import annotations

import sys


class TqdmProgress:
    """Two bars, shots and frames, naming every shot in flight (several with --ray); one line per finished shot."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self._shots = None
        self._frames = None
        self._pending: dict[str, int] = {}  # shot label -> frames not yet counted

    def batch_started(self, total_shots: int, total_frames: int) -> None:
        self._shots = self._tqdm(total=total_shots, unit="shot", desc="shots ", position=0, dynamic_ncols=True)
        self._frames = self._tqdm(total=total_frames, unit="frame", desc="frames", position=1, dynamic_ncols=True)

    def _show_in_flight(self) -> None:
        if self._shots is not None:
            self._shots.set_postfix_str(", ".join(label.split(" ", 1)[-1] for label in self._pending))

    def shot_started(self, label: str, total_frames: int) -> None:
        self._pending[label] = total_frames
        self._show_in_flight()

    def frames_done(self, count: int, label: str | None = None) -> None:
        key = label if label in self._pending else next(reversed(self._pending), None)
        if key is not None:
            self._pending[key] -= count
        if self._frames is not None:
            self._frames.update(count)

    def shot_finished(self, label: str, status: str, message: str | None) -> None:
        left = self._pending.pop(label, 0)
        if self._frames is not None and left > 0:
            self._frames.update(left)  # skipped, failed or rendered elsewhere: the bar still moves on
        if self._shots is not None:
            self._shots.update(1)
        self._show_in_flight()
        line = f"{status:8} {label}" + (f"\n         {message}" if message else "")
        self._tqdm.write(line, file=sys.stderr)

    def close(self) -> None:
        for bar in (self._frames, self._shots):
            if bar is not None:
                bar.close()
