import pytest

from studio.domain.generation import legal_frames, legal_size, plan_generation


def test_legal_sizes_and_frames():
    assert legal_size(480, 832) == (480, 832)
    assert legal_size(1080, 1920) == (704, 1280)  # capped at 1280 high, 9:16-ish
    assert legal_size(500, 850) == (512, 864)
    assert legal_size(0, 100) == (64, 96)
    assert [legal_frames(n) for n in (1, 9, 10, 17, 120, 121, 300)] == [9, 9, 17, 17, 121, 121, 257]


@pytest.mark.parametrize("duration_s", [d / 2 for d in range(4, 41)])  # 2 s to 20 s in half seconds
def test_every_duration_from_2_to_20_s_is_covered_legally(duration_s):
    plan = plan_generation(duration_s, width=480, height=832, max_frames=121, fps=24)
    assert plan.width % 32 == 0 and plan.height % 32 == 0
    assert (plan.num_frames - 1) % 8 == 0 and 9 <= plan.num_frames <= 121
    assert plan.covered_s >= duration_s  # the footage is long enough to retime, never stretched
    assert plan.covered_s - duration_s < (plan.num_frames - 1) / plan.fps  # and no chunk more than needed
    assert plan.output_frames == round(duration_s * 30)


def test_a_long_shot_extends_in_chunks():
    plan = plan_generation(12, width=480, height=832, max_frames=121, fps=24)
    assert (plan.num_frames, plan.chunks) == (121, 3)
    short = plan_generation(3, width=480, height=832, max_frames=121, fps=24)
    assert (short.num_frames, short.chunks) == (73, 1)


@pytest.mark.parametrize("duration_s", [d / 2 for d in range(4, 41)])
def test_overlapping_chunks_still_cover_every_duration(duration_s):
    plan = plan_generation(duration_s, width=480, height=832, max_frames=121, fps=24, overlap_frames=9)
    assert plan.covered_s >= duration_s
    assert plan.covered_s - duration_s < plan.new_frames_per_chunk / plan.fps
    assert plan.overlap_frames == (9 if plan.chunks > 1 else 1)


def test_an_overlap_leaves_each_chunk_at_least_8_new_frames():
    plan = plan_generation(12, width=480, height=832, max_frames=121, fps=24, overlap_frames=9)
    assert (plan.num_frames, plan.chunks, plan.new_frames_per_chunk) == (121, 3, 112)  # 289 frames: 121 + 2 x 112
    tight = plan_generation(12, width=480, height=832, max_frames=17, fps=8, overlap_frames=16)
    assert (tight.overlap_frames, tight.new_frames_per_chunk) == (9, 8)
