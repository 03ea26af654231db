"""Compare and vote: two takes of one shot side by side, blind until the vote is cast."""

from __future__ import annotations

import gradio as gr

from studio.errors import StudioError
from studio.services import NothingToCompare, ReviewDesk
from studio.store import CHOICES, REASON_TAGS
from studio.ui.errors import shown_to_user

# Play, pause and seek on either player drive the other, so both show the same moment.
SYNC_PLAYERS_JS = """
() => {
  const players = () => [...document.querySelectorAll('#review-left video, #review-right video')];
  if (window.__studioSync) return;
  window.__studioSync = true;
  document.addEventListener('play', e => { if (players().includes(e.target)) players().forEach(v => { if (v !== e.target) { v.currentTime = e.target.currentTime; v.play(); } }); }, true);
  document.addEventListener('pause', e => { if (players().includes(e.target)) players().forEach(v => { if (v !== e.target) v.pause(); }); }, true);
  document.addEventListener('seeked', e => { if (players().includes(e.target)) players().forEach(v => { if (v !== e.target && Math.abs(v.currentTime - e.target.currentTime) > 0.05) v.currentTime = e.target.currentTime; }); }, true);
}
"""


PLAY_PAUSE_JS = """
() => {
  const players = [...document.querySelectorAll('#review-left video, #review-right video')];
  const start = players.some(v => v.paused);
  players.forEach(v => start ? v.play() : v.pause());
}
"""


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


def build_review_tab(desk: ReviewDesk, reviewer: gr.Textbox, page: gr.Blocks) -> gr.events.Dependency:
    """The review tab; returns the vote event so other tabs can follow it."""
    gr.Markdown("Two takes of the same shot. Which side is better? Methods stay hidden until you vote.")
    next_button = gr.Button("Next pair", variant="primary")
    token = gr.Textbox(visible=False, label="pair token")
    shot_info = gr.Markdown()
    with gr.Row():
        left = gr.Video(label="Left", elem_id="review-left", height=520, loop=True)
        right = gr.Video(label="Right", elem_id="review-right", height=520, loop=True)
    with gr.Row():
        back = gr.Button("◀ one frame")
        play = gr.Button("Play / pause both")
        forward = gr.Button("one frame ▶")
    with gr.Row():
        choice = gr.Radio(
            [("Left better", "left"), ("Right better", "right"), ("Tie", "tie"), ("Both bad", "both_bad")],
            label="Your vote",
        )
        reasons = gr.CheckboxGroup(list(REASON_TAGS), label="Reasons (optional)")
    comment = gr.Textbox(label="Comment (optional)", lines=1)
    vote_button = gr.Button("Vote")
    reveal = gr.Markdown()

    @shown_to_user
    def on_next_click(reviewer: str) -> dict:
        try:
            pair, left_take, right_take = desk.next_pair(reviewer)
        except NothingToCompare as nothing:  # a state to explain, not an error: the players just stay empty
            return {token: "", shot_info: f"**{nothing}**", left: None, right: None, choice: None, reasons: [],
                    comment: "", reveal: ""}
        script, shot = desk.shot(pair.title_id, pair.shot_id)
        return {
            token: pair.token,
            shot_info: f"**{script.title}** · {shot.shot_id} · `{shot.camera_movement.value}` · {shot.description}",
            left: str(desk.workspace.root / left_take.video_path),
            right: str(desk.workspace.root / right_take.video_path),
            choice: None, reasons: [], comment: "", reveal: "",
        }

    @shown_to_user
    def on_vote_click(reviewer: str, pair_token: str, choice: str | None, reasons: list[str] | None = None, comment: str = "") -> str:
        if not pair_token:
            raise StudioError("ask for a pair first (Next pair)")
        if choice not in CHOICES:
            raise StudioError("pick left, right, tie or both bad first")
        left_take, right_take = desk.vote(reviewer, pair_token, choice, reasons or [], comment or "")
        return (
            f"Vote saved ({choice}). Left was **{left_take.variant}** (take `{left_take.id}`), "
            f"right was **{right_take.variant}** (take `{right_take.id}`). Voting again on this pair replaces your vote."
        )

    next_button.click(
        on_next_click, reviewer, [token, shot_info, left, right, choice, reasons, comment, reveal], api_name="next_pair"
    ).then(None, None, None, js=SYNC_PLAYERS_JS, api_visibility="private")
    back.click(None, None, None, js=step_js(-1), api_visibility="private")
    forward.click(None, None, None, js=step_js(1), api_visibility="private")
    play.click(None, None, None, js=PLAY_PAUSE_JS, api_visibility="private")
    return vote_button.click(
        on_vote_click, [reviewer, token, choice, reasons, comment], reveal, api_name="vote", concurrency_limit=None
    )
