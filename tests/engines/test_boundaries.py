"""The rules' exact boundaries give the same verdict on every engine.

Contributions are whole numbers, so 90 of 100 is exactly 0.90 wherever it is summed.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
from engine_sources import LOCAL, on_engine

from jupyter_sdc.core.assess import assess
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.engines import pivot

ENGINES = ("pandas", *LOCAL, "spark")


def _cells() -> dict[str, list[tuple[float | None, int]]]:
    """Per cell: (contribution, unit) of each record; a unit's rows are summed first."""
    return {
        # threshold 10: 9 contributors fail, 10 pass
        "nine": [(5.0, u) for u in range(9)],
        "ten": [(5.0, u) for u in range(10)],
        # 12 records of 9 units: passes counting records, fails counting units
        "twelve_rows_nine_units": [(5.0, u) for u in range(9)] + [(5.0, 0), (5.0, 3), (5.0, 8)],
        # 10 rows but one missing value: 9 contributors to a mean
        "ten_rows_nine_values": [(5.0, u) for u in range(9)] + [(math.nan, 9)],
        # nk (2, 0.90): the two largest are exactly 90 of 100, or 89 of 100
        "nk_at": [(35.0, 0), (25.0, 0), (30.0, 1)] + [(1.0, u) for u in range(2, 12)],
        "nk_below": [(60.0, 0), (29.0, 1)] + [(1.0, u) for u in range(2, 13)],
        # p% 0.10: what the others hold is exactly 10% of the largest, or 9.9%
        "p_at": [(600.0, 0), (400.0, 0), (100.0, 1)] + [(10.0, u) for u in range(2, 12)],
        "p_below": [(1000.0, 0), (100.0, 1)] + [(10.0, u) for u in range(2, 11)] + [(9.0, 11)],
    }


def _table(cells: dict[str, list[tuple[float | None, int]]]) -> pa.Table:
    rows = [(name, v, u) for name, records in cells.items() for v, u in records]
    return pa.table({
        "cell": pa.array([r[0] for r in rows], pa.string()),
        "v": pa.array([r[1] for r in rows], pa.float64(), from_pandas=False),
        "u": pa.array([f"{r[0]}-{r[2]}" for r in rows], pa.string()),
    })


def _flags(engine, spark, aggfunc, unit, rule, table=None):
    source = on_engine(table if table is not None else _table(_cells()), engine, spark)
    result, evidence = pivot(source, values="v", index="cell", aggfunc=aggfunc, unit=unit)
    out = assess(result, evidence, RuleValues(), uid="b1")
    return out.flags[rule].iloc[:, 0].to_dict(), out.counts.iloc[:, 0].to_dict()


@pytest.fixture
def session(request, engine):
    return request.getfixturevalue("spark") if engine == "spark" else None


@pytest.mark.parametrize("unit", [None, "u"])
@pytest.mark.parametrize("engine", ENGINES)
def test_threshold_boundary(engine, session, unit):
    flags, counts = _flags(engine, session, "mean", unit, "threshold")
    assert counts["nine"] == 9 and counts["ten"] == 10
    assert flags["nine"] and not flags["ten"]
    assert counts["ten_rows_nine_values"] == 9 and flags["ten_rows_nine_values"]
    assert counts["twelve_rows_nine_units"] == (12 if unit is None else 9)
    assert flags["twelve_rows_nine_units"] == (unit is not None)


@pytest.mark.parametrize("unit", [None, "u"])
@pytest.mark.parametrize("engine", ENGINES)
def test_dominance_boundaries(engine, session, unit):
    nk, _ = _flags(engine, session, "sum", unit, "nk")
    p, _ = _flags(engine, session, "sum", unit, "p_percent")
    if unit is None:
        # row by row the split contributions are not dominant by themselves
        assert not nk["nk_at"] and not p["p_at"]
    else:
        assert nk["nk_at"], "90 of 100 is dominated (>= 0.90)"
        assert not p["p_at"], "others hold exactly 10% of the largest: passes"
    assert not nk["nk_below"], "89 of 100 is not"
    assert p["p_below"], "9.9% fails p = 10%"


@pytest.mark.parametrize("engine", ENGINES)
def test_row_level_dominance_boundaries(engine, session):
    cells = {
        "nk_at": [(60.0, 0), (30.0, 1)] + [(1.0, u) for u in range(2, 12)],
        "nk_below": [(60.0, 0), (29.0, 1)] + [(1.0, u) for u in range(2, 13)],
        "p_at": [(1000.0, 0), (100.0, 1)] + [(10.0, u) for u in range(2, 12)],
        "p_below": [(1000.0, 0), (100.0, 1)] + [(10.0, u) for u in range(2, 11)] + [(9.0, 11)],
    }
    table = _table(cells)
    nk, _ = _flags(engine, session, "sum", None, "nk", table)
    p, _ = _flags(engine, session, "sum", None, "p_percent", table)
    assert nk == {"nk_at": True, "nk_below": False, "p_at": True, "p_below": True}
    assert p == {"nk_at": False, "nk_below": False, "p_at": False, "p_below": True}


@pytest.mark.parametrize("engine", ENGINES)
def test_min_max_holders(engine, session):
    cells = {
        "one_holder": [(float(v), v) for v in range(1, 13)],
        "ten_holders": [(5.0, u) for u in range(10)] + [(1.0, 10), (2.0, 11)],
    }
    flags, counts = _flags(engine, session, "max", None, "min_max", _table(cells))
    assert flags == {"one_holder": True, "ten_holders": False}
    assert counts == {"one_holder": 12, "ten_holders": 12}
    low, _ = _flags(engine, session, "min", None, "min_max", _table(cells))
    assert low == {"one_holder": True, "ten_holders": True}


def test_boundary_data_is_what_it_says():
    """The fixtures mean what their names claim (so the tests above can fail)."""
    cells = _cells()
    total = sum(v for v, _ in cells["nk_below"])
    assert total == 100 and sorted((v for v, _ in cells["nk_below"]), reverse=True)[:2] == \
        [60.0, 29.0]
    others = sum(v for v, _ in cells["p_below"]) - 1100
    assert np.isclose(others / 1000, 0.099)
