"""sdc.toml: found by walking up, checked key by key, with messages that name the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from jupyter_sdc.export.config import (
    OUTPUT_TYPES,
    ConfigError,
    find_config,
    init_config,
    load_config,
)

GOOD = """
[project]
id = "P-1234"
title = "Earnings and hours after the pandemic"
researchers = ["A. Researcher <a.researcher@example.ac.uk>"]
output_type = "working PAPER"

[[datasets]]
name = "Quarterly Labour Force Survey"
citation = "Office for National Statistics (2020). QLFS. DOI: 10.5255/UKDA-SN-0000-1"
source = "ONS Secure Research Service"
sample = "Adults 16-64, 2019-2021"
methodology = "Cross-tabulations and OLS"

[rules]
profile = "acro-default"
threshold = 10

[export]
sdc_folder = "SDC"
"""


def write(folder: Path, text: str) -> Path:
    path = folder / "sdc.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_config_is_read_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.project_id == "P-1234"
    assert config.output_type == "Working paper"  # case-insensitive, stored as the form spells it
    assert config.researchers == ("A. Researcher <a.researcher@example.ac.uk>",)
    assert config.datasets[0].citation.endswith("10.5255/UKDA-SN-0000-1")
    assert config.rules == {"profile": "acro-default", "threshold": 10}
    assert config.sdc_folder == (tmp_path / "SDC").resolve()
    assert config.on_problems == "refuse" and config.include_code is False
    assert config.warnings == ()
    assert config.to_dict()["project"]["id"] == "P-1234"


def test_config_is_found_from_a_notebook_in_a_sub_folder(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    notebooks = tmp_path / "analysis" / "2026"
    notebooks.mkdir(parents=True)
    notebook = notebooks / "tables.ipynb"
    notebook.write_text("{}")
    assert find_config(notebook) == path.resolve()
    assert find_config(notebooks) == path.resolve()


def test_no_config_anywhere_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No sdc.toml found.*jupyter sdc init"):
        find_config(tmp_path / "nb.ipynb")


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('id = "P-1234"', "", "project.id"),
        ('id = "P-1234"', 'id = "../escape"', "project.id"),
        ('title = "Earnings and hours after the pandemic"', 'title = " "', "project.title"),
        ('researchers = ["A. Researcher <a.researcher@example.ac.uk>"]', "researchers = []",
         "project.researchers"),
        ('output_type = "working PAPER"', 'output_type = "blog post"', "project.output_type"),
        ('sample = "Adults 16-64, 2019-2021"', "", r"datasets\[1\].sample"),
        ('citation = "Office', 'citation = "TODO Office', r"datasets\[1\].citation"),
        ("threshold = 10", "threshold = true", "rules.threshold"),
        ("threshold = 10", "treshold = 10", "rules.treshold"),
        ('sdc_folder = "SDC"', 'on_problems = "ignore"', "export.on_problems"),
        ('sdc_folder = "SDC"', 'include_code = "yes"', "export.include_code"),
        ('sdc_folder = "SDC"', 'sdc_fodler = "SDC"', "export.sdc_fodler"),
    ],
)
def test_each_bad_key_is_named(tmp_path: Path, old: str, new: str, key: str) -> None:
    assert old in GOOD
    with pytest.raises(ConfigError, match=key):
        load_config(write(tmp_path, GOOD.replace(old, new)))


def test_missing_datasets_and_project_sections_are_named(tmp_path: Path) -> None:
    no_datasets = GOOD.split("[[datasets]]")[0] + "[export]\n"
    with pytest.raises(ConfigError, match=r"\[\[datasets\]\]"):
        load_config(write(tmp_path, no_datasets))
    with pytest.raises(ConfigError, match=r"\[project\] section is missing"):
        load_config(write(tmp_path, GOOD.replace("[project]", "[projekt]")))


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "\nthis is not toml\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_citation_without_doi_is_a_warning_not_an_error(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD.replace(" DOI: 10.5255/UKDA-SN-0000-1", "")))
    assert len(config.warnings) == 1 and "no DOI" in config.warnings[0]


@pytest.mark.parametrize("output_type", OUTPUT_TYPES)
def test_every_permitted_output_type_is_accepted(tmp_path: Path, output_type: str) -> None:
    text = GOOD.replace('"working PAPER"', f'"{output_type.upper()}"')
    assert load_config(write(tmp_path, text)).output_type == output_type


def test_init_writes_a_template_that_parses_but_asks_for_the_todo_values(tmp_path: Path) -> None:
    path = init_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)  # valid TOML, with every contract key present
    assert set(data) == {"project", "datasets", "rules", "export"}
    assert data["export"] == {"sdc_folder": "SDC", "on_problems": "refuse", "include_code": False}
    assert text.count("\n#") >= 10  # commented
    with pytest.raises(ConfigError, match="project.id still holds the template's TODO"):
        load_config(path)


def test_init_never_overwrites(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    with pytest.raises(ConfigError, match="already exists"):
        init_config(tmp_path)
    assert path.read_text(encoding="utf-8") == GOOD


def test_init_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a folder"):
        init_config(tmp_path / "nope")
