/**
 * Run by test/unit/compute.test.ts in a process of its own: closes a pool whose two threads are
 * busy, then prints `closed` and sets status 3. Exiting 0 with nothing printed is the bug.
 */
import { syntheticClassification } from '../../analysis/learners/gbdt/synthetic';
import { ComputePool } from '../../compute/pool';

async function main(): Promise<void> {
  const { features, labels } = syntheticClassification(4000, 10, 3);
  const rows = (from: number, to: number) => Uint32Array.from({ length: to - from }, (_, k) => from + k);
  const pool = new ComputePool({ size: 2 });
  for (const seed of [1, 2]) {
    pool
      .run('fit-trial', {
        data: { features, labels },
        trial: {
          kind: 'gbdt',
          params: { num_iterations: 5000, seed },
          folds: [{ train: rows(0, 3000), validation: rows(3000, 4000) }],
          reportEvery: 10,
        },
      })
      .catch(() => undefined);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  await pool.close();
  process.stdout.write('closed\n');
  process.exitCode = 3;
}

void main();
