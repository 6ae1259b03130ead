import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { invalidRequest } from '../oauth/errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

/** Request parameters: each appears at most once (RFC 6749 §3.1, §3.2). */
export class Params {
  private constructor(private readonly map: Map<string, string>) {}

  static from(search: URLSearchParams): Params {
    const map = new Map<string, string>();
    for (const [key, value] of search) {
      // RFC 6749 §3.1: parameters MUST NOT be included more than once.
      if (map.has(key)) throw invalidRequest(`"${key}" must not be repeated`);
      // No store keeps a NUL character as text (PostgreSQL refuses it): refused at the door, by name.
      if (value.includes('\0') || key.includes('\0'))
        throw invalidRequest(`"${key}" must not hold a NUL character`);
      map.set(key, value);
    }
    return new Params(map);
  }

  /** An optional parameter; empty values count as absent (RFC 6749 §3.1). */
  get(name: string): string | undefined {
    const v = this.map.get(name);
    return v === undefined || v === '' ? undefined : v;
  }

  require(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw invalidRequest(`"${name}" is required`);
    return v;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  entries(): [string, string][] {
    return [...this.map];
  }
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The form body once read (a guard such as `csrf()` reads it before the handler). */
    form: Params;
  }
}

/** Reads an `application/x-www-form-urlencoded` body, size-limited; read once per request. */
export async function readForm(c: Context): Promise<Params> {
  const read = c.get('form');
  if (read) return read;
  const form = await readFormBody(c);
  c.set('form', form);
  return form;
}

async function readFormBody(c: Context): Promise<Params> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw invalidRequest('the body must be application/x-www-form-urlencoded');
  }
  // RFC 6749 §5.2: 400 invalid_request, like every other malformed request.
  const length = Number(c.req.header('content-length') ?? '0');
  if (length > MAX_BODY_BYTES) throw invalidRequest(`the body must be at most ${MAX_BODY_BYTES} bytes`);
  let buf: Uint8Array | undefined;
  try {
    // On the Node server, read the socket stream directly: going through `c.req.raw` builds a whole
    // Web Request (stream, abort signal) per request, which costs more than the rest of /token.
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    buf =
      typeof incoming?.on === 'function'
        ? await readIncoming(incoming, MAX_BODY_BYTES)
        : await readAtMost(c.req.raw.body, MAX_BODY_BYTES);
  } catch (cause) {
    throw invalidRequest('the body could not be read', { cause });
  }
  if (!buf) throw invalidRequest(`the body must be at most ${MAX_BODY_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw invalidRequest('the body must be UTF-8');
  }
  return parseQueryString(text);
}

/** `readAtMost` for a Node request stream. */
function readIncoming(incoming: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = (value: Uint8Array | undefined) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        // Stop reading; the HTTP server drains or closes the rest after the answer.
        incoming.pause();
        done(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    const onError = (err: Error) => {
      incoming.off('data', onData).off('end', onEnd);
      reject(err);
    };
    if (incoming.readableEnded) return resolve(new Uint8Array(0));
    incoming.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/**
 * The body, or `undefined` as soon as it passes `limit` bytes: a chunked body has no content-length to
 * refuse up front, and must not be buffered whole to find out it is too big.
 */
export async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Uint8Array | undefined> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      // Stop reading; the HTTP server drains or closes the rest after the answer.
      reader.releaseLock();
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

export function parseQueryString(text: string): Params {
  // URLSearchParams never throws: it keeps a malformed %-escape as is and turns bytes that are not UTF-8
  // into U+FFFD. Refuse both (RFC 3986 §2.1).
  if (text.includes('%') && !decodesStrictly(text))
    throw invalidRequest('a parameter is not valid percent-encoded UTF-8');
  return Params.from(new URLSearchParams(text));
}

function decodesStrictly(text: string): boolean {
  try {
    for (const part of text.split('&')) decodeURIComponent(part.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

/** The query string of a GET, with the same rules. */
export function readQuery(c: Context): Params {
  const url = c.req.url;
  const q = url.indexOf('?');
  return parseQueryString(q === -1 ? '' : url.slice(q + 1));
}
