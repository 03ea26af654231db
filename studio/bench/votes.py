"""The vote round trip under load: `python -m studio.bench votes [--reviewers 20] [--votes 10]`.

The studio is started as `python -m studio serve` in its own process on a
fresh copy of the sample workspace, with one shot holding `--takes` takes.
Every take is a real delivery clip (1080x1920, 10 Mbps, `--seconds` long)
with its review copy made as a render makes it (540x960, 2 Mbps). Then
`--reviewers` gradio_client clients, in this process and each in its own
thread, run the round trip a reviewer runs, `--votes` times: `/next_pair`
(a blind pair), fetching the two videos its players play over the
reviewer's own keep-alive connection (as a browser does; the full clips
are one click away and not fetched), then, after `--watch` seconds of
watching (half to one and a half times `--watch` seconds, different for
each reviewer and round; default 0: every reviewer votes at once, the
server's limit),
`/vote`. Printed: votes per second over the whole run, the latency of the
round trip (the two calls and the fetches, not the watching) and of each
call (median, p95, max), the round trip once each reviewer's first round
(twenty first deals at the same instant) is over, and the CPU time
the server and the clients used per vote (both share this machine's
cores). The store is checked afterwards: every vote counted once.

With no watching, 20 reviewers keep the server busy all the time, so a
round waits for the others': its mean is reviewers / votes per second
(Little's law), whatever the server does per vote.
"""

from __future__ import annotations

import argparse
import os
import random
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _seed_takes(root: Path, db: Path, takes: int, seconds: float) -> None:
    """`takes` takes of one shot, each a real delivery clip with its review copy, recorded in the vote store."""
    from studio.media.encoder import EncoderSettings
    from studio.media.ffmpeg import run_ffmpeg
    from studio.media.preview import review_copy
    from studio.store import Take, VoteStore

    store = VoteStore(db)
    folder = root / "videos" / "takes" / "interp" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    delivery = EncoderSettings(preset="ultrafast")
    for k in range(takes):
        clip = folder / f"take-{k}.mp4"
        run_ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s={delivery.width}x{delivery.height}:r={delivery.fps}:d={seconds},"
                    f"hue=h={k * 40}", "-an", *delivery.codec_args(), "-movflags", "+faststart", str(clip)],
                   what=f"making bench take {k}")
        review_copy(clip)  # as render_take makes it
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


def _cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) process `pid` has used so far; None where /proc is not there."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def votes(args: argparse.Namespace) -> dict:
    import httpx
    from gradio_client import Client

    from studio.store import VoteStore
    from studio.workspace import sample_workspace

    pairs = args.takes * (args.takes - 1) // 2
    if pairs < args.votes:
        raise SystemExit(f"--takes {args.takes} make {pairs} pairs, fewer than --votes {args.votes} per reviewer")
    with tempfile.TemporaryDirectory(prefix="bench-votes-") as temp:
        workspace = sample_workspace(Path(temp) / "workspace")
        db = Path(temp) / "votes.db"
        _seed_takes(workspace.root, db, args.takes, args.seconds)
        port = _free_port()
        url = f"http://127.0.0.1:{port}/"
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
        server = subprocess.Popen([sys.executable, "-m", "studio", "serve", "--workspace", str(workspace.root),
                                   "--db", str(db), "--host", "127.0.0.1", "--port", str(port)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            _wait_for(url, server)
            # No TLS to 127.0.0.1: with ssl_verify on, gradio_client builds a TLS context for each request
            # (about 50 ms of CPU), which would load these clients far more than any browser loads the server.
            clients = [Client(url, verbose=False, ssl_verify=False, download_files=False)
                       for _ in range(args.reviewers)]
            players = [httpx.Client(base_url=url, timeout=60) for _ in range(args.reviewers)]
            timings: dict[str, list[float]] = {"round trip": [], "/next_pair": [], "/vote": [],
                                               "round trip after the first": []}
            fetched = [0] * args.reviewers
            failures: list[str] = []
            lock = threading.Lock()
            start = threading.Barrier(args.reviewers + 1)

            def reviewer(index: int, client: Client) -> None:
                name = f"Reviewer {index:02d}"
                pace = random.Random(index)  # people watch for different times; the same ones each run
                start.wait()
                for round_number in range(args.votes):
                    try:
                        began = time.perf_counter()
                        token, _info, left, right, *_ = client.predict(name, api_name="/next_pair")
                        for video in (left, right):  # what the two players load
                            response = players[index].get(video.get("video", video)["url"])
                            response.raise_for_status()
                            fetched[index] += len(response.content)
                        dealt = time.perf_counter()
                        time.sleep(pace.uniform(0.5, 1.5) * args.watch)
                        voting = time.perf_counter()
                        client.predict(name, token, "left", ["flicker"], "", api_name="/vote")
                        done = time.perf_counter()
                    except Exception as error:  # noqa: BLE001 - a benchmark counts failures, it does not stop
                        with lock:
                            failures.append(f"{name}: {error}")
                        continue
                    with lock:
                        timings["/next_pair"].append(dealt - began)
                        timings["/vote"].append(done - voting)
                        timings["round trip"].append(done - voting + dealt - began)
                        if round_number:
                            timings["round trip after the first"].append(done - voting + dealt - began)

            threads = [threading.Thread(target=reviewer, args=(i, c)) for i, c in enumerate(clients)]
            for thread in threads:
                thread.start()
            load = os.getloadavg()
            start.wait()
            server_cpu, clients_cpu = _cpu_s(server.pid), os.times()
            began = time.perf_counter()
            for thread in threads:
                thread.join()
            wall_s = time.perf_counter() - began
            server_after, clients_after = _cpu_s(server.pid), os.times()
            for player in players:
                player.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
        stored = len(VoteStore(db).vote_rows())
    counted = len(timings["round trip"])
    per_vote = max(counted, 1)
    server_ms = None if server_cpu is None or server_after is None else (server_after - server_cpu) * 1000 / per_vote
    clients_ms = (clients_after.user + clients_after.system - clients_cpu.user - clients_cpu.system) * 1000 / per_vote
    result = {
        "reviewers": args.reviewers, "votes_per_reviewer": args.votes, "watch_s": args.watch, "votes": counted, "stored_votes": stored,
        "failures": len(failures), "wall_s": round(wall_s, 2), "votes_per_s": round(counted / wall_s, 2),
        "cpus": os.cpu_count(), "load_average_before": [round(value, 2) for value in load],
        "video_mb_per_vote": round(sum(fetched) / per_vote / 1e6, 2),
        "cpu_ms_per_vote": {"server": round(server_ms, 1) if server_ms is not None else None,
                            "clients": round(clients_ms, 1)},
        "latency_s": {
            call: {"p50": round(statistics.median(values), 3), "p95": round(_percentile(values, 0.95), 3),
                   "max": round(max(values), 3)} if values else None
            for call, values in timings.items()
        },
    }
    rows = [[call, figures["p50"], figures["p95"], figures["max"]] for call, figures in result["latency_s"].items()
            if figures]
    print(f"{args.reviewers} reviewers x {args.votes} votes, watching {args.watch:g} s: {counted} votes in {wall_s:.1f} s = "
          f"{result['votes_per_s']} votes/s; {stored} stored, {len(failures)} failed ({os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f} before)")
    print(f"per vote: {result['video_mb_per_vote']} MB of video fetched; CPU {result['cpu_ms_per_vote']['server']} ms "
          f"in the server, {result['cpu_ms_per_vote']['clients']} ms in the clients")
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
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each take (default 5 s)")
    parser.add_argument("--watch", type=float, default=0.0,
                        help="seconds each reviewer watches a pair before voting (default 0: as fast as the server goes)")
    parser.set_defaults(handler=votes)


__all__ = ["add_parser", "votes"]
