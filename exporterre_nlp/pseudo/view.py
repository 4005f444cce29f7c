"""Document texts as an output shows them: as stored, or pseudonymised.

Shared by the exports (``exporterre export … --pseudonymise``) and the report
(``exporterre report --pseudonymise``). With ``pseudonymise=True`` each text has
its *accepted* pseudonymisation replacements applied
(:func:`exporterre_nlp.pseudo.pseudonymised_document`), so its length changes:
every span (codings, segments) goes through the document's offset map, widened
over a pseudonym it touches, never cut inside one. Speaker labels are
pseudonymised the same way. Candidates still waiting for review are not applied;
they are counted in :attr:`TextView.warnings` and :meth:`TextView.status`.

Free texts derived from the corpus without offsets (a theme's label, an
extraction's object) go through :meth:`TextView.scrub`, which replaces the
accepted surfaces by their pseudonyms; word lists (lemmas, theme words) are
checked against :meth:`TextView.person_words`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..i18n import tr

_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class PseudoStatus:
    """What pseudonymisation did to the documents a view has read."""
    pseudonymised: bool
    documents: int                  # documents read through the view
    detections: int                 # candidates in the whole project, any status (0: detection never run)
    applied: int                    # accepted replacements applied in the documents read
    pending: int                    # candidates awaiting review in the documents read (not applied)
    stale: int                      # accepted candidates skipped: the text changed under them
    accepted_by_category: dict[str, int] = field(default_factory=dict)   # project-wide

    @property
    def never_run(self) -> bool:
        return self.detections == 0

    @property
    def complete(self) -> bool:
        """Detection ran, and nothing waits for review or failed to apply."""
        return not self.never_run and not self.pending and not self.stale


def _doc_id(doc) -> int:
    return int(getattr(doc, "id", doc))


def _boundary(words: list[str]) -> re.Pattern | None:
    """One regex for all ``words`` (longest first, case-insensitive, not inside a longer word)."""
    if not words:
        return None
    alternation = "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
    return re.compile(rf"(?<![^\W_])(?:{alternation})(?![^\W_])", re.IGNORECASE)


class TextView:
    def __init__(self, store, pseudonymise: bool = False):
        self.store = store
        self.pseudonymise = pseudonymise
        self._docs: dict[int, object] = {}
        self._texts: dict[int, str] = {}
        self._scrub: tuple[re.Pattern | None, dict[str, str]] | None = None
        self.pending = 0
        self.stale = 0
        self.applied = 0

    # ---------------------------------------------------------------- documents
    def _pseudo(self, doc):
        key = _doc_id(doc)
        if key not in self._docs:
            from .apply import pseudonymised_document
            pd = pseudonymised_document(self.store, key)
            self.pending += pd.pending
            self.stale += len(pd.stale)
            self.applied += pd.applied
            self._docs[key] = pd
        return self._docs[key]

    def read(self, documents) -> None:
        """Read ``documents`` (records or ids) now, so that :meth:`status` counts all of them."""
        if self.pseudonymise:
            for doc in documents:
                self._pseudo(doc)

    def _original(self, doc) -> str:
        if hasattr(doc, "text"):
            return doc.text
        key = _doc_id(doc)
        if key not in self._texts:
            self._texts[key] = self.store.get_document(key).text
        return self._texts[key]

    def text(self, doc) -> str:
        return self._pseudo(doc).text if self.pseudonymise else self._original(doc)

    def span(self, doc, start: int, end: int) -> tuple[int, int]:
        return self._pseudo(doc).map_span(start, end) if self.pseudonymise else (start, end)

    def quote(self, doc, start: int, end: int) -> str:
        """The words of original span ``[start, end)`` as this view shows them."""
        return self._pseudo(doc).quote(start, end) if self.pseudonymise else self._original(doc)[start:end]

    def speaker(self, doc, label: str | None) -> str | None:
        if not self.pseudonymise or label is None:
            return label
        return self._pseudo(doc).speakers.get(label, label)

    # ------------------------------------------------------- texts without offsets
    def _scrubber(self) -> tuple[re.Pattern | None, dict[str, str]]:
        """Accepted real surfaces (and, for people, each of their words) → pseudonym."""
        if self._scrub is None:
            from .apply import surface_hash
            mapping: dict[str, str] = {}
            words: dict[str, str] = {}
            for c in self.store.list_pseudo_candidates(status="accepted"):
                real = self._original(c.document_id)[c.start:c.end]
                if not real or surface_hash(real) != c.surface_hash:
                    continue                              # stale: the text changed under it
                mapping.setdefault(real.lower(), c.pseudonym)
                if c.category == "person":
                    parts, fake = _WORDS.findall(real), _WORDS.findall(c.pseudonym)
                    for i, part in enumerate(parts):
                        if len(part) > 1:
                            words.setdefault(part.lower(), fake[i] if len(parts) == len(fake) else
                                             tr("[nom]", "[name]"))
            for w, p in words.items():
                mapping.setdefault(w, p)
            self._scrub = (_boundary(list(mapping)), mapping)
        return self._scrub

    def scrub(self, text: str | None) -> str | None:
        """``text`` with every accepted real value (a name, a part of a name, a phone…) replaced by its pseudonym.

        For short texts made from the corpus without offsets: a theme label, an extracted object, a voice."""
        if not self.pseudonymise or not text:
            return text
        pattern, mapping = self._scrubber()
        if pattern is None:
            return text

        def repl(m: re.Match) -> str:
            new = mapping[m.group(0).lower()]
            return new.lower() if m.group(0).islower() else new
        return pattern.sub(repl, text)

    def person_words(self, statuses=("accepted", "pending")) -> frozenset[str]:
        """Lower-cased words (two letters or more) inside person candidates of these statuses, project-wide."""
        out: set[str] = set()
        for c in self.store.list_pseudo_candidates(category="person", status=list(statuses)):
            out.update(w.lower() for w in _WORDS.findall(self._original(c.document_id)[c.start:c.end])
                       if len(w) > 1)
        return frozenset(out)

    # ------------------------------------------------------------------- status
    def status(self) -> PseudoStatus:
        counts = self.store.pseudo_counts() if self.pseudonymise else {}
        return PseudoStatus(
            self.pseudonymise, len(self._docs), sum(n for by in counts.values() for n in by.values()),
            self.applied, self.pending, self.stale,
            {cat: by["accepted"] for cat, by in sorted(counts.items()) if by.get("accepted")})

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.pseudonymise and not self.store.pseudo_counts():
            out.append(tr("Aucune détection de données personnelles n'a été faite dans ce projet (lancez "
                          "« exporterre pseudo detect » puis relisez) : rien n'a été remplacé.",
                          "No personal-data detection was ever run in this project (run 'exporterre pseudo "
                          "detect', then review): nothing was replaced."))
        if self.pseudonymise and self.pending:
            out.append(tr(f"{self.pending} détection(s) de données personnelles attendent encore une décision : "
                          "elles n'ont PAS été remplacées (exporterre pseudo review).",
                          f"{self.pending} personal-data detection(s) still await a decision: they were NOT "
                          "replaced (exporterre pseudo review)."))
        if self.pseudonymise and self.stale:
            out.append(tr(f"{self.stale} remplacement(s) accepté(s) ne correspondent plus au texte (modifié) : "
                          "non appliqués ; relancez la détection.",
                          f"{self.stale} accepted replacement(s) no longer match the (changed) text: not "
                          "applied; run detection again."))
        if self.pseudonymise:
            out.append(tr("Les mémos et les noms de documents ne sont pas pseudonymisés : relisez-les.",
                          "Memos and document names are not pseudonymised: read them over."))
        return out
