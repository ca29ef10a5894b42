/**
 * `contributions.json`, written a block of numbers at a time: the same bytes as `toJson` of
 * `{ expectedValue, variables, time, values, rest }` with the arrays as plain arrays, without
 * building them or the whole text (on a million rows, 10 million numbers: about 200 MB of text
 * and 80 MB of arrays, at the explain stage's peak).
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { VariableContributions } from '../analysis/explain/importance';
import { fileUri, toJson } from './workspace';

/** Numbers a write holds. */
const BLOCK = 65_536;

/** A number as `toJson` writes it: JSON's own text, null where not finite. */
function numberText(x: number): string {
  return Number.isFinite(x) ? JSON.stringify(x) : 'null';
}

export function writeContributions(workDir: string, contributions: VariableContributions): string {
  mkdirSync(workDir, { recursive: true });
  const file = path.join(workDir, 'contributions.json');
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w');
  let written = false;
  try {
    const write = (text: string) => writeSync(fd, text);
    const array = (values: Float64Array) => {
      write('[');
      for (let start = 0; start < values.length; start += BLOCK) {
        const block = Array.from(values.subarray(start, start + BLOCK), numberText).join(',');
        write(start > 0 ? `,${block}` : block);
      }
      write(']');
    };
    write(
      `{"expectedValue":${toJson(contributions.expectedValue)},"variables":${toJson(contributions.variables)},"time":`,
    );
    array(contributions.time);
    write(',"values":');
    array(contributions.values);
    write(',"rest":');
    array(contributions.rest);
    write('}');
    written = true;
  } finally {
    closeSync(fd);
    if (!written) rmSync(temp, { force: true });
  }
  renameSync(temp, file);
  return fileUri(file);
}
