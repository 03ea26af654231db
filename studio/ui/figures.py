"""The Results tab's "Speed and consistency" section: the figures per method and the reproducibility check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import gradio as gr

from studio.services import ReviewDesk
from studio.services.review import FIGURES_NOTE, figures_table
from studio.ui.errors import shown_to_user
from studio.ui.identity import Gate


@dataclass(frozen=True)
class FiguresSection:
    """What the tab wires to its own Refresh: the handler and the table it fills."""

    refresh: Callable[[], str]
    table: gr.Markdown
    check: gr.Button
    """Check reproducibility (operators: it renders)."""


def figures_markdown(desk: ReviewDesk) -> str:
    figures = desk.set_figures()
    chosen = desk.comparison_set()
    title = f"#### Speed and consistency (comparison set {chosen.name})" if chosen else "#### Speed and consistency"
    if not figures:
        return f"{title}\n*Appears once a shot has takes.*"
    return "\n".join([title, *figures_table(figures), "", f"<small>{FIGURES_NOTE} **Check "
                      "reproducibility** renders one take per method again and compares the frames.</small>"])


def build_figures_section(desk: ReviewDesk, page: gr.Blocks, gate: Gate) -> FiguresSection:
    """The table (filled on page load), and a button that re-renders one take per method to check it repeats."""
    table = gr.Markdown(elem_id="method-figures")
    with gr.Row(equal_height=True):
        check = gr.Button("Check reproducibility", size="sm", min_width=160)
        status = gr.Markdown(elem_id="reproducibility-status")

    @shown_to_user
    def on_figures_refresh() -> str:
        return figures_markdown(desk)

    def check_reproducibility(method: Literal["interp", "ltx", "both"] = "both", request: gr.Request | None = None,
                              profile: gr.OAuthProfile | None = None) -> str:
        """Re-render the newest matching take of each method (or of `method`) with the same settings and seed into
        a temporary folder and compare its frames with the stored clip. Costs one render per method (operators)."""
        reports = desk.figures.check_reproducibility(None if method == "both" else [method],
                                                     by=gate.caller(request, profile))
        return "\n".join(f"- {report.describe()}" for report in reports)

    @shown_to_user
    def on_check_click(request: gr.Request | None = None, profile: gr.OAuthProfile | None = None) -> str:
        return check_reproducibility("both", request, profile)

    page.load(on_figures_refresh, None, table, api_visibility="private")
    check.click(on_check_click, None, status, api_visibility="private").then(
        on_figures_refresh, None, table, api_visibility="private")
    gr.api(shown_to_user(check_reproducibility), api_name="check_reproducibility")
    return FiguresSection(on_figures_refresh, table, check)
