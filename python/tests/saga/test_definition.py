"""A saga definition is refused before anything runs, with a message naming the fault."""

from __future__ import annotations

import pytest

from twinbook.saga import Call, Definition, InvalidSaga, Kind, MemoryLog, Orchestrator, Step, key


def nop(call: Call) -> None:
    """A participant with nothing to do."""


def s(name: str, retries: int = 0, compensation: bool = True) -> Step:
    return Step(name, nop, nop if compensation else None, retries)


@pytest.mark.parametrize(
    ("definition", "fault"),
    [
        (Definition("", [s("a")]), "empty definition id"),
        (Definition("order", []), "no steps"),
        (Definition("order", [s("a"), s("b"), s("a")]), "duplicate step name 'a'"),
        (Definition("order", [s("")]), "empty step name"),
        (Definition("order", [s("a:b")]), "'a:b' has ':' or whitespace"),
        (Definition("order", [s("a b")]), "whitespace"),
        (Definition("order", [s("a\tb")]), "whitespace"),
        (Definition("order", [s("a"), s("b", retries=-1)]), "retries -1 is not a whole number"),
        (Definition("order", [s("a", retries=True)]), "retries True is not a whole number"),
        (Definition("order", [Step("a", None)]), "no action"),  # type: ignore[arg-type]
        (Definition("order", [s("a", compensation=False), s("b")]), "no compensation"),
    ],
    ids=[
        "no-id",
        "no-steps",
        "duplicate",
        "empty",
        "colon",
        "space",
        "tab",
        "negative",
        "bool",
        "no-action",
        "middle",
    ],
)
def test_a_bad_definition_is_refused_naming_the_fault(definition: Definition, fault: str) -> None:
    with pytest.raises(InvalidSaga, match=fault):
        definition.validate()
    with pytest.raises(InvalidSaga, match=fault):
        Orchestrator(definition, MemoryLog())


def test_the_last_step_may_have_no_compensation() -> None:
    Definition("order", [s("a"), s("b", compensation=False)]).validate()


def test_key() -> None:
    assert key("order-7", "charge", Kind.COMPENSATION) == "order-7:charge:compensation"
