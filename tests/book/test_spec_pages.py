"""The appendix's spec pages: their examples are real vectors, and the code cites them.

A spec page shows a vector file as its format's example; the example must replay clean on
the reference model of the contract, so the page never teaches a file that the runners
would fail. Code that states the contract cites the page, never a file outside the book.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from book_site import BOOK, ROOT

#: Each spec page, with the reference model that replays its vectors.
SPEC_MODELS = {
    "spec-breaker": ROOT / "tests" / "vectors" / "reference" / "breaker_model.py",
    "spec-limiter": ROOT / "tests" / "vectors" / "reference" / "limiter_model.py",
    "spec-supervisor": ROOT / "tests" / "vectors" / "reference" / "supervisor_model.py",
    "spec-avro": ROOT / "tests" / "vectors" / "reference" / "avro_model.py",
    "spec-idempotency": ROOT / "tests" / "vectors" / "reference" / "idempotency_model.py",
}
#: A page whose examples are of two concepts (spec-idempotency's sagas): each other concept's model.
CONCEPT_MODELS = {"saga": ROOT / "tests" / "vectors" / "reference" / "saga_model.py"}
_JSON_BLOCK = re.compile(r"^```json\n(?P<body>.*?)^```$", re.S | re.M)


def _model(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"spec_model_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_spec_page_has_a_model() -> None:
    pages = {p.stem for p in (BOOK / "appendix").glob("spec-*.md")}
    assert pages == set(SPEC_MODELS), "a spec page without a reference model here, or the reverse"


@pytest.mark.parametrize("page", sorted(SPEC_MODELS))
def test_the_example_vector_file_replays_clean(page: str) -> None:
    text = (BOOK / "appendix" / f"{page}.md").read_text(encoding="utf-8")
    files = [json.loads(m["body"]) for m in _JSON_BLOCK.finditer(text)]
    examples = [f for f in files if isinstance(f, dict) and "cases" in f]
    assert examples, f"{page}: no example vector file"
    for example in examples:
        model = _model(CONCEPT_MODELS.get(example.get("concept", ""), SPEC_MODELS[page]))
        for case in example["cases"]:
            assert model.run_case(case) > 0, case["name"]


def test_the_code_cites_the_spec_pages_not_outside_files() -> None:
    cited = set()
    for top in ("go", "python", "tests"):
        for path in (ROOT / top).rglob("*"):
            if path.suffix not in {".go", ".py", ".md"} or not path.is_file():
                continue
            if path == Path(__file__).resolve():
                continue  # this test names what it looks for
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "specs/" not in text, f"{path.relative_to(ROOT)} cites a specs/ file"
            cited.update(re.findall(r"book/appendix/(spec-[a-z0-9-]+)\.md", text))
    assert cited, "no code cites a spec page"
    for page in cited:
        assert (BOOK / "appendix" / f"{page}.md").is_file(), f"cited but missing: {page}"
