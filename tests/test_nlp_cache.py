"""The parse cache: hits and misses counted at nlp.pipe, invalidation, pruning."""
from __future__ import annotations

import pytest

from exporterre_nlp.nlp.cache import ParseCache, document_key, text_hash
from exporterre_nlp.nlp.parse import ParseStats, parse_segments
from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline
from exporterre_nlp.store import SegmentView

pytestmark = pytest.mark.slow
SPEC = PipelineSpec("fr_core_news_sm", "full")


def seg(doc_id: int, position: int, text: str, name: str | None = None) -> SegmentView:
    return SegmentView(doc_id * 100 + position, doc_id, name or f"doc{doc_id}", 3, None, None, position, 0,
                       len(text), "H", "resident", text)


CORPUS = [seg(1, 0, "Euh ben on a besoin d'une crèche, hein."), seg(1, 1, "Je sais coudre depuis longtemps."),
          seg(2, 0, "Il y a un jardin partagé aux Baladins."), seg(2, 1, "Le problème c'est les ascenseurs.")]


@pytest.fixture()
def counted(monkeypatch):
    """Counts the texts that reach nlp.pipe."""
    nlp = load_pipeline(SPEC)
    sent: list[str] = []
    original = nlp.pipe
    depth = [0]

    def pipe(texts, *args, **kwargs):
        outer = depth[0] == 0                   # as_tuples=True calls pipe again inside

        def spy():
            for item in texts:
                if outer:
                    sent.append(item[0] if isinstance(item, tuple) else item)
                yield item
        depth[0] += 1
        try:
            yield from original(spy(), *args, **kwargs)
        finally:
            depth[0] -= 1
    monkeypatch.setattr(nlp, "pipe", pipe)
    return sent


def run(segments, root, **kwargs):
    stats = ParseStats()
    docs = list(parse_segments(segments, SPEC, root, stats=stats, **kwargs))
    return docs, stats


def test_second_run_parses_nothing_and_loads_no_model(tmp_path, counted):
    first, stats1 = run(CORPUS, tmp_path)
    assert len(counted) == len(CORPUS) and stats1.parsed == 4 and stats1.model_loaded
    counted.clear()
    second, stats2 = run(CORPUS, tmp_path)
    assert counted == [] and stats2.parsed == 0 and stats2.cached == 4 and not stats2.model_loaded
    for (s1, d1), (s2, d2) in zip(first, second):
        assert s1 == s2 and d1.text == d2.text == s1.text
        assert [(t.lemma_, t.pos_, t.dep_, t.head.i, t._.oral) for t in d1] == \
               [(t.lemma_, t.pos_, t.dep_, t.head.i, t._.oral) for t in d2]
        assert [(e.start, e.end, e.label_) for e in d1.ents] == [(e.start, e.end, e.label_) for e in d2.ents]


def test_adding_a_document_parses_only_it(tmp_path, counted):
    run(CORPUS, tmp_path)
    counted.clear()
    new = [seg(3, 0, "On se dépanne entre voisins."), seg(3, 1, "Ça m'inquiète pour les enfants.")]
    docs, stats = run(CORPUS + new, tmp_path)
    assert sorted(counted) == sorted(s.text for s in new)
    assert stats.parsed == 2 and stats.cached == 4
    assert [d.text for _, d in docs] == [s.text for s in CORPUS + new]


def test_editing_one_turn_reparses_only_that_turn(tmp_path, counted):
    run(CORPUS, tmp_path)
    counted.clear()
    edited = list(CORPUS)
    edited[1] = seg(1, 1, "Je sais coudre et tricoter.")
    docs, _ = run(edited, tmp_path)
    assert counted == ["Je sais coudre et tricoter."]
    assert docs[1][1].text == "Je sais coudre et tricoter."


def test_stale_parses_are_dropped_but_other_speakers_kept(tmp_path):
    interviewer = seg(1, 9, "Et vous, qu'est-ce qui vous manque ?")
    run(CORPUS + [interviewer], tmp_path)
    cache = ParseCache(tmp_path, SPEC)
    edited = [seg(1, 0, "Euh ben on a besoin d'une crèche le soir."), CORPUS[1]]
    valid = {1: {text_hash(s.text) for s in edited} | {text_hash(interviewer.text)}}
    run(edited, tmp_path, valid_hashes=valid)
    kept = set(cache.hashes(document_key("doc1")))
    assert text_hash(interviewer.text) in kept                 # not analysed this time, still current
    assert text_hash(edited[0].text) in kept
    assert text_hash(CORPUS[0].text) not in kept               # no longer in the document


def test_key_depends_on_model_profile_and_filler_list(tmp_path):
    other = tmp_path / "fillers.yaml"
    other.write_text("always: [euh]\n", encoding="utf-8")
    prints = {PipelineSpec("fr_core_news_sm", "full").fingerprint(), PipelineSpec("fr_core_news_md", "full").fingerprint(),
              PipelineSpec("fr_core_news_sm", "lemmas").fingerprint(),
              PipelineSpec("fr_core_news_sm", "full", str(other)).fingerprint()}
    assert len(prints) == 4
    assert PipelineSpec("fr_core_news_sm", "full").fingerprint() == SPEC.fingerprint()


def test_lemma_profile_reuses_a_full_parse(tmp_path, counted):
    run(CORPUS, tmp_path)
    counted.clear()
    stats = ParseStats()
    docs = list(parse_segments(CORPUS, PipelineSpec("fr_core_news_sm", "lemmas"), tmp_path, stats=stats))
    assert counted == [] and stats.parsed == 0
    assert docs[1][1][2].lemma_ == "coudre"


def test_an_unreadable_pack_is_parsed_again(tmp_path, counted):
    run(CORPUS, tmp_path)
    pack = ParseCache(tmp_path, SPEC).path(document_key("doc2"))
    pack.write_bytes(b"garbage")
    counted.clear()
    docs, _ = run(CORPUS, tmp_path)
    assert sorted(counted) == sorted(s.text for s in CORPUS[2:])
    assert [d.text for _, d in docs] == [s.text for s in CORPUS]


def test_cancel_stops_between_documents(tmp_path):
    import threading

    from exporterre_nlp.errors import CancelledError
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        run(CORPUS, tmp_path, cancel=cancel)


def test_a_pack_of_the_older_format_or_cut_short_is_parsed_again(tmp_path, counted):
    # (a pack cut short is re-parsed by a direct nlp.pipe call, which `counted` cannot see
    # while the outer stream is open: the stats count it)
    from exporterre_nlp.nlp.cache import MAGIC
    run(CORPUS, tmp_path)
    cache = ParseCache(tmp_path, SPEC)
    older = cache.path(document_key("doc1"))
    older.write_bytes(b"EXPK1\n" + older.read_bytes()[len(MAGIC):])   # user data was inside the DocBin then
    cut = cache.path(document_key("doc2"))
    cut.write_bytes(cut.read_bytes()[:-40])                           # compressed DocBin cut short
    docs, stats = run(CORPUS, tmp_path)
    assert stats.parsed == 4 and [d.text for _, d in docs] == [s.text for s in CORPUS]
    assert [t._.oral for t in docs[0][1][:2]] == ["filler", "filler"]   # "Euh ben" marked again
    counted.clear()
    again, _ = run(CORPUS, tmp_path)                                   # and the rewritten packs are read
    assert counted == [] and [t._.oral for t in again[0][1][:2]] == ["filler", "filler"]


def test_a_pack_holds_what_spacy_docbin_writes_and_packs_of_spacy_level_are_read(tmp_path):
    """encode_pack collects the DocBin's strings from attribute arrays and compresses faster:
    once decompressed, the DocBin is byte for byte the one spaCy's add + to_bytes write."""
    import struct
    import zlib

    from spacy.tokens import DocBin

    from exporterre_nlp.nlp.cache import MAGIC, encode_pack, read_pack
    nlp = load_pipeline(SPEC)
    texts = [s.text for s in CORPUS] + ["", "Le 3 mai, Mme Durand (mairie de Lyon) a dit « non » ! _ ok"]
    docs = [(text_hash(t), d) for t, d in zip(texts, nlp.pipe(texts))]
    assert any(t.ent_type_ for _, d in docs for t in d) and any(t.text == "_" for _, d in docs for t in d)
    raw = encode_pack(docs)
    offset = len(MAGIC) + 8 + struct.unpack_from("<Q", raw, len(MAGIC))[0]
    reference = DocBin()
    for _, doc in docs:
        reference.add(doc)
    assert zlib.decompress(raw[offset:]) == zlib.decompress(reference.to_bytes())
    back = read_pack(raw, nlp.vocab)
    assert [d.to_json() for d in back.values()] == [d.to_json() for _, d in docs]
    assert [t._.oral for t in back[docs[0][0]][:2]] == ["filler", "filler"]
    older = raw[:offset] + reference.to_bytes()                # as packs were written before (level 6)
    assert [d.to_json() for d in read_pack(older, nlp.vocab).values()] == [d.to_json() for _, d in docs]
