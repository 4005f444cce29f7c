"""Measure pseudonymisation on real speech (UD Rhapsodie + ParisStories) and on spoken forms.

Gold (``gold_persons.tsv``, next to this file): every mention of a person's name in the two
shared treebanks, hand-labelled in context: ``private`` (a person of the speakers' lives),
``public`` (public figures, journalists and experts on air, fictional characters),
``place_person`` (a person's name inside a place, school, shop or stop name),
``saint`` (Saint-X place names). Stored as corpus + sentence id + character offsets in
the sentence text + the first 8 hex digits of the SHA-1 of the words (a check, not the
words): the corpus text is never copied here. ``spoken.tsv``: sentences written for this
bench (our own text) with spelled-out names, forms of address, spoken phone numbers and
addresses, in ``{words|label}`` marks.

Usage: ``python -m benchmarks.pseudo.measure [--no-ner] [--json OUT]``. It builds a
throw-away project (one document per recording, ``L1 : sentence`` lines), runs
``pseudo detect``, and prints recall of private-person mentions per kind, what the person
proposals are (private / public / place / other), the share flagged as place or public
figure, addresses and phones, the second-pass agreement, and the detection time.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPORA = Path(os.environ.get("EXPORTERRE_SHARED_CORPORA") or ROOT.parent / "shared" / "corpora")
MARK = re.compile(r"\{([^{}|]+)\|([a-z_]+)\}")


def read_gold() -> dict[str, list[dict]]:
    by_sent: dict[str, list[dict]] = defaultdict(list)
    with (HERE / "gold_persons.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            row["start"], row["end"] = int(row["start"]), int(row["end"])
            by_sent[row["sent_id"]].append(row)
    return by_sent


def read_corpus() -> dict[str, list[tuple[str, str, str]]]:
    """doc id -> [(sent_id, speaker, text)], both treebanks."""
    docs: dict[str, list] = defaultdict(list)
    for name in ("ud-rhapsodie", "ud-parisstories"):
        with (CORPORA / name / "sentences.tsv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                docs[row["doc_id"]].append((row["sent_id"], row["speaker"].lstrip("$") or "L1", row["text"]))
    return dict(docs)


def read_spoken() -> tuple[dict[str, list], dict[str, list[dict]]]:
    """Our own sentences: doc -> [(sent_id, speaker, text)], sent_id -> gold spans."""
    docs: dict[str, list] = defaultdict(list)
    gold: dict[str, list[dict]] = defaultdict(list)
    with (HERE / "spoken.tsv").open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if not line.strip() or line.startswith("#"):
                continue
            doc, speaker, marked = line.rstrip("\n").split("\t")
            sid = f"spoken-{n}"
            text, pos = "", 0
            for m in MARK.finditer(marked):
                text += marked[pos:m.start()]
                words, label = m.group(1), m.group(2)
                gold[sid].append({"start": len(text), "end": len(text) + len(words), "label": label,
                                  "kind": label.split("_", 1)[1] if label.startswith("private_") else ""})
                text += words
                pos = m.end()
            text += marked[pos:]
            docs[doc].append((sid, speaker, text))
    for spans in gold.values():
        for g in spans:
            if g["label"].startswith("private_"):
                g["label"] = "private"
    return dict(docs), dict(gold)


def build(project_dir: Path, docs: dict[str, list]) -> None:
    from exporterre_nlp import Project
    from exporterre_nlp.importer import ingest_paths
    src = project_dir.parent / "src"
    src.mkdir(parents=True, exist_ok=True)
    for doc, sents in docs.items():
        (src / f"{doc}.txt").write_text("".join(f"{spk} : {text}\n" for _, spk, text in sents), encoding="utf-8")
    project = Project.init(project_dir)
    results = ingest_paths(project, [src], metadata={"phase": 3})
    bad = [r for r in results if r.status == "error"]
    assert not bad, bad[:1]
    project.close()


def candidates_by_sentence(project, docs) -> tuple[dict[str, list], float, dict]:
    """sent_id -> [(start, end, category, detector, note, status)] in sentence offsets."""
    from exporterre_nlp.pseudo.detect import detect
    t0 = time.perf_counter()
    result = detect(project)
    seconds = time.perf_counter() - t0
    store = project.store
    out: dict[str, list] = defaultdict(list)
    names = {d.name: d.id for d in store.list_documents()}
    for doc, sents in docs.items():
        doc_id = next(v for k, v in names.items() if k == doc or Path(k).stem == doc)
        text = store.get_document(doc_id).text
        cands = store.list_pseudo_candidates(document_id=doc_id)
        pos = 0
        for sid, _, sent in sents:          # each line "SPEAKER : sentence", in order
            base = text.find(sent, pos)
            assert base >= 0, (doc, sid)
            pos = base + len(sent)
            for c in cands:
                if base <= c.start < base + len(sent):
                    out[sid].append((c.start - base, c.end - base, c.category, c.detector, c.note or "",
                                     c.status))
    return out, seconds, {"by_category": result.by_category, "by_detector": result.by_detector}


def _covered(g, cands, categories, unflagged: bool = False) -> bool:
    chars = set(range(g["start"], g["end"]))
    for s, e, cat, _det, note, _st in cands:
        if cat in categories and not (unflagged and note in ("lieu", "personnalité publique")):
            chars -= set(range(s, e))
    return not chars


PERSONISH = ("person",)


def _cause(g, words: str, proposed_words: set[str]) -> str:
    """Why a private mention was missed, in the issue's terms."""
    from exporterre_nlp.pseudo.lexicon import load_lexicon
    if g["kind"] in ("spelled",):
        return "spelled out"
    if g["kind"] in ("address", "family"):
        return "form of address"
    if words.casefold() in proposed_words:
        return "found elsewhere, missed here"
    if g["kind"] == "truncated":
        return "truncated"
    if not load_lexicon().is_first_name(words.split()[0]):
        return "not in the first-name list, missed by NER"
    return "in the list, missed (ambiguous or NER)"


def score(gold: dict[str, list[dict]], cands: dict[str, list], sents: dict[str, str]) -> dict:
    recall: dict[str, Counter] = defaultdict(Counter)
    misses = []
    causes = Counter()
    flagged_private = []
    proposed_words = {sents[sid][c[0]:c[1]].casefold() for sid, cs in cands.items() for c in cs if c[2] == "person"}
    for sid, spans in gold.items():
        for g in spans:
            if g["label"] != "private":
                continue
            ok = _covered(g, cands.get(sid, []), PERSONISH)
            recall[g["kind"] or "first"]["found" if ok else "missed"] += 1
            recall["all"]["found" if ok else "missed"] += 1
            if _covered(g, cands.get(sid, []), PERSONISH, unflagged=True):
                recall["all_unflagged"]["found"] += 1
            else:
                recall["all_unflagged"]["missed"] += 1
                if ok:
                    flagged_private.append((sid, sents[sid][g["start"]:g["end"]]))
            if not ok:
                misses.append((sid, g["kind"], sents[sid][g["start"]:g["end"]]))
                causes[_cause(g, sents[sid][g["start"]:g["end"]], proposed_words)] += 1
    flagged = Counter()
    others = Counter()
    unflagged = Counter()
    for sid, cs in cands.items():
        for s, e, cat, det, note, _ in cs:
            if cat != "person":
                continue
            over = [g["label"] for g in gold.get(sid, []) if g["start"] < e and s < g["end"]]
            label = ("private" if "private" in over else "public" if "public" in over
                     else "place" if ("place_person" in over or "saint" in over) else "other")
            key = "place" if note == "lieu" else ("public" if note == "personnalité publique" else "person")
            flagged[(key, label)] += 1
            if label == "other":
                others[f"{sents[sid][s:e]} ({det})"] += 1
            elif key == "person" and label in ("public", "place"):
                unflagged[f"{label}: {sents[sid][s:e]}"] += 1
    person_props = sum(v for (k, _), v in flagged.items() if k == "person")
    all_props = sum(flagged.values())
    out = {
        "recall": {k: {"found": v["found"], "total": v["found"] + v["missed"],
                       "recall": round(v["found"] / max(1, v["found"] + v["missed"]), 3)} for k, v in recall.items()},
        "proposals": {f"{k}/{lab}": v for (k, lab), v in sorted(flagged.items())},
        "precision_person": round(flagged[("person", "private")] / max(1, person_props), 3),
        "precision_all_proposals": round(sum(v for (_, lab), v in flagged.items() if lab == "private")
                                         / max(1, all_props), 3),
        "share_flagged_place": round(sum(v for (k, _), v in flagged.items() if k == "place") / max(1, all_props), 3),
        "share_flagged_public": round(sum(v for (k, _), v in flagged.items() if k == "public") / max(1, all_props),
                                      3),
        "private_flagged": sum(v for (k, lab), v in flagged.items() if k != "person" and lab == "private"),
        "misses": misses,
        "miss_causes": dict(causes),
        "private_found_only_flagged": flagged_private,
        "other_proposals": others.most_common(40),
        "unflagged_public_or_place": unflagged.most_common(60),
    }
    non_private_gold = sum(1 for spans in gold.values() for g in spans if g["label"] != "private")
    out["non_private_gold_mentions"] = non_private_gold
    return out


def score_contacts(gold, cands, sents) -> dict:
    out = {}
    for cat in ("phone", "address"):
        spans = [(sid, g) for sid, gs in gold.items() for g in gs if g["label"] == cat]
        found = sum(1 for sid, g in spans if _covered(g, cands.get(sid, []), (cat,)))
        props = [(sid, c) for sid, cs in cands.items() for c in cs if c[2] == cat]
        right = sum(1 for sid, c in props if any(g["label"] == cat and g["start"] < c[1] and c[0] < g["end"]
                                                   for g in gold.get(sid, [])))
        out[cat] = {"found": found, "total": len(spans), "proposals": len(props), "correct_proposals": right,
                    "missed": [sents[sid][g["start"]:g["end"]] for sid, g in spans
                               if not _covered(g, cands.get(sid, []), (cat,))]}
    return out


def second_pass(gold) -> dict:
    """Second pass by another, independent procedure over ParisStories (personal anecdotes): every
    run of the treebank's gold PROPN tokens is labelled by a syntactic rule that uses neither the
    first labels nor the detector's lists: private when the run is one word, not after a preposition
    or a place noun (à, en, de, au, rue, place…), and has a person's syntactic role (subject, object,
    oblique argument, vocative, apposition, conjunct, modifier of a noun) or follows "s'appelle"."""
    roles = {"nsubj", "obj", "iobj", "obl:arg", "vocative", "appos", "conj", "nmod", "nsubj:pass", "dislocated",
             "obl:mod", "root"}
    not_before = {"à", "en", "au", "aux", "de", "d'", "du", "des", "rue", "place", "avenue", "boulevard", "la", "le",
                  "l'", "sur", "vers", "par"}
    agree = Counter()
    for path in sorted((CORPORA / "ud-parisstories").glob("*.conllu")):
        sid, toks, text = None, [], ""
        for line in path.read_text(encoding="utf-8").splitlines() + [""]:
            if line.startswith("# sent_id"):
                sid = line.split("=", 1)[1].strip()
            elif line.startswith("# text ="):
                text = line.split("=", 1)[1].strip()
            elif line and not line.startswith("#"):
                c = line.split("\t")
                if "-" not in c[0] and "." not in c[0]:
                    toks.append((c[1], c[3], c[7]))
            elif not line and sid:
                pos = 0
                for i, (form, upos, deprel) in enumerate(toks):
                    at = text.find(form, pos)
                    if at >= 0:
                        pos = at + len(form)
                    if upos != "PROPN" or at < 0 or (i and toks[i - 1][1] == "PROPN"):
                        continue
                    j = i + 1
                    while j < len(toks) and toks[j][1] == "PROPN":
                        j += 1
                    prev = toks[i - 1][0].lower() if i else ""
                    named = i >= 1 and toks[i - 1][0].lower().startswith("appel")
                    rule = ("private" if j - i == 1 and not form.isupper() and prev not in not_before
                            and (deprel.split(":")[0] in {r.split(":")[0] for r in roles} or named) else "not")
                    hand = "not"
                    for g in gold.get(sid, []):
                        if g["start"] <= at < g["end"]:
                            hand = "private" if g["label"] == "private" else "not"
                    agree[(hand, rule)] += 1
                sid, toks = None, []
    n = sum(agree.values())
    po = (agree[("private", "private")] + agree[("not", "not")]) / max(1, n)
    p_hand = (agree[("private", "private")] + agree[("private", "not")]) / max(1, n)
    p_rule = (agree[("private", "private")] + agree[("not", "private")]) / max(1, n)
    pe = p_hand * p_rule + (1 - p_hand) * (1 - p_rule)
    return {"runs": n, "table": {f"hand={h}/rule={r}": v for (h, r), v in sorted(agree.items())},
            "agreement": round(po, 3), "kappa": round((po - pe) / (1 - pe), 3) if pe < 1 else None}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-ner", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--keep", help="keep the project in this folder (reused when it exists)")
    args = ap.parse_args(argv)
    if not (CORPORA / "ud-rhapsodie" / "sentences.tsv").exists():
        print(f"shared corpora absent: {CORPORA}", file=sys.stderr)
        return 2
    from exporterre_nlp import Project
    gold = read_gold()
    docs = read_corpus()
    spoken_docs, spoken_gold = read_spoken()
    sents = {sid: text for d in list(docs.values()) + list(spoken_docs.values()) for sid, _, text in d}
    for sid, spans in gold.items():
        for g in spans:
            words = sents[sid][g["start"]:g["end"]]
            assert hashlib.sha1(words.encode()).hexdigest()[:8] == g["sha1"], (sid, g)
    all_docs = {**docs, **spoken_docs}
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(args.keep) if args.keep else Path(tmp) / "p" / "projet"
        if not (args.keep and where.exists()):       # --keep DIR again: reuse its parse cache
            build(where, all_docs)
        project = Project.open(where)
        if args.no_ner:
            project.settings.pseudo.use_ner = False
        cands, seconds, info = candidates_by_sentence(project, all_docs)
        project.close()
    real = score(gold, {k: v for k, v in cands.items() if not k.startswith("spoken-")}, sents)
    spoken = score({k: [g for g in v if g["label"] in ("private", "public", "place_person", "saint")]
                    for k, v in spoken_gold.items()}, {k: v for k, v in cands.items() if k.startswith("spoken-")},
                   sents)
    report = {"seconds_detect": round(seconds, 1), "documents": len(all_docs), "real": real,
              "spoken_persons": spoken, "spoken_contacts": score_contacts(spoken_gold, cands, sents),
              "second_pass": second_pass(gold), "detect": info}
    text = json.dumps(report, ensure_ascii=False, indent=1)
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
