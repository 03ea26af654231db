"""StudioError becomes gr.Error in one place, so people see the message, not a traceback."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import gradio as gr

from studio.errors import StudioError


def shown_to_user(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a handler (plain or generator) so a StudioError reaches the page as its message."""
    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def generator(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from handler(*args, **kwargs)
            except StudioError as error:
                raise gr.Error(str(error)) from None

        return generator

    @functools.wraps(handler)
    def plain(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except StudioError as error:
            raise gr.Error(str(error)) from None

    return plain
