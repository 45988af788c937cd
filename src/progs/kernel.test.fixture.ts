/**
 * The running kernel for the program-type tests: its verifier's verdict on small
 * programs (through `src/verifier/kernel/oracle.c`: BPF_PROG_LOAD only) and its
 * BPF_PROG_TEST_RUN results (through `src/progs/kernel/testrun-probe.c`). Nothing is
 * attached. Tests that use it skip, saying why, without root, gcc or bpf().
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode, type Instruction } from '../isa/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ORACLE_SOURCE = join(repo, 'src/verifier/kernel/oracle.c');
export const TESTRUN_SOURCE = join(repo, 'src/progs/kernel/testrun-probe.c');

/** Why the kernel cannot be asked here, or false. */
export function kernelUnavailable(): string | false {
  if (process.getuid?.() !== 0) return 'needs root for bpf()';
  if (spawnSync('gcc', ['--version']).status !== 0) return 'needs gcc to build the kernel probes';
  return false;
}

/** Builds one of the probes into `dir`; returns its path, or why bpf() cannot be used. */
export function buildProbe(source: string, dir: string, name: string): { exe: string } | { unavailable: string } {
  const exe = join(dir, name);
  const built = spawnSync('gcc', ['-O2', '-o', exe, source], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`${source} does not build: ${built.stderr}`);
  const probe = spawnSync(exe, [], { input: 'probe\n', encoding: 'utf8' }).stdout.trim();
  return probe === 'probe ok' ? { exe } : { unavailable: `bpf() unavailable: ${probe}` };
}

export const hex = (insns: readonly Instruction[]): string => Buffer.from(encode(insns)).toString('hex');

/** One program for the oracle, GPL. */
export interface LoadJob {
  readonly type: number;
  readonly attach: number;
  readonly insns: readonly Instruction[];
  /** The oracle's `map TYPE KEY VALUE MAX FLAGS` lines for the maps the program references by index. */
  readonly maps?: readonly string[];
}

/** The kernel's verdicts, in order: true for an accepted program, with the log's last line on rejection when asked. */
export function kernelVerdicts(oracle: string, jobs: readonly LoadJob[], withLog = false): { ok: boolean; message: string }[] {
  if (!jobs.length) return [];
  const input = jobs.map((j) => `${(j.maps ?? []).map((m) => `${m}\n`).join('')}prog ${j.type} ${j.attach} 0 GPL\n` +
    `insns ${hex(j.insns)}\n${withLog ? 'load log' : 'load'}\n`).join('');
  const r = spawnSync(oracle, [], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`oracle failed: ${r.stderr}`);
  const out: { ok: boolean; message: string }[] = [];
  let cur = { ok: false, message: '' };
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('result ')) cur.ok = line === 'result accept';
    else if (line.startsWith('log ') && !/^log (processed|verification time|stack depth)/.test(line)) cur.message = line.slice(4);
    else if (line === 'end') { out.push(cur); cur = { ok: false, message: '' }; }
  }
  if (out.length !== jobs.length) throw new Error(`oracle gave ${out.length} verdicts for ${jobs.length} programs`);
  return out;
}

/** One test run for the probe. */
export interface RunJob extends LoadJob {
  readonly data?: Uint8Array;
  readonly ctx?: Uint8Array;
}

export type KernelRun =
  | { readonly kind: 'ok'; readonly retval: number; readonly data: Uint8Array; readonly ctx: Uint8Array }
  | { readonly kind: 'load' | 'run'; readonly errno: number };

const bytesHex = (b: Uint8Array | undefined): string => (b && b.length ? Buffer.from(b).toString('hex') : '-');
const unhex = (s: string): Uint8Array => (s === '-' ? new Uint8Array(0) : new Uint8Array(Buffer.from(s, 'hex')));

/** BPF_PROG_TEST_RUN on each job, in order. */
export function kernelRuns(probe: string, jobs: readonly RunJob[]): KernelRun[] {
  const input = jobs.map((j) => `prog ${j.type} ${j.attach}\ninsns ${hex(j.insns)}\ndata ${bytesHex(j.data)}\nctx ${bytesHex(j.ctx)}\nrun\n`).join('');
  const r = spawnSync(probe, [], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`test-run probe failed: ${r.stderr}`);
  return r.stdout.split('end\n').slice(0, jobs.length).map((block) => {
    const lines = block.trim().split('\n');
    const [, kind, value] = lines[0]!.split(' ') as [string, 'ok' | 'load' | 'run', string];
    if (kind !== 'ok') return { kind, errno: Number(value) };
    return { kind, retval: Number(value), data: unhex(lines[1]!.slice(5)), ctx: unhex(lines[2]!.slice(4)) };
  });
}
