"""Issue 9, class 7: fail-open displays in a checked cell.

"A checked cell that displays anything derived from data shows a badge, and an untraceable one
is review": text renderings of a table (``to_latex``, ``to_string``, ``to_html``) and a scalar
taken from the data (``str(df.income.max())``, ``s.sort_values().iloc[-1]``) recorded nothing
and showed no badge. Each of these discloses something (South x M has 4 people; a maximum is
one person's value), so the record must not be ``pass``.
"""

from __future__ import annotations

import pytest
from shell_kit import run

import jupyter_sdc as sdc

DISPLAYS = {
    "print(t.to_latex())": "print(t.to_latex())",
    "t.to_string()": "t.to_string()",
    "print(t.to_string())": "print(t.to_string())",
    "t.to_html()": "t.to_html()",
    "str(df.income.max())": "str(df.income.max())",
    "print(df.income.max())": "print(f'Top earner: {df.income.max():,.0f}')",
    "s.sort_values().iloc[-1]": "s.sort_values().iloc[-1]",
    "float(df.income.max())": "float(df.income.max())",
}


@pytest.mark.parametrize("shown", list(DISPLAYS))
def test_a_checked_cell_that_displays_data_shows_a_badge_that_is_not_pass(ip, shown):
    # made in an earlier, unchecked cell, as researchers do
    run(ip, "t = pd.crosstab(df.rgn, df.sex)\ns = df.income")
    ran = run(ip, "%%sdc_check\n" + DISPLAYS[shown])
    assert ran.records, f"{shown}: no badge, no record (fail-open)"
    assert all(r["status"] in ("review", "fail") for r in ran.records), \
        [(r["status"], r["reasons"]) for r in ran.records]
    assert [o.uid for o in sdc.session().outputs] == [r["uid"] for r in ran.records]
