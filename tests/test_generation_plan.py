import math

import pytest

from studio.domain.families import FRAME_STEPS
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
    assert plan.covered_s - duration_s < (plan.num_frames - plan.overlap_frames) / plan.fps
    assert plan.overlap_frames == (9 if plan.chunks > 1 else 1)


def test_an_overlap_leaves_each_chunk_at_least_8_new_frames():
    plan = plan_generation(12, width=480, height=832, max_frames=121, fps=24, overlap_frames=9)
    assert (plan.chunk_frames, plan.generated_frames) == ((121, 121, 65), 289)  # 121 + 112 + 56 new frames
    tight = plan_generation(12, width=480, height=832, max_frames=17, fps=8, overlap_frames=16)
    assert tight.overlap_frames == 9 and all(frames - 9 == 8 for frames in tight.chunk_frames)


@pytest.mark.parametrize(("frame_rule", "max_frames", "overlap"), [("8n+1", 33, 9), ("8n+1", 121, 9), ("4n+1", 21, 1),
                                                                    ("any", 25, 1), ("window", 16, 4)])
@pytest.mark.parametrize("duration_s", [d / 2 for d in range(4, 25)])
def test_only_the_last_chunk_is_short_and_it_is_the_shortest_legal_one_that_covers_the_rest(frame_rule, max_frames, overlap, duration_s):
    step = FRAME_STEPS[frame_rule]  # legal frame counts go up in steps of 8 (8n+1), 4 (4n+1) or 1
    plan = plan_generation(duration_s, width=480, height=832, max_frames=max_frames, fps=8, overlap_frames=overlap,
                           frame_step=step)
    needed = math.ceil(duration_s * 8) + 1
    assert plan.generated_frames >= needed
    assert plan.generated_frames - needed < step  # a legal count one step shorter would leave frames uncovered
    assert all(frames == plan.num_frames for frames in plan.chunk_frames[:-1])
    spans = plan.chunk_spans
    assert spans[0].start_frame == 0 and spans[-1].start_frame + spans[-1].num_frames == plan.generated_frames
    assert all(later.start_frame == earlier.start_frame + earlier.num_frames - plan.overlap_frames
               for earlier, later in zip(spans, spans[1:]))


def test_a_10_s_shot_at_24_fps_generates_241_frames_not_345():
    plan = plan_generation(10, width=480, height=832, max_frames=121, fps=24, overlap_frames=9)
    assert plan.chunk_frames == (121, 121, 17) and plan.generated_frames == 241  # 10 s at 24 fps: 241 frames


def test_4n_plus_1_counts_for_wan_and_a_one_generation_shot_spreads_its_frames_exactly_over_the_shot():
    assert [legal_frames(n, 4, 81) for n in (1, 5, 6, 9, 80, 81, 82)] == [5, 5, 9, 9, 81, 81, 81]
    wan = {"width": 720, "height": 1280, "max_frames": 81, "fps": 16, "frame_step": 4, "size_multiple": 16}
    plans = {seconds: plan_generation(seconds, one_generation=True, **wan) for seconds in (4.5, 4.9, 5, 8, 10, 12)}
    # The generation's first frame is the shot's start and its last the shot's end (where the last keyframe goes):
    # 81 frames at 16 fps hold 5 s; a longer shot gets its 81 frames at a lower rate, a shorter one the fewest 4n+1.
    assert {seconds: (plan.chunk_frames, plan.fps) for seconds, plan in plans.items()} == {
        4.5: ((73,), 16.0), 4.9: ((81,), 80 / 4.9), 5: ((81,), 16.0), 8: ((81,), 10.0), 10: ((81,), 8.0),
        12: ((81,), 80 / 12)}
    assert all(plan.covered_s == pytest.approx(seconds) and (plan.width, plan.height) == (720, 1280)
               for seconds, plan in plans.items())
    chunked = plan_generation(10, **wan)  # without the rule: chunks at the model's rate, each continuing the last
    assert (chunked.fps, chunked.chunk_frames, chunked.generated_frames) == (16, (81, 81), 161)
