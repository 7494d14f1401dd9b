"""Random tables for the agreement tests: sparse cells, dominant contributors, negatives,
missing values (NaN and null), missing keys, and units with several rows.

Every contribution is a whole number, so every engine's sums are exact whatever their order
and a share can never move across a rule's boundary by rounding.
"""

from __future__ import annotations

import math

import pyarrow as pa
from hypothesis import strategies as st

TYPES = {"a": pa.string(), "b": pa.int64(), "c": pa.float64(), "v": pa.float64(),
         "w": pa.float64(), "u": pa.int64()}

_value = st.one_of(
    st.integers(-20, 60).map(float),               # ordinary, some negative
    st.integers(1_000, 5_000).map(float),          # a dominant contributor
    st.sampled_from([None, math.nan]),             # missing: null and NaN
)
_weights = st.sampled_from([
    ["x", "x", "x", "y", "z", None],               # one big cell, sparse others
    ["x", "y", "z"],
    ["x"],
])


@st.composite
def tables(draw: st.DrawFn, max_rows: int = 40) -> pa.Table:
    n = draw(st.integers(1, max_rows))
    a_pool = draw(_weights)
    columns = {
        "a": draw(st.lists(st.sampled_from(a_pool), min_size=n, max_size=n)),
        "b": draw(st.lists(st.sampled_from([1, 2, 3]), min_size=n, max_size=n)),
        "c": draw(st.lists(st.sampled_from([0.5, 1.5, 1.5, math.nan, None]), min_size=n,
                           max_size=n)),
        "v": draw(st.lists(_value, min_size=n, max_size=n)),
        "w": draw(st.lists(st.one_of(st.integers(0, 9).map(float), st.none()), min_size=n,
                           max_size=n)),
        # few units, so most have several rows, some in several cells
        "u": draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)),
    }
    return pa.table({k: pa.array(v, type=TYPES[k], from_pandas=False)
                     for k, v in columns.items()})


#: (values, aggfunc) pairs the pivot tests draw from
PIVOTS = [
    (None, "count"),
    ("v", "mean"),
    ("v", "sum"),
    ("v", "count"),
    ("v", "median"),
    ("v", "max"),
    ("v", "min"),
    ("v", "std"),
    (["v", "w"], "mean"),
    (["v", "w"], "sum"),
    (["v"], ["mean", "count"]),
    (["v", "w"], {"v": "sum", "w": "max"}),
]
