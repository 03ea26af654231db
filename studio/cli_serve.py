"""`python -m studio serve`: the studio web app, behind the login its environment asks for (app.py runs this)."""

from __future__ import annotations

import argparse
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studio.services.access import AccessRules
    from studio.settings import Environment


def _access_rules(env: Environment) -> AccessRules:
    from studio.services.access import AccessRules, Login

    login = Login.SPACE if env.on_space else Login.PASSWORD if env.password else Login.NONE
    return AccessRules.from_names(login, env.operators)


def _password_check(env: Environment, rules: AccessRules) -> Callable[[str, str], bool] | None:
    """Gradio's login check: STUDIO_PASSWORD for everyone, or STUDIO_OPERATOR_PASSWORD for the operators' names."""
    if not env.password:
        return None
    password = env.password.get_secret_value()
    operator_password = env.operator_password.get_secret_value() if env.operator_password else None

    def check(user: str, given: str) -> bool:
        named_operator = rules.caller(login_name=user, client_host=None).is_operator and bool(rules.operators)
        return given == (operator_password if named_operator and operator_password else password)

    return check


def _serve(args: argparse.Namespace, open_workspace: Callable, cluster: Callable) -> int:
    from studio.services import ReviewDesk, Studio
    from studio.settings import environment
    from studio.store import VoteStore
    from studio.ui.app import build_app, page_theme, served_folders, without_spaces_reloader_traceback

    env = environment()
    if env.on_space and "STUDIO_HOME" not in os.environ and os.access("/data", os.W_OK):
        os.environ["STUDIO_HOME"] = "/data"  # Hugging Face persistent storage: votes and takes survive restarts
    workspace = open_workspace(args.workspace or env.workspace)
    db_path = Path(args.db or env.db or workspace.root / "review" / "votes.db")
    desk = ReviewDesk(Studio.open(workspace, cluster(args)), VoteStore(db_path))
    rules = _access_rules(env)
    page = build_app(desk, on_space=env.on_space, rules=rules)
    without_spaces_reloader_traceback()
    page.queue(default_concurrency_limit=4).launch(
        server_name=args.host or env.server_host, server_port=args.port or env.server_port,
        allowed_paths=served_folders(desk),
        auth=_password_check(env, rules),
        prevent_thread_lock=args.no_block,
        max_file_size="100mb",  # keyframe uploads; images are checked again before use
        theme=page_theme(),
    )
    return 0


def add_serve_command(commands: argparse._SubParsersAction, common: argparse.ArgumentParser, open_workspace: Callable,
                      cluster: Callable, add_cluster_arguments: Callable) -> None:
    """Register `serve`; `open_workspace`, `cluster` (Ray options from the arguments) and `add_cluster_arguments`
    are the CLI's own."""
    serve = commands.add_parser("serve", parents=[common], help="start the studio web app (app.py does this)")
    serve.add_argument("--workspace", help="workspace folder (default: $STUDIO_WORKSPACE or the sample copy)")
    serve.add_argument("--db", help="vote database (default: $STUDIO_DB or WORKSPACE/review/votes.db)")
    serve.add_argument("--host", help="listen address (default: $STUDIO_HOST, 127.0.0.1; 0.0.0.0 on a Space)")
    serve.add_argument("--port", type=int, help="port (default: $STUDIO_PORT, $GRADIO_SERVER_PORT or 7860)")
    serve.add_argument("--no-block", action="store_true", help=argparse.SUPPRESS)
    add_cluster_arguments(serve)
    serve.set_defaults(handler=functools.partial(_serve, open_workspace=open_workspace, cluster=cluster))
