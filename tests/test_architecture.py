"""What import-linter (`make lint`) cannot say about the apps' boundaries."""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
# the apps of the layers (config, the project's settings and URLs, sits on top of them all)
APPS = tuple(name for name in CONTRACT["root_packages"] if name != "config")


def _modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield app, path


def test_no_app_imports_another_apps_private_names():
    """An app uses another through its public services, selectors and signals, never through
    its private helpers (`_lock`, `_record`, ...)."""
    found = []
    for app, path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                other = node.module.split(".")[0]
                if other in APPS and other != app:
                    found += [
                        f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{alias.name}"
                        for alias in node.names
                        if alias.name.startswith("_")
                    ]
    assert not found, "\n".join(found)


def test_every_app_of_the_layers_is_installed_and_checked():
    """A new app joins the import contract (pyproject.toml) and INSTALLED_APPS."""
    from django.conf import settings

    apps_here = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps_here == set(APPS)
    assert set(APPS) <= set(settings.INSTALLED_APPS)


def test_no_app_holds_a_third_of_the_code():
    """One domain per app: the largest app stays well under a third of the code (lines of
    Python outside migrations), so the next feature has somewhere better to go."""
    lines: dict[str, int] = {}
    for app, path in _modules():
        lines[app] = lines.get(app, 0) + len(path.read_text(encoding="utf-8").splitlines())
    largest = max(lines, key=lines.__getitem__)
    assert lines[largest] < sum(lines.values()) * 0.3, (largest, lines)
