import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on loopback (smtp-server, the server half of nodemailer's project) for the mail tests:
 * no TLS, AUTH optional (PLAIN/LOGIN over plain text allowed; `mailer` / `pa:ss word` is the one account).
 * Each message is kept raw and parsed (mailparser), so a test reads its subject, text, HTML and links.
 */
export interface ReceivedMail {
  from: string;
  to: string[];
  user: string | undefined;
  /** The message came over TLS (implicit, or after STARTTLS). */
  secure: boolean;
  raw: string;
  subject: string;
  text: string;
  html: string;
  parsed: ParsedMail;
}

export interface Smtp {
  port: number;
  received: ReceivedMail[];
  /** Waits (polling, up to `timeoutMs`) for a message to `to` beyond the first `skip` such ones. */
  waitFor(to: string, options?: { skip?: number; timeoutMs?: number }): Promise<ReceivedMail>;
  /** The messages received for `to`. */
  to(address: string): ReceivedMail[];
  /** Messages whose data has arrived and that are being held (`delayMs`, `hold`), not yet answered. */
  holding(): number;
  close(): Promise<void>;
}

export interface SmtpOptions {
  /** Every recipient answered 550 (a permanent refusal). */
  rejectRcpt?: boolean;
  /** Holds each message this long before accepting it (a slow server). */
  delayMs?: number;
  /** Holds each message until this settles (a server that stalls until the test lets it go). */
  hold?: Promise<unknown>;
  /**
   * TLS with this key and certificate: `implicit` is SMTPS (TLS from the first byte, `smtps://`), otherwise
   * the server offers STARTTLS (what `smtp://` upgrades to when offered).
   */
  tls?: { key: string; cert: string; implicit: boolean };
}

export const SMTP_USER = 'mailer';
export const SMTP_PASSWORD = 'pa:ss word';

/** `LATCHKEY_SMTP_URL` and `LATCHKEY_MAIL_FROM` for a server on `port`. */
export const smtpEnv = (port: number): Record<string, string> => ({
  LATCHKEY_SMTP_URL: `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${port}`,
  LATCHKEY_MAIL_FROM: 'Latchkey <noreply@example.test>',
});

export async function startSmtp(port = 0, opts: SmtpOptions = {}): Promise<Smtp> {
  const received: ReceivedMail[] = [];
  let holding = 0;
  const server = new SMTPServer({
    ...(opts.tls
      ? { key: opts.tls.key, cert: opts.tls.cert, secure: opts.tls.implicit }
      : { disabledCommands: ['STARTTLS'] }),
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) cb(null, { user: auth.username });
      else cb(new Error('bad credentials'));
    },
    onRcptTo(_address, _session, cb) {
      if (opts.rejectRcpt) cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const accept = async () => {
          holding++;
          try {
            if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
            if (opts.hold) await opts.hold;
          } finally {
            holding--;
          }
          const parsed = await simpleParser(raw);
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            user: session.user as string | undefined,
            secure: session.secure,
            raw: raw.toString('utf8'),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            parsed,
          });
        };
        accept().then(
          () => cb(),
          (err: Error) => cb(err),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const to = (a: string) => received.filter((m) => m.to.includes(a));
  return {
    port: typeof address === 'object' && address ? address.port : port,
    received,
    to,
    holding: () => holding,
    async waitFor(address, { skip = 0, timeoutMs = 10_000 } = {}) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const got = to(address)[skip];
        if (got) return got;
        if (Date.now() > end) throw new Error(`no mail for ${address} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a mail's plain text whose path starts with `path` (the issuer may have a path of its own). */
export function linkIn(mail: Pick<ReceivedMail, 'text'>, path: string): URL {
  for (const m of mail.text.matchAll(/https?:\/\/\S+/g)) {
    const url = new URL(m[0]);
    if (url.pathname.endsWith(path) || url.pathname.includes(`${path}`)) return url;
  }
  throw new Error(`no link to ${path} in the mail:\n${mail.text}`);
}
