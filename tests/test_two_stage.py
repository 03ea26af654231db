"""The official two-stage (multiscale) recipes, run on tiny random-weight LTX-Video and LTX-2 pipelines with tiny
latent upsamplers, all built and saved here and loaded by path through the studio's own loaders."""

import pickle

import numpy as np
import pytest

pytest.importorskip("diffusers")

from studio.backends.families import FAMILIES  # noqa: E402
from studio.backends.loading import load_latent_upsampler, load_pipeline  # noqa: E402
from studio.backends.ltx import FrameCondition, Ltx2Generator, LtxGenerator, LtxRequest  # noqa: E402
from studio.backends.runtime import ModelSource  # noqa: E402
from studio.config import PipelineConfig  # noqa: E402
from studio.domain.recipe import Sampling  # noqa: E402
from studio.errors import Cancelled, ConfigError  # noqa: E402
from studio.media.probe import probe_clip  # noqa: E402
from studio.presets import load_preset  # noqa: E402
from studio.services import Selection, Studio  # noqa: E402
from studio.services.desk import ReviewDesk  # noqa: E402
from studio.services.render.cluster import ClusterOptions, RayRenderer  # noqa: E402
from studio.services.render.model_resolution import resolve_model  # noqa: E402
from studio.store import VoteStore  # noqa: E402
from tests.conftest import SAMPLE_TITLE, SMALL_HEIGHT, SMALL_WIDTH, real_photo, with_ltx  # noqa: E402

LTX_DISTILLED = load_preset("ltx-video-13b-distilled").sampling
LTX2_DISTILLED = load_preset("ltx-2.3-distilled").sampling


class Recording:
    """A pipeline that remembers the arguments of every call and passes them on."""

    def __init__(self, pipeline, before=None):
        self.pipeline, self.calls, self.before = pipeline, [], before

    def __call__(self, **arguments):
        self.calls.append(arguments)
        if self.before:
            self.before(self.pipeline)
        return self.pipeline(**arguments)

    def __getattr__(self, name):
        return getattr(self.pipeline, name)

    def __setattr__(self, name, value):  # a swapped scheduler goes to the pipeline, as it would unwrapped
        if name in ("pipeline", "calls", "before"):
            object.__setattr__(self, name, value)
        else:
            setattr(self.pipeline, name, value)


@pytest.fixture
def models(tiny_ltx, tiny_ltx2):
    return {"ltx-video": tiny_ltx, "ltx-2": tiny_ltx2}


def generator(models, family, before=None):
    source = ModelSource("tiny", models[family])
    pipe = load_pipeline(source, FAMILIES[family])
    upsampler = load_latent_upsampler(ModelSource("up", models[family] / "latent_upsampler"), pipe, FAMILIES[family])
    generator_class = Ltx2Generator if family == "ltx-2" else LtxGenerator
    return generator_class(Recording(pipe, before), Recording(upsampler))


def request(sampling, *, width=32, height=64, seed=1, steps=8):
    keyframe = real_photo("forest", 64)[:height, :width]
    return LtxRequest(prompt="slow push in over the meadow", negative_prompt="blurry", width=width, height=height,
                      num_frames=17, fps=8, steps=steps, guidance_scale=1.0, seed=seed,
                      conditions=[FrameCondition(keyframe, 0, 1.0)], sampling=sampling)


def test_ltx_video_distilled_recipe_runs_stage_1_small_then_upsamples_and_refines(models):
    ltx = generator(models, "ltx-video")
    steps = []
    frames = ltx.generate(request(LTX_DISTILLED), lambda done, total: steps.append((done, total)) or True)
    first, second = ltx.pipeline.calls
    assert (first["width"], first["height"], first["output_type"]) == (32, 32, "latent")  # 2/3 of 32x64, floored to 32
    assert first["timesteps"] == [1000, 993, 987, 981, 975, 909, 725, 0.03] and first["guidance_scale"] == 1.0
    assert (first["decode_timestep"], first["decode_noise_scale"], first["image_cond_noise_scale"],
            first["guidance_rescale"]) == (0.05, 0.025, 0.0, 0.7)
    (upsample,) = ltx.upsampler.calls
    assert (upsample["adain_factor"], upsample["tone_map_compression_ratio"]) == (1.0, 0.6)
    assert (second["width"], second["height"], second["output_type"]) == (64, 64, "np")  # x2 upsampled
    assert second["timesteps"] == [1000, 909, 725, 421, 0] and second["denoise_strength"] == 0.999
    assert tuple(second["latents"].shape[-2:]) == (16, 16)  # the tiny VAE's 4x: stage 1's 8x8 latents doubled
    assert len(frames) == 17 and frames[0].shape == (64, 32, 3)  # resized to the wanted size, as the docs do
    assert [done for done, _ in steps] == list(range(1, 13))  # 8 steps of stage 1, then 4 of the refine
    assert {total for _, total in steps} == {13}  # 8 + the preset's nominal 5 refine steps


def test_ltx2_distilled_recipe_follows_the_released_sigmas_and_carries_the_audio_latents(models):
    ltx2 = generator(models, "ltx-2")
    frames = ltx2.generate(request(LTX2_DISTILLED, width=64, height=64), lambda done, total: True)
    first, second = ltx2.pipeline.calls
    assert (first["width"], first["height"], first["output_type"]) == (32, 32, "latent")  # half of 64x64
    assert first["sigmas"] == [1.0, 0.99375, 0.9875, 0.98125, 0.975, 0.909375, 0.725, 0.421875]
    assert "image_cond_noise_scale" not in first  # an LTX-Video 0.9.x setting
    assert (second["width"], second["height"], second["num_inference_steps"]) == (64, 64, 3)
    assert second["sigmas"] == [0.909375, 0.725, 0.421875] and second["noise_scale"] == 0.909375
    assert second["audio_latents"] is not None and second["audio_latents"].ndim == 4  # stage 1's audio, refined too
    assert len(frames) == 17 and frames[0].shape == (64, 64, 3)


def test_two_stage_results_are_decided_by_the_seed(models):
    ltx2 = generator(models, "ltx-2")
    first = ltx2.generate(request(LTX2_DISTILLED, width=64, height=64, seed=3), lambda done, total: True)
    again = ltx2.generate(request(LTX2_DISTILLED, width=64, height=64, seed=3), lambda done, total: True)
    other = ltx2.generate(request(LTX2_DISTILLED, width=64, height=64, seed=4), lambda done, total: True)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_a_cancel_in_stage_1_stops_before_the_upsample(models):
    ltx = generator(models, "ltx-video")
    with pytest.raises(Cancelled, match="cancelled during generation"):
        ltx.generate(request(LTX_DISTILLED), lambda done, total: done < 3)
    assert len(ltx.pipeline.calls) == 1 and ltx.upsampler.calls == []


def test_without_an_upsampler_the_recipe_runs_in_one_stage_at_the_full_size(models):
    pipe = Recording(load_pipeline(ModelSource("tiny", models["ltx-video"]), FAMILIES["ltx-video"]))
    frames = LtxGenerator(pipe).generate(request(LTX_DISTILLED, steps=2), lambda done, total: True)
    (call,) = pipe.calls
    assert (call["width"], call["height"], call["num_inference_steps"], call["output_type"]) == (32, 64, 2, "np")
    assert "timesteps" not in call and call["decode_timestep"] == 0.05
    assert len(frames) == 17 and frames[0].shape == (64, 32, 3)


@pytest.fixture
def two_stage_workspace(small_workspace, models):
    return with_ltx(small_workspace, model=str(models["ltx-2"]), recipe="ltx-2.3-distilled", width=64, height=64,
                    num_frames=17, fps=4, seed=7)


def test_an_ltx2_shot_renders_to_spec_in_two_stages_with_the_recipe_in_its_metadata(two_stage_workspace, models):
    report = Studio.open(two_stage_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=2), "ltx")
    assert [o.status for o in report.outcomes] == ["rendered"], report.outcomes[0].message
    assert probe_clip(report.outcomes[0].clip_path).spec_problems(width=SMALL_WIDTH, height=SMALL_HEIGHT, expected_frames=210) == []
    record = report.outcomes[0].record
    assert (record.model_family, record.generation_size, record.num_inference_steps, record.guidance_scale) == (
        "ltx-2", "64x64", 8, 1.0)  # steps and guidance from the recipe's preset
    assert record.recipe == (
        f"ltx-2: two stages: 8 steps on the released schedule at 0.5 size, guidance 1; latent x2 upsample "
        f"({models['ltx-2'] / 'latent_upsampler'}); 3-step refine, guidance 1; keyframes at their frame indices "
        "(the last frame as index -1); audio dropped; later chunks conditioned on the last 9 frames of the one "
        "before at strength 0.5, overlap cross-faded")


def test_the_recipe_resolves_from_presets_and_settings(two_stage_workspace, models):
    workspace = two_stage_workspace.root

    def choice(**ltx):
        config = PipelineConfig.model_validate({"ltx_video": {"model": str(models["ltx-2"]), **ltx}})
        return resolve_model(Studio.open(workspace).workspace, config)

    two = choice(recipe="ltx-2.3-distilled")
    assert two.upsampler.local == models["ltx-2"] / "latent_upsampler"  # the model folder's own upsampler
    assert two.sampling.refine.first_stage_sigmas == LTX2_DISTILLED.refine.first_stage_sigmas
    assert choice(recipe="ltx-2.3-distilled", two_stage=False).sampling.refine is None
    assert choice().sampling.refine is None  # a folder without a recipe: one stage
    # Another step count cannot follow the released schedule: stage 1 samples evenly instead.
    assert choice(recipe="ltx-2.3-distilled", num_inference_steps=4).sampling.refine.first_stage_sigmas is None
    with pytest.raises(ConfigError, match="is a ltx-video recipe, but the model .* is ltx-2"):
        choice(recipe="ltx-video-13b-distilled")
    with pytest.raises(ConfigError, match="tokenizer has no config.json"):
        choice(recipe="ltx-2.3-distilled", upsampler=str(models["ltx-2"] / "tokenizer"))
    with pytest.raises(ConfigError, match="there is no folder .*nowhere"):
        choice(recipe="ltx-2.3-distilled", upsampler=str(models["ltx-2"] / "nowhere"))


def test_ray_workers_get_the_drivers_resolved_model_as_it_is(two_stage_workspace, models):
    studio = Studio.open(two_stage_workspace)
    script = studio.workspace.find_script(SAMPLE_TITLE)
    renderer = RayRenderer(studio.workspace, options=ClusterOptions(workers=1))
    job = renderer.job(script, script.shot(2), "ltx", studio.config)
    assert job.model == resolve_model(studio.workspace, studio.config)  # resolved once, where the job is made
    package = pickle.loads(pickle.dumps(renderer.package(job)))  # what travels to a worker
    assert (package.job.model, package.job.digest, package.job.config.ltx_video) == (
        job.model, job.digest, studio.config.ltx_video)
    assert package.job.model.upsampler.local == models["ltx-2"] / "latent_upsampler"
    assert (package.job.model.steps, package.job.model.guidance_scale) == (8, 1.0)


def test_a_shots_ltx_controls_start_from_its_render_plan(two_stage_workspace, tmp_path):
    """The page's steps, guidance, seed and switches read the plan a take of the shot would render with."""
    config = two_stage_workspace.root / "config" / "pipeline.yaml"

    def controls():
        desk = ReviewDesk(Studio.open(two_stage_workspace), VoteStore(tmp_path / "votes.db"))
        return desk.generative_controls(SAMPLE_TITLE, "shot-002")

    started = controls()
    assert (started.steps, started.guidance_scale) == (8, 1.0)  # the ltx-2.3-distilled recipe's
    config.write_text("ltx_video: {model: ltx-video-2b, seed: 7, two_stage: false}\n")
    assert controls().model_dump(include={"steps", "guidance_scale", "seed", "two_stage"}) == {
        "steps": 40, "guidance_scale": 5.0, "seed": 7, "two_stage": False}
    config.write_text("ltx_video: {model: ltx-video-2b, guidance_scale: 2.5, num_inference_steps: 20}\n")
    assert (controls().steps, controls().guidance_scale) == (20, 2.5)
    config.write_text("ltx_video: {model: no-such-preset}\n")
    with pytest.raises(ConfigError, match="no-such-preset"):
        controls()  # the page leaves its controls as they are and a render says why


LTX2_FULL = load_preset("ltx-2").sampling


def lora_state(pipe):
    """(is the refine LoRA switched on in the transformer, does the scheduler shift dynamically) right now."""
    from peft.tuners.tuners_utils import BaseTunerLayer

    layers = [m for m in pipe.transformer.modules() if isinstance(m, BaseTunerLayer)]
    return bool(layers) and not any(layer.disable_adapters for layer in layers), pipe.scheduler.config.use_dynamic_shifting


def test_the_full_ltx2_recipe_refines_with_its_distilled_lora_only_in_stage_2(models, two_stage_workspace):
    pytest.importorskip("peft")
    config = PipelineConfig.model_validate({"ltx_video": {"model": str(models["ltx-2"])}})
    config = config.model_copy(update={"ltx_video": config.ltx_video.model_copy(update={"recipe": "ltx-2"})})
    refine = resolve_model(Studio.open(two_stage_workspace).workspace, config).sampling.refine
    assert refine.lora == str(models["ltx-2"])  # the model folder holds the LoRA file, as a copy of the repo would
    states = []
    ltx2 = generator(models, "ltx-2", before=lambda pipe: states.append(lora_state(pipe)))
    sampling = LTX2_FULL.model_copy(update={"refine": refine})
    plain = ltx2.generate(request(sampling, width=64, height=64, steps=2), lambda done, total: True)
    assert states == [(False, True), (True, False)]  # stage 1: plain model, dynamic shift; stage 2: LoRA, sigmas as given
    assert lora_state(ltx2.pipeline.pipeline) == (False, True)  # switched back for whatever runs next
    first, second = ltx2.pipeline.calls
    assert (first["width"], first["guidance_scale"], second["width"], second["sigmas"], second["guidance_scale"]) == (
        32, 1.0, 64, [0.909375, 0.725, 0.421875], 1.0)
    # The LoRA changes stage 2's result; and the pipeline runs one stage afterwards exactly as a fresh one does.
    without_lora = ltx2.generate(request(sampling.model_copy(update={"refine": refine.model_copy(
        update={"lora": None})}), width=64, height=64, steps=2), lambda done, total: True)
    assert not all(np.array_equal(a, b) for a, b in zip(plain, without_lora, strict=True))
    one_stage = request(Sampling(), width=64, height=64, steps=2)
    fresh = Ltx2Generator(load_pipeline(ModelSource("tiny", models["ltx-2"]), FAMILIES["ltx-2"]))
    assert all(np.array_equal(a, b) for a, b in zip(
        ltx2.generate(one_stage, lambda done, total: True), fresh.generate(one_stage, lambda done, total: True), strict=True))


def test_a_take_can_switch_the_second_stage_off_for_a_quick_preview():
    from studio.services import TakeSettings

    preview = TakeSettings.parse(method="ltx", two_stage=False, steps=8)
    assert preview.applied_to(PipelineConfig()).ltx_video.two_stage is False
    assert preview.variant == "ltx motion 0.50 8 steps one stage"
    assert TakeSettings.parse(method="ltx").applied_to(PipelineConfig()).ltx_video.two_stage is True  # the workspace's


def test_clips_re_render_when_the_recipe_they_were_made_with_changes(small_workspace):
    from studio.services.render.plan import clip_job

    script = small_workspace.scripts()[0]
    shot = script.shots[0]
    one, two = (PipelineConfig.model_validate({"ltx_video": {"model": "some/ltx-2-model", "recipe": name}})
                for name in ("ltx-2", "ltx-2.3-distilled"))
    assert resolve_model(small_workspace, one).fingerprint() != resolve_model(small_workspace, two).fingerprint()
    digests = {method: {clip_job(small_workspace, script, shot, method, config, preset="veryfast").digest for config in (one, two)}
               for method in ("ltx", "interp")}
    assert (len(digests["ltx"]), len(digests["interp"])) == (2, 1)  # interpolation hashes ignore ltx_video