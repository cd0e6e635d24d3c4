#!/usr/bin/env node
// graspd entry point: parse options (exit 2 on bad input), start, shut down cleanly on SIGTERM/SIGINT.
import { ConfigError, helpText, parseConfig } from './config/load.js';
import { startServer } from './app/server.js';
import { createLogger, flushLogs } from './log/logger.js';
import { VERSION } from './app/version.js';
import { installBackstop } from './app/backstop.js';
import { isSubcommand, runSubcommand } from './cli/subcommands.js';

async function main(): Promise<void> {
  if (isSubcommand(process.argv[2])) {
    const code = await runSubcommand(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
    process.stdout.write('', () => process.exit(code));
    return;
  }
  let parsed;
  try {
    parsed = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`graspd: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (parsed.type === 'help') {
    process.stdout.write(helpText() + '\n');
    return;
  }
  if (parsed.type === 'version') {
    process.stdout.write(VERSION + '\n');
    return;
  }
  const log = createLogger(parsed.config.logLevel);
  installBackstop(log, (code) => {
    flushLogs();
    process.exit(code);
  });
  let server;
  try {
    server = await startServer(parsed.config, { log });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`graspd: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took longer than 9 s, exiting');
      flushLogs();
      process.exit(1);
    }, 9000);
    force.unref();
    server
      .close()
      .then(() => {
        log.info('stopped');
        flushLogs();
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'shutdown failed');
        flushLogs();
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`graspd: fatal: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
