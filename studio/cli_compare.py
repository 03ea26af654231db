"""`python -m studio compare --set NAME [--size N] [--render]`: the comparison set from the command line."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from studio.cli_progress import TqdmProgress

EXIT_INCOMPLETE = 1


def add_compare_command(commands: argparse._SubParsersAction, common: argparse.ArgumentParser,
                        open_workspace: Callable) -> None:
    """Register `compare`; `open_workspace(path or None)` is the CLI's (the sample workspace without a path)."""
    from studio.domain.comparison import DEFAULT_SET_SIZE
    from studio.services.comparison import SET_VARIANTS

    compare = commands.add_parser(
        "compare", parents=[common], help="choose the comparison set, list it, and render both methods for it",
        description="Choose (the first time, or again with --size) a stratified set of shots, list it with its "
                    "takes and votes, and with --render make an LTX and an interpolation take of every shot.")
    compare.add_argument("--workspace", help="workspace folder (default: a copy of the bundled sample)")
    compare.add_argument("--db", help="review database (default: WORKSPACE/review/votes.db, as the app uses)")
    compare.add_argument("--set", required=True, dest="set_name", metavar="NAME", help="the set's name, e.g. pilot-1")
    compare.add_argument("--size", type=int, metavar="N",
                         help=f"choose the set anew with N shots (default for a new set: {DEFAULT_SET_SIZE})")
    compare.add_argument("--render", action="store_true", help="render the missing takes of every shot in the set")
    compare.add_argument("--variant", action="append", choices=[k for k in SET_VARIANTS if k not in ("ltx", "interp")],
                         default=[], help="also render this variant for every shot (repeatable)")
    compare.set_defaults(handler=functools.partial(run_compare, open_workspace=open_workspace))


def _table(view) -> str:
    from studio.services.comparison import BOTH_METHODS

    lines = [f"comparison set {view.chosen.name!r}: {len(view.shots)} shots (chosen {view.chosen.created_at})",
             f"{'title':28} {'shot':9} {'stratum':12} {'camera':10} {'ltx':4} {'interp':6} votes"]
    for status in view.shots:
        have = ["yes" if key in status.variants else "-" for key in BOTH_METHODS]
        lines.append(f"{status.shot.title[:28]:28} {status.shot.key.shot_id:9} {status.shot.stratum:12} "
                     f"{status.shot.camera_movement.value:10} {have[0]:4} {have[1]:6} {status.deciding_votes}")
    return "\n".join(lines)


def run_compare(args: argparse.Namespace, *, open_workspace: Callable) -> int:
    from studio.domain.comparison import DEFAULT_SET_SIZE
    from studio.services import ReviewDesk, Studio
    from studio.services.comparison import choose_set, render_set, set_view
    from studio.store import VoteStore

    workspace = open_workspace(args.workspace)
    desk = ReviewDesk(Studio.open(workspace), VoteStore(Path(args.db or workspace.root / "review" / "votes.db")))
    known = {chosen.name for chosen in desk.store.comparison_sets()}
    if args.size is not None or args.set_name not in known:
        view = choose_set(desk, args.set_name, args.size or DEFAULT_SET_SIZE)
    else:
        view = set_view(desk, args.set_name)
    print(_table(view))
    if not args.render:
        return 0
    progress = TqdmProgress()
    try:
        report = render_set(desk, args.set_name, args.variant, who="command line", progress=progress)
    finally:
        progress.close()
    print(report.summary(), file=sys.stderr)
    for failure in report.failed:
        print(f"  failed: {failure}", file=sys.stderr)
    print(_table(set_view(desk, args.set_name)))
    return EXIT_INCOMPLETE if report.failed or report.not_possible else 0
