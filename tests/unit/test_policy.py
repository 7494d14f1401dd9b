"""The TRE's policy: found outside the project, trusted only when the user cannot change it,
and every layer (sdc.toml, Session, a call, the export gate) can only make it stricter.

The tests run as root, for whom mode bits do not stop writing: the root branch (a policy must
carry no write permission at all) is tested as it is; an ordinary user's branch is tested by
giving the check another user id, and once for real in a child process that drops to nobody.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.core import policy as policy_module
from jupyter_sdc.core.policy import (
    POLICY_ENV,
    PolicyError,
    active_policy,
    policy_identity,
    read_source,
    strictest,
)
from jupyter_sdc.core.rules import RuleValues, load_profile
from jupyter_sdc.export.config import load_config
from jupyter_sdc.export.gate import judge_again

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "project" / "sdc.toml"
POLICY = """
name = "Example TRE"
[rules]
profile = "acro-default"
threshold = 10
mitigation = ["suppress", "round"]
[export]
allowed_sdc_folders = ["/srv/sdc"]
"""


@pytest.fixture(autouse=True)
def no_system_policy(monkeypatch):
    """Only the policies a test writes apply (never one on this machine)."""
    monkeypatch.setattr(policy_module, "config_dirs", lambda: [])
    monkeypatch.delenv(POLICY_ENV, raising=False)


def write_policy(folder: Path, text: str = POLICY, mode: int = 0o444) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "jupyter_sdc_policy.toml"
    if path.exists():
        path.chmod(0o644)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def policy_file(tmp_path, monkeypatch) -> Path:
    path = write_policy(tmp_path / "tre")
    monkeypatch.setenv(POLICY_ENV, str(path))
    return path


def project(folder: Path, rules: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = EXAMPLE.read_text().replace('unit = "person_id"', rules)
    (folder / "sdc.toml").write_text(text, encoding="utf-8")
    return folder


def small_table() -> pd.DataFrame:
    return pd.DataFrame({"a": ["x"] * 7 + ["y"] * 23, "b": "p"})


# -- where it is found -------------------------------------------------------------------------
def test_without_a_policy_nothing_changes():
    assert active_policy() is None and policy_identity() is None
    assert sdc.Session(threshold=2).rules.threshold == 2


def test_the_policy_named_by_the_environment_is_the_base_of_every_session(policy_file):
    rules = sdc.Session().rules
    assert rules.threshold == 10 and rules.mitigation == ("suppress", "round")
    assert rules.policy is not None and rules.policy.where == str(policy_file)


def test_the_policy_is_read_from_system_config_dirs_never_the_users(tmp_path, monkeypatch):
    from jupyter_core import paths

    system = tmp_path / "etc" / "jupyter"
    write_policy(system, POLICY.replace("threshold = 10", "threshold = 15"))
    user = tmp_path / "home" / ".jupyter"
    write_policy(user, "[rules]\nthreshold = 1\n", mode=0o666)  # the user's own: never read
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(user))
    monkeypatch.setattr(paths, "SYSTEM_CONFIG_PATH", [str(system)])
    monkeypatch.setattr(paths, "ENV_CONFIG_PATH", [str(tmp_path / "env")])
    monkeypatch.setattr(policy_module, "config_dirs", _real_config_dirs)
    assert sdc.Session().rules.threshold == 15


_real_config_dirs = policy_module.config_dirs


def test_a_policy_in_the_environment_cannot_lower_the_system_one(tmp_path, monkeypatch):
    system = write_policy(tmp_path / "etc", POLICY.replace("threshold = 10", "threshold = 15"))
    weak = write_policy(tmp_path / "elsewhere", "[rules]\nthreshold = 3\n")
    monkeypatch.setattr(policy_module, "config_dirs", lambda: [system.parent])
    monkeypatch.setenv(POLICY_ENV, str(weak))
    policy = active_policy()
    assert policy.rules.threshold == 15 and len(policy.sources) == 2
    with pytest.raises(PolicyError, match="threshold = 5 is weaker than the TRE policy's 15"):
        sdc.Session(threshold=5)


@pytest.mark.parametrize(("text", "words"), [
    ("[rules]\nthreshold = 10\nfloor = 3\n", "unknown rule value rules.floor"),
    ("[rules]\nunit = 'person'\n", "unit is the project's choice"),
    ("threshold = 10\n", "unknown key 'threshold'"),
    ("name = 'x'\n", "no [rules] table"),
    ("[rules\n", "not valid TOML"),
    ("[rules]\nthreshold = 0\n", "threshold=0 is invalid"),
    ("[rules]\n[export]\nallowed_sdc_folders = ['relative']\n", "absolute folder paths"),
])
def test_a_broken_policy_is_refused_loudly_naming_the_file(tmp_path, monkeypatch, text, words):
    path = write_policy(tmp_path / "tre", text)
    monkeypatch.setenv(POLICY_ENV, str(path))
    with pytest.raises(PolicyError) as err:
        sdc.Session()
    assert words in str(err.value) and str(path) in str(err.value)
    assert "TRE administrator" in str(err.value)


def test_a_policy_path_that_does_not_exist_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(POLICY_ENV, str(tmp_path / "missing.toml"))
    with pytest.raises(PolicyError, match=f"{POLICY_ENV} names .*not a file"):
        sdc.Session()


# -- who may change it -------------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="runs as root")
@pytest.mark.parametrize("mode", [0o644, 0o600, 0o464, 0o446])
def test_a_root_kernel_refuses_a_policy_with_any_write_permission(tmp_path, monkeypatch, mode):
    path = write_policy(tmp_path / "tre", mode=mode)
    monkeypatch.setenv(POLICY_ENV, str(path))
    with pytest.raises(PolicyError) as err:
        sdc.Session()
    message = str(err.value)
    assert "is not protected" in message and "root" in message and "chmod 444" in message


class OtherUser:
    """The check as an ordinary user (uid 1000) sees it; ``writable`` says what they may write."""

    def __init__(self, monkeypatch, writable: set[Path] = frozenset()):
        monkeypatch.setattr(policy_module, "euid", lambda: 1000)
        monkeypatch.setattr(policy_module, "may_write", lambda path: Path(path) in writable)


def test_a_user_kernel_trusts_a_policy_owned_by_another_account(policy_file, monkeypatch):
    OtherUser(monkeypatch)
    assert policy_file.stat().st_uid != 1000
    assert sdc.Session().rules.threshold == 10


@pytest.mark.skipif(not hasattr(os, "chown") or os.geteuid() != 0, reason="needs chown")
def test_a_user_kernel_refuses_a_policy_it_owns_even_read_only(policy_file, monkeypatch):
    os.chown(policy_file, 1000, 1000)
    OtherUser(monkeypatch)
    with pytest.raises(PolicyError, match="belongs to this user, who can change its permissions"):
        sdc.Session()


def test_a_user_kernel_refuses_a_policy_it_may_write(policy_file, monkeypatch):
    OtherUser(monkeypatch, writable={policy_file.resolve()})
    with pytest.raises(PolicyError, match="this user may write to it"):
        sdc.Session()


def test_a_user_kernel_refuses_a_policy_in_a_folder_it_may_write(policy_file, monkeypatch):
    OtherUser(monkeypatch, writable={policy_file.parent})
    with pytest.raises(PolicyError, match="may write to its folder .* so could replace it"):
        sdc.Session()


@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0, reason="needs root and fork")
def test_as_a_real_ordinary_user_only_an_unwritable_policy_is_trusted():
    folder = Path(tempfile.mkdtemp(prefix="sdc-policy-"))
    try:
        folder.chmod(0o755)
        protected = write_policy(folder / "protected", mode=0o644)
        protected.parent.chmod(0o755)
        own = write_policy(folder / "own", mode=0o444)
        own.parent.chmod(0o755)
        os.chown(own, 65534, 65534)
        shared = write_policy(folder / "shared", mode=0o666)
        shared.parent.chmod(0o755)
        assert _as_nobody(protected) == "trusted"
        assert "belongs to this user" in _as_nobody(own)
        assert "may write to it" in _as_nobody(shared)
    finally:
        shutil.rmtree(folder)


def _as_nobody(path: Path) -> str:
    """``read_source(path)`` in a child process running as uid/gid 65534."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to nobody, report, leave without running pytest's teardown
        os.close(read)
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            read_source(path)
            answer = "trusted"
        except Exception as err:  # noqa: BLE001 - every outcome is reported to the parent
            answer = str(err)
        os.write(write, answer.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    return answer


# -- only stricter -----------------------------------------------------------------------------
WEAKER = [
    ({"threshold": 9}, "threshold = 9 is weaker than the TRE policy's 10"),
    ({"p_percent": 0.05}, "p_percent = 0.05 is weaker than the TRE policy's 0.1"),
    ({"dof": 9}, "dof = 9 is weaker than the TRE policy's 10"),
    ({"nk_k": 0.95}, "nk = [[2, 0.95]] is weaker than the TRE policy's [[2, 0.9]]"),
    ({"nk_n": 1}, "nk = [[1, 0.9]] is weaker"),
    ({"nk": [[1, 0.5]]}, "nk = [[1, 0.5]] is weaker"),
    ({"nk_strict": True}, "nk_strict = true is weaker than the TRE policy's false"),
    ({"zeros": False}, "zeros = false is weaker than the TRE policy's true"),
    ({"class_disclosure": False}, "class_disclosure = false is weaker"),
    ({"min_max": "review"}, 'min_max = "review" is weaker than the TRE policy\'s "fail"'),
    ({"differencing": "off"}, 'differencing = "off" is weaker than the TRE policy\'s "review"'),
    ({"mitigation": ["suppress"]}, 'mitigation = ["suppress"] is weaker'),
    ({"mitigation": []}, "mitigation = [] is weaker"),
    ({"round_base": 10}, "round_base = 10 is weaker than the TRE policy's 5"),
]
STRICT_POLICY = POLICY.replace("threshold = 10", "threshold = 10\nmissing = true")


@pytest.mark.parametrize(("values", "words"), WEAKER, ids=[str(v) for v, _ in WEAKER])
def test_every_weaker_value_is_refused_in_a_session_naming_value_and_file(
        policy_file, values, words):
    with pytest.raises(PolicyError) as err:
        sdc.Session(**values)
    assert words in str(err.value) and f"({policy_file})" in str(err.value)


def test_missing_on_in_the_policy_cannot_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv(POLICY_ENV, str(write_policy(tmp_path / "tre", STRICT_POLICY)))
    with pytest.raises(PolicyError, match="missing = false is weaker than the TRE policy's true"):
        sdc.Session(missing=False)


@pytest.mark.parametrize(("values", "words"), WEAKER[:3] + WEAKER[7:8],
                         ids=[str(v) for v, _ in WEAKER[:3] + WEAKER[7:8]])
def test_every_weaker_value_is_refused_in_sdc_toml(policy_file, tmp_path, values, words):
    line = "\n".join(f"{k} = {str(v).lower()}" for k, v in values.items())
    folder = project(tmp_path / "project", line)
    with pytest.raises(PolicyError, match=words.replace("[", r"\[")):
        sdc.Session(project_dir=folder)


def test_a_weaker_value_in_one_call_is_refused(policy_file):
    session = sdc.Session()
    df = small_table()
    with pytest.raises(PolicyError, match="threshold = 5 is weaker"):
        session.crosstab(df.a, df.b, threshold=5)
    with pytest.raises(PolicyError, match=r"suppress=False: mitigation = \[\"round\"\] is weak"):
        session.crosstab(df.a, df.b, suppress=False)
    with pytest.raises(PolicyError, match="round=3: round_base = 3 is weaker"):
        session.crosstab(df.a, df.b, round=3)
    assert session.outputs == []
    table = session.crosstab(df.a, df.b, threshold=12, suppress=True, round=True)
    assert pd.isna(table.loc["x", "p"]) and table.loc["y", "p"] == 25


TIGHTER = [
    {"threshold": 11}, {"p_percent": 0.2}, {"dof": 20}, {"nk_k": 0.8}, {"nk_n": 3},
    {"nk": [[1, 0.5], [2, 0.9]]}, {"nk": [[2, 0.85]]}, {"missing": True},
    {"differencing": "fail"}, {"mitigation": ["suppress", "round", "midpoint6"]},
    {"unit": "person"}, {"round_base": 5},
]


@pytest.mark.parametrize("values", TIGHTER, ids=[str(v) for v in TIGHTER])
def test_tightening_is_accepted(policy_file, values):
    rules = sdc.Session(**values).rules
    for name, value in values.items():
        if name not in ("nk", "nk_n", "nk_k", "mitigation"):
            assert getattr(rules, name) == value


def test_a_larger_base_only_where_the_policy_allows_a_multiple(tmp_path, monkeypatch):
    path = write_policy(tmp_path / "tre", POLICY.replace("threshold = 10",
                                                         "threshold = 10\nround_larger = true"))
    monkeypatch.setenv(POLICY_ENV, str(path))
    assert sdc.Session(round_base=10).rules.round_base == 10
    with pytest.raises(PolicyError, match="round_base = 7 is weaker"):
        sdc.Session(round_base=7)


def test_a_project_may_name_a_profile_only_if_it_is_as_strict(tmp_path, monkeypatch):
    path = write_policy(tmp_path / "tre", "[rules]\nprofile = 'datashield'\n")
    monkeypatch.setenv(POLICY_ENV, str(path))
    assert sdc.Session().rules.threshold == 3
    assert sdc.Session(profile="uk-llc").rules.threshold == 10  # stricter in every value
    folder = project(tmp_path / "project", 'profile = "uk-llc"')
    folder.joinpath("sdc.toml").write_text(
        folder.joinpath("sdc.toml").read_text().replace('profile = "acro-default"\n', ""))
    assert sdc.Session(project_dir=folder).rules.profile == "uk-llc"
    monkeypatch.setenv(POLICY_ENV, str(write_policy(tmp_path / "tre", POLICY)))
    with pytest.raises(PolicyError) as err:
        sdc.Session(profile="datashield")
    message = str(err.value)
    assert message.startswith("profile 'datashield' is weaker than the TRE policy")
    assert "threshold = 3 is weaker than the TRE policy's 10" in message
    assert "zeros = false" in message and "leave profile out" in message


def test_strictest_takes_the_stricter_of_each_value():
    project_rules = RuleValues().replace(threshold=12, nk=[[1, 0.5]], zeros=False, unit="id")
    floor = load_profile("nhs-england-sde").replace(threshold=10, nk=[[2, 0.9]], dof=20)
    both = strictest(project_rules, floor)
    assert (both.threshold, both.dof, both.zeros, both.unit) == (12, 20, True, "id")
    assert both.nk == ((1, 0.5), (2, 0.9)) and both.mitigation == ("suppress", "round")
    assert strictest(floor.replace(nk=[[2, 0.8]]), floor).nk == ((2, 0.8),)  # covers (2, 0.9)


# -- what the request records ------------------------------------------------------------------
def test_the_policy_identity_has_its_path_values_and_sha256(policy_file):
    identity = policy_identity()
    [source] = identity["files"]
    assert source["path"] == str(policy_file) and source["name"] == "Example TRE"
    assert source["sha256"] == hashlib.sha256(policy_file.read_bytes()).hexdigest()
    assert source["values"] == {"profile": "acro-default", "threshold": 10,
                                "mitigation": ["suppress", "round"]}
    assert identity["rules"]["threshold"] == 10 and identity["rules"]["round_base"] == 5
    assert identity["allowed_sdc_folders"] == ["/srv/sdc"]
    assert stat.S_IMODE(policy_file.stat().st_mode) == 0o444


# -- the export gate ---------------------------------------------------------------------------
def judged_record(call: dict | None = None, **rules) -> dict:
    session = sdc.Session(**rules)
    session.crosstab(small_table().a, small_table().b, label="Table 1", **(call or {}))
    return session.outputs[-1].to_dict()


def test_the_gate_applies_the_policy_s_stricter_verdict(tmp_path, monkeypatch):
    record = judged_record(threshold=5)  # before the policy: 7 passes under 5
    assert record["status"] == "pass"
    # the project's sdc.toml asks for 5 too; the policy, found at export, for 10
    required = load_config(project(tmp_path / "p", "threshold = 5") / "sdc.toml").required_rules
    assert judge_again([record], required, policy=None).notes == []
    monkeypatch.setenv(POLICY_ENV, str(write_policy(tmp_path / "tre", "[rules]\n")))
    result = judge_again([record], required)
    assert result.problems == []
    [note] = result.notes
    assert "judged with threshold 5; the TRE policy requires 10: now fail" in note
    assert result.records[0]["status"] == "fail"
    assert "the TRE policy requires 10" in " ".join(result.records[0]["reasons"])


def test_the_gate_says_who_requires_more(tmp_path, monkeypatch):
    record = judged_record(threshold=5)
    folder = project(tmp_path / "p", "threshold = 8")
    required = load_config(folder / "sdc.toml").required_rules
    monkeypatch.setenv(POLICY_ENV, str(write_policy(tmp_path / "tre", "[rules]\nthreshold = 9\n")))
    [note] = judge_again([record], required).notes
    assert "threshold 5; the TRE policy requires 9" in note
    required = required.replace(threshold=12)
    [note] = judge_again([record], required).notes
    assert "threshold 5; the project requires 12" in note


def test_the_gate_refuses_counts_not_rounded_as_the_policy_requires(tmp_path, monkeypatch):
    record = judged_record(threshold=5)
    required = load_config(project(tmp_path / "p") / "sdc.toml").required_rules
    monkeypatch.setenv(POLICY_ENV, str(write_policy(tmp_path / "tre", POLICY)))
    result = judge_again([record], required)
    [problem] = result.problems
    assert "not rounded, but the TRE policy requires rounding to 5; re-run the cell" in problem
    rounded = judged_record({"suppress": True, "round": True})
    assert judge_again([rounded], required).problems == []


def test_the_gate_refuses_an_unprotected_policy_at_export(tmp_path, monkeypatch):
    record = judged_record()
    monkeypatch.setenv(POLICY_ENV, str(write_policy(tmp_path / "tre", mode=0o644)))
    result = judge_again([record], RuleValues())
    assert result.records == [] and "is not protected" in result.problems[0]


def test_session_export_applies_the_policy(tmp_path, monkeypatch):
    folder = project(tmp_path / "p", "threshold = 5")
    session = sdc.Session(project_dir=folder)
    df = small_table()
    session.crosstab(df.a, df.b, label="Table 1", title="Counts",
                     explanation="Counts of a by b.")
    big = pd.DataFrame({"a": ["x"] * 12 + ["y"] * 23, "b": "p"})
    session.crosstab(big.a, big.b, label="Table 2", title="Counts",
                     explanation="Counts of a by b, every cell 10 or more.")
    monkeypatch.setenv(POLICY_ENV, str(write_policy(tmp_path / "tre", "[rules]\n")))
    result = session.export()
    assert [uid for uid, _ in result.left_out] == [session.get("Table 1").uid]
    assert any("the TRE policy requires 10" in w for w in result.warnings)


def test_the_init_template_names_no_profile_so_it_works_under_any_policy(tmp_path, monkeypatch):
    from jupyter_sdc.export.config import init_config

    path = write_policy(tmp_path / "tre", "[rules]\nprofile = 'uk-llc'\n")
    monkeypatch.setenv(POLICY_ENV, str(path))
    (tmp_path / "project").mkdir()
    template = init_config(tmp_path / "project").read_text(encoding="utf-8")
    rules = template.split("[rules]", 1)[1].split("[export]", 1)[0]
    assert not [line for line in rules.splitlines() if line and not line.startswith("#")]
    assert sdc.Session(project_dir=tmp_path / "project").rules.profile == "uk-llc"


def test_rules_applied_records_the_policy_by_file_name_and_digest(policy_file):
    from jupyter_sdc.export.rules_applied import rules_applied_document

    document = rules_applied_document([], RuleValues())
    [source] = document["policy"]["files"]
    assert source["file"] == "jupyter_sdc_policy.toml" and "path" not in source
    assert source["sha256"] == read_source(policy_file).sha256
    assert source["name"] == "Example TRE" and document["policy"]["rules"]["threshold"] == 10
    assert str(policy_file.parent) not in json.dumps(document)
