"""The Gradio studio: the only package that imports gradio. One module per tab."""

from studio.ui.app import build_app

__all__ = ["build_app"]
