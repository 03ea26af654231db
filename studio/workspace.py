"""The workspace tree: where scripts, keyframes, clips and metadata live.

Every path built here stays inside the workspace root: names that come from
files or users are checked, and symlinks that point out are refused.
"""

from __future__ import annotations

import difflib
import io
import itertools
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from studio.config import (
    PipelineConfig,
    Switches,
    describe_validation_error,
    load_pipeline_config,
    parse_pipeline_config,
)
from studio.domain import AGE_BUCKETS, SEGMENTS, Script, Shot
from studio.domain.metadata import Method, TitleMetadata
from studio.errors import ConfigError, KeyframeError, ScriptError, StudioError, WorkspaceError
from studio.files import write_atomically
from studio.settings import REPO_ROOT, environment

SAMPLE_WORKSPACE = REPO_ROOT / "assets" / "sample_workspace"
CONFIG_FILE = "config/pipeline.yaml"
SCENES_DIR = "scenes/json"
# Longer ids are no title: file names end near 255 bytes, and ids are UUIDs (36 characters).
MAX_TITLE_ID = 120
KEYFRAMES_DIR = "images/keyframes_v1"
VIDEOS_DIR = "videos"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a workspace, for `studio validate`."""

    file: str
    message: str

    def __str__(self) -> str:
        # A script's own errors already name it (they are raised alone too, by find_script): say the path once.
        return self.message if self.file in self.message else f"{self.file}: {self.message}"


@dataclass(frozen=True, slots=True)
class ScriptCatalog:
    """Every script file of a workspace, read once: the good scripts and the broken files with their errors.

    One unreadable file never hides the others: listing, rendering and reviewing
    go on with `scripts`, and `broken` is reported where people look (list, validate, the Library).
    """

    scripts: tuple[Script, ...]
    broken: tuple[Problem, ...]


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def open(cls, root: Path | str) -> Workspace:
        path = Path(root).expanduser()
        if not path.is_dir():
            raise WorkspaceError(f"workspace folder {path} does not exist; pass --workspace with an existing folder")
        return cls(path.resolve())

    # -- paths ---------------------------------------------------------------

    def inside(self, *parts: str) -> Path:
        """Join `parts` under the root, refusing anything that would leave it."""
        for part in parts:
            pure = PurePosixPath(part)
            if not part or pure.is_absolute() or Path(part).is_absolute() or ".." in pure.parts or "\\" in part:
                raise WorkspaceError(f"{part!r} is not allowed in a workspace path (no absolute paths, no '..')")
        path = self.root.joinpath(*parts)
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise WorkspaceError(f"{'/'.join(parts)} points outside the workspace (to {resolved}); refusing to use it")
        return path

    def new_export(self, stem: str, suffix: str, text: str) -> Path:
        """Write `text` to a new file exports/{stem}-{UTC time}{suffix}; two exports in one second get two files."""
        folder = self.inside("exports")
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{stem}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
        for attempt in itertools.count(1):
            path = folder / f"{name}{'' if attempt == 1 else f'-{attempt}'}{suffix}"
            try:
                with path.open("x", encoding="utf-8") as file:  # exclusive: never another export's file
                    file.write(text)
                return path
            except FileExistsError:
                continue
        raise AssertionError("unreachable: itertools.count never ends")

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def script_path(self, segment: str, age_bucket: str, title_id: str) -> Path:
        return self.inside(SCENES_DIR, segment, age_bucket, f"{title_id}.json")

    def keyframe_dir(self, script: Script) -> Path:
        return self.inside(KEYFRAMES_DIR, script.segment, script.age_bucket, str(script.title_id))

    def keyframe_paths(self, script: Script, shot: Shot) -> list[Path]:
        folder = self.keyframe_dir(script)
        return [self.inside(self.relative(folder), keyframe.file) for keyframe in shot.keyframes]

    def clip_dir(self, script: Script, method: Method) -> Path:
        return self.inside(VIDEOS_DIR, method, script.segment, script.age_bucket, str(script.title_id))

    def clip_path(self, script: Script, shot: Shot, method: Method) -> Path:
        return self.clip_dir(script, method) / f"shot_{shot.number:03d}.mp4"

    def narration_dir(self, script: Script) -> Path:
        return self.inside("audio", "narration", script.segment, script.age_bucket)

    def final_path(self, script: Script) -> Path:
        """The finished narrated video; its assembly report is the same name with .json."""
        return self.inside(VIDEOS_DIR, "final", script.segment, script.age_bucket, f"{script.title_id}.mp4")

    def metadata_path(self, script: Script, method: Method) -> Path:
        return self.clip_dir(script, method) / f"{script.title_id}_{method}_metadata.json"

    # -- reading -------------------------------------------------------------

    def config(self) -> PipelineConfig:
        return load_pipeline_config(self.inside(CONFIG_FILE))

    def script_files(self) -> list[Path]:
        scenes = self.inside(SCENES_DIR)
        if not scenes.is_dir():
            raise WorkspaceError(f"{self.root} has no {SCENES_DIR}/ folder; is this a studio workspace?")
        return sorted(scenes.glob("*/*/*.json"))

    def load_script(self, path: Path) -> Script:
        """Parse and validate one script, checking it sits where its fields say."""
        name = self.relative(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise ScriptError(f"cannot read {name}: {error}") from None
        except json.JSONDecodeError as error:
            raise ScriptError(f"{name} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
        try:
            script = Script.model_validate(data)
        except ValidationError as error:
            raise ScriptError(describe_validation_error(name, error)) from None
        expected = f"{SCENES_DIR}/{script.segment}/{script.age_bucket}/{script.title_id}.json"
        if name != expected:
            raise ScriptError(f"{name} describes {script.segment}/{script.age_bucket} title {script.title_id}; move it to {expected}")
        return script

    def catalog(self) -> ScriptCatalog:
        """The good scripts and the broken script files (each with its error), in file order."""
        scripts: list[Script] = []
        broken: list[Problem] = []
        for path in self.script_files():
            try:
                scripts.append(self.load_script(path))
            except StudioError as error:
                broken.append(Problem(self.relative(path), str(error)))
        return ScriptCatalog(tuple(scripts), tuple(broken))

    def scripts(self) -> list[Script]:
        """The scripts that load; broken files are left out (see `catalog` for them)."""
        return list(self.catalog().scripts)

    def find_script(self, title_id: str) -> Script:
        # Matched against the files there are, never made into a path: an id from a visitor may be any text.
        if len(title_id) <= MAX_TITLE_ID:
            for path in self.script_files():
                if path.stem == title_id and path.parent.name in AGE_BUCKETS and path.parent.parent.name in SEGMENTS:
                    return self.load_script(path)
        shown = title_id if len(title_id) <= MAX_TITLE_ID else title_id[:MAX_TITLE_ID] + "…"
        raise WorkspaceError(f"no script with title id {shown!r} under {SCENES_DIR}/{self._close_titles(shown)}; "
                             "`python -m studio list` lists the titles and their shots")

    def _close_titles(self, wanted: str) -> str:
        """'; did you mean ...' naming scripts whose id or title resembles `wanted`, or ''."""
        names = {str(path.stem): path.stem for path in self.script_files()}
        for script in self.catalog().scripts:
            names[script.title.lower()] = str(script.title_id)
        wanted = wanted.lower()
        starting = [name for name in names if len(wanted) >= 4 and name.startswith(wanted)]  # an id's first digits
        close = starting + difflib.get_close_matches(wanted, names, n=3, cutoff=0.5)
        ids = list(dict.fromkeys(names[name] for name in close))[:3]
        return f"; did you mean {' or '.join(ids)}?" if ids else ""

    def find_shot(self, title_id: str, shot_id: str) -> tuple[Script, Shot]:
        """The script and one of its shots; unknown ids are errors that list what exists."""
        script = self.find_script(title_id)
        return script, script.shot(shot_id)

    def read_metadata(self, script: Script, method: Method) -> TitleMetadata:
        path = self.metadata_path(script, method)
        empty = TitleMetadata(
            title_id=str(script.title_id), title=script.title, segment=script.segment,
            age_bucket=script.age_bucket, method=method,
        )
        if not path.exists():
            return empty
        try:
            return TitleMetadata.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as error:
            raise WorkspaceError(f"{self.relative(path)} is unreadable ({error}); move it away to start it afresh") from None

    def validate(self) -> list[Problem]:
        """Every problem in the workspace: config, scripts, keyframe files (missing, or not a decodable image)."""
        problems: list[Problem] = []
        try:
            self.config()
        except ConfigError as error:
            problems.append(Problem(CONFIG_FILE, str(error)))
        try:
            catalog = self.catalog()
        except StudioError as error:
            return [*problems, Problem(SCENES_DIR, str(error))]
        problems += catalog.broken
        from studio.media.images import check_keyframe  # cv2 loads only when keyframes are checked
        for script in catalog.scripts:
            name = self.relative(self.script_path(script.segment, script.age_bucket, str(script.title_id)))
            for shot in script.shots:
                for keyframe in self.keyframe_paths(script, shot):
                    if not keyframe.is_file():
                        problems.append(Problem(name, f"{shot.shot_id}: keyframe {self.relative(keyframe)} is missing"))
                        continue
                    try:
                        check_keyframe(keyframe, label=self.relative(keyframe))
                    except KeyframeError as error:
                        problems.append(Problem(name, f"{shot.shot_id}: {error}"))
        return problems

    # -- writing -------------------------------------------------------------

    def write_switches(self, switches: Switches) -> None:
        """Set switches.use_ltx and switches.overrides in pipeline.yaml, keeping the rest of the file and its comments.

        Overrides are changed in place, key by key, so the comments beside the ones that stay survive too;
        no overrides at all removes the key.
        """
        from ruamel.yaml import YAML

        path = self.inside(CONFIG_FILE)
        yaml = YAML()  # round-trip: comments and key order survive
        data = yaml.load(path.read_text(encoding="utf-8")) if path.exists() else None
        if data is None:
            data = {}
        if not isinstance(data.get("switches"), dict):
            data["switches"] = {}
        section = data["switches"]
        section["use_ltx"] = switches.use_ltx
        wanted = switches.overrides.as_mapping()
        if not wanted:
            section.pop("overrides", None)
        else:
            if not isinstance(section.get("overrides"), dict):
                section["overrides"] = {}
            _replace_in_place(section["overrides"], wanted)
        buffer = io.StringIO()
        yaml.dump(data, buffer)
        text = buffer.getvalue()
        parse_pipeline_config(YAML(typ="safe").load(text), CONFIG_FILE)  # never write a file that would not load
        write_atomically(path, text.encode("utf-8"))

    def write_metadata(self, metadata: TitleMetadata, script: Script) -> Path:
        path = self.metadata_path(script, metadata.method)
        write_atomically(path, metadata.model_dump_json(indent=2).encode("utf-8") + b"\n")
        return path


def _replace_in_place(target: dict, wanted: dict) -> None:
    """Make the mapping `target` (ruamel's, with its comments) equal `wanted`, touching only what differs."""
    for key in [key for key in target if str(key) not in wanted]:
        del target[key]
    for key, value in wanted.items():
        if isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}
            _replace_in_place(target[key], value)
        elif target.get(key) != value:
            target[key] = value


def default_home() -> Path:
    """Where the studio keeps its writable copy of the sample workspace."""
    return environment().home.expanduser()


def sample_workspace(destination: Path | None = None) -> Workspace:
    """A writable copy of the bundled sample workspace (assets/ is never written).

    Files already present are kept, so edits and renders survive; missing
    inputs are restored from the bundle.
    """
    target = destination or default_home() / "sample-workspace"
    for source in sorted(SAMPLE_WORKSPACE.rglob("*")):
        if source.is_file():
            copy = target / source.relative_to(SAMPLE_WORKSPACE)
            if not copy.exists():
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, copy)
    return Workspace.open(target)

