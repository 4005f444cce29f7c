"""Give each labelled sentence the question it answers (``"context"``), where it is known.

``python experiments/add_contexts.py`` (needs ../shared/corpora) rewrites ``nlp_eval.jsonl`` and
``nlp_train.jsonl`` in place, adding ``"context"`` after ``"text"``:

- a Grand Débat answer: the question of the form (``responses_labeled.csv``, by the reference in the
  sentence's id);
- a demo corpus sentence: the interviewer's last line before it in its transcript (the same reading
  of the .txt/.md files as ``select_sentences.py``); none before the first question;
- Rhapsodie and ParisStories sentences: none (conversations, not interviews).

Only inputs are added: no label, text or split changes. The sentence model learns from the question
(``sentence_model.context_terms``), as ``analyse`` gives it each turn's last interviewer question.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "corpora"
sys.path.insert(0, str(HERE))
from select_sentences import sentences as split_sentences  # noqa: E402

INTERVIEWER = ("E", "Q", "Enq.", "Enquêtrice", "Enquêteur", "E1", "E2")   # as select_sentences.py


LABELLED = Path(__file__).resolve().parents[1] / "exporterre_nlp" / "data" / "labelled"


def demo_questions() -> dict[str, str | None]:
    """Demo sentence id → the interviewer's last line before it (numbered as select_sentences.py)."""
    out: dict[str, str | None] = {}
    n = 0
    for path in sorted((ROOT / "corpus" / "demo").rglob("*")):
        if path.suffix not in (".txt", ".md"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        last = None
        for line in text.splitlines():
            m = re.match(r"^\s*(?:\[[\d:]+\]\s*)?([^:\n]{1,30}?)\s*:\s*(.+)$", line)
            if not m:
                continue
            if m.group(1).strip() in INTERVIEWER:
                last = m.group(2).strip()
                continue
            for _ in split_sentences(m.group(2)):
                out[f"demo-{path.stem}-{n}"] = last
                n += 1
    return out


def granddebat_questions() -> dict[str, str]:
    with open(SHARED / "granddebat-annotated" / "responses_labeled.csv", encoding="utf-8") as fh:
        return {row["reference"]: row["question"].strip() for row in csv.DictReader(fh)}


def context_of(row: dict, demo: dict, debate: dict) -> str | None:
    if row["source"] == "granddebat" and row["id"].startswith("gd-"):
        return debate.get(row["id"][3:].rsplit("-", 1)[0])
    if row["source"] == "demo":
        return demo.get(row["id"])
    return None


def main() -> int:
    if not SHARED.is_dir():
        print(f"shared corpora absent ({SHARED})", file=sys.stderr)
        return 1
    demo, debate = demo_questions(), granddebat_questions()
    for name in ("nlp_eval.jsonl", "nlp_train.jsonl"):
        path = LABELLED / name
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        found = 0
        out = []
        for row in rows:
            context = context_of(row, demo, debate)
            fresh = {}
            for key, value in row.items():
                if key == "context":
                    continue
                fresh[key] = value
                if key == "text" and context:
                    fresh["context"] = context
            found += bool(context)
            out.append(json.dumps(fresh, ensure_ascii=False))
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        print(f"{name}: {found} of {len(rows)} sentences with their question")
    return 0


if __name__ == "__main__":
    sys.exit(main())
