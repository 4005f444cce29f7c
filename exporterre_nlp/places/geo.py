"""GeoJSON of the places (RFC 7946), for uMap, QGIS or any GIS.

One ``Point`` feature per register place that has a position of its own. Coordinates are
``[longitude, latitude]`` in WGS84, rounded to 5 decimals (about a metre).
Properties carry only register facts and counts: voices and segments per
category, the initiatives found there (what, status), never a quote, a name or
an address of a person. Places without a position are listed in the
collection's ``exporterre:unmapped`` member (their parent's feature counts them in
its ``…_with_inside`` properties).
"""
from __future__ import annotations

import json
from typing import Any

from .index import PlaceIndex
from .sheets import Initiative, PlaceSheet


def feature_collection(index: PlaceIndex, sheets: list[PlaceSheet], initiatives: list[Initiative]) -> dict[str, Any]:
    by_place: dict[str, list[Initiative]] = {}
    for item in initiatives:
        by_place.setdefault(item.place, []).append(item)
    features, unmapped = [], []
    for sheet in sheets:
        place = index.register.places[sheet.key]
        coords = place.coords
        if coords is None:
            unmapped.append(sheet.key)
            continue
        features.append({
            "type": "Feature",
            "id": sheet.key,
            "geometry": {"type": "Point", "coordinates": [round(coords.lon, 5), round(coords.lat, 5)]},
            "properties": {
                "key": sheet.key, "name": place.name, "kind": place.kind, "parent": place.parent,
                "precision": coords.precision,
                "mentions": sheet.mentions, "voices_naming": sheet.voices_naming,
                **{f"voices_{cat}": cell.voices for cat, cell in sheet.own_totals.items()},
                **{f"voices_{cat}_with_inside": cell.voices for cat, cell in sheet.totals.items()},
                **{f"segments_{cat}": cell.segments for cat, cell in sheet.totals.items()},
                "initiatives": [{"entry": i.entry, "what": i.what, "category": i.category, "status": i.status,
                                 "voices": i.voices} for i in by_place.get(sheet.key, [])],
            },
        })
    return {"type": "FeatureCollection", "features": features, "exporterre:unmapped": unmapped,
            "exporterre:register": index.register.name}


def dumps(collection: dict[str, Any]) -> str:
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"
