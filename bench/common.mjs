// What the benchmarks share: where the programs are, their expected r0 and executed
// counts, inputs, the median, and native C (gcc -O2) built and run in the same session.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const benchDir = process.env.EBEE_BENCH_DIR ?? join(here, '..', '..', 'shared', 'bench');
export const RUNS = Number(process.env.EBEE_BENCH_RUNS ?? 5);
export const PROGRAMS = ['sum_loop', 'fnv1a', 'muldiv'];
export const EXPECTED = { sum_loop: 0x2d7987f0d4c0n, fnv1a: 0xe61b15693c2a2325n, muldiv: 0x146c8c3e2a52e5acn };
/** Instructions each program executes (../shared/bench/README.md). */
export const EXECUTED = { sum_loop: 30_000_003, fnv1a: 32_768_406, muldiv: 140_000_006 };

if (!existsSync(benchDir)) {
  console.error(`benchmark programs not found in ${benchDir} (set EBEE_BENCH_DIR)`);
  process.exit(2);
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const programBytes = (name) => new Uint8Array(readFileSync(join(benchDir, `${name}.bin`)));

/** r1-r5 for `name`, after copying its input (if any) into `space`. */
export function programArgs(name, space) {
  if (name !== 'fnv1a') return [];
  const mem = new Uint8Array(readFileSync(join(benchDir, 'fnv1a.mem')));
  const region = space.allocBytes(mem, { name: 'input' });
  return [region.start, mem.length];
}

export function checkR0(name, r0) {
  if (r0 !== EXPECTED[name]) throw new Error(`${name}: r0 = 0x${r0.toString(16)}, expected 0x${EXPECTED[name].toString(16)}`);
}

/** Seconds per program for native C (gcc -O2, median of its runs), or undefined without gcc. */
export function timeNative() {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ebee-bench-'));
  const exe = join(dir, 'native');
  execFileSync('gcc', ['-O2', join(benchDir, 'native.c'), '-o', exe]);
  // native reads fnv1a.mem from its working directory.
  const out = execFileSync(exe, [String(Math.max(RUNS, 5))], { cwd: benchDir, encoding: 'utf8' });
  const times = {};
  for (const line of out.split('\n')) {
    const m = /^native (\S+)\s+r0=(0x[0-9a-f]+).*median=([\d.]+)s/.exec(line);
    if (!m) continue;
    if (BigInt(m[2]) !== EXPECTED[m[1]]) throw new Error(`native ${m[1]}: r0 = ${m[2]}, expected 0x${EXPECTED[m[1]].toString(16)}`);
    times[m[1]] = Number(m[3]);
  }
  return times;
}

/**
 * The faster of two native measurements per program (undefined stays undefined): the
 * benchmarks time native C before and after their own runs, so that a burst of load
 * from elsewhere on a shared machine during one of them does not skew every ratio.
 */
export function fasterNative(a, b) {
  if (!a || !b) return a ?? b;
  const out = {};
  for (const name of PROGRAMS) out[name] = Math.min(a[name] ?? Infinity, b[name] ?? Infinity);
  return out;
}

/** Seconds since `t0` (a `process.hrtime.bigint()`). */
export const since = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;
