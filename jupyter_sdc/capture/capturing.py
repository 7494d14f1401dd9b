"""One checked cell's capture: the notes its calls leave, and the patches that take them.

A :class:`Capture` is active only inside ``with capture:``; it installs the patches its maker
gives it (``capture.patches.patch_table``) and undoes them even when the cell raises. Each
patch calls the original first and only then takes a note (``guarded``, ``function_patch``),
so the user's results are exactly what the library returns; calls made by the library itself
are not noted: only the outermost call counts.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Callable, Iterator
from typing import Any

from jupyter_sdc.capture import text
from jupyter_sdc.capture.lineage import GroupSpec, Node

#: one patch: the owner, the attribute, and how to make the wrapper from the original
Patch = tuple[Any, str, Callable[[Callable], Any]]

_MISSING = object()
_PLAIN = {str, bytes, int, float, bool, complex}
#: notes kept per cell; beyond this (a statistic inside a loop) results go untraced
MAX_NOTES = 20_000
_ACTIVE: Capture | None = None


class Capture:
    """The notes taken during one checked cell: result id -> (result, lineage node)."""

    def __init__(self, patches: Callable[[], Iterator[Patch]] = lambda: iter(())) -> None:
        self.patches = patches
        self.nodes: dict[int, tuple[Any, Node]] = {}
        self.groupers: dict[int, tuple[Any, GroupSpec]] = {}
        self.histograms: dict[int, tuple[Any, list[Any]]] = {}  # figure id -> (figure, values)
        self.plotted: dict[int, tuple[Any, list[Any]]] = {}  # figure id -> (figure, tables)
        self.recorded: dict[int, Any] = {}  # results of sdc.* wrappers: recorded already
        self.renderings: dict[int, tuple[str, Any]] = {}  # text id -> (text, table rendered)
        self.texts: list[Any] = []  # plain text and numbers shown, for the values they show
        self._shown: dict[int, Any] = {}  # id -> object, in the order shown
        self._styler = False
        self.errors: list[str] = []
        self.depth = 0
        self.overflow = False
        self._saved: list[tuple[Any, str, Any, Any]] = []
        self._formatter: Any = None

    # -- notes -------------------------------------------------------------------------------
    def node_of(self, obj: Any) -> Node | None:
        entry = self.nodes.get(id(obj))
        return entry[1] if entry is not None and entry[0] is obj else None

    def note(self, result: Any, node: Node) -> None:
        # Strong references keep ids unique until the cell ends; scalars cannot be weak-referenced.
        if len(self.nodes) >= MAX_NOTES:
            if not self.overflow:
                self.overflow = True
                self.errors.append(f"more than {MAX_NOTES:,} results in one cell: later ones "
                                   "are not traced and will need review")
            return
        self.nodes[id(result)] = (result, node)

    @property
    def shown(self) -> list[Any]:
        return list(self._shown.values())

    def note_shown(self, obj: Any) -> None:
        if obj is None:
            return
        if type(obj) in _PLAIN and self.node_of(obj) is None:
            rendered = self.renderings.get(id(obj))
            if rendered is None or rendered[0] is not obj:
                # text and plain numbers: kept (a few) for the numbers they show
                if len(self.texts) < text.MAX_TEXTS:
                    self.texts.append(text.kept(obj))
                return
            obj = rendered[1]  # ``t.to_latex()`` shows the table ``t``
        self._shown.setdefault(id(obj), obj)

    def scalars(self) -> list[Any]:
        """The single numbers the cell took from traced or checkable data, in order."""
        return [obj for obj, _node in self.nodes.values() if text.is_number(obj)]

    def histogram_values(self, fig: Any) -> Any:
        """The data behind the only histogram drawn on ``fig`` in this cell, else None."""
        entry = self.histograms.get(id(fig))
        if entry is None or entry[0] is not fig or len(entry[1]) != 1:
            return None
        return entry[1][0]

    def plotted_table(self, fig: Any) -> Any:
        """The captured table behind the only pandas plot drawn on ``fig``, else None."""
        entry = self.plotted.get(id(fig))
        if entry is None or entry[0] is not fig or len(entry[1]) != 1:
            return None
        return entry[1][0]

    def grouper_of(self, gb: Any) -> GroupSpec | None:
        entry = self.groupers.get(id(gb))
        return entry[1] if entry is not None and entry[0] is gb else None

    # -- patching ----------------------------------------------------------------------------
    def __enter__(self) -> Capture:
        global _ACTIVE
        if _ACTIVE is not None:
            raise RuntimeError("a checked cell is already being captured")
        _ACTIVE = self
        try:
            for owner, name, make in self.patches():
                self._install(owner, name, make)
            if "pandas.io.formats.style" in sys.modules:
                self.patch_styler()
            self._wrap_print()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        global _ACTIVE
        for owner, name, saved, wrapper in reversed(self._saved):
            # User code that re-patched the same attribute wins: leave its patch in place.
            if owner.__dict__.get(name, _MISSING) is not wrapper:
                continue
            if saved is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, saved)
        self._saved.clear()
        self.unwatch_display()
        _ACTIVE = None

    def _install(self, owner: Any, name: str, make: Callable[[Callable], Any]) -> None:
        saved = owner.__dict__.get(name, _MISSING)
        original = getattr(owner, name)
        wrapper = make(original)
        setattr(owner, name, wrapper)
        self._saved.append((owner, name, saved, wrapper))

    def patch_styler(self) -> None:
        """Note the text renderings of a pandas Styler too (once its module is loaded)."""
        if self._styler:
            return
        self._styler = True
        from pandas.io.formats.style import Styler

        for name in text.STYLER_RENDERINGS:
            if hasattr(Styler, name):
                self._install(Styler, name, lambda o: guarded(o, note_rendering))

    def _wrap_print(self) -> None:
        original = builtins.print

        def sdc_print(*args: Any, **kwargs: Any) -> None:
            if _ACTIVE is self and kwargs.get("file") in (None, sys.stdout) and not _ipython(
                    sys._getframe(1)):
                for arg in args:
                    self.note_shown(arg)
            original(*args, **kwargs)

        self._install(builtins, "print", lambda _orig: sdc_print)

    def watch_display(self, formatter: Any) -> None:
        """Note every object IPython formats for display (the last expression, ``display()``)."""
        original = formatter.format

        def sdc_format(obj: Any, *args: Any, **kwargs: Any) -> Any:
            if _ACTIVE is self:
                self.note_shown(obj)
            return original(obj, *args, **kwargs)

        formatter.format = sdc_format
        self._formatter = formatter

    def unwatch_display(self) -> None:
        if self._formatter is not None:
            if "format" in self._formatter.__dict__:
                del self._formatter.format
            self._formatter = None


def active() -> Capture | None:
    return _ACTIVE


def _ipython(frame: Any) -> bool:
    """A print by IPython itself (a terminal's ``Out[n]:`` prompt and result), not the cell's."""
    return str(frame.f_globals.get("__name__", "")).startswith("IPython.")


def guarded(original: Callable, after: Callable[[Capture, Any, tuple, dict, Any], None]) -> Any:
    """Call ``original``; then, for an outermost call in a checked cell, let ``after`` note it."""

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841 - IPython hides this frame in tracebacks
        cap = _ACTIVE
        if cap is None or cap.depth:
            return original(self, *args, **kwargs)
        cap.depth += 1
        try:
            result = original(self, *args, **kwargs)
        finally:
            cap.depth -= 1
        try:
            after(cap, self, args, kwargs, result)
        except Exception as err:  # noqa: BLE001 - a note must never break the user's cell
            cap.errors.append(f"{getattr(original, '__name__', original)}: {err}")
        return result

    return dressed(wrapper, original)


def dressed(wrapper: Any, original: Any, name: str = "wrapper") -> Any:
    """``wrapper`` named and documented as ``original``, and marked as our patch."""
    wrapper.__name__ = getattr(original, "__name__", name)
    wrapper.__doc__ = getattr(original, "__doc__", None)
    wrapper.__wrapped__ = original
    wrapper.sdc_patch = True
    return wrapper


def is_patch(obj: Any) -> bool:
    """True for a jupyter_sdc interception wrapper (only seen inside a checked cell)."""
    return bool(getattr(obj, "sdc_patch", False))


def function_patch(original: Callable, after: Callable[[Capture, tuple, dict, Any], None]) -> Any:
    """Like :func:`guarded` for module-level functions (``pd.crosstab``)."""
    inner = guarded(lambda _none, *a, **k: original(*a, **k),
                     lambda c, _s, a, k, r: after(c, a, k, r))

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841
        return inner(None, *args, **kwargs)

    return dressed(wrapper, original)


def note_rendering(cap: Capture, obj: Any, args: tuple, kwargs: dict, result: Any) -> None:
    """``t.to_latex()`` and the like: the text leads back to the table (a Styler's data)."""
    if isinstance(result, str):
        cap.renderings[id(result)] = (result, getattr(obj, "data", obj))


def note_summary(cap: Capture, results: Any, args: tuple, kwargs: dict, summary: Any) -> None:
    cap.note(summary, Node.model_summary(results))
