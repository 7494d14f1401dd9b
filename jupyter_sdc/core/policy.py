"""The TRE's policy: rule values that a project, ``%config``, a Session or a call can only
make stricter.

A TRE administrator writes ``jupyter_sdc_policy.toml``, with a ``[rules]`` table in the form
of ``sdc.toml``'s (a ``profile`` and values on top of it) and optionally
``[export] allowed_sdc_folders = [...]``. It is read from the system and environment Jupyter
config directories (jupyter_core's ``SYSTEM_CONFIG_PATH`` and ``ENV_CONFIG_PATH``, never the
user's ``~/.jupyter``) and from the path in ``JUPYTER_SDC_POLICY``; when several are found,
each applies (their strictest). A policy file that the user running the kernel could change
is refused loudly (``PolicyError``), since it would then be the user's policy, not the TRE's:

- a kernel run by an ordinary user refuses a file it owns (it could change the file's mode),
  a file it may write to (mode bits or ACLs, asked of the system with ``os.access``) and a
  file in a folder it may write to (it could replace the file);
- a kernel run by root can change any file whatever its mode, so the policy cannot bind it;
  the file must at least carry no write permission at all (``chmod 444``), which tells an
  administrator's intent apart from a file anyone set up in passing.

"Stricter", value by value: ``threshold``, ``p_percent``, ``dof`` higher; ``nk`` pairs that
cover the policy's (each policy pair (n, k) met by a pair with n' >= n and k' <= k, which fails
every cell the policy's pair fails); ``nk_strict`` off; ``zeros``, ``missing``,
``class_disclosure`` on; ``min_max`` fail > review; ``differencing`` fail > review > off; the
policy's mitigations kept, and its rounding base kept (a multiple of it only where the policy
sets ``round_larger``). ``unit`` is the project's choice and is recorded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_sdc.core.rules import (
    DEFAULT_PROFILE,
    MITIGATIONS,
    RULE_NAMES,
    RuleValues,
    load_profile,
)

POLICY_NAME = "jupyter_sdc_policy.toml"
POLICY_ENV = "JUPYTER_SDC_POLICY"
#: rule values where a larger number is stricter
HIGHER = ("threshold", "p_percent", "dof")
#: rule values where on is stricter
ON = ("zeros", "missing", "class_disclosure")
#: rule values with choices, from the least to the most strict
ORDER = {"min_max": ("review", "fail"), "differencing": ("off", "review", "fail")}
_TOP_KEYS = ("name", "description", "rules", "export")
_EXPORT_KEYS = ("allowed_sdc_folders",)


class PolicyError(ValueError):
    """The TRE policy refuses a value, or cannot be trusted or read; the message says what
    to fix."""


# -- stricter, value by value -------------------------------------------------------------------
@dataclass(frozen=True)
class Weaker:
    """One rule value weaker than its floor."""

    name: str
    value: Any
    floor: Any

    def refusal(self) -> str:
        """``threshold = 2 is weaker than the TRE policy's 10``"""
        return f"{self.name} = {show(self.value)} is weaker than the TRE policy's " \
               f"{show(self.floor)}"

    def judged(self, who: str) -> str:
        """``threshold 5; the project requires 10`` (the gate's note)."""
        if isinstance(self.value, bool):
            return f"{self.name} {_on(self.value)}; {who} requires {self.name} {_on(self.floor)}"
        if isinstance(self.value, int | float):
            return f"{self.name} {self.value:g}; {who} requires {self.floor:g}"
        return f"{self.name} {show(self.value)}; {who} requires {show(self.floor)}"


def _on(value: bool) -> str:
    return "on" if value else "off"


def show(value: Any) -> str:
    """A rule value as sdc.toml writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def covers(pairs: tuple[tuple[int, float], ...], floor: tuple[tuple[int, float], ...]) -> bool:
    """Whether the nk ``pairs`` fail every cell the ``floor`` pairs fail."""
    return all(any(n2 >= n and k2 <= k for n2, k2 in pairs) for n, k in floor)


def base_ok(rules: RuleValues, floor: RuleValues) -> bool:
    """Whether ``rules`` round as ``floor`` requires (its base, or a multiple where allowed)."""
    if "round" not in floor.mitigation or rules.round_base == floor.round_base:
        return True
    return floor.round_larger and rules.round_base % floor.round_base == 0


def weaker(rules: RuleValues, floor: RuleValues) -> list[Weaker]:
    """The values of ``rules`` weaker than ``floor``'s (empty: at least as strict)."""
    found = [Weaker(name, getattr(rules, name), getattr(floor, name)) for name in HIGHER
             if getattr(rules, name) < getattr(floor, name)]
    if not covers(rules.nk, floor.nk):
        found.append(Weaker("nk", rules.nk, floor.nk))
    if rules.nk_strict and not floor.nk_strict:
        found.append(Weaker("nk_strict", True, False))
    found += [Weaker(name, False, True) for name in ON
              if getattr(floor, name) and not getattr(rules, name)]
    found += [Weaker(name, getattr(rules, name), getattr(floor, name))
              for name, order in ORDER.items()
              if order.index(getattr(rules, name)) < order.index(getattr(floor, name))]
    if any(m not in rules.mitigation for m in floor.mitigation):
        found.append(Weaker("mitigation", rules.mitigation, floor.mitigation))
    if "round" in rules.mitigation and not base_ok(rules, floor):
        found.append(Weaker("round_base", rules.round_base, floor.round_base))
    return found


def strictest(rules: RuleValues, floor: RuleValues) -> RuleValues:
    """``rules`` made at least as strict as ``floor``, value by value (``rules``' unit and
    profile kept)."""
    changes: dict[str, Any] = {name: max(getattr(rules, name), getattr(floor, name))
                               for name in HIGHER}
    if not covers(rules.nk, floor.nk):
        changes["nk"] = _prune(rules.nk + floor.nk)
    changes["nk_strict"] = rules.nk_strict and floor.nk_strict
    changes.update({name: getattr(rules, name) or getattr(floor, name) for name in ON})
    for name, order in ORDER.items():
        changes[name] = max(getattr(rules, name), getattr(floor, name), key=order.index)
    wanted = set(rules.mitigation) | set(floor.mitigation)
    changes["mitigation"] = tuple(m for m in MITIGATIONS if m in wanted)
    if not base_ok(rules, floor):
        changes["round_base"] = floor.round_base
    return rules.replace(**changes)


def _prune(pairs: tuple[tuple[int, float], ...]) -> tuple[tuple[int, float], ...]:
    """The pairs that no other pair covers."""
    unique = sorted(set(pairs))
    return tuple(p for p in unique if not any(q != p and covers((q,), (p,)) for q in unique))


# -- the policy -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PolicySource:
    """One policy file as read: where, the sha256 of its bytes, and what it says."""

    path: Path
    sha256: str
    data: dict[str, Any]

    def identity(self) -> dict[str, Any]:
        return {"path": str(self.path), "sha256": self.sha256,
                "name": self.data.get("name"), "values": dict(self.data.get("rules", {})),
                "export": dict(self.data.get("export", {}))}


@dataclass(frozen=True)
class Policy:
    """The TRE's floors: the strictest of the policy files found."""

    sources: tuple[PolicySource, ...]
    rules: RuleValues
    allowed_sdc_folders: tuple[Path, ...] = ()

    @property
    def where(self) -> str:
        return ", ".join(str(source.path) for source in self.sources)

    def refuse_weaker(self, rules: RuleValues) -> None:
        """Raise ``PolicyError`` naming every value of ``rules`` weaker than the policy's."""
        found = weaker(rules, self.rules)
        if found:
            raise PolicyError(
                "; ".join(w.refusal() for w in found) + f" ({self.where}). A project, "
                "%config, a Session and a call can only make the TRE policy's rules stricter.")

    def base(self, profile: str | Path | None) -> RuleValues:
        """The rules a session starts from: the policy's, or a profile at least as strict."""
        if profile is None or str(profile) == self.rules.profile:
            return dataclasses.replace(self.rules, policy=self)
        named = load_profile(profile)
        found = weaker(named, self.rules)
        if found:
            raise PolicyError(
                f"profile {str(profile)!r} is weaker than the TRE policy ({self.where}): "
                + "; ".join(w.refusal() for w in found)
                + f". Name a profile at least as strict, or leave profile out to use the "
                f"policy's ({self.rules.profile}).")
        return dataclasses.replace(named, policy=self)

    def identity(self) -> dict[str, Any]:
        """What ``rules_applied.json`` records of the policy: each file's path, sha256 and
        values, the floors they make, and the SDC folders allowed outside a project."""
        return {"files": [source.identity() for source in self.sources],
                "rules": self.rules.to_dict(),
                "allowed_sdc_folders": [str(p) for p in self.allowed_sdc_folders]}


def base_rules(profile: str | Path | None, policy: Policy | None) -> RuleValues:
    """The rules a session starts from: ``profile`` (or the default), under ``policy``."""
    if policy is None:
        return load_profile(profile or DEFAULT_PROFILE)
    return policy.base(profile)


def config_dirs() -> list[Path]:
    """The system and environment Jupyter config directories (never the user's)."""
    from jupyter_core import paths

    return [Path(p) for p in dict.fromkeys([*paths.ENV_CONFIG_PATH, *paths.SYSTEM_CONFIG_PATH])]


def policy_files() -> list[Path]:
    """The policy files that apply: ``JUPYTER_SDC_POLICY``'s, then those in the config
    directories (a named file that does not exist is refused)."""
    found: list[Path] = []
    named = os.environ.get(POLICY_ENV, "").strip()
    if named:
        path = Path(named)
        if not path.is_file():
            raise PolicyError(
                f"{POLICY_ENV} names {path}, which is not a file: ask your TRE administrator "
                f"for the policy's path, or unset {POLICY_ENV}.")
        found.append(path)
    found += [folder / POLICY_NAME for folder in config_dirs()
              if (folder / POLICY_NAME).exists()]
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def active_policy() -> Policy | None:
    """The TRE policy in force, or None when no policy file is found."""
    files = policy_files()
    return load_policy(files) if files else None


def policy_identity() -> dict[str, Any] | None:
    """The policy in force as ``rules_applied.json`` records it (None: no policy)."""
    policy = active_policy()
    return None if policy is None else policy.identity()


def load_policy(files: list[Path]) -> Policy:
    """The policy made by ``files`` (each must be one the user cannot change)."""
    sources = [read_source(path) for path in files]
    floors = [_floor(source) for source in sources]
    rules = floors[0]
    for other in floors[1:]:
        rules = strictest(rules, other)
    folders = tuple(Path(p) for source in sources
                    for p in source.data.get("export", {}).get("allowed_sdc_folders", []))
    return Policy(sources=tuple(sources), rules=rules, allowed_sdc_folders=folders)


def read_source(path: Path) -> PolicySource:
    """One policy file, refused when the user running the kernel could change it."""
    why = writable(path)
    if why:
        raise PolicyError(
            f"The TRE policy {path} is not protected: {why}. jupyter_sdc will not use a policy "
            "the user running the kernel can change. A TRE administrator must make it "
            "read-only for that user: owned by another account (e.g. root), not writable by "
            "the user, and in a folder the user cannot write to (e.g. `chown root:root "
            f"{path} && chmod 444 {path}`).")
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise PolicyError(f"The TRE policy {path} is not valid TOML ({err}): ask your TRE "
                          "administrator to fix it.") from None
    _check_keys(path, data)
    return PolicySource(path=path, sha256=hashlib.sha256(raw).hexdigest(), data=data)


def _check_keys(path: Path, data: dict[str, Any]) -> None:
    def refuse(what: str) -> None:
        raise PolicyError(f"The TRE policy {path}: {what}. Ask your TRE administrator to fix "
                          "it.")

    unknown = sorted(set(data) - set(_TOP_KEYS))
    if unknown:
        refuse(f"unknown key {unknown[0]!r} (known: {', '.join(_TOP_KEYS)})")
    if not isinstance(data.get("rules"), dict):
        refuse("it has no [rules] table (write one, even if empty, in the form of sdc.toml's)")
    values = set(data["rules"]) - {"profile"}
    if "unit" in values:
        refuse("unit is the project's choice, not the policy's: remove rules.unit")
    if values - RULE_NAMES:
        refuse(f"unknown rule value rules.{sorted(values - RULE_NAMES)[0]} "
               f"(known: profile, {', '.join(sorted(RULE_NAMES - {'unit'}))})")
    export = data.get("export", {})
    if not isinstance(export, dict) or set(export) - set(_EXPORT_KEYS):
        refuse(f"[export] may only hold {', '.join(_EXPORT_KEYS)}")
    folders = export.get("allowed_sdc_folders", [])
    if not isinstance(folders, list) or not all(
            isinstance(p, str) and Path(p).is_absolute() for p in folders):
        refuse("export.allowed_sdc_folders must be a list of absolute folder paths")


def _floor(source: PolicySource) -> RuleValues:
    values = dict(source.data["rules"])
    profile = values.pop("profile", None) or DEFAULT_PROFILE
    try:
        return load_profile(profile).replace(**values)
    except (ValueError, TypeError) as err:
        raise PolicyError(f"The TRE policy {source.path}: {err}. Ask your TRE administrator "
                          "to fix it.") from None


# -- who may change the file ------------------------------------------------------------------
def writable(path: Path) -> str | None:
    """Why the user running this kernel could change the policy at ``path`` (None: cannot)."""
    target = path.resolve()
    info = target.stat()
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file"
    uid = euid()
    if uid == 0:
        if info.st_mode & 0o222:
            return ("the kernel runs as root, which can change any file, and the file has write "
                    "permission (make it chmod 444)")
        return None
    if uid is not None and info.st_uid == uid:
        return "it belongs to this user, who can change its permissions"
    if may_write(target):
        return "this user may write to it"
    for folder in dict.fromkeys((path.parent, target.parent)):
        if may_write(folder):
            return f"this user may write to its folder {folder}, so could replace it"
    return None


def euid() -> int | None:
    """The effective user id of this process (None where the system has none)."""
    return os.geteuid() if hasattr(os, "geteuid") else None


def may_write(path: Path) -> bool:
    """Whether this process may write to ``path`` (mode bits and ACLs, as the system says)."""
    effective = os.access in os.supports_effective_ids
    return os.access(path, os.W_OK, effective_ids=effective)
