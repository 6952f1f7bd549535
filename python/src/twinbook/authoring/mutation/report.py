"""What ``twinbook dev mutate`` prints and writes: the per-pair table, each survivor's id
and diff, and the JSON report (``build/mutate/report.json``)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from .runner import EQUIVALENT, EQUIVALENT_KILLED, INVALID, KILLED, SURVIVED, PairResult

_COLUMNS = (
    "exercise",
    "lang",
    "mutants",
    "invalid",
    "equivalent",
    "killed",
    "survived",
    "score",
    "time",
)


def table_rows(results: list[PairResult]) -> list[tuple[str, ...]]:
    """One row per pair, then the total."""
    rows: list[tuple[str, ...]] = []
    for r in results:
        rows.append(
            (
                r.plan.exercise.id,
                r.plan.language,
                str(len(r.outcomes)),
                str(r.count(INVALID)),
                str(r.count(EQUIVALENT, EQUIVALENT_KILLED)),
                str(r.count(KILLED)),
                str(r.count(SURVIVED)),
                f"{r.score:.1%}",
                f"{r.seconds:.0f}s",
            )
        )
    if len(results) > 1:
        killed = sum(r.count(KILLED) for r in results)
        scored = sum(r.scored for r in results)
        rows.append(
            (
                "total",
                "",
                str(sum(len(r.outcomes) for r in results)),
                str(sum(r.count(INVALID) for r in results)),
                str(sum(r.count(EQUIVALENT, EQUIVALENT_KILLED) for r in results)),
                str(killed),
                str(sum(r.count(SURVIVED) for r in results)),
                f"{killed / scored:.1%}" if scored else "100.0%",
                f"{sum(r.seconds for r in results):.0f}s",
            )
        )
    return rows


def format_table(results: list[PairResult], markdown: bool = False) -> str:
    """The per-pair table, aligned for a terminal or as a Markdown table."""
    rows = [_COLUMNS, *table_rows(results)]
    if markdown:
        lines = ["| " + " | ".join(row) + " |" for row in rows]
        lines.insert(1, "|" + "|".join("---" for _ in _COLUMNS) + "|")
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


def format_details(result: PairResult) -> str:
    """The listed equivalents, each survivor with its id and diff, and the pair's problems."""
    lines = []
    head = f"{result.plan.exercise.id} ({result.plan.language})"
    equivalents = [o for o in result.outcomes if o.status in (EQUIVALENT, EQUIVALENT_KILLED)]
    if equivalents:
        lines.append(f"{head}: equivalent (listed):")
        lines += [f"  = {o.mutant.id}" for o in equivalents]
    for outcome in result.survivors():
        lines.append(f"{head}: survived: {outcome.mutant.id}")
        lines += ["    " + ln for ln in outcome.mutant.diff(result.plan.source).splitlines()[2:]]
    lines += [f"{head}: ✗ {problem}" for problem in result.problems()]
    return "\n".join(lines)


def to_json(results: list[PairResult], *, jobs: int, wall_seconds: float) -> dict[str, Any]:
    """The whole run: per pair its counts, score, time and every mutant's outcome."""
    pairs = []
    for r in results:
        pairs.append(
            {
                "exercise": r.plan.exercise.id,
                "language": r.plan.language,
                "mutants": len(r.outcomes),
                "invalid": r.count(INVALID),
                "equivalent": r.count(EQUIVALENT, EQUIVALENT_KILLED),
                "killed": r.count(KILLED),
                "survived": r.count(SURVIVED),
                "score": round(r.score, 4),
                "seconds": round(r.seconds, 1),
                "problems": r.problems(),
                "outcomes": [
                    {
                        "id": o.mutant.id,
                        "operator": o.mutant.operator,
                        "status": o.status,
                        "detail": o.detail,
                        "seconds": round(o.seconds, 2),
                        "description": o.mutant.edit.description,
                        **({"diff": o.mutant.diff(r.plan.source)} if o.status == SURVIVED else {}),
                    }
                    for o in r.outcomes
                ],
            }
        )
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "jobs": jobs,
        "seconds": round(wall_seconds, 1),
        "pairs": pairs,
    }


def write_json(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
