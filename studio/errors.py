"""Typed errors. Every message is written for the person who has to fix the problem.

Inside the package code raises these; the CLI (and later the UI) converts them
once, at the boundary, into a clean message and an exit status.
"""

from __future__ import annotations


class StudioError(Exception):
    """Base class: a problem the user can act on, with a message that says how."""


class ConfigError(StudioError):
    """`config/pipeline.yaml` is missing, unreadable or holds a value out of range."""


class ScriptError(StudioError):
    """A scene script JSON file is malformed or breaks the schema."""


class WorkspaceError(StudioError):
    """The workspace tree is missing something, or a path would leave it."""


class KeyframeError(StudioError):
    """A keyframe image is missing, corrupt, truncated or too large."""


class EncodeError(StudioError):
    """ffmpeg is missing or failed; carries the tail of its stderr."""


class BackendUnavailableError(StudioError):
    """The requested generation method cannot run in this installation."""


class RenderError(StudioError):
    """A shot failed to render; names the shot and the cause."""


class NarrationError(StudioError):
    """Narration audio or its timing is missing, unreadable or does not fit the shots."""


class DecisionError(StudioError):
    """Applying a default method or an override that the votes do not support, or an ill-typed decision."""


class Cancelled(Exception):  # noqa: N818 - a cancel is not an error: deliberately no StudioError
    """The person who started the work cancelled it; unfinished output was discarded."""
