"""A shot's canonical clip: a promoted take stays pinned through every batch; changed inputs show as out of date."""

import json
import shutil
from dataclasses import dataclass, field

import pytest

from studio.cli import main
from studio.domain.metadata import Pin
from studio.services import ReviewDesk, Selection, Studio, TakeSettings
from studio.services.access import Caller
from studio.services.assembly.assemble import AssemblyOptions
from studio.services.render.renderer import ShotRenderer
from studio.store import VoteStore
from studio.ui.assemble import report_summary
from studio.ui.library_lists import shot_choices
from studio.workspace import Workspace, sample_workspace
from tests.conftest import SAMPLE_TITLE, SMALL_VIDEO, script_file

LIVELY = {"motion": 0.9, "smooth_motion": False, "preset": "ultrafast"}
PINNED_NOTE = "kept (pinned to a promoted take; unpin it, or force a re-render, to replace it)"


@dataclass(frozen=True)
class RecordingRenderer(ShotRenderer):
    """The real renderer, noting every clip job it is given."""

    jobs: list = field(default_factory=list, compare=False)

    def render(self, job, progress, cancel):
        self.jobs.append(job)
        return super().render(job, progress, cancel)


@pytest.fixture(scope="module")
def pinned_template(tmp_path_factory):
    """Every shot of the sample title rendered, then shot 2 replaced by a promoted take with non-default settings;
    made once per module, copied for each test (the renders are what costs)."""
    root = tmp_path_factory.mktemp("pinned")
    workspace = sample_workspace(root / "workspace")
    (workspace.root / "config" / "pipeline.yaml").write_text(SMALL_VIDEO)
    desk = ReviewDesk(Studio.open(workspace), VoteStore(root / "votes.db"))
    assert desk.studio.generate(Selection(title_id=SAMPLE_TITLE)).summary().startswith("6 rendered")
    take = desk.render_take(SAMPLE_TITLE, "shot-002", TakeSettings.parse(**LIVELY), who="op")
    clip = desk.promote(take.id, by=Caller("ana", is_operator=True))
    return root, take.id, clip.relative_to(workspace.root)


@pytest.fixture
def desk(pinned_template, tmp_path):
    root = pinned_template[0]
    shutil.copytree(root, tmp_path / "copy")
    return ReviewDesk(Studio.open(Workspace(tmp_path / "copy" / "workspace")), VoteStore(tmp_path / "copy" / "votes.db"))


@pytest.fixture
def pinned(desk, pinned_template):
    """(the promoted take, the shot's canonical clip, the clip's bytes) in this test's copy."""
    _, take_id, clip_path = pinned_template
    clip = desk.workspace.root / clip_path
    return desk.store.take(take_id), clip, clip.read_bytes()


def statuses(report):
    return [(outcome.label.split()[-1], outcome.status) for outcome in report.outcomes]


def record_of(desk, shot_id):
    script = desk.workspace.find_script(SAMPLE_TITLE)
    return desk.workspace.read_metadata(script, "interp").clip(shot_id)


def test_a_promoted_take_is_pinned_with_who_when_and_its_settings(desk, pinned):
    take, clip, promoted = pinned
    assert promoted == (desk.workspace.root / take.video_path).read_bytes()
    pin = record_of(desk, "shot-002").pin
    assert pin == Pin(take_id=take.id, pinned_by="ana", pinned_at=pin.pinned_at,
                      settings={"method": "interp", **LIVELY})
    assert pin.pinned_at.startswith("20") and pin.pinned_at.endswith("+00:00")
    assert record_of(desk, "shot-001").pin is None


def test_render_every_shot_and_generate_keep_a_pinned_clip(desk, pinned, capsys):
    take, clip, promoted = pinned
    report = desk.render_script(SAMPLE_TITLE)  # the Library's script button
    assert statuses(report) == [("shot-001", "skipped"), ("shot-002", "pinned"),
                                *[(f"shot-00{k}", "skipped") for k in range(3, 7)]]
    assert report.summary() == f"0 rendered, 5 skipped (up to date), 0 failed, 1 {PINNED_NOTE}"
    assert clip.read_bytes() == promoted

    command = ["generate", "--workspace", str(desk.workspace.root), "--title", SAMPLE_TITLE, "--shot", "2"]
    assert main(command) == 0
    err = capsys.readouterr().err
    assert f"pinned to take {take.id} (promoted by ana, " in err
    assert f"0 rendered, 0 skipped (up to date), 0 failed, 1 {PINNED_NOTE}" in err
    assert clip.read_bytes() == promoted

    assert main([*command, "--force"]) == 0  # forced: a render from the workspace settings replaces the take
    assert "1 rendered" in capsys.readouterr().err
    assert clip.read_bytes() != promoted
    assert record_of(desk, "shot-002").pin is None


def test_changed_inputs_show_out_of_date_and_a_pinned_clip_is_still_kept(desk, pinned, capsys):
    take, clip, promoted = pinned
    folder = desk.workspace.keyframe_dir(desk.workspace.find_script(SAMPLE_TITLE))
    for shot_id, keyframe in (("shot-002", "shot_002_A.png"), ("shot-003", "shot_003_A.png")):
        desk.replace_keyframe(SAMPLE_TITLE, shot_id, keyframe, folder / "shot_005_A.png")
    path = script_file(desk.workspace)
    script = json.loads(path.read_text())
    script["shots"][3]["description"] += " Slowly."  # shot-004: an edited script
    path.write_text(json.dumps(script))

    labels = {shot_id: status.label for shot_id, status in desk.shot_statuses(SAMPLE_TITLE).items()}
    assert labels == {"shot-001": "rendered", "shot-002": "out of date", "shot-003": "out of date",
                      "shot-004": "out of date", "shot-005": "rendered", "shot-006": "rendered"}
    assert [clip.pin.take_id for clip in desk.shot_statuses(SAMPLE_TITLE)["shot-002"].pinned] == [take.id]
    # The Library's label says why an out-of-date clip stays: it is pinned.
    labels = [label.split(":")[0] for label, _ in shot_choices(desk, SAMPLE_TITLE, "all", "all")]
    assert labels[:3] == ["shot-001 [rendered]", "shot-002 [out of date, pinned]", "shot-003 [out of date]"]

    assert main(["list", "--workspace", str(desk.workspace.root), "--title", SAMPLE_TITLE]) == 0
    listing = capsys.readouterr().out
    assert "shot-001  zoom_in    8.0 s  [interp: rendered]" in listing
    assert f"[interp: out of date (pinned take {take.id})]" in listing
    assert listing.count("[interp: out of date]") == 2

    report = desk.studio.generate(Selection(title_id=SAMPLE_TITLE))
    assert statuses(report) == [("shot-001", "skipped"), ("shot-002", "pinned"), ("shot-003", "rendered"),
                                ("shot-004", "rendered"), ("shot-005", "skipped"), ("shot-006", "skipped")]
    assert "out of date: its keyframes, the script or the settings changed" in report.outcomes[1].message
    assert clip.read_bytes() == promoted
    assert desk.shot_statuses(SAMPLE_TITLE)["shot-003"].label == "rendered"


def test_unpinned_clips_render_from_the_workspace_settings_again(desk, pinned, capsys):
    take, clip, promoted = pinned
    assert desk.unpin(SAMPLE_TITLE, "shot-002", "interp").take_id == take.id
    assert record_of(desk, "shot-002").pin is None
    assert desk.shot_statuses(SAMPLE_TITLE)["shot-002"].label == "out of date"  # the take's settings are not the workspace's
    command = ["unpin", "--workspace", str(desk.workspace.root), "--title", SAMPLE_TITLE, "--shot", "2"]
    assert main(command) == 2
    assert "shot-002 has no pinned interp clip to unpin; promote a take to pin one" in capsys.readouterr().err
    report = desk.studio.generate(Selection(title_id=SAMPLE_TITLE, shot_number=2))
    assert statuses(report) == [("shot-002", "rendered")]
    assert clip.read_bytes() != promoted


def test_assembly_renders_a_pinned_shot_with_the_takes_own_settings(desk, pinned):
    options = AssemblyOptions(method="interp")
    fitted = desk.studio.assembly_plan(SAMPLE_TITLE, options).plan.shots[0]
    assert fitted.shot_id == "shot-001" and not fitted.cut_points
    path = script_file(desk.workspace)
    script = json.loads(path.read_text())
    script["shots"][0]["duration_s"] = fitted.clip_frames / 30  # shot-001's canonical clip gets its fitted length
    path.write_text(json.dumps(script))
    assert statuses(desk.studio.generate(Selection(title_id=SAMPLE_TITLE, shot_number=1))) == [("shot-001", "rendered")]
    assert desk.studio.assembly_plan(SAMPLE_TITLE, options).plan.shots[0] == fitted

    renderer = RecordingRenderer(desk.workspace)
    report = Studio(desk.workspace, renderer).assemble(SAMPLE_TITLE, options)
    assert report.in_sync
    settings = {job.shot.shot_id: (job.config.interpolation.ken_burns.strength, job.config.interpolation.smooth_motion,
                                   job.preset) for job in renderer.jobs}
    assert settings == {"shot-002": (0.9, False, "ultrafast"),  # the pinned take's own settings, at the fitted length
                        **{f"shot-00{k}": (0.5, True, "ultrafast") for k in range(3, 7)}}
    # shot-001's canonical clip already had its fitted length: used as it is, not rendered again.
    # The report names the promoted take each pinned part came from.
    take = pinned[0]
    assert {shot.shot_id: shot.pinned_take for shot in report.shots} == {
        f"shot-00{k}": (take.id if k == 2 else None) for k in range(1, 7)}
    assert f"Pinned takes used: shot-002 (interp take {take.id})." in report_summary(report)
