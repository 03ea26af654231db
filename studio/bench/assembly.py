"""`assemble` and `ray`: joining a title against re-encoding it; the sample workspace on 1, 2, ... Ray workers."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from studio.bench.common import table


def _stretched_title(workspace, title_id: str, seconds: float) -> None:
    """Scale a sample title's narration times (and pad its audio) so the assembled video lasts about `seconds`."""
    from studio.media.ffmpeg import run_ffmpeg

    path = next(workspace.root.glob(f"scenes/json/*/*/{title_id}.json"))
    script = json.loads(path.read_text())
    factor = seconds / (script["shots"][-1]["narration_end_s"] + 0.8)
    for shot in script["shots"]:
        shot["narration_start_s"] = round(shot["narration_start_s"] * factor, 3)
        shot["narration_end_s"] = round(shot["narration_end_s"] * factor, 3)
    path.write_text(json.dumps(script, indent=2))
    audio = next(workspace.root.glob(f"audio/narration/*/*/{title_id}.ogg"))
    padded = audio.with_name("padded.ogg")
    run_ffmpeg(["-i", str(audio), "-af", f"apad=whole_dur={seconds + 1}", "-c:a", "libvorbis", str(padded)], what="padding")
    padded.replace(audio)


def assemble(args: argparse.Namespace) -> dict:
    from studio.media.ffmpeg import run_ffmpeg
    from studio.media.stitch import join_cuts, join_with_transitions
    from studio.services import Studio
    from studio.services.assembly import AssemblyOptions
    from studio.services.render import encoder_settings
    from studio.workspace import sample_workspace

    title = "9f7bca19-0bcb-48fc-b06f-55f8c3e65d67"
    rows, results = [], []
    with tempfile.TemporaryDirectory(prefix="studio-bench-") as temp:
        folder = Path(temp)
        workspace = sample_workspace(folder / "workspace")
        _stretched_title(workspace, title, args.seconds)
        config_path = workspace.root / "config" / "pipeline.yaml"
        base_config = config_path.read_text()
        timings = {}
        for transition in ("cut", "crossfade"):
            config_path.write_text(base_config + f"\nassembly: {{transition: {transition}, transition_s: 0.5}}\n")
            studio = Studio.open(workspace)
            studio.assemble(title, AssemblyOptions(method="interp"))  # renders the fitted shots once, untimed
            started = time.perf_counter()
            report = studio.assemble(title, AssemblyOptions(method="interp"))
            whole = time.perf_counter() - started
            prepared = studio.assembly_plan(title)
            script = workspace.find_script(title)
            parts_dir = workspace.final_path(script).parent / ".parts" / f"{title}-1080x1920"
            parts = [next(parts_dir.glob(f"{s.shot_id}-{s.clip_frames}f-cuts*.mp4")) for s in prepared.plan.shots]
            started = time.perf_counter()
            if prepared.plan.cuts_only:
                join_cuts(parts, prepared.plan, folder / f"join-{transition}.mp4")
            else:
                join_with_transitions(parts, prepared.plan, folder / f"join-{transition}.mp4", encoder_settings(studio.config))
            join = time.perf_counter() - started
            timings[transition] = (report.duration_s, join, whole)
            print(f"{transition}: {report.duration_s:.1f} s video, join {join:.2f} s, whole assembly {whole:.2f} s", file=sys.stderr)
        settings = encoder_settings(Studio.open(workspace).config)
        started = time.perf_counter()
        run_ffmpeg(["-i", str(folder / "join-cut.mp4"), "-an", *settings.codec_args(), "-f", "mp4", str(folder / "reencoded.mp4")],
                   what="re-encoding")
        reencode = time.perf_counter() - started
    for transition, (duration, join, whole) in timings.items():
        result = {"transitions": transition, "video_s": round(duration, 2), "join_s": round(join, 2),
                  "join_vs_reencode": round(join / reencode, 4), "assembly_s": round(whole, 2),
                  "assembly_vs_reencode": round(whole / reencode, 3)}
        results.append(result)
        rows.append(list(result.values()))
    print(table(["transitions", "video s", "join s", "join / re-encode", "whole assembly s", "assembly / re-encode"], rows))
    print(f"re-encoding the same video alone ({settings.preset}, {settings.bitrate_kbps} kbps): {reencode:.2f} s")
    return {"reencode_s": round(reencode, 2), "results": results}


def ray_scaling(args: argparse.Namespace) -> dict:
    """The sample workspace rendered from scratch on a local Ray with each worker count, in one run."""
    from studio.services import Selection, Studio
    from studio.services.render import ClusterOptions
    from studio.workspace import sample_workspace

    rows, results = [], []
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as temp:
        for workers in args.workers:
            workspace = sample_workspace(Path(temp) / f"workers-{workers}")
            if args.size:
                config = workspace.root / "config" / "pipeline.yaml"
                config.write_text(config.read_text().replace("  width: 1080\n  height: 1920\n",
                                                             f"  width: {args.size[0]}\n  height: {args.size[1]}\n"))
            studio = Studio.open(workspace, ClusterOptions(address=args.address, workers=workers))
            started = time.perf_counter()
            report = studio.generate(Selection())
            elapsed = time.perf_counter() - started
            studio.close()
            frames = sum(o.record.num_frames for o in report.outcomes if o.record)
            results.append({"workers": workers, "shots": len(report.outcomes), "failed": len(report.failed),
                             "frames": frames, "wall_s": round(elapsed, 2), "fps": round(frames / elapsed, 1)})
    base = results[0]["wall_s"]
    for result in results:
        result["speedup_vs_first"] = round(base / result["wall_s"], 2)
        rows.append([result["workers"], result["shots"], result["failed"], result["frames"], result["wall_s"],
                     result["fps"], result["speedup_vs_first"]])
    print(table(["workers", "shots", "failed", "frames", "wall s", "frames/s", f"speed-up vs {args.workers[0]}"], rows))
    return {"ray": results}
