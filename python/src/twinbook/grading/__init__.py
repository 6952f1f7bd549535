"""Grading a class: ``twinbook grade SUBMISSIONS --out OUT``.

* :mod:`.submissions` finds the students in SUBMISSIONS (folders and zip files), opens zips
  safely and reads each exercise's notebook out of a submission.
* :mod:`.grade` takes only the answer cells, vets them, runs the instructor's visible and
  hidden tests on them (through :mod:`.sandbox`) and scores them with the points of
  ``exercise.toml``.
* :mod:`.reports` writes OUT: the gradebook, per-student feedback (Markdown and HTML),
  JUnit XML, Exercism-style ``results.json`` and GitHub Classroom results.
* :mod:`.sandbox` (with :mod:`.jail`, :mod:`.seccomp`, :mod:`.cgroups`) contains untrusted
  code; the vetting rules and the
  in-process guard are the runner layer's (:mod:`twinbook.runner.vet`,
  :mod:`twinbook.runner.guard`).

This module imports nothing, so that importing one part does not load the others.
"""
