export interface Log {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** One JSON line per entry on stderr. */
export function jsonLog(level: 'info' | 'warn' | 'error' | 'silent' = 'info'): Log {
  const order = { info: 0, warn: 1, error: 2, silent: 3 };
  const write = (lvl: 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < order[level]) return;
    process.stderr.write(JSON.stringify({ t: new Date().toISOString(), level: lvl, msg, ...fields }) + '\n');
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}
