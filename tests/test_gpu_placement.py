"""Where a pipeline goes on a GPU, what a take's VRAM peak measures, and ZeroGPU's one decorated call.

This machine has no GPU: the placement calls are recorded on a stand-in pipeline around each family's real tiny
VAE (so a call the real class refuses still fails here), and `spaces` is a stand-in module that records what
ZeroGPU would be asked.
"""

import importlib
import sys
from types import ModuleType, SimpleNamespace

import pytest

pytest.importorskip("diffusers")

from studio.backends import runtime  # noqa: E402
from studio.backends.loading import load_pipeline, place_on_gpu  # noqa: E402
from studio.backends.runtime import ModelSource  # noqa: E402
from studio.backends.families import FAMILIES  # noqa: E402
from studio.services import Selection, Studio  # noqa: E402
from tests.conftest import SAMPLE_TITLE, with_ltx  # noqa: E402

MEMORY_MODES = ("auto", "model_offload", "sequential_offload", "none")


class Placed:
    """A loaded pipeline's stand-in that records placement calls; `vae` is the family's real (tiny) VAE."""

    def __init__(self, vae):
        self.vae, self.calls = vae, []

    def enable_model_cpu_offload(self):
        self.calls.append("model_offload")

    def enable_sequential_cpu_offload(self):
        self.calls.append("sequential_offload")

    def to(self, device):
        self.calls.append(f"to {device}")


@pytest.fixture(scope="module")
def svd_vae(tmp_path_factory):
    from studio.testing.tiny import build_tiny_svd

    folder = build_tiny_svd(tmp_path_factory.mktemp("svd"))
    return load_pipeline(ModelSource("tiny", folder), FAMILIES["stable-video-diffusion"]).vae


@pytest.mark.parametrize("memory", MEMORY_MODES)
def test_stable_video_diffusion_places_in_every_memory_mode_without_tiling(svd_vae, memory):
    with pytest.raises(NotImplementedError):  # why: its temporal decoder has no tiled decode
        svd_vae.enable_tiling()
    pipe = Placed(svd_vae)
    place_on_gpu(pipe, FAMILIES["stable-video-diffusion"], memory)
    assert pipe.calls == [{"auto": "model_offload", "none": "to cuda"}.get(memory, memory)]


def test_ltx_tiles_its_vae_in_the_offload_modes(tiny_ltx):
    vae = load_pipeline(ModelSource("tiny", tiny_ltx), FAMILIES["ltx-video"]).vae
    for memory, expected in (("auto", ["model_offload"]), ("sequential_offload", ["sequential_offload"]),
                             ("none", ["to cuda"])):
        vae.disable_tiling()
        pipe = Placed(vae)
        place_on_gpu(pipe, FAMILIES["ltx-video"], memory)
        assert (pipe.calls, vae.use_tiling) == (expected, memory != "none")


def test_on_zero_gpu_every_family_goes_to_cuda_whole(monkeypatch, svd_vae):
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    for family in FAMILIES.values():
        pipe = Placed(svd_vae)
        place_on_gpu(pipe, family, "auto")
        assert pipe.calls == ["to cuda"], family.name


def test_each_take_reports_its_own_vram_peak_not_the_process_lifetime_one(monkeypatch):
    import torch

    memory = {"peak": 20 * 1024**3, "now": 2 * 1024**3}  # a big take ran before this one
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", lambda: memory.update(peak=memory["now"]))
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda: memory["peak"])
    peak = runtime.VramPeak()
    memory["peak"] = 5 * 1024**3  # this take's own high point
    assert peak.gb() == 5.0


@pytest.fixture
def zero_gpu(monkeypatch):
    """A stand-in `spaces` package on a ZeroGPU Space: records each decoration and each call with its duration."""
    record = SimpleNamespace(decorations=[], calls=[], inside=False)
    spaces = ModuleType("spaces")

    def gpu(duration):
        def decorate(function):
            record.decorations.append(function.__name__)

            def allocated(*args):
                record.calls.append(duration(*args))
                record.inside = True
                try:
                    return function(*args)
                finally:
                    record.inside = False

            return allocated

        return decorate

    spaces.GPU = gpu
    monkeypatch.setitem(sys.modules, "spaces", spaces)
    monkeypatch.delitem(sys.modules, "studio.backends.zerogpu", raising=False)
    importlib.import_module("studio.backends.zerogpu")  # as a Space imports it: decorated once, here
    yield record
    sys.modules.pop("studio.backends.zerogpu", None)


def test_a_two_chunk_take_runs_whole_in_one_zero_gpu_call_decorated_once(zero_gpu, small_workspace, tiny_ltx,
                                                                          monkeypatch):
    steps_inside = []
    callback = runtime.StepCounter.callback
    monkeypatch.setattr(runtime.StepCounter, "callback",
                        lambda self, *args: steps_inside.append(zero_gpu.inside) or callback(self, *args))
    assert zero_gpu.decorations == ["_take"]
    with_ltx(small_workspace, model=str(tiny_ltx), width=32, height=64, num_frames=17, fps=8, num_inference_steps=2,
             seed=7, reroll_static=0)
    studio = Studio.open(small_workspace)
    for shot in (4, 1):
        [outcome] = studio.generate(Selection(title_id=SAMPLE_TITLE, shot_number=shot), "ltx").outcomes
        assert outcome.status == "rendered", outcome.message
    assert outcome.record.generation_chunks > 1  # several generations, still one allocation a take
    assert zero_gpu.decorations == ["_take"]  # never again per call
    assert len(zero_gpu.calls) == 2 and all(30 < seconds <= 600 for seconds in zero_gpu.calls)
    assert steps_inside and all(steps_inside)  # every denoising step ran inside the allocation
