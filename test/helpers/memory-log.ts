import type { Log } from '../../src/log.js';

export interface LogEntry {
  level: string;
  msg: string;
  fields: Record<string, unknown> | undefined;
}

/** A `Log` that keeps every entry, for a test to read what the server logged. */
export function memoryLog(): Log & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    void entries.push({ level, msg, fields });
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}
