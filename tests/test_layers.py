"""The package layout: imports point down the layers and never form a cycle (checked on the source, with ast)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "src" / "sysplan_study"

# Higher ranks may import lower ranks (and their own layer); never the other way. store and decks are siblings.
RANK = {"cli": 7, "ui": 6, "reports": 5, "study": 4, "store": 3, "decks": 3, "memory": 2,
        "clock": 1, "paths": 1, "errors": 1, "": 1, "__main__": 8}


def module_name(path: Path) -> str:
    parts = ("sysplan_study",) + path.relative_to(PKG).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def imports_of(path: Path) -> set[str]:
    """Every sysplan_study module a file imports (at any depth: lazy imports count too)."""
    mod = module_name(path)
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                name = base + ("." + node.module if node.module else "")
            else:
                name = node.module or ""
            out.update(f"{name}.{a.name}" for a in node.names)
            out.add(name)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {d for d in out if d == "sysplan_study" or d.startswith("sysplan_study.")}


def graph(root: Path = PKG) -> dict[str, set[str]]:
    mods = {module_name(p): p for p in root.rglob("*.py")}

    def resolve(dep: str) -> str | None:
        while dep and dep not in mods:
            dep = dep.rpartition(".")[0]
        return dep or None

    return {m: {r for d in imports_of(p) if (r := resolve(d)) and r != m} for m, p in mods.items()}


def layer(mod: str) -> str:
    parts = mod.split(".")
    name = parts[1] if len(parts) > 1 else ""
    return "" if name in ("clock", "paths", "errors") else name  # the top-level helpers are one layer


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    found, stack, seen = [], [], set()

    def visit(m: str) -> None:
        if m in stack:
            found.append(stack[stack.index(m):] + [m])
            return
        if m in seen:
            return
        seen.add(m)
        stack.append(m)
        for d in sorted(g.get(m, ())):
            # A package's __init__ importing its own submodules is how subpackages register; not a cycle back.
            visit(d)
        stack.pop()

    for m in sorted(g):
        visit(m)
    return found


def upward(g: dict[str, set[str]]) -> list[str]:
    bad = []
    for m, deps in g.items():
        for d in deps:
            lm, ld = layer(m), layer(d)
            if d == "sysplan_study" or lm == ld:
                continue
            if RANK[ld] >= RANK[lm]:
                bad.append(f"{m} -> {d}")
    return sorted(bad)


def test_every_module_has_a_layer() -> None:
    assert {layer(m) for m in graph()} <= set(RANK)


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_imports_point_down() -> None:
    assert upward(graph()) == []


def test_memory_is_pure() -> None:
    """memory/ takes histories and the clock as arguments: no SQL, no clock reads, no file access."""
    for path in (PKG / "memory").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not ({"sqlite3", "os", "time"} & (names | modules)), path
        src = path.read_text(encoding="utf-8")
        assert ".now(" not in src and "today()" not in src, path


@pytest.mark.parametrize("kind", ["cycle", "upward"])
def test_the_checks_can_fail(tmp_path: Path, kind: str) -> None:
    """The checks above catch a planted cycle and a planted upward import."""
    root = tmp_path / "sysplan_study"
    for d in ("store", "cli"):
        (root / d).mkdir(parents=True)
        (root / d / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    if kind == "cycle":
        (root / "store" / "a.py").write_text("from sysplan_study.store import b\n")
        (root / "store" / "b.py").write_text("def f():\n    from sysplan_study.store.a import x\n")
    else:
        (root / "store" / "a.py").write_text("def f():\n    from sysplan_study.cli import app\n")
    global PKG
    saved, PKG = PKG, root
    try:
        g = graph(root)
        assert (cycles(g) if kind == "cycle" else upward(g))
    finally:
        PKG = saved
