/**
 * Typed errors for input the user can fix. Each names where the problem is (a configuration
 * path, a file, a column, a row) and what to do; the command line maps them to exit status 2 and
 * Temporal to a non-retryable failure.
 */
export interface InputProblem {
  /** Where: a configuration path (`search.trials`), a column (`"Torque [Nm]"`), `file:row`, … */
  readonly where: string;
  /** What is wrong and, where possible, what to do. */
  readonly message: string;
}

export class InvalidInputError extends Error {
  readonly problems: readonly InputProblem[];

  constructor(problems: InputProblem | readonly InputProblem[]) {
    const list = Array.isArray(problems) ? problems : [problems as InputProblem];
    super(list.map((p) => (p.where ? `${p.where}: ${p.message}` : p.message)).join('\n'));
    this.name = 'InvalidInputError';
    this.problems = list;
  }
}

export function isInvalidInput(error: unknown): error is InvalidInputError {
  return error instanceof Error && error.name === 'InvalidInputError';
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/**
 * Up to three known names closest to `name` (case-insensitive), for a "did you mean" hint: close
 * spellings, else names that contain it or share its first three letters (`Tool wear` → `Tool
 * wear [min]`, `Torqe` → `Torque [Nm]`).
 */
export function closeNames(name: string, known: readonly string[]): string[] {
  const lower = name.toLowerCase();
  const spelled = closeSpellings(name, known);
  if (spelled.length > 0) return spelled;
  const containing = known.filter((k) => k.toLowerCase().includes(lower)).slice(0, 3);
  if (containing.length > 0 || lower.length < 3) return containing;
  return known.filter((k) => k.toLowerCase().startsWith(lower.slice(0, 3))).slice(0, 3);
}

function closeSpellings(name: string, known: readonly string[]): string[] {
  const lower = name.toLowerCase();
  return known
    .map((k) => {
      const kl = k.toLowerCase();
      const contains = kl.includes(lower) || lower.includes(kl) ? 0 : 1;
      return { k, d: editDistance(lower, kl) + contains * 0.5 };
    })
    .filter((x) => x.d <= Math.max(2, name.length / 2))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.k);
}

/** The standard message for a name that does not exist. */
export function unknownName(kind: string, name: string, known: readonly string[]): string {
  const close = closeNames(name, known);
  const hint = close.length > 0 ? `; did you mean ${close.map((c) => JSON.stringify(c)).join(', ')}?` : '';
  return `${kind} ${JSON.stringify(name)} does not exist${hint}`;
}
