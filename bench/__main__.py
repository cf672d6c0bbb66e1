"""`python -m bench`: run every bench module (bench/*.py with a `main()`), in name order."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def run_all() -> None:
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        bench = importlib.import_module(f"bench.{module.name}")
        if callable(getattr(bench, "main", None)):
            print(f"== bench.{module.name} ==", flush=True)
            bench.main()


if __name__ == "__main__":
    run_all()
