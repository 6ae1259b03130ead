import { isMailAddress } from '../config-mail.js';
import type { Deps } from '../deps.js';
import type { Store } from '../store/types.js';

/**
 * Outgoing mail (issue 15). A flow queues its message in the outbox (a table, so nothing is lost across
 * restarts) and returns; the server's sender (src/mail/sender.ts) delivers it in the background, with retries.
 * The bodies carry single-use links: they are sealed at rest.
 */

export interface QueuedMail {
  /** One address. */
  to: string;
  subject: string;
  /** The plain-text body. Without SMTP it is what the log shows the admin, so it must carry the link. */
  text: string;
  /** The HTML body (escaped by the caller). */
  html: string;
}

/** What the sealed column holds. */
export interface SealedBody {
  text: string;
  html: string;
}

/** The store's running sender, so a queued message goes out at once instead of at the next poll. */
export const mailKickers = new WeakMap<Store, () => void>();

/**
 * Queues one message; resolves with its outbox id once the row is written (never waits for SMTP). Throws when
 * the row cannot be written, when `to` is not one plain address, or when `subject` holds a line break.
 */
export async function queueMail(
  deps: Pick<Deps, 'store' | 'clock' | 'sealer'>,
  mail: QueuedMail,
): Promise<number> {
  if (!isMailAddress(mail.to)) throw new Error('a mail recipient must be one address (name@domain)');
  if (/[\r\n]/.test(mail.subject)) throw new Error('a mail subject must be one line');
  const body: SealedBody = { text: mail.text, html: mail.html };
  const id = await deps.store.mailOutbox.enqueue(
    { recipient: mail.to, subject: mail.subject, bodySealed: deps.sealer.seal(JSON.stringify(body)) },
    deps.clock.now(),
  );
  mailKickers.get(deps.store)?.();
  return id;
}
