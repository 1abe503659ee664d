// graphdiff explore: the helpers the generated values and partials call. Each is the same formula as the
// Python helper of graphdiff/ops.py it stands for (fsum is Shewchuk's exact sum, as math.fsum).
"use strict";
window.GD_RUNTIME = (function () {
  function fsum(xs) {  // CPython's math.fsum: exact partials, then the correctly rounded sum
    const partials = [];
    let special = 0, inf = 0;
    for (let x of xs) {
      if (!Number.isFinite(x)) { if (Number.isNaN(x)) special = NaN; else inf += x; continue; }
      let i = 0;
      for (let j = 0; j < partials.length; j++) {
        let y = partials[j];
        if (Math.abs(x) < Math.abs(y)) { const t = x; x = y; y = t; }
        const hi = x + y, lo = y - (hi - x);
        if (lo) partials[i++] = lo;
        x = hi;
      }
      partials.length = i;
      partials.push(x);
    }
    if (Number.isNaN(special)) return NaN;
    if (inf !== 0 || Number.isNaN(inf)) return inf;
    let n = partials.length, hi = 0, lo = 0;
    if (n > 0) {
      hi = partials[--n];
      while (n > 0) {
        const x = hi, y = partials[--n];
        hi = x + y;
        const yr = hi - x;
        lo = y - yr;
        if (lo) break;
      }
      if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
        const y = lo * 2, x = hi + y, yr = x - hi;
        if (y === yr) hi = x;
      }
    }
    return hi;
  }
  function sigmoid(x) {
    if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
    const e = Math.exp(x);
    return e / (1.0 + e);
  }
  function softplus(x) { return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x))); }
  function sech(x) { const e = Math.exp(-Math.abs(x)); return 2.0 * e / (1.0 + e * e); }
  function sign(x) { return (x > 0 ? 1 : 0) - (x < 0 ? 1 : 0) + 0.0; }
  function xlogy(a, b) { if (a === 0 && b === b) return 0.0; return a * log(b); }
  function extreme(xs, f) {
    if (xs.some((x) => x !== x)) return NaN;
    return f(...xs);
  }
  function log(x) { return x > 0 ? Math.log(x) : x === 0 ? -Infinity : NaN; }
  function sqrt(x) { return Math.sqrt(x); }
  function asin(x) { return Math.asin(x); }
  function acos(x) { return Math.acos(x); }
  function div(a, b) { return a / b; }
  function pow(x, y) {  // C's pow where JavaScript's differs: pow(1, y) = 1 and pow(x, 0) = 1 even for NaN
    if (x === 1 || y === 0) return 1.0;
    return Math.pow(x, y);
  }
  // erf: CPython's own pure implementation (a series below 1.5, a continued fraction for erfc above; a few
  // ulps), as the browser has no Math.erf
  const SQRTPI = 1.772453850905516027298167483341145182798;
  function erfSeries(x) {
    const x2 = x * x;
    let acc = 0.0, fk = 25 + 0.5;
    for (let i = 0; i < 25; i++) { acc = 2.0 + x2 * acc / fk; fk -= 1.0; }
    return acc * x * Math.exp(-x2) / SQRTPI;
  }
  function erfcContfrac(x) {
    if (x >= 30.0) return 0.0;
    const x2 = x * x;
    let a = 0.0, da = 0.5, p = 1.0, pLast = 0.0, q = da + x2, qLast = 1.0;
    for (let i = 0; i < 50; i++) {
      a += da; da += 2.0;
      const b = da + x2;
      let t = p; p = b * p - a * pLast; pLast = t;
      t = q; q = b * q - a * qLast; qLast = t;
    }
    return p / q * x * Math.exp(-x2) / SQRTPI;
  }
  function erf(x) {
    if (x !== x) return x;
    const ax = Math.abs(x);
    if (ax < 1.5) return erfSeries(x);
    const cf = erfcContfrac(ax);
    return x > 0 ? 1.0 - cf : cf - 1.0;
  }
  function othersProduct(xs) {  // ∂(x0·…·xn)/∂xi for every i, by prefix and suffix products (ops.py)
    const n = xs.length, out = new Array(n).fill(1.0);
    let acc = 1.0;
    for (let i = 0; i < n; i++) { out[i] = acc; acc *= xs[i]; }
    acc = 1.0;
    for (let i = n - 1; i >= 0; i--) { out[i] *= acc; acc *= xs[i]; }
    return out;
  }
  function extremePartials(xs, y) {  // the partial 1 split evenly among the operands equal to the extreme
    if (y !== y) return xs.map(() => NaN);
    const ties = xs.filter((x) => x === y).length;
    return xs.map((x) => (x === y ? 1.0 / ties : 0.0));
  }
  return {
    fsum, sigmoid, softplus, sech, sign, xlogy, erf, log, sqrt, asin, acos, div, pow, othersProduct, extremePartials,
    min: (xs) => extreme(xs, Math.min), max: (xs) => extreme(xs, Math.max), VALUE: {}, PARTIALS: {},
  };
})();
