"""The project config ``sdc.toml``: find it, read it, check it, write a template."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_sdc.core import project
from jupyter_sdc.core.rules import RULE_NAMES, RuleValues, load_profile
from jupyter_sdc.export.scope import Scope

CONFIG_NAME = project.CONFIG_NAME
TEMPLATE = Path(__file__).with_name("sdc.toml.template")

# The release types an Output Release Form accepts, spelled as the form spells them.
OUTPUT_TYPES = (
    "Journal paper",
    "Working paper",
    "Book chapter",
    "Policy report",
    "Report to funder",
    "Final report",
    "Interim report",
    "Conference presentation",
    "Thesis",
)
ON_PROBLEMS = ("refuse", "warn")
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: a DOI, as a data citation carries one (also looked for by the document inspector)
DOI_PATTERN = re.compile(r"\b10\.\d{4,9}/\S+")
_EXPORT_KEYS = ("sdc_folder", "on_problems", "include_code")
_NAME_MAX, _PATH_MAX = 255, 4096  # bytes, as Linux file systems allow


class ConfigError(ValueError):
    """``sdc.toml`` is missing or invalid; the message names the key and what to do."""


@dataclass(frozen=True)
class Dataset:
    name: str
    citation: str
    source: str
    sample: str
    methodology: str


@dataclass(frozen=True)
class Config:
    """A checked ``sdc.toml``. Paths are absolute."""

    path: Path
    project_id: str
    project_title: str
    researchers: tuple[str, ...]
    output_type: str
    datasets: tuple[Dataset, ...]
    rules: dict[str, Any] = field(default_factory=dict)
    sdc_folder: Path = Path("SDC")
    on_problems: str = "refuse"
    include_code: bool = False
    warnings: tuple[str, ...] = ()
    #: how messages name this sdc.toml (relative to the project or server root)
    shown: str = CONFIG_NAME

    @property
    def root(self) -> Path:
        """The project root: the folder holding ``sdc.toml``."""
        return self.path.parent

    @property
    def required_rules(self) -> RuleValues:
        """The rules the project requires now: its profile with its ``[rules]`` on top."""
        values = dict(self.rules)
        profile = values.pop("profile", None)
        return (load_profile(profile) if profile else RuleValues()).replace(**values)

    @property
    def citations(self) -> list[str]:
        return [d.citation for d in self.datasets]

    @property
    def dataset_names(self) -> list[str]:
        return [d.name for d in self.datasets]

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON values (for results.json and the documents)."""
        return {
            "project": {
                "id": self.project_id,
                "title": self.project_title,
                "researchers": list(self.researchers),
                "output_type": self.output_type,
            },
            "datasets": [vars(d).copy() for d in self.datasets],
            "rules": dict(self.rules),
            "export": {
                "sdc_folder": str(self.sdc_folder),
                "on_problems": self.on_problems,
                "include_code": self.include_code,
            },
        }


def find_config(start: Path, scope: Scope | None = None) -> Path:
    """Return the ``sdc.toml`` in ``start`` (a file's folder or a folder) or its nearest parent,
    not above the scope's root."""
    scope = scope or Scope()
    found = project.find_config(start, root=scope.root)
    if found is None:
        folder = Path(start).resolve()
        folder = folder if folder.is_dir() else folder.parent
        above = "up to the server root" if scope.root is not None else "or any folder above it"
        raise ConfigError(
            f"No {CONFIG_NAME} found in {scope.show(folder)} {above}. Run `jupyter sdc init` "
            f"in your project folder and fill in the values it asks for."
        )
    return found


def load_config(path: Path, scope: Scope | None = None) -> Config:
    """Read and check ``sdc.toml``; raise :class:`ConfigError` naming the first bad key."""
    path = Path(os.path.abspath(path))
    shown = (scope or Scope()).show(path)
    # the project is where sdc.toml is, even when it is a link to a file elsewhere
    path = path.parent.resolve() / path.name
    if not os.path.lexists(path):
        raise ConfigError(
            f"{shown} does not exist. Run `jupyter sdc init` in the project folder to create it."
        )
    try:
        data = project.read_toml(path)
    except project.ConfigFileError as exc:  # unreadable, not UTF-8, a TOML syntax error
        raise ConfigError(f"{shown} {exc.reason}. Fix it (`jupyter sdc init` in an empty "
                          f"folder shows a complete example) and export again.") from None
    return _checked(data, path, shown)


def _checked(data: dict, path: Path, shown: str) -> Config:
    warnings: list[str] = []
    section = _table(data, "project", shown)
    project_id = _text(section, "project.id", shown)
    if not _ID_PATTERN.match(project_id):
        raise ConfigError(
            f"{shown}: project.id cannot name a folder. Use letters, digits, '.', '_' and "
            f"'-' only (at most 64), e.g. \"P-1234\"."
        )
    title = _text(section, "project.title", shown)
    researchers = _researchers(section, shown)
    output_type = _output_type(section, shown)
    datasets = _datasets(data, shown, warnings)
    rules = _rules(data, shown)
    export = _export(data, shown)
    for key in sorted(set(data) - {"project", "datasets", "rules", "export"}):
        warnings.append(f"{shown}: section [{key}] is not used by jupyter_sdc.")
    return Config(
        path=path,
        project_id=project_id,
        project_title=title,
        researchers=researchers,
        output_type=output_type,
        datasets=datasets,
        rules=rules,
        sdc_folder=(path.parent / export["sdc_folder"]).resolve(),
        on_problems=export["on_problems"],
        include_code=export["include_code"],
        warnings=tuple(warnings),
        shown=shown,
    )


def _export(data: dict, shown: str) -> dict[str, Any]:
    export = data.get("export", {})
    if not isinstance(export, dict):
        raise ConfigError(f"{shown}: [export] must be a table. Write it as a [export] section.")
    unknown = sorted(set(export) - set(_EXPORT_KEYS))
    if unknown:
        raise ConfigError(
            f"{shown}: unknown key export.{unknown[0]}. Known keys: {', '.join(_EXPORT_KEYS)}."
        )
    on_problems = export.get("on_problems", "refuse")
    if on_problems not in ON_PROBLEMS:
        raise ConfigError(
            f"{shown}: export.on_problems must be \"refuse\" (nothing is written while a "
            f"problem remains) or \"warn\" (problem outputs are left out and listed); set "
            f"one of them."
        )
    include_code = export.get("include_code", False)
    if not isinstance(include_code, bool):
        raise ConfigError(f"{shown}: export.include_code must be true or false; set one.")
    return {"sdc_folder": _folder(export.get("sdc_folder", "SDC"), shown),
            "on_problems": on_problems, "include_code": include_code}


def _folder(value: object, shown: str) -> str:
    """``export.sdc_folder`` as given: a usable path (where it leads is checked at export)."""
    advice = (f"Set export.sdc_folder in {shown} to a folder inside the project, such as "
              f"\"SDC\" (relative to {CONFIG_NAME}).")
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{shown}: export.sdc_folder must be a folder name. {advice}")
    if "\x00" in value:
        raise ConfigError(f"{shown}: export.sdc_folder holds a NUL character. {advice}")
    encoded = value.encode("utf-8", "surrogateescape")
    if len(encoded) > _PATH_MAX or any(len(part) > _NAME_MAX for part in encoded.split(b"/")):
        raise ConfigError(f"{shown}: export.sdc_folder is too long for a folder name. {advice}")
    return value


def init_config(directory: Path) -> Path:
    """Write a commented template ``sdc.toml`` into ``directory``; never overwrite one."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigError(f"{directory} is not a folder. Give the project folder to `init`.")
    target = directory / CONFIG_NAME
    try:
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(TEMPLATE.read_text(encoding="utf-8"))
    except FileExistsError:
        raise ConfigError(
            f"{target} already exists; it was left unchanged. Edit it, or delete it first."
        ) from None
    return target


def _table(data: dict, key: str, path: str) -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ConfigError(
            f"{path}: the [{key}] section is missing or not a table. Run `jupyter sdc init` in "
            f"an empty folder to see a complete example."
        )
    return value


def _text(table: dict, dotted: str, path: str) -> str:
    value = table.get(dotted.rsplit(".", 1)[-1])
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: {dotted} is missing or empty. Set it to a text value.")
    if "TODO" in value:
        raise ConfigError(f"{path}: {dotted} still holds the template's TODO text. Fill it in.")
    return value.strip()


def _researchers(section: dict, path: str) -> tuple[str, ...]:
    value = section.get("researchers")
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise ConfigError(
            f"{path}: project.researchers must be a non-empty list of names, "
            f"e.g. researchers = [\"A. Researcher <a.researcher@example.ac.uk>\"]."
        )
    if any("TODO" in v for v in value):
        raise ConfigError(f"{path}: project.researchers still holds the template's TODO text.")
    return tuple(v.strip() for v in value)


def _output_type(section: dict, path: str) -> str:
    value = section.get("output_type")
    by_lower = {t.lower(): t for t in OUTPUT_TYPES}
    if not isinstance(value, str) or value.strip().lower() not in by_lower:
        raise ConfigError(
            f"{path}: project.output_type = {value!r} is not a permitted release type. "
            f"Use one of: {', '.join(t.lower() for t in OUTPUT_TYPES)}."
        )
    return by_lower[value.strip().lower()]


def _datasets(data: dict, path: str, warnings: list[str]) -> tuple[Dataset, ...]:
    value = data.get("datasets")
    if not isinstance(value, list) or not value:
        raise ConfigError(
            f"{path}: no [[datasets]] given. Add one [[datasets]] block per dataset with name, "
            f"citation, source, sample and methodology."
        )
    datasets = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ConfigError(f"{path}: datasets entry {number} is not a table. Write each "
                              f"dataset as a [[datasets]] block.")
        fields = {
            key: _text(item, f"datasets[{number}].{key}", path)
            for key in ("name", "citation", "source", "sample", "methodology")
        }
        if not DOI_PATTERN.search(fields["citation"]):
            warnings.append(
                f"{path}: datasets[{number}].citation has no DOI (10.xxxx/…); "
                f"checkers expect the dataset's DOI in the citation."
            )
        datasets.append(Dataset(**fields))
    return tuple(datasets)


def _rules(data: dict, path: str) -> dict[str, Any]:
    """The [rules] table, validated by the engine's own rule values (one definition)."""
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(f"{path}: [rules] must be a table. Write it as a [rules] section.")
    values = dict(rules)
    profile = values.pop("profile", None)
    unknown = sorted(set(values) - RULE_NAMES)
    if unknown:
        known = ["profile", *sorted(RULE_NAMES)]
        nearest = difflib.get_close_matches(unknown[0], known, n=1)
        hint = f"Did you mean {nearest[0]}? " if nearest else ""
        raise ConfigError(f"{path}: unknown rule rules.{unknown[0]}. {hint}Use one of: "
                          f"{', '.join(known)}.")
    if profile is not None and not isinstance(profile, str):
        raise ConfigError(f"{path}: rules.profile must be a profile name in quotes, such as "
                          f"\"acro-default\"; set it so.")
    try:
        (load_profile(profile) if profile else RuleValues()).replace(**values)
    except (ValueError, TypeError) as err:
        key = next((k for k in values if k in str(err)), "profile")
        raise ConfigError(f"{path}: rules.{key}: {err}. Set it in the [rules] section.") from err
    return dict(rules)
