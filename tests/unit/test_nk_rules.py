"""Several n,k dominance rules at once: one rule id nk, the failing pairs named, exact bounds."""

import json

import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rejudge import differences, rejudge
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.export.results_json import acro_config

ABS = [[1, 0.50], [2, 0.67]]


def contributions(*cells: list[float]) -> pd.DataFrame:
    """One row per contribution; cell i of column "c" holds ``cells[i]``."""
    rows = [(f"g{i}", "c", v) for i, values in enumerate(cells) for v in values]
    return pd.DataFrame(rows, columns=["group", "col", "income"])


def sums(session: sdc.Session, df: pd.DataFrame) -> Output:
    session.crosstab(df.group, df.col, values=df.income, aggfunc="sum")
    return session.outputs[-1]


def saved_and_back(output: Output) -> Output:
    return Output.from_dict(json.loads(json.dumps(output.to_dict())))


# -- the rule value ----------------------------------------------------------------------------
def test_nk_holds_pairs_and_the_shorthand_means_one_pair():
    rules = RuleValues().replace(nk=ABS)
    assert rules.nk == ((1, 0.5), (2, 0.67))
    assert rules.replace(nk_n=3).nk == ((3, 0.67),)          # one pair, k from the mirror
    assert rules.replace(nk_n=1, nk_k=0.6).nk == ((1, 0.6),)
    assert RuleValues(nk_n=1, nk_k=0.5).nk == ((1, 0.5),)
    assert RuleValues().nk == ((2, 0.9),) and (RuleValues().nk_n, RuleValues().nk_k) == (2, 0.9)
    assert RuleValues.from_dict(rules.to_dict()) == rules
    assert RuleValues.from_dict({"nk_n": 3, "nk_k": 0.5}).nk == ((3, 0.5),)  # older records


@pytest.mark.parametrize(("value", "words"), [
    ([2, 0.9], "list of [n, k] pairs"),
    ([], "list of [n, k] pairs"),
    ([[0, 0.5]], "n >= 1"),
    ([[1, 1.5]], "k in (0, 1]"),
    ([[True, 0.5]], "list of [n, k] pairs"),
    ("2,0.9", "list of [n, k] pairs"),
])
def test_a_bad_nk_is_refused_with_an_example(value, words):
    with pytest.raises(ValueError, match="rule value nk=") as err:
        RuleValues().replace(nk=value)
    assert words in str(err.value) and "[[1, 0.5], [2, 0.67]]" in str(err.value)


def test_nk_and_a_disagreeing_shorthand_in_one_layer_are_refused():
    with pytest.raises(ValueError, match="nk_n = 1 and nk = \\[\\[2, 0.9\\]\\] disagree"):
        sdc.Session(nk=[[2, 0.9]], nk_n=1)
    assert sdc.Session(nk=ABS, nk_n=2, nk_k=0.67).rules.nk == ((1, 0.5), (2, 0.67))


def test_the_evidence_keeps_contributions_up_to_the_largest_n():
    assert RuleValues().top_k == 2 and RuleValues().replace(nk=[[1, 0.5]]).top_k == 2
    session = sdc.Session(threshold=1, nk=[[1, 0.5], [4, 0.95]])
    out = sums(session, contributions([40, 30, 20, 9, 1]))
    grids = out.evidence.grids
    assert {"share_1", "share_2", "share_3", "share_4"} <= set(grids)
    assert float(grids["share_4"].iloc[0, 0]) == pytest.approx(0.99)
    assert out.flags["nk"].iloc[0, 0]  # top 4 = 99% >= 95%
    assert "(4, 95%)" in " ".join(out.reasons) and "(1, 50%)" not in " ".join(out.reasons)


# -- (1, 50 %) and (2, 67 %) at once, at their boundaries ------------------------------------------
@pytest.mark.parametrize(("values", "failed"), [
    ([50, 17, 17, 16], ["(1, 50%)", "(2, 67%)"]),  # largest 50 %, two largest 67 %: both at k
    ([49, 18, 17, 16], ["(2, 67%)"]),              # 49 % passes (1,50); 67 % fails (2,67)
    ([50, 16, 16, 16, 2], ["(1, 50%)"]),           # 50 % fails (1,50); 66 % passes (2,67)
    ([49, 17, 17, 17], []),                        # 49 % and 66 %: passes both
])
def test_both_abs_pairs_at_once_fail_at_k(values, failed):
    out = sums(sdc.Session(threshold=1, p_percent=0.01, nk=ABS), contributions(values))
    assert bool(out.flags["nk"].iloc[0, 0]) is bool(failed)
    assert out.checks["nk"] == ("fail" if failed else "pass")
    reason = " ".join(r for r in out.reasons if "(nk)" in r)
    assert all(pair in reason for pair in failed)
    assert not any(pair in reason for pair in {"(1, 50%)", "(2, 67%)"} - set(failed))
    assert "or more" in reason or not failed


@pytest.mark.parametrize(("values", "fails"), [
    ([50, 17, 17, 16], False),      # exactly 50 % and 67 %: "should not exceed", both pass
    ([51, 15, 15, 15, 4], True),    # 51 %: exceeds (1,50); 66 % passes (2,67)
    ([40, 28, 16, 16], True),       # 68 %: exceeds (2,67); 40 % passes (1,50)
])
def test_strict_nk_fails_only_above_k_as_abs_says(values, fails):
    out = sums(sdc.Session(threshold=1, p_percent=0.01, nk=ABS, nk_strict=True),
               contributions(values))
    assert bool(out.flags["nk"].iloc[0, 0]) is fails
    if fails:
        assert "more than k" in " ".join(out.reasons)


def test_abs_profile_passes_the_boundary_and_fails_above_it():
    session = sdc.Session(profile="abs-datalab", threshold=1, p_percent=0.01)
    at_k = sums(session, contributions([50, 17, 17, 16]))
    above = sums(session, contributions([51, 16, 16, 16, 1]))
    assert at_k.checks["nk"] == "pass" and above.checks["nk"] == "fail"


def test_each_cell_fails_by_its_own_pair_and_the_reason_names_both():
    df = contributions([60, 20, 20], [40, 30, 30], [30, 30, 40])
    out = sums(sdc.Session(threshold=1, p_percent=0.01, nk=ABS), df)
    assert out.flags["nk"]["c"].tolist() == [True, True, True]  # (1,50); (2,67); (2,67): 70 %
    [reason] = [r for r in out.reasons if "(nk)" in r]
    assert reason.startswith("3 cells are dominated") and "(1, 50%) and (2, 67%)" in reason


def test_several_pairs_judged_again_from_the_record_and_one_nk_check_in_results():
    out = sums(sdc.Session(threshold=1, p_percent=0.01, nk=ABS),
               contributions([50, 17, 17, 16], [10] * 10))
    back = saved_and_back(out)
    assert differences(back, rejudge(back, RuleValues.from_dict(back.rules))) == []
    assert [k for k in back.checks if k == "nk"] == ["nk"]
    config = acro_config([out.to_dict()])
    assert config["nk"] == ABS and config["safe_nk_n"] == 2


def test_a_record_judged_again_under_a_larger_n_than_saved_asks_for_a_rerun():
    out = saved_and_back(sums(sdc.Session(threshold=1), contributions([50, 17, 33])))
    judgement = rejudge(out, RuleValues().replace(nk=[[3, 0.9]]))
    assert judgement.checks.get("custom") == "review"
    assert any("needs 3" in r and "re-run the cell" in r for r in judgement.reasons)
