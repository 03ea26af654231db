"""LTX-Video through the real loading code, with a tiny random-weight model built and saved here."""

import numpy as np
import pytest

pytest.importorskip("diffusers")

from studio.backends.families import FAMILIES  # noqa: E402
from studio.backends.loading import load_pipeline  # noqa: E402
from studio.backends.ltx import FrameCondition, LtxGenerator, LtxRequest, frame_index_for  # noqa: E402
from studio.backends.runtime import ModelSource, check_can_load  # noqa: E402
from studio.errors import BackendUnavailableError, ConfigError  # noqa: E402
from studio.media.probe import probe_clip  # noqa: E402
from studio.services import Selection, Studio  # noqa: E402
from tests.conftest import SAMPLE_TITLE, SMALL_HEIGHT, SMALL_WIDTH, with_ltx  # noqa: E402

TINY_SETTINGS = {"width": 32, "height": 64, "num_frames": 17, "fps": 8, "num_inference_steps": 2, "seed": 7}


@pytest.fixture
def tiny_model(tiny_ltx):
    return tiny_ltx


@pytest.fixture
def ltx_workspace(small_workspace, tiny_model):
    return with_ltx(small_workspace, model=str(tiny_model), **TINY_SETTINGS)


def request(seed: int, conditions=()) -> LtxRequest:
    return LtxRequest(prompt="slow push in over the meadow", negative_prompt="blurry", width=32, height=64, num_frames=17,
                      fps=8, steps=2, guidance_scale=3.0, seed=seed, conditions=list(conditions))


def test_same_seed_same_frames_other_seed_other_frames(tiny_model):
    generator = LtxGenerator(load_pipeline(ModelSource("tiny", tiny_model), FAMILIES["ltx-video"]))
    keyframe = (np.random.default_rng(0).random((64, 32, 3)) * 255).astype(np.uint8)
    first = generator.generate(request(1, [FrameCondition(keyframe, 0, 1.0)]), lambda step, total: True)
    again = generator.generate(request(1, [FrameCondition(keyframe, 0, 1.0)]), lambda step, total: True)
    other = generator.generate(request(2, [FrameCondition(keyframe, 0, 1.0)]), lambda step, total: True)
    assert len(first) == 17 and first[0].shape == (64, 32, 3) and first[0].dtype == np.uint8
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))


def test_steps_are_reported_and_cancel_stops_denoising(tiny_model):
    generator = LtxGenerator(load_pipeline(ModelSource("tiny", tiny_model), FAMILIES["ltx-video"]))
    seen = []
    generator.generate(request(1), lambda step, total: seen.append((step, total)) or True)
    assert seen == [(1, 2), (2, 2)]
    with pytest.raises(Exception, match="cancelled"):
        generator.generate(request(1), lambda step, total: False)


def test_keyframes_are_placed_at_their_frame_indices(ltx_workspace, monkeypatch):
    captured = []
    original = LtxGenerator.generate

    def spy(self, req, on_step):
        captured.append([(c.index, c.strength, len(c.frames) if c.is_clip else 1) for c in req.conditions])
        return original(self, req, on_step)

    monkeypatch.setattr(LtxGenerator, "generate", spy)
    Studio.open(ltx_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=3), "ltx")
    # shot 3: 9 s, keyframes at 0, 4.5 and 9 s; 8 fps, 17 frames (2 s) per chunk; each later chunk starts from
    # the last 9 frames of the one before, as a clip at strength 0.5, so 8 new frames a chunk: 1 + ceil(56 / 8) chunks.
    assert len(captured) == 8 and captured[0] == [(0, 0.75, 1)]
    assert all(chunk[0] == (0, 0.5, 9) for chunk in captured[1:])
    assert all(index % 8 == 0 for chunk in captured for index, _, _ in chunk)
    assert sum(1 for chunk in captured for index, strength, _ in chunk if strength == 0.75) == 3
    assert [frame_index_for(t, 8, 17) for t in (0, 0.9, 1.0, 1.6, 2.0, 5.0)] == [0, 8, 8, 16, 16, 16]


def test_an_ltx_shot_renders_to_the_delivery_spec(ltx_workspace):
    report = Studio.open(ltx_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=2), "ltx")
    [outcome] = report.outcomes
    assert outcome.status == "rendered", outcome.message
    info = probe_clip(outcome.clip_path)
    assert info.spec_problems(width=SMALL_WIDTH, height=SMALL_HEIGHT, expected_frames=210) == []
    assert outcome.clip_path.parts[-6:-4] == ("videos", "ltx")
    record = outcome.record
    assert (record.method, record.seed, record.guidance_scale, record.source_fps, record.num_frames) == ("ltx", 7, 3.0, 8, 210)
    assert record.model.endswith("tiny-ltx") and record.generation_chunks == 6 and record.generation_size == "32x64"


def test_a_5_s_shot_in_33_frame_generations_makes_no_more_footage_than_it_needs(small_workspace, tiny_model, monkeypatch):
    from tests.conftest import edit_script

    edit_script(small_workspace, lambda data: data["shots"][1].update(duration_s=5.0))
    with_ltx(small_workspace, model=str(tiny_model), **{**TINY_SETTINGS, "num_frames": 33})
    generations = []
    original = LtxGenerator.generate
    monkeypatch.setattr(LtxGenerator, "generate",
                        lambda self, req, on_step: generations.append(req.num_frames) or original(self, req, on_step))
    [outcome] = Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=2), "ltx").outcomes
    assert outcome.status == "rendered", outcome.message
    record = outcome.record
    # 5 s at 8 fps needs 41 frames: 33, then a last chunk that shares 9 frames and adds the 8 still missing.
    assert generations == [33, 17]
    assert record.generated_frames == 41 and record.generated_frames - 41 <= 8
    assert (record.generation_frames, record.generation_chunks) == (33, 2)
    assert probe_clip(outcome.clip_path).spec_problems(width=SMALL_WIDTH, height=SMALL_HEIGHT, expected_frames=150) == []


def test_real_checkpoints_are_refused_on_a_cpu_before_loading(small_workspace):
    with pytest.raises(BackendUnavailableError, match=r"LTX-Video 0.9.x needs a CUDA GPU, and this machine has none \(model "
                                                      "Lightricks/LTX-Video:"):
        check_can_load(ModelSource("Lightricks/LTX-Video", None), FAMILIES["ltx-video"], cuda=False)
    # Each family's refusal names the family and its own reason.
    with pytest.raises(BackendUnavailableError, match="AnimateDiff v2 .* needs a CUDA GPU, .*: SD 1.5 with a motion module"):
        check_can_load(ModelSource("emilianJR/epiCRealism", None), FAMILIES["animatediff"], cuda=False)
    (small_workspace.root / "config" / "pipeline.yaml").write_text("ltx_video: {model: ltx-video-13b}\n")
    with pytest.raises(BackendUnavailableError, match=r"needs a CUDA GPU, and this machine has none \(model "
                                                      "Lightricks/LTX-Video-0.9.7-dev:"):
        Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE), "ltx")


def test_a_folder_without_weights_names_the_fix(small_workspace, tmp_path):
    (tmp_path / "empty").mkdir()
    (small_workspace.root / "config" / "pipeline.yaml").write_text(f"ltx_video: {{model: '{tmp_path / 'empty'}'}}\n")
    with pytest.raises(ConfigError, match="has no model_index.json"):
        Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE), "ltx")


def test_an_ltx_take_with_its_own_controls_then_a_blind_pair_against_interpolation(ltx_workspace, tmp_path):
    from studio.services import ReviewDesk, TakeSettings
    from studio.store import VoteStore

    desk = ReviewDesk(Studio.open(ltx_workspace), VoteStore(tmp_path / "votes.db"))
    ltx = desk.render_take(SAMPLE_TITLE, "shot-004", TakeSettings.parse(method="ltx", guidance_scale=4.0, steps=3, seed=11, preset="ultrafast"), who="op")
    interp = desk.render_take(SAMPLE_TITLE, "shot-004", TakeSettings.parse(preset="ultrafast"), who="op")
    assert ltx.variant == "ltx motion 0.50 cfg 4 3 steps"
    assert (ltx.record["seed"], ltx.record["guidance_scale"], ltx.record["num_inference_steps"]) == (11, 4.0, 3)
    dealt = desk.deal("Ana")
    pair, left, right = dealt.pair, dealt.left, dealt.right
    desk.vote("Ana", pair.token, "left" if left.method == "ltx" else "right", [])
    [interp_rate, ltx_rate] = desk.results().by_method
    assert (ltx_rate.label, ltx_rate.wins, interp_rate.wins) == ("ltx", 1.0, 0.0)
    assert {left.id, right.id} == {ltx.id, interp.id}


def test_nan_frames_fail_the_shot_with_a_message_and_the_rest_still_render(ltx_workspace):
    import torch

    studio = Studio.open(ltx_workspace)
    source = ModelSource(str(studio.config.ltx_video.model), __import__("pathlib").Path(studio.config.ltx_video.model))
    # The renderer's cache key for a model without components is its label (ResolvedModel.load_key).
    pipe = studio.renderer.models.get(source.label, lambda: load_pipeline(source, FAMILIES["ltx-video"]))
    saved = {name: p.detach().clone() for name, p in pipe.transformer.named_parameters()}
    with torch.no_grad():
        next(pipe.transformer.parameters()).fill_(float("nan"))  # a broken checkpoint
    try:
        report = studio.generate(Selection(title_id=SAMPLE_TITLE, shot_number=4), "ltx")
    finally:
        with torch.no_grad():
            for name, parameter in pipe.transformer.named_parameters():
                parameter.copy_(saved[name])
    [outcome] = report.outcomes
    assert outcome.status == "failed" and "the model produced NaN frames" in outcome.message
    assert not outcome.clip_path.exists()
    assert studio.generate(Selection(title_id=SAMPLE_TITLE, shot_number=4), "ltx").outcomes[0].status == "rendered"


@pytest.mark.parametrize(("threshold", "rerolls", "static"), [(1e9, 2, True), (0.0, 0, False)])
def test_near_static_results_are_reported_and_rerolled(ltx_workspace, tiny_model, monkeypatch, threshold, rerolls, static):
    import studio.backends.runtime as runtime

    monkeypatch.setattr(runtime, "NEAR_STATIC_MOTION", threshold)  # everything frozen / nothing frozen
    with_ltx(ltx_workspace, model=str(tiny_model), **TINY_SETTINGS, reroll_static=2)
    [outcome] = Studio.open(ltx_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=5), "ltx").outcomes
    record = outcome.record
    assert outcome.status == "rendered"
    assert (record.rerolls, record.seed, record.near_static) == (rerolls, 7 + 1000 * rerolls, static)


def test_stable_video_diffusion_renders_a_shot_to_spec(small_workspace, tmp_path_factory):
    from studio.testing.tiny import build_tiny_svd

    model = build_tiny_svd(tmp_path_factory.mktemp("svd"))
    (small_workspace.root / "config" / "pipeline.yaml").write_text(
        f"video: {{width: {SMALL_WIDTH}, height: {SMALL_HEIGHT}, preset: ultrafast}}\n"
        f"ltx_video: {{model: '{model}', width: 32, height: 64, num_frames: 6, fps: 6, num_inference_steps: 2,"
        " seed: 3, motion_bucket_id: 90, noise_aug_strength: 0.05, decode_chunk_size: 2}\n"
    )
    [outcome] = Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=4), "ltx").outcomes
    assert outcome.status == "rendered", outcome.message
    assert probe_clip(outcome.clip_path).spec_problems(width=SMALL_WIDTH, height=SMALL_HEIGHT, expected_frames=210) == []
    record = outcome.record
    assert (record.model_family, record.motion_bucket_id, record.seed, record.source_fps) == ("stable-video-diffusion", 90, 3, 6)
    assert record.generation_frames == 6 and record.generation_chunks == 9  # 7 s at 6 fps, 5 new frames a chunk


def test_the_scripts_style_and_a_shots_own_reach_the_prompt_and_the_input_hash(ltx_workspace, monkeypatch):
    from studio.services.render.canonical import canonical_clip
    from tests.conftest import edit_script

    prompts = []
    original = LtxGenerator.generate
    monkeypatch.setattr(LtxGenerator, "generate", lambda self, req, on_step: prompts.append(req.prompt) or original(self, req, on_step))

    def styled(data):
        data["style"] = "Soft watercolour look"
        data["shots"][1]["style"] = "grainy 16 mm film."

    studio = Studio.open(ltx_workspace)
    studio.generate(Selection(title_id=SAMPLE_TITLE, shot_number=2), "ltx")
    script = ltx_workspace.find_script(SAMPLE_TITLE)
    assert canonical_clip(ltx_workspace, script, script.shot(2), "ltx", studio.config).status == "current"
    edit_script(ltx_workspace, styled)
    script = ltx_workspace.find_script(SAMPLE_TITLE)
    assert [script.style_of(shot) for shot in script.shots[:3]] == [
        "Soft watercolour look", "grainy 16 mm film.", "Soft watercolour look"]
    assert canonical_clip(ltx_workspace, script, script.shot(2), "ltx", studio.config).status == "out_of_date"
    prompts.clear()
    report = studio.generate(Selection(title_id=SAMPLE_TITLE, shot_number=1), "ltx")
    assert report.outcomes[0].status == "rendered"
    assert prompts and all("vertical 9:16 framing, Soft watercolour look, natural motion" in p for p in prompts)
    studio.generate(Selection(title_id=SAMPLE_TITLE, shot_number=2), "ltx")
    assert "vertical 9:16 framing, grainy 16 mm film, natural motion" in prompts[-1]
