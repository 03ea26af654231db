"""Rendering clips: the method check, the interpolator or generator, the model cache, the canonical clip.

Takes, assembly, batches and the Studio all render through one ShotRenderer,
so a clip is made the same way whoever asks for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from studio.backends import FrameInterpolator, interpolator
from studio.backends.base import DepthEstimator
from studio.backends.runtime import ModelCache
from studio.config import PipelineConfig
from studio.domain import Script, Shot
from studio.domain.metadata import ClipRecord, Method
from studio.errors import BackendUnavailableError, StudioError
from studio.services.progress import Cancelled, CancelToken, ProgressListener
from studio.services.render.batch import BatchReport, ClipJob, ShotOutcome, ShotRequest
from studio.services.render.canonical import canonical_clip
from studio.services.render.plan import clip_job, render_interpolated_shot
from studio.services.render.scheduler import InFlight, run_batch
from studio.services.render.weights import check_film_sha256, depth_model_source, film_weights_path, rife_weights_path
from studio.workspace import Workspace

if TYPE_CHECKING:
    from studio.services.render.model_resolution import ResolvedModel

log = logging.getLogger(__name__)


def check_generative(model: ResolvedModel) -> None:
    """Refuse a generative model that cannot run here, before its weights load."""
    try:
        import torch
    except ImportError:
        raise BackendUnavailableError(
            "LTX-Video needs torch and diffusers: run `pip install -r requirements.txt` (see the README for GPU installs)"
        ) from None
    from studio.backends.loading import check_sampling
    from studio.backends.runtime import check_can_load

    check_sampling(model.family, model.sampling)  # a setting the pipeline cannot take, before any loading
    check_can_load(model.source, model.family, cuda=torch.cuda.is_available())


@dataclass(frozen=True)
class ShotRenderer:
    """Renders clips of one workspace; loaded models live as long as it does (one per Studio)."""

    workspace: Workspace
    models: ModelCache = field(default_factory=ModelCache, compare=False, repr=False)

    def job(self, script: Script, shot: Shot, method: Method, config: PipelineConfig, *, preset: str | None = None,
            clip_path: Path | None = None) -> ClipJob:
        """The render plan of a shot's clip (services.render.clip_job): by default its canonical clip."""
        return clip_job(self.workspace, script, shot, method, config, preset=preset, clip_path=clip_path)

    def check_job(self, job: ClipJob) -> None:
        """Refuse, before any loading, a plan that cannot run here: its interpolator's or depth model's weights,
        and its generative model as resolved (a sampling setting its pipeline cannot take, no GPU)."""
        self.check_interpolation(job.config, depth=job.method == "interp")
        if job.model is not None:
            check_generative(job.model)

    def check_method(self, method: Method, config: PipelineConfig) -> None:
        """Refuse up front a method that cannot run with `config`, where no shot is chosen yet (a batch, the
        reproducibility check): as check_job, with the generative model `config` resolves to."""
        self.check_interpolation(config, depth=method == "interp")
        if method == "ltx":
            from studio.services.render.model_resolution import resolve_model

            check_generative(resolve_model(self.workspace, config))

    def check_interpolation(self, config: PipelineConfig, *, depth: bool) -> None:
        """Load (once) the interpolator's weights and, with `depth`, the depth model, or say what is missing."""
        if config.interpolation.method != "flow":
            self.frame_interpolator(config)
        if depth:
            self.depth_estimator(config)

    def frame_interpolator(self, config: PipelineConfig) -> FrameInterpolator:
        """The configured interpolator; neural ones load once per renderer."""
        settings = config.interpolation
        if settings.method == "flow":
            return interpolator("flow")
        if settings.method == "film":
            # model_copy overrides (--interp-method film) skip the config's validator, so the registry refuses a
            # missing film_weights with its message.
            film = (film_weights_path(settings.film_weights, self.workspace.root, sha256=settings.film_sha256)
                    if settings.film_weights else None)

            def load() -> FrameInterpolator:
                if film is not None:
                    check_film_sha256(film, settings.film_sha256)  # once per load, not per shot: the file is large
                return interpolator("film", film_weights=film, film_max_pixels=settings.film_max_pixels)

            return self.models.get(f"film:{film}:{settings.film_sha256}:{settings.film_max_pixels}", load)
        weights = rife_weights_path(settings.rife_weights, self.workspace.root)
        key = f"rife:{weights}:{settings.rife_scale}"
        return self.models.get(key, lambda: interpolator("rife", rife_weights=weights, rife_scale=settings.rife_scale))

    def depth_estimator(self, config: PipelineConfig) -> DepthEstimator | None:
        """The configured depth model, loaded once per renderer; None while depth is off."""
        settings = config.interpolation.depth
        if not settings.enabled or not config.interpolation.ken_burns.enabled:
            return None
        source = depth_model_source(settings.model, self.workspace.root)

        def load() -> DepthEstimator:
            from studio.backends.depth import DepthAnythingEstimator

            return DepthAnythingEstimator.load(source)

        return self.models.get(f"depth:{source}", load)

    def render(self, job: ClipJob, progress: ProgressListener, cancel: CancelToken) -> ClipRecord:
        """Render `job` to its clip path (atomically) and describe it for the metadata."""
        if job.method == "ltx":
            from studio.services.render.generative import render_generated_shot

            return render_generated_shot(self.workspace, job, self.models, self.frame_interpolator(job.config), progress, cancel)
        return render_interpolated_shot(self.workspace, job, self.frame_interpolator(job.config), progress, cancel,
                                        self.depth_estimator(job.config))

    def canonical_job(self, request: ShotRequest) -> ClipJob:
        return self.job(request.script, request.shot, request.method, request.config, preset=request.preset)

    def kept(self, request: ShotRequest, job: ClipJob, *, force: bool) -> ShotOutcome | None:
        """The outcome of a shot whose canonical clip stays (pinned, or made from exactly these inputs), else None.

        The one rule every batch (local, Ray, batch files) follows: a pinned clip is kept unless forced.
        """
        if force:
            return None
        record = self.workspace.read_metadata(request.script, request.method).clip(request.shot.shot_id)
        if record is None or not job.clip_path.is_file():
            return None
        if record.pin is not None:
            clip = canonical_clip(self.workspace, request.script, request.shot, request.method, request.config)
            return ShotOutcome(request.label, "pinned", job.clip_path, record, message=clip.describe())
        return ShotOutcome(request.label, "skipped", job.clip_path, record) if record.input_hash == job.digest else None

    def rendered(self, request: ShotRequest, job: ClipJob, record: ClipRecord) -> ShotOutcome:
        """Record a finished canonical clip in its title's metadata."""
        # Re-read: another process may have finished other shots of this title meanwhile.
        metadata = self.workspace.read_metadata(request.script, request.method)
        self.workspace.write_metadata(metadata.with_clip(record), request.script)
        return ShotOutcome(request.label, "rendered", job.clip_path, record)

    @staticmethod
    def unrendered(request: ShotRequest, job: ClipJob, error: BaseException) -> ShotOutcome:
        """The outcome of a shot whose render raised: cancelled, failed with its message, or (Ctrl-C) re-raised."""
        if isinstance(error, Cancelled):
            return ShotOutcome(request.label, "cancelled", job.clip_path, message="cancelled before it finished")
        if isinstance(error, StudioError):
            return ShotOutcome(request.label, "failed", job.clip_path, message=str(error))
        if not isinstance(error, Exception):
            raise error  # KeyboardInterrupt and friends stop the batch
        log.error("shot %s failed", request.label, exc_info=error)  # a bug in one shot must not lose the others
        return ShotOutcome(request.label, "failed", job.clip_path, message=f"unexpected {type(error).__name__}: {error}")

    def check_all(self, requests: list[ShotRequest]) -> None:
        """Refuse the batch before any work when one of its methods cannot run here."""
        for method, config in {(r.method, r.config.model_dump_json()): (r.method, r.config) for r in requests}.values():
            self.check_method(method, config)

    def render_all(self, requests: Iterable[ShotRequest], *, force: bool = False,
                   progress: ProgressListener | None = None, cancel: CancelToken | None = None) -> BatchReport:
        """Render every request's canonical clip, one at a time, in a worker thread (see scheduler.run_batch)."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-render") as pool:
            return run_batch(self, _ThisProcess(self, pool), requests, force=force, progress=progress, cancel=cancel)


@dataclass(frozen=True)
class _ThisProcess:
    """One render slot in this process; a cancel reaches the render through its token."""

    renderer: ShotRenderer
    pool: ThreadPoolExecutor
    capacity: int = 1

    def start(self, job: ClipJob, progress: ProgressListener, cancel: CancelToken) -> InFlight:
        return InFlight(self.pool.submit(self.renderer.render, job, progress, cancel))
