"""The rules in force for a session or a call: profile < ``sdc.toml`` [rules] < each layer
(``%config SDC.*``, ``Session(...)``) < the call's own values, on the TRE policy's base.

``core.rules`` says what rule values are; ``core.policy`` what a TRE allows; this module
puts them together.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_sdc.core.policy import active_policy, base_rules
from jupyter_sdc.core.project import find_config, read_toml
from jupyter_sdc.core.rules import RuleValues


def project_rules(start: Path | str | None = None) -> dict[str, Any]:
    """The ``[rules]`` table of the nearest ``sdc.toml`` (empty when there is none)."""
    path = find_config(start)
    if path is None:
        return {}
    return dict(read_toml(path).get("rules", {}))


def resolve_rules(
    profile: str | None = None,
    project_dir: Path | str | None = None,
    layers: tuple[dict[str, Any], ...] = (),
    **overrides: Any,
) -> RuleValues:
    """Layer the rule values: profile < sdc.toml [rules] < each of ``layers`` < ``overrides``.

    Under a TRE policy the base is the policy's rules (or a profile at least as strict), and
    every layer may only make them stricter (``core.policy``)."""
    project = project_rules(project_dir)
    name = profile or project.pop("profile", None)
    project.pop("profile", None)
    rules = base_rules(name, active_policy())
    for layer in (project, *layers, overrides):
        rules = rules.replace(**layer)
    return rules
