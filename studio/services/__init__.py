"""Use cases of the studio: what the CLI and the UI ask for, in one place."""

from studio.services.batch import BatchReport, Selection, ShotOutcome
from studio.services.progress import ProgressListener, SilentProgress
from studio.services.studio import ReviewDesk, Studio
from studio.services.takes import TakeSettings

__all__ = ["BatchReport", "ReviewDesk", "TakeSettings", "ProgressListener", "Selection", "ShotOutcome", "SilentProgress", "Studio"]
