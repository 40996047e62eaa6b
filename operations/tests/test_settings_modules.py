"""mall/settings.py takes each topic's settings from mall/conf/<topic>.py with `import *`:
every setting a topic module defines reaches django.conf.settings unchanged, and no name is
defined in two places (one would silently replace the other)."""

import ast
import importlib
from pathlib import Path

from django.conf import settings

CONF = Path(__file__).resolve().parents[2] / "mall" / "conf"
TOPICS = sorted(p.stem for p in CONF.glob("*.py") if p.stem not in {"__init__", "env"})


def assigned_names(path: Path) -> set[str]:
    """Upper-case names a module assigns outside functions (what Django takes as settings)."""
    tree = ast.parse(path.read_text())
    return {
        name.id
        for node in tree.body
        if not isinstance(node, ast.FunctionDef)
        for name in ast.walk(node)
        if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store) and name.id.isupper()
    }


def test_every_topic_setting_reaches_django_settings():
    assert TOPICS == ["audit_invites", "auth", "deals", "funds", "integrations", "limits", "ops", "payments", "search"]
    for topic in TOPICS:
        module = importlib.import_module(f"mall.conf.{topic}")
        assert sorted(module.__all__) == sorted(assigned_names(CONF / f"{topic}.py")), topic
        for name in module.__all__:
            assert getattr(settings, name) == getattr(module, name), f"{topic}.{name}"


def test_no_setting_is_defined_in_two_places():
    places: dict[str, list[str]] = {}
    for path in [CONF.parent / "settings.py", *(CONF / f"{topic}.py" for topic in TOPICS)]:
        for name in assigned_names(path):
            places.setdefault(name, []).append(path.name)
    assert {name: where for name, where in places.items() if len(where) > 1} == {}
    # A few by hand: where the docs say they live.
    assert "JWT_REFRESH_TTL_SECONDS" in assigned_names(CONF / "auth.py")
    assert "RATE_LIMITS" in assigned_names(CONF / "limits.py")
    assert "DATABASES" in assigned_names(CONF.parent / "settings.py")
