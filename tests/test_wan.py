"""Wan 2.1 FLF2V through the studio's real loading and rendering, with a tiny random-weight model built here."""

import functools

import numpy as np
import pytest

pytest.importorskip("diffusers")
pytest.importorskip("ftfy")

from studio.backends.base import ShotGeneration, TimedKeyframe  # noqa: E402
from studio.backends.loading import load_pipeline  # noqa: E402
from studio.backends.runtime import ModelSource, check_can_load  # noqa: E402
from studio.backends.wan import WanFlf2vGenerator  # noqa: E402
from studio.backends.families import FAMILIES, family_of_repo  # noqa: E402
from studio.domain.generation import GenerationPlan  # noqa: E402
from studio.errors import BackendUnavailableError, RenderError  # noqa: E402
from studio.media.images import fit_to_frame, load_keyframe  # noqa: E402
from studio.media.probe import probe_clip  # noqa: E402
from studio.services import Selection, Studio  # noqa: E402
from studio.services.render import generative  # noqa: E402
from tests.conftest import SAMPLE_TITLE, SMALL_HEIGHT, SMALL_WIDTH, with_ltx  # noqa: E402

TINY = {"width": 32, "height": 64, "num_frames": 17, "fps": 8, "num_inference_steps": 2, "seed": 7}
WAN = FAMILIES["wan-flf2v"]


@pytest.fixture
def wan_workspace(small_workspace, tiny_wan_flf2v):
    return with_ltx(small_workspace, model=str(tiny_wan_flf2v), **TINY)


@pytest.fixture
def pipeline_calls(monkeypatch):
    """Every WanImageToVideoPipeline call's keyword arguments, the real pipeline still running (the wrapper keeps its
    signature, which the studio checks)."""
    from diffusers import WanImageToVideoPipeline

    calls = []
    original = WanImageToVideoPipeline.__call__

    @functools.wraps(original)
    def spy(self, *args, **kwargs):
        calls.append(kwargs)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(WanImageToVideoPipeline, "__call__", spy)
    return calls


def fitted_keyframes(workspace, shot_number: int, size: tuple[int, int]) -> list[np.ndarray]:
    """The shot's keyframes as the renderer hands them to the generator: fitted to the generation size."""
    script = workspace.find_script(SAMPLE_TITLE)
    paths = workspace.keyframe_paths(script, script.shot(shot_number))
    return [fit_to_frame(load_keyframe(path), size) for path in paths]


def test_a_wan_shot_renders_to_the_delivery_spec(wan_workspace):
    [outcome] = Studio.open(wan_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=2), "ltx").outcomes
    assert outcome.status == "rendered", outcome.message
    info = probe_clip(outcome.clip_path)
    assert info.spec_problems(width=SMALL_WIDTH, height=SMALL_HEIGHT, expected_frames=210) == []
    record = outcome.record
    # 7 s in one generation of 17 frames (the most the settings allow), spread over the shot: 16/7 fps.
    assert (record.model_family, record.generation_size, record.generation_frames, record.generation_chunks) == (
        "wan-flf2v", "32x64", 17, 1)
    assert (record.source_fps, record.seed) == (pytest.approx(16 / 7), 7)
    assert "first keyframe (image) to its last (last_image)" in record.recipe and "flow shift 16" in record.recipe


def test_the_first_and_last_keyframes_are_the_first_and_last_frame_and_a_middle_one_is_unused(wan_workspace,
                                                                                                 pipeline_calls):
    [outcome] = Studio.open(wan_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=3), "ltx").outcomes
    assert outcome.status == "rendered", outcome.message
    first, middle, last = fitted_keyframes(wan_workspace, 3, (32, 64))  # shot 3: 9 s, keyframes at 0, 4.5 and 9 s
    [call] = pipeline_calls
    assert np.array_equal(np.asarray(call["image"]), first) and np.array_equal(np.asarray(call["last_image"]), last)
    assert not any(np.array_equal(np.asarray(value), middle) for value in call.values() if hasattr(value, "size"))
    # The generation is the whole shot: its first frame at 0 s, its last (last_image) at the shot's end, 9 s.
    assert (call["num_frames"], outcome.record.generated_frames) == (17, 17)
    assert (outcome.record.generated_frames - 1) / outcome.record.source_fps == pytest.approx(9.0)


def test_a_shot_longer_than_one_generation_at_16_fps_is_still_one_generation_between_its_keyframes(
        small_workspace, tiny_wan_flf2v, pipeline_calls):
    # At the preset's 16 fps, 81 frames hold 5 s; shot 5 is 10 s: one generation of 81 frames at 8 fps, not chunks
    # whose first would have no last frame to end on.
    with_ltx(small_workspace, model=str(tiny_wan_flf2v), **{**TINY, "num_frames": 81, "fps": 16})
    [outcome] = Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=5), "ltx").outcomes
    assert outcome.status == "rendered", outcome.message
    first, last = fitted_keyframes(small_workspace, 5, (32, 64))
    assert [(np.array_equal(np.asarray(call["image"]), first), np.array_equal(np.asarray(call["last_image"]), last),
             call["num_frames"]) for call in pipeline_calls] == [(True, True, 81)]
    assert (outcome.record.generation_chunks, outcome.record.source_fps) == (1, 8.0)


def test_a_plan_of_several_generations_is_refused_at_the_one_that_would_end_on_no_keyframe(tiny_wan_flf2v,
                                                                                         pipeline_calls):
    generator = WanFlf2vGenerator(load_pipeline(ModelSource("tiny", tiny_wan_flf2v), WAN))
    keyframe = np.full((64, 32, 3), 128, np.uint8)
    chunked = GenerationPlan(32, 64, (9, 9), 8, 60, 1)  # two chunks continuing each other, as LTX plans a 2 s shot
    request = ShotGeneration(plan=chunked, prompt="a meadow", negative_prompt="", steps=2, guidance_scale=5.5, seed=1,
                             keyframes=(TimedKeyframe(keyframe, 0.0), TimedKeyframe(keyframe, 2.0)))
    with pytest.raises(RenderError, match=r"generation 1 of this shot ends at 1.00 s, where the shot has none \(its "
                                          r"last keyframe is at 2.00 s\)"):
        generator.generate_shot(request, lambda done, total: True)
    assert pipeline_calls == []  # refused before any denoising


def test_a_one_keyframe_shot_fails_with_the_fix_and_the_same_seed_gives_the_same_frames(wan_workspace, tiny_wan_flf2v):
    [outcome] = Studio.open(wan_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=4), "ltx").outcomes
    assert outcome.status == "failed" and "has one keyframe: add a last keyframe" in outcome.message
    generator = WanFlf2vGenerator(load_pipeline(ModelSource("tiny", tiny_wan_flf2v), WAN))
    rng = np.random.default_rng(0)
    first, last = ((rng.random((64, 32, 3)) * 255).astype(np.uint8) for _ in range(2))
    plan = GenerationPlan(32, 64, (9,), 8, 30, 1)

    def frames(seed: int) -> list[np.ndarray]:
        return generator.generate_shot(ShotGeneration(
            plan=plan, prompt="a meadow", negative_prompt="", keyframes=(TimedKeyframe(first, 0.0), TimedKeyframe(last, 1.0)), steps=2,
            guidance_scale=5.5, seed=seed), lambda done, total: True).frames

    one, again, other = frames(1), frames(1), frames(2)
    assert len(one) == 9 and one[0].shape == (64, 32, 3) and one[0].dtype == np.uint8
    assert all(np.array_equal(a, b) for a, b in zip(one, again))
    assert not all(np.array_equal(a, b) for a, b in zip(one, other))


def test_the_released_repo_is_refused_on_a_cpu_before_loading_with_the_familys_reason(small_workspace, monkeypatch):
    repo = "Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers"
    assert family_of_repo(repo) is WAN
    with pytest.raises(BackendUnavailableError, match=rf"Wan 2.1 FLF2V needs a CUDA GPU, and this machine has none "
                                                      rf"\(model {repo}: it needs a large GPU, for a 14B-parameter "
                                                      "transformer of about 28 GB in bf16 beside the UMT5-XXL text "
                                                      "encoder"):
        check_can_load(ModelSource(repo, None), WAN, cuda=False)
    monkeypatch.setattr(generative, "load_pipeline", lambda *a, **k: pytest.fail("weights were loaded"))
    (small_workspace.root / "config" / "pipeline.yaml").write_text("ltx_video: {model: wan-2.1-flf2v}\n")
    with pytest.raises(BackendUnavailableError, match=rf"Wan 2.1 FLF2V needs a CUDA GPU.*\(model {repo}: .*76.7 GB "):
        Studio.open(small_workspace).generate(Selection(title_id=SAMPLE_TITLE), "ltx")


def test_without_ftfy_the_family_is_refused_before_loading_even_on_a_gpu(monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ftfy" else find_spec(name, *a))
    with pytest.raises(BackendUnavailableError, match=r"Wan 2.1 FLF2V needs ftfy, which is not installed: run `pip "
                                                      r"install -r requirements.txt`"):
        check_can_load(ModelSource("Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers", None), WAN, cuda=True)
