"""Key bindings with French and English descriptions, and the help catalogue.

Textual reads ``BINDINGS`` when a class is created, before the user's language
is known, so descriptions are written in French with :func:`bind`, which
remembers the English text; :func:`localize` swaps them on each screen or app
instance when the interface runs in English. :func:`describe_bindings` lists
every binding of a class for the help screen (`?`).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from textual.binding import Binding

from exporterre_nlp.i18n import get_language, tr

_ENGLISH: dict[str, str] = {}

# How keys are written in the help screen: (French, English).
_KEY_NAMES = {
    "question_mark": "?", "slash": "/", "equals_sign": "=", "escape": ("Échap", "Esc"),
    "enter": ("Entrée", "Enter"), "delete": ("Suppr", "Del"), "backspace": "⌫", "tab": "Tab",
    "shift+tab": "⇧Tab", "up": "↑", "down": "↓", "left": "←", "right": "→", "shift+left": "⇧←",
    "shift+right": "⇧→", "pageup": ("PgPréc", "PgUp"), "pagedown": ("PgSuiv", "PgDn"),
    "home": ("Début", "Home"), "end": ("Fin", "End"), "space": ("Espace", "Space"),
}


def bind(keys: str, action: str, fr: str, en: str, *, show: bool = True, priority: bool = False,
         key_display: str | None = None) -> Binding:
    """A :class:`Binding` described in French, with its English text remembered."""
    _ENGLISH[fr] = en
    return Binding(keys, action, fr, show=show, priority=priority, key_display=key_display)


def help_binding() -> Binding:
    """``?`` first in a screen's bindings, so that the footer shows it first even at 80 columns."""
    return bind("question_mark", "app.help", "Aide", "Help")


def text(fr: str) -> str:
    """The description ``fr`` in the current language."""
    return tr(fr, _ENGLISH.get(fr, fr))


def localize(node) -> None:
    """Translate the binding descriptions of one app/screen/widget instance."""
    if get_language() == "fr":
        return
    table = node._bindings.key_to_bindings
    for key, bindings in list(table.items()):
        table[key] = [replace(b, description=text(b.description)) for b in bindings]


def key_label(key: str) -> str:
    name = _KEY_NAMES.get(key, key)
    return tr(*name) if isinstance(name, tuple) else name


def describe_bindings(bindings: Iterable) -> list[tuple[str, str]]:
    """``(keys, description)`` lines for a ``BINDINGS`` list, merging keys that do the same thing."""
    rows: dict[str, list[str]] = {}
    for b in Binding.make_bindings(bindings):
        if b.description and b.action != "app.help":          # listed once, under « Partout »
            rows.setdefault(b.description, []).append(key_label(b.key))
    out = []
    for desc, keys in rows.items():
        if len(keys) > 2 and all(k.isdigit() for k in keys):
            keys = [f"{keys[0]}–{keys[-1]}"]
        out.append((" ".join(keys), text(desc)))
    return out
