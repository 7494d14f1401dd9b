"""The record's JSON round trip, its schema, and refusal of newer schema versions."""

import json
from importlib import resources

import jsonschema
import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.core.record import SCHEMA_VERSION, Output, SchemaVersionError


@pytest.fixture
def output() -> Output:
    rng = np.random.default_rng(3)
    df = pd.DataFrame({
        "region": rng.choice(["North", "South"], 200),
        "sex": rng.choice(["F", "M"], 200),
        "year": rng.choice([2020, 2021], 200),
        "income": rng.lognormal(9, 1, 200),
    })
    df.loc[::17, "income"] = np.nan
    session = sdc.Session()
    session.pivot_table(df, values="income", index=["region", "sex"], columns="year",
                        aggfunc=["mean", "count"], margins=True, label="Table 1",
                        title="Income by region", explanation="Mean income.")
    return session.outputs[-1]


def schema() -> dict:
    text = resources.files("jupyter_sdc.core").joinpath("output.schema.json").read_text()
    return json.loads(text)


def test_round_trip_keeps_table_counts_flags_and_fields(output):
    data = json.loads(json.dumps(output.to_dict()))
    back = Output.from_dict(data)
    pd.testing.assert_frame_equal(back.table, output.table, check_dtype=False)
    pd.testing.assert_frame_equal(back.counts, output.counts, check_dtype=False)
    assert back.flags.keys() == output.flags.keys()
    for rule, flag in output.flags.items():
        assert (back.flags[rule].to_numpy() == flag.to_numpy()).all()
    assert back.status == output.status
    assert (back.label, back.title, back.explanation) == ("Table 1", "Income by region",
                                                         "Mean income.")
    assert back.to_dict()["table"] == data["table"]


def test_record_validates_against_shipped_schema(output):
    jsonschema.validate(json.loads(json.dumps(output.to_dict())), schema())


def test_newer_schema_is_refused_with_upgrade_advice(output):
    data = output.to_dict()
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(SchemaVersionError, match="upgrade jupyter_sdc"):
        Output.from_dict(data)


def test_not_a_record_is_refused():
    with pytest.raises(ValueError, match="schema_version"):
        Output.from_dict({"uid": "x"})


def test_nan_and_odd_labels_become_json():
    table = pd.DataFrame({pd.Interval(0, 10): [np.nan, 1.5]},
                         index=pd.to_datetime(["2020-01-01", "2021-01-01"]))
    out = Output(uid="u1", kind="custom", table=table, counts=table.fillna(0),
                 checks={"custom": "review"})
    data = json.loads(json.dumps(out.to_dict()))
    assert data["table"]["data"][0][0] is None
    assert data["table"]["columns"] == [["(0, 10]"]]
    assert data["status"] == "review"


def test_nothing_checked_is_review_not_pass():
    table = pd.DataFrame({"x": [1]})
    assert Output(uid="u", kind="custom", table=table, counts=table).status == "review"


def test_the_schema_names_the_schema_version_this_package_writes():
    # the lab extension's record types are generated from the schema: the two move together
    assert schema()["properties"]["schema_version"]["maximum"] == SCHEMA_VERSION
