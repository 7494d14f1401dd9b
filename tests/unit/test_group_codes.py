"""The magic's groupby check reuses the groups pandas made; its record must be the one the
keys factorised afresh give, whatever the groupby's options."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupyter_sdc.adapters.axis import KeyCodes
from jupyter_sdc.adapters.summary import check_grouped
from jupyter_sdc.capture.grouped import group_codes
from jupyter_sdc.capture.lineage import GroupSpec
from jupyter_sdc.core.rules import RuleValues


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 3_000
    region = rng.choice(["North", "South", "East", "Wales", None], n, p=[.4, .3, .2, .004, .096])
    return pd.DataFrame({
        "region": region,
        "sex": rng.choice(["F", "M"], n),
        "band": pd.Categorical(rng.choice(["16-24", "25-64", "65+"], n),
                               categories=["16-24", "25-64", "65+", "unused"]),
        "income": np.where(rng.random(n) < 0.05, np.nan, rng.gamma(2.0, 15_000, n)),
    })


CASES = [
    (["region", "sex"], {}),
    (["sex", "region"], {"sort": False}),
    (["region", "band"], {"observed": True}),
    (["band", "sex"], {"observed": False}),
    (["region"], {}),
]


@pytest.mark.parametrize(("keys", "options"), CASES)
def test_reused_groups_give_the_record_of_fresh_codes(keys, options):
    df = _frame()
    grouped = df.groupby(keys, **options)["income"]
    result = grouped.mean()
    codes = group_codes(grouped, GroupSpec(data=df, by=keys), keys)
    rules = RuleValues()
    fast = check_grouped(df, keys, "income", "mean", result, rules=rules, uid="a",
                         row_codes=codes)
    fresh = check_grouped(df, keys, "income", "mean", result, rules=rules, uid="a")
    assert fast.status == fresh.status
    pd.testing.assert_frame_equal(fast.counts, fresh.counts)
    for rule in fresh.flags:
        pd.testing.assert_frame_equal(fast.flags[rule], fresh.flags[rule])
    assert fast.to_dict()["evidence"] == fresh.to_dict()["evidence"]


def test_two_keys_use_the_groups_pandas_combined():
    """The fast path is taken where it applies (pandas 3 exposes the groups it made)."""
    df = _frame()
    grouped = df.groupby(["region", "sex"])["income"]
    grouped.mean()
    if not hasattr(grouped._grouper, "result_index_and_ids"):
        pytest.skip("this pandas does not expose the groups it combined")
    codes = group_codes(grouped, GroupSpec(data=df, by=["region", "sex"]), ["region", "sex"])
    assert isinstance(codes, KeyCodes)
    assert codes.combined() is not None


def test_a_group_of_missing_keys_kept_by_dropna_false_is_counted():
    """pandas shows it (dropna=False); its count is the records with that key missing."""
    df = _frame()
    grouped = df.groupby(["region", "sex"], dropna=False)["income"]
    result = grouped.mean()
    codes = group_codes(grouped, GroupSpec(data=df, by=["region", "sex"], dropna=False),
                        ["region", "sex"])
    out = check_grouped(df, ["region", "sex"], "income", "mean", result, rules=RuleValues(),
                        uid="a", row_codes=codes)
    missing = df[df["region"].isna() & df["income"].notna()]
    counted = out.counts.iloc[:, 0]
    at = counted.index.get_level_values("region").isna()
    by_sex = dict(zip(counted.index.get_level_values("sex")[at], counted[at], strict=True))
    assert by_sex == {sex: (missing["sex"] == sex).sum() for sex in ("F", "M")}
    assert min(by_sex.values()) > 0
