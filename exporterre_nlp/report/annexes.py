"""The report in words, part 3: skills ↔ needs, extractions, agreement, method; the whole page."""
from __future__ import annotations

from ..analysis.corpus import phase_label
from ..i18n import tr
from .layout import PHASES, _section, compare_section, corpus_section, intro, lieu_section, num
from .model import Bullets, Heading, Paragraph, ReportData, Section, Table, TableBlock
from .sheets import codes_section, lexicon_section, themes_section


def category_label(category: str) -> str:
    labels = {"besoin": tr("besoins", "needs"), "preoccupation": tr("préoccupations", "concerns"),
              "competence": tr("compétences", "skills"), "ressource": tr("ressources", "resources"),
              "lieu": tr("lieux", "places")}
    return labels.get(category, category)


def matching_section(data: ReportData) -> Section:
    s = _section(data, "besoins-competences", tr("Besoins ↔ compétences et ressources : qui pourrait aider qui",
                                                 "Needs ↔ skills and resources: who could help whom"))
    s.blocks.append(Paragraph(tr(
        "Chaque ligne est un domaine (étiquette du livre de codes). À gauche, les segments où s'expriment des besoins "
        "ou des préoccupations de ce domaine ; à droite, ceux où sont nommés des compétences, savoir-faire ou "
        "ressources du même domaine, par phase.",
        "Each row is a domain (a codebook tag). Left: segments voicing needs or concerns of that domain; right: "
        "segments naming skills, know-how or resources of the same domain, by phase.")))
    t = data.phase_table

    def cell(keys: list[str], counts: dict[str, int], phase: str):
        # a phase where no document is covered for any code of that side is "not coded", not 0
        j = t.columns.index(phase) if phase in t.columns else None
        covered = j is not None and any(t.is_covered(t.rows.index(k), j) for k in keys if k in t.rows)
        return counts.get(phase, 0) if covered else tr("non codé", "not coded")

    rows = [[m.domain, *[cell(m.needs, m.need_segments, p) for p in PHASES], len(m.need_voices),
             *[cell(m.offers, m.offer_segments, p) for p in PHASES], len(m.offer_voices)]
            for m in data.matching if m.need_total or m.offer_total]
    if not rows:
        s.blocks.append(Paragraph(tr("Aucun besoin ni aucune compétence codés pour l'instant.",
                                     "No need and no skill coded yet.")))
        return s
    columns = [tr("domaine", "domain")] + [tr(f"besoins ph. {p}", f"needs ph. {p}") for p in PHASES] + \
        [tr("voix (besoins)", "voices (needs)")] + [tr(f"offres ph. {p}", f"offers ph. {p}") for p in PHASES] + \
        [tr("voix (offres)", "voices (offers)")]
    s.blocks.append(TableBlock(Table("besoins_competences_page", "", columns, rows)))
    gaps = [m.domain for m in data.matching if m.gap]
    if gaps:
        s.blocks.append(Paragraph(tr("Besoins exprimés sans compétence ni ressource repérée dans le corpus : ",
                                     "Needs voiced with no skill or resource found in the corpus: ") + ", ".join(gaps)
                                  + "."))
    return s


def extraction_section(data: ReportData) -> Section:
    s = _section(data, "extractions", tr("Extractions automatiques", "Automatic extractions"))
    if not data.extraction:
        s.blocks.append(Paragraph(tr("Aucune extraction automatique dans ce projet (lancez « exporterre analyse »).",
                                     "No automatic extraction in this project (run 'exporterre analyse').")))
        return s
    s.blocks.append(Paragraph(tr(
        "Ce que les règles d'extraction du livre de codes ont repéré, et ce que l'équipe en a fait. Les objets "
        "cités viennent des suggestions acceptées" + (" et en attente." if data.include_pending else "."),
        "What the codebook's extraction rules found, and what the team did with it. Objects come from accepted "
        "suggestions" + (" and pending ones." if data.include_pending else "."))))
    rows = [[category_label(r.category), phase_label(r.phase), r.pending, r.accepted, r.rejected,
             ", ".join(f"{o} ({n})" for o, n in r.top_objects)] for r in data.extraction]
    s.blocks.append(TableBlock(Table("extractions_page", "", [tr("catégorie", "category"), "phase",
                                                              tr("en attente", "pending"), tr("acceptées", "accepted"),
                                                              tr("rejetées", "rejected"), tr("objets", "objects")],
                                     rows)))
    return s


def agreement_section(data: ReportData) -> Section:
    s = _section(data, "accord", tr("Accord entre codeurs", "Agreement between coders"))
    if not data.agreement:
        if data.machine_suggestions:
            s.blocks.append(Paragraph(tr(
                f"Aucun codeur n'a encore pris de décision : l'accord avec les {data.machine_suggestions} suggestions "
                "de la machine se mesurera quand un codeur les aura validées ou rejetées (exporterre code).",
                f"No coder has decided anything yet: agreement with the machine's {data.machine_suggestions} "
                "suggestions will be measured once a coder has accepted or rejected them (exporterre code).")))
        else:
            s.blocks.append(Paragraph(tr("Moins de deux codeurs et aucune suggestion de la machine : pas d'accord à "
                                         "mesurer.", "Fewer than two coders and no machine suggestion: no agreement "
                                         "to measure.")))
        return s
    s.blocks.append(Paragraph(tr(
        "κ de Cohen et α de Krippendorff par code, sur les segments des documents travaillés par les deux codeurs "
        "où au moins l'un d'eux a posé un code (le texte que personne n'a codé ne gonfle pas l'accord). "
        "Tous les codes que l'un ou l'autre a posés, suggérés ou rejetés sont comptés, y compris ceux qu'un codeur "
        "n'a fait que rejeter. La machine est comparée à travers toutes ses suggestions, pour chaque code sur les "
        "documents que le codeur a couverts pour ce code. Les codes sont classés du pire accord au meilleur.",
        "Cohen's κ and Krippendorff's α per code, over the segments of documents both coders worked on where at least "
        "one of them applied a code (text nobody coded does not inflate agreement). Every code either side applied, "
        "suggested or rejected counts, including codes a coder only rejected. The machine is compared through all "
        "of its suggestions, for each code over the documents the coder covered for it. Codes are listed from the "
        "worst agreement to the best.")))
    for p in data.agreement:
        mean = num(p.mean_kappa, 2) if p.mean_kappa is not None else "—"
        s.blocks.append(Heading(f"{p.rater_a} ↔ {p.rater_b}", 3))
        s.blocks.append(Paragraph(tr(f"{p.documents} documents, {p.units} segments comparés ; κ moyen : {mean}.",
                                     f"{p.documents} documents, {p.units} segments compared; mean κ: {mean}.")))
        rows = [[data.code_labels.get(c.code, c.label), c.units, c.both, c.only_a, c.only_b, num(c.percent, 0),
                 num(c.kappa, 2) if c.kappa is not None else "—", num(c.alpha, 2) if c.alpha is not None else "—"]
                for c in p.codes]
        s.blocks.append(TableBlock(Table("accord_page", "", [tr("code", "code"), "n", tr("les deux", "both"),
                                                             f"{p.rater_a} " + tr("seul", "only"),
                                                             f"{p.rater_b} " + tr("seul", "only"),
                                                             tr("accord brut %", "raw agreement %"), "κ", "α"], rows),
                                   limit=40))
    return s


def disagreement_section(data: ReportData) -> Section:
    from .layout import rule_bullet
    s = _section(data, "desaccords", tr("Désaccords entre codeurs", "Disagreements between coders"))
    s.blocks.append(Paragraph(rule_bullet(data) + tr(
        " Autres règles : exporterre report --rule any (union) ou --rule majority.",
        " Other rules: exporterre report --rule any (union) or --rule majority.")))
    if not data.disagreements:
        s.blocks.append(Paragraph(tr("Aucune suggestion n'a été acceptée par un codeur et rejetée par un autre.",
                                     "No suggestion was accepted by one coder and rejected by another.")))
        return s
    rows = [[data.document_names.get(d.document_id, str(d.document_id)), f"{d.start}–{d.end}",
             data.code_labels.get(d.code_key, d.code_key), ", ".join(d.accepted_by), ", ".join(d.rejected_by),
             tr("oui", "yes") if d.counted else tr("non", "no")] for d in data.disagreements]
    s.blocks.append(TableBlock(Table("desaccords_page", "", ["document", tr("caractères", "characters"),
                                                             tr("code", "code"), tr("acceptée par", "accepted by"),
                                                             tr("rejetée par", "rejected by"),
                                                             tr("comptée", "counted")], rows), limit=40))
    return s


def method_section(data: ReportData) -> Section:
    s = _section(data, "methode", tr("Méthode et traçabilité", "Method and traceability"))
    m = data.manifest
    prog = m.get("program", {})
    build = (f"commit {prog['git_commit'][:12]}" + (tr(" modifié", " modified") if prog.get("git_modified") else "")
             if prog.get("git_commit") else tr(f"source {str(prog.get('source_sha256', '?'))[:12]}",
                                                 f"source {str(prog.get('source_sha256', '?'))[:12]}"))
    items = [tr(f"Programme : Exporterre {prog.get('version', '?')} ({build}) ; réglages "
                f"{m.get('settings_fingerprint', '?')} ; graine {m.get('seed', '?')}.",
                f"Program: Exporterre {prog.get('version', '?')} ({build}); settings "
                f"{m.get('settings_fingerprint', '?')}; seed {m.get('seed', '?')}."),
             tr(f"Empreinte du corpus : {m.get('inputs', {}).get('corpus_hash', '?')} ; des codages comptés : "
                f"{m.get('inputs', {}).get('codings_hash', '?')}.",
                f"Corpus fingerprint: {m.get('inputs', {}).get('corpus_hash', '?')}; counted codings: "
                f"{m.get('inputs', {}).get('codings_hash', '?')}.")]
    coders = sorted({c["coder"] for c in m.get("coders", [])})
    if coders:
        items.append(tr("Codeurs : ", "Coders: ") + ", ".join(coders) + ".")
    runs = m.get("runs", [])
    if runs:
        items.append(tr("Analyses utilisées : ", "Runs used: ") + ", ".join(f"{r['kind']} n° {r['id']}" for r in runs)
                     + ".")
    if data.pseudo:
        p = data.pseudo
        items.append(tr(
            f"Pseudonymisation : {p['applied']} remplacement(s) accepté(s) appliqué(s), {p['pending']} détection(s) "
            f"en attente (non appliquées), {p['stale']} périmée(s). Les références des citations (document, "
            "segment, caractères début–fin) renvoient au texte d'origine stocké dans le projet, conservé par "
            "l'équipe de recherche, et non au texte pseudonymisé : elles permettent à l'équipe de retrouver chaque "
            "passage. Le vocabulaire (lemmes, mots des thèmes) est calculé sans les mots des noms de personnes "
            f"détectés ({p['lemma_tokens_dropped']} occurrence(s) retirée(s)).",
            f"Pseudonymisation: {p['applied']} accepted replacement(s) applied, {p['pending']} detection(s) pending "
            f"(not applied), {p['stale']} stale. Quote references (document, segment, start–end characters) refer "
            "to the original text stored in the project, held by the research team, not to the pseudonymised "
            "text: they let the team find every passage. The vocabulary (lemmas, theme words) is computed without "
            f"the words of detected people's names ({p['lemma_tokens_dropped']} token(s) removed)."))
    items.append(tr("Le détail (versions, réglages, empreintes de chaque document et de chaque fichier produit) est "
                    "dans manifest.json.", "Details (versions, settings, hashes of each document and output file) "
                    "are in manifest.json."))
    s.blocks.append(Bullets(items))
    return s


def page(data: ReportData, charts: set[str]) -> list[Section]:
    """Every section of the report, in reading order."""
    return [intro(data), corpus_section(data), compare_section(data, charts), codes_section(data),
            themes_section(data, charts), lexicon_section(data), matching_section(data), lieu_section(data),
            extraction_section(data), agreement_section(data), disagreement_section(data), method_section(data)]
