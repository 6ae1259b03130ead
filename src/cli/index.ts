import { parseArgs } from 'node:util';
import { AdminError } from '../admin/validate.js';
import { ConfigError } from '../config.js';
import { CLI_FLAGS, type Command, CommandFailed, UsageError, type Values } from './command.js';
import { backupCommands } from './commands/backup.js';
import { clientCommands } from './commands/clients.js';
import { eventCommands } from './commands/events.js';
import { keyCommands } from './commands/keys.js';
import { mailCommands } from './commands/mail.js';
import { providerCommands } from './commands/providers.js';
import { scopeCommands } from './commands/scopes.js';
import { seedCommands } from './commands/seed.js';
import { serverCommands } from './commands/server.js';
import { userCommands } from './commands/users.js';
import { debugging, describeFailure } from './errors.js';
import { Output } from './output.js';

/** Every command, in the order `--help` lists them. */
const commands: Record<string, Command> = {
  ...serverCommands,
  ...userCommands,
  ...clientCommands,
  ...scopeCommands,
  ...providerCommands,
  ...keyCommands,
  ...eventCommands,
  ...mailCommands,
  ...seedCommands,
  ...backupCommands,
};

function help(): string {
  const lines = Object.values(commands).map((c) => `  latchkey ${c.usage}\n      ${c.summary}`);
  return [
    'latchkey: an embedded OAuth 2.1 / OpenID Connect provider',
    '',
    'Usage:',
    ...lines,
    '',
    'Every command accepts --json (one JSON document on stdout) and --help.',
    'Environment: PORT, HOST, ISSUER, LATCHKEY_DB, LATCHKEY_CONFIG, LATCHKEY_SECRET, LATCHKEY_THROTTLE, LATCHKEY_SMTP_URL, LATCHKEY_MAIL_FROM.',
    'Errors are one line on stderr; LATCHKEY_LOG_LEVEL=debug adds the stack trace.',
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const out = new Output(json);
  const args = argv.filter((a) => a !== '--json');
  const wantsHelp = args.includes('--help') || args.includes('-h');
  const words = args.filter((a) => !a.startsWith('-'));
  const name = commands[`${words[0]} ${words[1]}`] ? `${words[0]} ${words[1]}` : words[0];
  const command = name ? commands[name] : undefined;
  if (!command) {
    if (wantsHelp || !args.length) {
      process.stdout.write(help() + '\n');
      return args.length ? 0 : 2;
    }
    out.error('usage', `unknown command "${words.slice(0, 2).join(' ')}"; see latchkey --help`);
    return 2;
  }
  if (wantsHelp) {
    process.stdout.write(`latchkey ${command.usage}\n  ${command.summary}\n`);
    return 0;
  }
  const rest = args.slice(args.indexOf(name!.split(' ').at(-1)!) + 1);
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: command.options,
      allowPositionals: true,
      strict: true,
    });
    await command.run(values as Values, positionals, out);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      out.error('usage', `${(err as Error).message}\nusage: latchkey ${command.usage}`);
      return 2;
    }
    if (err instanceof AdminError) {
      out.error(err.code, err.wording({ ...CLI_FLAGS, ...command.flags }));
      return 1;
    }
    if (err instanceof CommandFailed) {
      out.error(err.code, err.message.replace(/\s*\n\s*/g, ' '));
      return 1;
    }
    if (err instanceof ConfigError) {
      out.error('config', err.message);
      return 1;
    }
    // One line, whatever failed (a database that cannot be opened, a folder that cannot be written): a stack
    // trace only when asked for.
    const failure = describeFailure(err);
    out.error(failure.code, failure.message, debugging(process.env) ? (err as Error)?.stack : undefined);
    return 1;
  }
}
