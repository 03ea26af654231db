"""Long work off the request thread, with progress for the page and a real cancel."""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import gradio as gr

from studio.errors import Cancelled, StudioError
from studio.services import CancelToken, FrameCounter

log = logging.getLogger("studio.ui")

Result = TypeVar("Result")
CANCELLED_NOTE = "Cancelled. Clips finished before the cancel are kept; the unfinished one was discarded."
NOTHING_TO_CANCEL = "Nothing is rendering, so there is nothing to cancel."


@dataclass
class Cancels:
    """What each page's Cancel button reaches: the work its browser session started in that tab.

    Made once per app (in `build_app`). Cancel sets the work's token and the
    work itself ends its status line with the cancel note, so no late
    progress line can overwrite that note (Gradio's own `cancels=` kills the
    handler before it can say anything).
    """

    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _running: dict[tuple[str, str], list[CancelToken]] = field(default_factory=dict, repr=False)

    @staticmethod
    def _key(request: gr.Request | None, tab: str) -> tuple[str, str]:
        return getattr(request, "session_hash", None) or "no-session", tab

    @contextlib.contextmanager
    def watch(self, request: gr.Request | None, tab: str) -> Iterator[CancelToken]:
        """A fresh token for one piece of work, reachable by `cancel(request, tab)` until the block ends."""
        token, key = CancelToken(), self._key(request, tab)
        with self._guard:
            self._running.setdefault(key, []).append(token)
        try:
            yield token
        finally:
            with self._guard:
                self._running[key].remove(token)
                if not self._running[key]:
                    del self._running[key]

    def cancel(self, request: gr.Request | None, tab: str) -> bool:
        """Cancel the session's work in `tab`; False when nothing was running there."""
        with self._guard:
            tokens = list(self._running.get(self._key(request, tab), ()))
        for token in tokens:
            token.cancel()
        return bool(tokens)


def cancel_click(cancels: Cancels, tab: str) -> Callable[..., Any]:
    """The Cancel button's handler: nothing to say while work is ending (it says so itself), else why not."""

    def on_cancel_click(request: gr.Request) -> Any:
        return gr.skip() if cancels.cancel(request, tab) else NOTHING_TO_CANCEL

    return on_cancel_click


def render_progress(counter: FrameCounter) -> str:
    """The progress line of a take; before the first frame is planned it says the render is starting."""
    if not counter.total_frames:
        return "Starting the render…"
    return f"Rendering… {counter.frames}/{counter.total_frames} frames ({counter.fraction:.0%})"


def queued_note(ahead: int) -> str:
    return f"Queued: {ahead} render(s) ahead of this one; it starts when they finish (Cancel leaves the queue)."


def in_background(work: Callable[[CancelToken], Result], describe: Callable[[], Any],
                  cancel: CancelToken) -> Generator[Any, None, Result]:
    """Run `work(cancel)` in a thread, yielding `describe()` twice a second; return its result.

    Cancel stops the work at its next frame and `Cancelled` comes out here;
    when the page goes away Gradio closes this generator, which cancels too.
    """
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
            worker.join(0.5)
    finally:
        if worker.is_alive():
            cancel.cancel()
        worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def refusal_in_status(handler: Callable[..., Generator[Any, None, None]], status: gr.components.Component,
                      prefix: str, cancelled: str = CANCELLED_NOTE) -> Callable[..., Generator[Any, None, None]]:
    """The page's variant of a long handler: a refusal or a cancel becomes its status line, not an error.

    The API keeps the plain handler, so clients still get an error; on the
    page the status stops saying "Rendering…" and the players show no error badge.
    """

    @functools.wraps(handler)
    def page_handler(*args: Any, **kwargs: Any) -> Generator[Any, None, None]:
        try:
            yield from handler(*args, **kwargs)
        except Cancelled:
            yield {status: cancelled}
        except StudioError as error:
            log.warning("refused: %s", str(error).splitlines()[0])
            gr.Warning(str(error))
            yield {status: f"**{prefix}:** {error}"}

    return page_handler
