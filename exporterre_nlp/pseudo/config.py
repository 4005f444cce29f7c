"""Settings of pseudonymisation: the ``pseudo:`` section of the project settings."""
from __future__ import annotations

from pathlib import Path

from ..settings import PseudoSettings

__all__ = ["PseudoSettings", "pseudo_settings", "lists_path"]


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
