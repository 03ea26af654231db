"""Long work off the request thread, with progress for the page and a real cancel."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from typing import Any, TypeVar

from studio.services import CancelToken

Result = TypeVar("Result")
CANCELLED_NOTE = "Cancelled. Clips finished before the cancel are kept; the unfinished one was discarded."


def in_background(work: Callable[[CancelToken], Result], describe: Callable[[], Any]) -> Generator[Any, None, Result]:
    """Run `work(cancel)` in a thread, yielding `describe()` twice a second; return its result.

    When the page goes away or Cancel is pressed, Gradio closes this
    generator: the token is cancelled and the work stops at its next frame.
    """
    cancel = CancelToken()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = work(cancel)
        except BaseException as error:  # noqa: BLE001 - re-raised in the handler's thread below
            outcome["error"] = error

    worker = threading.Thread(target=run, name="studio-render", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            yield describe()
            time.sleep(0.5)
    finally:
        if worker.is_alive():
            cancel.cancel()
        worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
