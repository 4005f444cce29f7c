"""Document metadata: YAML front matter, manifest CSV, validation.

Metadata keys: ``phase`` (1, 2, 3), ``lieu``, ``date`` (ISO), ``participant``,
``interviewer`` (list of labels), ``role`` (resident, relais, other); any other key
is an attribute of the document, kept as a string. :func:`normalise_metadata` is
idempotent, so values already normalised (by :func:`load_manifest` or a reader)
can be merged with others and normalised again.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import posixpath
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from ..errors import MetadataError
from ..i18n import tr
from ..records import PHASES
from .encoding import decode_bytes, normalise_text
from .speakers import label_key

STANDARD_KEYS = ("file", "phase", "lieu", "date", "participant", "interviewer", "role")
_ALIASES = {
    "file": ("file", "fichier", "filename", "nom du fichier", "nom de fichier", "document", "chemin", "path"),
    "phase": ("phase",),
    "lieu": ("lieu", "place", "location", "endroit"),
    "date": ("date",),
    "participant": ("participant", "participante", "personne"),
    "interviewer": ("interviewer", "interviewers", "enqueteur", "enquetrice", "enqueteurs",
                    "enquetrices", "intervieweur", "intervieweuse"),
    "role": ("role",),
}
_CANONICAL = {alias: key for key, aliases in _ALIASES.items() for alias in aliases}
_PHASE_NAMES = {"relais": 1, "lieu": 2, "lieux": 2, "habitant": 3, "habitants": 3,
                "habitante": 3, "habitantes": 3}
_ROLES = {"habitant": "resident", "habitante": "resident", "habitants": "resident",
          "habitantes": "resident", "resident": "resident", "residente": "resident",
          "residents": "resident", "relais": "relais", "autre": "other", "autres": "other",
          "other": "other"}
MAX_FRONT_MATTER_DEPTH = 20


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as written: ``date: 2026-02-30`` reaches the date
    check (and its message) instead of failing inside YAML."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_FM_OPEN = re.compile(r"---[ \t]*\n")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def canonical_key(name: str) -> str:
    """The standard metadata key for a column or front-matter key (else the key as written)."""
    return _CANONICAL.get(label_key(str(name)), str(name).strip())


def normalise_metadata(raw: dict, *, source: str, require_phase: bool = True,
                       path: str | None = None) -> dict[str, Any]:
    """Validate and convert metadata; see the module doc. Raises :class:`MetadataError`."""
    where = path if path is not None else source
    out: dict[str, Any] = {}
    for key, value in (raw or {}).items():
        if key is None or _is_empty(value):
            continue
        name = canonical_key(key)
        if name == "phase":
            out["phase"] = _phase(value, source, where)
        elif name == "date":
            out["date"] = _date(value, source, where)
        elif name == "interviewer":
            labels = _labels(value, source, where)
            if labels:
                out["interviewer"] = labels
        elif name == "role":
            out["role"] = _role(value, source, where)
        else:
            out[name] = _text(value, name, source, where)
    if require_phase and "phase" not in out:
        raise MetadataError(
            tr(f"Phase manquante pour {source} : chaque document appartient à une phase du terrain.",
               f"Missing phase for {source}: every document belongs to a fieldwork phase."),
            tr("Indiquez-la dans l'en-tête YAML du fichier (`phase: 3`), dans la colonne `phase` du "
               "manifeste, ou avec `--phase 3` en ligne de commande (1 = relais, 2 = lieux, 3 = habitants).",
               "Give it in the file's YAML front matter (`phase: 3`), in the manifest's `phase` column, "
               "or with `--phase 3` on the command line (1 = relais, 2 = lieux, 3 = habitants)."),
            path=where)
    return out


def manifest_key(value: str | os.PathLike, *, source: str | None = None) -> str:
    """A file name as a normalised POSIX relative path (NFC), the key of a manifest row."""
    text = unicodedata.normalize("NFC", os.fspath(value).strip()).replace("\\", "/")
    where = source or text
    if not text:
        raise MetadataError(tr(f"Nom de fichier vide ({where}).", f"Empty file name ({where})."),
                            tr("Remplissez la colonne `file`.", "Fill in the `file` column."), path=where)
    if text.startswith("/") or re.match(r"[A-Za-z]:/", text):
        raise MetadataError(
            tr(f"Chemin absolu « {text} » ({where}) : le manifeste attend des chemins relatifs.",
               f"Absolute path '{text}' ({where}): the manifest expects relative paths."),
            tr("Écrivez le chemin depuis le dossier du manifeste, par ex. `entretiens/fatima.docx`.",
               "Write the path from the manifest's folder, e.g. `entretiens/fatima.docx`."), path=where)
    key = posixpath.normpath(text)
    if key in (".", "..") or key.startswith("../"):
        raise MetadataError(
            tr(f"Le chemin « {text} » ({where}) sort du dossier du manifeste.",
               f"The path '{text}' ({where}) leaves the manifest's folder."),
            tr("Placez le manifeste à la racine du corpus et écrivez des chemins relatifs à ce dossier.",
               "Put the manifest at the root of the corpus and write paths relative to it."), path=where)
    return key


def load_manifest(path: str | os.PathLike) -> dict[str, dict]:
    """Read a manifest CSV: ``{relative file path: normalised metadata}``."""
    path = Path(path)
    shown = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MetadataError(tr(f"Manifeste illisible : {shown} ({exc.strerror}).",
                               f"Unreadable manifest: {shown} ({exc.strerror})."),
                            tr("Vérifiez le chemin du manifeste.", "Check the manifest's path."),
                            path=shown) from None
    text = normalise_text(decode_bytes(data, shown)[0])
    first_line = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    result: dict[str, dict] = {}
    first_line_of: dict[str, int] = {}
    line_no = 1
    for row in reader:
        row_line, line_no = line_no, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = _header(row, shown, row_line)
            continue
        where = tr(f"{shown}, ligne {row_line}", f"{shown}, line {row_line}")
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            raise MetadataError(
                tr(f"{where} : {len(row)} cellules pour {len(header)} colonnes.",
                   f"{where}: {len(row)} cells for {len(header)} columns."),
                tr(f"Vérifiez le séparateur « {delimiter} » et mettez entre guillemets les valeurs qui le contiennent.",
                   f"Check the '{delimiter}' separator and quote values that contain it."), path=shown)
        values = {col: cell.strip() for col, cell in zip(header, row) if cell.strip()}
        file_value = values.pop("file", None)
        if file_value is None:
            raise MetadataError(tr(f"{where} : la colonne `file` est vide.", f"{where}: the `file` column is empty."),
                                tr("Indiquez le fichier décrit par cette ligne, ou supprimez la ligne.",
                                   "Give the file this row describes, or delete the row."), path=shown)
        key = manifest_key(file_value, source=where)
        if key in result:
            raise MetadataError(
                tr(f"{where} : le fichier « {key} » est déjà décrit à la ligne {first_line_of[key]}.",
                   f"{where}: the file '{key}' is already described on line {first_line_of[key]}."),
                tr("Gardez une seule ligne par fichier.", "Keep one row per file."), path=shown)
        result[key] = normalise_metadata(values, source=where, require_phase=False, path=shown)
        first_line_of[key] = row_line
    if header is None:
        raise MetadataError(tr(f"Le manifeste {shown} est vide.", f"The manifest {shown} is empty."),
                            _header_hint(), path=shown)
    return result


def split_front_matter(text: str, path: str) -> tuple[dict[str, Any], str]:
    """``(front matter, rest of the text)`` of a normalised Markdown text."""
    opening = _FM_OPEN.match(text)
    if opening is None:
        return {}, text
    closing = _FM_CLOSE.search(text, opening.end())
    if closing is None:
        return {}, text
    block = text[opening.end():closing.start()]
    try:
        depth = 0
        for event in yaml.parse(block, Loader=_FrontMatterLoader):
            if isinstance(event, yaml.AliasEvent):
                raise MetadataError(
                    tr(f"L'en-tête YAML de {path} utilise des alias (&/*), refusés.",
                       f"The YAML front matter of {path} uses aliases (&/*), which are refused."),
                    tr("Écrivez chaque valeur en entier.", "Write each value in full."), path=path)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_FRONT_MATTER_DEPTH:
                    line = event.start_mark.line + 2
                    raise MetadataError(
                        tr(f"L'en-tête YAML de {path} est imbriqué trop profondément (plus de "
                           f"{MAX_FRONT_MATTER_DEPTH} niveaux, ligne {line}).",
                           f"The YAML front matter of {path} is nested too deeply (more than "
                           f"{MAX_FRONT_MATTER_DEPTH} levels, line {line})."),
                        tr("Un en-tête ne contient que des informations simples (`phase: 3`, `lieu: marché`) : "
                           "corrigez-le ou supprimez-le.",
                           "A front matter only holds simple items (`phase: 3`, `lieu: marché`): fix it or "
                           "remove it."), path=path)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        data = yaml.load(block, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader without timestamps
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise MetadataError(
            tr(f"En-tête YAML invalide dans {path}, ligne {line}.",
               f"Invalid YAML front matter in {path}, line {line}."),
            tr("Écrivez une information par ligne sous la forme `clé: valeur` (par ex. `phase: 3`), "
               "entre deux lignes `---`.",
               "Write one item per line as `key: value` (e.g. `phase: 3`), between two `---` lines."),
            path=path) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return {}, text
    rest = re.sub(r"\A(?:[ \t]*\n)+", "", text[closing.end():].removeprefix("\n"))
    return {str(k): _plain(v) for k, v in data.items()}, rest


# --- value converters ---------------------------------------------------------------
def _header(row: list[str], shown: str, line: int) -> list[str]:
    header = [canonical_key(cell) for cell in row]
    if "file" not in header:
        raise MetadataError(
            tr(f"La colonne `file` manque dans le manifeste {shown} (ligne {line}).",
               f"The `file` column is missing from the manifest {shown} (line {line})."),
            _header_hint(), path=shown)
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise MetadataError(
                tr(f"La colonne « {name} » apparaît deux fois dans le manifeste {shown} (ligne {line}).",
                   f"The column '{name}' appears twice in the manifest {shown} (line {line})."),
                tr("Renommez ou supprimez l'une des deux.", "Rename or delete one of them."), path=shown)
        seen.add(name)
    return header


def _header_hint() -> str:
    return tr("La première ligne doit nommer les colonnes, par ex. "
              "`file;phase;lieu;date;participant;interviewer;role` (virgules ou points-virgules).",
              "The first line must name the columns, e.g. "
              "`file,phase,lieu,date,participant,interviewer,role` (commas or semicolons).")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _invalid(what_fr: str, what_en: str, value: Any, source: str, where: str,
             hint_fr: str, hint_en: str) -> MetadataError:
    return MetadataError(tr(f"{what_fr} invalide « {value} » pour {source}.",
                            f"Invalid {what_en} '{value}' for {source}."),
                         tr(hint_fr, hint_en), path=where)


def _phase(value: Any, source: str, where: str) -> int:
    found: set[int] = set()
    ok = not isinstance(value, bool | list | tuple | dict)
    if ok and isinstance(value, int | float):
        ok = float(value).is_integer()
        found.add(int(value))
    elif ok:
        for token in re.findall(r"[a-z]+|\d+", label_key(str(value))):
            if token.isdigit():
                found.add(int(token))
            elif token in _PHASE_NAMES:
                found.add(_PHASE_NAMES[token])
            elif token not in ("phase", "p"):
                ok = False
    if ok and len(found) == 1 and next(iter(found)) in PHASES:
        return next(iter(found))
    raise _invalid("Phase", "phase", value, source, where,
                   "Écrivez 1, 2 ou 3 (ou relais, lieux, habitants).",
                   "Write 1, 2 or 3 (or relais, lieux, habitants).")


def _date(value: Any, source: str, where: str) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.+\-Z]*)?", text)
    french = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3])).isoformat()
        if french:
            return dt.date(int(french[3]), int(french[2]), int(french[1])).isoformat()
    except ValueError:
        pass
    raise _invalid("Date", "date", value, source, where,
                   "Écrivez la date sous la forme 2026-03-12 ou 12/03/2026 (jour/mois/année).",
                   "Write the date as 2026-03-12 or 12/03/2026 (day/month/year).")


def _labels(value: Any, source: str, where: str) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    labels: list[str] = []
    for item in items:
        if isinstance(item, dict):
            raise _invalid("Enquêteur·rice", "interviewer", item, source, where,
                           "Écrivez les étiquettes séparées par « ; » (par ex. `E; Claire`).",
                           "Write the labels separated by ';' (e.g. `E; Claire`).")
        for part in re.split(r"[;,]", str(item)):
            part = " ".join(part.split())
            if part and part not in labels:
                labels.append(part)
    return labels


def _role(value: Any, source: str, where: str) -> str:
    role = _ROLES.get(label_key(str(value)))
    if role is None:
        raise _invalid("Rôle", "role", value, source, where,
                       "Écrivez habitant, relais ou autre.", "Write habitant (resident), relais or autre (other).")
    return role


def _text(value: Any, name: str, source: str, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(_text(v, name, source, where) for v in value if not _is_empty(v))
    if isinstance(value, dict):
        raise _invalid(f"Valeur de « {name} »", f"value of '{name}'", value, source, where,
                       "Écrivez une valeur simple (texte ou nombre), pas une table.",
                       "Write a simple value (text or number), not a mapping.")
    return value.strip() if isinstance(value, str) else str(value)
