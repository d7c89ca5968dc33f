"""Every process's settings, read from the environment (and `.env`), one class per service.

`settings.bot` serves the gateway, the supervisor and the Rasa-side connectors;
`settings.actions` the action server. `python -m settings.docs` writes `.env.example` and the
README's table from both. This package imports nothing else of the project, so every process
can read its settings without loading another's code.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import SecretStr

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Values copied from examples and templates rather than real secrets.
_PLACEHOLDER_WORDS = ("change", "placeholder", "example", "your", "xxx", "dummy", "secret")


def is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return bool(value) and (len(value) < 12 or any(w in lowered for w in _PLACEHOLDER_WORDS))


def refuse_placeholders(values: dict, names: Iterable[str]) -> None:
    """Outside development a secret that looks like an example value stops the start."""
    for name in names:
        value = values[name]
        secret = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(secret, str) and is_placeholder(secret):
            raise ValueError(f"{name.upper()} is a placeholder; set the real secret")
