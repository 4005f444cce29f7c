"""The object of a finding: what is needed, feared, known or offered.

Works on the clean view (no fillers, no negation particles). The object is a
short phrase normalised for grouping: lower case, leading determiners and
prepositions dropped, its head noun in the singular (lemma), the rest as said
("la garde des enfants" → "garde des enfants", "garde d'enfants" stays).
``ObjectPhrase.lemmas`` holds the content lemmas, used to route a finding to a
sub-code through the codebook's keywords.

Where to look is the rule's ``object``: ``after`` the match, ``before`` it,
``match`` (the noun group of the match's last token), a dependency node name
(that node's subtree), or none.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

NOMINAL = {"NOUN", "PROPN"}
HEADS_AFTER = {"NOUN", "PROPN", "VERB", "ADJ", "X"}
SKIP_AFTER = {"DET", "ADP", "ADV", "SCONJ", "CCONJ", "NUM", "AUX"}
DE_LINKS = {"de", "d'", "d’", "du", "des"}          # may take a determiner: "garde des enfants"
BARE_LINKS = {"à", "en", "pour"}                     # only before a bare noun: "machine à laver"
LINKS = DE_LINKS | BARE_LINKS | {"au", "aux"}
DETERMINERS = {"DET"}
MAX_WORDS = 8


@dataclass(frozen=True)
class ObjectPhrase:
    start: int                 # clean-view token indices [start, end)
    end: int
    text: str                  # normalised phrase
    lemmas: tuple[str, ...]    # content lemmas, lower case


def _participle(tok: Token) -> bool:
    return tok.pos_ == "VERB" and "Part" in tok.morph.get("VerbForm")


def _norm(tok: Token, head: bool) -> str:
    if head and tok.pos_ in NOMINAL and tok.lemma_:
        return tok.lemma_.lower() if tok.pos_ == "NOUN" else tok.text
    if tok.pos_ == "ADJ" and tok.lemma_ and head is False and tok.morph.get("Number") == ["Plur"]:
        return tok.lemma_.lower()
    text = tok.text if tok.pos_ == "PROPN" else tok.lower_
    return text.replace("’", "'")


def _join(tokens: list[Token], head_i: int) -> str:
    out = ""
    for tok in tokens:
        word = _norm(tok, tok.i == head_i)
        out += word if (not out or out.endswith("'")) else " " + word
    return out


def _content_lemmas(tokens: list[Token]) -> tuple[str, ...]:
    return tuple(t.lemma_.lower() or t.lower_ for t in tokens if t.pos_ in HEADS_AFTER | {"ADJ"})


def sentence_bounds(doc: Doc, i: int) -> tuple[int, int]:
    if doc.has_annotation("SENT_START") or doc.has_annotation("DEP"):
        sent = doc[i].sent
        return sent.start, sent.end
    return 0, len(doc)


def _stop(tok: Token) -> bool:
    return tok.is_punct or tok.pos_ in ("PRON", "SCONJ", "CCONJ") or tok.is_sent_start


def noun_group(doc: Doc, head: int, limit: int) -> tuple[int, int]:
    """[start, end) of the noun group headed by ``head`` (left adjectives, right modifiers)."""
    start = head
    while start - 1 >= 0 and doc[start - 1].pos_ == "ADJ" and not doc[start].is_sent_start:
        start -= 1
    end, nouns = head + 1, 1
    while end < limit and end - start < MAX_WORDS:
        tok = doc[end]
        if tok.is_sent_start or tok.is_punct:
            break
        if tok.pos_ == "ADJ" or _participle(tok):
            end += 1
            continue
        if tok.lower_ in DE_LINKS | BARE_LINKS and nouns < 3:
            j = end + 1
            if j < limit and doc[j].pos_ in DETERMINERS and tok.lower_ in DE_LINKS:
                j += 1
            if j < limit and (doc[j].pos_ in NOMINAL or (doc[j].pos_ == "VERB" and "Inf" in doc[j].morph.get(
                    "VerbForm"))):
                end, nouns = j + 1, nouns + 1
                continue
        break
    return start, end


def _phrase(doc: Doc, start: int, end: int, head: int) -> ObjectPhrase | None:
    while start < end and (doc[start].pos_ in DETERMINERS or doc[start].is_punct
                           or doc[start].lower_ in LINKS | {"que", "qu'", "qu’"}):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].pos_ in ("ADV", "ADP", "DET", "CCONJ")):
        end -= 1
    if start >= end:
        return None
    end = min(end, start + MAX_WORDS)
    tokens = list(doc[start:end])
    return ObjectPhrase(start, end, _join(tokens, head), _content_lemmas(tokens))


def _from_head(doc: Doc, head: int, limit: int) -> ObjectPhrase | None:
    tok = doc[head]
    if tok.pos_ == "VERB" and not _participle(tok):
        # a verb and the noun group it governs: "coudre", "réparer les machines à laver"
        end = head + 1
        j = end
        while j < limit and doc[j].pos_ in DETERMINERS | {"ADV"} and not doc[j].is_punct:
            j += 1
        if j < limit and doc[j].pos_ in NOMINAL and not doc[j].is_sent_start:
            end = noun_group(doc, j, limit)[1]
        while end > head + 1 and doc[end - 1].pos_ in ("ADV", "ADP", "DET", "CCONJ", "PUNCT"):
            end -= 1
        tokens = list(doc[head:end])
        text = " ".join(t.lower_ if t.i != head else (t.lemma_.lower() or t.lower_) for t in tokens)
        return ObjectPhrase(head, end, text.replace("' ", "'").replace("’ ", "'"), _content_lemmas(tokens))
    start, end = noun_group(doc, head, limit)
    return _phrase(doc, start, end, head)


def object_at(doc: Doc, head: int, limit: int) -> ObjectPhrase | None:
    """The object built on token ``head`` (its noun group, or a verb and the noun group it governs),
    reaching no further than token ``limit``."""
    return _from_head(doc, head, limit)


def object_after(doc: Doc, end: int) -> ObjectPhrase | None:
    if end >= len(doc):
        return None
    _, limit = sentence_bounds(doc, end - 1 if end > 0 else 0)
    j, skipped = end, 0
    while j < limit and skipped <= 5:
        tok = doc[j]
        if tok.is_sent_start and j != end:
            return None
        if tok.pos_ in HEADS_AFTER and not (tok.pos_ == "ADJ" and j + 1 < limit and doc[j + 1].pos_ in NOMINAL):
            return _from_head(doc, j, limit)
        if tok.is_punct and tok.text != ",":
            return None
        if tok.pos_ == "PRON" and tok.lower_ not in ("en", "y", "qu'", "que", "qui"):
            return None                             # "besoin de ça", "il nous faut quelqu'un"
        j += 1
        skipped += 1
    return None


def object_before(doc: Doc, start: int) -> ObjectPhrase | None:
    if start <= 0:
        return None
    low, _ = sentence_bounds(doc, start)
    j = start - 1
    while j >= low and (doc[j].pos_ in ("PRON", "ADV", "AUX") or doc[j].text == ","):
        j -= 1
    if j < low or doc[j].pos_ not in NOMINAL | {"ADJ"}:
        return None
    # climb "garde d'enfants": from "enfants" back to "garde"
    while j - 2 >= low and doc[j - 1].pos_ in DETERMINERS and doc[j - 2].lower_ in LINKS \
            and j - 3 >= low and doc[j - 3].pos_ in NOMINAL:
        j -= 3
    while j - 1 >= low and doc[j - 1].lower_ in LINKS and j - 2 >= low and doc[j - 2].pos_ in NOMINAL:
        j -= 2
    s, e = noun_group(doc, j, start)
    return _phrase(doc, s, e, j)


def object_match(doc: Doc, start: int, end: int) -> ObjectPhrase | None:
    last = end - 1
    while last >= start and (doc[last].is_punct or doc[last].pos_ in ("ADP", "DET", "PRON", "AUX")):
        last -= 1
    if last < start:
        return None
    _, limit = sentence_bounds(doc, last)
    return _from_head(doc, last, limit)


def object_subtree(doc: Doc, node: int) -> ObjectPhrase | None:
    tok = doc[node]
    if tok.pos_ == "VERB" and not _participle(tok) and tok.dep_ in ("xcomp", "obj", "ccomp") and \
            "Inf" in tok.morph.get("VerbForm"):
        return _from_head(doc, node, tok.sent.end if doc.has_annotation("DEP") else len(doc))
    if tok.pos_ in NOMINAL:
        return _from_head(doc, node, tok.right_edge.i + 1)
    start, end = tok.left_edge.i, tok.right_edge.i + 1
    return _phrase(doc, start, min(end, start + MAX_WORDS + 2), node)


def find_object(doc: Doc, how: str | None, start: int, end: int, nodes: dict[str, int] | None = None
                ) -> ObjectPhrase | None:
    """The object for a match [start, end) of the clean doc, following the rule's ``object``."""
    if how is None:
        return None
    if how == "after":
        return object_after(doc, end)
    if how == "before":
        return object_before(doc, start)
    if how == "match":
        return object_match(doc, start, end)
    if nodes and how in nodes:
        return object_subtree(doc, nodes[how])
    return None
