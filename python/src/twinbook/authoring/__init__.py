"""The authors' tools (``twinbook dev``): generate exercises/ from solutions/
(:mod:`.generate`), execute solution notebooks (:mod:`.execute`), prove every stub fails and
every solution passes (:mod:`.devcheck`), make the student edition (:mod:`.release`) and
check the package's import graph (:mod:`.imports`).

Imports the exercise model and the runner layer; the student edition leaves this package out.
"""
