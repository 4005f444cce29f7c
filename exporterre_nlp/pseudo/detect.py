"""``exporterre pseudo detect``: find personal data, link people, propose pseudonyms.

1. Per document: patterns over the whole text (phones, e-mails, NIR, addresses),
   people from the French model's entities over every segment (interviewer turns
   included, through the NLP parse cache), the first-name lists, titles
   ("Mme Bouzid") and speaker labels that are names (:mod:`.mentions`).
   Also the spoken forms (:mod:`.forms`): "la mère Luc", "chez Luc", "les Bensaïd",
   names spelled letter by letter; a name inside a place expression is flagged ``lieu``,
   a well-known public figure ``personnalité publique``.
2. Propagation: every name found in the project (and every person of the key file with an
   accepted candidate: the key is the project's gazetteer) is searched in every document;
   its other occurrences (capitalised, all capitals, after "d'") are proposed too.
3. Linking: a full name ("Samia Tahiri") is one person; a bare first name in the
   same document ("Samia", the speaker label "Samia") is that person; a bare
   surname ("Mme Tahiri") links to the full name in the document, else to the
   only full name of the project with that surname; other bare first names are
   one entity per name across the project.
4. Pseudonyms from the key file (:class:`~exporterre_nlp.store.pseudo.KeyFile`),
   created in key order when new (:mod:`.pseudonyms`).
5. Candidates stored as *pending* (``Store.sync_pseudo_candidates``): decisions
   already taken are kept.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from itertools import repeat
from typing import Callable

from ..errors import CancelledError
from ..i18n import tr
from ..records import Progress
from ..store.pseudo import CandidateDraft, KeyFile
from .apply import surface_hash
from .config import PseudoSettings, lists_path, pseudo_settings
from .forms import PLACE, address_mentions, flag, name_variants, propagate, spelled_mentions
from .lexicon import Lexicon, fold, load_lexicon
from .mentions import (Mention, gazetteer_mentions, merge, ner_mentions, protected_spans, speaker_mentions,
                       speaker_name, title_mentions)
from .patterns import EMAIL, PERSON, find_all
from .pseudonyms import Pseudonymiser, render


@dataclass(frozen=True)
class DetectResult:
    documents: int
    candidates: int
    by_category: dict[str, int]
    by_detector: dict[str, int]
    added: int
    updated: int
    kept: int
    removed: int
    persons: int
    seconds: float
    ner: bool


@dataclass
class _DocFindings:
    document_id: int
    text: str
    persons: list[Mention] = field(default_factory=list)
    others: list = field(default_factory=list)       # patterns.Match


def _cancelled() -> CancelledError:
    return CancelledError(tr("Détection interrompue : rien n'a été enregistré.", "Detection cancelled: nothing was saved."),
                          tr("Relancez « exporterre pseudo detect » quand vous voulez.",
                             "Run 'exporterre pseudo detect' again whenever you like."))


def _speaker_names(store, document_id: int, lexicon: Lexicon, interviewer_labels) -> dict[str, str | None]:
    participants = {p.id: p for p in store.list_participants()}
    names: dict[str, str | None] = {}
    for sp in store.list_speakers(document_id):
        for label in sp.label.split("+"):         # "A+B": a turn of several speakers
            found = speaker_name(label, lexicon, interviewer_labels)
            if found is None:
                continue
            name, gender = found
            part = participants.get(sp.participant_id) if sp.participant_id and "+" not in sp.label else None
            genre = str((part.attributes or {}).get("genre") or "").upper()[:1] if part else ""
            gender = gender or {"F": "F", "H": "M", "M": "M"}.get(genre)
            names[name] = gender
    return names


def find_in_document(text: str, lexicon: Lexicon, *, parsed=(), speaker_names=None,
                     categories=("person", "phone", "email", "nir", "address")) -> tuple[list[Mention], list]:
    """People and contact details of one text. ``parsed``: ``(offset, spaCy Doc)`` pairs of its segments."""
    others = [m for m in find_all(text) if m.category in categories]
    if PERSON not in categories:
        return [], others
    protected = protected_spans(text, lexicon)
    busy = [(m.start, m.end) for m in others]       # a name inside an e-mail is the e-mail's business
    found: list[Mention] = []
    for offset, doc in parsed:
        found += ner_mentions(doc, offset, text, lexicon, protected)
    found += title_mentions(text, lexicon, protected)
    found += gazetteer_mentions(text, lexicon, protected)
    found += speaker_mentions(text, speaker_names or {}, lexicon, protected)
    found += address_mentions(text, lexicon, protected)
    found += spelled_mentions(text, lexicon)
    found = [m for m in found if not any(s < m.end and m.start < e for s, e in busy)]
    return flag(merge(found), text, lexicon), others


def _project_names(findings: list[_DocFindings], key_names: dict[str, Mention], lexicon: Lexicon) -> dict[str, Mention]:
    """The project's gazetteer: folded surface → a mention naming it (found now, or accepted before)."""
    names: dict[str, Mention] = dict(key_names)
    for f in findings:
        for m in f.persons:
            if m.note == PLACE or m.detector == "propagated":
                continue
            surface = f.text[m.start:m.end]
            if fold(surface) in lexicon.ambiguous and m.score < 0.85:
                continue            # "Rose" found by a list only: not enough to look for it everywhere
            for key, variant in name_variants(m, surface, lexicon).items():
                names.setdefault(key, variant)
    return names


def _accepted_names(store, key_file: KeyFile, lexicon: Lexicon) -> dict[str, Mention]:
    """People of the key file with at least one accepted candidate in the project."""
    accepted = {c.entity_id for c in store.list_pseudo_candidates(status="accepted", category=PERSON)
                if c.entity_id is not None}
    out: dict[str, Mention] = {}
    for entry in key_file.entries(PERSON):
        if entry.id not in accepted:
            continue
        m = Mention(0, 0, entry.real_first, entry.real_last, None, "known", 0.95)
        surface = " ".join(p for p in (entry.real_first, entry.real_last) if p)
        out.update(name_variants(m, surface, lexicon))
    return out


def _person_keys(findings: list[_DocFindings], lexicon: Lexicon) -> dict[tuple[int, int, int], tuple]:
    """(document, start, end) → (key, real, first, last, gender) of the person each mention names."""
    full_by_doc: dict[int, dict[str, list[str]]] = {}
    full_by_last: dict[str, set[str]] = {}
    genders: dict[str, list[str]] = {}
    for f in findings:
        for m in f.persons:
            if m.first and m.last:
                key = "person:" + fold(f"{m.first} {m.last}")
                full_by_doc.setdefault(f.document_id, {}).setdefault("first:" + fold(m.first), []).append(key)
                full_by_doc[f.document_id].setdefault("last:" + fold(m.last), []).append(key)
                full_by_last.setdefault(fold(m.last), set()).add(key)
    out = {}
    info: dict[str, tuple[str, str | None, str | None]] = {}
    for f in findings:
        local = full_by_doc.get(f.document_id, {})
        for m in f.persons:
            if m.first and m.last:
                key = "person:" + fold(f"{m.first} {m.last}")
                info.setdefault(key, (f"{m.first} {m.last}", m.first, m.last))
            elif m.first:
                keys = set(local.get("first:" + fold(m.first), []))
                if len(keys) == 1:
                    key = keys.pop()
                else:
                    key = "person:" + fold(m.first)
                    info.setdefault(key, (m.first, m.first, None))
            else:
                keys = set(local.get("last:" + fold(m.last), [])) or full_by_last.get(fold(m.last), set())
                if len(keys) == 1:
                    key = next(iter(keys))
                else:
                    key = "person:~" + fold(m.last)
                    info.setdefault(key, (m.last, None, m.last))
            gender = m.gender or (lexicon.gender_of(m.first) if m.first else None)
            if gender:
                genders.setdefault(key, []).append(gender)
            out[(f.document_id, m.start, m.end)] = key
    final = {}
    for place, key in out.items():
        real, first, last = info[key]
        votes = genders.get(key, [])
        gender = max(("F", "M"), key=votes.count) if votes and votes.count("F") != votes.count("M") else None
        final[place] = (key, real, first, last, gender)
    return final


def _email_person(address: str, doc_persons: list[tuple[str, str | None, str | None]]) -> str | None:
    """The person of the document whose names the e-mail's local part holds (both names first)."""
    parts = {p for p in re.split(r"[._\-+\d]+", fold(address.split("@")[0])) if p}
    best, best_n = None, 0
    for key, first, last in doc_persons:
        n = sum(1 for w in (first, last) if w and fold(w) in parts)
        if n > best_n:
            best, best_n = key, n
    return best


def _parsed_documents(project, ps: PseudoSettings, summaries, progress, cancel):
    """``[(offset, Doc)]`` for each of ``summaries`` in turn (empty for a document without segments), one
    document at a time: the detection keeps only the current document's parses in memory (holding every
    parse of the project made its memory grow with the corpus: 2.9 GB at 3 million words)."""
    from itertools import groupby

    from ..nlp.analyse import parsed_units
    order = {d.id: i for i, d in enumerate(summaries)}
    segments = sorted(project.store.segment_views(document_ids=list(order)),
                      key=lambda s: (order[s.document_id], s.start))
    stream = parsed_units(project, segments, model=ps.model, profile="full", progress=progress, cancel=cancel)
    groups = groupby(stream, key=lambda pair: pair[0].document_id)
    group = next(groups, None)
    for summary in summaries:
        if group is not None and group[0] == summary.id:
            yield [(seg.start, doc) for seg, doc in group[1]]
            group = next(groups, None)
        else:
            yield []


def detect(project, *, document_ids=None, use_ner: bool | None = None,
           progress: Callable[[Progress], None] | None = None,
           cancel: threading.Event | None = None) -> DetectResult:
    """Detect personal data in the project and store pending candidates (see the module docstring)."""
    t0 = time.perf_counter()
    ps: PseudoSettings = pseudo_settings(project.settings)
    lexicon = load_lexicon(lists_path(ps, project.path))
    seed = project.settings.seed if ps.seed is None else ps.seed
    ner = ps.use_ner if use_ner is None else use_ner
    store = project.store
    summaries = [d for d in store.list_documents() if document_ids is None or d.id in set(document_ids)]
    parsing = ner and PERSON in ps.categories
    parses = _parsed_documents(project, ps, summaries, progress, cancel) if parsing else repeat(())
    interviewer_labels = project.settings.ingest.interviewer_labels
    findings: list[_DocFindings] = []
    for i, (summary, parsed) in enumerate(zip(summaries, parses)):
        if cancel is not None and cancel.is_set():
            raise _cancelled()
        text = store.get_document(summary.id).text
        names = _speaker_names(store, summary.id, lexicon, interviewer_labels)
        persons, others = find_in_document(text, lexicon, parsed=parsed, speaker_names=names,
                                           categories=ps.categories)
        del parsed                      # this document's parses are no longer needed
        findings.append(_DocFindings(summary.id, text, persons, others))
        if progress is not None and not parsing:          # when parsing, the parse reports progress
            progress(Progress(i + 1, len(summaries), summary.name))

    if PERSON in ps.categories:
        with KeyFile.open(project.path) as key_file:
            gazetteer = _project_names(findings, _accepted_names(store, key_file, lexicon), lexicon)
        for f in findings:
            protected = protected_spans(f.text, lexicon)
            busy = f.persons + [Mention(o.start, o.end, None, None, None, "", 0) for o in f.others]
            extra = propagate(f.text, gazetteer, lexicon, protected, busy)
            if extra:
                f.persons = flag(merge(f.persons + extra), f.text, lexicon)

    keys = _person_keys(findings, lexicon)
    with KeyFile.open(project.path) as key_file:
        pseudo = Pseudonymiser(key_file, lexicon, seed)
        pseudo.avoid_real(w for (_, _, first, last, _) in keys.values() for w in ((first or "").split()
                                                                                 + (last or "").split()))
        entries = {}
        for key, real, first, last, gender in sorted(set(keys.values())):
            entries[key] = pseudo.person(key, real, first, last, gender)
        all_drafts: dict[int, list[CandidateDraft]] = {}
        counts: dict[str, int] = {}
        detectors: dict[str, int] = {}
        for f in findings:
            drafts = []
            doc_persons = []
            for m in f.persons:
                key = keys[(f.document_id, m.start, m.end)][0]
                entry = entries[key]
                doc_persons.append((key, entry.real_first, entry.real_last))
                if m.score < ps.min_score:
                    continue
                drafts.append(CandidateDraft(m.start, m.end, PERSON, render(entry, bool(m.first), bool(m.last)),
                                             m.detector, m.score, entry.id, surface_hash(f.text[m.start:m.end]),
                                             m.note or None))
            for m in sorted(f.others, key=lambda m: (m.category, m.start)):
                if m.score < ps.min_score:
                    continue
                real = f.text[m.start:m.end]
                person = None
                if m.category == EMAIL:
                    pk = _email_person(real, doc_persons)
                    person = entries.get(pk) if pk else None
                entry = pseudo.value(m.category, real, person)
                drafts.append(CandidateDraft(m.start, m.end, m.category, entry.pseudonym, m.detector, m.score,
                                             entry.id, surface_hash(real), m.note or None))
            for d in drafts:
                counts[d.category] = counts.get(d.category, 0) + 1
                detectors[d.detector] = detectors.get(d.detector, 0) + 1
            all_drafts[f.document_id] = sorted(drafts, key=lambda d: (d.start, d.end))
    if cancel is not None and cancel.is_set():
        raise _cancelled()
    added = updated = kept = removed = 0
    for document_id, drafts in all_drafts.items():
        sync = store.sync_pseudo_candidates(document_id, drafts)
        added, updated, kept, removed = (added + sync.added, updated + sync.updated, kept + sync.kept,
                                         removed + sync.removed)
    return DetectResult(len(summaries), sum(counts.values()), counts, detectors, added, updated, kept, removed,
                        len(entries), round(time.perf_counter() - t0, 2), ner)
