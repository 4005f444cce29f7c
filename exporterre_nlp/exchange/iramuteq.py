"""IRaMuTeQ corpus text: phases and places as star variables, codes as thematics.

IRaMuTeQ reads texts in the ALCESTE format: each text (an "uci") starts with a
line ``**** *variable_modalite *variable_modalite…``; inside a text, a line
holding only ``-*variable_modalite`` starts a thematic section that runs until
the next such line. We write::

    **** *phase_3 *lieu_marche *doc_marche_samedi_05 *part_h3_05
    -*code_besoins_logement
    les mots du passage codé…
    -*code_aucun
    la suite, non codée…

* one text per document (the kept turns one after another, a line each) or, with
  ``unit="turn"``, one text per speaker turn (with ``*loc_`` and ``*role_`` too);
* interviewer turns are left out unless asked for; speaker labels and timestamps
  are never in the text (segments hold the spoken words only);
* thematics follow whole segments by default (``granularity="segment"``): a
  speaker turn or paragraph goes under the code that covers most of its
  characters (ties: the innermost coding, then codebook order), so that
  IRaMuTeQ's text segments are never cut in the middle of a sentence; segments
  carrying several codes are counted in ``details["multi_code_segments"]``;
* with ``granularity="span"`` thematics follow the coded passages exactly: a
  passage under several codes goes to the innermost coding (the one that starts
  last, then the shortest, then codebook order) — IRaMuTeQ gives a passage one
  thematic only; the characters concerned are counted in ``details["overlap_chars"]``;
* names and values are lower-case ASCII with ``_`` (accents dropped, œ → oe, every
  other character → ``_``; empty → ``nd``); the code key ↔ modality map is returned;
* ``*`` in the words is replaced by a space, so no line of a turn can pass for a
  star line or a thematic line.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, Iterable

from ..outputs import atomic_write, check_output
from ..records import Progress
from .context import DocumentContext, ProjectContext, each_document
from .names import ascii_slug, unique
from .results import ExportResult
from .selection import chosen_codings
from ..pseudo.view import TextView

NONE = "aucun"
UNITS = ("document", "turn")
GRANULARITIES = ("segment", "span")


def clean_words(text: str) -> str:
    """One line of words: no ``*``, whitespace collapsed."""
    return " ".join(text.replace("*", " ").split())


class _Modalities:
    def __init__(self):
        self.by_key: dict[str, str] = {}
        self.taken: set[str] = {NONE}

    def __call__(self, key: str) -> str:
        if key not in self.by_key:
            self.by_key[key] = unique(ascii_slug(key), self.taken)
        return self.by_key[key]


def _pieces(start: int, end: int, spans: list[tuple[int, int, tuple]]) -> list[tuple[int, int, tuple | None, int]]:
    """Cut [start, end) at coding boundaries; each piece with the winning coding's sort key (or None)."""
    cuts = {start, end}
    for s, e, _ in spans:
        if start < s < end:
            cuts.add(s)
        if start < e < end:
            cuts.add(e)
    bounds = sorted(cuts)
    out = []
    for a, b in zip(bounds, bounds[1:]):
        covering = [rank for s, e, rank in spans if s <= a and b <= e]
        out.append((a, b, min(covering) if covering else None, len({r[3] for r in covering})))
    return out


def iramuteq_corpus(project, *, unit: str = "document", include_interviewer: bool = False,
                    thematics: bool = True, coders: Iterable[str] | None = None, include_pending: bool = False,
                    pseudonymise: bool = False, granularity: str = "segment",
                    progress: Callable[[Progress], None] | None = None,
                    cancel: threading.Event | None = None) -> tuple[str, dict[str, Any]]:
    """``(corpus text, details)``; details has the code modality map and counts."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {GRANULARITIES}")
    ctx = ProjectContext(project.store)
    view = TextView(project.store, pseudonymise)
    modality = _Modalities()
    doc_names: set[str] = set()
    texts: list[str] = []
    overlap = multi = 0
    ids = ctx.documents()
    for doc_id in each_document(ids, progress, cancel):
        dc = ctx.document(doc_id)
        doc = dc.document
        text = view.text(doc)
        codings = chosen_codings(project.store, coders=coders, include_pending=include_pending,
                                 document_id=doc_id) if thematics else []
        spans = []
        for c in codings:
            s, e = view.span(doc, c.start, c.end)
            spans.append((s, e, (-s, e - s, ctx.position[c.code_id], ctx.key_of[c.code_id])))
        segments = [s for s in dc.segments if include_interviewer or s.role != "interviewer"]
        if not dc.segments:
            segments = [None]                      # a document without segments: its whole text
        doc_value = unique(ascii_slug(dc.document.name), doc_names)
        units = [segments] if unit == "document" else [[s] for s in segments]
        for group in units:
            head = _star_line(dc, doc_value, group[0] if unit == "turn" else None, view)
            where = [view.span(doc, seg.start, seg.end) if seg is not None else (0, len(text)) for seg in group]
            if granularity == "segment":
                body, n_multi = _segment_body(text, where, spans, thematics, modality)
                multi += n_multi
            else:
                body, n_overlap = _body(text, where, spans, thematics, modality)
                overlap += n_overlap
            if body:
                texts.append("\n".join([head, *body]))
    if progress:
        progress(Progress(len(ids), len(ids), ""))
    details = {"texts": len(texts), "overlap_chars": overlap, "multi_code_segments": multi,
               "warnings": view.warnings,
               "codes": {f"code_{m}": key for key, m in modality.by_key.items()}}
    return "\n\n".join(texts) + "\n", details


def _star_line(dc: DocumentContext, doc_value: str, segment, view: TextView) -> str:
    doc = dc.document
    if segment is not None:
        participant = dc.participant_of(segment)
    else:
        keys = {dc.speaker_participant[s.speaker_id] for s in dc.segments
                if s.speaker_id in dc.speaker_participant and s.role != "interviewer"}
        participant = dc.participant or (next(iter(keys)) if len(keys) == 1 else None)
    parts = [f"*phase_{doc.phase}", f"*lieu_{ascii_slug(doc.lieu or '')}", f"*doc_{doc_value}",
             f"*part_{ascii_slug(participant or '')}"]
    if segment is not None:
        speaker = view.speaker(doc, segment.speaker) or ""
        parts += [f"*loc_{ascii_slug(speaker)}", f"*role_{ascii_slug(segment.role or '')}"]
    return "**** " + " ".join(parts)


def _body(text: str, where: list[tuple[int, int]], spans, thematics: bool,
          modality: _Modalities) -> tuple[list[str], int]:
    lines: list[str] = []
    current = None
    overlap = 0
    for start, end in where:
        for a, b, rank, n_covering in _pieces(start, end, spans):
            words = clean_words(text[a:b])
            if not words:
                continue
            if n_covering > 1:
                overlap += b - a
            if thematics:
                theme = modality(rank[3]) if rank else NONE
                if theme != current:
                    lines.append(f"-*code_{theme}")
                    current = theme
            lines.append(words)
    return lines, overlap


def _segment_body(text: str, where: list[tuple[int, int]], spans, thematics: bool,
                  modality: _Modalities) -> tuple[list[str], int]:
    """One line per segment, under the code covering most of its characters."""
    lines: list[str] = []
    current = None
    multi = 0
    for start, end in where:
        words = clean_words(text[start:end])
        if not words:
            continue
        if thematics:
            cover: dict[str, list] = {}
            for s, e, rank in spans:
                inside = min(e, end) - max(s, start)
                if inside > 0:
                    entry = cover.setdefault(rank[3], [0, rank])
                    entry[0] += inside
                    entry[1] = min(entry[1], rank)
            multi += len(cover) > 1
            best = min(cover.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[0] if cover else None
            theme = modality(best) if best else NONE
            if theme != current:
                lines.append(f"-*code_{theme}")
                current = theme
        lines.append(words)
    return lines, multi


def export_iramuteq(project, out: str | Path, **options) -> ExportResult:
    """Write the corpus (UTF-8) to ``out``; options as :func:`iramuteq_corpus`."""
    out = check_output(out, force=True)
    corpus, details = iramuteq_corpus(project, **options)
    atomic_write(out, corpus)
    return ExportResult(out, documents=details["texts"], codes=len(details["codes"]),
                        warnings=tuple(details.pop("warnings")), details=details)
