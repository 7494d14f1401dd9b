"""The shipped profiles: each number against the page it cites, and every profile loads."""

from importlib import resources

import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.core.mitigation import is_midpoint6, midpoint6
from jupyter_sdc.core.rules import load_profile, profile_info, profiles_catalogue

PROFILES = ["abs-datalab", "acro-default", "bundesbank-rdsc", "datashield", "nhs-england-sde",
            "ons-10-5", "opensafely", "uk-llc"]

ACRO_YAML = "ACRO 1.0.2 acro/default.yaml"
NHS = "NHS England SDE, Output your results: Disclosure Control Rules"
ONS = "ONS, Comparison of post-tabular SDC methods: the 10-5 rule"
UKLLC = "UK LLC Guidebook, Statistical Disclosure Control"
ABS = "ABS DataLab, Input and output clearance: Output rules"
SDCLOG = "sdcLog defaults (R/status_messages.R list_options; R/sdc_descriptives.R)"
DSBASE = "DataSHIELD dsBase R/zzz.R default.nfilter.tab; tableDS.R"
OPENSAFELY = "OpenSAFELY docs, Applying statistical disclosure control"

#: (profile, rule value, value, where the number comes from)
CITED = [
    ("acro-default", "threshold", 10, f"{ACRO_YAML}: safe_threshold"),
    ("acro-default", "nk", ((2, 0.90),), f"{ACRO_YAML}: safe_nk_n, safe_nk_k"),
    ("acro-default", "p_percent", 0.10, f"{ACRO_YAML}: safe_pratio_p"),
    ("acro-default", "dof", 10, f"{ACRO_YAML}: safe_dof_threshold"),
    ("acro-default", "zeros", True, f"{ACRO_YAML}: zeros_are_disclosive"),
    ("acro-default", "missing", False, f"{ACRO_YAML}: check_missing_values"),
    ("acro-default", "round_base", 5, f"{ACRO_YAML}: safe_round_base"),
    ("acro-default", "mitigation", (), "ACRO(suppress=False) by default"),
    ("nhs-england-sde", "threshold", 10, f"{NHS}: counts under 10 suppressed"),
    ("nhs-england-sde", "round_base", 5, f"{NHS}: counts above 10 to a multiple of 5"),
    ("nhs-england-sde", "mitigation", ("suppress", "round"), f"{NHS}: suppress, then round"),
    ("ons-10-5", "threshold", 10, f"{ONS}: counts below ten suppressed"),
    ("ons-10-5", "round_base", 5, f"{ONS}: counts above 10 to the nearest five"),
    ("ons-10-5", "mitigation", ("suppress", "round"), f"{ONS}: suppress, then round"),
    ("uk-llc", "threshold", 10, f"{UKLLC}: threshold of 10 data subjects"),
    ("uk-llc", "zeros", True, f"{UKLLC}: counts <10, including zero"),
    ("uk-llc", "mitigation", ("suppress",), f"{UKLLC}: all counts <10 masked"),
    ("abs-datalab", "threshold", 10, f"{ABS}: Rule of 10 (unweighted contributors)"),
    ("abs-datalab", "nk", ((1, 0.50), (2, 0.67)), f"{ABS}: (1,50) and (2,67) rules"),
    ("abs-datalab", "nk_strict", True, f"{ABS}: should not exceed"),
    ("bundesbank-rdsc", "threshold", 5, f"{SDCLOG}: sdc.n_ids 5"),
    ("bundesbank-rdsc", "nk", ((2, 0.85),), f"{SDCLOG}: sdc.n_ids_dominance 2, "
                                             "sdc.share_dominance 0.85"),
    ("bundesbank-rdsc", "nk_strict", False, f"{SDCLOG}: value_share >= 0.85 fails"),
    ("datashield", "threshold", 3, f"{DSBASE}: nfilter.tab 3"),
    ("datashield", "zeros", False, f"{DSBASE}: only non-zero counts are tested"),
    ("opensafely", "threshold", 8, f"{OPENSAFELY}: redact counts <= 7"),
    ("opensafely", "round_base", 5, f"{OPENSAFELY}: round to the nearest 5"),
    ("opensafely", "zeros", False, f"{OPENSAFELY}: zeros can generally be kept"),
    ("opensafely", "min_max", "fail", f"{OPENSAFELY}: redact maximum and minimum values"),
    ("opensafely", "mitigation", ("suppress", "round", "midpoint6"),
     f"{OPENSAFELY}: redact, then round; midpoint 6 for rates and Kaplan-Meier tables"),
]


@pytest.mark.parametrize(("profile", "name", "value", "source"), CITED,
                         ids=[f"{p}.{n}" for p, n, _, _ in CITED])
def test_each_profile_number_is_its_cited_value(profile, name, value, source):
    assert getattr(load_profile(profile), name) == value, source


def test_the_eight_profiles_ship_and_load_with_version_and_cited_pages():
    assert sdc.available_profiles() == PROFILES
    catalogue = {p["name"]: p for p in profiles_catalogue()}
    assert list(catalogue) == PROFILES
    for name, info in catalogue.items():
        rules = load_profile(name)
        assert rules.profile == name and rules.profile_version == info["version"]
        assert info["version"] and info["description"] and info["source"]
        assert info["urls"] and all(u.startswith(("https://", "http://")) for u in info["urls"])
        assert info["rules"]["threshold"] == rules.threshold
        text = resources.files("jupyter_sdc.profiles").joinpath(f"{name}.toml").read_text()
        # every rule value of the profile carries a comment saying where it comes from
        body = text.split("[rules]", 1)[1]
        for line in body.splitlines():
            if line and not line.startswith((" ", "#")) and "=" in line:
                assert "#" in line, f"{name}: {line}"


def test_a_profile_silent_on_a_value_keeps_acro_default_and_says_so():
    acro = load_profile("acro-default")
    for name in ("nhs-england-sde", "uk-llc", "abs-datalab", "opensafely"):
        text = resources.files("jupyter_sdc.profiles").joinpath(f"{name}.toml").read_text()
        line = next(x for x in text.splitlines() if x.startswith("p_percent"))
        assert "ACRO 1.0.2 default kept" in line
        assert load_profile(name).p_percent == acro.p_percent


def test_the_record_names_the_profile_and_its_version():
    df = pd.DataFrame({"a": ["x"] * 12, "b": "p"})
    session = sdc.Session(profile="nhs-england-sde")
    session.crosstab(df.a, df.b)
    rules = session.outputs[-1].to_dict()["rules"]
    assert rules["profile"] == "nhs-england-sde" and rules["profile_version"] == "1"
    assert profile_info("nhs-england-sde")["version"] == "1"


def test_nhs_profile_suppresses_under_10_then_rounds_to_5():
    df = pd.DataFrame({"a": ["x"] * 9 + ["y"] * 10 + ["z"] * 23, "b": "p"})
    table = sdc.Session(profile="nhs-england-sde").crosstab(df.a, df.b)
    assert pd.isna(table.loc["x", "p"]) and table.loc["y", "p"] == 10
    assert table.loc["z", "p"] == 25


@pytest.mark.parametrize(("count", "shown"), [
    (0, 0), (1, 3), (6, 3), (7, 9), (12, 9), (13, 15), (18, 15), (19, 21)])
def test_midpoint6_keeps_zero_and_maps_each_six_to_its_midpoint(count, shown):
    assert midpoint6(count) == shown
    assert is_midpoint6(shown)


def test_midpoint6_on_arrays_keeps_suppressed_cells_and_refuses_negatives():
    out = midpoint6(np.array([[0, 5, np.nan], [7, 12, 13]]))
    np.testing.assert_array_equal(out, [[0, 3, np.nan], [9, 9, 15]])
    assert not is_midpoint6(5) and not is_midpoint6(6) and not is_midpoint6(3.5)
    with pytest.raises(ValueError, match="0 or more"):
        midpoint6([-1, 2])


def test_midpoint6_is_a_mitigation_a_profile_names():
    assert load_profile("opensafely").midpoint6
    assert not load_profile("nhs-england-sde").midpoint6
    assert sdc.Session(mitigation=["midpoint6"]).rules.midpoint6
    with pytest.raises(ValueError, match="not one of"):
        sdc.Session(mitigation=["midpoint5"])


def test_rules_applied_names_profile_version_values_and_mitigations():
    from jupyter_sdc.core.rules import rules_applied

    saved = sdc.Session(profile="opensafely", threshold=10).rules.to_dict()
    applied = rules_applied(saved)
    assert applied["profile"]["name"] == "opensafely" and applied["profile"]["version"] == "2"
    assert applied["profile"]["urls"][0] == "https://docs.opensafely.org/outputs/sdc/"
    assert applied["values"]["threshold"] == 10 and applied["values"]["nk"] == [[2, 0.9]]
    assert applied["mitigation"] == ["suppress", "round", "midpoint6"]
