"""Cohen's κ and Krippendorff's α: by hand, against the krippendorff package, and on a store."""
from __future__ import annotations

import krippendorff
import pytest

from exporterre_nlp.analysis import agreement, cohen_kappa, krippendorff_alpha, krippendorff_by_code
from exporterre_nlp.errors import ExporterreError
from report_store import build_store, code_turn


def test_cohen_kappa_on_a_table_worked_by_hand():
    # 10 units: both yes 4, only A 1, only B 1, both no 4 -> po = 0.8, pe = 0.5*0.5 + 0.5*0.5 = 0.5, κ = 0.6
    a = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    b = [1, 1, 1, 1, 0, 1, 0, 0, 0, 0]
    assert cohen_kappa(a, b) == pytest.approx(0.6)
    assert cohen_kappa(a, a) == pytest.approx(1.0)
    assert cohen_kappa([1, 1], [1, 1]) is None           # undefined: no variation at all


def test_krippendorff_alpha_equals_the_reference_package():
    data = [[1, 0, 1, 1, 0, None, 1, 0, 1, 1],
            [1, 0, 0, 1, 0, 1, 1, None, 1, 1],
            [None, 0, 1, 1, 0, 1, 0, 0, 1, None]]
    reference = krippendorff.alpha(reliability_data=[[float("nan") if v is None else v for v in row]
                                                     for row in data], level_of_measurement="nominal")
    assert krippendorff_alpha(data) == pytest.approx(reference, abs=1e-6)
    two = data[:2]
    reference2 = krippendorff.alpha(reliability_data=[[float("nan") if v is None else v for v in row]
                                                      for row in two], level_of_measurement="nominal")
    assert krippendorff_alpha(two) == pytest.approx(reference2, abs=1e-6)


@pytest.fixture()
def coded(tmp_path):
    store, docs = build_store(tmp_path / "store.sqlite3")
    f, k = docs["habitante_baladins"], docs["habitant_arlequin"]
    # alice and bruno both code Fatima's interview; only alice codes Karim's
    for t in (f[1], f[2]):
        code_turn(store, t, "besoins.garde", "alice")
    code_turn(store, f[1], "besoins.garde", "bruno")
    code_turn(store, f[2], "besoins.logement", "bruno")
    code_turn(store, f[4], "besoins.logement", "alice")
    code_turn(store, f[4], "besoins.logement", "bruno")
    code_turn(store, k[1], "besoins.garde", "alice")
    yield store, docs
    store.close()


def test_uncoded_segments_do_not_inflate_kappa(coded):
    store, docs = coded
    pair = agreement(store, ["alice", "bruno"])[0]
    assert pair.documents == 1                 # Karim's interview: only alice worked on it
    assert pair.units == 3                     # f1, f2, f4: segments someone coded (not f0, f3)
    garde = next(c for c in pair.codes if c.code == "besoins.garde")
    assert (garde.both, garde.only_a, garde.only_b, garde.neither) == (1, 1, 0, 1)
    assert garde.kappa == pytest.approx(cohen_kappa([1, 1, 0], [1, 0, 0]))
    logement = next(c for c in pair.codes if c.code == "besoins.logement")
    assert (logement.both, logement.only_a, logement.only_b) == (1, 0, 1)
    # with the uncoded turns counted as agreement, κ would be higher: the unit choice matters
    assert cohen_kappa([1, 1, 0, 0, 0], [1, 0, 0, 0, 0]) > garde.kappa


def test_machine_agreement_uses_every_suggestion(coded):
    store, docs = coded
    f = docs["habitante_baladins"]
    s1 = code_turn(store, f[1], "besoins.garde", "machine", status="pending", origin="rule:garde")
    code_turn(store, f[3], "besoins.garde", "machine", status="pending", origin="rule:garde")
    store.decide(s1.id, "alice", "accept")
    pairs = agreement(store, ["alice"], machine=True)
    assert [(p.rater_a, p.rater_b) for p in pairs] == [("alice", "machine")]
    garde = next(c for c in pairs[0].codes if c.code == "besoins.garde")
    # Fatima's turns coded by someone: f1 (both), f2 (alice), f3 (machine), f4 (alice, logement)
    assert (garde.both, garde.only_a, garde.only_b, garde.neither) == (1, 1, 1, 1)


def test_agreement_needs_two_raters(coded):
    store, _ = coded
    with pytest.raises(ExporterreError):
        agreement(store, ["alice"])
    with pytest.raises(ExporterreError):
        agreement(store, ["alice", "zoe"])
    with pytest.raises(ExporterreError):
        agreement(store, ["alice"], machine=True)        # no suggestion yet


def test_alpha_across_raters_treats_unworked_documents_as_missing(coded):
    store, _ = coded
    alphas = krippendorff_by_code(store, ["alice", "bruno"])
    pair = agreement(store, ["alice", "bruno"])[0]
    for c in pair.codes:
        assert alphas[c.code] == pytest.approx(c.alpha, abs=1e-6)


def test_machine_is_compared_on_the_codes_the_coder_used(coded):
    store, docs = coded
    f = docs["habitante_baladins"]
    code_turn(store, f[1], "besoins.garde", "machine", status="pending", origin="rule:garde")
    code_turn(store, f[3], "competences.couture", "machine", status="pending", origin="rule:couture")
    pair = agreement(store, ["bruno"], machine=True)[0]
    assert {c.code for c in pair.codes} == {"besoins.garde", "besoins.logement"}   # bruno never used couture


def test_agreement_counts_a_code_the_coder_only_rejected(tmp_path):
    """Issue 16, case 4: a coder who rejects every Propreté suggestion must not get a high mean κ."""
    store, docs = build_store(tmp_path / "store.sqlite3")
    f, k = docs["habitante_baladins"], docs["habitant_arlequin"]
    for t in (f[1], f[2], k[1]):
        s = code_turn(store, t, "besoins.garde", "machine", status="pending", origin="rule:garde")
        store.decide(s.id, "alice", "accept")
    for t in (f[3], f[4], k[2], k[3]):
        s = code_turn(store, t, "preoccupations.proprete", "machine", status="pending", origin="rule:proprete")
        store.decide(s.id, "alice", "reject")
    pair = agreement(store, ["alice"], machine=True)[0]
    keys = [c.code for c in pair.codes]
    assert "preoccupations.proprete" in keys
    proprete = pair.codes[0]                                       # worst first
    assert proprete.code == "preoccupations.proprete"
    assert (proprete.both, proprete.only_a, proprete.only_b) == (0, 0, 4)
    assert proprete.kappa is not None and proprete.kappa <= 0
    garde = next(c for c in pair.codes if c.code == "besoins.garde")
    assert garde.kappa == pytest.approx(1.0)
    assert pair.mean_kappa < 0.6                                  # was 1.0 when rejected-only codes were left out
    store.close()


def test_agreement_machine_codes_outside_the_coders_coverage_are_left_out(tmp_path):
    store, docs = build_store(tmp_path / "store.sqlite3")
    f = docs["habitante_baladins"]
    s = code_turn(store, f[1], "besoins.garde", "machine", status="pending", origin="rule:garde")
    store.decide(s.id, "alice", "accept")
    code_turn(store, f[3], "competences.couture", "machine", status="pending", origin="rule:couture")
    pair = agreement(store, ["alice"], machine=True)[0]
    # alice worked on needs only: the machine's skills suggestion is not held against her
    assert [c.code for c in pair.codes] == ["besoins.garde"]
    store.close()
