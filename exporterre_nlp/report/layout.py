"""The report in words: :class:`ReportData` → sections of blocks (French by default).

This is the text the team hands to the city and to residents. It says what
was counted and how, in every section when pending machine suggestions are
included, and it quotes people with the exact place of their words.
"""
from __future__ import annotations

from ..analysis.corpus import phase_label
from ..i18n import get_language, tr
from .model import (Bullets, Heading, Image, Note, Paragraph, ReportData, Section, Table,
                    TableBlock)
from .pseudo import pseudo_banner, pseudo_notes

PHASES = ("1", "2", "3")


def num(x: float, digits: int = 1, sign: bool = False) -> str:
    text = f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"
    return text.replace(".", ",") if get_language() == "fr" else text


def pending_note(data: ReportData) -> Note | None:
    if not data.include_pending:
        return None
    return Note(tr("Attention : ces chiffres incluent les suggestions de la machine en attente de validation "
                   "(statut « pending »), en plus des codages décidés par l'équipe.",
                   "Warning: these figures include the machine's suggestions awaiting review (status 'pending'), "
                   "on top of the team's decisions."), "warning")


def _section(data: ReportData, anchor: str, title: str) -> Section:
    s = Section(anchor, title)
    for note in (pending_note(data), pseudo_warning_note(data)):
        if note:
            s.blocks.append(note)
    return s


def pseudo_warning_note(data: ReportData) -> Note | None:
    banner = pseudo_banner(data)
    return Note(banner, "warning") if banner else None


def reference(q) -> str:
    who = q.speaker or tr("notes de terrain", "field notes")
    if q.voice and q.voice != q.speaker and "/" not in q.voice and q.voice != q.document:
        who += f" ({q.voice})"
    parts = [q.document, who, tr("phase ", "phase ") + phase_label(q.phase)]
    if q.lieu:
        parts.append(q.lieu)
    parts.append(tr(f"segment {q.position + 1}, caractères {q.start}–{q.end}",
                    f"segment {q.position + 1}, characters {q.start}–{q.end}"))
    return " · ".join(parts)


def privacy_bullet(data: ReportData) -> str:
    if data.pseudo:
        return tr("Les personnes sont désignées par leur étiquette de locuteur pseudonymisée ou leur clé "
                  "pseudonyme ; noms, téléphones, courriels, adresses et numéros de sécurité sociale acceptés à la "
                  "relecture (exporterre pseudo) sont remplacés par des pseudonymes. Un passage contenant un courriel, "
                  "un téléphone, un numéro de sécurité sociale ou une adresse n'est de toute façon jamais cité.",
                  "People are named by their pseudonymised speaker label or pseudonymous key; names, phones, "
                  "e-mails, addresses and social-security numbers accepted in review (exporterre pseudo) are "
                  "replaced by pseudonyms. A passage holding an e-mail, a phone, a social-security number or an "
                  "address is never quoted anyway.")
    return tr("Les personnes sont désignées par leur étiquette de locuteur ou leur clé pseudonyme. Un passage "
              "contenant un courriel, un numéro de téléphone, un numéro de sécurité sociale ou une adresse n'est "
              "jamais cité ; les noms, eux, ne sont pas détectés : les citations reproduisent le texte stocké, ne "
              "diffusez ce rapport qu'à partir d'un corpus pseudonymisé.",
              "People are named by their speaker label or pseudonymous key. A passage holding an e-mail, a phone "
              "number, a social-security number or a street address is never quoted; names are not detected: "
              "quotes reproduce the stored text, share this report only from a pseudonymised corpus.")


def intro(data: ReportData) -> Section:
    s = _section(data, "a-propos", tr("À propos de ce rapport", "About this report"))
    s.blocks[:0] = pseudo_notes(data)
    counted = tr("les codages décidés par l'équipe (codages manuels et suggestions acceptées)",
                 "the team's decisions (manual codings and accepted suggestions)")
    if data.include_pending:
        counted += tr(", plus les suggestions de la machine encore en attente",
                      ", plus the machine's suggestions still pending")
    s.blocks += [
        Paragraph(tr(f"Ce rapport résume ce que disent les personnes rencontrées aux trois phases du terrain "
                     f"(1 — relais, 2 — lieux, 3 — habitants) : pour chaque code du livre de codes et pour chaque "
                     f"thème, combien de passages, où, par qui, avec des citations. Sont comptés {counted}.",
                     f"This report summarises what the people met in the three fieldwork phases said "
                     f"(1 — relais, 2 — places, 3 — residents): for each code and each theme, how many passages, "
                     f"where, by whom, with quotes. Counted: {counted}.")),
        Bullets([
            tr("Unité de compte : le segment (un tour de parole, un sous-titre ou un paragraphe de notes). "
               "Les questions de l'enquêteur ne sont pas comptées." if not data.include_interviewer else
               "Unité de compte : le segment (un tour de parole, un sous-titre ou un paragraphe de notes), "
               "questions de l'enquêteur comprises.",
               "Unit of count: the segment (a speaker turn, a subtitle cue or a paragraph of notes). "
               "Interviewer questions are not counted." if not data.include_interviewer else
               "Unit of count: the segment, interviewer questions included."),
            tr("Un segment porte une branche du livre de codes s'il porte ce code ou un code en dessous ; "
               "il n'est compté qu'une fois par ligne.",
               "A segment carries a branch if it carries that code or one below it; it counts once per row."),
            tr("« Participants » : personnes distinctes (clé pseudonyme) ; pour les notes de terrain sans "
               "locuteur, le document compte pour une voix.",
               "'Participants': distinct people (pseudonymous key); field notes without a speaker count as one "
               "voice per document."),
            tr("Spécificité (Lafon, comme TXM et IRaMuTeQ) : logarithme décimal signé de la probabilité "
               "hypergéométrique d'observer au moins autant (+) ou au plus autant (−) de segments par hasard. "
               f"+2 signifie p = 1 % ; une case est signalée à partir de ±{num(data.phase_specificity.threshold)}.",
               "Specificity (Lafon, as in TXM and IRaMuTeQ): signed decimal log of the hypergeometric probability "
               "of seeing at least (+) or at most (−) this many segments by chance. +2 means p = 1%; a cell is "
               f"flagged from ±{num(data.phase_specificity.threshold)}."),
            tr("Citations : choisies pour être représentatives et variées (personnes, documents différents, "
               "pas de quasi-doublons), avec leur référence exacte dans le texte.",
               "Quotes: chosen to be typical and diverse (different people and documents, no near-duplicates), "
               "with their exact reference in the text."),
            privacy_bullet(data),
        ])]
    return s


def corpus_section(data: ReportData) -> Section:
    s = _section(data, "corpus", tr("Le corpus", "The corpus"))
    rows = [[phase_label(p), data.corpus[p]["documents"], data.corpus[p]["segments"], data.corpus[p]["words"],
             data.corpus[p]["voices"]] for p in PHASES if p in data.corpus]
    t = data.corpus["total"]
    rows.append([tr("Total", "Total"), t["documents"], t["segments"], t["words"], t["voices"]])
    s.blocks.append(TableBlock(Table("corpus", tr("Corpus par phase", "Corpus by phase"),
                                     ["phase", "documents", "segments", tr("mots", "words"),
                                      tr("voix", "voices")], rows)))
    s.blocks.append(Paragraph(tr(f"{data.counted_codings} codages comptés.", f"{data.counted_codings} codings counted.")
                              + (tr(f" {data.excluded_codings} codage(s) hors des segments analysés (questions de "
                                    "l'enquêteur, hors segment) ne sont pas comptés.",
                                    f" {data.excluded_codings} coding(s) outside the analysed segments (interviewer "
                                    "questions, outside any segment) are not counted.")
                                 if data.excluded_codings else "")))
    return s


def _flag_sentence(data: ReportData, key: str, phase: str, score: float) -> str:
    t, s = data.phase_table, data.phase_specificity
    i, j = t.rows.index(key), t.columns.index(phase)
    direction = tr("sur-représenté", "over-represented") if score > 0 else tr("sous-représenté", "under-represented")
    return tr(f"« {t.labels[key]} » est {direction} en phase {phase_label(phase)} : {t.counts[i][j]} segments "
              f"pour {num(s.expected[i][j])} attendus (spécificité {num(score, sign=True)}).",
              f"'{t.labels[key]}' is {direction} in phase {phase_label(phase)}: {t.counts[i][j]} segments for "
              f"{num(s.expected[i][j])} expected (specificity {num(score, sign=True)}).")


def _echoes_a_child(data: ReportData, key: str) -> bool:
    """A branch row whose counts repeat one of its children's rows (nothing else coded in it)."""
    t = data.phase_table
    if not t.branch.get(key):
        return False
    row = t.counts[t.rows.index(key)]
    prefix = key + "."
    return any(t.counts[i] == row for i, k in enumerate(t.rows) if k.startswith(prefix) and t.depth[k] == t.depth[key] + 1)


def compare_section(data: ReportData, charts: set[str]) -> Section:
    s = _section(data, "phases", tr("Codes et phases : ce qui change d'une phase à l'autre",
                                    "Codes and phases: what changes from one phase to another"))
    for name, alt in (("codes_par_phase.png", tr("Part des segments de chaque phase portant chaque code",
                                                  "Share of each phase's segments carrying each code")),
                      ("codes_phases_specificites.png", tr("Carte des spécificités codes × phases",
                                                           "Heat map of code × phase specificities"))):
        if name in charts:
            s.blocks.append(Image(name, alt))
    flagged = [f for f in data.phase_specificity.flagged() if not _echoes_a_child(data, f[0])]
    s.blocks.append(Heading(tr("Différences marquées", "Marked differences")))
    s.blocks.append(Bullets([_flag_sentence(data, r, c, sc) for r, c, sc, _ in flagged[:15]])
                    if flagged else Paragraph(tr("Aucune case n'atteint le seuil.", "No cell reaches the threshold.")))
    s.blocks.append(Heading(tr("Codes présents dans une seule phase", "Codes present in one phase only")))
    s.blocks.append(Bullets([tr(f"« {data.code_labels[k]} » : seulement en phase {phase_label(p)} ({n} segments)",
                                f"'{data.code_labels[k]}': only in phase {phase_label(p)} ({n} segments)")
                             for k, p, n in data.exclusive_codes if not _echoes_a_child(data, k)])
                    if any(not _echoes_a_child(data, k) for k, _, _ in data.exclusive_codes)
                    else Paragraph(tr("Aucun.", "None.")))
    t, sp = data.phase_table, data.phase_specificity
    rows = []
    for i, key in enumerate(t.rows):
        if t.row_totals[i] == 0:
            continue
        cells = [f"{t.counts[i][j]} ({num(sp.scores[i][j], sign=True)}{sp.flags[i][j] and ' ' + sp.flags[i][j]})"
                 for j in range(len(t.columns))]
        rows.append([("· " * t.depth[key]) + t.labels[key], *cells, t.row_totals[i]])
    rows.append([tr("Segments de la phase", "Segments in phase"), *t.column_totals, t.total])
    s.blocks.append(Heading(tr("Tableau codes × phases (segments)", "Codes × phases table (segments)")))
    s.blocks.append(TableBlock(Table("codes_par_phase_page", "", [tr("code", "code")]
                                     + [phase_label(c) for c in t.columns] + ["total"], rows),))
    s.blocks.append(Paragraph(tr("Dans chaque case : nombre de segments (spécificité, + ou − si signalée). "
                                 "Tableau complet avec les résidus du χ² : tableaux/codes_par_phase.csv.",
                                 "In each cell: segments (specificity, + or − when flagged). Full table with χ² "
                                 "residuals: tableaux/codes_par_phase.csv.")))
    p = data.phase_participants
    rows = [[("· " * p.depth[k]) + p.labels[k], *p.counts[i], p.row_totals[i]]
            for i, k in enumerate(p.rows) if p.row_totals[i]]
    rows.append([tr("Participants de la phase", "Participants in phase"), *p.column_totals, p.total])
    s.blocks.append(Heading(tr("Tableau codes × phases (participants)", "Codes × phases table (participants)")))
    s.blocks.append(TableBlock(Table("codes_par_phase_participants_page", "", [tr("code", "code")]
                                     + [phase_label(c) for c in p.columns] + ["total"], rows)))
    return s


def lieu_section(data: ReportData) -> Section:
    s = _section(data, "lieux", tr("Codes et lieux", "Codes and places"))
    t, sp = data.lieu_table, data.lieu_specificity
    rows = [[("· " * t.depth[k]) + t.labels[k],
             *[f"{t.counts[i][j]}{sp.flags[i][j] and ' ' + sp.flags[i][j]}" for j in range(len(t.columns))]]
            for i, k in enumerate(t.rows) if t.row_totals[i]]
    rows.append([tr("Segments du lieu", "Segments in place"), *t.column_totals])
    s.blocks.append(TableBlock(Table("codes_par_lieu_page", "", [tr("code", "code")] + t.columns, rows)))
    s.blocks.append(Paragraph(tr("+ / − : sur- ou sous-représentation signalée. Spécificités : "
                                 "tableaux/codes_par_lieu.csv.", "+ / −: flagged over- or under-representation. "
                                 "Specificities: tableaux/codes_par_lieu.csv.")))
    return s
