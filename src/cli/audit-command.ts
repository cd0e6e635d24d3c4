// `graspd audit <http(s)://host[:port]> [--timeout-ms N] [--quiet]`: prints the conformance table;
// exit 0 only when every MUST check passed, 1 otherwise, 2 on bad usage.
import { exitStatus, renderReport } from '../audit/report.js';
import { runAudit } from '../audit/run.js';
import { UsageError, parseSubArgs, type Io } from './sub-args.js';

export const AUDIT_USAGE = 'usage: graspd audit <http(s)://host[:port]> [--timeout-ms N] [--quiet]';

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  const a = parseSubArgs(argv, { values: ['timeout-ms'], flags: ['quiet'] });
  const target = a.positional[0];
  if (!target || a.positional.length > 1) throw new UsageError(AUDIT_USAGE);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError(`not a URL: ${target}\n${AUDIT_USAGE}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`the audit target must be http(s)://…, got ${target}`);
  const timeoutMs = a.int('timeout-ms', 15_000);
  const quiet = a.flag('quiet');
  const results = await runAudit({ target, timeoutMs, ...(quiet ? {} : { progress: (l) => io.err(`${l}\n`) }) });
  io.out(renderReport(`${url.protocol}//${url.host}`, results) + '\n');
  return exitStatus(results);
}
