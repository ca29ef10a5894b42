/**
 * Progress on stderr: the stage, how far it has gone (steps, trials) with an estimate of the
 * time left, and the elapsed time. On a terminal one status line rewrites itself and keeps
 * counting while a stage is quiet; elsewhere (CI, a log file) every event is a plain line, steps
 * at most every few seconds, and a quiet stage says it is still running every so often.
 */
import type { Progress, SearchProgress } from '../activities/progress';

export interface CommandProgress extends Progress {
  /** Ends the status line and stops the clock. */
  close(): void;
}

export interface ProgressOptions {
  readonly isTerminal: boolean;
  readonly now?: () => number;
  /** Milliseconds between two "still running" lines of a quiet stage off a terminal. */
  readonly quietMs?: number;
  /** Milliseconds between two step lines off a terminal. */
  readonly stepMs?: number;
}

/** "45 s", "3 min 05 s", "1 h 02 min": what a person reads at a glance. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** One trial and the search, in words: trials are named by their number, as in results.json. */
export function searchText(p: SearchProgress): string {
  const t = p.trial;
  const best = p.best ? `best AUC ${p.best.value.toFixed(4)} (trial ${p.best.number})` : 'no AUC yet';
  const told = `trial ${t.number} ${t.learner} ${t.state}${t.value !== null ? ` ${t.value.toFixed(4)}` : ''}`;
  const left =
    p.secondsLeft !== null && p.done < p.total ? `; about ${formatDuration(p.secondsLeft)} left` : '';
  return `search: ${p.done} of ${p.total} trials done, ${best}; ${told}${left}`;
}

export function stderrProgress(write: (text: string) => void, options: ProgressOptions): CommandProgress {
  const now = options.now ?? Date.now;
  const quietMs = options.quietMs ?? 15_000;
  const stepMs = options.stepMs ?? 5_000;
  const started = now();
  let stage = '';
  let stageStarted = started;
  let lastLine = started;
  let lastStep = 0;
  let status = '';
  let statusOpen = false;
  const elapsed = () => `[${((now() - started) / 1000).toFixed(1)}s]`;

  const line = (text: string) => {
    if (statusOpen) write('\r\x1b[2K');
    statusOpen = false;
    write(`${elapsed()} ${text}\n`);
    lastLine = now();
  };
  /** The status line: a step or a trial (kept, and shown again by the clock), or the clock's own. */
  const show = (text: string, kept = true) => {
    if (kept) status = text;
    if (options.isTerminal) {
      write(`\r\x1b[2K${elapsed()} ${text}`);
      statusOpen = true;
    } else line(text);
  };
  const clock = setInterval(() => {
    if (!stage) return;
    const quiet = `${stage}: still running (${formatDuration((now() - stageStarted) / 1000)} in this stage)`;
    if (options.isTerminal) show(status || quiet, false);
    else if (now() - lastLine >= quietMs) line(quiet);
  }, 1000);
  clock.unref();

  return {
    stage: (name, detail) => {
      stage = name;
      stageStarted = now();
      status = '';
      lastStep = 0;
      line(detail ? `${name}: ${detail}` : name);
    },
    step: (done, total, unit) => {
      const t = now();
      if (!options.isTerminal && done < total && t - lastStep < stepMs) return;
      lastStep = t;
      const spent = (t - stageStarted) / 1000;
      const left =
        done > 0 && done < total ? `, about ${formatDuration((spent * (total - done)) / done)} left` : '';
      const share = total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : '';
      show(`${stage}: ${done} of ${total} ${unit}${share}${left}`);
    },
    trial: (search) => show(searchText(search)),
    info: (message) => line(message),
    close: () => {
      clearInterval(clock);
      if (statusOpen) write('\n');
      statusOpen = false;
      stage = '';
    },
  };
}
