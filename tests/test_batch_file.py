"""Batch configs: export from the studio, run with generate --batch, same outputs."""

import pytest

from studio.cli import main
from studio.errors import ConfigError
from studio.services import ReviewDesk, Studio, TakeSettings
from studio.services.render.batchfile import BatchFile, BatchShot, dump_batch, load_batch
from studio.store import VoteStore
from tests.conftest import SAMPLE_TITLE


@pytest.fixture
def desk(small_workspace, tmp_path):
    return ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))


def test_export_run_and_the_same_outputs(desk, tmp_path, capsys):
    take = desk.render_take(SAMPLE_TITLE, "shot-002", TakeSettings.parse(motion=0.9, smooth_motion=False, preset="ultrafast"), who="op")
    desk.promote(take.id)
    text = desk.export_batch([SAMPLE_TITLE])
    path = tmp_path / "batch.yaml"
    path.write_text(text)
    batch = load_batch(path)
    assert [(s.shot_id, s.method, s.params.motion, s.params.smooth_motion, s.params.preset) for s in batch.shots] == [
        ("shot-001", "interp", 0.5, True, "ultrafast"),
        ("shot-002", "interp", 0.9, False, "ultrafast"),  # the promoted take's settings
        *[(f"shot-00{k}", "interp", 0.5, True, "ultrafast") for k in range(3, 7)],
    ]
    assert batch.shots[1].output == f"videos/interp/women/14-17/{SAMPLE_TITLE}/shot_002.mp4"

    args = ["generate", "--workspace", str(desk.workspace.root), "--batch", str(path)]
    assert main(args) == 0
    assert "5 rendered, 0 skipped (up to date), 0 failed, 1 kept (pinned" in capsys.readouterr().err  # shot 2 is the pinned take
    outputs = {s.output: (desk.workspace.root / s.output).read_bytes() for s in batch.shots}
    assert main(args) == 0
    assert "0 rendered, 5 skipped (up to date), 0 failed, 1 kept (pinned" in capsys.readouterr().err
    assert {s.output: (desk.workspace.root / s.output).read_bytes() for s in batch.shots} == outputs
    # The export of what was just rendered is the same batch again.
    assert desk.export_batch([SAMPLE_TITLE]) == text


def test_bad_batch_files_are_refused_with_the_place(desk, tmp_path, capsys):
    path = tmp_path / "batch.yaml"
    path.write_text("version: 1\nshots:\n- {title_id: x, shot_id: shot-001, method: interp, params: {motion: 7}, output: a.mp4}\n")
    with pytest.raises(ConfigError, match=r"shots.0.params.motion = 7: Input should be less than or equal to 1"):
        load_batch(path)
    text = desk.export_batch([SAMPLE_TITLE]).replace("videos/interp/women", "../../elsewhere")
    path.write_text(text)
    assert main(["generate", "--workspace", str(desk.workspace.root), "--batch", str(path)]) == 2
    assert "must be 'videos/interp/women/14-17/" in capsys.readouterr().err


def test_a_batch_files_seed_is_the_seed_its_ltx_shots_render_with(desk, tmp_path):
    from studio.services.render.batchfile import batch_requests

    path = tmp_path / "batch.yaml"
    path.write_text("version: 1\nshots:\n- {title_id: %s, shot_id: shot-001, method: ltx, params: {method: ltx}, seed: 7,"
                    " output: videos/ltx/women/14-17/%s/shot_001.mp4}\n" % (SAMPLE_TITLE, SAMPLE_TITLE))
    [request] = batch_requests(desk.workspace, desk.studio.config, load_batch(path))
    assert (request.config.ltx_video.seed, desk.studio.config.ltx_video.seed) == (7, 42)
    path.write_text(path.read_text().replace("params: {method: ltx}", "params: {method: ltx, seed: 8}"))
    with pytest.raises(ConfigError, match="seed 7 and params.seed 8 disagree; give one"):
        load_batch(path)


def test_a_long_output_path_stays_on_the_line_of_its_key(tmp_path):
    output = f"videos/interp/women/14-17/{'a-long-title-folder-' * 5}/shot_002.mp4"  # over the usual 80 columns
    batch = BatchFile(shots=[BatchShot(title_id=SAMPLE_TITLE, shot_id="shot-002", method="interp", output=output,
                                       params=TakeSettings.parse(motion=0.5, smooth_motion=True, preset="ultrafast"))])
    text = dump_batch(batch)
    assert [line for line in text.splitlines() if "output:" in line or "videos/" in line] == [f"  output: {output}"]
    path = tmp_path / "batch.yaml"
    path.write_text(text)
    assert load_batch(path) == batch
