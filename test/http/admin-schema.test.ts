import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Components,
  check,
  checkParams,
  InvalidMember,
  s,
  toJsonSchema,
} from '../../src/admin/http/schema.js';

const Body = s.object(
  {
    name: s.string({ minLength: 1, maxLength: 5 }),
    uris: s.array(s.string(), { maxItems: 2 }),
    ttl: s.integer({ minimum: 0, maximum: 10 }),
    note: s.nullable(s.string()),
    kind: s.enum(['a', 'b'] as const),
  },
  ['name'],
  { name: 'Body' },
);

/** The member and the text of the first failure. */
function failure(run: () => unknown): { field: string | undefined; problem: string } {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof InvalidMember, String(err));
    return { field: err.field, problem: err.problem };
  }
  assert.fail('accepted');
}

describe('the admin API schema language (issue 12)', () => {
  it('copies only the known members of a valid value, null where nullable', () => {
    const value = check(Body, { name: 'x', note: null, uris: ['u'], ttl: 0, kind: 'b' });
    assert.deepEqual(value, { name: 'x', note: null, uris: ['u'], ttl: 0, kind: 'b' });
  });

  it('names the top-level member of the first failure, and the exact place in the text', () => {
    assert.deepEqual(
      failure(() => check(Body, { name: 'x', uris: ['u', 3] })),
      {
        field: 'uris',
        problem: '"uris[1]" must be a string, not a number',
      },
    );
    assert.deepEqual(
      failure(() => check(Body, {})),
      { field: 'name', problem: '"name" is required' },
    );
    assert.equal(failure(() => check(Body, { name: 'x', extra: 1 })).field, 'extra');
    assert.equal(failure(() => check(Body, { name: 'x', __proto__x: 1 })).field, '__proto__x');
    assert.equal(failure(() => check(Body, JSON.parse('{"name":"x","__proto__":{}}'))).field, '__proto__');
    assert.equal(
      failure(() => check(Body, { name: 'toolong' })).problem,
      '"name" must be at most 5 characters',
    );
    assert.equal(failure(() => check(Body, { name: 'x', ttl: 1.5 })).field, 'ttl');
    assert.equal(
      failure(() => check(Body, { name: 'x', ttl: 11 })).problem,
      '"ttl" must be an integer from 0 to 10',
    );
    assert.equal(failure(() => check(Body, { name: 'x', kind: 'c' })).problem, '"kind" must be one of a, b');
    assert.equal(failure(() => check(Body, { name: null })).problem, '"name" must be a string, not null');
    assert.equal(failure(() => check(Body, { name: 'x', uris: ['a', 'b', 'c'] })).field, 'uris');
  });

  it('reads query parameters from their text: integers, booleans, empty as absent, no repeats', () => {
    const Query = s.object({ limit: s.integer({ minimum: 1 }), on: s.boolean(), q: s.string() });
    assert.deepEqual(
      checkParams(Query, [
        ['limit', '20'],
        ['on', 'false'],
        ['q', ''],
      ]),
      { limit: 20, on: false },
    );
    assert.equal(failure(() => checkParams(Query, [['limit', '2e1']])).field, 'limit');
    assert.equal(failure(() => checkParams(Query, [['on', 'yes']])).field, 'on');
    assert.equal(
      failure(() =>
        checkParams(Query, [
          ['q', 'a'],
          ['q', 'b'],
        ]),
      ).problem,
      '"q" must not be repeated',
    );
    assert.equal(failure(() => checkParams(Query, [['colour', 'red']])).field, 'colour');
  });

  it('prints JSON Schema 2020-12: named objects once under components, null as a type', () => {
    const components = new Components();
    const list = s.object({ items: s.array(Body), first: s.nullable(Body) }, ['items']);
    assert.deepEqual(toJsonSchema(list, components), {
      type: 'object',
      properties: {
        items: { type: 'array', items: { $ref: '#/components/schemas/Body' } },
        first: { anyOf: [{ $ref: '#/components/schemas/Body' }, { type: 'null' }] },
      },
      required: ['items'],
      additionalProperties: false,
    });
    const body = components.schemas.get('Body') as Record<string, Record<string, unknown>>;
    assert.deepEqual(body['properties']!['note'], { type: ['string', 'null'] });
    assert.deepEqual(body['properties']!['kind'], { type: 'string', enum: ['a', 'b'] });
    assert.throws(
      () => toJsonSchema(s.object({ other: s.string() }, [], { name: 'Body' }), components),
      /two different/,
    );
  });
});
