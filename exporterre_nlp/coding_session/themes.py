"""Theme ↔ code links as the coding interface lists and decides them.

The crosswalk suggests "theme T resembles code C" (docs/themes.md); a person accepts or rejects that
once, for the whole theme, as ``exporterre themes --link / --unlink`` does. A link is one decision per
theme and code for the team (a new one replaces the previous, both logged), never a coding, so it is
shown with who made it even in blind mode: blind mode hides other coders' *codings*.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..records import Run
from ..store.themes import ThemeLink, ThemeQuote, run_backend

RUN_KIND = "themes"


@dataclass(frozen=True)
class ThemeLinkRow:
    """One theme with one code: a link the crosswalk suggested or a person decided; ``code_id`` None for a
    theme with neither (listed so that every theme is seen)."""
    theme: int
    label: str
    size: int
    words: tuple[str, ...]               # the theme's top words
    code_id: int | None
    code_key: str | None
    code_label: str | None
    score: float | None                  # the crosswalk's score (None: decided on a code it did not score)
    suggested: bool
    shared_words: tuple[str, ...]        # the lemmas theme and code share (what made the score)
    status: str | None                   # "accepted", "rejected" or None (to decide)
    decided_by: str | None


@dataclass(frozen=True)
class ThemeLinks:
    """The latest finished theme run (None: no theme run yet) and its rows, theme by theme."""
    run: Run | None
    rows: list[ThemeLinkRow]

    @property
    def backend(self) -> str | None:
        return run_backend(self.run) if self.run else None

    @property
    def to_decide(self) -> int:
        return sum(1 for r in self.rows if r.code_id is not None and r.status is None)


class SessionThemes:
    """Mixed into :class:`~exporterre_nlp.coding_session.CodingSession` (needs ``store``, ``coder``)."""

    def theme_links(self) -> ThemeLinks:
        """Every theme of the latest theme run with its suggested and decided code links."""
        run = self.store.latest_run(RUN_KIND)
        if run is None:
            return ThemeLinks(None, [])
        themes = [t for t in self.store.list_themes(run.id) if t.theme >= 0]
        scores = {(s.theme, s.code_id): s for s in self.store.theme_codes(run.id)}
        decided = {(link.theme, link.code_id): link for link in self.store.theme_links(run.id)}
        codes = {c.id: c for c in self.store.list_codes()}
        listed: dict[int, set[int]] = defaultdict(set)          # theme -> codes suggested or decided
        for (theme, code_id), score in scores.items():
            if score.suggested:
                listed[theme].add(code_id)
        for theme, code_id in decided:
            listed[theme].add(code_id)
        rows = []
        for t in themes:
            words = tuple(w for w, _ in t.words[:8])
            if not listed[t.theme]:
                rows.append(ThemeLinkRow(t.theme, t.label, t.size, words, None, None, None, None, False, (), None,
                                         None))
                continue

            def order(code_id: int, theme: int = t.theme) -> tuple[float, str]:   # best score first, then key
                score, code = scores.get((theme, code_id)), codes.get(code_id)
                return -(score.score if score else -1.0), code.key if code else ""
            for code_id in sorted(listed[t.theme], key=order):
                score, code, link = scores.get((t.theme, code_id)), codes.get(code_id), decided.get((t.theme, code_id))
                rows.append(ThemeLinkRow(
                    t.theme, t.label, t.size, words, code_id, code.key if code else None,
                    code.label if code else None, score.score if score else None,
                    bool(score and score.suggested), score.shared_words if score else (),
                    link.status if link else None, link.coder if link else None))
        return ThemeLinks(run, rows)

    def theme_quotes(self, run_id: int, theme: int) -> list[ThemeQuote]:
        """The quotes the fit picked for a theme (different speakers first)."""
        return self.store.theme_quotes(run_id, theme)

    def decide_theme_link(self, run_id: int, theme: int, code_id: int, accept: bool) -> ThemeLink:
        """This coder's decision, for the whole theme, that it resembles the code (``accept``) or not."""
        return self.store.decide_theme_link(run_id, theme, code_id, status="accepted" if accept else "rejected",
                                            coder=self.coder)
