"""A safety net for quotes: passages holding contact details are never quoted.

Reports quote the stored text. Until the corpus has been pseudonymised, it
may hold e-mail addresses, phone numbers, French social-security numbers and
street addresses ("50 galerie de l'Arlequin"): a passage where one of them is
found is not offered as a quote (it is still counted). Names of people are
not detected here (that needs the pseudonymisation stage's NER and review).
"""
from __future__ import annotations

import re

PATTERNS = {
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE),
    "phone": re.compile(r"(?<!\d)(?:\+33\s?|0033\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"),
    "nir": re.compile(r"(?<!\d)[12][\s.]?\d{2}[\s.]?(?:0[1-9]|1[0-2]|[2-9]\d)[\s.]?(?:\d{2}|2[AB])[\s.]?\d{3}"
                      r"[\s.]?\d{3}(?:[\s.]?\d{2})?(?!\d)"),
    "address": re.compile(r"(?<![\w,])\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|galerie|"
                          r"allée|allee|impasse|chemin|quai|cours|square|route|montée|passage)\b", re.IGNORECASE),
}


def personal_data(text: str) -> list[str]:
    """The kinds of contact details found in ``text`` (empty when none)."""
    return [kind for kind, pattern in PATTERNS.items() if pattern.search(text)]
