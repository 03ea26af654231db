"""A reviewer's path through the page in a real browser (Debian's chromium via Playwright), at 1280 and 412 px."""

import contextlib
import os
import time
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)")

from studio.services import ReviewDesk, TakeSettings  # noqa: E402
from studio.services.comparison import choose_set  # noqa: E402
from tests.test_app import served  # noqa: E402,F401 - the launched-app fixture

# Screenshots land here for people to look at (CI keeps the folder with the checkout).
ARTIFACTS = Path(os.environ.get("STUDIO_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / ".studio" / "test-artifacts"))
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]
PHONE = 412
PLAYERS = "[...document.querySelectorAll('#review-left video, #review-right video')]"
FIRST_TITLE = "d109fc88-84b8-45d0-bfcc-b15887d103c3"  # "Weekend off the grid", the script the page opens on


@pytest.fixture(scope="module")
def browser():
    """One Debian chromium for the whole file; each test opens its own context (cookies and storage start empty)."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextlib.contextmanager
def opened(browser, url: str, width: int = 1400):
    """A tall page of the launched app, in a fresh context of the file's browser."""
    context = browser.new_context(viewport={"width": width, "height": 1800})
    page = context.new_page()
    page.goto(url)
    try:
        yield page
    finally:
        context.close()


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def nothing_off_screen(page, width: int) -> None:
    """The page does not scroll sideways, and no visible control starts or ends past the edge."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    outside = page.evaluate(f"""[...document.querySelectorAll('button, input, label, h1, h2, h3, p')]
        .filter(e => e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden' && !e.closest('table, .toast-wrap, .visually-hidden'))
        .map(e => [e.innerText || e.name || e.tagName, e.getBoundingClientRect()])
        .filter(([, r]) => r.width > 0 && (r.left < -1 || r.right > {width} + 1)).map(([t]) => t.slice(0, 40))""")
    assert outside == []


def headers_keep_their_words(page, table: str, cells: str = "th") -> None:
    """No table header (or cell) is broken inside a word, or cut off: each word of each visible cell is drawn on one
    line (its Range has one line of client rects) and inside its cell."""
    broken = page.evaluate("""selector => {
      const broken = [];
      for (const cell of document.querySelectorAll(selector)) {
        if (cell.offsetParent === null || !cell.innerText.trim()) continue;
        const box = cell.getBoundingClientRect();
        const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = texts.nextNode(); node; node = texts.nextNode()) {
          for (const word of node.data.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(node, word.index);
            range.setEnd(node, word.index + word[0].length);
            const rects = [...range.getClientRects()].filter(r => r.width > 0);
            const lines = new Set(rects.map(r => Math.round(r.top))).size;
            if (lines > 1) broken.push(`${word[0]} (split over ${lines} lines)`);
            else if (rects.some(r => r.left < box.left - 1 || r.right > box.right + 1)) broken.push(`${word[0]} (cut off)`);
          }
        }
      }
      return broken;
    }""", f"{table} {cells}")
    assert broken == []


def tables_fit(page, tables: str, width: int) -> None:
    """Each visible table lies inside the screen and shows all its width: nothing to scroll sideways inside it."""
    wide = page.evaluate(f"""[...document.querySelectorAll('{tables}')].filter(t => t.offsetParent !== null)
        .map(t => [t.id || t.innerText.slice(0, 30), t.getBoundingClientRect(), t.scrollWidth - t.clientWidth])
        .filter(([, r, hidden]) => r.left < -1 || r.right > {width} + 1 || hidden > 1).map(([name]) => name)""")
    assert wide == []


def render_takes(desk, title_id: str, shot_id: str, motions: list[float], who: str = "Ola") -> None:
    for motion in motions:
        desk.render_take(title_id, shot_id, TakeSettings.parse(motion=motion, preset="ultrafast"), who=who)


def test_render_two_takes_then_vote_blind_and_see_the_result(served, browser):  # noqa: F811
    desk, url, _ = served
    with opened(browser, url, width=1280) as page:
        page.get_by_text("keyframe(s)").first.wait_for(timeout=30_000)  # the page's load events have run
        page.get_by_label("Your name").fill("Ana")
        # The first script and shot are chosen on load; render two takes of it.
        for count, motion in ((1, "0.2"), (2, "0.9")):  # two motions: takes that show the same pictures are no pair
            strength = page.get_by_label("number input for Motion (Ken Burns strength; LTX: keyframe freedom)")
            strength.fill(motion)
            strength.press("Enter")
            page.wait_for_timeout(300)
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
        page.get_by_text("Pair 1 of 1").wait_for(timeout=30_000)  # opening the tab deals the first pair
        # Without a name the page says what to do, as guidance rather than an error.
        page.get_by_label("Your name").fill("")
        page.get_by_role("button", name="Next pair").click()
        page.get_by_text("Enter your name (2-60 characters), so that your votes and takes count as yours").wait_for(timeout=30_000)
        assert page.get_by_text("Error", exact=True).count() == 0
        page.get_by_label("Your name").fill("Ana")
        # Before a pair is dealt, there is nothing to vote on.
        assert all(page.locator(f"#{b}").is_disabled() for b in ("vote-left", "vote-right", "vote-tie", "vote-both-bad"))
        page.get_by_role("button", name="Next pair").click()
        page.locator("#review-left video").wait_for(timeout=30_000)
        page.locator("#review-right video").wait_for(timeout=30_000)
        page.get_by_text("Pair 1 of 1").wait_for(timeout=30_000)
        assert page.locator("#vote-left").is_enabled()
        # The two players move together: play both, then step one frame.
        page.get_by_role("button", name="Play / pause both").click()
        page.wait_for_timeout(700)
        assert page.evaluate(f"{PLAYERS}.map(v => v.paused)") == [False, False]
        # Drift while playing is corrected continuously, to within a frame.
        page.evaluate(f"{PLAYERS}[1].currentTime += 0.4")
        page.wait_for_timeout(2500)
        drifts = []
        for _ in range(5):
            page.wait_for_timeout(150)
            drifts.append(page.evaluate(f"(() => {{ const [a, b] = {PLAYERS}; return Math.abs(a.currentTime - b.currentTime); }})()"))
        assert max(drifts) <= 1 / 30, drifts
        page.get_by_role("button", name="one frame ▶").click()
        page.wait_for_timeout(300)
        times = page.evaluate(f"{PLAYERS}.map(v => v.currentTime)")
        assert times[0] == pytest.approx(times[1], abs=0.02) and times[0] > 0
        page.locator("#reasons-left").get_by_label("flicker").check()
        shoot(page, "review-1280")
        page.keyboard.press("ArrowLeft")  # ← votes "left is better"
        page.get_by_text("Vote saved (left)").wait_for(timeout=30_000)
        assert [(r["reviewer"], r["choice"], r["reasons"]) for r in desk.store.vote_rows()] == [
            ("Ana", "left", '["left: flicker"]')]

        # The reveal stays; the next pair came by itself, and there is none: the page says so, capitalised,
        # the players stay empty rather than showing errors, and the vote controls are off.
        page.get_by_text("You have judged all 1 pair(s) of takes").wait_for(timeout=30_000)
        assert page.locator("#review-reveal").inner_text().startswith("Vote saved (left). Left was")
        assert page.locator("#review-left video").count() == 0
        assert page.get_by_text("Error", exact=True).count() == 0
        assert page.locator("#vote-right").is_disabled() and page.locator("#reasons-left input").first.is_disabled()
        shoot(page, "review-1280-revealed")

        # The results followed the vote without a Refresh: the decision card on top, no empty tables.
        page.get_by_role("tab", name="Results & decision").click()
        page.get_by_text("1 vote from 1 person, 0 'both bad'").wait_for(timeout=30_000)
        # A refresh may still be finishing (the tab refreshes when it opens); read the card once it is settled.
        page.wait_for_function(
            "() => document.querySelector('#results-summary').innerText.startsWith('Decision')", timeout=30_000)
        summary = page.locator("#results-summary").inner_text()
        assert summary.startswith("Decision\nNow: the default method is interpolation")
        assert "Apply: default to interpolation: nothing changes, interpolation is already the default" in summary
        assert "By method: appears once" in summary and "-0.00" not in summary and "`" not in summary
        page.locator("#results-chart img").first.wait_for(timeout=30_000)
        shoot(page, "results-1280")
        # Applying the value already set is not refused.
        page.get_by_role("button", name="Apply: default to interpolation").click()
        page.get_by_text("it already was, so nothing changed").wait_for(timeout=30_000)
        # The Library's tallies follow the vote when its tab opens: one take won, the other lost.
        page.get_by_role("tab", name="Library & generate").click()
        page.wait_for_function("() => ['1 / 0 / 0', '0 / 0 / 1'].every(t => "
                               "document.querySelector('#takes-table')?.innerText.includes(t))", timeout=30_000)
        page.get_by_role("tab", name="Results & decision").click()
        page.set_viewport_size({"width": PHONE, "height": 900})
        page.wait_for_timeout(800)
        nothing_off_screen(page, PHONE)
        chart = page.locator("#results-chart img").first.bounding_box()
        assert chart["width"] >= 300 and chart["x"] + chart["width"] <= PHONE
        shoot(page, "results-412")
        page.set_viewport_size({"width": 1280, "height": 1800})
        page.get_by_role("tab", name="Compare & vote").click()
        page.set_viewport_size({"width": PHONE, "height": 900})
        page.wait_for_timeout(800)
        nothing_off_screen(page, PHONE)
        shoot(page, "review-412")


def test_the_arena_deals_pairs_in_turn_and_takes_votes_from_the_keys(served, browser):  # noqa: F811
    desk, url, _ = served
    render_takes(desk, FIRST_TITLE, "shot-001", [0.1, 0.5, 0.9])  # three takes: three pairs
    with opened(browser, url, width=1280) as page:
        page.get_by_text("keyframe(s)").first.wait_for(timeout=30_000)  # the page's load events have run
        page.get_by_label("Your name").fill("Ben")
        page.get_by_role("tab", name="Compare & vote").click()
        page.set_viewport_size({"width": PHONE, "height": 900})
        page.get_by_role("button", name="Next pair").click()
        for number, key, choice in ((1, "t", "tie"), (2, "b", "both_bad"), (3, "ArrowRight", "right")):
            page.get_by_text(f"Pair {number} of 3").wait_for(timeout=30_000)
            page.locator("#review-right video").wait_for(timeout=30_000)
            page.wait_for_function("() => !document.querySelector('#vote-tie').disabled", timeout=30_000)
            if number == 3:
                page.locator("#reasons-left").get_by_label("warping").check()
                page.locator("#reasons-right").get_by_label("warping").check()
                page.locator("#reasons-right").get_by_label("too static").check()
                nothing_off_screen(page, PHONE)
                shoot(page, "review-412-pair")
            page.keyboard.press(key)
            page.get_by_text(f"Vote saved ({choice.replace('_', ' ')})").wait_for(timeout=30_000)
        page.get_by_text("You have judged all 3 pair(s)").wait_for(timeout=30_000)
        # Two settings have a decisive vote between them: the ranking chart draws them, labels on the chart.
        page.set_viewport_size({"width": 1280, "height": 1800})
        page.get_by_role("tab", name="Results & decision").click()
        page.get_by_text("3 votes from 1 person, 1 'both bad'").wait_for(timeout=30_000)
        page.locator("#results-chart img").first.wait_for(timeout=30_000)
        shoot(page, "results-1280-ranked")
        page.set_viewport_size({"width": PHONE, "height": 900})
        page.wait_for_timeout(800)
        nothing_off_screen(page, PHONE)
        headers_keep_their_words(page, "#results-summary", "th, #results-summary td")
        chart = page.locator("#results-chart img").first.bounding_box()
        assert chart["width"] >= 300 and chart["x"] + chart["width"] <= PHONE
        shoot(page, "results-412-ranked")
    assert sorted((r["choice"], r["reasons"]) for r in desk.store.vote_rows()) == [  # rows share a second: no order
        ("both_bad", "[]"), ("right", '["both: warping", "right: too static"]'), ("tie", "[]")]


class HeldAfterFirstFrame:
    """Progress that holds the render after its first frame until Cancel is pressed (60 s at most).

    A 10 s shot at the tests' small size renders in a second or two, so on a fast (or a slow, loaded) machine the
    render could end before the click lands; held, the Cancel always meets a running render, and the render's own
    per-frame check is what stops it.
    """

    def __init__(self, listener, cancel) -> None:
        self.listener, self.cancel = listener, cancel

    def __getattr__(self, name):
        return getattr(self.listener, name)

    def frames_done(self, count: int, label: str | None = None) -> None:
        self.listener.frames_done(count, label)
        deadline = time.monotonic() + 60
        while not self.cancel.cancelled and time.monotonic() < deadline:
            time.sleep(0.05)


def hold_renders_of(shot_id: str, monkeypatch) -> None:
    render_take = ReviewDesk.render_take

    def held(desk, title_id, shot, settings, *, who, progress=None, cancel=None):
        if shot == shot_id:
            progress = HeldAfterFirstFrame(progress, cancel)
        return render_take(desk, title_id, shot, settings, who=who, progress=progress, cancel=cancel)

    monkeypatch.setattr(ReviewDesk, "render_take", held)


def test_library_reads_at_1280_px_and_follows_renders_and_cancels(served, monkeypatch, browser):  # noqa: F811
    desk, url, _ = served
    hold_renders_of("shot-004", monkeypatch)
    with opened(browser, url, width=1280) as page:
        page.get_by_text("keyframe(s)").first.wait_for(timeout=30_000)
        caption = page.get_by_text("shot_001_A.png · 0 s").first
        caption.wait_for(timeout=30_000)  # captioned keyframes, the caption on screen inside the gallery
        gallery, box = page.locator("#keyframes").bounding_box(), caption.bounding_box()
        assert box["height"] > 0 and gallery["y"] <= box["y"] and box["y"] + box["height"] <= gallery["y"] + gallery["height"]
        page.get_by_text("No takes of this shot yet: render one below").wait_for()
        assert page.locator("#takes-table").is_hidden()  # the note explains; no empty grid with squeezed headers
        promote = page.get_by_role("button", name="Promote to canonical clip")
        unpin = page.get_by_role("button", name="Unpin (batches may replace it)")
        assert promote.is_disabled() and unpin.is_disabled()  # no take yet, nothing pinned
        two_stage = page.get_by_label("LTX two-stage recipe", exact=False)
        assert page.get_by_label("LTX seed").is_disabled() and two_stage.is_disabled()  # interpolation is chosen
        # The sample workspace's model is the ltx-video-2b-distilled preset: its 8 steps and guidance 1 are the
        # starting values.
        assert (page.get_by_label("number input for LTX steps").input_value(),
                page.get_by_label("number input for LTX guidance").input_value()) == ("8", "1")
        # This machine has no GPU: LTX is offered as unavailable, with the reason.
        page.locator("#ltx-unavailable", has_text="LTX-Video is unavailable here: it needs a CUDA GPU, and this machine has none").wait_for()
        page.get_by_label("LTX-Video (unavailable here)").check()
        page.wait_for_timeout(500)
        assert page.get_by_label("LTX seed").is_enabled() and two_stage.is_enabled() and two_stage.is_checked()
        # LTX cannot run here: Render waits (the note above says why, once), so nothing renders into a refusal.
        blocked = page.get_by_role("button", name="Render take (LTX cannot run here: see above)")
        blocked.wait_for(timeout=30_000)
        assert blocked.is_disabled() and page.get_by_text("needs a CUDA GPU").count() == 1
        page.get_by_label("Interpolation").check()
        page.wait_for_timeout(500)
        assert page.get_by_label("LTX seed").is_disabled()
        page.get_by_role("button", name="Render take", exact=True).wait_for(timeout=30_000)
        # Cancel with nothing running says so.
        page.get_by_role("button", name="Cancel").click()
        page.get_by_text("Nothing is rendering, so there is nothing to cancel.").wait_for(timeout=30_000)
        assert page.get_by_text("Cancelled.").count() == 0
        for label in ("Segment", "Age bucket", "Shot status", "Shot method", "Script", "Shot"):
            field = page.get_by_label(label, exact=True)
            assert field.bounding_box()["width"] >= 100, label  # room for the value, not a sliver
        shoot(page, "library-1280")

        page.get_by_label("Your name").fill("Ana")
        page.get_by_role("button", name="Render take").click()
        page.locator("p", has_text="rendered in").wait_for(timeout=60_000)
        page.wait_for_function("() => document.querySelector('#takes-table')?.innerText.includes('Ana')", timeout=30_000)
        assert "[takes only]" in page.get_by_label("Shot", exact=True).input_value()  # the label followed the render
        assert promote.is_enabled()
        for column in ("motion", "flicker", "render s", "won / tied / lost"):
            header = page.locator("#takes-table").get_by_text(column, exact=True).first
            assert header.bounding_box()["x"] + header.bounding_box()["width"] <= 1280, column  # every column on screen
        page.get_by_text("Motion: mean change between frames, in grey levels per frame").wait_for()
        promote.click()
        page.get_by_text("the title's metadata is updated").first.wait_for(timeout=30_000)
        # The promoted take is marked, with a label people can read.
        page.wait_for_function("() => document.querySelector('#takes-table')?.innerText.includes('★ take 1 · interp motion 0.50 smooth · ')",
                               timeout=30_000)
        page.wait_for_function("() => !document.querySelector('#library-unpin')?.disabled", timeout=30_000)
        assert unpin.is_enabled()  # the shot is pinned now: an operator may unpin it
        shoot(page, "library-1280-with-take")
        page.set_viewport_size({"width": PHONE, "height": 900})
        page.wait_for_timeout(800)
        shoot(page, "library-412")
        nothing_off_screen(page, PHONE)
        headers_keep_their_words(page, "#takes-table")
        for column in ("take", "motion", "won / tied / lost"):  # every column on the phone's screen too
            header = page.locator("#takes-table").get_by_text(column, exact=True).first.bounding_box()
            assert header["x"] >= 0 and header["x"] + header["width"] <= PHONE, column

        page.set_viewport_size({"width": 1280, "height": 1800})
        page.get_by_label("Shot", exact=True).click()
        page.get_by_role("option", name="shot-004", exact=False).click()  # the longest shot (10 s)
        page.get_by_text("zoom_out").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="Render take").click()
        page.get_by_text("Rendering…").wait_for(timeout=30_000)
        # A second click cannot be dropped without a word: Render waits, saying why, until this take ends.
        assert page.get_by_role("button", name="Rendering a take…").is_disabled()
        page.get_by_role("button", name="Cancel").click()
        page.get_by_text("Cancelled. Clips finished before the cancel are kept").wait_for(timeout=90_000)
        page.wait_for_timeout(1500)
        assert page.get_by_text("Rendering…").count() == 0
        assert [t.shot_id for t in desk.store.takes()] == ["shot-001"]
        assert list((desk.workspace.root / "videos" / "takes").rglob("shot_004/*.mp4")) == []


def test_assemble_tab_shows_the_timeline_and_previews_a_narrated_cut(served, browser):  # noqa: F811
    desk, url, _ = served
    with opened(browser, url, width=1280) as page:
        page.get_by_role("tab", name="Assemble").click()
        page.locator("#assemble-timeline img").wait_for(timeout=30_000)
        page.get_by_text("Friday, five p.m. Phone goes in the glovebox.").first.wait_for(state="attached", timeout=30_000)  # the table
        page.get_by_role("button", name="Preview (270x480)").click()
        page.get_by_text("in sync: boundaries within", exact=False).wait_for(timeout=120_000)
        assert page.locator("#assemble-video video").get_attribute("src").endswith(".preview.mp4")
        shoot(page, "assemble-1280")
        page.set_viewport_size({"width": PHONE, "height": 900})
        page.wait_for_timeout(800)
        nothing_off_screen(page, PHONE)
        assert page.locator("#assemble-timeline img").bounding_box()["height"] >= 120  # a readable timeline
        shoot(page, "assemble-412")


PHONE_TABS = {  # each tab, and something that shows its content is on screen
    "Library & generate": "#takes-table",
    "Compare & vote": "#review-arena",
    "Results & decision": "#results-summary",
    "Assemble": "#assemble-timeline img",
}
TABLES = {  # the tables each tab shows: (where, which cells, the scrolling part that must not scroll sideways)
    "Library & generate": ("#takes-table", "th, #takes-table [role=gridcell]", "#takes-table .virtual-table-viewport"),
    "Results & decision": ("#results-summary", "th, #results-summary td", "#results-summary table"),
    "Assemble": ("#assembly-table", "th, #assembly-table [role=gridcell]", "#assembly-table .virtual-table-viewport"),
}


def test_a_phone_reaches_every_tab_by_name_and_reads_every_table(served, browser):  # noqa: F811
    desk, url, _ = served
    render_takes(desk, FIRST_TITLE, "shot-001", [0.1, 0.9], who="Walker")  # rows for the takes and figures tables
    choose_set(desk, "phone", 7)  # rows for the comparison set's table (its moves: "pan_right", "tilt_down", ...)
    with opened(browser, url, width=PHONE) as page:
        page.get_by_text("keyframe(s)").first.wait_for(timeout=30_000)
        page.wait_for_function("() => document.querySelector('#takes-table')?.innerText.includes('Walker')", timeout=30_000)
        page.get_by_text("Friday, five p.m. Phone goes in the glovebox.").first.wait_for(state="attached", timeout=30_000)
        assert page.get_by_role("button", name="More tabs").filter(visible=True).count() == 0  # no "⋯" menu
        for name, content in PHONE_TABS.items():
            tab = page.get_by_role("tab", name=name)
            box = tab.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, name  # on screen, labelled
            tab.click()
            page.locator(content).first.wait_for(timeout=30_000)
            assert tab.get_attribute("aria-selected") == "true", name
            if name == "Results & decision":  # the objective figures have a row per take setting to check
                figures = page.locator("#results-summary table", has_text="render s per take")
                assert figures.locator("tbody tr").count() == 2
            page.wait_for_timeout(500)
            nothing_off_screen(page, PHONE)
            if name in TABLES:
                where, cells, scroller = TABLES[name]
                headers_keep_their_words(page, where, cells)
                tables_fit(page, scroller, PHONE)
            if name == "Results & decision":  # the comparison set's table, one row per shot of the set
                page.locator("#comparison-table [role=gridcell]", has_text="tilt_").first.wait_for(timeout=30_000)
                headers_keep_their_words(page, "#comparison-table", "th, #comparison-table [role=gridcell]")
                tables_fit(page, "#comparison-table .virtual-table-viewport", PHONE)
            shoot(page, f"tables-{name.split()[0].lower()}-412")

        page.get_by_role("tab", name="Assemble").click()
        # On a phone the assembly table keeps the columns one edits by, and the narration; fullscreen shows them all.
        visible = [h for h in page.locator("#assembly-table th").all() if h.is_visible()]
        assert [h.inner_text().strip() for h in visible] == ["shot", "start s", "transition in", "transition s", "narration"]
        page.locator("#assembly-table").get_by_role("button", name="Fullscreen").click()
        page.locator("#assembly-table th", has_text="words from s").wait_for(timeout=10_000)
        headers_keep_their_words(page, "#assembly-table", "th, #assembly-table [role=gridcell]")
        shoot(page, "tables-assemble-412-fullscreen")
        page.locator("#assembly-table").get_by_role("button", name="Exit fullscreen mode").click()
        page.locator("#assembly-table th", has_text="words from s").wait_for(state="hidden", timeout=10_000)
        # The timeline is shown at half its drawn size or more (its 28 px labels stay about 14 px), never stretched,
        # and its legend sits above the picture, not over the waveform.
        timeline = page.locator("#assemble-timeline img")
        scale, aspect, natural_aspect, legend_bottom, top = timeline.evaluate("""i => { const r = i.getBoundingClientRect();
            const legend = i.closest('#assemble-timeline').querySelector('[data-testid=block-label]').getBoundingClientRect();
            return [r.width / i.naturalWidth, r.width / r.height, i.naturalWidth / i.naturalHeight, legend.bottom, r.top]; }""")
        assert scale >= 0.45 and aspect == pytest.approx(natural_aspect, rel=0.02) and legend_bottom <= top + 1
        assert timeline.bounding_box()["height"] >= 120

        page.set_viewport_size({"width": 1280, "height": 1800})
        for name in PHONE_TABS:
            page.get_by_role("tab", name=name).click()
            page.locator(PHONE_TABS[name]).first.wait_for(timeout=30_000)
            page.wait_for_timeout(500)
            nothing_off_screen(page, 1280)
            if name in TABLES:
                where, cells, scroller = TABLES[name]
                headers_keep_their_words(page, where, cells)
                tables_fit(page, scroller, 1280)
            shoot(page, f"tables-{name.split()[0].lower()}-1280")
        assert len([h for h in page.locator("#assembly-table th").all() if h.is_visible()]) == 8  # every column


def test_a_reviewer_sees_the_operator_buttons_off(small_workspace, tmp_path, browser):
    from studio.services import ReviewDesk, Studio
    from studio.services.access import AccessRules, Login
    from studio.store import VoteStore
    from tests.serving import launched

    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))
    with launched(desk, password="pw", rules=AccessRules.from_names(Login.PASSWORD, "olga")) as url:
        with opened(browser, url, width=1280) as page:
            page.get_by_label("username").fill("rita")
            page.get_by_label("password").fill("pw")
            page.get_by_role("button", name="Login").click()
            page.get_by_text("rita: reviewer; you can render takes (up to 2 at a time) and vote.").wait_for(timeout=30_000)
            assert page.get_by_role("button", name="Render take").is_enabled()
            page.get_by_text("Replace a keyframe (operators)").click()
            for name in ("Render every shot of this script (canonical clips, workspace settings)",
                         "Check and replace", "Promote to canonical clip"):
                assert page.get_by_role("button", name=name).is_disabled(), name
            page.get_by_role("tab", name="Results & decision").click()
            assert page.get_by_role("button", name="Apply: default to LTX-Video").is_disabled()
            assert page.get_by_role("button", name="Apply: default to interpolation").is_disabled()
            for name in ("Choose a stratified set", "Render both methods for the set"):
                assert page.get_by_role("button", name=name).is_disabled(), name
            page.get_by_role("tab", name="Assemble").click()
            for name in ("Export (1080x1920, operators)", "Save edits (operators)", "Drop edits (operators)"):
                assert page.get_by_role("button", name=name).is_disabled(), name
            assert page.get_by_role("button", name="Preview (270x480)").is_enabled()
            shoot(page, "reviewer-1280")


def test_the_script_lists_follow_the_files_while_the_app_runs(served, browser):  # noqa: F811
    import json
    import uuid

    from tests.conftest import script_file

    desk, url, _ = served
    sample = script_file(desk.workspace)
    new_id = str(uuid.uuid4())
    with opened(browser, url, width=1280) as page:
        page.get_by_text("keyframe(s)").first.wait_for(timeout=30_000)
        sample.write_text(sample.read_text()[:200])  # truncated while the page is open
        data = json.loads(script_file(desk.workspace, FIRST_TITLE).read_text())
        added = script_file(desk.workspace, FIRST_TITLE).parent / f"{new_id}.json"
        added.write_text(json.dumps(data | {"title_id": new_id, "title": "A script added while the app runs"}))
        for tab, note in (("Library & generate", None), ("Assemble", "#assemble-broken-scripts")):
            page.get_by_role("tab", name=tab).click()
            if note is not None:  # opening the tab reads the files: the list is fresh before anyone opens it
                page.locator(note, has_text="1 script file(s) do not load").wait_for(timeout=30_000)
            page.get_by_label("Script", exact=True).filter(visible=True).first.click()  # opening it reads them too
            page.get_by_role("option", name="A script added while the app runs", exact=False).first.wait_for(timeout=30_000)
            options = page.get_by_role("option").all_inner_texts()
            assert not any("Golden hour in the meadow" in option for option in options), (tab, options)
            assert len(options) == len(set(options)), (tab, options)  # none listed twice
            page.keyboard.press("Escape")
        page.get_by_role("tab", name="Library & generate").click()
        page.locator("#broken-scripts").get_by_text("1 script file(s) do not load").wait_for(timeout=30_000)
