"""The headless coding session the terminal UI calls: typed results, blind mode, one coder."""
from __future__ import annotations

import sys
from pathlib import Path

from exporterre_nlp.coding_session import CodingSession
from exporterre_nlp.store import Store

sys.path.insert(0, str(Path(__file__).parent / "tui"))
from tui_helpers import make_project  # noqa: E402


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
