"""Settings of pseudonymisation.

Until the project settings carry a ``pseudo:`` section (asked of the lead), the
defaults below apply; :func:`pseudo_settings` reads the section when present.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class PseudoSettings:
    seed: int | None = None            # None: the project's seed (settings.seed)
    lists: str | None = None           # a YAML file of the project's own lists (known_names, never_replace...)
    use_ner: bool = True               # the French model's entities (else lists, titles, labels, patterns only)
    model: str | None = None           # None: settings.nlp.model
    min_score: float = 0.5             # detections scoring below are not proposed
    categories: list[str] = field(default_factory=lambda: ["person", "phone", "email", "nir", "address"])


def pseudo_settings(settings) -> PseudoSettings:
    found = getattr(settings, "pseudo", None)
    if isinstance(found, PseudoSettings):
        return found
    if isinstance(found, dict):
        return PseudoSettings(**found)
    if found is not None and hasattr(found, "__dataclass_fields__"):
        return PseudoSettings(**{k: getattr(found, k) for k in PseudoSettings.__dataclass_fields__
                                 if hasattr(found, k)})
    return PseudoSettings()


def lists_path(ps: PseudoSettings, project_dir: str | Path | None) -> Path | None:
    if not ps.lists:
        return None
    path = Path(ps.lists)
    return path if path.is_absolute() or project_dir is None else Path(project_dir) / path
