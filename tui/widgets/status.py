"""The one-line status bar: project, coder, screen, document, position."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def show(self, *parts: str | None) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, part in enumerate(p for p in parts if p):
            if i:
                text.append(" · ", style="dim")
            text.append(part, style="bold" if i == 0 else "")
        self.update(text)
