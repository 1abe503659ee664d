#!/usr/bin/env python3
"""The explorable page in Debian's Chromium (issue 12): its size, how long it takes to open, and how long a
change of input takes to recompute and redraw every value, partial and derivative.

Usage (from the repository root; needs /usr/bin/chromium, `bash .ci/browser` installs it)::

    .venv/bin/python bench/explore.py            # gen diamonds --stages 200 (about 1,000 nodes) and more

Prints a Markdown table: nodes, page size, time from navigation to the page being ready (best of 3 fresh
tabs), and the time of one input change (typing into a number field: recompute and redraw, measured in the
page with performance.now, median of 20), in the values view and in reverse mode with its trace.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import graphdiff  # noqa: E402
from graphdiff.views.explore import page  # noqa: E402
from graphdiff.language.gen import generate  # noqa: E402

CASES = [("diamonds --stages 200", "diamonds", {"stages": 200}), ("mlp --layers 12,12,2", "mlp", {"layers": [12, 12, 2]}),
         ("chain --length 480", "chain", {"length": 480}), ("chain --length 5000 (reduced page)", "chain", {"length": 5000})]


def main() -> None:
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp())
    rows = ["| graph | nodes | page | build (Python) | open (best of 3) | input change, values view | input change, reverse mode |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        for label, family, opts in CASES:
            g = graphdiff.loads(generate(family, seed=1, **opts))
            t = time.process_time()
            html = page(g).html
            build = time.process_time() - t
            f = tmp / f"{family}.html"
            f.write_text(html, encoding="utf-8")
            opens = []
            for _ in range(3):
                pg = b.new_page()
                t = time.perf_counter()
                pg.goto(f.as_uri())
                pg.wait_for_selector("body[data-ready='1']", state="attached", timeout=60_000)
                opens.append(time.perf_counter() - t)
                pg.close()
            pg = b.new_page()
            pg.goto(f.as_uri())
            pg.wait_for_selector("body[data-ready='1']", state="attached", timeout=60_000)
            name = g.names[g.inputs[0]]
            sel = f"input[type=number][data-input='{name}']"
            changes = {}
            for view in ("values", "reverse"):
                pg.check(f"input[name=view][value={view}]")
                times = []
                for k in range(20):
                    pg.fill(sel, str(0.3 + 0.01 * k))
                    times.append(float(pg.text_content("#timing").split()[2]))
                changes[view] = statistics.median(times)
            pg.close()
            rows.append(f"| {label} | {len(g):,} | {len(html.encode()) / 1e6:.2f} MB | {build:.2f} s | {min(opens):.2f} s | "
                        f"{changes['values']:.1f} ms | {changes['reverse']:.1f} ms |")
        b.close()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
