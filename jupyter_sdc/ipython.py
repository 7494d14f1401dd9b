"""``%load_ext jupyter_sdc``: register the magics on a shell (once)."""

from __future__ import annotations

from typing import Any

_LOADED: dict[int, Any] = {}


def load_ipython_extension(ip: Any) -> None:
    """Register ``%%sdc_check``, ``%sdc_check on|off`` and ``%sdc_status`` on ``ip``, and show
    the badge and record of every output a cell makes (``sdc.*`` calls too) under the cell."""
    from jupyter_sdc.magics.magic import SDC

    if id(ip) in _LOADED:
        return
    magics = SDC(shell=ip, parent=ip)
    ip.register_magics(magics)
    if magics not in ip.configurables:  # so that %config SDC.* finds it
        ip.configurables.append(magics)
    ip.events.register("pre_run_cell", magics.runs.pre_run_cell)
    ip.events.register("post_run_cell", magics.runs.post_run_cell)
    _LOADED[id(ip)] = magics


def unload_ipython_extension(ip: Any) -> None:
    """Turn auto mode off and remove the event listeners (the magics stay registered)."""
    from jupyter_sdc.magics import display

    magics = _LOADED.pop(id(ip), None)
    if magics is None:
        return
    magics.runs.close()
    ip.events.unregister("pre_run_cell", magics.runs.pre_run_cell)
    ip.events.unregister("post_run_cell", magics.runs.post_run_cell)
    display.forget()
    ip.configurables[:] = [c for c in ip.configurables if c is not magics]


def loaded_magics(ip: Any) -> Any:
    """The ``SDC`` magics object registered on ``ip`` (None before ``%load_ext``)."""
    return _LOADED.get(id(ip))
