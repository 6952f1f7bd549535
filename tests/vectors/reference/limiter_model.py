"""A reference model of the token-bucket limiter's contract, used to validate the vector files.

This is a direct transcription of the rules in book/appendix/spec-limiter.md (chapter 1's
limiter), written to be obviously correct rather than fast: tokens are exact fractions and
time is whole nanoseconds, so no float rounding can hide a wrong expectation. It replays a
vector file step by step and checks every expectation, so a vector that contradicts the rules
is caught before either implementation is asked to pass it.

The rules, in the order the model applies them:

- A limiter starts full (``burst`` tokens) and its clock reads 0 when it is built.
- Refill is lazy: when the clock reads later than the latest reading the bucket has seen,
  it gains ``(now - last) * rate`` tokens, capped at ``burst``, and remembers ``now``. A
  reading equal to or earlier than the latest earns nothing and is not remembered.
- ``allow`` refills, then spends a token if there is at least one; otherwise it spends nothing.
- ``wait`` refills, then takes a token even into debt; the delay is the time to pay the debt
  off, ``ceil(debt / rate)`` in whole nanoseconds (0 when the bucket is not in debt), and at
  most 2^63-1 ns (Go's longest duration). A reservation is asleep until the clock reaches
  reservation time + delay, not a nanosecond sooner.
- Cancelling an asleep reservation refills, then gives one token back, capped at ``burst``;
  cancelling one that is no longer asleep does nothing. A wait whose caller is cancelled
  before it starts spends nothing.
- A rate that is not a positive finite number is an error, then a burst below 1.

Run it on files: ``python tests/vectors/reference/limiter_model.py FILE...``.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

# The shared loader and errors sit beside the models, which run as scripts or are loaded by
# path (the folder is not a package): make the folder importable either way.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases  # noqa: E402
from cases import Mismatch, VectorError  # noqa: E402

NS_PER_S = 1_000_000_000
NS_PER_MS = 1_000_000
MAX_DELAY_NS = 2**63 - 1  # the longest delay: Go's longest time.Duration, about 292 years
CASE_KEYS = {"name", "config", "steps", "error"}
CONFIG_KEYS = {"rate", "burst"}
OPS = {"allow", "wait", "cancel", "check"}
STEP_KEYS = {"at_ms", "op", "id", "cancelled", "expect"}
EXPECT_KEYS = {"allowed", "delay_ns", "cancelled", "waiting"}
ERRORS = {"rate", "burst"}
SPECIAL_RATES = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class ConfigError(ValueError):
    """The configuration is refused; ``field`` names the value at fault."""

    def __init__(self, field_name: str) -> None:
        super().__init__(f"bad {field_name}")
        self.field = field_name


def parse_rate(raw: object) -> float | Fraction:
    """A JSON number, or one of the strings ``nan``, ``inf``, ``-inf`` (JSON has no such numbers)."""
    if isinstance(raw, str):
        if raw not in SPECIAL_RATES:
            raise VectorError(f"config: rate: unknown special value {raw!r}")
        return SPECIAL_RATES[raw]
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise VectorError(f"config: rate: want a number, got {raw!r}")
    return Fraction(raw)  # exact: the decimal the float stands for is not needed, its value is


def parse_config(cfg: object) -> tuple[float | Fraction, int]:
    if not isinstance(cfg, dict) or set(cfg) != CONFIG_KEYS:
        raise VectorError(f"config: want exactly the keys {sorted(CONFIG_KEYS)}, got {cfg!r}")
    burst = cfg["burst"]
    if isinstance(burst, bool) or not isinstance(burst, int):
        raise VectorError(f"config: burst: want an integer, got {burst!r}")
    return parse_rate(cfg["rate"]), burst


@dataclass
class Reservation:
    deadline_ns: int | None  # None: it never slept (delay 0, or cancelled before it began)
    state: str  # "asleep", "done" (its wait returned normally) or "cancelled"


@dataclass
class Limiter:
    rate: Fraction  # tokens per second
    burst: int
    tokens: Fraction = Fraction(0)
    last_ns: int = 0
    reservations: dict[str, Reservation] = field(default_factory=dict)

    @classmethod
    def build(cls, rate: float | Fraction, burst: int) -> Limiter:
        """The limiter, or :class:`ConfigError` naming the first value at fault (rate first)."""
        if isinstance(rate, float) or not rate > 0:  # floats here are only nan and +-inf
            raise ConfigError("rate")
        if burst < 1:
            raise ConfigError("burst")
        return cls(rate=rate, burst=burst, tokens=Fraction(burst))

    def refill(self, now_ns: int) -> None:
        if now_ns > self.last_ns:
            earned = self.rate * (now_ns - self.last_ns) / NS_PER_S
            self.tokens = min(Fraction(self.burst), self.tokens + earned)
            self.last_ns = now_ns

    def allow(self, now_ns: int) -> bool:
        self.refill(now_ns)
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def delay_ns(self) -> int:
        """How long the debt takes to pay off at the rate, rounded up to whole ns, capped."""
        if self.tokens >= 0:
            return 0
        return min(MAX_DELAY_NS, math.ceil(-self.tokens / self.rate * NS_PER_S))

    def wait(self, now_ns: int) -> int:
        self.refill(now_ns)
        self.tokens -= 1
        return self.delay_ns()

    def cancelled_before_it_began(self, now_ns: int) -> None:
        """A caller already cancelled when it asks to wait: nothing is spent."""

    def give_back(self, now_ns: int) -> None:
        self.refill(now_ns)
        self.tokens = min(Fraction(self.burst), self.tokens + 1)

    def wake(self, now_ns: int) -> None:
        """Every reservation whose deadline has come is done (its wait returned)."""
        for r in self.reservations.values():
            if r.state == "asleep" and r.deadline_ns is not None and r.deadline_ns <= now_ns:
                r.state = "done"

    def cancel(self, rid: str, now_ns: int) -> bool:
        r = self.reservations[rid]
        if r.state != "asleep":
            return False
        r.state = "cancelled"
        self.give_back(now_ns)
        return True

    def asleep(self) -> list[str]:
        return [rid for rid, r in self.reservations.items() if r.state == "asleep"]


def _go_seconds(ns: int) -> float:
    """``ns`` in float seconds as Go's ``Duration.Seconds`` computes it (Python's twin too)."""
    whole, rest = divmod(ns, NS_PER_S)
    return whole + rest / 1e9


class Float64Limiter(Limiter):
    """The implementations' arithmetic: float64 tokens, the same operations in the same order.

    Not the contract, which is exact, but what Go and Python compute. :func:`run_case`
    replays every case through it too and refuses one whose outcome float64 rounding would
    change (rate 1/60 is a hair under it in binary: the exact delay is 60 s + 0.8e-6 ns,
    which float64 cannot hold), so that each vector pins a rule and not a rounding.
    """

    def refill(self, now_ns: int) -> None:
        if now_ns > self.last_ns:
            earned = _go_seconds(now_ns - self.last_ns) * float(self.rate)
            self.tokens = min(float(self.burst), float(self.tokens) + earned)
            self.last_ns = now_ns

    def delay_ns(self) -> int:
        ns = -float(self.tokens) / float(self.rate) * 1e9
        return MAX_DELAY_NS if ns >= 2.0**63 else max(0, math.ceil(ns))

    def give_back(self, now_ns: int) -> None:
        self.refill(now_ns)
        self.tokens = min(float(self.burst), float(self.tokens) + 1)


def _fail(where: str, key: str, want: object, got: object) -> None:
    raise Mismatch(f"{where}: expect.{key}: want {want!r}, got {got!r}")


def _check_case_shape(case: object) -> dict:
    if not isinstance(case, dict):
        raise VectorError(f"a case must be an object, got {case!r}")
    unknown = set(case) - CASE_KEYS
    if unknown:
        raise VectorError(f"case: unknown keys {sorted(unknown)}")
    if not isinstance(case.get("name"), str) or not case["name"]:
        raise VectorError("case: needs a name")
    if "config" not in case:
        raise VectorError(f"{case['name']}: needs a config")
    if ("error" in case) == ("steps" in case):
        raise VectorError(f"{case['name']}: needs either steps or an error, not both")
    return case


def run_case(case: dict, limiter_class: type[Limiter] = Limiter) -> int:
    """Replay one case; return how many expectations were checked. Raises on the first miss.

    The true model also replays the case in float64 (:class:`Float64Limiter`): a case that
    holds exactly but not in float64 is a :class:`VectorError`.
    """
    checks = _replay(case, limiter_class)
    if limiter_class is Limiter:
        try:
            _replay(case, Float64Limiter)
        except Mismatch as exc:
            raise VectorError(f"the outcome turns on float64 rounding: {exc}") from exc
    return checks


def _replay(case: dict, limiter_class: type[Limiter]) -> int:
    case = _check_case_shape(case)
    rate, burst = parse_config(case["config"])
    if "error" in case:
        if case["error"] not in ERRORS:
            raise VectorError(f"{case['name']}: error must be one of {sorted(ERRORS)}")
        try:
            limiter_class.build(rate, burst)
        except ConfigError as exc:
            if exc.field != case["error"]:
                _fail(case["name"], "error", case["error"], exc.field)
            return 1
        _fail(case["name"], "error", case["error"], None)
    try:
        lim = limiter_class.build(rate, burst)
    except ConfigError as exc:
        raise VectorError(
            f"{case['name']}: config refused ({exc.field}) but no error expected"
        ) from exc

    steps = case["steps"]
    if not isinstance(steps, list) or not steps:
        raise VectorError(f"{case['name']}: steps must be a non-empty list")
    furthest_ns = 0
    checks = 0
    for number, step in enumerate(steps, 1):
        where = f"{case['name']}: step {number} ({step.get('op')!r} at {step.get('at_ms')} ms)"
        unknown = set(step) - STEP_KEYS
        if unknown:
            raise VectorError(f"{where}: unknown keys {sorted(unknown)}")
        op = step.get("op")
        if op not in OPS:
            raise VectorError(f"{where}: unknown op {op!r}")
        at = step.get("at_ms")
        if isinstance(at, bool) or not isinstance(at, int) or at < 0:
            raise VectorError(f"{where}: at_ms must be a whole number >= 0")
        expect = step.get("expect", {})
        unknown = set(expect) - EXPECT_KEYS
        if unknown:
            raise VectorError(f"{where}: unknown expect keys {sorted(unknown)}")
        if "allowed" in expect and op != "allow":
            raise VectorError(f"{where}: expect.allowed only applies to allow")
        if "delay_ns" in expect and (op != "wait" or step.get("cancelled")):
            raise VectorError(f"{where}: expect.delay_ns only applies to a wait not cancelled")
        if "cancelled" in expect and op not in ("wait", "cancel"):
            raise VectorError(f"{where}: expect.cancelled only applies to wait and cancel")
        if ("id" in step) != (op in ("wait", "cancel")):
            raise VectorError(f"{where}: wait and cancel need an id, other ops take none")
        if "cancelled" in step and op != "wait":
            raise VectorError(f"{where}: only a wait can be cancelled before it begins")

        now = at * NS_PER_MS
        if now < furthest_ns and lim.asleep():
            raise VectorError(f"{where}: the clock steps back while {lim.asleep()} sleep")
        furthest_ns = max(furthest_ns, now)
        lim.wake(now)

        allowed: bool | None = None
        delay: int | None = None
        cancelled: bool | None = None
        if op == "allow":
            allowed = lim.allow(now)
        elif op == "wait":
            rid = step["id"]
            if rid in lim.reservations:
                raise VectorError(f"{where}: id {rid!r} used twice")
            if step.get("cancelled", False):
                cancelled = True
                lim.cancelled_before_it_began(now)
                lim.reservations[rid] = Reservation(None, "cancelled")
            else:
                cancelled = False
                delay = lim.wait(now)
                if delay > 0 and now < furthest_ns:
                    raise VectorError(f"{where}: a wait sleeps while the clock reads behind")
                state = "asleep" if delay > 0 else "done"
                lim.reservations[rid] = Reservation(now + delay if delay else None, state)
        elif op == "cancel":
            if step["id"] not in lim.reservations:
                raise VectorError(f"{where}: no wait with id {step['id']!r}")
            cancelled = lim.cancel(step["id"], now)

        for key, want in expect.items():
            checks += 1
            got: object = {
                "allowed": allowed,
                "delay_ns": delay,
                "cancelled": cancelled,
                "waiting": lim.asleep(),
            }[key]
            if want != got or type(want) is not type(got):
                _fail(where, key, want, got)
    return checks


def load_cases(path: Path) -> list[dict]:
    """The cases of one limiter vector file (the shared loader, ``cases.py``)."""
    return cases.load_cases(path, "limiter")


if __name__ == "__main__":
    sys.exit(cases.main(sys.argv[1:], "limiter", run_case))
