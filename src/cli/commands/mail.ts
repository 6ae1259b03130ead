import { loadConfig } from '../../config.js';
import { type Command, CommandFailed, one } from '../command.js';

export const mailCommands: Record<string, Command> = {
  'mail test': {
    usage: 'mail test <address>',
    summary: 'send one test mail through LATCHKEY_SMTP_URL now (not the outbox) and say whether it went out',
    options: {},
    async run(_v, positionals, out) {
      const to = one(positionals, 'address');
      const config = loadConfig();
      const { smtpUrl, smtpDisplay, from } = config.mail;
      if (!smtpUrl || !smtpDisplay || !from)
        throw new CommandFailed(
          'mail_not_configured',
          'mail is not configured: set LATCHKEY_SMTP_URL and LATCHKEY_MAIL_FROM (without them, mail links are written to the server log)',
        );
      // Loaded on demand: nodemailer only for the command that sends.
      const { mailError, smtpSender } = await import('../../mail/transport.js');
      const name = config.brand.name;
      try {
        await smtpSender(config.mail)({
          to,
          subject: `${name}: test mail`,
          text: `This is a test mail from ${name} (${config.issuer}). Mail is set up.`,
          html: `<p>This is a test mail from ${escapeHtml(name)} (${escapeHtml(config.issuer)}). Mail is set up.</p>`,
        });
      } catch (err) {
        throw new CommandFailed(
          'mail_failed',
          `mail not sent to ${to} via ${smtpDisplay}: ${mailError(err)}`,
        );
      }
      out.result(
        { sent: true, to, from, smtp: smtpDisplay },
        `ok: test mail sent to ${to} via ${smtpDisplay}`,
      );
    },
  },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
