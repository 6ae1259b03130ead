import { createRequire } from 'node:module';
import type { MailConfig } from '../config-mail.js';

/** One message as it goes out: plain text and HTML alternatives. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one message over SMTP; rejects with the server's answer (or the connection's error). */
export type SendMail = (message: MailMessage) => Promise<void>;

/** An SMTP server that does not answer in time is a failed attempt, tried again later. */
const CONNECTION_TIMEOUT_MS = 10_000;
export const SOCKET_TIMEOUT_MS = 30_000;

/**
 * An SMTP sender for `LATCHKEY_SMTP_URL` (one connection per message, no pool). nodemailer is loaded here, on
 * first use, so start-up and the CLI commands that send nothing never pay for it.
 */
export function smtpSender(mail: MailConfig): SendMail {
  const { smtpUrl, from } = mail;
  if (!smtpUrl || !from) throw new Error('LATCHKEY_SMTP_URL and LATCHKEY_MAIL_FROM are not set');
  let transport: import('nodemailer').Transporter | undefined;
  return async (message) => {
    if (!transport) {
      const nodemailer = createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer');
      transport = nodemailer.createTransport({
        url: smtpUrl,
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        greetingTimeout: CONNECTION_TIMEOUT_MS,
        socketTimeout: SOCKET_TIMEOUT_MS,
        disableFileAccess: true,
        disableUrlAccess: true,
      });
    }
    await transport.sendMail({
      from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
  };
}

/**
 * The SMTP server refused the recipient for good (RFC 5321 §4.2.2: 550 mailbox unavailable, 551 user not local,
 * 553 mailbox name not allowed): trying again will not help.
 */
export function isPermanentRecipientFailure(err: unknown): boolean {
  const { responseCode, command } = (err ?? {}) as { responseCode?: unknown; command?: unknown };
  return (
    typeof responseCode === 'number' &&
    [550, 551, 553].includes(responseCode) &&
    typeof command === 'string' &&
    /^RCPT/i.test(command)
  );
}

/** An SMTP failure in one line, at most 300 characters (the server's answer may span several). */
export function mailError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').trim().slice(0, 300) || 'unknown error';
}
