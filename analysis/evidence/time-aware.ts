/**
 * The distribution analysis with p-values that keep the time structure. Each variable is
 * prepared once (sorted, coded), analysed as `analysis/distribution` does, then tested by
 * rotating the observations' labels against time (shifts.ts) with its own statistics recomputed
 * (kernels.ts): the score, and the KS statistic (chi-square for categories). Each gives a
 * p-value; the variable's is twice the smaller one (Bonferroni over the two), and the q-values
 * are Benjamini–Hochberg over all variables. The independent-rows p-value stays as `pValueIid`.
 */
import { analyzeEach, prepareDistribution, rankEntries, selectByName } from '../distribution/analyze';
import { benjaminiHochberg } from '../distribution/measures';
import type { DistributionEntry, DistributionOptions, ShiftTestSummary } from '../distribution/types';
import type { ObservationTable } from '../frame';
import { createRng } from '../random';
import { correlationLength } from './autocorrelation';
import { categoricalKernel, numericKernel, shiftContext } from './kernels';
import { badEpisodes, type Observations } from './observations';
import {
  DEFAULT_EXCEEDANCES,
  DEFAULT_MAX_SHIFTS,
  type ShiftKernel,
  type ShiftOptions,
  shiftSchedule,
  shiftTest,
} from './shifts';

export interface TimeAwareOptions extends ShiftOptions {
  /** Fixes the shifts drawn (default 0): same data, options and seed, same p-values. */
  readonly seed?: number;
  /** Labels' autocorrelation under which shifts are long enough (default 0.1). */
  readonly correlationThreshold?: number;
  /** What an observation is, for the method's description (default "observations"). */
  readonly observationName?: string;
  /** Variables to analyse (default all). */
  readonly variables?: readonly string[];
  readonly distribution?: DistributionOptions;
  /** Told after each variable (a stage passes it on as progress). */
  readonly progress?: (done: number, total: number) => void;
}

/** What `results.evidence` says about the distribution test. */
export interface DistributionEvidence {
  /** The method in words, with B. */
  readonly method: string;
  readonly observations: number;
  readonly positiveObservations: number;
  /** Bad episodes (observations.ts `badEpisodes`). */
  readonly episodes: number;
  /** The labels' correlation length in observations: shorter shifts stay out of the fitted tail. */
  readonly correlationLength: number;
  /** Rotations there are (W − 1). */
  readonly allowedShifts: number;
  readonly maxShifts: number;
  readonly seed: number;
}

export interface TimeAwareDistribution {
  readonly entries: DistributionEntry[];
  readonly evidence: DistributionEvidence;
}

/** The rows' labels from their observations' (0 for rows left out) and the mask, null for all rows. */
function rowLabels(observations: Observations): { labels: Uint8Array; mask: Uint8Array | null } {
  const rows = observations.ofRow.length;
  const labels = new Uint8Array(rows);
  const mask = new Uint8Array(rows);
  let all = true;
  for (let i = 0; i < rows; i++) {
    const o = observations.ofRow[i];
    if (o < 0) {
      all = false;
      continue;
    }
    mask[i] = 1;
    labels[i] = observations.labels[o];
  }
  return { labels, mask: all ? null : mask };
}

function summary(result: ReturnType<typeof shiftTest>): { pValue: number; shiftTest: ShiftTestSummary } {
  return {
    pValue: result.pValue,
    shiftTest: {
      shifts: result.shifts,
      exhaustive: result.exhaustive,
      pScore: result.pValues[0],
      pTest: result.pValues.length > 1 ? result.pValues[1] : null,
      tail: result.tail,
    },
  };
}

/**
 * The distribution entries of `table`'s variables between the populations the observations'
 * labels define (rows carry their observation's label; rows of no observation are left out),
 * with time-aware p-values and q-values, ranked by score as `analyzeDistribution` ranks them.
 * Rows must be in time order (file order without time) for the observations to be.
 */
export function analyzeOverTime(
  table: ObservationTable,
  observations: Observations,
  options: TimeAwareOptions = {},
): TimeAwareDistribution {
  if (observations.ofRow.length !== table.rows) {
    throw new RangeError(
      `analyzeOverTime: ${observations.ofRow.length} rows observed, the table has ${table.rows}`,
    );
  }
  const variables = selectByName(table.variables, options.variables);
  const { labels, mask } = rowLabels(observations);
  const selection = mask === null ? {} : { rows: mask };
  const W = observations.count;
  const seed = options.seed ?? 0;
  const maxShifts = options.maxShifts ?? DEFAULT_MAX_SHIFTS;
  const L = correlationLength(observations.labels, Math.floor(W / 2), options.correlationThreshold ?? 0.1);
  const schedule = shiftSchedule(W, L, maxShifts, createRng(seed));
  const context = shiftContext(observations);

  const tested: DistributionEntry[] = variables.map((variable, i) => {
    try {
      return testOverTime(variable);
    } finally {
      options.progress?.(i + 1, variables.length);
    }
  });
  function testOverTime(variable: (typeof variables)[number]): DistributionEntry {
    const prepared = prepareDistribution({ rows: table.rows, variables: [variable] }, options.distribution);
    const [entry] = analyzeEach(prepared, labels, selection);
    const column = prepared.variables[0];
    let kernel: ShiftKernel | null = null;
    if (entry.kind === 'numeric' && column.kind === 'numeric' && entry.ksPValue !== null) {
      kernel = numericKernel(column, context, entry.histogram.edges, entry.ks !== null);
    } else if (
      entry.kind === 'categorical' &&
      column.kind === 'categorical' &&
      entry.chiSquarePValue !== null
    ) {
      kernel = categoricalKernel(column.codes, column.levels.length, context, true);
    }
    if (entry.kind === 'identifier') return entry;
    const pValueIid = entry.kind === 'numeric' ? entry.ksPValue : entry.chiSquarePValue;
    if (kernel === null || schedule.shifts.length === 0) {
      // no test possible (a population without values), or no shift long enough: nothing shown
      return { ...entry, pValue: kernel === null ? null : 1, pValueIid };
    }
    const result = shiftTest(kernel, schedule, options);
    return { ...entry, ...summary(result), pValueIid };
  }

  const ranked = rankEntries(tested);
  const pValues = ranked.map((e) => (e.kind === 'identifier' ? Number.NaN : (e.pValue ?? Number.NaN)));
  const qValues = benjaminiHochberg(pValues);
  const entries = ranked.map((e, i): DistributionEntry => {
    if (e.kind === 'identifier') return e;
    return { ...e, qValueIid: e.qValue, qValue: Number.isNaN(qValues[i]) ? null : qValues[i] };
  });
  const positiveObservations = observations.labels.reduce((s, y) => s + y, 0);
  const name = options.observationName ?? 'observations';
  const h = options.exceedances ?? DEFAULT_EXCEEDANCES;
  const ranks = entries.filter((e) => e.kind !== 'identifier').length;
  return {
    entries,
    evidence: {
      method:
        `circular shifts of the labels against time over ${W} ${name}, B adaptive up to ${maxShifts} ` +
        `(Besag–Clifford, stop at ${h} exceedances); beyond every shift a generalized Pareto tail fitted ` +
        `on the shifts of at least ${L} (the labels' correlation length); score and KS (chi-square for ` +
        `categories) combined by min-p (Bonferroni in the tail); Benjamini–Hochberg over ${ranks} variables`,
      observations: W,
      positiveObservations,
      episodes: badEpisodes(observations.labels).count,
      correlationLength: L,
      allowedShifts: schedule.allowed,
      maxShifts,
      seed,
    },
  };
}
