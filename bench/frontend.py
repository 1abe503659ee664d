#!/usr/bin/env python3
"""graphdiff's own figures against its targets: the front end, the cache, sweeps, path counting and the CLI end to
end, on one-operation programs and on the same graphs written as nested expressions (``gen --nested``).

Usage (from the repository root)::

    .venv/bin/python bench/frontend.py            # 10^6-line files (nested: the same graphs); some minutes
    .venv/bin/python bench/frontend.py --quick    # 10^5-line files

Each figure is the best of ``--runs`` runs (the CLI: one run each, wall time and peak RSS of the process).
Parse+build is the library's ``loads`` (no cache), in lines/s and nodes/s; "floor" is the same Lark parse with
every callback replaced by a C built-in that does nothing (the lexer and LALR loop alone), the bound on any
transformer. The CLI is ``graphdiff grad FILE --format json`` cold (``--no-cache``) and warm (the second run:
the graph from the cache). Targets (issue 14): nested programs at 150,000 nodes/s and 60,000 lines/s; the warm
``grad`` on the 200,000-line nested chain under 2 s; a 10^6-line file's graph from the cache under 1 s; peak
memory of ``graphdiff grad`` on a 10^6-line file at most 1 GB, cold and warm.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _median(fn, runs: int) -> tuple[float, object]:
    """The best of ``runs`` runs of ``fn`` in process time (CPU seconds: steadier than the wall clock on a
    shared machine), and its result."""
    times, out = [], None
    for _ in range(runs):
        out = None
        t0 = time.process_time()
        out = fn()
        times.append(time.process_time() - t0)
    return min(times), out


def cli(args: list[str]) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of a command. The RSS comes from /usr/bin/time when it is there: a process
    forked from this one (large by then) reports this one's size at the fork as its own peak."""
    timer = ["/usr/bin/time", "-f", "%M"] if os.path.exists("/usr/bin/time") else []
    t0 = time.perf_counter()
    p = subprocess.Popen(timer + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed: {err[-500:]}")
    return wall, (int(err.split()[-1]) if timer else ru.ru_maxrss) / 1024


def floor(text: str) -> float:
    """The Lark parse of ``text`` with every callback a C built-in: what lexing and the LALR loop cost."""
    from graphdiff import parse as P

    parser = P._get_parser()
    saved = dict(parser._callbacks)
    try:
        for k in list(parser._callbacks):
            if not isinstance(k, str):
                parser._callbacks[k] = len
        t = time.process_time()
        parser.parse(text)
        return time.process_time() - t
    finally:
        parser._callbacks.clear()
        parser._callbacks.update(saved)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", help="comma-separated subset of the files (wide, chain, ..., chain-nested, ...)")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "graphdiff-frontend"))
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import gc

    from graphdiff.sweeps.accumulate import gradient
    from graphdiff.language.cache import load
    from graphdiff.sweeps.evaluate import linearize
    from graphdiff.language.gen import generate
    from graphdiff.language.graph import loads
    from graphdiff.sweeps.paths import count_paths

    scale = 10 if args.quick else 1
    folder = Path(args.workdir)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["GRAPHDIFF_CACHE_DIR"] = str(folder / "cache")
    base = {"wide": ("wide", {"inputs": 500_000 // scale}), "chain": ("chain", {"length": 250_000 // scale}),
            # exact path counts grow by log2(3) bits a stage and every node keeps its count: 20,000 stages
            # already hold ~10^9 bits of integers (250,000 stages would need ~30 GB)
            "diamonds": ("diamonds", {"stages": 20_000 // scale}),
            "mlp": ("mlp", {"layers": [300, 300, 30] if not args.quick else [100, 100, 10]})}
    files = dict(base)
    files.update({f"{k}-nested": (fam, {**opts, "nested": True}) for k, (fam, opts) in base.items()})
    files["chain200k-nested"] = ("chain", {"length": 200_000 // scale, "nested": True})
    files["widevec"] = ("wide", {"inputs": 1_000_000 // scale, "vector": True})
    paths = {}
    for key, (fam, opts) in files.items():
        paths[key] = folder / f"{key}.gd"
        if not paths[key].exists():
            with open(paths[key], "w") as f:
                generate(fam, f, seed=1, **opts)
    exe = str(Path(sys.executable).parent / "graphdiff")
    print("| file | lines | nodes | edges | parse+build s | lines/s | nodes/s | floor s (lines/s) | graph from the "
          "cache s | linearize s | gradient s | ns/edge | count_paths s | `grad` cold s | MB | `grad` warm s | MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key, path in paths.items():
        if args.only and key not in args.only.split(","):
            continue
        text = path.read_text()
        lines = text.count("\n")
        gc.disable()
        t_load, g = _median(lambda: loads(text, str(path)), args.runs)
        t_floor = min(floor(text) for _ in range(args.runs))
        load(path)  # the cache entry
        t_cached, _ = _median(lambda: load(path), args.runs)
        t_lin, lin = _median(lambda: linearize(g), args.runs)
        out = g.outputs[-1]
        t_grad, _ = _median(lambda: gradient(lin, out), args.runs)
        t_count, _ = _median(lambda: count_paths(g, g.inputs[0], out), args.runs)
        nodes, edges = len(g), g.n_edges
        del g, lin
        gc.enable()
        cold, cold_rss = cli([exe, "grad", str(path), "--format", "json", "--no-cache"])
        cli([exe, "grad", str(path), "--format", "json"])
        warm, warm_rss = cli([exe, "grad", str(path), "--format", "json"])
        print(f"| {key} | {lines:,} | {nodes:,} | {edges:,} | {t_load:.2f} | {lines / t_load:,.0f} | "
              f"{nodes / t_load:,.0f} | {t_floor:.2f} ({lines / t_floor:,.0f}) | {t_cached:.2f} | {t_lin:.2f} | "
              f"{t_grad:.3f} | {1e9 * t_grad / edges:.0f} | {t_count:.3f} | {cold:.1f} | {cold_rss:.0f} | "
              f"{warm:.2f} | {warm_rss:.0f} |", flush=True)


if __name__ == "__main__":
    main()
