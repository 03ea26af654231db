"""Takes: every render kept with its settings, and promoting one to the canonical clip."""

from __future__ import annotations

import logging
import queue
import secrets
import shutil
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from studio.config import PipelineConfig
from studio.domain import Script, Shot
from studio.domain.metadata import ClipRecord, Method, Pin
from studio.domain.timing import frame_count
from studio.errors import StudioError
from studio.files import replaced_atomically
from studio.media.preview import review_copy
from studio.services.progress import CancelToken, ProgressListener
from studio.services.render.batch import ClipJob
from studio.services.render.canonical import pinned
from studio.services.render.renderer import ShotRenderer
from studio.services.render.take_settings import TakeSettings
from studio.store import Take, VoteStore
from studio.workspace import Workspace

log = logging.getLogger(__name__)


def take_path(workspace: Workspace, script: Script, shot: Shot, method: str, take_id: str) -> Path:
    return workspace.inside(
        "videos", "takes", method, script.segment, script.age_bucket, str(script.title_id), f"shot_{shot.number:03d}", f"{take_id}.mp4"
    )


def take_plan(renderer: ShotRenderer, config: PipelineConfig, script: Script, shot: Shot, settings: TakeSettings, *,
              clip_path: Path | None = None) -> ClipJob:
    """The render plan of a take of `shot` with `settings` over `config`: what render_take renders, and what the
    page's controls start from."""
    return renderer.job(script, shot, settings.method, settings.applied_to(config), preset=settings.preset,
                        clip_path=clip_path)


def generative_controls(renderer: ShotRenderer, config: PipelineConfig, script: Script, shot: Shot) -> TakeSettings:
    """The controls a generative take of `shot` starts from, read from its render plan: the resolved model's steps
    and guidance, the workspace's seed, second stage and camera LoRA switch."""
    job = take_plan(renderer, config, script, shot, TakeSettings(method="ltx"))
    ltx = job.config.ltx_video
    return TakeSettings(method="ltx", steps=job.model.steps, guidance_scale=job.model.guidance_scale, seed=ltx.seed,
                        two_stage=ltx.two_stage, camera_lora=ltx.camera_lora)


def render_take(
    renderer: ShotRenderer, store: VoteStore, config: PipelineConfig, script: Script, shot: Shot,
    settings: TakeSettings, *, who: str, progress: ProgressListener, cancel: CancelToken,
) -> Take:
    """Render a new take (never overwriting anything) and record it in the store."""
    take_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    clip = take_path(renderer.workspace, script, shot, settings.method, take_id)
    job = take_plan(renderer, config, script, shot, settings, clip_path=clip)
    renderer.check_job(job)  # the plan the take will render, as resolved
    progress.shot_started(f"{script.title_id} {shot.shot_id}", frame_count(shot.duration_s, config.video.fps))
    record = renderer.render(job, progress, cancel)
    take = Take(
        id=take_id, title_id=str(script.title_id), shot_id=shot.shot_id, method=settings.method,
        variant=settings.variant, params=settings.model_dump(exclude_none=True), input_hash=job.digest,
        video_path=renderer.workspace.relative(clip), record=record.model_dump(mode="json"),
        created_by=who, created_at=record.generated_at,
    )
    store.add_take(take)
    review_copy(clip)  # the arena plays this light copy; made now, while the clip is in the page cache
    return take


def take_clip(workspace: Workspace, take: Take) -> Path:
    """The take's full delivery clip; refused when the file is gone."""
    clip = workspace.inside(*take.video_path.split("/"))
    if not clip.is_file():
        raise StudioError(f"the video of take {take.id} is gone ({take.video_path}); render it again")
    return clip


def take_review_copy(workspace: Workspace, take: Take) -> Path:
    """The take's review copy (540x960, 2 Mbps) for the arena's players, made now if the take predates copies."""
    return review_copy(take_clip(workspace, take))


class ReviewCopies:
    """The arena's review copies of one workspace's takes.

    `of(take)` is the take's copy, made on the spot for a take that predates
    copies (once, even when many reviewers are dealt it at the same moment).
    `prepare(takes)` makes the copies these takes lack in the background, one
    at a time and each take once per process, so that a reviewer's next pair
    does not wait for an encode.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._backlog: queue.Queue[Take] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._making: dict[str, threading.Lock] = {}  # one lock per take: makers of one copy take turns

    def of(self, take: Take) -> Path:
        """The take's copy; when many reviewers are dealt it at once, one encodes and the others get its file."""
        with self._lock:
            making = self._making.setdefault(take.id, threading.Lock())
        with making:
            return take_review_copy(self.workspace, take)

    def prepare(self, takes: Iterable[Take]) -> None:
        """Queue the takes not seen before; returns at once."""
        with self._lock:
            for take in takes:
                if take.id not in self._seen:
                    self._seen.add(take.id)
                    self._backlog.put(take)
            if self._worker is None and self._seen:
                # A daemon: stopping the server never waits for the backlog (what it leaves is made on first use).
                self._worker = threading.Thread(target=self._work, name="review-copies", daemon=True)
                self._worker.start()

    def wait(self) -> None:
        """Block until every take queued so far has its copy, or failed to get one (for tests and benchmarks)."""
        self._backlog.join()

    def _work(self) -> None:
        while True:
            take = self._backlog.get()
            try:
                self.of(take)
            except (StudioError, OSError) as error:  # dealing the take tries again and says why to the reviewer
                log.info("no review copy of take %s yet: %s", take.id, error)
            finally:
                self._backlog.task_done()


def promote_take(workspace: Workspace, take: Take, *, by: str) -> Path:
    """Make `take` the canonical shot_k.mp4 of its method, pinned: batches keep it until it is unpinned."""
    script = workspace.find_script(take.title_id)
    shot = script.shot(take.shot_id)
    method = "ltx" if take.method == "ltx" else "interp"
    source = take_clip(workspace, take)
    target = workspace.clip_path(script, shot, method)
    with replaced_atomically(target, ".partial.mp4") as temp:
        shutil.copyfile(source, temp)
    pin = Pin(take_id=take.id, pinned_by=by, pinned_at=datetime.now(UTC).isoformat(timespec="seconds"),
              settings=TakeSettings.model_validate(take.params).model_dump(exclude_none=True))
    record = pinned(ClipRecord.model_validate(take.record | {"video_file": target.name}), pin)
    workspace.write_metadata(workspace.read_metadata(script, method).with_clip(record), script)
    return target


def unpin_clip(workspace: Workspace, script: Script, shot: Shot, method: Method) -> Pin:
    """Let batches replace the shot's canonical clip again; the clip itself stays until they do."""
    metadata = workspace.read_metadata(script, method)
    record = metadata.clip(shot.shot_id)
    if record is None or record.pin is None:
        raise StudioError(f"{shot.shot_id} has no pinned {method} clip to unpin; promote a take to pin one")
    workspace.write_metadata(metadata.with_clip(pinned(record, None)), script)
    return record.pin


__all__ = ["ReviewCopies", "TakeSettings", "promote_take", "render_take", "take_clip", "take_path", "take_review_copy",
           "unpin_clip"]
