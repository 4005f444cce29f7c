"""The place register: the district's places as a YAML file next to the codebook.

```yaml
format: exporterre-places/1
name: La Villeneuve (Grenoble)
places:
  - key: arlequin                 # unique, lower case
    name: Galerie de l'Arlequin
    kind: secteur                 # see KINDS
    parent: villeneuve            # district → sector → place
    code: lieux.arlequin          # optional: the codebook code of this place
    aliases: [l'Arlequin, la galerie]
    coords: {lat: 45.1662, lon: 5.7326, precision: approximate}   # WGS84; exact | approximate
```

The register is configuration, not code: a project keeps its own copy
(``lieux.yaml``, made at ``exporterre init``) and can point to another file in
its settings (``places.register``). Errors name the place and the field.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ExporterreError
from ..i18n import tr

FORMAT = "exporterre-places/1"
PRECISIONS = ("exact", "approximate")
MAX_BYTES = 5_000_000

# kind key -> (French label, English label)
KINDS: dict[str, tuple[str, str]] = {
    "quartier": ("quartier", "district"),
    "secteur": ("secteur", "sector"),
    "equipement_public": ("équipement public", "public facility"),
    "association": ("association", "association"),
    "lieu_de_culte": ("lieu de culte", "place of worship"),
    "commerce_marche": ("commerce, marché", "shop, market"),
    "parc": ("parc, espace vert", "park, green space"),
    "ecole": ("école, collège", "school"),
    "immeuble_montee": ("immeuble, montée", "building, stairwell"),
    "arret_tram": ("arrêt de tram", "tram stop"),
    "sport": ("équipement sportif", "sports facility"),
    "autre": ("autre", "other"),
}


class PlaceRegisterError(ExporterreError):
    """The place register file is missing or invalid."""


@dataclass(frozen=True)
class Coordinates:
    lat: float
    lon: float
    precision: str                   # exact | approximate


@dataclass(frozen=True)
class Place:
    key: str
    name: str
    kind: str
    parent: str | None = None
    code: str | None = None
    aliases: tuple[str, ...] = ()
    coords: Coordinates | None = None
    description: str | None = None

    @property
    def kind_label(self) -> str:
        fr, en = KINDS.get(self.kind, (self.kind, self.kind))
        return tr(fr, en)

    @property
    def surfaces(self) -> tuple[str, ...]:
        """Every way of saying it: the name, then the aliases."""
        return (self.name,) + self.aliases


@dataclass
class PlaceRegister:
    name: str
    places: dict[str, Place]                       # key -> place, file order
    path: str | None = None
    note: str | None = None
    _children: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for place in self.places.values():
            if place.parent:
                self._children.setdefault(place.parent, []).append(place.key)

    def __len__(self) -> int:
        return len(self.places)

    def __iter__(self):
        return iter(self.places.values())

    def get(self, key: str) -> Place | None:
        return self.places.get(key)

    def children(self, key: str) -> list[str]:
        return list(self._children.get(key, []))

    def descendants(self, key: str) -> list[str]:
        """``key`` and every place inside it, in file order."""
        out, stack = [], [key]
        while stack:
            k = stack.pop()
            out.append(k)
            stack.extend(self._children.get(k, []))
        order = {k: i for i, k in enumerate(self.places)}
        return sorted(out, key=order.__getitem__)

    def tree_order(self) -> list[str]:
        """Every key, each place followed by the places inside it (file order among siblings)."""
        out: list[str] = []

        def visit(key: str) -> None:
            out.append(key)
            for child in self._children.get(key, []):
                visit(child)
        for place in self.places.values():
            if place.parent is None:
                visit(place.key)
        return out

    def ancestors(self, key: str) -> list[str]:
        out, place = [], self.places.get(key)
        while place is not None and place.parent:
            out.append(place.parent)
            place = self.places.get(place.parent)
        return out

    def find(self, query: str) -> Place | None:
        """A place by key, name or alias (case and accents ignored)."""
        from .linking import normalise
        if query in self.places:
            return self.places[query]
        wanted = normalise(query)
        for place in self.places.values():
            if any(normalise(s) == wanted for s in place.surfaces):
                return place
        return None

    def mapped_position(self, key: str) -> tuple[Coordinates, str] | None:
        """Where a place is drawn: its own coordinates, else the nearest ancestor's
        (then always shown as approximate); with the key whose position it is."""
        for k in [key] + self.ancestors(key):
            place = self.places.get(k)
            if place is not None and place.coords is not None:
                if k == key:
                    return place.coords, k
                return Coordinates(place.coords.lat, place.coords.lon, "approximate"), k
        return None


def _fail(where: str, message_fr: str, message_en: str) -> PlaceRegisterError:
    return PlaceRegisterError(
        tr(f"Registre des lieux invalide : {where} : {message_fr}", f"Invalid place register: {where}: {message_en}"),
        tr("Corrigez ce lieu dans le fichier YAML (format décrit dans docs/places.md) puis relancez la commande.",
           "Fix this place in the YAML file (format described in docs/places.md) and run the command again."),
        path=where.split(":")[0])


def _coords(value: Any, where: str) -> Coordinates | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _fail(where, "coords doit être {lat, lon, precision}", "coords must be {lat, lon, precision}")
    unknown = set(value) - {"lat", "lon", "precision"}
    if unknown:
        raise _fail(where, f"champ inconnu dans coords : {', '.join(sorted(unknown))}",
                    f"unknown field in coords: {', '.join(sorted(unknown))}")
    try:
        lat, lon = float(value["lat"]), float(value["lon"])
    except (KeyError, TypeError, ValueError):
        raise _fail(where, "coords.lat et coords.lon doivent être des nombres (degrés WGS84)",
                    "coords.lat and coords.lon must be numbers (WGS84 degrees)") from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise _fail(where, f"coordonnées hors du globe ({lat}, {lon})", f"coordinates off the globe ({lat}, {lon})")
    precision = value.get("precision", "approximate")
    if precision not in PRECISIONS:
        raise _fail(where, f"precision doit valoir exact ou approximate, pas « {precision} »",
                    f"precision must be exact or approximate, not '{precision}'")
    return Coordinates(round(lat, 6), round(lon, 6), precision)


PLACE_FIELDS = {"key", "name", "kind", "parent", "code", "aliases", "coords", "description"}


def register_from_data(data: Any, path: str | None = None) -> PlaceRegister:
    """Validate parsed YAML and build the register (errors name the place and the field)."""
    src = path or tr("(registre)", "(register)")
    if not isinstance(data, dict):
        raise _fail(src, "le fichier doit être un dictionnaire (format, name, places)",
                    "the file must be a mapping (format, name, places)")
    if data.get("format") != FORMAT:
        raise _fail(src, f"format doit valoir {FORMAT}", f"format must be {FORMAT}")
    items = data.get("places")
    if not isinstance(items, list) or not items:
        raise _fail(src, "places doit être une liste non vide", "places must be a non-empty list")
    places: dict[str, Place] = {}
    surfaces: dict[str, str] = {}
    from .linking import normalise
    for i, item in enumerate(items, 1):
        where = f"{src}: places[{i}]"
        if not isinstance(item, dict):
            raise _fail(where, "chaque lieu est un dictionnaire", "each place is a mapping")
        key = item.get("key")
        if not isinstance(key, str) or not key.strip():
            raise _fail(where, "key manquant", "key missing")
        where = f"{src}: {key}"
        unknown = set(item) - PLACE_FIELDS
        if unknown:
            raise _fail(where, f"champ(s) inconnu(s) : {', '.join(sorted(unknown))}",
                        f"unknown field(s): {', '.join(sorted(unknown))}")
        if key in places:
            raise _fail(where, "clé en double", "duplicate key")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _fail(where, "name manquant", "name missing")
        kind = item.get("kind", "autre")
        if kind not in KINDS:
            raise _fail(where, f"kind « {kind} » inconnu (valeurs : {', '.join(KINDS)})",
                        f"unknown kind '{kind}' (values: {', '.join(KINDS)})")
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise _fail(where, "aliases doit être une liste de textes", "aliases must be a list of texts")
        place = Place(key=key, name=name.strip(), kind=kind, parent=item.get("parent"), code=item.get("code"),
                      aliases=tuple(a.strip() for a in aliases), coords=_coords(item.get("coords"), where),
                      description=item.get("description"))
        for surface in place.surfaces:
            norm = normalise(surface)
            if not norm:
                raise _fail(where, f"l'alias « {surface} » est vide une fois les articles retirés",
                            f"alias '{surface}' is empty once articles are removed")
            other = surfaces.get(norm)
            if other is not None and other != key:
                raise _fail(where, f"« {surface} » désigne déjà le lieu {other} : un alias ne peut désigner qu'un lieu",
                            f"'{surface}' already names place {other}: an alias names one place only")
            surfaces[norm] = key
        places[key] = place
    for place in places.values():
        if place.parent is not None and place.parent not in places:
            raise _fail(f"{src}: {place.key}", f"parent « {place.parent} » n'est pas un lieu du registre",
                        f"parent '{place.parent}' is not a place of the register")
    for place in places.values():          # no cycle: walking up always ends
        seen, k = set(), place.key
        while k is not None:
            if k in seen:
                raise _fail(f"{src}: {place.key}", "les parents forment une boucle", "parents form a loop")
            seen.add(k)
            k = places[k].parent
    return PlaceRegister(name=str(data.get("name") or ""), places=places, path=path, note=data.get("note"))


def load_register(path: str | Path) -> PlaceRegister:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _fail(str(path), "fichier trop gros (plus de 5 Mo)", "file too large (over 5 MB)")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlaceRegisterError(tr(f"Registre des lieux introuvable : {path}", f"Place register not found: {path}"),
                                 tr("Indiquez un fichier existant dans settings.yaml (places.register), ou copiez "
                                    "codebooks/lieux-villeneuve.yaml dans le projet sous le nom lieux.yaml.",
                                    "Name an existing file in settings.yaml (places.register), or copy "
                                    "codebooks/lieux-villeneuve.yaml into the project as lieux.yaml."),
                                 path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(str(path), f"illisible ({exc})", f"unreadable ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as exc:
        raise _fail(str(path), f"YAML invalide ({exc})", f"invalid YAML ({exc})") from None
    return register_from_data(data, str(path))


def default_register_path() -> Path:
    """The demo register shipped with Exporterre (``codebooks/lieux-villeneuve.yaml``)."""
    from ..project import bundled_codebook_file
    found = bundled_codebook_file("lieux-villeneuve.yaml")
    if found is not None:
        return found
    raise PlaceRegisterError(tr("Le registre des lieux fourni (codebooks/lieux-villeneuve.yaml) est introuvable.",
                                "The bundled place register (codebooks/lieux-villeneuve.yaml) cannot be found."),
                             tr("Donnez un registre avec places.register dans settings.yaml.",
                                "Give a register with places.register in settings.yaml."))
