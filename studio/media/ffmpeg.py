"""Finding and running ffmpeg."""

from __future__ import annotations

import functools
import shutil
import subprocess

from studio.errors import EncodeError
from studio.settings import environment


@functools.cache
def ffmpeg_executable() -> str:
    """ffmpeg from $STUDIO_FFMPEG, else the imageio-ffmpeg wheel's static build, else PATH."""
    configured = environment().ffmpeg
    if configured:
        if not configured.is_file():
            raise EncodeError(f"STUDIO_FFMPEG={configured} is not a file; unset it to use the bundled ffmpeg")
        return str(configured)
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        found = shutil.which("ffmpeg")
        if found:
            return found
    raise EncodeError("ffmpeg not found: run `pip install -r requirements.txt` (it brings imageio-ffmpeg) or install ffmpeg")


def stderr_tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def run_ffmpeg(args: list[str], *, what: str) -> None:
    """Run ffmpeg with `args`; on failure raise EncodeError with its stderr."""
    command = [ffmpeg_executable(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise EncodeError(f"ffmpeg failed while {what} (exit {result.returncode}):\n{stderr_tail(result.stderr)}")
