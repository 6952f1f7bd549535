"""The one runner layer: how an answer meets an exercise's tests, for learners and the
grader alike, in both languages.

* :mod:`.channel`: the result channel (a pipe, a per-run nonce) between a test harness and
  its runner, :func:`.channel.run_all` (rerun what a crash never reached) and the plain
  executor learners use;
* :mod:`.pyrunner` and :mod:`.gorunner`: the Python and Go harnesses;
* :mod:`.check`: an answer (a notebook, a source, a live namespace, GoNB's program)
  against an exercise's tests;
* :mod:`.vet`: the rules an answer must pass before it runs;
* :mod:`.restricted`: the restricted Python subset a Python answer runs in (the grader's
  contained mode; usable by any runner), and :mod:`.guard`: the audit hook under it;
* :mod:`.plain`: ``plain()``, the tests' check that a result is made of builtin values.

Imports the exercise model only; the grader adds its sandbox on top (:mod:`twinbook.grading`).
"""
