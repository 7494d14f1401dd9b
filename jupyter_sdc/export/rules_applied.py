"""``rules_applied.json``: every disclosure-control criterion a request was judged by.

The SATRE specification (3.3.09) asks a TRE to keep, for each release, a machine-readable
record of the criteria applied: the profile and its version, every rule value and mitigation
(per output: outputs of one request may be judged under different rules), the TRE policy in
force (each file's name and sha256, never its path), and the versions of the tool and of the
libraries that computed the statistics. It lives inside the request; ``results.json`` links
it from its top-level key ``rules_applied``.
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from importlib import metadata
from pathlib import PurePath
from typing import Any

from jupyter_sdc._version import __version__
from jupyter_sdc.core.policy import active_policy, policy_identity, strictest, weaker
from jupyter_sdc.core.rules import RuleValues, rules_applied

RULES_APPLIED = "rules_applied.json"
#: the libraries whose results jupyter_sdc judges or writes, reported when installed
DEPENDENCIES = ("pandas", "numpy", "statsmodels", "matplotlib", "seaborn", "lifelines",
                "polars", "duckdb", "pyspark", "python-docx", "Pillow")


def versions() -> dict[str, str]:
    """Installed versions of :data:`DEPENDENCIES` (those not installed are left out)."""
    found = {}
    for name in DEPENDENCIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def policy_record() -> dict[str, Any] | None:
    """The TRE policy as released: file names and digests, rule values; no machine paths
    (neither the files' nor the SDC folders the policy allows)."""
    identity = policy_identity()
    if identity is None:
        return None
    files = [dict({k: v for k, v in f.items() if k not in ("path", "export")},
                  file=PurePath(f["path"]).name) for f in identity["files"]]
    return {"files": files, "rules": identity["rules"]}


def rules_applied_document(records: Sequence[dict], required: RuleValues) -> dict[str, Any]:
    """The ``rules_applied.json`` of a request whose published records are ``records``;
    ``required``: the rules the project requires now. An output checked under weaker rules
    was judged again at export under the strictest of those and the TRE policy's: it says so,
    naming the values, under ``judged_again_under``."""
    policy = active_policy()
    strict = required if policy is None else strictest(required, policy.rules)
    return {
        "tool": {"name": "jupyter_sdc", "version": __version__,
                 "python": platform.python_version(), "dependencies": versions()},
        "policy": policy_record(),
        "project": rules_applied(required.to_dict()),
        "outputs": [_output(r, strict) for r in records],
    }


def _output(record: dict, strict: RuleValues) -> dict[str, Any]:
    entry = {"uid": record["uid"], "label": record.get("label"),
             **rules_applied(record["rules"])}
    stricter = [w.name for w in weaker(RuleValues.from_dict(record["rules"]), strict)]
    if stricter:
        entry["judged_again_under"] = {"stricter": stricter,
                                       "values": rules_applied(strict.to_dict())["values"]}
    return entry
