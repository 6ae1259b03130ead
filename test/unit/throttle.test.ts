import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { Throttle } from '../../src/throttle.js';

const fail = (t: Throttle, times: number, ...keys: string[]) => {
  for (let i = 0; i < times; i++) t.fail(...keys);
};

describe('Throttle', () => {
  it('never delays a key without failures', () => {
    const t = new Throttle(new FakeClock(), true);
    assert.equal(t.retryAfterMs('client:a', 'ip:1'), 0);
  });

  it('lets the first failures through, then delays more and more', () => {
    const clock = new FakeClock();
    const t = new Throttle(clock, true);
    fail(t, 4, 'client:a');
    assert.equal(t.retryAfterMs('client:a'), 0, 'four free failures');
    t.fail('client:a');
    assert.equal(t.retryAfterMs('client:a'), 1000);
    t.fail('client:a');
    assert.equal(t.retryAfterMs('client:a'), 2000);
    t.fail('client:a');
    assert.equal(t.retryAfterMs('client:a'), 4000);
    clock.advance(1);
    assert.equal(t.retryAfterMs('client:a'), 3000, 'the delay runs down with time');
    clock.advance(3);
    assert.equal(t.retryAfterMs('client:a'), 0);
  });

  it('caps the delay', () => {
    const t = new Throttle(new FakeClock(), true, 5, 60_000);
    fail(t, 40, 'ip:1');
    assert.equal(t.retryAfterMs('ip:1'), 60_000);
  });

  it('keeps keys apart and answers the longest delay of those asked', () => {
    const t = new Throttle(new FakeClock(), true);
    fail(t, 6, 'client:a', 'ip:1');
    fail(t, 1, 'client:b', 'ip:1');
    assert.equal(t.retryAfterMs('client:b'), 0);
    assert.equal(t.retryAfterMs('client:a'), 2000);
    assert.equal(t.retryAfterMs('client:b', 'ip:1'), 4000);
  });

  it('a success clears the key', () => {
    const t = new Throttle(new FakeClock(), true);
    fail(t, 6, 'client:a');
    t.succeed('client:a');
    assert.equal(t.retryAfterMs('client:a'), 0);
    fail(t, 4, 'client:a');
    assert.equal(t.retryAfterMs('client:a'), 0, 'counting starts again');
  });

  it('forgets old failures', () => {
    const clock = new FakeClock();
    const t = new Throttle(clock, true, 5, 15 * 60_000, 60 * 60_000);
    fail(t, 4, 'client:a');
    clock.advance(3601);
    t.fail('client:a');
    assert.equal(t.retryAfterMs('client:a'), 0, 'one recent failure only');
  });

  it('does nothing when disabled (LATCHKEY_THROTTLE=off)', () => {
    const t = new Throttle(new FakeClock(), false);
    fail(t, 100, 'client:a');
    assert.equal(t.retryAfterMs('client:a'), 0);
  });

  it('stays bounded: the least recently failed keys are forgotten past maxEntries', () => {
    const t = new Throttle(new FakeClock(), true, 5, 15 * 60_000, 60 * 60_000, 100);
    fail(t, 6, 'acct:kept@example.test');
    for (let i = 0; i < 1_000; i++) {
      t.fail(`client:${'x'.repeat(60_000)}${i}`);
      if (i % 50 === 0) t.fail('acct:kept@example.test');
    }
    assert.equal(t.size, 100, 'never more than maxEntries keys');
    assert.ok(t.retryAfterMs('acct:kept@example.test') > 0, 'a key that keeps failing is not forgotten');
    assert.equal(t.retryAfterMs(`client:${'x'.repeat(60_000)}0`), 0, 'the oldest were');
  });
});
