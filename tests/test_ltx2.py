"""LTX-2.x through LTX2ConditionPipeline, with a tiny random-weight pipeline built and saved here, loaded by path."""

import numpy as np
import pytest

pytest.importorskip("diffusers")

from studio.backends.base import ShotGeneration, TimedKeyframe  # noqa: E402
from studio.backends.ltx import Ltx2Generator  # noqa: E402
from studio.backends.loading import load_pipeline  # noqa: E402
from studio.backends.runtime import ModelSource  # noqa: E402
from studio.backends.families import FAMILIES  # noqa: E402
from studio.domain.generation import plan_generation  # noqa: E402
from studio.media.probe import probe_clip  # noqa: E402
from studio.services import Selection, Studio  # noqa: E402
from tests.conftest import SAMPLE_TITLE, SMALL_HEIGHT, SMALL_WIDTH, real_photo, with_ltx  # noqa: E402


@pytest.fixture
def ltx2_workspace(small_workspace, tiny_ltx2):
    return with_ltx(small_workspace, model=str(tiny_ltx2), width=64, height=64, num_frames=17, fps=4,
                    num_inference_steps=2, guidance_scale=1.0, seed=7)


def request(seed: int, keyframes=(), duration_s: float = 2.0, overlap_frames: int = 1) -> ShotGeneration:
    plan = plan_generation(duration_s, width=64, height=64, max_frames=17, fps=8, size_multiple=64,
                           overlap_frames=overlap_frames)
    return ShotGeneration(plan=plan, prompt="slow push in over the meadow", negative_prompt="blurry", keyframes=keyframes,
                          steps=2, guidance_scale=1.0, seed=seed)


def test_a_tiny_ltx2_pipeline_loads_by_path_and_the_seed_decides_the_frames(tiny_ltx2):
    generator = Ltx2Generator(load_pipeline(ModelSource("tiny", tiny_ltx2), FAMILIES["ltx-2"]))
    first = generator.generate_shot(request(3), lambda step, total: True)
    again = generator.generate_shot(request(3), lambda step, total: True)
    other = generator.generate_shot(request(4), lambda step, total: True)
    assert len(first.frames) == 17 and first.frames[0].shape == (64, 64, 3)  # 2 s at 8 fps, one 8n+1 chunk
    assert all(np.array_equal(a, b) for a, b in zip(first.frames, again.frames, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first.frames, other.frames, strict=True))


def test_first_and_last_keyframes_condition_latent_0_and_the_last_latent(tiny_ltx2, monkeypatch):
    seen = []
    original = Ltx2Generator.generate

    def spy(self, req, on_step):
        seen.append([(c.index, c.strength) for c in req.conditions])
        return original(self, req, on_step)

    monkeypatch.setattr(Ltx2Generator, "generate", spy)
    keyframe = real_photo("forest", 64)[:64]
    generator = Ltx2Generator(load_pipeline(ModelSource("tiny", tiny_ltx2), FAMILIES["ltx-2"]))
    assert generator.pipeline.vae_temporal_compression_ratio == 2  # the tiny VAE; released LTX-2 VAEs use 8
    generator.generate_shot(request(1, tuple(TimedKeyframe(keyframe, t) for t in (0.0, 1.0, 2.0))), lambda step, total: True)
    # LTX2VideoCondition.index counts latent frames: A at 0, the middle one (pixel frame 8) at latent 8 / 2 = 4,
    # A_end as -1.
    assert seen == [[(0, 1.0), (4, 1.0), (-1, 1.0)]]


def test_an_ltx2_shot_renders_to_spec_with_metadata_naming_the_model_and_recipe(ltx2_workspace, tiny_ltx2):
    report = Studio.open(ltx2_workspace).generate(Selection(title_id=SAMPLE_TITLE, shot_number=2), "ltx")
    assert [o.status for o in report.outcomes] == ["rendered"], report.outcomes[0].message
    clip = report.outcomes[0].clip_path
    assert probe_clip(clip).spec_problems(width=SMALL_WIDTH, height=SMALL_HEIGHT, expected_frames=210) == []  # no audio track either
    record = report.outcomes[0].record
    assert (record.model, record.model_family, record.generation_size, record.generation_frames) == (
        str(tiny_ltx2), "ltx-2", "64x64", 17)
    assert record.generation_chunks == 3  # 7 s at 4 fps needs 29 frames: 17, then 8 new a chunk after a 9-frame overlap
    assert record.recipe.startswith(
        "ltx-2: one stage, 2 steps, guidance 1; keyframes at their frame indices (the last frame as index -1)")
    assert "audio dropped" in record.recipe and record.seed == 7


def test_a_long_shot_continues_over_a_9_frame_overlap_that_is_cross_faded(tiny_ltx2, monkeypatch):
    chunks = []
    original = Ltx2Generator.generate

    def keep(self, req, on_step):
        chunks.append((req.conditions, original(self, req, on_step)))
        return chunks[-1][1]

    monkeypatch.setattr(Ltx2Generator, "generate", keep)
    generator = Ltx2Generator(load_pipeline(ModelSource("tiny", tiny_ltx2), FAMILIES["ltx-2"]))
    footage = generator.generate_shot(request(5, duration_s=3.0, overlap_frames=9), lambda step, total: True).frames
    (_, first), (conditions, second) = chunks
    assert len(footage) == 17 + 8  # 3 s at 8 fps: 25 frames, the second chunk adding 8 after its 9 shared ones
    tail = conditions[0]
    assert (len(tail.frames), tail.index, tail.strength) == (9, 0, 0.5)
    assert all(np.array_equal(a, b) for a, b in zip(tail.frames, first[8:]))
    middle = footage[12]  # the fifth shared frame: half the old chunk, half the new
    expected = (first[12].astype(np.float32) * 0.5 + second[4].astype(np.float32) * 0.5)
    assert np.abs(middle.astype(np.float32) - expected).max() <= 1.0
    assert all(np.array_equal(a, b) for a, b in zip(footage[17:], second[9:]))
