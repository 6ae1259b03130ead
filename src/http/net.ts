import type { Context } from 'hono';

/** The peer address (no proxy headers are trusted). */
export function clientIp(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
