"""Parse segments through the cache: only texts never seen before reach ``nlp.pipe``.

:func:`parse_segments` yields ``(segment, Doc)`` in the order given. It reads
the packs of the parse cache first; when every segment is cached, the spaCy
model is not even loaded (a blank French vocabulary reads the packs). The
texts that miss are sent to one ``nlp.pipe`` stream (batches, ``n_process``),
and each document's pack is rewritten as soon as its last missing segment comes
back, so memory stays bounded by one document.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from spacy.tokens import Doc

from ..errors import CancelledError
from ..i18n import tr
from ..records import Progress
from ..store import SegmentView
from .cache import ParseCache, document_key, text_hash
from .pipeline import SUPERSETS, PipelineSpec, blank_nlp, load_pipeline, reading_vocab


@dataclass
class ParseStats:
    """What a parse did; filled in while :func:`parse_segments` runs."""
    segments: int = 0
    documents: int = 0
    parsed: int = 0            # texts sent to nlp.pipe
    cached: int = 0            # segments read from the cache
    words_parsed: int = 0
    model_loaded: bool = False
    pipe_s: float = 0.0        # time waiting for nlp.pipe (model loading included)
    cache_s: float = 0.0       # time reading and writing packs


@dataclass
class _Group:
    key: str
    document_id: int
    segments: list[SegmentView]
    hashes: list[str]
    source: ParseCache | None = None     # a cache holding every hash (full hit)
    misses: list[str] | None = None      # unique hashes to parse, in order


def _cancelled() -> CancelledError:
    return CancelledError(tr("Analyse interrompue : rien n'a été enregistré dans le projet.",
                             "Analysis cancelled: nothing was saved in the project."),
                          tr("Relancez-la quand vous voulez ; les segments déjà analysés sont en cache.",
                             "Run it again whenever you like; the segments already parsed are cached."))


def _groups(segments: Sequence[SegmentView]) -> list[_Group]:
    out: list[_Group] = []
    for seg in segments:
        if not out or out[-1].document_id != seg.document_id:
            out.append(_Group(document_key(seg.document), seg.document_id, [], []))
        out[-1].segments.append(seg)
        out[-1].hashes.append(text_hash(seg.text))
    return out


def parse_segments(segments: Sequence[SegmentView], spec: PipelineSpec, cache_root: str | Path, *,
                   batch_size: int = 64, n_process: int = 1,
                   valid_hashes: dict[int, set[str]] | None = None,
                   stats: ParseStats | None = None,
                   progress: Callable[[Progress], None] | None = None,
                   cancel: threading.Event | None = None,
                   read_only_vocab: bool = False) -> Iterator[tuple[SegmentView, Doc]]:
    """Parsed segments, from the cache when possible.

    ``read_only_vocab``: when every segment is cached, read the packs with
    :func:`~.pipeline.reading_vocab` (seconds faster than a blank French pipeline) — for
    callers that only read tokens (concordance, frequencies), not for rule matching.

    ``valid_hashes`` gives, per document id, the hashes of all its current
    segments (any speaker): cached parses of texts no longer in the document
    are dropped when its pack is rewritten, others are kept.
    """
    stats = stats if stats is not None else ParseStats()
    cache = ParseCache(cache_root, spec)
    others = []
    for profile in SUPERSETS.get(spec.profile, ()):
        other = PipelineSpec(spec.model, profile, spec.fillers_path)
        if (Path(cache_root) / other.fingerprint()).is_dir():
            others.append(ParseCache(cache_root, other))
    groups = _groups(segments)
    stats.segments, stats.documents = len(segments), len(groups)
    total_misses = 0
    for g in groups:
        needed = set(g.hashes)
        for candidate in (cache, *others):
            if needed <= set(candidate.hashes(g.key)):
                g.source = candidate
                break
        if g.source is None:
            own = set(cache.hashes(g.key))
            g.misses = list(dict.fromkeys(h for h in g.hashes if h not in own))
            total_misses += len(g.misses)

    nlp = None
    if total_misses:
        started = time.perf_counter()
        nlp = load_pipeline(spec)
        stats.model_loaded = True
        stats.pipe_s += time.perf_counter() - started
    vocab = nlp.vocab if nlp is not None else (reading_vocab() if read_only_vocab else blank_nlp().vocab)

    def stream():
        for gi, g in enumerate(groups):
            if g.misses:
                texts = {h: s.text for h, s in zip(g.hashes, g.segments)}
                for h in g.misses:
                    yield texts[h], (gi, h)
    results = iter(nlp.pipe(stream(), as_tuples=True, batch_size=batch_size, n_process=n_process)) \
        if nlp is not None else iter(())

    done = 0
    total = len(segments)
    for gi, g in enumerate(groups):
        if cancel is not None and cancel.is_set():
            raise _cancelled()
        if g.source is not None:
            started = time.perf_counter()
            docs = g.source.load(g.key, vocab)
            stats.cache_s += time.perf_counter() - started
            if not set(g.hashes) <= set(docs):            # unreadable pack: parse again, directly
                nlp = nlp or load_pipeline(spec)
                stats.model_loaded = True
                lost = [s.text for h, s in zip(g.hashes, g.segments) if h not in docs]
                for doc in nlp.pipe(lost, batch_size=batch_size):
                    docs[text_hash(doc.text)] = doc
                    stats.parsed += 1
                    stats.words_parsed += len(doc.text.split())
                cache.save(g.key, [(h, docs[h]) for h in dict.fromkeys(g.hashes)])
            else:
                stats.cached += len(g.segments)
        else:
            started = time.perf_counter()
            old = cache.load(g.key, vocab)
            stats.cache_s += time.perf_counter() - started
            fresh: dict[str, Doc] = {}
            words = {h: s.text for h, s in zip(g.hashes, g.segments)}
            for expected in g.misses:
                if cancel is not None and cancel.is_set():
                    raise _cancelled()
                started = time.perf_counter()
                doc, (got_gi, got_h) = next(results)
                stats.pipe_s += time.perf_counter() - started
                assert (got_gi, got_h) == (gi, expected), "nlp.pipe returned texts out of order"
                fresh[got_h] = doc
                stats.parsed += 1
                stats.words_parsed += len(words[got_h].split())
            stats.cached += sum(1 for h in g.hashes if h not in fresh)
            docs = {**old, **fresh}
            keep = valid_hashes.get(g.document_id, set()) if valid_hashes is not None else set(docs)
            entries = [(h, docs[h]) for h in dict.fromkeys(g.hashes)]
            current = {h for h, _ in entries}
            entries += [(h, d) for h, d in old.items() if h not in current and h in keep]
            started = time.perf_counter()
            cache.save(g.key, entries)
            stats.cache_s += time.perf_counter() - started
        for seg, h in zip(g.segments, g.hashes):
            yield seg, docs[h]
        done += len(g.segments)
        if progress is not None:
            progress(Progress(done, total, seg.document if g.segments else ""))
