"""What the benchmarks share: the table they print, sizes on the command line, the full job's size."""

from __future__ import annotations

FULL_JOB_FRAMES = 30 * 8 * 6 * 30
"""30 scripts x 8 shots x 6 s x 30 fps."""


def table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def size(text: str) -> tuple[int, int]:
    width, height = (int(v) for v in text.lower().split("x"))
    return width, height
