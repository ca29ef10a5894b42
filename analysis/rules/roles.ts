/**
 * Roles (configuration `variables.roles`): settings and materials are what an operator can
 * change, so windows and rules are recommended on them; measurements and ambient conditions
 * move with the problem and nobody sets them, so the report shows them as indicators. A
 * variable not listed has no role and is treated as something one can act on.
 */
import { type InputProblem, unknownName } from '../errors';
import { type RoleLists, VARIABLE_ROLES, type VariableRole } from './types';

export function roleOf(roles: RoleLists | undefined, variable: string): VariableRole | undefined {
  if (!roles) return undefined;
  for (const role of VARIABLE_ROLES) if (roles[role]?.includes(variable)) return role;
  return undefined;
}

/** Measurements and ambient conditions: read them as symptoms, not as levers. */
export function isIndicator(role: VariableRole | undefined): boolean {
  return role === 'measurement' || role === 'ambient';
}

/**
 * Problems with `variables.roles` against the data's columns: unknown names, and a variable
 * given two roles. Each names its configuration path.
 */
export function roleProblems(roles: RoleLists | undefined, columns: readonly string[]): InputProblem[] {
  if (!roles) return [];
  const problems: InputProblem[] = [];
  const known = new Set(columns);
  const seen = new Map<string, VariableRole>();
  for (const role of VARIABLE_ROLES) {
    (roles[role] ?? []).forEach((name, k) => {
      const where = `variables.roles.${role}[${k}]`;
      if (!known.has(name)) problems.push({ where, message: unknownName('column', name, columns) });
      const other = seen.get(name);
      if (other !== undefined && other !== role)
        problems.push({
          where,
          message: `${JSON.stringify(name)} is already a ${other}; give each variable one role`,
        });
      seen.set(name, role);
    });
  }
  return problems;
}
