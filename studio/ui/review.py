"""Compare and vote, as an arena: two takes of one shot, blind until the vote, then the reveal and the next pair."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import gradio as gr

from studio.errors import StudioError
from studio.services import NothingToCompare, ReviewDesk
from studio.services.access import SignInRequired
from studio.services.review import PairMode
from studio.store import CHOICES, REASON_SIDES, REASON_TAGS, REASONS
from studio.ui.errors import listen, shown_to_user
from studio.ui.identity import Gate
from studio.ui.takes_view import take_label

log = logging.getLogger(__name__)

VOTES = (("← Left is better", "left", "vote-left"), ("Tie (T)", "tie", "vote-tie"),
         ("Both bad (B)", "both_bad", "vote-both-bad"), ("Right is better →", "right", "vote-right"))
PAIR_MODE_CHOICES = [("Decide the default method (LTX vs interpolation first)", "decide"),
                     ("Tune interpolation settings (variant vs variant)", "tune")]
# The players show each take's review copy (540x960, 2 Mbps); the delivery clip is one click away under each.
FULL_CLIP = "Full clip (delivery quality) ↓"
SAID = {"left": "left is better", "right": "right is better", "tie": "a tie", "both_bad": "both bad"}


def step_js(frames: int, fps: int = 30) -> str:
    """Pause both players and move both by `frames` frames."""
    return f"""
() => {{
  const players = [...document.querySelectorAll('#review-left video, #review-right video')];
  if (!players.length) return;
  const t = Math.max(0, players[0].currentTime + ({frames}) / {fps});
  players.forEach(v => {{ v.pause(); v.currentTime = t; }});
}}
"""


PLAY_PAUSE_JS = """
() => {
  const players = [...document.querySelectorAll('#review-left video, #review-right video')];
  const start = players.some(v => v.paused);
  players.forEach(v => start ? v.play() : v.pause());
}
"""


def sided_reasons(left: list[str] | None, right: list[str] | None) -> list[str]:
    """Per-side tags as the store keeps them: a tag ticked on both sides is one 'both: ...' reason."""
    left_set, right_set = set(left or []), set(right or [])
    return [f"{side}: {tag}" for tag in REASON_TAGS for side, ticked in
            (("both", tag in left_set & right_set), ("left", tag in left_set - right_set), ("right", tag in right_set - left_set))
            if ticked]


def reveal_card(choice: str, reasons: list[str], left_label: str, right_label: str, pairs_left: int) -> str:
    """What the vote revealed, takes named as the Library names them; the page styles it as a card (#review-reveal)."""
    why = f"Your reasons: {', '.join(reasons)}. " if reasons else ""
    after = "The next pair is below." if pairs_left else "That was your last pair for now."
    return (f"Vote saved ({choice.replace('_', ' ')}). Left was **{left_label}**, right was **{right_label}**. "
            f"You said {SAID[choice]}. {why}{after}")


class ServedFiles:
    """Files as gradio serves them: each copied once into gradio's cache, where it is named by its content hash.

    Handing gradio a workspace path makes it read and hash the whole file on every deal (two delivery clips
    and two review copies per pair); a path already in its cache is served as it is. A file changed on disk
    (another mtime or size) is copied again. The cache's names hide the workspace path, so the method a
    take's folder names never reaches the page. Copies are made one at a time: twenty reviewers opening the arena
    at once wait for one copy of each file, rather than each making their own.
    """

    def __init__(self, block: gr.components.Component) -> None:
        self.block = block
        self._copies: dict[tuple[Path, int, int], str] = {}
        self._copying = threading.Lock()

    def __call__(self, path: Path) -> str:
        stat = path.stat()
        key = (path, stat.st_mtime_ns, stat.st_size)
        copy = self._copies.get(key)
        if copy is not None and Path(copy).is_file():
            return copy
        with self._copying:
            copy = self._copies.get(key)
            if copy is None or not Path(copy).is_file():
                copy = self._copies[key] = self.block.move_resource_to_block_cache(path)
        return copy

    def warm(self, files: Callable[[], Iterable[Path]]) -> threading.Thread:
        """Copy `files()` into gradio's cache in the background, one at a time; returns the thread.

        Reviewers who open the arena of a new server together would otherwise each wait for the copies of
        every take dealt to any of them (20 at once in `studio.bench votes`: a round's p95 was 0.94-1.18 s
        without these copies, 0.86-0.94 s with them). They are the copies a deal would make, made sooner.
        A file that cannot be read is left for its deal, which says why.
        """
        def copy_all() -> None:
            try:
                for path in files():
                    self(path)
            except (StudioError, OSError) as error:
                log.info("the arena's files are copied when first dealt instead: %s", error)

        thread = threading.Thread(target=copy_all, name="arena-files", daemon=True)  # never holds up a shutdown
        thread.start()
        return thread


def build_review_tab(desk: ReviewDesk, reviewer: gr.Textbox, page: gr.Blocks, gate: Gate,
                     tab: gr.Tab) -> list[gr.events.Dependency]:
    """The review tab; returns the page's vote events so other tabs can follow them."""
    with gr.Column(elem_id="review-arena"):
        gr.Markdown("Two takes of the same shot; the methods stay hidden until you vote. "
                    "Keys: **←** left is better, **→** right is better, **T** tie, **B** both bad.")
        reveal = gr.Markdown(elem_id="review-reveal")
        with gr.Row(equal_height=True):
            progress = gr.Markdown(elem_id="review-progress")
            mode = gr.Radio(PAIR_MODE_CHOICES, value="decide", label="Pairs", elem_id="pair-mode", min_width=200)
            next_button = gr.Button("Next pair", size="md", scale=0, min_width=140)
        token = gr.Textbox(visible=False, label="pair token")
        shot_info = gr.Markdown()
        with gr.Row(elem_classes=["keep-row"], elem_id="review-players"):
            with gr.Column(min_width=0):
                left = gr.Video(label="Left", elem_id="review-left", height=520, loop=True)
                left_full = gr.DownloadButton(FULL_CLIP, size="sm", elem_id="full-left")
                left_reasons = gr.CheckboxGroup(list(REASON_TAGS), label="What's wrong on the left? (optional)",
                                                interactive=False, elem_id="reasons-left")
            with gr.Column(min_width=0):
                right = gr.Video(label="Right", elem_id="review-right", height=520, loop=True)
                right_full = gr.DownloadButton(FULL_CLIP, size="sm", elem_id="full-right")
                right_reasons = gr.CheckboxGroup(list(REASON_TAGS), label="What's wrong on the right? (optional)",
                                                 interactive=False, elem_id="reasons-right")
        with gr.Row(elem_classes=["keep-row"]):
            back = gr.Button("◀ one frame", size="sm", min_width=0)
            play = gr.Button("Play / pause both", size="sm", min_width=0)
            forward = gr.Button("one frame ▶", size="sm", min_width=0)
        with gr.Row(elem_id="vote-buttons", elem_classes=["keep-row"]):
            buttons = [gr.Button(text, variant="primary", elem_id=elem_id, interactive=False, min_width=120)
                       for text, _, elem_id in VOTES]
        comment = gr.Textbox(label="Comment (optional)", lines=1, interactive=False)
        # The /vote endpoint's inputs: the choice and the reasons as the API sends them.
        choice = gr.Radio(list(CHOICES), visible=False, label="choice")
        reasons = gr.CheckboxGroup(list(REASONS), visible=False, label="reasons",
                                   info=f"must each be 'side: tag', the side {', '.join(REASON_SIDES)} and the tag one "
                                        f"of {', '.join(REASON_TAGS)}")
        vote_api = gr.Button("Vote", visible=False)
        next_api = gr.Button("next_pair", visible=False)

    served = ServedFiles(left)
    served.warm(lambda: (path for take in desk.dealable_takes()
                         for path in (desk.review_copies.of(take), desk.full_clip(take))))

    def controls(enabled: bool) -> dict:
        # gr.update, not component constructors: building seven components per deal cost more than the deal itself.
        return {**{b: gr.update(interactive=enabled) for b in buttons},
                left_reasons: gr.update(value=[], interactive=enabled),
                right_reasons: gr.update(value=[], interactive=enabled),
                comment: gr.update(value="", interactive=enabled),
                **({} if enabled else {left_full: None, right_full: None})}

    def voter(typed: str, request: gr.Request | None, profile: gr.OAuthProfile | None) -> str:
        return gate.rules.voter(gate.caller(request, profile), typed)

    def on_next_click(reviewer: str, mode: PairMode = "decide", request: gr.Request | None = None,
                      profile: gr.OAuthProfile | None = None) -> dict:
        """The next blind pair for this reviewer (the signed-in person where there is a login); "tune" deals
        same-method variants instead of the decision's pairs."""
        reviewer = voter(reviewer, request, profile)
        try:
            dealt = desk.deal(reviewer, mode)
        except NothingToCompare as nothing:  # a state to explain, not an error: the players just stay empty
            text = str(nothing)
            judged, total = desk.pair_progress(reviewer)
            return {token: "", shot_info: f"**{text[:1].upper()}{text[1:]}**", left: None, right: None,
                    progress: f"**{judged} of {total}** pairs judged" if total else "", **controls(False)}
        script, shot = desk.shot(dealt.pair.title_id, dealt.pair.shot_id)
        return {
            token: dealt.pair.token,
            shot_info: f"**{script.title}** · {shot.shot_id} · `{shot.camera_movement.value}` · {shot.description}",
            left: served(desk.review_copies.of(dealt.left)),  # the light copy; the delivery clip is under the player
            right: served(desk.review_copies.of(dealt.right)),
            progress: f"**Pair {dealt.judged + 1} of {dealt.total}**",
            **controls(True),
            left_full: served(desk.full_clip(dealt.left)),
            right_full: served(desk.full_clip(dealt.right)),
        }

    @shown_to_user
    def on_vote_click(reviewer: str, pair_token: str, choice: str | None, reasons: list[str] | None = None,
                      comment: str | None = None, request: gr.Request | None = None,
                      profile: gr.OAuthProfile | None = None) -> str:
        """Vote on the pair `pair_token`, for the signed-in person where there is a login (a typed name otherwise)."""
        reviewer = voter(reviewer, request, profile)
        if not pair_token:
            raise StudioError("there is no pair to vote on; press Next pair first")
        if choice not in CHOICES:
            raise StudioError(f"choice must be one of {', '.join(CHOICES)}, not {choice!r}")
        left_take, right_take = desk.vote(reviewer, pair_token, choice, reasons or [], comment or "")
        judged, total = desk.pair_progress(reviewer)
        numbers = desk.take_numbers(left_take.title_id, left_take.shot_id)  # a pair is two takes of one shot
        left_label, right_label = (take_label(numbers[take.id], take, promoted=False) for take in (left_take, right_take))
        return reveal_card(choice, sorted(set(reasons or [])), left_label, right_label, max(0, total - judged))

    pair_outputs = [token, shot_info, left, right, progress, *buttons, left_reasons, right_reasons, comment,
                    left_full, right_full]
    def on_next_click_page(reviewer: str, mode: PairMode = "decide", request: gr.Request | None = None,
                           profile: gr.OAuthProfile | None = None) -> dict:
        """The page's Next pair: a missing name (or sign-in) is guidance in the pair's place, not an error toast."""
        try:
            return on_next_click(reviewer, mode, request, profile)
        except StudioError as error:
            text = str(error)
            where = "" if isinstance(error, SignInRequired) else " (the box at the top of the page)"
            return {token: "", shot_info: f"**{text[:1].upper()}{text[1:]}**{where}.",
                    left: None, right: None, progress: "", **controls(False)}

    pair_values = [token, shot_info, left, right, progress, left_full, right_full]

    @shown_to_user
    def on_next_api(reviewer: str, mode: PairMode = "decide", request: gr.Request | None = None,
                    profile: gr.OAuthProfile | None = None) -> tuple:
        """The next blind pair as plain values: token, shot line, the two review copies, progress, the two full
        clips ("" and None where nothing is left to compare; the shot line then says why)."""
        dealt = on_next_click(reviewer, mode, request, profile)
        return tuple(dealt.get(component) for component in pair_values)

    def on_tab_open(reviewer: str, mode: PairMode, shown: str, request: gr.Request | None = None,
                    profile: gr.OAuthProfile | None = None) -> dict:
        """Opening the tab deals the first pair (no click needed); a pair already on screen stays."""
        return {} if shown else on_next_click_page(reviewer, mode, request, profile)

    # Deals run side by side (no concurrency limit): each is a few store reads and one insert, and one reviewer's deal
    # waiting for twenty others' was most of a round under load.
    listen(tab.select, on_tab_open, [reviewer, mode, token], pair_outputs, api_visibility="private",
           show_progress="hidden", concurrency_limit=None)
    listen(next_api.click, on_next_api, [reviewer, mode], pair_values, api_name="next_pair", concurrency_limit=None)
    listen(next_button.click, on_next_click_page, [reviewer, mode], pair_outputs, api_visibility="private",
           concurrency_limit=None).then(lambda: "", None, reveal, api_visibility="private")
    back.click(None, None, None, js=step_js(-1), api_visibility="private")
    forward.click(None, None, None, js=step_js(1), api_visibility="private")
    play.click(None, None, None, js=PLAY_PAUSE_JS, api_visibility="private")

    # The API's vote takes the choice and per-side reasons directly; the page's buttons fill them in first.
    listen(vote_api.click, on_vote_click, [reviewer, token, choice, reasons, comment], reveal, api_name="vote",
           concurrency_limit=None)
    votes = []
    for button, (_, value, _) in zip(buttons, VOTES, strict=True):
        filled = listen(button.click,
                        lambda sides_left, sides_right, value=value: (value, sided_reasons(sides_left, sides_right)),
                        [left_reasons, right_reasons], [choice, reasons], api_visibility="private", queue=False)
        vote = listen(filled.then, on_vote_click, [reviewer, token, choice, reasons, comment], reveal,
                      api_visibility="private", concurrency_limit=None)
        listen(vote.success, on_next_click_page, [reviewer, mode], pair_outputs, api_visibility="private",
               concurrency_limit=None)
        votes.append(vote)
    return votes
