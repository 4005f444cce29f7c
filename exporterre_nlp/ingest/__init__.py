"""Ingestion: files → normalised text + metadata + segments (pure functions, no store).

* :func:`read_file` reads one .txt, .md, .docx, .odt, .srt or .vtt file into a
  :class:`~exporterre_nlp.records.ParsedDocument`: encoding detected without
  guessing, text normalised (NFC, ``\\n``, no BOM), Markdown front matter moved to
  ``metadata`` (already normalised, phase optional), segments found.
* :func:`find_segments` finds speaker turns or paragraphs in a plain text (the
  rule is documented in :mod:`exporterre_nlp.ingest.speakers`).
* :func:`load_manifest` reads a manifest CSV; :func:`normalise_metadata` validates
  merged metadata (and requires a phase); :func:`speaker_role` tells interviewers
  from other speakers.
"""
from .coverage import check_coverage
from .encoding import decode_bytes, normalise_text
from .manifest import load_manifest, manifest_key, normalise_metadata, split_front_matter
from .readers import SUPPORTED_FORMATS, read_file
from .speakers import find_segments, label_key, speaker_role

__all__ = [
    "SUPPORTED_FORMATS",
    "read_file",
    "find_segments",
    "load_manifest",
    "normalise_metadata",
    "speaker_role",
    "manifest_key",
    "label_key",
    "decode_bytes",
    "normalise_text",
    "split_front_matter",
    "check_coverage",
]
