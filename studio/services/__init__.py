"""Use cases of the studio: what the CLI and the UI ask for, in one place."""

from studio.services.batch import BatchReport, Selection, ShotOutcome
from studio.services.progress import Cancelled, CancelToken, FrameCounter, ProgressListener, SilentProgress
from studio.services.review import NothingToCompare, ReviewDesk
from studio.services.studio import Studio
from studio.services.takes import TakeSettings

__all__ = [
    "BatchReport", "CancelToken", "Cancelled", "FrameCounter", "NothingToCompare", "ProgressListener", "ReviewDesk",
    "Selection", "ShotOutcome", "SilentProgress", "Studio", "TakeSettings",
]
