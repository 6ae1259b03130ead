import { ConfigError, type Env, parseOnOff } from './config-values.js';
import { LOG_LEVELS, type LogLevel } from './log.js';

/** Where `/metrics` is served (issue 16): nowhere, on the main port, or on its own loopback port. */
export type MetricsConfig =
  | { readonly mode: 'off' }
  | { readonly mode: 'main' }
  | { readonly mode: 'port'; readonly port: number };

export interface OpsConfig {
  /** `LATCHKEY_LOG_LEVEL` (`LATCHKEY_LOG` is read when it is not set): default `info`. */
  readonly logLevel: LogLevel;
  /** `LATCHKEY_METRICS=on` (main port) or `LATCHKEY_METRICS_PORT` (127.0.0.1 only): default off. */
  readonly metrics: MetricsConfig;
}

const isLogLevel = (value: string): value is LogLevel => (LOG_LEVELS as readonly string[]).includes(value);

/** `LATCHKEY_LOG_LEVEL`, `LATCHKEY_METRICS`, `LATCHKEY_METRICS_PORT`. */
export function parseOps(env: Env): OpsConfig {
  const rawLevel = (env['LATCHKEY_LOG_LEVEL'] || env['LATCHKEY_LOG'] || 'info').toLowerCase();
  if (!isLogLevel(rawLevel))
    throw new ConfigError(
      `LATCHKEY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${rawLevel.slice(0, 40)}"`,
    );
  const on = parseOnOff(env['LATCHKEY_METRICS'], 'LATCHKEY_METRICS', false);
  const rawPort = env['LATCHKEY_METRICS_PORT'];
  let metrics: MetricsConfig = on ? { mode: 'main' } : { mode: 'off' };
  if (rawPort) {
    const port = Number(rawPort);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new ConfigError(
        `LATCHKEY_METRICS_PORT must be a port number (1-65535), got "${rawPort.slice(0, 40)}"`,
      );
    // A port of its own wins over `LATCHKEY_METRICS=on`: the main port never serves them then.
    metrics = { mode: 'port', port };
  }
  return { logLevel: rawLevel, metrics };
}
