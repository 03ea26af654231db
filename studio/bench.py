"""Benchmarks: commands, not tests. Figures print as a table (and JSON with --json).

    python -m studio.bench throughput [--keyframe-size 1080x1920] [--title ID]
    python -m studio.bench quality --clips bench/clips/*.avi [--gaps 2 4 8] [--interp-method rife]
    python -m studio.bench backends [--tiny | --ltx-model REF --svd-model REF --rife-weights FILE] [--size WxH]
    python -m studio.bench assemble [--seconds 60]
    python -m studio.bench ray [--workers 1 2] [--address ADDRESS]
    python -m studio.bench votes [--reviewers 20] [--votes 10]   (studio/bench_votes.py)

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
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

FULL_JOB_FRAMES = 30 * 8 * 6 * 30


def _table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# -- throughput ------------------------------------------------------------------


def _encode_alone(frames: list[np.ndarray], total: int, settings, input_size: tuple[int, int], folder: Path) -> float:
    from studio.media.encoder import ClipEncoder

    started = time.perf_counter()
    with ClipEncoder(folder / "encode-only.mp4", settings, expected_frames=total, input_size=input_size) as encoder:
        for index in range(total):
            encoder.write(frames[index % len(frames)])
    return total / (time.perf_counter() - started)


def _motion_frames(image: np.ndarray, size: tuple[int, int], count: int = 60) -> list[np.ndarray]:
    """Real content with real motion for the encoder: a slow zoom over a keyframe."""
    from studio.backends.flow import warp_affine
    from studio.domain import CameraMovement
    from studio.domain.motion import camera_window
    from studio.media.images import fit_to_frame

    canvas = fit_to_frame(image, size)
    return [
        warp_affine(canvas, camera_window(CameraMovement.ZOOM_IN, k / count, 0.5, size).affine(size, size), size)
        for k in range(count)
    ]


def throughput(args: argparse.Namespace) -> dict:
    from studio.media.images import load_keyframe
    from studio.services import Selection, Studio
    from studio.services.render import encoder_settings
    from studio.workspace import Workspace, sample_workspace

    with tempfile.TemporaryDirectory(prefix="studio-bench-") as temp:
        folder = Path(temp)
        workspace = sample_workspace(folder / "workspace") if not args.workspace else Workspace.open(args.workspace)
        if args.keyframe_size:
            width, height = (int(v) for v in args.keyframe_size.lower().split("x"))
            for path in workspace.root.glob("images/keyframes_v1/*/*/*/*.png"):
                image = cv2.imread(str(path))
                cv2.imwrite(str(path), cv2.resize(image, (width, height), interpolation=cv2.INTER_CUBIC))
        studio = Studio.open(workspace)
        scripts = [s for s in workspace.scripts() if args.title is None or str(s.title_id) == args.title]
        script = scripts[0]
        settings = encoder_settings(studio.config, args.preset)

        started = time.perf_counter()
        report = studio.generate(Selection(title_id=str(script.title_id)), preset=args.preset, force=True)
        render_s = time.perf_counter() - started
        if report.failed:
            raise SystemExit(f"render failed: {report.failed[0].message}")
        total = sum(outcome.record.num_frames for outcome in report.outcomes if outcome.record)
        render_fps = total / render_s

        first = load_keyframe(workspace.keyframe_paths(script, script.shots[0])[0])
        canvas = (first.shape[1], first.shape[0])
        full_size = settings.size
        encode_fps = _encode_alone(_motion_frames(first, full_size), total, settings, full_size, folder)
        encode_canvas_fps = (
            _encode_alone(_motion_frames(first, canvas), total, settings, canvas, folder) if canvas != full_size else encode_fps
        )
    result = {
        "title": script.title, "frames": total, "keyframe_size": f"{canvas[0]}x{canvas[1]}",
        "preset": settings.preset, "bitrate_kbps": settings.bitrate_kbps,
        "render_fps": round(render_fps, 2),
        "encode_alone_fps_delivery_size_input": round(encode_fps, 2),
        "encode_alone_fps_keyframe_size_input": round(encode_canvas_fps, 2),
        "ratio_render_vs_encode_delivery_input": round(render_fps / encode_fps, 3),
        "ratio_render_vs_encode_keyframe_input": round(render_fps / encode_canvas_fps, 3),
        "projected_full_job_min": round(FULL_JOB_FRAMES / render_fps / 60, 1),
    }
    print(_table(["figure", "value"], [[key, value] for key, value in result.items()]))
    return result


# -- quality ---------------------------------------------------------------------


def _read_clip(path: Path, limit: int) -> tuple[list[np.ndarray], float]:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or 0)
        frames = []
        for frame in container.decode(stream):
            frames.append(frame.to_ndarray(format="rgb24"))
            if len(frames) >= limit:
                break
    return frames, fps


def _interpolator_predict(interpolator) -> Callable[[list[np.ndarray], int], list[np.ndarray]]:
    """The in-betweens of every key pair at j / gap, made by one of the studio's interpolators."""
    from studio.backends.base import IDENTITY

    def predict(keys: list[np.ndarray], gap: int) -> list[np.ndarray]:
        size = (keys[0].shape[1], keys[0].shape[0])
        out = []
        for first, last in zip(keys, keys[1:]):
            transition = interpolator.transition(first, last)
            out += [transition.render(j / gap, IDENTITY, size) for j in range(1, gap)]
        return out

    return predict


def _dissolve_predict(keys: list[np.ndarray], gap: int) -> list[np.ndarray]:
    out = []
    for first, last in zip(keys, keys[1:]):
        out += [cv2.addWeighted(first, 1 - j / gap, last, j / gap, 0) for j in range(1, gap)]
    return out


def _minterpolate_predict(keys: list[np.ndarray], gap: int) -> list[np.ndarray]:
    """ffmpeg's motion-compensated interpolation over the whole key sequence in one process.

    Keys go in at 1 fps and come out at `gap` fps; output frame k sits at key
    time k / gap. The filter drops the last interval, so the last key goes in
    twice. Colour goes through yuv444p (lossless enough) so chroma subsampling
    does not count against it.
    """
    from studio.media.ffmpeg import ffmpeg_executable

    height, width = keys[0].shape[:2]
    command = [
        ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
        "-s", f"{width}x{height}", "-r", "1", "-i", "pipe:0",
        "-vf", f"format=yuv444p,minterpolate=fps={gap}:mi_mode=mci:scd=none,format=rgb24",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
    ]
    padded = [*keys, keys[-1]]
    result = subprocess.run(command, input=b"".join(k.tobytes() for k in padded), capture_output=True, check=True)
    frames = np.frombuffer(result.stdout, np.uint8).reshape(-1, height, width, 3)
    out = []
    for index in range(len(keys) - 1):
        out += [frames[index * gap + j] for j in range(1, gap)]
    return out


def _scores(predicted: list[np.ndarray], truth: list[np.ndarray]) -> tuple[float, float]:
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    psnr = [peak_signal_noise_ratio(t, p, data_range=255) for p, t in zip(predicted, truth)]
    ssim = [structural_similarity(t, p, channel_axis=2, data_range=255) for p, t in zip(predicted, truth)]
    return float(np.mean(psnr)), float(np.mean(ssim))


def quality(args: argparse.Namespace) -> dict:
    from studio.backends import interpolator

    methods: dict[str, Callable[[list[np.ndarray], int], list[np.ndarray]]] = {
        "flow": _interpolator_predict(interpolator("flow")), "dissolve": _dissolve_predict,
        "minterpolate": _minterpolate_predict,
    }
    if args.interp_method == "rife":
        from studio.services.weights import rife_weights_path
        from studio.workspace import default_home

        weights = rife_weights_path(args.rife_weights, default_home())
        rife = interpolator("rife", rife_weights=weights)
        methods[f"rife {rife.model.version}"] = _interpolator_predict(rife)
    rows, results = [], []
    for gap in args.gaps:
        totals: dict[str, list[float]] = {name: [0.0, 0.0, 0.0, 0] for name in methods}  # psnr*n, ssim*n, seconds, n
        for clip in args.clips:
            frames, _ = _read_clip(Path(clip), args.frames)
            usable = (len(frames) - 1) // gap * gap + 1
            keys = frames[:usable:gap]
            truth = [frames[i] for i in range(usable) if i % gap]
            for name, predict in methods.items():
                started = time.perf_counter()
                predicted = predict(keys, gap)
                seconds = time.perf_counter() - started
                psnr, ssim = _scores(predicted, truth)
                entry = totals[name]
                entry[0] += psnr * len(truth)
                entry[1] += ssim * len(truth)
                entry[2] += seconds
                entry[3] += len(truth)
        for name, (psnr_sum, ssim_sum, seconds, count) in totals.items():
            result = {"gap": gap, "method": name, "psnr_db": round(psnr_sum / count, 2), "ssim": round(ssim_sum / count, 4),
                      "ms_per_frame": round(1000 * seconds / count, 1), "frames": count}
            results.append(result)
            rows.append(list(result.values()))
    print(_table(["gap", "method", "PSNR dB", "SSIM", "ms/frame", "frames"], rows))
    for gap in args.gaps:
        by = {r["method"]: r for r in results if r["gap"] == gap}
        print(f"g={gap}: flow - minterpolate = {by['flow']['psnr_db'] - by['minterpolate']['psnr_db']:+.2f} dB, "
              f"flow is {by['minterpolate']['ms_per_frame'] / by['flow']['ms_per_frame']:.1f}x faster; "
              f"flow - dissolve = {by['flow']['psnr_db'] - by['dissolve']['psnr_db']:+.2f} dB")
        for name in (n for n in by if n.startswith("rife")):
            print(f"g={gap}: {name} - flow = {by[name]['psnr_db'] - by['flow']['psnr_db']:+.2f} dB, "
                  f"{by[name]['ms_per_frame'] / by['flow']['ms_per_frame']:.1f}x flow's time per frame")
    return {"clips": [Path(c).name for c in args.clips], "results": results}


# -- backends ----------------------------------------------------------------


def _render_one_shot(job: dict) -> dict:
    """Child process: render one sample shot with one backend, report time and peak memory."""
    import resource

    from studio.services import Selection, Studio
    from studio.workspace import Workspace

    workspace = Workspace.open(job["workspace"])
    (workspace.root / "config" / "pipeline.yaml").write_text(job["config"])
    studio = Studio.open(workspace)
    started = time.perf_counter()
    report = studio.generate(Selection(title_id=job["title"], shot_number=job["shot"]), job["method"], force=True)
    wall = time.perf_counter() - started
    [outcome] = report.outcomes
    if outcome.status != "rendered":
        return {"backend": job["name"], "error": outcome.message}
    record = outcome.record
    return {
        "backend": job["name"], "output_s": record.duration_s, "wall_s": round(wall, 2),
        "compute_s_per_output_s": round(wall / record.duration_s, 3),
        "peak_ram_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_vram_gb": record.peak_vram_gb,
    }


def _tiny_models(folder: Path) -> tuple[str, str, str, str]:
    import torch

    from studio.backends.rife import IFNet
    from studio.backends.tiny import build_tiny_ltx, build_tiny_ltx2, build_tiny_svd

    torch.manual_seed(0)
    torch.save(IFNet().state_dict(), folder / "flownet.pkl")
    return (str(build_tiny_ltx(folder / "ltx")), str(build_tiny_ltx2(folder / "ltx2")), str(build_tiny_svd(folder / "svd")),
            str(folder / "flownet.pkl"))


def backends(args: argparse.Namespace) -> dict:
    import multiprocessing

    from studio.workspace import sample_workspace

    video = f"video: {{width: {args.output_size[0]}, height: {args.output_size[1]}, preset: {args.preset}}}\n"
    with tempfile.TemporaryDirectory(prefix="studio-bench-") as temp:
        folder = Path(temp)
        ltx_model, ltx2_model, svd_model = args.ltx_model, args.ltx2_model, args.svd_model
        rife_weights = args.rife_weights
        generation = {"width": args.size[0], "height": args.size[1]} if args.size else {}
        ltx2_generation = generation
        if args.tiny:
            ltx_model, ltx2_model, svd_model, rife_weights = _tiny_models(folder)
            generation = {"width": 32, "height": 64, "num_frames": 17, "fps": 8, "num_inference_steps": 2}
            ltx2_generation = generation | {"width": 64, "height": 64}  # LTX-2 sizes are multiples of 64
        model_keys = ", ".join(f"{key}: {value}" for key, value in generation.items())
        jobs = [("flow", "interp", video)]
        if rife_weights:
            jobs.append(("rife", "interp", video + f"interpolation: {{method: rife, rife_weights: '{rife_weights}'}}\n"))
        if ltx_model:
            jobs.append(("ltx", "ltx", video + f"ltx_video: {{model: '{ltx_model}', seed: 1, {model_keys}}}\n"))
        if ltx2_model:
            keys = ", ".join(f"{key}: {value}" for key, value in ltx2_generation.items())
            jobs.append(("ltx-2", "ltx", video + f"ltx_video: {{model: '{ltx2_model}', seed: 1, {keys}}}\n"))
            if args.tiny:  # the distilled two-stage recipe on the tiny model's own upsampler, at the recipe's 8+3 steps
                keys = keys.replace(", num_inference_steps: 2", "")
                jobs.append(("ltx-2 two-stage", "ltx", video + f"ltx_video: {{model: '{ltx2_model}', "
                                                              f"recipe: ltx-2.3-distilled, seed: 1, {keys}}}\n"))
        if svd_model:
            svd_keys = model_keys.replace("num_frames: 17", "num_frames: 6").replace("fps: 8", "fps: 6")
            jobs.append(("svd", "ltx", video + f"ltx_video: {{model: '{svd_model}', seed: 1, {svd_keys}}}\n"))
        context = multiprocessing.get_context("spawn")
        results = []
        for name, method, config in jobs:
            workspace = sample_workspace(folder / f"workspace-{name}")
            job = {"name": name, "method": method, "config": config, "workspace": str(workspace.root),
                   "title": args.title, "shot": args.shot}
            with context.Pool(1) as pool:
                results.append(pool.apply(_render_one_shot, (job,)))
            print(f"{name}: {results[-1]}", file=sys.stderr)
    headers = ["backend", "output s", "wall s", "compute s / output s", "peak RAM MB", "peak VRAM GB"]
    rows = [[r["backend"], *(r.get(k, r.get("error", "")) for k in list(results[0])[1:])] for r in results]
    print(_table(headers, rows))
    return {"output_size": args.output_size, "tiny": args.tiny, "results": results}


# -- assemble ------------------------------------------------------------------


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
    from studio.services.assemble import AssemblyOptions
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
    print(_table(["transitions", "video s", "join s", "join / re-encode", "whole assembly s", "assembly / re-encode"], rows))
    print(f"re-encoding the same video alone ({settings.preset}, {settings.bitrate_kbps} kbps): {reencode:.2f} s")
    return {"reencode_s": round(reencode, 2), "results": results}


def ray_scaling(args: argparse.Namespace) -> dict:
    """The sample workspace rendered from scratch on a local Ray with each worker count, in one run."""
    from studio.services import Selection, Studio
    from studio.services.cluster import ClusterOptions
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
    print(_table(["workers", "shots", "failed", "frames", "wall s", "frames/s", f"speed-up vs {args.workers[0]}"], rows))
    return {"ray": results}


def _size(text: str) -> tuple[int, int]:
    width, height = (int(v) for v in text.lower().split("x"))
    return width, height


def main(argv: list[str] | None = None) -> int:
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
    neural.add_argument("--rife-weights", help="RIFE 4.6 flownet.pkl")
    neural.add_argument("--size", type=_size, help="generation size WxH (default: the preset's)")
    neural.add_argument("--output-size", type=_size, default=(1080, 1920), help="delivery size (default 1080x1920)")
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
    scaling.add_argument("--size", type=_size, help="delivery size WxH (default: the workspace's 1080x1920)")
    scaling.set_defaults(handler=ray_scaling)
    from studio.bench_votes import add_parser as add_votes

    add_votes(commands)
    args = parser.parse_args(argv)
    result = args.handler(args)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
