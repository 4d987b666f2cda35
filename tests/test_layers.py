"""Dependencies point one way: data, models and training know nothing of questions; units compute; answers are a
model that never imports its views; the report renders. Read from the source with ``ast``, imports inside
functions included (Python's lazy imports would hide a cycle from a test that only imports the modules)."""

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "classlab"

# Low to high: a module imports only from its own layer or the ones below.
LAYERS = [
    {"errors", "_version", "_atomic", "_setting", "settings", "_folder", "_cpu"},
    {"data", "models", "training", "svm", "moodle"},
    {"_protocols", "_context"},
    {"_units"},
    {"_answers"},
    {"_questions"},
    {"_progress", "_executors", "_key", "_predictors", "schema"},
    {"_report"},
    {"_quiz", "_check", "_grade", "_runner", "_merge"},
    {"_api", "_cli", "__main__", ""},
]
# Beyond the layers: the report renders what the answers hold, it never reruns the work.
FORBIDDEN = {"_report": {"_units", "_executors", "_runner", "_context", "training", "data"},
             "moodle": {"_folder", "_setting", "settings", "data", "models", "training", "svm"}}  # Moodle's facts only


def modules():
    """{dotted name: path} of every module of the package."""
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_of(name, path, known):
    """The package's modules that ``name`` imports anywhere in its source."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "classlab"}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "classlab":
                continue
            found |= {f"{target}.{a.name}" if f"{target}.{a.name}" in known else target for a in node.names}
    return {m for m in found if m in known and m != name}


@pytest.fixture(scope="module")
def graph():
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def top(name):
    """The package-level part a module belongs to: classlab._report.html -> _report."""
    return name.split(".")[1] if "." in name else ""


def layer(name):
    return next(i for i, group in enumerate(LAYERS) if top(name) in group)


def test_every_module_has_a_layer(graph):
    assert [m for m in graph if not any(top(m) in g for g in LAYERS)] == []


def test_imports_point_down(graph):
    upward = [f"{m} -> {d}" for m, deps in graph.items() for d in deps if layer(d) > layer(m)]
    assert upward == []


def test_the_report_never_reruns_the_work(graph):
    bad = [f"{m} -> {d}" for m, deps in graph.items() for d in deps if top(d) in FORBIDDEN.get(top(m), ())]
    assert bad == []


def test_no_import_cycle(graph):
    """Tarjan's strongly connected components: any of more than one module is a cycle."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == []


def test_the_graph_sees_imports_inside_functions(graph):
    """The test itself: the lazy imports count (the runner imports the report inside a function)."""
    assert "classlab._report" in graph["classlab._runner"] and "classlab._report.figures" in graph["classlab._runner"]


def test_units_name_no_question():
    question_id = re.compile(r"\b[12]\.[1-8]\b")
    named = []
    for path in (SRC / "_units").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and question_id.search(node.value):
                named.append(f"{path.name}: {node.value[:60]!r}")
    assert named == []


def test_every_executor_is_an_executor():
    from classlab._executors import Executor, Processes, Ray, Serial

    assert all(isinstance(e, Executor) for e in (Serial(), Processes(2), Ray()))
