"""`make release OUT=...` / `twinbook release`: the student edition has no answer and no
hidden test, and `twinbook check` works inside it.

The release is made once per module through the Makefile (setup assumed done), with a small
built site standing in for build/html (the real book is scanned by every release; building
it here would take minutes). The checks below do not reuse the release's own scanner: they
recompute what must not be there from solutions/ with their own code.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from learner_workbook import SOLUTIONS, edition_twinbook, fill_in
from learner_workbook import make_release as release_into

from tests.repo import ROOT
from twinbook.authoring.release import ReleaseError, Secrets, find_leaks, make_release
from twinbook.authoring.student_texts import student_makefile_wording

MARKERS = ("# BEGIN SOLUTION", "# END SOLUTION", "// BEGIN SOLUTION", "// END SOLUTION")


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text("<html><body><h1>twinbook</h1><p>the book</p></body></html>\n")
    (site / "chapters").mkdir()
    (site / "chapters" / "ch01.html").write_text("<p>worker pools, pipelines</p>\n")
    # like the real book's downloads: the exercise files as exercises/ has them (the
    # generated exercise.toml: visible tests by name, the hidden ones only counted), plain and zipped
    downloads = site / "_downloads"
    ex = ROOT / "exercises" / "ch01-concurrency" / "01-worker-pool"
    shutil.copytree(ex, downloads / "exercises" / "ch01-concurrency" / "01-worker-pool")
    with zipfile.ZipFile(downloads / "ch01-concurrency-exercises.zip", "w") as zf:
        for path in sorted(ex.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(ex.parent).as_posix())
    out = tmp_path_factory.mktemp("release") / "student"
    proc = release_into(site, out)
    assert f"files in {out} (book: copied {site})" in proc.stdout
    return out


def _squeeze(line: str) -> str:
    return " ".join(line.split())


def _text(path: Path) -> str:
    text = path.read_bytes().decode("utf-8", errors="ignore")
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        parts = []
        for cell in nb["cells"]:
            parts.append(
                "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            )
            for output in cell.get("outputs", []):
                parts.append(json.dumps(output, ensure_ascii=False).replace("\\n", "\n"))
        return "\n".join(parts)
    if path.suffix == ".html":
        return html.unescape(re.sub(r"<[^>]+>", "", text))
    return text


def _solution_cells():
    for nb in SOLUTIONS.rglob("*.ipynb"):
        for cell in json.loads(nb.read_text())["cells"]:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            inside = False
            for line in source.split("\n"):
                if line.strip() in MARKERS:
                    inside = line.strip().endswith("BEGIN SOLUTION")
                    continue
                yield nb, _squeeze(line), inside


def _release_files(release: Path) -> list[Path]:
    return sorted(p for p in release.rglob("*") if p.is_file())


def _contents(release: Path):
    """(name, path-like name for the suffix, bytes) of every file, zip members included."""
    for path in _release_files(release):
        rel = str(path.relative_to(release))
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    yield f"{rel}!{info.filename}", zf.read(info)
        else:
            yield rel, path.read_bytes()


def _text_of(name: str, data: bytes, tmp: Path) -> str:
    file = tmp / Path(name.replace("!", "_")).name
    file.write_bytes(data)
    return _text(file)


def test_what_is_in_it(release):
    assert sorted(p.name for p in release.iterdir()) == sorted(
        [".gitignore", "Makefile", "README.md", "book", "exercises", "go", "notebooks", "python"]
    )
    assert (release / "book" / "index.html").read_text().startswith("<html>")
    assert (release / "exercises" / "README.md").is_file()
    assert (release / "python" / "pyproject.toml").is_file() and (
        release / "go" / "go.mod"
    ).is_file()
    assert (release / "python" / "src" / "twinbook" / "cli.py").is_file()
    ids = sorted(
        p.parent.relative_to(release / "exercises").as_posix()
        for p in (release / "exercises").glob("*/*/exercise.toml")
    )
    assert ids == sorted(
        p.parent.relative_to(SOLUTIONS).as_posix() for p in SOLUTIONS.glob("*/*/exercise.toml")
    )
    junk = {
        "__pycache__",
        ".pytest_cache",
        ".twinbook",
        ".ipynb_checkpoints",
        "solutions",
        "build",
        ".venv",
    }
    assert [p for p in _release_files(release) if junk & set(p.relative_to(release).parts)] == []


def test_it_ships_the_library_and_the_learners_tools_only(release):
    package = release / "python" / "src" / "twinbook"
    shipped = {p.name for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert {"breaker", "concurrency", "resilience", "exercises", "runner", "workbook"} <= shipped
    assert not shipped & {"authoring", "grading"}
    tests = {p.name for p in (release / "python" / "tests").iterdir() if p.is_dir()}
    assert {"breaker", "concurrency", "resilience"} <= tests  # the libraries' tests ship
    assert not tests & {"authoring", "exercises", "grading", "runner", "workbook"}
    student = (release / "Makefile").read_text()
    assert re.findall(r"^PY_EXTRAS := (.*)$", student, re.M) == ["learn"]
    dry = subprocess.run(["make", "-n", "setup"], cwd=release, capture_output=True, text=True)
    assert "-e './python[learn]'" in dry.stdout, dry.stdout
    commands = subprocess.run(
        [sys.executable, "-m", "twinbook.cli", "--help"],
        env=dict(os.environ, PYTHONPATH=str(release / "python" / "src"), COLUMNS="200"),
        capture_output=True,
        text=True,
    )
    assert commands.returncode == 0, commands.stderr
    listed = re.findall(r"^│ (\w+) ", commands.stdout, re.M)
    assert listed == ["check", "hint", "watch", "progress", "reset"]


def test_no_answer_text(release, tmp_path):
    """No file holds a non-trivial line of an answer region, unless the workbook shows that
    line anyway outside the answers (the libraries, the teaching notebooks, the book's
    pages, the visible tests, the exercise notebooks' tasks and demos)."""
    answers = {
        line
        for _, line, inside in _solution_cells()
        if inside and len(line) >= 8 and re.search(r"\w", line)
    }
    shown: set[str] = {line for _, line, inside in _solution_cells() if not inside}
    for top in ("go", "python/src", "python/tests", "notebooks", "book"):
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and path.suffix in (".go", ".py", ".md", ".ipynb"):
                shown |= {_squeeze(line) for line in _text(path).splitlines()}
    for path in list(SOLUTIONS.glob("*/*/*/test_visible.py")) + list(
        SOLUTIONS.glob("*/*/*/visible_test.go")
    ):
        shown |= {_squeeze(line) for line in path.read_text().splitlines()}
    specific = answers - shown
    assert len(specific) >= 40, "too few answer lines to prove anything"
    found = {
        (name, line)
        for name, data in _contents(release)
        for line in {_squeeze(line) for line in _text_of(name, data, tmp_path).splitlines()}
        & specific
    }
    assert found == set()


def test_no_hidden_test(release):
    hidden_names = set()
    for toml in SOLUTIONS.glob("*/*/exercise.toml"):
        data = tomllib.loads(toml.read_text())
        for lang, prefix in (("python", "test_hidden_"), ("go", "TestHidden")):
            hidden_names |= {
                name for name in data.get(lang, {}).get("points", {}) if name.startswith(prefix)
            }
    assert len(hidden_names) >= 8
    contents = list(_contents(release))
    assert any(
        "!" in name and name.endswith("exercise.toml") for name, _ in contents
    )  # zips were looked into
    hidden_files = [
        name
        for name, _ in contents
        if name.rsplit("/", 1)[-1] in ("test_hidden.py", "hidden_test.go")
    ]
    assert hidden_files == []
    hidden_lines = set()
    for path in list(SOLUTIONS.glob("*/*/*/test_hidden.py")) + list(
        SOLUTIONS.glob("*/*/*/hidden_test.go")
    ):
        hidden_lines |= {
            _squeeze(line)
            for line in path.read_text().splitlines()
            if "Hidden" in line or "hidden" in line
        }
    for name, data in contents:
        text = data.decode("utf-8", errors="ignore")
        assert not [hidden for hidden in hidden_names if hidden in text], name
        assert not hidden_lines & {_squeeze(line) for line in text.splitlines()}, name
    for toml in (release / "exercises").glob("*/*/exercise.toml"):
        data = tomllib.loads(toml.read_text())
        for lang in ("python", "go"):
            points = data.get(lang, {}).get("points", {})
            assert points and not any("hidden" in name.lower() for name in points), toml
    # the points of the visible tests are all still there
    src = tomllib.loads((SOLUTIONS / "ch01-concurrency/01-worker-pool/exercise.toml").read_text())
    rel = tomllib.loads(
        (release / "exercises/ch01-concurrency/01-worker-pool/exercise.toml").read_text()
    )
    assert rel["python"]["points"] == {
        k: v for k, v in src["python"]["points"].items() if not k.startswith("test_hidden_")
    }


def _twinbook(release: Path, *args: str) -> subprocess.CompletedProcess:
    return edition_twinbook(release, *args, columns=120)


@pytest.mark.parametrize(
    "ex_id, language, stub_message, passed",
    [
        (
            "ch01-concurrency/01-worker-pool",
            "python",
            "NotImplementedError: A worker pool with a limit",
            "5/5",
        ),
        (
            "ch01-concurrency/02-pipeline-stage",
            "go",
            "TODO: A pipeline stage with backpressure",
            "4/4",
        ),
    ],
)
def test_twinbook_check_works_inside(release, tmp_path, ex_id, language, stub_message, passed):
    where = subprocess.run(  # the release's own package, not the project's
        [sys.executable, "-c", "import twinbook; print(twinbook.__file__)"],
        env=dict(os.environ, PYTHONPATH=str(release / "python" / "src")),
        capture_output=True,
        text=True,
    )
    assert where.stdout.strip() == str(release / "python" / "src" / "twinbook" / "__init__.py")
    workbook = tmp_path / "student"  # a copy: each learner gets their own
    shutil.copytree(release, workbook, symlinks=True, ignore=shutil.ignore_patterns("book"))
    stub = _twinbook(workbook, "check", ex_id, "--lang", language)
    assert stub.returncode == 1, stub.stdout + stub.stderr
    assert "· not started" in stub.stdout and stub_message in stub.stdout
    fill_in(workbook / "exercises", ex_id, language)
    solved = _twinbook(workbook, "check", ex_id, "--lang", language)
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert f"│   {passed} │ ✓ done │" in solved.stdout
    assert (workbook / "exercises" / ".twinbook" / "progress.json").is_file()


def test_its_makefile_and_readme(release):
    targets = subprocess.run(
        ["make", "help"], cwd=release, capture_output=True, text=True, check=True
    ).stdout
    names = re.findall(r"^  make (\S+)", targets, re.M)
    assert names == [
        "help",
        "setup",
        "lab",
        "clean",
        "distclean",
        "check",
        "watch",
        "progress",
        "serve",
    ]
    # setup and lab are the project's own rules, their asides for maintainers reworded
    project = student_makefile_wording((ROOT / "Makefile").read_text())
    student = (release / "Makefile").read_text()
    for rule in ("setup", "lab"):
        block = re.search(rf"^{rule}:.*?(?=^\S|\Z)", project, re.M | re.S).group(0).rstrip()
        assert block in student
    apt = re.search(r"^APT_NEEDS :=(.*)$", student, re.M).group(1).split()
    # the book tests' browser and the project's linters are not the learner's
    # go test -race: a C compiler, the C library's headers and start files
    assert "gcc:gcc,libc6-dev" in apt and "/usr/include/stdlib.h:libc6-dev" in apt
    assert not [a for a in apt if a.startswith(("chromium:", "shellcheck:"))]
    assert re.search(r"^GO_LINTERS :=\s*$", student, re.M), "the learner builds no linters"
    # nothing is left of the rules it does not have, nor comments about what it does not do
    for gone in ("PYTEST_ARGS", "PROTO_", "chromium", "Chromium", "actionlint", "all of them"):
        assert gone not in student, f"the student Makefile still mentions {gone!r}"
    dry = subprocess.run(["make", "-n", "setup"], cwd=release, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert "pip install" in dry.stdout and "ipykernel install" in dry.stdout
    check = subprocess.run(
        ["make", "-n", "-o", "setup", "check", "EX=ch01-concurrency/01-worker-pool"],
        cwd=release,
        capture_output=True,
        text=True,
    )
    assert (
        check.returncode == 0 and 'twinbook" check ch01-concurrency/01-worker-pool' in check.stdout
    )
    readme = (release / "README.md").read_text()
    assert (
        "make setup" in readme and "twinbook check" in readme and "solutions" not in readme.lower()
    )
    # every command the README names is one there is (the footer names the author's command)
    named = set(re.findall(r"(?:^|`)twinbook (\w+)", readme, re.M))
    assert named - {"dev"} == {"check", "watch", "hint", "progress", "reset"}, named
    assert "`twinbook dev release`" in readme


def test_the_scan_catches_planted_leaks(release, tmp_path):
    """What the release refuses: a solution notebook, a hidden test file, hidden points in an
    exercise.toml, an answer line in a page of the book (highlighted by spans)."""
    secrets = Secrets.of(ROOT)
    assert find_leaks(release, secrets) == []
    tree = tmp_path / "leaky"
    sol_nb = next((SOLUTIONS / "ch01-concurrency/01-worker-pool/python").glob("*.ipynb"))
    (tree / "exercises").mkdir(parents=True)
    shutil.copy(sol_nb, tree / "exercises" / "copied.ipynb")
    shutil.copy(
        SOLUTIONS / "ch01-concurrency/01-worker-pool/go/hidden_test.go",
        tree / "exercises" / "hidden_test.go",
    )
    shutil.copy(
        SOLUTIONS / "ch01-concurrency/01-worker-pool/exercise.toml",
        tree / "exercises" / "exercise.toml",
    )
    line = next(iter(secrets.answers))
    words = line.split(" ")
    (tree / "page.html").write_text(
        "<pre>" + " ".join(f"<span class='n'>{html.escape(w)}</span>" for w in words) + "</pre>\n"
    )
    with zipfile.ZipFile(tree / "download.zip", "w") as zf:
        zf.write(
            SOLUTIONS / "ch01-concurrency/01-worker-pool/python/test_hidden.py",
            "01-worker-pool/python/test_hidden.py",
        )
        zf.write(sol_nb, "01-worker-pool/python/worker_pool.ipynb")
    leaks = find_leaks(tree, secrets)
    assert "download.zip!01-worker-pool/python/test_hidden.py: a hidden test file" in leaks
    assert any(
        line.startswith("download.zip!01-worker-pool/python/worker_pool.ipynb: answer line")
        for line in leaks
    )
    assert any(line.startswith("exercises/copied.ipynb: answer line") for line in leaks)
    assert "exercises/hidden_test.go: a hidden test file" in leaks
    assert any(
        line.startswith("exercises/exercise.toml: hidden test name test_hidden_") for line in leaks
    )
    assert any(line.startswith("page.html: answer line") for line in leaks)


def test_refuses_to_overwrite_what_is_not_a_release(release, tmp_path):
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("my notes")
    with pytest.raises(ReleaseError, match="not empty"):
        make_release(ROOT, other, book="none")
    with pytest.raises(ReleaseError, match="not an earlier student edition"):
        make_release(ROOT, other, book="none", force=True)
    assert (other / "notes.txt").read_text() == "my notes"
    with pytest.raises(ReleaseError, match="outside the project"):
        make_release(ROOT, ROOT / "exercises" / "out", book="none")


def test_a_solution_like_file_in_the_libraries_stops_the_release(tmp_path):
    """A file named like a solution or a hidden test inside go/ or python/ is neither
    shipped nor quietly dropped: the release stops and names it."""
    from twinbook.authoring.release import project_files

    root = tmp_path / "project"
    (root / "go" / "pool").mkdir(parents=True)
    (root / "go" / "pool" / "pool.go").write_text("package pool\n")
    assert project_files(root, "go") == [Path("go/pool/pool.go")]
    (root / "go" / "pool" / "hidden_test.go").write_text("package pool\n")
    (root / "go" / "pool" / "solution.go").write_text("package pool\n")
    with pytest.raises(
        ReleaseError, match="solution-like files in go/.*hidden_test.go.*solution.go"
    ):
        project_files(root, "go")


def test_which_book_goes_in(tmp_path, monkeypatch):
    """auto copies the student book (build/html-student) when it is newer than every source of
    the book, else builds it
    first (the project's sphinx-build, stubbed here); copy needs a built book; none skips it."""
    import twinbook.authoring.release as rel

    root = tmp_path / "project"
    for rel_path in (
        "book/index.md",
        "notebooks/ch01/a.ipynb",
        "go/pool.go",
        "python/src/twinbook/x.py",
    ):
        (root / rel_path).parent.mkdir(parents=True, exist_ok=True)
        (root / rel_path).write_text("source\n")
    os.utime(root / "go" / "pool.go", (1_000_000, 1_000_000))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ReleaseError, match="index.html not found"):
        rel.add_book(root, out, "copy")
    assert rel.add_book(root, out, "none") == "none" and not (out / "book").exists()

    built = []

    def fake_build(project: Path) -> None:
        built.append(project)
        (project / rel.STUDENT_BOOK).mkdir(parents=True, exist_ok=True)
        (project / rel.STUDENT_BOOK / "index.html").write_text("<html>built</html>\n")

    monkeypatch.setattr(rel, "build_book", fake_build)
    assert not rel.book_is_fresh(root)
    assert rel.add_book(root, out, "auto").startswith("built")
    assert built == [root] and (out / "book" / "index.html").read_text() == "<html>built</html>\n"
    shutil.rmtree(out / "book")
    assert rel.book_is_fresh(root)  # built after every source
    assert rel.add_book(root, out, "auto") == "copied build/html-student" and built == [root]
    shutil.rmtree(out / "book")
    (root / "book" / "index.md").write_text("changed\n")
    later = (root / rel.STUDENT_BOOK / "index.html").stat().st_mtime + 10
    os.utime(root / "book" / "index.md", (later, later))
    assert not rel.book_is_fresh(root)  # a page changed since
    assert rel.add_book(root, out, "auto").startswith("built") and len(built) == 2


def test_its_setup_installs_the_go_kernels_tools(release):
    """GoNB, goimports and gopls (GoNB's completions) from the pins the edition ships, and
    the venv's Jupyter server config that shows a Go notebook's status (make setup says why)."""
    assert (release / "go" / "tools" / "gopls" / "go.mod").is_file()
    dry = subprocess.run(["make", "-n", "setup"], cwd=release, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert "install github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports" in dry.stdout
    assert "cd go/tools/gopls && GOBIN=" in dry.stdout
    assert "install golang.org/x/tools/gopls" in dry.stdout
    assert "jupyter_server_config.json" in dry.stdout
