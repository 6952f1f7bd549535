"""Mutation testing of the exercises (``twinbook dev mutate``): how good are their tests?

A mutant is the solution's answer file with one small edit in its answer region (the code
between the ``BEGIN/END SOLUTION`` markers of the solutions notebook's answer cells): an
operator swapped, a constant moved by one, a statement, a lock or a ``close`` removed. Each
runs through :func:`twinbook.runner.check.check_source` with the hidden tests, the checker
learners and the grader use, so a mutant that survives is a wrong answer that would get
full marks.

* :mod:`.mutant`: the edit, its stable id, the answer region;
* :mod:`.python_ops`: the Python operators (on the ``ast`` module);
* :mod:`.go_ops`: the Go operators (``go/cmd/twinbook-mutate``, on go/ast);
* :mod:`.equivalents`: the mutants a person found no test can tell from the solution;
* :mod:`.runner`: running the mutants, ``jobs`` at once, and what became of each;
* :mod:`.report`: the table, the survivors' diffs and the JSON report.

Prior art: mutmut and cosmic-ray mutate Python modules, go-mutesting and gremlins Go
packages; none mutates the answer cells of a notebook or runs the mutants through the
grader's own checker, so the operators here are our own, small and syntactic.
"""
