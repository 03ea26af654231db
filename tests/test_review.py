"""Takes, blind pairs, votes, results and the decision, through the ReviewDesk."""

import csv
import io
import random
import re
import threading
from pathlib import Path

import pytest

from studio.config import Switches
from studio.errors import BackendUnavailableError, StudioError
from studio.services import CancelToken, NothingToCompare, ReviewDesk, Selection, Studio, TakeSettings
from studio.services.review.results import summarize, wilson_interval
from studio.store import StoreError, VoteStore
from tests.conftest import SAMPLE_TITLE


@pytest.fixture
def desk(small_workspace, tmp_path):
    return ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))


@pytest.fixture
def two_takes(desk):
    calm = desk.render_take(SAMPLE_TITLE, "shot-004", TakeSettings.parse(motion=0.1, preset="ultrafast"), who="op")
    lively = desk.render_take(SAMPLE_TITLE, "shot-004", TakeSettings.parse(motion=0.9, preset="ultrafast"), who="op")
    return calm, lively


def test_takes_are_kept_side_by_side_with_their_settings(desk, two_takes):
    calm, lively = two_takes
    assert calm.id != lively.id
    assert [t.id for t in desk.store.takes(SAMPLE_TITLE, "shot-004")] == [calm.id, lively.id]
    assert (calm.variant, lively.variant) == ("interp motion 0.10 smooth", "interp motion 0.90 smooth")
    assert calm.params == {"method": "interp", "motion": 0.1, "smooth_motion": True, "preset": "ultrafast"}
    for take in two_takes:
        assert (desk.workspace.root / take.video_path).is_file()
        assert take.video_path.startswith(f"videos/takes/interp/women/14-17/{SAMPLE_TITLE}/shot_004/")
        assert take.created_by == "op"
    assert lively.record["motion_score"] > calm.record["motion_score"] > 0
    assert calm.input_hash != lively.input_hash
    # No canonical clip is touched by a take.
    assert not desk.workspace.clip_path(*desk.shot(SAMPLE_TITLE, "shot-004"), "interp").exists()


def test_promoting_a_take_makes_it_the_canonical_clip(desk, two_takes):
    calm, lively = two_takes
    target = desk.promote(lively.id)
    assert target == desk.workspace.clip_path(*desk.shot(SAMPLE_TITLE, "shot-004"), "interp")
    assert target.read_bytes() == (desk.workspace.root / lively.video_path).read_bytes()
    metadata = desk.workspace.read_metadata(desk.shot(SAMPLE_TITLE, "shot-004")[0], "interp")
    assert metadata.clip("shot-004").input_hash == lively.input_hash
    assert metadata.clip("shot-004").video_file == "shot_004.mp4"


def test_blind_pair_vote_and_reveal(desk, two_takes):
    dealt = desk.deal("Ana")
    pair, left, right = dealt.pair, dealt.left, dealt.right
    assert {left.id, right.id} == {t.id for t in two_takes}
    assert len(pair.token) >= 32
    revealed = desk.vote("Ana", pair.token, "left", ["flicker"], "jumpy")
    assert (revealed[0].id, revealed[1].id) == (left.id, right.id)
    # A changed mind replaces the vote.
    desk.vote("Ana", pair.token, "right", [], "")
    rows = desk.store.vote_rows()
    assert [(r["reviewer"], r["choice"], r["reasons"]) for r in rows] == [("Ana", "right", "[]")]
    # Ana has judged the only pair; another reviewer still gets it.
    with pytest.raises(NothingToCompare, match="you have judged all 1 pair"):
        desk.deal("Ana")
    dealt = desk.deal("Ben")
    ben_left, ben_right = dealt.left, dealt.right
    assert {ben_left.id, ben_right.id} == {t.id for t in two_takes}


def test_bad_votes_are_refused_with_a_reason(desk, two_takes):
    pair = desk.deal("Ana").pair
    with pytest.raises(StoreError, match="vote must be one of left, right, tie, both_bad, not 'middle'"):
        desk.vote("Ana", pair.token, "middle", [])
    with pytest.raises(StoreError, match="unknown reason tag"):
        desk.vote("Ana", pair.token, "left", ["ugly"])
    with pytest.raises(StoreError, match="unknown or expired"):
        desk.vote("Ana", "guessed-token", "left", [])
    with pytest.raises(StoreError, match="dealt to another reviewer"):
        desk.vote("Ben", pair.token, "left", [])
    with pytest.raises(StudioError, match="enter your name"):
        desk.vote(" ", pair.token, "left", [])
    assert desk.store.vote_rows() == []


def test_twenty_reviewers_voting_at_once_lose_nothing(desk, two_takes):
    pairs = [(f"reviewer {i}", desk.deal(f"reviewer {i}").pair.token) for i in range(20)]
    errors = []

    def vote(name, token):
        try:
            desk.vote(name, token, random.choice(["left", "right", "tie"]), [])
        except Exception as error:  # noqa: BLE001 - collected for the assert
            errors.append(error)

    threads = [threading.Thread(target=vote, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r["reviewer"] for r in desk.store.vote_rows()) == sorted(name for name, _ in pairs)


def test_ltx_is_refused_until_its_backend_lands(desk):
    with pytest.raises(BackendUnavailableError, match="needs a CUDA GPU"):
        desk.render_take(SAMPLE_TITLE, "shot-004", TakeSettings.parse(method="ltx"), who="op")
    with pytest.raises(StudioError, match="^motion must be 0 to 1, not 3$"):
        TakeSettings.parse(motion=3)


def row(left_method, right_method, choice, reviewer="r", **extra):
    return {"left_method": left_method, "right_method": right_method, "left_variant": left_method,
            "right_variant": right_method, "choice": choice, "reviewer": reviewer,
            "left_take": f"{left_method}-take", "right_take": f"{right_method}-take"} | extra


def test_wilson_interval():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(20, 30)
    assert (round(low, 3), round(high, 3)) == (0.488, 0.808)


def test_results_and_recommendation_need_the_anytime_valid_interval_to_exclude_half():
    few = summarize([row("ltx", "interp", "left")] * 10)
    assert few.recommendation is None
    assert few.reason == ("too close to call yet: LTX preferred in 100% of votes, 95% anytime-valid interval "
                          "11%-100% after 10 votes (a verdict once it excludes 50%)")
    clear = summarize(([row("ltx", "interp", "left")] * 3 + [row("interp", "ltx", "left")]) * 20)
    [interp, ltx] = clear.by_method
    assert (ltx.label, ltx.wins, ltx.comparisons, interp.wins) == ("ltx", 60, 80, 20)
    assert clear.recommendation is True and clear.reason == "LTX preferred: 95% anytime-valid interval 60%-89% after 80 votes"
    assert [p.votes for p in clear.sequence] == list(range(1, 81))
    assert all(a.low <= b.low and b.high <= a.high for a, b in zip(clear.sequence, clear.sequence[1:]))  # only shrinks
    assert clear.left_share == 1.0  # every decisive vote went left: a position bias to look at
    # 75% of 32 votes passed the old rule (Wilson 58%-87%); a look after every vote needs more than that.
    assert summarize(([row("ltx", "interp", "left")] * 3 + [row("interp", "ltx", "left")]) * 8).recommendation is None
    close = summarize([row("ltx", "interp", "left"), row("ltx", "interp", "right")] * 16)
    assert close.recommendation is None and close.reason.startswith("too close to call yet: LTX preferred in 50% of votes")
    interp_wins = summarize(([row("ltx", "interp", "right")] * 15 + [row("ltx", "interp", "tie")]) * 2
                            + [row("ltx", "interp", "both_bad")] * 3)
    assert interp_wins.recommendation is False
    assert interp_wins.reason.startswith("interpolation preferred: LTX's 95% anytime-valid interval 0%-")
    assert interp_wins.reason.endswith("after 32 votes; 3 'both bad' vote(s) left out (they prefer neither method)")
    assert summarize([row("ltx", "interp", "both_bad")] * 40).by_method == []
    assert summarize([]).reason == "no LTX-vs-interpolation votes yet" and summarize([]).sequence == []
    changed = summarize([row("ltx", "interp", "left")] * 60 + [row("ltx", "interp", "right")] * 60)
    assert changed.recommendation is None and changed.reason.startswith(
        "no verdict: the preference changed while voting (the 95% anytime-valid interval emptied at vote 86)")


def test_apply_decision_keeps_the_config_comments_and_writes_a_record(desk):
    config = desk.workspace.root / "config" / "pipeline.yaml"
    config.write_text("# our settings\nswitches:\n  use_ltx: false  # chosen by votes\nvideo:\n  preset: ultrafast\n")
    path = desk.apply_decision(True, force=True)
    # ruamel keeps each comment's column, so only the spacing before it may change.
    written = re.sub(r" +#", " #", config.read_text())
    assert written == "# our settings\nswitches:\n  use_ltx: true # chosen by votes\nvideo:\n  preset: ultrafast\n"
    assert Studio.open(desk.workspace).config.switches.use_ltx is True
    assert path.name == "DECISION.md" and "`switches.use_ltx: true`" in path.read_text()


def test_votes_export_as_csv(desk, two_takes):
    dealt = desk.deal("Ana")
    pair, left, right = dealt.pair, dealt.left, dealt.right
    desk.vote("Ana", pair.token, "tie", ["too static"], "both fine")
    rows = list(csv.DictReader(io.StringIO(desk.votes_csv())))
    assert [(r["reviewer"], r["choice"], r["reasons"], r["comment"], r["left_take"], r["right_take"]) for r in rows] == [
        ("Ana", "tie", '["too static"]', "both fine", left.id, right.id)]


def test_bradley_terry_ranks_variants_with_intervals():
    from studio.services.review.results import bradley_terry

    rows = ([row("a", "b", "left")] * 12 + [row("a", "b", "right")] * 4
            + [row("b", "c", "left")] * 12 + [row("b", "c", "right")] * 4 + [row("a", "c", "tie")] * 2)
    ranking = bradley_terry(rows)
    assert [s.label for s in ranking] == ["a", "b", "c"]
    assert ranking[0].low < ranking[0].strength < ranking[0].high
    assert ranking[0].low > ranking[2].high  # a is clearly stronger than c
    assert bradley_terry([row("a", "a", "left")]) == []


def test_bradley_terry_intervals_are_wide_after_one_vote_and_narrow_with_more():
    """One vote says little: its interval must not collapse to a point (a bootstrap of one vote did)."""
    from studio.services.review.results import bradley_terry

    def widths(votes):
        return {s.label: round(s.high - s.low, 3) for s in bradley_terry([row("a", "b", "left")] * votes)}

    one, two, twenty = widths(1), widths(2), widths(20)
    assert min(one.values()) > 2.0  # log strength: more than 2 wide either side of the average
    assert all(one[label] > two[label] > twenty[label] > 0 for label in "ab")
    first = bradley_terry([row("a", "b", "left")])
    assert first[0].label == "a" and first[0].low < 0 < first[0].high  # one vote does not exclude "no difference"


def test_reviewer_agreement_ignores_which_side_a_take_was_on():
    from studio.services.review.results import reviewer_agreement

    same_take_won = [row("a", "b", "left", reviewer="x"),
                     {**row("b", "a", "right", reviewer="y"), "left_take": "b-take", "right_take": "a-take"}]
    assert reviewer_agreement(same_take_won) == 1.0
    assert reviewer_agreement([row("a", "b", "left", reviewer="x"), row("a", "b", "right", reviewer="y")]) == 0.0
    assert reviewer_agreement([row("a", "b", "left")]) is None


def test_strata_that_prefer_the_other_method_get_a_proposed_override():
    from studio.services.review.results import ProposedOverride

    women, men = (row("ltx", "interp", "left", segment="women", camera_movement="static"),
                  row("ltx", "interp", "right", segment="men", camera_movement="static"))
    results = summarize([women, women, men] * 40)
    assert results.recommendation is True
    assert [w.rate for w in results.per_group["segment"]["men"] if w.label == "ltx"] == [0.0]
    evidence = ("interpolation preferred here: LTX's 99.6% anytime-valid interval 0%-33% after 40 votes "
                "(Bonferroni: 5% shared by 12 strata), against LTX overall")
    assert results.proposed_overrides == [ProposedOverride("segment", "men", "interp", evidence)]
    assert results.suggestions == [f"segment men: {evidence}"]
    # Six unanimous votes of one stratum are not evidence at 99.6% after every vote (the old Wilson rule took 10).
    assert summarize([women, women, men] * 6 + [women] * 40).proposed_overrides == []
    # No recommendation: the current default is the baseline; without one, nothing is proposed.
    split = [row("ltx", "interp", "left", camera_movement="zoom_in"),
             row("ltx", "interp", "right", camera_movement="static")] * 40
    assert summarize(split).recommendation is None and summarize(split).proposed_overrides == []
    assert [(o.stratum, o.value, o.method) for o in summarize(split, default_use_ltx=False).proposed_overrides] == [
        ("camera_movement", "zoom_in", "ltx")]
    assert [(o.stratum, o.value, o.method) for o in summarize(split, default_use_ltx=True).proposed_overrides] == [
        ("camera_movement", "static", "interp")]


def test_shot_status_follows_clips_and_both_bad_votes(desk, two_takes):
    from studio.ui.library_lists import shot_choices

    statuses = desk.shot_statuses(SAMPLE_TITLE)
    assert (statuses["shot-004"].label, statuses["shot-004"].take_methods) == ("takes only", ("interp",))
    desk.promote(two_takes[0].id)
    assert desk.shot_statuses(SAMPLE_TITLE)["shot-004"].label == "rendered"
    pair = desk.deal("Ana").pair
    desk.vote("Ana", pair.token, "both_bad", ["warping"])
    assert desk.shot_statuses(SAMPLE_TITLE)["shot-004"].label == "flagged bad"
    assert [value for _, value in shot_choices(desk, SAMPLE_TITLE, "flagged bad", "all")] == ["shot-004"]
    assert [value for _, value in shot_choices(desk, SAMPLE_TITLE, "all", "interp")] == ["shot-004"]
    assert len(shot_choices(desk, SAMPLE_TITLE, "not rendered", "all")) == 5
    assert shot_choices(desk, SAMPLE_TITLE, "all", "ltx") == []


def test_replacing_a_keyframe_checks_the_upload_and_keeps_the_old_one(desk, tmp_path):
    from PIL import Image

    from studio.errors import KeyframeError
    from tests.conftest import real_photo

    script, shot = desk.shot(SAMPLE_TITLE, "shot-004")
    [target] = desk.workspace.keyframe_paths(script, shot)
    original = target.read_bytes()
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20000, 20000)).save(bomb)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"<html>not an image</html>")
    for bad, message in ((bomb, "decompression bomb"), (junk, "is not an image file")):
        with pytest.raises(KeyframeError, match=message):
            desk.replace_keyframe(SAMPLE_TITLE, "shot-004", "shot_004_A.png", bad)
    with pytest.raises(StudioError, match="shot-004 has no keyframe 'shot_009_A.png'"):
        desk.replace_keyframe(SAMPLE_TITLE, "shot-004", "shot_009_A.png", junk)
    assert target.read_bytes() == original

    good = tmp_path / "new.jpg"
    Image.fromarray(real_photo("sunset", width=300)).save(good)
    assert desk.replace_keyframe(SAMPLE_TITLE, "shot-004", "shot_004_A.png", good) == target
    assert Image.open(target).format == "PNG" and Image.open(target).size == (300, 533)
    [backup] = (target.parent / "replaced").iterdir()
    assert backup.read_bytes() == original


def test_take_rows_show_each_takes_review_results(desk, two_takes):
    from studio.ui.takes_view import take_rows

    dealt = desk.deal("Ana")
    pair, left, right = dealt.pair, dealt.left, dealt.right
    desk.vote("Ana", pair.token, "left", [])
    pair = desk.deal("Ben").pair
    desk.vote("Ben", pair.token, "tie", [])
    rows, choices = take_rows(desk, SAMPLE_TITLE, "shot-004")
    tallies = {take_id: row[-1] for row, (_, take_id) in zip(rows, choices, strict=True)}
    assert tallies == {left.id: "1 / 1 / 0", right.id: "0 / 1 / 1"}


def test_nothing_to_compare_says_why(desk):
    with pytest.raises(NothingToCompare, match="no shot has two takes; render a second take"):
        desk.deal("Ana")


def fake_take(desk, take_id: str, method: str) -> None:
    """A take row as the store keeps it (the review maths needs no video)."""
    from studio.store import Take

    desk.store.add_take(Take(id=take_id, title_id=SAMPLE_TITLE, shot_id="shot-004", method=method, variant=method,
                             params={}, input_hash=take_id, video_path=f"videos/takes/{take_id}.mp4", record={},
                             created_by="op", created_at=f"2026-01-01T00:00:0{len(desk.store.takes())}+00:00"))


def vote_for(desk, reviewer: str, winner: str) -> None:
    dealt = desk.deal(reviewer)
    pair, left = dealt.pair, dealt.left
    desk.vote(reviewer, pair.token, "left" if left.id == winner else "right", [], "")


def test_apply_decision_needs_the_votes_evidence_unless_forced(desk):
    from studio.errors import DecisionError

    config = desk.workspace.root / "config" / "pipeline.yaml"
    before = config.read_text()
    with pytest.raises(DecisionError, match="must be true or false"):
        desk.apply_decision("false")  # a string is not a decision, however it reads
    with pytest.raises(DecisionError, match="the votes do not support use_ltx: true yet .no LTX-vs-interpolation votes"):
        desk.apply_decision(True)
    assert config.read_text() == before and not (desk.workspace.root / "DECISION.md").exists()
    fake_take(desk, "ltx-take", "ltx")
    fake_take(desk, "interp-take", "interp")
    for number in range(30):  # unanimous: the interval leaves 50% behind within 30 votes
        vote_for(desk, f"reviewer {number:02d}", "ltx-take")
    assert desk.results().recommendation is True
    desk.apply_decision(True)  # what the votes recommend needs no force
    assert desk.studio.config.switches.use_ltx is True
    with pytest.raises(DecisionError, match="do not support use_ltx: false"):
        desk.apply_decision(False)
    assert "(forced" not in (desk.workspace.root / "DECISION.md").read_text()


def test_settings_changed_in_the_file_reach_the_next_render(desk):
    studio = desk.studio
    script, shot = desk.shot(SAMPLE_TITLE, "shot-004")
    assert studio.config.switches.method_for(script, shot) == "interp"
    config = desk.workspace.root / "config" / "pipeline.yaml"
    config.write_text(config.read_text() + "  bitrate: 9M\n")  # the small workspace's file ends in its video section
    take = desk.render_take(SAMPLE_TITLE, "shot-004", TakeSettings.parse(preset="ultrafast"), who="op")
    assert take.record["bitrate_kbps"] == 9000
    desk.workspace.write_switches(Switches(use_ltx=True))
    assert (studio.config.switches.use_ltx, studio.config.switches.method_for(script, shot)) == (True, "ltx")


def test_tallies_are_counted_by_the_store(desk, two_takes):
    calm, lively = two_takes
    for reviewer, choice in (("Ana", "left"), ("Ben", "tie"), ("Cy", "both_bad")):
        dealt = desk.deal(reviewer)
        pair, left = dealt.pair, dealt.left
        desk.vote(reviewer, pair.token, choice, [], "")
        if choice == "left":
            ana_winner = left.id
    loser = lively.id if ana_winner == calm.id else calm.id
    tallies = desk.store.take_tallies(SAMPLE_TITLE, "shot-004")
    assert {take: str(tally) for take, tally in tallies.items()} == {ana_winner: "1/1/1", loser: "0/1/2"}
    assert desk.store.both_bad_counts(SAMPLE_TITLE) == {"shot-004": 1}
    assert desk.store.comparison_counts() == {frozenset((calm.id, lively.id)): 3}
    assert desk.store.judged_comparisons("Ana") == {frozenset((calm.id, lively.id))}


def test_a_cancelled_batch_reports_cancelled_not_failed(desk):
    from studio.services.progress import SilentProgress

    cancel = CancelToken()

    class CancelInSecondShot(SilentProgress):
        shots = 0

        def shot_started(self, label, total_frames):
            self.shots += 1

        def frames_done(self, count, label=None):
            if self.shots == 2:
                cancel.cancel()

    report = desk.studio.generate(Selection(title_id=SAMPLE_TITLE), progress=CancelInSecondShot(), cancel=cancel)
    assert [o.status for o in report.outcomes] == ["rendered", "cancelled", "cancelled", "cancelled", "cancelled", "cancelled"]
    assert report.failed == [] and report.cancelled
    assert report.summary() == "1 rendered, 0 skipped (up to date), 0 failed; cancelled, 5 not rendered (run again to resume)"
    clips = sorted(p.name for p in report.outcomes[0].clip_path.parent.iterdir())
    assert clips == ["9f7bca19-0bcb-48fc-b06f-55f8c3e65d67_interp_metadata.json", "shot_001.mp4"]  # no partial clip left


def test_the_ranking_chart_is_sorted_and_draws_each_interval():
    from studio.services.review.results import Results, Strength
    from studio.ui.results import strength_chart

    def chart(ranking):
        results = Results(votes=9, people=3, both_bad=0, by_method=[], by_variant=[], left_share=None, recommendation=None,
                          reason="", ranking=ranking)
        return strength_chart(results).axes[0]

    flat = chart([Strength("a", 0.0, 0.0, 0.0), Strength("b", 0.0, 0.0, 0.0)])
    assert flat.get_xlim() == pytest.approx((-0.55, 0.55))  # no votes apart: points on 0, not full-height bars
    axes = chart([Strength("weak", -0.8, -1.5, -0.1), Strength("strong", 0.9, 0.2, 1.6), Strength("mid", 0.1, -0.5, 0.7)])
    assert [label.get_text() for label in axes.get_yticklabels()] == ["weak", "mid", "strong"]  # drawn bottom-up
    intervals = [tuple(round(x, 6) for x in segment[:, 0]) for segment in axes.collections[0].get_segments()]
    assert intervals == [(-1.5, -0.1), (-0.5, 0.7), (0.2, 1.6)]
    assert axes.get_xlim() == pytest.approx((-1.76, 1.76))
    assert chart([]).texts[0].get_text() == "No decisive votes between different settings yet"


def test_takes_that_show_the_same_pictures_are_never_dealt_and_earlier_votes_on_them_are_left_out(desk):
    still = "d109fc88-84b8-45d0-bfcc-b15887d103c3"  # its shot-005: a static camera on one keyframe
    calm, lively = (desk.render_take(still, "shot-005", TakeSettings.parse(motion=motion, preset="ultrafast"), who="op")
                    for motion in (0.2, 0.9))
    assert calm.record["frames_fingerprint"] == lively.record["frames_fingerprint"] and calm.shows_the_same_as(lively)
    with pytest.raises(NothingToCompare, match="the takes of each shot show the same pictures"):
        desk.deal("Ana")
    assert desk.pair_progress("Ana") == (0, 0)
    assert desk.alike_takes_note(still, "shot-005").startswith("Its 2 takes show the same pictures")
    assert desk.dealable_takes() == []
    # A moving shot's two motions differ: that pair is dealt, and the still pair never is.
    moving = [desk.render_take(SAMPLE_TITLE, "shot-004", TakeSettings.parse(motion=motion, preset="ultrafast"), who="op")
              for motion in (0.2, 0.9)]
    assert moving[0].record["frames_fingerprint"] != moving[1].record["frames_fingerprint"]
    assert desk.alike_takes_note(SAMPLE_TITLE, "shot-004") is None
    assert sorted(take.id for take in desk.dealable_takes()) == sorted(take.id for take in moving)
    dealt = desk.deal("Ana")
    pair, left, right = dealt.pair, dealt.left, dealt.right
    assert {left.id, right.id} == {take.id for take in moving} and desk.pair_progress("Ana") == (0, 1)
    # A vote cast on the still pair before such pairs were held back counts nowhere, and Results say so.
    desk.vote("Ana", pair.token, "left", [])
    old = desk.store.create_pair(still, "shot-005", calm.id, lively.id, "Ben")
    desk.vote("Ben", old.token, "right", [])
    results = desk.results()
    assert (results.votes, results.people, results.alike_left_out) == (1, 1, 1)
    # The objective figures leave the still takes out (their motion settings changed nothing) and say so.
    # (The same two settings on both shots: each row holds the moving shot's take and leaves the still one out.)
    figures = {f["variant"]: f for f in desk.take_figures()}
    assert (calm.variant, lively.variant) == (moving[0].variant, moving[1].variant)
    assert {variant: (f["takes"], f["left_out"]) for variant, f in figures.items()} == {
        calm.variant: (1, 1), lively.variant: (1, 1)}
    assert figures[calm.variant]["motion"] == round(moving[0].record["motion_score"], 3)  # the still take left out
    from studio.ui.results_view import results_markdown

    assert "2 take(s) left out of these figures" in results_markdown(results, desk.take_figures())


def test_a_new_arena_copies_its_files_for_gradio_before_the_first_deal(tmp_path, monkeypatch):
    """Twenty reviewers opening a new server's arena together waited for each dealt take's copy; they are made at
    start-up instead, one at a time, and a deal then finds them."""
    import gradio as gr

    from studio.ui.review import ServedFiles

    files = [tmp_path / f"clip-{k}.mp4" for k in range(3)]
    for k, path in enumerate(files):
        path.write_bytes(bytes([k]) * 1000)
    player = gr.Video()
    copied = []
    copy = player.move_resource_to_block_cache
    monkeypatch.setattr(player, "move_resource_to_block_cache", lambda path: copied.append(path) or copy(path))
    served = ServedFiles(player)
    served.warm(lambda: files).join()
    assert copied == files
    assert [Path(served(path)).read_bytes() for path in files] == [path.read_bytes() for path in files]
    assert copied == files  # dealt from the start-up copies, none made again
    served.warm(lambda: [tmp_path / "gone.mp4", files[0]]).join()  # a file gone is left for its deal, quietly
    assert copied == files
