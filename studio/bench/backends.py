"""`backends`: compute seconds per output second and peak memory of each backend, each in its own process."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from studio.bench.common import table


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


def _tiny_models(folder: Path) -> dict[str, str]:
    """Tiny random-weight models of every family (and random RIFE weights), saved under `folder`, by job name."""
    import torch

    from studio.backends.rife import IFNet
    from studio.testing.tiny import build_tiny_animatediff, build_tiny_ltx, build_tiny_ltx2, build_tiny_svd

    torch.manual_seed(0)
    torch.save(IFNet().state_dict(), folder / "flownet.pkl")
    animatediff = build_tiny_animatediff(folder / "animatediff")
    return {"rife": str(folder / "flownet.pkl"), "ltx": str(build_tiny_ltx(folder / "ltx")),
            "ltx-2": str(build_tiny_ltx2(folder / "ltx2")), "svd": str(build_tiny_svd(folder / "svd")),
            "animatediff-sparsectrl": str(animatediff["animatediff-sparsectrl"]),
            "animatediff": str(animatediff["animatediff"])}


def backends(args: argparse.Namespace) -> dict:
    import multiprocessing

    from studio.workspace import sample_workspace

    video = f"video: {{width: {args.output_size[0]}, height: {args.output_size[1]}, preset: {args.preset}}}\n"
    with tempfile.TemporaryDirectory(prefix="studio-bench-") as temp:
        folder = Path(temp)
        models = {"rife": args.rife_weights, "ltx": args.ltx_model, "ltx-2": args.ltx2_model, "svd": args.svd_model,
                  "animatediff-sparsectrl": args.animatediff_model, "animatediff": None}
        generation = {"width": args.size[0], "height": args.size[1]} if args.size else {}
        ltx2_generation = animatediff_generation = generation
        if args.tiny:
            models = _tiny_models(folder)
            generation = {"width": 32, "height": 64, "num_frames": 17, "fps": 8, "num_inference_steps": 2}
            ltx2_generation = generation | {"width": 64, "height": 64}  # LTX-2 sizes are multiples of 64
            animatediff_generation = generation | {"num_frames": 16}  # one 16-frame motion window
        ltx_model, ltx2_model, svd_model, rife_weights = models["ltx"], models["ltx-2"], models["svd"], models["rife"]
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
        keys = ", ".join(f"{key}: {value}" for key, value in animatediff_generation.items())
        if models["animatediff-sparsectrl"]:  # keyframes as SparseCtrl frames: the recipe's adapter and controlnet
            jobs.append(("animatediff-sparsectrl", "ltx", video + f"ltx_video: {{model: '{models['animatediff-sparsectrl']}', "
                                                                   f"recipe: animatediff-sparsectrl, seed: 1, {keys}}}\n"))
        if models["animatediff"]:  # text and motion module only (no camera LoRA folder in a bench run)
            jobs.append(("animatediff", "ltx", video + f"ltx_video: {{model: '{models['animatediff']}', seed: 1, {keys}}}\n"))
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
    print(table(headers, rows))
    return {"output_size": args.output_size, "tiny": args.tiny, "results": results}
