"""The map: places at their coordinates, symbol size by voices, small multiples by category and phase.

No tile server and no network: the HTML page embeds plotly.js and draws the
places on plain longitude/latitude axes (equal distances on both axes at the
register's latitude); an optional basemap the user supplies as GeoJSON
(``places.basemap``: streets, buildings, the district's outline) is drawn under
them as grey lines. Approximate positions are drawn as open circles and said so
in the legend and the hover text. The PNG (matplotlib) shows the same small
multiples for the Markdown report and print.

What the map means: the number of *voices* (distinct participants) who said
something of that category in turns tied to the place itself (a sector's symbol
does not repeat what is said of the places inside it, which have their own);
not residents, not frequentation. Places without a position of their own are
not drawn (their sheets still count them).
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ..i18n import tr
from .index import PlaceIndex
from .sheets import PlaceSheet, category_label

PHASE_WORDS = {1: ("phase 1 — relais", "phase 1 — intermediaries"), 2: ("phase 2 — lieux", "phase 2 — places"),
               3: ("phase 3 — habitants", "phase 3 — residents")}
COLOURS = {"competence": "#1b9e77", "ressource": "#7570b3", "besoin": "#d95f02", "preoccupation": "#e7298a"}


def _points(index: PlaceIndex, sheets: list[PlaceSheet]) -> list[tuple[PlaceSheet, float, float, bool]]:
    """Places with a position of their own (a place without one is counted on its sheet and its parent's,
    not drawn on top of its parent)."""
    out = []
    for sheet in sheets:
        coords = index.register.places[sheet.key].coords
        if coords is not None:
            out.append((sheet, coords.lon, coords.lat, coords.precision == "approximate"))
    return out


def _voices(sheet: PlaceSheet, category: str, phase: int) -> int:
    """Voices in turns tied to the place itself (not the places inside it: they have their own symbol)."""
    cell = sheet.own.get(category, {}).get(phase)
    return cell.voices if cell else 0


def _size(voices: int, largest: int) -> float:
    return 0.0 if voices <= 0 else 6 + 30 * math.sqrt(voices / max(largest, 1))


def _basemap_lines(path: str | Path | None) -> list[tuple[list[float], list[float]]]:
    """Lines of a GeoJSON basemap (LineString, Polygon and their Multi- forms)."""
    if not path:
        return []
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    geometries: list[dict[str, Any]] = []
    for feature in data.get("features", [data]):
        geometry = feature.get("geometry", feature)
        if geometry:
            geometries.append(geometry)
    lines = []
    for g in geometries:
        kind, coords = g.get("type"), g.get("coordinates") or []
        rings = {"LineString": [coords], "MultiLineString": coords, "Polygon": coords,
                 "MultiPolygon": [r for poly in coords for r in poly]}.get(kind, [])
        for ring in rings:
            lines.append(([p[0] for p in ring], [p[1] for p in ring]))
    return lines


def map_figure(index: PlaceIndex, sheets: list[PlaceSheet], *, basemap: str | Path | None = None):
    """A plotly figure: one panel per category (columns) and phase (rows), plus the names."""
    from plotly.subplots import make_subplots
    import plotly.graph_objects as go

    points = _points(index, sheets)
    categories = [c for c in COLOURS if any(c in s.counts for s in sheets)]
    phases = sorted({p for s in sheets for p in s.phases}) or [1, 2, 3]
    largest = max([cell.voices for s in sheets for cat in s.own.values() for cell in cat.values()] + [1])
    titles = [f"{category_label(c)} — {tr(*PHASE_WORDS.get(p, (f'phase {p}', f'phase {p}')))}"
              for p in phases for c in categories]
    fig = make_subplots(rows=len(phases), cols=max(len(categories), 1), subplot_titles=titles,
                        horizontal_spacing=0.03, vertical_spacing=0.06)
    lines = _basemap_lines(basemap)
    lat0 = sum(p[2] for p in points) / len(points) if points else 45.0
    for r, phase in enumerate(phases, 1):
        for c, category in enumerate(categories, 1):
            for xs, ys in lines:
                fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#bbbbbb", "width": 1},
                                         hoverinfo="skip", showlegend=False), row=r, col=c)
            for approximate in (False, True):
                chosen = [p for p in points if p[3] == approximate]
                if not chosen:
                    continue
                voices = [_voices(s, category, phase) for s, *_ in chosen]
                fig.add_trace(go.Scatter(
                    x=[p[1] for p in chosen], y=[p[2] for p in chosen], mode="markers+text",
                    text=[s.name if v else "" for (s, *_), v in zip(chosen, voices)], textposition="top center",
                    textfont={"size": 9},
                    marker={"size": [_size(v, largest) or 4 for v in voices],
                            "color": [COLOURS[category] if v else "#cccccc" for v in voices],
                            "symbol": "circle-open" if approximate else "circle", "line": {"width": 2}},
                    customdata=[[s.name, v, tr("approximative", "approximate") if approximate else tr("exacte", "exact")]
                                for (s, *_), v in zip(chosen, voices)],
                    hovertemplate=tr("%{customdata[0]}<br>%{customdata[1]} voix<br>position %{customdata[2]}"
                                     "<extra></extra>",
                                     "%{customdata[0]}<br>%{customdata[1]} voices<br>%{customdata[2]} position"
                                     "<extra></extra>"),
                    name=tr("position approximative", "approximate position") if approximate
                    else tr("position exacte", "exact position"),
                    legendgroup="approx" if approximate else "exact",
                    showlegend=(r == 1 and c == 1)), row=r, col=c)
            axis = (r - 1) * len(categories) + c
            suffix = "" if axis == 1 else str(axis)
            fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, row=r, col=c)
            fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, row=r, col=c,
                             scaleanchor=f"x{suffix}", scaleratio=1 / math.cos(math.radians(lat0)))
    fig.update_layout(
        title=tr(f"Où se disent compétences, ressources, besoins et préoccupations — {index.register.name}",
                 f"Where skills, resources, needs and concerns are voiced — {index.register.name}"),
        height=330 * len(phases) + 120, width=330 * max(len(categories), 1) + 80, template="plotly_white",
        margin={"l": 20, "r": 20, "t": 90, "b": 60},
        annotations=list(fig.layout.annotations) + [{
            "text": tr("Taille : nombre de voix (participants distincts) ; cercle vide : position approximative. "
                       "Pas de fond de carte en ligne.",
                       "Size: number of voices (distinct participants); open circle: approximate position. "
                       "No online basemap."),
            "xref": "paper", "yref": "paper", "x": 0, "y": -0.04, "showarrow": False, "font": {"size": 11}}])
    return fig


def write_map_html(index: PlaceIndex, sheets: list[PlaceSheet], path: Path, *, basemap=None) -> Path:
    """A self-contained page (plotly.js embedded): opens with no network."""
    fig = map_figure(index, sheets, basemap=basemap)
    html = fig.to_html(include_plotlyjs=True, full_html=True, include_mathjax=False,
                       config={"displaylogo": False, "responsive": True})
    path.write_text(html, encoding="utf-8")
    return path


def write_map_png(index: PlaceIndex, sheets: list[PlaceSheet], path: Path, *, basemap=None) -> Path | None:
    """The same small multiples drawn by matplotlib (for Markdown, print and slides)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = _points(index, sheets)
    categories = [c for c in COLOURS if any(c in s.counts for s in sheets)]
    phases = sorted({p for s in sheets for p in s.phases})
    if not points or not categories or not phases:
        return None
    largest = max([cell.voices for s in sheets for cat in s.own.values() for cell in cat.values()] + [1])
    lat0 = sum(p[2] for p in points) / len(points)
    lines = _basemap_lines(basemap)
    fig, axes = plt.subplots(len(phases), len(categories), figsize=(3.2 * len(categories), 3.0 * len(phases)),
                             squeeze=False)
    for r, phase in enumerate(phases):
        for c, category in enumerate(categories):
            ax = axes[r][c]
            for xs, ys in lines:
                ax.plot(xs, ys, color="#bbbbbb", linewidth=0.6)
            for sheet, lon, lat, approximate in points:
                v = _voices(sheet, category, phase)
                ax.scatter([lon], [lat], s=(_size(v, largest) ** 2) / 3 if v else 4,
                           facecolors="none" if approximate or not v else COLOURS[category],
                           edgecolors=COLOURS[category] if v else "#cccccc", linewidths=1.2)
                if v:
                    ax.annotate(sheet.name, (lon, lat), fontsize=5, ha="center", va="bottom",
                                xytext=(0, 4), textcoords="offset points")
            ax.set_aspect(1 / math.cos(math.radians(lat0)))
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{category_label(category)}\n{tr(*PHASE_WORDS.get(phase, (str(phase), str(phase))))}",
                         fontsize=7)
    fig.suptitle(tr("Voix par lieu (cercle vide : position approximative)",
                    "Voices per place (open circle: approximate position)"), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
