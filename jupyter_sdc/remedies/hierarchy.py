"""Researcher-given hierarchies of nominal variables: ``[hierarchies]`` in ``sdc.toml``.

```toml
[hierarchies.region]          # variable name
"North East" = "England"      # level = the group it belongs to
Wales = "Wales"
```
A sparse level is then merged with its siblings, or rolled up into its group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_sdc.core.project import find_config, read_toml


def hierarchies(start: Path | str | None = None) -> dict[str, dict[Any, Any]]:
    """``{variable: {level: group}}`` from the nearest sdc.toml (empty without one)."""
    path = find_config(start)
    if path is None:
        return {}
    try:
        found = read_toml(path).get("hierarchies") or {}
    except (OSError, ValueError):
        return {}  # a broken sdc.toml is the export's to report
    return {str(name): dict(levels) for name, levels in found.items()
            if isinstance(levels, dict)}
