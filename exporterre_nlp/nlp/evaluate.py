"""Precision and recall of the extraction rules on a labelled set of real sentences.

The set (``exporterre_nlp/data/labelled/nlp_eval.jsonl``, package data) holds one JSON object per line:
``id``, ``source``, ``split`` (``dev`` or ``test``, fixed), ``text`` and
``labels`` — a list of ``{category, start, end, span}`` written by hand. A
finding counts as correct when a label of the same category overlaps it; each
label and each finding is matched at most once. Rules are tuned on ``dev``
only; ``test`` is the figure we report.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..categories import CATEGORIES
from ..errors import ExporterreError
from ..i18n import tr

# the labelled sets ship with the package (exporterre eval, train-model work from a non-editable install)
DEFAULT_SET = Path(__file__).resolve().parents[1] / "data" / "labelled" / "nlp_eval.jsonl"


@dataclass(frozen=True)
class Label:
    category: str
    start: int
    end: int


@dataclass(frozen=True)
class EvalSentence:
    id: str
    source: str
    split: str
    text: str
    labels: tuple[Label, ...]
    # categories whose labels are complete (None: all). A project's decisions label a segment for the
    # categories decided there only: training learns nothing about the others from it.
    known: frozenset[str] | None = None
    # the question the sentence answers (the interviewer's last turn, a form's question), when known
    context: str | None = None


@dataclass
class Score:
    tp: int = 0          # findings that match a label
    fp: int = 0          # findings without a label
    fn: int = 0          # labels without a finding
    gold: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        found = self.gold - self.fn
        return found / self.gold if self.gold else None

    def as_dict(self) -> dict:
        r = lambda v: None if v is None else round(v, 3)   # noqa: E731
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "gold": self.gold, "precision": r(self.precision),
                "recall": r(self.recall)}


@dataclass
class EvalReport:
    split: str
    sentences: int
    scores: dict[str, Score] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)     # what was missed or wrongly found
    sentence_model: str | None = None                     # origin of the sentence model measured with the rules
    rules_only: dict[str, Score] | None = None            # the rules alone, when a sentence model was used
    target_precision: float | None = None                 # the model's operating point (None: its default)
    below_target: tuple[str, ...] = ()                    # categories that reached no such precision in CV

    def as_dict(self) -> dict:
        out = {"split": self.split, "sentences": self.sentences, "sentence_model": self.sentence_model,
               "target_precision": self.target_precision, "below_target": list(self.below_target),
               "categories": {c: s.as_dict() for c, s in self.scores.items()}}
        if self.rules_only is not None:
            out["rules_only"] = {c: s.as_dict() for c, s in self.rules_only.items()}
        return out


def load_eval_set(path: str | Path | None = None, split: str | None = None,
                  source: str | None = None) -> list[EvalSentence]:
    """The labelled sentences (``split``: dev, test or None for all; ``source``: one source only)."""
    target = Path(path) if path else DEFAULT_SET
    if not target.exists():
        raise ExporterreError(tr(f"Jeu d'évaluation introuvable : {target}.", f"Evaluation set not found: {target}."),
                              tr("Donnez son chemin avec --set, ou lancez la commande depuis le dépôt Exporterre.",
                                 "Give its path with --set, or run the command from the Exporterre repository."))
    out = []
    with open(target, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                labels = tuple(Label(x["category"], int(x["start"]), int(x["end"])) for x in row["labels"])
                sentence = EvalSentence(row["id"], row["source"], row["split"], row["text"], labels,
                                        context=row.get("context") or None)
            except (ValueError, KeyError, TypeError) as exc:
                raise ExporterreError(tr(f"{target}:{n} : ligne invalide ({exc}).", f"{target}:{n}: invalid line ({exc})."),
                                      tr("Chaque ligne est un objet JSON : id, source, split, text, labels.",
                                         "Each line is a JSON object: id, source, split, text, labels.")) from None
            if (split in (None, "all") or sentence.split == split) and source in (None, sentence.source):
                out.append(sentence)
    return out


def _match(found: list[tuple[str, int, int]], gold: tuple[Label, ...], scores: dict[str, Score],
           sentence: EvalSentence, errors: list[dict]) -> None:
    used: set[int] = set()
    for category, start, end in found:
        hit = next((i for i, g in enumerate(gold) if i not in used and g.category == category
                    and g.start < end and start < g.end), None)
        if hit is None:
            scores[category].fp += 1
            errors.append({"id": sentence.id, "kind": "fp", "category": category, "text": sentence.text,
                           "span": sentence.text[start:end]})
        else:
            used.add(hit)
            scores[category].tp += 1
    for i, g in enumerate(gold):
        scores[g.category].gold += 1
        if i not in used:
            scores[g.category].fn += 1
            errors.append({"id": sentence.id, "kind": "fn", "category": g.category, "text": sentence.text,
                           "span": sentence.text[g.start:g.end]})


_BATCH = 64


def evaluate(sentences: list[EvalSentence], nlp, extractor, *, split: str = "test",
             sentence_model=None) -> EvalReport:
    """Run the extractor (and the sentence model, if any) on every sentence and compare with the labels.

    With a sentence model, :attr:`EvalReport.scores` measure what ``analyse``
    suggests (the rule findings the model did not veto + the sentences it adds) and
    :attr:`EvalReport.rules_only` the rules alone.
    """
    scores = {c: Score() for c in CATEGORIES}
    rules_only = {c: Score() for c in CATEGORIES} if sentence_model is not None else None
    codes = {c: c for c in CATEGORIES}
    errors: list[dict] = []
    docs = nlp.pipe([s.text for s in sentences], batch_size=64)
    for at in range(0, len(sentences), _BATCH):     # reviewed a batch at a time, as analyse does
        chunk = sentences[at:at + _BATCH]
        found = [(doc, extractor(doc)) for _, doc in zip(chunk, docs)]     # chunk first: no doc lost
        reviewed = (sentence_model.review_many(found, codes, contexts=[s.context for s in chunk])
                    if sentence_model is not None else [(f, [], 0) for _, f in found])
        for sentence, (_, findings), (kept, added, _) in zip(chunk, found, reviewed):
            if sentence_model is not None:
                _match([(f.category, f.start, f.end) for f in findings], sentence.labels, rules_only, sentence, [])
            _match([(f.category, f.start, f.end) for f in kept + added], sentence.labels, scores, sentence, errors)
    return EvalReport(split, len(sentences), scores, errors,
                      sentence_model.origin if sentence_model is not None else None, rules_only,
                      sentence_model.target_precision if sentence_model is not None else None)


def evaluate_codebook(codebook, *, model: str = "md", split: str = "test", path: str | Path | None = None,
                      fillers: str | None = None, source: str | None = None,
                      sentence_model: str | Path | None = None, target_precision: float | None = None,
                      embedding_cache: str | Path | None = None) -> EvalReport:
    """Evaluate a codebook's rules with the given model on a split (and optionally one source) of the set.

    ``sentence_model``: ``"builtin"``, a model file, or None (the rules alone);
    ``target_precision``: its operating point (:meth:`SentenceModel.at_precision`); ``embedding_cache``: a
    folder where a model with an encoder block (``builtin-e5``) keeps its embeddings (None: embedded each time).
    """
    from .sentence.model import load_sentence_model, resolve_model_path
    from .extract import Extractor
    from .pipeline import PipelineSpec, load_pipeline, model_package
    sentences = load_eval_set(path, split, source)
    if source is not None and not sentences:
        known = sorted({s.source for s in load_eval_set(path)})
        raise ExporterreError(tr(f"Aucune phrase de la source « {source} » dans le jeu d'évaluation.",
                                 f"No sentence from source '{source}' in the evaluation set."),
                              tr(f"Sources présentes : {', '.join(known)}.", f"Sources in the set: {', '.join(known)}."))
    model_path = resolve_model_path(None if sentence_model is None else str(sentence_model))
    trained, below = None, []
    if model_path is not None:
        trained, below = load_sentence_model(model_path).at_precision(target_precision)
        if trained.encoder and embedding_cache is not None:
            from dataclasses import replace

            from .embedding_cache import cached_embedder
            from .sentence.encoding import model_encoder
            trained = replace(trained, embedder=cached_embedder(model_encoder(trained), embedding_cache)[0])
    nlp = load_pipeline(PipelineSpec(model_package(model), "full", fillers))
    report = evaluate(sentences, nlp, Extractor(codebook, nlp.vocab), split=split, sentence_model=trained)
    report.below_target = tuple(below)
    return report
