"""Imports point down: the layers of DESIGN, read from the code's own import statements.

Every ``import`` and ``from ... import`` of the package counts, those inside functions
included (a deferred import is still a dependency); imports under ``if TYPE_CHECKING:``
do not, since they never run. The rules checked here are the ones the package keeps
today; each failure names the module and what it imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "django_talonone"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


#: Every module of the package, by dotted name.
MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    """Ids of nodes under ``if TYPE_CHECKING:``."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in {
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        }:
            for child in node.body:
                hidden.update(id(inner) for inner in ast.walk(child))
    return hidden


def imports_of(path: Path) -> Iterator[str]:
    """Absolute names of the modules ``path`` imports at run time."""
    tree = ast.parse(path.read_text(), filename=str(path))
    hidden = _type_checking_blocks(tree)
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # ``from . import x`` names submodule ``x`` (the package itself is only its
            # parent, already imported); ``from .mod import name`` names ``mod``.
            submodules = [f"{target}.{alias.name}" for alias in node.names]
            known = [name for name in submodules if name in MODULES]
            yield from known or [target]


def graph() -> dict[str, set[str]]:
    return {
        name: {target for target in imports_of(path) if target in MODULES}
        for name, path in MODULES.items()
    }


def offences(source_prefix: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for name, targets in sorted(graph().items()):
        if name == source_prefix or name.startswith(source_prefix + "."):
            found += [
                f"{name} imports {target}"
                for target in sorted(targets)
                if any(target == f or target.startswith(f + ".") for f in forbidden)
            ]
    return found


def test_the_outbox_core_imports_neither_services_nor_tasks() -> None:
    forbidden = ("django_talonone.services", "django_talonone.tasks", "django_talonone.registry")
    assert offences("django_talonone.outbox", forbidden) == []


@pytest.mark.parametrize("faces", ["django_talonone.admin", "django_talonone.api"])
def test_faces_do_not_reach_into_the_outbox_runner(faces: str) -> None:
    assert offences(faces, ("django_talonone.outbox.runner", "django_talonone.outbox.claims")) == []


def test_contrib_is_a_face_that_goes_through_the_services() -> None:
    """Ready-made framework connections use the registry and the services, never the
    outbox core, the tasks or the other faces."""
    forbidden = (
        "django_talonone.outbox",
        "django_talonone.tasks",
        "django_talonone.admin",
        "django_talonone.api",
    )
    assert offences("django_talonone.contrib", forbidden) == []
    assert any(name.startswith("django_talonone.contrib.oscar") for name in MODULES)


def test_the_signals_module_imports_nothing_of_the_app() -> None:
    assert graph()["django_talonone.signals"] == set()


@pytest.mark.parametrize("layer", ["django_talonone.client", "django_talonone.emulator"])
def test_the_client_and_the_emulator_import_no_django(layer: str) -> None:
    found = []
    for path in (PACKAGE / layer.rpartition(".")[2]).rglob("*.py"):
        found += [
            f"{module_name(path)} imports {t}"
            for t in imports_of(path)
            if t.split(".")[0] == "django"
        ]
    assert found == []


def test_the_outbox_core_is_only_reached_through_its_hooks() -> None:
    """The services' handlers and Celery's waker are installed by ``apps.ready``; the core
    names them only as types."""
    hooks = graph()["django_talonone.outbox.hooks"]
    assert not {t for t in hooks if not t.startswith("django_talonone.models")}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_cycles_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_package_has_no_import_cycle() -> None:
    """Counting imports inside functions, and a package's ``__init__`` as the package."""
    assert cycles(graph()) == []
