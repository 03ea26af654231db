"""The Ray path on this 2-core machine: a local Ray instance, the same clips as one process, resume, failures, takes."""

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from studio.cli import main  # noqa: E402
from studio.media.probe import probe_clip  # noqa: E402
from studio.services import CancelToken, ReviewDesk, Selection, SilentProgress, Studio, TakeSettings  # noqa: E402
from studio.services.render.cluster import ClusterOptions, RayRenderer  # noqa: E402
from studio.store import VoteStore  # noqa: E402
from studio.workspace import Workspace, sample_workspace  # noqa: E402
from tests.conftest import SAMPLE_TITLE, SMALL_VIDEO  # noqa: E402
from tests.test_overrides import TINY_LTX, ZOOM_IN_LTX, methods_in_metadata, two_short_shots, write_config  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
# One x264 thread: multithreaded constant-bitrate x264 differs from run to run even in one process,
# so byte-for-byte comparisons need the reproducible setting (video.encoder_threads in the README).
EXACT_SMALL_VIDEO = "video:\n  width: 144\n  height: 256\n  preset: ultrafast\n  encoder_threads: 1\n"
TIMES = {"generation_time_s", "generated_at", "peak_ram_gb"}  # measured, not made: they differ run to run


@pytest.fixture(scope="module")
def cluster():
    """A local 2-CPU Ray for the whole module; its address lets a second driver process join it."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"py_modules": [str(REPO / "studio")]})
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def exact_workspace(path: Path) -> Workspace:
    workspace = sample_workspace(path)
    (workspace.root / "config" / "pipeline.yaml").write_text(EXACT_SMALL_VIDEO)
    return workspace


def clip_dir(workspace: Workspace) -> Path:
    return workspace.root / "videos" / "interp" / "women" / "14-17" / SAMPLE_TITLE


def outputs(workspace: Workspace) -> tuple[dict[str, bytes], list[dict]]:
    """Every clip's bytes, and the metadata without its timings."""
    folder = clip_dir(workspace)
    clips = {path.name: path.read_bytes() for path in sorted(folder.glob("*.mp4"))}
    metadata = json.loads((folder / f"{SAMPLE_TITLE}_interp_metadata.json").read_text())
    return clips, [{k: v for k, v in shot.items() if k not in TIMES} for shot in metadata["shots"]]


def test_ray_renders_byte_for_byte_what_one_process_renders(cluster, tmp_path):
    local = exact_workspace(tmp_path / "local")
    assert Studio.open(local).generate(Selection(title_id=SAMPLE_TITLE)).summary().startswith("6 rendered")
    for name, options in (("bytes", ClusterOptions(workers=2)), ("shared", None)):
        remote = exact_workspace(tmp_path / name)
        options = options or ClusterOptions(workers=2, shared_workspace=remote.root)
        studio = Studio.open(remote, options)
        report = studio.generate(Selection(title_id=SAMPLE_TITLE))
        assert [o.status for o in report.outcomes] == ["rendered"] * 6, name
        assert outputs(remote) == outputs(local), name
        assert sorted(p.name for p in clip_dir(remote).iterdir()) == sorted(p.name for p in clip_dir(local).iterdir())
        # Up-to-date shots are skipped by the driver, as locally.
        assert [o.status for o in studio.generate(Selection(title_id=SAMPLE_TITLE)).outcomes] == ["skipped"] * 6


def test_a_killed_driver_resumes_on_the_next_run(cluster, tmp_path):
    workspace = exact_workspace(tmp_path / "workspace")
    command = [sys.executable, "-m", "studio", "generate", "--workspace", str(workspace.root), "--title", SAMPLE_TITLE,
               "--ray", cluster, "--workers", "1"]
    driver = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=os.environ | {"PYTHONPATH": str(REPO)})
    try:
        deadline = time.monotonic() + 120
        while not (clip_dir(workspace) / "shot_002.mp4").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (clip_dir(workspace) / "shot_002.mp4").exists(), "the driver rendered nothing in 120 s"
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait()
    finished = sorted(p.name for p in clip_dir(workspace).glob("shot_*.mp4"))
    assert finished[:2] == ["shot_001.mp4", "shot_002.mp4"] and len(finished) < 6
    assert [p.name for p in clip_dir(workspace).glob(".*")] == []  # the driver writes whole clips or nothing
    assert main(["generate", "--workspace", str(workspace.root), "--title", SAMPLE_TITLE, "--ray", cluster]) == 0
    report = Studio.open(workspace).generate(Selection(title_id=SAMPLE_TITLE))
    assert [o.status for o in report.outcomes] == ["skipped"] * 6
    assert all(probe_clip(clip_dir(workspace) / f"shot_00{k}.mp4").num_frames > 0 for k in range(1, 7))


def test_a_failing_shot_fails_alone_with_its_own_message(cluster, tmp_path, capsys):
    workspace = exact_workspace(tmp_path / "workspace")
    broken = workspace.root / "images" / "keyframes_v1" / "women" / "14-17" / SAMPLE_TITLE / "shot_002_A_end.png"
    broken.write_bytes(b"\x89PNG garbage")
    assert main(["generate", "--workspace", str(workspace.root), "--title", SAMPLE_TITLE, "--ray", cluster]) == 1
    err = capsys.readouterr().err
    assert "shot_002_A_end.png is not an image file PIL can read" in err
    assert sorted(p.name for p in clip_dir(workspace).glob("shot_*.mp4")) == [
        f"shot_00{k}.mp4" for k in (1, 3, 4, 5, 6)]


def test_a_cancelled_batch_stops_its_workers_and_reports_cancelled(cluster, tmp_path):
    workspace = exact_workspace(tmp_path / "workspace")
    cancel = CancelToken()

    class CancelAfterFirst(SilentProgress):
        def shot_finished(self, label, status, message):
            cancel.cancel()

    studio = Studio.open(workspace, ClusterOptions(workers=1))
    report = studio.generate(Selection(title_id=SAMPLE_TITLE), progress=CancelAfterFirst(), cancel=cancel)
    assert [o.status for o in report.outcomes] == ["rendered"] + ["cancelled"] * 5
    assert report.failed == []
    assert sorted(p.name for p in clip_dir(workspace).glob("shot_*.mp4")) == ["shot_001.mp4"]


def test_takes_render_on_the_cluster(cluster, tmp_path):
    workspace = exact_workspace(tmp_path / "workspace")
    desk = ReviewDesk(Studio.open(workspace, ClusterOptions(workers=1)), VoteStore(tmp_path / "votes.db"))
    assert isinstance(desk.studio.renderer, RayRenderer)
    take = desk.render_take(SAMPLE_TITLE, "shot-004", TakeSettings.parse(motion=0.2, preset="ultrafast"), who="op")
    clip = workspace.root / take.video_path
    assert take.record["video_file"] == clip.name and take.record["num_frames"] == 210
    assert probe_clip(clip).num_frames == 210
    local = ReviewDesk(Studio.open(workspace), VoteStore(tmp_path / "local.db"))
    same = local.render_take(SAMPLE_TITLE, "shot-004", TakeSettings.parse(motion=0.2, preset="ultrafast"), who="op")
    assert (workspace.root / same.video_path).read_bytes() == clip.read_bytes()
    # A promoted take is pinned: the cluster's batch keeps it, as a local one does.
    canonical = desk.promote(take.id)
    report = desk.studio.generate(Selection(title_id=SAMPLE_TITLE, shot_number=4))
    assert [(o.status, o.message.split(" (")[0]) for o in report.outcomes] == [("pinned", f"pinned to take {take.id}")]
    assert canonical.read_bytes() == clip.read_bytes()


def test_an_ltx_shot_renders_in_a_model_actor(cluster, tmp_path, tiny_ltx):
    model = tiny_ltx
    workspace = exact_workspace(tmp_path / "workspace")
    (workspace.root / "config" / "pipeline.yaml").write_text(
        EXACT_SMALL_VIDEO + f"ltx_video: {{model: '{model}', width: 32, height: 64, num_frames: 17, fps: 8, "
        "num_inference_steps: 2, seed: 7}\n")
    selection = Selection(title_id=SAMPLE_TITLE, shot_number=4)
    remote = Studio.open(workspace, ClusterOptions(workers=1)).generate(selection, "ltx")
    assert [o.status for o in remote.outcomes] == ["rendered"]
    record = remote.outcomes[0].record
    assert (record.model, record.seed, record.num_frames) == (str(model), 7, 210)
    clip = workspace.root / "videos" / "ltx" / "women" / "14-17" / SAMPLE_TITLE / "shot_004.mp4"
    assert probe_clip(clip).num_frames == 210
    # The same generation as in one process; the pixels may differ in the last bits, because torch on a CPU
    # sums in another order with the worker's one thread (README: what is reproducible where).
    local = Studio.open(workspace).generate(selection, "ltx", force=True).outcomes[0].record
    keys = ("model", "model_family", "seed", "generation_size", "generation_frames", "num_inference_steps", "input_hash")
    assert [getattr(record, k) for k in keys] == [getattr(local, k) for k in keys]


def test_a_two_stage_ltx2_shot_renders_in_a_model_actor_with_the_recipe_spelled_out(cluster, tmp_path, tiny_ltx2):
    model = tiny_ltx2
    workspace = exact_workspace(tmp_path / "workspace")
    (workspace.root / "config" / "pipeline.yaml").write_text(  # 7 s at 4 fps in one 33-frame generation
        EXACT_SMALL_VIDEO + f"ltx_video: {{model: '{model}', recipe: ltx-2.3-distilled, width: 64, height: 64, "
        "num_frames: 33, fps: 4, seed: 7}\n")
    selection = Selection(title_id=SAMPLE_TITLE, shot_number=2)
    remote = Studio.open(workspace, ClusterOptions(workers=1)).generate(selection, "ltx")
    assert [o.status for o in remote.outcomes] == ["rendered"], remote.outcomes[0].message
    record = remote.outcomes[0].record
    # Workers need no presets folder: the driver spells the recipe out, upsampler path included.
    assert record.recipe.startswith("ltx-2: two stages: 8 steps on the released schedule at 0.5 size, guidance 1; "
                                    f"latent x2 upsample ({model / 'latent_upsampler'}); 3-step refine")
    assert (record.model_family, record.generation_size, record.generation_chunks, record.num_frames) == (
        "ltx-2", "64x64", 1, 210)


def test_the_studio_app_renders_takes_on_the_cluster(cluster, tmp_path, capsys):
    gradio_client = pytest.importorskip("gradio_client")
    from tests.serving import free_port

    workspace = exact_workspace(tmp_path / "workspace")
    port = free_port()
    assert main(["serve", "--workspace", str(workspace.root), "--db", str(tmp_path / "votes.db"), "--port", str(port),
                 "--no-block", "--ray", cluster, "--workers", "1"]) == 0
    client = gradio_client.Client(f"http://127.0.0.1:{port}/", verbose=False)
    status, video, take = client.predict(title_id=SAMPLE_TITLE, shot_id="shot-004", preset="ultrafast", who="op",
                                         api_name="/render_shot")
    assert status.startswith("Take `") and take["num_frames"] == 210
    assert [t.created_by for t in VoteStore(tmp_path / "votes.db").takes()] == ["op"]
    assert main(["generate", "--workspace", str(workspace.root), "--workers", "2"]) == 2
    assert "--workers and --shared-workspace go with --ray" in capsys.readouterr().err


def test_progress_adds_up_to_the_batchs_frames_with_two_workers(cluster, tmp_path):
    from studio.domain.timing import frame_count
    from studio.services import FrameCounter

    workspace = exact_workspace(tmp_path / "workspace")
    script = workspace.find_script(SAMPLE_TITLE)
    expected = sum(frame_count(shot.duration_s, 30) for shot in script.shots)
    readings = []

    class Watched(FrameCounter):
        def frames_done(self, count, label=None):
            super().frames_done(count, label)
            readings.append((label, self.frames))

        def shot_finished(self, label, status, message):
            super().shot_finished(label, status, message)
            readings.append((label, self.frames))

    counter = Watched()
    report = Studio.open(workspace, ClusterOptions(workers=2)).generate(Selection(title_id=SAMPLE_TITLE), progress=counter)
    assert [o.status for o in report.outcomes] == ["rendered"] * 6
    assert (counter.frames, counter.total_frames, counter.shots_done) == (expected, expected, 6)
    assert {label for label, _ in readings} == {f"women/14-17/{SAMPLE_TITLE} {shot.shot_id}" for shot in script.shots}
    assert [frames for _, frames in readings] == sorted(frames for _, frames in readings)  # never back, never past the total


def ltx_workspace(path: Path, **ltx_video: object) -> Workspace:
    workspace = exact_workspace(path)
    (workspace.root / "config" / "pipeline.yaml").write_text(EXACT_SMALL_VIDEO + f"ltx_video: {json.dumps(ltx_video)}\n")
    return workspace


def metadata_record(workspace: Workspace, method: str = "ltx") -> dict:
    [record] = json.loads(next((workspace.root / "videos" / method).rglob(f"*_{method}_metadata.json")).read_text())["shots"]
    return {k: v for k, v in record.items() if k not in TIMES}


def test_an_ltx2_zoom_in_shot_on_two_workers_keeps_its_camera_lora_and_matches_one_process(cluster, tmp_path, tiny_ltx2):
    import torch

    from studio.backends.families import FAMILIES
    from studio.backends.loading import load_pipeline
    from studio.backends.runtime import ModelSource
    from studio.testing.tiny import save_tiny_lora
    from studio.domain import CameraMovement
    from studio.presets import load_preset

    dolly_in = load_preset("ltx-2").camera_loras[CameraMovement.ZOOM_IN]
    loras = tmp_path / "loras"
    save_tiny_lora(loras, load_pipeline(ModelSource("tiny", tiny_ltx2), FAMILIES["ltx-2"]), dolly_in.weight_name, seed=1)
    settings = {"model": str(tiny_ltx2), "recipe": "ltx-2", "lora_folder": str(loras), "width": 64, "height": 64,
                "num_frames": 17, "fps": 4, "num_inference_steps": 2, "seed": 5}
    local, remote = ltx_workspace(tmp_path / "local", **settings), ltx_workspace(tmp_path / "remote", **settings)
    shot = ["--method", "ltx", "--title", SAMPLE_TITLE, "--shot", "1"]  # shot 1 zooms in
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as a Ray worker runs torch: CPU sums in the same order, the same bits
    try:
        assert main(["generate", "--workspace", str(local.root), *shot]) == 0
    finally:
        torch.set_num_threads(threads)
    assert main(["generate", "--workspace", str(remote.root), *shot, "--ray", cluster, "--workers", "2"]) == 0
    record = metadata_record(remote)
    assert record["camera_lora"] == f"{loras}/{dolly_in.weight_name} @ 1"
    assert "distilled LoRA ltx-2-19b-distilled-lora-384" in record["recipe"]
    assert record == metadata_record(local)
    [remote_clip], [local_clip] = (list((w.root / "videos" / "ltx").rglob("shot_001.mp4")) for w in (remote, local))
    assert remote_clip.read_bytes() == local_clip.read_bytes()


def test_an_animatediff_camera_shot_on_a_worker_keeps_its_motion_adapter_and_motion_lora(cluster, tmp_path,
                                                                                      tiny_animatediff):
    from studio.backends.families import FAMILIES
    from studio.backends.loading import load_pipeline
    from studio.backends.runtime import ModelSource
    from studio.testing.tiny import save_tiny_motion_lora
    from studio.domain import CameraMovement
    from studio.presets import load_preset

    folder = tiny_animatediff["animatediff"]
    zoom_in = load_preset("animatediff-camera").camera_loras[CameraMovement.ZOOM_IN]
    loras = tmp_path / "loras"
    save_tiny_motion_lora(loras / "animatediff-motion-lora-zoom-in", load_pipeline(ModelSource("tiny", folder),
                          FAMILIES["animatediff"]), zoom_in.weight_name, seed=1)
    # The motion adapter named as a component (a folder), as the preset names its hub repo.
    workspace = ltx_workspace(tmp_path / "workspace", model=str(folder), recipe="animatediff-camera",
                              lora_folder=str(loras), width=32, height=64, num_frames=16, fps=8, num_inference_steps=2,
                              seed=4)
    studio = Studio.open(workspace, ClusterOptions(workers=1))
    script = workspace.find_script(SAMPLE_TITLE)
    job = studio.renderer.job(script, script.shot(1), "ltx", studio.config)
    package = studio.renderer.package(job)
    assert package.job.model == job.model and package.job.model.camera_loras  # travels resolved, LoRAs and all
    [outcome] = studio.generate(Selection(title_id=SAMPLE_TITLE, shot_number=1), "ltx").outcomes
    assert outcome.status == "rendered", outcome.message
    assert outcome.record.camera_lora == (f"{loras}/animatediff-motion-lora-zoom-in/diffusion_pytorch_model.safetensors"
                                          " @ 1")
    assert "motion LoRA; keyframes unused" in outcome.record.recipe
    # The released preset (hub ids, nothing loaded here): its motion adapter and six motion LoRAs reach the worker.
    released = studio.config.model_copy(update={"ltx_video": studio.config.ltx_video.model_copy(
        update={"model": "animatediff-camera", "recipe": None, "lora_folder": None})})
    model = pickle.loads(pickle.dumps(studio.renderer.package(studio.renderer.job(script, script.shot(1), "ltx",
                                                                                  released)))).job.model
    assert {name: part.reference for name, part in model.components.items()} == {
        "motion_adapter": "guoyww/animatediff-motion-adapter-v1-5-2"}
    assert len(model.camera_loras) == 6


def test_the_ray_path_gives_each_shot_its_method(cluster, small_workspace, tiny_ltx):
    write_config(small_workspace, SMALL_VIDEO + ZOOM_IN_LTX + f"ltx_video: {{model: '{tiny_ltx}', {TINY_LTX}}}\n")
    two_short_shots(small_workspace)
    studio = Studio.open(small_workspace, ClusterOptions(workers=1))
    try:
        assert isinstance(studio.renderer, RayRenderer)
        report = studio.generate(Selection(title_id=SAMPLE_TITLE))
    finally:
        studio.close()
    assert [(o.status, o.record.method, o.record.model) for o in report.outcomes] == [
        ("rendered", "ltx", str(tiny_ltx)), ("rendered", "interp", None)], [o.message for o in report.outcomes]
    assert methods_in_metadata(small_workspace) == {"interp": [("shot-002", "interp")], "ltx": [("shot-001", "ltx")]}
