"""Rule values, profiles and their layering.

Later wins: profile < ``sdc.toml [rules]`` < ``%config SDC.*`` < ``Session(...)`` keywords <
arguments of one call. Every layer uses the same names (see DESIGN.md). Under a TRE policy
(``core.policy``) the base is the policy's rules, and a layer may only make them stricter.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jupyter_sdc.core.project import read_toml

DEFAULT_PROFILE = "acro-default"
#: mitigations a profile may require, in the order they apply: suppress the cells that fail,
#: round the other counts to ``round_base``; ``midpoint6`` is for the counts of rates and
#: survival tables only (``core.mitigation.midpoint6``)
MITIGATIONS = ("suppress", "round", "midpoint6")
_DEFAULT_NK = ((2, 0.90),)


def _value(default: Any, help: str, choices: tuple[str, ...] | None = None) -> Any:
    """A rule value's field: its default, the help shown by ``%config SDC`` and its choices."""
    return field(default=default, metadata={"help": help, "choices": choices})


def _about(default: Any = None) -> Any:
    """A field that says where the values came from: not a rule value (no layer sets it)."""
    return field(default=default, compare=False, repr=False, metadata={"rule": False})


@dataclass(frozen=True)
class RuleValues:
    """The risk appetite one check runs with (the names are the same in every layer).

    Under a TRE policy (``core.policy``) the values carry it, and a copy that is weaker than
    the policy in any value is refused: layers can only make rules stricter.
    """

    threshold: int = _value(10, "Minimum unweighted count per cell.")
    nk: tuple[tuple[int, float], ...] = _value(
        _DEFAULT_NK, "Pairs [n, k] of the n,k dominance rule: a cell fails when its n largest "
        "contributions make up k or more of its total, e.g. [[1, 0.5], [2, 0.67]].")
    nk_n: int = _value(2, "n of a single n,k pair (shorthand: nk = [[nk_n, nk_k]]).")
    nk_k: float = _value(0.90, "k of a single n,k pair, 0-1 (shorthand: nk = [[nk_n, nk_k]]).")
    nk_strict: bool = _value(False, "Fail the n,k rule only when the share exceeds k (> k), "
                                    "not when it equals k (>= k).")
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
    round_larger: bool = _value(False, "Under a TRE policy: let a project round to a multiple "
                                       "of round_base (e.g. 10 for 5) instead of the base itself.")
    unit: str | None = _value(None, "Column whose distinct values are the units.")
    mitigation: tuple[str, ...] = _value(
        (), "Mitigations the profile requires, in order (suppress, round, midpoint6).")
    profile: str = _value(DEFAULT_PROFILE, "Rule profile (e.g. acro-default).")
    #: the version of the profile file these values start from
    profile_version: str | None = _about()
    #: the TRE policy these values must stay at least as strict as (``core.policy.Policy``)
    policy: Any = _about()

    def __post_init__(self) -> None:
        _validate(self)
        if self.policy is not None:
            self.policy.refuse_weaker(self)

    def replace(self, **changes: Any) -> RuleValues:
        """A copy with ``changes`` applied (``None`` values are ignored, except for unit).

        ``nk_n``/``nk_k`` are the one-pair shorthand: a change of either means that one pair.
        """
        changes = {k: v for k, v in changes.items() if v is not None or k == "unit"}
        unknown = sorted(set(changes) - RULE_NAMES)
        if unknown:
            raise TypeError(
                f"unknown rule value(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(RULE_NAMES))}"
            )
        if "mitigation" in changes:
            changes["mitigation"] = _as_mitigation(changes["mitigation"])
        return dataclasses.replace(self, **_nk_changes(self, changes))

    @property
    def top_k(self) -> int:
        """How many largest contributions the evidence keeps: the largest n used (at least 2,
        for the p% rule)."""
        return max(max(n for n, _ in self.nk), 2)

    @property
    def midpoint6(self) -> bool:
        """Whether the counts of rates and survival tables are given as midpoint-6 values."""
        return "midpoint6" in self.mitigation

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name != "policy"}
        data["nk"] = [list(pair) for pair in self.nk]
        data["mitigation"] = list(self.mitigation)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleValues:
        """The rule values a record saved (keys this version does not know are refused)."""
        values = dict(data)
        profile = values.pop("profile", DEFAULT_PROFILE)
        version = values.pop("profile_version", None)
        return cls(profile=str(profile),
                   profile_version=None if version is None else str(version)).replace(**values)


_FIELDS = {f.name: f for f in dataclasses.fields(RuleValues) if f.metadata.get("rule", True)}
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
    return tuple(dict.fromkeys(items))


def _as_pairs(value: Any) -> tuple[tuple[int, float], ...]:
    """``nk`` as sorted, distinct (n, k) pairs; anything else is refused with an example."""
    expected = "a list of [n, k] pairs, e.g. [[1, 0.5], [2, 0.67]] (n >= 1, k in (0, 1])"
    try:
        pairs = [tuple(pair) for pair in value]
    except TypeError:
        pairs = []
    ok = bool(pairs) and all(
        len(p) == 2 and _is_int(p[0]) and p[0] >= 1 and _is_number(p[1]) and 0 < p[1] <= 1
        for p in pairs)
    _check(ok, "nk", value, expected)
    return tuple(sorted({(int(n), float(k)) for n, k in pairs}))


def _mirror(pairs: tuple[tuple[int, float], ...]) -> tuple[int, float]:
    """What ``nk_n``/``nk_k`` read as: the pair with the largest n (its lowest k)."""
    largest = max(n for n, _ in pairs)
    return largest, min(k for n, k in pairs if n == largest)


def _nk_changes(rules: RuleValues, changes: dict[str, Any]) -> dict[str, Any]:
    """Changes with the nk shorthand turned into ``nk`` (and ``nk_n``/``nk_k`` its mirror)."""
    short: dict[str, Any] = {name: changes.pop(name) for name in ("nk_n", "nk_k")
                             if name in changes}
    _check_nk_short(short)
    if "nk" in changes:
        pairs = _as_pairs(changes["nk"])
        mirror = dict(zip(("nk_n", "nk_k"), _mirror(pairs), strict=True))
        if any(mirror[name] != value for name, value in short.items()):
            given = ", ".join(f"{name} = {value!r}" for name, value in short.items())
            raise ValueError(f"{given} and nk = {_pairs_text(pairs)} disagree: set nk for "
                             "several pairs, or nk_n and nk_k for one pair")
    elif short:
        pairs = ((short.get("nk_n", rules.nk_n), short.get("nk_k", rules.nk_k)),)
    else:
        return changes
    changes["nk"] = pairs
    changes["nk_n"], changes["nk_k"] = _mirror(pairs)
    return changes


def _check_nk_short(short: dict[str, Any]) -> None:
    if "nk_n" in short:
        _check(_is_int(short["nk_n"]) and short["nk_n"] >= 1, "nk_n", short["nk_n"],
               "an integer >= 1")
    if "nk_k" in short:
        _check(_is_number(short["nk_k"]) and 0 < short["nk_k"] <= 1, "nk_k", short["nk_k"],
               "a proportion in (0, 1], e.g. 0.9")


def _pairs_text(pairs: Any) -> str:
    return "[" + ", ".join(f"[{n}, {k:g}]" for n, k in pairs) + "]"


def _check(ok: bool, name: str, value: Any, expected: str) -> None:
    if not ok:
        raise ValueError(f"rule value {name}={value!r} is invalid: expected {expected}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _validate(r: RuleValues) -> None:
    _check(_is_int(r.threshold) and r.threshold >= 1, "threshold", r.threshold, "an integer >= 1")
    _validate_nk(r)
    _check(
        _is_number(r.p_percent) and 0 < r.p_percent < 1, "p_percent",
        r.p_percent, "a proportion in (0, 1), e.g. 0.1 for 10%",
    )
    _check(_is_int(r.dof) and r.dof >= 0, "dof", r.dof, "an integer >= 0")
    for name in ("zeros", "missing", "class_disclosure", "nk_strict", "round_larger"):
        _check(isinstance(getattr(r, name), bool), name, getattr(r, name), "true or false")
    for name in ("min_max", "differencing"):
        choices = [f'"{c}"' for c in _FIELDS[name].metadata["choices"]]
        _check(getattr(r, name) in _FIELDS[name].metadata["choices"], name, getattr(r, name),
               f"{', '.join(choices[:-1])} or {choices[-1]}")
    _check(_is_int(r.round_base) and r.round_base >= 1, "round_base", r.round_base,
           "an integer >= 1")
    _check(r.unit is None or isinstance(r.unit, str), "unit", r.unit, "a column name or None")
    object.__setattr__(r, "mitigation", _as_mitigation(r.mitigation))


def _validate_nk(r: RuleValues) -> None:
    """``nk`` as pairs, with ``nk_n``/``nk_k`` its mirror (given alone: the one pair)."""
    _check_nk_short({"nk_n": r.nk_n, "nk_k": r.nk_k})
    pairs = _as_pairs(r.nk)
    if (r.nk_n, r.nk_k) != _mirror(pairs):
        if pairs != _DEFAULT_NK and (r.nk_n, r.nk_k) != _mirror(_DEFAULT_NK):
            raise ValueError(f"nk_n = {r.nk_n!r}, nk_k = {r.nk_k!r} and nk = "
                             f"{_pairs_text(pairs)} disagree: set nk for several pairs, or "
                             "nk_n and nk_k for one pair")
        if pairs == _DEFAULT_NK:
            pairs = ((r.nk_n, float(r.nk_k)),)
    object.__setattr__(r, "nk", pairs)
    object.__setattr__(r, "nk_n", _mirror(pairs)[0])
    object.__setattr__(r, "nk_k", _mirror(pairs)[1])


def available_profiles() -> list[str]:
    return list(_shipped_names())


@functools.cache
def _shipped_names() -> tuple[str, ...]:
    folder = resources.files("jupyter_sdc.profiles")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


@functools.cache
def _shipped(name: str) -> dict[str, Any]:
    """A shipped profile, parsed once (an export reads it for every output)."""
    text = resources.files("jupyter_sdc.profiles").joinpath(f"{name}.toml").read_bytes()
    return tomllib.loads(text.decode("utf-8"))


def profile_data(name: str | Path) -> dict[str, Any]:
    """A profile file as written: ``name``, ``version``, ``description``, ``source``,
    ``[citation]`` and ``[rules]``. A shipped profile by name, or a profile TOML file by path."""
    path = Path(name)
    if path.suffix == ".toml" and path.is_file():
        return read_toml(path)
    if str(name) not in available_profiles():
        raise ValueError(
            f"unknown profile {str(name)!r}: choose one of {', '.join(available_profiles())}"
            " or give the path of a profile .toml file"
        )
    return copy.deepcopy(_shipped(str(name)))


def load_profile(name: str | Path) -> RuleValues:
    """A shipped profile by name, or a profile TOML file by path."""
    data = profile_data(name)
    values = dict(data.get("rules", {}))
    version = data.get("version")
    return RuleValues(profile=str(data.get("name", name)),
                      profile_version=None if version is None else str(version)
                      ).replace(**values)


def profile_info(name: str | Path) -> dict[str, Any]:
    """What ``jupyter sdc profiles`` lists and a request records: the profile's name, version,
    description, source and cited pages, and every rule value it sets."""
    if str(name) in _shipped_names():
        return copy.deepcopy(_shipped_info(str(name)))  # an export asks for every output
    return _info(name)


@functools.cache
def _shipped_info(name: str) -> dict[str, Any]:
    return _info(name)


def _info(name: str | Path) -> dict[str, Any]:
    data = profile_data(name)
    citation = data.get("citation") or {}
    return {
        "name": str(data.get("name", name)),
        "version": None if data.get("version") is None else str(data["version"]),
        "description": data.get("description", ""),
        "source": data.get("source", ""),
        "urls": list(citation.get("urls", [])),
        "says": citation.get("says", ""),
        "confidence": citation.get("confidence", ""),
        "rules": load_profile(name).to_dict(),
    }


def rules_applied(saved: dict[str, Any]) -> dict[str, Any]:
    """What ``rules_applied.json`` says of one output's rules (a record's ``rules`` dict): the
    profile with its version and cited pages, every rule value, and the mitigations."""
    rules = RuleValues.from_dict(saved)
    values = rules.to_dict()
    for name in ("profile", "profile_version", "mitigation"):
        values.pop(name)
    try:
        info = profile_info(rules.profile)
        source, urls = info["source"], info["urls"]
    except ValueError:  # a profile file that is not shipped nor there any more
        source, urls = None, []
    return {"profile": {"name": rules.profile, "version": rules.profile_version,
                        "source": source, "urls": urls},
            "values": values, "mitigation": list(rules.mitigation)}


def profiles_catalogue() -> list[dict[str, Any]]:
    """Every shipped profile's ``profile_info``, by name."""
    return [profile_info(name) for name in available_profiles()]
