/** The logistic regression's search space (scikit-learn's names): the baseline of every analysis. */
import { type LearnerSpace, suggestRange } from '../search-space';

const ranges = {
  /** Inverse regularization strength, scikit-learn's semantics. */
  C: { kind: 'float', low: 1e-4, high: 1e2, log: true },
  penalty: { kind: 'categorical', choices: ['l2', 'l1'] },
} as const;

export const logisticSpace = {
  kind: 'logistic',
  displayName: 'logistic regression',
  baseline: true,
  ranges,
  fixed: {},
  // scikit-learn's defaults.
  defaults: { C: 1, penalty: 'l2' },
  suggest: (trial) => ({
    C: suggestRange(trial, 'C', ranges.C),
    penalty: suggestRange(trial, 'penalty', ranges.penalty),
  }),
} as const satisfies LearnerSpace;
