"""The report in words, part 2: code sheets, themes and the vocabulary of each phase."""
from __future__ import annotations

from ..analysis.corpus import phase_label
from ..i18n import tr
from .layout import PHASES, _section, num, reference
from .model import Bullets, CodeSheet, Heading, Image, Paragraph, QuoteBlock, ReportData, Section, Table, TableBlock


def code_sheet_blocks(data: ReportData, sheet: CodeSheet) -> list:
    f = sheet.figures
    blocks: list = [Heading(f"{sheet.label} ({sheet.key})", min(3 + sheet.depth, 5))]
    if sheet.definition:
        blocks.append(Paragraph(tr(f"Définition : {sheet.definition}", f"Definition: {sheet.definition}")))
    blocks.append(Paragraph(tr(f"{f.segments} segments, {f.documents} documents, {f.participants} participants "
                               f"({f.codings} codages).",
                               f"{f.segments} segments, {f.documents} documents, {f.participants} participants "
                               f"({f.codings} codings).")))
    rows = [[phase_label(p), f.by_phase.get(p, {}).get("segments", 0), f.by_phase.get(p, {}).get("documents", 0),
             f.by_phase.get(p, {}).get("participants", 0),
             num(sheet.scores.get(p, 0.0), sign=True) + (" " + sheet.flags[p] if sheet.flags.get(p) else "")]
            if sheet.covered.get(p, True) else [phase_label(p), tr("non codé", "not coded"), "", "", ""]
            for p in PHASES]
    blocks.append(TableBlock(Table(f"fiche_{sheet.key}", "", ["phase", "segments", "documents", "participants",
                                                               tr("spécificité", "specificity")], rows)))
    extra = []
    if f.by_lieu:
        extra.append(tr("Lieux : ", "Places: ") + ", ".join(f"{lieu} ({n})" for lieu, n in list(f.by_lieu.items())[:8]))
    if sheet.lemmas:
        extra.append(tr("Mots caractéristiques : ", "Characteristic words: ")
                     + ", ".join(f"{x.lemma} ({x.count})" for x in sheet.lemmas))
    if sheet.cooccurring:
        extra.append(tr("Souvent avec : ", "Often with: ") + ", ".join(f"{label} ({n})" for _, label, n in
                                                                        sheet.cooccurring))
    if sheet.themes:
        extra.append(tr("Thèmes liés : ", "Related themes: ") + ", ".join(f"{t} · {label} ({n})" for t, label, n in
                                                                          sheet.themes))
    if extra:
        blocks.append(Bullets(extra))
    blocks += [QuoteBlock(q, reference(q)) for q in sheet.quotes]
    return blocks


def codes_section(data: ReportData) -> Section:
    s = _section(data, "codes", tr("Fiches par code", "Code sheets"))
    s.blocks.append(Paragraph(tr("Pour chaque branche et chaque code utilisé : effectifs, répartition par phase et "
                                 "par lieu, mots caractéristiques, codes voisins et citations.",
                                 "For each branch and each code used: counts, spread by phase and place, "
                                 "characteristic words, neighbouring codes and quotes.")))
    for sheet in data.code_sheets:
        s.blocks += code_sheet_blocks(data, sheet)
    if data.uncoded:
        s.blocks.append(Heading(tr("Codes sans aucun segment (dans les documents couverts)",
                                   "Codes with no segment (in the covered documents)")))
        s.blocks.append(Paragraph(", ".join(f"{data.code_labels[k]} ({k})" for k in data.uncoded)))
    if data.not_covered:
        s.blocks.append(Heading(tr("Codes non codés (aucun document couvert)", "Codes not coded (no document covered)")))
        s.blocks.append(Paragraph(", ".join(f"{data.code_labels[k]} ({k})" for k in data.not_covered)))
    return s


def _link_word(decision: tuple[str, str] | None) -> str:
    if decision is None:
        return tr(", lien à décider", ", link to decide")
    status, coder = decision
    return tr(f", lien accepté par {coder}", f", link accepted by {coder}") if status == "accepted" else \
        tr(f", lien refusé par {coder}", f", link rejected by {coder}")


def themes_section(data: ReportData, charts: set[str]) -> Section:
    s = _section(data, "themes", tr("Thèmes", "Themes"))
    if not data.themes:
        s.blocks.append(Paragraph(data.theme_status or tr("Aucun thème.", "No themes.")))
        return s
    method = f", {data.theme_method}" if data.theme_method else ""
    s.blocks.append(Paragraph(tr(f"Thèmes de l'analyse n° {data.theme_run} (BERTopic{method}). Part des unités sans "
                                 f"thème : {num(100 * (data.outlier_share or 0))} %.",
                                 f"Themes of run #{data.theme_run} (BERTopic{method}). Share of units without a "
                                 f"theme: {num(100 * (data.outlier_share or 0))}%.")))
    s.blocks.append(Paragraph(tr(
        "Un thème est une dimension à part, comptée sur ses propres unités (thème × phase, avec ses propres "
        "spécificités) : il n'ajoute aucun codage, et aucun compte de code ne dépend de l'analyse des thèmes. "
        "Le croisement propose « ce thème ressemble à ce code » ; une personne l'accepte ou le refuse pour tout "
        "le thème (exporterre themes --link / --unlink).",
        "A theme is a dimension of its own, counted on its own units (theme × phase, with its own "
        "specificities): it adds no coding, and no count of codes depends on the theme run. The crosswalk "
        "proposes 'this theme resembles this code'; a person accepts or rejects it for the whole theme "
        "(exporterre themes --link / --unlink).")))
    if "themes_tailles.png" in charts:
        s.blocks.append(Image("themes_tailles.png", tr("Taille des thèmes par phase", "Theme sizes by phase")))
    if data.exclusive_themes:
        s.blocks.append(Bullets([tr(f"« {label} » : seulement en phase {phase_label(p)} ({n} unités)",
                                    f"'{label}': only in phase {phase_label(p)} ({n} units)")
                                 for label, p, n in data.exclusive_themes]))
    for t in data.themes:
        s.blocks.append(Heading(f"{t.id} · {t.label}", 3))
        cells = ", ".join(f"{phase_label(p)} : {t.by_phase.get(p, 0)} ({num(t.scores.get(p, 0.0), sign=True)}"
                          f"{' ' + t.flags[p] if t.flags.get(p) else ''})" for p in PHASES)
        items = [tr(f"Taille : {t.size} unités, {t.documents} documents, {t.participants} participants ; "
                    f"par phase : {cells}",
                    f"Size: {t.size} units, {t.documents} documents, {t.participants} participants; "
                    f"by phase: {cells}"),
                 tr("Mots : ", "Words: ") + ", ".join(t.words)]
        if t.by_lieu:
            items.append(tr("Lieux : ", "Places: ") + ", ".join(f"{lieu} ({n})" for lieu, n in
                                                                list(t.by_lieu.items())[:8]))
        if t.codes:
            items.append(tr("Codes proches (croisement au niveau du thème) : ",
                            "Closest codes (theme-level crosswalk): ")
                         + ", ".join(f"{label} ({num(score, 2)}{_link_word(t.links.get(key))})"
                                     for key, label, score in t.codes))
        if t.shared:
            items.append((tr("Codes comptés sur les mêmes segments (suggestions en attente comprises) : ",
                             "Counted codes on the same segments (pending suggestions included): ")
                          if data.include_pending else
                          tr("Codes comptés sur les mêmes segments (codages validés) : ",
                             "Counted codes on the same segments (validated codings): "))
                         + ", ".join(f"{label} ({n})" for _, label, n in t.shared))
        s.blocks.append(Bullets(items))
        s.blocks += [QuoteBlock(q, reference(q)) for q in t.quotes]
        if not t.quotes:
            s.blocks.append(Paragraph(tr(
                "Pas de citation : aucun passage de ce thème ne peut être cité (trop court, ou contenant des "
                "coordonnées personnelles — numéro, e-mail, adresse).",
                "No quote: no passage of this theme can be quoted (too short, or holding contact details — "
                "phone, e-mail, address).")))
    return s


def lexicon_section(data: ReportData) -> Section:
    s = _section(data, "vocabulaire", tr("Vocabulaire propre à chaque phase", "Vocabulary specific to each phase"))
    ls = data.lemma_specificity
    if ls is None or not ls.rows:
        s.blocks.append(Paragraph(tr("Pas assez de texte.", "Not enough text.")))
        return s
    items = []
    for j, p in enumerate(ls.columns):
        top = sorted(((ls.scores[i][j], w, ls.counts[i][j]) for i, w in enumerate(ls.rows) if ls.flags[i][j] == "+"),
                     key=lambda x: (-x[0], x[1]))[:12]
        words = ", ".join(f"{w} ({n})" for _, w, n in top) or tr("aucun mot signalé", "no word flagged")
        items.append(f"{phase_label(p)} : {words}")
    s.blocks.append(Bullets(items))
    s.blocks.append(Paragraph(tr("Lemmes (noms, verbes, adjectifs) sur-représentés dans la phase, en occurrences ; "
                                 "tableau complet : tableaux/lemmes_par_phase.csv.",
                                 "Lemmas (nouns, verbs, adjectives) over-represented in the phase, in tokens; full "
                                 "table: tableaux/lemmes_par_phase.csv.")))
    return s
