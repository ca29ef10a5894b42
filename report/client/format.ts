/** Numbers, times and DOM text for the report's pages. Every text goes in as text, never as HTML. */

export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(1);
  return Number(x.toPrecision(digits)).toString();
}

export function percent(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined ? '—' : `${fmt(100 * x, digits)} %`;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * A source without time has its rows at 1970-01-01 + i minutes (connectors/sources.ts,
 * `rowOrder`): such a report speaks of rows, not dates.
 */
export const ROW_MS = 60_000;

export interface TimeFormat {
  readonly rowOrder: boolean;
  /** A time as the axis and the status line show it. */
  readonly label: (ms: number) => string;
  /** The zoom field's text for a time, and back (NaN when it does not parse). */
  readonly toInput: (ms: number) => string;
  readonly fromInput: (text: string) => number;
}

export function timeFormat(rowOrder: boolean): TimeFormat {
  const rowOf = (ms: number) => Math.round(ms / ROW_MS) + 1;
  return {
    rowOrder,
    label: (ms) =>
      rowOrder ? `row ${rowOf(ms)}` : new Date(ms).toISOString().slice(0, 16).replace('T', ' '),
    toInput: (ms) => (rowOrder ? String(rowOf(ms)) : new Date(ms).toISOString().slice(0, 16)),
    fromInput: (text) => (rowOrder ? (Number(text) - 1) * ROW_MS : Date.parse(`${text}Z`)),
  };
}
