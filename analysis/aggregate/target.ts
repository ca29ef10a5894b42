/**
 * Target expressions: the rule that splits observations into the positive ("bad") and negative
 * populations, e.g. `defect_rate > 0.05`, `"Machine failure" == 1`,
 * `burnt_rate > 0.02 or (energy_kw >= 180 and line_state == 'running')`.
 *
 * Grammar (case-insensitive keywords):
 *   expression := conjunction ("or" conjunction)*
 *   conjunction := term ("and" term)*
 *   term := "(" expression ")" | column op value
 *   column := bare name [A-Za-z_][A-Za-z0-9_.]* | "double-quoted name" (\" and \\ escape)
 *   op := > | >= | < | <= | == | !=
 *   value := number | 'single-quoted text' | true | false
 * A comparison on a missing value is false (as in SQL, where it is NULL), so `!=` does not
 * make missing rows positive. A text column compares with == or != and a quoted text only: the
 * loader reads a column as text when most of its values are not numbers, so a number compared
 * with it is a mistake, reported as such.
 */
import { InvalidInputError, unknownName } from '../errors';
import type { ObservationTable } from '../frame';

export type ComparisonOperator = '>' | '>=' | '<' | '<=' | '==' | '!=';

export type TargetExpression =
  | {
      readonly kind: 'compare';
      readonly column: string;
      readonly op: ComparisonOperator;
      readonly value: number | string;
    }
  | { readonly kind: 'and' | 'or'; readonly terms: readonly TargetExpression[] };

type Token =
  | { type: 'name'; text: string; quoted: boolean; at: number }
  | { type: 'number'; value: number; at: number }
  | { type: 'text'; value: string; at: number }
  | { type: 'op'; op: ComparisonOperator; at: number }
  | { type: 'paren'; open: boolean; at: number };

const OPERATORS: readonly ComparisonOperator[] = ['>=', '<=', '==', '!=', '>', '<'];

function problem(source: string, at: number, message: string): InvalidInputError {
  return new InvalidInputError({
    where: 'target',
    message: `${message} at character ${at + 1} of ${JSON.stringify(source)}`,
  });
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ type: 'paren', open: c === '(', at: i });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op) {
      tokens.push({ type: 'op', op, at: i });
      i += op.length;
      continue;
    }
    if (c === '=' && source[i + 1] !== '=') throw problem(source, i, 'use == to compare, not =');
    if (c === '"' || c === "'") {
      const start = i;
      let text = '';
      i++;
      while (i < source.length && source[i] !== c) {
        if (source[i] === '\\' && i + 1 < source.length) i++;
        text += source[i];
        i++;
      }
      if (i >= source.length) throw problem(source, start, `unclosed ${c}`);
      i++;
      tokens.push(
        c === '"'
          ? { type: 'name', text, quoted: true, at: start }
          : { type: 'text', value: text, at: start },
      );
      continue;
    }
    const number = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(source.slice(i));
    if (
      number &&
      (c !== '-' && c !== '+' ? true : tokens.length > 0 && tokens[tokens.length - 1].type === 'op')
    ) {
      tokens.push({ type: 'number', value: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(i));
    if (name) {
      tokens.push({ type: 'name', text: name[0], quoted: false, at: i });
      i += name[0].length;
      continue;
    }
    throw problem(
      source,
      i,
      `unexpected ${JSON.stringify(c)} (quote names with spaces or brackets: "Torque [Nm]" > 60)`,
    );
  }
  return tokens;
}

/** Parses a target expression; throws `InvalidInputError` (where: `target`) saying what and where. */
export function parseTarget(source: string): TargetExpression {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new InvalidInputError({
      where: 'target',
      message: 'must be a non-empty expression such as "defect_rate > 0.05"',
    });
  }
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const keyword = (t: Token | undefined, word: string): boolean =>
    t?.type === 'name' && !t.quoted && t.text.toLowerCase() === word;
  const end = (): number => (pos < tokens.length ? tokens[pos].at : source.length);

  const expression = (): TargetExpression => {
    const terms = [conjunction()];
    while (keyword(peek(), 'or')) {
      pos++;
      terms.push(conjunction());
    }
    return terms.length === 1 ? terms[0] : { kind: 'or', terms };
  };
  const conjunction = (): TargetExpression => {
    const terms = [term()];
    while (keyword(peek(), 'and')) {
      pos++;
      terms.push(term());
    }
    return terms.length === 1 ? terms[0] : { kind: 'and', terms };
  };
  const term = (): TargetExpression => {
    const t = peek();
    if (t?.type === 'paren' && t.open) {
      pos++;
      const inner = expression();
      const close = peek();
      if (!(close?.type === 'paren' && !close.open)) throw problem(source, end(), 'expected )');
      pos++;
      return inner;
    }
    if (t?.type !== 'name') throw problem(source, end(), 'expected a column name');
    pos++;
    const op = peek();
    if (op?.type !== 'op') {
      const hint = t.quoted ? '' : ' (quote names with spaces or brackets: "Torque [Nm]")';
      throw problem(source, end(), `expected one of > >= < <= == != after ${JSON.stringify(t.text)}${hint}`);
    }
    pos++;
    const v = peek();
    let value: number | string;
    if (v?.type === 'number') value = v.value;
    else if (v?.type === 'text') value = v.value;
    else if (keyword(v, 'true') || keyword(v, 'false')) value = keyword(v, 'true') ? 1 : 0;
    else throw problem(source, end(), "expected a number or a 'quoted' value");
    pos++;
    return { kind: 'compare', column: t.text, op: op.op, value };
  };

  const result = expression();
  if (pos < tokens.length) throw problem(source, end(), 'unexpected text (join comparisons with and / or)');
  return result;
}

/** The columns a target reads, in order of first use: they leave the explanatory variables. */
export function targetColumns(target: TargetExpression): string[] {
  const seen = new Set<string>();
  const visit = (t: TargetExpression): void => {
    if (t.kind === 'compare') seen.add(t.column);
    else t.terms.forEach(visit);
  };
  visit(target);
  return [...seen];
}

/** Checks that every column of the target exists, with did-you-mean suggestions. */
export function checkTargetColumns(target: TargetExpression, known: readonly string[]): void {
  const problems = targetColumns(target)
    .filter((c) => !known.includes(c))
    .map((c) => ({ where: 'target', message: unknownName('column', c, known) }));
  if (problems.length > 0) throw new InvalidInputError(problems);
}

function compareNumbers(x: number, op: ComparisonOperator, v: number): boolean {
  switch (op) {
    case '>':
      return x > v;
    case '>=':
      return x >= v;
    case '<':
      return x < v;
    case '<=':
      return x <= v;
    case '==':
      return x === v;
    case '!=':
      return x !== v;
  }
}

/** Evaluates the target on every row: 1 where it holds, 0 elsewhere (and where a value is missing). */
export function evaluateTarget(target: TargetExpression, table: ObservationTable): Uint8Array {
  checkTargetColumns(
    target,
    table.variables.map((v) => v.name),
  );
  const byName = new Map(table.variables.map((v) => [v.name, v]));
  const evaluate = (t: TargetExpression): Uint8Array => {
    if (t.kind !== 'compare') {
      const parts = t.terms.map(evaluate);
      const out = parts[0].slice();
      for (let k = 1; k < parts.length; k++) {
        const p = parts[k];
        for (let i = 0; i < out.length; i++) out[i] = t.kind === 'and' ? out[i] & p[i] : out[i] | p[i];
      }
      return out;
    }
    const variable = byName.get(t.column)!;
    const out = new Uint8Array(table.rows);
    if (variable.data.kind === 'numeric') {
      if (typeof t.value !== 'number') {
        throw new InvalidInputError({
          where: 'target',
          message: `column ${JSON.stringify(t.column)} is numeric; compare it with a number, not '${t.value}'`,
        });
      }
      const values = variable.data.values;
      for (let i = 0; i < out.length; i++) {
        const x = values[i];
        out[i] = !Number.isNaN(x) && compareNumbers(x, t.op, t.value) ? 1 : 0;
      }
      return out;
    }
    const values = variable.data.values;
    if (typeof t.value === 'number') {
      const example = values.find((v) => v !== null);
      throw new InvalidInputError({
        where: 'target',
        message: `column ${JSON.stringify(t.column)} is text${example !== undefined ? ` (values such as '${example}')` : ''}: compare it with == or != and a 'quoted' value, not with the number ${t.value}`,
      });
    }
    if (t.op !== '==' && t.op !== '!=') {
      throw new InvalidInputError({
        where: 'target',
        message: `column ${JSON.stringify(t.column)} is text: compare it with == or != only`,
      });
    }
    for (let i = 0; i < out.length; i++) {
      const s = values[i];
      out[i] = s !== null && (s === t.value) === (t.op === '==') ? 1 : 0;
    }
    return out;
  };
  return evaluate(target);
}

/** Writes a target back as text (names quoted when needed), for reports and logs. */
export function formatTarget(target: TargetExpression): string {
  if (target.kind === 'compare') {
    const column = /^[A-Za-z_][A-Za-z0-9_.]*$/.test(target.column)
      ? target.column
      : `"${target.column.replace(/["\\]/g, '\\$&')}"`;
    const value =
      typeof target.value === 'number' ? String(target.value) : `'${target.value.replace(/['\\]/g, '\\$&')}'`;
    return `${column} ${target.op} ${value}`;
  }
  return target.terms
    .map((t) => (t.kind === 'or' && target.kind === 'and' ? `(${formatTarget(t)})` : formatTarget(t)))
    .join(` ${target.kind} `);
}
