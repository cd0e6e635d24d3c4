// Admin subcommands of the graspd binary (INTERFACE.md "Additions…"): dispatched before option parsing.
import { auditCommand } from './audit-command.js';
import { exportCommand } from './export-command.js';
import { importCommand } from './import-command.js';
import { resyncCommand } from './resync-command.js';
import { relaysCommand, reposCommand, statusCommand } from './status-commands.js';
import { UsageError, type Io } from './sub-args.js';

type Command = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  audit: auditCommand,
  export: exportCommand,
  import: (argv, io) => importCommand(argv, io),
  status: statusCommand,
  relays: relaysCommand,
  repos: reposCommand,
  resync: resyncCommand,
};

export function isSubcommand(name: string | undefined): boolean {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/** Runs `graspd <command> …`; resolves with the exit status. */
export async function runSubcommand(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = name !== undefined ? COMMANDS[name] : undefined;
  if (!cmd) {
    io.err(`graspd: unknown command ${String(name)}\n`);
    return 2;
  }
  try {
    return await cmd(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`graspd ${name}: ${err.message}\n`);
      return 2;
    }
    io.err(`graspd ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
