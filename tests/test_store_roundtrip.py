"""Offsets survive file → import → store → reopen, whatever the bytes look like."""
from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings, strategies as st

from exporterre_nlp import Project, Store
from exporterre_nlp.importer import ingest_paths

WORDS = ["on a besoin de crèches", "e\u0301cole", "cafe\u0301 à 2\u00a0€", "l’ascenseur", "œuvre",
         "😀 voilà", "euh", "[rires]", "il manque des bancs", "Ça m'inquiète"]
LABELS = ["E : ", "Fatima : ", "[00:12:03] Fatima : ", "Enquêtrice : ", ""]
EOLS = ["\n", "\r\n", "\r"]

MINI = "format: exporterre-codebook/1\nname: Mini\nlanguage: fr\ncodes:\n  - key: besoins\n    label: Besoins\n"

line = st.tuples(st.sampled_from(LABELS), st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
                 st.sampled_from(EOLS))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(line, min_size=1, max_size=8), bom=st.booleans(),
       encoding=st.sampled_from(["utf-8", "utf-16"]))
def test_segment_offsets_survive_save_and_reload(tmp_path_factory, lines, bom, encoding):
    root = tmp_path_factory.mktemp("rt")
    book = root / "mini.yaml"
    book.write_text(MINI, encoding="utf-8")
    project = Project.init(root / "p", codebook=book)
    raw = "".join(label + " ".join(words) + eol for label, words, eol in lines)
    data = raw.encode(encoding)               # utf-16 writes its own BOM
    if bom and encoding == "utf-8":
        data = b"\xef\xbb\xbf" + data
    f = root / "entretien.txt"
    f.write_bytes(data)
    result = ingest_paths(project, [f], metadata={"phase": 3})[0]
    assert result.status == "added", result.message
    project.close()

    store = Store.open(root / "p")
    doc = store.get_document("entretien")
    assert doc.text == unicodedata.normalize("NFC", doc.text)
    assert "\r" not in doc.text and "\ufeff" not in doc.text and "\ufffd" not in doc.text
    expected = [unicodedata.normalize("NFC", " ".join(words)) for _, words, _ in lines]
    segs = store.list_segments(doc.id)
    got = [doc.text[s.start:s.end] for s in segs]
    # every written utterance is found whole inside one segment, in order
    joined = "\n".join(got)
    pos = 0
    for words in expected:
        found = joined.find(words, pos)
        assert found >= 0, (words, got)
        pos = found + len(words)
    # a coding on every segment gives its words back after a reload
    for s in segs:
        store.add_coding(doc.id, s.start, s.end, "besoins", "amina")
    store.close()
    again = Store.open(root / "p")
    doc2 = again.get_document("entretien")
    assert [doc2.text[c.start:c.end] for c in again.list_codings()] == got
    again.close()
