"""Print the seconds to `import crm_lessons` and to execute each notebook on a fresh kernel.

Usage: ``make benchmark`` or ``.venv/bin/python benchmarks/run_all.py [NOTEBOOK ...]``.
Not a test: it prints figures for the closing notes and for spotting a chapter that got slow.
Targets: import under 1 s; each chapter well under 60 s on 2 cores.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import nbtools  # noqa: E402


def import_seconds(repeat: int = 5) -> list[float]:
    code = "import time; t = time.perf_counter(); import crm_lessons; print(time.perf_counter() - t)"
    return [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(repeat)]


def main(argv: list[str]) -> int:
    t = import_seconds()
    print(f"import crm_lessons: median {statistics.median(t):.3f} s (min {min(t):.3f}, max {max(t):.3f}, n={len(t)})")
    paths = [Path(a).resolve() for a in argv] or nbtools.all_notebooks()
    print(f"{'notebook':<50} {'seconds':>8}  status")
    worst = 0.0
    for p in paths:
        _, secs, status = nbtools._execute(p)
        worst = max(worst, secs)
        print(f"{str(p.relative_to(ROOT)):<50} {secs:8.1f}  {status}")
    print(f"slowest notebook: {worst:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
