"""The attacker's audit: feasible intervals of suppressed cells given the true margins."""

import json

import numpy as np
import pytest

from jupyter_sdc.core.audit import audit

# Age band x heart disease (yes, no); published example: 21-30 is 1/1, total 51/276.
HEART = np.array([[1, 0], [10, 90], [15, 75], [25, 60]])


def mask(shape, *cells):
    m = np.zeros(shape, dtype=bool)
    for c in cells:
        m[c] = True
    return m


def test_redacting_one_cell_with_true_totals_gives_it_back():
    result = audit(HEART, mask(HEART.shape, (0, 0)), protection=10)
    assert not result.protected
    assert result.exact[0, 0]
    assert result.lower[0, 0] == result.upper[0, 0] == 1
    assert "(0, 0) can be recovered exactly" in result.failures[0]
    assert result.failing_cells == [(0, 0)]
    assert np.isnan(result.lower[1, 1])  # published cells have no interval


def test_redacting_the_whole_band_still_gives_it_back():
    result = audit(HEART, mask(HEART.shape, (0, 0), (0, 1)))
    assert result.exact[0, 0] and result.exact[0, 1]
    assert (result.lower[0, 0], result.lower[0, 1]) == (1, 0)


def test_failures_name_cells_by_label():
    names = (["21-30", "31-40", "41-50", "51+"], ["yes", "no"])
    result = audit(HEART, mask(HEART.shape, (0, 0)), names=names)
    assert "(21-30, yes)" in result.failures[0]


@pytest.mark.parametrize(("protection", "protected"), [(12, True), (12.5, False), (13, False)])
def test_hypercube_interval_and_protection_boundary(protection, protected):
    # all four cells of a 2x2 table suppressed: (0, 0) may rise by min(7, 8), fall by min(5, 9)
    values = np.array([[5, 7], [8, 9]])
    result = audit(values, np.ones((2, 2), bool), protection=protection)
    assert (result.lower[0, 0], result.upper[0, 0]) == (0, 12)
    assert result.protected is protected
    if not protected:
        assert "width 12 < protection" in result.failures[0]


def test_protection_applies_to_primary_cells_only():
    values = np.array([[5, 7], [8, 9]])
    supp = np.ones((2, 2), bool)
    # (1, 1) lies in [4, 16], (0, 1) in [0, 12]: both narrower than 20, only (0, 1) is primary
    result = audit(values, supp, protection=np.full((2, 2), 20.0), primary=mask((2, 2), (0, 1)))
    assert result.failing_cells == [(0, 1)]
    assert (result.lower[1, 1], result.upper[1, 1]) == (4, 16)


def test_a_secondary_cell_recoverable_exactly_fails():
    # zero cells next to each other: the row of suppressed cells sums to 0, so both are 0
    values = np.array([[0, 0, 4], [3, 5, 6], [2, 2, 2]])
    result = audit(values, mask(values.shape, (0, 0), (0, 1), (1, 0), (1, 1)),
                   primary=mask(values.shape, (0, 0)))
    assert result.exact[0, 0] and result.exact[0, 1]
    assert not result.protected


def test_three_way_table_with_all_margins():
    values = np.arange(1, 9).reshape(2, 2, 2)
    result = audit(values, np.ones((2, 2, 2), bool))
    # shifting +t on even-parity corners and -t on odd ones keeps every line total
    odd = values[0, 0, 1], values[0, 1, 0], values[1, 0, 0], values[1, 1, 1]
    assert result.upper[0, 0, 0] == 1 + min(odd)
    assert result.lower[0, 0, 0] == 0
    assert result.protected


def test_one_way_table_with_a_total():
    values = np.array([3, 4, 5])
    result = audit(values, mask((3,), (0,), (1,)))
    assert (result.lower[0], result.upper[0]) == (0, 7)
    assert not audit(values, mask((3,), (0,))).protected


def test_non_integer_magnitudes_use_the_lp():
    values = np.array([[5, 7], [8, 9]]) / 2.0
    result = audit(values, np.ones((2, 2), bool))
    assert result.upper[0, 0] == pytest.approx(6.0)
    assert result.lower[0, 0] == pytest.approx(0.0)


def test_without_margins_only_bounds_limit_the_attacker():
    result = audit(HEART, mask(HEART.shape, (0, 0)), margins=False)
    assert result.protected
    assert (result.lower[0, 0], result.upper[0, 0]) == (0, np.inf)


def test_known_bounds_narrow_the_interval():
    values = np.array([[5, 7], [8, 9]])
    lower = np.full((2, 2), 4.0)
    upper = np.full((2, 2), 20.0)
    result = audit(values, np.ones((2, 2), bool), bounds=(lower, upper), protection=5)
    # (0, 0) may fall only to 4 now; rise limited by (0, 1) and (1, 0) falling to 4: +3
    assert (result.lower[0, 0], result.upper[0, 0]) == (4, 8)
    assert not result.protected


def test_negative_values_need_bounds_and_then_use_them():
    values = np.array([[-5, 7], [8, 9]])
    with pytest.raises(ValueError, match="non-negative"):
        audit(values, np.ones((2, 2), bool))
    result = audit(values, np.ones((2, 2), bool),
                   bounds=(np.full((2, 2), -10.0), np.full((2, 2), 20.0)))
    # rise limited by (1, 1) reaching 20 (+11); fall by (0, 0) reaching -10 (-5)
    assert (result.lower[0, 0], result.upper[0, 0]) == (-10, 6)
    unbounded = audit(values, np.ones((2, 2), bool),
                      bounds=(np.full((2, 2), -np.inf), np.full((2, 2), np.inf)))
    assert unbounded.protected and unbounded.upper[0, 0] == np.inf


def test_to_dict_is_json_ready():
    result = audit(HEART, mask(HEART.shape, (0, 0)), margins=False)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["cells"] == [{"cell": [0, 0], "lower": 0.0, "upper": "inf", "exact": False}]
    assert data["protected"] is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": -HEART}, "values must be non-negative"),
        ({"values": np.where(HEART == 90, np.nan, HEART)}, "values must be finite"),
        ({"suppressed": np.zeros((2, 2), bool)}, "suppressed must have the shape"),
        ({"suppressed": np.zeros((4, 2), int)}, "suppressed must be a boolean"),
        ({"protection": -1}, "protection must be finite and non-negative"),
        ({"protection": np.ones(3)}, "protection must be a number or an array"),
        ({"primary": mask((4, 2), (1, 1))}, "primary cells must all be suppressed"),
        ({"bounds": (np.full((4, 2), 2.0), np.full((4, 2), 99.0))}, "bounds must contain"),
    ],
)
def test_bad_input_names_the_argument(kwargs, message):
    args = {"values": HEART, "suppressed": mask(HEART.shape, (0, 0))} | kwargs
    values, suppressed = args.pop("values"), args.pop("suppressed")
    with pytest.raises(ValueError, match=message):
        audit(values, suppressed, **args)
