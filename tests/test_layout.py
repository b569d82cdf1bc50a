"""The house rules, checked on the source: packages import only the packages below them,
the pipeline's stages never reach upstream, Flask only in kg/web, click only in kg/cli,
one vocabulary and one error catalogue."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KG = ROOT / "kg"

#: package → the packages it may import (the root ``kg`` package, with the version, is open to all).
LAYERS: dict[str, set[str]] = {
    "core": set(),
    "pipeline": {"core"},
    "store": {"core"},
    "build": {"core", "pipeline", "store"},
    "query": {"core", "store"},
    "analysis": {"core", "query"},
    "export": {"core", "analysis"},
    "web": {"core", "query", "analysis", "export"},
    "cli": {"core", "pipeline", "store", "build", "query", "analysis", "export", "web"},
}
#: pipeline stage → the stages it may import (data flows file → text → structure → mentions → RDF).
STAGES: dict[str, set[str]] = {
    "ingest": set(),
    "structure": set(),
    "lexicon": set(),
    "extract": {"lexicon"},
    "rdf": set(),
}


def _modules() -> list[Path]:
    return sorted(p for p in KG.rglob("*.py") if "__pycache__" not in p.parts)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of the kg modules (or packages) a file imports."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "kg")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "kg":
                continue
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)  # `from .. import export` imports a package
    return found


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    return (
        parts[1] if (len(parts) > 1 and parts[1] in LAYERS) or (len(parts) > 1 and (KG / parts[1]).is_dir()) else None
    )


def test_every_package_has_a_layer():
    packages = {p.name for p in KG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(LAYERS), packages ^ set(LAYERS)
    assert not [p.name for p in KG.glob("*.py") if p.name != "__init__.py"], "modules belong in a package"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(KG)))
def test_imports_only_point_down(path: Path):
    own = _package_of(_module_name(path))
    if own is None:
        return  # kg/__init__.py
    bad = set()
    for module in _imports(path):
        target = _package_of(module)
        if target is not None and target != own and target not in LAYERS[own]:
            bad.add(module)
    assert not bad, (
        f"kg/{path.relative_to(KG)} ({own}) imports {sorted(bad)}; {own} may import only {sorted(LAYERS[own])}"
    )


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_stages_never_reach_upstream(stage):
    imported = {
        m.split(".")[2]
        for m in _imports(KG / "pipeline" / f"{stage}.py")
        if m.startswith("kg.pipeline.") and m.split(".")[2] in STAGES
    }
    assert imported <= STAGES[stage], f"kg/pipeline/{stage}.py imports the stages {imported - STAGES[stage]}"


@pytest.mark.parametrize("library,package", [("flask", "web"), ("werkzeug", "web"), ("click", "cli")])
def test_framework_only_in_its_package(library, package):
    offenders = []
    for path in _modules():
        if package in path.relative_to(KG).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            if any(n.split(".")[0] == library for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"{library} imported outside kg/{package}: {offenders}"


def test_no_hand_written_ontology_namespace():
    """Terms come from kg.core.vocab: nobody spells the dsr: namespace out (or concatenates onto it)."""
    offenders = []
    for path in _modules():
        if path == KG / "core" / "vocab.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "w3id.org/dsr-kg/ontology#" in text or "http://www.w3.org/ns/oa#" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_error_codes_are_written_only_by_the_catalogue():
    offenders = []
    for path in _modules():
        if path == KG / "core" / "errors.py":
            continue
        for m in re.finditer(r"\[E\d{3}\]|code = \"E\d{3}\"", path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT)}: {m.group()}")
    assert not offenders


def test_error_classes_live_in_the_catalogue():
    offenders = []
    for path in _modules():
        if path == KG / "core" / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if bases & {"KGError", "QueryError", "StoreError", "PayloadTooLarge", "SourceError", "QueryTimeout"}:
                    offenders.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert not offenders


def test_pyproject_lists_every_package():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    on_disk = {_module_name(p.parent / "__init__.py") for p in KG.rglob("__init__.py")}
    listed = set(config["packages"])
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"
    assert listed - on_disk == {"kg.ontology", "kg.ontology.lexicon"}
    assert config["package-dir"] == {"kg.ontology": "ontology"}


def test_error_catalogue_codes_are_unique_and_documented():
    from kg.core.errors import catalogue

    classes = catalogue()
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes)), f"a code is used twice: {codes}"
    rows = re.findall(
        r"^\| (E\d{3}) \| `(\w+)` \| (\d{3}) \|", (ROOT / "docs" / "errors.md").read_text(encoding="utf-8"), re.M
    )
    documented = {(code, name, int(status)) for code, name, status in rows}
    assert documented == {(c.code, c.__name__, c.status) for c in classes}
    assert len(rows) == len(documented)
