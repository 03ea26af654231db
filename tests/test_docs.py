"""The manual: the generated reference pages match the code they describe, and every relative link resolves."""

import re
from pathlib import Path

import pytest

from tools import make_docs

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def test_the_configuration_reference_is_the_schemas():
    assert make_docs.CONFIG_PAGE.read_text(encoding="utf-8") == make_docs.configuration_reference(), (
        "docs/configuration.md is stale: run `.venv/bin/python -m tools.make_docs`")


def test_the_api_reference_is_the_apps():
    pytest.importorskip("gradio")
    assert make_docs.API_PAGE.read_text(encoding="utf-8") == make_docs.api_reference(), (
        "docs/api.md is stale: run `.venv/bin/python -m tools.make_docs`")


def test_the_references_name_every_key_and_endpoint():
    from studio.config import PipelineConfig

    config_page = make_docs.CONFIG_PAGE.read_text(encoding="utf-8")
    assert all(f"## `{section}`" in config_page for section in PipelineConfig.model_fields)
    assert "| `checkpoint` | empty |" in config_page and "| `seed` | `42` | integer (>= 0, <= 4294967295) |" in config_page
    api_page = make_docs.API_PAGE.read_text(encoding="utf-8")
    assert all(f"## `/{name}`" in api_page for name in ("render_shot", "next_pair", "vote", "apply_decision", "assemble"))


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_every_relative_link_resolves(page):
    broken = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):  # a web address, or a place on the same page
            continue
        path = (page.parent / target.split("#", 1)[0]).resolve()
        if not path.exists():
            broken.append(target)
    assert broken == [], f"{page.name} links to files that do not exist: {broken}"
