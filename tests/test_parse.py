"""The language: every construct, and every syntax error with its line and column."""
import pytest

import graphdiff
from graphdiff import ParseError, loads
from graphdiff.base.errors import ComputeError, CycleError, InputError, NameError_


def defs(text):
    g = loads(text)
    return {g.names[i]: (g.ops[i], g.texts[i]) for i in range(len(g))}


def test_statements_end_at_newline_or_semicolon():
    assert defs("c = a + b; d = b + 1\ne = c * d")["e"] == ("mul", "c * d")


def test_comments_blank_lines_and_crlf():
    g = loads("# comment only\n\r\n  c = a + b  # trailing\r\n\n;;\n")
    assert g.names == ["a", "b", "c"]


def test_input_declarations_with_defaults_and_vectors():
    g = loads("input a = 2, b = -1.5\ninput x[3] = 0.25\ny = a + b + x[2]")
    assert [g.names[i] for i in g.inputs] == ["a", "b", "x[0]", "x[1]", "x[2]"]
    assert graphdiff.bind(g) == [2.0, -1.5, 0.25, 0.25, 0.25]


def test_a_vector_with_a_default_for_each_element():
    g = loads("input w[3] = [1, -2, 0.5], s = 3\ny = sum(w) * s")
    assert graphdiff.bind(g) == [1.0, -2.0, 0.5, 3.0]
    assert graphdiff.bind(g, {"w[1]": 4}) == [1.0, 4.0, 0.5, 3.0]
    assert graphdiff.evaluate(g)["y"] == -1.5


@pytest.mark.parametrize("text, message, col", [
    ("input w[2] = [1, 2, 3]; y = sum(w)", "3 default values for the vector w[2]: give 2", 7),
    ("input w = [1, 2]; y = w", "a list of defaults is for a vector input: write 'input w = 1', or 'input w[2] = [...]'", 7),
    ("input w[2] = []; y = sum(w)", "unexpected ']'; expected '+' or '-' or a number", 15),
])
def test_bad_lists_of_defaults(text, message, col):
    with pytest.raises(ParseError) as e:
        loads(text)
    assert message in e.value.message and e.value.col == col


def test_unicode_names():
    g = loads("β = α * 2; γ = β + α")
    assert g.names == ["α", "β", "γ"]


@pytest.mark.parametrize("text,value", [
    ("y = 2 ^ 3 ^ 2", 512.0),          # right-associative
    ("y = 2 ** 3 ** 2", 512.0),
    ("y = -2 ^ 2", -4.0),              # unary minus binds looser than ^
    ("y = 2 ^ -1", 0.5),
    ("y = 1 - 2 - 3", -4.0),            # left-associative
    ("y = 8 / 4 / 2", 1.0),
    ("y = 1 + 2 * 3", 7.0),
    ("y = (1 + 2) * 3", 9.0),
    ("y = 1e-3 * 1000", 1.0),
    ("y = .5 + 0.5", 1.0),
    ("y = +3", 3.0),
    ("y = --3", 3.0),
])
def test_precedence_and_constant_folding(text, value):
    g = loads(text)
    assert g.ops == ["const"] and graphdiff.evaluate(g)["y"] == value


def test_constants_fold_into_the_operation():
    g = loads("d = b + 1")
    assert g.n_edges == 1 and g.args[1] == (0, 1.0)


def test_nested_subexpressions_become_named_nodes():
    g = loads("e = (a + b) * (b + 1)")
    assert g.names == ["a", "b", "a + b", "b + 1", "e"]
    assert g.texts[-1] == "(a + b) * (b + 1)"
    assert g.kinds == ["input", "input", "anon", "anon", "named"]


def test_identical_subexpressions_are_one_node():
    g = loads("y = sin(a + b) * cos(a + b) + (a + b)")
    assert g.names.count("a + b") == 1
    assert len(g) == 1 + 2 + 1 + 2 + 1 + 1 - 1  # a b, a+b, sin cos, product, y


def test_sums_and_products_are_n_ary():
    g = loads("y = a + b + c + d; z = a * b * c")
    assert g.args[g.node("y")] == (0, 1, 2, 3)
    assert g.args[g.node("z")] == (0, 1, 2)


def test_parentheses_keep_their_own_node():
    g = loads("y = (a + b) + c")
    assert g.texts[g.node("y")] == "(a + b) + c"


def test_functions_and_reductions():
    g = loads("input x[4] = 1\ny = sum(x) + prod(x) + mean(x) + max(x) + min(x[0], x[1]) + pow(x[2], 2)")
    assert graphdiff.evaluate(g)["y"] == 4 + 1 + 1 + 1 + 1 + 1


@pytest.mark.parametrize("text,line,col,fragment", [
    ("c = a +", 1, 8, "unexpected end of input"),
    ("c = a $ b", 1, 7, "unexpected character '$'"),
    ("c = a\nd = * 2", 2, 5, "unexpected '*'"),
    ("c = (a + b", 1, 11, "expected"),
    ("c = a b", 1, 7, "unexpected 'b'"),
    ("= 3", 1, 1, "unexpected '='"),
    ("input x[0]", 1, 9, "positive whole number"),
    ("y = x[1.5]", 1, 7, "whole number"),
    ("y = 1e999", 1, 5, "too large"),
])
def test_syntax_errors_have_positions(text, line, col, fragment):
    with pytest.raises(ParseError) as e:
        loads(text)
    assert (e.value.line, e.value.col) == (line, col)
    assert fragment in e.value.message
    assert e.value.exit_code == 2


@pytest.mark.parametrize("text,line,col,fragment,cls", [
    ("y = sine(x)", 1, 5, "did you mean 'sin'", NameError_),
    ("y = sin(x, z)", 1, 5, "sin() takes 1 argument, got 2", NameError_),
    ("y = pow(x)", 1, 5, "pow() takes 2 arguments, got 1", NameError_),
    ("y = max()", 1, 5, "needs at least one argument", NameError_),
    ("c = a\nc = b", 2, 1, "'c' is assigned already on line 1", NameError_),
    ("input a\na = 3", 2, 1, "declared as an input already", NameError_),
    ("c = d + 1\nd = c * 2", 1, 1, "cycle: c (line 1) → d (line 2) → c", CycleError),
    ("c = c + 1", 1, 1, "'c' depends on itself", CycleError),
    ("input x[3]\ny = x[3]", 2, 5, "index out of range: 'x' has 3 elements", NameError_),
    ("y = x[3]", 1, 5, "never declared", NameError_),
    ("input x[3]\ny = x * 2", 2, 5, "is a vector of 3 inputs", NameError_),
    ("", 1, 1, "empty program", InputError),
    ("# nothing\n", 1, 1, "empty program", InputError),
    ("input a = 1", 1, 1, "empty program", InputError),
    ("y = a; output z", 1, 15, "unknown output 'z'", NameError_),
])
def test_semantic_errors_have_positions(text, line, col, fragment, cls):
    with pytest.raises(cls) as e:
        loads(text)
    assert (e.value.line, e.value.col) == (line, col), e.value
    assert fragment in e.value.message


@pytest.mark.parametrize("text,col,message", [
    ("y = log(-1.5) + x", 5, "log needs a positive argument: the constant expression log(-1.5) = nan (node 'y')"),
    ("y = 1 / 0 + x", 5, "division by zero: the constant expression 1 / 0 = inf (node 'y')"),
    ("y = x + (-8) ^ 0.5", 11, "a power needs a positive base for a fractional exponent, and a base other than 0 "
                                "for a negative one: the constant expression (-8) ^ 0.5 = nan (node 'y')"),
    ("y = pow(-8, 1/3) + x", 5, "a power needs a positive base for a fractional exponent, and a base other than 0 "
                                "for a negative one: the constant expression pow(-8, 1 / 3) = nan (node 'y')"),
    ("y = x + 1e200 * 1e200", 9, "overflow: the constant expression 1e200 * 1e200 = inf (node 'y')"),
])
def test_constant_faults_quote_the_source_and_wait_for_evaluation(text, col, message):
    """A constant subexpression out of its domain is reported, by its text as written, when the program is
    evaluated (an error, or with --ieee a fault let through): the graph itself is built."""
    g = loads(text)
    with pytest.raises(ComputeError) as e:
        graphdiff.evaluate(g, {"x": 1})
    assert (e.value.line, e.value.col, e.value.message) == (1, col, message)
    v = graphdiff.evaluate(g, {"x": 1}, ieee=True)
    assert [d.message for d in v.faults][0] == message


def test_error_carries_source_line_for_the_caret():
    with pytest.raises(ParseError) as e:
        loads("c = a + b\nd = b $ 1", "f.gd")
    assert e.value.source == "f.gd" and e.value.source_line == "d = b $ 1"
    assert str(e.value).startswith("f.gd:2:7: ")


def test_statements_in_any_order():
    g = loads("e = c * d\nc = a + b\nd = b + 1")
    assert graphdiff.evaluate(g, {"a": 2, "b": 1})["e"] == 6
    order = {n: i for i, n in enumerate(g.names)}
    assert order["c"] < order["e"] and order["d"] < order["e"]


def test_deep_nesting_does_not_recurse():
    depth = 5000
    g = loads("y = " + "(" * depth + "x" + " + 1)" * depth)
    assert graphdiff.evaluate(g, {"x": 0})["y"] == depth


def test_long_sum_on_one_line():
    n = 20000
    g = loads("y = " + " + ".join(f"x{i}" for i in range(n)))
    assert g.n_edges == n and len(g.args[g.node("y")]) == n


def test_long_anonymous_names_are_shortened_and_unique():
    g = loads("y = sin(" + " + ".join(f"a{i}" for i in range(50)) + ") * cos(" + " - ".join(f"b{i}" for i in range(50)) + ")")
    anon = [n for n, k in zip(g.names, g.kinds) if k == "anon"]
    assert len(set(anon)) == len(anon) and all(len(n) <= 90 for n in anon)
