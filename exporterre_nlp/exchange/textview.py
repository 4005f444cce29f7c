"""Document texts as an export shows them: as stored, or pseudonymised.

With ``pseudonymise=True`` each text has its *accepted* pseudonymisation
replacements applied (:func:`exporterre_nlp.pseudo.pseudonymised_document`), so
its length changes: every span (codings, segments) goes through the document's
offset map, widened over a pseudonym it touches, never cut inside one. Speaker
labels are pseudonymised the same way. Candidates still waiting for review are
not applied; they are counted in :attr:`TextView.warnings`.
"""
from __future__ import annotations

from ..i18n import tr


class TextView:
    def __init__(self, store, pseudonymise: bool = False):
        self.store = store
        self.pseudonymise = pseudonymise
        self._docs: dict[int, object] = {}
        self.pending = 0
        self.stale = 0

    def _pseudo(self, doc):
        if doc.id not in self._docs:
            from ..pseudo import pseudonymised_document
            pd = pseudonymised_document(self.store, doc.id)
            self.pending += pd.pending
            self.stale += len(pd.stale)
            self._docs[doc.id] = pd
        return self._docs[doc.id]

    def text(self, doc) -> str:
        return self._pseudo(doc).text if self.pseudonymise else doc.text

    def span(self, doc, start: int, end: int) -> tuple[int, int]:
        return self._pseudo(doc).map_span(start, end) if self.pseudonymise else (start, end)

    def speaker(self, doc, label: str | None) -> str | None:
        if not self.pseudonymise or label is None:
            return label
        return self._pseudo(doc).speakers.get(label, label)

    @property
    def warnings(self) -> list[str]:
        out = []
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
