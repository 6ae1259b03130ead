import { ConfigError, type Env } from './config-values.js';

/** `LATCHKEY_SMTP_URL` and `LATCHKEY_MAIL_FROM`: outgoing mail (issue 15), checked at start. */

export interface MailConfig {
  /**
   * `LATCHKEY_SMTP_URL`: `smtp://` (STARTTLS when offered) or `smtps://` (TLS from the start), user and
   * password allowed. Absent: mail is not sent, each message is written to the log for the admin.
   * Holds the password: never log it, log `smtpDisplay`.
   */
  readonly smtpUrl?: string;
  /** The SMTP URL with its password masked, for logs and messages. */
  readonly smtpDisplay?: string;
  /** `LATCHKEY_MAIL_FROM`: the sender address (`a@example.com` or `Name <a@example.com>`); required with SMTP. */
  readonly from?: string;
}

/** A URL for logs: its password replaced by `***`. */
export function maskSmtpUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href.replace(/\/$/, '');
}

const ADDRESS = /^[^\s@<>",;:()[\]\\]+@[^\s@<>",;:()[\]\\]+\.[^\s@<>",;:()[\]\\]+$/;

/** A bare address (`a@example.com`): what a mail is sent to. */
export const isMailAddress = (value: string): boolean => ADDRESS.test(value);

/** `a@example.com` or `Display Name <a@example.com>`, one line. */
export function isMailFrom(value: string): boolean {
  if (/[\r\n\p{Cc}]/u.test(value)) return false;
  const named = /^([^<>]*)<([^<>]+)>$/.exec(value.trim());
  return ADDRESS.test(named ? named[2]!.trim() : value.trim());
}

export function parseMail(env: Env): MailConfig {
  const raw = env['LATCHKEY_SMTP_URL'] || undefined;
  const from = env['LATCHKEY_MAIL_FROM'] || undefined;
  if (from !== undefined && !isMailFrom(from))
    throw new ConfigError(
      `LATCHKEY_MAIL_FROM must be an address such as noreply@example.com or "Name <noreply@example.com>", got "${from.slice(0, 100)}"`,
    );
  if (raw === undefined) return Object.freeze(from ? { from: from.trim() } : {});
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {}
  // The message never quotes the value: it may hold a password.
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname)
    throw new ConfigError(
      'LATCHKEY_SMTP_URL must be smtp://[user:password@]host[:port] or smtps://[user:password@]host[:port]',
    );
  if ((url.pathname && url.pathname !== '/') || url.hash)
    throw new ConfigError(
      `LATCHKEY_SMTP_URL must have no path or fragment (${maskSmtpUrl(url)}): smtp://[user:password@]host[:port]`,
    );
  if (from === undefined)
    throw new ConfigError(
      'LATCHKEY_MAIL_FROM is required when LATCHKEY_SMTP_URL is set: the address mail is sent from',
    );
  return Object.freeze({ smtpUrl: url.href, smtpDisplay: maskSmtpUrl(url), from: from.trim() });
}
