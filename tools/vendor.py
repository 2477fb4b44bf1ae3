"""Vendor the JavaScript that slides and the book need, so they open with no network.

``python tools/vendor.py`` installs pinned packages from the npm registry into ``.cache/vendor/``
(git-ignored, never committed) once; later builds reuse them offline. Pinned versions:

- reveal.js 4.0.2 (the version nbconvert's reveal template is written for)
- require.js, jQuery and Font Awesome 4 (used by nbconvert's slide template)
- MathJax 2.7 (nbconvert slides) and MathJax 3 (the book)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / ".cache" / "vendor"
PACKAGES = {
    "reveal.js": "4.0.2",
    "requirejs": "2.3.7",
    "jquery": "3.7.1",
    "font-awesome": "4.7.0",
    "mathjax2": "npm:mathjax@2.7.9",
    "mathjax": "3.2.2",
}
# A file of each package that must exist after installation.
PROBES = {
    "reveal.js": "dist/reveal.js",
    "requirejs": "require.js",
    "jquery": "dist/jquery.min.js",
    "font-awesome": "css/font-awesome.min.css",
    "mathjax2": "MathJax.js",
    "mathjax": "es5/tex-chtml.js",
}


def path(package: str, file: str = "") -> Path:
    """Path of a vendored package (or a file in it)."""
    return VENDOR / "node_modules" / package / file


def ready() -> bool:
    return all(path(p, f).exists() for p, f in PROBES.items())


def ensure() -> Path:
    """Install the vendored packages when missing; return the vendor folder."""
    if ready():
        return VENDOR
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed once to vendor reveal.js and MathJax (then builds work offline). "
                         "Install Node.js (e.g. `sudo apt-get install npm`) and run `make vendor`.")
    VENDOR.mkdir(parents=True, exist_ok=True)
    (VENDOR / "package.json").write_text(json.dumps(
        {"name": "crm-lessons-vendor", "private": True,
         "dependencies": {k: v for k, v in PACKAGES.items()}}, indent=2) + "\n")
    print(f"vendoring {', '.join(f'{k}@{v}' for k, v in PACKAGES.items())} into {VENDOR.relative_to(ROOT)}")
    r = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--silent"],
                       cwd=VENDOR, capture_output=True, text=True)
    if r.returncode != 0 or not ready():
        raise SystemExit(f"npm install failed (is the npm registry reachable?):\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    return VENDOR


if __name__ == "__main__":
    ensure()
    print("vendored:", ", ".join(sorted(PROBES)))
    sys.exit(0)
