"""The repository's own contracts: dependency lists agree, the README's commands exist."""

import ast
import re
import subprocess
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
    # unit: packages it may import (beyond the standard library and its own lower layers)
    "special": {"numpy"},
    "finite_diff": {"numpy", "pandas"},  # pandas only inside to_frame
    "inputs": {"numpy"},
    "model": {"numpy"},
    "taylor": {"numpy"},
    "gradcheck": {"numpy", "pandas"},
    "settings": set(),
    "state": set(),
    "sampler": {"numpy"},
    "looks": set(),
    "results": {"numpy", "pandas"},
    "teaching": {"numpy"},
    "canvas": {"numpy", "matplotlib"},
    "figures": {"numpy", "matplotlib", "seaborn"},
    "app.clock": set(),
    "app.controller": set(),
    "canvas.frames": {"anywidget"},
    "canvas.widget": {"anywidget", "ipywidgets", "traitlets", "matplotlib"},
}
ORDER = [
    "special", "finite_diff", "inputs", "model", "taylor", "gradcheck", "settings", "state",
    "looks",
    "sampler", "results", "teaching", "canvas", "figures", "app.clock", "app.controller",
    "canvas.frames", "canvas.widget", "app",
    "serving.kernel_page", "serving.kernel", "serving.zygote", "serving.provisioner",
    "serving.voila_fixes", "serving.classroom", "serving.voila_app", "serving.jupyter_proxy",
    "serving.cli",
]  # fmt: skip
PACKAGE = ROOT / "softmax_explorer"
#: The package root holds the library and the state only (with `special`, a package of the
#: library); the rest lives in subpackages named for what they need.
ROOT_MODULES = {
    "__init__", "__main__", "finite_diff", "inputs", "model", "taylor", "gradcheck", "settings",
    "state", "looks", "sampler", "results",
}  # fmt: skip


def _unit(parts: list[str]) -> str:
    """The layer a module belongs to: the longest entry of `ORDER` its dotted name starts with."""
    name = ".".join(parts)
    found = [unit for unit in ORDER if name == unit or name.startswith(unit + ".")]
    return max(found, key=len) if found else parts[0]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            prefix = ("." * node.level) + (node.module or "")
            if node.module is None:  # from . import kernel: the modules named
                names |= {prefix + alias.name for alias in node.names}
            else:
                names.add(prefix)
    return names


def _package_imports(path: Path) -> tuple[str, set[str], set[str]]:
    """``(unit, units it imports, third-party packages it imports)`` of one module."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    package = parts[:-1]  # what a relative import's first dot names
    if parts[-1] == "__init__" and package:
        parts = package  # a package's __init__ is the package
    units, packages = set(), set()
    for name in _imports(path):
        if name.startswith("."):
            level = len(name) - len(name.lstrip("."))
            target = package[: len(package) - level + 1]
            target += [p for p in name.lstrip(".").split(".") if p]
            if target:
                units.add(_unit(target))
        else:
            packages.add(name.split(".")[0])
    return _unit(parts), units, packages


def test_the_package_root_holds_the_library_and_the_state_only():
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules == ROOT_MODULES
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == {
        "special", "app", "canvas", "figures", "serving", "teaching",
    }  # fmt: skip


def test_layers_import_only_downwards():
    stdlib = sys.stdlib_module_names
    checked = set()
    for path in PACKAGE.rglob("*.py"):
        unit, units, packages = _package_imports(path)
        if unit not in ORDER:
            continue
        checked.add(unit)
        for target in units - {unit}:
            assert ORDER.index(target) < ORDER.index(unit), f"{path.name} ({unit}) imports {target}"
        if unit in LAYERS:
            extra = packages - stdlib - LAYERS[unit] - {"__future__"}
            assert not extra, f"{path.name} ({unit}) imports {extra}"
    assert checked == set(ORDER)


def test_every_imported_package_is_a_declared_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r).replace("-", "_") for r in project["dependencies"]}
    imported = set()
    for path in PACKAGE.rglob("*.py"):
        imported |= _package_imports(path)[2] - set(sys.stdlib_module_names) - {"__future__"}
    assert imported <= declared, imported - declared


def test_the_numerics_import_and_run_without_plotting_widgets_or_pandas():
    code = (
        "import sys, numpy as np, softmax_explorer as se;"
        "se.gradcheck([1.0, 4.0], [0.3, 0.1]); se.softmax([1.0, 2.0], [1.0, 1.0]);"
        "bad = [m for m in ('seaborn', 'pandas', 'matplotlib', 'ipywidgets', 'anywidget')"
        " if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_deployments_land_on_the_proxied_app():
    """deploy/jupyterhub's hub config and Helm values open the proxy entry's PATH."""
    from softmax_explorer.serving.jupyter_proxy import PATH

    deploy = ROOT / "deploy" / "jupyterhub"
    values = yaml.safe_load((deploy / "values.yaml").read_text())
    assert values["singleuser"]["defaultUrl"] == f"/{PATH}"
    assert f'c.Spawner.default_url = "/{PATH}"' in (deploy / "jupyterhub_config.py").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    servers = project["entry-points"]["jupyter_serverproxy_servers"]
    assert servers == {"softmax": "softmax_explorer.serving.jupyter_proxy:server"}


def test_the_readme_names_every_preset_and_shipped_lesson():
    from softmax_explorer.state import PRESETS
    from softmax_explorer.teaching.lesson import LESSONS

    readme = (ROOT / "README.md").read_text()
    presets = readme[readme.index("Presets:") :].split("\n\n", 1)[0]
    assert re.findall(r"`(\w+)`", presets) == list(PRESETS)
    for name in LESSONS:
        assert f"`{name}`" in readme
