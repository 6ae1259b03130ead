/** What every configuration reader shares: its error, the environment's shape, the on/off switch. */

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

/** An `on`/`off` switch (any case); anything else is refused with one line naming the variable. */
export function parseOnOff(value: string | undefined, name: string, fallback: boolean): boolean {
  const raw = (value || (fallback ? 'on' : 'off')).toLowerCase();
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`${name} must be "on" or "off", got "${raw}"`);
  return raw === 'on';
}
