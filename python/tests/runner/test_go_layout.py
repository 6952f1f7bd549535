"""The Go layout (twinbook.runner.gorunner): the answer is package ``main``, the tests, the
chapter's helpers and the harness its external test package ``main_test``, so that the
tests' identifiers are out of the answer's scope by the type system."""

from __future__ import annotations

from pathlib import Path

import pytest

from twinbook.runner import gorunner
from twinbook.runner.check import check_gonb, check_source

VISIBLE = (
    'package main_test\n\nimport (\n\t. "answer"\n\t"testing"\n)\n\n'
    "var secretWant = 5 // the tests' own data\n\n"
    "func helper() int { return secretWant }\n\n"
    'func TestAdds(t *testing.T) {\n\tif Add(2, 3) != helper() {\n\t\tt.Fatal("no")\n\t}\n}\n'
)


def _test_file(tmp_path: Path, text: str = VISIBLE, name: str = "visible_test.go") -> Path:
    folder = tmp_path / "tests"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def _build(tmp_path: Path, answer: str, tests: list[Path]) -> tuple[str, list[str]]:
    work = tmp_path / "work"
    work.mkdir()
    gorunner.write_module(work, answer)
    runnable = gorunner.lay_out_tests(work, tests, ["TestAdds"])
    return gorunner.build(work, tmp_path / "tests.bin"), runnable


@pytest.mark.parametrize(
    ("source", "package"),
    [
        ("package main_test\n", "main_test"),
        ("// a comment\n/* package main\n*/\npackage main_test // trailing\n", "main_test"),
        ("// Package answer: package main in a comment\npackage main\n", "main"),
        ("func f() {}\n", ""),
    ],
)
def test_package_of_reads_the_clause_not_the_comments(source, package):
    assert gorunner.package_of(source) == package


@pytest.mark.parametrize(
    ("go_mod", "want"),
    [
        ("module gonb_1234\n\ngo 1.26\n", "module answer\n\ngo 1.26\n"),
        ("go 1.26\n", "module answer\n\ngo 1.26\n"),
        (
            "module x\n\nrequire example.com/m v1.0.0\n",
            "module answer\n\nrequire example.com/m v1.0.0\n",
        ),
    ],
)
def test_rename_module_sets_the_path_the_tests_import(go_mod, want):
    assert gorunner.rename_module(go_mod) == want


def test_lay_out_writes_the_answer_the_tests_and_an_external_harness(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    gorunner.write_answer(work, "package main\n\nfunc main() {}\n")
    runnable = gorunner.lay_out_tests(work, [_test_file(tmp_path)], ["TestAdds", "TestGone"])
    assert runnable == ["TestAdds"]
    assert (work / "go.mod").read_text() == f"module answer\n\ngo {gorunner.GO_VERSION}\n"
    assert sorted(p.name for p in work.iterdir()) == [
        "answer.go",
        "go.mod",
        "visible_test.go",
        gorunner.HARNESS_FILE,
    ]
    assert gorunner.package_of((work / gorunner.HARNESS_FILE).read_text()) == "main_test"


def test_a_test_file_of_the_answers_package_is_refused(tmp_path):
    inside = _test_file(tmp_path, VISIBLE.replace("package main_test", "package main"))
    with pytest.raises(ValueError, match="must be `package main_test`"):
        gorunner.lay_out_tests(tmp_path, [inside], ["TestAdds"])


def test_a_test_file_not_named_test_go_is_refused(tmp_path):
    with pytest.raises(ValueError, match="must end in _test.go"):
        gorunner.lay_out_tests(tmp_path, [_test_file(tmp_path, name="helpers.go")], [])


def test_the_tests_call_the_answers_exported_names(tmp_path):
    answer = "package main\n\nfunc Add(a, b int) int { return a + b }\n\nfunc main() {}\n"
    error, runnable = _build(tmp_path, answer, [_test_file(tmp_path)])
    assert error == "" and runnable == ["TestAdds"]


@pytest.mark.parametrize("name", ["secretWant", "helper", "TestAdds", "TestTwinbookHarness"])
def test_the_tests_names_are_undefined_in_the_answer(tmp_path, name):
    answer = f"package main\n\nvar peek = map[any]int{{{name}: 1}}\n\nfunc Add(a, b int) int {{ return a + b }}\n\nfunc main() {{}}\n"
    error, _ = _build(tmp_path, answer, [_test_file(tmp_path)])
    assert f"undefined: {name}" in error


def test_the_answers_unexported_names_are_not_the_tests(tmp_path):
    """A helper of the answer's named like the tests' is the answer's own: no clash, and the
    tests keep theirs."""
    answer = (
        "package main\n\nfunc helper() int { return 0 }\n\nvar secretWant = 99\n\n"
        "func Add(a, b int) int { return a + b }\n\nfunc main() {}\n"
    )
    error, _ = _build(tmp_path, answer, [_test_file(tmp_path)])
    assert error == ""


def test_an_answer_in_the_test_package_is_a_compile_error(tmp_path):
    answer = "package main_test\n\nfunc Add(a, b int) int { return a + b }\n"
    error, _ = _build(tmp_path, answer, [_test_file(tmp_path)])
    assert error == "answer.go: the answer must be package main, not package main_test"


def test_check_source_reports_a_reach_into_the_tests_as_a_compile_error(mini):
    answer = "package main\n\nvar _ = map[string]int{secret: 1}\n\nfunc Add(a, b int) int { return a + b }\n\nfunc main() {}\n"
    visible = mini.lang("go").test_dir / "visible_test.go"
    visible.write_text(visible.read_text() + '\nconst secret = "hidden"\n')
    assert check_source(answer.replace("secret: 1", '"x": 1'), mini, "go").passed == 2
    result = check_source(answer, mini, "go")
    assert [r.outcome for r in result.results] == ["error", "error"]
    assert "undefined: secret" in result.results[0].message


def test_gonb_mode_renames_gonbs_module_so_the_tests_import_it(mini, tmp_path):
    gonb_tmp = tmp_path / "gonb_99"
    gonb_tmp.mkdir()
    (gonb_tmp / "go.mod").write_text("module gonb_99\n\ngo 1.26\n")
    (gonb_tmp / "main.go").write_text(
        "package main\n\nfunc Add(a, b int) int { return a + b }\n\nfunc main() {}\n"
    )
    result = check_gonb(gonb_dir=mini.lang("go").test_dir, gonb_tmp=gonb_tmp)
    assert result.passed == result.total == 2
    assert (gonb_tmp / "go.mod").read_text() == "module gonb_99\n\ngo 1.26\n"  # GoNB's untouched
