/**
 * Evidence that keeps the time structure of process data: p-values from circular shifts of the
 * labels against time (shifts.ts, kernels.ts, tail.ts), bad episodes (observations.ts), the
 * stability of the model's ranking against shadow variables (stability.ts), and one verdict per
 * variable (verdicts.ts). Pure: no I/O, runs in a browser.
 */
export { autocorrelation, correlationLength } from './autocorrelation';
export {
  badEpisodes,
  type Episodes,
  type Observations,
  observationsOf,
  rowsByObservation,
} from './observations';
export { rotatedLabels, type ShiftKernel, type ShiftOptions, shiftSchedule, shiftTest } from './shifts';
export {
  type FitAndExplain,
  rankingStability,
  SHADOW_PREFIX,
  type StabilityFold,
  type StabilityOptions,
  type StabilityPlan,
  stabilityOf,
  stabilityPlan,
  type VariableStability,
} from './stability';
export { fitGpd, tailPValue } from './tail';
export {
  analyzeOverTime,
  type DistributionEvidence,
  type TimeAwareDistribution,
  type TimeAwareOptions,
} from './time-aware';
export { type CauseVerdict, causeVerdicts, evidenceSummary, type Verdict } from './verdicts';
