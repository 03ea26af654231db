"""Speed and consistency per method: figures over real takes, the reproducibility check, DECISION.md, the API."""

import json
from dataclasses import replace

import pytest

from studio.config import Switches
from studio.domain.comparison import ShotKey
from studio.errors import StudioError
from studio.services import ReviewDesk, Studio, TakeSettings
from studio.services.access import MACHINE
from studio.services.review.decision import decision_entry
from studio.services.review.method_figures import MethodFigure, figures_table
from studio.services.review.reproducibility import Reproducibility
from studio.services.review.results import WinRate, summarize
from studio.store import VoteStore
from tests.conftest import SAMPLE_TITLE, SMALL_VIDEO

# One x264 thread: multithreaded x264 is not bit-exact run to run, and the check would rightly say so.
EXACT_VIDEO = SMALL_VIDEO + "  encoder_threads: 1\n"
TINY_LTX = {"width": 32, "height": 64, "num_frames": 17, "fps": 8, "num_inference_steps": 2, "seed": 7}


@pytest.fixture
def desk(small_workspace, tmp_path):
    (small_workspace.root / "config" / "pipeline.yaml").write_text(EXACT_VIDEO)
    return ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))


@pytest.fixture
def ltx_desk(small_workspace, tiny_ltx, tmp_path):
    (small_workspace.root / "config" / "pipeline.yaml").write_text(
        EXACT_VIDEO + f"ltx_video: {json.dumps({'model': str(tiny_ltx), **TINY_LTX})}\n")
    return ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))


def interp_takes(desk):
    return [desk.render_take(SAMPLE_TITLE, "shot-004", TakeSettings.parse(motion=motion, preset="ultrafast"), who="op")
            for motion in (0.1, 0.9)]


def speed(take) -> float:
    return take.record["generation_time_s"] / take.record["duration_s"]


def test_interpolation_figures_over_two_takes_then_a_reproducibility_check(desk, monkeypatch):
    calm, lively = interp_takes(desk)
    [figure] = desk.figures.figures()
    assert (figure.method, figure.takes, figure.measured, figure.peak_vram_gb, figure.reproducibility) == (
        "interp", 2, 2, None, None)
    assert figure.render_s_per_output_s == round((speed(calm) + speed(lively)) / 2, 3) > 0
    # Every render records its peak RAM; a render of a small clip needs some, not gigabytes of it.
    assert all(0.03 < take.record["peak_ram_gb"] < 8 for take in (calm, lively))
    assert figure.peak_ram_gb == max(calm.record["peak_ram_gb"], lively.record["peak_ram_gb"])
    # Keyframe interpolation moves smoothly: a low warping error, never exactly 0 for a moving shot.
    assert 0 < figure.warping_error < 3

    # Measured once per clip (at render time): the figures come from the cache, not from decoding again.
    cache = json.loads((desk.workspace.root / "cache" / "warping_errors.json").read_text())
    assert len(cache["clips"]) == 2 and set(cache["files"]) == {calm.video_path, lively.video_path}
    monkeypatch.setattr("studio.services.review.method_figures.clip_warping_error",
                        lambda path: pytest.fail(f"{path} was measured again"))
    assert desk.figures.figures() == [figure]
    assert desk.figures.figures([ShotKey(SAMPLE_TITLE, "shot-001")]) == []
    assert desk.figures.figures([ShotKey(SAMPLE_TITLE, "shot-004")]) == [figure]

    [report] = desk.figures.check_reproducibility(["interp"])
    assert (report.method, report.status, report.take_id, report.shot, report.frames, report.max_abs_diff,
            report.psnr_db) == ("interp", "identical", lively.id, ShotKey(SAMPLE_TITLE, "shot-004"), 210, 0, None)
    assert report.describe().startswith(f"interp: re-rendered take `{lively.id}` (")
    assert desk.figures.figures()[0].reproducibility == report  # kept for the table
    assert len(desk.store.takes()) == 2  # the check rendered into a temporary folder, not a new take

    [none] = desk.figures.check_reproducibility(["ltx"])
    assert (none.status, none.detail) == ("not_comparable", "no ltx takes among these shots; render one first")
    with pytest.raises(StudioError, match="method must be one of interp, ltx, not 'svd'"):
        desk.figures.check_reproducibility(["svd"])

    # Once the settings change, no take is a fair reference any more: said, not reported as a difference.
    (desk.workspace.root / "config" / "pipeline.yaml").write_text(EXACT_VIDEO + "  bitrate: 9M\n")
    [stale] = desk.figures.check_reproducibility(["interp"])
    assert stale.status == "not_comparable" and "still matches the current keyframes and settings" in stale.detail


def test_ltx_and_interpolation_side_by_side_and_a_seed_changes_the_frames(ltx_desk):
    interp = interp_takes(ltx_desk)
    ltx = [ltx_desk.render_take(SAMPLE_TITLE, "shot-002", TakeSettings.parse(method="ltx", seed=seed, preset="ultrafast"),
                                who="op") for seed in (11, 12)]
    figures = {f.method: f for f in ltx_desk.figures.figures()}
    assert [(f.method, f.takes, f.measured) for f in figures.values()] == [("interp", 2, 2), ("ltx", 2, 2)]
    assert figures["ltx"].render_s_per_output_s == round((speed(ltx[0]) + speed(ltx[1])) / 2, 3) > 0
    assert figures["ltx"].peak_vram_gb is None and 0.03 < figures["ltx"].peak_ram_gb < 16  # CPU: no VRAM to record
    assert figures["interp"].peak_ram_gb == max(t.record["peak_ram_gb"] for t in interp)
    assert all(f.warping_error is not None and 0 <= f.warping_error < 255 for f in figures.values())

    reports = ltx_desk.figures.check_reproducibility()
    assert [(r.method, r.status, r.max_abs_diff) for r in reports] == [("interp", "identical", 0), ("ltx", "identical", 0)]
    assert reports[1].take_id == ltx[1].id and reports[1].frames == 210

    [other] = ltx_desk.figures.check_reproducibility(["ltx"], seed=12345)
    assert (other.status, other.seed, other.take_id, other.frames) == ("different", 12345, ltx[1].id, 210)
    assert other.max_abs_diff > 0 and other.psnr_db is not None and other.cell.startswith("no: max diff")
    # A different seed is an experiment, not the method's reproducibility: the table keeps the real check.
    assert ltx_desk.figures.figures()[1].reproducibility == reports[1]



def test_the_newest_take_is_the_one_made_last_when_both_were_made_in_the_same_second(desk):
    import sqlite3

    first, last = interp_takes(desk)
    with sqlite3.connect(desk.store.path) as db:  # a fast machine makes both within one second
        db.execute("update takes set created_at = ?", ["2026-01-01T00:00:00+00:00"])
    assert [t.id for t in desk.store.takes()] == [first.id, last.id]
    [report] = desk.figures.check_reproducibility(["interp"])
    assert (report.status, report.take_id) == ("identical", last.id)

FIGURES = [
    MethodFigure("interp", 4, 0.41, 0.52, None, 0.83, 4,
                 Reproducibility("interp", "identical", "2026-01-01T00:00:00+00:00", "t1", ShotKey("a", "shot-001"),
                                 frames=210, max_abs_diff=0)),
    MethodFigure("ltx", 2, 12.5, 3.25, 11.0, 2.4, 2, None),
]


def test_the_figures_table_with_and_without_the_votes():
    assert figures_table(FIGURES) == [
        "| | interp | ltx |",
        "|---|---|---|",
        "| takes | 4 | 2 |",
        "| render s per second of clip | 0.41 | 12.50 |",
        "| peak memory | 0.5 GB RAM | 11.0 GB VRAM, 3.2 GB RAM |",
        "| warping error | 0.83 | 2.40 |",
        "| reproducible | yes, identical | not checked |",
    ]
    votes = [WinRate("interp", 13.0, 20, 0.4, 0.8), WinRate("ltx", 7.0, 20, 0.2, 0.6)]
    assert figures_table(FIGURES, votes)[:4] == ["| | interp | ltx |", "|---|---|---|", "| votes won | 65% of 20 | 35% of 20 |",
                                                 "| takes | 4 | 2 |"]


def test_the_decision_entry_documents_votes_speed_consistency_and_reproducibility():
    entry = decision_entry(summarize([]), Switches(use_ltx=True), forced=True, by=MACHINE, evidence={}, figures=FIGURES)
    assert "Quality (the votes), speed, consistency and reproducibility per method:" in entry
    assert "\n| | interp | ltx |\n|---|---|---|\n| votes won | – | – |\n| takes | 4 | 2 |\n" in entry
    assert "| reproducible | yes, identical | not checked |" in entry
    assert "Warping error: how much consecutive frames differ" in entry
    assert "votes won" not in decision_entry(summarize([]), Switches(use_ltx=True), forced=True, by=MACHINE, evidence={})  # no figures, no table


def test_a_decision_without_votes_says_why_instead_of_an_empty_table():
    entry = decision_entry(summarize([]), Switches(use_ltx=True), forced=True, by=MACHINE, evidence={})
    assert "|" not in entry and entry.endswith(
        "\n\nNo votes yet: win rates per method and variant appear here once reviewers compare takes "
        "(the Compare & vote tab).\n")
    variants_only = replace(summarize([]), votes=2, by_variant=[WinRate("seed 7", 1.0, 2, 0.09, 0.91)])
    entry = decision_entry(variants_only, Switches(use_ltx=True), forced=True, by=MACHINE, evidence={})
    assert entry.split("\n\n")[-2:] == [
        "No method win rates: none of the 2 vote(s) compared two methods ('both bad' votes do not count).",
        "| variant | win rate | 95% interval | comparisons |\n|---|---|---|---|\n| seed 7 | 50% | 9%-91% | 2 |\n"]


def test_applying_a_decision_writes_the_figures_of_the_takes(desk):
    interp_takes(desk)
    desk.apply_decision(True, force=True)
    text = (desk.workspace.root / "DECISION.md").read_text()
    table = text[text.index("| | interp |"):].splitlines()
    assert table[:4] == ["| | interp |", "|---|---|", "| votes won | – |", "| takes | 2 |"]
    assert table[6].startswith("| warping error | 0.") and table[7] == "| reproducible | not checked |"


def test_the_results_tab_shows_the_table_and_checks_reproducibility_through_the_api(desk):
    gradio_client = pytest.importorskip("gradio_client")
    from studio.ui.app import build_app, served_folders
    from studio.ui.figures import figures_markdown
    from tests.test_app import free_port

    assert "*Appears once a shot has takes.*" in figures_markdown(desk)
    [take, _] = interp_takes(desk)[::-1]
    page = build_app(desk)
    port = free_port()
    page.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                        allowed_paths=served_folders(desk), quiet=True)
    try:
        client = gradio_client.Client(f"http://127.0.0.1:{port}/", verbose=False)
        with pytest.raises(gradio_client.exceptions.AppError, match="method must be one of 'interp', 'ltx', 'both', not 'svd'"):
            client.predict("svd", api_name="/check_reproducibility")
        status = client.predict("interp", api_name="/check_reproducibility")
        assert status == f"- interp: re-rendered take `{take.id}` ({SAMPLE_TITLE} shot-004) with the same settings and seed: identical, all 210 frames."
    finally:
        page.close()
    table = figures_markdown(desk)
    assert "| | interp |\n|---|---|\n| takes | 2 |\n" in table
    assert "| reproducible | yes, identical |" in table
