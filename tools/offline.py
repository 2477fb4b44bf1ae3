"""Check that built pages (slides, book, run HTML) load nothing from the network when opened.

Two checks, used by ``tools/slides.py`` and ``tools/book.py`` and runnable by hand::

    python tools/offline.py _build/slides/*.slides.html          # static scan + headless browser
    python tools/offline.py --static-only _build/html/index.html

1. ``static_urls``: remote addresses in tags that load something (script, link, img, iframe, source,
   embed) *and* any address written inside an inline ``<script>``, because a script can build a tag at
   view time (nbconvert's widget loader adds ``https://unpkg.com/@jupyter-widgets/html-manager@*/...``
   from an inline script after the page has loaded; a scan of tags alone misses it).
2. ``browser_requests``: opens the page in headless Chromium with the host resolver pointed nowhere and a
   network log, and returns every request the page started (scripts loaded by scripts included) whose
   address is not ``file:``/``data:``/``blob:``. The browser's own background traffic (update checks,
   sign-in) is excluded: only requests with a page origin count.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REMOTE_TAG = re.compile(
    r"""<(?:script|link|img|iframe|source|embed)\b[^>]*\b(?:src|href)=["']((?:https?:)?//[^"']+)""", re.I)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.I | re.S)
URL_IN_CODE = re.compile(r"""["'`]((?:https?:)?//[^"'`\s]+)""")
# XML namespaces are names, not addresses: nothing is fetched from them.
NAMESPACES = ("http://www.w3.org/", "https://www.w3.org/")
# Script bodies that are data, not code.
DATA_TYPES = re.compile(r'<script\b[^>]*type=["\'](?:application/(?:ld\+)?json|application/vnd\.[^"\']+|'
                        r'text/x-[^"\']+)["\']', re.I)


def static_urls(html: str) -> list[str]:
    """Remote addresses a page loads through tags or could load from its inline scripts.

    >>> static_urls('<script src="https://cdn.example/x.js"></script><img src="a.png">')
    ['https://cdn.example/x.js']
    >>> static_urls("<script>var s=document.createElement('script'); s.src='https://unpkg.com/x.js';</script>")
    ['https://unpkg.com/x.js']
    >>> static_urls('<script>var ns = "http://www.w3.org/2000/svg";</script>')
    []
    """
    found = list(REMOTE_TAG.findall(html))
    for m in INLINE_SCRIPT.finditer(html):
        if DATA_TYPES.match(m.group(0)):
            continue
        found += [u for u in URL_IN_CODE.findall(m.group(1)) if not u.startswith(NAMESPACES)]
    return sorted(set(found))


def chromium() -> str | None:
    """Path of a Chromium or Chrome binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


def browser_requests(page: Path, wait_ms: int = 4000) -> list[str]:
    """Addresses off the machine that headless Chromium requested while opening ``page`` (a file).

    Raises RuntimeError when no Chromium is installed (``apt-get install chromium``).
    """
    exe = chromium()
    if exe is None:
        raise RuntimeError("no Chromium found (Debian/Ubuntu: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="crm-offline-") as tmp:
        log = Path(tmp) / "net.json"
        cmd = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp}/profile", "--host-resolver-rules=MAP * ~NOTFOUND",
               f"--log-net-log={log}", f"--virtual-time-budget={wait_ms}", "--dump-dom",
               page.resolve().as_uri()]
        subprocess.run(cmd, capture_output=True, timeout=120)
        data = json.loads(_close_netlog(log.read_text(encoding="utf-8")))
    names = {v: k for k, v in data["constants"]["logEventTypes"].items()}
    urls = set()
    for event in data["events"]:
        params = event.get("params") or {}
        if names.get(event["type"]) != "URL_REQUEST_START_JOB" or "url" not in params:
            continue
        if params.get("initiator") == "not an origin":  # the browser's own traffic, not the page's
            continue
        if not params["url"].startswith(("file:", "data:", "blob:")):
            urls.add(params["url"])
    return sorted(urls)


def _close_netlog(text: str) -> str:
    """A net log cut short by a killed browser lacks its closing brackets; add them."""
    text = text.rstrip().rstrip(",")
    if not text.endswith("}"):
        return text
    try:
        json.loads(text)
        return text
    except json.JSONDecodeError:
        return text + "]}"


def check(pages: list[Path], browser: bool = True) -> list[str]:
    """Problems found in ``pages`` (empty when all are offline). The browser check runs when Chromium exists."""
    problems = []
    use_browser = browser and chromium() is not None
    for page in pages:
        problems += [f"{page.name}: loads {u}" for u in static_urls(page.read_text(encoding="utf-8"))]
        if use_browser:
            problems += [f"{page.name}: the browser requested {u}" for u in browser_requests(page)]
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pages", nargs="+", type=Path)
    ap.add_argument("--static-only", action="store_true", help="skip the headless-browser load")
    args = ap.parse_args(argv)
    if not args.static_only and chromium() is None:
        print("no Chromium: static scan only (apt-get install chromium for the browser check)")
    problems = check(args.pages, browser=not args.static_only)
    print(*problems, sep="\n") if problems else print(f"{len(args.pages)} page(s) load nothing from the network")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
