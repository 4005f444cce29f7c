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
from .tables import coverage_table

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
    s.blocks += first_page_notes(data)
    s.blocks += [
        Paragraph(tr(f"Ce rapport résume ce que disent les personnes rencontrées aux trois phases du terrain "
                     f"(1 — relais, 2 — lieux, 3 — habitants) : pour chaque code du livre de codes et pour chaque "
                     f"thème, combien de passages, où, par qui, avec des citations. Sont comptés {counted}.",
                     f"This report summarises what the people met in the three fieldwork phases said "
                     f"(1 — relais, 2 — places, 3 — residents): for each code and each theme, how many passages, "
                     f"where, by whom, with quotes. Counted: {counted}.")),
        Bullets([
            unit_bullet(data),
            tr("Segment : un tour de parole, un sous-titre ou un paragraphe de notes. "
               "Les questions de l'enquêteur ne sont pas comptées." if not data.include_interviewer else
               "Segment : un tour de parole, un sous-titre ou un paragraphe de notes, "
               "questions de l'enquêteur comprises.",
               "Segment: a speaker turn, a subtitle cue or a paragraph of notes. "
               "Interviewer questions are not counted." if not data.include_interviewer else
               "Segment: a speaker turn, a subtitle cue or a paragraph of notes, interviewer questions included."),
            coverage_bullet(data),
            rule_bullet(data),
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


def unit_bullet(data: ReportData) -> str:
    if data.unit == "participants":
        return tr("Unité de comparaison : le participant (une voix distincte ; un document de notes de terrain sans "
                  "locuteur compte pour une voix). Une personne qui parle longtemps, ou dont l'entretien est découpé "
                  "en nombreux sous-titres, ne pèse pas plus qu'une autre. Les « différences marquées » et les "
                  "signes des fiches de code sont calculés sur les participants ; le tableau en segments est donné "
                  "aussi, avec ses propres spécificités.",
                  "Unit of comparison: the participant (a distinct voice; a field-note document without a speaker "
                  "counts as one voice). Someone who talks long, or whose interview is cut into many subtitle cues, "
                  "weighs no more than anyone else. 'Marked differences' and code sheets' signs are computed on "
                  "participants; the table in segments is given too, with its own specificities.")
    return tr("Unité de comparaison : le segment (à la demande, --unit segments). Attention : les segments d'une même "
              "personne ne sont pas des tirages indépendants ; le tableau par participants est donné aussi.",
              "Unit of comparison: the segment (on request, --unit segments). Beware: one person's segments are not "
              "independent draws; the table by participants is given too.")


def coverage_bullet(data: ReportData) -> str:
    if data.coverage_mode == "marks":
        return tr("Couverture : un code n'est compté que dans les documents qu'un codeur a marqués comme codés pour "
                  "ce code ou sa branche (exporterre coverage mark). Ailleurs, la case dit « non codé », jamais 0.",
                  "Coverage: a code is counted only in documents a coder marked as coded for that code or its branch "
                  "(exporterre coverage mark). Elsewhere the cell says 'not coded', never 0.")
    return tr("Couverture : aucun document n'a été marqué comme codé ; un document compte comme codé pour une branche "
              "du livre de codes quand un codeur y a pris au moins une décision dans cette branche (codage, "
              "acceptation ou rejet). Ailleurs, la case dit « non codé », jamais 0. Pour le dire vous-même : "
              "exporterre coverage mark.",
              "Coverage: no document was marked as coded; a document counts as coded for a codebook branch when a "
              "coder made at least one decision in that branch there (a coding, an acceptance or a rejection). "
              "Elsewhere the cell says 'not coded', never 0. To say it yourself: exporterre coverage mark.")


def rule_bullet(data: ReportData) -> str:
    rules = {"no-rejection": tr("une suggestion acceptée par un codeur compte si aucun codeur ayant couvert le "
                                "document ne l'a rejetée", "a suggestion one coder accepted counts unless a coder who "
                                "covered the document rejected it"),
             "any": tr("une suggestion compte dès qu'un codeur l'a acceptée (union)",
                       "a suggestion counts as soon as one coder accepted it (union)"),
             "majority": tr("une suggestion compte si plus de codeurs l'ont acceptée que rejetée",
                            "a suggestion counts when more coders accepted it than rejected it")}
    text = tr(f"Désaccords (règle « {data.rule} ») : {rules.get(data.rule, data.rule)}. ",
              f"Disagreements (rule '{data.rule}'): {rules.get(data.rule, data.rule)}. ")
    text += tr(f"{len(data.disagreements)} désaccord(s), listés dans la section « Désaccords entre codeurs ».",
               f"{len(data.disagreements)} disagreement(s), listed in the section 'Disagreements between coders'.")
    return text


def first_page_notes(data: ReportData) -> list[Note]:
    """What is left out, and what was done in bulk, said before any figure."""
    notes = []
    if data.bulk_marks:
        notes.append(Note(tr(
            f"Couverture posée en bloc : {data.bulk_marks} marque(s) de couverture ont été posées par une commande "
            "(exporterre coverage mark --all/--bulk), pas par la lecture de chaque document. Les documents comptent "
            "comme entièrement codés ; vérifiez que c'est vrai avant de citer un chiffre.",
            f"Coverage set in bulk: {data.bulk_marks} coverage mark(s) were set by a command (exporterre coverage mark "
            "--all/--bulk), not by reading each document. Those documents count as fully coded; check that this is "
            "true before quoting a figure."), "warning"))
    if data.pending_not_counted and not data.include_pending:
        notes.append(Note(tr(
            f"{data.pending_not_counted} suggestion(s) de la machine en attente de validation ne sont pas comptées. "
            "Pour les valider : exporterre code --coder VOTRE_NOM (écran de validation des suggestions) ; pour les "
            "compter sans validation, en le signalant partout : exporterre report --include-pending.",
            f"{data.pending_not_counted} machine suggestion(s) awaiting review are not counted. To review them: "
            "exporterre code --coder YOUR_NAME (the suggestion review screen); to count them without review, flagged "
            "everywhere: exporterre report --include-pending."), "warning"))
    if data.uncovered_codings:
        notes.append(Note(tr(
            f"{data.uncovered_codings} codage(s) dans des documents non couverts pour leur code ne sont pas comptés "
            "(exporterre coverage show).",
            f"{data.uncovered_codings} coding(s) in documents not covered for their code are not counted "
            "(exporterre coverage show)."), "info"))
    if not data.counted_codings:
        notes.append(Note(tr(
            "Aucun codage n'est compté : les tableaux de ce rapport ne disent encore rien des codes. Codez (exporterre "
            "code), marquez la couverture (exporterre coverage mark), ou incluez les suggestions en attente "
            "(--include-pending).",
            "No coding is counted: this report's tables say nothing about codes yet. Code (exporterre code), mark "
            "coverage (exporterre coverage mark), or include pending suggestions (--include-pending)."), "warning"))
    return notes


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
    s.blocks.append(Heading(tr("Couverture : ce qui a été codé", "Coverage: what has been coded")))
    s.blocks.append(Paragraph(coverage_bullet(data)))
    s.blocks.append(TableBlock(coverage_table(data)))
    return s


def unit_word(unit: str, n: float | None = None) -> str:
    if unit == "participants":
        return tr("participants", "participants")
    return tr("segments", "segments")


def _flag_sentence(data: ReportData, key: str, phase: str, score: float) -> str:
    t, s = data.chosen_table, data.chosen_specificity
    i, j = t.rows.index(key), t.columns.index(phase)
    word = unit_word(t.unit)
    direction = tr("sur-représenté", "over-represented") if score > 0 else tr("sous-représenté", "under-represented")
    return tr(f"« {t.labels[key]} » est {direction} en phase {phase_label(phase)} : {t.counts[i][j]} {word} sur "
              f"{t.cell_totals[i][j] if t.cell_totals else t.column_totals[j]} pour {num(s.expected[i][j])} attendus "
              f"(spécificité {num(score, sign=True)}).",
              f"'{t.labels[key]}' is {direction} in phase {phase_label(phase)}: {t.counts[i][j]} {word} out of "
              f"{t.cell_totals[i][j] if t.cell_totals else t.column_totals[j]} for {num(s.expected[i][j])} expected "
              f"(specificity {num(score, sign=True)}).")


def not_coded() -> str:
    return tr("non codé", "not coded")


def _cell(t, sp, i: int, j: int, with_score: bool = True) -> str:
    if not t.is_covered(i, j):
        return not_coded()
    if sp is None or not with_score:
        return f"{t.counts[i][j]}{sp.flags[i][j] and ' ' + sp.flags[i][j] if sp is not None else ''}"
    return f"{t.counts[i][j]} ({num(sp.scores[i][j], sign=True)}{sp.flags[i][j] and ' ' + sp.flags[i][j]})"


def _column_totals_row(t) -> list:
    """Covered / total units per column, over the rows shown (the widest coverage)."""
    if t.cell_totals is None:
        return [*t.column_totals, t.total]
    covered = [max((t.cell_totals[i][j] for i in range(len(t.rows))), default=0) for j in range(len(t.columns))]
    return [f"{c}/{n}" if c != n else str(n) for c, n in zip(covered, t.column_totals)] + [t.total]


def counts_table(name: str, t, sp) -> Table:
    rows = []
    for i, key in enumerate(t.rows):
        if t.row_totals[i] == 0 and (t.cell_totals is None or not any(t.cell_totals[i])):
            continue
        rows.append([("· " * t.depth[key]) + t.labels[key], *[_cell(t, sp, i, j) for j in range(len(t.columns))],
                     t.row_totals[i]])
    label = tr(f"{unit_word(t.unit).capitalize()} de la phase (couverts/total)",
               f"{unit_word(t.unit).capitalize()} in phase (covered/total)")
    rows.append([label, *_column_totals_row(t)])
    return Table(name, "", [tr("code", "code")] + [phase_label(c) for c in t.columns] + ["total"], rows)


def _echoes_a_child(data: ReportData, key: str, t=None) -> bool:
    """A branch row whose counts repeat one of its children's rows (nothing else coded in it)."""
    t = t if t is not None else data.phase_table
    if not t.branch.get(key):
        return False
    row = t.counts[t.rows.index(key)]
    prefix = key + "."
    return any(t.counts[i] == row for i, k in enumerate(t.rows) if k.startswith(prefix) and t.depth[k] == t.depth[key] + 1)


def compare_section(data: ReportData, charts: set[str]) -> Section:
    s = _section(data, "phases", tr("Codes et phases : ce qui change d'une phase à l'autre",
                                    "Codes and phases: what changes from one phase to another"))
    for name, alt in (("codes_par_phase.png", tr("Part des segments couverts de chaque phase portant chaque code",
                                                  "Share of each phase's covered segments carrying each code")),
                      ("codes_phases_specificites.png", tr("Carte des spécificités codes × phases (segments)",
                                                           "Heat map of code × phase specificities (segments)"))):
        if name in charts:
            s.blocks.append(Image(name, alt))
    word = unit_word(data.unit)
    t_chosen = data.chosen_table
    flagged = [f for f in data.chosen_specificity.flagged() if not _echoes_a_child(data, f[0], t_chosen)]
    s.blocks.append(Heading(tr(f"Différences marquées (unité : {word})", f"Marked differences (unit: {word})")))
    s.blocks.append(Paragraph(tr(
        f"Comptées en {word}, sur les seuls documents couverts pour chaque code ; une phase non codée pour un code "
        "n'entre pas dans sa comparaison.",
        f"Counted in {word}, over the documents covered for each code only; a phase not coded for a code does not "
        "enter its comparison.")))
    s.blocks.append(Bullets([_flag_sentence(data, r, c, sc) for r, c, sc, _ in flagged[:15]])
                    if flagged else Paragraph(tr("Aucune case n'atteint le seuil.", "No cell reaches the threshold.")))
    s.blocks.append(Heading(tr("Codes présents dans une seule phase", "Codes present in one phase only")))
    s.blocks.append(Paragraph(tr("Parmi les phases codées pour ce code (au moins deux).",
                                 "Among the phases coded for that code (at least two).")))
    shown = [(k, p, n) for k, p, n in data.exclusive_codes if not _echoes_a_child(data, k)]
    s.blocks.append(Bullets([tr(f"« {data.code_labels[k]} » : seulement en phase {phase_label(p)} ({n} segments)",
                                f"'{data.code_labels[k]}': only in phase {phase_label(p)} ({n} segments)")
                             for k, p, n in shown]) if shown else Paragraph(tr("Aucun.", "None.")))
    tables = [(data.phase_participants, data.phase_participants_specificity, "codes_par_phase_participants_page"),
              (data.phase_table, data.phase_specificity, "codes_par_phase_page")]
    if data.unit == "segments":
        tables.reverse()
    for t, sp, name in tables:
        s.blocks.append(Heading(tr(f"Tableau codes × phases ({unit_word(t.unit)})",
                                   f"Codes × phases table ({unit_word(t.unit)})")))
        s.blocks.append(TableBlock(counts_table(name, t, sp)))
    s.blocks.append(Paragraph(tr("Dans chaque case : effectif (spécificité, + ou − si signalée) ; « non codé » : "
                                 "aucun document de cette phase n'est couvert pour ce code. Tableaux complets avec les "
                                 "résidus du χ² : tableaux/codes_par_phase.csv et "
                                 "tableaux/codes_par_phase_participants.csv.",
                                 "In each cell: count (specificity, + or − when flagged); 'not coded': no document of "
                                 "that phase is covered for that code. Full tables with χ² residuals: "
                                 "tableaux/codes_par_phase.csv and tableaux/codes_par_phase_participants.csv.")))
    return s


def lieu_section(data: ReportData) -> Section:
    s = _section(data, "lieux", tr("Codes et lieux", "Codes and places"))
    t, sp = data.lieu_table, data.lieu_specificity
    rows = [[("· " * t.depth[k]) + t.labels[k], *[_cell(t, sp, i, j, False) for j in range(len(t.columns))]]
            for i, k in enumerate(t.rows) if t.row_totals[i]]
    rows.append([tr("Segments du lieu (couverts/total)", "Segments in place (covered/total)"),
                 *_column_totals_row(t)[:-1]])
    s.blocks.append(TableBlock(Table("codes_par_lieu_page", "", [tr("code", "code")] + t.columns, rows)))
    s.blocks.append(Paragraph(tr("+ / − : sur- ou sous-représentation signalée. Spécificités : "
                                 "tableaux/codes_par_lieu.csv.", "+ / −: flagged over- or under-representation. "
                                 "Specificities: tableaux/codes_par_lieu.csv.")))
    return s
