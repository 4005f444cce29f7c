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
    keys: set[int] = set()
    morphs: set[int] = set()
    vocab = None
    for h, doc in docs:
        hashes.append(h)
        extensions.append([[key[1], key[2], key[3], value] for key, value in doc.user_data.items()
                           if isinstance(key, tuple) and len(key) == 4 and key[0] == "._."])
        _add(binder, doc, keys, morphs)
        vocab = doc.vocab
    if keys or morphs:
        strings = vocab.strings
        binder.strings.update(strings[key] for key in keys)
        empty = vocab.morphology.EMPTY_MORPH                   # str(token.morph) is "" for it
        binder.strings.update("" if m == empty else m for m in (strings[key] for key in morphs))
    header = json.dumps({"hashes": hashes, "user_data": extensions}).encode()
    return MAGIC + struct.pack("<Q", len(header)) + header + _docbin_bytes(binder)


def _add(binder, doc: "Doc", keys: set[int], morphs: set[int]) -> None:
    """``binder.add(doc)``, with the same bytes in the end, without a ``Token`` per word.

    spaCy's ``DocBin.add`` collects the strings of each token's text, tag, lemma, norm,
    morphology, dependency and entity fields one ``Token`` at a time (most of the time spent
    writing packs); here their hashes come from the doc's attribute array, into ``keys`` (and
    ``morphs`` for the morphology), looked up once per pack by :func:`encode_pack`. A
    ``DocBin`` without the expected fields (another spaCy version) is filled by its own ``add``."""
    import numpy
    from spacy.attrs import DEP, ENT_ID, ENT_KB_ID, ENT_TYPE, LEMMA, MORPH, NORM, ORTH, SPACY, TAG
    columns = [ORTH, TAG, LEMMA, NORM, DEP, ENT_TYPE, ENT_KB_ID, ENT_ID]
    if not all(hasattr(binder, name) for name in _DOCBIN_FIELDS) or binder.store_user_data or len(doc.spans) \
            or not set(columns + [MORPH]) <= set(binder.attrs):
        binder.add(doc)
        return
    array = doc.to_array(binder.attrs)
    if len(array.shape) == 1:
        array = array.reshape((array.shape[0], 1))
    binder.tokens.append(array)
    spaces = doc.to_array(SPACY)
    spaces = spaces.reshape((spaces.shape[0], 1))
    binder.spaces.append(numpy.asarray(spaces, dtype=bool))
    binder.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
    if len(doc):
        where = {attr: i for i, attr in enumerate(binder.attrs)}
        keys.update(array[:, [where[attr] for attr in columns]].ravel().tolist())
        morphs.update(array[:, where[MORPH]].tolist())
    binder.cats.append(doc.cats)
    binder.span_groups.append(doc.spans.to_bytes())


# zlib level of the DocBin in a pack: 1 writes about 3 times faster than spaCy's default (6) for a
# pack about a third larger; ``DocBin.from_bytes`` reads either.
PACK_ZLIB_LEVEL = 1
_PACKER: list = []


def _docbin_bytes(binder) -> bytes:
    """``binder.to_bytes()``: the same message, packed by one msgpack packer kept for the process
    (srsly's packer looks its encoders up in the installed packages' entry points each time it
    is created) and compressed at :data:`PACK_ZLIB_LEVEL`."""
    import numpy
    if not all(hasattr(binder, name) for name in _DOCBIN_FIELDS + ("version", "user_data")):
        return binder.to_bytes()
    if not _PACKER:
        from srsly import msgpack
        _PACKER.append(msgpack.Packer(use_bin_type=True))
    lengths = [len(tokens) for tokens in binder.tokens]
    tokens = numpy.vstack(binder.tokens) if binder.tokens else numpy.asarray([])
    spaces = numpy.vstack(binder.spaces) if binder.spaces else numpy.asarray([])
    msg = {
        "version": binder.version,
        "attrs": binder.attrs,
        "tokens": tokens.tobytes("C"),
        "spaces": spaces.tobytes("C"),
        "lengths": numpy.asarray(lengths, dtype="int32").tobytes("C"),
        "strings": sorted(binder.strings),
        "cats": binder.cats,
        "flags": binder.flags,
        "span_groups": binder.span_groups,
    }
    if binder.store_user_data:
        msg["user_data"] = binder.user_data
    return zlib.compress(_PACKER[0].pack(msg), PACK_ZLIB_LEVEL)


_DOCBIN_FIELDS = ("attrs", "tokens", "spaces", "flags", "strings", "cats", "span_groups", "store_user_data")


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
