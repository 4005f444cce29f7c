"""What the coding interface reads, as typed calls of the session (meant to run off the UI thread)."""
from __future__ import annotations

from ..records import Code, Document, Memo, Segment
from ..store.views import CodingMark, Passage, SuggestionFacets, SuggestionItem
from .results import CodeResult, CorpusRows, MarksUpdate, ReaderExtras, ReaderText


class SessionReads:
    """Mixed into :class:`~exporterre_nlp.coding_session.CodingSession` (needs ``store``, ``coder``,
    ``machine``, ``blind``)."""

    # ------------------------------------------------------------------ people
    def human_coders(self) -> list[str]:
        """Every coder with codings of their own (the machine excluded), this one included."""
        return self.store.human_coders(machine=self.machine)

    def other_coders(self) -> list[str]:
        """The coders whose codings may be shown beside mine (none in blind mode)."""
        if self.blind:
            return []
        return [c for c in self.human_coders() if c != self.coder]

    # ------------------------------------------------------------------ corpus
    def corpus(self) -> CorpusRows:
        """Every document with my progress, and the other coders' (none of theirs in blind mode)."""
        others = self.other_coders()
        return CorpusRows(self.store.document_progress([self.coder] + others, machine=self.machine), others)

    def document(self, ref: int | str) -> Document:
        """A document by id or name (ExporterreError with a hint when there is none)."""
        return self.store.get_document(ref)

    def segments(self, document_id: int) -> list[Segment]:
        return self.store.list_segments(document_id)

    # ------------------------------------------------------------------ reader
    def marks(self, document_id: int, result: CodeResult | None = None) -> MarksUpdate:
        """My codings of a document and my recent codes (with what the change just made, if given)."""
        return MarksUpdate(self.coding_marks(document_id), self.recent_codes(), result)

    def coding_marks(self, document_id: int, coder: str | None = None) -> list[CodingMark]:
        """A coder's codings of a document (mine by default; another coder's is refused in blind mode)."""
        coder = coder or self.coder
        if self.blind and coder != self.coder:
            return []
        return self.store.coding_marks(document_id, [coder])

    def reader_text(self, document: int | str) -> ReaderText:
        """What a reader paints first: the text, its turns, my codings (``document``: an id or a name;
        ExporterreError with a hint when there is none)."""
        doc = self.document(document)
        return ReaderText(doc, self.segments(doc.id), self.coding_marks(doc.id))

    def reader_extras(self, document_id: int) -> ReaderExtras:
        """Memos per turn, my pending suggestions in the document, my recent codes."""
        return ReaderExtras(self.store.memo_counts(document_id), self.queue(document_id=document_id),
                            self.recent_codes())

    def recent_codes(self) -> list[int]:
        """The codes I applied most recently (newest first, at most 9)."""
        return self.store.recent_codes(self.coder)

    def search(self, document_id: int, query: str) -> list[tuple[int, int]]:
        """Offsets of ``query`` in a document (case and accents ignored)."""
        return self.store.search_document(document_id, query)

    # ------------------------------------------------------------------- memos
    def memos(self, target_type: str, target_id: int | None) -> list[Memo]:
        """The memos on a segment, document, code or coding (only mine in blind mode)."""
        return self.store.list_memos(target_type, target_id, coder=self.coder if self.blind else None)

    def memo_counts(self, document_id: int) -> dict[int, int]:
        """``{segment id: memos}`` for a document's turns."""
        return self.store.memo_counts(document_id)

    # -------------------------------------------------------------- validation
    def queue(self, *, document_id: int | None = None, origin: str | None = None, code_id: int | None = None,
              phase: int | None = None, category: str | None = None) -> list[SuggestionItem]:
        """The machine suggestions I have not decided on (``origin``: a kind such as ``rule``)."""
        return self.store.suggestion_queue(
            self.coder, origin_prefix=f"{origin}:" if origin else None,
            code_ids=[code_id] if code_id is not None else None, phases=[phase] if phase is not None else None,
            document_id=document_id, category=category, machine=self.machine)

    def facets(self, document_id: int | None = None) -> SuggestionFacets:
        """Categories, origins, codes and phases present in my queue (the filter's choices)."""
        return self.store.suggestion_facets(self.coder, document_id=document_id, machine=self.machine)

    def passage(self, document_id: int, start: int, end: int) -> Passage:
        """The turn holding ``[start, end)`` with the turns around it."""
        return self.store.passage(document_id, start, end)

    # ------------------------------------------------------------------- codes
    def codes(self) -> list[Code]:
        return self.store.list_codes()
