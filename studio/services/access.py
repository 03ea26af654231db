"""Who may do what: operators decide, reviewers vote and render takes.

The rule lives here once. The UI builds one `Caller` per request from what
the request proves (a Hugging Face login on a Space, the password login's
user name, the client's address), never from a field the client fills, and
passes it to the desk; the desk calls `require_operator` before anything an
operator alone may do.

Who is an operator:

- on a Space: the Hugging Face user names in `STUDIO_OPERATORS`; nobody when
  it is unset (a public Space never hands out decisions);
- with `STUDIO_PASSWORD`: the logged-in names in `STUDIO_OPERATORS`, or every
  logged-in user when it is unset (a private deployment trusts its password);
- otherwise (a local run, no login): every caller from this machine's loopback
  address; callers from other machines review.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from studio.errors import ConfigError, StudioError
from studio.store import reviewer_key

REFUSAL = "only operators can {action}; ask an operator or sign in as one"
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class OperatorOnlyError(StudioError):
    """A reviewer asked for something only an operator may do."""


class SignInRequired(StudioError):
    """A visitor of a public Space tried to vote without signing in."""


class TooManyRendersError(StudioError):
    """A reviewer already has as many renders queued as a reviewer may."""


@dataclass(frozen=True, slots=True)
class Caller:
    """The person behind one request: the name their login proves ("" without one) and their role."""

    name: str
    is_operator: bool

    @property
    def role(self) -> str:
        return "operator" if self.is_operator else "reviewer"


MACHINE = Caller("this machine", is_operator=True)
"""In-process callers (the CLI, tests, scripts): whoever runs Python here operates the studio."""


def require_operator(caller: Caller, action: str) -> None:
    """Refuse `action` ("apply a decision", ...) unless `caller` is an operator."""
    if not caller.is_operator:
        raise OperatorOnlyError(REFUSAL.format(action=action))


class Login(StrEnum):
    """How the app learns who is calling."""

    NONE = "none"  # a local run: no login, the client's address decides
    PASSWORD = "password"  # STUDIO_PASSWORD: Gradio's login names the user
    SPACE = "space"  # a Hugging Face Space: the Hugging Face login names the user


@dataclass(frozen=True, slots=True)
class AccessRules:
    """The operator rule for one running app (see the module docstring)."""

    login: Login = Login.NONE
    operators: frozenset[str] = frozenset()  # casefolded user names

    @classmethod
    def from_names(cls, login: Login, operators: str | None) -> AccessRules:
        """Rules from `STUDIO_OPERATORS` (comma-separated names) and how users log in."""
        names = frozenset(n.strip().casefold() for n in (operators or "").split(",") if n.strip())
        if names and login is Login.NONE:
            raise ConfigError("STUDIO_OPERATORS names logged-in users, but nobody logs in here: set STUDIO_PASSWORD "
                              "too (or run on a Hugging Face Space), or unset STUDIO_OPERATORS so everyone on "
                              "this machine is an operator")
        return cls(login=login, operators=names)

    def caller(self, *, login_name: str | None, client_host: str | None) -> Caller:
        """The caller of one request, from the name its login proves and the address it came from."""
        name = " ".join((login_name or "").split())
        if self.login is Login.NONE:
            return Caller(name, is_operator=(client_host or "") in LOOPBACK)
        if not name:
            return Caller("", is_operator=False)
        if self.operators:
            return Caller(name, is_operator=name.casefold() in self.operators)
        return Caller(name, is_operator=self.login is Login.PASSWORD)

    def voter(self, caller: Caller, typed: str | None) -> str:
        """Whom a vote (a pair, a take) counts for: the person the login proves, never a name the client types.

        Signed in (a password login, a Hugging Face sign-in), it is the login; a typed name that differs is
        refused, so nobody votes under another's name. On a Space without a sign-in nobody can vote: a typed
        name would let one visitor vote as many. Locally without a login the typed name stands, as people type it.
        """
        typed = " ".join((typed or "").split())
        if caller.name:
            if typed and reviewer_key(typed) != reviewer_key(caller.name):
                raise StudioError(f"you are signed in as {caller.name}, and your votes count for {caller.name}; "
                                  f"{typed[:60]!r} is someone else (clear the name, or sign in as them)")
            return caller.name
        if self.login is not Login.NONE:
            raise SignInRequired(
                "sign in with Hugging Face to vote: on this public Space each vote must belong to one person, so "
                "names cannot be typed; without signing in you can still browse the shots, watch takes and read "
                "the results" if self.login is Login.SPACE else "log in to vote: each vote belongs to the login")
        return typed

    def describe(self) -> str:
        """One line for the README-style help on the page: how to become an operator here."""
        if self.login is Login.SPACE:
            return "operators are the Hugging Face users named in STUDIO_OPERATORS; sign in with Hugging Face"
        if self.login is Login.PASSWORD and self.operators:
            return "operators are the user names in STUDIO_OPERATORS; log in with one of them"
        if self.login is Login.PASSWORD:
            return "everyone who logs in is an operator"
        return "everyone on this machine is an operator"


@dataclass(slots=True)
class RenderQueue:
    """One line of renders for the whole app, with a cap on how many a reviewer may have waiting or running.

    Created once per app (in `build_app`), never at import: two apps in one
    process each have their own queue. Operators are not capped.
    """

    per_reviewer: int = 2
    _turn: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _queued: Counter[str] = field(default_factory=Counter, repr=False)

    @contextlib.contextmanager
    def place(self, caller: Caller, key: str) -> Iterator[None]:
        """Hold a place in the line for `key` (the reviewer) until the block ends; refuse one too many."""
        with self._guard:
            if not caller.is_operator and self._queued[key] >= self.per_reviewer:
                raise TooManyRendersError(
                    f"you already have {self._queued[key]} render(s) queued or running, the most a reviewer may; "
                    "wait for one to finish (or cancel it), then render again")
            self._queued[key] += 1
        try:
            yield
        finally:
            with self._guard:
                self._queued[key] -= 1
                if not self._queued[key]:
                    del self._queued[key]

    def waiting(self) -> int:
        """Renders placed in the line, running or waiting."""
        with self._guard:
            return sum(self._queued.values())

    def try_turn(self, timeout_s: float) -> bool:
        """Take the render turn within `timeout_s`; True when taken (release it with `end_turn`)."""
        return self._turn.acquire(timeout=timeout_s)

    def end_turn(self) -> None:
        self._turn.release()
