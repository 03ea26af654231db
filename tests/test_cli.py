"""The commands as a user runs them: real sample shots, real files, bad inputs."""

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.cli import main
from studio.cli_progress import TqdmProgress
from studio.domain.metadata import TitleMetadata
from studio.media.probe import probe_clip
from studio.services import Selection, SilentProgress, Studio
from tests.conftest import SAMPLE_TITLE, edit_script, real_photo

METADATA_FIELDS = {
    "shot_id", "video_file", "method", "interpolation_method", "source_keyframes", "source_fps", "target_fps",
    "duration_s", "fps", "num_frames", "generation_time_s", "generated_at", "input_hash",
    "model", "seed", "guidance_scale", "motion_bucket_id",
}


def clip_dir(workspace) -> Path:
    return workspace.root / "videos" / "interp" / "women" / "14-17" / SAMPLE_TITLE


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_renders_a_real_shot_to_the_delivery_spec(workspace, capsys):
    assert main(["generate", "--workspace", str(workspace.root), "--title", SAMPLE_TITLE, "--shot", "2"]) == 0
    clip = clip_dir(workspace) / "shot_002.mp4"
    info = probe_clip(clip)
    assert info.spec_problems(width=1080, height=1920, fps=30, expected_frames=210) == []
    assert (info.width, info.height, info.fps, info.codec, info.pix_fmt, info.num_frames) == (1080, 1920, 30, "h264", "yuv420p", 210)
    assert 8000 <= info.bitrate_kbps <= 12000 and not info.has_audio and info.faststart

    metadata = json.loads((clip_dir(workspace) / f"{SAMPLE_TITLE}_interp_metadata.json").read_text())
    assert {key: metadata[key] for key in ("title_id", "segment", "age_bucket", "method")} == {
        "title_id": SAMPLE_TITLE, "segment": "women", "age_bucket": "14-17", "method": "interp"}
    [record] = metadata["shots"]
    assert METADATA_FIELDS <= set(record)
    assert {key: record[key] for key in ("shot_id", "video_file", "method", "interpolation_method", "source_keyframes",
                                           "target_fps", "fps", "num_frames", "duration_s", "model", "seed")} == {
        "shot_id": "shot-002", "video_file": "shot_002.mp4", "method": "interp", "interpolation_method": "flow",
        "source_keyframes": [f"images/keyframes_v1/women/14-17/{SAMPLE_TITLE}/shot_002_A.png",
                             f"images/keyframes_v1/women/14-17/{SAMPLE_TITLE}/shot_002_A_end.png"],
        "target_fps": 30.0, "fps": 30.0, "num_frames": 210, "duration_s": 7.0, "model": None, "seed": None}
    assert len(record["input_hash"]) == 64 and record["generation_time_s"] > 0

    # Up to date: a second run skips it; --force renders again.
    stamp = clip.stat().st_mtime_ns
    assert main(["generate", "--workspace", str(workspace.root), "--title", SAMPLE_TITLE, "--shot", "2"]) == 0
    assert clip.stat().st_mtime_ns == stamp
    assert "0 rendered, 1 skipped" in capsys.readouterr().err


def test_changed_inputs_make_a_shot_render_again(small_workspace):
    studio = Studio.open(small_workspace)
    selection = Selection(title_id=SAMPLE_TITLE, shot_number=4)
    assert [o.status for o in studio.generate(selection).outcomes] == ["rendered"]
    assert [o.status for o in studio.generate(selection).outcomes] == ["skipped"]
    edit_script(small_workspace, lambda data: data["shots"][3].update(camera_movement="pan_left"))
    assert [o.status for o in Studio.open(small_workspace).generate(selection).outcomes] == ["rendered"]


def drive(progress: TqdmProgress) -> None:
    """A batch of three shots of 30 frames: one up to date, one rendered, one failed before its first frame."""
    progress.batch_started(3, 90)
    progress.shot_started("t shot-001", 30)
    progress.shot_finished("t shot-001", "skipped", None)
    progress.shot_started("t shot-002", 30)
    for _ in range(30):
        progress.frames_done(1, "t shot-002")
    progress.shot_finished("t shot-002", "rendered", None)
    progress.shot_started("t shot-003", 30)
    progress.shot_finished("t shot-003", "failed", "keyframe missing")
    progress.close()


def test_piped_progress_is_plain_lines_and_its_rate_counts_rendered_frames_only():
    piped = io.StringIO()
    drive(TqdmProgress(piped, clock=iter([100.0, 110.0]).__next__))
    assert piped.getvalue() == (
        "skipped  t shot-001\n"
        "rendered t shot-002\n"
        "failed   t shot-003\n"
        "         keyframe missing\n"
        "30 frames rendered in 10.0 s (3.0 frames/s)\n")


def test_a_terminal_gets_bars_and_the_same_rate():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    drive(TqdmProgress(terminal, clock=iter([100.0, 110.0]).__next__))
    shown = terminal.getvalue()
    assert "\r" in shown and "rendered t shot-002\n" in shown  # bars redrawn, finished shots above them
    assert "shot/s" not in shown  # skipped shots pass in no time: the shots bar gives no rate
    assert shown.endswith("30 frames rendered in 10.0 s (3.0 frames/s)\n")


def test_piped_generate_prints_plain_lines_and_no_rate_when_nothing_rendered(small_workspace, capsys):
    args = ["generate", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE, "--shot", "4"]
    assert main(args) == 0
    err = capsys.readouterr().err  # captured: not a terminal, as when piped
    assert "\r" not in err and "\x1b[" not in err
    assert f"rendered women/14-17/{SAMPLE_TITLE} shot-004\n" in err
    [rate] = [line for line in err.splitlines() if "frames/s" in line]
    assert rate.startswith("210 frames rendered in ")  # 7 s at 30 fps
    assert main(args) == 0
    err = capsys.readouterr().err
    assert f"skipped  women/14-17/{SAMPLE_TITLE} shot-004\n" in err and "frames/s" not in err
    assert "0 rendered, 1 skipped (up to date), 0 failed" in err


def test_a_killed_batch_resumes_where_it_stopped(small_workspace):
    class Crash(SilentProgress):
        def __init__(self):
            self.frames = 0

        def frames_done(self, count, label=None):
            self.frames += count
            if self.frames > 240 + 100:  # shot 1 has 240 frames; die inside shot 2
                raise KeyboardInterrupt

    studio = Studio.open(small_workspace)
    with pytest.raises(KeyboardInterrupt):
        studio.generate(Selection(title_id=SAMPLE_TITLE), progress=Crash())
    assert sorted(p.name for p in clip_dir(small_workspace).iterdir()) == [
        f"{SAMPLE_TITLE}_interp_metadata.json", "shot_001.mp4"]
    report = Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE))
    assert [o.status for o in report.outcomes] == ["skipped"] + ["rendered"] * 5
    metadata = TitleMetadata.model_validate_json((clip_dir(small_workspace) / f"{SAMPLE_TITLE}_interp_metadata.json").read_text())
    assert [clip.shot_id for clip in metadata.shots] == [f"shot-00{k}" for k in range(1, 7)]


def keyframe(workspace, name: str) -> Path:
    return workspace.root / "images" / "keyframes_v1" / "women" / "14-17" / SAMPLE_TITLE / name


def break_missing(workspace):
    keyframe(workspace, "shot_002_A_end.png").unlink()


def break_corrupt(workspace):
    keyframe(workspace, "shot_002_A_end.png").write_bytes(b"\x89PNG garbage")


def break_truncated(workspace):
    path = keyframe(workspace, "shot_002_A_end.png")
    path.write_bytes(path.read_bytes()[:5000])


def break_huge(workspace):
    Image.new("1", (20000, 20000)).save(keyframe(workspace, "shot_002_A_end.png"))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (break_missing, "shot_002_A_end.png is missing; add the image or fix the file name"),
        (break_corrupt, "shot_002_A_end.png is not an image file PIL can read"),
        (break_truncated, "shot_002_A_end.png could not be decoded"),
        (break_huge, "shot_002_A_end.png declares more pixels than can be decoded safely"),
    ],
)
def test_a_bad_keyframe_fails_its_shot_only_and_keeps_earlier_outputs(small_workspace, capsys, damage, message):
    args = ["generate", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE]
    assert main([*args, "--shot", "2"]) == 0
    before = snapshot(clip_dir(small_workspace))
    damage(small_workspace)
    capsys.readouterr()
    assert main([*args, "--shot", "1"]) == 0  # other shots still render
    assert main([*args, "--shot", "2", "--shot", "2"]) == 1
    err = capsys.readouterr().err
    assert f"women/14-17/{SAMPLE_TITLE} shot-002: keyframe images/keyframes_v1/women/14-17/{SAMPLE_TITLE}/{message}" in err
    after = snapshot(clip_dir(small_workspace))
    assert after["shot_002.mp4"] == before["shot_002.mp4"]
    metadata = TitleMetadata.model_validate_json(after[f"{SAMPLE_TITLE}_interp_metadata.json"])
    assert [clip.shot_id for clip in metadata.shots] == ["shot-001", "shot-002"]
    assert metadata.clip("shot-002") == TitleMetadata.model_validate_json(before[f"{SAMPLE_TITLE}_interp_metadata.json"]).clip("shot-002")
    assert not [p for p in clip_dir(small_workspace).iterdir() if p.name.startswith(".")]


def write_config(workspace, text):
    (workspace.root / "config" / "pipeline.yaml").write_text(text)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda ws: write_config(ws, "video:\n  bitrate: 50M\n"), "config/pipeline.yaml: video.bitrate = '50M': must be between 8M and 12M"),
        (lambda ws: edit_script(ws, lambda d: d["shots"][0].update(duration_s=-3)), "shots.0.duration_s = -3: Input should be greater than 0"),
        (lambda ws: edit_script(ws, lambda d: d["shots"][0]["keyframes"][0].update(file="../../../../etc/passwd.png")), "is not a plain image file name"),
        (lambda ws: next(ws.root.glob(f"scenes/json/*/*/{SAMPLE_TITLE}.json")).write_text("{oops"), "is not valid JSON: Expecting property name"),
    ],
)
def test_bad_inputs_stop_before_any_work_with_status_2(small_workspace, capsys, damage, message):
    args = ["generate", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE, "--shot", "1"]
    assert main(args) == 0
    before = snapshot(clip_dir(small_workspace))
    damage(small_workspace)
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert snapshot(clip_dir(small_workspace)) == before


def test_unknown_title_and_ltx_method(small_workspace, capsys):
    assert main(["generate", "--workspace", str(small_workspace.root), "--title", "../../etc"]) == 2
    assert "no script with title id '../../etc'" in capsys.readouterr().err  # never made into a path
    assert main(["generate", "--workspace", str(small_workspace.root), "--title", "nope"]) == 2
    assert capsys.readouterr().err == (
        "error: no script with title id 'nope' under scenes/json/; `python -m studio list` lists the titles and their shots\n")
    assert main(["generate", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE[:-3]]) == 2
    assert f"did you mean {SAMPLE_TITLE}?" in capsys.readouterr().err
    for partial in (SAMPLE_TITLE[:8], "golden hour in the medow"):  # an id's first digits, a misspelt title
        assert main(["generate", "--workspace", str(small_workspace.root), "--title", partial]) == 2
        assert f"did you mean {SAMPLE_TITLE}?" in capsys.readouterr().err
    assert main(["generate", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE, "--shot", "9"]) == 2
    assert capsys.readouterr().err == (
        f"error: no shot matches title {SAMPLE_TITLE}, shot-009; `python -m studio list` lists the titles and their shots\n")
    assert main(["generate", "--workspace", str(small_workspace.root), "--method", "ltx"]) == 2
    assert ("LTX-Video 0.9.x needs a CUDA GPU, and this machine has none (model https://huggingface.co/Lightricks/"
            "LTX-Video/blob/main/ltxv-2b-0.9.8-distilled.safetensors on Lightricks/LTX-Video-0.9.5: its real "
            "checkpoints") in capsys.readouterr().err


def test_validate_command(small_workspace, capsys):
    assert main(["validate", "--workspace", str(small_workspace.root)]) == 0
    assert "3 scripts, 18 shots, no problems" in capsys.readouterr().out
    keyframe(small_workspace, "shot_005_A.png").unlink()
    assert main(["validate", "--workspace", str(small_workspace.root)]) == 2
    out = capsys.readouterr().out
    assert f"shot-005: keyframe images/keyframes_v1/women/14-17/{SAMPLE_TITLE}/shot_005_A.png is missing" in out


def test_interpolate_command_writes_in_between_frames(tmp_path, capsys):
    photo = real_photo(width=600)
    first, last = photo[40:280, 20:340], photo[46:286, 32:352]  # the camera moved 12 px right, 6 down
    Image.fromarray(np.ascontiguousarray(first)).save(tmp_path / "a.png")
    Image.fromarray(np.ascontiguousarray(last)).save(tmp_path / "b.png")
    out = tmp_path / "frames"
    assert main(["interpolate", str(tmp_path / "a.png"), str(tmp_path / "b.png"), "--count", "3", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["frame_001.png", "frame_002.png", "frame_003.png"]
    middle = np.asarray(Image.open(out / "frame_002.png"))
    assert middle.shape == first.shape
    truth = photo[43:283, 26:346]
    inner = (slice(10, -10), slice(10, -10))
    assert np.abs(middle[inner].astype(int) - truth[inner].astype(int)).mean() < 1.5
    assert "by optical flow" in capsys.readouterr().err


def test_interpolate_command_refuses_bad_input(tmp_path, capsys):
    Image.fromarray(real_photo(width=64)).save(tmp_path / "a.png")
    assert main(["interpolate", str(tmp_path / "a.png"), str(tmp_path / "nope.png"), "--count", "2", "--out", str(tmp_path / "o")]) == 2
    assert "nope.png is missing" in capsys.readouterr().err
    assert main(["interpolate", str(tmp_path / "a.png"), str(tmp_path / "a.png"), "--count", "0", "--out", str(tmp_path / "o")]) == 2
    assert "--count must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_svd_method_name_picks_the_svd_model(small_workspace, capsys):
    from studio.services import Studio

    studio = Studio.open(small_workspace)
    assert studio.with_svd().config.ltx_video.model == "svd-xt"
    assert studio.with_interpolation("flow").config.interpolation.method == "flow"
    assert main(["generate", "--workspace", str(small_workspace.root), "--method", "svd"]) == 2
    assert "needs a CUDA GPU, and this machine has none (model stabilityai/stable-video-diffusion-img2vid-xt" in (
        capsys.readouterr().err)


def test_list_names_every_title_and_with_shots_their_status(small_workspace, capsys):
    assert main(["generate", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE, "--shot", "4"]) == 0
    capsys.readouterr()
    assert main(["list", "--workspace", str(small_workspace.root)]) == 0
    titles = capsys.readouterr().out.splitlines()
    assert [line.split()[:5] for line in titles] == [
        ["d109fc88-84b8-45d0-bfcc-b15887d103c3", "men", "18-23", "6", "shots"],
        ["8a65dbbd-b924-4f84-a4b0-8a2cbcb642c5", "women", "10-13", "6", "shots"],
        [SAMPLE_TITLE, "women", "14-17", "6", "shots"],
    ]
    assert main(["list", "--workspace", str(small_workspace.root), "--title", SAMPLE_TITLE]) == 0
    shots = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[0] for line in shots] == [f"shot-00{k}" for k in range(1, 7)]
    assert ["[interp: rendered]" in line for line in shots] == [False, False, False, True, False, False]
