"""The shared vector loader (``vectors_files.py``): where it looks, what it loads, what fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vectors_files import ROOT, VECTORS_ENV, Broken, Case, case_of, load_cases, vectors_dir

GOOD = {"concept": "limiter", "cases": [{"name": "a"}, {"name": "b"}]}


@pytest.mark.parametrize(
    ("files", "want"),
    [
        pytest.param(
            {"2.json": GOOD, "1.json": {"concept": "limiter", "cases": [{"name": "z"}]}},
            ["z", "a", "b"],
            id="files in name order, cases in file order",
        ),
        pytest.param(
            {"x.json": {"concept": "limiter", "cases": [{"name": "a"}, {"steps": []}]}},
            ["a", "x[1]"],
            id="an unnamed case is named by its file and place",
        ),
        pytest.param(
            {"x.json": {"concept": "breaker", "cases": []}, "y.json": GOOD},
            ["broken file x.json", "a", "b"],
            id="another concept is a broken file, the others still load",
        ),
        pytest.param(
            {"x.json": {"concept": "limiter", "cases": [], "comment": "?"}, "y.json": GOOD},
            ["broken file x.json", "a", "b"],
            id="an unknown file key is a broken file",
        ),
        pytest.param(
            {"x.json": "{not json", "y.json": GOOD},
            ["broken file x.json", "a", "b"],
            id="not JSON is a broken file",
        ),
        pytest.param(
            {"x.json": {"concept": "limiter", "cases": {}}},
            ["broken file x.json", "no vectors in DIR"],
            id="cases not a list is a broken file",
        ),
        pytest.param(
            {"x.json": {"concept": "limiter", "cases": []}, "notes.txt": "x"},
            ["no vectors in DIR"],
            id="a folder without cases fails",
        ),
    ],
)
def test_load_cases(tmp_path: Path, files: dict[str, object], want: list[str]) -> None:
    for name, body in files.items():
        text = body if isinstance(body, str) else json.dumps(body)
        (tmp_path / name).write_text(text, encoding="utf-8")
    names = [item.name.replace(str(tmp_path), "DIR") for item in load_cases("limiter", tmp_path)]
    assert names == want


def test_load_cases_of_a_folder_of_several_concepts(tmp_path: Path) -> None:
    files = {
        "a.json": {"concept": "avro_resolution", "cases": [{"name": "a1"}]},
        "b.json": {"concept": "registry_compatibility", "cases": [{"name": "b1"}]},
        "c.json": {"concept": "breaker", "cases": [{"name": "c1"}]},
    }
    for name, body in files.items():
        (tmp_path / name).write_text(json.dumps(body), encoding="utf-8")
    concepts = ("avro_resolution", "registry_compatibility")
    loaded = load_cases("avro", tmp_path, concepts=concepts)
    assert [(getattr(i, "concept", None), i.name) for i in loaded] == [
        ("avro_resolution", "a1"),
        ("registry_compatibility", "b1"),
        (None, "broken file c.json"),
    ]
    assert "concept is 'breaker'" in loaded[2].reason  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("env", "want"),
    [
        pytest.param("/elsewhere", Path("/elsewhere/breaker"), id="the variable, when set"),
        pytest.param("", ROOT / "tests" / "vectors" / "breaker", id="the repository's, when empty"),
        pytest.param(
            None, ROOT / "tests" / "vectors" / "breaker", id="the repository's, when unset"
        ),
    ],
)
def test_vectors_dir(monkeypatch: pytest.MonkeyPatch, env: str | None, want: Path) -> None:
    if env is None:
        monkeypatch.delenv(VECTORS_ENV, raising=False)
    else:
        monkeypatch.setenv(VECTORS_ENV, env)
    assert vectors_dir("breaker") == want


def test_load_cases_reads_the_variables_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "limiter").mkdir()
    (tmp_path / "limiter" / "mine.json").write_text(json.dumps(GOOD), encoding="utf-8")
    monkeypatch.setenv(VECTORS_ENV, str(tmp_path))
    assert load_cases("limiter") == [
        Case("mine.json", "a", {"name": "a"}),
        Case("mine.json", "b", {"name": "b"}),
    ]


def test_the_repositorys_own_vectors_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VECTORS_ENV, raising=False)
    for concept in ("breaker", "limiter", "retry_budget"):
        loaded = load_cases(concept)
        assert loaded and all(isinstance(item, Case) for item in loaded), concept


def test_case_of_fails_a_broken_item_and_passes_a_case() -> None:
    case = Case("x.json", "a", {"name": "a"})
    assert case_of(case) is case
    with pytest.raises(pytest.fail.Exception, match="x.json: bad"):
        case_of(Broken("broken file x.json", "x.json: bad"))
