"""The caches of the analysis: parsed segments and the rules' findings, on disk.

Layout: ``<project>/cache/parses/<fingerprint>/<document key>.pack`` where the
fingerprint hashes the model name and version, spaCy's version, the pipeline
components and the oral word list (:meth:`PipelineSpec.fingerprint`), and each
pack holds the parsed segments of one document, each under the hash of its
text. A segment whose text did not change is never parsed again; editing one
turn re-parses that turn only; a new interview adds one pack. The cache is
safe to delete.

Pack format: ``EXPK2\\n``, an 8-byte header length, a JSON header
(``{"hashes": [...], "user_data": [...]}``), then a spaCy ``DocBin`` holding
the docs in the header's order. The extension values of each doc (the oral
marks, ``token._.oral``) travel in the header as ``[name, start, end, value]``
lists, not in the DocBin: spaCy's ``store_user_data`` packs each doc with a
fresh msgpack packer that looks its encoders up in the package entry points
every time, which was about a third of the time spent writing packs.

The findings cache (:class:`ExtractionCache`) keeps, per document and per
segment text hash, what the rules found, keyed by the parse fingerprint plus a
fingerprint of the codebook file and of the extraction code: a second analysis
of an unchanged corpus with an unchanged codebook neither parses nor matches
anything (and does not even import spaCy).

This module imports spaCy only inside the methods that read or write parses.
"""
from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from pathlib import Path
from typing import Iterable

from typing import TYPE_CHECKING, Any

from .pipeline import PipelineSpec

if TYPE_CHECKING:                                   # pragma: no cover
    from spacy.tokens import Doc

MAGIC = b"EXPK2\n"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def document_key(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:24]


class ParseCache:
    """Packs of parsed segments for one pipeline spec."""

    def __init__(self, root: str | Path, spec: PipelineSpec):
        self.spec = spec
        self.dir = Path(root) / spec.fingerprint()
        self.dir.mkdir(parents=True, exist_ok=True)
        info = self.dir / "config.json"
        if not info.exists():
            info.write_text(json.dumps(spec.describe(), indent=2), encoding="utf-8")

    def path(self, key: str) -> Path:
        return self.dir / f"{key}.pack"

    def hashes(self, key: str) -> list[str]:
        """The text hashes a pack holds (reads the header only)."""
        try:
            with open(self.path(key), "rb") as fh:
                if fh.read(len(MAGIC)) != MAGIC:
                    return []
                (size,) = struct.unpack("<Q", fh.read(8))
                return json.loads(fh.read(size))["hashes"]
        except (OSError, ValueError, KeyError, struct.error):
            return []

    def load(self, key: str, vocab) -> dict[str, "Doc"]:
        """hash → Doc for every segment of the pack (empty when absent or unreadable)."""
        try:
            raw = self.path(key).read_bytes()
        except OSError:
            return {}
        return read_pack(raw, vocab)

    def save(self, key: str, docs: Iterable[tuple[str, "Doc"]]) -> None:
        """Write a pack atomically (a concurrent reader sees the old or the new one)."""
        _atomic_write(self.path(key), encode_pack(docs))


def encode_pack(docs: Iterable[tuple[str, "Doc"]]) -> bytes:
    """A pack's bytes: docs under their text hashes, with their extension values (see module doc)."""
    from spacy.tokens import DocBin
    hashes, extensions, binder = [], [], DocBin()
    for h, doc in docs:
        hashes.append(h)
        extensions.append([[key[1], key[2], key[3], value] for key, value in doc.user_data.items()
                           if isinstance(key, tuple) and len(key) == 4 and key[0] == "._."])
        binder.add(doc)
    header = json.dumps({"hashes": hashes, "user_data": extensions}).encode()
    return MAGIC + struct.pack("<Q", len(header)) + header + binder.to_bytes()


def read_pack(raw: bytes, vocab) -> dict[str, "Doc"]:
    """hash → Doc from a pack's bytes (empty when they are not a readable pack)."""
    from spacy.tokens import DocBin
    try:
        if not raw.startswith(MAGIC):
            return {}
        offset = len(MAGIC)
        (size,) = struct.unpack_from("<Q", raw, offset)
        offset += 8
        header = json.loads(raw[offset:offset + size])
        hashes, extensions = header["hashes"], header["user_data"]
        docs = list(DocBin().from_bytes(raw[offset + size:]).get_docs(vocab))
        if len(docs) != len(hashes) or len(extensions) != len(docs):
            return {}
        for doc, values in zip(docs, extensions):
            data = doc.user_data
            for name, start, end, value in values:
                data[("._.", name, start, end)] = value
    except (ValueError, KeyError, TypeError, struct.error, zlib.error):
        return {}
    return dict(zip(hashes, docs))


def _atomic_write(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)


class ExtractionCache:
    """Per document: text hash → (findings as plain lists, negated matches skipped)."""

    def __init__(self, root: str | Path, fingerprint: str):
        self.dir = Path(root) / fingerprint
        self.dir.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.dir / f"{key}.json"

    def load(self, key: str) -> dict[str, Any]:
        try:
            data = json.loads(self.path(key).read_text(encoding="utf-8"))
            return data["entries"] if data.get("format") == 1 else {}
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def save(self, key: str, entries: dict[str, Any]) -> None:
        blob = json.dumps({"format": 1, "entries": entries}, ensure_ascii=False, separators=(",", ":"))
        _atomic_write(self.path(key), blob.encode("utf-8"))
