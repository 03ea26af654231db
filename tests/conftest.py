"""Shared fixtures: real photographs and writable copies of the sample workspace."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.workspace import SAMPLE_WORKSPACE, Workspace, sample_workspace

# scripts/test runs one xdist worker per core. A library's own thread pool in each worker (OpenCV's, torch's
# OpenMP) would only contend for the other worker's core: on this 2-core machine it cost about a fifth more CPU per
# render at test size for no gain in time. Set before torch is imported, which reads OMP_NUM_THREADS once.
if os.environ.get("PYTEST_XDIST_WORKER"):
    cv2.setNumThreads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")

SAMPLE_TITLE = "9f7bca19-0bcb-48fc-b06f-55f8c3e65d67"  # women/14-17 "Golden hour in the meadow"

# A delivery size 7.5x smaller than 1080x1920 (and 9:16, even) keeps renders fast where
# the test is about behaviour, not the spec (the end-to-end test uses the real size).
SMALL_WIDTH, SMALL_HEIGHT = 144, 256
SMALL_VIDEO = f"""\
video:
  width: {SMALL_WIDTH}
  height: {SMALL_HEIGHT}
  preset: ultrafast
"""


# Real photographs shipped in the repository: keyframes of the sample workspace
# (crops of the credited photos in assets/README.md), so tests need nothing else.
_PHOTOS = {
    "forest": "shot_003_A.png",  # a stream in a forest
    "sunset": "shot_006_A_end.png",  # sun over hills
    "mountains": "shot_005_A.png",  # a trail towards limestone peaks
    "dandelion": "shot_001_A.png",
}


def real_photo(name: str = "forest", width: int = 640) -> np.ndarray:
    """A real photograph as RGB, scaled to `width`."""
    path = SAMPLE_WORKSPACE / "images" / "keyframes_v1" / "women" / "14-17" / SAMPLE_TITLE / _PHOTOS[name]
    image = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    height = round(image.shape[0] * width / image.shape[1])
    return np.ascontiguousarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA))


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh writable copy of the bundled sample workspace."""
    return sample_workspace(tmp_path / "workspace")


@pytest.fixture
def small_workspace(workspace: Workspace) -> Workspace:
    """The sample workspace rendering at SMALL_WIDTH x SMALL_HEIGHT with the fastest encoder preset."""
    (workspace.root / "config" / "pipeline.yaml").write_text(SMALL_VIDEO)
    return workspace


def script_file(workspace: Workspace, title_id: str = SAMPLE_TITLE) -> Path:
    return next(workspace.root.glob(f"scenes/json/*/*/{title_id}.json"))


def edit_script(workspace: Workspace, change, title_id: str = SAMPLE_TITLE) -> None:
    """Apply `change(dict)` to a script file in place."""
    path = script_file(workspace, title_id)
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def with_ltx(workspace: Workspace, **ltx_video: object) -> Workspace:
    """`workspace` rendering at the small size, with these `ltx_video` settings in its pipeline.yaml."""
    (workspace.root / "config" / "pipeline.yaml").write_text(SMALL_VIDEO + f"ltx_video: {json.dumps(ltx_video)}\n")
    return workspace


@pytest.fixture(scope="session")
def tiny_ltx(tmp_path_factory) -> Path:
    """A tiny random-weight LTX-Video pipeline with its latent upsampler, saved once per test run."""
    pytest.importorskip("diffusers")
    from studio.testing.tiny import build_tiny_ltx

    os.environ["HF_HUB_OFFLINE"] = "1"  # a hub miss must fail at once, never download
    return build_tiny_ltx(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def tiny_ltx2(tmp_path_factory) -> Path:
    """A tiny random-weight LTX-2 pipeline with its latent upsampler and refine LoRA, saved once per test run."""
    pytest.importorskip("diffusers")
    from studio.testing.tiny import build_tiny_ltx2

    os.environ["HF_HUB_OFFLINE"] = "1"
    return build_tiny_ltx2(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def tiny_animatediff(tmp_path_factory) -> dict[str, Path]:
    """Tiny random-weight AnimateDiff pipelines, {family: folder}: SparseCtrl (v3-shaped) and text-to-video."""
    pytest.importorskip("diffusers")
    from studio.testing.tiny import build_tiny_animatediff

    os.environ["HF_HUB_OFFLINE"] = "1"
    return build_tiny_animatediff(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def tiny_wan_flf2v(tmp_path_factory) -> Path:
    """A tiny random-weight Wan 2.1 FLF2V pipeline (first and last frame to video), saved once per test run."""
    pytest.importorskip("diffusers")
    pytest.importorskip("ftfy")  # Wan's pipeline cleans prompts with it
    from studio.testing.tiny import build_tiny_wan_flf2v

    os.environ["HF_HUB_OFFLINE"] = "1"
    return build_tiny_wan_flf2v(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def tiny_depth(tmp_path_factory) -> Path:
    """A tiny random-weight Depth Anything model with its image processor, saved once per test run."""
    pytest.importorskip("transformers")
    from studio.testing.tiny import build_tiny_depth_anything

    os.environ["HF_HUB_OFFLINE"] = "1"
    return build_tiny_depth_anything(tmp_path_factory.mktemp("models"))


@pytest.fixture(autouse=True)
def cpu_only(request, monkeypatch):
    """Tests run as on a CPU-only machine, even where CUDA is there (no test may load real checkpoints: the CPU
    refusal is what they check), except the device lane: tests marked `device_lane` place tiny models on the
    machine's GPU when it has one (bench/gpu-check runs them there) and on the CPU elsewhere."""
    if request.node.get_closest_marker("device_lane") is not None:
        return
    if "torch" in sys.modules or importlib.util.find_spec("torch") is not None:
        import torch

        monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


# The files that take longest (about 100-200 s of work each on the 2-core CI machine), started first. With
# `--dist loadfile --no-loadscope-reorder` (scripts/test) each file runs whole on one worker in this order, so the
# short files fill the end of the run instead of one long file keeping a worker busy while the other waits.
LONGEST_FIRST = ("test_ray.py", "test_browser.py", "test_app.py", "test_assembly.py", "test_comparison_set.py",
                 "test_gpu_check.py", "test_rife.py", "test_animatediff.py", "test_review.py",
                 "test_ltx.py", "test_overrides.py", "test_cli.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: tests keep their order in a file
