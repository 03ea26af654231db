"""`throughput`: a full shot render against encoding the same frames alone.

Also the render alone (frames made and dropped, no encoder): on a 2-core
machine the render and x264 share the cores, so the three figures together say
where the time goes.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from studio.bench.common import FULL_JOB_FRAMES, table


def _encode_alone(frames: list, total: int, settings, input_size: tuple[int, int], folder: Path) -> float:
    from studio.media.encoder import ClipEncoder

    started = time.perf_counter()
    with ClipEncoder(folder / "encode-only.mp4", settings, expected_frames=total, input_size=input_size) as encoder:
        for index in range(total):
            encoder.write(frames[index % len(frames)])
    return total / (time.perf_counter() - started)


def _motion_frames(image: np.ndarray, size: tuple[int, int], count: int = 60) -> list:
    """Real content with real motion for the encoder: a slow zoom over a keyframe, in the encoder's own format."""
    from studio.backends.flow import warp_affine
    from studio.domain import CameraMovement
    from studio.domain.motion import camera_window
    from studio.media.images import fit_to_frame
    from studio.media.yuv import YuvFrame

    canvas = YuvFrame.from_rgb(fit_to_frame(image, size))
    return [
        warp_affine(canvas, camera_window(CameraMovement.ZOOM_IN, k / count, 0.5, size).affine(size, size), size)
        for k in range(count)
    ]


def _render_alone(studio, workspace, script) -> float:
    """Frames per second of the interpolation render with nothing encoding beside it."""
    from studio.backends import interpolator
    from studio.backends.keyframe_animator import KeyframeAnimator, ShotTiming
    from studio.media.images import load_keyframe
    from studio.services.render import animation_settings, keep_freed_memory

    keep_freed_memory()  # as the render does
    frames, started = 0, time.perf_counter()
    for shot in script.shots:
        keyframes = [load_keyframe(path) for path in workspace.keyframe_paths(script, shot)]
        timing = ShotTiming(shot.duration_s, shot.keyframe_times_s, shot.camera_movement)
        for _ in KeyframeAnimator(interpolator("flow")).animate(keyframes, timing, animation_settings(studio.config)):
            frames += 1
    return frames / (time.perf_counter() - started)


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
        render_alone_fps = _render_alone(studio, workspace, script)
    result = {
        "title": script.title, "frames": total, "keyframe_size": f"{canvas[0]}x{canvas[1]}",
        "preset": settings.preset, "bitrate_kbps": settings.bitrate_kbps,
        "render_fps": round(render_fps, 2),
        "render_alone_fps_no_encoder": round(render_alone_fps, 2),
        "encode_alone_fps_delivery_size_input": round(encode_fps, 2),
        "encode_alone_fps_keyframe_size_input": round(encode_canvas_fps, 2),
        "ratio_render_vs_encode_delivery_input": round(render_fps / encode_fps, 3),
        "ratio_render_vs_encode_keyframe_input": round(render_fps / encode_canvas_fps, 3),
        "projected_full_job_min": round(FULL_JOB_FRAMES / render_fps / 60, 1),
    }
    print(table(["figure", "value"], [[key, value] for key, value in result.items()]))
    return result
