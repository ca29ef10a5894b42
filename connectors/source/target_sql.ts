/**
 * The target AST (`analysis/target.ts`) as a DuckDB boolean expression, with the same meaning
 * as `evaluateTarget`: a comparison on a missing value is false (the expression is wrapped in
 * `coalesce(…, false)`), text columns compare with == / != or numerically against a number.
 * Identifiers and literals are quoted, so no column name or value can change the statement.
 */
import { InvalidInputError, unknownName } from '../../analysis/errors';
import type { TargetExpression } from '../../analysis/target';
import { ident, literal, numberLiteral } from '../duckdb';

export type ColumnKind = 'numeric' | 'text';

const SQL_OP: Record<string, string> = { '>': '>', '>=': '>=', '<': '<', '<=': '<=', '==': '=', '!=': '<>' };

/**
 * Translates `target` for a table whose columns have the given kinds. Unknown columns and
 * comparisons that make no sense for a column's kind are refused with `InvalidInputError`.
 */
export function targetSql(target: TargetExpression, kinds: ReadonlyMap<string, ColumnKind>): string {
  const known = [...kinds.keys()];
  const visit = (t: TargetExpression): string => {
    if (t.kind !== 'compare') return `(${t.terms.map(visit).join(t.kind === 'and' ? ' AND ' : ' OR ')})`;
    const kind = kinds.get(t.column);
    if (!kind)
      throw new InvalidInputError({ where: 'target', message: unknownName('column', t.column, known) });
    const op = SQL_OP[t.op];
    const column = ident(t.column);
    if (typeof t.value === 'number') {
      const value = `CAST(${numberLiteral(t.value)} AS DOUBLE)`;
      // Text columns holding numbers still compare numerically, as evaluateTarget does.
      const x = kind === 'numeric' ? column : `TRY_CAST(${column} AS DOUBLE)`;
      return `(${x} ${op} ${value})`;
    }
    if (kind === 'numeric') {
      throw new InvalidInputError({
        where: 'target',
        message: `column ${JSON.stringify(t.column)} is numeric; compare it with a number, not '${t.value}'`,
      });
    }
    if (t.op !== '==' && t.op !== '!=') {
      throw new InvalidInputError({
        where: 'target',
        message: `column ${JSON.stringify(t.column)} is text: compare it with == or != only`,
      });
    }
    return `(${column} ${op} ${literal(t.value)})`;
  };
  return `coalesce(${visit(target)}, false)`;
}
