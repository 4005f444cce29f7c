"""Contextual vetoes: each class of error on sentences written for it and on real spoken sentences."""
from __future__ import annotations

import csv

import pytest

from exporterre_nlp.nlp.vetoes import veto_reason
from nlp_support import codebook, extractor, nlp_full  # noqa: F401  (fixtures)

WRITTEN = [  # (category, sentence, expected reason)
    ("preoccupation", "Il y avait pas de souci avec les voisins.", "negated"),
    ("besoin", "Non, pas de manque de place, ça va.", "negated"),
    ("besoin", "On n'a jamais eu besoin d'aide.", "negated"),
    ("preoccupation", "Non pas un problème de logement, plutôt le bruit.", "negated"),
    ("besoin", "Je voudrais que mes enfants soient bons à l'école.", "wish_for_others"),
    ("besoin", "Elle aimerait que son fils trouve du travail.", "wish_for_others"),
    ("besoin", "Tu voudrais qu'on fasse quoi pour Noël ?", "wish_for_others"),
    ("besoin", "Quand on est dans le besoin on va aux Restos du cœur.", "poverty"),
    ("besoin", "Le chien fait ses besoins devant la porte.", "bodily"),
    ("competence", "Je sais pas en faire.", "negated_skill"),
    ("competence", "Je ne savais pas coudre à l'époque.", "negated_skill"),
    ("competence", "J'ai appris à écrire là-bas.", "learning"),
    ("competence", "Quand j'étais petite j'ai appris la couture avec ma tante.", "learning"),
    ("preoccupation", "Discuter avec lui c'est pénible.", "personal_hardship"),
    ("preoccupation", "Mon mari est malade, c'est dur.", "personal_hardship"),
]
KEPT = [  # the same cues where they do mean the category
    ("besoin", "On a besoin d'une crèche."),
    ("besoin", "Il n'y a pas de crèche, on en a besoin."),
    ("besoin", "Je voudrais qu'il y ait une crèche."),
    ("besoin", "Les gens dans le besoin ont besoin d'une épicerie solidaire."),
    ("preoccupation", "Pas de problème pour les courses, mais le loyer, c'est un vrai souci."),
    ("preoccupation", "Le problème c'est le bruit le soir."),
    ("competence", "Je sais coudre, je fais de la couture."),
    ("competence", "J'ai appris à coudre avec ma mère et je fais des robes."),
    ("preoccupation", "Le soir, le bus ne passe plus, c'est dur."),
]


@pytest.mark.parametrize("category, sentence, reason", WRITTEN)
def test_vetoes_written_sentences_of_each_class(category, sentence, reason):
    assert veto_reason(category, sentence, 0, len(sentence)) == reason


@pytest.mark.parametrize("category, sentence", KEPT)
def test_vetoes_keep_the_same_cues_where_they_mean_the_category(category, sentence):
    assert veto_reason(category, sentence, 0, len(sentence)) is None


def test_vetoes_leave_other_categories_alone():
    assert veto_reason("lieu", "Il y avait pas de souci à la gare.", 0, 10) is None
    assert veto_reason("ressource", "Quand on est dans le besoin on va aux Restos du cœur.", 38, 53) is None


# real spoken sentences (../shared/corpora, UD Rhapsodie and ParisStories): sent_id → a category that must not be
# suggested there (the first four were suggested before the vetoes; the negated two were already left out)
REAL_WRONG = {
    "Rhap_D0006-144": "besoin",                          # "… faire leurs besoins dans le trottoir"
    "ParisStories_2019_concoursEquitation_15": "competence",   # "j'ai appris à connaître."
    "ParisStories_2019_stagePrimaire_13": "competence",  # "… leur apprend à lire, … à écrire, … à compter."
    "ParisStories_2022_5_gîteEnMontagne__26": "besoin",  # "… est-ce que tu voudrais qu'on fasse … ?"
    "Rhap_D2004-72": "besoin",                           # "… nous n'avons pas besoin de docteur."
    "Rhap_D0009-54": "preoccupation",                    # "il y a pas de problème."
}
REAL_RIGHT = {
    "ParisStories_2022_11_copineEnCarton__27": "besoin",  # "… parce que j'ai besoin d'indépendance."
    "Rhap_D2004-15": "besoin",                            # "… où ils avaient besoin d'un médecin."
}


def _sentences(root, ids) -> dict[str, str]:
    out = {}
    for name in ("ud-rhapsodie", "ud-parisstories"):
        with open(root / name / "sentences.tsv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                if row["sent_id"] in ids:
                    out[row["sent_id"]] = row["text"]
    return out


@pytest.mark.slow
def test_vetoes_on_real_spoken_sentences(shared_corpora, nlp_full, extractor, codebook):
    from exporterre_nlp.nlp.sentence.model import BUILTIN_PATH, category_codes, load_sentence_model
    texts = _sentences(shared_corpora, set(REAL_WRONG) | set(REAL_RIGHT))
    assert len(texts) == len(REAL_WRONG) + len(REAL_RIGHT)
    model, codes = load_sentence_model(BUILTIN_PATH), category_codes(codebook)
    ids = sorted(texts)
    docs = list(nlp_full.pipe([texts[i] for i in ids]))
    items = [(doc, extractor(doc)) for doc in docs]
    found = {}
    for sent_id, (kept, added, _) in zip(ids, model.review_many(items, codes)):
        found[sent_id] = {f.category for f in kept + added}
    assert {i: c for i, c in REAL_WRONG.items() if c in found[i]} == {}
    assert {i: c for i, c in REAL_RIGHT.items() if c not in found[i]} == {}
