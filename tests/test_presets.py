import pytest

from studio.config import PipelineConfig
from studio.errors import ConfigError
from studio.presets import load_preset, preset_names


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_loads(name):
    preset = load_preset(name)
    assert preset.name == name
    assert preset.width * 16 == preset.height * 9 or abs(preset.width / preset.height - 9 / 16) < 0.02


def test_the_presets_cover_both_ltx_sizes_and_distilled_variants_and_svd():
    assert preset_names() == [
        "ltx-video-13b", "ltx-video-13b-distilled", "ltx-video-2b", "ltx-video-2b-distilled", "svd-xt"]
    assert load_preset(PipelineConfig().ltx_video.model).num_inference_steps == 8


def test_unknown_and_illegal_presets(tmp_path):
    with pytest.raises(ConfigError, match="no model preset 'ltx-9b'; presets: ltx-video-13b"):
        load_preset("ltx-9b")
    (tmp_path / "odd.yaml").write_text(
        "name: odd\nfamily: ltx-video\nrepo_id: a/b\npipeline: LTXPipeline\nnum_inference_steps: 8\n"
        "guidance_scale: 1\nwidth: 500\nheight: 832\nnum_frames: 120\nfps: 24\n")
    with pytest.raises(ConfigError, match="divisible by 32, not 500x832"):
        load_preset("odd", tmp_path)
