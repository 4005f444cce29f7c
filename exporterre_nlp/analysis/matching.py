"""Skills ↔ needs: what residents need next to what the corpus says exists, by domain.

A code is on the **needs** side when it lies in a branch of needs or concerns
(``besoins``, ``préoccupations``), on the **offers** side when it lies in a branch
of skills or resources (``compétences``, ``savoir-faire``, ``ressources``,
``initiatives``). The branch is recognised by the key or label of the code's
root (accents and case ignored), or by a tag of that name on the code.

A code's **domains** are its codebook tags (and those of its ancestors below
the root), side words left out: a need tagged ``logement`` and a skill tagged
``logement`` meet in the ``logement`` domain. A domain with needs and no offer
in the corpus is kept: it shows a gap.
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from .corpus import CodedCorpus

NEED_STEMS = ("besoin", "preoccupation", "souci", "need", "concern", "attente", "difficulte")
OFFER_STEMS = ("competence", "savoir", "ressource", "initiative", "skill", "resource", "talent")


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    return text.lower().replace("-", "_").replace(" ", "_")


def _stem_of(word: str, stems: tuple[str, ...]) -> bool:
    w = _plain(word)
    return any(w.startswith(s) or f"_{s}" in w or f".{s}" in w for s in stems)


def side_of(corpus: CodedCorpus, key: str) -> str | None:
    """``"need"``, ``"offer"`` or None for a code key."""
    chain = [key, *corpus.ancestors(key)]
    root = corpus.codes[chain[-1]]
    for stems, side in ((NEED_STEMS, "need"), (OFFER_STEMS, "offer")):
        if _stem_of(root.key, stems) or _stem_of(root.label, stems):
            return side
    for k in chain:
        for tag in corpus.codes[k].tags:
            if _stem_of(tag, NEED_STEMS):
                return "need"
            if _stem_of(tag, OFFER_STEMS):
                return "offer"
    return None


def domains_of(corpus: CodedCorpus, key: str) -> list[str]:
    chain = [key, *corpus.ancestors(key)][:-1] or [key]      # the root's own tags name the side
    out: dict[str, None] = {}
    for k in chain:
        for tag in corpus.codes[k].tags:
            if not (_stem_of(tag, NEED_STEMS) or _stem_of(tag, OFFER_STEMS)):
                out[tag] = None
    return list(out)


@dataclass(frozen=True)
class DomainMatch:
    domain: str
    needs: list[str]                          # code keys on the needs side
    offers: list[str]                         # code keys on the offers side
    need_segments: dict[str, int]             # phase -> segments voicing a need of the domain
    offer_segments: dict[str, int]            # phase -> segments naming a skill/resource of the domain
    need_voices: list[str]                    # voices (pseudonymous keys) voicing a need
    offer_voices: list[str]                   # voices naming a skill or resource

    @property
    def need_total(self) -> int:
        return sum(self.need_segments.values())

    @property
    def offer_total(self) -> int:
        return sum(self.offer_segments.values())

    @property
    def gap(self) -> bool:
        """Needs voiced, and no skill or resource of the domain found in the corpus."""
        return self.need_total > 0 and self.offer_total == 0


def skills_needs(corpus: CodedCorpus) -> list[DomainMatch]:
    """One row per domain tag carried by codes of either side, most voiced needs first."""
    sides: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"need": [], "offer": []})
    for key in corpus.codes:
        side = side_of(corpus, key)
        if side is None:
            continue
        for domain in domains_of(corpus, key):
            sides[domain][side].append(key)
    phases = [str(p) for p in sorted({u.phase for u in corpus.units} | {1, 2, 3})]
    out = []
    for domain, keys in sides.items():
        counts = {"need": dict.fromkeys(phases, 0), "offer": dict.fromkeys(phases, 0)}
        voices: dict[str, set[str]] = {"need": set(), "offer": set()}
        for side in ("need", "offer"):
            wanted = set(keys[side])
            for u in corpus.units:
                if wanted & corpus.rolled(u.segment_id):
                    counts[side][str(u.phase)] += 1
                    voices[side].add(u.voice)
        out.append(DomainMatch(domain, keys["need"], keys["offer"], counts["need"], counts["offer"],
                               sorted(voices["need"]), sorted(voices["offer"])))
    out.sort(key=lambda m: (-m.need_total, -m.offer_total, m.domain))
    return out
