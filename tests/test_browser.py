"""A reviewer's path through the page in a real browser (Debian's chromium via Playwright)."""

import contextlib
import os
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)")

from tests.test_app import served  # noqa: E402,F401 - the launched-app fixture

# Screenshots land here for people to look at (CI keeps the folder with the checkout).
ARTIFACTS = Path(os.environ.get("STUDIO_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / ".studio" / "test-artifacts"))
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def opened(url: str, width: int = 1400):
    """A tall page of the launched app in Debian's chromium."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": width, "height": 1800})
        page.goto(url)
        try:
            yield page
        finally:
            browser.close()


def test_render_two_takes_then_vote_blind_and_see_the_result(served):  # noqa: F811
    desk, url, _ = served
    with opened(url) as page:
        page.get_by_text("keyframe(s)").first.wait_for(timeout=30_000)  # the page's load events have run
        page.get_by_label("Your name").fill("Ana")
        # The first script and shot are chosen on load; render two takes of it.
        for count in (1, 2):
            page.get_by_role("button", name="Render take").click()
            for _ in range(120):  # the store is the truth: wait for the take to land
                if len(desk.store.takes()) == count:
                    break
                page.wait_for_timeout(500)
            take_id = desk.store.takes()[-1].id
            page.locator("p", has_text="rendered in").filter(has_text=take_id).wait_for(timeout=30_000)
        assert len(desk.store.takes()) == 2
        assert all(take.created_by == "Ana" for take in desk.store.takes())

        page.get_by_role("tab", name="Compare & vote").click()
        page.get_by_role("button", name="Next pair").click()
        page.locator("#review-left video").wait_for(timeout=30_000)
        page.locator("#review-right video").wait_for(timeout=30_000)
        # The two players move together: play both, then step one frame.
        page.get_by_role("button", name="Play / pause both").click()
        page.wait_for_timeout(700)
        assert page.evaluate("[...document.querySelectorAll('#review-left video, #review-right video')].map(v => v.paused)") == [False, False]
        page.get_by_role("button", name="one frame ▶").click()
        page.wait_for_timeout(300)
        times = page.evaluate("[...document.querySelectorAll('#review-left video, #review-right video')].map(v => v.currentTime)")
        assert times[0] == pytest.approx(times[1], abs=0.02) and times[0] > 0
        page.get_by_label("Left better").check()
        page.get_by_label("flicker").check()
        page.get_by_role("button", name="Vote").click()
        page.get_by_text("Vote saved (left)").wait_for(timeout=30_000)
        assert [(r["reviewer"], r["choice"], r["reasons"]) for r in desk.store.vote_rows()] == [("Ana", "left", '["flicker"]')]

        # Nothing is left for Ana: the page says so, and the players stay empty rather than showing errors.
        page.get_by_role("button", name="Next pair").click()
        page.get_by_text("you have judged all 1 pair(s) of takes").wait_for(timeout=30_000)
        assert page.locator("#review-left video").count() == 0
        assert page.get_by_text("Error", exact=True).count() == 0

        # The results followed the vote without a Refresh.
        page.get_by_role("tab", name="Results & decision").click()
        page.get_by_text("1 votes, 0 'both bad'").wait_for(timeout=30_000)
        page.locator("#results-chart img, #results-chart svg").first.wait_for(timeout=30_000)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "results-tab.png"), full_page=True)


def test_assemble_tab_shows_the_timeline_and_previews_a_narrated_cut(served):  # noqa: F811
    desk, url, _ = served
    with opened(url) as page:
        page.get_by_role("tab", name="Assemble").click()
        page.locator("#assemble-timeline img").wait_for(timeout=30_000)
        page.get_by_text("Friday, five p.m. Phone goes in the glovebox.").first.wait_for(state="attached", timeout=30_000)  # the table
        page.get_by_role("button", name="Preview (270x480)").click()
        page.get_by_text("in sync: boundaries within", exact=False).wait_for(timeout=120_000)
        assert page.locator("#assemble-video video").get_attribute("src").endswith(".preview.mp4")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "assemble-tab.png"), full_page=True)


def right_edge(locator) -> float:
    box = locator.bounding_box()
    return box["x"] + box["width"]


def test_library_reads_at_1280_px_and_follows_renders_and_cancels(served):  # noqa: F811
    desk, url, _ = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with opened(url, width=1280) as page:
        page.get_by_text("keyframe(s)").first.wait_for(timeout=30_000)
        page.get_by_text("shot_001_A.png · 0 s").first.wait_for(state="attached", timeout=30_000)  # captioned keyframes
        promote = page.get_by_role("button", name="Promote to canonical clip")
        assert promote.is_disabled()  # no take yet
        two_stage = page.get_by_label("LTX two-stage recipe", exact=False)
        assert page.get_by_label("LTX seed").is_disabled() and two_stage.is_disabled()  # interpolation is chosen
        # The sample workspace's model is the ltx-video-2b preset: its 40 steps and guidance 5 are the starting values.
        assert (page.get_by_label("number input for LTX steps").input_value(),
                page.get_by_label("number input for LTX guidance").input_value()) == ("40", "5")
        page.get_by_label("LTX-Video (GPU, or a small local model)").check()
        page.wait_for_timeout(500)
        assert page.get_by_label("LTX seed").is_enabled() and two_stage.is_enabled() and two_stage.is_checked()
        page.get_by_label("Interpolation").check()
        page.wait_for_timeout(500)
        assert page.get_by_label("LTX seed").is_disabled()
        for label in ("Segment", "Age bucket", "Shot status", "Shot method", "Script", "Shot"):
            field = page.get_by_label(label, exact=True)
            assert field.bounding_box()["width"] >= 100, label  # room for the value, not a sliver
        page.screenshot(path=str(ARTIFACTS / "library-1280.png"), full_page=True)

        page.get_by_label("Your name").fill("Ana")
        page.get_by_role("button", name="Render take").click()
        page.locator("p", has_text="rendered in").wait_for(timeout=60_000)
        page.wait_for_function("() => document.querySelector('#takes-table')?.innerText.includes('Ana')", timeout=30_000)
        assert "[takes only]" in page.get_by_label("Shot", exact=True).input_value()  # the label followed the render
        assert promote.is_enabled()
        for column in ("motion", "flicker", "render s", "won/tied/lost"):
            header = page.locator("#takes-table").get_by_text(column, exact=True).first
            assert right_edge(header) <= 1280, column  # every column on screen
        page.screenshot(path=str(ARTIFACTS / "library-1280-with-take.png"), full_page=True)

        page.get_by_label("Shot", exact=True).click()
        page.get_by_role("option", name="shot-004", exact=False).click()  # the longest shot (10 s)
        page.get_by_text("zoom_out").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="Render take").click()
        page.get_by_text("Rendering…").wait_for(timeout=30_000)
        page.get_by_role("button", name="Cancel").click()
        page.get_by_text("Cancelled. Clips finished before the cancel are kept").wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        assert page.get_by_text("Rendering…").count() == 0
        assert [t.shot_id for t in desk.store.takes()] == ["shot-001"]
        assert list((desk.workspace.root / "videos" / "takes").rglob("shot_004/*.mp4")) == []
