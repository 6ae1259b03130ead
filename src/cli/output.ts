import { hidePasswords } from './errors.js';

/** Prints one JSON document with `--json`, readable lines otherwise. */
export class Output {
  constructor(readonly json: boolean) {}

  result(value: unknown, text: string | (() => string)): void {
    if (this.json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
    else process.stdout.write((typeof text === 'function' ? text() : text) + '\n');
  }

  /** One warning line on stderr (a JSON line with `--json`): never part of the document on stdout. */
  warn(text: string): void {
    const message = hidePasswords(text);
    if (this.json) process.stderr.write(JSON.stringify({ warning: message }) + '\n');
    else process.stderr.write(`latchkey: warning: ${message}\n`);
  }

  /** `stack`: only when the operator asked for it (`LATCHKEY_LOG_LEVEL=debug`). */
  error(code: string, text: string, stack?: string): void {
    const message = hidePasswords(text);
    if (this.json)
      process.stderr.write(
        JSON.stringify({ error: code, message, ...(stack ? { stack: hidePasswords(stack) } : {}) }) + '\n',
      );
    else process.stderr.write(`latchkey: ${message}\n${stack ? `${hidePasswords(stack)}\n` : ''}`);
  }
}

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (!rows.length) return '(none)';
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) return v.join(' ') || '-';
  return String(v);
}
