"""jupyter_sdc: statistical disclosure control while you analyse.

``import jupyter_sdc as sdc`` gives the wrappers (``sdc.crosstab``, ``sdc.ols``, …), the
default session (``sdc.session()``) and ``sdc.Session``. Importing has no side effects:
the IPython magics are registered only by ``%load_ext jupyter_sdc``.
"""

from __future__ import annotations

from jupyter_sdc._version import __version__

__all__ = ["__version__"]
