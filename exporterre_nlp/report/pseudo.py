"""A pseudonymised report (``exporterre report --pseudonymise``).

Figures and quote *choices* are computed on the stored text, exactly as without
the option (same counts, same quotes, same references). Then everything the
report shows of participants' words goes through a
:class:`~exporterre_nlp.pseudo.view.TextView`:

- quotes: the words of their original span in the pseudonymised document
  (``PseudonymisedDocument.quote``); speaker labels and voices pseudonymised;
  ``start``/``end`` stay offsets of the *stored* text (the research team, who
  holds the original, can find them; the report says so);
- theme labels and extracted objects (texts without offsets): accepted surfaces
  replaced by their pseudonyms (:meth:`TextView.scrub`);
- lemmas and theme words: words of people's names (accepted *or pending* person
  detections) are dropped before any count (:func:`drop_person_lemmas`), so the
  vocabulary lists and their specificities are computed on non-name tokens.

The report states on its first page that it is pseudonymised and how many
replacements were applied; when detections wait for review, when accepted ones
no longer match the text, or when detection was never run, a warning heads every
section, the HTML banner, every XLSX sheet, and ``manifest.json``.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..i18n import tr
from .model import Note, ReportData

CATEGORY_FR = {"person": "personnes", "phone": "téléphones", "email": "courriels", "nir": "n° de sécurité sociale",
               "address": "adresses"}
CATEGORY_EN = {"person": "people", "phone": "phones", "email": "e-mails", "nir": "social-security numbers",
               "address": "addresses"}


def drop_person_lemmas(lemmas: dict[int, list[str]], words: frozenset[str]) -> tuple[dict[int, list[str]], int]:
    """Units' lemmas without the words of people's names; also returns how many tokens were dropped."""
    if not words:
        return lemmas, 0
    out, dropped = {}, 0
    for sid, items in lemmas.items():
        kept = [w for w in items if w.lower() not in words and not any(p in words for p in w.lower().split("'"))]
        dropped += len(items) - len(kept)
        out[sid] = kept
    return out, dropped


def _voice(view, q) -> str:
    """``document/label`` voices carry a speaker label: pseudonymise it; participant keys are pseudonymous."""
    if "/" in q.voice and q.speaker and q.voice.endswith("/" + q.speaker):
        return q.voice[: -len(q.speaker)] + (view.speaker(q.document_id, q.speaker) or "")
    return view.scrub(q.voice)


def pseudonymised_quote(view, q):
    """A quote as ``view`` shows it: its words, speaker and voice pseudonymised; offsets unchanged."""
    return replace(q, text=view.quote(q.document_id, q.start, q.end), speaker=view.speaker(q.document_id, q.speaker),
                   voice=_voice(view, q))


def pseudonymise_data(data: ReportData, view, person_words: frozenset[str], lemmas_dropped: int) -> None:
    """Replace, in ``data``, every text that comes from participants by its pseudonymised version."""
    for sheet in data.code_sheets:
        sheet.quotes = [pseudonymised_quote(view, q) for q in sheet.quotes]
        sheet.themes = [(t, view.scrub(label), n) for t, label, n in sheet.themes]
    for theme in data.themes:
        theme.label = view.scrub(theme.label)
        theme.words = [w for w in theme.words if not set(w.lower().split()) & person_words]
        theme.words = [view.scrub(w) for w in theme.words]
        theme.quotes = [pseudonymised_quote(view, q) for q in theme.quotes]
    data.exclusive_themes = [(view.scrub(label), p, n) for label, p, n in data.exclusive_themes]
    if data.theme_specificity is not None:
        data.theme_specificity = replace(data.theme_specificity, labels={
            k: view.scrub(v) for k, v in data.theme_specificity.labels.items()})
    data.extraction = [replace(row, top_objects=[(view.scrub(o), n) for o, n in row.top_objects])
                       for row in data.extraction]
    status = view.status()
    data.pseudo = {
        "pseudonymised": True,
        "applied": status.applied,
        "accepted_by_category": status.accepted_by_category,
        "pending": status.pending,
        "stale": status.stale,
        "detections": status.detections,
        "detection_run": not status.never_run,
        "complete": status.complete,
        "documents": status.documents,
        "lemma_tokens_dropped": lemmas_dropped,
        "person_words_excluded_from_vocabulary": len(person_words),
        "positions": "stored text (original, held by the research team)",
        "warnings": pseudo_warnings(status),
    }


def pseudo_warnings(status) -> list[str]:
    """Why a pseudonymised report may still hold personal data (empty when nothing is left to do)."""
    out = []
    if status.never_run:
        out.append(tr("Aucune détection de données personnelles n'a été faite (« exporterre pseudo detect » n'a pas "
                      "été lancé) : rien n'a été remplacé, les citations reproduisent le texte d'origine.",
                      "No personal-data detection was ever run ('exporterre pseudo detect' was not run): nothing "
                      "was replaced, quotes reproduce the original text."))
    if status.pending:
        out.append(tr(f"{status.pending} détection(s) de données personnelles attendent encore une relecture : "
                      "elles ne sont PAS remplacées dans ce rapport (exporterre pseudo review).",
                      f"{status.pending} personal-data detection(s) still await review: they are NOT replaced in "
                      "this report (exporterre pseudo review)."))
    if status.stale:
        out.append(tr(f"{status.stale} remplacement(s) accepté(s) ne correspondent plus au texte modifié et ne sont "
                      "pas appliqués : relancez « exporterre pseudo detect ».",
                      f"{status.stale} accepted replacement(s) no longer match the changed text and are not "
                      "applied: run 'exporterre pseudo detect' again."))
    return out


def pseudo_banner(data: ReportData) -> str | None:
    """The warning every page carries when a pseudonymised report may still hold personal data."""
    if not data.pseudo or not data.pseudo["warnings"]:
        return None
    return tr("Rapport pseudonymisé INCOMPLET : ", "INCOMPLETE pseudonymised report: ") + " ".join(
        data.pseudo["warnings"])


def _categories(by: dict[str, int]) -> str:
    names = CATEGORY_FR if tr("fr", "en") == "fr" else CATEGORY_EN
    return ", ".join(f"{names.get(c, c)} {n}" for c, n in by.items())


def pseudo_statement(data: ReportData) -> str | None:
    """First-page statement: the report is pseudonymised, with how many replacements."""
    p = data.pseudo
    if not p:
        return None
    cats = _categories(p["accepted_by_category"])
    detail = f" ({cats})" if cats else ""
    return tr(f"Rapport pseudonymisé : {p['applied']} remplacement(s) de données personnelles accepté(s) à la "
              f"relecture appliqué(s) dans les {p['documents']} documents{detail}. Citations, locuteurs, libellés "
              "de thèmes et objets extraits montrent les pseudonymes ; les noms de personnes sont retirés du "
              "vocabulaire. Les positions des citations (caractères) renvoient au texte d'origine, conservé par "
              "l'équipe de recherche.",
              f"Pseudonymised report: {p['applied']} personal-data replacement(s) accepted in review applied in the "
              f"{p['documents']} documents{detail}. Quotes, speakers, theme labels and extracted objects show the "
              "pseudonyms; people's names are removed from the vocabulary. Quote positions (characters) refer to "
              "the original text, held by the research team.")


def pseudo_notes(data: ReportData) -> list[Note]:
    """Notes opening the first section: the statement, then the warning if any."""
    out = []
    statement = pseudo_statement(data)
    if statement:
        out.append(Note(statement, "info"))
    return out


def manifest_part(data: ReportData) -> dict[str, Any]:
    if not data.pseudo:
        return {}
    return {"pseudonymisation": dict(data.pseudo)}
