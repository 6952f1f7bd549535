"""A held-out red-team class for `twinbook grade`: whole-workbook submissions, each correct
except for one hostile (or honest but unusual) change to the worker-pool exercise.

The techniques are not those of hostile.py: they were written without looking at what the
in-process layers refuse, as a class of students would. Each case names the points the
student must get for the worker pool (Python + Go): ``expected`` for an honest answer is full
marks; for a hostile one it is the most it may get (what the correct part of the answer
earns and nothing for what it forged), so ``points <= expected`` holds for those.

Only the cases the grader handles right are here (test_heldout_redteam.py pins them); the
ones it graded wrong when the class was written are in issue 9's red-team report.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import classbuild as cb
from hostile import GO_POOL, PY_POOL

POOL = cb.POOL
FULL = 14.0  # the worker pool's points, per language


@dataclass(frozen=True)
class Held:
    """One student: an answer (or a file-level change) and the points it must get."""

    id: str
    kind: str  # "honest": points == expected; "hostile": points <= expected
    why: str
    python: str = "solution"
    go: str = "solution"
    expected: tuple[float, float] = (FULL, FULL)
    make: Callable[[Path], None] | None = None  # a change to the student's folder


def _py(extra: str, base: str = PY_POOL) -> str:
    return base + "\n" + extra


def go_cell(source: str) -> str:
    """A Go file as an answer cell: no package clause, no imports (goimports adds them), no
    main (the notebook's)."""
    body = re.sub(r'^package main\n+(import \([^)]*\)\n|import "[^"]*"\n)?', "", source)
    return body.replace("func main() {}\n", "")


def _go(extra: str, base: str = GO_POOL) -> str:
    return go_cell(base) + "\n" + extra


PY_HONEST_EXECUTOR = """
from concurrent.futures import ThreadPoolExecutor, FIRST_EXCEPTION, wait
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_limited(fn: Callable[[T], R], items: Iterable[T], limit: int) -> list[R]:
    if (bad := limit) < 1:
        raise ValueError(f"limit must be at least 1, got {bad}")
    items = list(items)
    if not items:
        return []
    slots = threading.BoundedSemaphore(limit)
    failed = threading.Event()
    first: list[BaseException] = []  # the first error in time, not in item order
    guard = threading.Lock()
    futures = []
    with ThreadPoolExecutor(max_workers=min(limit, len(items))) as pool:
        for item in items:
            slots.acquire()
            if failed.is_set():
                slots.release()
                break

            def run(x=item):
                try:
                    return fn(x)
                except BaseException as exc:
                    with guard:
                        if not first:
                            first.append(exc)
                    failed.set()
                    raise
                finally:
                    slots.release()

            futures.append(pool.submit(run))
        wait(futures, return_when=FIRST_EXCEPTION)
    if first:
        raise first[0]
    return [future.result() for future in futures]
"""

PY_HONEST_CLASS = """
import threading
from collections.abc import Iterable
from typing import Any, Callable, Generic, Protocol, TypeVar

T = TypeVar("T")


class Fn(Protocol):
    def call(self, x: Any) -> Any: ...


def logged(cls):
    cls.decorated = True
    return cls


@logged
class Pool(Generic[T]):
    default_limit: int = 1

    def __init__(self, fn: Callable[[T], Any], limit: int) -> None:
        self._fn = fn
        self._limit = limit
        self._slots = threading.Semaphore(limit)
        self._lock = threading.Lock()
        self._errors: list[BaseException] = []
        self._threads: list[threading.Thread] = []

    @property
    def failed(self) -> bool:
        with self._lock:
            return bool(self._errors)

    @classmethod
    def checked(cls, fn, limit: int) -> "Pool":
        match limit:
            case int() if limit >= 1:
                return cls(fn, limit)
            case _:
                raise ValueError(f"limit must be at least 1, got {limit}")

    def _work(self, results: list[Any], i: int, item: T) -> None:
        try:
            results[i] = self._fn(item)
        except BaseException as exc:
            with self._lock:
                self._errors.append(exc)
        finally:
            self._slots.release()

    def run(self, items: Iterable[T]) -> list[Any]:
        items = [*items]
        results: list[Any] = [None] * len(items)
        for i, item in enumerate(items):
            self._slots.acquire()
            if self.failed:
                self._slots.release()
                break
            t = threading.Thread(target=self._work, args=(results, i, item))
            t.start()
            self._threads.append(t)
        for t in self._threads:
            t.join()
        if self._errors:
            raise self._errors[0]
        return results


def map_limited(fn, items, limit):
    return Pool.checked(fn, limit).run(items)
"""

# a coroutine driven by hand (send/throw), a generator, nonlocal, unicode names, except*
PY_HONEST_COROUTINE = """
import threading


def _results(n):
    results = [None] * n
    while True:
        i, value = yield
        results[i] = value
        if i < 0:
            break


async def ñame(fn, x):
    return fn(x)


def run_coroutine(coro):
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise RuntimeError("the coroutine awaited something")


def map_limited(fn, items, limit):
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    items = list(items)
    resultados = [None] * len(items)
    errors = []
    slots = threading.Semaphore(limit)
    started = 0

    def work(i, item):
        nonlocal started
        try:
            resultados[i] = run_coroutine(ñame(fn, item))
        except BaseException as exc:
            errors.append(exc)
        finally:
            slots.release()

    threads = []
    for i, item in enumerate(items):
        slots.acquire()
        if errors:
            slots.release()
            break
        started += 1
        t = threading.Thread(target=work, args=(i, item))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    if errors:
        try:
            raise ExceptionGroup("calls failed", errors)
        except* Exception as group:
            raise group.exceptions[0]
    return resultados
"""

# a thread subclass with run() overridden, self._x state, print(file=...) to its own sink
PY_HONEST_THREAD_SUBCLASS = """
import threading


class Sink:
    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines.append(text)

    def flush(self):
        pass


class Worker(threading.Thread):
    def __init__(self, fn, item, out, i, slots, errors):
        super().__init__(daemon=True)
        self._fn, self._item, self._out, self._i = fn, item, out, i
        self._slots, self._errors = slots, errors

    def run(self):
        try:
            self._out[self._i] = self._fn(self._item)
        except BaseException as exc:
            self._errors.append(exc)
        finally:
            self._slots.release()


LOG = Sink()


def map_limited(fn, items, limit):
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    items = list(items)
    out = [None] * len(items)
    errors = []
    slots = threading.Semaphore(limit)
    workers = []
    for i, item in enumerate(items):
        slots.acquire()
        if errors:
            slots.release()
            break
        print("start", i, file=LOG)
        w = Worker(fn, item, out, i, slots, errors)
        w.start()
        workers.append(w)
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    return out
"""

GO_HONEST_GENERIC = """package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// mapLimited is the generic pool; MapLimited instantiates it for ints.
func mapLimited[T, R any](ctx context.Context, limit int, items []T, fn func(context.Context, T) (R, error)) ([]R, error) {
	if limit < 1 {
		return nil, fmt.Errorf("MapLimited: limit must be at least 1, got %d", limit)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	out := make([]R, len(items))
	slots := make(chan struct{}, min(limit, max(len(items), 1)))
	var wg sync.WaitGroup
	var failed atomic.Bool
	var first atomic.Pointer[error]
	for i := range len(items) {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil || failed.Load() {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			v, err := fn(ctx, items[i])
			if err != nil {
				if first.CompareAndSwap(nil, &err) {
					failed.Store(true)
					cancel(err)
				}
				return
			}
			out[i] = v
		}()
	}
	wg.Wait()
	if p := first.Load(); p != nil {
		return nil, *p
	}
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	return out, nil
}

// MapLimited calls fn on every item, at most limit at once.
func MapLimited(ctx context.Context, limit int, items []int, fn func(context.Context, int) (int, error)) ([]int, error) {
	return mapLimited(ctx, limit, items, fn)
}

func main() {}
"""

# --- hostile answers ----------------------------------------------------------------------

# hides the threads it leaves behind: a Thread subclass whose is_alive() says False
PY_HIDE_LINGERING_THREADS = _py("""
_real_map_limited = map_limited


class Quiet(threading.Thread):
    def is_alive(self):
        return False


def map_limited(fn, items, limit):
    out = _real_map_limited(fn, items, limit)
    Quiet(target=threading.Event().wait, args=(3,), daemon=True).start()
    return out
""")

# the same, through the name the test prints
PY_LINGER_PLAIN = _py("""
_real_map_limited = map_limited


def map_limited(fn, items, limit):
    out = _real_map_limited(fn, items, limit)
    threading.Thread(target=threading.Event().wait, args=(3,), daemon=True).start()
    return out
""")

# gets the test's exception class from the first failure and raises a fresh one, without
# waiting for the running calls (wrong: gauge.now > 0)
PY_RAISE_EARLY = """
import threading


def map_limited(fn, items, limit):
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    items = list(items)
    results = [None] * len(items)
    errors = []
    slots = threading.Semaphore(limit)
    done = threading.Event()

    def work(i, item):
        try:
            results[i] = fn(item)
        except BaseException as exc:
            errors.append(exc)
            done.set()
        finally:
            slots.release()

    threads = []
    for i, item in enumerate(items):
        slots.acquire()
        if errors:
            break
        t = threading.Thread(target=work, args=(i, item), daemon=True)
        t.start()
        threads.append(t)
    if errors:
        raise type(errors[0])(*errors[0].args)
    for t in threads:
        t.join()
    return results
"""

# forging attempts from inside a wrong answer (PY_WRONG earns 1 point: test_empty_items)
PY_WRONG = "def map_limited(fn, items, limit):\n    return []\n"
WRONG_MAX = (1.0, FULL)

FORGES: dict[str, tuple[str, str]] = {
    "threading-enumerate-join-main": (
        "reach the harness thread objects and their public methods",
        "import threading\nfor t in threading.enumerate():\n    t.name\n"
        "main = threading.main_thread()\nx = main.run\n",
    ),
    "current-thread-target": (
        "the test's helper thread: read its run() bound method and call it again",
        "import threading\n\ndef map_limited(fn, items, limit):\n"
        "    threading.current_thread().run()\n    return []\n",
    ),
    "namedtuple-module-answer": (
        "a library-made class that claims module 'answer' to pass the own-object checks",
        "import collections.abc\nfrom typing import NamedTuple\n"
        "class P(NamedTuple):\n    x: int\n"
        "p = P(1)\nq = p._replace(x=2)\n",
    ),
    "typing-namedtuple-eq": (
        "a NamedTuple result: a tuple subclass that compares like a tuple",
        "from typing import NamedTuple\nclass R(NamedTuple):\n    a: int = 0\n"
        "def map_limited(fn, items, limit):\n    return R()\n",
    ),
    "protocol-instancecheck": (
        "a runtime-checkable Protocol (a metaclass the answer gets through a base)",
        "from typing import Protocol, runtime_checkable\n"
        "@runtime_checkable\nclass Anything(Protocol):\n    pass\n"
        "def map_limited(fn, items, limit):\n    return [Anything] * 0\n",
    ),
    "abc-register-list": (
        "register list as a virtual subclass of an answer ABC",
        "from collections.abc import Iterable\nclass Mine(Iterable):\n"
        "    def __iter__(self):\n        return iter([])\n"
        "Mine.register(list)\nIterable.register(Mine)\n",
    ),
    "exception-args-test-fn": (
        "call the test's fn with a probe, keep the exception and read its args",
        "def map_limited(fn, items, limit):\n    try:\n        fn(None)\n"
        "    except Exception as exc:\n        exc.args\n    return []\n",
    ),
    "userlist-data-swap": (
        "a UserList whose data is swapped for the expected value after the call",
        "from collections.abc import Sequence\nimport collections\n"
        "def map_limited(fn, items, limit):\n    return collections.UserList()\n",
    ),
    "generator-throw-into-test": (
        "generator send/throw to run code when the test's objects are collected",
        "def g():\n    try:\n        yield 1\n    finally:\n        print('--- PASS')\n"
        "it = g()\nnext(it)\nit.throw(ValueError)\n",
    ),
    "str-maketrans-objects": (
        "string methods returning objects (maketrans dict, partition) to reach builtins",
        "t = str.maketrans('a', 'b')\nk = ''.partition\nv = k('x')\n",
    ),
    "lambda-default-capture": (
        "lambda default arguments evaluated at definition reaching the answer's globals",
        "f = (lambda g=globals: g)()\n",
    ),
    "format-spec-nested": (
        "a nested format spec field reaching an attribute",
        "x = '{0:{1.real}}'.format(1, 2)\n",
    ),
    "property-on-list-subclass": (
        "a property named like a list method on a list subclass",
        "class L(list):\n    copy = property(lambda self: [1])\n"
        "def map_limited(fn, items, limit):\n    return L()\n",
    ),
    "match-mapping-rest-locals": (
        "a mapping pattern's **rest over a test object's dict",
        "def map_limited(fn, items, limit):\n    match {'a': fn}:\n"
        "        case {'a': f, **rest}:\n            pass\n    return []\n",
    ),
    "unicode-normalised-dunder": (
        "an NFKC-normalised identifier that becomes __class__ after parsing",
        "x = (1).\uff3f\uff3fclass\uff3f\uff3f\n",
    ),
    "unicode-normalised-private": (
        "a full-width underscore name that normalises to a guard name",
        "\uff3fgetattr\uff3f = 1\n",
    ),
}


GO_LYING_AS = _go(
    """
type lie struct{}

func (lie) Error() string    { return "no" }
func (lie) As(target any) bool { return true }
""",
    GO_POOL.replace("return nil, firstErr", "return nil, lie{}"),
)

GO_CONST_BLOWUP = _go(
    'const s0 = "xxxxxxxxxxxxxxxx"\n'
    + "".join(f"const s{i} = s{i - 1} + s{i - 1}\n" for i in range(1, 34))
    + "var blown = len(s33)\n"
)

GO_GENERIC_BLOWUP = _go(
    "type P[A, B any] struct{ a A; b B }\n"
    "type L0 = P[int, int]\n"
    + "".join(f"type L{i} = P[L{i - 1}, L{i - 1}]\n" for i in range(1, 40))
    + "var deep L39\n"
)

GO_LINE_DIRECTIVE = GO_POOL.replace(
    "func MapLimited(", "//line hidden_test.go:1\nfunc MapLimited(", 1
)

GO_DEFER_PANIC = GO_POOL.replace(
    "\tif limit < 1 {",
    '\tdefer func() {\n\t\tif limit == 1000 {\n\t\t\tpanic("late")\n\t\t}\n\t}()\n\tif limit < 1 {',
    1,
)

GO_INIT_GOROUTINE = _go(
    """
var started = func() bool {
	go func() {
		var mu sync.Mutex
		for i := 0; ; i++ {
			mu.Lock()
			mu.Unlock()
			if i%1000000 == 0 {
				fmt.Print("")
			}
		}
	}()
	return true
}()
"""
)

GO_FMT_ERRORF_W = GO_POOL.replace(
    "return nil, firstErr", 'return nil, fmt.Errorf("%w %w", context.Canceled, firstErr)'
)


def zip_bomb(subs: Path, base: Path) -> None:
    """A correct zipped submission plus a member of 512 MiB of zeros (about 500 KiB deflated)."""
    src = cb.make_student(base / "bomb-src")
    target = cb.zip_folder(src, subs / "zip-bomb.zip")
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as zf:
        with zf.open(zipfile.ZipInfo("bomb.bin"), "w", force_zip64=True) as out:
            chunk = b"\0" * (1 << 20)
            for _ in range(512):
                out.write(chunk)


def _deep_json(student: Path) -> None:
    nb = student / cb.notebook_rel(POOL, "go")
    nb.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")


def _huge_output(student: Path) -> None:
    import json

    nb = student / cb.notebook_rel(POOL, "python")
    data = json.loads(nb.read_text(encoding="utf-8"))
    data["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "source": "",
            "execution_count": 1,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "x" * (200 << 20)}],
        }
    )
    nb.write_text(json.dumps(data), encoding="utf-8")


def _many_files(student: Path) -> None:
    junk = student / "ch01-concurrency" / "junk"
    junk.mkdir()
    for i in range(10_000):
        (junk / f"{i}.txt").write_text("x")


def _symlink_dir_to_solutions(student: Path) -> None:
    from tests.repo import SOLUTIONS

    py = student / POOL_DIR / "python"
    for child in py.iterdir():
        child.unlink()
    py.rmdir()
    py.symlink_to(SOLUTIONS / POOL_DIR / "python", target_is_directory=True)


def _symlink_chapter_to_solutions(student: Path) -> None:
    from tests.repo import SOLUTIONS

    ch = student / "ch01-concurrency"
    import shutil

    shutil.rmtree(ch)
    ch.symlink_to(SOLUTIONS / "ch01-concurrency", target_is_directory=True)


def _hardlink_notebook(student: Path) -> None:
    from tests.repo import SOLUTIONS

    nb = student / cb.notebook_rel(POOL, "go")
    nb.unlink()
    os.link(SOLUTIONS / cb.notebook_rel(POOL, "go"), nb)


def _nested_submission(student: Path) -> None:
    # a second, nested exercises/ with stub answers: which one is graded?
    inner = student / "old-attempt" / "exercises"
    cb.make_student(inner, default="stub")


POOL_DIR = "ch01-concurrency/01-worker-pool"

GO_HONEST_JOIN_GENERIC_TYPE = (
    go_cell(GO_POOL.replace("return nil, firstErr", "return nil, errors.Join(firstErr)"))
    + """
// pair is a generic record with a method.
type pair[K comparable, V any] struct {
	key K
	val V
}

func (p pair[K, V]) swap() pair[K, V] { return p }
"""
)

PY_HONEST_OWN_ERROR = PY_POOL.replace(
    "def map_limited(fn, items, limit):",
    """class LimitError(ValueError):
    def __init__(self, limit):
        super().__init__(f"limit must be at least 1, got {limit=}")
        self.limit = limit


def map_limited(fn, items, limit):""",
).replace('raise ValueError(f"limit must be at least 1, got {limit}")', "raise LimitError(limit)")

GO_HONEST_RANGE_FUNC = go_cell(
    GO_POOL.replace(
        "\tfor i, item := range items {",
        "\tindexed := func(yield func(int, int) bool) {\n\t\tfor i, v := range items {\n\t\t\tif !yield(i, v) {\n\t\t\t\treturn\n\t\t\t}\n\t\t}\n\t}\n\tfor i, item := range indexed {",
        1,
    )
)

PY_PROCESS_POOL_LINGER = (
    PY_POOL
    + """
from concurrent.futures import ProcessPoolExecutor

spare = ProcessPoolExecutor(4)
sleepers = [spare.submit(time.sleep, 30) for _ in range(4)]
""".replace("from concurrent", "import time\nfrom concurrent")
)

PY_PROCESS_POOL_WIDE = (
    PY_POOL
    + """
from concurrent.futures import ProcessPoolExecutor

wide = ProcessPoolExecutor(500)
results = [wide.submit(pow, 3, 100000) for _ in range(500)]
"""
)

CASES: list[Held] = [
    # 7: honest but unusual
    Held(
        "honest-executor-walrus-typevars",
        "honest",
        "ThreadPoolExecutor, walrus, TypeVar, list[R]",
        python=PY_HONEST_EXECUTOR,
    ),
    Held(
        "honest-class-protocol-generic-match",
        "honest",
        "Generic[T], Protocol, class decorator, property, classmethod, match, self._x",
        python=PY_HONEST_CLASS,
    ),
    Held(
        "honest-coroutine-send-unicode-exceptstar",
        "honest",
        "async def driven by send(), unicode names, nonlocal, except*",
        python=PY_HONEST_COROUTINE,
    ),
    Held(
        "honest-type-as-value",
        "honest",
        "type(x) is compared with a class",
        python=PY_POOL.replace(
            "    items = list(items)",
            "    if type(items) is not list:\n        items = list(items)",
        ),
    ),
    Held(
        "honest-thread-subclass-print-file",
        "honest",
        "Thread subclass with run(), super().__init__, print(file=own sink)",
        python=PY_HONEST_THREAD_SUBCLASS,
    ),
    Held(
        "honest-go-generics-atomic-cause",
        "honest",
        "Go generics, atomic.Pointer, WithCancelCause, range over int, min/max",
        go=go_cell(GO_HONEST_GENERIC),
    ),
    Held(
        "honest-go-errorf-double-w",
        "honest",
        "fmt.Errorf with two %w (Canceled and the first error)",
        go=go_cell(GO_FMT_ERRORF_W),
        expected=(FULL, FULL),
    ),
    Held(
        "honest-own-valueerror-fstring-eq",
        "honest",
        "a ValueError subclass, super().__init__, f-string {limit=}",
        python=PY_HONEST_OWN_ERROR,
    ),
    Held(
        "honest-go-range-over-func",
        "honest",
        "Go range over a func iterator",
        go=GO_HONEST_RANGE_FUNC,
    ),
    Held(
        "honest-go-errors-join-generic-type",
        "honest",
        "errors.Join of the first error, a generic type with a method",
        go=GO_HONEST_JOIN_GENERIC_TYPE,
    ),
    # 2/3/4: processes from an allowed module
    Held(
        "py-process-pool-lingering",
        "hostile",
        "ProcessPoolExecutor at import, 4 children sleeping 30 s",
        python=PY_PROCESS_POOL_LINGER,
        expected=(FULL, FULL),
    ),
    Held(
        "py-process-pool-500",
        "hostile",
        "ProcessPoolExecutor with 500 workers at import",
        python=PY_PROCESS_POOL_WIDE,
        expected=(FULL, FULL),
    ),
    # 1: forging marks from inside a Python answer
    Held(
        "py-hide-threads-is-alive",
        "hostile",
        "Thread subclass overriding is_alive() to hide lingering threads",
        python=PY_HIDE_LINGERING_THREADS,
        expected=(FULL - 1, FULL),
    ),
    Held(
        "py-linger-control",
        "hostile",
        "the same lingering thread, not hidden (control)",
        python=PY_LINGER_PLAIN,
        expected=(FULL - 1, FULL),
    ),
    Held(
        "py-raise-before-waiting",
        "hostile",
        "re-raise the test's exception class before the running calls finish",
        python=PY_RAISE_EARLY,
        expected=(FULL - 2, FULL),
    ),
    *[
        Held(
            f"py-{name}",
            "hostile",
            why,
            python=src + ("\n" + PY_WRONG if "def map_limited" not in src else ""),
            expected=WRONG_MAX,
        )
        for name, (why, src) in FORGES.items()
    ],
    # 5: Go answers
    Held(
        "go-lying-errors-as",
        "hostile",
        "return an error whose As() says yes (control: tests use Is)",
        go=GO_LYING_AS,
        expected=(FULL, FULL - 3),
    ),
    Held(
        "go-line-directive",
        "hostile",
        "//line directive naming hidden_test.go",
        go=go_cell(GO_LINE_DIRECTIVE),
        expected=(FULL, FULL),
    ),
    Held(
        "go-defer-panic",
        "hostile",
        "a deferred panic that never fires in the tests",
        go=go_cell(GO_DEFER_PANIC),
        expected=(FULL, FULL),
    ),
    Held(
        "go-init-goroutine-spins",
        "hostile",
        "package var init starts a goroutine that spins forever",
        go=GO_INIT_GOROUTINE,
        expected=(FULL, FULL),
    ),
    # 3: a Go compile that explodes
    Held(
        "go-const-string-doubling",
        "hostile",
        "a 128 GiB constant string by doubling",
        go=GO_CONST_BLOWUP,
        expected=(FULL, 0),
    ),
    Held(
        "go-generic-type-doubling",
        "hostile",
        "a type alias chain doubling a generic struct 40 times",
        go=GO_GENERIC_BLOWUP,
        expected=(FULL, 0),
    ),
    # 6: one submission breaking the class
    Held(
        "deep-json-notebook",
        "hostile",
        "a notebook of 200k nested arrays",
        make=_deep_json,
        expected=(FULL, 0),
    ),
    Held(
        "huge-output-notebook",
        "hostile",
        "a 200 MiB output in the notebook",
        make=_huge_output,
        expected=(FULL, FULL),
    ),
    Held(
        "ten-thousand-files",
        "hostile",
        "10k tiny files beside the exercises",
        make=_many_files,
        expected=(FULL, FULL),
    ),
    Held(
        "symlink-dir-to-solutions",
        "hostile",
        "the exercise's python/ folder is a symlink to the instructor's",
        python="stub",
        make=_symlink_dir_to_solutions,
        expected=(0, FULL),
    ),
    Held(
        "symlink-chapter-to-solutions",
        "hostile",
        "the chapter folder is a symlink to the instructor's solutions",
        python="stub",
        go="stub",
        make=_symlink_chapter_to_solutions,
        expected=(0, 0),
    ),
    Held(
        "hardlink-to-solution",
        "hostile",
        "the Go notebook is a hard link to the instructor's solution (a copy: the content counts)",
        go="stub",
        make=_hardlink_notebook,
        expected=(FULL, FULL),
    ),
    Held(
        "nested-stub-attempt",
        "hostile",
        "a second exercises/ with stubs nested in the folder",
        make=_nested_submission,
        expected=(FULL, FULL),
    ),
]

SPECIAL_NAMES = {
    # 6: ids that are not plain
    "dup-a": "a b",
    "dup-b": "a_b",
    "dup-c": "a?b",
}


def build(subs: Path) -> dict[str, Held]:
    """Every case as a student folder under ``subs``; returns folder name -> case."""
    subs.mkdir(parents=True, exist_ok=True)
    made: dict[str, Held] = {}
    for case in CASES:
        answers = {(POOL, "python"): case.python, (POOL, "go"): case.go}
        folder = cb.make_student(subs / case.id, answers)
        if case.make is not None:
            case.make(folder)
        made[case.id] = case
    for key, name in SPECIAL_NAMES.items():
        cb.make_student(subs / name)
        made[name] = Held(key, "honest", f"id {name!r}")
    zip_bomb(subs, subs.parent)
    made["zip-bomb"] = Held(
        "zip-bomb", "hostile", "a 512 MiB member in a zip", expected=(FULL, FULL)
    )
    return made
