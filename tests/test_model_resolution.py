"""The family registry and ltx_video's resolution into one ResolvedModel: layers in order, loud refusals."""

import json

import pytest

from studio.backends.families import FAMILIES, family_spec
from studio.config import PipelineConfig
from studio.errors import ConfigError
from studio.services.render.model_resolution import resolve_model
from studio.services.render.take_settings import TakeSettings


def resolved(workspace, **ltx):
    return resolve_model(workspace, PipelineConfig.model_validate({"ltx_video": ltx}))


def test_unknown_families_pipelines_and_repos_name_the_choices(workspace, tmp_path):
    with pytest.raises(ConfigError, match="unknown model family 'ltx-3'; the studio knows ltx-video, ltx-2, stable-video-diffusion"):
        family_spec("ltx-3")
    folder = tmp_path / "cog"
    folder.mkdir()
    (folder / "model_index.json").write_text(json.dumps({"_class_name": "CogVideoXPipeline"}))
    with pytest.raises(ConfigError, match=r"model_index.json: pipeline class 'CogVideoXPipeline' is not one the studio "
                                          r"can run; it runs LTXConditionPipeline, LTXPipeline"):
        resolved(workspace, model=str(folder))
    with pytest.raises(ConfigError, match="cannot tell which model family 'someone/video-model' is; .* set ltx_video.family"):
        resolved(workspace, model="someone/video-model")
    with pytest.raises(ConfigError, match="unknown model family 'sora'"):
        resolved(workspace, model="someone/video-model", family="sora")
    assert resolved(workspace, model="someone/video-model", family="ltx-2").family is FAMILIES["ltx-2"]
    assert resolved(workspace, model="Lightricks/LTX-Video-0.9.5").family is FAMILIES["ltx-video"]
    assert resolved(workspace, model="stabilityai/stable-video-diffusion-img2vid").family is FAMILIES["stable-video-diffusion"]


def test_layers_apply_in_order_fallback_preset_recipe_settings_take(workspace):
    fallback = FAMILIES["ltx-2"].defaults
    bare = resolved(workspace, model="someone/ltx-2-finetune")
    assert (bare.preset, bare.steps, bare.guidance_scale, bare.width, bare.num_frames) == (
        None, fallback.num_inference_steps, fallback.guidance_scale, fallback.width, fallback.num_frames)
    preset = resolved(workspace, model="ltx-2")
    assert (preset.preset, preset.steps, preset.guidance_scale, preset.width, preset.height) == ("ltx-2", 30, 3.0, 576, 1024)
    recipe = resolved(workspace, model="ltx-2", recipe="ltx-2.3-distilled")
    assert (recipe.steps, recipe.guidance_scale, recipe.width) == (8, 1.0, 576)  # the recipe's sampling, the model's size
    assert recipe.sampling.refine.first_stage_sigmas is not None
    settings = resolved(workspace, model="ltx-2", recipe="ltx-2.3-distilled", num_inference_steps=12, width=1088, height=1920)
    assert (settings.steps, settings.guidance_scale, settings.width, settings.height) == (12, 1.0, 1088, 1920)
    assert settings.sampling.refine.first_stage_sigmas is None  # 12 steps cannot follow the released 8-step schedule
    config = PipelineConfig.model_validate({"ltx_video": {"model": "ltx-2", "num_inference_steps": 12}})
    take = TakeSettings.parse(method="ltx", steps=5, guidance_scale=4.0, two_stage=False).applied_to(config)
    model = resolve_model(workspace, take)
    assert (model.steps, model.guidance_scale, model.upsampler, model.sampling.refine) == (5, 4.0, None, None)


def test_camera_loras_come_from_the_preset_or_recipe_and_switch_off(workspace, tmp_path):
    from studio.domain import CameraMovement

    ltx2 = resolved(workspace, model="ltx-2")
    assert sorted(move.value for move in ltx2.camera_loras) == sorted(move.value for move in CameraMovement)
    assert ltx2.camera_lora(CameraMovement.PAN_LEFT).repo == "Lightricks/LTX-2-19b-LoRA-Camera-Control-Dolly-Left"
    assert resolved(workspace, model="someone/ltx-2-finetune", recipe="ltx-2").camera_loras == ltx2.camera_loras
    assert resolved(workspace, model="ltx-2.3-distilled").camera_note.startswith("Lightricks publish no camera-control LoRAs")
    (tmp_path / "ltx-2-19b-lora-camera-control-jib-up.safetensors").write_bytes(b"0")
    local = resolved(workspace, model="ltx-2", lora_folder=str(tmp_path))
    assert (local.camera_lora(CameraMovement.TILT_UP).repo, local.camera_lora(CameraMovement.TILT_DOWN).repo) == (
        str(tmp_path), "Lightricks/LTX-2-19b-LoRA-Camera-Control-Jib-Down")
    config = PipelineConfig.model_validate({"ltx_video": {"model": "ltx-2"}})
    off = resolve_model(workspace, TakeSettings.parse(method="ltx", camera_lora=False).applied_to(config))
    assert (off.camera_loras, off.camera_note) == ({}, "camera LoRAs are switched off (ltx_video.camera_lora: false, "
                                                       "or the take's setting)")
    assert off.fingerprint() != ltx2.fingerprint()
