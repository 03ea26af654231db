"""The command line's progress, for `python -m studio generate`, `assemble` and `compare`.

In a terminal: tqdm bars of shots and frames. Piped or logged: plain lines only, since a bar redraws itself
with carriage returns and escape codes that a file keeps. Either way, one line per finished shot and, at the
end, the frames rendered and their rate.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

# Their frames were not made in this run: they leave the frame total, so a rate never counts them.
NOT_RENDERED = frozenset({"skipped", "pinned", "failed", "cancelled"})
# No rate on the shots bar: skipped shots pass in microseconds and would make it meaningless.
SHOTS_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}{postfix}]"


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class TqdmProgress:
    """In a terminal two bars, shots and frames, naming every shot in flight (several with --ray); piped, no bars.
    Always one line per finished shot, and a closing rate of the frames rendered (skipped shots' are not)."""

    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic, *,
                 closing_rate: bool = True) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self._stream = stream if stream is not None else sys.stderr
        self._bars = is_terminal(self._stream)
        self._clock = clock
        self._closing_rate = closing_rate
        self._started: float | None = None
        self._rendered_frames = 0
        self._shots = None
        self._frames = None
        self._pending: dict[str, int] = {}  # shot label -> frames not yet counted

    def batch_started(self, total_shots: int, total_frames: int) -> None:
        self._started = self._clock()
        if self._bars:
            self._shots = self._tqdm(total=total_shots, unit="shot", desc="shots ", position=0, dynamic_ncols=True,
                                     bar_format=SHOTS_FORMAT, file=self._stream)
            self._frames = self._tqdm(total=total_frames, unit="frame", desc="frames", position=1, dynamic_ncols=True,
                                      leave=False, file=self._stream)  # the closing line gives the rate

    def _show_in_flight(self) -> None:
        if self._shots is not None:
            self._shots.set_postfix_str(", ".join(label.split(" ", 1)[-1] for label in self._pending))

    def shot_started(self, label: str, total_frames: int) -> None:
        if self._started is None:
            self._started = self._clock()
        self._pending[label] = total_frames
        self._show_in_flight()

    def frames_done(self, count: int, label: str | None = None) -> None:
        key = label if label in self._pending else next(reversed(self._pending), None)
        if key is not None:
            self._pending[key] -= count
        self._rendered_frames += count
        if self._frames is not None:
            self._frames.update(count)

    def shot_finished(self, label: str, status: str, message: str | None) -> None:
        left = max(0, self._pending.pop(label, 0))
        if status in NOT_RENDERED:
            if self._frames is not None and left:
                self._frames.total -= left
                self._frames.refresh()
        else:  # rendered elsewhere (Ray) without a count per frame: its frames were made all the same
            self._rendered_frames += left
            if self._frames is not None and left:
                self._frames.update(left)
        if self._shots is not None:
            self._shots.update(1)
        self._show_in_flight()
        self._say(f"{status:8} {label}" + (f"\n         {message}" if message else ""))

    def _say(self, line: str) -> None:
        if self._bars:
            self._tqdm.write(line, file=self._stream)  # above the bars, which redraw below it
        else:
            print(line, file=self._stream, flush=True)

    def close(self) -> None:
        for bar in (self._frames, self._shots):
            if bar is not None:
                bar.close()
        self._frames = self._shots = None
        if self._closing_rate and self._started is not None and self._rendered_frames:  # none rendered: no rate
            elapsed_s = max(self._clock() - self._started, 1e-3)
            print(f"{self._rendered_frames} frames rendered in {elapsed_s:.1f} s "
                  f"({self._rendered_frames / elapsed_s:.1f} frames/s)", file=self._stream, flush=True)
        self._started, self._rendered_frames = None, 0
