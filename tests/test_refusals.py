"""Bad values never reach project code as tracebacks: each is refused with a message naming what is wrong."""

import sqlite3
from dataclasses import asdict
from datetime import datetime

import pytest

from studio.cli import main
from studio.services import ReviewDesk, Studio
from studio.store import StoreError, Take, VoteStore
from tests.conftest import SAMPLE_TITLE
from tests.test_app import served  # noqa: F401 - the launched app, as a fixture

gradio_client = pytest.importorskip("gradio_client")
AppError = gradio_client.exceptions.AppError
MEN_TITLE = "d109fc88-84b8-45d0-bfcc-b15887d103c3"
SAMPLE_KEYFRAMES = f"assets/sample_workspace/images/keyframes_v1/women/14-17/{SAMPLE_TITLE}"


def test_ill_typed_and_out_of_range_arguments_are_refused_in_one_log_line(served, capfd, caplog):  # noqa: F811
    _, _, client = served
    capfd.readouterr()
    caplog.set_level("WARNING", logger="studio.ui")
    render = {"title_id": SAMPLE_TITLE, "shot_id": "shot-004", "who": "Ola", "api_name": "/render_shot"}
    refusals = [
        (dict(title_id=123, shot_id="shot-001", api_name="/shot_details"), "title_id must be text (or nothing), not 123"),
        (dict(render, motion="abc"), "/render_shot: motion must be a number from 0 to 1, not 'abc'"),
        (dict(render, motion=1e9), "/render_shot: motion must be 0 to 1, not 1000000000.0"),
        (dict(render, steps=-5), "/render_shot: steps must be 1 to 60, not -5"),
        (dict(render, method="ltx", seed=10**30),
         "seed must be 0 to 4294967295, not 1000000000000000000000000000000"),
        (dict(render, seed=2**40),  # an interpolation take checks the LTX values it does not use, too
         "seed must be 0 to 4294967295, not 1099511627776"),
        (dict(render, seed=1.5), "seed must be a whole number, not 1.5"),
        (dict(title_ids=123, api_name="/export_batch"), "title_ids must be a list of text (or nothing), not 123"),
        (dict(set_name="pilot", shots="many", api_name="/choose_comparison_set"), "/choose_comparison_set: shots must be a number, not 'many'"),
        (dict(set_name="../etc", shots=7, api_name="/choose_comparison_set"), ("a comparison set's name is 1-40 letters, digits, '-', '_' or '.', starting with a letter or digit (like "
         "'pilot-1'), not '../etc'")),
        (dict(set_name="pilot", shots=3, api_name="/choose_comparison_set"), (
            "a comparison set here needs 7 to 18 shots: at least 5, and one of each of the 3 segment x age strata and "
            "each of the 7 camera moves; at most this workspace's shots; not 3")),
        (dict(set_name="pilot", shots=5.5, api_name="/choose_comparison_set"),
         "a comparison set's size is a whole number of shots, not 5.5"),
        (dict(set_name="nope", extra=["interp-linear"], api_name="/render_comparison_set"), "no comparison set called 'nope' (sets: none yet); choose one first"),
        (dict(set_name=None, extra=["bogus"], api_name="/render_comparison_set"), (
         "/render_comparison_set: extra must be one of interp-strong, interp-linear, ltx-one-stage, not 'bogus'")),
        (dict(reviewer="Ana", mode="random", api_name="/next_pair"), "/next_pair: mode must be one of decide, tune, not 'random'"),
        (dict(title_ids=["nope", SAMPLE_TITLE], api_name="/export_batch"), "no script with title id 'nope'; the Library lists the titles"),
        (dict(title_id=SAMPLE_TITLE, method="auto", rows=None, api_name="/save_assembly_edits"),
         "rows must be a table like /assembly_timeline's: {'headers': [...], 'data': [[...], ...]}, not None"),
        (dict(title_id=SAMPLE_TITLE, method="auto", rows="notatable", api_name="/save_assembly_edits"),
         "rows must be a table like /assembly_timeline's: {'headers': [...], 'data': [[...], ...]}, not 'notatable'"),
        (dict(title_id="x" * 5000, shot_id="shot-001", api_name="/shot_details"),
         f"no script with title id '{'x' * 59}… under scenes/json/; `python -m studio list` lists the titles and their shots"),
        # Any refusal that quotes a huge input shows its first 60 characters.
        (dict(take_id="x" * 5000, api_name="/promote_take"), None),
        (dict(set_name="x" * 5000, shots=7, api_name="/choose_comparison_set"), None),
        (dict(title_ids=["x" * 5000], api_name="/export_batch"), None),
        (dict(render, who="x" * 100_000), "the name a take is credited to must be 2-60 characters, not 100,000; leave it empty to render as anonymous"),
        (dict(reviewer="Ana", pair_token="x", choice="maybe", reasons=[], comment="", api_name="/vote"),
         "/vote: choice must be one of left, right, tie, both_bad, not 'maybe'"),
        (dict(reviewer="Ana", pair_token="x", choice="left", reasons=["left: ugly"], comment="", api_name="/vote"),
         "/vote: reasons must each be 'side: tag', the side left, right, both and the tag one of flicker, warping, "
         "off-prompt, too static, artefacts, not 'left: ugly'"),
    ]
    messages = []
    for arguments, _ in refusals:
        with pytest.raises(AppError) as refusal:
            client.predict(**arguments)
        messages.append(str(refusal.value))
    assert messages == [message or clipped for (_, message), clipped in zip(refusals, messages, strict=True)]
    assert all(len(message) < 400 and f"{'x' * 59}…" in message for (_, expected), message in zip(refusals, messages)
               if expected is None)
    assert "Traceback" not in capfd.readouterr().err
    assert [r.getMessage() for r in caplog.records if r.name == "studio.ui"] == [
        f"refused: {message.splitlines()[0]}" for message in messages]


def test_assembly_edits_are_checked_not_stored_or_clamped(served):  # noqa: F811
    desk, _, client = served
    _, table, _, _ = client.predict(SAMPLE_TITLE, "auto", api_name="/assembly_timeline")

    def save(row: int, cells: dict) -> str:
        rows = [list(r) for r in table["data"]]
        for column, value in cells.items():
            rows[row][column] = value
        with pytest.raises(AppError) as refusal:
            client.predict(SAMPLE_TITLE, "auto", {"headers": table["headers"], "data": rows}, api_name="/save_assembly_edits")
        return str(refusal.value)

    assert table["data"][2][5:7] == ["cut", 0]
    assert [save(2, {5: "crossfade", 6: 1e6}), save(2, {5: "crossfade", 6: -1}), save(2, {5: "crossfade", 6: "nan"}),
            save(2, {6: 0.7}), save(2, {1: 1e308}), save(2, {7: "new words"}), save(0, {1: 0.5}), save(2, {2: 99.5})] == [
        "shot-003: a transition lasts 0 to 3 s, not 1000000.0 s",
        "shot-003: a transition lasts 0 to 3 s, not -1.0 s",
        "shot-003: 'transition s' must be a number of seconds, not 'nan'",
        "shot-003: a cut has no length; set 'transition s' to 0, or choose another transition",
        f"shot-003: a start of 1e+308 s is outside the video (0 to {table['data'][-1][2]:.2f} s)",
        f"shot-003: 'narration' cannot be edited; it is {table['data'][2][7]!r}, not 'new words'. "
        "Edit 'start s', 'transition in' or 'transition s' of shots 2 on",
        "shot-001: 'start s' cannot be edited; it is 0.0, not 0.5. "
        "Edit 'start s', 'transition in' or 'transition s' of shots 2 on",
        f"shot-003: 'end s' cannot be edited (the next shot's start moves it); it is {table['data'][2][2]!r}, not 99.5. "
        "Edit 'start s', 'transition in' or 'transition s' of shots 2 on",
    ]
    rows = [list(r) for r in table["data"]]
    rows[2][5], rows[2][6] = "crossfade", 3.0  # a legal length that does not fit beside a short shot
    rows[3][1] = rows[2][1] + 1.2
    with pytest.raises(AppError, match=r"shot-004 would last|shot-003: a 3 s crossfade does not fit beside its shots"):
        client.predict(SAMPLE_TITLE, "auto", {"headers": table["headers"], "data": rows}, api_name="/save_assembly_edits")
    assert list(desk.workspace.root.glob("audio/narration/*/*/*.edits.json")) == []  # nothing was stored


class FrozenClock(datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 1, 1, tzinfo=tz)


def test_two_exports_in_one_second_keep_both(served, monkeypatch):  # noqa: F811
    desk, _, client = served
    monkeypatch.setattr("studio.services.desk.datetime", FrozenClock)  # both exports in the same second
    monkeypatch.setattr("time.strftime", lambda fmt, *when: "20260101-000000")
    first, second = (client.predict([title], api_name="/export_batch") for title in (SAMPLE_TITLE, MEN_TITLE))
    exports = desk.workspace.root / "exports"
    assert sorted(p.name for p in exports.iterdir()) == ["batch-20260101-000000-2.yaml", "batch-20260101-000000.yaml"]
    assert [(exports / name).read_text() for name in ("batch-20260101-000000.yaml", "batch-20260101-000000-2.yaml")] == [
        open(first).read(), open(second).read()]
    assert MEN_TITLE in open(second).read() and MEN_TITLE not in open(first).read()


def fake_take(take_id: str) -> Take:
    return Take(id=take_id, title_id=SAMPLE_TITLE, shot_id="shot-001", method="interp", variant=f"v{take_id}", params={},
                input_hash="h", video_path=f"videos/takes/{take_id}.mp4", record={}, created_by="ops",
                created_at=f"2026-01-0{take_id}T00:00:00+00:00")


@pytest.fixture
def desk(small_workspace, tmp_path):
    store = VoteStore(tmp_path / "votes.db")
    store.add_take(fake_take("1"))
    store.add_take(fake_take("2"))
    return ReviewDesk(Studio.open(small_workspace), store)


def test_long_comments_are_refused_not_cut(desk):
    pair = desk.deal("Ana").pair
    with pytest.raises(StoreError, match="the comment has 2,001 characters; shorten it to 2,000 or fewer"):
        desk.vote("Ana", pair.token, "left", [], "x" * 2001)
    desk.vote("Ana", pair.token, "left", [], "y" * 2000)
    assert [row["comment"] for row in desk.store.vote_rows()] == ["y" * 2000]


def test_reviewer_names_ignore_case_and_keep_the_first_spelling(desk):
    pair = desk.deal("Ana").pair
    desk.vote(" ana ", pair.token, "tie", [], "")  # the pair dealt to Ana is ana's
    desk.vote("ANA", pair.token, "left", [], "")  # voting again replaces the vote
    assert [(r["reviewer"], r["choice"]) for r in desk.store.vote_rows()] == [("Ana", "left")]
    with pytest.raises(StoreError, match="judged all 1 pair"):
        desk.deal("aNA")


def test_a_migration_merges_reviewers_whose_names_differ_only_in_case(tmp_path):
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    from studio.store import _initial_schema

    path = tmp_path / "old.db"
    before = Migrations("shot-video-studio")  # the database as the first release left it
    before(name="0001_takes_pairs_reviewers_votes")(_initial_schema)
    db = Database(path)
    before.apply(db)
    db["takes"].insert_all([{**asdict(fake_take(i)), "params": "{}", "record": "{}"} for i in ("1", "2")])
    db["reviewers"].insert_all([{"name": "Ana", "created_at": "2026-01-01"}, {"name": "ana", "created_at": "2026-01-02"},
                                {"name": "Ola", "created_at": "2026-01-03"}])
    db["pairs"].insert_all([{"token": t, "title_id": SAMPLE_TITLE, "shot_id": "shot-001", "left_take": "1",
                             "right_take": "2", "reviewer": who, "created_at": "2026-01-04"}
                            for t, who in (("t1", "Ana"), ("t2", "ana"), ("t3", "Ola"))])
    db["votes"].insert_all([{"pair_token": t, "reviewer": who, "choice": "left", "reasons": "[]", "comment": "",
                             "created_at": "2026-01-05"} for t, who in (("t1", "Ana"), ("t2", "ana"), ("t3", "Ola"))])
    db.conn.close()

    store = VoteStore(path)
    with sqlite3.connect(path) as connection:
        assert connection.execute("select name, name_key from reviewers order by name").fetchall() == [
            ("Ana", "ana"), ("Ola", "ola")]
        assert connection.execute("select token, reviewer from pairs order by token").fetchall() == [
            ("t1", "Ana"), ("t2", "Ana"), ("t3", "Ola")]
        assert connection.execute("select pair_token, reviewer from votes order by pair_token").fetchall() == [
            ("t1", "Ana"), ("t2", "Ana"), ("t3", "Ola")]
    assert store.reviewer("ANA") == "Ana"
    assert store.judged_comparisons("Ana") == {frozenset({"1", "2"})}


def test_interpolate_into_a_folder_that_cannot_exist_is_a_clean_error(capsys):
    first, last = f"{SAMPLE_KEYFRAMES}/shot_001_A.png", f"{SAMPLE_KEYFRAMES}/shot_001_A_end.png"
    assert main(["interpolate", first, last, "--count", "1", "--out", "/etc/passwd/x"]) == 2
    assert capsys.readouterr().err == (
        "error: cannot make the output folder /etc/passwd/x: Not a directory; pass --out a folder you can write\n")


def test_an_edited_transition_that_does_not_fit_is_refused_not_shortened():
    from studio.domain.assembly import Edits, FitSettings, plan_assembly
    from studio.domain.narration import ShotNarration
    from studio.errors import NarrationError

    spans = [ShotNarration(f"shot-00{k}", start, end, "words") for k, (start, end) in enumerate(((0.3, 3.0), (3.4, 6.0), (6.2, 6.5)), 1)]
    with pytest.raises(NarrationError) as refusal:
        plan_assembly(spans, FitSettings(), Edits(transitions={"shot-003": ("crossfade", 1.2)}))
    assert str(refusal.value) == "shot-003: a 1.2 s crossfade does not fit beside its shots; at most 0.87 s here"



def test_every_event_that_takes_values_checks_them_itself(small_workspace, tmp_path):
    """Every event with inputs is wired through `listen` (Gradio's preprocessing off), so its values meet the
    studio's checks and refusals rather than a component's traceback."""
    from studio.ui.app import build_app

    page = build_app(ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db")))
    # Test-only look at Gradio's wiring: each event's function and whether Gradio preprocesses its inputs.
    wired = [(fn.name, fn.preprocess) for fn in page.fns.values() if fn.fn is not None and fn.inputs]
    assert len(wired) > 30 and [name for name, preprocessed in wired if preprocessed] == []


def test_listen_hands_a_handler_rows_and_paths_and_refuses_by_the_controls_rules(tmp_path):
    """What the page sends a handler wired through `listen`: a table's rows and an upload's path (as Gradio's own
    preprocessing would have), and a one-line refusal, naming the argument, for a value its control does not allow."""
    import gradio as gr

    from studio.ui.errors import listen, shown_to_user

    @shown_to_user
    def describe(rows: list[list[object]], upload: str | None, strength: float, mode: str) -> str:
        return f"{rows} {open(upload).read() if upload else None} {strength} {mode}"

    with gr.Blocks() as page:
        table, upload = gr.Dataframe(headers=["a", "b"]), gr.File(type="filepath")
        strength, mode = gr.Slider(0, 1), gr.Radio(["fast", "slow"])
        listen(gr.Button().click, describe, [table, upload, strength, mode], gr.Textbox(), api_name="describe")
    page.launch(prevent_thread_lock=True, quiet=True, allowed_paths=[str(tmp_path)])
    try:
        client = gradio_client.Client(page.local_url, verbose=False)
        note = tmp_path / "note.txt"
        note.write_text("hello")
        table_payload = {"headers": ["a", "b"], "data": [[1, "x"]], "metadata": None}
        assert client.predict(table_payload, gradio_client.handle_file(str(note)), 0.5, "slow",
                              api_name="/describe") == "[[1, 'x']] hello 0.5 slow"
        for strength_value, mode_value, message in ((2, "slow", "/describe: strength must be 0 to 1, not 2"),
                                                     ("x", "slow", "/describe: strength must be a number from 0 to 1, not 'x'"),
                                                     (0.5, "warp", "/describe: mode must be one of fast, slow, not 'warp'")):
            with pytest.raises(AppError) as refusal:
                client.predict(table_payload, None, strength_value, mode_value, api_name="/describe")
            assert str(refusal.value) == message
    finally:
        page.close()
