"""The review desk: takes, blind pairs, votes, results and the decision that sets the default method.

One desk per process; it holds no per-user state (reviewer names and pair
tokens travel with each request).
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from studio.config import PipelineConfig
from studio.domain import Script, Shot
from studio.domain.assembly import Edits
from studio.domain.comparison import ComparisonSet
from studio.domain.metadata import METHODS, Method, Pin
from studio.errors import StudioError
from studio.media.images import load_keyframe, save_keyframe
from studio.services.access import MACHINE, Caller, require_operator
from studio.services.assembly import AssemblyOptions, AssemblyReport, Timeline
from studio.services.progress import CancelToken, ProgressListener, SilentProgress
from studio.services.render import (
    DEPTH_CACHE_FOLDER,
    BatchReport,
    CanonicalClip,
    ReviewCopies,
    Selection,
    TakeSettings,
    canonical_clip,
    depth_model_source,
    depth_preview_path,
    generative_controls,
    promote_take,
    render_take,
    take_clip,
    unpin_clip,
)
from studio.services.review import (
    Arena,
    Deal,
    MethodFigure,
    MethodFigures,
    Results,
    ReviewerConsistency,
    apply_decision,
    self_consistency,
    summarize,
    variant_figures,
    votes_csv,
)
from studio.services.shot_status import ShotStatus, shot_statuses
from studio.services.studio import Studio
from studio.store import Take, Tally, VoteStore
from studio.workspace import Problem, Workspace


@dataclass(frozen=True)
class ReviewDesk:
    """The studio app's use cases on top of the Studio: takes, blind review, results and the decision."""

    studio: Studio
    store: VoteStore

    @property
    def workspace(self) -> Workspace:
        return self.studio.workspace

    @property
    def config(self) -> PipelineConfig:
        """The workspace's settings as resolved now (a decision rewrites them)."""
        return self.studio.config

    @property
    def root(self) -> Path:
        """The workspace folder, the one place the app serves files from."""
        return self.workspace.root

    def workspace_file(self, path: Path) -> str:
        """A file's name inside the workspace, as the page and the API show it."""
        return self.workspace.relative(path)

    def workspace_path(self, name: str) -> Path:
        """The file a workspace-relative name (from `workspace_file` or a take's record) stands for."""
        return self.workspace.inside(*name.split("/"))

    def script(self, title_id: str) -> Script:
        return self.workspace.find_script(title_id)

    def keyframe_paths(self, title_id: str, shot_id: str) -> list[Path]:
        return self.workspace.keyframe_paths(*self.shot(title_id, shot_id))

    def camera_lora_label(self, shot: Shot) -> str | None:
        """The camera LoRA a generative take of the shot gets, in words; None when none applies."""
        return self.studio.camera_lora_label(shot)

    def comparison_set(self, name: str | None = None) -> ComparisonSet | None:
        """The named comparison set, or the newest one; None while none is chosen."""
        return self.store.comparison_set(name)

    def comparison_sets(self) -> list[ComparisonSet]:
        return self.store.comparison_sets()

    def scripts(self) -> list[Script]:
        """The scripts that load; a broken file never hides the others (see `broken_scripts`)."""
        return self.workspace.scripts()

    def broken_scripts(self) -> tuple[Problem, ...]:
        """Script files that do not load, each with its file and the error, for the Library to show."""
        return self.workspace.catalog().broken

    def shot(self, title_id: str, shot_id: str) -> tuple[Script, Shot]:
        return self.workspace.find_shot(title_id, shot_id)

    def shot_statuses(self, title_id: str) -> dict[str, ShotStatus]:
        return shot_statuses(self.workspace, self.store, self.studio.config, title_id)

    def takes_with_tallies(self, title_id: str, shot_id: str) -> list[tuple[Take, Tally]]:
        """The shot's takes, oldest first, each with its won/tied/lost record."""
        tallies = self.store.take_tallies(title_id, shot_id)
        return [(take, tallies.get(take.id, Tally(0, 0, 0))) for take in self.store.takes(title_id, shot_id)]

    def take_numbers(self, title_id: str, shot_id: str) -> dict[str, int]:
        """Each take's number among its shot's takes, oldest first (the Library's "take 3"), by take id."""
        return {take.id: number for number, take in enumerate(self.store.takes(title_id, shot_id), start=1)}

    def promoted_take_id(self, title_id: str, shot_id: str) -> str | None:
        """The take the shot's canonical clip is pinned to (the newest pin of either method), if any."""
        pins = [clip.pin for clip in self.canonical(title_id, shot_id) if clip.exists and clip.pin is not None]
        return max(pins, key=lambda pin: pin.pinned_at).take_id if pins else None

    def depth_previews(self, title_id: str, shot_id: str) -> list[tuple[Path, str]]:
        """(preview image, keyframe file name) of each of the shot's keyframes whose depth the configured model has
        estimated (renders with depth on estimate it); none while nothing was."""
        folder = self.workspace.inside(*DEPTH_CACHE_FOLDER)
        if not folder.is_dir():
            return []
        script, shot = self.shot(title_id, shot_id)
        source = depth_model_source(self.studio.config.interpolation.depth.model, self.workspace.root)
        found = []
        for path in self.workspace.keyframe_paths(script, shot):
            if path.is_file():
                preview = depth_preview_path(folder, source, load_keyframe(path, label=self.workspace.relative(path)))
                if preview.is_file():
                    found.append((preview, path.name))
        return found

    def replace_keyframe(self, title_id: str, shot_id: str, file_name: str, upload: Path, *, by: Caller = MACHINE) -> Path:
        """Check an uploaded image and make it the shot's keyframe `file_name` (operators only).

        The upload must decode as a real image within the size limits; the old
        keyframe is kept beside it under replaced/ with a time stamp.
        """
        require_operator(by, "replace keyframes")
        script, shot = self.shot(title_id, shot_id)
        if file_name not in [k.file for k in shot.keyframes]:
            raise StudioError(f"{shot_id} has no keyframe {file_name!r}; its keyframes are {', '.join(k.file for k in shot.keyframes)}")
        image = load_keyframe(upload, label=f"upload for {file_name}")
        target = self.workspace.inside(self.workspace.relative(self.workspace.keyframe_dir(script)), file_name)
        if target.exists():
            backup = target.parent / "replaced" / f"{target.stem}.{datetime.now(UTC):%Y%m%dT%H%M%S}{target.suffix}"
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, backup)
        save_keyframe(image, target)
        return target

    def check_take(self, settings: TakeSettings) -> None:
        """Refuse, before any work, a take that cannot run here with these settings (LTX without a GPU or a small
        local model, a sampling its pipeline cannot take, missing interpolator weights)."""
        self.studio.renderer.check_method(settings.method, settings.applied_to(self.studio.config))

    def generative_controls(self, title_id: str, shot_id: str) -> TakeSettings:
        """What a generative take of the shot starts from (its render plan's steps, guidance, seed and switches);
        refused with the reason while ltx_video does not resolve."""
        script, shot = self.shot(title_id, shot_id)
        return generative_controls(self.studio.renderer, self.studio.config, script, shot)

    def render_take(self, title_id: str, shot_id: str, settings: TakeSettings, *, who: str,
                    progress: ProgressListener | None = None, cancel: CancelToken | None = None) -> Take:
        script, shot = self.shot(title_id, shot_id)
        take = render_take(self.studio.renderer, self.store, self.studio.config, script, shot, settings, who=who,
                           progress=progress or SilentProgress(), cancel=cancel or CancelToken())
        self.figures.warping_error(take)  # measured now, so the Results tab finds it cached
        return take

    def set_figures(self) -> list[MethodFigure]:
        """The figures over the newest comparison set's shots (every shot with takes while no set is chosen)."""
        chosen = self.store.comparison_set()
        return self.figures.figures(chosen.shots if chosen else None)

    @property
    def figures(self) -> MethodFigures:
        """Speed and consistency per method: render time, peak memory, warping error, reproducibility."""
        return MethodFigures(self.studio, self.store)

    def promote(self, take_id: str, *, by: Caller = MACHINE) -> Path:
        """Pin the take as its shot's canonical clip (operators only); batches keep it until it is unpinned."""
        require_operator(by, "promote takes")
        return promote_take(self.workspace, self.store.take(take_id), by=by.name or "an operator")

    def unpin(self, title_id: str, shot_id: str, method: Method, *, by: Caller = MACHINE) -> Pin:
        """Let batches replace the shot's pinned clip with a render from the workspace settings again (operators only)."""
        require_operator(by, "unpin takes")
        if method not in METHODS:
            raise StudioError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
        script, shot = self.shot(title_id, shot_id)
        return unpin_clip(self.workspace, script, shot, method)

    def canonical(self, title_id: str, shot_id: str) -> list[CanonicalClip]:
        """The shot's canonical clip of each method, with how it was made and whether it is current."""
        script, shot = self.shot(title_id, shot_id)
        config = self.studio.config
        return [canonical_clip(self.workspace, script, shot, method, config) for method in METHODS]

    def render_script(self, title_id: str, *, by: Caller = MACHINE, progress: ProgressListener | None = None,
                      cancel: CancelToken | None = None) -> BatchReport:
        """Render (or skip when up to date) every shot of a script, each with its method from the switches
        (its stratum's override, else the default; operators only)."""
        require_operator(by, "render every shot of a script")
        return self.studio.generate(Selection(title_id=title_id), progress=progress, cancel=cancel)

    def assemble(self, title_id: str, options: AssemblyOptions, *, by: Caller = MACHINE,
                 progress: ProgressListener | None = None, cancel: CancelToken | None = None) -> AssemblyReport:
        """Assemble a title; previews are open to all, the final export is for operators."""
        if options.preview_size is None:
            require_operator(by, "export the final video")
        return self.studio.assemble(title_id, options, progress, cancel)

    def assembly_timeline(self, title_id: str, options: AssemblyOptions | None = None) -> Timeline:
        """Where each shot of a title sits against its narration, before anything is rendered."""
        return self.studio.assembly_timeline(title_id, options)

    def final_video(self, title_id: str) -> Path:
        """Where a title's finished video is written; it may not exist yet."""
        return self.workspace.final_path(self.script(title_id))

    def final_report(self, title_id: str) -> dict | None:
        """The assembly report written beside the finished video; None before the first export."""
        report = self.final_video(title_id).with_suffix(".json")
        return json.loads(report.read_text()) if report.is_file() else None

    def save_assembly_edits(self, title_id: str, edits: Edits, *, by: Caller = MACHINE) -> Path:
        """Keep a title's assembly edits (starts and transitions; empty edits drop them): they shape the final
        cut, so operators only."""
        require_operator(by, "edit the final cut")
        return self.studio.save_assembly_edits(title_id, edits)

    def ltx_unavailable(self) -> str | None:
        """Why LTX cannot run here, or None when it may (cheap: no torch import; the render checks for real)."""
        import importlib.util

        from studio.backends.runtime import cuda_present, generation_blocker
        from studio.services.render import resolve_model

        if importlib.util.find_spec("torch") is None or importlib.util.find_spec("diffusers") is None:
            return "needs torch and diffusers, which are not installed here"
        try:
            model = resolve_model(self.workspace, self.studio.config)
        except StudioError as error:
            return str(error)
        return generation_blocker(model.source, model.family, cuda=cuda_present())

    def keyframe_problems(self, title_id: str, shot_id: str) -> dict[str, str]:
        """Keyframe file name -> why it cannot be used (missing, truncated, not an image), as `validate` finds it;
        empty when every keyframe of the shot loads."""
        from studio.media.images import check_keyframe

        script, shot = self.shot(title_id, shot_id)
        problems = {}
        for path in self.workspace.keyframe_paths(script, shot):
            if not path.is_file():
                problems[path.name] = "the file is missing"
                continue
            try:
                check_keyframe(path, label=path.name)
            except StudioError as error:
                problems[path.name] = str(error)
        return problems

    def alike_takes_note(self, title_id: str, shot_id: str) -> str | None:
        """Why a shot with takes offers nothing to compare, when its takes all show the same pictures; else None."""
        return self.arena.alike_takes_note(title_id, shot_id)

    def dealable_takes(self) -> list[Take]:
        """Every take the arena can deal now (one of a pair of takes of one shot whose clips differ), each once."""
        return list({take.id: take for pair in self.arena.pairs() for take in pair}.values())

    def pair_progress(self, reviewer: str) -> tuple[int, int]:
        """(pairs this reviewer has judged, pairs there are) among the current takes."""
        return self.arena.progress(self.reviewer(reviewer))

    @cached_property
    def review_copies(self) -> ReviewCopies:
        """The light copies of the takes that the arena plays (540x960, 2 Mbps; see media/preview.py)."""
        return ReviewCopies(self.workspace)

    @cached_property
    def arena(self) -> Arena:
        return Arena(self.store, self.workspace, self.review_copies)

    def full_clip(self, take: Take) -> Path:
        """The take's full delivery clip, one click away under the arena's players."""
        return take_clip(self.workspace, take)

    def deal(self, reviewer: str, mode: str = "decide", rng: random.Random | None = None) -> Deal:
        """The next pair for `reviewer` (see services/review/arena.py), with the reviewer's progress counted from the
        same reads (the arena shows both): in "decide" mode the comparisons that decide use_ltx first, now and then a
        repeat of a judged pair with sides swapped; "tune": same-method variants."""
        return self.arena.deal(self.reviewer(reviewer), mode, rng or random.Random())

    def vote(self, reviewer: str, token: str, choice: str, reasons: list[str], comment: str = "") -> tuple[Take, Take]:
        """Record the vote and reveal the two takes (left, right)."""
        return self.arena.vote(self.reviewer(reviewer), token, choice, reasons, comment)

    def reviewer(self, name: str, *, optional: bool = False) -> str:
        """The reviewer a typed name stands for: spaces tidied, case ignored ('ana' is 'Ana'), spelled as first seen.
        `optional` (a take's author): an empty name is "anonymous", and a refusal says it may be left empty."""
        cleaned = " ".join(str(name or "").split())
        if optional and not cleaned:
            return "anonymous"
        if not 2 <= len(cleaned) <= 60:
            given = f", not {len(cleaned):,}" if cleaned else ""
            if optional:
                raise StudioError(f"the name a take is credited to must be 2-60 characters{given}; leave it empty to "
                                  "render as anonymous")
            raise StudioError(f"enter your name (2-60 characters{given}), so that your votes and takes count as yours, "
                              "once")
        return self.store.reviewer(cleaned)

    def results(self) -> Results:
        """What the votes say, split by segment, age bucket and camera movement."""
        scripts = {str(s.title_id): s for s in self.scripts()}
        takes = {take.id: take for take in self.store.takes()}
        rows, alike = [], 0
        for row in self.store.vote_rows():
            if row["repeat_of"]:
                continue  # a repeat measures the reviewer's consistency; counting it would count one judgement twice
            if takes[row["left_take"]].shows_the_same_as(takes[row["right_take"]]):
                alike += 1  # cast before such pairs were held back: a preference between equal clips is noise
                continue
            script = scripts.get(row["title_id"])
            shot = next((s for s in script.shots if s.shot_id == row["shot_id"]), None) if script else None
            rows.append(row | {
                "segment": script.segment if script else None,
                "age_bucket": script.age_bucket if script else None,
                "camera_movement": shot.camera_movement.value if shot else None,
            })
        return replace(summarize(rows, default_use_ltx=self.studio.config.switches.use_ltx), alike_left_out=alike)

    def reviewer_consistency(self) -> list[ReviewerConsistency]:
        """Per reviewer: how often they answered a repeated pair (sides swapped) as the first time."""
        return self_consistency(self.store.vote_rows())

    def take_figures(self) -> list[dict]:
        """Objective figures per method and settings (see review/method_figures.py `variant_figures`)."""
        return variant_figures(self.store.takes(), self.arena.every_pair())

    def apply_decision(self, use_ltx: bool, *, overrides: object = None, force: bool = False,
                       by: Caller = MACHINE) -> Path:
        """Write switches.use_ltx and switches.overrides and add the decision, with each override's evidence and the
        figures, on top of DECISION.md (operators only; see services/review/decision.py for what the votes must support).

        `overrides` is the YAML shape, {stratum: {value: method}}; None keeps the overrides in effect, {} clears them.
        """
        require_operator(by, "apply a decision")
        return apply_decision(self.workspace, self.studio.config.switches, self.results, use_ltx, overrides,
                              force=force, by=by, figures=self.set_figures)

    def export_batch(self, title_ids: list[str] | None = None) -> str:
        """A batch config (YAML) for the chosen titles: per shot the method, settings and output path."""
        from studio.services.render import dump_batch, export_batch

        catalog = self.workspace.catalog()
        known = {str(script.title_id) for script in catalog.scripts}
        unknown = [title_id for title_id in title_ids or () if title_id not in known]
        broken = [problem.message for problem in catalog.broken if Path(problem.file).stem in unknown]
        if broken:
            raise StudioError("; ".join(broken))
        if unknown:
            raise StudioError(f"no script with title id {', '.join(map(repr, unknown))}; the Library lists the titles")
        return dump_batch(export_batch(self.workspace, self.studio.config, title_ids or None))

    def write_export(self, stem: str, suffix: str, text: str, *, by: Caller = MACHINE) -> Path:
        """Write `text` to a new file under exports/ (see Workspace.new_export). Operators only: every export is a
        new file in the workspace."""
        require_operator(by, f"export files (a {stem} export writes a new file in the workspace)")
        return self.workspace.new_export(stem, suffix, text)

    def votes_csv(self, *, by: Caller = MACHINE) -> str:
        """Every vote as CSV (operators only: it names every reviewer and holds their comments)."""
        require_operator(by, "export the votes (they name every reviewer and hold their comments)")
        return votes_csv(self.store.vote_rows())
