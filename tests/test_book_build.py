"""`make book` fails fast and leaves no half-built site; executing notebooks prints no kernel noise (issue 20)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def _notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)
    return path


def _book(args, env=None):
    return subprocess.run([sys.executable, str(ROOT / "tools" / "book.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=240, cwd=ROOT, env=env)


def test_a_failing_notebook_stops_the_book_at_once_and_writes_no_site(tmp_path):
    nbs = [_notebook(tmp_path / "a_fails.ipynb", "raise ValueError('broken on purpose')")]
    nbs += [_notebook(tmp_path / f"b{i}.ipynb", "import time; time.sleep(60)") for i in range(3)]
    site = tmp_path / "out" / "html"
    t0 = time.perf_counter()
    r = _book([*nbs, "--jobs", "1", "--out", site])
    took = time.perf_counter() - t0
    assert r.returncode == 1, r.stdout + r.stderr
    assert "book not built: a_fails.ipynb failed" in r.stdout and "3 notebooks not started" in r.stdout
    assert not site.exists()
    assert took < 60  # the sleeping notebooks never ran


def test_a_kernel_that_cannot_start_fails_the_book_in_one_notebooks_time(tmp_path):
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": [sys.executable, "-c", "raise SystemExit(1)", "{connection_file}"],
         "display_name": "broken on purpose", "language": "python"}))
    nbs = [_notebook(tmp_path / f"n{i}.ipynb", "1 + 1") for i in range(4)]
    site = tmp_path / "out" / "html"
    site.mkdir(parents=True)
    (site / "index.html").write_text("the last complete build")
    env = {**os.environ, "JUPYTER_PATH": str(tmp_path / "jupyter")}
    t0 = time.perf_counter()
    r = _book([*nbs, "--jobs", "1", "--out", site], env=env)
    took = time.perf_counter() - t0
    assert r.returncode == 1, r.stdout + r.stderr
    assert "book not built" in r.stdout and "notebooks not started" in r.stdout
    assert (site / "index.html").read_text() == "the last complete build"  # untouched, no mix
    assert took < 90


def test_executing_a_notebook_prints_no_tcp_warning_and_no_keyboard_interrupt(tmp_path):
    code = ("import sys; sys.path.insert(0, %r)\n"
            "import nbformat\nfrom crm_lessons._execution import execute\n"
            "nb = nbformat.read(%r, as_version=4)\nexecute(nb, cwd=%r, timeout=60)\n"
            "print('outputs', nb.cells[0].outputs[0]['text'].strip())\n")
    nb = _notebook(tmp_path / "n.ipynb", "print(6 * 7)")
    r = subprocess.run([sys.executable, "-c", code % (str(ROOT / "src"), str(nb), str(tmp_path))],
                       capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "outputs 42" in out
    assert "without encryption" not in out and "KeyboardInterrupt" not in out


def test_the_kernel_is_asked_to_stop_without_an_interrupt_first():
    import asyncio

    from crm_lessons._execution import QuietKernelManager

    class Recording(QuietKernelManager):
        signals: list = []

        async def _async_signal_kernel(self, signum):
            self.signals.append(signum)
            await super()._async_signal_kernel(signum)

    async def run():
        km = Recording(kernel_name="python3")
        await km.start_kernel()
        assert km.transport == ("ipc" if os.name == "posix" else "tcp")
        await km.shutdown_kernel()
        return km

    km = asyncio.run(run())
    assert Recording.signals == []
    assert not Path(getattr(km, "_ipc_dir", "/nonexistent-dir")).exists()


def test_the_book_publishes_student_exercises_blank_without_check_feedback(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("book_tool", ROOT / "tools" / "book.py")
    book = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        spec.loader.exec_module(book)
    finally:
        sys.path.remove(str(ROOT / "tools"))
    student = ROOT / "exercises" / "01_customer_value" / "student" / "01_customer_value.ipynb"
    rel, secs, status = book._run((student, tmp_path))
    assert status == "ok" and secs == 0.0  # not executed
    published = nbformat.read(tmp_path / rel, as_version=4)
    code = [c for c in published.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
