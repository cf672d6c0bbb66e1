"""One line per goal: `GOAL <name> | measured … | baseline … | ratio … | goal … | met|NOT met`.

Every benchmark calls `goal()` for each figure an issue holds it to; `python -m bench` prints the
collected lines again as a summary at the end, so `make bench` ends with every goal and its ratio.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Goal:
    name: str
    measured: str
    baseline: str
    ratio: float | None
    goal: str
    met: bool | None

    def line(self) -> str:
        ratio = "—" if self.ratio is None else f"{self.ratio:.2f}"
        met = "n/a" if self.met is None else ("met" if self.met else "NOT met")
        return (
            f"GOAL {self.name} | measured {self.measured} | baseline {self.baseline} | "
            f"ratio {ratio} | goal {self.goal} | {met}"
        )


RESULTS: list[Goal] = []


def goal(
    name: str,
    measured: str,
    baseline: str = "—",
    ratio: float | None = None,
    target: str = "",
    met: bool | None = None,
) -> Goal:
    """Record and print one goal line (figures pre-formatted with their units)."""
    result = Goal(name, measured, baseline, ratio, target, met)
    RESULTS.append(result)
    print(result.line(), flush=True)
    return result


def summary() -> None:
    if not RESULTS:
        return
    print("== summary: every goal ==", flush=True)
    for result in RESULTS:
        print(result.line(), flush=True)
