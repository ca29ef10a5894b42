/**
 * Subgroup discovery by beam search (as pysubgroup's `BeamSearch` with `WRAccQF`): conjunctions
 * of up to `maxConditions` conditions whose weighted relative accuracy,
 * WRAcc = support × (bad rate inside − bad rate overall), is highest.
 *
 * Where pysubgroup discretizes each numeric variable once into a few equal-frequency cut points
 * (5 by default), each refinement here takes the best of up to 256 quantile cut points of the
 * variable within the subgroup being refined (a histogram of the subgroup's rows per bin, as
 * LightGBM finds splits), for `≤` and for `>`; a text variable gives
 * its best single category and the set of categories whose bad rate is above the overall one
 * (WRAcc adds up over disjoint parts, so that set is the best of all sets). The beam keeps the
 * best `beamWidth` subgroups found so far; each is refined once. Every subgroup met is a
 * candidate rule; its observations are only materialized when it enters the beam or is read
 * out, so the search costs a few sorted scans per beam member.
 *
 * Then the rules a reader should see, best first:
 * - each numeric bound is moved to where the bad rate changes (the exact depth-1 tree's Gini
 *   split of the variable among the observations the other conditions select, PRIM's
 *   "pasting" in spirit): WRAcc alone pushes a bound out until the bad rate beyond it falls to
 *   the overall rate, past the change when labels are smeared over windows;
 * - a rule must beat each of its sub-rules (the rule with one condition less): a bad rate higher
 *   by `minImprovement` (relative; lower for "good") and clearly above that of the observations
 *   the condition removes, so no condition is there by chance alone;
 * - rules covering nearly the same observations (Jaccard ≥ `duplicateJaccard`) are merged into
 *   the better one.
 *
 * `seek: "good"` looks for the complement: subgroups with fewer bad observations (quality
 * support × (overall − inside)).
 */
import {
  type CategoricalRuleColumn,
  conditionRows,
  type NumericRuleColumn,
  type RuleColumn,
} from './columns';
import { type GiniContext, giniCut } from './gini-cut';
import {
  HISTOGRAM_STRIDE,
  type Histogram,
  type HistogramContext,
  histogramOf,
  histograms,
  rowSlots,
} from './histograms';
import { countBoth, countRows, intersect, jaccard, type RowSet, rowSetOf, sameRows } from './row-set';
import type { Condition } from './types';

export interface SubgroupSearchOptions {
  /** Conditions a rule may have (default 3). */
  readonly maxConditions?: number;
  /** Subgroups kept for refinement (default 20, pysubgroup's default). */
  readonly beamWidth?: number;
  /** Smallest share of the observations a subgroup may cover (default 0.01). */
  readonly minSupport?: number;
  /** Relative bad rate a rule must gain over each of its sub-rules (default 0.1)… */
  readonly minImprovement?: number;
  /** …and standard errors it must lead the observations a condition removes by (default 2). */
  readonly minZ?: number;
  /** Rules returned (default 10). */
  readonly maxRules?: number;
  /** Rules whose observations overlap at least this much (Jaccard) are merged (default 0.8). */
  readonly duplicateJaccard?: number;
  /** Move numeric bounds to where the bad rate changes (default true). */
  readonly placeBounds?: boolean;
  /** `bad` (default): more bad observations; `good`: fewer. */
  readonly seek?: 'bad' | 'good';
}

export interface Subgroup {
  readonly conditions: readonly Condition[];
  /** The observations covered (positions in the columns). */
  readonly rows: RowSet;
  readonly size: number;
  readonly positives: number;
  /** WRAcc for `seek: "bad"`, its opposite for `"good"`. */
  readonly quality: number;
}

/** A subgroup met in the search: its rows are its parent's rows ∩ its last condition's. */
interface Candidate {
  readonly conditions: readonly Condition[];
  readonly size: number;
  readonly positives: number;
  readonly quality: number;
  readonly parent: Candidate | null;
  rows: RowSet | null;
  expanded: boolean;
  /** Its histograms (`histograms`) once refined, for its own refinements'. */
  histogram: Histogram | null;
}

interface SearchState extends GiniContext, HistogramContext {
  readonly columns: ReadonlyMap<string, RuleColumn>;
  readonly n: number;
  readonly baseRate: number;
  /**
   * Share of the observations that count as independent: (1 − ρ) / (1 + ρ), ρ the lag-1
   * autocorrelation of the labels in time order (the AR(1) variance inflation).
   */
  readonly effectiveShare: number;
  /**
   * Conjunctions and Gini cuts already worked out, by their conditions: placing the bounds of
   * the candidates tried one after another (the null draws try dozens before one holds)
   * meets the same sub-rules again and again.
   */
  readonly conjunctions: Map<string, RowSet>;
  readonly giniCuts: Map<string, Condition | null>;
  readonly allRows: RowSet;
  /** The histograms of all rows, once counted. */
  rootHistogram: Histogram | null;
}

const quality = (s: SearchState, size: number, positives: number) =>
  (s.sign * (positives - s.baseRate * size)) / s.n;

function conditionKey(c: Condition): string {
  return `${c.variable}\u0000${c.op}\u0000${Array.isArray(c.value) ? c.value.join('\u0001') : String(c.value)}`;
}

/**
 * Single-condition row sets by column, kept from one search to the next over the same columns:
 * the null draws propose the same quantile cuts again and again. At most `SINGLES_WORDS` words
 * a column (2 MB), then the column's sets are dropped and made again as needed.
 */
const singlesByColumn = new WeakMap<RuleColumn, Map<string, RowSet>>();
const SINGLES_WORDS = 1 << 19;

function single(s: SearchState, c: Condition): RowSet {
  const column = s.columns.get(c.variable) as RuleColumn;
  let singles = singlesByColumn.get(column);
  if (!singles) {
    singles = new Map();
    singlesByColumn.set(column, singles);
  }
  const key = conditionKey(c);
  let set = singles.get(key);
  if (!set) {
    set = conditionRows(column, c);
    if ((singles.size + 1) * set.length > SINGLES_WORDS) singles.clear();
    singles.set(key, set);
  }
  return set;
}

function rowsOf(s: SearchState, c: Candidate): RowSet {
  if (c.rows === null) {
    const parentRows = c.parent ? rowsOf(s, c.parent) : null;
    const last = single(s, c.conditions[c.conditions.length - 1]);
    c.rows = parentRows ? intersect(parentRows, last) : last;
  }
  return c.rows;
}

/** The conditions as a key that does not depend on their order (a conjunction's rows do not). */
function conjunctionKey(conditions: readonly Condition[]): string {
  return conditions.map(conditionKey).sort().join('\u0002');
}

/** The rows satisfying every condition (all rows for none). Callers do not modify them. */
function conjunction(s: SearchState, conditions: readonly Condition[]): RowSet {
  const key = conjunctionKey(conditions);
  let rows = s.conjunctions.get(key);
  if (rows === undefined) {
    let found: RowSet | null = null;
    for (const c of conditions) found = found === null ? single(s, c) : intersect(found, single(s, c));
    rows = found ?? rowSetOf(s.n, () => true);
    s.conjunctions.set(key, rows);
  }
  return rows;
}

/** A refinement proposed for a subgroup: one more condition, with the counts it gives. */
interface Proposal {
  readonly condition: Condition;
  readonly size: number;
  readonly positives: number;
  readonly quality: number;
}

/**
 * The best `≤` and `>` cut points by WRAcc among the column's quantile bins, from its histogram
 * of counts and bad counts per bin in the subgroup (`histograms`), then a scan of the bins.
 */
function binnedCuts(
  s: SearchState,
  column: NumericRuleColumn,
  ops: { le: boolean; gt: boolean },
): Proposal[] {
  const { cuts } = column;
  const m = cuts.length + 1;
  const { count, bad } = histogramOf(s, column.name, m);
  const { minRows } = s;
  let total = 0;
  let totalPositives = 0;
  for (let b = 0; b < m; b++) {
    total += count[b];
    totalPositives += bad[b];
  }
  let size = 0;
  let positives = 0;
  let leScore = Number.NEGATIVE_INFINITY;
  let leBin = -1;
  let leSize = 0;
  let lePositives = 0;
  let gtScore = Number.NEGATIVE_INFINITY;
  let gtBin = -1;
  let gtSize = 0;
  let gtPositives = 0;
  for (let b = 0; b + 1 < m; b++) {
    size += count[b];
    positives += bad[b];
    if (size === 0 || size === total) continue;
    if (ops.le && size >= minRows) {
      const q = quality(s, size, positives);
      if (q > leScore) {
        leScore = q;
        leBin = b;
        leSize = size;
        lePositives = positives;
      }
    }
    if (ops.gt && total - size >= minRows) {
      const q = quality(s, total - size, totalPositives - positives);
      if (q > gtScore) {
        gtScore = q;
        gtBin = b;
        gtSize = total - size;
        gtPositives = totalPositives - positives;
      }
    }
  }
  const out: Proposal[] = [];
  if (leBin >= 0)
    out.push({
      condition: { variable: column.name, op: '<=', value: cuts[leBin] },
      size: leSize,
      positives: lePositives,
      quality: leScore,
    });
  if (gtBin >= 0)
    out.push({
      condition: { variable: column.name, op: '>', value: cuts[gtBin] },
      size: gtSize,
      positives: gtPositives,
      quality: gtScore,
    });
  return out;
}

/**
 * The best single category and the best set of categories of a text column in the subgroup
 * last counted by `histograms`.
 */
function categoricalProposals(s: SearchState, column: CategoricalRuleColumn): Proposal[] {
  const m = column.categories.length;
  const { count: size, bad: positives } = histogramOf(s, column.name, m);
  const out: Proposal[] = [];
  let best = -1;
  let bestQuality = 0;
  const chosen: number[] = [];
  let setSize = 0;
  let setPositives = 0;
  for (let c = 0; c < m; c++) {
    if (size[c] === 0) continue;
    const q = quality(s, size[c], positives[c]);
    if (q > 0) {
      chosen.push(c);
      setSize += size[c];
      setPositives += positives[c];
    }
    if (size[c] >= s.minRows && (best < 0 || q > bestQuality)) {
      best = c;
      bestQuality = q;
    }
  }
  if (best >= 0)
    out.push({
      condition: { variable: column.name, op: 'in', value: [column.categories[best]] },
      size: size[best],
      positives: positives[best],
      quality: bestQuality,
    });
  if (chosen.length > 1 && chosen.length < m && setSize >= s.minRows)
    out.push({
      condition: { variable: column.name, op: 'in', value: chosen.map((c) => column.categories[c]) },
      size: setSize,
      positives: setPositives,
      quality: quality(s, setSize, setPositives),
    });
  return out;
}

/**
 * The histograms of a subgroup about to be refined, into `s.binCounts` and `s.binPositives`:
 * counted over its rows, or, when it keeps most of the rows of the subgroup it was refined from
 * (whose histograms are known), as those minus the counts over the rows its last condition
 * removed (LightGBM's histogram subtraction), whichever reads fewer rows.
 */
function subgroupHistograms(s: SearchState, parent: Candidate | null, parentRows: RowSet): void {
  const above = parent === null ? null : parent.parent === null ? s.rootHistogram : parent.parent.histogram;
  const aboveSize = parent?.parent?.size ?? s.n;
  if (parent === null || above === null || aboveSize - parent.size >= parent.size) {
    histograms(s, parentRows);
  } else {
    const aboveRows = parent.parent === null ? null : rowsOf(s, parent.parent);
    const removed = new Uint32Array(parentRows.length);
    for (let w = 0; w < removed.length; w++)
      removed[w] = (aboveRows === null ? s.allRows[w] : aboveRows[w]) & ~parentRows[w];
    histograms(s, removed);
    const { binCounts: count, binPositives: bad } = s;
    for (let j = 0; j < count.length; j++) {
      count[j] = above.count[j] - count[j];
      bad[j] = above.bad[j] - bad[j];
    }
  }
  const histogram = { count: s.binCounts.slice(), bad: s.binPositives.slice() };
  if (parent === null) s.rootHistogram = histogram;
  else parent.histogram = histogram;
}

function refine(s: SearchState, parent: Candidate | null, parentRows: RowSet): Candidate[] {
  const out: Candidate[] = [];
  const conditions = parent?.conditions ?? [];
  const parentSize = parent?.size ?? s.n;
  subgroupHistograms(s, parent, parentRows);
  for (const column of s.columns.values()) {
    const used = conditions.filter((c) => c.variable === column.name);
    let proposals: Proposal[];
    if (column.kind === 'numeric') {
      const ops = { le: !used.some((c) => c.op === '<='), gt: !used.some((c) => c.op === '>') };
      if (!ops.le && !ops.gt) continue;
      proposals = binnedCuts(s, column, ops);
    } else {
      if (used.length > 0) continue;
      proposals = categoricalProposals(s, column);
    }
    for (const p of proposals) {
      // A condition that removes nothing is no refinement.
      if (p.size === parentSize || p.quality <= 0) continue;
      out.push({
        conditions: [...conditions, p.condition],
        size: p.size,
        positives: p.positives,
        quality: p.quality,
        parent,
        rows: null,
        expanded: false,
        histogram: null,
      });
    }
  }
  return out;
}

/**
 * Each numeric bound moved to the variable's Gini split among the rows the other conditions
 * select, keeping its direction and the side with more (fewer, for "good") bad observations.
 */
function placeBounds(s: SearchState, conditions: readonly Condition[]): Condition[] {
  const out = [...conditions];
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < out.length; j++) {
      const c = out[j];
      if (c.op === 'in') continue;
      const column = s.columns.get(c.variable);
      if (column?.kind !== 'numeric') continue;
      const rest = out.filter((_, k) => k !== j);
      const key = `${c.variable}\u0003${c.op}\u0003${conjunctionKey(rest)}`;
      let cut = s.giniCuts.get(key);
      if (cut === undefined) {
        cut = giniCut(s, column, conjunction(s, rest), c.op);
        s.giniCuts.set(key, cut);
      }
      if (cut) out[j] = cut;
    }
  }
  return out;
}

/**
 * Whether a rule beats each of its sub-rules (the rule without one of its conditions), as a
 * "productive" rule in Webb's sense, so every condition earns its place: its bad rate is higher
 * than the sub-rule's by `minImprovement` (relative; lower for "good"), and higher than that of
 * the observations the condition removes by `minZ` standard errors, counted on the effective
 * number of observations (`s.effectiveShare`: neighbours in time share their labels). WRAcc
 * would not do: dropping a condition widens the rule, and WRAcc prefers wide rules whenever bad
 * observations are common.
 */
function beatsSubRules(s: SearchState, rule: Subgroup, minImprovement: number, minZ: number): boolean {
  const k = rule.conditions.length;
  if (k < 2) return true;
  const rate = rule.positives / rule.size;
  for (let drop = 0; drop < k; drop++) {
    const sub = conjunction(
      s,
      rule.conditions.filter((_, j) => j !== drop),
    );
    const subSize = countRows(sub);
    const subPositives = countBoth(sub, s.positivesSet);
    const subRate = subPositives / subSize;
    const relative =
      s.sign > 0 ? rate > subRate * (1 + minImprovement) : rate < subRate * (1 - minImprovement);
    if (!relative) return false;
    const removed = subSize - rule.size;
    if (removed === 0) return false;
    const removedRate = (subPositives - rule.positives) / removed;
    const pooled = subRate * (1 - subRate);
    const se = Math.sqrt((pooled * (1 / rule.size + 1 / removed)) / s.effectiveShare);
    if (!(se > 0 && (s.sign * (rate - removedRate)) / se >= minZ)) return false;
  }
  return true;
}

/** (1 − ρ) / (1 + ρ) for the lag-1 autocorrelation ρ of the labels (1 when ρ ≤ 0). */
function effectiveShare(labels: Uint8Array): number {
  const n = labels.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += labels[i];
  const mean = sum / n;
  let variance = 0;
  let lagged = 0;
  for (let i = 0; i < n; i++) {
    const d = labels[i] - mean;
    variance += d * d;
    if (i > 0) lagged += d * (labels[i - 1] - mean);
  }
  const rho = variance > 0 ? lagged / variance : 0;
  return rho > 0 ? (1 - rho) / (1 + rho) : 1;
}

const byQuality = (a: { quality: number }, b: { quality: number }) => b.quality - a.quality;

/**
 * The best rules over the columns' observations, best first. `labels[i]` is 1 for a bad
 * observation at position i of the columns.
 */
export function searchSubgroups(
  columns: readonly RuleColumn[],
  labels: Uint8Array,
  options: SubgroupSearchOptions = {},
): Subgroup[] {
  const n = labels.length;
  const beamWidth = options.beamWidth ?? 20;
  const maxConditions = options.maxConditions ?? 3;
  const maxRules = options.maxRules ?? 10;
  const duplicateJaccard = options.duplicateJaccard ?? 0.8;
  const minImprovement = options.minImprovement ?? 0.1;
  const minZ = options.minZ ?? 2;
  let positiveCount = 0;
  for (let i = 0; i < n; i++) positiveCount += labels[i];
  if (n === 0 || positiveCount === 0 || positiveCount === n) return [];
  const s: SearchState = {
    columns: new Map(columns.map((c) => [c.name, c])),
    labels,
    positivesSet: rowSetOf(n, (i) => labels[i] === 1),
    n,
    baseRate: positiveCount / n,
    minRows: Math.max(1, Math.ceil((options.minSupport ?? 0.01) * n)),
    sign: options.seek === 'good' ? -1 : 1,
    sortedLabels: new Map(),
    effectiveShare: effectiveShare(labels),
    columnIndex: new Map(columns.map((c, k) => [c.name, k])),
    rowSlots: rowSlots(columns, n),
    binCounts: new Int32Array(columns.length * HISTOGRAM_STRIDE),
    binPositives: new Int32Array(columns.length * HISTOGRAM_STRIDE),
    conjunctions: new Map(),
    giniCuts: new Map(),
    cutCounts: new Int32Array(HISTOGRAM_STRIDE),
    cutPositives: new Int32Array(HISTOGRAM_STRIDE),
    allRows: rowSetOf(n, () => true),
    rootHistogram: null,
  };

  // Every subgroup met is a candidate rule; the beam only decides which are refined further.
  let beam: Candidate[] = [];
  const pool: Candidate[] = [];
  let frontier: { parent: Candidate | null; rows: RowSet }[] = [{ parent: null, rows: s.allRows }];
  while (frontier.length > 0) {
    for (const { parent, rows } of frontier) {
      for (const c of refine(s, parent, rows)) {
        pool.push(c);
        if (beam.length === beamWidth && c.quality <= beam[beamWidth - 1].quality) continue;
        const cRows = rowsOf(s, c);
        if (
          beam.some(
            (b) => b.size === c.size && b.positives === c.positives && sameRows(b.rows as RowSet, cRows),
          )
        )
          continue;
        beam.push(c);
        beam.sort(byQuality);
        if (beam.length > beamWidth) beam = beam.slice(0, beamWidth);
      }
    }
    frontier = [];
    for (const c of beam) {
      if (!c.expanded && c.conditions.length < maxConditions) {
        c.expanded = true;
        frontier.push({ parent: c, rows: rowsOf(s, c) });
      }
    }
  }
  pool.sort(byQuality);

  const rules: Subgroup[] = [];
  const place = options.placeBounds ?? true;
  for (const c of pool) {
    const found: Subgroup = {
      conditions: c.conditions,
      rows: rowsOf(s, c),
      size: c.size,
      positives: c.positives,
      quality: c.quality,
    };
    if (rules.some((r) => jaccard(r.rows, found.rows) >= duplicateJaccard)) continue;
    // The rule with its bounds placed when it still holds, else as found.
    let rule: Subgroup | null = null;
    if (place && c.conditions.some((k) => k.op !== 'in')) {
      const conditions = placeBounds(s, c.conditions);
      const rows = conjunction(s, conditions);
      const size = countRows(rows);
      const positives = countBoth(rows, s.positivesSet);
      const placed = { conditions, rows, size, positives, quality: quality(s, size, positives) };
      if (size >= s.minRows && placed.quality > 0 && beatsSubRules(s, placed, minImprovement, minZ))
        rule = placed;
    }
    if (rule === null && beatsSubRules(s, found, minImprovement, minZ)) rule = found;
    if (rule === null) continue;
    const kept = rule;
    if (rules.some((r) => jaccard(r.rows, kept.rows) >= duplicateJaccard)) continue;
    rules.push(kept);
    if (rules.length === maxRules) break;
  }
  // Placed bounds change the quality: best first again.
  return rules.sort(byQuality);
}
