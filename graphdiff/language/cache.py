"""The compiled-graph cache, as Python has ``__pycache__``: the graph built from a large program file is kept
on disk, keyed by a digest of the file's bytes and of graphdiff's version and table of functions, so every
later command on the unchanged file loads it instead of parsing.

* Where: ``$GRAPHDIFF_CACHE_DIR``, else ``$XDG_CACHE_HOME/graphdiff``, else ``~/.cache/graphdiff``.
* When: files of at least :data:`MIN_BYTES` bytes (smaller ones parse faster than a cache pays), unless
  ``GRAPHDIFF_CACHE=0`` or ``--no-cache``; programs given with ``-e`` or on standard input never.
* What: data only, no pickle: a header (magic, format version, graphdiff's version, key, payload length,
  CRC-32) and sections of 64-bit integers and floats (read with NumPy, which matplotlib already brings, as
  arrays over the file's bytes) and of strings (UTF-8, NUL-separated). A file that is
  truncated, corrupted, foreign, of another version, or hostile fails a check and is ignored and rewritten:
  it is never trusted, and never a crash. Every value is checked against the graph's invariants on load.
* Writes are atomic (a temporary file in the same folder, then a rename), so concurrent runs are safe; the
  folder is kept under :data:`MAX_BYTES` (``GRAPHDIFF_CACHE_MAX_MB``) by evicting the least recently used
  entries. An edited file has another digest, so it never meets a stale entry.
"""
from __future__ import annotations

import hashlib
import mmap
import os
import struct
import tempfile
import zlib
from array import array
from collections import deque
from pathlib import Path

from ..base.errors import Diagnostic
from .graph import Graph, loads, no_gc, normalize, read_program
from ..primitives import FUNCTIONS
from .tape import Tape, remember

MAGIC = b"GRAPHDIFF-GRAPH\0"
FORMAT = 1
#: Files smaller than this are parsed every time (about 10,000 lines: a few tenths of a second).
MIN_BYTES = 200_000
#: The cache folder's size bound, in bytes (``GRAPHDIFF_CACHE_MAX_MB`` overrides it).
MAX_BYTES = 2_000_000_000
_HEADER = struct.Struct("<16sII32sQI")  # magic, format, version length, key, payload length, CRC-32
_SECTION = struct.Struct("<4sBQ")  # tag, kind, byte length
_INT, _FLOAT, _STRINGS = 1, 2, 3


class CacheMiss(Exception):
    """A cache file that cannot be used (absent, truncated, corrupted, foreign): parse instead."""


def enabled(flag: bool | None = None) -> bool:
    """Whether to use the cache: ``flag`` when given (``--no-cache`` gives False), else ``GRAPHDIFF_CACHE``."""
    if flag is not None:
        return flag
    return os.environ.get("GRAPHDIFF_CACHE", "1").strip().lower() not in ("0", "no", "off", "false", "")


def folder() -> Path:
    d = os.environ.get("GRAPHDIFF_CACHE_DIR")
    if d:
        return Path(d)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "graphdiff"


def _version() -> str:
    from ..base.version import __version__

    return __version__


def key(data: bytes) -> bytes:
    """The digest an entry is filed under: the file's bytes, graphdiff's version, the cache format and the
    functions a program can call (a registered primitive parses what was an error)."""
    h = hashlib.blake2b(digest_size=32)
    h.update(f"{_version()}\0{FORMAT}\0{','.join(sorted(FUNCTIONS))}\0".encode())
    h.update(data)
    return h.digest()


# ---- encoding ----------------------------------------------------------------------------------------------

def _ints(values) -> bytes:
    return array("q", values).tobytes()


def _strings(values) -> bytes:
    return "\0".join(values).encode("utf-8")


def _operands(g: Graph) -> tuple[array, array, array]:
    """Every node's operands in one array (a constant k as -1 - k), where each node's start, and the constants."""
    arg_start, arg_node, consts = array("q", [0]), array("q"), array("d")
    for t in g.args:
        for a in t:
            if a.__class__ is int:
                arg_node.append(a)
            else:
                arg_node.append(-1 - len(consts))
                consts.append(a)
        arg_start.append(len(arg_node))
    return arg_start, arg_node, consts


def _section_bodies(g: Graph):
    """The sections of ``g``'s cache file, one at a time (so that writing one holds one in memory)."""
    op_names, kind_names = sorted(set(g.ops)), sorted(set(g.kinds))
    op_code = {o: c for c, o in enumerate(op_names)}
    kind_code = {o: c for c, o in enumerate(kind_names)}
    yield b"name", _STRINGS, _strings(g.names)
    yield b"text", _STRINGS, _strings(g.texts)
    yield b"opnm", _STRINGS, _strings(op_names)
    yield b"opcd", _INT, _ints(map(op_code.__getitem__, g.ops))
    yield b"kdnm", _STRINGS, _strings(kind_names)
    yield b"kdcd", _INT, _ints(map(kind_code.__getitem__, g.kinds))
    yield b"line", _INT, _ints(g.lines)
    yield b"col_", _INT, _ints(g.cols)
    arg_start, arg_node, consts = _operands(g)
    yield b"args", _INT, arg_start.tobytes()
    yield b"argn", _INT, arg_node.tobytes()
    yield b"cnst", _FLOAT, consts.tobytes()
    del arg_start, arg_node, consts
    yield b"cown", _INT, _ints(g.const_nodes)
    yield b"dfix", _INT, _ints(g.defaults)
    yield b"dfvl", _FLOAT, array("d", g.defaults.values()).tobytes()
    vec_names = list(g.vectors)
    yield b"vcnm", _STRINGS, _strings(vec_names)
    yield b"vcst", _INT, _ints(v for name in vec_names for v in g.vectors[name])
    yield b"inpt", _INT, _ints(g.inputs)
    yield b"outp", _INT, _ints(g.outputs)
    yield b"fnod", _STRINGS, _strings(d.node for d in g.faults)
    yield b"fmsg", _STRINGS, _strings(d.message for d in g.faults)
    yield b"fpos", _INT, _ints(v for d in g.faults for v in (d.line, d.col))


def write(g: Graph, k: bytes, f) -> None:
    """Write the cache file of ``g`` under key ``k`` to the binary file ``f`` (seekable), section by section."""
    version = _version().encode()
    f.write(b"\0" * (_HEADER.size + len(version)))
    length = check = 0
    for tag, kind, body in _section_bodies(g):
        head = _SECTION.pack(tag, kind, len(body))
        for part in (head, body):
            f.write(part)
            check = zlib.crc32(part, check)
        length += len(head) + len(body)
    f.seek(0)
    f.write(_HEADER.pack(MAGIC, FORMAT, len(version), k, length, check) + version)


def encode(g: Graph, k: bytes) -> bytes:
    """The cache file of ``g`` under key ``k``, as bytes."""
    import io

    buf = io.BytesIO()
    write(g, k, buf)
    return buf.getvalue()


def read(path: Path):
    """A cache file's bytes, mapped from the page cache in one call (``MAP_POPULATE``: no copy, no fault a page;
    75 MB in 3 ms where reading them takes 50), or read where the file cannot be mapped. Entries are replaced by a
    rename and removed by an unlink, never rewritten in place, so a mapping never sees its file change."""
    with open(path, "rb") as f:
        try:
            return mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE | getattr(mmap, "MAP_POPULATE", 0),
                             prot=mmap.PROT_READ)
        except (ValueError, OSError):  # an empty file, a file system that cannot map
            return f.read()


class _Text:
    """A string section not split until asked (a node's text is read only to explain a fault): its bytes' place
    in the file and how many strings it holds."""

    def __init__(self, data, start: int, end: int):
        self.data, self.start, self.end = data, start, end
        step = 1 << 20  # counted a megabyte at a time: no copy of the section, nor a temporary as large
        nul = sum(data[a:min(a + step, end)].count(b"\0") for a in range(start, end, step))
        self.count = nul + 1 if end > start else 0

    def split(self) -> list[str]:
        body = memoryview(self.data)[self.start:self.end]
        return str(body, "utf-8").split("\0") if self.count else []


def _sections(data: bytes, k: bytes, unsplit: tuple[bytes, ...] = ()) -> dict[bytes, object]:
    """The sections of a sound cache file: int and float sections as NumPy arrays over the file's bytes,
    string sections as lists (those tagged in ``unsplit`` as :class:`_Text`). Raises :class:`CacheMiss` on
    anything else."""
    import numpy as np

    if len(data) < _HEADER.size:
        raise CacheMiss("truncated header")
    magic, fmt, vlen, got_key, length, check = _HEADER.unpack_from(data)
    if magic != MAGIC or fmt != FORMAT:
        raise CacheMiss("not a graphdiff cache file of this format")
    start = _HEADER.size + vlen
    if data[_HEADER.size:start] != _version().encode() or got_key != k:
        raise CacheMiss("another version or another file")
    payload = memoryview(data)[start:]
    if len(payload) != length or zlib.crc32(payload) != check:
        raise CacheMiss("truncated or corrupted")
    out: dict[bytes, object] = {}
    at = 0
    while at < length:
        if at + _SECTION.size > length:
            raise CacheMiss("truncated section")
        tag, kind, size = _SECTION.unpack_from(payload, at)
        at += _SECTION.size
        if at + size > length or size % 8 and kind != _STRINGS:
            raise CacheMiss("truncated section")
        body = payload[at:at + size]
        at += size
        if kind == _INT:
            out[tag] = np.frombuffer(body, dtype="<i8")
        elif kind == _FLOAT:
            out[tag] = np.frombuffer(body, dtype="<f8")
        elif kind == _STRINGS and tag in unsplit:
            out[tag] = _Text(data, start + at - size, start + at)
        elif kind == _STRINGS:
            text = str(body, "utf-8")
            out[tag] = text.split("\0") if text else []
        else:
            raise CacheMiss("unknown section")
    return out


def _edges(n: int, arg_start, arg_node):
    """The edges of the operands, laid out as ``graph._lay_edges`` lays them (one per node operand, by
    target): sources, targets and each node's first edge as NumPy arrays, and a function that gives the operand
    positions as a list (``edge_arg``: read only by some commands). Few temporaries: on a large graph each new
    megabyte costs more than the arithmetic."""
    import numpy as np

    is_node = arg_node >= 0
    before = np.zeros(len(arg_node) + 1, np.int64)  # node operands before each operand
    np.cumsum(is_node, out=before[1:])
    start = before[arg_start]
    dst = np.repeat(np.arange(n), np.diff(start))

    def arg() -> list[int]:
        return (np.arange(len(arg_node)) - np.repeat(arg_start[:-1], np.diff(arg_start)))[is_node].tolist()

    return arg_node[is_node], dst, arg, start


def _check_shape(n: int, op_codes, counts, s: dict, src, dst) -> None:
    """What graphdiff relies on, checked before a cached graph is used: operands come before their node, every
    operation is a primitive with operands it can take, inputs are the input nodes, ends and vectors exist."""
    import numpy as np

    from ..primitives import PRIMITIVES

    if len(src) and (src.min() < 0 or (src >= dst).any()):
        raise CacheMiss("an operand that does not come before its node")
    names = s[b"opnm"]
    arity = np.array([0 if o == "input" else (PRIMITIVES[o].arity or -1) for o in names])  # KeyError: unknown
    want = arity[op_codes]
    if ((want >= 0) & (counts != want)).any() or ((want < 0) & (counts < 1)).any():
        raise CacheMiss("an operation with operands it cannot take")
    inputs = s[b"inpt"]
    is_input = op_codes == (names.index("input") if "input" in names else -1)
    if not np.array_equal(inputs, np.flatnonzero(is_input)) or not np.array_equal(inputs, np.arange(len(inputs))):
        raise CacheMiss("inputs that are not the first nodes")
    ends = np.concatenate((s[b"outp"], s[b"dfix"], s[b"vcst"]))
    if len(ends) and (ends.min() < 0 or ends.max() >= n) or len(s[b"dfix"]) and not is_input[s[b"dfix"]].all():
        raise CacheMiss("outputs, defaults or vectors that are not nodes")
    v = s[b"vcst"].reshape(-1, 2)
    if len(v) and ((v[:, 0] + v[:, 1] > len(inputs)) | (v[:, 1] < 1)).any():
        raise CacheMiss("a vector beyond the inputs")


def decode(data: bytes, k: bytes, source: str, text: str | None) -> Graph:
    """The graph of a cache file, checked: raises :class:`CacheMiss` on anything but a sound file."""
    import numpy as np

    s = _sections(data, k, unsplit=(b"text",))
    try:
        names, texts = s[b"name"], s[b"text"]
        n = len(names)
        op_codes, kind_codes = s[b"opcd"], s[b"kdcd"]
        arg_start, arg_node, consts = s[b"args"], s[b"argn"], s[b"cnst"]
        if any(m != n for m in (texts.count, len(op_codes), len(kind_codes), len(s[b"line"]), len(s[b"col_"]),
                                len(arg_start) - 1)) or arg_start[0] != 0 or arg_start[-1] != len(arg_node) or (
                np.diff(arg_start) < 0).any():
            raise CacheMiss("inconsistent lengths")
        if len(arg_node) and (arg_node.min() < -len(consts) or arg_node.max() >= n):
            raise CacheMiss("an operand out of range")
        def column(names_: list[str], codes):
            return lambda: np.array(names_, dtype=object)[codes].tolist()

        ops, kinds = column(s[b"opnm"], op_codes), column(s[b"kdnm"], kind_codes)
        src, dst, arg, start = _edges(n, arg_start, arg_node)
        negative = arg_start - start  # constants before each node
        if not np.array_equal(np.flatnonzero(np.diff(negative)), s[b"cown"]):
            raise CacheMiss("constants owned by other nodes")
        for codes, known in ((op_codes, s[b"opnm"]), (kind_codes, s[b"kdnm"])):
            if n and (codes.min() < 0 or codes.max() >= len(known)):
                raise CacheMiss("an operation or kind out of range")
        _check_shape(n, op_codes, np.diff(arg_start), s, src, dst)
        g = Graph(source, text)
        n_in = len(s[b"inpt"])

        def operands():
            """Every node's operands as tuples (built only when something asks: a compiled program does not)."""
            with no_gc():
                ops_, bounds = arg_node.tolist(), arg_start.tolist()
                constants = consts.tolist()
                at = np.flatnonzero(arg_node < 0)
                deque(map(ops_.__setitem__, at.tolist(), map(constants.__getitem__, (-1 - arg_node[at]).tolist())),
                      maxlen=0)  # the constants in their operands' places
                return list(map(tuple, map(ops_.__getitem__, map(slice, bounds, bounds[1:]))))

        def tape():
            """The tape, laid out from the arrays (constant k at slot n + k; constants are not merged here)."""
            bounds = arg_start.tolist()
            if len(consts):
                slot_list = np.where(arg_node >= 0, arg_node, n - 1 - arg_node).tolist()
                slots = list(map(tuple, map(slot_list.__getitem__, map(slice, bounds[n_in:], bounds[n_in + 1:]))))
            else:
                slots = g.args[n_in:]
            from ..primitives import PRIMITIVES

            return Tape(n, consts.tolist(), list(range(n_in, n)), list(map(PRIMITIVES.__getitem__, g.ops[n_in:])),
                        slots)

        with no_gc():
            g.__dict__.update(names=names, edge_src=src.tolist(), edge_dst=dst.tolist(), edge_start=start.tolist(),
                              inputs=s[b"inpt"].tolist(), outputs=s[b"outp"].tolist(),
                              defaults=dict(zip(s[b"dfix"].tolist(), s[b"dfvl"].tolist())))
            # laid out when first asked for (Graph.__getattr__): a command that evaluates and sweeps by the
            # compiled program reads names and edges only, and the rest are a third of the graph's memory
            lazy = {"args": operands, "texts": texts.split, "ops": ops, "kinds": kinds,
                    "lines": s[b"line"].tolist, "cols": s[b"col_"].tolist, "edge_arg": arg,
                    "const_nodes": s[b"cown"].tolist}
            for name in lazy:
                del g.__dict__[name]
            g.__dict__["_lazy"] = lazy
            vst = s[b"vcst"].tolist()
            g.vectors.update({name: (vst[2 * j], vst[2 * j + 1]) for j, name in enumerate(s[b"vcnm"])})
            pos = s[b"fpos"].tolist()
            g.faults.extend(Diagnostic(node, pos[2 * j], pos[2 * j + 1], msg)
                            for j, (node, msg) in enumerate(zip(s[b"fnod"], s[b"fmsg"])))
    except (KeyError, IndexError, ValueError, TypeError, struct.error) as e:
        raise CacheMiss(f"malformed ({type(e).__name__})") from None
    g.freeze()
    remember(g, tape)  # laid out when the interpreter first asks for it
    return g


# ---- the folder ------------------------------------------------------------------------------------------

def _path(k: bytes, suffix: str = ".gdc") -> Path:
    return folder() / f"{k.hex()}{suffix}"


def entry(g: Graph, suffix: str) -> Path | None:
    """Where a companion of ``g``'s cache entry lives (a compiled program: ``.gdp``), or None for a graph that
    has no entry (a small file, ``-e``, standard input, the cache turned off)."""
    k = g.__dict__.get("cache_key")
    return _path(k, suffix) if k is not None else None


def store(path: Path, write_to) -> bool:
    """Write a cache file atomically (``write_to(f)`` fills it), then keep the folder within its bound; False,
    quietly, when the cache cannot be written (a read-only home, a full disk): graphdiff works without it."""
    d = path.parent
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=d)
        try:
            with os.fdopen(fd, "wb") as f:
                write_to(f)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        _evict(d)
        return True
    except OSError:
        return False


def _store(g: Graph, k: bytes) -> None:
    store(_path(k), lambda f: write(g, k, f))


def _evict(d: Path) -> None:
    """Remove the least recently used entries until the folder is within its bound."""
    try:
        limit = int(float(os.environ.get("GRAPHDIFF_CACHE_MAX_MB", MAX_BYTES / 1e6)) * 1e6)
    except ValueError:
        limit = MAX_BYTES
    entries = []
    for p in [*d.glob("*.gdc"), *d.glob("*.gdp")]:
        try:
            st = p.stat()
        except OSError:
            continue
        entries.append((st.st_atime, st.st_size, p))
    total = sum(size for _, size, _ in entries)
    for _, size, p in sorted(entries):
        if total <= limit:
            break
        try:
            p.unlink()
            total -= size
        except OSError:
            pass


def load(path: str | Path, jobs: int | None = None, cache: bool | None = None) -> Graph:
    """Read a program file and build its graph, as :func:`graphdiff.graph.load` does, through the cache: a
    file of at least :data:`MIN_BYTES` whose entry is sound loads from it; otherwise it is parsed, and the
    entry written for next time. ``cache`` False (``--no-cache``) or ``GRAPHDIFF_CACHE=0`` turn it off
    (``jobs`` is accepted and ignored, for one release)."""
    data, text = read_program(path)
    source = str(path)
    if not enabled(cache) or len(data) < MIN_BYTES:
        return loads(text, source)
    k = key(data)
    try:
        g = decode(read(_path(k)), k, source, normalize(text))
    except (OSError, CacheMiss):
        g = loads(text, source)
        _store(g, k)
    g.__dict__["cache_key"] = k  # its companions (a compiled program) are filed under the same key
    return g
