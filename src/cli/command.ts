import type { ParseArgsConfig } from 'node:util';
import { MAX_PAGE_LIMIT, type Page, type PageRequest } from '../admin/context.js';
import { seedBuiltinScopes } from '../admin/seed.js';
import type { AdminField } from '../admin/validate.js';
import { loadConfig } from '../config.js';
import { buildDeps, type Deps } from '../deps.js';
import { jsonLog } from '../log.js';
import type { Output } from './output.js';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

/** One `latchkey` command: its usage line, its flags (for `util.parseArgs`) and what it runs. */
export interface Command {
  usage: string;
  summary: string;
  options: Options;
  /** Where this command's flags differ from `CLI_FLAGS` (which names fields as other commands do). */
  flags?: Partial<Record<AdminField, string>>;
  run(values: Values, positionals: string[], out: Output): Promise<void>;
}

/** A command line that cannot be run as given: exit 2 with the command's usage. */
export class UsageError extends Error {}

/** A command that ran and did not succeed (`mail test`: the SMTP server refused): exit 1 with one line. */
export class CommandFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const str = (v: Values, k: string) => v[k] as string | undefined;
export const strs = (v: Values, k: string) => (v[k] as string[] | undefined) ?? [];
export const int = (v: Values, k: string): number | undefined => {
  const raw = str(v, k);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${k} must be a whole number, got "${raw}"`);
  return Number(raw);
};
export const one = (positionals: string[], what: string): string => {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return positionals[0]!;
};
export const none = (positionals: string[]): void => {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
};

/** How the CLI names each field of an admin use case: its flag. */
export const CLI_FLAGS: Readonly<Record<AdminField, string>> = {
  name: '--name',
  clientId: 'client_id',
  clientSecret: 'client_secret',
  redirectUris: '--redirect-uri',
  postLogoutRedirectUris: '--post-logout-redirect-uri',
  resources: '--resource',
  grants: '--grant',
  scopes: '--scope',
  isPublic: '--public',
  tokenFormat: '--token-format',
  signingAlg: '--signing-alg',
  accessTokenAlg: '--access-token-alg',
  idTokenAlg: '--id-token-alg',
  idTokenClaims: '--id-token-claims',
  backchannelLogoutUri: '--backchannel-logout-uri',
  backchannelLogoutSessionRequired: '--backchannel-logout-session-required',
  logoUri: '--logo-uri',
  clientUri: '--client-uri',
  policyUri: '--policy-uri',
  tosUri: '--tos-uri',
  webOrigins: '--web-origin',
  accessTokenTtlSeconds: '--access-token-ttl',
  refreshTokenTtlSeconds: '--refresh-token-ttl',
  refreshReuseGraceSeconds: '--refresh-reuse-grace',
  email: '--email',
  password: '--password',
  description: '--description',
  slug: '--slug',
  issuer: '--issuer',
  tenant: '--tenant',
  tokenAuth: '--token-auth',
  trustedTenants: '--trusted-tenant',
  givenName: '--given-name',
  familyName: '--family-name',
  roles: '--role',
  groups: '--group',
  username: '--username',
  cursor: '--cursor',
  limit: '--limit',
  session: '--session',
};

/** `user update --name ''`: an empty value clears an optional field. */
export const orNull = (v: Values, k: string): { present: boolean; value: string | null } => {
  const raw = str(v, k);
  return { present: raw !== undefined, value: raw === '' ? null : (raw ?? null) };
};

/**
 * A list flag of an update: `--role a --role b` replaces the list, `--no-roles` empties it, neither leaves
 * it as it is (undefined). Both at once is a contradiction.
 */
export function listChange(v: Values, flag: string, clearFlag: string): string[] | undefined {
  const given = v[flag] as string[] | undefined;
  if (v[clearFlag] === true) {
    if (given?.length) throw new UsageError(`--${flag} and --${clearFlag} contradict each other`);
    return [];
  }
  return given;
}

/** `--first-party` / `--no-first-party`: true, false, or undefined (left as it is). */
export function switchChange(v: Values, flag: string): boolean | undefined {
  const on = v[flag] === true;
  const off = v[`no-${flag}`] === true;
  if (on && off) throw new UsageError(`--${flag} and --no-${flag} contradict each other`);
  return on ? true : off ? false : undefined;
}

/** Every item of a paged list, page after page (the CLI prints whole lists; the API pages). */
export async function allPages<T>(fetch: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await fetch({ limit: MAX_PAGE_LIMIT, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** A list or show command: it never creates a database or a secret (issue 16). */
export const READ_ONLY = { readOnly: true } as const;

/**
 * Runs a command on freshly built dependencies. A command writes only what it is about: nothing is
 * seeded and no key is made unless the command needs it (`scopes`: the built-in scopes it may refer to).
 */
export async function withDeps<T>(
  fn: (deps: Deps) => Promise<T>,
  needs: { scopes?: boolean; readOnly?: boolean } = {},
): Promise<T> {
  const deps = await buildDeps(loadConfig(), {
    log: jsonLog('warn'),
    ...(needs.readOnly ? { readOnly: true } : {}),
  });
  try {
    if (needs.scopes) await seedBuiltinScopes(deps);
    return await fn(deps);
  } finally {
    await deps.store.close();
  }
}
