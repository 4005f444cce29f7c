"""Widgets of the Exporterre terminal UI."""
