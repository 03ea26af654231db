"""`python -m studio.bench.gpu`: one table of what the studio's GPU paths do on this machine (bench/gpu-check runs it).

Every generative family's tiny random-weight model (built here, no network) generates on the GPU in bf16 with
each memory mode; RIFE 4.25 interpolates at 1080x1920; the flow path renders and the encoder encodes at the
delivery size. A check that cannot run here (a package or file missing) is a row that says why. With --real-size it runs instead
the released architectures, with random weights, through the studio's generator (studio/bench/real_size.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MEMORY_MODES = ("none", "model_offload", "sequential_offload")
DELIVERY = (1080, 1920)


@dataclass(frozen=True)
class Row:
    check: str
    setting: str
    result: str
    seconds: float | None = None
    peak_vram_gb: float | None = None
    note: str = ""

    def cells(self) -> list[str]:
        return [self.check, self.setting, self.result, "" if self.seconds is None else f"{self.seconds:.2f}",
                "" if self.peak_vram_gb is None else f"{self.peak_vram_gb:.2f}", self.note]


def _missing(*modules: str) -> str | None:
    absent = [name for name in modules if importlib.util.find_spec(name) is None]
    return f"not installed: {', '.join(absent)} (carry the wheels: bench/gpu-check --help)" if absent else None


def _no_ffmpeg() -> str | None:
    from studio.errors import EncodeError
    from studio.media.ffmpeg import ffmpeg_executable

    try:
        ffmpeg_executable()
    except EncodeError as error:
        return f"{error} (or carry the imageio-ffmpeg wheel, 68 MB, with --wheels)"
    return None


def _timed(check: str, setting: str, run: Callable[[], str]) -> Row:
    """Run one check; a failure is its row (with the error's last line), never the end of the table."""
    import torch

    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
        torch.cuda.synchronize()
    started = time.perf_counter()
    try:
        note = run()
        result = "ok"
    except Exception as error:  # noqa: BLE001 - every check reports, whatever broke
        result, note = "FAILED", f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}"
        traceback.print_exc(file=sys.stderr)
    if cuda:
        torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() / 1024**3 if cuda else None
    return Row(check, setting, result, time.perf_counter() - started, peak, note)


def family_rows(folder: Path, quick: bool) -> list[Row]:
    """Each family's tiny model: load with each memory mode (one on a CPU), generate, check the frames."""
    import torch

    from studio.testing import tiny
    from studio.backends.base import ShotGeneration, TimedKeyframe
    from studio.backends.families import FAMILIES, video_generator
    from studio.backends.loading import load_pipeline
    from studio.backends.runtime import ModelSource
    from studio.domain.generation import plan_generation

    animatediff: dict[str, Path] = {}

    def build_animatediff(target: Path, family: str) -> Path:  # one build saves both AnimateDiff modes
        animatediff.update(animatediff or tiny.build_tiny_animatediff(target.parent / "animatediff"))
        return animatediff[family]

    builders = {"ltx-video": tiny.build_tiny_ltx, "ltx-2": tiny.build_tiny_ltx2, "stable-video-diffusion": tiny.build_tiny_svd,
                **{name: lambda target, name=name: build_animatediff(target, name)
                   for name in ("animatediff", "animatediff-sparsectrl")}, "wan-flf2v": tiny.build_tiny_wan_flf2v}
    cuda = torch.cuda.is_available()
    rows = []
    for name, family in FAMILIES.items():
        if name not in builders:
            rows.append(Row(f"{name} tiny", "-", "skipped", note="no tiny model builder for this family yet"))
            continue
        if absent := _missing(*family.needs_modules):  # Wan's ftfy, which a bare PyTorch image may lack
            rows.append(Row(f"{name} tiny", "-", "skipped", note=absent))
            continue
        try:
            model = builders[name](folder / name)
        except Exception as error:  # noqa: BLE001
            rows.append(Row(f"{name} tiny", "-", "FAILED", note=f"building the tiny model: {type(error).__name__}: {error}"))
            continue
        for memory in MEMORY_MODES if cuda else ("none",):

            def generate(family=family, model=model, memory=memory) -> str:
                pipe = load_pipeline(ModelSource("tiny", model), family, memory)
                duration_s = 1.0 if quick else 2.0
                plan = plan_generation(duration_s, width=64, height=64, max_frames=9, fps=8,
                                       frame_step=family.frame_step, one_generation=family.one_generation,
                                       size_multiple=family.size_multiple, overlap_frames=family.overlap_frames)
                keyframe = np.full((plan.height, plan.width, 3), 128, np.uint8)
                footage = video_generator(pipe, family).generate_shot(ShotGeneration(  # a first and a last keyframe
                    plan=plan, prompt="a meadow at golden hour", negative_prompt="",
                    keyframes=(TimedKeyframe(keyframe, 0.0), TimedKeyframe(keyframe, duration_s)),
                    steps=2, guidance_scale=1.0, seed=1), lambda done, total: True)
                frames = np.stack(footage.frames)
                if frames.dtype != np.uint8 or frames.shape[1:] != (plan.height, plan.width, 3):
                    raise RuntimeError(f"frames came back as {frames.dtype} {frames.shape}")
                denoiser = getattr(pipe, "transformer", None) or pipe.unet
                dtype = str(next(denoiser.parameters()).dtype).removeprefix("torch.")
                return f"{len(frames)} frames {plan.width}x{plan.height}, {plan.chunks} chunk(s), weights {dtype}"

            rows.append(_timed(f"{name} tiny", f"memory {memory}" + ("" if cuda else " (cpu: no offload)"), generate))
    return rows


def rife_rows(weights: Path | None, frames: int) -> list[Row]:
    from studio.backends import interpolator
    from studio.backends.base import IDENTITY

    if weights is None or not weights.is_file():
        return [Row("RIFE 4.25 1080x1920", "-", "skipped", note="no flownet.pkl: pass --rife-weights (scripts/get-rife fetches it)")]
    first, last = _photo_pair()

    def interpolate() -> str:
        transition = interpolator("rife", rife_weights=weights).transition(first, last)
        started = time.perf_counter()
        for k in range(1, frames + 1):
            frame = transition.render(k / (frames + 1), IDENTITY, DELIVERY)
        if frame.shape != (DELIVERY[1], DELIVERY[0], 3):
            raise RuntimeError(f"in-between frame is {frame.shape}")
        return f"{frames / (time.perf_counter() - started):.1f} in-between frames/s"

    return [_timed("RIFE 4.25 1080x1920", f"{frames} frames", interpolate)]


def _photo_pair() -> tuple[np.ndarray, np.ndarray]:
    """Two real sample keyframes, cover-fitted to the delivery size."""
    from studio.media.images import fit_to_frame, load_keyframe
    from studio.workspace import SAMPLE_WORKSPACE

    folder = next((SAMPLE_WORKSPACE / "images" / "keyframes_v1").glob("*/*/*/"))
    first, last = sorted(folder.glob("shot_001_A*.png"))[:2]
    return tuple(fit_to_frame(load_keyframe(path), DELIVERY, "cover") for path in (first, last))  # type: ignore[return-value]


def flow_and_encoder_rows(frames: int) -> list[Row]:
    from studio.backends import interpolator
    from studio.backends.keyframe_animator import AnimationSettings, KeyframeAnimator, ShotTiming
    from studio.domain import CameraMovement
    from studio.media.encoder import ClipEncoder, EncoderSettings

    first, last = _photo_pair()
    rendered: list[np.ndarray] = []

    def flow() -> str:
        timing = ShotTiming(frames / 30, (0.0, frames / 30), CameraMovement.ZOOM_IN)
        settings = AnimationSettings(output_size=DELIVERY, fps=30, fit="cover", smooth_motion=True, ken_burns=True,
                                     ken_burns_strength=0.5)
        started = time.perf_counter()
        rendered.extend(KeyframeAnimator(interpolator("flow")).animate([first, last], timing, settings))
        return f"{len(rendered) / (time.perf_counter() - started):.1f} frames/s rendered"

    def encode() -> str:
        if not rendered:
            raise RuntimeError("no frames (the flow check failed)")
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            with ClipEncoder(Path(folder) / "check.mp4", EncoderSettings(width=DELIVERY[0], height=DELIVERY[1], fps=30,
                                                                          bitrate_kbps=10_000, preset="veryfast"),
                             expected_frames=len(rendered), input_size=DELIVERY) as encoder:
                for frame in rendered:
                    encoder.write(frame)
            return f"{len(rendered) / (time.perf_counter() - started):.1f} frames/s encoded (H.264, 10 Mbps)"

    return [_timed("flow + Ken Burns 1080x1920", f"{frames} frames", flow), _timed("encoder 1080x1920", "veryfast", encode)]


def table(rows: list[Row]) -> str:
    headers = ["check", "setting", "result", "seconds", "peak VRAM GB", "note"]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(row.cells()) + " |" for row in rows])


# What every check imports: a package missing or mismatched here stops the run at the start, in one line that names
# it and the fix, instead of a traceback per row. torch, transformers, diffusers and av, when absent, are rows that
# say so (a CPU machine without them still runs the rest); when present they must import.
PREFLIGHT = ("studio.workspace", "studio.services.render.weights", "studio.backends.runtime",
             "studio.backends.keyframe_animator", "studio.media.images", "studio.media.encoder")
WHEN_PRESENT = ("torch", "transformers", "diffusers", "av")
DISTRIBUTIONS = {"cv2": "opencv-python-headless", "PIL": "pillow", "dotenv": "python-dotenv", "ruamel": "ruamel.yaml",
                 "yaml": "pyyaml", "sqlite_utils": "sqlite-utils", "pydantic_core": "pydantic-core",
                 "pydantic_settings": "pydantic-settings"}
CARRY = "on a machine with PyPI run bench/gpu-check --download DIR, then bench/gpu-check --wheels DIR here"
NOT_CARRIED = {"opencv-python-headless": "install it on this machine (its 58 MB wheel is too big to carry)"}


def preflight() -> str | None:
    """The one line that says which package does not import and how to fix it; None when every check can start."""
    present = tuple(name for name in WHEN_PRESENT if importlib.util.find_spec(name) is not None)
    for module in PREFLIGHT + present:
        try:
            importlib.import_module(module)
        except Exception as error:  # noqa: BLE001 - pydantic reports a pydantic-core mismatch as a SystemError
            package, problem = _broken(module, error)
            if package == "studio":
                raise  # the studio's own bug: its traceback says more than a line would
            distribution = DISTRIBUTIONS.get(package, package.replace("_", "-"))
            requirements = Path(__file__).resolve().parents[2] / "requirements.txt"
            pins = requirements.read_text().lower().split() if requirements.is_file() else []
            pin = next((f"; requirements.txt pins {line}" for line in pins
                        if line.startswith(f"{distribution.lower()}==")), "")
            return f"gpu-check cannot start: {distribution} {problem}{pin}. Fix: {NOT_CARRIED.get(distribution, CARRY)}"
    return None


def _broken(module: str, error: Exception) -> tuple[str, str]:
    """The top-level package at fault, and what is wrong with it."""
    if isinstance(error, ModuleNotFoundError) and error.name:
        return error.name.split(".")[0], "is not installed"
    frames: list[str] = []  # the innermost module outside the studio and importlib is the one that broke
    trace = error.__traceback__
    while trace is not None:
        frames.append(str(trace.tb_frame.f_globals.get("__name__", "")).split(".")[0])
        trace = trace.tb_next
    package = next((name for name in reversed(frames) if name not in ("studio", "importlib", "")), module.split(".")[0])
    message = str(error).splitlines()[0][:240] if str(error) else ""
    return package, f"does not import ({type(error).__name__}: {message})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studio.bench.gpu", description=__doc__)
    parser.add_argument("--rife-weights", type=Path, help="RIFE 4.25 flownet.pkl (default: where scripts/get-rife puts it)")
    parser.add_argument("--quick", action="store_true", help="fewer frames (the CPU stand-in the tests run)")
    parser.add_argument("--real-size", action="store_true",
                        help="instead: each preset's RELEASED architecture (LTX-Video 2B and 13B, LTX-2 19B, SVD-XT, "
                             "AnimateDiff on SD 1.5) with random weights, one 5 s shot through the studio's generator "
                             "in memory modes none and auto; its own table (studio/bench/real_size.py)")
    args = parser.parse_args(argv)
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the GPU machine has no network: never wait for the hub
    if problem := preflight():
        print(problem, file=sys.stderr)
        return 1
    absent = _missing("torch", "diffusers", "transformers", "av")  # av: LTX-2's image conditions
    import torch

    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU (standing in for the GPU)"
    print(f"Shot Video Studio GPU check on {device}; torch {torch.__version__}", file=sys.stderr)
    if args.real_size:
        from studio.bench import real_size

        if absent:
            print(f"--real-size cannot run: {absent}", file=sys.stderr)
            return 1
        sized = real_size.real_size_rows()
        print(real_size.table(sized))
        return 1 if any(row.result == "FAILED" for row in sized) else 0
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as folder:
        rows += [Row("generative families", "-", "skipped", note=absent)] if absent else family_rows(Path(folder), args.quick)
    frames = 10 if args.quick else 60
    weights = args.rife_weights
    if weights is None:
        from studio.services.render import rife_weights_path

        weights = rife_weights_path(None, Path.cwd())
    rows += rife_rows(weights, 2 if args.quick else 10)
    media_absent = _missing("cv2") or _no_ffmpeg()
    rows += [Row("flow + encoder", "-", "skipped", note=media_absent)] if media_absent else flow_and_encoder_rows(frames)
    print(table(rows))
    return 1 if any(row.result == "FAILED" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
