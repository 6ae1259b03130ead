// What is measured. A scenario prepares one runner per target; `prepare` throws NotAvailable when the target
// lacks the endpoint (the row then reads "skipped: endpoint not available") and any other error when it fails.

import type { Agent } from 'node:http';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import type { RequestSpec } from 'autocannon';
import {
  authorizeInBrowser,
  Browser,
  basicAuth,
  FORM,
  formBody,
  NotAvailable,
  postForm,
  send,
} from './http.js';
import {
  type CpuSource,
  measureFlows,
  measureHttp,
  percentile,
  probeFor,
  type Sample,
  startProbe,
} from './load.js';
import { type ClientCreds, REDIRECT_URI, type Target } from './targets.js';

export interface RunOpts {
  durationS: number;
  connections: number;
}

export interface Runner {
  run(opts: RunOpts): Promise<Sample>;
}

export interface Scenario {
  key: string;
  title: string;
  /** What one operation is. */
  unit: string;
  /** Which targets take part. */
  on: Target['kind'][];
  /** A remark per server kind for the notes column. */
  notes?: Partial<Record<Target['kind'], string>>;
  prepare(t: Target): Promise<Runner>;
}

const json = { accept: 'application/json' };

/** Whose CPU a window reads: the server, or every node of a multi-node target and its database. */
function cpuOf(t: Target): CpuSource {
  return t.nodes
    ? { pids: t.nodes.map((n) => n.pid), ...(t.dbCpu ? { db: t.dbCpu } : {}) }
    : { pid: t.proc.pid };
}

/** Where autocannon sends: the server, or every node (the connections split between them). */
const urlsOf = (t: Target): string | string[] => (t.nodes ? t.nodes.map((n) => n.url) : t.base);

function cc(t: Target) {
  if (!t.cc) throw new Error('no client_credentials client');
  return t.cc;
}

async function ccToken(t: Target): Promise<string> {
  const res = await postForm(t.base + t.paths.token, { grant_type: 'client_credentials' }, cc(t));
  if (res.status === 404) throw new NotAvailable(`${t.paths.token} answered 404`);
  const token = res.json['access_token'];
  if (res.status !== 200 || typeof token !== 'string')
    throw new Error(`client_credentials: ${res.status} ${res.body.slice(0, 200)}`);
  return token;
}

function staticGet(path: (t: Target) => string): (t: Target) => Promise<Runner> {
  return async (t) => {
    const res = await send(t.base + path(t));
    if (res.status === 404) throw new NotAvailable(`${path(t)} answered 404`);
    if (res.status !== 200) throw new Error(`${path(t)}: ${res.status}`);
    return {
      run: ({ durationS, connections }) =>
        measureHttp(cpuOf(t), {
          url: urlsOf(t),
          connections,
          durationS,
          requests: [{ method: 'GET', path: path(t), headers: json }],
        }),
    };
  };
}

// --- user tokens (userinfo, refresh) ------------------------------------------------------------------------

interface UserTokens {
  access: string;
  refresh?: string;
  /** The client the tokens were issued to (refresh needs it). */
  client: ClientCreds;
}

async function endpointExists(t: Target, path: string, method = 'GET'): Promise<boolean> {
  const res = await send(t.base + path, { method, headers: { accept: 'application/json' } });
  return res.status !== 404;
}

/** Through the code flow in the browser. */
async function codeFlowTokens(t: Target, agent?: Agent): Promise<UserTokens> {
  if (!t.web || !t.user) throw new NotAvailable('no code-flow client');
  const result = await authorizeInBrowser(
    new Browser(agent),
    {
      authorizeUrl: t.base + t.paths.authorize,
      clientId: t.web.id,
      redirectUri: REDIRECT_URI,
      scope: t.userScope,
      extra: t.authorizeExtra,
    },
    t.user,
  );
  if (result === 'signed-in') throw new Error('unreachable');
  if ('error' in result) throw new Error(`authorization failed: ${result.error}`);
  const res = await postForm(
    t.base + t.paths.token,
    {
      grant_type: 'authorization_code',
      code: result.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: result.verifier,
    },
    t.web,
    agent,
  );
  const access = res.json['access_token'];
  if (res.status !== 200 || typeof access !== 'string')
    throw new Error(`code exchange: ${res.status} ${res.body.slice(0, 200)}`);
  const refresh = res.json['refresh_token'];
  return { access, client: t.web, ...(typeof refresh === 'string' ? { refresh } : {}) };
}

/** A user's tokens: the password grant when the target has it, else the code flow. */
async function userTokens(t: Target): Promise<UserTokens> {
  if (t.app && t.user) {
    const res = await postForm(
      t.base + t.paths.token,
      { grant_type: 'password', username: t.user.username, password: t.user.password, scope: t.userScope },
      t.app,
    );
    const access = res.json['access_token'];
    if (res.status === 200 && typeof access === 'string') {
      const refresh = res.json['refresh_token'];
      return { access, client: t.app, ...(typeof refresh === 'string' ? { refresh } : {}) };
    }
    // Not available yet (unsupported_grant_type / unauthorized_client): try the code flow.
  }
  if (!(await endpointExists(t, t.paths.authorize))) {
    throw new NotAvailable('no password grant and no /authorize');
  }
  return codeFlowTokens(t);
}

async function manyRefreshTokens(t: Target, n: number): Promise<{ tokens: string[]; client: ClientCreds }> {
  const tokens: string[] = [];
  let client: ClientCreds | undefined;
  const worker = async () => {
    while (tokens.length < n) {
      const got = await userTokens(t);
      if (!got.refresh) throw new Error(`no refresh token issued (scope "${t.userScope}")`);
      tokens.push(got.refresh);
      client = got.client;
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, n) }, worker));
  return { tokens: tokens.slice(0, n), client: client! };
}

// --- scenarios -----------------------------------------------------------------------------------------------

export const discovery: Scenario = {
  key: 'discovery',
  title: 'discovery',
  unit: 'req',
  on: ['latchkey', 'peer', 'ceiling'],
  prepare: staticGet((t) => t.paths.discovery),
};

export const jwks: Scenario = {
  key: 'jwks',
  title: 'JWKS',
  unit: 'req',
  on: ['latchkey', 'peer', 'ceiling'],
  prepare: staticGet((t) => t.paths.jwks),
};

export const clientCredentials: Scenario = {
  key: 'token',
  title: 'client_credentials token',
  unit: 'req',
  on: ['latchkey', 'peer', 'postgres'],
  async prepare(t) {
    await ccToken(t);
    const { id, secret } = cc(t);
    const headers = { 'content-type': FORM, authorization: basicAuth(id, secret), ...json };
    return {
      run: ({ durationS, connections }) =>
        measureHttp(cpuOf(t), {
          url: urlsOf(t),
          connections,
          durationS,
          requests: [{ method: 'POST', path: t.paths.token, headers, body: 'grant_type=client_credentials' }],
        }),
    };
  },
};

export const introspection: Scenario = {
  key: 'introspect',
  title: 'introspection (own token)',
  unit: 'req',
  on: ['latchkey', 'peer', 'postgres'],
  async prepare(t) {
    const { id, secret } = cc(t);
    const headers = { 'content-type': FORM, authorization: basicAuth(id, secret), ...json };
    const fresh = async () => {
      // A fresh token per window: tokens expire, and the peer's in-memory LRU evicts old ones.
      const token = await ccToken(t);
      // Active on every node (a 200 with active=false would count as done): nodes share the issuer and secret.
      for (const base of t.nodes?.map((n) => n.url) ?? [t.base]) {
        const check = await postForm(base + t.paths.introspect, { token }, cc(t));
        if (check.status === 404) throw new NotAvailable(`${t.paths.introspect} answered 404`);
        if (check.json['active'] !== true)
          throw new Error(`introspection of a fresh token: ${check.status} ${check.body.slice(0, 200)}`);
      }
      return token;
    };
    await fresh();
    return {
      async run({ durationS, connections }) {
        const body = formBody({ token: await fresh() });
        return measureHttp(cpuOf(t), {
          url: urlsOf(t),
          connections,
          durationS,
          requests: [{ method: 'POST', path: t.paths.introspect, headers, body }],
        });
      },
    };
  },
};

export const userinfo: Scenario = {
  key: 'userinfo',
  title: 'userinfo',
  unit: 'req',
  on: ['latchkey', 'peer'],
  async prepare(t) {
    if (!(await endpointExists(t, t.paths.userinfo)))
      throw new NotAvailable(`${t.paths.userinfo} answered 404`);
    const check = async () => {
      const { access } = await userTokens(t);
      const res = await send(t.base + t.paths.userinfo, {
        headers: { authorization: `Bearer ${access}`, ...json },
      });
      if (res.status !== 200) throw new Error(`userinfo: ${res.status} ${res.body.slice(0, 200)}`);
      return access;
    };
    await check();
    return {
      async run({ durationS, connections }) {
        const access = await check();
        return measureHttp(cpuOf(t), {
          url: urlsOf(t),
          connections,
          durationS,
          requests: [
            {
              method: 'GET',
              path: t.paths.userinfo,
              headers: { authorization: `Bearer ${access}`, ...json },
            },
          ],
        });
      },
    };
  },
};

/**
 * Refresh-token rotation: a pool of live refresh tokens (one family each); every request takes one out and
 * puts the successor back, so each connection keeps rotating a family.
 */
export const refreshRotation: Scenario = {
  key: 'refresh',
  title: 'refresh-token rotation',
  unit: 'req',
  on: ['latchkey', 'peer', 'postgres'],
  async prepare(t) {
    if (!t.app && !t.web) throw new NotAvailable('no client with refresh_token');
    const { tokens, client: owner } = await manyRefreshTokens(t, 1);
    const first = await postForm(
      t.base + t.paths.token,
      { grant_type: 'refresh_token', refresh_token: tokens[0]! },
      owner,
    );
    if (first.status !== 200 || typeof first.json['refresh_token'] !== 'string')
      throw new Error(`refresh: ${first.status} ${first.body.slice(0, 200)}`);
    const headers = { 'content-type': FORM, authorization: basicAuth(owner.id, owner.secret), ...json };
    return {
      async run({ durationS, connections }) {
        // A fresh pool per window: a family left from an earlier window may be gone (the peer's in-memory
        // store evicts), and a failed rotation drops its family from the pool.
        const pool = (await manyRefreshTokens(t, connections + 4)).tokens;
        const request: RequestSpec = {
          method: 'POST',
          path: t.paths.token,
          headers,
          setupRequest(req) {
            const token = pool.shift() ?? 'pool-empty';
            return { ...req, body: formBody({ grant_type: 'refresh_token', refresh_token: token }) };
          },
          onResponse(status, body) {
            if (status !== 200) return;
            try {
              const next = (JSON.parse(body) as { refresh_token?: string }).refresh_token;
              if (next) pool.push(next);
            } catch {
              // a 200 without JSON: the family is lost, the pool shrinks
            }
          },
        };
        return measureHttp(cpuOf(t), { url: urlsOf(t), connections, durationS, requests: [request] });
      },
    };
  },
};

/** The discovery latency probe: quiet first, then during the sign-in storm. */
const PROBE_INTERVAL_MS = 5;
const QUIET_PROBE_MS = 2500;

export const passwordSignIn: Scenario = {
  key: 'signin',
  title: 'password sign-in (POST /login)',
  unit: 'sign-in',
  on: ['latchkey', 'postgres'],
  async prepare(t) {
    if (!t.web || !t.user) throw new NotAvailable('no code-flow client');
    if (!(await endpointExists(t, t.paths.authorize)))
      throw new NotAvailable(`${t.paths.authorize} answered 404`);
    // One spec per node: on a multi-node target, worker w signs in on node w mod n.
    const specs = (t.nodes?.map((n) => n.url) ?? [t.base]).map((base) => ({
      authorizeUrl: base + t.paths.authorize,
      clientId: t.web!.id,
      redirectUri: REDIRECT_URI,
      scope: 'openid',
      extra: t.authorizeExtra,
    }));
    const user = t.user;
    const once = (agent?: Agent, w = 0) =>
      authorizeInBrowser(new Browser(agent), specs[w % specs.length]!, user, true);
    for (let w = 0; w < specs.length; w++)
      if ((await once(undefined, w)) !== 'signed-in')
        throw new Error(`sign-in did not succeed on node ${w + 1}`);
    const probeUrl = t.base + t.paths.discovery;
    return {
      async run({ durationS, connections }) {
        const quiet = await probeFor(probeUrl, PROBE_INTERVAL_MS, QUIET_PROBE_MS);
        return measureFlows(cpuOf(t), {
          concurrency: connections,
          durationS,
          op: async (w, agent) => {
            if ((await once(agent, w)) !== 'signed-in') throw new Error('sign-in did not succeed');
          },
          during: async (stop) => {
            const probe = await startProbe(probeUrl, PROBE_INTERVAL_MS);
            await stop;
            const storm = await probe.stop();
            return {
              intervalMs: PROBE_INTERVAL_MS,
              quietP50: percentile(quiet, 50),
              quietP99: percentile(quiet, 99),
              stormP50: percentile(storm, 50),
              stormP99: percentile(storm, 99),
            };
          },
        });
      },
    };
  },
};

export const codeFlow: Scenario = {
  key: 'codeflow',
  title: 'code flow (authorize → login → consent → token)',
  unit: 'flow',
  on: ['latchkey', 'peer'],
  notes: {
    peer: 'its dev login accepts any password (no hashing) and asks consent every time (prompt=consent)',
  },
  async prepare(t) {
    if (!t.web || !t.user) throw new NotAvailable('no code-flow client');
    if (!(await endpointExists(t, t.paths.authorize)))
      throw new NotAvailable(`${t.paths.authorize} answered 404`);
    await codeFlowTokens(t);
    return {
      run: ({ durationS, connections }) =>
        measureFlows(cpuOf(t), {
          concurrency: connections,
          durationS,
          op: async (_w, agent) => {
            await codeFlowTokens(t, agent);
          },
        }),
    };
  },
};

/** argon2id m=19456 t=2 p=1 verifies per second in this process, on the libuv thread pool. */
export async function argon2Bound(): Promise<Runner> {
  const password = 'bench-argon2-password';
  const stored = await argonHash(password, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  return {
    run: ({ durationS, connections }) =>
      measureFlows('self', {
        concurrency: connections,
        durationS,
        op: async () => {
          if (!(await argonVerify(stored, password))) throw new Error('argon2 verify failed');
        },
      }),
  };
}

export const allScenarios: Scenario[] = [
  discovery,
  jwks,
  clientCredentials,
  introspection,
  userinfo,
  refreshRotation,
  passwordSignIn,
  codeFlow,
];
