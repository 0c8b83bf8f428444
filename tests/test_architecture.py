"""What import-linter (`make lint`) cannot say about the apps' boundaries."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "core",
    "organisation",
    "notifications",
    "incidents",
    "alerts",
    "accountability",
    "dashboards",
)


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
    import tomllib

    from django.conf import settings

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert set(APPS) <= set(contract["root_packages"])
    assert set(APPS) <= set(settings.INSTALLED_APPS)
