"""twinbook's own Sphinx extension: generated chapter pages and per-chapter downloads.

Pages ask for generated content with a one-line block, expanded into MyST markdown
when the page is read (the ``source-read`` event), so that the generated part gets
real sections, tabs, dropdowns and cross-references like hand-written text::

    ```{twinbook-chapter-links} ch01-concurrency
    ```

- ``twinbook-chapter-links CHAPTER``: a table linking the chapter's notebooks (pages and
  the executed notebooks, zipped), its exercises (page and zip) and its source folders.
- ``twinbook-exercises CHAPTER``: one section per exercise in ``exercises/CHAPTER``
  (never ``solutions/``): title, the task's summary from each notebook's task cell in a
  Go and a Python tab, tests and points (the hidden tests as the generated exercise.toml
  summarises them: how many, worth how much), the files, and one folded dropdown per hint.
- ``twinbook-chapter-parts book/chapters.toml``: the chapter template's table of every
  chapter and its parts (twinbook_chapters.py reads the file).
- ``twinbook-source CHAPTER``: every file of the chapter's source folders
  (``twinbook_chapters`` in conf.py; else go/TOPIC, python/src/twinbook/TOPIC and
  python/tests/TOPIC for a chapter chNN-TOPIC), the code in full, the tests folded away.

Downloads are written into the site's ``_downloads/`` when the build finishes:
``CHAPTER-notebooks.zip`` (the chapter's notebooks as this build executed them, from
myst-nb's ``jupyter_execute`` folder), ``CHAPTER-exercises.zip`` and, for each
exercise, a zip and a copy of its files. The ``twinbook-download`` role links them.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import ReferenceRole, SphinxDirective

logger = logging.getLogger(__name__)

DOWNLOADS = "_downloads"
#: ``(name)`` of a fenced block asking for generated content; its argument is a chapter id.
_BLOCK = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{twinbook-(?P<name>[a-z-]+)\}[ \t]+(?P<arg>\S+)[ \t]*\n"
    r"(?P=fence)[ \t]*$",
    re.M,
)
_CHAPTER_ID = re.compile(r"ch(?P<num>[0-9]{2})-[a-z0-9-]+")
#: What only a solution has; none of it may reach the site.
_SOLUTION_MARKERS = ("BEGIN SOLUTION", "END SOLUTION")
_HIDDEN_FILES = {"test_hidden.py", "hidden_test.go"}
_SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
_LANG_LABEL = {"go": "Go", "python": "Python"}
_FENCE_LANG = {".go": "go", ".py": "python", ".toml": "toml", ".mod": "text"}


def _root(app: Sphinx) -> Path:
    return Path(app.srcdir).resolve().parent


def _chapters(app: Sphinx) -> dict[str, dict]:
    """The configured chapters, plus every ``chNN-topic`` folder of notebooks/ or exercises/
    (its code found by convention: go/TOPIC, python/src/twinbook/TOPIC, python/tests/TOPIC)."""
    root = _root(app)
    chapters = dict(app.config.twinbook_chapters)
    for top in ("notebooks", "exercises"):
        for folder in sorted((root / top).glob("ch[0-9][0-9]-*")):
            if folder.is_dir() and _CHAPTER_ID.fullmatch(folder.name):
                chapters.setdefault(folder.name, _conventional(root, folder.name))
    return chapters


def _conventional(root: Path, chapter: str) -> dict:
    topic = chapter.split("-", 1)[1].replace("-", "_")
    return {
        "source": [
            f for f in (f"go/{topic}", f"python/src/twinbook/{topic}") if (root / f).is_dir()
        ],
        "tests": [f for f in (f"python/tests/{topic}",) if (root / f).is_dir()],
    }


def _chapter_config(app: Sphinx, chapter: str) -> dict:
    if not _CHAPTER_ID.fullmatch(chapter):
        raise ExtensionError(f"twinbook: {chapter!r} is not a chapter id like 'ch01-concurrency'")
    config = _chapters(app).get(chapter) or _conventional(_root(app), chapter)
    if not config.get("source"):
        raise ExtensionError(
            f"twinbook: chapter {chapter!r} has no source folders: add it to twinbook_chapters "
            'in book/conf.py, e.g. {"source": ["go/PKG", "python/src/twinbook/PKG"], '
            '"tests": ["python/tests/PKG"]}'
        )
    return config


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


# -- source-read: expand the generated blocks ---------------------------------------


def _expand_blocks(app: Sphinx, docname: str, source: list[str]) -> None:
    text = source[0]
    if "{twinbook-" not in text:
        return

    def replace(match: re.Match) -> str:
        name, chapter = match["name"], match["arg"]
        generator = _GENERATORS.get(name)
        if generator is None:
            raise ExtensionError(f"twinbook: {docname}: unknown block twinbook-{name}")
        return generator(app, docname, chapter)

    source[0] = _BLOCK.sub(replace, text)


def _note(app: Sphinx, path: Path) -> None:
    """Rebuild the page being read when the file ``path`` changes."""
    app.env.note_dependency(str(path))


def _listing(folder: Path) -> list[str]:
    """A folder's entries, as a generated page sees them (no caches, no dot files)."""
    if not folder.is_dir():
        return []
    return sorted(
        p.name for p in folder.iterdir() if p.name not in _SKIP_PARTS and not p.name.startswith(".")
    )


def _note_folder(app: Sphinx, folder: Path) -> None:
    """Rebuild the page being read when an entry is added to or removed from ``folder``.

    (Sphinx's own dependencies are files: a folder would count as missing, and the
    page would be read again on every build.)
    """
    env = app.env
    _folders(env).setdefault(env.docname, {})[str(folder)] = _listing(folder)


def _folders(env) -> dict[str, dict[str, list[str]]]:
    """The folders each generated page lists (an attribute of the pickled environment)."""
    if not hasattr(env, "twinbook_folders"):
        setattr(env, "twinbook_folders", {})  # noqa: B010 (Sphinx's env has no such field)
    return getattr(env, "twinbook_folders")  # noqa: B009


def _notebook_docs(app: Sphinx, chapter: str) -> list[str]:
    docs = sorted(
        d
        for d in app.env.found_docs
        if d.startswith(f"notebooks/{chapter}/") and app.env.doc2path(d).suffix == ".ipynb"
    )
    return docs


def _exercises(app: Sphinx, chapter: str) -> list:
    from twinbook.exercises.model import find_exercises

    folder = _root(app) / "exercises" / chapter
    if not folder.is_dir():
        return []
    return find_exercises(folder)


def _gen_chapter_links(app: Sphinx, docname: str, chapter: str) -> str:
    config = _chapter_config(app, chapter)
    notebooks = _notebook_docs(app, chapter)
    exercises = _exercises(app, chapter)
    _note_folder(app, _root(app) / "notebooks" / chapter)
    _note_folder(app, _root(app) / "exercises" / chapter)
    for ex in exercises:
        _note(app, ex.toml_path)

    sep = " · "
    nb_links = [f"{{doc}}`/{nb}`" for nb in notebooks]
    if notebooks:
        nb_links.append(
            f"{{twinbook-download}}`the {len(notebooks)} notebooks as executed for this book "
            f"(zip) <{chapter}-notebooks.zip>`"
        )
    else:
        nb_links.append("none yet")
    if exercises:
        ex_links = [
            f"{{doc}}`{len(exercises)} exercises, with hints </chapters/{chapter}-exercises>`",
            f"{{twinbook-download}}`all of them (zip) <{chapter}-exercises.zip>`",
        ]
    else:
        ex_links = ["none yet"]
    src_links = [
        f"{{ref}}`{folder} <{_folder_label(chapter, folder)}>`"
        for folder in _source_folders(config)
    ]
    src_links.append(f"{{doc}}`every file </chapters/{chapter}-code>`")
    return f"""
```{{list-table}}
:class: twinbook-chapter-links
:widths: 20 80

* - {{octicon}}`book;1em;sd-mr-1` Notebooks
  - {sep.join(nb_links)}

    in the repository: `notebooks/{chapter}/`
* - {{octicon}}`pencil;1em;sd-mr-1` Exercises
  - {sep.join(ex_links)}

    in the repository: `exercises/{chapter}/`
* - {{octicon}}`code;1em;sd-mr-1` Source
  - {sep.join(src_links)}
```
"""


# -- exercises ----------------------------------------------------------------------


_HEADING = re.compile(r"^#{1,6}\s")
_SUMMARY_START = re.compile(r"^\*\*(What|Your task)\.?\*\*")


def _blocks(markdown: str) -> list[str]:
    """Split markdown into blocks (paragraphs, lists, fenced code), keeping fences whole."""
    blocks: list[str] = []
    current: list[str] = []
    fence = None
    for line in markdown.splitlines():
        stripped = line.strip()
        if fence:
            current.append(line)
            if stripped.startswith(fence):
                blocks.append("\n".join(current))
                current, fence = [], None
            continue
        if stripped.startswith("```") or stripped.startswith("~~~"):
            if current:
                blocks.append("\n".join(current))
            current, fence = [line], stripped[:3]
            continue
        if not stripped:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def task_summary(markdown: str) -> str:
    """The task's gist: the '**What.**' or '**Your task.**' paragraph, its signature block
    and its list of rules (or, failing that, the first paragraph after the heading)."""
    blocks = [b for b in _blocks(markdown) if not _HEADING.match(b)]
    start = next((i for i, b in enumerate(blocks) if _SUMMARY_START.match(b)), None)
    if start is None:
        return blocks[0] if blocks else ""
    picked = [blocks[start]]
    seen_fence = seen_list = False
    for block in blocks[start + 1 :]:
        if block.lstrip().startswith(("```", "~~~")) and not seen_fence and not seen_list:
            seen_fence = True
        elif block.lstrip().startswith(("- ", "* ")) and not seen_list:
            seen_list = True
        else:
            break
        picked.append(block)
    return "\n\n".join(picked)


def _task_cell(path: Path) -> str:
    from twinbook.exercises.notebook import cell_role, read_notebook

    nb = read_notebook(path)
    for cell in nb.cells:
        if cell_role(cell) == "task":
            return cell.source
    raise ExtensionError(f"twinbook: {path}: no cell with role 'task'")


def _points(n: float) -> str:
    n = int(n) if float(n).is_integer() else n
    return f"{n} point" + ("" if n == 1 else "s")


def _exercise_section(app: Sphinx, chapter: str, ex) -> str:
    root = _root(app)
    slug = ex.folder.name
    number = int(slug.split("-", 1)[0])
    _note(app, ex.toml_path)
    tabs = []
    # Go first, as everywhere in the book: the first tab is the default.
    for language in ("go", "python"):
        if language not in ex.languages:
            continue
        spec = ex.languages[language]
        _note(app, spec.notebook_path)
        _check_clean(spec.notebook_path)
        summary = task_summary(_task_cell(spec.notebook_path))
        _check_no_hidden_names(spec)
        visible = spec.expected(hidden=False)
        vis_pts = sum(spec.points[t] for t in visible)
        folder = _rel(spec.test_dir, root)
        site_folder = f"{folder}"
        files = [spec.notebook_path, spec.visible_tests_path]
        file_links = ", ".join(
            f"{{twinbook-download}}`{f.name} <{site_folder}/{f.name}>`" for f in files
        )
        tests = ", ".join(f"`{t}` ({spec.points[t]:g})" for t in visible)
        hidden = spec.hidden  # the learner's copy's summary: a number, never names
        hidden_text = (
            f"{hidden.tests} more ({_points(hidden.points)}), run only by the grader"
            if hidden
            else "none"
        )
        imports = ", ".join(f"`{i}`" for i in spec.allowed_imports) or "none"
        lang_flag = "" if language == "python" else " --lang go"
        tabs.append(f"""
:::{{tab-item}} {_LANG_LABEL[language]}
:sync: {language}

{summary}

```{{list-table}}
:class: twinbook-exercise-facts
:widths: 22 78

* - notebook
  - {file_links} in `{folder}/`
* - visible tests
  - {len(visible)} ({_points(vis_pts)}): {tests}
* - hidden tests
  - {hidden_text}
* - allowed imports
  - {imports}
* - check it
  - `twinbook check {ex.id}{lang_flag}`
```
:::
""")
    hints = "\n".join(
        f"""
:::{{dropdown}} Hint {level}{": nearly the answer" if level == len(ex.hints) and level > 1 else ""}
:icon: light-bulb
:class-container: twinbook-hint

{hint}
:::
"""
        for level, hint in enumerate(ex.hints, 1)
    )
    return f"""
({chapter}-exercise-{slug})=
## {number}. {ex.title}

::::{{tab-set}}
:sync-group: lang
{"".join(tabs)}
::::

The whole exercise, both languages: {{twinbook-download}}`{slug}.zip <exercises/{chapter}/{slug}.zip>`
(or `exercises/{chapter}/{slug}/` in the repository).

{hints}
"""


def _check_clean(path: Path) -> None:
    """A learner's notebook only: refuse anything that looks like a solution."""
    text = path.read_text(encoding="utf-8")
    for marker in _SOLUTION_MARKERS:
        if marker in text:
            raise ExtensionError(
                f"twinbook: {path} contains {marker!r}: the book reads exercises/, "
                "which must hold no answers (run `make exercises`)"
            )


def _check_no_hidden_names(spec) -> None:
    """The learner's exercise.toml only: the generator leaves the hidden tests' names in
    solutions/ (a ``[<lang>.hidden]`` summary instead); refuse a copy that has them."""
    names = spec.hidden_names()
    if names:
        raise ExtensionError(
            f"twinbook: {spec.folder / 'exercise.toml'} names the hidden test {names[0]}: the "
            "book reads exercises/, generated without them (run `make exercises`)"
        )


def _gen_exercises(app: Sphinx, docname: str, chapter: str) -> str:
    _chapter_config(app, chapter)
    exercises = _exercises(app, chapter)
    _note_folder(app, _root(app) / "exercises" / chapter)
    if not exercises:
        return "This chapter has no exercises yet.\n"
    langs = {frozenset(ex.languages) for ex in exercises}
    each = (
        "each in Go and in Python"
        if langs == {frozenset({"go", "python"})}
        else "in Go, in Python or in both (see the tabs)"
    )
    intro = (
        f"{len(exercises)} exercises, {each}. Download one, or "
        f"{{twinbook-download}}`all of them (zip) <{chapter}-exercises.zip>`, open its "
        "notebook in Jupyter (see {doc}`/how-to-use`), and run the check cell as you go. "
        "The hints are folded away: open one only when you are stuck, gentlest first.\n"
    )
    return intro + "\n".join(_exercise_section(app, chapter, ex) for ex in exercises)


# -- source folders -----------------------------------------------------------------


def _source_folders(config: dict) -> list[str]:
    return list(config.get("source", [])) + list(config.get("tests", []))


def _folder_label(chapter: str, folder: str) -> str:
    return f"{chapter}-code-" + re.sub(r"[^a-z0-9]+", "-", folder.lower()).strip("-")


def _md_escape(text: str) -> str:
    """Plain text for a markdown heading: ``__init__.py`` must not turn bold."""
    return re.sub(r"([\\`*_\[\]<>#])", r"\\\1", text)


def _is_test_file(path: Path) -> bool:
    name = path.name
    return name.endswith("_test.go") or name.startswith("test_") or name == "conftest.py"


def _left_out_of_edition(rel: str) -> bool:
    """Whether the student edition leaves out the project's file ``rel`` (its release's
    list: the book must not show a file that the edition's reader cannot open)."""
    from twinbook.authoring.release import LEFT_OUT

    return any(rel == out or rel.startswith(out + "/") for out in LEFT_OUT)


def _gen_source(app: Sphinx, docname: str, chapter: str) -> str:
    config = _chapter_config(app, chapter)
    root = _root(app)
    parts = []
    test_folders = set(config.get("tests", []))
    for folder in _source_folders(config):
        path = root / folder
        if not path.is_dir():
            raise ExtensionError(f"twinbook: {chapter}: source folder {folder} does not exist")
        _note_folder(app, path)
        # The package's front door first (doc.go, __init__.py), then by name.
        files = sorted(
            (
                f
                for f in path.iterdir()
                if f.is_file() and f.suffix in _FENCE_LANG and f.stat().st_size > 0
            ),
            key=lambda f: (f.name not in {"doc.go", "__init__.py"}, f.name),
        )
        if app.tags.has("student"):  # the student edition's files only
            files = [f for f in files if not _left_out_of_edition(_rel(f, root))]
        code = [f for f in files if not (_is_test_file(f) or folder in test_folders)]
        tests = [f for f in files if f not in code]
        section = [f"({_folder_label(chapter, folder)})=", f"## {_md_escape(folder)}", ""]
        for f in code:
            _note(app, f)
            section += [
                f"### {_md_escape(f.name)}",
                "",
                f"```{{literalinclude}} /../{_rel(f, root)}",
                f":language: {_FENCE_LANG[f.suffix]}",
                ":linenos:",
                "```",
                "",
            ]
        if tests:
            section += [
                "### Tests" if code else "",
                "",
                "The tests, folded away: open one to read it."
                if code
                else "Every test file, folded away: open one to read it.",
                "",
            ]
            for f in tests:
                _note(app, f)
                section += [
                    f":::{{dropdown}} `{f.name}`",
                    ":class-container: twinbook-source-test",
                    "",
                    f"```{{literalinclude}} /../{_rel(f, root)}",
                    f":language: {_FENCE_LANG[f.suffix]}",
                    ":linenos:",
                    "```",
                    ":::",
                    "",
                ]
        parts.append("\n".join(section))
    return "\n\n".join(parts) + "\n"


def _gen_chapter_parts(app: Sphinx, docname: str, table: str) -> str:
    """The chapter template's table: every chapter of ``book/chapters.toml`` and its parts."""
    from twinbook_chapters import load_chapters

    root = _root(app)
    path = root / table
    if path.resolve() != (root / "book" / "chapters.toml").resolve():
        raise ExtensionError(f"twinbook: {docname}: chapter-parts reads book/chapters.toml only")
    _note(app, path)

    def code(items) -> str:
        return ", ".join(f"`{item}`" for item in items) or "none"

    tables = []
    for ch in load_chapters(path).values():
        if ch.spec:
            contract = f"{{doc}}`/appendix/{ch.spec}`, vectors in `{ch.vectors}`"
        else:
            contract = f"none yet ({ch.no_spec})"
        rows = [
            ("page", f"{{doc}}`/chapters/{ch.id}`"),
            ("Go packages", code(ch.go)),
            ("Python packages", code(ch.python)),
            ("Python tests", code(ch.tests)),
            ("contract", contract),
            ("benchmarks", code(ch.benchmarks)),
        ]
        body = "\n".join(f"* - {part}\n  - {where}" for part, where in rows)
        tables.append(
            f"```{{list-table}} {ch.number} · {ch.title} ({ch.id})\n"
            ":class: twinbook-chapter-parts\n:widths: 22 78\n\n"
            f"{body}\n```\n"
        )
    return "\n".join(tables)


_GENERATORS = {
    "chapter-links": _gen_chapter_links,
    "chapter-parts": _gen_chapter_parts,
    "exercises": _gen_exercises,
    "source": _gen_source,
}


class _Unexpanded(SphinxDirective):
    """Reached only when a block could not be expanded (e.g. indented): say so."""

    required_arguments = 1
    has_content = True

    def run(self):
        raise self.error(
            f"{self.name} must be a fenced block of its own at column 0: "
            f"```{{{self.name}}} CHAPTER, then ``` on the next line"
        )


# -- the download role ---------------------------------------------------------------


class DownloadRole(ReferenceRole):
    """``{twinbook-download}`text <path>``` links ``_downloads/<path>`` of the site."""

    def run(self):
        target = PurePosixPath(self.target)
        if target.is_absolute() or ".." in target.parts:
            msg = self.inliner.reporter.error(
                f"twinbook-download: {self.target!r} must be a path inside _downloads/",
                line=self.lineno,
            )
            return [self.inliner.problematic(self.rawtext, self.rawtext, msg)], [msg]
        depth = self.env.docname.count("/")
        uri = "../" * depth + f"{DOWNLOADS}/{target.as_posix()}"
        title = self.title if self.has_explicit_title else target.name
        node = nodes.reference(
            self.rawtext, "", refuri=uri, classes=["twinbook-download", "download"]
        )
        node += nodes.inline(self.rawtext, title)
        return [node], []


# -- downloads, written when the build is done ---------------------------------------


@dataclass
class _Zip:
    """A deterministic zip: sorted entries, fixed timestamps (same input, same bytes)."""

    path: Path

    def write(self, entries: dict[str, bytes]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".zip.tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, entries[name])
        tmp.replace(self.path)


def _executed_dir(app: Sphinx) -> Path:
    return Path(app.outdir).parent / "jupyter_execute"


def _learner_files(folder: Path) -> list[Path]:
    """An exercise's files to publish; refuses hidden tests (files or names) and answers."""
    from twinbook.exercises.model import load_exercise

    for spec in load_exercise(folder).languages.values():
        _check_no_hidden_names(spec)
    files = []
    for f in sorted(folder.rglob("*")):
        rel = f.relative_to(folder)
        if not f.is_file() or _SKIP_PARTS.intersection(rel.parts):
            continue
        if f.name in _HIDDEN_FILES:
            raise ExtensionError(
                f"twinbook: {f} is a hidden test file inside exercises/: it must never be "
                "published (run `make exercises`)"
            )
        if f.suffix == ".ipynb":
            _check_clean(f)
        files.append(f)
    return files


def _write_downloads(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    root = _root(app)
    out = Path(app.outdir) / DOWNLOADS
    executed = _executed_dir(app)
    written = []
    for chapter in _chapters(app):
        # 1. The chapter's notebooks, as this build executed them.
        entries = {}
        for doc in _notebook_docs(app, chapter):
            done = executed / f"{doc}.ipynb"
            if not done.is_file():
                raise ExtensionError(
                    f"twinbook: {done} is missing: the notebook {doc} was not executed by "
                    "this build (remove the build folder and build again)"
                )
            entries[f"{doc}.ipynb"] = done.read_bytes()
        if entries:
            _Zip(out / f"{chapter}-notebooks.zip").write(entries)
            written.append(f"{chapter}-notebooks.zip")
        # 2. The exercises, from exercises/ only: the zip of the chapter, one zip per
        #    exercise, and a copy of each file for direct links.
        ex_root = root / "exercises" / chapter
        if not ex_root.is_dir():
            continue
        copy_root = out / "exercises" / chapter
        if copy_root.exists():
            shutil.rmtree(copy_root)
        # the chapter's helper files (exercises/README.md): every exercise's tests use them
        from twinbook.exercises.model import CHAPTER_HELPERS

        helpers = {}
        for f in (ex_root / name for name in CHAPTER_HELPERS.values()):
            if f.is_file():
                helpers[f"{chapter}/{f.name}"] = f.read_bytes()
                copy_root.mkdir(parents=True, exist_ok=True)
                (copy_root / f.name).write_bytes(f.read_bytes())
        chapter_entries = dict(helpers)
        for ex_dir in sorted(p for p in ex_root.iterdir() if (p / "exercise.toml").is_file()):
            ex_entries = dict(helpers)
            for f in _learner_files(ex_dir):
                rel = f.relative_to(ex_root).as_posix()
                data = f.read_bytes()
                ex_entries[f"{chapter}/{rel}"] = data
                target = copy_root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            _Zip(copy_root / f"{ex_dir.name}.zip").write(ex_entries)
            chapter_entries.update(ex_entries)
        readme = root / "exercises" / "README.md"
        if readme.is_file():
            chapter_entries["README.md"] = readme.read_bytes()
        _Zip(out / f"{chapter}-exercises.zip").write(chapter_entries)
        written.append(f"{chapter}-exercises.zip")
    logger.info("twinbook: downloads: %s", ", ".join(written) or "none")


def _outdated(app, env, added, changed, removed):
    """Pages to read again: generated pages whose folders gained or lost an entry, and
    notebooks whose executed copy has gone missing (read again through the cache)."""
    stale = [
        docname
        for docname, folders in getattr(env, "twinbook_folders", {}).items()
        if docname in env.all_docs
        and any(_listing(Path(folder)) != names for folder, names in folders.items())
    ]
    executed = _executed_dir(app)
    for chapter in _chapters(app):
        for doc in _notebook_docs(app, chapter):
            if (
                doc not in added
                and doc not in changed
                and not (executed / f"{doc}.ipynb").is_file()
            ):
                stale.append(doc)
    return stale


def _purge_doc(app, env, docname):
    getattr(env, "twinbook_folders", {}).pop(docname, None)


def _merge_info(app, env, docnames, other):
    for docname, folders in getattr(other, "twinbook_folders", {}).items():
        if docname in docnames:
            _folders(env)[docname] = folders


def ext_fingerprint() -> str:
    """A hash of the book's extension modules (this file and its neighbours in _ext/):
    changes to them must rebuild every page (``twinbook_ext_version``)."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()[:16]


def setup(app: Sphinx) -> dict:
    app.add_config_value("twinbook_chapters", {}, "env", types=[dict])
    # Sphinx rebuilds every page when an "env" config value changes: conf.py sets this
    # one to ext_fingerprint(), so a changed generator never leaves stale pages behind.
    app.add_config_value("twinbook_ext_version", "", "env", types=[str])
    app.connect("source-read", _expand_blocks)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge_doc)
    app.connect("env-merge-info", _merge_info)
    app.connect("build-finished", _write_downloads)
    app.add_role("twinbook-download", DownloadRole())
    for name in _GENERATORS:
        app.add_directive(f"twinbook-{name}", _Unexpanded)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
