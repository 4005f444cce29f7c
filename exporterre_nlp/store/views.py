"""Store mixin: read views the terminal UI needs.

All SQL of this area lives here; see store/coding.py for the patterns
(typed records out, `with self.db.transaction() as conn` for writes,
`with self.db.read() as conn` for consistent reads, `self._log` for changes
people can undo).
"""
from __future__ import annotations


class ViewsMixin:
    pass
