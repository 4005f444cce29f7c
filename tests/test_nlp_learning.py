"""Learning from a project's own decisions: partial labels, training with them, train-model --project."""
from __future__ import annotations

import json
import threading

import pytest
import yaml
from typer.testing import CliRunner

from exporterre_nlp.cli import app
from exporterre_nlp.codebook import load_codebook
from exporterre_nlp.nlp.evaluate import EvalSentence, Label, load_eval_set
from exporterre_nlp.errors import CancelledError
from exporterre_nlp.nlp.learning import PROJECT_MODEL_FILE, learn_from_project, project_labels
from exporterre_nlp.nlp.sentence.training import TrainingOptions, train_sentence_model
from exporterre_nlp.store import SuggestionDraft
from nlp_support import add_document, codebook, extractor, nlp_full, write_labelled_set  # noqa: F401  (fixtures)

runner = CliRunner()
TURNS = [
    ("E", "Et dans le quartier ?"),
    ("Awa", "On a besoin d'une crèche. Le soir je fais de la couture."),
    ("Awa", "Les poubelles, ça va. Le marché du dimanche est bien."),
    ("Awa", "Je parle wolof et peul."),
    ("Awa", "Il fait beau aujourd'hui."),
]


def _span(doc, words):
    start = doc.text.index(words)
    return start, start + len(words)


@pytest.fixture()
def decided(project):
    """Turns with suggestions decided by alice and bob, a manual coding and a theme decision."""
    store = project.store
    doc = add_document(store, "habitante_03", 3, TURNS)
    segments = {s.position: s for s in store.segment_views()}
    drafts = [SuggestionDraft(doc.id, *_span(doc, "On a besoin d'une crèche"), "besoins.garde_enfants",
                              "rule:besoin.avoir_besoin", 0.9, segments[1].segment_id),
              SuggestionDraft(doc.id, *_span(doc, "Les poubelles, ça va"), "preoccupations.proprete",
                              "rule:preoccupation.sujet", 0.6, segments[2].segment_id),
              SuggestionDraft(doc.id, *_span(doc, "Le marché du dimanche est bien"), "ressources",
                              "model:phrases-fr-1", 0.7, segments[2].segment_id),
              SuggestionDraft(doc.id, *_span(doc, "Il fait beau aujourd'hui."), "besoins", "rule:besoin.x", 0.5,
                              segments[4].segment_id)]
    ids = store.sync_suggestions("rule:", drafts[:2] + drafts[3:]).ids
    model_id = store.sync_suggestions("model:", drafts[2:3]).ids[0]
    store.decide(ids[0], "alice", "accept")
    store.decide(ids[1], "alice", "reject")          # « ça va »: not a concern
    store.decide(model_id, "bob", "accept")
    store.add_coding(doc.id, *_span(doc, "je fais de la couture"), "competences.couture", "alice")   # by hand
    # a theme accepted on a whole turn says nothing about its sentences: left out
    theme = store.sync_suggestions("topic:", [SuggestionDraft(doc.id, *_span(doc, "Je parle wolof et peul."),
                                                              "besoins", "topic:2", 0.4)]).ids[0]
    store.decide(theme, "alice", "accept")
    return project, doc


def test_project_labels_label_the_segments_read_for_the_categories_decided(decided):
    project, doc = decided
    book = load_codebook(project.codebook_path)
    labels = project_labels(project, book)
    # read in order up to the last decided turn (the second): both turns, for the four categories
    # decided in the document; the theme's turn and the undecided one after are out
    assert [s.text for s in labels.sentences] == [TURNS[1][1], TURNS[2][1]]
    first, second = labels.sentences
    every = {"besoin", "preoccupation", "competence", "ressource"}
    assert first.known == second.known == every and first.split == "train" and first.source == "project"
    assert first.context == TURNS[0][1] == second.context                # the question both turns answer
    assert [(g.category, first.text[g.start:g.end]) for g in first.labels] == [
        ("besoin", "On a besoin d'une crèche"), ("competence", "je fais de la couture")]
    # the rejected concern is a negative; bob's accepted resource a positive
    assert [(g.category, second.text[g.start:g.end]) for g in second.labels] == [
        ("ressource", "Le marché du dimanche est bien")]
    assert labels.coders == ("alice", "bob") and labels.decided == {c: 2 for c in every}
    assert labels.positives == {"besoin": 1, "competence": 1, "ressource": 1}
    # from the validation queue: only the decided turns, each for what was decided there
    queue = project_labels(project, book, assume_read=False)
    assert [(s.text, s.known) for s in queue.sentences] == [(TURNS[1][1], {"besoin", "competence"}),
                                                            (TURNS[2][1], {"preoccupation", "ressource"})]
    assert [s.labels for s in queue.sentences] == [first.labels, second.labels]
    only_bob = project_labels(project, book, coders=["bob"])
    assert [(s.text, s.known, len(s.labels)) for s in only_bob.sentences] == [
        (TURNS[1][1], {"ressource"}, 0), (TURNS[2][1], {"ressource"}, 1)]


def test_project_labels_take_the_turns_read_in_the_interface_when_recorded(decided):
    project, doc = decided
    book = load_codebook(project.codebook_path)
    segments = {s.position: s for s in project.store.segment_views()}
    # alice read the first and the last turn: the last, undecided, is a negative; the third, unread, says nothing
    assert project.store.mark_read("alice", [segments[1].segment_id, segments[4].segment_id]) == 2
    assert project.store.mark_read("alice", [segments[1].segment_id]) == 0                  # once is enough
    labels = project_labels(project, book)
    assert [s.text for s in labels.sentences] == [TURNS[1][1], TURNS[2][1], TURNS[4][1]]
    last = labels.sentences[2]
    assert last.labels == () and last.known == {"besoin", "preoccupation", "competence", "ressource"}
    # bob read nothing: his decisions fall back to « read in order up to the last decided turn »
    assert [s.text for s in project_labels(project, book, coders=["bob"]).sentences] == [TURNS[1][1], TURNS[2][1]]
    # from the validation queue, reads do not matter
    assert [s.text for s in project_labels(project, book, assume_read=False).sentences] == [TURNS[1][1],
                                                                                            TURNS[2][1]]


def test_project_labels_follow_codes_added_under_a_category(decided):
    project, doc = decided
    project.store.add_code("besoins.laverie", "Laverie", parent="besoins")
    # a coding over two turns labels each turn with its part
    project.store.add_coding(doc.id, doc.text.index("peul"), doc.text.index("Il fait beau") + 12, "besoins.laverie",
                             "alice")
    labels = project_labels(project, load_codebook(project.codebook_path), assume_read=False)
    parts = {s.text: [(g.category, s.text[g.start:g.end]) for g in s.labels] for s in labels.sentences
             if s.text in (TURNS[3][1], TURNS[4][1])}
    assert parts == {TURNS[3][1]: [("besoin", "peul.")], TURNS[4][1]: [("besoin", "Il fait beau")]}


def test_project_without_decisions_has_nothing_to_learn(project):
    add_document(project.store, "habitante_04", 3, TURNS)
    assert project_labels(project, load_codebook(project.codebook_path)).sentences == []


@pytest.mark.slow
def test_training_learns_a_category_only_where_it_is_known(nlp_full, extractor):
    base = load_eval_set(split="dev")[:300]
    more = [s for s in load_eval_set(split="dev")[300:] if s.labels][:60]
    assert {g.category for s in more for g in s.labels} >= {"besoin", "lieu"}
    options = TrainingOptions(folds=3)
    partial = [EvalSentence(s.id, s.source, "train", s.text, s.labels, frozenset({"besoin"})) for s in more]
    full = train_sentence_model(base + more, nlp_full, extractor, name="f", options=options)
    only = train_sentence_model(base + partial, nlp_full, extractor, name="p", options=options)
    alone = train_sentence_model(base, nlp_full, extractor, name="b", options=options)
    cv = lambda m, c: m.training["cross_validation"][c]["positives"]    # noqa: E731
    assert cv(only, "besoin") == cv(full, "besoin") > cv(alone, "besoin")
    for category in ("preoccupation", "competence", "ressource", "lieu"):
        assert cv(only, category) == cv(alone, category)
    assert cv(full, "lieu") > cv(alone, "lieu")


def _labelled_set(path, n=250):
    return write_labelled_set(path, n)


@pytest.mark.slow
def test_train_model_learns_from_a_project_and_enables_the_model(decided, tmp_path):
    project, _ = decided
    labelled = _labelled_set(tmp_path / "etiquettes.jsonl")
    result = runner.invoke(app, ["train-model", "--project", str(project.path), "--set", str(labelled),
                                 "--name", "maison", "--use", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["file"] == str(project.path / PROJECT_MODEL_FILE) and summary["enabled"]
    assert summary["sources"][-1] == {"project": "projet", "coders": ["alice", "bob"], "sentences": 2,
                                      "read": True, "segments_by_category": {"besoin": 2, "preoccupation": 2,
                                                                             "competence": 2, "ressource": 2}}
    # the model's and the rules' figures on the project's own decisions (the two turns' labels)
    own = summary["cross_validation"]["besoin"]["project"]
    assert own["rules"]["labels"] == own["model"]["labels"] == 1 and own["rules"]["suggested"] >= 1
    assert "project" not in summary["cross_validation"]["lieu"]          # nothing decided about places
    settings = yaml.safe_load((project.path / "settings.yaml").read_text(encoding="utf-8"))
    assert settings["extraction"]["sentence_model"] == PROJECT_MODEL_FILE
    analysed = json.loads(runner.invoke(app, ["analyse", "--project", str(project.path), "--json"]).output)
    assert analysed["sentence_model"] == "model:maison"
    # the decisions made before are kept; the builtin model's undecided suggestions are not
    kept = project.store.list_codings(origin_prefix="model:", statuses=["accepted"])
    assert [c.coder for c in kept] == ["bob"]
    shown = runner.invoke(app, ["train-model", "--project", str(project.path), "--set", str(labelled),
                                "--out", str(tmp_path / "autre.json.gz")])
    assert shown.exit_code == 0 and "Sur les décisions du projet" in shown.output
    assert "Projet projet : 2 segments étiquetés" in " ".join(shown.output.split())


def test_train_model_says_when_a_project_has_no_decision(project):
    add_document(project.store, "habitante_04", 3, TURNS)
    result = runner.invoke(app, ["train-model", "--project", str(project.path)])
    assert result.exit_code != 0 and "Aucune décision" in result.output and "exporterre code" in result.output
    assert not (project.path / PROJECT_MODEL_FILE).exists()
    result = runner.invoke(app, ["train-model"])
    assert result.exit_code != 0 and "--out" in result.output


def _suggestions(store):
    return sorted((c.document_id, c.start, c.end, c.code_id, c.origin, c.status, c.coder)
                  for c in store.list_codings())


@pytest.mark.slow
def test_learning_from_a_project_trains_then_analyses_and_keeps_the_decisions(decided, tmp_path):
    project, _ = decided
    settings_file = project.path / "settings.yaml"
    settings_file.write_text("# relu par Amina\n" + settings_file.read_text(encoding="utf-8"), encoding="utf-8")
    steps = []
    training, result = learn_from_project(project, sets=[(_labelled_set(tmp_path / "e.jsonl"), None)],
                                          progress=lambda p: steps.append((p.label, p.done, p.total)))
    assert training.path == project.path / PROJECT_MODEL_FILE and training.path.exists() and training.enabled
    assert result.sentence_model == "model:phrases" == training.model.origin
    saved = yaml.safe_load((project.path / "settings.yaml").read_text(encoding="utf-8"))
    assert saved["extraction"]["sentence_model"] == PROJECT_MODEL_FILE
    assert settings_file.read_text(encoding="utf-8").startswith("# relu par Amina\n")    # the rest as written
    assert not list(project.path.glob("*.precedent"))
    # training steps, then the analysis's, each ending complete
    labels = [label for label, _, _ in steps]
    assert labels[0] == "entraînement" and labels[-1] == "analyse" and labels == sorted(labels, key=labels.index)
    assert [(d, t) for label, d, t in steps if label == "entraînement"][-1] == (1, 1)
    # decisions are kept: alice's and bob's, and the builtin model's undecided suggestions are gone
    kept = project.store.list_codings(origin_prefix="model:", statuses=["accepted"])
    assert [c.coder for c in kept] == ["bob"]
    left = project.store.list_codings(origin_prefix="model:phrases-fr-1", statuses=["pending"])
    assert [c.id for c in left] == [kept[0].source_id]               # only the suggestion bob decided on


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["entraînement", "analyse"])
def test_a_cancelled_learning_leaves_the_model_the_settings_and_the_suggestions(decided, tmp_path, stage):
    from exporterre_nlp.nlp.analyse import analyse
    from exporterre_nlp.nlp.sentence.model import BUILTIN_PATH
    project, _ = decided
    earlier = project.path / PROJECT_MODEL_FILE                    # a model the project used before
    earlier.write_bytes(BUILTIN_PATH.read_bytes())
    project.settings.extraction.sentence_model = PROJECT_MODEL_FILE
    project.settings.save(project.path)
    analyse(project)
    before, settings = _suggestions(project.store), (project.path / "settings.yaml").read_bytes()
    cancel = threading.Event()

    def progress(p):
        if p.label == stage and p.done >= 1:
            cancel.set()
    with pytest.raises(CancelledError):
        learn_from_project(project, sets=[(_labelled_set(tmp_path / "e.jsonl"), None)], progress=progress,
                           cancel=cancel)
    assert earlier.read_bytes() == BUILTIN_PATH.read_bytes() and not list(project.path.glob("*.precedent"))
    assert project.settings.extraction.sentence_model == PROJECT_MODEL_FILE
    assert (project.path / "settings.yaml").read_bytes() == settings
    assert _suggestions(project.store) == before


def test_uses_classifier_follows_the_projects_model(project):
    from exporterre_nlp.nlp.learning import uses_classifier
    assert project.settings.extraction.sentence_model == "builtin" and not uses_classifier(project)
    project.settings.extraction.sentence_model = "builtin-cnn"
    assert uses_classifier(project)
    project.settings.extraction.sentence_model = "absent.json.gz"            # unreadable: the plain path
    assert not uses_classifier(project)
    project.settings.extraction.sentence_model = "none"
    assert not uses_classifier(project)


@pytest.mark.slow
def test_learning_from_a_project_with_the_classifier_trains_it_too(decided, tmp_path):
    """A project on ``builtin-cnn``: « réentraîner » trains the classifier with the decisions, its epochs
    reported as training steps (the interface can interrupt between them)."""
    project, _ = decided
    project.settings.extraction.sentence_model = "builtin-cnn"
    steps = []
    training, result = learn_from_project(project, sets=[(_labelled_set(tmp_path / "e.jsonl", 150), None)],
                                          progress=lambda p: steps.append((p.label, p.done, p.total)))
    choices = {c: row.get("classifier") for c, row in training.model.training["cross_validation"].items()}
    assert all(choice is not None for choice in choices.values())              # the classifier was trained
    assert (training.model.classifier is not None) == any(c["weight"] for c in choices.values())
    trained = [(d, t) for label, d, t in steps if label == "entraînement"]
    assert len(trained) > 150 + 5 * 8 and trained[-1] == (1, 1)              # sentences, then epochs
    assert result.sentence_model == training.model.origin
