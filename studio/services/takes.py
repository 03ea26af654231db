"""Takes: every render kept with its settings, and promoting one to the canonical clip."""

from __future__ import annotations

import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

from studio.config import PipelineConfig
from studio.domain import Script, Shot
from studio.domain.metadata import ClipRecord, Method, Pin
from studio.domain.timing import frame_count
from studio.errors import StudioError
from studio.files import replaced_atomically
from studio.services.canonical import pinned
from studio.services.progress import CancelToken, ProgressListener
from studio.services.renderer import ShotRenderer
from studio.services.take_settings import TakeSettings
from studio.store import Take, VoteStore
from studio.workspace import Workspace


def take_path(workspace: Workspace, script: Script, shot: Shot, method: str, take_id: str) -> Path:
    return workspace.inside(
        "videos", "takes", method, script.segment, script.age_bucket, str(script.title_id), f"shot_{shot.number:03d}", f"{take_id}.mp4"
    )


def render_take(
    renderer: ShotRenderer, store: VoteStore, config: PipelineConfig, script: Script, shot: Shot,
    settings: TakeSettings, *, who: str, progress: ProgressListener, cancel: CancelToken,
) -> Take:
    """Render a new take (never overwriting anything) and record it in the store."""
    take_config = settings.applied_to(config)
    take_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    clip = take_path(renderer.workspace, script, shot, settings.method, take_id)
    job = renderer.job(script, shot, settings.method, take_config, preset=settings.preset, clip_path=clip)
    renderer.check_method(settings.method, take_config, job.model)  # the model the take will render with
    progress.shot_started(f"{script.title_id} {shot.shot_id}", frame_count(shot.duration_s, config.video.fps))
    record = renderer.render(job, progress, cancel)
    take = Take(
        id=take_id, title_id=str(script.title_id), shot_id=shot.shot_id, method=settings.method,
        variant=settings.variant, params=settings.model_dump(exclude_none=True), input_hash=job.digest,
        video_path=renderer.workspace.relative(clip), record=record.model_dump(mode="json"),
        created_by=who, created_at=record.generated_at,
    )
    store.add_take(take)
    return take


def promote_take(workspace: Workspace, take: Take, *, by: str) -> Path:
    """Make `take` the canonical shot_k.mp4 of its method, pinned: batches keep it until it is unpinned."""
    script = workspace.find_script(take.title_id)
    shot = script.shot(take.shot_id)
    method = "ltx" if take.method == "ltx" else "interp"
    source = workspace.inside(*take.video_path.split("/"))
    if not source.is_file():
        raise StudioError(f"the video of take {take.id} is gone ({take.video_path}); render it again")
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


__all__ = ["TakeSettings", "promote_take", "render_take", "take_path", "unpin_clip"]
