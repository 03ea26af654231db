"""Benchmarks: commands, not tests. Figures print as a table (and JSON with --json).

    python -m studio.bench throughput [--keyframe-size 1080x1920] [--title ID]
    python -m studio.bench quality --clips bench/clips/*.avi [--gaps 2 4 8] [--interp-method rife]
    python -m studio.bench backends [--tiny | --ltx-model REF --svd-model REF --animatediff-model REF
                                      --rife-weights FILE] [--size WxH]
    python -m studio.bench assemble [--seconds 60]
    python -m studio.bench ray [--workers 1 2] [--address ADDRESS]
    python -m studio.bench votes [--reviewers 20] [--votes 10]   (studio/bench/votes.py)
    python -m studio.bench decision [--preference 0.65] [--runs 2000] [--max-votes 300]   (studio/bench/decision.py)

throughput: full shot render (interpolation + Ken Burns + encode) of a sample
title against encoding the same number of frames alone with the same encoder
settings, in one run; plus the projected time of the full job (30 scripts x 8
shots x 6 s x 30 fps = 43,200 frames).

quality: real footage subsampled by a gap g, the missing frames predicted by
`flow` (and with --interp-method rife by RIFE), by a plain cross-dissolve and by ffmpeg's minterpolate (mi_mode=mci),
scored with PSNR and SSIM against the real frames, with each method's speed.
`bench/fetch_clips.sh` fetches real clips from Debian's opencv-doc package.

backends: one sample shot rendered by each backend (flow, RIFE, LTX-Video,
SVD) to the delivery spec, each in its own process so its peak memory is its
own: seconds of compute per second of output video (model, retiming and
encoding to 1080x1920 and model loading included), peak RAM and (on CUDA) peak VRAM. `--tiny` builds random-weight models the
size of the tests' (a CPU-only check of the code path); on a GPU machine name
real ones (`--ltx-model ltx-video-2b`) to check the pipeline's
target of >= 1 s of video per s of compute under 16 GB VRAM.

assemble: a sample title stretched to 60 s, its shots already rendered,
assembled with cuts only and with crossfades, against re-encoding the same
60 s of 1080x1920 video with the same encoder settings, in one run. Both the
join alone and the whole assembly (join, narration, loudness passes and the
read-back sync check) are timed.

ray: the whole sample workspace rendered from scratch on Ray with each
worker count (a fresh local instance per count unless --address names a
cluster), wall time and the speed-up against the first count, in one run.

decision: the stopping rule (an anytime-valid confidence sequence) against
the Wilson rule it replaced, both checked after every simulated vote: the
false-positive rate with equal methods, the power at --preference, and the
median and 90th-percentile votes to a verdict; with independent votes and with
votes clustered by shot and reviewer.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from studio.bench.common import size


def main(argv: list[str] | None = None) -> int:
    from studio.bench.assembly import assemble, ray_scaling
    from studio.bench.backends import backends
    from studio.bench.quality import quality
    from studio.bench.throughput import throughput

    parser = argparse.ArgumentParser(prog="python -m studio.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    commands = parser.add_subparsers(dest="command", required=True)
    rate = commands.add_parser("throughput", help="render fps vs encode-only fps")
    rate.add_argument("--workspace", help="workspace to render from (default: a fresh sample copy)")
    rate.add_argument("--title", help="title id (default: the first sample title)")
    rate.add_argument("--keyframe-size", help="rescale keyframes first, e.g. 1080x1920 for the full-size path")
    rate.add_argument("--preset", help="x264 preset (default: the workspace's)")
    rate.set_defaults(handler=throughput)
    score = commands.add_parser("quality", help="flow vs dissolve vs minterpolate on real footage")
    score.add_argument("--clips", nargs="+", required=True, help="video files of real footage")
    score.add_argument("--gaps", nargs="+", type=int, default=[2, 4, 8])
    score.add_argument("--frames", type=int, default=161, help="frames read from each clip")
    score.add_argument("--interp-method", choices=["flow", "rife"], default="flow",
                       help="rife: also score RIFE (the weights scripts/get-rife installs, or --rife-weights)")
    score.add_argument("--rife-weights", help="a RIFE 4.6/4.2x flownet.pkl (default: scripts/get-rife's 4.25)")
    score.set_defaults(handler=quality)
    neural = commands.add_parser("backends", help="compute seconds per output second and peak memory, per backend")
    neural.add_argument("--tiny", action="store_true", help="build random-weight tiny models (CPU check of the code path)")
    neural.add_argument("--ltx-model", help="LTX preset, repo id or folder")
    neural.add_argument("--ltx2-model", help="LTX-2.x preset, repo id or folder (e.g. ltx-2.3-distilled)")
    neural.add_argument("--svd-model", help="SVD preset, repo id or folder")
    neural.add_argument("--animatediff-model", help="AnimateDiff + SparseCtrl preset or folder (e.g. animatediff-sparsectrl)")
    neural.add_argument("--rife-weights", help="RIFE 4.6 flownet.pkl")
    neural.add_argument("--size", type=size, help="generation size WxH (default: the preset's)")
    neural.add_argument("--output-size", type=size, default=(1080, 1920), help="delivery size (default 1080x1920)")
    neural.add_argument("--preset", default="veryfast", help="x264 preset")
    neural.add_argument("--title", default="9f7bca19-0bcb-48fc-b06f-55f8c3e65d67", help="sample title id")
    neural.add_argument("--shot", type=int, default=2, help="shot number (the default is 7 s long)")
    neural.set_defaults(handler=backends)
    joined = commands.add_parser("assemble", help="assembling a title from rendered shots vs re-encoding it")
    joined.add_argument("--seconds", type=float, default=60.0, help="length of the assembled title")
    joined.set_defaults(handler=assemble)
    scaling = commands.add_parser("ray", help="the sample workspace on a local Ray (or --address) with 1, 2, ... workers")
    scaling.add_argument("--workers", nargs="+", type=int, default=[1, 2], help="worker counts to compare")
    scaling.add_argument("--address", help="an existing Ray cluster (default: a new local instance per run)")
    scaling.add_argument("--size", type=size, help="delivery size WxH (default: the workspace's 1080x1920)")
    scaling.set_defaults(handler=ray_scaling)
    from studio.bench.decision import add_parser as add_decision
    from studio.bench.votes import add_parser as add_votes

    add_votes(commands)
    add_decision(commands)
    args = parser.parse_args(argv)
    result = args.handler(args)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0
