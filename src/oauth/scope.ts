import type { Client } from '../store/types.js';
import { invalidScope, invalidTarget } from './errors.js';

/** RFC 6749 §3.3: space-delimited, case-sensitive scope tokens. */
export function parseScope(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const tokens = raw.split(' ').filter(Boolean);
  for (const t of tokens)
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(t)) throw invalidScope(`"scope" has an invalid token`);
  return [...new Set(tokens)];
}

/** Every requested scope must be on the client's allow-list. */
export function checkAllowedScopes(client: Client, requested: string[]): void {
  const denied = requested.filter((s) => !client.scopes.includes(s));
  if (denied.length)
    throw invalidScope(`the client is not allowed the scope ${denied.map((d) => `"${d}"`).join(', ')}`);
}

/** RFC 8707 §2: an absolute URI without a fragment; one resource per request here. */
export function parseResource(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidTarget('"resource" must be an absolute URI');
  }
  if (raw.includes('#') || url.hash) throw invalidTarget('"resource" must not contain a fragment');
  return raw;
}

export const hasScope = (scope: string, name: string) => scope.split(' ').includes(name);
