import { parseArgs } from 'node:util';
import packageJson from '../../package.json' with { type: 'json' };
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
import { didYouMean } from './suggest.js';

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

/** `latchkey user …`, `latchkey client …`: the groups of commands, by their first word. */
const groups = [
  ...new Set(
    Object.keys(commands)
      .filter((n) => n.includes(' '))
      .map((n) => n.split(' ')[0]!),
  ),
];
const GLOBAL_FLAGS = ['--json', '--help', '--version'];

function help(): string {
  const lines = Object.values(commands).map((c) => `  latchkey ${c.usage}\n      ${c.summary}`);
  return [
    'latchkey: an embedded OAuth 2.1 / OpenID Connect provider',
    '',
    'Usage:',
    ...lines,
    '',
    'Every command accepts --json (one JSON document on stdout) and --help; latchkey <group> --help explains a',
    `group's commands (${groups.join(', ')}); latchkey --version prints the version.`,
    'Environment: PORT, HOST, ISSUER, LATCHKEY_DB, LATCHKEY_CONFIG, LATCHKEY_SECRET, LATCHKEY_THROTTLE, LATCHKEY_SMTP_URL, LATCHKEY_MAIL_FROM.',
    'Errors are one line on stderr with exit code 1 (2 for a command line that cannot be run); LATCHKEY_LOG_LEVEL=debug adds the stack trace.',
  ].join('\n');
}

function groupHelp(group: string): string {
  const members = Object.entries(commands).filter(([n]) => n.startsWith(`${group} `));
  return [
    `latchkey ${group} <command>: ${members.map(([n]) => n.slice(group.length + 1)).join(', ')}`,
    '',
    ...members.map(([, c]) => `  latchkey ${c.usage}\n      ${c.summary}`),
    '',
    `Every command accepts --json and --help (latchkey ${group} <command> --help).`,
  ].join('\n');
}

/** `latchkey foo`: the nearest command or group it may have meant. */
function unknownCommand(words: string[]): string {
  const [first = '', second] = words;
  if (groups.includes(first) && second !== undefined) {
    const members = Object.keys(commands).filter((n) => n.startsWith(`${first} `));
    return `unknown command "${first} ${second}"${didYouMean(`${first} ${second}`, members)} (see latchkey ${first} --help)`;
  }
  const tops = [...Object.keys(commands).filter((n) => !n.includes(' ')), ...groups];
  return `unknown command "${first}"${didYouMean(first, tops)} (see latchkey --help)`;
}

/** `parseArgs`'s "Unknown option '--x'. To specify a positional…": the option, and the one it may have meant. */
function unknownOption(err: Error, command: Command, name: string): string | undefined {
  const option = /^Unknown option '(-[^']*)'/.exec(err.message)?.[1];
  if (!option) return undefined;
  const known = [...Object.keys(command.options).map((o) => `--${o}`), ...GLOBAL_FLAGS];
  return `unknown option "${option}" for "latchkey ${name}"${didYouMean(option, known)}`;
}

/** Errors whose `code` is the `error` of `--json` (the secret refused, no database). */
const codeOf = (err: ConfigError): string => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'config';
};

export async function runCli(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const out = new Output(json);
  const args = argv.filter((a) => a !== '--json');
  const wantsHelp = args.includes('--help') || args.includes('-h');
  const words = args.filter((a) => !a.startsWith('-'));
  const name = commands[`${words[0]} ${words[1]}`] ? `${words[0]} ${words[1]}` : words[0];
  const command = name ? commands[name] : undefined;
  if (!command) {
    if (!words.length && (args.includes('--version') || args.includes('-V'))) {
      out.result({ version: packageJson.version }, `latchkey ${packageJson.version}`);
      return 0;
    }
    if (words.length === 1 && groups.includes(words[0]!)) {
      process.stdout.write(groupHelp(words[0]!) + '\n');
      return wantsHelp ? 0 : 2;
    }
    if (!words.length && (wantsHelp || !args.length)) {
      process.stdout.write(help() + '\n');
      return args.length ? 0 : 2;
    }
    if (!words.length) {
      const flag = args.find((a) => !GLOBAL_FLAGS.includes(a) && a !== '-h') ?? args[0]!;
      out.error('usage', `unknown option "${flag}"${didYouMean(flag, GLOBAL_FLAGS)} (see latchkey --help)`);
      return 2;
    }
    out.error('usage', unknownCommand(words));
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
      const message = unknownOption(err as Error, command, name!) ?? (err as Error).message;
      out.error('usage', `${message}\nusage: latchkey ${command.usage}`);
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
      out.error(codeOf(err), err.message);
      return 1;
    }
    // One line, whatever failed (a database that cannot be opened, a folder that cannot be written): a stack
    // trace only when asked for.
    const failure = describeFailure(err);
    out.error(failure.code, failure.message, debugging(process.env) ? (err as Error)?.stack : undefined);
    return 1;
  }
}
