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


# glibc hands each buffer over 128 KB to mmap and gives freed memory straight back to the system, so every
# full-size map, plane and temporary of every frame is zero-filled page by page again: the flow render
# measured about 60-72 -> 53-57 ms a 1080x1920 frame with these two kept. 32 MB is glibc's largest mmap threshold
# (a 1080x1920 two-channel float map is 16.6 MB); up to 256 MB of freed memory stays with the process.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_BYTES = 32 * 2**20
_TRIM_THRESHOLD_BYTES = 256 * 2**20


def keep_freed_memory() -> bool:
    """Let this process reuse freed frame-sized buffers instead of faulting in new pages (glibc only;
    elsewhere nothing changes). Process-wide and idempotent. True when glibc took the settings."""
    import ctypes
    import ctypes.util

    try:
        mallopt = getattr(ctypes.CDLL(ctypes.util.find_library("c")), "mallopt", None)
    except OSError:
        mallopt = None
    if mallopt is None:  # not glibc (musl, macOS): its allocator is left as it is
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)) and bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES))
