"""IPython magics ``%%sdc_check``, ``%sdc_check on|off`` and ``%sdc_status``.

Registered by ``%load_ext jupyter_sdc``.

Nothing here is imported by ``import jupyter_sdc``; ``load_ipython_extension`` pulls it in.
"""

from __future__ import annotations

from jupyter_sdc.magics.attach import attach_counts

__all__ = ["attach_counts"]
