"""The studio app as clients reach it: launched for real, driven through gradio_client."""

import contextlib
import io
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

gradio_client = pytest.importorskip("gradio_client")

from studio.services import ReviewDesk, Studio  # noqa: E402
from studio.store import VoteStore  # noqa: E402
from tests.conftest import SAMPLE_TITLE, real_photo  # noqa: E402
from tests.serving import free_port, launched  # noqa: E402

API_USAGE = Path(__file__).resolve().parent.parent / "docs" / "api-usage.md"
MEN_TITLE = "d109fc88-84b8-45d0-bfcc-b15887d103c3"


def video_file(value) -> str:
    """gradio_client hands a video back as a downloaded path (or a dict holding one)."""
    return value["video"] if isinstance(value, dict) else value


@pytest.fixture
def served(small_workspace, tmp_path):
    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))
    with launched(desk) as url:
        yield desk, url, gradio_client.Client(url, verbose=False)


def test_every_action_has_an_api(served):
    _, _, client = served
    endpoints = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/list_scripts", "/shot_details", "/render_shot", "/promote_take", "/next_pair", "/vote",
            "/results", "/apply_decision", "/export_votes", "/export_batch", "/render_script",
            "/assembly_timeline", "/save_assembly_edits", "/drop_assembly_edits", "/assemble_preview", "/assemble"} <= endpoints


def test_review_round_trip_through_the_api(served):
    desk, _, client = served
    scripts = client.predict(api_name="/list_scripts")
    assert sorted(s["title"] for s in scripts) == ["Backyard explorers", "Golden hour in the meadow", "Weekend off the grid"]
    for motion in (0.1, 0.9):
        status, video, metadata = client.predict(SAMPLE_TITLE, "shot-004", "interp", motion, True, "ultrafast", 3.0, 8, 42, "Ola",
                                                 api_name="/render_shot")
        assert status.startswith("Take `") and metadata["num_frames"] == 210
        assert video_file(video).endswith(".mp4")
    assert [t.variant for t in desk.store.takes(SAMPLE_TITLE, "shot-004")] == [
        "interp motion 0.10 smooth", "interp motion 0.90 smooth"]

    dealt = client.predict("Ana", api_name="/next_pair")
    token, info, left, right, progress, *_ = dealt
    assert len(token) >= 32 and "shot-004" in info and progress == "**Pair 1 of 1**"
    assert "__type__" not in str(dealt) and len(dealt) == 7  # plain values, not the page's component updates
    assert video_file(left).endswith(".mp4") and video_file(right).endswith(".mp4")
    reveal = client.predict("Ana", token, "left", ["flicker"], api_name="/vote")  # the comment is optional
    # The takes are named as the Library names them; with one pair of two takes, that was the last.
    assert re.match(r"Vote saved \(left\)\. Left was \*\*take [12] · interp motion 0\.[19]0 smooth · \d\d:\d\d\*\*, "
                    r"right was \*\*take [12] · interp motion", reveal), reveal
    assert reveal.endswith("That was your last pair for now.")
    assert [(r["reviewer"], r["choice"]) for r in desk.store.vote_rows()] == [("Ana", "left")]

    summary, _ranking, _sequence = client.predict(api_name="/results")
    assert "No recommendation yet" in summary and "1 vote from 1 person" in summary
    with pytest.raises(gradio_client.exceptions.AppError, match="do not support use_ltx: true yet"):
        client.predict(True, api_name="/apply_decision")  # one vote is no evidence
    assert "is now `true`" in client.predict(True, True, api_name="/apply_decision")
    assert (desk.workspace.root / "DECISION.md").is_file()
    csv_path = client.predict(api_name="/export_votes")
    assert open(csv_path).read().splitlines()[1].split(",")[1] == "Ana"


def test_render_a_whole_script_through_the_api(served):
    desk, _, client = served
    status = client.predict(SAMPLE_TITLE, api_name="/render_script")
    assert status == "Script done: 6 rendered, 0 skipped (up to date), 0 failed."
    assert client.predict(SAMPLE_TITLE, api_name="/render_script").startswith("Script done: 0 rendered, 6 skipped")
    assert {s.label for s in desk.shot_statuses(SAMPLE_TITLE).values()} == {"rendered"}


def test_assemble_view_edits_a_transition_previews_and_exports(served):
    desk, _, client = served
    picture, table, video, report = client.predict(SAMPLE_TITLE, "auto", api_name="/assembly_timeline")
    rows = table["data"]
    assert [r[0] for r in rows] == [f"shot-00{k}" for k in range(1, 7)] and video is None
    assert all(r[1] <= r[3] < r[4] <= r[2] for r in rows)  # each shot's words lie inside the shot
    rows[2][5], rows[2][6] = "crossfade", 0.4
    _, saved, status = client.predict(SAMPLE_TITLE, "auto", {"headers": table["headers"], "data": rows},
                                      api_name="/save_assembly_edits")
    assert "1 transition(s)" in status and saved["data"][2][5] == "crossfade"
    rows[3][1] = rows[3][2] + 5  # a start past the shot's own end
    with pytest.raises(gradio_client.exceptions.AppError, match="shot-00[34] would last"):
        client.predict(SAMPLE_TITLE, "auto", {"headers": table["headers"], "data": rows}, api_name="/save_assembly_edits")
    status, video, report = client.predict(SAMPLE_TITLE, "auto", api_name="/assemble")
    assert "in sync" in status and video_file(video).endswith(".mp4")
    assert report["shots"][2]["transition_in"] == "crossfade" and report["joined_by"] == "stream copy, transitions re-encoded"
    assert (desk.workspace.final_path(desk.workspace.find_script(SAMPLE_TITLE))).is_file()


def test_bad_input_comes_back_as_a_message(served):
    _, _, client = served
    with pytest.raises(gradio_client.exceptions.AppError, match="enter your name"):
        client.predict("", api_name="/next_pair")
    with pytest.raises(gradio_client.exceptions.AppError, match="unknown or expired"):
        client.predict("Ana", "forged", "left", [], "", api_name="/vote")
    with pytest.raises(gradio_client.exceptions.AppError, match="needs a CUDA GPU"):
        client.predict(SAMPLE_TITLE, "shot-004", "ltx", 0.5, True, "ultrafast", 3.0, 8, 42, "Ola", True, api_name="/render_shot")


def test_only_workspace_media_is_served(served, tmp_path):
    desk, url, _ = served
    secret = desk.workspace.root / "config" / "pipeline.yaml"
    keyframe = next(desk.workspace.root.glob("images/keyframes_v1/*/*/*/*.png"))
    for path, allowed in ((keyframe, True), (secret, False), ("/etc/passwd", False)):
        try:
            with urllib.request.urlopen(f"{url}gradio_api/file={path}") as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        assert (status == 200) == allowed, (path, status)


def test_app_py_options_and_password(small_workspace, tmp_path, monkeypatch):
    """`python app.py` as deployed privately: STUDIO_PASSWORD makes every request log in first."""
    from studio.cli import main

    port = free_port()
    monkeypatch.setenv("STUDIO_PASSWORD", "s3cret")
    monkeypatch.setenv("STUDIO_DB", str(tmp_path / "private.db"))
    assert main(["serve", "--workspace", str(small_workspace.root), "--port", str(port), "--no-block"]) == 0
    url = f"http://127.0.0.1:{port}/"
    with pytest.raises(Exception):  # noqa: B017 - any refusal will do; the client cannot even read the API
        gradio_client.Client(url, verbose=False).predict(api_name="/list_scripts")
    client = gradio_client.Client(url, auth=("reviewer", "s3cret"), verbose=False)
    assert len(client.predict(api_name="/list_scripts")) == 3
    assert (tmp_path / "private.db").is_file()


def readme_api_section() -> str:
    return API_USAGE.read_text()


def test_the_readme_api_example_runs_as_written(served, monkeypatch):
    desk, url, _ = served
    example = re.search(r"```python\n(.*?)```", readme_api_section(), re.S).group(1)
    monkeypatch.setenv("STUDIO_URL", url)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, "docs/api-usage.md", "exec"), {})  # noqa: S102 - the guide's own code, verbatim
    lines = printed.getvalue().splitlines()
    assert len([line for line in lines if line.startswith("Take `") and "rendered in" in line]) == 2
    assert lines[-1].startswith("Vote saved (left).")
    assert [(t.created_by, t.variant) for t in desk.store.takes()] == [
        ("ops-bot", "interp motion 0.20 smooth"), ("ops-bot", "interp motion 0.80 smooth")]
    assert [(r["reviewer"], r["choice"], r["reasons"]) for r in desk.store.vote_rows()] == [("Ana", "left", '["flicker"]')]


def test_the_readme_api_table_names_every_endpoint_and_its_arguments(served):
    _, _, client = served
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    documented = {}
    for name, arguments in re.findall(r"^\| `(/\w+)` \| ((?:[^|\\]|\\.)*?) \|", readme_api_section(), re.M):
        names = [] if arguments.strip() == "–" else [
            re.split(r"[= (]", part.strip(), maxsplit=1)[0] for part in re.sub(r"\([^)]*\)", "", arguments).split(",")]
        documented[name] = names
    assert documented == {name: [p["parameter_name"] for p in info["parameters"]] for name, info in api.items()}


def test_every_endpoint_works_from_the_client_with_valid_input(served, tmp_path):
    desk, _, client = served
    called = set()

    def call(api_name, *args, **kwargs):
        called.add(api_name)
        return client.predict(*args, api_name=api_name, **kwargs)

    assert len(call("/list_scripts")) == 3
    details = call("/shot_details", MEN_TITLE, "shot-006")["details"]  # a script the page does not show first
    assert "Dandelion clocks" in details
    view = call("/shot_details", SAMPLE_TITLE, "shot-004")  # the sample's one shot with its own style
    details = view["details"]
    assert "Style: dreamy slow motion, light leaks, 35 mm film" in details
    # The sample's model has no camera LoRAs: no paragraph about them on every shot; a style shows where there is one.
    assert "camera control" not in details and "Style: none" not in details
    assert "Style:" not in call("/shot_details", MEN_TITLE, "shot-006")["details"]  # a script without a style
    # Plain values, not the page's component updates.
    assert "__type__" not in str(view) and [k["file"] for k in view["keyframes"]] == ["shot_004_A.png"]
    assert (view["takes"], view["pinned"]) == ([], False)
    # What an LTX take of the shot starts from: its render plan (the sample's distilled preset, the workspace's seed).
    assert view["generative_controls"] == {"steps": 8, "guidance_scale": 1.0, "seed": 42, "two_stage": True,
                                           "camera_lora": True}
    # A static shot with one keyframe: its takes cannot differ by motion, and the page says so before and after.
    still = "Interpolation: the camera is static with one keyframe: every interpolation take of it is the same still"
    assert still in call("/shot_details", MEN_TITLE, "shot-005")["details"]
    assert "camera is static; motion, depth change nothing" in call("/shot_details", SAMPLE_TITLE, "shot-006")["details"]
    assert "Interpolation: the camera" not in details  # shot-004 zooms: every control counts
    for motion in (0.1, 0.9):
        status, *_ = call("/render_shot", title_id=MEN_TITLE, shot_id="shot-005", motion=motion, preset="ultrafast",
                          who="Ola")
        assert still in status
    first, second = desk.store.takes(MEN_TITLE, "shot-005")
    assert first.record["motion_score"] == second.record["motion_score"] == 0  # the note is true: both are stills
    assert "is now `videos/interp/men/18-23" in call("/promote_take", first.id)  # a take the page never listed
    image = tmp_path / "new.png"
    __import__("PIL.Image", fromlist=["Image"]).fromarray(real_photo("sunset", 480)).save(image)
    status = call("/replace_keyframe", MEN_TITLE, "shot-005", "shot_005_A.png", gradio_client.handle_file(str(image)))
    assert status.startswith("`images/keyframes_v1/men/18-23/") and "replaced" in status
    token, info, *_ = call("/next_pair", "Ana")  # the two stills show the same picture: no pair of them is dealt
    assert token == "" and "the takes of each shot show the same pictures" in info
    call("/render_shot", title_id=MEN_TITLE, shot_id="shot-005", motion=0.5, preset="ultrafast", who="Ola")
    token, info, *_ = call("/next_pair", "Ana")  # the new keyframe's still differs from the old ones
    assert "shot-005" in info
    assert call("/vote", "Ana", token, "tie", [], "").startswith("Vote saved (tie)")
    summary, _chart, _sequence = call("/results")
    assert "1 vote from 1 person" in summary
    # The takes' keyframe was replaced, so no take is a fair reference: said without a render.
    assert "with the same settings and seed: identical" in call("/check_reproducibility", "interp")
    assert "is now `false`" in call("/apply_decision", False, True)
    assert Path(call("/export_votes")).read_text().count("\n") == 2
    assert f"title_id: {MEN_TITLE}" in Path(call("/export_batch", [MEN_TITLE])).read_text()
    # shot-005 is pinned to the promoted take: kept; the others render.
    assert call("/render_script", MEN_TITLE).startswith("Script done: 5 rendered, 0 skipped (up to date), 0 failed, 1 kept")
    assert "no longer pinned" in call("/unpin_take", MEN_TITLE, "shot-005", "interp")
    _, table, _, _ = call("/assembly_timeline", MEN_TITLE, "interp")
    call("/save_assembly_edits", MEN_TITLE, "interp", table)
    assert "Edits dropped" in call("/drop_assembly_edits", MEN_TITLE, "interp")[2]
    assert "in sync" in call("/assemble_preview", MEN_TITLE, "interp")[0]
    assert "in sync" in call("/assemble", MEN_TITLE, "interp")[0]
    status, note, table = call("/choose_comparison_set", "pilot", 7)
    assert status.startswith("Set **pilot** chosen: 7 shots") and len(table["data"]) == 7
    status, note, table = call("/render_comparison_set", "pilot", [])
    assert status.startswith("Set rendered: 6 take(s) rendered, 1 already there")  # shot-005's takes had other settings
    assert "7 LTX take(s) not rendered: LTX-Video needs a CUDA GPU" in status and "LTX-Video is unavailable here" in note
    note, table, consistency = call("/comparison_set", "pilot")
    assert [row[5] for row in table["data"]] == ["yes"] * 7 and "no reviewer has answered a repeat yet" in consistency
    # A name no set has is said, not answered with another set as if it were that one.
    note, table, _ = call("/comparison_set", "nope")
    assert note.startswith("No comparison set is called **nope** (sets: pilot). Showing **pilot**, the newest.")
    assert len(table["data"]) == 7
    note, _, _ = call("/comparison_set", "x" * 5000)  # a huge name is quoted by its first 60 characters
    assert note.startswith(f"No comparison set is called **{'x' * 60}…** (sets: pilot).")
    endpoints = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert called == endpoints


def test_apply_decision_takes_a_real_boolean_and_the_votes_evidence(served):
    desk, _, client = served
    config = desk.workspace.root / "config" / "pipeline.yaml"
    before = config.read_text()
    with pytest.raises(gradio_client.exceptions.AppError, match="must be true or false"):
        client.predict("false", True, api_name="/apply_decision")
    with pytest.raises(gradio_client.exceptions.AppError, match="votes do not support use_ltx: true yet"):
        client.predict(True, api_name="/apply_decision")
    assert config.read_text() == before
    assert "is now `true`" in client.predict(True, True, api_name="/apply_decision")
    assert desk.studio.config.switches.use_ltx is True  # the same Studio sees the file's new value
    assert "forced against the votes" in (desk.workspace.root / "DECISION.md").read_text()


def test_apply_decision_takes_overrides_as_a_json_mapping_and_refuses_bad_ones(served):
    desk, _, client = served
    config = desk.workspace.root / "config" / "pipeline.yaml"
    before = config.read_text()
    with pytest.raises(gradio_client.exceptions.AppError, match=r"overrides must be an object \(or nothing\), not 'zoom_in'"):
        client.predict(False, True, "zoom_in", api_name="/apply_decision")
    with pytest.raises(gradio_client.exceptions.AppError,
                       match=r"switches.overrides.camera_movement.dolly = 'dolly': Input should be 'static'"):
        client.predict(False, True, {"camera_movement": {"dolly": "ltx"}}, api_name="/apply_decision")
    with pytest.raises(gradio_client.exceptions.AppError, match="the votes do not propose camera_movement.zoom_in: ltx"):
        client.predict(False, False, {"camera_movement": {"zoom_in": "ltx"}}, api_name="/apply_decision")
    assert config.read_text() == before
    status = client.predict(False, True, {"camera_movement": {"zoom_in": "ltx"}}, api_name="/apply_decision")
    assert status.startswith("`switches.use_ltx` is now `false` (overrides: `camera_movement.zoom_in: ltx`) in config/")
    assert desk.studio.config.switches.overrides.as_mapping() == {"camera_movement": {"zoom_in": "ltx"}}
    summary, _chart, _sequence = client.predict(api_name="/results")
    assert ("- **Overrides now** (camera_movement over age_bucket over segment where a shot matches several): "
            "`camera_movement.zoom_in: ltx`\n- **The votes propose:** no overrides yet") in summary


def test_expected_refusals_log_one_line_not_a_traceback(served, capfd, caplog):
    _, _, client = served
    capfd.readouterr()
    caplog.set_level("WARNING", logger="studio.ui")
    with pytest.raises(gradio_client.exceptions.AppError, match="enter your name"):
        client.predict("", api_name="/next_pair")
    with pytest.raises(gradio_client.exceptions.AppError, match="has no shot-042"):
        client.predict(SAMPLE_TITLE, "shot-042", api_name="/shot_details")
    assert "Traceback" not in capfd.readouterr().err
    assert [r.getMessage()[:29] for r in caplog.records if r.name == "studio.ui"] == [
        "refused: enter your name (2-6", "refused: 'Golden hour in the "]
