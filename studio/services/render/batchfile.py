"""Batch configs: per shot the method, its parameters and the output path, as YAML.

Exported from the studio (the promoted take's settings where there is one,
the workspace defaults elsewhere) and run with `python -m studio generate --batch FILE`.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from studio.config import PipelineConfig, describe_validation_error, read_yaml
from studio.domain.metadata import Method, TitleMetadata
from studio.errors import ConfigError, WorkspaceError
from studio.services.render.batch import ShotRequest
from studio.services.render.takes import TakeSettings
from studio.workspace import Workspace

BATCH_VERSION = 1


class BatchShot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title_id: str
    shot_id: str
    method: Literal["interp", "ltx"]
    params: TakeSettings
    seed: int | None = Field(default=None, description="Generation seed (LTX); null for interpolation.")
    output: str = Field(description="Clip path relative to the workspace.")

    @model_validator(mode="after")
    def _one_seed(self) -> BatchShot:
        if self.seed is not None and self.params.seed is not None and self.seed != self.params.seed:
            raise ValueError(f"seed {self.seed} and params.seed {self.params.seed} disagree; give one")
        return self

    @property
    def settings(self) -> TakeSettings:
        """The shot's take settings with the batch's seed in them: what it renders with."""
        return self.params if self.seed is None else self.params.model_copy(update={"seed": self.seed})


class BatchFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = BATCH_VERSION
    shots: list[BatchShot]


def export_batch(workspace: Workspace, config: PipelineConfig, title_ids: list[str] | None = None) -> BatchFile:
    """A batch for the chosen titles (all when None): each shot with the method the switches give it
    (`switches.method_for`), and that method's promoted take's settings where there is one."""
    shots = []
    for script in workspace.scripts():
        if title_ids and str(script.title_id) not in title_ids:
            continue
        metadata: dict[Method, TitleMetadata] = {}
        for shot in script.shots:
            method = config.switches.method_for(script, shot)
            if method not in metadata:
                metadata[method] = workspace.read_metadata(script, method)
            record = metadata[method].clip(shot.shot_id)
            pin = record.pin if record else None
            params = TakeSettings.model_validate(pin.settings) if pin else TakeSettings(
                method=method, motion=config.interpolation.ken_burns.strength,
                smooth_motion=config.interpolation.smooth_motion, preset=config.video.preset,
            )
            shots.append(BatchShot(
                title_id=str(script.title_id), shot_id=shot.shot_id, method=params.method, params=params,
                seed=(config.ltx_video.seed if params.seed is None else params.seed) if params.method == "ltx" else None,
                output=workspace.relative(workspace.clip_path(script, shot, params.method)),
            ))
    return BatchFile(shots=shots)


def dump_batch(batch: BatchFile) -> str:
    from ruamel.yaml import YAML

    buffer = io.StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 10_000  # never fold a long value (an output path) onto a line of its own
    yaml.dump(batch.model_dump(mode="json", exclude_none=True), buffer)
    return "# Shot Video Studio batch: run with  python -m studio generate --batch THIS_FILE\n" + buffer.getvalue()


def load_batch(path: Path) -> BatchFile:
    data = read_yaml(path)
    try:
        return BatchFile.model_validate(data)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(str(path), error)) from None


def batch_requests(workspace: Workspace, config: PipelineConfig, batch: BatchFile) -> list[ShotRequest]:
    """The shots a batch file names, each with its own method and settings; checked before anything renders."""
    requests = []
    for entry in batch.shots:
        script, shot = workspace.find_shot(entry.title_id, entry.shot_id)
        expected = workspace.relative(workspace.clip_path(script, shot, entry.method))
        if entry.output != expected:
            raise WorkspaceError(f"batch output {entry.output!r} for {entry.shot_id} must be {expected!r} (the pipeline's path)")
        requests.append(ShotRequest(script, shot, entry.method, entry.settings.applied_to(config), entry.params.preset))
    return requests
