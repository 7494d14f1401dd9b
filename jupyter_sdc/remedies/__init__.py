"""Remedies: for a failing output, the smallest changes that pass, each judged again first.

``sdc.remedies(output)`` gives them best first, as :class:`Remedy` objects: a description,
the code of a cell that makes the remedied output from the researcher's own variables (with the
same label, under ``%%sdc_check``), its status and its information loss. They are found in the
kernel, where the data is, from the output's recipe (what made it), and saved in its record.
"""

from __future__ import annotations

from jupyter_sdc.remedies.helpers import merge_levels, rebin, topcode
from jupyter_sdc.remedies.live import compute, found_remedies, keep_remedies, supersede
from jupyter_sdc.remedies.model import Remedy
from jupyter_sdc.remedies.safe import safe_extremes_output

__all__ = ["Remedy", "compute", "found_remedies", "keep_remedies", "merge_levels", "rebin",
           "safe_extremes_output", "supersede", "topcode"]
