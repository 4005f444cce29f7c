"""Store mixin: themes (BERTopic runs, theme assignments, theme × code matrix).

A theme run is a row of ``runs`` (kind ``themes``); its results hang off it
and go when it is deleted. Reads return the typed records below.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from ..errors import NotFoundError
from ..i18n import tr
from .base import dumps, in_clause, loads, now


@dataclass(frozen=True)
class ThemeRecord:
    run_id: int
    theme: int
    label: str
    size: int
    words: list[tuple[str, float]]


@dataclass(frozen=True)
class ThemeUnit:
    """One analysed unit and its theme (-1: none); ``document.text[start:end]`` is the unit."""
    run_id: int
    position: int
    document_id: int
    document: str
    segment_id: int | None
    start: int
    end: int
    speaker: str | None
    role: str | None
    phase: int
    lieu: str | None
    theme: int
    score: float | None


@dataclass(frozen=True)
class ThemeQuote:
    run_id: int
    theme: int
    rank: int
    document_id: int
    document: str
    start: int
    end: int
    speaker: str | None
    score: float | None
    text: str


@dataclass(frozen=True)
class ThemeCodeScore:
    run_id: int
    theme: int
    code_id: int
    code_key: str
    code_label: str
    score: float
    suggested: bool
    shared_words: tuple[str, ...] = ()   # the lemmas that make the score


@dataclass(frozen=True)
class ThemeCodeCell:
    """Segments that carry both the theme and the code (human: manual/accepted; machine: rule suggestions)."""
    run_id: int
    theme: int
    code_id: int
    code_key: str
    human: int
    machine: int


@dataclass(frozen=True)
class ThemeClassCount:
    run_id: int
    theme: int
    kind: str                          # "phase" or "lieu"
    value: str
    units: int


@dataclass(frozen=True)
class ThemeLink:
    """A person's decision that theme ``theme`` of a run resembles code ``code_key`` (accepted) or not."""
    id: int
    run_id: int
    theme: int
    code_id: int
    code_key: str
    status: str                        # "accepted" or "rejected"
    coder: str
    decided_at: str


def run_backend(run) -> str | None:
    """The embeddings a stored theme run was fitted with, as its settings record them (a concrete backend:
    a fit stores what ``auto`` chose, never ``auto``); None when the run does not say."""
    return ((run.settings or {}).get("themes") or {}).get("backend")


_LINK_COLS = "id, run_id, theme, code_id, status, coder, decided_at"
_UNIT_SELECT = ("SELECT u.run_id, u.position, u.document_id, d.name, u.segment_id, u.start, u.end, u.speaker, "
                "u.role, u.phase, u.lieu, u.theme, u.score FROM theme_units u "
                "JOIN documents d ON d.id = u.document_id")


class ThemesMixin:
    # -- writes --------------------------------------------------------------
    def save_theme_results(self, run_id: int, *, themes: Sequence[ThemeRecord], units: Sequence[ThemeUnit],
                           quotes: Sequence[ThemeQuote], codes: Sequence[ThemeCodeScore],
                           class_counts: Sequence[ThemeClassCount]) -> None:
        """Write everything a theme run found, in one transaction (replacing earlier results of that run)."""
        with self.db.transaction() as conn:
            for table in ("themes", "theme_units", "theme_quotes", "theme_codes", "theme_class_counts",
                          "theme_code_matrix"):
                conn.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))
            conn.executemany("INSERT INTO themes(run_id, theme, label, size, words) VALUES (?, ?, ?, ?, ?)",
                             [(run_id, t.theme, t.label, t.size, dumps([[w, s] for w, s in t.words]))
                              for t in themes])
            conn.executemany(
                "INSERT INTO theme_units(run_id, position, document_id, segment_id, start, end, speaker, role, "
                "phase, lieu, theme, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, u.position, u.document_id, u.segment_id, u.start, u.end, u.speaker, u.role, u.phase,
                  u.lieu, u.theme, u.score) for u in units])
            conn.executemany(
                "INSERT INTO theme_quotes(run_id, theme, rank, document_id, start, end, speaker, score) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, q.theme, q.rank, q.document_id, q.start, q.end, q.speaker, q.score) for q in quotes])
            conn.executemany("INSERT INTO theme_codes(run_id, theme, code_id, score, suggested, shared_words) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             [(run_id, c.theme, c.code_id, c.score, int(c.suggested), dumps(list(c.shared_words)))
                              for c in codes])
            conn.executemany("INSERT INTO theme_class_counts(run_id, theme, class, value, units) VALUES (?, ?, ?, ?, ?)",
                             [(run_id, c.theme, c.kind, c.value, c.units) for c in class_counts])
            self._fill_theme_code_matrix(conn, run_id)

    def refresh_theme_code_matrix(self, run_id: int) -> list[ThemeCodeCell]:
        """Recount the theme × code matrix from today's codings (they change as people code)."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM theme_code_matrix WHERE run_id = ?", (run_id,))
            self._fill_theme_code_matrix(conn, run_id)
        return self.theme_code_matrix(run_id)

    def _fill_theme_code_matrix(self, conn, run_id: int) -> None:
        conn.execute(
            "INSERT INTO theme_code_matrix(run_id, theme, code_id, human, machine) "
            "SELECT u.run_id, u.theme, c.code_id, "
            "COUNT(DISTINCT CASE WHEN c.status IN ('manual', 'accepted') THEN u.segment_id END), "
            "COUNT(DISTINCT CASE WHEN c.status = 'pending' THEN u.segment_id END) "
            "FROM theme_units u JOIN codings c ON c.segment_id = u.segment_id "
            "WHERE u.run_id = ? AND u.theme >= 0 AND u.segment_id IS NOT NULL "
            "AND c.status IN ('manual', 'accepted', 'pending') AND c.origin NOT LIKE 'topic:%' "
            "GROUP BY u.run_id, u.theme, c.code_id", (run_id,))

    def decide_theme_link(self, run_id: int, theme: int, code: int | str, *, status: str,
                          coder: str) -> ThemeLink:
        """Record that ``theme`` resembles ``code`` (``accepted``) or not (``rejected``), for the whole theme.

        One decision per (run, theme, code): a new one replaces the previous, and both
        are in the event log (undoable). No coding is written: codes are counted from
        codings people made, never from themes.
        """
        if status not in ("accepted", "rejected"):
            raise ValueError("status must be 'accepted' or 'rejected'")
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM themes WHERE run_id = ? AND theme = ?", (run_id, theme)).fetchone() is None:
                raise NotFoundError(tr(f"Le thème {theme} n'existe pas dans l'analyse n° {run_id}.",
                                       f"Theme {theme} does not exist in run #{run_id}."),
                                    tr("« exporterre themes » liste les thèmes et leurs numéros.",
                                       "'exporterre themes' lists the themes and their numbers."))
            code_id = self._code_id(conn, code)
            old = conn.execute(f"SELECT {_LINK_COLS} FROM theme_links WHERE run_id = ? AND theme = ? AND code_id = ?",
                               (run_id, theme, code_id)).fetchone()
            if old is None:
                link_id = conn.execute("INSERT INTO theme_links(run_id, theme, code_id, status, coder, decided_at) "
                                       "VALUES (?, ?, ?, ?, ?, ?)",
                                       (run_id, theme, code_id, status, coder, now())).lastrowid
            else:
                link_id = old[0]
                conn.execute("UPDATE theme_links SET status = ?, coder = ?, decided_at = ? WHERE id = ?",
                             (status, coder, now(), link_id))
            row = conn.execute(f"SELECT {_LINK_COLS} FROM theme_links WHERE id = ?", (link_id,)).fetchone()
            self._log(conn, coder, "theme_link." + status, "theme_link", link_id,
                      dict(zip(_LINK_COLS.split(", "), old)) if old else None, dict(zip(_LINK_COLS.split(", "), row)))
        return self.theme_links(run_id, theme=theme, code_id=code_id)[0]

    # -- reads ---------------------------------------------------------------
    def theme_links(self, run_id: int, *, theme: int | None = None, code_id: int | None = None) -> list[ThemeLink]:
        sql = ("SELECT l.id, l.run_id, l.theme, l.code_id, c.key, l.status, l.coder, l.decided_at FROM theme_links l "
               "JOIN codes c ON c.id = l.code_id WHERE l.run_id = ?")
        args: list = [run_id]
        if theme is not None:
            sql += " AND l.theme = ?"
            args.append(theme)
        if code_id is not None:
            sql += " AND l.code_id = ?"
            args.append(code_id)
        with self.db.read() as conn:
            return [ThemeLink(*r) for r in conn.execute(sql + " ORDER BY l.theme, c.key", args)]

    def list_themes(self, run_id: int) -> list[ThemeRecord]:
        with self.db.read() as conn:
            rows = conn.execute("SELECT run_id, theme, label, size, words FROM themes WHERE run_id = ? "
                                "ORDER BY theme", (run_id,)).fetchall()
        return [ThemeRecord(r[0], r[1], r[2], r[3], [(w, float(s)) for w, s in loads(r[4]) or []]) for r in rows]

    def theme_units(self, run_id: int, *, theme: int | None = None,
                    document_ids: Iterable[int] | None = None) -> list[ThemeUnit]:
        sql, args = _UNIT_SELECT + " WHERE u.run_id = ?", [run_id]
        if theme is not None:
            sql += " AND u.theme = ?"
            args.append(theme)
        if document_ids is not None:
            part, values = in_clause("u.document_id", document_ids)
            sql += part
            args += values
        with self.db.read() as conn:
            return [ThemeUnit(*r) for r in conn.execute(sql + " ORDER BY u.position", args)]

    def theme_unit_voices(self, run_id: int) -> dict[int, str]:
        """Unit position → who said it, as the analysis counts voices: the participant's key when
        known, else ``<document>/<speaker>``; a document without speakers (field notes) is one voice.
        """
        sql = ("SELECT u.position, COALESCE(p.key, d.name || COALESCE('/' || u.speaker, '')) "
               "FROM theme_units u JOIN documents d ON d.id = u.document_id "
               "LEFT JOIN segments s ON s.id = u.segment_id "
               "LEFT JOIN speakers sp ON sp.id = s.speaker_id "
               "LEFT JOIN participants p ON p.id = COALESCE(sp.participant_id, d.participant_id) "
               "WHERE u.run_id = ?")
        with self.db.read() as conn:
            return dict(conn.execute(sql, (run_id,)).fetchall())

    def theme_quotes(self, run_id: int, theme: int | None = None) -> list[ThemeQuote]:
        sql = ("SELECT q.run_id, q.theme, q.rank, q.document_id, d.name, q.start, q.end, q.speaker, q.score, "
               "substr(d.text, q.start + 1, q.end - q.start) FROM theme_quotes q "
               "JOIN documents d ON d.id = q.document_id WHERE q.run_id = ?")
        args: list = [run_id]
        if theme is not None:
            sql += " AND q.theme = ?"
            args.append(theme)
        with self.db.read() as conn:
            return [ThemeQuote(*r) for r in conn.execute(sql + " ORDER BY q.theme, q.rank", args)]

    def theme_codes(self, run_id: int, theme: int | None = None) -> list[ThemeCodeScore]:
        sql = ("SELECT t.run_id, t.theme, t.code_id, c.key, c.label, t.score, t.suggested, t.shared_words "
               "FROM theme_codes t "
               "JOIN codes c ON c.id = t.code_id WHERE t.run_id = ?")
        args: list = [run_id]
        if theme is not None:
            sql += " AND t.theme = ?"
            args.append(theme)
        with self.db.read() as conn:
            rows = conn.execute(sql + " ORDER BY t.theme, t.score DESC, c.key", args).fetchall()
        return [ThemeCodeScore(r[0], r[1], r[2], r[3], r[4], float(r[5]), bool(r[6]), tuple(loads(r[7]) or []))
                for r in rows]

    def theme_code_matrix(self, run_id: int) -> list[ThemeCodeCell]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT m.run_id, m.theme, m.code_id, c.key, m.human, m.machine FROM theme_code_matrix m "
                "JOIN codes c ON c.id = m.code_id WHERE m.run_id = ? ORDER BY m.theme, c.position, c.key",
                (run_id,)).fetchall()
        return [ThemeCodeCell(*r) for r in rows]

    def theme_class_counts(self, run_id: int, kind: str | None = None) -> list[ThemeClassCount]:
        sql, args = "SELECT run_id, theme, class, value, units FROM theme_class_counts WHERE run_id = ?", [run_id]
        if kind is not None:
            sql += " AND class = ?"
            args.append(kind)
        with self.db.read() as conn:
            return [ThemeClassCount(*r) for r in conn.execute(sql + " ORDER BY theme, class, value", args)]
