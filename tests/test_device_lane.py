"""The device lane: every family's tiny model rendered through the studio in each memory mode on this machine's
GPU, in bf16, with the placement code (offload, VAE tiling, the upsampler, LoRA switching) really running.

CUDA is not hidden here (marker `device_lane`). On a machine without a GPU the memory modes have nothing to place,
so these skip, saying so; the same route runs on the CPU in test_ltx, test_two_stage, test_camera_lora and
test_animatediff. bench/gpu-check runs this lane on a GPU machine.
"""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from studio.backends.loading import load_pipeline  # noqa: E402
from studio.backends.runtime import ModelSource  # noqa: E402
from studio.testing.tiny import build_tiny_svd, save_tiny_lora, save_tiny_motion_lora  # noqa: E402
from studio.domain import CameraMovement  # noqa: E402
from studio.backends.families import FAMILIES  # noqa: E402
from studio.presets import load_preset  # noqa: E402
from studio.services import Selection, Studio  # noqa: E402
from tests.conftest import SAMPLE_TITLE, with_ltx  # noqa: E402

pytestmark = [pytest.mark.device_lane,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="memory modes place models on a CUDA GPU, "
                                 "and this machine has none (bench/gpu-check runs this lane on one)")]
MEMORY_MODES = ("auto", "sequential_offload", "none")
TINY = {"width": 64, "height": 64, "num_frames": 17, "fps": 4, "num_inference_steps": 2, "seed": 5}


@pytest.fixture(scope="module")
def models(tiny_ltx, tiny_ltx2, tiny_animatediff, tiny_wan_flf2v, tmp_path_factory):
    """{preset-like name: ltx_video settings}: each family's tiny model, with a camera LoRA where the family has one."""
    loras = tmp_path_factory.mktemp("loras")
    dolly_in = load_preset("ltx-2").camera_loras[CameraMovement.ZOOM_IN]
    save_tiny_lora(loras, load_pipeline(ModelSource("tiny", tiny_ltx2), FAMILIES["ltx-2"]), dolly_in.weight_name, seed=1)
    zoom_in = load_preset("animatediff-camera").camera_loras[CameraMovement.ZOOM_IN]
    save_tiny_motion_lora(loras / "animatediff-motion-lora-zoom-in", load_pipeline(
        ModelSource("tiny", tiny_animatediff["animatediff"]), FAMILIES["animatediff"]), zoom_in.weight_name, seed=1)
    svd = build_tiny_svd(tmp_path_factory.mktemp("svd"))
    return {
        "ltx-video": {"model": str(tiny_ltx), **TINY},
        "ltx-2 two stages, camera LoRA": {"model": str(tiny_ltx2), "recipe": "ltx-2", "lora_folder": str(loras), **TINY},
        "stable-video-diffusion": {"model": str(svd), **TINY},
        "animatediff, motion LoRA": {"model": str(tiny_animatediff["animatediff"]), "recipe": "animatediff-camera",
                                     "lora_folder": str(loras), **TINY, "num_frames": 16, "fps": 8},
        "wan-flf2v": {"model": str(tiny_wan_flf2v), **TINY},  # VAE and image encoder kept float32 under bf16
    }


@pytest.mark.parametrize("memory", MEMORY_MODES)
@pytest.mark.parametrize("name", ["ltx-video", "ltx-2 two stages, camera LoRA", "stable-video-diffusion",
                                  "animatediff, motion LoRA", "wan-flf2v"])
def test_each_family_renders_a_zoom_in_shot_in_each_memory_mode(small_workspace, models, name, memory):
    with_ltx(small_workspace, **models[name], memory=memory)
    [outcome] = Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=1), "ltx").outcomes
    assert outcome.status == "rendered", outcome.message
    record = outcome.record
    assert record.num_frames > 0 and record.peak_vram_gb is not None and record.peak_vram_gb > 0
    if "LoRA" in name:
        assert record.camera_lora is not None
