"""The ``crm-lessons`` command: list, run and sweep the workbook's case studies.

Examples (from a shell)::

    crm-lessons list
    crm-lessons run clv_cdnow -p holdout_weeks 26 -p model pareto --out runs/a
    crm-lessons sweep clv_cdnow -p model bgnbd pareto -p holdout_weeks 26 39 --out runs/s --jobs 2

``python -m crm_lessons ...`` is the same command. Exit codes: 0 success; 1 a notebook failed (or, for
``list``, a case study's parameters cell cannot be read); 2 the request was refused before anything ran
(unknown case study or parameter, wrong type, output folder not empty, bad command line).
"""

from __future__ import annotations

import argparse
import textwrap
import sys
from collections.abc import Sequence
from pathlib import Path

from . import runner

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _table(rows: list[list[str]], header: list[str], indent: str = "  ", max_help: int = 70) -> str:
    """A plain-text table whose last column (the help text) wraps at ``max_help`` characters, never cut."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header[:-1])]
    widths.append(min(max_help, max(len(header[-1]), *(len(r[-1]) for r in rows))))
    fmt = lambda r: indent + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    lines = [fmt(header), fmt(["-" * w for w in widths])]
    for r in rows:
        wrapped = textwrap.wrap(r[-1], max_help) or [""]
        lines.append(fmt([*r[:-1], wrapped[0]]))
        lines.extend(fmt([""] * (len(r) - 1) + [more]) for more in wrapped[1:])
    return "\n".join(lines)


def _cmd_list(args: argparse.Namespace) -> int:
    found = runner.list_case_studies(args.dir)
    folder = Path(args.dir) if args.dir else runner.case_study_dir()
    if not found:
        print(f"no case studies in {folder}")
        return EXIT_OK
    print(f"case studies in {folder}  (run one with: crm-lessons run NAME -p key value ... --out DIR)\n")
    broken = 0
    for cs in found:
        if isinstance(cs, runner.ParameterError):
            broken += 1
            print(f"! {cs}\n")
            continue
        print(f"{cs.name}" + (f"  -  {cs.title}" if cs.title else ""))
        rows = [[p.name, p.type_name, repr(p.default), p.help] for p in cs.parameters]
        print(_table(rows, ["parameter", "type", "default", "help"]) if rows else "  (no parameters)")
        print()
    print("results_path is set by the runner (DIR/results.json); the other parameters take -p NAME VALUE.")
    return EXIT_FAILED if broken else EXIT_OK


def _pairs(items: Sequence[Sequence[str]] | None, *, single: bool) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items or []:
        key, values = item[0], list(item[1:])
        if not values:
            raise runner.ParameterError(f"-p {key}: give a value after the parameter name (-p {key} VALUE).")
        if single and len(values) > 1:
            raise runner.ParameterError(f"-p {key}: run takes one value per parameter, got {values}; "
                                        "use `crm-lessons sweep` to try several values.")
        if key in out:
            raise runner.ParameterError(f"-p {key}: the parameter is given twice; give it once"
                                        + ("" if single else " with all its values (-p key v1 v2 ...)") + ".")
        out[key] = values
    return out


def _cmd_run(args: argparse.Namespace) -> int:
    params = {k: v[0] for k, v in _pairs(args.param, single=True).items()}
    runner.run(args.name, params, args.out, force=args.force, directory=args.dir, kernel=args.kernel,
               timeout=args.timeout, progress=lambda m: print(m, flush=True), progress_bar=sys.stderr.isatty())
    return EXIT_OK


def _cmd_sweep(args: argparse.Namespace) -> int:
    grid = _pairs(args.param, single=False)
    table = runner.sweep(args.name, grid, args.out, force=args.force, jobs=args.jobs, directory=args.dir,
                         kernel=args.kernel, timeout=args.timeout, progress=lambda m: print(m, flush=True))
    return EXIT_OK if (table["status"] == "ok").all() else EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``crm-lessons`` (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="crm-lessons",
        description="List, run and sweep the crm-lessons case studies (papermill notebooks with checked parameters).",
        epilog="Parameter names and types are checked against the notebook's `parameters` cell before anything "
               "runs. Exit codes: 0 ok, 1 a notebook failed, 2 refused before running.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{list,run,sweep,exercises,grade}")
    sub.required = True
    dir_help = "folder of case-study notebooks (default: notebooks/case_studies of the workbook)"

    p_list = sub.add_parser("list", help="every case study with its parameters (name, type, default, help)")
    p_list.add_argument("--dir", type=Path, default=None, help=dir_help)
    p_list.set_defaults(func=_cmd_list)

    def common(p: argparse.ArgumentParser, nargs: str, metavar: tuple[str, ...], p_help: str) -> None:
        p.add_argument("name", metavar="NAME", help="case study name (see `crm-lessons list`) or a notebook path")
        p.add_argument("-p", "--param", nargs=nargs, action="append", metavar=metavar, help=p_help)
        p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder (must be new or empty)")
        p.add_argument("--force", action="store_true", help="overwrite the runner's files in a non-empty --out")
        p.add_argument("--dir", type=Path, default=None, help=dir_help)
        p.add_argument("--kernel", default="python3", help="Jupyter kernel (default: python3)")
        p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                       help="seconds allowed per cell (default: no limit)")

    p_run = sub.add_parser("run", help="run one case study: DIR/NAME.ipynb, DIR/results.json, DIR/NAME.html",
                           description="Run one case study with checked parameters.")
    common(p_run, "+", ("KEY", "VALUE"), "set a parameter (repeat for several)")
    p_run.set_defaults(func=_cmd_run)

    p_sweep = sub.add_parser("sweep", help="one run per combination of values; DIR/results.csv compares them",
                             description="Run a case study once per combination of the given values "
                                         "(DIR/run_001, ...) and write DIR/results.csv.")
    common(p_sweep, "+", ("KEY", "VALUE"), "a parameter and the values to try: -p KEY V1 V2 ... (repeat)")
    p_sweep.add_argument("--jobs", type=int, default=1, metavar="N", help="runs at the same time (default 1)")
    p_sweep.set_defaults(func=_cmd_sweep)
    _add_grading_commands(sub)
    return parser


def _cmd_exercises(args: argparse.Namespace) -> int:
    from . import grading

    try:
        written = grading.release(args.roster, args.out, args.set, force=args.force,
                                  exercises=grading.exercises_folder(args.lang))
    except grading.GradingError as err:
        raise runner.ParameterError(str(err)) from None
    students = {p.parent.name for p in written}
    print(f"{len(written)} notebooks for {len(students)} students written to {args.out}/<student>/<set>.ipynb "
          "(student versions only; numbers per student where the set has variants)")
    return EXIT_OK


def _cmd_grade(args: argparse.Namespace) -> int:
    from . import grading

    try:
        paths = grading.grade(args.submissions, args.out, force=args.force, timeout=args.timeout)
    except grading.GradingError as err:
        raise runner.ParameterError(str(err)) from None
    print("\n".join(f"{k}: {v}" for k, v in paths.items()))
    return EXIT_OK


def _add_grading_commands(sub) -> None:
    p_ex = sub.add_parser("exercises", help="write each student's own exercise notebooks from a roster",
                          description="Release exercise sets: OUT/<student>/<set>.ipynb per roster row.")
    p_ex.add_argument("--roster", required=True, type=Path, help="CSV with a 'student' column")
    p_ex.add_argument("--out", required=True, type=Path, metavar="DIR", help="release folder (must be new or empty)")
    p_ex.add_argument("--set", nargs="+", default=None, metavar="SET", help="sets to release (default: all)")
    p_ex.add_argument("--force", action="store_true", help="write into a non-empty --out")
    p_ex.add_argument("--lang", choices=["en", "zh"], default="en",
                      help="en: the English notebooks; zh: the Chinese edition's (zh/exercises), same numbers")
    p_ex.set_defaults(func=_cmd_exercises)
    p_gr = sub.add_parser("grade", help="grade submitted exercise notebooks: gradebook CSV and item analysis",
                          description="Grade SUBMISSIONS/<student>/<set>.ipynb with the hidden tests, locally.")
    p_gr.add_argument("submissions", type=Path, help="folder of submitted notebooks")
    p_gr.add_argument("--out", required=True, type=Path, metavar="DIR", help="grades folder (must be new or empty)")
    p_gr.add_argument("--force", action="store_true", help="write into a non-empty --out")
    p_gr.add_argument("--timeout", type=int, default=60, metavar="SECONDS", help="seconds allowed per cell")
    p_gr.set_defaults(func=_cmd_grade)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``crm-lessons`` console script; returns the exit code.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     code = main(["run", "no_such_study", "--out", "runs/x"])
    >>> code
    2
    >>> print(err.getvalue())  # doctest: +ELLIPSIS
    crm-lessons: case studies in ...: unknown case study 'no_such_study'. ...
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except runner.ParameterError as err:
        print(f"crm-lessons: {err}", file=sys.stderr)
        return EXIT_USAGE
    except runner.CaseStudyFailed as err:
        print(f"crm-lessons: FAILED: {err}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:  # pragma: no cover
        print("crm-lessons: interrupted", file=sys.stderr)
        return 130
