"""Evidence where the data lives: pandas (the reference), Polars, DuckDB, PySpark.

``group_evidence`` computes, per group, the displayed statistics and the evidence the rules
judge (``core.evidence.GroupStats``); ``pivot`` lays them out as ``pandas.pivot_table``
would, with a ``CellEvidence`` beside the table. Polars, DuckDB and PySpark are optional:
each is imported only when a frame of it is passed.
"""

from jupyter_sdc.engines.contract import Groups, Request
from jupyter_sdc.engines.dispatch import engine_name, group_evidence
from jupyter_sdc.engines.pivot import pivot

__all__ = ["Groups", "Request", "engine_name", "group_evidence", "pivot"]
