"""How long the library's tests wait before a wait counts as a hang: one number for every folder.

A module, not a conftest constant: a test imports it by name (``from timeouts
import TIMEOUT``), and two folders' ``conftest`` modules would shadow each other.
"""

from __future__ import annotations

TIMEOUT = 10.0
"""Seconds any single wait in these tests may take before it counts as a hang.

Generous because the suite shares two cores with notebooks and Go builds; a
test that passes never waits this long, so the number costs nothing.
"""
