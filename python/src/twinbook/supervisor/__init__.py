"""Chapter 3: supervisors the Erlang/OTP way, made deterministic.

The Go twin is package ``twinbook/supervisor``. One concern per module:

============  ======================================================================
module        what it holds
============  ======================================================================
spec          :class:`Spec`, :class:`ChildSpec`, the enums, :func:`parse_spec`
tree          :class:`Tree`: the rules as a pure function of events and times
child         :class:`Child`: what a supervisor needs of anything it supervises
actor_child   :class:`ActorChild`: an actor (a fresh one per run) as a child
process       :class:`Process`: the one process launcher; :class:`ProcessChild` as a child
supervisor    :class:`Supervisor`: the runtime, a :class:`Tree` over real children
============  ======================================================================

The split is the lesson: every decision lives in :class:`Tree`, which has no
task, thread or clock, so the rules are tested to the millisecond by the
conformance vectors; the runtime only carries the tree's action log out.
"""

from __future__ import annotations

from .actor_child import ActorChild
from .child import Child, Exited
from .process import Exit, Process, ProcessChild, ProcessSpec, start_process
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
from .supervisor import Supervisor
from .tree import Tree, TreeError

__all__ = [
    "FIELDS",
    "ActorChild",
    "Child",
    "ChildSpec",
    "Exit",
    "Exited",
    "Kind",
    "Process",
    "ProcessChild",
    "ProcessSpec",
    "Reason",
    "Restart",
    "Spec",
    "SpecError",
    "Strategy",
    "Supervisor",
    "Tree",
    "TreeError",
    "parse_spec",
    "start_process",
]
