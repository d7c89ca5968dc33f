"""Files the action server keeps about people are readable by their owner only (0600)."""

from __future__ import annotations

import os
from pathlib import Path


def private_file(path: Path) -> None:
    """Created empty if missing, and owner-only even if an older version made it readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)
