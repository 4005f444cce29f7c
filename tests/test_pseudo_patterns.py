"""Patterns of contact details: positives and near-misses, and the NIR key."""
from __future__ import annotations

import pytest

from exporterre_nlp.pseudo.patterns import find_addresses, find_all, find_emails, find_nirs, find_phones, nir_key, \
    nir_key_valid


def words(found, text):
    return [text[m.start:m.end] for m in found]


@pytest.mark.parametrize("phone", ["06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "0612345678",
                                   "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "0033 6 12 34 56 78",
                                   "04 76 22 31 09", "07 81 33 26 54"])
def test_phone_formats_are_found_whole(phone):
    text = f"Mon numéro c'est le {phone}, appelez le matin."
    assert words(find_phones(text), text) == [phone]


@pytest.mark.parametrize("text", ["Rendez-vous le 12.05.2026 à 14 h", "Code postal 38100 Grenoble",
                                  "Ça coûte 2 000 euros", "le 06 12 34 56 seulement", "061234567890",
                                  "référence 1234567890", "de 10 h 30 à 12 h 45", "00:12:03 Fatima",
                                  "06 12 34 56 78 90 12"])
def test_phone_near_misses_are_not_phones(text):
    assert find_phones(text) == []


def test_mixed_separators_are_not_one_phone():
    assert find_phones("06 12.34-56 78") == []


@pytest.mark.parametrize("email", ["samia.tahiri.mediation@laposte.net", "f.dumaine@orange.fr",
                                   "etoile.villeneuve38@gmail.com", "a+b@exemple-asso.org"])
def test_emails_are_found_without_the_final_dot(email):
    text = f"écrivez à {email}. Merci"
    assert words(find_emails(text), text) == [email]


@pytest.mark.parametrize("text", ["on se voit @ la maison", "le compte @exporterre", "3@4", "mail@localhost"])
def test_email_near_misses(text):
    assert find_emails(text) == []


def test_nir_key_is_97_minus_number_mod_97():
    body = "1840638185042"
    key = 97 - int(body) % 97
    assert nir_key_valid(body, key)
    assert not nir_key_valid(body, (key % 97) + 1)
    assert nir_key(body) == key


def test_nir_corsica_keys():
    # 2A → 19 then − 1,000,000; 2B → 18 then − 2,000,000 (INSEE rule)
    a = "1840" + "6" + "2A" + "123456"
    b = "1840" + "6" + "2B" + "123456"
    assert nir_key_valid(a, 97 - (int("1840619123456") - 1_000_000) % 97)
    assert nir_key_valid(b, 97 - (int("1840618123456") - 2_000_000) % 97)
    assert nir_key(a) != nir_key(b)


def test_nir_with_spaces_and_valid_key_scores_high():
    body = "2470599352118"
    text = f"Son numéro de sécu c'est le 2 47 05 99 352 118 {nir_key(body):02d}. Voilà."
    found = find_nirs(text)
    assert len(found) == 1 and found[0].note == "clé valide" and found[0].score > 0.9
    assert text[found[0].start:found[0].end].startswith("2 47 05 99 352 118")


def test_nir_with_a_wrong_key_is_still_proposed_with_a_lower_score():
    body = "2470599352118"
    wrong = (nir_key(body) % 97) + 1
    text = f"numéro de sécu : 2 47 05 99 352 118 {wrong:02d}"
    found = find_nirs(text)
    assert len(found) == 1 and found[0].note == "clé invalide" and found[0].score < 0.9


@pytest.mark.parametrize("text", ["5 47 05 99 352 118 46", "2 47 13 99 352 118 46 99", "numéro 1234567890123",
                                  "2 47 05 99 352 118"])
def test_nir_near_misses(text):
    assert find_nirs(text) == []


def test_nir_without_key_needs_words_that_say_so():
    assert find_nirs("le code 1840638185042 du colis") == []
    assert len(find_nirs("mon numéro de sécurité sociale 1840638185042")) == 1


def test_nir_digits_are_not_also_a_phone():
    text = "sécu : 2 47 05 99 352 118 40"
    assert [m.category for m in find_all(text)] == ["nir"]


@pytest.mark.parametrize("text, expected", [
    ("j'habite au 50 galerie de l'Arlequin, au cinquième", "50 galerie de l'Arlequin"),
    ("au 110 galerie de l'Arlequin", "110 galerie de l'Arlequin"),
    ("au 60 galerie de l’Arlequin", "60 galerie de l’Arlequin"),
    ("le bailleur du 12 rue des Géants", "12 rue des Géants"),
    ("3 bis Rue Jean-Jaurès, 38000 Grenoble", "3 bis Rue Jean-Jaurès"),
    ("40 galerie des Baladins", "40 galerie des Baladins"),
    ("12 avenue Marie Reynoard", "12 avenue Marie Reynoard"),
])
def test_street_addresses(text, expected):
    assert words(find_addresses(text), text) == [expected]


@pytest.mark.parametrize("text", ["3 rues plus loin", "2 place de parking", "les 3 galeries du quartier",
                                  "la galerie de l'Arlequin", "en 2019 rue barrée", "T3 rue calme"])
def test_address_near_misses(text):
    assert find_addresses(text) == []
