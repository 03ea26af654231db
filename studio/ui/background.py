"""Long work off the request thread, with progress for the page and a real cancel."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Generator
from typing import Any, TypeVar

import gradio as gr

from studio.errors import StudioError
from studio.services import CancelToken, FrameCounter

log = logging.getLogger("studio.ui")

Result = TypeVar("Result")
CANCELLED_NOTE = "Cancelled. Clips finished before the cancel are kept; the unfinished one was discarded."
NOTHING_TO_CANCEL = "Nothing is rendering, so there is nothing to cancel."
BUSY = ("Rendering", "Queued", "Starting", "Assembling")


def cancel_note(shown: str | None, cancelled: str = CANCELLED_NOTE) -> str:
    """What Cancel says, given the status line it found: `cancelled` only when work was under way."""
    return cancelled if (shown or "").startswith(BUSY) else NOTHING_TO_CANCEL


def render_progress(counter: FrameCounter) -> str:
    """The progress line of a take; before the first frame is planned it says the render is starting."""
    if not counter.total_frames:
        return "Starting the render…"
    return f"Rendering… {counter.frames}/{counter.total_frames} frames ({counter.fraction:.0%})"


def queued_note(ahead: int) -> str:
    return f"Queued: {ahead} render(s) ahead of this one; it starts when they finish (Cancel leaves the queue)."


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


def refusal_in_status(handler: Callable[..., Generator[Any, None, None]], status: gr.components.Component,
                      prefix: str) -> Callable[..., Generator[Any, None, None]]:
    """The page's variant of a long handler: a refusal becomes its status line and a warning, not an error.

    The API keeps the plain handler, so clients still get an error; on the
    page the status stops saying "Rendering…" and the players show no error badge.
    """

    @functools.wraps(handler)
    def page_handler(*args: Any, **kwargs: Any) -> Generator[Any, None, None]:
        try:
            yield from handler(*args, **kwargs)
        except StudioError as error:
            log.warning("refused: %s", str(error).splitlines()[0])
            gr.Warning(str(error))
            yield {status: f"**{prefix}:** {error}"}

    return page_handler
