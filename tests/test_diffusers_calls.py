"""Every keyword the studio passes to diffusers, checked against the installed classes' real signatures.

No weights can be fetched here, so the released checkpoints never run; what can be proved without them is
that each call the studio makes, for every preset, both stages, the latent upsampler and each LoRA, names
only arguments the installed pipeline, loader and model classes take. The stand-ins below only record
those calls (and return arrays of the right rank); the real classes' signatures judge them.
"""

import inspect
import re
from types import SimpleNamespace

import numpy as np
import pytest

diffusers = pytest.importorskip("diffusers")

from studio.backends import loading, runtime  # noqa: E402
from studio.backends.families import FAMILIES, FamilyName, generator_class, video_generator  # noqa: E402  # noqa: E402
from studio.backends.ltx import LtxGenerator  # noqa: E402
from studio.config import PipelineConfig  # noqa: E402
from studio.presets import load_preset, preset_names  # noqa: E402
from studio.services.render.generative import generation_plan, shot_generation  # noqa: E402
from studio.services.render.model_resolution import resolve_model  # noqa: E402
from tests.conftest import SAMPLE_TITLE  # noqa: E402


def accepted_keywords(function, *delegates) -> set[str]:
    """The keyword names `function` takes: its named parameters, and where it has **kwargs the names its
    source (and that of the `delegates` it hands them to) pops from them."""
    parameters = inspect.signature(function).parameters.values()
    names = {p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)} - {"self", "cls"}
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        for source in (function, *delegates):
            names |= set(re.findall(r'kwargs\.(?:pop|get)\(\s*"(\w+)"', inspect.getsource(source)))
    return names


def unknown_keywords(function, keywords, *delegates) -> list[str]:
    return sorted(set(keywords) - accepted_keywords(function, *delegates))


class RecordingPipeline:
    """Stands in for a loaded pipeline: records each call and answers with arrays of the right shape."""

    vae_temporal_compression_ratio = 8

    def __init__(self):
        from diffusers import FlowMatchEulerDiscreteScheduler

        self.scheduler = FlowMatchEulerDiscreteScheduler(use_dynamic_shifting=True)
        self.calls, self.lora_loads, self.adapters = [], [], []
        self.vae = object()

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        for step in range(kwargs.get("num_inference_steps") or 1):
            kwargs["callback_on_step_end"](self, step, 0, {})
        if kwargs.get("output_type") == "latent":
            return SimpleNamespace(frames=np.zeros((1, 1)), audio=np.zeros((1, 1)))
        return SimpleNamespace(frames=[np.full((kwargs["num_frames"], kwargs["height"], kwargs["width"], 3), 0.5)])

    def get_list_adapters(self):
        return {"transformer": list(self.adapters)}

    def load_lora_weights(self, location, **kwargs):
        self.lora_loads.append(kwargs)
        self.adapters.append(kwargs["adapter_name"])

    def enable_lora(self):
        return None

    def disable_lora(self):
        return None

    def set_adapters(self, names, weights=None):
        return None


class RecordingUpsampler:
    def __init__(self):
        self.calls = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return SimpleNamespace(frames=np.zeros((1, 1)))


def walk(workspace, preset: str, **ltx):
    """Generate one two-keyframe shot with `preset`'s resolved model through stand-ins; (model, pipe, upsampler)."""
    config = PipelineConfig.model_validate({"ltx_video": {"model": preset, "width": 64, "height": 128,
                                                          "num_frames": 17, "fps": 8, **ltx}})
    model = resolve_model(workspace, config)
    pipe, upsampler = RecordingPipeline(), RecordingUpsampler() if model.upsampler else None
    generator = video_generator(pipe, model.family, upsampler)
    script = workspace.find_script(SAMPLE_TITLE)
    shot = script.shot(1)
    plan = generation_plan(model, shot, config)
    keyframes = [np.full((plan.height, plan.width, 3), 128, np.uint8) for _ in shot.keyframes]
    generator.generate_shot(shot_generation(model, plan, shot, keyframes, config.ltx_video, 0.5), lambda done, total: True)
    return model, pipe, upsampler, plan


def problems(model, pipe, upsampler) -> list[str]:
    """Each keyword of each recorded call that the installed class does not take."""
    family = model.family
    pipeline_class = getattr(diffusers, family.pipeline_class)
    found = [f"{family.pipeline_class}.__call__: {unknown_keywords(pipeline_class.__call__, call)}"
             for call in pipe.calls if unknown_keywords(pipeline_class.__call__, call)]
    if upsampler is not None:
        upsample_class = getattr(diffusers, family.upsample_pipeline_class)
        found += [f"{family.upsample_pipeline_class}.__call__: {unknown_keywords(upsample_class.__call__, call)}"
                  for call in upsampler.calls if unknown_keywords(upsample_class.__call__, call)]
    for load in pipe.lora_loads:
        bad = unknown_keywords(pipeline_class.load_lora_weights, load, pipeline_class.lora_state_dict)
        found += [f"{family.pipeline_class}.load_lora_weights: {bad}"] if bad else []
    return found


@pytest.mark.parametrize("preset", preset_names())
@pytest.mark.parametrize("two_stage", [True, False])
def test_every_preset_calls_its_pipeline_with_arguments_it_takes(workspace, preset, two_stage):
    model, pipe, upsampler, plan = walk(workspace, preset, two_stage=two_stage)
    assert problems(model, pipe, upsampler) == []
    refine = model.sampling.refine
    assert (upsampler is not None, refine is not None) == (two_stage and load_preset(preset).sampling.refine is not None,) * 2
    assert len(pipe.calls) == plan.chunks * (2 if refine else 1)  # every chunk, and its second stage
    if refine:
        assert len(upsampler.calls) == plan.chunks
    camera = model.camera_lora(workspace.find_script(SAMPLE_TITLE).shot(1).camera_movement)  # a zoom_in shot
    assert [load["weight_name"] for load in pipe.lora_loads] == (
        ([camera.weight_name] if camera else []) + ([refine.lora_weight_name] if refine and refine.lora else []))


def test_a_misspelt_argument_is_caught(workspace, monkeypatch):
    from diffusers import LTXConditionPipeline

    assert unknown_keywords(LTXConditionPipeline.__call__, {"num_inference_step": 2, "frame_rate": 24.0}) == [
        "num_inference_step"]
    arguments = LtxGenerator._arguments
    monkeypatch.setattr(LtxGenerator, "_arguments", lambda self, *a: {**arguments(self, *a), "decode_timesteps": 0.05})
    model, pipe, upsampler, plan = walk(workspace, "ltx-video-13b-distilled")
    assert len(pipe.calls) == 2 * plan.chunks  # both stages of every chunk
    assert problems(model, pipe, upsampler) == ["LTXConditionPipeline.__call__: ['decode_timesteps']"] * len(pipe.calls)


@pytest.mark.parametrize("family_name", list(FAMILIES))
def test_loading_passes_from_pretrained_only_what_it_takes(monkeypatch, tmp_path, family_name: FamilyName):
    family = FAMILIES[family_name]
    recorded = []

    class Recorder:
        @classmethod
        def from_pretrained(cls, location, **kwargs):
            recorded.append(kwargs)
            return SimpleNamespace(set_progress_bar_config=lambda **_: None, vae=object(),
                                   scheduler=diffusers.PNDMScheduler())  # the family's setup may replace it

        def __init__(self, **kwargs):
            recorded.append(kwargs)

        def set_progress_bar_config(self, **kwargs):
            return None

    monkeypatch.setattr(loading, "imported", lambda dotted: Recorder)
    (tmp_path / "weights.safetensors").write_bytes(b"0")
    source = runtime.ModelSource("tiny", tmp_path)
    components = {name: runtime.ModelSource(name, tmp_path / name) for name, _ in family.components}
    pipe = loading.load_pipeline(source, family, components=components)
    pipeline_class = getattr(diffusers, family.pipeline_class)
    # The components (AnimateDiff's motion adapter, SparseCtrl) load first with their own classes, then go to the
    # pipeline's from_pretrained as the pipeline's own parts.
    checks = [(getattr(diffusers, model_class).from_pretrained, recorded.pop(0)) for _, model_class in family.components]
    parts = set(components)
    assert parts <= set(inspect.signature(pipeline_class.__init__).parameters) and parts <= set(recorded[0])
    own = {k: v for k, v in recorded[0].items() if k not in parts}
    checks.append((pipeline_class.from_pretrained, own))
    if family.two_stage:
        loading.load_latent_upsampler(source, pipe, family)
        module, _, name = family.upsampler_model_class.partition(":")
        model_class = getattr(__import__(module, fromlist=[name]), name)
        checks += [(model_class.from_pretrained, recorded[1]),
                   (getattr(diffusers, family.upsample_pipeline_class).__init__, recorded[2])]
    assert [unknown_keywords(function, keywords) for function, keywords in checks] == [[]] * len(checks)
    assert own == {"dtype": __import__("torch").float32}


def test_every_family_has_a_preset_so_its_generators_calls_are_checked_above():
    assert {load_preset(name).family for name in preset_names()} == set(FAMILIES)


def test_wan_flf2v_passes_both_keyframes_and_loads_its_vae_and_image_encoder_in_float32(workspace, monkeypatch):
    import torch

    model, pipe, upsampler, plan = walk(workspace, "wan-2.1-flf2v")
    [call] = pipe.calls  # shot 1, 8 s: one generation, at 2 fps so that 17 frames cover it
    assert (plan.fps, plan.chunk_frames) == (2, (17,))
    assert {"image", "last_image"} <= set(call) and problems(model, pipe, upsampler) == []
    assert (call["image"].size, call["last_image"].size, call["num_frames"]) == ((plan.width, plan.height),) * 2 + (17,)
    recorded = []

    class Recorder:
        @classmethod
        def from_pretrained(cls, location, **kwargs):
            recorded.append(kwargs)
            return SimpleNamespace(set_progress_bar_config=lambda **_: None, scheduler=diffusers.PNDMScheduler())

    monkeypatch.setattr(loading, "imported", lambda dotted: Recorder)
    monkeypatch.setattr(loading, "place_on_gpu", lambda pipe, family, memory: None)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    pipe = loading.load_pipeline(runtime.ModelSource("Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers", None), model.family)
    assert recorded == [{"dtype": {"default": torch.bfloat16, "vae": torch.float32, "image_encoder": torch.float32}}]
    assert (type(pipe.scheduler).__name__, pipe.scheduler.config.flow_shift) == ("UniPCMultistepScheduler", 16.0)


def test_the_family_names_are_the_registry_entries():
    from typing import get_args

    assert set(get_args(FamilyName)) == set(FAMILIES)


@pytest.mark.parametrize("preset", preset_names())
@pytest.mark.parametrize("two_stage", [True, False])
def test_the_sampling_check_names_exactly_the_keywords_the_generator_passes(workspace, preset, two_stage):
    model, pipe, upsampler, plan = walk(workspace, preset, two_stage=two_stage)
    loading.check_sampling(model.family, model.sampling)  # every preset passes its own family's check
    generator = generator_class(model.family)
    declared = {argument.keyword for argument in generator.sampling_keywords(model.sampling)}
    passed = set().union(*pipe.calls)
    assert declared <= passed  # the check judges what is really sent, not a list of its own


def test_a_schedule_the_family_cannot_take_is_refused_before_loading(workspace, monkeypatch):
    from studio.errors import ConfigError
    from studio.services.render.renderer import ShotRenderer

    monkeypatch.setattr(loading, "load_pipeline", lambda *a, **k: pytest.fail("weights were loaded"))
    ltx2_schedule = load_preset("ltx-2.3-distilled").sampling.model_dump(mode="json")  # sigmas, noise_scale
    config = PipelineConfig.model_validate({"ltx_video": {"model": "ltx-video-13b-distilled", "sampling": ltx2_schedule}})
    with pytest.raises(ConfigError, match=r"ltx_video.sampling.refine.first_stage_sigmas .*LTXConditionPipeline, which "
                                          r"runs LTX-Video 0.9.x, takes no `sigmas`"):
        ShotRenderer(workspace).check_method("ltx", config)
    # An LTX-2 model refuses LTX-Video 0.9.x's settings the same way (it used to drop image_cond_noise_scale).
    config = PipelineConfig.model_validate({"ltx_video": {"model": "ltx-2", "sampling": {"image_cond_noise_scale": 0.025}}})
    with pytest.raises(ConfigError, match=r"ltx_video.sampling.image_cond_noise_scale .*takes no `image_cond_noise_scale`"):
        ShotRenderer(workspace).check_method("ltx", config)
    # Stable Video Diffusion samples with steps and guidance only: a sampling block is refused, not ignored.
    config = PipelineConfig.model_validate({"ltx_video": {"model": "svd-xt", "sampling": {"decode_timestep": 0.05}}})
    with pytest.raises(ConfigError, match=r"ltx_video.sampling.decode_timestep .*StableVideoDiffusionPipeline"):
        ShotRenderer(workspace).check_method("ltx", config)
