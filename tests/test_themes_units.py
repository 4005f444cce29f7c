"""Units of analysis: resident speech only, exact offsets, turns and windows."""
from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from exporterre_nlp import SegmentDraft, Settings, Store
from exporterre_nlp.store import NewDocument
from exporterre_nlp.themes.units import build_units, input_hash, load_units, windows

TURNS = [
    ("E", "Bonjour, est-ce que vous pouvez me parler de votre quartier et de ce que vous y faites ?"),
    ("Fatima", "Oui."),
    ("Fatima", "Alors moi j'habite à l'Arlequin depuis vingt ans, euh, je fais de la couture pour les voisines, "
               "des ourlets, des robes pour les mariages, et le samedi je vends au marché."),
    ("E", "Et qu'est-ce qui vous manque ?"),
    ("Fatima", " ".join(["Le bus ne passe plus le soir, on attend une heure à l'arrêt du tram."] * 30)),
]


def _store(tmp_path) -> Store:
    store = Store.open(tmp_path / "store.sqlite3", create=True)
    text, segs = "", []
    for speaker, words in TURNS:
        label = f"{speaker} : "
        text += label
        segs.append(SegmentDraft(len(text), len(text) + len(words), speaker))
        text += words + "\n"
    store.add_document(NewDocument(name="entretien", phase=3, text=text, format="txt", lieu="Arlequin",
                                   content_hash=hashlib.sha256(text.encode()).hexdigest()),
                       segs, {"E": "interviewer", "Fatima": "resident"})
    return store


def test_units_exclude_interviewer_and_short_turns(tmp_path):
    store = _store(tmp_path)
    units = load_units(store, Settings().themes)
    assert units, "resident turns must give units"
    assert all(u.role == "resident" and u.speaker == "Fatima" for u in units)
    assert not any(u.text == "Oui." for u in units)


def test_unit_offsets_give_the_words_back(tmp_path):
    store = _store(tmp_path)
    doc = store.get_document("entretien")
    for unit in load_units(store, replace(Settings().themes, unit="window", window_words=25)):
        assert doc.text[unit.start:unit.end] == unit.text
        assert unit.text == unit.text.strip()


def test_long_turn_is_cut_into_windows_at_sentence_ends(tmp_path):
    store = _store(tmp_path)
    units = load_units(store, replace(Settings().themes, window_words=60))
    long_units = [u for u in units if "bus" in u.text]
    assert len(long_units) > 1
    for u in long_units:
        assert u.text.endswith("tram.")
        assert len(u.text.split()) <= 60 * 1.5 + 1


def test_window_sizes_stay_near_the_setting():
    text = " ".join(f"mot{i}" for i in range(1000))        # no sentence end at all
    spans = windows(text, 100)
    sizes = [len(text[s:e].split()) for s, e in spans]
    assert sum(sizes) == 1000
    assert all(50 <= n <= 150 for n in sizes)


def test_interviewer_included_when_asked(tmp_path):
    store = _store(tmp_path)
    settings = replace(Settings().themes, include_roles=["resident", "interviewer"])
    assert any(u.role == "interviewer" for u in load_units(store, settings))


def test_input_hash_changes_with_the_units(tmp_path):
    store = _store(tmp_path)
    units = load_units(store, Settings().themes)
    assert input_hash(units) == input_hash(load_units(store, Settings().themes))
    assert input_hash(units) != input_hash(units[1:])


def test_unknown_unit_is_an_actionable_error(tmp_path):
    from exporterre_nlp.errors import ExporterreError
    with pytest.raises(ExporterreError, match="turn"):
        build_units([], replace(Settings().themes, unit="paragraphe"))
