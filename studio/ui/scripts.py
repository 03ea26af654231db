"""What the script lists say about script files that do not load (the Library and Assemble show the same note)."""

from __future__ import annotations

from studio.services import ReviewDesk


def broken_scripts_note(desk: ReviewDesk) -> str:
    """Script files the lists cannot show, each with its error; empty when every file loads."""
    broken = desk.broken_scripts()
    return "".join([f"**{len(broken)} script file(s) do not load** and are not listed:" if broken else "",
                    *("\n- " + str(problem).replace(problem.file, f"`{problem.file}`", 1) for problem in broken)])
