#!/usr/bin/env python3
"""graphdiff's own figures against its targets: front end, sweeps, path counting and the CLI end to end.

Usage (from the repository root)::

    .venv/bin/python bench/frontend.py            # 10^6-line files; about two minutes
    .venv/bin/python bench/frontend.py --quick    # 10^5-line files

Each figure is the median of ``--runs`` runs (the CLI figures: one run each, wall time and peak RSS of the
process). Parse+build is measured in one process (``jobs=1``, the library's default) and in two
(``jobs=2``, the CLI's default on two cores); the CLI is run with ``--jobs 1`` and with its default. Targets: parse+build ≥ 60,000 lines/s; ``graphdiff grad`` on a 10^6-line file < 25 s and < 2 GB;
on ``gen wide --inputs 1000000 --vector`` < 5 s; reverse gradient ≤ 1 µs per edge; path counting of 10^6
edges < 2 s.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _median(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def cli(args: list[str]) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of a command. The RSS comes from /usr/bin/time when it is there: a process
    forked from this one (large by then) reports this one's size at the fork as its own peak."""
    timer = ["/usr/bin/time", "-f", "%M"] if os.path.exists("/usr/bin/time") else []
    t0 = time.perf_counter()
    p = subprocess.Popen(timer + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed: {err[-500:]}")
    return wall, (int(err.split()[-1]) if timer else ru.ru_maxrss) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", help="comma-separated subset of wide,chain,diamonds,mlp,widevec")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "graphdiff-frontend"))
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from graphdiff.evaluate import linearize
    from graphdiff.gen import generate
    from graphdiff.graph import loads
    from graphdiff.paths import count_paths
    from graphdiff.accumulate import gradient, reverse_sweep

    scale = 10 if args.quick else 1
    folder = Path(args.workdir)
    folder.mkdir(parents=True, exist_ok=True)
    files = {"wide": ("wide", {"inputs": 500_000 // scale}), "chain": ("chain", {"length": 250_000 // scale}),
             # exact path counts grow by log2(3) bits a stage and every node keeps its count: 20,000 stages
             # already hold ~10^9 bits of integers (250,000 stages would need ~30 GB)
             "diamonds": ("diamonds", {"stages": 20_000 // scale}),
             "mlp": ("mlp", {"layers": [300, 300, 30] if not args.quick else [100, 100, 10]}),
             "widevec": ("wide", {"inputs": 1_000_000 // scale, "vector": True})}
    paths = {}
    for key, (fam, opts) in files.items():
        paths[key] = folder / f"{key}.gd"
        if not paths[key].exists():
            with open(paths[key], "w") as f:
                generate(fam, f, seed=1, **opts)
    exe = str(Path(sys.executable).parent / "graphdiff")
    print("| file | lines | nodes | edges | parse+build s | lines/s | parse+build, 2 processes s | lines/s | "
          "linearize s | gradient s | ns/edge | reverse_sweep(dense) s | count_paths s | "
          "`graphdiff grad --jobs 1` s | MB | `graphdiff grad` s (2 processes) | MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key, path in paths.items():
        if args.only and key not in args.only.split(","):
            continue
        text = path.read_text()
        lines = text.count("\n")
        t_load2, g = _median(lambda: loads(text, str(path), jobs=2), args.runs)
        del g
        t_load, g = _median(lambda: loads(text, str(path)), args.runs)
        t_lin, lin = _median(lambda: linearize(g), args.runs)
        out = g.outputs[-1]
        t_grad, _ = _median(lambda: gradient(lin, out), args.runs)
        t_sweep, _ = _median(lambda: reverse_sweep(lin, out, dense=True), args.runs)
        t_count, _ = _median(lambda: count_paths(g, g.inputs[0], out), args.runs)
        wall1, rss1 = cli([exe, "grad", str(path), "--jobs", "1"])
        wall, rss = cli([exe, "grad", str(path)])
        print(f"| {key} | {lines:,} | {len(g):,} | {g.n_edges:,} | {t_load:.2f} | {lines / t_load:,.0f} | "
              f"{t_load2:.2f} | {lines / t_load2:,.0f} | "
              f"{t_lin:.2f} | {t_grad:.3f} | {1e9 * t_grad / g.n_edges:.0f} | {t_sweep:.2f} | {t_count:.3f} | "
              f"{wall1:.1f} | {rss1:.0f} | {wall:.1f} | {rss:.0f} |", flush=True)
        del g, lin


if __name__ == "__main__":
    main()
