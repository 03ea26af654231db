"""LTX-2's camera-control LoRAs: the shot's camera move switches on its LoRA for that shot only.

A tiny random LoRA is saved under the released file name of the dolly-in LoRA and found through
ltx_video.lora_folder, as a downloaded copy would be; it loads through diffusers' real LoRA loader.
"""

import json

import numpy as np
import pytest

pytest.importorskip("peft")

from studio.backends.base import ShotGeneration, TimedKeyframe  # noqa: E402
from studio.backends.ltx import Ltx2Generator  # noqa: E402
from studio.backends.loading import load_pipeline  # noqa: E402
from studio.backends.runtime import ModelSource  # noqa: E402
from studio.testing.tiny import save_tiny_lora  # noqa: E402
from studio.cli import main  # noqa: E402
from studio.domain import CameraMovement  # noqa: E402
from studio.backends.families import FAMILIES  # noqa: E402
from studio.domain.generation import plan_generation  # noqa: E402
from studio.presets import load_preset  # noqa: E402
from studio.services import Selection, Studio  # noqa: E402
from tests.conftest import SAMPLE_TITLE, with_ltx  # noqa: E402

DOLLY_IN = load_preset("ltx-2").camera_loras[CameraMovement.ZOOM_IN]
TINY = {"width": 64, "height": 64, "num_frames": 17, "fps": 4, "num_inference_steps": 2, "seed": 5}


@pytest.fixture(scope="module")
def lora_folder(tiny_ltx2, tmp_path_factory):
    folder = tmp_path_factory.mktemp("loras")
    save_tiny_lora(folder, load_pipeline(ModelSource("tiny", tiny_ltx2), FAMILIES["ltx-2"]), DOLLY_IN.weight_name, seed=1)
    return folder


def generation(camera_lora=None):
    plan = plan_generation(1.0, width=64, height=64, max_frames=9, fps=8, size_multiple=64, overlap_frames=9)
    keyframe = np.full((64, 64, 3), 120, np.uint8)
    return ShotGeneration(plan=plan, prompt="a dandelion in low sun", negative_prompt="", keyframes=(TimedKeyframe(keyframe, 0.0),),
                          steps=2, guidance_scale=1.0, seed=3, camera_lora=camera_lora)


def test_the_camera_lora_changes_the_frames_and_is_off_afterwards(tiny_ltx2, lora_folder):
    generator = Ltx2Generator(load_pipeline(ModelSource("tiny", tiny_ltx2), FAMILIES["ltx-2"]))
    plain = generator.generate_shot(generation(), lambda done, total: True).frames
    local = DOLLY_IN.model_copy(update={"repo": str(lora_folder)})
    steered = generator.generate_shot(generation(local), lambda done, total: True).frames
    again = generator.generate_shot(generation(), lambda done, total: True).frames
    assert not all(np.array_equal(a, b) for a, b in zip(plain, steered, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(plain, again, strict=True))  # switched off after its shot
    assert list(generator.pipeline.get_list_adapters()["transformer"]) == [
        "studio_camera_ltx_2_19b_lora_camera_control_dolly_in"]  # loaded once, kept for the next zoom_in shot


def test_a_zoom_in_shot_gets_its_lora_and_a_static_one_none(small_workspace, tiny_ltx2, lora_folder):
    mapping = {"zoom_in": DOLLY_IN.model_dump()}
    with_ltx(small_workspace, model=str(tiny_ltx2), camera_loras=mapping, lora_folder=str(lora_folder), **TINY)
    script = small_workspace.find_script(SAMPLE_TITLE)
    moves = {shot.shot_id: shot.camera_movement.value for shot in script.shots}
    static = next(shot.number for shot in script.shots if shot.camera_movement == CameraMovement.STATIC)
    report = Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=static), "ltx")
    assert report.outcomes[0].status == "rendered" and report.outcomes[0].record.camera_lora is None
    assert moves["shot-001"] == "zoom_in"
    report = Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=1), "ltx")
    assert report.outcomes[0].record.camera_lora == f"{lora_folder}/{DOLLY_IN.weight_name} @ 1"


def test_generate_with_the_ltx2_preset_recipe_steers_a_zoom_in_shot(small_workspace, tiny_ltx2, lora_folder, capsys):
    # The ltx-2 recipe (two stages with its distilled refine LoRA, which the tiny folder holds) and its camera LoRAs.
    with_ltx(small_workspace, model=str(tiny_ltx2), recipe="ltx-2", lora_folder=str(lora_folder), **TINY)
    assert main(["generate", "--workspace", str(small_workspace.root), "--method", "ltx", "--title", SAMPLE_TITLE,
                 "--shot", "1"]) == 0
    assert "1 rendered" in capsys.readouterr().err
    metadata = next((small_workspace.root / "videos" / "ltx").rglob("*_ltx_metadata.json"))
    [record] = json.loads(metadata.read_text())["shots"]
    assert record["camera_lora"] == f"{lora_folder}/{DOLLY_IN.weight_name} @ 1"
    assert "two stages" in record["recipe"] and "distilled LoRA ltx-2-19b-distilled-lora-384" in record["recipe"]
    # Switched off (ltx_video.camera_lora: false; a take can do the same), the shot renders without it.
    with_ltx(small_workspace, model=str(tiny_ltx2), recipe="ltx-2", lora_folder=str(lora_folder), camera_lora=False, **TINY)
    [outcome] = Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=1), "ltx").outcomes
    assert outcome.status == "rendered" and outcome.record.camera_lora is None


def test_the_library_names_the_shots_camera_lora_and_a_take_can_switch_it_off(small_workspace, tiny_ltx2, lora_folder,
                                                                              tmp_path):
    from studio.services import ReviewDesk, TakeSettings
    from studio.store import VoteStore

    with_ltx(small_workspace, model=str(tiny_ltx2), camera_loras={"zoom_in": DOLLY_IN.model_dump()},
             lora_folder=str(lora_folder), **TINY)
    studio = Studio.open(small_workspace)
    script = small_workspace.find_script(SAMPLE_TITLE)
    static = next(shot for shot in script.shots if shot.camera_movement == CameraMovement.STATIC)
    assert studio.camera_control(script.shot(1)) == f"ltx-2 camera LoRA `{lora_folder}/{DOLLY_IN.weight_name} @ 1`"
    assert studio.camera_control(static) == "ltx-2 has no camera LoRA for `static`; prompt words only"
    desk = ReviewDesk(studio, VoteStore(tmp_path / "votes.db"))
    steered = desk.render_take(SAMPLE_TITLE, "shot-001", TakeSettings.parse(method="ltx"), who="Ana")
    plain = desk.render_take(SAMPLE_TITLE, "shot-001", TakeSettings.parse(method="ltx", camera_lora=False), who="Ana")
    assert steered.record["camera_lora"] == f"{lora_folder}/{DOLLY_IN.weight_name} @ 1"
    assert plain.record.get("camera_lora") is None and plain.variant.endswith("no camera LoRA")
