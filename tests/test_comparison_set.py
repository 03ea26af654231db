"""The comparison set: stratified, kept in the store, rendered with both methods; pairs steered toward the decision;
simulated reviewers voting on it until the recommendation appears, then Apply."""

import random
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from studio.cli import main
from studio.domain import CameraMovement
from studio.domain.comparison import ComparisonSetError, SizeRule, choose_stratified
from studio.errors import StudioError
from studio.services import ReviewDesk, Selection, Studio
from studio.services.access import Caller, OperatorOnlyError
from studio.services.comparison import SetRenderReport, choose_set, render_set, set_view
from studio.services.review.pairing import (
    REPEAT_EVERY,
    ReviewerConsistency,
    choose_fresh,
    order_sides,
    self_consistency,
)
from studio.store import Take, VoteStore
from studio.workspace import Workspace, sample_workspace
from tests.conftest import SAMPLE_TITLE, SMALL_VIDEO, with_ltx

TINY = {"width": 32, "height": 64, "num_frames": 17, "fps": 8, "num_inference_steps": 2, "seed": 7}
VISITOR = Caller(name="visitor", is_operator=False)


def test_the_set_covers_every_stratum_and_camera_move(workspace):
    scripts = workspace.catalog().scripts
    chosen = choose_stratified(scripts)  # the default size
    assert len(chosen) == 12 and len({shot.key for shot in chosen}) == 12
    strata = {f"{s.segment} {s.age_bucket}" for s in scripts}
    assert {shot.stratum for shot in chosen} == strata
    assert max(Counter(shot.stratum for shot in chosen).values()) == 4  # 12 shots over 3 strata, evenly
    moves = {shot.camera_movement for script in scripts for shot in script.shots}
    assert moves == set(CameraMovement) and {shot.camera_movement for shot in chosen} == moves
    assert choose_stratified(scripts) == chosen  # the same workspace gives the same set
    rule = SizeRule.of(scripts)
    assert (rule.least, rule.most) == (7, 18)
    assert rule.describe() == ("7 to 18 shots: at least 5, and one of each of the 3 segment x age strata and each of "
                               "the 7 camera moves; at most this workspace's shots")
    for size in (5, 6, 40):
        with pytest.raises(ComparisonSetError, match=f"a comparison set here needs {re.escape(rule.describe())}; not {size}$"):
            choose_stratified(scripts, size)
    for size in (5.5, True, "7"):
        with pytest.raises(ComparisonSetError, match="a comparison set's size is a whole number of shots, not"):
            choose_stratified(scripts, size)
    assert choose_stratified(scripts, 7.0) == choose_stratified(scripts, 7)


def test_choosing_a_set_is_for_operators_and_kept_by_name(workspace, tmp_path):
    desk = ReviewDesk(Studio.open(workspace), VoteStore(tmp_path / "votes.db"))
    with pytest.raises(OperatorOnlyError):
        choose_set(desk, "pilot", 7, by=VISITOR)
    with pytest.raises(ComparisonSetError, match="1-40 letters"):
        choose_set(desk, "../etc", 7)
    assert set_view(desk) is None
    first = choose_set(desk, "pilot", 7)
    choose_set(desk, "wide", 12)
    again = VoteStore(tmp_path / "votes.db")  # a new connection reads the same sets
    assert [s.name for s in again.comparison_sets()] == ["wide", "pilot"]  # the newest first: it steers the pairs
    assert again.comparison_set("pilot").shots == first.chosen.shots
    with pytest.raises(ComparisonSetError, match="no comparison set called 'nope' .sets: wide, pilot."):
        set_view(desk, "nope")


@dataclass(frozen=True)
class RenderedPilot:
    """A small sample workspace (with its vote store beside it, under `root`) whose set "pilot" of 7 shots was
    rendered as an operator would: first here, where the sample's LTX model cannot run, then with the tiny model."""

    root: Path
    without_gpu: SetRenderReport
    missing_without_gpu: tuple[int, int]
    """The set's missing (LTX, interpolation) takes after the first render."""
    with_model: SetRenderReport


@pytest.fixture(scope="module")
def rendered_pilot(tmp_path_factory, tiny_ltx) -> RenderedPilot:
    """The set rendered once for this file (14 takes); each test works on its own copy (`pilot_desk`)."""
    root = tmp_path_factory.mktemp("pilot")
    workspace = sample_workspace(root / "workspace")
    (workspace.root / "config" / "pipeline.yaml").write_text(SMALL_VIDEO)
    desk = ReviewDesk(Studio.open(workspace), VoteStore(root / "votes.db"))
    choose_set(desk, "pilot", 7)
    without_gpu = render_set(desk, "pilot", who="Ana")
    view = set_view(desk, "pilot")
    missing = (view.missing("ltx"), view.missing("interp"))
    with_ltx(workspace, model=str(tiny_ltx), **TINY)
    return RenderedPilot(root, without_gpu, missing, render_set(desk, "pilot", who="Ana"))


def pilot_desk(rendered: RenderedPilot, tmp_path: Path) -> ReviewDesk:
    """A desk on a copy of the rendered pilot workspace and its votes."""
    root = shutil.copytree(rendered.root, tmp_path / "pilot")
    return ReviewDesk(Studio.open(Workspace(root / "workspace")), VoteStore(root / "votes.db"))


def test_the_set_renders_both_methods_and_says_once_what_cannot_run_here(rendered_pilot, tmp_path):
    # The sample's LTX model is a real checkpoint: without a GPU the LTX takes are named as missing, once.
    report = rendered_pilot.without_gpu
    assert (report.rendered, report.skipped, report.failed) == (7, 0, [])
    assert report.not_possible.startswith("7 LTX take(s) not rendered: LTX-Video needs a CUDA GPU")
    assert rendered_pilot.missing_without_gpu == (7, 0)
    # With a model that runs here, a second run renders only what is missing.
    report = rendered_pilot.with_model
    assert (report.rendered, report.skipped, report.not_possible) == (7, 7, None)
    desk = pilot_desk(rendered_pilot, tmp_path)
    view = set_view(desk, "pilot")
    assert all(set(status.variants) == {"ltx", "interp"} for status in view.shots)
    methods = Counter(take.method for take in desk.store.takes())
    assert methods == {"ltx": 7, "interp": 7}
    # A third run finds everything there.
    assert (render_set(desk, "pilot", who="Ana").skipped, set_view(desk, "pilot").missing("ltx")) == (14, 0)
    # The pairs dealt next are the set's LTX-vs-interpolation comparisons.
    dealt = desk.deal("Ana", rng=random.Random(1))
    pair, left, right = dealt.pair, dealt.left, dealt.right
    assert {left.method, right.method} == {"ltx", "interp"} and any(s.shot.key.shot_id == pair.shot_id for s in view.shots)


PREFERS_LTX = 0.85  # each simulated reviewer picks the LTX take this often
REVIEWERS = [f"Reviewer {n:02d}" for n in range(1, 17)]


def test_simulated_reviewers_reach_a_recommendation_and_apply_it(rendered_pilot, tmp_path):
    """The decision workflow end to end: simulated reviewers vote on the rendered set through gradio_client until
    the recommendation appears, then Apply."""
    gradio_client = pytest.importorskip("gradio_client")
    from tests.serving import launched

    desk = pilot_desk(rendered_pilot, tmp_path)
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


def test_compare_command_chooses_lists_and_refuses_bad_values(workspace, capsys):
    assert main(["compare", "--workspace", str(workspace.root), "--set", "pilot", "--size", "7"]) == 0
    out = capsys.readouterr().out
    assert "comparison set 'pilot': 7 shots" in out and "Golden hour in the meadow" in out and "static" in out
    assert main(["compare", "--workspace", str(workspace.root), "--set", "pilot", "--size", "3"]) == 2
    assert f"a comparison set here needs {SizeRule.of(workspace.catalog().scripts).describe()}; not 3" in (
        capsys.readouterr().err)


def take(take_id, method, shot="shot-001", title="t1", variant=None):
    return Take(take_id, title, shot, method, variant or method, {}, "", f"{take_id}.mp4", {}, "x", "2026-01-01")


def test_deciding_pairs_on_set_shots_come_first_then_the_least_voted_shot():
    set_shots = {("t1", "shot-001"), ("t1", "shot-002")}
    a1, b1, c1 = take("a1", "ltx"), take("b1", "interp"), take("c1", "interp", variant="interp strong")
    a2, b2 = take("a2", "ltx", "shot-002"), take("b2", "interp", "shot-002")
    a3, b3 = take("a3", "ltx", "shot-003"), take("b3", "interp", "shot-003")
    every = [(a1, b1), (a1, c1), (b1, c1), (a2, b2), (a3, b3)]

    def choose(candidates, votes, mode="decide"):
        return choose_fresh(candidates, every_pair=every, mode=mode, in_set=lambda k: (k.title_id, k.shot_id) in set_shots,
                            stratum_of=lambda k: "women 14-17", pair_votes=votes, rng=random.Random(0))

    # shot-001 has 3 decisive votes (its a1-c1 pair too), shot-002 none: shot-002 first, the off-set shot-003 after.
    votes = {frozenset(("a1", "b1")): 2, frozenset(("a1", "c1")): 1}
    assert choose(every, votes) == (a2, b2)
    assert choose([(a1, b1), (b1, c1), (a3, b3)], votes) == (a1, b1)  # still a set shot before shot-003
    assert choose([(b1, c1), (a3, b3)], votes) == (a3, b3)  # deciding before variants
    assert choose([(b1, c1)], votes) == (b1, c1)  # variants when nothing else is left
    assert choose(every, votes, mode="tune") == (b1, c1)  # tuning asks for same-method variants only
    assert choose([(a1, b1)], votes, mode="tune") is None


def test_sides_balance_per_reviewer():
    ltx, interp = take("a", "ltx"), take("b", "interp")
    assert order_sides(ltx, interp, left_counts={"ltx": 3, "interp": 1}, rng=random.Random(0)) == (interp, ltx)
    assert order_sides(ltx, interp, left_counts={"interp": 2}, rng=random.Random(0)) == (ltx, interp)
    shown = Counter(order_sides(ltx, interp, left_counts={}, rng=random.Random(seed))[0].method for seed in range(400))
    assert 150 < shown["ltx"] < 250  # a fair coin when the reviewer has seen both sides equally


def test_a_reviewer_sees_repeats_sides_swapped_and_their_consistency(small_workspace, tmp_path):
    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))
    store = desk.store
    for shot in range(45):  # an LTX and an interpolation take of 45 shots: 45 fresh pairs
        store.add_take(take(f"l{shot}", "ltx", shot=f"shot-{shot:03d}"))
        store.add_take(take(f"i{shot}", "interp", shot=f"shot-{shot:03d}"))
    rng = random.Random(3)
    repeats, fresh = [], []
    while True:
        try:
            dealt = desk.deal("Ana", rng=rng)
            pair, left = dealt.pair, dealt.left
        except StudioError:
            break
        if pair.repeat_of:
            first = store.pair(pair.repeat_of)
            assert (pair.left_take, pair.right_take) == (first.right_take, first.left_take)  # sides swapped
        (repeats if pair.repeat_of else fresh).append(pair)
        desk.vote("Ana", pair.token, "left" if left.method == "interp" else "right", [])  # always interpolation
    assert len(fresh) == 45 and len({frozenset((p.left_take, p.right_take)) for p in fresh}) == 45  # each pair once
    assert 1 <= len(repeats) <= 10, f"about 1 pair in {REPEAT_EVERY} repeats; {len(repeats)} came"
    assert len({p.repeat_of for p in repeats}) == len(repeats)  # a pair is repeated once at most
    dealt = fresh + repeats
    left_ltx = sum(store.take(p.left_take).method == "ltx" for p in dealt)
    assert abs(2 * left_ltx - len(dealt)) <= 2  # LTX on each side equally often for this reviewer (a repeat's is forced)
    # Repeats never count toward the decision; the consistency figure says how often Ana agreed with herself.
    assert desk.results().votes == 45
    [ana] = desk.reviewer_consistency()
    assert (ana.reviewer, ana.repeats, ana.agreed, ana.flagged) == ("Ana", len(repeats), len(repeats), False)


class AlwaysRepeat(random.Random):
    """Draws that would deal a repeat every time one may be dealt."""

    def random(self):
        return 0.0


def test_a_reviewer_who_judged_every_pair_is_done_not_dealt_repeats(small_workspace, tmp_path):
    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))
    for shot in range(3):
        desk.store.add_take(take(f"l{shot}", "ltx", shot=f"shot-{shot:03d}"))
        desk.store.add_take(take(f"i{shot}", "interp", shot=f"shot-{shot:03d}"))
    for _ in range(3):
        pair = desk.deal("Ana", rng=random.Random(1)).pair
        desk.vote("Ana", pair.token, "tie", [])
    with pytest.raises(StudioError, match="you have judged all 3 pair"):
        desk.deal("Ana", rng=AlwaysRepeat())
    desk.store.add_take(take("i3", "interp", shot="shot-000"))  # a fresh pair again: now a repeat may come first
    assert desk.deal("Ana", rng=AlwaysRepeat()).pair.repeat_of is not None


def test_self_consistency_and_its_weight():
    def row(token, choice, repeat_of=None, left="x", right="y"):
        return {"reviewer": "Ola", "pair_token": token, "choice": choice, "repeat_of": repeat_of,
                "left_take": left, "right_take": right}

    rows = [row("p1", "left"), row("p2", "tie"), row("p3", "right"),
            row("r1", "right", "p1", left="y", right="x"),  # x again: agrees
            row("r2", "tie", "p2"), row("r3", "right", "p3", left="y", right="x")]  # x this time: disagrees
    [ola] = self_consistency(rows)
    assert (ola.repeats, ola.agreed) == (3, 2) and not ola.flagged
    assert ReviewerConsistency("Eve", 4, 2).flagged and ReviewerConsistency("Eve", 4, 2).weight == 0.0
    assert ReviewerConsistency("Max", 5, 5).weight == 1.0
    assert ola.weight == pytest.approx((2 * 2 / 3 - 1) ** 0.5)


def test_next_pair_refuses_an_unknown_mode(workspace, tmp_path):
    desk = ReviewDesk(Studio.open(workspace), VoteStore(tmp_path / "votes.db"))
    with pytest.raises(StudioError, match="mode must be one of decide, tune, not 'random'"):
        desk.deal("Ana", mode="random")
