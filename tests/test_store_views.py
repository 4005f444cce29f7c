"""The read views of the coding screens (store/views.py), on a small real store."""
from __future__ import annotations

import hashlib

import pytest

from exporterre_nlp.records import SegmentDraft
from exporterre_nlp.store import NewDocument, Store, SuggestionDraft

TURNS = [
    ("Enquêtrice", "Vous habitez ici depuis longtemps ?"),
    ("Fatima", "Oui, depuis vingt ans. Le logement c'est cher, ben voilà."),
    ("Enquêtrice", "Et l'école des enfants ?"),
    ("Fatima", "L’École est bien, mais la sécurité le soir, non."),
]


def build_text(turns):
    text, segments = "", []
    for speaker, words in turns:
        prefix = f"{speaker} : "
        start = len(text) + len(prefix)
        text += prefix + words + "\n"
        segments.append(SegmentDraft(start, start + len(words), speaker))
    return text, segments


def add_doc(store: Store, name: str, phase: int, turns=TURNS):
    text, segments = build_text(turns)
    doc = NewDocument(name=name, phase=phase, text=text, content_hash=hashlib.sha256(text.encode()).hexdigest(),
                      format="txt", lieu="Arlequin", participant=f"P-{name}")
    return store.add_document(doc, segments, {"Enquêtrice": "interviewer", "Fatima": "resident"})


@pytest.fixture()
def store(tmp_path):
    s = Store.open(tmp_path, create=True)
    s.add_code("besoins", "Besoins", color="#e07a5f")
    s.add_code("besoins.logement", "Logement", parent="besoins")
    s.add_code("preoccupations", "Préoccupations")
    s.add_code("preoccupations.securite", "Sécurité", parent="preoccupations", color="#123456")
    yield s
    s.close()


def span(doc, words):
    start = doc.text.index(words)
    return start, start + len(words)


def suggest(store, doc, words, key, origin="rule:r1", category="besoin", score=0.8):
    a, b = span(doc, words)
    return store.sync_suggestions(origin.split(":")[0] + ":", [SuggestionDraft(
        doc.id, a, b, key, origin, score, details={"category": category, "words": [words]})],
        document_ids=[doc.id]).ids[0]


def test_document_progress_counts_coded_segments_codings_and_pending_per_coder(store):
    d1 = add_doc(store, "entretien_a", 3)
    add_doc(store, "entretien_b", 1)
    store.add_coding(d1.id, *span(d1, "Le logement c'est cher"), "besoins.logement", "amina")
    store.add_coding(d1.id, *span(d1, "logement"), "besoins", "amina")
    store.add_coding(d1.id, *span(d1, "la sécurité le soir"), "preoccupations.securite", "karim")
    sid = suggest(store, d1, "sécurité", "preoccupations.securite")
    store.decide(sid, "karim", "reject")
    rows = {p.name: p for p in store.document_progress(["amina", "karim"])}
    a = rows["entretien_a"]
    assert (a.phase, a.lieu, a.participant, a.segments) == (3, "Arlequin", "P-entretien_a", 4)
    assert a.words == len(d1.text.split())
    assert a.coded_segments == {"amina": 1, "karim": 1}
    assert a.codings == {"amina": 2, "karim": 1}
    assert a.pending == {"amina": 1}               # karim decided (rejected) it
    assert a.share("amina") == pytest.approx(0.25) and a.status("amina") == "started"
    assert rows["entretien_b"].status("amina") == "todo"
    assert [p.name for p in store.document_progress([])] == ["entretien_b", "entretien_a"]  # phase order


def test_coding_marks_carry_label_path_and_inherited_colour(store):
    doc = add_doc(store, "entretien_a", 3)
    mine = store.add_coding(doc.id, *span(doc, "Le logement"), "besoins.logement", "amina")
    store.add_coding(doc.id, *span(doc, "sécurité"), "preoccupations.securite", "karim")
    suggest(store, doc, "vingt ans", "besoins")
    marks = store.coding_marks(doc.id, ["amina"])
    assert len(marks) == 1
    m = marks[0]
    assert (m.id, m.label, m.path, m.color, m.coder) == (mine.id, "Logement", "Besoins › Logement", "#e07a5f", "amina")
    assert doc.text[m.start:m.end] == "Le logement"
    assert m.segment_id is not None
    both = store.coding_marks(doc.id, ["amina", "karim"])
    assert [x.coder for x in both] == ["amina", "karim"]          # by start
    assert store.coding_marks(doc.id, []) == []
    pending = store.coding_marks(doc.id, ["machine"], statuses=["pending"])
    assert [doc.text[x.start:x.end] for x in pending] == ["vingt ans"]


def test_search_document_is_blind_to_accents_and_case(store):
    doc = add_doc(store, "entretien_a", 3)
    hits = store.search_document(doc.id, "l'ecole")
    assert [doc.text[a:b] for a, b in hits] == ["l'école", "L’École"]
    with pytest.raises(Exception):
        store.search_document(9999, "x")


def test_suggestion_queue_matches_pending_for_and_carries_evidence(store):
    d1 = add_doc(store, "entretien_a", 3)
    d2 = add_doc(store, "entretien_b", 1)
    s1 = suggest(store, d1, "Le logement c'est cher", "besoins.logement")
    store.sync_suggestions("topic:", [SuggestionDraft(d2.id, *span(d2, "la sécurité le soir"),
                                                      "preoccupations.securite", "topic:3", 0.42,
                                                      details={"words": ["sécurité", "soir"]})])
    queue = store.suggestion_queue("amina")
    assert [q.id for q in queue] == [c.id for c in store.pending_for("amina")]
    item = next(q for q in queue if q.id == s1)
    assert (item.document, item.phase, item.category, item.path) == ("entretien_a", 3, "besoin", "Besoins › Logement")
    assert item.text == "Le logement c'est cher" and item.details["words"] == ["Le logement c'est cher"]
    assert [q.origin for q in store.suggestion_queue("amina", origin_prefix="topic")] == ["topic:3"]
    assert [q.id for q in store.suggestion_queue("amina", category="besoin")] == [s1]
    assert [q.id for q in store.suggestion_queue("amina", phases=[3])] == [s1]
    assert store.suggestion_queue("amina", code_ids=[]) == []
    store.decide(s1, "amina", "accept")
    assert [q.origin for q in store.suggestion_queue("amina")] == ["topic:3"]
    assert len(store.suggestion_queue("karim")) == 2


def test_suggestion_facets_list_what_the_queue_holds(store):
    d1 = add_doc(store, "entretien_a", 3)
    suggest(store, d1, "Le logement", "besoins.logement", category="besoin")
    store.sync_suggestions("topic:", [SuggestionDraft(d1.id, *span(d1, "sécurité"), "preoccupations.securite",
                                                      "topic:1", 0.3)])
    f = store.suggestion_facets("amina")
    assert f.categories == ["besoin"]
    assert f.origins == ["rule", "topic"]
    assert [p for _, p in f.codes] == ["Besoins › Logement", "Préoccupations › Sécurité"]
    assert f.phases == [3]


def test_passage_gives_the_turn_and_its_neighbours(store):
    doc = add_doc(store, "entretien_a", 3)
    a, b = span(doc, "Le logement")
    p = store.passage(doc.id, a, b)
    assert [t.speaker for t in p.turns] == ["Enquêtrice", "Fatima", "Enquêtrice"]
    middle = p.turns[1]
    assert middle.text[a - middle.start:b - middle.start] == "Le logement"
    assert middle.role == "resident"
    first = store.passage(doc.id, 0, 3, around=1)
    assert len(first.turns) == 2


def test_recent_codes_and_counts_by_coder(store):
    doc = add_doc(store, "entretien_a", 3)
    store.add_coding(doc.id, *span(doc, "Le logement"), "besoins.logement", "amina")
    store.add_coding(doc.id, *span(doc, "sécurité"), "preoccupations.securite", "amina")
    store.add_coding(doc.id, *span(doc, "vingt ans"), "besoins.logement", "karim")
    logement = store.get_code("besoins.logement").id
    securite = store.get_code("preoccupations.securite").id
    assert store.recent_codes("amina") == [securite, logement]
    assert store.recent_codes("amina", limit=1) == [securite]
    assert store.code_counts_by("amina") == {logement: 1, securite: 1}
    assert store.human_coders() == ["amina", "karim"]


def test_memo_counts_per_segment(store):
    doc = add_doc(store, "entretien_a", 3)
    segs = store.list_segments(doc.id)
    store.add_memo("segment", segs[1].id, "amina", "à recouper")
    store.add_memo("segment", segs[1].id, "karim", "oui")
    store.add_memo("document", doc.id, "amina", "bon entretien")
    assert store.memo_counts(doc.id) == {segs[1].id: 2}
