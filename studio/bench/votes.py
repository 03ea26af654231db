"""The vote round trip under load: `python -m studio.bench votes [--reviewers 20] [--votes 10]`.

The studio is started as `python -m studio serve` in its own process on a
fresh copy of the sample workspace, with one shot holding `--takes` takes
(every take a real 1 s, 216x384 H.264 clip, so each pair's two videos are
served and downloaded as a reviewer's would be). Then `--reviewers`
gradio_client clients, each in its own thread, run the round trip a
reviewer runs, `--votes` times: `/next_pair` (a blind pair and its two
videos), then `/vote`. Printed: votes per second over the whole run, and
the latency of the round trip and of each call (median, p95, max). The
store is checked afterwards: every vote counted once.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

TITLE = "9f7bca19-0bcb-48fc-b06f-55f8c3e65d67"
SMALL = "video:\n  width: 216\n  height: 384\n  preset: ultrafast\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _seed_takes(root: Path, db: Path, takes: int) -> None:
    """`takes` takes of one shot, each its own real clip file, recorded in the vote store."""
    from studio.media.ffmpeg import ffmpeg_executable
    from studio.store import Take, VoteStore

    store = VoteStore(db)
    folder = root / "videos" / "takes" / "interp" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(takes):
        clip = folder / f"take-{k}.mp4"
        subprocess.run([ffmpeg_executable(), "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc2=s=216x384:r=30:d=1,hue=h={k * 40}", "-c:v", "libx264", "-preset", "ultrafast",
                        "-pix_fmt", "yuv420p", str(clip)], check=True)
        store.add_take(Take(id=f"bench-{k}", title_id=TITLE, shot_id="shot-001", method="interp",
                            variant=f"interp motion {k / 10:.2f}", params={}, input_hash=f"h{k}",
                            video_path=clip.relative_to(root).as_posix(), record={}, created_by="bench",
                            created_at=f"2026-01-01T00:00:{k:02d}+00:00"))


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the studio exited with {process.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the studio did not answer at {url} within {seconds:.0f} s")


def votes(args: argparse.Namespace) -> dict:
    from gradio_client import Client

    from studio.store import VoteStore
    from studio.workspace import sample_workspace

    pairs = args.takes * (args.takes - 1) // 2
    if pairs < args.votes:
        raise SystemExit(f"--takes {args.takes} make {pairs} pairs, fewer than --votes {args.votes} per reviewer")
    with tempfile.TemporaryDirectory(prefix="bench-votes-") as temp:
        workspace = sample_workspace(Path(temp) / "workspace")
        (workspace.root / "config" / "pipeline.yaml").write_text(SMALL)
        db = Path(temp) / "votes.db"
        _seed_takes(workspace.root, db, args.takes)
        port = _free_port()
        url = f"http://127.0.0.1:{port}/"
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
        server = subprocess.Popen([sys.executable, "-m", "studio", "serve", "--workspace", str(workspace.root),
                                   "--db", str(db), "--host", "127.0.0.1", "--port", str(port)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            _wait_for(url, server)
            clients = [Client(url, verbose=False, download_files=str(Path(temp) / f"downloads-{i}"))
                       for i in range(args.reviewers)]
            timings: dict[str, list[float]] = {"round trip": [], "/next_pair": [], "/vote": []}
            failures: list[str] = []
            lock = threading.Lock()
            start = threading.Barrier(args.reviewers + 1)

            def reviewer(index: int, client: Client) -> None:
                name = f"Reviewer {index:02d}"
                start.wait()
                for _ in range(args.votes):
                    try:
                        began = time.perf_counter()
                        token, *_ = client.predict(name, api_name="/next_pair")
                        dealt = time.perf_counter()
                        client.predict(name, token, "left", ["flicker"], "", api_name="/vote")
                        done = time.perf_counter()
                    except Exception as error:  # noqa: BLE001 - a benchmark counts failures, it does not stop
                        with lock:
                            failures.append(f"{name}: {error}")
                        continue
                    with lock:
                        timings["/next_pair"].append(dealt - began)
                        timings["/vote"].append(done - dealt)
                        timings["round trip"].append(done - began)

            threads = [threading.Thread(target=reviewer, args=(i, c)) for i, c in enumerate(clients)]
            for thread in threads:
                thread.start()
            start.wait()
            began = time.perf_counter()
            for thread in threads:
                thread.join()
            wall_s = time.perf_counter() - began
        finally:
            server.terminate()
            server.wait(timeout=30)
        stored = len(VoteStore(db).vote_rows())
    counted = len(timings["round trip"])
    result = {
        "reviewers": args.reviewers, "votes_per_reviewer": args.votes, "votes": counted, "stored_votes": stored,
        "failures": len(failures), "wall_s": round(wall_s, 2), "votes_per_s": round(counted / wall_s, 2),
        "cpus": os.cpu_count(),
        "latency_s": {
            call: {"p50": round(statistics.median(values), 3), "p95": round(_percentile(values, 0.95), 3),
                   "max": round(max(values), 3)} if values else None
            for call, values in timings.items()
        },
    }
    rows = [[call, figures["p50"], figures["p95"], figures["max"]] for call, figures in result["latency_s"].items()
            if figures]
    print(f"{args.reviewers} reviewers x {args.votes} votes: {counted} votes in {wall_s:.1f} s = "
          f"{result['votes_per_s']} votes/s; {stored} stored, {len(failures)} failed ({os.cpu_count()} CPUs)")
    print("| call | p50 s | p95 s | max s |\n|---|---|---|---|")
    print("\n".join(f"| {' | '.join(str(cell) for cell in row)} |" for row in rows))
    for failure in failures[:5]:
        print(f"failed: {failure}", file=sys.stderr)
    return {"votes": result}


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("votes", help="the vote round trip with concurrent gradio_client reviewers")
    parser.add_argument("--reviewers", type=int, default=20, help="concurrent reviewers (default 20)")
    parser.add_argument("--votes", type=int, default=10, help="round trips per reviewer (default 10)")
    parser.add_argument("--takes", type=int, default=6, help="takes of the one shot they compare (default 6: 15 pairs)")
    parser.set_defaults(handler=votes)


__all__ = ["add_parser", "votes"]
