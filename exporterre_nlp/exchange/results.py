"""What an export or an import did, for the shells to print."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ExportResult:
    path: Path
    documents: int = 0
    codes: int = 0
    codings: int = 0
    memos: int = 0
    coders: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ImportResult:
    project: Path
    documents: int = 0
    codes: int = 0
    codings: int = 0
    memos: int = 0
    participants: int = 0
    coders: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    anchoring: dict = field(default_factory=dict)   # selections checked, corrected, searched, unverified, lost
