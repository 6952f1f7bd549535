"""Answer-file lines back to the learner's cells (twinbook.exercises.cells)."""

from __future__ import annotations

import pytest

from twinbook.exercises.cells import (
    cell_place,
    go_locator,
    gonb_answer,
    python_lines,
    python_locator,
    relocate,
)
from twinbook.exercises.notebook import python_answer_file

CELL_SHAPES = [
    ["x = 1\n"],
    ["\n\nx = 1\n\n\n", "%timeit x\ny = 2\n!ls\n", "", "   \n", "z = 3"],
    ["%%time\n", "a = 1\n\n\nb = 2"],
    ["  \nx = 1\n  ", "def f():\n    return 1\n"],
]


@pytest.mark.parametrize("cells", CELL_SHAPES)
def test_python_lines_follow_python_answer_file(cells):
    source = python_answer_file(cells)
    lines = python_lines(cells)
    assert len(lines) == source.count("\n")
    for text, origin in zip(source.split("\n"), lines, strict=False):
        if origin is None:
            assert text == ""
        else:
            assert cells[origin.cell].split("\n")[origin.line - 1] == text


def test_python_places_name_the_cell_and_its_line():
    cells = ["%load_ext x\nimport threading\n", "def f(:\n    pass\n"]
    locate = python_locator(cells)
    assert relocate("line 1: import of 'threading'", locate) == (
        "answer cell 1, line 2: import of 'threading'"
    )
    assert relocate("line 4: SyntaxError", locate) == "answer cell 2, line 1: SyntaxError"
    assert cell_place(python_lines(["x = 1"])[0], 1) == "answer cell, line 1"


def test_go_lines_are_found_by_their_text_whatever_gofmt_did():
    cells = ["func F() int {\n\tx:=1\n\treturn x\n}\n\nfunc G() int {\n\treturn 2\n}"]
    compiled = (
        "package main\n\nfunc F() int {\n\tx := 1\n\treturn x\n}\n\n"
        "func G() int {\n\treturn 2\n}\n\nfunc main() {}\n"
    )
    locate = go_locator(compiled, cells)
    assert locate(4) == "answer cell, line 2"  # x := 1, re-spaced by gofmt
    assert locate(9) == "answer cell, line 7"  # the second "return"-like line is its own
    assert locate(12) == "in func main, `func main() {}`"  # no cell holds it: its declaration
    assert relocate("./answer.go:4:2: declared and not used: x", locate) == (
        "answer cell, line 2: declared and not used: x"
    )


def test_an_import_nobody_wrote_is_cited_where_the_package_is_used():
    cells = ["func F() int64 {\n\treturn time.Now().Unix()\n}"]
    compiled = 'package main\n\nimport "time"\n\nfunc F() int64 {\n\treturn time.Now().Unix()\n}\n'
    assert go_locator(compiled, cells)(3) == 'answer cell, line 2 (uses the package "time")'
    # GoNB ran a cell that is not saved: its declaration, by its text
    assert go_locator(compiled, ["func F() int64 { return 0 }"])(3) == (
        'in func F, `return time.Now().Unix()` (uses the package "time")'
    )


def test_gonb_answer_leaves_out_main_and_the_demo_cells_declarations():
    program = (
        'package main\n\nimport (\n\t"fmt"\n)\n\n// F is the answer.\nfunc F() int { return 1 }\n\n'
        "type passThrough struct{}\n\nfunc (p *passThrough) Call() {}\n\n"
        "func init() {}\n\nfunc main() {\n\tfmt.Println(F())\n}\n"
    )
    kept = gonb_answer(program, ["type passThrough struct{}\n\n%%\nfmt.Println(F())"])
    assert "// F is the answer.\nfunc F() int { return 1 }" in kept
    assert "func init() {}" in kept  # the learner's, even unsaved: the grader would see it
    assert "passThrough" not in kept and "func main" not in kept


def test_gonb_answer_reads_gonbs_unindented_main_body():
    """GoNB writes the %% demo cells into func main at column 0: a `var (` or a `type` there
    is not a top-level declaration."""
    program = (
        "package main\n\nfunc F() int { return 1 }\n\nfunc main() {\n\tflag.Parse()\n"
        "var (\n\tmu sync.Mutex\n)\ntype event struct{}\ns := `\n}`\n_ = s\n}\n"
    )
    assert gonb_answer(program, ["%%\nvar (\n\tmu sync.Mutex\n)"]) == (
        "package main\n\nfunc F() int { return 1 }\n\n"
    )
