"""The case-study runner: parameters read from the notebook, checked before anything runs, then
executed with papermill (``crm_lessons.runner`` and the ``crm-lessons`` command).

Everything runs against ``tests/fixtures/case_studies/toy_case.ipynb``, a case study that follows the
contract of CONTRIBUTING.md and executes in about a second, so the runner is tested without the slow
real case studies. CLI tests use a subprocess (``python -m crm_lessons``); the rest use the API.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from crm_lessons import runner
from crm_lessons.runner import CaseStudyFailed, Parameter, ParameterError

FIXTURES = Path(__file__).parent / "fixtures" / "case_studies"
TOY = FIXTURES / "toy_case.ipynb"
WORKBOOK_CASE_STUDIES = Path(__file__).resolve().parents[1] / "notebooks" / "case_studies"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "crm_lessons", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def write_case(folder: Path, name: str, source: str, *, tag: str = "parameters") -> Path:
    """A one-cell case-study notebook with ``source`` as its (tagged) parameters cell."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = [tag]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"), cell]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


# ---------------------------------------------------------------------------------------------
# save_results (the last cell of every case study)
# ---------------------------------------------------------------------------------------------


def test_save_results_writes_one_flat_json_object_of_parameters_then_results(tmp_path):
    import numpy as np

    path = tmp_path / "deep" / "results.json"
    shown = runner.save_results({"bgnbd_r": np.float64(0.2426), "n": np.int64(2357), "ll": float("nan")}, path,
                                parameters={"model": "bgnbd", "holdout_weeks": 39})
    saved = json.loads(path.read_text())
    assert saved == {"model": "bgnbd", "holdout_weeks": 39, "bgnbd_r": 0.2426, "n": 2357, "ll": None}
    assert list(saved) == list(shown.index)


def test_save_results_with_empty_path_writes_nothing_and_does_not_mutate(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    results, params = {"a": 1}, {"b": 2.5}
    runner.save_results(results, "", parameters=params)
    assert results == {"a": 1} and params == {"b": 2.5} and not any(tmp_path.iterdir())


@pytest.mark.parametrize("bad", [{"curve": [1, 2]}, {"table": {"a": 1}}])
def test_save_results_rejects_nested_values_saying_results_must_be_flat(bad):
    with pytest.raises(ValueError, match="results must be flat"):
        runner.save_results(bad)
    with pytest.raises(ValueError, match="must be a dict"):
        runner.save_results([("a", 1)])


# ---------------------------------------------------------------------------------------------
# Reading the parameters cell (nothing executes)
# ---------------------------------------------------------------------------------------------


def test_parameters_lists_names_types_defaults_and_help_in_cell_order():
    params = runner.parameters("toy_case", directory=FIXTURES)
    assert [(p.name, p.type, p.default, p.help) for p in params] == [
        ("n_customers", int, 200, "customers at the start"),
        ("churn_rate", float, 0.2, "share of customers lost per month"),
        ("segment", str, "all", 'which customers: "all", "new" or "loyal"'),
        ("discount", bool, True, "offer the retention discount (halves churn)"),
    ]  # results_path is the runner's, not the researcher's


def test_parameters_accepts_a_notebook_path_as_the_name():
    assert [p.name for p in runner.parameters(TOY)] == ["n_customers", "churn_rate", "segment", "discount"]


def test_parse_parameters_reads_lists_negative_numbers_and_comments_on_their_own_lines():
    cell = (
        "# Calibration\n"
        "\n"
        "shift = -3  # weeks to move the cut-off\n"
        "horizons = [\n"
        "    13, 26, 52,\n"
        "]  # weeks ahead to report\n"
        "scale = 1e3  # customers per unit\n"
        "results_path = ''  # where to write results.json\n"
    )
    got = {p.name: (p.type_name, p.default, p.help) for p in runner.parse_parameters(cell)}
    assert got == {
        "shift": ("int", -3, "weeks to move the cut-off"),
        "horizons": ("list", [13, 26, 52], "weeks ahead to report"),
        "scale": ("float", 1000.0, "customers per unit"),
        "results_path": ("str", "", "where to write results.json"),
    }


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("n = 2 * 7  # customers", "'n' is not a literal"),
        ("start = str(1997)  # year", "'start' is not a literal"),
        ("import math", "not a plain assignment"),
        ("a = b = 1  # both", "not a plain assignment"),
        ("a, b = 1, 2  # pair", "not a plain assignment"),
        ("n: int = 5  # customers", "not a plain assignment"),
        ("seed = None  # random seed", "NoneType"),
        ("weights = {'a': 1}  # per segment", "dict"),
        ("n = 5", "'n' has no help text"),
        ("n = 5  # customers\nn = 6  # again", "'n' is assigned twice"),
        ("n = = 5", "syntax error"),
    ],
)
def test_parse_parameters_rejects_a_cell_not_of_the_form_name_literal_help(source, says):
    with pytest.raises(ParameterError, match="line") as err:
        runner.parse_parameters(source)
    assert says in str(err.value)


def test_case_study_without_parameters_tag_or_results_path_is_rejected_with_the_fix(tmp_path):
    write_case(tmp_path, "untagged", 'n = 5  # customers\nresults_path = ""  # out', tag="other")
    write_case(tmp_path, "no_results_path", "n = 5  # customers")
    with pytest.raises(ParameterError, match="no cell is tagged 'parameters'"):
        runner.parameters("untagged", directory=tmp_path)
    with pytest.raises(ParameterError, match=r'must define `results_path = ""'):
        runner.parameters("no_results_path", directory=tmp_path)


def test_list_case_studies_shows_a_broken_notebook_without_hiding_the_others(tmp_path):
    write_case(tmp_path, "good", 'n = 5  # customers\nresults_path = ""  # out')
    write_case(tmp_path, "bad", "n = 5\nresults_path = ''  # out")
    found = runner.list_case_studies(tmp_path)
    assert [type(f).__name__ for f in found] == ["ParameterError", "CaseStudy"]  # sorted: bad, good
    assert "bad.ipynb" in str(found[0]) and "'n' has no help text" in str(found[0])
    assert found[1].name == "good" and found[1].parameters[0].default == 5


def test_case_studies_are_found_in_the_workbook_folder_by_default():
    assert runner.case_study_dir() == WORKBOOK_CASE_STUDIES


@pytest.mark.parametrize("path", sorted(WORKBOOK_CASE_STUDIES.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_workbook_case_study_has_a_parameters_cell_the_runner_can_read(path):
    case = runner.find_case_study(path)  # raises with the reason if the cell breaks the contract
    assert case.name == path.stem and case.parameters


def test_unknown_case_study_is_rejected_suggesting_the_closest_name():
    with pytest.raises(ParameterError, match=r"unknown case study 'toy_cas'\. Did you mean 'toy_case'\?"):
        runner.parameters("toy_cas", directory=FIXTURES)


# ---------------------------------------------------------------------------------------------
# Checking values (before anything runs)
# ---------------------------------------------------------------------------------------------

INT = Parameter("holdout_weeks", int, 39, "weeks")
FLOAT = Parameter("margin", float, 0.3, "margin share")
BOOL = Parameter("weekly", bool, True, "weekly data")
STR = Parameter("model", str, "bgnbd", "model")
LIST = Parameter("horizons", list, [13, 26], "weeks ahead")


@pytest.mark.parametrize(
    ("param", "text", "expected"),
    [
        (INT, "39", 39), (INT, " -4 ", -4),
        (FLOAT, "0.1", 0.1), (FLOAT, "1", 1.0), (FLOAT, "2e-3", 0.002),
        (BOOL, "true", True), (BOOL, "Yes", True), (BOOL, "1", True),
        (BOOL, "FALSE", False), (BOOL, "no", False), (BOOL, "0", False),
        (STR, "39.5", "39.5"), (STR, "", ""),
        (LIST, "[1, 2, 3]", [1, 2, 3]), (LIST, "4,5", [4, 5]),
    ],
)
def test_command_line_strings_become_the_defaults_type(param, text, expected):
    got = runner.convert_value(param, text)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("param", "text", "expected"),
    [
        (INT, "39.5", "int"), (INT, "", "int"), (INT, "forty", "int"),
        (FLOAT, "abc", "float"), (FLOAT, "nan", "float"), (FLOAT, "inf", "float"),
        (BOOL, "maybe", "bool"), (BOOL, "2", "bool"),
        (LIST, "[1, 'x']", "list of int"), (LIST, "[1,", "list"),
    ],
)
def test_wrong_type_names_the_parameter_the_value_and_the_expected_type(param, text, expected):
    with pytest.raises(ParameterError) as err:
        runner.convert_value(param, text)
    assert f"parameter {param.name!r} got {text!r}, expected {expected}" in str(err.value)


def test_python_values_must_have_the_defaults_type_but_an_int_is_a_float():
    assert runner.convert_value(FLOAT, 1) == 1.0
    for param, value in [(INT, 1.5), (INT, True), (BOOL, 1), (STR, 3), (FLOAT, float("nan")), (LIST, 5)]:
        with pytest.raises(ParameterError, match=param.name):
            runner.convert_value(param, value)


def test_check_parameters_fills_defaults_and_does_not_mutate_the_given_mapping():
    case = runner.find_case_study("toy_case", FIXTURES)
    given = {"churn_rate": "0.5"}
    values = runner.check_parameters(case, given)
    assert given == {"churn_rate": "0.5"}
    assert values == {"n_customers": 200, "churn_rate": 0.5, "segment": "all", "discount": True}


def test_results_path_cannot_be_passed_because_the_runner_sets_it():
    case = runner.find_case_study("toy_case", FIXTURES)
    with pytest.raises(ParameterError, match="'results_path' is set by the runner"):
        runner.check_parameters(case, {"results_path": "/tmp/x.json"})


def test_api_typo_and_wrong_type_are_rejected_before_the_output_folder_is_created(tmp_path):
    out = tmp_path / "never"
    with pytest.raises(ParameterError, match="Did you mean 'churn_rate'"):
        runner.run("toy_case", {"churn_rat": 0.1}, out, directory=FIXTURES, progress=None)
    with pytest.raises(ParameterError, match="expected int"):
        runner.run("toy_case", {"n_customers": "12.5"}, out, directory=FIXTURES, progress=None)
    with pytest.raises(ParameterError, match="parameter 'discount'"):  # the last value is checked too
        runner.sweep("toy_case", {"churn_rate": [0.1, 0.2], "discount": ["yes", "perhaps"]}, out,
                     directory=FIXTURES, progress=None)
    with pytest.raises(ParameterError, match="unknown kernel 'no_such_kernel'"):
        runner.run("toy_case", {}, out, directory=FIXTURES, kernel="no_such_kernel", progress=None)
    with pytest.raises(ParameterError, match="jobs must be a whole number >= 1"):
        runner.sweep("toy_case", {"churn_rate": [0.1]}, out, jobs=0, directory=FIXTURES, progress=None)
    assert not out.exists()


# ---------------------------------------------------------------------------------------------
# The command line (subprocess, as a researcher types it)
# ---------------------------------------------------------------------------------------------


def test_python_m_crm_lessons_help_lists_the_three_commands():
    done = cli("--help")
    assert done.returncode == 0, done.stderr
    for word in ("list", "run", "sweep"):
        assert word in done.stdout
    done = cli("sweep", "--help")
    assert done.returncode == 0 and "--jobs" in done.stdout and "--force" in done.stdout


def test_cli_list_prints_every_parameter_with_type_default_and_help():
    done = cli("list", "--dir", str(FIXTURES))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("toy_case") for line in lines)
    row = next(line for line in lines if line.strip().startswith("churn_rate"))
    assert row.split()[:3] == ["churn_rate", "float", "0.2"] and "share of customers lost per month" in row


def test_cli_list_shows_a_broken_case_study_with_the_reason_and_exits_1(tmp_path):
    write_case(tmp_path, "good", 'n = 5  # customers\nresults_path = ""  # out')
    write_case(tmp_path, "bad", "n = 2 * 7  # customers\nresults_path = ''  # out")
    done = cli("list", "--dir", str(tmp_path))
    assert done.returncode == 1
    assert "! bad.ipynb, parameters cell, line 1: the value of 'n' is not a literal" in done.stdout
    assert any(line.split()[:3] == ["n", "int", "5"] for line in done.stdout.splitlines())


def test_cli_typo_exits_2_naming_the_parameter_and_suggesting_the_right_one(tmp_path):
    done = cli("run", "toy_case", "--dir", str(FIXTURES), "-p", "n_customer", "300", "--out", str(tmp_path / "a"))
    assert done.returncode == 2
    assert "unknown parameter 'n_customer'" in done.stderr
    assert "Did you mean 'n_customers'?" in done.stderr
    assert "Valid parameters: n_customers, churn_rate, segment, discount" in done.stderr
    assert not (tmp_path / "a").exists()


@pytest.mark.parametrize(("key", "value", "expected"),
                         [("n_customers", "39.5", "int"), ("discount", "maybe", "bool"),
                          ("churn_rate", "high", "float")])
def test_cli_wrong_type_exits_2_naming_parameter_value_and_type(tmp_path, key, value, expected):
    done = cli("run", "toy_case", "--dir", str(FIXTURES), "-p", key, value, "--out", str(tmp_path / "a"))
    assert done.returncode == 2
    assert f"parameter {key!r} got {value!r}, expected {expected}" in done.stderr
    assert not (tmp_path / "a").exists()


def test_cli_unknown_case_study_exits_2_suggesting_the_closest():
    done = cli("run", "toycase", "--dir", str(FIXTURES), "--out", "unused")
    assert done.returncode == 2 and "Did you mean 'toy_case'?" in done.stderr


def test_cli_refuses_a_non_empty_out_without_force_and_leaves_it_untouched(tmp_path):
    out = tmp_path / "earlier_run"
    out.mkdir()
    (out / "results.json").write_text('{"keep": 1}\n')
    (out / "notes.txt").write_text("mine")
    before = snapshot(out)
    for command in (["run", "toy_case"], ["sweep", "toy_case", "-p", "churn_rate", "0.1", "0.2"]):
        done = cli(*command, "--dir", str(FIXTURES), "--out", str(out))
        assert done.returncode == 2
        assert "exists and is not empty" in done.stderr and "--force" in done.stderr and "another --out" in done.stderr
        assert snapshot(out) == before


def test_cli_run_takes_one_value_per_parameter_and_points_to_sweep(tmp_path):
    done = cli("run", "toy_case", "--dir", str(FIXTURES), "-p", "churn_rate", "0.1", "0.2",
               "--out", str(tmp_path / "a"))
    assert done.returncode == 2 and "crm-lessons sweep" in done.stderr


@pytest.mark.slow
def test_cli_run_prints_progress_and_writes_the_three_files(tmp_path):
    out = tmp_path / "a"
    done = cli("run", "toy_case", "--dir", str(FIXTURES), "-p", "n_customers", "300", "-p", "discount", "no",
               "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "parameters ok: n_customers=300 churn_rate=0.2 segment='all' discount=False" in done.stdout
    assert "done in" in done.stdout
    assert sorted(p.name for p in out.iterdir()) == ["results.json", "toy_case.html", "toy_case.ipynb"]
    # 300 customers, 20 % monthly churn (no discount) for 12 months: 300 * 0.8**12 = 20.6158
    assert json.loads((out / "results.json").read_text())["retained_12m"] == pytest.approx(20.6158, abs=1e-4)


# ---------------------------------------------------------------------------------------------
# Running (API)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "a"
    lines: list[str] = []
    result = runner.run("toy_case", {"n_customers": 1000, "churn_rate": "0.1", "segment": "new"}, out,
                        directory=FIXTURES, progress=lines.append)
    return result, out, lines


def test_run_writes_executed_notebook_results_json_and_html(toy_run):
    result, out, _ = toy_run
    assert result.ok and result.run_id == "toy_case"
    assert sorted(p.name for p in out.iterdir()) == ["results.json", "toy_case.html", "toy_case.ipynb"]
    assert (result.notebook, result.html, result.results_file) == (
        out / "toy_case.ipynb", out / "toy_case.html", out / "results.json")
    executed = nbformat.read(out / "toy_case.ipynb", as_version=4)
    assert all(c.get("outputs") is not None for c in executed.cells if c.cell_type == "code")
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "n_customers = 1000" in injected[0].source
    assert "<html" in (out / "toy_case.html").read_text(encoding="utf-8")[:2000].lower()


def test_run_results_json_holds_every_parameter_and_result(toy_run):
    result, out, _ = toy_run
    saved = json.loads((out / "results.json").read_text())
    assert saved == result.results
    assert {k: saved[k] for k in result.parameters} == {"n_customers": 1000, "churn_rate": 0.1, "segment": "new",
                                                        "discount": True}
    # discount halves churn: 1000 * (1 - 0.05)**12 = 540.3600
    assert saved["monthly_churn"] == 0.05
    assert saved["retained_12m"] == pytest.approx(540.36, abs=1e-4)


def test_run_executes_in_the_notebooks_folder_like_jupyterlab(toy_run):
    result, _, _ = toy_run
    assert result.results["working_directory"] == FIXTURES.name


def test_run_prints_progress_lines(toy_run):
    _, _, lines = toy_run
    assert lines[0].startswith("run toy_case: parameters ok: n_customers=1000")
    assert any("executing" in line for line in lines) and "done in" in lines[-1]


def test_run_force_replaces_the_runners_files_and_keeps_the_researchers(tmp_path):
    out = tmp_path / "a"
    out.mkdir()
    (out / "results.json").write_text('{"stale": true}\n')
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ParameterError, match="--force"):
        runner.run("toy_case", {}, out, directory=FIXTURES, progress=None)
    assert json.loads((out / "results.json").read_text()) == {"stale": True}
    result = runner.run("toy_case", {"n_customers": 10}, out, force=True, directory=FIXTURES, progress=None)
    assert "stale" not in result.results and result.results["n_customers"] == 10
    assert (out / "notes.txt").read_text() == "mine"


def test_failing_notebook_raises_naming_the_error_and_the_executed_notebook(tmp_path):
    out = tmp_path / "bad"
    with pytest.raises(CaseStudyFailed) as err:  # passes the type check, fails the notebook's validation
        runner.run("toy_case", {"churn_rate": 1.5}, out, directory=FIXTURES, progress=None)
    message = str(err.value)
    assert "CRMInputError: toy_case: churn_rate must lie in [0, 1], got 1.5." in message
    assert str(out / "toy_case.ipynb") in message and (out / "toy_case.ipynb").exists()
    assert err.value.ename == "CRMInputError" and err.value.notebook == out / "toy_case.ipynb"
    assert not (out / "results.json").exists()


@pytest.mark.slow
def test_sweep_writes_one_row_per_combination_and_keeps_going_after_a_failed_one(tmp_path):
    out = tmp_path / "s"
    lines: list[str] = []
    table = runner.sweep("toy_case", {"churn_rate": [0.1, 1.5], "discount": ["yes", False]}, out, jobs=2,
                         directory=FIXTURES, progress=lines.append)
    assert len(table) == 4 and list(table["run_id"]) == ["run_001", "run_002", "run_003", "run_004"]
    # itertools.product order: churn_rate varies slowest
    assert list(table["churn_rate"]) == [0.1, 0.1, 1.5, 1.5]
    assert list(table["discount"]) == [True, False, True, False]
    assert list(table["status"]) == ["ok", "ok", "failed", "failed"]
    assert table.loc[2, "error"] == "CRMInputError: toy_case: churn_rate must lie in [0, 1], got 1.5."
    # 200 * (1 - 0.05)**12 = 108.0720 and 200 * 0.9**12 = 56.4859
    assert list(table["retained_12m"].iloc[:2]) == pytest.approx([108.072, 56.4859], abs=1e-4)
    assert table["retained_12m"].iloc[2:].isna().all()
    assert list(table.columns[:8]) == ["run_id", "n_customers", "churn_rate", "segment", "discount", "status",
                                       "error", "seconds"]
    assert {"monthly_churn", "retained_12m", "working_directory"} <= set(table.columns)
    on_disk = pd.read_csv(out / "results.csv")
    assert len(on_disk) == 4
    for run_id in table["run_id"]:
        assert (out / run_id / "toy_case.ipynb").exists()
    assert (out / "run_001" / "results.json").exists() and not (out / "run_003" / "results.json").exists()
    assert sum(line.startswith("[") for line in lines) == 4 and any("FAILED" in line for line in lines)
    assert lines[-1].endswith(f"2 ok, 2 failed; wrote {out / 'results.csv'}")


@pytest.mark.slow
def test_cli_sweep_runs_sequentially_and_exits_1_when_a_combination_failed(tmp_path):
    out = tmp_path / "s"
    done = cli("sweep", "toy_case", "--dir", str(FIXTURES), "-p", "n_customers", "0", "100", "--out", str(out))
    assert done.returncode == 1, done.stderr
    assert "2 runs (n_customers: 2 values)" in done.stdout
    assert "[1/2] run_001 n_customers=0: FAILED" in done.stdout and "[2/2] run_002 n_customers=100: ok" in done.stdout
    table = pd.read_csv(out / "results.csv")
    assert list(table["status"]) == ["failed", "ok"]


@pytest.mark.parametrize("command", [["run", "toy_case"], ["sweep", "toy_case", "-p", "churn_rate", "0.1", "0.2"]])
def test_cli_out_inside_a_file_exits_2_with_a_clear_refusal_not_a_traceback(tmp_path, command):
    afile = tmp_path / "afile"
    afile.write_text("mine")
    done = cli(*command, "--dir", str(FIXTURES), "--out", str(afile / "sub"))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "which is a file, not a folder" in done.stderr
    assert afile.read_text() == "mine"


def test_cli_unknown_case_study_lists_valid_case_studies_in_plain_english():
    done = cli("run", "no_such_study", "--dir", str(FIXTURES), "--out", "unused")
    assert done.returncode == 2
    assert "Valid case studies: toy_case" in done.stderr and "studys" not in done.stderr


def test_cli_list_wraps_long_help_texts_instead_of_cutting_them(tmp_path):
    long_help = "a help text long enough to need wrapping " * 4
    write_case(tmp_path, "wordy", f'n = 5  # {long_help.strip()}\nresults_path = ""  # out')
    done = cli("list", "--dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    table = [line for line in done.stdout.splitlines() if line.startswith("  ")]
    assert not any("..." in line or "…" in line for line in table)
    words = " ".join(line.strip() for line in table)
    assert long_help.split()[-1] in words and words.count("wrapping") == 4


def test_a_workbook_case_study_offers_a_list_parameter_to_the_command_line():
    params = {p.name: p for p in runner.parameters("exhibition_retention", directory=WORKBOOK_CASE_STUDIES)}
    assert params["compare_policies"].type_name == "list"
    assert params["compare_policies"].default == ["none", "weakening", "all"]


@pytest.mark.slow
def test_cli_runs_a_case_study_with_a_list_parameter_and_stores_one_result_per_element(tmp_path):
    out = tmp_path / "compare"
    done = cli("run", "exhibition_retention", "--dir", str(WORKBOOK_CASE_STUDIES),
               "-p", "compare_policies", "none,all", "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    saved = json.loads((out / "results.json").read_text())
    assert saved["compare_policies"] == "none,all"
    assert {"net_revenue_none", "net_revenue_all"} <= set(saved) and "net_revenue_weakening" not in saved
    # The default policy ("weakening") is the main run; "all" calls every exhibitor, so it costs more.
    assert saved["net_revenue_all"] != saved["net_revenue_none"]
