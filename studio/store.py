"""The review store: takes, blind pairs, reviewers and votes in SQLite (sqlite-utils).

Every call opens its own short-lived connection, so web workers in many
threads never share one; WAL mode and a busy timeout let many reviewers vote at
once without losing a vote. Schema changes are numbered migrations.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from studio.domain.comparison import ComparisonSet, ComparisonSetError, ShotKey
from studio.errors import StudioError

BUSY_TIMEOUT_MS = 15_000
CHOICES = ("left", "right", "tie", "both_bad")
REASON_TAGS = ("flicker", "warping", "off-prompt", "too static", "artefacts")
MAX_COMMENT_CHARS = 2000


def reviewer_key(name: str) -> str:
    """What makes two reviewer names one reviewer: 'ana', 'Ana' and ' ANA ' are the same person."""
    return " ".join(name.split()).casefold()


REASON_SIDES = ("left", "right", "both")
# A reason names a side ("left: flicker", "both: warping"); a bare tag (older votes, older clients) names none.
REASONS = (*REASON_TAGS, *(f"{side}: {tag}" for side in REASON_SIDES for tag in REASON_TAGS))

migrations = Migrations("shot-video-studio")


@migrations(name="0001_takes_pairs_reviewers_votes")
def _initial_schema(db: Database) -> None:
    db["takes"].create(
        {"id": str, "title_id": str, "shot_id": str, "method": str, "variant": str, "params": str,
         "input_hash": str, "video_path": str, "record": str, "created_by": str, "created_at": str},
        pk="id",
    )
    db["takes"].create_index(["title_id", "shot_id"])
    db["reviewers"].create({"name": str, "created_at": str}, pk="name")
    db["pairs"].create(
        {"token": str, "title_id": str, "shot_id": str, "left_take": str, "right_take": str,
         "reviewer": str, "created_at": str},
        pk="token",
        foreign_keys=[("left_take", "takes", "id"), ("right_take", "takes", "id"), ("reviewer", "reviewers", "name")],
    )
    db["votes"].create(
        {"pair_token": str, "reviewer": str, "choice": str, "reasons": str, "comment": str, "created_at": str},
        pk=("pair_token", "reviewer"),
        foreign_keys=[("pair_token", "pairs", "token"), ("reviewer", "reviewers", "name")],
    )


@migrations(name="0002_reviewer_names_ignore_case")
def _reviewer_keys(db: Database) -> None:
    """One reviewer per name whatever its case: each keeps the spelling first used, and the votes and
    pairs of a later spelling ('ana' after 'Ana') move to it."""
    db["reviewers"].add_column("name_key", str)
    first: dict[str, str] = {}
    for row in list(db.query("select name from reviewers order by created_at, rowid")):
        name, key = row["name"], reviewer_key(row["name"])
        if key not in first:
            first[key] = name
            db.execute("update reviewers set name_key = ? where name = ?", [key, name])
            continue
        for table in ("pairs", "votes"):
            db.execute(f"update {table} set reviewer = ? where reviewer = ?", [first[key], name])  # noqa: S608
        db.execute("delete from reviewers where name = ?", [name])
    db.execute("create unique index reviewers_name_key on reviewers (name_key)")


@migrations(name="0003_comparison_sets_and_repeats")
def _comparison_sets(db: Database) -> None:
    """Named comparison sets of shots, and pairs that repeat an earlier one (sides swapped) to measure
    each reviewer's self-consistency."""
    db["comparison_sets"].create({"name": str, "shots": str, "created_by": str, "created_at": str}, pk="name")
    db["pairs"].add_column("repeat_of", str)


class StoreError(StudioError):
    """A review action that the store refuses (unknown token, bad choice, ...)."""


@dataclass(frozen=True, slots=True)
class Take:
    id: str
    title_id: str
    shot_id: str
    method: str
    variant: str
    params: dict
    input_hash: str
    video_path: str
    record: dict
    created_by: str
    created_at: str

    @classmethod
    def from_row(cls, row: dict) -> Take:
        return cls(**{**row, "params": json.loads(row["params"]), "record": json.loads(row["record"])})

    def shows_the_same_as(self, other: Take) -> bool:
        """Whether the two clips show the same pictures (equal frame fingerprints): comparing them tells nothing.
        A take made before fingerprints were kept is taken to differ."""
        mine = self.record.get("frames_fingerprint")
        return mine is not None and mine == other.record.get("frames_fingerprint")


@dataclass(frozen=True, slots=True)
class Tally:
    """One take's record in blind comparisons."""

    won: int
    tied: int
    lost: int

    def __str__(self) -> str:
        return f"{self.won}/{self.tied}/{self.lost}"


@dataclass(frozen=True, slots=True)
class Pair:
    token: str
    title_id: str
    shot_id: str
    left_take: str
    right_take: str
    reviewer: str
    repeat_of: str | None = None
    """The token of the earlier pair this one repeats (sides swapped); None for a fresh comparison."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class VoteStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        # One connection per thread that uses this store, kept open: opening one per call and closing it (the
        # last close checkpoints the WAL) cost a vote round most of its time under load.
        self._connections = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.enable_wal()
            migrations.apply(db)

    @contextmanager
    def _db(self) -> Iterator[Database]:
        """This thread's connection (autocommit: every statement commits unless a block is made atomic)."""
        db = getattr(self._connections, "db", None)
        if db is None:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA foreign_keys = ON")
            db = self._connections.db = Database(connection)
        yield db

    # -- takes ---------------------------------------------------------------

    def add_take(self, take: Take) -> None:
        row = asdict(take) | {
            "params": json.dumps(take.params, sort_keys=True), "record": json.dumps(take.record, sort_keys=True)}
        with self._db() as db:
            db.table("takes").insert(row)

    def take(self, take_id: str) -> Take:
        with self._db() as db:
            rows = list(db.table("takes").rows_where("id = ?", [take_id]))
        if not rows:
            raise StoreError(f"no take {take_id!r}")
        return Take.from_row(rows[0])

    def takes(self, title_id: str | None = None, shot_id: str | None = None) -> list[Take]:
        where, args = [], []
        if title_id:
            where.append("title_id = ?")
            args.append(title_id)
        if shot_id:
            where.append("shot_id = ?")
            args.append(shot_id)
        with self._db() as db:
            rows = db.table("takes").rows_where(" and ".join(where) or None, args, order_by="created_at, rowid")
            return [Take.from_row(row) for row in rows]

    # -- pairs and votes ------------------------------------------------------

    def reviewer(self, name: str) -> str:
        """The reviewer called `name`, as first spelled: a new name is registered, a known one in
        another case ('ana' for 'Ana') is the same reviewer."""
        key = reviewer_key(name)
        with self._db() as db:
            db.execute("insert or ignore into reviewers (name, name_key, created_at) values (?, ?, ?)", [name, key, _now()])
            return db.execute("select name from reviewers where name_key = ?", [key]).fetchone()[0]

    def create_pair(self, title_id: str, shot_id: str, left: str, right: str, reviewer: str,
                    repeat_of: str | None = None) -> Pair:
        reviewer = self.reviewer(reviewer)
        pair = Pair(secrets.token_urlsafe(24), title_id, shot_id, left, right, reviewer, repeat_of)
        with self._db() as db:
            db.table("pairs").insert(asdict(pair) | {"created_at": _now()})
        return pair

    def pair(self, token: str) -> Pair:
        with self._db() as db:
            rows = list(db.table("pairs").rows_where("token = ?", [token]))
        if not rows:
            raise StoreError("this comparison is unknown or expired; ask for the next pair")
        return Pair(**{name: rows[0][name] for name in Pair.__dataclass_fields__})

    def record_vote(self, token: str, reviewer: str, choice: str, reasons: list[str], comment: str) -> None:
        """One vote per reviewer per pair: voting again replaces the earlier vote."""
        if choice not in CHOICES:
            raise StoreError(f"vote must be one of {', '.join(CHOICES)}, not {choice!r}")
        if len(comment.strip()) > MAX_COMMENT_CHARS:
            raise StoreError(f"the comment has {len(comment.strip()):,} characters; shorten it to {MAX_COMMENT_CHARS:,} "
                             "or fewer (comments are kept whole, never cut)")
        unknown = sorted(set(reasons) - set(REASONS))
        if unknown:
            raise StoreError(f"unknown reason tag(s) {', '.join(unknown)}; use a side and a tag, like 'left: flicker' "
                             f"(sides: {', '.join(REASON_SIDES)}; tags: {', '.join(REASON_TAGS)})")
        pair = self.pair(token)
        if pair.reviewer != reviewer:
            raise StoreError("this comparison was dealt to another reviewer; ask for your next pair")
        with self._db() as db:
            db.table("votes").upsert(
                {"pair_token": token, "reviewer": reviewer, "choice": choice,
                 "reasons": json.dumps(sorted(set(reasons))), "comment": comment.strip(), "created_at": _now()},
                pk=("pair_token", "reviewer"),
            )

    def vote_rows(self) -> list[dict]:
        """Every vote with both takes' method and variant, and the shot."""
        query = """
            select v.pair_token, v.reviewer, v.choice, v.reasons, v.comment, v.created_at,
                   p.title_id, p.shot_id, p.left_take, p.right_take, p.repeat_of,
                   l.method as left_method, l.variant as left_variant,
                   r.method as right_method, r.variant as right_variant
            from votes v join pairs p on p.token = v.pair_token
            join takes l on l.id = p.left_take join takes r on r.id = p.right_take
            order by v.created_at, v.pair_token
        """
        with self._db() as db:
            return [dict(row) for row in db.query(query)]

    # -- tallies (SQL, so every view counts votes the same way) ----------------

    def take_tallies(self, title_id: str, shot_id: str) -> dict[str, Tally]:
        """Per take of one shot: votes it won, tied and lost ('both bad' counts as lost)."""
        query = """
            with sides as (
                select p.left_take as take, v.choice, 'left' as side from votes v join pairs p on p.token = v.pair_token
                where p.title_id = :title and p.shot_id = :shot
                union all
                select p.right_take, v.choice, 'right' from votes v join pairs p on p.token = v.pair_token
                where p.title_id = :title and p.shot_id = :shot
            )
            select take, sum(choice = side) as won, sum(choice = 'tie') as tied,
                   sum(choice != side and choice != 'tie') as lost
            from sides group by take
        """
        with self._db() as db:
            return {row["take"]: Tally(row["won"], row["tied"], row["lost"])
                    for row in db.query(query, {"title": title_id, "shot": shot_id})}

    def both_bad_counts(self, title_id: str) -> dict[str, int]:
        """Per shot of a title: how many votes called both takes bad."""
        query = """
            select p.shot_id, count(*) as bad from votes v join pairs p on p.token = v.pair_token
            where p.title_id = ? and v.choice = 'both_bad' group by p.shot_id
        """
        with self._db() as db:
            return {row["shot_id"]: row["bad"] for row in db.query(query, [title_id])}

    def comparison_counts(self) -> dict[frozenset[str], int]:
        """Votes per pair of takes, whichever side each was shown on."""
        query = """
            select min(p.left_take, p.right_take) as a, max(p.left_take, p.right_take) as b, count(*) as votes
            from votes v join pairs p on p.token = v.pair_token group by a, b
        """
        with self._db() as db:
            return {frozenset((row["a"], row["b"])): row["votes"] for row in db.query(query)}

    def judged_comparisons(self, reviewer: str) -> set[frozenset[str]]:
        """The pairs of takes `reviewer` has already voted on."""
        query = "select p.left_take, p.right_take from votes v join pairs p on p.token = v.pair_token where v.reviewer = ?"
        with self._db() as db:
            return {frozenset((row["left_take"], row["right_take"])) for row in db.query(query, [reviewer])}

    def judged_pairs(self, reviewer: str) -> list[Pair]:
        """The pairs `reviewer` has voted on, oldest first."""
        query = """select p.* from votes v join pairs p on p.token = v.pair_token
                   where v.reviewer = ? order by v.created_at, p.rowid"""
        with self._db() as db:
            return [Pair(**{name: row[name] for name in Pair.__dataclass_fields__}) for row in db.query(query, [reviewer])]

    def dealt_left(self, reviewer: str) -> dict[str, int]:
        """Per method: how often it was shown on the left to `reviewer` in pairs of two different methods."""
        query = """
            select l.method, count(*) as shown from pairs p
            join takes l on l.id = p.left_take join takes r on r.id = p.right_take
            where p.reviewer = ? and l.method != r.method group by l.method
        """
        with self._db() as db:
            return {row["method"]: row["shown"] for row in db.query(query, [reviewer])}

    # -- comparison sets ------------------------------------------------------

    def save_comparison_set(self, chosen: ComparisonSet) -> ComparisonSet:
        """Keep `chosen` under its name (choosing a set again under the same name replaces it)."""
        saved = ComparisonSet(chosen.name, chosen.shots, chosen.created_by, chosen.created_at or _now())
        with self._db() as db:
            db.table("comparison_sets").upsert({"name": saved.name, "shots": json.dumps([str(k) for k in saved.shots]),
                                          "created_by": saved.created_by, "created_at": saved.created_at}, pk="name")
        return saved

    def comparison_sets(self) -> list[ComparisonSet]:
        """Every set, the newest first (the newest steers the pairs)."""
        with self._db() as db:
            rows = list(db.table("comparison_sets").rows_where(order_by="created_at desc, rowid desc"))
        return [ComparisonSet(row["name"], tuple(ShotKey.parse(k) for k in json.loads(row["shots"])),
                              row["created_by"], row["created_at"]) for row in rows]

    def comparison_set(self, name: str | None = None) -> ComparisonSet | None:
        """The set called `name`, or (None) the newest; None when there is none yet."""
        sets = self.comparison_sets()
        if name is None:
            return sets[0] if sets else None
        found = next((chosen for chosen in sets if chosen.name == name), None)
        if found is None:
            known = ", ".join(chosen.name for chosen in sets) or "none yet"
            raise ComparisonSetError(f"no comparison set called {name!r} (sets: {known}); choose one first")
        return found
