from pathlib import Path

import pytest

from studio.config import PipelineConfig, bitrate_kbps, load_pipeline_config
from studio.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pipeline.yaml"
    path.write_text(text)
    return path


def test_missing_file_means_defaults(tmp_path):
    config = load_pipeline_config(tmp_path / "nope.yaml")
    assert config == PipelineConfig()
    assert (config.video.width, config.video.height, config.video.fps) == (1080, 1920, 30)
    assert (config.video.codec, config.video.pix_fmt, config.video.bitrate_kbps) == ("libx264", "yuv420p", 10000)
    assert config.interpolation.method == "flow"
    assert config.switches.use_ltx is False


def test_values_are_read(tmp_path):
    config = load_pipeline_config(write(tmp_path, "switches: {use_ltx: true}\nvideo: {bitrate: 9500k, preset: fast}\n"))
    assert config.switches.use_ltx is True
    assert (config.video.bitrate_kbps, config.video.preset) == (9500, "fast")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("video:\n  bitrate: 20M\n", "video.bitrate = '20M': must be between 8M and 12M"),
        ("video:\n  preset: turbo\n", "video.preset = 'turbo': must be one of ultrafast, superfast, veryfast"),
        ("video:\n  pix_fmt: yuv444p\n", "video.pix_fmt = 'yuv444p': Input should be 'yuv420p'"),
        ("video:\n  width: 1920\n  height: 1080\n", "1920x1080 is not 9:16"),
        ("interpolation:\n  ken_burns:\n    strength: 3\n", "interpolation.ken_burns.strength = 3: Input should be less than or equal to 1"),
        ("interpolation:\n  target_fps: 25\n", "interpolation.target_fps (25) must equal video.fps (30)"),
        ("ltx_video:\n  guidance_scale: high\n", "ltx_video.guidance_scale = 'high': Input should be a valid number"),
        ("vidoe:\n  fps: 30\n", "vidoe = {'fps': 30}: Extra inputs are not permitted"),
    ],
)
def test_bad_values_name_file_key_value_and_what_is_allowed(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_pipeline_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_broken_yaml_is_reported_with_the_file(tmp_path):
    path = write(tmp_path, "video: [1080\n")
    with pytest.raises(ConfigError, match=f"{path} is not valid YAML"):
        load_pipeline_config(path)


def test_a_list_instead_of_sections_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="must hold a mapping of sections"):
        load_pipeline_config(write(tmp_path, "- a\n- b\n"))


def test_bitrate_notation():
    assert [bitrate_kbps(v) for v in ("10M", "8m", "9500k", "11.5M")] == [10000, 8000, 9500, 11500]
    with pytest.raises(ValueError, match="is not a bitrate"):
        bitrate_kbps("fast")
