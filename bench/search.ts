/**
 * `npm run bench -- search [SEEDS TRIALS REPEATS] [--independent]`: our TPE against Optuna's
 * TPESampler on Branin, Hartmann-6 and a noisy 4-d sphere, same boxes, budgets and seeds.
 *
 * Both sides run with their defaults (ours follow Optuna 5: multivariate, constant liar);
 * `--independent` runs both with multivariate off. Quality: regret = true value at the trial with
 * the best observed value − the known optimum, mean over seeds (± standard error). Speed: seconds
 * per ask — time in ask + suggest + tell, not in the objective — median over repeats.
 * Summary: ours_s / reference_s are seconds per ask; regret_* the mean of the three mean regrets.
 */
import { createRng } from '../analysis/random';
import { observe, testFunctions } from '../analysis/search/objectives';
import { Study } from '../analysis/search/study';
import { median, printSummary, runPythonReference } from './harness';

interface Reference {
  optuna: string;
  seconds_per_ask: number;
  regret: Record<string, number>;
  regret_by_seed: Record<string, number[]>;
}

function runOurs(seeds: number, trials: number, multivariate: boolean) {
  let samplerNs = 0n;
  let asks = 0;
  const bySeed: Record<string, number[]> = {};
  for (const fn of testFunctions) {
    bySeed[fn.name] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const study = new Study({ seed, sampler: { kind: 'tpe', multivariate }, pruner: { kind: 'none' } });
      const noise = createRng(1000 + seed);
      let bestObserved = Number.POSITIVE_INFINITY;
      let bestTrue = Number.POSITIVE_INFINITY;
      for (let i = 0; i < trials; i++) {
        let t0 = process.hrtime.bigint();
        const trial = study.ask();
        const x = fn.low.map((low, j) => trial.suggestFloat(`x${j}`, low, fn.high[j]));
        samplerNs += process.hrtime.bigint() - t0;
        const y = observe(fn, x, noise);
        t0 = process.hrtime.bigint();
        study.tell(trial.number, { state: 'complete', value: y });
        samplerNs += process.hrtime.bigint() - t0;
        asks++;
        if (y < bestObserved) {
          bestObserved = y;
          bestTrue = fn.f(x);
        }
      }
      bySeed[fn.name].push(bestTrue - fn.optimum);
    }
  }
  return { secondsPerAsk: Number(samplerNs) / 1e9 / asks, bySeed };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const stderr = (xs: readonly number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1) / xs.length);
};

function main(): void {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const independent = process.argv.includes('--independent');
  const [seeds, trials, repeats] = [Number(args[0] ?? 20), Number(args[1] ?? 50), Number(args[2] ?? 3)];
  console.error(
    `search bench: ${seeds} seeds × ${trials} trials × ${testFunctions.length} functions, ${repeats} repeats`,
  );

  const ours: ReturnType<typeof runOurs>[] = [];
  for (let r = 0; r < repeats; r++) {
    ours.push(runOurs(seeds, trials, !independent));
    console.error(`ours repeat ${r}: ${(ours[r].secondsPerAsk * 1e3).toFixed(3)} ms per ask`);
  }
  const reference = runPythonReference<Reference>('search_reference.py', [
    String(seeds),
    String(trials),
    String(repeats),
    ...(independent ? ['--independent'] : []),
  ]);

  const oursPerAsk = median(ours.map((o) => o.secondsPerAsk));
  const bySeed = ours[0].bySeed; // the same in every repeat: seeded
  console.log(`optuna ${reference.optuna}, ${independent ? 'independent' : 'multivariate'} TPE`);
  console.log('function        regret ours (± se)      regret optuna (± se)');
  const oursMeans: number[] = [];
  const refMeans: number[] = [];
  const extra: Record<string, number | string> = {};
  for (const fn of testFunctions) {
    const o = bySeed[fn.name];
    const p = reference.regret_by_seed[fn.name];
    oursMeans.push(mean(o));
    refMeans.push(mean(p));
    extra[`regret_${fn.name}_ours`] = Number(mean(o).toPrecision(4));
    extra[`regret_${fn.name}_reference`] = Number(mean(p).toPrecision(4));
    console.log(
      `${fn.name.padEnd(15)} ${mean(o).toFixed(4)} (± ${stderr(o).toFixed(4)})     ${mean(p).toFixed(4)} (± ${stderr(p).toFixed(4)})`,
    );
  }
  console.log(
    `ms per ask: ours ${(oursPerAsk * 1e3).toFixed(3)}, optuna ${(reference.seconds_per_ask * 1e3).toFixed(3)}`,
  );
  printSummary('search', oursPerAsk, reference.seconds_per_ask, {
    unit: 'seconds per ask',
    sampler: independent ? 'tpe independent' : 'tpe multivariate (defaults)',
    regret_ours: Number(mean(oursMeans).toPrecision(4)),
    regret_reference: Number(mean(refMeans).toPrecision(4)),
    ...extra,
  });
}

main();
