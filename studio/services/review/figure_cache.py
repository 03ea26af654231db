"""Small JSON files under the workspace's cache/ folder that keep costly figures between page loads."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from studio.files import write_atomically

log = logging.getLogger(__name__)

# One lock for every cache file of this process: writes are rare and tiny.
_WRITE_LOCK = threading.Lock()


class JsonCache:
    """A JSON object in one file. A missing or unreadable file reads as empty (the figures are recomputed);
    `update` re-reads before writing, so entries another process added meanwhile are kept."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("ignoring unreadable cache %s: %s", self.path, error)
            return {}
        return data if isinstance(data, dict) else {}

    def update(self, section: str, entries: dict) -> None:
        """Merge `entries` into the object under `section`."""
        with _WRITE_LOCK:
            data = self.read()
            merged = data.get(section) if isinstance(data.get(section), dict) else {}
            data[section] = merged | entries
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, json.dumps(data, indent=1, sort_keys=True).encode())
