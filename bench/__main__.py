"""Run every benchmark module in this package: `python -m bench`."""

from __future__ import annotations

import importlib
import pkgutil

import bench


def main() -> None:
    for module in pkgutil.iter_modules(bench.__path__):
        if module.name.startswith("_"):
            continue
        importlib.import_module(f"bench.{module.name}").run()


if __name__ == "__main__":
    main()
