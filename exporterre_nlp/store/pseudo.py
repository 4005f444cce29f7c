"""Store mixin: pseudonymisation (detected personal data, reviewed replacements).

All SQL of this area lives here; see store/coding.py for the patterns.
"""
from __future__ import annotations


class PseudoMixin:
    pass
