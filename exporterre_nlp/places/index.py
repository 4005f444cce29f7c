"""Where each unit of the coded corpus happens: the place index of a project.

Built once per report or command by :func:`build_place_index`:

- **mentions**: every register name or alias in every segment (interviewer
  questions included: « et au marché, ça se passe comment ? »), plus the human
  codings of place codes whose words the scanner did not find (linked by the
  :class:`~.linking.Linker`: a researcher's link, alias, close spelling, code);
- **links**: the ``lieu`` findings of the analysis, the place codings and each
  interview's ``lieu`` metadata, each linked or *unresolved* (listed for a
  person to link: ``exporterre places link``);
- **ties**: each unit (a participant's turn) is tied to the places named in the
  turn itself (``tour``), else in the turn just before or after it (``voisin``),
  else to the interview's place (``entretien``: its ``lieu`` metadata, else its
  ``quartier`` attribute), else to none. The tie says which, and always keeps
  the interview's place beside it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.corpus import CodedCorpus, Unit, load_coded_corpus
from .linking import AliasScanner, Link, Linker, PlaceMention, normalise, unresolved
from .register import PlaceRegister, load_register

BASES = ("tour", "voisin", "entretien")


@dataclass(frozen=True)
class PlaceTie:
    segment_id: int
    places: tuple[str, ...]          # register keys, empty when the unit is tied to no place
    basis: str | None                # tour | voisin | entretien | None
    interview_place: str | None      # the interview's place, whatever the basis


@dataclass
class PlaceIndex:
    register: PlaceRegister
    corpus: CodedCorpus
    mentions: list[PlaceMention]
    links: list[Link]
    ties: dict[int, PlaceTie]
    document_places: dict[int, tuple[str | None, str | None]]    # doc id -> (place, "lieu" | "quartier")
    texts: dict[int, str] = field(default_factory=dict, repr=False)

    def units_at(self, key: str, *, rollup: bool = True) -> list[Unit]:
        """Units tied to ``key`` (and, with ``rollup``, to any place inside it)."""
        keys = set(self.register.descendants(key)) if rollup else {key}
        return [u for u in self.corpus.units if keys.intersection(self.ties[u.segment_id].places)]

    def mentions_of(self, key: str, *, rollup: bool = True) -> list[PlaceMention]:
        keys = set(self.register.descendants(key)) if rollup else {key}
        return [m for m in self.mentions if m.place in keys]

    def unresolved(self) -> list[tuple[str, int]]:
        return unresolved(self.links)


def project_register(project) -> PlaceRegister:
    """The project's register: ``places.register`` of its settings (relative to the project folder).
    A project made before registers existed has none: the error says how to add one."""
    name = project.settings.places.register
    path = Path(name) if Path(name).is_absolute() else Path(project.path) / name
    return load_register(path)


REGISTER_FILE = "lieux.yaml"


def _link_mentions(store, linker: Linker, corpus: CodedCorpus, texts: dict[int, str], found: dict[int, list],
                   machine: str) -> tuple[list[PlaceMention], list[Link]]:
    """Place codings and ``lieu`` findings, linked; codings the scanner missed become mentions."""
    extra: list[PlaceMention] = []
    links: list[Link] = []
    if "lieux" in corpus.codes:
        place_codes = set(corpus.descendants("lieux"))
        for c in corpus.codings:
            if c.code_key not in place_codes:
                continue
            link = linker.link(texts[c.document_id][c.start:c.end], code=c.code_key)
            links.append(link)
            sid = corpus.coding_units[c.id][0]
            if link.place is not None and not any(s < c.end and e > c.start for s, e, _ in found.get(sid, [])):
                extra.append(PlaceMention(c.document_id, sid, c.start, c.end, link.place, link.method))
    for f in store.list_findings(category="lieu", coder=machine):
        if f.status != "rejected":
            links.append(linker.link(f.text, code=f.code_key))
    return extra, links


def build_place_index(project, *, include_pending: bool = False, corpus: CodedCorpus | None = None,
                      register: PlaceRegister | None = None) -> PlaceIndex:
    store, settings = project.store, project.settings
    machine = settings.extraction.coder
    register = register or project_register(project)
    manual = {link.mention: link.place for link in store.place_links()}
    not_places = {m for m, p in manual.items() if p is None}
    linker = Linker(register, manual={m: p for m, p in manual.items() if p is not None},
                    fuzzy_threshold=settings.places.fuzzy_threshold)
    if corpus is None:
        corpus = load_coded_corpus(store, include_pending=include_pending,
                                   include_interviewer=settings.report.include_interviewer, machine=machine)
    scanner = AliasScanner(register)
    views = store.segment_views()
    texts = store.document_texts({v.document_id for v in views} | set(corpus.documents))
    found: dict[int, list[tuple[int, int, str]]] = {}
    mentions: list[PlaceMention] = []
    for v in views:
        hits = scanner.scan(v.text, offset=v.start)
        if hits:
            found[v.segment_id] = hits
            mentions += [PlaceMention(v.document_id, v.segment_id, s, e, k, "alias") for s, e, k in hits]
    extra, links = _link_mentions(store, linker, corpus, texts, found, machine)
    mentions += extra
    for m in extra:
        found.setdefault(m.segment_id, []).append((m.start, m.end, m.place))

    document_places: dict[int, tuple[str | None, str | None]] = {}
    for doc_id, doc in corpus.documents.items():
        place, how = None, None
        for value, kind in ((doc.lieu, "lieu"), (doc.attributes.get("quartier"), "quartier")):
            if not value or not isinstance(value, str) or normalise(value) in not_places:
                continue
            link = linker.link(value)
            if kind == "lieu":
                links.append(link)
            if link.place is not None:
                place, how = link.place, kind
                break
        document_places[doc_id] = (place, how)

    # the neighbour: the segment just before, whoever speaks it (« et au marché ? » → the answer)
    order: dict[int, list[int]] = defaultdict(list)
    for v in views:
        order[v.document_id].append(v.segment_id)
    around: dict[int, tuple[int, ...]] = {}
    for sids in order.values():
        for i, sid in enumerate(sids):
            around[sid] = (sids[i - 1],) if i > 0 else ()
    ties: dict[int, PlaceTie] = {}
    for u in corpus.units:
        interview = document_places.get(u.document_id, (None, None))[0]
        own = _keys(found.get(u.segment_id, ()))
        if own:
            ties[u.segment_id] = PlaceTie(u.segment_id, own, "tour", interview)
            continue
        near = _keys(hit for sid in around.get(u.segment_id, ()) for hit in found.get(sid, ()))
        if near:
            ties[u.segment_id] = PlaceTie(u.segment_id, near, "voisin", interview)
        elif interview is not None:
            ties[u.segment_id] = PlaceTie(u.segment_id, (interview,), "entretien", interview)
        else:
            ties[u.segment_id] = PlaceTie(u.segment_id, (), None, None)
    return PlaceIndex(register, corpus, mentions, links, ties, document_places, texts)


def _keys(hits) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for _, _, k in sorted(hits)))
