"""The house rules of docs/architecture.md, checked on the source: who may import whom."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import REPO


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[0] == "exporters":  # installed as srs.exporters
        parts.insert(0, "srs")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    _module_name(p): p
    for p in [*REPO.glob("srs/**/*.py"), *REPO.glob("exporters/*.py")]
    if "__pycache__" not in p.parts
}
MODULE_NAMES = set(MODULES)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (a lazy import is still
    a dependency), as dotted names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                # `from srs.store import sql` uses the module srs.store.sql, not the package's
                # __init__ (which Python runs first either way, for every submodule).
                found.add(submodule if submodule in MODULE_NAMES else node.module)
    return found


IMPORTS = {name: _imports(path) for name, path in MODULES.items()}
GRAPH = {name: {m for m in found if m in MODULES} for name, found in IMPORTS.items()}


def _importers_of(prefix: str) -> set[str]:
    return {
        name
        for name, found in IMPORTS.items()
        if any(m == prefix or m.startswith(prefix + ".") for m in found)
    }


def _within(names: set[str], *allowed: str) -> set[str]:
    return {n for n in names if not any(n == a or n.startswith(a + ".") for a in allowed)}


def test_the_modules_were_found():
    assert {"srs.sm2", "srs.store", "srs.cli.app", "srs.exporters.anki", "srs.due"} <= set(MODULES)


def test_no_import_cycles():
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> None:
        seen[name] = 1
        for target in sorted(GRAPH[name]):
            if seen.get(target) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path, target]))
            if target not in seen:
                visit(target, [*path, target])
        seen[name] = 2

    for name in sorted(GRAPH):
        if name not in seen:
            visit(name, [name])


def test_no_module_imports_a_private_name_of_another_package():
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module):
                continue
            package = node.module.rsplit(".", 1)[0]
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                # A package's own private module (importers._common) is for its modules only.
                own = name.startswith(package + ".") or name == package
                assert not private or own, f"{name} imports {node.module}.{alias.name}"
                if "._" in node.module:
                    assert own, f"{name} imports private module {node.module}"


# Anki's own collection files, never srs's database: the exporter builds one, the package
# reader reads one (from a temporary file).
ANKI_COLLECTION_READERS = ("srs.exporters", "srs.importers.anki_package")


def test_only_the_store_speaks_sql_to_our_database():
    users = _importers_of("sqlite3") | _importers_of("sqlite_utils")
    assert users and _within(users, "srs.store", *ANKI_COLLECTION_READERS) == set()
    # The package reader opens what it extracted, read-only, and nothing else.
    source = MODULES["srs.importers.anki_package"].read_text(encoding="utf-8")
    assert source.count("sqlite3.connect(") == 1 and "mode=ro&immutable=1" in source


def test_algorithms_are_pure():
    for name in ("srs.sm2", "srs.fsrs", "srs.scheduler", "srs.history", "srs.metrics"):
        found = IMPORTS[name]
        assert not found & {"os", "sys", "time", "sqlite3", "random"}, name
        assert not {m for m in found if m.startswith(("srs.store", "srs.cli", "srs.clock"))}


def test_importers_parse_and_never_save():
    for name in MODULES:
        if name.startswith("srs.importers"):
            assert not {m for m in IMPORTS[name] if m.startswith("srs.store")}
            if name not in ANKI_COLLECTION_READERS:
                assert "sqlite3" not in IMPORTS[name]


def test_the_session_has_no_terminal_code():
    found = IMPORTS["srs.review"]
    assert not {m for m in found if m.startswith(("srs.cli", "typer", "rich", "click"))}
    source = MODULES["srs.review"].read_text(encoding="utf-8")
    assert "print(" not in source and "input(" not in source and "sys.std" not in source


def test_only_exporters_know_genanki_and_nobody_imports_anki():
    assert _within(_importers_of("genanki"), "srs.exporters") == set()
    assert _importers_of("anki") == set()  # the anki backend is a test dependency only


def test_the_typer_free_due_path_imports_nothing_of_typer():
    # srs.entry, srs.due and srs.runtime run `srs due` without typer (tests/test_guards.py
    # checks the modules a real run loads; this checks the source, lazy imports included
    # but for the entry point's fallback to the typer app).
    for name in ("srs.due", "srs.runtime"):
        found = IMPORTS[name]
        assert not {m for m in found if m.startswith(("typer", "click", "srs.cli"))}, name
    assert IMPORTS["srs.entry"] & {"typer", "click"} == set()


def test_rich_is_only_for_what_the_terminal_draws():
    # The review screen and the cards table; `srs due` and the library stay free of it.
    assert _within(_importers_of("rich"), "srs.cli") == set()
    assert "rich" not in {m.split(".")[0] for m in IMPORTS["srs.cli.app"]}


def test_cli_modules_do_not_import_each_other_in_a_circle():
    cli = {n for n in GRAPH if n.startswith("srs.cli")}
    for name in cli:
        for target in GRAPH[name] & cli:
            assert name not in GRAPH[target], f"{name} <-> {target}"


def test_the_store_parts_name_no_method_twice():
    # Store is the sum of its parts (mixins): a name defined in two of them would make one
    # part call the other's method.
    defined: dict[str, str] = {}
    for name, path in MODULES.items():
        if not name.startswith("srs.store."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name != "__init__":
                        assert item.name not in defined, (item.name, defined[item.name], name)
                        defined[item.name] = name
