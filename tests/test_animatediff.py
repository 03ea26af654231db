"""AnimateDiff through the real loading and rendering code, with tiny random-weight pipelines saved here.

The shots render through Studio.generate(..., "ltx") with ltx_video.model = the tiny folder and the preset as
recipe; a tiny motion LoRA is saved under the real repo's name and file, as a downloaded copy would be.
"""

import pytest

pytest.importorskip("peft")

from studio.backends.animatediff import AnimateDiffGenerator  # noqa: E402
from studio.backends.loading import load_pipeline  # noqa: E402
from studio.backends.runtime import ModelSource  # noqa: E402
from studio.testing.tiny import save_tiny_motion_lora  # noqa: E402
from studio.domain import CameraMovement  # noqa: E402
from studio.backends.families import FAMILIES  # noqa: E402
from studio.media.probe import probe_clip  # noqa: E402
from studio.presets import load_preset  # noqa: E402
from studio.services import Selection, Studio  # noqa: E402
from tests.conftest import SAMPLE_TITLE, SMALL_HEIGHT, SMALL_WIDTH, with_ltx  # noqa: E402

TINY = {"width": 32, "height": 64, "num_frames": 16, "fps": 8, "num_inference_steps": 2, "seed": 4}
ZOOM_IN = load_preset("animatediff-camera").camera_loras[CameraMovement.ZOOM_IN]


def test_a_sparsectrl_shot_renders_to_spec_with_its_keyframes_at_their_frame_indices(
        small_workspace, tiny_animatediff, monkeypatch):
    calls = []
    original = AnimateDiffGenerator.arguments
    monkeypatch.setattr(AnimateDiffGenerator, "arguments",
                        lambda self, request: calls.append(original(self, request)) or calls[-1])
    with_ltx(small_workspace, model=str(tiny_animatediff["animatediff-sparsectrl"]), recipe="animatediff-sparsectrl", **TINY)
    # shot 2: 7 s, keyframes at 0 and 7 s; 8 fps, 16-frame windows overlapping by 4: 57 frames in 1 + ceil(41 / 12) windows.
    [outcome] = Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=2), "ltx").outcomes
    assert outcome.status == "rendered", outcome.message
    assert probe_clip(outcome.clip_path).spec_problems(width=SMALL_WIDTH, height=SMALL_HEIGHT, expected_frames=210) == []
    record = outcome.record
    assert (record.model_family, record.generation_frames, record.generation_chunks, record.source_fps) == (
        "animatediff-sparsectrl", 16, 5, 8)
    assert record.camera_lora is None and "SparseCtrl RGB conditioning frames" in record.recipe
    # window 1: the first keyframe at frame 0; window k starts at frame 12k, its first 4 frames the last 4 of the
    # window before; the last keyframe (7 s = frame 56) is frame 8 of window 5 (from frame 48).
    assert [call["controlnet_frame_indices"] for call in calls] == [[0]] + [[0, 1, 2, 3]] * 3 + [[0, 1, 2, 3, 8]]
    assert [len(call["conditioning_frames"]) for call in calls] == [1, 4, 4, 4, 5]
    # The last window only as long as the rest needs: 5 new frames after its 4 shared ones.
    assert [call["num_frames"] for call in calls] == [16, 16, 16, 16, 9] and record.generated_frames == 57
    assert all(call["controlnet_conditioning_scale"] == 1.0 for call in calls)
    assert "vertical 9:16 framing" in calls[0]["prompt"]


def test_a_zoom_in_shot_gets_its_motion_lora_in_the_camera_mode(small_workspace, tiny_animatediff, tmp_path):
    folder = tiny_animatediff["animatediff"]
    lora_folder = tmp_path / "loras"
    pipe = load_pipeline(ModelSource("tiny", folder), FAMILIES["animatediff"])
    save_tiny_motion_lora(lora_folder / "animatediff-motion-lora-zoom-in", pipe, ZOOM_IN.weight_name, seed=1)
    with_ltx(small_workspace, model=str(folder), recipe="animatediff-camera", lora_folder=str(lora_folder), **TINY)
    studio = Studio.open(small_workspace)
    [outcome] = studio.generate(Selection(title_id=SAMPLE_TITLE, shot_number=1), "ltx").outcomes  # zoom_in
    assert outcome.status == "rendered", outcome.message
    record = outcome.record
    assert record.model_family == "animatediff"
    assert record.camera_lora == f"{lora_folder}/animatediff-motion-lora-zoom-in/diffusion_pytorch_model.safetensors @ 1"
    assert "motion LoRA; keyframes unused" in record.recipe


def test_loading_composes_the_components_into_the_pipeline(tiny_animatediff):
    folder = tiny_animatediff["animatediff-sparsectrl"]
    components = {name: ModelSource(name, folder / name) for name in ("motion_adapter", "controlnet")}
    pipe = load_pipeline(ModelSource("tiny", folder), FAMILIES["animatediff-sparsectrl"], components=components)
    assert type(pipe).__name__ == "AnimateDiffSparseControlNetPipeline"
    assert (type(pipe.motion_adapter).__name__, type(pipe.controlnet).__name__) == ("MotionAdapter", "SparseControlNetModel")


# stable-diffusion-v1-5's own scheduler_config.json, which the presets' base model loads with.
SD15_SCHEDULER = {"_class_name": "PNDMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear",
                  "beta_start": 0.00085, "num_train_timesteps": 1000, "set_alpha_to_one": False, "skip_prk_steps": True,
                  "steps_offset": 1, "trained_betas": None, "clip_sample": False}


def test_the_presets_sample_with_the_scheduler_the_diffusers_docs_run(tiny_animatediff, tmp_path):
    import json
    import shutil

    from diffusers import DDIMScheduler, DPMSolverMultistepScheduler

    for family, expected in (("animatediff", DDIMScheduler), ("animatediff-sparsectrl", DPMSolverMultistepScheduler)):
        folder = tmp_path / family
        shutil.copytree(tiny_animatediff[family], folder)
        (folder / "scheduler" / "scheduler_config.json").write_text(json.dumps(SD15_SCHEDULER))  # as SD 1.5 saves it
        scheduler = load_pipeline(ModelSource("tiny", folder), FAMILIES[family]).scheduler
        config = dict(scheduler.config)
        assert type(scheduler) is expected, family
        assert (config["beta_schedule"], config["beta_start"], config["beta_end"]) == ("linear", 0.00085, 0.012)
        if expected is DDIMScheduler:
            assert (config["clip_sample"], config["timestep_spacing"], config["steps_offset"]) == (False, "linspace", 1)
        else:
            assert (config["algorithm_type"], config["use_karras_sigmas"]) == ("dpmsolver++", True)
