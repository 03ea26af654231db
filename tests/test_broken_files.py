"""One bad file isolates: a truncated script or a corrupt keyframe is reported, every other title keeps working."""

import pytest

from studio.cli import main
from studio.services import ReviewDesk, Studio
from studio.store import VoteStore
from studio.workspace import Problem
from tests.conftest import SAMPLE_TITLE, script_file

MEN_TITLE = "d109fc88-84b8-45d0-bfcc-b15887d103c3"
BROKEN_FILE = f"scenes/json/women/14-17/{SAMPLE_TITLE}.json"


def test_the_workspace_yields_good_scripts_and_the_broken_files(small_workspace):
    script_file(small_workspace).write_text('{"title_id": "9f7bca19-0bcb-48fc-b06f-55f8c3e65d67", "title": "Golden')
    catalog = small_workspace.catalog()
    assert sorted(s.title for s in catalog.scripts) == ["Backyard explorers", "Weekend off the grid"]
    assert catalog.broken == (
        Problem(BROKEN_FILE, f"{BROKEN_FILE} is not valid JSON: Unterminated string starting at (line 1, column 63)"),)
    assert [s.title for s in small_workspace.scripts()] == [s.title for s in catalog.scripts]


def test_list_generate_and_validate_go_on_around_a_truncated_script(small_workspace, capsys):
    script_file(small_workspace).write_text('{"title_id": "9f7bca19')
    root = str(small_workspace.root)
    assert main(["list", "--workspace", root]) == 0
    captured = capsys.readouterr()
    assert sorted(line.split("  ")[-1] for line in captured.out.splitlines()) == ["Backyard explorers", "Weekend off the grid"]
    # The path is said once: the error already names its file.
    assert f"broken: {BROKEN_FILE} is not valid JSON: Unterminated string starting at (line 1, column 14)" \
        in captured.err.splitlines()

    assert main(["generate", "--workspace", root, "--title", MEN_TITLE, "--shot", "5"]) == 0
    assert "1 rendered, 0 skipped (up to date), 0 failed" in capsys.readouterr().err
    # Without --title the broken file is in the selection: the rest renders, the broken one is named, exit 1.
    assert main(["generate", "--workspace", root, "--segment", "women", "--shot", "5"]) == 1
    err = capsys.readouterr().err
    assert "1 rendered, 0 skipped (up to date), 0 failed" in err
    assert f"broken: {BROKEN_FILE} is not valid JSON: Unterminated string starting at (line 1, column 14)" \
        in err.splitlines()
    assert err.rstrip().splitlines()[-1] == (  # the last line says why the exit status is 1
        f"Exit status 1: 1 script file(s) in the selection do not load, so their shots were not rendered: {BROKEN_FILE} "
        "(`python -m studio validate` says what is wrong)")
    assert main(["generate", "--workspace", root, "--segment", "men", "--shot", "5"]) == 0  # not in this selection
    assert "broken:" not in capsys.readouterr().err

    assert main(["validate", "--workspace", root]) == 2
    assert capsys.readouterr().out.splitlines() == [
        f"{BROKEN_FILE} is not valid JSON: Unterminated string starting at (line 1, column 14)"]


def test_validate_finds_truncated_and_fake_keyframes(small_workspace, capsys):
    folder = small_workspace.root / "images" / "keyframes_v1" / "men" / "18-23" / MEN_TITLE
    png = (folder / "shot_002_A.png").read_bytes()
    (folder / "shot_002_A.png").write_bytes(png[: len(png) // 2])
    (folder / "shot_004_A_end.png").write_text("not a picture\n")
    assert main(["validate", "--workspace", str(small_workspace.root)]) == 2
    script = f"scenes/json/men/18-23/{MEN_TITLE}.json"
    keyframes = f"images/keyframes_v1/men/18-23/{MEN_TITLE}"
    assert capsys.readouterr().out.splitlines() == [
        f"{script}: shot-002: keyframe {keyframes}/shot_002_A.png could not be decoded (Truncated File Read); "
        "it may be truncated, re-export it",
        f"{script}: shot-004: keyframe {keyframes}/shot_004_A_end.png is not an image file PIL can read "
        "(corrupt or wrong format)",
    ]


@pytest.fixture
def served_with_a_broken_script(small_workspace, tmp_path):
    """The studio started while one script is truncated (as `python app.py` would be)."""
    pytest.importorskip("gradio_client")
    from gradio_client import Client

    from tests.serving import launched

    script_file(small_workspace).write_text('{"title_id": "9f7bca19')
    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))
    with launched(desk) as url:
        yield desk, Client(url, verbose=False)


def test_a_running_studio_serves_every_other_title(served_with_a_broken_script):
    desk, client = served_with_a_broken_script
    assert sorted(s["title"] for s in client.predict(api_name="/list_scripts")) == ["Backyard explorers",
                                                                                   "Weekend off the grid"]
    summary, _chart, _sequence = client.predict(api_name="/results")
    assert "0 votes" in summary
    batch = open(client.predict([], api_name="/export_batch")).read()
    assert f"title_id: {MEN_TITLE}" in batch and SAMPLE_TITLE not in batch
    assert desk.broken_scripts() == (
        Problem(BROKEN_FILE, f"{BROKEN_FILE} is not valid JSON: Unterminated string starting at (line 1, column 14)"),)
    # The broken file is named in a note where people pick scripts (Library, Assemble), not in a toast per panel.
    from studio.ui.scripts import broken_scripts_note

    assert broken_scripts_note(desk) == (
        f"**1 script file(s) do not load** and are not listed:\n- `{BROKEN_FILE}` is not valid JSON: "
        "Unterminated string starting at (line 1, column 14)")


def test_the_library_names_a_keyframe_that_cannot_be_used(small_workspace, tmp_path):
    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))
    script, shot = desk.shot(SAMPLE_TITLE, "shot-001")
    [first, *_] = desk.workspace.keyframe_paths(script, shot)
    first.write_bytes(first.read_bytes()[:300])  # truncated
    problems = desk.keyframe_problems(SAMPLE_TITLE, "shot-001")
    assert list(problems) == [first.name] and "could not be decoded" in problems[first.name]
    assert desk.keyframe_problems(SAMPLE_TITLE, "shot-002") == {}
    pytest.importorskip("gradio_client")
    import gradio_client

    from tests.serving import launched

    with launched(desk) as url:
        view = gradio_client.Client(url, verbose=False).predict(SAMPLE_TITLE, "shot-001", api_name="/shot_details")
    details = view["details"]
    assert "**A keyframe cannot be used; renders of this shot are refused until it is replaced" in details
    assert f"- `{first.name}`: keyframe {first.name} could not be decoded" in details
    assert [(k["file"], k["problem"] is None) for k in view["keyframes"]] == [(first.name, False),
                                                                              ("shot_001_A_end.png", True)]
