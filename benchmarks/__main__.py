"""Run every benchmark module: ``python -m benchmarks [name ...]``."""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    out = ROOT / "outputs" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    wanted = set(argv)
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    results: dict[str, dict] = {}
    for name in names:
        if wanted and name not in wanted and name.removeprefix("bench_") not in wanted:
            continue
        module = importlib.import_module(f"benchmarks.{name}")
        if getattr(module, "SKIP_IN_ALL", False) and not wanted:
            continue                                # e.g. bench_scale: hours; run it by name or `make bench-scale`
        print(f"\n=== {name}", flush=True)
        started = time.perf_counter()
        figures = module.run(out)
        figures["_seconds"] = round(time.perf_counter() - started, 1)
        results[name] = figures
        for key, value in figures.items():
            print(f"  {key}: {value}")
    (out / "bench.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"\n{len(results)} benchmark(s); figures in {out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
