"""French NLP: spaCy pipeline, oral French, parse cache, extraction, concordance.

Importing this package is cheap: spaCy is imported by the submodules, which
load on first use of a name below.

- :func:`analyse` — parse the project, run the codebook's rules, store the
  findings as pending suggestions (:mod:`.analyse`).
- :func:`kwic`, :func:`frequencies` — concordance and word counts (:mod:`.concordance`).
- :func:`parsed_units` — ``(segment, Doc)`` pairs through the parse cache, for
  other modules (themes, reports) that need lemmas or tokens.
- :func:`stop_words` — spaCy's French stop words + fillers + oral extras.
- :class:`Extractor`, :func:`clean_view`, :func:`load_pipeline` — the parts.
- :func:`evaluate` — precision / recall of the rules on a labelled set (:mod:`.evaluate`).
"""
from __future__ import annotations

from ..lazy import lazy_getattr

_EXPORTS = {
    "analyse": "analyse", "AnalysisResult": "analyse", "parsed_units": "analyse", "units": "analyse",
    "pipeline_spec": "analyse",
    "kwic": "concordance", "frequencies": "concordance", "KwicLine": "concordance", "FreqTable": "concordance",
    "FreqRow": "concordance",
    "stop_words": "oral", "load_lexicon": "oral", "OralMarker": "oral",
    "Extractor": "extract", "Extraction": "extract",
    "clean_view": "views", "CleanView": "views",
    "load_pipeline": "pipeline", "PipelineSpec": "pipeline", "MODELS": "pipeline", "PROFILES": "pipeline",
    "ParseCache": "cache", "parse_segments": "parse", "ParseStats": "parse",
    "evaluate": "evaluate", "load_eval_set": "evaluate", "EvalReport": "evaluate",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())
