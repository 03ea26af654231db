"""The studio app as clients reach it: launched for real, driven through gradio_client."""

import socket
import urllib.error
import urllib.request

import pytest

gradio_client = pytest.importorskip("gradio_client")

from studio.services import ReviewDesk, Studio  # noqa: E402
from studio.store import VoteStore  # noqa: E402
from studio.ui.app import build_app, served_folders  # noqa: E402
from tests.conftest import SAMPLE_TITLE  # noqa: E402


def video_file(value) -> str:
    """gradio_client hands a video back as a downloaded path (or a dict holding one)."""
    return value["video"] if isinstance(value, dict) else value


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(small_workspace, tmp_path):
    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))
    page = build_app(desk)
    port = free_port()
    page.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                        allowed_paths=served_folders(desk), quiet=True)
    try:
        yield desk, f"http://127.0.0.1:{port}/", gradio_client.Client(f"http://127.0.0.1:{port}/", verbose=False)
    finally:
        page.close()


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

    token, info, left, right, *_ = client.predict("Ana", api_name="/next_pair")
    assert len(token) >= 32 and "shot-004" in info
    assert video_file(left).endswith(".mp4") and video_file(right).endswith(".mp4")
    reveal = client.predict("Ana", token, "left", ["flicker"], "", api_name="/vote")
    assert reveal.startswith("Vote saved (left). Left was **interp motion")
    assert [(r["reviewer"], r["choice"]) for r in desk.store.vote_rows()] == [("Ana", "left")]

    summary, _plot = client.predict(api_name="/results")
    assert "No recommendation yet" in summary and "1 votes" in summary
    assert "is now `false`" in client.predict(False, api_name="/apply_decision")
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
        client.predict(SAMPLE_TITLE, "shot-004", "ltx", 0.5, True, "ultrafast", 3.0, 8, 42, "Ola", api_name="/render_shot")


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
