"""Compiled programs kept with the compiled-graph cache, as Python keeps .pyc files beside its sources.

A large program file's graph is cached (:mod:`graphdiff.language.cache`); its compiled program (the code
objects of :mod:`graphdiff.codegen.program`, marshalled) is filed under the same key with the suffix ``.gdp``.
Compiling costs about 10 µs a statement (15 s for a 600,000-node program), far more than one run saves, so a
command that finds no compiled program runs the interpreter as before and compiles in the background: a
detached process writes the file when it is done, and later commands run the compiled code.
``GRAPHDIFF_COMPILE=now`` compiles before answering instead; ``0`` never compiles.

A file is checked on load, as the graph cache's are: magic, format, graphdiff's version, Python's bytecode tag,
a digest of the table of primitives (the code is written from the rows' templates), the key, the length and a
CRC-32. One that fails is ignored and written again. The code in it is trusted as Python trusts
``__pycache__``: the cache folder is the user's own.
"""
from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import struct
import sys
import weakref
import zlib
from array import array
from pathlib import Path
from typing import Callable, ContextManager

from ..base.version import __version__
from ..language.cache import entry, read, store
from ..language.graph import Graph
from ..primitives import PRIMITIVES
from .program import Program, Source, build, compiled, source

MAGIC = b"GRAPHDIFF-CODE\0\0"
FORMAT = 2
_HEADER = struct.Struct("<16sI32s32sQI")  # magic, format, identity digest, table digest, length, CRC-32
_READY: "weakref.WeakKeyDictionary[Graph, dict]" = weakref.WeakKeyDictionary()
#: The file suffix of each backend's compiled program.
SUFFIX = {"python": ".gdp", "numpy": ".gdn"}

#: Told ``(graph, backend)`` before a compile the command waits for (``GRAPHDIFF_COMPILE=now``, or a
#: run over points); returns a context that lasts the compile. The command line shows a status line on a
#: terminal; the library says nothing.
announce: Callable[[Graph, str], ContextManager] = lambda g, backend: contextlib.nullcontext()


def table_digest() -> bytes:
    """A digest of everything the generated code is written from: every row's templates."""
    h = hashlib.sha256()
    for name in sorted(PRIMITIVES):
        p = PRIMITIVES[name]
        h.update(repr((name, p.arity, sorted(p.leaves.items()), p.partials, p.partial, p.scan,
                       sorted(p.small.items()), p.infix, p.call, p.kink, p.kink_arg,
                       sorted((b, sorted(hs.items())) for b, hs in p.helpers.items()))).encode())
    return h.digest()


def _identity() -> bytes:
    return hashlib.sha256(f"{__version__}\0{sys.implementation.cache_tag}\0{FORMAT}".encode()).digest()


def _encode(src: Source, code: list) -> bytes:
    fixed = (array("q", src.constant).tobytes(), array("d", src.constant.values()).tobytes())  # bytes: no objects
    payload = marshal.dumps((src.backend, len(src.chunks), src.calls, fixed, code))
    return _HEADER.pack(MAGIC, FORMAT, _identity(), table_digest(), len(payload), zlib.crc32(payload)) + payload


def _decode(data: bytes, n_edges: int) -> Program | None:
    if len(data) < _HEADER.size:
        return None
    magic, fmt, ident, table, length, crc = _HEADER.unpack_from(data)
    payload = memoryview(data)[_HEADER.size:]  # not a copy: the code of a large program is tens of MB
    if (magic, fmt, ident, table) != (MAGIC, FORMAT, _identity(), table_digest()) or len(payload) != length or \
            zlib.crc32(payload) != crc:
        return None
    try:
        backend, n, calls, (edges, values), code = marshal.loads(payload)
        if backend not in SUFFIX or not isinstance(code, list) or len(code) != n:
            return None
        prog = build(Source(backend, [""] * n, dict(calls)), code)
        prog.fixed_edges, prog.fixed_values = array("q", edges), array("d", values)
        fixed = prog.fixed_edges
        if len(fixed) != len(prog.fixed_values) or fixed and (min(fixed) < 0 or max(fixed) >= n_edges):
            return None
        return prog
    except (ValueError, TypeError, EOFError, KeyError):
        return None


def mode() -> str:
    """``GRAPHDIFF_COMPILE``: ``background`` (the default), ``now`` or ``0``."""
    m = os.environ.get("GRAPHDIFF_COMPILE", "background").strip().lower()
    return "0" if m in ("0", "no", "off", "false", "") else "now" if m == "now" else "background"


def ready(g: Graph) -> Program | None:
    """The compiled program of ``g`` if its cache entry has one (kept for the graph's life); otherwise None,
    and one is compiled for next time (in the background, or now with ``GRAPHDIFF_COMPILE=now``)."""
    known = _READY.setdefault(g, {})
    if "python" in known:
        return known["python"]
    path = entry(g, SUFFIX["python"])
    prog = None
    if path is not None and mode() != "0":
        prog = _load(path, g)
        if prog is None:
            if mode() == "now":
                with announce(g, "python"):
                    prog = write(g, path)
            else:
                _in_background(g, path)
    known["python"] = prog
    return prog


def vectorised(g: Graph) -> Program:
    """The program of ``g`` over arrays of points (NumPy), compiled now and kept with the cache entry when the
    graph has one (a run over many points is long: the compile is a small part of it, and the next run
    skips it)."""
    known = _READY.setdefault(g, {})
    prog = known.get("numpy")
    if prog is None:
        path = entry(g, SUFFIX["numpy"]) if mode() != "0" else None
        prog = _load(path, g) if path is not None else None
        if prog is None:
            with announce(g, "numpy"):
                prog = write(g, path, "numpy") if path is not None else build(source(g, "numpy"))
        known["numpy"] = prog
    return prog


def _load(path: Path, g: Graph) -> Program | None:
    try:
        return _decode(read(path), g.n_edges)
    except OSError:
        return None


def write(g: Graph, path: Path, backend: str = "python") -> Program:
    """Compile ``g`` for ``backend`` and file the code under ``path``; the program."""
    src = source(g, backend)
    code = compiled(src)
    store(path, lambda f: f.write(_encode(src, code)))
    return build(src, code)


def _in_background(g: Graph, path: Path) -> None:
    """Compile in a detached grandchild process, so that the command answers at once and nothing waits for
    it (no zombie either: the child exits at once, and its child is adopted by init). A lock file keeps two
    commands from compiling the same program. Never from a process with other threads running (a notebook's
    kernel, a server, a thread pool): a fork copies only the calling thread, and a lock another thread held
    would hang the child for good; such a process runs the interpreter, or compiles with
    ``GRAPHDIFF_COMPILE=now``."""
    import threading

    if not hasattr(os, "fork") or threading.active_count() > 1:
        return
    lock = path.with_suffix(".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.close(fd)
    except FileExistsError:
        try:
            import time

            if time.time() - lock.stat().st_mtime < 600:
                return  # another command is compiling it
            lock.unlink()
        except OSError:
            return
        return _in_background(g, path)
    except OSError:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        write(g, path)
    except BaseException:  # noqa: BLE001 - a background compile that fails leaves the interpreter in use
        pass
    finally:
        try:
            lock.unlink()
        except OSError:
            pass
        os._exit(0)
