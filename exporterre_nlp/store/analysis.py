"""Store mixin: NLP analysis (findings of the extraction rules and of the sentence model).

Findings are machine suggestions: pending codings of coder ``machine`` (or the
configured extraction coder) with origin ``rule:<id>`` (or ``model:<name>``
for sentences proposed by the sentence model), written by
:meth:`CodingMixin.sync_suggestions`. Their evidence lives in the coding's
``details`` JSON (category, rule, object, reported, negated, matched words…).
This mixin reads them back as typed records, with the context a researcher
needs (document, phase, lieu, speaker, the quoted words, the decision taken).
Parse runs are ordinary ``runs`` rows (kind ``analyse``); no table of our own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from ..records import Finding
from .base import in_clause, like_prefix, loads

RULE_ORIGIN = "rule:"
MODEL_ORIGIN = "model:"
# the machine findings' origins, as an SQL condition on a coding ``c`` (reports.py uses it too)
MACHINE_ORIGINS = "(c.origin LIKE 'rule:%' OR c.origin LIKE 'model:%')"


@dataclass(frozen=True)
class FindingView(Finding):
    """A finding with its context: where, who, the words, and what people decided."""
    document: str
    phase: int
    lieu: str | None
    participant: str | None
    text: str                        # document.text[start:end]
    matched: str | None              # the words that triggered the rule
    object_lemmas: str | None
    score: float | None
    status: str                      # pending, or the latest decision: accepted | rejected
    evidence: tuple[str, ...] = ()   # a sentence-model finding: the terms that weighed most for it


_SQL = """
SELECT c.id, c.id, c.document_id, c.segment_id, c.start, c.end, c.details, k.key, c.origin, c.run_id,
       sp.label, sp.role, d.name, d.phase, d.lieu, p.key, substr(d.text, c.start + 1, c.end - c.start), c.score,
       (SELECT x.status FROM codings x WHERE x.source_id = c.id ORDER BY x.updated_at DESC, x.id DESC LIMIT 1)
FROM codings c
JOIN documents d ON d.id = c.document_id
JOIN codes k ON k.id = c.code_id
LEFT JOIN segments s ON s.id = c.segment_id
LEFT JOIN speakers sp ON sp.id = s.speaker_id
LEFT JOIN participants p ON p.id = COALESCE(sp.participant_id, d.participant_id)
WHERE c.status = 'pending' AND c.coder = ? AND """ + MACHINE_ORIGINS + "\n"


def _view(row) -> FindingView:
    (fid, coding_id, document_id, segment_id, start, end, details, code_key, origin, run_id, speaker, role,
     document, phase, lieu, participant, text, score, decision) = row
    d = loads(details) or {}
    return FindingView(fid, coding_id, document_id, segment_id, start, end, d.get("category", ""), code_key,
                       d.get("rule") or origin.removeprefix(RULE_ORIGIN), d.get("object"), bool(d.get("reported")),
                       bool(d.get("negated")), speaker if speaker is not None else d.get("speaker"),
                       role if role is not None else d.get("role"), run_id,
                       document, phase, lieu, participant, text, d.get("matched"), d.get("object_lemmas"), score,
                       decision or "pending", tuple(d.get("evidence") or ()))


class AnalysisMixin:
    def list_findings(self, *, category: str | None = None, phases: Iterable[int] | None = None,
                      code: str | None = None, document: str | None = None, rule: str | None = None,
                      include_negated: bool = True, reported: bool | None = None,
                      statuses: Iterable[str] | None = None, coder: str = "machine",
                      limit: int | None = None) -> list[FindingView]:
        """Findings of the extraction rules and of the sentence model, in corpus order.

        ``code`` keeps that code and its sub-codes; ``statuses`` filters on the
        decision (``pending`` = nobody decided yet, ``accepted``, ``rejected``).
        """
        sql, args = _SQL, [coder]
        if category:
            sql += " AND json_extract(c.details, '$.category') = ?"
            args.append(category)
        if phases is not None:
            part, values = in_clause("d.phase", phases)
            sql += part
            args += values
        if code:
            sql += " AND (k.key = ? OR k.key LIKE ? ESCAPE '\\')"
            args += [code, like_prefix(code + ".")]
        if document:
            sql += " AND d.name = ?"
            args.append(document)
        if rule:
            sql += " AND c.origin = ?"
            args.append(rule if rule.startswith(MODEL_ORIGIN) else RULE_ORIGIN + rule)
        if not include_negated:
            sql += " AND COALESCE(json_extract(c.details, '$.negated'), 0) = 0"
        if reported is not None:
            sql += " AND COALESCE(json_extract(c.details, '$.reported'), 0) = ?"
            args.append(1 if reported else 0)
        sql += " ORDER BY d.phase, d.name, c.start, c.id"
        with self.db.read() as conn:
            rows = [_view(r) for r in conn.execute(sql, args)]
        if statuses is not None:
            wanted = set(statuses)
            rows = [r for r in rows if r.status in wanted]
        return rows[:limit] if limit is not None else rows

    def finding_counts(self, *, coder: str = "machine") -> dict[str, Any]:
        """Findings per category and phase: ``{"besoin": {"1": 4, "3": 12}, …}``."""
        sql = ("SELECT json_extract(c.details, '$.category'), d.phase, COUNT(*) FROM codings c "
               "JOIN documents d ON d.id = c.document_id WHERE c.status = 'pending' AND c.coder = ? "
               "AND " + MACHINE_ORIGINS + " GROUP BY 1, 2 ORDER BY 1, 2")
        out: dict[str, dict[str, int]] = {}
        with self.db.read() as conn:
            for category, phase, n in conn.execute(sql, (coder,)):
                out.setdefault(category or "", {})[str(phase)] = n
        return out
