"""``%load_ext jupyter_sdc``: register the magics on a shell (once)."""

from __future__ import annotations

from typing import Any

_LOADED: dict[int, Any] = {}


def load_ipython_extension(ip: Any) -> None:
    """Register ``%%sdc_check``, ``%sdc_check on|off`` and ``%sdc_status`` on ``ip``."""
    from jupyter_sdc.magics import display
    from jupyter_sdc.magics.magic import SDC

    if id(ip) in _LOADED:
        return
    magics = SDC(shell=ip, parent=ip)
    ip.register_magics(magics)
    ip.configurables.append(magics)
    ip.events.register("pre_run_cell", magics.tracker.pre_run_cell)

    import jupyter_sdc

    session = jupyter_sdc.session()

    def on_change(event: str, output: Any) -> None:
        # An edit (label, title, exception, ...) updates the bundle saved under its cell.
        if event == "update" and output is not None:
            display.refresh(output)

    magics.unsubscribe = session.subscribe(on_change)
    _LOADED[id(ip)] = magics


def unload_ipython_extension(ip: Any) -> None:
    """Turn auto mode off and remove the event listeners (the magics stay registered)."""
    magics = _LOADED.pop(id(ip), None)
    if magics is None:
        return
    magics.auto.disable()
    ip.events.unregister("pre_run_cell", magics.tracker.pre_run_cell)
    magics.unsubscribe()
    if magics in ip.configurables:
        ip.configurables.remove(magics)
