"""Peak resident memory (RAM) of this process over one render."""

from __future__ import annotations

from pathlib import Path

_CLEAR_REFS = Path("/proc/self/clear_refs")
_STATUS = Path("/proc/self/status")


def _high_water_mark_kb() -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


class RamPeak:
    """The process's peak resident memory from construction until `gb()`.

    Linux keeps the peak exactly (VmHWM) and lets a process reset it ("5" to
    /proc/self/clear_refs), so nothing has to sample it; elsewhere the figure is
    None rather than the lifetime peak, which would mislead. The peak is the
    process's: two renders at once in one process share (and reset) it.
    """

    def __init__(self) -> None:
        try:
            _CLEAR_REFS.write_text("5")
            self._measuring = _high_water_mark_kb() is not None
        except OSError:
            self._measuring = False

    def gb(self) -> float | None:
        """Peak resident memory since the start, GB (2**30 bytes), or None where it cannot be measured."""
        peak_kb = _high_water_mark_kb() if self._measuring else None
        return None if peak_kb is None else round(peak_kb / 1024**2, 3)
