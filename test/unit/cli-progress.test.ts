/** The progress on stderr (cli/progress.ts): steps with the time left, quiet stages, trials. */
import { formatDuration, stderrProgress } from '../../cli/progress';

function recorder(isTerminal: boolean) {
  const written: string[] = [];
  // the fake timers move Date.now, which the progress reads
  const progress = stderrProgress((t) => written.push(t), { isTerminal, quietMs: 15_000 });
  return { progress, written, advance: (ms: number) => jest.advanceTimersByTime(ms) };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('stderrProgress off a terminal', () => {
  it('tells a quiet stage is still running every 15 s, and nothing else', () => {
    const { progress, written, advance } = recorder(false);
    progress.stage('extract', 'line.parquet');
    advance(14_000);
    expect(written).toEqual(['[0.0s] extract: line.parquet\n']);
    advance(2_000);
    advance(15_000);
    expect(written.slice(1)).toEqual([
      '[15.0s] extract: still running (15 s in this stage)\n',
      '[30.0s] extract: still running (30 s in this stage)\n',
    ]);
    progress.close();
    advance(60_000);
    expect(written).toHaveLength(3);
  });

  it('gives steps with the share done and the time left, at most every 5 s', () => {
    const { progress, written, advance } = recorder(false);
    progress.stage('distribution');
    advance(10_000);
    progress.step(100, 400, 'variables');
    advance(1_000);
    progress.step(110, 400, 'variables');
    advance(9_000);
    progress.step(200, 400, 'variables');
    progress.step(400, 400, 'variables');
    progress.close();
    expect(written.slice(1)).toEqual([
      '[10.0s] distribution: 100 of 400 variables (25%), about 30 s left\n',
      '[20.0s] distribution: 200 of 400 variables (50%), about 20 s left\n',
      '[20.0s] distribution: 400 of 400 variables (100%)\n',
    ]);
  });

  it('names trials by their number and says the time left', () => {
    const { progress, written } = recorder(false);
    progress.trial({
      done: 5,
      total: 30,
      best: { value: 0.91234, number: 3 },
      trial: { number: 4, learner: 'gbdt', state: 'pruned', value: 0.8 },
      secondsLeft: 70,
    });
    progress.trial({
      done: 30,
      total: 30,
      best: { value: 0.91234, number: 3 },
      trial: { number: 29, learner: 'logistic', state: 'failed', value: null },
      secondsLeft: 0,
    });
    progress.close();
    expect(written).toEqual([
      '[0.0s] search: 5 of 30 trials done, best AUC 0.9123 (trial 3); trial 4 gbdt pruned 0.8000; about 1 min 10 s left\n',
      '[0.0s] search: 30 of 30 trials done, best AUC 0.9123 (trial 3); trial 29 logistic failed\n',
    ]);
  });
});

describe('stderrProgress on a terminal', () => {
  it('keeps one status line that counts the seconds of a quiet stage, then ends it', () => {
    const { progress, written, advance } = recorder(true);
    progress.stage('extract');
    advance(1_000);
    advance(1_000);
    progress.close();
    expect(written).toEqual([
      '[0.0s] extract\n',
      '\r\x1b[2K[1.0s] extract: still running (1 s in this stage)',
      '\r\x1b[2K[2.0s] extract: still running (2 s in this stage)',
      '\n',
    ]);
  });
});

describe('formatDuration', () => {
  it('reads at a glance', () => {
    expect([0, 44.6, 59.4, 60, 125, 3599, 3600, 7380].map(formatDuration)).toEqual([
      '0 s',
      '45 s',
      '59 s',
      '1 min 00 s',
      '2 min 05 s',
      '59 min 59 s',
      '1 h 00 min',
      '2 h 03 min',
    ]);
  });
});
