#!/usr/bin/env node
import { runCli } from './cli/index.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0 || !process.argv.includes('serve')) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`latchkey: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
