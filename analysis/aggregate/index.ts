/**
 * The one home of windows, aggregation functions, labels, the target and the identifier rule.
 * Pure: no I/O; connectors read the rows and write what comes out.
 */
export {
  aggregateObservations,
  explanatoryVariables,
  type FeatureColumn,
  type Observations,
} from './aggregate';
export { alignColumns, type MeasuredColumn } from './duplicates';
export { BASIC_FUNCTIONS, DEFAULT_FUNCTIONS, isAggregationFunction } from './functions';
export { type AggregationPlan, anyRow, type Groups, groupsOf } from './groups';
export { isIdentifier } from './identifier';
export { groupLabels, populationLabels, targetRows } from './labels';
export {
  checkTargetColumns,
  evaluateTarget,
  formatTarget,
  parseTarget,
  type TargetExpression,
  targetColumns,
} from './target';
export {
  formatDuration,
  type Period,
  parseDuration,
  parseInstant,
  parsePeriod,
  windowOf,
  windowStart,
} from './time';
