"""Place sheets and the directory of initiatives, computed from a :class:`~.index.PlaceIndex`.

A **place sheet** says, for one place (and the places inside it), what was said
there: per category of the codebook (skills, resources/initiatives, needs,
concerns) and per phase, how many *voices* (distinct participants) and how many
segments carry a counted coding of that category among the units tied to the
place; diverse quotes with their exact references; the skills ↔ needs pairs
found there; and the places most often named in the same turn.

The **directory of initiatives** lists each resource/initiative or offered skill
found at a place: one entry per (code, place), with the phases, the roles of
who spoke (never their names), the evidence (quotes with references) and the
status a researcher gave it (« à vérifier » until confirmed).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from ..analysis.corpus import CodedCorpus, Unit
from ..analysis.matching import skills_needs
from ..analysis.quotes import Quote, candidates_for, select_quotes
from ..i18n import tr
from .index import PlaceIndex
from .linking import normalise

# category -> stems of a codebook root's key or label that name it
CATEGORY_STEMS = {
    "competence": ("competence", "savoir", "skill"),
    "ressource": ("ressource", "initiative", "resource"),
    "besoin": ("besoin", "need"),
    "preoccupation": ("preoccupation", "souci", "concern"),
}
DIRECTORY_CATEGORIES = ("ressource", "competence")
STATUS_LABELS = {"a_verifier": ("à vérifier", "to check"), "confirme": ("confirmé", "confirmed"),
                 "ecarte": ("écarté", "set aside")}
ROLE_LABELS = {"resident": ("habitant·e", "resident"), "relais": ("relais", "intermediary"),
               "other": ("autre", "other"), "interviewer": ("enquêteur·rice", "interviewer")}


def category_label(category: str) -> str:
    return {"competence": tr("Compétences", "Skills"), "ressource": tr("Ressources, initiatives", "Resources"),
            "besoin": tr("Besoins", "Needs"), "preoccupation": tr("Préoccupations", "Concerns")}[category]


def status_label(status: str) -> str:
    fr, en = STATUS_LABELS[status]
    return tr(fr, en)


def role_label(role: str | None) -> str:
    fr, en = ROLE_LABELS.get(role or "", ("non renseigné", "not given"))
    return tr(fr, en)


def category_roots(corpus: CodedCorpus) -> dict[str, str]:
    """category -> the codebook root (branch) that holds it, for the categories the codebook has."""
    out: dict[str, str] = {}
    for key, node in corpus.codes.items():
        if node.parent is not None:
            continue
        words = f"{normalise(key)} {normalise(node.label)}"
        for category, stems in CATEGORY_STEMS.items():
            if category not in out and any(w.startswith(stems) for w in words.replace("_", " ").split()):
                out[category] = key
                break
    return {c: out[c] for c in CATEGORY_STEMS if c in out}


@dataclass(frozen=True)
class Cell:
    voices: int
    segments: int


@dataclass
class PlaceSheet:
    key: str
    name: str
    kind: str
    parent: str | None
    inside: list[str]                                  # places inside it (counted with it)
    mentions: int                                      # times it is named in the corpus
    voices_naming: int                                 # distinct voices that name it
    documents: int                                     # documents whose units are tied to it
    bases: dict[str, int]                              # tour / voisin / entretien -> units
    counts: dict[str, dict[int, Cell]]                 # category -> phase -> cell (places inside included)
    totals: dict[str, Cell]                            # category -> all phases
    own: dict[str, dict[int, Cell]]                    # category -> phase -> cell of the place alone (the map)
    own_totals: dict[str, Cell]
    coded: dict[str, dict[int, bool]]                  # category -> phase -> a document there is covered
    quotes: dict[str, list[Quote]]
    pairs: list[tuple[str, int, int]]                  # domain, need voices, offer voices
    together: list[tuple[str, int]]                    # place key, turns naming both
    phases: list[int] = field(default_factory=list)


def _cell(units: list[Unit]) -> Cell:
    return Cell(len({u.voice for u in units}), len(units))


def _restricted(corpus: CodedCorpus, segment_ids: set[int]) -> CodedCorpus:
    """The same corpus with only the given units (and the codings on them)."""
    units = [u for u in corpus.units if u.segment_id in segment_ids]
    codings = [c for c in corpus.codings if segment_ids.intersection(corpus.coding_units[c.id])]
    return replace(corpus, units=units, codings=codings,
                   direct={s: k for s, k in corpus.direct.items() if s in segment_ids},
                   coding_units={c.id: corpus.coding_units[c.id] for c in codings}, _rolled={})


def place_sheet(index: PlaceIndex, key: str, *, quotes: int = 3, mmr_lambda: float = 0.6,
                near_duplicate: float = 0.8, quote_max_chars: int = 400, quote_min_words: int = 6) -> PlaceSheet:
    register, corpus = index.register, index.corpus
    place = register.places[key]
    units = index.units_at(key)
    ids = {u.segment_id for u in units}
    roots = category_roots(corpus)
    phases = sorted({u.phase for u in corpus.units})
    counts: dict[str, dict[int, Cell]] = {}
    own: dict[str, dict[int, Cell]] = {}
    own_totals: dict[str, Cell] = {}
    totals: dict[str, Cell] = {}
    alone = {u.segment_id for u in index.units_at(key, rollup=False)}
    coded: dict[str, dict[int, bool]] = {}
    cover = corpus.coverage
    chosen: dict[str, list[Quote]] = {}
    for category, root in roots.items():
        carrying = [u for u in units if root in corpus.rolled(u.segment_id)]
        counts[category] = {p: _cell([u for u in carrying if u.phase == p]) for p in phases}
        mine = [u for u in carrying if u.segment_id in alone]
        own[category] = {p: _cell([u for u in mine if u.phase == p]) for p in phases}
        own_totals[category] = _cell(mine)
        # « non codé »: no document of that phase whose units are tied here was covered for the category
        coded[category] = {p: cover is None or any(cover.covers(u.document_id, root) for u in units if u.phase == p)
                           for p in phases}
        totals[category] = _cell(carrying)
        if quotes and carrying:
            candidates = [c for c in candidates_for(corpus, root, index.texts, min_words=quote_min_words,
                                                    max_chars=quote_max_chars)
                          if _segment_of(corpus, c) in ids]
            chosen[category] = select_quotes(candidates, k=quotes, mmr_lambda=mmr_lambda,
                                             near_duplicate=near_duplicate)
    mentions = index.mentions_of(key)
    voice_of = {u.segment_id: u.voice for u in corpus.units}
    naming = {voice_of[m.segment_id] for m in mentions if m.segment_id in voice_of}
    bases = Counter(index.ties[s].basis for s in ids)
    sub = _restricted(corpus, ids)
    pairs = [(m.domain, m.need_total, m.offer_total) for m in skills_needs(sub) if m.need_total and m.offer_total]
    return PlaceSheet(key, place.name, place.kind, place.parent, register.descendants(key)[1:], len(mentions),
                      len(naming), len({u.document_id for u in units}),
                      {b: bases.get(b, 0) for b in ("tour", "voisin", "entretien")}, counts, totals, own, own_totals, coded, chosen,
                      pairs, together(index, key), phases)


def _segment_of(corpus: CodedCorpus, quote) -> int | None:
    """The unit a quote candidate was taken from (candidates keep their unit's position)."""
    index = corpus.__dict__.setdefault("_by_position", None)
    if index is None:
        index = corpus.__dict__["_by_position"] = {(u.document_id, u.position): u.segment_id for u in corpus.units}
    return index.get((quote.document_id, quote.position))


def together(index: PlaceIndex, key: str, *, limit: int = 5) -> list[tuple[str, int]]:
    """Places named in the same turn as ``key`` (not those that contain it or lie inside it)."""
    related = set(index.register.descendants(key)) | set(index.register.ancestors(key))
    by_segment: dict[int, set[str]] = defaultdict(set)
    for m in index.mentions:
        by_segment[m.segment_id].add(m.place)
    inside = set(index.register.descendants(key))
    counter: Counter = Counter()
    for places in by_segment.values():
        if inside & places:
            counter.update(p for p in places if p not in related)
    return sorted(counter.items(), key=lambda x: (-x[1], x[0]))[:limit]


def place_overview(index: PlaceIndex) -> list[PlaceSheet]:
    """A sheet (without quotes) for every place of the register, in tree order."""
    return [place_sheet(index, key, quotes=0) for key in index.register.tree_order()]


# ================================================================ directory
@dataclass
class Initiative:
    entry: str                       # code@place
    code: str
    what: str                        # the code's label, with the objects the analysis named
    category: str                    # ressource | competence
    place: str
    place_name: str
    phases: list[int]
    roles: list[str]
    voices: int
    basis: dict[str, int]            # how its units are tied to the place
    evidence: list[Quote]
    status: str = "a_verifier"
    status_by: str | None = None


def directory(index: PlaceIndex, *, statuses: dict | None = None, objects: dict[int, str] | None = None,
              evidence: int = 3) -> list[Initiative]:
    """Every (code, place) of a resource or offered skill said at a place, most voices first."""
    corpus, register = index.corpus, index.register
    roots = category_roots(corpus)
    units = {u.segment_id: u for u in corpus.units}
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for c in corpus.codings:
        category = next((cat for cat in DIRECTORY_CATEGORIES
                         if cat in roots and (c.code_key == roots[cat] or roots[cat] in corpus.ancestors(c.code_key))),
                        None)
        if category is None:
            continue
        sid = corpus.coding_units[c.id][0]
        tie = index.ties.get(sid)
        for place in (tie.places if tie else ()):
            groups[(c.code_key, place)].append((category, c, units[sid], tie.basis))
    out: list[Initiative] = []
    by_code: dict[str, list] = {}
    for (code, place), items in groups.items():
        category = items[0][0]
        label = corpus.codes[code].label
        named = Counter((objects or {}).get(c.source_id or c.id) for _, c, _, _ in items)
        named.pop(None, None)
        what = label + (f" : {', '.join(o for o, _ in named.most_common(3))}" if named else "")
        if code not in by_code:
            by_code[code] = candidates_for(corpus, code, index.texts)
        where = {u.segment_id for _, _, u, _ in items}
        candidates = [q for q in by_code[code] if _segment_of(corpus, q) in where]
        chosen = select_quotes(candidates, k=evidence) if candidates else []
        entry = f"{code}@{place}"
        st = (statuses or {}).get(entry)
        bases = Counter(b for _, _, _, b in items)
        out.append(Initiative(entry, code, what, category, place, register.places[place].name,
                              sorted({u.phase for _, _, u, _ in items}),
                              sorted({role_label(u.role) for _, _, u, _ in items}),
                              len({u.voice for _, _, u, _ in items}), dict(bases), chosen,
                              st.status if st else "a_verifier", st.coder if st else None))
    order = {k: i for i, k in enumerate(register.places)}
    return sorted(out, key=lambda i: (-i.voices, order[i.place], i.code))
