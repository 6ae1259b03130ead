import { useLang } from './i18n/index.js';

/** latchkey's accent when the deployment sets no `LATCHKEY_BRAND_COLOR` (the pages' `--primary`). */
export const MAIL_DEFAULT_COLOR = '#4f46e5';

export interface MailHtmlProps {
  /** The product name (`LATCHKEY_BRAND_NAME`). */
  brandName: string;
  /** `#rrggbb` (checked at start: white text reads on it). */
  color: string;
  /** The subject, repeated as the heading. */
  heading: string;
  /** Paragraphs before the button, already translated and filled in (plain text: escaped here). */
  paragraphs: readonly string[];
  /** The one link of the mail, as a button, with its address written out below it. */
  action?: { label: string; url: string } | undefined;
  /** Paragraphs after the button (how long the link works, "ignore this if…"). */
  after: readonly string[];
}

/**
 * The HTML alternative of every mail (src/mail/templates.ts): inline styles only (mail clients drop
 * stylesheets), no image and nothing remote, so opening it tells nobody anything. Every string is a JSX
 * child or attribute, so it is escaped; the link's address is also written out for clients that hide buttons.
 */
export function MailHtml({ brandName, color, heading, paragraphs, action, after }: MailHtmlProps) {
  const { locale, t } = useLang();
  const p = 'margin:0 0 16px;font-size:16px;line-height:1.5;color:#111827';
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{heading}</title>
      </head>
      <body style="margin:0;padding:24px;background:#f4f5f8;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif">
        <table
          role="presentation"
          width="100%"
          cellpadding="0"
          cellspacing="0"
          style="max-width:560px;margin:0 auto"
        >
          <tr>
            <td style="padding:0 0 16px;font-size:18px;font-weight:600;color:#111827">{brandName}</td>
          </tr>
          <tr>
            <td style="background:#ffffff;border:1px solid #e3e6ec;border-radius:8px;padding:24px">
              <h1 style="margin:0 0 16px;font-size:20px;line-height:1.3;color:#111827">{heading}</h1>
              {paragraphs.map((text) => (
                <p style={p}>{text}</p>
              ))}
              {action ? (
                <>
                  <p style="margin:24px 0">
                    <a
                      href={action.url}
                      style={`display:inline-block;padding:12px 20px;border-radius:6px;background:${color};color:#ffffff;font-size:16px;font-weight:600;text-decoration:none`}
                    >
                      {action.label}
                    </a>
                  </p>
                  <p style="margin:0 0 16px;font-size:14px;line-height:1.5;color:#4b5563">
                    {t('mail.linkFallback')}
                    <br />
                    <a href={action.url} style="color:#4b5563;word-break:break-all">
                      {action.url}
                    </a>
                  </p>
                </>
              ) : null}
              {after.map((text) => (
                <p style="margin:0 0 16px;font-size:14px;line-height:1.5;color:#4b5563">{text}</p>
              ))}
            </td>
          </tr>
          <tr>
            <td style="padding:16px 0 0;font-size:12px;color:#5f6878">
              {t('mail.footer', { brand: brandName })}
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}
