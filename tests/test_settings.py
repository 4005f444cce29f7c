"""Settings: defaults, a project's settings.yaml, environment overrides, and errors a person can act on."""
from __future__ import annotations

import pytest
import yaml

from exporterre_nlp.errors import ProjectError
from exporterre_nlp.settings import Settings


def _write(tmp_path, data) -> None:
    (tmp_path / "settings.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_settings_round_trip_through_the_project_file(tmp_path):
    settings = Settings()
    settings.extraction.target_precision = 0.8
    settings.themes.n_themes = 12
    settings.ingest.interviewer_labels = ["Enq", "Q"]
    settings.save(tmp_path)
    loaded = Settings.load(tmp_path, env={})
    assert loaded == settings and loaded.fingerprint() == settings.fingerprint()


def test_settings_accept_whole_numbers_for_decimals_and_null_where_allowed(tmp_path):
    _write(tmp_path, {"extraction": {"min_score": 1, "target_precision": None, "sentence_model": None},
                      "themes": {"n_themes": None}})
    loaded = Settings.load(tmp_path, env={})
    assert loaded.extraction.min_score == 1 and loaded.extraction.target_precision is None
    assert loaded.themes.n_themes is None and loaded.extraction.sentence_model is None


@pytest.mark.parametrize("data, name, expected", [
    ({"extraction": {"min_score": "haut"}}, "extraction.min_score", "un nombre attendu, pas 'haut'"),
    ({"nlp": {"batch_size": 6.5}}, "nlp.batch_size", "un nombre entier attendu"),
    ({"nlp": {"include_interviewer": "oui"}}, "nlp.include_interviewer", "true ou false attendu"),
    ({"themes": {"n_themes": "dix"}}, "themes.n_themes", "un nombre entier ou null attendu"),
    ({"ingest": {"interviewer_labels": "Enq"}}, "ingest.interviewer_labels", "une liste de textes attendu"),
    ({"seed": True}, "seed", "un nombre entier attendu"),
    ({"nlp": {"model": None}}, "nlp.model", "un texte attendu, pas None"),
])
def test_a_setting_of_the_wrong_type_is_named_with_its_default(tmp_path, french, data, name, expected):
    _write(tmp_path, data)
    with pytest.raises(ProjectError) as info:
        Settings.load(tmp_path, env={})
    message = info.value.message
    assert f"« {name} »" in message and expected in message and "settings.yaml" in message
    assert "par défaut" in info.value.hint and name.rsplit(".", 1)[-1] in info.value.hint


def test_an_unknown_setting_is_named_with_its_section(tmp_path, french):
    _write(tmp_path, {"extraction": {"min_scor": 0.5}})
    with pytest.raises(ProjectError) as info:
        Settings.load(tmp_path, env={})
    assert "« extraction.min_scor »" in info.value.message and "min_score" in info.value.hint


def test_environment_overrides_and_a_wrong_one_is_named(tmp_path, french):
    loaded = Settings.load(tmp_path, env={"EXPORTERRE_MODEL": "sm", "EXPORTERRE_SEED": "7"})
    assert (loaded.nlp.model, loaded.seed) == ("sm", 7)
    with pytest.raises(ProjectError) as info:
        Settings.load(tmp_path, env={"EXPORTERRE_N_PROCESS": "deux"})
    assert "EXPORTERRE_N_PROCESS" in info.value.message and "unset EXPORTERRE_N_PROCESS" in info.value.hint


MINE = """# Réglages du projet Villeneuve — relus par Amina le 3 mars
seed: 7   # tirage fixé pour l'article
nlp:
  model: sm          # la machine du labo est petite
extraction:
    min_score: 0.5   # moins de bruit
    sentence_model: builtin
themes:
  n_themes: 12
"""


def test_saving_one_setting_keeps_the_persons_file(tmp_path):
    from exporterre_nlp.settings import save_setting
    (tmp_path / "settings.yaml").write_text(MINE, encoding="utf-8")
    save_setting(tmp_path, "extraction.sentence_model", "modele_phrases.json.gz")
    text = (tmp_path / "settings.yaml").read_text(encoding="utf-8")
    # only that line changed: comments, order, indentation and other values are as written
    assert text == MINE.replace("sentence_model: builtin", 'sentence_model: "modele_phrases.json.gz"')
    loaded = Settings.load(tmp_path, env={})
    assert (loaded.seed, loaded.nlp.model, loaded.extraction.min_score) == (7, "sm", 0.5)
    assert loaded.extraction.sentence_model == "modele_phrases.json.gz"


def test_saving_a_setting_absent_from_the_file_adds_it_to_its_section(tmp_path):
    from exporterre_nlp.settings import save_setting
    (tmp_path / "settings.yaml").write_text(MINE, encoding="utf-8")
    save_setting(tmp_path, "extraction.target_precision", 0.8)
    save_setting(tmp_path, "report.include_pending", True)                 # no such section yet
    save_setting(tmp_path, "themes.n_themes", None)
    text = (tmp_path / "settings.yaml").read_text(encoding="utf-8")
    assert "extraction:\n    target_precision: 0.8\n    min_score: 0.5   # moins de bruit\n" in text
    assert text.endswith("report:\n  include_pending: true\n") and "  n_themes: null\n" in text
    assert text.startswith("# Réglages du projet Villeneuve")
    loaded = Settings.load(tmp_path, env={})
    assert (loaded.extraction.target_precision, loaded.report.include_pending, loaded.themes.n_themes) == (
        0.8, True, None)


def test_saving_a_setting_never_writes_environment_overrides(tmp_path, monkeypatch):
    from exporterre_nlp.settings import save_setting
    monkeypatch.setenv("EXPORTERRE_MODEL", "sm")
    (tmp_path / "settings.yaml").write_text("extraction: {min_score: 0.5}\n", encoding="utf-8")   # flow style
    save_setting(tmp_path, "extraction.sentence_model", "m.json.gz")   # (a layout rewritten whole)
    loaded = Settings.load(tmp_path, env={})
    assert (loaded.extraction.min_score, loaded.extraction.sentence_model) == (0.5, "m.json.gz")
    assert loaded.nlp.model == "md" and Settings.load(tmp_path).nlp.model == "sm"
