// graphdiff explore: the page's runtime. Values and partials come from the generated code that graphdiff
// writes into the page from its table of primitives (G.VALUE, G.PARTIALS); this file holds the sweeps, the
// paths, the notation and the interface, ported from graphdiff's Python so that the page prints what the
// command line prints. No network, no dependencies.
"use strict";
(function () {
  const G = window.GD_RUNTIME;
  const M = window.GD_MODEL;

  // ---- numbers as graphdiff writes them (notation.py) ----------------------------------------------------
  function reprExp(e) { return (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0"); }
  function pyRepr(v) {  // Python's repr(float): shortest round-trip digits, scientific below 1e-4 and from 1e16
    if (Number.isNaN(v)) return "nan";
    if (v === Infinity) return "inf";
    if (v === -Infinity) return "-inf";
    if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
    const [mant, ex] = v.toExponential().split("e");
    const e = parseInt(ex, 10);
    const neg = mant[0] === "-";
    const digits = mant.replace("-", "").replace(".", "");
    let out;
    if (e < -4 || e >= 16) {
      out = digits[0] + (digits.length > 1 ? "." + digits.slice(1) : "") + "e" + reprExp(e);
    } else if (e < 0) {
      out = "0." + "0".repeat(-e - 1) + digits;
    } else if (digits.length <= e + 1) {
      out = digits + "0".repeat(e + 1 - digits.length) + ".0";
    } else {
      out = digits.slice(0, e + 1) + "." + digits.slice(e + 1);
    }
    return (neg ? "-" : "") + out;
  }
  function fmtNum(v) {
    if (!Number.isFinite(v)) return pyRepr(v);
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v === 0 ? 0 : v);
    return pyRepr(v);
  }
  function pyG(v, digits) {  // Python's f"{v:.{digits}g}"
    if (v === 0) return Object.is(v, -0) ? "-0" : "0";
    let [mant, ex] = v.toExponential(digits - 1).split("e");
    let e = parseInt(ex, 10);
    if (e < -4 || e >= digits) {
      if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
      return mant + "e" + reprExp(e);
    }
    let s = v.toFixed(Math.max(0, digits - 1 - e));
    if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
    return s;
  }
  function sig(v, digits) {
    if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : (v > 0 ? "inf" : "-inf");
    if (digits == null || (Number.isInteger(v) && Math.abs(v) < 1e15)) return fmtNum(v);
    return pyG(v, digits);
  }
  function factor(v, digits) { const t = sig(v, digits); return t.startsWith("-") ? "(" + t + ")" : t; }
  const atomOf = new Map(M.nodes.map((n) => [n.name, n.atom]));  // notation.atom, written by graphdiff
  const atom = (n) => atomOf.get(n) ?? n;
  const partial = (t, b) => "∂" + atom(t) + "/∂" + atom(b);
  const total = (t, b) => "d" + atom(t) + "/d" + atom(b);
  const jnum = (v) => (Number.isFinite(v) ? v : Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");

  // ---- the graph --------------------------------------------------------------------------------------------
  const N = M.nodes.length;
  const names = M.nodes.map((n) => n.name);
  const index = new Map(names.map((n, i) => [n, i]));
  const E = M.edges;
  const nE = E.src.length;
  const out = Array.from({ length: N }, () => []);  // out-edges by tail, in the order of their targets
  for (let k = 0; k < nE; k++) out[E.src[k]].push(k);
  const inputValues = M.nodes.map((n) => (n.default == null ? NaN : n.default));

  class GraphdiffError extends Error {
    constructor(message, exitCode = 2) { super(message); this.exitCode = exitCode; }
  }
  function node(name) {
    if (typeof name === "number") return name;
    const i = index.get(name);
    if (i === undefined) {
      if (M.vectors[name]) throw new GraphdiffError(`'${name}' is a vector of ${M.vectors[name][1]} inputs, not one node`);
      throw new GraphdiffError(`no node named '${name}' in ${M.source}`);
    }
    return i;
  }
  function select(list, fallback) {
    if (!list || !list.length) return fallback.slice();
    const outList = [];
    for (const x of list) {
      if (M.vectors[x]) { const [s, n] = M.vectors[x]; for (let i = s; i < s + n; i++) outList.push(i); }
      else outList.push(node(x));
    }
    return [...new Set(outList)];
  }

  // ---- values and partials (evaluate.py, with --ieee: faults are kept, marked) ------------------------------
  function describe(i, xs, v) {
    const n = M.nodes[i];
    const pairs = [];
    n.args.forEach((a, j) => { if (typeof a === "number") pairs.push(`${names[a]} = ${fmtNum(xs[j])}`); });
    const shown = pairs.slice(0, 4).join(", ") + (pairs.length > 4 ? `, … (${pairs.length - 4} more)` : "");
    return shown ? `${n.text} = ${fmtNum(v)} with ${shown}` : `${n.text} = ${fmtNum(v)}`;
  }
  function fault(n, xs, v) {  // a value that is NaN or infinite from finite operands: what the command line calls it
    if (Number.isFinite(v) || xs.some((x) => !Number.isFinite(x))) return null;
    const domain = G.DOMAIN[n.sig];
    if (domain && domain(xs, v)) return n.domain;
    return Number.isNaN(v) ? "NaN" : "overflow";
  }
  function kinkMessage(n, xs, v) {  // the row's convention at a non-differentiable point, when its condition holds
    const k = G.KINK[n.sig];
    if (!k || n.kink === undefined) return null;
    const c = k(xs, v);
    return c ? n.kink.replace("{y}", fmtNum(v)).replace("{c}", fmtNum(c)) : null;
  }
  function run(values, withPartials) {
    const vals = new Float64Array(N);
    for (const i of M.inputs) vals[i] = values[i];
    const warnings = [], faults = M.constFaults.map((d) => Object.assign({}, d));
    const partials = withPartials ? new Float64Array(nE) : null;
    const recorded = new Set();
    for (let i = 0; i < N; i++) {
      const n = M.nodes[i];
      if (n.op === "input") continue;
      const xs = n.args.map((a) => (typeof a === "number" ? vals[a] : a.c));
      const v = G.VALUE[n.sig](xs);
      vals[i] = v;
      const why = fault(n, xs, v);
      if (why) {
        faults.push({ node: n.name, line: n.line, col: n.col, message: `${why}: ${describe(i, xs, v)}` });
        recorded.add(i);
      }
      const m = kinkMessage(n, xs, v);
      if (m) warnings.push({ node: n.name, line: n.line, col: n.col, message: `${m} (node '${n.name}')` });
      if (withPartials && E.start[i] < E.start[i + 1]) {
        const ps = G.PARTIALS[n.sig](xs, v);
        for (let k = E.start[i]; k < E.start[i + 1]; k++) partials[k] = ps[E.arg[k]];
      }
    }
    return { vals, partials, warnings, faults };
  }
  function diagnostics(r) {
    const o = {};
    if (r.warnings.length) o.warnings = r.warnings;
    if (r.faults.length) o.faults = r.faults;
    return o;
  }

  // ---- sweeps (accumulate.py): a multiplication per edge visited, an addition per contribution beyond the first
  function sweep(lin, seed, forward) {
    const d = new Map([[seed, 1.0]]);
    let mults = 0, adds = 0;
    if (forward) {
      for (let k = E.start[seed + 1]; k < nE; k++) {
        const s = E.src[k];
        if (!d.has(s)) continue;
        const t = E.dst[k], c = lin.partials[k] * d.get(s);
        mults++;
        if (d.has(t)) { adds++; d.set(t, d.get(t) + c); } else d.set(t, c);
      }
    } else {
      for (let k = E.start[seed + 1] - 1; k >= 0; k--) {
        const t = E.dst[k];
        if (!d.has(t)) continue;
        const s = E.src[k], c = d.get(t) * lin.partials[k];
        mults++;
        if (d.has(s)) { adds++; d.set(s, d.get(s) + c); } else d.set(s, c);
      }
    }
    return { seed, d, mults, adds };
  }

  function pathSums(lin, sources, targets) {  // paths.py path_sums: products from the source, DFS order
    const isT = new Uint8Array(N); targets.forEach((t) => (isT[t] = 1));
    const alive = ancestors(targets);
    const outs = new Map();
    const end = targets.length ? E.start[Math.max(...targets) + 1] : 0;
    for (let k = 0; k < end; k++) if (alive[E.dst[k]]) { if (!outs.has(E.src[k])) outs.set(E.src[k], []); outs.get(E.src[k]).push(k); }
    const res = new Map();
    for (const s of sources) {
      const tot = new Map(), mults = new Map();
      if (isT[s]) { tot.set(s, 1.0); mults.set(s, 0); }
      const stack = [[outs.get(s) || [], 0]], prods = [1.0];
      while (stack.length) {
        const top = stack[stack.length - 1];
        if (top[1] >= top[0].length) { stack.pop(); prods.pop(); continue; }
        const k = top[0][top[1]++];
        const p = prods[prods.length - 1] * lin.partials[k];
        const t = E.dst[k];
        if (isT[t]) { tot.set(t, (tot.get(t) ?? 0) + p); mults.set(t, (mults.get(t) ?? 0) + stack.length - 1); }
        if (outs.has(t)) { stack.push([outs.get(t), 0]); prods.push(p); }
      }
      res.set(s, { tot, mults });
    }
    return res;
  }
  function ancestors(targets) {
    const a = new Uint8Array(N); targets.forEach((t) => (a[t] = 1));
    for (let k = nE - 1; k >= 0; k--) if (a[E.dst[k]]) a[E.src[k]] = 1;
    return a;
  }
  function countPaths(s, t) {  // exact, by dynamic programming over BigInt
    if (s === t) return 1n;
    if (s > t) return 0n;
    const n = new Array(t - s + 1).fill(0n); n[0] = 1n;
    for (let k = E.start[s + 1]; k < E.start[t + 1]; k++) {
      const a = E.src[k];
      if (a >= s && n[a - s]) n[E.dst[k] - s] += n[a - s];
    }
    return n[t - s];
  }

  // ---- the commands' JSON documents ----------------------------------------------------------------------
  function current() { return inputValues; }
  function evalDoc() {
    const r = run(current(), false);
    const o = { values: {}, outputs: {}, inputs: {} };
    for (let i = 0; i < N; i++) o.values[names[i]] = jnum(r.vals[i]);
    for (const i of M.outputs) o.outputs[names[i]] = jnum(r.vals[i]);
    for (const i of M.inputs) o.inputs[names[i]] = jnum(r.vals[i]);
    return Object.assign(o, diagnostics(r));
  }
  function gradDoc(mode = "reverse", opts = {}) {
    const lin = run(current(), true);
    const outs = select(opts.of, M.outputs), ins = select(opts.wrt, M.inputs);
    const jac = new Map(outs.map((o) => [o, new Map()]));
    const derivs = {};
    let sweeps = 0, mults = 0, adds = 0;
    const counts = {};
    const kept = [];
    if (mode === "reverse" || mode === "forward") {
      const fwd = mode === "forward";
      for (const seed of fwd ? ins : outs) {
        const s = sweep(lin, seed, fwd);
        sweeps++; mults += s.mults; adds += s.adds; kept.push(s);
        const order = [...s.d.keys()].sort((a, b) => (fwd ? a - b : b - a));
        derivs[names[seed]] = Object.fromEntries(order.map((v) => [names[v], jnum(s.d.get(v))]));
        for (const o of outs) for (const i of ins) {
          if (fwd && seed === i) jac.get(o).set(i, s.d.get(o) ?? 0);
          if (!fwd && seed === o) jac.get(o).set(i, s.d.get(i) ?? 0);
        }
      }
    } else if (mode === "paths") {
      const sums = pathSums(lin, ins, outs);
      for (const o of outs) {
        counts[names[o]] = {};
        for (const i of ins) {
          const row = sums.get(i), c = countPaths(i, o);
          jac.get(o).set(i, row.tot.get(o) ?? 0);
          counts[names[o]][names[i]] = Number(c) <= Number.MAX_SAFE_INTEGER ? Number(c) : c.toString();
          mults += row.mults.get(o) ?? 0; adds += c > 0n ? Number(c - 1n) : 0;
        }
        derivs[names[o]] = Object.fromEntries(ins.map((i) => [names[i], jnum(jac.get(o).get(i))]));
      }
    } else throw new GraphdiffError(`mode must be one of reverse, forward, paths`);
    const doc = {
      mode, jacobian: Object.fromEntries(outs.map((o) => [names[o], Object.fromEntries(ins.map((i) => [names[i], jnum(jac.get(o).get(i))]))])),
      derivatives: derivs, operations: { sweeps, multiplications: mults, additions: adds },
      values: Object.fromEntries(outs.map((o) => [names[o], jnum(lin.vals[o])])),
    };
    if (mode === "paths") doc.path_counts = counts;
    if (opts.trace) doc.trace = steps(lin, mode, kept, outs, ins, jac);
    return Object.assign(doc, diagnostics(lin));
  }
  function listPaths(s, t, limit) {  // paths.py iter_paths: depth first, edges in the order of their targets
    const found = [];
    if (s > t) return found;
    if (s === t) { found.push([]); return found; }
    const alive = ancestors([t]);
    if (!alive[s]) return found;
    const outs = new Map();
    for (let k = E.start[s + 1]; k < E.start[t + 1]; k++) {
      const a = E.src[k];
      if (a >= s && alive[a] && alive[E.dst[k]]) { if (!outs.has(a)) outs.set(a, []); outs.get(a).push(k); }
    }
    const path = [], stack = [[outs.get(s) || [], 0]];
    while (stack.length && (limit == null || found.length < limit)) {
      const top = stack[stack.length - 1];
      if (top[1] >= top[0].length) { stack.pop(); if (path.length) path.pop(); continue; }
      const k = top[0][top[1]++];
      path.push(k);
      if (E.dst[k] === t) { found.push(path.slice()); path.pop(); } else stack.push([outs.get(E.dst[k]) || [], 0]);
    }
    return found;
  }
  function pathsDoc(from, to, opts = {}) {
    const s = node(from), t = node(to), limit = opts.limit == null ? 20 : opts.limit;
    const count = countPaths(s, t);
    const doc = { from: names[s], to: names[t], count: count <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(count) : count };
    if (count === 0n && s !== t) { const other = countPaths(t, s); if (other) doc.count_other_way = Number(other); }
    const lin = run(current(), true);
    doc.paths = listPaths(s, t, limit).map((p) => {
      const factors = p.map((k) => lin.partials[k]);
      let prod = 1.0; for (const f of factors) prod *= f;
      return { nodes: [names[s], ...p.map((k) => names[E.dst[k]])], factors: factors.map(jnum), product: jnum(prod) };
    });
    const on = edgesBetween(s, t);
    const factored = { multiplications: on.length, additions: on.length - new Set(on.map((k) => E.dst[k])).size };
    const maxPaths = opts.max_paths == null ? 100000 : opts.max_paths;
    if (count <= BigInt(maxPaths)) {
      let sum = 0.0, mults = 0;
      for (const p of listPaths(s, t, null)) { let prod = 1.0; for (const k of p) prod *= lin.partials[k]; sum += prod; mults += Math.max(p.length - 1, 0); }
      doc.sum = jnum(sum); doc.sum_method = "paths";
      doc.naive = { multiplications: mults, additions: count > 0n ? Number(count - 1n) : 0 };
    } else {
      const r = sweep(lin, t, false);
      doc.sum = jnum(r.d.get(s) ?? 0); doc.sum_method = "reverse";
      const lengths = pathLengths(s);
      doc.naive = { multiplications: (lengths.len[t] - count).toString(), additions: (count - 1n).toString() };
    }
    doc.factored = factored;
    return Object.assign(doc, diagnostics(lin));
  }
  function edgesBetween(s, t) {
    const down = new Uint8Array(N); down[s] = 1;
    for (let k = 0; k < nE; k++) if (down[E.src[k]]) down[E.dst[k]] = 1;
    const up = ancestors([t]);
    const on = [];
    for (let k = 0; k < nE; k++) if (down[E.src[k]] && up[E.dst[k]] && E.src[k] >= s) on.push(k);
    return on;
  }
  function pathLengths(s) {
    const n = new Array(N).fill(0n), len = new Array(N).fill(0n); n[s] = 1n;
    for (let k = 0; k < nE; k++) { const a = E.src[k], b = E.dst[k]; if (n[a]) { n[b] += n[a]; len[b] += len[a] + n[a]; } }
    return { n, len };
  }

  // ---- traces (trace.py) -----------------------------------------------------------------------------------
  function stepText(st, digits) {
    const terms = st.terms.slice(0, 20);
    const more = st.terms.length > terms.length ? ` + … (${(st.terms.length - terms.length).toLocaleString("en-US")} more terms)` : "";
    const symbols = terms.map((t) => t.symbols.join("·")).join(" + ") + more;
    const values = terms.map((t) => t.factors.map((f) => factor(f, digits)).join("·")).join(" + ") + more;
    return `${st.lhs} = ${symbols} = ${values} = ${sig(st.sum, digits)}`;
  }
  function steps(lin, mode, sweeps, outs, ins, jac) {
    const list = [];
    if (mode === "reverse") {
      for (const s of sweeps) {
        const o = names[s.seed];
        for (const v of [...s.d.keys()].sort((a, b) => b - a)) {
          if (v === s.seed) continue;
          const terms = out[v].filter((k) => s.d.has(E.dst[k])).map((k) => {
            const w = E.dst[k];
            return { via: names[w], symbols: [total(o, names[w]), partial(names[w], names[v])], factors: [s.d.get(w), lin.partials[k]], product: s.d.get(w) * lin.partials[k] };
          });
          list.push({ seed: o, node: names[v], lhs: total(o, names[v]), terms, sum: s.d.get(v) });
        }
      }
    } else if (mode === "forward") {
      for (const s of sweeps) {
        const x = names[s.seed];
        for (const v of [...s.d.keys()].sort((a, b) => a - b)) {
          if (v === s.seed) continue;
          const terms = [];
          for (let k = E.start[v]; k < E.start[v + 1]; k++) {
            const u = E.src[k];
            if (s.d.has(u)) terms.push({ via: names[u], symbols: [partial(names[v], names[u]), total(names[u], x)], factors: [lin.partials[k], s.d.get(u)], product: lin.partials[k] * s.d.get(u) });
          }
          list.push({ seed: x, node: names[v], lhs: total(names[v], x), terms, sum: s.d.get(v) });
        }
      }
    } else {
      for (const o of outs) for (const i of ins) {
        if (i === o) continue;
        const terms = listPaths(i, o, null).map((p) => {
          const nodes = [i, ...p.map((k) => E.dst[k])];
          const factors = p.map((k) => lin.partials[k]);
          let prod = 1.0; for (const f of factors) prod *= f;
          return { via: nodes.map((v) => names[v]).join(" → "), symbols: p.map((k) => partial(names[E.dst[k]], names[E.src[k]])), factors, product: prod };
        });
        if (terms.length) list.push({ seed: names[o], node: names[i], lhs: total(names[o], names[i]), terms, sum: jac.get(o).get(i) });
      }
    }
    return list.map((st) => ({ seed: st.seed, node: st.node, terms: st.terms.map((t) => ({ via: t.via, symbols: t.symbols.join("·"), factors: t.factors.map(jnum), product: jnum(t.product) })), sum: jnum(st.sum), text: stepText(st, null), _step: st }));
  }

  // ---- the public API --------------------------------------------------------------------------------------
  function set(name, value) {
    const v = Number(value);
    if (M.vectors[name]) { const [s, n] = M.vectors[name]; for (let i = s; i < s + n; i++) inputValues[i] = v; }
    else {
      const i = node(name);
      if (M.nodes[i].op !== "input") throw new GraphdiffError(`cannot set '${name}': it is a computed node, not an input`);
      inputValues[i] = v;
    }
    refresh();
    return evalDoc();
  }
  const api = {
    set, eval: evalDoc, grad: (mode, opts) => strip(gradDoc(mode, opts || {})), paths: pathsDoc,
    cost: () => JSON.parse(JSON.stringify(M.cost)), edges: edgesDoc, version: M.version,
  };
  function strip(doc) { if (doc.trace) doc.trace.forEach((s) => delete s._step); return doc; }
  function edgesDoc() {
    const lin = run(current(), true);
    const o = { edges: [] };
    for (let k = 0; k < nE; k++) o.edges.push({ from: names[E.src[k]], to: names[E.dst[k]], partial: jnum(lin.partials[k]), formula: M.formulas[k], arg: E.arg[k] });
    return Object.assign(o, diagnostics(lin));
  }
  window.graphdiff = api;

  // ---- the interface ---------------------------------------------------------------------------------------
  const $ = (sel) => document.querySelector(sel);
  const NS = "http://www.w3.org/2000/svg";
  const svg = $("#graph"), world = $("#world"), viewport = $("#viewport"), tip = $("#tip");
  const state = { view: "values", seed: null, step: 0, trace: [], playing: null, from: null, to: null, selected: null,
                  found: null, pathPage: 0, pathPick: 0 };
  const DIGITS = 6;
  const SCALE = 72;             // pixels per inch of graphdiff's layout
  const LABEL_PX = 12, READABLE_PX = 11, EDGE_PX = 10, MIN_EDGE_PX = 7;  // node labels, the smallest readable,
  // edge labels on screen and the smallest shown
  const SMALL = 60;             // up to this many nodes the page opens with readable labels, come what may
  const PAGE = 50;              // paths listed a page at a time
  const MAX_ROWS = 200;         // input controls shown before the filter is needed
  const picture = N > 0;        // the whole graph, or on a big page the neighbourhood of one node
  const whole = !M.reduced;
  const NEAR = { up: 2, down: 1, most: 36 };  // a neighbourhood: operands two deep, users one deep, at most 36 nodes
  // what is drawn, by node and edge index (sparse on a big page): elements, boxes [x0, y0, x1, y1] and edge
  // polylines in world pixels
  let nodeEls = [], valueEls = [], titleEls = [], edgeEls = [], labelEls = [], baseCls = [];
  let nodeMarks = [], edgeLook = [];  // the last refresh's extra classes by node, [class, arrowhead] by edge
  let boxes = [], curves = [];
  let WW = 0, WH = 0, centre = null;  // the drawing's size; the node a neighbourhood is drawn around
  const edgeText = new Array(nE).fill(""), edgeFirst = new Set();
  let last = null;  // the last refresh's evaluation and derivatives shown: what a tooltip reads, when asked
  const zoom = { s: 1, tx: 0, ty: 0 };
  const VIEW_TEXT = {
    values: "Computational graphs are a nice way to think about mathematical expressions: every node is a value computed from the nodes below it. Change an input and every value follows.",
    partials: "The key is to understand derivatives on the edges: the label on each edge is the partial derivative of the node above with respect to the node below, at this point.",
    forward: "Forward-mode differentiation starts at an input to the graph and moves towards the end. At every node, it sums all the paths feeding in.",
    reverse: "Reverse-mode differentiation starts at an output of the graph and moves towards the beginning. At each node, it merges all paths which originated at that node.",
    paths: "The general rule is to sum over all possible paths from one node to the other, multiplying the derivatives on each edge of the path together.",
    cost: "Forward mode costs a sweep per input, reverse mode a sweep per output; summing over paths naively costs a product per path.",
  };

  // ---- drawing: boxes, edges, texts that fit --------------------------------------------------------------
  function el(tag, attrs, parent) {
    const e = document.createElementNS(NS, tag);
    for (const [a, v] of Object.entries(attrs || {})) e.setAttribute(a, v);
    if (parent) parent.appendChild(e);
    return e;
  }
  function fitText(t, text, width) {  // the text, shortened with … until it fits ``width`` pixels
    t.textContent = text;
    if (t.getComputedTextLength() <= width) return text;
    let lo = 1, hi = text.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      t.textContent = text.slice(0, mid) + "…";
      if (t.getComputedTextLength() <= width) lo = mid; else hi = mid - 1;
    }
    t.textContent = text.slice(0, lo) + "…";
    return t.textContent;
  }
  function wholeScene() {  // graphdiff's layout of every node (inches, y up) in world pixels (y down)
    const H = M.height * SCALE, pos = new Map(), lines = new Map();
    M.nodes.forEach((n, i) => pos.set(i, { x: n.x * SCALE, y: H - n.y * SCALE, w: n.w * SCALE, h: n.h * SCALE }));
    for (let k = 0; k < nE; k++) lines.set(k, M.curves[k].map(([x, y]) => [x * SCALE, H - y * SCALE]));
    return { pos, lines, width: M.width * SCALE, height: H };
  }
  function nearScene(f) {  // node f, its operands two deep and its users one deep, in rows by distance
    const depth = new Map([[f, 0]]);
    let frontier = [f];
    for (let d = 1; d <= NEAR.up && depth.size < NEAR.most; d++) {
      const next = [];
      for (const v of frontier) for (let k = E.start[v]; k < E.start[v + 1] && depth.size < NEAR.most; k++)
        if (!depth.has(E.src[k])) { depth.set(E.src[k], -d); next.push(E.src[k]); }
      frontier = next;
    }
    for (const k of out[f]) { if (depth.size >= NEAR.most + 8) break; if (!depth.has(E.dst[k])) depth.set(E.dst[k], 1); }
    const rows = new Map();
    for (const [v, d] of depth) { if (!rows.has(d)) rows.set(d, []); rows.get(d).push(v); }
    const pos = new Map(), gap = 18, rowH = 40, between = 34;
    const widthOf = (v) => Math.max(90, Math.min(M.nodes[v].label.length, 28) * 6.6 + 18);
    const ds = [...rows.keys()].sort((a, b) => b - a);  // users at the top, then f, then its operands
    let widest = 0;
    for (const d of ds) widest = Math.max(widest, rows.get(d).reduce((a, v) => a + widthOf(v) + gap, -gap));
    ds.forEach((d, r) => {
      const row = rows.get(d).sort((a, b) => a - b);
      let x = (widest - row.reduce((a, v) => a + widthOf(v) + gap, -gap)) / 2;
      for (const v of row) { const w = widthOf(v); pos.set(v, { x: x + w / 2 + 20, y: 20 + rowH / 2 + r * (rowH + between), w, h: rowH }); x += w + gap; }
    });
    const lines = new Map(), drawn = [];
    for (let k = 0; k < nE; k++) {  // only edges that go up a row between two drawn nodes
      const a = pos.get(E.src[k]), b = pos.get(E.dst[k]);
      if (a && b && a.y > b.y) drawn.push(k);
    }
    const port = (end, far) => {  // a box spreads its edges along its side in the order of their far ends
      const by = new Map(), at = new Map();
      for (const k of drawn) { const v = end(k); if (!by.has(v)) by.set(v, []); by.get(v).push(k); }
      for (const [v, ks] of by) {
        ks.sort((p, q) => pos.get(far(p)).x - pos.get(far(q)).x || p - q);
        const span = Math.min(pos.get(v).w * 0.6, 16 * (ks.length - 1));
        ks.forEach((k, j) => at.set(k, pos.get(v).x + (ks.length > 1 ? span * (j / (ks.length - 1) - 0.5) : 0)));
      }
      return at;
    };
    const outX = port((k) => E.src[k], (k) => E.dst[k]), inX = port((k) => E.dst[k], (k) => E.src[k]);
    for (const k of drawn) {
      const a = pos.get(E.src[k]), b = pos.get(E.dst[k]);
      const p0 = [outX.get(k), a.y - a.h / 2], p1 = [inX.get(k), b.y + b.h / 2], m = (p0[1] - p1[1]) / 2, pts = [];
      for (let j = 0; j <= 8; j++) {  // a cubic that leaves and arrives vertically, as the layout draws them
        const t = j / 8, u = 1 - t;
        pts.push([u * u * u * p0[0] + 3 * u * u * t * p0[0] + 3 * u * t * t * p1[0] + t * t * t * p1[0],
                  u * u * u * p0[1] + 3 * u * u * t * (p0[1] - m) + 3 * u * t * t * (p1[1] + m) + t * t * t * p1[1]]);
      }
      lines.set(k, pts);
    }
    return { pos, lines, width: widest + 40, height: 40 + ds.length * (rowH + between) - between };
  }
  function draw(scene) {
    world.textContent = "";
    nodeEls = []; valueEls = []; titleEls = []; edgeEls = []; labelEls = []; boxes = []; curves = [];
    baseCls = [];
    WW = scene.width; WH = scene.height;
    const gEdges = el("g", { class: "edges" }, world), gHits = el("g", { class: "hits" }, world);
    const gNodes = el("g", { class: "nodes" }, world), gLabels = el("g", { class: "edge-labels" }, world);
    for (const [k, pts] of scene.lines) {
      curves[k] = pts;
      const text = pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
      const pl = el("polyline", { points: text, class: "edge", "marker-end": "url(#arrow)" }, gEdges);
      pl.dataset.edge = k; pl.dataset.from = names[E.src[k]]; pl.dataset.to = names[E.dst[k]];
      edgeEls[k] = pl;
      const hit = el("polyline", { points: text, class: "hit" }, gHits);
      hit.addEventListener("pointerenter", (e) => showTip(e, edgeTip(k)));
      hit.addEventListener("pointermove", (e) => showTip(e, edgeTip(k)));
      hit.addEventListener("pointerleave", hideTip);
      const t = el("text", { class: "edge-label" }, gLabels);
      t.dataset.edge = k; labelEls[k] = t;
    }
    for (const [i, p] of scene.pos) {
      const n = M.nodes[i];
      baseCls[i] = `node${n.op === "input" ? " input" : ""}${M.outputs.includes(i) ? " output" : ""}${n.kind === "anon" ? " anon" : ""}`;
      const g = el("g", { class: baseCls[i], tabindex: "0", role: "button", "aria-label": n.label }, gNodes);
      g.dataset.node = n.name;
      const x = p.x - p.w / 2, y = p.y - p.h / 2;
      boxes[i] = [x, y, x + p.w, y + p.h];
      titleEls[i] = el("title", {}, g);
      el("rect", { x, y, width: p.w, height: p.h, rx: 6 }, g);
      const t1 = el("text", { x: p.x, y: y + p.h * 0.36, class: "label" }, g);
      fitText(t1, n.label, p.w - 8);
      const t2 = el("text", { x: p.x, y: y + p.h * 0.76, class: "value" }, g);
      nodeEls[i] = g; valueEls[i] = t2;
      g.addEventListener("click", () => { if (!dragged) select_(i); });
      g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select_(i); } });
      g.addEventListener("focus", () => bringIntoView(i));
      g.addEventListener("pointerenter", () => { titleEls[i].textContent = nodeTip(i); });
    }
  }
  function around(i) {  // a big page: draw the neighbourhood of node i and fit it
    centre = i;
    draw(nearScene(i));
    svg.dataset.centre = names[i];
    refresh();
    fitAll();
  }
  const MONO = 0.61;  // a monospace glyph's advance, in ems
  function valueText(i, prefix, v, cls) {  // "= 0.25": as many digits as the box holds, never a split number
    const room = (boxes[i][2] - boxes[i][0] - 6) / (11 * MONO);
    let text = prefix + sig(v, DIGITS);
    for (let d = DIGITS - 1; text.length > room && d >= 2 && Number.isFinite(v); d--) text = prefix + sig(v, d);
    if (valueEls[i].textContent !== text) valueEls[i].textContent = text;
    const c = "value" + (cls ? " " + cls : "");
    if (valueEls[i].getAttribute("class") !== c) valueEls[i].setAttribute("class", c);
  }

  // ---- zoom and pan ----------------------------------------------------------------------------------------
  let dragged = false, moved = false;  // a drag in progress; the reader has zoomed or panned
  function apply() {
    world.setAttribute("transform", `translate(${zoom.tx.toFixed(2)},${zoom.ty.toFixed(2)}) scale(${zoom.s.toFixed(5)})`);
    svg.dataset.scale = zoom.s.toFixed(5);
    scheduleLabels();
  }
  function area() {
    const r = viewport.getBoundingClientRect();
    const legend = $("#legend").offsetHeight || 0;  // the picture is fitted above the legend
    return { w: r.width, h: r.height, bottom: legend ? legend + 12 : 0 };
  }
  function fitScale() {
    const a = area(), m = 16;
    return Math.min((a.w - 2 * m) / Math.max(WW, 1), (a.h - 2 * m - a.bottom) / Math.max(WH, 1), 2);
  }
  function fitAll() {
    const a = area(), s = fitScale();
    zoom.s = s; zoom.tx = (a.w - WW * s) / 2; zoom.ty = Math.max(16, (a.h - a.bottom - WH * s) / 2);
    apply();
  }
  function clampPan() {  // keep the drawing on screen: no panning into empty space beyond its edges
    const a = area(), m = 40;
    const w = WW * zoom.s, h = WH * zoom.s;
    zoom.tx = w + 2 * m <= a.w ? Math.min(Math.max(zoom.tx, m), a.w - w - m) : Math.min(Math.max(zoom.tx, a.w - w - m), m);
    zoom.ty = h + 2 * m <= a.h ? Math.min(Math.max(zoom.ty, m), a.h - h - m) : Math.min(Math.max(zoom.ty, a.h - h - m - a.bottom), m);
  }
  function initialView() {  // the whole graph when its labels stay readable, else a readable part with the outputs
    if (!whole || fitScale() * LABEL_PX >= READABLE_PX) { fitAll(); svg.dataset.fit = "all"; return; }
    svg.dataset.fit = "part";
    const a = area(), m = 16;
    const outs = M.outputs.length ? M.outputs : [N - 1];
    const x0 = Math.min(...outs.map((i) => boxes[i][0])), x1 = Math.max(...outs.map((i) => boxes[i][2]));
    const y0 = Math.min(...outs.map((i) => boxes[i][1])), y1 = Math.max(...outs.map((i) => boxes[i][3]));
    // readable; on a big graph smaller where that brings every output into view (never smaller than the whole)
    const outputs = Math.min((a.w - 2 * m) / (x1 - x0), (a.h - a.bottom - 2 * m) / (y1 - y0));
    const s = N <= SMALL ? READABLE_PX / LABEL_PX : Math.max(fitScale(), Math.min(READABLE_PX / LABEL_PX, outputs));
    zoom.s = s;
    zoom.tx = a.w / 2 - ((x0 + x1) / 2) * s;
    zoom.ty = m + 8 - y0 * s;
    clampPan();
    apply();
  }
  function zoomAt(px, py, f) {
    const s = Math.min(Math.max(zoom.s * f, 0.02), 8);
    zoom.tx = px - (px - zoom.tx) * (s / zoom.s); zoom.ty = py - (py - zoom.ty) * (s / zoom.s); zoom.s = s;
    apply();
  }
  function zoomCentre(f) { const a = area(); zoomAt(a.w / 2, (a.h - a.bottom) / 2, f); }
  function actualSize() { const a = area(); zoomAt(a.w / 2, (a.h - a.bottom) / 2, 1 / zoom.s); }
  function inView(i, margin = 8) {
    const a = area(), b = boxes[i];
    const x0 = b[0] * zoom.s + zoom.tx, x1 = b[2] * zoom.s + zoom.tx, y0 = b[1] * zoom.s + zoom.ty, y1 = b[3] * zoom.s + zoom.ty;
    return x0 >= margin && y0 >= margin && x1 <= a.w - margin && y1 <= a.h - a.bottom - margin;
  }
  function bringIntoView(i, readable = false) {  // readable: and zoomed in until its label can be read
    if (!picture || i == null) return;
    if (!whole && !boxes[i]) { around(i); return; }  // a big page moves its neighbourhood to the node
    const small = readable && zoom.s * LABEL_PX < READABLE_PX - 1e-9;
    if (inView(i, 24) && !small) return;
    if (small) zoom.s = READABLE_PX / LABEL_PX;
    const a = area(), b = boxes[i];
    if ((b[2] - b[0]) * zoom.s > a.w - 48) zoom.s = (a.w - 48) / (b[2] - b[0]);
    zoom.tx = a.w / 2 - ((b[0] + b[2]) / 2) * zoom.s;
    zoom.ty = (a.h - a.bottom) / 2 - ((b[1] + b[3]) / 2) * zoom.s;
    clampPan();  // centred, unless that would show empty space beside the drawing
    apply();
  }
  function focus() {  // the node the reader is looking at: the current step's, else the selected or found one
    const cur = (state.view === "forward" || state.view === "reverse") ? state.trace[state.step - 1] : null;
    return cur ? index.get(cur.node) : state.selected ?? state.found;
  }
  function panBy(dx, dy) { moved = true; zoom.tx += dx; zoom.ty += dy; apply(); }
  function foldLegend() {  // a small window keeps the legend folded
    const r = viewport.getBoundingClientRect();
    $("#legend").open = r.width >= 700 && r.height >= 450;
  }
  function zoomControls() {
    viewport.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = viewport.getBoundingClientRect();
      zoomAt(e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * (e.deltaMode ? 0.05 : 0.0015)));
    }, { passive: false });
    let start = null;
    viewport.addEventListener("pointerdown", (e) => {
      if (e.button !== 0 || e.target.closest("button, #legend")) return;
      start = { x: e.clientX, y: e.clientY, tx: zoom.tx, ty: zoom.ty, id: e.pointerId }; dragged = false;
    });
    viewport.addEventListener("pointermove", (e) => {
      if (!start || e.pointerId !== start.id) return;
      const dx = e.clientX - start.x, dy = e.clientY - start.y;
      if (!dragged && Math.hypot(dx, dy) > 4) { dragged = true; viewport.classList.add("dragging"); viewport.setPointerCapture(e.pointerId); }
      if (dragged) { moved = true; zoom.tx = start.tx + dx; zoom.ty = start.ty + dy; apply(); }
    });
    const end = () => { start = null; viewport.classList.remove("dragging"); setTimeout(() => { dragged = false; }, 0); };
    viewport.addEventListener("pointerup", end);
    viewport.addEventListener("pointercancel", end);
    $("#zoom-in").addEventListener("click", () => zoomCentre(1.25));
    $("#zoom-out").addEventListener("click", () => zoomCentre(0.8));
    $("#fit").addEventListener("click", fitAll);
    $("#actual").addEventListener("click", actualSize);
    let size = [viewport.clientWidth, viewport.clientHeight];
    new ResizeObserver(() => {  // a new window size: fitted again until the reader zooms or pans
      const now = [viewport.clientWidth, viewport.clientHeight];
      if (now[0] === size[0] && now[1] === size[1]) return;
      size = now;
      if (!moved) { foldLegend(); initialView(); } else scheduleLabels();
      bringIntoView(focus(), focus() != null && focus() !== state.selected);
    }).observe(viewport);
    viewport.addEventListener("wheel", () => { moved = true; }, { passive: true });
    for (const id of ["#zoom-in", "#zoom-out", "#fit", "#actual"]) $(id).addEventListener("click", () => { moved = true; });
  }
  function edgeTip(k) {
    return last ? `${partial(names[E.dst[k]], names[E.src[k]])} = ${M.formulas[k]} = ${sig(last.lin.partials[k], DIGITS)}` : "";
  }
  function nodeTip(i) {
    if (!last) return M.nodes[i].label;
    const n = M.nodes[i], d = last.shown[i], seed = names[state.seed];
    return `${n.label}\nvalue ${fmtNum(last.lin.vals[i])}` +
      (d ? `\n${state.view === "forward" ? total(n.name, seed) : total(seed, n.name)} = ${sig(d[1], DIGITS)}` : "");
  }
  function showTip(e, text) {
    if (!text) return;
    const r = viewport.getBoundingClientRect();
    tip.textContent = text; tip.hidden = false;
    tip.style.left = Math.min(e.clientX - r.left + 12, r.width - tip.offsetWidth - 4) + "px";
    tip.style.top = (e.clientY - r.top + 14) + "px";
  }
  function hideTip() { tip.hidden = true; }

  // ---- edge labels: along their edges, never over a box or another label; the rest on hover -----------
  let labelTimer = null;
  function scheduleLabels() { if (labelTimer == null) labelTimer = requestAnimationFrame(() => { labelTimer = null; placeLabels(); }); }
  function pointAt(pts, frac) {
    let total = 0;
    const seg = [];
    for (let j = 1; j < pts.length; j++) { const d = Math.hypot(pts[j][0] - pts[j - 1][0], pts[j][1] - pts[j - 1][1]); seg.push(d); total += d; }
    let want = total * frac;
    for (let j = 0; j < seg.length; j++) {
      if (want <= seg[j] || j === seg.length - 1) {
        const f = seg[j] ? Math.min(want / seg[j], 1) : 0;
        return [pts[j][0] + (pts[j + 1][0] - pts[j][0]) * f, pts[j][1] + (pts[j + 1][1] - pts[j][1]) * f];
      }
      want -= seg[j];
    }
    return pts[0];
  }
  function placeLabels() {
    if (!picture) return;
    // labels grow with the zoom up to EDGE_PX on screen and stay there; below MIN_EDGE_PX they wait for a zoom in
    const s = zoom.s, font = EDGE_PX / Math.max(s, 1), pad = 2 / s;
    const order = [];
    for (let k = 0; k < nE; k++) if (edgeText[k] && labelEls[k]) order.push(k);
    labelEls.forEach((t) => { if (t.getAttribute("display") !== "none") t.setAttribute("display", "none"); });
    svg.dataset.labelsShown = 0;
    svg.dataset.labelsHidden = order.length;
    if (font * s < MIN_EDGE_PX || !order.length) return;
    const cell = Math.max(40, font * 12);
    const grid = new Map();
    const key = (cx, cy) => cx + "," + cy;
    const cellsOf = (b) => {
      const out = [];
      for (let cx = Math.floor(b[0] / cell); cx <= Math.floor(b[2] / cell); cx++)
        for (let cy = Math.floor(b[1] / cell); cy <= Math.floor(b[3] / cell); cy++) out.push(key(cx, cy));
      return out;
    };
    const add = (b) => { for (const c of cellsOf(b)) { if (!grid.has(c)) grid.set(c, []); grid.get(c).push(b); } };
    const clashes = (b) => {
      for (const c of cellsOf(b)) for (const o of grid.get(c) || [])
        if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) return true;
      return false;
    };
    boxes.forEach((b) => add([b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad]));
    const a = area();
    const seen = [(-zoom.tx) / s, (-zoom.ty) / s, (a.w - zoom.tx) / s, (a.h - zoom.ty) / s];
    order.sort((p, q) => (edgeFirst.has(q) - edgeFirst.has(p)) || (E.dst[p] - E.dst[q]) || (p - q));
    let shown = 0;
    for (const k of order) {
      const t = labelEls[k];
      t.textContent = edgeText[k];
      t.style.fontSize = font.toFixed(3) + "px";
      t.setAttribute("display", "inline");
      const len = t.getComputedTextLength();
      const pts = curves[k];
      let placed = false;
      for (const frac of [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.45, 0.55, 0.15, 0.85]) {
        const [cx, cy] = pointAt(pts, frac);
        const b = [cx - len / 2 - pad, cy - font * 0.65 - pad, cx + len / 2 + pad, cy + font * 0.65 + pad];
        if (b[2] < seen[0] || b[0] > seen[2] || b[3] < seen[1] || b[1] > seen[3]) continue;
        if (clashes(b)) continue;
        add(b); t.setAttribute("x", cx.toFixed(1)); t.setAttribute("y", cy.toFixed(1));
        placed = true; shown++;
        break;
      }
      if (!placed) t.setAttribute("display", "none");
    }
    svg.dataset.labelsShown = shown;
    svg.dataset.labelsHidden = order.length - shown;
  }

  // ---- the legend and the introduction ---------------------------------------------------------------------
  const SWATCH = {
    input: '<rect x="2" y="2" width="22" height="10" rx="3" fill="#dbe8f6" stroke="#333"/>',
    output: '<rect x="2" y="2" width="22" height="10" rx="3" fill="#fde3c8" stroke="#333"/>',
    anon: '<rect x="2" y="2" width="22" height="10" rx="3" fill="#fff" stroke="#333" stroke-dasharray="4 3"/>',
    fault: '<rect x="2" y="2" width="22" height="10" rx="3" fill="#ffd6d6" stroke="#c00" stroke-width="2"/>',
    visited: '<rect x="2" y="2" width="22" height="10" rx="3" fill="#fff" stroke="#2a6fdb" stroke-width="2"/>',
    current: '<rect x="2" y="2" width="22" height="10" rx="3" fill="#fff" stroke="#d9480f" stroke-width="3"/>',
    grey: '<rect x="2" y="2" width="22" height="10" rx="3" fill="#fff" stroke="#bbb"/>',
    hot: '<path d="M1 7 H22" stroke="#d9480f" stroke-width="2.4"/><path d="M20 3 L26 7 L20 11 z" fill="#d9480f"/>',
    edge: '<path d="M1 7 H22" stroke="#666" stroke-width="1.2"/><path d="M20 3 L26 7 L20 11 z" fill="#666"/>',
    selected: '<rect x="2" y="2" width="22" height="10" rx="3" fill="#fff" stroke="#000" stroke-width="3"/>',
  };
  function legend() {
    const items = [["input", "input"], ["output", "output"], ["anon", "unnamed subexpression"]];
    const v = state.view;
    if (v === "partials") items.push(["edge", "label: ∂(head)/∂(tail) here (hover an edge, or zoom in, for the rest)"]);
    if (v === "forward" || v === "reverse") {
      items.push(["visited", `reached: d = d${v === "forward" ? "(node)/d(seed)" : "(seed)/d(node)"} so far`],
                 ["current", "this step"], ["hot", "this step's factors"], ["grey", "not reached: value in grey"]);
    }
    if (v === "paths") items.push(["hot", "the selected path"], ["edge", "other paths between the two"]);
    if (state.selected != null) items.push(["selected", "selected node"]);
    items.push(["fault", "fault (NaN or infinite)"]);
    $("#legend-keys").innerHTML = items.map(([k, t]) => `<span class="key"><svg viewBox="0 0 28 14" aria-hidden="true">${SWATCH[k]}</svg>${escapeHtml(t)}</span>`).join("");
  }
  function intro() {  // the program's first sentence (whole on hover), then the essay's sentence for the view
    const own = (M.intro || "").trim();
    let first = own.split(/(?<=[^.][.!?])\s/)[0];  // a sentence's end, not an ellipsis
    if (first.length > 120) first = first.slice(0, 119) + "…";
    else if (first && !/[.!?…]$/.test(first)) first += ".";
    $("#intro").textContent = (first ? first + " " : "") + VIEW_TEXT[state.view];
    $("#intro").title = own;
  }

  // ---- the controls ----------------------------------------------------------------------------------------
  function inputRow(i) {
    const n = M.nodes[i];
    const row = document.createElement("div"); row.className = "input-row"; row.dataset.name = n.name;
    const id = `in-${i}`;
    const lab = document.createElement("label"); lab.htmlFor = id; lab.textContent = n.name; lab.title = n.name;
    const num = document.createElement("input"); num.type = "number"; num.step = "any"; num.id = id;
    num.value = Number.isNaN(inputValues[i]) ? "" : String(inputValues[i]); num.dataset.input = n.name;
    const lo = Math.min(-1, Number.isFinite(inputValues[i]) ? inputValues[i] - 2 * Math.max(1, Math.abs(inputValues[i])) : -5);
    const hi = Math.max(1, Number.isFinite(inputValues[i]) ? inputValues[i] + 2 * Math.max(1, Math.abs(inputValues[i])) : 5);
    const sl = document.createElement("input"); sl.type = "range"; sl.min = lo; sl.max = hi; sl.step = (hi - lo) / 400;
    sl.value = Number.isFinite(inputValues[i]) ? inputValues[i] : 0; sl.dataset.input = n.name; sl.setAttribute("aria-label", `${n.name} slider`);
    num.addEventListener("input", () => { if (num.value !== "" && Number.isFinite(+num.value)) { sl.value = num.value; inputValues[i] = +num.value; refresh(); } });
    sl.addEventListener("input", () => { num.value = sl.value; inputValues[i] = +sl.value; refresh(); });
    row.append(lab, num, sl);
    return row;
  }
  function inputControls() {  // vectors as one group with their elements in order; a filter for the rest
    const box = $("#inputs");
    const vectorOf = new Map();
    for (const [name, [s, n]] of Object.entries(M.vectors)) for (let i = s; i < s + n; i++) vectorOf.set(i, name);
    const rows = [];  // [names it answers to, element]
    const done = new Set();
    for (const i of M.inputs) {
      const v = vectorOf.get(i);
      if (v === undefined) { rows.push({ names: [names[i]], make: () => inputRow(i) }); continue; }
      if (done.has(v)) continue;
      done.add(v);
      const [s, n] = M.vectors[v];
      const members = Array.from({ length: n }, (_, j) => s + j);
      rows.push({ names: [v, ...members.map((j) => names[j])], make: (filter) => {
        const d = document.createElement("details"); d.className = "vector"; d.dataset.name = v;
        const sum = document.createElement("summary"); sum.textContent = `${v}[${n}]`;
        d.appendChild(sum);
        const shown = members.filter((j) => !filter || names[j].toLowerCase().includes(filter) || v.toLowerCase().includes(filter));
        shown.slice(0, MAX_ROWS).forEach((j) => d.appendChild(inputRow(j)));
        if (shown.length > MAX_ROWS) { const p = document.createElement("p"); p.className = "more"; p.textContent = `${(shown.length - MAX_ROWS).toLocaleString("en-US")} more elements: filter to find one`; d.appendChild(p); }
        d.open = n <= 8 || Boolean(filter);
        return d;
      } });
    }
    const render = () => {
      const filter = $("#filter").value.trim().toLowerCase();
      box.innerHTML = "";
      const match = rows.filter((r) => !filter || r.names.some((x) => x.toLowerCase().includes(filter)));
      match.slice(0, MAX_ROWS).forEach((r) => box.appendChild(r.make(filter)));
      if (match.length > MAX_ROWS) {
        const p = document.createElement("p"); p.className = "more";
        p.textContent = `${(match.length - MAX_ROWS).toLocaleString("en-US")} more inputs: type a name in the filter`;
        box.appendChild(p);
      }
      if (!match.length && filter) {
        const p = document.createElement("p"); p.className = "more";
        const node = names.find((x) => x.toLowerCase() === filter);
        p.textContent = node ? `no input matches; ${node} is marked in the picture` : "no input matches";
        box.appendChild(p);
      }
    };
    $("#filter").addEventListener("input", () => {
      render();
      const f = $("#filter").value.trim();
      const hit = f ? (index.has(f) ? index.get(f) : names.findIndex((x) => x.toLowerCase() === f.toLowerCase())) : -1;
      state.found = hit >= 0 ? hit : null;
      if (state.found != null) bringIntoView(state.found, true);
      marks();
    });
    render();
  }
  function controls() {
    inputControls();
    const seeds = $("#seed");
    const fill = () => {
      seeds.innerHTML = "";
      const list = state.view === "forward" ? M.inputs : M.outputs;
      for (const i of list) { const o = document.createElement("option"); o.value = names[i]; o.textContent = names[i]; seeds.appendChild(o); }
      state.seed = list.length ? list[0] : null;
    };
    document.querySelectorAll("input[name=view]").forEach((r) => r.addEventListener("change", () => {
      state.view = r.value; state.step = 0; state.selected = null; stop();
      if (r.value === "forward" || r.value === "reverse") fill();
      refresh();
    }));
    seeds.addEventListener("change", () => { state.seed = node(seeds.value); state.step = 0; refresh(); });
    for (const id of ["from", "to"]) {
      const s = $("#" + id);
      M.nodes.forEach((n) => { const o = document.createElement("option"); o.value = n.name; o.textContent = n.name; s.appendChild(o); });
      s.addEventListener("change", () => { state[id] = node(s.value); state.pathPage = 0; state.pathPick = 0; refresh(); });
    }
    state.from = M.inputs.length ? M.inputs[0] : 0; state.to = M.outputs.length ? M.outputs[M.outputs.length - 1] : N - 1;
    $("#from").value = names[state.from]; $("#to").value = names[state.to];
    $("#step").addEventListener("click", () => move(1));
    $("#back").addEventListener("click", () => move(-1));
    $("#reset").addEventListener("click", () => { stop(); state.step = 0; refresh(); });
    $("#play").addEventListener("click", () => (state.playing ? stop() : play()));
    document.addEventListener("keydown", (e) => {
      if (e.target.tagName === "INPUT" && e.target.type !== "radio") return;
      if (e.target.tagName === "SELECT") return;
      if (e.shiftKey && e.key.startsWith("Arrow")) {
        const d = 60, m = { ArrowLeft: [d, 0], ArrowRight: [-d, 0], ArrowUp: [0, d], ArrowDown: [0, -d] }[e.key];
        panBy(m[0], m[1]); e.preventDefault(); return;
      }
      if (e.key === "ArrowRight" || e.key === "n") { move(1); e.preventDefault(); }
      else if (e.key === "ArrowLeft" || e.key === "p") { move(-1); e.preventDefault(); }
      else if (e.key === "Home" || e.key === "r") { stop(); state.step = 0; refresh(); }
      else if (e.key === " " && (state.view === "forward" || state.view === "reverse")) { state.playing ? stop() : play(); e.preventDefault(); }
      else if (picture && (e.key === "+" || e.key === "=")) { moved = true; zoomCentre(1.25); }
      else if (picture && (e.key === "-" || e.key === "_")) { moved = true; zoomCentre(0.8); }
      else if (picture && e.key === "0") { moved = true; fitAll(); }
      else if (picture && e.key === "1") { moved = true; actualSize(); }
    });
  }
  function move(d) { state.step = Math.max(0, Math.min(state.trace.length, state.step + d)); refresh(); }
  function play() { $("#play").textContent = "pause"; state.playing = setInterval(() => { if (state.step >= state.trace.length) stop(); else move(1); }, 700); }
  function stop() { if (state.playing) clearInterval(state.playing); state.playing = null; $("#play").textContent = "play"; }
  function select_(i) {  // on a big page, a node chosen in its neighbourhood becomes the centre of the next one
    state.selected = i;
    if (!whole && i !== centre) { around(i); return; }
    refresh(); bringIntoView(i);
  }
  function marks() {  // every drawn node's classes: its kind, the last refresh's marks, selected and found
    nodeEls.forEach((g, i) => {
      let cls = baseCls[i];
      if (nodeMarks[i]) cls += " " + nodeMarks[i].join(" ");
      if (i === state.selected) cls += " selected";
      if (i === state.found) cls += " found";
      if (g.getAttribute("class") !== cls) g.setAttribute("class", cls);
    });
  }

  // ---- one refresh: every view from one evaluation ----------------------------------------------------------
  function refresh() {
    const t0 = performance.now();
    const lin = run(current(), true);
    const faultAt = new Map(lin.faults.map((f) => [f.node, f]));
    const view = state.view;
    nodeMarks = []; edgeLook = [];
    const mark = (i, c) => { (nodeMarks[i] ||= []).push(c); };
    edgeText.fill(""); edgeFirst.clear();
    const shown = new Array(N).fill(null);  // [prefix, number, class] for the value line
    let info = "", equation = "";
    $("#steps").hidden = !(view === "forward" || view === "reverse");
    document.body.classList.toggle("stepping", !$("#steps").hidden);
    document.body.classList.toggle("costing", view === "cost");
    $("#pathpick").hidden = view !== "paths";
    if (view === "partials") {
      for (let k = 0; k < nE; k++) {
        const f = M.formulas[k], v = sig(lin.partials[k], 4);
        edgeText[k] = f.length <= 14 && f !== v ? `${f} = ${v}` : v;
      }
    }
    if ((view === "forward" || view === "reverse") && state.seed == null) {  // a program without inputs or outputs
      state.trace = [];
      $("#stepinfo").textContent = view === "forward" ? "no inputs: forward mode has no node to start from"
        : "no outputs: reverse mode has no node to start from";
      $("#stepinfo").dataset.step = 0; $("#stepinfo").dataset.node = "";
    } else if (view === "forward" || view === "reverse") {
      const seedName = names[state.seed];
      const doc = gradDoc(view, view === "forward" ? { wrt: [seedName], of: M.outputs.map((o) => names[o]), trace: true } : { of: [seedName], trace: true });
      state.trace = doc.trace || [];
      const d = doc.derivatives[seedName] || {};
      const visited = new Set([seedName]);
      state.trace.slice(0, state.step).forEach((s) => visited.add(s.node));
      nodeEls.forEach((g, i) => {
        if (!(names[i] in d)) mark(i, "faint");
        if (visited.has(names[i])) {
          mark(i, "visited");
          shown[i] = ["d = ", typeof d[names[i]] === "number" ? d[names[i]] : NaN, "deriv"];
        } else mark(i, "unreached");
      });
      edgeEls.forEach((e, k) => { if (!(names[E.src[k]] in d) || !(names[E.dst[k]] in d)) edgeLook[k] = ["edge faint", "url(#arrow-faint)"]; });
      const cur = state.trace[state.step - 1];
      if (cur && nodeEls[index.get(cur.node)]) {
        const ci = index.get(cur.node);
        mark(ci, "current");
        const ks = [];
        if (view === "reverse") { for (const k of out[ci]) if (visited.has(names[E.dst[k]]) && names[E.dst[k]] in d) ks.push(k); }
        else for (let k = E.start[ci]; k < E.start[ci + 1]; k++) if (visited.has(names[E.src[k]])) ks.push(k);
        for (const k of ks) {
          edgeLook[k] = ["edge step", "url(#arrow-on)"];
          const sym = partial(names[E.dst[k]], names[E.src[k]]), v = sig(lin.partials[k], 4);
          edgeText[k] = sym.length <= 12 ? `${sym} = ${v}` : v; edgeFirst.add(k);
        }
      }
      $("#stepinfo").textContent = `step ${state.step} of ${state.trace.length}` + (cur ? `: ${cur.node}` : ` (the seed: d${view === "forward" ? seedName + "/d" + seedName : seedName + "/d" + seedName} = 1)`);
      $("#stepinfo").dataset.step = state.step;
      $("#stepinfo").dataset.node = cur ? cur.node : "";
      equation = cur ? stepText(cur._step, DIGITS) : (state.trace.length ? "Press step (→) to apply the chain rule at the next node." : "");
      const pl = (n, w) => `${n.toLocaleString("en-US")} ${w}${n === 1 ? "" : "s"}`;
      info = `${pl(doc.operations.multiplications, "multiplication")}, ${pl(doc.operations.additions, "addition")} in this sweep`;
      if (cur) bringIntoView(index.get(cur.node), true);
    }
    if (view === "paths" && state.from != null && state.to != null) paths(lin, mark); else $("#pathinfo").innerHTML = "";
    if (view === "cost") costTable(); else $("#cost").innerHTML = "";
    M.nodes.forEach((n, i) => {
      if (!nodeEls[i]) return;
      if (faultAt.get(n.name)) mark(i, "fault");
      if (shown[i]) valueText(i, shown[i][0], shown[i][1], shown[i][2]); else valueText(i, "= ", lin.vals[i], "");
      const v = String(lin.vals[i]);
      if (nodeEls[i].dataset.value !== v) nodeEls[i].dataset.value = v;
    });
    last = { lin, shown };
    marks();
    edgeEls.forEach((e, k) => {  // attributes written only where they change: a style recalculation is the cost
      const [cls, head] = edgeLook[k] || ["edge", "url(#arrow)"];
      if (e.getAttribute("class") !== cls) e.setAttribute("class", cls);
      if (e.getAttribute("marker-end") !== head) e.setAttribute("marker-end", head);
    });
    const stepping = view === "forward" || view === "reverse";
    labelEls.forEach((t, k) => {
      const cls = stepping && edgeFirst.has(k) ? "edge-label step" : "edge-label";
      if (t.getAttribute("class") !== cls) t.setAttribute("class", cls);
    });
    $("#detail").textContent = detail(lin, state.selected);
    const msgs = lin.faults.map((f) => `${M.source}:${f.line}:${f.col}: error: ${f.message} (node '${f.node}')`)
      .concat(lin.warnings.map((w) => `${M.source}:${w.line}:${w.col}: warning: ${w.message}`));
    $("#messages").textContent = msgs.join("\n");
    $("#equation").textContent = equation;
    $("#info").textContent = info;
    intro(); legend();
    if (picture) placeLabels();
    $("#timing").textContent = `Recomputed in ${(performance.now() - t0).toFixed(1)} ms.`;
  }
  function paths(lin, mark) {
    const s = state.from, t = state.to;
    const doc = pathsDoc(s, t, { limit: 0 });
    const cnt = typeof doc.count === "bigint" ? doc.count.toString() : String(doc.count);
    const count = BigInt(cnt);
    const pages = count === 0n ? 1 : Number((count + BigInt(PAGE) - 1n) / BigInt(PAGE) > 1000000n ? 1000000n : (count + BigInt(PAGE) - 1n) / BigInt(PAGE));
    state.pathPage = Math.min(state.pathPage, pages - 1);
    const first = state.pathPage * PAGE;
    const list = listPaths(s, t, first + PAGE).slice(first);
    const onE = new Set(count > 0n ? edgesBetween(s, t) : []);  // every edge on some path, however many
    const onN = new Set(count > 0n ? [s, ...[...onE].map((k) => E.dst[k])] : []);
    const pick = list[Math.min(state.pathPick, list.length - 1)] || [];
    const pickE = new Set(pick), pickN = new Set([s, ...pick.map((k) => E.dst[k])]);
    nodeEls.forEach((g, i) => { if (pickN.has(i) && list.length > 0) mark(i, "on-path"); if (!onN.has(i)) mark(i, "faint"); });
    edgeEls.forEach((e, k) => {
      if (pickE.has(k)) edgeLook[k] = ["edge on-path", "url(#arrow-on)"];
      else if (!onE.has(k)) edgeLook[k] = ["edge faint", "url(#arrow-faint)"];
    });
    for (const k of pick) { edgeText[k] = sig(lin.partials[k], 4); edgeFirst.add(k); }
    const box = $("#pathinfo");
    box.innerHTML = "";
    const head = document.createElement("p"); head.dataset.count = cnt;
    head.textContent = `${BigInt(cnt).toLocaleString("en-US")} path${cnt === "1" ? "" : "s"} from ${doc.from} to ${doc.to}; sum of products ${sig(typeof doc.sum === "number" ? doc.sum : NaN, DIGITS)} (${doc.sum_method})`;
    box.appendChild(head);
    if (count > BigInt(PAGE)) {
      const pager = document.createElement("p"); pager.className = "pager";
      const prev = document.createElement("button"); prev.textContent = "previous 50"; prev.disabled = state.pathPage === 0;
      const next = document.createElement("button"); next.textContent = "next 50"; next.disabled = state.pathPage >= pages - 1;
      prev.addEventListener("click", () => { state.pathPage--; state.pathPick = 0; refresh(); });
      next.addEventListener("click", () => { state.pathPage++; state.pathPick = 0; refresh(); });
      const where = document.createElement("span");
      where.textContent = ` paths ${(first + 1).toLocaleString("en-US")}–${(first + list.length).toLocaleString("en-US")} of ${BigInt(cnt).toLocaleString("en-US")} `;
      pager.append(prev, where, next); box.appendChild(pager);
    }
    const ul = document.createElement("ul");
    list.forEach((p, j) => {
      const nodes = [names[s], ...p.map((k) => names[E.dst[k]])];
      let prod = 1.0; for (const k of p) prod *= lin.partials[k];
      const li = document.createElement("li");
      li.textContent = `${nodes.join(" → ")}: ${p.map((k) => factor(lin.partials[k], 4)).join("·")} = ${sig(prod, DIGITS)}`;
      if (j === Math.min(state.pathPick, list.length - 1)) li.className = "on";
      li.addEventListener("click", () => { state.pathPick = j; refresh(); });
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }
  function costTable() {
    const c = M.cost, base = c.modes[c.cheapest].operations;  // notation.times, as the command line writes ratios
    const times = (x) => (typeof x === "string" ? "~" + x + "×" : x === Infinity ? "—" : x < 1000 ? pyG(x, 3) + "×" : Math.round(x).toLocaleString("en-US") + "×");
    const row = (m, o) => `<tr><td>${escapeHtml(m)}</td><td>${o.sweeps ?? ""}</td><td>${o.multiplications}</td><td>${o.additions}</td><td>${o.operations}</td><td>${times(o.ratio ?? (base ? o.operations / base : o.operations ? Infinity : 1))}</td></tr>`;
    const rows = Object.entries(c.modes).map(([m, o]) => row(m, o)).join("") +
      Object.entries(c.elimination || {}).filter(([, o]) => typeof o === "object").map(([m, o]) => row(`elimination, ${m}`, o)).join("");
    const what = c.cheapest === "paths" ? "the sum over paths" : `${c.cheapest} mode`;
    $("#cost").innerHTML = `<table><thead><tr><th>mode</th><th>sweeps</th><th>multiplications</th><th>additions</th><th>operations</th><th>ratio</th></tr></thead><tbody>${rows}</tbody></table><p>ratio against ${escapeHtml(what)}: ${base} operation${base === 1 ? "" : "s"}</p><p>${escapeHtml(c.summary)}</p>`;
  }
  function detail(lin, i) {
    if (i == null) return "Click a node (or focus it and press Enter) for its value, its partials and the chain rule at it.";
    const n = M.nodes[i];
    const lines = [`${n.label}   (line ${n.line})`, `value ${fmtNum(lin.vals[i])}`];
    const ins = [];
    for (let k = E.start[i]; k < E.start[i + 1]; k++) ins.push(`${partial(names[i], names[E.src[k]])} = ${M.formulas[k]} = ${sig(lin.partials[k], DIGITS)}`);
    if (ins.length) lines.push("partials: " + ins.join("; "));
    if (state.view === "forward" && state.seed != null) {
      const x = state.seed, s = sweep(lin, x, true);
      if (s.d.has(i) && i !== x) {
        const terms = [];
        for (let k = E.start[i]; k < E.start[i + 1]; k++) if (s.d.has(E.src[k])) terms.push({ symbols: [partial(names[i], names[E.src[k]]), total(names[E.src[k]], names[x])], factors: [lin.partials[k], s.d.get(E.src[k])] });
        lines.push("forward mode from " + names[x] + ": " + stepText({ lhs: total(names[i], names[x]), terms, sum: s.d.get(i) }, DIGITS));
      } else if (i !== x) lines.push(`forward mode from ${names[x]}: no path reaches ${n.name}`);
    } else if (state.view !== "forward") {
      const o = state.view === "reverse" && state.seed != null ? state.seed : M.outputs[M.outputs.length - 1];
      if (o != null) {
        const s = sweep(lin, o, false);
        if (s.d.has(i) && i !== o) {
          const terms = out[i].filter((k) => s.d.has(E.dst[k])).map((k) => ({ symbols: [total(names[o], names[E.dst[k]]), partial(names[E.dst[k]], names[i])], factors: [s.d.get(E.dst[k]), lin.partials[k]] }));
          lines.push("reverse mode from " + names[o] + ": " + stepText({ lhs: total(names[o], names[i]), terms, sum: s.d.get(i) }, DIGITS));
        }
      }
    }
    return lines.join("\n");
  }
  function escapeHtml(s) { return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]); }

  if (M.reduced) $("#notice").textContent = M.reduced;
  if (picture) {
    zoomControls(); foldLegend();
    if (whole) draw(wholeScene());
    else { centre = M.outputs.length ? M.outputs[M.outputs.length - 1] : N - 1; draw(nearScene(centre)); svg.dataset.centre = names[centre]; }
  } else { $("#viewport").hidden = true; }
  controls();
  refresh();
  if (picture) initialView();
  document.body.dataset.ready = "1";
})();
