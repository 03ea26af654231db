"""Status lines say what happened: no cancel note without a render, no frozen progress after a refusal."""

import pytest

gradio_client = pytest.importorskip("gradio_client")

from types import SimpleNamespace  # noqa: E402

from studio.errors import StudioError  # noqa: E402
from studio.services import FrameCounter  # noqa: E402
from studio.services.access import AccessRules, Caller, RenderQueue  # noqa: E402
from studio.ui.background import (  # noqa: E402
    CANCELLED_NOTE,
    NOTHING_TO_CANCEL,
    Cancels,
    cancel_click,
    refusal_in_status,
    render_progress,
)
from studio.ui.identity import Gate  # noqa: E402
from tests.conftest import SAMPLE_TITLE  # noqa: E402
from tests.test_app import served  # noqa: E402,F401 - the launched-app fixture


def test_cancel_reaches_only_the_work_of_its_own_page_and_tab():
    cancels = Cancels()
    ana, ola = SimpleNamespace(session_hash="ana"), SimpleNamespace(session_hash="ola")
    on_cancel = cancel_click(cancels, "library")
    assert on_cancel(ana) == NOTHING_TO_CANCEL  # nothing running: it says so
    with cancels.watch(ana, "library") as rendering, cancels.watch(ana, "assemble") as assembling, \
            cancels.watch(ola, "library") as other:
        assert not isinstance(on_cancel(ana), str)  # the render ends its own status line
        assert rendering.cancelled and not assembling.cancelled and not other.cancelled
    assert on_cancel(ana) == NOTHING_TO_CANCEL and not cancels.cancel(ola, "library")  # finished work is forgotten


def test_a_cancel_while_queued_leaves_the_line_and_the_page_says_cancelled():
    gate, someone = Gate(AccessRules(), RenderQueue()), Caller(name="ana", is_operator=False)
    with gate.line.place(Caller(name="ola", is_operator=False), "ola"), gate.cancels.watch(None, "library") as token:
        assert gate.line.try_turn(0)  # Ola's render holds the turn
        def render():
            yield from gate.in_line(someone, None, iter(["never started"]), lambda ahead: {"status": f"{ahead} ahead"},
                                    token)

        queued = refusal_in_status(render, "status", "Not rendered")()
        assert next(queued) == {"status": "1 ahead"}
        token.cancel()
        assert list(queued) == [{"status": CANCELLED_NOTE}]
        assert gate.line.waiting() == 1  # only Ola's
        gate.line.end_turn()


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
