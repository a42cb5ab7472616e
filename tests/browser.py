"""Render a page in headless Chromium (Debian's `chromium`, no Python driver): measure it from a harness page that
holds it in same-origin srcdoc iframes of given widths, and read the results back with --dump-dom."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions", "--hide-scrollbars",
         "--enable-logging=stderr", "--v=0"]

PROBE = """
<script>
function measure(frame) {
  const doc = frame.contentDocument, win = frame.contentWindow;
  const count = s => doc.querySelectorAll(s).length;
  return {width: win.innerWidth, scrollWidth: doc.documentElement.scrollWidth, lang: doc.documentElement.lang,
          text: doc.body.innerText, resources: win.performance.getEntriesByType('resource').length,
          scripts: count('script'),
          counts: Object.fromEntries(%SELECTORS%.map(s => [s, count(s)]))};
}
let pending = %N%;
const results = {};
function done(name, frame) {
  results[name] = measure(frame);
  if (--pending === 0) document.getElementById('out').textContent = JSON.stringify(results);
}
</script>
"""


def chromium() -> str | None:
    """The browser's path, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render(page: str, widths: dict[str, int], selectors: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Per named width: viewport width, scrollWidth, text, counts per selector; plus Chromium's console lines."""
    exe = chromium()
    assert exe is not None, "chromium is not installed"
    frames = "".join(
        f'<iframe id="{name}" style="width:{w}px;height:800px;border:0" onload="done(\'{name}\', this)" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe>' for name, w in widths.items())
    harness = ("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body style='margin:0'>"
               + PROBE.replace("%SELECTORS%", json.dumps(selectors)).replace("%N%", str(len(widths)))
               + f"<pre id='out'></pre>{frames}</body></html>")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "harness.html"
        path.write_text(harness, encoding="utf-8")
        proc = subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={tmp}/profile", "--window-size=1400,1000", "--virtual-time-budget=10000",
             "--dump-dom", path.as_uri()], check=False, capture_output=True, text=True, timeout=120)
    match = re.search(r"<pre id=\"out\">(.*?)</pre>", proc.stdout, re.DOTALL)
    assert match and match.group(1), f"no result from chromium: {proc.stderr[-2000:]}"
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return json.loads(html.unescape(match.group(1))), console


def screenshot(page_file: Path, png: Path, width: int = 1280, height: int = 2400) -> None:
    """A PNG of the page at this window size."""
    exe = chromium()
    assert exe is not None
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([exe, *FLAGS, f"--user-data-dir={tmp}/profile", f"--window-size={width},{height}",
                        f"--screenshot={png}", page_file.resolve().as_uri()], capture_output=True, timeout=120,
                       check=True)
