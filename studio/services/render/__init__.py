"""The rendering journey: a take's settings resolved once into a clip's render plan, rendered in this process or on
Ray workers, kept as takes and canonical clips, and batches of them.

Modules here import one another by module path; everything outside imports this surface.
"""

from studio.services.render.batch import BatchReport, Selection, ShotOutcome, ShotRequest
from studio.services.render.batchfile import batch_requests, dump_batch, export_batch, load_batch
from studio.services.render.canonical import CLIP_STATES, CanonicalClip, ClipInputs, canonical_clip
from studio.services.render.cluster import ClusterOptions, RayRenderer
from studio.services.render.depth import CACHE_FOLDER as DEPTH_CACHE_FOLDER
from studio.services.render.depth import preview_path as depth_preview_path
from studio.services.render.generative import generation_plan, shot_generation
from studio.services.render.memory import keep_freed_memory
from studio.services.render.model_resolution import resolve_model
from studio.services.render.plan import animation_settings, clip_job, encoder_settings
from studio.services.render.renderer import ShotRenderer
from studio.services.render.take_settings import TakeSettings
from studio.services.render.takes import (
    ReviewCopies,
    generative_controls,
    promote_take,
    render_take,
    take_clip,
    unpin_clip,
)
from studio.services.render.weights import depth_model_source, film_weights_path, rife_weights_path

__all__ = [
    "CLIP_STATES", "DEPTH_CACHE_FOLDER", "BatchReport", "CanonicalClip", "ClipInputs", "ClusterOptions", "RayRenderer",
    "ReviewCopies", "Selection", "ShotOutcome", "ShotRenderer", "ShotRequest", "TakeSettings", "animation_settings",
    "batch_requests", "canonical_clip", "clip_job", "depth_model_source", "depth_preview_path", "dump_batch",
    "encoder_settings", "export_batch", "film_weights_path", "generation_plan", "generative_controls",
    "keep_freed_memory", "load_batch", "promote_take", "render_take", "resolve_model", "rife_weights_path",
    "shot_generation", "take_clip", "unpin_clip",
]
