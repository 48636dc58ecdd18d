"""One-way flow: the import graph of src/packstudy has no cycle, and the report imports no
physics module.

The graph is built from the source (AST) of every module, counting every import statement
wherever it is (inside functions and ``if TYPE_CHECKING`` blocks too): ``import packstudy.x``,
``from packstudy.x import y``, ``from . import x``, ``from .x import y``, ``from .. import x``.
``from P import name`` is an edge to the submodule ``P.name`` when there is one, else to ``P``
(``from . import __version__`` is an edge to the package's ``__init__``). Python's implicit
import of a parent package before its submodule is not an edge: every module would then
depend on ``packstudy/__init__``, which keeps nothing but ``__version__`` and a lazy entry point.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "packstudy"
# What ``packstudy.report`` may import: the metric registry (labels and units), the results
# helpers (atomic writing, the rows shown) and the version. Every other packstudy module is a
# "physics module" for this rule: it models, simulates or costs something, reads the shipped
# data for that (catalog, chemistry) or runs the chain (study, sweep, spec's resolution of
# presets). What the report shows of them, the chain computed and kept in the StudyResult.
REPORT_MAY_IMPORT = {"packstudy.metrics", "packstudy.results", "packstudy.version"}


def in_report(module: str) -> bool:
    return module == "packstudy.report" or module.startswith("packstudy.report.")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module name -> the packstudy modules it imports anywhere in its source."""
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1])
                    base += f".{node.module}" if node.module else ""
                else:
                    base = node.module or ""
                edges |= {f"{base}.{a.name}" if f"{base}.{a.name}" in files else base
                          for a in node.names}
        graph[name] = {e for e in edges if e in files and e != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None (depth-first search, iterative)."""
    state = dict.fromkeys(graph, 0)  # 0 unseen, 1 on the current path, 2 done
    for start in sorted(graph):
        if state[start]:
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state[nxt] == 1:
                return path[path.index(nxt):] + [nxt]
            elif state[nxt] == 0:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def reachable(graph: dict[str, set[str]], start: set[str]) -> set[str]:
    seen, todo = set(), list(start)
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo += graph[m]
    return seen


def test_the_graph_sees_imports_inside_functions_and_relative_forms(tmp_path):
    """The graph builder itself: every import form counts, and a cycle is found and printed."""
    pkg = tmp_path / "packstudy"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .version import V\n")
    (pkg / "version.py").write_text("V = 1\n")
    (pkg / "a.py").write_text("def f():\n    from .b import g\n    return g\n")
    (pkg / "b.py").write_text("import packstudy.c\n")
    (pkg / "c.py").write_text("from . import version\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "d.py").write_text("from .. import a\nfrom ..version import V\n")
    graph = import_graph(pkg)
    assert graph["packstudy.a"] == {"packstudy.b"}
    assert graph["packstudy.b"] == {"packstudy.c"}
    assert graph["packstudy.c"] == {"packstudy.version"}
    assert graph["packstudy.sub.d"] == {"packstudy.a", "packstudy.version"}
    assert find_cycle(graph) is None
    (pkg / "c.py").write_text("def h():\n    from .sub.d import V\n")
    assert find_cycle(import_graph(pkg)) == ["packstudy.a", "packstudy.b", "packstudy.c",
                                             "packstudy.sub.d", "packstudy.a"]


def test_no_import_cycle_in_the_package():
    graph = import_graph()
    assert len(graph) > 40 and "packstudy.report.html" in graph
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("module", sorted(filter(in_report, import_graph())))
def test_report_imports_no_physics_module(module):
    graph = import_graph()
    outside = {m for m in graph[module] if not in_report(m)}
    assert outside <= REPORT_MAY_IMPORT, f"{module} imports {sorted(outside - REPORT_MAY_IMPORT)}"


def test_nothing_the_report_reaches_is_a_physics_module():
    """Not through the allowed modules either: they import no other packstudy module."""
    graph = import_graph()
    report = set(filter(in_report, graph))
    assert reachable(graph, report) - report <= REPORT_MAY_IMPORT
