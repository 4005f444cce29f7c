"""Theme ↔ code links decided by people, for the whole theme at once.

The crosswalk (:mod:`.crosswalk`) suggests that "theme T resembles code C";
a researcher accepts or rejects that in one decision (``exporterre themes
--link T C`` / ``--unlink T C``, or the same functions from the TUI). A link is
a statement about a theme, never a coding: counts of codes come only from
codings people made or validated, so they never depend on the theme fit.
"""
from __future__ import annotations

from ..records import Run
from ..store.themes import ThemeLink
from .results import resolve_run


def decide_link(project, theme: int, code: str, *, coder: str, accept: bool = True,
                run: Run | int | None = None) -> ThemeLink:
    """Record ``coder``'s decision that ``theme`` resembles ``code`` (``accept``) or does not.

    ``run`` is a theme run or its number; by default the latest finished one. The
    decision replaces an earlier one on the same theme and code (both are logged).
    """
    the_run = run if isinstance(run, Run) else resolve_run(project, run)
    return project.store.decide_theme_link(the_run.id, int(theme), code,
                                           status="accepted" if accept else "rejected", coder=coder)


def accepted_links(project, run: Run | None = None) -> dict[int, list[str]]:
    """Theme → the codes a person accepted as resembling it (code keys)."""
    the_run = run or resolve_run(project)
    out: dict[int, list[str]] = {}
    for link in project.store.theme_links(the_run.id):
        if link.status == "accepted":
            out.setdefault(link.theme, []).append(link.code_key)
    return out
