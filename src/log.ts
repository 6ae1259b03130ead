import { createRequire } from 'node:module';
import type { DestinationStream, Logger } from 'pino';

export interface Log {
  debug?(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Whether lines of `level` are written at all: a caller may skip building them (the request line). */
  enabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Field names whose values never reach a line: the second guard behind the rule that no caller logs a secret,
 * code, token, password or cookie (the first is the callers themselves, and the request line's fixed fields).
 * A `headers`, `body` or `query` object goes whole. Top-level paths only: pino compiles them into a few
 * property checks, where a wildcard (`*.token`) would walk every field of every line (~20 µs a line).
 */
const SECRET_KEYS = [
  'password',
  'new_password',
  'current_password',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'id_token_hint',
  'logout_token',
  'mfa_token',
  'code',
  'code_verifier',
  'device_code',
  'user_code',
  'otp',
  'totp',
  'csrf',
  'cookie',
  'set-cookie',
  'authorization',
  'headers',
  'body',
  'query',
];
export const REDACT_PATHS = SECRET_KEYS.map((key) => (/^\w+$/.test(key) ? key : `["${key}"]`));

const NOTHING = () => {};
const SILENT: Log = { debug: NOTHING, info: NOTHING, warn: NOTHING, error: NOTHING, enabled: () => false };

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** pino, loaded when a first line is written: a CLI command that logs nothing starts without it. */
function createLogger(level: LogLevel, destination: DestinationStream | undefined): Logger {
  const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
  return pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination ?? stderrDestination(pino),
  );
}

/**
 * stderr, written asynchronously: a line is handed to the file (or pipe) without a blocking `write(2)` per
 * request, and lines that come while a write is under way go out together in the next one (a synchronous
 * write per request line cost ~15 µs of the event loop, a fifth of a userinfo request). What is still
 * buffered when the process exits (a `process.exit`, the end of a CLI command, a crash's last line) is
 * written out synchronously then, so nothing is lost.
 */
const BUFFER_BYTES = 4096;
const FLUSH_MS = 1000;

function stderrDestination(pino: typeof import('pino')): DestinationStream {
  const destination = pino.destination({ fd: 2, sync: false, minLength: BUFFER_BYTES });
  // A quiet server's lines still go out within a second.
  setInterval(() => destination.flush(), FLUSH_MS).unref();
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // Not open yet, or already closed: there is nothing left to write.
    }
  });
  return destination;
}

/**
 * JSON lines through pino, on stderr unless `destination` says otherwise:
 * `{"level":"info","time":"2026-…Z",…fields,"msg":"…"}`. `silent` writes nothing; a level below `level`
 * costs one call that does nothing.
 */
export function jsonLog(level: LogLevel = 'info', destination?: DestinationStream): Log {
  if (level === 'silent') return SILENT;
  let logger: Logger | undefined;
  const at = (lvl: 'debug' | 'info' | 'warn' | 'error') => {
    if (ORDER[lvl] < ORDER[level]) return NOTHING;
    return (msg: string, fields?: Record<string, unknown>) => {
      logger ??= createLogger(level, destination);
      if (fields) logger[lvl](fields, msg);
      else logger[lvl](msg);
    };
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    enabled: (lvl) => ORDER[lvl] >= ORDER[level],
  };
}
