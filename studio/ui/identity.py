"""The one place a request becomes a `Caller`: from its login and its address, never from a field it fills."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from studio.services import CancelToken
from studio.services.access import AccessRules, Caller, RenderQueue
from studio.ui.background import Cancels, in_background


def caller_of(rules: AccessRules, request: gr.Request | None, profile: gr.OAuthProfile | None = None) -> Caller:
    """Who sent `request`: the Hugging Face login on a Space, else Gradio's password login, else nobody by name."""
    login = profile.username if profile is not None else getattr(request, "username", None)
    client = getattr(request, "client", None) if request is not None else None
    return rules.caller(login_name=login, client_host=getattr(client, "host", None))


def queue_key(caller: Caller, request: gr.Request | None) -> str:
    """Whose renders count together: the login name, else the browser session (or API client)."""
    return caller.name.casefold() if caller.name else f"session:{getattr(request, 'session_hash', None) or 'unknown'}"


@dataclass(frozen=True)
class Gate:
    """The app's access rules, its render line and its Cancel buttons' reach, made once in `build_app`."""

    rules: AccessRules
    line: RenderQueue
    cancels: Cancels = field(default_factory=Cancels)

    def caller(self, request: gr.Request | None, profile: gr.OAuthProfile | None = None) -> Caller:
        return caller_of(self.rules, request, profile)

    def in_line(self, caller: Caller, request: gr.Request | None, work: Generator[Any, None, Any],
                waiting: Callable[[int], Any], cancel: CancelToken) -> Generator[Any, None, Any]:
        """Run the generator `work` when the render turn comes, yielding `waiting(renders ahead)` meanwhile.

        A reviewer's place counts from the moment they ask; one more than the
        limit is refused at once. Cancel (`Cancelled`) or a closed page leaves the line.
        """
        with self.line.place(caller, queue_key(caller, request)):
            while not self.line.try_turn(0.5):
                cancel.check()
                yield waiting(self.line.waiting() - 1)
            try:
                return (yield from work)
            finally:
                self.line.end_turn()

    def run(self, caller: Caller, request: gr.Request | None, tab: str, work: Callable[[CancelToken], Any],
            describe: Callable[[], Any], waiting: Callable[[int], Any]) -> Generator[Any, None, Any]:
        """`work(cancel)` in the render line and off the request thread, yielding `waiting` and then `describe()`;
        the page's Cancel in `tab` stops it (`Cancelled` comes out here)."""
        with self.cancels.watch(request, tab) as cancel:
            return (yield from self.in_line(caller, request, in_background(work, describe, cancel), waiting, cancel))
