/**
 * The rule search gives the same rules and the same null draws as before its speed-ups (issue 21):
 * on lines with a known mechanism (minutes and batches; the dead-time line left out for its cost), every rule's conditions, WRAcc and
 * q-value, and the best quality of each null draw, equal to the last digit the figures recorded
 * by the search as it was before (test/fixtures/rules/same-results.json, written by the code of
 * commit a866b84 with `RULES_SAME_RESULTS_WRITE=1`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateMechanismLine, type Mechanism } from '../../analysis/demo/mechanism-lines';
import { nullBestQualities, type WhatToDoInput, withRuleQValues } from '../../analysis/rules/what-to-do';
import { analyzeLine } from '../support/rules-lines';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'rules', 'same-results.json');
const LINES: readonly { mechanism: Mechanism; seed: number }[] = [
  { mechanism: 'threshold', seed: 2 },
  { mechanism: 'interaction', seed: 2 },
  { mechanism: 'lot', seed: 1 },
  { mechanism: 'null', seed: 2 },
];
const DRAWS = 19;

interface Recorded {
  readonly rules: { conditions: unknown; wracc: number; qValue: number | null }[];
  readonly recommendation: unknown;
  readonly nullBests: number[];
}

function record(mechanism: Mechanism, seed: number): Recorded {
  const line = generateMechanismLine({ mechanism, seed });
  const a = analyzeLine(line, { nullDraws: 0 });
  const ranked = a.after.filter((e) => e.kind !== 'identifier').map((e) => e.variable);
  const cut = Math.floor(line.table.rows * 0.8);
  const all = Uint32Array.from({ length: line.table.rows }, (_, i) => i);
  const input: WhatToDoInput = {
    table: a.aligned,
    labels: a.labels,
    train: all.subarray(0, cut),
    validation: all.subarray(cut),
    variables: ranked,
    roles: line.truth.roles,
  };
  // Drawn in two parts, as the rules stage splits them over its threads.
  const nullBests = [
    ...nullBestQualities(input, { seed: 7 }, 0, 8),
    ...nullBestQualities(input, { seed: 7 }, 8, DRAWS - 8),
  ];
  const found = withRuleQValues(a.result, nullBests, 'circular shift');
  return {
    rules: found.rules.map((r) => ({ conditions: r.conditions, wracc: r.wracc, qValue: r.qValue })),
    recommendation: a.result.recommendation?.conditions ?? null,
    nullBests,
  };
}

const key = (l: { mechanism: Mechanism; seed: number }) => `${l.mechanism} ${l.seed}`;

if (process.env.RULES_SAME_RESULTS_WRITE === '1') {
  test('records the figures', () => {
    const out: Record<string, Recorded> = {};
    for (const l of LINES) out[key(l)] = record(l.mechanism, l.seed);
    writeFileSync(FIXTURE, `${JSON.stringify(out, null, 1)}\n`);
  }, 600_000);
} else {
  const recorded: Record<string, Recorded> = existsSync(FIXTURE)
    ? JSON.parse(readFileSync(FIXTURE, 'utf8'))
    : {};
  describe('the rule search gives the figures it gave before its speed-ups', () => {
    for (const l of LINES) {
      it(key(l), () => {
        const now = record(l.mechanism, l.seed);
        expect(now).toEqual(recorded[key(l)]);
        // A line with a cause keeps at least one rule; the fixture is not empty.
        expect(now.nullBests).toHaveLength(DRAWS);
      }, 120_000);
    }
  });
}
