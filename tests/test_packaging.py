"""Installation stays honest: environment.yml matches pyproject.toml; import is fast and light."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _req(spec: str) -> tuple[str, str]:
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(>=\s*[0-9][^,;\s]*)?", spec)
    assert m, spec
    return m.group(1).lower().replace("_", "-"), (m.group(2) or "").replace(" ", "")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    specs = list(data["project"]["dependencies"])
    for name, extra in data["project"]["optional-dependencies"].items():
        if name != "spark":  # optional and heavy: documented in README, installed by `make test-spark`
            specs += extra
    return dict(_req(s) for s in specs)


def _environment() -> dict[str, str]:
    out = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text[text.index("dependencies:"):].splitlines():
        m = re.match(r"\s*-\s+([A-Za-z0-9_.\-]+(?:\s*>=\s*[0-9][^\s#]*)?)\s*(#.*)?$", line)
        if m:
            name, ver = _req(m.group(1))
            if name not in ("python", "pip"):
                out[name] = ver
    return out


def test_environment_yml_installs_the_same_packages_with_the_same_minimums_as_pyproject():
    py, env = _pyproject(), _environment()
    assert py == env, (
        f"only in pyproject.toml: {sorted(set(py.items()) - set(env.items()))}; "
        f"only in environment.yml: {sorted(set(env.items()) - set(py.items()))}"
    )
    assert "-e ." in (ROOT / "environment.yml").read_text(), "environment.yml must install the package itself"


def test_import_is_fast_and_does_not_pull_in_heavy_libraries():
    code = ("import time, sys; t = time.perf_counter(); import crm_lessons; "
            "print(time.perf_counter() - t); "
            "print(','.join(m for m in ('pandas', 'matplotlib', 'statsmodels', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert float(out[0]) < 1.0
    assert out[1] == "", f"import crm_lessons imported {out[1]}"


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    head = text[: text.find("## ", text.find("make test"))]
    assert "make lab" in head and "make test" in head


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
