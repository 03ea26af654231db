import pytest

from studio.config import PipelineConfig
from studio.errors import ConfigError
from studio.presets import load_preset, preset_names


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_loads(name):
    preset = load_preset(name)
    assert preset.name == name
    assert preset.width * 16 == preset.height * 9 or abs(preset.width / preset.height - 9 / 16) < 0.02


def test_the_presets_cover_both_ltx_sizes_and_distilled_variants_svd_and_wan():
    assert preset_names() == [
        "animatediff-camera", "animatediff-sparsectrl", "ltx-2", "ltx-2.3-distilled", "ltx-2.5", "ltx-video-13b", "ltx-video-13b-distilled", "ltx-video-2b",
        "ltx-video-2b-distilled", "svd-xt", "wan-2.1-flf2v"]
    assert {name: load_preset(name).family for name in preset_names()} == {
        "animatediff-camera": "animatediff", "animatediff-sparsectrl": "animatediff-sparsectrl", "ltx-2": "ltx-2", "ltx-2.3-distilled": "ltx-2", "ltx-2.5": "ltx-2", "ltx-video-13b": "ltx-video",
        "ltx-video-13b-distilled": "ltx-video", "ltx-video-2b": "ltx-video", "ltx-video-2b-distilled": "ltx-video",
        "svd-xt": "stable-video-diffusion", "wan-2.1-flf2v": "wan-flf2v"}
    assert all(load_preset(name).width % 64 == 0 for name in ("ltx-2", "ltx-2.3-distilled", "ltx-2.5"))
    default = load_preset(PipelineConfig().ltx_video.model)  # the 2B distilled single file on 0.9.5's parts
    assert (default.name, default.repo_id) == ("ltx-video-2b-distilled", "Lightricks/LTX-Video-0.9.5")
    assert default.checkpoint == "https://huggingface.co/Lightricks/LTX-Video/blob/main/ltxv-2b-0.9.8-distilled.safetensors"
    assert (default.num_inference_steps, default.guidance_scale, len(default.sampling.timesteps)) == (8, 1.0, 8)
    assert (default.sampling.decode_timestep, default.sampling.decode_noise_scale) == (0.05, 0.025)
    two_stage = {name: load_preset(name).sampling.refine is not None for name in preset_names()}
    assert two_stage == {"animatediff-camera": False, "animatediff-sparsectrl": False, "ltx-2": True, "ltx-2.3-distilled": True, "ltx-2.5": False, "ltx-video-13b": True,
                         "ltx-video-13b-distilled": True, "ltx-video-2b": False, "ltx-video-2b-distilled": False, "svd-xt": False,
                         "wan-2.1-flf2v": False}


def test_unknown_and_illegal_presets(tmp_path):
    with pytest.raises(ConfigError, match="no model preset 'ltx-9b'; presets: animatediff-camera, animatediff-sparsectrl, ltx-2, "):
        load_preset("ltx-9b")
    write_preset(tmp_path, "odd", "ltx-video", "width: 500\nheight: 832\nnum_frames: 120\n")
    with pytest.raises(ConfigError, match="divisible by 32, not 500x832"):
        load_preset("odd", tmp_path)
    write_preset(tmp_path, "odd2", "ltx-2", "width: 480\nheight: 832\nnum_frames: 121\n")
    with pytest.raises(ConfigError, match="ltx-2 needs width and height divisible by 64, not 480x832"):
        load_preset("odd2", tmp_path)
    write_preset(tmp_path, "odd3", "stable-video-diffusion",
                 "width: 576\nheight: 1024\nnum_frames: 25\n"
                 "sampling: {refine: {upsampler: a/up, first_stage_scale: 0.5, steps: 3}}\n")
    with pytest.raises(ConfigError, match="stable-video-diffusion has no two-stage recipe"):
        load_preset("odd3", tmp_path)
    write_preset(tmp_path, "odd5", "ltx-3", "width: 576\nheight: 1024\nnum_frames: 121\n")
    with pytest.raises(ConfigError, match="family = 'ltx-3': Input should be 'ltx-video', 'ltx-2', 'stable-video-diffusion'"):
        load_preset("odd5", tmp_path)
    write_preset(tmp_path, "odd4", "ltx-2", "width: 576\nheight: 1024\nnum_frames: 121\n"
                 "sampling: {refine: {upsampler: a/up, first_stage_scale: 0.5, steps: 3, timesteps: [1], sigmas: [1]}}\n")
    with pytest.raises(ConfigError, match="either timesteps or sigmas, not both"):
        load_preset("odd4", tmp_path)


def test_animatediff_presets_name_their_base_model_and_exactly_their_families_components(tmp_path):
    sparse, camera = load_preset("animatediff-sparsectrl"), load_preset("animatediff-camera")
    assert (sparse.repo_id, camera.repo_id) == ("stable-diffusion-v1-5/stable-diffusion-v1-5",) * 2
    assert sparse.components.named() == {"motion_adapter": "guoyww/animatediff-motion-adapter-v1-5-3",
                                         "controlnet": "guoyww/animatediff-sparsectrl-rgb"}
    assert camera.components.named() == {"motion_adapter": "guoyww/animatediff-motion-adapter-v1-5-2"}
    assert sparse.camera_loras == {} and "v3 motion adapter" in sparse.camera_loras_note
    assert {move.value: lora.repo for move, lora in camera.camera_loras.items()} == {
        move: f"guoyww/animatediff-motion-lora-{move.replace('_', '-')}"
        for move in ("zoom_in", "zoom_out", "pan_left", "pan_right", "tilt_up", "tilt_down")}
    write_preset(tmp_path, "ad", "animatediff-sparsectrl", "width: 288\nheight: 512\nnum_frames: 16\n"
                 "components: {motion_adapter: guoyww/animatediff-motion-adapter-v1-5-3}\n")
    with pytest.raises(ConfigError, match=r"needs components \['motion_adapter', 'controlnet'\], not \['motion_adapter'\]"):
        load_preset("ad", tmp_path)
    write_preset(tmp_path, "ad2", "animatediff", "width: 288\nheight: 512\nnum_frames: 24\n"
                 "components: {motion_adapter: guoyww/animatediff-motion-adapter-v1-5-2}\n")
    with pytest.raises(ConfigError, match="at most 16 frames a window, not 24"):
        load_preset("ad2", tmp_path)
    write_preset(tmp_path, "ad3", "ltx-2", "width: 576\nheight: 1024\nnum_frames: 121\ncomponents: {controlnet: a/b}\n")
    with pytest.raises(ConfigError, match=r"ltx-2 needs components none, not \['controlnet'\]"):
        load_preset("ad3", tmp_path)


def write_preset(folder, name, family, rest):
    """A preset file with fixed sampling basics and `rest` (size, frames, extras) as given."""
    (folder / f"{name}.yaml").write_text(
        f"name: {name}\nfamily: {family}\nrepo_id: a/b\nnum_inference_steps: 8\n"
        f"guidance_scale: 1\nfps: 24\n{rest}")


def test_the_wan_preset_is_the_documented_flf2v_recipe_and_its_frame_rule_holds(tmp_path):
    wan = load_preset("wan-2.1-flf2v")
    assert (wan.repo_id, wan.num_inference_steps, wan.guidance_scale) == (
        "Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers", 50, 5.5)
    assert (wan.width, wan.height, wan.num_frames, wan.fps) == (720, 1280, 81, 16)
    write_preset(tmp_path, "wan", "wan-flf2v", "width: 720\nheight: 1280\nnum_frames: 80\n")
    with pytest.raises(ConfigError, match="wan-flf2v needs 4n\\+1 frames, not 80"):
        load_preset("wan", tmp_path)
    write_preset(tmp_path, "wan2", "wan-flf2v", "width: 720\nheight: 1280\nnum_frames: 85\n")
    with pytest.raises(ConfigError, match="at most 81 frames a generation, not 85; a longer shot is one generation"):
        load_preset("wan2", tmp_path)
    write_preset(tmp_path, "wan3", "wan-flf2v", "width: 720\nheight: 1272\nnum_frames: 81\n")
    with pytest.raises(ConfigError, match="wan-flf2v needs width and height divisible by 16, not 720x1272"):
        load_preset("wan3", tmp_path)
