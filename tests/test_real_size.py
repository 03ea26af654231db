"""bench/gpu-check --real-size without a GPU: the released architectures built on the meta device (no memory) have
the released parameter counts, each preset's pipeline assembles from them, the random build path keeps what a
constructor computes, and the 5 s shot each preset times is the one the studio's own planning gives."""

import subprocess
from pathlib import Path

import pytest

pytest.importorskip("diffusers")
pytest.importorskip("accelerate")
torch = pytest.importorskip("torch")

from studio.backends.families import family_spec  # noqa: E402
from studio.bench import real_size, released  # noqa: E402
from studio.presets import load_preset  # noqa: E402
from studio.services.render.generative import generation_plan  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# Released parameter counts: SVD-XT's UNet (1,524,623,082) and SD 1.5's UNet (859,520,964) are the published
# exact counts; LTX-Video 2B (1.92e9 in its transformer), 13B, LTX-2 19B (its audio-video transformer) and the
# v1-5-2 motion adapter (its 1.81 GB fp32 file: about 4.53e8) are the released sizes as named and filed.
RELEASED = {
    "ltx-video-2b": (1.92e9, 0.03),
    "ltx-video-13b": (13.0e9, 0.03),
    "ltx-2": (19.0e9, 0.03),
    "svd-xt": (1_524_623_082, 0.001),
    "animatediff-camera": (859_520_964, 0.001),
}


@pytest.mark.parametrize("preset", list(RELEASED))
def test_each_denoiser_has_its_released_size(preset):
    expected, band = RELEASED[preset]
    model = released.denoiser(preset)  # on the meta device: shapes only
    assert next(model.parameters()).device.type == "meta"
    assert abs(released.parameter_count(model) / expected - 1) <= band


def test_the_motion_adapter_has_v1_5_2s_size():
    assert abs(released.parameter_count(released.motion_adapter()) / 4.53e8 - 1) <= 0.03


def test_each_preset_assembles_its_familys_pipeline():
    for preset in released.DENOISERS:
        pipe = released.build_pipeline(preset, "meta", None)
        family = family_spec(load_preset(preset).family)
        assert type(pipe).__name__ == family.pipeline_class
        denoiser = getattr(pipe, "transformer", None) or pipe.unet
        assert released.parameter_count(denoiser) >= 0.85e9  # released size (AnimateDiff's UNet gains the adapter)


def test_random_build_fills_parameters_and_keeps_buffers():
    from diffusers import AutoencoderKLLTXVideo

    torch.manual_seed(0)
    vae = released.build(AutoencoderKLLTXVideo, dict(
        latent_channels=8, block_out_channels=(8, 8, 8, 8), decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1), decoder_layers_per_block=(1, 1, 1, 1, 1), patch_size=1), "cpu",
        dtype=torch.bfloat16)
    weights = dict(vae.named_parameters())
    assert {p.device.type for p in weights.values()} == {"cpu"}
    assert {p.dtype for p in weights.values()} == {torch.bfloat16}
    assert all(torch.isfinite(p.float()).all() for p in weights.values())
    conv = weights["encoder.conv_in.conv.weight"].float()
    assert 0.015 < conv.std().item() < 0.025 and conv.unique().numel() > 100
    assert torch.equal(weights["encoder.conv_in.conv.bias"].float(), torch.zeros(8))
    assert torch.equal(vae.latents_std.float(), torch.ones(8))  # a buffer the constructor made, kept


def test_each_preset_times_a_five_second_shot_as_the_studio_plans_it(tmp_path):
    planned = {}
    for preset in released.DENOISERS:
        for shot_s, frames in real_size.preset_runs(preset):
            model, config = real_size.resolved(preset, tmp_path, frames)
            plan = generation_plan(model, real_size.two_keyframe_shot(shot_s), config)
            key = preset if shot_s == real_size.SHOT_S else (preset, shot_s, frames)
            planned[key] = (plan.width, plan.height, plan.chunk_frames if frames or shot_s != 5 else plan.num_frames,
                            plan.fps, plan.chunks, model.steps, model.upsampler, model.camera_loras)
    assert planned == {
        "ltx-video-2b": (480, 832, 121, 24, 1, 40, None, {}),
        "ltx-video-2b-distilled": (480, 832, 121, 24, 1, 8, None, {}),
        # The 10 s shot: the preset's chunks (the last only as long as the rest needs), or one 241-frame generation.
        ("ltx-video-2b-distilled", 10.0, None): (480, 832, (121, 121, 17), 24, 3, 8, None, {}),
        ("ltx-video-2b-distilled", 10.0, 241): (480, 832, (241,), 24, 1, 8, None, {}),
        "ltx-video-13b": (704, 1216, 121, 24, 1, 10, None, {}),
        "ltx-2": (576, 1024, 121, 24, 1, 10, None, {}),
        "svd-xt": (576, 1024, 25, 7, 2, 25, None, {}),
        "animatediff-camera": (288, 512, 16, 8, 4, 25, None, {}),
    }


@pytest.mark.skipif(torch.cuda.is_available(), reason="on a GPU the rows run for real (bench/gpu-check --real-size)")
def test_without_a_gpu_every_row_says_it_needs_one():
    rows = real_size.real_size_rows()
    assert [(row.preset, row.result) for row in rows] == [(preset, "skipped") for preset in released.DENOISERS]
    text = real_size.table(rows)
    assert "random weights cost the same arithmetic as the released ones" in text
    assert "2-layer models of the released width" in text


def test_gpu_check_help_documents_real_size():
    help_text = subprocess.run(["bash", str(ROOT / "bench" / "gpu-check"), "--help"], capture_output=True, text=True,
                               check=True).stdout
    assert "--real-size" in help_text
    assert "random weights" in help_text
