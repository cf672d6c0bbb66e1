"""`python -m bench`: run every bench module (bench/*.py with `main()` or `run()`), in name order.

`python -m bench dashboard webhooks` runs only the modules named.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def run_all(only: list[str]) -> None:
    modules = sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name)
    for module in modules:
        if module.name.startswith("_") or (only and module.name not in only):
            continue
        bench = importlib.import_module(f"bench.{module.name}")
        entry = getattr(bench, "main", None) or getattr(bench, "run", None)
        if callable(entry):
            print(f"== bench.{module.name} ==", flush=True)
            entry()
    from bench._report import summary

    summary()


if __name__ == "__main__":
    run_all(sys.argv[1:])
