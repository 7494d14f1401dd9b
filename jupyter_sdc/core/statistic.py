"""Typed statistics: what the cells of an output show, which decides the rules that judge them."""

from __future__ import annotations

from enum import Enum


class Statistic(str, Enum):
    """What one cell shows. Compares equal to its string value (as saved in records)."""

    FREQUENCY = "frequency"
    PERCENTAGE = "percentage"
    HISTOGRAM = "histogram"
    NUNIQUE = "nunique"
    SUM = "sum"
    MEAN = "mean"
    MEDIAN = "median"
    QUANTILE = "quantile"
    STD = "std"
    VAR = "var"
    MIN = "min"
    MAX = "max"
    MODE = "mode"
    MODEL = "model"
    SURVIVAL = "survival"        # a Kaplan-Meier step: at risk, events, the survival estimate
    CORRELATION = "correlation"  # a correlation coefficient of two variables
    POINTS = "points"            # individual records drawn as points (scatter, box outliers)
    RECORDS = "records"
    CUSTOM = "custom"
    # Output-level only: a table whose columns show several statistics, or describe()'s rows.
    MIXED = "mixed"
    DESCRIBE = "describe"

    def __str__(self) -> str:
        return self.value


#: statistics shown as a count of records, not a value (the counts are the values)
FREQUENCY_LIKE = frozenset({Statistic.FREQUENCY, Statistic.PERCENTAGE, Statistic.HISTOGRAM})
#: statistics whose margins are sums of their cells
ADDITIVE = FREQUENCY_LIKE | {Statistic.SUM}
#: statistics that publish one record's value when few hold it
EXTREMES = frozenset({Statistic.MIN, Statistic.MAX})
