"""Writes the two generated reference pages, so they cannot drift from the code they describe:

    .venv/bin/python -m tools.make_docs

- docs/configuration.md from the `config/pipeline.yaml` schema (studio.config.PipelineConfig): every key with
  its default, its type and limits, and its field docstring;
- docs/api.md from the app's own API info (gradio's `Blocks.get_api_info`): every named endpoint with its
  docstring, its inputs (name, type, default) and its outputs.

tests/test_docs.py fails while either file differs from what this writes.
"""

from __future__ import annotations

import re
import sys
import tempfile
import typing
from pathlib import Path

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONFIG_PAGE = DOCS / "configuration.md"
API_PAGE = DOCS / "api.md"
WORKSPACE_VALUES = {"title_id", "title_ids", "shot_id", "keyframe", "take_id", "set_name"}
"""Inputs whose choices are the workspace's own (titles, shots, takes): listed by type only, not by value."""

CONFIG_HEAD = """# Configuration reference (`config/pipeline.yaml`)

Generated from the schema's field docstrings by `python -m tools.make_docs`; do not edit by hand (a test fails
while this page differs from the schema). Every key is optional. Unknown keys are refused with the key named,
and a value out of its limits is refused with the limit. Sections and their keys:
"""

API_HEAD = """# API reference

Generated from the app's own API info by `python -m tools.make_docs`; do not edit by hand (a test fails while
this page differs from the app). Every button of the studio has an endpoint; call them with `gradio_client`
(`Client(url).predict(..., api_name="/name")`, keyword arguments by the parameter names below). A refusal comes
back as an error whose message says what to change. Endpoints marked *(operators)* refuse other callers where a
login names the operators (see the deploying guide).
"""


def _type_name(annotation: object) -> str:
    """A field's type as a reader writes it in YAML terms."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " | ".join(f"`{value}`" for value in typing.get_args(annotation))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        named = [_type_name(arg) for arg in typing.get_args(annotation) if arg is not type(None)]
        return " or ".join(named) + (" or null" if type(None) in typing.get_args(annotation) else "")
    if origin in (dict, list, tuple):
        return {dict: "mapping", list: "list", tuple: "list"}[origin]
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return "mapping"
        return {"str": "text", "int": "integer", "float": "number", "bool": "true/false"}.get(annotation.__name__,
                                                                                              annotation.__name__)
    return str(annotation)


def _limits(field: object) -> str:
    words = []
    for rule in getattr(field, "metadata", []):
        for name, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(rule, name, None)
            if value is not None:
                words.append(f"{sign} {value}")
    return ", ".join(words)


def _default(field: object) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "(section)"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (dict, list, tuple)) and not value:
        return "empty"
    return f"`{value}`"


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _section(name: str, model: type[BaseModel], lines: list[str]) -> None:
    doc = " ".join((model.__doc__ or "").split())
    lines += ["", f"## `{name}`", ""] + ([doc, ""] if doc else [])
    lines += ["| key | default | type | meaning |", "|---|---|---|---|"]
    nested = []
    for key, field in model.model_fields.items():
        annotation = field.annotation
        kind = _type_name(annotation)
        if limits := _limits(field):
            kind += f" ({limits})"
        lines.append(f"| `{key}` | {_cell(_default(field))} | {_cell(kind)} | {_cell(field.description)} |")
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            nested.append((f"{name}.{key}", annotation))
    for child_name, child in nested:
        _section(child_name, child, lines)


def configuration_reference() -> str:
    from studio.config import PipelineConfig

    lines = [CONFIG_HEAD.rstrip("\n")]
    for name, field in PipelineConfig.model_fields.items():
        _section(name, field.annotation, lines)
    return "\n".join(lines) + "\n"


def _label(item: dict) -> str:
    """A component's label; Gradio's made-up ones ("value_70", numbered by creation) are left out."""
    label = item.get("label") or ""
    return "" if re.fullmatch(r"value_\d+", label) else label


def _value_type(parameter: dict) -> str:
    if parameter.get("parameter_name") in WORKSPACE_VALUES:
        return "str (an id from the workspace)"
    return parameter["python_type"]["type"]


def api_reference() -> str:
    """Every named endpoint of the app built over a copy of the sample workspace."""
    from studio.services import ReviewDesk, Studio
    from studio.store import VoteStore
    from studio.ui.app import build_app
    from studio.workspace import sample_workspace

    with tempfile.TemporaryDirectory(prefix="studio-docs-") as folder:
        desk = ReviewDesk(Studio.open(sample_workspace(Path(folder) / "workspace")), VoteStore(Path(folder) / "votes.db"))
        info = build_app(desk).get_api_info()
    lines = [API_HEAD.rstrip("\n")]
    for name, endpoint in info["named_endpoints"].items():
        lines += ["", f"## `{name}`", "", _cell(endpoint.get("description")) or "(no description)", ""]
        if endpoint["parameters"]:
            lines += ["| input | type | default | on the page |", "|---|---|---|---|"]
            for parameter in endpoint["parameters"]:
                default = ("required" if not parameter.get("parameter_has_default") else
                           "" if parameter["parameter_name"] in WORKSPACE_VALUES else
                           f"`{parameter['parameter_default']!r}`")
                lines.append(f"| `{parameter['parameter_name']}` | {_cell(_value_type(parameter))} | {_cell(default)} | "
                             f"{_cell(_label(parameter))} ({parameter['component']}) |")
        else:
            lines.append("No inputs.")
        returns = ", ".join(f"{_cell(_label(item))} ({item['component']}: {_cell(item['python_type']['type'])})".lstrip()
                            for item in endpoint["returns"])
        lines += ["", f"Returns: {returns or 'nothing'}."]
    return "\n".join(lines) + "\n"


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    CONFIG_PAGE.write_text(configuration_reference(), encoding="utf-8")
    API_PAGE.write_text(api_reference(), encoding="utf-8")
    print(f"wrote {CONFIG_PAGE.relative_to(ROOT)} and {API_PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
