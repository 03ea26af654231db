"""The page: a header, the reviewer's name, and one tab per job."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from studio.services import ReviewDesk
from studio.ui.assemble import build_assemble_tab
from studio.ui.errors import StudioBlocks
from studio.ui.library import build_library_tab
from studio.ui.results import build_results_tab
from studio.ui.review import build_review_tab

HEADER = """# Shot Video Studio
Browse the scripts, render takes of a shot, compare takes blind and vote; the votes pick the default method. Assemble fits the shots to the narration and exports the finished video.
LTX-Video and Stable Video Diffusion need a GPU (a GPU Space) or a small local model; on a CPU Space use interpolation."""


def build_app(desk: ReviewDesk, *, on_space: bool = False) -> gr.Blocks:
    """The whole page; `on_space` adds the Hugging Face login that names the reviewer."""
    with StudioBlocks(title="Shot Video Studio") as page:
        gr.Markdown(HEADER)
        remembered = gr.BrowserState("", storage_key="shot-video-studio-reviewer")
        reviewer = gr.Textbox(label="Your name (kept in this browser; one vote per pair per name)", max_lines=1)
        if on_space:
            gr.LoginButton()  # on Hugging Face, the login names the reviewer
        with gr.Tab("Library & generate"):
            build_library_tab(desk, reviewer, page)
        with gr.Tab("Compare & vote"):
            voting = build_review_tab(desk, reviewer, page)
        with gr.Tab("Results & decision"):
            refresh_results, results_outputs = build_results_tab(desk, page)
        voting.then(refresh_results, None, results_outputs, api_visibility="private")
        with gr.Tab("Assemble"):
            build_assemble_tab(desk, page)
        reviewer.change(lambda name: name, reviewer, remembered, api_visibility="private")
        # A name typed before the page finished loading wins over the remembered one.
        page.load(lambda stored, typed: typed or stored, [remembered, reviewer], reviewer, api_visibility="private")
        if on_space:

            def from_login(typed: str, profile: gr.OAuthProfile | None) -> str:
                return typed or (profile.username if profile else "")

            page.load(from_login, reviewer, reviewer, api_visibility="private")
    return page


def served_folders(desk: ReviewDesk) -> list[str]:
    """The only folders the app may serve files from."""
    root = desk.workspace.root
    return [str(Path(root, part)) for part in ("images/keyframes_v1", "videos", "exports")]
