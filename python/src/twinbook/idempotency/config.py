"""The middleware's configuration: the spec's ``required``, ``ttl_ms`` and ``lease_ms``.

The Go twin is ``idempotency.Config`` in ``go/idempotency/config.go``. Durations are whole
milliseconds, as in the spec, so that "forgotten at exactly ttl" is an integer comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Config", "ConfigError"]


class ConfigError(ValueError):
    """A configuration the middleware refuses; the message names the faulty field."""


@dataclass(frozen=True)
class Config:
    """``required`` refuses a request without a key; ``ttl_ms`` is how long a completed
    response is kept; ``lease_ms`` how long a request in progress holds its key if it never
    finishes (its process died). The defaults are Stripe's day and a minute's lease."""

    required: bool = False
    ttl_ms: int = 24 * 3600 * 1000
    lease_ms: int = 60 * 1000

    def __post_init__(self) -> None:
        # A ttl of 0 would forget every answer at once; a lease of 0 would let a second
        # request in while the first still runs.
        for name in ("ttl_ms", "lease_ms"):
            value = getattr(self, name)
            if type(value) is not int or value <= 0:
                raise ConfigError(
                    f"{name} must be a positive integer of milliseconds, got {value!r}"
                )
        if not isinstance(self.required, bool):
            raise ConfigError(f"required must be a bool, got {self.required!r}")
