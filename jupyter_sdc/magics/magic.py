"""The ``SDC`` magics: parse the line, then delegate to a checked cell.

``%%sdc_check [options]`` checks one cell; ``%sdc_check on|off`` checks every cell;
``%sdc_status`` prints a summary; ``%sdc_panel`` shows the live panel. Every rule value is a
``config=True`` traitlet, so ``%config SDC.threshold=8`` works and feeds the default session's
``%config`` layer.
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import (
    Bool,
    CaselessStrEnum,
    Float,
    Int,
    List,
    TraitError,
    TraitType,
    Unicode,
    observe,
    validate,
)
from traitlets.config import Configurable

from jupyter_sdc.capture.recorder import CellOptions
from jupyter_sdc.core.rules import available_profiles, rule_fields
from jupyter_sdc.magics import display
from jupyter_sdc.magics.cell import CheckedCell, flush_inline_figures, run_body
from jupyter_sdc.magics.hooks import AutoCheck, CellRuns


def _trait(value: dataclasses.Field) -> TraitType:
    """The ``%config SDC.<name>`` traitlet of one rule value (unset: the session decides)."""
    default, help = value.default, value.metadata["help"]
    choices = value.metadata["choices"]
    if choices:
        trait: TraitType = CaselessStrEnum(list(choices), None, allow_none=True, help=help)
    elif isinstance(default, bool):
        trait = Bool(None, allow_none=True, help=help)
    elif isinstance(default, int):
        trait = Int(None, allow_none=True, help=help)
    elif isinstance(default, float):
        trait = Float(None, allow_none=True, help=help)
    elif isinstance(default, tuple):
        # names (mitigation), or pairs (nk: RuleValues checks each pair)
        items = Unicode() if all(isinstance(v, str) for v in default) else None
        trait = List(items, default_value=None, allow_none=True, help=help)
    else:
        trait = Unicode(None, allow_none=True, help=help)
    return trait.tag(config=True)


#: the traitlets that are rule values (the names are the same everywhere, see DESIGN.md)
RULE_TRAITS = tuple(value.name for value in rule_fields())
#: their traitlets, declared from the fields of ``RuleValues``
_RuleSettings = type("_RuleSettings", (Configurable,),
                     {value.name: _trait(value) for value in rule_fields()})


def default_session() -> Any:
    from jupyter_sdc.api import session

    try:
        return session()
    except ValueError as err:  # e.g. a TRE policy that cannot be trusted: say what to fix
        raise UsageError(f"jupyter_sdc: {err}") from None


@magics_class
class SDC(Magics, _RuleSettings):
    """Statistical disclosure control checks for ordinary pandas, statsmodels and plots."""

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.auto = AutoCheck(shell, self.session, self.rule_layer)
        self.runs = CellRuns(self.auto)
        self._apply_config()

    def session(self) -> Any:
        """The default session, with the ``%config`` layer applied (also after set_session)."""
        session = default_session()
        if getattr(self, "_configured", None) is not session:
            self._apply_config()
        return session

    # -- configuration ----------------------------------------------------------------------
    def rule_layer(self) -> dict[str, Any]:
        """The ``%config`` layer: rule values set on this object (profile excluded)."""
        return {name: getattr(self, name) for name in RULE_TRAITS
                if name != "profile" and getattr(self, name) is not None}

    @validate(*RULE_TRAITS)
    def _valid_rule(self, proposal: Any) -> Any:
        name, value = proposal["trait"].name, proposal["value"]
        if value is None:
            return value
        try:
            if name == "profile":
                if value not in available_profiles():
                    raise ValueError(f"unknown profile {value!r}: choose one of "
                                     f"{', '.join(available_profiles())}")
            else:
                default_session().rules.replace(**{name: value})
        except (ValueError, TypeError) as err:
            raise TraitError(f"SDC.{name}: {err}") from None
        return value

    def _load_config(self, cfg: Any, section_names: Any = None, traits: Any = None) -> None:
        # A bad value (in %config or a config file) is reported and ignored, so the magics
        # still load and the other values still apply.
        for name, value in dict(cfg.get("SDC", {})).items():
            try:
                one = type(cfg)({"SDC": {name: value}})
                super()._load_config(one, section_names, traits)
            except TraitError as err:
                print(f"jupyter_sdc: {err}", file=sys.stderr)

    @observe(*RULE_TRAITS)
    def _rule_changed(self, change: Any) -> None:
        self._apply_config()

    def _apply_config(self) -> None:
        session = default_session()
        try:
            session.configure(profile=self.profile, **self.rule_layer())
        except (ValueError, TypeError) as err:
            raise UsageError(f"%config SDC: {err}") from None
        self._configured = session

    # -- magics ------------------------------------------------------------------------------
    @magic_arguments()
    @argument("mode", nargs="?", help="on or off (line form only): check every cell")
    @argument("--label", help='Number and label of the output, e.g. "Table 2"')
    @argument("--title", help="Title of the output")
    @argument("--explain", help="What the output shows (for the checkers)")
    @argument("--dataset", help="Name of the dataset in sdc.toml the outputs come from")
    @argument("--unit", help="Column whose distinct values are the units to count")
    @argument("--profile", help=f"Rule profile: {', '.join(available_profiles())}")
    @argument("--suppress", action="store_true", help="Suppress failing cells in the record")
    @argument("--round", type=int, metavar="N", help="Round counts to base N in the record")
    @argument("--supersedes", metavar="UID",
              help="The failing output this cell's output replaces (a remedy applied)")
    @line_cell_magic
    def sdc_check(self, line: str, cell: str | None = None) -> Any:
        """Check this cell's outputs (cell form), or turn checking of every cell on/off."""
        __tracebackhide__ = True  # noqa: F841
        args = _parse(self.sdc_check, line)
        if cell is None:
            return self._switch(args.mode)
        if args.mode:
            raise UsageError(f"%%sdc_check takes options only, not {args.mode!r}; "
                             "use `%sdc_check on` on a line of its own for automatic mode")
        if args.round is not None and args.round < 1:
            raise UsageError("--round N needs a whole number N >= 1, e.g. --round 5")
        if args.profile and args.profile not in available_profiles():
            raise UsageError(f"--profile {args.profile!r} is unknown; choose one of "
                             f"{', '.join(available_profiles())}")
        options = CellOptions(
            label=_text(args.label), title=_text(args.title), explanation=_text(args.explain),
            unit=_text(args.unit), dataset=_dataset(_text(args.dataset)),
            profile=args.profile, suppress=args.suppress, round_base=args.round,
        )
        return self._check_cell(options, cell, f"%%sdc_check {line}\n{cell}",
                                _text(args.supersedes))

    def _check_cell(self, options: CellOptions, body: str, whole: str,
                    supersedes: str | None = None) -> None:
        """Run the body checked; its options apply to ``sdc.*`` calls in it too."""
        __tracebackhide__ = True  # noqa: F841
        with self.runs.cell(whole) as run:
            checked = CheckedCell(self.shell, self.session(), options, run.key, body,
                                  self.rule_layer())
            try:
                checked.rules()  # options the TRE policy refuses stop the cell before it runs
            except ValueError as err:
                raise UsageError(f"%%sdc_check: {err}") from None
            with run.options(checked.fields(), checked.change_rules):
                checked.start()
                failed = True
                try:
                    value, show = run_body(self.shell, body)
                    if show:
                        self.shell.displayhook(value)
                    flush_inline_figures()
                    failed = False
                finally:
                    checked.finish(error=failed)
            if supersedes and not failed:
                self._supersede(supersedes, run)

    def _supersede(self, old: str, run: Any) -> None:
        """A remedy's cell: its first output replaces the failing one (left out of exports)."""
        from jupyter_sdc.api import supersede

        made = [output for session, output in run.outputs() if session is self.session()]
        message = supersede(old, made, self.session())
        if message:
            display.note(message)

    def _switch(self, mode: str | None) -> None:
        if mode not in ("on", "off"):
            raise UsageError("use `%sdc_check on` or `%sdc_check off` (or `%%sdc_check` "
                             "as the first line of a cell to check that cell)")
        if mode == "on":
            self.auto.enable()
        else:
            self.auto.disable()
        print(f"jupyter_sdc: automatic checking is {mode}.")

    @line_magic
    def sdc_panel(self, line: str = "") -> Any:
        """Show the live panel: every output of this session, kept current as cells run."""
        if line.strip():
            raise UsageError("%sdc_panel takes no options")
        from jupyter_sdc.widgets.panel import panel

        return panel(self.session())

    @line_magic
    def sdc_export(self, line: str = "") -> Any:
        """Export this session's outputs as a new request in the project's SDC folder."""
        from jupyter_sdc.export.request import ExportError, ExportRefused

        if line.strip():
            raise UsageError("%sdc_export takes no options: the project's sdc.toml says where "
                             "the request goes")
        try:
            result = self.session().export()
        except ExportRefused as refused:
            raise UsageError("the export was refused; fix these and export again:\n"
                             + "\n".join(f"  - {p}" for p in refused.problems)) from None
        except ExportError as err:
            raise UsageError(f"the export failed: {err}") from None
        print(display.export_text(result))
        return None

    @line_magic
    def sdc_status(self, line: str = "") -> None:
        """Print a summary of every checked output in this session."""
        print(display.status_text(self.session(), self.auto.enabled))


def _text(value: str | None) -> str | None:
    """An option's text without the quotes that protect its spaces."""
    if value is None:
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return value or None


def _dataset(name: str | None) -> str | None:
    """``--dataset NAME``: one of the ``[[datasets]]`` of the project's sdc.toml, if it has any."""
    if name is None:
        return None
    from jupyter_sdc.core.project import find_config, read_toml

    path = find_config()
    try:
        entries = read_toml(path).get("datasets") if path is not None else None
    except (OSError, ValueError):
        return name  # a broken sdc.toml is the export's to report
    names = [d.get("name") for d in entries or [] if isinstance(d, dict) and d.get("name")]
    if names and name not in names:
        raise UsageError(f"--dataset {name!r} is not a dataset of sdc.toml; use one of: "
                         + ", ".join(repr(n) for n in names))
    return name


def _parse(func: Any, line: str) -> Any:
    try:
        return parse_argstring(func, line)
    except UsageError as err:
        raise UsageError(_with_nearest(func, str(err))) from None
    except SystemExit:  # argparse exits on bad input; a magic must not
        raise UsageError(f"could not read the options {line!r}; see %%sdc_check?") from None


def _with_nearest(func: Any, message: str) -> str:
    """argparse's "unrecognized arguments: --treshold" with the option meant, when it is clear."""
    if "unrecognized arguments" not in message:
        return message
    known = sorted(getattr(getattr(func, "parser", None), "_option_string_actions", {}))
    hints = []
    for word in message.split(":", 1)[1].split():
        if word.startswith("--"):
            near = difflib.get_close_matches(word, known, n=1, cutoff=0.7)
            rule = difflib.get_close_matches(word[2:], RULE_TRAITS, n=1, cutoff=0.7)
            if near:
                hints.append(f"{word}: did you mean {near[0]}?")
            elif rule:
                hints.append(f"{word}: {rule[0]} is a rule value; set it with "
                             f"%config SDC.{rule[0]} = … (or choose a --profile)")
    return "; ".join([message, *hints])
