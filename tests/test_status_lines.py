"""Status lines say what happened: no cancel note without a render, no frozen progress after a refusal."""

import pytest

gradio_client = pytest.importorskip("gradio_client")

from studio.errors import StudioError  # noqa: E402
from studio.services import FrameCounter  # noqa: E402
from studio.ui.assemble import ASSEMBLY_CANCELLED  # noqa: E402
from studio.ui.background import (  # noqa: E402
    CANCELLED_NOTE, NOTHING_TO_CANCEL, cancel_note, refusal_in_status, render_progress,
)
from tests.conftest import SAMPLE_TITLE  # noqa: E402
from tests.test_app import served  # noqa: E402,F401 - the launched-app fixture


def test_cancel_speaks_of_clips_only_when_work_was_under_way():
    shown = ["", None, "Take `x` rendered in 2.0 s.", "Script done: 6 rendered, 0 skipped (up to date), 0 failed.",
             "Rendering… 12/240 frames (5%)", "Rendering the script… shot 2, 30% of all frames",
             "Queued: 1 render(s) ahead of this one; it starts when they finish (Cancel leaves the queue).",
             "Starting the render…"]
    assert [cancel_note(line) for line in shown] == [NOTHING_TO_CANCEL] * 4 + [CANCELLED_NOTE] * 4
    assert cancel_note("Assembling… 40% (fitting shot clips)", ASSEMBLY_CANCELLED) == ASSEMBLY_CANCELLED
    assert cancel_note("1080x1920, 30.00 s, joined by stream copy", ASSEMBLY_CANCELLED) == NOTHING_TO_CANCEL


def test_the_progress_line_says_starting_until_frames_are_planned():
    counter = FrameCounter()
    assert render_progress(counter) == "Starting the render…"
    counter.shot_started("shot-001", 240)
    counter.frames_done(24)
    assert render_progress(counter) == "Rendering… 24/240 frames (10%)"


def test_a_refusal_on_the_page_ends_the_status_line_with_its_reason():
    def render():
        yield {"status": "Starting the render…"}
        raise StudioError("LTX-Video needs a CUDA GPU")

    assert list(refusal_in_status(render, "status", "Not rendered")()) == [
        {"status": "Starting the render…"}, {"status": "**Not rendered:** LTX-Video needs a CUDA GPU"}]


def test_an_unavailable_method_is_refused_before_any_progress(served):  # noqa: F811
    desk, _, client = served
    job = client.submit(SAMPLE_TITLE, "shot-004", "ltx", 0.5, True, "ultrafast", 3.0, 8, 42, "Ola", True,
                        api_name="/render_shot")
    with pytest.raises(gradio_client.exceptions.AppError, match="needs a CUDA GPU"):
        job.result()
    assert [out for out in job.outputs() if "Rendering" in str(out)] == []
    assert desk.ltx_unavailable().startswith("needs a CUDA GPU, and this machine has none")
