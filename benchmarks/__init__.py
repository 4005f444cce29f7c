"""Benchmarks: ``make bench`` runs every ``bench_*.py`` module here.

Each module defines ``run(out: Path) -> dict`` that measures one area and
returns its figures (ratios against a baseline measured in the same run, never
absolute timings alone). Results are printed and written to
``outputs/bench/bench.json``.
"""
