"""``exporterre analyse``: parse every unit of analysis, extract, store suggestions.

Units are the project's segments (speaker turns, cues, paragraphs), without
the interviewer's turns unless ``settings.nlp.include_interviewer``. Each
segment is parsed once (:mod:`.parse` and its cache), the codebook's rules run
on it (:mod:`.extract`), and the findings become pending codings of the
extraction coder (origin ``rule:<id>``) through ``Store.sync_suggestions``:
re-running never duplicates them, removes the ones the rules no longer find
(unless a person decided on them) and never touches people's codings. The
sentence model (``settings.extraction.sentence_model``, :mod:`.sentence_model`)
adds the sentences the rules missed, origin ``model:<name>``, synced the same way.

Offsets: a finding at characters [s, e) of a segment's text is stored at
``segment.start + s``, ``segment.start + e`` of the document text, so that
``document.text[start:end]`` gives back its words.
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..errors import ExporterreError
from ..i18n import tr
from ..records import ROLES, Progress
from ..store import SegmentView, SuggestionDraft
from .cache import ExtractionCache, document_key, text_hash
from .embedding_cache import embed_project
from .pipeline import PipelineSpec, file_digest, model_package, model_version
from .sentence.features import context_terms
from .sources import PACKAGE, extraction_sources
from .sentence.model import MODEL_ORIGIN, category_codes, load_sentence_model, resolve_model_path

RULE_ORIGIN = "rule:"
CACHE_FOLDER = "parses"
FINDINGS_FOLDER = "findings"
# The layout of a finding in the findings cache (_plain) and of its keys: part of the key too.
# 2: evidence added; 3: a segment's key holds the question it answers (session 6).
FINDINGS_FORMAT = 3


@dataclass(frozen=True)
class AnalysisResult:
    """What one analysis run did (also stored as the run's summary)."""
    run_id: int
    model: str
    documents: int
    segments: int
    words: int
    parsed: int                    # segments sent to spaCy
    cached: int                    # segments read from the parse cache
    findings: int
    by_category: dict[str, int] = field(default_factory=dict)
    added: int = 0
    kept: int = 0
    removed: int = 0
    negated_skipped: int = 0
    sentence_model: str | None = None          # origin of the sentence model used (None: rules alone)
    from_model: int = 0                        # findings proposed by the sentence model
    vetoed: int = 0                            # rule findings the sentence model dropped
    target_precision: float | None = None      # extraction.target_precision used (None: default thresholds)
    below_target: tuple[str, ...] = ()         # categories that reached no such precision in cross-validation
    seconds: float = 0.0
    model_loaded: bool = False
    timings: dict[str, float] = field(default_factory=dict)   # parse, parse_cache, extract, sentence_model,
    #                   findings_cache, embeddings, store; sentence_embeddings (part of sentence_model's)
    encoder: str | None = None                 # the encoder's version when analyse embedded (nlp.encoder, or the
    #                                            sentence model's encoder block; None: neither)
    embedded: int = 0                          # texts the encoder embedded in this run
    embeddings_cached: int = 0                 # texts whose embedding was already cached
    encoder_problem: str | None = None         # why nlp.encoder could not be used (the analysis went on)

    def summary(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "run_id"}


def analysis_roles(settings) -> list[str] | None:
    """Speaker roles analysed (None = all)."""
    return None if settings.nlp.include_interviewer else [r for r in ROLES if r != "interviewer"]


def units(store, settings, phases=None, document_ids=None) -> list[SegmentView]:
    """The segments an analysis reads, in corpus order."""
    return store.segment_views(roles=analysis_roles(settings), phases=phases, document_ids=document_ids)


def pipeline_spec(settings, model: str | None = None, profile: str = "full", base=None) -> PipelineSpec:
    """The pipeline of these settings; a relative ``nlp.fillers`` path is read from ``base`` (the project)."""
    fillers = settings.nlp.fillers
    if fillers and base is not None and not Path(fillers).is_absolute():
        fillers = str(Path(base) / fillers)
    return PipelineSpec(model_package(model or settings.nlp.model), profile, fillers)


def segment_questions(views: Iterable[SegmentView]) -> dict[int, str]:
    """Segment id → the text of the last interviewer turn before it in its document, for the turns
    of other speakers that follow one: the question they answer, which the sentence model reads.
    ``views``: the documents' segments, every role, in order (``Store.segment_views``)."""
    out: dict[int, str] = {}
    document, last = None, None
    for seg in views:
        if seg.document_id != document:
            document, last = seg.document_id, None
        if seg.role == "interviewer":
            last = seg.text
        elif last:
            out[seg.segment_id] = last
    return out


def findings_key(text: str, question: str | None) -> str:
    """A segment's key in the findings cache: its text, and the question it answers (the sentence model
    reads both)."""
    return text_hash(text) if not question else text_hash(text + "\x00" + question)


def _valid(views: list[SegmentView], questions: dict[int, str]) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """Per document, the text hashes (parse cache) and the findings keys of its current segments."""
    hashes: dict[int, set[str]] = {}
    keys: dict[int, set[str]] = {}
    for seg in views:
        hashes.setdefault(seg.document_id, set()).add(text_hash(seg.text))
        keys.setdefault(seg.document_id, set()).add(findings_key(seg.text, questions.get(seg.segment_id)))
    return hashes, keys


def _valid_hashes(store, document_ids) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for seg in store.segment_views(document_ids=document_ids):
        out.setdefault(seg.document_id, set()).add(text_hash(seg.text))
    return out


def parsed_units(project, segments: list[SegmentView], *, model: str | None = None, profile: str = "full",
                 n_process: int | None = None, stats=None,
                 progress: Callable[[Progress], None] | None = None, cancel: threading.Event | None = None,
                 valid_hashes: dict[int, set[str]] | None = None, read_only_vocab: bool = False):
    """``(segment, Doc)`` pairs through the project's parse cache (for other modules too).

    ``valid_hashes`` (document id → text hashes of its segments, computed when not given) says
    which cached parses are still worth keeping.

    ``profile="lemmas"`` is enough for tokens, lemmas and sentences; a full
    analysis already cached serves it. Docs carry the oral marks (``token._.oral``).
    """
    from .parse import parse_segments
    settings = project.settings
    ids = sorted({s.document_id for s in segments})
    return parse_segments(segments, pipeline_spec(settings, model, profile, project.path),
                          project.cache_dir(CACHE_FOLDER), batch_size=settings.nlp.batch_size,
                          n_process=n_process or settings.nlp.n_process,
                          valid_hashes=valid_hashes if valid_hashes is not None else _valid_hashes(project.store, ids),
                          stats=stats, progress=progress,
                          cancel=cancel, read_only_vocab=read_only_vocab)


def sentence_model_path(project) -> Path | None:
    """The sentence model file of the project's settings (None: the rules alone)."""
    return resolve_model_path(project.settings.extraction.sentence_model, project.path)


def findings_fingerprint(project, spec: PipelineSpec) -> str:
    """Parse fingerprint + codebook file + every module that decides a finding (:mod:`.sources`) + score
    threshold + sentence model file and the word vectors it scores with."""
    model = sentence_model_path(project)
    parts = [f"findings/{FINDINGS_FORMAT}", spec.fingerprint(), file_digest(project.codebook_path),
             str(project.settings.extraction.min_score),
             *(f"{path.relative_to(PACKAGE).as_posix()}:{file_digest(path)}" for path in extraction_sources()),
             "no sentence model" if model is None else file_digest(model),
             str(project.settings.extraction.target_precision) if model is not None else "",
             _vectors_version(model)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _vectors_version(model_path: Path | None) -> str:
    """The package and version of the word vectors the sentence model scores with ("" without a model, or
    when its file cannot be read: loading it then names the problem)."""
    if model_path is None:
        return ""
    try:
        package = load_sentence_model(model_path).vectors.split()[0]
        return f"{package} {model_version(package)}"
    except (ExporterreError, IndexError):        # analyse() reports an unusable model itself
        return "unreadable"


# A finding in the findings cache: [rule, category, code, start, end, matched, object, lemmas, negated, score,
# evidence (the sentence model's weightiest terms, or None)]
def _plain(f) -> list:
    return [f.rule_id, f.category, f.code, f.start, f.end, f.matched, f.object, " ".join(f.object_lemmas) or None,
            f.negated, f.score, list(f.evidence) or None]


def drafts_for(segment: SegmentView, findings: list[list], *, reported: bool) -> list[SuggestionDraft]:
    """Pending-coding drafts for one segment's cached findings (offsets moved to the document)."""
    out = []
    for rule_id, category, code, start, end, matched, obj, lemmas, negated, score, evidence in findings:
        details = {"category": category, "rule": rule_id, "object": obj, "object_lemmas": lemmas,
                   "reported": reported, "negated": negated, "matched": matched, "speaker": segment.speaker,
                   "role": segment.role}
        if evidence:
            details["evidence"] = evidence
        origin = rule_id if rule_id.startswith(MODEL_ORIGIN) else RULE_ORIGIN + rule_id
        out.append(SuggestionDraft(segment.document_id, segment.start + start, segment.start + end, code,
                                   origin, score, segment.segment_id, details))
    return out


def is_reported(segment: SegmentView) -> bool:
    """Phase 1 (intermediaries speaking about residents) or a relais speaking: not first-hand."""
    return segment.phase == 1 or segment.role == "relais"


def analyse(project, *, model: str | None = None, n_process: int | None = None, codebook=None,
            progress: Callable[[Progress], None] | None = None,
            cancel: threading.Event | None = None) -> AnalysisResult:
    """Parse, extract and store the findings of the whole project. Returns what was done.

    Segments whose findings are cached (same text, pipeline, codebook file and
    extraction code) are neither parsed nor matched again.
    """
    from importlib import metadata

    from .. import __version__
    from ..errors import CancelledError
    started = time.perf_counter()
    settings, store = project.settings, project.store
    spec = pipeline_spec(settings, model, "full", project.path)
    segments = units(store, settings)
    every = store.segment_views(document_ids=sorted({s.document_id for s in segments}))   # all roles
    questions = segment_questions(every)
    hashes = [findings_key(s.text, questions.get(s.segment_id)) for s in segments]
    words = sum(len(s.text.split()) for s in segments)
    input_hash = hashlib.sha256("\n".join(hashes).encode()).hexdigest()[:16]
    # a model that cannot be used is refused before the run is recorded
    model_path = sentence_model_path(project)
    sentence_model, below_target = None, []
    if model_path is not None:
        sentence_model, below_target = load_sentence_model(model_path).at_precision(
            settings.extraction.target_precision)
    model_cache = None              # the sentence model's encoder block reads the project's embedding cache
    if sentence_model is not None and sentence_model.encoder:
        sentence_model, model_cache = _with_embedding_cache(project, sentence_model, progress, cancel)
    # an encoder that cannot load: the analysis goes on without embeddings and says why (themes on e5 will not)
    encoder_problem = None
    if str(settings.nlp.encoder).strip().lower() != "static":
        from ..errors import ModelError
        from .encoder import get_encoder
        try:
            get_encoder(settings.nlp.encoder, threads=settings.nlp.encoder_threads)
        except ModelError as exc:
            encoder_problem = str(exc)
    run = store.start_run("analyse", settings={"nlp": settings.to_dict()["nlp"],
                                               "extraction": settings.to_dict()["extraction"],
                                               "model": spec.model},
                          versions={"exporterre": __version__, "spacy": metadata.version("spacy"),
                                    "model": spec.model, "model_version": model_version(spec.model),
                                    "pipeline": spec.fingerprint()},
                          input_hash=input_hash)
    findings = ExtractionCache(project.cache_dir(FINDINGS_FOLDER), findings_fingerprint(project, spec))
    stats = _Stats()
    try:
        known, todo = _cached_findings(findings, segments, hashes)
        if todo:
            _extract(project, codebook, todo, known, findings, model, n_process, stats, progress, cancel,
                     sentence_model, questions, every)
        elif progress is not None:
            progress(Progress(len(segments), len(segments), ""))
        if cancel is not None and cancel.is_set():
            raise CancelledError(tr("Analyse interrompue : rien n'a été enregistré dans le projet.",
                                    "Analysis cancelled: nothing was saved in the project."))
        drafts: list[SuggestionDraft] = []
        by_category: dict[str, int] = {}
        negated = vetoed = 0
        for seg, h in zip(segments, hashes):
            entry = known[seg.document_id][h]
            negated += entry["neg"]
            vetoed += entry.get("veto", 0)
            for f in entry["f"]:
                by_category[f[1]] = by_category.get(f[1], 0) + 1
            drafts.extend(drafts_for(seg, entry["f"], reported=is_reported(seg)))
        started_embedding = time.perf_counter()
        embedding = None if encoder_problem else embed_project(project, progress=progress, cancel=cancel)
        if embedding is not None:
            stats.timings["embeddings"] = round(time.perf_counter() - started_embedding, 2)
        started_sync = time.perf_counter()
        coder = settings.extraction.coder
        from_model = [d for d in drafts if d.origin.startswith(MODEL_ORIGIN)]
        # one transaction for both origins; without a model (or with another one) the second removes the
        # earlier model suggestions nobody decided on
        sync, model_sync = store.sync_suggestion_sets(
            [(RULE_ORIGIN, [d for d in drafts if not d.origin.startswith(MODEL_ORIGIN)]), (MODEL_ORIGIN, from_model)],
            coder=coder, run_id=run.id)
        stats.timings["store"] = round(time.perf_counter() - started_sync, 2)
    except BaseException as exc:
        store.finish_run(run.id, status="cancelled" if isinstance(exc, (CancelledError, KeyboardInterrupt))
                         else "failed", summary={"error": str(exc)[:500]})
        raise
    if model_cache is not None:                   # the sentence model's embeddings counted with the themes'
        version, embedded, cached = embedding or (model_cache.encoder.version, 0, 0)
        embedding = (version, embedded + model_cache.embedded, cached + model_cache.cached)
        stats.timings["sentence_embeddings"] = round(model_cache.seconds, 2)
    documents = len({s.document_id for s in segments})
    result = AnalysisResult(run.id, spec.model, documents, len(segments), words, stats.parsed,
                            len(segments) - stats.parsed, len(drafts), dict(sorted(by_category.items())),
                            sync.added + model_sync.added, sync.kept + model_sync.kept,
                            sync.removed + model_sync.removed, negated,
                            sentence_model.origin if sentence_model is not None else None, len(from_model),
                            vetoed, sentence_model.target_precision if sentence_model is not None else None,
                            tuple(below_target), round(time.perf_counter() - started, 2), stats.model_loaded,
                            stats.timings, *(embedding or (None, 0, 0)), encoder_problem)
    store.finish_run(run.id, summary=result.summary())
    return result


def _with_embedding_cache(project, sentence_model, progress, cancel):
    """The sentence model with an encoder block reading and filling the project's embedding cache (progress
    "embeddings" over the texts it embeds, cancellation between batches), and that cache (its counts)."""
    from dataclasses import replace

    from .embedding_cache import cached_embedder
    from .sentence.encoding import model_encoder
    encoder = model_encoder(sentence_model, threads=project.settings.nlp.encoder_threads)
    embed, cache = cached_embedder(encoder, project.cache_dir("embeddings"), progress=progress, cancel=cancel)
    return replace(sentence_model, embedder=embed), cache


@dataclass
class _Stats:
    parsed: int = 0
    model_loaded: bool = False
    timings: dict[str, float] = field(default_factory=dict)


def _cached_findings(cache: ExtractionCache, segments, hashes):
    """(document id → hash → entry) from the findings cache, and the segments still to extract."""
    known: dict[int, dict] = {}
    todo: list[SegmentView] = []
    for seg, h in zip(segments, hashes):
        if seg.document_id not in known:
            known[seg.document_id] = cache.load(document_key(seg.document))
        if h not in known[seg.document_id]:
            todo.append(seg)
    return known, todo


def _entries(extractor, docs, found, negated, sentence_model, codes, seconds, questions=None) -> list[dict]:
    """Findings-cache entries of parsed segments from their rule findings (``found``) and negations
    skipped, after the sentence model's review of them all in one batch (its time added to
    ``seconds["sentence_model"]``); ``questions``: the question each segment answers (or None)."""
    if sentence_model is None:
        return [{"f": [_plain(f) for f in fs], "neg": n, "veto": 0} for fs, n in zip(found, negated)]
    started = time.perf_counter()
    reviews = sentence_model.review_many(list(zip(docs, found)), codes or {}, contexts=questions)
    if seconds is not None:
        seconds["sentence_model"] = seconds.get("sentence_model", 0.0) + time.perf_counter() - started
    out = []
    for doc, (kept, added, vetoed), n, question in zip(docs, reviews, negated, questions or [None] * len(docs)):
        asked = context_terms(question)
        kept = kept + [extractor.file_sentence(f, doc, sentence_model.term_weight, asked) for f in added
                       if f.score >= extractor.min_score]
        out.append({"f": [_plain(f) for f in kept], "neg": n, "veto": vetoed})
    return out


# Segments the sentence model reviews at once (their parses are held until then): a few hundred make its
# numpy calls worth it, and memory stays bounded.
REVIEW_BATCH = 256


def _extract(project, codebook, todo, known, cache: ExtractionCache, model, n_process, stats, progress, cancel,
             sentence_model=None, questions: dict[int, str] | None = None, every: list | None = None):
    """Parse (through the parse cache) and match the segments whose findings are not cached.

    Sequential on purpose: matching in a second thread while spaCy parses was
    measured slower on two cores (the GIL is contended), and in a second
    process no faster on this two-vCPU machine (see docs/nlp.md).
    """
    from .extract import Extractor
    from .parse import ParseStats
    book = codebook if codebook is not None else project.codebook()
    codes = category_codes(book)
    questions = questions or {}
    ids = set(s.document_id for s in todo)
    views = every if every is not None else project.store.segment_views(document_ids=sorted(ids))
    valid, valid_keys = _valid([v for v in views if v.document_id in ids], questions)
    parse_stats = ParseStats()
    extractor = None
    touched: dict[int, str] = {}
    extract_s = 0.0
    model_s: dict[str, float] = {}
    pending: list[tuple] = []                # (segment, doc, rule findings, negated skipped), not yet reviewed

    def flush() -> None:
        asked = [questions.get(p[0].segment_id) for p in pending]
        entries = _entries(extractor, [p[1] for p in pending], [p[2] for p in pending], [p[3] for p in pending],
                           sentence_model, codes, model_s, asked)
        for (seg, *_), question, entry in zip(pending, asked, entries):
            known[seg.document_id][findings_key(seg.text, question)] = entry
        pending.clear()

    for seg, doc in parsed_units(project, todo, model=model, n_process=n_process, stats=parse_stats,
                                 progress=progress, cancel=cancel, valid_hashes=valid):
        started = time.perf_counter()
        if extractor is None:
            extractor = Extractor(book, doc.vocab, min_score=project.settings.extraction.min_score)
        before = extractor.negated_skipped
        found = extractor(doc)
        pending.append((seg, doc, found, extractor.negated_skipped - before))
        touched[seg.document_id] = seg.document
        if len(pending) >= REVIEW_BATCH:
            flush()
        extract_s += time.perf_counter() - started
    if pending:
        started = time.perf_counter()
        flush()
        extract_s += time.perf_counter() - started
    started = time.perf_counter()
    for doc_id, name in touched.items():
        entries = {h: e for h, e in known[doc_id].items() if h in valid_keys.get(doc_id, ())}
        cache.save(document_key(name), entries)
    stats.parsed, stats.model_loaded = parse_stats.parsed, parse_stats.model_loaded
    model_time = model_s.get("sentence_model", 0.0)
    stats.timings.update(parse=round(parse_stats.pipe_s, 2), parse_cache=round(parse_stats.cache_s, 2),
                         extract=round(extract_s - model_time, 2), sentence_model=round(model_time, 2),
                         findings_cache=round(time.perf_counter() - started, 2))
