/**
 * Console output shared by the benchmarks (parent side): timestamped progress lines, number
 * formatting and the Markdown-style tables of the reports, so both reports read the same way.
 */

/** When this benchmark started: progress lines and the report's total time count from here. */
export const startedAt = Date.now();

export const elapsedSeconds = () => (Date.now() - startedAt) / 1000;

export const log = (line: string) => process.stdout.write(`[${elapsedSeconds().toFixed(1).padStart(5)}s] ${line}\n`);

export const mb = (bytes: number) => bytes / 1024 / 1024;

export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** NaN (a phase without a sample, a skipped server) prints as n/a rather than "NaN". */
export const fmt = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** A Markdown table: the first column left-aligned (names), the others right-aligned (figures). */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    `| ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
