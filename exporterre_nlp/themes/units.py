"""Units of analysis for themes: speaker turns or windows of about N words.

By default the unit is a turn of anyone but the interviewer (residents,
relais, other speakers, and unattributed field-note paragraphs). A turn
shorter than ``min_unit_words`` ("oui", "d'accord") is left out; a turn longer
than twice ``window_words`` is cut into windows, at sentence ends when
possible. With ``unit: window`` every turn is cut into windows of about
``window_words`` words. Every unit keeps its document and exact character
offsets: ``document.text[unit.start:unit.end] == unit.text``.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..errors import ExporterreError
from ..i18n import tr
from ..settings import ThemeSettings

_SENTENCE = re.compile(r"[^.!?…\n]+(?:[.!?…]+|\n|$)")
_WORDS = re.compile(r"\S+")


@dataclass(frozen=True)
class Unit:
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
    participant: str | None
    text: str

    @property
    def speaker_key(self) -> str:
        """Who said it: the participant when known, else the speaker label in its document."""
        if self.participant:
            return f"participant:{self.participant}"
        return f"{self.document}:{self.speaker or '?'}"


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    return spans or [(0, len(text))]


def _word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in _WORDS.finditer(text[start:end])]


def windows(text: str, size: int) -> list[tuple[int, int]]:
    """Cut ``text`` into spans of about ``size`` words, at sentence ends when possible."""
    size = max(1, size)
    pieces: list[tuple[int, int]] = []
    for s, e in _sentences(text):                       # split over-long sentences at word boundaries
        words = _word_spans(text, s, e)
        if len(words) > size * 1.5:
            for i in range(0, len(words), size):
                chunk = words[i:i + size]
                pieces.append((chunk[0][0], chunk[-1][1]))
        elif words:
            pieces.append((words[0][0], words[-1][1]))
    out: list[list[int]] = []
    count = 0
    for s, e in pieces:
        n = len(_WORDS.findall(text[s:e]))
        if out and count < size and count + n <= size * 1.5:
            out[-1][1] = e
            count += n
        else:
            out.append([s, e])
            count = n
    if len(out) > 1 and len(_WORDS.findall(text[out[-1][0]:out[-1][1]])) < size / 2:
        out[-2][1] = out[-1][1]                         # a short tail joins the previous window
        out.pop()
    return [(s, e) for s, e in out]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    return start + left, start + right


def build_units(segments: Iterable, settings: ThemeSettings) -> list[Unit]:
    """Units from :class:`~exporterre_nlp.store.SegmentView` rows (already filtered by role)."""
    if settings.unit not in ("turn", "window"):
        raise ExporterreError(tr(f"Unité d'analyse inconnue : « {settings.unit} ».",
                                 f"Unknown unit of analysis: '{settings.unit}'."),
                              tr("Choisissez « turn » (tours de parole) ou « window » (fenêtres de mots) "
                                 "dans settings.yaml (themes.unit).",
                                 "Choose 'turn' or 'window' in settings.yaml (themes.unit)."))
    units: list[Unit] = []
    for seg in segments:
        text = seg.text
        n_words = len(text.split())
        if settings.unit == "window" or n_words > 2 * settings.window_words:
            spans = windows(text, settings.window_words)
        else:
            spans = [(0, len(text))]
        for s, e in spans:
            s, e = _trimmed(text, s, e)
            piece = text[s:e]
            if e <= s or len(piece.split()) < settings.min_unit_words:
                continue
            units.append(Unit(len(units), seg.document_id, seg.document, seg.segment_id, seg.start + s,
                              seg.start + e, seg.speaker, seg.role, seg.phase, seg.lieu, seg.participant, piece))
    return units


def load_units(store, settings: ThemeSettings) -> list[Unit]:
    """The units of a project's store, in corpus order."""
    views = store.segment_views(roles=list(settings.include_roles),
                                include_unattributed=settings.include_unattributed)
    return build_units(views, settings)


def input_hash(units: Sequence[Unit]) -> str:
    """A fingerprint of exactly what was analysed (documents, offsets, words)."""
    h = hashlib.sha256()
    for u in units:
        h.update(f"{u.document}\x1f{u.start}\x1f{u.end}\x1f{u.phase}\x1f{u.lieu}\x1f{u.speaker}\x1e".encode())
        h.update(u.text.encode("utf-8"))
    return h.hexdigest()
