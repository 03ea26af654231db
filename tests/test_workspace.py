import json
import os

import pytest

from studio.errors import ScriptError, WorkspaceError
from studio.workspace import SAMPLE_WORKSPACE, Problem, Workspace, sample_workspace
from tests.conftest import SAMPLE_TITLE, edit_script, script_file


def test_sample_workspace_is_copied_not_used_in_place(tmp_path):
    before = sorted(p.relative_to(SAMPLE_WORKSPACE) for p in SAMPLE_WORKSPACE.rglob("*"))
    workspace = sample_workspace(tmp_path / "copy")
    assert workspace.root == (tmp_path / "copy").resolve()
    assert sorted(p.relative_to(workspace.root) for p in workspace.root.rglob("*")) == before
    # Edits survive a second call; deleted inputs come back.
    config = workspace.root / "config" / "pipeline.yaml"
    config.write_text("video: {preset: fast}\n")
    script_file(workspace).unlink()
    sample_workspace(tmp_path / "copy")
    assert config.read_text() == "video: {preset: fast}\n"
    assert script_file(workspace).is_file()


def test_sample_scripts_cover_segments_ages_and_lengths(workspace):
    scripts = workspace.scripts()
    assert {(s.segment, s.age_bucket) for s in scripts} == {("women", "14-17"), ("men", "18-23"), ("women", "10-13")}
    for script in scripts:
        assert len(script.shots) == 6
        assert 45 <= script.duration_s <= 60
        assert len({shot.camera_movement for shot in script.shots}) >= 4
    assert workspace.validate() == []


def test_paths_follow_the_pipeline_tree(workspace):
    script = workspace.find_script(SAMPLE_TITLE)
    shot = script.shot(3)
    base = f"women/14-17/{SAMPLE_TITLE}"
    assert [workspace.relative(p) for p in workspace.keyframe_paths(script, shot)] == [
        f"images/keyframes_v1/{base}/shot_003_A.png",
        f"images/keyframes_v1/{base}/shot_003_B.png",
        f"images/keyframes_v1/{base}/shot_003_A_end.png",
    ]
    assert workspace.relative(workspace.clip_path(script, shot, "interp")) == f"videos/interp/{base}/shot_003.mp4"
    assert workspace.relative(workspace.metadata_path(script, "ltx")) == f"videos/ltx/{base}/{SAMPLE_TITLE}_ltx_metadata.json"


@pytest.mark.parametrize("part", ["..", "../outside", "/etc/passwd", "a/../../b", "", "c:\\windows"])
def test_paths_may_not_leave_the_workspace(workspace, part):
    with pytest.raises(WorkspaceError, match="is not allowed in a workspace path"):
        workspace.inside("images", part)


def test_symlinks_pointing_out_are_refused(workspace, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"x")
    folder = workspace.keyframe_dir(workspace.find_script(SAMPLE_TITLE))
    (folder / "shot_001_A.png").unlink()
    os.symlink(secret, folder / "shot_001_A.png")
    with pytest.raises(WorkspaceError, match="points outside the workspace"):
        workspace.keyframe_paths(workspace.find_script(SAMPLE_TITLE), workspace.find_script(SAMPLE_TITLE).shot(1))


def test_unknown_title_is_a_clear_error(workspace):
    with pytest.raises(WorkspaceError, match="no script with title id 'nope'"):
        workspace.find_script("nope")
    # An id is matched against the script files there are, never made into a path: no way out of the workspace.
    with pytest.raises(WorkspaceError, match=r"no script with title id '\.\./\.\./etc/passwd'"):
        workspace.find_script("../../etc/passwd")
    with pytest.raises(WorkspaceError, match=r"no script with title id 'x{120}…'"):
        workspace.find_script("x" * 5000)  # longer than any file name: said, not an OSError


def test_malformed_json_names_file_and_position(workspace):
    path = script_file(workspace)
    path.write_text('{"title_id": ')
    with pytest.raises(ScriptError, match=r"scenes/json/women/14-17/.*\.json is not valid JSON: Expecting value \(line 1, column 14\)"):
        workspace.load_script(path)


def test_schema_errors_name_file_and_field(workspace):
    edit_script(workspace, lambda data: data["shots"][1].update(duration_s=-4))
    with pytest.raises(ScriptError) as caught:
        workspace.load_script(script_file(workspace))
    assert f"{SAMPLE_TITLE}.json: shots.1.duration_s" in str(caught.value)
    assert "shots.1.duration_s = -4: Input should be greater than 0" in str(caught.value)


def test_script_in_the_wrong_folder(workspace):
    path = script_file(workspace)
    moved = workspace.root / "scenes" / "json" / "men" / "10-13" / path.name
    moved.parent.mkdir(parents=True)
    path.rename(moved)
    with pytest.raises(ScriptError, match=f"describes women/14-17 title {SAMPLE_TITLE}; move it to scenes/json/women/14-17/"):
        workspace.load_script(moved)


def test_validate_lists_every_problem(workspace):
    (workspace.root / "config" / "pipeline.yaml").write_text("video: {fps: 0}\n")
    edit_script(workspace, lambda data: data["shots"][0]["keyframes"].append({"file": "shot_001_Z.png"}))
    other = next(p for p in workspace.script_files() if SAMPLE_TITLE not in p.name)
    other.write_text(json.dumps({"title": "no id"}))
    problems = workspace.validate()
    files = [problem.file for problem in problems]
    assert files == ["config/pipeline.yaml", workspace.relative(other), workspace.relative(script_file(workspace))]
    assert "video.fps = 0: Input should be greater than or equal to 1" in problems[0].message
    assert "title_id: missing" in problems[1].message
    assert problems[2] == Problem(
        workspace.relative(script_file(workspace)),
        f"shot-001: keyframe images/keyframes_v1/women/14-17/{SAMPLE_TITLE}/shot_001_Z.png is missing",
    )


def test_open_refuses_a_missing_folder(tmp_path):
    with pytest.raises(WorkspaceError, match="does not exist"):
        Workspace.open(tmp_path / "nothing")
