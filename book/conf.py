"""Sphinx configuration for the twinbook book.

Build (offline, warnings are errors):

    .venv/bin/sphinx-build -W --keep-going -b html book build/html

Code listings are never pasted: they are ``listing`` directives (a Go/Python pair, one
line each: book/_ext/twinbook_listing.py) and ``literalinclude`` directives that cut
regions out of go/ and python/ by ``docs:start NAME`` / ``docs:end NAME`` markers.
Notebooks come from ../notebooks through the ``book/notebooks`` symlink and are
executed through jupyter-cache (cache kept under build/).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

BOOK_DIR = Path(__file__).resolve().parent
ROOT = BOOK_DIR.parent

# Kernels (python3 from the venv, gonb + goimports from .venv/bin, go from
# /usr/local/go/bin) must be found even when sphinx-build is called by its path.
_extra_path = [str(ROOT / ".venv" / "bin"), "/usr/local/go/bin"]
os.environ["PATH"] = os.pathsep.join(
    [p for p in _extra_path if p not in os.environ.get("PATH", "").split(os.pathsep)]
    + [os.environ.get("PATH", "")]
)

# twinbook's own extensions (book/_ext/): generated exercises and source pages, chapter
# link cards, per-chapter downloads (twinbook_book); Go/Python listing pairs (twinbook_listing).
sys.path.insert(0, str(BOOK_DIR / "_ext"))
import twinbook_book  # noqa: E402
from twinbook_chapters import load_chapters  # noqa: E402

# -- Project ------------------------------------------------------------------

project = "twinbook"
author = "the twinbook authors"
copyright = "2026, the twinbook authors"
release = "0.1"

# -- General ------------------------------------------------------------------

extensions = [
    "myst_nb",  # MyST markdown + notebooks (includes myst_parser)
    "sphinx_design",
    "sphinx_copybutton",
    "sphinx.ext.graphviz",
    "twinbook_book",
    "twinbook_listing",
    "twinbook_diagrams",  # after sphinx.ext.graphviz: diagrams as linked <img> with alt text
    "twinbook_bench_plot",  # ```{twinbook-bench-plot} /_data/bench-ch03.json```: recorded figures
]

# Chapters: id -> the folders of its code, from book/chapters.toml (the one list of the
# chapters and their parts; the chapter template shows it). Pages use them through
# ```{twinbook-chapter-links} ID```, ```{twinbook-exercises} ID``` and
# ```{twinbook-source} ID``` blocks; the build zips each chapter's executed notebooks
# and its exercises into _downloads/.
twinbook_chapters = {chapter.id: chapter.sphinx_config() for chapter in load_chapters().values()}
twinbook_ext_version = twinbook_book.ext_fingerprint()

root_doc = "index"
exclude_patterns = [
    "_build",
    "**/.ipynb_checkpoints",
    "**/.jupyter_cache",
    "Thumbs.db",
    # notebooks/ is shared with learners; its README is for the repository, not the site.
    "notebooks/README.md",
    ".DS_Store",
    # recorded benchmark figures, read by twinbook-bench-plot; not pages
    "_data",
]
# Everything under notebooks/ that is not a chapter notebook stays out of the book.
templates_path: list[str] = []

# The student edition's book (`sphinx-build -t student`, what `make release` ships) is the
# book a learner needs: no instructors' pages (grading a class, the grader's threat model),
# and no passage between the lines `<!-- not in the student edition -->` and
# `<!-- end: not in the student edition -->` (what sends a reader to those pages or to the
# maintainers' repository): `_cut_for_students` below takes them out before parsing, so no
# reference to a left-out page remains. The instructors' toctree entries are dropped with
# their pages, and so is the chapter template (the authors' checklist: it speaks of the
# project's tests and make rules, which the edition does not have). The chapters' code
# pages show the files the edition ships (twinbook_book: `twinbook-source`).
# (Patterns match files and the docnames of toctree entries alike.)
STUDENT_LEFT_OUT = ("instructors/**", "appendix/chapter-template*")
if tags.has("student"):  # noqa: F821 (Sphinx passes `tags` to conf.py)
    exclude_patterns.extend(STUDENT_LEFT_OUT)
    suppress_warnings_student = ["toc.excluded"]
else:
    suppress_warnings_student = []

myst_enable_extensions = [
    "colon_fence",
    "deflist",
    "attrs_inline",
    "attrs_block",
    "tasklist",  # the chapter template's checklist
]
myst_heading_anchors = 3

suppress_warnings = [
    # sphinx-book-theme / pydata check for a version switcher only when one is
    # configured; nothing else to suppress today, keep the list explicit.
    *suppress_warnings_student,
]

# -- Notebooks (myst-nb + jupyter-cache) --------------------------------------

nb_execution_mode = "cache"
nb_execution_cache_path = str(ROOT / "build" / ".jupyter_cache")
nb_execution_timeout = 600  # seconds per cell; the Go kernel compiles on first run
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_allow_errors = False
nb_merge_streams = True

# -- Graphviz -----------------------------------------------------------------

graphviz_output_format = "svg"
graphviz_dot_args = [
    "-Gfontname=sans-serif",
    "-Nfontname=sans-serif",
    "-Efontname=sans-serif",
]

# -- Copy button --------------------------------------------------------------

# Copying skips prompts and outputs: shell and REPL prompts (and continuation
# prompts) are stripped; in a block with prompts only the prompt lines are copied;
# line numbers and console output (pygments .go) never are; notebook outputs get
# no copy button at all.
copybutton_prompt_text = r"\$ |>>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_exclude = ".linenos, .go"
copybutton_selector = "div:not(.output) > div.highlight pre"

# -- HTML ---------------------------------------------------------------------

html_theme = "sphinx_book_theme"
html_title = "twinbook"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_js_files = ["twinbook-wbr.js", "twinbook-file-search.js"]
html_favicon = "_static/favicon.svg"
html_logo = "_static/favicon.svg"
# Light or dark follows the reader's system until they pick one (the theme's switch
# remembers it). Without an explicit default the theme logs a console error on a
# reader's first visit ("Got invalid theme mode").
html_context = {"default_mode": "auto"}
html_show_sphinx = False
html_show_sourcelink = True
html_copy_source = True
html_last_updated_fmt = None

# No external resources: no repository/launch buttons, no icon links, no
# analytics, no version switcher, no links to theme homepages in the footer.
html_theme_options = {
    "repository_url": "",
    "use_repository_button": False,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "use_source_button": False,
    "use_download_button": True,
    "use_fullscreen_button": True,
    "launch_buttons": {},
    "icon_links": [],
    "analytics": {},
    "home_page_in_toc": True,
    "show_navbar_depth": 2,
    "show_toc_level": 2,
    "footer_start": [],
    "footer_end": [],
    "primary_sidebar_end": [],
    "navigation_with_keys": False,
    # The sidebar has the search field and the article header a search button: no
    # third one in a top bar of its own.
    "navbar_persistent": [],
    "logo": {"text": "twinbook", "alt_text": "twinbook: home"},
}

# MathJax would come from a CDN. The book uses no math; if a page ever does,
# point this at a local copy in _static/ instead of enabling the CDN default.
# (mathjax_path left at its default: see the check in the report; no page loads it)


# -- GoNB cells ---------------------------------------------------------------
#
# Go notebooks run on GoNB, whose cells may hold lines Go itself does not know:
# `!cmd` / `!*cmd` (shell commands) and `%flag` / `%%` (GoNB magics), always at
# column 0. gofmt'd Go code never starts a line with `!` or `%`, so a Go lexer
# that reads those lines as one preprocessor-like token is safe for plain Go
# listings too, and keeps pygments from failing (a warning, i.e. an error
# under -W) on every notebook cell that uses them.

from pygments.lexer import inherit  # noqa: E402
from pygments.lexers.go import GoLexer  # noqa: E402
from pygments.token import Comment  # noqa: E402


class GoNBLexer(GoLexer):
    """Go, plus GoNB's column-0 `!` shell lines and `%` magics."""

    name = "Go (GoNB)"
    aliases = ["gonb"]
    tokens = {
        "root": [
            (r"^[!%][^\n]*", Comment.Preproc),
            inherit,
        ],
    }


_NOT_FOR_STUDENTS = re.compile(
    r"^<!-- not in the student edition -->\n.*?^<!-- end: not in the student edition -->\n",
    re.S | re.M,
)


def _cut_for_students(app, docname: str, source: list[str]) -> None:
    """In a `-t student` build, drop the passages marked as not in the student edition."""
    if app.tags.has("student"):
        source[0] = _NOT_FOR_STUDENTS.sub("", source[0])


def _prune_for_students(app, exception) -> None:
    """In a `-t student` build, remove the left-out pages an earlier build of the same
    folder left there: Sphinx never deletes output, and the release copies the whole folder."""
    if exception is None and app.tags.has("student"):
        import shutil

        for pattern in STUDENT_LEFT_OUT:
            for top in (Path(app.outdir), Path(app.outdir) / "_sources"):
                for path in top.glob(pattern.removesuffix("/**").rstrip("*") + "*"):
                    if path.is_dir():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)


def setup(app):
    app.connect("source-read", _cut_for_students)
    app.connect("build-finished", _prune_for_students)
    app.add_lexer("go", GoNBLexer)
    app.add_lexer("gonb", GoNBLexer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
