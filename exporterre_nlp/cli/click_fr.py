"""Typer's and Click's own messages in the interface language.

Typer (with its vendored Click) writes its usage errors, help panel titles and
range checks in English, as f-strings (no gettext catalogue to install). In
French, :func:`french_message` rewrites each known message by pattern, and
:func:`apply_language` sets the titles typer reads at display time. English stays
as Typer writes it (``--lang en``).
"""
from __future__ import annotations

import re

import typer.rich_utils as rich_utils
from typer._click import formatting

from ..i18n import get_language

# The whole message (as Click formats it) → its French form.
_MESSAGES = [
    (r"Missing option (.+?)\.(.*)", "Option obligatoire manquante : {0}.{1}"),
    (r"Missing argument (.+?)\.(.*)", "Argument obligatoire manquant : {0}.{1}"),
    (r"Missing parameter(?::)? ?(.*)", "Paramètre manquant {0}"),
    (r"Missing command\.", "Commande manquante."),
    (r"Invalid value for (.+?): (.*)", "Valeur invalide pour {0} : {1}"),
    (r"Invalid value: (.*)", "Valeur invalide : {0}"),
    (r"No such option: (\S+)(?: \(Possible options: (.*)\))?", "Option inconnue : {0}."),
    (r"No such command '(.+?)'\.(?: Did you mean '(.+?)'\?)?", "Commande inconnue : « {0} »."),
    (r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", "Argument(s) en trop : {0}"),
    (r"Option '(.+?)' requires (?:an argument|\d+ arguments)\.", "L'option {0} attend une valeur."),
    (r"Option '(.+?)' does not take a value\.", "L'option {0} ne prend pas de valeur."),
]
# The reason inside « Valeur invalide pour … : <reason> » (pydantic's and Click's wording).
_REASONS = [
    (r"Input should be less than or equal to (.+)", "la valeur doit être inférieure ou égale à {0}"),
    (r"Input should be greater than or equal to (.+)", "la valeur doit être supérieure ou égale à {0}"),
    (r"Input should be less than (.+)", "la valeur doit être strictement inférieure à {0}"),
    (r"Input should be greater than (.+)", "la valeur doit être strictement supérieure à {0}"),
    (r"Input should be a valid integer.*", "un nombre entier est attendu"),
    (r"Input should be a valid number.*", "un nombre est attendu"),
    (r"Input should be a valid boolean.*", "oui ou non est attendu (true/false)"),
    (r"Input should be (.+)", "valeurs possibles : {0}"),
    (r"'?(.+?)'? is not one of (.+)\.", "« {0} » n'est pas une valeur possible ({1})."),
    (r"'?(.+?)'? is not a valid (.+)\.", "« {0} » n'est pas un(e) {1} valide."),
    (r"(?:File|Path|Directory) '(.+?)' does not exist\.", "« {0} » n'existe pas."),
    (r"(?:File|Path|Directory) '(.+?)' is a directory\.", "« {0} » est un dossier."),
    (r"(?:File|Path|Directory) '(.+?)' is a file\.", "« {0} » est un fichier."),
]


def _rewrite(text: str, table) -> str | None:
    for pattern, french in table:
        m = re.fullmatch(pattern, text, flags=re.DOTALL)
        if m:
            return french.format(*[g or "" for g in m.groups()])
    return None


def french_message(message: str) -> str:
    """``message`` in French when the interface is French and the message is known."""
    if get_language() != "fr":
        return message
    message = message.replace("Choose from:", "Valeurs possibles :")
    message = re.sub(r" \(env var: '(\w+)'\)", r" (ou la variable \1)", message)
    whole = _rewrite(message, _MESSAGES)
    if whole is None:
        return message
    if whole.startswith(("Valeur invalide pour", "Valeur invalide :")):
        head, _, reason = whole.rpartition(" : ")
        reason = _rewrite(reason, _REASONS) or reason
        whole = f"{head} : {reason}"
    m = re.search(r"Did you mean '(.+?)'\?", message)
    if m:
        whole += f" Vouliez-vous dire « {m.group(1)} » ?"
    return whole


_TITLES = {  # rich_utils constant → (French, English as Typer writes it)
    "RICH_HELP": ("Aide : [blue]'{command_path} {help_option}'[/].", "Try [blue]'{command_path} {help_option}'[/] for help."),
    "ERRORS_PANEL_TITLE": ("Erreur", "Error"),
    "ARGUMENTS_PANEL_TITLE": ("Arguments", "Arguments"),
    "OPTIONS_PANEL_TITLE": ("Options", "Options"),
    "COMMANDS_PANEL_TITLE": ("Commandes", "Commands"),
    "ABORTED_TEXT": ("Interrompu.", "Aborted."),
    "DEFAULT_STRING": ("[défaut : {}]", "[default: {}]"),
    "ENVVAR_STRING": ("[variable d'environnement : {}]", "[env var: {}]"),
    "REQUIRED_LONG_STRING": ("[obligatoire]", "[required]"),
    "DEPRECATED_STRING": ("(obsolète) ", "(deprecated) "),
}
_original_format_error = rich_utils.rich_format_error
_original_write_usage = formatting.HelpFormatter.write_usage


def _format_error(error) -> None:
    apply_language()                 # the error may come before the root callback has read --lang
    original = error.format_message
    error.format_message = lambda: french_message(original())
    _original_format_error(error)


def _write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
    if prefix is None and get_language() == "fr":
        prefix = "Utilisation : "
    _original_write_usage(self, prog, args, prefix)


def apply_language() -> None:
    """Set Typer's titles for the current language (call again when ``--lang`` changes it)."""
    french = get_language() == "fr"
    for name, (fr, en) in _TITLES.items():
        setattr(rich_utils, name, fr if french else en)
    rich_utils.rich_format_error = _format_error
    formatting.HelpFormatter.write_usage = _write_usage
