"""Load a Python answer in a restricted language subset (RestrictedPython, extended).

The answer shares the test process with the instructor's tests and the harness that
reports their results. Instead of listing what it may not spell, it is compiled from an
allowlist of syntax (:mod:`.policy`) whose attribute, item, iteration and import
operations call guard functions (:mod:`.guards`), and it runs in globals of its own that
hold those guards, a safe set of builtins and nothing of the harness: no frame, no
module of the test process, no way to name a private attribute. The tests see the
answer's names through :class:`twinbook.runner.pyrunner.Answer`.

:func:`compile_answer` is the check (``errors`` say what is not allowed, with the line);
:func:`load_answer` compiles and runs the answer as module ``answer``. The grader's test
process uses it (``pyrunner --contain``); vetting reports the same errors before
anything runs, so ``twinbook check`` and ``twinbook grade`` refuse the same answers.
"""

from __future__ import annotations

import ast
import sys
import types
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .guards import ANSWER_MODULE, Guards, RestrictedError, module_allowed
from .policy import ALLOWED_DUNDER_DEFS, AnswerPolicy

__all__ = [
    "ALLOWED_DUNDER_DEFS",
    "ANSWER_MODULE",
    "Compiled",
    "RestrictedError",
    "compile_answer",
    "load_answer",
    "module_allowed",
]


@dataclass(frozen=True)
class Compiled:
    """The answer's code (None when refused) and why it was refused, one line each."""

    code: types.CodeType | None
    errors: tuple[str, ...]


def compile_answer(source: str, filename: str = "answer.py") -> Compiled:
    """Compile ``source`` in the restricted subset. A syntax error propagates (the tests
    report it where the learner expects it)."""
    tree = ast.parse(source, filename)
    errors: list[str] = []
    warnings: list[str] = []
    policy = AnswerPolicy(errors, warnings, {})
    tree = policy.visit(tree)
    if errors:
        return Compiled(None, tuple(dict.fromkeys(errors)))
    ast.fix_missing_locations(tree)
    return Compiled(compile(tree, filename, "exec", dont_inherit=True), ())


def load_answer(path: str | Path, allowed_imports: Iterable[str]) -> types.ModuleType:
    """Run the answer file as module ``answer`` in its own restricted namespace.

    Raises :class:`RestrictedError` listing what is not allowed, before anything runs.
    """
    path = str(path)
    with open(path, encoding="utf-8") as f:
        source = f.read()
    compiled = compile_answer(source, path)
    if compiled.code is None:
        raise RestrictedError(
            "the answer uses what answers may not use: " + "; ".join(compiled.errors)
        )
    module = types.ModuleType(ANSWER_MODULE)
    module.__dict__.update(Guards(allowed_imports).namespace())
    module.__file__ = path
    # dataclasses and typing look classes' modules up in sys.modules
    sys.modules[ANSWER_MODULE] = module
    try:
        exec(compiled.code, module.__dict__)  # noqa: S102 - compiled in the restricted subset
    except RestrictedError as exc:
        raise RestrictedError(_with_line(exc, path)) from None
    return module


def _with_line(exc: BaseException, path: str) -> str:
    """The refusal with the answer's line that caused it (the last frame in the answer)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"line {line}: {exc}" if line is not None else str(exc)
