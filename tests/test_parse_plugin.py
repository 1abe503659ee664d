"""The optional lark-cython plugin builds exactly the Program that pure Lark builds, and fails the same way;
so do graphdiff's lean callbacks (parse._lean_callbacks) against Lark's own."""
from pathlib import Path

import pytest

from graphdiff.language.gen import generate
import graphdiff.language.parse as P
from graphdiff.base.errors import GraphdiffError
from graphdiff.language.parse import Ref

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.gd"))


def _plain(x):
    """By position: a parse in two processes gives plain tuples where one process gives Refs."""
    if isinstance(x, tuple):
        return ("Ref", *x)
    if isinstance(x, list):
        return [_plain(a) for a in x]
    if isinstance(x, float) and x != x:
        return "NaN"  # a constant out of its domain, such as asin(2): NaN equals nothing, not even itself
    return x


def _dump(p):
    defs = [(d[0], d[1], _plain(d[2]), *d[3:]) for d in p.definitions.values()]
    return defs, _plain(p.outputs), [(k, _plain(v)) for k, v in p.uses.items()], p.faults


STRAIGHT = [
    "c = a + b; d = b + 1; e = c * d",
    "input x = 0.5\ny = x",
    "input w = -0.5, h0 = +0.1, z\ny = w * h0 * z * 2",
    "input x[4] = 0.25\ns = sum(x)\nm = max(x[0], x[3], 2)\noutput s, m, x[1]",
    "y = a - -2\nz = -2 * a\nq = a ^ -2\nr = a ** 3\nt = 2 / a",
    "c = 3\nd = -4.5e3\ne = .5 + a + 1 + 2",
    "  c\t=  a+b  # comment ; not a statement\n\n;;d = c\r\ne = atan2x + c",
    "output e, e\ne = a + b",
    "y = sin(x); z = pow(x, 2)",
    "y = 2 - a\nz = a / 3\nw = sum(x)\ninput q = - 1.5e-3\ninput r = 7\nv = 1.50 * q\nu = q - 0.25e1",
    "input x[3] = 1\ns = mean(x)\nt = x[2] + s\n\tu = tanh( t )  \nv=t*u",
]
ERRORS_AND_OTHERS = [
    "y = a + b * c", "y = -a", "y = (a + b)", "y = 1 + 2 + a", "y = -2 ^ x", "y = a - b - c",
    "y = sin(cos(x))", "y = f(x)", "y = sin(x, y)", "y = sum(1, 2)", "y = 1e999 * x", "c = a\nc = b",
    "input x[0]", "y = x[1.5]", "input = 3", "y = a +", "y = a $ b", "y = a\x0b+ b", "y = 2x",
    "input x\nx = 3", "y = a ^ b ^ c", "y = +a", "y = a + sin(x)",
    "y = 2 + 3", "input = a + b", "y = input + 1", "y = sin(input)", "c = a + b\nc = a * b", "y = atan2(x)",
    "input x = 1e999", "y = x\u00a0+ 1",
]



lark_cython = pytest.importorskip("lark_cython")


def _all_ways(text):
    """Parse with the plugin and without it, each with graphdiff's lean callbacks and with Lark's own; each
    result is a Program dump or the error's (type, position, message)."""
    out = []
    for plugins in ({"_plugins": lark_cython.plugins}, {}):
        for lean in (True, False):
            P._parser = P.Lark.open(str(P.GRAMMAR), parser="lalr", lexer="basic", transformer=P._lower,
                                    **plugins)
            if lean:
                P._lean_callbacks(P._parser)
                assert any(type(k) is P._IdentityRule for k in P._parser._callbacks)
            try:
                out.append(_dump(P.parse(text)))
            except GraphdiffError as e:
                out.append((type(e).__name__, e.line, e.col, e.message))
    P._parser = None
    return out


@pytest.mark.parametrize("text", STRAIGHT + ERRORS_AND_OTHERS + [p.read_text() for p in SAMPLES]
                         + [generate(f, seed=3) for f in ("wide", "fanout", "chain", "diamonds", "mlp")])
def test_plugin_and_pure_lark_agree(text):
    fast, fast_lark_callbacks, pure_lean, pure = _all_ways(text)
    assert fast == fast_lark_callbacks == pure_lean == pure


from hypothesis import given, settings, strategies as st  # noqa: E402

from .test_fuzz import mutated_samples, token_soup, well_formed  # noqa: E402


@settings(max_examples=150, deadline=None)
@given(st.one_of(mutated_samples(), token_soup(), well_formed()))
def test_every_way_agrees_on_fuzzed_programs(text):
    first, *others = _all_ways(text)
    assert all(o == first for o in others)
