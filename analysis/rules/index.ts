/**
 * What to do about a problem: operating windows, rules on several variables, dead times,
 * comparison within strata, roles. Pure functions over an `ObservationTable` and its labels.
 */
export { conditionRows, ruleColumns, ruleFigures, ruleMask, satisfies } from './columns';
export {
  alignTable,
  asOfRows,
  DEFAULT_MAX_LAG_MS,
  type DeadTime,
  type DeadTimeOptions,
  findDeadTimes,
} from './dead-time';
export { circularOffset, circularShiftNull, type LabelNull, maxTPValues } from './null';
export { type OperatingWindowOptions, operatingWindow, windowFigures } from './operating-window';
export { isIndicator, roleOf, roleProblems } from './roles';
export {
  boundsOf,
  type DrawnBound,
  type WhatToDoItem,
  type WhatToDoSection,
  whatToDoSection,
} from './section';
export {
  cochranMantelHaenszel,
  compareWithinStrata,
  MAX_STRATA,
  type StrataOptions,
  type StratifiedComparison,
  type StratumEntry,
  strataOf,
} from './strata';
export { type Subgroup, type SubgroupSearchOptions, searchSubgroups } from './subgroups';
export type * from './types';
export { VARIABLE_ROLES } from './types';
export { type WhatToDo, type WhatToDoInput, type WhatToDoOptions, whatToDo } from './what-to-do';
