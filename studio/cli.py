"""`python -m studio ...`: the only place that parses argv.

StudioError becomes one clean line on stderr and exit status 2 (a traceback
only with --debug); a batch in which some shots failed exits with 1.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from textwrap import shorten

from studio.cli_progress import TqdmProgress
from studio.errors import StudioError

EXIT_SHOTS_FAILED = 1
EXIT_ERROR = 2


def open_workspace(path: str | None):
    from studio.workspace import Workspace, sample_workspace

    if path:
        return Workspace.open(path)
    workspace = sample_workspace()
    print(f"Using the sample workspace at {workspace.root} (pass --workspace DIR for your own)", file=sys.stderr)
    return workspace


def _cluster(args: argparse.Namespace):
    """The Ray options of --ray [ADDRESS] --workers N --shared-workspace PATH, or None without --ray."""
    if args.ray is None:
        if args.workers or args.shared_workspace:
            raise StudioError("--workers and --shared-workspace go with --ray")
        return None
    from studio.services.render import ClusterOptions

    if args.workers is not None and args.workers < 1:
        raise StudioError(f"--workers must be at least 1, not {args.workers}")
    return ClusterOptions(address=args.ray or None, workers=args.workers,
                          shared_workspace=Path(args.shared_workspace) if args.shared_workspace else None)


def _add_cluster_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                        help="render on Ray: a new local instance (or $RAY_ADDRESS), or the cluster at ADDRESS")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="with --ray: shots at once (default: the cluster's GPUs, else its CPUs)")
    parser.add_argument("--shared-workspace", metavar="PATH",
                        help="with --ray: the workspace's path on the workers (default: clips travel as bytes)")


def _cmd_generate(args: argparse.Namespace) -> int:
    from studio.services import Selection, Studio

    studio = Studio.open(open_workspace(args.workspace), _cluster(args))
    method = args.method
    if method == "svd":
        studio, method = studio.with_svd(), "ltx"  # SVD clips go where the pipeline reads generated clips
    if args.interp_method or args.rife_weights or args.film_weights:
        studio = studio.with_interpolation(args.interp_method, rife_weights=args.rife_weights,
                                           film_weights=args.film_weights)
    broken = []
    if not args.batch and not args.title:  # a named title renders whatever else is broken
        broken = [problem for problem in studio.workspace.catalog().broken  # scenes/json/SEGMENT/AGE/ID.json
                  if args.segment in (None, problem.file.split("/")[2]) and args.age in (None, problem.file.split("/")[3])]
        _report_broken(broken)
    progress = TqdmProgress()
    try:
        if args.batch:
            report = studio.run_batch(Path(args.batch), force=args.force, progress=progress)
        else:
            selection = Selection(args.segment, args.age, args.title, args.shot)
            report = studio.generate(selection, method, preset=args.preset, force=args.force, progress=progress)
    finally:
        progress.close()
        studio.close()
    print(report.summary(), file=sys.stderr)
    print(f"Clips and metadata are under {studio.workspace.root / 'videos'}", file=sys.stderr)
    if report.failed:
        print("Failed shots:", file=sys.stderr)
        for outcome in report.failed:
            print(f"  {outcome.label}: {outcome.message}", file=sys.stderr)
    if broken:  # said again last, beside the exit status it explains: their shots were not rendered
        files = ", ".join(problem.file for problem in broken)
        print(f"Exit status {EXIT_SHOTS_FAILED}: {len(broken)} script file(s) in the selection do not load, so their "
              f"shots were not rendered: {files} (`python -m studio validate` says what is wrong)", file=sys.stderr)
    return EXIT_SHOTS_FAILED if report.failed or broken else 0


def _cmd_assemble(args: argparse.Namespace) -> int:
    from studio.services import Studio
    from studio.services.assembly import AssemblyOptions

    if bool(args.title) == bool(args.all):
        raise StudioError("name one title with --title ID, or every title with --all")
    if args.all and (args.narration or args.timing):
        raise StudioError("--narration and --timing name one title's files; use them with --title, not --all")
    studio = Studio.open(open_workspace(args.workspace))
    options = AssemblyOptions(
        method=args.method,
        narration=Path(args.narration).expanduser() if args.narration else None,
        timing=Path(args.timing).expanduser() if args.timing else None,
    )
    titles = [script.title_id for script in studio.workspace.scripts()] if args.all else [args.title]
    failed = []
    for title_id in titles:
        progress = TqdmProgress(closing_rate=False)  # reused parts count as frames done: a rate would mislead
        try:
            report = studio.assemble(str(title_id), options, progress)
        except StudioError as error:
            if not args.all:
                raise
            failed.append(f"{title_id}: {error}")
            continue
        finally:
            progress.close()
        script = studio.workspace.find_script(str(title_id))
        final = studio.workspace.final_path(script)
        print(
            f"{studio.workspace.relative(final)}: {report.duration_s:.2f} s, {len(report.shots)} shots joined by "
            f"{report.joined_by}; boundaries within {report.max_boundary_error_ms:.1f} ms of the narration, "
            f"audio/video lengths {report.av_length_difference_ms:.1f} ms apart, {report.loudness_lufs:.1f} LUFS "
            f"(target {report.loudness_target_lufs:g}); report: {final.with_suffix('.json').name}",
            file=sys.stderr,
        )
        for warning in report.warnings:
            print(f"  warning: {warning}", file=sys.stderr)
        if not report.in_sync:
            failed.append(f"{title_id}: out of sync (over one frame); see the report")
    for line in failed:
        print(f"failed: {line}", file=sys.stderr)
    return EXIT_SHOTS_FAILED if failed else 0


def shot_number(text: str) -> int:
    """--shot K: a whole number from 1 (shot-001), refused in argparse's own words otherwise."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a shot number is a whole number like 3 (for shot-003), not {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"shot numbers start at 1 (shot-001), not {number}")
    return number


def _report_broken(broken) -> None:
    """One line per script file that does not load; the other titles are not held up by it."""
    for problem in broken:
        print(f"broken: {problem}", file=sys.stderr)
    if broken:
        print(f"{len(broken)} script file(s) skipped: they do not load (fix or move them; "
              "`python -m studio validate` lists every problem)", file=sys.stderr)


def _cmd_list(args: argparse.Namespace) -> int:
    from studio.domain.metadata import METHODS
    from studio.services.render import CLIP_STATES, canonical_clip

    workspace = open_workspace(args.workspace)
    config = workspace.config()
    catalog = workspace.catalog()
    scripts = list(catalog.scripts)
    if args.title:
        scripts = [workspace.find_script(args.title)]
    for script in scripts:
        print(f"{script.title_id}  {script.segment:5} {script.age_bucket}  {len(script.shots):2} shots "
              f"{script.duration_s:5.1f} s  {script.title}")
        if args.shots or args.title:
            for shot in script.shots:
                clips = [clip for method in METHODS if (clip := canonical_clip(workspace, script, shot, method, config)).exists]
                states = [f"{clip.method}: {CLIP_STATES[clip.status]}" + (f" (pinned take {clip.pin.take_id})" if clip.pin else "")
                          for clip in clips]
                print(f"    {shot.shot_id}  {shot.camera_movement.value:9} {shot.duration_s:4.1f} s  "
                      f"[{', '.join(states) or 'not rendered'}]  {shorten(shot.description, 60, placeholder='…')}")
    print(f"{len(scripts)} title(s); generate one with: python -m studio generate --title TITLE_ID [--shot K]", file=sys.stderr)
    if not args.title:
        _report_broken(catalog.broken)
    return 0


def _cmd_unpin(args: argparse.Namespace) -> int:
    from studio.services.render import unpin_clip

    workspace = open_workspace(args.workspace)
    script = workspace.find_script(args.title)
    shot = script.shot(args.shot)
    pin = unpin_clip(workspace, script, shot, args.method)
    print(f"{shot.shot_id} ({args.method}) is no longer pinned to take {pin.take_id}; the next generate renders it "
          "from the workspace settings unless they already match", file=sys.stderr)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    workspace = open_workspace(args.workspace)
    problems = workspace.validate()
    if not problems:
        scripts = workspace.catalog().scripts
        shots = sum(len(script.shots) for script in scripts)
        print(f"{workspace.root}: {len(scripts)} scripts, {shots} shots, no problems")
        return 0
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in {workspace.root}", file=sys.stderr)
    return EXIT_ERROR


def _cmd_interpolate(args: argparse.Namespace) -> int:
    import cv2

    from studio.backends import interpolator
    from studio.backends.base import IDENTITY
    from studio.media.images import fit_to_frame, load_keyframe

    if args.count < 1:
        raise StudioError(f"--count must be at least 1, not {args.count}")
    first = load_keyframe(Path(args.first))
    last = load_keyframe(Path(args.last))
    size = (first.shape[1], first.shape[0])
    last = fit_to_frame(last, size, "cover")
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StudioError(f"cannot make the output folder {out}: {error.strerror or error}; pass --out a folder you can write") from None
    from studio.services.render import film_weights_path, rife_weights_path
    from studio.workspace import default_home

    given = str(Path(args.weights).expanduser().resolve()) if args.weights else None
    if args.method == "film":
        film = film_weights_path(given, default_home()) if given else None
        transition = interpolator("film", film_weights=film).transition(first, last)
    else:
        rife = rife_weights_path(given, default_home())
        transition = interpolator(args.method, rife_weights=rife, planar=False).transition(first, last)  # PNGs: RGB
    for k in range(1, args.count + 1):
        frame = transition.render(k / (args.count + 1), IDENTITY, size)
        path = out / f"frame_{k:03d}.png"
        if not cv2.imwrite(str(path), cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)):
            raise StudioError(f"could not write {path}; is the folder writable?")
    names = {"flow": "optical flow", "rife": "RIFE", "film": "FILM"}
    kind = "dissolve (the keyframes do not match)" if transition.is_cut else names[args.method]
    print(f"wrote {args.count} frames to {out} by {kind}", file=sys.stderr)
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    import json

    from studio.domain import Script

    print(json.dumps(Script.model_json_schema(), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser = argparse.ArgumentParser(prog="python -m studio", description="Shot Video Studio", parents=[common])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    from studio.backends import INTERPOLATORS
    from studio.config import X264_PRESETS
    from studio.domain import AGE_BUCKETS, SEGMENTS

    generate = commands.add_parser("generate", parents=[common], help="render clips for the selected shots")
    generate.add_argument("--workspace", help="workspace folder (default: a copy of the bundled sample)")
    generate.add_argument("--method", choices=["interp", "ltx", "svd"],
                          help="interp (no weights), ltx (LTX-Video), svd (Stable Video Diffusion; clips go to videos/ltx); "
                               "default: each shot's method from switches (use_ltx and its overrides)")
    generate.add_argument("--interp-method", choices=INTERPOLATORS, help="interpolator (default: interpolation.method)")
    generate.add_argument("--rife-weights", metavar="FILE", help="RIFE 4.6/4.2x flownet.pkl (default: interpolation.rife_weights, else scripts/get-rife's 4.25)")
    generate.add_argument("--film-weights", metavar="FILE",
                          help="FILM film_net_fp32.pt, the PyTorch port's TorchScript export "
                               "(default: interpolation.film_weights)")
    generate.add_argument("--segment", choices=SEGMENTS)
    generate.add_argument("--age", choices=AGE_BUCKETS)
    generate.add_argument("--title", help="title id (uuid)")
    generate.add_argument("--shot", type=shot_number, metavar="K", help="shot number k of shot-00k (1 or more)")
    generate.add_argument("--force", action="store_true",
                          help="re-render even when the clip is up to date or pinned (a promoted take is then replaced)")
    generate.add_argument("--preset", choices=X264_PRESETS, help="x264 preset (default: video.preset)")
    generate.add_argument("--batch", metavar="FILE", help="run a batch config exported from the studio (per-shot method and settings)")
    _add_cluster_arguments(generate)
    generate.set_defaults(handler=_cmd_generate)

    assemble = commands.add_parser("assemble", parents=[common], help="fit shots to the narration and export the finished video")
    assemble.add_argument("--workspace", help="workspace folder (default: a copy of the bundled sample)")
    assemble.add_argument("--title", help="title id (uuid)")
    assemble.add_argument("--all", action="store_true", help="assemble every title")
    assemble.add_argument("--narration", metavar="FILE", help="narration audio (default: audio/narration/SEGMENT/AGE/TITLE.*)")
    assemble.add_argument("--timing", metavar="FILE", help=".srt, .vtt or Whisper .json (default: beside the audio, else the script's times)")
    assemble.add_argument("--method", choices=["auto", "interp", "ltx"], default="auto",
                          help="clips to use: auto = the shot's method's canonical clip (switches) where there is one, else interpolation")
    assemble.set_defaults(handler=_cmd_assemble)

    validate = commands.add_parser("validate", parents=[common], help="list every problem in a workspace")
    validate.add_argument("--workspace", help="workspace folder (default: a copy of the bundled sample)")
    validate.set_defaults(handler=_cmd_validate)

    interpolate = commands.add_parser("interpolate", parents=[common], help="write N in-between frames of two images")
    interpolate.add_argument("first")
    interpolate.add_argument("last")
    interpolate.add_argument("--count", type=int, required=True, metavar="N")
    interpolate.add_argument("--out", required=True, metavar="DIR")
    interpolate.add_argument("--method", choices=INTERPOLATORS, default="flow", help="interpolator (default: flow)")
    interpolate.add_argument("--weights", metavar="FILE",
                             help="--method rife: a 4.6/4.2x flownet.pkl (default: scripts/get-rife's 4.25); "
                                  "--method film: film_net_fp32.pt (required)")
    interpolate.set_defaults(handler=_cmd_interpolate)

    from studio.cli_serve import add_serve_command

    add_serve_command(commands, common, open_workspace, _cluster, _add_cluster_arguments)

    listing = commands.add_parser("list", parents=[common], help="list the titles (and with --shots their shots)")
    listing.add_argument("--workspace", help="workspace folder (default: a copy of the bundled sample)")
    listing.add_argument("--shots", action="store_true", help="also list every shot with its render status")
    listing.add_argument("--title", help="one title id: its shots")
    listing.set_defaults(handler=_cmd_list)

    unpin = commands.add_parser("unpin", parents=[common], help="let batches replace a shot's promoted (pinned) clip again")
    unpin.add_argument("--workspace", help="workspace folder (default: a copy of the bundled sample)")
    unpin.add_argument("--title", required=True, help="title id (uuid)")
    unpin.add_argument("--shot", type=shot_number, required=True, metavar="K", help="shot number k of shot-00k (1 or more)")
    unpin.add_argument("--method", choices=["interp", "ltx"], default="interp", help="which canonical clip (default: interp)")
    unpin.set_defaults(handler=_cmd_unpin)

    from studio.cli_compare import add_compare_command

    add_compare_command(commands, common, open_workspace)
    schema = commands.add_parser("schema", parents=[common], help="print the scene-script JSON Schema")
    schema.set_defaults(handler=_cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.handler(args)
    except StudioError as error:
        if args.debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted; finished clips are kept, run the same command to resume", file=sys.stderr)
        return 130
