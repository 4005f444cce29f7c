"""Pseudonymisation: find personal data, propose pseudonyms, review, apply.

- :func:`detect` — patterns (phones, e-mails, NIR, addresses), French NER, name
  lists, titles and speaker labels → pending candidates in the store; the key
  (real value → pseudonym) in ``<project>/private/pseudo_key.sqlite3``.
- :func:`accept`, :func:`reject`, :func:`accept_all`, :func:`keep_flagged`, :func:`edit_pseudonym`,
  :func:`add_span` — the review (:mod:`.review`).
- :func:`pseudonymise_text` — ``(text, replacements) -> (new_text, OffsetMap)``.
- :func:`pseudonymised_document` — a stored document with its accepted
  replacements applied, an offset map and pseudonymised speaker labels.
- :func:`export_texts` — write every pseudonymised text to a folder.

Importing this package is cheap (spaCy loads only when NER runs).
"""
from __future__ import annotations

from ..lazy import lazy_getattr

_EXPORTS = {
    "detect": "detect", "DetectResult": "detect", "find_in_document": "detect",
    "pseudonymise_text": "apply", "pseudonymised_document": "apply", "PseudonymisedDocument": "apply",
    "OffsetMap": "apply", "Replacement": "apply",
    "accept": "review", "reject": "review", "accept_all": "review", "keep_flagged": "review", "edit_pseudonym": "review",
    "add_span": "review", "export_texts": "review", "ReviewItem": "review", "review_items": "review",
    "load_lexicon": "lexicon", "Lexicon": "lexicon",
    "PseudoSettings": "config", "pseudo_settings": "config",
    "find_all": "patterns", "nir_key_valid": "patterns", "CATEGORIES": "patterns",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())

# The function ``detect`` shares its name with its submodule: importing the submodule first
# (``from exporterre_nlp.pseudo.detect import find_in_document``) would leave the package attribute
# bound to the module. Binding the function now (no spaCy: it loads only when NER runs) avoids that.
from .detect import detect  # noqa: E402
