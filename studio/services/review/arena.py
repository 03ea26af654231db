"""The arena: which pairs of takes exist to compare, the next one dealt to a reviewer, and the vote cast on it.

Names arrive resolved (the desk turns a typed name or a login into a reviewer);
the arena holds no per-user state, only the store and the workspace it reads.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from studio.errors import StudioError
from studio.services.render import ReviewCopies
from studio.services.review.pairing import PAIR_MODES, choose_fresh, choose_repeat, order_sides
from studio.store import Pair, StoreError, Take, VoteStore
from studio.workspace import Workspace


class NothingToCompare(StoreError):
    """No pair of takes is left for this reviewer; the message says what would make one."""


@dataclass(frozen=True, slots=True)
class Deal:
    """A blind pair dealt to a reviewer, and where they stand: pairs judged before this one, pairs there are."""

    pair: Pair
    left: Take
    right: Take
    judged: int
    total: int


@dataclass(frozen=True)
class Arena:
    """Deals blind pairs of takes and records votes on them, for reviewers named by the caller."""

    store: VoteStore
    workspace: Workspace
    review_copies: ReviewCopies

    def every_pair(self) -> list[tuple[Take, Take]]:
        """Every pair of takes of one shot, alike or not."""
        by_shot: dict[tuple[str, str], list[Take]] = {}
        for take in self.store.takes():
            by_shot.setdefault((take.title_id, take.shot_id), []).append(take)
        return [pair for takes in by_shot.values() for pair in itertools.combinations(takes, 2)]

    def pairs(self) -> list[tuple[Take, Take]]:
        """Every pair of takes of one shot whose clips differ (two that show the same pictures compare nothing)."""
        return [(a, b) for a, b in self.every_pair() if not a.shows_the_same_as(b)]

    def alike_takes_note(self, title_id: str, shot_id: str) -> str | None:
        """Why a shot with takes offers nothing to compare, when its takes all show the same pictures; else None."""
        takes = self.store.takes(title_id, shot_id)
        pairs = list(itertools.combinations(takes, 2))
        if not pairs or not all(a.shows_the_same_as(b) for a, b in pairs):
            return None
        return (f"Its {len(takes)} takes show the same pictures (the settings that differ change nothing in this "
                "shot), so none of them is dealt as a pair to vote on; render a take that differs, with another "
                "method, to compare.")

    def progress(self, name: str) -> tuple[int, int]:
        """(pairs the reviewer `name` has judged, pairs there are) among the current takes."""
        pairs = self.pairs()
        judged = self.store.judged_comparisons(name)
        return sum(frozenset((a.id, b.id)) in judged for a, b in pairs), len(pairs)

    def deal(self, name: str, mode: str, rng: random.Random) -> Deal:
        """The next pair for the reviewer `name` (see pairing.py), with their progress counted from the same reads."""
        if mode not in PAIR_MODES:
            raise StudioError(f"mode must be one of {', '.join(PAIR_MODES)}, not {mode!r}")
        pairs = self.pairs()
        if not pairs and self.every_pair():
            raise NothingToCompare("nothing to compare yet: the takes of each shot show the same pictures (for example "
                                   "a static shot rendered with two motion settings); render a take that differs, "
                                   "with another method, in Library & generate")
        if not pairs:
            raise NothingToCompare("nothing to compare yet: no shot has two takes; render a second take of a shot "
                                   "(another method or setting) in Library & generate")
        judged_pairs = self.store.judged_pairs(name)
        judged = {frozenset((pair.left_take, pair.right_take)) for pair in judged_pairs}
        candidates = [(a, b) for a, b in pairs if frozenset((a.id, b.id)) not in judged]
        progress = {"judged": len(pairs) - len(candidates), "total": len(pairs)}
        # Whatever this reviewer is dealt next, its review copies are made meanwhile (takes older than copies).
        self.review_copies.prepare(take for pair in candidates for take in pair)
        # Repeats are mixed in among fresh pairs only: once a reviewer has judged everything, they are done.
        if mode == "decide" and candidates and (repeat := choose_repeat(judged_pairs, rng)) is not None:
            left, right = self.store.take(repeat.right_take), self.store.take(repeat.left_take)  # sides swapped
            pair = self.store.create_pair(left.title_id, left.shot_id, left.id, right.id, name, repeat.token)
            return Deal(pair, left, right, **progress)
        chosen_set, strata = self.store.comparison_set(), self._strata()
        chosen = choose_fresh(candidates, every_pair=pairs, mode=mode,
                              in_set=lambda key: chosen_set is not None and key in chosen_set,
                              stratum_of=lambda key: strata.get(key.title_id, ""),
                              pair_votes=self.store.comparison_counts(), rng=rng)
        if chosen is None:
            if mode == "tune" and candidates:
                raise NothingToCompare("no two takes of one shot with the same method and different settings are left "
                                       "for you; render another variant of a shot, or switch back to deciding the method")
            raise NothingToCompare(f"you have judged all {len(pairs)} pair(s) of takes, thank you; new pairs appear "
                                   "when someone renders another take")
        left, right = order_sides(*chosen, left_counts=self.store.dealt_left(name), rng=rng)
        pair = self.store.create_pair(left.title_id, left.shot_id, left.id, right.id, name)
        return Deal(pair, left, right, **progress)

    def _strata(self) -> dict[str, str]:
        """Title id -> "segment age" of every script file, read off its place (scenes/json/{segment}/{age}/{id}.json,
        where a script that loads must sit): no script is parsed to deal a pair."""
        return {path.stem: f"{path.parent.parent.name} {path.parent.name}" for path in self.workspace.script_files()}

    def vote(self, name: str, token: str, choice: str, reasons: list[str], comment: str = "") -> tuple[Take, Take]:
        """Record the reviewer `name`'s vote and reveal the two takes (left, right)."""
        self.store.record_vote(token, name, choice, reasons, comment)
        pair = self.store.pair(token)
        return self.store.take(pair.left_take), self.store.take(pair.right_take)
