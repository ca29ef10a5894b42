/**
 * `what-to-do`: operating windows, rules and the recommendation (analysis/rules) on a thread:
 * the rule search runs again on every null draw of the labels, seconds of work on a long line.
 */
import type { Labels, ObservationTable } from '../../analysis/frame';
import type { RoleLists } from '../../analysis/rules/types';
import { type WhatToDo, type WhatToDoOptions, whatToDo } from '../../analysis/rules/what-to-do';
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
