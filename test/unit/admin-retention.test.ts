import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, EVENT_RETENTION_SECONDS, loadConfig, parseDuration } from '../../src/config.js';

const env = { LATCHKEY_DB: ':memory:', LATCHKEY_SECRET: 'retention-test-secret-0123456789abcdef' };

describe('LATCHKEY_EVENT_RETENTION', () => {
  it('defaults to 90 days', () => {
    assert.equal(EVENT_RETENTION_SECONDS, 90 * 86400);
    assert.equal(loadConfig(env).eventRetentionSeconds, 90 * 86400);
  });

  it('reads days, hours, minutes, seconds or a bare number of seconds', () => {
    const cases: [string, number][] = [
      ['30d', 30 * 86400],
      ['12h', 12 * 3600],
      ['45m', 45 * 60],
      ['90s', 90],
      ['3600', 3600],
      [' 7D ', 7 * 86400],
    ];
    for (const [value, seconds] of cases) {
      assert.equal(parseDuration(value, 'X'), seconds, value);
      assert.equal(
        loadConfig({ ...env, LATCHKEY_EVENT_RETENTION: value }).eventRetentionSeconds,
        seconds,
        value,
      );
    }
  });

  it('refuses anything else, naming the variable', () => {
    for (const value of ['0', '0d', '-1d', '1.5d', '1w', 'forever', 'd', '3651d', '99999999999'])
      assert.throws(
        () => loadConfig({ ...env, LATCHKEY_EVENT_RETENTION: value }),
        (err: unknown) =>
          err instanceof ConfigError && err.message.startsWith('LATCHKEY_EVENT_RETENTION must be a duration'),
        value,
      );
  });
});
