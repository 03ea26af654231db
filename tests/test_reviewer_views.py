"""What reviewers read: the decision card, win rates with their counts, per-side reasons, take labels."""

import pytest

from studio.services.review.results import Results, Strength, WinRate
from studio.store import StoreError
from studio.ui.results_view import decision_card, results_markdown, signed
from studio.ui.review import sided_reasons
from studio.ui.takes_view import take_label
from tests.test_review import desk, fake_take, two_takes  # noqa: F401 - fixtures and a helper


def results(**changes) -> Results:
    base = dict(votes=3, people=2, both_bad=0, by_method=[], by_variant=[], left_share=None, recommendation=None,
                reason="too few votes")
    return Results(**(base | changes))


def test_the_decision_card_says_what_each_apply_would_do():
    assert decision_card(results(), use_ltx=False).splitlines() == [
        "### Decision",
        "- **Now:** the default method is **interpolation** (switches.use_ltx: false in config/pipeline.yaml)",
        "- **The votes say:** No recommendation yet: too few votes",
        "- **Apply: default to LTX-Video**: switches the default to LTX-Video only with **Override the votes** ticked "
        "(the votes do not recommend it)",
        "- **Apply: default to interpolation**: nothing changes, interpolation is already the default",
    ]
    assert decision_card(results(recommendation=True, reason="LTX wins"), use_ltx=False).splitlines()[2:4] == [
        "- **The votes say:** default to LTX-Video (use_ltx: true): LTX wins",
        "- **Apply: default to LTX-Video**: switches the default to LTX-Video, as the votes recommend",
    ]


def test_tables_appear_once_there_is_something_to_compare_with_counts_and_no_negative_zero():
    one_method = results_markdown(results(by_variant=[WinRate("interp motion 0.10", 1.0, 1, 0.2, 1.0)]), [])
    assert "#### By method\n" not in one_method and "#### By method and settings" not in one_method
    assert "By method: appears once takes of two methods" in one_method
    two = results_markdown(results(
        by_method=[WinRate("interp", 1.5, 4, 0.1, 0.8), WinRate("ltx", 2.5, 4, 0.2, 0.9)],
        ranking=[Strength("ltx", -0.001, -0.4, 0.3), Strength("interp", 0.004, -0.3, 0.0)]), [])
    assert "| interp | 38% (1.5 of 4) | 10%–80% |" in two and "| ltx | 62% (2.5 of 4) | 20%–90% |" in two
    assert "| ltx | 0.00 | -0.40 to +0.30 |" in two and "| interp | 0.00 | -0.30 to 0.00 |" in two
    assert "-0.00" not in two
    assert [signed(x) for x in (-0.004, 0.0, 0.126, -1.5)] == ["0.00", "0.00", "+0.13", "-1.50"]


def test_reasons_belong_to_a_side_or_to_both():
    assert sided_reasons(["flicker", "warping"], ["warping", "too static"]) == [
        "left: flicker", "both: warping", "right: too static"]
    assert sided_reasons(None, []) == []


def test_the_store_takes_sided_reasons_and_bare_tags_and_refuses_others(desk, two_takes):  # noqa: F811
    pair = desk.deal("Ana").pair
    desk.vote("Ana", pair.token, "left", ["left: flicker", "both: warping", "artefacts"])
    assert [r["reasons"] for r in desk.store.vote_rows()] == ['["artefacts", "both: warping", "left: flicker"]']
    with pytest.raises(StoreError, match="use a side and a tag, like 'left: flicker'"):
        desk.vote("Ana", pair.token, "left", ["middle: flicker"])


def test_take_labels_read_like_people_talk_and_star_the_promoted_one(desk):  # noqa: F811
    fake_take(desk, "t1", "interp")
    take = desk.store.take("t1")
    assert take_label(3, take, promoted=False) == "take 3 · interp · 00:00"
    assert take_label(3, take, promoted=True) == "★ take 3 · interp · 00:00"


def test_the_promoted_take_is_the_one_whose_clip_is_canonical(desk, two_takes):  # noqa: F811
    first, second = two_takes
    assert desk.promoted_take_id(first.title_id, first.shot_id) is None
    desk.promote(second.id)
    assert desk.promoted_take_id(first.title_id, first.shot_id) == second.id


def test_proposed_overrides_are_listed_with_their_evidence():
    from studio.services.review.results import ProposedOverride

    override = ProposedOverride("camera_movement", "zoom_in", "ltx", "LTX preferred here: the figures")
    page = results_markdown(results(proposed_overrides=[override]), [])
    assert ("#### Proposed overrides (each group tested the same way, the 5% shared by 12 groups)\n"
            "- camera movement zoom_in: render with **LTX-Video**. LTX preferred here: the figures") in page
    assert "Proposed overrides" not in results_markdown(results(), [])


def test_the_preference_chart_draws_the_band_the_estimate_and_the_50_line():
    from studio.services.review.stopping import SequencePoint
    from studio.ui.results_view import preference_chart

    points = [SequencePoint(1, 1.0, 0.0, 1.0), SequencePoint(2, 0.5, 0.1, 0.9), SequencePoint(3, 2 / 3, 0.2, 0.9)]
    axes = preference_chart(results(sequence=points)).axes[0]
    [estimate, half] = axes.get_lines()
    assert list(estimate.get_xdata()) == [1, 2, 3] and list(estimate.get_ydata()) == pytest.approx([100, 50, 200 / 3])
    assert list(half.get_ydata()) == [50, 50]
    band = axes.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == 0 and band[:, 1].max() == pytest.approx(100)
    assert (axes.get_xlim(), axes.get_ylim()) == ((1, 3), (0, 100))
    assert preference_chart(results()).axes[0].texts[0].get_text() == "No LTX-vs-interpolation votes yet"


def test_the_results_say_who_voted_and_which_votes_are_left_out():
    assert results_markdown(results(), []).startswith("3 votes from 2 people, 0 'both bad'.")
    assert results_markdown(results(votes=1, people=1, alike_left_out=2), []).startswith(
        "1 vote from 1 person, 0 'both bad'. 2 vote(s) on pairs of takes that show the same pictures are left out: "
        "a preference between equal clips says nothing.")
