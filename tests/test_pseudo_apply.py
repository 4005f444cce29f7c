"""pseudonymise_text and its offset map: provenance of quotes survives pseudonymisation."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from exporterre_nlp.pseudo.apply import pseudonymise_text, resolve_overlaps


def test_replacements_are_applied_and_other_words_keep_their_place():
    text = "Bonjour Samia Tahiri, appelez le 06 12 34 56 78 demain."
    new, offsets = pseudonymise_text(text, [(8, 20, "Alice Morel"), (33, 47, "06 39 98 00 01")])
    assert new == "Bonjour Alice Morel, appelez le 06 39 98 00 01 demain."
    s, e = offsets.span(text.index("demain"), text.index("demain") + 6)
    assert new[s:e] == "demain"
    s, e = offsets.span(text.index("appelez"), text.index("appelez") + 7)
    assert new[s:e] == "appelez"


def test_a_span_touching_a_replacement_covers_the_whole_pseudonym():
    text = "Bonjour Samia Tahiri, ça va ?"
    new, offsets = pseudonymise_text(text, [(8, 20, "Alice Morel")])
    s, e = offsets.span(0, 13)                      # "Bonjour Samia": cut in the name
    assert new[s:e] == "Bonjour Alice Morel"
    s, e = offsets.span(0, 8)                       # ends right where the name starts
    assert new[s:e] == "Bonjour "


def test_overlapping_replacements_keep_the_longest():
    chosen = resolve_overlaps([(0, 5, "A"), (0, 12, "B"), (10, 15, "C")])
    assert [(r.start, r.end, r.text) for r in chosen] == [(0, 12, "B")]


@st.composite
def text_and_replacements(draw):
    text = draw(st.text(alphabet="abcdé ,.'\nXYZ", min_size=1, max_size=120))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12, unique=True)))
    pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2) if cuts[i] < cuts[i + 1]]
    reps = [(s, e, draw(st.text(alphabet="QRSTé -", max_size=15))) for s, e in pairs]
    return text, reps


@settings(max_examples=300, deadline=None)
@given(text_and_replacements(), st.data())
def test_any_span_not_overlapping_a_replacement_maps_to_the_same_words(case, data):
    text, reps = case
    new, offsets = pseudonymise_text(text, reps)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    s, e = offsets.span(start, end)
    assert 0 <= s <= e <= len(new)
    if not any(rs < end and start < re_ for rs, re_, _ in reps):
        assert new[s:e] == text[start:end]
    else:
        # a touched pseudonym is inside the mapped span, whole
        for rs, re_, value in reps:
            if rs < end and start < re_ and rs < re_:
                ns, ne = offsets.span(rs, re_)
                assert s <= ns and ne <= e and new[ns:ne] == value


@settings(max_examples=200, deadline=None)
@given(text_and_replacements())
def test_text_outside_replacements_is_unchanged_in_order(case):
    text, reps = case
    new, offsets = pseudonymise_text(text, reps)
    kept = []
    cursor = 0
    for rs, re_, _ in sorted(reps):
        kept.append(text[cursor:rs])
        cursor = re_
    kept.append(text[cursor:])
    pos = 0
    for piece in kept:
        found = new.find(piece, pos)
        assert found >= 0
        pos = found + len(piece)
