"""The five categories of what the extraction finds, named once for the whole library.

The codebook's rules, the sentence model, the evaluation sets and the interfaces all
use these keys (ASCII, stable in files); :data:`CATEGORY_NAMES` gives each one its
name in French and English (:func:`category_name` picks the interface language).
"""
from __future__ import annotations

from .i18n import tr

CATEGORIES = ("besoin", "preoccupation", "competence", "ressource", "lieu")

CATEGORY_NAMES = {"besoin": ("besoin", "need"), "preoccupation": ("préoccupation", "concern"),
                  "competence": ("compétence", "skill"), "ressource": ("ressource", "resource"),
                  "lieu": ("lieu", "place"),
                  "theme": ("thème", "theme")}        # the category shown for a theme's suggestion (not extracted)


def category_name(category: str) -> str:
    """A category's name in the interface language (the key itself for an unknown one)."""
    return tr(*CATEGORY_NAMES.get(category, (category, category)))
