/**
 * The logistic regression's solver: L-BFGS for L2 and OWL-QN (L-BFGS restricted to an orthant,
 * Andrew & Gao 2007) for L1, on the objective divided by `C·Σ s_i` (see `model.ts`).
 */

// Module-level aliases for the hot loops: a global lookup per element is slow inside sandboxed
// contexts (jest's vm, some worker set-ups), a module constant is not.
const { abs, exp, log1p } = Math;

export function sigmoid(m: number): number {
  if (m >= 0) return 1 / (1 + exp(-m));
  const e = exp(m);
  return e / (1 + e);
}

/**
 * The smooth part of the scaled objective: mean weighted log loss (+ the L2 term), and its
 * gradient. `theta[0]` is the intercept, `theta[1 + j]` the coefficient of feature j.
 */
export class ScaledLoss {
  private readonly margin: Float64Array;
  private readonly residual: Float64Array;
  /** Each row's weight over the total weight, and its label, as numbers read in the hot loops. */
  private readonly rowScale: Float64Array;
  private readonly y: Float64Array;

  constructor(
    /** The standardized features, column after column (feature j's at j × rows). */
    private readonly data: { readonly rows: number; readonly z: Float64Array },
    labels: ArrayLike<number>,
    weights: Float64Array,
    totalWeight: number,
    /** Coefficient of ½‖w‖² after scaling: 1 / (C · Σ s_i), 0 for L1. */
    private readonly l2: number,
  ) {
    const n = data.rows;
    this.margin = new Float64Array(n);
    this.residual = new Float64Array(n);
    this.rowScale = new Float64Array(n);
    this.y = new Float64Array(n);
    const scale = 1 / totalWeight;
    for (let i = 0; i < n; i++) {
      this.rowScale[i] = weights[i] * scale;
      this.y[i] = labels[i];
    }
  }

  /**
   * Value at theta; fills `gradient` when given, else `gradient` can fill it later (a line search
   * needs the gradient only at the step it accepts).
   */
  evaluate(theta: Float64Array, gradient?: Float64Array): number {
    const { rows: n, z } = this.data;
    const f = theta.length - 1;
    const m = this.margin;
    m.fill(theta[0]);
    // Indexing z directly: a subarray per column and call allocated thousands of views a fit.
    for (let j = 0; j < f; j++) {
      const w = theta[j + 1];
      if (w === 0) continue;
      const base = j * n;
      for (let i = 0; i < n; i++) m[i] += w * z[base + i];
    }
    let loss = 0;
    const r = this.residual;
    const { rowScale, y } = this;
    for (let i = 0; i < n; i++) {
      const mi = m[i];
      // log(1 + e^m) without overflow and the sigmoid (as `sigmoid` gives it, to the bit) from
      // one exponential, e^−|m|.
      const e = exp(mi > 0 ? -mi : mi);
      const softplusM = mi > 0 ? mi + log1p(e) : log1p(e);
      const sigmoidM = mi >= 0 ? 1 / (1 + e) : e / (1 + e);
      loss += rowScale[i] * (softplusM - y[i] * mi);
      r[i] = rowScale[i] * (sigmoidM - y[i]);
    }
    let penalty = 0;
    for (let j = 1; j <= f; j++) penalty += theta[j] * theta[j];
    loss += 0.5 * this.l2 * penalty;
    if (gradient !== undefined) this.gradient(theta, gradient);
    return loss;
  }

  /** The gradient at theta, the point `evaluate` was last called at. */
  gradient(theta: Float64Array, gradient: Float64Array): void {
    const { rows: n, z } = this.data;
    const f = theta.length - 1;
    const r = this.residual;
    let g0 = 0;
    for (let i = 0; i < n; i++) g0 += r[i];
    gradient[0] = g0;
    for (let j = 0; j < f; j++) {
      const base = j * n;
      let g = 0;
      for (let i = 0; i < n; i++) g += r[i] * z[base + i];
      gradient[j + 1] = g + this.l2 * theta[j + 1];
    }
  }
}

/**
 * Pseudo-gradient of smooth + l1·Σ_{j≥1}|θ_j| (OWL-QN): the steepest-descent direction's
 * negative; at θ_j = 0 it is 0 when the subgradient interval contains 0.
 */
function pseudoGradient(theta: Float64Array, gradient: Float64Array, l1: number, out: Float64Array): number {
  let max = abs(gradient[0]);
  out[0] = gradient[0];
  for (let j = 1; j < theta.length; j++) {
    const g = gradient[j];
    let pg: number;
    if (l1 === 0) pg = g;
    else if (theta[j] > 0) pg = g + l1;
    else if (theta[j] < 0) pg = g - l1;
    else if (g + l1 < 0) pg = g + l1;
    else if (g - l1 > 0) pg = g - l1;
    else pg = 0;
    out[j] = pg;
    const a = abs(pg);
    if (a > max) max = a;
  }
  return max;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function l1Norm(theta: Float64Array): number {
  let s = 0;
  for (let j = 1; j < theta.length; j++) s += abs(theta[j]);
  return s;
}

const MEMORY = 10;

/** L-BFGS (l1 = 0) or OWL-QN (l1 > 0, intercept excluded) from theta = 0. */
export function minimize(loss: ScaledLoss, dim: number, l1: number, tol: number, maxIter: number) {
  const theta = new Float64Array(dim);
  const gradient = new Float64Array(dim);
  const pg = new Float64Array(dim);
  const direction = new Float64Array(dim);
  const trial = new Float64Array(dim);
  const trialGradient = new Float64Array(dim);
  const trialPg = new Float64Array(dim);
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const alpha = new Float64Array(MEMORY);

  let f = loss.evaluate(theta, gradient) + l1 * l1Norm(theta);
  let gMax = pseudoGradient(theta, gradient, l1, pg);
  let iterations = 0;
  let stalled = false;
  while (gMax > tol && iterations < maxIter) {
    iterations++;
    // Two-loop recursion: direction = −H·pg.
    for (let i = 0; i < dim; i++) direction[i] = -pg[i];
    const k = sHist.length;
    for (let h = k - 1; h >= 0; h--) {
      alpha[h] = rhoHist[h] * dot(sHist[h], direction);
      const y = yHist[h];
      for (let i = 0; i < dim; i++) direction[i] -= alpha[h] * y[i];
    }
    const gamma = k > 0 ? 1 / (rhoHist[k - 1] * dot(yHist[k - 1], yHist[k - 1])) : 1 / Math.max(1, gMax);
    for (let i = 0; i < dim; i++) direction[i] *= gamma;
    for (let h = 0; h < k; h++) {
      const beta = rhoHist[h] * dot(yHist[h], direction);
      const s = sHist[h];
      for (let i = 0; i < dim; i++) direction[i] += (alpha[h] - beta) * s[i];
    }
    if (l1 > 0) {
      // Keep only components that descend along the pseudo-gradient.
      for (let i = 0; i < dim; i++) if (direction[i] * pg[i] >= 0) direction[i] = 0;
    }
    let slope = dot(direction, pg);
    if (!(slope < 0)) {
      // Curvature pairs went stale: restart from steepest descent.
      sHist.length = 0;
      yHist.length = 0;
      rhoHist.length = 0;
      for (let i = 0; i < dim; i++) direction[i] = -pg[i] / Math.max(1, gMax);
      slope = dot(direction, pg);
    }
    // Backtracking line search (Armijo), projecting onto the current orthant for L1.
    let step = 1;
    let fTrial = Number.POSITIVE_INFINITY;
    let accepted = false;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < dim; i++) trial[i] = theta[i] + step * direction[i];
      if (l1 > 0) {
        for (let i = 1; i < dim; i++) {
          const orthant = theta[i] !== 0 ? Math.sign(theta[i]) : -Math.sign(pg[i]);
          if (trial[i] * orthant <= 0) trial[i] = 0;
        }
      }
      fTrial = loss.evaluate(trial) + l1 * l1Norm(trial);
      let decrease = 0;
      for (let i = 0; i < dim; i++) decrease += pg[i] * (trial[i] - theta[i]);
      if (fTrial <= f + 1e-4 * decrease) {
        loss.gradient(trial, trialGradient);
        accepted = true;
        break;
      }
      // Near the optimum the objective's change drowns in rounding (a sum over many rows):
      // there, accept a step that shrinks the gradient instead.
      if (Math.abs(fTrial - f) <= 1e-12 * Math.max(1, Math.abs(f))) {
        loss.gradient(trial, trialGradient);
        if (pseudoGradient(trial, trialGradient, l1, trialPg) < gMax) {
          accepted = true;
          break;
        }
      }
      step *= 0.5;
    }
    if (!accepted) {
      stalled = true;
      break;
    }
    const s = new Float64Array(dim);
    const y = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      s[i] = trial[i] - theta[i];
      y[i] = trialGradient[i] - gradient[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-16 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (sHist.length === MEMORY) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
      sHist.push(s);
      yHist.push(y);
      rhoHist.push(1 / sy);
    }
    theta.set(trial);
    gradient.set(trialGradient);
    f = fTrial;
    gMax = pseudoGradient(theta, gradient, l1, pg);
  }
  return { theta, iterations, gradientMax: gMax, scaledObjective: f, stalled };
}
