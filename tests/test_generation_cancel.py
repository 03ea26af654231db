"""A cancel during denoising is a typed Cancelled, raised from the step callback, in every family."""

import numpy as np
import pytest

pytest.importorskip("diffusers")

from studio.backends.base import ShotGeneration, TimedKeyframe  # noqa: E402
from studio.backends.families import video_generator  # noqa: E402
from studio.backends.loading import load_pipeline  # noqa: E402
from studio.backends.runtime import ModelSource  # noqa: E402
from studio.backends.families import FAMILIES  # noqa: E402
from studio.domain.generation import plan_generation  # noqa: E402
from studio.errors import Cancelled  # noqa: E402


@pytest.fixture(scope="module")
def tiny_svd(tmp_path_factory):
    from studio.testing.tiny import build_tiny_svd

    return build_tiny_svd(tmp_path_factory.mktemp("svd"))


@pytest.mark.parametrize("family_name", list(FAMILIES))
def test_a_cancel_in_any_family_raises_cancelled_at_the_step(request, family_name):
    fixture = {"ltx-video": "tiny_ltx", "ltx-2": "tiny_ltx2", "stable-video-diffusion": "tiny_svd",
               "animatediff-sparsectrl": "tiny_animatediff", "animatediff": "tiny_animatediff",
               "wan-flf2v": "tiny_wan_flf2v"}[family_name]
    folder = request.getfixturevalue(fixture)
    folder = folder[family_name] if isinstance(folder, dict) else folder
    family = FAMILIES[family_name]
    generator = video_generator(load_pipeline(ModelSource("tiny", folder), family), family)
    plan = plan_generation(1.0, width=64, height=64, max_frames=9, fps=8, frame_step=family.frame_step,
                           one_generation=family.one_generation, size_multiple=family.size_multiple,
                           overlap_frames=family.overlap_frames)
    keyframe = np.full((plan.height, plan.width, 3), 128, np.uint8)
    steps = []
    with pytest.raises(Cancelled, match="cancelled during generation"):
        generator.generate_shot(ShotGeneration(plan=plan, prompt="a meadow", negative_prompt="", steps=3,
                                               keyframes=(TimedKeyframe(keyframe, 0.0), TimedKeyframe(keyframe, 1.0)), guidance_scale=1.0,
                                               seed=1),
                                lambda done, total: steps.append(done) or done < 2)
    assert steps == [1, 2]  # stopped at the step that said so, not after the whole denoising loop
