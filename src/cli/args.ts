/**
 * A small, strict argument parser: every flag must be declared, so a typo is a usage
 * error rather than silently ignored.
 */
import { EbeeError } from '../errors.js';

export const USAGE_ERROR = 'EBEE_CLI_USAGE';

export interface FlagSpec {
  /** Takes a value (`--mem HEX`); otherwise a boolean switch. */
  readonly value?: boolean;
  /** One-letter alias, without the dash. */
  readonly short?: string;
  /** Allowed values, when restricted. */
  readonly choices?: readonly string[];
}

export interface Parsed {
  readonly flags: Map<string, string | true>;
  readonly positionals: string[];
}

export class UsageError extends EbeeError {
  constructor(message: string) {
    super(USAGE_ERROR, message);
  }
}

export function parseArgs(argv: readonly string[], specs: Readonly<Record<string, FlagSpec>>): Parsed {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(specs).filter(([, s]) => s.short).map(([name, s]) => [s.short!, name]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      const long = byShort.get(arg.slice(1));
      if (!long) throw new UsageError(`unknown option ${arg}`);
      name = long;
    }
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (!spec.value) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')} (got '${value}')`);
    }
    flags.set(name, value);
  }
  return { flags, positionals };
}

/** The value of a flag that takes one, or undefined. */
export function flagValue(parsed: Parsed, name: string): string | undefined {
  const v = parsed.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** Exactly `count` positionals, or a usage error naming them. */
export function expectPositionals(parsed: Parsed, names: readonly string[], optional = 0): string[] {
  const min = names.length - optional;
  if (parsed.positionals.length < min) throw new UsageError(`missing ${names[parsed.positionals.length]}`);
  if (parsed.positionals.length > names.length) {
    throw new UsageError(`unexpected argument '${parsed.positionals[names.length]}'`);
  }
  return parsed.positionals;
}
