"""The panel beside (or under) the transcript: the current turn's codes, mine and another coder's."""
from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.widgets import Static

from exporterre_nlp.i18n import tr
from exporterre_nlp.records import Segment, role_label
from exporterre_nlp.store.views import CodingMark

def role_name(role: str | None) -> str:
    return role_label(role)


def quote(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return f"« {text} »" if len(text) <= limit else f"« {text[:limit - 1]}… »"


@dataclass
class PanelState:
    segment: Segment | None
    position: int
    total: int
    text: str
    selection: tuple[int, int] | None
    whole: bool
    mine: list[CodingMark] = field(default_factory=list)
    focused: int | None = None
    other_coder: str | None = None
    others: list[CodingMark] = field(default_factory=list)
    pending: int = 0
    memos: int = 0
    recent: list[tuple[int, str, str]] = field(default_factory=list)   # (digit, label, colour)


def _mark_line(out: Text, m: CodingMark, text: str, focused: bool, underline: bool = False) -> None:
    out.append("\n▸ " if focused else "\n  ", style="bold")
    out.append("■ ", style=m.color)
    out.append(m.path, style=("bold " if focused else "") + ("underline" if underline else ""))
    if m.status == "accepted":
        out.append(tr(" (suggestion acceptée)", " (accepted suggestion)"), style="dim")
    out.append(" " + quote(text[m.start:m.end], 40), style="dim")


def panel_text(s: PanelState) -> Text:
    out = Text(no_wrap=False)
    if s.segment is None:
        out.append(tr("Document sans segment.", "Document without segments."), style="dim")
        return out
    seg = s.segment
    out.append(tr(f"Segment {s.position}/{s.total}", f"Segment {s.position}/{s.total}"), style="bold")
    if seg.speaker:
        out.append(f" · {seg.speaker}")
        if seg.role:
            out.append(f" ({role_name(seg.role)})", style="dim")
    if seg.timestamp:
        out.append(f" · {seg.timestamp}", style="dim")
    if s.recent:
        # second line, whatever the panel holds: the digits are keys the coder uses all the time
        out.append("\n" + tr("Récents : ", "Recent: "), style="dim")
        for n, (digit, label, color) in enumerate(s.recent):
            if n:
                out.append("  ")
            out.append(f"{digit}", style="bold")
            out.append("■", style=color)
            out.append(label)
    if s.selection:
        a, b = s.selection
        out.append("\n" + tr("Sélection : ", "Selection: "), style="dim")
        out.append(tr("tout le segment", "the whole turn") if s.whole else quote(s.text[a:b], 52))
    out.append("\n" + tr("Mes codes :", "My codes:"), style="bold")
    if not s.mine:
        out.append(tr(" aucun (Entrée pour coder)", " none (Enter to code)"), style="dim")
    for m in s.mine:
        _mark_line(out, m, s.text, m.id == s.focused)
    if s.other_coder:
        out.append(f"\n{s.other_coder} :", style="bold")
        if not s.others:
            out.append(tr(" aucun", " none"), style="dim")
        for m in s.others:
            _mark_line(out, m, s.text, False, underline=True)
    extras = []
    if s.pending:
        extras.append(tr(f"{s.pending} suggestion(s) à valider (v)", f"{s.pending} suggestion(s) to validate (v)"))
    if s.memos:
        extras.append(tr(f"{s.memos} mémo(s) (m)", f"{s.memos} memo(s) (m)"))
    if extras:
        out.append("\n" + " · ".join(extras), style="yellow")
    return out


class SegmentPanel(Static):
    def show(self, state: PanelState) -> None:
        self.update(panel_text(state))
