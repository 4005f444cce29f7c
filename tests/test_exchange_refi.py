"""REFI-QDA: .qdpx/.qdc exports valid against the shipped schemas, round trips that keep
every coding's words, codes, coders and memos, imports of other tools' files, hostile files."""
from __future__ import annotations

import io
from collections import Counter
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from exporterre_nlp import IngestError, MetadataError, Project, ProjectError
from exporterre_nlp.codebook import load_codebook
from exporterre_nlp.exchange import export_qdc, export_qdpx, import_qdc, import_qdpx, normalise_with_map, read_qdpx
from exporterre_nlp.exchange.safety import SafeArchive
from exporterre_nlp.ingest.encoding import normalise_text
from exporterre_nlp.settings import IngestSettings

from exchange_project import build, human_codings, memos

REFI = Path(__file__).resolve().parents[2] / "shared" / "refi-qda"
xmlschema = pytest.importorskip("xmlschema")


@pytest.fixture()
def sample(tmp_path):
    s = build(tmp_path)
    yield s
    s.project.close()


def _schema(name: str):
    if not (REFI / name).exists():
        pytest.skip(f"{REFI / name} absent")
    return xmlschema.XMLSchema(str(REFI / name))


def _qde(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("project.qde").decode("utf-8")


def test_qdpx_export_validates_against_project_xsd(sample, tmp_path):
    out = export_qdpx(sample.project, tmp_path / "p.qdpx").path
    _schema("Project.xsd").validate(_qde(out))
    with zipfile.ZipFile(out) as z:
        sources = [n for n in z.namelist() if n.startswith("sources/")]
    assert len(sources) == 2 and all(n.endswith(".txt") for n in sources)


def test_qdc_export_validates_against_codebook_xsd(sample, tmp_path):
    out = export_qdc(sample.project.store, tmp_path / "c.qdc")
    _schema("Codebook.xsd").validate(out.read_text(encoding="utf-8"))


def test_qdpx_positions_give_back_the_coded_words(sample, tmp_path):
    """Positions count code points (emoji, ’, œ included) in the UTF-8 source files."""
    import xml.etree.ElementTree as ET
    out = export_qdpx(sample.project, tmp_path / "p.qdpx").path
    ns = {"q": "urn:QDA-XML:project:1.0"}
    with zipfile.ZipFile(out) as z:
        root = ET.fromstring(z.read("project.qde"))
        checked = 0
        for src in root.iterfind(".//q:TextSource", ns):
            text = z.read("sources/" + src.get("plainTextPath").split("//")[1]).decode("utf-8")
            stored = sample.project.store.get_document(src.get("name")).text
            assert text == stored
            for sel in src.iterfind("q:PlainTextSelection", ns):
                s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
                assert text[s:e] in {w for (_, _, _, w, _, _) in human_codings(sample.project)} or \
                    sel.find("q:NoteRef", ns) is not None
                checked += 1
    assert checked >= 7


def test_qdpx_round_trip_keeps_codings_codes_coders_memos(sample, tmp_path):
    out = export_qdpx(sample.project, tmp_path / "p.qdpx").path
    result = import_qdpx(out, tmp_path / "copie")
    with Project.open(tmp_path / "copie") as copy:
        assert human_codings(copy) == human_codings(sample.project)
        assert any("😀" in words for (_, _, _, words, _, _) in human_codings(copy))
        assert memos(copy) == memos(sample.project)
        assert sorted(copy.store.coders()) == ["alice", "bob"]
        before = {c.key: (c.label, c.color, c.definition) for c in sample.project.store.list_codes()}
        after = {c.key: (c.label, c.color, c.definition) for c in copy.store.list_codes()}
        assert after == before
        parents = lambda p: {c.key: p.store.get_code(c.parent_id).key if c.parent_id else None  # noqa: E731
                             for c in p.store.list_codes()}
        assert parents(copy) == parents(sample.project)
        for name in ("marche_samedi", "relais_couture"):
            a, b = sample.project.store.get_document(name), copy.store.get_document(name)
            assert (a.text, a.phase, a.lieu, a.date) == (b.text, b.phase, b.lieu, b.date)
            assert len(copy.store.list_segments(b.id)) == len(sample.project.store.list_segments(a.id))
        part = {p.key: p.attributes for p in copy.store.list_participants()}
        assert part["H3-01"].get("genre") == "F"
    assert result.codings == len(human_codings(sample.project))


def test_pending_suggestions_only_on_request_and_rejected_never(sample, tmp_path):
    default = export_qdpx(sample.project, tmp_path / "a.qdpx")
    pending = export_qdpx(sample.project, tmp_path / "b.qdpx", include_pending=True)
    n_human = len(human_codings(sample.project))
    assert default.codings == n_human
    # one suggestion still pending for everybody, plus the one alice rejected (still pending as a suggestion)
    assert pending.codings == n_human + 2
    assert "machine" not in default.coders and "machine" in pending.coders
    assert "rejected" not in _qde(pending.path)


def test_coders_option_keeps_only_their_codings_and_memos(sample, tmp_path):
    result = export_qdpx(sample.project, tmp_path / "bob.qdpx", coders=["bob"])
    assert result.coders == ("bob",)
    import_qdpx(result.path, tmp_path / "bob")
    with Project.open(tmp_path / "bob") as copy:
        assert {c[-1] for c in human_codings(copy)} == {"bob"}
        assert {m[2] for m in memos(copy)} == {"bob"}


def test_export_is_deterministic(sample, tmp_path):
    a = export_qdpx(sample.project, tmp_path / "a.qdpx").path.read_bytes()
    b = export_qdpx(sample.project, tmp_path / "b.qdpx").path.read_bytes()
    assert a == b


def test_qdc_import_gives_a_yaml_codebook_with_same_keys_colours_tags(sample, tmp_path):
    qdc = export_qdc(sample.project.store, tmp_path / "c.qdc")
    book = import_qdc(qdc, tmp_path / "c.yaml")
    reloaded = load_codebook(tmp_path / "c.yaml")
    original = {c.key: c for c in sample.project.codebook().codes}
    assert [c.key for c in reloaded.codes] == [c.key for c in book.codes]
    assert set(original) == {c.key for c in reloaded.codes}
    for c in reloaded.codes:
        o = original[c.key]
        assert (c.label, c.parent, c.color, sorted(c.tags), c.use_when) == \
            (o.label, o.parent, o.color, sorted(o.tags), o.use_when)


# ------------------------------------------------------------------ other tools' files
@pytest.mark.parametrize("name", ["blank-atlas-project.qdpx", "target-atlas-project.qdpx"])
def test_import_atlas_samples(name, tmp_path):
    path = REFI / "samples" / name
    if not path.exists():
        pytest.skip(f"{path} absent")
    result = import_qdpx(path, tmp_path / "p")
    with Project.open(tmp_path / "p") as p:
        if name.startswith("target"):
            codes = {c.key: c for c in p.store.list_codes()}
            assert result.codes == 3 and "commits" in codes
            children = [c for c in codes.values() if c.parent_id == codes["commits"].id]
            assert sorted(c.label for c in children) == ["2022-02-11T10:39:25Z cdbfd92",
                                                         "2022-05-10T02:05:59Z 19e4dce"]
        else:   # no codes in the file: the shipped codebook is used
            assert result.codes == len(load_codebook(Path(__file__).resolve().parents[1] / "codebooks"
                                                     / "exporterre.yaml").codes)
        assert p.store.list_documents() == []


def _qdpx(tmp_path: Path, qde: str, files: dict[str, bytes] | None = None, name: str = "x.qdpx") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde.encode("utf-8"))
        for member, data in (files or {}).items():
            z.writestr(member, data)
    return path


G = "{:08X}-0000-4000-8000-000000000000".format
FOREIGN = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="autre" origin="Other tool">
  <Users><User guid="{{{G(1).lower()}}}" name="Chloé"/></Users>
  <CodeBook><Codes>
    <Code guid="{G(2)}" name="Santé" isCodable="true" color="#F00"><Description>soins</Description>
      <Code guid="{G(3)}" name="Accès aux soins" isCodable="true" color="#F00"/></Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{G(4)}" name="entretien.docx" plainTextPath="internal://{G(5)}.txt">
      <PlainTextSelection guid="{G(6)}" {{n}}startPosition="{{s}}" endPosition="{{e}}" creatingUser="{G(1)}">
        <Coding guid="{G(7)}" creatingUser="{G(1)}"><CodeRef targetGUID="{G(3).lower()}"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="{G(8)}" name="notes"><PlainTextContent>Notes de terrain.</PlainTextContent></TextSource>
    <PictureSource guid="{G(9)}" name="photo.jpg" path="internal://{G(10)}.jpg"/>
    <AudioSource guid="{G(11)}" name="son.m4a" path="absolute:///tmp/son.m4a"/>
  </Sources>
</Project>"""


def _foreign(start: int, end: int, name: str | None = None) -> str:
    named = f'name="{name}" ' if name is not None else ""
    return FOREIGN.replace("{s}", str(start)).replace("{e}", str(end)).replace("{n}", named)


def test_import_foreign_project_moves_positions_of_decomposed_crlf_text(tmp_path):
    # a leading BOM is an encoding mark, not a character: positions do not count it (QualCoder's files)
    raw = "\ufeffE : Bonjour\r\nA : Le me\u0301decin est loin 🏥, c\u2019est l\u2019œuvre d\u2019une vie.\r\n"
    words = "me\u0301decin est loin 🏥, c\u2019est l\u2019œuvre"
    s = raw.index(words) - 1
    path = _qdpx(tmp_path, _foreign(s, s + len(words)), {f"sources/{G(5)}.txt": raw.encode("utf-8")})
    with pytest.raises(MetadataError, match="--phase"):
        import_qdpx(path, tmp_path / "p")
    assert not (tmp_path / "p").exists()
    result = import_qdpx(path, tmp_path / "p", default_phase=2)
    assert any("photo.jpg" in w for w in result.warnings) and any("son.m4a" in w for w in result.warnings)
    with Project.open(tmp_path / "p") as p:
        [(doc, start, end, got, key, coder)] = human_codings(p)
        assert got == unicodedata.normalize("NFC", words) and coder == "Chloé"
        assert key == "sante.acces_aux_soins"
        assert p.store.get_code(key).color is None            # same colour as its parent: inherited
        assert p.store.get_code("sante").color == "#FF0000"
        assert {d.name for d in p.store.list_documents()} == {"entretien.docx", "notes"}


def test_import_refuses_an_existing_project(sample, tmp_path):
    out = export_qdpx(sample.project, tmp_path / "p.qdpx").path
    with pytest.raises(ProjectError, match="nouveau|new"):
        import_qdpx(out, sample.project.path)


@pytest.mark.parametrize("payload", [
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&lol2;"/>',
    '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>',
])
def test_import_refuses_hostile_xml(tmp_path, payload):
    with pytest.raises(IngestError, match="dangereux|dangerous"):
        import_qdpx(_qdpx(tmp_path, payload), tmp_path / "p")
    assert not (tmp_path / "p").exists()
    (tmp_path / "c.qdc").write_text(payload.replace("Project", "CodeBook"), encoding="utf-8")
    with pytest.raises(IngestError, match="dangereux|dangerous"):
        import_qdc(tmp_path / "c.qdc", tmp_path / "c.yaml")


def test_archive_refuses_zip_bombs_and_non_zip(tmp_path):
    path = _qdpx(tmp_path, "<Project/>", {"Sources/big.txt": b"0" * 3_000_000})
    with pytest.raises(IngestError, match="bomb"):
        SafeArchive(path, IngestSettings(max_zip_ratio=50))
    with pytest.raises(IngestError, match="bomb"):
        SafeArchive(path, IngestSettings(max_unzipped_bytes=1_000_000))
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(IngestError, match=r"\.qdpx"):
        import_qdpx(bad, tmp_path / "p")


def test_import_refuses_text_that_is_not_utf8(tmp_path):
    path = _qdpx(tmp_path, _foreign(0, 3),
                 {f"Sources/{G(5)}.txt": "Médecin".encode("cp1252")})
    with pytest.raises(IngestError, match="UTF-8"):
        read_qdpx(path)


# ------------------------------------------------------------------ offsets across normalisation
_PIECES = st.sampled_from(["a", "é", "e\u0301", "\r\n", "\n", "\r", "😀", "👶🏽", "œ", "’", " ", "\ufeff",
                           "\u1100\u1161", "x\u0327\u0301"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=30), st.data())
def test_offset_map_keeps_words_at_piece_boundaries(pieces, data):
    raw = "".join(pieces)
    text, where = normalise_with_map(raw)
    assert text == normalise_text(raw) and len(where) == len(raw) + 1
    assert all(a <= b for a, b in zip(where, where[1:]))
    bounds = [0]
    for p in pieces:
        bounds.append(bounds[-1] + len(p))
    # a span may not cut a "\r\n" in two (no tool selects half a line break)
    bounds = [b for b in bounds if not (0 < b < len(raw) and raw[b - 1] == "\r" and raw[b] == "\n")]
    i = data.draw(st.integers(0, len(bounds) - 1))
    j = data.draw(st.integers(i, len(bounds) - 1))
    s, e = bounds[i], bounds[j]
    assert text[where[s]:where[e]] == normalise_text(raw[s:e])


@pytest.mark.parametrize("raw", ["\r\ufeff\n", "e\ufeff\u0301x", "\ufeffab\r\ncd"])
def test_offset_map_removes_byte_order_marks_first(raw):
    # found by the property test above: a mark between "\r" and "\n" made two line breaks
    text, where = normalise_with_map(raw)
    assert text == normalise_text(raw) and where[-1] == len(text)


# ------------------------------------------------------------------ anchoring other tools' positions
_RAW = "\ufeffE : Bonjour 👶🏽\r\nA : Mon fils 😀 fait du vélo au parc Jean Verlhac.\r\nE : Et vous ?\r\n"


def _positions(raw: str, words: str, *, bom: bool, utf16: bool, crlf_one: bool) -> tuple[int, int]:
    """Where ``words`` are under a tool's way of counting (BOM counted or not, UTF-16 units, CRLF as one)."""
    body = raw if bom else raw.removeprefix("\ufeff")
    k = body.index(words)

    def units(t: str) -> int:
        t = t.replace("\r\n", "\n") if crlf_one else t
        return len(t.encode("utf-16-le")) // 2 if utf16 else len(t)
    return units(body[:k]), units(body[:k]) + units(words)


@pytest.mark.parametrize("bom,utf16,crlf_one", [(False, False, False), (True, False, False), (False, True, False),
                                                (False, False, True), (True, True, True)])
def test_import_anchors_named_selections_counted_another_way(tmp_path, bom, utf16, crlf_one):
    words = "fait du vélo au parc Jean Verlhac"
    s, e = _positions(_RAW, words, bom=bom, utf16=utf16, crlf_one=crlf_one)
    path = _qdpx(tmp_path, _foreign(s, e, words), {f"Sources/{G(5)}.txt": _RAW.encode("utf-8")})
    result = import_qdpx(path, tmp_path / "p", default_phase=3)
    with Project.open(tmp_path / "p") as p:
        [(_, _, _, got, _, _)] = human_codings(p)
    assert got == words
    assert result.anchoring["corrected"] == int(bom or utf16 or crlf_one) and result.anchoring["lost"] == 0


def test_import_reports_selections_whose_words_are_nowhere(tmp_path):
    raw = "E : Bonjour\nA : Le marché du samedi.\nA : Et le parc.\n"
    body = _foreign(4, 11, "Bonjour").replace(
        f'<PlainTextSelection guid="{G(6)}"',
        f'<PlainTextSelection guid="{G(12)}" name="des mots absents" startPosition="0" endPosition="5">'
        f'<Coding guid="{G(13)}"><CodeRef targetGUID="{G(3)}"/></Coding></PlainTextSelection>\n'
        f'<PlainTextSelection guid="{G(14)}" name="le parc" startPosition="2" endPosition="9">'
        f'<Coding guid="{G(15)}"><CodeRef targetGUID="{G(3)}"/></Coding></PlainTextSelection>\n'
        f'<PlainTextSelection guid="{G(6)}"')
    path = _qdpx(tmp_path, body, {f"Sources/{G(5)}.txt": raw.encode("utf-8")})
    result = import_qdpx(path, tmp_path / "p", default_phase=3)
    assert result.anchoring["lost"] == 1 and result.anchoring["searched"] == 1
    assert any("des mots absents" in w for w in result.warnings)
    with Project.open(tmp_path / "p") as p:
        assert sorted(c[3] for c in human_codings(p)) == ["Bonjour", "le parc"]


def test_import_refuses_duplicate_guids(tmp_path):
    raw = "E : Bonjour\n".encode("utf-8")
    twice_source = _foreign(4, 11).replace(f'<TextSource guid="{G(8)}"', f'<TextSource guid="{G(4).lower()}"')
    twice_code = _foreign(4, 11).replace(f'<Code guid="{G(3)}"', f'<Code guid="{{{G(2)}}}"')
    twice_sel = _foreign(4, 11).replace(
        "</TextSource>", f'<PlainTextSelection guid="{G(6)}" startPosition="0" endPosition="1"/></TextSource>', 1)
    for n, qde in enumerate((twice_source, twice_code, twice_sel)):
        path = _qdpx(tmp_path, qde, {f"Sources/{G(5)}.txt": raw}, name=f"d{n}.qdpx")
        with pytest.raises(IngestError, match="même identifiant|share the identifier"):
            import_qdpx(path, tmp_path / f"p{n}", default_phase=2)
        assert not (tmp_path / f"p{n}").exists()


@pytest.mark.parametrize("second", [f"Sources/{G(5)}.txt", f"sources/{G(5)}.txt", "project.qde"])
def test_import_refuses_duplicate_zip_entries(tmp_path, second):
    import warnings
    path = tmp_path / "dup.qdpx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                   # zipfile warns about an exact duplicate
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("project.qde", _foreign(4, 11).encode("utf-8"))
            z.writestr(f"Sources/{G(5)}.txt", "E : Bonjour\n".encode("utf-8"))
            z.writestr(second, "E : Au revoir\n".encode("utf-8"))
    with pytest.raises(IngestError, match="deux fois|twice"):
        import_qdpx(path, tmp_path / "p", default_phase=2)
    assert not (tmp_path / "p").exists()


def test_import_into_refuses_a_folder_that_is_not_empty(sample, tmp_path):
    out = export_qdpx(sample.project, tmp_path / "p.qdpx").path
    target = tmp_path / "cible"
    target.mkdir()
    (target / "codebook.yaml").write_text("mon livre de codes\n", encoding="utf-8")
    with pytest.raises(ProjectError, match="vide|empty"):
        import_qdpx(out, target)
    assert (target / "codebook.yaml").read_text(encoding="utf-8") == "mon livre de codes\n"
    assert [x.name for x in target.iterdir()] == ["codebook.yaml"]
    (target / "codebook.yaml").unlink()                   # an empty folder is fine
    import_qdpx(out, target)
    assert (target / "store.sqlite3").exists() or any(target.iterdir())
    assert not [x for x in tmp_path.iterdir() if x.name.startswith(".cible.import-")]


def test_include_pending_round_trip_keeps_status_and_provenance(sample, tmp_path):
    """Pending machine suggestions come back pending (coder machine, their rule), decisions
    as decisions of their coder on the suggestion they decide (sidecar exporterre/codings.json)."""
    store = sample.project.store
    pending = next(c for c in store.list_codings(statuses=["pending"]) if c.origin == "rule:test")
    store.decide(pending.id, "bob", "accept")
    out = export_qdpx(sample.project, tmp_path / "p.qdpx", include_pending=True).path
    _schema("Project.xsd").validate(_qde(out))
    import_qdpx(out, tmp_path / "copie")

    def states(project):
        s = project.store
        keys = {c.id: c.key for c in s.list_codes()}
        by_id = {c.id: c for c in s.list_codings()}
        out = []
        for c in s.list_codings(statuses=["manual", "pending", "accepted"]):
            src = by_id.get(c.source_id)
            out.append((s.get_document(c.document_id).name, c.start, c.end, keys[c.code_id], c.coder, c.status,
                        c.origin, c.score, (src.coder, src.status, src.origin) if src else None))
        return sorted(out, key=repr)
    with Project.open(tmp_path / "copie") as copy:
        assert states(copy) == states(sample.project)
        assert any(st[5] == "pending" and st[4] == "machine" for st in states(copy))
        assert any(st[5] == "accepted" and st[4] == "bob" and st[8] == ("machine", "pending", "rule:test")
                   for st in states(copy))


# ------------------------------------------------------------------ exports that real clients keep whole
def _root(path: Path):
    import xml.etree.ElementTree as ET
    return ET.fromstring(_qde(path))


NS = {"q": "urn:QDA-XML:project:1.0"}


def test_qdpx_export_code_names_unique_and_labels_restored(sample, tmp_path):
    """QualCoder allows a code name once: a repeated label is qualified by its parent's label,
    and our own import gives the original label back."""
    out = export_qdpx(sample.project, tmp_path / "p.qdpx").path
    names = [c.get("name") for c in _root(out).iterfind(".//q:Code", NS)]
    assert len({n.casefold() for n in names}) == len(names)
    assert "Numérique (Besoins)" in names and "Numérique" not in names
    import_qdpx(out, tmp_path / "copie")
    with Project.open(tmp_path / "copie") as copy:
        labels = sorted(c.label for c in copy.store.list_codes())
    assert labels == sorted(c.label for c in sample.project.store.list_codes())
    assert labels.count("Numérique") == 2


def test_qdpx_export_one_selection_per_span_and_coder(sample, tmp_path):
    out = export_qdpx(sample.project, tmp_path / "p.qdpx").path
    users = {u.get("guid"): u.get("name") for u in _root(out).iterfind(".//q:User", NS)}
    spans = Counter()
    for sel in _root(out).iterfind(".//q:PlainTextSelection", NS):
        codings = sel.findall("q:Coding", NS)
        assert {users[c.get("creatingUser")] for c in codings} <= {users[sel.get("creatingUser")]}
        spans[(sel.get("startPosition"), sel.get("endPosition"))] += 1
        if sel.get("name", "").startswith("je vends des gâteaux"):
            assert len(codings) == 1
    assert 2 in spans.values()                            # alice and bob on the same words: two selections


def test_qdpx_export_memos_as_notes_and_descriptions(sample, tmp_path):
    """Each memo is a <Note> and is written in the <Description> of what it is about (QualCoder
    reads memos there only); our own import does not take them twice."""
    out = export_qdpx(sample.project, tmp_path / "p.qdpx").path
    _schema("Project.xsd").validate(_qde(out))
    root = _root(out)
    described = "\n".join(d.text or "" for d in root.iter("{urn:QDA-XML:project:1.0}Description"))
    notes = [n.find("q:PlainTextContent", NS).text for n in root.iterfind(".//q:Note", NS)]
    assert len(notes) == len(memos(sample.project)) == 5
    for _, _, coder, text in memos(sample.project):
        assert f"— Mémo de {coder} —\n{text}" in described
    assert root.find("q:Description", NS) is not None                       # the project's memo
    src = next(s for s in root.iterfind(".//q:TextSource", NS) if s.get("name") == "marche_samedi")
    assert "Entretien au marché" in src.find("q:Description", NS).text
    import_qdpx(out, tmp_path / "copie")
    with Project.open(tmp_path / "copie") as copy:
        assert memos(copy) == memos(sample.project)


def test_qdpx_memos_survive_a_client_that_drops_notes(sample, tmp_path):
    """A client that keeps descriptions and drops <Note>s (QualCoder): memos come back from the
    descriptions, with their authors and targets."""
    import re
    out = export_qdpx(sample.project, tmp_path / "p.qdpx").path
    with zipfile.ZipFile(out) as z:
        members = {n: z.read(n) for n in z.namelist()}
    qde = members["project.qde"].decode("utf-8")
    qde = re.sub(r"\s*<Notes>.*?</Notes>", "", qde, flags=re.S)
    qde = re.sub(r"\s*<NoteRef [^>]*/>", "", qde)
    members["project.qde"] = qde.encode("utf-8")
    stripped = tmp_path / "sans_notes.qdpx"
    with zipfile.ZipFile(stripped, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    import_qdpx(stripped, tmp_path / "copie")
    with Project.open(tmp_path / "copie") as copy:
        assert memos(copy) == memos(sample.project)


def test_qdpx_cases_as_codes_link_cases_to_sources_the_way_qualcoder_reads(sample, tmp_path):
    """QualCoder (like NVivo) links a case to a source by a code carrying the case's GUID that codes
    the source (positions 0-0 for the whole file); our import reads it back as the participant link,
    not as a code."""
    out = export_qdpx(sample.project, tmp_path / "p.qdpx", cases_as_codes=True).path
    _schema("Project.xsd").validate(_qde(out))
    root = _root(out)
    cases = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:Case", NS)}
    case_codes = [c for c in root.iterfind(".//q:Code", NS) if c.get("guid") in cases]
    assert sorted(c.get("name") for c in case_codes) == ["H3-01", "R1-02"]
    links = [(src.get("name"), cases[sel.find("q:Coding/q:CodeRef", NS).get("targetGUID")])
             for src in root.iterfind(".//q:TextSource", NS) for sel in src.iterfind("q:PlainTextSelection", NS)
             if sel.get("endPosition") == "0"]
    assert sorted(links) == [("marche_samedi", "H3-01"), ("relais_couture", "R1-02")]
    # a client that keeps these links and drops the variables and <SourceRef>s (QualCoder)
    qde = _qde(out)
    import re
    qde = re.sub(r"\s*<SourceRef [^>]*/>", "", qde)
    qde = re.sub(r"<VariableValue>\s*<VariableRef targetGUID=\"[^\"]+\"\s*/>\s*<TextValue>(H3-01|R1-02)</TextValue>"
                 r"\s*</VariableValue>", "", qde)
    assert ">H3-01</TextValue>" not in qde and "<SourceRef" not in qde
    with zipfile.ZipFile(out) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["project.qde"] = qde.encode("utf-8")
    trimmed = tmp_path / "liens.qdpx"
    with zipfile.ZipFile(trimmed, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    result = import_qdpx(trimmed, tmp_path / "copie")
    assert result.anchoring["lost"] == 0
    with Project.open(tmp_path / "copie") as copy:
        s = copy.store
        assert sorted(c.key for c in s.list_codes()) == sorted(c.key for c in sample.project.store.list_codes())
        keys = {p.id: p.key for p in s.list_participants()}
        assert {d.name: keys.get(s.get_document(d.id).participant_id) for d in s.list_documents()} == \
            {"marche_samedi": "H3-01", "relais_couture": "R1-02"}
        assert human_codings(copy) == human_codings(sample.project)


def test_qdpx_colours_and_tags_survive_a_client_that_snaps_colours_and_drops_sets(sample, tmp_path):
    """QualCoder snaps colours to its palette (moves of up to ~92 on the RGB cube) and ignores <Sets>:
    the colour written and the tags travel in the [exporterre key=…] line; a colour changed a lot
    in the other tool is a person's choice and is kept."""
    import re
    out = export_qdpx(sample.project, tmp_path / "p.qdpx").path
    qde = _qde(out)
    assert "<Sets>" in qde and " tags=[" in qde

    def snap(m):
        r, g, b = (int(m.group(1)[i:i + 2], 16) for i in (0, 2, 4))
        return f'color="#{min(r + 40, 255):02X}{max(g - 40, 0):02X}{b:02X}"'
    qde = re.sub(r'color="#([0-9A-Fa-f]{6})"', snap, qde)
    qde = re.sub(r"\s*<Sets>.*?</Sets>", "", qde, flags=re.S)
    logement = sample.project.store.get_code("besoins.logement")
    own = r'(<Code guid="[^"]+" name="' + re.escape(logement.label) + r'" isCodable="true" )color="#[0-9A-F]{6}"'
    qde = re.sub(own, r'\1color="#000001"', qde)        # a person recoloured it in the other tool
    with zipfile.ZipFile(out) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["project.qde"] = qde.encode("utf-8")
    client = tmp_path / "client.qdpx"
    with zipfile.ZipFile(client, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    import_qdpx(client, tmp_path / "copie")
    with Project.open(tmp_path / "copie") as copy:
        before = {c.key: (c.color, sorted((c.attributes or {}).get("tags") or []))
                  for c in sample.project.store.list_codes()}
        after = {c.key: (c.color, sorted((c.attributes or {}).get("tags") or [])) for c in copy.store.list_codes()}
    assert after.pop("besoins.logement")[0] == "#000001"
    before.pop("besoins.logement")
    assert after == before
    assert any(tags for _, tags in after.values())


@pytest.mark.parametrize("payload", [b"{not json", b'{"format": "autre"}',
                                     b'{"format": "exporterre-codings", "codings": {"X": {"status": "perdu"}}}'])
def test_import_refuses_an_unreadable_sidecar(sample, tmp_path, payload):
    out = export_qdpx(sample.project, tmp_path / "p.qdpx", include_pending=True).path
    with zipfile.ZipFile(out) as z:
        members = {n: z.read(n) for n in z.namelist()}
    assert "exporterre/codings.json" in members
    members["exporterre/codings.json"] = payload
    broken = tmp_path / "casse.qdpx"
    with zipfile.ZipFile(broken, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    with pytest.raises(IngestError, match="codings.json"):
        import_qdpx(broken, tmp_path / "copie")
    assert not (tmp_path / "copie").exists()
