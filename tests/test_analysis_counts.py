"""Contingency tables on a small store coded by hand (see tests/report_store.py)."""
from __future__ import annotations

import pytest

from exporterre_nlp.analysis import code_figures, contingency, cooccurrences, load_coded_corpus
from exporterre_nlp.errors import ExporterreError, UnknownCodeError
from report_store import add_document, build_store, code_everything, code_turn


@pytest.fixture()
def small(tmp_path):
    store, docs = build_store(tmp_path / "store.sqlite3")
    code_everything(store, docs)
    yield store, docs
    store.close()


def test_segment_counts_by_phase_use_all_non_interviewer_segments_as_denominators(small):
    store, docs = small
    table = contingency(load_coded_corpus(store), "phase")
    assert table.columns == ["1", "2", "3"]
    # phase 1: 3 relais turns (2 interviewer turns left out); phase 2: 3 notes; phase 3: 4 + 3 turns
    assert table.column_totals == [3, 3, 7]
    assert table.total == 13
    assert table.cell("besoins.garde", "3") == 3
    assert table.cell("besoins.garde", "1") == 0
    assert table.cell("competences.bricolage", "1") == 1 and table.cell("competences.bricolage", "2") == 1
    # every row total is the sum of its cells when each unit is in one column
    assert table.row_totals == [sum(r) for r in table.counts]


def test_branch_counts_a_segment_once_even_with_two_codes_below(small):
    store, docs = small
    turn = docs["habitante_baladins"][1]
    code_turn(store, turn, "besoins.logement")          # already besoins.garde
    table = contingency(load_coded_corpus(store), "phase")
    children = table.cell("besoins.garde", "3") + table.cell("besoins.logement", "3")
    assert children == 6
    # besoins itself: garde (3 units) ∪ logement (3 units, one shared) = 5 units
    assert table.cell("besoins", "3") == 5


def test_participant_counts_count_each_voice_once_per_column(small):
    store, docs = small
    table = contingency(load_coded_corpus(store), "phase", unit="participants")
    # phase 3 has two residents; field notes of phase 2 are one voice (the document)
    assert table.column_totals == [1, 1, 2]
    assert table.cell("besoins.garde", "3") == 2          # Fatima twice, Karim once -> 2 voices
    assert table.cell("competences.couture", "3") == 1


def test_interviewer_codings_are_left_out_and_counted_as_excluded(small):
    store, docs = small
    code_turn(store, docs["habitant_arlequin"][0], "preoccupations.proprete")   # an interviewer question
    corpus = load_coded_corpus(store)
    assert corpus.excluded_codings == 1
    assert contingency(corpus, "phase").cell("preoccupations.proprete", "3") == 1
    with_interviewer = load_coded_corpus(store, include_interviewer=True)
    assert contingency(with_interviewer, "phase").cell("preoccupations.proprete", "3") == 2


def test_pending_suggestions_are_excluded_by_default_and_decisions_settle_them(small):
    store, docs = small
    turn = docs["habitant_arlequin"][2]
    suggestion = code_turn(store, turn, "besoins.garde", "machine", status="pending", origin="rule:garde")
    assert contingency(load_coded_corpus(store), "phase").cell("besoins.garde", "3") == 3
    assert contingency(load_coded_corpus(store, include_pending=True), "phase").cell("besoins.garde", "3") == 4
    store.decide(suggestion.id, "alice", "reject")
    assert contingency(load_coded_corpus(store, include_pending=True), "phase").cell("besoins.garde", "3") == 3
    store.decide(suggestion.id, "alice", "accept")
    assert contingency(load_coded_corpus(store), "phase").cell("besoins.garde", "3") == 4


def test_compare_by_participant_attribute_puts_unattributed_text_last(small):
    store, docs = small
    table = contingency(load_coded_corpus(store), "genre")
    assert table.columns[-1].startswith("(")
    assert table.columns[:2] == ["F", "H"]
    assert table.column_totals == [7, 3, 3]    # R1-01 and H3-01 are F, H3-02 is H, notes have no participant


def test_codes_option_keeps_one_branch(small):
    store, _ = small
    table = contingency(load_coded_corpus(store), "lieu", codes="besoins")
    assert table.rows == ["besoins", "besoins.garde", "besoins.logement"]
    with pytest.raises(UnknownCodeError):
        contingency(load_coded_corpus(store), "phase", codes="inconnu")
    with pytest.raises(ExporterreError):
        contingency(load_coded_corpus(store), "pointure")


def test_code_figures_and_cooccurrences(small):
    store, docs = small
    code_turn(store, docs["habitant_arlequin"][1], "preoccupations.proprete")
    corpus = load_coded_corpus(store)
    fig = code_figures(corpus, "besoins.garde")
    assert (fig.segments, fig.documents, fig.participants, fig.codings) == (3, 2, 2, 3)
    assert fig.by_phase["3"] == {"segments": 3, "documents": 2, "participants": 2}
    assert fig.by_lieu == {"porte-à-porte": 2, "marché": 1}
    assert cooccurrences(corpus, "besoins.garde") == [("preoccupations.proprete", 1)]


def test_two_coders_on_the_same_segment_count_once(small):
    store, docs = small
    code_turn(store, docs["habitante_baladins"][1], "besoins.garde", coder="bruno")
    store.mark_coverage("bruno", [docs["habitante_baladins"][1].document_id], ["besoins"])
    corpus = load_coded_corpus(store)
    assert contingency(corpus, "phase").cell("besoins.garde", "3") == 3
    only_bruno = load_coded_corpus(store, coders=["bruno"])
    assert contingency(only_bruno, "phase").cell("besoins.garde", "3") == 1


def test_transcript_headers_are_not_units_but_field_notes_are(small):
    store, docs = small
    turns = add_document(store, "entretien_avec_entete", 3, "parc", [
        (None, "Entretien au parc, 3 juin, 50 galerie de l'Arlequin. Présents : E, Mme X."),
        ("E", "Vous venez souvent au parc ?"),
        ("Awa", "Tous les jours avec les enfants, il n'y a pas d'autre endroit pour eux."),
    ], participant="H3-09")
    code_turn(store, turns[0], "preoccupations.proprete")
    store.mark_coverage("alice", [turns[0].document_id], ["preoccupations"])
    corpus = load_coded_corpus(store)
    ids = {u.segment_id for u in corpus.units}
    assert turns[0].segment_id not in ids and turns[2].segment_id in ids
    assert corpus.excluded_codings == 1
    notes = docs["lieu_mosquee"]                       # field notes: every paragraph is a unit
    assert all(t.segment_id in ids for t in notes)


def test_multi_participant_cells_do_not_describe_unattributed_units(tmp_path):
    from exporterre_nlp.store import NewDocument
    from exporterre_nlp.records import SegmentDraft
    from report_store import add_codes
    from exporterre_nlp.store import Store
    store = Store.open(tmp_path / "s.sqlite3", create=True)
    add_codes(store)
    text = "Deux voisines parlent ensemble du hall et du parking le soir."
    store.add_document(NewDocument("notes_hall", 2, text, "h", "txt", attributes={
        "genre": "F;H", "participants": ["P1", "P2"], "quartier": "Géants"}),
        [SegmentDraft(0, len(text), kind="paragraph")], {})
    corpus = load_coded_corpus(store)
    unit = corpus.units[0]
    assert corpus.attribute(unit, "genre").startswith("(")
    assert corpus.attribute(unit, "quartier") == "Géants"
    store.close()
