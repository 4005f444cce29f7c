"""The review: a person accepts, rejects or edits what detection proposed; export of the result.

Only accepted candidates are applied (:func:`.apply.pseudonymised_document`).
Editing a pseudonym changes it in the key for that person (or phone…) and in
every candidate of the same entity, so the same person keeps one pseudonym.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..errors import CancelledError, ExporterreError
from ..i18n import tr
from ..outputs import atomic_write, check_output
from ..records import Progress
from ..store.pseudo import CandidateDraft, KeyFile, PseudoCandidate
from .apply import pseudonymised_document, surface_hash
from .config import lists_path, pseudo_settings
from .lexicon import fold, load_lexicon
from .patterns import CATEGORIES, PERSON
from .pseudonyms import Pseudonymiser, render


@dataclass(frozen=True)
class ReviewItem:
    candidate: PseudoCandidate
    document: str
    words: str            # document.text[start:end]
    before: str           # a few words of context
    after: str


def review_items(store, *, status: str | Iterable[str] | None = "pending", category: str | None = None,
                 document: int | str | None = None, context: int = 40) -> list[ReviewItem]:
    doc_id = store.get_document(document).id if document is not None else None
    out, texts, names = [], {}, {}
    for c in store.list_pseudo_candidates(document_id=doc_id, status=status, category=category):
        if c.document_id not in texts:
            d = store.get_document(c.document_id)
            texts[c.document_id], names[c.document_id] = d.text, d.name
        t = texts[c.document_id]
        out.append(ReviewItem(c, names[c.document_id], t[c.start:c.end],
                              " ".join(t[max(0, c.start - context):c.start].split()),
                              " ".join(t[c.end:c.end + context].split())))
    return out


def accept(store, ids: Iterable[int], *, actor: str = "human") -> int:
    return store.decide_pseudo(ids, "accepted", actor=actor)


def reject(store, ids: Iterable[int], *, actor: str = "human") -> int:
    return store.decide_pseudo(ids, "rejected", actor=actor)


def accept_all(store, category: str, *, min_score: float = 0.0, actor: str = "human") -> int:
    """Accept every pending candidate of a category (``all`` for every category) scoring at least ``min_score``."""
    if category != "all" and category not in CATEGORIES:
        raise ExporterreError(tr(f"Catégorie inconnue : « {category} ».", f"Unknown category: '{category}'."),
                              tr(f"Catégories : {', '.join(CATEGORIES)} ou all.",
                                 f"Categories: {', '.join(CATEGORIES)} or all."))
    ids = [c.id for c in store.list_pseudo_candidates(status="pending", category=None if category == "all" else category)
           if c.score >= min_score]
    return store.decide_pseudo(ids, "accepted", actor=actor)


FLAGS = {"lieu": "lieu", "place": "lieu", "public": "personnalité publique",
         "personnalité publique": "personnalité publique"}


def keep_flagged(store, which: str = "all", *, actor: str = "human") -> int:
    """Keep as they are (reject) every pending person candidate flagged ``lieu`` (a name inside a place
    name), ``public`` (a well-known public figure) or both (``all``). Returns how many."""
    if which != "all" and which not in FLAGS:
        raise ExporterreError(tr(f"Marque inconnue : « {which} ».", f"Unknown flag: '{which}'."),
                              tr("Marques : lieu, public ou all.", "Flags: lieu (place), public or all."))
    notes = set(FLAGS.values()) if which == "all" else {FLAGS[which]}
    ids = [c.id for c in store.list_pseudo_candidates(status="pending", category=PERSON) if c.note in notes]
    return store.decide_pseudo(ids, "rejected", actor=actor)


def edit_pseudonym(project, candidate_id: int, pseudonym: str, *, everywhere: bool = True) -> int:
    """Give a candidate another pseudonym (and, by default, the same person everywhere). Returns candidates changed."""
    pseudonym = " ".join(pseudonym.split())
    if not pseudonym:
        raise ExporterreError(tr("Un pseudonyme vide n'est pas possible.", "An empty pseudonym is not possible."),
                              tr("Donnez le pseudonyme voulu, par exemple « Claire ».",
                                 "Give the pseudonym you want, e.g. 'Claire'."))
    store = project.store
    cand = store.get_pseudo_candidate(candidate_id)
    if not everywhere or cand.entity_id is None:
        store.set_pseudonyms({cand.id: pseudonym})
        return 1
    with KeyFile.open(project.path) as key:
        entry = key.by_id(cand.entity_id)
        pf, pl = entry.pseudo_first, entry.pseudo_last
        if entry.category == PERSON:
            words = pseudonym.split()
            if entry.real_first and entry.real_last and len(words) >= 2:
                pf, pl = words[0], " ".join(words[1:])
            elif entry.real_first and not entry.real_last:
                pf = pseudonym
            elif entry.real_last and not entry.real_first:
                pl = pseudonym
            else:    # one word for a full name: the first name changes
                pf = pseudonym
        entry = key.set_pseudonym(entry.id, pseudonym=" ".join(p for p in (pf, pl) if p) if entry.category == PERSON
                                  else pseudonym, pseudo_first=pf, pseudo_last=pl)
    changes = {}
    texts: dict[int, str] = {}
    for c in store.list_pseudo_candidates(entity_id=entry.id):
        if entry.category != PERSON:
            changes[c.id] = entry.pseudonym
            continue
        t = texts.setdefault(c.document_id, store.get_document(c.document_id).text)
        words = {fold(w) for w in t[c.start:c.end].split()}
        has_first = bool(entry.real_first) and fold(entry.real_first.split()[0]) in words
        has_last = bool(entry.real_last) and fold(entry.real_last.split()[0]) in words
        changes[c.id] = render(entry, has_first, has_last)
    store.set_pseudonyms(changes)
    return len(changes)


def add_span(project, document: int | str, start: int, end: int, category: str = PERSON, *,
             pseudonym: str | None = None, actor: str = "human") -> PseudoCandidate:
    """Mark by hand a span detection missed (accepted at once). Persons get the pseudonym of the same name."""
    if category not in CATEGORIES:
        raise ExporterreError(tr(f"Catégorie inconnue : « {category} ».", f"Unknown category: '{category}'."),
                              tr(f"Catégories : {', '.join(CATEGORIES)}.", f"Categories: {', '.join(CATEGORIES)}."))
    store = project.store
    doc = store.get_document(document)
    if not (0 <= start < end <= len(doc.text)):
        raise ExporterreError(tr(f"Positions {start}–{end} hors du texte de « {doc.name} » ({len(doc.text)} caractères).",
                                 f"Positions {start}–{end} outside the text of '{doc.name}' ({len(doc.text)} characters)."),
                              tr("Vérifiez les positions (début < fin ≤ longueur du texte).",
                                 "Check the positions (start < end ≤ text length)."))
    words = doc.text[start:end]
    ps = pseudo_settings(project.settings)
    lexicon = load_lexicon(lists_path(ps, project.path))
    seed = project.settings.seed if ps.seed is None else ps.seed
    with KeyFile.open(project.path) as key:
        maker = Pseudonymiser(key, lexicon, seed)
        if category == PERSON:
            parts = words.split()
            first, last = parts[0], " ".join(parts[1:]) or None
            maker.avoid_real(parts)
            entry = maker.person("person:" + fold(words), words, first, last, lexicon.gender_of(first))
            value = render(entry, True, bool(last))
        else:
            entry = maker.value(category, words)
            value = entry.pseudonym
    draft = CandidateDraft(start, end, category, pseudonym or value, "human", 1.0, entry.id, surface_hash(words))
    return store.add_pseudo_candidate(doc.id, draft, actor=actor)


def text_file_name(document_name: str) -> str:
    """The file :func:`export_texts` writes for a document."""
    return document_name.replace("/", "_") + ".txt"


def export_texts(project, out_dir: str | Path, *, require_reviewed: bool = False,
                 progress: Callable[[Progress], None] | None = None,
                 cancel: threading.Event | None = None) -> list[Path]:
    """Write ``<name>.txt`` with the accepted replacements applied, for every document. Never writes the key."""
    out = Path(out_dir)
    store = project.store
    if require_reviewed and store.list_pseudo_candidates(status="pending"):
        raise ExporterreError(tr("Des détections attendent encore une décision : l'export est refusé.",
                                 "Detections are still waiting for a decision: export refused."),
                              tr("Terminez la revue (exporterre pseudo review) ou exportez sans --strict.",
                                 "Finish the review (exporterre pseudo review) or export without --strict."))
    try:
        out.resolve().relative_to((Path(project.path) / "private").resolve())
        raise ExporterreError(tr("L'export ne peut pas aller dans le dossier private/ du projet.",
                                 "The export cannot go into the project's private/ folder."),
                              tr("Choisissez un autre dossier avec --out.", "Choose another folder with --out."))
    except ValueError:
        pass
    check_output(out, kind="folder", force=True)
    out.mkdir(parents=True, exist_ok=True)
    docs = store.list_documents()
    written = []
    for i, summary in enumerate(docs):
        if cancel is not None and cancel.is_set():
            raise CancelledError(tr("Export interrompu.", "Export cancelled."),
                                 tr("Relancez-le ; les fichiers déjà écrits sont complets.",
                                    "Run it again; files already written are complete."))
        pd = pseudonymised_document(store, summary.id)
        target = atomic_write(out / text_file_name(summary.name), pd.text)
        written.append(target)
        if progress is not None:
            progress(Progress(i + 1, len(docs), summary.name))
    return written
