"""Run case-study notebooks with checked parameters and collect their results.

A case study is a notebook in ``notebooks/case_studies/`` with a cell tagged ``parameters``
(one ``name = literal  # help text`` per line) that always includes::

    results_path = ""  # where to write results.json ("" = do not write)

Its last step calls :func:`save_results`, so every run leaves one flat JSON object that sweeps
can put side by side.

This module is the layer between a researcher and papermill. papermill alone injects a misspelt
parameter silently and never checks types; here every name and value is checked against the
notebook's ``parameters`` cell *before* a kernel starts:

- :func:`list_case_studies` and :func:`parameters` read the ``parameters`` cell with :mod:`ast`
  (nothing is executed) and return :class:`Parameter` records (name, type, default, help text);
- :func:`check_parameters` turns command-line strings (or Python values) into the default's type
  and rejects unknown names (suggesting the closest valid ones) and wrong types;
- :func:`run` executes one notebook with papermill and writes ``NAME.ipynb``, ``results.json`` and
  ``NAME.html`` into a fresh output folder;
- :func:`sweep` runs one combination per element of the Cartesian product of the given values and
  writes ``results.csv``, one row per run.

The command line ``crm-lessons list | run | sweep`` (:mod:`crm_lessons.cli`) calls these functions.
"""

from __future__ import annotations

import ast
import csv
import difflib
import io
import itertools
import json
import logging
import math
import re
import shutil
import time
import tokenize
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._validate import CRMInputError

__all__ = [
    "save_results",
    "Parameter",
    "CaseStudy",
    "RunResult",
    "ParameterError",
    "CaseStudyFailed",
    "case_study_dir",
    "list_case_studies",
    "find_case_study",
    "parameters",
    "parse_parameters",
    "convert_value",
    "check_parameters",
    "run",
    "sweep",
]

_SCALARS = (str, int, float, bool, type(None))
PARAMETERS_TAG = "parameters"
RESULTS_PATH = "results_path"
_TYPES: dict[type, str] = {bool: "bool", int: "int", float: "float", str: "str", list: "list"}
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --------------------------------------------------------------------------------------------
# save_results: the last cell of every case study
# --------------------------------------------------------------------------------------------


def _plain(key: str, value: Any) -> Any:
    try:  # numpy scalars
        import numpy as np

        if isinstance(value, np.generic):
            value = value.item()
    except ImportError:  # pragma: no cover
        pass
    if not isinstance(value, _SCALARS):
        raise CRMInputError(
            f"save_results: {key!r} is a {type(value).__name__}; results must be flat: a string, number, "
            "bool or None per key. Store a summary figure (e.g. a mean) or flatten it into several keys."
        )
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def save_results(results: Mapping[str, Any], path: str | Path = "", *, parameters: Mapping[str, Any] | None = None):
    """Write a case study's key results (and the parameters used) as one flat JSON object.

    Parameters
    ----------
    results : mapping of str to scalar
        Result name to value (str, int, float, bool or None; numpy scalars are converted;
        NaN and infinities become ``null``).
    path : str or Path, default ""
        File to write; ``""`` writes nothing (a notebook run by hand or by nbval).
    parameters : mapping, optional
        The parameters the run used; stored beside the results (results win on a name clash).

    Returns
    -------
    pandas.Series
        Parameters and results, for display in the notebook.

    Examples
    --------
    >>> save_results({"holdout_actual": 1000, "holdout_predicted": 998.5}, "", parameters={"model": "bgnbd"})
    model                bgnbd
    holdout_actual        1000
    holdout_predicted    998.5
    dtype: object
    """
    import pandas as pd

    if not isinstance(results, Mapping):
        raise CRMInputError(f"save_results: results must be a dict of name -> value, got {type(results).__name__}.")
    flat: dict[str, Any] = {}
    for k, v in (parameters or {}).items():
        flat[str(k)] = _plain(str(k), v)
    for k, v in results.items():
        flat[str(k)] = _plain(str(k), v)
    if path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(flat, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return pd.Series(flat, dtype=object)


# --------------------------------------------------------------------------------------------
# Errors and records
# --------------------------------------------------------------------------------------------


class ParameterError(CRMInputError):
    """A run was refused before anything executed: unknown case study or parameter, wrong type,
    malformed ``parameters`` cell, or an output folder that would be overwritten.

    The command line turns it into exit code 2.
    """


class CaseStudyFailed(RuntimeError):
    """A case-study notebook raised while executing (or did not write its results).

    Attributes
    ----------
    notebook : Path
        The executed notebook, saved with the error in place.
    ename, evalue : str
        The exception's class name and message from the failing cell ("" when not known).
    cell_index : int or None
        Index of the failing cell in the executed notebook.
    """

    def __init__(self, message: str, *, notebook: Path, ename: str = "", evalue: str = "",
                 cell_index: int | None = None):
        super().__init__(message)
        self.notebook = notebook
        self.ename = ename
        self.evalue = evalue
        self.cell_index = cell_index

    @property
    def short(self) -> str:
        """``"ename: evalue"`` of the failing cell (one line), for tables."""
        text = f"{self.ename}: {self.evalue}" if self.ename else str(self).splitlines()[0]
        return " ".join(text.split())


@dataclass(frozen=True)
class Parameter:
    """One line of a case study's ``parameters`` cell.

    Attributes
    ----------
    name : str
        The variable name.
    type : type
        ``int``, ``float``, ``str``, ``bool`` or ``list`` (the type of the default).
    default : object
        The literal in the notebook.
    help : str
        The trailing comment (without ``#``).
    line : int
        Line number inside the cell (1-based), for error messages.
    """

    name: str
    type: type
    default: Any
    help: str
    line: int = 0

    @property
    def type_name(self) -> str:
        """``"int"``, ``"float"``, ``"str"``, ``"bool"`` or ``"list"``."""
        return _TYPES[self.type]

    def __str__(self) -> str:
        return f"{self.name}: {self.type_name} = {self.default!r}  # {self.help}"


@dataclass(frozen=True)
class CaseStudy:
    """A case-study notebook and its parameters (``results_path`` not included)."""

    name: str
    path: Path
    parameters: tuple[Parameter, ...]
    title: str = ""

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name`` (a :class:`ParameterError` suggesting close names otherwise)."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise ParameterError(_unknown_message(self.name, name, [p.name for p in self.parameters], "parameter"))


@dataclass
class RunResult:
    """What one run produced.

    Attributes
    ----------
    run_id : str
        ``NAME`` for :func:`run`, ``run_001``, ``run_002``, ... in a sweep.
    out : Path
        The run's folder.
    parameters : dict
        Every parameter the notebook ran with (defaults filled in; ``results_path`` not included).
    status : str
        ``"ok"`` or ``"failed"``.
    error : str
        One-line error (``"ValueError: ..."``) for a failed run, else ``""``.
    results : dict
        The contents of ``results.json`` (empty when the run failed before writing it).
    seconds : float
        Wall-clock time of the run.
    notebook, html, results_file : Path
        The files written.
    message : str
        The full error message of a failed run (it names the executed notebook).
    """

    run_id: str
    out: Path
    parameters: dict[str, Any]
    status: str = "ok"
    error: str = ""
    results: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    notebook: Path | None = None
    html: Path | None = None
    results_file: Path | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# --------------------------------------------------------------------------------------------
# Parameter discovery (ast + tokenize; nothing is executed)
# --------------------------------------------------------------------------------------------


def _type_of(value: Any) -> type | None:
    for t in (bool, int, float, str, list):  # bool before int: True is an int too
        if type(value) is t:
            return t
    return None


def parse_parameters(source: str, *, where: str = "parameters cell") -> list[Parameter]:
    """Read a ``parameters`` cell's source without executing it.

    Every statement must be ``name = literal  # help text`` on one line (a list literal may span
    lines; its comment goes on the first or the last line). Whole-line comments and blank lines are
    allowed. The literal must be an int, float, str, bool or list.

    Parameters
    ----------
    source : str
        The cell's code.
    where : str, default "parameters cell"
        Prefix for error messages (e.g. ``"toy_case.ipynb, parameters cell"``).

    Returns
    -------
    list of Parameter
        In the order of the cell, ``results_path`` included.

    Raises
    ------
    ParameterError
        For anything that is not of that form: code other than a plain assignment, an expression
        that is not a literal (``2 * 7``, a function call), ``None``, a dict, a missing help comment,
        a name assigned twice, a syntax error.

    Examples
    --------
    >>> cell = '''
    ... holdout_weeks = 39  # weeks after calibration
    ... model = "bgnbd"  # "bgnbd" or "pareto"
    ... results_path = ""  # where to write results.json ("" = do not write)
    ... '''
    >>> for p in parse_parameters(cell):
    ...     print(p.name, p.type_name, repr(p.default), "|", p.help)
    holdout_weeks int 39 | weeks after calibration
    model str 'bgnbd' | "bgnbd" or "pareto"
    results_path str '' | where to write results.json ("" = do not write)
    >>> parse_parameters("n = 2 * 7  # customers")
    Traceback (most recent call last):
    ...
    crm_lessons.runner.ParameterError: parameters cell, line 1: the value of 'n' is not a literal ...
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ParameterError(f"{where}: line {err.lineno}: syntax error ({err.msg}); "
                             "write one `name = literal  # help text` per line.") from None
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError) as err:  # pragma: no cover - ast.parse catches these first
        raise ParameterError(f"{where}: cannot read the cell ({err}).") from None
    form = "write one `name = literal  # help text` per line"
    out: list[Parameter] = []
    seen: dict[str, int] = {}
    lines = source.splitlines()
    for stmt in tree.body:
        line = stmt.lineno
        code = lines[line - 1].strip() if line - 1 < len(lines) else ""
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            raise ParameterError(f"{where}, line {line}: `{code}` is not a plain assignment; {form} "
                                 "(no imports, calls, annotations, tuple unpacking or a = b = 1).")
        name = stmt.targets[0].id
        try:
            value = ast.literal_eval(stmt.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise ParameterError(f"{where}, line {line}: the value of {name!r} is not a literal (`{code}`); "
                                 f"{form}, e.g. `{name} = 0.1`. Compute derived values in a later cell.") from None
        typ = _type_of(value)
        if typ is None:
            raise ParameterError(f"{where}, line {line}: {name!r} = {value!r} is a {type(value).__name__}; "
                                 "a parameter's default must be an int, float, str, bool or list so that its "
                                 "type can be checked (use \"\" or 0 instead of None).")
        if name in seen:
            raise ParameterError(f"{where}, line {line}: {name!r} is assigned twice (also on line {seen[name]}).")
        seen[name] = line
        help_parts = [comments[i] for i in range(line, (stmt.end_lineno or line) + 1) if comments.get(i)]
        if not help_parts:
            raise ParameterError(f"{where}, line {line}: {name!r} has no help text; {form}, "
                                 f"e.g. `{code}  # what it means and its unit`.")
        out.append(Parameter(name, typ, value, " ".join(help_parts), line))
    return out


def _cell_source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _read_notebook(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ParameterError(f"{path}: cannot read the notebook ({err}).") from None


def _title(nb: Mapping[str, Any]) -> str:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in _cell_source(cell).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def _load_case_study(path: Path) -> CaseStudy:
    path = Path(path)
    nb = _read_notebook(path)
    tagged = [i for i, c in enumerate(nb.get("cells", []))
              if PARAMETERS_TAG in (c.get("metadata", {}).get("tags") or [])]
    where = f"{path.name}"
    if not tagged:
        raise ParameterError(f"{where}: no cell is tagged {PARAMETERS_TAG!r}. A case study needs one code cell "
                             "with that tag (JupyterLab: Property Inspector > Cell Tags) holding one "
                             "`name = literal  # help text` per line; see CONTRIBUTING.md.")
    if len(tagged) > 1:
        raise ParameterError(f"{where}: {len(tagged)} cells are tagged {PARAMETERS_TAG!r} (cells {tagged}); "
                             "keep the tag on exactly one cell.")
    cell = nb["cells"][tagged[0]]
    if cell.get("cell_type") != "code":
        raise ParameterError(f"{where}: the cell tagged {PARAMETERS_TAG!r} is a {cell.get('cell_type')} cell; "
                             "it must be a code cell.")
    params = parse_parameters(_cell_source(cell), where=f"{where}, parameters cell")
    rp = [p for p in params if p.name == RESULTS_PATH]
    if not rp or rp[0].type is not str:
        raise ParameterError(f"{where}: the parameters cell must define "
                             f"`{RESULTS_PATH} = \"\"  # where to write results.json (\"\" = do not write)`; "
                             "the runner sets it so that the notebook's save_results(...) writes results.json.")
    return CaseStudy(path.stem, path.resolve(), tuple(p for p in params if p.name != RESULTS_PATH), _title(nb))


# --------------------------------------------------------------------------------------------
# Finding case studies
# --------------------------------------------------------------------------------------------


def case_study_dir() -> Path:
    """The folder of the workbook's case studies: ``notebooks/case_studies`` in the repository.

    The repository root is ``Path(crm_lessons.__file__).parents[2]`` (an editable install or a
    clone); when that has no ``notebooks/case_studies`` (a wheel install), the folder under the
    current directory is used.
    """
    from . import __file__ as pkg_file

    repo = Path(pkg_file).resolve().parents[2] / "notebooks" / "case_studies"
    if repo.is_dir():
        return repo
    return Path.cwd() / "notebooks" / "case_studies"


def _notebooks_in(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise ParameterError(f"case-study folder {str(directory)!r} does not exist; pass --dir (directory=...) "
                             "pointing at a folder of case-study notebooks.")
    return sorted(p for p in directory.glob("*.ipynb")
                  if not p.name.startswith((".", "_")) and not p.name.endswith("-checkpoint.ipynb"))


def list_case_studies(directory: str | Path | None = None) -> list[CaseStudy | ParameterError]:
    """Every case study in ``directory`` (default :func:`case_study_dir`), sorted by name.

    A notebook whose ``parameters`` cell cannot be read appears as the :class:`ParameterError`
    that says why, so one broken notebook does not hide the others.

    Examples
    --------
    >>> from pathlib import Path
    >>> import crm_lessons
    >>> fixtures = Path(crm_lessons.__file__).parents[2] / "tests" / "fixtures" / "case_studies"
    >>> [cs.name for cs in list_case_studies(fixtures)]
    ['toy_case']
    """
    directory = Path(directory) if directory is not None else case_study_dir()
    found: list[CaseStudy | ParameterError] = []
    for path in _notebooks_in(directory):
        try:
            found.append(_load_case_study(path))
        except ParameterError as err:
            found.append(err)
    return found


def _unknown_message(context: str, given: str, valid: Sequence[str], what: str) -> str:
    close = difflib.get_close_matches(given, valid, n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    listing = ", ".join(valid) if valid else "(none)"
    plural = what[:-1] + "ies" if what.endswith("y") else what + "s"
    return f"{context}: unknown {what} {given!r}.{hint} Valid {plural}: {listing}."


def find_case_study(name: str | Path, directory: str | Path | None = None) -> CaseStudy:
    """Look a case study up by name (``"clv_cdnow"``) or by the path of its notebook.

    Raises
    ------
    ParameterError
        For an unknown name (suggesting the closest ones) or a malformed ``parameters`` cell.
    """
    text = str(name)
    candidate = Path(text)
    if text.endswith(".ipynb") or candidate.is_file():
        if not candidate.is_file():
            raise ParameterError(f"case study notebook {text!r} does not exist.")
        return _load_case_study(candidate)
    directory = Path(directory) if directory is not None else case_study_dir()
    notebooks = {p.stem: p for p in _notebooks_in(directory)}
    if text not in notebooks:
        raise ParameterError(_unknown_message(f"case studies in {directory}", text, sorted(notebooks), "case study"))
    return _load_case_study(notebooks[text])


def parameters(name: str | Path, *, directory: str | Path | None = None) -> list[Parameter]:
    """The parameters of a case study (without ``results_path``, which the runner sets).

    Examples
    --------
    >>> from pathlib import Path
    >>> import crm_lessons
    >>> fixtures = Path(crm_lessons.__file__).parents[2] / "tests" / "fixtures" / "case_studies"
    >>> for p in parameters("toy_case", directory=fixtures):
    ...     print(f"{p.name:12} {p.type_name:5} {p.default!r}")
    n_customers  int   200
    churn_rate   float 0.2
    segment      str   'all'
    discount     bool  True
    """
    return list(find_case_study(name, directory).parameters)


# --------------------------------------------------------------------------------------------
# Checking values
# --------------------------------------------------------------------------------------------


def _wrong(where: str, param: Parameter, value: Any, expected: str) -> ParameterError:
    return ParameterError(f"{where}: parameter {param.name!r} got {value!r}, expected {expected} "
                          f"(the default is {param.default!r}: {param.help}).")


def convert_value(param: Parameter, value: Any, *, where: str = "crm-lessons") -> Any:
    """Convert ``value`` (a command-line string or a Python value) to ``param``'s type.

    Strings: an int accepts ``"39"`` but not ``"39.5"``; a float accepts ``"0.1"`` and ``"1"``
    (finite numbers only); a bool accepts true/false, yes/no, 1/0 (any case); a str accepts
    anything; a list accepts ``"[1, 2]"`` or ``"1,2"`` (elements converted like the default's).
    Python values must already have the right type (an int is accepted for a float).

    Raises
    ------
    ParameterError
        Naming the parameter, the value given and the type expected.

    Examples
    --------
    >>> p = Parameter("holdout_weeks", int, 39, "weeks after calibration")
    >>> convert_value(p, "52")
    52
    >>> convert_value(p, "39.5")
    Traceback (most recent call last):
    ...
    crm_lessons.runner.ParameterError: crm-lessons: parameter 'holdout_weeks' got '39.5', expected int ...
    >>> convert_value(Parameter("weekly", bool, True, "weekly data"), "no")
    False
    >>> convert_value(Parameter("margin", float, 0.3, "margin share"), "1")
    1.0
    """
    t = param.type
    if isinstance(value, str) and t is not str:
        s = value.strip()
        if t is bool:
            if s.lower() in _TRUE:
                return True
            if s.lower() in _FALSE:
                return False
            raise _wrong(where, param, value, "bool (true/false, yes/no or 1/0)")
        if t is int:
            if re.fullmatch(r"[+-]?\d+", s):
                return int(s)
            raise _wrong(where, param, value, "int (a whole number such as 39)")
        if t is float:
            try:
                f = float(s)
            except ValueError:
                f = math.nan
            if s and math.isfinite(f):
                return f
            raise _wrong(where, param, value, "float (a finite number such as 0.1 or 1)")
        if t is list:
            return _convert_list(param, s, where)
    if t is str:
        if isinstance(value, str):
            return value
        raise _wrong(where, param, value, "str")
    if t is bool:
        if isinstance(value, bool):
            return value
        raise _wrong(where, param, value, "bool (True or False)")
    if t is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return int(value)
        raise _wrong(where, param, value, "int (a whole number)")
    if t is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        raise _wrong(where, param, value, "float (a finite number)")
    if isinstance(value, (list, tuple)):
        return _convert_list(param, list(value), where)
    raise _wrong(where, param, value, "list (e.g. [1, 2] or 1,2)")


def _convert_list(param: Parameter, value: str | list, where: str) -> list:
    if isinstance(value, str):
        if value.startswith("["):
            try:
                items = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                raise _wrong(where, param, value, "list (e.g. [1, 2] or 1,2)") from None
            if not isinstance(items, list):
                raise _wrong(where, param, value, "list (e.g. [1, 2] or 1,2)")
        else:
            items = [v.strip() for v in value.split(",")] if value else []
    else:
        items = value
    kinds = {_type_of(v) for v in param.default}
    if len(kinds) != 1 or None in kinds or list in kinds:  # empty or mixed default: keep the items as given
        return list(items)
    elem = Parameter(f"{param.name}[]", kinds.pop(), None, param.help)
    try:
        return [convert_value(elem, v, where=where) for v in items]
    except ParameterError:
        raise _wrong(where, param, value, f"list of {elem.type_name}") from None


def check_parameters(case: CaseStudy, given: Mapping[str, Any], *, where: str | None = None) -> dict[str, Any]:
    """Check names and convert values; return every parameter with defaults filled in.

    Raises
    ------
    ParameterError
        For an unknown name (naming it, suggesting the closest valid ones and listing all), for
        ``results_path`` (the runner sets it) or for a value of the wrong type.

    Examples
    --------
    >>> case = CaseStudy("demo", Path("demo.ipynb"), (Parameter("holdout_weeks", int, 39, "weeks"),))
    >>> check_parameters(case, {"holdout_weeks": "52"})
    {'holdout_weeks': 52}
    >>> check_parameters(case, {"holdout_week": "52"})
    Traceback (most recent call last):
    ...
    crm_lessons.runner.ParameterError: demo: unknown parameter 'holdout_week'. Did you mean 'holdout_weeks'? ...
    """
    where = where or case.name
    names = [p.name for p in case.parameters]
    values = {p.name: p.default for p in case.parameters}
    for key, value in given.items():
        if key == RESULTS_PATH:
            raise ParameterError(f"{where}: {RESULTS_PATH!r} is set by the runner "
                                 "(DIR/results.json from --out / out=); "
                                 "do not pass it.")
        if key not in values:
            raise ParameterError(_unknown_message(where, str(key), names, "parameter"))
        values[key] = convert_value(case.parameter(key), value, where=where)
    return values


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


def _say(progress: Callable[[str], None] | None, message: str) -> None:
    if progress is not None:
        progress(message)


def _prepare_out(out: Path, force: bool, where: str, files: Iterable[str]) -> None:
    if out.exists() and not out.is_dir():
        raise ParameterError(f"{where}: --out {str(out)!r} is a file; choose a folder.")
    for parent in out.absolute().parents:  # e.g. --out afile/sub: a file stands where a folder must go
        if parent.exists():
            if not parent.is_dir():
                raise ParameterError(f"{where}: --out {str(out)!r} lies inside {str(parent)!r}, which is a file, "
                                     "not a folder; choose a folder path.")
            break
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise ParameterError(f"{where}: the output folder {str(out)!r} exists and is not empty; nothing was "
                                 "run or overwritten. Use --force (force=True) to overwrite it, "
                                 "or choose another --out.")
        for f in files:  # only what the runner writes, so a failed rerun cannot leave stale results behind
            target = out / f
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()


def _check_kernel(kernel: str, where: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    specs = sorted(KernelSpecManager().find_kernel_specs())
    if kernel not in specs:
        raise ParameterError(_unknown_message(where, kernel, specs, "kernel")
                             + " Install this environment's kernel with "
                               "`python -m ipykernel install --sys-prefix --name python3`.")


def _check_timeout(timeout: Any, where: str) -> int | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ParameterError(f"{where}: timeout must be a positive number of seconds per cell, got {timeout!r}.")
    return max(1, math.ceil(timeout))


def _clean(text: str) -> str:
    return _ANSI.sub("", text or "")


def _export_html(nb_path: Path, html_path: Path) -> None:
    """The executed notebook as one HTML file that reads offline: static "Try it" figures instead of
    widgets, math typeset by a local MathJax when the repository's vendored copy is found (see
    ``crm_lessons._pages``), long code and equations wrapped or scrolled."""
    import nbformat
    from nbconvert import HTMLExporter

    from ._pages import figure_html, offline_html, static_outputs

    nb = nbformat.read(nb_path, as_version=4)
    static_outputs(nb)
    figure_html(nb)  # charts keep their alt text (and caption) in the page
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    html_path.write_text(offline_html(html), encoding="utf-8")


def _execute(case_path: Path, out: Path, values: dict[str, Any], *, kernel: str, timeout: float | None,
             progress_bar: bool) -> tuple[Path, Path, Path]:
    """Execute one notebook with papermill; raise CaseStudyFailed on an error."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    out.mkdir(parents=True, exist_ok=True)
    nb_out = out / f"{case_path.stem}.ipynb"
    html_out = out / f"{case_path.stem}.html"
    results_file = out / "results.json"
    injected = {**values, RESULTS_PATH: str(results_file)}
    failure: CaseStudyFailed | None = None
    # Names and types were checked already; papermill's own parser of the parameters cell only adds
    # misleading warnings ("Unable to parse line ...", "Passed unknown parameter: results_path").
    pm_log = logging.getLogger("papermill")
    old_level = pm_log.level
    pm_log.setLevel(logging.ERROR)
    # ipykernel >= 7 warns on stderr about unencrypted local TCP on every start; keep the output readable.
    extra = ["--IPKernelApp.log_level=CRITICAL"] if kernel == "python3" else []
    try:
        pm.execute_notebook(
            str(case_path), str(nb_out), parameters=injected, kernel_name=kernel, cwd=str(case_path.parent),
            progress_bar=progress_bar, log_output=False, execution_timeout=timeout, extra_arguments=extra,
        )
    except PapermillExecutionError as err:
        ename, evalue = _clean(err.ename), _clean(err.evalue)
        first = next((ln.strip() for ln in (err.source or "").splitlines() if ln.strip()), "")
        hint = ""
        if ename == "ModuleNotFoundError" and "crm_lessons" in evalue:
            hint = (f"\nThe kernel {kernel!r} runs a Python without crm_lessons: install the kernel of this "
                    "environment (python -m ipykernel install --sys-prefix --name python3) or pass --kernel.")
        failure = CaseStudyFailed(
            f"{case_path.stem}: the notebook failed in the cell shown as In [{err.exec_count}] "
            f"(cell {err.cell_index + 1} of the executed notebook, starting `{first[:80]}`) with\n"
            f"    {ename}: {evalue}{hint}\n"
            f"The executed notebook, with the error in place, is {nb_out}",
            notebook=nb_out, ename=ename, evalue=evalue, cell_index=err.cell_index)
    except Exception as err:  # kernel died, timeout, kernel not found, ...
        failure = CaseStudyFailed(
            f"{case_path.stem}: the notebook could not be executed: {type(err).__name__}: {_clean(str(err))}"
            + (f"\nWhatever ran was saved to {nb_out}" if nb_out.exists() else ""),
            notebook=nb_out, ename=type(err).__name__, evalue=" ".join(_clean(str(err)).split()))
    finally:
        pm_log.setLevel(old_level)
    if nb_out.exists():
        try:
            _export_html(nb_out, html_out)
        except Exception as err:  # the HTML is a convenience; never hide the real error behind it
            if failure is None:
                failure = CaseStudyFailed(f"{case_path.stem}: the notebook ran but its HTML export failed: {err}",
                                          notebook=nb_out, ename=type(err).__name__, evalue=str(err))
    if failure is not None:
        if html_out.exists():
            failure.args = (failure.args[0] + f" (HTML: {html_out})",)
        raise failure
    if not results_file.exists():
        raise CaseStudyFailed(
            f"{case_path.stem}: the notebook ran but wrote no results.json; its last cell must call "
            f"crm_lessons.runner.save_results(results, results_path, parameters=...). Executed notebook: {nb_out}",
            notebook=nb_out, ename="MissingResults", evalue="the notebook wrote no results.json")
    return nb_out, html_out, results_file


def _run_one(case_path: str, out: str, values: dict[str, Any], run_id: str, kernel: str,
             timeout: float | None, progress_bar: bool) -> RunResult:
    """Execute one run and return its record (never raises for a notebook error)."""
    path, folder = Path(case_path), Path(out)
    result = RunResult(run_id=run_id, out=folder, parameters=dict(values))
    start = time.perf_counter()
    try:
        nb_out, html_out, results_file = _execute(path, folder, values, kernel=kernel, timeout=timeout,
                                                  progress_bar=progress_bar)
        result.notebook, result.html, result.results_file = nb_out, html_out, results_file
        result.results = json.loads(results_file.read_text(encoding="utf-8"))
    except CaseStudyFailed as err:
        result.status, result.error = "failed", err.short
        result.notebook = err.notebook if err.notebook.exists() else None
        html = folder / f"{path.stem}.html"
        result.html = html if html.exists() else None
        result.message = str(err)
    result.seconds = time.perf_counter() - start
    return result


def _fmt_params(values: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v!r}" for k, v in values.items())


def run(name: str | Path, params: Mapping[str, Any] | None, out: str | Path, force: bool = False,
        *, directory: str | Path | None = None, kernel: str = "python3", timeout: float | None = None,
        progress: Callable[[str], None] | None = print, progress_bar: bool = False) -> RunResult:
    """Run one case study with checked parameters.

    Names and types are checked against the notebook's ``parameters`` cell, and the output folder
    against overwriting, before anything executes. The notebook then runs with papermill (kernel
    ``python3``, working directory = the notebook's folder, so relative paths behave as in
    JupyterLab) with ``results_path = OUT/results.json`` injected, and ``OUT`` receives:

    - ``NAME.ipynb``: the executed notebook;
    - ``results.json``: the flat results written by the notebook's :func:`save_results`;
    - ``NAME.html``: the executed notebook as HTML.

    Parameters
    ----------
    name : str or Path
        Case-study name (``"clv_cdnow"``) or the path of a notebook.
    params : mapping or None
        Parameter name to value (``None`` or ``{}``: all defaults): Python values of the default's
        type, or strings as typed on the command line (``"39"``, ``"0.1"``, ``"yes"``).
    out : str or Path
        Output folder; must not exist or be empty unless ``force``.
    force : bool, default False
        Overwrite the runner's files in a non-empty ``out``.
    directory : str or Path, optional
        Folder of case studies (default :func:`case_study_dir`).
    kernel : str, default "python3"
        Jupyter kernel.
    timeout : float, optional
        Seconds allowed per cell, rounded up to whole seconds (default: no limit).
    progress : callable or None, default print
        Receives one line per step; ``None`` is silent.
    progress_bar : bool, default False
        Show papermill's per-cell progress bar (on stderr).

    Returns
    -------
    RunResult
        With ``results`` read from ``results.json``.

    Raises
    ------
    ParameterError
        Before executing: unknown case study or parameter, wrong type, ``out`` not empty.
    CaseStudyFailed
        The notebook raised; the message names the failing cell's error and the executed notebook.

    Examples
    --------
    >>> r = run("clv_cdnow", {"holdout_weeks": 39}, "runs/a")  # doctest: +SKIP
    run clv_cdnow: parameters ok: ...
    >>> r.results["bgnbd_r"]  # doctest: +SKIP
    0.2426
    """
    case = find_case_study(name, directory)
    values = check_parameters(case, dict(params or {}), where=case.name)
    timeout = _check_timeout(timeout, case.name)
    _check_kernel(kernel, case.name)
    out = Path(out).resolve()
    _prepare_out(out, force, case.name, [f"{case.name}.ipynb", f"{case.name}.html", "results.json"])
    _say(progress, f"run {case.name}: parameters ok: {_fmt_params(values)}")
    _say(progress, f"run {case.name}: executing {case.path} (kernel {kernel}) ...")
    start = time.perf_counter()
    nb_out, html_out, results_file = _execute(case.path, out, values, kernel=kernel, timeout=timeout,
                                              progress_bar=progress_bar)
    seconds = time.perf_counter() - start
    results = json.loads(results_file.read_text(encoding="utf-8"))
    missing = [k for k in values if k not in results]
    if missing:
        _say(progress, f"run {case.name}: warning: results.json lacks the parameter(s) {', '.join(missing)}; "
                       "pass parameters=dict(...) with every parameter to save_results.")
    _say(progress, f"run {case.name}: done in {seconds:.1f} s; wrote {nb_out}, {results_file}, {html_out}")
    return RunResult(case.name, out, values, "ok", "", results, seconds, nb_out, html_out, results_file)


def _write_csv(path: Path, rows: list[RunResult], param_names: list[str]) -> None:
    reserved = {"run_id", "status", "error", "seconds", RESULTS_PATH, *param_names}
    result_keys: list[str] = []
    for r in rows:
        if r.ok:
            for k in r.results:
                if k not in reserved and k not in result_keys:
                    result_keys.append(k)
    header = ["run_id", *param_names, "status", "error", "seconds", *result_keys]

    def cell(v: Any) -> Any:
        if isinstance(v, list):
            return json.dumps(v)
        return "" if v is None else v

    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in sorted(rows, key=lambda r: r.run_id):
            res = r.results if r.ok else {}
            w.writerow([r.run_id, *(cell(r.parameters[p]) for p in param_names), r.status, r.error,
                        f"{r.seconds:.1f}", *(cell(res.get(k)) for k in result_keys)])
    tmp.replace(path)


def sweep(name: str | Path, grid: Mapping[str, Sequence[Any]], out: str | Path, force: bool = False,
          *, jobs: int = 1, directory: str | Path | None = None, kernel: str = "python3",
          timeout: float | None = None, progress: Callable[[str], None] | None = print):
    """Run a case study once per combination of parameter values and tabulate the results.

    Every value is checked before the first run. Run ``k`` writes into ``OUT/run_00k/`` (the same
    three files as :func:`run`); a failed combination is reported and the others still run.
    ``OUT/results.csv`` has one row per run: ``run_id``, every parameter, ``status`` (ok/failed),
    ``error``, ``seconds`` and every key of the run's ``results.json``. It is rewritten after each
    run, so an interrupted sweep keeps the rows it finished.

    Parameters
    ----------
    name : str or Path
        Case-study name or notebook path.
    grid : mapping of str to sequence
        Parameter name to the values to try (a single value may be given bare). Parameters not in
        the grid keep their defaults.
    out : str or Path
        Output folder; must not exist or be empty unless ``force``.
    force : bool, default False
        Overwrite the runner's files (``run_*`` folders, ``results.csv``) in a non-empty ``out``.
    jobs : int, default 1
        Runs executed at the same time (each in its own process and kernel).
    directory, kernel, timeout, progress
        As for :func:`run`.

    Returns
    -------
    pandas.DataFrame
        The contents of ``results.csv``.

    Raises
    ------
    ParameterError
        Before anything runs, for an unknown name, a wrong type or an ``out`` that is not empty.

    Examples
    --------
    >>> table = sweep("clv_cdnow", {"model": ["bgnbd", "pareto"], "holdout_weeks": [26, 39]},
    ...               "runs/s", jobs=2)  # doctest: +SKIP
    sweep clv_cdnow: 4 runs (model: 2 values x holdout_weeks: 2 values), 2 at a time
    ...
    >>> table[["run_id", "model", "holdout_weeks", "status"]]  # doctest: +SKIP
    """
    import pandas as pd

    case = find_case_study(name, directory)
    if not isinstance(grid, Mapping):
        raise ParameterError(f"{case.name}: the sweep grid must be a dict of parameter name -> list of values, "
                             f"got {type(grid).__name__}.")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"{case.name}: jobs must be a whole number >= 1, got {jobs!r}.")
    axes: dict[str, list[Any]] = {}
    for key, vals in grid.items():
        if isinstance(vals, (str, bytes)) or not isinstance(vals, Sequence):
            vals = [vals]
        if len(vals) == 0:
            raise ParameterError(f"{case.name}: parameter {key!r} was given no values to sweep over.")
        axes[key] = [check_parameters(case, {key: v}, where=case.name)[key] for v in vals]
    combos = [dict(zip(axes, c)) for c in itertools.product(*axes.values())] if axes else [{}]
    width = max(3, len(str(len(combos))))
    run_ids = [f"run_{i:0{width}d}" for i in range(1, len(combos) + 1)]
    timeout = _check_timeout(timeout, case.name)
    _check_kernel(kernel, case.name)
    out = Path(out).resolve()
    _prepare_out(out, force, case.name, ["results.csv", *run_ids])
    out.mkdir(parents=True, exist_ok=True)
    param_names = [p.name for p in case.parameters]
    shape = " x ".join(f"{k}: {len(v)} value{'s' if len(v) != 1 else ''}" for k, v in axes.items()) or "defaults"
    _say(progress, f"sweep {case.name}: {len(combos)} run{'s' if len(combos) != 1 else ''} ({shape}), "
                   f"{min(jobs, len(combos))} at a time, into {out}")
    tasks = []
    for run_id, combo in zip(run_ids, combos):
        values = check_parameters(case, combo, where=case.name)
        tasks.append((str(case.path), str(out / run_id), values, run_id, kernel, timeout, False))
    rows: list[RunResult] = []
    csv_path = out / "results.csv"

    def record(r: RunResult) -> None:
        rows.append(r)
        changed = {k: r.parameters[k] for k in axes}
        tail = "ok" if r.ok else f"FAILED: {r.error}"
        _say(progress, f"[{len(rows)}/{len(tasks)}] {r.run_id} {_fmt_params(changed)}: {tail} ({r.seconds:.1f} s)")
        if not r.ok and r.notebook is not None:
            _say(progress, f"    see {r.notebook}")
        _write_csv(csv_path, rows, param_names)

    if jobs == 1 or len(tasks) == 1:
        for t in tasks:
            _say(progress, f"      {t[3]} {_fmt_params({k: t[2][k] for k in axes})}: running ...")
            record(_run_one(*t))
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        # papermill changes the working directory of its process, so parallel runs need processes
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=mp.get_context("spawn"))
        try:
            futures = {pool.submit(_run_one, *t): t for t in tasks}
            for fut in as_completed(futures):
                t = futures[fut]
                try:
                    record(fut.result())
                except Exception as err:  # a worker died
                    record(RunResult(t[3], Path(t[1]), t[2], "failed", f"{type(err).__name__}: {err}"))
        except KeyboardInterrupt:  # pragma: no cover - keep the finished rows, start nothing new
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    failed = [r for r in rows if not r.ok]
    _say(progress, f"sweep {case.name}: {len(rows) - len(failed)} ok, {len(failed)} failed; wrote {csv_path}")
    return pd.read_csv(csv_path, keep_default_na=False, na_values=[""])
