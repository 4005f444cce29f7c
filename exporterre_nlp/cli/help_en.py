"""English help of the commands whose French help is their docstring."""
from __future__ import annotations

COMMAND_HELP_EN = {
    "code": "Open the terminal coding interface: read interviews segment by segment, code, write memos, "
            "validate the machine's suggestions. '?' in the interface lists every key.",
    "pseudo detect": "Detect personal data in the whole corpus and propose it for review. Decisions already "
                     "taken are kept; running again creates no duplicates.",
    "pseudo review": "List the detections to review (number, document, words, proposed pseudonym, detector, "
                     "score). Then decide with 'exporterre pseudo accept N…' or 'reject N…'.",
    "pseudo accept": "Accept detections: they will be replaced by their pseudonym.",
    "pseudo reject": "Reject detections (not personal data: the text stays as it is).",
    "pseudo edit": "Choose another pseudonym (for the same person in the whole project, and in the key).",
    "pseudo add": "Add by hand what detection missed: every occurrence of the words in the document (accepted).",
    "pseudo show": "Show the pseudonymised text of a document (only accepted detections are applied).",
    "pseudo export": "Write the pseudonymised texts (one .txt per document). The key is never copied.",
    "report": "Write the whole report: rapport.md, rapport.html, CSV/XLSX tables, PNG charts, manifest.json.",
    "compare": "Codes × phase table (or any attribute) with Lafon specificities: what sets the phases apart.",
    "agreement": "Agreement between coders (Cohen's κ, Krippendorff's α) per code, over the segments coded by "
                 "either.",
    "analyse": "Analyse the French corpus (lemmas, syntax, entities) and propose codings: needs, concerns, "
               "skills, resources and places found by the codebook's rules, reviewed by the sentence model "
               "(which adds sentences the rules missed and drops unlikely findings). Proposals wait for your "
               "validation (status 'pending'); running again creates no duplicate and never touches your "
               "codings. Segments already analysed are read back from the cache.",
    "extractions": "List the analysis findings: what, who, where, and the exact quote.",
    "kwic": "Concordance (KWIC): every occurrence with its context, document and speaker.",
    "freq": "Word frequencies without hesitations (euh, ben, du coup…), transcription marks or repetitions; "
            "overall or per phase / lieu.",
    "eval": "Measure the precision and recall of the suggestions (extraction rules, and the sentence model) on "
            "real, hand-labelled sentences.",
    "train-model": "Train the sentence model that proposes, beside the rules, the sentences expressing a need, "
                   "a concern, a skill, a resource or a place that the rules did not find. To use it in a "
                   "project: extraction.sentence_model: PATH in settings.yaml, then 'analyse'. With --project, "
                   "the model also learns from the decisions made in the project (--use enables it there).",
    "themes": "Recurring themes of residents' speech (BERTopic, interviewer left out), linked to the codebook. "
              "Without options: fit (or reuse an identical run), store and print the themes table. --show, --by, "
              "--segments, --link and --unlink read the latest run without fitting anything. A theme stays a "
              "theme: '--link T C' accepts for the whole theme that it resembles code C; no coding is written, "
              "and counts of codes never depend on themes.",
    "coverage mark": "Mark documents as coded by you for codebook branches: counts and comparisons use only "
                     "covered documents.",
    "coverage unmark": "Remove your coverage marks (on some branches, or all of them).",
    "coverage show": "Coverage per branch and phase: documents, words and participants covered / total.",
}
