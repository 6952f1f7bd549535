"""The in-process guards of grader mode, tested directly: the restricted answer's attribute
checks and context-manager guard (twinbook.runner.restricted) in this process, the audit
hook (twinbook.runner.guard) in a child interpreter (a hook cannot be removed once added)."""

import subprocess
import sys
import textwrap

import pytest

from twinbook.runner import restricted
from twinbook.runner.restricted import RestrictedError


@pytest.fixture
def load(tmp_path):
    def load(source: str):
        path = tmp_path / "answer.py"
        path.write_text(textwrap.dedent(source))
        try:
            return restricted.load_answer(path, ("threading", "time"))
        finally:
            sys.modules.pop("answer", None)

    return load


def test_the_answer_keeps_its_own_private_attributes(load):
    answer = load("""
        class Limiter:
            def __init__(self):
                self._tokens = 3

            def take(self):
                self._tokens -= 1
                return self._tokens
    """)
    assert answer.Limiter().take() == 2


@pytest.mark.parametrize(
    "source, message",
    [
        ("import threading\nthreading._shutdown\n", '_shutdown" of a module object is not allowed'),
        (
            "import threading\n\ndef peek(self):\n    return self._target\n\npeek(threading.Thread())\n",
            '_target" of a Thread object is not allowed',
        ),
        ("import time\ntime.monotonic = None\n", "changing the module time is not allowed"),
        (
            "import threading\nT = threading.Thread\nT.run = print\n",
            "changing 'Thread' is not allowed",
        ),
        (
            "import threading\ne = threading.Event()\ne.is_set = lambda: True\n",
            "replacing the method Event.is_set is not allowed",
        ),
        ("def f():\n    pass\n\nlen.x = 1\n", "changing 'len' is not allowed"),
    ],
)
def test_library_objects_are_out_of_bounds(load, source, message):
    with pytest.raises(RestrictedError) as err:
        load(source)
    assert message in str(err.value)


def test_instances_of_library_classes_keep_their_settable_attributes(load):
    answer = load("""
        import threading
        t = threading.Thread(target=print)
        t.daemon = True
        t.name = "worker"
        class Box:
            pass
        Box.count = 1
        b = Box()
        b.value = 2
    """)
    assert (
        answer.t.daemon
        and answer.t.name == "worker"
        and answer.Box.count == 1
        and answer.b.value == 2
    )


def test_a_learners_context_manager_cannot_swallow_a_failed_assertion(load):
    answer = load("""
        class Swallow:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return True
    """)
    with pytest.raises(AssertionError):
        with answer.Swallow():
            raise AssertionError("the test's own check")
    with answer.Swallow():  # ordinary exceptions may still be suppressed
        raise ValueError("fine")
    with pytest.raises(pytest.skip.Exception):
        with answer.Swallow():
            pytest.skip("pytest's outcomes are BaseExceptions")


def test_the_async_twin_is_guarded_too(load):
    import asyncio

    answer = load("""
        class Swallow:
            async def __aenter__(self):
                return self

            async def __aexit__(self, *exc):
                return True
    """)

    async def main():
        async with answer.Swallow():
            raise AssertionError

    with pytest.raises(AssertionError):
        asyncio.run(main())


HOOKED = """
import os, socket, sys, tempfile
from twinbook.runner import guard
scratch = tempfile.mkdtemp()
answer = os.path.join(scratch, "answer.py")
with open(answer, "w") as f:
    f.write(sys.argv[1])
guard.install_audit_hook(answer, scratch, sys.argv[2].split(","))
outside = os.path.join(tempfile.gettempdir(), "twinbook-guard-test-outside")
try:
    # the hook on its own: the answer's code unrestricted, only its file name tells it apart
    with open(answer) as f:
        code = compile(f.read(), answer, "exec")
    exec(code, {"__name__": "answer"})
    print("OK")
except Exception as exc:
    print(type(exc).__name__, exc)
"""


@pytest.mark.parametrize(
    "source, printed",
    [
        ("import threading\nx = 1\n", "OK"),
        (
            "import os\nos.system('true')\n",
            "SandboxViolation twinbook sandbox: os.system is not allowed",
        ),
        ("import subprocess\nsubprocess.run(['true'])\n", "subprocess.Popen is not allowed"),
        ("import subprocess\n", "importing subprocess is not allowed"),
        ("import os\nos.fork()\n", "os.fork is not allowed"),
        ("import os\nos.kill(1, 0)\n", "os.kill is not allowed"),
        ("import socket\nsocket.socket()\n", "a network socket is not allowed"),
        ("import socket\na, b = socket.socketpair()\n", "OK"),  # asyncio's self-pipe needs it
        ("import ctypes\nctypes.CDLL(None)\n", "ctypes.dlopen is not allowed"),
        (
            "open('/tmp/twinbook-guard-test-outside', 'w')\n",
            "writing '/tmp/twinbook-guard-test-outside' is not allowed",
        ),
        ("open('answer.py')\n", "open from the answer's code is not allowed"),
        ("import os\nos.listdir('/')\n", "os.listdir from the answer's code is not allowed"),
        ("import gc\ngc.get_objects()\n", "gc.get_objects is not allowed"),
        (
            "from sys import _getframe\n_getframe()\n",
            "sys._getframe from the answer's code is not allowed",
        ),
        ("def f(): pass\nf.__code__\n", "object.__getattr__ from the answer's code is not allowed"),
        ("exec('1')\n", "compile from the answer's code is not allowed"),
        ("exec(compile('1', 'x', 'exec'))\n", "compile from the answer's code is not allowed"),
        ("import json\n", "importing json is not allowed"),
        (
            "import shutil\nshutil.rmtree('/tmp/nothing-here')\n",
            "shutil.rmtree outside the scratch folder",
        ),
        ("import os\nos.putenv('X', '1')\n", "os.putenv from the answer's code is not allowed"),
    ],
)
def test_the_audit_hook(source, printed):
    # every module the case imports is "allowed" (except where the import rule is the point),
    # so that each case reaches the hook rule it is about
    allowed = "threading,os,socket,ctypes,gc,sys,shutil" + (
        "" if source == "import subprocess\n" else ",subprocess"
    )
    proc = subprocess.run(
        [sys.executable, "-c", HOOKED, source, allowed], capture_output=True, text=True, timeout=60
    )
    assert printed in proc.stdout, proc.stdout + proc.stderr


def test_the_harness_may_write_in_the_scratch_folder_only():
    code = """
import os, sys, tempfile
from twinbook.runner import guard
scratch = tempfile.mkdtemp()
guard.install_audit_hook(os.path.join(scratch, "answer.py"), scratch, [])
with open(os.path.join(scratch, "notes.txt"), "w") as f:
    f.write("fine")
os.remove(os.path.join(scratch, "notes.txt"))
print("scratch ok")
for attempt in (lambda: open(os.path.join(scratch, "..", "escape.txt"), "w"),
                lambda: os.symlink("/etc/passwd", os.path.join(scratch, "link")) or open(os.path.join(scratch, "link"), "a"),
                lambda: os.open("/tmp/twinbook-guard-test-outside", os.O_WRONLY | os.O_CREAT)):
    try:
        attempt()
        print("ESCAPED")
    except PermissionError as exc:
        print("refused:", exc)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    lines = proc.stdout.splitlines()
    assert lines[0] == "scratch ok", proc.stdout + proc.stderr
    assert len(lines) == 4 and all(
        line.startswith("refused: twinbook sandbox: writing") for line in lines[1:]
    ), lines
