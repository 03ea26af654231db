"""A reviewer's path through the page in a real browser (Debian's chromium via Playwright)."""

import contextlib
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)")

from tests.test_app import served  # noqa: E402,F401 - the launched-app fixture

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def opened(url: str):
    """A tall page of the launched app in Debian's chromium."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(url)
        try:
            yield page
        finally:
            browser.close()


def test_render_two_takes_then_vote_blind_and_see_the_result(served):  # noqa: F811
    desk, url, _ = served
    with opened(url) as page:
        page.get_by_text("keyframes at").first.wait_for(timeout=30_000)  # the page's load events have run
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

        page.get_by_role("tab", name="Results & decision").click()
        page.get_by_role("button", name="Refresh").click()
        page.get_by_text("1 votes, 0 'both bad'").wait_for(timeout=30_000)
        page.screenshot(path=str(desk.workspace.root / "results-tab.png"))


def test_assemble_tab_shows_the_timeline_and_previews_a_narrated_cut(served):  # noqa: F811
    desk, url, _ = served
    with opened(url) as page:
        page.get_by_role("tab", name="Assemble").click()
        page.locator("#assemble-timeline img").wait_for(timeout=30_000)
        page.get_by_text("Friday, five p.m. Phone goes in the glovebox.").first.wait_for(state="attached", timeout=30_000)  # the table
        page.get_by_role("button", name="Preview (270x480)").click()
        page.get_by_text("in sync: boundaries within", exact=False).wait_for(timeout=120_000)
        assert page.locator("#assemble-video video").get_attribute("src").endswith(".preview.mp4")
        page.screenshot(path=str(desk.workspace.root / "assemble-tab.png"))
