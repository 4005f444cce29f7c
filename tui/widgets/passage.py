"""Rich text for a suggestion: its code, its evidence and the turns around it."""
from __future__ import annotations

from typing import Any

from rich.text import Text

from exporterre_nlp.categories import category_name as category_label
from exporterre_nlp.coding_tools import readable_on
from exporterre_nlp.i18n import tr
from exporterre_nlp.store.views import Passage, SuggestionItem

# Evidence fields commonly found in suggestion details, with their labels.
_FIELDS = {
    "category": ("catégorie", "category"), "rule_id": ("règle", "rule"), "rule": ("règle", "rule"),
    "description": ("règle", "rule"), "words": ("mots", "words"), "matched": ("mots repérés", "matched words"),
    "match": ("mots repérés", "matched words"), "trigger": ("déclencheur", "trigger"),
    "object": ("objet", "object"), "theme_words": ("mots du thème", "theme words"),
    "topic_words": ("mots du thème", "theme words"), "keywords": ("mots-clés", "keywords"),
    "theme": ("thème", "theme"), "topic": ("thème n°", "theme #"), "label": ("libellé du thème", "theme label"),
    "negated": ("négation", "negated"), "reported": ("discours rapporté", "reported speech"),
    "similarity": ("similarité", "similarity"), "probability": ("probabilité", "probability"),
    "object_lemmas": ("lemmes de l'objet", "object lemmas"), "shared_words": ("mots communs thème/code",
                                                                            "words shared by theme and code"),
    "run": ("analyse n°", "run #"), "evidence": ("mots qui ont pesé", "words that weighed"),
}
# Shown elsewhere on the screen (speaker, role in the passage) or internal.
_HIDDEN = {"suggested_code_id", "speaker", "role"}


def origin_label(origin: str) -> str:
    kind, _, ident = origin.partition(":")
    if kind == "rule":
        return tr(f"règle {ident}", f"rule {ident}")
    if kind == "topic":
        return tr(f"thème {ident}", f"theme {ident}")
    if kind == "model":
        return tr(f"modèle de phrases {ident}", f"sentence model {ident}")
    return origin


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return tr("oui", "yes") if value else tr("non", "no")
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_value(v)}" for k, v in value.items())
    return str(value)


def evidence_text(item: SuggestionItem) -> Text:
    """Code, origin, score and every evidence field of a suggestion."""
    out = Text()
    out.append(" ■ ", style=f"{item.color}")
    out.append(item.path, style="bold")
    out.append(f"   {origin_label(item.origin)}", style="italic")
    if item.score is not None:
        out.append(f"   score {item.score:.2f}")
    out.append(f"\n {item.document} · phase {item.phase}" + (f" · {item.lieu}" if item.lieu else ""), style="dim")
    shown = 0
    for key, value in item.details.items():
        if key in _HIDDEN or value in (None, "", [], {}):
            continue
        label = tr(*_FIELDS[key]) if key in _FIELDS else key
        out.append(f"\n {label} : ", style="dim")
        out.append(category_label(value) if key == "category" and isinstance(value, str) else _value(value))
        shown += 1
    if not shown:
        out.append("\n " + tr("(pas d'autre indice enregistré)", "(no other evidence recorded)"), style="dim")
    return out


def passage_text(passage: Passage, color: str) -> Text:
    """The turns of a passage, the suggested words highlighted in the code's colour."""
    out = Text()
    for n, turn in enumerate(passage.turns):
        if n:
            out.append("\n")
        holds = turn.start <= passage.start < turn.start + len(turn.text) or (
            turn.start < passage.end <= turn.start + len(turn.text))
        speaker = (turn.speaker or "—")
        label_style = "dim" if turn.role == "interviewer" else "bold"
        out.append(f" {speaker} : ", style=label_style)
        body = Text(turn.text.replace("\n", " "), style="dim italic" if turn.role == "interviewer" else "")
        if holds:
            a = max(passage.start - turn.start, 0)
            b = min(passage.end - turn.start, len(turn.text))
            body.stylize(f"{readable_on(color)} on {color} bold", a, b)
        out.append_text(body)
    return out
