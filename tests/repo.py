"""Where the repository is, for the modules under tests/ that need it when they are imported
(parametrization, helper modules, scripts); a test asks for the ``repo_root`` fixture."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
