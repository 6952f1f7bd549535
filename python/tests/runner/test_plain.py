"""plain(): the tests' check that a result from the answer is made of exact builtin types."""

import pytest

from twinbook.runner.plain import plain


@pytest.mark.parametrize(
    "value",
    [None, True, 3, 2.5, "s", b"b", [1, [2, (3,)]], {"k": {1, 2}}, frozenset({"a"}), ()],
)
def test_plain_values_pass_unchanged(value):
    assert plain(value) is value


class Everything(list):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Everything(), "a Everything object (a subclass of list: return a plain list)"),
        ([1, Everything()], "Everything"),
        ({"k": object()}, "a object object"),
        ((x for x in ()), "generator"),
    ],
)
def test_anything_else_fails_the_test_naming_its_type(value, message):
    with pytest.raises(AssertionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plain(value)


def test_deep_nesting_is_refused_not_recursed_forever():
    value: list = []
    for _ in range(200):
        value = [value]
    with pytest.raises(AssertionError, match="nested more than"):
        plain(value)
