"""The restricted loader (twinbook.runner.restricted), tested directly in this process:
what the subset allows (every exercise's allowlist, asyncio, classes, match, the answer's
own private attributes) and what it refuses, statically with the line, or at run time."""

import sys
import textwrap
from pathlib import Path

import pytest

from tests import repo
from twinbook.exercises.model import load_exercise
from twinbook.runner import restricted
from twinbook.runner import vet as vet_module
from twinbook.runner.restricted import RestrictedError


@pytest.fixture
def load(tmp_path):
    def load(source: str, allowed: tuple[str, ...] = ()):
        path = tmp_path / "answer.py"
        path.write_text(textwrap.dedent(source))
        try:
            return restricted.load_answer(path, allowed)
        finally:
            sys.modules.pop("answer", None)

    return load


def _python_allowlists() -> list[tuple[str, str, tuple[str, ...]]]:
    rows = []
    for toml in sorted(Path(repo.SOLUTIONS).glob("*/*/exercise.toml")):
        exercise = load_exercise(toml.parent)
        allowed = tuple(exercise.lang("python").allowed_imports)
        rows += [(exercise.id, entry, allowed) for entry in allowed]
    return rows


ALLOWLISTS = _python_allowlists()


def test_every_exercise_lists_something():
    assert ALLOWLISTS, "no exercise allows an import: the walk below would test nothing"


@pytest.mark.parametrize(("exercise", "entry", "allowed"), ALLOWLISTS)
def test_allowed_means_allowed(load, exercise, entry, allowed):
    """Every entry of every exercise's allowed_imports imports through the restricted loader,
    as ``import a.b`` and as ``from a import b`` (concurrent.futures: its parent
    ``concurrent`` is not listed, and must not be needed)."""
    parent, _, last = entry.rpartition(".")
    source = f"import {entry}\nfirst = {entry}\n"
    if parent:
        source += f"from {parent} import {last}\nsecond = {last}\n"
    answer = load(source, allowed)
    assert answer.first.__name__ == entry
    if parent:
        assert answer.second is answer.first


def test_a_parent_package_alone_is_not_allowed(load):
    with pytest.raises(RestrictedError, match="importing concurrent is not allowed"):
        load("import concurrent\n", ("concurrent.futures",))


def test_modules_reached_through_an_allowed_one_must_be_allowed(load):
    with pytest.raises(RestrictedError, match="module os, which is not allowed"):
        load(
            "import concurrent.futures\nx = concurrent.futures.thread.os\n", ("concurrent.futures",)
        )


def test_asyncio_classes_match_and_own_private_attributes_work(load):
    answer = load(
        """
        import asyncio
        from dataclasses import dataclass

        @dataclass
        class Point:
            x: int
            y: int = 0

        class Counter:
            def __init__(self):
                self._n = 0

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            async def bump(self):
                await asyncio.sleep(0)
                self._n += 1
                return self._n

        def where(p):
            match p:
                case Point(x=0, y=0):
                    return "origin"
                case Point(x=x):
                    return f"x={x}"
            return "?"

        async def twice(counter):
            async with asyncio.timeout(1):
                return [await counter.bump() for _ in range(2)]
        """,
        ("asyncio", "dataclasses"),
    )
    assert answer.where(answer.Point(0, 0)) == "origin"
    assert answer.where(answer.Point(3)) == "x=3"
    import asyncio

    assert asyncio.run(answer.twice(answer.Counter())) == [1, 2]


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("class A:\n    def __eq__(self, other):\n        return True\n", 'defining "__eq__"'),
        ("class A:\n    def __hash__(self):\n        return 0\n", 'defining "__hash__"'),
        ("class A:\n    def __bool__(self):\n        return True\n", 'defining "__bool__"'),
        ("class A:\n    def __init_subclass__(cls):\n        pass\n", "__init_subclass__"),
        ("class A:\n    def __get__(self, o, t):\n        pass\n", 'defining "__get__"'),
        ("def f(g):\n    return g.gi_frame\n", '"gi_frame" is not allowed'),
        ("def f(c):\n    return c.cr_frame\n", '"cr_frame" is not allowed'),
        ("def f(e):\n    return e.__traceback__\n", '"__traceback__" is not allowed'),
        ("x = type(1).__subclasses__\n", '"__subclasses__" is not allowed'),
        ("class M(type):\n    pass\nclass A(metaclass=M):\n    pass\n", "class keywords"),
        ("d = {'__eq__': 1}\n", 'the string "__eq__"'),
        (
            "def f(p):\n    match p:\n        case int(__class__=c):\n            return c\n",
            "__class__",
        ),
        (
            "def f(p):\n    match p:\n        case int(_x=c):\n            return c\n",
            "a pattern cannot",
        ),
        ("def f(g):\n    return g(_private=1)\n", 'keyword argument "_private"'),
        ("x = __builtins__\n", 'the name "__builtins__"'),
        ("_getattr_ = 1\n", 'the name "_getattr_"'),
        ("import threading\nthreading.settrace(print)\n", '"settrace" is not allowed'),
    ],
)
def test_refused_statically_with_the_line(source, why):
    compiled = restricted.compile_answer(source)
    assert compiled.code is None
    assert any(why in error and error.startswith("line ") for error in compiled.errors), (
        compiled.errors
    )


@pytest.mark.parametrize(
    ("source", "allowed", "why"),
    [
        ("x = eval('1')\n", (), "Eval calls are not allowed"),
        ("x = getattr(1, 'real')\n", (), "name 'getattr' is not defined"),
        ("x = vars()\n", (), "name 'vars' is not defined"),
        ("x = open('/etc/passwd')\n", (), "name 'open' is not defined"),
        ("X = type('X', (), {})\n", (), "takes 1 positional argument"),
        ("x = '{0.real}'.format(1)\n", (), "reaches into attributes or items"),
        ("x = str.format('{0[0]}', [1])\n", (), "reaches into attributes or items"),
        ("x = '{a.real}'.format_map({'a': 1})\n", (), "reaches into attributes or items"),
        ("import os\n", ("threading",), "importing os is not allowed"),
        ("from threading import Thread\nThread.run = print\n", ("threading",), "changing 'Thread'"),
        ("import queue\nq = queue.Queue()\nq._put = print\n", ("queue",), "private attribute"),
        ("import queue\nq = queue.Queue()\nx = q._qsize\n", ("queue",), "private attribute"),
        ("Maker = type(type(1))\n", (), "type\\(\\) of a class is a metaclass"),
        ("import typing\nMaker = typing.ABCMeta\n", ("typing",), "ABCMeta is a metaclass"),
        ("from typing import Type\n", ("typing",), "typing.Type is a metaclass"),
        (
            "import collections.abc\nclass S(collections.abc.Set):\n    pass\n",
            ("collections.abc",),
            "would compare with collections.abc.Set.__eq__",
        ),
    ],
)
def test_refused_at_run_time(load, source, allowed, why):
    with pytest.raises((RestrictedError, NameError, TypeError), match=why):
        load(source, allowed)


def test_private_attributes_of_library_bases_stay_out_of_reach(load):
    answer = load(
        """
        import queue

        class Mine(queue.Queue):
            def peek(self):
                return self._get
        """,
        ("queue",),
    )
    with pytest.raises(RestrictedError, match="belongs to Queue"):
        answer.Mine().peek()


def test_plain_format_fields_still_work(load):
    answer = load("x = '{} and {name:>3}'.format(1, name='b')\n")
    assert answer.x == "1 and   b"


def test_the_namespace_holds_nothing_of_the_harness(load):
    answer = load("x = 1\n")
    names = set(vars(answer)) - {"x"}
    assert all(name.startswith("_") for name in names), names
    assert "pytest" not in answer.__builtins__ and "getattr" not in answer.__builtins__


HONEST = {
    "slots": """
        class Job:
            __slots__ = ("index", "item")

            def __init__(self, index, item):
                self.index = index
                self.item = item

        def make():
            job = Job(2, "x")
            return [job.index, job.item]
        """,
    "abstract-iterator": """
        from collections.abc import Iterator

        class Numbered(Iterator):
            def __init__(self, items):
                self.items = list(items)
                self.at = 0

            def __next__(self):
                if self.at == len(self.items):
                    raise StopIteration
                self.at += 1
                return [self.at - 1, self.items[self.at - 1]]

        def make():
            return list(Numbered("ab"))
        """,
    "namedtuple-field-index": """
        from typing import NamedTuple

        class Job(NamedTuple):
            index: int
            item: object

        def make():
            job = Job(3, "y")
            return [job.index, job.item]
        """,
}
EXPECTED = {
    "slots": [2, "x"],
    "abstract-iterator": [[0, "a"], [1, "b"]],
    "namedtuple-field-index": [3, "y"],
}
ALLOWS = {
    "slots": (),
    "abstract-iterator": ("collections.abc",),
    "namedtuple-field-index": ("typing",),
}


@pytest.mark.parametrize("name", sorted(HONEST))
def test_honest_classes_the_red_team_found_refused_are_allowed(load, name):
    # __slots__, an abstract method a base asks for, a NamedTuple field named like a tuple
    # method: honest, vetted and loaded as written
    source = textwrap.dedent(HONEST[name])
    assert vet_module._vet_python(source, ALLOWS[name]) == ()
    assert load(source, ALLOWS[name]).make() == EXPECTED[name]


def test_a_class_still_may_not_override_what_a_library_base_has():
    source = textwrap.dedent(
        """
        import threading

        class Worker(threading.Thread):
            def join(self, timeout=None):
                return None
        """
    )
    why = vet_module._vet_python(source, ("threading",))
    assert any("Worker.join overrides Thread.join" in r for r in why), why


def test_slots_may_not_name_a_dunder():
    source = 'class Job:\n    __slots__ = ("__dict__",)\n'
    assert vet_module._vet_python(source, ()) != ()


# --- type in annotations (issue 10): honest answers write cls: type[Base] -------------------

TYPE_ANNOTATIONS = {
    "type[X] of an argument": """
        class Base:
            pass


        def make(cls: type[Base]) -> Base:
            return cls()
        """,
    "bare type as the return": """
        def kind(x: object) -> type:
            return type(x)
        """,
    "type[X] | None with a default": """
        def pick(cls: type[int] | None = None) -> int:
            return 1 if cls is None else cls(2)
        """,
    "a module-level annotated name": """
        class Base:
            pass


        maker: type[Base] = Base
        """,
    "postponed annotations": """
        from __future__ import annotations


        def make(cls: type[int]) -> type:
            return type(cls(1))
        """,
}


@pytest.mark.parametrize("name", sorted(TYPE_ANNOTATIONS))
def test_type_in_annotations_is_accepted_by_vetting_and_the_loader(load, name):
    source = textwrap.dedent(TYPE_ANNOTATIONS[name])
    assert vet_module._vet_python(source, ()) == ()
    answer = load(source)
    if hasattr(answer, "make"):
        assert answer.make(answer.Base if hasattr(answer, "Base") else int) is not None


@pytest.mark.parametrize(
    "source",
    [
        "X = type('X', (), {})\n",
        "def f(x):\n    return isinstance(x, type)\n",
        "T = type[int]\n",
        "def f(x=type):\n    return x\n",
        "def f(x: int = type('X', (), {})) -> int:\n    return 1\n",
    ],
)
def test_type_outside_an_annotation_is_still_only_type_of_x(source):
    reasons = vet_module._vet_python(source, ())
    assert any("type is only allowed as type(x) (or in an annotation)" in r for r in reasons)


def test_the_loaders_type_builds_no_class(load):
    """At run time too: three arguments, and type[X] called, build nothing."""
    answer = load(
        """
        def three():
            return type("X", (), {})


        def annotated(cls: type[int]) -> None:
            return None
        """
    )
    with pytest.raises(TypeError, match="takes 1 positional argument"):
        answer.three()
    alias = answer.annotated.__annotations__["cls"]
    with pytest.raises(TypeError):
        alias("X", (), {})
