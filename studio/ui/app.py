"""The page: a header, the reviewer's name and role, and one tab per job."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import gradio as gr

from studio.errors import ConfigError
from studio.services import ReviewDesk
from studio.services.access import AccessRules, Login, RenderQueue
from studio.ui.assemble import build_assemble_tab
from studio.ui.errors import listen
from studio.ui.identity import Gate
from studio.ui.library import build_library_tab
from studio.ui.results import build_results_tab
from studio.ui.review import build_review_tab

log = logging.getLogger(__name__)
ASSETS = Path(__file__).resolve().parent / "assets"
HEADER = """# Shot Video Studio
Browse the scripts, render takes of a shot, compare takes blind and vote; the votes pick the default method. Assemble fits the shots to the narration and exports the finished video."""


def page_js() -> str:
    """The load-time script: the page's CSS, the players' sync and the vote keys (studio/ui/assets)."""
    css = (ASSETS / "page.css").read_text(encoding="utf-8")
    return f"() => {{ window.__studioCss = {json.dumps(css)}; ({(ASSETS / 'page.js').read_text(encoding='utf-8')})(); }}"


@contextmanager
def _space_sign_in_explained() -> Iterator[None]:
    """Off a Space, Gradio mocks the Space's sign-in, which needs a Hugging Face login on this machine; without
    one its ValueError becomes a message saying what to set."""
    try:
        yield
    except ValueError as error:
        if "logged in to HF" not in str(error):
            raise
        raise ConfigError("SPACE_ID is set, but this is not a Hugging Face Space and this machine has no Hugging Face "
                          "login for Gradio to mock the sign-in with: unset SPACE_ID, or set the variables a Space "
                          "sets (README, 'Hugging Face Spaces and Docker'), or run `hf auth login`") from None


SPACES_RELOADER = "`spaces` package is required to run hot-reloading in Spaces"


def without_spaces_reloader_traceback() -> None:
    """With SYSTEM=spaces Gradio starts its Spaces hot-reload watcher, which needs the `spaces` package that every
    Space has. Started that way elsewhere (a local try of the Space start, README), the watcher's thread dies with
    a traceback; the app runs on unaffected, so that one failure becomes one log line."""
    if os.environ.get("SYSTEM") != "spaces" or importlib.util.find_spec("spaces") is not None:
        return
    previous = threading.excepthook

    def hook(failure: threading.ExceptHookArgs) -> None:
        if isinstance(failure.exc_value, RuntimeError) and str(failure.exc_value) == SPACES_RELOADER:
            log.info("Gradio's Spaces hot reload is off: the `spaces` package is not installed (it is on a Space)")
            return
        previous(failure)

    threading.excepthook = hook


def page_theme() -> gr.themes.Theme:
    """Gradio's default theme, with bold text drawn from whole font files.

    gradio 6.31 ships the semibold (600) files of its default fonts as stubs of a few glyphs (Source Sans Pro's
    holds "A", "B" and a space), so bold text showed those capitals in one font and every other letter in the
    fallback. The bold (700) files are whole, and CSS draws a 600 weight from the nearest heavier face.
    """
    return gr.themes.Default(
        font=(gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui", "sans-serif"),
        font_mono=(gr.themes.LocalFont("IBM Plex Mono", weights=(400, 700)), "ui-monospace", "Consolas", "monospace"))


def _no_display_backend() -> None:
    """Name matplotlib's backend (agg: a server has no display) before the first request, and only here.

    Gradio reads matplotlib's backend around every event and sets "agg" for it. Left unnamed, the first read
    picks one by importing pyplot, about 0.2 s inside the first request, which every reviewer opening a new
    server waited behind. Named here, in gradio's spelling, so that its setting around each event changes
    nothing: any other name ("Agg") made every event switch pyplot's backend twice, and an event finishing
    while another thread was importing pyplot failed on the half-imported module.
    """
    import matplotlib

    matplotlib.use("agg")


def build_app(desk: ReviewDesk, *, on_space: bool = False, rules: AccessRules | None = None,
              renders_per_reviewer: int = 2) -> gr.Blocks:
    """The whole page; `on_space` adds the Hugging Face login that names the reviewer.

    `rules` say who is an operator (default: on a Space the Hugging Face
    login, else everyone on this machine); the render line and its
    per-reviewer cap are made here, once per app.
    """
    rules = rules or AccessRules(login=Login.SPACE if on_space else Login.NONE)
    gate = Gate(rules, RenderQueue(per_reviewer=renders_per_reviewer))
    # Gradio's queue re-summarises its event history with pandas after every event by default (for its monitoring
    # page); every 100 events is plenty there, and it was a tenth of the server's time in a vote round under load.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "100")
    _no_display_backend()
    with _space_sign_in_explained(), gr.Blocks(title="Shot Video Studio") as page:
        gr.Markdown(HEADER)
        remembered = gr.BrowserState("", storage_key="shot-video-studio-reviewer")
        with gr.Row(equal_height=True):
            reviewer = gr.Textbox(label="Your name (kept in this browser; one vote per pair per name)", max_lines=1,
                                  scale=2)
            role = gr.Markdown(elem_id="role-line")
            if on_space:
                gr.LoginButton(scale=0)  # on Hugging Face, the login names the reviewer
        # "wrap": on a phone the tab bar takes two rows and every tab keeps its name, rather than Gradio's
        # default of an unlabelled "..." menu for the tabs that do not fit.
        with gr.Tabs(overflow_behavior="wrap", elem_id="studio-tabs"):
            with gr.Tab("Library & generate") as library_tab:
                operator_controls = build_library_tab(desk, reviewer, page, gate, library_tab)
            with gr.Tab("Compare & vote") as review_tab:
                votes = build_review_tab(desk, reviewer, page, gate, review_tab)
            with gr.Tab("Results & decision") as results_tab:
                refresh_results, results_outputs, decision_controls = build_results_tab(desk, page, gate, results_tab)
            for vote in votes:
                # Quietly: the Results tab is usually not the one in view, and its text stays readable while it updates.
                vote.then(refresh_results, None, results_outputs, api_visibility="private", show_progress="hidden")
            with gr.Tab("Assemble") as assemble_tab:
                export_controls = build_assemble_tab(desk, page, gate, assemble_tab)
        listen(reviewer.change, lambda name: name, reviewer, remembered, api_visibility="private")
        page.load(None, None, None, js=page_js(), api_visibility="private")
        guarded = [*operator_controls, *decision_controls, *export_controls]

        def on_page_load(stored: str, typed: str, request: gr.Request, profile: gr.OAuthProfile | None = None) -> list:
            """The caller's role, whom their votes count for, and the operator-only buttons they may press."""
            caller = gate.caller(request, profile)
            who = f"**{caller.name}**" if caller.name else "You"
            voting = "vote" if caller.name or rules.login is Login.NONE else "vote once signed in"
            line = (f"{who}: operator ({rules.describe()})." if caller.is_operator else
                    f"{who}: reviewer; you can render takes (up to {renders_per_reviewer} at a time) and {voting}. "
                    "Deciding, promoting, replacing keyframes, script renders, the comparison set, assembly edits, "
                    f"exports and reproducibility checks are for operators: {rules.describe()}.")
            if caller.name:  # the login names the reviewer: nothing to type, nothing another name could claim
                name = gr.Textbox(value=caller.name, interactive=False, label="Signed in as (your votes count for this "
                                  "login)")
            elif rules.login is Login.NONE:  # a name typed before the page finished loading wins over the kept one
                name = gr.Textbox(value=typed or stored)
            else:
                name = gr.Textbox(value="", interactive=False, label="Your name comes from your sign-in",
                                  placeholder="Sign in to vote: each vote belongs to one signed-in person")
            return [line, name, *[gr.Button(interactive=caller.is_operator) for _ in guarded]]

        listen(page.load, on_page_load, [remembered, reviewer], [role, reviewer, *guarded], api_visibility="private")
    return page


def served_folders(desk: ReviewDesk) -> list[str]:
    """The only folders the app may serve files from."""
    root = desk.root
    return [str(Path(root, part)) for part in ("images/keyframes_v1", "videos", "exports", "cache/depth")]
