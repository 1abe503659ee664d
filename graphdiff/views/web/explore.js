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
  const svg = $("#graph");
  const state = { view: "values", seed: null, step: 0, trace: [], playing: null, from: null, to: null, selected: null };
  const DIGITS = 6;
  const nodeEls = [], valueEls = [], edgeEls = [], labelEls = [];
  const SCALE = 72;

  function draw() {
    const NS = "http://www.w3.org/2000/svg";
    svg.setAttribute("viewBox", `0 0 ${M.width * SCALE} ${M.height * SCALE}`);
    svg.setAttribute("width", M.width * SCALE);
    svg.setAttribute("height", M.height * SCALE);
    const H = M.height * SCALE;
    const gEdges = document.createElementNS(NS, "g"), gNodes = document.createElementNS(NS, "g"), gLabels = document.createElementNS(NS, "g");
    for (let k = 0; k < nE; k++) {
      const pts = M.curves[k].map(([x, y]) => `${(x * SCALE).toFixed(1)},${(H - y * SCALE).toFixed(1)}`).join(" ");
      const pl = document.createElementNS(NS, "polyline");
      pl.setAttribute("points", pts); pl.setAttribute("class", "edge"); pl.setAttribute("marker-end", "url(#arrow)");
      pl.dataset.edge = k; pl.dataset.from = names[E.src[k]]; pl.dataset.to = names[E.dst[k]];
      gEdges.appendChild(pl); edgeEls.push(pl);
      const c = M.curves[k][Math.floor(M.curves[k].length / 2)];
      const t = document.createElementNS(NS, "text");
      t.setAttribute("x", (c[0] * SCALE).toFixed(1)); t.setAttribute("y", (H - c[1] * SCALE).toFixed(1));
      t.setAttribute("class", "edge-label"); t.dataset.edge = k;
      gLabels.appendChild(t); labelEls.push(t);
    }
    M.nodes.forEach((n, i) => {
      const g = document.createElementNS(NS, "g");
      g.setAttribute("class", `node ${n.op === "input" ? "input" : ""} ${M.outputs.includes(i) ? "output" : ""} ${n.kind === "anon" ? "anon" : ""}`);
      g.dataset.node = n.name; g.setAttribute("tabindex", "0"); g.setAttribute("role", "button");
      g.setAttribute("aria-label", `${n.label}`);
      const w = n.w * SCALE, h = n.h * SCALE, x = n.x * SCALE - w / 2, y = H - n.y * SCALE - h / 2;
      const r = document.createElementNS(NS, "rect");
      Object.entries({ x, y, width: w, height: h, rx: 6 }).forEach(([a, v]) => r.setAttribute(a, v));
      const t1 = document.createElementNS(NS, "text");
      t1.setAttribute("x", n.x * SCALE); t1.setAttribute("y", y + h * 0.38); t1.setAttribute("class", "label"); t1.textContent = n.label;
      const t2 = document.createElementNS(NS, "text");
      t2.setAttribute("x", n.x * SCALE); t2.setAttribute("y", y + h * 0.78); t2.setAttribute("class", "value");
      g.append(r, t1, t2); gNodes.appendChild(g); nodeEls.push(g); valueEls.push(t2);
      g.addEventListener("click", () => select_(i));
      g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select_(i); } });
    });
    svg.append(gEdges, gNodes, gLabels);
  }

  function controls() {
    const box = $("#inputs");
    for (const i of M.inputs) {
      const n = M.nodes[i];
      const row = document.createElement("div"); row.className = "input-row";
      const id = `in-${i}`;
      const lab = document.createElement("label"); lab.htmlFor = id; lab.textContent = n.name;
      const num = document.createElement("input"); num.type = "number"; num.step = "any"; num.id = id;
      num.value = Number.isNaN(inputValues[i]) ? "" : String(inputValues[i]); num.dataset.input = n.name;
      const lo = Math.min(-1, Number.isFinite(inputValues[i]) ? inputValues[i] - 2 * Math.max(1, Math.abs(inputValues[i])) : -5);
      const hi = Math.max(1, Number.isFinite(inputValues[i]) ? inputValues[i] + 2 * Math.max(1, Math.abs(inputValues[i])) : 5);
      const sl = document.createElement("input"); sl.type = "range"; sl.min = lo; sl.max = hi; sl.step = (hi - lo) / 400;
      sl.value = Number.isFinite(inputValues[i]) ? inputValues[i] : 0; sl.dataset.input = n.name; sl.setAttribute("aria-label", `${n.name} slider`);
      num.addEventListener("input", () => { if (num.value !== "" && Number.isFinite(+num.value)) { sl.value = num.value; inputValues[i] = +num.value; refresh(); } });
      sl.addEventListener("input", () => { num.value = sl.value; inputValues[i] = +sl.value; refresh(); });
      row.append(lab, num, sl); box.appendChild(row);
    }
    const seeds = $("#seed");
    const fill = () => {
      seeds.innerHTML = "";
      const list = state.view === "forward" ? M.inputs : M.outputs;
      for (const i of list) { const o = document.createElement("option"); o.value = names[i]; o.textContent = names[i]; seeds.appendChild(o); }
      state.seed = list.length ? list[0] : null;
    };
    document.querySelectorAll("input[name=view]").forEach((r) => r.addEventListener("change", () => {
      state.view = r.value; state.step = 0; stop(); if (r.value === "forward" || r.value === "reverse") fill(); refresh();
    }));
    seeds.addEventListener("change", () => { state.seed = node(seeds.value); state.step = 0; refresh(); });
    for (const id of ["from", "to"]) {
      const s = $("#" + id);
      M.nodes.forEach((n) => { const o = document.createElement("option"); o.value = n.name; o.textContent = n.name; s.appendChild(o); });
      s.addEventListener("change", () => { state[id] = node(s.value); refresh(); });
    }
    state.from = M.inputs.length ? M.inputs[0] : 0; state.to = M.outputs.length ? M.outputs[M.outputs.length - 1] : N - 1;
    $("#from").value = names[state.from]; $("#to").value = names[state.to];
    $("#step").addEventListener("click", () => move(1));
    $("#back").addEventListener("click", () => move(-1));
    $("#reset").addEventListener("click", () => { stop(); state.step = 0; refresh(); });
    $("#play").addEventListener("click", () => (state.playing ? stop() : play()));
    document.addEventListener("keydown", (e) => {
      if (e.target.tagName === "INPUT" && e.target.type !== "radio") return;
      if (e.key === "ArrowRight" || e.key === "n") { move(1); e.preventDefault(); }
      else if (e.key === "ArrowLeft" || e.key === "p") { move(-1); e.preventDefault(); }
      else if (e.key === "Home" || e.key === "r") { stop(); state.step = 0; refresh(); }
      else if (e.key === " " && (state.view === "forward" || state.view === "reverse")) { state.playing ? stop() : play(); e.preventDefault(); }
    });
  }
  function move(d) { state.step = Math.max(0, Math.min(state.trace.length, state.step + d)); refresh(); }
  function play() { $("#play").textContent = "pause"; state.playing = setInterval(() => { if (state.step >= state.trace.length) stop(); else move(1); }, 700); }
  function stop() { if (state.playing) clearInterval(state.playing); state.playing = null; $("#play").textContent = "play"; }
  function select_(i) { state.selected = i; refresh(); }

  function refresh() {
    const t0 = performance.now();
    const lin = run(current(), true);
    const faultAt = new Map(lin.faults.map((f) => [f.node, f]));
    nodeEls.forEach((g, i) => { g.classList.remove("fault", "faint", "visited", "current", "on-path", "selected"); });
    edgeEls.forEach((e) => e.classList.remove("on-path", "faint"));
    const view = state.view;
    const show = new Array(N).fill(null);
    let info = "";
    $("#steps").hidden = !(view === "forward" || view === "reverse");
    $("#pathpick").hidden = view !== "paths";
    labelEls.forEach((t) => (t.textContent = ""));
    if (view === "partials") {
      for (let k = 0; k < nE; k++) labelEls[k].textContent = `${M.formulas[k]} = ${sig(lin.partials[k], 4)}`;
    }
    if (view === "forward" || view === "reverse") {
      const doc = gradDoc(view, view === "forward" ? { wrt: [names[state.seed]], of: M.outputs.map((o) => names[o]), trace: true } : { of: [names[state.seed]], trace: true });
      state.trace = doc.trace || [];
      const d = doc.derivatives[names[state.seed]] || {};
      const visited = new Set([names[state.seed]]);
      state.trace.slice(0, state.step).forEach((s) => visited.add(s.node));
      nodeEls.forEach((g, i) => { if (!(names[i] in d)) g.classList.add("faint"); });
      nodeEls.forEach((g, i) => { if (visited.has(names[i])) { g.classList.add("visited"); show[i] = (view === "forward" ? total(names[i], names[state.seed]) : total(names[state.seed], names[i])) + " = " + sig(typeof d[names[i]] === "number" ? d[names[i]] : NaN, DIGITS); } });
      const cur = state.trace[state.step - 1];
      if (cur && nodeEls.length) nodeEls[index.get(cur.node)].classList.add("current");
      $("#stepinfo").textContent = `step ${state.step} of ${state.trace.length}` + (cur ? `: ${stepText(cur._step, DIGITS)}` : "");
      $("#stepinfo").dataset.step = state.step;
      $("#stepinfo").dataset.node = cur ? cur.node : "";
      const pl = (n, w) => `${n.toLocaleString("en-US")} ${w}${n === 1 ? "" : "s"}`;
      info = `${pl(doc.operations.multiplications, "multiplication")}, ${pl(doc.operations.additions, "addition")} in this sweep`;
    }
    if (view === "paths" && state.from != null && state.to != null) {
      const doc = pathsDoc(state.from, state.to, { limit: 10 });
      const all = listPaths(state.from, state.to, 5000);
      const onN = new Set(), onE = new Set();
      for (const p of all) { onN.add(state.from); for (const k of p) { onE.add(k); onN.add(E.dst[k]); } }
      nodeEls.forEach((g, i) => g.classList.toggle("on-path", onN.has(i)));
      edgeEls.forEach((e, k) => e.classList.toggle("on-path", onE.has(k)));
      const lines = doc.paths.map((p) => `${p.nodes.join(" → ")}: ${p.factors.map((f) => factor(typeof f === "number" ? f : NaN, 4)).join("·")} = ${sig(typeof p.product === "number" ? p.product : NaN, DIGITS)}`);
      const cnt = typeof doc.count === "bigint" ? doc.count.toString() : String(doc.count);
      $("#pathinfo").innerHTML = "";
      const head = document.createElement("p"); head.dataset.count = cnt;
      head.textContent = `${cnt} path${cnt === "1" ? "" : "s"} from ${doc.from} to ${doc.to}; sum of products ${sig(typeof doc.sum === "number" ? doc.sum : NaN, DIGITS)} (${doc.sum_method})`;
      const ul = document.createElement("ul"); lines.forEach((l) => { const li = document.createElement("li"); li.textContent = l; ul.appendChild(li); });
      $("#pathinfo").append(head, ul);
    } else $("#pathinfo").innerHTML = "";
    if (view === "cost") {
      const c = M.cost, base = c.modes[c.cheapest].operations;  // notation.times, as the command line writes ratios
      const times = (x) => (typeof x === "string" ? "~" + x + "×" : x === Infinity ? "—" : x < 1000 ? pyG(x, 3) + "×" : Math.round(x).toLocaleString("en-US") + "×");
      const row = (m, o) => `<tr><td>${escapeHtml(m)}</td><td>${o.sweeps ?? ""}</td><td>${o.multiplications}</td><td>${o.additions}</td><td>${o.operations}</td><td>${times(o.ratio ?? (base ? o.operations / base : o.operations ? Infinity : 1))}</td></tr>`;
      const rows = Object.entries(c.modes).map(([m, o]) => row(m, o)).join("") +
        Object.entries(c.elimination || {}).filter(([, o]) => typeof o === "object").map(([m, o]) => row(`elimination, ${m}`, o)).join("");
      $("#cost").innerHTML = `<table><thead><tr><th>mode</th><th>sweeps</th><th>multiplications</th><th>additions</th><th>operations</th><th>ratio</th></tr></thead><tbody>${rows}</tbody></table><p>ratio: operations against the cheapest mode's (${escapeHtml(c.cheapest)}: ${base})</p><p>${escapeHtml(c.summary)}</p>`;
    } else $("#cost").innerHTML = "";
    if (nodeEls.length) M.nodes.forEach((n, i) => {
      const f = faultAt.get(n.name);
      if (f) nodeEls[i].classList.add("fault");
      valueEls[i].textContent = show[i] != null ? show[i] : `= ${sig(lin.vals[i], DIGITS)}`;
      nodeEls[i].dataset.value = String(lin.vals[i]);
    });
    if (state.selected != null && nodeEls.length) nodeEls[state.selected].classList.add("selected");
    $("#detail").textContent = detail(lin, state.selected);
    const msgs = lin.faults.map((f) => `${M.source}:${f.line}:${f.col}: error: ${f.message} (node '${f.node}')`)
      .concat(lin.warnings.map((w) => `${M.source}:${w.line}:${w.col}: warning: ${w.message}`));
    $("#messages").textContent = msgs.join("\n");
    $("#info").textContent = info;
    $("#timing").textContent = `recomputed in ${(performance.now() - t0).toFixed(1)} ms`;
  }
  function detail(lin, i) {
    if (i == null) return "Click a node (or focus it and press Enter) for its chain-rule expansion.";
    const n = M.nodes[i];
    const lines = [`${n.label}   (line ${n.line})`, `value ${fmtNum(lin.vals[i])}`];
    const o = state.view === "reverse" && state.seed != null ? state.seed : M.outputs[M.outputs.length - 1];
    const s = sweep(lin, o, false);
    if (s.d.has(i) && i !== o) {
      const terms = out[i].filter((k) => s.d.has(E.dst[k])).map((k) => ({ symbols: [total(names[o], names[E.dst[k]]), partial(names[E.dst[k]], names[i])], factors: [s.d.get(E.dst[k]), lin.partials[k]] }));
      lines.push("reverse mode from " + names[o] + ": " + stepText({ lhs: total(names[o], names[i]), terms, sum: s.d.get(i) }, DIGITS));
    }
    const ins = [];
    for (let k = E.start[i]; k < E.start[i + 1]; k++) ins.push(`${partial(names[i], names[E.src[k]])} = ${M.formulas[k]} = ${sig(lin.partials[k], DIGITS)}`);
    if (ins.length) lines.push("partials: " + ins.join("; "));
    return lines.join("\n");
  }
  function escapeHtml(s) { return s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]); }

  if (M.reduced) {
    $("#notice").textContent = M.reduced;
  }
  if (!M.reduced) draw();
  controls();
  refresh();
  document.body.dataset.ready = "1";
})();
