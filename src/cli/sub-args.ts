// Argument parsing for the admin subcommands (small and strict: unknown flags are usage errors → exit 2).
export class UsageError extends Error {}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export interface SubArgs {
  positional: string[];
  value(name: string): string | undefined;
  int(name: string, dflt: number): number;
  flag(name: string): boolean;
}

export function parseSubArgs(argv: readonly string[], spec: { values?: readonly string[]; flags?: readonly string[] }): SubArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (spec.flags?.includes(name) && eq < 0) flags.add(name);
    else if (spec.values?.includes(name)) {
      const v = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (v === undefined || v === '') throw new UsageError(`--${name} needs a value`);
      values.set(name, v);
    } else throw new UsageError(`unknown option ${arg}`);
  }
  return {
    positional,
    value: (n) => values.get(n),
    flag: (n) => flags.has(n),
    int: (n, dflt) => {
      const v = values.get(n);
      if (v === undefined) return dflt;
      if (!/^\d+$/.test(v)) throw new UsageError(`--${n}: expected a non-negative integer, got ${JSON.stringify(v)}`);
      return Number(v);
    },
  };
}
