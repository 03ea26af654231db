"""`bench/gpu-check --real-size`: the released architectures, with random weights, timed through the studio's generator.

Each family's denoiser (and its VAE) is built at the released checkpoint's size from the config values in released.py,
with random weights made directly on the GPU (no download: the GPU machine has no network), assembled into the
family's pipeline class (FAMILIES[...].pipeline_class), placed by the studio's own memory modes (place_on_gpu) and
run through the studio's own generator (video_generator over generation_plan / shot_generation of the preset,
resolved by resolve_model) for one 5 s shot. Random weights cost the same arithmetic as the released ones, so the
seconds and the peak VRAM are those of the real model, less what the table's footer says is left out.
"""

from __future__ import annotations

import gc
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from studio.bench.released import DENOISERS, TEXT_LAYERS, build_pipeline

SHOT_S = 5.0
MEMORY_MODES = ("none", "auto")
"""Everything on the GPU, then the presets' default (auto: model CPU offload). Built on the GPU, a pipeline runs
`none` first; `auto` then moves it to the CPU, from where the offload hooks bring each model in."""
LONG_SHOT_S = 10.0
LONG_SHOT_RUNS: dict[str, tuple[int | None, ...]] = {"ltx-video-2b-distilled": (None, 241)}
"""Presets also timed on a 10 s shot, once per frames-per-generation setting: None is the preset's own (121 at
24 fps: chunks of 121, 121 and 17 frames), 241 the whole shot in one generation. Which is faster decides which
the preset should use (chunks repeat the conditioning and the overlap; one long generation has quadratic attention)."""
STEP_CAP = {"ltx-video-13b": 10, "ltx-2": 10}
"""Presets sampled with fewer steps than their own, to keep the whole table under 8 minutes on an H100."""
# --- Running ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RealSizeRow:
    preset: str
    memory: str
    result: str
    seconds: float | None = None
    peak_vram_gb: float | None = None
    steps: str = ""
    note: str = ""
    shot_s: float = SHOT_S

    def cells(self) -> list[str]:
        per_output_s = "" if self.seconds is None else f"{self.seconds / self.shot_s:.2f}"
        return [self.preset, f"{self.shot_s:g} s", self.memory, self.result,
                "" if self.seconds is None else f"{self.seconds:.1f}", per_output_s,
                "" if self.peak_vram_gb is None else f"{self.peak_vram_gb:.2f}", self.steps, self.note]


def resolved(preset: str, workspace_root: Path, num_frames: int | None = None):
    """The preset as a render resolves it (resolve_model), one stage, no camera LoRA, steps capped where STEP_CAP
    says; `num_frames`: frames per generation other than the preset's."""
    from studio.config import PipelineConfig
    from studio.services.render import resolve_model
    from studio.workspace import Workspace

    ltx = {"model": preset, "two_stage": False, "camera_lora": False, "reroll_static": 0}
    if preset in STEP_CAP:
        ltx["num_inference_steps"] = STEP_CAP[preset]
    if num_frames is not None:
        ltx["num_frames"] = num_frames
    config = PipelineConfig.model_validate({"ltx_video": ltx})
    return resolve_model(Workspace(workspace_root), config), config


def two_keyframe_shot(duration_s: float = SHOT_S):
    """A shot with a keyframe at each end (a SparseCtrl/LTX-style two-keyframe shot)."""
    from studio.domain import CameraMovement
    from studio.domain.script import Keyframe, Shot

    return Shot(shot_id="shot-001", description="a dandelion seed head over a meadow at golden hour",
                camera_movement=CameraMovement.ZOOM_IN, duration_s=duration_s,
                keyframes=[Keyframe(file="shot_001_A.png"), Keyframe(file="shot_001_B.png")])


def preset_runs(preset: str) -> list[tuple[float, int | None]]:
    """(shot seconds, frames per generation or None for the preset's) of each run of `preset`."""
    return [(SHOT_S, None)] + [(LONG_SHOT_S, frames) for frames in LONG_SHOT_RUNS.get(preset, ())]


def preset_rows(preset: str, workspace_root: Path) -> list[RealSizeRow]:
    """One preset's rows: build it on the GPU once, then generate each of its runs' shots in each memory mode."""
    import torch

    from studio.backends.families import family_spec, generator_class
    from studio.presets import load_preset

    family = family_spec(load_preset(preset).family)
    try:
        torch.manual_seed(0)
        started = time.perf_counter()
        pipe = build_pipeline(preset, "cuda", torch.bfloat16)
        generator_class(family).prepare(pipe, family)
        pipe.set_progress_bar_config(disable=True)
        built = f"built in {time.perf_counter() - started:.0f} s"
    except Exception as error:  # noqa: BLE001 - a preset that cannot build is its rows, not the end of the table
        return [RealSizeRow(preset, "-", "FAILED", note=f"building: {type(error).__name__}: {_line(error)}")]
    rows = [row for shot_s, frames in preset_runs(preset)
            for row in _run_rows(preset, pipe, workspace_root, shot_s, frames, built)]
    del pipe
    gc.collect()
    torch.cuda.empty_cache()
    return rows


def _run_rows(preset: str, pipe: object, workspace_root: Path, shot_s: float, frames: int | None,
              built: str) -> list[RealSizeRow]:
    """One run: the shot planned as a render plans it, generated in each memory mode."""
    import numpy as np
    import torch

    from studio.backends.families import video_generator
    from studio.backends.loading import place_on_gpu
    from studio.backends.runtime import VramPeak
    from studio.presets import load_preset
    from studio.services.render import generation_plan, shot_generation

    model, config = resolved(preset, workspace_root, frames)
    family, shot = model.family, two_keyframe_shot(shot_s)
    plan = generation_plan(model, shot, config)
    own_steps = load_preset(preset).num_inference_steps
    steps = f"{model.steps}" + (f" of {own_steps} (capped)" if model.steps != own_steps else "")
    keyframes = [np.full((plan.height, plan.width, 3), 128, np.uint8) for _ in shot.keyframes]
    request = shot_generation(model, plan, shot, keyframes, config.ltx_video, 0.5)
    chunks = "+".join(str(count) for count in plan.chunk_frames)
    rows = []
    for memory in MEMORY_MODES:
        try:
            place_on_gpu(pipe, family, memory)
            torch.cuda.synchronize()
            vram = VramPeak()
            started = time.perf_counter()
            footage = video_generator(pipe, family).generate_shot(request, lambda done, total: True)
            torch.cuda.synchronize()
            seconds = time.perf_counter() - started
            note = (f"{len(footage.frames)} frames {plan.width}x{plan.height} at {plan.fps} fps, generated as "
                    f"{chunks}; {built}")
            rows.append(RealSizeRow(preset, memory, "ok", seconds, vram.gb(), steps, note, shot_s))
        except Exception as error:  # noqa: BLE001
            rows.append(RealSizeRow(preset, memory, "FAILED", steps=steps, shot_s=shot_s,
                                    note=f"{type(error).__name__}: {_line(error)}"))
    return rows


def _line(error: Exception) -> str:
    return str(error).splitlines()[0][:160] if str(error) else ""


def real_size_rows() -> list[RealSizeRow]:
    """Every preset of DENOISERS at its released size on the GPU; on a machine without one, rows that say so."""
    import torch

    if not torch.cuda.is_available():
        return [RealSizeRow(preset, "-", "skipped", note="needs a CUDA GPU (the released sizes do not fit a CPU run)")
                for preset in DENOISERS]
    rows = []
    with tempfile.TemporaryDirectory(prefix="gpu-check-real-") as folder:
        for preset in DENOISERS:
            rows += preset_rows(preset, Path(folder))
    return rows


FOOTER = f"""Random weights, released architectures: each denoiser and VAE is built from its released config with random
weights on the GPU (no download); random weights cost the same arithmetic as the released ones. One {SHOT_S:.0f} s shot per
preset (and a {LONG_SHOT_S:.0f} s one, in chunks and in one generation, for {', '.join(LONG_SHOT_RUNS)}) through the studio's generator (resolve_model, generation_plan, shot_generation, video_generator), at the
preset's size, frame rate, guidance and steps, in memory mode auto (model CPU offload: the presets' default) and none
(all on the GPU). seconds: generate_shot only (every chunk and the decode; building and placing excluded); s/out s:
seconds per output second; peak VRAM: studio.backends.runtime.VramPeak.
Left out: the text/image encoders are {TEXT_LAYERS}-layer models of the released width (T5-XXL for LTX-Video, Gemma 3 12B
for LTX-2, CLIP ViT-H/14 for SVD, CLIP ViT-L/14 for AnimateDiff) with a tiny vocabulary, so prompt encoding and their
weights' VRAM are understated; LTX-2's connectors take {TEXT_LAYERS + 1} stacked hidden states instead of 49, and its
Gemma vision tower is tiny. LTX-Video 13B and LTX-2 run one stage at the preset's full size, without their latent
upsampler, refine stage and distilled LoRA, and with fewer steps than the preset's ({', '.join(f'{p}: {s}' for p, s in
STEP_CAP.items())}; the steps column says of how many): capped for time, and the denoising time grows about linearly
with steps. No camera/motion LoRA, no re-roll of near-static results."""


def table(rows: list[RealSizeRow]) -> str:
    headers = ["preset", "shot", "memory", "result", "seconds", "s/out s", "peak VRAM GB", "steps", "note"]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(row.cells()) + " |" for row in rows] + ["", FOOTER])
