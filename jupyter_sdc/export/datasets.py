"""Which of sdc.toml's datasets each output cites (DESIGN: ``--dataset`` / ``dataset=``).

An output names its dataset in the record's ``dataset`` field; its footnote cites only that
one. With a single dataset in sdc.toml, an output naming none cites it. With several and none
named, the footnote cites all of them and the export warns. A name sdc.toml does not describe
is refused, listing the names it does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jupyter_sdc.export.config import Config
from jupyter_sdc.export.numbering import ref


def cited(datasets: Sequence[Mapping[str, Any]], name: object) -> list[Mapping[str, Any]]:
    """The datasets (as in ``Config.to_dict()``) an output naming ``name`` cites."""
    if isinstance(name, str) and name.strip():
        return [d for d in datasets if d.get("name") == name.strip()]
    return list(datasets)


def dataset_findings(records: Sequence[Mapping], config: Config) -> tuple[list[str], list[str]]:
    """``(refusals, warnings)`` for the datasets the outputs name."""
    known = config.dataset_names
    refusals, unnamed = [], []
    for record in records:
        name = record.get("dataset")
        if isinstance(name, str) and name.strip():
            if name.strip() not in known:
                refusals.append(
                    f"{ref(record.get('uid'))} names the dataset \"{name.strip()}\", which "
                    f"{config.shown} does not describe. Use one of: "
                    f"{', '.join(repr(k) for k in known)} (dataset= or --dataset), or add a "
                    f"[[datasets]] block for it.")
        elif len(known) > 1:
            unnamed.append(record)
    warnings = []
    if unnamed:
        outputs = ", ".join(ref(r.get("uid")) for r in unnamed)
        warnings.append(
            f"{config.shown} describes {len(known)} datasets and {outputs} name none of them: "
            f"their footnotes cite all {len(known)} datasets. Name each output's dataset "
            f"(dataset= or --dataset) so its footnote cites only its own.")
    return refusals, warnings
