"""Reading the environment, and the values every part of the settings depends on."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Writable files (the demo's SQLite database, collected static files, private uploads).
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# Defined here and read by the topic modules; mall/settings.py exports them once.
shared_names = frozenset({"BASE_DIR", "VAR_DIR", "DEBUG"})


def settings_of(namespace: dict) -> list[str]:
    """A topic module's `__all__`: its upper-case names (what Django takes as settings), less shared_names."""
    return [name for name in namespace if name.isupper() and name not in shared_names]
