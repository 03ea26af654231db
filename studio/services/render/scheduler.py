"""One batch loop for every renderer: this process (one slot) or Ray workers (N slots).

The skip, pin, cancel and failure rules live here once, over `concurrent.futures`:
a renderer only says how many clips it renders at once and how to start one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Protocol

from studio.domain.metadata import ClipRecord
from studio.domain.timing import frame_count
from studio.services.progress import CancelToken, ProgressListener, ShotProgress, SilentProgress
from studio.services.render.batch import BatchReport, ClipJob, ShotOutcome, ShotRequest

POLL_S = 0.25
"""How often the loop looks at the cancel token while clips render."""


@dataclass(frozen=True)
class InFlight:
    """A clip being rendered: its future record, and how to stop it early."""

    future: Future[ClipRecord]
    stop: Callable[[], None] = field(default=lambda: None)


class ShotRules(Protocol):
    """What the loop asks the renderer (ShotRenderer): the method check, the job, what stays, how a shot ended."""

    def check_all(self, requests: list[ShotRequest]) -> None: ...

    def canonical_job(self, request: ShotRequest) -> ClipJob: ...

    def kept(self, request: ShotRequest, job: ClipJob, *, force: bool) -> ShotOutcome | None: ...

    def rendered(self, request: ShotRequest, job: ClipJob, record: ClipRecord) -> ShotOutcome: ...

    def unrendered(self, request: ShotRequest, job: ClipJob, error: BaseException) -> ShotOutcome: ...


class RenderSlots(Protocol):
    """Where clips render."""

    @property
    def capacity(self) -> int:
        """How many clips render at once."""
        ...

    def start(self, job: ClipJob, progress: ProgressListener, cancel: CancelToken) -> InFlight: ...


def frames_of(request: ShotRequest) -> int:
    return frame_count(request.shot.duration_s, request.config.video.fps)


def run_batch(renderer: ShotRules, slots: RenderSlots, requests: Iterable[ShotRequest], *, force: bool = False,
              progress: ProgressListener | None = None, cancel: CancelToken | None = None) -> BatchReport:
    """Render every request's canonical clip, `slots.capacity` at a time, outcomes in request order.

    Kept clips (pinned, or up to date) are reported first; each shot's failure is its own outcome; a cancel stops
    the clips in flight and reports the rest as not started; Ctrl-C does the same, then stops the batch.
    """
    requests, listener, cancel = list(requests), progress or SilentProgress(), cancel or CancelToken()
    renderer.check_all(requests)
    listener.batch_started(len(requests), sum(frames_of(r) for r in requests))
    outcomes: dict[int, ShotOutcome] = {}
    waiting: deque[tuple[int, ShotRequest, ClipJob]] = deque()
    for index, request in enumerate(requests):
        job = renderer.canonical_job(request)
        kept = renderer.kept(request, job, force=force)
        if kept is None:
            waiting.append((index, request, job))
            continue
        listener.shot_started(request.label, frames_of(request))
        outcomes[index] = kept
        listener.shot_finished(request.label, kept.status, kept.message)
    in_flight: dict[Future[ClipRecord], tuple[int, ShotRequest, ClipJob, InFlight]] = {}
    try:
        while waiting or in_flight:
            while waiting and len(in_flight) < slots.capacity and not cancel.cancelled:
                index, request, job = waiting.popleft()
                listener.shot_started(request.label, frames_of(request))
                started = slots.start(job, ShotProgress(listener, request.label), cancel)
                in_flight[started.future] = (index, request, job, started)
            if not in_flight:
                break
            if cancel.cancelled:  # work elsewhere (Ray) does not hear the token: stop it
                for *_, started in in_flight.values():
                    started.stop()
            done, _ = wait(in_flight, timeout=POLL_S, return_when=FIRST_COMPLETED)
            for future in done:
                index, request, job, _ = in_flight.pop(future)
                try:
                    outcome = renderer.rendered(request, job, future.result())
                except BaseException as error:  # noqa: BLE001 - each shot's failure (or cancel) is its own outcome
                    outcome = renderer.unrendered(request, job, error)
                outcomes[index] = outcome
                listener.shot_finished(request.label, outcome.status, outcome.message)
    finally:  # Ctrl-C (or a cancel): stop what runs, and say so
        if in_flight:
            cancel.cancel()
        for future, (index, request, job, started) in in_flight.items():
            started.stop()
            wait([future])
            outcomes[index] = ShotOutcome(request.label, "cancelled", job.clip_path, message="cancelled before it finished")
            listener.shot_finished(request.label, "cancelled", None)
    for index, request, job in waiting:
        outcomes[index] = ShotOutcome(request.label, "cancelled", job.clip_path, message="not started: the batch was cancelled")
    return BatchReport([outcomes[index] for index in range(len(requests))])


__all__ = ["InFlight", "RenderSlots", "ShotRules", "run_batch"]
