"""Agreement between coders, and between coders and the machine.

**Unit: the segment, per code.** For each code, each rater says of each segment
"applies" (at least one of their codings of that code overlaps the segment)
or "does not apply". Which segments are compared is what decides whether
κ means anything:

- only documents **both** raters worked on (a human coder "worked on" a
  document when they made or decided at least one coding in it; the machine,
  when it made a suggestion in it);
- inside them, only segments where **at least one** of the raters applied
  **some** code. A segment nobody coded is not a decision by anyone: counting
  it as an agreed "absent" would inflate κ with every uncoded line (the
  problem QualCoder has with character-based κ). A segment coded by one rater
  with code X and by the other with code Y is kept: there the second rater did
  read it and did not apply X.

A human rater's codings are their decisions (``manual`` and ``accepted``);
the machine's are every suggestion it made (``pending`` codings of coder
``machine``, decided or not), so machine agreement measures how far the
suggestions match what people coded.

**Which codes.** Every code either side used, suggested or rejected on the
compared segments — a code a coder only ever rejected is a code on which the
coder and the machine disagree, not a code to leave out. The machine suggests
every code of the codebook while a coder may work on a few branches, so a coder
↔ machine pair compares a code only in the documents the coder *covered* for it
(:mod:`.coverage`: marked, or, without marks, where the coder decided something
in that branch — a rejection counts). Codes are listed worst first (lowest κ).

Cohen's κ is given for each pair of raters and each code; Krippendorff's α
(nominal, with missing values) for the same pair and, across any number of
raters, by :func:`krippendorff_by_code`. Codes neither rater used are left out;
κ is ``None`` when it is undefined (both raters constant).
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..errors import ExporterreError
from ..i18n import tr
from ..records import CODING_STATUSES, HUMAN_STATUSES

MACHINE = "machine"


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Cohen's κ of two binary (or nominal) rating lists of the same units."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    categories = sorted(set(a) | set(b))
    observed = sum(1 for x, y in zip(a, b) if x == y) / n
    expected = sum((a.count(c) / n) * (b.count(c) / n) for c in categories)
    if expected >= 1.0:
        return None
    return round((observed - expected) / (1.0 - expected), 6)


def krippendorff_alpha(data: Sequence[Sequence[object | None]]) -> float | None:
    """Nominal Krippendorff's α. ``data`` is raters × units, ``None`` for missing."""
    if not data:
        return None
    n_units = len(data[0])
    coincidence: dict[tuple, float] = defaultdict(float)
    for u in range(n_units):
        values = [row[u] for row in data if row[u] is not None]
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidence[(c, k)] += 1.0 / (m - 1)
    totals: dict[object, float] = defaultdict(float)
    for (c, _k), v in coincidence.items():
        totals[c] += v
    n = sum(totals.values())
    if n <= 1:
        return None
    disagree = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if expected == 0:
        return None
    return round(1.0 - (n - 1) * disagree / expected, 6)


@dataclass(frozen=True)
class CodeAgreement:
    code: str
    label: str
    units: int                   # segments compared
    both: int
    only_a: int
    only_b: int
    neither: int
    kappa: float | None
    alpha: float | None

    @property
    def percent(self) -> float:
        return round(100.0 * (self.both + self.neither) / self.units, 1) if self.units else 0.0


@dataclass(frozen=True)
class PairAgreement:
    rater_a: str
    rater_b: str
    documents: int               # documents both raters worked on
    units: int                   # segments compared
    codes: list[CodeAgreement]

    @property
    def mean_kappa(self) -> float | None:
        values = [c.kappa for c in self.codes if c.kappa is not None]
        return round(sum(values) / len(values), 4) if values else None


@dataclass
class _Rater:
    name: str
    documents: set[int]
    applied: dict[int, set[str]]          # segment id -> codes
    rejected: dict[int, set[str]]         # segment id -> codes the rater rejected there


def _spread(codings, segments: dict[int, list]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for c in codings:
        segs = segments.get(c.document_id, [])
        starts = [s[1] for s in segs]
        i = max(bisect.bisect_right(starts, c.start) - 1, 0)
        while i < len(segs) and segs[i][1] < c.end:
            if segs[i][2] > c.start:
                out[segs[i][0]].add(c.code_key)
            i += 1
    return out


def _load_rater(store, name: str, segments: dict[int, list]) -> _Rater:
    if name == MACHINE:
        made = store.coder_codings(MACHINE, ["pending"])
        worked = {c.document_id for c in made}
        rejected = []
    else:
        made = store.coder_codings(name, HUMAN_STATUSES)
        worked = {c.document_id for c in store.coder_codings(name, CODING_STATUSES)}
        rejected = store.coder_codings(name, ["rejected"])
    return _Rater(name, worked, _spread(made, segments), _spread(rejected, segments))


def _segments(store) -> dict[int, list[tuple[int, int, int]]]:
    out: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for v in store.segment_views():
        out[v.document_id].append((v.segment_id, v.start, v.end))
    for segs in out.values():
        segs.sort(key=lambda s: s[1])
    return out


def known_raters(store) -> list[str]:
    """Human coders with at least one decision, then the machine if it made suggestions."""
    humans = sorted({a.coder for a in store.coder_activity() if a.coder != MACHINE and a.status in HUMAN_STATUSES})
    has_machine = any(a.coder == MACHINE and a.status == "pending" for a in store.coder_activity())
    return humans + ([MACHINE] if has_machine else [])


def pair_agreement(store, rater_a: str, rater_b: str, *, codes: Iterable[str] | None = None,
                   _cache: dict | None = None) -> PairAgreement:
    """κ and α per code between two raters (a coder name or ``"machine"``)."""
    cache = _cache if _cache is not None else {}
    segments = cache.setdefault("segments", None) or _segments(store)
    cache["segments"] = segments
    raters = cache.setdefault("raters", {})
    for r in (rater_a, rater_b):
        if r not in raters:
            raters[r] = _load_rater(store, r, segments)
    a, b = raters[rater_a], raters[rater_b]
    docs = a.documents & b.documents
    units = sorted(sid for d in docs for sid, _s, _e in segments.get(d, [])
                   if a.applied.get(sid) or b.applied.get(sid))
    labels = {c.key: c.label for c in store.list_codes()}
    used = set()
    for sid in units:
        used |= (a.applied.get(sid, set()) | b.applied.get(sid, set())
                 | a.rejected.get(sid, set()) | b.rejected.get(sid, set()))
    doc_of = {sid: d for d in docs for sid, _s, _e in segments.get(d, [])}
    human = None
    if MACHINE in (rater_a, rater_b) and not (rater_a == rater_b == MACHINE):
        human = a if rater_b == MACHINE else b
        if "coverage" not in cache:
            from .coverage import coverage
            cache["coverage"] = coverage(store)
        cover = cache["coverage"].by_coder.get(human.name, {})
    wanted = [k for k in labels if k in used and (codes is None or k in set(codes))]
    out = []
    for key in wanted:
        # coder ↔ machine: a code is compared only where the coder covered it (see module doc)
        code_units = [s for s in units if doc_of[s] in cover.get(key, ())] if human is not None else units
        if not code_units:
            continue
        va = [1 if key in a.applied.get(s, ()) else 0 for s in code_units]
        vb = [1 if key in b.applied.get(s, ()) else 0 for s in code_units]
        both = sum(1 for x, y in zip(va, vb) if x and y)
        only_a = sum(1 for x, y in zip(va, vb) if x and not y)
        only_b = sum(1 for x, y in zip(va, vb) if y and not x)
        out.append(CodeAgreement(key, labels[key], len(code_units), both, only_a, only_b,
                                 len(code_units) - both - only_a - only_b, cohen_kappa(va, vb),
                                 krippendorff_alpha([va, vb])))
    out.sort(key=lambda c: (c.kappa is None, c.kappa if c.kappa is not None else 0.0, c.code))   # worst first
    return PairAgreement(rater_a, rater_b, len(docs), len(units), out)


def agreement(store, raters: Sequence[str] | None = None, *, machine: bool = False,
              codes: Iterable[str] | None = None) -> list[PairAgreement]:
    """Every pair among the human ``raters`` (default: all coders with decisions);
    with ``machine``, each of them against the machine's suggestions as well."""
    known = known_raters(store)
    humans = [r for r in (raters if raters else [k for k in known if k != MACHINE]) if r != MACHINE]
    unknown = [r for r in humans if r not in known]
    if unknown:
        raise ExporterreError(
            tr(f"Codeur sans décision dans ce projet : {', '.join(unknown)}.",
               f"Coder with no decision in this project: {', '.join(unknown)}."),
            tr(f"Codeurs connus : {', '.join(known) or 'aucun'}.", f"Known coders: {', '.join(known) or 'none'}."))
    if machine and MACHINE not in known:
        raise ExporterreError(tr("La machine n'a fait aucune suggestion dans ce projet.",
                                 "The machine made no suggestion in this project."),
                              tr("Lancez d'abord « exporterre analyse » ou « exporterre themes ».",
                                 "Run 'exporterre analyse' or 'exporterre themes' first."))
    pairs = [(humans[i], humans[j]) for i in range(len(humans)) for j in range(i + 1, len(humans))]
    if machine:
        pairs += [(h, MACHINE) for h in humans]
    if not pairs:
        raise ExporterreError(
            tr("Il faut au moins deux codeurs (ou un codeur et --machine) pour mesurer un accord.",
               "Agreement needs at least two coders (or one coder and --machine)."),
            tr(f"Codeurs connus : {', '.join(known) or 'aucun'}.", f"Known coders: {', '.join(known) or 'none'}."))
    cache: dict = {}
    with store.snapshot():
        return [pair_agreement(store, a, b, codes=codes, _cache=cache) for a, b in pairs]


def krippendorff_by_code(store, raters: Sequence[str]) -> dict[str, float | None]:
    """Krippendorff's α per code across several raters, a rater's value missing on
    documents they did not work on; units as in the module doc (any rater coded)."""
    segments = _segments(store)
    loaded = [_load_rater(store, r, segments) for r in raters]
    units = []
    for d, segs in segments.items():
        workers = [r for r in loaded if d in r.documents]
        if len(workers) < 2:
            continue
        units += [(d, sid) for sid, _s, _e in segs if any(r.applied.get(sid) for r in workers)]
    used = set().union(*(set().union(*r.applied.values()) if r.applied else set() for r in loaded))
    out = {}
    for key in [c.key for c in store.list_codes() if c.key in used]:
        data = [[(1 if key in r.applied.get(sid, ()) else 0) if d in r.documents else None for d, sid in units]
                for r in loaded]
        out[key] = krippendorff_alpha(data)
    return out
