/** What a runner tells about a long analysis while it runs: the stage, trials, the best so far. */
export interface Progress {
  stage(name: string, detail?: string): void;
  trial(done: number, total: number, best: number | null, detail: string): void;
  info(message: string): void;
}
