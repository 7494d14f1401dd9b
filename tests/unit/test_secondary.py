"""Secondary suppression: complementary cells chosen so an attacker cannot recover primaries."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from jupyter_sdc.core.audit import audit
from jupyter_sdc.core.secondary import interior, protect

HEART = np.array([[1, 0], [10, 90], [15, 75], [25, 60]])


def attacker(values, suppressed):
    """Independent brute-force attacker: integer min/max of every suppressed cell.

    Unknowns are all cells; published cells and every line total (true margins) are equations;
    counts are non-negative integers. Solved cell by cell as integer programs.
    """
    values = np.asarray(values, dtype=float)
    shape, n = values.shape, values.size
    rows, rhs = [], []
    for pos in zip(*np.nonzero(~suppressed), strict=True):
        row = np.zeros(shape)
        row[pos] = 1
        rows.append(row.ravel())
        rhs.append(values[pos])
    for axis in range(values.ndim):
        others = [range(s) for k, s in enumerate(shape) if k != axis]
        for rest in itertools.product(*others):
            row = np.zeros(shape)
            index = list(rest)
            index.insert(axis, slice(None))
            row[tuple(index)] = 1
            rows.append(row.ravel())
            rhs.append(values[tuple(index)].sum())
    cons = LinearConstraint(np.array(rows), rhs, rhs)
    lower, upper = np.full(shape, np.nan), np.full(shape, np.nan)
    for pos in zip(*np.nonzero(suppressed), strict=True):
        c = np.zeros(shape)
        c[pos] = 1
        for sign, out in ((1, lower), (-1, upper)):
            res = milp(sign * c.ravel(), constraints=cons, integrality=np.ones(n),
                       bounds=Bounds(0, np.inf))
            assert res.status == 0
            out[pos] = round(sign * res.fun)
    return lower, upper


def widest(values):
    """Interval of each cell when only the margins are published (Frechet bounds)."""
    r, c, t = values.sum(axis=1)[:, None], values.sum(axis=0)[None, :], values.sum()
    return np.minimum(r, c) - np.maximum(0, r + c - t)


def assert_protected_as_far_as_possible(values, primary, protection, result):
    lower, upper = attacker(values, result.suppressed)
    width = upper - lower
    # the audit reports what the independent attacker finds
    np.testing.assert_array_equal(np.isnan(result.audit.lower), ~result.suppressed)
    np.testing.assert_allclose(result.audit.lower[result.suppressed], lower[result.suppressed])
    np.testing.assert_allclose(result.audit.upper[result.suppressed], upper[result.suppressed])
    assert not (result.secondary & primary).any()
    best = widest(values)
    need = np.full(values.shape, 1.0 if protection is None else protection)
    achievable = True
    for pos in zip(*np.nonzero(primary), strict=True):
        if best[pos] == 0:  # the totals alone fix it: nothing can protect it
            achievable = False
            continue
        assert width[pos] >= min(need[pos], best[pos]), (pos, width[pos])
        achievable &= bool(best[pos] >= need[pos])
    secondary_widths = width[result.secondary]
    assert (secondary_widths > 0).all()  # no complementary cell is recoverable exactly
    assert result.audit.protected is achievable


@st.composite
def tables(draw):
    r = draw(st.integers(2, 5))
    c = draw(st.integers(2, 5))
    cells = st.integers(0, 30)
    values = np.array(draw(st.lists(cells, min_size=r * c, max_size=r * c))).reshape(r, c)
    flags = draw(st.lists(st.booleans(), min_size=r * c, max_size=r * c))
    primary = np.array(flags).reshape(r, c) & (values < 10)
    protection = draw(st.sampled_from([None, 1, 3, 5, 10]))
    return values, primary, protection


@settings(max_examples=50, deadline=None)
@given(tables(), st.sampled_from(["cells", "value"]))
def test_property_milp_leaves_no_primary_recoverable(case, cost):
    values, primary, protection = case
    result = protect(values, primary, protection=protection, method="milp", cost=cost)
    assert result.method in ("milp", "none")
    assert_protected_as_far_as_possible(values, primary, protection, result)


@settings(max_examples=50, deadline=None)
@given(tables())
def test_property_hypercube_is_safe_and_never_beats_the_optimum(case):
    values, primary, protection = case
    cube = protect(values, primary, protection=protection, method="hypercube")
    lower, upper = attacker(values, cube.suppressed)
    assert ((upper - lower)[cube.suppressed] > 0).all() or not cube.audit.protected
    if cube.audit.protected:
        assert_protected_as_far_as_possible(values, primary, protection, cube)
        best = protect(values, primary, protection=protection, method="milp")
        assert best.optimal
        assert best.cost <= cube.cost


@settings(max_examples=10, deadline=None)
@given(tables().filter(lambda case: case[0].shape == (3, 3) or case[0].size <= 8))
def test_property_milp_is_as_small_as_an_exhaustive_search(case):
    values, primary, protection = case
    result = protect(values, primary, protection=protection, method="milp")
    if not result.audit.protected or not primary.any():
        return
    free = np.flatnonzero(~primary.ravel())
    for size in range(int(result.secondary.sum())):
        for extra in itertools.combinations(free, size):
            pattern = primary.ravel().copy()
            pattern[list(extra)] = True
            trial = audit(values, pattern.reshape(values.shape), primary=primary,
                          protection=None if protection is None else protection)
            assert not trial.protected, f"{size} cells suffice, MILP used {result.cost}"


def test_heart_disease_example_protected_by_complementary_cells():
    primary = np.zeros(HEART.shape, bool)
    primary[0, 0] = True
    result = protect(HEART, primary)
    assert result.secondary[0, 1]  # the other cell of the 21-30 band must go too
    assert result.secondary.sum() == 3  # plus a second band: a 2x2 cube
    assert result.audit.protected and result.optimal and result.method == "milp"
    assert result.cost == 3
    assert_protected_as_far_as_possible(HEART, primary, None, result)


def test_heart_disease_band_of_one_cannot_reach_the_threshold():
    # the 21-30 row total is 1: whatever is suppressed, the cell lies in [0, 1]
    primary = np.zeros(HEART.shape, bool)
    primary[0, 0] = True
    result = protect(HEART, primary, protection=10)
    assert not result.audit.protected
    assert any("totals allow at most 1" in note for note in result.notes)
    assert "width 1 < protection 10" in result.audit.failures[0]


def test_value_cost_prefers_small_complementary_cells():
    values = np.array([[2, 40, 12], [30, 50, 60], [11, 70, 13]])
    primary = np.zeros(values.shape, bool)
    primary[0, 0] = True
    by_cells = protect(values, primary, protection=5)
    by_value = protect(values, primary, protection=5, cost="value")
    assert by_cells.cost == 3 and by_value.secondary.sum() == 3
    # cheapest cube: (0, 2), (2, 0), (2, 2) = 12 + 11 + 13
    assert by_value.cost == 36
    assert by_value.secondary[0, 2] and by_value.secondary[2, 0] and by_value.secondary[2, 2]


def test_all_zero_row_is_reported_not_silently_passed():
    values = np.array([[0, 0, 0], [4, 12, 20], [9, 15, 11]])
    primary = np.zeros(values.shape, bool)
    primary[0, 1] = True
    result = protect(values, primary, protection=10)
    assert not result.audit.protected
    assert any("(0, 1) cannot be protected" in note for note in result.notes)


def test_time_limit_falls_back_to_the_hypercube_and_says_so():
    rng = np.random.default_rng(7)
    values = rng.poisson(rng.uniform(3, 60, size=(40, 40)))
    primary = values < 10
    result = protect(values, primary, protection=10, time_limit=1e-4)
    assert result.method == "hypercube" and not result.optimal
    assert any("time limit" in note for note in result.notes)
    assert result.audit.protected


@pytest.mark.parametrize("seed", [3, 4])
def test_three_way_table_is_protected_as_far_as_the_totals_allow(seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 25, size=(3, 3, 2))
    primary = values < 6
    result = protect(values, primary, protection=3)
    lower, upper = attacker(values, result.suppressed)
    np.testing.assert_allclose(result.audit.upper[result.suppressed],
                               upper[result.suppressed])
    low_all, up_all = attacker(values, np.ones(values.shape, bool))
    need = np.minimum(3, up_all - low_all)
    assert ((upper - lower)[primary] >= need[primary]).all()
    assert ((upper - lower)[result.suppressed] > 0).all()
    assert result.audit.protected is bool((need[primary] == 3).all())


def test_three_way_table_by_hypercube_is_audited_honestly():
    rng = np.random.default_rng(4)
    values = rng.integers(0, 25, size=(3, 3, 2))
    primary = values < 6
    result = protect(values, primary, protection=3, method="hypercube")
    lower, upper = attacker(values, result.suppressed)
    np.testing.assert_allclose(result.audit.lower[result.suppressed], lower[result.suppressed])
    np.testing.assert_allclose(result.audit.upper[result.suppressed], upper[result.suppressed])
    if result.audit.protected:
        assert ((upper - lower)[primary] >= 3).all()
    best = protect(values, primary, protection=3, method="milp")
    assert best.cost <= result.cost or not result.audit.protected


def test_non_integer_magnitudes_are_protected():
    values = np.array([[2.5, 40.25, 12.0], [30.0, 50.5, 60.0], [11.0, 70.0, 13.75]])
    primary = np.zeros(values.shape, bool)
    primary[0, 0] = True
    for method in ("milp", "hypercube"):
        result = protect(values, primary, protection=5.0, method=method)
        assert result.audit.protected, method
        assert result.audit.upper[0, 0] - result.audit.lower[0, 0] >= 5.0


def test_without_margins_primary_suppression_is_enough():
    primary = np.zeros(HEART.shape, bool)
    primary[0, 0] = True
    result = protect(HEART, primary, margins=False)
    assert not result.secondary.any() and result.audit.protected


def test_interior_strips_margins_and_refuses_a_table_without_them():
    with_margins = np.array([[1, 0, 1], [10, 90, 100], [11, 90, 101]])
    np.testing.assert_array_equal(interior(with_margins), [[1, 0], [10, 90]])
    with pytest.raises(ValueError, match="table has no margins"):
        interior(HEART)


@pytest.mark.parametrize(
    ("values", "kwargs", "message"),
    [
        (-HEART, {}, "values must be non-negative for secondary suppression"),
        (HEART * 1.0 + np.nan * (HEART == 90), {}, "values must be finite"),
        (np.array([[7]]), {}, "axis of length 1"),
        (np.array([[3, 4, 5]]), {}, "axis of length 1"),
        (HEART, {"cost": "money"}, "cost must be one of"),
        (HEART, {"method": "greedy"}, "method must be one of"),
        (HEART, {"time_limit": 0}, "time_limit must be a positive"),
        (HEART, {"protection": -3}, "protection must be finite and non-negative"),
    ],
)
def test_bad_input_names_the_argument(values, kwargs, message):
    primary = np.zeros(np.shape(values), bool)
    primary.flat[0] = True
    with pytest.raises(ValueError, match=message):
        protect(values, primary, **kwargs)


def test_primary_must_match_the_table():
    with pytest.raises(ValueError, match="primary must have the shape"):
        protect(HEART, np.zeros((2, 2), bool))
