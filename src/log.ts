import { createRequire } from 'node:module';
import type { DestinationStream, Logger } from 'pino';
import { lineWriterFor } from './log-writer.js';

export interface Log {
  debug?(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Whether lines of `level` are written at all: a caller may skip building them (the request line). */
  enabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
  /** The per-request line at info, by a fast path where the log has one (else `info('request', …)`). */
  request?(line: RequestLine): void;
}

/** What the per-request line holds: fixed fields only, never a path, query, header or body. */
export interface RequestLine {
  request_id: string;
  method: string;
  route: string;
  status: number;
  duration_ms: number;
  client_id?: string | undefined;
  user_id?: string | undefined;
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
function createLogger(
  level: LogLevel,
  destination: DestinationStream | undefined,
): { logger: Logger; stream: DestinationStream } {
  const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
  const stream = destination ?? lineWriterFor(2);
  const logger = pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    stream,
  );
  return { logger, stream };
}

/**
 * JSON lines through pino, on stderr unless `destination` says otherwise:
 * `{"level":"info","time":"2026-…Z",…fields,"msg":"…"}`. `silent` writes nothing; a level below `level`
 * costs one call that does nothing.
 */
export function jsonLog(level: LogLevel = 'info', destination?: DestinationStream): Log {
  if (level === 'silent') return SILENT;
  let logger: Logger | undefined;
  let stream: DestinationStream | undefined;
  const open = (): Logger => {
    if (logger) return logger;
    const made = createLogger(level, destination);
    stream = made.stream;
    logger = made.logger;
    return logger;
  };
  const at = (lvl: 'debug' | 'info' | 'warn' | 'error') => {
    if (ORDER[lvl] < ORDER[level]) return NOTHING;
    return (msg: string, fields?: Record<string, unknown>) => {
      const to = open();
      if (fields) to[lvl](fields, msg);
      else to[lvl](msg);
    };
  };
  const info = at('info');
  return {
    debug: at('debug'),
    info,
    warn: at('warn'),
    error: at('error'),
    enabled: (lvl) => ORDER[lvl] >= ORDER[level],
    request:
      info === NOTHING
        ? NOTHING
        : (line) => {
            open();
            (stream as DestinationStream).write(requestLine(line));
          },
  };
}

/**
 * The request line, written straight to pino's destination in pino's own shape (the same stream, so it stays
 * in order with every other line). Built by hand because it is written once per request: pino's generic path
 * cost ~10 µs a line on the server's event loop, a third of a discovery request, this one about a fifth of
 * that. Every field is fixed: the id matched SANE_REQUEST_ID or was made here, the method is one of a set, the
 * route is a pattern from the code (all three need no escaping); the client and user ids are quoted by
 * JSON.stringify.
 */
export function requestLine(line: RequestLine): string {
  let out = `{"level":"info","time":"${isoNow()}","request_id":"${line.request_id}","method":"${line.method}","route":"${line.route}","status":${line.status},"duration_ms":${line.duration_ms}`;
  if (line.client_id !== undefined) out += `,"client_id":${JSON.stringify(line.client_id)}`;
  if (line.user_id !== undefined) out += `,"user_id":${JSON.stringify(line.user_id)}`;
  return `${out},"msg":"request"}\n`;
}

let isoSecond = -1;
let isoPrefix = '';
/**
 * The time as pino writes it (`2026-12-03T08:40:43.123Z`): the part up to the second made once a second, the
 * milliseconds added to it (a Date and its ISO string cost ~1 µs on the server's event loop, per line).
 */
function isoNow(): string {
  const ms = Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const frac = ms - second * 1000;
  return `${isoPrefix}${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z`;
}
