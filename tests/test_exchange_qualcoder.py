"""Real files written by QualCoder 4.0 (../shared/refi-qda/samples/qualcoder/, see its README):
every coding gives back the words QualCoder recorded as the selection's name, memos included."""
from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from exporterre_nlp import Project
from exporterre_nlp.exchange import import_qdpx
from exporterre_nlp.exchange.anchor import flat
from exporterre_nlp.exchange.names import guid_key

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "refi-qda" / "samples" / "qualcoder"
NS = {"q": "urn:QDA-XML:project:1.0"}


def _sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} absent (QualCoder samples from ../shared/refi-qda)")
    return path


def _recorded(path: Path) -> Counter:
    """(source, words QualCoder recorded, code name, coder) of every coding in the file."""
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("project.qde"))
    users = {guid_key(u.get("guid")): u.get("name") for u in root.iterfind(".//q:User", NS)}
    codes = {guid_key(c.get("guid")): c.get("name") for c in root.iterfind(".//q:Code", NS)}
    out = Counter()
    for src in root.iterfind(".//q:TextSource", NS):
        for sel in src.iterfind("q:PlainTextSelection", NS):
            for coding in sel.iterfind("q:Coding", NS):
                code = guid_key(coding.find("q:CodeRef", NS).get("targetGUID"))
                key = (src.get("name"), flat(sel.get("name")), codes[code],
                       users[guid_key(coding.get("creatingUser"))])
                out[key] += 1
    return out


def _imported(project: Project) -> Counter:
    s = project.store
    labels = {c.id: c.label for c in s.list_codes()}
    out = Counter()
    for c in s.list_codings():
        doc = s.get_document(c.document_id)
        out[(doc.name, flat(doc.text[c.start:c.end]), labels[c.code_id], c.coder)] += 1
    return out


@pytest.mark.parametrize("name", ["qualcoder-demo-export.qdpx", "qualcoder-coded-in-window.qdpx"])
def test_exchange_qualcoder_every_coding_gives_back_its_words(name, tmp_path):
    path = _sample(name)
    result = import_qdpx(path, tmp_path / "p")
    recorded = _recorded(path)
    with Project.open(tmp_path / "p") as p:
        imported = _imported(p)
        assert imported == recorded
        assert all(not d.text.startswith("\ufeff") for d in map(p.store.get_document,
                                                                  (x.id for x in p.store.list_documents())))
    assert result.anchoring["lost"] == 0 and result.anchoring["searched"] == 0
    assert result.codings == sum(recorded.values()) > 2900


def test_exchange_qualcoder_emoji_positions_and_memos(tmp_path):
    """Codings made in QualCoder's editor after emoji count UTF-16 units; memos written in QualCoder
    (project, file, case, coding, annotation, journal) all come in."""
    path = _sample("qualcoder-coded-in-window.qdpx")
    result = import_qdpx(path, tmp_path / "p")
    assert result.anchoring["corrected"] == 2
    with Project.open(tmp_path / "p") as p:
        s = p.store
        doc = s.get_document("emoji_entretien")
        words = {(doc.text[c.start:c.end], c.coder) for c in s.list_codings(document_id=doc.id)}
        assert ("parc Jean Verlhac", "claire") in words and ("vélo", "claire") in words
        assert ("l’Arlequin. Mon fils 😀 fait", "alice") in words
        memos = {(m.target_type, m.text) for m in s.list_memos()}
        assert ("project", "Mémo projet QualCoder : été 2026") in memos
        assert ("document", "Mémo fichier QualCoder") in memos
        assert ("project", "Annotation QualCoder") in memos
        assert any(t == "project" and "Entrée de journal QualCoder" in text for t, text in memos)
        coding_memo = next(m for m in s.list_memos() if m.text == "Mémo codage QualCoder")
        c = s.get_coding(coding_memo.target_id)
        assert coding_memo.target_type == "coding" and doc.text[c.start:c.end] == "vélo"
        case = next(x for x in s.list_participants() if x.key == "H3-99")
        assert case.attributes.get("memo") == "Mémo cas QualCoder"
