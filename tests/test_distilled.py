"""The distilled LTX-Video 2B preset: Lightricks' single-file checkpoint on the 0.9.5 base, loaded through the
real loading code from a tiny single file that the test saves as Lightricks do (original tensor names)."""

import functools

import pytest

pytest.importorskip("diffusers")

import torch  # noqa: E402
from diffusers import LTXConditionPipeline  # noqa: E402
from pydantic import ValidationError  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

from studio.backends.families import FAMILIES  # noqa: E402
from studio.backends.loading import load_pipeline  # noqa: E402
from studio.backends.runtime import ModelSource  # noqa: E402
from studio.testing.tiny import save_tiny_ltx_checkpoint  # noqa: E402
from studio.config import PipelineConfig  # noqa: E402
from studio.errors import BackendUnavailableError, ConfigError  # noqa: E402
from studio.presets import ModelPreset, load_preset  # noqa: E402
from studio.services import Selection, Studio  # noqa: E402
from studio.services.render.model_resolution import resolve_model  # noqa: E402
from tests.conftest import SAMPLE_TITLE, with_ltx  # noqa: E402

DISTILLED = load_preset("ltx-video-2b-distilled")
TINY_SIZE = {"width": 32, "height": 64, "num_frames": 17, "fps": 8}


@pytest.fixture
def tiny_checkpoint(tiny_ltx, tmp_path):
    return save_tiny_ltx_checkpoint(tiny_ltx, tmp_path / "ltxv-tiny-distilled.safetensors")


def test_a_distilled_take_samples_8_released_timesteps_without_guidance_on_the_files_transformer(
        small_workspace, tiny_ltx, tiny_checkpoint, monkeypatch):
    with_ltx(small_workspace, model=str(tiny_ltx), recipe="ltx-video-2b-distilled", checkpoint=str(tiny_checkpoint),
             **TINY_SIZE)
    calls = []
    original = LTXConditionPipeline.__call__

    @functools.wraps(original)  # the sampling check reads the pipeline's signature through it
    def spy(self, **arguments):
        calls.append((arguments, {name: tensor.clone() for name, tensor in self.transformer.state_dict().items()}))
        return original(self, **arguments)

    monkeypatch.setattr(LTXConditionPipeline, "__call__", spy)
    [outcome] = Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=4), "ltx").outcomes
    assert outcome.status == "rendered", outcome.message
    record = outcome.record
    assert record.model == f"{tiny_checkpoint} on {tiny_ltx}"
    assert (record.num_inference_steps, record.guidance_scale) == (8, 1.0)
    assert "one stage, 8 steps on the released schedule, guidance 1" in record.recipe
    arguments, weights = calls[0]
    assert arguments["timesteps"] == list(DISTILLED.sampling.timesteps) and arguments["guidance_scale"] == 1.0
    assert (arguments["decode_timestep"], arguments["decode_noise_scale"], arguments["image_cond_noise_scale"]) == (0.05, 0.025, 0.025)
    # The transformer that denoised is the file's (its original names mapped back by diffusers), not the folder's.
    saved = load_file(str(tiny_checkpoint))
    assert torch.equal(weights["proj_in.weight"], saved["model.diffusion_model.patchify_proj.weight"])
    assert torch.equal(weights["transformer_blocks.0.attn1.norm_q.weight"],
                       saved["model.diffusion_model.transformer_blocks.0.attn1.q_norm.weight"])
    folder_only = load_pipeline(ModelSource("tiny", tiny_ltx), FAMILIES["ltx-video"]).transformer.state_dict()
    assert not torch.equal(folder_only["proj_in.weight"], weights["proj_in.weight"])


def test_the_default_model_is_the_single_file_on_its_base_repo_and_the_cpu_refuses_it_before_any_download(small_workspace):
    (small_workspace.root / "config" / "pipeline.yaml").write_text("ltx_video: {}\n")
    model = resolve_model(small_workspace, PipelineConfig())
    assert model.preset == "ltx-video-2b-distilled" and model.source.checkpoint == DISTILLED.checkpoint
    assert model.source.label == f"{DISTILLED.checkpoint} on Lightricks/LTX-Video-0.9.5"
    assert (model.steps, model.guidance_scale, model.sampling.timesteps, model.upsampler) == (8, 1.0, DISTILLED.sampling.timesteps, None)
    # Another step count cannot follow the released schedule: the steps then run evenly spaced.
    other = resolve_model(small_workspace, PipelineConfig.model_validate({"ltx_video": {"num_inference_steps": 4}}))
    assert other.steps == 4 and other.sampling.timesteps is None
    with pytest.raises(BackendUnavailableError, match=r"needs a CUDA GPU, and this machine has none \(model https://"
                                                      r"huggingface.co/Lightricks/LTX-Video/blob/main/ltxv-2b-0.9.8-distilled"):
        Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=4), "ltx")


def test_checkpoint_settings_that_cannot_load_name_the_fix(small_workspace, tiny_ltx, tmp_path):
    def resolve(**ltx_video):
        return resolve_model(small_workspace, PipelineConfig.model_validate({"ltx_video": ltx_video}))

    with pytest.raises(ConfigError, match=r"ltx_video.checkpoint = 'missing.safetensors': there is no file .*missing"):
        resolve(model=str(tiny_ltx), checkpoint="missing.safetensors")
    with pytest.raises(ConfigError, match="Stable Video Diffusion models load from diffusers folders only"):
        resolve(model="svd-xt", checkpoint="https://huggingface.co/a/b/blob/main/c.safetensors")
    with pytest.raises(ValidationError, match="stable-video-diffusion models load from diffusers folders only; remove checkpoint"):
        ModelPreset.model_validate({**load_preset("svd-xt").model_dump(), "checkpoint": DISTILLED.checkpoint})
    # Offline (as every test runs), a hub checkpoint fails to download: the refusal says where to put the weights.
    offline = ModelSource(str(tiny_ltx), tiny_ltx, checkpoint=DISTILLED.checkpoint)
    with pytest.raises(BackendUnavailableError, match="could not load video model .*ltxv-2b-0.9.8-distilled.safetensors on .*"
                                                      "without network access the weights must already be on disk"):
        load_pipeline(offline, FAMILIES["ltx-video"])
    not_ltx = tmp_path / "other.safetensors"
    from safetensors.torch import save_file

    save_file({"unet.conv_in.weight": torch.zeros(1)}, str(not_ltx))
    with pytest.raises(BackendUnavailableError, match="other.safetensors holds no LTX-Video 0.9.x weights"):
        load_pipeline(ModelSource(str(tiny_ltx), tiny_ltx, checkpoint=str(not_ltx)), FAMILIES["ltx-video"])


def test_a_hub_checkpoint_comes_from_the_cache_without_the_hub_and_a_missing_one_is_refused(tmp_path, monkeypatch):
    """A file downloaded before is used as it is (no look at the hub); one that is not is refused at once, naming it,
    whether the hub cannot be reached (here) or does not have it."""
    from huggingface_hub import constants

    from studio.backends.hub import hub_file

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    revision = "0" * 40
    snapshot = tmp_path / "models--someone--model" / "snapshots" / revision
    snapshot.mkdir(parents=True)
    (snapshot / "weights.safetensors").write_bytes(b"cached")
    (tmp_path / "models--someone--model" / "refs").mkdir()
    (tmp_path / "models--someone--model" / "refs" / "main").write_text(revision)
    assert hub_file("someone/model", "weights.safetensors", "main").read_bytes() == b"cached"
    with pytest.raises(OSError, match="someone/model/other.safetensors is not downloaded, and the Hugging Face hub "
                                      "cannot be reached from here to download it"):
        hub_file("someone/model", "other.safetensors", "main")
