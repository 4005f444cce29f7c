"""End to end on the bundled demo corpus: ingest → themes → a researcher's coding → report."""
from __future__ import annotations

import csv
import re

import pytest

from exporterre_nlp import Project
from exporterre_nlp.importer import ingest_paths
from exporterre_nlp.report import write_report
from conftest import DEMO_CORPUS

CODING = {   # a researcher's quick pass: words that call for a code in residents' and relais' speech
    "besoins.garde_enfants": re.compile(r"\b(crèche|garderie|faire garder|garde des enfants)\b", re.I),
    "competences.couture": re.compile(r"\b(coud|cousent|coudre|couture|couturière|retouches?)\b", re.I),
    "preoccupations.logement": re.compile(r"\b(humidité|moisissure|cafards?|punaises)\b", re.I),
}


@pytest.mark.slow
def test_demo_report_has_every_phase_the_themes_and_childcare_in_phase_3(tmp_path):
    project = Project.init(tmp_path / "demo")
    results = ingest_paths(project, [DEMO_CORPUS])
    assert not [r for r in results if r.status == "error"]
    from exporterre_nlp.themes.pipeline import fit_themes
    fit_themes(project)
    store = project.store
    coded = 0
    for seg in store.segment_views(roles=["resident", "relais", "other"]):
        for key, pattern in CODING.items():
            if pattern.search(seg.text):
                store.add_coding(seg.document_id, seg.start, seg.end, key, "alice")
                coded += 1
    assert coded > 20
    # the pass searched every document for these three branches: it covers them (issue 16: coverage)
    from exporterre_nlp.analysis.coverage import mark_covered
    mark_covered(store, "alice", None, ["besoins", "competences", "preoccupations"])
    result = write_report(project, tmp_path / "rapport")
    md = result.markdown.read_text(encoding="utf-8")
    html = result.html.read_text(encoding="utf-8")
    for phase in ("1 — relais", "2 — lieux", "3 — habitants"):
        assert phase in md and phase in html
    corpus = result.data.corpus
    assert all(corpus[p]["documents"] > 0 and corpus[p]["segments"] > 0 for p in ("1", "2", "3"))
    # themes come from the stored run, with quotes; the report says how they were fitted (the demo is
    # transcribed speech: auto chose e5)
    assert result.data.theme_run is not None and result.data.themes
    run = store.get_run(result.data.theme_run)
    backend = run.settings["themes"]["backend"]
    assert backend == "e5" and f"« {backend} » choisis automatiquement, graine 42" in result.data.theme_method
    assert result.data.theme_method in md
    # themes have quotes; a theme whose passages cannot be quoted (contact details, headers) says why
    sized = [t for t in result.data.themes if t.size >= 3]
    assert sum(1 for t in sized if t.quotes) >= 0.8 * len(sized)
    if any(not t.quotes for t in sized):
        assert "Pas de citation" in md
    # the demo is written so that childcare is a residents' concern: phase 3 is over-represented
    garde = next(s for s in result.data.code_sheets if s.key == "besoins.garde_enfants")
    assert garde.scores["3"] > 0 and garde.figures.by_phase["3"]["segments"] > garde.figures.by_phase["1"]["segments"]
    assert len({q.voice for q in garde.quotes}) == len(garde.quotes) >= 3
    with (tmp_path / "rapport" / "tableaux" / "codes_par_phase.csv").open(encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    assert {"n_1", "n_2", "n_3", "spec_1", "spec_2", "spec_3"} <= set(header)
    # real lemmas, no oral fillers among a code's characteristic words
    words = {x.lemma for s in result.data.code_sheets for x in s.lemmas}
    assert words and not words & {"euh", "ben", "bah", "hein", "voilà", "quoi"}
    project.close()
