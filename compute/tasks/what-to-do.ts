/**
 * `what-to-do`: operating windows, rules and the recommendation (analysis/rules) on a thread;
 * `rule-null`: the whole rule search again on a part of the null draws of the labels (a second
 * or so each on a long line), so parts run side by side on the pool's threads.
 */
import type { Labels, ObservationTable } from '../../analysis/frame';
import type { RoleLists } from '../../analysis/rules/types';
import {
  nullBestQualities,
  type WhatToDo,
  type WhatToDoOptions,
  whatToDo,
} from '../../analysis/rules/what-to-do';
import type { TaskResult } from '../task';

export interface WhatToDoTaskInput {
  readonly table: ObservationTable;
  readonly labels: Labels;
  readonly train: Uint32Array;
  readonly validation: Uint32Array;
  readonly variables: readonly string[];
  readonly roles?: RoleLists;
  /** Dead times above 0, as [variable, minutes] pairs. */
  readonly lagMinutes: readonly (readonly [string, number])[];
  readonly options: Omit<WhatToDoOptions, 'labelNull'>;
}

export function whatToDoTask(input: WhatToDoTaskInput): TaskResult<WhatToDo> {
  const { lagMinutes, options, ...rest } = input;
  return { value: whatToDo({ ...rest, lagMinutes: new Map(lagMinutes) }, options) };
}

export interface RuleNullInput extends WhatToDoTaskInput {
  /** The draws of this part: `from` .. `from + count − 1`. */
  readonly from: number;
  readonly count: number;
}

export function ruleNullTask(input: RuleNullInput): TaskResult<number[]> {
  const { lagMinutes, options, from, count, ...rest } = input;
  return { value: nullBestQualities({ ...rest, lagMinutes: new Map(lagMinutes) }, options, from, count) };
}
