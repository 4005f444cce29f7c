"""Per-document context shared by the IRaMuTeQ and codings exports: segments,
speakers, participants, codes — read once through the store API."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")

from ..errors import CancelledError
from ..i18n import tr
from ..records import Document, Progress, Segment


@dataclass
class DocumentContext:
    document: Document
    segments: list[Segment]
    participant: str | None                  # the document's own participant key
    speaker_participant: dict[int, str]      # speaker id → participant key

    def segment_at(self, offset: int) -> Segment | None:
        for seg in self.segments:
            if seg.start <= offset < seg.end:
                return seg
        return None

    def participant_of(self, segment: Segment | None) -> str | None:
        if segment is not None and segment.speaker_id in self.speaker_participant:
            return self.speaker_participant[segment.speaker_id]
        return self.participant


class ProjectContext:
    def __init__(self, store):
        self.store = store
        self.participants = {p.id: p.key for p in store.list_participants()}
        self.codes = store.list_codes()
        self.key_of = {c.id: c.key for c in self.codes}
        self.position = {c.id: i for i, c in enumerate(self.codes)}

    def documents(self) -> list[int]:
        return [d.id for d in self.store.list_documents()]

    def document(self, document_id: int) -> DocumentContext:
        doc = self.store.get_document(document_id)
        speakers = {sp.id: self.participants[sp.participant_id] for sp in self.store.list_speakers(document_id)
                    if sp.participant_id is not None}
        return DocumentContext(doc, self.store.list_segments(document_id),
                               self.participants.get(doc.participant_id), speakers)


def each_document(items: Sequence[T], progress: Callable[[Progress], None] | None, cancel,
                  label: Callable[[T], str] = lambda _: "") -> Iterator[T]:
    """The items of an export, one per document, with progress and cancellation."""
    for n, item in enumerate(items):
        if cancel is not None and cancel.is_set():
            raise CancelledError(tr("Export interrompu : aucun fichier n'a été écrit.",
                                    "Export cancelled: no file was written."))
        if progress:
            progress(Progress(n, len(items), label(item)))
        yield item
