"""`quality`: flow (and RIFE) against a dissolve and minterpolate on real footage, PSNR and SSIM.

Frames are scored in RGB as each method makes them (flow's default planar
output converted back), and again as delivered: after the 4:2:0 round trip
every clip goes through, so the planar path and the RGB path (`flow rgb`)
compare on what a viewer sees.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from studio.bench.common import table


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
        return out  # RGB, or YuvFrames from the planar flow path

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


def _delivered_psnr(predicted: list[np.ndarray], truth: list[np.ndarray]) -> float:
    """PSNR of what the clip shows: the prediction through yuv420p and back, against the true frame."""
    from skimage.metrics import peak_signal_noise_ratio

    from studio.media.yuv import as_yuv

    return float(np.mean([peak_signal_noise_ratio(t, as_yuv(p).to_rgb(), data_range=255) for p, t in zip(predicted, truth)]))


def quality(args: argparse.Namespace) -> dict:
    from studio.backends import interpolator
    from studio.media.yuv import YuvFrame

    methods: dict[str, Callable[[list[np.ndarray], int], list]] = {
        "flow": _interpolator_predict(interpolator("flow")), "flow rgb": _interpolator_predict(interpolator("flow", planar=False)),
        "dissolve": _dissolve_predict, "minterpolate": _minterpolate_predict,
    }
    if args.interp_method == "rife":
        from studio.services.render import rife_weights_path
        from studio.workspace import default_home

        weights = rife_weights_path(args.rife_weights, default_home())
        rife = interpolator("rife", rife_weights=weights)
        methods[f"rife {rife.model.version}"] = _interpolator_predict(rife)
    rows, results = [], []
    for gap in args.gaps:
        totals: dict[str, list[float]] = {name: [0.0, 0.0, 0.0, 0, 0.0] for name in methods}  # psnr*n, ssim*n, seconds, n, delivered psnr*n
        for clip in args.clips:
            frames, _ = _read_clip(Path(clip), args.frames)
            usable = (len(frames) - 1) // gap * gap + 1
            keys = frames[:usable:gap]
            truth = [frames[i] for i in range(usable) if i % gap]
            for name, predict in methods.items():
                started = time.perf_counter()
                predicted = predict(keys, gap)
                seconds = time.perf_counter() - started
                delivered = _delivered_psnr(predicted, truth)
                predicted = [p.to_rgb() if isinstance(p, YuvFrame) else p for p in predicted]
                psnr, ssim = _scores(predicted, truth)
                entry = totals[name]
                entry[0] += psnr * len(truth)
                entry[1] += ssim * len(truth)
                entry[2] += seconds
                entry[3] += len(truth)
                entry[4] += delivered * len(truth)
        for name, (psnr_sum, ssim_sum, seconds, count, delivered_sum) in totals.items():
            result = {"gap": gap, "method": name, "psnr_db": round(psnr_sum / count, 2), "ssim": round(ssim_sum / count, 4),
                      "delivered_psnr_db": round(delivered_sum / count, 2),
                      "ms_per_frame": round(1000 * seconds / count, 1), "frames": count}
            results.append(result)
            rows.append(list(result.values()))
    print(table(["gap", "method", "PSNR dB", "SSIM", "PSNR delivered dB", "ms/frame", "frames"], rows))
    for gap in args.gaps:
        by = {r["method"]: r for r in results if r["gap"] == gap}
        print(f"g={gap}: flow - minterpolate = {by['flow']['psnr_db'] - by['minterpolate']['psnr_db']:+.2f} dB, "
              f"flow is {by['minterpolate']['ms_per_frame'] / by['flow']['ms_per_frame']:.1f}x faster; "
              f"flow - dissolve = {by['flow']['psnr_db'] - by['dissolve']['psnr_db']:+.2f} dB; as delivered, "
              f"planar - rgb = {by['flow']['delivered_psnr_db'] - by['flow rgb']['delivered_psnr_db']:+.2f} dB")
        for name in (n for n in by if n.startswith("rife")):
            print(f"g={gap}: {name} - flow = {by[name]['psnr_db'] - by['flow']['psnr_db']:+.2f} dB, "
                  f"{by[name]['ms_per_frame'] / by['flow']['ms_per_frame']:.1f}x flow's time per frame")
    return {"clips": [Path(c).name for c in args.clips], "results": results}
