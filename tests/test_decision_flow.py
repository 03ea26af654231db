"""The decision workflow end to end: a comparison set rendered with both methods (the tiny LTX model), simulated
reviewers voting through gradio_client until the recommendation appears, then Apply."""

import random

import pytest

gradio_client = pytest.importorskip("gradio_client")

from studio.services import ReviewDesk, Selection, Studio  # noqa: E402
from studio.services.comparison import choose_set, render_set  # noqa: E402
from studio.store import VoteStore  # noqa: E402
from tests.conftest import SAMPLE_TITLE, with_ltx  # noqa: E402
from tests.serving import launched  # noqa: E402

TINY = {"width": 32, "height": 64, "num_frames": 17, "fps": 8, "num_inference_steps": 2, "seed": 7}
PREFERS_LTX = 0.85  # each simulated reviewer picks the LTX take this often
REVIEWERS = [f"Reviewer {n:02d}" for n in range(1, 17)]


def test_simulated_reviewers_reach_a_recommendation_and_apply_it(small_workspace, tiny_ltx, tmp_path):
    with_ltx(small_workspace, model=str(tiny_ltx), **TINY)
    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))
    choose_set(desk, "pilot", 7)
    assert render_set(desk, "pilot", who="operator").rendered == 14
    rng = random.Random(11)
    with launched(desk) as url:
        # The simulated reviewers read the pair from the store, so the clips are not downloaded (a third of a second
        # a round).
        client = gradio_client.Client(url, verbose=False, download_files=False)
        votes = 0
        while desk.results().recommendation is None and votes < 200:
            dealt = 0
            for name in REVIEWERS:
                token, *_ = client.predict(name, "decide", api_name="/next_pair")
                if not token:
                    continue  # this reviewer has judged every pair
                dealt += 1
                pair = desk.store.pair(token)  # the simulation's stand-in for what the reviewer sees
                ltx_side = "left" if desk.store.take(pair.left_take).method == "ltx" else "right"
                other = "right" if ltx_side == "left" else "left"
                choice = ltx_side if rng.random() < PREFERS_LTX else other
                assert client.predict(name, token, choice, [], "", api_name="/vote").startswith("Vote saved")
                votes += 1
                if desk.results().recommendation is not None:
                    break
            assert dealt, "every reviewer judged every pair before the votes decided"
        results = desk.results()
        assert results.recommendation is True, results.reason
        summary, _chart, _sequence = client.predict(api_name="/results")
        assert results.reason in summary
        status = client.predict(True, api_name="/apply_decision")
        assert "is now `true`" in status
    assert desk.studio.config.switches.use_ltx is True
    # The next render that names no method follows the decision.
    [outcome] = desk.studio.generate(Selection(title_id=SAMPLE_TITLE, shot_number=2)).outcomes
    assert outcome.status == "rendered" and outcome.record.method == "ltx"
