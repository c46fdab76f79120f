"""No upward import: an app imports only ``core`` and the apps below it in the domain order
(core.layers.DOMAIN_ORDER), at module level or inside a function alike."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

from core.layers import DOMAIN_ORDER

SRC = Path(settings.BASE_DIR) / "src"
RANK = {app: position for position, app in enumerate(DOMAIN_ORDER)}


def imported_apps(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found & set(RANK)


def upward_imports() -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        app = relative.parts[0]
        if app not in RANK or "migrations" in relative.parts:
            continue
        for other in imported_apps(path):
            if RANK[other] > RANK[app]:
                found.add((app, other, f"src/{relative.as_posix()}"))
    return found


def test_every_project_app_has_its_place_in_the_domain_order() -> None:
    project_apps = {config.name for config in apps.get_app_configs() if (SRC / config.name).is_dir()}
    assert project_apps | {"aftersales"} == set(DOMAIN_ORDER)


def test_no_app_imports_an_app_above_it() -> None:
    # A lower app that needs something from above offers an extension point instead: hooks and
    # panels (workorders.hooks, workorders.panels, core.panels) or API fields (core.api_extensions).
    assert sorted(upward_imports()) == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from dispatch.services import appointment_book\n", encoding="utf-8")
    assert imported_apps(module) == {"dispatch"}


def template_library_apps() -> dict[str, str]:
    """Each template tag library by its ``{% load %}`` name, with the app that defines it."""
    return {
        path.stem: path.relative_to(SRC).parts[0]
        for path in SRC.glob("*/templatetags/*.py")
        if path.stem != "__init__" and path.relative_to(SRC).parts[0] in RANK
    }


TEMPLATE_REFERENCE = re.compile(r"{%\s*(load|include|extends)\s+([^%]+?)\s*%}")


def upward_template_references() -> set[tuple[str, str, str]]:
    """A lower app's template that loads an upper app's tags or includes its templates by name is
    an upward dependency too (the portal's order page once loaded follow-up's survey tag)."""
    libraries = template_library_apps()
    found: set[tuple[str, str, str]] = set()
    for path in sorted(SRC.glob("*/templates/**/*.html")):
        app = path.relative_to(SRC).parts[0]
        if app not in RANK:
            continue
        for tag, argument in TEMPLATE_REFERENCE.findall(path.read_text(encoding="utf-8")):
            if tag == "load":
                others = {libraries[name] for name in argument.split() if name in libraries}
            else:
                literal = re.match(r"""["']([a-z_]+)/""", argument)
                others = {literal.group(1)} if literal and literal.group(1) in RANK else set()
            for other in others:
                if RANK[other] > RANK[app]:
                    found.add((app, other, f"src/{path.relative_to(SRC).as_posix()}"))
    return found


def test_no_app_template_uses_an_app_above_it() -> None:
    # An upper app's button or card on a lower page is a core.panels panel it registers.
    assert sorted(upward_template_references()) == []
