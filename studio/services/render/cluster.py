"""Rendering on Ray: the same clips as ShotRenderer, made by workers on one machine or a whole cluster.

The driver (this process) plans, skips up-to-date shots and alone writes the
workspace: a worker gets a self-contained package (the shot, its settings and
its keyframes' bytes), renders into its own temporary folder and returns the
encoded clip's bytes; the driver renames them into place and updates the
metadata exactly as a local render does. With a shared workspace (a path every
worker sees) workers render beside the final clip and the driver only renames.

Interpolation with `flow` runs as CPU tasks; LTX, SVD and RIFE run in
long-lived actors, one per worker, that keep their model loaded between shots
(one GPU each when the cluster has GPUs). ray is imported only here.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from studio.backends.runtime import ModelCache
from studio.config import PipelineConfig
from studio.domain.metadata import ClipRecord
from studio.errors import BackendUnavailableError, StudioError
from studio.files import replaced_atomically
from studio.services.progress import Cancelled, CancelToken, ProgressListener, SilentProgress
from studio.services.render.batch import BatchReport, ClipJob, ShotRequest
from studio.services.render.renderer import ShotRenderer
from studio.services.render.scheduler import POLL_S, InFlight, run_batch
from studio.services.render.weights import film_weights_path, rife_weights_path
from studio.workspace import Workspace


@dataclass(frozen=True)
class ClusterOptions:
    """Where and how wide to render: `address` None starts (or joins, with RAY_ADDRESS) a local Ray."""

    address: str | None = None
    workers: int | None = None
    """Shots rendered at once (actors for model methods); None: the cluster's GPUs, else its CPUs."""
    shared_workspace: Path | None = None
    """The workspace's path as every worker sees it; None ships keyframes and returns clip bytes."""


@dataclass(frozen=True)
class ShotPackage:
    """All a worker needs to render one clip, with nothing read from the driver's disk."""

    job: ClipJob
    """The driver's job as it is: settings, resolved model, input hash (its clip path is the driver's)."""
    clip_relative: str
    """The clip's path relative to the workspace (its name is the final clip's)."""
    keyframes: dict[str, bytes] | None
    """Keyframe file name -> bytes; None when the worker reads the shared workspace."""
    shared_root: str | None

    @property
    def needs_model(self) -> bool:
        return self.job.method == "ltx" or self.job.config.interpolation.method != "flow"


@dataclass(frozen=True)
class RenderedClip:
    record: ClipRecord
    data: bytes | None
    """The encoded clip; None when it was written into the shared workspace at `shared_relative`."""
    shared_relative: str | None = None


def render_package(package: ShotPackage, models: ModelCache | None = None) -> RenderedClip:
    """Runs on a worker: render one packaged clip and hand back the result."""
    models = models or ModelCache()
    if package.shared_root is not None:
        workspace = Workspace.open(package.shared_root)
        final = workspace.inside(*package.clip_relative.split("/"))
        return _render_shared(package, workspace, final, models)
    with tempfile.TemporaryDirectory(prefix="studio-worker-") as temp:
        workspace = Workspace(Path(temp).resolve())
        folder = workspace.keyframe_dir(package.job.script)
        folder.mkdir(parents=True)
        for name, data in (package.keyframes or {}).items():
            (folder / name).write_bytes(data)
        clip = workspace.inside(*package.clip_relative.split("/"))
        record = ShotRenderer(workspace, models).render(_job(package, clip), SilentProgress(), CancelToken())
        return RenderedClip(record, clip.read_bytes())


def _render_shared(package: ShotPackage, workspace: Workspace, final: Path, models: ModelCache) -> RenderedClip:
    """Render beside the final clip under a hidden name; the driver renames it into place."""
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{final.stem}.worker.", suffix=".mp4", dir=final.parent)
    os.close(handle)
    try:
        record = ShotRenderer(workspace, models).render(_job(package, Path(name)), SilentProgress(), CancelToken())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return RenderedClip(record, None, workspace.relative(Path(name)))


def _job(package: ShotPackage, clip: Path) -> ClipJob:
    return replace(package.job, clip_path=clip)


class ModelWorker:
    """A Ray actor's body: renders packages, keeping loaded models between shots."""

    def __init__(self) -> None:
        self.models = ModelCache()

    def render(self, package: ShotPackage) -> RenderedClip:
        return render_package(package, self.models)


def with_driver_weights(workspace: Workspace, config: PipelineConfig) -> PipelineConfig:
    """`config` with workspace-relative interpolation weights made absolute: workers read the driver's files
    (the generative model travels resolved, in the job)."""
    interpolation = config.interpolation
    weights = interpolation.rife_weights
    if interpolation.method == "rife" and not (weights or "").startswith(("http://", "https://")):
        resolved = rife_weights_path(weights, workspace.root)  # the driver's file; nodes need it at the same path
        interpolation = interpolation.model_copy(update={"rife_weights": str(resolved) if resolved else None})
    film = interpolation.film_weights
    if interpolation.method == "film" and film and not film.startswith(("http://", "https://")):
        resolved_film = film_weights_path(film, workspace.root, sha256=interpolation.film_sha256)  # workers read the driver's path
        interpolation = interpolation.model_copy(update={"film_weights": str(resolved_film)})
    return config.model_copy(update={"interpolation": interpolation})


@dataclass
class _Pool:
    """The connection and the workers of one RayRenderer; made on first use, shared by its threads."""

    options: ClusterOptions
    lock: threading.Lock = field(default_factory=threading.Lock)
    ray: Any = None
    slots: int = 0
    model_resources: dict[str, float] = field(default_factory=dict)
    actors: dict[int, Any] = field(default_factory=dict)
    busy: set[int] = field(default_factory=set)
    task: Any = None
    started_here: bool = False

    def connect(self) -> None:
        with self.lock:
            if self.ray is not None:
                return
            try:
                import ray
            except ImportError:
                raise BackendUnavailableError("--ray needs the ray package: run `pip install -r requirements.txt`") from None
            package_dir = str(Path(__file__).resolve().parent.parent)
            if not ray.is_initialized():
                try:
                    ray.init(address=self.options.address, runtime_env={"py_modules": [package_dir]},
                             include_dashboard=False, log_to_driver=False)
                except (ConnectionError, ValueError, RuntimeError) as error:
                    where = self.options.address or os.environ.get("RAY_ADDRESS") or "a new local instance"
                    raise BackendUnavailableError(f"could not reach Ray at {where}: {error}") from None
                self.started_here = True
            resources = ray.cluster_resources()
            gpus, cpus = int(resources.get("GPU", 0)), int(resources.get("CPU", 1))
            self.slots = max(1, self.options.workers or gpus or cpus)
            # Model workers take a GPU each where there are GPUs; on a CPU-only cluster (tiny models, RIFE on CPU) a core.
            self.model_resources = {"num_gpus": 1} if gpus else {"num_cpus": 1}
            self.task = ray.remote(num_cpus=1, max_retries=0)(render_package)
            self.ray = ray

    def submit(self, package: ShotPackage) -> tuple[Any, int]:
        """Start `package` on a free slot; the caller keeps in flight at most `slots` packages."""
        slot = min(set(range(self.slots)) - self.busy)
        self.busy.add(slot)
        if not package.needs_model:
            return self.task.remote(package), slot
        if slot not in self.actors:
            actor_class = self.ray.remote(**self.model_resources, max_restarts=0)(ModelWorker)
            self.actors[slot] = actor_class.remote()
        return self.actors[slot].render.remote(package), slot

    def release(self, slot: int) -> None:
        self.busy.discard(slot)

    def stop(self, ref: Any, slot: int) -> None:
        """Stop a running render: a task is cancelled; an actor cannot be interrupted, so it goes (with its model)."""
        actor = self.actors.pop(slot, None)
        if actor is None:
            self.ray.cancel(ref, force=True)
        else:
            self.ray.kill(actor)
        self.busy.discard(slot)

    def close(self) -> None:
        with self.lock:
            if self.ray is None:
                return
            for actor in self.actors.values():
                self.ray.kill(actor)
            if self.started_here:
                self.ray.shutdown()
            self.ray, self.actors, self.busy = None, {}, set()


@dataclass(frozen=True)
class RayRenderer(ShotRenderer):
    """A ShotRenderer whose clips are made by Ray workers; the driver still writes every output."""

    options: ClusterOptions = field(default_factory=ClusterOptions)
    pool: _Pool = field(init=False, compare=False, repr=False)
    """The connection and workers, made here (not on first use) so threads never race to make two."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "pool", _Pool(self.options))  # the frozen-dataclass way to set a derived field

    def package(self, job: ClipJob) -> ShotPackage:
        shared = self.options.shared_workspace
        paths = self.workspace.keyframe_paths(job.script, job.shot)
        return ShotPackage(
            job=replace(job, config=with_driver_weights(self.workspace, job.config)),
            clip_relative=self.workspace.relative(job.clip_path),
            keyframes=None if shared else {path.name: path.read_bytes() for path in paths if path.is_file()},
            shared_root=str(shared) if shared else None,
        )

    def deliver(self, job: ClipJob, result: RenderedClip) -> ClipRecord:
        """Put a worker's clip at the job's path (atomically) and return its record, named after that path."""
        if result.shared_relative is not None:
            os.replace(self.workspace.inside(*result.shared_relative.split("/")), job.clip_path)
        else:
            with replaced_atomically(job.clip_path, ".partial.mp4") as temp:
                temp.write_bytes(result.data or b"")
        return result.record.model_copy(update={"video_file": job.clip_path.name})

    def start(self, job: ClipJob, progress: ProgressListener, cancel: CancelToken) -> InFlight:
        """Send one clip to a free worker; its record arrives once the driver has put the clip in place."""
        self.pool.connect()
        with self.pool.lock:
            ref, slot = self.pool.submit(self.package(job))
        record: Future[ClipRecord] = Future()
        record.set_running_or_notify_cancel()
        stopped = threading.Event()

        def arrived(_: object) -> None:
            with self.pool.lock:
                self.pool.release(slot)
            if stopped.is_set():
                return
            try:
                delivered = self.deliver(job, self._result(ref))
                progress.frames_done(delivered.num_frames)
                record.set_result(delivered)
            except BaseException as error:  # noqa: BLE001 - handed to whoever waits for the record
                record.set_exception(error)

        def stop() -> None:
            if stopped.is_set() or record.done():
                return
            stopped.set()
            with self.pool.lock:
                self.pool.stop(ref, slot)
            record.set_exception(Cancelled("cancelled; the unfinished clip was discarded"))

        ref.future().add_done_callback(arrived)
        return InFlight(record, stop)

    @property
    def capacity(self) -> int:
        self.pool.connect()
        return self.pool.slots

    def render(self, job: ClipJob, progress: ProgressListener, cancel: CancelToken) -> ClipRecord:
        """One clip on the cluster (a take, an assembly part); waits for it, honouring the cancel token."""
        started = self.start(job, progress, cancel)
        while not started.future.done():
            if cancel.cancelled:
                started.stop()
            wait([started.future], timeout=POLL_S)
        return started.future.result()

    def _result(self, ref: Any) -> RenderedClip:
        """The worker's result; its StudioError comes back as itself, so messages read as they do locally."""
        try:
            return self.pool.ray.get(ref)
        except self.pool.ray.exceptions.RayTaskError as error:
            cause = error.cause if isinstance(error.cause, BaseException) else None
            if isinstance(cause, StudioError):
                raise cause from None
            raise StudioError(f"a Ray worker failed: {cause or error}") from None
        except (self.pool.ray.exceptions.RayActorError, self.pool.ray.exceptions.WorkerCrashedError) as error:
            raise StudioError(f"a Ray worker died while rendering ({type(error).__name__}); run again to resume") from None

    def render_all(self, requests: Iterable[ShotRequest], *, force: bool = False,
                   progress: ProgressListener | None = None, cancel: CancelToken | None = None) -> BatchReport:
        """Render every request across the workers, by the same loop as one process (scheduler.run_batch)."""
        return run_batch(self, self, requests, force=force, progress=progress, cancel=cancel)

    def close(self) -> None:
        """Let go of the workers (and of the local Ray instance this renderer started)."""
        self.pool.close()

