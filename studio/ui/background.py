"""Long work off the request thread, with progress for the page and a real cancel."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from studio.services.progress import CancellableProgress


def in_background(work: Callable[[], Any], listener: CancellableProgress, describe: Callable[[], Any]):
    """Run `work` in a thread, yielding `describe()` twice a second; return its result.

    When the page goes away or Cancel is pressed, Gradio closes this
    generator: the listener is cancelled and the work stops at its next frame.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except Exception as error:  # noqa: BLE001 - re-raised in the handler's thread below
            outcome["error"] = error

    worker = threading.Thread(target=run, name="studio-render", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            yield describe()
            time.sleep(0.5)
    finally:
        listener.cancel()
        worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
