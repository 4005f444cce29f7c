"""Property tests: offsets always give the words back, text always normalised."""
from __future__ import annotations

import codecs
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporterre_nlp.ingest import decode_bytes, find_segments, normalise_text, read_file
from exporterre_nlp.ingest.speakers import split_label
from exporterre_nlp.settings import IngestSettings

WORD_PIECES = ["bonjour", "euh", "e\u0301te\u0301", "\u00a0", "😀", "’", "œ", "ça", " ", "l'été",
               "[rires]", "(inaudible)", "voilà", "\ufeff", "c'est-à-dire", "3\u00a0€", "…", "Ça",
               "ben", "quoi", "\t"]
LABELS = ["E", "Fatima", "Enquêtrice", "H1", "Mme Diallo"]
ENDINGS = ["\n", "\r\n", "\r"]
FORMS = ["{label} : ", "{label}: ", "{label}\u00a0: ", "[00:01:02] {label} : ", "**{label}** : ",
         "{label} — "]

turn = st.tuples(
    st.sampled_from(LABELS),
    st.sampled_from(FORMS),
    st.lists(st.sampled_from(WORD_PIECES), min_size=1, max_size=8),
    st.sampled_from(ENDINGS),
    st.booleans(),            # a blank line after the turn
)


def _has_words(pieces):
    return bool(normalise_text("".join(pieces)).strip())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(turns=st.lists(turn, min_size=1, max_size=8).filter(
    lambda ts: all(_has_words(t[2]) for t in ts)), bom=st.booleans())
def test_turn_offsets_give_normalised_words(tmp_path_factory, turns, bom):
    # The first turn is the interviewer's ("E", a known label): a consistent transcript.
    turns = [("E", "{label} : ", ["Bonjour"], "\r\n", False), *turns]
    raw = "\ufeff" if bom else ""
    expected = []
    for label, form, pieces, ending, blank in turns:
        if "—" in form and label not in ("E", "Enquêtrice"):
            form = "{label} : "     # a dash only makes a turn for a confirmed label
        words = "".join(pieces)
        raw += form.format(label=label) + words + ending + (ending if blank else "")
        expected.append((label, normalise_text(words).strip()))
    path = tmp_path_factory.mktemp("prop") / "t.txt"
    path.write_bytes(raw.encode("utf-8"))
    doc = read_file(path)
    assert unicodedata.is_normalized("NFC", doc.text)
    assert "\r" not in doc.text and "\ufeff" not in doc.text
    assert [(s.speaker, doc.text[s.start:s.end]) for s in doc.segments] == expected
    assert all(s.kind == "turn" for s in doc.segments)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("Ea:F \n\t.é-—[]0*") + ["\u00a0", "Fatima", "Note", "e\u0301",
                                                               "\r\n", "Il m'a dit", "E : "]),
               max_size=120).map("".join))
def test_segments_are_ordered_disjoint_and_trimmed(raw):
    text = normalise_text(raw)
    segments = find_segments(text, IngestSettings())
    end = 0
    for s in segments:
        assert end <= s.start < s.end <= len(text)
        piece = text[s.start:s.end]
        assert piece == piece.strip() and piece
        end = s.end
    # nothing is lost but labels, timestamps and separators: every non-blank character
    # outside the segments sits on a line shaped like a turn, before its words
    covered = set()
    for s in segments:
        covered.update(range(s.start, s.end))
    for i, c in enumerate(text):
        if i in covered or c.isspace():
            continue
        line_start = text.rfind("\n", 0, i) + 1
        line_end = text.find("\n", i) if "\n" in text[i:] else len(text)
        shape = split_label(text[line_start:line_end], IngestSettings())
        assert shape is not None and i - line_start < shape[1]


SAFE = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.one_of(SAFE, st.sampled_from("\n\t")), min_size=1))
def test_utf8_round_trip(text):
    assert decode_bytes(text.encode("utf-8")) == (text, "utf-8")


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1).filter(lambda t: not t.startswith("\x00")), st.sampled_from([("utf-16-le", codecs.BOM_UTF16_LE),
                                             ("utf-16-be", codecs.BOM_UTF16_BE)]))
def test_utf16_bom_round_trip(text, codec):
    name, bom = codec
    assert decode_bytes(bom + text.encode(name)) == (text, "utf-16")


FRENCH_WORDS = ["été", "l’œuf", "3 €", "« oui »", "ça", "Gaëlle", "où", "déjà", "naïf", "cœur",
                "à", "Ève", "c’est", "–", "…", "bonjour", "\n", "\u00a0"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRENCH_WORDS), min_size=1, max_size=30))
def test_cp1252_french_round_trip(words):
    text = " ".join(words)
    decoded, encoding = decode_bytes(text.encode("cp1252"))
    if any(ord(c) > 127 for c in text):
        assert encoding == "cp1252"
    assert decoded == text


def test_same_content_same_hash_whatever_the_bytes(tmp_path):
    (tmp_path / "a.txt").write_bytes("E : été\nFatima : oui\n".encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(codecs.BOM_UTF8 + "E : e\u0301te\u0301\r\nFatima : oui\r\n".encode("utf-8"))
    (tmp_path / "c.txt").write_bytes(codecs.BOM_UTF16_LE + "E : été\rFatima : oui\r".encode("utf-16-le"))
    (tmp_path / "d.txt").write_bytes("E : été\nFatima : oui\n".encode("cp1252"))
    hashes = {read_file(tmp_path / name).content_hash for name in ("a.txt", "b.txt", "c.txt", "d.txt")}
    assert len(hashes) == 1
