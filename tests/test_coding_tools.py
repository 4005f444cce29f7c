"""Word selections, accent-blind search and fuzzy code lookup (pure functions)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from exporterre_nlp.coding_tools import (PALETTE, Selection, code_paths, effective_colors, find_all, fold,
                                         fuzzy_codes, readable_on, tree_order, words)
from exporterre_nlp.records import Code

TURN = "Fatima : ben, le logement c'est cher, aujourd'hui. [rires] Voilà."
LO = TURN.index("ben")
HI = len(TURN)


def code(id, key, label, parent=None, color=None, position=None):
    return Code(id, key, label, parent, None, color, id if position is None else position, {})


CODES = [
    code(1, "besoins", "Besoins", color="#e07a5f"),
    code(2, "besoins.logement", "Logement", 1),
    code(3, "besoins.emploi", "Emploi", 1, color="#123456"),
    code(4, "preoccupations", "Préoccupations"),
    code(5, "preoccupations.securite", "Sécurité", 4),
    code(6, "preoccupations.logement_insalubre", "Logement insalubre", 4),
    code(7, "competences", "Compétences", color="#81b29a"),
    code(8, "competences.cuisine", "Cuisine", 7),
]


def test_whole_selection_trims_punctuation_and_blanks():
    sel = Selection.whole(TURN, LO, HI)
    assert TURN[sel.start:sel.end] == "ben, le logement c'est cher, aujourd'hui. [rires] Voilà"


def test_narrowing_and_widening_move_one_word_at_a_time():
    sel = Selection.whole(TURN, LO, HI)
    sel = sel.move_start(TURN, 2)
    assert TURN[sel.start:sel.end].startswith("logement c'est")
    sel = sel.move_end(TURN, -3)
    assert TURN[sel.start:sel.end] == "logement c'est cher"
    sel = sel.move_start(TURN, -1)
    assert TURN[sel.start:sel.end] == "le logement c'est cher"
    sel = sel.move_end(TURN, 1)
    assert TURN[sel.start:sel.end] == "le logement c'est cher, aujourd'hui"


def test_selection_never_becomes_empty_nor_leaves_its_segment():
    sel = Selection.whole(TURN, LO, HI)
    assert sel.move_start(TURN, 100).word_count(TURN) == 1
    assert sel.move_end(TURN, -100).word_count(TURN) == 1
    assert sel.move_start(TURN, -100) == sel
    assert sel.move_end(TURN, 100) == sel
    narrowed = sel.move_start(TURN, 100)
    assert narrowed.move_end(TURN, -1) == narrowed
    assert TURN[narrowed.start:narrowed.end] == "Voilà"


def test_selection_around_snaps_a_search_hit_to_whole_words():
    start = TURN.index("ogem")
    sel = Selection.around(TURN, LO, HI, start, start + 4)
    assert TURN[sel.start:sel.end] == "logement"


def test_selection_of_a_segment_without_words_is_the_segment():
    text = "E : ... ?"
    sel = Selection.whole(text, 4, len(text))
    assert (sel.start, sel.end) == (4, len(text))
    assert sel.move_start(text, 1) == sel


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcé' ,.-\n", min_size=1, max_size=60), st.lists(st.sampled_from(
    ["s+", "s-", "e+", "e-"]), max_size=12))
def test_selection_stays_within_segment_on_any_moves(text, moves):
    sel = Selection.whole(text, 0, len(text))
    for move in moves:
        step = 1 if move[1] == "+" else -1
        sel = sel.move_start(text, step) if move[0] == "s" else sel.move_end(text, step)
        assert 0 <= sel.start < sel.end <= len(text)
        if words(text):
            assert sel.word_count(text) >= 1


def test_fold_keeps_length_and_removes_case_and_accents():
    text = "À l’École, ÇA ŒUVRE déjà — İci"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "a l'ecole, ca œuvre deja - ici"


def test_find_all_returns_offsets_in_the_original_text():
    text = "L’école est loin. Une ECOLE de plus, l'école\nmaternelle."
    hits = find_all(text, "l'ecole")
    assert [text[a:b] for a, b in hits] == ["L’école", "l'école"]
    hits = find_all(text, "école   maternelle")
    assert [text[a:b] for a, b in hits] == ["école\nmaternelle"]
    assert find_all(text, "   ") == []
    assert len(find_all(text, "e", limit=2)) == 2


def test_fuzzy_finds_a_child_by_words_of_parent_and_child():
    found = fuzzy_codes("bes log", CODES)
    assert found[0].code.key == "besoins.logement"
    assert found[0].path == "Besoins › Logement"
    assert all(m.code.key != "besoins" for m in found)


def test_fuzzy_ignores_accents_and_matches_keys():
    assert fuzzy_codes("secu", CODES)[0].code.key == "preoccupations.securite"
    assert fuzzy_codes("préoc sécu", CODES)[0].code.key == "preoccupations.securite"
    assert fuzzy_codes("competences.cuisine", CODES)[0].code.key == "competences.cuisine"


def test_fuzzy_ranks_own_label_above_parent_label():
    keys = [m.code.key for m in fuzzy_codes("log", CODES)]
    assert keys.index("besoins.logement") < keys.index("preoccupations.logement_insalubre")
    assert "besoins" not in keys


def test_fuzzy_with_no_match_and_empty_query():
    assert fuzzy_codes("zzz", CODES) == []
    assert [m.code.id for m in fuzzy_codes("", CODES)] == [c.id for c, _ in tree_order(CODES)]
    assert len(fuzzy_codes("", CODES, limit=3)) == 3


def test_tree_order_puts_children_under_parents_with_depth():
    shuffled = [CODES[5], CODES[1], CODES[0], CODES[7], CODES[3], CODES[2], CODES[6], CODES[4]]
    order = [(c.key, d) for c, d in tree_order(shuffled)]
    assert order[:3] == [("besoins", 0), ("besoins.logement", 1), ("besoins.emploi", 1)]
    assert len(order) == len(CODES)


def test_code_paths_and_inherited_colours():
    paths = code_paths(CODES)
    assert paths[6] == "Préoccupations › Logement insalubre"
    colors = effective_colors(CODES)
    assert colors[2] == "#e07a5f"            # inherits Besoins
    assert colors[3] == "#123456"            # its own
    assert colors[5] == colors[4] and colors[4] in PALETTE   # no colour anywhere: stable palette pick
    assert effective_colors(list(reversed(CODES))) == colors


def test_readable_text_colour_on_backgrounds():
    assert readable_on("#ffffff") == "#000000"
    assert readable_on("#101010") == "#ffffff"
    assert readable_on("not a colour") == "#000000"
