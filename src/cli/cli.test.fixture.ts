/** What the CLI tests share: the repository root, example paths, and `cli()`, which runs `main` capturing its output. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './main.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const example = (name: string): string => join(ROOT, 'examples', name);

/** Runs `ebee ARGV...` in-process: its exit status and what it printed to stdout and stderr. */
export function cli(...argv: string[]): { status: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const status = main(argv, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}
