"""What a breaker raises: a rejection the caller can act on, and a bad configuration.

The Go twins are ``ErrOpen`` / ``*OpenError`` (``errors.Is(err, breaker.ErrOpen)``,
carrying ``RetryAfter``) and the field-naming errors of ``Config.Validate``.
"""

from __future__ import annotations

import math

from .state import State

__all__ = ["BreakerError", "OpenError", "ConfigError"]


class BreakerError(Exception):
    """Base of the errors a breaker raises itself (never of the errors it passes through)."""


# docs:start open-error
class OpenError(BreakerError):
    """The breaker did not permit the call; the call was not made.

    ``retry_after`` is how many seconds are left until the breaker may let a
    call through again: the rest of the open wait in ``OPEN``, ``0.0`` in
    ``HALF_OPEN`` (a trial permit may come back any moment) and ``math.inf``
    in ``FORCED_OPEN`` (only an operator can end it). A retry loop can sleep
    that long instead of hammering a breaker that is certain to say no.
    """

    def __init__(self, state: State, retry_after: float, name: str = "") -> None:
        # No super().__init__(): BaseException.__new__ already keeps the arguments in
        # ``args``, and the message is built only when shown (see __str__).
        self.state = state
        self.retry_after = retry_after
        self.name = name

    # built when shown, not when raised: rejection is a hot path
    def __str__(self) -> str:
        who = f"breaker {self.name!r}" if self.name else "breaker"
        if math.isinf(self.retry_after):
            when = "until closed by hand"
        else:
            when = f"retry after {self.retry_after:.3f}s"
        return f"{who} is {self.state.value}: call not permitted ({when})"

    def __repr__(self) -> str:
        name, state = type(self).__name__, self.state.value
        return f"{name}({state!r}, retry_after={self.retry_after!r})"

    # docs:end open-error

    def __reduce__(self) -> tuple[object, ...]:  # keep pickling (e.g. across processes) working
        return (type(self), (self.state, self.retry_after, self.name))


class ConfigError(BreakerError, ValueError):
    """A configuration value is out of range; ``field`` names it as the spec does.

    It is a :class:`ValueError` too, so code that guards a constructor with
    ``except ValueError`` keeps working.
    """

    def __init__(self, field: str, problem: str, value: object) -> None:
        self.field = field
        self.problem = problem
        self.value = value
        super().__init__(f"{field}: {problem}, got {value!r}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.field, self.problem, self.value))
