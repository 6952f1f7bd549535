"""Chapter 3: supervisors the Erlang/OTP way, made deterministic.

The Go twin is package ``twinbook/supervisor``. One concern per module:

============  ======================================================================
module        what it holds
============  ======================================================================
spec          :class:`Spec`, :class:`ChildSpec`, the enums, :func:`parse_spec`
tree          :class:`Tree`: the rules as a pure function of events and times
child         :class:`Child`: what a supervisor needs of anything it supervises
supervisor    :class:`Supervisor`: the runtime, a :class:`Tree` over real children
============  ======================================================================

The split is the lesson: every decision lives in :class:`Tree`, which has no
task, thread or clock, so the rules are tested to the millisecond by the
conformance vectors; the runtime only carries the tree's action log out.
"""

from __future__ import annotations

from .spec import (
    FIELDS,
    ChildSpec,
    Kind,
    Reason,
    Restart,
    Spec,
    SpecError,
    Strategy,
    parse_spec,
)
from .tree import Tree, TreeError

__all__ = [
    "FIELDS",
    "ChildSpec",
    "Kind",
    "Reason",
    "Restart",
    "Spec",
    "SpecError",
    "Strategy",
    "Tree",
    "TreeError",
    "parse_spec",
]
