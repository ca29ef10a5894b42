/**
 * Progress on stderr: the stage, trial i of N with the best value so far, and the elapsed time.
 * On a terminal the trial line rewrites itself; elsewhere (CI, a log file) every event is a plain
 * line of its own.
 */
import type { Progress } from '../activities/progress';

export function stderrProgress(write: (text: string) => void, isTerminal: boolean): Progress {
  const started = Date.now();
  let trialLineOpen = false;
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const line = (text: string) => {
    if (trialLineOpen) write('\n');
    trialLineOpen = false;
    write(`[${elapsed()}] ${text}\n`);
  };
  return {
    stage: (name, detail) => line(detail ? `${name}: ${detail}` : name),
    info: (message) => line(message),
    trial: (done, total, best, detail) => {
      const text = `[${elapsed()}] search: trial ${done} of ${total}, best AUC ${best === null ? '—' : best.toFixed(4)} (${detail})`;
      if (isTerminal) {
        write(`\r\x1b[2K${text}`);
        trialLineOpen = true;
      } else write(`${text}\n`);
    },
  };
}
