"""New rule values appear in every layer by themselves (%config, sdc.toml), and the TRE policy
refuses a weaker %config value naming the policy file."""

from __future__ import annotations

from pathlib import Path

import pytest
from magic_shell import reset, run

import jupyter_sdc
from jupyter_sdc.core import policy as policy_module
from jupyter_sdc.core.policy import POLICY_ENV
from jupyter_sdc.export.config import load_config

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "project" / "sdc.toml"


@pytest.fixture(autouse=True)
def no_system_policy(monkeypatch):
    monkeypatch.setattr(policy_module, "config_dirs", lambda: [])
    monkeypatch.delenv(POLICY_ENV, raising=False)


def test_config_sets_several_nk_pairs_and_strict_comparison(ip):
    run(ip, "%config SDC.nk = [[1, 0.5], [2, 0.67]]")
    run(ip, "%config SDC.nk_strict = True")
    rules = jupyter_sdc.session().rules
    assert rules.nk == ((1, 0.5), (2, 0.67)) and rules.nk_strict
    run(ip, "%%sdc_check\n"
            "import pandas as pd\n"
            "t = pd.DataFrame({'g': ['a'] * 4, 'c': 'c', 'v': [50, 17, 17, 16]})\n"
            "t.groupby('g')['v'].sum()")
    [out] = jupyter_sdc.session().outputs
    assert out.rules["nk"] == [[1, 0.5], [2, 0.67]] and out.checks["nk"] == "pass"  # at k


def test_config_refuses_a_bad_nk_and_keeps_the_old_one(ip):
    ran = run(ip, "%config SDC.nk = [[0, 0.5]]")
    assert "SDC.nk: rule value nk=[[0, 0.5]] is invalid" in ran.stderr
    assert jupyter_sdc.session().rules.nk == ((2, 0.9),)


def test_config_cannot_weaken_the_tre_policy(ip, tmp_path, monkeypatch):
    policy = tmp_path / "jupyter_sdc_policy.toml"
    policy.write_text("[rules]\nthreshold = 10\n")
    policy.chmod(0o444)
    monkeypatch.setenv(POLICY_ENV, str(policy))
    reset(ip)  # a new default session, under the policy
    ran = run(ip, "%config SDC.threshold = 2")
    assert f"threshold = 2 is weaker than the TRE policy's 10 ({policy})" in ran.stderr
    assert jupyter_sdc.session().rules.threshold == 10
    run(ip, "%config SDC.threshold = 12")
    assert jupyter_sdc.session().rules.threshold == 12


def test_sdc_toml_accepts_the_new_rule_values(tmp_path):
    text = EXAMPLE.read_text().replace(
        'unit = "person_id"', 'nk = [[1, 0.50], [2, 0.67]]\nnk_strict = true\n'
        'round_larger = true\nmitigation = ["suppress", "round", "midpoint6"]')
    (tmp_path / "sdc.toml").write_text(text)
    config = load_config(tmp_path / "sdc.toml")
    required = config.required_rules
    assert required.nk == ((1, 0.5), (2, 0.67)) and required.nk_strict
    assert required.midpoint6 and required.round_larger
    session = jupyter_sdc.Session(project_dir=tmp_path)
    assert session.rules.nk == ((1, 0.5), (2, 0.67))


def _policy(tmp_path, monkeypatch, text: str, mode: int = 0o444) -> Path:
    path = tmp_path / "jupyter_sdc_policy.toml"
    path.write_text(text)
    path.chmod(mode)
    monkeypatch.setenv(POLICY_ENV, str(path))
    return path


def test_a_cell_option_the_policy_refuses_stops_the_cell_without_a_traceback(
        ip, tmp_path, monkeypatch):
    path = _policy(tmp_path, monkeypatch, '[rules]\nmitigation = ["suppress", "round"]\n')
    reset(ip)
    ip.user_ns["ran"] = False
    ran = run(ip, "%%sdc_check --round 3\nran = True\npd.crosstab(df.rgn, df.sex)", ok=False)
    assert "UsageError" in ran.stderr and "Traceback" not in ran.stderr + ran.stdout
    assert f"round_base = 3 is weaker than the TRE policy's 5 ({path})" in ran.stderr
    assert ip.user_ns["ran"] is False and jupyter_sdc.session().outputs == []
    ran = run(ip, "%%sdc_check --profile datashield\npd.crosstab(df.rgn, df.sex)", ok=False)
    assert "profile 'datashield' is weaker than the TRE policy" in ran.stderr


def test_an_unprotected_policy_stops_the_magics_with_what_to_fix(ip, tmp_path, monkeypatch):
    path = _policy(tmp_path, monkeypatch, "[rules]\nthreshold = 10\n", mode=0o644)
    reset(ip)
    ran = run(ip, "%%sdc_check\npd.crosstab(df.rgn, df.sex)", ok=False)
    assert "UsageError" in ran.stderr and "Traceback" not in ran.stderr + ran.stdout
    assert f"The TRE policy {path} is not protected" in ran.stderr and "chmod" in ran.stderr
