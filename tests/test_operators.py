"""Operators decide, reviewers vote and render takes: the rule, its enforcement through the API, and DECISION.md's history."""

import re

import pytest

gradio_client = pytest.importorskip("gradio_client")

from studio.errors import ConfigError, StudioError  # noqa: E402
from studio.services import ReviewDesk, Studio  # noqa: E402
from studio.services.access import (  # noqa: E402
    AccessRules, Caller, Login, OperatorOnlyError, RenderQueue, TooManyRendersError, require_operator,
)
from studio.store import VoteStore  # noqa: E402
from tests.conftest import SAMPLE_TITLE, real_photo  # noqa: E402
from tests.serving import launched  # noqa: E402

REFUSED = "only operators can {}; ask an operator or sign in as one"


def test_who_is_an_operator_in_each_kind_of_deployment():
    local = AccessRules()
    space = AccessRules.from_names(Login.SPACE, " Olga, bo ")
    closed_space = AccessRules(Login.SPACE)
    private = AccessRules(Login.PASSWORD)
    named = AccessRules.from_names(Login.PASSWORD, "olga")
    calls = [
        (local, None, "127.0.0.1"), (local, None, "::1"), (local, None, "192.168.1.20"), (local, None, None),
        (space, "olga", "10.0.0.1"), (space, "BO", "10.0.0.1"), (space, "rita", "127.0.0.1"), (space, None, "127.0.0.1"),
        (closed_space, "olga", "127.0.0.1"),
        (private, "rita", "10.0.0.1"), (named, "rita", "127.0.0.1"), (named, "Olga", "10.0.0.1"),
    ]
    assert [rules.caller(login_name=name, client_host=host) for rules, name, host in calls] == [
        Caller("", True), Caller("", True), Caller("", False), Caller("", False),
        Caller("olga", True), Caller("BO", True), Caller("rita", False), Caller("", False),
        Caller("olga", False),
        Caller("rita", True), Caller("rita", False), Caller("Olga", True),
    ]


def test_operators_named_without_any_login_stop_start_up_with_the_fix():
    with pytest.raises(ConfigError, match="set STUDIO_PASSWORD too"):
        AccessRules.from_names(Login.NONE, "olga")
    assert AccessRules.from_names(Login.NONE, " , ") == AccessRules()


def test_require_operator_refuses_a_reviewer_with_the_way_out():
    require_operator(Caller("olga", True), "apply a decision")
    with pytest.raises(OperatorOnlyError) as refused:
        require_operator(Caller("rita", False), "apply a decision")
    assert str(refused.value) == REFUSED.format("apply a decision")


def test_a_reviewer_may_queue_two_renders_and_an_operator_more():
    line = RenderQueue(per_reviewer=2)
    rita, olga = Caller("rita", False), Caller("olga", True)
    with line.place(rita, "rita"), line.place(rita, "rita"):
        with pytest.raises(TooManyRendersError, match="you already have 2 render.s. queued or running"):
            with line.place(rita, "rita"):
                raise AssertionError("a third render was let into the line")
        with line.place(Caller("", False), "session:abc"), line.place(olga, "olga"), line.place(olga, "olga"):
            assert line.waiting() == 5
    assert line.waiting() == 0
    with line.place(rita, "rita"):  # places come back when a render ends
        assert line.waiting() == 1


@pytest.fixture
def logged_in(small_workspace, tmp_path):
    """The app behind a password login where only 'olga' is an operator; clients for olga and the reviewer rita."""
    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))
    with launched(desk, password="pw", rules=AccessRules.from_names(Login.PASSWORD, "olga"), renders_per_reviewer=2) as url:
        yield (desk, gradio_client.Client(url, auth=("olga", "pw"), verbose=False),
               gradio_client.Client(url, auth=("rita", "pw"), verbose=False))


def test_only_operators_decide_promote_replace_render_scripts_and_export(logged_in, tmp_path):
    desk, olga, rita = logged_in
    # Reviewers render takes; the take is theirs by login, whatever name the client types.
    status, _, _ = rita.predict(SAMPLE_TITLE, "shot-001", "interp", 0.2, True, "ultrafast", 3.0, 8, 42, "olga",
                                api_name="/render_shot")
    assert status.startswith("Take `")
    olga.predict(SAMPLE_TITLE, "shot-001", "interp", 0.8, True, "ultrafast", 3.0, 8, 42, "", api_name="/render_shot")
    first, second = desk.store.takes()
    assert (first.created_by, second.created_by) == ("rita", "olga")
    image = tmp_path / "new.png"
    __import__("PIL.Image", fromlist=["Image"]).fromarray(real_photo("sunset", 480)).save(image)
    config = desk.workspace.root / "config" / "pipeline.yaml"
    before = config.read_text()
    _, timeline, _, _ = rita.predict(SAMPLE_TITLE, "interp", api_name="/assembly_timeline")  # reviewers may look
    refusals = [
        ("apply a decision", "/apply_decision", (True, True)),
        ("promote takes", "/promote_take", (first.id,)),
        ("replace keyframes", "/replace_keyframe",
         (SAMPLE_TITLE, "shot-001", "shot_001_A.png", gradio_client.handle_file(str(image)))),
        ("render every shot of a script", "/render_script", (SAMPLE_TITLE,)),
        ("export the final video", "/assemble", (SAMPLE_TITLE, "interp")),
        ("edit the final cut", "/save_assembly_edits", (SAMPLE_TITLE, "interp", timeline)),
        ("edit the final cut", "/drop_assembly_edits", (SAMPLE_TITLE, "interp")),
        ("export the votes (they name every reviewer and hold their comments)", "/export_votes", ()),
        ("export files (a batch export writes a new file in the workspace)", "/export_batch", ([],)),
        ("check reproducibility (it renders a take again for each method)", "/check_reproducibility", ("interp",)),
    ]
    for action, api_name, args in refusals:
        with pytest.raises(gradio_client.exceptions.AppError, match=re.escape(REFUSED.format(action))):
            rita.predict(*args, api_name=api_name)
    assert config.read_text() == before and not (desk.workspace.root / "DECISION.md").exists()
    assert not (desk.workspace.root / "exports").exists()
    assert not desk.workspace.clip_path(*desk.shot(SAMPLE_TITLE, "shot-001"), "interp").exists()
    assert [t.id for t in desk.store.takes()] == [first.id, second.id]
    # Reviewers vote, always as their login: another name is refused, an empty one is the login.
    with pytest.raises(gradio_client.exceptions.AppError, match="you are signed in as rita, and your votes count for "
                                                                "rita; 'NotCarol' is someone else"):
        rita.predict("NotCarol", api_name="/next_pair")
    token, *_ = rita.predict("", api_name="/next_pair")
    with pytest.raises(gradio_client.exceptions.AppError, match="you are signed in as rita"):
        rita.predict("olga", token, "left", [], "", api_name="/vote")
    assert rita.predict("RITA", token, "left", ["left: flicker"], "", api_name="/vote").startswith("Vote saved (left)")
    assert [(row["reviewer"], row["choice"]) for row in desk.store.vote_rows()] == [("rita", "left")]
    # The operator does what the reviewer could not.
    assert "is now `true`" in olga.predict(True, True, api_name="/apply_decision")
    assert "is now `videos/interp/" in olga.predict(first.id, api_name="/promote_take")


def test_a_reviewer_past_the_render_limit_is_refused_at_once(small_workspace, tmp_path):
    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))
    with launched(desk, password="pw", rules=AccessRules(Login.PASSWORD, frozenset({"olga"})), renders_per_reviewer=0) as url:
        rita = gradio_client.Client(url, auth=("rita", "pw"), verbose=False)
        with pytest.raises(gradio_client.exceptions.AppError, match="the most a reviewer may; wait for one to finish"):
            rita.predict(SAMPLE_TITLE, "shot-001", "interp", 0.2, True, "ultrafast", 3.0, 8, 42, "", api_name="/render_shot")
        assert desk.store.takes() == []


def test_decision_md_keeps_every_decision_newest_first(small_workspace, tmp_path):
    desk = ReviewDesk(Studio.open(small_workspace), VoteStore(tmp_path / "votes.db"))
    record = desk.workspace.root / "DECISION.md"
    record.write_text("# Default generation method\n\nDecided 2026-01-01 10:00 UTC: `switches.use_ltx: false`.\n")
    desk.apply_decision(True, force=True, by=Caller("olga", True))
    desk.apply_decision(True, force=True, by=Caller("olga", True))  # already set: nothing changes, nothing is added
    desk.apply_decision(False, force=True, by=Caller("bo", True))
    text = record.read_text()
    headings = re.findall(r"^## (?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: )?(.*)$", text, re.M)
    assert headings == ["`switches.use_ltx: false`", "`switches.use_ltx: true`", "An earlier decision"]
    assert re.findall(r"^Applied by .*$", text, re.M) == [
        "Applied by bo, forced against the votes' recommendation.",
        "Applied by olga, forced against the votes' recommendation."]
    assert text.startswith("# Default generation method\n\nEvery decision, newest first; earlier ones are kept below.\n")
    assert text.rstrip().endswith("Decided 2026-01-01 10:00 UTC: `switches.use_ltx: false`.")


def test_serve_logs_operators_in_with_their_own_password(monkeypatch):
    from studio.cli_serve import _access_rules, _password_check
    from studio.settings import environment

    monkeypatch.setenv("STUDIO_PASSWORD", "reviewers")
    monkeypatch.setenv("STUDIO_OPERATORS", "olga")
    monkeypatch.setenv("STUDIO_OPERATOR_PASSWORD", "operators")
    env = environment()
    rules = _access_rules(env)
    assert rules == AccessRules(Login.PASSWORD, frozenset({"olga"}))
    check = _password_check(env, rules)
    assert [check(user, given) for user, given in (("olga", "operators"), ("Olga", "reviewers"), ("rita", "reviewers"),
                                                   ("rita", "operators"))] == [True, False, True, False]
    monkeypatch.delenv("STUDIO_PASSWORD")
    with pytest.raises(ConfigError, match="nobody logs in here"):
        _access_rules(environment())


def test_whom_a_vote_counts_for():
    from studio.services.access import SignInRequired

    space, private, local = AccessRules(Login.SPACE), AccessRules(Login.PASSWORD), AccessRules(Login.NONE)
    carol = Caller("carol", is_operator=False)
    for rules in (space, private):
        assert rules.voter(carol, "") == rules.voter(carol, " Carol ") == "carol"
        with pytest.raises(StudioError, match="you are signed in as carol, and your votes count for carol; 'NotCarol'"):
            rules.voter(carol, "NotCarol")
    with pytest.raises(SignInRequired, match="sign in with Hugging Face to vote: on this public Space each vote must "
                                             "belong to one person"):
        space.voter(Caller("", is_operator=False), "anyone")
    assert local.voter(Caller("", is_operator=True), "  Ana  ") == "Ana"  # locally, the typed name stands
