"""Screens of the Exporterre terminal UI."""
