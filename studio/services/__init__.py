"""Use cases of the studio: what the CLI and the UI ask for, in one place.

Three journeys, each a package with one surface: `render` (a take's render plan, clips, takes, batches, Ray),
`assembly` (fitting clips to the narration and joining them) and `review` (pairs, results, the decision). Above them
the `Studio` facade and the `ReviewDesk` the page talks to.
"""

from studio.services.desk import ReviewDesk
from studio.services.progress import Cancelled, CancelToken, FrameCounter, ProgressListener, SilentProgress
from studio.services.render import BatchReport, Selection, ShotOutcome, TakeSettings
from studio.services.review import NothingToCompare
from studio.services.studio import Studio

__all__ = [
    "BatchReport", "CancelToken", "Cancelled", "FrameCounter", "NothingToCompare", "ProgressListener", "ReviewDesk",
    "Selection", "ShotOutcome", "SilentProgress", "Studio", "TakeSettings",
]
