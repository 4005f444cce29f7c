"""Quote selection: representative, from different voices and documents, no near-duplicates."""
from __future__ import annotations

from exporterre_nlp.analysis import QuoteCandidate, candidates_for, load_coded_corpus, select_quotes
from exporterre_nlp.analysis.quotes import trim_span
from report_store import add_document, build_store, code_everything, code_turn


def cand(doc: int, voice: str, text: str, start: int = 0) -> QuoteCandidate:
    return QuoteCandidate(doc, f"doc{doc}", 3, "marché", 0, start, start + len(text), voice, voice, text)


CRECHE = "pas de place en crèche pour les enfants, la garde des enfants le matin c'est impossible"


def test_quotes_come_from_different_speakers_before_repeating_one():
    # Amina says the most typical thing three times (different documents); Karim and Léa once each.
    cands = [cand(1, "amina", CRECHE + " vraiment"),
             cand(2, "amina", "la crèche est pleine, pas de place pour la garde des enfants le matin"),
             cand(3, "amina", "garde des enfants le matin : aucune place en crèche, aucune assistante"),
             cand(4, "karim", "ma femme a arrêté de travailler faute de garde pour les enfants"),
             cand(5, "lea", "on attend une place en crèche depuis deux ans pour notre fils")]
    picked = select_quotes(cands, 3)
    assert len(picked) == 3
    assert len({q.voice for q in picked}) == 3


def test_near_duplicates_are_never_picked_together():
    twin = CRECHE.replace("impossible", "impossible !")
    cands = [cand(1, "amina", CRECHE), cand(2, "karim", twin),
             cand(3, "lea", "le logement est humide et personne ne répare la fenêtre de la cuisine")]
    picked = select_quotes(cands, 3)
    texts = {q.text for q in picked}
    assert not ({CRECHE, twin} <= texts)
    assert len(picked) == 2                     # a third quote would be a near-duplicate


def test_overlapping_spans_of_one_document_are_not_both_quoted():
    text = "la garde des enfants pose un vrai problème aux familles du quartier le matin"
    cands = [cand(1, "amina", text, 0), cand(1, "karim", text[4:], 4)]
    assert len(select_quotes(cands, 2, near_duplicate=1.1)) == 1


def test_short_passages_come_last():
    cands = [cand(1, "a", "crèche"), cand(2, "b", "on cherche une place en crèche pour la rentrée de septembre")]
    assert select_quotes(cands, 1)[0].voice == "b"


def test_same_input_gives_the_same_quotes():
    cands = [cand(i, f"v{i % 3}", f"phrase numéro {i} sur la garde des enfants et la crèche {i * 7}")
             for i in range(12)]
    assert select_quotes(cands, 4) == select_quotes(list(cands), 4)


def test_candidates_keep_exact_offsets_into_the_document(tmp_path):
    store, docs = build_store(tmp_path / "store.sqlite3")
    code_everything(store, docs)
    turn = docs["habitante_baladins"][1]
    store.add_coding(turn.document_id, turn.start, turn.start + 6, "besoins.garde", "bruno")   # "Depuis": too short
    corpus = load_coded_corpus(store)
    texts = store.document_texts(d.id for d in store.document_facts())
    found = candidates_for(corpus, "besoins", texts)
    assert found
    for c in found:
        assert texts[c.document_id][c.start:c.end] == c.text
    # the short coding was widened to its whole segment, and not quoted twice
    assert sum(1 for c in found if c.start == turn.start) == 1
    quotes = select_quotes(found, 4)
    assert {q.phase for q in quotes} <= {1, 3}
    # three voices carry "besoins" (Nadia, Fatima, Karim): the first three quotes are theirs
    assert len({q.voice for q in quotes[:3]}) == 3
    store.close()


def test_long_passages_are_trimmed_to_whole_sentences():
    text = "Première phrase assez courte. " * 30
    start, end = trim_span(text, 0, len(text), 100)
    assert end <= 100 and text[start:end].endswith(".")
    assert trim_span("  mots  ", 0, 8, 100) == (2, 6)


def test_quotes_of_a_branch_include_codes_below_it(tmp_path):
    store, docs = build_store(tmp_path / "store.sqlite3")
    extra = add_document(store, "habitante_geants", 3, "parc", [
        ("Awa", "Pour la garde des enfants on s'arrange entre voisines, chacune son jour de la semaine.")],
        participant="H3-03")
    code_turn(store, extra[0], "besoins.garde")
    code_turn(store, docs["habitant_arlequin"][2], "besoins.logement")
    corpus = load_coded_corpus(store)
    texts = store.document_texts(d.id for d in store.document_facts())
    voices = {c.voice for c in candidates_for(corpus, "besoins", texts)}
    assert voices == {"H3-03", "H3-02"}
    store.close()


def test_passages_with_contact_details_are_never_quoted():
    from exporterre_nlp.analysis.privacy import personal_data
    assert personal_data("écrivez à fil.partage@gmail.com demain") == ["email"]
    assert personal_data("c'est le 04 76 22 31 09, le lundi") == ["phone"]
    assert personal_data("mon numéro c'est 2 84 05 38 185 023 47") == ["nir"]
    assert personal_data("j'habite au 50 galerie de l'Arlequin depuis 1998") == ["address"]
    assert personal_data("on est cinq dans un trois pièces depuis 2019, 12 ans déjà") == []
    cands = [cand(1, "a", "pour la crèche appelez-moi au 06 12 34 56 78, on en parle volontiers"),
             cand(2, "b", "pour la crèche il n'y a jamais de place, on attend depuis deux ans")]
    assert [q.voice for q in select_quotes(cands, 2)] == ["b"]


def test_quotes_expand_a_fragment_to_the_sentence_within_the_turn(tmp_path):
    """Issue 16, case 6: "Ce serait bien qu'il y ait" is a fragment; the quote is the sentence the person said."""
    from exporterre_nlp.analysis.quotes import expand_to_sentences
    store, docs = build_store(tmp_path / "s.sqlite3")
    turns = add_document(store, "parc", 3, "parc", [
        ("E", "Et pour les enfants ?"),
        ("Awa", "Il y a le parc. Ce serait bien qu'il y ait une crèche ouverte tôt le matin. Voilà."),
    ], participant="H3-09")
    t = turns[1]
    start = t.start + t.text.index("Ce serait bien")
    code_turn(store, t, "besoins.garde")
    store.add_coding(t.document_id, start, start + len("Ce serait bien qu'il y ait"), "besoins.logement", "alice")
    store.mark_coverage("alice", [t.document_id], ["besoins"])
    corpus = load_coded_corpus(store)
    texts = store.document_texts([t.document_id])
    quotes = candidates_for(corpus, "besoins.logement", texts, min_words=3)
    assert [q.text for q in quotes] == ["Ce serait bien qu'il y ait une crèche ouverte tôt le matin."]
    q = quotes[0]
    assert texts[t.document_id][q.start:q.end] == q.text
    # never beyond the turn: the interviewer's question is not pulled in
    assert expand_to_sentences(texts[t.document_id], t.start, t.start + 3, t.start, t.end)[0] == t.start
    store.close()


def test_quotes_never_come_from_non_speech_paragraphs(tmp_path):
    from exporterre_nlp.records import SegmentDraft
    from exporterre_nlp.store import NewDocument
    import hashlib
    store, docs = build_store(tmp_path / "s.sqlite3")
    text = "Entretien debout, bruit de circulation\n\nJe voudrais une crèche plus près de chez moi, vraiment."
    doc = store.add_document(NewDocument(name="notes", phase=3, text=text, format="txt",
                                         content_hash=hashlib.sha256(text.encode()).hexdigest()),
                             [SegmentDraft(0, 38, kind="note"), SegmentDraft(40, len(text), kind="paragraph")], {})
    store.add_coding(doc.id, 0, len(text), "besoins.garde", "alice")
    store.mark_coverage("alice", [doc.id], ["besoins"])
    corpus = load_coded_corpus(store)
    quotes = candidates_for(corpus, "besoins.garde", store.document_texts([doc.id]))
    assert [q.text for q in quotes] == ["Je voudrais une crèche plus près de chez moi, vraiment."]
    assert all(u.text != text[:38] for u in corpus.units)
    store.close()
