"""The hybrid choice: switches.overrides, its schema, the one rule (Switches.method_for) and everything that follows it."""

import dataclasses
import json
import re
import shutil

import pytest

from studio.cli import main
from studio.config import MethodOverrides, Switches, load_pipeline_config
from studio.errors import ConfigError, DecisionError
from studio.services import ReviewDesk, Selection, Studio
from studio.services.access import Caller, OperatorOnlyError
from studio.services.assembly.assemble import AssemblyOptions
from studio.services.render.batchfile import export_batch
from studio.services.review.results import ProposedOverride, summarize
from studio.store import VoteStore
from tests.conftest import SAMPLE_TITLE, SMALL_VIDEO, edit_script

MEN_TITLE = "d109fc88-84b8-45d0-bfcc-b15887d103c3"  # men/18-23, narration .m4a + .srt
GIRLS_TITLE = "8a65dbbd-b924-4f84-a4b0-8a2cbcb642c5"  # women/10-13
TINY_LTX = "width: 32, height: 64, num_frames: 17, fps: 8, num_inference_steps: 2, seed: 7"
ZOOM_IN_LTX = "switches:\n  use_ltx: false\n  overrides:\n    camera_movement: {zoom_in: ltx}\n"
EVIDENCE = "camera_movement zoom_in: LTX wins 80% (95% CI 62%-91%) of 30 votes"


def write_config(workspace, text: str) -> None:
    (workspace.root / "config" / "pipeline.yaml").write_text(text)


def two_short_shots(workspace) -> None:
    """The sample title cut to shot-001 (zoom_in) and shot-002 (pan_right), 1 s each, so LTX renders stay fast."""
    def cut(data):
        data["shots"] = [shot | {"duration_s": 1.0, "keyframes": [k if isinstance(k, str) else k["file"]
                                                                  for k in shot["keyframes"]][:1]}
                         for shot in data["shots"][:2]]
        for shot in data["shots"]:
            shot.pop("narration_start_s", None), shot.pop("narration_end_s", None)
    edit_script(workspace, cut)


def methods_in_metadata(workspace, title_id: str = SAMPLE_TITLE) -> dict[str, list[tuple[str, str]]]:
    """Per method folder: (shot id, the record's method) of every clip the title's metadata lists."""
    script = workspace.find_script(title_id)
    return {method: [(clip.shot_id, clip.method) for clip in workspace.read_metadata(script, method).shots]
            for method in ("interp", "ltx")}


# --- the rule -------------------------------------------------------------------------------------------------

def test_method_for_takes_camera_move_over_age_bucket_over_segment_else_use_ltx(workspace):
    switches = Switches(use_ltx=True, overrides=MethodOverrides.model_validate({
        "camera_movement": {"static": "interp", "zoom_in": "ltx"},
        "age_bucket": {"10-13": "interp"},
        "segment": {"men": "interp"},
    }))
    chosen = {str(script.title_id): [switches.method_for(script, shot) for shot in script.shots]
              for script in workspace.scripts()}
    assert chosen == {
        # men/18-23: the segment says interp, but zoom_in (shot 2) is LTX by its camera move
        MEN_TITLE: ["interp", "ltx", "interp", "interp", "interp", "interp"],
        # women/10-13: the age bucket says interp, zoom_in shots (1 and 5) are LTX
        GIRLS_TITLE: ["ltx", "interp", "interp", "interp", "ltx", "interp"],
        # women/14-17: no title override; the static shot 6 interpolates, the rest take use_ltx
        SAMPLE_TITLE: ["ltx", "ltx", "ltx", "ltx", "ltx", "interp"],
    }
    plain = Switches(use_ltx=False)
    assert {plain.method_for(script, shot) for script in workspace.scripts() for shot in script.shots} == {"interp"}


@pytest.mark.parametrize(("overrides", "expected"), [
    ("lens: {wide: ltx}", "switches.overrides.lens = {'wide': 'ltx'}: Extra inputs are not permitted; the keys here "
                          "are camera_movement, age_bucket, segment"),
    ("camera_movement: {dolly: ltx}", "switches.overrides.camera_movement.dolly = 'dolly': Input should be 'static', "
                                      "'zoom_in', 'zoom_out', 'pan_left', 'pan_right', 'tilt_up' or 'tilt_down'"),
    ("segment: {kids: ltx}", "switches.overrides.segment.kids = 'kids': Input should be 'women' or 'men'"),
    ("age_bucket: {'24-30': ltx}", "switches.overrides.age_bucket.24-30 = '24-30': Input should be '10-13', '14-17' or '18-23'"),
    ("camera_movement: {static: svd}", "switches.overrides.camera_movement.static = 'svd': Input should be 'interp' or 'ltx'"),
])
def test_the_schema_refuses_unknown_strata_values_and_methods_naming_file_and_key(workspace, overrides, expected):
    write_config(workspace, f"switches:\n  use_ltx: true\n  overrides:\n    {overrides}\n")
    path = workspace.root / "config" / "pipeline.yaml"
    with pytest.raises(ConfigError) as caught:
        workspace.config()
    assert str(caught.value) == f"{path}: {expected}"


def test_writing_the_switches_keeps_the_comments_and_removes_empty_overrides(workspace):
    write_config(workspace, "# our settings\nswitches:\n  use_ltx: false  # chosen by votes\n  overrides:\n"
                            "    camera_movement:\n      static: interp  # stills do not need LTX\n"
                            "      tilt_up: ltx\nvideo:\n  preset: ultrafast  # fast tests\n")
    overrides = MethodOverrides.model_validate({"camera_movement": {"static": "interp"}, "age_bucket": {"10-13": "ltx"}})
    workspace.write_switches(Switches(use_ltx=True, overrides=overrides))
    config = workspace.root / "config" / "pipeline.yaml"
    # ruamel keeps each comment's column, so only the spacing before it may change.
    assert re.sub(r" +#", " #", config.read_text()) == (
        "# our settings\nswitches:\n  use_ltx: true # chosen by votes\n  overrides:\n"
        "    camera_movement:\n      static: interp # stills do not need LTX\n"
        "    age_bucket:\n      10-13: ltx\nvideo:\n  preset: ultrafast # fast tests\n")
    assert workspace.config().switches == Switches(use_ltx=True, overrides=overrides)
    workspace.write_switches(Switches(use_ltx=True))
    assert re.sub(r" +#", " #", config.read_text()) == (
        "# our settings\nswitches:\n  use_ltx: true # chosen by votes\nvideo:\n  preset: ultrafast # fast tests\n")


# --- everything that picks a method follows it ----------------------------------------------------------------

def test_generate_and_the_script_render_give_each_shot_its_method(small_workspace, tiny_ltx, capsys):
    write_config(small_workspace, SMALL_VIDEO + ZOOM_IN_LTX + f"ltx_video: {{model: '{tiny_ltx}', {TINY_LTX}}}\n")
    two_short_shots(small_workspace)
    assert main(["generate", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE]) == 0
    assert "2 rendered, 0 skipped (up to date), 0 failed" in capsys.readouterr().err
    assert methods_in_metadata(small_workspace) == {"interp": [("shot-002", "interp")], "ltx": [("shot-001", "ltx")]}
    script = small_workspace.find_script(SAMPLE_TITLE)
    assert small_workspace.clip_path(script, script.shot(1), "ltx").is_file()
    assert not small_workspace.clip_path(script, script.shot(1), "interp").exists()
    # The Library's "Render every shot of this script" and Studio.generate choose the same: nothing to do.
    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(small_workspace.root / "votes.db"))
    assert [(o.label.split()[-1], o.status) for o in desk.render_script(SAMPLE_TITLE).outcomes] == [
        ("shot-001", "skipped"), ("shot-002", "skipped")]
    report = Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE))
    assert [small_workspace.relative(o.clip_path) for o in report.outcomes] == [
        f"videos/ltx/women/14-17/{SAMPLE_TITLE}/shot_001.mp4", f"videos/interp/women/14-17/{SAMPLE_TITLE}/shot_002.mp4"]
    # A named method still wins over the switches.
    forced = Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=1), "interp")
    assert [(o.status, o.record.method) for o in forced.outcomes] == [("rendered", "interp")]


def test_the_batch_export_names_each_shots_method(small_workspace):
    write_config(small_workspace, SMALL_VIDEO + "switches:\n  use_ltx: true\n  overrides:\n"
                                                "    camera_movement: {static: interp}\n    segment: {men: interp}\n")
    batch = export_batch(small_workspace, small_workspace.config(), [SAMPLE_TITLE, MEN_TITLE])
    assert [(s.title_id, s.shot_id, s.method, s.params.method, s.output.split("/")[1], s.seed) for s in batch.shots] == [
        *[(MEN_TITLE, f"shot-00{k}", "interp", "interp", "interp", None) for k in range(1, 7)],  # the men's segment
        *[(SAMPLE_TITLE, f"shot-00{k}", "ltx", "ltx", "ltx", 42) for k in range(1, 6)],
        (SAMPLE_TITLE, "shot-006", "interp", "interp", "interp", None),  # static
    ]


def test_assembly_auto_uses_an_ltx_clip_only_where_the_switches_say_ltx(small_workspace):
    studio = Studio.open(small_workspace)
    script = small_workspace.find_script(MEN_TITLE)
    # Stand-in LTX clips (real delivery-size clips in the LTX folder) for shot 1 (tilt_up) and shot 2 (zoom_in).
    studio.generate(Selection(title_id=MEN_TITLE, shot_number=1))
    studio.generate(Selection(title_id=MEN_TITLE, shot_number=2))
    for number in (1, 2):
        ltx_clip = small_workspace.clip_path(script, script.shot(number), "ltx")
        ltx_clip.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(small_workspace.clip_path(script, script.shot(number), "interp"), ltx_clip)
    write_config(small_workspace, SMALL_VIDEO + ZOOM_IN_LTX)
    report = Studio.open(small_workspace).assemble(MEN_TITLE, AssemblyOptions(method="auto"))
    assert report.in_sync
    # shot 1 has an LTX clip too, but use_ltx is false and only zoom_in is overridden.
    assert [s.source for s in report.shots] == ["interp", "ltx", "interp", "interp", "interp", "interp"]


# --- applying the decision ------------------------------------------------------------------------------------

@pytest.fixture
def desk(small_workspace, tmp_path):
    return ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))


def proposing(monkeypatch, *proposals: ProposedOverride) -> None:
    """The votes propose these overrides (the stopping rule that fills the list is another module's)."""
    results = dataclasses.replace(summarize([]), proposed_overrides=list(proposals))
    monkeypatch.setattr(ReviewDesk, "results", lambda self: results)


def test_an_override_the_votes_do_not_propose_needs_force(desk):
    config = desk.workspace.root / "config" / "pipeline.yaml"
    before = config.read_text()
    zoom_in = {"camera_movement": {"zoom_in": "ltx"}}
    with pytest.raises(DecisionError, match=re.escape("the votes do not propose camera_movement.zoom_in: ltx; collect "
                                                      "more votes, or tick \"Override the votes\"")):
        desk.apply_decision(False, overrides=zoom_in)
    assert config.read_text() == before and not (desk.workspace.root / "DECISION.md").exists()
    desk.apply_decision(False, overrides=zoom_in, force=True, by=Caller("olga", True))
    assert desk.studio.config.switches.overrides.as_mapping() == zoom_in
    text = (desk.workspace.root / "DECISION.md").read_text()
    assert "UTC: `switches.use_ltx: false`, 1 override(s)\n\nApplied by olga, forced against the votes' recommendation." in text
    assert "\n- `camera_movement.zoom_in: ltx`: forced: the votes do not propose it\n" in text


def test_a_proposed_override_applies_with_its_evidence_and_again_changes_nothing(desk, monkeypatch):
    proposing(monkeypatch, ProposedOverride("camera_movement", "zoom_in", "ltx", EVIDENCE))
    with pytest.raises(DecisionError, match=r"the votes do not propose camera_movement.zoom_in: interp \(they propose ltx\)"):
        desk.apply_decision(False, overrides={"camera_movement": {"zoom_in": "interp"}})
    path = desk.apply_decision(False, overrides={"camera_movement": {"zoom_in": "ltx"}})
    config = desk.workspace.root / "config" / "pipeline.yaml"
    assert "  overrides:\n    camera_movement:\n      zoom_in: ltx\n" in config.read_text()
    text = path.read_text()
    assert f"\n- `camera_movement.zoom_in: ltx`: {EVIDENCE}\n" in text and "forced" not in text
    written = config.read_text()
    assert desk.apply_decision(False, overrides={"camera_movement": {"zoom_in": "ltx"}}) == path
    assert desk.apply_decision(False) == path  # no overrides named: the ones in effect stay
    assert (config.read_text(), path.read_text()) == (written, text)
    # Removing an override needs no votes; the entry says every shot uses the default again.
    desk.apply_decision(False, overrides={})
    assert desk.studio.config.switches == Switches(use_ltx=False)
    assert path.read_text().count("## ") == 2 and "Overrides: none; every shot renders with the default." in path.read_text()


def test_applying_overrides_is_for_operators_and_bad_ones_name_their_key(desk):
    with pytest.raises(OperatorOnlyError):
        desk.apply_decision(False, overrides={"camera_movement": {"zoom_in": "ltx"}}, force=True, by=Caller("rita", False))
    with pytest.raises(DecisionError) as caught:
        desk.apply_decision(False, overrides={"camera_movement": {"dolly": "ltx"}, "lens": {}}, force=True)
    assert str(caught.value).splitlines()[1:] == [
        "  switches.overrides.camera_movement.dolly = 'dolly': Input should be 'static', 'zoom_in', 'zoom_out', "
        "'pan_left', 'pan_right', 'tilt_up' or 'tilt_down'",
        "  switches.overrides.lens = {}: Extra inputs are not permitted; the keys here are camera_movement, age_bucket, segment",
    ]
    with pytest.raises(DecisionError, match="overrides must be a mapping like"):
        desk.apply_decision(False, overrides=json.dumps({"segment": {"men": "ltx"}}), force=True)
    assert load_pipeline_config(desk.workspace.root / "config" / "pipeline.yaml").switches == Switches()
