import type { Deps } from '../deps.js';
import type { OutboxMail } from '../store/types.js';
import { mailKickers, type SealedBody } from './send.js';
import {
  isPermanentRecipientFailure,
  mailError,
  type SendMail,
  SOCKET_TIMEOUT_MS,
  smtpSender,
} from './transport.js';

/** The first retry comes after 5 s, then doubling up to 10 min; after 24 h the message is given up. */
export const MAIL_RETRY_FIRST_SECONDS = 5;
export const MAIL_RETRY_MAX_SECONDS = 600;
export const MAIL_GIVE_UP_AFTER_SECONDS = 24 * 3600;
/** A claimed message is leased this long: longer than an SMTP attempt may take, so no other sender picks it. */
const LEASE_SECONDS = 120;
/** Idle poll: due retries are found within this; fresh messages are sent at once (`kick`). */
const POLL_MS = 2_000;
/**
 * `stop()` waits this long for the message in flight, then lets the server close: the row stays leased and is
 * tried again after the lease. Longer than the transport's socket timeout, so a slow server's answer to a message
 * it already has (accepted or refused) is recorded before the store closes. Waiting less sent such a message twice:
 * the server accepted it after latchkey stopped, and the next start sent it again (issue 15, test/mail/outage).
 */
export const STOP_WAIT_MS = SOCKET_TIMEOUT_MS + 5_000;

/** The delay before attempt `attempts + 1`: 5 s doubling, capped at 10 min. */
export function mailRetryDelay(attempts: number): number {
  return Math.min(MAIL_RETRY_FIRST_SECONDS * 2 ** Math.max(0, attempts - 1), MAIL_RETRY_MAX_SECONDS);
}

export interface MailSender {
  /** Sends every message due now, one after another; resolves with how many were tried. */
  drainNow(): Promise<number>;
  /** Stops polling and waits for the message in flight (at most `STOP_WAIT_MS`). */
  stop(): Promise<void>;
}

/**
 * The background sender, started by the server (never by a CLI command): unref'd timers, stopped on close.
 * One message, one SMTP connection at a time. Without `LATCHKEY_SMTP_URL` each message (recipient, subject,
 * text body with its link) is written to the log at warn level for the admin to hand on, and counted sent.
 */
export function startMailSender(deps: Deps): MailSender {
  const send: SendMail | undefined = deps.config.mail.smtpUrl ? smtpSender(deps.config.mail) : undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;

  const attempt = async (m: OutboxMail): Promise<void> => {
    let body: SealedBody;
    try {
      body = JSON.parse(deps.sealer.open(m.bodySealed)) as SealedBody;
    } catch {
      // Sealed with another LATCHKEY_SECRET: it can never be sent.
      await deps.store.mailOutbox.failed(
        m.id,
        deps.clock.now(),
        'cannot be opened (LATCHKEY_SECRET changed?)',
      );
      deps.log.warn('mail given up: its body cannot be opened', { mail_id: m.id });
      return;
    }
    if (!send) {
      deps.log.warn('mail not sent (no LATCHKEY_SMTP_URL): hand it on to the recipient', {
        mail_id: m.id,
        to: m.recipient,
        subject: m.subject,
        text: body.text,
      });
      await deps.store.mailOutbox.sent(m.id, deps.clock.now());
      return;
    }
    let error: string | undefined;
    let permanent = false;
    try {
      await send({ to: m.recipient, subject: m.subject, text: body.text, html: body.html });
    } catch (err) {
      error = mailError(err);
      permanent = isPermanentRecipientFailure(err);
    }
    const now = deps.clock.now();
    if (error === undefined) {
      await deps.store.mailOutbox.sent(m.id, now);
      return;
    }
    const next = now + mailRetryDelay(m.attempts);
    if (permanent || next - m.createdAt > MAIL_GIVE_UP_AFTER_SECONDS) {
      await deps.store.mailOutbox.failed(m.id, now, error);
      deps.log.warn('mail given up', { mail_id: m.id, attempts: m.attempts, error });
    } else {
      await deps.store.mailOutbox.retry(m.id, next, error);
      deps.log.warn('mail not sent; will retry', { mail_id: m.id, attempts: m.attempts, error });
    }
  };

  const drain = async (): Promise<number> => {
    let tried = 0;
    while (!stopped) {
      const now = deps.clock.now();
      const [m] = await deps.store.mailOutbox.claimDue(now, 1, now + LEASE_SECONDS);
      if (!m) break;
      try {
        await attempt(m);
      } catch (err) {
        deps.log.error('mail sending failed', { mail_id: m.id, error: String(err) });
      }
      tried++;
    }
    return tried;
  };

  /** One drain at a time. */
  const run = (): Promise<number> => {
    running ??= drain()
      .catch((err) => {
        deps.log.error('mail drain failed', { error: String(err) });
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void run();
        }
      });
    return running;
  };
  /** A message was queued: send now, or right after the drain under way (kicks coalesce). */
  const kick = () => {
    if (stopped) return;
    if (running) again = true;
    else void run();
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void run().finally(schedule);
    }, POLL_MS);
    timer.unref();
  };
  schedule();
  mailKickers.set(deps.store, kick);

  return {
    async drainNow() {
      if (running) await running;
      return run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      mailKickers.delete(deps.store);
      if (!running) return;
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([
        running,
        new Promise<void>((resolve) => {
          wait = setTimeout(resolve, STOP_WAIT_MS);
        }),
      ]);
      clearTimeout(wait);
    },
  };
}
