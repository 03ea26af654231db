"""The Studio facade: one object per workspace that the CLI and UI talk to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from studio.config import PipelineConfig
from studio.domain import Script, Shot
from studio.domain.assembly import Edits
from studio.domain.metadata import Method
from studio.errors import StudioError, WorkspaceError
from studio.services.assembly import AssemblyOptions, AssemblyReport, PreparedAssembly, Timeline
from studio.services.progress import CancelToken, ProgressListener
from studio.services.render import BatchReport, Selection, ShotRenderer, ShotRequest
from studio.workspace import Problem, Workspace

if TYPE_CHECKING:  # only the type: ray and the cluster code load when a cluster is asked for
    from studio.services.render import ClusterOptions

ConfigOverride = Callable[[PipelineConfig], PipelineConfig]


@dataclass(frozen=True)
class Studio:
    """A workspace's use cases. Settings are read from `config/pipeline.yaml` whenever work starts,
    so a decision applied in the app (or an edit by hand) reaches every later render."""

    workspace: Workspace
    renderer: ShotRenderer
    overrides: tuple[ConfigOverride, ...] = field(default=(), repr=False)
    """Command-line choices (--method svd, --interp-method) laid over the file's settings."""

    @classmethod
    def open(cls, workspace: Workspace, cluster: ClusterOptions | None = None) -> Studio:
        """A studio rendering in this process, or with `cluster` on Ray workers (see services/render/cluster.py)."""
        if cluster is None:
            return cls(workspace, ShotRenderer(workspace))
        from studio.services.render import RayRenderer

        return cls(workspace, RayRenderer(workspace, options=cluster))

    def close(self) -> None:
        """Let go of what rendering holds beyond this process (Ray workers)."""
        close = getattr(self.renderer, "close", None)
        if close is not None:
            close()

    @property
    def config(self) -> PipelineConfig:
        """The workspace's settings as the file says now, with this studio's overrides."""
        config = self.workspace.config()
        for override in self.overrides:
            config = override(config)
        return config

    def camera_control(self, shot: Shot) -> str:
        """How the shot's camera move steers the generative model: its camera LoRA, or why there is none."""
        from studio.services.render import resolve_model

        try:
            model = resolve_model(self.workspace, self.config)
        except StudioError as error:
            return f"unknown until ltx_video is fixed ({str(error).splitlines()[0]})"
        lora = model.camera_lora(shot.camera_movement)
        if lora is not None:
            return f"{model.family.name} camera LoRA `{lora.label}`"
        return model.camera_note or f"{model.family.name} has no camera LoRA for `{shot.camera_movement.value}`; prompt words only"

    def camera_lora_label(self, shot: Shot) -> str | None:
        """The camera LoRA the shot's move switches on, as the shot's details name it; None where none does (the
        move then reaches the model as prompt words, as the README says), or while ltx_video does not resolve."""
        from studio.services.render import resolve_model

        try:
            model = resolve_model(self.workspace, self.config)
        except StudioError:
            return None
        lora = model.camera_lora(shot.camera_movement)
        return f"{model.family.name} camera LoRA `{lora.label}`" if lora is not None else None

    def with_svd(self) -> Studio:
        """This studio with Stable Video Diffusion as the generative model (unless one is already chosen)."""
        from studio.services.render import resolve_model

        def svd(config: PipelineConfig) -> PipelineConfig:
            if resolve_model(self.workspace, config).family.name == "stable-video-diffusion":
                return config
            return config.model_copy(update={"ltx_video": config.ltx_video.model_copy(update={"model": "svd-xt"})})

        return replace(self, overrides=(*self.overrides, svd))

    def with_interpolation(self, name: str | None, *, rife_weights: str | None = None,
                           film_weights: str | None = None) -> Studio:
        update: dict[str, str] = {"method": name} if name else {}
        if rife_weights:
            update["rife_weights"] = str(Path(rife_weights).expanduser().resolve())
        if film_weights:
            update["film_weights"] = str(Path(film_weights).expanduser().resolve())

        def interpolation(config: PipelineConfig) -> PipelineConfig:
            return config.model_copy(update={"interpolation": config.interpolation.model_copy(update=update)})

        return replace(self, overrides=(*self.overrides, interpolation))

    def validate(self) -> list[Problem]:
        return self.workspace.validate()

    def select(self, selection: Selection) -> list[tuple[Script, Shot]]:
        """Shots matching `selection`, in script then shot order; an empty match is an error."""
        if selection.title_id is not None:
            self.workspace.find_script(selection.title_id)  # an unknown id is named with the close matches
        scripts = [s for s in self.workspace.scripts() if selection.matches_script(s)]
        jobs = [(script, shot) for script in scripts for shot in script.shots if selection.matches_shot(shot)]
        if not jobs:
            raise WorkspaceError(f"no shot matches {selection}; `python -m studio list` lists the titles and their shots")
        return jobs

    def generate(self, selection: Selection, method: Method | None = None, *, preset: str | None = None,
                 force: bool = False, progress: ProgressListener | None = None,
                 cancel: CancelToken | None = None) -> BatchReport:
        """Render every selected shot's canonical clip; failures are collected, never stop the batch.

        Every shot renders with `method`, or, when it is None, with the method `switches.method_for` gives that
        shot (its stratum's override, else use_ltx).
        """
        config = self.config  # one snapshot for the whole batch
        requests = [ShotRequest(script, shot, method or config.switches.method_for(script, shot), config,
                                preset or config.video.preset)
                    for script, shot in self.select(selection)]
        return self.renderer.render_all(requests, force=force, progress=progress, cancel=cancel)

    def run_batch(self, path: Path, *, force: bool = False, progress: ProgressListener | None = None,
                  cancel: CancelToken | None = None) -> BatchReport:
        """Render every shot of a batch file with its own method and parameters."""
        from studio.services.render import batch_requests, load_batch

        requests = batch_requests(self.workspace, self.config, load_batch(path))
        return self.renderer.render_all(requests, force=force, progress=progress, cancel=cancel)

    def assemble(self, title_id: str, options: AssemblyOptions | None = None,
                 progress: ProgressListener | None = None, cancel: CancelToken | None = None) -> AssemblyReport:
        """The finished narrated video of one title, with its report (see services/assembly/assemble.py)."""
        from studio.services.assembly import assemble_title

        return assemble_title(self.renderer, self.config, self.workspace.find_script(title_id), options, progress, cancel)

    def assembly_plan(self, title_id: str, options: AssemblyOptions | None = None) -> PreparedAssembly:
        """The narration, its spans and the planned cut of one title, without writing anything."""
        from studio.services.assembly import prepare

        return prepare(self.workspace, self.workspace.find_script(title_id), self.config, options or AssemblyOptions())

    def assembly_timeline(self, title_id: str, options: AssemblyOptions | None = None) -> Timeline:
        """What the Assemble view draws: the planned cut and the narration's waveform on the video's clock."""
        from studio.services.assembly import timeline

        return timeline(self.assembly_plan(title_id, options))

    def save_assembly_edits(self, title_id: str, edits: Edits) -> Path:
        from studio.services.assembly import save_edits

        return save_edits(self.workspace, self.workspace.find_script(title_id), edits)
