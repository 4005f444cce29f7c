"""Exchange formats: REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder), IRaMuTeQ, spreadsheets.

* :func:`export_qdpx` / :func:`import_qdpx` — whole projects (``.qdpx``), import into a NEW project;
* :func:`export_qdc` / :func:`import_qdc` — codebooks (``.qdc`` ↔ YAML codebook);
* :func:`export_iramuteq` / :func:`iramuteq_corpus` — corpus text with star variables and thematics;
* :func:`export_codings` / :func:`coding_rows` — one row per coding, CSV or XLSX.

Every export keeps provenance: positions are character offsets of the stored text.
See docs/exchange.md.
"""
from __future__ import annotations

from .codings_table import COLUMNS, coding_rows, export_codings
from .iramuteq import iramuteq_corpus, export_iramuteq
from .names import ascii_slug, safe_cell
from .offsets import normalise_with_map
from .qdc import codebook_from_store, codebook_xml, export_qdc, import_qdc
from .qdpx_export import build_project, export_qdpx
from .qdpx_import import import_qdpx
from .qdpx_read import read_qdpx
from .results import ExportResult, ImportResult

__all__ = ["COLUMNS", "ExportResult", "ImportResult", "ascii_slug", "build_project", "codebook_from_store",
           "codebook_xml", "coding_rows", "export_codings", "export_iramuteq", "export_qdc", "export_qdpx",
           "import_qdc", "import_qdpx", "iramuteq_corpus", "normalise_with_map", "read_qdpx", "safe_cell"]
