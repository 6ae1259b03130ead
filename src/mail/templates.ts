import type { Context } from 'hono';
import { catalogues, format, type MessageKey, renderInLang } from '../../views/i18n/index.js';
import { MAIL_DEFAULT_COLOR, MailHtml } from '../../views/mail.js';
import type { Deps } from '../deps.js';
import { pageLang } from '../http/render.js';
import type { Locale } from '../i18n/locale.js';
import { type QueuedMail, queueMail } from './send.js';

/**
 * The mails latchkey writes (issue 15): each one a subject, a few paragraphs, at most one link (a button in
 * the HTML, the address on a line of its own in the text) and what to do if it was not you. Words come from
 * the catalogues (views/i18n, keys `mail.*`), in the language of the page the user was on, with the
 * deployment's product name. No image, nothing remote, no tracking.
 */
export interface MailTemplate {
  /** The subject (also the HTML heading); `{brand}` is the product name. */
  subject: MessageKey;
  /** Paragraphs before the link. */
  paragraphs: readonly MessageKey[];
  /** The link and its button's words. */
  action?: { label: MessageKey; url: string };
  /** Paragraphs after the link (how long it works, "if this was not you…"). */
  after?: readonly MessageKey[];
  /** Placeholders for every key above; `brand` is added. */
  vars?: Record<string, string | number>;
}

export type MailContent = Pick<QueuedMail, 'subject' | 'text' | 'html'>;

/** Fills in a template in `locale`: the subject, the plain text and the HTML. */
export function composeMail(deps: Pick<Deps, 'config'>, locale: Locale, template: MailTemplate): MailContent {
  const brand = deps.config.brand.name;
  const vars = { ...template.vars, brand };
  const m = catalogues[locale];
  // One line: a subject with a line break would be refused by `queueMail` (header injection).
  const subject = format(m[template.subject], vars).replace(/[\r\n]+/g, ' ');
  const paragraphs = template.paragraphs.map((k) => format(m[k], vars));
  const after = (template.after ?? []).map((k) => format(m[k], vars));
  const action = template.action
    ? { label: format(m[template.action.label], vars), url: template.action.url }
    : undefined;
  const text = [
    ...paragraphs,
    ...(action ? [`${action.label}:\n${action.url}`] : []),
    ...after,
    `-- \n${format(m['mail.footer'], vars)}`,
  ].join('\n\n');
  const html =
    '<!doctype html>' +
    renderInLang({ locale, returnTo: null }, () =>
      MailHtml({
        brandName: brand,
        color: deps.config.brand.color ?? MAIL_DEFAULT_COLOR,
        heading: subject,
        paragraphs,
        action,
        after,
      }),
    );
  return { subject, text: `${text}\n`, html };
}

/** Composes a template and queues it for `to` (see `queueMail`: never waits for SMTP). */
export function sendTemplate(
  deps: Pick<Deps, 'config' | 'store' | 'clock' | 'sealer'>,
  to: string,
  locale: Locale,
  template: MailTemplate,
): Promise<number> {
  return queueMail(deps, { to, ...composeMail(deps, locale, template) });
}

/** The language a mail sent from this request is written in: the page's (src/http/render.ts `pageLang`). */
export const mailLocale = (c: Context): Locale => pageLang(c).locale;

/** A link into latchkey for a mail: the issuer (with its path, if any) and `path`, with `query` encoded. */
export function mailLink(
  deps: Pick<Deps, 'config'>,
  path: string,
  query: Record<string, string> = {},
): string {
  const qs = new URLSearchParams(query).toString();
  return `${deps.config.issuer}${path}${qs ? `?${qs}` : ''}`;
}
