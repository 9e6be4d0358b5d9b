"""The repository's own contracts: dependency lists agree, the README's commands exist."""

import ast
import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_runtime_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == runtime
    pip_lines = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert any(line.strip() in ("-e .", ".") for line in pip_lines)


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    head = readme[:1500]
    assert "make run" in head
    assert "make test" in head
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\s*(exec\s+)?make test\b", ci, re.MULTILINE)
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test:", makefile, re.MULTILINE)
    assert re.search(r"^run:", makefile, re.MULTILINE)


LAYERS = {
    # module: packages it may import (beyond the standard library and its own lower layers)
    "special": {"numpy"},
    "finite_diff": {"numpy"},
    "model": {"numpy"},
    "gradcheck": {"numpy"},
    "state": set(),
    "results": {"numpy"},
    "display_list": {"numpy", "matplotlib"},
    "figures": {"numpy", "matplotlib"},
    "panel_canvas": {"anywidget", "ipywidgets", "traitlets", "matplotlib"},
}
ORDER = [
    "special", "finite_diff", "model", "gradcheck", "state", "results", "display_list",
    "figures", "panel_canvas", "app", "cli",
]  # fmt: skip


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(("." * node.level) + (node.module or ""))
    return names


def test_layers_import_only_downwards():
    package = ROOT / "softmax_explorer"
    stdlib = sys.stdlib_module_names
    for module, allowed in LAYERS.items():
        for name in _imports(package / f"{module}.py"):
            if name.startswith("."):
                target = name.lstrip(".").split(".")[0]
                assert ORDER.index(target) < ORDER.index(module), f"{module} imports {name}"
            else:
                top = name.split(".")[0]
                assert top in stdlib or top in allowed or top == "__future__", (
                    f"{module} imports {name}"
                )


def test_every_imported_package_is_a_declared_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r).replace("-", "_") for r in project["dependencies"]}
    imported = set()
    for path in (ROOT / "softmax_explorer").rglob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if top and top not in sys.stdlib_module_names and top != "__future__":
                imported.add(top)
    assert imported <= declared, imported - declared
