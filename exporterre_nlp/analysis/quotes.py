"""Representative and diverse verbatim quotes, by maximal marginal relevance.

For a code (or a theme) the candidates are the passages that carry it. Each is
turned into a TF-IDF vector (offline, deterministic); its **relevance** is the
cosine with the centroid of all candidates (how typical it is). Quotes are then
picked one by one by maximal marginal relevance (Carbonell & Goldstein 1998):

    score = λ · relevance − (1 − λ) · max cosine with the quotes already picked

with hard rules on top: a candidate too similar to a picked quote (cosine ≥
``near_duplicate``, or overlapping the same words) is never taken, nor one
holding contact details (:mod:`.privacy`); candidates from a
voice *and* a document not yet quoted are preferred, then a new voice, then
any; passages shorter than ``min_words`` come last. Ties break on document
order, so the same corpus gives the same quotes.

Every quote keeps its document, speaker, phase, lieu, segment position and
exact character offsets: ``document.text[start:end] == quote.text``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .corpus import CodedCorpus
from .privacy import personal_data

# Oral fillers and transcription words that say nothing about the topic of a passage.
FILLERS = ("euh", "heu", "ben", "bah", "bon", "hein", "voilà", "quoi", "genre", "ouais", "oui", "non", "enfin",
           "donc", "alors", "là", "truc", "machin", "rires", "rire", "pause", "inaudible", "xxx", "hum", "mh",
           "ah", "oh", "eh", "bref", "style", "vraiment", "fait", "ça", "ca", "cest", "c'est")

_SENTENCE_END = re.compile(r"[.!?…]+[\s»\"]*")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class QuoteCandidate:
    document_id: int
    document: str
    phase: int
    lieu: str | None
    position: int                  # segment position in its document
    start: int
    end: int
    speaker: str | None
    voice: str
    text: str                      # document.text[start:end]

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


@dataclass(frozen=True)
class Quote:
    document_id: int
    document: str
    phase: int
    lieu: str | None
    position: int
    start: int
    end: int
    speaker: str | None
    voice: str
    text: str
    relevance: float

    @property
    def display(self) -> str:
        """The words with line breaks and runs of spaces collapsed."""
        return " ".join(self.text.split())


def stop_words() -> list[str]:
    """French stop words (spaCy's list) plus oral fillers, sorted (a list, as scikit-learn wants)."""
    from spacy.lang.fr.stop_words import STOP_WORDS
    words = set(STOP_WORDS) | set(FILLERS)
    # the pieces the vectoriser's tokenizer makes of "quelqu'un", "dix-neuf"...
    words |= {piece for w in list(words) for piece in re.findall(r"(?u)\b\w\w+\b", w)}
    return sorted(words)


def tfidf_vectorizer():
    """The offline vectoriser used for quotes: word unigrams and bigrams, French stop words removed."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    return TfidfVectorizer(lowercase=True, stop_words=stop_words(), token_pattern=r"(?u)\b\w\w+\b",
                           ngram_range=(1, 2), sublinear_tf=True, norm="l2")


def trim_span(text: str, start: int, end: int, max_chars: int) -> tuple[int, int]:
    """Shrink [start, end) of ``text`` to whole sentences fitting ``max_chars`` (at least one sentence),
    and strip surrounding white space. Offsets stay exact."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start <= max_chars:
        return start, end
    cut = None
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.end() - start > max_chars and cut is not None:
            break
        cut = m.end()
        if m.end() - start > max_chars:
            break
    if cut is None or cut - start > max_chars * 2:
        # no sentence end in reach: cut at the last space before max_chars
        space = text.rfind(" ", start, start + max_chars)
        cut = space if space > start else start + max_chars
    while cut > start and text[cut - 1].isspace():
        cut -= 1
    return start, cut


def expand_to_sentences(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """Widen [start, end) to the sentences it touches, without leaving [lo, hi) (the speaker's turn):
    a quote starts where a sentence starts and ends where one ends."""
    begin = lo
    for m in _SENTENCE_END.finditer(text, lo, start):
        if m.end() <= start:
            begin = m.end()
    stop = hi
    m = _SENTENCE_END.search(text, max(end - 1, lo), hi)
    if m is not None:
        stop = m.end()
    while begin < stop and text[begin].isspace():
        begin += 1
    while stop > begin and text[stop - 1].isspace():
        stop -= 1
    return begin, stop


def candidates_for(corpus: CodedCorpus, key: str, texts: dict[int, str], *, min_words: int = 6,
                   max_chars: int = 400) -> list[QuoteCandidate]:
    """Passages of the counted codings of ``key`` (and codes below it).

    A coding is clipped to the segment it falls on (one speaker's words), widened to the whole sentences it
    touches within that segment; shorter than ``min_words``, it is widened to that segment; a long one is
    trimmed to whole sentences of at most ``max_chars`` characters.
    """
    units = {u.segment_id: u for u in corpus.units}
    seen: set[tuple[int, int, int]] = set()
    out: list[QuoteCandidate] = []
    for c in corpus.codings_of(key):
        unit = units[corpus.coding_units[c.id][0]]
        text = texts[c.document_id]
        # one speaker's words: clip the coding to its (first) unit
        start, end = max(c.start, unit.start), min(c.end, unit.end)
        start, end = expand_to_sentences(text, start, end, unit.start, unit.end)
        if len(_WORD.findall(text[start:end])) < min_words:
            start, end = unit.start, unit.end
        start, end = trim_span(text, start, end, max_chars)
        if end <= start or (c.document_id, start, end) in seen:
            continue
        seen.add((c.document_id, start, end))
        out.append(QuoteCandidate(c.document_id, unit.document, unit.phase, unit.lieu, unit.position, start, end,
                                  unit.speaker, unit.voice, text[start:end]))
    out.sort(key=lambda q: (q.phase, q.document, q.start, q.end))
    return out


def _normalise_rows(matrix):
    """L2-normalised rows, kept sparse when the input is sparse."""
    if hasattr(matrix, "multiply"):
        from sklearn.preprocessing import normalize
        return normalize(matrix.tocsr(), norm="l2", copy=True)
    dense = np.asarray(matrix, dtype=float)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return dense / norms


def _dense(x) -> np.ndarray:
    return np.asarray(x.toarray() if hasattr(x, "toarray") else x, dtype=float)


def select_quotes(candidates: Sequence[QuoteCandidate], k: int = 4, *,
                  vectorize: Callable[[list[str]], object] | None = None, mmr_lambda: float = 0.6,
                  near_duplicate: float = 0.8, min_words: int = 6) -> list[Quote]:
    """Pick up to ``k`` representative, diverse quotes (see module doc)."""
    cands = [c for c in candidates if not personal_data(c.text)]
    if not cands or k <= 0:
        return []
    texts = [c.text for c in cands]
    if vectorize is None:
        def vectorize(docs: list[str]):
            vec = tfidf_vectorizer()
            try:
                return vec.fit_transform(docs)
            except ValueError:                      # only stop words everywhere
                return np.zeros((len(docs), 1))
    vectors = _normalise_rows(vectorize(texts))
    centroid = np.asarray(vectors.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    relevance = np.asarray(vectors @ (centroid / norm)).ravel() if norm else np.zeros(len(cands))
    # Similarity to the picked quotes only (one column per pick, k at most): the full n × n matrix
    # took 0.8 GB for a code with 10,000 passages and grew with the square of the corpus (issue 23).
    similarity: dict[int, np.ndarray] = {}
    picked: list[int] = []
    voices: set[str] = set()
    documents: set[int] = set()

    def blocked(i: int) -> bool:
        for j in picked:
            if similarity[j][i] >= near_duplicate:
                return True
            a, b = cands[i], cands[j]
            if a.document_id == b.document_id and a.start < b.end and b.start < a.end:
                return True
        return False

    tiers = (lambda i: cands[i].words >= min_words and cands[i].voice not in voices
             and cands[i].document_id not in documents,
             lambda i: cands[i].words >= min_words and cands[i].voice not in voices,
             lambda i: cands[i].words >= min_words,
             lambda i: True)
    while len(picked) < k:
        best = None
        for tier in tiers:
            eligible = [i for i in range(len(cands)) if i not in picked and tier(i) and not blocked(i)]
            if eligible:
                def mmr(i: int) -> float:
                    redundancy = max((similarity[j][i] for j in picked), default=0.0)
                    return mmr_lambda * relevance[i] - (1 - mmr_lambda) * redundancy
                best = max(eligible, key=lambda i: (round(float(mmr(i)), 9), -i))
                break
        if best is None:
            break
        picked.append(best)
        similarity[best] = _dense(vectors @ vectors[best].T).ravel()
        voices.add(cands[best].voice)
        documents.add(cands[best].document_id)
    return [Quote(c.document_id, c.document, c.phase, c.lieu, c.position, c.start, c.end, c.speaker, c.voice,
                  c.text, round(float(relevance[i]), 4)) for i in picked for c in (cands[i],)]
