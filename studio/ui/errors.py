"""StudioError becomes gr.Error in one place: people see the message, the server log one line.

Tracebacks are for bugs: anything that is not a StudioError reaches Gradio
unchanged, which logs it in full.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

import gradio as gr

from studio.errors import StudioError

log = logging.getLogger("studio.ui")


def refused(error: StudioError) -> gr.Error:
    """The page's message for an expected refusal, logged as one line."""
    log.warning("refused: %s", str(error).splitlines()[0])
    return gr.Error(str(error), print_exception=False)


def shown_to_user(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a handler (plain or generator) so a StudioError reaches the page as its message."""
    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def generator(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from handler(*args, **kwargs)
            except StudioError as error:
                raise refused(error) from None

        return generator

    @functools.wraps(handler)
    def plain(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except StudioError as error:
            raise refused(error) from None

    return plain
