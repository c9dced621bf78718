"""Every module of `jisr/` imports on its own, first, in a fresh process after `django.setup()`
(a shell, a script, a new test), and no two modules import each other, however indirectly.

A module that is imported lazily, inside a function, still counts: a lazy import hides a cycle,
it does not break it. The only lazy imports left out of the graph are those of modules that
pull in a heavy optional library (Splink, Spark, pyarrow); they say so in a comment on the
import or on the line above it, with the words "heavy optional library".
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import jisr

PACKAGE = Path(jisr.__file__).parent
ROOT = PACKAGE.parent
HEAVY = "heavy optional library"


def jisr_modules() -> dict[str, Path]:
    """Every module of the package, by dotted name, except migrations and tests."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if {"migrations", "tests"} & set(parts) or parts[-1] == "conftest":
            continue
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _runtime_statements(
    nodes: list[ast.stmt], lazy: bool = False
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Each import that runs, with whether it runs only when a function is called (lazy).
    `if TYPE_CHECKING:` blocks never run."""
    for node in nodes:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _runtime_statements(node.orelse, lazy)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, lazy
        else:
            inner = lazy or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from _runtime_statements([child], inner)


def _imported(node: ast.Import | ast.ImportFrom, name: str, path: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, *([node.module] if node.module else [])])
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def _says_heavy(lines: list[str], node: ast.stmt) -> bool:
    end = node.end_lineno or node.lineno
    around = lines[node.lineno - 1 : end]
    above = node.lineno - 2
    while above >= 0 and lines[above].strip().startswith("#"):
        around.append(lines[above])
        above -= 1
    return any(HEAVY in line for line in around)


def import_graph() -> dict[str, set[str]]:
    """Which modules of `jisr` each module imports, at the top or inside a function."""
    modules = jisr_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node, lazy in _runtime_statements(ast.parse(source).body):
            if lazy and _says_heavy(lines, node):
                continue
            for target in _imported(node, name, path):
                # `from jisr.x import y`: the module jisr.x.y if there is one, else jisr.x.
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target.startswith("jisr.") and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each group of modules that import each other (Tarjan's strongly
    connected components), as the list of modules along it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = {stack.pop()}
            while node not in group:
                group.add(stack.pop())
            if len(group) > 1:
                found.append(_cycle_in(graph, group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _cycle_in(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest way from the group's first module back to itself, within the group."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    for node in queue:
        for target in sorted(graph[node] & group):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(group)


def test_no_module_imports_itself_through_others():
    graph = import_graph()
    found = [" → ".join(cycle) for cycle in cycles(graph)]
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_the_graph_sees_lazy_imports_and_leaves_out_only_heavy_optional_ones():
    lines = [
        "def f():",
        "    from jisr.a import b",
        "    # Splink is a heavy optional library.",
        "    from jisr.c import d",
    ]
    body = ast.parse("\n".join(lines)).body
    imports = [node for node, lazy in _runtime_statements(body) if lazy]
    assert [_says_heavy(lines, node) for node in imports] == [False, True]
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]


def third_party_imports() -> list[str]:
    """The modules outside `jisr` that modules of `jisr` import at their top."""
    found: set[str] = set()
    for name, path in jisr_modules().items():
        for node, lazy in _runtime_statements(ast.parse(path.read_text(encoding="utf-8")).body):
            if not lazy and not getattr(node, "level", 0):
                found.update(m for m in _imported(node, name, path) if m.split(".")[0] != "jisr")
    return sorted(found)


# Run in a fresh interpreter: `django.setup()` once, then one forked child per module, a few at a
# time, each importing its module first, as in a fresh process after setup, in a few
# milliseconds instead of a new interpreter each. The libraries outside `jisr` that the modules
# import are loaded once before forking (they import nothing of `jisr`, which is checked).
_IMPORT_EACH_FIRST = """
import importlib, json, os, sys, traceback
import django
django.setup()
loaded = {m for m in sys.modules if m.startswith("jisr")}
for library in json.loads(os.environ["JISR_IMPORT_LIBRARIES"]):
    try:
        importlib.import_module(library)
    except ImportError:
        pass  # `from x import name`, where name is not a module
added = sorted(m for m in sys.modules if m.startswith("jisr") and m not in loaded)
assert not added, f"libraries imported these before their turn: {added}"
modules, results, running = sys.argv[1:], {}, {}

def reap():
    pid, status = os.waitpid(-1, 0)
    name, path = running.pop(pid)
    if status:
        with open(path, encoding="utf-8") as file:
            results[name] = file.read() or f"exit status {status}"
    os.unlink(path)

for number, name in enumerate(modules):
    while len(running) >= (os.cpu_count() or 2):
        reap()
    path = os.path.join(os.environ["JISR_IMPORT_OUT"], str(number))
    open(path, "w").close()
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            with open(path, "w", encoding="utf-8") as file:
                file.write(traceback.format_exc().strip().splitlines()[-1])
            os._exit(1)
        os._exit(0)
    running[pid] = (name, path)
while running:
    reap()
print(json.dumps(results))
"""


@pytest.mark.slow  # about 10 s on two cores: every module's import chain, once each
def test_every_module_imports_first_after_django_setup(tmp_path):
    if not hasattr(os, "fork"):
        raise AssertionError("this test forks: run it on Linux or macOS")
    modules = sorted(jisr_modules())
    env = {
        **os.environ,
        "JISR_IMPORT_OUT": str(tmp_path),
        "JISR_IMPORT_LIBRARIES": json.dumps(third_party_imports()),
    }
    env.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
    done = subprocess.run(  # noqa: S603  (this interpreter, our own code)
        [sys.executable, "-c", _IMPORT_EACH_FIRST, *modules],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    failures: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    assert failures == {}
