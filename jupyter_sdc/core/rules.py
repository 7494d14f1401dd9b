"""Rule values, profiles and their layering.

Later wins: profile < ``sdc.toml [rules]`` < ``%config SDC.*`` < ``Session(...)`` keywords <
arguments of one call. Every layer uses the same names (see DESIGN.md).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jupyter_sdc.core.project import find_config, read_toml

DEFAULT_PROFILE = "acro-default"
MITIGATIONS = ("suppress", "round")


def _value(default: Any, help: str, choices: tuple[str, ...] | None = None) -> Any:
    """A rule value's field: its default, the help shown by ``%config SDC`` and its choices."""
    return field(default=default, metadata={"help": help, "choices": choices})


@dataclass(frozen=True)
class RuleValues:
    """The risk appetite one check runs with (the names are the same in every layer)."""

    threshold: int = _value(10, "Minimum unweighted count per cell.")
    nk_n: int = _value(2, "n of the n,k dominance rule.")
    nk_k: float = _value(0.90, "k of the n,k dominance rule (0-1).")
    p_percent: float = _value(0.10, "p of the p% rule (0-1).")
    dof: int = _value(10, "Minimum residual degrees of freedom.")
    zeros: bool = _value(True, "Treat zero cells as disclosive.")
    missing: bool = _value(False, "Review cells with missing values.")
    class_disclosure: bool = _value(True, "Check class disclosure.")
    min_max: str = _value("fail", "Verdict for a published single-record min/max.",
                          ("fail", "review"))
    differencing: str = _value("review", "Verdict when two outputs difference to a small cell.",
                               ("review", "fail", "off"))
    round_base: int = _value(5, "Base for rounding mitigation.")
    unit: str | None = _value(None, "Column whose distinct values are the units.")
    mitigation: tuple[str, ...] = _value((), "Mitigations the profile requires (suppress, round).")
    profile: str = _value(DEFAULT_PROFILE, "Rule profile (e.g. acro-default).")

    def __post_init__(self) -> None:
        _validate(self)

    def replace(self, **changes: Any) -> RuleValues:
        """A copy with ``changes`` applied (``None`` values are ignored, except for unit)."""
        changes = {k: v for k, v in changes.items() if v is not None or k == "unit"}
        unknown = sorted(set(changes) - RULE_NAMES)
        if unknown:
            raise TypeError(
                f"unknown rule value(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(RULE_NAMES))}"
            )
        if "mitigation" in changes:
            changes["mitigation"] = _as_mitigation(changes["mitigation"])
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["mitigation"] = list(self.mitigation)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleValues:
        """The rule values a record saved (keys this version does not know are refused)."""
        values = dict(data)
        profile = values.pop("profile", DEFAULT_PROFILE)
        return cls(profile=str(profile)).replace(**values)


_FIELDS = {f.name: f for f in dataclasses.fields(RuleValues)}
RULE_NAMES = set(_FIELDS) - {"profile"}


def rule_fields() -> list[dataclasses.Field]:
    """The fields of ``RuleValues``: what every layer (``%config``, sdc.toml, calls) can set."""
    return list(_FIELDS.values())


def _as_mitigation(value: Any) -> tuple[str, ...]:
    if value in (None, False, "none", ""):
        return ()
    items = (value,) if isinstance(value, str) else tuple(value)
    bad = [m for m in items if m not in MITIGATIONS]
    if bad:
        raise ValueError(f"mitigation {bad!r} is not one of {MITIGATIONS}")
    return items


def _check(ok: bool, name: str, value: Any, expected: str) -> None:
    if not ok:
        raise ValueError(f"rule value {name}={value!r} is invalid: expected {expected}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate(r: RuleValues) -> None:
    _check(_is_int(r.threshold) and r.threshold >= 1, "threshold", r.threshold, "an integer >= 1")
    _check(_is_int(r.nk_n) and r.nk_n >= 1, "nk_n", r.nk_n, "an integer >= 1")
    _check(
        isinstance(r.nk_k, int | float) and 0 < r.nk_k <= 1, "nk_k", r.nk_k,
        "a proportion in (0, 1], e.g. 0.9",
    )
    _check(
        isinstance(r.p_percent, int | float) and 0 < r.p_percent < 1, "p_percent",
        r.p_percent, "a proportion in (0, 1), e.g. 0.1 for 10%",
    )
    _check(_is_int(r.dof) and r.dof >= 0, "dof", r.dof, "an integer >= 0")
    for name in ("zeros", "missing", "class_disclosure"):
        _check(isinstance(getattr(r, name), bool), name, getattr(r, name), "true or false")
    for name in ("min_max", "differencing"):
        choices = [f'"{c}"' for c in _FIELDS[name].metadata["choices"]]
        _check(getattr(r, name) in _FIELDS[name].metadata["choices"], name, getattr(r, name),
               f"{', '.join(choices[:-1])} or {choices[-1]}")
    _check(_is_int(r.round_base) and r.round_base >= 1, "round_base", r.round_base,
           "an integer >= 1")
    _check(r.unit is None or isinstance(r.unit, str), "unit", r.unit, "a column name or None")
    object.__setattr__(r, "mitigation", _as_mitigation(r.mitigation))


def available_profiles() -> list[str]:
    folder = resources.files("jupyter_sdc.profiles")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_profile(name: str | Path) -> RuleValues:
    """A shipped profile by name, or a profile TOML file by path."""
    path = Path(name)
    if path.suffix == ".toml" and path.is_file():
        data = read_toml(path)
    else:
        if str(name) not in available_profiles():
            raise ValueError(
                f"unknown profile {str(name)!r}: choose one of {', '.join(available_profiles())}"
                " or give the path of a profile .toml file"
            )
        text = resources.files("jupyter_sdc.profiles").joinpath(f"{name}.toml").read_bytes()
        import tomllib

        data = tomllib.loads(text.decode("utf-8"))
    values = dict(data.get("rules", {}))
    return RuleValues(profile=str(data.get("name", name))).replace(**values)


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
    """Layer the rule values: profile < sdc.toml [rules] < each of ``layers`` < ``overrides``."""
    project = project_rules(project_dir)
    name = profile or project.pop("profile", None) or DEFAULT_PROFILE
    project.pop("profile", None)
    rules = load_profile(name)
    for layer in (project, *layers, overrides):
        rules = rules.replace(**layer)
    return rules
