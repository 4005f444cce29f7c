"""The headless coding session the terminal UI calls: typed results, blind mode, one coder."""
from __future__ import annotations

import sys
from pathlib import Path

from exporterre_nlp.coding_session import CodingSession
from exporterre_nlp.store import Store

sys.path.insert(0, str(Path(__file__).parent / "tui"))
from tui_helpers import add_theme_run, make_project  # noqa: E402


def test_coding_session_codes_once_says_so_decides_and_undoes(tmp_path):
    store = Store.open(make_project(tmp_path / "p"))
    try:
        doc = store.get_document("habitante_arlequin")
        start = doc.text.index("Le logement")
        logement = store.get_code("besoins.logement").id
        amina = CodingSession(store, "amina")
        first = amina.code(doc.id, start, start + 11, logement)
        again = amina.code(doc.id, start, start + 11, logement)
        assert first.created and not again.created
        assert again.coding.id == first.coding.id
        shown = amina.marks(doc.id)
        assert [(m.start, m.end, m.code_id) for m in shown.marks] == [(start, start + 11, logement)]
        assert shown.recent == [logement]
        [suggestion, *_] = store.suggestion_queue("amina")
        assert amina.decide(suggestion.id, "reject").status == "rejected"
        assert amina.undo().action == "coding.add"
        assert [c.id for c in store.suggestion_queue("amina")][0] == suggestion.id
        CodingSession(store, "karim").code(doc.id, start, start + 11, logement)
        assert amina.other_coders() == ["karim"]
        assert CodingSession(store, "amina", blind=True).other_coders() == []
    finally:
        store.close()


def test_coding_session_reads_what_the_screens_show_and_blind_mode_hides_the_others(tmp_path):
    store = Store.open(make_project(tmp_path / "p"))
    try:
        doc = store.get_document("habitante_arlequin")
        logement = store.get_code("besoins.logement").id
        start = doc.text.index("Le logement")
        amina, karim = CodingSession(store, "amina"), CodingSession(store, "karim")
        amina.code(doc.id, start, start + 11, logement)
        karim.code(doc.id, start, start + 11, logement)
        karim.code(doc.id, start, start + 2, logement)
        karim.add_memo("document", doc.id, "Entretien tendu.")
        # the corpus list: my progress and the others', none of theirs in blind mode
        corpus = amina.corpus()
        assert corpus.others == ["karim"] and {r.name for r in corpus.rows} >= {"habitante_arlequin"}
        blind = CodingSession(store, "amina", blind=True)
        assert blind.corpus().others == []
        # the reader's first paint and what comes around it
        shown = amina.reader_text(doc.id)
        assert shown.document.id == doc.id and len(shown.segments) == 8
        assert [(m.start, m.coder) for m in shown.marks] == [(start, "amina")]
        assert [m.coder for m in amina.coding_marks(doc.id, "karim")] == ["karim", "karim"]
        assert blind.coding_marks(doc.id, "karim") == []
        extras = amina.reader_extras(doc.id)
        assert len(extras.pending) == 4 and extras.recent == [logement]
        assert amina.search(doc.id, "SECURITE") == [(doc.text.index("sécurité"),
                                                    doc.text.index("sécurité") + len("sécurité"))]
        # memos: everyone's, only mine in blind mode
        assert [m.text for m in amina.memos("document", doc.id)] == ["Entretien tendu."]
        assert blind.memos("document", doc.id) == []
        # counts: in blind mode the coded counts are mine only; what a deletion carries stays whole
        assert amina.code_counts().coded[logement] == 3 and amina.code_counts().mine[logement] == 1
        counts = blind.code_counts()
        assert counts.coded[logement] == 1 and counts.carried[logement] == 4      # + the machine's suggestion
        # the queue, filtered as the filter dialog does, and its passage
        [rule] = amina.queue(origin="rule", code_id=logement)
        assert amina.passage(rule.document_id, rule.start, rule.end).document == "habitante_arlequin"
        assert "rule" in amina.facets().origins and amina.queue(origin="topic", code_id=logement) == []
    finally:
        store.close()


def test_coding_session_edits_the_codebook_coverage_and_marks_read(tmp_path):
    store = Store.open(make_project(tmp_path / "p"))
    try:
        amina = CodingSession(store, "amina")
        besoins = store.get_code("besoins").id
        garde = amina.add_code("besoins.garde", "Garde d'enfants", parent=besoins)
        assert amina.update_code(garde.id, label="Garde").label == "Garde"
        local = store.get_code("besoins.local").id
        assert amina.merge_codes(garde.id, local) == 0
        assert "besoins.garde" not in {c.key for c in amina.codes()}
        assert amina.undo().entity == "code"                  # the merge is one undoable action of amina
        assert amina.delete_code(store.get_code("besoins.garde").id) == 0
        doc = store.get_document("centre_social")
        assert amina.coverage_choice(doc.id).marked == set()
        change = amina.set_coverage(doc.id, {"besoins", "competences"})
        assert (change.added, change.removed) == (2, 0)
        change = amina.set_coverage(doc.id, {"competences"})
        assert (change.added, change.removed) == (0, 1)
        assert amina.coverage_choice(doc.id).marked == {"competences"}
        assert amina.mark_read([s.id for s in amina.segments(doc.id)][:2]) == 2
    finally:
        store.close()


def test_coding_session_theme_links_list_every_theme_and_decide_for_the_whole_theme(tmp_path):
    store = Store.open(make_project(tmp_path / "p"))
    try:
        amina = CodingSession(store, "amina")
        assert amina.theme_links().run is None and amina.theme_links().rows == []
        run_id = add_theme_run(store)
        links = amina.theme_links()
        assert links.run.id == run_id and links.backend == "e5" and links.to_decide == 3
        assert [(r.theme, r.code_key, r.suggested) for r in links.rows] == [
            (0, "besoins.logement", True), (0, "besoins.local", True), (1, "competences.cuisine", True),
            (2, None, False)]
        assert links.rows[0].shared_words == ("logement", "mutation") and links.rows[0].words[:2] == ("logement",
                                                                                                      "petit")
        cuisine = store.get_code("competences.cuisine").id
        # a link decided on a code the crosswalk scored but did not suggest is listed with its decision
        amina.decide_theme_link(run_id, 0, cuisine, False)
        karim = CodingSession(store, "karim", blind=True)
        karim.decide_theme_link(run_id, 0, store.get_code("besoins.logement").id, True)
        rows = {(r.theme, r.code_key): r for r in CodingSession(store, "amina", blind=True).theme_links().rows}
        assert (rows[(0, "competences.cuisine")].status, rows[(0, "competences.cuisine")].score) == ("rejected", 0.02)
        # one decision per theme and code for the team, shown with who made it, even in blind mode
        assert (rows[(0, "besoins.logement")].status, rows[(0, "besoins.logement")].decided_by) == ("accepted",
                                                                                                     "karim")
        assert amina.theme_quotes(run_id, 0)[0].text == "Le logement c'est trop petit"
        assert store.list_codings(coder="karim") == []                # a link is never a coding
    finally:
        store.close()
